/* SPDX-License-Identifier: MIT */
/*
 * The inference assembler: turns the time-ordered stream of qprof events
 * (event.h) into per-inference records in a qp_model (model.h), tying each
 * enqueue to its kernel EXECUTE / WAIT / PERF_STATS and to the completion the
 * application saw.  The algorithm is described in docs/MATCHING.md.
 *
 * Usage:
 *	struct qp_assembler *a = qp_assembler_new(&model);
 *	qp_read_traces(..., qp_assembler_sink, a, ...);   // or qp_assembler_feed()
 *	qp_assembler_finish(a);   // in-flight -> NO_COMPLETION, accounting
 *	qp_assembler_free(a);
 *
 * The model keeps only the records (struct qp_inference) and the tables
 * (processes, programs, queues, callsites); the assembler keeps in-flight
 * state only.  Events must come in non-decreasing ev->ts order (the
 * babeltrace2 muxer guarantees it); the model's hosts[] are the reader's.
 *
 * What the assembler fills in the model:
 *   - inf[]: one record per enqueue (or per kernel-only execution);
 *   - processes[]: one per (host, pid) seen, with process_info strings,
 *     first/last ts, discarded_events, kernel_only (no enqueue seen);
 *   - programs[]: one per successful api_program_create (name, handle,
 *     dbc_id when activated).  Kernel-only processes get one synthetic
 *     program per (fd, dbc_id) named "dbc<N>" with handle 0;
 *   - queues[], callsites[] (symbol left NULL for symbolize.c);
 *   - events (qprof events fed, QP_EV_DISCARDED excluded),
 *     discarded_events / discarded_packets (from QP_EV_DISCARDED),
 *     matched[] (completed, i.e. QP_INF_OK, inferences per method),
 *     state_count[], shim_perf_queries, first_ts / last_ts.
 */
#ifndef QPROF_POST_ASSEMBLE_H
#define QPROF_POST_ASSEMBLE_H

#include <stdint.h>

#include "event.h"
#include "model.h"

struct qp_assembler;

/* Things the assembler saw but could not tie to an inference. */
struct qp_assemble_stats {
	uint64_t orphan_executes;	/* successful EXECUTE, no inference found */
	uint64_t orphan_waits;		/* successful WAIT_BO, no submitted inference */
	uint64_t orphan_perf;		/* PERF_STATS entries for no waited inference */
	uint64_t orphan_completions;	/* completion signal, nothing in flight */
	uint64_t ignored_completions;	/* duplicate "first of" signals */
	uint64_t exec_before_enq_exit;	/* EXECUTE began before the enqueue returned */
	uint64_t lost_inferences;	/* in flight when events were discarded */
};

/* A new assembler filling m (initialised by qp_model_init). NULL on ENOMEM. */
struct qp_assembler *qp_assembler_new(struct qp_model *m);

/* Feed one event.  0, or -ENOMEM (the model stays consistent). */
int qp_assembler_feed(struct qp_assembler *a, const struct qp_event *ev);

/* qp_event_sink_fn wrapper: data is the struct qp_assembler *. */
int qp_assembler_sink(const struct qp_event *ev, void *data);

/*
 * End of the stream: inferences still in flight become NO_COMPLETION, the
 * model's accounting (matched[], state_count[], processes' kernel_only) is
 * filled.  Returns 0.  Call once, after the last feed.
 */
int qp_assembler_finish(struct qp_assembler *a);

const struct qp_assemble_stats *qp_assembler_stats(const struct qp_assembler *a);

void qp_assembler_free(struct qp_assembler *a);

#endif /* QPROF_POST_ASSEMBLE_H */
