/* SPDX-License-Identifier: MIT */
/*
 * A fake qaic kernel for the benchmark, preloaded after libqprof.so:
 * ioctl() with a qaic request ('d', nr >= 0x40) succeeds at once (PERF_STATS
 * entries get plausible values), anything else goes to libc.  Without
 * system calls in the way, the difference between runs with and without
 * the shim is the shim's own CPU time.  QP_FAKEKMD_EVICT (below) makes
 * EXECUTE and WAIT evict the caches, for the benchmark's cold rows.
 * QP_FAKEKMD_COUNT=1: at exit, prints on stderr how many EXECUTE, WAIT and
 * PERF_STATS calls it answered ("fakekmd execute N wait N perf_stats N").
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include <qprof/qaic_accel.h>

typedef int (*ioctl_fn)(int, unsigned long, ...);

static unsigned long n_exec, n_wait, n_perf;

static void print_counts(void)
{
	fprintf(stderr, "fakekmd execute %lu wait %lu perf_stats %lu\n",
		__atomic_load_n(&n_exec, __ATOMIC_RELAXED),
		__atomic_load_n(&n_wait, __ATOMIC_RELAXED),
		__atomic_load_n(&n_perf, __ATOMIC_RELAXED));
}

__attribute__((constructor)) static void counts_init(void)
{
	const char *e = getenv("QP_FAKEKMD_COUNT");

	if (e && *e == '1')
		atexit(print_counts);
}

int ioctl(int fd, unsigned long request, ...);

/*
 * QP_FAKEKMD_EVICT=KiB: each EXECUTE_BO and WAIT_BO writes that much of a
 * per-thread buffer, evicting the caches as a real driver call (a context
 * switch, the kernel's own working set) does between two events.
 */
static void evict_caches(void)
{
	static __thread unsigned char *buf;
	static long kib = -1;
	size_t i;

	if (kib < 0) {
		const char *e = getenv("QP_FAKEKMD_EVICT");

		kib = e ? atol(e) : 0;
	}
	if (!kib)
		return;
	if (!buf)
		buf = malloc((size_t)kib * 1024);
	if (!buf)
		return;
	for (i = 0; i < (size_t)kib * 1024; i += 64)
		buf[i]++;
}

/*
 * The fake kernel's own work, in a function of its own: the benchmark's
 * instruction counts leave it out (callgrind --toggle-collect), as a real
 * driver's work is not the process's user-space instructions.
 */
__attribute__((noinline)) int fakekmd_kernel(unsigned long request, void *arg);

__attribute__((noinline)) int fakekmd_kernel(unsigned long request, void *arg)
{
	if (request == DRM_IOCTL_QAIC_EXECUTE_BO ||
	    request == DRM_IOCTL_QAIC_WAIT_BO)
		evict_caches();
	if (request == DRM_IOCTL_QAIC_EXECUTE_BO)
		__atomic_fetch_add(&n_exec, 1, __ATOMIC_RELAXED);
	else if (request == DRM_IOCTL_QAIC_WAIT_BO)
		__atomic_fetch_add(&n_wait, 1, __ATOMIC_RELAXED);
	else if (request == DRM_IOCTL_QAIC_PERF_STATS_BO) {
		struct qaic_perf_stats *ps = arg;
		struct qaic_perf_stats_entry *e = (void *)(uintptr_t)ps->data;
		uint32_t i;

		__atomic_fetch_add(&n_perf, 1, __ATOMIC_RELAXED);
		for (i = 0; i < ps->hdr.count; i++) {
			e[i].queue_level_before = 0;
			e[i].num_queue_element = 1;
			e[i].submit_latency_us = 5;
			e[i].device_latency_us = 50;
		}
	}
	return 0;
}

int ioctl(int fd, unsigned long request, ...)
{
	static ioctl_fn next;
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (_IOC_TYPE(request) == 'd' && _IOC_NR(request) >= 0x40)
		return fakekmd_kernel(request, arg);
	if (!next)
		*(void **)&next = dlsym(RTLD_NEXT, "ioctl");
	return next ? next(fd, request, arg) : -1;
}
