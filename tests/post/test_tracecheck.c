// SPDX-License-Identifier: MIT
/*
 * post/tracecheck.c's per-event checks (qp_event_check) against
 * hand-written event sequences: what a damaged byte can turn an event
 * into (an id out of range, begin_ts after the event, a payload pid
 * other than the stream's process, a thread in a process it does not
 * belong to) is refused with a message; what real traces hold (many
 * threads and processes, a thread id reused by a later process, two
 * hosts with the same ids) is accepted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tracecheck.h"

#define MS	1000000ULL

static char why[256];

/* One event without a vpid context: 0 accepted, -1 refused. */
static int ev(struct qp_event_checker *c, uint32_t host, int32_t pid,
	      int32_t tid, uint64_t ts)
{
	why[0] = '\0';
	return qp_event_check(c, host, pid, tid, ts, ts, -1, why, sizeof(why));
}

static void test_fields(void **state)
{
	struct qp_event_checker c = { 0 };

	(void)state;
	assert_int_equal(qp_event_check(&c, 0, 0, 5, 1, 1, -1, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "pid 0"));
	assert_int_equal(qp_event_check(&c, 0, 5, 4194305, 1, 1, -1, why, sizeof(why)), -1);
	assert_int_equal(qp_event_check(&c, 0, 4194304, 4194304, 1, 1, -1, why, sizeof(why)), 0);
	assert_int_equal(qp_event_check(&c, 0, 7, 7, 11, 10, -1, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "begin_ts 11 after"));
	assert_int_equal(qp_event_check(&c, 0, 7, 8, 10, 10, 9, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "payload pid 7 in a stream of process 9"));
	assert_int_equal(qp_event_check(&c, 0, 9, 8, 10, 10, 9, why, sizeof(why)), 0);
	qp_event_checker_free(&c);
}

/* Many threads of two processes, interleaved: all accepted. */
static void test_real_threads(void **state)
{
	struct qp_event_checker c = { 0 };
	uint64_t t = 1000 * MS;
	int32_t tid;
	int k;

	(void)state;
	for (k = 0; k < 50; k++)
		for (tid = 100; tid < 700; tid += 3)
			assert_int_equal(ev(&c, 0, tid < 400 ? 100 : 400, tid,
					    t += 1000), 0);
	qp_event_checker_free(&c);
}

/* The damaged event is the thread's first: it then reads as in process
 * 24009, its next (1.4 ms later, a WAIT's return) in its real 9673. */
static void test_first_event_damaged(void **state)
{
	struct qp_event_checker c = { 0 };
	uint64_t t = 5000 * MS;

	(void)state;
	assert_int_equal(ev(&c, 0, 9673, 9673, t), 0);
	assert_int_equal(ev(&c, 0, 24009, 9691, t + MS), 0);
	assert_int_equal(ev(&c, 0, 9673, 9673, t + 2 * MS), 0);
	assert_int_equal(ev(&c, 0, 9673, 9691, t + MS + 1414000), -1);
	assert_non_null(strstr(why, "thread 9691 appears in process 9673 1.414 ms after its event in process 24009"));
	qp_event_checker_free(&c);
}

/* The damaged event is the thread's last one. */
static void test_last_event_damaged(void **state)
{
	struct qp_event_checker c = { 0 };
	uint64_t t = 5000 * MS;
	int k;

	(void)state;
	for (k = 0; k < 10; k++)
		assert_int_equal(ev(&c, 0, 300, 301, t += 20 * MS), 0);
	assert_int_equal(ev(&c, 0, 812, 301, t + 99 * MS), -1);
	assert_non_null(strstr(why, "appears in process 812"));
	qp_event_checker_free(&c);
}

/* In the middle, long after the one before: caught on the way back. */
static void test_there_and_back(void **state)
{
	struct qp_event_checker c = { 0 };
	uint64_t t = 5000 * MS;

	(void)state;
	assert_int_equal(ev(&c, 0, 300, 301, t), 0);
	assert_int_equal(ev(&c, 0, 812, 301, t + 200 * MS), 0);
	assert_int_equal(ev(&c, 0, 300, 301, t + 400 * MS), -1);
	assert_non_null(strstr(why, "and back"));
	qp_event_checker_free(&c);
}

/* A thread id reused by a later process (its thread ended, the pid space
 * went round), and the same ids on two hosts: accepted. */
static void test_reuse_and_hosts(void **state)
{
	struct qp_event_checker c = { 0 };
	uint64_t t = 5000 * MS;

	(void)state;
	assert_int_equal(ev(&c, 0, 300, 301, t), 0);
	assert_int_equal(ev(&c, 1, 812, 301, t + 1), 0);
	assert_int_equal(ev(&c, 0, 300, 301, t + 2), 0);
	assert_int_equal(ev(&c, 0, 900, 301, t + 2 + 100 * MS), 0);
	assert_int_equal(ev(&c, 0, 900, 301, t + 101 * MS), 0);
	assert_int_equal(ev(&c, 1, 812, 301, t + 102 * MS), 0);
	qp_event_checker_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_real_threads),
		cmocka_unit_test(test_first_event_damaged),
		cmocka_unit_test(test_last_event_damaged),
		cmocka_unit_test(test_there_and_back),
		cmocka_unit_test(test_reuse_and_hosts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
