/* SPDX-License-Identifier: MIT */
/*
 * Atomic output files: data goes to a temporary file in the destination's
 * directory; qp_outfile_commit() flushes, fsyncs and renames it over the
 * destination.  On any error (or qp_outfile_abort) the temporary is removed
 * and an existing destination is left untouched, never half-written.
 */
#ifndef QPROF_POST_OUTFILE_H
#define QPROF_POST_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct qp_outfile {
	FILE *f;		/* write here */
	char *path;		/* destination */
	char *tmp;		/* temporary in the same directory */
};

/* "-" means stdout (no temporary; commit just flushes). */
int qp_outfile_open(struct qp_outfile *o, const char *path,
		    char *err, size_t errlen);
/* Returns 0, or -1 with err "PATH: write error: ..." (temp removed). */
int qp_outfile_commit(struct qp_outfile *o, char *err, size_t errlen);
/*
 * A hint while writing a large file: what was written so far may go to
 * disk now (fflush + sync_file_range, asynchronous), so that the fsync of
 * qp_outfile_commit() finds little left to wait for.  Errors are left to
 * the commit.
 */
void qp_outfile_writeback(FILE *f);
/* Discard: remove the temporary, keep the destination as it was. */
void qp_outfile_abort(struct qp_outfile *o);

#endif /* QPROF_POST_OUTFILE_H */
