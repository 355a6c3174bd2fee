// SPDX-License-Identifier: MIT
/*
 * Writers against a hand-built model whose every phase is known: CSV read
 * back by our parser and by pandas (latency_stats conventions), summary
 * numbers, JSON parsed back with jansson, Chrome trace structure, and
 * atomic replacement of output files.
 */
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "devdump.h"
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
			assert_true(qp_metric_value(i, QP_M_TOTAL_ROUND_TRIP, 1, &v));
			assert_float_equal(d.col[QP_M_TOTAL_ROUND_TRIP][r], v, 1e-9);
			assert_true(qp_metric_value(i, QP_M_NUM_INF_IN_QUEUE, 1, &v));
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

static char *summary(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(qp_write_summary(f, &model, NULL), 0);
	fclose(f);
	return buf;
}

static void test_summary(void **state)
{
	char *s = summary();

	(void)state;
	fputs(s, stderr);
	assert_non_null(strstr(s, "== program 0 'net' (pid 4242, dbc 0, batch 1) =="));
	assert_non_null(strstr(s, "== program 1 'resnet' (pid 4242, dbc 1) =="));
	assert_non_null(strstr(s, "== all programs =="));
	/* net: 5 completed, first enqueue 0 µs, last completion 500 + 69.345 µs */
	assert_non_null(strstr(s, "8782.0 inferences/s (5 completed in 0.000569 s"));
	/* application 2 µs, runtime 10 + 5, kernel 50 - 40, device 40 (4 x 67 + 69.345) / 5 */
	assert_non_null(strstr(s, "where the time goes (mean, 0.0675 ms over 5 inferences): "
			       "application 0.0020 ms (3.0%), runtime 0.0155 ms (22.9%), "
			       "kernel 0.0100 ms (14.8%), device 0.0400 ms (59.3%)"));
	/* the p99 tail is the one slow inference */
	assert_non_null(strstr(s, "where the time goes (p99 tail, 0.0693 ms over 1 inferences): "
			       "application 0.0020 ms (2.9%), runtime 0.0173 ms (25.0%)"));
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
	json_t *root, *p0, *trt;

	(void)state;
	assert_true(asprintf(&path, "%s/r.json", dir) > 0);
	assert_int_equal(qp_write_json(path, &model, &(struct qp_write_opts){ .per_inference = true },
				       err, sizeof(err)), 0);
	root = json_load_file(path, 0, &je);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "schema")), "qprof-report/1");
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
	assert_int_equal(json_array_size(json_object_get(root, "inferences")), 8);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(root, "inferences"), 3), "state")), "no_completion");
	json_decref(root);
	free(path);
}

static void test_chrome(void **state)
{
	size_t k, nx = 0, nb = 0, ne = 0, ns = 0, nt = 0, nf = 0, nm = 0;
	char err[512], *path;
	json_error_t je;
	json_t *root, *ev;
	double mints = 1e18;

	(void)state;
	assert_true(asprintf(&path, "%s/t.json", dir) > 0);
	assert_int_equal(qp_write_chrome(path, &model, NULL, err, sizeof(err)), 0);
	root = json_load_file(path, 0, &je);
	assert_non_null(root);
	ev = json_object_get(root, "traceEvents");
	for (k = 0; k < json_array_size(ev); k++) {
		json_t *e = json_array_get(ev, k);
		const char *ph = json_string_value(json_object_get(e, "ph"));

		assert_int_equal(json_integer_value(json_object_get(e, "pid")), 4242);
		if (strcmp(ph, "M"))
			mints = fmin(mints, json_real_value(json_object_get(e, "ts")));
		nx += !strcmp(ph, "X");
		nb += !strcmp(ph, "b");
		ne += !strcmp(ph, "e");
		ns += !strcmp(ph, "s");
		nt += !strcmp(ph, "t");
		nf += !strcmp(ph, "f");
		nm += !strcmp(ph, "M");
	}
	/* per inference: enqueue, EXECUTE, device slices; flow s, t, f */
	assert_int_equal(nx, 3 * 8);
	assert_int_equal(ns, 8);
	assert_int_equal(nt, 8);
	assert_int_equal(nf, 8);
	/* async: inference + preProc + execTotal + postProc, but no round trip for #3? all have DONE */
	assert_int_equal(nb, ne);
	assert_int_equal(nb, 4 * 8);
	/* process name + kernel/device names for dbc 0 and 1 */
	assert_int_equal(nm, 1 + 2 * 2);
	assert_float_equal(mints, 0, 0);
	json_decref(root);
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
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_chrome),
		cmocka_unit_test(test_atomic),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
