/* SPDX-License-Identifier: MIT */
/*
 * Runtime profiling: the per-program latency file
 * aic-profiling-program-<P>-latency.txt (docs/CONTRACTS.md §3.1), from the
 * runtime's own CLOCK_MONOTONIC stamps, kernel perf stats and device cycle
 * counts; with the types "stats" and "trace" also the device-level
 * outputs of devprof.c.  QAIC_SIM_PROFILING_TYPE is a list
 * ("latency,stats,trace").
 *
 * Rows are indexed by sample (inference number of the program, in enqueue
 * order).  A row is stored "provisional" by the worker when the inference
 * finishes, and made final when the application is handed the completion
 * (profile_handover).  The file is written once: when all requested rows
 * are final, or at program release / process exit with what is there.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

enum row_state { ROW_EMPTY, ROW_PROVISIONAL, ROW_FINAL };

struct rt_profile {
	pthread_mutex_t lock;
	uint64_t start, n;
	char outdir[PATH_MAX];
	struct prof_row *rows;
	unsigned char *state;
	uint64_t nfilled, nfinal;
	bool written;
	bool latency, stats, trace;	/* the types asked for */
};

static int env_count(struct QAicContext *ctx, const char *name, uint64_t def,
		     uint64_t min, uint64_t *out)
{
	const char *s = getenv(name);
	unsigned long long v;
	char *end;

	*out = def;
	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || s[0] == '-' || v < min || v > (1u << 24)) {
		rt_log(ctx, QL_ERROR, "%s='%s': expected an integer in %" PRIu64 "..%u; profiling off",
		       name, s, min, 1u << 24);
		return -1;
	}
	*out = v;
	return 0;
}

struct rt_profile *profile_create(struct QAicContext *ctx)
{
	const char *type = getenv("QAIC_SIM_PROFILING_TYPE");
	const char *dir = getenv("QAIC_SIM_PROFILING_OUT_DIR");
	struct rt_profile *p;
	uint64_t start, n;

	bool lat = false, stats = false, trace = false;
	char list[64], *tok, *save;

	if (!type || !*type)
		return NULL;
	snprintf(list, sizeof(list), "%s", type);
	for (tok = strtok_r(list, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		if (!strcmp(tok, "latency")) {
			lat = true;
		} else if (!strcmp(tok, "stats")) {
			stats = true;
		} else if (!strcmp(tok, "trace")) {
			trace = true;
		} else {
			rt_log(ctx, QL_WARN, "QAIC_SIM_PROFILING_TYPE='%s': '%s' not supported (latency, stats, trace); profiling off",
			       type, tok);
			return NULL;
		}
	}
	if (!lat && !stats && !trace)
		return NULL;
	if (env_count(ctx, "QAIC_SIM_PROFILING_START_ITER", 0, 0, &start) ||
	    env_count(ctx, "QAIC_SIM_PROFILING_NUM_SAMPLES", 1, 1, &n))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->rows = calloc(n, sizeof(*p->rows));
	p->state = calloc(n, 1);
	if (!p->rows || !p->state) {
		rt_log(ctx, QL_ERROR, "profiling: out of memory for %" PRIu64 " samples", n);
		profile_destroy(p);
		return NULL;
	}
	p->start = start;
	p->n = n;
	p->latency = lat;
	p->stats = stats;
	p->trace = trace;
	snprintf(p->outdir, sizeof(p->outdir), "%s", dir && *dir ? dir : ".");
	pthread_mutex_init(&p->lock, NULL);
	return p;
}

void profile_destroy(struct rt_profile *p)
{
	if (!p)
		return;
	if (p->rows)
		pthread_mutex_destroy(&p->lock);
	free(p->rows);
	free(p->state);
	free(p);
}

bool profile_wants(const struct rt_profile *p, uint64_t sample)
{
	return p && sample >= p->start && sample - p->start < p->n;
}

/* ---- formatting -------------------------------------------------------- */

static const char *const columns[] = {
	"Sample", "devInfPerSec", "devExecUs", "devInWaitTimeUs",
	"devOutWaitTimeUs", "hostRoundTripUs", "enqTimeUs", "preProcTimeUs",
	"submitTimeUs", "execTotalUs", "exectoVcUs", "execToCompleteUs",
	"postProcUs", "totalRoundtripTimeUs", "queueDepth", "numInfInQueue",
};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))
#define CELL 32

/* ns as µs with exactly 3 decimals (exact, no floating point). */
static void fmt_us(char *cell, uint64_t ns)
{
	snprintf(cell, CELL, "%" PRIu64 ".%03" PRIu64, ns / 1000, ns % 1000);
}

/* 19.2 MHz device ticks as µs, 3 decimals. */
static void fmt_ticks(char *cell, uint64_t ticks)
{
	snprintf(cell, CELL, "%.3f", (double)ticks / 19.2);
}

static void put_line(FILE *f, char cells[][CELL])
{
	size_t i;

	for (i = 0; i < NCOLS; i++)
		fprintf(f, "%-12s  %s", cells[i], i + 1 < NCOLS ? "," : "\n");
}

static void put_row(FILE *f, const struct prof_row *r, uint32_t batch)
{
	char c[NCOLS][CELL];
	uint64_t end = r->handed ? r->handed : r->done;

	snprintf(c[0], CELL, "%" PRIu64, r->sample);
	if (r->has_dev && r->dev_exec_ticks) {
		snprintf(c[1], CELL, "%.3f",
			 batch * 1e6 / ((double)r->dev_exec_ticks / 19.2));
		fmt_ticks(c[2], r->dev_exec_ticks);
		fmt_ticks(c[3], r->dev_in_ticks);
		fmt_ticks(c[4], r->dev_out_ticks);
	} else {
		strcpy(c[1], "N/A");
		strcpy(c[2], "N/A");
		strcpy(c[3], "N/A");
		strcpy(c[4], "N/A");
	}
	snprintf(c[5], CELL, "%" PRIu64,
		 (uint64_t)r->exec_to_vc + r->exec_to_complete);
	fmt_us(c[6], r->enq_ns);
	fmt_us(c[7], r->pre_ns);
	fmt_us(c[8], r->sub_ns);
	fmt_us(c[9], r->exec_ns);
	snprintf(c[10], CELL, "%u", r->exec_to_vc);
	snprintf(c[11], CELL, "%u", r->exec_to_complete);
	fmt_us(c[12], r->post_ns);
	fmt_us(c[13], end - r->enq_start);
	snprintf(c[14], CELL, "%u", r->queue_depth);
	snprintf(c[15], CELL, "%u", r->num_inf);
	put_line(f, c);
}

static void write_device(struct QAicProgram *pg, struct rt_profile *p)
{
	const struct prof_row **v;
	size_t n = 0;
	uint64_t i;

	if (!pg->desc->stats) {
		rt_log(pg->ctx, QL_WARN, "program %s is not stats-compiled: no device %s%s%s",
		       pg->name, p->stats ? "opstats" : "",
		       p->stats && p->trace ? " or " : "", p->trace ? "trace" : "");
		return;
	}
	v = calloc(p->n, sizeof(*v));
	if (!v) {
		rt_log(pg->ctx, QL_ERROR, "profiling: out of memory");
		return;
	}
	for (i = 0; i < p->n; i++)
		if (p->state[i] != ROW_EMPTY && p->rows[i].has_dev)
			v[n++] = &p->rows[i];
	for (i = 0; p->stats && i < n; i++)
		devprof_write_opstats(pg, p->outdir, v[i]);
	if (p->trace && n)
		devprof_write_trace(pg, p->outdir, v, n);
	free(v);
}

static void write_locked(struct QAicProgram *pg, struct rt_profile *p)
{
	char path[PATH_MAX + 64], hdr[NCOLS][CELL];
	uint64_t i;
	FILE *f;

	p->written = true;
	if (p->stats || p->trace)
		write_device(pg, p);
	if (!p->latency)
		return;
	snprintf(path, sizeof(path), "%s/aic-profiling-program-%u-latency.txt",
		 p->outdir, pg->id);
	f = fopen(path, "we");
	if (!f) {
		rt_log(pg->ctx, QL_ERROR, "%s: cannot write: %s", path,
		       strerror(errno));
		return;
	}
	printf("Writing file:%s\n", path);
	fflush(stdout);
	fprintf(f, "Profiling Data\nProgramId:%u\nProgramName: %s\n", pg->id,
		pg->name);
	fprintf(f, "NumSamples collected: %" PRIu64 " Num Requested: %" PRIu64 "\n",
		p->nfilled, p->n);
	for (i = 0; i < NCOLS; i++)
		snprintf(hdr[i], CELL, "%s", columns[i]);
	put_line(f, hdr);
	for (i = 0; i < p->n; i++)
		if (p->state[i] != ROW_EMPTY)
			put_row(f, &p->rows[i], pg->desc->batch);
	if (fclose(f))
		rt_log(pg->ctx, QL_ERROR, "%s: write error: %s", path,
		       strerror(errno));
}

/* ---- collection -------------------------------------------------------- */

void profile_record(struct QAicProgram *pg, const struct prof_row *row)
{
	struct rt_profile *p = pg->prof;
	uint64_t i;

	if (!profile_wants(p, row->sample))
		return;
	i = row->sample - p->start;
	pthread_mutex_lock(&p->lock);
	if (!p->written && p->state[i] == ROW_EMPTY) {
		p->rows[i] = *row;
		p->state[i] = ROW_PROVISIONAL;
		p->nfilled++;
	}
	pthread_mutex_unlock(&p->lock);
}

void profile_handover(struct QAicProgram *pg, uint64_t sample, uint64_t t)
{
	struct rt_profile *p = pg->prof;
	uint64_t i;

	if (!profile_wants(p, sample))
		return;
	i = sample - p->start;
	pthread_mutex_lock(&p->lock);
	if (!p->written && p->state[i] == ROW_PROVISIONAL) {
		p->rows[i].handed = t;
		p->state[i] = ROW_FINAL;
		if (++p->nfinal == p->n)
			write_locked(pg, p);
	}
	pthread_mutex_unlock(&p->lock);
}

void profile_flush(struct QAicProgram *pg)
{
	struct rt_profile *p = pg->prof;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	if (!p->written && p->nfilled)
		write_locked(pg, p);
	pthread_mutex_unlock(&p->lock);
}

static void flush_one(struct rt_obj *obj, void *arg)
{
	profile_flush((struct QAicProgram *)obj);
}

/* Process exit: write what live programs collected. */
__attribute__((destructor))
static void profile_at_exit(void)
{
	rt_foreach(RT_PROGRAM, flush_one, NULL);
}
