/* SPDX-License-Identifier: MIT */
/*
 * Events.  An event counts the inferences enqueued with it that have not
 * completed.  On each completion the worker runs the event's callbacks
 * (cb(event, QAIC_EVENT_DEVICE_COMPLETE, userData), on the worker thread),
 * then signals waiters.  qaicWaitforEvent returns when nothing is pending,
 * with the status of the last completion.
 */
#include <stdlib.h>
#include <string.h>

#include "rt.h"

static void event_destroy(struct rt_obj *obj)
{
	struct QAicEvent *ev = (struct QAicEvent *)obj;
	uint32_t i;

	for (i = 0; i < ev->ndone; i++)
		RT_PUT(ev->done[i].prog);
	pthread_cond_destroy(&ev->cond);
	pthread_mutex_destroy(&ev->lock);
	if (ev->ctx)
		RT_PUT(ev->ctx);
	free(ev->cbs);
	free(ev->done);
	free(ev);
}

QAIC_EXPORT QStatus qaicCreateEvent(QAicContext *hctx, QAicEvent **event,
				    QAicEventCompletionType type)
{
	struct QAicContext *ctx = RT_GET(hctx, RT_CONTEXT, struct QAicContext);
	struct QAicEvent *ev;
	QStatus st = QS_INVAL;

	if (!ctx || !event || type != QAIC_EVENT_DEVICE_COMPLETE)
		goto out;
	st = QS_NOMEM;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		goto out;
	pthread_mutex_init(&ev->lock, NULL);
	pthread_cond_init(&ev->cond, NULL);
	ev->status = QS_SUCCESS;
	ev->ctx = ctx;
	rt_ref(&ctx->obj);
	if (rt_register(&ev->obj, RT_EVENT, event_destroy)) {
		event_destroy(&ev->obj);
		goto out;
	}
	*event = ev;
	st = QS_SUCCESS;
out:
	if (ctx)
		RT_PUT(ctx);
	return st;
}

QAIC_EXPORT QStatus qaicEventAddCallback(QAicEvent *handle,
					 QAicEventCallback cb, void *userData)
{
	struct QAicEvent *ev = RT_GET(handle, RT_EVENT, struct QAicEvent);
	QStatus st = QS_INVAL;

	if (!ev)
		return QS_INVAL;
	if (!cb)
		goto out;
	pthread_mutex_lock(&ev->lock);
	if (ev->ncb == ev->capcb) {
		uint32_t cap = ev->capcb ? ev->capcb * 2 : 4;
		struct ev_cb *n = realloc(ev->cbs, cap * sizeof(*n));

		if (!n) {
			pthread_mutex_unlock(&ev->lock);
			st = QS_NOMEM;
			goto out;
		}
		ev->cbs = n;
		ev->capcb = cap;
	}
	ev->cbs[ev->ncb].cb = cb;
	ev->cbs[ev->ncb].ud = userData;
	ev->ncb++;
	pthread_mutex_unlock(&ev->lock);
	st = QS_SUCCESS;
out:
	RT_PUT(ev);
	return st;
}

/* Removes every registration of @cb; QS_INVAL if there was none. */
QAIC_EXPORT QStatus qaicEventRemoveCallback(QAicEvent *handle,
					    QAicEventCallback cb)
{
	struct QAicEvent *ev = RT_GET(handle, RT_EVENT, struct QAicEvent);
	uint32_t i, j = 0;
	QStatus st;

	if (!ev)
		return QS_INVAL;
	pthread_mutex_lock(&ev->lock);
	for (i = 0; i < ev->ncb; i++)
		if (ev->cbs[i].cb != cb)
			ev->cbs[j++] = ev->cbs[i];
	st = j < ev->ncb ? QS_SUCCESS : QS_INVAL;
	ev->ncb = j;
	pthread_mutex_unlock(&ev->lock);
	RT_PUT(ev);
	return st;
}

/* Forgets the last completion status (pending inferences stay pending). */
QAIC_EXPORT QStatus qaicEventClear(QAicEvent *handle)
{
	struct QAicEvent *ev = RT_GET(handle, RT_EVENT, struct QAicEvent);

	if (!ev)
		return QS_INVAL;
	pthread_mutex_lock(&ev->lock);
	ev->status = QS_SUCCESS;
	pthread_mutex_unlock(&ev->lock);
	RT_PUT(ev);
	return QS_SUCCESS;
}

/*
 * Returning is the moment the application is handed the completions of the
 * profiled inferences this event carried without callbacks.
 */
QAIC_EXPORT QStatus qaicWaitforEvent(QAicEvent *handle)
{
	struct QAicEvent *ev = RT_GET(handle, RT_EVENT, struct QAicEvent);
	struct ev_done *done;
	uint32_t i, ndone;
	QStatus st;

	if (!ev)
		return QS_INVAL;
	pthread_mutex_lock(&ev->lock);
	while (ev->pending)
		pthread_cond_wait(&ev->cond, &ev->lock);
	st = ev->status;
	done = ev->done;
	ndone = ev->ndone;
	ev->done = NULL;
	ev->ndone = ev->capdone = 0;
	pthread_mutex_unlock(&ev->lock);
	if (ndone) {
		uint64_t t = rt_now();

		for (i = 0; i < ndone; i++) {
			rt_handover(done[i].prog, done[i].sample, t);
			RT_PUT(done[i].prog);
		}
	}
	free(done);
	RT_PUT(ev);
	return st;
}

/* QS_BUSY while inferences enqueued with the event are still pending. */
QAIC_EXPORT QStatus qaicReleaseEvent(QAicEvent *handle)
{
	struct QAicEvent *ev = RT_GET(handle, RT_EVENT, struct QAicEvent);
	bool busy;

	if (!ev)
		return QS_INVAL;
	pthread_mutex_lock(&ev->lock);
	busy = ev->pending > 0;
	pthread_mutex_unlock(&ev->lock);
	if (busy) {
		RT_PUT(ev);
		return QS_BUSY;
	}
	if (!rt_unregister(&ev->obj)) {
		RT_PUT(ev);
		return QS_INVAL;
	}
	RT_PUT(ev);
	RT_PUT(ev);
	return QS_SUCCESS;
}

void rt_event_pending(struct QAicEvent *ev)
{
	pthread_mutex_lock(&ev->lock);
	ev->pending++;
	pthread_mutex_unlock(&ev->lock);
}

static void remember_done(struct QAicEvent *ev, struct QAicProgram *pg,
			  uint64_t sample)
{
	if (ev->ndone == ev->capdone) {
		uint32_t cap = ev->capdone ? ev->capdone * 2 : 4;
		struct ev_done *n = realloc(ev->done, cap * sizeof(*n));

		if (!n)
			return;	/* the row keeps its worker completion time */
		ev->done = n;
		ev->capdone = cap;
	}
	rt_ref(&pg->obj);
	ev->done[ev->ndone].prog = pg;
	ev->done[ev->ndone].sample = sample;
	ev->ndone++;
}

void rt_event_complete(struct QAicEvent *ev, struct QAicProgram *pg,
		       bool sampled, uint64_t sample, QStatus st)
{
	struct ev_cb local[8], *cbs = local;
	uint32_t i, n;

	pthread_mutex_lock(&ev->lock);
	n = ev->ncb;
	if (n > 8)
		cbs = malloc(n * sizeof(*cbs));
	if (!cbs)
		n = 0;
	else if (n)
		memcpy(cbs, ev->cbs, n * sizeof(*cbs));
	pthread_mutex_unlock(&ev->lock);

	if (n && sampled)
		rt_handover(pg, sample, rt_now());
	for (i = 0; i < n; i++)
		cbs[i].cb(ev, QAIC_EVENT_DEVICE_COMPLETE, cbs[i].ud);
	if (cbs != local)
		free(cbs);

	pthread_mutex_lock(&ev->lock);
	ev->status = st;
	if (!n && sampled)
		remember_done(ev, pg, sample);
	ev->pending--;
	pthread_cond_broadcast(&ev->cond);
	pthread_mutex_unlock(&ev->lock);
}
