/* SPDX-License-Identifier: MIT */
/*
 * Status codes of failed inferences, driven by the emulated driver's fault
 * injection (process-wide EXECUTE indices, set before the driver starts):
 *   EXECUTE #2 device error -> QS_DEV_ERROR
 *   EXECUTE #4 never completes -> WAIT -ETIMEDOUT x (1 + SubmitNumRetries)
 *              -> QS_TIMEDOUT
 *   EXECUTE #6..#56 -EAGAIN (1 + 50 retries) -> QS_BUSY
 * Failed inferences are reported to the error handler and are not samples
 * of the latency file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <qprof/qaic_api.h>

static char outdir[] = "/tmp/test_rt_faults_XXXXXX";
static int nerrors;
static QAicErrorType last_type;

static void on_error(QAicContextID id, const char *info, QAicErrorType type,
		     const void *data, size_t size, void *ud)
{
	nerrors++;
	last_type = type;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static QStatus run_one(QAicQueue *q, QAicExecObj *eo)
{
	assert_int_equal(qaicEnqueueExecObj(q, eo, NULL), QS_SUCCESS);
	return qaicExecObjWaitForCompletion(eo, 0);
}

static void test_faults(void **state)
{
	QAicContext *ctx;
	QAicQpcObj *qpc;
	QAicProgram *pg;
	QAicProgramProperties props;
	QAicProgramInfo pi;
	QAicQueue *q;
	QAicExecObj *eo, *eo2;
	char path[512], line[1024];
	unsigned int samples[8], n = 0, s;
	double t0;
	FILE *f;

	assert_int_equal(qaicCreateContext(&ctx, NULL, 0, NULL, NULL, NULL, on_error, NULL), QS_SUCCESS);
	assert_int_equal(qaicOpenQpcFile(&qpc, "tiny"), QS_SUCCESS);
	assert_int_equal(qaicProgramPropertiesInitDefault(&props), QS_SUCCESS);
	assert_int_equal(props.SubmitNumRetries, 5);
	props.SubmitNumRetries = 2;
	props.SubmitRetryTimeoutMs = 20;
	assert_int_equal(qaicCreateProgram(ctx, &pg, &props, 0, "faulty", qpc), QS_SUCCESS);
	assert_int_equal(qaicCreateQueue(ctx, &q, NULL, 0), QS_SUCCESS);
	assert_int_equal(qaicCreateExecObj(ctx, &eo, NULL, pg, NULL, NULL, NULL), QS_SUCCESS);
	assert_int_equal(qaicCreateExecObj(ctx, &eo2, NULL, pg, NULL, NULL, NULL), QS_SUCCESS);

	assert_int_equal(run_one(q, eo), QS_SUCCESS);
	assert_int_equal(run_one(q, eo), QS_SUCCESS);
	assert_int_equal(run_one(q, eo), QS_DEV_ERROR);
	assert_int_equal(nerrors, 1);
	assert_int_equal(last_type, QIAC_ERROR_EXECOBJ_RUNTIME);
	assert_int_equal(run_one(q, eo), QS_SUCCESS);
	t0 = now_ms();
	assert_int_equal(run_one(q, eo), QS_TIMEDOUT);
	assert_true(now_ms() - t0 >= 3 * 20 - 1);	/* 1 + 2 retries of 20 ms */
	assert_int_equal(nerrors, 2);
	assert_int_equal(run_one(q, eo2), QS_SUCCESS);
	assert_int_equal(run_one(q, eo2), QS_BUSY);
	assert_int_equal(nerrors, 3);
	assert_int_equal(run_one(q, eo2), QS_SUCCESS);

	assert_int_equal(qaicProgramGetInfo(pg, &pi), QS_SUCCESS);
	assert_int_equal(qaicReleaseExecObj(eo), QS_SUCCESS);	/* hung BO freed */
	assert_int_equal(qaicReleaseExecObj(eo2), QS_SUCCESS);
	assert_int_equal(qaicReleaseProgram(pg), QS_SUCCESS);

	/* samples 2, 4 and 6 failed: not in the file */
	snprintf(path, sizeof(path), "%s/aic-profiling-program-%u-latency.txt",
		 outdir, pi.programID);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "NumSamples", 10))
			assert_string_equal(line, "NumSamples collected: 5 Num Requested: 8\n");
		if (sscanf(line, "%u ,", &s) == 1 && n < 8)
			samples[n++] = s;
	}
	fclose(f);
	unlink(path);
	assert_int_equal(n, 5);
	assert_int_equal(samples[0], 0);
	assert_int_equal(samples[1], 1);
	assert_int_equal(samples[2], 3);
	assert_int_equal(samples[3], 5);
	assert_int_equal(samples[4], 7);

	assert_int_equal(qaicReleaseQueue(q), QS_SUCCESS);
	assert_int_equal(qaicCloseQpc(qpc), QS_SUCCESS);
	assert_int_equal(qaicReleaseContext(ctx), QS_SUCCESS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_faults),
	};
	int rc;

	if (!mkdtemp(outdir))
		return 1;
	setenv("QAIC_SIM_TIME_SCALE", "0.01", 1);
	setenv("QAIC_SIM_FAULT_DEVERR", "2", 1);
	setenv("QAIC_SIM_FAULT_HANG", "4", 1);
	setenv("QAIC_SIM_FAULT_EAGAIN", "6:51", 1);
	setenv("QAIC_SIM_PROFILING_TYPE", "latency", 1);
	setenv("QAIC_SIM_PROFILING_NUM_SAMPLES", "8", 1);
	setenv("QAIC_SIM_PROFILING_OUT_DIR", outdir, 1);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(outdir);
	return rc;
}
