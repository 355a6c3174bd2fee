// SPDX-License-Identifier: MIT
/*
 * The device model and the completion path ("IRQ thread").
 *
 * Each DBC runs its requests in order: input DMA (sum of TO_DEV bytes over
 * the DMA bandwidth), compute (mean +- uniform jitter, plus a tail with
 * probability tail_ppm), a short output wait, output DMA.  A request starts
 * when it is submitted and the previous one on its DBC has ended; DBCs run
 * concurrently.  The whole schedule is computed at submission (the device is
 * deterministic given the seed); one device thread sleeps until the next
 * stage boundary or WAIT deadline with absolute-time condvar waits, and then
 * completes BOs with the kernel's processed_ts = "now", as the IRQ thread
 * does.  Input BOs complete when the input DMA is done, output BOs at the end.
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "simkmd_priv.h"

uint64_t simkmd_prng_next(uint64_t *state)
{
	/* splitmix64: small, fast, good enough for jitter. */
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t simkmd_ns_to_ticks(uint64_t ns)
{
	/* 19.2 MHz: 19.2e6 / 1e9 = 12 / 625 */
	return (uint64_t)(((unsigned __int128)ns * 12) / 625);
}

static uint64_t scaled(uint64_t ns)
{
	double v = (double)ns * sk.time_scale;

	return v >= 1.8e19 ? UINT64_MAX / 4 : (uint64_t)v;
}

static uint64_t dma_ns(uint64_t bytes, uint64_t bytes_per_us)
{
	if (!bytes_per_us)
		return 0;
	return (uint64_t)(((unsigned __int128)bytes * 1000) / bytes_per_us);
}

/* The specialization a request of @tokens runs (nnc.nspec > 0). */
static const struct simkmd_nnc_spec *pick_spec(const struct simkmd_nnc_activate *n,
						uint64_t tokens)
{
	const struct simkmd_nnc_spec *best = NULL, *largest = &n->spec[0];

	for (uint32_t i = 0; i < n->nspec && i < SIMKMD_MAX_SPECS; i++) {
		const struct simkmd_nnc_spec *s = &n->spec[i];

		if (s->seq_len > largest->seq_len)
			largest = s;
		if (s->seq_len >= tokens && (!best || s->seq_len < best->seq_len))
			best = s;
	}
	return best ? best : largest;
}

/*
 * Compute time of a request: the network's mean (or its specialization's,
 * growing with the tokens) +- jitter, a tail with probability tail_ppm,
 * times the device's slowdown, plus a straggler delay with probability
 * QAIC_SIM_DEV_STRAGGLER's PPM.  Unscaled.
 */
static uint64_t compute_ns(struct sim_dbc *dbc, uint64_t tokens)
{
	const struct simkmd_nnc_activate *n = &dbc->nnc;
	int64_t c = (int64_t)n->compute_ns;
	uint64_t jitter = n->jitter_ns;
	double slow = sk.dev_slowdown[dbc->dev_index];

	if (n->nspec) {
		const struct simkmd_nnc_spec *s = pick_spec(n, tokens);

		c = (int64_t)(s->compute_ns + s->token_ns * tokens);
		jitter = s->jitter_ns;
	}
	if (jitter) {
		uint64_t span = 2 * jitter + 1;

		c += (int64_t)(simkmd_prng_next(&dbc->prng) % span) - (int64_t)jitter;
	}
	if (c < 0)
		c = 0;
	if (n->tail_ppm && simkmd_prng_next(&dbc->prng) % 1000000u < n->tail_ppm)
		c += (int64_t)n->tail_ns;
	if (slow != 1.0)
		c = (int64_t)((double)c * slow);
	if (sk.straggler_ppm &&
	    (sk.straggler_dev < 0 || sk.straggler_dev == dbc->dev_index) &&
	    simkmd_prng_next(&dbc->prng) % 1000000u < sk.straggler_ppm)
		c += (int64_t)sk.straggler_ns;
	return (uint64_t)c;
}

/*
 * Wake the device thread if it would sleep past @when: a wake-up it does
 * not need costs the caller (an EXECUTE's return) a futex wake, and on a
 * small machine a preemption, that a card's doorbell does not.
 */
static void device_kick(uint64_t when)
{
	if (when < sk.dev_wake_ns)
		pthread_cond_signal(&sk.dev_cond);
}

int simkmd_schedule(struct sim_dbc *dbc, struct sim_req *r, uint64_t in_bytes,
		    uint64_t out_bytes)
{
	uint64_t bw = dbc->nnc.dma_bytes_per_us;
	uint64_t out_wait;

	if (r->hung) {
		/* Lost by the device: it never completes and blocks nobody. */
		r->next = dbc->hung;
		dbc->hung = r;
		return 0;
	}
	if (dbc->last_end_ns > r->start_ns)
		r->start_ns = dbc->last_end_ns;
	r->in_done_ns = r->start_ns + scaled(dma_ns(in_bytes, bw));
	r->compute_done_ns = r->in_done_ns + scaled(compute_ns(dbc, r->tokens));
	/* The output DMA engine picks up within 1..4 device ticks. */
	out_wait = 52 * (1 + simkmd_prng_next(&dbc->prng) % 4);
	r->out_start_ns = r->compute_done_ns + scaled(out_wait);
	r->end_ns = r->out_start_ns + scaled(dma_ns(out_bytes, bw));
	dbc->last_end_ns = r->end_ns;
	r->stage = 0;
	r->next = NULL;
	if (dbc->tail)
		dbc->tail->next = r;
	else
		dbc->head = r;
	dbc->tail = r;
	/* behind another request, the device thread wakes for that one first */
	if (dbc->head == r)
		device_kick(r->in_done_ns);
	return 0;
}

/* ---- waiters ------------------------------------------------------------- */

void simkmd_waiter_add(struct sim_bo *bo, uint64_t notif_id, uint64_t deadline)
{
	struct sim_waiter *w = calloc(1, sizeof(*w));

	if (!w) {
		simkmd_reply(notif_id, -ENOMEM);
		return;
	}
	w->notif_id = notif_id;
	w->deadline_ns = deadline;
	w->bo = bo;
	w->next_on_bo = bo->waiters;
	bo->waiters = w;
	w->next_all = sk.waiters;
	if (sk.waiters)
		sk.waiters->prev_all = w;
	sk.waiters = w;
	device_kick(deadline);
}

static void waiter_unlink_all(struct sim_waiter *w)
{
	if (w->prev_all)
		w->prev_all->next_all = w->next_all;
	else
		sk.waiters = w->next_all;
	if (w->next_all)
		w->next_all->prev_all = w->prev_all;
}

/* Answer every WAIT on bo with err (0, -EIO, -EPERM). */
void simkmd_bo_fail_waiters(struct sim_bo *bo, int err)
{
	struct sim_waiter *w = bo->waiters;

	bo->waiters = NULL;
	while (w) {
		struct sim_waiter *next = w->next_on_bo;

		waiter_unlink_all(w);
		simkmd_reply(w->notif_id, err);
		free(w);
		w = next;
	}
}

static void waiter_timeout(struct sim_waiter *w)
{
	struct sim_bo *bo = w->bo;
	struct sim_waiter **pp = &bo->waiters;

	while (*pp && *pp != w)
		pp = &(*pp)->next_on_bo;
	if (*pp)
		*pp = w->next_on_bo;
	waiter_unlink_all(w);
	simkmd_reply(w->notif_id, -ETIMEDOUT);
	sk.stats.wait_timeouts++;
	free(w);
	simkmd_bo_maybe_free(bo);
}

/* ---- BO completion, release -------------------------------------------- */

void simkmd_bo_maybe_free(struct sim_bo *bo)
{
	struct sim_device *dev;

	if (bo->handle || bo->req || bo->waiters)
		return;
	/* Give the memory back; the node file stays sparse. */
	dev = bo->file->dev;
	fallocate(dev->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		  (off_t)bo->offset, (off_t)bo->alloc_size);
	free(bo->slices);
	free(bo);
}

static void bo_release_ring(struct sim_bo *bo)
{
	struct sim_dbc *dbc = bo->req->dbc;

	dbc->used -= bo->ring_held;
	bo->ring_held = 0;
	bo->req = NULL;
}

void simkmd_bo_complete(struct sim_bo *bo, int status, uint64_t now)
{
	bo_release_ring(bo);
	bo->processed_ns = now;
	/* QAIC_SIM_KMD_LOG: what PERF_STATS will say of this execution */
	if (sk.kmd_log && bo->file)
		fprintf(sk.kmd_log, "%d %u %u %u %d %" PRIu64 " %" PRIu64 " %" PRIu64
			" %" PRIu64 " %u %u\n", bo->file->dev->index, bo->dbc_id,
			bo->handle, bo->dir, status, bo->received_ns, bo->submit_ns,
			now, (bo->submit_ns - bo->received_ns) / 1000,
			(uint32_t)((now - bo->submit_ns) / 1000), bo->queue_level_before);
	bo->exec_error = status;
	simkmd_bo_fail_waiters(bo, status);
	simkmd_bo_maybe_free(bo);
}

static void unlink_hung(struct sim_dbc *dbc, struct sim_req *r)
{
	struct sim_req **pp = &dbc->hung;

	while (*pp && *pp != r)
		pp = &(*pp)->next;
	if (*pp)
		*pp = r->next;
}

void simkmd_reclaim_hung(struct sim_dbc *dbc, struct sim_req *r)
{
	unlink_hung(dbc, r);
	for (uint32_t i = 0; i < r->nbos; i++) {
		struct sim_bo *bo = r->bos[i];

		if (!bo || bo->req != r)
			continue;
		r->bos[i] = NULL;
		bo_release_ring(bo);
		/* Its waiters keep waiting until their deadline, as on a card. */
		simkmd_bo_maybe_free(bo);
	}
	free(r->bos);
	free(r);
}

/* Drop a request on deactivation: the kernel zeroes the perf stats. */
static void drop_request(struct sim_req *r, int err)
{
	for (uint32_t i = 0; i < r->nbos; i++) {
		struct sim_bo *bo = r->bos[i];

		if (!bo || bo->req != r)
			continue;
		r->bos[i] = NULL;
		bo_release_ring(bo);
		bo->received_ns = bo->submit_ns = bo->processed_ns = 0;
		bo->queue_level_before = 0;
		simkmd_bo_fail_waiters(bo, err);
		simkmd_bo_maybe_free(bo);
	}
	free(r->bos);
	free(r);
}

void simkmd_dbc_release(struct sim_dbc *dbc)
{
	simkmd_dbc_release_err(dbc, -EPERM);
}

void simkmd_dbc_release_err(struct sim_dbc *dbc, int err)
{
	struct sim_file *f = dbc->owner;

	while (dbc->head) {
		struct sim_req *r = dbc->head;

		dbc->head = r->next;
		drop_request(r, err);
	}
	dbc->tail = NULL;
	while (dbc->hung) {
		struct sim_req *r = dbc->hung;

		dbc->hung = r->next;
		drop_request(r, err);
	}
	/* release_dbc detaches every BO sliced on the channel. */
	for (uint32_t h = 1; f && h < f->nbos_cap; h++) {
		struct sim_bo *bo = f->bos[h];

		if (bo && bo->sliced && bo->dbc_id == dbc->id) {
			simkmd_bo_unslice(bo);
			simkmd_bo_fail_waiters(bo, err);
		}
	}
	simkmd_nnc_dbc_released(dbc);
	dbc->owner = NULL;
	dbc->used = 0;
	dbc->nelem = 0;
	dbc->last_end_ns = 0;
	device_kick(0);
}

/* ---- the device thread --------------------------------------------------- */

static void write_cycle_counts(struct sim_req *r)
{
	struct simkmd_cycle_counts cc;
	struct sim_bo *last = NULL;

	for (uint32_t i = 0; i < r->nbos; i++)
		if (r->bos[i] && r->bos[i]->dir == SIMKMD_DIR_FROM_DEV)
			last = r->bos[i];
	if (!last || last->size < 64)
		return;
	memset(&cc, 0, sizeof(cc));
	cc.magic = SIMKMD_CYCLES_MAGIC;
	cc.start_tick = simkmd_ns_to_ticks(r->start_ns);
	cc.input_done_tick = simkmd_ns_to_ticks(r->in_done_ns);
	cc.compute_done_tick = simkmd_ns_to_ticks(r->compute_done_ns);
	cc.output_start_tick = simkmd_ns_to_ticks(r->out_start_ns);
	cc.end_tick = simkmd_ns_to_ticks(r->end_ns);
	if (pwrite(last->file->dev->fd, &cc, sizeof(cc),
		   (off_t)(last->offset + last->size - 64)) != (ssize_t)sizeof(cc))
		fprintf(stderr, "simkmd: cannot write cycle counts: %s\n", strerror(errno));
}

static void complete_dir(struct sim_req *r, uint32_t dir, int status, uint64_t now)
{
	for (uint32_t i = 0; i < r->nbos; i++) {
		struct sim_bo *bo = r->bos[i];

		/* Completing may free a closed BO: forget it first. */
		if (bo && bo->req == r && bo->dir == dir) {
			r->bos[i] = NULL;
			bo->dev_start_ns = r->start_ns;
			bo->dev_end_ns = r->end_ns;
			bo->dev_done_ns = dir == SIMKMD_DIR_TO_DEV ?
					  r->in_done_ns : r->end_ns;
			simkmd_bo_complete(bo, status, now);
		}
	}
}

/*
 * Faults that strike a device after its N-th completed request: a
 * subsystem restart releases its DBCs (the file that owned each one gets
 * -EPIPE from EXECUTE until it activates again) and refuses activations
 * for a while; a removal releases them with -ENODEV for good.  True when
 * the device's DBCs were released.
 */
static bool device_faults(struct sim_device *dev, uint64_t now)
{
	const struct simkmd_faults *fl = &sk.faults;
	bool ssr, gone;

	dev->requests_done++;
	ssr = fl->ssr_dev == dev->index && fl->ssr_after >= 0 &&
	      dev->requests_done == (uint64_t)fl->ssr_after;
	gone = fl->gone_dev == dev->index && fl->gone_after >= 0 &&
	       dev->requests_done == (uint64_t)fl->gone_after;
	if (!ssr && !gone)
		return false;
	for (uint32_t i = 0; i < SIMKMD_NUM_DBC; i++) {
		struct sim_dbc *dbc = &dev->dbc[i];

		if (!dbc->owner)
			continue;
		if (!gone)
			dbc->ssr_owner = dbc->owner;
		simkmd_dbc_release_err(dbc, gone ? -ENODEV : -EPERM);
	}
	if (gone) {
		dev->gone = true;
	} else {
		dev->ssr_until_ns = now + (uint64_t)fl->ssr_ms * 1000000ull;
		dev->ssr_count++;
	}
	return true;
}

/*
 * The completion interrupt of a stage that ended at @t: handled
 * SIMKMD_IRQ_NS later, as a host's IRQ thread stamps processed_ts a
 * microsecond or two after the device raised it, never after now.  The
 * device thread itself wakes later than that on a virtual machine (a
 * timed wait there: 33-43 us late on a 2-vCPU guest), which the WAIT's
 * answer shows, as a loaded host would; the kernel's stamp does not
 * inherit it, so the bounds a profiler draws from execToComplete are a
 * card's (docs/SIM-KMD.md).
 */
#define SIMKMD_IRQ_NS 2000

static uint64_t irq_time(uint64_t t, uint64_t now)
{
	return t + SIMKMD_IRQ_NS < now ? t + SIMKMD_IRQ_NS : now;
}

/* Run every stage boundary of this channel that is due. */
static void advance_dbc(struct sim_dbc *dbc, uint64_t now)
{
	while (dbc->head) {
		struct sim_req *r = dbc->head;
		int status = r->deverr ? -EIO : 0;

		if (r->stage == 0) {
			if (r->in_done_ns > now)
				return;
			complete_dir(r, SIMKMD_DIR_TO_DEV, status,
				     irq_time(r->in_done_ns, now));
			r->stage = 1;
			continue;
		}
		if (r->end_ns > now)
			return;
		if (dbc->nnc.stats_compiled)
			write_cycle_counts(r);
		complete_dir(r, SIMKMD_DIR_FROM_DEV, status,
			     irq_time(r->end_ns, now));
		dbc->head = r->next;
		if (!dbc->head)
			dbc->tail = NULL;
		sk.stats.requests_done++;
		free(r->bos);
		free(r);
		if (device_faults(&sk.dev[dbc->dev_index], now))
			return;
	}
}

static uint64_t next_event(void)
{
	uint64_t next = UINT64_MAX;

	for (int d = 0; d < sk.ndev; d++)
		for (uint32_t i = 0; i < SIMKMD_NUM_DBC; i++) {
			struct sim_req *r = sk.dev[d].dbc[i].head;
			uint64_t t;

			if (!r)
				continue;
			t = r->stage == 0 ? r->in_done_ns : r->end_ns;
			if (t < next)
				next = t;
		}
	for (struct sim_waiter *w = sk.waiters; w; w = w->next_all)
		if (w->deadline_ns < next)
			next = w->deadline_ns;
	return next;
}

static void expire_waiters(uint64_t now)
{
	struct sim_waiter *w = sk.waiters;

	while (w) {
		struct sim_waiter *next = w->next_all;

		if (w->deadline_ns <= now)
			waiter_timeout(w);
		w = next;
	}
}

void *simkmd_device_main(void *arg)
{
	struct sched_param batch = { 0 };

	(void)arg;
	/* Wake-ups are the device's interrupts: keep them punctual. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	/*
	 * A card's doorbell is a register write; waking this thread must not
	 * take the CPU from the caller still in its EXECUTE (a SCHED_BATCH
	 * thread never preempts on wake-up).  docs/SIM-KMD.md.
	 */
	pthread_setschedparam(pthread_self(), SCHED_BATCH, &batch);
	pthread_mutex_lock(&sk.lock);
	for (;;) {
		uint64_t now = simkmd_now_ns();
		uint64_t next;

		for (int d = 0; d < sk.ndev; d++)
			for (uint32_t i = 0; i < SIMKMD_NUM_DBC; i++)
				advance_dbc(&sk.dev[d].dbc[i], now);
		expire_waiters(now);
		next = next_event();
		sk.dev_wake_ns = next;
		if (next == UINT64_MAX) {
			pthread_cond_wait(&sk.dev_cond, &sk.lock);
		} else if (next > now) {
			struct timespec ts = {
				.tv_sec = (time_t)(next / 1000000000ull),
				.tv_nsec = (long)(next % 1000000000ull),
			};

			pthread_cond_timedwait(&sk.dev_cond, &sk.lock, &ts);
		}
		sk.dev_wake_ns = 0;	/* awake: sees every change before sleeping */
	}
	return NULL;
}
