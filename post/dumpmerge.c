// SPDX-License-Identifier: MIT
/*
 * Merging runtime latency dumps into recorded inferences (docs/REPORT.md,
 * "Device dumps"): rows matched to inferences by program and order, confirmed by the
 * kernel perf-stat integers both sides hold; device columns added to the
 * model's side array.  Parsing: devdump.c.
 */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devdump.h"
#include "escape.h"

struct cand {
	uint64_t t0;
	uint32_t seq;
	uint32_t inf;		/* index in m->inf */
};

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->t0 != y->t0)
		return x->t0 < y->t0 ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The enqueues the runtime numbered (an enqueue it refused never got a Sample). */
static bool has_sample(const struct qp_inference *i, uint32_t prog)
{
	return i->program == prog &&
	       !(i->state == QP_INF_FAILED && i->off[QP_T_EXEC_BEGIN] == QP_T_NONE);
}

/* The general case: sort by (t0, seq). */
static int sort_samples(const struct qp_model *m, uint32_t *out, size_t cnt)
{
	struct cand *c = malloc((cnt ? cnt : 1) * sizeof(*c));
	size_t k;

	if (!c)
		return -1;
	for (k = 0; k < cnt; k++)
		c[k] = (struct cand){ m->inf[out[k]].t0, m->inf[out[k]].seq, out[k] };
	qsort(c, cnt, sizeof(*c), cmp_cand);
	for (k = 0; k < cnt; k++)
		out[k] = c[k].inf;
	free(c);
	return 0;
}

uint32_t *qp_program_samples(const struct qp_model *m, uint32_t prog,
			     size_t *n)
{
	/* pages past the program's count are never touched: no RSS */
	uint32_t *out = malloc((m->ninf ? m->ninf : 1) * sizeof(*out));
	struct cand prev = { 0, 0, 0 }, cur;
	bool sorted = true;
	size_t k, cnt = 0;

	if (!out)
		return NULL;
	/* inferences are assembled almost in t0 order: often nothing to sort */
	for (k = 0; k < m->ninf; k++) {
		const struct qp_inference *i = &m->inf[k];

		if (!has_sample(i, prog))
			continue;
		cur = (struct cand){ i->t0, i->seq, (uint32_t)k };
		if (cnt && cmp_cand(&prev, &cur) > 0)
			sorted = false;
		prev = cur;
		out[cnt++] = (uint32_t)k;
	}
	if (!sorted && sort_samples(m, out, cnt)) {
		free(out);
		return NULL;
	}
	*n = cnt;
	return out;
}

/*
 * Row r's kernel integers are inference k's; over several devices, those
 * of one of its devices (the runtime's row tells which one it took for
 * the last to complete: apply_plan makes it the straggler).
 */
static bool confirms(const struct qp_model *m, size_t k,
		     const struct qp_dump *d, size_t r)
{
	const struct qp_inference *i = &m->inf[k];

	if ((i->flags & QP_F_HAS_PERF) &&
	    d->col[QP_M_EXEC_TO_VC][r] == (double)i->submit_latency_us &&
	    d->col[QP_M_EXEC_TO_COMPLETE][r] == (double)i->device_latency_us)
		return true;
	return qp_model_span_with(m, k, d->col[QP_M_EXEC_TO_VC][r],
				  d->col[QP_M_EXEC_TO_COMPLETE][r]) != NULL;
}

struct plan {
	uint32_t *inf_of_row;	/* per row: model index, or QP_NONE */
	uint64_t matched, mismatched, unmatched, no_device;
	uint32_t batch;
	size_t bad_batch_row;	/* SIZE_MAX: none */
};

/*
 * The batch size row r implies (devInfPerSec = batch x 1e6 / devExecUs):
 * the program's is the first; a row implying none (below 1/2) is kept in
 * bad_batch_row for the merge to refuse, rather than dropping the batch.
 */
static void plan_batch(struct plan *pl, const struct qp_dump *d, size_t r)
{
	long b = lround(d->col[QP_M_DEV_INF_PER_SEC][r] *
			d->col[QP_M_DEV_EXEC][r] / 1e6);

	if (b < 1) {
		if (pl->bad_batch_row == SIZE_MAX)
			pl->bad_batch_row = r;
	} else if (!pl->batch) {
		pl->batch = b > UINT32_MAX ? UINT32_MAX : (uint32_t)b;
	}
}

/*
 * Rows of dump d against the enqueues of one program: row with Sample s
 * goes to the nearest unused enqueue around index s whose kernel integers
 * are the row's.
 */
static int plan_dump(const struct qp_model *m, uint32_t prog,
		     const struct qp_dump *d, unsigned window, struct plan *pl)
{
	size_t nc = 0, r;
	uint32_t *c = qp_program_samples(m, prog, &nc);
	uint8_t *used = calloc(nc ? nc : 1, 1);

	memset(pl, 0, sizeof(*pl));
	pl->bad_batch_row = SIZE_MAX;
	pl->inf_of_row = malloc((d->nrows ? d->nrows : 1) * sizeof(uint32_t));
	if (!c || !used || !pl->inf_of_row) {
		free(c);
		free(used);
		free(pl->inf_of_row);
		pl->inf_of_row = NULL;
		return -1;
	}
	for (r = 0; r < d->nrows; r++) {
		uint64_t s = d->sample[r];
		long j = -1;
		unsigned w;

		pl->inf_of_row[r] = QP_NONE;
		for (w = 0; w <= window && j < 0; w++) {
			long cj[2] = { (long)s + (long)w, (long)s - (long)w };
			int t;

			for (t = 0; t < (w ? 2 : 1); t++)
				if (cj[t] >= 0 && (size_t)cj[t] < nc &&
				    !used[cj[t]] &&
				    confirms(m, c[cj[t]], d, r)) {
					j = cj[t];
					break;
				}
		}
		if (j < 0) {
			if (s < nc)
				pl->mismatched++;
			else
				pl->unmatched++;
			continue;
		}
		used[j] = 1;
		pl->inf_of_row[r] = c[j];
		pl->matched++;
		if (!qp_dump_has(d, QP_M_DEV_EXEC) || isnan(d->col[QP_M_DEV_EXEC][r]))
			pl->no_device++;
		else if (d->col[QP_M_DEV_INF_PER_SEC] &&
			 !isnan(d->col[QP_M_DEV_INF_PER_SEC][r]))
			plan_batch(pl, d, r);
	}
	free(c);
	free(used);
	return 0;
}

static void apply_plan(struct qp_model *m, uint32_t prog,
		       const struct qp_dump *d, const struct plan *pl)
{
	size_t r;

	for (r = 0; r < d->nrows; r++) {
		struct qp_inference *i;
		struct qp_dev_times *dv;

		if (pl->inf_of_row[r] == QP_NONE)
			continue;
		i = &m->inf[pl->inf_of_row[r]];
		dv = &m->dev[pl->inf_of_row[r]];
		if (i->submit_latency_us != d->col[QP_M_EXEC_TO_VC][r] ||
		    i->device_latency_us != d->col[QP_M_EXEC_TO_COMPLETE][r]) {
			const struct qp_dev_span *s = qp_model_span_with(
				m, pl->inf_of_row[r], d->col[QP_M_EXEC_TO_VC][r],
				d->col[QP_M_EXEC_TO_COMPLETE][r]);

			if (s)
				qp_model_set_straggler(m, pl->inf_of_row[r], s);
		}
		/* the worker's own timing of its work (waiting and working) */
		if (d->col[QP_M_PRE_PROC] && d->col[QP_M_SUBMIT] &&
		    !isnan(d->col[QP_M_PRE_PROC][r]) &&
		    !isnan(d->col[QP_M_SUBMIT][r])) {
			dv->rt_pre_us = d->col[QP_M_PRE_PROC][r];
			dv->rt_submit_us = d->col[QP_M_SUBMIT][r];
			i->flags |= QP_F_HAS_RT;
		}
		if (!d->col[QP_M_DEV_EXEC] || isnan(d->col[QP_M_DEV_EXEC][r]))
			continue;
		dv->exec_us = d->col[QP_M_DEV_EXEC][r];
		dv->in_wait_us = d->col[QP_M_DEV_IN_WAIT] ?
				 d->col[QP_M_DEV_IN_WAIT][r] : NAN;
		dv->out_wait_us = d->col[QP_M_DEV_OUT_WAIT] ?
				  d->col[QP_M_DEV_OUT_WAIT][r] : NAN;
		i->flags |= QP_F_HAS_DEV;
	}
	if (pl->batch && !m->programs[prog].batch)
		m->programs[prog].batch = pl->batch;
}

/*
 * Does a dump's ProgramName name program p?  The runtime writes the name
 * as given; qprof's own --csv-dir writes it escaped (escape.h), so both
 * forms match.
 */
static bool name_matches(const char *name, const char *dump_name)
{
	char buf[512];
	size_t n;

	if (!strcmp(name, dump_name))
		return true;
	n = qp_text_escape(buf, sizeof(buf), name);
	if (n < sizeof(buf))
		return !strcmp(buf, dump_name);
	{
		char *e = qp_text_dup(name);
		bool eq = e && !strcmp(e, dump_name);

		free(e);
		return eq;
	}
}

static int32_t process_pid(const struct qp_model *m, uint32_t proc)
{
	return proc < m->nprocesses ? m->processes[proc].pid : -1;
}

/*
 * Programs of pass 0: named like dump d; pass 1: created without a name
 * (their label may not be the description's name the runtime wrote; the
 * kernel integers then confirm the right one, or none).  Optionally of
 * one pid.  Refuses names found in several processes: order alone cannot
 * tell which run wrote the file.
 */
static int match_programs(const struct qp_model *m, const struct qp_dump *d,
			  int32_t pid, int pass, uint32_t *out, size_t *n,
			  char *err, size_t errlen)
{
	uint32_t proc = QP_NONE;
	size_t k;

	*n = 0;
	for (k = 0; k < m->nprograms; k++) {
		const struct qp_program *p = &m->programs[k];

		if (!p->name || (pass ? !p->name_from_qpc :
				 !name_matches(p->name, d->program_name)) ||
		    (pid && process_pid(m, p->process) != pid))
			continue;
		if (proc != QP_NONE && p->process != proc) {
			snprintf(err, errlen,
				 "%s: ambiguous merge: program '%s' was recorded in several processes (pids %d and %d); choose one with --pid",
				 d->path, d->program_name,
				 process_pid(m, proc), process_pid(m, p->process));
			return -1;
		}
		proc = p->process;
		out[(*n)++] = (uint32_t)k;
	}
	return 0;
}

static int candidates(const struct qp_model *m, const struct qp_dump *d,
		      int32_t pid, uint32_t *out, size_t *n, char *err,
		      size_t errlen)
{
	char names[256] = "";
	size_t k, len = 0;

	if (match_programs(m, d, pid, 0, out, n, err, errlen) ||
	    (!*n && match_programs(m, d, pid, 1, out, n, err, errlen)))
		return -1;
	if (*n)
		return 0;
	for (k = 0; k < m->nprograms && len < sizeof(names) - 1; k++) {
		int w = snprintf(names + len, sizeof(names) - len, "%s'%s'",
				 k ? ", " : "", m->programs[k].name ?
				 m->programs[k].name : "?");

		if (w < 0)
			break;
		len += (size_t)w;
	}
	snprintf(err, errlen,
		 "%s: program '%s' is not in the trace%s (recorded programs: %s)",
		 d->path, d->program_name, pid ? " for this --pid" : "",
		 m->nprograms ? names : "none");
	return -1;
}

static int cmp_dump_id(const void *a, const void *b)
{
	const struct qp_dump *x = *(const struct qp_dump *const *)a;
	const struct qp_dump *y = *(const struct qp_dump *const *)b;

	return (x->program_id > y->program_id) - (x->program_id < y->program_id);
}

int qp_dump_merge(struct qp_model *m, const struct qp_dump_set *s,
		  const struct qp_merge_opts *o, struct qp_merge_result *res,
		  char *err, size_t errlen)
{
	static const struct qp_merge_opts defaults;
	const struct qp_dump **order = NULL;
	struct plan *plans = NULL;
	uint32_t *target = NULL, *cand = NULL;
	uint8_t *taken = NULL;
	double maxmis;
	unsigned window;
	size_t k, j, nc = 0;
	int rc = -1;

	if (!o)
		o = &defaults;
	maxmis = o->max_mismatch > 0 ? o->max_mismatch : 0.01;
	window = o->window ? o->window : 16;
	memset(res, 0, sizeof(*res));
	order = malloc((s->n + 1) * sizeof(*order));
	plans = calloc(s->n + 1, sizeof(*plans));
	target = malloc((s->n + 1) * sizeof(*target));
	cand = malloc((m->nprograms + 1) * sizeof(*cand));
	taken = calloc(m->nprograms + 1, 1);
	if (!order || !plans || !target || !cand || !taken) {
		snprintf(err, errlen, "out of memory merging runtime latency files");
		goto out;
	}
	for (k = 0; k < s->n; k++)
		order[k] = &s->d[k];
	qsort(order, s->n, sizeof(*order), cmp_dump_id);
	/*
	 * Plan every file before touching the model: dump -> the first program
	 * of its name (creation order) not yet taken that its rows confirm.
	 */
	for (k = 0; k < s->n; k++) {
		const struct qp_dump *d = order[k];
		struct plan best = { 0 };
		bool found = false;

		res->rows += d->nrows;
		if (candidates(m, d, o->pid, cand, &nc, err, errlen))
			goto out;
		for (j = 0; j < nc && !found; j++) {
			struct plan pl;

			if (taken[cand[j]])
				continue;
			if (plan_dump(m, cand[j], d, window, &pl)) {
				snprintf(err, errlen, "out of memory merging %s", d->path);
				free(best.inf_of_row);
				goto out;
			}
			if (pl.matched && pl.mismatched <= maxmis * d->nrows) {
				found = true;
				free(best.inf_of_row);
				best = pl;
				target[k] = cand[j];
				taken[cand[j]] = 1;
			} else if (!best.inf_of_row || pl.matched > best.matched) {
				free(best.inf_of_row);
				best = pl;
			} else {
				free(pl.inf_of_row);
			}
		}
		if (!found) {
			snprintf(err, errlen,
				 "%s: ambiguous merge: program '%s': %" PRIu64 " of %zu rows contradict the recorded kernel perf stats (exectoVcUs/execToCompleteUs), %" PRIu64
				 " have no recorded inference; is this file from the traced run?",
				 d->path, d->program_name,
				 best.mismatched, d->nrows, best.unmatched);
			free(best.inf_of_row);
			goto out;
		}
		plans[k] = best;
		if (best.bad_batch_row != SIZE_MAX) {
			size_t r = best.bad_batch_row;

			snprintf(err, errlen,
				 "%s: Sample %" PRIu64 ": devInfPerSec %g x devExecUs %g / 1e6 = %.3g is no batch size (at least 1)",
				 d->path, d->sample[r], d->col[QP_M_DEV_INF_PER_SEC][r],
				 d->col[QP_M_DEV_EXEC][r],
				 d->col[QP_M_DEV_INF_PER_SEC][r] * d->col[QP_M_DEV_EXEC][r] / 1e6);
			goto out;
		}
	}
	if (s->n && !m->dev) {
		m->dev = calloc(m->ninf ? m->ninf : 1, sizeof(*m->dev));
		if (!m->dev) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	for (k = 0; k < s->n; k++) {
		apply_plan(m, target[k], order[k], &plans[k]);
		res->matched += plans[k].matched;
		res->mismatched += plans[k].mismatched;
		res->unmatched += plans[k].unmatched;
		res->no_device += plans[k].no_device;
	}
	rc = 0;
out:
	for (k = 0; plans && k < s->n; k++)
		free(plans[k].inf_of_row);
	free(order);
	free(plans);
	free(target);
	free(cand);
	free(taken);
	return rc;
}
