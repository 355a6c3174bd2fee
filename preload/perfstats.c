/* SPDX-License-Identifier: MIT */
/*
 * The shim's own PERF_STATS_BO query (QPROF_KMD_STATS).
 *
 * Right after a successful WAIT_BO (never before: the kernel reports
 * device_latency_us = 0 for a BO that has not completed), the shim asks the
 * kernel for the perf stats of every BO of the request that was waited for,
 * and emits kmd_perf_stats with by_shim = 1.  The request's entries come
 * from its EXECUTE, remembered under its wait handle (the last FROM_DEV
 * entry, as the runtime picks it) in a linear-probing table of seqlocked
 * slots:
 * EXECUTE and WAIT usually run on different runtime threads.  If the
 * request is unknown (table collision, EXECUTE before the session started)
 * the waited handle alone is queried.
 *
 * Mode auto (default) skips the query while the runtime queries perf stats
 * itself (it did within the last 64 WAITs of this process).  The query
 * never changes errno or anything the runtime sees: PERF_STATS_BO only
 * reads the kernel's per-BO timestamps.
 */
#include "shim.h"

#include <string.h>

#define SLOTS 4096u	/* power of two */
#define PROBES 32u	/* linear-probe length */
#define SLOT_HANDLES 64u
#define AUTO_WINDOW 64u

/*
 * One request per wait handle, found by linear probing from the hash of
 * (fd, dbc_id, wait handle): a runtime keeps one request per exec object
 * and re-executes it with the same handles, so live keys are few (one per
 * exec object) and an entry is simply overwritten by its next EXECUTE.
 * count == 0 marks an empty slot.
 */
struct exec_slot {
	atomic_uint seq;	/* odd while being written */
	_Atomic int32_t fd;
	_Atomic uint32_t dbc_id;
	_Atomic uint32_t wait_handle;
	_Atomic uint32_t count;
	_Atomic uint32_t handles[SLOT_HANDLES];
};

static struct exec_slot slots[SLOTS];
static atomic_ulong waits;
static atomic_ulong runtime_mark;
static atomic_int runtime_queries;

static uint32_t slot_hash(int fd, uint32_t dbc_id, uint32_t handle)
{
	uint32_t h = handle * 2654435761u ^ dbc_id * 40503u ^
		     (uint32_t)fd * 2246822519u;

	return h ^ (h >> 16);
}

static bool slot_has_key(struct exec_slot *s, int fd, uint32_t dbc_id,
			 uint32_t handle)
{
	return atomic_load_explicit(&s->count, memory_order_relaxed) &&
	       atomic_load_explicit(&s->fd, memory_order_relaxed) == fd &&
	       atomic_load_explicit(&s->dbc_id, memory_order_relaxed) == dbc_id &&
	       atomic_load_explicit(&s->wait_handle, memory_order_relaxed) ==
		       handle;
}

static bool slot_is_empty(struct exec_slot *s)
{
	return !atomic_load_explicit(&s->count, memory_order_relaxed);
}

/* Take the slot's seqlock; false if another writer holds it. */
static bool slot_lock(struct exec_slot *s, unsigned int *seq)
{
	*seq = atomic_load_explicit(&s->seq, memory_order_relaxed);
	do {
		if (*seq & 1)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(
		&s->seq, seq, *seq + 1, memory_order_acquire,
		memory_order_relaxed));
	return true;
}

static void slot_fill(struct exec_slot *s, unsigned int seq, int fd,
		      const struct qp_exec_req *req, uint32_t wait_handle)
{
	unsigned int i, n;

	n = req->count < SLOT_HANDLES ? req->count : SLOT_HANDLES;
	atomic_store_explicit(&s->fd, fd, memory_order_relaxed);
	atomic_store_explicit(&s->dbc_id, req->dbc_id, memory_order_relaxed);
	atomic_store_explicit(&s->wait_handle, wait_handle,
			      memory_order_relaxed);
	atomic_store_explicit(&s->count, n, memory_order_relaxed);
	for (i = 0; i < n; i++)
		atomic_store_explicit(&s->handles[i], req->handles[i],
				      memory_order_relaxed);
	atomic_store_explicit(&s->seq, seq + 2, memory_order_release);
}

void qp_exec_remember(int fd, const struct qp_exec_req *req)
{
	int w = qp_exec_wait_index(req->dirs, req->count);
	struct exec_slot *s, *empty = NULL;
	uint32_t h, p, wh;
	unsigned int seq;

	if (w < 0 || !req->count)
		return;
	wh = req->handles[w];
	h = slot_hash(fd, req->dbc_id, wh);
	for (p = 0; p < PROBES; p++) {
		s = &slots[(h + p) & (SLOTS - 1)];
		if (slot_has_key(s, fd, req->dbc_id, wh))
			break;
		if (!empty && slot_is_empty(s))
			empty = s;
		s = NULL;
	}
	if (!s)
		s = empty ? empty : &slots[h & (SLOTS - 1)];
	/*
	 * A concurrent writer may hold the slot, or have just taken the
	 * empty one for another key: drop this request; a lookup then falls
	 * back to the waited handle alone.
	 */
	if (!slot_lock(s, &seq))
		return;
	if (!slot_is_empty(s) && !slot_has_key(s, fd, req->dbc_id, wh) &&
	    s == empty) {
		atomic_store_explicit(&s->seq, seq + 2, memory_order_release);
		return;
	}
	slot_fill(s, seq, fd, req, wh);
}

/* Copy slot s if it holds the key; returns the count, 0 if not. */
static uint32_t slot_read(struct exec_slot *s, int fd, uint32_t dbc_id,
			  uint32_t wait_handle, uint32_t *handles, uint32_t max,
			  bool *stable)
{
	unsigned int seq, i, n = 0;

	seq = atomic_load_explicit(&s->seq, memory_order_acquire);
	*stable = false;
	if (seq & 1)
		return 0;
	if (slot_has_key(s, fd, dbc_id, wait_handle)) {
		n = atomic_load_explicit(&s->count, memory_order_relaxed);
		if (n > max)
			n = max;
		for (i = 0; i < n; i++)
			handles[i] = atomic_load_explicit(&s->handles[i],
							  memory_order_relaxed);
	}
	atomic_thread_fence(memory_order_acquire);
	*stable = atomic_load_explicit(&s->seq, memory_order_relaxed) == seq;
	return n;
}

uint32_t qp_exec_lookup(int fd, uint32_t dbc_id, uint32_t wait_handle,
			uint32_t *handles, uint32_t max)
{
	uint32_t h = slot_hash(fd, dbc_id, wait_handle), p, n;
	unsigned int tries;
	bool stable;

	for (p = 0; p < PROBES; p++) {
		struct exec_slot *s = &slots[(h + p) & (SLOTS - 1)];

		for (tries = 0; tries < 8; tries++) {
			n = slot_read(s, fd, dbc_id, wait_handle, handles, max,
				      &stable);
			if (stable)
				break;
		}
		if (stable && n)
			return n;
		if (stable && slot_is_empty(s))
			return 0;	/* end of the probe run */
	}
	return 0;
}

void qp_exec_table_reset(void)
{
	unsigned int i;

	for (i = 0; i < SLOTS; i++) {
		atomic_store(&slots[i].seq, 0);
		atomic_store(&slots[i].count, 0);
		atomic_store(&slots[i].fd, -1);
	}
	atomic_store(&waits, 0);
	atomic_store(&runtime_mark, 0);
	atomic_store(&runtime_queries, 0);
}

bool qp_perfstats_wanted(void)
{
	return qp_config.kmd_stats != QP_KMD_STATS_OFF &&
	       lttng_ust_tracepoint_enabled(qprof, kmd_perf_stats);
}

void qp_perfstats_note_runtime(void)
{
	atomic_store_explicit(&runtime_mark,
			      atomic_load_explicit(&waits,
						   memory_order_relaxed),
			      memory_order_relaxed);
	atomic_store_explicit(&runtime_queries, 1, memory_order_relaxed);
}

/* In auto mode: does the runtime currently provide perf stats itself? */
static bool runtime_provides(unsigned long wait_no)
{
	unsigned long mark;

	if (qp_config.kmd_stats != QP_KMD_STATS_AUTO ||
	    !atomic_load_explicit(&runtime_queries, memory_order_relaxed))
		return false;
	mark = atomic_load_explicit(&runtime_mark, memory_order_relaxed);
	return wait_no - mark <= AUTO_WINDOW;
}

void qp_perfstats_after_wait(int fd, const struct qaic_wait *w,
			     const void *ip)
{
	struct qaic_perf_stats_entry e[SLOT_HANDLES];
	uint32_t handles[SLOT_HANDLES];
	int (*real)(int, unsigned long, ...);
	struct qprof_tp_call c;
	struct qp_perf_arrays pa;
	struct qaic_perf_stats ps;
	unsigned long wait_no;
	uint32_t n, i;
	int ret;

	if (!qp_perfstats_wanted())
		return;
	wait_no = atomic_fetch_add_explicit(&waits, 1,
					    memory_order_relaxed) + 1;
	if (runtime_provides(wait_no))
		return;
	real = qp_libc_fn(ioctl);
	if (!real)
		return;
	n = qp_exec_lookup(fd, w->dbc_id, w->handle, handles, SLOT_HANDLES);
	if (!n) {
		handles[0] = w->handle;
		n = 1;
	}
	memset(e, 0, n * sizeof(e[0]));	/* only the entries queried */
	for (i = 0; i < n; i++)
		e[i].handle = handles[i];
	memset(&ps, 0, sizeof(ps));
	ps.hdr.count = (uint16_t)n;
	ps.hdr.dbc_id = w->dbc_id;
	ps.data = (uint64_t)(uintptr_t)e;
	qp_call_begin(&c, ip);
	ret = real(fd, DRM_IOCTL_QAIC_PERF_STATS_BO, &ps);
	c.status = ret;
	c.err = ret < 0 ? errno : 0;
	qp_perf_decode(e, n, &pa);
	lttng_ust_do_tracepoint(qprof, kmd_perf_stats, &c, fd, w->dbc_id, 1,
				pa.handles, pa.qlevel, pa.nelem, pa.submit_us,
				pa.device_us, pa.count);
}
