/* SPDX-License-Identifier: MIT */
/*
 * --html FILE: one self-contained HTML page (docs/REPORT-FORMATS.md,
 * "HTML").  The page holds its data as JSON, the charting library d3.js
 * (Debian's libjs-d3, read at run time and inlined) and the renderer
 * (post/html_report.js, compiled in); it fetches nothing, and a
 * Content-Security-Policy forbids it to.  Every string from the trace is
 * JSON data, rendered as text by the renderer, never as markup.
 */
#ifndef QPROF_POST_HTML_H
#define QPROF_POST_HTML_H

#include <stddef.h>

#include "compare.h"
#include "writers.h"

struct qp_read_stats;	/* reader.h */

/*
 * The d3.js file the page inlines: $QPROF_D3_JS when set, else the path
 * configure found (--with-d3, default Debian's
 * /usr/share/javascript/d3/d3.min.js).
 */
const char *qp_html_d3_path(void);
/* 0 when it can be read; -1 with a message saying what to install in err. */
int qp_html_check_d3(char *err, size_t errlen);

/* Most points a latency-over-time chart draws (docs: the reduction). */
#define QP_HTML_MAX_POINTS 4000
/* Slowest inferences listed per program. */
#define QP_HTML_SLOWEST 20

/*
 * The report of m: per program the latency histograms and CDFs of each
 * phase, latency over time, the waiting/working split of the mean and
 * the tail, the slowest inferences, the findings; the --by tables
 * (program, thread, queue, call site) and the accounting.  st (may be
 * NULL): the per-stream losses.
 */
int qp_write_html(const char *path, const struct qp_model *m,
		  const struct qp_write_opts *o, const struct qp_read_stats *st,
		  char *err, size_t errlen);

/* The comparison of two runs (--compare ... --html FILE). */
int qp_write_html_compare(const char *path, const struct qp_cmp_report *r,
			  char *err, size_t errlen);

#endif /* QPROF_POST_HTML_H */
