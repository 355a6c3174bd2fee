/* SPDX-License-Identifier: MIT */
/*
 * The kernel boundary: ioctl() on accel device fds.
 *
 * Every other ioctl costs one compare (_IOC_TYPE != 'd') on top of the
 * call: the exported ioctl() is a pointer load, two tests and a tail call,
 * with no stack frame (objdump -d); everything else is in ioctl_slow().
 * DRM ioctls on fds that are not accel nodes cost one byte-table lookup.
 * The first DRM ioctl on an accel fd loads LTTng-UST (lttng_load.c).  For accel fds, one event per call is emitted when it returns,
 * with the decoded uAPI fields (docs/CONTRACTS.md §2.2).  Buffers are read
 * after the call: the runtime's request is unchanged by then, and the kernel
 * has filled the out fields.  After a failed call they are read with
 * qp_read_user(untrusted), which cannot fault.
 */
#include "shim.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef int (*ioctl_fn)(int, unsigned long, ...);

/* ---- per-thread scratch memory (requests of any size) ----------------- */

QP_TLS struct qp_scratch_mem *qp_scratch_tls;
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *arg)
{
	struct qp_scratch_mem *s = arg;
	int i;

	for (i = 0; i < QP_SCRATCH_COUNT; i++)
		free(s->p[i]);
	free(s);
	qp_scratch_tls = NULL;
}

static void scratch_init(void)
{
	pthread_key_create(&scratch_key, scratch_free);
}

void *qp_scratch_grow(enum qp_scratch_slot slot, size_t bytes)
{
	struct qp_scratch_mem *s = qp_scratch_tls;
	size_t cap;
	void *p;

	if (s && s->cap[slot] >= bytes)
		return s->p[slot];
	if (!s) {
		pthread_once(&scratch_once, scratch_init);
		s = calloc(1, sizeof(*s));
		if (!s)
			return NULL;
		qp_scratch_tls = s;
		pthread_setspecific(scratch_key, s);
	}
	cap = s->cap[slot] ? s->cap[slot] : 4096;
	while (cap < bytes)
		cap *= 2;
	p = realloc(s->p[slot], cap);	/* keeps what it held */
	if (!p)
		return NULL;
	s->p[slot] = p;
	s->cap[slot] = cap;
	return p;
}

static void finish(struct qprof_tp_call *c, int ret, int err)
{
	c->status = ret;
	c->err = ret < 0 ? err : 0;
}

static int do_manage(ioctl_fn real, int fd, unsigned long request,
		     void *arg, struct qprof_tp_call *c)
{
	struct qp_manage_ids ids = { -1, -1 };
	struct qaic_manage_msg msg = { 0, 0, 0 };
	uint8_t data[QAIC_MANAGE_MAX_MSG_LENGTH];
	uint32_t len = 0, count = 0;
	int ret, err;

	/* Scan the request first: the kernel overwrites it with the reply. */
	if (qp_read_user(&msg, arg, sizeof(msg), false)) {
		len = msg.len;
		count = msg.count;
		if (msg.len > sizeof(data))
			msg.len = sizeof(data);
		if (qp_read_user(data, (void *)(uintptr_t)msg.data, msg.len,
				 false))
			qp_manage_scan(data, msg.len, msg.count, &ids);
	}
	/* Stats still owed for the DBC's requests: read them while they last. */
	if (ids.deactivated_dbc >= 0)
		qp_perfstats_release(fd, 0, ids.deactivated_dbc, c->ip);
	ret = real(fd, request, arg);
	err = errno;
	finish(c, ret, err);
	if (ret == 0 && qp_read_user(&msg, arg, sizeof(msg), true)) {
		if (msg.len > sizeof(data))
			msg.len = sizeof(data);
		if (qp_read_user(data, (void *)(uintptr_t)msg.data, msg.len,
				 true))
			qp_manage_scan(data, msg.len, msg.count, &ids);
	}
	lttng_ust_do_tracepoint(qprof, kmd_manage, c, fd, count, len,
				ids.activated_dbc, ids.deactivated_dbc);
	errno = err;
	return ret;
}

/* EXECUTE entries past this many are read and decoded in scratch memory. */
#define MAX_EXEC_ENTRIES (1u << 22)

/*
 * Requests read before the call: a runtime keeps one execute struct and
 * entry array per exec object and submits them again and again.  Those a
 * successful EXECUTE showed readable (arg, data) are remembered here
 * (direct-mapped, lock-free) and read again with a plain copy; any other
 * is read with qp_read_user(untrusted), which cannot fault.
 */
#define SEEN_SLOTS 1024u
static _Atomic uintptr_t seen_arg[SEEN_SLOTS], seen_data[SEEN_SLOTS];

static uint32_t seen_hash(const void *arg)
{
	return (uint32_t)(((uintptr_t)arg >> 4) * 2654435761u) >> 22;
}

static void seen_note(const void *arg, uint64_t data)
{
	uint32_t i = seen_hash(arg);

	atomic_store_explicit(&seen_arg[i], 0, memory_order_relaxed);
	atomic_store_explicit(&seen_data[i], (uintptr_t)data,
			      memory_order_relaxed);
	atomic_store_explicit(&seen_arg[i], (uintptr_t)arg,
			      memory_order_release);
}

static bool seen_is(const void *arg, uint64_t data)
{
	uint32_t i = seen_hash(arg);

	return atomic_load_explicit(&seen_arg[i], memory_order_acquire) ==
		       (uintptr_t)arg &&
	       atomic_load_explicit(&seen_data[i], memory_order_relaxed) ==
		       (uintptr_t)data &&
	       atomic_load_explicit(&seen_arg[i], memory_order_relaxed) ==
		       (uintptr_t)arg;
}

/*
 * Read and decode an EXECUTE's request (every entry) into the thread's
 * scratch memory.  false if unreadable (trusted: plain copy; else plain
 * only for a request a successful EXECUTE showed readable) or out of
 * memory.
 */
static bool exec_read(void *arg, bool partial, bool trusted,
		      struct qp_exec_req *req)
{
	size_t esize = partial ? sizeof(struct qaic_partial_execute_entry) :
				 sizeof(struct qaic_execute_entry);
	struct qaic_execute ex;
	const void *raw;
	uint32_t n;
	uint8_t *mem;

	if (!trusted) {
		uint32_t i = seen_hash(arg);

		if (atomic_load_explicit(&seen_arg[i], memory_order_acquire) ==
		    (uintptr_t)arg) {
			memcpy(&ex, arg, sizeof(ex));
			trusted = seen_is(arg, ex.data);
		}
		if (!trusted &&
		    !qp_read_user(&ex, arg, sizeof(ex), false))
			return false;
	} else if (!qp_read_user(&ex, arg, sizeof(ex), true)) {
		return false;
	}
	n = ex.hdr.count < MAX_EXEC_ENTRIES ? ex.hdr.count : MAX_EXEC_ENTRIES;
	/* raw entries (untrusted only), then resize (u64), handles, dirs */
	mem = qp_scratch(QP_SCRATCH_EXEC,
			 (size_t)n * ((trusted ? 0 : esize) + 16) + 8);
	if (!mem)
		return false;
	raw = trusted ? (const void *)(uintptr_t)ex.data : mem;
	if (n && !trusted &&
	    !qp_read_user(mem, (void *)(uintptr_t)ex.data, n * esize, false))
		return false;
	if (!raw)
		n = 0;
	ex.hdr.count = n;
	req->resize = (uint64_t *)(((uintptr_t)mem + (trusted ? 0 : n * esize) +
				    7) & ~(uintptr_t)7);
	req->handles = (uint32_t *)(req->resize + n);
	req->dirs = req->handles + n;
	/* trusted: decoded straight from the runtime's array */
	qp_exec_decode(&ex, n ? raw : NULL, partial, req);
	req->count = n;
	if (!n)
		req->dbc_id = ex.hdr.dbc_id;
	return true;
}

/*
 * The wait handle's index: the last entry whose BO was attached FROM_DEV
 * (the attach table, looked up from the end: usually once), an entry
 * whose attach was not seen counting with its execute dir; else the
 * last; -1 for none.
 */
static int exec_wait_index(int fd, const struct qp_exec_req *req)
{
	uint32_t i, d;

	for (i = req->count; i > 0; i--) {
		d = qp_bo_dir(fd, req->handles[i - 1]);
		if (!d)
			d = req->dirs[i - 1];
		if (d == QDIR_FROM_DEV)
			return (int)(i - 1);
	}
	return req->count ? (int)req->count - 1 : -1;
}

static int do_execute(ioctl_fn real, int fd, unsigned long request,
		      void *arg, struct qprof_tp_call *c, bool partial)
{
	bool emit = lttng_ust_tracepoint_enabled(qprof, kmd_execute);
	bool track = qp_perfstats_wanted();
	struct qp_exec_req req = { 0 };
	bool have = false;
	int ret, err, w = -1;

	if (emit)
		qp_process_info_check(c->ip);
	/*
	 * Stats still owed for this request's previous run are read before
	 * the EXECUTE overwrites them, so the request is read first (the
	 * runtime's input: the call does not change it).
	 */
	if (track && qp_perfstats_pending()) {
		have = exec_read(arg, partial, false, &req);
		if (have) {
			w = exec_wait_index(fd, &req);
			/* it read (or waited for) the request's stats: the
			 * EXECUTE itself begins after that */
			if (qp_perfstats_before_execute(fd, &req, w, c->ip))
				c->begin_ts = qp_now();
		}
	}
	ret = real(fd, request, arg);
	err = errno;
	finish(c, ret, err);
	if (!have) {
		have = exec_read(arg, partial, ret == 0, &req);
		if (have)
			w = exec_wait_index(fd, &req);
	}
	if (ret == 0 && track)
		seen_note(arg, *(const uint64_t *)((const char *)arg +
					offsetof(struct qaic_execute, data)));
	if (!have) {
		static uint32_t none32[1];
		static uint64_t none64[1];

		req.count = req.nresize = 0;
		req.handles = req.dirs = none32;
		req.resize = none64;
	}
	/*
	 * The event first: once the request is remembered, another thread's
	 * query may answer it, and its kmd_perf_stats must come after this
	 * kmd_execute in the trace.
	 */
	if (emit)
		lttng_ust_do_tracepoint(qprof, kmd_execute, c, fd, req.dbc_id,
					partial, req.handles, req.dirs,
					req.resize, req.count, req.nresize,
					w < 0 ? 0 : req.handles[w]);
	if (track && have) {
		if (ret == 0)
			qp_perfstats_after_execute(fd, &req, w);
		else
			qp_perfstats_failed(fd, req.dbc_id, err);
	}
	errno = err;
	return ret;
}

static int do_wait(ioctl_fn real, int fd, unsigned long request, void *arg,
		   struct qprof_tp_call *c)
{
	struct qaic_wait w;
	int ret, err;

	ret = real(fd, request, arg);
	err = errno;
	finish(c, ret, err);
	memset(&w, 0, sizeof(w));
	qp_read_user(&w, arg, sizeof(w), ret == 0);
	if (lttng_ust_tracepoint_enabled(qprof, kmd_wait))
		lttng_ust_do_tracepoint(qprof, kmd_wait, c, fd, w.handle,
					w.dbc_id, w.timeout);
	/*
	 * EINTR and ETIMEDOUT: the runtime waits again; EPERM, ENODEV,
	 * EPIPE: the DBC is gone, and its requests' stats with it.
	 */
	if (ret == 0 && qp_perfstats_wanted())
		qp_perfstats_after_wait(fd, &w, c->ip);
	else if (ret < 0)
		qp_perfstats_failed(fd, w.dbc_id, err);
	errno = err;
	return ret;
}

static int do_perf_stats(ioctl_fn real, int fd, unsigned long request,
			 void *arg, struct qprof_tp_call *c)
{
	struct qaic_perf_stats_entry *e = NULL;
	struct qp_perf_arrays pa;
	struct qaic_perf_stats ps;
	uint32_t n = 0, *mem;
	int ret, err;

	ret = real(fd, request, arg);
	err = errno;
	finish(c, ret, err);
	memset(&ps, 0, sizeof(ps));
	if (qp_read_user(&ps, arg, sizeof(ps), ret == 0))
		n = ps.hdr.count;	/* u16: at most 65535 */
	mem = qp_scratch(QP_SCRATCH_PERF,
			 (size_t)n * (sizeof(*e) + 5 * sizeof(uint32_t)) + 8);
	if (!mem) {
		static uint32_t none[1];

		n = 0;
		mem = none;
	} else {
		e = (void *)(mem + 5 * (size_t)n + (n & 1));
	}
	if (n && !qp_read_user(e, (void *)(uintptr_t)ps.data, n * sizeof(*e),
			       ret == 0))
		n = 0;
	pa.handles = mem;
	pa.qlevel = mem + n;
	pa.nelem = mem + 2 * n;
	pa.submit_us = mem + 3 * n;
	pa.device_us = mem + 4 * n;
	qp_perf_decode(e, n, &pa);
	if (ret == 0)
		qp_perfstats_runtime(fd, ps.hdr.dbc_id, &pa);
	lttng_ust_do_tracepoint(qprof, kmd_perf_stats, c, fd, ps.hdr.dbc_id, 0,
				pa.handles, pa.qlevel, pa.nelem, pa.submit_us,
				pa.device_us, pa.count);
	errno = err;
	return ret;
}

/* Small fixed-size requests: call, then read the struct back. */
static int do_simple(ioctl_fn real, int fd, unsigned long request,
		     void *arg, struct qprof_tp_call *c, enum qp_req req,
		     bool emit)
{
	union {
		struct qaic_create_bo create;
		struct qaic_mmap_bo mmap;
		struct qaic_attach_slice attach;
		struct qaic_detach_slice detach;
		struct drm_gem_close close;
	} u;
	int ret, err;

	/* A BO about to go: the stats owed for its request first. */
	if ((req == QP_REQ_GEM_CLOSE || req == QP_REQ_DETACH_SLICE) &&
	    qp_perfstats_pending() &&
	    qp_read_user(&u.detach, arg, sizeof(u.detach), false))
		qp_perfstats_release(fd, u.detach.handle, -1, c->ip);
	ret = real(fd, request, arg);
	err = errno;
	finish(c, ret, err);
	memset(&u, 0, sizeof(u));
	if (req == QP_REQ_ATTACH_SLICE) {
		/* always: the kernel enforces this dir, not execute's */
		qp_read_user(&u.attach, arg, sizeof(u.attach), ret == 0);
		if (ret == 0)
			qp_bo_attached(fd, u.attach.hdr.handle,
				       u.attach.hdr.dir);
	}
	if (!emit) {
		errno = err;
		return ret;
	}
	switch (req) {
	case QP_REQ_CREATE_BO:
		qp_read_user(&u.create, arg, sizeof(u.create), ret == 0);
		lttng_ust_do_tracepoint(qprof, kmd_create_bo, c, fd,
					u.create.size, u.create.handle);
		break;
	case QP_REQ_MMAP_BO:
		qp_read_user(&u.mmap, arg, sizeof(u.mmap), ret == 0);
		lttng_ust_do_tracepoint(qprof, kmd_mmap_bo, c, fd,
					u.mmap.handle, u.mmap.offset);
		break;
	case QP_REQ_ATTACH_SLICE:
		lttng_ust_do_tracepoint(qprof, kmd_attach_slice, c, fd,
					u.attach.hdr.handle,
					u.attach.hdr.dbc_id, u.attach.hdr.dir,
					u.attach.hdr.size, u.attach.hdr.count);
		break;
	case QP_REQ_DETACH_SLICE:
	case QP_REQ_GEM_CLOSE:
		/* Both are { u32 handle; u32 pad; }. */
		qp_read_user(&u.detach, arg, sizeof(u.detach), ret == 0);
		lttng_ust_do_tracepoint(qprof, kmd_bo_release, c, fd,
					u.detach.handle,
					req == QP_REQ_DETACH_SLICE);
		break;
	default:
		lttng_ust_do_tracepoint(qprof, kmd_other, c, fd,
					(uint64_t)request);
		break;
	}
	errno = err;
	return ret;
}

static bool simple_enabled(enum qp_req req)
{
	switch (req) {
	case QP_REQ_CREATE_BO:
		return lttng_ust_tracepoint_enabled(qprof, kmd_create_bo);
	case QP_REQ_MMAP_BO:
		return lttng_ust_tracepoint_enabled(qprof, kmd_mmap_bo);
	case QP_REQ_ATTACH_SLICE:
		return lttng_ust_tracepoint_enabled(qprof, kmd_attach_slice);
	case QP_REQ_DETACH_SLICE:
	case QP_REQ_GEM_CLOSE:
		return lttng_ust_tracepoint_enabled(qprof, kmd_bo_release);
	default:
		return lttng_ust_tracepoint_enabled(qprof, kmd_other);
	}
}

static __attribute__((noinline)) int
ioctl_accel(ioctl_fn real, int fd, unsigned long request, void *arg,
	    const void *ip)
{
	enum qp_req req = qp_classify_request(request);
	struct qprof_tp_call c;

	if (!qp_fd_is_accel(fd, ip))
		return real(fd, request, arg);
	qp_lttng_need();
	qp_runtime_seen(ip, false);
	switch (req) {
	case QP_REQ_MANAGE:
		if (!lttng_ust_tracepoint_enabled(qprof, kmd_manage))
			break;
		qp_call_begin(&c, ip);
		return do_manage(real, fd, request, arg, &c);
	case QP_REQ_EXECUTE:
	case QP_REQ_PARTIAL_EXECUTE:
		if (!lttng_ust_tracepoint_enabled(qprof, kmd_execute) &&
		    !qp_perfstats_wanted())
			break;
		qp_call_begin(&c, ip);
		return do_execute(real, fd, request, arg, &c,
				  req == QP_REQ_PARTIAL_EXECUTE);
	case QP_REQ_WAIT:
		if (!lttng_ust_tracepoint_enabled(qprof, kmd_wait) &&
		    !qp_perfstats_wanted())
			break;
		qp_call_begin(&c, ip);
		return do_wait(real, fd, request, arg, &c);
	case QP_REQ_PERF_STATS:
		if (!lttng_ust_tracepoint_enabled(qprof, kmd_perf_stats))
			break;
		qp_call_begin(&c, ip);
		return do_perf_stats(real, fd, request, arg, &c);
	default:
		/* ATTACH always (the BO directions), GEM_CLOSE / DETACH while
		 * requests are remembered (stats owed before they go). */
		if (!simple_enabled(req) && req != QP_REQ_ATTACH_SLICE &&
		    !((req == QP_REQ_GEM_CLOSE ||
		       req == QP_REQ_DETACH_SLICE) && qp_perfstats_pending()))
			break;
		qp_call_begin(&c, ip);
		return do_simple(real, fd, request, arg, &c, req,
				 simple_enabled(req));
	}
	return real(fd, request, arg);
}

/* Not resolved yet, or a DRM request: everything but the fast path. */
static __attribute__((noinline)) int
ioctl_slow(int fd, unsigned long request, void *arg, const void *ip)
{
	ioctl_fn real = qp_libc_fn(ioctl);

	if (qp_unlikely(!real)) {
		errno = ENOSYS;
		return -1;
	}
	if (_IOC_TYPE(request) != DRM_IOCTL_BASE)
		return real(fd, request, arg);
	return ioctl_accel(real, fd, request, arg, ip);
}

#define QP_IOCTL_FAST(fd, request, arg)					\
	do {								\
		ioctl_fn real__ = __atomic_load_n(&qp_libc.ioctl,	\
						  __ATOMIC_ACQUIRE);	\
									\
		if (qp_unlikely(!real__ ||				\
				_IOC_TYPE(request) == DRM_IOCTL_BASE))	\
			return ioctl_slow(fd, request, arg,		\
					  __builtin_return_address(0));	\
		return real__(fd, request, arg);			\
	} while (0)

#if defined(__x86_64__) || defined(__aarch64__)
/*
 * Defined without the ellipsis: on the x86-64 SysV and AAPCS64 ABIs a
 * variadic caller passes the third argument in the register where a
 * non-variadic callee reads it (rdx / x2), and va_start would make the
 * compiler spill the argument registers on every call.  This file does not
 * include <sys/ioctl.h>, so the two declarations never meet.
 */
QP_EXPORT int ioctl(int fd, unsigned long request, void *arg);

QP_EXPORT int ioctl(int fd, unsigned long request, void *arg)
{
	QP_IOCTL_FAST(fd, request, arg);
}
#else
QP_EXPORT int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	QP_IOCTL_FAST(fd, request, arg);
}
#endif
