// SPDX-License-Identifier: MIT
/*
 * --compare BASE NEW: deltas of p50, p90, p99 and the mean per program and
 * metric, with 95 % bootstrap intervals, and the rule that marks a change
 * (compare.h, docs/REPORT.md "Comparing two runs").
 *
 * The bootstrap resamples blocks, not single inferences.  Latencies of
 * consecutive inferences are not independent: a burst of interference
 * (another process on the CPU, a page-cache flush) slows a run of them
 * together, and a resampling of single values would count that burst as
 * many independent observations and give intervals too narrow to hold
 * what a second run of the same configuration shows.  Each run is cut, in
 * time order, into B blocks of consecutive inferences (B = 40, or one
 * value per block for runs shorter than that); a replicate draws B blocks
 * of each run with replacement and computes the statistic on their union;
 * the interval is the 2.5 and 97.5 percentiles of NEW - BASE over the
 * replicates (percentile bootstrap, 1000 replicates, fixed seed).
 *
 * The statistics of a union are exact and cheap: each block is sorted
 * once; the k-th smallest value of a union is found by bisection over the
 * run's sorted values, counting with a binary search per drawn block;
 * quantiles interpolate like numpy (stats.h); the mean is the weighted sum
 * of the blocks' sums.
 *
 * A change is marked when its interval excludes 0 and it is at least
 * max(2 µs, 10 % of BASE): the interval says the change is not the
 * resampling's noise, the floor that it is large enough to matter on a
 * machine whose runs move by several per cent (qp_cmp_mark).
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "escape.h"
#include "outfile.h"
#include "stats.h"

const enum qp_metric qp_cmp_metrics[QP_CMP_NMETRICS] = {
	QP_M_ENQ, QP_M_PRE_PROC, QP_M_SUBMIT, QP_M_EXEC_TOTAL,
	QP_M_EXEC_TO_COMPLETE, QP_M_POST_PROC, QP_M_TOTAL_ROUND_TRIP,
};

static const double stat_q[QP_CMP__COUNT] = { 0.50, 0.90, 0.99, -1 };

const char *qp_cmp_stat_name(enum qp_cmp_stat s)
{
	static const char *const n[QP_CMP__COUNT] = { "p50", "p90", "p99", "mean" };

	return s < QP_CMP__COUNT ? n[s] : "?";
}

void qp_cmp_opts_default(struct qp_cmp_opts *o)
{
	o->reps = 1000;
	o->blocks = 40;
	o->seed = 1;
	o->min_rel = 0.05;
	o->min_abs_us = 2.0;
	o->drift_k = 2.0;
}

bool qp_cmp_mark(const struct qp_cmp_value *v, double ref,
		 const struct qp_cmp_opts *o)
{
	double floor_us = o->min_rel * fabs(ref);

	if (floor_us < o->min_abs_us)
		floor_us = o->min_abs_us;
	return (v->lo > 0 || v->hi < 0) && fabs(v->delta) > o->drift_k * v->drift &&
	       fabs(v->delta) >= floor_us;
}

/* ---- the block bootstrap ------------------------------------------------ */

static uint64_t rng_next(uint64_t *s)	/* splitmix64 */
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t rng_below(uint64_t *s, size_t n)
{
	return (size_t)(((unsigned __int128)rng_next(s) * n) >> 64);
}

struct blocks {
	size_t n, nb;
	double *sorted;		/* all values, ascending */
	double *blk;		/* the values block by block, each ascending */
	size_t *start;		/* block b: blk[start[b] .. start[b + 1]) */
	double *sum;		/* per block */
	unsigned *mult;		/* per block: times drawn in this replicate */
	size_t *drawn;		/* distinct blocks drawn */
	size_t ndrawn;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void blocks_free(struct blocks *b)
{
	free(b->sorted);
	free(b->blk);
	free(b->start);
	free(b->sum);
	free(b->mult);
	free(b->drawn);
}

static int blocks_make(struct blocks *b, const double *v, size_t n, unsigned nb)
{
	size_t k, j;

	memset(b, 0, sizeof(*b));
	b->n = n;
	b->nb = n < nb ? n : nb;
	b->sorted = malloc(n * sizeof(double));
	b->blk = malloc(n * sizeof(double));
	b->start = malloc((b->nb + 1) * sizeof(size_t));
	b->sum = calloc(b->nb, sizeof(double));
	b->mult = calloc(b->nb, sizeof(unsigned));
	b->drawn = malloc(b->nb * sizeof(size_t));
	if (!b->sorted || !b->blk || !b->start || !b->sum || !b->mult || !b->drawn) {
		blocks_free(b);
		return -1;
	}
	memcpy(b->sorted, v, n * sizeof(double));
	memcpy(b->blk, v, n * sizeof(double));
	qsort(b->sorted, n, sizeof(double), cmp_double);
	for (k = 0; k <= b->nb; k++)
		b->start[k] = n * k / b->nb;
	for (k = 0; k < b->nb; k++) {
		qsort(b->blk + b->start[k], b->start[k + 1] - b->start[k],
		      sizeof(double), cmp_double);
		for (j = b->start[k]; j < b->start[k + 1]; j++)
			b->sum[k] += b->blk[j];
	}
	return 0;
}

/* Values <= x in the replicate's union. */
static size_t count_le(const struct blocks *b, double x)
{
	size_t d, total = 0;

	for (d = 0; d < b->ndrawn; d++) {
		size_t k = b->drawn[d], lo = b->start[k], hi = b->start[k + 1];

		while (lo < hi) {	/* first value > x */
			size_t mid = lo + (hi - lo) / 2;

			if (b->blk[mid] <= x)
				lo = mid + 1;
			else
				hi = mid;
		}
		total += (lo - b->start[k]) * b->mult[k];
	}
	return total;
}

/* The j-th smallest (0-based) value of the replicate's union. */
static double kth(const struct blocks *b, size_t j)
{
	size_t lo = 0, hi = b->n - 1;

	while (lo < hi) {	/* smallest index whose value has > j at or below */
		size_t mid = lo + (hi - lo) / 2;

		if (count_le(b, b->sorted[mid]) > j)
			hi = mid;
		else
			lo = mid + 1;
	}
	return b->sorted[lo];
}

/* One replicate: draw the blocks; the four statistics of their union. */
static void replicate(struct blocks *b, uint64_t *rng, double st[QP_CMP__COUNT])
{
	size_t k, n = 0;
	double sum = 0;
	int s;

	for (k = 0; k < b->ndrawn; k++)
		b->mult[b->drawn[k]] = 0;
	b->ndrawn = 0;
	for (k = 0; k < b->nb; k++) {
		size_t d = rng_below(rng, b->nb);

		if (!b->mult[d]++)
			b->drawn[b->ndrawn++] = d;
		n += b->start[d + 1] - b->start[d];
		sum += b->sum[d];
	}
	for (s = 0; s < QP_CMP__COUNT; s++) {
		double h, lo, hi;
		size_t i;

		if (stat_q[s] < 0) {
			st[s] = sum / (double)n;
			continue;
		}
		h = (double)(n - 1) * stat_q[s];
		i = (size_t)h;
		lo = kth(b, i);
		hi = i + 1 < n && h > (double)i ? kth(b, i + 1) : lo;
		st[s] = lo + (h - (double)i) * (hi - lo);
	}
}

static void point(const struct blocks *b, double st[QP_CMP__COUNT])
{
	double sum = 0;
	size_t k;
	int s;

	for (k = 0; k < b->nb; k++)
		sum += b->sum[k];
	for (s = 0; s < QP_CMP__COUNT; s++)
		st[s] = stat_q[s] < 0 ? sum / (double)b->n :
			qp_quantile_sorted(b->sorted, b->n, stat_q[s]);
}

/* |statistic of the first half - of the second half| of v (time order). */
static int drift(const double *v, size_t n, double out[QP_CMP__COUNT])
{
	double sa[QP_CMP__COUNT], sb[QP_CMP__COUNT];
	struct blocks h1, h2;
	int s;

	if (n < 2) {
		memset(out, 0, QP_CMP__COUNT * sizeof(double));
		return 0;
	}
	if (blocks_make(&h1, v, n / 2, 1))
		return -1;
	if (blocks_make(&h2, v + n / 2, n - n / 2, 1)) {
		blocks_free(&h1);
		return -1;
	}
	point(&h1, sa);
	point(&h2, sb);
	for (s = 0; s < QP_CMP__COUNT; s++)
		out[s] = fabs(sa[s] - sb[s]);
	blocks_free(&h1);
	blocks_free(&h2);
	return 0;
}

int qp_cmp_samples(const double *a, size_t na, const double *b, size_t nb,
		   const struct qp_cmp_opts *o, struct qp_cmp_value out[QP_CMP__COUNT])
{
	struct blocks ba, bb;
	double *d[QP_CMP__COUNT] = { NULL }, sa[QP_CMP__COUNT], sb[QP_CMP__COUNT];
	double da[QP_CMP__COUNT], db[QP_CMP__COUNT];
	uint64_t rng = o->seed;
	unsigned r, reps = o->reps ? o->reps : 1;
	int s, rc = -1;

	if (!na || !nb)
		return -1;
	if (blocks_make(&ba, a, na, o->blocks ? o->blocks : 1))
		return -1;
	if (blocks_make(&bb, b, nb, o->blocks ? o->blocks : 1)) {
		blocks_free(&ba);
		return -1;
	}
	for (s = 0; s < QP_CMP__COUNT; s++)
		if (!(d[s] = malloc(reps * sizeof(double))))
			goto out;
	if (drift(a, na, da) || drift(b, nb, db))
		goto out;
	for (r = 0; r < reps; r++) {
		replicate(&ba, &rng, sa);
		replicate(&bb, &rng, sb);
		for (s = 0; s < QP_CMP__COUNT; s++)
			d[s][r] = sb[s] - sa[s];
	}
	point(&ba, sa);
	point(&bb, sb);
	for (s = 0; s < QP_CMP__COUNT; s++) {
		struct qp_cmp_value *v = &out[s];

		qsort(d[s], reps, sizeof(double), cmp_double);
		v->base = sa[s];
		v->new_ = sb[s];
		v->delta = sb[s] - sa[s];
		v->lo = qp_quantile_sorted(d[s], reps, 0.025);
		v->hi = qp_quantile_sorted(d[s], reps, 0.975);
		v->drift = da[s] > db[s] ? da[s] : db[s];
		v->marked = qp_cmp_mark(v, v->base, o);
	}
	rc = 0;
out:
	for (s = 0; s < QP_CMP__COUNT; s++)
		free(d[s]);
	blocks_free(&ba);
	blocks_free(&bb);
	return rc;
}

/* ---- runs ---------------------------------------------------------------- */

void qp_cmp_run_free(struct qp_cmp_run *r)
{
	size_t k;
	int j;

	for (k = 0; k < r->np; k++) {
		free(r->p[k].program);
		for (j = 0; j < QP_CMP_NMETRICS; j++)
			free(r->p[k].v[j]);
	}
	free(r->p);
	free(r->source);
	memset(r, 0, sizeof(*r));
}

static struct qp_cmp_series *series_of(struct qp_cmp_run *r, const char *name)
{
	struct qp_cmp_series *p;
	size_t k;

	for (k = 0; k < r->np; k++)
		if (!strcmp(r->p[k].program, name))
			return &r->p[k];
	p = realloc(r->p, (r->np + 1) * sizeof(*p));
	if (!p)
		return NULL;
	r->p = p;
	p = &r->p[r->np];
	memset(p, 0, sizeof(*p));
	p->program = strdup(name);
	if (!p->program)
		return NULL;
	r->np++;
	return p;
}

/* Room for one more value of each metric. */
static int series_grow(struct qp_cmp_series *p, size_t *cap)
{
	int j;

	if (p->count < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 256;
	for (j = 0; j < QP_CMP_NMETRICS; j++) {
		double *v = realloc(p->v[j], *cap * sizeof(double));

		if (!v)
			return -1;
		p->v[j] = v;
	}
	return 0;
}

int qp_cmp_run_from_model(struct qp_cmp_run *r, const char *source,
			  const struct qp_model *m, const uint8_t *select)
{
	size_t *cap = NULL, k;
	int j;

	memset(r, 0, sizeof(*r));
	r->source = strdup(source);
	cap = calloc(m->nprograms + 1, sizeof(*cap));
	if (!r->source || !cap)
		goto fail;
	/* one series per name; cap per series index (<= nprograms of them) */
	for (k = 0; k < m->ninf; k++) {
		const struct qp_inference *i = &m->inf[k];
		struct qp_cmp_series *p;
		size_t pi;

		if ((select && !select[k]) || i->state != QP_INF_OK ||
		    i->program >= m->nprograms)
			continue;
		p = series_of(r, m->programs[i->program].name ?
			      m->programs[i->program].name : "");
		if (!p)
			goto fail;
		pi = (size_t)(p - r->p);
		if (series_grow(p, &cap[pi]))
			goto fail;
		p->count++;
		for (j = 0; j < QP_CMP_NMETRICS; j++) {
			double v;

			if (qp_metric_value(m, i, qp_cmp_metrics[j], 0, &v))
				p->v[j][p->n[j]++] = v;
		}
	}
	free(cap);
	return 0;
fail:
	free(cap);
	qp_cmp_run_free(r);
	return -1;
}

int qp_cmp_run_from_json(struct qp_cmp_run *r, const char *path, char *err,
			 size_t errlen)
{
	json_error_t je;
	json_t *root, *progs, *infs, *e;
	size_t *cap = NULL, k, np;
	const char *schema;
	int j;

	memset(r, 0, sizeof(*r));
	root = json_load_file(path, 0, &je);
	if (!root) {
		snprintf(err, errlen, "%s:%d: not a JSON report: %s", path, je.line, je.text);
		return -1;
	}
	schema = json_string_value(json_object_get(root, "schema"));
	progs = json_object_get(root, "programs");
	infs = json_object_get(root, "inferences");
	if (!schema || (strcmp(schema, "qprof-report/1") && strcmp(schema, "qprof-report/2")) ||
	    !json_is_array(progs)) {
		snprintf(err, errlen, "%s: not a qprof-report JSON report (schema qprof-report/1 or /2)", path);
		goto fail;
	}
	if (!json_is_array(infs)) {
		snprintf(err, errlen, "%s: no per-inference records: write the report with --json FILE --per-inference",
			 path);
		goto fail;
	}
	np = json_array_size(progs);
	r->source = strdup(path);
	cap = calloc(np + 1, sizeof(*cap));
	if (!r->source || !cap)
		goto oom;
	json_array_foreach(infs, k, e) {
		json_t *mt = json_object_get(e, "metrics");
		json_t *pj = json_object_get(e, "program");
		const char *state = json_string_value(json_object_get(e, "state"));
		const char *name;
		struct qp_cmp_series *p;

		if (!state || strcmp(state, "ok") || !json_is_integer(pj))
			continue;
		if (json_integer_value(pj) < 0 || (size_t)json_integer_value(pj) >= np) {
			snprintf(err, errlen, "%s: inference %zu: program %" JSON_INTEGER_FORMAT " is not in \"programs\"",
				 path, k, json_integer_value(pj));
			goto fail;
		}
		name = json_string_value(json_object_get(
			json_array_get(progs, (size_t)json_integer_value(pj)), "name"));
		p = series_of(r, name ? name : "");
		if (!p || series_grow(p, &cap[p - r->p]))
			goto oom;
		p->count++;
		for (j = 0; j < QP_CMP_NMETRICS; j++) {
			json_t *v = json_object_get(mt, qp_metric_column(qp_cmp_metrics[j]));

			if (json_is_number(v))
				p->v[j][p->n[j]++] = json_number_value(v);
		}
	}
	free(cap);
	json_decref(root);
	return 0;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
fail:
	free(cap);
	json_decref(root);
	qp_cmp_run_free(r);
	return -1;
}

/* ---- the comparison -------------------------------------------------------- */

int qp_compare(const struct qp_cmp_run *base, const struct qp_cmp_run *new_,
	       const struct qp_cmp_opts *o, struct qp_cmp_report *out)
{
	size_t k, b;
	int j, s, rt = QP_CMP_NMETRICS - 1;	/* totalRoundtripTime */

	memset(out, 0, sizeof(*out));
	out->base = base;
	out->new_ = new_;
	out->opts = *o;
	out->rows = calloc(new_->np + 1, sizeof(*out->rows));
	if (!out->rows)
		return -1;
	for (k = 0; k < new_->np; k++) {
		const struct qp_cmp_series *pn = &new_->p[k], *pb = NULL;
		struct qp_cmp_row *row;

		for (b = 0; b < base->np && !pb; b++)
			if (!strcmp(base->p[b].program, pn->program))
				pb = &base->p[b];
		if (!pb)
			continue;
		row = &out->rows[out->nrows++];
		row->program = pn->program;
		row->nbase = pb->count;
		row->nnew = pn->count;
		for (j = 0; j < QP_CMP_NMETRICS; j++) {
			if (!pb->n[j] || !pn->n[j])
				continue;
			if (qp_cmp_samples(pb->v[j], pb->n[j], pn->v[j], pn->n[j], o,
					   row->v[j]))
				return -1;
			row->has[j] = true;
		}
		/* the floor: a share of the round trip users see (compare.h) */
		for (j = 0; j < QP_CMP_NMETRICS; j++) {
			for (s = 0; s < QP_CMP__COUNT && row->has[j]; s++) {
				struct qp_cmp_value *v = &row->v[j][s];

				v->marked = qp_cmp_mark(v, row->has[rt] ?
							row->v[rt][s].base : v->base, o);
				out->nmarked += v->marked;
			}
		}
	}
	return 0;
}

void qp_cmp_report_free(struct qp_cmp_report *r)
{
	free(r->rows);
	memset(r, 0, sizeof(*r));
}

/* Programs of run a that run b lacks, quoted, to f. */
static void only_in(FILE *f, const char *what, const struct qp_cmp_run *a,
		    const struct qp_cmp_run *b)
{
	size_t k, j;
	bool any = false;

	for (k = 0; k < a->np; k++) {
		for (j = 0; j < b->np && strcmp(a->p[k].program, b->p[j].program); j++)
			;
		if (j < b->np)
			continue;
		fprintf(f, any ? ", '" : "programs only in %s (not compared): '", what);
		qp_text_fputs(a->p[k].program, f);
		fputc('\'', f);
		any = true;
	}
	if (any)
		fputc('\n', f);
}

int qp_cmp_write_text(FILE *f, const struct qp_cmp_report *r)
{
	const struct qp_cmp_opts *o = &r->opts;
	size_t k;
	int j, s;

	fputs("qprof-report comparison: BASE ", f);
	qp_text_fputs(r->base->source, f);
	fputs(", NEW ", f);
	qp_text_fputs(r->new_->source, f);
	fprintf(f, "\ndelta = NEW - BASE in µs, [95 %% interval] (block bootstrap: %u blocks of consecutive inferences per run, %u replicates);\n"
		"drift: the larger |first half - second half| of the two runs;\n"
		"'*' marks a change outside the noise: interval excluding 0, |delta| > %g x drift\n"
		"and >= max(%g µs, %g %% of BASE's totalRoundtripTime)\n",
		o->blocks, o->reps, o->drift_k, o->min_abs_us, o->min_rel * 100);
	for (k = 0; k < r->nrows; k++) {
		const struct qp_cmp_row *row = &r->rows[k];

		fputs("\n== program '", f);
		qp_text_fputs(row->program, f);
		fprintf(f, "' (BASE %zu, NEW %zu inferences) ==\n", row->nbase, row->nnew);
		fprintf(f, "  %-20s %-5s %10s %10s %10s  %-22s %8s\n", "metric", "stat",
			"BASE", "NEW", "delta", "95 % interval", "drift");
		for (j = 0; j < QP_CMP_NMETRICS; j++) {
			if (!row->has[j])
				continue;
			for (s = 0; s < QP_CMP__COUNT; s++) {
				const struct qp_cmp_value *v = &row->v[j][s];
				char ci[64];

				snprintf(ci, sizeof(ci), "[%+.2f, %+.2f]", v->lo, v->hi);
				fprintf(f, "  %-20s %-5s %10.2f %10.2f %+10.2f  %-22s %8.2f%s\n",
					s ? "" : qp_metric_label(qp_cmp_metrics[j]),
					qp_cmp_stat_name(s), v->base, v->new_, v->delta,
					ci, v->drift,
					v->marked ? (v->delta > 0 ? "  * slower" : "  * faster") : "");
			}
		}
	}
	fputc('\n', f);
	only_in(f, "BASE", r->base, r->new_);
	only_in(f, "NEW", r->new_, r->base);
	fprintf(f, "%zu change(s) marked\n", r->nmarked);
	return ferror(f) ? -1 : 0;
}

static json_t *trace_str(const char *s)
{
	char *u = qp_utf8_dup(s ? s : "");
	json_t *j = json_string(u ? u : "");

	free(u);
	return j;
}

static json_t *only_arr(const struct qp_cmp_run *a, const struct qp_cmp_run *b)
{
	json_t *arr = json_array();
	size_t k, j;

	for (k = 0; k < a->np; k++) {
		for (j = 0; j < b->np && strcmp(a->p[k].program, b->p[j].program); j++)
			;
		if (j == b->np)
			json_array_append_new(arr, trace_str(a->p[k].program));
	}
	return arr;
}

json_t *qp_cmp_json(const struct qp_cmp_report *r)
{
	const struct qp_cmp_opts *o = &r->opts;
	json_t *root = json_object(), *meth = json_object(), *progs = json_array();
	size_t k;
	int j, s;

	json_object_set_new(root, "schema", json_string("qprof-compare/1"));
	json_object_set_new(root, "base", trace_str(r->base->source));
	json_object_set_new(root, "new", trace_str(r->new_->source));
	json_object_set_new(meth, "bootstrap", json_string("block"));
	json_object_set_new(meth, "blocks", json_integer(o->blocks));
	json_object_set_new(meth, "replicates", json_integer(o->reps));
	json_object_set_new(meth, "confidence", json_real(0.95));
	json_object_set_new(meth, "seed", json_integer((json_int_t)o->seed));
	json_object_set_new(meth, "min_change_us", json_real(o->min_abs_us));
	json_object_set_new(meth, "min_change_fraction_of_round_trip", json_real(o->min_rel));
	json_object_set_new(meth, "drift_factor", json_real(o->drift_k));
	json_object_set_new(root, "method", meth);
	for (k = 0; k < r->nrows; k++) {
		const struct qp_cmp_row *row = &r->rows[k];
		json_t *p = json_object(), *mt = json_object();

		json_object_set_new(p, "name", trace_str(row->program));
		json_object_set_new(p, "base_count", json_integer((json_int_t)row->nbase));
		json_object_set_new(p, "new_count", json_integer((json_int_t)row->nnew));
		for (j = 0; j < QP_CMP_NMETRICS; j++) {
			json_t *mj;

			if (!row->has[j])
				continue;
			mj = json_object();
			for (s = 0; s < QP_CMP__COUNT; s++) {
				const struct qp_cmp_value *v = &row->v[j][s];
				json_t *sj = json_object();

				json_object_set_new(sj, "base", json_real(v->base));
				json_object_set_new(sj, "new", json_real(v->new_));
				json_object_set_new(sj, "delta", json_real(v->delta));
				json_object_set_new(sj, "ci95", json_pack("[ff]", v->lo, v->hi));
				json_object_set_new(sj, "drift", json_real(v->drift));
				json_object_set_new(sj, "marked", json_boolean(v->marked));
				json_object_set_new(mj, qp_cmp_stat_name(s), sj);
			}
			json_object_set_new(mt, qp_metric_label(qp_cmp_metrics[j]), mj);
		}
		json_object_set_new(p, "metrics_us", mt);
		json_array_append_new(progs, p);
	}
	json_object_set_new(root, "programs", progs);
	json_object_set_new(root, "only_in_base", only_arr(r->base, r->new_));
	json_object_set_new(root, "only_in_new", only_arr(r->new_, r->base));
	json_object_set_new(root, "marked", json_integer((json_int_t)r->nmarked));
	return root;
}

int qp_cmp_write_json(const char *path, const struct qp_cmp_report *r,
		      char *err, size_t errlen)
{
	struct qp_outfile out;
	json_t *root = qp_cmp_json(r);
	int rc;

	if (!root) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (qp_outfile_open(&out, path, err, errlen)) {
		json_decref(root);
		return -1;
	}
	rc = json_dumpf(root, out.f, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
	json_decref(root);
	if (rc || fputc('\n', out.f) == EOF) {
		snprintf(err, errlen, "%s: write error", path);
		qp_outfile_abort(&out);
		return -1;
	}
	return qp_outfile_commit(&out, err, errlen);
}
