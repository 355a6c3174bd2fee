/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the accel fd table (preload/fdtable.c).  The shim's
 * open/close/dup hooks are linked into this program, so the plain libc
 * calls below go through them exactly as under LD_PRELOAD.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <cmocka.h>

#include "shim.h"

static char dir[64], node[128], plain[128];

static int setup(void **state)
{
	char sub[96];
	int fd;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/qprof-fdt-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(sub, sizeof(sub), "%s/accel", dir);
	snprintf(node, sizeof(node), "%s/accel/accel7", dir);
	snprintf(plain, sizeof(plain), "%s/plain", dir);
	if (mkdir(sub, 0700))
		return -1;
	fd = open(node, O_CREAT | O_RDWR, 0600);
	if (fd < 0)
		return -1;
	close(fd);
	fd = open(plain, O_CREAT | O_RDWR, 0600);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	char sub[96];

	(void)state;
	snprintf(sub, sizeof(sub), "%s/accel", dir);
	unlink(node);
	unlink(plain);
	rmdir(sub);
	rmdir(dir);
	return 0;
}

static void test_path(void **state)
{
	(void)state;
	assert_true(qp_path_is_accel("/dev/accel/accel0"));
	assert_true(qp_path_is_accel("/dev/accel/accel12"));
	assert_true(qp_path_is_accel("/tmp/run/accel/accel3"));
	assert_true(qp_path_is_accel("accel/accel1"));
	assert_false(qp_path_is_accel("/dev/accel/accel"));
	assert_false(qp_path_is_accel("/dev/accel/accel0x"));
	assert_false(qp_path_is_accel("/dev/myaccel/accel0"));
	assert_false(qp_path_is_accel("/dev/accel/xaccel0"));
	assert_false(qp_path_is_accel("/dev/dri/card0"));
	assert_false(qp_path_is_accel("accel0"));
	assert_false(qp_path_is_accel(""));
	assert_false(qp_path_is_accel(NULL));
	/* legacy / partition nodes of the SDK's driver */
	assert_true(qp_path_is_accel("/dev/qaic_aic100_0"));
	assert_true(qp_path_is_accel("/dev/qaic_aic100_33"));
	assert_true(qp_path_is_accel("/tmp/run/qaic_aic100_7"));
	assert_true(qp_path_is_accel("qaic_aic100_1"));
	assert_false(qp_path_is_accel("/dev/qaic_aic100_"));
	assert_false(qp_path_is_accel("/dev/qaic_aic100_1a"));
	assert_false(qp_path_is_accel("/dev/xqaic_aic100_1"));
	assert_false(qp_path_is_accel("/dev/qaic_aic10_1"));
	assert_false(qp_path_is_accel("/dev/mhi_qaic_ctrl0"));
}

static void test_table(void **state)
{
	(void)state;
	assert_int_equal(qp_fd_get(-1), QP_FD_UNKNOWN);
	assert_int_equal(qp_fd_get(1 << 30), QP_FD_UNKNOWN);
	qp_fd_set(100000, QP_FD_ACCEL);		/* lazily mapped chunk */
	assert_int_equal(qp_fd_get(100000), QP_FD_ACCEL);
	assert_int_equal(qp_fd_get(100001), QP_FD_UNKNOWN);
	qp_fd_set(100000, QP_FD_UNKNOWN);
	assert_int_equal(qp_fd_get(100000), QP_FD_UNKNOWN);
	qp_fd_set(1 << 30, QP_FD_ACCEL);	/* out of range: ignored */
	assert_int_equal(qp_fd_get(1 << 30), QP_FD_UNKNOWN);
}

static void test_open_dup_close(void **state)
{
	int fd, d1, d2, d3, d4, other;

	(void)state;
	fd = open(node, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(qp_fd_get(fd), QP_FD_ACCEL);
	d1 = dup(fd);
	d2 = fcntl(fd, F_DUPFD_CLOEXEC, 200);
	assert_int_equal(d2, 200);
	d3 = dup2(fd, 201);
	d4 = dup3(fd, 202, O_CLOEXEC);
	assert_int_equal(qp_fd_get(d1), QP_FD_ACCEL);
	assert_int_equal(qp_fd_get(200), QP_FD_ACCEL);
	assert_int_equal(qp_fd_get(d3), QP_FD_ACCEL);
	assert_int_equal(qp_fd_get(d4), QP_FD_ACCEL);
	/* dup2 of a plain fd over an accel fd: no longer accel. */
	other = open(plain, O_RDONLY);
	assert_true(other >= 0);
	assert_int_equal(dup2(other, 201), 201);
	assert_false(qp_fd_is_accel(201, NULL));
	close(d1);
	close(200);
	close(201);
	close(202);
	close(other);
	/* Close, then reuse the number for a plain file. */
	close(fd);
	assert_int_equal(qp_fd_get(fd), QP_FD_UNKNOWN);
	other = open(plain, O_RDONLY);
	assert_int_equal(other, fd);
	assert_false(qp_fd_is_accel(other, NULL));
	assert_int_equal(qp_fd_get(other), QP_FD_OTHER);
	close(other);
	assert_int_equal(qp_fd_get(other), QP_FD_UNKNOWN);
}

static void test_openat_relative(void **state)
{
	char sub[96];
	int dfd, fd;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/accel", dir);
	dfd = open(sub, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	/* "accel7" relative to a dirfd: decided through /proc on demand. */
	fd = openat(dfd, "accel7", O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(qp_fd_get(fd), QP_FD_UNKNOWN);
	assert_true(qp_fd_is_accel(fd, NULL));
	assert_int_equal(qp_fd_get(fd), QP_FD_ACCEL);
	close(fd);
	close(dfd);
}

static void test_unseen_fd(void **state)
{
	int fd;

	(void)state;
	/* Opened behind the hooks' back (raw syscall): /proc fallback. */
	fd = (int)syscall(SYS_openat, AT_FDCWD, node, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(qp_fd_get(fd), QP_FD_UNKNOWN);
	assert_true(qp_fd_is_accel(fd, NULL));
	close(fd);
	assert_false(qp_fd_is_accel(-1, NULL));
	assert_false(qp_fd_is_accel(987654, NULL));	/* not open */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_open_dup_close),
		cmocka_unit_test(test_openat_relative),
		cmocka_unit_test(test_unseen_fd),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
