/* SPDX-License-Identifier: MIT */
/*
 * The generation view (genview.h, docs/REPORT.md "Generation view").
 *
 * Built from the Python hooks' events alone (docs/EVENTS.md "Python
 * boundary"): each exec object's steps are its successful setData calls,
 * each ended by the next successful getData on the same exec object.  A
 * step's shape is what setData was given for buffer 0 (input_ids: [batch,
 * seq_len]); one token per sequence (seq_len 1) is a decode step, more a
 * prefill chunk.  Requests are segmented by a documented heuristic: a
 * prefill step after a decode step starts a new request (so does the
 * first step).  Per request:
 *   TTFT = from its first step's setData entry to the getData return of
 *          its last prefill step before its first decode step;
 *   ITL  = from one token's getData return to the next's (the last
 *          prefill step gives the first token, each decode step one);
 * per decode step, the host gap: from the previous step's getData return
 * to this step's setData entry (the application's own time: sampling,
 * tokenisation, Python).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "genview.h"
#include "model.h"
#include "outfile.h"
#include "stats.h"

#define GV_MAX_DIMS 8

struct gv_step {
	uint64_t t_set, t_get;		/* setData entry, getData return (ns) */
	uint32_t elem0, ndims;
	uint64_t dims[GV_MAX_DIMS];
	uint32_t request;		/* 0-based within its stream */
	bool decode, prefill;		/* from the shape; neither: unknown */
	/* qp_genview_join: the step's inference, its parts (µs) */
	bool joined;
	double app_us, runtime_us, kernel_us, device_us;
};

/* One exec object of one process. */
struct gv_stream {
	uint32_t host;
	int32_t pid;
	uint64_t execobj;
	struct gv_step *steps;
	size_t n, cap;
	bool pending;			/* steps[n] holds a setData */
	uint32_t nreq;			/* qp_genview_finish */
};

struct qp_genview {
	struct gv_stream *s;
	size_t n, cap;
	bool oom;
};

struct qp_genview *qp_genview_new(void)
{
	return calloc(1, sizeof(struct qp_genview));
}

void qp_genview_free(struct qp_genview *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++)
		free(g->s[i].steps);
	free(g->s);
	free(g);
}

static struct gv_stream *stream_get(struct qp_genview *g, uint32_t host,
				    int32_t pid, uint64_t eo)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->s[i].host == host && g->s[i].pid == pid && g->s[i].execobj == eo)
			return &g->s[i];
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 8;
		struct gv_stream *ns = realloc(g->s, cap * sizeof(*ns));

		if (!ns)
			return NULL;
		g->s = ns;
		g->cap = cap;
	}
	memset(&g->s[g->n], 0, sizeof(g->s[0]));
	g->s[g->n].host = host;
	g->s[g->n].pid = pid;
	g->s[g->n].execobj = eo;
	return &g->s[g->n++];
}

static int on_set_data(struct qp_genview *g, const struct qp_event *ev)
{
	struct gv_stream *st = stream_get(g, ev->host, ev->pid,
					  ev->u.py_set_data.execobj);
	struct gv_step *sp;

	if (!st)
		return -1;
	if (st->n == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 64;
		struct gv_step *ns = realloc(st->steps, cap * sizeof(*ns));

		if (!ns)
			return -1;
		st->steps = ns;
		st->cap = cap;
	}
	sp = &st->steps[st->n];
	memset(sp, 0, sizeof(*sp));
	sp->t_set = ev->begin_ts;
	sp->elem0 = ev->u.py_set_data.elem0;
	sp->ndims = ev->u.py_set_data.ndims0 < GV_MAX_DIMS ?
		    ev->u.py_set_data.ndims0 : GV_MAX_DIMS;
	for (uint32_t k = 0; k < sp->ndims; k++)
		sp->dims[k] = ev->u.py_set_data.dims0[k];
	sp->decode = sp->ndims >= 2 && sp->dims[1] == 1;
	sp->prefill = sp->ndims >= 2 && sp->dims[1] > 1;
	st->pending = true;
	return 0;
}

static void on_get_data(struct qp_genview *g, const struct qp_event *ev)
{
	for (size_t i = 0; i < g->n; i++) {
		struct gv_stream *st = &g->s[i];

		if (st->host != ev->host || st->pid != ev->pid ||
		    st->execobj != ev->u.py_get_data.execobj || !st->pending)
			continue;
		st->steps[st->n++].t_get = ev->ts;
		st->pending = false;
		return;
	}
}

int qp_genview_add(struct qp_genview *g, const struct qp_event *ev)
{
	if (g->oom || ev->status != 0)
		return 0;
	if (ev->kind == QP_EV_PY_SET_DATA) {
		if (on_set_data(g, ev))
			g->oom = true;	/* the view says so; the report goes on */
	} else if (ev->kind == QP_EV_PY_GET_DATA) {
		on_get_data(g, ev);
	}
	return 0;
}

int qp_genview_tee_sink(const struct qp_event *ev, void *data)
{
	struct qp_genview_tee *t = data;

	qp_genview_add(t->g, ev);
	return t->next(ev, t->next_data);
}

/* ---- analysis ------------------------------------------------------------ */

/* A growing set of values (µs) and its percentiles. */
struct gv_sample {
	double *v;
	size_t n, cap;
};

static void gv_add(struct gv_sample *s, double x)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		double *nv = realloc(s->v, cap * sizeof(*nv));

		if (!nv)
			return;		/* a value left out, never a crash */
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n++] = x;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Percentile p (0..100) as stats.c computes it; 0 when empty. */
static double gv_pct(struct gv_sample *s, double p)
{
	if (!s->n)
		return 0;
	qsort(s->v, s->n, sizeof(s->v[0]), cmp_double);
	return qp_quantile_sorted(s->v, s->n, p / 100);
}

static void gv_sample_free(struct gv_sample *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Requests of a stream: numbers its steps; returns the count. */
static uint32_t segment(struct gv_stream *st)
{
	uint32_t req = 0;
	bool seen_decode = false;

	for (size_t i = 0; i < st->n; i++) {
		struct gv_step *sp = &st->steps[i];

		if (i > 0 && sp->prefill && seen_decode) {
			req++;
			seen_decode = false;
		}
		seen_decode |= sp->decode;
		sp->request = req;
	}
	return st->n ? req + 1 : 0;
}

/* ---- the steps' inferences ------------------------------------------------ */

struct gv_inf {
	uint64_t t0;
	const struct qp_inference *inf;
};

static int cmp_inf(const void *a, const void *b)
{
	uint64_t x = ((const struct gv_inf *)a)->t0, y = ((const struct gv_inf *)b)->t0;

	return (x > y) - (x < y);
}

/*
 * A step's parts, from its inference (the one of the same process
 * enqueued inside the step): app = setData entry -> enqueue entry plus
 * completion -> getData return; runtime = enq + preProc + postProc;
 * kernel = execTotal - execToComplete; device = execToComplete (the
 * kernel's device latency of the wait handle).  They tile the step.
 */
static void parts(const struct qp_model *m, struct gv_step *sp,
		  const struct qp_inference *inf)
{
	double enq, pre, post, exec, dev;
	uint64_t done = qp_inf_time(inf, QP_T_DONE);

	if (!done || !qp_metric_value(m, inf, QP_M_ENQ, 1, &enq) ||
	    !qp_metric_value(m, inf, QP_M_PRE_PROC, 1, &pre) ||
	    !qp_metric_value(m, inf, QP_M_POST_PROC, 1, &post) ||
	    !qp_metric_value(m, inf, QP_M_EXEC_TOTAL, 1, &exec) ||
	    !qp_metric_value(m, inf, QP_M_EXEC_TO_COMPLETE, 1, &dev) ||
	    done > sp->t_get || inf->t0 < sp->t_set)
		return;
	sp->joined = true;
	sp->app_us = (double)(inf->t0 - sp->t_set) / 1e3 +
		     (double)(sp->t_get - done) / 1e3;
	sp->runtime_us = enq + pre + post;
	sp->kernel_us = exec - dev;
	sp->device_us = dev;
}

int qp_genview_join(struct qp_genview *g, const struct qp_model *m)
{
	for (size_t i = 0; i < g->n; i++) {
		struct gv_stream *st = &g->s[i];
		struct gv_inf *v = malloc((m->ninf ? m->ninf : 1) * sizeof(*v));
		size_t nv = 0, j = 0;

		if (!v)
			return -1;
		for (size_t k = 0; k < m->ninf; k++) {
			const struct qp_inference *inf = &m->inf[k];
			const struct qp_process *p = &m->processes[inf->process];

			if (inf->state == QP_INF_OK && p->pid == st->pid && p->host == st->host)
				v[nv++] = (struct gv_inf){ inf->t0, inf };
		}
		qsort(v, nv, sizeof(*v), cmp_inf);
		for (size_t k = 0; k < st->n; k++) {
			struct gv_step *sp = &st->steps[k];

			while (j < nv && v[j].t0 < sp->t_set)
				j++;
			if (j < nv && v[j].t0 <= sp->t_get)
				parts(m, sp, v[j].inf);
		}
		free(v);
	}
	return 0;
}

void qp_genview_finish(struct qp_genview *g)
{
	for (size_t i = 0; i < g->n; i++)
		g->s[i].nreq = segment(&g->s[i]);
}

static void shape_str(const struct gv_step *sp, char *buf, size_t len)
{
	size_t o = 0;

	o += (size_t)snprintf(buf + o, len - o, "[");
	for (uint32_t k = 0; k < sp->ndims && o < len; k++)
		o += (size_t)snprintf(buf + o, len - o, "%s%" PRIu64, k ? "," : "",
				      sp->dims[k]);
	if (o < len)
		snprintf(buf + o, len - o, "]");
}

static const char *label(const struct gv_step *sp)
{
	return sp->decode ? "decode" : sp->prefill ? "prefill" : "unknown";
}

static bool same_shape(const struct gv_step *a, const struct gv_step *b)
{
	return a->ndims == b->ndims && a->elem0 == b->elem0 &&
	       !memcmp(a->dims, b->dims, a->ndims * sizeof(a->dims[0]));
}

/* Per request of a stream: ttft (µs) and its ITLs appended to itl. */
struct gv_req {
	uint32_t prefill, decode;
	double ttft_us;
	bool has_ttft;
};

static void requests(const struct gv_stream *st, struct gv_req *rq,
		     uint32_t nreq, struct gv_sample *itl, struct gv_sample *gap)
{
	memset(rq, 0, nreq * sizeof(*rq));
	for (size_t i = 0; i < st->n; i++) {
		const struct gv_step *sp = &st->steps[i];
		struct gv_req *r = &rq[sp->request];
		const struct gv_step *prev = i ? &st->steps[i - 1] : NULL;
		bool same_req = prev && prev->request == sp->request;

		if (sp->prefill && !r->decode) {
			r->prefill++;
			/* the first token is known at the last prefill step */
			r->ttft_us = (double)(sp->t_get -
				st->steps[i - r->prefill + 1].t_set) / 1e3;
			r->has_ttft = true;
		} else if (sp->decode) {
			r->decode++;
			if (same_req && (prev->prefill || prev->decode)) {
				if (itl)
					gv_add(itl, (double)(sp->t_get - prev->t_get) / 1e3);
				if (gap)
					gv_add(gap, (double)(sp->t_set - prev->t_get) / 1e3);
			}
		}
	}
}

void qp_genview_write_text(FILE *f, const struct qp_genview *g)
{
	for (size_t i = 0; i < g->n; i++) {
		const struct gv_stream *st = &g->s[i];
		uint32_t nreq = st->nreq;
		struct gv_req *rq = calloc(nreq ? nreq : 1, sizeof(*rq));
		struct gv_sample itl = { 0 }, gap = { 0 }, ttft = { 0 };
		bool *done = calloc(st->n ? st->n : 1, sizeof(*done));

		if (!rq || !done) {
			free(rq);
			free(done);
			fprintf(f, "\n== generation: out of memory ==\n");
			return;
		}
		requests(st, rq, nreq, &itl, &gap);
		fprintf(f, "\n== generation, pid %d, exec object 0x%" PRIx64 " ==\n",
			st->pid, st->execobj);
		fprintf(f, "  %zu steps, %u requests (a prefill after decode steps starts a request; docs/REPORT.md)\n",
			st->n, nreq);
		fprintf(f, "  %-8s %-20s %8s %12s %12s %12s   (step: setData entry -> getData return, us)\n",
			"group", "shape (buffer 0)", "steps", "p50", "p99", "max");
		for (size_t k = 0; k < st->n; k++) {
			struct gv_sample s = { 0 };
			char shape[128];

			if (done[k])
				continue;
			for (size_t j = k; j < st->n; j++)
				if (!done[j] && same_shape(&st->steps[j], &st->steps[k])) {
					done[j] = true;
					gv_add(&s, (double)(st->steps[j].t_get -
								   st->steps[j].t_set) / 1e3);
				}
			shape_str(&st->steps[k], shape, sizeof(shape));
			fprintf(f, "  %-8s %-20s %8zu %12.1f %12.1f %12.1f\n",
				label(&st->steps[k]), shape, s.n, gv_pct(&s, 50),
				gv_pct(&s, 99), gv_pct(&s, 100));
			gv_sample_free(&s);
		}
		for (uint32_t r = 0; r < nreq; r++)
			if (rq[r].has_ttft)
				gv_add(&ttft, rq[r].ttft_us);
		fprintf(f, "  %-34s %8s %12s %12s %12s\n", "per request (us)", "count", "p50", "p99", "max");
		fprintf(f, "  %-34s %8zu %12.1f %12.1f %12.1f\n", "time to first token", ttft.n,
			gv_pct(&ttft, 50), gv_pct(&ttft, 99), gv_pct(&ttft, 100));
		fprintf(f, "  %-34s %8zu %12.1f %12.1f %12.1f\n", "inter-token latency", itl.n,
			gv_pct(&itl, 50), gv_pct(&itl, 99), gv_pct(&itl, 100));
		fprintf(f, "  %-34s %8zu %12.1f %12.1f %12.1f\n", "host gap before a decode step", gap.n,
			gv_pct(&gap, 50), gv_pct(&gap, 99), gv_pct(&gap, 100));
		{
			struct gv_sample pa[4] = { { 0 } };
			static const char *const pn[4] = {
				"  decode step: application", "  decode step: runtime",
				"  decode step: kernel (host side)", "  decode step: device" };

			for (size_t k = 0; k < st->n; k++) {
				const struct gv_step *sp = &st->steps[k];

				if (!sp->decode || !sp->joined)
					continue;
				gv_add(&pa[0], sp->app_us);
				gv_add(&pa[1], sp->runtime_us);
				gv_add(&pa[2], sp->kernel_us);
				gv_add(&pa[3], sp->device_us);
			}
			for (int q = 0; q < 4; q++) {
				fprintf(f, "  %-34s %8zu %12.1f %12.1f %12.1f\n", pn[q], pa[q].n,
					gv_pct(&pa[q], 50), gv_pct(&pa[q], 99), gv_pct(&pa[q], 100));
				gv_sample_free(&pa[q]);
			}
		}
		for (uint32_t r = 0; r < nreq; r++)
			fprintf(f, "  request %u: %u prefill steps, %u decode steps, TTFT %.1f us\n",
				r, rq[r].prefill, rq[r].decode, rq[r].ttft_us);
		gv_sample_free(&itl);
		gv_sample_free(&gap);
		gv_sample_free(&ttft);
		free(rq);
		free(done);
	}
	if (!g->n)
		fprintf(f, "\n== generation ==\n  no Python setData/getData events (the view needs qprof's Python hooks)\n");
	if (g->oom)
		fprintf(f, "  (out of memory: later steps left out)\n");
}

int qp_genview_write_csv(const char *path, const struct qp_genview *g, char *err,
			 size_t errlen)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		snprintf(err, errlen, "%s: cannot create", path);
		return -1;
	}
	fprintf(f, "pid,execobj,request,step,group,shape,setDataNs,getDataNs,stepUs,hostGapUs,"
		"appUs,runtimeUs,kernelUs,deviceUs\n");
	for (size_t i = 0; i < g->n; i++) {
		const struct gv_stream *st = &g->s[i];

		for (size_t k = 0; k < st->n; k++) {
			const struct gv_step *sp = &st->steps[k];
			char shape[128];

			shape_str(sp, shape, sizeof(shape));
			fprintf(f, "%d,0x%" PRIx64 ",%u,%zu,%s,\"%s\",%" PRIu64 ",%" PRIu64 ",%.3f,",
				st->pid, st->execobj, sp->request, k, label(sp), shape,
				sp->t_set, sp->t_get, (double)(sp->t_get - sp->t_set) / 1e3);
			if (k && st->steps[k - 1].request == sp->request)
				fprintf(f, "%.3f", (double)(sp->t_set - st->steps[k - 1].t_get) / 1e3);
			if (sp->joined)
				fprintf(f, ",%.3f,%.3f,%.3f,%.3f\n", sp->app_us, sp->runtime_us,
					sp->kernel_us, sp->device_us);
			else
				fprintf(f, ",,,,\n");
		}
	}
	if (fclose(f)) {
		snprintf(err, errlen, "%s: write error", path);
		return -1;
	}
	return 0;
}

json_t *qp_genview_json(const struct qp_genview *g)
{
	json_t *arr = json_array();

	if (!arr)
		return NULL;
	for (size_t i = 0; i < g->n; i++) {
		const struct gv_stream *st = &g->s[i];
		uint32_t nreq = st->nreq;
		struct gv_req *rq = calloc(nreq ? nreq : 1, sizeof(*rq));
		json_t *reqs = json_array(), *so = json_object();
		char eo[32];

		if (!rq || !reqs || !so || json_array_append_new(arr, so)) {
			free(rq);
			json_decref(reqs);
			json_decref(so);
			json_decref(arr);
			return NULL;
		}
		requests(st, rq, nreq, NULL, NULL);
		snprintf(eo, sizeof(eo), "0x%" PRIx64, st->execobj);
		json_object_set_new(so, "pid", json_integer(st->pid));
		json_object_set_new(so, "execobj", json_string(eo));
		json_object_set_new(so, "requests", reqs);
		for (uint32_t r = 0; r < nreq; r++) {
			json_t *ro = json_object(), *itl = json_array();

			if (!ro || !itl || json_array_append_new(reqs, ro)) {
				json_decref(itl);
				free(rq);
				json_decref(arr);
				return NULL;
			}
			json_object_set_new(ro, "request", json_integer(r));
			json_object_set_new(ro, "prefill_steps", json_integer(rq[r].prefill));
			json_object_set_new(ro, "decode_steps", json_integer(rq[r].decode));
			json_object_set_new(ro, "ttft_us", json_real(rq[r].ttft_us));
			json_object_set_new(ro, "itl_us", itl);
			for (size_t k = 1; k < st->n; k++) {
				const struct gv_step *sp = &st->steps[k], *pv = &st->steps[k - 1];

				if (sp->request != r || pv->request != r || !sp->decode)
					continue;
				json_array_append_new(itl, json_real((double)(sp->t_get - pv->t_get) / 1e3));
			}
		}
		free(rq);
	}
	return arr;
}

size_t qp_genview_nstreams(const struct qp_genview *g)
{
	return g ? g->n : 0;
}

int qp_genview_write_json(const char *path, const struct qp_genview *g, char *err,
			  size_t errlen)
{
	json_t *root = json_object(), *arr = qp_genview_json(g);
	struct qp_outfile out;
	int rc;

	if (!root || !arr) {
		json_decref(root);
		json_decref(arr);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	json_object_set_new(root, "generation", arr);
	if (qp_outfile_open(&out, path, err, errlen)) {
		json_decref(root);
		return -1;
	}
	/* as qprof-report --json writes its own (write_json.c) */
	rc = json_dumpf(root, out.f, QP_GENVIEW_JSON_FLAGS);
	json_decref(root);
	if (rc || fputc('\n', out.f) == EOF) {
		snprintf(err, errlen, "%s: write error", path);
		qp_outfile_abort(&out);
		return -1;
	}
	return qp_outfile_commit(&out, err, errlen);
}
