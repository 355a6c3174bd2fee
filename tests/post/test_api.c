// SPDX-License-Identifier: MIT
/*
 * The library used as docs/REPORT.md ("The library") shows it: read a
 * trace on two threads into the assembler, select, print a --by table,
 * with errors in a status.  On the checked-in trace
 * tests/post/traces/v1/trace, whose events traces/v1/expected.txt lists:
 * one process (pid 4242) enqueues twice on thread 4242 to its program
 * "resnet" (seq 0, completed by qaicExecObjWaitForCompletion; seq 1, by
 * an event callback), so both inferences complete.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "assemble.h"
#include "bytable.h"
#include "model.h"
#include "reader.h"
#include "select.h"
#include "split.h"
#include "status.h"

/* The example of docs/REPORT.md, "The library", as written there. */
static int by_table_of(const char *trace, const struct qp_selection *s,
		       enum qp_by_key key, FILE *out, size_t *ncompleted,
		       struct qp_status *status)
{
	const char *paths[1] = { trace };
	struct qp_model m;
	struct qp_read_stats st;
	struct qp_assembler *a;
	enum qp_read_how how;
	double sink_cpu_s;
	uint8_t *sel = NULL;
	int rc = -1;

	qp_model_init(&m);
	qp_read_stats_init(&st);
	a = qp_assembler_new(&m);
	if (!a) {
		qp_fail_nomem(status);
		goto out;
	}
	if (qp_read_traces_threads(paths, 1, &m, qp_assembler_sink, a, 2, &st,
				   &how, &sink_cpu_s, status)) {
		qp_status_wrap(status, "reading %s", trace);
		goto out;
	}
	qp_assembler_finish(a);
	sel = qp_select(&m, s, ncompleted);
	if (!sel) {
		qp_fail_nomem(status);
		goto out;
	}
	if (qp_by_table_print(out, &m, sel, key))
		qp_fail_nomem(status);
	else
		rc = 0;
out:
	free(sel);
	qp_assembler_free(a);
	qp_read_stats_free(&st);
	qp_model_free(&m);
	return rc;
}

static char trace[PATH_MAX];

static int setup(void **state)
{
	const char *src = getenv("srcdir");

	(void)state;
	snprintf(trace, sizeof(trace), "%s/traces/v1/trace", src ? src : ".");
	return 0;
}

/* The table as text, and the selection's completed count. */
static char *table(const struct qp_selection *s, enum qp_by_key key,
		   size_t *nc)
{
	struct qp_status status = QP_STATUS_INIT;
	char *buf = NULL, msg[4096];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (by_table_of(trace, s, key, f, nc, &status)) {
		qp_status_format(&status, msg, sizeof(msg));
		fail_msg("%s", msg);
	}
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_by_program(void **state)
{
	struct qp_selection s = { 0 };
	size_t nc = 0;
	char *t;

	(void)state;
	t = table(&s, QP_BY_PROGRAM, &nc);
	assert_int_equal(nc, 2);
	assert_non_null(strstr(t, "\nBreakdown by program "));
	/* one row: the program, its process, both inferences */
	assert_non_null(strstr(t, "\nresnet (pid 4242) "));
	assert_int_equal(strtoul(strstr(t, "(pid 4242)") + 10, NULL, 10), 2);
	free(t);
}

static void test_by_thread_window(void **state)
{
	struct qp_selection s = { .program = "resnet", .start_iter = 1 };
	size_t nc = 0;
	char *t;

	(void)state;
	t = table(&s, QP_BY_THREAD, &nc);
	assert_int_equal(nc, 1);	/* the second enqueue only */
	assert_non_null(strstr(t, "\npid 4242 tid 4242 "));
	assert_int_equal(strtoul(strstr(t, "tid 4242") + 8, NULL, 10), 1);
	free(t);
}

static void test_no_trace(void **state)
{
	struct qp_selection s = { 0 };
	struct qp_status status = QP_STATUS_INIT;
	size_t nc;
	char msg[4096];

	(void)state;
	assert_int_equal(by_table_of("/nonexistent/trace", &s, QP_BY_QUEUE,
				     stdout, &nc, &status), -1);
	assert_int_equal(status.code, QP_E_INPUT);
	qp_status_format(&status, msg, sizeof(msg));
	assert_string_equal(msg, "reading /nonexistent/trace: because "
			    "/nonexistent/trace: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_program),
		cmocka_unit_test(test_by_thread_window),
		cmocka_unit_test(test_no_trace),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
