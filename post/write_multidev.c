// SPDX-License-Identifier: MIT
/*
 * Per-device figures of programs over several devices and failures by
 * cause, for the summary and the JSON report (write_multidev.h).
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "write_multidev.h"

static bool kept(const struct qp_write_opts *o, size_t k)
{
	return !o || !o->select || o->select[k];
}

/*
 * ns when span s's device completed its request (the middle of what the
 * trace allows), 0 without perf stats.
 */
static uint64_t span_done(const struct qp_inference *inf,
			  const struct qp_dev_span *s)
{
	uint64_t lo, hi;

	if (!(s->flags & QP_SPAN_HAS_PERF) || s->exec_begin == QP_T_NONE ||
	    s->exec_end == QP_T_NONE)
		return 0;
	return qp_kernel_done_bounds(inf->t0 + s->exec_begin,
				     inf->t0 + s->exec_end,
				     s->wait_end == QP_T_NONE ? 0 :
				     inf->t0 + s->wait_end,
				     s->submit_latency_us, s->device_latency_us,
				     &lo, &hi);
}

/* Per-device value lists while collecting. */
struct acc {
	struct qp_devfig fig;
	double *vc, *cpl, *behind;
	size_t nvc, nbehind;
};

static struct acc *acc_of(const struct qp_model *m, struct acc **v, size_t *n,
			  size_t cap_vals, const struct qp_dev_span *s)
{
	char name[64];
	struct acc *a;
	size_t i;

	qp_device_name(m, s->device, name, sizeof(name));
	for (i = 0; i < *n; i++)
		if (!strcmp((*v)[i].fig.name, name))
			return &(*v)[i];
	a = realloc(*v, (*n + 1) * sizeof(**v));
	if (!a)
		return NULL;
	*v = a;
	a = &a[(*n)++];
	memset(a, 0, sizeof(*a));
	snprintf(a->fig.name, sizeof(a->fig.name), "%s", name);
	a->vc = malloc(cap_vals * sizeof(double));
	a->cpl = malloc(cap_vals * sizeof(double));
	a->behind = malloc(cap_vals * sizeof(double));
	if (!a->vc || !a->cpl || !a->behind)
		return NULL;
	return a;
}

int qp_devfigs(const struct qp_model *m, const struct qp_write_opts *o,
	       uint32_t prog, struct qp_devfig **out, size_t *nout)
{
	struct acc *v = NULL;
	size_t n = 0, k, i, cap = 0;
	int rc = -1;

	*out = NULL;
	*nout = 0;
	for (k = 0; k < m->ninf; k++)
		if (m->inf[k].program == prog && m->inf[k].state == QP_INF_OK &&
		    kept(o, k) && qp_model_spans(m, k, &i))
			cap++;
	if (!cap)
		return 0;
	for (k = 0; k < m->ninf; k++) {
		const struct qp_inference *inf = &m->inf[k];
		const struct qp_dev_span *s;
		uint64_t first = 0, latest = 0;
		size_t ns, li = SIZE_MAX;

		if (inf->program != prog || inf->state != QP_INF_OK ||
		    !kept(o, k))
			continue;
		s = qp_model_spans(m, k, &ns);
		for (i = 0; i < ns; i++) {
			uint64_t d = span_done(inf, &s[i]);

			if (d && (!first || d < first))
				first = d;
			if (d > latest) {
				latest = d;
				li = i;
			}
		}
		for (i = 0; i < ns; i++) {
			struct acc *a = acc_of(m, &v, &n, cap, &s[i]);
			uint64_t d = span_done(inf, &s[i]);

			if (!a)
				goto out;
			a->fig.dbc_id = s[i].dbc_id;
			a->fig.inferences++;
			if (s[i].flags & QP_SPAN_STRAGGLER)
				a->fig.last++;
			if (i == li)
				a->fig.done_last++;
			if (d) {
				a->vc[a->nvc] = s[i].submit_latency_us;
				a->cpl[a->nvc++] = s[i].device_latency_us;
				a->behind[a->nbehind++] = (double)(d - first) / 1000;
			}
		}
	}
	*out = calloc(n, sizeof(**out));
	if (!*out)
		goto out;
	for (i = 0; i < n; i++) {
		qp_stats_compute(v[i].vc, v[i].nvc, &v[i].fig.exec_to_vc);
		qp_stats_compute(v[i].cpl, v[i].nvc, &v[i].fig.exec_to_complete);
		qp_stats_compute(v[i].behind, v[i].nbehind, &v[i].fig.behind_first);
		(*out)[i] = v[i].fig;
	}
	*nout = n;
	rc = 0;
out:
	for (i = 0; i < n; i++) {
		free(v[i].vc);
		free(v[i].cpl);
		free(v[i].behind);
	}
	free(v);
	return rc;
}

/* The device that completed last most often, NULL when none. */
static const struct qp_devfig *most_last(const struct qp_devfig *d, size_t n)
{
	const struct qp_devfig *best = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (d[i].last && (!best || d[i].last > best->last))
			best = &d[i];
	return best;
}

static void ms_cell(FILE *f, double us)
{
	if (isnan(us))
		fprintf(f, " %9s", "-");
	else
		fprintf(f, " %9.3f", us / 1000);
}

int qp_summary_devices(FILE *f, const struct qp_model *m,
		       const struct qp_write_opts *o, uint32_t prog)
{
	const struct qp_devfig *s;
	struct qp_devfig *d;
	size_t n, i, total = 0;

	if (qp_devfigs(m, o, prog, &d, &n))
		return -1;
	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		total += d[i].last;
	s = most_last(d, n);
	fprintf(f, "  devices: %zu (one EXECUTE and WAIT per device; an inference is done when its last device is)\n", n);
	if (s && total) {
		fprintf(f, "  straggler (the device with the largest exectoVc + execToComplete, whose figures the rows above are): ");
		qp_text_fputs(s->name, f);
		fprintf(f, " in %.1f %% of the inferences\n",
			100.0 * (double)s->last / (double)total);
	}
	fprintf(f, "  %-16s %5s %9s %7s %7s %9s %9s %9s %9s %9s\n", "device (ms)",
		"dbc", "inf", "strag %", "last %", "toVc", "cpl mean", "cpl 99%",
		"behind", "behind99");
	for (i = 0; i < n; i++) {
		fputs("  ", f);
		qp_text_fputs(d[i].name, f);
		fprintf(f, "%*s %5" PRIu32 " %9zu %7.1f %7.1f",
			(int)(16 - (strlen(d[i].name) < 16 ? strlen(d[i].name) : 16)),
			"", d[i].dbc_id, d[i].inferences,
			d[i].inferences ? 100.0 * (double)d[i].last /
					  (double)d[i].inferences : 0.0,
			d[i].inferences ? 100.0 * (double)d[i].done_last /
					  (double)d[i].inferences : 0.0);
		ms_cell(f, d[i].exec_to_vc.count ? d[i].exec_to_vc.mean : NAN);
		ms_cell(f, d[i].exec_to_complete.count ? d[i].exec_to_complete.mean : NAN);
		ms_cell(f, d[i].exec_to_complete.count ? d[i].exec_to_complete.pct[QP_P99] : NAN);
		ms_cell(f, d[i].behind_first.count ? d[i].behind_first.mean : NAN);
		ms_cell(f, d[i].behind_first.count ? d[i].behind_first.pct[QP_P99] : NAN);
		fputc('\n', f);
	}
	fprintf(f, "  (strag = straggler; last = completed last, toVc = exectoVc, cpl = execToComplete of each\n"
		"   device's own request; behind = after the inference's first device completed; completion\n"
		"   times are bounded by the EXECUTE ioctl and the WAIT return: estimates)\n");
	free(d);
	return 0;
}

void qp_summary_failures(FILE *f, const struct qp_model *m)
{
	static const char *const label[QP_FAIL__COUNT] = {
		"API error status", "subsystem restart (EPIPE)",
		"device gone (ENODEV)", "DBC released (EPERM)",
		"other kernel error",
	};
	int c;

	if (m->state_count[QP_INF_FAILED]) {
		fprintf(f, "  failed by cause:");
		for (c = 0; c < QP_FAIL__COUNT; c++)
			fprintf(f, " %s %" PRIu64 "%s", label[c],
				m->failed_cause[c], c + 1 < QP_FAIL__COUNT ? "," : "\n");
	}
	if (m->restarts)
		fprintf(f, "  subsystem restarts: %" PRIu64 ", which cost %" PRIu64
			" inferences (failed with EPIPE or EPERM until the DBC was activated again)\n",
			m->restarts, m->restart_failed);
	if (m->wait_interrupted || m->exec_interrupted)
		fprintf(f, "  interrupted and retried (not failures): WAIT_BO %" PRIu64
			", EXECUTE_BO %" PRIu64 "\n",
			m->wait_interrupted, m->exec_interrupted);
	if (m->multi_device)
		fprintf(f, "  inferences over several devices: %" PRIu64 "\n",
			m->multi_device);
}

static json_t *num(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *stats3(const struct qp_stats *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "count", json_integer((json_int_t)s->count));
	json_object_set_new(o, "mean", num(s->count ? s->mean : NAN));
	json_object_set_new(o, "p50", num(s->count ? s->pct[QP_P50] : NAN));
	json_object_set_new(o, "p99", num(s->count ? s->pct[QP_P99] : NAN));
	json_object_set_new(o, "max", num(s->count ? s->max : NAN));
	return o;
}

/* A device name (from a trace path) as a JSON string. */
static json_t *name_str(const char *s)
{
	json_t *j = json_string(s);

	return j ? j : json_string("?");
}

int qp_json_devices(json_t *pj, const struct qp_model *m,
		    const struct qp_write_opts *o, uint32_t prog)
{
	const struct qp_devfig *s;
	struct qp_devfig *d;
	json_t *a;
	size_t n, i;

	if (qp_devfigs(m, o, prog, &d, &n))
		return -1;
	if (!n)
		return 0;
	a = json_array();
	for (i = 0; i < n; i++) {
		json_t *j = json_object();

		json_object_set_new(j, "device", name_str(d[i].name));
		json_object_set_new(j, "dbc_id", json_integer(d[i].dbc_id));
		json_object_set_new(j, "inferences", json_integer((json_int_t)d[i].inferences));
		json_object_set_new(j, "straggler", json_integer((json_int_t)d[i].last));
		json_object_set_new(j, "completed_last", json_integer((json_int_t)d[i].done_last));
		json_object_set_new(j, "exectoVcUs", stats3(&d[i].exec_to_vc));
		json_object_set_new(j, "execToCompleteUs", stats3(&d[i].exec_to_complete));
		json_object_set_new(j, "behind_first_us", stats3(&d[i].behind_first));
		json_array_append_new(a, j);
	}
	json_object_set_new(pj, "devices", a);
	s = most_last(d, n);
	json_object_set_new(pj, "straggler", s ? name_str(s->name) : json_null());
	free(d);
	return 0;
}

void qp_json_failures(json_t *acc, const struct qp_model *m)
{
	json_t *fc = json_object(), *it = json_object(), *rs = json_object();
	int c;

	for (c = 0; c < QP_FAIL__COUNT; c++)
		json_object_set_new(fc, qp_fail_cause_name(c),
				    json_integer((json_int_t)m->failed_cause[c]));
	json_object_set_new(acc, "failed_by_cause", fc);
	json_object_set_new(it, "wait", json_integer((json_int_t)m->wait_interrupted));
	json_object_set_new(it, "execute", json_integer((json_int_t)m->exec_interrupted));
	json_object_set_new(acc, "interrupted", it);
	json_object_set_new(rs, "count", json_integer((json_int_t)m->restarts));
	json_object_set_new(rs, "inferences_failed", json_integer((json_int_t)m->restart_failed));
	json_object_set_new(acc, "restarts", rs);
	json_object_set_new(acc, "multi_device_inferences",
			    json_integer((json_int_t)m->multi_device));
}

static json_t *off_us(uint32_t off)
{
	return off == QP_T_NONE ? json_null() : json_real(off / 1000.0);
}

void qp_json_inf_devices(json_t *ij, const struct qp_model *m, size_t k)
{
	const struct qp_dev_span *s;
	const struct qp_inference *inf = &m->inf[k];
	json_t *a;
	size_t n, i;
	char name[64];

	if (inf->state == QP_INF_FAILED)
		json_object_set_new(ij, "failed_cause",
				    json_string(qp_fail_cause_name(qp_fail_cause_of(inf))));
	s = qp_model_spans(m, k, &n);
	if (!n)
		return;
	a = json_array();
	for (i = 0; i < n; i++) {
		json_t *j = json_object();

		json_object_set_new(j, "device",
				    name_str(qp_device_name(m, s[i].device, name, sizeof(name))));
		json_object_set_new(j, "dbc_id", json_integer(s[i].dbc_id));
		/* µs after the inference's t0 */
		json_object_set_new(j, "exec_begin_us", off_us(s[i].exec_begin));
		json_object_set_new(j, "exec_end_us", off_us(s[i].exec_end));
		json_object_set_new(j, "wait_end_us", off_us(s[i].wait_end));
		if (s[i].flags & QP_SPAN_HAS_PERF) {
			json_object_set_new(j, "exectoVcUs", json_integer(s[i].submit_latency_us));
			json_object_set_new(j, "execToCompleteUs", json_integer(s[i].device_latency_us));
			json_object_set_new(j, "queueDepth", json_integer(s[i].queue_level_before));
		}
		json_object_set_new(j, "last", json_boolean(s[i].flags & QP_SPAN_STRAGGLER));
		if (s[i].flags & QP_SPAN_FAILED)
			json_object_set_new(j, "failed", json_true());
		json_array_append_new(a, j);
		if (s[i].flags & QP_SPAN_STRAGGLER)
			json_object_set_new(ij, "straggler", name_str(name));
	}
	json_object_set_new(ij, "devices", a);
}
