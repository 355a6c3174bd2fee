// SPDX-License-Identifier: MIT
/*
 * The waiting/working split (metrics.c: qp_part_split, qp_model_link) and
 * the findings (findings.c) on hand-built inference sets, against values
 * computed by hand in the comments.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "devdump.h"
#include "findings.h"
#include "model.h"

#define T0 1000000000ull	/* first enqueue, ns */

/* One inference, times in µs after T0; < 0: not seen. */
struct hb {
	double t0, enq_end, exec_begin, exec_end, wait_end, done;
	double vc, devlat;		/* kernel perf stats; vc < 0: none */
	double devexec;			/* dump's devExecUs; < 0: none */
	double rt_pre, rt_sub;		/* dump's preProc/submitTime; < 0: none */
	int32_t enq_tid, submit_tid;
	uint16_t program;
	uint32_t qlevel, qelems;
};

static void set_us(struct qp_inference *i, enum qp_time t, double us)
{
	if (us >= 0)
		qp_inf_set_time(i, t, T0 + (uint64_t)llround(us * 1000));
}

/* A model of one process (pid 7) with nprog programs, batch 8. */
static void build(struct qp_model *m, const struct hb *v, size_t n,
		  size_t nprog)
{
	size_t k;

	qp_model_init(m);
	m->processes = calloc(1, sizeof(*m->processes));
	m->processes[0].pid = 7;
	m->nprocesses = 1;
	m->programs = calloc(nprog, sizeof(*m->programs));
	for (k = 0; k < nprog; k++) {
		m->programs[k].name = strdup("net");
		m->programs[k].batch = 8;
		m->programs[k].dbc_id = (uint32_t)k;
	}
	m->nprograms = nprog;
	m->dev = calloc(n, sizeof(*m->dev));
	for (k = 0; k < n; k++) {
		struct qp_inference *i = qp_model_add_inference(m);

		i->t0 = T0 + (uint64_t)llround(v[k].t0 * 1000);
		i->flags = QP_F_HAS_ENQ;
		i->seq = (uint32_t)k;
		i->process = 0;
		i->program = v[k].program;
		i->dbc_id = v[k].program;
		i->enq_tid = v[k].enq_tid ? v[k].enq_tid : 100;
		i->done_tid = i->enq_tid;
		i->submit_tid = v[k].submit_tid ? v[k].submit_tid : 200;
		i->done_kind = QP_DONE_WAIT;
		i->match = QP_MATCH_BO;
		set_us(i, QP_T_ENQ_END, v[k].enq_end);
		set_us(i, QP_T_EXEC_BEGIN, v[k].exec_begin);
		set_us(i, QP_T_EXEC_END, v[k].exec_end);
		set_us(i, QP_T_WAIT_BEGIN, v[k].exec_end);
		set_us(i, QP_T_WAIT_END, v[k].wait_end);
		set_us(i, QP_T_DONE, v[k].done);
		if (v[k].vc >= 0) {
			i->flags |= QP_F_HAS_PERF;
			i->submit_latency_us = (uint32_t)v[k].vc;
			i->device_latency_us = (uint32_t)v[k].devlat;
			i->queue_level_before = v[k].qlevel;
			i->total_queue_elements = v[k].qelems ? v[k].qelems : 3;
		}
		if (v[k].devexec >= 0) {
			m->dev[k].exec_us = v[k].devexec;
			i->flags |= QP_F_HAS_DEV;
		}
		if (v[k].rt_pre >= 0) {
			m->dev[k].rt_pre_us = v[k].rt_pre;
			m->dev[k].rt_submit_us = v[k].rt_sub;
			i->flags |= QP_F_HAS_RT;
		}
	}
	assert_int_equal(qp_model_link(m), 0);
}

static void assert_parts(const struct qp_model *m, size_t k,
			 const double want[QP_PART__COUNT])
{
	double us[QP_PART__COUNT];
	int j;

	assert_true(qp_part_split(m, &m->inf[k], us, NULL));
	for (j = 0; j < QP_PART__COUNT; j++) {
		if (fabs(us[j] - want[j]) > 1e-6)
			fail_msg("inference %zu: %s = %.4f, want %.4f", k,
				 qp_part_name(j), us[j], want[j]);
	}
}

/* A model of fixture @v (@n inferences, one program): inference which[k]
 * split as want[k], for k < @nw. */
static void assert_fixture(const struct hb *v, size_t n, const size_t *which,
			   const double (*want)[QP_PART__COUNT], size_t nw)
{
	struct qp_model m;
	size_t k;

	build(&m, v, n, 1);
	for (k = 0; k < nw; k++)
		assert_parts(&m, which[k], want[k]);
	qp_model_free(&m);
}

/*
 * One inference: enqueue 0..10, EXECUTE 100..140, WAIT returns 1200,
 * completion seen 1300; perf stats exectoVc 5, execToComplete 1000.
 * Doorbell: between 100 + 5 = 105 and min(140, 1200 - 1000) = 140: 122.5.
 * Without a dump: device from the doorbell to 122.5 + 1000 = 1122.5, the
 * worker counts as starting at the enqueue return.
 */
static void test_split_no_dump(void **state)
{
	static const struct hb v[] = {
		{ 0, 10, 100, 140, 1200, 1300, 5, 1000, -1, -1, -1, 0, 0, 0, 0, 0 },
	};
	static const double want[QP_PART__COUNT] = {
		10, 0, 90, 22.5, 0, 1000, 177.5,
	};
	struct qp_model m;
	unsigned how = 0;
	double us[QP_PART__COUNT];

	(void)state;
	build(&m, v, 1, 1);
	assert_parts(&m, 0, want);
	assert_true(qp_part_split(&m, &m.inf[0], us, &how));
	assert_int_equal(how, QP_SPLIT_KERNEL);
	qp_model_free(&m);
}

/*
 * The same inference with the runtime's dump: preProc 60 + submit 10 us
 * of work before the EXECUTE at 100, so the worker started at 30 (waited
 * 20 after the return at 10); devExec 900 from the doorbell at 122.5 to
 * 1022.5, completion 277.5.
 */
static void test_split_dump(void **state)
{
	static const struct hb v[] = {
		{ 0, 10, 100, 140, 1200, 1300, 5, 1000, 900, 60, 10, 0, 0, 0, 0, 0 },
	};
	static const double want[QP_PART__COUNT] = {
		10, 20, 70, 22.5, 0, 900, 277.5,
	};
	struct qp_model m;
	double us[QP_PART__COUNT];
	unsigned how = 0;

	(void)state;
	build(&m, v, 1, 1);
	assert_parts(&m, 0, want);
	assert_true(qp_part_split(&m, &m.inf[0], us, &how));
	assert_int_equal(how, QP_SPLIT_KERNEL | QP_SPLIT_DEV_MEASURED |
			 QP_SPLIT_RT_MEASURED);
	/* the doorbell within [105, 140]: +-17.5 µs */
	assert_true(qp_doorbell_uncertainty(&m, &m.inf[0], &us[0]));
	assert_float_equal(us[0], 17.5, 1e-9);
	qp_model_free(&m);
}

/*
 * Without perf stats the doorbell is the middle of the ioctl (120) and
 * the device is done at the WAIT return (1200).  A worker that submitted
 * before the enqueue returned: the boundary is the EXECUTE entry (100),
 * nothing is runtime wait or work.
 */
static void test_split_edges(void **state)
{
	static const struct hb v[] = {
		{ 0, 10, 100, 140, 1200, 1300, -1, 0, -1, -1, -1, 0, 0, 0, 0, 0 },
		{ 2000, 2150, 2100, 2140, 2400, 2500, 5, 200, -1, -1, -1, 0, 0, 0, 0, 0 },
		/* no WAIT return: no split */
		{ 3000, 3010, 3100, 3140, -1, 3300, 5, 100, -1, -1, -1, 0, 0, 0, 0, 0 },
	};
	static const double want0[QP_PART__COUNT] = {
		10, 0, 90, 20, 0, 1080, 100,
	};
	/* doorbell in [2105, min(2140, 2400 - 200)] = 2122.5; done 2322.5 */
	static const double want1[QP_PART__COUNT] = {
		100, 0, 0, 22.5, 0, 200, 177.5,
	};
	struct qp_model m;
	double us[QP_PART__COUNT];

	(void)state;
	build(&m, v, 3, 1);
	assert_parts(&m, 0, want0);
	assert_parts(&m, 1, want1);
	assert_false(qp_part_split(&m, &m.inf[2], us, NULL));
	qp_model_free(&m);
}

/*
 * Three inferences on one DBC submitted 10 us apart (the model holds them
 * out of doorbell order: the second enqueued was submitted last), devExec
 * 1000 each.  Doorbells (exectoVc 5, ioctl 40 us, WAIT far later):
 * 122.5, 132.5, 142.5.  The device runs them in doorbell order:
 * A 122.5..1122.5, C (doorbell 132.5) 1122.5..2122.5, B 2122.5..3122.5
 * (the kernel's execToComplete from each doorbell: 1000, 1990, 2980).
 */
static void test_device_chain(void **state)
{
	static const struct hb v[] = {
		/* A */ { 0, 10, 100, 140, 5000, 5100, 5, 1000, 1000, -1, -1, 0, 201, 0, 0, 0 },
		/* B */ { 1, 11, 120, 160, 5000, 5200, 5, 2980, 1000, -1, -1, 0, 203, 0, 0, 0 },
		/* C */ { 2, 12, 110, 150, 5000, 5300, 5, 1990, 1000, -1, -1, 0, 202, 0, 0, 0 },
	};
	static const double want_a[QP_PART__COUNT] = {
		10, 0, 90, 22.5, 0, 1000, 3977.5,
	};
	static const double want_c[QP_PART__COUNT] = {
		10, 0, 98, 22.5, 990, 1000, 3177.5,
	};
	static const double want_b[QP_PART__COUNT] = {
		10, 0, 109, 22.5, 1980, 1000, 2077.5,
	};
	struct qp_model m;
	double us[QP_PART__COUNT];
	unsigned how = 0;

	(void)state;
	build(&m, v, 3, 1);
	assert_parts(&m, 0, want_a);
	assert_parts(&m, 2, want_c);
	assert_parts(&m, 1, want_b);
	assert_true(qp_part_split(&m, &m.inf[1], us, &how));
	assert_true(how & QP_SPLIT_QUEUED);
	qp_model_free(&m);
}

/*
 * The next inference bounds the device end of the one before it.  A rings
 * in [105, 180] (a slow EXECUTE return), its WAIT returns late (3000); B
 * rings surely after it, in [205, min(240, 2130 - 1900)] = 217.5, queued
 * behind A, and its WAIT returns at 2130.  B started by 2130 - 1000 =
 * 1130, so the device was done with A by then, and A rang by 1130 - 1000:
 * A's doorbell in [105, 130] = 117.5 (not 142.5), done 1117.5.
 */
static void test_device_done_by(void **state)
{
	static const struct hb v[] = {
		/* A */ { 0, 10, 100, 180, 3000, 3100, 5, 1000, 1000, -1, -1, 0, 201, 0, 0, 0 },
		/* B */ { 1, 11, 200, 240, 2130, 2200, 5, 1900, 1000, -1, -1, 0, 202, 0, 0, 0 },
	};
	static const double want_a[QP_PART__COUNT] = {
		10, 0, 90, 17.5, 0, 1000, 1982.5,
	};
	/* B: doorbell 217.5, waits for A until 1117.5, done 2117.5 */
	static const double want_b[QP_PART__COUNT] = {
		10, 0, 189, 17.5, 900, 1000, 82.5,
	};
	struct qp_model m;
	double unc;

	(void)state;
	build(&m, v, 2, 1);
	assert_parts(&m, 0, want_a);
	assert_parts(&m, 1, want_b);
	/* A's stated doorbell uncertainty: half of [105, 130] */
	assert_true(qp_doorbell_uncertainty(&m, &m.inf[0], &unc));
	assert_float_equal(unc, 12.5, 1e-9);
	qp_model_free(&m);
}

/*
 * The next inference bounds the device end of the one before it even when
 * their doorbell intervals overlap, once the WAIT returns prove the order:
 * A rings in [105, 180], B in [150, min(240, 2130 - 1905)] = 187.5,
 * devExec 1000 each.  A's device was done by its kernel completion, 180 +
 * 1041 = 1221; had B run first, A could not have been done before 150 +
 * 1000 + 1000 = 2150, so B ran second.  B started by 2130 - 1000 = 1130,
 * so A ended by then and rang by 130: A's doorbell in [105, 130] = 117.5
 * (not 142.5), A 117.5..1117.5, B queued behind it until 2117.5.
 */
static void test_device_done_by_overlap(void **state)
{
	static const struct hb v[] = {
		/* A */ { 0, 10, 100, 180, 1400, 1450, 5, 1040, 1000, -1, -1, 0, 201, 0, 0, 0 },
		/* B */ { 1, 11, 145, 240, 2130, 2200, 5, 1905, 1000, -1, -1, 0, 202, 0, 0, 0 },
	};
	static const size_t which[] = { 0, 1 };
	static const double want[][QP_PART__COUNT] = {
		{ 10, 0, 90, 17.5, 0, 1000, 332.5 },
		{ 10, 0, 134, 42.5, 930, 1000, 82.5 },
	};

	(void)state;
	assert_fixture(v, 2, which, want, 2);
}

/*
 * Doorbell intervals that overlap: B rang at ~120 but its EXECUTE returned
 * late, so the middle of its interval [115, min(300, 2210 - 2000)] is
 * 162.5, after C's (152.5, [145, 160]).  The WAIT returns (B 2210, C
 * 3220) tell the order the device ran them in: A 122.5..1122.5, B
 * ..2122.5, C ..3122.5 (in doorbell order C would run second and B,
 * squeezed before its WAIT return, would overlap it: a devExec lost
 * from every inference after them).  The kernel completed A and C as the
 * device ended them (execToComplete 1000 and 2970 after the doorbells).
 */
static void test_device_order_overlap(void **state)
{
	static const struct hb v[] = {
		/* A */ { 0, 10, 100, 140, 1200, 1250, 5, 1000, 1000, -1, -1, 0, 201, 0, 0, 0 },
		/* B */ { 1, 11, 110, 300, 2210, 2300, 5, 2000, 1000, -1, -1, 0, 202, 0, 0, 0 },
		/* C */ { 2, 12, 140, 160, 3220, 3300, 5, 2970, 1000, -1, -1, 0, 203, 0, 0, 0 },
	};
	static const size_t which[] = { 1, 2 };
	static const double want[][QP_PART__COUNT] = {
		{ 10, 0, 99, 52.5, 960, 1000, 177.5 },
		{ 10, 0, 128, 12.5, 1970, 1000, 177.5 },
	};

	(void)state;
	assert_fixture(v, 3, which, want, 2);
}

/*
 * The kernel's completion bounds a queued inference's end although its
 * WAIT returned late.  A rang at ~107 in [105, 190] (a slow EXECUTE
 * return: the middle is 147.5), B at ~207 in [205, 210], queued behind A;
 * devExec 900 each, so truly A 107..1007, B 1007..1907, and the kernel
 * saw each complete 3 us after the device (A 903, B 1703 us after its
 * doorbell).  B completed by 210 + 1704 = 1914, so it started by 1914 -
 * 900 = 1014, A ended by then and rang by 114: A's doorbell in [105, 114].
 * B, better known than A, places it (anchor_busy_runs): the gap is 903 -
 * 900 = 3 us (A, idle), B ended 1703 - 3 = 1700 us after its doorbell
 * (207.5), so at 1907.5, and A rang at 1907.5 - 1800 = 107.5 (not the
 * middle 109.5, nor 147.5): A 107.5..1007.5, B 1007.5..1907.5.
 */
static void test_device_kernel_bound(void **state)
{
	static const struct hb v[] = {
		/* A */ { 0, 10, 100, 190, 4900, 5100, 5, 903, 900, -1, -1, 0, 201, 0, 0, 0 },
		/* B */ { 1, 11, 200, 210, 5000, 5200, 5, 1703, 900, -1, -1, 0, 202, 0, 0, 0 },
	};
	static const size_t which[] = { 0, 1 };
	static const double want[][QP_PART__COUNT] = {
		{ 10, 0, 90, 7.5, 0, 900, 4092.5 },
		{ 10, 0, 189, 7.5, 800, 900, 3292.5 },
	};

	(void)state;
	assert_fixture(v, 2, which, want, 2);
}

/*
 * A busy run's head whose doorbell the trace barely bounds: A's EXECUTE
 * (100..250, exectoVc 5) rang truly at 180, its WAIT returned late (1400);
 * B, C, D and E rang at 302, 402, 502 and 602, each in a 4 us interval
 * ([X + 5, X + 9]), F at 702 but its caller came back from the EXECUTE
 * late (interval [700, 760]); all queued behind A.  devExec 1000 each, so
 * the device ran A 180..1180, B ..2180, C ..3180, D ..4180, E ..5180, F
 * ..6180, and the kernel completed each 2 us after the device, but D 12
 * us after (execToComplete 1002, 1880, 2780, 3690, 4580, 5480).  The
 * trace proves A rang in [105, 185] (B done by 304 + 1881 = 2185, so A by
 * 1185 - 1000); its middle, 145, would put every device end 35 us early.
 * The gap with nothing queued is A's 1002 - 1000 = 2 us; B says A rang
 * at 302 + 1880 - 2 - 2000 = 180, C 180, D 190, E 180, F (from the middle
 * of its interval, 730) 208: the median, 180, places A, and the device
 * parts follow.  Then F, whose interval is wide (half of it, 30 us, beyond
 * twice the witnesses' spread, 190 - 180, + 1 us), is placed by the run:
 * ended at 6180, completed 2 us later, 5480 after its doorbell: 702 (not
 * the middle, 730).
 */
static void test_device_anchor(void **state)
{
	static const struct hb v[] = {
		/* A */ { 0, 10, 100, 250, 1400, 1450, 5, 1002, 1000, -1, -1, 0, 201, 0, 0, 0 },
		/* B */ { 1, 11, 295, 304, 2190, 2250, 5, 1880, 1000, -1, -1, 0, 202, 0, 0, 0 },
		/* C */ { 2, 12, 395, 404, 3190, 3250, 5, 2780, 1000, -1, -1, 0, 203, 0, 0, 0 },
		/* D */ { 3, 13, 495, 504, 4200, 4250, 5, 3690, 1000, -1, -1, 0, 204, 0, 0, 0 },
		/* E */ { 4, 14, 595, 604, 5190, 5250, 5, 4580, 1000, -1, -1, 0, 205, 0, 0, 0 },
		/* F */ { 5, 15, 695, 760, 6260, 6300, 5, 5480, 1000, -1, -1, 0, 206, 0, 0, 0 },
	};
	static const size_t which[] = { 0, 1, 3, 5 };
	static const double want[][QP_PART__COUNT] = {
		{ 10, 0, 90, 80, 0, 1000, 270 },
		{ 10, 0, 284, 7, 878, 1000, 70 },
		{ 10, 0, 482, 7, 2678, 1000, 70 },
		{ 10, 0, 680, 7, 4478, 1000, 120 },
	};
	struct qp_model m;
	double unc;

	(void)state;
	assert_fixture(v, 6, which, want, 4);
	/* the stated uncertainty is still what the trace proves: [105, 185] */
	build(&m, v, 6, 1);
	assert_true(qp_doorbell_uncertainty(&m, &m.inf[0], &unc));
	assert_float_equal(unc, 40, 1e-9);
	qp_model_free(&m);
}

/*
 * Without a dump the worker's previous inference tells when it was free:
 * one submitting thread, inference 2 enqueued at 50 (returns 60) while the
 * worker still runs inference 1 (seen complete at 900); it submits 2 at
 * 950.  Waited 900 - 60 = 840, worked 50.  Inference 3 is submitted at
 * 1000 by the same thread while 2 is not complete yet (done 2000): its
 * WAIT return (1700) is after 1000 too, so the EXECUTE return (990).
 */
static void test_worker_estimate(void **state)
{
	static const struct hb v[] = {
		{ 0, 10, 100, 140, 800, 900, 5, 600, -1, -1, -1, 0, 0, 0, 0, 0 },
		{ 50, 60, 950, 990, 1700, 2000, 5, 600, -1, -1, -1, 0, 0, 0, 0, 0 },
		{ 70, 80, 1000, 1040, 2600, 2700, 5, 600, -1, -1, -1, 0, 0, 0, 0, 0 },
	};
	struct qp_model m;
	double us[QP_PART__COUNT];

	(void)state;
	build(&m, v, 3, 1);
	assert_true(qp_part_split(&m, &m.inf[1], us, NULL));
	assert_float_equal(us[QP_PART_RUNTIME_WAIT], 840, 1e-9);
	assert_float_equal(us[QP_PART_RUNTIME_WORK], 50, 1e-9);
	assert_true(qp_part_split(&m, &m.inf[2], us, NULL));
	assert_float_equal(us[QP_PART_RUNTIME_WAIT], 990 - 80, 1e-9);
	assert_float_equal(us[QP_PART_RUNTIME_WORK], 10, 1e-9);
	qp_model_free(&m);
}

/* ---- sets that make one finding each ------------------------------------- */

/*
 * A closed loop: `threads` application threads keep `inflight` inferences
 * each in flight, for n inferences.  Each inference: enqueue 5 us, the
 * runtime hands it to a worker after `rt_wait` (+ 20 us of work), EXECUTE
 * 40 us (exectoVc `vc`), the device runs `dev` us per inference, one at a
 * time, the completion is seen 30 us after the device, and the thread
 * waits `gap` us before its next enqueue.  Times are generated by
 * simulating that queue, so the figures follow from the parameters.
 */
struct loop {
	unsigned threads, inflight, workers;
	double dev, gap, vc, ioctl;
	size_t n;
};

static size_t gen_loop(const struct loop *L, struct hb *v)
{
	double dev_free = 0, wfree[64] = { 0 }, slot[64][64];
	size_t k, j;
	unsigned t, s;

	for (t = 0; t < L->threads; t++)
		for (s = 0; s < L->inflight; s++)
			slot[t][s] = t * 1.0 + s * 0.1;
	for (k = 0; k < L->n; k++) {
		unsigned bt = 0, bs = 0, best = 0;
		double t0, w, x, d, start, end;

		/* the next enqueue in time, to the worker free first */
		for (t = 0; t < L->threads; t++)
			for (s = 0; s < L->inflight; s++)
				if (slot[t][s] < slot[bt][bs])
					bt = t, bs = s;
		for (j = 1; j < L->workers; j++)
			if (wfree[j] < wfree[best])
				best = (unsigned)j;
		t0 = slot[bt][bs];
		w = t0 + 5 > wfree[best] ? t0 + 5 : wfree[best];
		x = w + 20;
		d = x + L->vc + (L->ioctl - L->vc) / 2;
		start = d > dev_free ? d : dev_free;
		end = start + L->dev;
		dev_free = end;
		v[k] = (struct hb){
			t0, t0 + 5, x, x + L->ioctl, end + 10, end + 30,
			L->vc, floor(end - d), L->dev, 15, 5,
			(int32_t)(100 + bt), (int32_t)(300 + best), 0, 0, 3,
		};
		wfree[best] = end + 30;
		slot[bt][bs] = end + 30 + L->gap;
	}
	return k;
}

static void profile_of(const struct loop *L, struct qp_model *m,
		       struct qp_profile *p)
{
	struct hb *v = calloc(L->n, sizeof(*v));
	uint32_t *idx = calloc(L->n, sizeof(*idx));
	size_t n = gen_loop(L, v), k;

	/* model order is enqueue order */
	for (k = 1; k < n; k++) {
		struct hb x = v[k];
		size_t j = k;

		for (; j > 0 && v[j - 1].t0 > x.t0; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	build(m, v, n, 1);
	for (k = 0; k < n; k++) {
		m->inf[k].state = QP_INF_OK;
		idx[k] = (uint32_t)k;
	}
	assert_int_equal(qp_profile_compute(m, idx, n, p), 0);
	free(v);
	free(idx);
}

static void assert_kinds(const struct qp_profile *p, int n, ...)
{
	struct qp_finding f[QP_FIND__COUNT];
	size_t got = qp_findings(p, f), k;
	va_list ap;

	if (got != (size_t)n) {
		for (k = 0; k < got; k++)
			print_message("finding %s score %.3f: %s\n",
				      qp_finding_name(f[k].kind), f[k].score,
				      f[k].text);
		fail_msg("%zu findings, want %d", got, n);
	}
	va_start(ap, n);
	for (k = 0; k < got; k++)
		assert_string_equal(qp_finding_name(f[k].kind),
				    qp_finding_name(va_arg(ap, int)));
	va_end(ap);
}

/*
 * One thread, 10 in flight, 4 workers, 1000 us of device work: the device
 * never idles; throughput 1000/s (8000 samples/s at batch 8); 10 in flight
 * (Little), about 9 waiting on the device.
 */
static void test_device_bound(void **state)
{
	struct loop L = { 1, 10, 4, 1000, 0, 5, 40, 400 };
	struct qp_model m;
	struct qp_profile p;
	struct qp_finding f[QP_FIND__COUNT];

	(void)state;
	profile_of(&L, &m, &p);
	assert_true(p.device_util > 0.99);
	assert_float_equal(p.inf_per_s, 1000, 10);
	assert_float_equal(p.samples_per_s, 8 * p.inf_per_s, 1e-6);
	assert_int_equal(p.batch, 8);
	assert_int_equal(p.max_in_flight, 10);
	assert_float_equal(p.mean_in_flight, 10, 0.2);
	/* 4 workers: 4 submitted at a time, the other 6 wait for a worker */
	assert_float_equal(p.mean_on_device, 4, 0.2);
	assert_float_equal(p.mean_waiting_worker, 6, 0.2);
	assert_float_equal(p.mean_devexec_us, 1000, 1e-9);
	assert_int_equal(p.nsplit_dev, p.n);
	assert_kinds(&p, 1, QP_FIND_DEVICE_BOUND);
	qp_findings(&p, f);
	assert_string_equal(f[0].ev[0].name, "device_utilisation");
	assert_true(f[0].ev[0].value > 99);
	assert_non_null(strstr(f[0].advice, "fewer inferences in flight"));
	qp_model_free(&m);
}

/* 8 threads x 10 in flight, one worker: they queue for it; the device
 * (50 us) idles while the worker does the rest of each inference. */
static void test_runtime_workers(void **state)
{
	struct loop L = { 8, 10, 1, 50, 0, 5, 40, 800 };
	struct qp_model m;
	struct qp_profile p;

	(void)state;
	profile_of(&L, &m, &p);
	assert_true(p.device_util < 0.9);
	assert_int_equal(p.runtime_threads, 1);
	assert_int_equal(p.app_threads, 8);
	assert_true(p.mean_us[QP_PART_RUNTIME_WAIT] > 0.5 * p.mean_total_us);
	assert_kinds(&p, 1, QP_FIND_RUNTIME_WORKERS);
	qp_model_free(&m);
}

/* One thread, one in flight, 2 ms of its own work after each completion. */
static void test_app_bound(void **state)
{
	struct loop L = { 1, 1, 4, 50, 2000, 5, 40, 200 };
	struct qp_model m;
	struct qp_profile p;

	(void)state;
	profile_of(&L, &m, &p);
	/* each cycle: 5 + 20 + ~22 + 50 + 30 us of inference, 2000 of gap */
	assert_float_equal(p.host_gap_mean_us, 2000, 1e-6);
	assert_int_equal(p.ngaps, 199);
	assert_true(p.host_gap_share > 0.9);
	assert_int_equal(p.max_in_flight, 1);
	assert_kinds(&p, 1, QP_FIND_APP_BOUND);
	qp_model_free(&m);
}

/* The EXECUTE ioctl takes 2 ms (exectoVc 1990): it dominates. */
static void test_slow_submit(void **state)
{
	struct loop L = { 1, 1, 4, 50, 0, 1990, 2000, 200 };
	struct qp_model m;
	struct qp_profile p;

	(void)state;
	profile_of(&L, &m, &p);
	assert_float_equal(p.mean_exec_to_vc_us, 1990, 1e-9);
	assert_float_equal(p.mean_us[QP_PART_SUBMIT], 1995, 1e-6);
	assert_kinds(&p, 1, QP_FIND_SLOW_SUBMIT);
	qp_model_free(&m);
}

/* One in flight, device 1 ms: busy ~90 %, nothing stands out. */
static void test_balanced(void **state)
{
	struct loop L = { 1, 1, 4, 1000, 0, 5, 40, 200 };
	struct qp_model m;
	struct qp_profile p;

	(void)state;
	profile_of(&L, &m, &p);
	assert_true(p.device_util > 0.8 && p.device_util < 0.95);
	assert_kinds(&p, 0);
	qp_model_free(&m);
}

/*
 * Multi-device: device 3 of 4 finishes last in 90 % of the inferences.
 * 0.3 us after the next-to-last is no finding; 300 us (28 % of the ~1.1
 * ms round trip of the balanced set) is.
 */
static void test_straggler(void **state)
{
	struct loop L = { 1, 1, 4, 1000, 0, 5, 40, 100 };
	static const uint32_t dev[4] = { 0, 1, 2, 3 };
	struct qp_model m;
	struct qp_profile p;
	struct qp_finding f[QP_FIND__COUNT];
	size_t k, n;

	(void)state;
	profile_of(&L, &m, &p);
	for (k = 0; k < 100; k++) {
		uint64_t done[4] = { 1000, 1010, 1020, 1320 };

		if (k % 10 == 9) {	/* device 1 last, 5 us late */
			done[3] = 1000;
			done[1] = 1025;
		}
		qp_straggler_add(&p.straggler, 4, dev, done);
	}
	for (k = 0; k < 4; k++) {
		uint64_t done[1] = { 1 };

		qp_straggler_add(&p.straggler, 1, dev, done);	/* ignored */
	}
	assert_int_equal(p.straggler.n, 100);
	/* slots in order of appearance: devices 0, 1, 2, 3 */
	assert_int_equal(p.straggler.ndev, 4);
	assert_int_equal(p.straggler.device[3], 3);
	assert_int_equal(p.straggler.last[3], 90);
	assert_int_equal(p.straggler.last[1], 10);
	assert_int_equal(p.straggler.last[0] + p.straggler.last[2], 0);
	/* 1320 - 1020 = 300 ns each time; 1025 - 1020 = 5 ns */
	assert_float_equal(p.straggler.lag_us[3], 90 * 0.3, 1e-9);
	assert_float_equal(p.straggler.lag_us[1], 10 * 0.005, 1e-9);
	/* lag 0.3 us of a ~1.1 ms round trip: too small to be a finding */
	assert_kinds(&p, 0);
	for (k = 0; k < 4; k++)
		p.straggler.lag_us[k] *= 1000;	/* 300 us each time */
	n = qp_findings(&p, f);
	assert_int_equal(n, 1);
	assert_int_equal(f[0].kind, QP_FIND_STRAGGLER_DEVICE);
	assert_float_equal(f[0].ev[0].value, 3, 0);
	assert_float_equal(f[0].ev[1].value, 90, 1e-9);
	assert_float_equal(f[0].ev[2].value, 0.3, 1e-9);
	assert_float_equal(f[0].ev[4].value, 4, 0);
	assert_non_null(strstr(f[0].text, "device 3 finishes last in 90 %"));
	qp_model_free(&m);
}

/*
 * A straggler keeps the device busy: one inference in flight, 7000 us of
 * device work of which device 1 runs 6000 us after device 0 has finished
 * (e2e_waits' straggler scenario).  The device is busy > 95 % of the run,
 * but only 1/7 of that work is shared by both devices: straggler_device
 * ranks first, device_bound (scored by the shared work) second.
 */
static void test_straggler_outranks_device_bound(void **state)
{
	struct loop L = { 1, 1, 1, 7000, 0, 5, 40, 100 };
	static const uint32_t dev[2] = { 0, 1 };
	struct qp_model m;
	struct qp_profile p;
	struct qp_finding f[QP_FIND__COUNT];
	size_t k;

	(void)state;
	profile_of(&L, &m, &p);
	assert_true(p.device_util > 0.95);
	assert_kinds(&p, 1, QP_FIND_DEVICE_BOUND);
	for (k = 0; k < L.n; k++) {
		uint64_t done[2] = { 1000000, 7000000 };

		qp_straggler_add(&p.straggler, 2, dev, done);
	}
	assert_kinds(&p, 2, QP_FIND_STRAGGLER_DEVICE, QP_FIND_DEVICE_BOUND);
	qp_findings(&p, f);
	/* the straggler: 6000 us of a ~7050 us round trip */
	assert_float_equal(f[0].score, 6000 / p.mean_total_us, 1e-9);
	/* device_bound: utilisation x (7000 - 6000) / 7000 */
	assert_float_equal(f[1].score, p.device_util / 7, 0.01);
	assert_true(f[1].ev[0].value > 95);	/* the busy share stays true */
	qp_model_free(&m);
}

/* Ranking: two findings at once, the larger share first. */
/*
 * Device columns N/A, and why: a dump gives devExec to inferences 0 and 1
 * of three; no dump merged; a merge whose rows had N/A device columns.
 * Per-part statistics: the parts of test_split_dump's inference, twice,
 * and a third one 10 µs slower in its pre-processing.
 */
static void test_na_reason_and_part_stats(void **state)
{
	static const struct hb v[] = {
		{ 0, 10, 100, 140, 1200, 1300, 5, 1000, 900, 60, 10, 0, 0, 0, 0, 0 },
		{ 2000, 2010, 2100, 2140, 3200, 3300, 5, 1000, 900, 60, 10, 0, 0, 0, 0, 0 },
		{ 4000, 4010, 4110, 4150, 5210, 5310, 5, 1000, -1, 70, 10, 0, 0, 0, 0, 0 },
	};
	static const uint32_t all[] = { 0, 1, 2 }, two[] = { 0, 1 };
	struct qp_merge_result nodev = { .rows = 3, .no_device = 3 };
	struct qp_merge_result some = { .rows = 3, .matched = 2 };
	struct qp_stats part[QP_PART__COUNT], total;
	struct qp_model m;
	double buf[3];
	size_t with;

	(void)state;
	build(&m, v, 3, 1);
	assert_null(qp_device_na_reason(&m, two, 2, &some, &with));
	assert_int_equal(with, 2);
	assert_string_equal(qp_device_na_reason(&m, all, 3, &some, &with),
			    "only the profiled samples (aic-profiling start-iter / num-samples) have device columns in the merged dump(s)");
	assert_int_equal(with, 2);
	assert_non_null(strstr(qp_device_na_reason(&m, all + 2, 1, NULL, NULL),
			       "no runtime latency dump merged"));
	assert_non_null(strstr(qp_device_na_reason(&m, all + 2, 1, &nodev, &with),
			       "not compiled with stats"));
	assert_int_equal(with, 0);
	assert_non_null(strstr(qp_device_na_reason(&m, all + 2, 1, &some, NULL),
			       "no row of the merged dump"));
	/* runtime work 70, 70, 80 (W = X - (pre + sub)); totals 1300, 1300,
	 * 1310: p99 = 1300 + 0.98 x 10 (numpy linear) */
	assert_int_equal(qp_part_stats(&m, all, 3, buf, part, &total), 0);
	assert_int_equal(part[QP_PART_RUNTIME_WORK].count, 3);
	assert_float_equal(part[QP_PART_RUNTIME_WORK].pct[QP_P50], 70, 1e-6);
	assert_float_equal(part[QP_PART_RUNTIME_WORK].max, 80, 1e-6);
	assert_float_equal(part[QP_PART_ENQUEUE].mean, 10, 1e-6);
	assert_float_equal(total.pct[QP_P99], 1309.8, 1e-6);
	assert_float_equal(total.min, 1300, 1e-6);
	/* the section's doorbell uncertainty: 17.5 µs for each of the three */
	{
		struct qp_profile p;

		assert_int_equal(qp_profile_compute(&m, all, 3, &p), 0);
		assert_float_equal(p.doorbell_unc_p50_us, 17.5, 1e-9);
		assert_float_equal(p.doorbell_unc_p99_us, 17.5, 1e-9);
	}
	qp_model_free(&m);
}

static void test_ranking(void **state)
{
	struct qp_profile p;
	struct qp_finding f[QP_FIND__COUNT];

	(void)state;
	memset(&p, 0, sizeof(p));
	p.n = p.nsplit = 100;
	p.device_util = 0.5;
	p.inf_per_s = 100;
	p.mean_total_us = 1000;
	p.mean_us[QP_PART_RUNTIME_WAIT] = 300;	/* 30 % */
	p.mean_us[QP_PART_SUBMIT] = 400;	/* 40 % */
	p.mean_num_inf_in_queue = p.mean_submit_ioctl_us = NAN;
	p.mean_exec_to_vc_us = p.host_gap_mean_us = NAN;
	assert_int_equal(qp_findings(&p, f), 2);
	assert_int_equal(f[0].kind, QP_FIND_SLOW_SUBMIT);
	assert_float_equal(f[0].score, 0.4, 1e-12);
	assert_int_equal(f[1].kind, QP_FIND_RUNTIME_WORKERS);
	assert_float_equal(f[1].score, 0.3, 1e-12);
	/* a device busy 92 %: neither idle nor saturated, no runtime finding */
	p.device_util = 0.92;
	assert_int_equal(qp_findings(&p, f), 1);
	assert_int_equal(f[0].kind, QP_FIND_SLOW_SUBMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_no_dump),
		cmocka_unit_test(test_split_dump),
		cmocka_unit_test(test_split_edges),
		cmocka_unit_test(test_device_chain),
		cmocka_unit_test(test_device_done_by),
		cmocka_unit_test(test_device_done_by_overlap),
		cmocka_unit_test(test_device_anchor),
		cmocka_unit_test(test_device_order_overlap),
		cmocka_unit_test(test_device_kernel_bound),
		cmocka_unit_test(test_worker_estimate),
		cmocka_unit_test(test_device_bound),
		cmocka_unit_test(test_runtime_workers),
		cmocka_unit_test(test_app_bound),
		cmocka_unit_test(test_slow_submit),
		cmocka_unit_test(test_balanced),
		cmocka_unit_test(test_straggler),
		cmocka_unit_test(test_straggler_outranks_device_bound),
		cmocka_unit_test(test_ranking),
		cmocka_unit_test(test_na_reason_and_part_stats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
