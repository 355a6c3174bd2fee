// SPDX-License-Identifier: MIT
/*
 * Atomic output files (outfile.h): a reader of the destination sees either
 * the old file or the complete new one, never a half-written report.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outfile.h"

int qp_outfile_open(struct qp_outfile *o, const char *path,
		    char *err, size_t errlen)
{
	int fd;

	memset(o, 0, sizeof(*o));
	if (!strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	o->path = strdup(path);
	if (!o->path || asprintf(&o->tmp, "%s.tmpXXXXXX", path) < 0) {
		o->tmp = NULL;
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	/* same directory as the destination, so rename() is atomic */
	fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create: %s", path,
			 strerror(errno));
		goto fail;
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(o->tmp);
		goto fail;
	}
	/* mkostemp creates 0600; a report is an ordinary file */
	{
		mode_t mask = umask(0);

		umask(mask);
		/* on failure keep 0600: not worth failing the report */
		(void)!fchmod(fd, 0666 & ~mask);
	}
	return 0;
fail:
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
	return -1;
}

int qp_outfile_commit(struct qp_outfile *o, char *err, size_t errlen)
{
	int e = 0;

	if (!o->f)
		return -1;
	if (!o->tmp) {		/* stdout */
		o->f = NULL;
		if (fflush(stdout) || ferror(stdout)) {
			snprintf(err, errlen, "stdout: write error: %s",
				 strerror(errno));
			return -1;
		}
		return 0;
	}
	if (fflush(o->f) || ferror(o->f) || fsync(fileno(o->f)))
		e = errno ? errno : EIO;
	if (fclose(o->f) && !e)
		e = errno ? errno : EIO;
	o->f = NULL;
	if (!e && rename(o->tmp, o->path))
		e = errno;
	if (e) {
		snprintf(err, errlen, "%s: write error: %s", o->path, strerror(e));
		unlink(o->tmp);
	}
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
	return e ? -1 : 0;
}

void qp_outfile_writeback(FILE *f)
{
	if (f && f != stdout && !fflush(f))
		sync_file_range(fileno(f), 0, 0, SYNC_FILE_RANGE_WRITE);
}

void qp_outfile_abort(struct qp_outfile *o)
{
	if (o->f && o->tmp) {
		fclose(o->f);
		unlink(o->tmp);
	}
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
}
