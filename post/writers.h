/* SPDX-License-Identifier: MIT */
/*
 * Report writers (docs/REPORT-FORMATS.md).  Each takes the model and the
 * options below; statistics only ever use inferences in state QP_INF_OK
 * that the selection keeps, and every value comes from qp_metric_value().
 *
 * Writers taking a path write atomically (outfile.h): on error an existing
 * file is left untouched.  They return 0, or -1 with @err set.
 */
#ifndef QPROF_POST_WRITERS_H
#define QPROF_POST_WRITERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"

struct qp_merge_result;	/* devdump.h */
struct qp_devreport;	/* devreport.h */
struct qp_read_stats;	/* reader.h */

/* The default cap on a Chrome trace's events (about 60 MB). */
#define QP_CHROME_MAX_EVENTS 500000

/* --chrome-trace: what the timeline holds (docs/REPORT-FORMATS.md). */
struct qp_chrome_opts {
	/* only inferences enqueued in [begin, end) ns after the first one */
	bool window;
	uint64_t begin_ns, end_ns;	/* end 0: to the end */
	/* at most about this many events (0: no cap); the inferences past
	 * it are left out and counted in otherData */
	uint64_t max_events;
};

struct qp_genview;

struct qp_write_opts {
	/*
	 * Per-inference selection computed by the caller (filters --program,
	 * --pid, windowing --start-iter/--num-samples/--keep-middle):
	 * select[i] != 0 keeps m->inf[i].  NULL keeps all.
	 */
	const uint8_t *select;
	/* JSON: add one record per selected inference. */
	bool per_inference;
	/* Summary: device-dump merge outcome to print (NULL: none merged). */
	const struct qp_merge_result *merge;
	/* Summary: a note printed under the title (e.g. window), or NULL. */
	const char *note;
	/* Summary: --pid (0: all): the title counts that process only. */
	int32_t pid;
	/*
	 * --pool-programs: the all-programs section pools the inferences of
	 * different programs into one set of statistics; by default it lists
	 * each program's own figures side by side.
	 */
	bool pool_programs;
	/* Chrome trace: window and cap (NULL: no window, default cap). */
	const struct qp_chrome_opts *chrome;
	/* JSON: the --by tables (enum qp_by_key, bytable.h), as the summary's. */
	const int *by;
	size_t nby;
	/* HTML: the reader's figures (per-stream losses), or NULL. */
	const struct qp_read_stats *stats;
	/* JSON "device", Chrome device operators: device-level inputs, or NULL. */
	const struct qp_devreport *device;
	/* JSON "generation" (genview.h), or NULL. */
	const struct qp_genview *genview;
};

/* Human-readable summary (default output of qprof-report). */
int qp_write_summary(FILE *f, const struct qp_model *m,
		     const struct qp_write_opts *o);

/*
 * One aic-profiling-program-<P>-latency.txt per program with completed
 * inferences, P = the program's index in m->programs; DIR must exist.
 */
int qp_write_csv_dir(const char *dir, const struct qp_model *m,
		     const struct qp_write_opts *o, char *err, size_t errlen);
/* The same format for program index @prog, to a stream. */
int qp_write_csv(FILE *f, const struct qp_model *m, uint32_t prog,
		 const struct qp_write_opts *o);

/*
 * The CSV's number cells: exactly what snprintf(dst, size, "%.3f" / "%.0f",
 * v) writes (NUL-terminated), without stdio for the usual values.  Return
 * the length written.
 */
size_t qp_fmt_fixed3(char *dst, size_t size, double v);
size_t qp_fmt_int0(char *dst, size_t size, double v);

/* JSON, schema "qprof-report/2" (docs/REPORT-FORMATS.md). */
int qp_write_json(const char *path, const struct qp_model *m,
		  const struct qp_write_opts *o, char *err, size_t errlen);

/*
 * --chrome-window START:END, seconds after the first inference's enqueue
 * (decimals allowed; START or END may be empty: from the start, to the
 * end).  Sets c->window, begin_ns, end_ns; -1 when s is malformed or
 * END <= START.
 */
int qp_chrome_parse_window(const char *s, struct qp_chrome_opts *c);

/* Trace Event Format (Perfetto / chrome://tracing). */
int qp_write_chrome(const char *path, const struct qp_model *m,
		    const struct qp_write_opts *o, char *err, size_t errlen);

#endif /* QPROF_POST_WRITERS_H */
