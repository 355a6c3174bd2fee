// SPDX-License-Identifier: MIT
/*
 * A section's figures (qp_profile_compute) and the findings they support
 * (qp_findings).  Every duration comes from metrics.c (qp_metric_value,
 * qp_part_split); this file only aggregates and judges.  Rules and
 * thresholds are documented in docs/REPORT.md, "Findings".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devdump.h"
#include "findings.h"
#include "hashmap.h"
#include "stats.h"

/* ---- thresholds (docs/REPORT.md, "Findings") ------------------------------ */

/* The device is busy at least this share of the run: latency is queueing. */
#define DEVICE_BOUND_UTIL	0.95
/* "The device idles": busy less than this share of the run. */
#define DEVICE_IDLE_UTIL	0.90
/* Waiting for a runtime worker takes at least this share of the round trip. */
#define RUNTIME_WAIT_SHARE	0.25
/* Application threads spend at least this share of the run between a
 * completion and their next enqueue. */
#define APP_GAP_SHARE		0.50
/* The kernel submit takes at least this share of the round trip, on
 * average or in the p99 tail. */
#define SUBMIT_SHARE		0.25
/* One device finishes last in at least this share of the multi-device
 * inferences, and its lag is at least LAG_SHARE of the round trip. */
#define STRAGGLER_LAST_SHARE	0.50
#define STRAGGLER_LAG_SHARE	0.05

static const char *const kind_names[QP_FIND__COUNT] = {
	[QP_FIND_DEVICE_BOUND] = "device_bound",
	[QP_FIND_RUNTIME_WORKERS] = "runtime_workers",
	[QP_FIND_APP_BOUND] = "app_bound",
	[QP_FIND_SLOW_SUBMIT] = "slow_submit",
	[QP_FIND_STRAGGLER_DEVICE] = "straggler_device",
};

const char *qp_finding_name(enum qp_finding_kind k)
{
	return k < QP_FIND__COUNT ? kind_names[k] : "?";
}

/* ---- multi-device finish order ------------------------------------------- */

static int straggler_slot(struct qp_straggler *s, uint32_t device)
{
	unsigned k;

	for (k = 0; k < s->ndev; k++)
		if (s->device[k] == device)
			return (int)k;
	if (s->ndev == QP_STRAGGLER_MAX)
		return -1;
	s->device[s->ndev] = device;
	return (int)s->ndev++;
}

void qp_straggler_add(struct qp_straggler *s, size_t ndev,
		      const uint32_t *device, const uint64_t *done_ns)
{
	size_t k, last = 0;
	uint64_t before = 0;
	int slot;

	if (ndev < 2)
		return;
	for (k = 1; k < ndev; k++)
		if (done_ns[k] > done_ns[last])
			last = k;
	for (k = 0; k < ndev; k++)
		if (k != last && done_ns[k] > before)
			before = done_ns[k];
	for (k = 0; k < ndev; k++)
		if (k != last)
			straggler_slot(s, device[k]);
	slot = straggler_slot(s, device[last]);
	s->n++;
	if (slot < 0)
		return;
	s->last[slot]++;
	s->lag_us[slot] += (double)(done_ns[last] - before) / 1000.0;
}

/* ---- the profile ----------------------------------------------------------- */

/* A min-heap of (completion time, thread number): what is in flight. */
struct heap {
	uint64_t *t;
	uint32_t *thr;
	size_t n;
};

static void heap_push(struct heap *h, uint64_t t, uint32_t thr)
{
	size_t k = h->n++;

	while (k && h->t[(k - 1) / 2] > t) {
		h->t[k] = h->t[(k - 1) / 2];
		h->thr[k] = h->thr[(k - 1) / 2];
		k = (k - 1) / 2;
	}
	h->t[k] = t;
	h->thr[k] = thr;
}

static void heap_pop(struct heap *h)
{
	uint64_t t = h->t[--h->n];
	uint32_t thr = h->thr[h->n];
	size_t k = 0, c;

	while ((c = 2 * k + 1) < h->n) {
		if (c + 1 < h->n && h->t[c + 1] < h->t[c])
			c++;
		if (h->t[c] >= t)
			break;
		h->t[k] = h->t[c];
		h->thr[k] = h->thr[c];
		k = c;
	}
	h->t[k] = t;
	h->thr[k] = thr;
}

static uint64_t done_time(const struct qp_inference *i)
{
	uint64_t t = qp_inf_time(i, QP_T_DONE);

	return t ? t : qp_inf_time(i, QP_T_WAIT_END);
}

/* Number of distinct (process, tid) in h, counting the new ones. */
static int count_thread(struct qp_hmap *h, uint32_t process, int32_t tid,
			unsigned *n)
{
	if (qp_hmap_get(h, process, (uint32_t)tid) != QP_HMAP_NIL)
		return 0;
	if (qp_hmap_put(h, process, (uint32_t)tid, *n))
		return -1;
	(*n)++;
	return 0;
}

/*
 * Host gaps (a completion seen, then its thread's next enqueue) and the
 * most inferences in flight at once, in one pass in enqueue order: a heap
 * of the completions still ahead.  A thread's gap runs from the latest of
 * its completions since its previous enqueue to this enqueue.
 */
static int gaps_and_flight(const struct qp_model *m, const uint32_t *idx,
			   size_t n, struct qp_profile *p)
{
	struct qp_hmap threads = { 0 };
	struct heap h = { 0 };
	uint64_t *seen = NULL;		/* per thread: latest completion not yet followed */
	double gap_sum = 0;
	size_t k;
	int rc = -1;

	h.t = malloc((n ? n : 1) * sizeof(*h.t));
	h.thr = malloc((n ? n : 1) * sizeof(*h.thr));
	seen = calloc(n ? n : 1, sizeof(*seen));
	if (!h.t || !h.thr || !seen)
		goto out;
	for (k = 0; k < n; k++) {
		const struct qp_inference *i = &m->inf[idx[k]];
		uint32_t thr = qp_hmap_get(&threads, i->process, (uint32_t)i->enq_tid);
		uint64_t done = done_time(i);

		if (thr == QP_HMAP_NIL) {
			thr = p->app_threads;
			if (count_thread(&threads, i->process, i->enq_tid,
					 &p->app_threads))
				goto out;
		}
		while (h.n && h.t[0] <= i->t0) {
			if (h.t[0] > seen[h.thr[0]])
				seen[h.thr[0]] = h.t[0];
			heap_pop(&h);
		}
		if (seen[thr]) {
			gap_sum += (double)(i->t0 - seen[thr]) / 1000.0;
			p->ngaps++;
			seen[thr] = 0;
		}
		if (done >= i->t0)
			heap_push(&h, done, thr);
		if (h.n > p->max_in_flight)
			p->max_in_flight = (unsigned)h.n;
	}
	if (p->ngaps) {
		p->host_gap_mean_us = gap_sum / (double)p->ngaps;
		if (p->span_s > 0 && p->app_threads)
			p->host_gap_share = gap_sum / 1e6 /
					    (p->span_s * p->app_threads);
	}
	rc = 0;
out:
	free(h.t);
	free(h.thr);
	free(seen);
	qp_hmap_free(&threads);
	return rc;
}

static uint32_t batch_of(const struct qp_model *m, const struct qp_inference *i)
{
	return i->program < m->nprograms ? m->programs[i->program].batch : 0;
}

/* Mean of metric mt over the section (NAN: no value). */
static double metric_mean(const struct qp_model *m, const uint32_t *idx,
			  size_t n, enum qp_metric mt)
{
	double sum = 0, v;
	size_t k, c = 0;

	for (k = 0; k < n; k++) {
		const struct qp_inference *i = &m->inf[idx[k]];

		if (qp_metric_value(m, i, mt, batch_of(m, i), &v)) {
			sum += v;
			c++;
		}
	}
	return c ? sum / (double)c : NAN;
}

/* Span, throughput, batch; distinct DBCs and submitting threads. */
static int basics(const struct qp_model *m, const uint32_t *idx, size_t n,
		  struct qp_profile *p)
{
	struct qp_hmap dbcs = { 0 }, subs = { 0 };
	bool batch_differs = false;
	size_t k;
	int rc = -1;

	p->first_ns = UINT64_MAX;
	for (k = 0; k < n; k++) {
		const struct qp_inference *i = &m->inf[idx[k]];
		uint64_t done = done_time(i);
		uint32_t b = batch_of(m, i);

		p->first_ns = i->t0 < p->first_ns ? i->t0 : p->first_ns;
		p->last_ns = done > p->last_ns ? done : p->last_ns;
		if (k && b != p->batch)
			batch_differs = true;
		p->batch = b;
		if (count_thread(&dbcs, i->program, i->dbc_id, &p->ndbc))
			goto out;
		if (i->submit_tid &&
		    count_thread(&subs, i->process, i->submit_tid,
				 &p->runtime_threads))
			goto out;
	}
	if (batch_differs)
		p->batch = 0;
	if (n && p->last_ns > p->first_ns) {
		p->span_s = (double)(p->last_ns - p->first_ns) / 1e9;
		p->inf_per_s = (double)n / p->span_s;
		if (p->batch)
			p->samples_per_s = p->inf_per_s * p->batch;
	}
	rc = 0;
out:
	qp_hmap_free(&dbcs);
	qp_hmap_free(&subs);
	return rc;
}

/* Mean split, and the mean split of the inferences at or above the p99. */
static int split_means(const struct qp_model *m, const uint32_t *idx, size_t n,
		       struct qp_profile *p)
{
	double *tot = malloc((n ? n : 1) * sizeof(*tot)), us[QP_PART__COUNT];
	double sum[QP_PART__COUNT] = { 0 }, tsum[QP_PART__COUNT] = { 0 };
	struct qp_stats st;
	size_t k, c;
	unsigned how;
	int j;

	if (!tot)
		return -1;
	for (k = 0; k < n; k++) {
		double t = 0;

		if (!qp_part_split(m, &m->inf[idx[k]], us, &how))
			continue;
		for (j = 0; j < QP_PART__COUNT; j++) {
			sum[j] += us[j];
			t += us[j];
		}
		p->nsplit_rt += !!(how & QP_SPLIT_RT_MEASURED);
		p->nsplit_dev += !!(how & QP_SPLIT_DEV_MEASURED);
		tot[p->nsplit++] = t;
	}
	if (!p->nsplit) {
		free(tot);
		return 0;
	}
	for (j = 0; j < QP_PART__COUNT; j++) {
		p->mean_us[j] = sum[j] / (double)p->nsplit;
		p->mean_total_us += p->mean_us[j];
	}
	qp_stats_compute(tot, p->nsplit, &st);
	p->tail_from_us = st.pct[QP_P99];
	for (k = 0; k < n; k++) {
		double t = 0;

		if (!qp_part_split(m, &m->inf[idx[k]], us, NULL))
			continue;
		for (j = 0; j < QP_PART__COUNT; j++)
			t += us[j];
		if (t < p->tail_from_us)
			continue;
		for (j = 0; j < QP_PART__COUNT; j++)
			tsum[j] += us[j];
		p->ntail++;
	}
	for (j = 0; j < QP_PART__COUNT && p->ntail; j++) {
		p->tail_us[j] = tsum[j] / (double)p->ntail;
		p->tail_total_us += p->tail_us[j];
	}
	/* the doorbell's uncertainty over the same inferences */
	for (k = 0, c = 0; k < n; k++) {
		const struct qp_inference *i = &m->inf[idx[k]];

		if (qp_part_split(m, i, us, NULL) &&
		    qp_doorbell_uncertainty(m, i, &tot[c]))
			c++;
	}
	qp_stats_compute(tot, c, &st);
	p->doorbell_unc_p50_us = st.pct[QP_P50];
	p->doorbell_unc_p99_us = st.pct[QP_P99];
	free(tot);
	return 0;
}

/*
 * Multi-device inferences (qp_model.spans): when each device completed
 * its part, the kernel's completion between what the trace bounds
 * (qp_kernel_done_bounds, as the per-device figures use), fed to the
 * finish order.
 */
static void stragglers(const struct qp_model *m, const uint32_t *idx,
		       size_t n, struct qp_profile *p)
{
	uint32_t device[QP_STRAGGLER_MAX];
	uint64_t done[QP_STRAGGLER_MAX], lo, hi;
	unsigned j, d;
	size_t k, ns, c;

	for (k = 0; k < n && m->nspans; k++) {
		const struct qp_inference *i = &m->inf[idx[k]];
		const struct qp_dev_span *s = qp_model_spans(m, idx[k], &ns);

		for (j = c = 0; j < ns && c < QP_STRAGGLER_MAX; j++) {
			if (!(s[j].flags & QP_SPAN_HAS_PERF) ||
			    s[j].exec_begin == QP_T_NONE ||
			    s[j].exec_end == QP_T_NONE)
				continue;
			device[c] = s[j].device;
			done[c++] = qp_kernel_done_bounds(
				i->t0 + s[j].exec_begin, i->t0 + s[j].exec_end,
				s[j].wait_end == QP_T_NONE ? 0 : i->t0 + s[j].wait_end,
				s[j].submit_latency_us, s[j].device_latency_us,
				&lo, &hi);
		}
		if (c >= 2)
			qp_straggler_add(&p->straggler, c, device, done);
	}
	for (d = 0; d < p->straggler.ndev; d++)
		qp_device_name(m, (uint16_t)p->straggler.device[d],
			       p->straggler.name[d], sizeof(p->straggler.name[d]));
}

int qp_profile_compute(const struct qp_model *m, const uint32_t *idx,
		       size_t n, struct qp_profile *p)
{
	double dev_us;

	memset(p, 0, sizeof(*p));
	p->n = n;
	p->inf_per_s = p->samples_per_s = p->device_util = NAN;
	p->mean_devexec_us = p->mean_in_flight = p->mean_on_device = NAN;
	p->mean_waiting_worker = p->mean_num_inf_in_queue = NAN;
	p->host_gap_mean_us = p->mean_submit_ioctl_us = NAN;
	p->mean_exec_to_vc_us = p->tail_from_us = NAN;
	p->doorbell_unc_p50_us = p->doorbell_unc_p99_us = NAN;
	if (basics(m, idx, n, p) || split_means(m, idx, n, p) ||
	    gaps_and_flight(m, idx, n, p))
		return -1;
	stragglers(m, idx, n, p);
	p->mean_devexec_us = metric_mean(m, idx, n, QP_M_DEV_EXEC);
	p->mean_num_inf_in_queue = metric_mean(m, idx, n, QP_M_NUM_INF_IN_QUEUE);
	p->mean_submit_ioctl_us = metric_mean(m, idx, n, QP_M_SUBMIT);
	p->mean_exec_to_vc_us = metric_mean(m, idx, n, QP_M_EXEC_TO_VC);
	if (isnan(p->inf_per_s) || !p->nsplit)
		return 0;
	/* Little's law: L = arrival rate x time spent */
	p->mean_in_flight = p->inf_per_s * p->mean_total_us / 1e6;
	dev_us = p->mean_us[QP_PART_DEVICE_WAIT] + p->mean_us[QP_PART_DEVICE_WORK];
	p->mean_on_device = p->inf_per_s * dev_us / 1e6;
	p->mean_waiting_worker = p->inf_per_s *
				 p->mean_us[QP_PART_RUNTIME_WAIT] / 1e6;
	/* busy share of each DBC: throughput x device work / activations */
	if (p->ndbc) {
		p->device_util = p->inf_per_s * p->mean_us[QP_PART_DEVICE_WORK] /
				 1e6 / p->ndbc;
		if (p->device_util > 1)
			p->device_util = 1;
	}
	return 0;
}

/* ---- findings ------------------------------------------------------------ */

static void add_ev(struct qp_finding *f, const char *name, double value,
		   const char *unit)
{
	if (f->nev < QP_EVIDENCE_MAX && !isnan(value))
		f->ev[f->nev++] = (struct qp_evidence){ name, value, unit };
}

static double share(double part, double whole)
{
	return whole > 0 && !isnan(part) ? part / whole : 0;
}

static bool device_idles(const struct qp_profile *p)
{
	return !isnan(p->device_util) && p->device_util < DEVICE_IDLE_UTIL;
}

/*
 * The busy share of the device work every device of the program shares:
 * over several devices (devMapping), a straggler's lag behind the
 * next-to-last device keeps only the straggler busy.  It ranks
 * device_bound: the device is the bottleneck to the extent that all its
 * devices are busy; the straggler's part is the straggler's finding.
 */
static double shared_util(const struct qp_profile *p)
{
	const struct qp_straggler *s = &p->straggler;
	double lag = 0, work;
	unsigned k;

	for (k = 0; k < s->ndev; k++)
		lag += s->lag_us[k];
	if (!p->n || !p->ndbc)
		return p->device_util;
	work = p->mean_us[QP_PART_DEVICE_WORK] - lag / (double)p->n;
	if (work < 0)
		work = 0;
	work = p->inf_per_s * work / 1e6 / p->ndbc;
	return work < p->device_util ? work : p->device_util;
}

static bool device_bound(const struct qp_profile *p, struct qp_finding *f)
{
	if (isnan(p->device_util) || p->device_util < DEVICE_BOUND_UTIL)
		return false;
	f->score = shared_util(p);
	add_ev(f, "device_utilisation", 100 * p->device_util, "%");
	add_ev(f, "inferences_per_s", p->inf_per_s, "/s");
	add_ev(f, "device_work_ms", p->mean_us[QP_PART_DEVICE_WORK] / 1e3, "ms");
	add_ev(f, "mean_in_flight", p->mean_in_flight, "");
	add_ev(f, "max_in_flight", p->max_in_flight, "");
	add_ev(f, "mean_on_device", p->mean_on_device, "");
	add_ev(f, "num_inf_in_queue", p->mean_num_inf_in_queue, "");
	add_ev(f, "queueing_share", 100 * share(p->mean_us[QP_PART_DEVICE_WAIT] +
						 p->mean_us[QP_PART_RUNTIME_WAIT],
						 p->mean_total_us), "%");
	snprintf(f->text, sizeof(f->text),
		 "the device is busy %.1f %% of the run (%.1f inferences/s x %.3f ms of device work per DBC); "
		 "%.1f inferences in flight on average (Little: %.1f/s x %.3f ms round trip; at most %u at once), "
		 "%.1f of them on the device; %.0f %% of the round trip is waiting",
		 100 * p->device_util, p->inf_per_s,
		 p->mean_us[QP_PART_DEVICE_WORK] / 1e3, p->mean_in_flight,
		 p->inf_per_s, p->mean_total_us / 1e3, p->max_in_flight,
		 p->mean_on_device,
		 100 * share(p->mean_us[QP_PART_DEVICE_WAIT] +
			     p->mean_us[QP_PART_RUNTIME_WAIT], p->mean_total_us));
	f->advice = "latency here is queueing, not work: fewer inferences in flight (a smaller set size) keeps this throughput with less latency; more throughput needs more activations or devices";
	return true;
}

static bool runtime_workers(const struct qp_profile *p, struct qp_finding *f)
{
	double s = share(p->mean_us[QP_PART_RUNTIME_WAIT], p->mean_total_us);

	if (s < RUNTIME_WAIT_SHARE || !device_idles(p))
		return false;
	f->score = s;
	add_ev(f, "runtime_wait_share", 100 * s, "%");
	add_ev(f, "runtime_wait_ms", p->mean_us[QP_PART_RUNTIME_WAIT] / 1e3, "ms");
	add_ev(f, "waiting_for_worker", p->mean_waiting_worker, "");
	add_ev(f, "runtime_threads", p->runtime_threads, "");
	add_ev(f, "device_utilisation", 100 * p->device_util, "%");
	add_ev(f, "mean_in_flight", p->mean_in_flight, "");
	snprintf(f->text, sizeof(f->text),
		 "inferences wait %.3f ms (%.0f %% of the round trip) for a runtime worker, %.1f of them at any time (Little), "
		 "served by %u submitting thread(s), while the device is busy only %.1f %% of the run",
		 p->mean_us[QP_PART_RUNTIME_WAIT] / 1e3, 100 * s,
		 p->mean_waiting_worker, p->runtime_threads,
		 100 * p->device_util);
	f->advice = "more runtime worker threads per queue (numThreadsPerQueue, qaic-runner -T) or more queues, so that submissions keep the device busy";
	return true;
}

static bool app_bound(const struct qp_profile *p, struct qp_finding *f)
{
	if (!p->ngaps || p->host_gap_share < APP_GAP_SHARE || !device_idles(p))
		return false;
	f->score = p->host_gap_share > 1 ? 1 : p->host_gap_share;
	add_ev(f, "host_gap_share", 100 * p->host_gap_share, "%");
	add_ev(f, "host_gap_ms", p->host_gap_mean_us / 1e3, "ms");
	add_ev(f, "app_threads", p->app_threads, "");
	add_ev(f, "device_utilisation", 100 * p->device_util, "%");
	add_ev(f, "round_trip_ms", p->mean_total_us / 1e3, "ms");
	snprintf(f->text, sizeof(f->text),
		 "the application's %u thread(s) spend %.0f %% of the run between seeing a completion and their next enqueue "
		 "(%.3f ms each time, against a %.3f ms round trip), while the device is busy only %.1f %% of the run",
		 p->app_threads, 100 * p->host_gap_share,
		 p->host_gap_mean_us / 1e3, p->mean_total_us / 1e3,
		 100 * p->device_util);
	f->advice = "the application is the bottleneck: enqueue the next inference before processing the last result (more in flight, a larger set size), or move that work to other threads";
	return true;
}

static bool slow_submit(const struct qp_profile *p, struct qp_finding *f)
{
	double s = share(p->mean_us[QP_PART_SUBMIT], p->mean_total_us);
	double st = share(p->tail_us[QP_PART_SUBMIT], p->tail_total_us);

	if (s < SUBMIT_SHARE && (!p->ntail || st < SUBMIT_SHARE))
		return false;
	f->score = s > st ? s : st;
	add_ev(f, "submit_share", 100 * s, "%");
	add_ev(f, "submit_share_p99_tail", 100 * st, "%");
	add_ev(f, "submit_ms", p->mean_us[QP_PART_SUBMIT] / 1e3, "ms");
	add_ev(f, "submit_ioctl_ms", p->mean_submit_ioctl_us / 1e3, "ms");
	add_ev(f, "exec_to_vc_ms", p->mean_exec_to_vc_us / 1e3, "ms");
	snprintf(f->text, sizeof(f->text),
		 "the kernel submit (EXECUTE ioctl entry to doorbell) takes %.3f ms, %.0f %% of the round trip (%.0f %% in the p99 tail); "
		 "the kernel's own submit latency (exectoVc) is %.3f ms",
		 p->mean_us[QP_PART_SUBMIT] / 1e3, 100 * s, 100 * st,
		 p->mean_exec_to_vc_us / 1e3);
	f->advice = "the driver is slow to queue the request: check the DBC ring (free elements, EAGAIN retries), the number of buffers per request and the host's load around the EXECUTE ioctl";
	return true;
}

static bool straggler_device(const struct qp_profile *p, struct qp_finding *f)
{
	const struct qp_straggler *s = &p->straggler;
	unsigned k, worst = 0;
	double last_share, lag;

	if (s->n == 0 || s->ndev < 2)
		return false;
	for (k = 1; k < s->ndev; k++)
		if (s->last[k] > s->last[worst])
			worst = k;
	last_share = (double)s->last[worst] / (double)s->n;
	lag = s->last[worst] ? s->lag_us[worst] / (double)s->last[worst] : 0;
	if (last_share < STRAGGLER_LAST_SHARE ||
	    share(lag, p->mean_total_us) < STRAGGLER_LAG_SHARE)
		return false;
	f->score = share(lag * last_share, p->mean_total_us);
	add_ev(f, "device", s->device[worst], "");
	add_ev(f, "last_share", 100 * last_share, "%");
	add_ev(f, "lag_ms", lag / 1e3, "ms");
	add_ev(f, "lag_share", 100 * share(lag, p->mean_total_us), "%");
	add_ev(f, "devices", s->ndev, "");
	if (s->name[worst][0])
		snprintf(f->text, sizeof(f->text),
			 "device %s finishes last in %.0f %% of the %zu multi-device inferences, %.3f ms after the next-to-last device (%.0f %% of the round trip)",
			 s->name[worst], 100 * last_share, s->n, lag / 1e3,
			 100 * share(lag, p->mean_total_us));
	else
		snprintf(f->text, sizeof(f->text),
			 "device %u finishes last in %.0f %% of the %zu multi-device inferences, %.3f ms after the next-to-last device (%.0f %% of the round trip)",
			 s->device[worst], 100 * last_share, s->n, lag / 1e3,
			 100 * share(lag, p->mean_total_us));
	f->advice = "every inference waits for that device: check its health, clocks and load (qaic-util), and the partition's balance across devices";
	return true;
}

size_t qp_findings(const struct qp_profile *p,
		   struct qp_finding out[QP_FIND__COUNT])
{
	static bool (*const rules[QP_FIND__COUNT])(const struct qp_profile *,
						   struct qp_finding *) = {
		[QP_FIND_DEVICE_BOUND] = device_bound,
		[QP_FIND_RUNTIME_WORKERS] = runtime_workers,
		[QP_FIND_APP_BOUND] = app_bound,
		[QP_FIND_SLOW_SUBMIT] = slow_submit,
		[QP_FIND_STRAGGLER_DEVICE] = straggler_device,
	};
	size_t n = 0, a, b;
	int k;

	for (k = 0; k < QP_FIND__COUNT; k++) {
		memset(&out[n], 0, sizeof(out[n]));
		out[n].kind = k;
		if (rules[k](p, &out[n]))
			n++;
	}
	/* rank: the highest score first (insertion sort: at most 5) */
	for (a = 1; a < n; a++) {
		struct qp_finding f = out[a];

		for (b = a; b > 0 && out[b - 1].score < f.score; b--)
			out[b] = out[b - 1];
		out[b] = f;
	}
	return n;
}

/* ---- per-part statistics, device columns ------------------------------------ */

int qp_part_stats(const struct qp_model *m, const uint32_t *idx, size_t n,
		  double *buf, struct qp_stats part[QP_PART__COUNT],
		  struct qp_stats *total)
{
	double us[QP_PART__COUNT];
	size_t k, c;
	int j;

	/* one pass per part: the scratch stays n doubles (report memory) */
	for (j = 0; j <= QP_PART__COUNT; j++) {
		for (k = c = 0; k < n; k++) {
			if (!qp_part_split(m, &m->inf[idx[k]], us, NULL))
				continue;
			if (j < QP_PART__COUNT) {
				buf[c++] = us[j];
			} else {
				double t = 0;
				int q;

				for (q = 0; q < QP_PART__COUNT; q++)
					t += us[q];
				buf[c++] = t;
			}
		}
		qp_stats_compute(buf, c, j < QP_PART__COUNT ? &part[j] : total);
	}
	return 0;
}

const char *qp_device_na_reason(const struct qp_model *m, const uint32_t *idx,
				size_t n, const struct qp_merge_result *merge,
				size_t *with)
{
	size_t k, c = 0;

	for (k = 0; k < n; k++)
		c += qp_model_dev(m, &m->inf[idx[k]]) != NULL;
	if (with)
		*with = c;
	if (c == n)
		return NULL;
	if (!merge)
		return "no runtime latency dump merged: device times come only from the runtime's dump (--device-latency)";
	if (!c && merge->no_device)
		return "the merged dump's device columns are N/A (the program was not compiled with stats, or the runtime's profiling did not collect them)";
	if (!c)
		return "no row of the merged dump(s) belongs to these inferences (other programs, or samples outside the profiled range)";
	return "only the profiled samples (aic-profiling start-iter / num-samples) have device columns in the merged dump(s)";
}
