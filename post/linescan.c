// SPDX-License-Identifier: MIT
/*
 * The line cursor shared by the device-level parsers (linescan.h).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "linescan.h"

void qp_scan_init(struct qp_scan *s, const char *path, const char *text,
		  size_t len, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->path = path;
	s->p = text;
	s->end = text + len;
	s->lb = s->le = s->c = text;
	s->err = err;
	s->errlen = errlen;
}

bool qp_scan_next(struct qp_scan *s)
{
	const char *nl;

	if (s->p >= s->end)
		return false;
	s->line++;
	nl = memchr(s->p, '\n', s->end - s->p);
	s->lb = s->c = s->p;
	s->le = nl ? nl : s->end;
	s->p = nl ? nl + 1 : s->end;
	if (s->le > s->lb && s->le[-1] == '\r')
		s->le--;
	return true;
}

int qp_scan_fail(struct qp_scan *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!s->errlen)
		return -1;
	n = snprintf(s->err, s->errlen, "%s:%lu: ", s->path, s->line);
	if (n < 0 || (size_t)n >= s->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(s->err + n, s->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

bool qp_scan_blank_line(const struct qp_scan *s)
{
	const char *q;

	for (q = s->lb; q < s->le; q++)
		if (!blank(*q))
			return false;
	return true;
}

bool qp_scan_starts(const struct qp_scan *s, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(s->le - s->lb) >= n && !memcmp(s->lb, lit, n);
}

void qp_scan_blanks(struct qp_scan *s)
{
	while (s->c < s->le && blank(*s->c))
		s->c++;
}

bool qp_scan_lit(struct qp_scan *s, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(s->le - s->c) < n || memcmp(s->c, lit, n))
		return false;
	s->c += n;
	return true;
}

bool qp_scan_blit(struct qp_scan *s, const char *lit)
{
	const char *keep = s->c;

	qp_scan_blanks(s);
	if (qp_scan_lit(s, lit))
		return true;
	s->c = keep;
	return false;
}

bool qp_scan_peek(const struct qp_scan *s, const char *lit)
{
	struct qp_scan t = *s;

	return qp_scan_blit(&t, lit);
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* x * 10 + d without overflow; false if it would overflow. */
static bool mul10_add(uint64_t *x, unsigned d)
{
	if (*x > (UINT64_MAX - d) / 10)
		return false;
	*x = *x * 10 + d;
	return true;
}

bool qp_scan_u64(struct qp_scan *s, uint64_t *v)
{
	const char *q = s->c;
	uint64_t x = 0;

	while (q < s->le && digit(*q))
		if (!mul10_add(&x, (unsigned)(*q++ - '0')))
			return false;
	if (q == s->c)
		return false;
	*v = x;
	s->c = q;
	return true;
}

bool qp_scan_u64_grouped(struct qp_scan *s, uint64_t *v)
{
	const char *keep = s->c, *q;
	uint64_t x = 0;
	int digits = 0, group = -1;

	qp_scan_blanks(s);
	for (q = s->c; q < s->le; q++) {
		if (digit(*q)) {
			digits++;
			if ((group >= 0 && ++group > 3) ||
			    !mul10_add(&x, (unsigned)(*q - '0')))
				goto bad;
		} else if (*q == ',' && digits && (group < 0 ? digits <= 3 : group == 3) &&
			   q + 1 < s->le && digit(q[1])) {
			group = 0;
		} else {
			break;
		}
	}
	if (!digits || (group >= 0 && group != 3))
		goto bad;
	*v = x;
	s->c = q;
	return true;
bad:
	s->c = keep;
	return false;
}

bool qp_scan_double(struct qp_scan *s, double *v)
{
	char buf[64], *end;
	const char *q = s->c;
	size_t n;

	/* the characters a decimal number may hold; strtod decides */
	while (q < s->le && (digit(*q) || *q == '.' || *q == '-' || *q == '+' ||
			     *q == 'e' || *q == 'E'))
		q++;
	n = (size_t)(q - s->c);
	if (!n || n >= sizeof(buf) || !(digit(*s->c) || *s->c == '-' || *s->c == '.'))
		return false;
	memcpy(buf, s->c, n);
	buf[n] = '\0';
	errno = 0;
	*v = strtod(buf, &end);
	if (end == buf || errno == ERANGE || !isfinite(*v))
		return false;
	s->c += end - buf;
	return true;
}

bool qp_scan_word(struct qp_scan *s, const char **b, size_t *n)
{
	const char *q = s->c;

	while (q < s->le && !blank(*q))
		q++;
	if (q == s->c)
		return false;
	*b = s->c;
	*n = (size_t)(q - s->c);
	s->c = q;
	return true;
}

bool qp_scan_eol(struct qp_scan *s)
{
	qp_scan_blanks(s);
	return s->c == s->le;
}

char *qp_scan_rest(struct qp_scan *s)
{
	const char *e = s->le;

	while (e > s->c && blank(e[-1]))
		e--;
	return strndup(s->c, (size_t)(e - s->c));
}

void qp_scan_quote(const struct qp_scan *s, char *buf, size_t len)
{
	size_t n = (size_t)(s->le - s->lb);

	snprintf(buf, len, "'%.*s%s'", (int)(n > 80 ? 80 : n), s->lb,
		 n > 80 ? "..." : "");
}

int qp_slurp(const char *path, size_t max, char **text, size_t *len,
	     char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	struct stat st;
	char *buf = NULL, *nul;
	size_t n;

	*text = NULL;
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if ((uint64_t)st.st_size > max) {
		snprintf(err, errlen, "%s: too large (%lld bytes; at most %zu)",
			 path, (long long)st.st_size, max);
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
		goto fail;
	}
	buf[n] = '\0';
	nul = memchr(buf, '\0', n);
	if (nul) {
		unsigned long line = 1;
		const char *q;

		for (q = buf; q < nul; q++)
			line += *q == '\n';
		snprintf(err, errlen, "%s:%lu: NUL byte: not a text file", path, line);
		goto fail;
	}
	fclose(f);
	*text = buf;
	*len = n;
	return 0;
fail:
	free(buf);
	fclose(f);
	return -1;
}
