// SPDX-License-Identifier: MIT
/*
 * --chrome-trace: Trace Event Format JSON for Perfetto / chrome://tracing
 * (docs/REPORT-FORMATS.md).
 *
 * Every stage of an inference becomes an X slice on the track of whoever
 * did it: the enqueue call on the enqueuing thread, pre-processing and the
 * EXECUTE ioctl on the submitting thread, the request's life in the kernel
 * and on the device on per-DBC tracks, the completion on the thread that
 * saw it.  Flow arrows (s -> t ... -> f, one id per inference) link the
 * stages.  A thread track must hold slices that nest or are disjoint:
 *
 *  - "hard" slices (calls, ioctls) cannot overlap on one thread;
 *  - "soft" spans that include a hand-off (preProc from the enqueue return,
 *    completion delivery from the WAIT return) are clipped to start when
 *    the thread's previous slice ended: what the thread was free to do;
 *  - kernel and device requests of one DBC do overlap (queue depth > 1):
 *    they are spread over lanes, extra tracks "kernel dbc N #L".
 *
 * Without a known submitting thread the phases stay async slices of the
 * inference, as before.  ts in µs of the trace's own clock
 * (CLOCK_MONOTONIC, what LTTng-UST stamps events with), so that the
 * timeline lines up with other recordings of the machine.  Processes are
 * named by their programs and pid, threads by their role.  A window
 * (qp_chrome_opts) and a cap on events keep long runs openable.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devreport.h"
#include "escape.h"
#include "outfile.h"
#include "reader.h"
#include "writers.h"

#define TID_KERNEL 1000000000	/* + lane * TID_LANE + dbc_id: virtual tids */
#define TID_DEVICE 1100000000
#define TID_LANE 100000
#define MAX_LANES 999

/* Stages, in flow order. */
enum stage {
	ST_ENQ,		/* qaicEnqueueExecObj, enqueuing thread */
	ST_PREPROC,	/* enqueue return -> EXECUTE entry, submitting thread */
	ST_EXEC,	/* EXECUTE_BO ioctl, submitting thread */
	ST_KERNEL,	/* EXECUTE entry -> WAIT return, kernel lane of the DBC */
	ST_DEVICE,	/* doorbell -> completion, device lane of the DBC */
	ST_WAIT,	/* kernel-only: WAIT_BO ioctl, waiting thread */
	ST_DONE,	/* WAIT return -> completion seen, done thread */
	ST__COUNT
};

static const char *const stage_name[ST__COUNT] = {
	"qaicEnqueueExecObj", "preProc", "EXECUTE_BO", "execTotal", "device",
	"WAIT_BO", "completion",
};
static const char *const stage_cat[ST__COUNT] = {
	"api", "runtime", "kernel", "kernel", "device", "kernel", "runtime",
};
/* flows bind to these stages (preProc leads into EXECUTE on the same thread) */
static const bool stage_flow[ST__COUNT] = {
	[ST_ENQ] = true, [ST_EXEC] = true, [ST_KERNEL] = true,
	[ST_DEVICE] = true, [ST_WAIT] = true, [ST_DONE] = true,
};

struct slc {
	uint64_t b, e;		/* ns, absolute */
	int64_t tid;
	int32_t pid;
	uint32_t inf;		/* index in m->inf */
	uint16_t dbc;
	uint8_t stage;
	uint8_t soft;		/* may start later (hand-off included) */
	uint8_t dropped;
};

struct cw {
	FILE *f;
	const struct qp_model *m;
	uint64_t base;		/* the first inference's t0 (window origin) */
	bool first;
	size_t ninf;		/* inferences drawn */
	size_t left_out;	/* inferences of the window beyond the cap */
	uint64_t cap_ns;	/* t0 of the first one left out (0: none) */
	struct slc *s;
	size_t n, cap;
	uint32_t *order;	/* slices by track, begin, longest first */
	uint8_t *drawn;		/* per inference: in the timeline */
	char **pname;		/* per program: its name as a JSON literal */
};

static void sep(struct cw *w)
{
	fputs(w->first ? "\n" : ",\n", w->f);
	w->first = false;
}

/* A time in µs of the trace clock, exactly (no rounding through double). */
static void put_us(FILE *f, const char *key, uint64_t ns)
{
	fprintf(f, ",\"%s\":%" PRIu64 ".%03u", key, ns / 1000,
		(unsigned)(ns % 1000));
}

static int pid_of(const struct qp_model *m, const struct qp_inference *i)
{
	return i->process < m->nprocesses ? m->processes[i->process].pid : 0;
}

static void meta(struct cw *w, const char *what, int pid, int64_t tid,
		 const char *name)
{
	sep(w);
	fprintf(w->f, "{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%d,\"tid\":%" PRId64
		",\"args\":{\"name\":", what, pid, tid);
	qp_json_fputs(name, w->f);
	fputs("}}", w->f);
}

/* ---- slices ------------------------------------------------------------ */

static int add(struct cw *w, const struct qp_inference *i, size_t k,
	       enum stage st, int64_t tid, uint64_t b, uint64_t e, bool soft)
{
	if (!b || !e || e < b || (soft && e == b))
		return 0;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 1024;
		struct slc *p = realloc(w->s, cap * sizeof(*p));

		if (!p)
			return -1;
		w->s = p;
		w->cap = cap;
	}
	w->s[w->n++] = (struct slc){
		.b = b, .e = e, .tid = tid, .pid = pid_of(w->m, i),
		.inf = (uint32_t)k, .dbc = i->dbc_id, .stage = (uint8_t)st,
		.soft = soft,
	};
	return 0;
}

static int collect(struct cw *w, size_t k)
{
	const struct qp_inference *i = &w->m->inf[k];
	uint64_t enq_b = (i->flags & QP_F_HAS_ENQ) ? i->t0 : 0;
	uint64_t enq_e = qp_inf_time(i, QP_T_ENQ_END);
	uint64_t ex_b = qp_inf_time(i, QP_T_EXEC_BEGIN);
	uint64_t ex_e = qp_inf_time(i, QP_T_EXEC_END);
	uint64_t wt_b = qp_inf_time(i, QP_T_WAIT_BEGIN);
	uint64_t wt_e = qp_inf_time(i, QP_T_WAIT_END);
	uint64_t done = qp_inf_time(i, QP_T_DONE);
	bool kernel_only = i->done_kind == QP_DONE_KERNEL || !enq_b;
	int64_t sub = i->submit_tid ? i->submit_tid : kernel_only ? i->enq_tid : 0;
	int rc = 0;

	if (enq_b && i->enq_tid)
		rc |= add(w, i, k, ST_ENQ, i->enq_tid, enq_b, enq_e, false);
	if (sub && !kernel_only)
		rc |= add(w, i, k, ST_PREPROC, sub, enq_e, ex_b, true);
	if (sub)
		rc |= add(w, i, k, ST_EXEC, sub, ex_b, ex_e, false);
	rc |= add(w, i, k, ST_KERNEL, TID_KERNEL + i->dbc_id, ex_b,
		  wt_e ? wt_e : ex_e, false);
	if (ex_b && (i->flags & QP_F_HAS_PERF) && i->device_latency_us) {
		uint64_t vc = ex_b + (uint64_t)i->submit_latency_us * 1000;

		rc |= add(w, i, k, ST_DEVICE, TID_DEVICE + i->dbc_id, vc,
			  vc + (uint64_t)i->device_latency_us * 1000, false);
	}
	if (kernel_only && i->done_tid)
		rc |= add(w, i, k, ST_WAIT, i->done_tid, wt_b, wt_e, false);
	else if (i->done_tid && done)
		rc |= add(w, i, k, ST_DONE, i->done_tid, wt_e ? wt_e : done,
			  done, true);
	return rc;
}

static int cmp_lane(const void *a, const void *b, void *arg)
{
	const struct slc *s = arg, *x = &s[*(const uint32_t *)a],
			 *y = &s[*(const uint32_t *)b];

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->b != y->b)
		return x->b < y->b ? -1 : 1;
	return (x->e < y->e) - (x->e > y->e);	/* longest (parent) first */
}

/* Overlapping kernel / device requests of a DBC: first lane free, greedily. */
static void assign_lanes(struct cw *w)
{
	uint64_t lane_end[MAX_LANES + 1];
	size_t k, nl = 0;

	qsort_r(w->order, w->n, sizeof(*w->order), cmp_lane, w->s);
	for (k = 0; k < w->n; k++) {
		struct slc *s = &w->s[w->order[k]];
		const struct slc *prev = k ? &w->s[w->order[k - 1]] : NULL;
		size_t l;

		if (s->stage != ST_KERNEL && s->stage != ST_DEVICE)
			continue;
		/* (tids of lanes already assigned have changed) */
		if (!prev || prev->pid != s->pid || prev->dbc != s->dbc ||
		    prev->stage != s->stage)
			nl = 0;
		for (l = 0; l < nl && lane_end[l] > s->b; l++)
			;
		if (l == nl) {
			if (nl > MAX_LANES)
				l = MAX_LANES;	/* nest() clips what is left */
			else
				lane_end[nl++] = 0;
		}
		if (s->e > lane_end[l])
			lane_end[l] = s->e;
		s->tid += (int64_t)l * TID_LANE;
	}
}

static int cmp_end(const void *a, const void *b, void *arg)
{
	const struct slc *s = arg, *x = &s[*(const uint32_t *)a],
			 *y = &s[*(const uint32_t *)b];

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->e != y->e)
		return x->e < y->e ? -1 : 1;
	return (x->soft > y->soft) - (x->soft < y->soft);	/* hard first */
}

/*
 * Per track, slices must nest or be disjoint.  In order of their ends, a
 * soft span starts no earlier than the end of everything that ended
 * before it on its thread.  Then, in order of their starts, anything still
 * overlapping a slice partially (only lane overflow, or inconsistent
 * timestamps) is left out of the tracks.
 */
static int nest(struct cw *w)
{
	uint32_t *stack = malloc((w->n + 1) * sizeof(*stack));
	uint64_t busy = 0;
	size_t k, top = 0;

	if (!stack)
		return -1;
	qsort_r(w->order, w->n, sizeof(*w->order), cmp_end, w->s);
	for (k = 0; k < w->n; k++) {
		struct slc *s = &w->s[w->order[k]];
		const struct slc *p = k ? &w->s[w->order[k - 1]] : NULL;

		if (!p || p->pid != s->pid || p->tid != s->tid)
			busy = 0;
		if (s->soft && busy > s->b) {
			s->b = busy;
			s->dropped = s->b >= s->e;
		}
		if (!s->dropped && s->e > busy)
			busy = s->e;
	}
	qsort_r(w->order, w->n, sizeof(*w->order), cmp_lane, w->s);
	for (k = 0; k < w->n; k++) {
		struct slc *s = &w->s[w->order[k]];

		if (s->dropped)
			continue;
		if (top && (w->s[stack[top - 1]].pid != s->pid ||
			    w->s[stack[top - 1]].tid != s->tid))
			top = 0;
		while (top && w->s[stack[top - 1]].e <= s->b)
			top--;
		if (top && s->e > w->s[stack[top - 1]].e) {
			s->dropped = 1;
			continue;
		}
		stack[top++] = w->order[k];
	}
	free(stack);
	return 0;
}

/* ---- output ------------------------------------------------------------ */

static void slice_out(struct cw *w, const struct slc *s)
{
	const struct qp_inference *i = &w->m->inf[s->inf];

	sep(w);
	fprintf(w->f, "{\"ph\":\"X\",\"name\":\"%s\",\"cat\":\"%s\",\"pid\":%d,\"tid\":%" PRId64,
		stage_name[s->stage], stage_cat[s->stage], s->pid, s->tid);
	put_us(w->f, "ts", s->b);
	put_us(w->f, "dur", s->e - s->b);
	fprintf(w->f, ",\"args\":{\"seq\":%" PRIu32, i->seq);
	if (s->stage == ST_KERNEL && (i->flags & QP_F_HAS_PERF))
		fprintf(w->f, ",\"exectoVcUs\":%" PRIu32 ",\"execToCompleteUs\":%" PRIu32
			",\"queueDepth\":%" PRIu32, i->submit_latency_us,
			i->device_latency_us, i->queue_level_before);
	fputs("}}", w->f);
}

/*
 * async slice ph b/e, id = inference index: nests phases of one inference;
 * name: a JSON string literal, quotes included
 */
static void async(struct cw *w, const char *name, int pid, size_t id,
		  uint64_t b, uint64_t e, const char *args)
{
	if (!b || !e || e < b)
		return;
	sep(w);
	fprintf(w->f, "{\"ph\":\"b\",\"name\":%s,\"cat\":\"inference\",\"id\":%zu,\"pid\":%d,\"tid\":0",
		name, id, pid);
	put_us(w->f, "ts", b);
	fprintf(w->f, "%s%s%s}", args ? ",\"args\":{" : "", args ? args : "",
		args ? "}" : "");
	sep(w);
	fprintf(w->f, "{\"ph\":\"e\",\"name\":%s,\"cat\":\"inference\",\"id\":%zu,\"pid\":%d,\"tid\":0",
		name, id, pid);
	put_us(w->f, "ts", e);
	fputc('}', w->f);
}

static void async_inference(struct cw *w, size_t k)
{
	const struct qp_inference *i = &w->m->inf[k];
	uint64_t enq_b = (i->flags & QP_F_HAS_ENQ) ? i->t0 : 0;
	uint64_t enq_e = qp_inf_time(i, QP_T_ENQ_END);
	uint64_t ex_b = qp_inf_time(i, QP_T_EXEC_BEGIN);
	uint64_t wt_e = qp_inf_time(i, QP_T_WAIT_END);
	uint64_t done = qp_inf_time(i, QP_T_DONE);
	const char *pname = i->program < w->m->nprograms ?
			    w->pname[i->program] : NULL;
	int pid = pid_of(w->m, i);
	char args[160];

	if (!enq_b || !done)
		return;
	snprintf(args, sizeof(args), "\"seq\":%" PRIu32 ",\"dbc\":%u,\"queueDepth\":%" PRIu32,
		 i->seq, i->dbc_id, i->queue_level_before);
	async(w, pname ? pname : "\"inference\"", pid, k, enq_b, done, args);
	if (i->submit_tid)
		return;		/* the phases are on thread tracks */
	if (enq_e && ex_b)
		async(w, "\"preProc\"", pid, k, enq_e, ex_b, NULL);
	if (ex_b && wt_e)
		async(w, "\"execTotal\"", pid, k, ex_b, wt_e, NULL);
	if (wt_e && done >= wt_e)
		async(w, "\"postProc\"", pid, k, wt_e, done, NULL);
}

/* A flow point inside slice s, no earlier than the previous point. */
static void flow(struct cw *w, const char *ph, const struct slc *s,
		 uint64_t *prev)
{
	uint64_t t = *prev < s->b ? s->b : *prev > s->e ? s->b : *prev;

	*prev = t;
	sep(w);
	fprintf(w->f, "{\"ph\":\"%s\",\"name\":\"inference\",\"cat\":\"flow\",\"id\":%" PRIu32
		",\"pid\":%d,\"tid\":%" PRId64, ph, s->inf, s->pid, s->tid);
	put_us(w->f, "ts", t);
	fputs(ph[0] == 's' ? "}" : ",\"bp\":\"e\"}", w->f);
}

static int cmp_inf(const void *a, const void *b, void *arg)
{
	const struct slc *s = arg, *x = &s[*(const uint32_t *)a],
			 *y = &s[*(const uint32_t *)b];

	if (x->inf != y->inf)
		return x->inf < y->inf ? -1 : 1;
	return (x->stage > y->stage) - (x->stage < y->stage);
}

/* enqueue -> EXECUTE -> kernel -> device -> completion of each inference */
static void flows(struct cw *w)
{
	size_t k = 0, j;

	qsort_r(w->order, w->n, sizeof(*w->order), cmp_inf, w->s);
	while (k < w->n) {
		uint32_t inf = w->s[w->order[k]].inf;
		const struct slc *a[ST__COUNT];
		uint64_t prev = 0;
		size_t na = 0;

		for (; k < w->n && w->s[w->order[k]].inf == inf; k++) {
			const struct slc *s = &w->s[w->order[k]];

			if (!s->dropped && stage_flow[s->stage])
				a[na++] = s;
		}
		for (j = 0; na >= 2 && j < na; j++)
			flow(w, j == 0 ? "s" : j + 1 == na ? "f" : "t", a[j], &prev);
	}
}

/*
 * A process's name: its programs (as given to qaicCreateProgram, in order
 * of creation, at most 4 named) and its pid, and the host when there are
 * several.
 */
static void process_name(const struct qp_model *m, size_t p, char *buf,
			 size_t len)
{
	size_t n = 0, k, shown = 0;

	buf[0] = 0;
	for (k = 0; k < m->nprograms && n < len; k++) {
		if (m->programs[k].process != p)
			continue;
		if (shown == 4) {
			n += (size_t)snprintf(buf + n, len - n, ", ...");
			break;
		}
		n += (size_t)snprintf(buf + n, len - n, "%s%s", shown ? ", " : "",
				      m->programs[k].name ? m->programs[k].name : "");
		shown++;
	}
	if (n < len)
		snprintf(buf + n, len - n, "%spid %d%s%s", shown ? " (" : "",
			 m->processes[p].pid, m->nhosts > 1 ? " on " : "",
			 m->nhosts > 1 && m->processes[p].host < m->nhosts ?
			 m->hosts[m->processes[p].host] : "");
	if (shown && strlen(buf) + 1 < len)
		strcat(buf, ")");
}

/* The queue's number within its process (qaicCreateQueue order). */
static unsigned queue_number(const struct qp_model *m, uint16_t q)
{
	unsigned n = 0;
	size_t k;

	if (q >= m->nqueues)
		return 0;
	for (k = 0; k < q; k++)
		n += m->queues[k].process == m->queues[q].process;
	return n;
}

#define ROLE_APP	0x1	/* enqueues, or waits in the application */
#define ROLE_WORKER	0x2	/* submits for a queue (runtime worker) */
#define ROLE_CALLBACK	0x4	/* delivers completions (event callbacks) */

/* A thread track's name from the roles its slices show. */
static void thread_name(unsigned roles, int queue, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	if (roles & ROLE_APP)
		n += (size_t)snprintf(buf + n, len - n, "application thread");
	if ((roles & ROLE_WORKER) && n < len) {
		n += (size_t)snprintf(buf + n, len - n, "%sruntime worker",
				      n ? " + " : "");
		if (queue >= 0 && n < len)
			n += (size_t)snprintf(buf + n, len - n, " (queue %d)", queue);
	}
	if ((roles & ROLE_CALLBACK) && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%sruntime callback thread",
				      n ? " + " : "");
	if (!n)
		snprintf(buf, len, "thread");	/* (the viewers add the tid) */
}

static unsigned slice_role(const struct cw *w, const struct slc *s, int *queue)
{
	const struct qp_inference *i = &w->m->inf[s->inf];

	switch (s->stage) {
	case ST_ENQ:
	case ST_WAIT:
		return ROLE_APP;
	case ST_PREPROC:
	case ST_EXEC:
		if (i->submit_tid != s->tid)
			return ROLE_APP;	/* kernel-only: the caller */
		if (*queue == -1)
			*queue = (int)queue_number(w->m, i->queue);
		else if (*queue >= 0 && (unsigned)*queue != queue_number(w->m, i->queue))
			*queue = -2;	/* several queues */
		return ROLE_WORKER;
	case ST_DONE:
		return i->done_kind == QP_DONE_CALLBACK ? ROLE_CALLBACK : ROLE_APP;
	default:
		return 0;
	}
}

static void track_names(struct cw *w)
{
	const struct qp_model *m = w->m;
	size_t k, first = 0;

	for (k = 0; k < m->nprocesses; k++) {
		char name[1024];

		process_name(m, k, name, sizeof(name));
		meta(w, "process_name", m->processes[k].pid, 0, name);
	}
	/* w->order is by track: one name per thread, kernel or device lane */
	for (k = 0; k < w->n; k++) {
		const struct slc *s = &w->s[w->order[k]];
		const struct slc *nx = k + 1 < w->n ? &w->s[w->order[k + 1]] : NULL;
		int64_t lane;
		char name[160];

		if (nx && nx->pid == s->pid && nx->tid == s->tid)
			continue;	/* name a track at its last slice */
		if (s->stage == ST_KERNEL || s->stage == ST_DEVICE) {
			lane = (s->tid - (s->stage == ST_KERNEL ? TID_KERNEL : TID_DEVICE)) /
			       TID_LANE;
			snprintf(name, sizeof(name), lane ? "%s dbc %u #%" PRId64 : "%s dbc %u",
				 s->stage == ST_KERNEL ? "kernel" : "device", s->dbc, lane);
		} else {
			unsigned roles = 0;
			int queue = -1;
			size_t j;

			for (j = first; j <= k; j++)
				roles |= slice_role(w, &w->s[w->order[j]], &queue);
			thread_name(roles, queue, name, sizeof(name));
		}
		meta(w, "thread_name", s->pid, s->tid, name);
		first = k + 1;
	}
}

/* Is inference k in the selection and the window? */
static bool in_window(const struct cw *w, const struct qp_write_opts *o, size_t k)
{
	const struct qp_chrome_opts *c = o ? o->chrome : NULL;
	uint64_t t0 = w->m->inf[k].t0;

	if (o && o->select && !o->select[k])
		return false;
	if (!c || !c->window)
		return true;
	return t0 && t0 >= w->base + c->begin_ns &&
	       (!c->end_ns || t0 < w->base + c->end_ns);
}

/*
 * The inferences of the window, in order, as long as the events written
 * stay under the cap: an inference counts its slices, a flow point per
 * slice and its async pair (an upper bound).  Inferences are in enqueue
 * order per process; the ones past the cap are counted, not drawn.
 */
static int build(struct cw *w, const struct qp_write_opts *o)
{
	const struct qp_chrome_opts *c = o ? o->chrome : NULL;
	uint64_t cap = c ? c->max_events : QP_CHROME_MAX_EVENTS, events = 0;
	size_t k;

	w->drawn = calloc(w->m->ninf + 1, 1);
	if (!w->drawn)
		return -1;
	for (k = 0; k < w->m->ninf; k++) {
		size_t before = w->n;

		if (!in_window(w, o, k))
			continue;
		if (cap && events >= cap) {
			if (!w->left_out++)
				w->cap_ns = w->m->inf[k].t0;
			continue;
		}
		if (collect(w, k))
			return -1;
		events += 2 * (w->n - before) + 2;
		w->drawn[k] = 1;
		w->ninf++;
	}
	w->order = malloc((w->n + 1) * sizeof(*w->order));
	if (!w->order)
		return -1;
	for (k = 0; k < w->n; k++)
		w->order[k] = (uint32_t)k;
	assign_lanes(w);
	return nest(w);
}

/* Program names, escaped once (escape.h): they come from the trace. */
static int program_names(struct cw *w)
{
	size_t k;

	w->pname = calloc(w->m->nprograms + 1, sizeof(*w->pname));
	if (!w->pname)
		return -1;
	for (k = 0; k < w->m->nprograms; k++) {
		w->pname[k] = qp_json_dup(w->m->programs[k].name ?
					  w->m->programs[k].name : "");
		if (!w->pname[k])
			return -1;
	}
	return 0;
}

/*
 * The header: the clock (ts is the trace clock's own value, in µs), the
 * window and what the cap left out.
 */
static void other_data(struct cw *w, const struct qp_write_opts *o)
{
	const struct qp_chrome_opts *c = o ? o->chrome : NULL;
	FILE *f = w->f;

	fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"qprof-report\","
	      "\"clock\":\"CLOCK_MONOTONIC\",\"ts\":\"us of the trace clock\"", f);
	if (w->base != UINT64_MAX)
		fprintf(f, ",\"firstInferenceNs\":%" PRIu64, w->base);
	if (o && o->stats && o->stats->has_realtime_offset) {
		/* CLOCK_REALTIME = ts + the offset: the wall-clock time too */
		int64_t off = o->stats->realtime_offset_ns;
		time_t sec;
		struct tm tm;
		char when[64] = "";

		fprintf(f, ",\"realtimeOffsetNs\":%" PRId64, off);
		if (w->base != UINT64_MAX) {
			int64_t rt = (int64_t)w->base + off;

			sec = (time_t)(rt / 1000000000);
			if (gmtime_r(&sec, &tm))
				strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
			fprintf(f, ",\"firstInferenceUtc\":\"%s.%09" PRId64 "Z\"", when,
				rt % 1000000000);
		}
	}
	if (c && c->window) {
		fprintf(f, ",\"windowBeginNs\":%" PRIu64, w->base + c->begin_ns);
		if (c->end_ns)
			fprintf(f, ",\"windowEndNs\":%" PRIu64, w->base + c->end_ns);
	}
	fprintf(f, ",\"inferences\":%zu", w->ninf);
	if (w->left_out)
		fprintf(f, ",\"maxEvents\":%" PRIu64 ",\"inferencesLeftOut\":%zu,"
			"\"leftOutFromNs\":%" PRIu64, c ? c->max_events : QP_CHROME_MAX_EVENTS,
			w->left_out, w->cap_ns);
	fputs("},\"traceEvents\":[", f);
}

int qp_write_chrome(const char *path, const struct qp_model *m,
		    const struct qp_write_opts *o, char *err, size_t errlen)
{
	struct cw w = { .m = m, .base = UINT64_MAX, .first = true };
	struct qp_outfile out;
	size_t k;
	int rc = -1;

	for (k = 0; k < m->ninf; k++)
		if (m->inf[k].t0 && m->inf[k].t0 < w.base)
			w.base = m->inf[k].t0;
	if (build(&w, o) || program_names(&w)) {
		snprintf(err, errlen, "%s: out of memory for the trace's slices", path);
		goto out;
	}
	if (qp_outfile_open(&out, path, err, errlen))
		goto out;
	w.f = out.f;
	other_data(&w, o);
	track_names(&w);	/* order: by track, from nest() */
	for (k = 0; k < w.n; k++)
		if (!w.s[w.order[k]].dropped)
			slice_out(&w, &w.s[w.order[k]]);
	for (k = 0; k < m->ninf; k++)
		if (w.drawn[k])
			async_inference(&w, k);
	flows(&w);
	if (o && o->device && qp_devreport_chrome(w.f, o->device, w.drawn, &w.first)) {
		snprintf(err, errlen, "%s: write error", path);
		qp_outfile_abort(&out);
		goto out;
	}
	fputs("\n]}\n", w.f);
	if (ferror(w.f)) {
		snprintf(err, errlen, "%s: write error", path);
		qp_outfile_abort(&out);
		goto out;
	}
	rc = qp_outfile_commit(&out, err, errlen);
out:
	for (k = 0; w.pname && k < m->nprograms; k++)
		free(w.pname[k]);
	free(w.pname);
	free(w.s);
	free(w.order);
	free(w.drawn);
	return rc;
}

/* Seconds (a decimal number >= 0) to ns; -1 when s is not one. */
static int parse_seconds(const char *s, const char *end, uint64_t *ns)
{
	char buf[64], *e;
	double v;

	if (end - s <= 0 || end - s >= (ptrdiff_t)sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(end - s));
	buf[end - s] = 0;
	v = strtod(buf, &e);
	if (*e || !(v >= 0) || v > 1e9)
		return -1;
	*ns = (uint64_t)(v * 1e9 + 0.5);
	return 0;
}

int qp_chrome_parse_window(const char *s, struct qp_chrome_opts *c)
{
	const char *colon = strchr(s, ':');

	if (!colon)
		return -1;
	c->begin_ns = 0;
	c->end_ns = 0;
	if (colon > s && parse_seconds(s, colon, &c->begin_ns))
		return -1;
	if (colon[1] && parse_seconds(colon + 1, colon + strlen(colon), &c->end_ns))
		return -1;
	if (c->end_ns && c->end_ns <= c->begin_ns)
		return -1;
	c->window = true;
	return 0;
}
