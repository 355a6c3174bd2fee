/* SPDX-License-Identifier: MIT */
/*
 * Strings that come from a trace or a latency file (program names, host
 * names, paths, symbols) are data written by whatever ran under the
 * profiler: every writer quotes them, so that no name can break a file's
 * syntax or forge a line of a report.  One rule per kind of output
 * (docs/REPORT-FORMATS.md, "Strings from the trace"):
 *
 * - text (summary, --by tables, the runtime latency file's ProgramName,
 *   error messages): printable ASCII and well-formed UTF-8 are kept;
 *   backslash becomes "\\", newline, CR and tab "\n", "\r", "\t"; every
 *   other control byte (C0, DEL), C1 control (U+0080-U+009F), bidirectional
 *   override (U+202A-U+202E, U+2066-U+2069), line/paragraph separator
 *   (U+2028, U+2029) and every byte of an ill-formed UTF-8 sequence
 *   becomes "\xHH" per byte.  Unambiguous: qp_text_unescape() gives the
 *   original bytes back.
 * - JSON (--json through jansson, --chrome-trace): the string's UTF-8
 *   with each byte of an ill-formed sequence replaced by U+FFFD (JSON
 *   cannot hold raw bytes); the Chrome trace, read by web front ends,
 *   also writes '<', '>', '&', U+2028 and U+2029 as \u escapes.
 */
#ifndef QPROF_POST_ESCAPE_H
#define QPROF_POST_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Text escape of s (NULL: "") into dst, like snprintf: always
 * NUL-terminated when size > 0, never cutting an escape in two; returns
 * the length the whole escape needs.
 */
size_t qp_text_escape(char *dst, size_t size, const char *s);
/* The same, allocated (NULL when out of memory). */
char *qp_text_dup(const char *s);
/* The same, to a stream. */
void qp_text_fputs(const char *s, FILE *f);
/* true when s needs no escaping (qp_text_escape(s) == s). */
bool qp_text_is_plain(const char *s);
/*
 * Inverse of qp_text_escape, in place (the result is never longer);
 * -1 for a malformed escape.
 */
int qp_text_unescape(char *s);

/*
 * s as well-formed UTF-8 (ill-formed bytes -> U+FFFD), allocated, or NULL
 * when out of memory; for jansson's json_string(), which refuses
 * ill-formed UTF-8.
 */
char *qp_utf8_dup(const char *s);
/* s as a JSON string literal, quotes included, safe inside HTML. */
void qp_json_fputs(const char *s, FILE *f);
/* The same literal, allocated (NULL when out of memory). */
char *qp_json_dup(const char *s);

#endif /* QPROF_POST_ESCAPE_H */
