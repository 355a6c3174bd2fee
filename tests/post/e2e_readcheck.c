// SPDX-License-Identifier: MIT
/*
 * e2e_readcheck: reads traces recorded from e2e_gen with qp_read_traces()
 * and checks every decoded event against the values e2e_gen derives from
 * the inference number (see e2e_gen.c), plus ordering and accounting.
 *
 *   e2e_readcheck -n N -k K [-b BOS] [-c] [-o NAME] [-P PROCESSES] [-d DISCARDED | -L] TRACE...
 *
 * Only processes whose process_info says shim_version "qprof-gen" are
 * checked: the session daemon is shared, other qprof users' events are
 * counted and skipped.
 *
 * With -d or -L, events were discarded on purpose: decoded + discarded
 * must equal what e2e_gen emitted, the reader's discarded count must equal
 * DISCARDED (what `lttng list` reported) with -d, and the per-inference
 * checks skip inferences that overlap a loss.
 */
#include <getopt.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "post/reader.h"

struct proc {
	int32_t pid;
	uint64_t next_seq, last_ts, nev;
	uint64_t cur_seq;
	uint32_t cur_e;
	int dirty;		/* events lost since the last enqueue entry */
};

struct check {
	unsigned long n, k;
	uint32_t bos;			/* -b: BOs per request (e2e_gen -b) */
	int callback, lossy;
	const char *name;
	struct proc procs[64];
	size_t nprocs;
	uint64_t kinds[QP_EV__COUNT];
	uint64_t errors, discarded_msgs;
	uint64_t lost_until;	/* end of the latest loss range */
	int32_t gen_pids[64];	/* processes of e2e_gen */
	size_t ngen;
	uint64_t foreign;	/* events of other processes */
};

static bool is_gen(struct check *c, const struct qp_event *ev)
{
	size_t i;

	if (ev->kind == QP_EV_PROCESS_INFO &&
	    !strcmp(ev->u.process.shim_version, "qprof-gen") && c->ngen < 64)
		c->gen_pids[c->ngen++] = ev->pid;
	for (i = 0; i < c->ngen; i++)
		if (c->gen_pids[i] == ev->pid)
			return true;
	return false;
}

#define FAIL(c, ...) do {						\
	if ((c)->errors++ < 20) {					\
		fprintf(stderr, "e2e_readcheck: ");			\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

static struct proc *proc_of(struct check *c, int32_t pid)
{
	size_t i;

	for (i = 0; i < c->nprocs; i++)
		if (c->procs[i].pid == pid)
			return &c->procs[i];
	if (c->nprocs == 64)
		return NULL;
	memset(&c->procs[c->nprocs], 0, sizeof(c->procs[0]));
	c->procs[c->nprocs].pid = pid;
	return &c->procs[c->nprocs++];
}

static void check_exec(struct check *c, const struct qp_event *ev,
		       struct proc *p)
{
	uint32_t e = p->cur_e, j, nb = c->bos;

	if (ev->tid != (ev->pid ^ (1 << 21)) || ev->u.execute.dbc_id != 3 ||
	    ev->u.execute.count != nb || ev->u.execute.nresize != 0 ||
	    ev->u.execute.fd != 5 || ev->status != 0) {
		FAIL(c, "seq %" PRIu64 ": bad kmd_execute", p->cur_seq);
		return;
	}
	/* every entry, however many (none is cut) */
	for (j = 0; j < nb; j++)
		if (ev->u.execute.handles[j] != 100 + nb * e + j ||
		    ev->u.execute.dirs[j] != (j < nb / 2 ? 1u : 2u))
			FAIL(c, "seq %" PRIu64 ": execute entry %u differs",
			     p->cur_seq, j);
}

static void check_perf(struct check *c, const struct qp_event *ev,
		       struct proc *p)
{
	uint64_t i = p->cur_seq;
	uint32_t e = p->cur_e, j;

	if (ev->u.perf_stats.count != c->bos || ev->u.perf_stats.dbc_id != 3) {
		FAIL(c, "seq %" PRIu64 ": bad kmd_perf_stats", i);
		return;
	}
	for (j = 0; j < c->bos; j++)
		if (ev->u.perf_stats.handles[j] != 100 + c->bos * e + j ||
		    ev->u.perf_stats.queue_level_before[j] != 2 * (i % 3) ||
		    ev->u.perf_stats.num_queue_element[j] != 2 ||
		    ev->u.perf_stats.submit_latency_us[j] != 10 + i % 7 ||
		    ev->u.perf_stats.device_latency_us[j] != 100 + i % 13)
			FAIL(c, "seq %" PRIu64 ": perf entry %u differs", i, j);
}

static void check_event(struct check *c, const struct qp_event *ev,
			struct proc *p)
{
	switch (ev->kind) {
	case QP_EV_PROCESS_INFO:
		if (strcmp(ev->u.process.runtime_path, "/opt/qti-aic/lib/libQAic.so") ||
		    ev->u.process.rt_major != 1 || ev->u.process.rt_minor != 20 ||
		    strcmp(ev->u.process.settings, "kmd_stats=auto"))
			FAIL(c, "bad process_info");
		break;
	case QP_EV_API_PROGRAM_CREATE:
		if (strcmp(ev->u.program_create.name, c->name) ||
		    ev->u.program_create.program != 0x3000)
			FAIL(c, "bad program_create name '%s'", ev->u.program_create.name);
		break;
	case QP_EV_API_ENQUEUE_ENTRY:
		p->cur_seq = ev->u.enqueue_entry.seq;
		p->cur_e = (uint32_t)(p->cur_seq % c->k);
		if (!c->lossy && p->cur_seq != p->next_seq)
			FAIL(c, "seq %" PRIu64 " after %" PRIu64, p->cur_seq, p->next_seq);
		p->next_seq = p->cur_seq + 1;
		if (ev->u.enqueue_entry.execobj != 0x5000 + 0x10 * p->cur_e ||
		    ev->u.enqueue_entry.queue != 0x4000 ||
		    ev->u.enqueue_entry.event != (c->callback ? 0x6000u : 0))
			FAIL(c, "seq %" PRIu64 ": bad enqueue_entry", p->cur_seq);
		if (ev->begin_ts != ev->ts)
			FAIL(c, "enqueue_entry has begin_ts != ts");
		break;
	case QP_EV_API_ENQUEUE_EXIT:
		if (ev->u.enqueue_exit.seq != p->cur_seq)
			FAIL(c, "enqueue_exit seq %" PRIu64, ev->u.enqueue_exit.seq);
		break;
	case QP_EV_KMD_EXECUTE:
		check_exec(c, ev, p);
		break;
	case QP_EV_KMD_WAIT:
		if (ev->u.wait.handle != 99 + c->bos * (p->cur_e + 1) ||
		    ev->u.wait.dbc_id != 3)
			FAIL(c, "seq %" PRIu64 ": bad kmd_wait", p->cur_seq);
		break;
	case QP_EV_KMD_PERF_STATS:
		check_perf(c, ev, p);
		break;
	case QP_EV_API_EXECOBJ_WAIT:
		if (ev->u.execobj_wait.execobj != 0x5000 + 0x10 * p->cur_e)
			FAIL(c, "seq %" PRIu64 ": bad execobj_wait", p->cur_seq);
		break;
	case QP_EV_API_CALLBACK_ENTRY:
		if (ev->u.callback_entry.event != 0x6000 ||
		    ev->u.callback_entry.callback != 0x7000)
			FAIL(c, "seq %" PRIu64 ": bad callback_entry", p->cur_seq);
		break;
	default:
		break;
	}
}

static int sink(const struct qp_event *ev, void *data)
{
	struct check *c = data;
	struct proc *p;

	if (ev->kind >= QP_EV__COUNT) {
		FAIL(c, "bad kind %d", ev->kind);
		return 0;
	}
	if (ev->kind != QP_EV_DISCARDED && !is_gen(c, ev)) {
		c->foreign++;
		return 0;
	}
	c->kinds[ev->kind]++;
	if (ev->kind == QP_EV_DISCARDED) {
		size_t i;

		c->discarded_msgs++;
		if (ev->ts > c->lost_until)
			c->lost_until = ev->ts;
		for (i = 0; i < c->nprocs; i++)
			c->procs[i].dirty = 1;
		return 0;
	}
	p = proc_of(c, ev->pid);
	if (!p) {
		FAIL(c, "too many processes");
		return 0;
	}
	p->nev++;
	if (ev->ts < p->last_ts)
		FAIL(c, "pid %d: time goes back at event %" PRIu64, ev->pid, p->nev);
	p->last_ts = ev->ts;
	if (ev->begin_ts > ev->ts || ev->ts - ev->begin_ts > 1000000000u)
		FAIL(c, "%s: begin_ts %" PRIu64 " vs ts %" PRIu64,
		     qp_ev_kind_name(ev->kind), ev->begin_ts, ev->ts);
	if (ev->ip)
		FAIL(c, "ip context %" PRIx64 " without add-context", ev->ip);
	if (ev->kind == QP_EV_API_ENQUEUE_ENTRY)
		p->dirty = ev->ts <= c->lost_until;
	if (!p->dirty)
		check_event(c, ev, p);
	return 0;
}

static void check_counts(struct check *c, unsigned long nproc)
{
	uint64_t n = c->n * nproc, setup = nproc;
	size_t i;

	if (c->nprocs != nproc)
		FAIL(c, "%zu processes, expected %lu", c->nprocs, nproc);
	if (c->kinds[QP_EV_PROCESS_INFO] != setup ||
	    c->kinds[QP_EV_API_EXECOBJ_CREATE] != setup * c->k ||
	    c->kinds[QP_EV_KMD_CREATE_BO] != c->bos * setup * c->k)
		FAIL(c, "setup event counts differ");
	if (c->kinds[QP_EV_API_ENQUEUE_ENTRY] != n ||
	    c->kinds[QP_EV_API_ENQUEUE_EXIT] != n ||
	    c->kinds[QP_EV_KMD_EXECUTE] != n || c->kinds[QP_EV_KMD_WAIT] != n ||
	    c->kinds[QP_EV_KMD_PERF_STATS] != n)
		FAIL(c, "per-inference event counts differ from %" PRIu64, n);
	if (c->kinds[c->callback ? QP_EV_API_CALLBACK_ENTRY :
			QP_EV_API_EXECOBJ_WAIT] != n)
		FAIL(c, "completion event count differs from %" PRIu64, n);
	for (i = 0; i < c->nprocs; i++)
		if (c->procs[i].next_seq != c->n)
			FAIL(c, "pid %d: last seq %" PRIu64, c->procs[i].pid,
			     c->procs[i].next_seq);
}

int main(int argc, char **argv)
{
	struct check c = { .n = 1000, .k = 4, .bos = 2, .name = "gen-prog" };
	struct qp_read_stats st;
	struct qp_model m;
	unsigned long nproc = 1;
	long long discarded = -1;
	char err[1024];
	int opt;

	while ((opt = getopt(argc, argv, "n:k:b:co:P:d:L")) != -1) {
		switch (opt) {
		case 'n': c.n = strtoul(optarg, NULL, 0); break;
		case 'k': c.k = strtoul(optarg, NULL, 0); break;
		case 'b': c.bos = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'c': c.callback = 1; break;
		case 'o': c.name = optarg; break;
		case 'P': nproc = strtoul(optarg, NULL, 0); break;
		case 'd': discarded = strtoll(optarg, NULL, 0); c.lossy = 1; break;
		case 'L': c.lossy = 1; break;
		default: return 2;
		}
	}
	if (optind >= argc || !c.k)
		return 2;
	qp_model_init(&m);
	qp_read_stats_init(&st);
	if (qp_read_traces((const char *const *)argv + optind,
			   (size_t)(argc - optind), &m, sink, &c, &st,
			   err, sizeof(err))) {
		fprintf(stderr, "e2e_readcheck: %s\n", err);
		return 1;
	}
	if (m.nhosts != 1 || !m.hosts[0][0])
		FAIL(&c, "%zu hosts", m.nhosts);
	if (!st.qprof_events)
		FAIL(&c, "no events");
	if (c.lossy) {
		/* every event emitted is either decoded or counted as lost */
		uint64_t emitted = nproc * (8 + 5 * c.k) +
				   nproc * c.n * (c.callback ? 7 : 6);

		if (st.qprof_events - c.foreign + st.discarded_events != emitted)
			FAIL(&c, "%" PRIu64 " decoded + %" PRIu64 " lost != %" PRIu64
			     " emitted", st.qprof_events - c.foreign,
			     st.discarded_events, emitted);
		if (discarded >= 0 && (long long)st.discarded_events != discarded)
			FAIL(&c, "reader counted %" PRIu64 " discarded events, lttng %lld",
			     st.discarded_events, discarded);
		if (!st.discarded_events || !st.nlosses || !c.discarded_msgs)
			FAIL(&c, "no per-stream loss entry");
	} else {
		check_counts(&c, nproc);
		if (st.discarded_events || c.discarded_msgs)
			FAIL(&c, "unexpected discarded events");
	}
	printf("e2e_readcheck: %zu traces, %" PRIu64 " qprof events, %" PRIu64
	       " other, %" PRIu64 " of other processes, %" PRIu64
	       " discarded in %zu streams, %zu processes, %" PRIu64 " errors\n",
	       st.ntraces, st.qprof_events, st.other_events, c.foreign,
	       st.discarded_events, st.nlosses, c.nprocs, c.errors);
	qp_read_stats_free(&st);
	qp_model_free(&m);
	return c.errors ? 1 : 0;
}
