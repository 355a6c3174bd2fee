/* SPDX-License-Identifier: MIT */
/*
 * The device operator trace aic-profiling-program-<P>-trace.json (written
 * by the runtime for inferences sampled with profiling type "trace"):
 * the parser (devtrace.c) and its alignment to the host's clock
 * (devalign.c).  Format: docs/REPORT-FORMATS.md, "Device trace".
 *
 * The trace is in Chrome's Trace Event Format on the device's own clock
 * (µs of its 19.2 MHz timer, from an origin the host cannot see): one
 * process per NSP core ("... [QAicGraph_Core_<n>]" or "Process <n>"),
 * threads 0-3 HVX, 4 HMX, 5 DMA; operator slices named "<op>-Inf-<n>"
 * (or "<op>-<n>"), n the profiled inference.
 */
#ifndef QPROF_POST_DEVTRACE_H
#define QPROF_POST_DEVTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define QP_DEVOP_NO_INF (-1)

struct qp_devop {
	double ts_us, dur_us;		/* device clock, as in the file */
	int64_t inference;		/* from the name, or QP_DEVOP_NO_INF */
	uint32_t core;
	uint32_t tid;
	size_t name;			/* pool offset: the slice name as given */
	size_t op;			/* pool offset: the name without "-Inf-<n>" */
	size_t cat;			/* pool offset: "aic", or "" */
	size_t args;			/* pool offset: args as compact JSON, or "" */
	bool sync;			/* "sync ..." / "barrier ..." */
};

/* Per profiled inference: where its operators lie on the device clock. */
struct qp_devinf {
	int64_t inference;
	double first_us, last_us;	/* first op start, last op end */
	size_t nops;
};

struct qp_devthread {
	uint32_t core, tid;
	char *name;			/* "HVX_0", ... (from thread_name), or NULL */
};

struct qp_devtrace {
	char *path;
	char *program_name;		/* otherData.ProgramName, or from the
					 * process names, or NULL */
	bool has_program_id;
	uint32_t program_id;		/* otherData.ProgramId, or the file name */
	struct qp_devop *ops;		/* device operators, by (inference, ts) */
	size_t nops;
	struct qp_devinf *infs;		/* by inference */
	size_t ninfs;
	struct qp_devthread *threads;	/* named tracks of the cores */
	size_t nthreads;
	uint32_t ncores;		/* highest core + 1 */
	size_t nignored;		/* events that are no device operator */
	char *pool;			/* strings of the ops */
	size_t pool_len, pool_cap;
};

/*
 * Parse @path (streamed: one event at a time, so 100s of MB are fine).
 * 0, or -1 with @err "PATH:LINE:COL: message" (invalid JSON, an X event
 * without numeric ts/dur/pid, a trace without device operators, ...).
 */
int qp_devtrace_load(const char *path, struct qp_devtrace *t, char *err,
		     size_t errlen);
int qp_devtrace_parse(const char *path, const char *text, size_t len,
		      struct qp_devtrace *t, char *err, size_t errlen);
void qp_devtrace_free(struct qp_devtrace *t);

static inline const char *qp_devtrace_str(const struct qp_devtrace *t,
					  size_t off)
{
	return t->pool + off;
}

/* ---- alignment to the host clock (devalign.c) -------------------------- */

struct qp_devalign_inf {
	int64_t inference;		/* the trace's inference number */
	uint32_t inf;			/* index in m->inf, QP_NONE: not found */
	uint64_t span_b, span_e;	/* the inference's device span (host ns):
					 * EXECUTE entry + exectoVc -> + execToComplete */
	double dev_first_us, dev_last_us;	/* its operators, device clock */
	bool devexec_confirmed;		/* merged devExec == operators' span */
	double lo_ns, hi_ns;		/* offsets its kernel timestamps allow */
	double offset_ns;		/* host ns = device µs * 1000 + offset_ns */
	double error_ns;		/* |offset_ns - true offset| <= error_ns */
};

struct qp_devalign {
	uint32_t program;		/* model program index */
	struct qp_devalign_inf *infs;	/* one per trace inference, in its order */
	size_t ninfs, matched;
	bool joint;			/* one offset fits every matched inference */
	double lo_ns, hi_ns;		/* ... the offsets that do (when joint) */
	double error_ns;		/* the largest error of an inference */
	double spread_ns;		/* largest - smallest offset taken */
	size_t ops_outside;		/* operators outside their inference's span */
	size_t ops_unmatched;		/* operators of inferences not found */
};

struct qp_devalign_opts {
	int32_t pid;			/* only programs of this process; 0: any */
	unsigned window;		/* search +-window around the inference number; 0: 16 */
};

/*
 * Align @t to @m: the trace's inference n of program P is the model's
 * inference numbered n by the runtime (qp_program_samples: enqueue order),
 * confirmed when a runtime latency dump was merged by its devExec equalling
 * the operators' span; then each inference's operators are placed inside
 * its device span, as close to the clock offset all of them agree on as
 * the kernel's integer-µs timestamps and the EXECUTE call's duration allow
 * (rule and error bound: devalign.c).  0, or -1 with @err (no such
 * program, no inference found).
 */
int qp_devtrace_align(const struct qp_model *m, const struct qp_devtrace *t,
		      const struct qp_devalign_opts *o, struct qp_devalign *a,
		      char *err, size_t errlen);
void qp_devalign_free(struct qp_devalign *a);

/* The alignment of trace inference @inference, or NULL (not matched). */
const struct qp_devalign_inf *qp_devalign_find(const struct qp_devalign *a,
					       int64_t inference);

/* Host ns of device time @dev_us of inference @r. */
static inline double qp_devalign_host_ns(const struct qp_devalign_inf *r,
					 double dev_us)
{
	return dev_us * 1000.0 + r->offset_ns;
}

#endif /* QPROF_POST_DEVTRACE_H */
