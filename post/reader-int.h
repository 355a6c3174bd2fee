/* SPDX-License-Identifier: MIT */
/*
 * The reader's parts that split.c builds on (not a public interface):
 * a decoder is one babeltrace2 graph (src.ctf.fs per trace directory ->
 * flt.utils.muxer -> qprof's sink) and the state of its sink.
 *
 * With hooks, the decoder feeds a thread that merges its records with
 * another decoder's (split.c): it tells the hooks which stream each record
 * comes from, numbers hosts locally, and sends module mappings, new host
 * names and the names of lossy streams to its sink as pipeline records
 * (QP_PL_MODULE, QP_PL_HOST, QP_PL_LOSS; pipeline.h), in time order,
 * instead of keeping them: the merging thread keeps them.
 */
#ifndef QPROF_POST_READER_INT_H
#define QPROF_POST_READER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <babeltrace2/babeltrace.h>

#include "reader.h"
#include "status.h"

struct qp_decode_hooks {
	void *ctx;
	/* the records that follow come from stream; -1 stops the reading */
	int (*stream)(void *ctx, const bt_stream *stream);
	/* the local number of host name h; *is_new when first seen; -1: out
	 * of memory */
	int (*host)(void *ctx, const char *h, uint32_t *host, bool *is_new);
	/* rewrite the paths in buf (names the decoder's graph sees) into the
	 * paths the user gave */
	void (*unmap)(void *ctx, char *buf, size_t len);
	/* true: stop now (another decoder failed) */
	bool (*stop)(void *ctx);
};

struct qp_decoder;

/* A decoder feeding sink(ev, data), counting into st; hooks may be NULL. */
struct qp_decoder *qp_decoder_new(struct qp_model *m, qp_event_sink_fn sink,
				  void *data, struct qp_read_stats *st,
				  const struct qp_decode_hooks *hooks);
/* The graph over trace directories dirs[0..n): plugins, metadata, indexes. */
int qp_decoder_build(struct qp_decoder *d, char *const *dirs, size_t n,
		     struct qp_status *st);
/*
 * Run the graph to its end: 0, or -1 with st: QP_E_SINK (value: the sink's
 * non-zero return), QP_E_CANCELED (stopped by hooks->stop), QP_E_INPUT (a
 * corrupt event, named), QP_E_NOMEM, QP_E_DECODE (babeltrace2's reason).
 */
int qp_decoder_run(struct qp_decoder *d, struct qp_status *st);
void qp_decoder_free(struct qp_decoder *d);

/* Index of host name h in m->hosts, appended when new; -1: out of memory. */
int qp_model_host_index(struct qp_model *m, const char *h, uint32_t *out);

/* The loss entry of trace tn, stream sn in st->losses, added when new;
 * NULL: out of memory. */
struct qp_stream_loss *qp_read_stats_loss(struct qp_read_stats *st,
					  const char *tn, const char *sn,
					  int32_t pid);

/* Clock cycles at freq Hz -> ns. */
static inline uint64_t qp_cycles_to_ns(uint64_t cycles, uint64_t freq)
{
	if (freq == 1000000000 || !freq)
		return cycles;
	return (uint64_t)((unsigned __int128)cycles * 1000000000u / freq);
}

#endif /* QPROF_POST_READER_INT_H */
