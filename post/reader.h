/* SPDX-License-Identifier: MIT */
/*
 * The trace reader: LTTng CTF traces -> struct qp_event, in timestamp order.
 *
 * Finds every CTF trace (a directory holding a `metadata` file) under the
 * given paths: a session directory, per-UID or per-PID buffers, several
 * processes or hosts, lttng-relayd output.  Builds one babeltrace2 graph:
 * one source.ctf.fs per trace -> filter.utils.muxer -> qprof's own sink,
 * which decodes `qprof:*` events (field indices resolved once per event
 * class) and hands them to `sink`.  Other providers' events are skipped,
 * except the LTTng-UST statedump / dl events that say where each module
 * of a process was loaded (kept in qp_read_stats.modules for symbolize.c).
 *
 * Discarded-event and discarded-packet messages are delivered as
 * QP_EV_DISCARDED events and counted per stream.
 *
 * Reading on several threads (two graphs, or a sink in its own thread):
 * split.h.
 */
#ifndef QPROF_POST_READER_H
#define QPROF_POST_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "model.h"
#include "status.h"

/* Lost data in one stream (one per-CPU / per-process ring buffer file). */
struct qp_stream_loss {
	char *trace;		/* trace directory */
	char *stream;		/* stream name (the data file) */
	int32_t pid;		/* the trace's vpid (per-PID buffers), else -1 */
	uint64_t events;	/* discarded events */
	uint64_t packets;	/* discarded packets */
};

/* Where a module (executable or shared object) was mapped in a process. */
struct qp_module {
	uint32_t host;
	int32_t pid;
	uint64_t base, size;	/* load address, size of the mapping */
	char *path;
};

struct qp_read_stats {
	size_t ntraces;			/* CTF traces found and read */
	uint64_t messages;		/* event messages, all providers */
	uint64_t qprof_events;		/* qprof:* events decoded */
	uint64_t other_events;		/* other providers' events (skipped) */
	uint64_t discarded_events, discarded_packets;
	struct qp_stream_loss *losses;	/* one entry per stream that lost data */
	size_t nlosses;
	struct qp_module *modules;	/* from lttng_ust_statedump / lttng_ust_dl */
	size_t nmodules;
	uint64_t first_ts, last_ts;	/* of qprof events, trace clock ns */
	/*
	 * The trace clock's offset from the Unix epoch (ns; LTTng sets it
	 * to CLOCK_REALTIME - CLOCK_MONOTONIC when the session starts): the
	 * first trace's, when its clock's origin is the epoch.
	 */
	bool has_realtime_offset;
	int64_t realtime_offset_ns;
	/* progress: called about every 2^20 messages when set */
	void (*progress)(const struct qp_read_stats *st, void *data);
	void *progress_data;
};

/* Zero a stats struct (keeps nothing); free what qp_read_traces filled. */
void qp_read_stats_init(struct qp_read_stats *st);
void qp_read_stats_free(struct qp_read_stats *st);

/*
 * Find the traces under paths[0..n-1] and feed their events, in timestamp
 * order, to sink(ev, data).  Host names of the traces (env `hostname`) are
 * appended to m->hosts; qp_event.host indexes it.  A non-zero return of
 * sink stops the reading and is returned.
 *
 * Returns 0 on success, -1 on error with its chain of causes in status
 * (status.h): QP_E_INPUT for a bad trace ("no CTF trace (no metadata file)
 * under PATH", a corrupt event naming its stream file), QP_E_DECODE when
 * babeltrace2 failed (its reason; which stream file is at fault may be
 * unknown), QP_E_NOMEM, QP_E_SYSTEM, or QP_E_SINK when sink returned
 * non-zero (status->value is that return).
 */
int qp_read_traces_status(const char *const *paths, size_t n,
			  struct qp_model *m, qp_event_sink_fn sink, void *data,
			  struct qp_read_stats *st, struct qp_status *status);

/*
 * The same with the status formatted into err (status.h): returns 0, the
 * sink's non-zero return, or -1.
 */
int qp_read_traces(const char *const *paths, size_t n, struct qp_model *m,
		   qp_event_sink_fn sink, void *data, struct qp_read_stats *st,
		   char *err, size_t errlen);

/*
 * List the trace directories under paths (sorted, deduplicated); returns
 * the count, or -1 with status naming the path (a path with no trace
 * under it is an error).  The caller frees each string and the array.
 * qp_find_traces: the same with the status formatted into err.
 */
int qp_find_traces_status(const char *const *paths, size_t n, char ***dirs,
			  struct qp_status *status);
int qp_find_traces(const char *const *paths, size_t n, char ***dirs,
		   char *err, size_t errlen);

#endif /* QPROF_POST_READER_H */
