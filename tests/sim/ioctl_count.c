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
 *
 * Also written: "EXEC_ENTRIES <min> <max>" (entries per EXECUTE or
 * PARTIAL_EXECUTE call), "EXEC_DIR_ODD <n>" (entries whose dir is neither
 * 1 nor 2), "PARTIAL_RESIZE_ZERO <n>" (partial entries with resize 0) and
 * one "NODE <path>" per device node the qaic ioctls went to.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

#define MAX_NODES 64
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long exec_min = ULONG_MAX, exec_max, dir_odd, resize_zero;
static char *nodes[MAX_NODES];
static int nnodes;
static unsigned char fd_seen[4096];

/* Called with lock held. */
static void note_node(int fd)
{
	char link[64], path[PATH_MAX];
	ssize_t n;

	if (fd < 0 || fd >= (int)sizeof(fd_seen) || fd_seen[fd])
		return;
	fd_seen[fd] = 1;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return;
	path[n] = '\0';
	for (int i = 0; i < nnodes; i++)
		if (!strcmp(nodes[i], path))
			return;
	if (nnodes < MAX_NODES)
		nodes[nnodes++] = strdup(path);
}

/* Called with lock held, before the call (entries are input). */
static void note_execute(unsigned long request, const void *arg)
{
	const struct qaic_execute *ex = arg;
	bool partial = request == DRM_IOCTL_QAIC_PARTIAL_EXECUTE_BO;

	if (request != DRM_IOCTL_QAIC_EXECUTE_BO && !partial)
		return;
	if (ex->hdr.count < exec_min)
		exec_min = ex->hdr.count;
	if (ex->hdr.count > exec_max)
		exec_max = ex->hdr.count;
	for (uint32_t i = 0; i < ex->hdr.count; i++) {
		uint32_t dir;

		if (partial) {
			const struct qaic_partial_execute_entry *e =
				(const void *)(uintptr_t)ex->data;

			dir = e[i].dir;
			resize_zero += e[i].resize == 0;
		} else {
			const struct qaic_execute_entry *e =
				(const void *)(uintptr_t)ex->data;

			dir = e[i].dir;
		}
		dir_odd += dir != 1 && dir != 2;
	}
}

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
	if (c) {
		pthread_mutex_lock(&lock);
		note_node(fd);
		note_execute(request, arg);
		pthread_mutex_unlock(&lock);
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
	fprintf(f, "EXEC_ENTRIES %lu %lu\n", exec_max ? exec_min : 0, exec_max);
	fprintf(f, "EXEC_DIR_ODD %lu\n", dir_odd);
	fprintf(f, "PARTIAL_RESIZE_ZERO %lu\n", resize_zero);
	for (int k = 0; k < nnodes; k++)
		fprintf(f, "NODE %s\n", nodes[k]);
	fclose(f);
}
