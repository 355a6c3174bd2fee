// SPDX-License-Identifier: MIT
/*
 * Quoting of strings from traces in every output (escape.h): a program
 * name is whatever the traced application passed, and a report must stay
 * well-formed and unforgeable whatever it holds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

/*
 * Length of the well-formed UTF-8 sequence at s (Unicode's table of
 * well-formed byte sequences: no overlong forms, no surrogates, nothing
 * above U+10FFFF), its code point in *cp; 0 when ill-formed.
 */
static size_t utf8_seq(const unsigned char *s, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		*cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		*cp = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		*cp = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;	/* also stops at the NUL */
		*cp = *cp << 6 | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	return n;
}

/* Code points a terminal or an editor would act on rather than show. */
static bool invisible_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x2028 || cp == 0x2029;
}

/*
 * The escape of one sequence of n bytes at s (code point cp, or n == 1 and
 * ill-formed) into out (at least 16 bytes); its length.
 */
static size_t text_piece(const unsigned char *s, size_t n, uint32_t cp,
			 bool wellformed, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, k = 0;

	if (wellformed && cp == '\\') {
		memcpy(out, "\\\\", 2);
		return 2;
	}
	if (wellformed && (cp == '\n' || cp == '\r' || cp == '\t')) {
		out[0] = '\\';
		out[1] = cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't';
		return 2;
	}
	if (wellformed && !invisible_control(cp)) {
		memcpy(out, s, n);
		return n;
	}
	for (i = 0; i < n; i++) {
		out[k++] = '\\';
		out[k++] = 'x';
		out[k++] = hex[s[i] >> 4];
		out[k++] = hex[s[i] & 15];
	}
	return k;
}

/* Next piece of s: its byte length, escape in out, escape length in *len. */
static size_t text_next(const unsigned char *s, char *out, size_t *len)
{
	uint32_t cp = 0;
	size_t n = utf8_seq(s, &cp);

	*len = text_piece(s, n ? n : 1, cp, n != 0, out);
	return n ? n : 1;
}

size_t qp_text_escape(char *dst, size_t size, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t total = 0, len;
	bool full = false;
	char piece[16];

	while (*p) {
		p += text_next(p, piece, &len);
		if (!full && total + len < size) {
			memcpy(dst + total, piece, len);
		} else if (!full && size) {
			full = true;
			dst[total] = '\0';
		}
		total += len;
	}
	if (!full && size)
		dst[total] = '\0';
	return total;
}

char *qp_text_dup(const char *s)
{
	size_t n = qp_text_escape(NULL, 0, s);
	char *d = malloc(n + 1);

	if (d)
		qp_text_escape(d, n + 1, s);
	return d;
}

void qp_text_fputs(const char *s, FILE *f)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	char piece[16];
	size_t len;

	while (*p) {
		p += text_next(p, piece, &len);
		fwrite(piece, 1, len, f);
	}
}

bool qp_text_is_plain(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	char piece[16];
	size_t n, len;

	while (*p) {
		n = text_next(p, piece, &len);
		if (len != n || memcmp(piece, p, n))
			return false;
		p += n;
	}
	return true;
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int qp_text_unescape(char *s)
{
	char *w = s;
	int hi, lo;

	for (; *s; s++) {
		if (*s != '\\') {
			*w++ = *s;
			continue;
		}
		switch (*++s) {
		case '\\': *w++ = '\\'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 't': *w++ = '\t'; break;
		case 'x':
			hi = hex_val(s[1]);
			lo = hi < 0 ? -1 : hex_val(s[2]);
			if (lo < 0 || (hi == 0 && lo == 0))
				return -1;
			*w++ = (char)(hi << 4 | lo);
			s += 2;
			break;
		default:
			return -1;
		}
	}
	*w = '\0';
	return 0;
}

/* ---- JSON ------------------------------------------------------------- */

static const char replacement[] = "\xef\xbf\xbd";	/* U+FFFD */

char *qp_utf8_dup(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p), k = 0, n;
	char *d = malloc(3 * len + 1);	/* each byte at most U+FFFD */
	uint32_t cp;

	if (!d)
		return NULL;
	while (*p) {
		n = utf8_seq(p, &cp);
		if (n) {
			memcpy(d + k, p, n);
			k += n;
			p += n;
		} else {
			memcpy(d + k, replacement, 3);
			k += 3;
			p++;
		}
	}
	d[k] = '\0';
	return d;
}

void qp_json_fputs(const char *s, FILE *f)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	uint32_t cp;
	size_t n;

	fputc('"', f);
	while (*p) {
		n = utf8_seq(p, &cp);
		if (!n) {
			fputs(replacement, f);
			p++;
			continue;
		}
		if (cp == '"' || cp == '\\')
			fprintf(f, "\\%c", (char)cp);
		else if (cp < 0x20 || cp == 0x7f || cp == '<' || cp == '>' ||
			 cp == '&' || cp == 0x2028 || cp == 0x2029)
			fprintf(f, "\\u%04x", (unsigned int)cp);
		else
			fwrite(p, 1, n, f);
		p += n;
	}
	fputc('"', f);
}

char *qp_json_dup(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	qp_json_fputs(s, f);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}
