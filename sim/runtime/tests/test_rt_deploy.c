/* SPDX-License-Identifier: MIT */
/*
 * Shapes of real deployments on the simulated runtime, each scenario in
 * its own process (the emulated driver reads its settings once; see
 * test_rt_deploy.sh for the environment of each):
 *   group   program groups: enable, disable waiting (timeout), disable
 *           with an inference in flight (it fails, QS_PERM: the kernel
 *           released its DBC), enable again (BOs re-attached), release
 *   ssr     a subsystem restart after the 3rd request (QAIC_SIM_FAULT_SSR):
 *           the completed 3rd inference loses its sample (its BOs were
 *           detached before the runtime's PERF_STATS), the next ones fail
 *           with QS_DEV_ERROR (EXECUTE -EPIPE) while the device restarts,
 *           and once the runtime re-activated on its own thread (the test
 *           only sleeps) inferences succeed again on the same exec object
 *
 * Independent truths: the statuses the API returns, the latency file the
 * runtime writes (rows only for inferences that succeeded, in sample
 * order), the test's own clock.
 *
 * Usage: test_rt_deploy SCENARIO
 */
#include <dirent.h>
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

static char outdir[] = "/tmp/test_rt_deploy_XXXXXX";

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static double time_scale(void)
{
	const char *s = getenv("QAIC_SIM_TIME_SCALE");

	return s && *s ? strtod(s, NULL) : 1.0;
}

/* Sample numbers of the rows of program @id's latency file. */
static int read_samples(unsigned int id, unsigned int *samples, int max)
{
	char path[512], line[2048];
	int n = 0, lineno = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/aic-profiling-program-%u-latency.txt",
		 outdir, id);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (++lineno > 5 && n < max)
			samples[n++] = (unsigned int)strtoul(line, NULL, 10);
	fclose(f);
	return n;
}

static QAicQpcObj *open_desc(const char *text)
{
	QAicQpcObj *qpc = NULL;

	assert_int_equal(qaicOpenQpc(&qpc, (const uint8_t *)text, strlen(text), false),
			 QS_SUCCESS);
	return qpc;
}

/* ---- program groups ------------------------------------------------------- */

static QStatus run_one(QAicQueue *q, QAicExecObj *eo)
{
	assert_int_equal(qaicEnqueueExecObj(q, eo, NULL), QS_SUCCESS);
	return qaicExecObjWaitForCompletion(eo, 0);
}

static void test_group(void **state)
{
	/* 200 ms of device time per inference (before the time scale) */
	static const char slow[] = "name = slow\ncompute_us = 200000\nstats = 1\n"
				   "buffer = in 4096 in\nbuffer = out 4096 out\n";
	QAicContext *ctx;
	QAicQpcObj *qpc_slow, *qpc_tiny;
	QAicProgramGroup *g;
	QAicQueue *q;
	QAicProgram *ps, *pt;
	QAicExecObj *es, *et;
	QAicProgramInfo pi;
	unsigned int samples[16];
	uint64_t t0, dev_us = (uint64_t)(200000 * time_scale());

	(void)state;
	assert_int_equal(qaicCreateContext(&ctx, NULL, 0, NULL, NULL, NULL, NULL, NULL), QS_SUCCESS);
	qpc_slow = open_desc(slow);
	assert_int_equal(qaicOpenQpcFile(&qpc_tiny, "tiny"), QS_SUCCESS);
	assert_int_equal(qaicCreateProgramGroup(ctx, &g, &q, NULL, "grp", 0), QS_SUCCESS);
	assert_int_equal(qaicProgramGroupAddProgram(g, qpc_slow, &ps, NULL), QS_SUCCESS);
	assert_int_equal(qaicProgramGroupEnable(g), QS_SUCCESS);
	/* added to an enabled group: active at once */
	assert_int_equal(qaicProgramGroupAddProgram(g, qpc_tiny, &pt, NULL), QS_SUCCESS);
	assert_int_equal(qaicProgramGetInfo(pt, &pi), QS_SUCCESS);
	assert_int_equal(pi.status, QAIC_PROGRAM_FULLY_ACTIVATED);
	assert_int_equal(qaicCreateExecObj(ctx, &es, NULL, ps, NULL, NULL, NULL), QS_SUCCESS);
	assert_int_equal(qaicCreateExecObj(ctx, &et, NULL, pt, NULL, NULL, NULL), QS_SUCCESS);

	/* samples 0 of both */
	assert_int_equal(run_one(q, es), QS_SUCCESS);
	assert_int_equal(run_one(q, et), QS_SUCCESS);

	/* sample 1 of slow: a waiting Disable that times out changes nothing */
	assert_int_equal(qaicEnqueueExecObj(q, es, NULL), QS_SUCCESS);
	t0 = now_us();
	assert_int_equal(qaicProgramGroupDisable(g, true, 1000), QS_TIMEDOUT);
	assert_true(now_us() - t0 < dev_us);
	assert_int_equal(qaicExecObjWaitForCompletion(es, 0), QS_SUCCESS);

	/* sample 2 of slow: Disable without waiting; the kernel releases the
	 * DBC under the inference, which fails */
	assert_int_equal(qaicEnqueueExecObj(q, es, NULL), QS_SUCCESS);
	usleep(dev_us / 4);
	t0 = now_us();
	assert_int_equal(qaicProgramGroupDisable(g, false, 0), QS_SUCCESS);
	assert_int_equal(qaicExecObjWaitForCompletion(es, 0), QS_PERM);
	assert_true(now_us() - t0 < dev_us);
	assert_int_equal(qaicProgramGetInfo(ps, &pi), QS_SUCCESS);
	assert_int_equal(pi.status, QAIC_PROGRAM_LOADED);
	assert_int_equal(qaicEnqueueExecObj(q, et, NULL), QS_INVAL);

	/* enabled again: the same exec objects run on the new activation
	 * (samples 3 of slow, 1 of tiny) */
	assert_int_equal(qaicProgramGroupEnable(g), QS_SUCCESS);
	assert_int_equal(run_one(q, es), QS_SUCCESS);
	assert_int_equal(run_one(q, et), QS_SUCCESS);
	/* waiting Disable: in-flight inference (sample 4) completes first */
	assert_int_equal(qaicEnqueueExecObj(q, es, NULL), QS_SUCCESS);
	assert_int_equal(qaicProgramGroupDisable(g, true, 60000000), QS_SUCCESS);
	assert_int_equal(qaicExecObjWaitForCompletion(es, 0), QS_SUCCESS);

	assert_int_equal(qaicReleaseExecObj(es), QS_SUCCESS);
	assert_int_equal(qaicReleaseExecObj(et), QS_SUCCESS);
	assert_int_equal(qaicReleaseProgramGroup(g), QS_SUCCESS);
	assert_int_equal(qaicCloseQpc(qpc_slow), QS_SUCCESS);
	assert_int_equal(qaicCloseQpc(qpc_tiny), QS_SUCCESS);
	assert_int_equal(qaicReleaseContext(ctx), QS_SUCCESS);

	/* the failed inference is no sample; the others are, in order */
	assert_int_equal(read_samples(0, samples, 16), 4);
	assert_int_equal(samples[0], 0);
	assert_int_equal(samples[1], 1);
	assert_int_equal(samples[2], 3);
	assert_int_equal(samples[3], 4);
	assert_int_equal(read_samples(1, samples, 16), 2);
}

/* ---- subsystem restart ------------------------------------------------- */

static void test_ssr(void **state)
{
	static const char desc[] = "name = r\ncompute_us = 1000\nstats = 1\n"
				   "buffer = in 4096 in\nbuffer = out 4096 out\n";
	QAicContext *ctx;
	QAicQpcObj *qpc;
	QAicProgram *pg;
	QAicQueue *q;
	QAicExecObj *eo;
	unsigned int samples[16];
	int i, n;

	(void)state;
	assert_int_equal(qaicCreateContext(&ctx, NULL, 0, NULL, NULL, NULL, NULL, NULL), QS_SUCCESS);
	qpc = open_desc(desc);
	assert_int_equal(qaicCreateProgram(ctx, &pg, NULL, 0, "r", qpc), QS_SUCCESS);
	assert_int_equal(qaicCreateQueue(ctx, &q, NULL, 0), QS_SUCCESS);
	assert_int_equal(qaicCreateExecObj(ctx, &eo, NULL, pg, NULL, NULL, NULL), QS_SUCCESS);
	for (i = 0; i < 3; i++)		/* samples 0..2; the 3rd restarts */
		assert_int_equal(run_one(q, eo), QS_SUCCESS);
	/* the restart lasts 300 ms: EXECUTE -EPIPE meanwhile */
	assert_int_equal(run_one(q, eo), QS_DEV_ERROR);	/* sample 3 */
	assert_int_equal(run_one(q, eo), QS_DEV_ERROR);	/* sample 4 */
	/* no API call: the runtime re-activates by itself */
	usleep(600000);
	for (i = 0; i < 3; i++)		/* samples 5..7 */
		assert_int_equal(run_one(q, eo), QS_SUCCESS);
	assert_int_equal(qaicReleaseExecObj(eo), QS_SUCCESS);
	assert_int_equal(qaicReleaseProgram(pg), QS_SUCCESS);
	n = read_samples(0, samples, 16);
	assert_int_equal(n, 5);
	assert_int_equal(samples[0], 0);
	assert_int_equal(samples[1], 1);
	assert_int_equal(samples[2], 5);
	assert_int_equal(samples[3], 6);
	assert_int_equal(samples[4], 7);
	assert_int_equal(qaicReleaseQueue(q), QS_SUCCESS);
	assert_int_equal(qaicCloseQpc(qpc), QS_SUCCESS);
	assert_int_equal(qaicReleaseContext(ctx), QS_SUCCESS);
}

static void remove_outdir(void)
{
	struct dirent *de;
	char path[600];
	DIR *d = opendir(outdir);

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", outdir, de->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	rmdir(outdir);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest group[] = { cmocka_unit_test(test_group) };
	const struct CMUnitTest ssr[] = { cmocka_unit_test(test_ssr) };
	const char *scenario = argc > 1 ? argv[1] : "";
	int rc;

	if (!mkdtemp(outdir))
		return 1;
	setenv("QAIC_SIM_PROFILING_TYPE", "latency", 1);
	setenv("QAIC_SIM_PROFILING_NUM_SAMPLES", "100000", 1);
	setenv("QAIC_SIM_PROFILING_OUT_DIR", outdir, 1);
	if (!strcmp(scenario, "group")) {
		rc = cmocka_run_group_tests_name("group", group, NULL, NULL);
	} else if (!strcmp(scenario, "ssr")) {
		rc = cmocka_run_group_tests_name("ssr", ssr, NULL, NULL);
	} else {
		fprintf(stderr, "usage: test_rt_deploy group|ssr\n");
		rc = 2;
	}
	if (!getenv("KEEP"))
		remove_outdir();
	return rc;
}
