/* SPDX-License-Identifier: MIT */
/*
 * A two-thread event pipeline: the trace reader (babeltrace2's graph,
 * qp_read_traces) keeps the calling thread, the consumer of its events
 * (the assembler) runs in a thread of its own.  Decoding the CTF trace is
 * most of qprof-report's time and cannot be split; the assembler's share
 * (~20 % of the reader's CPU) then overlaps with it instead of adding.
 *
 *	struct qp_pipeline *pl = qp_pipeline_start(qp_assembler_sink, a);
 *	rc = qp_read_traces(..., qp_pipeline_sink, pl, ...);
 *	rc2 = qp_pipeline_finish(pl, NULL);	// flush, join, free
 *
 * Events are packed into batches of QP_PIPELINE_BATCH_BYTES (a copy of
 * the event's header and scalar fields, the used part of its arrays, its
 * strings) and handed over whole: QP_PIPELINE_BATCHES batches are in
 * flight at most, the producer blocks (condition variable, no spinning)
 * when all are full; the consumer, when none is, sleeps until
 * QP_PIPELINE_WAKE are (few wake-ups: they are costly in a VM).  The consumer unpacks each
 * event into a struct qp_event whose strings point into the batch, valid
 * during the callback as event.h promises.  Order is preserved.
 *
 * A non-zero return of the consumer's sink stops the feeding of events to
 * it; qp_pipeline_sink returns that value at the next batch boundary (so
 * the reader stops a few batches later) and qp_pipeline_finish returns it.
 */
#ifndef QPROF_POST_PIPELINE_H
#define QPROF_POST_PIPELINE_H

#include <stdint.h>

#include "event.h"

#define QP_PIPELINE_BATCH_BYTES	(256 * 1024)
#define QP_PIPELINE_BATCHES	8
#define QP_PIPELINE_WAKE	4	/* batches ready before the idle consumer wakes */

struct qp_pipeline;

/*
 * Start the consumer thread calling sink(ev, data) for every event.
 * NULL when out of memory or when no thread can be created (the caller
 * then calls sink directly).
 */
struct qp_pipeline *qp_pipeline_start(qp_event_sink_fn sink, void *data);

/* qp_event_sink_fn for the producer side: data is the struct qp_pipeline *.
 * Returns 0, the consumer sink's first non-zero return, or -ENOMEM. */
int qp_pipeline_sink(const struct qp_event *ev, void *data);

/*
 * Hand over the last batch, wait until the consumer has taken every event,
 * end the thread and free the pipeline.  Returns the consumer sink's first
 * non-zero return (or -ENOMEM from the producer side), else 0.  When
 * consumer_cpu_s is not NULL, it receives the consumer thread's CPU
 * seconds (the thread is named "qp-assemble").
 */
int qp_pipeline_finish(struct qp_pipeline *pl, double *consumer_cpu_s);

/*
 * Pull mode (no consumer thread): the reader's decoding threads each fill
 * one such pipeline and the calling thread merges them (split.c).
 *	pl = qp_pipeline_open();
 *	producer thread: qp_pipeline_sink(ev, pl)..., qp_pipeline_close(pl);
 *	consumer: while (qp_pipeline_next(pl, &ev) > 0) ...;
 *	after both: qp_pipeline_free(pl).
 * The event qp_pipeline_next fills (its strings) stays valid until the next
 * call on the same pipeline; *tag receives the producer's tag of the
 * record (qp_pipeline_set_tag: for the records it sends from then on,
 * default 0).  qp_pipeline_abandon(pl, rc) tells the
 * producer to stop: its qp_pipeline_sink returns rc from then on, without
 * waiting for free batches.
 */
struct qp_pipeline *qp_pipeline_open(void);
int qp_pipeline_next(struct qp_pipeline *pl, struct qp_event *ev,
		     uint32_t *tag);
void qp_pipeline_set_tag(struct qp_pipeline *pl, uint32_t tag);
void qp_pipeline_close(struct qp_pipeline *pl);
void qp_pipeline_abandon(struct qp_pipeline *pl, int rc);
void qp_pipeline_free(struct qp_pipeline *pl);

/*
 * Records the reader passes through a pull pipeline besides events (kinds
 * past QP_EV__COUNT; never given to an assembler): a module mapping
 * (u.qpc_open: qpc = base, size, path), a trace's host name seen for the
 * first time (u.qpc_open.path), the trace and stream names of the loss
 * that the next QP_EV_DISCARDED counts (u.process.runtime_path, rt_patch).
 */
#define QP_PL_MODULE	((enum qp_ev_kind)(QP_EV__COUNT + 1))
#define QP_PL_HOST	((enum qp_ev_kind)(QP_EV__COUNT + 2))
#define QP_PL_LOSS	((enum qp_ev_kind)(QP_EV__COUNT + 3))

/* Online CPUs (sysconf), at least 1. */
long qp_online_cpus(void);

#endif /* QPROF_POST_PIPELINE_H */
