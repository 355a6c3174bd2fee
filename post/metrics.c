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
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
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
		/* inferences of this shape ahead of us, plus us (docs/CONTRACTS.md §2.4) */
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

/* ---- waiting and working ----------------------------------------------- */

/*
 * Each inference's round trip, from the enqueue entry to the completion
 * the application saw, is cut at seven boundaries into the parts of enum
 * qp_part (docs/MATCHING.md, "Waiting and working"):
 *
 *   t0 ─enqueue─ B1 ─runtime wait─ W ─runtime work─ X ─submit─ D
 *      ─device wait─ S ─device work─ E ─completion─ done
 *
 *   t0  enqueue entry;
 *   B1  the enq/preProc boundary (the enqueue's return, or the EXECUTE
 *       entry when a worker submitted before the call returned);
 *   W   a runtime worker starts on the inference: with the runtime's dump
 *       merged, X - (its preProcTimeUs + submitTimeUs), the worker's own
 *       timing of its work; otherwise estimated as the moment the
 *       submitting thread let go of its previous inference (that one's
 *       completion, else its WAIT return, else its EXECUTE return, the
 *       latest not after X), and not before B1;
 *   X   entry of the successful EXECUTE ioctl;
 *   D   the doorbell.  The kernel stamps it submit_latency_us after its
 *       own entry, inside the ioctl; the trace bounds it from below by
 *       X + exectoVc and from above by the ioctl's return, by the WAIT
 *       return minus execToComplete (the IRQ came execToComplete after the
 *       doorbell) and by the time the device was done with the inference
 *       (its WAIT return, or the next inference's on the DBC less that
 *       one's devExec: link_done_by) minus devExec.  D is the middle of
 *       that interval: on a card the interval is a microsecond or two
 *       wide;
 *   S   the device starts: at D, or when it finished the previous
 *       inference on the same DBC (requests of a DBC run in order: the
 *       doorbells' order, or where two doorbell intervals overlap, the
 *       order of their WAIT returns), whichever is later;
 *   E   the device is done: S + devExec when the dump gives devExec;
 *       otherwise the kernel's completion, D + execToComplete (without
 *       perf stats: the WAIT return).  E never passes the time the device
 *       was done by (above), and S moves earlier to keep devExec inside
 *       [D, E] if needed;
 *   done the completion the application saw (kernel-only: WAIT return).
 */

static const struct {
	const char *name, *label;
	bool wait;
} part_names[QP_PART__COUNT] = {
	[QP_PART_ENQUEUE] = { "enqueue", "enqueue call", false },
	[QP_PART_RUNTIME_WAIT] = { "runtime_wait", "waiting for a runtime worker", true },
	[QP_PART_RUNTIME_WORK] = { "runtime_work", "runtime pre-processing", false },
	[QP_PART_SUBMIT] = { "submit", "kernel submit", false },
	[QP_PART_DEVICE_WAIT] = { "device_wait", "waiting on the device", true },
	[QP_PART_DEVICE_WORK] = { "device_work", "device execution", false },
	[QP_PART_COMPLETION] = { "completion", "completion path", false },
};

const char *qp_part_name(enum qp_part p)
{
	return p < QP_PART__COUNT ? part_names[p].name : "?";
}

const char *qp_part_label(enum qp_part p)
{
	return p < QP_PART__COUNT ? part_names[p].label : "?";
}

bool qp_part_is_wait(enum qp_part p)
{
	return p < QP_PART__COUNT && part_names[p].wait;
}

static uint64_t clamp64(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Absolute time of an ahead[] offset, 0 when unknown. */
static uint64_t ahead_time(const struct qp_inference *i, uint32_t off)
{
	return off == QP_T_NONE ? 0 : i->t0 + off;
}

static uint32_t ahead_offset(const struct qp_inference *i, uint64_t t)
{
	if (!t)
		return QP_T_NONE;
	if (t <= i->t0)
		return 0;
	return t - i->t0 >= QP_T_NONE ? QP_T_NONE - 1 : (uint32_t)(t - i->t0);
}

static const struct qp_ahead *ahead_of(const struct qp_model *m,
				       const struct qp_inference *i)
{
	if (!m || !m->ahead || i < m->inf || i >= m->inf + m->ninf)
		return NULL;
	return &m->ahead[i - m->inf];
}

static const struct qp_dev_times *dev_side(const struct qp_model *m,
					   const struct qp_inference *i)
{
	if (!m || !m->dev || i < m->inf || i >= m->inf + m->ninf)
		return NULL;
	return &m->dev[i - m->inf];
}

/* devExec of inference i in ns, 0 when the dump does not give it. */
static uint64_t dev_exec_ns(const struct qp_model *m,
			    const struct qp_inference *i)
{
	const struct qp_dev_times *dv = dev_side(m, i);

	if (!dv || !(i->flags & QP_F_HAS_DEV) || dv->exec_us < 0)
		return 0;
	return (uint64_t)llround(dv->exec_us * 1000.0);
}

/*
 * The EXECUTE whose doorbell starts the device part: the inference's own,
 * or for an inference over several devices the straggler's (the device
 * that completed last: its request is the one the device parts and the
 * record's perf stats describe; docs/MATCHING.md, "Programs over several
 * devices").  x, xe: its entry and return; we: its WAIT's return.
 */
static bool doorbell_execute(const struct qp_model *m,
			     const struct qp_inference *i, uint64_t *x,
			     uint64_t *xe, uint64_t *we)
{
	const struct qp_dev_span *s = NULL;

	if (m && m->nspans && i >= m->inf && i < m->inf + m->ninf)
		s = qp_model_straggler(m, (size_t)(i - m->inf));
	if (s && s->exec_begin != QP_T_NONE && s->exec_end != QP_T_NONE) {
		*x = i->t0 + s->exec_begin;
		*xe = i->t0 + s->exec_end;
		*we = s->wait_end == QP_T_NONE ? qp_inf_time(i, QP_T_WAIT_END) :
		      i->t0 + s->wait_end;
	} else {
		*x = qp_inf_time(i, QP_T_EXEC_BEGIN);
		*xe = qp_inf_time(i, QP_T_EXEC_END);
		*we = qp_inf_time(i, QP_T_WAIT_END);
	}
	return *x && *xe && *xe >= *x;
}

/*
 * D's bounds [lo, hi] (see above); false without an EXECUTE.  Without
 * perf stats the whole ioctl.  With devExec, also no later than the
 * device's done_by (qp_model_link) less devExec.
 */
static bool doorbell_bounds(const struct qp_model *m,
			    const struct qp_inference *i, uint64_t *lo,
			    uint64_t *hi)
{
	const struct qp_ahead *a;
	uint64_t x, xe, we, by, len;

	if (!doorbell_execute(m, i, &x, &xe, &we))
		return false;
	*lo = x;
	*hi = xe;
	if (i->flags & QP_F_HAS_PERF) {
		uint64_t irq_lo = (uint64_t)i->device_latency_us * 1000;

		*lo = x + (uint64_t)i->submit_latency_us * 1000;
		if (we && we >= irq_lo && we - irq_lo < *hi)
			*hi = we - irq_lo;
	}
	/* the device ran devExec after the doorbell and was done by done_by */
	a = ahead_of(m, i);
	by = a ? ahead_time(i, a->device_done_by) : 0;
	len = dev_exec_ns(m, i);
	if (len && by > len && by - len >= *lo && by - len < *hi)
		*hi = by - len;
	return true;
}

bool qp_doorbell_uncertainty(const struct qp_model *m,
			     const struct qp_inference *i, double *us)
{
	uint64_t lo, hi;

	if (!doorbell_bounds(m, i, &lo, &hi))
		return false;
	*us = hi > lo ? (double)(hi - lo) / 2000.0 : 0;
	return true;
}

/*
 * D: the doorbell, between what the trace proves (see above): where its
 * busy run placed it (a run's head: anchor_busy_runs; a queued one with a
 * wide interval: place_queued), else the middle.
 */
static uint64_t doorbell(const struct qp_model *m, const struct qp_inference *i)
{
	const struct qp_ahead *a = ahead_of(m, i);
	uint64_t lo, hi, x, xe, we;

	if (a && a->doorbell != QP_T_NONE)
		return ahead_time(i, a->doorbell);
	if (!doorbell_bounds(m, i, &lo, &hi))
		return 0;
	if (hi < lo) {		/* inconsistent bounds: trust the ioctl */
		doorbell_execute(m, i, &x, &xe, &we);
		return clamp64(lo, x, xe);
	}
	return lo + (hi - lo) / 2;
}

struct device_span {
	uint64_t d, s, e;	/* doorbell, device start, device done */
	unsigned how;
};

/*
 * D, S and E of inference i, given when its device finished the previous
 * inference on its DBC (free, 0 = unknown) and by when it was done with i
 * (done_by, 0 = unknown: the WAIT return).  false without an EXECUTE and
 * a WAIT return.
 */
static bool device_span(const struct qp_model *m, const struct qp_inference *i,
			uint64_t free, uint64_t done_by, struct device_span *o)
{
	const struct qp_dev_times *dv = dev_side(m, i);
	uint64_t cap = qp_inf_time(i, QP_T_WAIT_END);

	o->how = 0;
	o->d = doorbell(m, i);
	if (!o->d || !cap || cap < o->d)
		return false;
	if (done_by && done_by >= o->d && done_by < cap)
		cap = done_by;
	if (i->flags & QP_F_HAS_PERF)
		o->how |= QP_SPLIT_KERNEL;
	if (dv && (i->flags & QP_F_HAS_DEV) && dv->exec_us >= 0) {
		uint64_t len = (uint64_t)llround(dv->exec_us * 1000.0);

		o->s = free > o->d ? free : o->d;
		/* devExec must fit before the WAIT return: start earlier */
		if (o->s + len > cap)
			o->s = cap >= len && cap - len > o->d ? cap - len : o->d;
		o->e = o->s + len < cap ? o->s + len : cap;
		o->how |= QP_SPLIT_DEV_MEASURED;
	} else {
		o->e = cap;
		if (i->flags & QP_F_HAS_PERF)
			o->e = clamp64(o->d + (uint64_t)i->device_latency_us * 1000,
				       o->d, cap);
		o->s = clamp64(free, o->d, o->e);
	}
	if (o->s > o->d)
		o->how |= QP_SPLIT_QUEUED;
	return true;
}

/* W: a runtime worker starts on the inference (see above). */
static uint64_t worker_start(const struct qp_model *m,
			     const struct qp_inference *i, uint64_t b1,
			     uint64_t x, unsigned *how)
{
	const struct qp_dev_times *dv = dev_side(m, i);
	const struct qp_ahead *a = ahead_of(m, i);

	if (dv && (i->flags & QP_F_HAS_RT)) {
		uint64_t work = (uint64_t)llround((dv->rt_pre_us +
						   dv->rt_submit_us) * 1000.0);

		*how |= QP_SPLIT_RT_MEASURED;
		return x - b1 > work ? x - work : b1;
	}
	return a ? clamp64(ahead_time(i, a->worker_free), b1, x) : b1;
}

bool qp_part_split(const struct qp_model *m, const struct qp_inference *i,
		   double us[QP_PART__COUNT], unsigned *how)
{
	const struct qp_ahead *a = ahead_of(m, i);
	uint64_t b[QP_PART__COUNT + 1];
	struct device_span ds;
	unsigned h = 0;
	int k;

	if (!device_span(m, i, a ? ahead_time(i, a->device_free) : 0,
			 a ? ahead_time(i, a->device_done_by) : 0, &ds))
		return false;
	h = ds.how;
	b[QP_PART_SUBMIT] = qp_inf_time(i, QP_T_EXEC_BEGIN);
	b[QP_PART_DEVICE_WAIT] = ds.d;
	b[QP_PART_DEVICE_WORK] = ds.s;
	b[QP_PART_COMPLETION] = ds.e;
	if (i->done_kind == QP_DONE_KERNEL || !(i->flags & QP_F_HAS_ENQ)) {
		/* kernel-only: only the kernel-visible parts exist */
		return false;
	}
	b[QP_PART_ENQUEUE] = i->t0;
	b[QP_PART_RUNTIME_WAIT] = boundary(i, QP_T_ENQ_END);
	b[QP_PART__COUNT] = qp_inf_time(i, QP_T_DONE);
	if (!b[QP_PART_RUNTIME_WAIT] || !b[QP_PART__COUNT] ||
	    b[QP_PART_RUNTIME_WAIT] > b[QP_PART_SUBMIT] ||
	    b[QP_PART__COUNT] < b[QP_PART_COMPLETION])
		return false;
	b[QP_PART_RUNTIME_WORK] = worker_start(m, i, b[QP_PART_RUNTIME_WAIT],
					       b[QP_PART_SUBMIT], &h);
	for (k = 0; k < QP_PART__COUNT; k++)
		us[k] = (double)(b[k + 1] - b[k]) / 1000.0;
	if (how)
		*how = h;
	return true;
}

/* ---- qp_model_link: what earlier inferences imply ------------------------ */

/* Sort idx[0..n) by key[idx] ascending: insertion sort, the input is
 * nearly sorted (workers racing by a few places); qsort past a budget. */
static const uint64_t *sort_keys;

static int cmp_by_key(const void *a, const void *b)
{
	uint64_t x = sort_keys[*(const uint32_t *)a];
	uint64_t y = sort_keys[*(const uint32_t *)b];

	return (x > y) - (x < y);
}

static void sort_nearly(uint32_t *idx, size_t n, const uint64_t *key)
{
	size_t k, j, moves = 0;

	for (k = 1; k < n; k++) {
		uint32_t v = idx[k];

		for (j = k; j > 0 && key[idx[j - 1]] > key[v]; j--) {
			idx[j] = idx[j - 1];
			if (++moves > 64 * n) {
				idx[j] = v;
				sort_keys = key;
				qsort(idx, n, sizeof(*idx), cmp_by_key);
				return;
			}
		}
		idx[j] = v;
	}
}

/*
 * Group inferences (those with key[k] != 0) by group[k] < ngroups, each
 * group in key order: order[] holds them group after group, first[g] ..
 * first[g + 1] delimits group g.
 */
static int group_sorted(const struct qp_model *m, const uint32_t *group,
			size_t ngroups, const uint64_t *key, uint32_t **order,
			size_t **first)
{
	size_t k, g, *f = calloc(ngroups + 2, sizeof(*f));
	uint32_t *o = malloc((m->ninf ? m->ninf : 1) * sizeof(*o));

	if (!f || !o) {
		free(f);
		free(o);
		return -1;
	}
	for (k = 0; k < m->ninf; k++)
		if (key[k])
			f[group[k] + 2]++;
	for (g = 2; g < ngroups + 2; g++)
		f[g] += f[g - 1];
	for (k = 0; k < m->ninf; k++)
		if (key[k])
			o[f[group[k] + 1]++] = (uint32_t)k;
	for (g = 0; g < ngroups; g++)
		sort_nearly(o + f[g], f[g + 1] - f[g], key);
	*order = o;
	*first = f;
	return 0;
}

/*
 * By when the device was done with each inference of one DBC (order[0..n)
 * in doorbell order), from the last to the first: its WAIT return, or the
 * kernel's completion (the doorbell's upper bound + execToComplete) when
 * earlier, or earlier still when the next inference surely ran after it:
 * the device runs a DBC's requests in order, so it was done with ours when
 * it started that one, no later than that one's done_by less its devExec.
 * Surely after: its doorbell interval lies wholly after ours, or ours was
 * done before that one could have been, had it run first (its doorbell's
 * lower bound + both devExecs): the startup of a busy device, where
 * several workers' EXECUTEs overlap.  Over a busy device's queue this
 * carries the tightest bound back to the inferences queued before it,
 * whose own WAIT returned late (the thread woke late).
 */
static void link_done_by(struct qp_model *m, const uint32_t *order, size_t n)
{
	uint64_t later_lo = 0, later_start_by = 0, later_len = 0, lo, hi;
	size_t k;

	for (k = n; k-- > 0;) {
		const struct qp_inference *i = &m->inf[order[k]];
		uint64_t by = qp_inf_time(i, QP_T_WAIT_END);
		uint64_t len = dev_exec_ns(m, i);
		bool bounds = doorbell_bounds(m, i, &lo, &hi), after;

		/* the kernel saw it complete execToComplete (integer µs) after
		 * the doorbell, itself no later than hi */
		if (bounds && by && (i->flags & QP_F_HAS_PERF) &&
		    hi + ((uint64_t)i->device_latency_us + 1) * 1000 < by)
			by = hi + ((uint64_t)i->device_latency_us + 1) * 1000;
		after = hi < later_lo ||
			(len && later_len && by < later_lo + later_len + len);
		if (bounds && by && later_start_by && after &&
		    later_start_by < by && later_start_by >= lo)
			by = later_start_by;
		m->ahead[order[k]].device_done_by = by ? ahead_offset(i, by) :
							 QP_T_NONE;
		later_start_by = 0;
		if (bounds && by) {
			later_lo = lo;
			later_len = len;
			later_start_by = by > len ? by - len : 0;
		}
	}
}

/*
 * True when inference b rang before a although the middle of a's doorbell
 * interval comes first: their intervals overlap (either may have rung
 * first) and b's WAIT returned first.  A DBC completes its requests in
 * order, and on a busy device the WAIT returns are a devExec apart, far
 * more than the middles' error (half an ioctl's hand-offs in the
 * simulator); were they close, the order would matter little.
 */
static bool rang_before(const struct qp_model *m, uint32_t a, uint32_t b)
{
	uint64_t alo, ahi, blo, bhi, aw, bw;

	if (!doorbell_bounds(m, &m->inf[a], &alo, &ahi) ||
	    !doorbell_bounds(m, &m->inf[b], &blo, &bhi) ||
	    ahi < blo || bhi < alo)
		return false;
	aw = qp_inf_time(&m->inf[a], QP_T_WAIT_END);
	bw = qp_inf_time(&m->inf[b], QP_T_WAIT_END);
	return aw && bw && bw < aw;
}

/* Reorder one DBC's chain (in doorbell order) by rang_before. */
static void order_by_completion(const struct qp_model *m, uint32_t *o,
				size_t n)
{
	size_t k, j, moves;

	for (k = 1; k < n; k++)
		for (j = k, moves = 0; j > 0 && moves < 64 &&
		     rang_before(m, o[j - 1], o[j]); j--, moves++) {
			uint32_t t = o[j - 1];

			o[j - 1] = o[j];
			o[j] = t;
		}
}

/* device_free of one DBC's chain o[0..n) in doorbell order: each
 * inference's device starts no earlier than the one before it ended.
 * Returns how many waited for the one before (queued). */
static size_t chain_forward(struct qp_model *m, const uint32_t *o, size_t n)
{
	uint64_t prev_end = 0;
	size_t k, queued = 0;

	for (k = 0; k < n; k++) {
		const struct qp_inference *i = &m->inf[o[k]];
		struct device_span ds;

		m->ahead[o[k]].device_free = ahead_offset(i, prev_end);
		if (device_span(m, i, prev_end,
				ahead_time(i, m->ahead[o[k]].device_done_by), &ds)) {
			prev_end = ds.e;
			queued += !!(ds.how & QP_SPLIT_QUEUED);
		}
	}
	return queued;
}

#define NO_GAP INT64_MIN

/*
 * The device's end to the kernel's completion with nothing queued: the
 * least execToComplete - devExec of the chain o[0..n) (at an inference
 * the device started at its doorbell the difference is exactly that; in
 * the simulator 2 us, on a card the interrupt's and DMA's latency).
 * NO_GAP without perf stats and devExec, or where the two contradict
 * (execToComplete, integer us, short of devExec by a microsecond or more:
 * the dump is not this trace's).
 */
static int64_t completion_gap(const struct qp_model *m, const uint32_t *o,
			      size_t n)
{
	int64_t gap = NO_GAP;
	size_t k;

	for (k = 0; k < n; k++) {
		const struct qp_inference *i = &m->inf[o[k]];
		uint64_t len = dev_exec_ns(m, i);
		int64_t g;

		if (!len || !(i->flags & QP_F_HAS_PERF))
			continue;
		g = (int64_t)i->device_latency_us * 1000 - (int64_t)len;
		if (g <= -1000)
			return NO_GAP;
		if (gap == NO_GAP || g < gap)
			gap = g;
	}
	return gap;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* A signed estimate clamped to [lo, hi] (hi >= lo). */
static uint64_t clamp_at(int64_t at, uint64_t lo, uint64_t hi)
{
	return at < 0 ? lo : clamp64((uint64_t)at, lo, hi);
}

/* Put the doorbell of head h of a busy run at the median of d[0..nd),
 * within its interval. */
static void anchor_run(struct qp_model *m, uint32_t h, int64_t *d, size_t nd)
{
	const struct qp_inference *i = &m->inf[h];
	uint64_t lo, hi;
	int64_t at;

	if (!doorbell_bounds(m, i, &lo, &hi) || hi < lo)
		return;
	qsort(d, nd, sizeof(*d), cmp_i64);
	at = nd % 2 ? d[nd / 2] : d[nd / 2 - 1] / 2 + d[nd / 2] / 2;
	m->ahead[h].doorbell = ahead_offset(i, clamp_at(at, lo, hi));
}

/* The width of i's doorbell interval, UINT64_MAX when unknown. */
static uint64_t doorbell_width(const struct qp_model *m,
			       const struct qp_inference *i)
{
	uint64_t lo, hi;

	if (!doorbell_bounds(m, i, &lo, &hi) || hi < lo)
		return UINT64_MAX;
	return hi - lo;
}

enum run_role { RUN_NONE, RUN_HEAD, RUN_QUEUED };

/*
 * Inference o[k]'s part in a busy run, with its device span: the head (it
 * found the device idle) or queued behind the one before; RUN_NONE
 * without perf stats or devExec.
 */
static enum run_role run_role(const struct qp_model *m, const uint32_t *o,
			      size_t k, struct device_span *ds)
{
	const struct qp_inference *i = &m->inf[o[k]];

	if (!dev_exec_ns(m, i) || !(i->flags & QP_F_HAS_PERF) ||
	    !device_span(m, i, ahead_time(i, m->ahead[o[k]].device_free),
			 ahead_time(i, m->ahead[o[k]].device_done_by), ds))
		return RUN_NONE;
	return ds->how & QP_SPLIT_QUEUED ? RUN_QUEUED : RUN_HEAD;
}

/* The next busy run at or after *k: o[*h] its head, o[*h + 1..*k) queued
 * behind it.  false when there is none. */
static bool next_run(const struct qp_model *m, const uint32_t *o, size_t n,
		     size_t *h, size_t *k)
{
	struct device_span ds;

	for (; *k < n; ++*k)
		if (run_role(m, o, *k, &ds) == RUN_HEAD)
			break;
	if (*k >= n)
		return false;
	*h = *k;
	for (++*k; *k < n && run_role(m, o, *k, &ds) == RUN_QUEUED; ++*k)
		;
	return true;
}

/*
 * Where the queued inferences o[h + 1..end) of a busy run say its head
 * rang: each whose own doorbell is better known than the head's (a
 * narrower interval), the first ANCHOR_WITNESSES of them (a devExec a
 * little off, the device's clock, adds up along a long run): the kernel
 * completed k execToComplete after its doorbell D_k, the device had
 * ended k the gap (completion_gap) before that, and had started the
 * head the run's devExecs up to k before that:
 * D_k + execToComplete_k - gap - (devExec_head + ... + devExec_k).
 * Into d; returns how many.
 */
#define ANCHOR_WITNESSES 64

static size_t run_witnesses(const struct qp_model *m, const uint32_t *o,
			    size_t h, size_t end, int64_t gap, int64_t *d)
{
	uint64_t head_width = doorbell_width(m, &m->inf[o[h]]);
	uint64_t run = dev_exec_ns(m, &m->inf[o[h]]);
	size_t k, nd = 0;

	for (k = h + 1; k < end && nd < ANCHOR_WITNESSES; k++) {
		const struct qp_inference *i = &m->inf[o[k]];
		uint64_t lo, hi;

		run += dev_exec_ns(m, i);
		if (doorbell_bounds(m, i, &lo, &hi) && hi >= lo &&
		    hi - lo < head_width)
			d[nd++] = (int64_t)doorbell(m, i) - (int64_t)run - gap +
				  (int64_t)i->device_latency_us * 1000;
	}
	return nd;
}

/*
 * Over a busy run every device start and end follows from the head's
 * doorbell and the devExecs, so the head's doorbell, the middle of its own
 * interval, anchors them all; at a run's startup that interval is wide
 * (several workers' first EXECUTEs).  The median of what the run's
 * witnesses say (run_witnesses) places it, within what the trace proves
 * of it.  d: n scratch slots.  Returns whether a doorbell moved.
 */
static bool anchor_busy_runs(struct qp_model *m, const uint32_t *o, size_t n,
			     int64_t gap, int64_t *d)
{
	size_t h, k = 0, nd;
	bool moved = false;

	while (next_run(m, o, n, &h, &k)) {
		nd = run_witnesses(m, o, h, k, gap, d);
		if (nd) {
			anchor_run(m, o[h], d, nd);
			moved = true;
		}
	}
	return moved;
}

/*
 * Once the run is anchored, a queued inference whose own doorbell interval
 * is wide (a caller preempted inside the EXECUTE) is better placed by the
 * run: the device ended it at E_k, the kernel completed it gap later,
 * execToComplete after its doorbell.  "Wide": half the interval beyond
 * twice the spread (interquartile range) of the witnesses against the
 * anchored run, plus the microsecond execToComplete is truncated to.
 */
static void place_queued(struct qp_model *m, const uint32_t *o, size_t n,
			 int64_t gap, int64_t *d)
{
	size_t h, k = 0, j, nd;

	while (next_run(m, o, n, &h, &k)) {
		int64_t spread;

		nd = run_witnesses(m, o, h, k, gap, d);
		if (nd < 4)
			continue;
		qsort(d, nd, sizeof(*d), cmp_i64);
		spread = d[3 * nd / 4] - d[nd / 4];
		for (j = h + 1; j < k; j++) {
			const struct qp_inference *i = &m->inf[o[j]];
			struct device_span ds;
			uint64_t lo, hi;
			int64_t at;

			if (run_role(m, o, j, &ds) != RUN_QUEUED ||
			    !doorbell_bounds(m, i, &lo, &hi) || hi < lo ||
			    (int64_t)(hi - lo) / 2 <= 2 * spread + 1000)
				continue;
			at = (int64_t)ds.e + gap -
			     (int64_t)i->device_latency_us * 1000;
			hi = clamp64(ds.s, lo, hi);	/* not after it started */
			m->ahead[o[j]].doorbell = ahead_offset(i, clamp_at(at, lo, hi));
		}
	}
}

/*
 * The device chain: per program (one DBC at a time), in doorbell order.
 * key and group: ninf slots each; key is the runs' scratch once sorted.
 */
static int link_devices(struct qp_model *m, uint64_t *key, uint32_t *group)
{
	uint32_t *order;
	size_t *first, g;

	for (g = 0; g < m->ninf; g++) {
		const struct qp_inference *i = &m->inf[g];

		key[g] = i->program < m->nprograms ? doorbell(m, i) : 0;
		group[g] = key[g] ? i->program : 0;
	}
	if (group_sorted(m, group, m->nprograms, key, &order, &first))
		return -1;
	for (g = 0; g < m->nprograms; g++) {
		uint32_t *o = order + first[g];
		size_t n = first[g + 1] - first[g];
		int64_t gap;

		order_by_completion(m, o, n);
		link_done_by(m, o, n);
		if (!chain_forward(m, o, n))
			continue;	/* no busy run */
		gap = completion_gap(m, o, n);
		if (gap == NO_GAP)
			continue;
		if (anchor_busy_runs(m, o, n, gap, (int64_t *)key))
			chain_forward(m, o, n);
		place_queued(m, o, n, gap, (int64_t *)key);
	}
	free(order);
	free(first);
	return 0;
}

/*
 * When the submitting thread let go of inference p, as seen from x (the
 * next EXECUTE entry on that thread): p's completion, else its WAIT
 * return, else its EXECUTE return, the latest not after x.
 */
static uint64_t released(const struct qp_inference *p, uint64_t x)
{
	static const enum qp_time order[] = {
		QP_T_DONE, QP_T_WAIT_END, QP_T_EXEC_END,
	};
	size_t k;

	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		uint64_t t = qp_inf_time(p, order[k]);

		if (t && t <= x)
			return t;
	}
	return 0;
}

/*
 * The dense number of thread (process, tid) in h, numbering new ones in
 * order of appearance (*n of them so far); -1 when out of memory.
 */
static int64_t thread_number(struct qp_hmap *h, uint32_t process,
			     int32_t tid, size_t *n)
{
	uint32_t v = qp_hmap_get(h, process, (uint32_t)tid);

	if (v != QP_HMAP_NIL)
		return v;
	if (qp_hmap_put(h, process, (uint32_t)tid, (uint32_t)*n))
		return -1;
	return (int64_t)(*n)++;
}

/* The worker chain: per submitting thread, in EXECUTE order. */
static int link_workers(struct qp_model *m, uint64_t *key, uint32_t *group)
{
	struct qp_hmap tm = { 0 };
	uint32_t *order = NULL;
	size_t *first = NULL, k, g, nthreads = 0;
	int rc = -1;

	for (k = 0; k < m->ninf; k++) {
		const struct qp_inference *i = &m->inf[k];
		int64_t t = 0;

		key[k] = i->submit_tid ? qp_inf_time(i, QP_T_EXEC_BEGIN) : 0;
		if (key[k]) {
			t = thread_number(&tm, i->process, i->submit_tid,
					  &nthreads);
			if (t < 0)
				goto out;
		}
		group[k] = (uint32_t)t;
	}
	if (group_sorted(m, group, nthreads, key, &order, &first))
		goto out;
	for (g = 0; g < nthreads; g++)
		for (k = first[g]; k < first[g + 1]; k++) {
			const struct qp_inference *i = &m->inf[order[k]];

			m->ahead[order[k]].worker_free = k == first[g] ? QP_T_NONE :
				ahead_offset(i, released(&m->inf[order[k - 1]],
							 key[order[k]]));
		}
	rc = 0;
out:
	free(order);
	free(first);
	qp_hmap_free(&tm);
	return rc;
}

int qp_model_link(struct qp_model *m)
{
	uint64_t *key = malloc((m->ninf ? m->ninf : 1) * sizeof(*key));
	uint32_t *group = malloc((m->ninf ? m->ninf : 1) * sizeof(*group));
	int rc = -1;

	free(m->ahead);
	m->ahead = malloc((m->ninf ? m->ninf : 1) * sizeof(*m->ahead));
	if (!key || !group || !m->ahead)
		goto out;
	memset(m->ahead, 0xff, m->ninf * sizeof(*m->ahead));
	if (link_workers(m, key, group) || link_devices(m, key, group))
		goto out;
	rc = 0;
out:
	if (rc) {
		free(m->ahead);
		m->ahead = NULL;
	}
	free(key);
	free(group);
	return rc;
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
	for (k = 0; k < m->ndevices; k++)
		free(m->devices[k].path);
	free(m->devices);
	free(m->spans);
	free(m->inf);
	free(m->dev);
	free(m->ahead);
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
