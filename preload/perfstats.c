/* SPDX-License-Identifier: MIT */
/*
 * The shim's own PERF_STATS_BO query (QPROF_KMD_STATS), and the directions
 * BOs were attached with.
 *
 * The kernel keeps the perf stats of a BO's most recent execution only:
 * the next EXECUTE of the BO overwrites them, and before its completion
 * device_latency_us reads 0 (docs/CONTRACTS.md §2.3).  So the stats of one
 * run of a request can be read between its completion and its next EXECUTE,
 * and every run the runtime does not query itself after its completion must
 * be queried by the shim in that window.  Mode auto (default) does it
 * deferred and batched (docs/SHIM.md, "The shim's own PERF_STATS query"):
 *
 *   - a successful EXECUTE makes its request "active" (remembered under
 *     its wait handle: the last entry attached FROM_DEV);
 *   - a successful WAIT of an active request makes it "owed";
 *   - a query is issued only when needed: before an EXECUTE that would
 *     overwrite an active request's stats, before its BOs are released
 *     (GEM_CLOSE, DETACH, a DEACTIVATE of its DBC, the close of its fd),
 *     when 64 requests are owed, and at exit.  One PERF_STATS_BO call then
 *     asks for every owed request of that fd and DBC *and* every other
 *     active one (the ioctl takes a list of handles): those whose wait
 *     handle already shows a device latency have completed and are done
 *     too, before their WAIT.  Each request answered is recorded as one
 *     kmd_perf_stats event (by_shim = 1, its slice of the call:
 *     query_first, query_count);
 *   - a successful query of the runtime's own, after the request's
 *     completion and covering all its entries, settles it: no query;
 *   - a WAIT or EXECUTE failing with EPERM, ENODEV or EPIPE (the DBC was
 *     released) forgets the DBC's requests: their BOs are detached.
 *
 * Mode always queries the waited request right after each successful WAIT
 * (one call per WAIT, whatever the runtime does).  A WAIT of a request the
 * shim does not know (the table is full, or its EXECUTE came before the
 * session) queries the waited handle alone, at once.
 *
 * The request table is guarded by one mutex, never held across a system
 * call: a query marks its requests busy, and an EXECUTE of a busy request
 * waits for the query's answer.  The query never changes errno or anything
 * the runtime sees: PERF_STATS_BO only reads the kernel's per-BO stats.
 */
#include "shim.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- attach directions, per (fd, handle) ------------------------------ */

/*
 * Open addressing, one packed word per BO: valid bit 63, dir in bits
 * 54-55, fd in bits 32-53, handle in bits 0-31.  Entries are only added
 * or updated (GEM handles and fd numbers are reused by the kernel, so the
 * keys in use stay few); lock-free.
 */
#define DIR_SLOTS (1u << 16)
#define DIR_PROBES 64u
#define DIR_VALID (1ull << 63)
#define DIR_KEY_MASK ((1ull << 54) - 1)

static _Atomic uint64_t dirs[DIR_SLOTS];

static uint64_t dir_key(int fd, uint32_t handle)
{
	return ((uint64_t)((uint32_t)fd & 0x3fffffu) << 32) | handle;
}

static uint32_t dir_hash(uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 40);
}

void qp_bo_attached(int fd, uint32_t handle, uint32_t dir)
{
	uint64_t key = dir_key(fd, handle), cur;
	uint64_t val = DIR_VALID | ((uint64_t)(dir & 3u) << 54) | key;
	uint32_t h = dir_hash(key), p;

	for (p = 0; p < DIR_PROBES; p++) {
		_Atomic uint64_t *s = &dirs[(h + p) & (DIR_SLOTS - 1)];

		cur = atomic_load_explicit(s, memory_order_relaxed);
		for (;;) {
			if (cur && (cur & DIR_KEY_MASK) != key)
				break;	/* another BO's: probe on */
			if (atomic_compare_exchange_weak_explicit(
				    s, &cur, val, memory_order_relaxed,
				    memory_order_relaxed))
				return;
		}
	}
}

uint32_t qp_bo_dir(int fd, uint32_t handle)
{
	uint64_t key = dir_key(fd, handle), cur;
	uint32_t h = dir_hash(key), p;

	for (p = 0; p < DIR_PROBES; p++) {
		cur = atomic_load_explicit(&dirs[(h + p) & (DIR_SLOTS - 1)],
					   memory_order_relaxed);
		if (!cur)
			return 0;
		if ((cur & DIR_KEY_MASK) == key)
			return (uint32_t)(cur >> 54) & 3u;
	}
	return 0;
}

/* ---- the request table ------------------------------------------------- */

#define REQ_SLOTS 4096u	/* power of two */
#define REQ_PROBES 64u
#define OWED_MAX 64u	/* owed requests that force a query */
#define QUERY_MAX 65535u	/* entries of one PERF_STATS_BO (u16 count) */
#define OWED_BIT (1u << 31)	/* in a query's list: owed when collected */
#define ANSWER_BIT (1u << 30)	/* and answered by the call */

struct req {
	int32_t fd1;		/* fd + 1; 0: empty slot */
	uint32_t dbc_id;
	uint32_t wait_handle;
	uint32_t wait_index;
	uint32_t count;
	uint32_t cap;
	uint32_t *handles;
	/* the query's entries of this request, built when handles change */
	struct qaic_perf_stats_entry *ent;
	uint64_t gen;		/* changes with handles (never reused) */
	uint32_t active_pos;	/* position in active[] + 1; 0: not active */
	bool waited;		/* owed: active and waited */
	bool busy;		/* in a query being answered */
};

static struct req reqs[REQ_SLOTS];
/*
 * Lock-free mirrors, for the check before every EXECUTE: each slot's key
 * ((fd + 1) << 32 | wait handle, set once when the slot is taken) and
 * whether it is active.  The runtime's own ordering (a WAIT returns before
 * the exec object is submitted again) makes the state a WAIT left visible
 * to the thread of the next EXECUTE.
 */
static _Atomic uint64_t keys[REQ_SLOTS];
static _Atomic uint8_t hot[REQ_SLOTS];
static uint32_t active[REQ_SLOTS];
static uint32_t nactive;
static atomic_uint nactive_pub;	/* nactive, readable without the lock */
static uint32_t nowed;
static uint64_t gen_last;	/* the last req.gen given (under mu) */
static atomic_ulong own_ioctls;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void atfork_prepare(void)
{
	pthread_mutex_lock(&mu);
}

static void atfork_parent(void)
{
	pthread_mutex_unlock(&mu);
}

/* The child's requests are its parent's: it owes nothing. */
static void atfork_child(void)
{
	pthread_mutex_init(&mu, NULL);
	pthread_cond_init(&cv, NULL);
	qp_perfstats_reset();
}

static void at_exit(void)
{
	qp_perfstats_flush_all();
}

static void setup(void)
{
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
	atexit(at_exit);
}

static uint32_t req_hash(int fd, uint32_t handle)
{
	uint32_t h = handle * 2654435761u ^ (uint32_t)fd * 2246822519u;

	return h ^ (h >> 16);
}

/* The request whose wait handle is handle on fd, or NULL. */
static struct req *req_find(int fd, uint32_t handle)
{
	uint32_t h = req_hash(fd, handle), p;

	for (p = 0; p < REQ_PROBES; p++) {
		struct req *r = &reqs[(h + p) & (REQ_SLOTS - 1)];

		if (!r->fd1)
			return NULL;
		if (r->fd1 == fd + 1 && r->wait_handle == handle)
			return r;
	}
	return NULL;
}

static struct req *req_find_or_add(int fd, uint32_t handle)
{
	uint32_t h = req_hash(fd, handle), p;

	for (p = 0; p < REQ_PROBES; p++) {
		struct req *r = &reqs[(h + p) & (REQ_SLOTS - 1)];

		if (!r->fd1) {
			r->fd1 = fd + 1;
			r->wait_handle = handle;
			atomic_store_explicit(&keys[r - reqs],
					      (uint64_t)(uint32_t)(fd + 1) << 32 |
						      handle,
					      memory_order_release);
			return r;
		}
		if (r->fd1 == fd + 1 && r->wait_handle == handle)
			return r;
	}
	return NULL;
}

static void activate(struct req *r)
{
	if (r->active_pos)
		return;
	active[nactive] = (uint32_t)(r - reqs);
	r->active_pos = ++nactive;
	atomic_store_explicit(&hot[r - reqs], 1, memory_order_relaxed);
	atomic_store_explicit(&nactive_pub, nactive, memory_order_relaxed);
}

static void deactivate(struct req *r)
{
	uint32_t pos = r->active_pos, last;

	if (!pos)
		return;
	if (r->waited) {
		r->waited = false;
		nowed--;
	}
	last = active[--nactive];
	active[pos - 1] = last;
	reqs[last].active_pos = pos;
	r->active_pos = 0;
	atomic_store_explicit(&hot[r - reqs], 0, memory_order_relaxed);
	atomic_store_explicit(&nactive_pub, nactive, memory_order_relaxed);
}

bool qp_perfstats_wanted(void)
{
	return qp_config.kmd_stats != QP_KMD_STATS_OFF &&
	       lttng_ust_tracepoint_enabled(qprof, kmd_perf_stats);
}

bool qp_perfstats_pending(void)
{
	return atomic_load_explicit(&nactive_pub, memory_order_relaxed) != 0;
}

/* One request's event from decoded arrays (its n entries at pa's). */
static void emit_arrays(const struct qprof_tp_call *c, int fd,
			uint32_t dbc_id, const struct qp_perf_arrays *pa,
			uint32_t first, uint32_t n, const uint32_t *handles)
{
	lttng_ust_do_tracepoint(qprof, kmd_perf_stats, c, fd, dbc_id, 1,
				handles, pa->qlevel + first,
				pa->nelem + first, pa->submit_us + first,
				pa->device_us + first, n);
}

/*
 * One request's event: its n entries, from e[first] of the call's;
 * handles: the request's (as asked: the kernel does not change them), or
 * NULL to decode them too.
 */
static void emit_slice(const struct qprof_tp_call *c, int fd, uint32_t dbc_id,
		       const struct qaic_perf_stats_entry *e, uint32_t first,
		       uint32_t n, const uint32_t *handles)
{
	struct qp_perf_arrays pa;
	uint32_t *mem = qp_scratch(QP_SCRATCH_PERF,
				   (size_t)(n ? n : 1) * 5 * sizeof(uint32_t));

	if (!mem || !lttng_ust_tracepoint_enabled(qprof, kmd_perf_stats))
		return;
	pa.handles = handles ? NULL : mem;
	pa.qlevel = mem + n;
	pa.nelem = mem + 2 * n;
	pa.submit_us = mem + 3 * n;
	pa.device_us = mem + 4 * n;
	qp_perf_decode(e + first, n, &pa);
	if (handles)
		pa.handles = (uint32_t *)handles;
	lttng_ust_do_tracepoint(qprof, kmd_perf_stats, c, fd, dbc_id, 1,
				pa.handles, pa.qlevel, pa.nelem, pa.submit_us,
				pa.device_us, pa.count);
}

static void emit_query(const struct qprof_tp_call *c, int fd, uint32_t dbc_id,
		       uint32_t count, uint32_t requests, uint32_t answered)
{
	if (lttng_ust_tracepoint_enabled(qprof, kmd_perf_query))
		lttng_ust_do_tracepoint(qprof, kmd_perf_query, c, fd, dbc_id,
					count, requests, answered);
}

/* One PERF_STATS_BO call of the shim's (errno preserved by the callers). */
static int own_query(int fd, uint32_t dbc_id,
		     struct qaic_perf_stats_entry *e, uint32_t n,
		     struct qprof_tp_call *c, const void *ip)
{
	int (*real)(int, unsigned long, ...) = qp_libc_fn(ioctl);
	struct qaic_perf_stats ps;
	int ret;

	memset(&ps, 0, sizeof(ps));
	ps.hdr.count = (uint16_t)n;
	ps.hdr.dbc_id = dbc_id;
	ps.data = (uint64_t)(uintptr_t)e;
	qp_call_begin(c, ip);
	if (!real) {
		c->status = -1;
		c->err = ENOSYS;
		return -1;
	}
	ret = real(fd, DRM_IOCTL_QAIC_PERF_STATS_BO, &ps);
	atomic_fetch_add_explicit(&own_ioctls, 1, memory_order_relaxed);
	c->status = ret;
	c->err = ret < 0 ? errno : 0;
	return ret;
}

/*
 * Query the owed requests of (fd, dbc_id) and probe its other active ones,
 * in calls of at most QUERY_MAX entries.  Called and returns with mu held
 * (released during the system calls).
 */
/*
 * The query's entries are built in the thread's QP_SCRATCH_QENT, which
 * keeps them from one call to the next: the kernel writes the stats
 * fields of each entry back and leaves its handle as asked.  A request
 * found at the offset where the thread's previous query put it, with
 * the same handles (req.gen), is not copied again; that memo (per
 * thread, QP_SCRATCH_QMEMO) is the previous query's layout.
 */
struct qmemo {
	uint32_t idx;	/* reqs[] index */
	uint32_t off;	/* first entry */
	uint64_t gen;	/* req.gen when its entries were copied there */
};

static QP_TLS uint32_t nmemo;

/* After a failed call: the stats fields as they were asked (zero). */
static void zero_stats(struct qaic_perf_stats_entry *e, uint32_t n)
{
	uint32_t i, h;

	for (i = 0; i < n; i++) {
		h = e[i].handle;
		e[i] = (struct qaic_perf_stats_entry){ .handle = h };
	}
}

static void flush(int fd, uint32_t dbc_id, const void *ip)
{
	uint32_t *list = NULL, nlist = 0, total, i, k, off, answered;
	struct qaic_perf_stats_entry *e;
	struct qmemo *memo;
	struct qp_perf_arrays pa;
	struct qprof_tp_call c;
	int ret, pass;

	for (;;) {
		/* Owed requests first, then the probes, up to QUERY_MAX. */
		list = qp_scratch(QP_SCRATCH_QUERY,
				  (size_t)nactive * sizeof(uint32_t) + 1);
		if (!list)
			return;
		nlist = 0;
		total = 0;
		for (pass = 0; pass < 2; pass++)
			for (i = 0; i < nactive; i++) {
				struct req *r = &reqs[active[i]];

				if (r->fd1 != fd + 1 || r->dbc_id != dbc_id ||
				    r->busy || r->waited != (pass == 0) ||
				    total + r->count > QUERY_MAX)
					continue;
				r->busy = true;
				list[nlist++] = active[i] |
						(pass == 0 ? OWED_BIT : 0);
				total += r->count;
			}
		if (!nlist)
			return;
		e = qp_scratch(QP_SCRATCH_QENT, (size_t)total * sizeof(*e) + 1);
		memo = e ? qp_scratch(QP_SCRATCH_QMEMO,
				      (size_t)nlist * sizeof(*memo)) : NULL;
		if (!memo) {
			for (k = 0; k < nlist; k++)
				reqs[list[k] & ~OWED_BIT].busy = false;
			pthread_cond_broadcast(&cv);
			nmemo = 0;
			return;
		}
		for (k = 0, off = 0; k < nlist; k++) {
			uint32_t idx = list[k] & ~OWED_BIT;
			struct req *r = &reqs[idx];

			if (k >= nmemo || memo[k].idx != idx ||
			    memo[k].off != off || memo[k].gen != r->gen) {
				memcpy(e + off, r->ent, r->count * sizeof(*e));
				memo[k] = (struct qmemo){ idx, off, r->gen };
			}
			off += r->count;
		}
		nmemo = nlist;
		pthread_mutex_unlock(&mu);
		ret = own_query(fd, dbc_id, e, total, &c, ip);
		if (ret < 0)
			zero_stats(e, total);
		if (ret < 0 && nlist > 1) {
			/*
			 * One stale request (its BOs released behind the
			 * shim's back) fails the whole call: ask for each
			 * owed request alone, forget the probes.
			 */
			emit_query(&c, fd, dbc_id, total, nlist, 0);
			for (k = 0, off = 0; k < nlist; k++) {
				struct req *r = &reqs[list[k] & ~OWED_BIT];
				uint32_t n = r->count;	/* busy: stable */

				if ((list[k] & OWED_BIT) &&
				    own_query(fd, dbc_id, e + off, n, &c,
					      ip) == 0) {
					emit_query(&c, fd, dbc_id, n, 1, 1);
					emit_slice(&c, fd, dbc_id, e + off, 0,
						   n, r->handles);
				}
				off += n;
			}
		}
		pthread_mutex_lock(&mu);
		/* answered: owed (a failure too, when alone), or completed */
		for (k = 0, off = 0, answered = 0; k < nlist; k++) {
			struct req *r = &reqs[list[k] & ~OWED_BIT];
			bool owed = list[k] & OWED_BIT;

			if (ret < 0 ? owed && nlist == 1 :
			    owed || e[off + r->wait_index].device_latency_us)
				list[k] |= ANSWER_BIT;
			answered += !!(list[k] & ANSWER_BIT);
			off += r->count;
		}
		if (ret == 0 || nlist == 1)
			emit_query(&c, fd, dbc_id, total, nlist, answered);
		/* all answered (the usual case): decoded in one pass */
		pa.qlevel = NULL;
		if (answered == nlist && total &&
		    lttng_ust_tracepoint_enabled(qprof, kmd_perf_stats) &&
		    (pa.qlevel = qp_scratch(QP_SCRATCH_PERF,
					    (size_t)total * 4 * sizeof(uint32_t)))) {
			pa.handles = NULL;
			pa.nelem = pa.qlevel + total;
			pa.submit_us = pa.qlevel + 2 * (size_t)total;
			pa.device_us = pa.qlevel + 3 * (size_t)total;
			qp_perf_decode(e, total, &pa);
		}
		for (k = 0, off = 0; k < nlist; k++) {
			struct req *r = &reqs[list[k] & ~(OWED_BIT | ANSWER_BIT)];

			r->busy = false;
			if ((list[k] & ANSWER_BIT) && pa.qlevel)
				emit_arrays(&c, fd, dbc_id, &pa, off, r->count,
					    r->handles);
			else if (list[k] & ANSWER_BIT)
				emit_slice(&c, fd, dbc_id, e, off, r->count,
					   r->handles);
			/* answered, or a failure: no more queries of it */
			if ((list[k] & ANSWER_BIT) || ret < 0)
				deactivate(r);
			off += r->count;
		}
		pthread_cond_broadcast(&cv);
		/* More owed requests than one call holds: another call. */
		for (i = 0; i < nactive; i++) {
			struct req *r = &reqs[active[i]];

			if (r->fd1 == fd + 1 && r->dbc_id == dbc_id &&
			    r->waited && !r->busy)
				break;
		}
		if (i == nactive)
			return;
	}
}

/*
 * Is the request of wait handle `handle` on fd active (1), known and
 * settled (0), or unknown (-1)?  No lock.
 */
static int req_state(int fd, uint32_t handle)
{
	uint64_t key = (uint64_t)(uint32_t)(fd + 1) << 32 | handle, k;
	uint32_t h = req_hash(fd, handle), p, i;

	for (p = 0; p < REQ_PROBES; p++) {
		i = (h + p) & (REQ_SLOTS - 1);
		k = atomic_load_explicit(&keys[i], memory_order_acquire);
		if (!k)
			return -1;
		if (k == key)
			return atomic_load_explicit(&hot[i],
						    memory_order_relaxed);
	}
	return -1;
}

bool qp_perfstats_before_execute(int fd, const struct qp_exec_req *req,
				 int w, const void *ip)
{
	struct req *r;
	int err = errno;

	if (w < 0 || qp_config.kmd_stats != QP_KMD_STATS_AUTO ||
	    req_state(fd, req->handles[w]) != 1)
		return false;	/* nothing owed: settled by a query */
	pthread_mutex_lock(&mu);
	r = req_find(fd, req->handles[w]);
	if (r) {
		while (r->busy)
			pthread_cond_wait(&cv, &mu);
		if (r->active_pos)
			flush(fd, r->dbc_id, ip);
	}
	pthread_mutex_unlock(&mu);
	errno = err;
	return true;
}

void qp_perfstats_after_execute(int fd, const struct qp_exec_req *req,
				int w)
{
	struct req *r;

	if (w < 0 || qp_config.kmd_stats == QP_KMD_STATS_OFF)
		return;
	pthread_once(&once, setup);
	pthread_mutex_lock(&mu);
	r = req_find_or_add(fd, req->handles[w]);
	if (!r)
		goto out;
	if (r->busy) {
		/* re-executed while a query held it: the old run is lost */
		while (r->busy)
			pthread_cond_wait(&cv, &mu);
	}
	/* A runtime re-executes a request with the same handles: no copy. */
	if (req->count != r->count ||
	    memcmp(r->handles, req->handles, req->count * sizeof(uint32_t))) {
		uint32_t i;

		if (req->count > r->cap) {
			uint32_t cap = req->count < 16 ? 16 : req->count;
			uint32_t *h = realloc(r->handles, cap * sizeof(*h));
			struct qaic_perf_stats_entry *e;

			if (h)
				r->handles = h;
			e = h ? realloc(r->ent, cap * sizeof(*e)) : NULL;
			if (!e) {
				deactivate(r);
				r->count = 0;
				goto out;
			}
			r->ent = e;
			r->cap = cap;
		}
		memcpy(r->handles, req->handles,
		       req->count * sizeof(*r->handles));
		r->gen = ++gen_last;
		for (i = 0; i < req->count; i++)
			r->ent[i] = (struct qaic_perf_stats_entry){
				.handle = req->handles[i] };
		r->count = req->count;
	}
	r->dbc_id = req->dbc_id;
	r->wait_index = (uint32_t)w;
	if (r->waited) {
		r->waited = false;
		nowed--;
	}
	if (qp_config.kmd_stats == QP_KMD_STATS_AUTO)
		activate(r);
out:
	pthread_mutex_unlock(&mu);
}

/* Query handles (n) at once and record the answer (mode always, unknown). */
static void query_now(int fd, uint32_t dbc_id, const uint32_t *handles,
		      uint32_t n, const void *ip)
{
	struct qaic_perf_stats_entry *e;
	struct qprof_tp_call c;
	uint32_t i;

	e = qp_scratch(QP_SCRATCH_QUERY, (size_t)n * sizeof(*e));
	if (!e)
		return;
	memset(e, 0, (size_t)n * sizeof(*e));
	for (i = 0; i < n; i++)
		e[i].handle = handles[i];
	own_query(fd, dbc_id, e, n, &c, ip);
	emit_query(&c, fd, dbc_id, n, 1, 1);
	emit_slice(&c, fd, dbc_id, e, 0, n, handles);
}

void qp_perfstats_after_wait(int fd, const struct qaic_wait *w,
			     const void *ip)
{
	uint32_t *copy, n = 1;
	struct req *r;
	int err = errno;

	/* settled already (a query found it completed): nothing to do */
	if (qp_config.kmd_stats == QP_KMD_STATS_AUTO &&
	    req_state(fd, w->handle) == 0)
		return;
	pthread_mutex_lock(&mu);
	r = req_find(fd, w->handle);
	if (r && r->dbc_id != w->dbc_id)
		r = NULL;
	if (r && qp_config.kmd_stats == QP_KMD_STATS_AUTO) {
		if (r->active_pos && !r->waited) {
			r->waited = true;
			if (++nowed >= OWED_MAX)
				flush(fd, r->dbc_id, ip);
		}
		pthread_mutex_unlock(&mu);
		errno = err;
		return;
	}
	if (r && r->count) {
		n = r->count;
		copy = qp_scratch(QP_SCRATCH_EXEC, n * sizeof(*copy));
		if (copy)
			memcpy(copy, r->handles, n * sizeof(*copy));
	} else {
		copy = qp_scratch(QP_SCRATCH_EXEC, sizeof(*copy));
		if (copy)
			copy[0] = w->handle;
	}
	pthread_mutex_unlock(&mu);
	if (copy)
		query_now(fd, w->dbc_id, copy, n, ip);
	errno = err;
}

void qp_perfstats_failed(int fd, uint32_t dbc_id, int err)
{
	uint32_t i;

	if (err != EPERM && err != ENODEV && err != EPIPE)
		return;
	if (!qp_perfstats_pending())
		return;
	pthread_mutex_lock(&mu);
	for (i = 0; i < nactive;) {
		struct req *r = &reqs[active[i]];

		if (r->fd1 == fd + 1 && r->dbc_id == dbc_id && !r->busy)
			deactivate(r);	/* swaps another into position i */
		else
			i++;
	}
	pthread_mutex_unlock(&mu);
}

void qp_perfstats_runtime(int fd, uint32_t dbc_id,
			  const struct qp_perf_arrays *pa)
{
	uint32_t i, w = pa->count, d;
	struct req *r;

	if (qp_config.kmd_stats != QP_KMD_STATS_AUTO || !pa->count ||
	    !qp_perfstats_pending())
		return;
	for (i = pa->count; i > 0; i--) {
		d = qp_bo_dir(fd, pa->handles[i - 1]);
		if (d == QDIR_FROM_DEV) {
			w = i - 1;
			break;
		}
	}
	if (w == pa->count)
		w = pa->count - 1;
	/* 0: the request had not completed when the runtime asked */
	if (!pa->device_us[w])
		return;
	pthread_mutex_lock(&mu);
	r = req_find(fd, pa->handles[w]);
	if (r && r->active_pos && !r->busy && r->dbc_id == dbc_id &&
	    r->count == pa->count && r->wait_index == w &&
	    !memcmp(r->handles, pa->handles, pa->count * sizeof(uint32_t)))
		deactivate(r);
	pthread_mutex_unlock(&mu);
}

static bool req_has(const struct req *r, uint32_t handle)
{
	uint32_t i;

	for (i = 0; i < r->count; i++)
		if (r->handles[i] == handle)
			return true;
	return false;
}

void qp_perfstats_release(int fd, uint32_t handle, int32_t dbc_id,
			  const void *ip)
{
	uint32_t i;
	int err = errno;

	if (!qp_perfstats_pending())
		return;
	pthread_mutex_lock(&mu);
	for (i = 0; i < nactive;) {
		struct req *r = &reqs[active[i]];
		bool hit = r->fd1 == fd + 1 &&
			   (dbc_id >= 0 ? r->dbc_id == (uint32_t)dbc_id :
			    !handle || req_has(r, handle));

		if (!hit) {
			i++;
			continue;
		}
		while (r->busy)
			pthread_cond_wait(&cv, &mu);
		if (r->active_pos && r->waited)
			flush(fd, r->dbc_id, ip);
		deactivate(r);
		i = 0;	/* the array changed: start over */
	}
	pthread_mutex_unlock(&mu);
	errno = err;
}

void qp_perfstats_flush_all(void)
{
	uint32_t i, rounds = 0;
	int err = errno;

	if (!qp_perfstats_pending())
		return;
	pthread_mutex_lock(&mu);
	for (i = 0; i < nactive && rounds < REQ_SLOTS; i++) {
		struct req *r = &reqs[active[i]];

		if (r->waited && !r->busy) {
			flush(r->fd1 - 1, r->dbc_id,
			      __builtin_return_address(0));
			rounds++;
			i = (uint32_t)-1;	/* start over */
		}
	}
	pthread_mutex_unlock(&mu);
	errno = err;
}

void qp_perfstats_reset(void)
{
	uint32_t i;

	for (i = 0; i < REQ_SLOTS; i++) {
		free(reqs[i].handles);
		free(reqs[i].ent);
		memset(&reqs[i], 0, sizeof(reqs[i]));
		atomic_store_explicit(&keys[i], 0, memory_order_relaxed);
		atomic_store_explicit(&hot[i], 0, memory_order_relaxed);
	}
	nactive = 0;
	nowed = 0;
	atomic_store(&nactive_pub, 0);
	atomic_store(&own_ioctls, 0);
	for (i = 0; i < DIR_SLOTS; i++)
		atomic_store_explicit(&dirs[i], 0, memory_order_relaxed);
}

void qp_perfstats_counts(unsigned int *known, unsigned int *owed,
			 unsigned long *ioctls)
{
	uint32_t i, n = 0;

	pthread_mutex_lock(&mu);
	for (i = 0; i < REQ_SLOTS; i++)
		n += reqs[i].fd1 != 0;
	*known = n;
	*owed = nowed;
	pthread_mutex_unlock(&mu);
	*ioctls = atomic_load(&own_ioctls);
}
