// SPDX-License-Identifier: MIT
/*
 * What the report derives from an opstats summary (opstats.h): where each
 * core's ucycles go per engine, its top operators, and findings with their
 * numbers.  Every percentage is recomputed from the integer columns (the
 * printed ones are rounded): x % = 100 * ucycles / core total ucycles.
 *
 * The verdict of a core (first rule that holds; documented in
 * docs/REPORT.md, "Device opstats"):
 *   1. an engine is saturated: HVX or HMX operators busy >= 75 % of the
 *      core's cycles -> "<engine>-bound";
 *   2. every compute engine that has operators waits (sync + barrier)
 *      >= 50 % while DMAIssue operators take >= 50 % -> "DMA-bound";
 *   3. the core waited >= 25 % of its cycles for host input (the longest
 *      Host_IO_Port 100 wait) -> "input-bound";
 *   4. otherwise "no engine saturated", with the busy and wait shares.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opstats.h"

#define SATURATED_PCT 75.0
#define WAITING_PCT 50.0
#define DMA_HEAVY_PCT 50.0
#define INPUT_BOUND_PCT 25.0
#define WAIT_FINDING_PCT 25.0
#define DDR_FINDING_PCT 5.0
#define INPUT_FINDING_PCT 1.0
#define IMBALANCE_PCT 5.0

/* The core's total ucycles; derived when the trailer is missing. */
static uint64_t core_total(const struct qp_opstat_core *c)
{
	uint64_t t = 0;
	size_t k;

	if (c->has_total)
		return c->total_ucycles;
	for (k = 0; k < c->nthreads; k++)
		if (c->threads[k].ucycles > t)
			t = c->threads[k].ucycles;
	for (k = 0; k < c->nbatch; k++)
		if (c->batch[k].ucycles > t)
			t = c->batch[k].ucycles;
	for (k = 0; !t && k < c->nrows; k++)
		if (c->rows[k].ucycles_pct > 0)
			t = (uint64_t)llround(c->rows[k].ucycles * 100.0 /
					      c->rows[k].ucycles_pct);
	return t;
}

static double pct(uint64_t part, uint64_t total)
{
	return total ? 100.0 * (double)part / (double)total : NAN;
}

static void usage_of(const struct qp_opstat_core *c, struct qp_core_usage *u)
{
	uint64_t busy[QP_ENG__COUNT] = { 0 }, sync[QP_ENG__COUNT] = { 0 },
		 barrier[QP_ENG__COUNT] = { 0 }, ddr = 0;
	double util[QP_ENG__COUNT] = { 0 };
	unsigned nutil[QP_ENG__COUNT] = { 0 };
	size_t k;
	int e;

	memset(u, 0, sizeof(*u));
	u->core = c->core;
	u->total_ucycles = core_total(c);
	for (k = 0; k < c->nrows; k++) {
		const struct qp_opstat_row *r = &c->rows[k];

		if (r->kind == QP_OPK_SYNC)
			sync[r->engine] += r->ucycles;
		else if (r->kind == QP_OPK_BARRIER)
			barrier[r->engine] += r->ucycles;
		else
			busy[r->engine] += r->ucycles;
		if (r->kind == QP_OPK_OP && r->mem && !strcmp(r->mem, "DDR"))
			ddr += r->ucycles;
	}
	for (k = 0; k < c->nthreads; k++) {
		util[c->threads[k].engine] += c->threads[k].util_pct;
		nutil[c->threads[k].engine]++;
	}
	for (e = 0; e < QP_ENG__COUNT; e++) {
		u->busy_pct[e] = pct(busy[e], u->total_ucycles);
		u->sync_pct[e] = pct(sync[e], u->total_ucycles);
		u->barrier_pct[e] = pct(barrier[e], u->total_ucycles);
		u->util_pct[e] = nutil[e] ? util[e] / nutil[e] : NAN;
	}
	u->ddr_pct = pct(ddr, u->total_ucycles);
	for (k = 0; k < c->nports; k++) {
		if (c->ports[k].port == 100 && c->ports[k].ucycles > u->in_wait_ucycles)
			u->in_wait_ucycles = c->ports[k].ucycles;
		if (c->ports[k].port == 101 && c->ports[k].ucycles > u->out_wait_ucycles)
			u->out_wait_ucycles = c->ports[k].ucycles;
	}
	u->eff_mhz = c->has_eff_mhz ? c->eff_mhz : NAN;
}

static bool has_engine(const struct qp_opstat_core *c, enum qp_engine e)
{
	size_t k;

	for (k = 0; k < c->nrows; k++)
		if (c->rows[k].engine == e)
			return true;
	return false;
}

static double wait_pct(const struct qp_core_usage *u, enum qp_engine e)
{
	return u->sync_pct[e] + u->barrier_pct[e];
}

static void verdict(const struct qp_opstat_core *c, struct qp_core_usage *u)
{
	enum qp_engine crit = u->busy_pct[QP_ENG_HMX] > u->busy_pct[QP_ENG_HVX] ?
			      QP_ENG_HMX : QP_ENG_HVX;
	bool hvx = has_engine(c, QP_ENG_HVX), hmx = has_engine(c, QP_ENG_HMX);
	double in = pct(u->in_wait_ucycles, u->total_ucycles);

	if (u->busy_pct[crit] >= SATURATED_PCT) {
		snprintf(u->verdict, sizeof(u->verdict), "%s-bound: %s operators busy %.1f %% of cycles",
			 qp_engine_label(crit), qp_engine_label(crit), u->busy_pct[crit]);
	} else if ((hvx || hmx) && (!hvx || wait_pct(u, QP_ENG_HVX) >= WAITING_PCT) &&
		   (!hmx || wait_pct(u, QP_ENG_HMX) >= WAITING_PCT) &&
		   u->busy_pct[QP_ENG_DMA] >= DMA_HEAVY_PCT) {
		snprintf(u->verdict, sizeof(u->verdict),
			 "DMA-bound: DMA operations %.1f %% of cycles while HVX waits %.1f %%, HMX waits %.1f %%",
			 u->busy_pct[QP_ENG_DMA], wait_pct(u, QP_ENG_HVX),
			 wait_pct(u, QP_ENG_HMX));
	} else if (in >= INPUT_BOUND_PCT) {
		snprintf(u->verdict, sizeof(u->verdict),
			 "input-bound: waited %.1f %% of cycles for host input", in);
	} else {
		snprintf(u->verdict, sizeof(u->verdict),
			 "no engine saturated: busy HVX %.1f %%, HMX %.1f %%; waiting (sync + barrier) HVX %.1f %%, HMX %.1f %%",
			 u->busy_pct[QP_ENG_HVX], u->busy_pct[QP_ENG_HMX],
			 wait_pct(u, QP_ENG_HVX), wait_pct(u, QP_ENG_HMX));
	}
}

/* ---- top operators ------------------------------------------------------ */

static int cmp_top(const void *a, const void *b)
{
	const struct qp_top_op *x = a, *y = b;

	if (x->core != y->core)
		return x->core < y->core ? -1 : 1;
	if (x->ucycles != y->ucycles)
		return x->ucycles > y->ucycles ? -1 : 1;
	return (x->row->line > y->row->line) - (x->row->line < y->row->line);
}

static int top_ops(const struct qp_opstats *o, size_t topn,
		   struct qp_opstats_view *v)
{
	size_t k, j, n = 0, total = 0;
	struct qp_top_op *all;

	for (k = 0; k < o->ncores; k++)
		total += o->cores[k].nrows;
	all = calloc(total ? total : 1, sizeof(*all));
	if (!all)
		return -1;
	for (k = 0; k < o->ncores; k++) {
		const struct qp_opstat_core *c = &o->cores[k];
		size_t first = n;

		for (j = 0; j < c->nrows; j++) {
			if (c->rows[j].kind != QP_OPK_OP)
				continue;
			all[n++] = (struct qp_top_op){
				.core = c->core, .row = &c->rows[j],
				.ucycles = c->rows[j].ucycles, .count = c->rows[j].count,
				.pct = pct(c->rows[j].ucycles, v->cores[k].total_ucycles),
			};
		}
		qsort(all + first, n - first, sizeof(*all), cmp_top);
		if (n - first > topn)
			n = first + topn;
	}
	v->top = all;
	v->ntop = n;
	return 0;
}

/* ---- findings ----------------------------------------------------------- */

static int add_finding(struct qp_opstats_view *v, int32_t core,
		       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int add_finding(struct qp_opstats_view *v, int32_t core,
		       const char *fmt, ...)
{
	struct qp_ops_finding *f = realloc(v->findings,
				       (v->nfindings + 1) * sizeof(*f));
	va_list ap;

	if (!f)
		return -1;
	v->findings = f;
	f = &f[v->nfindings++];
	f->core = core;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
	return 0;
}

static const char *const engine_row_name[QP_ENG__COUNT] = {
	"HVX", "HMX", "DMAIssue", "other",
};

static int wait_findings(struct qp_opstats_view *v, const struct qp_opstat_core *c,
			 const struct qp_core_usage *u)
{
	int e, rc = 0;

	for (e = 0; e < QP_ENG_OTHER; e++) {
		double w = wait_pct(u, e);

		if (!has_engine(c, e) || !(w >= WAIT_FINDING_PCT))
			continue;
		rc |= add_finding(v, (int32_t)c->core,
				  "core %u: %.1f %% of cycles in sync %s, %.1f %% in barrier %s (%s operators busy %.1f %%)",
				  c->core, u->sync_pct[e], engine_row_name[e],
				  u->barrier_pct[e], engine_row_name[e],
				  qp_engine_label(e), u->busy_pct[e]);
	}
	return rc;
}

static int core_findings(struct qp_opstats_view *v, size_t k)
{
	const struct qp_opstat_core *c = &v->src->cores[k];
	const struct qp_core_usage *u = &v->cores[k];
	const struct qp_top_op *top = NULL;
	double in = pct(u->in_wait_ucycles, u->total_ucycles);
	size_t j;
	int rc;

	rc = add_finding(v, (int32_t)c->core, "core %u: %s", c->core, u->verdict);
	rc |= wait_findings(v, c, u);
	for (j = 0; j < v->ntop && !top; j++)
		if (v->top[j].core == c->core)
			top = &v->top[j];
	if (top)
		rc |= add_finding(v, (int32_t)c->core,
				  "core %u: top operator %s (%s%s%s) %.1f %% of cycles, %llu calls",
				  c->core, top->row->name, top->row->engine_name,
				  top->row->mem ? ", " : "", top->row->mem ? top->row->mem : "",
				  top->pct, (unsigned long long)top->count);
	if (u->ddr_pct >= DDR_FINDING_PCT)
		rc |= add_finding(v, (int32_t)c->core,
				  "core %u: operators working on DDR %.1f %% of cycles (data outside VTCM)",
				  c->core, u->ddr_pct);
	if (in >= INPUT_FINDING_PCT)
		rc |= add_finding(v, (int32_t)c->core,
				  "core %u: waited %llu ucycles (%.3f ms, %.1f %% of its cycles) for input from the host (Host_IO_Port 100)",
				  c->core, (unsigned long long)u->in_wait_ucycles,
				  u->in_wait_ucycles / QP_DEVICE_TICK_HZ * 1e3, in);
	return rc;
}

static int imbalance_finding(struct qp_opstats_view *v)
{
	size_t k, lo = 0, hi = 0;
	double d;

	if (v->ncores < 2)
		return 0;
	for (k = 1; k < v->ncores; k++) {
		if (v->cores[k].total_ucycles < v->cores[lo].total_ucycles)
			lo = k;
		if (v->cores[k].total_ucycles > v->cores[hi].total_ucycles)
			hi = k;
	}
	d = 100.0 - pct(v->cores[lo].total_ucycles, v->cores[hi].total_ucycles);
	if (!(d >= IMBALANCE_PCT))
		return 0;
	return add_finding(v, -1, "cores unbalanced: core %u %llu ucycles, core %u %llu (%.1f %% less)",
			   v->cores[hi].core, (unsigned long long)v->cores[hi].total_ucycles,
			   v->cores[lo].core, (unsigned long long)v->cores[lo].total_ucycles, d);
}

int qp_opstats_analyze(const struct qp_opstats *o, size_t topn,
		       struct qp_opstats_view *v)
{
	size_t k;
	int rc = 0;

	memset(v, 0, sizeof(*v));
	v->src = o;
	v->batch_ms = o->has_batch ? o->batch_ucycles / QP_DEVICE_TICK_HZ * 1e3 : NAN;
	v->cores = calloc(o->ncores ? o->ncores : 1, sizeof(*v->cores));
	if (!v->cores)
		return -1;
	v->ncores = o->ncores;
	for (k = 0; k < o->ncores; k++) {
		usage_of(&o->cores[k], &v->cores[k]);
		verdict(&o->cores[k], &v->cores[k]);
	}
	if (top_ops(o, topn, v))
		goto fail;
	for (k = 0; k < o->ncores; k++)
		rc |= core_findings(v, k);
	rc |= imbalance_finding(v);
	if (rc)
		goto fail;
	return 0;
fail:
	qp_opstats_view_free(v);
	return -1;
}

void qp_opstats_view_free(struct qp_opstats_view *v)
{
	free(v->cores);
	free(v->top);
	free(v->findings);
	memset(v, 0, sizeof(*v));
}
