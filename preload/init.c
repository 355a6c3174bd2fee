/* SPDX-License-Identifier: MIT */
/*
 * Process-level state: the constructor, pid/tid caches, fork handling and
 * the once-per-process process_info event.
 *
 * The constructor never fails: LD_PRELOAD reaches every process of a
 * pipeline (shells, launchers, taskset), most of which never load a QAic
 * runtime.  It only reads the settings, pre-resolves libc pointers and
 * notes where the provider library is (LTTng-UST itself is loaded only
 * when a runtime shows up: lttng_load.c).
 *
 * Fork: LTTng-UST needs lttng_ust_before_fork() / after_fork_*() around a
 * fork() that is not followed by exec, or the child records nothing (and
 * may deadlock on a lock held across the fork).  The shim interposes fork()
 * and calls them itself once it has loaded LTTng-UST (lttng_load.c; before
 * that there is nothing to protect), unless liblttng-ust-fork.so is loaded
 * too (then that library does it and the shim passes fork() through).
 */
#include "shim.h"

#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"

int32_t qp_pid_cache;
QP_TLS int32_t qp_tid_cache;
QP_TLS int qp_api_depth;
atomic_int qp_process_info_pending;

static atomic_int runtime_seen;
static atomic_int runtime_from_api;	/* 1 once an API hook saw it */
static char runtime_path[512];
static bool fork_by_lttng_ust_fork;

int32_t qp_pid_slow(void)
{
	int32_t pid = (int32_t)getpid();

	__atomic_store_n(&qp_pid_cache, pid, __ATOMIC_RELAXED);
	return pid;
}

int32_t qp_tid_slow(void)
{
	qp_tid_cache = (int32_t)syscall(SYS_gettid);
	return qp_tid_cache;
}

static void fork_child(void)
{
	__atomic_store_n(&qp_pid_cache, 0, __ATOMIC_RELAXED);
	qp_tid_cache = 0;
	qp_api_depth = 0;
}

static int find_lttng_fork(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	if (info->dlpi_name && strstr(info->dlpi_name, "liblttng-ust-fork")) {
		*(bool *)data = true;
		return 1;
	}
	return 0;
}

__attribute__((constructor)) static void qp_init(void)
{
	int saved = errno;

	qp_config_load();
	qp_libc_resolve_all();
	qp_pid_slow();
	dl_iterate_phdr(find_lttng_fork, &fork_by_lttng_ust_fork);
	if (pthread_atfork(NULL, NULL, fork_child))
		qp_debug("pthread_atfork failed");
	qp_callstack_init();
	qp_lttng_locate();
	errno = saved;
}

QP_EXPORT pid_t fork(void)
{
	int (*real)(void) = qp_libc_fn(fork);
	sigset_t sigset;
	pid_t pid;
	int saved;

	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	if (fork_by_lttng_ust_fork ||
	    atomic_load(&qp_lttng_state) != QP_LTTNG_READY ||
	    !qp_ust.before_fork)
		return real();
	qp_ust.before_fork(&sigset);
	pid = real();
	saved = errno;
	if (pid == 0) {
		fork_child();
		qp_ust.after_fork_child(&sigset);
		if (atomic_load(&runtime_seen)) {
			atomic_store(&qp_process_info_pending, 1);
			qp_emit_process_info(__builtin_return_address(0));
		}
	} else {
		qp_ust.after_fork_parent(&sigset);
	}
	errno = saved;
	return pid;
}

void qp_runtime_seen(const void *where, bool from_api)
{
	Dl_info info;

	if (qp_likely(atomic_load_explicit(&runtime_seen, memory_order_relaxed) &&
		      (!from_api || atomic_load_explicit(&runtime_from_api,
							 memory_order_relaxed))))
		return;
	if (from_api && !atomic_load(&runtime_from_api)) {
		/* The API path names the runtime better than the ioctl caller. */
		if (dladdr(where, &info) && info.dli_fname)
			snprintf(runtime_path, sizeof(runtime_path), "%s",
				 info.dli_fname);
		atomic_store(&runtime_from_api, 1);
	}
	if (atomic_exchange(&runtime_seen, 1))
		return;
	if (!from_api && dladdr(where, &info) && info.dli_fname)
		snprintf(runtime_path, sizeof(runtime_path), "%s",
			 info.dli_fname);
	qp_debug("runtime seen: %s", runtime_path);
	atomic_store(&qp_process_info_pending, 1);
}

typedef QStatus (*version_fn)(uint16_t *, uint16_t *, const char **,
			      const char **);

void qp_emit_process_info(const void *ip)
{
	uint16_t major = 0, minor = 0;
	const char *patch = NULL, *variant = NULL;
	struct qprof_tp_call c;
	version_fn ver;
	int saved = errno;

	if (!lttng_ust_tracepoint_enabled(qprof, process_info))
		return;
	/* One emitter wins; the others leave it to it. */
	if (!atomic_exchange(&qp_process_info_pending, 0))
		return;
	qp_call_begin(&c, ip);
	if (!qp_config.kernel_only) {
		ver = (version_fn)atomic_load_explicit(
			&qp_fn_real[QP_FN_qaicGetAicVersion],
			memory_order_acquire);
		if (!ver)
			ver = (version_fn)qp_resolve_api(QP_FN_qaicGetAicVersion);
		if (ver && ver(&major, &minor, &patch, &variant) != QS_SUCCESS) {
			major = minor = 0;
			patch = variant = NULL;
		}
	}
	lttng_ust_do_tracepoint(qprof, process_info, &c, runtime_path, major,
				minor, patch ? patch : "",
				variant ? variant : "", PACKAGE_VERSION,
				qp_config.settings);
	errno = saved;
}
