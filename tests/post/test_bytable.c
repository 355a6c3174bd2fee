// SPDX-License-Identifier: MIT
/*
 * Breakdown tables (post/bytable.c) on a hand-built inference set: rows,
 * their statistics and phase means, labels and the printed table, against
 * values computed by hand in the comments.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bytable.h"
#include "model.h"

#define T0 1000000000ull

/* Times in µs after the inference's own t0; < 0: not seen. */
struct hb {
	uint32_t t0_us;
	uint16_t program, queue;
	uint32_t callsite;
	int32_t tid;
	uint8_t state;
	double enq_end, exec_begin, wait_end, done;
};

#define NO QP_NONE16
#define OK QP_INF_OK

/*
 *   #  prog  tid  queue  site  round trip  enq  preProc  execTotal  postProc
 *   0  a     100  0      0     130         10   10       100        10
 *   1  a     101  1      1     250         20   10       200        20
 *   2  b     100  0      0     100         10   10        70        10
 *   3  a     100  0      0     (no completion: in no row)
 *   4  kernel-only dbc 5, tid 100, EXECUTE..WAIT 50: execTotal only
 *   5  a     100  0      0     170         10   20       120        20
 *   6  a     102  0      0     (completed, not selected)
 *   7  a     100  none   2     110         10   10        80        10
 */
static const struct hb v[] = {
	{ 0, 0, 0, 0, 100, OK, 10, 20, 120, 130 },
	{ 1000, 0, 1, 1, 101, OK, 20, 30, 230, 250 },
	{ 2000, 1, 0, 0, 100, OK, 10, 20, 90, 100 },
	{ 3000, 0, 0, 0, 100, QP_INF_NO_COMPLETION, 10, 20, -1, -1 },
	{ 4000, NO, NO, QP_NONE, 100, OK, -1, 0, 50, -1 },
	{ 5000, 0, 0, 0, 100, OK, 10, 30, 150, 170 },
	{ 6000, 0, 0, 0, 102, OK, 10, 20, 120, 130 },
	{ 7000, 0, NO, 2, 100, OK, 10, 20, 100, 110 },
};
#define N (sizeof(v) / sizeof(v[0]))
static const uint8_t sel[N] = { 1, 1, 1, 1, 1, 1, 0, 1 };

static void set_us(struct qp_inference *i, enum qp_time t, double us)
{
	if (us >= 0)
		qp_inf_set_time(i, t, i->t0 + (uint64_t)llround(us * 1000));
}

static void build(struct qp_model *m)
{
	size_t k;

	qp_model_init(m);
	m->processes = calloc(1, sizeof(*m->processes));
	m->processes[0].pid = 7;
	m->nprocesses = 1;
	m->programs = calloc(2, sizeof(*m->programs));
	m->programs[0].name = strdup("a");
	m->programs[1].name = strdup("b\n");	/* escaped in labels */
	m->nprograms = 2;
	m->queues = calloc(2, sizeof(*m->queues));
	m->queues[0].handle = 0xabc;
	m->queues[1].handle = 0xdef;
	m->nqueues = 2;
	m->callsites = calloc(3, sizeof(*m->callsites));
	m->callsites[0].symbol = strdup("main+0x10 (app) app.c:12");
	m->callsites[1].ips[0] = 0x401000;	/* not symbolised */
	m->callsites[2].symbol = strdup("run_inferences_in_a_loop+0x1c4 "
					"(libnet.so) src/net/run.c:345");
	m->ncallsites = 3;
	for (k = 0; k < N; k++) {
		struct qp_inference *i = qp_model_add_inference(m);

		i->t0 = T0 + (uint64_t)v[k].t0_us * 1000;
		i->seq = (uint32_t)k;
		i->process = 0;
		i->program = v[k].program;
		i->queue = v[k].queue;
		i->callsite = v[k].callsite;
		i->enq_tid = v[k].tid;
		i->state = v[k].state;
		if (v[k].program == NO) {
			i->dbc_id = 5;
			i->done_kind = QP_DONE_KERNEL;
			i->match = QP_MATCH_KERNEL_ONLY;
		} else {
			i->flags = QP_F_HAS_ENQ;
			i->done_kind = QP_DONE_WAIT;
		}
		set_us(i, QP_T_ENQ_END, v[k].enq_end);
		set_us(i, QP_T_EXEC_BEGIN, v[k].exec_begin);
		set_us(i, QP_T_WAIT_END, v[k].wait_end);
		set_us(i, QP_T_DONE, v[k].done);
	}
}

static void near(double got, double want, const char *what)
{
	if (isnan(want) ? !isnan(got) : fabs(got - want) > 1e-9)
		fail_msg("%s = %.6f, want %.6f", what, got, want);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(qp_by_name(QP_BY_PROGRAM), "program");
	assert_string_equal(qp_by_name(QP_BY_CALLSITE), "callsite");
	assert_int_equal(qp_by_parse("thread"), QP_BY_THREAD);
	assert_int_equal(qp_by_parse("queue"), QP_BY_QUEUE);
	assert_int_equal(qp_by_parse("Queue"), -1);
	assert_int_equal(qp_by_parse(""), -1);
}

/*
 * By program: a = {0, 1, 5, 7}, b = {2}, kernel-only dbc 5 = {4}.
 * a: round trips 130 250 170 110: mean 165, p50 (h = 1.5) 150,
 * p99 (h = 2.97) 170 + 0.97 * 80 = 247.6, max 250; enq 50 / 4 = 12.5,
 * preProc 50 / 4 = 12.5, execTotal 500 / 4 = 125, postProc 60 / 4 = 15.
 * Kernel-only: execTotal 50 as the round trip; no enq/preProc/postProc.
 */
static void test_rows_program(void **state)
{
	struct qp_model m;
	struct qp_by_row *r;
	size_t n;

	(void)state;
	build(&m);
	assert_int_equal(qp_by_rows(&m, sel, QP_BY_PROGRAM, &r, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].first, 0);
	assert_int_equal(r[1].first, 2);
	assert_int_equal(r[2].first, 4);
	assert_int_equal(r[0].rt.count, 4);
	near(r[0].rt.mean, 165, "a mean");
	near(r[0].rt.pct[QP_P50], 150, "a p50");
	near(r[0].rt.pct[QP_P99], 247.6, "a p99");
	near(r[0].rt.max, 250, "a max");
	near(r[0].phase_mean_us[QP_BY_ENQ], 12.5, "a enq");
	near(r[0].phase_mean_us[QP_BY_PRE_PROC], 12.5, "a preProc");
	near(r[0].phase_mean_us[QP_BY_EXEC_TOTAL], 125, "a execTotal");
	near(r[0].phase_mean_us[QP_BY_POST_PROC], 15, "a postProc");
	assert_int_equal(r[1].rt.count, 1);
	near(r[1].rt.mean, 100, "b mean");
	assert_int_equal(r[2].rt.count, 1);
	near(r[2].rt.max, 50, "kernel-only round trip");
	near(r[2].phase_mean_us[QP_BY_ENQ], NAN, "kernel-only enq");
	near(r[2].phase_mean_us[QP_BY_EXEC_TOTAL], 50, "kernel-only execTotal");
	near(r[2].phase_mean_us[QP_BY_POST_PROC], NAN, "kernel-only postProc");
	free(r);
	qp_model_free(&m);
}

/*
 * By thread: tid 100 = {0, 2, 4, 5, 7} (round trips 130 100 50 170 110:
 * mean 112), tid 101 = {1}; tid 102 is only in an unselected inference.
 * By queue: 0xabc = {0, 2, 5}, 0xdef = {1}, none = {4, 7}.
 * By call site: 0 = {0, 2, 5}, 1 = {1}, unknown = {4}, 2 = {7}.
 */
static void test_rows_other_keys(void **state)
{
	static const struct {
		enum qp_by_key key;
		size_t n, first[4], count[4];
	} want[] = {
		{ QP_BY_THREAD, 2, { 0, 1 }, { 5, 1 } },
		{ QP_BY_QUEUE, 3, { 0, 1, 4 }, { 3, 1, 2 } },
		{ QP_BY_CALLSITE, 4, { 0, 1, 4, 7 }, { 3, 1, 1, 1 } },
	};
	struct qp_model m;
	struct qp_by_row *r;
	size_t n, k, j;

	(void)state;
	build(&m);
	for (k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		assert_int_equal(qp_by_rows(&m, sel, want[k].key, &r, &n), 0);
		assert_int_equal(n, want[k].n);
		for (j = 0; j < n; j++) {
			assert_int_equal(r[j].first, want[k].first[j]);
			assert_int_equal(r[j].rt.count, want[k].count[j]);
		}
		if (want[k].key == QP_BY_THREAD)
			near(r[0].rt.mean, 112, "tid 100 mean");
		free(r);
	}
	qp_model_free(&m);
}

static void test_labels(void **state)
{
	struct qp_model m;
	char buf[128];

	(void)state;
	build(&m);
	qp_by_label(&m, &m.inf[0], QP_BY_PROGRAM, buf, sizeof(buf));
	assert_string_equal(buf, "a (pid 7)");
	qp_by_label(&m, &m.inf[2], QP_BY_PROGRAM, buf, sizeof(buf));
	assert_string_equal(buf, "b\\n (pid 7)");
	qp_by_label(&m, &m.inf[4], QP_BY_PROGRAM, buf, sizeof(buf));
	assert_string_equal(buf, "dbc5 (pid 7, kernel-only)");
	qp_by_label(&m, &m.inf[1], QP_BY_THREAD, buf, sizeof(buf));
	assert_string_equal(buf, "pid 7 tid 101");
	qp_by_label(&m, &m.inf[1], QP_BY_QUEUE, buf, sizeof(buf));
	assert_string_equal(buf, "queue 0xdef (pid 7)");
	qp_by_label(&m, &m.inf[4], QP_BY_QUEUE, buf, sizeof(buf));
	assert_string_equal(buf, "(no queue, pid 7)");
	qp_by_label(&m, &m.inf[0], QP_BY_CALLSITE, buf, sizeof(buf));
	assert_string_equal(buf, "main+0x10 (app) app.c:12");
	qp_by_label(&m, &m.inf[1], QP_BY_CALLSITE, buf, sizeof(buf));
	assert_string_equal(buf, "0x401000 (pid 7)");
	qp_by_label(&m, &m.inf[4], QP_BY_CALLSITE, buf, sizeof(buf));
	assert_string_equal(buf, "(unknown call site)");
	qp_model_free(&m);
}

/* The printed tables, ms, written out by hand from the rows above. */
static const char want_program[] =
"\n"
"Breakdown by program (ms; round trip = totalRoundtripTime, execTotal for kernel-only):\n"
"program                                          count      mean       p50       p99       max |       enq   preProc execTotal  postProc\n"
"a (pid 7)                                            4     0.165     0.150     0.248     0.250 |     0.013     0.013     0.125     0.015\n"
"b\\n (pid 7)                                          1     0.100     0.100     0.100     0.100 |     0.010     0.010     0.070     0.010\n"
"dbc5 (pid 7, kernel-only)                            1     0.050     0.050     0.050     0.050 |       nan       nan     0.050       nan\n";

/* A long label (over 44 characters) gets a line of its own. */
static const char want_callsite[] =
"\n"
"Breakdown by callsite (ms; round trip = totalRoundtripTime, execTotal for kernel-only):\n"
"callsite                                         count      mean       p50       p99       max |       enq   preProc execTotal  postProc\n"
"main+0x10 (app) app.c:12                             3     0.133     0.130     0.169     0.170 |     0.010     0.013     0.097     0.013\n"
"0x401000 (pid 7)                                     1     0.250     0.250     0.250     0.250 |     0.020     0.010     0.200     0.020\n"
"(unknown call site)                                  1     0.050     0.050     0.050     0.050 |       nan       nan     0.050       nan\n"
"run_inferences_in_a_loop+0x1c4 (libnet.so) src/net/run.c:345\n"
"                                                     1     0.110     0.110     0.110     0.110 |     0.010     0.010     0.080     0.010\n";

static void check_print(enum qp_by_key key, const char *want)
{
	struct qp_model m;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	build(&m);
	assert_int_equal(qp_by_table_print(f, &m, sel, key), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, want);
	free(buf);
	qp_model_free(&m);
}

static void test_print(void **state)
{
	(void)state;
	check_print(QP_BY_PROGRAM, want_program);
	check_print(QP_BY_CALLSITE, want_callsite);
}

/* No selection (NULL) takes every inference: the unselected 6 (tid 102)
 * makes a row of its own in the thread table. */
static void test_null_selection(void **state)
{
	struct qp_model m;
	struct qp_by_row *r;
	size_t n;

	(void)state;
	build(&m);
	assert_int_equal(qp_by_rows(&m, NULL, QP_BY_THREAD, &r, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].rt.count, 5);	/* tid 100 */
	assert_int_equal(r[2].first, 6);	/* tid 102 */
	assert_int_equal(r[2].rt.count, 1);
	near(r[2].rt.mean, 130, "tid 102 round trip");
	free(r);
	qp_model_free(&m);
}

/* Nothing selected: the header, no row. */
static void test_none(void **state)
{
	static const uint8_t none[N] = { 0 };
	struct qp_model m;
	struct qp_by_row *r = (void *)1;
	size_t n = 9;

	(void)state;
	build(&m);
	assert_int_equal(qp_by_rows(&m, none, QP_BY_QUEUE, &r, &n), 0);
	assert_int_equal(n, 0);
	assert_null(r);
	qp_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_rows_program),
		cmocka_unit_test(test_rows_other_keys),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_null_selection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
