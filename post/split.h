/* SPDX-License-Identifier: MIT */
/*
 * Reading traces on several threads: the one call a program makes
 * (qp_read_traces_threads), and the two-graph read it may choose
 * (qp_read_traces_split).  The reader itself (reader.h) reads with one
 * babeltrace2 graph in the calling thread.
 */
#ifndef QPROF_POST_SPLIT_H
#define QPROF_POST_SPLIT_H

#include <stdbool.h>
#include <stddef.h>

#include "event.h"
#include "model.h"
#include "reader.h"
#include "status.h"

/* How qp_read_traces_threads read. */
enum qp_read_how {
	QP_READ_ONE_THREAD,	/* one graph, sink called in the calling thread */
	QP_READ_PIPELINE,	/* one graph here, sink in a thread of its own */
	QP_READ_TWO_GRAPHS,	/* two graphs in two threads, sink called here */
};

/*
 * Read the traces under paths[0..n) into sink(ev, data), as qp_read_traces
 * does (same events, same order, same stats and errors), on up to
 * `threads` threads: with 1, one thread; with 2 or more, two graphs when
 * the trace splits (qp_read_traces_split), else the graph here and the
 * sink in a pipeline thread (pipeline.h), else one thread when no thread
 * can be had.  *how says which; *sink_cpu_s receives the sink thread's CPU
 * seconds with QP_READ_PIPELINE, -1 otherwise.  Returns 0, or -1 with
 * status as qp_read_traces_status sets it (QP_E_SINK, value = the sink's
 * non-zero return: the sink stopped the reading).
 */
int qp_read_traces_threads(const char *const *paths, size_t n,
			   struct qp_model *m, qp_event_sink_fn sink, void *data,
			   long threads, struct qp_read_stats *st,
			   enum qp_read_how *how, double *sink_cpu_s,
			   struct qp_status *status);

/*
 * qp_read_traces on two threads: the stream files of all the traces are
 * split in two groups of similar size, each decoded by its own babeltrace2
 * graph in its own thread; the calling thread merges the two by time (ties:
 * first group first) and calls sink.  Hosts, modules and losses are
 * numbered and listed as by qp_read_traces; errors name the real paths.
 * The groups see the traces through a temporary tree of symbolic links
 * under $TMPDIR (default /tmp), always removed.
 *
 * Returns 0, or -1 with status (as qp_read_traces_status).
 * *split is false, and nothing was read (returns 0), when there is only
 * one stream file, when the smaller group would hold less than a fifth of
 * the bytes (one graph is as fast then), when the tree cannot be made, or
 * when the environment has QPROF_REPORT_SPLIT=0: the caller then calls
 * qp_read_traces.  QPROF_REPORT_SPLIT=1 splits whatever the sizes (tests).
 */
int qp_read_traces_split(const char *const *paths, size_t n,
			 struct qp_model *m, qp_event_sink_fn sink, void *data,
			 struct qp_read_stats *st, struct qp_status *status,
			 bool *split);

#endif /* QPROF_POST_SPLIT_H */
