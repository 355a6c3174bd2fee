// SPDX-License-Identifier: MIT
/*
 * Selection and windowing (post/select.c) on hand-built inference sets:
 * which inferences each filter and window keeps, worked out by hand in
 * the comments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model.h"
#include "select.h"

#define T0 1000000000ull

/* One inference: program index (QP_NONE16: kernel-only), process index,
 * enqueue time (µs after T0), state, and whether an EXECUTE was seen. */
struct hi {
	uint16_t program;
	uint32_t process;
	uint32_t t0_us;
	uint8_t state;
	int executed;
};

/*
 * Two processes, pid 7 (programs "a" and "c") and pid 8 (program "b");
 * inferences appended in the order given (not necessarily enqueue order).
 */
static void build(struct qp_model *m, const struct hi *v, size_t n)
{
	static const char *const names[] = { "a", "b", "c" };
	static const uint32_t proc_of[] = { 0, 1, 0 };
	size_t k;

	qp_model_init(m);
	m->processes = calloc(2, sizeof(*m->processes));
	m->processes[0].pid = 7;
	m->processes[1].pid = 8;
	m->nprocesses = 2;
	m->programs = calloc(3, sizeof(*m->programs));
	for (k = 0; k < 3; k++) {
		m->programs[k].name = strdup(names[k]);
		m->programs[k].process = proc_of[k];
		m->programs[k].dbc_id = (uint32_t)k;
	}
	m->nprograms = 3;
	for (k = 0; k < n; k++) {
		struct qp_inference *i = qp_model_add_inference(m);

		i->t0 = T0 + (uint64_t)v[k].t0_us * 1000;
		i->seq = (uint32_t)k;
		i->process = v[k].process;
		i->program = v[k].program;
		i->queue = QP_NONE16;
		i->callsite = QP_NONE;
		i->state = v[k].state;
		i->flags = v[k].program == QP_NONE16 ? 0 : QP_F_HAS_ENQ;
		if (v[k].executed)
			qp_inf_set_time(i, QP_T_EXEC_BEGIN, i->t0 + 1000);
	}
}

static void assert_sel(const uint8_t *sel, const char *want, size_t n)
{
	size_t k;

	assert_int_equal(strlen(want), n);
	for (k = 0; k < n; k++)
		if (sel[k] != (want[k] == '1'))
			fail_msg("inference %zu: selected %d, want %c", k, sel[k],
				 want[k]);
}

#define OK QP_INF_OK
#define FAILED QP_INF_FAILED
#define NOCOMP QP_INF_NO_COMPLETION

/*
 * 0 a ok; 1 b ok; 2 a failed before any EXECUTE (no Sample: never
 * selected); 3 a failed after its EXECUTE (a Sample, selected, not
 * completed); 4 kernel-only in pid 7; 5 kernel-only in pid 8; 6 c no
 * completion.
 */
static const struct hi mixed[] = {
	{ 0, 0, 10, OK, 1 },
	{ 1, 1, 20, OK, 1 },
	{ 0, 0, 30, FAILED, 0 },
	{ 0, 0, 40, FAILED, 1 },
	{ QP_NONE16, 0, 50, OK, 1 },
	{ QP_NONE16, 1, 60, OK, 1 },
	{ 2, 0, 70, NOCOMP, 1 },
};
#define NMIXED (sizeof(mixed) / sizeof(mixed[0]))

static void test_all(void **state)
{
	struct qp_model m;
	struct qp_selection s = { 0 };
	size_t nc = 99;
	uint8_t *sel;

	(void)state;
	build(&m, mixed, NMIXED);
	sel = qp_select(&m, &s, &nc);
	assert_non_null(sel);
	assert_sel(sel, "1101111", NMIXED);
	assert_int_equal(nc, 4);	/* 0, 1, 4, 5 */
	free(sel);
	qp_model_free(&m);
}

static void test_program(void **state)
{
	struct qp_model m;
	struct qp_selection s = { .program = "a" };
	size_t nc;
	uint8_t *sel;

	(void)state;
	build(&m, mixed, NMIXED);
	/* kernel-only inferences belong to no program: left out */
	sel = qp_select(&m, &s, &nc);
	assert_sel(sel, "1001000", NMIXED);
	assert_int_equal(nc, 1);
	free(sel);
	s.program = "nothing";
	sel = qp_select(&m, &s, &nc);
	assert_sel(sel, "0000000", NMIXED);
	assert_int_equal(nc, 0);
	free(sel);
	qp_model_free(&m);
}

static void test_pid(void **state)
{
	struct qp_model m;
	struct qp_selection s = { .pid = 8 };
	size_t nc;
	uint8_t *sel;

	(void)state;
	build(&m, mixed, NMIXED);
	sel = qp_select(&m, &s, &nc);
	assert_sel(sel, "0100010", NMIXED);	/* b, and the kernel-only of pid 8 */
	assert_int_equal(nc, 2);
	free(sel);
	/* a pid and a program of another process: nothing */
	s.program = "a";
	sel = qp_select(&m, &s, &nc);
	assert_sel(sel, "0000000", NMIXED);
	free(sel);
	qp_model_free(&m);
}

/*
 * Program a, ten inferences appended out of enqueue order: Sample order
 * (t0) is 9 0 1 2 3 4 5 6 7 8 (index 9 was enqueued first, at 5 µs).
 * Index 4 failed before EXECUTE (no Sample), index 6 did not complete.
 * Samples, in order: 9 0 1 2 3 5 6 7 8.
 */
static const struct hi ten[] = {
	{ 0, 0, 10, OK, 1 }, { 0, 0, 20, OK, 1 }, { 0, 0, 30, OK, 1 },
	{ 0, 0, 40, OK, 1 }, { 0, 0, 50, FAILED, 0 }, { 0, 0, 60, OK, 1 },
	{ 0, 0, 70, NOCOMP, 1 }, { 0, 0, 80, OK, 1 }, { 0, 0, 90, OK, 1 },
	{ 0, 0, 5, OK, 1 },
	/* program b, pid 8: windowed on its own */
	{ 1, 1, 15, OK, 1 }, { 1, 1, 25, OK, 1 },
};
#define NTEN (sizeof(ten) / sizeof(ten[0]))

static void test_window(void **state)
{
	struct qp_model m;
	struct qp_selection s = { .start_iter = 2, .num_samples = 4 };
	size_t nc;
	uint8_t *sel;

	(void)state;
	build(&m, ten, NTEN);
	assert_true(qp_selection_windowed(&s));
	/* a: skip 9 0, keep 1 2 3 5; b: skip both */
	sel = qp_select(&m, &s, &nc);
	assert_sel(sel, "011101000000", NTEN);
	assert_int_equal(nc, 4);
	free(sel);
	/* start 1: a keeps 0 1 2 3; b keeps its second */
	s.start_iter = 1;
	sel = qp_select(&m, &s, &nc);
	assert_sel(sel, "111100000001", NTEN);
	assert_int_equal(nc, 5);
	free(sel);
	/* the window counts Samples, completed or not: 5 6 7 kept, 6 not completed */
	s.start_iter = 5;
	s.num_samples = 3;
	s.program = "a";
	sel = qp_select(&m, &s, &nc);
	assert_sel(sel, "000001110000", NTEN);
	assert_int_equal(nc, 2);
	free(sel);
	qp_model_free(&m);
}

/*
 * keep_middle 50 on program a's samples 9 0 1 2 3 5 6 7 8, of which 8
 * completed (all but 6): prune = round(8 * 0.5 / 2) = 2, so the 3rd to
 * 6th completed ones are kept: 1 2 3 5.  The middle is taken among the
 * completed samples only: 6 (no completion) stays selected.  Program b:
 * 2 completed, prune = round(0.5) = 0 (half to even): both kept.
 */
static void test_keep_middle(void **state)
{
	struct qp_model m;
	struct qp_selection s = { .keep_middle = 50 };
	size_t nc;
	uint8_t *sel;

	(void)state;
	build(&m, ten, NTEN);
	sel = qp_select(&m, &s, &nc);
	assert_sel(sel, "011101100011", NTEN);
	assert_int_equal(nc, 6);
	free(sel);
	/* after a window: 0 1 2 3 5 6 7 (start 1, 7 samples), completed
	 * 0 1 2 3 5 7: prune round(6 * 0.25 / 2) = round(0.75) = 1: 1 2 3 5 */
	s.keep_middle = 75;
	s.start_iter = 1;
	s.num_samples = 7;
	s.program = "a";
	sel = qp_select(&m, &s, &nc);
	assert_sel(sel, "011101100000", NTEN);
	assert_int_equal(nc, 4);
	free(sel);
	qp_model_free(&m);
}

static void test_empty(void **state)
{
	struct qp_model m;
	struct qp_selection s = { .num_samples = 3 };
	size_t nc = 5;
	uint8_t *sel;

	(void)state;
	qp_model_init(&m);
	sel = qp_select(&m, &s, &nc);
	assert_non_null(sel);
	assert_int_equal(nc, 0);
	free(sel);
	qp_model_free(&m);
}

static void test_note(void **state)
{
	struct qp_selection s = { 0 };
	char buf[128], small[12];

	(void)state;
	assert_false(qp_selection_windowed(&s));
	qp_selection_note(&s, buf, sizeof(buf));
	assert_string_equal(buf, "");
	s = (struct qp_selection){ .program = "net", .pid = 42, .start_iter = 10,
				   .num_samples = 100, .keep_middle = 80 };
	qp_selection_note(&s, buf, sizeof(buf));
	assert_string_equal(buf, "program net; pid 42; from inference 10; "
			    "100 samples; middle 80 % kept");
	s = (struct qp_selection){ .keep_middle = 12.5 };
	qp_selection_note(&s, buf, sizeof(buf));
	assert_string_equal(buf, "middle 12.5 % kept");
	s = (struct qp_selection){ .program = "a-long-program-name", .pid = 3 };
	qp_selection_note(&s, small, sizeof(small));
	assert_string_equal(small, "program a-l");	/* truncated, terminated */
}

static void test_has_program(void **state)
{
	struct qp_model m;

	(void)state;
	build(&m, mixed, 0);
	assert_true(qp_model_has_program(&m, "b"));
	assert_false(qp_model_has_program(&m, "B"));
	assert_false(qp_model_has_program(&m, ""));
	qp_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all),
		cmocka_unit_test(test_program),
		cmocka_unit_test(test_pid),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_keep_middle),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_note),
		cmocka_unit_test(test_has_program),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
