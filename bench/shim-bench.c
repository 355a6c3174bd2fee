/* SPDX-License-Identifier: MIT */
/*
 * shim-bench: the timing loops of bench/shim-run.sh, run once without and
 * once with libqprof.so preloaded (always over the fake runtime
 * libshimfake.so; the script preloads the fake kernel libshimfakekmd.so).
 *
 *   shim-bench calls N REPS     ns per call (median of REPS loops of N) of
 *                               a hooked call that emits one event
 *                               (qaicExecObjWaitForCompletion), one that
 *                               emits two (qaicEnqueueExecObj), an ioctl on
 *                               a non-accel fd, and a bare LTTng-UST event
 *                               (qprof_bench:bare) for reference
 *   shim-bench infer N T REPS   CPU ns per inference (EXECUTE + WAIT
 *                               through enqueue + wait), all T threads
 *                               together, median of REPS runs of N; each
 *                               thread keeps QP_BENCH_SET exec objects in
 *                               flight (shim-loop.c)
 *   shim-bench bare-infer N T REPS E
 *                               the same loop without the shim, emitting
 *                               E >= 3 bare LTTng-UST events per inference
 *                               where the shim emits its own: LTTng-UST's
 *                               own floor
 */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "shim-bench-tp.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <qprof/qaic_accel.h>
#include <qprof/qaic_api.h>

#include "shim-loop.h"

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

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

enum loop { L_WAIT, L_ENQUEUE, L_IOCTL, L_BARE, L_COUNT };
static const char *const loop_names[L_COUNT] = {
	"call_1ev_ns", "call_2ev_ns", "ioctl_other_ns", "bare_event_ns",
};

static void __attribute__((noinline)) run_loop(enum loop l, long n, int fd)
{
	int dummy[4] = { 0 };
	long i;

	for (i = 0; i < n; i++) {
		switch (l) {
		case L_WAIT:
			qaicExecObjWaitForCompletion(NULL, 0);
			break;
		case L_ENQUEUE:
			qaicEnqueueExecObj(NULL, NULL, NULL);
			break;
		case L_IOCTL:
			/* a qaic request number on a non-accel fd */
			ioctl(fd, DRM_IOCTL_QAIC_WAIT_BO, dummy);
			break;
		default:
			lttng_ust_tracepoint(qprof_bench, bare, 1, 2, 3, 0,
					     dummy);
			break;
		}
		__asm__ __volatile__("" ::: "memory");
	}
}

static int bench_calls(long n, int reps)
{
	double *v = calloc((size_t)reps, sizeof(*v));
	int fd = open("/dev/null", O_RDONLY);
	int l, r;

	if (!v || fd < 0)
		return 1;
	/*
	 * A process's first pass over the ring buffer pays a page fault per
	 * 4 KiB it writes (LTTng-UST's buffers are shared memory the process
	 * maps, but has not touched yet): ~1 us each here, ~20 ns per event.
	 * With QPROF_BENCH_WARM=N, N bare events touch them first (2 M
	 * events: more than 2 x 32 MiB), so that every loop below measures
	 * the steady state, whichever runs first.
	 */
	if (getenv("QPROF_BENCH_WARM")) {
		run_loop(L_BARE, atol(getenv("QPROF_BENCH_WARM")), fd);
		usleep(300000);	/* the consumer daemon writes them out */
	}
	for (l = 0; l < L_COUNT; l++) {
		run_loop((enum loop)l, n / 10, fd);	/* warm up */
		for (r = 0; r < reps; r++) {
			uint64_t t0 = now_ns(CLOCK_MONOTONIC);

			run_loop((enum loop)l, n, fd);
			v[r] = (double)(now_ns(CLOCK_MONOTONIC) - t0) / (double)n;
			usleep(2000);	/* let the consumer drain */
		}
		printf("%s %.2f\n", loop_names[l], median(v, reps));
	}
	close(fd);
	free(v);
	return 0;
}

static int bare_per_inference;	/* > 0: the LTTng-UST floor, no shim */

/* n bare LTTng-UST events, as many as the shim records per inference. */
static void bare_events(QAicExecObj *eo, int n)
{
	while (n-- > 0)
		lttng_ust_tracepoint(qprof_bench, bare, 1, 2, 3, 0, eo);
}

/*
 * The bare floor runs the same inference (fake runtime, no shim) and
 * emits its events where the shim emits its own: one before the enqueue,
 * two after it, the rest after the wait.
 */
static void bare_before(QAicExecObj *eo, long k)
{
	(void)k;
	bare_events(eo, 1);
}

static void bare_after_enqueue(QAicExecObj *eo, long k)
{
	(void)k;
	bare_events(eo, 2);
}

static void bare_after_wait(QAicExecObj *eo, long k)
{
	(void)k;
	bare_events(eo, bare_per_inference - 3);
}

static const struct shim_loop_hooks bare_hooks = {
	bare_before, bare_after_enqueue, bare_after_wait,
};

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "calls"))
		return bench_calls(atol(argv[2]), atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "infer"))
		return shim_loop_infer(atol(argv[2]), atoi(argv[3]),
				       atoi(argv[4]), NULL);
	if (argc == 6 && !strcmp(argv[1], "bare-infer") && atoi(argv[5]) >= 3) {
		bare_per_inference = atoi(argv[5]);
		return shim_loop_infer(atol(argv[2]), atoi(argv[3]),
				       atoi(argv[4]), &bare_hooks);
	}
	fprintf(stderr, "usage: shim-bench calls N REPS | infer N THREADS REPS | bare-infer N THREADS REPS EVENTS\n");
	return 2;
}
