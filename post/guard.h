/* SPDX-License-Identifier: MIT */
/*
 * Decoding under watch.  A damaged trace can make babeltrace2 2.0.4 spin
 * forever, allocate without bound (a corrupt sequence length: one element
 * object per claimed element) or crash, and none of that can be stopped
 * from inside the process.  qp_guard_run() therefore runs the work in a
 * child process and watches it from the parent:
 *
 * - memory: the child's anonymous resident memory (RssAnon: heap, not the
 *   mapped trace files) above the limit -> killed;
 * - progress: the child ticks (qp_guard_tick) as it decodes; no tick for
 *   the stall time -> killed;
 * - a crash (a signal) is reported as such.
 *
 * The child says what it is doing with qp_guard_phase(), shown when it is
 * stopped.  docs/REPORT.md, "Damaged traces".
 */
#ifndef QPROF_POST_GUARD_H
#define QPROF_POST_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct qp_guard_opts {
	uint64_t mem_limit;	/* bytes of RssAnon; 0: no limit */
	unsigned int stall_s;	/* seconds without a tick; 0: no limit */
};

enum qp_guard_end {
	QP_GUARD_EXITED,	/* the child exited: status */
	QP_GUARD_MEMORY,	/* killed: memory above the limit */
	QP_GUARD_STALLED,	/* killed: no progress */
	QP_GUARD_SIGNALED,	/* died of signal (crash, or killed by others) */
	QP_GUARD_NO_CHILD,	/* fork failed: fn ran in this process */
};

struct qp_guard_result {
	enum qp_guard_end end;
	int status;		/* exit status, or the signal */
	uint64_t peak_anon;	/* largest RssAnon seen, bytes */
	/* the child's resident high-water mark (wait4's ru_maxrss, bytes):
	 * exact, where peak_anon is sampled and misses a short spike */
	uint64_t peak_rss;
	char phase[512];	/* the child's last qp_guard_phase() */
	bool deferred;		/* phase holds an error left to the parent */
};

/*
 * Run fn(arg) in a child process under the limits of @o; the parent waits
 * and fills @r.  Returns fn's exit status when it exited, -1 when it was
 * stopped or crashed (see r->end).  Call before creating any thread.  A
 * SIGINT/SIGTERM to the parent is passed on to the child.
 */
int qp_guard_run(int (*fn)(void *), void *arg, const struct qp_guard_opts *o,
		 struct qp_guard_result *r);

/*
 * In the child: the decoding is over; what follows (assembly's end,
 * statistics, writers) is the report's own bounded work, which does not
 * tick: no stall limit from now on (the memory limit stays).
 */
void qp_guard_decoded(void);

/* In the child: progress (a few ns; no-op outside a guarded child). */
void qp_guard_tick(void);
/* In the child: what it is doing now (formatted, truncated). */
void qp_guard_phase(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * In the child: leave the error message to the parent, which adds what it
 * finds out (qp_trace_diagnose) and prints it; the child then exits 1
 * without printing.  false when not in a guarded child (print it).
 */
bool qp_guard_defer(const char *msg);

/* "killed: N MiB of memory (limit M MiB) while PHASE" etc., into buf. */
void qp_guard_describe(const struct qp_guard_result *r,
		       const struct qp_guard_opts *o, char *buf, size_t len);

/*
 * Limits from the environment: QPROF_REPORT_MEMORY_MB (0: none),
 * QPROF_REPORT_STALL_S (0: none); otherwise @def_mem bytes and
 * @def_stall seconds.  -1 with err for a malformed value.
 */
int qp_guard_opts_from_env(struct qp_guard_opts *o, uint64_t def_mem,
			   unsigned int def_stall, char *err, size_t errlen);

#endif /* QPROF_POST_GUARD_H */
