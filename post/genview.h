/* SPDX-License-Identifier: MIT */
/*
 * The generation view of a Python LLM program (docs/REPORT.md "Generation
 * view"): its steps grouped by shape (prefill chunks, decode steps), its
 * requests, time to first token, inter-token latencies and the host gap
 * before each decode step, from the Python hooks' py_set_data and
 * py_get_data events.  qprof-report --generation, --generation-csv,
 * --generation-json.
 */
#ifndef QPROF_POST_GENVIEW_H
#define QPROF_POST_GENVIEW_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "event.h"
#include "reader.h"

struct qp_genview;

struct qp_genview *qp_genview_new(void);
void qp_genview_free(struct qp_genview *g);
/* Takes what the view needs of one event (any kind); always 0. */
int qp_genview_add(struct qp_genview *g, const struct qp_event *ev);

/* A reader sink that feeds the view, then passes the event on. */
struct qp_genview_tee {
	struct qp_genview *g;
	qp_event_sink_fn next;
	void *next_data;
};
int qp_genview_tee_sink(const struct qp_event *ev, void *data);

struct qp_model;
/* Each step's inference from the assembled model (the one of its process
 * enqueued inside the step) and its application / runtime / kernel /
 * device parts; -1 when out of memory. */
int qp_genview_join(struct qp_genview *g, const struct qp_model *m);
/* After the last event: requests segmented.  The writers only read. */
void qp_genview_finish(struct qp_genview *g);
/* The summary section, per exec object. */
void qp_genview_write_text(FILE *f, const struct qp_genview *g);
/* One row per step; -1 with the message in err. */
int qp_genview_write_csv(const char *path, const struct qp_genview *g, char *err,
			 size_t errlen);
/* Per request: steps, ttft_us, itl_us[]: {"generation": qp_genview_json()};
 * -1 with the message in err. */
int qp_genview_write_json(const char *path, const struct qp_genview *g, char *err,
			  size_t errlen);
/* The per-exec-object array of --generation-json, also the "generation"
 * key of qprof-report --json (write_json.c); NULL when out of memory. */
json_t *qp_genview_json(const struct qp_genview *g);
/* Exec objects with at least one step in the view (0 for NULL). */
size_t qp_genview_nstreams(const struct qp_genview *g);
/* How both JSON outputs are dumped. */
#define QP_GENVIEW_JSON_FLAGS (JSON_INDENT(1) | JSON_REAL_PRECISION(12))

#endif /* QPROF_POST_GENVIEW_H */
