// SPDX-License-Identifier: MIT
/*
 * The one place where every qprof metric is defined.
 *
 * qprof times an inference at the boundaries it can observe (API calls,
 * ioctls).  Its phases tile the round trip exactly:
 *
 *   enq + preProc + execTotal + postProc == totalRoundtripTime
 *
 * and each contains the runtime's internal phase of the same name plus the
 * thread hand-offs next to it (docs/ARCHITECTURE.md, "Two views of one
 * inference").  Kernel columns are the PERF_STATS_BO integers, exactly as
 * the runtime reads them.
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"

static const struct {
	const char *column;	/* runtime latency file */
	const char *label;	/* latency_stats_python3.py */
	bool time;
} metric_names[QP_M__COUNT] = {
	[QP_M_DEV_INF_PER_SEC] = { "devInfPerSec", "devInfPerSec", false },
	[QP_M_DEV_EXEC] = { "devExecUs", "devExec", true },
	[QP_M_DEV_IN_WAIT] = { "devInWaitTimeUs", "devInWaitTime", true },
	[QP_M_DEV_OUT_WAIT] = { "devOutWaitTimeUs", "devOutWaitTime", true },
	[QP_M_HOST_ROUND_TRIP] = { "hostRoundTripUs", "hostRoundTrip", true },
	[QP_M_ENQ] = { "enqTimeUs", "enqTime", true },
	[QP_M_PRE_PROC] = { "preProcTimeUs", "preProcTime", true },
	[QP_M_SUBMIT] = { "submitTimeUs", "submitTime", true },
	[QP_M_EXEC_TOTAL] = { "execTotalUs", "execTotal", true },
	[QP_M_EXEC_TO_VC] = { "exectoVcUs", "exectoVc", true },
	[QP_M_EXEC_TO_COMPLETE] = { "execToCompleteUs", "execToComplete", true },
	[QP_M_POST_PROC] = { "postProcUs", "postProc", true },
	[QP_M_TOTAL_ROUND_TRIP] = { "totalRoundtripTimeUs", "totalRoundtripTime", true },
	[QP_M_QUEUE_DEPTH] = { "queueDepth", "queueDepth", false },
	[QP_M_NUM_INF_IN_QUEUE] = { "numInfInQueue", "numInfInQueue", false },
};

const char *qp_metric_column(enum qp_metric m)
{
	return m < QP_M__COUNT ? metric_names[m].column : "?";
}

const char *qp_metric_label(enum qp_metric m)
{
	return m < QP_M__COUNT ? metric_names[m].label : "?";
}

bool qp_metric_is_time(enum qp_metric m)
{
	return m < QP_M__COUNT && metric_names[m].time;
}

/* Interval b - a in µs, when both ends were seen and are ordered. */
static bool span_us(uint64_t a, uint64_t b, double *out)
{
	if (!a || !b || b < a)
		return false;
	*out = (double)(b - a) / 1000.0;
	return true;
}

static bool kernel_metric(const struct qp_inference *i, enum qp_metric m,
			  double *out)
{
	if (!(i->flags & QP_F_HAS_PERF))
		return false;
	switch (m) {
	case QP_M_EXEC_TO_VC:
		*out = i->submit_latency_us;
		return true;
	case QP_M_EXEC_TO_COMPLETE:
		*out = i->device_latency_us;
		return true;
	case QP_M_HOST_ROUND_TRIP:
		*out = (double)i->submit_latency_us + i->device_latency_us;
		return true;
	case QP_M_QUEUE_DEPTH:
		*out = i->queue_level_before;
		return true;
	case QP_M_NUM_INF_IN_QUEUE:
		/* inferences of this shape ahead of us, plus us (FACTS.md §2.4) */
		*out = i->queue_level_before && i->total_queue_elements ?
		       1 + i->queue_level_before / i->total_queue_elements : 1;
		return true;
	default:
		return false;
	}
}

static bool device_metric(const struct qp_model *model,
			  const struct qp_inference *i, enum qp_metric m,
			  uint32_t batch, double *out)
{
	const struct qp_dev_times *d = qp_model_dev(model, i);

	if (!d)
		return false;
	switch (m) {
	case QP_M_DEV_EXEC:
		*out = d->exec_us;
		return true;
	case QP_M_DEV_IN_WAIT:
		*out = d->in_wait_us;
		return true;
	case QP_M_DEV_OUT_WAIT:
		*out = d->out_wait_us;
		return true;
	case QP_M_DEV_INF_PER_SEC:
		/* batch x 1e6 / devExecUs, as the runtime computes it */
		if (!batch || d->exec_us <= 0)
			return false;
		*out = batch * 1e6 / d->exec_us;
		return true;
	default:
		return false;
	}
}

/*
 * Boundary t in absolute ns: t0 itself for the enqueue entry.
 *
 * The enq/preProc boundary is the earlier of the enqueue's return and the
 * EXECUTE entry.  A runtime worker may submit before the application's
 * enqueue call has returned (the application thread was preempted after
 * handing over the job); the overlap then belongs to enq, which still
 * contains the runtime's enqTime (the job is handed over inside it), and
 * the phases keep tiling the round trip.
 */
static uint64_t boundary(const struct qp_inference *i, int t)
{
	uint64_t enq_end, exec_begin;

	if (t < 0)
		return (i->flags & QP_F_HAS_ENQ) ? i->t0 : 0;
	if (t == QP_T_ENQ_END) {
		enq_end = qp_inf_time(i, QP_T_ENQ_END);
		exec_begin = qp_inf_time(i, QP_T_EXEC_BEGIN);
		return exec_begin && exec_begin < enq_end ? exec_begin : enq_end;
	}
	return qp_inf_time(i, (enum qp_time)t);
}
#define ENQ_BEGIN (-1)

bool qp_metric_value(const struct qp_model *model,
		     const struct qp_inference *i, enum qp_metric m,
		     uint32_t batch, double *out)
{
	switch (m) {
	case QP_M_ENQ:			/* enqueue call entry -> return */
		return span_us(boundary(i, ENQ_BEGIN),
			       boundary(i, QP_T_ENQ_END), out);
	case QP_M_PRE_PROC:		/* enqueue return -> EXECUTE entry */
		return span_us(boundary(i, QP_T_ENQ_END),
			       boundary(i, QP_T_EXEC_BEGIN), out);
	case QP_M_SUBMIT:		/* EXECUTE entry -> return (successful attempt) */
		return span_us(boundary(i, QP_T_EXEC_BEGIN),
			       boundary(i, QP_T_EXEC_END), out);
	case QP_M_EXEC_TOTAL:		/* EXECUTE entry -> WAIT return */
		return span_us(boundary(i, QP_T_EXEC_BEGIN),
			       boundary(i, QP_T_WAIT_END), out);
	case QP_M_POST_PROC:		/* WAIT return -> completion seen by app */
		if (i->done_kind == QP_DONE_KERNEL)
			return false;
		return span_us(boundary(i, QP_T_WAIT_END),
			       boundary(i, QP_T_DONE), out);
	case QP_M_TOTAL_ROUND_TRIP:	/* enqueue entry -> completion seen */
		return span_us(boundary(i, ENQ_BEGIN),
			       boundary(i, QP_T_DONE), out);
	case QP_M_EXEC_TO_VC:
	case QP_M_EXEC_TO_COMPLETE:
	case QP_M_HOST_ROUND_TRIP:
	case QP_M_QUEUE_DEPTH:
	case QP_M_NUM_INF_IN_QUEUE:
		return kernel_metric(i, m, out);
	case QP_M_DEV_EXEC:
	case QP_M_DEV_IN_WAIT:
	case QP_M_DEV_OUT_WAIT:
	case QP_M_DEV_INF_PER_SEC:
		return device_metric(model, i, m, batch, out);
	default:
		return false;
	}
}

struct qp_dev_times *qp_model_dev(const struct qp_model *m,
				  const struct qp_inference *inf)
{
	if (!m || !m->dev || !(inf->flags & QP_F_HAS_DEV) || inf < m->inf ||
	    inf >= m->inf + m->ninf)
		return NULL;
	return &m->dev[inf - m->inf];
}

void qp_inf_set_time(struct qp_inference *inf, enum qp_time t, uint64_t ns)
{
	if (ns < inf->t0 || ns - inf->t0 >= QP_T_NONE)
		return;
	inf->off[t] = (uint32_t)(ns - inf->t0);
}

/* ---- model storage ---------------------------------------------------- */

void qp_model_init(struct qp_model *m)
{
	memset(m, 0, sizeof(*m));
}

void qp_model_free(struct qp_model *m)
{
	size_t k;

	for (k = 0; k < m->nprocesses; k++) {
		free(m->processes[k].runtime_path);
		free(m->processes[k].rt_version);
		free(m->processes[k].shim_version);
		free(m->processes[k].settings);
	}
	for (k = 0; k < m->nprograms; k++)
		free(m->programs[k].name);
	for (k = 0; k < m->nhosts; k++)
		free(m->hosts[k]);
	for (k = 0; k < m->ncallsites; k++)
		free(m->callsites[k].symbol);
	free(m->inf);
	free(m->dev);
	free(m->processes);
	free(m->programs);
	free(m->queues);
	free(m->callsites);
	free(m->hosts);
	memset(m, 0, sizeof(*m));
}

/*
 * Grow the inference array by doubling, except that past INF_SMALL it
 * jumps to INF_BIG bytes, above glibc's largest dynamic mmap threshold
 * (32 MiB): malloc then maps it (untouched pages cost no RSS) and each
 * later doubling is an mremap, not a copy of 100+ MB through the cache
 * (docs/PERFORMANCE.md, "Report").  Transparent huge pages were tried:
 * they raised the peak RSS by ~25 bytes per inference, over the 128-byte
 * budget.
 */
#define INF_SMALL	(4ul << 20)
#define INF_BIG		(64ul << 20)

static int inf_reserve(struct qp_model *m)
{
	size_t cap = m->cap_inf ? 2 * m->cap_inf : 1024;
	size_t len;
	void *p;

	if (m->ninf < m->cap_inf)
		return 0;
	if (cap * sizeof(*m->inf) >= INF_SMALL && cap * sizeof(*m->inf) < INF_BIG)
		cap = INF_BIG / sizeof(*m->inf);
	len = cap * sizeof(*m->inf);
	if (cap < m->cap_inf || len / sizeof(*m->inf) != cap)
		return -1;
	p = realloc(m->inf, len);
	if (!p)
		return -1;
	m->inf = p;
	m->cap_inf = cap;
	return 0;
}

struct qp_inference *qp_model_add_inference(struct qp_model *m)
{
	struct qp_inference *inf;

	if (inf_reserve(m))
		return NULL;
	inf = &m->inf[m->ninf++];
	memset(inf, 0, sizeof(*inf));
	memset(inf->off, 0xff, sizeof(inf->off));
	inf->process = QP_NONE;
	inf->program = QP_NONE16;
	inf->queue = QP_NONE16;
	inf->callsite = QP_NONE;
	return inf;
}
