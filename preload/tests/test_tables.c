/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the shim's tables: the function-table copier
 * (function_table.c), the EXECUTE table of the perf-stats query
 * (perfstats.c) and the callback trampolines (callbacks.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "shim.h"

static void test_rewrite(void **state)
{
	const uintptr_t real[3] = { 0x1000, 0x2000, 0 };
	const uintptr_t wrap[3] = { 0xa000, 0xb000, 0xc000 };
	const uintptr_t src[6] = { 0x10001, 0x2000, 0, 0x1000, 0x3000, 0x2000 };
	uintptr_t dst[6];

	(void)state;
	assert_int_equal(qp_table_rewrite(src, dst, 6, real, wrap, 3), 3);
	assert_true(dst[0] == 0x10001);	/* version/size word: unchanged */
	assert_true(dst[1] == 0xb000);
	assert_true(dst[2] == 0);	/* NULL never matches an unresolved 0 */
	assert_true(dst[3] == 0xa000);
	assert_true(dst[4] == 0x3000);	/* unknown function: unchanged */
	assert_true(dst[5] == 0xb000);
}

/* A fake runtime's functions and table, in this program's data segment. */
static QStatus fake_load(QAicProgram *p)
{
	(void)p;
	return QS_SUCCESS;
}

static QStatus fake_wait(QAicExecObj *e, uint32_t t)
{
	(void)e;
	(void)t;
	return QS_TIMEDOUT;
}

static const void *fake_table[8] = {
	(void *)(uintptr_t)0x0000004000000001ull, (void *)fake_load,
	NULL, (void *)fake_wait, (void *)test_rewrite,
};

static void test_words(void **state)
{
	void *heap = malloc(64);

	(void)state;
	assert_true(qp_table_words(fake_table, 512) >= 8);
	assert_int_equal(qp_table_words(fake_table, 4), 4);
	/* Not inside any loaded segment (heap), misaligned, NULL: 0. */
	assert_int_equal(qp_table_words(heap, 512), 0);
	assert_int_equal(qp_table_words((char *)fake_table + 1, 512), 0);
	assert_int_equal(qp_table_words(NULL, 512), 0);
	free(heap);
}

static void test_copy(void **state)
{
	const QAicApiFunctionTable *t = (const void *)fake_table, *copy, *again;
	const uintptr_t *w;
	unsigned int wrapped, words;

	(void)state;
	/* qp_bind_fn() refuses functions of the shim's own object (this
	 * program), so bind the fake runtime directly. */
	atomic_store(&qp_fn_real[QP_FN_qaicLoadProgram], (void *)fake_load);
	atomic_store(&qp_fn_real[QP_FN_qaicExecObjWaitForCompletion],
		     (void *)fake_wait);
	copy = qp_table_copy(t, &wrapped, &words);
	assert_non_null(copy);
	assert_ptr_not_equal(copy, t);
	assert_int_equal(wrapped, 2);
	assert_true(words >= 8);
	w = (const uintptr_t *)copy;
	assert_true(w[0] == (uintptr_t)fake_table[0]);
	assert_true(w[1] == (uintptr_t)qp_fn_wrappers[QP_FN_qaicLoadProgram]);
	assert_true(w[2] == 0);
	assert_true(w[3] == (uintptr_t)
			qp_fn_wrappers[QP_FN_qaicExecObjWaitForCompletion]);
	assert_true(w[4] == (uintptr_t)test_rewrite);
	/* The wrapper forwards to the fake runtime's function. */
	assert_int_equal(((QStatus(*)(QAicExecObj *, uint32_t))w[3])(NULL, 5),
			 QS_TIMEDOUT);
	/* One copy per table. */
	again = qp_table_copy(t, &wrapped, &words);
	assert_ptr_equal(again, copy);
}

static void test_exec_table(void **state)
{
	struct qp_exec_req a = { .dbc_id = 2, .count = 3,
				 .handles = { 1, 2, 3 }, .dirs = { 1, 2, 1 } };
	struct qp_exec_req b = { .dbc_id = 2, .count = 2,
				 .handles = { 7, 8 }, .dirs = { 1, 2 } };
	uint32_t h[64];

	(void)state;
	qp_exec_table_reset();
	qp_exec_remember(5, &a);
	qp_exec_remember(5, &b);
	/* a's wait handle is 2 (its last FROM_DEV entry). */
	assert_int_equal(qp_exec_lookup(5, 2, 2, h, 64), 3);
	assert_int_equal(h[0], 1);
	assert_int_equal(h[2], 3);
	assert_int_equal(qp_exec_lookup(5, 2, 8, h, 64), 2);
	assert_int_equal(h[1], 8);
	/* Wrong handle, dbc or fd: unknown. */
	assert_int_equal(qp_exec_lookup(5, 2, 3, h, 64), 0);
	assert_int_equal(qp_exec_lookup(5, 1, 2, h, 64), 0);
	assert_int_equal(qp_exec_lookup(6, 2, 2, h, 64), 0);
	/* The latest EXECUTE of a request replaces the previous one. */
	a.handles[0] = 9;
	qp_exec_remember(5, &a);
	assert_int_equal(qp_exec_lookup(5, 2, 2, h, 1), 1);
	assert_int_equal(h[0], 9);
}

/* Many exec objects in flight on several fds: no request is lost to a
 * hash collision (a direct-mapped table lost most of them). */
static void test_exec_table_many(void **state)
{
	struct qp_exec_req r = { .count = 3, .dirs = { 1, 2, 2 } };
	uint32_t h[64], fd, k;

	(void)state;
	qp_exec_table_reset();
	for (fd = 3; fd < 7; fd++)
		for (k = 0; k < 200; k++) {
			r.dbc_id = fd - 3;
			r.handles[0] = 3 * k + 1;
			r.handles[1] = 3 * k + 2;
			r.handles[2] = 3 * k + 3;
			qp_exec_remember((int)fd, &r);
		}
	for (fd = 3; fd < 7; fd++)
		for (k = 0; k < 200; k++) {
			assert_int_equal(qp_exec_lookup((int)fd, fd - 3,
							3 * k + 3, h, 64), 3);
			assert_int_equal(h[0], 3 * k + 1);
			assert_int_equal(h[1], 3 * k + 2);
		}
}

static QAicEvent *seen_event;
static void *seen_user;
static int seen_calls;

static void user_cb(QAicEvent *e, QAicEventCompletionType t, void *u)
{
	(void)t;
	seen_event = e;
	seen_user = u;
	seen_calls++;
}

static void other_cb(QAicEvent *e, QAicEventCompletionType t, void *u)
{
	(void)e;
	(void)t;
	(void)u;
	seen_calls += 100;
}

static void test_callbacks(void **state)
{
	QAicEvent *ev = (QAicEvent *)(uintptr_t)0x1234;
	QAicEventCallback t1, t2, t3;
	int i;

	(void)state;
	t1 = qp_callback_wrap(ev, user_cb);
	t2 = qp_callback_wrap(ev, other_cb);
	assert_true(t1 != user_cb && t2 != other_cb && t1 != t2);
	assert_true(qp_callback_find(ev, user_cb) == t1);
	assert_true(qp_callback_find(ev, other_cb) == t2);
	/* Unknown (event, cb): the callback itself. */
	assert_true(qp_callback_find((QAicEvent *)8, user_cb) == user_cb);
	/* The trampoline passes event, completion and user data through. */
	seen_calls = 0;
	t1(ev, QAIC_EVENT_DEVICE_COMPLETE, &seen_calls);
	assert_int_equal(seen_calls, 1);
	assert_ptr_equal(seen_event, ev);
	assert_ptr_equal(seen_user, &seen_calls);
	t2(ev, QAIC_EVENT_DEVICE_COMPLETE, NULL);
	assert_int_equal(seen_calls, 101);
	/* Forgotten slot: a late call does nothing, the slot is reused. */
	qp_callback_forget_slot(t1);
	t1(ev, QAIC_EVENT_DEVICE_COMPLETE, NULL);
	assert_int_equal(seen_calls, 101);
	assert_true(qp_callback_find(ev, user_cb) == user_cb);
	t3 = qp_callback_wrap(ev, user_cb);
	assert_true(t3 == t1);
	qp_callback_forget_event(ev);
	assert_true(qp_callback_find(ev, other_cb) == other_cb);
	/* Pool exhaustion: the user's callback is registered unwrapped. */
	for (i = 0; i < 256; i++)
		assert_true(qp_callback_wrap(ev, other_cb) != other_cb);
	assert_true(qp_callback_wrap(ev, user_cb) == user_cb);
	qp_callback_forget_event(ev);
	assert_true(qp_callback_wrap(ev, user_cb) != user_cb);
	qp_callback_forget_event(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rewrite),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_exec_table),
		cmocka_unit_test(test_exec_table_many),
		cmocka_unit_test(test_callbacks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
