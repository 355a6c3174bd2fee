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

/*
 * Several outputs, all or none.  Between qp_outset_begin() and
 * qp_outset_commit() / qp_outset_abort(), qp_outfile_commit() in this
 * thread writes, flushes and fsyncs the temporary but defers its rename to
 * the set: when any output fails, qp_outset_abort() removes every
 * temporary and no destination has changed; qp_outset_commit() then
 * renames them all (renames in one directory do not fail for want of
 * space).  Standard output is not deferred: write it last.
 */
struct qp_outset {
	char **tmp, **path;	/* deferred renames */
	size_t n;
	bool failed;		/* out of memory while deferring */
};

void qp_outset_begin(struct qp_outset *s);
/* Renames every deferred file; 0, or -1 with err (later ones removed). */
int qp_outset_commit(struct qp_outset *s, char *err, size_t errlen);
void qp_outset_abort(struct qp_outset *s);

/* Do a and b name the same file (the same inode, or the same path)? */
bool qp_same_output(const char *a, const char *b);
/* Is path (existing or not) dir itself or somewhere below it? */
bool qp_path_within(const char *path, const char *dir);

#endif /* QPROF_POST_OUTFILE_H */
