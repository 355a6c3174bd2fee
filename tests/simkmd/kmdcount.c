// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD probe for the "below libc" test: interposes ioctl() the way
 * qprof's shim does and counts the qaic requests it sees.  If simkmd
 * answered anything above libc, these counts would fall short of the
 * driver's own (simkmd_stats).  Never installed.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>

#include "qprof/qaic_accel.h"

typedef int (*ioctl_fn)(int, unsigned long, ...);

static uint64_t counts[10];

void kmdcount_get(uint64_t out[10]);
int ioctl(int fd, unsigned long req, ...);

void kmdcount_get(uint64_t out[10])
{
	for (int i = 0; i < 10; i++)
		out[i] = __atomic_load_n(&counts[i], __ATOMIC_RELAXED);
}

static int slot(uint32_t req)
{
	switch (req) {
	case DRM_IOCTL_QAIC_MANAGE: return 0;
	case DRM_IOCTL_QAIC_CREATE_BO: return 1;
	case DRM_IOCTL_QAIC_MMAP_BO: return 2;
	case DRM_IOCTL_QAIC_ATTACH_SLICE_BO: return 3;
	case DRM_IOCTL_QAIC_EXECUTE_BO: return 4;
	case DRM_IOCTL_QAIC_PARTIAL_EXECUTE_BO: return 5;
	case DRM_IOCTL_QAIC_WAIT_BO: return 6;
	case DRM_IOCTL_QAIC_PERF_STATS_BO: return 7;
	case DRM_IOCTL_QAIC_DETACH_SLICE_BO: return 8;
	case DRM_IOCTL_GEM_CLOSE: return 9;
	default: return -1;
	}
}

int ioctl(int fd, unsigned long req, ...)
{
	static ioctl_fn real;
	va_list ap;
	void *arg;
	int s = slot((uint32_t)req);

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!real)
		real = (ioctl_fn)(uintptr_t)dlsym(RTLD_NEXT, "ioctl");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	if (s >= 0)
		__atomic_add_fetch(&counts[s], 1, __ATOMIC_RELAXED);
	return real(fd, req, arg);
}
