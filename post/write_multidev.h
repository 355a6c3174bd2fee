/* SPDX-License-Identifier: MIT */
/*
 * The report's figures of programs over several devices (devMapping) and
 * of failed inferences by cause, for the summary and the JSON report
 * (write_multidev.c; docs/REPORT.md, "Programs over several devices" and
 * "Failures").  The writers call these; each adds its own section.
 */
#ifndef QPROF_POST_WRITE_MULTIDEV_H
#define QPROF_POST_WRITE_MULTIDEV_H

#include <stdio.h>

#include <jansson.h>

#include "stats.h"
#include "writers.h"

/* One device of a program over several, over its selected inferences. */
struct qp_devfig {
	char name[64];		/* "accel2" (qp_device_name) */
	uint32_t dbc_id;	/* the DBC of its latest inference */
	size_t inferences;	/* completed inferences with a part on it */
	size_t last;		/* ... of which it was the straggler (largest
				 * exectoVc + execToComplete, the record's) */
	size_t done_last;	/* ... of which it completed last (estimated) */
	/* µs, from its wait handle's perf stats: exectoVc, execToComplete,
	 * and how long after the inference's first device it completed */
	struct qp_stats exec_to_vc, exec_to_complete, behind_first;
};

/*
 * The devices of program prog's completed, selected inferences over
 * several devices, in order of first use; *n = 0 (and NULL) when it has
 * none.  -1 when out of memory.  Free *out with free().
 */
int qp_devfigs(const struct qp_model *m, const struct qp_write_opts *o,
	       uint32_t prog, struct qp_devfig **out, size_t *n);

/* Summary: program prog's per-device section (nothing for one device). */
int qp_summary_devices(FILE *f, const struct qp_model *m,
		       const struct qp_write_opts *o, uint32_t prog);
/* Summary: failures by cause, interrupted calls, restarts (accounting). */
void qp_summary_failures(FILE *f, const struct qp_model *m);

/* JSON: program prog's "devices" and "straggler" (nothing for one device). */
int qp_json_devices(json_t *prog_obj, const struct qp_model *m,
		    const struct qp_write_opts *o, uint32_t prog);
/* JSON: accounting's "failed_by_cause", "interrupted", "restarts". */
void qp_json_failures(json_t *acc, const struct qp_model *m);
/* JSON: inference k's "devices" and "straggler" (one device: nothing). */
void qp_json_inf_devices(json_t *inf_obj, const struct qp_model *m, size_t k);

#endif /* QPROF_POST_WRITE_MULTIDEV_H */
