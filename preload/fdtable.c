/* SPDX-License-Identifier: MIT */
/*
 * Which file descriptors are accel device nodes.
 *
 * A two-level byte table indexed by fd (chunks of 4096 fds, mapped on
 * first use and published with a CAS) holds one qp_fd_state per fd.  It is
 * filled by the open/openat hooks, cleared by close, copied by
 * dup/dup2/dup3/fcntl(F_DUPFD*).  An fd the hooks never saw (opened through
 * a path we do not interpose, inherited, received over a socket) is
 * classified once, on its first DRM ioctl, with readlink(/proc/self/fd/N).
 * Lookups are two loads; no locks anywhere, and close() stays
 * async-signal-safe (it only stores a byte).
 */
#undef _FORTIFY_SOURCE
#include "shim.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CHUNK_BITS 12
#define CHUNK_FDS (1u << CHUNK_BITS)
#define NUM_CHUNKS 1024u	/* 4 Mi fds */

static _Atomic(_Atomic uint8_t *) chunks[NUM_CHUNKS];

/*
 * Does path end in `name` followed by one or more digits, with `name` at
 * the start of path or right after a '/' (when `name` has no '/' of its
 * own, right after one in any case)?
 */
static bool path_ends_in_node(const char *path, size_t len, const char *name,
			      size_t nlen)
{
	size_t i, digits = 0;
	const char *p;

	for (i = len; i > 0 && path[i - 1] >= '0' && path[i - 1] <= '9'; i--)
		digits++;
	if (!digits || i < nlen)
		return false;
	p = path + i - nlen;
	if (memcmp(p, name, nlen) != 0)
		return false;
	return p == path || p[-1] == '/';
}

/*
 * The device nodes of a qaic device (docs/CONTRACTS.md §6.1): the accel node
 * "…/accel/accel<N>" (or "accel/accel<N>"), and the legacy and partition
 * ("derived") nodes of the SDK's own driver, "…/qaic_aic100_<N>".
 */
bool qp_path_is_accel(const char *path)
{
	static const char accel[] = "accel/accel";
	static const char legacy[] = "qaic_aic100_";
	size_t len;

	if (!path)
		return false;
	len = strlen(path);
	return path_ends_in_node(path, len, accel, sizeof(accel) - 1) ||
	       path_ends_in_node(path, len, legacy, sizeof(legacy) - 1);
}

static _Atomic uint8_t *chunk_of(int fd, bool create)
{
	unsigned int idx = (unsigned int)fd >> CHUNK_BITS;
	_Atomic uint8_t *c, *expected = NULL;
	void *mem;

	c = atomic_load_explicit(&chunks[idx], memory_order_acquire);
	if (c || !create)
		return c;
	/* mmap, not malloc: async-signal-safe and never re-enters us. */
	mem = mmap(NULL, CHUNK_FDS, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return NULL;
	if (atomic_compare_exchange_strong(&chunks[idx], &expected, mem))
		return mem;
	munmap(mem, CHUNK_FDS);
	return expected;
}

enum qp_fd_state qp_fd_get(int fd)
{
	_Atomic uint8_t *c;

	if (fd < 0 || (unsigned int)fd >= NUM_CHUNKS * CHUNK_FDS)
		return QP_FD_UNKNOWN;
	c = chunk_of(fd, false);
	if (!c)
		return QP_FD_UNKNOWN;
	return (enum qp_fd_state)atomic_load_explicit(
		&c[fd & (CHUNK_FDS - 1)], memory_order_relaxed);
}

void qp_fd_set(int fd, enum qp_fd_state state)
{
	_Atomic uint8_t *c;

	if (fd < 0 || (unsigned int)fd >= NUM_CHUNKS * CHUNK_FDS)
		return;
	c = chunk_of(fd, state != QP_FD_UNKNOWN);
	if (c)
		atomic_store_explicit(&c[fd & (CHUNK_FDS - 1)], (uint8_t)state,
				      memory_order_relaxed);
}

static void emit_open(int fd, const char *path, const void *ip)
{
	struct qprof_tp_call c;

	qp_runtime_seen(ip, false);
	if (lttng_ust_tracepoint_enabled(qprof, kmd_open)) {
		qp_call_begin(&c, ip);
		lttng_ust_do_tracepoint(qprof, kmd_open, &c, fd, path);
	}
}

void qp_fd_opened(int fd, const char *path, const void *ip)
{
	if (fd < 0)
		return;
	if (qp_path_is_accel(path)) {
		qp_fd_set(fd, QP_FD_ACCEL);
		qp_lttng_need();
		emit_open(fd, path, ip);
	} else {
		/* Relative to a dirfd, or a symlink: decide on first ioctl. */
		qp_fd_set(fd, QP_FD_UNKNOWN);
	}
}

void qp_fd_dup(int oldfd, int newfd)
{
	if (newfd < 0 || newfd == oldfd)
		return;
	qp_fd_set(newfd, qp_fd_get(oldfd));
}

bool qp_fd_is_accel(int fd, const void *ip)
{
	enum qp_fd_state st = qp_fd_get(fd);
	char link[64], path[512];
	ssize_t n;

	if (qp_likely(st != QP_FD_UNKNOWN))
		return st == QP_FD_ACCEL;
	if (fd < 0)
		return false;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return false;	/* not open: nothing to remember */
	path[n] = '\0';
	if (!qp_path_is_accel(path)) {
		qp_fd_set(fd, QP_FD_OTHER);
		return false;
	}
	qp_fd_set(fd, QP_FD_ACCEL);
	emit_open(fd, path, ip);
	return true;
}

/* ---- hooks ----------------------------------------------------------- */

static bool open_has_mode(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

#define QP_OPEN_HOOK(name)						\
QP_EXPORT int name(const char *path, int flags, ...)			\
{									\
	int (*real)(const char *, int, ...) = qp_libc_fn(name);	\
	mode_t mode = 0;						\
	int fd, saved;							\
									\
	if (open_has_mode(flags)) {					\
		va_list ap;						\
		va_start(ap, flags);					\
		mode = va_arg(ap, mode_t);				\
		va_end(ap);						\
	}								\
	if (!real) {							\
		errno = ENOSYS;						\
		return -1;						\
	}								\
	fd = real(path, flags, mode);					\
	if (fd >= 0) {							\
		saved = errno;						\
		qp_fd_opened(fd, path, __builtin_return_address(0));	\
		errno = saved;						\
	}								\
	return fd;							\
}

#define QP_OPENAT_HOOK(name)						\
QP_EXPORT int name(int dirfd, const char *path, int flags, ...)	\
{									\
	int (*real)(int, const char *, int, ...) = qp_libc_fn(name);	\
	mode_t mode = 0;						\
	int fd, saved;							\
									\
	if (open_has_mode(flags)) {					\
		va_list ap;						\
		va_start(ap, flags);					\
		mode = va_arg(ap, mode_t);				\
		va_end(ap);						\
	}								\
	if (!real) {							\
		errno = ENOSYS;						\
		return -1;						\
	}								\
	fd = real(dirfd, path, flags, mode);				\
	if (fd >= 0) {							\
		saved = errno;						\
		qp_fd_opened(fd, path, __builtin_return_address(0));	\
		errno = saved;						\
	}								\
	return fd;							\
}

QP_OPEN_HOOK(open)
QP_OPEN_HOOK(open64)
QP_OPENAT_HOOK(openat)
QP_OPENAT_HOOK(openat64)

/*
 * lttng_ust_safe_close_fd (liblttng-ust-common) refuses (EBADF) to close a
 * file descriptor that LTTng-UST owns (its sessiond sockets and ring-buffer
 * shm fds), else calls close_cb.  Without it a program that closes "all
 * other fds" (shells, daemons) takes LTTng-UST's fds away and later aborts
 * in its ring-buffer teardown.  liblttng-ust-fd.so does the same; the shim
 * interposes close() anyway, so it protects them itself, from the moment
 * LTTng-UST is mapped (qp_ust.safe_close_fd, lttng_load.c: before that
 * LTTng-UST owns no fd).
 */
QP_EXPORT int close(int fd)
{
	int (*real)(int) = qp_libc_fn(close);
	int (*safe)(int, int (*)(int));

	/* Stats owed for requests on an accel fd: read them while it lives. */
	if (qp_unlikely(qp_perfstats_pending()) &&
	    qp_fd_get(fd) == QP_FD_ACCEL)
		qp_perfstats_release(fd, 0, -1, __builtin_return_address(0));
	/* Forget first: the number may be reused as soon as it is closed. */
	qp_fd_set(fd, QP_FD_UNKNOWN);
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	safe = __atomic_load_n(&qp_ust.safe_close_fd, __ATOMIC_ACQUIRE);
	return safe ? safe(fd, real) : real(fd);
}

QP_EXPORT int dup(int oldfd)
{
	int (*real)(int) = qp_libc_fn(dup);
	int fd;

	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	fd = real(oldfd);
	qp_fd_dup(oldfd, fd);
	return fd;
}

QP_EXPORT int dup2(int oldfd, int newfd)
{
	int (*real)(int, int) = qp_libc_fn(dup2);
	int fd;

	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	fd = real(oldfd, newfd);
	qp_fd_dup(oldfd, fd);
	return fd;
}

QP_EXPORT int dup3(int oldfd, int newfd, int flags)
{
	int (*real)(int, int, int) = qp_libc_fn(dup3);
	int fd;

	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	fd = real(oldfd, newfd, flags);
	qp_fd_dup(oldfd, fd);
	return fd;
}

/* The third argument is read as a pointer, as glibc itself does. */
#define QP_FCNTL_HOOK(name)						\
QP_EXPORT int name(int fd, int cmd, ...)				\
{									\
	int (*real)(int, int, ...) = qp_libc_fn(name);			\
	va_list ap;							\
	void *arg;							\
	int ret;							\
									\
	va_start(ap, cmd);						\
	arg = va_arg(ap, void *);					\
	va_end(ap);							\
	if (!real) {							\
		errno = ENOSYS;						\
		return -1;						\
	}								\
	ret = real(fd, cmd, arg);					\
	if (ret >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))	\
		qp_fd_dup(fd, ret);					\
	return ret;							\
}

QP_FCNTL_HOOK(fcntl)
QP_FCNTL_HOOK(fcntl64)
