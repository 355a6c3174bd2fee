// SPDX-License-Identifier: MIT
/*
 * post/guard.c: the watched child process ends as its work does, or is
 * stopped for memory, for want of progress, or reported as crashed.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "guard.h"

static int exit_with(void *arg)
{
	qp_guard_phase("exiting with %d", *(int *)arg);
	return *(int *)arg;
}

/* Touch 4 MiB more every few ms, ticking: only memory can stop it. */
static int grow(void *arg)
{
	(void)arg;
	for (;;) {
		char *p = malloc(4 << 20);

		if (!p)
			return 3;
		memset(p, 1, 4 << 20);
		qp_guard_phase("growing");
		usleep(2000);
	}
}

static int spin(void *arg)
{
	volatile unsigned long n = 0;

	(void)arg;
	qp_guard_phase("spinning");
	for (;;)
		n++;
	return 0;
}

/* Ticks for 3 s although each step is long: the tick keeps it alive. */
static int slow_but_alive(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 15; i++) {
		usleep(200000);
		qp_guard_tick();
	}
	return 0;
}

/* Decoded, then 3 s of work without a tick: no stall limit any more. */
static int decoded_then_quiet(void *arg)
{
	(void)arg;
	qp_guard_decoded();
	sleep(3);
	return 0;
}

static int crash(void *arg)
{
	(void)arg;
	qp_guard_phase("crashing");
	signal(SIGSEGV, SIG_DFL);	/* cmocka's handler is inherited */
	raise(SIGSEGV);
	return 0;
}

static int defer(void *arg)
{
	(void)arg;
	return qp_guard_defer("left to the parent") ? 1 : 4;
}

static void test_exit_status(void **state)
{
	struct qp_guard_opts o = { .mem_limit = 256u << 20, .stall_s = 5 };
	struct qp_guard_result r;
	int v;

	(void)state;
	for (v = 0; v < 3; v++) {
		assert_int_equal(qp_guard_run(exit_with, &v, &o, &r), v);
		assert_int_equal(r.end, QP_GUARD_EXITED);
		assert_false(r.deferred);
	}
	assert_string_equal(r.phase, "exiting with 2");
}

static void test_memory(void **state)
{
	struct qp_guard_opts o = { .mem_limit = 64u << 20, .stall_s = 30 };
	struct qp_guard_result r;
	char msg[600];

	(void)state;
	assert_int_equal(qp_guard_run(grow, NULL, &o, &r), -1);
	assert_int_equal(r.end, QP_GUARD_MEMORY);
	assert_true(r.peak_anon > o.mem_limit);
	/* stopped soon after: 10 polls a second, 4 MiB each 2 ms at most */
	assert_true(r.peak_anon < o.mem_limit + (512u << 20));
	qp_guard_describe(&r, &o, msg, sizeof(msg));
	print_message("  -> %s\n", msg);
	assert_non_null(strstr(msg, "(limit 64 MiB"));
	assert_non_null(strstr(msg, "while growing"));
}

/* 96 MiB touched and freed at once: a spike between two polls. */
static int spike(void *arg)
{
	size_t n = 96u << 20, k;
	volatile char *p = malloc(n);	/* volatile: the stores stay */

	(void)arg;
	if (!p)
		return 3;
	for (k = 0; k < n; k += 4096)
		p[k] = 1;
	free((void *)p);
	return 0;
}

/*
 * The child's resident high-water mark is exact: a spike the sampling
 * (RssAnon, 10 times a second) may miss.  tracecheck.c's diagnosis names
 * the stream file whose trial peaked above the limit that way.
 */
static void test_peak_rss(void **state)
{
	struct qp_guard_opts o = { .stall_s = 30 };
	struct qp_guard_result r;

	(void)state;
	assert_int_equal(qp_guard_run(spike, NULL, &o, &r), 0);
	assert_int_equal(r.end, QP_GUARD_EXITED);
	assert_true(r.peak_rss >= 96u << 20);
	assert_true(r.peak_rss >= r.peak_anon);
}

static void test_stall(void **state)
{
	struct qp_guard_opts o = { .mem_limit = 0, .stall_s = 1 };
	struct qp_guard_result r;
	char msg[600];

	(void)state;
	assert_int_equal(qp_guard_run(spin, NULL, &o, &r), -1);
	assert_int_equal(r.end, QP_GUARD_STALLED);
	qp_guard_describe(&r, &o, msg, sizeof(msg));
	print_message("  -> %s\n", msg);
	assert_non_null(strstr(msg, "1 s without progress"));
	assert_non_null(strstr(msg, "while spinning"));
	/* progress keeps a slow child alive */
	assert_int_equal(qp_guard_run(slow_but_alive, NULL, &o, &r), 0);
	assert_int_equal(r.end, QP_GUARD_EXITED);
	/* after the decoding, the report's own work has no stall limit */
	assert_int_equal(qp_guard_run(decoded_then_quiet, NULL, &o, &r), 0);
	assert_int_equal(r.end, QP_GUARD_EXITED);
}

static void test_crash_and_defer(void **state)
{
	struct qp_guard_opts o = { .mem_limit = 0, .stall_s = 5 };
	struct qp_guard_result r;
	char msg[600];

	(void)state;
	assert_int_equal(qp_guard_run(crash, NULL, &o, &r), -1);
	assert_int_equal(r.end, QP_GUARD_SIGNALED);
	assert_int_equal(r.status, SIGSEGV);
	qp_guard_describe(&r, &o, msg, sizeof(msg));
	print_message("  -> %s\n", msg);
	assert_non_null(strstr(msg, "crashed"));
	assert_int_equal(qp_guard_run(defer, NULL, &o, &r), 1);
	assert_true(r.deferred);
	assert_string_equal(r.phase, "left to the parent");
	/* outside a guarded child nothing is deferred */
	assert_false(qp_guard_defer("x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_peak_rss),
		cmocka_unit_test(test_stall),
		cmocka_unit_test(test_crash_and_defer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
