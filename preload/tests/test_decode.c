/* SPDX-License-Identifier: MIT */
/* Unit tests of the uAPI decoders (preload/decode.c) on hand-built structs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "shim.h"

static void test_classify(void **state)
{
	(void)state;
	assert_int_equal(qp_classify_request(0xc0106440u), QP_REQ_MANAGE);
	assert_int_equal(qp_classify_request(0xc0106441u), QP_REQ_CREATE_BO);
	assert_int_equal(qp_classify_request(0xc0106442u), QP_REQ_MMAP_BO);
	assert_int_equal(qp_classify_request(0x40206443u), QP_REQ_ATTACH_SLICE);
	assert_int_equal(qp_classify_request(0x40106444u), QP_REQ_EXECUTE);
	assert_int_equal(qp_classify_request(0x40106445u),
			 QP_REQ_PARTIAL_EXECUTE);
	assert_int_equal(qp_classify_request(0x40106446u), QP_REQ_WAIT);
	assert_int_equal(qp_classify_request(0xc0106447u), QP_REQ_PERF_STATS);
	/* nr 0x48: upstream DETACH (_IOW, 8) vs SDK PART_DEV (_IOWR, 8). */
	assert_int_equal(qp_classify_request(0x40086448u), QP_REQ_DETACH_SLICE);
	assert_int_equal(qp_classify_request(0xc0086448u), QP_REQ_OTHER);
	assert_int_equal(qp_classify_request(0x40086409u), QP_REQ_GEM_CLOSE);
	/* DRM_IOCTL_VERSION (_IOWR('d', 0, 64 bytes)): DRM, not qaic. */
	assert_int_equal(qp_classify_request(0xc0406400u), QP_REQ_OTHER);
	/* Right nr, wrong size: not the qaic request. */
	assert_int_equal(qp_classify_request(0x40186444u), QP_REQ_OTHER);
	/* TCGETS and FIONREAD are not DRM at all. */
	assert_int_equal(qp_classify_request(0x5401u), QP_REQ_NONE);
	assert_int_equal(qp_classify_request(0x541bu), QP_REQ_NONE);
}

static size_t put(uint8_t *buf, size_t off, const void *t, size_t len)
{
	memcpy(buf + off, t, len);
	return off + len;
}

static void test_manage_activate(void **state)
{
	struct qaic_manage_trans_passthrough pt = { { 1, 16 } };
	struct qaic_manage_trans_activate_from_dev act = {
		{ QAIC_TRANS_ACTIVATE_FROM_DEV, 24 }, 0, 7, 0 };
	struct qp_manage_ids ids = { -1, -1 };
	uint8_t buf[128] = { 0 };
	size_t off = 0;

	(void)state;
	off = put(buf, off, &pt, sizeof(pt));
	off += 8;	/* passthrough payload */
	off = put(buf, off, &act, sizeof(act));
	qp_manage_scan(buf, (uint32_t)off, 2, &ids);
	assert_int_equal(ids.activated_dbc, 7);
	assert_int_equal(ids.deactivated_dbc, -1);
}

static void test_manage_deactivate(void **state)
{
	struct qaic_manage_trans_deactivate d = {
		{ QAIC_TRANS_DEACTIVATE_FROM_USR, 16 }, 3, 0 };
	struct qp_manage_ids ids = { -1, -1 };

	(void)state;
	qp_manage_scan(&d, sizeof(d), 1, &ids);
	assert_int_equal(ids.deactivated_dbc, 3);
	assert_int_equal(ids.activated_dbc, -1);
	d.hdr.type = QAIC_TRANS_DEACTIVATE_FROM_DEV;
	d.dbc_id = 5;
	qp_manage_scan(&d, sizeof(d), 1, &ids);
	assert_int_equal(ids.deactivated_dbc, 5);
}

static void test_manage_bad_lengths(void **state)
{
	struct qaic_manage_trans_activate_from_dev act = {
		{ QAIC_TRANS_ACTIVATE_FROM_DEV, 24 }, 0, 9, 0 };
	struct qp_manage_ids ids = { -1, -1 };
	uint8_t buf[64] = { 0 };

	(void)state;
	/* count larger than the transactions present: stops at len. */
	memcpy(buf, &act, sizeof(act));
	qp_manage_scan(buf, sizeof(act), 5, &ids);
	assert_int_equal(ids.activated_dbc, 9);
	/* Transaction claims more than len: not decoded. */
	ids.activated_dbc = -1;
	qp_manage_scan(buf, 20, 1, &ids);
	assert_int_equal(ids.activated_dbc, -1);
	/* hdr.len 0 would loop forever: must stop. */
	act.hdr.len = 0;
	memcpy(buf, &act, sizeof(act));
	qp_manage_scan(buf, sizeof(buf), 1000000, &ids);
	assert_int_equal(ids.activated_dbc, -1);
	/* Activate transaction too short for dbc_id: ignored. */
	act.hdr.len = 12;
	memcpy(buf, &act, sizeof(act));
	qp_manage_scan(buf, sizeof(buf), 1, &ids);
	assert_int_equal(ids.activated_dbc, -1);
	qp_manage_scan(NULL, 100, 1, &ids);
	assert_int_equal(ids.activated_dbc, -1);
}

static void test_exec_decode(void **state)
{
	struct qaic_execute_entry e[3] = { { 11, 1 }, { 12, 2 }, { 13, 2 } };
	struct qaic_execute ex = { { 3, 4 }, (uint64_t)(uintptr_t)e };
	uint32_t h[3], d[3];
	struct qp_exec_req r = { .handles = h, .dirs = d };

	(void)state;
	qp_exec_decode(&ex, e, false, &r);
	assert_int_equal(r.dbc_id, 4);
	assert_int_equal(r.count, 3);
	assert_int_equal(r.handles[0], 11);
	assert_int_equal(r.handles[2], 13);
	assert_int_equal(r.dirs[0], 1);
	assert_int_equal(r.dirs[1], 2);
	assert_int_equal(r.nresize, 0);
	assert_int_equal(qp_exec_wait_index(NULL, r.dirs, r.count), 2);
}

static void test_partial_decode(void **state)
{
	struct qaic_partial_execute_entry e[2] = { { 5, 2, 0 },
						   { 6, 1, 4096 } };
	struct qaic_execute ex = { { 2, 1 }, (uint64_t)(uintptr_t)e };
	uint32_t h[2], d[2];
	uint64_t rs[2];
	struct qp_exec_req r = { .handles = h, .dirs = d, .resize = rs };

	(void)state;
	qp_exec_decode(&ex, e, true, &r);
	assert_int_equal(r.count, 2);
	assert_int_equal(r.nresize, 2);
	assert_int_equal(r.handles[1], 6);
	assert_int_equal(r.resize[0], 0);
	assert_int_equal(r.resize[1], 4096);
	/* The wait handle is the last FROM_DEV entry, not the last entry. */
	assert_int_equal(qp_exec_wait_index(NULL, r.dirs, r.count), 0);
}

/* 300 entries (more than any fixed bound of old): every one decoded. */
static void test_exec_many(void **state)
{
	static struct qaic_execute_entry e[301];
	static uint32_t h[301], d[301];
	struct qaic_execute ex = { { 301, 0 }, 0 };
	struct qp_exec_req r = { .handles = h, .dirs = d };
	uint32_t dirs[2] = { 1, 1 }, i;

	(void)state;
	for (i = 0; i < 301; i++) {
		e[i].handle = 1000 + i;
		e[i].dir = i < 150 ? 1 : 2;
	}
	qp_exec_decode(&ex, e, false, &r);
	assert_int_equal(r.count, 301);
	/* four at a time, then the tail: every entry where it belongs */
	for (i = 0; i < 301; i++) {
		assert_int_equal(r.handles[i], 1000 + i);
		assert_int_equal(r.dirs[i], i < 150 ? 1 : 2);
	}
	qp_exec_decode(&ex, NULL, false, &r);
	assert_int_equal(r.count, 0);
	/* No FROM_DEV entry: the last one; none at all: -1. */
	assert_int_equal(qp_exec_wait_index(NULL, dirs, 2), 1);
	assert_int_equal(qp_exec_wait_index(NULL, dirs, 0), -1);
}

/*
 * The attach dirs decide, not the execute dirs (which the kernel
 * ignores): a runtime writing 0 or swapped dirs into its entries.
 */
static void test_wait_index_attach(void **state)
{
	uint32_t zero[4] = { 0, 0, 0, 0 }, swapped[4] = { 2, 2, 1, 1 };
	uint32_t attach[4] = { 1, 2, 2, 1 }, partial[4] = { 1, 0, 0, 0 };

	(void)state;
	assert_int_equal(qp_exec_wait_index(attach, zero, 4), 2);
	assert_int_equal(qp_exec_wait_index(attach, swapped, 4), 2);
	/* attach unknown (0) for some entries: their execute dir counts */
	assert_int_equal(qp_exec_wait_index(partial, swapped, 4), 1);
	/* nothing FROM_DEV anywhere: the last entry */
	assert_int_equal(qp_exec_wait_index(zero, zero, 4), 3);
}

static void test_perf_decode(void **state)
{
	struct qaic_perf_stats_entry e[2] = {
		{ 21, 3, 4, 17, 250, 0 }, { 22, 7, 1, 18, 251, 0 } };
	uint32_t m[5][2];
	struct qp_perf_arrays pa = { 0, m[0], m[1], m[2], m[3], m[4] };

	struct qaic_perf_stats_entry many[29];
	uint32_t mm[5][29], i;
	struct qp_perf_arrays pm = { 0, mm[0], mm[1], mm[2], mm[3], mm[4] };

	(void)state;
	/* 29 entries: three groups of eight (AVX), one of four, a tail of one */
	for (i = 0; i < 29; i++)
		many[i] = (struct qaic_perf_stats_entry){ 100 + i, 200 + i,
			300 + i, 400 + i, 500 + i, 0xdead };
	qp_perf_decode(many, 29, &pm);
	assert_int_equal(pm.count, 29);
	for (i = 0; i < 29; i++) {
		assert_int_equal(mm[0][i], 100 + i);
		assert_int_equal(mm[1][i], 200 + i);
		assert_int_equal(mm[2][i], 300 + i);
		assert_int_equal(mm[3][i], 400 + i);
		assert_int_equal(mm[4][i], 500 + i);
	}
	/* handles NULL: not written, the other fields decoded all the same
	 * (a path of its own: one 16-byte run per entry) */
	pm.handles = NULL;
	mm[0][5] = 7;
	memset(mm + 1, 0, 4 * sizeof(mm[0]));
	qp_perf_decode(many, 29, &pm);
	assert_int_equal(mm[0][5], 7);
	for (i = 0; i < 29; i++) {
		assert_int_equal(mm[1][i], 200 + i);
		assert_int_equal(mm[2][i], 300 + i);
		assert_int_equal(mm[3][i], 400 + i);
		assert_int_equal(mm[4][i], 500 + i);
	}
	qp_perf_decode(e, 2, &pa);
	assert_int_equal(pa.count, 2);
	assert_int_equal(pa.handles[1], 22);
	assert_int_equal(pa.qlevel[0], 3);
	assert_int_equal(pa.nelem[0], 4);
	assert_int_equal(pa.submit_us[1], 18);
	assert_int_equal(pa.device_us[0], 250);
}

static void test_read_user(void **state)
{
	uint64_t src = 0x1122334455667788ull, dst = 0;
	void *bad;

	(void)state;
	assert_true(qp_read_user(&dst, &src, sizeof(dst), false));
	assert_true(dst == src);
	dst = 0;
	assert_true(qp_read_user(&dst, &src, sizeof(dst), true));
	assert_true(dst == src);
	/* An unmapped page: untrusted reads fail cleanly instead of faulting. */
	bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(bad != MAP_FAILED);
	assert_false(qp_read_user(&dst, bad, sizeof(dst), false));
	munmap(bad, 4096);
	assert_false(qp_read_user(&dst, NULL, sizeof(dst), false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_manage_activate),
		cmocka_unit_test(test_manage_deactivate),
		cmocka_unit_test(test_manage_bad_lengths),
		cmocka_unit_test(test_exec_decode),
		cmocka_unit_test(test_partial_decode),
		cmocka_unit_test(test_exec_many),
		cmocka_unit_test(test_wait_index_attach),
		cmocka_unit_test(test_perf_decode),
		cmocka_unit_test(test_read_user),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
