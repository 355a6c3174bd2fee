// SPDX-License-Identifier: MIT
/*
 * The device trace on the host's clock (devtrace.h).
 *
 * Which inference: the trace names its inferences by the runtime's sample
 * number n, i.e. the n-th enqueue of the program (qp_program_samples, the
 * order the runtime numbers them in).  With several threads enqueueing the
 * order can differ by a few places, so candidates within +-window are
 * considered, nearest first; one is taken when its operators can lie in
 * its device span (below) and, when a runtime latency dump was merged,
 * preferably when its devExec equals the operators' span.
 *
 * Which offset: qprof draws an inference's device span as [A, B] with
 * A = EXECUTE entry (t_x, the shim's stamp) + exectoVc, B = A +
 * execToComplete (µs integers, PERF_STATS), or A + the operators' span
 * when that is longer: with a punctual completion interrupt the kernel's
 * view falls short of the device's run by up to its truncations and the
 * EXECUTE's entry.  The kernel stamps the request
 * at r >= t_x (inside the EXECUTE call, r <= EXECUTE return t_r), rings the
 * doorbell at v in [r + exectoVc, r + exectoVc + 1 µs) and completes at c
 * in [v + execToComplete, v + execToComplete + 1 µs).  The device runs the
 * request within [v, c], so for the operators' span [s, e] (device clock)
 * the true offset d (host = device + d) satisfies
 *        lo = A - s  <=  d  <=  B + (t_r - t_x) + 2 µs - e = hi.
 * The clock offset is one for all inferences: when the windows [lo, hi]
 * of the matched inferences intersect in W, the true offset is in W.
 * Each inference is placed with the offset nearest to the upper end of W
 * (of its own window when they do not intersect) that keeps its operators
 * inside its drawn span [A, B] (d <= B - e, never below lo): the device
 * ends a request just before the kernel stamps its completion, while it
 * may start it long after the doorbell (requests queued before it), so the
 * operators ending at the completion is where the true offset lies (the
 * simulator: within the 1-tick truncation and the completion's latency).
 * That placement is an estimate; the stated error does not rely on it: it
 * is the distance to the farther end of W (of its window), and the true
 * offset is within it.  A device clock drifting against the host's shows
 * as windows that do not intersect over a long run: reported, not
 * corrected.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devdump.h"
#include "devtrace.h"

#define DEVEXEC_TOL_US 0.002	/* devExec and ts are printed with 3 decimals */
#define TRUNC_NS 2000.0		/* two integer-µs truncations */

/* The drawn device span and its slack; false without perf stats. */
static bool host_span(const struct qp_inference *i, double *a, double *b,
		      double *slack)
{
	uint64_t xb = qp_inf_time(i, QP_T_EXEC_BEGIN);
	uint64_t xe = qp_inf_time(i, QP_T_EXEC_END);

	if (!(i->flags & QP_F_HAS_PERF) || !xb || !i->device_latency_us)
		return false;
	*a = (double)xb + i->submit_latency_us * 1000.0;
	*b = *a + i->device_latency_us * 1000.0;
	*slack = (xe > xb ? (double)(xe - xb) : 0) + TRUNC_NS;
	return true;
}

enum fit { FIT_NO, FIT_SPAN, FIT_DEVEXEC };

static enum fit fits(const struct qp_model *m, uint32_t k,
		     const struct qp_devinf *d)
{
	const struct qp_inference *i = &m->inf[k];
	const struct qp_dev_times *dv = qp_model_dev(m, i);
	double a, b, slack, span = d->last_us - d->first_us;

	if (i->state != QP_INF_OK || !host_span(i, &a, &b, &slack) ||
	    span * 1000.0 > b - a + slack)
		return FIT_NO;
	if (dv && (i->flags & QP_F_HAS_DEV)) {
		if (fabs(dv->exec_us - span) <= DEVEXEC_TOL_US)
			return FIT_DEVEXEC;
		if (span > dv->exec_us + DEVEXEC_TOL_US)
			return FIT_NO;	/* operators longer than the execution */
	}
	return FIT_SPAN;
}

/* The candidate for trace inference @d among samples @c (nearest, best). */
static uint32_t pick(const struct qp_model *m, const uint32_t *c, size_t nc,
		     const uint8_t *used, const struct qp_devinf *d,
		     unsigned window, bool *confirmed)
{
	long best = -1;
	enum fit bf = FIT_NO;
	unsigned w;

	for (w = 0; w <= window; w++) {
		long cj[2] = { (long)d->inference - (long)w, (long)d->inference + (long)w };
		int t;

		for (t = 0; t < (w ? 2 : 1); t++) {
			enum fit f;

			if (cj[t] < 0 || (size_t)cj[t] >= nc || used[cj[t]])
				continue;
			f = fits(m, c[cj[t]], d);
			if (f > bf) {
				bf = f;
				best = cj[t];
			}
		}
		if (bf == FIT_DEVEXEC || (bf == FIT_SPAN && !m->dev))
			break;
	}
	*confirmed = bf == FIT_DEVEXEC;
	return best < 0 ? QP_NONE : (uint32_t)best;
}

static int match(const struct qp_model *m, uint32_t prog,
		 const struct qp_devtrace *t, unsigned window,
		 struct qp_devalign *a)
{
	size_t nc = 0, k;
	uint32_t *c = qp_program_samples(m, prog, &nc);
	uint8_t *used = calloc(nc ? nc : 1, 1);

	if (!c || !used) {
		free(c);
		free(used);
		return -1;
	}
	a->matched = 0;
	for (k = 0; k < t->ninfs; k++) {
		struct qp_devalign_inf *r = &a->infs[k];
		uint32_t j = pick(m, c, nc, used, &t->infs[k], window,
				  &r->devexec_confirmed);

		r->inference = t->infs[k].inference;
		r->dev_first_us = t->infs[k].first_us;
		r->dev_last_us = t->infs[k].last_us;
		r->inf = j == QP_NONE ? QP_NONE : c[j];
		r->span_b = r->span_e = 0;
		if (j == QP_NONE)
			continue;
		used[j] = 1;
		a->matched++;
	}
	free(c);
	free(used);
	return 0;
}

static int32_t pid_of(const struct qp_model *m, uint32_t proc)
{
	return proc < m->nprocesses ? m->processes[proc].pid : -1;
}

/* Index of program @p among the programs of its process (creation order). */
static uint32_t index_in_process(const struct qp_model *m, size_t p)
{
	uint32_t n = 0;
	size_t k;

	for (k = 0; k < p; k++)
		n += m->programs[k].process == m->programs[p].process;
	return n;
}

/*
 * The program the trace belongs to, in the order to try: named like the
 * trace (any when it names none), of one process, the one whose ProgramId
 * matches first.
 */
static int candidates(const struct qp_model *m, const struct qp_devtrace *t,
		      int32_t pid, uint32_t *out, size_t *n, char *err,
		      size_t errlen)
{
	uint32_t proc = QP_NONE;
	size_t k;

	*n = 0;
	for (k = 0; k < m->nprograms; k++) {
		const struct qp_program *p = &m->programs[k];

		if ((t->program_name && (!p->name || strcmp(p->name, t->program_name))) ||
		    (pid && pid_of(m, p->process) != pid))
			continue;
		if (proc != QP_NONE && p->process != proc) {
			snprintf(err, errlen,
				 "%s: ambiguous: program '%s' was recorded in several processes (pids %d and %d); choose one with --pid",
				 t->path, p->name ? p->name : "?", pid_of(m, proc),
				 pid_of(m, p->process));
			return -1;
		}
		proc = p->process;
		if (t->has_program_id && index_in_process(m, k) == t->program_id && *n) {
			memmove(out + 1, out, *n * sizeof(*out));
			out[0] = (uint32_t)k;
		} else {
			out[*n] = (uint32_t)k;
		}
		(*n)++;
	}
	if (*n)
		return 0;
	snprintf(err, errlen, "%s: program '%s' is not in the trace%s",
		 t->path, t->program_name ? t->program_name : "(unnamed)",
		 pid ? " for this --pid" : "");
	return -1;
}

/* Each inference's window, W, and the offsets taken; see the top. */
static void offsets(const struct qp_model *m, struct qp_devalign *a)
{
	double lo = -INFINITY, hi = INFINITY, dmin = INFINITY, dmax = -INFINITY;
	size_t k;

	for (k = 0; k < a->ninfs; k++) {
		struct qp_devalign_inf *r = &a->infs[k];
		double sa, sb, slack;

		if (r->inf == QP_NONE || !host_span(&m->inf[r->inf], &sa, &sb, &slack)) {
			r->inf = QP_NONE;
			continue;
		}
		r->span_b = (uint64_t)sa;
		/* never shorter than the operators, which the device timed:
		 * its view may be (its truncations, the EXECUTE's entry) */
		r->span_e = (uint64_t)ceil(fmax(sb, sa + (r->dev_last_us -
							  r->dev_first_us) * 1000.0));
		r->lo_ns = sa - r->dev_first_us * 1000.0;
		r->hi_ns = sb + slack - r->dev_last_us * 1000.0;
		lo = fmax(lo, r->lo_ns);
		hi = fmin(hi, r->hi_ns);
	}
	a->joint = lo <= hi;
	a->lo_ns = a->joint ? lo : NAN;
	a->hi_ns = a->joint ? hi : NAN;
	a->error_ns = 0;
	for (k = 0; k < a->ninfs; k++) {
		struct qp_devalign_inf *r = &a->infs[k];
		double wlo = a->joint ? lo : r->lo_ns, whi = a->joint ? hi : r->hi_ns;
		double drawn;

		if (r->inf == QP_NONE)
			continue;
		drawn = (double)r->span_e - r->dev_last_us * 1000.0;
		r->offset_ns = fmax(r->lo_ns, fmin(whi, drawn));
		r->error_ns = fmax(r->offset_ns - wlo, whi - r->offset_ns);
		a->error_ns = fmax(a->error_ns, r->error_ns);
		dmin = fmin(dmin, r->offset_ns);
		dmax = fmax(dmax, r->offset_ns);
	}
	a->spread_ns = dmax >= dmin ? dmax - dmin : 0;
}

const struct qp_devalign_inf *qp_devalign_find(const struct qp_devalign *a,
					       int64_t inference)
{
	size_t lo = 0, hi = a->ninfs;

	while (lo < hi) {	/* infs are in the trace's (ascending) order */
		size_t mid = (lo + hi) / 2;

		if (a->infs[mid].inference < inference)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < a->ninfs && a->infs[lo].inference == inference &&
	       a->infs[lo].inf != QP_NONE ? &a->infs[lo] : NULL;
}

static void count_outside(const struct qp_devtrace *t, struct qp_devalign *a)
{
	size_t k;

	a->ops_outside = a->ops_unmatched = 0;
	for (k = 0; k < t->nops; k++) {
		const struct qp_devop *op = &t->ops[k];
		const struct qp_devalign_inf *r = qp_devalign_find(a, op->inference);
		double b, e;

		if (!r) {
			a->ops_unmatched++;
			continue;
		}
		b = qp_devalign_host_ns(r, op->ts_us);
		e = qp_devalign_host_ns(r, op->ts_us + op->dur_us);
		/* 1 ns: the doubles' rounding at these magnitudes */
		a->ops_outside += b < (double)r->span_b - 1 ||
				  e > (double)r->span_e + 1;
	}
}

int qp_devtrace_align(const struct qp_model *m, const struct qp_devtrace *t,
		      const struct qp_devalign_opts *o, struct qp_devalign *a,
		      char *err, size_t errlen)
{
	uint32_t *cand = malloc((m->nprograms + 1) * sizeof(*cand));
	unsigned window = o && o->window ? o->window : 16;
	size_t nc = 0, k;
	int rc = -1;

	memset(a, 0, sizeof(*a));
	a->infs = calloc(t->ninfs ? t->ninfs : 1, sizeof(*a->infs));
	a->ninfs = t->ninfs;
	if (!cand || !a->infs) {
		snprintf(err, errlen, "out of memory aligning %s", t->path);
		goto out;
	}
	if (!t->ninfs) {
		snprintf(err, errlen, "%s: no operator names an inference ('<op>-Inf-<n>')",
			 t->path);
		goto out;
	}
	if (candidates(m, t, o ? o->pid : 0, cand, &nc, err, errlen))
		goto out;
	for (k = 0; k < nc; k++) {
		if (match(m, cand[k], t, window, a)) {
			snprintf(err, errlen, "out of memory aligning %s", t->path);
			goto out;
		}
		if (a->matched == t->ninfs)
			break;
	}
	if (!a->matched) {
		snprintf(err, errlen,
			 "%s: none of the %zu profiled inferences (first: %" PRId64 ") has a recorded inference with kernel perf stats whose device span can hold its operators",
			 t->path, t->ninfs, t->infs[0].inference);
		goto out;
	}
	for (k = 0; k < t->ninfs; k++)
		if (a->infs[k].inf != QP_NONE) {
			a->program = m->inf[a->infs[k].inf].program;
			break;
		}
	offsets(m, a);
	count_outside(t, a);
	rc = 0;
out:
	free(cand);
	if (rc)
		qp_devalign_free(a);
	return rc;
}

void qp_devalign_free(struct qp_devalign *a)
{
	free(a->infs);
	memset(a, 0, sizeof(*a));
}
