// SPDX-License-Identifier: MIT
/*
 * Atomic output files (outfile.h): a reader of the destination sees either
 * the old file or the complete new one, never a half-written report.
 */
#include <errno.h>
#include <limits.h>
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

static _Thread_local struct qp_outset *outset;	/* qp_outset_begin */

/* In a set: keep the rename for qp_outset_commit (true when kept). */
static bool defer_rename(struct qp_outfile *o)
{
	struct qp_outset *s = outset;
	char **t, **p;

	if (!s)
		return false;
	t = realloc(s->tmp, (s->n + 1) * sizeof(*t));
	if (t)
		s->tmp = t;
	p = t ? realloc(s->path, (s->n + 1) * sizeof(*p)) : NULL;
	if (p)
		s->path = p;
	if (!t || !p) {
		s->failed = true;	/* renamed now: the set cannot hold it */
		return false;
	}
	s->tmp[s->n] = o->tmp;
	s->path[s->n++] = o->path;
	return true;
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
	if (!e && defer_rename(o)) {
		memset(o, 0, sizeof(*o));	/* the set owns both paths */
		return 0;
	}
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

void qp_outset_begin(struct qp_outset *s)
{
	memset(s, 0, sizeof(*s));
	outset = s;
}

static void outset_free(struct qp_outset *s, size_t from)
{
	size_t i;

	for (i = from; i < s->n; i++)
		unlink(s->tmp[i]);
	for (i = 0; i < s->n; i++) {
		free(s->tmp[i]);
		free(s->path[i]);
	}
	free(s->tmp);
	free(s->path);
	if (outset == s)
		outset = NULL;
	memset(s, 0, sizeof(*s));
}

int qp_outset_commit(struct qp_outset *s, char *err, size_t errlen)
{
	size_t i;

	if (outset == s)
		outset = NULL;
	for (i = 0; i < s->n; i++) {
		if (rename(s->tmp[i], s->path[i])) {
			snprintf(err, errlen, "%s: write error: %s", s->path[i],
				 strerror(errno));
			outset_free(s, i);
			return -1;
		}
	}
	outset_free(s, s->n);
	return 0;
}

void qp_outset_abort(struct qp_outset *s)
{
	outset_free(s, 0);
}

/* The real path of an output that may not exist yet: its directory's. */
static bool output_real(const char *path, char *out)
{
	char dir[PATH_MAX], *slash;
	const char *base;

	if (realpath(path, out))
		return true;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir) {
		base = path + 1;
		snprintf(dir, sizeof(dir), "/");
	} else if (slash) {
		*slash = '\0';
		base = path + (slash - dir) + 1;
	} else {
		base = path;
		snprintf(dir, sizeof(dir), ".");
	}
	if (!realpath(dir, out))
		return false;
	if (strlen(out) + 1 + strlen(base) >= PATH_MAX)
		return false;
	if (strcmp(out, "/"))
		strcat(out, "/");
	strcat(out, base);
	return true;
}

bool qp_same_output(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];

	if (!strcmp(a, b))
		return true;
	if (!strcmp(a, "-") || !strcmp(b, "-"))
		return false;
	return output_real(a, ra) && output_real(b, rb) && !strcmp(ra, rb);
}

bool qp_path_within(const char *path, const char *dir)
{
	char rp[PATH_MAX], rd[PATH_MAX];
	size_t n;

	if (!output_real(path, rp) || !realpath(dir, rd))
		return false;
	n = strlen(rd);
	return !strncmp(rp, rd, n) && (rp[n] == '/' || rp[n] == '\0' ||
				       !strcmp(rd, "/"));
}
