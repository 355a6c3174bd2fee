// SPDX-License-Identifier: MIT
/*
 * An error status with its chain of causes (status.h).
 *
 * The links are kept NUL-terminated one after the other in text, root
 * cause first; a link takes at most half the text, and one that does not
 * fit is cut (ending in "...").
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "status.h"

static const char *const code_names[QP_E__COUNT] = {
	[QP_OK] = "ok",
	[QP_E_NOMEM] = "out of memory",
	[QP_E_INPUT] = "bad input",
	[QP_E_DECODE] = "trace decoding failed",
	[QP_E_SYSTEM] = "system error",
	[QP_E_SINK] = "stopped by the event consumer",
	[QP_E_CANCELED] = "canceled",
};

const char *qp_code_name(enum qp_code code)
{
	return (unsigned)code < QP_E__COUNT ? code_names[code] : "?";
}

void qp_status_clear(struct qp_status *s)
{
	s->code = QP_OK;
	s->value = 0;
	s->nlinks = 0;
	s->text[0] = 0;
}

/* Bytes used by the links (after the last one's NUL). */
static size_t used(const struct qp_status *s)
{
	const char *last;

	if (!s->nlinks)
		return 0;
	last = s->text + s->off[s->nlinks - 1];
	return (size_t)(last - s->text) + strlen(last) + 1;
}

/* Append a link "[file:line: ]fmt..." at the end of text. */
static void add_link(struct qp_status *s, const char *file, unsigned long line,
		     const char *fmt, va_list ap)
{
	size_t at, room, n = 0;
	char *p;
	int k;

	if (s->nlinks == QP_STATUS_LINKS)
		s->nlinks--;		/* replace the outermost */
	at = used(s);
	if (at >= sizeof(s->text) - 1) {
		/* no room at all: the new link replaces the outermost one */
		if (s->nlinks <= 1)
			return;
		s->nlinks--;
		at = used(s);
	}
	p = s->text + at;
	room = sizeof(s->text) - at;
	if (room > QP_STATUS_TEXT / 2)
		room = QP_STATUS_TEXT / 2;	/* room left for the context */
	if (file) {
		k = line ? snprintf(p, room, "%s:%lu: ", file, line) :
			   snprintf(p, room, "%s: ", file);
		n = k < 0 ? 0 : (size_t)k;
	}
	if (n < room) {
		k = vsnprintf(p + n, room - n, fmt, ap);
		n += k < 0 ? 0 : (size_t)k;
	}
	if (n >= room && room > 4)
		memcpy(p + room - 4, "...", 4);	/* cut: say so */
	s->off[s->nlinks++] = (uint16_t)at;
}

static int fail_v(struct qp_status *s, enum qp_code code, int value,
		  const char *file, unsigned long line, const char *fmt,
		  va_list ap)
{
	qp_status_clear(s);
	s->code = code == QP_OK ? QP_E_SYSTEM : code;
	s->value = value;
	add_link(s, file, line, fmt, ap);
	return -1;
}

int qp_fail(struct qp_status *s, enum qp_code code, int value,
	    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail_v(s, code, value, NULL, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int qp_fail_at(struct qp_status *s, enum qp_code code, int value,
	       const char *file, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail_v(s, code, value, file, line, fmt, ap);
	va_end(ap);
	return -1;
}

int qp_fail_nomem(struct qp_status *s)
{
	return qp_fail(s, QP_E_NOMEM, ENOMEM, "out of memory");
}

int qp_status_wrap(struct qp_status *s, const char *fmt, ...)
{
	va_list ap;

	if (qp_status_ok(s))
		return 0;
	va_start(ap, fmt);
	add_link(s, NULL, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int qp_status_wrap_at(struct qp_status *s, const char *file,
		      unsigned long line, const char *fmt, ...)
{
	va_list ap;

	if (qp_status_ok(s))
		return 0;
	va_start(ap, fmt);
	add_link(s, file, line, fmt, ap);
	va_end(ap);
	return -1;
}

const char *qp_status_link(const struct qp_status *s, unsigned int i)
{
	if (i >= s->nlinks)
		return NULL;
	return s->text + s->off[s->nlinks - 1 - i];
}

size_t qp_status_format(const struct qp_status *s, char *buf, size_t len)
{
	size_t n = 0;
	unsigned int i;
	int k;

	if (len)
		buf[0] = 0;
	for (i = 0; i < s->nlinks; i++) {
		k = snprintf(n < len ? buf + n : NULL, n < len ? len - n : 0,
			     "%s%s", i ? ": because " : "", qp_status_link(s, i));
		n += k < 0 ? 0 : (size_t)k;
	}
	return n;
}
