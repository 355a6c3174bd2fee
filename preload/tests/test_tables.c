/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the shim's tables: the function-table copier
 * (function_table.c), the request table of the perf-stats query and its
 * policy (perfstats.c) and the callback trampolines (callbacks.c).
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

/*
 * The shim's own PERF_STATS query (perfstats.c) over a fake kernel: the
 * test plays the runtime (EXECUTE, WAIT, its own PERF_STATS) through the
 * hooks' entry points, and the fake ioctl answers PERF_STATS_BO from
 * `done[]` (0: the BO has not completed, as the kernel reports it) and
 * records every call the shim makes.
 */
static uint32_t done[2048];	/* device_latency_us per handle */
static unsigned int calls;
static uint32_t last_count, last_handles[2048];
static int fail_with;

static int fake_ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	struct qaic_perf_stats *ps;
	struct qaic_perf_stats_entry *e;
	uint32_t i;

	va_start(ap, request);
	ps = va_arg(ap, struct qaic_perf_stats *);
	va_end(ap);
	(void)fd;
	if (request != DRM_IOCTL_QAIC_PERF_STATS_BO)
		return 0;
	calls++;
	if (fail_with) {
		errno = fail_with;
		return -1;
	}
	e = (void *)(uintptr_t)ps->data;
	last_count = ps->hdr.count;
	for (i = 0; i < ps->hdr.count; i++) {
		last_handles[i] = e[i].handle;
		e[i].submit_latency_us = 3;
		e[i].device_latency_us = done[e[i].handle];
		e[i].num_queue_element = 1;
	}
	return 0;
}

/* A request of n BOs from handle first on: inputs, then outputs. */
struct fake_req {
	uint32_t h[200], d[200], a[200];
	struct qp_exec_req r;
};

static void make_req(struct fake_req *f, uint32_t first, uint32_t n,
		     uint32_t nin, uint32_t dbc, int fd, bool zero_dirs)
{
	uint32_t i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < n; i++) {
		f->h[i] = first + i;
		f->a[i] = i < nin ? 1 : 2;
		/* a runtime writing 0 into execute_entry.dir: ignored */
		f->d[i] = zero_dirs ? 0 : f->a[i];
		qp_bo_attached(fd, f->h[i], f->a[i]);
	}
	f->r.dbc_id = dbc;
	f->r.count = n;
	f->r.handles = f->h;
	f->r.dirs = f->d;
}

static void execute(int fd, struct fake_req *f)
{
	uint32_t i;

	int w = qp_exec_wait_index(f->a, f->d, f->r.count);

	qp_perfstats_before_execute(fd, &f->r, w, NULL);
	for (i = 0; i < f->r.count; i++)
		done[f->h[i]] = 0;	/* the run starts */
	qp_perfstats_after_execute(fd, &f->r, w);
}

static void complete(struct fake_req *f, uint32_t lat)
{
	uint32_t i;

	for (i = 0; i < f->r.count; i++)
		done[f->h[i]] = lat;
}

static void wait_ok(int fd, struct fake_req *f, uint32_t wait_handle)
{
	struct qaic_wait w = { .handle = wait_handle, .dbc_id = f->r.dbc_id };

	qp_perfstats_after_wait(fd, &w, NULL);
}

static void perf_setup(void)
{
	qp_perfstats_reset();
	memset(done, 0, sizeof(done));
	calls = 0;
	fail_with = 0;
	qp_config.kmd_stats = QP_KMD_STATS_AUTO;
	atomic_store(&qp_libc.ioctl, (void *)fake_ioctl);
}

/* Several completed requests, one call: the owed one and the probes. */
static void test_perf_batch(void **state)
{
	static struct fake_req q[4];
	unsigned int known, owed, k;
	unsigned long n;

	(void)state;
	perf_setup();
	for (k = 0; k < 4; k++) {
		make_req(&q[k], 10 * k + 1, 3, 1, 2, 5, true);
		execute(5, &q[k]);
	}
	for (k = 0; k < 4; k++)
		complete(&q[k], 40 + k);
	/* wait handle: the last entry attached FROM_DEV (handle 10k + 3) */
	wait_ok(5, &q[0], 3);
	qp_perfstats_counts(&known, &owed, &n);
	assert_int_equal(known, 4);
	assert_int_equal(owed, 1);
	assert_int_equal(calls, 0);	/* deferred */
	/* re-executing q0: one call for all four (all completed) */
	execute(5, &q[0]);
	assert_int_equal(calls, 1);
	assert_int_equal(last_count, 12);
	assert_int_equal(last_handles[0], 1);	/* the owed one first */
	assert_int_equal(last_handles[2], 3);
	/* the probed ones are done: their WAITs and EXECUTEs cost nothing */
	for (k = 1; k < 4; k++) {
		wait_ok(5, &q[k], 10 * k + 3);
		execute(5, &q[k]);
	}
	assert_int_equal(calls, 1);
	qp_perfstats_counts(&known, &owed, &n);
	assert_int_equal(owed, 0);
	assert_int_equal(n, 1);
}

/* A probe not completed stays owed-to-be: queried after its WAIT. */
static void test_perf_incomplete_probe(void **state)
{
	static struct fake_req a, b;
	unsigned int known, owed;
	unsigned long n;

	(void)state;
	perf_setup();
	make_req(&a, 1, 2, 1, 0, 5, false);
	make_req(&b, 3, 2, 1, 0, 5, false);
	execute(5, &a);
	execute(5, &b);
	complete(&a, 50);	/* b still running: device latency 0 */
	wait_ok(5, &a, 2);
	execute(5, &a);
	assert_int_equal(calls, 1);
	assert_int_equal(last_count, 4);
	complete(&b, 60);
	wait_ok(5, &b, 4);
	qp_perfstats_counts(&known, &owed, &n);
	assert_int_equal(owed, 1);
	execute(5, &b);
	assert_int_equal(calls, 2);
	/* a's second run is in flight and completed: probed too */
	assert_int_equal(last_count, 4);
}

/* The runtime's own query after completion, whole: no query of ours. */
static void test_perf_runtime_query(void **state)
{
	static struct fake_req a;
	uint32_t m[5][2], q[2] = { 7, 9 };
	struct qp_perf_arrays pa = { 2, m[0], m[1], m[2], m[3], m[4] };

	(void)state;
	perf_setup();
	make_req(&a, 1, 2, 1, 0, 5, false);
	execute(5, &a);
	complete(&a, 50);
	wait_ok(5, &a, 2);
	/* a partial query (the wait handle only) does not settle it */
	pa.count = 1;
	pa.handles[0] = 2;
	pa.device_us[0] = 50;
	qp_perfstats_runtime(5, 0, &pa);
	/* nor one before completion (device latency 0) */
	pa.count = 2;
	pa.handles[0] = 1;
	pa.handles[1] = 2;
	pa.device_us[0] = 0;
	pa.device_us[1] = 0;
	qp_perfstats_runtime(5, 0, &pa);
	pa.device_us[1] = 50;
	qp_perfstats_runtime(5, 0, &pa);
	execute(5, &a);
	assert_int_equal(calls, 0);
	(void)q;
}

/* A 134-BO request is queried whole. */
static void test_perf_many_bos(void **state)
{
	static struct fake_req a;

	(void)state;
	perf_setup();
	make_req(&a, 100, 134, 67, 1, 6, false);
	execute(6, &a);
	complete(&a, 70);
	wait_ok(6, &a, 233);
	qp_perfstats_flush_all();
	assert_int_equal(calls, 1);
	assert_int_equal(last_count, 134);
	assert_int_equal(last_handles[0], 100);
	assert_int_equal(last_handles[133], 233);
}

/* Owed stats are read before the BOs go; a released DBC owes nothing. */
static void test_perf_release(void **state)
{
	static struct fake_req a, b;
	unsigned int known, owed;
	unsigned long n;

	(void)state;
	perf_setup();
	make_req(&a, 1, 2, 1, 0, 5, false);
	make_req(&b, 3, 2, 1, 1, 5, false);
	execute(5, &a);
	execute(5, &b);
	complete(&a, 50);
	wait_ok(5, &a, 2);
	/* GEM_CLOSE of a's input (not its wait handle) */
	qp_perfstats_release(5, 1, -1, NULL);
	assert_int_equal(calls, 1);
	assert_int_equal(last_count, 2);	/* b is on another DBC */
	/* b's DBC released under it (EPERM): forgotten, no query */
	qp_perfstats_failed(5, 1, EPERM);
	qp_perfstats_counts(&known, &owed, &n);
	assert_int_equal(owed, 0);
	complete(&b, 50);
	wait_ok(5, &b, 4);
	qp_perfstats_flush_all();
	assert_int_equal(calls, 1);
	/* EINTR is no loss: still tracked */
	execute(5, &b);
	qp_perfstats_failed(5, 1, EINTR);
	complete(&b, 50);
	wait_ok(5, &b, 4);
	qp_perfstats_counts(&known, &owed, &n);
	assert_int_equal(owed, 1);
	/* a failing call records the error and owes nothing more */
	fail_with = EINVAL;
	qp_perfstats_flush_all();
	assert_int_equal(calls, 2);
	qp_perfstats_counts(&known, &owed, &n);
	assert_int_equal(owed, 0);
}

/* Mode always: one call per WAIT, at once; unknown requests too. */
static void test_perf_always(void **state)
{
	static struct fake_req a;
	struct qaic_wait w = { .handle = 999, .dbc_id = 0 };

	(void)state;
	perf_setup();
	qp_config.kmd_stats = QP_KMD_STATS_ALWAYS;
	make_req(&a, 1, 3, 1, 0, 5, false);
	execute(5, &a);
	complete(&a, 50);
	wait_ok(5, &a, 3);
	assert_int_equal(calls, 1);
	assert_int_equal(last_count, 3);
	qp_perfstats_after_wait(5, &w, NULL);	/* unknown: the handle alone */
	assert_int_equal(calls, 2);
	assert_int_equal(last_count, 1);
	assert_int_equal(last_handles[0], 999);
	qp_config.kmd_stats = QP_KMD_STATS_AUTO;
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
		cmocka_unit_test(test_perf_batch),
		cmocka_unit_test(test_perf_incomplete_probe),
		cmocka_unit_test(test_perf_runtime_query),
		cmocka_unit_test(test_perf_many_bos),
		cmocka_unit_test(test_perf_release),
		cmocka_unit_test(test_perf_always),
		cmocka_unit_test(test_callbacks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
