// SPDX-License-Identifier: MIT
/*
 * The supervisor: receives trapped ioctls from the seccomp listener, decides
 * whether they are ours (a thread of this process, an fd on one of our
 * device nodes), runs the handler and sends the answer.  Everything else is
 * handed back to the real kernel with SECCOMP_USER_NOTIF_FLAG_CONTINUE, which
 * then answers as it would without us (ENOTTY for a regular file).
 *
 * The caller's memory is accessed with process_vm_readv/writev on our own
 * pid: a bad pointer then gives -EFAULT, as copy_from_user would, instead of
 * crashing the supervisor.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "simkmd_priv.h"

/*
 * initial-exec: the runtime may be dlopen'ed, and LeakSanitizer crashes at
 * exit walking dynamic TLS blocks of such libraries.  16 bytes of static
 * TLS are always available.
 */
#define KMD_TLS __thread __attribute__((tls_model("initial-exec")))
static KMD_TLS uint64_t current_id;	/* notification being served */
static KMD_TLS bool current_valid;

uint64_t simkmd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool notif_valid(uint64_t id)
{
	return ioctl(sk.listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

int simkmd_copy_from_user(void *dst, uint64_t uaddr, size_t len)
{
	struct iovec local = { dst, len };
	struct iovec remote = { (void *)(uintptr_t)uaddr, len };

	if (len == 0)
		return 0;
	if (!uaddr)
		return -EFAULT;
	if (process_vm_readv(simkmd_self(), &local, 1, &remote, 1, 0) != (ssize_t)len)
		return -EFAULT;
	return 0;
}

int simkmd_copy_to_user(uint64_t uaddr, const void *src, size_t len)
{
	struct iovec local = { (void *)src, len };
	struct iovec remote = { (void *)(uintptr_t)uaddr, len };

	if (len == 0)
		return 0;
	if (!uaddr)
		return -EFAULT;
	/* The caller may have died meanwhile: never write into reused memory. */
	if (current_valid && !notif_valid(current_id))
		return -ESRCH;
	if (process_vm_writev(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)len)
		return -EFAULT;
	return 0;
}

int simkmd_reply(uint64_t id, int64_t val)
{
	struct seccomp_notif_resp resp;

	memset(&resp, 0, sizeof(resp));
	resp.id = id;
	if (val < 0)
		resp.error = (int32_t)val;
	else
		resp.val = val;
	if (ioctl(sk.listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0)
		return 0;
	/* ENOENT: the caller was interrupted or died; nothing to answer. */
	return -errno;
}

static void reply_continue(uint64_t id)
{
	struct seccomp_notif_resp resp;

	memset(&resp, 0, sizeof(resp));
	resp.id = id;
	resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	if (ioctl(sk.listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) && errno != ENOENT)
		fprintf(stderr, "simkmd: cannot pass an ioctl on to the kernel: %s\n",
			strerror(errno));
}

/* ---- open file descriptions ------------------------------------------- */

static bool same_file(int fd, const struct sim_file *f)
{
	pid_t pid = simkmd_self();

	if (!sk.kcmp_ok)
		return fd == f->last_app_fd;
	return syscall(SYS_kcmp, pid, pid, KCMP_FILE, fd, f->priv_fd) == 0;
}

static bool is_private_fd(int fd)
{
	if (fd == sk.listener)
		return true;
	for (int i = 0; i < sk.ndev; i++)
		if (sk.dev[i].fd == fd)
			return true;
	for (struct sim_file *f = sk.files; f; f = f->next)
		if (f->priv_fd == fd)
			return true;
	return false;
}

/* Does any application fd still refer to file description f? */
static bool file_still_open(const struct sim_file *f)
{
	struct dirent *de;
	bool open = false;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (!d)
		return true;	/* cannot tell: keep it */
	while (!open && (de = readdir(d))) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] == '.' || fd == dirfd(d) || is_private_fd(fd))
			continue;
		open = same_file(fd, f);
	}
	closedir(d);
	return open;
}

/*
 * close() is not trapped (it would cost every close in the process), so a
 * closed description is noticed lazily, when a new one appears: that is
 * when its handles and DBCs are released, as the DRM release hook would.
 */
static void reap_closed_files(void)
{
	struct sim_file **pp = &sk.files;

	if (!sk.kcmp_ok)
		return;
	while (*pp) {
		struct sim_file *f = *pp;

		if (file_still_open(f)) {
			pp = &f->next;
			continue;
		}
		*pp = f->next;
		simkmd_file_release(f);
	}
}

static struct sim_device *device_of_fd(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return NULL;
	for (int i = 0; i < sk.ndev; i++)
		if (sk.dev[i].st_dev == st.st_dev && sk.dev[i].st_ino == st.st_ino)
			return &sk.dev[i];
	return NULL;
}

struct sim_file *simkmd_file_lookup(int fd, const struct sim_device *hint, bool create)
{
	struct sim_device *dev = (struct sim_device *)hint;
	struct sim_file *f;

	for (f = sk.files; f; f = f->next)
		if (f->last_app_fd == fd && same_file(fd, f))
			return f;
	for (f = sk.files; f; f = f->next)
		if ((!dev || f->dev == dev) && same_file(fd, f)) {
			f->last_app_fd = fd;	/* a dup of a known file */
			return f;
		}
	if (!create)
		return NULL;
	if (!dev)
		dev = device_of_fd(fd);
	if (!dev)
		return NULL;
	reap_closed_files();
	/* An fd number reused by a new open() no longer matches (kcmp). */
	if (!sk.kcmp_ok)
		for (f = sk.files; f; f = f->next)
			if (f->last_app_fd == fd)
				return f;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->dev = dev;
	f->last_app_fd = fd;
	f->priv_fd = fcntl(fd, F_DUPFD_CLOEXEC, 512);
	if (f->priv_fd < 0)
		f->priv_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (f->priv_fd < 0) {
		free(f);
		return NULL;
	}
	f->next = sk.files;
	sk.files = f;
	return f;
}

/* ---- the loop ----------------------------------------------------------- */

static bool caller_is_ours(pid_t tid)
{
	/* tgkill with signal 0 succeeds only for a thread of this process. */
	return syscall(SYS_tgkill, getpid(), tid, 0) == 0;
}

/*
 * Serve one trapped ioctl of this process, in the supervisor or in the
 * caller's own thread (@in_caller: kmd_trap.c).  SIMKMD_NOT_OURS: @fd is not
 * one of our device nodes, and the real kernel should answer.
 */
long simkmd_serve(int fd, unsigned long request, uint64_t arg, uint64_t notif_id,
		  uint64_t entry_ns)
{
	struct sim_device *dev;
	struct sim_file *f;
	long ret;

	pthread_mutex_lock(&sk.lock);
	/* a file we know needs no fstat (every syscall here is one a real
	 * kernel's ioctl does not make); without kcmp an fd number could
	 * have been reused for another file: fstat first */
	f = sk.kcmp_ok ? simkmd_file_lookup(fd, NULL, false) : NULL;
	dev = f ? f->dev : device_of_fd(fd);
	if (!dev) {
		sk.stats.continued++;
		pthread_mutex_unlock(&sk.lock);
		return SIMKMD_NOT_OURS;
	}
	if (!f)
		f = simkmd_file_lookup(fd, dev, true);
	sk.call_entry_ns = entry_ns;
	ret = f ? simkmd_ioctl(f, request, arg, notif_id) : -ENOMEM;
	sk.call_entry_ns = 0;
	sk.stats.handled++;
	if (ret < 0)
		sk.stats.failed++;
	if (entry_ns)
		sk.stats.in_caller++;
	pthread_mutex_unlock(&sk.lock);
	return ret;
}

static void serve(const struct seccomp_notif *req)
{
	int fd = (int)req->data.args[0];
	unsigned long request = (uint32_t)req->data.args[1];
	long ret;

	if (!caller_is_ours((pid_t)req->pid)) {
		/* A forked child: the device is not its own. */
		pthread_mutex_lock(&sk.lock);
		sk.stats.continued++;
		pthread_mutex_unlock(&sk.lock);
		reply_continue(req->id);
		return;
	}
	current_id = req->id;
	current_valid = true;
	if (!notif_valid(req->id))
		return;
	ret = simkmd_serve(fd, request, req->data.args[2], req->id, 0);
	current_valid = false;
	if (ret == SIMKMD_NOT_OURS)
		reply_continue(req->id);
	else if (ret != SIMKMD_DEFERRED)
		simkmd_reply(req->id, ret);
}

void *simkmd_supervisor_main(void *arg)
{
	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req;
	size_t size = sizeof(*req);
	unsigned int errors = 0;

	(void)arg;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0 &&
	    sizes.seccomp_notif > size)
		size = sizes.seccomp_notif;
	req = calloc(1, size);
	if (!req) {
		fprintf(stderr, "simkmd: supervisor out of memory\n");
		return NULL;
	}
	for (;;) {
		memset(req, 0, size);
		if (ioctl(sk.listener, SECCOMP_IOCTL_NOTIF_RECV, req)) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			/* Never exit: trapped callers would hang for good. */
			if (errors++ < 3)
				fprintf(stderr, "simkmd: NOTIF_RECV: %s\n", strerror(errno));
			usleep(1000);
			continue;
		}
		serve(req);
	}
	return NULL;
}
