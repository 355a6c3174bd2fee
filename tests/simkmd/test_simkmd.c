// SPDX-License-Identifier: MIT
/*
 * simkmd against docs/CONTRACTS.md §2.3: the emulated driver answers the qaic
 * ioctls that leave through libc, with the upstream driver's checks,
 * timestamps, queue levels and integer-µs truncation.  Independent truths:
 * hand-computed levels and tick counts, the raw kernel timestamps (test
 * accessor), the node file's bytes read through a second fd, the wall clock.
 *
 * Usage: test_simkmd [cmocka test filter]
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmd_util.h"
#include "simkmd.h"

#define MS 1000000ull
#define TO_DEV 1
#define FROM_DEV 2

static const uint32_t dirs_io[2] = { TO_DEV, FROM_DEV };

static int open_dev(void)
{
	const char *path = simkmd_device_path(0);
	int fd;

	assert_non_null(path);
	fd = open(path, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static double time_scale(void)
{
	const char *s = getenv("QAIC_SIM_TIME_SCALE");

	return s && *s ? strtod(s, NULL) : 1.0;
}

static struct simkmd_stats stats_now(void)
{
	struct simkmd_stats st;

	assert_int_equal(simkmd_stats(&st), 0);
	return st;
}

static void set_faults(int64_t deverr, int64_t hang, int64_t eagain_first,
		       uint32_t eagain_count)
{
	struct simkmd_faults f = {
		.deverr = deverr, .hang = hang, .eagain_first = eagain_first,
		.eagain_count = eagain_count, .wait_eintr_first = -1,
		.ssr_after = -1, .ssr_dev = -1, .gone_after = -1, .gone_dev = -1,
	};

	assert_int_equal(simkmd_set_faults(&f), 0);
}

static int group_setup(void **state)
{
	(void)state;
	return simkmd_start();
}

/* ---- MANAGE --------------------------------------------------------------- */

static void test_manage_protocol(void **state)
{
	struct simkmd_nnc_activate nnc = kmd_nnc(1 * MS);
	struct simkmd_stats before = stats_now();
	int fd = open_dev(), fd2 = open_dev();
	int dbc, dbc2;

	(void)state;
	assert_int_equal(simkmd_start(), 0);	/* idempotent */
	assert_int_equal(simkmd_num_devices(), 1);
	assert_null(simkmd_device_path(1));
	assert_non_null(strstr(simkmd_device_path(0), "/accel/accel0"));
	dbc = kmd_activate(fd, &nnc, 8);
	assert_in_range(dbc, 0, 15);
	dbc2 = kmd_activate(fd, &nnc, 8);
	assert_in_range(dbc2, 0, 15);
	assert_int_not_equal(dbc, dbc2);

	/* an image that carries no timing runs at QAIC_SIM_CARD_COMPUTE_US */
	nnc.magic = 0x1234;
	int dbc3 = kmd_activate(fd, &nnc, 8);
	assert_in_range(dbc3, 0, 15);
	assert_int_equal(kmd_deactivate(fd, (uint32_t)dbc3), 0);
	nnc.magic = SIMKMD_NNC_MAGIC;
	assert_int_equal(kmd_activate(fd, &nnc, 1), -EINVAL);

	struct qaic_manage_msg big = { .len = 5000, .count = 1, .data = 1 };
	assert_int_equal(kmd_ioctl(fd, DRM_IOCTL_QAIC_MANAGE, &big), -EINVAL);
	struct qaic_manage_msg bad = { .len = 16, .count = 1, .data = 8 };
	assert_int_equal(kmd_ioctl(fd, DRM_IOCTL_QAIC_MANAGE, &bad), -EFAULT);

	/* Channels belong to the file that activated them. */
	assert_int_equal(kmd_deactivate(fd2, (uint32_t)dbc2), -EPERM);
	assert_int_equal(kmd_deactivate(fd, (uint32_t)dbc2), 0);
	assert_int_equal(kmd_deactivate(fd, (uint32_t)dbc2), -EPERM);
	assert_int_equal(kmd_deactivate(fd, 99), -EINVAL);

	struct simkmd_stats after = stats_now();
	assert_int_equal(after.manage - before.manage, 18);
	assert_int_equal(after.failed - before.failed, 6);
	close(fd);
	close(fd2);
}

/* ---- BOs ------------------------------------------------------------------ */

static void test_bo_create_attach_mmap(void **state)
{
	struct simkmd_nnc_activate nnc = kmd_nnc(1 * MS);
	struct qaic_mmap_bo m1 = { 0 }, m2 = { 0 };
	struct simkmd_bo_times t;
	int fd = open_dev(), fd2 = open_dev(), rfd;
	int dbc;
	long h1, h2, h3;
	uint8_t *map, back[10000];

	(void)state;
	dbc = kmd_activate(fd, &nnc, 8);
	assert_true(dbc >= 0);
	h1 = kmd_create(fd, 10000);
	h2 = kmd_create(fd, 100);
	/* GEM handles are per open file and start at 1. */
	assert_int_equal(h1, 1);
	assert_int_equal(h2, 2);
	assert_int_equal(kmd_create(fd2, 64), 1);
	assert_int_equal(kmd_create(fd, 0), -EINVAL);

	m1.handle = (uint32_t)h1;
	m2.handle = (uint32_t)h2;
	assert_int_equal(kmd_ioctl(fd, DRM_IOCTL_QAIC_MMAP_BO, &m1), 0);
	assert_int_equal(kmd_ioctl(fd, DRM_IOCTL_QAIC_MMAP_BO, &m2), 0);
	assert_int_equal(m1.offset % 4096, 0);
	assert_int_equal(m2.offset % 4096, 0);
	assert_true(m2.offset >= m1.offset + 12288 || m1.offset >= m2.offset + 4096);
	struct qaic_mmap_bo m9 = { .handle = 9 };
	assert_int_equal(kmd_ioctl(fd, DRM_IOCTL_QAIC_MMAP_BO, &m9), -ENOENT);
	assert_int_equal(simkmd_test_bo_times(fd, (uint32_t)h1, &t), 0);
	assert_int_equal(t.size, 10000);
	assert_int_equal(t.mmap_offset, m1.offset);

	/* Write through the runtime's kind of mapping, read the node file. */
	map = mmap(NULL, 10000, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)m1.offset);
	assert_true(map != MAP_FAILED);
	for (int i = 0; i < 10000; i++)
		map[i] = (uint8_t)(i * 7 + 3);
	rfd = open(simkmd_device_path(0), O_RDONLY);
	assert_true(rfd >= 0);
	assert_int_equal(pread(rfd, back, sizeof(back), (off_t)m1.offset), sizeof(back));
	assert_memory_equal(back, map, sizeof(back));
	close(rfd);
	munmap(map, 10000);

	/* ATTACH checks (upstream qaic_attach_slice_bo_ioctl). */
	assert_int_equal(kmd_attach(fd, (uint32_t)h1, (uint32_t)dbc, 3, 1, 10000), -EINVAL);
	assert_int_equal(kmd_attach(fd, 77, (uint32_t)dbc, TO_DEV, 1, 100), -ENOENT);
	assert_int_equal(kmd_attach(fd, (uint32_t)h1, ((uint32_t)dbc + 1) % 16, TO_DEV, 1, 10000), -EINVAL);
	assert_int_equal(kmd_attach(fd, (uint32_t)h1, (uint32_t)dbc, TO_DEV, 9, 10000), -ENOSPC);
	assert_int_equal(kmd_attach(fd, (uint32_t)h1, (uint32_t)dbc, TO_DEV, 1, 20000), -EINVAL);
	struct qaic_attach_slice zero = { .hdr = { 0, (uint32_t)dbc, (uint32_t)h1, TO_DEV, 10000 }, .data = 8 };
	assert_int_equal(kmd_ioctl(fd, DRM_IOCTL_QAIC_ATTACH_SLICE_BO, &zero), -EINVAL);
	assert_int_equal(kmd_attach(fd, (uint32_t)h1, (uint32_t)dbc, TO_DEV, 8, 10000), 0);
	assert_int_equal(kmd_attach(fd, (uint32_t)h1, (uint32_t)dbc, TO_DEV, 1, 10000), -EINVAL);
	assert_int_equal(simkmd_test_bo_times(fd, (uint32_t)h1, &t), 0);
	assert_int_equal(t.slices, 8);

	h3 = kmd_create(fd, 4096);
	assert_int_equal(h3, 3);
	close(fd);
	close(fd2);
}

static void test_gem_close(void **state)
{
	struct simkmd_nnc_activate nnc = kmd_nnc(20 * MS);
	struct simkmd_stats before;
	uint64_t t0;
	int fd = open_dev();
	int dbc = kmd_activate(fd, &nnc, 8);
	long h1, h2, h3;

	(void)state;
	h1 = kmd_create(fd, 4096);
	h2 = kmd_create(fd, 4096);
	h3 = kmd_create(fd, 4096);
	assert_int_equal(h3, 3);
	assert_int_equal(kmd_gem_close(fd, (uint32_t)h2), 0);
	assert_int_equal(kmd_gem_close(fd, (uint32_t)h2), -EINVAL);
	assert_int_equal(kmd_gem_close(fd, 0), -EINVAL);
	/* idr_alloc semantics: the lowest free handle is reused. */
	assert_int_equal(kmd_create(fd, 4096), 2);

	/* Closing a queued BO: the request still runs to completion. */
	assert_int_equal(kmd_attach(fd, (uint32_t)h1, (uint32_t)dbc, FROM_DEV, 1, 4096), 0);
	before = stats_now();
	uint32_t hh = (uint32_t)h1;
	assert_int_equal(kmd_execute(fd, (uint32_t)dbc, &hh, &dirs_io[1], 1), 0);
	assert_int_equal(kmd_gem_close(fd, hh), 0);
	assert_int_equal(kmd_wait(fd, hh, (uint32_t)dbc, 100), -ENOENT);
	t0 = kmd_now_ns();
	while (stats_now().requests_done == before.requests_done &&
	       kmd_now_ns() - t0 < 2000 * MS)
		usleep(1000);
	assert_int_equal(stats_now().requests_done, before.requests_done + 1);
	assert_int_equal(simkmd_test_ring_used(0, (uint32_t)dbc), 0);
	close(fd);
}

/* ---- EXECUTE, queue levels, PERF_STATS ------------------------------------- */

static void test_queue_levels_and_perf(void **state)
{
	struct simkmd_nnc_activate nnc = kmd_nnc(40 * MS);
	struct qaic_perf_stats_entry ent[2];
	struct simkmd_bo_times tin, tout, prev_out = { 0 };
	uint32_t h[3][2];
	uint64_t t0, received0 = 0;
	int fd = open_dev();
	int dbc, used;

	(void)state;
	/*
	 * 1 byte/µs: input 64 ms, compute 40 ms, output 16 ms = 120 ms each:
	 * long against a loaded machine's scheduling delays.
	 */
	nnc.dma_bytes_per_us = 1;
	dbc = kmd_activate(fd, &nnc, 32);
	assert_true(dbc >= 0);
	for (int k = 0; k < 3; k++) {
		h[k][0] = (uint32_t)kmd_bo(fd, (uint32_t)dbc, TO_DEV, 1, 64000);
		h[k][1] = (uint32_t)kmd_bo(fd, (uint32_t)dbc, FROM_DEV, 2, 16000);
	}
	t0 = kmd_now_ns();
	for (int k = 0; k < 3; k++)
		assert_int_equal(kmd_execute(fd, (uint32_t)dbc, h[k], dirs_io, 2), 0);
	/* Several in flight: levels are cumulative ring occupancy. */
	for (int k = 0; k < 3; k++) {
		assert_int_equal(kmd_perf(fd, (uint32_t)dbc, h[k], 2, ent), 0);
		assert_int_equal(ent[0].queue_level_before, 3 * k);
		assert_int_equal(ent[1].queue_level_before, 3 * k + 1);
		assert_int_equal(ent[0].num_queue_element, 1);
		assert_int_equal(ent[1].num_queue_element, 2);
		/* Not processed yet: the kernel reports 0. */
		assert_int_equal(ent[1].device_latency_us, 0);
	}
	used = simkmd_test_ring_used(0, (uint32_t)dbc);
	assert_int_equal(used, 9);

	/*
	 * The first input completes after its DMA and frees its element.  A
	 * loaded machine may wake us after later BOs completed too (the next
	 * one 56 ms later): at least this one's element is free.
	 */
	assert_int_equal(kmd_wait(fd, h[0][0], (uint32_t)dbc, 0), 0);
	assert_true(kmd_now_ns() - t0 >= 64 * MS);
	used = simkmd_test_ring_used(0, (uint32_t)dbc);
	assert_true(used <= 8);
	if (kmd_now_ns() - t0 < 120 * MS)	/* nothing else can be done yet */
		assert_int_equal(used, 8);
	assert_int_equal(kmd_wait(fd, h[2][1], (uint32_t)dbc, 0), 0);
	assert_true(kmd_now_ns() - t0 >= 360 * MS);	/* serial on one DBC */
	assert_int_equal(simkmd_test_ring_used(0, (uint32_t)dbc), 0);
	for (int k = 0; k < 3; k++) {
		assert_int_equal(kmd_wait(fd, h[k][1], (uint32_t)dbc, 0), 0);
		assert_int_equal(kmd_perf(fd, (uint32_t)dbc, h[k], 2, ent), 0);
		assert_int_equal(simkmd_test_bo_times(fd, h[k][0], &tin), 0);
		assert_int_equal(simkmd_test_bo_times(fd, h[k][1], &tout), 0);
		if (k == 0)
			received0 = tout.received_ns;
		/* Integer-µs truncation of the raw nanoseconds. */
		assert_int_equal(ent[1].submit_latency_us,
				 (tout.submit_ns - tout.received_ns) / 1000);
		assert_int_equal(ent[1].device_latency_us,
				 (tout.processed_ns - tout.submit_ns) / 1000);
		assert_int_equal(ent[0].device_latency_us,
				 (tin.processed_ns - tin.submit_ns) / 1000);
		/* the model's 3.2-6.8 µs, or more if the emulation took longer */
		assert_true(ent[1].submit_latency_us >= 3);
		assert_int_equal(tin.submit_ns, tout.submit_ns);
		assert_true(tin.processed_ns <= tout.processed_ns);
		assert_true(tin.processed_ns >= received0 + k * 120 * MS + 64 * MS);
		assert_true(tout.processed_ns >= received0 + (k + 1) * 120 * MS);
		assert_true(tout.processed_ns > prev_out.processed_ns);
		prev_out = tout;
	}
	close(fd);
}

struct held_exec {
	int fd, dbc;
	uint32_t *h;
	volatile int calling;
	int ret;
};

static void *held_exec_main(void *arg)
{
	struct held_exec *e = arg;

	e->calling = 1;
	e->ret = kmd_execute(e->fd, (uint32_t)e->dbc, e->h, dirs_io, 2);
	return NULL;
}

/*
 * received_ts is the call's entry, as a real kernel stamps it, and the
 * doorbell rings when the handler gets to it: time the call spends in the
 * simulated kernel before its doorbell (here waiting 50 ms for the lock)
 * is in submit_latency_us, where a profiler sees it, not before
 * received_ts.
 */
static void test_received_at_entry(void **state)
{
	struct simkmd_nnc_activate nnc = kmd_nnc(MS);
	struct qaic_perf_stats_entry ent[2];
	struct simkmd_bo_times t;
	struct held_exec e = { 0 };
	uint32_t h[2];
	uint64_t t_release, t_return;
	pthread_t th;

	(void)state;
	e.fd = open_dev();
	e.dbc = kmd_activate(e.fd, &nnc, 8);
	assert_true(e.dbc >= 0);
	h[0] = (uint32_t)kmd_bo(e.fd, (uint32_t)e.dbc, TO_DEV, 1, 4096);
	h[1] = (uint32_t)kmd_bo(e.fd, (uint32_t)e.dbc, FROM_DEV, 1, 4096);
	e.h = h;
	assert_int_equal(simkmd_test_hold_lock(1), 0);
	assert_int_equal(pthread_create(&th, NULL, held_exec_main, &e), 0);
	while (!e.calling)
		usleep(100);
	usleep(50000);
	t_release = kmd_now_ns();
	assert_int_equal(simkmd_test_hold_lock(0), 0);
	pthread_join(th, NULL);
	t_return = kmd_now_ns();
	assert_int_equal(e.ret, 0);
	assert_int_equal(kmd_wait(e.fd, h[1], (uint32_t)e.dbc, 0), 0);
	assert_int_equal(simkmd_test_bo_times(e.fd, h[1], &t), 0);
	/* entered before the lock was given back, rang after */
	assert_true(t.received_ns < t_release);
	assert_true(t.submit_ns >= t_release && t.submit_ns <= t_return);
	assert_int_equal(kmd_perf(e.fd, (uint32_t)e.dbc, h, 2, ent), 0);
	assert_int_equal(ent[1].submit_latency_us,
			 (t.submit_ns - t.received_ns) / 1000);
	close(e.fd);
}

static void test_ring_full_eagain(void **state)
{
	struct simkmd_nnc_activate nnc = kmd_nnc(30 * MS);
	struct qaic_perf_stats_entry ent;
	int fd = open_dev();
	int dbc = kmd_activate(fd, &nnc, 4);	/* 4 elements: 3 usable */
	uint32_t x, y, z;

	(void)state;
	x = (uint32_t)kmd_bo(fd, (uint32_t)dbc, FROM_DEV, 2, 8192);
	y = (uint32_t)kmd_bo(fd, (uint32_t)dbc, FROM_DEV, 2, 8192);
	z = (uint32_t)kmd_bo(fd, (uint32_t)dbc, FROM_DEV, 4, 16384);
	assert_int_equal(kmd_execute(fd, (uint32_t)dbc, &x, &dirs_io[1], 1), 0);
	assert_int_equal(kmd_execute(fd, (uint32_t)dbc, &y, &dirs_io[1], 1), -EAGAIN);
	assert_int_equal(simkmd_test_ring_used(0, (uint32_t)dbc), 2);
	assert_int_equal(kmd_wait(fd, x, (uint32_t)dbc, 0), 0);
	assert_int_equal(kmd_execute(fd, (uint32_t)dbc, &y, &dirs_io[1], 1), 0);
	assert_int_equal(kmd_perf(fd, (uint32_t)dbc, &y, 1, &ent), 0);
	assert_int_equal(ent.queue_level_before, 0);
	assert_int_equal(kmd_wait(fd, y, (uint32_t)dbc, 0), 0);
	/* A full ring of 4 never fits: one element always stays free. */
	assert_int_equal(kmd_execute(fd, (uint32_t)dbc, &z, &dirs_io[1], 1), -EAGAIN);
	close(fd);
}

static void test_execute_errors(void **state)
{
	struct simkmd_nnc_activate nnc = kmd_nnc(30 * MS);
	struct qaic_perf_stats_entry ent;
	int fd = open_dev(), fd2 = open_dev();
	int a = kmd_activate(fd, &nnc, 16), b = kmd_activate(fd, &nnc, 16);
	int other = kmd_activate(fd2, &nnc, 16);
	uint32_t xa, xb, un, pair[2];

	(void)state;
	assert_true(a >= 0 && b >= 0 && other >= 0);
	xa = (uint32_t)kmd_bo(fd, (uint32_t)a, FROM_DEV, 1, 4096);
	xb = (uint32_t)kmd_bo(fd, (uint32_t)b, FROM_DEV, 1, 4096);
	un = (uint32_t)kmd_create(fd, 4096);

	struct qaic_execute none = { .hdr = { 0, (uint32_t)a }, .data = 8 };
	assert_int_equal(kmd_ioctl(fd, DRM_IOCTL_QAIC_EXECUTE_BO, &none), -EINVAL);
	uint32_t bogus = 999;
	assert_int_equal(kmd_execute(fd, (uint32_t)a, &bogus, &dirs_io[1], 1), -ENOENT);
	assert_int_equal(kmd_execute(fd, (uint32_t)a, &un, &dirs_io[1], 1), -EINVAL);
	assert_int_equal(kmd_execute(fd, (uint32_t)a, &xb, &dirs_io[1], 1), -EINVAL);
	pair[0] = pair[1] = xa;
	assert_int_equal(kmd_execute(fd, (uint32_t)a, pair, dirs_io, 2), -EINVAL);
	assert_int_equal(kmd_execute(fd, 16, &xa, &dirs_io[1], 1), -EINVAL);
	assert_int_equal(kmd_execute(fd, (uint32_t)other, &xa, &dirs_io[1], 1), -EPERM);

	struct qaic_partial_execute_entry pe = { xa, FROM_DEV, 8192 };
	struct qaic_execute pex = { .hdr = { 1, (uint32_t)a }, .data = (uintptr_t)&pe };
	assert_int_equal(kmd_ioctl(fd, DRM_IOCTL_QAIC_PARTIAL_EXECUTE_BO, &pex), -EINVAL);

	assert_int_equal(kmd_execute(fd, (uint32_t)a, &xa, &dirs_io[1], 1), 0);
	assert_int_equal(kmd_execute(fd, (uint32_t)a, &xa, &dirs_io[1], 1), -EINVAL);
	struct qaic_detach_slice ds = { .handle = xa };
	assert_int_equal(kmd_ioctl(fd, DRM_IOCTL_QAIC_DETACH_SLICE_BO, &ds), -EBUSY);

	struct qaic_wait wpad = { .handle = xa, .dbc_id = (uint32_t)a, .pad = 1 };
	assert_int_equal(kmd_ioctl(fd, DRM_IOCTL_QAIC_WAIT_BO, &wpad), -EINVAL);
	assert_int_equal(kmd_wait(fd, 999, (uint32_t)a, 10), -ENOENT);
	assert_int_equal(kmd_wait(fd, xa, (uint32_t)other, 10), -EPERM);
	assert_int_equal(kmd_wait(fd, xa, 16, 10), -EINVAL);
	assert_int_equal(kmd_perf(fd, (uint32_t)a, &bogus, 1, &ent), -ENOENT);
	assert_int_equal(kmd_perf(fd, (uint32_t)b, &xa, 1, &ent), -EINVAL);

	assert_int_equal(kmd_wait(fd, xa, (uint32_t)a, 0), 0);
	/* Never executed: complete from the start, as upstream's xfer_done. */
	assert_int_equal(kmd_wait(fd, xb, (uint32_t)b, 0), 0);
	assert_int_equal(kmd_ioctl(fd, DRM_IOCTL_QAIC_DETACH_SLICE_BO, &ds), 0);
	assert_int_equal(kmd_ioctl(fd, DRM_IOCTL_QAIC_DETACH_SLICE_BO, &ds), -EINVAL);
	assert_int_equal(kmd_execute(fd, (uint32_t)a, &xa, &dirs_io[1], 1), -EINVAL);
	close(fd);
	close(fd2);
}

/* ---- device model: cycle counts, DMA, partial execute ---------------------- */

static uint64_t ticks(double ns)
{
	return (uint64_t)(ns * 12.0 / 625.0);
}

/* Tick counts truncate: allow one tick either side, never below 0. */
static void assert_ticks(uint64_t got, double lo_ns, double hi_ns)
{
	uint64_t lo = ticks(lo_ns), hi = ticks(hi_ns) + 1;

	assert_in_range(got, lo ? lo - 1 : 0, hi);
}

static void check_counts(const struct simkmd_cycle_counts *cc, double in_ns,
			 double comp_ns, double out_ns, double scale)
{
	assert_int_equal(cc->magic, SIMKMD_CYCLES_MAGIC);
	assert_ticks(cc->input_done_tick - cc->start_tick, in_ns * scale, in_ns * scale);
	assert_ticks(cc->compute_done_tick - cc->input_done_tick,
		     comp_ns * scale, comp_ns * scale);
	assert_ticks(cc->output_start_tick - cc->compute_done_tick, 52 * scale, 208 * scale);
	assert_ticks(cc->end_tick - cc->output_start_tick, out_ns * scale, out_ns * scale);
}

static void test_cycle_counts(void **state)
{
	struct simkmd_nnc_activate nnc = kmd_nnc(2 * MS);
	struct simkmd_cycle_counts cc;
	struct simkmd_bo_times t;
	struct qaic_mmap_bo m = { 0 };
	double scale = time_scale();
	int fd = open_dev(), dbc;
	uint32_t h[2];
	uint8_t *map;

	(void)state;
	nnc.stats_compiled = 1;
	nnc.dma_bytes_per_us = 100;
	dbc = kmd_activate(fd, &nnc, 8);
	h[0] = (uint32_t)kmd_bo(fd, (uint32_t)dbc, TO_DEV, 1, 10000);	/* 100 µs */
	h[1] = (uint32_t)kmd_bo(fd, (uint32_t)dbc, FROM_DEV, 1, 1000);	/* 10 µs */
	m.handle = h[1];
	assert_int_equal(kmd_ioctl(fd, DRM_IOCTL_QAIC_MMAP_BO, &m), 0);
	map = mmap(NULL, 1000, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)m.offset);
	assert_true(map != MAP_FAILED);

	assert_int_equal(kmd_execute(fd, (uint32_t)dbc, h, dirs_io, 2), 0);
	assert_int_equal(kmd_wait(fd, h[1], (uint32_t)dbc, 0), 0);
	memcpy(&cc, map + 1000 - 64, sizeof(cc));
	check_counts(&cc, 100000, 2 * MS, 10000, scale);
	assert_int_equal(simkmd_test_bo_times(fd, h[1], &t), 0);
	assert_true(cc.start_tick + 1 >= ticks((double)t.submit_ns));
	assert_true(cc.end_tick <= ticks((double)t.processed_ns));

	/* PARTIAL_EXECUTE: only `resize` bytes of the input are DMA'd. */
	struct qaic_partial_execute_entry pe[2] = {
		{ h[0], TO_DEV, 5000 }, { h[1], FROM_DEV, 1000 },
	};
	struct qaic_execute pex = { .hdr = { 2, (uint32_t)dbc }, .data = (uintptr_t)pe };
	memset(map + 1000 - 64, 0, 64);
	assert_int_equal(kmd_ioctl(fd, DRM_IOCTL_QAIC_PARTIAL_EXECUTE_BO, &pex), 0);
	assert_int_equal(kmd_wait(fd, h[1], (uint32_t)dbc, 0), 0);
	memcpy(&cc, map + 1000 - 64, sizeof(cc));
	check_counts(&cc, 50000, 2 * MS, 10000, scale);
	munmap(map, 1000);

	/* Not stats-compiled: the device leaves the buffer alone. */
	nnc.stats_compiled = 0;
	int dbc2 = kmd_activate(fd, &nnc, 8);
	uint32_t o = (uint32_t)kmd_bo(fd, (uint32_t)dbc2, FROM_DEV, 1, 4096);
	uint8_t tail[64], zero[64] = { 0 };
	assert_int_equal(kmd_execute(fd, (uint32_t)dbc2, &o, &dirs_io[1], 1), 0);
	assert_int_equal(kmd_wait(fd, o, (uint32_t)dbc2, 0), 0);
	m.handle = o;
	assert_int_equal(kmd_ioctl(fd, DRM_IOCTL_QAIC_MMAP_BO, &m), 0);
	assert_int_equal(pread(fd, tail, 64, (off_t)(m.offset + 4096 - 64)), 64);
	assert_memory_equal(tail, zero, 64);
	close(fd);
}


/* ---- ring elements, many BOs, ignored dir, EINTR ------------------------- */

#define MIB (1ull << 20)

/*
 * num_queue_element counts scatter-gather entries, not slices: with the
 * default 4 MiB chunks a slice takes one element per chunk it touches, a
 * zero-size slice one.  ATTACH refuses (ENOSPC) a BO whose elements exceed
 * the ring, whatever its slice count.
 */
static void test_sg_ring_elements(void **state)
{
	static const uint64_t one[1][2] = { { 0, 9 * MIB } };
	static const uint64_t three[3][2] = {
		{ 0, 5 * MIB }, { 5 * MIB, 4 * MIB }, { 9 * MIB, 0 },
	};
	static const uint64_t big[1][2] = { { 0, 20 * MIB } };
	struct simkmd_nnc_activate nnc = kmd_nnc(1 * MS);
	struct qaic_perf_stats_entry ent[3];
	struct simkmd_bo_times t;
	int fd = open_dev(), dbc, small;
	uint32_t h[3], dirs[3] = { TO_DEV, TO_DEV, FROM_DEV };
	long big_h;

	(void)state;
	nnc.dma_bytes_per_us = 400;	/* 18 MiB of input: 47 ms, ring stays full */
	dbc = kmd_activate(fd, &nnc, 16);
	small = kmd_activate(fd, &nnc, 4);
	assert_true(dbc >= 0 && small >= 0);
	h[0] = (uint32_t)kmd_create(fd, 9 * MIB);
	h[1] = (uint32_t)kmd_create(fd, 9 * MIB);
	assert_int_equal(kmd_attach_slices(fd, h[0], (uint32_t)dbc, TO_DEV, one, 1, 9 * MIB), 0);
	assert_int_equal(kmd_attach_slices(fd, h[1], (uint32_t)dbc, TO_DEV, three, 3, 9 * MIB), 0);
	h[2] = (uint32_t)kmd_bo(fd, (uint32_t)dbc, FROM_DEV, 1, 4096);
	assert_int_equal(simkmd_test_bo_times(fd, h[0], &t), 0);
	assert_int_equal(t.slices, 1);
	assert_int_equal(t.nents, 3);		/* 4 + 4 + 1 MiB */
	assert_int_equal(simkmd_test_bo_times(fd, h[1], &t), 0);
	assert_int_equal(t.slices, 3);
	assert_int_equal(t.nents, 2 + 2 + 1);	/* [0,5) [5,9) and the empty one */

	/* One slice, five elements: more than a ring of 4 holds. */
	big_h = kmd_create(fd, 20 * MIB);
	assert_true(big_h > 0);
	assert_int_equal(kmd_attach_slices(fd, (uint32_t)big_h, (uint32_t)small, TO_DEV,
					   big, 1, 20 * MIB), -ENOSPC);

	assert_int_equal(kmd_execute_n(fd, (uint32_t)dbc, h, dirs, NULL, 3), 0);
	assert_int_equal(simkmd_test_ring_used(0, (uint32_t)dbc), 9);
	assert_int_equal(kmd_perf(fd, (uint32_t)dbc, h, 3, ent), 0);
	assert_int_equal(ent[0].num_queue_element, 3);
	assert_int_equal(ent[1].num_queue_element, 5);
	assert_int_equal(ent[2].num_queue_element, 1);
	assert_int_equal(ent[0].queue_level_before, 0);
	assert_int_equal(ent[1].queue_level_before, 3);
	assert_int_equal(ent[2].queue_level_before, 8);
	assert_int_equal(kmd_wait(fd, h[2], (uint32_t)dbc, 0), 0);
	assert_int_equal(simkmd_test_ring_used(0, (uint32_t)dbc), 0);
	close(fd);
}

/*
 * PARTIAL_EXECUTE: a slice at or beyond resize takes one element and moves
 * nothing, a slice resize cuts is truncated (elements and bytes), one
 * before it is whole; queue_level_before and num_queue_element still count
 * whole BOs.  Bytes are checked through the input DMA time.
 */
static void test_partial_ring_elements(void **state)
{
	static const uint64_t one[1][2] = { { 0, 9 * MIB } };
	static const uint64_t three[3][2] = {
		{ 0, 3 * MIB }, { 3 * MIB, 3 * MIB }, { 6 * MIB, 3 * MIB },
	};
	struct simkmd_nnc_activate nnc = kmd_nnc(1 * MS);
	struct qaic_perf_stats_entry ent[3];
	struct simkmd_bo_times tb;
	uint64_t span;
	double scale = time_scale();
	int fd = open_dev(), dbc;
	uint32_t h[3], dirs[3] = { TO_DEV, TO_DEV, FROM_DEV };
	uint64_t resize[3] = { 0, 4 * MIB, 4096 };

	(void)state;
	nnc.dma_bytes_per_us = 1000;		/* 1 GB/s: 1 MiB = 1048.576 µs */
	dbc = kmd_activate(fd, &nnc, 32);
	h[0] = (uint32_t)kmd_create(fd, 9 * MIB);
	h[1] = (uint32_t)kmd_create(fd, 9 * MIB);
	assert_int_equal(kmd_attach_slices(fd, h[0], (uint32_t)dbc, TO_DEV, one, 1, 9 * MIB), 0);
	assert_int_equal(kmd_attach_slices(fd, h[1], (uint32_t)dbc, TO_DEV, three, 3, 9 * MIB), 0);
	h[2] = (uint32_t)kmd_bo(fd, (uint32_t)dbc, FROM_DEV, 1, 4096);

	/* h0: 1 element, 0 bytes; h1: whole [0,3) + [3,4) of one chunk + 1 */
	assert_int_equal(kmd_execute_n(fd, (uint32_t)dbc, h, dirs, resize, 3), 0);
	assert_int_equal(simkmd_test_ring_used(0, (uint32_t)dbc), 1 + 3 + 1);
	assert_int_equal(kmd_perf(fd, (uint32_t)dbc, h, 3, ent), 0);
	assert_int_equal(ent[0].num_queue_element, 3);
	assert_int_equal(ent[1].num_queue_element, 5);
	assert_int_equal(ent[1].queue_level_before, 3);
	assert_int_equal(ent[2].queue_level_before, 8);
	assert_int_equal(kmd_wait(fd, h[2], (uint32_t)dbc, 0), 0);
	assert_int_equal(simkmd_test_bo_times(fd, h[1], &tb), 0);
	/* inputs done after 4 MiB of DMA (not 18 MiB, not 0) */
	assert_true(tb.processed_ns - tb.submit_ns >= (uint64_t)(4 * 1048576 * scale));
	span = tb.dev_end_ns - tb.dev_start_ns;

	/* The same BOs executed whole: 18 MiB of input. */
	assert_int_equal(kmd_execute_n(fd, (uint32_t)dbc, h, dirs, NULL, 3), 0);
	assert_int_equal(simkmd_test_ring_used(0, (uint32_t)dbc), 3 + 5 + 1);
	assert_int_equal(kmd_wait(fd, h[2], (uint32_t)dbc, 0), 0);
	assert_int_equal(simkmd_test_bo_times(fd, h[1], &tb), 0);
	assert_true(tb.processed_ns - tb.submit_ns >= (uint64_t)(18 * 1048576 * scale));
	/*
	 * The device model's spans, free of host scheduling delays: the whole
	 * execution moved 14 MiB more (the output engine's pick-up varies by
	 * up to 3 device ticks).
	 */
	assert_in_range(tb.dev_end_ns - tb.dev_start_ns - span,
			(uint64_t)(14 * 1048576 * scale - 200 * scale),
			(uint64_t)(14 * 1048576 * scale + 200 * scale));
	close(fd);
}

/*
 * The kernel accepts any number of BOs in one request as long as the ring
 * holds them: 1023 one-element BOs on a ring of 1024, one PERF_STATS query
 * for all of them.
 */
static void test_many_bos_one_request(void **state)
{
	enum { N = 1023 };
	struct simkmd_nnc_activate nnc = kmd_nnc(1 * MS);
	struct qaic_perf_stats_entry *ent = calloc(N, sizeof(*ent));
	uint32_t *h = calloc(N, sizeof(*h)), *dirs = calloc(N, sizeof(*dirs));
	int fd = open_dev(), dbc;

	(void)state;
	nnc.dma_bytes_per_us = 100;	/* 4 MB of input: 42 ms, ring stays full */
	dbc = kmd_activate(fd, &nnc, 1024);
	assert_true(dbc >= 0 && ent && h && dirs);
	for (int i = 0; i < N; i++) {
		long b = kmd_bo(fd, (uint32_t)dbc, i < N - 2 ? TO_DEV : FROM_DEV, 1, 4096);

		assert_true(b > 0);
		h[i] = (uint32_t)b;
		dirs[i] = (uint32_t)i * 2654435761u;	/* ignored by the kernel */
	}
	assert_int_equal(kmd_execute_n(fd, (uint32_t)dbc, h, dirs, NULL, N), 0);
	assert_int_equal(simkmd_test_ring_used(0, (uint32_t)dbc), N);
	assert_int_equal(kmd_wait(fd, h[N - 1], (uint32_t)dbc, 0), 0);
	assert_int_equal(kmd_perf(fd, (uint32_t)dbc, h, N, ent), 0);
	for (int i = 0; i < N; i++) {
		assert_int_equal(ent[i].queue_level_before, i);
		assert_int_equal(ent[i].num_queue_element, 1);
	}
	assert_true(ent[N - 1].device_latency_us >= 1000 * time_scale() - 1);
	/* One BO more than the ring holds can never be queued. */
	long extra = kmd_bo(fd, (uint32_t)dbc, TO_DEV, 1, 4096);
	uint32_t *h2 = calloc(N + 1, sizeof(*h2));
	assert_true(extra > 0 && h2);
	memcpy(h2, h, N * sizeof(*h));
	h2[N] = (uint32_t)extra;
	assert_int_equal(kmd_execute_n(fd, (uint32_t)dbc, h2, h2, NULL, N + 1), -EAGAIN);
	free(h2);
	free(ent);
	free(h);
	free(dirs);
	close(fd);
}

/*
 * The direction of a BO is the one ATTACH_SLICE_BO gave: the dir of
 * execute entries is ignored.  An input still completes when the input DMA
 * ends and an output at the end of the request, whatever the entries say.
 */
static void test_exec_dir_ignored(void **state)
{
	struct simkmd_nnc_activate nnc = kmd_nnc(20 * MS);
	struct simkmd_bo_times ti, to;
	double scale = time_scale();
	int fd = open_dev(), dbc;
	uint32_t h[2], bad[2] = { FROM_DEV, 0x7fffffff };
	uint64_t resize[2] = { 10000, 4096 };

	(void)state;
	nnc.dma_bytes_per_us = 1;		/* 10000 bytes: 10 ms */
	dbc = kmd_activate(fd, &nnc, 8);
	h[0] = (uint32_t)kmd_bo(fd, (uint32_t)dbc, TO_DEV, 1, 10000);
	h[1] = (uint32_t)kmd_bo(fd, (uint32_t)dbc, FROM_DEV, 1, 16);
	for (int partial = 0; partial < 2; partial++) {
		assert_int_equal(kmd_execute_n(fd, (uint32_t)dbc, h, bad,
					       partial ? resize : NULL, 2), 0);
		assert_int_equal(kmd_wait(fd, h[1], (uint32_t)dbc, 0), 0);
		assert_int_equal(simkmd_test_bo_times(fd, h[0], &ti), 0);
		assert_int_equal(simkmd_test_bo_times(fd, h[1], &to), 0);
		assert_true(ti.processed_ns - ti.submit_ns >= (uint64_t)(10 * MS * scale));
		/* the device model's times: a loaded host may see both at once */
		assert_in_range(ti.dev_done_ns - ti.dev_start_ns,
				(uint64_t)(10 * MS * scale), (uint64_t)(20 * MS * scale) - 1);
		assert_true(to.dev_done_ns - to.dev_start_ns >= (uint64_t)(30 * MS * scale));
		assert_true(to.processed_ns - to.submit_ns >= (uint64_t)(30 * MS * scale));
	}
	close(fd);
}

/*
 * QAIC_SIM_FAULT_WAIT_EINTR: a wait that would block returns EINTR at once
 * (a signal pending, no SA_RESTART); a retry waits normally.  Waits on
 * completed BOs return 0 and take no index.
 */
static void test_wait_eintr(void **state)
{
	struct simkmd_nnc_activate nnc = kmd_nnc(200 * MS);
	struct simkmd_faults f;
	struct simkmd_stats before;
	double scale = time_scale();
	int fd = open_dev(), dbc = kmd_activate(fd, &nnc, 8);
	uint32_t x = (uint32_t)kmd_bo(fd, (uint32_t)dbc, FROM_DEV, 1, 4096);
	int64_t k;
	uint64_t t0;

	(void)state;
	assert_int_equal(simkmd_get_faults(&f), 0);
	k = simkmd_next_blocking_wait_index();
	f.wait_eintr_first = k;
	f.wait_eintr_count = 2;
	assert_int_equal(simkmd_set_faults(&f), 0);
	before = stats_now();
	t0 = kmd_now_ns();
	assert_int_equal(kmd_execute(fd, (uint32_t)dbc, &x, &dirs_io[1], 1), 0);
	assert_int_equal(kmd_wait(fd, x, (uint32_t)dbc, 0), -EINTR);
	assert_int_equal(kmd_wait(fd, x, (uint32_t)dbc, 0), -EINTR);
	assert_true(kmd_now_ns() - t0 < (uint64_t)(200 * MS * scale));
	assert_int_equal(kmd_wait(fd, x, (uint32_t)dbc, 0), 0);
	assert_true(kmd_now_ns() - t0 >= (uint64_t)(200 * MS * scale));
	assert_int_equal(simkmd_next_blocking_wait_index(), k + 3);
	assert_int_equal(kmd_wait(fd, x, (uint32_t)dbc, 0), 0);
	assert_int_equal(simkmd_next_blocking_wait_index(), k + 3);
	assert_int_equal(stats_now().failed - before.failed, 2);
	f.wait_eintr_count = 0;
	assert_int_equal(simkmd_set_faults(&f), 0);
	close(fd);
}

/* ---- faults ---------------------------------------------------------------- */

static void test_hang_timeout(void **state)
{
	struct simkmd_nnc_activate nnc = kmd_nnc(1 * MS);
	struct qaic_perf_stats_entry ent;
	struct simkmd_stats before = stats_now();
	int fd = open_dev(), dbc = kmd_activate(fd, &nnc, 8);
	uint32_t x, y, z;
	uint64_t t0, dt;

	(void)state;
	x = (uint32_t)kmd_bo(fd, (uint32_t)dbc, FROM_DEV, 1, 4096);
	y = (uint32_t)kmd_bo(fd, (uint32_t)dbc, FROM_DEV, 1, 4096);
	z = (uint32_t)kmd_bo(fd, (uint32_t)dbc, FROM_DEV, 1, 4096);
	set_faults(-1, simkmd_next_exec_index(), -1, 0);
	assert_int_equal(kmd_execute(fd, (uint32_t)dbc, &x, &dirs_io[1], 1), 0);
	t0 = kmd_now_ns();
	assert_int_equal(kmd_wait(fd, x, (uint32_t)dbc, 100), -ETIMEDOUT);
	dt = kmd_now_ns() - t0;
	assert_in_range(dt, 100 * MS, 400 * MS);
	assert_int_equal(stats_now().wait_timeouts, before.wait_timeouts + 1);
	assert_int_equal(kmd_perf(fd, (uint32_t)dbc, &x, 1, &ent), 0);
	assert_int_equal(ent.device_latency_us, 0);
	assert_int_equal(simkmd_test_ring_used(0, (uint32_t)dbc), 1);
	/* The hung request blocks nobody else on the channel. */
	assert_int_equal(kmd_execute(fd, (uint32_t)dbc, &y, &dirs_io[1], 1), 0);
	assert_int_equal(kmd_wait(fd, y, (uint32_t)dbc, 0), 0);
	/* Re-executing the BO reclaims the lost ring element. */
	set_faults(-1, -1, -1, 0);
	assert_int_equal(kmd_execute(fd, (uint32_t)dbc, &x, &dirs_io[1], 1), 0);
	assert_int_equal(kmd_wait(fd, x, (uint32_t)dbc, 0), 0);
	assert_int_equal(simkmd_test_ring_used(0, (uint32_t)dbc), 0);
	/* So does closing it. */
	set_faults(-1, simkmd_next_exec_index(), -1, 0);
	assert_int_equal(kmd_execute(fd, (uint32_t)dbc, &z, &dirs_io[1], 1), 0);
	assert_int_equal(simkmd_test_ring_used(0, (uint32_t)dbc), 1);
	assert_int_equal(kmd_gem_close(fd, z), 0);
	assert_int_equal(simkmd_test_ring_used(0, (uint32_t)dbc), 0);
	set_faults(-1, -1, -1, 0);
	close(fd);
}

static void test_deverr_and_eagain_faults(void **state)
{
	struct simkmd_nnc_activate nnc = kmd_nnc(1 * MS);
	int fd = open_dev(), dbc = kmd_activate(fd, &nnc, 8);
	uint32_t x = (uint32_t)kmd_bo(fd, (uint32_t)dbc, FROM_DEV, 1, 4096);
	int64_t k;

	(void)state;
	set_faults(simkmd_next_exec_index(), -1, -1, 0);
	assert_int_equal(kmd_execute(fd, (uint32_t)dbc, &x, &dirs_io[1], 1), 0);
	assert_int_equal(kmd_wait(fd, x, (uint32_t)dbc, 0), -EIO);
	assert_int_equal(kmd_wait(fd, x, (uint32_t)dbc, 0), -EIO);
	assert_int_equal(kmd_execute(fd, (uint32_t)dbc, &x, &dirs_io[1], 1), 0);
	assert_int_equal(kmd_wait(fd, x, (uint32_t)dbc, 0), 0);

	k = simkmd_next_exec_index();
	set_faults(-1, -1, k, 2);
	assert_int_equal(kmd_execute(fd, (uint32_t)dbc, &x, &dirs_io[1], 1), -EAGAIN);
	assert_int_equal(kmd_execute(fd, (uint32_t)dbc, &x, &dirs_io[1], 1), -EAGAIN);
	assert_int_equal(simkmd_test_ring_used(0, (uint32_t)dbc), 0);
	assert_int_equal(kmd_execute(fd, (uint32_t)dbc, &x, &dirs_io[1], 1), 0);
	assert_int_equal(simkmd_next_exec_index(), k + 3);
	assert_int_equal(kmd_wait(fd, x, (uint32_t)dbc, 0), 0);
	set_faults(-1, -1, -1, 0);
	close(fd);
}

/*
 * Subsystem restart (QAIC_SIM_FAULT_SSR): after the device's next
 * completed request its DBCs are released: the request queued behind is
 * dropped (WAIT -EPERM), BOs are detached (PERF_STATS -EINVAL), the files
 * that owned the DBCs get -EPIPE from EXECUTE (another file -EPERM),
 * activation is refused (-EAGAIN) while the device restarts; afterwards a
 * new activation works with the BOs attached again, and only the file
 * that activated anew stops getting -EPIPE.
 */
static void test_subsystem_restart(void **state)
{
	struct simkmd_nnc_activate nnc = kmd_nnc(20 * MS);
	struct qaic_perf_stats_entry ent;
	struct simkmd_faults f;
	int fd = open_dev(), fd2 = open_dev(), fd3 = open_dev();
	int dbc = kmd_activate(fd, &nnc, 8), dbc2 = kmd_activate(fd2, &nnc, 8);
	uint32_t x = (uint32_t)kmd_bo(fd, (uint32_t)dbc, FROM_DEV, 1, 4096);
	uint32_t y = (uint32_t)kmd_bo(fd, (uint32_t)dbc, FROM_DEV, 1, 4096);
	uint32_t z = (uint32_t)kmd_bo(fd2, (uint32_t)dbc2, FROM_DEV, 1, 4096);
	int nd;

	(void)state;
	assert_int_equal(simkmd_get_faults(&f), 0);
	f.ssr_after = (int64_t)stats_now().requests_done + 1;
	f.ssr_dev = 0;
	f.ssr_ms = 300;
	assert_int_equal(simkmd_set_faults(&f), 0);
	assert_int_equal(kmd_execute(fd, (uint32_t)dbc, &x, &dirs_io[1], 1), 0);
	assert_int_equal(kmd_execute(fd, (uint32_t)dbc, &y, &dirs_io[1], 1), 0);
	assert_int_equal(kmd_wait(fd, x, (uint32_t)dbc, 0), 0);	/* restarts */
	assert_int_equal(kmd_wait(fd, y, (uint32_t)dbc, 0), -EPERM);
	assert_int_equal(kmd_perf(fd, (uint32_t)dbc, &x, 1, &ent), -EINVAL);
	assert_int_equal(kmd_execute(fd, (uint32_t)dbc, &x, &dirs_io[1], 1), -EPIPE);
	assert_int_equal(kmd_execute(fd2, (uint32_t)dbc2, &z, &dirs_io[1], 1), -EPIPE);
	assert_int_equal(kmd_execute(fd3, (uint32_t)dbc, &x, &dirs_io[1], 1), -EPERM);
	assert_int_equal(kmd_activate(fd, &nnc, 8), -EAGAIN);
	usleep(350000);
	nd = kmd_activate(fd, &nnc, 8);
	assert_in_range(nd, 0, 15);
	assert_int_equal(kmd_attach(fd, x, (uint32_t)nd, FROM_DEV, 1, 4096), 0);
	assert_int_equal(kmd_execute(fd, (uint32_t)nd, &x, &dirs_io[1], 1), 0);
	assert_int_equal(kmd_wait(fd, x, (uint32_t)nd, 0), 0);
	if (nd != dbc2)		/* fd2 has not activated again */
		assert_int_equal(kmd_execute(fd2, (uint32_t)dbc2, &z, &dirs_io[1], 1),
				 -EPIPE);
	set_faults(-1, -1, -1, 0);
	close(fd);
	close(fd2);
	close(fd3);
}

/*
 * Specializations: the tokens of a request are the bytes its first TO_DEV
 * BO moves / token_bytes; it runs the specialization with the smallest
 * seq_len >= tokens: compute_ns + token_ns x tokens.
 */
static void test_specializations(void **state)
{
	struct simkmd_nnc_activate nnc = kmd_nnc(0);
	struct simkmd_bo_times t;
	static const uint64_t want_ms[3] = { 4 + 1 * 32 / 8, 2, 4 + 10 / 8 };
	uint64_t resize[2][2] = { { 8, 4096 }, { 80, 4096 } };
	uint32_t h[2], dir[2] = { TO_DEV, FROM_DEV };
	int fd = open_dev(), dbc;

	(void)state;
	nnc.nspec = 2;
	nnc.token_bytes = 8;
	nnc.spec[0].seq_len = 32;		/* prefill: 4 ms + 125 us/token */
	nnc.spec[0].compute_ns = 4 * MS;
	nnc.spec[0].token_ns = MS / 8;
	nnc.spec[1].seq_len = 1;		/* decode: 2 ms */
	nnc.spec[1].compute_ns = 2 * MS;
	dbc = kmd_activate(fd, &nnc, 8);
	assert_in_range(dbc, 0, 15);
	h[0] = (uint32_t)kmd_bo(fd, (uint32_t)dbc, TO_DEV, 1, 256);
	h[1] = (uint32_t)kmd_bo(fd, (uint32_t)dbc, FROM_DEV, 1, 4096);
	for (int k = 0; k < 3; k++) {
		/* whole (32 tokens), then 1 token, then 10 */
		assert_int_equal(kmd_execute_n(fd, (uint32_t)dbc, h, dir,
					       k ? resize[k - 1] : NULL, 2), 0);
		assert_int_equal(kmd_wait(fd, h[1], (uint32_t)dbc, 0), 0);
		assert_int_equal(simkmd_test_bo_times(fd, h[1], &t), 0);
		/* The device model's own span: free of host scheduling delays. */
		assert_in_range(t.dev_end_ns - t.dev_start_ns,
				want_ms[k] * MS, want_ms[k] * MS + 3 * MS);
		assert_true(t.processed_ns - t.submit_ns >= want_ms[k] * MS);
	}
	close(fd);
}

/* ---- concurrency ------------------------------------------------------------ */

struct waiter_arg {
	int fd;
	uint32_t handle, dbc;
	int ret;
	uint64_t done_ns;
};

static void *waiter_main(void *p)
{
	struct waiter_arg *w = p;

	w->ret = kmd_wait(w->fd, w->handle, w->dbc, 0);
	w->done_ns = kmd_now_ns();
	return NULL;
}

/* One request's device time: long against scheduling delays under load. */
#define REQ_MS 200

static void test_concurrent_waits(void **state)
{
	struct simkmd_nnc_activate nnc = kmd_nnc(REQ_MS * MS);
	struct qaic_perf_stats_entry ent;
	struct simkmd_stats before = stats_now();
	struct waiter_arg w[5];
	pthread_t th[5];
	uint32_t h[3], dbc[3];
	uint64_t t0, t1;
	int fd = open_dev();

	(void)state;
	for (int i = 0; i < 3; i++) {
		dbc[i] = (uint32_t)kmd_activate(fd, &nnc, 8);
		h[i] = (uint32_t)kmd_bo(fd, dbc[i], FROM_DEV, 1, 4096);
	}
	t0 = kmd_now_ns();
	for (int i = 0; i < 3; i++)
		assert_int_equal(kmd_execute(fd, dbc[i], &h[i], &dirs_io[1], 1), 0);
	for (int i = 0; i < 5; i++) {
		int j = i < 2 ? 0 : i - 2;	/* two threads on the same BO */

		w[i] = (struct waiter_arg){ fd, h[j], dbc[j], -1, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, waiter_main, &w[i]), 0);
	}
	usleep(10000);
	/* The supervisor never blocks on a WAIT: other ioctls keep flowing. */
	t1 = kmd_now_ns();
	assert_int_equal(kmd_perf(fd, dbc[0], &h[0], 1, &ent), 0);
	assert_true(kmd_now_ns() - t1 < REQ_MS / 2 * MS);
	assert_int_equal(ent.device_latency_us, 0);
	for (int i = 0; i < 5; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].ret, 0);
		assert_true(w[i].done_ns - t0 >= REQ_MS * MS);
	}
	/*
	 * DBCs run concurrently: three requests end well before three times
	 * one request's time, which serial DBCs would take at least.  Long
	 * requests leave room for a loaded machine's scheduling delays.
	 */
	assert_true(kmd_now_ns() - t0 < 5 * REQ_MS / 2 * MS);
	assert_true(stats_now().deferred_waits - before.deferred_waits >= 4);
	close(fd);
}

/* ---- not ours: the real kernel answers ----------------------------------- */

static void test_non_device_fd_enotty(void **state)
{
	struct simkmd_stats before = stats_now(), after;
	struct qaic_create_bo cb = { .size = 4096 };
	char path[] = "/tmp/simkmd-test-XXXXXX";
	int tfd = mkstemp(path), nfd = open("/dev/null", O_RDWR), p[2];

	(void)state;
	assert_true(tfd >= 0 && nfd >= 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(kmd_ioctl(tfd, DRM_IOCTL_QAIC_CREATE_BO, &cb), -ENOTTY);
	assert_int_equal(kmd_ioctl(nfd, DRM_IOCTL_QAIC_EXECUTE_BO, &cb), -ENOTTY);
	assert_int_equal(kmd_ioctl(p[0], DRM_IOCTL_GEM_CLOSE, &cb), -ENOTTY);
	after = stats_now();
	assert_int_equal(after.continued - before.continued, 3);
	assert_int_equal(after.handled, before.handled);
	unlink(path);
	close(tfd);
	close(nfd);
	close(p[0]);
	close(p[1]);
}

static void test_fork_child_refused(void **state)
{
	struct simkmd_stats before = stats_now();
	int fd = open_dev(), status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct qaic_create_bo cb = { .size = 4096 };
		int bad = 0;

		if (simkmd_start() != -ECHILD)
			bad |= 1;
		if (kmd_ioctl(fd, DRM_IOCTL_QAIC_CREATE_BO, &cb) != -ENOTTY)
			bad |= 2;
		_exit(bad);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(stats_now().continued, before.continued + 1);
	close(fd);
}

/*
 * The calls that never block are served in the caller's thread (SIGSYS),
 * WAIT by the supervisor; a forked child's reach the real kernel, which
 * answers ENOTTY for the node (a regular file).
 */
static void test_served_in_caller(void **state)
{
	struct qaic_perf_stats ps = { .hdr = { .count = 0, .dbc_id = 0 } };
	struct qaic_wait w = { .handle = 4242, .dbc_id = 0 };
	struct simkmd_stats before = stats_now(), after;
	int fd = open_dev(), status;
	pid_t pid;

	(void)state;
	assert_int_equal(kmd_ioctl(fd, DRM_IOCTL_QAIC_PERF_STATS_BO, &ps), 0);
	after = stats_now();
	assert_int_equal(after.in_caller - before.in_caller, 1);
	assert_int_equal(after.handled - before.handled, 1);
	before = after;
	assert_true(kmd_ioctl(fd, DRM_IOCTL_QAIC_WAIT_BO, &w) < 0);
	after = stats_now();
	assert_int_equal(after.in_caller, before.in_caller);
	assert_int_equal(after.handled - before.handled, 1);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(kmd_ioctl(fd, DRM_IOCTL_QAIC_PERF_STATS_BO, &ps) != -ENOTTY);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(fd);
}

/* Closing the last fd releases the file's channels (noticed at next open). */
static void test_file_release(void **state)
{
	struct simkmd_nnc_activate nnc = kmd_nnc(1 * MS);
	int n1 = 0, n2 = 0, fd;

	(void)state;
	fd = open_dev();
	while (kmd_activate(fd, &nnc, 8) >= 0)
		n1++;
	assert_int_equal(kmd_activate(fd, &nnc, 8), -ECANCELED);
	assert_true(n1 >= 1);
	close(fd);
	fd = open_dev();
	while (kmd_activate(fd, &nnc, 8) >= 0)
		n2++;
	assert_int_equal(n2, n1);
	close(fd);
}

/* ---- below libc: an ioctl interposer sees everything ----------------------- */

typedef void (*count_fn)(uint64_t out[10]);

static void lifecycle(void)
{
	struct simkmd_nnc_activate nnc = kmd_nnc(1 * MS);
	struct qaic_perf_stats_entry ent[2];
	struct qaic_mmap_bo m = { 0 };
	struct qaic_detach_slice ds = { 0 };
	int fd = open_dev(), nfd = open("/dev/null", O_RDWR);
	int dbc = kmd_activate(fd, &nnc, 8);
	uint32_t h[2];

	h[0] = (uint32_t)kmd_bo(fd, (uint32_t)dbc, TO_DEV, 1, 4096);
	h[1] = (uint32_t)kmd_bo(fd, (uint32_t)dbc, FROM_DEV, 1, 4096);
	m.handle = h[1];
	assert_int_equal(kmd_ioctl(fd, DRM_IOCTL_QAIC_MMAP_BO, &m), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(kmd_execute(fd, (uint32_t)dbc, h, dirs_io, 2), 0);
		assert_int_equal(kmd_wait(fd, h[1], (uint32_t)dbc, 0), 0);
		assert_int_equal(kmd_perf(fd, (uint32_t)dbc, h, 2, ent), 0);
	}
	struct qaic_partial_execute_entry pe[2] = { { h[0], 1, 100 }, { h[1], 2, 4096 } };
	struct qaic_execute pex = { .hdr = { 2, (uint32_t)dbc }, .data = (uintptr_t)pe };
	assert_int_equal(kmd_ioctl(fd, DRM_IOCTL_QAIC_PARTIAL_EXECUTE_BO, &pex), 0);
	assert_int_equal(kmd_wait(fd, h[1], (uint32_t)dbc, 0), 0);
	ds.handle = h[0];
	assert_int_equal(kmd_ioctl(fd, DRM_IOCTL_QAIC_DETACH_SLICE_BO, &ds), 0);
	assert_int_equal(kmd_gem_close(fd, h[0]), 0);
	assert_int_equal(kmd_gem_close(fd, h[1]), 0);
	assert_int_equal(kmd_deactivate(fd, (uint32_t)dbc), 0);
	assert_int_equal(kmd_ioctl(nfd, DRM_IOCTL_QAIC_WAIT_BO, &ds), -ENOTTY);
	close(nfd);
	close(fd);
}

static void test_below_libc(void **state)
{
	count_fn get = (count_fn)(uintptr_t)dlsym(RTLD_DEFAULT, "kmdcount_get");
	struct simkmd_stats s0, s1;
	uint64_t c0[10], c1[10], sum = 0;

	(void)state;
	if (!get)
		skip();	/* only meaningful under LD_PRELOAD=libkmdcount.so */
	get(c0);
	s0 = stats_now();
	lifecycle();
	get(c1);
	s1 = stats_now();
	/* Index = qaic nr (0x40 + i), 9 = GEM_CLOSE; see kmdcount.c. */
	assert_int_equal(c1[0] - c0[0], s1.manage - s0.manage);
	assert_int_equal(c1[1] - c0[1], s1.create_bo - s0.create_bo);
	assert_int_equal(c1[2] - c0[2], s1.mmap_bo - s0.mmap_bo);
	assert_int_equal(c1[3] - c0[3], s1.attach_slice_bo - s0.attach_slice_bo);
	assert_int_equal(c1[4] - c0[4], s1.execute_bo - s0.execute_bo);
	assert_int_equal(c1[5] - c0[5], s1.partial_execute_bo - s0.partial_execute_bo);
	assert_int_equal(c1[6] - c0[6] - 1, s1.wait_bo - s0.wait_bo);	/* 1 on /dev/null */
	assert_int_equal(c1[7] - c0[7], s1.perf_stats_bo - s0.perf_stats_bo);
	assert_int_equal(c1[8] - c0[8], s1.detach_slice_bo - s0.detach_slice_bo);
	assert_int_equal(c1[9] - c0[9], s1.gem_close - s0.gem_close);
	for (int i = 0; i < 10; i++)
		sum += c1[i] - c0[i];
	/* Hand count of lifecycle(): 4 MANAGE (load ELF, activate,
	 * deactivate, unload ELF), 2 CREATE, 2 ATTACH, 1 MMAP, 3 EXECUTE,
	 * 1 PARTIAL, 4+1 WAIT, 3 PERF, 1 DETACH, 2 GEM_CLOSE. */
	assert_int_equal(sum, 24);
	assert_int_equal(sum, (s1.handled - s0.handled) + (s1.continued - s0.continued));
	assert_int_equal(s1.continued - s0.continued, 1);
}

/* --start-only: start, print the device paths, exit (env checks). */
static int start_only(void)
{
	int ret = simkmd_start();

	if (ret) {
		fprintf(stderr, "simkmd_start: %s\n", strerror(-ret));
		return 1;
	}
	for (int i = 0; i < simkmd_num_devices(); i++)
		printf("%s\n", simkmd_device_path(i));
	return 0;
}

/*
 * --smoke: on every device node, whatever its name, one activation and one
 * inference through the node; prints "<path> ok" per device.
 */
static int smoke(void)
{
	struct simkmd_nnc_activate nnc = kmd_nnc(1 * MS);
	int ret = simkmd_start();

	if (ret) {
		fprintf(stderr, "simkmd_start: %s\n", strerror(-ret));
		return 1;
	}
	for (int i = 0; i < simkmd_num_devices(); i++) {
		const char *path = simkmd_device_path(i);
		int fd = open(path, O_RDWR | O_CLOEXEC);
		int dbc = fd < 0 ? -1 : kmd_activate(fd, &nnc, 4);
		long h = dbc < 0 ? -1 : kmd_bo(fd, (uint32_t)dbc, FROM_DEV, 1, 4096);
		uint32_t hh = (uint32_t)h;

		if (h < 0 || kmd_execute(fd, (uint32_t)dbc, &hh, &dirs_io[1], 1) ||
		    kmd_wait(fd, hh, (uint32_t)dbc, 0)) {
			fprintf(stderr, "%s: inference failed\n", path);
			return 1;
		}
		close(fd);
		printf("%s ok\n", path);
	}
	return 0;
}

static void *blocked_waiter(void *p)
{
	struct waiter_arg *w = p;

	w->ret = kmd_wait(w->fd, w->handle, w->dbc, 0);
	return NULL;
}

/* --exit-in-flight: exit with requests queued and a WAIT pending. */
static int exit_in_flight(void)
{
	struct simkmd_nnc_activate nnc = kmd_nnc(2000 * MS);
	static struct waiter_arg w;
	pthread_t th;
	uint32_t h[2];
	int fd, dbc;

	if (simkmd_start())
		return 1;
	fd = open(simkmd_device_path(0), O_RDWR | O_CLOEXEC);
	dbc = kmd_activate(fd, &nnc, 8);
	h[0] = (uint32_t)kmd_bo(fd, (uint32_t)dbc, FROM_DEV, 1, 4096);
	h[1] = (uint32_t)kmd_bo(fd, (uint32_t)dbc, FROM_DEV, 1, 4096);
	if (fd < 0 || dbc < 0 || kmd_execute(fd, (uint32_t)dbc, &h[0], &dirs_io[1], 1) ||
	    kmd_execute(fd, (uint32_t)dbc, &h[1], &dirs_io[1], 1))
		return 2;
	w = (struct waiter_arg){ fd, h[1], (uint32_t)dbc, -1, 0 };
	if (pthread_create(&th, NULL, blocked_waiter, &w))
		return 3;
	usleep(20000);
	exit(0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manage_protocol),
		cmocka_unit_test(test_bo_create_attach_mmap),
		cmocka_unit_test(test_gem_close),
		cmocka_unit_test(test_queue_levels_and_perf),
		cmocka_unit_test(test_ring_full_eagain),
		cmocka_unit_test(test_execute_errors),
		cmocka_unit_test(test_cycle_counts),
		cmocka_unit_test(test_sg_ring_elements),
		cmocka_unit_test(test_partial_ring_elements),
		cmocka_unit_test(test_many_bos_one_request),
		cmocka_unit_test(test_exec_dir_ignored),
		cmocka_unit_test(test_wait_eintr),
		cmocka_unit_test(test_hang_timeout),
		cmocka_unit_test(test_deverr_and_eagain_faults),
		cmocka_unit_test(test_subsystem_restart),
		cmocka_unit_test(test_specializations),
		cmocka_unit_test(test_concurrent_waits),
		cmocka_unit_test(test_non_device_fd_enotty),
		cmocka_unit_test(test_fork_child_refused),
		cmocka_unit_test(test_served_in_caller),
		cmocka_unit_test(test_received_at_entry),
		cmocka_unit_test(test_file_release),
		cmocka_unit_test(test_below_libc),
	};

	if (argc > 1 && !strcmp(argv[1], "--start-only"))
		return start_only();
	if (argc > 1 && !strcmp(argv[1], "--smoke"))
		return smoke();
	if (argc > 1 && !strcmp(argv[1], "--exit-in-flight"))
		return exit_in_flight();
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
