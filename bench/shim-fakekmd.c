/* SPDX-License-Identifier: MIT */
/*
 * A fake qaic kernel for the benchmark, preloaded after libqprof.so:
 * ioctl() with a qaic request ('d', nr >= 0x40) succeeds at once (PERF_STATS
 * entries get plausible values), anything else goes to libc.  Without
 * system calls in the way, the difference between runs with and without
 * the shim is the shim's own CPU time.  QP_FAKEKMD_EVICT (below) makes
 * EXECUTE and WAIT evict the caches, for the benchmark's cold rows.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include <qprof/qaic_accel.h>

typedef int (*ioctl_fn)(int, unsigned long, ...);

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

int ioctl(int fd, unsigned long request, ...)
{
	static ioctl_fn next;
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (_IOC_TYPE(request) == 'd' && _IOC_NR(request) >= 0x40) {
		if (request == DRM_IOCTL_QAIC_EXECUTE_BO ||
		    request == DRM_IOCTL_QAIC_WAIT_BO)
			evict_caches();
		if (request == DRM_IOCTL_QAIC_PERF_STATS_BO) {
			struct qaic_perf_stats *ps = arg;
			struct qaic_perf_stats_entry *e =
				(void *)(uintptr_t)ps->data;
			uint32_t i;

			for (i = 0; i < ps->hdr.count; i++) {
				e[i].num_queue_element = 1;
				e[i].submit_latency_us = 5;
				e[i].device_latency_us = 50;
			}
		}
		return 0;
	}
	if (!next)
		*(void **)&next = dlsym(RTLD_NEXT, "ioctl");
	return next ? next(fd, request, arg) : -1;
}
