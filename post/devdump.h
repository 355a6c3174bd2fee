/* SPDX-License-Identifier: MIT */
/*
 * Runtime latency files aic-profiling-program-<P>-latency.txt
 * (docs/CONTRACTS.md §3.1): parser (devdump.c), latency_stats-style summary
 * (latstats.c), and the merge of their device columns into a model's
 * inferences (dumpmerge.c); docs/REPORT-FORMATS.md.
 */
#ifndef QPROF_POST_DEVDUMP_H
#define QPROF_POST_DEVDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"

/*
 * One parsed file, stored by column.  Columns are mapped by NAME (qp_metric
 * columns of model.h plus "Sample"); unknown columns are ignored.  col[m] is
 * NULL when the file has no such column; a cell holding "N/A" is NaN and
 * counted in na[m].
 */
struct qp_dump {
	char *path;
	uint32_t program_id;		/* ProgramId:<P> */
	char *program_name;		/* ProgramName: <name> */
	uint64_t num_collected, num_requested;
	size_t nrows;
	uint64_t *sample;		/* Sample column */
	double *col[QP_M__COUNT];
	size_t na[QP_M__COUNT];
	int8_t order[QP_M__COUNT];	/* known columns in file order */
	size_t ncols;
};

/*
 * Parse @path.  Returns 0, or -1 with @err set to "PATH:LINE: message"
 * (truncated header, wrong field count, bad number, missing column, ...).
 * On error @d holds nothing to free.
 */
int qp_dump_load(const char *path, struct qp_dump *d, char *err, size_t errlen);
void qp_dump_free(struct qp_dump *d);

/*
 * The cell number parser on its own: [b, e) holds a number (no padding).
 * Gives exactly strtod's value; 0, or -1 when strtod would not accept it
 * all (or it is out of range).  Cells take a fast path for "ddd[.ddd]"
 * (<= 19 digits, mantissa <= 2^53), everything else goes through strtod.
 */
int qp_dump_parse_number(const char *b, const char *e, double *out);

/* true when column m is present and holds no N/A. */
bool qp_dump_has(const struct qp_dump *d, enum qp_metric m);

/*
 * A set of dumps: every aic-profiling-program-*-latency.txt of a directory,
 * or a single file, appended in ProgramId order.
 */
struct qp_dump_set {
	struct qp_dump *d;
	size_t n;
};

/* Add @path (a file, or a directory to scan).  0, or -1 with @err. */
int qp_dump_set_add(struct qp_dump_set *s, const char *path,
		    char *err, size_t errlen);
void qp_dump_set_free(struct qp_dump_set *s);

/*
 * Print what latency_stats_python3.py prints for these files ("All
 * activations combined:" table of mean min 50% 75% 90% 95% 99% max in ms,
 * columns holding N/A omitted, last line "totalRoundtripTime:
 * percentile(mean) = X ms"), byte for byte as pandas renders it.
 * keep_middle_pct <= 0 keeps everything (else like the script's -k, per
 * file).  Returns 0, or -1 when there is nothing to summarise.
 */
int qp_dump_summary_print(FILE *f, const struct qp_dump *const *dumps,
			  size_t n, double keep_middle_pct);

/*
 * Indexes (into m->inf) of the enqueues of program @prog in enqueue-entry
 * order: element k is the inference the runtime numbers Sample k (enqueues
 * the runtime refused, failed before any EXECUTE, are left out).  Caller
 * frees; NULL on allocation failure.
 */
uint32_t *qp_program_samples(const struct qp_model *m, uint32_t prog,
			     size_t *n);

/* ---- merge into a model --------------------------------------------- */

struct qp_merge_opts {
	int32_t pid;		/* only programs of this process; 0: any */
	double max_mismatch;	/* refuse above this fraction; <= 0: 0.01 */
	unsigned window;	/* search +-window around Sample; 0: 16 */
};

struct qp_merge_result {
	uint64_t rows;		/* rows read */
	uint64_t matched;	/* rows merged (kernel integers confirmed) */
	uint64_t mismatched;	/* a candidate existed, integers differ */
	uint64_t unmatched;	/* no recorded inference for the row */
	uint64_t no_device;	/* rows with N/A device columns (nothing to add) */
};

/*
 * Merge the device columns of @s into @m: dump of program name N (ProgramId
 * order) <-> program N of the model (creation order); row with Sample k <->
 * the k-th enqueue of that program (enqueue-entry order), confirmed by
 * exectoVcUs == submit_latency_us and execToCompleteUs == device_latency_us
 * (nearest confirmed candidate within +-window, for enqueues racing on
 * several threads).  Sets dev_exec/in/out wait, QP_F_HAS_DEV and the
 * program's batch (devInfPerSec x devExecUs / 1e6, rounded).
 *
 * Returns 0, or -1 with @err for an ambiguous merge (no or several
 * candidate programs, several processes, more than max_mismatch of the rows
 * contradicted by the kernel integers); the model is then left unchanged.
 */
int qp_dump_merge(struct qp_model *m, const struct qp_dump_set *s,
		  const struct qp_merge_opts *o, struct qp_merge_result *r,
		  char *err, size_t errlen);

#endif /* QPROF_POST_DEVDUMP_H */
