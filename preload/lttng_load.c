/* SPDX-License-Identifier: MIT */
/*
 * LTTng-UST on demand.
 *
 * LD_PRELOAD reaches every process of a pipeline: shells, launchers, tools
 * that never load a QAic runtime.  Linking liblttng-ust into libqprof.so
 * would start its listener threads and register with the session daemon in
 * each of them (~1.5 ms, two threads, sockets and shm).  So libqprof.so
 * only holds the tracepoint definitions (tracepoints/qprof-tp-def.c, no
 * DT_NEEDED on LTTng-UST, registration deferred) and the probes live in
 * libqprof-tp.so, installed next to it and linked with liblttng-ust (the
 * "dynamic linkage" of LTTng-UST providers, lttng-ust(3)).
 *
 * qp_lttng_need() loads them the first time the shim sees a runtime: the
 * first resolution of a real QAic function (first hooked call, dlsym() of
 * a qaic symbol, qaicGetFunctionTable), the first open of an accel node or
 * the first DRM ioctl on one.  Loading is synchronous in the thread that
 * saw the runtime: the call sites are registered with
 * liblttng-ust-tracepoint, then libqprof-tp.so is dlopen()ed; liblttng-ust's
 * constructor registers with the session daemon and waits (up to
 * LTTNG_UST_REGISTER_TIMEOUT, default 3 s, only when a daemon answers) for
 * the sessions' enablers, and the provider's constructor registers the
 * probes, which enables the call sites of active sessions.  So the call
 * that triggered the load is already recorded.  Other threads calling in
 * meanwhile are not held up: they pass through until the states flip.
 *
 * The provider is opened RTLD_LOCAL (its symbols are hidden anyway) and
 * RTLD_NODELETE: liblttng-ust cannot be unloaded under its threads.
 */
#include "shim.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qprof-tp-def.h"

#define QP_PROVIDER_NAME "libqprof-tp.so"

atomic_int qp_lttng_state;
struct qp_ust qp_ust;

static char provider_path[PATH_MAX];

const char *qp_lttng_provider_path(void)
{
	return provider_path[0] ? provider_path : QP_PROVIDER_NAME;
}

/* glibc's dlsym (ours is interposed). */
static void *ust_sym(void *handle, const char *name)
{
	void *(*dls)(void *, const char *) = qp_libc_fn(dlsym);

	return dls ? dls(handle, name) : NULL;
}

/*
 * Constructor: the provider sits in the directory libqprof.so was loaded
 * from (the build tree's preload/.libs, or the install libdir).  A
 * relative preload path is made absolute now, before the application can
 * chdir().  Also picks up lttng_ust_safe_close_fd if the application itself
 * already maps LTTng-UST, so that close() protects its fds from the start.
 */
void qp_lttng_locate(void)
{
	char dir[PATH_MAX], abs[PATH_MAX];
	const char *slash;
	Dl_info info;
	int n;

	*(void **)&qp_ust.safe_close_fd =
		ust_sym(RTLD_DEFAULT, "lttng_ust_safe_close_fd");
	if (!dladdr((const void *)qp_lttng_locate, &info) || !info.dli_fname)
		return;
	slash = strrchr(info.dli_fname, '/');
	if (!slash)
		return;		/* not a path: search by name */
	n = snprintf(dir, sizeof(dir), "%.*s",
		     (int)(slash - info.dli_fname), info.dli_fname);
	if (n <= 0 || (size_t)n >= sizeof(dir))
		return;
	if (dir[0] != '/' && realpath(dir, abs))
		snprintf(dir, sizeof(dir), "%s", abs);
	n = snprintf(provider_path, sizeof(provider_path), "%s/%s", dir,
		     QP_PROVIDER_NAME);
	if (n <= 0 || (size_t)n >= sizeof(provider_path))
		provider_path[0] = '\0';
}

static void bind_ust(void *handle)
{
	void *close_fd = ust_sym(handle, "lttng_ust_safe_close_fd");

	*(void **)&qp_ust.before_fork = ust_sym(handle, "lttng_ust_before_fork");
	*(void **)&qp_ust.after_fork_parent =
		ust_sym(handle, "lttng_ust_after_fork_parent");
	*(void **)&qp_ust.after_fork_child =
		ust_sym(handle, "lttng_ust_after_fork_child");
	if (close_fd)
		__atomic_store_n((void **)&qp_ust.safe_close_fd, close_fd,
				 __ATOMIC_RELEASE);
	/* All three or none: fork() calls them as a set. */
	if (!qp_ust.before_fork || !qp_ust.after_fork_parent ||
	    !qp_ust.after_fork_child)
		qp_ust.before_fork = NULL;
}

__attribute__((noinline, cold)) void qp_lttng_load(void)
{
	int expected = QP_LTTNG_UNLOADED;
	int state = QP_LTTNG_FAILED;
	int saved = errno;
	void *handle;

	if (!atomic_compare_exchange_strong(&qp_lttng_state, &expected,
					    QP_LTTNG_LOADING))
		return;		/* loaded, failed, or another thread loads */
	if (qp_tp_definitions_register()) {
		qp_debug("liblttng-ust-tracepoint.so.1 not found: no events");
		goto out;
	}
	handle = dlopen(qp_lttng_provider_path(),
			RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (!handle) {
		qp_debug("cannot load the provider: %s: no events", dlerror());
		goto out;
	}
	bind_ust(handle);
	state = QP_LTTNG_READY;
	qp_debug("LTTng-UST loaded: %s", qp_lttng_provider_path());
out:
	atomic_store(&qp_lttng_state, state);
	errno = saved;
}
