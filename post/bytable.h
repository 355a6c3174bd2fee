/* SPDX-License-Identifier: MIT */
/*
 * Breakdown tables (qprof-report --by KEY; docs/REPORT.md, "Breakdown
 * tables"): the selected completed inferences grouped by program, thread,
 * queue or call site, each row with the round trip's statistics and the
 * mean of each boundary phase.
 */
#ifndef QPROF_POST_BYTABLE_H
#define QPROF_POST_BYTABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"
#include "stats.h"

enum qp_by_key {
	QP_BY_PROGRAM,	/* the program; kernel-only: (process, dbc_id) */
	QP_BY_THREAD,	/* the enqueueing thread (process, tid) */
	QP_BY_QUEUE,	/* the queue handle */
	QP_BY_CALLSITE,	/* the call site of the enqueue */
	QP_BY__COUNT
};

/* The phases a row gives the mean of, in the table's column order. */
enum qp_by_phase { QP_BY_ENQ, QP_BY_PRE_PROC, QP_BY_EXEC_TOTAL, QP_BY_POST_PROC,
		   QP_BY_PHASE__COUNT };

/* "program", "thread", "queue", "callsite". */
const char *qp_by_name(enum qp_by_key key);

/* The key named s, or -1. */
int qp_by_parse(const char *s);

struct qp_by_row {
	uint64_t key;		/* the group's key (internal, stable within m) */
	size_t first;		/* first inference of the group: labels the row */
	/* round trip, µs: totalRoundtripTime, execTotal for kernel-only */
	struct qp_stats rt;
	/* mean per phase, µs, over the inferences that have it; NaN: none */
	double phase_mean_us[QP_BY_PHASE__COUNT];
};

/*
 * The rows of the table by key of m's inferences with sel[i] set (sel
 * NULL: all, as qp_write_opts.select) that completed (QP_INF_OK), in the
 * order of their first inference.  *rows is
 * to free() (NULL when there is none).  0, or -1 when out of memory.
 */
int qp_by_rows(const struct qp_model *m, const uint8_t *sel,
	       enum qp_by_key key, struct qp_by_row **rows, size_t *nrows);

/*
 * A row's label, from its first inference: "NAME (pid P)", "dbcN (pid P,
 * kernel-only)", "pid P tid T", "queue 0xH (pid P)", a call site's symbol
 * or "0xIP (pid P)".  Names from the trace are escaped (escape.h).
 */
void qp_by_label(const struct qp_model *m, const struct qp_inference *inf,
		 enum qp_by_key key, char *buf, size_t len);

/* The table as qprof-report prints it (ms), to f; sel as for qp_by_rows.
 * 0, or -1 (out of memory). */
int qp_by_table_print(FILE *f, const struct qp_model *m, const uint8_t *sel,
		      enum qp_by_key key);

#endif /* QPROF_POST_BYTABLE_H */
