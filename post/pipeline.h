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

/* Online CPUs (sysconf), at least 1. */
long qp_online_cpus(void);

#endif /* QPROF_POST_PIPELINE_H */
