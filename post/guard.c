// SPDX-License-Identifier: MIT
/*
 * Decoding under watch (guard.h): the work runs in a child process, the
 * parent polls its memory and progress ten times a second and is woken at
 * once when it ends (SIGCHLD through sigtimedwait: no latency added to a
 * report that ends normally).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"

#define POLL_MS 100

/* One page shared by the parent and the child. */
struct guard_shared {
	atomic_uint_fast64_t ticks;
	char phase[512];
	bool deferred;
	atomic_bool decoded;	/* qp_guard_decoded(): no stall limit */
};

static struct guard_shared *shared;	/* set in a guarded child */

void qp_guard_tick(void)
{
	if (shared)
		atomic_fetch_add_explicit(&shared->ticks, 1, memory_order_relaxed);
}

void qp_guard_phase(const char *fmt, ...)
{
	va_list ap;

	if (!shared)
		return;
	va_start(ap, fmt);
	vsnprintf(shared->phase, sizeof(shared->phase), fmt, ap);
	va_end(ap);
	qp_guard_tick();
}

void qp_guard_decoded(void)
{
	if (shared)
		atomic_store(&shared->decoded, true);
}

bool qp_guard_defer(const char *msg)
{
	if (!shared)
		return false;
	snprintf(shared->phase, sizeof(shared->phase), "%s", msg);
	shared->deferred = true;
	return true;
}

/* RssAnon of pid in bytes (0 when unreadable: the child is gone). */
static uint64_t rss_anon(pid_t pid)
{
	char path[64], line[128];
	unsigned long long kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "RssAnon: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * 1024;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void child_run(int (*fn)(void *), void *arg, const sigset_t *old)
{
	int rc;

	sigprocmask(SIG_SETMASK, old, NULL);
	rc = fn(arg);
	fflush(NULL);
	exit(rc);
}

/* Watch the child until it ends; kill it when it breaks a limit. */
static void watch(pid_t pid, const struct qp_guard_opts *o,
		  struct qp_guard_result *r, const sigset_t *waitset)
{
	struct timespec poll = { 0, POLL_MS * 1000000L };
	uint64_t last_ticks = 0, anon;
	double last_progress = now_s();
	int status, sig;

	for (;;) {
		struct rusage ru;

		if (wait4(pid, &status, WNOHANG, &ru) == pid) {
			r->peak_rss = (uint64_t)ru.ru_maxrss * 1024;
			break;
		}
		anon = rss_anon(pid);
		if (anon > r->peak_anon)
			r->peak_anon = anon;
		if (o->mem_limit && anon > o->mem_limit && r->end == QP_GUARD_EXITED) {
			r->end = QP_GUARD_MEMORY;
			kill(pid, SIGKILL);
		}
		if (atomic_load(&shared->ticks) != last_ticks) {
			last_ticks = atomic_load(&shared->ticks);
			last_progress = now_s();
		} else if (o->stall_s && now_s() - last_progress > o->stall_s &&
			   !atomic_load(&shared->decoded) &&
			   r->end == QP_GUARD_EXITED) {
			r->end = QP_GUARD_STALLED;
			kill(pid, SIGKILL);
		}
		sig = sigtimedwait(waitset, NULL, &poll);
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
			kill(pid, sig);	/* the user's: the child's too */
	}
	if (r->end != QP_GUARD_EXITED)
		r->status = SIGKILL;
	else if (WIFSIGNALED(status)) {
		r->end = QP_GUARD_SIGNALED;
		r->status = WTERMSIG(status);
	} else {
		r->status = WEXITSTATUS(status);
	}
}

int qp_guard_run(int (*fn)(void *), void *arg, const struct qp_guard_opts *o,
		 struct qp_guard_result *r)
{
	sigset_t waitset, old;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		shared = NULL;
		r->end = QP_GUARD_NO_CHILD;
		return r->status = fn(arg);
	}
	atomic_init(&shared->ticks, 0);
	shared->phase[0] = '\0';
	shared->deferred = false;
	atomic_init(&shared->decoded, false);
	sigemptyset(&waitset);
	sigaddset(&waitset, SIGCHLD);
	sigaddset(&waitset, SIGINT);
	sigaddset(&waitset, SIGTERM);
	sigaddset(&waitset, SIGHUP);
	sigprocmask(SIG_BLOCK, &waitset, &old);
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		child_run(fn, arg, &old);
	if (pid < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		munmap(shared, sizeof(*shared));
		shared = NULL;
		r->end = QP_GUARD_NO_CHILD;
		return r->status = fn(arg);
	}
	watch(pid, o, r, &waitset);
	memcpy(r->phase, shared->phase, sizeof(r->phase));
	r->phase[sizeof(r->phase) - 1] = '\0';
	r->deferred = shared->deferred && r->end == QP_GUARD_EXITED;
	munmap(shared, sizeof(*shared));
	shared = NULL;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r->end == QP_GUARD_SIGNALED &&
	    (r->status == SIGINT || r->status == SIGTERM || r->status == SIGHUP)) {
		/* interrupted by the user: end as the child did */
		signal(r->status, SIG_DFL);
		raise(r->status);
	}
	return r->end == QP_GUARD_EXITED ? r->status : -1;
}

void qp_guard_describe(const struct qp_guard_result *r,
		       const struct qp_guard_opts *o, char *buf, size_t len)
{
	const char *phase = r->phase;
	const char *sep = phase[0] ? " while " : "";

	switch (r->end) {
	case QP_GUARD_MEMORY:
		snprintf(buf, len, "stopped at %llu MiB of memory (limit %llu MiB, QPROF_REPORT_MEMORY_MB)%s%s",
			 (unsigned long long)(r->peak_anon >> 20),
			 (unsigned long long)(o->mem_limit >> 20), sep, phase);
		break;
	case QP_GUARD_STALLED:
		snprintf(buf, len, "stopped after %u s without progress (QPROF_REPORT_STALL_S)%s%s",
			 o->stall_s, sep, phase);
		break;
	case QP_GUARD_SIGNALED:
		snprintf(buf, len, "crashed (%s)%s%s", strsignal(r->status),
			 sep, phase);
		break;
	default:
		snprintf(buf, len, "ended with status %d%s%s", r->status,
			 sep, phase);
		break;
	}
}

static int env_uint(const char *name, uint64_t *out, char *err, size_t errlen)
{
	const char *s = getenv(name);
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || *s == '-') {
		snprintf(err, errlen, "%s: '%s' is not a non-negative integer",
			 name, s);
		return -1;
	}
	*out = v;
	return 1;
}

int qp_guard_opts_from_env(struct qp_guard_opts *o, uint64_t def_mem,
			   unsigned int def_stall, char *err, size_t errlen)
{
	uint64_t v;
	int rc;

	o->mem_limit = def_mem;
	o->stall_s = def_stall;
	rc = env_uint("QPROF_REPORT_MEMORY_MB", &v, err, errlen);
	if (rc < 0)
		return -1;
	if (rc)
		o->mem_limit = v > (UINT64_MAX >> 20) ? 0 : v << 20;
	rc = env_uint("QPROF_REPORT_STALL_S", &v, err, errlen);
	if (rc < 0)
		return -1;
	if (rc)
		o->stall_s = v > 86400 ? 86400 : (unsigned int)v;
	return 0;
}
