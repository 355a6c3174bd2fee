/* SPDX-License-Identifier: MIT */
/*
 * A line cursor for the small text formats of the device-level inputs
 * (opstats summaries, compile perf-metrics, qaic-util -q): every parser
 * reads a line, then takes literals, numbers and words from it, and a
 * failure names the file and the line ("PATH:LINE: message").
 */
#ifndef QPROF_POST_LINESCAN_H
#define QPROF_POST_LINESCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct qp_scan {
	const char *path;
	const char *p, *end;	/* text not read yet */
	unsigned long line;	/* number of the current line (1-based) */
	const char *lb, *le;	/* the current line, without its end of line */
	const char *c;		/* cursor in the current line */
	char *err;
	size_t errlen;
};

void qp_scan_init(struct qp_scan *s, const char *path, const char *text,
		  size_t len, char *err, size_t errlen);
/* Next line (a final line without '\n' counts; "\r\n" is cut); false at end. */
bool qp_scan_next(struct qp_scan *s);
/* Sets err to "PATH:LINE: message"; returns -1. */
int qp_scan_fail(struct qp_scan *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The current line is empty or blank. */
bool qp_scan_blank_line(const struct qp_scan *s);
/* The current line starts with @lit (cursor not moved). */
bool qp_scan_starts(const struct qp_scan *s, const char *lit);
void qp_scan_blanks(struct qp_scan *s);
/* Consume @lit at the cursor; false (cursor kept) if it is not there. */
bool qp_scan_lit(struct qp_scan *s, const char *lit);
/* Blanks, then @lit (cursor kept when it is not there). */
bool qp_scan_blit(struct qp_scan *s, const char *lit);
/* Blanks, then @lit: true if it is there; the cursor does not move. */
bool qp_scan_peek(const struct qp_scan *s, const char *lit);
/* The byte at the cursor, '\0' at the end of the line. */
static inline char qp_scan_ch(const struct qp_scan *s)
{
	return s->c < s->le ? *s->c : '\0';
}
/* Decimal digits at the cursor (false if the value exceeds 2^64 - 1). */
bool qp_scan_u64(struct qp_scan *s, uint64_t *v);
/* Blanks then an integer with optional thousands commas ("6,640,631,808"). */
bool qp_scan_u64_grouped(struct qp_scan *s, uint64_t *v);
/* A decimal number at the cursor ([-]ddd[.ddd][e[-]dd]), as strtod reads it. */
bool qp_scan_double(struct qp_scan *s, double *v);
/* A run of non-blank bytes; [*b, *b + *n). */
bool qp_scan_word(struct qp_scan *s, const char **b, size_t *n);
/* Only blanks remain on the line. */
bool qp_scan_eol(struct qp_scan *s);
/* The rest of the line after the cursor, trailing blanks cut, as a new string. */
char *qp_scan_rest(struct qp_scan *s);
/* Up to 80 bytes of the line for messages: "'text...'". */
void qp_scan_quote(const struct qp_scan *s, char *buf, size_t len);

/*
 * Read a whole file (at most @max bytes; larger is an error) into a
 * NUL-terminated buffer.  A NUL byte inside is an error naming its line.
 * 0, or -1 with @err set.
 */
int qp_slurp(const char *path, size_t max, char **text, size_t *len,
	     char *err, size_t errlen);

#endif /* QPROF_POST_LINESCAN_H */
