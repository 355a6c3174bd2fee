// SPDX-License-Identifier: MIT
/*
 * The assembler (post/assemble.c) against hand-written event sequences.
 *
 * Each test writes the events an application + runtime + kernel would
 * produce, with hand-chosen timestamps, lets the buffer be sorted by ts the
 * way the babeltrace2 muxer delivers them, feeds the assembler, and checks
 * every record against the values the sequence was written with.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assemble.h"

#define US(x) ((uint64_t)(x) * 1000)	/* ns */
#define T0 US(1000000)			/* 1 s: a nonzero trace clock */
#define AT(us) (T0 + US(us))
#define IN 1
#define OUT 2

/* ---- event buffer ------------------------------------------------------ */

#define MAXEV 2048
static struct qp_event evbuf[MAXEV];
static size_t nev;
static struct qp_model model;
static struct qp_assembler *asmb;

static struct qp_event *push(enum qp_ev_kind kind, int pid, int tid,
			     uint64_t begin, uint64_t ts, int status, int err)
{
	struct qp_event *ev;

	assert_true(nev < MAXEV);
	ev = &evbuf[nev++];
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->pid = pid;
	ev->tid = tid;
	ev->begin_ts = begin ? begin : ts;
	ev->ts = ts;
	ev->status = status;
	ev->err = err;
	return ev;
}

/* Elements of the events' sequences (reset with the buffer). */
#define MAXSEQ (256 * 1024)
static uint32_t seqpool[MAXSEQ];
static size_t nseq;

static uint32_t *u32s(size_t n)
{
	uint32_t *p;

	assert_true(nseq + n <= MAXSEQ);
	p = &seqpool[nseq];
	nseq += n;
	memset(p, 0, n * sizeof(*p));
	return p;
}

/* Sort like the muxer (ts order, stable on ties) and feed everything. */
static void run(void)
{
	size_t *pos = malloc(nev * sizeof(*pos));
	size_t i, j;

	assert_non_null(pos);
	for (i = 0; i < nev; i++)
		pos[i] = i;
	/* insertion sort: a few hundred events, and it is stable */
	for (i = 1; i < nev; i++)
		for (j = i; j > 0 && evbuf[pos[j - 1]].ts > evbuf[pos[j]].ts; j--) {
			size_t t = pos[j];

			pos[j] = pos[j - 1];
			pos[j - 1] = t;
		}
	for (i = 0; i < nev; i++)
		assert_int_equal(qp_assembler_feed(asmb, &evbuf[pos[i]]), 0);
	free(pos);
	nev = 0;
	nseq = 0;
	assert_int_equal(qp_assembler_finish(asmb), 0);
}

/* ---- event builders ---------------------------------------------------- */

static void program_create(int pid, int tid, uint64_t b, uint64_t t,
			   uint64_t prog, const char *name)
{
	struct qp_event *ev = push(QP_EV_API_PROGRAM_CREATE, pid, tid, b, t, 0, 0);

	ev->u.program_create.program = prog;
	ev->u.program_create.name = name;
}

static void manage(int pid, int tid, uint64_t b, uint64_t t, int fd, int dbc)
{
	struct qp_event *ev = push(QP_EV_KMD_MANAGE, pid, tid, b, t, 0, 0);

	ev->u.manage.fd = fd;
	ev->u.manage.activated_dbc = dbc;
	ev->u.manage.deactivated_dbc = -1;
}

/* qaicLoadProgram with its activating MANAGE inside. */
static void program_load(int pid, int tid, uint64_t at, uint64_t prog, int fd,
			 int dbc)
{
	struct qp_event *ev;

	manage(pid, tid, at + US(2), at + US(8), fd, dbc);
	ev = push(QP_EV_API_PROGRAM_LOAD, pid, tid, at, at + US(10), 0, 0);
	ev->u.obj.obj = prog;
}

static void program_activate(int pid, int tid, uint64_t at, uint64_t prog,
			     int fd, int dbc)
{
	struct qp_event *ev;

	manage(pid, tid, at + US(2), at + US(8), fd, dbc);
	ev = push(QP_EV_API_PROGRAM_ACTIVATION, pid, tid, at, at + US(10), 0, 0);
	ev->u.program_activation.program = prog;
	ev->u.program_activation.cmd = 0;
}

static void create_bo(int pid, int tid, uint64_t t, int fd, uint32_t h,
		      uint32_t dbc, uint32_t dir)
{
	struct qp_event *ev = push(QP_EV_KMD_CREATE_BO, pid, tid, t, t + 1000, 0, 0);

	ev->u.create_bo.fd = fd;
	ev->u.create_bo.handle = h;
	ev = push(QP_EV_KMD_ATTACH_SLICE, pid, tid, 0, t + 2000, 0, 0);
	ev->u.attach_slice.fd = fd;
	ev->u.attach_slice.handle = h;
	ev->u.attach_slice.dbc_id = dbc;
	ev->u.attach_slice.dir = dir;
}

/* qaicCreateExecObj creating BOs hin (input) and hout (output) inside. */
static void execobj_create(int pid, int tid, uint64_t at, uint64_t eo,
			   uint64_t prog, int fd, uint32_t dbc, uint32_t hin,
			   uint32_t hout)
{
	struct qp_event *ev;

	create_bo(pid, tid, at + US(1), fd, hin, dbc, IN);
	create_bo(pid, tid, at + US(4), fd, hout, dbc, OUT);
	ev = push(QP_EV_API_EXECOBJ_CREATE, pid, tid, at, at + US(10), 0, 0);
	ev->u.execobj_create.execobj = eo;
	ev->u.execobj_create.program = prog;
}

static void enq_entry(int pid, int tid, uint64_t t, uint64_t seq,
		      uint64_t queue, uint64_t eo, uint64_t event, uint64_t ip)
{
	struct qp_event *ev = push(QP_EV_API_ENQUEUE_ENTRY, pid, tid, 0, t, 0, 0);

	ev->u.enqueue_entry.seq = seq;
	ev->u.enqueue_entry.queue = queue;
	ev->u.enqueue_entry.execobj = eo;
	ev->u.enqueue_entry.event = event;
	ev->ip = ip;
}

static void enq_exit(int pid, int tid, uint64_t t, uint64_t seq, int status)
{
	struct qp_event *ev = push(QP_EV_API_ENQUEUE_EXIT, pid, tid, 0, t,
				   status, 0);

	ev->u.enqueue_exit.seq = seq;
}

/* EXECUTE_BO of handles (in, out) in this order. */
static void execute(int pid, int tid, uint64_t b, uint64_t t, int fd,
		    uint32_t dbc, uint32_t hin, uint32_t hout, int ret, int err)
{
	struct qp_event *ev = push(QP_EV_KMD_EXECUTE, pid, tid, b, t, ret, err);

	uint32_t *h = u32s(3), *d = u32s(3);	/* room for a third entry */

	ev->u.execute.fd = fd;
	ev->u.execute.dbc_id = dbc;
	ev->u.execute.count = 2;
	ev->u.execute.handles = h;
	ev->u.execute.dirs = d;
	h[0] = hin;
	d[0] = IN;
	h[1] = hout;
	d[1] = OUT;
}

static void kwait(int pid, int tid, uint64_t b, uint64_t t, int fd,
		  uint32_t h, uint32_t dbc, int ret, int err)
{
	struct qp_event *ev = push(QP_EV_KMD_WAIT, pid, tid, b, t, ret, err);

	ev->u.wait.fd = fd;
	ev->u.wait.handle = h;
	ev->u.wait.dbc_id = dbc;
}

/*
 * PERF_STATS_BO of (hin, hout) as the kernel answers: entry 0 (input) has
 * the queue level seen by the EXECUTE, entry 1 that plus the input's
 * ring elements; the latencies are the same for both BOs of one request.
 */
static void perf(int pid, int tid, uint64_t t, int fd, uint32_t dbc,
		 uint32_t hin, uint32_t hout, uint32_t qlb, uint32_t sub,
		 uint32_t dev, int by_shim)
{
	struct qp_event *ev = push(QP_EV_KMD_PERF_STATS, pid, tid, t - US(1), t,
				   0, 0);

	uint32_t *h = u32s(3), *ql = u32s(3), *nq = u32s(3), *sl = u32s(3);
	uint32_t *dl = u32s(3);			/* room for a third entry */

	ev->u.perf_stats.fd = fd;
	ev->u.perf_stats.dbc_id = dbc;
	ev->u.perf_stats.by_shim = (uint8_t)by_shim;
	ev->u.perf_stats.count = 2;
	ev->u.perf_stats.handles = h;
	ev->u.perf_stats.queue_level_before = ql;
	ev->u.perf_stats.num_queue_element = nq;
	ev->u.perf_stats.submit_latency_us = sl;
	ev->u.perf_stats.device_latency_us = dl;
	h[0] = hin;
	h[1] = hout;
	ql[0] = qlb;
	ql[1] = qlb + 3;
	nq[0] = 3;
	nq[1] = 2;
	/* the input entry differs, so taking the wrong entry shows */
	sl[0] = sub + 100;
	dl[0] = dev + 100;
	sl[1] = sub;
	dl[1] = dev;
}

static void eo_wait(int pid, int tid, uint64_t b, uint64_t t, uint64_t eo,
		    int status)
{
	struct qp_event *ev = push(QP_EV_API_EXECOBJ_WAIT, pid, tid, b, t,
				   status, 0);

	ev->u.execobj_wait.execobj = eo;
}

static void callback(int pid, int tid, uint64_t t, uint64_t event)
{
	struct qp_event *ev = push(QP_EV_API_CALLBACK_ENTRY, pid, tid, 0, t, 0, 0);

	ev->u.callback_entry.event = event;
	ev = push(QP_EV_API_CALLBACK_EXIT, pid, tid, 0, t + US(1), 0, 0);
	ev->u.callback_exit.event = event;
}

static void event_wait(int pid, int tid, uint64_t b, uint64_t t,
		       uint64_t event, int status)
{
	struct qp_event *ev = push(QP_EV_API_EVENT_WAIT, pid, tid, b, t,
				   status, 0);

	ev->u.obj.obj = event;
}

static void bo_release(int pid, int tid, uint64_t t, int fd, uint32_t h)
{
	struct qp_event *ev = push(QP_EV_KMD_BO_RELEASE, pid, tid, 0, t, 0, 0);

	ev->u.bo_release.fd = fd;
	ev->u.bo_release.handle = h;
}

static void discard(int pid, uint64_t t, uint64_t count)
{
	struct qp_event *ev = push(QP_EV_DISCARDED, pid, -1, t - US(5), t, 0, 0);

	ev->u.discarded.count = count;
}

/*
 * One whole inference as the closed runtime runs it: the application
 * enqueues on app_tid, a worker (wtid) submits, waits, reads perf stats and
 * completes it.  Times in µs after T0.
 */
struct inf_spec {
	int pid, app_tid, wtid, fd;
	uint64_t seq, queue, eo, event;
	uint32_t dbc, hin, hout;
	uint64_t enq, enq_end, exb, exe, wb, we, done;
	enum qp_done_kind style;
	uint32_t qlb, sub, dev;
};

static void inference(const struct inf_spec *s)
{
	enq_entry(s->pid, s->app_tid, AT(s->enq), s->seq, s->queue, s->eo,
		  s->event, 0);
	enq_exit(s->pid, s->app_tid, AT(s->enq_end), s->seq, 0);
	execute(s->pid, s->wtid, AT(s->exb), AT(s->exe), s->fd, s->dbc,
		s->hin, s->hout, 0, 0);
	kwait(s->pid, s->wtid, AT(s->wb), AT(s->we), s->fd, s->hout, s->dbc,
	      0, 0);
	perf(s->pid, s->wtid, AT(s->we + 2), s->fd, s->dbc, s->hin, s->hout,
	     s->qlb, s->sub, s->dev, 0);
	switch (s->style) {
	case QP_DONE_WAIT:
		eo_wait(s->pid, s->app_tid, AT(s->enq_end + 1), AT(s->done),
			s->eo, 0);
		break;
	case QP_DONE_CALLBACK:
		callback(s->pid, s->wtid, AT(s->done), s->event);
		break;
	case QP_DONE_EVENT_WAIT:
		event_wait(s->pid, s->app_tid, AT(s->enq_end + 1), AT(s->done),
			   s->event, 0);
		break;
	default:
		break;
	}
}

/* ---- checks ------------------------------------------------------------- */

static double metric(const struct qp_inference *inf, enum qp_metric m)
{
	double v = -1;

	assert_true(qp_metric_value(NULL, inf, m, 1, &v));
	return v;
}

static bool has_metric(const struct qp_inference *inf, enum qp_metric m)
{
	double v;

	return qp_metric_value(NULL, inf, m, 1, &v);
}

/* The record of process pid with sequence number seq. */
static const struct qp_inference *find(int pid, uint32_t seq)
{
	size_t k;

	for (k = 0; k < model.ninf; k++)
		if (model.processes[model.inf[k].process].pid == pid &&
		    model.inf[k].seq == seq)
			return &model.inf[k];
	fail_msg("no inference pid %d seq %u", pid, seq);
	return NULL;
}

/* Every boundary of s, as written, and the completion. */
static void check_spec(const struct inf_spec *s, uint8_t match)
{
	const struct qp_inference *inf = find(s->pid, (uint32_t)s->seq);

	assert_int_equal(inf->state, QP_INF_OK);
	assert_int_equal(inf->match, match);
	assert_int_equal(inf->t0, AT(s->enq));
	assert_true(inf->flags & QP_F_HAS_ENQ);
	assert_int_equal(qp_inf_time(inf, QP_T_ENQ_END), AT(s->enq_end));
	assert_int_equal(qp_inf_time(inf, QP_T_EXEC_BEGIN), AT(s->exb));
	assert_int_equal(qp_inf_time(inf, QP_T_EXEC_END), AT(s->exe));
	assert_int_equal(qp_inf_time(inf, QP_T_WAIT_BEGIN), AT(s->wb));
	assert_int_equal(qp_inf_time(inf, QP_T_WAIT_END), AT(s->we));
	assert_int_equal(qp_inf_time(inf, QP_T_DONE), AT(s->done));
	assert_int_equal(inf->done_kind, s->style);
	assert_int_equal(inf->dbc_id, s->dbc);
	assert_int_equal(inf->enq_tid, s->app_tid);
	assert_int_equal(inf->submit_tid, s->wtid);
	assert_int_equal(inf->done_tid, s->style == QP_DONE_CALLBACK ?
			 s->wtid : s->app_tid);
	assert_true(inf->flags & QP_F_HAS_PERF);
	assert_int_equal(inf->submit_latency_us, s->sub);
	assert_int_equal(inf->device_latency_us, s->dev);
	assert_int_equal(inf->queue_level_before, s->qlb);
	assert_int_equal(inf->total_queue_elements, 5);
	/* the metric definitions, hand-computed from the spec */
	assert_true(metric(inf, QP_M_ENQ) == (double)(s->enq_end - s->enq));
	assert_true(metric(inf, QP_M_PRE_PROC) == (double)(s->exb - s->enq_end));
	assert_true(metric(inf, QP_M_SUBMIT) == (double)(s->exe - s->exb));
	assert_true(metric(inf, QP_M_EXEC_TOTAL) == (double)(s->we - s->exb));
	assert_true(metric(inf, QP_M_POST_PROC) == (double)(s->done - s->we));
	assert_true(metric(inf, QP_M_TOTAL_ROUND_TRIP) ==
		    (double)(s->done - s->enq));
	assert_true(metric(inf, QP_M_EXEC_TO_VC) == s->sub);
	assert_true(metric(inf, QP_M_HOST_ROUND_TRIP) == s->sub + s->dev);
}

/*
 * enq + preProc + execTotal + postProc == totalRoundtrip for every
 * completed API inference (all four phases defined).
 */
static void check_tiling(void)
{
	size_t k, n = 0;

	for (k = 0; k < model.ninf; k++) {
		const struct qp_inference *inf = &model.inf[k];
		double sum;

		if (inf->state != QP_INF_OK || !(inf->flags & QP_F_HAS_ENQ))
			continue;
		sum = metric(inf, QP_M_ENQ) + metric(inf, QP_M_PRE_PROC) +
		      metric(inf, QP_M_EXEC_TOTAL) + metric(inf, QP_M_POST_PROC);
		assert_true(fabs(sum - metric(inf, QP_M_TOTAL_ROUND_TRIP)) < 1e-9);
		n++;
	}
	(void)n;
}

static int setup(void **state)
{
	(void)state;
	qp_model_init(&model);
	asmb = qp_assembler_new(&model);
	nev = 0;
	return asmb ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	qp_assembler_free(asmb);
	qp_model_free(&model);
	return 0;
}

/* A process with program P (0x100) loaded on dbc; returns nothing. */
static void app_with_program(int pid, int fd, uint32_t dbc, uint64_t prog,
			     const char *name, uint64_t at)
{
	program_create(pid, pid, AT(at), AT(at + 5), prog, name);
	program_load(pid, pid, AT(at + 10), prog, fd, (int)dbc);
}

/* ---- tests --------------------------------------------------------------- */

/* Three exec objects submitted out of enqueue order: only BOs can tell. */
static void bo_matching_several_execobjs(void **state)
{
	struct inf_spec s[3];
	int k;

	(void)state;
	app_with_program(100, 5, 0, 0x100, "resnet", 0);
	execobj_create(100, 100, AT(100), 0xa0, 0x100, 5, 0, 1, 2);
	execobj_create(100, 100, AT(200), 0xb0, 0x100, 5, 0, 3, 4);
	execobj_create(100, 100, AT(300), 0xc0, 0x100, 5, 0, 5, 6);
	for (k = 0; k < 3; k++) {
		s[k] = (struct inf_spec){
			.pid = 100, .app_tid = 100, .wtid = 101 + k, .fd = 5,
			.seq = (uint64_t)k, .queue = 0x70,
			.eo = 0xa0 + 0x10 * (uint64_t)k, .dbc = 0,
			.hin = 1 + 2 * (uint32_t)k, .hout = 2 + 2 * (uint32_t)k,
			.enq = 1000 + 10 * (uint64_t)k,
			.enq_end = 1005 + 10 * (uint64_t)k,
			.style = QP_DONE_WAIT, .qlb = 7 * (uint32_t)k,
			.sub = 3 + (uint32_t)k, .dev = 500 + (uint32_t)k,
		};
	}
	/* submitted C, A, B */
	s[2].exb = 1040; s[2].exe = 1045; s[2].wb = 1046; s[2].we = 1600;
	s[0].exb = 1050; s[0].exe = 1056; s[0].wb = 1057; s[0].we = 1700;
	s[1].exb = 1060; s[1].exe = 1067; s[1].wb = 1068; s[1].we = 1800;
	s[0].done = 1710; s[1].done = 1820; s[2].done = 1650;
	for (k = 0; k < 3; k++)
		inference(&s[k]);
	run();
	assert_int_equal(model.ninf, 3);
	for (k = 0; k < 3; k++) {
		check_spec(&s[k], QP_MATCH_BO);
		assert_int_equal(find(100, (uint32_t)k)->program, 0);
	}
	assert_int_equal(model.matched[QP_MATCH_BO], 3);
	assert_int_equal(model.state_count[QP_INF_OK], 3);
	assert_int_equal(model.nprograms, 1);
	assert_string_equal(model.programs[0].name, "resnet");
	assert_int_equal(model.programs[0].dbc_id, 0);
	assert_int_equal(model.nqueues, 1);
	assert_int_equal(model.nprocesses, 1);
	assert_false(model.processes[0].kernel_only);
	check_tiling();
}

/* Two programs on two DBCs, each with its queue. */
static void two_programs_two_queues(void **state)
{
	struct inf_spec a = {
		.pid = 200, .app_tid = 200, .wtid = 201, .fd = 7, .seq = 0,
		.queue = 0x1000, .eo = 0xe1, .dbc = 2, .hin = 1, .hout = 2,
		.enq = 1000, .enq_end = 1004, .exb = 1020, .exe = 1025,
		.wb = 1026, .we = 1400, .done = 1430, .style = QP_DONE_WAIT,
		.qlb = 0, .sub = 4, .dev = 370,
	};
	struct inf_spec b = {
		.pid = 200, .app_tid = 200, .wtid = 202, .fd = 7, .seq = 1,
		.queue = 0x2000, .eo = 0xe2, .dbc = 5, .hin = 3, .hout = 4,
		.enq = 1010, .enq_end = 1013, .exb = 1015, .exe = 1019,
		.wb = 1021, .we = 1300, .done = 1500, .style = QP_DONE_WAIT,
		.qlb = 0, .sub = 3, .dev = 280,
	};

	(void)state;
	program_create(200, 200, AT(0), AT(5), 0x100, "progA");
	program_create(200, 200, AT(6), AT(9), 0x200, "progB");
	program_activate(200, 200, AT(10), 0x100, 7, 2);
	program_activate(200, 200, AT(30), 0x200, 7, 5);
	execobj_create(200, 200, AT(100), 0xe1, 0x100, 7, 2, 1, 2);
	execobj_create(200, 200, AT(200), 0xe2, 0x200, 7, 5, 3, 4);
	inference(&a);
	inference(&b);
	run();
	check_spec(&a, QP_MATCH_BO);
	check_spec(&b, QP_MATCH_BO);
	assert_int_equal(model.nprograms, 2);
	assert_int_equal(model.programs[0].dbc_id, 2);
	assert_int_equal(model.programs[1].dbc_id, 5);
	assert_int_equal(find(200, 0)->program, 0);
	assert_int_equal(find(200, 1)->program, 1);
	assert_int_equal(model.nqueues, 2);
	assert_int_equal(model.queues[find(200, 0)->queue].handle, 0x1000);
	assert_int_equal(model.queues[find(200, 1)->queue].handle, 0x2000);
	check_tiling();
}

/* Two application threads, callbacks on two workers, interleaved. */
static void multi_thread_interleaving(void **state)
{
	struct inf_spec s[6];
	int k;

	(void)state;
	app_with_program(300, 3, 1, 0x100, "net", 0);
	execobj_create(300, 310, AT(100), 0x310, 0x100, 3, 1, 11, 12);
	execobj_create(300, 320, AT(105), 0x320, 0x100, 3, 1, 21, 22);
	for (k = 0; k < 6; k++) {
		int t = k & 1;		/* thread 310 even k, 320 odd k */
		uint64_t base = 1000 + 400 * (uint64_t)(k / 2) + 7 * (uint64_t)t;

		s[k] = (struct inf_spec){
			.pid = 300, .app_tid = t ? 320 : 310,
			.wtid = t ? 302 : 301, .fd = 3, .seq = (uint64_t)k,
			.queue = 0x77, .eo = t ? 0x320 : 0x310,
			.event = t ? 0xe320 : 0xe310, .dbc = 1,
			.hin = t ? 21 : 11, .hout = t ? 22 : 12,
			.enq = base, .enq_end = base + 3,
			/* thread 320's inference is submitted first */
			.exb = base + (t ? 5 : 20), .exe = base + (t ? 9 : 24),
			.wb = base + (t ? 10 : 25), .we = base + (t ? 300 : 310),
			.done = base + (t ? 330 : 315),
			.style = QP_DONE_CALLBACK, .qlb = t ? 0 : 5,
			.sub = 2 + (uint32_t)k, .dev = 280 + (uint32_t)k,
		};
		inference(&s[k]);
	}
	run();
	for (k = 0; k < 6; k++)
		check_spec(&s[k], QP_MATCH_BO);
	assert_int_equal(model.matched[QP_MATCH_BO], 6);
	assert_int_equal(qp_assembler_stats(asmb)->orphan_completions, 0);
	check_tiling();
}

/* The worker submits (and the EXECUTE returns) before the enqueue returns. */
static void execute_before_enqueue_exit(void **state)
{
	const struct qp_inference *inf;

	(void)state;
	app_with_program(400, 3, 0, 0x100, "net", 0);
	execobj_create(400, 400, AT(100), 0x40, 0x100, 3, 0, 1, 2);
	enq_entry(400, 400, AT(1000), 0, 0x9, 0x40, 0, 0);
	execute(400, 401, AT(1002), AT(1006), 3, 0, 1, 2, 0, 0);
	enq_exit(400, 400, AT(1008), 0, 0);
	kwait(400, 401, AT(1007), AT(1300), 3, 2, 0, 0, 0);
	perf(400, 401, AT(1302), 3, 0, 1, 2, 0, 4, 290, 0);
	eo_wait(400, 400, AT(1010), AT(1320), 0x40, 0);
	run();
	inf = find(400, 0);
	assert_int_equal(inf->state, QP_INF_OK);
	assert_int_equal(inf->match, QP_MATCH_BO);
	assert_int_equal(qp_inf_time(inf, QP_T_ENQ_END), AT(1008));
	assert_int_equal(qp_inf_time(inf, QP_T_EXEC_BEGIN), AT(1002));
	assert_int_equal(qp_inf_time(inf, QP_T_EXEC_END), AT(1006));
	/* The worker submitted at 1002, before the enqueue returned at 1008:
	 * enq ends at the EXECUTE entry and preProc is empty (metrics.c). */
	assert_true(metric(inf, QP_M_ENQ) == 2);
	assert_true(metric(inf, QP_M_PRE_PROC) == 0);
	assert_true(metric(inf, QP_M_EXEC_TOTAL) == 298);
	assert_true(metric(inf, QP_M_TOTAL_ROUND_TRIP) == 320);
	assert_int_equal(qp_assembler_stats(asmb)->exec_before_enq_exit, 1);
}

/* Completion by callback, by event wait, by exec-object wait; first of. */
static void completion_styles(void **state)
{
	struct inf_spec s[4];
	int k;

	(void)state;
	app_with_program(500, 3, 0, 0x100, "net", 0);
	execobj_create(500, 500, AT(100), 0x50, 0x100, 3, 0, 1, 2);
	for (k = 0; k < 4; k++) {
		uint64_t base = 1000 + 1000 * (uint64_t)k;

		s[k] = (struct inf_spec){
			.pid = 500, .app_tid = 500, .wtid = 501, .fd = 3,
			.seq = (uint64_t)k, .queue = 0x9, .eo = 0x50,
			.event = 0xe0, .dbc = 0, .hin = 1, .hout = 2,
			.enq = base, .enq_end = base + 4, .exb = base + 10,
			.exe = base + 14, .wb = base + 15, .we = base + 500,
			.done = base + 520, .qlb = 0, .sub = 3, .dev = 480,
		};
	}
	s[0].style = QP_DONE_CALLBACK;
	s[1].style = QP_DONE_EVENT_WAIT;
	s[2].style = QP_DONE_WAIT;
	s[3].style = QP_DONE_CALLBACK;
	for (k = 0; k < 4; k++)
		inference(&s[k]);
	run();
	for (k = 0; k < 4; k++)
		check_spec(&s[k], QP_MATCH_BO);
	assert_int_equal(model.state_count[QP_INF_OK], 4);
	assert_int_equal(model.state_count[QP_INF_UNMATCHED], 0);
	check_tiling();
}

/*
 * Callback and qaicWaitforEvent on the same event: the callback completes
 * inference 0; the late event wait arrives while inference 1 is enqueued
 * but not yet submitted and must not complete (nor condemn) it.
 */
static void first_of_does_not_spill(void **state)
{
	struct inf_spec s0 = {
		.pid = 550, .app_tid = 550, .wtid = 551, .fd = 3, .seq = 0,
		.queue = 0x9, .eo = 0x55, .event = 0xe5, .dbc = 0, .hin = 1,
		.hout = 2, .enq = 1000, .enq_end = 1004, .exb = 1010,
		.exe = 1014, .wb = 1015, .we = 1500, .done = 1520,
		.style = QP_DONE_CALLBACK, .sub = 3, .dev = 480,
	};
	struct inf_spec s1 = s0;

	(void)state;
	s1.seq = 1;
	s1.enq = 1525; s1.enq_end = 1528; s1.exb = 1540; s1.exe = 1545;
	s1.wb = 1546; s1.we = 2000; s1.done = 2010; s1.sub = 4; s1.dev = 450;
	app_with_program(550, 3, 0, 0x100, "net", 0);
	execobj_create(550, 550, AT(100), 0x55, 0x100, 3, 0, 1, 2);
	inference(&s0);
	event_wait(550, 550, AT(1005), AT(1530), 0xe5, 0);
	inference(&s1);
	run();
	check_spec(&s0, QP_MATCH_BO);
	check_spec(&s1, QP_MATCH_BO);
	assert_int_equal(qp_assembler_stats(asmb)->ignored_completions, 1);
	check_tiling();
}

/*
 * Exec objects created before tracing started: their BOs are unknown, so
 * executions on the DBC are matched in enqueue order.  An exec object whose
 * BOs are known is never taken by the fallback.
 */
static void fifo_fallback(void **state)
{
	struct inf_spec s[3];
	int k;

	(void)state;
	/* the program was loaded before tracing too: only its MANAGE is lost */
	for (k = 0; k < 3; k++) {
		uint64_t base = 1000 + 20 * (uint64_t)k;

		s[k] = (struct inf_spec){
			.pid = 600, .app_tid = 600, .wtid = 601, .fd = 4,
			.seq = 10 + (uint64_t)k, .queue = 0x9,
			.eo = 0x60 + (uint64_t)k, .dbc = 3,
			.hin = 30 + 2 * (uint32_t)k, .hout = 31 + 2 * (uint32_t)k,
			.enq = base, .enq_end = base + 2,
			.exb = base + 100, .exe = base + 104, .wb = base + 105,
			.we = base + 700, .done = base + 720,
			.style = QP_DONE_WAIT, .qlb = 5 * (uint32_t)k,
			.sub = 3 + (uint32_t)k, .dev = 590 + (uint32_t)k,
		};
	}
	/*
	 * s[0]'s exec object is known (created while tracing): BO match.  It
	 * is the oldest, submitted last: the fallback must not take it.
	 */
	s[0].exb = 1300; s[0].exe = 1304; s[0].wb = 1305; s[0].we = 1900;
	s[0].done = 1920;
	execobj_create(600, 600, AT(500), 0x60, 0, 4, 3, 30, 31);
	for (k = 0; k < 3; k++)
		inference(&s[k]);
	run();
	check_spec(&s[0], QP_MATCH_BO);
	check_spec(&s[1], QP_MATCH_FIFO);
	check_spec(&s[2], QP_MATCH_FIFO);
	assert_int_equal(model.matched[QP_MATCH_FIFO], 2);
	assert_int_equal(model.matched[QP_MATCH_BO], 1);
	check_tiling();
}

/* FIFO fallback learns the program from the DBC it was activated on. */
static void fifo_program_from_dbc(void **state)
{
	struct inf_spec s = {
		.pid = 650, .app_tid = 650, .wtid = 651, .fd = 4, .seq = 0,
		.queue = 0x9, .eo = 0x65, .dbc = 6, .hin = 1, .hout = 2,
		.enq = 1000, .enq_end = 1002, .exb = 1010, .exe = 1013,
		.wb = 1014, .we = 1300, .done = 1310, .style = QP_DONE_WAIT,
		.sub = 3, .dev = 280,
	};

	(void)state;
	program_create(650, 650, AT(0), AT(5), 0x100, "other");
	program_create(650, 650, AT(6), AT(9), 0x200, "mine");
	program_activate(650, 650, AT(10), 0x100, 4, 2);
	program_activate(650, 650, AT(30), 0x200, 4, 6);
	inference(&s);
	run();
	check_spec(&s, QP_MATCH_FIFO);
	assert_int_equal(find(650, 0)->program, 1);
}

/* No API events at all (C++/Python bindings): inferences from the ioctls. */
static void kernel_only(void **state)
{
	const struct qp_inference *inf;
	uint32_t k;

	(void)state;
	manage(700, 700, AT(1), AT(9), 6, 3);
	create_bo(700, 700, AT(10), 6, 1, 3, IN);
	create_bo(700, 700, AT(20), 6, 2, 3, OUT);
	create_bo(700, 700, AT(30), 6, 3, 3, IN);
	create_bo(700, 700, AT(40), 6, 4, 3, OUT);
	for (k = 0; k < 3; k++) {
		uint64_t b = 1000 + 1000 * (uint64_t)k;
		uint32_t hin = k == 1 ? 3 : 1, hout = hin + 1;

		execute(700, 701, AT(b), AT(b + 6), 6, 3, hin, hout, 0, 0);
		kwait(700, 702, AT(b + 8), AT(b + 400 + k), 6, hout, 3, 0, 0);
		perf(700, 702, AT(b + 403 + k), 6, 3, hin, hout, 2 * k, 5,
		     390 + k, 1);
	}
	run();
	assert_int_equal(model.ninf, 3);
	assert_true(model.processes[0].kernel_only);
	assert_int_equal(model.nprograms, 1);
	assert_string_equal(model.programs[0].name, "dbc3");
	assert_int_equal(model.programs[0].handle, 0);
	for (k = 0; k < 3; k++) {
		uint64_t b = 1000 + 1000 * (uint64_t)k;

		inf = find(700, k);
		assert_int_equal(inf->state, QP_INF_OK);
		assert_int_equal(inf->match, QP_MATCH_KERNEL_ONLY);
		assert_int_equal(inf->done_kind, QP_DONE_KERNEL);
		assert_int_equal(inf->t0, AT(b));
		assert_false(inf->flags & QP_F_HAS_ENQ);
		assert_int_equal(inf->program, 0);
		assert_int_equal(inf->enq_tid, 701);
		assert_int_equal(inf->done_tid, 702);
		assert_int_equal(qp_inf_time(inf, QP_T_EXEC_END), AT(b + 6));
		assert_int_equal(qp_inf_time(inf, QP_T_DONE), AT(b + 400 + k));
		assert_true(metric(inf, QP_M_SUBMIT) == 6);
		assert_true(metric(inf, QP_M_EXEC_TOTAL) == 400 + k);
		/* perf stats come after the kernel-only "completion" */
		assert_true(inf->flags & QP_F_PERF_BY_SHIM);
		assert_true(metric(inf, QP_M_EXEC_TO_COMPLETE) == 390 + k);
		assert_true(metric(inf, QP_M_QUEUE_DEPTH) == 2 * k);
		/* nothing padded with guesses */
		assert_false(has_metric(inf, QP_M_ENQ));
		assert_false(has_metric(inf, QP_M_PRE_PROC));
		assert_false(has_metric(inf, QP_M_POST_PROC));
		assert_false(has_metric(inf, QP_M_TOTAL_ROUND_TRIP));
	}
	assert_int_equal(model.matched[QP_MATCH_KERNEL_ONLY], 3);
	assert_int_equal(model.shim_perf_queries, 3);
}

/*
 * EXECUTE refused with EAGAIN twice: exec begins at the successful attempt,
 * the retries and their back-off are preProc (as the runtime counts them).
 */
static void eagain_retries(void **state)
{
	const struct qp_inference *inf;

	(void)state;
	app_with_program(800, 3, 0, 0x100, "net", 0);
	execobj_create(800, 800, AT(100), 0x80, 0x100, 3, 0, 1, 2);
	enq_entry(800, 800, AT(1000), 0, 0x9, 0x80, 0, 0);
	enq_exit(800, 800, AT(1003), 0, 0);
	execute(800, 801, AT(1010), AT(1012), 3, 0, 1, 2, -1, EAGAIN);
	execute(800, 801, AT(1100), AT(1101), 3, 0, 1, 2, -1, EAGAIN);
	execute(800, 801, AT(1200), AT(1205), 3, 0, 1, 2, 0, 0);
	kwait(800, 801, AT(1206), AT(1700), 3, 2, 0, 0, 0);
	perf(800, 801, AT(1702), 3, 0, 1, 2, 9, 5, 490, 0);
	eo_wait(800, 800, AT(1004), AT(1710), 0x80, 0);
	run();
	inf = find(800, 0);
	assert_int_equal(inf->state, QP_INF_OK);
	assert_int_equal(inf->exec_retries, 2);
	assert_int_equal(qp_inf_time(inf, QP_T_EXEC_BEGIN), AT(1200));
	assert_int_equal(qp_inf_time(inf, QP_T_EXEC_END), AT(1205));
	assert_int_equal(inf->submit_tid, 801);
	assert_true(metric(inf, QP_M_PRE_PROC) == 197);
	assert_true(metric(inf, QP_M_SUBMIT) == 5);
	assert_true(metric(inf, QP_M_EXEC_TOTAL) == 500);
	check_tiling();
}

/* WAIT_BO times out once and is retried: wait begins at the first. */
static void wait_timeout_retry(void **state)
{
	const struct qp_inference *inf;

	(void)state;
	app_with_program(850, 3, 0, 0x100, "net", 0);
	execobj_create(850, 850, AT(100), 0x85, 0x100, 3, 0, 1, 2);
	enq_entry(850, 850, AT(1000), 0, 0x9, 0x85, 0, 0);
	enq_exit(850, 850, AT(1003), 0, 0);
	execute(850, 851, AT(1010), AT(1012), 3, 0, 1, 2, 0, 0);
	kwait(850, 851, AT(1013), AT(6013), 3, 2, 0, -1, ETIMEDOUT);
	kwait(850, 851, AT(6014), AT(6500), 3, 2, 0, 0, 0);
	perf(850, 851, AT(6502), 3, 0, 1, 2, 0, 2, 5480, 0);
	eo_wait(850, 850, AT(1004), AT(6510), 0x85, 0);
	run();
	inf = find(850, 0);
	assert_int_equal(inf->state, QP_INF_OK);
	assert_int_equal(qp_inf_time(inf, QP_T_WAIT_BEGIN), AT(1013));
	assert_int_equal(qp_inf_time(inf, QP_T_WAIT_END), AT(6500));
	assert_true(metric(inf, QP_M_EXEC_TOTAL) == 5490);
	check_tiling();
}

/*
 * Failures: an enqueue refused, an EXECUTE refused (EINVAL, whose error
 * completion the application then sees) and a WAIT failing (EPERM).  Each
 * is FAILED with its status, and the next inference on the same exec
 * object is matched correctly.
 */
static void failed_status(void **state)
{
	struct inf_spec ok = {
		.pid = 900, .app_tid = 900, .wtid = 901, .fd = 3, .seq = 4,
		.queue = 0x9, .eo = 0x90, .dbc = 0, .hin = 1, .hout = 2,
		.enq = 5000, .enq_end = 5003, .exb = 5010, .exe = 5014,
		.wb = 5015, .we = 5500, .done = 5510, .style = QP_DONE_WAIT,
		.sub = 3, .dev = 480,
	};
	const struct qp_inference *inf;

	(void)state;
	app_with_program(900, 3, 0, 0x100, "net", 0);
	execobj_create(900, 900, AT(100), 0x90, 0x100, 3, 0, 1, 2);
	/* seq 0: refused at the API */
	enq_entry(900, 900, AT(1000), 0, 0x9, 0x90, 0, 0);
	enq_exit(900, 900, AT(1002), 0, 7);
	/* seq 1: EXECUTE -EINVAL, then the application's wait fails */
	enq_entry(900, 900, AT(2000), 1, 0x9, 0x90, 0, 0);
	enq_exit(900, 900, AT(2002), 1, 0);
	execute(900, 901, AT(2010), AT(2011), 3, 0, 1, 2, -1, EINVAL);
	eo_wait(900, 900, AT(2003), AT(2020), 0x90, 1);
	/* seq 2: WAIT -EPERM */
	enq_entry(900, 900, AT(3000), 2, 0x9, 0x90, 0, 0);
	enq_exit(900, 900, AT(3002), 2, 0);
	execute(900, 901, AT(3010), AT(3012), 3, 0, 1, 2, 0, 0);
	kwait(900, 901, AT(3013), AT(3100), 3, 2, 0, -1, EPERM);
	eo_wait(900, 900, AT(3003), AT(3110), 0x90, 1);
	inference(&ok);
	run();
	inf = find(900, 0);
	assert_int_equal(inf->state, QP_INF_FAILED);
	assert_int_equal(inf->failed_status, 7);
	inf = find(900, 1);
	assert_int_equal(inf->state, QP_INF_FAILED);
	assert_int_equal(inf->failed_status, -EINVAL);
	inf = find(900, 2);
	assert_int_equal(inf->state, QP_INF_FAILED);
	assert_int_equal(inf->failed_status, -EPERM);
	check_spec(&ok, QP_MATCH_BO);
	assert_int_equal(model.state_count[QP_INF_FAILED], 3);
	assert_int_equal(model.state_count[QP_INF_OK], 1);
	assert_int_equal(model.matched[QP_MATCH_BO], 1);
	check_tiling();
}

/*
 * Events lost in the middle of inference 1: it is excluded, inference 0
 * (done before) and 2 (after) are kept.  A loss without a pid affects the
 * processes of that host only.
 */
static void lost_events(void **state)
{
	struct inf_spec s[3];
	struct inf_spec other;
	struct qp_event *ev;
	int k;

	(void)state;
	app_with_program(1000, 3, 0, 0x100, "net", 0);
	execobj_create(1000, 1000, AT(100), 0xa0, 0x100, 3, 0, 1, 2);
	for (k = 0; k < 3; k++) {
		uint64_t base = 1000 + 1000 * (uint64_t)k;

		s[k] = (struct inf_spec){
			.pid = 1000, .app_tid = 1000, .wtid = 1001, .fd = 3,
			.seq = (uint64_t)k, .queue = 0x9, .eo = 0xa0, .dbc = 0,
			.hin = 1, .hout = 2, .enq = base, .enq_end = base + 3,
			.exb = base + 10, .exe = base + 14, .wb = base + 15,
			.we = base + 500, .done = base + 510,
			.style = QP_DONE_WAIT, .sub = 3, .dev = 485,
		};
		inference(&s[k]);
	}
	/*
	 * Lost while 1 was in the device, its WAIT_BO event among them: its
	 * own completion signal must not complete anything else.
	 */
	discard(1000, AT(2200), 17);
	for (k = 0; k < (int)nev; k++)
		if (evbuf[k].kind == QP_EV_KMD_WAIT && evbuf[k].ts == AT(2500))
			evbuf[k].kind = QP_EV_KMD_OTHER;
	/* a second host, same pid, in flight during a pid-less loss on host 0 */
	other = s[0];
	other.seq = 0;
	other.enq = 2900; other.enq_end = 2903; other.exb = 2910;
	other.exe = 2914; other.wb = 2915; other.we = 3400; other.done = 3410;
	{
		size_t first = nev;

		execobj_create(1000, 1000, AT(150), 0xa0, 0x100, 3, 0, 1, 2);
		inference(&other);
		for (; first < nev; first++)
			evbuf[first].host = 1;
	}
	ev = push(QP_EV_DISCARDED, -1, -1, AT(2950), AT(2960), 0, 0);
	ev->u.discarded.count = 5;
	ev->host = 0;
	run();
	check_spec(&s[0], QP_MATCH_BO);
	/* s[2] was enqueued at 3000, after the pid-less loss (2960) */
	check_spec(&s[2], QP_MATCH_BO);
	assert_int_equal(find(1000, 1)->state, QP_INF_LOST_EVENTS);
	assert_int_equal(model.discarded_events, 22);
	assert_int_equal(model.state_count[QP_INF_LOST_EVENTS], 1);
	assert_int_equal(qp_assembler_stats(asmb)->lost_inferences, 1);
	/* host 1's process, same pid, untouched by host 0's losses */
	assert_int_equal(model.nprocesses, 2);
	for (k = 0; k < (int)model.ninf; k++)
		if (model.processes[model.inf[k].process].host == 1)
			assert_int_equal(model.inf[k].state, QP_INF_OK);
	assert_int_equal(model.processes[0].discarded_events, 22);
	assert_int_equal(model.processes[1].discarded_events, 0);
	check_tiling();
}

/* The trace ends (the process exited) with inferences in flight. */
static void process_exit_in_flight(void **state)
{
	struct inf_spec s = {
		.pid = 1100, .app_tid = 1100, .wtid = 1101, .fd = 3, .seq = 0,
		.queue = 0x9, .eo = 0xb0, .dbc = 0, .hin = 1, .hout = 2,
		.enq = 1000, .enq_end = 1003, .exb = 1010, .exe = 1014,
		.wb = 1015, .we = 1500, .done = 1510, .style = QP_DONE_WAIT,
		.sub = 3, .dev = 485,
	};

	(void)state;
	app_with_program(1100, 3, 0, 0x100, "net", 0);
	execobj_create(1100, 1100, AT(100), 0xb0, 0x100, 3, 0, 1, 2);
	execobj_create(1100, 1100, AT(200), 0xb1, 0x100, 3, 0, 3, 4);
	inference(&s);
	/* submitted, never waited */
	enq_entry(1100, 1100, AT(2000), 1, 0x9, 0xb0, 0, 0);
	enq_exit(1100, 1100, AT(2003), 1, 0);
	execute(1100, 1101, AT(2010), AT(2012), 3, 0, 1, 2, 0, 0);
	/* enqueued, never submitted */
	enq_entry(1100, 1100, AT(2100), 2, 0x9, 0xb1, 0, 0);
	enq_exit(1100, 1100, AT(2103), 2, 0);
	run();
	check_spec(&s, QP_MATCH_BO);
	assert_int_equal(find(1100, 1)->state, QP_INF_NO_COMPLETION);
	assert_int_equal(find(1100, 2)->state, QP_INF_NO_COMPLETION);
	assert_int_equal(model.state_count[QP_INF_NO_COMPLETION], 2);
	assert_int_equal(model.matched[QP_MATCH_BO], 1);
}

/* GEM handles are reused after GEM_CLOSE, exec object pointers too. */
static void handle_reuse_after_gem_close(void **state)
{
	struct inf_spec a = {
		.pid = 1200, .app_tid = 1200, .wtid = 1201, .fd = 3, .seq = 0,
		.queue = 0x9, .eo = 0xc0, .dbc = 0, .hin = 1, .hout = 2,
		.enq = 1000, .enq_end = 1003, .exb = 1010, .exe = 1014,
		.wb = 1015, .we = 1500, .done = 1510, .style = QP_DONE_WAIT,
		.sub = 3, .dev = 485,
	};
	struct inf_spec b = a, c = a, d, e;
	struct qp_event *ev;

	(void)state;
	app_with_program(1200, 3, 0, 0x100, "p1", 0);
	program_create(1200, 1200, AT(40), AT(45), 0x200, "p2");
	program_load(1200, 1200, AT(50), 0x200, 3, 1);
	execobj_create(1200, 1200, AT(100), 0xc0, 0x100, 3, 0, 1, 2);
	inference(&a);
	/* release exec object 0xc0 and its BOs */
	bo_release(1200, 1200, AT(2001), 3, 1);
	bo_release(1200, 1200, AT(2002), 3, 2);
	ev = push(QP_EV_API_EXECOBJ_RELEASE, 1200, 1200, AT(2000), AT(2003), 0, 0);
	ev->u.obj.obj = 0xc0;
	/* same pointer, same handles, now program 2 on dbc 1; and a 2nd one
	 * with handles swapped */
	execobj_create(1200, 1200, AT(2100), 0xc0, 0x200, 3, 1, 2, 1);
	execobj_create(1200, 1200, AT(2200), 0xc1, 0x200, 3, 1, 4, 3);
	b.seq = 1; b.dbc = 1; b.hin = 2; b.hout = 1;
	b.enq = 3000; b.enq_end = 3003; b.exb = 3100; b.exe = 3104;
	b.wb = 3105; b.we = 3600; b.done = 3610;
	c.seq = 2; c.eo = 0xc1; c.dbc = 1; c.hin = 4; c.hout = 3;
	c.enq = 3010; c.enq_end = 3013; c.exb = 3020; c.exe = 3024;
	c.wb = 3025; c.we = 3500; c.done = 3700;
	inference(&b);
	inference(&c);
	/*
	 * Handles 5 and 6 of exec object 0xc2 are closed, then reused by BOs
	 * a runtime thread creates outside any API call (untied), for an exec
	 * object 0xc9 never seen created: its execution is FIFO-matched, not
	 * tied to 0xc2 through the stale handles.
	 */
	execobj_create(1200, 1200, AT(2300), 0xc2, 0x200, 3, 1, 5, 6);
	bo_release(1200, 1200, AT(2401), 3, 5);
	bo_release(1200, 1200, AT(2402), 3, 6);
	create_bo(1200, 1209, AT(2500), 3, 5, 1, IN);
	create_bo(1200, 1209, AT(2510), 3, 6, 1, OUT);
	d = a;
	d.seq = 3; d.eo = 0xc9; d.dbc = 1; d.hin = 5; d.hout = 6;
	d.enq = 4000; d.enq_end = 4003; d.exb = 4010; d.exe = 4014;
	d.wb = 4015; d.we = 4500; d.done = 4510;
	inference(&d);
	e = d;
	e.seq = 4; e.eo = 0xc2; e.hin = 5; e.hout = 6;
	e.enq = 3990; e.enq_end = 3993; e.exb = 4600; e.exe = 4604;
	e.wb = 4605; e.we = 5000; e.done = 5010;
	enq_entry(1200, 1200, AT(e.enq), e.seq, e.queue, e.eo, 0, 0);
	enq_exit(1200, 1200, AT(e.enq_end), e.seq, 0);
	run();
	check_spec(&a, QP_MATCH_BO);
	check_spec(&b, QP_MATCH_BO);
	check_spec(&c, QP_MATCH_BO);
	check_spec(&d, QP_MATCH_FIFO);
	assert_int_equal(find(1200, 4)->state, QP_INF_NO_COMPLETION);
	assert_int_equal(find(1200, 0)->program, 0);
	assert_int_equal(find(1200, 1)->program, 1);
	assert_int_equal(find(1200, 2)->program, 1);
	assert_int_equal(model.programs[1].dbc_id, 1);
	check_tiling();
}

/* Two processes with the same fds, handles and pointers, interleaved. */
static void two_processes_equal_handles(void **state)
{
	struct inf_spec s[4];
	int k;

	(void)state;
	app_with_program(1300, 3, 0, 0x100, "a", 0);
	app_with_program(1400, 3, 0, 0x100, "b", 1);
	execobj_create(1300, 1300, AT(100), 0xd0, 0x100, 3, 0, 1, 2);
	execobj_create(1400, 1400, AT(101), 0xd0, 0x100, 3, 0, 1, 2);
	for (k = 0; k < 4; k++) {
		int pid = k & 1 ? 1400 : 1300;
		uint64_t base = 1000 + 1000 * (uint64_t)(k / 2) + (uint64_t)k;

		s[k] = (struct inf_spec){
			.pid = pid, .app_tid = pid, .wtid = pid + 1, .fd = 3,
			.seq = (uint64_t)(k / 2), .queue = 0x9, .eo = 0xd0,
			.event = 0xe0, .dbc = 0, .hin = 1, .hout = 2,
			.enq = base, .enq_end = base + 3,
			/* process 1400 submits and finishes first */
			.exb = base + (k & 1 ? 5 : 30),
			.exe = base + (k & 1 ? 9 : 34),
			.wb = base + (k & 1 ? 10 : 35),
			.we = base + (k & 1 ? 400 : 600),
			.done = base + (k & 1 ? 410 : 610),
			.style = QP_DONE_EVENT_WAIT, .qlb = (uint32_t)k,
			.sub = 3 + (uint32_t)k, .dev = 400 + (uint32_t)k,
		};
		inference(&s[k]);
	}
	run();
	for (k = 0; k < 4; k++)
		check_spec(&s[k], QP_MATCH_BO);
	assert_int_equal(model.nprocesses, 2);
	assert_int_equal(model.nprograms, 2);
	assert_int_equal(model.programs[model.inf[0].program].process,
			 model.inf[0].process);
	check_tiling();
}

/*
 * Perf stats: the runtime's query and the shim's both arrive; the first
 * wins.  A query before completion (device latency 0) is ignored.
 */
static void perf_stats_first_wins(void **state)
{
	const struct qp_inference *inf;

	(void)state;
	app_with_program(1500, 3, 0, 0x100, "net", 0);
	execobj_create(1500, 1500, AT(100), 0xf0, 0x100, 3, 0, 1, 2);
	enq_entry(1500, 1500, AT(1000), 0, 0x9, 0xf0, 0, 0);
	enq_exit(1500, 1500, AT(1003), 0, 0);
	execute(1500, 1501, AT(1010), AT(1014), 3, 0, 1, 2, 0, 0);
	/* the output is not the last entry: (in 1, out 2, in 3) */
	evbuf[nev - 1].u.execute.count = 3;
	((uint32_t *)evbuf[nev - 1].u.execute.handles)[2] = 3;
	((uint32_t *)evbuf[nev - 1].u.execute.dirs)[2] = IN;
	/* another thread polls before completion: device latency 0 */
	perf(1500, 1502, AT(1100), 3, 0, 1, 2, 6, 4, 0, 0);
	kwait(1500, 1501, AT(1015), AT(1500), 3, 2, 0, 0, 0);
	perf(1500, 1501, AT(1502), 3, 0, 1, 2, 6, 4, 485, 1);	/* shim */
	evbuf[nev - 1].u.perf_stats.count = 3;
	((uint32_t *)evbuf[nev - 1].u.perf_stats.handles)[2] = 3;
	((uint32_t *)evbuf[nev - 1].u.perf_stats.num_queue_element)[2] = 4;
	((uint32_t *)evbuf[nev - 1].u.perf_stats.submit_latency_us)[2] = 77;
	((uint32_t *)evbuf[nev - 1].u.perf_stats.device_latency_us)[2] = 777;
	perf(1500, 1501, AT(1504), 3, 0, 1, 2, 99, 99, 999, 0);	/* runtime */
	eo_wait(1500, 1500, AT(1004), AT(1510), 0xf0, 0);
	run();
	inf = find(1500, 0);
	assert_int_equal(inf->state, QP_INF_OK);
	assert_int_equal(inf->flags & (QP_F_HAS_PERF | QP_F_PERF_BY_SHIM),
			 QP_F_HAS_PERF | QP_F_PERF_BY_SHIM);
	/* the wait handle's (output's) entry, entry 0's queue level */
	assert_int_equal(inf->submit_latency_us, 4);
	assert_int_equal(inf->device_latency_us, 485);
	assert_int_equal(inf->queue_level_before, 6);
	assert_int_equal(inf->total_queue_elements, 9);
	/* 1 + 6 / 9 inferences ahead of and including this one */
	assert_true(metric(inf, QP_M_NUM_INF_IN_QUEUE) == 1);
	assert_true(metric(inf, QP_M_QUEUE_DEPTH) == 6);
	assert_int_equal(model.shim_perf_queries, 1);
}

/*
 * A query missing entries of the request (here the shim's, with the wait
 * handle only) gives the wrong queue level and ring elements: a later
 * complete query replaces it.  Alone, it is still used.
 */
static void perf_stats_partial_query(void **state)
{
	const struct qp_inference *inf;
	int k;

	(void)state;
	app_with_program(1550, 3, 0, 0x100, "net", 0);
	execobj_create(1550, 1550, AT(100), 0xf5, 0x100, 3, 0, 1, 2);
	for (k = 0; k < 2; k++) {
		uint64_t b = 1000 + 1000 * (uint64_t)k;

		enq_entry(1550, 1550, AT(b), (uint64_t)k, 0x9, 0xf5, 0, 0);
		enq_exit(1550, 1550, AT(b + 3), (uint64_t)k, 0);
		execute(1550, 1551, AT(b + 10), AT(b + 14), 3, 0, 1, 2, 0, 0);
		kwait(1550, 1551, AT(b + 15), AT(b + 500), 3, 2, 0, 0, 0);
		/* the shim's: entry of handle 2 only, as the kernel answers it */
		perf(1550, 1551, AT(b + 502), 3, 0, 2, 2, 6 + 3, 4, 485, 1);
		evbuf[nev - 1].u.perf_stats.count = 1;
		((uint32_t *)evbuf[nev - 1].u.perf_stats.num_queue_element)[0] = 2;
		((uint32_t *)evbuf[nev - 1].u.perf_stats.submit_latency_us)[0] = 4;
		((uint32_t *)evbuf[nev - 1].u.perf_stats.device_latency_us)[0] = 485;
		eo_wait(1550, 1550, AT(b + 4), AT(b + 510), 0xf5, 0);
		/* the runtime's complete query, for inference 0 only (late) */
		if (k == 0)
			perf(1550, 1551, AT(b + 520), 3, 0, 1, 2, 6, 4, 485, 0);
	}
	run();
	inf = find(1550, 0);
	assert_int_equal(inf->state, QP_INF_OK);
	assert_int_equal(inf->flags & (QP_F_HAS_PERF | QP_F_PERF_BY_SHIM),
			 QP_F_HAS_PERF);
	assert_int_equal(inf->queue_level_before, 6);
	assert_int_equal(inf->total_queue_elements, 5);
	assert_int_equal(inf->device_latency_us, 485);
	inf = find(1550, 1);
	assert_int_equal(inf->flags & (QP_F_HAS_PERF | QP_F_PERF_BY_SHIM),
			 QP_F_HAS_PERF | QP_F_PERF_BY_SHIM);
	assert_int_equal(inf->queue_level_before, 9);
	assert_int_equal(inf->total_queue_elements, 2);
	assert_int_equal(inf->submit_latency_us, 4);
	check_tiling();
}

/* An inference whose kernel events cannot be tied is UNMATCHED. */
static void unmatched_inference(void **state)
{
	const struct qp_inference *inf;

	(void)state;
	app_with_program(1600, 3, 0, 0x100, "net", 0);
	execobj_create(1600, 1600, AT(100), 0x16, 0x100, 3, 0, 1, 2);
	/* the runtime's ioctls were not seen (e.g. a static ioctl path) */
	enq_entry(1600, 1600, AT(1000), 0, 0x9, 0x16, 0, 0);
	enq_exit(1600, 1600, AT(1003), 0, 0);
	eo_wait(1600, 1600, AT(1004), AT(1500), 0x16, 0);
	run();
	inf = find(1600, 0);
	assert_int_equal(inf->state, QP_INF_UNMATCHED);
	assert_int_equal(model.state_count[QP_INF_UNMATCHED], 1);
	assert_int_equal(model.matched[QP_MATCH_NONE], 0);
}

/* Call sites: the enqueue's ip, plus the deeper stack when recorded. */
static void callsites(void **state)
{
	static const uint64_t ips[] = { 0x4011, 0x5022, 0x6033 };
	struct qp_event *ev;

	(void)state;

	app_with_program(1700, 3, 0, 0x100, "net", 0);
	execobj_create(1700, 1700, AT(100), 0x17, 0x100, 3, 0, 1, 2);
	enq_entry(1700, 1700, AT(1000), 0, 0x9, 0x17, 0, 0x4011);
	enq_entry(1700, 1700, AT(2000), 1, 0x9, 0x17, 0, 0x4011);
	ev = push(QP_EV_API_CALLSTACK, 1700, 1700, 0, AT(2999), 0, 0);
	ev->u.callstack.depth = 3;
	ev->u.callstack.ips = ips;
	enq_entry(1700, 1700, AT(3000), 2, 0x9, 0x17, 0, 0x4011);
	enq_entry(1700, 1700, AT(4000), 3, 0x9, 0x17, 0, 0);
	run();
	assert_int_equal(model.ncallsites, 2);
	assert_int_equal(find(1700, 0)->callsite, 0);
	assert_int_equal(find(1700, 1)->callsite, 0);
	assert_int_equal(find(1700, 2)->callsite, 1);
	assert_int_equal(find(1700, 3)->callsite, QP_NONE);
	assert_int_equal(model.callsites[0].depth, 1);
	assert_int_equal(model.callsites[0].ips[0], 0x4011);
	assert_int_equal(model.callsites[1].depth, 3);
	assert_int_equal(model.callsites[1].ips[1], 0x5022);
	assert_int_equal(model.callsites[1].ips[2], 0x6033);
}

static void process_info(void **state)
{
	struct qp_event *ev;

	(void)state;
	ev = push(QP_EV_PROCESS_INFO, 1800, 1800, 0, AT(1), 0, 0);
	ev->u.process.runtime_path = "/opt/qti-aic/dev/lib/x86_64/libQAic.so";
	ev->u.process.rt_major = 1;
	ev->u.process.rt_minor = 20;
	ev->u.process.rt_patch = "4";
	ev->u.process.rt_variant = "sim";
	ev->u.process.shim_version = "0.1.0";
	ev->u.process.settings = "kmd_stats=auto";
	ev = push(QP_EV_PROCESS_INFO, 1900, 1900, 0, AT(2), 0, 0);
	ev->u.process.runtime_path = "";
	ev->u.process.rt_patch = "";
	ev->u.process.rt_variant = "";
	ev->u.process.shim_version = "0.1.0";
	ev->u.process.settings = "kernel_only=1";
	run();
	assert_int_equal(model.nprocesses, 2);
	assert_string_equal(model.processes[0].rt_version, "1.20.4-sim");
	assert_string_equal(model.processes[0].runtime_path,
			    "/opt/qti-aic/dev/lib/x86_64/libQAic.so");
	assert_string_equal(model.processes[0].settings, "kmd_stats=auto");
	assert_null(model.processes[1].rt_version);
	assert_int_equal(model.events, 2);
	assert_int_equal(model.first_ts, AT(1));
	assert_int_equal(model.last_ts, AT(2));
}

static void event_names(void **state)
{
	int k;

	(void)state;
	for (k = 0; k < QP_EV__COUNT; k++) {
		char name[64];

		if (k == QP_EV_DISCARDED)
			continue;
		snprintf(name, sizeof(name), "qprof:%s",
			 qp_ev_kind_name((enum qp_ev_kind)k));
		assert_int_equal(qp_ev_kind_from_name(name), k);
	}
	assert_int_equal(qp_ev_kind_from_name("qprof:api_enqueue_entry"),
			 QP_EV_API_ENQUEUE_ENTRY);
	assert_int_equal(qp_ev_kind_from_name("qprof:kmd_perf_stats"),
			 QP_EV_KMD_PERF_STATS);
	assert_int_equal(qp_ev_kind_from_name("lttng_ust_statedump:bin_info"),
			 QP_EV__COUNT);
	assert_int_equal(qp_ev_kind_from_name("other:api_enqueue_entry"),
			 QP_EV__COUNT);
	assert_int_equal(qp_ev_kind_from_name("qprof:discarded"), QP_EV__COUNT);
	assert_int_equal(qp_ev_kind_from_name("qprof:"), QP_EV__COUNT);
	assert_int_equal(qp_ev_kind_from_name(NULL), QP_EV__COUNT);
	assert_string_equal(qp_ev_kind_name(QP_EV__COUNT), "?");
}

/*
 * An LLM program's request (docs/MATCHING.md): 134 BOs, as an exported
 * efficient-transformers model binds them: input_ids, position_ids, 32
 * layers of past_key / past_value in (64), logits, 64 retained states
 * out, three more inputs.  LLM_WAIT: the last BO attached FROM_DEV.
 */
#define LLM_BOS 134
#define LLM_OUT0 66		/* logits */
#define LLM_WAIT 130		/* past_value.31_RetainedState */

static uint32_t llm_dir(uint32_t k)
{
	return k >= LLM_OUT0 && k <= LLM_WAIT ? OUT : IN;
}

/* Ring elements of BO k: a KV tensor of 2 MiB is one 4 MiB chunk ... */
static uint32_t llm_elems(uint32_t k)
{
	return k == LLM_OUT0 ? 2 : 1;	/* ... logits take two */
}

/* qaicCreateExecObj creating handles base .. base + 133 inside. */
static void llm_execobj(int pid, uint64_t at, uint64_t eo, uint64_t prog,
			int fd, uint32_t dbc, uint32_t base)
{
	struct qp_event *ev;
	uint32_t k;

	for (k = 0; k < LLM_BOS; k++)
		create_bo(pid, pid, at + US(1 + 3 * k), fd, base + k, dbc,
			  llm_dir(k));
	ev = push(QP_EV_API_EXECOBJ_CREATE, pid, pid, at, at + US(420), 0, 0);
	ev->u.execobj_create.execobj = eo;
	ev->u.execobj_create.program = prog;
}

/*
 * EXECUTE of the 134 BOs.  The entries' `dir` is what the runtime put
 * there, which the kernel ignores: here every entry says TO_DEV but the
 * last, which says FROM_DEV although its BO was attached TO_DEV.
 */
static void llm_execute(int pid, int tid, uint64_t b, uint64_t t, int fd,
			uint32_t dbc, uint32_t base)
{
	struct qp_event *ev = push(QP_EV_KMD_EXECUTE, pid, tid, b, t, 0, 0);
	uint32_t *h = u32s(LLM_BOS), *d = u32s(LLM_BOS);
	uint32_t k;

	for (k = 0; k < LLM_BOS; k++) {
		h[k] = base + k;
		d[k] = k == LLM_BOS - 1 ? OUT : IN;
	}
	ev->u.execute.fd = fd;
	ev->u.execute.dbc_id = dbc;
	ev->u.execute.count = LLM_BOS;
	ev->u.execute.handles = h;
	ev->u.execute.dirs = d;
}

/*
 * PERF_STATS_BO of the 134 BOs as the kernel answers: queue levels grow
 * by each BO's ring elements; every entry has the request's latencies
 * but the wait handle's, made different so that taking another shows.
 */
static void llm_perf(int pid, int tid, uint64_t t, int fd, uint32_t dbc,
		     uint32_t base, uint32_t qlb, uint32_t sub, uint32_t dev)
{
	struct qp_event *ev = push(QP_EV_KMD_PERF_STATS, pid, tid, t - US(1), t,
				   0, 0);
	uint32_t *h = u32s(LLM_BOS), *ql = u32s(LLM_BOS), *nq = u32s(LLM_BOS);
	uint32_t *sl = u32s(LLM_BOS), *dl = u32s(LLM_BOS);
	uint32_t k, level = qlb;

	for (k = 0; k < LLM_BOS; k++) {
		h[k] = base + k;
		ql[k] = level;
		nq[k] = llm_elems(k);
		level += nq[k];
		sl[k] = k == LLM_WAIT ? sub : sub + 1000;
		dl[k] = k == LLM_WAIT ? dev : dev + 1000;
	}
	ev->u.perf_stats.fd = fd;
	ev->u.perf_stats.dbc_id = dbc;
	ev->u.perf_stats.by_shim = 1;
	ev->u.perf_stats.count = LLM_BOS;
	ev->u.perf_stats.handles = h;
	ev->u.perf_stats.queue_level_before = ql;
	ev->u.perf_stats.num_queue_element = nq;
	ev->u.perf_stats.submit_latency_us = sl;
	ev->u.perf_stats.device_latency_us = dl;
}

/*
 * Two exec objects of 134 BOs each, three inferences, the second one's
 * EXECUTE before the first's: every request is assembled whole (BO
 * matching by any of its 134 handles, the wait handle found by its
 * ATTACH_SLICE direction, all 134 perf-stat entries summed).
 */
static void llm_134_bos(void **state)
{
	static const struct {
		uint64_t eo;
		uint32_t base;
		uint64_t enq, exb, we, done;
		uint32_t qlb, sub, dev;
	} r[3] = {
		{ 0xe1, 1000, 1000, 1040, 1900, 1950, 0, 5, 800 },
		{ 0xe2, 2000, 1010, 1020, 1700, 1720, 0, 6, 600 },
		{ 0xe1, 1000, 2000, 2010, 2900, 2910, 135, 7, 850 },
	};
	uint32_t total = 0, k;
	int i;

	(void)state;
	app_with_program(1800, 4, 2, 0x180, "llama", 0);
	llm_execobj(1800, AT(100), 0xe1, 0x180, 4, 2, 1000);
	llm_execobj(1800, AT(530), 0xe2, 0x180, 4, 2, 2000);
	for (i = 0; i < 3; i++) {
		int wt = 1801 + i;

		enq_entry(1800, 1800, AT(r[i].enq), (uint64_t)i, 0x9, r[i].eo,
			  0, 0);
		enq_exit(1800, 1800, AT(r[i].enq + 2), (uint64_t)i, 0);
		llm_execute(1800, wt, AT(r[i].exb), AT(r[i].exb + 4), 4, 2,
			    r[i].base);
		kwait(1800, wt, AT(r[i].exb + 5), AT(r[i].we), 4,
		      r[i].base + LLM_WAIT, 2, 0, 0);
		llm_perf(1800, wt, AT(r[i].we + 2), 4, 2, r[i].base, r[i].qlb,
			 r[i].sub, r[i].dev);
		eo_wait(1800, 1800, AT(r[i].enq + 3), AT(r[i].done), r[i].eo, 0);
	}
	run();
	for (k = 0; k < LLM_BOS; k++)
		total += llm_elems(k);
	assert_int_equal(total, 135);
	assert_int_equal(model.ninf, 3);
	assert_int_equal(model.state_count[QP_INF_OK], 3);
	assert_int_equal(model.matched[QP_MATCH_BO], 3);
	assert_int_equal(qp_assembler_stats(asmb)->orphan_waits, 0);
	assert_int_equal(qp_assembler_stats(asmb)->orphan_perf, 0);
	assert_int_equal(qp_assembler_stats(asmb)->orphan_executes, 0);
	for (i = 0; i < 3; i++) {
		const struct qp_inference *inf = find(1800, (uint32_t)i);

		assert_int_equal(inf->state, QP_INF_OK);
		assert_int_equal(inf->match, QP_MATCH_BO);
		assert_int_equal(qp_inf_time(inf, QP_T_EXEC_BEGIN), AT(r[i].exb));
		assert_int_equal(qp_inf_time(inf, QP_T_WAIT_END), AT(r[i].we));
		assert_int_equal(qp_inf_time(inf, QP_T_DONE), AT(r[i].done));
		assert_int_equal(inf->submit_tid, 1801 + i);
		assert_int_equal(inf->flags & (QP_F_HAS_PERF | QP_F_PERF_BY_SHIM),
				 QP_F_HAS_PERF | QP_F_PERF_BY_SHIM);
		assert_int_equal(inf->submit_latency_us, r[i].sub);
		assert_int_equal(inf->device_latency_us, r[i].dev);
		assert_int_equal(inf->queue_level_before, r[i].qlb);
		assert_int_equal(inf->total_queue_elements, total);
		/* numInfInQueue = 1 + queueDepth / total (docs/CONTRACTS.md §2.4) */
		assert_true(metric(inf, QP_M_NUM_INF_IN_QUEUE) ==
			    (r[i].qlb ? 2.0 : 1.0));
	}
}

/* ---- programs over several devices (devMapping) ------------------------- */

#define MD_DEVS 4

static void kmd_open(int pid, int tid, uint64_t t, int fd, const char *path)
{
	struct qp_event *ev = push(QP_EV_KMD_OPEN, pid, tid, 0, t, 0, 0);

	ev->u.kmd_open.fd = fd;
	ev->u.kmd_open.path = path;
}

/*
 * A program over devices accel0..accel<n-1> (fds 10 + d, DBC 5 + d on
 * each): the opens, then qaicLoadProgram activating one DBC per device.
 */
static void md_program(int pid, uint64_t prog, int n)
{
	static const char *const paths[MD_DEVS] = {
		"/dev/accel/accel0", "/dev/accel/accel1",
		"/dev/accel/accel2", "/dev/accel/accel3",
	};
	struct qp_event *ev;
	int d;

	for (d = 0; d < n; d++)
		kmd_open(pid, pid, AT(1 + d), 10 + d, paths[d]);
	program_create(pid, pid, AT(10), AT(15), prog, "llm");
	for (d = 0; d < n; d++)
		manage(pid, pid, AT(20 + 2 * d), AT(21 + 2 * d), 10 + d, 5 + d);
	ev = push(QP_EV_API_PROGRAM_LOAD, pid, pid, AT(18), AT(40), 0, 0);
	ev->u.obj.obj = prog;
}

/* qaicCreateExecObj: BOs 1 (in) and 2 (out) on every device's fd. */
static void md_execobj(int pid, uint64_t at, uint64_t eo, uint64_t prog,
		       int n)
{
	struct qp_event *ev;
	int d;

	for (d = 0; d < n; d++) {
		create_bo(pid, pid, at + US(1 + 6 * d), 10 + d, 1,
			  (uint32_t)(5 + d), IN);
		create_bo(pid, pid, at + US(4 + 6 * d), 10 + d, 2,
			  (uint32_t)(5 + d), OUT);
	}
	ev = push(QP_EV_API_EXECOBJ_CREATE, pid, pid, at, at + US(50), 0, 0);
	ev->u.execobj_create.execobj = eo;
	ev->u.execobj_create.program = prog;
}

/*
 * One inference over n devices as a worker (wt) runs it: EXECUTE on each
 * device in turn (3 µs each, from exb), WAIT on each in turn, then each
 * device's perf stats (sub[d], dev[d]); completion at done.  we[d]: the
 * WAIT returns.
 */
struct md_spec {
	int pid, wt, n;
	uint64_t seq, eo, enq, exb, done;
	uint64_t we[MD_DEVS];
	uint32_t sub[MD_DEVS], dev[MD_DEVS];
};

static void md_inference(const struct md_spec *s)
{
	int d;

	enq_entry(s->pid, s->pid, AT(s->enq), s->seq, 0x9, s->eo, 0, 0);
	enq_exit(s->pid, s->pid, AT(s->enq + 2), s->seq, 0);
	for (d = 0; d < s->n; d++)
		execute(s->pid, s->wt, AT(s->exb + 3 * (uint64_t)d),
			AT(s->exb + 3 * (uint64_t)d + 2), 10 + d,
			(uint32_t)(5 + d), 1, 2, 0, 0);
	for (d = 0; d < s->n; d++) {
		uint64_t wb = d ? s->we[d - 1] + 1 : s->exb + 3 * (uint64_t)s->n;

		kwait(s->pid, s->wt, AT(wb), AT(s->we[d]), 10 + d, 2,
		      (uint32_t)(5 + d), 0, 0);
	}
	for (d = 0; d < s->n; d++)
		perf(s->pid, s->wt, AT(s->we[s->n - 1] + 2 + (uint64_t)d),
		     10 + d, (uint32_t)(5 + d), 1, 2, (uint32_t)d, s->sub[d],
		     s->dev[d], 1);
	eo_wait(s->pid, s->pid, AT(s->enq + 3), AT(s->done), s->eo, 0);
}

/* The device (index into model.devices) of a span, by name. */
static const char *span_dev(const struct qp_dev_span *sp)
{
	static char buf[32];

	return qp_device_name(&model, sp->device, buf, sizeof(buf));
}

/*
 * devMapping 0:1:2:3: each enqueue is one EXECUTE and one WAIT per device,
 * the same handles on every device's fd.  One inference each, completed
 * when its last device is, with four spans; the kernel figures are the
 * straggler's: the device with the largest exectoVc + execToComplete
 * (the third inference's devices 1 and 3 tie, and the first submitted
 * wins).
 */
static void multi_device_spans(void **state)
{
	struct md_spec s[3] = {
		{ .pid = 2000, .wt = 2001, .n = 4, .seq = 0, .eo = 0xd0,
		  .enq = 1000, .exb = 1010, .done = 1900,
		  .we = { 1500, 1700, 1701, 1702 },
		  .sub = { 3, 4, 5, 6 }, .dev = { 470, 480, 660, 650 } },
		{ .pid = 2000, .wt = 2001, .n = 4, .seq = 1, .eo = 0xd0,
		  .enq = 2000, .exb = 2010, .done = 2950,
		  .we = { 2500, 2501, 2502, 2900 },
		  .sub = { 3, 3, 3, 3 }, .dev = { 470, 471, 472, 870 } },
		{ .pid = 2000, .wt = 2001, .n = 4, .seq = 2, .eo = 0xd0,
		  .enq = 3000, .exb = 3010, .done = 3600,
		  .we = { 3500, 3501, 3502, 3503 },
		  .sub = { 3, 5, 3, 4 }, .dev = { 470, 480, 470, 481 } },
	};
	static const int strag[3] = { 2, 3, 1 };
	size_t k, n;
	int i, d;

	(void)state;
	md_program(2000, 0x200, MD_DEVS);
	md_execobj(2000, AT(100), 0xd0, 0x200, MD_DEVS);
	for (i = 0; i < 3; i++)
		md_inference(&s[i]);
	run();
	assert_int_equal(model.ninf, 3);
	assert_int_equal(model.state_count[QP_INF_OK], 3);
	assert_int_equal(model.matched[QP_MATCH_BO], 3);
	assert_int_equal(model.multi_device, 3);
	assert_int_equal(model.nspans, 12);
	assert_int_equal(qp_assembler_stats(asmb)->orphan_executes, 0);
	assert_int_equal(qp_assembler_stats(asmb)->orphan_waits, 0);
	assert_int_equal(qp_assembler_stats(asmb)->orphan_perf, 0);
	for (i = 0; i < 3; i++) {
		const struct qp_inference *inf = find(2000, (uint32_t)i);
		const struct qp_dev_span *sp;
		int g = strag[i];

		k = (size_t)(inf - model.inf);
		sp = qp_model_spans(&model, k, &n);
		assert_int_equal(n, MD_DEVS);
		assert_ptr_equal(qp_model_straggler(&model, k), &sp[g]);
		for (d = 0; d < MD_DEVS; d++) {
			char want[32];

			snprintf(want, sizeof(want), "accel%d", d);
			assert_int_equal(sp[d].inf, k);
			assert_int_equal(sp[d].order, d);
			assert_string_equal(span_dev(&sp[d]), want);
			assert_int_equal(sp[d].dbc_id, 5 + d);
			assert_int_equal(sp[d].exec_begin,
					 US(s[i].exb + 3 * (uint64_t)d - s[i].enq));
			assert_int_equal(sp[d].exec_end,
					 US(s[i].exb + 3 * (uint64_t)d + 2 - s[i].enq));
			assert_int_equal(sp[d].wait_end, US(s[i].we[d] - s[i].enq));
			assert_int_equal(sp[d].submit_latency_us, s[i].sub[d]);
			assert_int_equal(sp[d].device_latency_us, s[i].dev[d]);
			assert_int_equal(sp[d].queue_level_before, (uint32_t)d);
			assert_int_equal(sp[d].flags, QP_SPAN_HAS_PERF |
					 (d == g ? QP_SPAN_STRAGGLER : 0));
		}
		/* the record: first EXECUTE entry, last EXECUTE return, last
		 * WAIT return; the straggler's kernel figures */
		assert_int_equal(inf->state, QP_INF_OK);
		assert_int_equal(qp_inf_time(inf, QP_T_EXEC_BEGIN), AT(s[i].exb));
		assert_int_equal(qp_inf_time(inf, QP_T_EXEC_END),
				 AT(s[i].exb + 3 * (MD_DEVS - 1) + 2));
		assert_int_equal(qp_inf_time(inf, QP_T_WAIT_BEGIN),
				 AT(s[i].exb + 3 * MD_DEVS));
		assert_int_equal(qp_inf_time(inf, QP_T_WAIT_END),
				 AT(s[i].we[MD_DEVS - 1]));
		assert_int_equal(qp_inf_time(inf, QP_T_DONE), AT(s[i].done));
		assert_int_equal(inf->dbc_id, 5);
		assert_int_equal(inf->submit_tid, 2001);
		assert_int_equal(inf->submit_latency_us, s[i].sub[g]);
		assert_int_equal(inf->device_latency_us, s[i].dev[g]);
		assert_int_equal(inf->queue_level_before, (uint32_t)g);
		assert_true(metric(inf, QP_M_EXEC_TOTAL) ==
			    (double)(s[i].we[MD_DEVS - 1] - s[i].exb));
		assert_true(metric(inf, QP_M_HOST_ROUND_TRIP) ==
			    s[i].sub[g] + s[i].dev[g]);
	}
	check_tiling();
	/*
	 * A runtime dump whose row names device 0 of the first inference
	 * (dumpmerge.c): that span is found by its integers and becomes the
	 * straggler, the record's kernel figures its own.
	 */
	k = (size_t)(find(2000, 0) - model.inf);
	assert_null(qp_model_span_with(&model, k, 3, 471));
	{
		const struct qp_dev_span *sp = qp_model_span_with(&model, k, 3, 470);

		assert_non_null(sp);
		assert_int_equal(sp->order, 0);
		qp_model_set_straggler(&model, k, sp);
		assert_ptr_equal(qp_model_straggler(&model, k), sp);
		assert_int_equal(model.inf[k].device_latency_us, 470);
		assert_int_equal(model.inf[k].submit_latency_us, 3);
		assert_int_equal(model.inf[k].queue_level_before, 0);
		assert_int_equal(model.inf[k].total_queue_elements, 5);
		sp = qp_model_spans(&model, k, &n);
		for (d = 1; d < MD_DEVS; d++)
			assert_false(sp[d].flags & QP_SPAN_STRAGGLER);
	}
}

/*
 * Two exec objects over two devices, two workers whose EXECUTEs and WAITs
 * interleave (B's device 0 before A's device 1): each device's part goes
 * to its own inference; spans are sorted by inference even though B's
 * were made first.
 */
static void multi_device_interleaved(void **state)
{
	const struct qp_inference *a, *b;
	const struct qp_dev_span *sp;
	size_t n;

	(void)state;
	md_program(2100, 0x210, 2);
	md_execobj(2100, AT(100), 0xa1, 0x210, 2);
	create_bo(2100, 2100, AT(201), 10, 3, 5, IN);
	create_bo(2100, 2100, AT(204), 10, 4, 5, OUT);
	create_bo(2100, 2100, AT(207), 11, 3, 6, IN);
	create_bo(2100, 2100, AT(210), 11, 4, 6, OUT);
	push(QP_EV_API_EXECOBJ_CREATE, 2100, 2100, AT(200), AT(250), 0, 0)
		->u.execobj_create.execobj = 0xb1;
	enq_entry(2100, 2100, AT(1000), 0, 0x9, 0xa1, 0, 0);
	enq_exit(2100, 2100, AT(1002), 0, 0);
	enq_entry(2100, 2100, AT(1003), 1, 0x9, 0xb1, 0, 0);
	enq_exit(2100, 2100, AT(1005), 1, 0);
	/* B (handles 3, 4) on device 0 first, then A on both, then B on 1 */
	execute(2100, 2102, AT(1010), AT(1012), 10, 5, 3, 4, 0, 0);
	execute(2100, 2101, AT(1011), AT(1014), 10, 5, 1, 2, 0, 0);
	execute(2100, 2101, AT(1015), AT(1017), 11, 6, 1, 2, 0, 0);
	execute(2100, 2102, AT(1016), AT(1019), 11, 6, 3, 4, 0, 0);
	kwait(2100, 2102, AT(1020), AT(1400), 10, 4, 5, 0, 0);
	kwait(2100, 2101, AT(1018), AT(1500), 10, 2, 5, 0, 0);
	kwait(2100, 2102, AT(1401), AT(1600), 11, 4, 6, 0, 0);
	kwait(2100, 2101, AT(1501), AT(1502), 11, 2, 6, 0, 0);
	eo_wait(2100, 2100, AT(1006), AT(1510), 0xa1, 0);
	eo_wait(2100, 2100, AT(1511), AT(1610), 0xb1, 0);
	run();
	assert_int_equal(model.state_count[QP_INF_OK], 2);
	assert_int_equal(model.matched[QP_MATCH_BO], 2);
	assert_int_equal(model.multi_device, 2);
	a = find(2100, 0);
	b = find(2100, 1);
	assert_int_equal(qp_inf_time(a, QP_T_EXEC_BEGIN), AT(1011));
	assert_int_equal(qp_inf_time(a, QP_T_EXEC_END), AT(1017));
	assert_int_equal(qp_inf_time(a, QP_T_WAIT_END), AT(1502));
	assert_int_equal(qp_inf_time(b, QP_T_EXEC_BEGIN), AT(1010));
	assert_int_equal(qp_inf_time(b, QP_T_EXEC_END), AT(1019));
	assert_int_equal(qp_inf_time(b, QP_T_WAIT_END), AT(1600));
	assert_int_equal(a->submit_tid, 2101);
	assert_int_equal(b->submit_tid, 2102);
	sp = qp_model_spans(&model, (size_t)(a - model.inf), &n);
	assert_int_equal(n, 2);
	assert_int_equal(sp[0].wait_end, US(1500 - 1000));
	assert_int_equal(sp[1].wait_end, US(1502 - 1000));
	/* no perf stats: the straggler is the device whose WAIT returned last */
	assert_int_equal(sp[1].flags, QP_SPAN_STRAGGLER);
	sp = qp_model_spans(&model, (size_t)(b - model.inf), &n);
	assert_int_equal(n, 2);
	assert_string_equal(span_dev(&sp[0]), "accel0");
	assert_string_equal(span_dev(&sp[1]), "accel1");
	assert_int_equal(sp[0].exec_begin, US(1010 - 1003));
	assert_int_equal(sp[1].wait_end, US(1600 - 1003));
}

/*
 * Exec objects created before tracing started (no BO tied): the FIFO
 * fallback gives the second device's EXECUTE to the inference already
 * submitted on the first device, not to the next one.
 */
static void multi_device_fifo(void **state)
{
	int i;

	(void)state;
	md_program(2200, 0x220, 2);
	for (i = 0; i < 2; i++) {
		uint64_t t = 1000 + 1000 * (uint64_t)i;

		enq_entry(2200, 2200, AT(t), (uint64_t)i, 0x9, 0xe0, 0, 0);
		enq_exit(2200, 2200, AT(t + 2), (uint64_t)i, 0);
	}
	for (i = 0; i < 2; i++) {
		uint64_t t = 1010 + 1000 * (uint64_t)i;

		execute(2200, 2201, AT(t), AT(t + 2), 10, 5, 1, 2, 0, 0);
		execute(2200, 2201, AT(t + 3), AT(t + 5), 11, 6, 1, 2, 0, 0);
		kwait(2200, 2201, AT(t + 6), AT(t + 500), 10, 2, 5, 0, 0);
		kwait(2200, 2201, AT(t + 501), AT(t + 600), 11, 2, 6, 0, 0);
		eo_wait(2200, 2200, AT(t - 7), AT(t + 610), 0xe0, 0);
	}
	run();
	assert_int_equal(model.state_count[QP_INF_OK], 2);
	assert_int_equal(model.matched[QP_MATCH_FIFO], 2);
	assert_int_equal(model.multi_device, 2);
	for (i = 0; i < 2; i++) {
		const struct qp_inference *inf = find(2200, (uint32_t)i);
		uint64_t t = 1010 + 1000 * (uint64_t)i;

		assert_int_equal(qp_inf_time(inf, QP_T_EXEC_BEGIN), AT(t));
		assert_int_equal(qp_inf_time(inf, QP_T_WAIT_END), AT(t + 600));
	}
	assert_int_equal(qp_assembler_stats(asmb)->orphan_executes, 0);
}

/* ---- failures by cause, interrupted calls, subsystem restart ------------- */

/*
 * WAIT_BO interrupted by a signal (EINTR) and EXECUTE_BO interrupted
 * before queuing: both retried by the runtime, not failures.
 */
static void interrupted_calls(void **state)
{
	const struct qp_inference *inf;

	(void)state;
	app_with_program(2300, 3, 0, 0x100, "net", 0);
	execobj_create(2300, 2300, AT(100), 0x23, 0x100, 3, 0, 1, 2);
	enq_entry(2300, 2300, AT(1000), 0, 0x9, 0x23, 0, 0);
	enq_exit(2300, 2300, AT(1003), 0, 0);
	execute(2300, 2301, AT(1010), AT(1011), 3, 0, 1, 2, -1, EINTR);
	execute(2300, 2301, AT(1012), AT(1015), 3, 0, 1, 2, 0, 0);
	kwait(2300, 2301, AT(1016), AT(1200), 3, 2, 0, -1, EINTR);
	kwait(2300, 2301, AT(1201), AT(1500), 3, 2, 0, 0, 0);
	perf(2300, 2301, AT(1502), 3, 0, 1, 2, 0, 3, 480, 1);
	eo_wait(2300, 2300, AT(1004), AT(1510), 0x23, 0);
	run();
	inf = find(2300, 0);
	assert_int_equal(inf->state, QP_INF_OK);
	assert_int_equal(inf->exec_retries, 0);
	assert_int_equal(qp_inf_time(inf, QP_T_EXEC_BEGIN), AT(1012));
	assert_int_equal(qp_inf_time(inf, QP_T_WAIT_BEGIN), AT(1016));
	assert_int_equal(qp_inf_time(inf, QP_T_WAIT_END), AT(1500));
	assert_int_equal(model.wait_interrupted, 1);
	assert_int_equal(model.exec_interrupted, 1);
	assert_int_equal(model.state_count[QP_INF_FAILED], 0);
	check_tiling();
}

/*
 * A subsystem restart of the device: the inference in flight fails with
 * EPERM (its DBC released), the next one's EXECUTE with EPIPE; the
 * runtime re-activates the DBC on a thread of its own, outside any API
 * call, and re-attaches the BOs; the runtime re-submits the first
 * inference's BOs once (its retry after the failure) before the
 * application enqueues again.  Failures by cause, one restart costing
 * two inferences, and no EXECUTE of the new activation paired with an
 * inference of the old one.  Then a device gone (ENODEV) on another
 * exec object.
 */
static void subsystem_restart(void **state)
{
	struct inf_spec ok = {
		.pid = 2400, .app_tid = 2400, .wtid = 2401, .fd = 3, .seq = 2,
		.queue = 0x9, .eo = 0x24, .dbc = 0, .hin = 1, .hout = 2,
		.enq = 5000, .enq_end = 5003, .exb = 5010, .exe = 5014,
		.wb = 5015, .we = 5500, .done = 5510, .style = QP_DONE_WAIT,
		.sub = 3, .dev = 480,
	};
	const struct qp_inference *inf;

	(void)state;
	app_with_program(2400, 3, 0, 0x100, "net", 0);
	execobj_create(2400, 2400, AT(100), 0x24, 0x100, 3, 0, 1, 2);
	execobj_create(2400, 2400, AT(200), 0x25, 0x100, 3, 0, 7, 8);
	/* seq 0: in flight when the DBC is released */
	enq_entry(2400, 2400, AT(1000), 0, 0x9, 0x24, 0, 0);
	enq_exit(2400, 2400, AT(1003), 0, 0);
	execute(2400, 2401, AT(1010), AT(1012), 3, 0, 1, 2, 0, 0);
	kwait(2400, 2401, AT(1013), AT(1300), 3, 2, 0, -1, EPERM);
	perf(2400, 2401, AT(1302), 3, 0, 1, 2, 0, 0, 0, 1);	/* zeroed */
	eo_wait(2400, 2400, AT(1004), AT(1310), 0x24, 1);
	/* seq 1: EXECUTE refused while the subsystem restarts */
	enq_entry(2400, 2400, AT(2000), 1, 0x9, 0x25, 0, 0);
	enq_exit(2400, 2400, AT(2003), 1, 0);
	execute(2400, 2401, AT(2010), AT(2011), 3, 0, 7, 8, -1, EPIPE);
	eo_wait(2400, 2400, AT(2004), AT(2020), 0x25, 1);
	/* re-activation and re-attach on a runtime thread (no API call) */
	manage(2400, 2409, AT(3000), AT(3100), 3, 0);
	create_bo(2400, 2409, AT(3101), 3, 1, 0, IN);
	create_bo(2400, 2409, AT(3104), 3, 2, 0, OUT);
	/* the runtime re-submits seq 0's BOs: no inference of the new
	 * activation is waiting for them */
	execute(2400, 2401, AT(3200), AT(3202), 3, 0, 1, 2, 0, 0);
	kwait(2400, 2401, AT(3203), AT(3400), 3, 2, 0, 0, 0);
	/* seq 2 on the new activation */
	inference(&ok);
	/* seq 3: the device is gone */
	enq_entry(2400, 2400, AT(6000), 3, 0x9, 0x25, 0, 0);
	enq_exit(2400, 2400, AT(6003), 3, 0);
	execute(2400, 2401, AT(6010), AT(6012), 3, 0, 7, 8, 0, 0);
	kwait(2400, 2401, AT(6013), AT(6100), 3, 8, 0, -1, ENODEV);
	eo_wait(2400, 2400, AT(6004), AT(6110), 0x25, 1);
	run();
	inf = find(2400, 0);
	assert_int_equal(inf->state, QP_INF_FAILED);
	assert_int_equal(inf->failed_status, -EPERM);
	assert_int_equal(qp_fail_cause_of(inf), QP_FAIL_DBC_RELEASED);
	inf = find(2400, 1);
	assert_int_equal(inf->state, QP_INF_FAILED);
	assert_int_equal(qp_fail_cause_of(inf), QP_FAIL_RESTART);
	inf = find(2400, 3);
	assert_int_equal(qp_fail_cause_of(inf), QP_FAIL_DEVICE_GONE);
	check_spec(&ok, QP_MATCH_BO);
	assert_int_equal(model.ninf, 4);
	assert_int_equal(model.state_count[QP_INF_OK], 1);
	assert_int_equal(model.state_count[QP_INF_FAILED], 3);
	assert_int_equal(model.failed_cause[QP_FAIL_DBC_RELEASED], 1);
	assert_int_equal(model.failed_cause[QP_FAIL_RESTART], 1);
	assert_int_equal(model.failed_cause[QP_FAIL_DEVICE_GONE], 1);
	assert_int_equal(model.failed_cause[QP_FAIL_API], 0);
	assert_int_equal(model.restarts, 1);
	assert_int_equal(model.restart_failed, 2);
	/* the re-submission of seq 0's BOs was paired with nothing */
	assert_int_equal(qp_assembler_stats(asmb)->orphan_executes, 1);
	assert_int_equal(qp_assembler_stats(asmb)->orphan_waits, 1);
}

/*
 * A DBC released while an inference is queued, without a restart (the
 * program deactivated): EPERM, counted as such, no restart.
 */
static void dbc_released_no_restart(void **state)
{
	const struct qp_inference *inf;

	(void)state;
	app_with_program(2500, 3, 0, 0x100, "net", 0);
	execobj_create(2500, 2500, AT(100), 0x26, 0x100, 3, 0, 1, 2);
	enq_entry(2500, 2500, AT(1000), 0, 0x9, 0x26, 0, 0);
	enq_exit(2500, 2500, AT(1003), 0, 0);
	execute(2500, 2501, AT(1010), AT(1012), 3, 0, 1, 2, 0, 0);
	kwait(2500, 2501, AT(1013), AT(1300), 3, 2, 0, -1, EPERM);
	eo_wait(2500, 2500, AT(1004), AT(1310), 0x26, 1);
	run();
	inf = find(2500, 0);
	assert_int_equal(qp_fail_cause_of(inf), QP_FAIL_DBC_RELEASED);
	assert_int_equal(model.failed_cause[QP_FAIL_DBC_RELEASED], 1);
	assert_int_equal(model.restarts, 0);
	assert_int_equal(model.restart_failed, 0);
}

/*
 * A program group: two programs added from QPC files (named after them),
 * loaded and activated inside qaicProgramGroupEnable (one DBC each, in
 * add order), exec objects created after it and enqueued on the group's
 * queue.  Exec objects created before tracing (no BO tied) still find
 * their program through the DBC the group activated.
 */
static void program_group(void **state)
{
	struct qp_event *ev;
	const struct qp_inference *inf;
	int k;

	(void)state;
	ev = push(QP_EV_API_QPC_OPEN, 2600, 2600, AT(1), AT(2), 0, 0);
	ev->u.qpc_open.qpc = 0x51;
	ev->u.qpc_open.path = "/m/resnet50/programqpc.bin";
	ev = push(QP_EV_API_QPC_OPEN, 2600, 2600, AT(3), AT(4), 0, 0);
	ev->u.qpc_open.qpc = 0x52;
	ev->u.qpc_open.path = "/m/bert.desc";
	ev = push(QP_EV_API_PROGRAM_GROUP_CREATE, 2600, 2600, AT(5), AT(6), 0, 0);
	ev->u.program_group_create.group = 0x60;
	ev->u.program_group_create.queue = 0x61;
	ev->u.program_group_create.name = "grp";
	for (k = 0; k < 2; k++) {
		ev = push(QP_EV_API_PROGRAM_GROUP_ADD, 2600, 2600,
			  AT(10 + 5 * (uint64_t)k), AT(12 + 5 * (uint64_t)k), 0, 0);
		ev->u.program_group_add.group = 0x60;
		ev->u.program_group_add.qpc = 0x51 + (uint64_t)k;
		ev->u.program_group_add.program = 0x70 + (uint64_t)k;
	}
	manage(2600, 2600, AT(31), AT(33), 3, 4);
	manage(2600, 2600, AT(35), AT(37), 3, 7);
	ev = push(QP_EV_API_PROGRAM_GROUP_ENABLE, 2600, 2600, AT(30), AT(40), 0, 0);
	ev->u.obj.obj = 0x60;
	execobj_create(2600, 2600, AT(100), 0x80, 0x70, 3, 4, 1, 2);
	for (k = 0; k < 2; k++) {
		uint64_t t = 1000 + 1000 * (uint64_t)k;

		enq_entry(2600, 2600, AT(t), (uint64_t)k, 0x61,
			  k ? 0x90 : 0x80, 0, 0);
		enq_exit(2600, 2600, AT(t + 2), (uint64_t)k, 0);
		/* the second exec object was created before tracing */
		execute(2600, 2601, AT(t + 10), AT(t + 12), 3, k ? 7 : 4,
			k ? 11 : 1, k ? 12 : 2, 0, 0);
		kwait(2600, 2601, AT(t + 13), AT(t + 400), 3, k ? 12 : 2,
		      k ? 7 : 4, 0, 0);
		eo_wait(2600, 2600, AT(t + 3), AT(t + 410), k ? 0x90 : 0x80, 0);
	}
	run();
	assert_int_equal(model.nprograms, 2);
	assert_string_equal(model.programs[0].name, "resnet50");
	assert_string_equal(model.programs[1].name, "bert");
	assert_true(model.programs[0].name_from_qpc);
	assert_int_equal(model.programs[0].dbc_id, 4);
	assert_int_equal(model.programs[1].dbc_id, 7);
	assert_int_equal(model.state_count[QP_INF_OK], 2);
	inf = find(2600, 0);
	assert_int_equal(inf->program, 0);
	assert_int_equal(inf->match, QP_MATCH_BO);
	assert_int_equal(model.queues[inf->queue].handle, 0x61);
	inf = find(2600, 1);
	assert_int_equal(inf->program, 1);
	assert_int_equal(inf->match, QP_MATCH_FIFO);
}

/*
 * When a device completed, as the trace bounds it: received_ts inside the
 * EXECUTE ioctl, + exectoVc + execToComplete (each up to 1 µs more, being
 * truncated), not after the WAIT's return.
 */
static void kernel_done_bounds(void **state)
{
	uint64_t lo, hi, mid;

	(void)state;
	mid = qp_kernel_done_bounds(US(100), US(110), 0, 5, 400, &lo, &hi);
	assert_int_equal(lo, US(505));
	assert_int_equal(hi, US(517));
	assert_int_equal(mid, US(511));
	/* the WAIT returned at 512 µs: the completion was not later */
	qp_kernel_done_bounds(US(100), US(110), US(512), 5, 400, &lo, &hi);
	assert_int_equal(hi, US(512));
	/* a WAIT return before the lower bound (clock skew): empty interval */
	mid = qp_kernel_done_bounds(US(100), US(110), US(300), 5, 400, &lo, &hi);
	assert_int_equal(hi, lo);
	assert_int_equal(mid, US(505));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(bo_matching_several_execobjs),
		T(two_programs_two_queues),
		T(multi_thread_interleaving),
		T(execute_before_enqueue_exit),
		T(completion_styles),
		T(first_of_does_not_spill),
		T(fifo_fallback),
		T(fifo_program_from_dbc),
		T(kernel_only),
		T(eagain_retries),
		T(wait_timeout_retry),
		T(failed_status),
		T(lost_events),
		T(process_exit_in_flight),
		T(handle_reuse_after_gem_close),
		T(two_processes_equal_handles),
		T(perf_stats_first_wins),
		T(perf_stats_partial_query),
		T(unmatched_inference),
		T(callsites),
		T(process_info),
		T(event_names),
		T(llm_134_bos),
		T(multi_device_spans),
		T(multi_device_interleaved),
		T(multi_device_fifo),
		T(interrupted_calls),
		T(subsystem_restart),
		T(dbc_released_no_restart),
		T(program_group),
		T(kernel_done_bounds),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
