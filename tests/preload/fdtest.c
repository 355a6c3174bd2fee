/* SPDX-License-Identifier: MIT */
/*
 * fdtest DIR: qaic ioctls on accel-node fds that are opened, duplicated,
 * closed, reused and inherited across fork, and on fds that are not accel
 * nodes.  DIR holds accel/accel0..3 (regular files: the kernel answers
 * every qaic ioctl with ENOTTY, which is all the shim needs to record one).
 * The program prints one line per ioctl the shim must record,
 *	EXPECT <pid> <event> fd=<fd> <field>=<value>
 * and fails if ioctl()'s result or errno is not what the kernel gives
 * without the shim (-1, ENOTTY).  tests/preload/fds.sh compares the lines
 * with the trace.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <qprof/qaic_accel.h>

static const char *dir;
static int failures;

static int open_in(const char *rel)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "fdtest: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

/* EXECUTE_BO with two entries (handle, handle + 1) on dbc 3. */
static void execute(int fd, unsigned int handle, int expect)
{
	struct qaic_execute_entry ent[2] = {
		{ .handle = handle, .dir = 1 }, { .handle = handle + 1, .dir = 2 },
	};
	struct qaic_execute ex = {
		.hdr = { .count = 2, .dbc_id = 3 },
		.data = (uintptr_t)ent,
	};
	int rc;

	errno = 0;
	rc = ioctl(fd, DRM_IOCTL_QAIC_EXECUTE_BO, &ex);
	if (rc != -1 || errno != ENOTTY) {
		fprintf(stderr, "fdtest: EXECUTE on fd %d: rc %d errno %d\n",
			fd, rc, errno);
		failures++;
	}
	if (expect)
		printf("EXPECT %d kmd_execute fd=%d handle=%u\n", getpid(), fd,
		       handle);
}

static void wait_bo(int fd, unsigned int handle)
{
	struct qaic_wait w = { .handle = handle, .timeout = 7, .dbc_id = 3 };

	errno = 0;
	if (ioctl(fd, DRM_IOCTL_QAIC_WAIT_BO, &w) != -1 || errno != ENOTTY)
		failures++;
	printf("EXPECT %d kmd_wait fd=%d handle=%u\n", getpid(), fd, handle);
}

static void create_bo(int fd)
{
	struct qaic_create_bo cb = { .size = 4096 };

	errno = 0;
	if (ioctl(fd, DRM_IOCTL_QAIC_CREATE_BO, &cb) != -1 || errno != ENOTTY)
		failures++;
	printf("EXPECT %d kmd_create_bo fd=%d size=4096\n", getpid(), fd);
}

int main(int argc, char **argv)
{
	int a, b, c, d, e, x, y, f, g, h, i, dfd;
	pid_t child;
	int status;

	if (argc != 2) {
		fprintf(stderr, "usage: fdtest DIR\n");
		return 2;
	}
	dir = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);

	a = open_in("accel/accel0");
	execute(a, 10, 1);
	b = dup(a);
	wait_bo(b, 11);
	c = dup2(a, 100);
	create_bo(c);
	d = fcntl(a, F_DUPFD_CLOEXEC, 200);
	execute(d, 20, 1);
	e = dup3(a, 150, O_CLOEXEC);
	execute(e, 30, 1);

	/* A closed accel fd's number reused by an ordinary file. */
	close(a);
	x = open_in("plain");
	if (x != a) {
		fprintf(stderr, "fdtest: fd %d not reused (got %d)\n", a, x);
		failures++;
	}
	execute(x, 40, 0);
	close(b);
	y = open_in("plain");
	execute(y, 50, 0);
	close(100);
	y = dup2(x, 100);		/* 100 becomes an ordinary file */
	execute(y, 60, 0);

	/* openat, open64, and an fd opened behind the shim's back. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	f = openat(dfd, "accel/accel1", O_RDWR);
	execute(f, 70, 1);
	{
		char path[4096];

		snprintf(path, sizeof(path), "%s/accel/accel2", dir);
		g = open64(path, O_RDWR);
		execute(g, 80, 1);
		snprintf(path, sizeof(path), "%s/accel/accel3", dir);
		h = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDWR);
		execute(h, 90, 1);
	}
	/* Names that only look like accel nodes. */
	i = open_in("accel/accel0x");
	execute(i, 100, 0);
	close(i);
	i = open_in("accel/accelX");
	execute(i, 110, 0);

	/* Fork: the child keeps the fds and is traced with its own pid. */
	fflush(stdout);
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		execute(e, 120, 1);
		execute(x, 130, 0);
		f = open_in("accel/accel0");
		execute(f, 140, 1);
		return failures ? 1 : 0;
	}
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		failures++;
	execute(e, 150, 1);
	execute(d, 160, 1);
	if (failures)
		fprintf(stderr, "fdtest: %d failures\n", failures);
	return failures ? 1 : 0;
}
