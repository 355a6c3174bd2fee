/* SPDX-License-Identifier: MIT */
/*
 * The inference loop of the shim benchmarks (shim-bench, shim-floor), over
 * the fake runtime: T threads, each keeping S exec objects in flight
 * (QP_BENCH_SET, default 10, as qaic-sim-app and qaic-runner): it enqueues
 * all S, then waits for the oldest and enqueues it again, as a real
 * application's thread does.  One inference = one enqueue + one wait.
 */
#ifndef SHIM_LOOP_H
#define SHIM_LOOP_H

#include <qprof/qaic_api.h>

/* Called around the runtime calls (any may be NULL); k = inference index
 * of the thread. */
struct shim_loop_hooks {
	void (*before_enqueue)(QAicExecObj *eo, long k);
	void (*after_enqueue)(QAicExecObj *eo, long k);
	void (*after_wait)(QAicExecObj *eo, long k);
};

/* Prints "infer_cpu_ns X" (process CPU per inference, median of reps). */
int shim_loop_infer(long n, int threads, int reps,
		    const struct shim_loop_hooks *hooks);
unsigned int shim_loop_set_size(void);

#endif
