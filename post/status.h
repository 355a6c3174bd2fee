/* SPDX-License-Identifier: MIT */
/*
 * An error status with its chain of causes: what failed, and why, down to
 * the root cause, each link optionally at a place of an input ("FILE:LINE"
 * or "FILE").  Formatted outermost first:
 *
 *	FILE:LINE: what was being done: because why: because root cause
 *
 * A status lives in the caller (no allocation: "out of memory" can always
 * be reported), starts as QP_STATUS_INIT (success, no text: nothing is
 * ever read from an uninitialised buffer), and says what kind of failure
 * it holds in its code, so that callers decide on the code, never on the
 * text or on a mix of -1 / -errno returns.
 *
 *	struct qp_status st = QP_STATUS_INIT;
 *	if (qp_read_traces_threads(..., &st))	// the root cause set inside
 *		...
 *	qp_status_wrap(&st, "reading %s", dir);	// what the caller was doing
 *	if (st.code == QP_E_NOMEM) ...
 *	qp_status_format(&st, buf, sizeof(buf));
 */
#ifndef QPROF_POST_STATUS_H
#define QPROF_POST_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum qp_code {
	QP_OK = 0,
	QP_E_NOMEM,	/* out of memory */
	QP_E_INPUT,	/* bad input: the links name the file (and line) */
	QP_E_DECODE,	/* babeltrace2 could not decode a trace: the file at
			 * fault may be unknown (guard.h finds it) */
	QP_E_SYSTEM,	/* the system refused: I/O, threads, a temporary file */
	QP_E_SINK,	/* an event consumer stopped the reading: value is its
			 * return */
	QP_E_CANCELED,	/* stopped because something else failed */
	QP_E__COUNT
};

#define QP_STATUS_LINKS	8	/* links kept (the outermost and root first) */
#define QP_STATUS_TEXT	2048	/* bytes of text of all the links */

struct qp_status {
	enum qp_code code;
	int value;		/* QP_E_SINK: the consumer's return; else an
				 * errno when one is known, or 0 */
	unsigned int nlinks;	/* link 0 is the root cause */
	uint16_t off[QP_STATUS_LINKS];	/* start of each link in text */
	char text[QP_STATUS_TEXT];
};

#define QP_STATUS_INIT	{ .code = QP_OK }

/* Success again, no links. */
void qp_status_clear(struct qp_status *s);

static inline bool qp_status_ok(const struct qp_status *s)
{
	return s->code == QP_OK;
}

/*
 * Set the root cause (any earlier failure is dropped): code, an errno or
 * 0 in value, and its text; returns -1 (return qp_fail(...);).  The _at
 * forms prefix the link with "file:line: " (line 0: "file: ").
 */
int qp_fail(struct qp_status *s, enum qp_code code, int value,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int qp_fail_at(struct qp_status *s, enum qp_code code, int value,
	       const char *file, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* qp_fail(s, QP_E_NOMEM, ENOMEM, "out of memory") */
int qp_fail_nomem(struct qp_status *s);

/*
 * Add what was being done when the failure happened, outside the links
 * already there (keeps code and value); returns -1.  On a success status
 * it does nothing and returns 0.  When QP_STATUS_LINKS links are there,
 * the outermost is replaced (the root cause and the first contexts stay).
 */
int qp_status_wrap(struct qp_status *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int qp_status_wrap_at(struct qp_status *s, const char *file,
		      unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Link i, 0 = outermost, nlinks - 1 = root cause; NULL past the end. */
const char *qp_status_link(const struct qp_status *s, unsigned int i);

/*
 * The chain, outermost first, links joined by ": because "; "" for a
 * success.  Like snprintf: the length the whole text needs.
 */
size_t qp_status_format(const struct qp_status *s, char *buf, size_t len);

/* "ok", "out of memory", "bad input", ... */
const char *qp_code_name(enum qp_code code);

#endif /* QPROF_POST_STATUS_H */
