// SPDX-License-Identifier: MIT
/*
 * --chrome-trace: Trace Event Format JSON for Perfetto / chrome://tracing.
 * A process per traced pid; the application threads carry the enqueue
 * calls; each inference is an async slice (its phases nested inside, so
 * overlapping inferences stay readable); per DBC a kernel track (EXECUTE
 * ioctls) and a device track (doorbell -> completion); flow arrows link
 * enqueue -> submit -> device of each inference.  ts in µs relative to the
 * first inference.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "writers.h"

#define TID_KERNEL 1000000000	/* + dbc_id: virtual thread ids */
#define TID_DEVICE 1100000000

struct cw {
	FILE *f;
	const struct qp_model *m;
	uint64_t base;
	bool first;
};

static void sep(struct cw *w)
{
	fputs(w->first ? "\n" : ",\n", w->f);
	w->first = false;
}

static double us(const struct cw *w, uint64_t ns)
{
	return ns >= w->base ? (ns - w->base) / 1000.0 : 0;
}

static int pid_of(const struct qp_model *m, const struct qp_inference *i)
{
	return i->process < m->nprocesses ? m->processes[i->process].pid : 0;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void meta(struct cw *w, const char *what, int pid, int64_t tid,
		 const char *name)
{
	sep(w);
	fprintf(w->f, "{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%d,\"tid\":%" PRId64
		",\"args\":{\"name\":", what, pid, tid);
	json_str(w->f, name);
	fputs("}}", w->f);
}

static void slice(struct cw *w, const char *name, const char *cat, int pid,
		  int64_t tid, uint64_t b, uint64_t e)
{
	sep(w);
	fprintf(w->f, "{\"ph\":\"X\",\"name\":\"%s\",\"cat\":\"%s\",\"pid\":%d,\"tid\":%" PRId64
		",\"ts\":%.3f,\"dur\":%.3f}", name, cat, pid, tid, us(w, b),
		(e - b) / 1000.0);
}

/* async slice ph b/e, id = inference index: nests phases of one inference */
static void async(struct cw *w, const char *name, int pid, size_t id,
		  uint64_t b, uint64_t e, const char *args)
{
	sep(w);
	fprintf(w->f, "{\"ph\":\"b\",\"name\":\"%s\",\"cat\":\"inference\",\"id\":%zu,\"pid\":%d,\"tid\":0,\"ts\":%.3f%s%s%s}",
		name, id, pid, us(w, b), args ? ",\"args\":{" : "",
		args ? args : "", args ? "}" : "");
	sep(w);
	fprintf(w->f, "{\"ph\":\"e\",\"name\":\"%s\",\"cat\":\"inference\",\"id\":%zu,\"pid\":%d,\"tid\":0,\"ts\":%.3f}",
		name, id, pid, us(w, e));
}

static void flow(struct cw *w, const char *ph, int pid, int64_t tid,
		 size_t id, uint64_t t)
{
	sep(w);
	fprintf(w->f, "{\"ph\":\"%s\",\"name\":\"inference\",\"cat\":\"flow\",\"id\":%zu,\"pid\":%d,\"tid\":%" PRId64
		",\"ts\":%.3f%s}", ph, id, pid, tid, us(w, t),
		ph[0] == 's' ? "" : ",\"bp\":\"e\"");
}

static void inference(struct cw *w, size_t k)
{
	const struct qp_inference *i = &w->m->inf[k];
	uint64_t enq_b = (i->flags & QP_F_HAS_ENQ) ? i->t0 : 0;
	uint64_t enq_e = qp_inf_time(i, QP_T_ENQ_END);
	uint64_t ex_b = qp_inf_time(i, QP_T_EXEC_BEGIN);
	uint64_t ex_e = qp_inf_time(i, QP_T_EXEC_END);
	uint64_t wt_e = qp_inf_time(i, QP_T_WAIT_END);
	uint64_t done = qp_inf_time(i, QP_T_DONE);
	int pid = pid_of(w->m, i);
	const char *pname = i->program < w->m->nprograms ?
			    w->m->programs[i->program].name : NULL;
	char args[160];

	snprintf(args, sizeof(args), "\"seq\":%" PRIu32 ",\"dbc\":%u,\"queueDepth\":%" PRIu32,
		 i->seq, i->dbc_id, i->queue_level_before);
	if (enq_b && enq_e) {
		slice(w, "qaicEnqueueExecObj", "api", pid, i->enq_tid, enq_b, enq_e);
		flow(w, "s", pid, i->enq_tid, k, enq_b);
	}
	if (enq_b && done)
		async(w, pname ? pname : "inference", pid, k, enq_b, done, args);
	if (enq_e && ex_b)
		async(w, "preProc", pid, k, enq_e, ex_b, NULL);
	if (ex_b && wt_e)
		async(w, "execTotal", pid, k, ex_b, wt_e, NULL);
	if (wt_e && done && i->done_kind != QP_DONE_KERNEL)
		async(w, "postProc", pid, k, wt_e, done, NULL);
	if (ex_b && ex_e) {
		slice(w, "EXECUTE_BO", "kernel", pid, TID_KERNEL + i->dbc_id, ex_b, ex_e);
		flow(w, enq_b ? "t" : "s", pid, TID_KERNEL + i->dbc_id, k, ex_b);
	}
	if (ex_b && (i->flags & QP_F_HAS_PERF)) {
		uint64_t vc = ex_b + (uint64_t)i->submit_latency_us * 1000;

		slice(w, "device", "device", pid, TID_DEVICE + i->dbc_id, vc,
		      vc + (uint64_t)i->device_latency_us * 1000);
		flow(w, "f", pid, TID_DEVICE + i->dbc_id, k, vc);
	}
}

static void metadata(struct cw *w, const struct qp_write_opts *o)
{
	const struct qp_model *m = w->m;
	uint8_t *named = calloc(m->nprocesses + 1, 65536 / 8);
	size_t k;

	for (k = 0; k < m->nprocesses; k++) {
		char name[96];

		snprintf(name, sizeof(name), "pid %d%s%s", m->processes[k].pid,
			 m->nhosts > 1 ? " on " : "",
			 m->nhosts > 1 && m->processes[k].host < m->nhosts ?
			 m->hosts[m->processes[k].host] : "");
		meta(w, "process_name", m->processes[k].pid, 0, name);
	}
	for (k = 0; named && k < m->ninf; k++) {
		const struct qp_inference *i = &m->inf[k];
		uint8_t *bits = named + (size_t)i->process * (65536 / 8);
		char name[32];

		if (i->process >= m->nprocesses || (o && o->select && !o->select[k]) ||
		    (bits[i->dbc_id / 8] & (1u << (i->dbc_id % 8))))
			continue;
		bits[i->dbc_id / 8] |= 1u << (i->dbc_id % 8);
		snprintf(name, sizeof(name), "kernel dbc %u", i->dbc_id);
		meta(w, "thread_name", pid_of(m, i), TID_KERNEL + i->dbc_id, name);
		snprintf(name, sizeof(name), "device dbc %u", i->dbc_id);
		meta(w, "thread_name", pid_of(m, i), TID_DEVICE + i->dbc_id, name);
	}
	free(named);
}

int qp_write_chrome(const char *path, const struct qp_model *m,
		    const struct qp_write_opts *o, char *err, size_t errlen)
{
	struct cw w = { .m = m, .base = UINT64_MAX, .first = true };
	struct qp_outfile out;
	size_t k;

	for (k = 0; k < m->ninf; k++)
		if (m->inf[k].t0 && m->inf[k].t0 < w.base)
			w.base = m->inf[k].t0;
	if (qp_outfile_open(&out, path, err, errlen))
		return -1;
	w.f = out.f;
	fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"qprof-report\"},\"traceEvents\":[", w.f);
	metadata(&w, o);
	for (k = 0; k < m->ninf; k++)
		if (!o || !o->select || o->select[k])
			inference(&w, k);
	fputs("\n]}\n", w.f);
	if (ferror(w.f)) {
		snprintf(err, errlen, "%s: write error", path);
		qp_outfile_abort(&out);
		return -1;
	}
	return qp_outfile_commit(&out, err, errlen);
}
