/* SPDX-License-Identifier: MIT */
/* The shim benchmarks' inference loop (shim-loop.h). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "shim-loop.h"

static long per_thread;
static const struct shim_loop_hooks *loop_hooks;

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

unsigned int shim_loop_set_size(void)
{
	const char *e = getenv("QP_BENCH_SET");
	long v = e ? atol(e) : 10;

	return v < 1 ? 1 : v > 64 ? 64 : (unsigned int)v;
}

static int enqueue(QAicExecObj *eo, long k)
{
	const struct shim_loop_hooks *h = loop_hooks;

	if (h && h->before_enqueue)
		h->before_enqueue(eo, k);
	if (qaicEnqueueExecObj((QAicQueue *)eo, eo, NULL) != QS_SUCCESS)
		return -1;
	if (h && h->after_enqueue)
		h->after_enqueue(eo, k);
	return 0;
}

static void *infer_thread(void *arg)
{
	unsigned int s = shim_loop_set_size(), j;
	uintptr_t base = (uintptr_t)arg;
	QAicExecObj *eo[64];
	long k;

	/* exec object ids: distinct across threads (shim_fake_handle) */
	for (j = 0; j < s; j++)
		eo[j] = (QAicExecObj *)(base + j);
	for (k = 0; k < per_thread && k < (long)s; k++)
		if (enqueue(eo[k], k))
			return arg;
	for (k = 0; k < per_thread; k++) {
		QAicExecObj *e = eo[k % s];

		if (qaicExecObjWaitForCompletion(e, 0) != QS_SUCCESS)
			return arg;
		if (loop_hooks && loop_hooks->after_wait)
			loop_hooks->after_wait(e, k);
		if (k + s < per_thread && enqueue(e, k + s))
			return arg;
	}
	return NULL;
}

static int run(int threads)
{
	pthread_t tid[64];
	int t, bad = 0;

	for (t = 0; t < threads; t++)
		pthread_create(&tid[t], NULL, infer_thread,
			       (void *)(uintptr_t)(0x1000 + 64 * t));
	for (t = 0; t < threads; t++) {
		void *ret;

		pthread_join(tid[t], &ret);
		bad |= ret != NULL;
	}
	return bad;
}

int shim_loop_infer(long n, int threads, int reps,
		    const struct shim_loop_hooks *hooks)
{
	double *cpu = calloc((size_t)reps, sizeof(*cpu));
	QAicContext *ctx;
	QID dev = 0;
	int r, bad = 0;

	if (!cpu || threads < 1 || threads > 64)
		return 2;
	loop_hooks = hooks;
	if (qaicCreateContext(&ctx, NULL, 1, &dev, NULL, NULL, NULL, NULL)) {
		fprintf(stderr, "shim-bench: no fake accel node (QPROF_BENCH_DIR)\n");
		return 1;
	}
	/*
	 * One unmeasured round of n / 4 first: a process's first pass over
	 * the ring buffer pays a page fault per 4 KiB it writes.
	 */
	per_thread = n / 4 / threads;
	bad |= run(threads);
	per_thread = n / threads;
	for (r = 0; r < reps; r++) {
		uint64_t c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);

		bad |= run(threads);
		cpu[r] = (double)(now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0) /
			(double)(per_thread * threads);
		usleep(20000);
	}
	qaicReleaseContext(ctx);
	if (bad) {
		fprintf(stderr, "shim-bench: an inference failed\n");
		return 1;
	}
	qsort(cpu, (size_t)reps, sizeof(*cpu), cmp_double);
	printf("infer_cpu_ns %.1f\n", reps % 2 ? cpu[reps / 2] :
	       (cpu[reps / 2 - 1] + cpu[reps / 2]) / 2);
	free(cpu);
	return 0;
}
