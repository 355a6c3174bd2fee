/* SPDX-License-Identifier: MIT */
/*
 * Program groups: a queue and a set of programs on one device that are
 * activated and deactivated together.
 *
 *   qaicCreateProgramGroup    group + its queue (default worker threads)
 *   qaicProgramGroupAddProgram a program of the group (devMapping allowed);
 *                             activated at once if the group is enabled
 *   qaicProgramGroupEnable    loads and activates every program; BOs of
 *                             live exec objects are attached to the new DBCs
 *   qaicProgramGroupDisable   optionally waits for the inferences in flight
 *                             (at most timeoutUs µs, else QS_TIMEDOUT and
 *                             nothing changes), then deactivates every
 *                             program, exec objects alive or not: what is
 *                             still in flight fails (the kernel releases
 *                             the DBC: WAIT -> EPERM)
 *   qaicReleaseProgramGroup   lets the queue's inferences finish, then
 *                             retires the queue and the programs
 *
 * Its programs and queue are otherwise ordinary objects (exec objects,
 * enqueue, profiling), except that the application cannot load, activate,
 * deactivate, unload or release them itself (QS_INVAL): the group does.
 * Oversubscription and the protocol choice are accepted and recorded; the
 * simulator activates every program at Enable (no swapping).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

struct QAicProgramGroup {
	struct rt_obj obj;
	struct QAicContext *ctx;
	struct QAicQueue *queue;	/* counted, in_group */
	QAicProgramGroupProperties props;
	char name[DESC_NAME_MAX];
	QID dev;
	pthread_mutex_t lock;		/* enabled, progs (API calls) */
	bool enabled;
	struct QAicProgram **progs;	/* counted */
	uint32_t nprog, capprog;
};

static void group_destroy(struct rt_obj *obj)
{
	struct QAicProgramGroup *g = (struct QAicProgramGroup *)obj;

	for (uint32_t i = 0; i < g->nprog; i++)
		RT_PUT(g->progs[i]);
	if (g->queue)
		RT_PUT(g->queue);
	RT_PUT(g->ctx);
	pthread_mutex_destroy(&g->lock);
	free(g->progs);
	free(g);
}

QAIC_EXPORT QStatus qaicProgramGroupPropertiesInitDefault(
	QAicProgramGroupProperties_t *props)
{
	if (!props)
		return QS_INVAL;
	memset(props, 0, sizeof(*props));
	props->enableOversubscription =
		QAIC_PROGRAM_GROUP_PROPERTIES_OVERSUBSCRIPTION_DISABLED;
	props->protocolSelect = QAIC_PROGRAM_GROUP_PROTOCOL_DATA_PATH;
	return QS_SUCCESS;
}

static QStatus group_new(struct QAicContext *ctx, QAicProgramGroupProperties *props,
			 const char *name, QID dev, struct QAicProgramGroup **out)
{
	struct QAicProgramGroup *g = calloc(1, sizeof(*g));
	QStatus st;

	if (!g)
		return QS_NOMEM;
	pthread_mutex_init(&g->lock, NULL);
	g->ctx = ctx;
	rt_ref(&ctx->obj);
	g->dev = dev;
	if (props)
		g->props = *props;
	else
		qaicProgramGroupPropertiesInitDefault(&g->props);
	snprintf(g->name, sizeof(g->name), "%s", name ? name : "");
	st = rt_queue_new(ctx, dev, 0, &g->queue);
	if (st == QS_SUCCESS) {
		g->queue->in_group = true;
		rt_ref(&g->queue->obj);	/* the group's own reference */
		if (rt_register(&g->obj, RT_GROUP, group_destroy))
			st = QS_NOMEM;
	}
	if (st != QS_SUCCESS) {
		if (g->queue)
			rt_queue_release(g->queue);
		g->queue = NULL;
		group_destroy(&g->obj);
		return st;
	}
	*out = g;
	return QS_SUCCESS;
}

QAIC_EXPORT QStatus qaicCreateProgramGroup(QAicContext *hctx,
					   QAicProgramGroup **group,
					   QAicQueue **queue,
					   QAicProgramGroupProperties_t *props,
					   const char *name, QID dev)
{
	struct QAicContext *ctx = RT_GET(hctx, RT_CONTEXT, struct QAicContext);
	struct QAicProgramGroup *g;
	QStatus st = QS_INVAL;

	if (ctx && group && queue && rt_ctx_has_device(ctx, dev)) {
		st = group_new(ctx, props, name, dev, &g);
		if (st == QS_SUCCESS) {
			*group = g;
			*queue = g->queue;
		}
	}
	if (ctx)
		RT_PUT(ctx);
	return st;
}

static int group_add(struct QAicProgramGroup *g, struct QAicProgram *pg)
{
	if (g->nprog == g->capprog) {
		uint32_t cap = g->capprog ? 2 * g->capprog : 4;
		struct QAicProgram **n = realloc(g->progs, cap * sizeof(*n));

		if (!n)
			return -1;
		g->progs = n;
		g->capprog = cap;
	}
	g->progs[g->nprog++] = pg;
	rt_ref(&pg->obj);
	return 0;
}

QAIC_EXPORT QStatus qaicProgramGroupAddProgram(QAicProgramGroup *hg,
					       QAicQpcObj *hqpc,
					       QAicProgram **program,
					       QAicProgramProperties_t *props)
{
	struct QAicProgramGroup *g = RT_GET(hg, RT_GROUP, struct QAicProgramGroup);
	struct QAicQpcObj *q = RT_GET(hqpc, RT_QPC, struct QAicQpcObj);
	struct QAicProgram *pg = NULL;
	QStatus st = QS_INVAL;

	if (!g || !q || !program)
		goto out;
	pthread_mutex_lock(&g->lock);
	st = rt_program_new(g->ctx, q, props, g->dev, NULL, &pg);
	if (st == QS_SUCCESS) {
		pg->group = g;
		if (group_add(g, pg))
			st = QS_NOMEM;
		else if (g->enabled)
			st = rt_program_activate(pg);
		if (st == QS_SUCCESS)
			*program = pg;
		else if (g->nprog && g->progs[g->nprog - 1] == pg)
			RT_PUT(g->progs[--g->nprog]);
		if (st != QS_SUCCESS)
			rt_program_retire(pg);
	}
	pthread_mutex_unlock(&g->lock);
out:
	if (q)
		RT_PUT(q);
	if (g)
		RT_PUT(g);
	return st;
}

QAIC_EXPORT QStatus qaicProgramGroupEnable(QAicProgramGroup *hg)
{
	struct QAicProgramGroup *g = RT_GET(hg, RT_GROUP, struct QAicProgramGroup);
	QStatus st = QS_SUCCESS;
	uint32_t i;

	if (!g)
		return QS_INVAL;
	pthread_mutex_lock(&g->lock);
	for (i = 0; i < g->nprog && st == QS_SUCCESS; i++)
		st = rt_program_activate(g->progs[i]);
	if (st == QS_SUCCESS)
		g->enabled = true;
	else
		while (i--)
			rt_program_deactivate(g->progs[i]);
	pthread_mutex_unlock(&g->lock);
	RT_PUT(g);
	return st;
}

QAIC_EXPORT QStatus qaicProgramGroupDisable(QAicProgramGroup *hg,
					    bool waitForIdle, uint32_t timeoutUs)
{
	struct QAicProgramGroup *g = RT_GET(hg, RT_GROUP, struct QAicProgramGroup);
	uint64_t deadline = timeoutUs ? rt_now() + timeoutUs * 1000ull : 0;
	QStatus st = QS_SUCCESS;
	uint32_t i;

	if (!g)
		return QS_INVAL;
	pthread_mutex_lock(&g->lock);
	for (i = 0; waitForIdle && i < g->nprog && st == QS_SUCCESS; i++)
		if (!rt_program_wait_idle(g->progs[i], deadline))
			st = QS_TIMEDOUT;
	for (i = 0; st == QS_SUCCESS && i < g->nprog; i++) {
		QStatus s = rt_program_deactivate(g->progs[i]);

		if (s != QS_SUCCESS)
			st = s;
	}
	if (st != QS_TIMEDOUT)
		g->enabled = false;
	pthread_mutex_unlock(&g->lock);
	RT_PUT(g);
	return st;
}

/*
 * Lets the group's queue finish what it holds, then retires the queue, the
 * programs and the group.  Programs are deactivated when their last exec
 * object goes, as after qaicReleaseProgram.  Not from an event callback of
 * the group's queue (its queue would then stay, as qaicReleaseQueue
 * refuses that with QS_BUSY).
 */
QAIC_EXPORT QStatus qaicReleaseProgramGroup(QAicProgramGroup *hg)
{
	struct QAicProgramGroup *g = RT_GET(hg, RT_GROUP, struct QAicProgramGroup);

	if (!g)
		return QS_INVAL;
	if (!rt_unregister(&g->obj)) {
		RT_PUT(g);
		return QS_INVAL;
	}
	pthread_mutex_lock(&g->lock);
	if (g->queue) {
		rt_queue_release(g->queue);	/* consumes the group's reference */
		g->queue = NULL;
	}
	for (uint32_t i = 0; i < g->nprog; i++)
		rt_program_retire(g->progs[i]);
	pthread_mutex_unlock(&g->lock);
	RT_PUT(g);
	RT_PUT(g);
	return QS_SUCCESS;
}
