/* SPDX-License-Identifier: MIT */
/*
 * The worker side of one inference: pre-processing, one EXECUTE per device
 * of the program, one WAIT per device on its last output, PERF_STATS for
 * profiled samples, post-processing and completion.  The stamps are the
 * runtime's own view (ARCHITECTURE.md "two views of one inference").
 */
#include <errno.h>
#include <sched.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "simkmd.h"
#include "rt.h"

#define EXECUTE_RETRIES 50		/* on -EAGAIN (docs/CONTRACTS.md §2.4) */
#define EXECUTE_WAIT_STEP_NS 5000000ull	/* 5 ms, +5 ms per retry */

/* ---- host-side copies ------------------------------------------------------ */

/*
 * The part of mapping @i that device @d holds: all of it, or for a split
 * buffer the d-th slice of the BO size (fewer bytes, or none, at the end).
 */
static void dev_part(const struct QAicExecObj *eo, uint32_t d, uint32_t i,
		     uint64_t *off, uint64_t *len)
{
	uint64_t size = eo->dev[d].bo[i].size, valid = eo->valid[i];

	*off = 0;
	*len = valid;
	if (eo->ndev > 1 && size < eo->prog->maps[i].size) {
		*off = (uint64_t)d * size;
		*len = valid > *off ? valid - *off : 0;
		if (*len > size)
			*len = size;
	}
}

static void preprocess(struct QAicExecObj *eo)
{
	uint64_t slow = rt_config()->slow_preproc_ns, off, len;
	uint32_t i, d;

	for (i = 0; eo->user && i < eo->nbo; i++) {
		if (eo->dev[0].bo[i].dir != 1 || !eo->user[i].buf)
			continue;
		for (d = 0; d < eo->ndev; d++) {
			dev_part(eo, d, i, &off, &len);
			if (len)
				memcpy(eo->dev[d].bo[i].map, eo->user[i].buf + off, len);
		}
	}
	if (slow)
		rt_delay_ns(slow);
}

/* Outputs come back from every device holding a part, else device 0. */
static void postprocess(struct QAicExecObj *eo)
{
	uint64_t off, len;
	uint32_t i, d;

	for (i = 0; eo->user && i < eo->nbo; i++) {
		if (eo->dev[0].bo[i].dir != 2 || !eo->user[i].buf)
			continue;
		for (d = 0; d < eo->ndev; d++) {
			dev_part(eo, d, i, &off, &len);
			if (len)
				memcpy(eo->user[i].buf + off, eo->dev[d].bo[i].map, len);
			if (!off && eo->dev[d].bo[i].size == eo->prog->maps[i].size)
				break;	/* whole on every device: take device 0's */
		}
	}
}

/*
 * Short user-space step before the first EXECUTE: clear the cycle-count
 * records so a stale one is never read back, and set the resize of each
 * entry for a partial execution (bytes of each BO that move; 0 skips it).
 */
static void prepare_submit(struct QAicExecObj *eo)
{
	struct QAicProgram *pg = eo->prog;
	uint64_t off, len;

	for (uint32_t d = 0; d < eo->ndev; d++) {
		struct rt_eodev *ed = &eo->dev[d];

		if (pg->desc->stats) {
			struct rt_bo *bo = &ed->bo[pg->wait_idx];

			memset((uint8_t *)bo->map + bo->size - DESC_CYCLES_BYTES, 0,
			       DESC_CYCLES_BYTES);
		}
		for (uint32_t i = 0; eo->partial && i < eo->nbo; i++) {
			dev_part(eo, d, i, &off, &len);
			ed->pentries[i].resize = len;
		}
	}
}

/* ---- kernel calls ------------------------------------------------------------ */

static QStatus status_of(int err)
{
	switch (err) {
	case ETIMEDOUT:
		return QS_TIMEDOUT;
	case EIO:
	case EPIPE:
		return QS_DEV_ERROR;
	case ENODEV:
		return QS_NODEV;
	case EPERM:
		return QS_PERM;
	case ENOMEM:
		return QS_NOMEM;
	default:
		return QS_ERROR;
	}
}

/* EXECUTE_BO or PARTIAL_EXECUTE_BO of device @d's BOs. */
static int execute_once(struct QAicExecObj *eo, uint32_t d)
{
	struct rt_eodev *ed = &eo->dev[d];
	struct qaic_execute ex = {
		.hdr = { .count = eo->nbo, .dbc_id = ed->dbc_id },
	};
	unsigned long req = DRM_IOCTL_QAIC_EXECUTE_BO;

	ex.data = (uint64_t)(uintptr_t)ed->entries;
	if (eo->partial) {
		req = DRM_IOCTL_QAIC_PARTIAL_EXECUTE_BO;
		ex.data = (uint64_t)(uintptr_t)ed->pentries;
	}
	return ioctl(ed->fd, req, &ex) ? errno : 0;
}

/*
 * PERF_STATS_BO of device @d's BOs into ed->perf, one entry per execute
 * entry (in execute order), as the open runtime's getExecProfilingData.
 * 0 or errno.
 */
static int query_perf(struct QAicExecObj *eo, uint32_t d)
{
	struct rt_eodev *ed = &eo->dev[d];
	struct qaic_perf_stats ps;

	memset(ed->perf, 0, eo->nbo * sizeof(*ed->perf));
	for (uint32_t i = 0; i < eo->nbo; i++)
		ed->perf[i].handle = ed->bo[i].handle;
	memset(&ps, 0, sizeof(ps));
	ps.hdr.count = (uint16_t)eo->nbo;
	ps.hdr.dbc_id = ed->dbc_id;
	ps.data = (uint64_t)(uintptr_t)ed->perf;
	return ioctl(ed->fd, DRM_IOCTL_QAIC_PERF_STATS_BO, &ps) < 0 ? errno : 0;
}

/* numInfInQueue of the open runtime from the entries in ed->perf. */
static uint32_t inf_in_queue(const struct QAicExecObj *eo, uint32_t d,
			     uint32_t *depth, uint32_t *total)
{
	const struct rt_eodev *ed = &eo->dev[d];
	uint32_t sum = 0;

	for (uint32_t i = 0; i < eo->nbo; i++)
		sum += ed->perf[i].num_queue_element;
	*depth = ed->perf[0].queue_level_before;
	*total = sum;
	return *depth > 0 && sum ? 1 + *depth / sum : 1;
}

/*
 * The runtime's own query on the first EAGAIN of a submit
 * (docs/CONTRACTS.md §6.4): PERF_STATS of the request's BOs, to check that a
 * request of this shape fits the queue; more inferences ahead than the ring
 * has elements -> QS_ERROR.  A failed EXECUTE changes no stats, so this reads
 * the BOs' previous execution.
 */
static QStatus eagain_query(struct QAicExecObj *eo, uint32_t d)
{
	uint32_t depth, total, n;
	int err = query_perf(eo, d);

	if (err) {
		rt_log(eo->ctx, QL_WARN, "program %s: PERF_STATS_BO on device %d failed: %s",
		       eo->prog->name, (int)eo->prog->pdev[d].qid, strerror(err));
		return QS_SUCCESS;
	}
	n = inf_in_queue(eo, d, &depth, &total);
	if (n > eo->prog->desc->ring) {
		rt_log(eo->ctx, QL_ERROR, "program %s: %u inferences in the queue of device %d, more than its %u elements",
		       eo->prog->name, n, (int)eo->prog->pdev[d].qid,
		       eo->prog->desc->ring);
		return QS_ERROR;
	}
	return QS_SUCCESS;
}

/*
 * Submission to device @d: EAGAIN (ring full) is retried after 5 ms,
 * 10 ms, ... (x QAIC_SIM_TIME_SCALE), 50 retries, then QS_BUSY, with one
 * PERF_STATS query at the first EAGAIN; EINTR at once.  run->t_exec:
 * entry of the successful call; run->exec_err: errno of the failure.
 */
static QStatus submit_dev(struct QAicExecObj *eo, uint32_t d)
{
	struct rt_devrun *run = &eo->run[d];
	double scale = rt_config()->time_scale;
	uint32_t retry;
	int err;

	run->dbc_id = eo->dev[d].dbc_id;
	for (retry = 0;; retry++) {
		run->t_exec = rt_now();
		err = execute_once(eo, d);
		if (!err) {
			run->submitted = true;
			return QS_SUCCESS;
		}
		if (err == EINTR)
			continue;
		run->exec_err = err;
		if (err != EAGAIN) {
			rt_log(eo->ctx, QL_ERROR, "program %s: EXECUTE_BO on device %d failed: %s",
			       eo->prog->name, (int)eo->prog->pdev[d].qid, strerror(err));
			return status_of(err);
		}
		if (retry == 0 && eagain_query(eo, d) != QS_SUCCESS)
			return QS_ERROR;
		if (retry == EXECUTE_RETRIES)
			return QS_BUSY;
		rt_sleep_ns((uint64_t)((double)EXECUTE_WAIT_STEP_NS * (retry + 1) * scale));
	}
}

/*
 * WAIT_BO on device @d's wait handle: ETIMEDOUT is retried SubmitNumRetries
 * times, EINTR (a signal) always; the wait's timeout is
 * SubmitRetryTimeoutMs (0: the kernel's default).
 */
static QStatus wait_dev(struct QAicExecObj *eo, uint32_t d)
{
	const QAicProgramProperties *pp = &eo->prog->props;
	struct rt_eodev *ed = &eo->dev[d];
	struct qaic_wait w = {
		.handle = ed->bo[eo->prog->wait_idx].handle,
		.timeout = pp->SubmitRetryTimeoutMs,
		.dbc_id = ed->dbc_id,
	};
	uint32_t tries = 0;

	for (;;) {
		if (ioctl(ed->fd, DRM_IOCTL_QAIC_WAIT_BO, &w) == 0)
			return QS_SUCCESS;
		if (errno == EINTR)
			continue;
		if (errno == ETIMEDOUT && tries++ < pp->SubmitNumRetries)
			continue;
		eo->run[d].wait_err = errno;
		if (errno != ETIMEDOUT && errno != EIO)
			rt_log(eo->ctx, QL_ERROR, "program %s: WAIT_BO on device %d failed: %s",
			       eo->prog->name, (int)eo->prog->pdev[d].qid,
			       strerror(errno));
		return status_of(errno);
	}
}

/*
 * PERF_STATS_BO after the WAIT for a profiled sample: queue depth from
 * entry 0, latencies from the wait handle's entry.
 */
static bool perf_dev(struct QAicExecObj *eo, uint32_t d)
{
	struct rt_eodev *ed = &eo->dev[d];
	struct rt_devrun *run = &eo->run[d];
	uint32_t w = eo->prog->wait_idx;
	int err = query_perf(eo, d);

	if (err) {
		rt_log(eo->ctx, QL_WARN, "program %s: PERF_STATS_BO failed: %s; sample dropped",
		       eo->prog->name, strerror(err));
		return false;
	}
	inf_in_queue(eo, d, &run->queue_depth, &run->total_elems);
	run->exec_to_vc = ed->perf[w].submit_latency_us;
	run->exec_to_complete = ed->perf[w].device_latency_us;
	run->has_perf = true;
	return true;
}

/* The kernel's stamps of each submitted device's wait handle (truth). */
static void kernel_stamps(struct QAicExecObj *eo)
{
	for (uint32_t d = 0; d < eo->ndev; d++) {
		struct rt_devrun *run = &eo->run[d];
		struct simkmd_bo_times bt;

		if (!run->submitted ||
		    simkmd_test_bo_times(eo->dev[d].fd,
					 eo->dev[d].bo[eo->prog->wait_idx].handle, &bt))
			continue;
		run->received_ns = bt.received_ns;
		run->submit_ns = bt.submit_ns;
		run->processed_ns = bt.processed_ns;
		run->dev_start = bt.dev_start_ns;
		run->dev_end = bt.dev_end_ns;
	}
}

/* ---- the latency row ---------------------------------------------------------- */

static void read_cycles(struct QAicExecObj *eo, uint32_t d, struct prof_row *r)
{
	struct rt_bo *bo = &eo->dev[d].bo[eo->prog->wait_idx];
	struct simkmd_cycle_counts cc;

	if (!eo->prog->desc->stats)
		return;
	memcpy(&cc, (uint8_t *)bo->map + bo->size - DESC_CYCLES_BYTES,
	       sizeof(cc));
	if (cc.magic != SIMKMD_CYCLES_MAGIC || cc.end_tick < cc.start_tick ||
	    cc.input_done_tick < cc.start_tick ||
	    cc.output_start_tick < cc.compute_done_tick)
		return;
	r->has_dev = true;
	r->dev_exec_ticks = cc.end_tick - cc.start_tick;
	r->dev_in_ticks = cc.input_done_tick - cc.start_tick;
	r->dev_out_ticks = cc.output_start_tick - cc.compute_done_tick;
	r->dev_start_tick = cc.start_tick;
	r->dev_in_done_tick = cc.input_done_tick;
	r->dev_compute_done_tick = cc.compute_done_tick;
	r->dev_out_start_tick = cc.output_start_tick;
	r->dev_end_tick = cc.end_tick;
}

/*
 * The device that completed last: latest processed_ts of its wait handle
 * (the kernel's stamp), the first in devMapping order on a tie.
 */
static uint32_t last_device(const struct QAicExecObj *eo)
{
	uint32_t k = 0;

	for (uint32_t d = 1; d < eo->ndev; d++)
		if (eo->run[d].processed_ns > eo->run[k].processed_ns)
			k = d;
	return k;
}

/*
 * The device a row's kernel and device columns come from, the straggler:
 * the largest kernel round trip of its wait handle (PERF_STATS
 * submit_latency_us + device_latency_us, the row's hostRoundTripUs), the
 * first in devMapping order on a tie; qprof-report picks a multi-device
 * inference's device by the same rule from the same integers.  With one
 * device, that device.
 */
static uint32_t row_device(const struct QAicExecObj *eo)
{
	uint32_t k = 0;

	for (uint32_t d = 1; d < eo->ndev; d++)
		if ((uint64_t)eo->run[d].exec_to_vc + eo->run[d].exec_to_complete >
		    (uint64_t)eo->run[k].exec_to_vc + eo->run[k].exec_to_complete)
			k = d;
	return k;
}

static void fill_row(struct QAicExecObj *eo, struct prof_row *r)
{
	uint32_t k = row_device(eo);
	const struct rt_devrun *run = &eo->run[k];

	r->device = k;
	r->queue_depth = run->queue_depth;
	r->num_inf = run->queue_depth > 0 && run->total_elems ?
		     1 + run->queue_depth / run->total_elems : 1;
	r->exec_to_vc = run->exec_to_vc;
	r->exec_to_complete = run->exec_to_complete;
	read_cycles(eo, k, r);
}

/* ---- truth file ------------------------------------------------------------------ */

static void truth_of(struct QAicExecObj *eo, QStatus st, uint64_t done)
{
	struct truth_rec t = {
		.program = eo->prog->id,
		.sample = eo->row.sample,
		.status = (int)st,
		.enq_begin = eo->row.enq_start,
		.enq_end = eo->row.enq_start + eo->row.enq_ns,
		.worker_start = eo->row.worker_start,
		.worker_done = done,
		.ndev = eo->ndev,
	};

	for (uint32_t d = 0; d < eo->ndev; d++) {
		const struct rt_devrun *run = &eo->run[d];

		t.dev[d] = (struct truth_dev){
			.device = (int)eo->prog->pdev[d].qid,
			.dbc_id = eo->dev[d].dbc_id,
			.exec_entry = run->t_exec,
			.doorbell = run->submit_ns,
			.dev_start = run->dev_start,
			.dev_end = run->dev_end,
			.irq = run->processed_ns,
			.wait_return = run->t_wait,
		};
	}
	truth_record(&t);
}

/* ---- completion ----------------------------------------------------------------- */

/*
 * @sampled: a profiled sample.  The application's handover of the
 * completion is tracked for profiled samples and, with the truth file on,
 * for every successful inference.
 */
static void complete(struct QAicExecObj *eo, QStatus st, bool sampled)
{
	struct QAicEvent *ev = eo->event;
	struct QAicProgram *pg = eo->prog;
	uint64_t sample = eo->row.sample, now = rt_now();
	bool truth = truth_on();

	if (sampled) {
		eo->row.done = now;
		profile_record(pg, &eo->row);
	}
	if (truth)
		truth_of(eo, st, now);
	sampled = sampled || (truth && st == QS_SUCCESS);
	eo->event = NULL;
	rt_ref(&pg->obj);	/* the exec object may go once it is idle */
	pthread_mutex_lock(&eo->lock);
	eo->last_status = st;
	eo->done_sampled = sampled;
	eo->done_sample = sample;
	eo->state = EO_IDLE;
	pthread_cond_broadcast(&eo->cond);
	pthread_mutex_unlock(&eo->lock);
	if (ev) {
		rt_event_complete(ev, pg, sampled, sample, st);
		RT_PUT(ev);
	}
	rt_program_inflight(pg, -1);
	RT_PUT(pg);
}

/*
 * EXECUTE on every device in devMapping order, then WAIT on every device
 * that took its request (also after a failure, so that no BO stays
 * queued), then PERF_STATS on every device for a profiled sample
 * (*sampled false if one fails).  *t_exec: entry of the first device's
 * successful EXECUTE; *t_done: return of the last WAIT.
 */
static QStatus execute_all(struct QAicExecObj *eo, uint64_t *t_exec,
			   uint64_t *t_done, bool *sampled)
{
	struct QAicProgram *pg = eo->prog;
	QStatus st = QS_SUCCESS, wst;
	uint32_t d, submitted = 0;

	*t_exec = rt_now();
	/* No re-activation may move a DBC between EXECUTE and WAIT. */
	for (d = 0; d < eo->ndev; d++) {
		pthread_rwlock_rdlock(&pg->pdev[d].span);
		eo->run[d].gen = pg->pdev[d].gen;	/* stable under the span */
	}
	for (d = 0; d < eo->ndev && st == QS_SUCCESS; d++) {
		st = submit_dev(eo, d);
		if (st == QS_SUCCESS)
			submitted++;
	}
	if (submitted)
		*t_exec = eo->run[0].t_exec;
	for (d = 0; d < submitted; d++) {
		wst = wait_dev(eo, d);
		if (truth_on())
			eo->run[d].t_wait = rt_now();
		if (st == QS_SUCCESS)
			st = wst;
	}
	*t_done = rt_now();
	/* the driver's own times, outside the runtime's execTotal */
	if (eo->ndev > 1 || inflog_enabled() || truth_on())
		kernel_stamps(eo);
	for (d = 0; st == QS_SUCCESS && *sampled && d < eo->ndev; d++)
		*sampled = perf_dev(eo, d);
	/* The kernel took the DBC (a subsystem restart): re-activate. */
	for (d = 0; d < eo->ndev; d++) {
		const struct rt_devrun *run = &eo->run[d];

		if (run->exec_err == EPIPE || run->exec_err == EPERM ||
		    run->wait_err == EPERM || run->wait_err == EPIPE)
			rt_recover_request(pg, d, run->gen);
	}
	for (d = eo->ndev; d--;)
		pthread_rwlock_unlock(&pg->pdev[d].span);
	return st;
}

/* errno that failed the inference: the first failed EXECUTE, else WAIT. */
static int failure_cause(const struct QAicExecObj *eo)
{
	for (uint32_t d = 0; d < eo->ndev; d++)
		if (eo->run[d].exec_err)
			return eo->run[d].exec_err;
	for (uint32_t d = 0; d < eo->ndev; d++)
		if (eo->run[d].wait_err)
			return eo->run[d].wait_err;
	return 0;
}

void rt_execobj_run(struct QAicExecObj *eo)
{
	struct prof_row *r = &eo->row;
	bool sampled = eo->sampled;
	uint64_t t0, t_exec, t_done;
	QStatus st;

	/* Let the thread whose enqueue woke this worker return from that call
	 * first when the two share a CPU: else the pre-processing (and any
	 * fault slowing it) runs inside the application's enqueue call
	 * (docs/SIMULATOR.md, "A woken worker yields first"). */
	sched_yield();
	memset(eo->run, 0, eo->ndev * sizeof(*eo->run));
	t0 = rt_now();
	r->worker_start = t0;
	preprocess(eo);
	r->pre_ns = rt_now() - t0;
	t0 = rt_now();
	prepare_submit(eo);
	r->sub_ns = rt_now() - t0;
	st = execute_all(eo, &t_exec, &t_done, &sampled);
	r->exec_ns = t_done - t_exec;
	if (st == QS_SUCCESS) {
		t0 = rt_now();
		postprocess(eo);
		r->post_ns = rt_now() - t0;
		if (sampled)
			fill_row(eo, r);
	} else {
		char what[160];

		sampled = false;
		snprintf(what, sizeof(what), "program %s: inference %" PRIu64 " failed with status %d",
			 eo->prog->name, r->sample, (int)st);
		rt_report_error(eo->ctx, QIAC_ERROR_EXECOBJ_RUNTIME, what);
	}
	if (inflog_enabled())
		inflog_write(eo, st, st == QS_SUCCESS ? 0 : failure_cause(eo),
			     st == QS_SUCCESS ? (int)last_device(eo) : -1,
			     sampled ? (int)r->device : -1, sampled);
	complete(eo, st, sampled);
	pthread_mutex_lock(&eo->lock);
	eo->workers--;
	pthread_cond_broadcast(&eo->cond);
	pthread_mutex_unlock(&eo->lock);
}
