/* SPDX-License-Identifier: MIT */
/*
 * The device-level part of a report (devreport.c): the inputs of
 * --opstats, --compile-metrics and --device-trace, and the device
 * environment recorded with a trace (qaic-util -q), loaded, analysed and
 * written into the summary, the JSON ("device") and the Chrome trace (the
 * device operators on the host's clock).  The parsers and analyses are
 * opstats.h, compmetrics.h, devtrace.h and devenv.h; this is the glue.
 */
#ifndef QPROF_POST_DEVREPORT_H
#define QPROF_POST_DEVREPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "compmetrics.h"
#include "devenv.h"
#include "devtrace.h"
#include "model.h"
#include "opstats.h"

#define QP_DEVREPORT_TOPN 5	/* top operators per core */

struct qp_devreport_opts {
	const char **opstats;		/* files or directories */
	size_t nopstats;
	const char *compile_metrics;	/* or NULL */
	const char *device_trace;	/* or NULL */
	const char **trace_dirs;	/* searched for the recorded environment */
	size_t ntrace_dirs;
	int32_t pid;			/* --pid: alignment candidates */
};

struct qp_devreport {
	struct qp_opstats_set ops;
	struct qp_opstats_view *views;	/* one per ops.v[k] */
	bool has_cm;
	struct qp_compile_metrics cm;
	struct qp_cm_view cmv;
	bool has_dt;
	struct qp_devtrace dt;
	bool aligned;			/* al is valid */
	struct qp_devalign al;
	char *align_note;		/* why not aligned (no trace, ...), or NULL */
	bool has_env;
	struct qp_env env;
};

/*
 * Load and analyse every input of @o (the device trace is aligned later,
 * with the model).  0, or -1 with @err naming the file (and line).
 */
int qp_devreport_load(struct qp_devreport *d, const struct qp_devreport_opts *o,
		      char *err, size_t errlen);
/*
 * Align the device trace to @m (nothing without one).  A trace that cannot
 * be aligned is an error: 0, or -1 with @err.
 */
int qp_devreport_align(struct qp_devreport *d, const struct qp_model *m,
		       int32_t pid, char *err, size_t errlen);
/* Anything to print? */
bool qp_devreport_any(const struct qp_devreport *d);
void qp_devreport_free(struct qp_devreport *d);

/* The environment header (nothing when none was recorded). */
int qp_devreport_env_summary(FILE *f, const struct qp_devreport *d);
/* The device sections: opstats, compile metrics, device trace. */
int qp_devreport_summary(FILE *f, const struct qp_devreport *d, bool brief);
/* The "device" object of the JSON report (new reference, NULL: OOM). */
json_t *qp_devreport_json(const struct qp_devreport *d, const struct qp_model *m);
/*
 * Chrome trace events of the aligned device operators (one process per
 * device core, "device <program> core <n>"), each preceded by ",\n" or
 * "\n" as *first says; ts in µs of the host's trace clock, like the
 * host's slices.  Only inferences with @drawn[host index] set (NULL: all):
 * the timeline's window and cap.
 */
int qp_devreport_chrome(FILE *f, const struct qp_devreport *d,
			const uint8_t *drawn, bool *first);

/*
 * qprof-report with device inputs and no host trace (like --latency-stats):
 * the summary on stdout (unless @quiet), the JSON "device" object to @json
 * (or NULL).  0, or -1 with @err.
 */
int qp_devreport_standalone(const struct qp_devreport_opts *o, const char *json,
			    bool quiet, bool brief, char *err, size_t errlen);

#endif /* QPROF_POST_DEVREPORT_H */
