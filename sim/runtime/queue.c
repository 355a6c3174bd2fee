/* SPDX-License-Identifier: MIT */
/*
 * Queues: a FIFO of exec objects served by numThreadsPerQueue worker threads
 * (default 4; 1 for single-threaded queues), and qaicEnqueueExecObj.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

#define DEFAULT_THREADS 4
#define MAX_THREADS 64

static struct QAicExecObj *pop_locked(struct QAicQueue *q)
{
	struct QAicExecObj *eo = q->head;

	q->head = eo->qnext;
	if (!q->head)
		q->tail = NULL;
	eo->qnext = NULL;
	return eo;
}

static void *worker_main(void *arg)
{
	struct QAicQueue *q = arg;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		struct QAicExecObj *eo;

		while (!q->head && !q->stop)
			pthread_cond_wait(&q->work, &q->lock);
		if (!q->head)
			break;
		eo = pop_locked(q);
		q->running++;
		pthread_mutex_unlock(&q->lock);

		rt_execobj_run(eo);	/* last touch of eo: workers-- */

		pthread_mutex_lock(&q->lock);
		q->running--;
		pthread_cond_broadcast(&q->idle);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

static void queue_stop(struct QAicQueue *q)
{
	uint32_t i;

	pthread_mutex_lock(&q->lock);
	q->stop = true;
	pthread_cond_broadcast(&q->work);
	pthread_mutex_unlock(&q->lock);
	for (i = 0; i < q->nthreads; i++)
		pthread_join(q->threads[i], NULL);
	q->nthreads = 0;
}

static void queue_destroy(struct rt_obj *obj)
{
	struct QAicQueue *q = (struct QAicQueue *)obj;

	queue_stop(q);
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->idle);
	pthread_mutex_destroy(&q->lock);
	free(q->threads);
	if (q->ctx)
		RT_PUT(q->ctx);
	free(q);
}

static QStatus queue_start(struct QAicQueue *q, uint32_t n)
{
	uint32_t i;

	q->threads = calloc(n, sizeof(*q->threads));
	if (!q->threads)
		return QS_NOMEM;
	for (i = 0; i < n; i++) {
		if (pthread_create(&q->threads[i], NULL, worker_main, q))
			return QS_NOMEM;
		q->nthreads++;
	}
	return QS_SUCCESS;
}

QStatus rt_queue_new(struct QAicContext *ctx, QID dev, uint32_t n,
		     struct QAicQueue **out)
{
	struct QAicQueue *q = calloc(1, sizeof(*q));
	QStatus st;

	if (!q)
		return QS_NOMEM;
	q->dev = dev;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->idle, NULL);
	q->ctx = ctx;
	rt_ref(&ctx->obj);
	st = queue_start(q, n ? n : DEFAULT_THREADS);
	if (st == QS_SUCCESS && rt_register(&q->obj, RT_QUEUE, queue_destroy))
		st = QS_NOMEM;
	if (st != QS_SUCCESS) {
		queue_destroy(&q->obj);
		return st;
	}
	*out = q;
	return QS_SUCCESS;
}

QAIC_EXPORT QStatus qaicCreateQueue(QAicContext *hctx, QAicQueue **queue,
				    QAicQueueProperties *props, QID dev)
{
	struct QAicContext *ctx = RT_GET(hctx, RT_CONTEXT, struct QAicContext);
	uint32_t n = DEFAULT_THREADS;
	QStatus st = QS_INVAL;

	if (!ctx || !queue || !rt_ctx_has_device(ctx, dev))
		goto out;
	if (props) {
		if (props->numThreadsPerQueue > MAX_THREADS)
			goto out;
		if (props->numThreadsPerQueue)
			n = props->numThreadsPerQueue;
		if (props->properties == QAIC_QUEUE_PROPERTIES_ENABLE_SINGLE_THREADED_QUEUES)
			n = 1;
	}
	st = rt_queue_new(ctx, dev, n, queue);
out:
	if (ctx)
		RT_PUT(ctx);
	return st;
}

/*
 * Retires the handle, lets queued inferences finish, then stops and joins
 * the workers.  Must not be called from an event callback of this queue.
 * A group's queue goes with the group.
 */
QAIC_EXPORT QStatus qaicReleaseQueue(QAicQueue *handle)
{
	struct QAicQueue *q = RT_GET(handle, RT_QUEUE, struct QAicQueue);

	if (!q)
		return QS_INVAL;
	if (q->in_group) {
		RT_PUT(q);
		return QS_INVAL;
	}
	return rt_queue_release(q);
}

/* Consumes the caller's reference. */
QStatus rt_queue_release(struct QAicQueue *q)
{
	uint32_t i;

	pthread_mutex_lock(&q->lock);
	for (i = 0; i < q->nthreads; i++) {
		if (pthread_equal(q->threads[i], pthread_self())) {
			pthread_mutex_unlock(&q->lock);
			RT_PUT(q);
			return QS_BUSY;
		}
	}
	pthread_mutex_unlock(&q->lock);
	if (!rt_unregister(&q->obj)) {
		RT_PUT(q);
		return QS_INVAL;
	}
	pthread_mutex_lock(&q->lock);
	while (q->head || q->running)
		pthread_cond_wait(&q->idle, &q->lock);
	pthread_mutex_unlock(&q->lock);
	RT_PUT(q);
	RT_PUT(q);
	return QS_SUCCESS;
}

static QStatus claim_execobj(struct QAicExecObj *eo)
{
	QStatus st = QS_SUCCESS;

	pthread_mutex_lock(&eo->lock);
	if (eo->state == EO_BUSY) {
		st = QS_BUSY;
	} else {
		eo->state = EO_BUSY;
		eo->workers++;
	}
	pthread_mutex_unlock(&eo->lock);
	return st;
}

static bool program_active(struct QAicProgram *pg)
{
	bool active;

	pthread_mutex_lock(&pg->lock);
	active = pg->status == QAIC_PROGRAM_FULLY_ACTIVATED;
	pthread_mutex_unlock(&pg->lock);
	return active;
}

/*
 * Hands one inference to the queue's workers.  An exec object holds at most
 * one inference: enqueuing one still in flight returns QS_BUSY at once.
 * enqTimeUs spans this call from its first instruction to the moment the
 * job is visible to the workers (the last step before returning).
 */
QAIC_EXPORT QStatus qaicEnqueueExecObj(QAicQueue *hq, QAicExecObj *heo,
				       QAicEvent *hev)
{
	uint64_t t0 = rt_now();
	struct QAicQueue *q = RT_GET(hq, RT_QUEUE, struct QAicQueue);
	struct QAicExecObj *eo = RT_GET(heo, RT_EXECOBJ, struct QAicExecObj);
	struct QAicEvent *ev = hev ? RT_GET(hev, RT_EVENT, struct QAicEvent) : NULL;
	struct truth_pending *truth = NULL;
	uint32_t prog_id;
	uint64_t sample;
	QStatus st = QS_INVAL;

	if (!q || !eo || (hev && !ev) || !rt_program_on_device(eo->prog, q->dev) ||
	    !program_active(eo->prog))
		goto fail;
	st = claim_execobj(eo);
	if (st != QS_SUCCESS)
		goto fail;
	memset(&eo->row, 0, sizeof(eo->row));
	eo->row.sample = atomic_fetch_add(&eo->prog->enq_count, 1);
	eo->row.enq_start = t0;
	eo->sampled = profile_wants(eo->prog->prof, eo->row.sample);
	eo->event = ev;			/* the job keeps the event reference */
	if (ev)
		rt_event_pending(ev);
	rt_program_inflight(eo->prog, 1);

	prog_id = eo->prog->id;
	sample = eo->row.sample;
	truth = truth_prepare();
	pthread_mutex_lock(&q->lock);
	if (q->tail)
		q->tail->qnext = eo;
	else
		q->head = eo;
	q->tail = eo;
	eo->row.enq_ns = rt_now() - t0;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->lock);
	/* No reference travels with the job: release waits for eo->workers
	 * to drop to 0, so BOs are always torn down inside the release call. */
	RT_PUT(eo);
	RT_PUT(q);
	/* the truth file's end of the call: its last step (eo may already
	 * be running: only its program's id and its sample number are used) */
	if (truth)
		truth_enqueued(truth, prog_id, sample, t0, rt_now());
	return QS_SUCCESS;
fail:
	if (ev)
		RT_PUT(ev);
	if (eo)
		RT_PUT(eo);
	if (q)
		RT_PUT(q);
	return st;
}
