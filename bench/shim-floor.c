/* SPDX-License-Identifier: MIT */
/*
 * shim-floor: LTTng-UST's own floor for the shim's cost per inference.
 * The same inference loop as `shim-bench infer` (shim-loop.c, over the
 * fake runtime, no shim preloaded), emitting through the real `qprof`
 * provider exactly the events the shim records per inference, with as
 * many fields and sequences as long (QP_BENCH_BOS entries):
 * api_enqueue_entry, kmd_execute, api_enqueue_exit, kmd_wait,
 * kmd_perf_stats (by_shim = 1) and api_execobj_wait per inference, and one
 * kmd_perf_query per QP_BENCH_SET inferences of a thread (the shim's
 * batched call).  Only the shim's own work is missing: its hooks, clock
 * reads, decoding and bookkeeping.
 *
 *   shim-floor floor N T REPS   the events
 *   shim-floor base N T REPS    the same loop, no event
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qprof-tp.h"
#include "shim-fake.h"
#include "shim-loop.h"

static uint32_t dirs[SHIM_FAKE_MAX_BOS], vals[SHIM_FAKE_MAX_BOS];
static __thread uint32_t *handles_of[64];	/* per exec object, once */
static __thread uint64_t seq;
static uint32_t bos, set;	/* QP_BENCH_BOS, QP_BENCH_SET */

static struct qprof_tp_call call(QAicExecObj *eo)
{
	struct qprof_tp_call c = {
		.ip = eo, .pid = 1, .tid = 2, .begin_ts = 3, .status = 0,
		.err = 0,
	};
	return c;
}

/* The exec object's handles (computed once: the floor is LTTng's work). */
static const uint32_t *handles(QAicExecObj *eo)
{
	uint32_t **h = &handles_of[(uintptr_t)eo & 63], i, n;

	if (!*h) {
		n = shim_fake_bos();
		*h = malloc(n * sizeof(**h));
		if (!*h)
			abort();
		for (i = 0; i < n; i++)
			(*h)[i] = shim_fake_handle(eo, i);
	}
	return *h;
}

static void before_enqueue(QAicExecObj *eo, long k)
{
	struct qprof_tp_call c = call(eo);

	(void)k;
	lttng_ust_tracepoint(qprof, api_enqueue_entry, &c, seq, eo, eo, NULL);
}

static void after_enqueue(QAicExecObj *eo, long k)
{
	struct qprof_tp_call c = call(eo);
	const uint32_t *h = handles(eo);
	uint32_t n = bos;
	static const uint64_t none[1];

	(void)k;
	lttng_ust_tracepoint(qprof, kmd_execute, &c, 3, 0, 0, h, dirs,
			     none, n, 0, h[n - 1]);
	lttng_ust_tracepoint(qprof, api_enqueue_exit, &c, seq);
	seq++;
}

static void after_wait(QAicExecObj *eo, long k)
{
	struct qprof_tp_call c = call(eo);
	const uint32_t *h = handles(eo);
	uint32_t n = bos;

	lttng_ust_tracepoint(qprof, kmd_wait, &c, 3, h[n - 1], 0, 0);
	if (k % set == 0)
		lttng_ust_tracepoint(qprof, kmd_perf_query, &c, 3, 0, n * set,
				     set, set);
	lttng_ust_tracepoint(qprof, kmd_perf_stats, &c, 3, 0, 1, h, vals,
			     vals, vals, vals, n);
	lttng_ust_tracepoint(qprof, api_execobj_wait, &c, eo, 0);
}

static const struct shim_loop_hooks floor_hooks = {
	before_enqueue, after_enqueue, after_wait,
};

int main(int argc, char **argv)
{
	uint32_t i;

	bos = shim_fake_bos();
	set = shim_loop_set_size();
	for (i = 0; i < SHIM_FAKE_MAX_BOS; i++) {
		dirs[i] = 1 + (i >= shim_fake_bos() / 2);
		vals[i] = 7 + i;
	}
	if (argc == 5 && !strcmp(argv[1], "floor"))
		return shim_loop_infer(atol(argv[2]), atoi(argv[3]),
				       atoi(argv[4]), &floor_hooks);
	if (argc == 5 && !strcmp(argv[1], "base"))
		return shim_loop_infer(atol(argv[2]), atoi(argv[3]),
				       atoi(argv[4]), NULL);
	fprintf(stderr, "usage: shim-floor floor|base N THREADS REPS\n");
	return 2;
}
