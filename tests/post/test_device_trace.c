// SPDX-License-Identifier: MIT
/*
 * devtrace.c and devalign.c: a device trace in the Trace Event Format
 * (NSP core processes, HOST_PROC, counters, metadata), malformed traces
 * (messages with file, line and column), and the alignment of profiled
 * inferences to a hand-built model, every offset and error bound computed
 * by hand below from the definitions in devalign.c.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "devtrace.h"
#include "test_io_fixture.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char *dir;

/*
 * Inferences 1 and 2 of program "bert-base".  The device clock is the host
 * clock + 4000 s (true offset d = -4e12 ns).  On the host (fixture below):
 * A_1 = 1,030,019,000 ns, B_1 = 1,053,019,000; the device ran inference 1
 * over [A_1 + 25 µs, A_1 + 25 µs + 22990 µs] = [1,030,044,000, 1,053,034,000]
 * -> device µs [4001030044, 4001053034].  A_2 = 1,060,019,000, B_2 =
 * 1,083,019,000, device ran [A_2 + 30 µs, + 22980 µs] = [1,060,049,000,
 * 1,083,029,000] -> device µs [4001060049, 4001083029].
 */
static const char trace_json[] =
	"{\"traceEvents\":[\n"
	"{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":18,\"args\":{\"name\":\"HOST_PROC\"}},\n"
	"{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":2000,\"args\":{\"name\":\"bert-base_0 [QAicGraph_Core_0]\"}},\n"
	"{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":2001,\"args\":{\"name\":\"bert-base_0 [QAicGraph_Core_1]\"}},\n"
	"{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":2000,\"tid\":4,\"args\":{\"name\":\"HMX\"}},\n"
	"{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":2001,\"tid\":0,\"args\":{\"name\":\"HVX_0\"}},\n"
	"{\"name\":\"runtime\",\"ph\":\"X\",\"pid\":18,\"tid\":1,\"ts\":5.0,\"dur\":3.0},\n"
	"{\"name\":\"FreqMHz\",\"ph\":\"C\",\"pid\":2000,\"ts\":4001030044.0,\"args\":{\"FreqMHz\":1233}},\n"
	"{\"name\":\"aicconvolutiond32-Inf-1\",\"cat\":\"aic\",\"ph\":\"X\",\"pid\":2000,\"tid\":4,"
	"\"ts\":4001030044.000,\"dur\":10000.000,\"args\":{\"opKind\":\"HMX\",\"opUCycle\":192000}},\n"
	"{\"name\":\"sync HMX-Inf-1\",\"cat\":\"aic\",\"ph\":\"X\",\"pid\":2000,\"tid\":4,"
	"\"ts\":4001040044.000,\"dur\":12990.000},\n"
	"{\"name\":\"aicsoftmax-Inf-1\",\"cat\":\"aic\",\"ph\":\"X\",\"pid\":2001,\"tid\":0,"
	"\"ts\":4001030049.500,\"dur\":100.250},\n"
	"{\"name\":\"aicconvolutiond32-Inf-2\",\"cat\":\"aic\",\"ph\":\"X\",\"pid\":2000,\"tid\":4,"
	"\"ts\":4001060049.000,\"dur\":22980.000},\n"
	"{\"name\":\"aicgather-Inf-2\",\"cat\":\"aic\",\"ph\":\"X\",\"pid\":2001,\"tid\":0,"
	"\"ts\":4001060050.000,\"dur\":1.000}\n"
	"],\"displayTimeUnit\":\"ns\",\"otherData\":{\"ProgramId\":0}}\n";

static char *write_trace(const char *name, const char *text)
{
	char *p = fx_write(dir, name, text);

	assert_non_null(p);
	return p;
}

static void load_ok(const char *path, struct qp_devtrace *t)
{
	char err[512];

	if (qp_devtrace_load(path, t, err, sizeof(err)))
		fail_msg("%s", err);
}

static void test_parse(void **state)
{
	char *path = write_trace("aic-profiling-program-0-trace.json", trace_json);
	struct qp_devtrace t;
	const struct qp_devop *op;

	(void)state;
	load_ok(path, &t);
	assert_string_equal(t.program_name, "bert-base");	/* "<name>_<k> [..Core_n]" */
	assert_true(t.has_program_id);
	assert_int_equal(t.program_id, 0);
	assert_int_equal(t.nops, 5);
	assert_int_equal(t.ncores, 2);
	/* HOST_PROC's X event and the counter */
	assert_int_equal(t.nignored, 2);
	/* sorted by (inference, ts) */
	op = &t.ops[0];
	assert_string_equal(qp_devtrace_str(&t, op->name), "aicconvolutiond32-Inf-1");
	assert_string_equal(qp_devtrace_str(&t, op->op), "aicconvolutiond32");
	assert_string_equal(qp_devtrace_str(&t, op->cat), "aic");
	assert_string_equal(qp_devtrace_str(&t, op->args), "{\"opKind\":\"HMX\",\"opUCycle\":192000}");
	assert_int_equal(op->inference, 1);
	assert_int_equal(op->core, 0);
	assert_int_equal(op->tid, 4);
	assert_float_equal(op->ts_us, 4001030044.0, 0);
	assert_float_equal(op->dur_us, 10000.0, 0);
	assert_false(op->sync);
	op = &t.ops[1];
	assert_string_equal(qp_devtrace_str(&t, op->op), "aicsoftmax");
	assert_int_equal(op->core, 1);
	assert_float_equal(op->ts_us, 4001030049.5, 0);
	assert_string_equal(qp_devtrace_str(&t, op->args), "");
	op = &t.ops[2];
	assert_string_equal(qp_devtrace_str(&t, op->op), "sync HMX");
	assert_true(op->sync);
	assert_int_equal(t.ninfs, 2);
	assert_int_equal(t.infs[0].inference, 1);
	assert_float_equal(t.infs[0].first_us, 4001030044.0, 0);
	assert_float_equal(t.infs[0].last_us, 4001053034.0, 0);
	assert_int_equal(t.infs[0].nops, 3);
	assert_int_equal(t.infs[1].inference, 2);
	assert_float_equal(t.infs[1].first_us, 4001060049.0, 0);
	assert_float_equal(t.infs[1].last_us, 4001083029.0, 0);
	assert_int_equal(t.nthreads, 2);
	assert_int_equal(t.threads[0].core, 0);
	assert_int_equal(t.threads[0].tid, 4);
	assert_string_equal(t.threads[0].name, "HMX");
	qp_devtrace_free(&t);
	free(path);
}

/* Older layouts: a bare array, "Process <n>", "<op>-<n>"; no names at all. */
static void test_layouts(void **state)
{
	char *p1 = write_trace("old.json",
		"[{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":3,\"args\":{\"name\":\"Process 1\"}},"
		"{\"name\":\"aicsoftmaxmaskedd32-3\",\"ph\":\"X\",\"pid\":3,\"tid\":2,\"ts\":1,\"dur\":2},"
		"{\"name\":\"sync HVX-3\",\"ph\":\"X\",\"pid\":3,\"tid\":2,\"ts\":3,\"dur\":1},");
	char *p2 = write_trace("bare.json",
		"{\"traceEvents\":[{\"name\":\"op-Inf-7\",\"cat\":\"aic\",\"ph\":\"X\",\"pid\":2,\"tid\":5,\"ts\":10,\"dur\":2},"
		"{\"name\":\"host\",\"cat\":\"rt\",\"ph\":\"X\",\"pid\":2,\"tid\":5,\"ts\":10,\"dur\":2}]}");
	struct qp_devtrace t;

	(void)state;
	load_ok(p1, &t);	/* cut short after a ',', as Chrome accepts */
	assert_int_equal(t.nops, 2);
	assert_int_equal(t.ops[0].core, 1);
	assert_int_equal(t.ops[0].inference, 3);
	assert_string_equal(qp_devtrace_str(&t, t.ops[0].op), "aicsoftmaxmaskedd32");
	assert_true(t.ops[1].sync);
	assert_null(t.program_name);
	assert_false(t.has_program_id);
	qp_devtrace_free(&t);
	load_ok(p2, &t);	/* no process names: category "aic", core = pid */
	assert_int_equal(t.nops, 1);
	assert_int_equal(t.ops[0].core, 2);
	assert_int_equal(t.ops[0].inference, 7);
	assert_int_equal(t.nignored, 1);
	qp_devtrace_free(&t);
	free(p1);
	free(p2);
}

static void test_bad(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "hello", "1:1: not a Chrome trace: expected '{' or '['" },
		{ "{\"a\":1}", "1:1: not a Chrome trace: no \"traceEvents\" array" },
		{ "{\"traceEvents\":{}}", "1:16: \"traceEvents\" is not an array" },
		{ "{\"traceEvents\":[\n{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"ts\":\"x\",\"dur\":1}]}",
		  "2:1: 'X' event without numeric ts, dur, integer pid and a name" },
		{ "{\"traceEvents\":[\n{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"ts\":1,\"dur\":-1}]}",
		  "2:1: 'X' event 'a' with a negative duration" },
		{ "{\"traceEvents\":[\n\n  {\"ph\":\"X\" \"name\":1}]}",
		  "3:18: invalid JSON: '}' expected near '\"name\"'" },
		{ "{\"traceEvents\":[{\"name\":\"x\"}]}", "1:17: trace event without \"ph\"" },
		{ "{\"traceEvents\":[{\"ph\":\"B\"} {\"ph\":\"E\"}]}",
		  "1:28: expected ',' or ']' after a trace event" },
		{ "{\"traceEvents\":[{\"ph\":\"X\",\"name\":\"a\",\"pid\":18,\"ts\":1,\"dur\":1}]}",
		  "1:64: no device operators: 1 events, none an 'X' slice of an NSP core process" },
		{ "", "1:1: not a Chrome trace: the file is empty" },
	};
	size_t k, bad = 0;

	(void)state;
	for (k = 0; k < N(cases); k++) {
		char *path = write_trace("bad.json", cases[k].text), err[512], want[600];
		struct qp_devtrace t;

		assert_int_equal(qp_devtrace_load(path, &t, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s:%s", path, cases[k].msg);
		if (strcmp(err, want)) {
			print_error("case %zu:\n got  %s\n want %s\n", k, err, want);
			bad++;
		}
		assert_null(t.ops);
		free(path);
	}
	assert_int_equal(bad, 0);
}

/*
 * fx_model: t0 = 1e9 ns + t0_us; EXECUTE entry = t0 + enq + pre = t0 + 15 µs,
 * EXECUTE return 40 µs later; exectoVc 4 µs, execToComplete 23000 µs.
 * So A_k = 1e9 + t0_k + 19,000 ns, B_k = A_k + 23,000,000 ns, and the slack
 * (EXECUTE duration + 2 µs) is 42,000 ns.
 */
static void model_complete1(struct qp_model *m, uint32_t complete1)
{
	static const char *const names[] = { "bert-base" };
	struct fx_inf infs[4] = {
		{ 0, 5, 10, 40, 25000, 20, 4, 23000, 0, 1 },
		{ 30000, 5, 10, 40, 25000, 20, 4, complete1, 0, 1 },
		{ 60000, 5, 10, 40, 25000, 20, 4, 23000, 0, 1 },
		{ 90000, 5, 10, 40, 25000, 20, 4, 23000, 0, 1 },
	};
	static const uint16_t prog[4] = { 0, 0, 0, 0 };

	fx_model(m, names, 1, infs, prog, 4);
}

static void model(struct qp_model *m)
{
	model_complete1(m, 23000);
}

/*
 * Windows (ns, relative to -4e12): inference 1: lo = A_1 - s_1 = -25,000,
 * hi = B_1 + 42,000 - e_1 = +27,000, drawn bound B_1 - e_1 = -15,000;
 * inference 2: lo = -30,000, hi = +32,000, drawn -10,000.
 * W = [-25,000, +27,000], middle +1,000.  Offsets taken: inference 1
 * min(1,000, -15,000) = -15,000 (>= lo), error max(-15,000 + 25,000,
 * 27,000 + 15,000) = 42,000; inference 2: -10,000, error max(15,000,
 * 37,000) = 37,000.  True offset 0: within both.
 */
static void test_align(void **state)
{
	char *path = write_trace("aic-profiling-program-0-trace.json", trace_json);
	struct qp_devtrace t;
	struct qp_devalign a;
	struct qp_model m;
	char err[512];
	const struct qp_devalign_inf *r;
	size_t k;

	(void)state;
	model(&m);
	load_ok(path, &t);
	assert_int_equal(qp_devtrace_align(&m, &t, NULL, &a, err, sizeof(err)), 0);
	assert_int_equal(a.program, 0);
	assert_int_equal(a.ninfs, 2);
	assert_int_equal(a.matched, 2);
	assert_true(a.joint);
	assert_float_equal(a.lo_ns, -4e12 - 25000, 0.01);
	assert_float_equal(a.hi_ns, -4e12 + 27000, 0.01);
	r = qp_devalign_find(&a, 1);
	assert_non_null(r);
	assert_int_equal(r->inf, 1);
	assert_int_equal(r->span_b, 1030019000);
	assert_int_equal(r->span_e, 1053019000);
	assert_float_equal(r->offset_ns, -4e12 - 15000, 0.01);
	assert_float_equal(r->error_ns, 42000, 0.01);
	assert_false(r->devexec_confirmed);
	r = qp_devalign_find(&a, 2);
	assert_int_equal(r->inf, 2);
	assert_float_equal(r->offset_ns, -4e12 - 10000, 0.01);
	assert_float_equal(r->error_ns, 37000, 0.01);
	assert_null(qp_devalign_find(&a, 3));
	assert_float_equal(a.error_ns, 42000, 0.01);
	assert_float_equal(a.spread_ns, 5000, 0.01);
	assert_int_equal(a.ops_outside, 0);
	assert_int_equal(a.ops_unmatched, 0);
	/* every operator inside its inference's drawn span, and within the
	 * stated error of where the true offset (-4e12) puts it */
	for (k = 0; k < t.nops; k++) {
		double b, e;

		r = qp_devalign_find(&a, t.ops[k].inference);
		b = qp_devalign_host_ns(r, t.ops[k].ts_us);
		e = qp_devalign_host_ns(r, t.ops[k].ts_us + t.ops[k].dur_us);
		assert_true(b >= r->span_b && e <= r->span_e);
		assert_true(fabs(b - (t.ops[k].ts_us * 1000 - 4e12)) <= r->error_ns);
	}
	qp_devalign_free(&a);
	qp_devtrace_free(&t);
	qp_model_free(&m);
	free(path);
}

/*
 * A punctual completion interrupt: the kernel's view of inference 1,
 * execToComplete 22989 µs, is 1 µs shorter than its operators' 22990 µs
 * (its truncations and the EXECUTE's entry).  Its drawn span ends at A_1 +
 * 22,990,000 = 1,053,009,000, not B_1: the operators, placed at the
 * window's lower end lo_1 = -25,000 (B_1 - e_1 = -26,000 is below it),
 * stay inside it.
 */
static void test_align_short_kernel_view(void **state)
{
	char *path = write_trace("aic-profiling-program-0-trace.json", trace_json);
	const struct qp_devalign_inf *r;
	struct qp_devtrace t;
	struct qp_devalign a;
	struct qp_model m;
	char err[512];

	(void)state;
	model_complete1(&m, 22989);
	load_ok(path, &t);
	assert_int_equal(qp_devtrace_align(&m, &t, NULL, &a, err, sizeof(err)), 0);
	r = qp_devalign_find(&a, 1);
	assert_non_null(r);
	assert_int_equal(r->span_b, 1030019000);
	assert_int_equal(r->span_e, 1053009000);
	assert_float_equal(r->offset_ns, -4e12 - 25000, 0.01);
	assert_int_equal(a.ops_outside, 0);
	qp_devalign_free(&a);
	qp_devtrace_free(&t);
	qp_model_free(&m);
	free(path);
}

/*
 * With devExec merged, the operators' span confirms the inference: the
 * runtime's Sample 1 here is the model's inference 2 (its devExec is the
 * trace's 22990 µs; inference 1's is 22000), so inference 2 is taken.
 */
static void test_align_devexec(void **state)
{
	char *path = write_trace("aic-profiling-program-0-trace.json",
		"{\"traceEvents\":[{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":7,"
		"\"args\":{\"name\":\"Process 0\"}},"
		"{\"name\":\"a-Inf-1\",\"ph\":\"X\",\"pid\":7,\"tid\":4,\"ts\":100.0,\"dur\":22990.0}]}");
	struct qp_devtrace t;
	struct qp_devalign a;
	struct qp_model m;
	char err[512];

	(void)state;
	model(&m);
	m.dev = calloc(m.ninf, sizeof(*m.dev));
	m.dev[1].exec_us = 22000.0;
	m.inf[1].flags |= QP_F_HAS_DEV;
	m.dev[2].exec_us = 22990.0005;	/* printed with 3 decimals */
	m.inf[2].flags |= QP_F_HAS_DEV;
	load_ok(path, &t);
	assert_int_equal(qp_devtrace_align(&m, &t, NULL, &a, err, sizeof(err)), 0);
	assert_int_equal(a.infs[0].inf, 2);
	assert_true(a.infs[0].devexec_confirmed);
	/* A_2 = 1,060,019,000: lo = A_2 - 100,000 = 1,059,919,000; hi = B_2 +
	 * 42,000 - 23,090,000 = 1,060,011,000 - ... see below */
	assert_float_equal(a.infs[0].lo_ns, 1060019000.0 - 100000.0, 0.01);
	assert_float_equal(a.infs[0].hi_ns, 1083019000.0 + 42000.0 - 23090000.0, 0.01);
	qp_devalign_free(&a);
	qp_devtrace_free(&t);
	qp_model_free(&m);
	free(path);
}

static void test_align_refusals(void **state)
{
	char *path = write_trace("aic-profiling-program-0-trace.json",
		"{\"traceEvents\":[{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":7,"
		"\"args\":{\"name\":\"other_0 [QAicGraph_Core_0]\"}},"
		"{\"name\":\"a-Inf-1\",\"ph\":\"X\",\"pid\":7,\"tid\":4,\"ts\":100.0,\"dur\":1.0}]}");
	char *path2 = write_trace("long.json",
		"{\"traceEvents\":[{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":7,"
		"\"args\":{\"name\":\"bert-base_0 [QAicGraph_Core_0]\"}},"
		"{\"name\":\"a-Inf-1\",\"ph\":\"X\",\"pid\":7,\"tid\":4,\"ts\":100.0,\"dur\":30000.0}]}");
	struct qp_devtrace t;
	struct qp_devalign a;
	struct qp_model m;
	char err[512], want[600];

	(void)state;
	model(&m);
	load_ok(path, &t);
	assert_int_equal(qp_devtrace_align(&m, &t, NULL, &a, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: program 'other' is not in the trace", path);
	assert_string_equal(err, want);
	qp_devtrace_free(&t);
	/* 30 ms of operators fit in no 23 ms device span */
	load_ok(path2, &t);
	assert_int_equal(qp_devtrace_align(&m, &t, NULL, &a, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "%s: none of the 1 profiled inferences (first: 1) has a recorded inference with kernel perf stats whose device span can hold its operators",
		 path2);
	assert_string_equal(err, want);
	qp_devtrace_free(&t);
	qp_model_free(&m);
	free(path);
	free(path2);
}

static int setup(void **state)
{
	(void)state;
	dir = fx_tmpdir();
	return dir ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fx_rmdir(dir);
	free(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_align),
		cmocka_unit_test(test_align_short_kernel_view),
		cmocka_unit_test(test_align_devexec),
		cmocka_unit_test(test_align_refusals),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
