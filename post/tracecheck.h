/* SPDX-License-Identifier: MIT */
/*
 * What can be checked of a CTF trace before and while babeltrace2 decodes
 * it (CTF has no checksums): docs/REPORT.md, "Damaged traces".
 *
 * Before decoding (qp_trace_precheck):
 * - metadata: every packet whole (header, sizes within the file, one
 *   UUID), the TSDL text complete (no unterminated comment or string,
 *   braces balanced, ending with ';', no NUL byte): babeltrace2 2.0.4
 *   spins forever on a cut metadata file;
 * - stream files: regular and readable; as long as their index says (a
 *   stream file emptied or cut while its index lists packets is data
 *   lost, not "no events"); a packet (magic, the trace's UUID) where the
 *   index says one starts;
 * - the same trace given twice (two copies): same UUID and a stream
 *   file that starts with the same packet.
 *
 * While decoding (qp_event_check, per qprof event): pid and tid within
 * Linux's PID_MAX_LIMIT, begin_ts not after the event's time, the payload
 * pid equal to the stream's process (the vpid context, or the trace's
 * vpid for per-process buffers), and no thread id going back to a process
 * it had left (a tid cannot belong to two live processes).
 */
#ifndef QPROF_POST_TRACECHECK_H
#define QPROF_POST_TRACECHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guard.h"

/*
 * Check the traces under paths (as qp_find_traces finds them).  0, or -1
 * with err naming the file ("PATH: ...").  QPROF_REPORT_PRECHECK=0 skips
 * it (to test what the guard does without it).
 */
int qp_trace_precheck(const char *const *paths, size_t n, char *err,
		      size_t errlen);

/* Bytes of every file under paths (the trace's size, for the budget). */
uint64_t qp_trace_bytes(const char *const *paths, size_t n);

/*
 * After a failed or stopped decode: decode the metadata of each trace
 * alone, then each stream file alone (in guarded child processes), and
 * name the first that fails: "stream file PATH: <why>".  0 with the
 * message in msg when one was found, -1 otherwise.
 */
int qp_trace_diagnose(const char *const *paths, size_t n,
		      const struct qp_guard_opts *o, char *msg, size_t len);

/* ---- per-event checks (reader.c) --------------------------------------- */

struct qp_tid_state;

struct qp_event_checker {
	struct qp_tid_state *t;		/* (host, tid) -> pids; open addressing */
	size_t n, cap;
	struct qp_tid_state *last;	/* the last event's slot: most events
					   repeat its (host, tid) and pid */
	bool failed;			/* allocation failure */
};

/*
 * Check one decoded qprof event: ctx_vpid is the vpid context (or the
 * trace env's vpid for per-process buffers), -1 when neither exists.
 * 0, or -1 with a message in err (the caller adds the stream file).
 */
int qp_event_check(struct qp_event_checker *c, uint32_t host, int32_t pid,
		   int32_t tid, uint64_t begin_ts, uint64_t ts, int64_t ctx_vpid,
		   char *err, size_t errlen);
void qp_event_checker_free(struct qp_event_checker *c);

#endif /* QPROF_POST_TRACECHECK_H */
