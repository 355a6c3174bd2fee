/* SPDX-License-Identifier: MIT */
/*
 * Internal interfaces of libqprof.so, the qprof preload shim.
 *
 * Layout (one job per file):
 *   config.c         QPROF_* environment settings
 *   init.c           constructor, pid/tid caches, fork, process_info
 *   lttng_load.c     loads LTTng-UST (libqprof-tp.so) when a runtime appears
 *   resolve.c        the real libc and QAic functions behind every hook
 *   api_hooks.c      the exported qaic* wrappers (API boundary events)
 *   callbacks.c      event-callback trampolines
 *   function_table.c qaicGetFunctionTable copies
 *   dlsym_hook.c     dlsym() interposition for dlopen'ed runtimes
 *   fdtable.c        which fds are accel device nodes (+ open/close/dup hooks)
 *   ioctl_hooks.c    ioctl() interposition (kernel boundary events)
 *   decode.c         pure uAPI decoders (unit-tested)
 *   perfstats.c      the shim's own PERF_STATS_BO query after WAIT_BO
 *   callsite.c       optional deeper call stacks through private libunwind
 */
#ifndef QPROF_SHIM_H
#define QPROF_SHIM_H

#include "dlfcn_compat.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <qprof/qaic_api.h>
#include <qprof/qaic_accel.h>

#define LTTNG_UST_TRACEPOINT_HIDDEN_DEFINITION
#define LTTNG_UST_TRACEPOINT_PROVIDER_HIDDEN_DEFINITION
#include "qprof-tp.h"

#define QP_HIDDEN __attribute__((visibility("hidden")))
#define QP_EXPORT __attribute__((visibility("default")))
#define QP_TLS __thread __attribute__((tls_model("initial-exec")))
#define qp_likely(x) __builtin_expect(!!(x), 1)
#define qp_unlikely(x) __builtin_expect(!!(x), 0)

/* ---- config.c -------------------------------------------------------- */

enum qp_kmd_stats_mode {
	QP_KMD_STATS_AUTO = 0,	/* default: only if the runtime does not */
	QP_KMD_STATS_ALWAYS = 1,
	QP_KMD_STATS_OFF = 2,
};

struct qp_config {
	enum qp_kmd_stats_mode kmd_stats;
	bool kernel_only;	/* QPROF_KERNEL_ONLY: API hooks pass through */
	bool debug;		/* QPROF_DEBUG: messages on stderr */
	unsigned int callstack;	/* QPROF_CALLSTACK: frames, 0 = off */
	char settings[192];	/* the settings string of process_info */
};

/* Zero-initialised: early calls before the constructor see the defaults. */
extern struct qp_config qp_config QP_HIDDEN;

void qp_config_load(void) QP_HIDDEN;
/* Pure parser, unit-tested: fills cfg from the given values (NULL = unset). */
void qp_config_parse(struct qp_config *cfg, const char *kmd_stats,
		     const char *kernel_only, const char *callstack,
		     const char *debug) QP_HIDDEN;
void qp_debug(const char *fmt, ...) QP_HIDDEN
	__attribute__((format(printf, 1, 2)));

/* ---- init.c ---------------------------------------------------------- */

extern int32_t qp_pid_cache QP_HIDDEN;
extern QP_TLS int32_t qp_tid_cache QP_HIDDEN;
extern QP_TLS int qp_api_depth QP_HIDDEN;

int32_t qp_tid_slow(void) QP_HIDDEN;
int32_t qp_pid_slow(void) QP_HIDDEN;

static inline int32_t qp_pid(void)
{
	int32_t pid = __atomic_load_n(&qp_pid_cache, __ATOMIC_RELAXED);

	return qp_likely(pid) ? pid : qp_pid_slow();
}

static inline int32_t qp_tid(void)
{
	return qp_likely(qp_tid_cache) ? qp_tid_cache : qp_tid_slow();
}

static inline uint64_t qp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Fill the common part of an event's call description at entry. */
static inline void qp_call_begin(struct qprof_tp_call *c, const void *ip)
{
	c->ip = ip;
	c->pid = qp_pid();
	c->tid = qp_tid();
	c->status = 0;
	c->err = 0;
	c->begin_ts = qp_now();
}

/*
 * A runtime was seen: `where` is an address inside it (a real QAic
 * function, or the caller of an accel ioctl).  The first call records the
 * runtime's path and emits process_info (or leaves it pending until a
 * session records it).
 */
void qp_runtime_seen(const void *where, bool from_api) QP_HIDDEN;
extern atomic_int qp_process_info_pending QP_HIDDEN;
void qp_emit_process_info(const void *ip) QP_HIDDEN;

static inline void qp_process_info_check(const void *ip)
{
	if (qp_unlikely(atomic_load_explicit(&qp_process_info_pending,
					     memory_order_relaxed)))
		qp_emit_process_info(ip);
}

/* ---- lttng_load.c ---------------------------------------------------- */

/*
 * LTTng-UST is loaded only once a QAic runtime shows up: until then every
 * tracepoint state is 0 and no LTTng-UST library is mapped.
 */
enum qp_lttng_state {
	QP_LTTNG_UNLOADED = 0,
	QP_LTTNG_LOADING,
	QP_LTTNG_READY,
	QP_LTTNG_FAILED,	/* provider or liblttng-ust missing: no events */
};
extern atomic_int qp_lttng_state QP_HIDDEN;

/* LTTng-UST functions the shim calls, NULL until they are loaded. */
struct qp_ust {
	void (*before_fork)(void *sigset);
	void (*after_fork_parent)(void *sigset);
	void (*after_fork_child)(void *sigset);
	int (*safe_close_fd)(int fd, int (*close_cb)(int fd));
};
extern struct qp_ust qp_ust QP_HIDDEN;

void qp_lttng_locate(void) QP_HIDDEN;	/* constructor: find the provider */
void qp_lttng_load(void) QP_HIDDEN;
const char *qp_lttng_provider_path(void) QP_HIDDEN;

/* A QAic runtime was found: make sure LTTng-UST is loaded. */
static inline void qp_lttng_need(void)
{
	if (qp_unlikely(atomic_load_explicit(&qp_lttng_state,
					     memory_order_relaxed) ==
			QP_LTTNG_UNLOADED))
		qp_lttng_load();
}

/* ---- resolve.c ------------------------------------------------------- */

/* Every QAic function the shim wraps (X) or only calls (Y). */
#define QP_API_HOOKED(X)						\
	X(qaicCreateContext) X(qaicReleaseContext)			\
	X(qaicOpenQpc) X(qaicOpenQpcFile) X(qaicCloseQpc)		\
	X(qaicCreateProgram) X(qaicLoadProgram) X(qaicUnloadProgram)	\
	X(qaicRunActivationCmd) X(qaicReleaseProgram)			\
	X(qaicCreateQueue) X(qaicReleaseQueue)				\
	X(qaicCreateExecObj) X(qaicExecObjSetData)			\
	X(qaicExecObjSetDataExt) X(qaicEnqueueExecObj)			\
	X(qaicExecObjWaitForCompletion) X(qaicReleaseExecObj)		\
	X(qaicCreateEvent) X(qaicEventAddCallback)			\
	X(qaicEventRemoveCallback) X(qaicEventClear)			\
	X(qaicWaitforEvent) X(qaicReleaseEvent)				\
	X(qaicGetFunctionTable)						\
	X(qaicCreateProgramGroup) X(qaicProgramGroupAddProgram)		\
	X(qaicProgramGroupEnable) X(qaicProgramGroupDisable)		\
	X(qaicReleaseProgramGroup)
#define QP_API_CALLED_ONLY(Y) Y(qaicGetAicVersion)

#define QP_FN_ENUM(name) QP_FN_##name,
enum qp_fn {
	QP_API_HOOKED(QP_FN_ENUM)
	QP_FN_NUM_HOOKED,
	QP_FN_qaicGetAicVersion = QP_FN_NUM_HOOKED,
	QP_FN_COUNT
};
#undef QP_FN_ENUM

extern const char *const qp_fn_names[QP_FN_COUNT] QP_HIDDEN;
/* The shim's wrapper of each hooked function (hidden aliases). */
extern void *const qp_fn_wrappers[QP_FN_NUM_HOOKED] QP_HIDDEN;
/* The runtime's function behind each name (NULL = not resolved yet). */
extern void *_Atomic qp_fn_real[QP_FN_COUNT] QP_HIDDEN;

void *qp_resolve_api(enum qp_fn fn) QP_HIDDEN;
int qp_fn_lookup(const char *name) QP_HIDDEN;	/* -1 if not known */
/* Record real functions found in a dlopen'ed runtime (through `handle`). */
void qp_bind_runtime(void *handle) QP_HIDDEN;
void qp_bind_fn(enum qp_fn fn, void *real) QP_HIDDEN;
bool qp_addr_is_shim(const void *addr) QP_HIDDEN;

static inline void *qp_real_api(enum qp_fn fn)
{
	void *p = atomic_load_explicit(&qp_fn_real[fn], memory_order_acquire);

	return qp_likely(p) ? p : qp_resolve_api(fn);
}

/* The libc functions we interpose, resolved in the constructor or lazily. */
struct qp_libc {
	int (*ioctl)(int, unsigned long, ...);
	int (*open)(const char *, int, ...);
	int (*open64)(const char *, int, ...);
	int (*openat)(int, const char *, int, ...);
	int (*openat64)(int, const char *, int, ...);
	int (*close)(int);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*fcntl)(int, int, ...);
	int (*fcntl64)(int, int, ...);
	int (*fork)(void);
	void *(*dlsym)(void *, const char *);
};
#define QP_LIBC_COUNT (sizeof(struct qp_libc) / sizeof(void *))
extern struct qp_libc qp_libc QP_HIDDEN;
void *qp_libc_resolve(size_t index) QP_HIDDEN;
void qp_libc_resolve_all(void) QP_HIDDEN;

#define QP_LIBC_INDEX(member) (offsetof(struct qp_libc, member) / sizeof(void *))
/* Load a libc pointer (acquire), resolving it on first use. */
#define qp_libc_fn(member)						\
	({								\
		__typeof__(qp_libc.member) f__ = __atomic_load_n(	\
			&qp_libc.member, __ATOMIC_ACQUIRE);		\
		if (qp_unlikely(!f__))					\
			f__ = (__typeof__(f__))qp_libc_resolve(		\
				QP_LIBC_INDEX(member));			\
		f__;							\
	})

/* ---- callbacks.c ----------------------------------------------------- */

/* Set once any callback was wrapped: Remove/Release must look them up. */
extern atomic_int qp_callbacks_wrapped QP_HIDDEN;

/* The callback to register with the runtime for (event, user cb). */
QAicEventCallback qp_callback_wrap(QAicEvent *event, QAicEventCallback cb)
	QP_HIDDEN;
/* The registered trampoline for (event, cb), or cb if it was not wrapped. */
QAicEventCallback qp_callback_find(QAicEvent *event, QAicEventCallback cb)
	QP_HIDDEN;
/* Forget one wrapped (event, cb) (after a successful RemoveCallback). */
void qp_callback_forget(QAicEvent *event, QAicEventCallback cb) QP_HIDDEN;
/* Forget every wrapped callback of event (a failed add, a release). */
void qp_callback_forget_event(QAicEvent *event) QP_HIDDEN;
void qp_callback_forget_slot(QAicEventCallback tramp) QP_HIDDEN;

/* ---- function_table.c ------------------------------------------------ */

/*
 * Rewrite a copy of `words` table words: each word equal to real[i] becomes
 * wrap[i].  Returns the number of words replaced.  Pure; unit-tested.
 */
unsigned int qp_table_rewrite(const uintptr_t *src, uintptr_t *dst,
			      size_t words, const uintptr_t *real,
			      const uintptr_t *wrap, size_t n) QP_HIDDEN;
/* How many words (≤ max) of `table` lie in one loaded segment. */
size_t qp_table_words(const void *table, size_t max) QP_HIDDEN;
/* Returns the application's copy of the runtime's table. */
const QAicApiFunctionTable *qp_table_copy(const QAicApiFunctionTable *table,
					  unsigned int *wrapped,
					  unsigned int *words) QP_HIDDEN;

/* ---- fdtable.c ------------------------------------------------------- */

enum qp_fd_state {
	QP_FD_UNKNOWN = 0,	/* never classified: check on first qaic ioctl */
	QP_FD_ACCEL = 1,
	QP_FD_OTHER = 2,
};

bool qp_path_is_accel(const char *path) QP_HIDDEN;
enum qp_fd_state qp_fd_get(int fd) QP_HIDDEN;
void qp_fd_set(int fd, enum qp_fd_state state) QP_HIDDEN;
void qp_fd_opened(int fd, const char *path, const void *ip) QP_HIDDEN;
void qp_fd_dup(int oldfd, int newfd) QP_HIDDEN;
/* Is fd an accel node?  Classifies an unknown fd once via /proc. */
bool qp_fd_is_accel(int fd, const void *ip) QP_HIDDEN;

/* ---- decode.c (pure, unit-tested) ----------------------------------- */

enum qp_req {
	QP_REQ_NONE = -1,	/* not a DRM ('d') request */
	QP_REQ_MANAGE = 0,
	QP_REQ_CREATE_BO,
	QP_REQ_MMAP_BO,
	QP_REQ_ATTACH_SLICE,
	QP_REQ_EXECUTE,
	QP_REQ_PARTIAL_EXECUTE,
	QP_REQ_WAIT,
	QP_REQ_PERF_STATS,
	QP_REQ_DETACH_SLICE,
	QP_REQ_GEM_CLOSE,
	QP_REQ_OTHER,		/* another DRM request (kmd_other) */
};

enum qp_req qp_classify_request(unsigned long request) QP_HIDDEN;

/* Walk a MANAGE message's transactions (at most len bytes, count items). */
struct qp_manage_ids {
	int32_t activated_dbc;
	int32_t deactivated_dbc;
};
void qp_manage_scan(const void *data, uint32_t len, uint32_t count,
		    struct qp_manage_ids *ids) QP_HIDDEN;

/*
 * Decoded EXECUTE / PARTIAL_EXECUTE entries, every one of them: the arrays
 * are the caller's, each with room for hdr.count elements (resize only for
 * partial executes).
 */
struct qp_exec_req {
	uint32_t dbc_id;
	uint32_t count;
	uint32_t nresize;
	uint32_t *handles;
	uint32_t *dirs;
	uint64_t *resize;
};
void qp_exec_decode(const struct qaic_execute *ex, const void *entries,
		    bool partial, struct qp_exec_req *out) QP_HIDDEN;
/*
 * The wait handle of a request: its last entry attached FROM_DEV (by
 * ATTACH_SLICE_BO; attach_dirs may be NULL, and an entry whose attach dir
 * is 0 counts with its execute dir), else its last; -1 if none.
 */
int qp_exec_wait_index(const uint32_t *attach_dirs, const uint32_t *dirs,
		       uint32_t count) QP_HIDDEN;

/*
 * Decoded PERF_STATS entries, into the caller's arrays of count elements
 * (handles NULL: not decoded, the caller has them).
 */
struct qp_perf_arrays {
	uint32_t count;
	uint32_t *handles;
	uint32_t *qlevel;
	uint32_t *nelem;
	uint32_t *submit_us;
	uint32_t *device_us;
};
void qp_perf_decode(const struct qaic_perf_stats_entry *e, uint32_t count,
		    struct qp_perf_arrays *out) QP_HIDDEN;

/*
 * Per-thread scratch memory for requests of any size (malloc'ed, grown on
 * demand, freed when the thread exits); one buffer per slot, valid until
 * the next call for the same slot on the thread.  NULL if out of memory.
 */
enum qp_scratch_slot { QP_SCRATCH_EXEC, QP_SCRATCH_PERF, QP_SCRATCH_QUERY,
		       QP_SCRATCH_QENT, QP_SCRATCH_QMEMO, QP_SCRATCH_COUNT };
struct qp_scratch_mem {
	void *p[QP_SCRATCH_COUNT];
	size_t cap[QP_SCRATCH_COUNT];
};
extern QP_TLS struct qp_scratch_mem *qp_scratch_tls QP_HIDDEN;
void *qp_scratch_grow(enum qp_scratch_slot slot, size_t bytes) QP_HIDDEN;

static inline void *qp_scratch(enum qp_scratch_slot slot, size_t bytes)
{
	struct qp_scratch_mem *s = qp_scratch_tls;

	if (qp_likely(s && s->cap[slot] >= bytes))
		return s->p[slot];
	return qp_scratch_grow(slot, bytes);
}

/* Copy len bytes from (possibly bad) application memory; false if not. */
bool qp_read_user(void *dst, const void *src, size_t len, bool trusted)
	QP_HIDDEN;

/* ---- perfstats.c ----------------------------------------------------- */

/* Directions BOs were attached with (ATTACH_SLICE_BO), per (fd, handle). */
void qp_bo_attached(int fd, uint32_t handle, uint32_t dir) QP_HIDDEN;
uint32_t qp_bo_dir(int fd, uint32_t handle) QP_HIDDEN;	/* 0: unknown */

bool qp_perfstats_wanted(void) QP_HIDDEN;
/* Is any request waiting for the shim's query (cheap, lock-free)? */
bool qp_perfstats_pending(void) QP_HIDDEN;
/*
 * Before an EXECUTE of req on fd (w: the index of its wait handle): query
 * its previous run if still owed; true if it had to look (a query of its
 * own or another thread's was awaited).
 */
bool qp_perfstats_before_execute(int fd, const struct qp_exec_req *req,
				 int w, const void *ip) QP_HIDDEN;
/* After a successful EXECUTE: req is in flight. */
void qp_perfstats_after_execute(int fd, const struct qp_exec_req *req,
				int w) QP_HIDDEN;
void qp_perfstats_after_wait(int fd, const struct qaic_wait *w,
			     const void *ip) QP_HIDDEN;
/* A WAIT or EXECUTE on (fd, dbc_id) failed with err. */
void qp_perfstats_failed(int fd, uint32_t dbc_id, int err) QP_HIDDEN;
/* The runtime's own successful PERF_STATS_BO (its n entries). */
void qp_perfstats_runtime(int fd, uint32_t dbc_id,
			  const struct qp_perf_arrays *pa) QP_HIDDEN;
/* Before GEM_CLOSE / DETACH of handle, a DEACTIVATE of dbc_id (-1: none),
 * the close of fd (handle 0, dbc -1): query what is owed, then forget. */
void qp_perfstats_release(int fd, uint32_t handle, int32_t dbc_id,
			  const void *ip) QP_HIDDEN;
/* Query everything owed (at exit). */
void qp_perfstats_flush_all(void) QP_HIDDEN;
void qp_perfstats_reset(void) QP_HIDDEN;
/* Tests: requests known, owed, ioctls issued by the shim. */
void qp_perfstats_counts(unsigned int *known, unsigned int *owed,
			 unsigned long *ioctls) QP_HIDDEN;

/* ---- callsite.c ------------------------------------------------------ */

void qp_callstack_init(void) QP_HIDDEN;
void qp_callstack_emit(const struct qprof_tp_call *c) QP_HIDDEN;

#endif /* QPROF_SHIM_H */
