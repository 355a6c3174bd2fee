/* SPDX-License-Identifier: MIT */
/*
 * End to end through the public API with runtime profiling on: inferences
 * on the emulated driver, then the latency file read back and checked
 * against its format (docs/CONTRACTS.md §3.1), its identities, the program's
 * timing model, and the application's own clock (an independent truth: every
 * runtime span lies inside the span the application saw).
 */
#include <dirent.h>
#include <math.h>
#include <pthread.h>
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

#define SCALE 0.05			/* QAIC_SIM_TIME_SCALE for this test */
#define SLOW_PREPROC_US 150		/* QAIC_SIM_FAULT_SLOW_PREPROC_US */
#define MAX_ROWS 64
#define NCOLS 16

enum col {
	C_SAMPLE, C_DEVINF, C_DEVEXEC, C_DEVIN, C_DEVOUT, C_HOSTRT, C_ENQ,
	C_PRE, C_SUBMIT, C_EXECTOTAL, C_TOVC, C_TOCOMPLETE, C_POST, C_TOTAL,
	C_QDEPTH, C_NINF,
};

static const char *const colnames[NCOLS] = {
	"Sample", "devInfPerSec", "devExecUs", "devInWaitTimeUs",
	"devOutWaitTimeUs", "hostRoundTripUs", "enqTimeUs", "preProcTimeUs",
	"submitTimeUs", "execTotalUs", "exectoVcUs", "execToCompleteUs",
	"postProcUs", "totalRoundtripTimeUs", "queueDepth", "numInfInQueue",
};

struct lfile {
	char name[128];
	unsigned int id, collected, requested, nrows;
	char cell[MAX_ROWS][NCOLS][32];
	double v[MAX_ROWS][NCOLS];	/* NAN for N/A */
};

static char outdir[] = "/tmp/test_rt_e2e_XXXXXX";

/* App-side truth per sample: enqueue entry/return and completion seen. */
static struct {
	double enq_entry, enq_return, done;
} app[MAX_ROWS];

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void set_profiling(unsigned int start, unsigned int n)
{
	char buf[32];

	setenv("QAIC_SIM_PROFILING_TYPE", "latency", 1);
	snprintf(buf, sizeof(buf), "%u", start);
	setenv("QAIC_SIM_PROFILING_START_ITER", buf, 1);
	snprintf(buf, sizeof(buf), "%u", n);
	setenv("QAIC_SIM_PROFILING_NUM_SAMPLES", buf, 1);
	setenv("QAIC_SIM_PROFILING_OUT_DIR", outdir, 1);
}

static void path_of(char *path, size_t len, unsigned int id)
{
	snprintf(path, len, "%s/aic-profiling-program-%u-latency.txt", outdir, id);
}

/* Checks one CSV line's padding: every cell is "%-12s  ". */
static int split_line(char *line, char cells[NCOLS][32])
{
	char *save = NULL, *tok, want[64];
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	for (tok = strtok_r(line, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char val[32];

		if (n == NCOLS || sscanf(tok, "%31s", val) != 1)
			return -1;
		snprintf(want, sizeof(want), "%-12s  ", val);
		if (strcmp(tok, want)) {
			print_error("cell '%s' is not padded as '%s'\n", tok, want);
			return -1;
		}
		strcpy(cells[n++], val);
	}
	return n;
}

static void read_lfile(unsigned int id, struct lfile *f)
{
	char path[512], line[2048], cells[NCOLS][32];
	FILE *fp;
	int i;

	path_of(path, sizeof(path), id);
	fp = fopen(path, "r");
	assert_non_null(fp);
	memset(f, 0, sizeof(*f));
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_string_equal(line, "Profiling Data\n");
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_int_equal(sscanf(line, "ProgramId:%u", &f->id), 1);
	assert_int_equal(f->id, id);
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_int_equal(strncmp(line, "ProgramName: ", 13), 0);
	snprintf(f->name, sizeof(f->name), "%.*s", (int)strcspn(line + 13, "\n"), line + 13);
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_int_equal(sscanf(line, "NumSamples collected: %u Num Requested: %u",
				&f->collected, &f->requested), 2);
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_int_equal(split_line(line, cells), NCOLS);
	for (i = 0; i < NCOLS; i++)
		assert_string_equal(cells[i], colnames[i]);
	while (fgets(line, sizeof(line), fp)) {
		assert_true(f->nrows < MAX_ROWS);
		assert_int_equal(split_line(line, f->cell[f->nrows]), NCOLS);
		for (i = 0; i < NCOLS; i++) {
			const char *c = f->cell[f->nrows][i];
			char *end;

			f->v[f->nrows][i] = strcmp(c, "N/A") ? strtod(c, &end) : NAN;
			assert_true(!strcmp(c, "N/A") || !*end);
		}
		f->nrows++;
	}
	fclose(fp);
	assert_int_equal(f->nrows, f->collected);
}

static int decimals(const char *cell)
{
	const char *dot = strchr(cell, '.');

	return dot ? (int)strlen(dot + 1) : 0;
}

struct model {
	double compute_us, jitter_us, tail_us;
	unsigned int batch, bo_elems;
	bool stats;
};

/* Every identity of the latency file, per row. */
static void check_rows(const struct lfile *f, unsigned int start,
		       const struct model *m, bool check_app)
{
	unsigned int r, c;

	for (r = 0; r < f->nrows; r++) {
		const double *v = f->v[r];
		unsigned int s = (unsigned int)v[C_SAMPLE];

		assert_int_equal(s, start + r);	/* enqueue order, start-based */
		for (c = C_HOSTRT; c < NCOLS; c++) {
			bool integer = c == C_HOSTRT || c == C_TOVC || c == C_TOCOMPLETE ||
				       c == C_QDEPTH || c == C_NINF;

			assert_int_equal(decimals(f->cell[r][c]), integer ? 0 : 3);
		}
		assert_true(v[C_HOSTRT] == v[C_TOVC] + v[C_TOCOMPLETE]);
		assert_true(v[C_TOTAL] >= v[C_ENQ] + v[C_PRE] + v[C_EXECTOTAL] + v[C_POST]);
		/* kernel spans truncate to µs and lie inside EXECUTE..WAIT */
		assert_true(v[C_HOSTRT] <= v[C_EXECTOTAL]);
		assert_true(v[C_PRE] >= SLOW_PREPROC_US);
		assert_true(v[C_SUBMIT] < 2000);	/* not the ioctl, no faults */
		if (v[C_SUBMIT] >= 50)
			print_message("row %u: submitTimeUs %s\n", r, f->cell[r][C_SUBMIT]);
		if (v[C_QDEPTH] > 0)
			assert_true(v[C_NINF] == 1 + floor(v[C_QDEPTH] / m->bo_elems));
		else
			assert_true(v[C_NINF] == 1);
		if (!m->stats) {
			for (c = C_DEVINF; c <= C_DEVOUT; c++)
				assert_string_equal(f->cell[r][c], "N/A");
		} else {
			double lo = (m->compute_us - m->jitter_us) * SCALE;
			double hi = (m->compute_us + m->jitter_us + m->tail_us) * SCALE;

			for (c = C_DEVINF; c <= C_DEVOUT; c++)
				assert_int_equal(decimals(f->cell[r][c]), 3);
			assert_true(v[C_DEVEXEC] >= lo * 0.98 - 0.1);
			assert_true(v[C_DEVEXEC] <= hi * 1.02 + 1.0);
			/* devExec is printed rounded to 0.0005 µs */
			assert_true(fabs(v[C_DEVINF] - m->batch * 1e6 / v[C_DEVEXEC]) <=
				    0.0011 + v[C_DEVINF] * 0.00051 / v[C_DEVEXEC]);
			/* device time lies inside doorbell..IRQ (µs truncation) */
			assert_true(v[C_DEVEXEC] <= v[C_TOCOMPLETE] + 1.0);
			assert_true(v[C_DEVIN] + v[C_DEVOUT] <= v[C_DEVEXEC]);
		}
		if (check_app) {
			assert_true(v[C_ENQ] <= app[s].enq_return - app[s].enq_entry + 0.002);
			assert_true(v[C_TOTAL] <= app[s].done - app[s].enq_entry + 0.002);
		}
	}
}

static void fill_buffers(QAicProgram *pg, QAicExecObj *eo, QBuffer **out)
{
	QAicIoBufferInfo *bi;
	QBuffer *b;
	uint32_t i;

	assert_int_equal(qaicProgramGetIoBufferInfo(pg, &bi), QS_SUCCESS);
	b = calloc(bi->numBufferMappings, sizeof(*b));
	assert_non_null(b);
	for (i = 0; i < bi->numBufferMappings; i++) {
		b[i].size = bi->bufferMappings[i].size;
		b[i].buf = calloc(1, b[i].size);
		assert_non_null(b[i].buf);
		memset(b[i].buf, (int)(i + 1), b[i].size);
	}
	assert_int_equal(qaicExecObjSetData(eo, bi->numBufferMappings, b), QS_SUCCESS);
	*out = b;
}

static void free_buffers(QAicProgram *pg, QBuffer *b)
{
	QAicIoBufferInfo *bi;
	uint32_t i;

	assert_int_equal(qaicProgramGetIoBufferInfo(pg, &bi), QS_SUCCESS);
	for (i = 0; i < bi->numBufferMappings; i++)
		free(b[i].buf);
	free(b);
}

static unsigned int program_id(QAicProgram *pg)
{
	QAicProgramInfo pi;

	assert_int_equal(qaicProgramGetInfo(pg, &pi), QS_SUCCESS);
	return pi.programID;
}

static bool file_exists(unsigned int id)
{
	char path[512];

	path_of(path, sizeof(path), id);
	return access(path, F_OK) == 0;
}

/* Sequential inferences, WaitForCompletion: file written when full. */
static void test_wait_style(void **state)
{
	const struct model m = { 50, 5, 0, 1, 3, true };
	QAicContext *ctx;
	QAicQpcObj *qpc;
	QAicProgram *pg;
	QAicQueue *q;
	QAicExecObj *eo;
	QBuffer *b;
	struct lfile f;
	unsigned int i, id;

	set_profiling(3, 20);
	assert_int_equal(qaicCreateContext(&ctx, NULL, 0, NULL, NULL, NULL, NULL, NULL), QS_SUCCESS);
	assert_int_equal(qaicOpenQpcFile(&qpc, "tiny"), QS_SUCCESS);
	assert_int_equal(qaicCreateProgram(ctx, &pg, NULL, 0, "Program:tiny", qpc), QS_SUCCESS);
	id = program_id(pg);
	assert_int_equal(qaicCreateQueue(ctx, &q, NULL, 0), QS_SUCCESS);
	assert_int_equal(qaicCreateExecObj(ctx, &eo, NULL, pg, NULL, NULL, NULL), QS_SUCCESS);
	fill_buffers(pg, eo, &b);
	for (i = 0; i < 30; i++) {
		app[i].enq_entry = now_us();
		assert_int_equal(qaicEnqueueExecObj(q, eo, NULL), QS_SUCCESS);
		app[i].enq_return = now_us();
		assert_int_equal(qaicExecObjWaitForCompletion(eo, 10000000), QS_SUCCESS);
		app[i].done = now_us();
		/* the file appears exactly when the 20th sample is handed over */
		assert_int_equal(file_exists(id), i >= 22);
	}
	/* post-processing copied the output BOs into the user's buffers:
	 * the device's aiccyclecounts record reached the application */
	assert_int_equal(*(uint64_t *)b[2].buf, 0x4359434c45534943ull);
	read_lfile(id, &f);
	assert_string_equal(f.name, "Program:tiny");
	assert_int_equal(f.collected, 20);
	assert_int_equal(f.requested, 20);
	check_rows(&f, 3, &m, true);
	assert_int_equal(qaicReleaseExecObj(eo), QS_SUCCESS);
	free_buffers(pg, b);
	assert_int_equal(qaicReleaseQueue(q), QS_SUCCESS);
	assert_int_equal(qaicReleaseProgram(pg), QS_SUCCESS);
	assert_int_equal(qaicCloseQpc(qpc), QS_SUCCESS);
	assert_int_equal(qaicReleaseContext(ctx), QS_SUCCESS);
}

#define NEO 8

static struct {
	QAicQueue *q;
	QAicExecObj *eo[NEO];
	QAicEvent *ev[NEO];
	unsigned int next[NEO];
	unsigned int rounds;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int done;
} cbs = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

static void on_complete(QAicEvent *ev, QAicEventCompletionType t, void *ud)
{
	unsigned int k = (unsigned int)(uintptr_t)ud;
	double t_cb = now_us();

	assert_int_equal(t, QAIC_EVENT_DEVICE_COMPLETE);
	assert_ptr_equal(ev, cbs.ev[k]);
	pthread_mutex_lock(&cbs.lock);
	app[cbs.next[k]].done = t_cb;
	cbs.done++;
	pthread_cond_broadcast(&cbs.cond);
	pthread_mutex_unlock(&cbs.lock);
}

/* Eight exec objects in flight, callbacks: queue depth and device columns. */
static void test_callback_style(void **state)
{
	const struct model m = { 22700, 300, 2500, 8, 4, true };
	QAicContext *ctx;
	QAicQpcObj *qpc;
	QAicProgram *pg;
	QBuffer *b[NEO];
	struct lfile f;
	unsigned int i, k, id, round, deep = 0;

	set_profiling(0, 16);
	assert_int_equal(qaicCreateContext(&ctx, NULL, 0, NULL, NULL, NULL, NULL, NULL), QS_SUCCESS);
	assert_int_equal(qaicOpenQpcFile(&qpc, "preset:bert"), QS_SUCCESS);
	assert_int_equal(qaicCreateProgram(ctx, &pg, NULL, 0, NULL, qpc), QS_SUCCESS);
	assert_int_equal(qaicRunActivationCmd(pg, QAIC_PROGRAM_CMD_ACTIVATE_FULL), QS_SUCCESS);
	id = program_id(pg);
	assert_int_equal(qaicCreateQueue(ctx, &cbs.q, NULL, 0), QS_SUCCESS);
	for (k = 0; k < NEO; k++) {
		assert_int_equal(qaicCreateExecObj(ctx, &cbs.eo[k], NULL, pg, NULL, NULL, NULL), QS_SUCCESS);
		fill_buffers(pg, cbs.eo[k], &b[k]);
		assert_int_equal(qaicCreateEvent(ctx, &cbs.ev[k], QAIC_EVENT_DEVICE_COMPLETE), QS_SUCCESS);
		assert_int_equal(qaicEventAddCallback(cbs.ev[k], on_complete, (void *)(uintptr_t)k), QS_SUCCESS);
	}
	for (round = 0, i = 0; round < 2; round++) {
		for (k = 0; k < NEO; k++, i++) {
			cbs.next[k] = i;
			app[i].enq_entry = now_us();
			assert_int_equal(qaicEnqueueExecObj(cbs.q, cbs.eo[k], cbs.ev[k]), QS_SUCCESS);
			app[i].enq_return = now_us();
		}
		for (k = 0; k < NEO; k++)
			assert_int_equal(qaicWaitforEvent(cbs.ev[k]), QS_SUCCESS);
	}
	pthread_mutex_lock(&cbs.lock);
	assert_int_equal(cbs.done, 16);
	pthread_mutex_unlock(&cbs.lock);
	assert_true(file_exists(id));
	read_lfile(id, &f);
	assert_string_equal(f.name, "bert-base");	/* no name given */
	assert_int_equal(f.collected, 16);
	check_rows(&f, 0, &m, true);
	for (i = 0; i < f.nrows; i++)
		deep += f.v[i][C_QDEPTH] > 0;
	assert_true(deep > 0);		/* several inferences were queued */
	for (k = 0; k < NEO; k++) {
		assert_int_equal(qaicEventRemoveCallback(cbs.ev[k], on_complete), QS_SUCCESS);
		assert_int_equal(qaicReleaseEvent(cbs.ev[k]), QS_SUCCESS);
		assert_int_equal(qaicReleaseExecObj(cbs.eo[k]), QS_SUCCESS);
		free_buffers(pg, b[k]);
	}
	assert_int_equal(qaicReleaseQueue(cbs.q), QS_SUCCESS);
	assert_int_equal(qaicReleaseProgram(pg), QS_SUCCESS);
	assert_int_equal(qaicCloseQpc(qpc), QS_SUCCESS);
	assert_int_equal(qaicReleaseContext(ctx), QS_SUCCESS);
}

/* No stats: N/A device columns; fewer samples than requested: written at
 * program release; completion through qaicWaitforEvent. */
static void test_event_style_partial(void **state)
{
	const struct model m = { 1150, 40, 300, 1, 2, false };
	QAicContext *ctx;
	QAicQpcObj *qpc;
	QAicProgram *pg;
	QAicQueue *q;
	QAicExecObj *eo;
	QAicEvent *ev;
	struct lfile f;
	unsigned int i, id;

	set_profiling(0, 50);
	assert_int_equal(qaicCreateContext(&ctx, NULL, 0, NULL, NULL, NULL, NULL, NULL), QS_SUCCESS);
	assert_int_equal(qaicOpenQpcFile(&qpc, "resnet50"), QS_SUCCESS);
	assert_int_equal(qaicCreateProgram(ctx, &pg, NULL, 0, "rn50", qpc), QS_SUCCESS);
	id = program_id(pg);
	assert_int_equal(qaicCreateQueue(ctx, &q, NULL, 0), QS_SUCCESS);
	assert_int_equal(qaicCreateExecObj(ctx, &eo, NULL, pg, NULL, NULL, NULL), QS_SUCCESS);
	assert_int_equal(qaicCreateEvent(ctx, &ev, QAIC_EVENT_DEVICE_COMPLETE), QS_SUCCESS);
	for (i = 0; i < 5; i++) {
		app[i].enq_entry = now_us();
		assert_int_equal(qaicEnqueueExecObj(q, eo, ev), QS_SUCCESS);
		app[i].enq_return = now_us();
		assert_int_equal(qaicWaitforEvent(ev), QS_SUCCESS);
		app[i].done = now_us();
	}
	assert_int_equal(qaicReleaseExecObj(eo), QS_SUCCESS);
	assert_false(file_exists(id));
	assert_int_equal(qaicReleaseProgram(pg), QS_SUCCESS);
	assert_true(file_exists(id));
	read_lfile(id, &f);
	assert_string_equal(f.name, "rn50");
	assert_int_equal(f.collected, 5);
	assert_int_equal(f.requested, 50);
	check_rows(&f, 0, &m, true);
	assert_int_equal(qaicReleaseEvent(ev), QS_SUCCESS);
	assert_int_equal(qaicReleaseQueue(q), QS_SUCCESS);
	assert_int_equal(qaicCloseQpc(qpc), QS_SUCCESS);
	assert_int_equal(qaicReleaseContext(ctx), QS_SUCCESS);
}

static int cleanup(void **state)
{
	DIR *d = opendir(outdir);
	struct dirent *e;
	char path[1024];

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", outdir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(outdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wait_style),
		cmocka_unit_test(test_callback_style),
		cmocka_unit_test(test_event_style_partial),
	};
	char buf[32];

	if (!mkdtemp(outdir))
		return 1;
	snprintf(buf, sizeof(buf), "%g", SCALE);
	setenv("QAIC_SIM_TIME_SCALE", buf, 1);
	snprintf(buf, sizeof(buf), "%d", SLOW_PREPROC_US);
	setenv("QAIC_SIM_FAULT_SLOW_PREPROC_US", buf, 1);
	return cmocka_run_group_tests(tests, NULL, cleanup);
}
