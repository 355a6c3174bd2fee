// SPDX-License-Identifier: MIT
/*
 * e2e_gen: emits a deterministic sequence of qprof events, as the shim
 * would record them for an application running N inferences on one
 * program, through the real `qprof` provider, at full speed.
 *
 *   e2e_gen [-n INFERENCES] [-k EXECOBJS] [-b BOS] [-c] [-o PROGRAM_NAME]
 *
 * Every value is a function of the inference number i, so a reader can
 * check each decoded field (e2e_readcheck.c):
 *   pid = getpid(), app tid = pid, worker tid = pid ^ 2^21 (payload values:
 *   a tid no other live process has, as a real thread's; pid + 1 is the
 *   next process's pid, and a tid seen in two live processes is taken for
 *   a corrupt trace);
 *   exec object e = i % K owns BO handles 100 + 2e (in) and 101 + 2e (out);
 *   dbc_id 3; perf stats: submit_latency_us = 10 + i % 7,
 *   device_latency_us = 100 + i % 13, queue_level_before = 2 * (i % 3),
 *   num_queue_element = 2 for both handles;
 *   -b BOS (default 2): each request has BOS BOs instead, exec object e
 *   owning handles 100 + BOS*e + j, j < BOS/2 in, the others out (an LLM
 *   program's request has ~134: docs/MATCHING.md);
 *   -c: completion by event callback (callback_entry/exit) instead of
 *   qaicExecObjWaitForCompletion.
 * Used by the reader's end-to-end test and by the report benchmark.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "qprof-tp.h"

#define GEN_DBC 3
#define MAX_GEN_BOS 1024

static uint32_t nbos = 2;		/* -b */
#define OBJ(x) ((const void *)(uintptr_t)(x))

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct qprof_tp_call call(int32_t tid, int32_t status)
{
	struct qprof_tp_call c = {
		.ip = OBJ(0x401000), .pid = (int32_t)getpid(), .tid = tid,
		.begin_ts = now_ns(), .status = status, .err = 0,
	};
	return c;
}

static void setup(int32_t app, uint32_t k, const char *name)
{
	struct qprof_tp_call c = call(app, 0);
	uint32_t e;

	lttng_ust_tracepoint(qprof, process_info, &c, "/opt/qti-aic/lib/libQAic.so",
			     1, 20, "2", "gen", "qprof-gen", "kmd_stats=auto");
	c = call(app, 0);
	lttng_ust_tracepoint(qprof, api_context_create, &c, OBJ(0x1000), 1, 0);
	c = call(app, 0);
	lttng_ust_tracepoint(qprof, kmd_open, &c, 5, "/dev/accel/accel0");
	c = call(app, 0);
	lttng_ust_tracepoint(qprof, api_qpc_open, &c, OBJ(0x2000), "prog.bin", 0);
	c = call(app, 0);
	lttng_ust_tracepoint(qprof, api_program_create, &c, OBJ(0x1000),
			     OBJ(0x3000), 0, name, OBJ(0x2000));
	c = call(app, 0);
	lttng_ust_tracepoint(qprof, kmd_manage, &c, 5, 1, 64, GEN_DBC, -1);
	c = call(app, 0);
	lttng_ust_tracepoint(qprof, api_program_activation, &c, OBJ(0x3000), 0);
	c = call(app, 0);
	lttng_ust_tracepoint(qprof, api_queue_create, &c, OBJ(0x1000),
			     OBJ(0x4000), 0, 1);
	for (e = 0; e < k; e++) {
		struct qprof_tp_call eo = call(app, 0);
		uint32_t h;

		for (h = 0; h < nbos; h++) {
			c = call(app, 0);
			lttng_ust_tracepoint(qprof, kmd_create_bo, &c, 5, 4096,
					     100 + nbos * e + h);
			c = call(app, 0);
			lttng_ust_tracepoint(qprof, kmd_attach_slice, &c, 5,
					     100 + nbos * e + h, GEN_DBC,
					     h < nbos / 2 ? 1 : 2, 4096, 1);
		}
		lttng_ust_tracepoint(qprof, api_execobj_create, &eo, OBJ(0x1000),
				     OBJ(0x5000 + 0x10 * e), OBJ(0x3000));
	}
}

static void inference(int32_t app, uint32_t i, uint32_t k, int callback)
{
	int32_t worker = app ^ (1 << 21);
	uint32_t e = i % k, j;
	static uint32_t handles[MAX_GEN_BOS], dirs[MAX_GEN_BOS];
	static uint32_t ql[MAX_GEN_BOS], nq[MAX_GEN_BOS];
	static uint32_t sub[MAX_GEN_BOS], dev[MAX_GEN_BOS];
	struct qprof_tp_call enq = call(app, 0), c, w;

	for (j = 0; j < nbos; j++) {
		handles[j] = 100 + nbos * e + j;
		dirs[j] = j < nbos / 2 ? 1 : 2;
		ql[j] = 2 * (i % 3);
		nq[j] = 2;
		sub[j] = 10 + i % 7;
		dev[j] = 100 + i % 13;
	}

	lttng_ust_tracepoint(qprof, api_enqueue_entry, &enq, i, OBJ(0x4000),
			     OBJ(0x5000 + 0x10 * e), OBJ(callback ? 0x6000 : 0));
	c = call(app, 0);
	lttng_ust_tracepoint(qprof, api_enqueue_exit, &c, i);
	c = call(worker, 0);
	lttng_ust_tracepoint(qprof, kmd_execute, &c, 5, GEN_DBC, 0, handles,
			     dirs, NULL, nbos, 0, handles[nbos - 1]);
	w = call(app, 0);
	c = call(worker, 0);
	lttng_ust_tracepoint(qprof, kmd_wait, &c, 5, handles[nbos - 1],
			     GEN_DBC, 0);
	c = call(worker, 0);
	lttng_ust_tracepoint(qprof, kmd_perf_stats, &c, 5, GEN_DBC, 0, handles,
			     ql, nq, sub, dev, nbos);
	if (callback) {
		c = call(worker, 0);
		lttng_ust_tracepoint(qprof, api_callback_entry, &c, OBJ(0x6000),
				     0, OBJ(0x7000));
		lttng_ust_tracepoint(qprof, api_callback_exit, &c, OBJ(0x6000));
	} else {
		lttng_ust_tracepoint(qprof, api_execobj_wait, &w,
				     OBJ(0x5000 + 0x10 * e), 0);
	}
}

/*
 * Stay alive until FILE exists, after saying so in FILE.ready: LTTng's
 * discarded-event count of a per-PID buffer is only reported while its
 * process lives, so a test reads it before letting the process go.
 */
static void hold_until(const char *file)
{
	char ready[4096];
	FILE *f;

	snprintf(ready, sizeof(ready), "%s.ready", file);
	f = fopen(ready, "w");
	if (f)
		fclose(f);
	while (access(file, F_OK))
		usleep(10000);
}

static void usage(void)
{
	fprintf(stderr, "usage: e2e_gen [-n INFERENCES] [-k EXECOBJS] [-b BOS] [-c] [-o NAME] [-w FILE]\n"
		"  -w FILE  after emitting, create FILE.ready and stay alive until FILE exists\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long n = 1000, k = 4;
	const char *name = "gen-prog", *hold = NULL;
	int callback = 0, opt;
	int32_t app = (int32_t)getpid();
	uint32_t i;

	while ((opt = getopt(argc, argv, "n:k:b:co:w:")) != -1) {
		switch (opt) {
		case 'b': nbos = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 'k': k = strtoul(optarg, NULL, 0); break;
		case 'c': callback = 1; break;
		case 'o': name = optarg; break;
		case 'w': hold = optarg; break;
		default: usage();
		}
	}
	if (!k || k > 1000 || n > UINT32_MAX || nbos < 2 || nbos > MAX_GEN_BOS)
		usage();
	setup(app, (uint32_t)k, name);
	for (i = 0; i < n; i++)
		inference(app, i, (uint32_t)k, callback);
	if (hold)
		hold_until(hold);
	return 0;
}
