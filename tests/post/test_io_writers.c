// SPDX-License-Identifier: MIT
/*
 * Writers against a hand-built model whose every phase is known: CSV read
 * back by our parser and by pandas (latency_stats conventions), summary
 * numbers, JSON parsed back with jansson, Chrome trace structure, and
 * atomic replacement of output files.
 */
#include <float.h>
#include <jansson.h>
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bytable.h"
#include "devdump.h"
#include "reader.h"
#include "outfile.h"
#include "writers.h"
#include "test_io_fixture.h"

static char *dir;
static struct qp_model model;

static const char *const names[] = { "net", "resnet" };

/*
 * 6 inferences of "net" (one left incomplete), 2 of "resnet".  Phases in µs:
 * enq 2, preProc 10, submit 3, execTotal 50 (exectoVc 4, execToComplete 40),
 * postProc 5: totalRoundtripTime 67.
 */
static int setup(void **state)
{
	struct fx_inf f[8];
	uint16_t prog[8] = { 0, 0, 0, 0, 0, 0, 1, 1 };
	size_t k;

	(void)state;
	dir = fx_tmpdir();
	for (k = 0; k < 8; k++)
		f[k] = (struct fx_inf){ .t0_us = 100 * k, .enq = 2, .pre = 10,
					.submit = 3, .exec_total = 50, .post = 5,
					.vc = 4, .complete = 40, .qlevel = 2 * (k % 2),
					.qelems = 2 };
	f[5].pre = 12.345;	/* one slower pre-processing: 69.345 total */
	fx_model(&model, names, 2, f, prog, 8);
	model.inf[3].state = QP_INF_NO_COMPLETION;
	model.state_count[QP_INF_OK]--;
	model.state_count[QP_INF_NO_COMPLETION]++;
	model.programs[0].batch = 1;
	return dir ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	qp_model_free(&model);
	fx_rmdir(dir);
	free(dir);
	return 0;
}

static void test_csv(void **state)
{
	char err[512], *p0, *p1, line[1024];
	struct qp_dump d;
	FILE *f;
	size_t r;

	(void)state;
	assert_int_equal(qp_write_csv_dir(dir, &model, NULL, err, sizeof(err)), 0);
	assert_true(asprintf(&p0, "%s/aic-profiling-program-0-latency.txt", dir) > 0);
	assert_true(asprintf(&p1, "%s/aic-profiling-program-1-latency.txt", dir) > 0);
	/* the runtime's exact header */
	f = fopen(p0, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "Profiling Data\n");
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "ProgramId:0\n");
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "ProgramName: net\n");
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "NumSamples collected: 5 Num Requested: 5\n");
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "Sample        ,devInfPerSec  ,devExecUs     ,devInWaitTimeUs  ,"
			    "devOutWaitTimeUs  ,hostRoundTripUs  ,enqTimeUs     ,preProcTimeUs  ,"
			    "submitTimeUs  ,execTotalUs   ,exectoVcUs    ,execToCompleteUs  ,"
			    "postProcUs    ,totalRoundtripTimeUs  ,queueDepth    ,numInfInQueue  \n");
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "0             ,N/A           ,N/A           ,N/A           ,"
			    "N/A           ,44            ,2.000         ,10.000        ,"
			    "3.000         ,50.000        ,4             ,40            ,"
			    "5.000         ,67.000        ,0             ,1             \n");
	fclose(f);
	/* read back with our parser: samples skip the incomplete enqueue 3 */
	assert_int_equal(qp_dump_load(p0, &d, err, sizeof(err)), 0);
	assert_int_equal(d.nrows, 5);
	{
		const uint64_t samples[] = { 0, 1, 2, 4, 5 };

		for (r = 0; r < 5; r++) {
			const struct qp_inference *i = &model.inf[samples[r]];
			double v;

			assert_int_equal(d.sample[r], samples[r]);
			assert_true(qp_metric_value(&model, i, QP_M_TOTAL_ROUND_TRIP, 1, &v));
			assert_float_equal(d.col[QP_M_TOTAL_ROUND_TRIP][r], v, 1e-9);
			assert_true(qp_metric_value(&model, i, QP_M_NUM_INF_IN_QUEUE, 1, &v));
			assert_float_equal(d.col[QP_M_NUM_INF_IN_QUEUE][r], v, 0);
		}
	}
	assert_float_equal(d.col[QP_M_PRE_PROC][4], 12.345, 1e-9);
	assert_float_equal(d.col[QP_M_NUM_INF_IN_QUEUE][1], 2, 0);	/* 1 + 2/2 */
	qp_dump_free(&d);
	/* and with pandas, as latency_stats reads it */
	if (fx_python_pandas()) {
		char cmd[2048], out[256] = "";
		FILE *p;

		snprintf(cmd, sizeof(cmd),
			 "/usr/bin/python3 -c \"import sys, pandas as pd\n"
			 "f = open(sys.argv[1])\n"
			 "[f.readline() for _ in range(4)]\n"
			 "df = pd.read_csv(f, skipinitialspace=True)\n"
			 "df.columns = df.columns.str.strip()\n"
			 "print(len(df.columns), len(df), '%%.3f' %% df['totalRoundtripTimeUs'].sum(), "
			 "int(df['queueDepth'].sum()), df['devExecUs'].dtype == object, df['enqTimeUs'].dtype)\" %s",
			 p0);
		p = popen(cmd, "r");
		assert_non_null(p);
		assert_non_null(fgets(out, sizeof(out), p));
		assert_int_equal(pclose(p), 0);
		/* 16 columns, 5 rows, 4 x 67 + 69.345, queue levels 0 2 0 0 2 */
		assert_string_equal(out, "16 5 337.345 4 True float64\n");
	}
	assert_int_equal(access(p1, R_OK), 0);
	free(p0);
	free(p1);
}

static char *summary_opts(const struct qp_write_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(qp_write_summary(f, &model, o), 0);
	fclose(f);
	return buf;
}

static char *summary(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(qp_write_summary(f, &model, NULL), 0);
	fclose(f);
	return buf;
}

/* ---- number cells against printf -------------------------------------- */

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void same_as_printf(double v, bool fixed3)
{
	char want[512], got[512];
	size_t n;

	snprintf(want, sizeof(want), fixed3 ? "%.3f" : "%.0f", v);
	n = fixed3 ? qp_fmt_fixed3(got, sizeof(got), v) :
		     qp_fmt_int0(got, sizeof(got), v);
	if (strcmp(want, got) || n != strlen(want))
		fail_msg("%a: printf \"%s\", formatter \"%s\" (%zu)", v, want, got, n);
}

/* A double with random sign, exponent in [lo, hi] and random mantissa. */
static double random_double(uint64_t *x, int lo, int hi)
{
	uint64_t r = rnd(x);

	return ldexp((double)(r >> 11) * 0x1p-53 + 0.5, lo + (int)(rnd(x) % (uint64_t)(hi - lo + 1)));
}

static void test_number_cells(void **state)
{
	static const double special[] = {
		0.0, -0.0, 0.0005, 0.0015, 0.0025, 0.0625, 0.1875, 0.4995,
		0.9995, 1.0005, 2.5, 3.5, 0.5, 1.5, -1.5, -0.0004, -2.5,
		999.9995, 4e12, 3999999999999.999, 4503599627370.4955,
		0x1p52, 0x1p53, 0x1p53 + 2, 1e300, -1e300, DBL_MAX, DBL_MIN,
		4.9e-324, INFINITY, -INFINITY, NAN,
	};
	uint64_t x = 0x9e3779b97f4a7c15ull, ns;
	char got[64], want[64];
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(special) / sizeof(special[0]); k++) {
		same_as_printf(special[k], true);
		same_as_printf(special[k], false);
		same_as_printf(nextafter(special[k], INFINITY), true);
		same_as_printf(nextafter(special[k], -INFINITY), true);
	}
	/* the time columns: integer ns / 1000.0 is the integer ns, point inserted */
	for (k = 0; k < 2000000; k++) {
		ns = rnd(&x) >> (k % 2 ? 22 : 40);
		qp_fmt_fixed3(got, sizeof(got), (double)ns / 1000.0);
		snprintf(want, sizeof(want), "%" PRIu64 ".%03" PRIu64, ns / 1000, ns % 1000);
		assert_string_equal(got, want);
		if (k % 4 == 0)
			same_as_printf((double)ns / 1000.0, true);
	}
	/* any double: random mantissas over the fast path's range and past it */
	for (k = 0; k < 1500000; k++) {
		same_as_printf(random_double(&x, -20, 45), true);
		if (k % 3 == 0)
			same_as_printf(random_double(&x, -3, 56), false);
	}
	/* exact ties (x.yyy5 in binary): printf rounds them to even */
	for (k = 0; k < 500000; k++) {
		double v = ldexp((double)(rnd(&x) >> 24), -(int)(k % 24));

		same_as_printf(v, true);
		same_as_printf(v, false);
	}
}

/* Sample order: by enqueue time even when assembled out of order. */
static void test_program_samples(void **state)
{
	struct qp_inference save0 = model.inf[0], save4 = model.inf[4];
	const uint32_t sorted[] = { 0, 1, 2, 3, 4, 5 };
	const uint32_t shuffled[] = { 1, 2, 0, 3, 5 };
	uint32_t *v;
	size_t n;

	(void)state;
	v = qp_program_samples(&model, 0, &n);
	assert_non_null(v);
	assert_int_equal(n, 6);
	assert_memory_equal(v, sorted, sizeof(sorted));
	free(v);
	/* enqueue 0 entered after 2; 4 refused by the runtime (no Sample) */
	model.inf[0].t0 = model.inf[2].t0 + 50;
	model.inf[4].state = QP_INF_FAILED;
	model.inf[4].off[QP_T_EXEC_BEGIN] = QP_T_NONE;
	v = qp_program_samples(&model, 0, &n);
	model.inf[0] = save0;
	model.inf[4] = save4;
	assert_non_null(v);
	assert_int_equal(n, 5);
	assert_memory_equal(v, shuffled, sizeof(shuffled));
	free(v);
	/* equal t0: the shim's sequence number decides */
	save0 = model.inf[6];
	model.inf[6].t0 = model.inf[7].t0;
	model.inf[6].seq = model.inf[7].seq + 1;
	v = qp_program_samples(&model, 1, &n);
	model.inf[6] = save0;
	assert_non_null(v);
	assert_int_equal(n, 2);
	assert_int_equal(v[0], 7);
	assert_int_equal(v[1], 6);
	free(v);
}

static void test_summary(void **state)
{
	char *s = summary();

	(void)state;
	fputs(s, stderr);
	assert_non_null(strstr(s, "== program 0 'net' (pid 4242, dbc 0, batch 1) =="));
	assert_non_null(strstr(s, "== program 1 'resnet' (pid 4242, dbc 1) =="));
	/* several programs: side by side, not pooled (like with like) */
	assert_non_null(strstr(s, "== all programs (each program's own figures; --pool-programs pools their inferences) =="));
	assert_null(strstr(s, "pooled (--pool-programs"));
	/* resnet's batch is unknown: no samples/s, a dash */
	assert_non_null(strstr(s, "        1         2      11976.0            -      0.0670      0.0670  none             'resnet'"));
	/* net: 5 completed, first enqueue 0 µs, last completion 500 + 69.345 µs;
	 * batch 1: samples/s = inferences/s (qaic-runner's Inf/Sec) */
	assert_non_null(strstr(s, "8782.0 inferences/s, 8782.0 samples/s (batch 1) (5 completed in 0.000569 s"));
	assert_non_null(strstr(s, "11976.0 inferences/s, samples/s unknown (batch size unknown"));
	/* counts apart from times: no queueDepth row in the ms table */
	assert_non_null(strstr(s, "  count (not a time)      count"));
	assert_non_null(strstr(s, "  queueDepth (elem.)          5        0.80        0.00"));
	assert_null(strstr(s, "  queueDepth      "));
	assert_non_null(strstr(s, "device columns (devExec, devInWaitTime, devOutWaitTime, devInfPerSec) N/A: no runtime latency dump merged"));
	/*
	 * waiting and working, by hand: t0 0, enqueue return 2, EXECUTE 12..15,
	 * doorbell: X + exectoVc = 16 is past the ioctl's return 15, so 15;
	 * device done 15 + execToComplete 40 = 55; WAIT return 62; done 67.
	 * No earlier inference in flight: no runtime or device wait.  Mean
	 * over 4 x 67 + 69.345 (the slow pre-processing) = 67.469.
	 */
	assert_non_null(strstr(s, "where the time goes (waiting and working; mean of 5 inferences 0.0675 ms, "
			       "p99 tail: the 1 at or above 0.0693 ms, 0.0693 ms):"));
	assert_non_null(strstr(s, "    enqueue call                   work      0.0020   3.0%        0.0020   2.9%"));
	assert_non_null(strstr(s, "    waiting for a runtime worker   wait      0.0000   0.0%        0.0000   0.0%"));
	assert_non_null(strstr(s, "    runtime pre-processing         work      0.0105  15.5%        0.0123  17.8%"));
	assert_non_null(strstr(s, "    kernel submit                  work      0.0030   4.4%        0.0030   4.3%"));
	assert_non_null(strstr(s, "    device execution               work      0.0400  59.3%        0.0400  57.7%"));
	assert_non_null(strstr(s, "    completion path                work      0.0120  17.8%        0.0120  17.3%"));
	assert_non_null(strstr(s, "    working                                  0.0675 100.0%        0.0693 100.0%"));
	/* device busy 40 µs per 1 / 8782 s: 35.1 %; nothing applies */
	assert_non_null(strstr(s, "figures: device utilisation 35.1 % (1 DBC)"));
	assert_non_null(strstr(s, "findings: none applies"));
	assert_non_null(strstr(s, "incomplete (excluded from statistics): 1 (no completion 1"));
	assert_non_null(strstr(s, "matching (completed inferences): BO handles 8"));
	/* totalRoundtripTime row of net: count 5, mean 0.0675, min 0.0670, max 0.0693 */
	assert_non_null(strstr(s, "totalRoundtripTime          5      0.0675      0.0670"));
	free(s);
}

static void test_json(void **state)
{
	char err[512], *path;
	json_error_t je;
	json_t *root, *p0, *trt, *bd, *all;

	(void)state;
	assert_true(asprintf(&path, "%s/r.json", dir) > 0);
	assert_int_equal(qp_write_json(path, &model, &(struct qp_write_opts){ .per_inference = true },
				       err, sizeof(err)), 0);
	root = json_load_file(path, 0, &je);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "schema")), "qprof-report/2");
	p0 = json_array_get(json_object_get(root, "programs"), 0);
	assert_string_equal(json_string_value(json_object_get(p0, "name")), "net");
	assert_int_equal(json_integer_value(json_object_get(p0, "completed")), 5);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(p0, "incomplete"),
							    "no_completion")), 1);
	trt = json_object_get(json_object_get(p0, "metrics_us"), "totalRoundtripTime");
	assert_int_equal(json_integer_value(json_object_get(trt, "count")), 5);
	assert_float_equal(json_real_value(json_object_get(trt, "mean")), 67.469, 1e-9);
	assert_float_equal(json_real_value(json_object_get(trt, "max")), 69.345, 1e-9);
	/* p50 of 67 67 67 67 69.345 */
	assert_float_equal(json_real_value(json_object_get(trt, "p50")), 67, 1e-9);
	/* /2: counts apart from times */
	assert_null(json_object_get(json_object_get(p0, "metrics_us"), "queueDepth"));
	assert_float_equal(json_real_value(json_object_get(json_object_get(
		json_object_get(p0, "counts"), "numInfInQueue"), "mean")), 1.4, 1e-9);
	/* throughput as qaic-runner counts it: 5 in 569.345 µs, batch 1 */
	assert_float_equal(json_real_value(json_object_get(json_object_get(p0, "throughput"),
							   "samples_per_s")), 5 / 569.345e-6, 1e-6);
	/* the breakdown (see test_summary) */
	bd = json_object_get(p0, "breakdown");
	assert_int_equal(json_integer_value(json_object_get(bd, "inferences")), 5);
	assert_float_equal(json_real_value(json_object_get(json_object_get(bd, "mean_us"),
							   "device_work")), 40, 1e-9);
	assert_float_equal(json_real_value(json_object_get(json_object_get(bd, "mean_us"),
							   "completion")), 12, 1e-9);
	assert_float_equal(json_real_value(json_object_get(json_object_get(bd, "p99_tail_us"),
							   "runtime_work")), 12.345, 1e-9);
	assert_string_equal(json_string_value(json_object_get(json_object_get(bd, "kind"),
							      "device_wait")), "wait");
	assert_float_equal(json_real_value(json_object_get(json_object_get(
		json_object_get(bd, "parts_us"), "runtime_work"), "p50")), 10, 1e-9);
	assert_int_equal(json_array_size(json_object_get(p0, "findings")), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(p0, "device_columns"),
							      "na_reason")),
			    "no runtime latency dump merged: device times come only from the runtime's dump (--device-latency)");
	/* all programs: side by side by default */
	assert_false(json_is_true(json_object_get(json_object_get(root, "all_programs"), "pooled")));
	assert_int_equal(json_array_size(json_object_get(json_object_get(root, "all_programs"),
							 "programs")), 2);
	assert_int_equal(json_array_size(json_object_get(root, "inferences")), 8);
	assert_float_equal(json_real_value(json_object_get(json_object_get(
		json_array_get(json_object_get(root, "inferences"), 5), "parts_us"), "total")),
		69.345, 1e-9);
	assert_null(json_object_get(json_array_get(json_object_get(root, "inferences"), 3),
				    "parts_us"));
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(root, "inferences"), 3), "state")), "no_completion");
	json_decref(root);
	/* --pool-programs: one pooled section of the 7; --by program */
	assert_int_equal(qp_write_json(path, &model, &(struct qp_write_opts){
		.pool_programs = true, .by = (const int[]){ QP_BY_PROGRAM }, .nby = 1 },
				       err, sizeof(err)), 0);
	root = json_load_file(path, 0, &je);
	assert_non_null(root);
	all = json_object_get(root, "all_programs");
	assert_true(json_is_true(json_object_get(all, "pooled")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(all, "throughput"),
							    "completed")), 7);
	assert_true(json_is_null(json_object_get(json_object_get(all, "throughput"), "batch")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
		json_object_get(all, "metrics_us"), "totalRoundtripTime"), "count")), 7);
	/* the --by table as the summary's: net's 5 (67 x 4, 69.345), resnet's 2 */
	bd = json_object_get(json_object_get(root, "by"), "program");
	assert_int_equal(json_array_size(bd), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(bd, 0), "label")),
			    "net (pid 4242)");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
		json_array_get(bd, 0), "round_trip_us"), "count")), 5);
	assert_float_equal(json_real_value(json_object_get(json_object_get(
		json_array_get(bd, 0), "phase_mean_us"), "preProcTime")), 10.469, 1e-9);
	json_decref(root);
	free(path);
}

/* A kernel-only inference: its own JSON section, as the summary's. */
static void test_json_kernel_only(void **state)
{
	struct qp_inference save = model.inf[7];
	char err[512], *path;
	json_error_t je;
	json_t *root, *ko, *mu;

	(void)state;
	model.inf[7].match = QP_MATCH_KERNEL_ONLY;
	model.inf[7].done_kind = QP_DONE_KERNEL;
	model.inf[7].dbc_id = 5;
	model.inf[7].flags &= (uint8_t)~QP_F_HAS_ENQ;	/* no API event */
	assert_true(asprintf(&path, "%s/k.json", dir) > 0);
	assert_int_equal(qp_write_json(path, &model, NULL, err, sizeof(err)), 0);
	model.inf[7] = save;
	root = json_load_file(path, 0, &je);
	assert_non_null(root);
	ko = json_object_get(root, "kernel_only");
	assert_int_equal(json_array_size(ko), 1);
	ko = json_array_get(ko, 0);
	assert_int_equal(json_integer_value(json_object_get(ko, "pid")), 4242);
	assert_int_equal(json_integer_value(json_object_get(ko, "dbc_id")), 5);
	assert_int_equal(json_integer_value(json_object_get(ko, "completed")), 1);
	mu = json_object_get(ko, "metrics_us");
	/* execTotal 50 - execToComplete 40 */
	assert_float_equal(json_real_value(json_object_get(json_object_get(mu, "kernelHostSide"),
							   "mean")), 10, 1e-9);
	assert_null(json_object_get(mu, "enqTime"));	/* the kernel sees no enqueue */
	assert_non_null(json_object_get(json_object_get(ko, "counts"), "queueDepth"));
	json_decref(root);
	free(path);
}

static void test_summary_pooled(void **state)
{
	char *s = summary_opts(&(struct qp_write_opts){ .pool_programs = true });

	(void)state;
	assert_non_null(strstr(s, "== all programs, pooled (--pool-programs: the statistics mix different programs) =="));
	assert_null(strstr(s, "each program's own figures"));
	/* 7 completed: programs' batches differ (1, unknown): no samples/s */
	assert_non_null(strstr(s, "samples/s unknown (batch size unknown: it comes from a merged runtime dump) (7 completed"));
	assert_non_null(strstr(s, "totalRoundtripTime          7      0.0673"));
	free(s);
}



/* ---- Chrome trace ------------------------------------------------------ */

struct tslice {
	int64_t pid, tid, b, e;		/* ns */
	const char *name;
};

static int cmp_tslice(const void *a, const void *b)
{
	const struct tslice *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->b != y->b)
		return x->b < y->b ? -1 : 1;
	return (x->e < y->e) - (x->e > y->e);
}

static int64_t ns_of(json_t *e, const char *key)
{
	return llround(json_number_value(json_object_get(e, key)) * 1000.0);
}

struct tcount {
	size_t x, b, e, s, t, f, m, flows;
	size_t x_named[8];
};

static const char *const stage_names[8] = {
	"qaicEnqueueExecObj", "preProc", "EXECUTE_BO", "execTotal", "device",
	"WAIT_BO", "completion", NULL,
};

/*
 * Structure every Chrome trace must have: X slices of one track nest or
 * are disjoint, async b/e balanced, every flow id has one start and one
 * end (steps between, in time order), each bound inside a slice of its
 * track.
 */
static void check_trace(const char *path, struct tcount *c, size_t max_id)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je), *ev;
	struct tslice *sl;
	size_t n, k, j, ns = 0, top;
	int *fs = calloc(max_id + 1, sizeof(int)), *ff = calloc(max_id + 1, sizeof(int));
	int64_t *last = calloc(max_id + 1, sizeof(int64_t));
	long async = 0;

	if (!root)
		fail_msg("%s: %s", path, je.text);
	memset(c, 0, sizeof(*c));
	ev = json_object_get(root, "traceEvents");
	n = json_array_size(ev);
	sl = calloc(n + 1, sizeof(*sl));
	assert_non_null(sl);
	for (k = 0; k < n; k++) {
		json_t *e = json_array_get(ev, k);
		const char *ph = json_string_value(json_object_get(e, "ph"));

		c->m += !strcmp(ph, "M");
		if (!strcmp(ph, "X")) {
			const char *name = json_string_value(json_object_get(e, "name"));

			c->x++;
			sl[ns++] = (struct tslice){
				json_integer_value(json_object_get(e, "pid")),
				json_integer_value(json_object_get(e, "tid")),
				ns_of(e, "ts"), ns_of(e, "ts") + ns_of(e, "dur"), name,
			};
			assert_true(sl[ns - 1].e >= sl[ns - 1].b);
			for (j = 0; stage_names[j]; j++)
				c->x_named[j] += !strcmp(name, stage_names[j]);
		}
		if (!strcmp(ph, "b") || !strcmp(ph, "e")) {
			async += ph[0] == 'b' ? 1 : -1;
			c->b += ph[0] == 'b';
			c->e += ph[0] == 'e';
		}
	}
	assert_int_equal(async, 0);
	qsort(sl, ns, sizeof(*sl), cmp_tslice);
	/* nested or disjoint, per track */
	{
		size_t *stack = calloc(ns + 1, sizeof(*stack));

		for (k = 0, top = 0; k < ns; k++) {
			if (top && (sl[stack[top - 1]].pid != sl[k].pid ||
				    sl[stack[top - 1]].tid != sl[k].tid))
				top = 0;
			while (top && sl[stack[top - 1]].e <= sl[k].b)
				top--;
			if (top && sl[k].e > sl[stack[top - 1]].e)
				fail_msg("tid %" PRId64 ": '%s' [%" PRId64 ", %" PRId64 "] overlaps '%s' [%" PRId64 ", %" PRId64 "]",
					 sl[k].tid, sl[k].name, sl[k].b, sl[k].e,
					 sl[stack[top - 1]].name, sl[stack[top - 1]].b,
					 sl[stack[top - 1]].e);
			stack[top++] = k;
		}
		free(stack);
	}
	/* flows, in file order */
	for (k = 0; k < n; k++) {
		json_t *e = json_array_get(ev, k);
		const char *ph = json_string_value(json_object_get(e, "ph"));
		int64_t id, pid, tid, ts;
		bool inside = false;

		if (strcmp(ph, "s") && strcmp(ph, "t") && strcmp(ph, "f"))
			continue;
		id = json_integer_value(json_object_get(e, "id"));
		pid = json_integer_value(json_object_get(e, "pid"));
		tid = json_integer_value(json_object_get(e, "tid"));
		ts = ns_of(e, "ts");
		assert_true(id >= 0 && (size_t)id <= max_id);
		assert_string_equal(json_string_value(json_object_get(e, "cat")), "flow");
		if (ph[0] == 's') {
			assert_int_equal(fs[id]++, 0);
			c->s++;
		} else {
			assert_int_equal(fs[id], 1);	/* after its start */
			assert_int_equal(ff[id], 0);	/* before its end */
			if (ts < last[id])
				fail_msg("flow %" PRId64 " %s goes back: %" PRId64 " < %" PRId64, id, ph, ts, last[id]);
			assert_string_equal(json_string_value(json_object_get(e, "bp")), "e");
			c->t += ph[0] == 't';
			c->f += ph[0] == 'f';
			ff[id] += ph[0] == 'f';
		}
		last[id] = ts;
		for (j = 0; j < ns && !inside; j++)
			inside = sl[j].pid == pid && sl[j].tid == tid &&
				 sl[j].b <= ts && ts <= sl[j].e;
		if (!inside)
			fail_msg("flow %" PRId64 " %s at %" PRId64 " ns: no slice on tid %" PRId64,
				 id, ph, ts, tid);
	}
	for (k = 0; k <= max_id; k++) {
		assert_int_equal(fs[k], ff[k]);	/* every start has an end */
		c->flows += fs[k];
	}
	free(fs);
	free(ff);
	free(last);
	free(sl);
	json_decref(root);
}

/* Tracks named kernel/device lanes, as "thread_name" metadata. */
static size_t count_meta(const char *path, const char *needle)
{
	json_t *root = json_load_file(path, 0, NULL), *ev;
	size_t k, n = 0;

	assert_non_null(root);
	ev = json_object_get(root, "traceEvents");
	for (k = 0; k < json_array_size(ev); k++) {
		json_t *a = json_object_get(json_array_get(ev, k), "args");
		const char *name = a ? json_string_value(json_object_get(a, "name")) : NULL;

		n += name && strstr(name, needle) != NULL;
	}
	json_decref(root);
	return n;
}

/* Sequential inferences, submitting thread unknown: async phases. */
static void test_chrome(void **state)
{
	char err[512], *path;
	struct tcount c;

	(void)state;
	assert_true(asprintf(&path, "%s/t.json", dir) > 0);
	assert_int_equal(qp_write_chrome(path, &model, NULL, err, sizeof(err)), 0);
	check_trace(path, &c, model.ninf);
	/* per inference: enqueue, kernel, device, completion slices */
	assert_int_equal(c.x, 4 * 8);
	assert_int_equal(c.x_named[0], 8);
	assert_int_equal(c.x_named[3], 8);
	assert_int_equal(c.x_named[4], 8);
	assert_int_equal(c.x_named[6], 8);
	/* async: inference + preProc + execTotal + postProc */
	assert_int_equal(c.b, 4 * 8);
	/* enqueue -> kernel -> device -> completion */
	assert_int_equal(c.flows, 8);
	assert_int_equal(c.s, 8);
	assert_int_equal(c.t, 2 * 8);
	assert_int_equal(c.f, 8);
	/* process name, the application thread, kernel/device names for
	 * dbc 0 and 1, one lane each */
	assert_int_equal(c.m, 1 + 1 + 2 * 2);
	assert_int_equal(count_meta(path, "net, resnet (pid 4242)"), 1);
	assert_int_equal(count_meta(path, "application thread"), 1);
	free(path);
}

/* otherData of a Chrome trace, and the number of X slices with seq s. */
static json_t *chrome_other(const char *path, uint32_t seq, size_t *nseq,
			    double *first_ts)
{
	json_t *root = json_load_file(path, 0, NULL), *ev, *o;
	size_t k;

	assert_non_null(root);
	ev = json_object_get(root, "traceEvents");
	*nseq = 0;
	*first_ts = -1;
	for (k = 0; k < json_array_size(ev); k++) {
		json_t *e = json_array_get(ev, k);
		json_t *a = json_object_get(e, "args");

		if (strcmp(json_string_value(json_object_get(e, "ph")), "X"))
			continue;
		if (*first_ts < 0)
			*first_ts = json_number_value(json_object_get(e, "ts"));
		*nseq += (uint32_t)json_integer_value(json_object_get(a, "seq")) == seq;
	}
	o = json_incref(json_object_get(root, "otherData"));
	json_decref(root);
	return o;
}

/*
 * The clock, the window (inferences every 100 µs) and the cap (4 slices
 * per inference here: counted 2 x 4 + 2 = 10 events).
 */
static void test_chrome_window(void **state)
{
	struct qp_chrome_opts co = { .max_events = 0 };
	struct qp_write_opts wo = { .chrome = &co };
	char err[512], *path;
	struct tcount c;
	json_t *od;
	size_t n;
	double ts;

	(void)state;
	assert_true(asprintf(&path, "%s/w.json", dir) > 0);
	assert_int_equal(qp_chrome_parse_window("0.00025:0.00055", &co), 0);
	assert_int_equal(qp_write_chrome(path, &model, &wo, err, sizeof(err)), 0);
	check_trace(path, &c, model.ninf);
	assert_int_equal(c.x_named[0], 3);		/* inferences 3, 4, 5 */
	od = chrome_other(path, 2, &n, &ts);
	assert_int_equal(n, 0);
	json_decref(od);
	od = chrome_other(path, 3, &n, &ts);
	assert_int_equal(n, 4);
	/* the trace clock's own time: t0 of inference 3 is 1.0003 s */
	assert_true(ts >= 1000300.0 && ts < 1000400.0);
	assert_int_equal(json_integer_value(json_object_get(od, "firstInferenceNs")), 1000000000);
	assert_int_equal(json_integer_value(json_object_get(od, "windowBeginNs")), 1000250000);
	assert_int_equal(json_integer_value(json_object_get(od, "windowEndNs")), 1000550000);
	assert_string_equal(json_string_value(json_object_get(od, "clock")), "CLOCK_MONOTONIC");
	assert_int_equal(json_integer_value(json_object_get(od, "inferences")), 3);
	assert_null(json_object_get(od, "inferencesLeftOut"));
	json_decref(od);
	/* open window, cap of 25 events: 3 inferences drawn, 5 left out */
	assert_int_equal(qp_chrome_parse_window("0.0002:", &co), 0);
	assert_int_equal(co.begin_ns, 200000);
	assert_int_equal(co.end_ns, 0);
	co.window = false;
	co.max_events = 25;
	assert_int_equal(qp_write_chrome(path, &model, &wo, err, sizeof(err)), 0);
	check_trace(path, &c, model.ninf);
	assert_int_equal(c.x_named[0], 3);
	od = chrome_other(path, 0, &n, &ts);
	assert_int_equal(json_integer_value(json_object_get(od, "inferencesLeftOut")), 5);
	assert_int_equal(json_integer_value(json_object_get(od, "leftOutFromNs")), 1000300000);
	json_decref(od);
	/* the wall clock, when the trace's clock has an epoch offset */
	{
		struct qp_read_stats st;

		qp_read_stats_init(&st);
		st.has_realtime_offset = true;
		st.realtime_offset_ns = 1700000000000000000 - 1000000000;
		wo.stats = &st;
		co.max_events = 0;
		assert_int_equal(qp_write_chrome(path, &model, &wo, err, sizeof(err)), 0);
		od = chrome_other(path, 0, &n, &ts);
		assert_int_equal(json_integer_value(json_object_get(od, "realtimeOffsetNs")),
				 1700000000000000000 - 1000000000);
		/* t0 1 s of the trace clock = 1 700 000 000 s after the epoch */
		assert_string_equal(json_string_value(json_object_get(od, "firstInferenceUtc")),
				    "2023-11-14T22:13:20.000000000Z");
		json_decref(od);
		wo.stats = NULL;
	}
	/* malformed windows */
	assert_int_equal(qp_chrome_parse_window("2", &co), -1);
	assert_int_equal(qp_chrome_parse_window("3:2", &co), -1);
	assert_int_equal(qp_chrome_parse_window("a:2", &co), -1);
	assert_int_equal(qp_chrome_parse_window("-1:2", &co), -1);
	free(path);
}

/*
 * Overlapping inferences on one DBC (every 20 µs, 50 µs in the kernel):
 * one submitting worker whose preProc spans would overlap (clipped), a
 * callback thread, one inference with an unknown submitter, one
 * kernel-only.
 */
static void test_chrome_threads(void **state)
{
	enum { N = 16 };
	struct fx_inf f[N];
	uint16_t prog[N] = { 0 };
	struct qp_model m;
	char err[512], *path;
	struct tcount c;
	size_t k;

	(void)state;
	for (k = 0; k < N; k++)
		f[k] = (struct fx_inf){ .t0_us = 20 * k, .enq = 2, .pre = 25,
					.submit = 3, .exec_total = 50, .post = 5,
					.vc = 4, .complete = 40, .qelems = 1 };
	fx_model(&m, names, 1, f, prog, N);
	for (k = 0; k < N; k++) {
		m.inf[k].submit_tid = 5001;
		m.inf[k].done_tid = 6000;
		m.inf[k].done_kind = QP_DONE_CALLBACK;
	}
	m.inf[7].submit_tid = 0;	/* unknown: async phases */
	m.inf[9].flags &= (uint8_t)~QP_F_HAS_ENQ;	/* kernel-only */
	m.inf[9].done_kind = QP_DONE_KERNEL;
	m.inf[9].submit_tid = 0;
	m.inf[9].enq_tid = 7000;
	m.inf[9].done_tid = 7000;
	m.inf[9].t0 = qp_inf_time(&m.inf[9], QP_T_EXEC_BEGIN);
	for (int t = QP_T_EXEC_BEGIN; t < QP_T__COUNT; t++)
		m.inf[9].off[t] -= (uint32_t)(27000);
	m.inf[9].off[QP_T_ENQ_END] = QP_T_NONE;
	m.inf[9].off[QP_T_DONE] = QP_T_NONE;
	assert_true(asprintf(&path, "%s/threads.json", dir) > 0);
	assert_int_equal(qp_write_chrome(path, &m, NULL, err, sizeof(err)), 0);
	check_trace(path, &c, m.ninf);
	/* enqueues: all but the kernel-only one; preProc + EXECUTE on the worker */
	assert_int_equal(c.x_named[0], N - 1);
	assert_int_equal(c.x_named[1], N - 2);
	assert_int_equal(c.x_named[2], N - 1);
	assert_int_equal(c.x_named[3], N);
	assert_int_equal(c.x_named[4], N);
	assert_int_equal(c.x_named[5], 1);		/* kernel-only WAIT_BO */
	assert_int_equal(c.x_named[6], N - 1);	/* completions */
	/* async: umbrella of API inferences, phases of the unknown submitter */
	assert_int_equal(c.b, (N - 1) + 3);
	assert_int_equal(c.flows, N);
	/* 50 µs in the kernel every 20 µs: 3 lanes; device 40 µs: 2 lanes */
	assert_int_equal(count_meta(path, "kernel dbc 0"), 3);
	assert_int_equal(count_meta(path, "kernel dbc 0 #2"), 1);
	assert_int_equal(count_meta(path, "device dbc 0"), 2);
	/* threads by role */
	assert_int_equal(count_meta(path, "runtime worker (queue 0)"), 1);
	assert_int_equal(count_meta(path, "runtime callback thread"), 1);
	assert_int_equal(count_meta(path, "application thread"), 2);	/* 4243, 7000 */
	qp_model_free(&m);
	free(path);
}

static void test_atomic(void **state)
{
	char err[512], *path, *bad, buf[64] = "";
	struct qp_outfile o;
	FILE *f;

	(void)state;
	path = fx_write(dir, "keep.json", "old content\n");
	assert_non_null(path);
	/* aborted write: the old file stays, no temporary is left */
	assert_int_equal(qp_outfile_open(&o, path, err, sizeof(err)), 0);
	fputs("half a rep", o.f);
	qp_outfile_abort(&o);
	f = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "old content\n");
	assert_int_equal(system("test $(ls /tmp/qprof-io-*/keep.json* | wc -l) -eq 1"), 0);
	/* an unwritable destination: clear error naming it */
	assert_true(asprintf(&bad, "%s/no/such/dir/r.json", dir) > 0);
	assert_int_equal(qp_write_json(bad, &model, NULL, err, sizeof(err)), -1);
	print_message("  -> %s\n", err);
	assert_non_null(strstr(err, bad));
	/* a committed write replaces it whole */
	assert_int_equal(qp_write_json(path, &model, NULL, err, sizeof(err)), 0);
	f = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "{\n");
	free(path);
	free(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_number_cells),
		cmocka_unit_test(test_program_samples),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_summary_pooled),
		cmocka_unit_test(test_json_kernel_only),
		cmocka_unit_test(test_chrome),
		cmocka_unit_test(test_chrome_threads),
		cmocka_unit_test(test_chrome_window),
		cmocka_unit_test(test_atomic),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
