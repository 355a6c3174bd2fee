/* SPDX-License-Identifier: MIT */
/*
 * LD_PRELOAD test module: counts the qaic ioctls that pass through libc
 * ioctl(), by request, calls and successful calls, and at exit writes
 *   <NAME> <calls> <ok>
 * lines (one per request, all requests listed) to the file named by
 * $IOCTL_COUNT_OUT.  A process that made no qaic ioctl writes nothing, so
 * helper processes (libtool wrappers, shells) leave the file alone.
 *
 * It proves the simulator's "kernel" sits below libc: every qaic request the
 * runtime makes must show up here, as an interposer on a card would see it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include <qprof/qaic_accel.h>

struct counted_request {
	const char *name;
	unsigned long request;
	atomic_ulong calls;
	atomic_ulong ok;
};

static struct counted_request requests[] = {
	{ "MANAGE", DRM_IOCTL_QAIC_MANAGE, 0, 0 },
	{ "CREATE_BO", DRM_IOCTL_QAIC_CREATE_BO, 0, 0 },
	{ "MMAP_BO", DRM_IOCTL_QAIC_MMAP_BO, 0, 0 },
	{ "ATTACH_SLICE_BO", DRM_IOCTL_QAIC_ATTACH_SLICE_BO, 0, 0 },
	{ "EXECUTE_BO", DRM_IOCTL_QAIC_EXECUTE_BO, 0, 0 },
	{ "PARTIAL_EXECUTE_BO", DRM_IOCTL_QAIC_PARTIAL_EXECUTE_BO, 0, 0 },
	{ "WAIT_BO", DRM_IOCTL_QAIC_WAIT_BO, 0, 0 },
	{ "PERF_STATS_BO", DRM_IOCTL_QAIC_PERF_STATS_BO, 0, 0 },
	{ "DETACH_SLICE_BO", DRM_IOCTL_QAIC_DETACH_SLICE_BO, 0, 0 },
	{ "GEM_CLOSE", DRM_IOCTL_GEM_CLOSE, 0, 0 },
};
#define NUM_REQUESTS (sizeof(requests) / sizeof(requests[0]))

typedef int (*ioctl_fn)(int fd, unsigned long request, ...);
static atomic_ulong total;

static ioctl_fn real_ioctl(void)
{
	static _Atomic(ioctl_fn) fn;
	ioctl_fn f = atomic_load(&fn);

	if (!f) {
		*(void **)&f = dlsym(RTLD_NEXT, "ioctl");
		atomic_store(&fn, f);
	}
	return f;
}

int ioctl(int fd, unsigned long request, ...);

int ioctl(int fd, unsigned long request, ...)
{
	struct counted_request *c = NULL;
	ioctl_fn f = real_ioctl();
	va_list ap;
	void *arg;
	size_t i;
	int rc;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	for (i = 0; i < NUM_REQUESTS; i++)
		if (requests[i].request == request)
			c = &requests[i];
	if (!f) {
		errno = ENOSYS;
		return -1;
	}
	rc = f(fd, request, arg);
	if (c) {
		int saved = errno;

		atomic_fetch_add(&c->calls, 1);
		atomic_fetch_add(&total, 1);
		if (rc >= 0)
			atomic_fetch_add(&c->ok, 1);
		errno = saved;
	}
	return rc;
}

__attribute__((destructor)) static void write_counts(void)
{
	const char *path = getenv("IOCTL_COUNT_OUT");
	FILE *f;
	size_t i;

	if (!path || !*path || atomic_load(&total) == 0)
		return;
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "ioctl_count: %s: cannot write\n", path);
		return;
	}
	for (i = 0; i < NUM_REQUESTS; i++)
		fprintf(f, "%s %lu %lu\n", requests[i].name,
			atomic_load(&requests[i].calls),
			atomic_load(&requests[i].ok));
	fclose(f);
}
