/* SPDX-License-Identifier: MIT */
/*
 * Device-level profiling outputs of the simulated runtime (profiling types
 * "stats" and "trace", docs/CONTRACTS.md §3.2-3.3): for each sampled inference of a
 * stats-compiled program,
 *   - an opstats summary aic-profiling-program-<P>-activation-0-inf-<I>.txt
 *     in the real layout (per-core operator table, core trailers, global
 *     trailer);
 *   - the operators of every sampled inference in
 *     aic-profiling-program-<P>-trace.json (Trace Event Format, one process
 *     per NSP core, threads 0-3 HVX, 4 HMX, 5 DMA, slices "<op>-Inf-<I>").
 *
 * Both derive from the device's own cycle counts of the inference (the
 * aiccyclecounts buffer: start, input done, compute done, output start,
 * end, in 19.2 MHz ticks of the host's CLOCK_MONOTONIC) and from the
 * program's operator mix (description key "opmix", cores "nsp_cores"):
 * every core runs from the request's start to its end, the operators of
 * an engine take their share of that time, the rest of the engine's time
 * is "sync"/"barrier" waiting.  Shares get a deterministic +-3 % jitter per
 * sample and core.
 *
 * The device clock is the host's shifted by SIM_DEVICE_CLOCK_ORIGIN_TICKS
 * (a device does not share the host's origin): bracketed opstats values
 * and trace timestamps are ticks + origin (the trace in µs = ticks / 19.2).
 * The first operator of an inference starts at its start tick and the last
 * ends at its end tick, so the operators' span is its devExec.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

#define SIM_DEVICE_CLOCK_ORIGIN_TICKS 9803000000000ull	/* ~5.9 days */
#define TICK_MHZ 19.2

enum eng { E_HVX, E_HMX, E_DMA, E__N };
static const char *const eng_name[E__N] = { "HVX", "HMX", "DMAIssue" };
static const double barrier_share[E__N] = { 0.035, 0.022, 0.030 };

struct opdef {
	const char *name;
	enum eng eng;
	const char *mem;	/* "TCM" / "DDR" */
	const char *dtypes;	/* or NULL */
	double share;		/* of the core's cycles */
	uint32_t count;
	double out_kb;
};

/* bert-like: HMX matmuls, HVX softmax/erf/layernorm, DMA weights from DDR */
static const struct opdef mix_transformer[] = {
	{ "aicconvolutiond32", E_HMX, "TCM", "float16, i8, index32", 0.550, 1081, 525124.00 },
	{ "aicsoftmax", E_HVX, "TCM", "float16, i8, index64", 0.158, 24, 18432.00 },
	{ "aiccopytovtcm", E_DMA, "DDR", NULL, 0.150, 413, 83189.12 },
	{ "elementerf", E_HVX, "TCM", "float16", 0.141, 72, 36864.00 },
	{ "aictranspose", E_HVX, "TCM", "float16", 0.074, 48, 36864.00 },
	{ "aiclayernormd32", E_HVX, "TCM", "float16", 0.050, 25, 19200.00 },
	{ "aicconverttod32", E_HVX, "TCM", "float16, i8", 0.038, 49, 37632.00 },
	{ "aicmulticastvtcm", E_DMA, "TCM", NULL, 0.038, 413, 83188.12 },
	{ "aicmulsplat", E_HVX, "TCM", "float16", 0.031, 145, 73730.00 },
	{ "aicconvertfromd32", E_HVX, "TCM", "float16", 0.030, 62, 55299.00 },
	{ "aicconvertweightstod32", E_HVX, "TCM", "float16", 0.025, 24, 18432.00 },
	{ "elementmul", E_HVX, "TCM", "float16", 0.024, 72, 36864.00 },
	{ "aicbroadcastadd", E_HVX, "TCM", "float16", 0.021, 13, 19200.00 },
	{ "aicaddsplat", E_HVX, "TCM", "float16", 0.016, 72, 36864.00 },
	{ "elementadd", E_HVX, "TCM", "float16", 0.0085, 25, 19200.00 },
	{ "aiccopysamevtcm2d", E_HMX, "TCM", NULL, 0.0054, 72, 27648.00 },
	{ "aicgather", E_HVX, "DDR", "float16, ui8, index32", 0.0021, 1, 768.00 },
	{ "aicendcyclestats", E_DMA, "DDR", "i8", 0.0002, 1, 864.63 },
};

/* resnet-like: convolutions saturate HMX */
static const struct opdef mix_conv[] = {
	{ "aicconvolutiond32", E_HMX, "TCM", "float16, i8, index32", 0.810, 53, 98304.00 },
	{ "aiccopytovtcm", E_DMA, "DDR", NULL, 0.240, 212, 24576.00 },
	{ "aicrelud32", E_HVX, "TCM", "float16", 0.120, 49, 49152.00 },
	{ "elementadd", E_HVX, "TCM", "float16", 0.080, 16, 25088.00 },
	{ "aicmaxpoold32", E_HVX, "TCM", "float16", 0.040, 1, 3136.00 },
	{ "aicmulticastvtcm", E_DMA, "TCM", NULL, 0.050, 212, 24576.00 },
	{ "aicmatmul", E_HMX, "TCM", "float16", 0.030, 1, 3.91 },
	{ "aicconverttod32", E_HVX, "TCM", "float16, i8", 0.030, 2, 588.00 },
	{ "aicendcyclestats", E_DMA, "DDR", "i8", 0.0005, 1, 864.63 },
};

/* a small elementwise program: vector work, little matrix work */
static const struct opdef mix_generic[] = {
	{ "elementadd", E_HVX, "TCM", "float16", 0.520, 4, 0.25 },
	{ "aiccopytovtcm", E_DMA, "DDR", NULL, 0.300, 2, 0.25 },
	{ "aiccopysamevtcm", E_HVX, "TCM", NULL, 0.200, 2, 0.25 },
	{ "aicmatmul", E_HMX, "TCM", "float16", 0.180, 1, 0.25 },
	{ "aicendcyclestats", E_DMA, "DDR", "i8", 0.010, 1, 0.06 },
};

struct mix {
	const struct opdef *ops;
	size_t n;
};

static struct mix mix_of(const struct desc *d)
{
	if (!strcmp(d->opmix, "transformer"))
		return (struct mix){ mix_transformer, sizeof(mix_transformer) / sizeof(mix_transformer[0]) };
	if (!strcmp(d->opmix, "conv"))
		return (struct mix){ mix_conv, sizeof(mix_conv) / sizeof(mix_conv[0]) };
	return (struct mix){ mix_generic, sizeof(mix_generic) / sizeof(mix_generic[0]) };
}

/* deterministic jitter in [1 - amp, 1 + amp] */
static double jit(uint64_t sample, uint32_t core, uint32_t k, double amp)
{
	uint64_t z = sample * 0x9e3779b97f4a7c15ull + core * 0xbf58476d1ce4e5b9ull +
		     k * 0x94d049bb133111ebull + 1;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return 1.0 + amp * (2.0 * (double)(z % 1000001) / 1000000.0 - 1.0);
}

/* One row of a core's table. */
struct row {
	const char *name, *mem, *dtypes;
	enum eng eng;
	bool wait;		/* sync / barrier */
	uint64_t uc, pc, count;
	double out_kb;
};

struct core {
	struct row *rows;
	size_t nrows;
	uint64_t total;		/* ucycles */
	double mhz;
	double busy[E__N];	/* fraction of total */
};

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->uc < y->uc ? 1 : x->uc > y->uc ? -1 : 0;
}

/* The rows of core @c of inference @r (NULL: out of memory). */
static int build_core(const struct desc *d, const struct prof_row *r,
		      uint32_t c, struct core *out)
{
	struct mix mx = mix_of(d);
	uint64_t total = r->dev_end_tick - r->dev_start_tick;
	size_t k, n = 0;
	int e;

	memset(out, 0, sizeof(*out));
	out->total = total ? total : 1;
	out->mhz = 1240.0 * jit(r->sample, c, 999, 0.01);
	out->rows = calloc(mx.n + 2 * E__N, sizeof(*out->rows));
	if (!out->rows)
		return -1;
	for (k = 0; k < mx.n; k++) {
		const struct opdef *o = &mx.ops[k];
		struct row *w = &out->rows[n++];
		double share = o->share * jit(r->sample, c, (uint32_t)k, 0.03);

		w->name = o->name;
		w->mem = o->mem;
		w->dtypes = o->dtypes;
		w->eng = o->eng;
		w->uc = (uint64_t)llround(share * (double)total);
		if (!w->uc)
			w->uc = 1;
		w->pc = (uint64_t)llround((double)w->uc * out->mhz / TICK_MHZ);
		w->count = o->count;
		w->out_kb = o->out_kb;
		out->busy[o->eng] += (double)w->uc / (double)out->total;
	}
	for (e = 0; e < E__N; e++) {
		double bar = barrier_share[e] * jit(r->sample, c, 100 + (uint32_t)e, 0.05);
		double sync = 1.0 - out->busy[e] - bar;
		struct row *w;

		if (sync > 0) {
			w = &out->rows[n++];
			w->name = "sync";
			w->eng = (enum eng)e;
			w->wait = true;
			w->uc = (uint64_t)llround(sync * (double)total);
			w->count = 600 + (uint64_t)(150 * jit(r->sample, c, 200 + (uint32_t)e, 0.5));
		}
		w = &out->rows[n++];
		w->name = "barrier";
		w->eng = (enum eng)e;
		w->wait = true;
		w->uc = (uint64_t)llround(bar * (double)total);
		w->count = 650 + (uint64_t)(100 * jit(r->sample, c, 300 + (uint32_t)e, 0.5));
	}
	out->nrows = n;
	qsort(out->rows, n, sizeof(*out->rows), cmp_row);
	return 0;
}

static void na_or(FILE *f, int width, bool na, double v)
{
	if (na)
		fprintf(f, "%*s", width, "N/A");
	else
		fprintf(f, "%*.2f", width, v);
}

static void put_rows(FILE *f, uint32_t c, const struct core *k)
{
	uint64_t pmax = (uint64_t)llround((double)k->total * k->mhz / TICK_MHZ);
	char cn[16];
	size_t i;

	snprintf(cn, sizeof(cn), "c%u", c);
	fputs("core  ucycles  ucycles(%)     pcycles  pcycles(%)  count      out KB  ucycles/KB  pcycles/KB  stddev(pc/KB)  opdetails\n", f);
	for (i = 0; i < k->nrows; i++) {
		const struct row *w = &k->rows[i];
		char pct[16];

		snprintf(pct, sizeof(pct), "%.2f%%", 100.0 * (double)w->uc / (double)k->total);
		fprintf(f, "%-4s%9" PRIu64 "%12s", cn, w->uc, pct);
		if (w->wait) {
			na_or(f, 12, true, 0);
			na_or(f, 12, true, 0);
		} else {
			fprintf(f, "%12" PRIu64, w->pc);
			snprintf(pct, sizeof(pct), "%.2f%%", 100.0 * (double)w->pc / (double)pmax);
			fprintf(f, "%12s", pct);
		}
		fprintf(f, "%7" PRIu64, w->count);
		na_or(f, 12, w->wait, w->out_kb);
		na_or(f, 12, w->wait, w->wait ? 0 : (double)w->uc / w->out_kb);
		na_or(f, 12, w->wait, w->wait ? 0 : (double)w->pc / w->out_kb);
		na_or(f, 15, w->wait, w->wait ? 0 :
		      (double)w->pc / w->out_kb * 0.1 * (double)(i % 7) / 7.0);
		if (w->wait)
			fprintf(f, "  %s %s\n", w->name, eng_name[w->eng]);
		else
			fprintf(f, "  %s %s %s%s%s%s\n", w->name, eng_name[w->eng], w->mem,
				w->dtypes ? " (" : " ", w->dtypes ? w->dtypes : "",
				w->dtypes ? ")" : "");
	}
}

static void put_trailer(FILE *f, uint32_t c, const struct core *k,
			const struct prof_row *r)
{
	uint64_t s = r->dev_start_tick + SIM_DEVICE_CLOCK_ORIGIN_TICKS;
	uint64_t pmax = (uint64_t)llround((double)k->total * k->mhz / TICK_MHZ);
	uint64_t tu[6], ts[6], tp[6];
	static const enum eng teng[6] = { E_HVX, E_HVX, E_HVX, E_HVX, E_HMX, E_DMA };
	uint32_t t;

	for (t = 0; t < 6; t++) {
		uint64_t lag = t == 5 ? 0 : 1 + (t + c) % 3;

		ts[t] = s + (t + c) % 2;
		tu[t] = k->total - lag - (t == 5 ? 0 : 68);
		tp[t] = (uint64_t)llround((double)tu[t] * k->mhz / TICK_MHZ);
	}
	tu[5] = k->total;
	tp[5] = pmax;
	fprintf(f, "\nc%u total: %15" PRIu64 " ucycles %15" PRIu64 " pcycles (thread max)\n",
		c, k->total, pmax);
	for (t = 0; t < 6; t++) {
		double u = 100.0 * k->busy[teng[t]] * (teng[t] == E_HVX ?
			   jit(r->sample, c, 400 + t, 0.02) : 1.0);

		fprintf(f, "c%u    t%u %-8s%16" PRIu64 " ucycles [%" PRIu64 ", %" PRIu64 "] %15" PRIu64
			" pcycles %6.2f%% utilization\n", c, t, eng_name[teng[t]], tu[t],
			ts[t], ts[t] + tu[t], tp[t], u > 100 ? 100 : u);
	}
	fputs("\n\n", f);
	for (t = 0; t < 6; t++)
		fprintf(f, "c%02ut%u batch ucycles: %16" PRIu64 " [%" PRIu64 ",%" PRIu64 "]    pcycles: %15" PRIu64 " \n",
			c, t, tu[t], ts[t], ts[t] + tu[t], tp[t]);
	fprintf(f, "c%u: Total inference pcycle is %" PRIu64 "\n", c, pmax + 65);
	fprintf(f, "c%u: Effective frequency is %.2fMHz\n", c,
		(double)pmax / (double)k->total * TICK_MHZ);
	for (t = 0; t < 6; t++)
		fprintf(f, "c%02ut%up100 Host_IO_Port ucycles: %16" PRIu64 "\n", c, t,
			t == 0 ? r->dev_in_ticks : 0);
	for (t = 0; t < 6; t++)
		fprintf(f, "c%02ut%up101 Host_IO_Port ucycles: %16" PRIu64 "\n", c, t,
			r->dev_out_ticks);
	for (t = 0; t < 6; t++)
		fprintf(f, "c%02ut%u activate ucycles: %17" PRIu64 "\n", c, t,
			(uint64_t)(t == 5 ? 1520 : 4400 - 90 * t));
}

void devprof_write_opstats(struct QAicProgram *pg, const char *dir,
			   const struct prof_row *r)
{
	const struct desc *d = pg->desc;
	char path[PATH_MAX + 96];
	uint32_t ncores = d->nsp_cores ? d->nsp_cores : 1, c;
	uint64_t s = r->dev_start_tick + SIM_DEVICE_CLOCK_ORIGIN_TICKS;
	uint64_t total = r->dev_end_tick - r->dev_start_tick;
	double sec = (double)total / 19.2e6;
	FILE *f;

	if (!r->has_dev || !total)
		return;
	snprintf(path, sizeof(path), "%s/aic-profiling-program-%u-activation-0-inf-%" PRIu64 ".txt",
		 dir, pg->id, r->sample);
	f = fopen(path, "we");
	if (!f) {
		rt_log(pg->ctx, QL_ERROR, "%s: cannot write: %s", path, strerror(errno));
		return;
	}
	printf("Writing file:%s\n", path);
	fflush(stdout);
	fputc('\n', f);
	for (c = 0; c < ncores; c++) {
		struct core k;

		if (build_core(d, r, c, &k)) {
			rt_log(pg->ctx, QL_ERROR, "%s: out of memory", path);
			break;
		}
		put_rows(f, c, &k);
		put_trailer(f, c, &k, r);
		fputc('\n', f);
		free(k.rows);
	}
	fprintf(f, "total batch ucycles: %16" PRIu64 " [%" PRIu64 ", %" PRIu64 "]\n",
		total, s, s + total);
	fprintf(f, "[QAicGraph] Device instance batch/s: (1/%g): %g\n", sec, 1.0 / sec);
	fprintf(f, "[QAicGraph] Device instance inf/s: (%u/%g): %g\n", d->batch, sec,
		d->batch / sec);
	fprintf(f, "max input wait ucycles: %17" PRIu64 "\n", r->dev_in_ticks);
	fprintf(f, "max output wait ucycles: %16" PRIu64 "\n", r->dev_out_ticks);
	if (fclose(f))
		rt_log(pg->ctx, QL_ERROR, "%s: write error: %s", path, strerror(errno));
}

/* ---- the device trace ------------------------------------------------------ */

static double dev_us(uint64_t tick)
{
	return (double)(tick + SIM_DEVICE_CLOCK_ORIGIN_TICKS) / TICK_MHZ;
}

/*
 * The operators of core @c of inference @r on its threads: the compute
 * window [input done, compute done] holds the HVX/HMX operators in turn,
 * DMA copies span the input [start, input done] and output [output start,
 * end] phases, so the first operator starts at the start tick and the last
 * ends at the end tick.
 */
static void trace_core(FILE *f, bool *first, const struct desc *d,
		       const struct prof_row *r, uint32_t c)
{
	struct mix mx = mix_of(d);
	uint64_t a = r->dev_in_done_tick, b = r->dev_compute_done_tick;
	double wsum[E__N] = { 0 }, pos[E__N];
	uint32_t pid = 2000 + c;
	size_t k;
	int e;

	for (k = 0; k < mx.n; k++)
		if (mx.ops[k].eng != E_DMA)
			wsum[mx.ops[k].eng] += mx.ops[k].share;
	for (e = 0; e < E__N; e++)
		pos[e] = (double)a;
	/* input and output DMA */
	fprintf(f, "%s{\"name\":\"aiccopytovtcm-Inf-%" PRIu64 "\",\"cat\":\"aic\",\"ph\":\"X\",\"pid\":%u,\"tid\":5,"
		"\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"opKind\":\"DMAIssue\",\"opMemory\":\"DDR\",\"opName\":\"input\",\"opUCycle\":%" PRIu64 "}}",
		*first ? "\n" : ",\n", r->sample, pid, dev_us(r->dev_start_tick),
		dev_us(a) - dev_us(r->dev_start_tick), a - r->dev_start_tick);
	*first = false;
	fprintf(f, ",\n{\"name\":\"sync DMAIssue-Inf-%" PRIu64 "\",\"cat\":\"aic\",\"ph\":\"X\",\"pid\":%u,\"tid\":5,"
		"\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"opKind\":\"DMAIssue\"}}",
		r->sample, pid, dev_us(a), dev_us(r->dev_out_start_tick) - dev_us(a));
	fprintf(f, ",\n{\"name\":\"aiccopyfromvtcm-Inf-%" PRIu64 "\",\"cat\":\"aic\",\"ph\":\"X\",\"pid\":%u,\"tid\":5,"
		"\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"opKind\":\"DMAIssue\",\"opMemory\":\"DDR\",\"opName\":\"output\",\"opUCycle\":%" PRIu64 "}}",
		r->sample, pid, dev_us(r->dev_out_start_tick),
		dev_us(r->dev_end_tick) - dev_us(r->dev_out_start_tick),
		r->dev_end_tick - r->dev_out_start_tick);
	/* compute: each engine's operators in turn over the compute window,
	 * HVX ops round-robin over threads 0-3 */
	for (k = 0; k < mx.n; k++) {
		const struct opdef *o = &mx.ops[k];
		double len, b0;
		uint32_t tid;

		if (o->eng == E_DMA || wsum[o->eng] <= 0)
			continue;
		len = (double)(b - a) * o->share / wsum[o->eng];
		b0 = pos[o->eng];
		pos[o->eng] += len;
		tid = o->eng == E_HMX ? 4 : (uint32_t)(k % 4);
		fprintf(f, ",\n{\"name\":\"%s-Inf-%" PRIu64 "\",\"cat\":\"aic\",\"ph\":\"X\",\"pid\":%u,\"tid\":%u,"
			"\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"opKind\":\"%s\",\"opMemory\":\"%s\",\"opName\":\"%s\","
			"\"opUCycle\":%.0f,\"opPCycle\":%.0f}}",
			o->name, r->sample, pid, tid, (b0 + SIM_DEVICE_CLOCK_ORIGIN_TICKS) / TICK_MHZ,
			len / TICK_MHZ, eng_name[o->eng], o->mem, o->name, len,
			len * 1240.0 / TICK_MHZ);
	}
}

void devprof_write_trace(struct QAicProgram *pg, const char *dir,
			 const struct prof_row *const *rows, size_t n)
{
	const struct desc *d = pg->desc;
	uint32_t ncores = d->nsp_cores ? d->nsp_cores : 1, c;
	static const char *const tname[6] = { "HVX_0", "HVX_1", "HVX_2", "HVX_3", "HMX", "DMA" };
	char path[PATH_MAX + 64];
	bool first = true;
	size_t k;
	FILE *f;

	snprintf(path, sizeof(path), "%s/aic-profiling-program-%u-trace.json", dir, pg->id);
	f = fopen(path, "we");
	if (!f) {
		rt_log(pg->ctx, QL_ERROR, "%s: cannot write: %s", path, strerror(errno));
		return;
	}
	printf("Writing file:%s\n", path);
	fflush(stdout);
	fputs("{\"traceEvents\":[", f);
	for (c = 0; c < ncores; c++) {
		fprintf(f, "%s{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%u,\"args\":{\"name\":\"%s_0 [QAicGraph_Core_%u]\"}}",
			first ? "\n" : ",\n", 2000 + c, pg->name, c);
		first = false;
		for (uint32_t t = 0; t < 6; t++)
			fprintf(f, ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%u,\"tid\":%u,\"args\":{\"name\":\"%s\"}}",
				2000 + c, t, tname[t]);
	}
	for (k = 0; k < n; k++) {
		const struct prof_row *r = rows[k];

		if (!r->has_dev || r->dev_end_tick <= r->dev_start_tick)
			continue;
		for (c = 0; c < ncores; c++) {
			fprintf(f, ",\n{\"name\":\"FreqMHz\",\"ph\":\"C\",\"pid\":%u,\"ts\":%.3f,\"args\":{\"FreqMHz\":1240}}",
				2000 + c, dev_us(r->dev_start_tick));
			trace_core(f, &first, d, r, c);
		}
	}
	fprintf(f, "\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"ProgramName\":\"%s\",\"ProgramId\":%u}}\n",
		pg->name, pg->id);
	if (fclose(f))
		rt_log(pg->ctx, QL_ERROR, "%s: write error: %s", path, strerror(errno));
}
