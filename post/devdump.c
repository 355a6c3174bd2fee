// SPDX-License-Identifier: MIT
/*
 * Runtime latency files (docs/CONTRACTS.md §3.1): a hand-written parser over
 * the file read in chunks by two threads (1 M rows in well under a second),
 * and sets of such files.  The latency_stats-style summary is in latstats.c,
 * the merge into recorded inferences in dumpmerge.c.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "devdump.h"
#include "stats.h"

#define COL_SAMPLE (-1)
#define COL_IGNORED (-2)

/* Columns without which a file is not a usable latency file. */
static const enum qp_metric required[] = {
	QP_M_HOST_ROUND_TRIP, QP_M_EXEC_TOTAL, QP_M_EXEC_TO_VC,
	QP_M_EXEC_TO_COMPLETE, QP_M_TOTAL_ROUND_TRIP,
};

struct parser {
	const char *path;
	const char *p, *end;	/* unread part of the file */
	unsigned long line;	/* number of the line being parsed */
	char *err;
	size_t errlen;
};

static int fail(struct parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(ps->err, ps->errlen, "%s:%lu: ", ps->path, ps->line);
	if (n < 0 || (size_t)n >= ps->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Next line [*b, *e) without its end of line; false at end of file. */
static bool next_line(struct parser *ps, const char **b, const char **e,
		      bool *complete)
{
	const char *nl;

	if (ps->p >= ps->end)
		return false;
	ps->line++;
	nl = memchr(ps->p, '\n', ps->end - ps->p);
	*b = ps->p;
	*complete = nl != NULL;
	*e = nl ? nl : ps->end;
	ps->p = nl ? nl + 1 : ps->end;
	if (*e > *b && (*e)[-1] == '\r')
		(*e)--;
	return true;
}

static void trim(const char **b, const char **e)
{
	while (*b < *e && (**b == ' ' || **b == '\t'))
		(*b)++;
	while (*e > *b && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

static bool starts(const char *b, const char *e, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(e - b) >= n && !memcmp(b, prefix, n);
}

/* Unsigned decimal integer filling [b, e). */
static bool parse_u64(const char *b, const char *e, uint64_t *out)
{
	uint64_t v = 0;

	if (b == e || e - b > 19)
		return false;
	for (; b < e; b++) {
		if (*b < '0' || *b > '9')
			return false;
		v = v * 10 + (uint64_t)(*b - '0');
	}
	*out = v;
	return true;
}

static const double pow10_tab[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/*
 * The largest value a cell may hold: 2^53, the fast paths' mantissa bound
 * (times in µs: 285 years).  A larger figure is no latency; 1e308 would
 * print as a 300-digit number.
 */
#define CELL_MAX_VALUE 9007199254740992.0

/*
 * Is [b, e) a plain decimal number: [+-]digits[.digits] or [+-][digits].digits,
 * optionally followed by e[+-]digits?  strtod also takes "inf", "nan",
 * hexadecimal and leading blanks: no runtime writes those.
 */
static bool decimal_syntax(const char *s, const char *e)
{
	int digits = 0, exp_digits = 0;

	if (s < e && (*s == '-' || *s == '+'))
		s++;
	for (; s < e && *s >= '0' && *s <= '9'; s++)
		digits++;
	if (s < e && *s == '.')
		for (s++; s < e && *s >= '0' && *s <= '9'; s++)
			digits++;
	if (!digits)
		return false;
	if (s < e && (*s == 'e' || *s == 'E')) {
		s++;
		if (s < e && (*s == '-' || *s == '+'))
			s++;
		for (; s < e && *s >= '0' && *s <= '9'; s++)
			exp_digits++;
		if (!exp_digits)
			return false;
	}
	return s == e;
}

/*
 * A decimal number filling [b, e).  Plain "ddd.ddd" with at most 15
 * significant digits is converted exactly as strtod would (an integer
 * below 2^53 divided by an exact power of ten is correctly rounded);
 * anything else of decimal syntax goes through strtod.  Refused: other
 * syntax, negative values (a "-0" is 0), values above CELL_MAX_VALUE.
 */
static bool parse_double(const char *b, const char *e, double *out)
{
	uint64_t mant = 0;
	int digits = 0, frac = 0;
	bool neg = false, dot = false;
	const char *s = b;
	char buf[64], *end;

	if (s < e && (*s == '-' || *s == '+'))
		neg = *s++ == '-';
	for (; s < e; s++) {
		if (*s >= '0' && *s <= '9') {
			if (++digits > 15)
				goto slow;
			mant = mant * 10 + (uint64_t)(*s - '0');
			frac += dot;
		} else if (*s == '.' && !dot) {
			dot = true;
		} else {
			goto slow;
		}
	}
	if (!digits || (neg && mant))
		return false;
	*out = (double)mant / pow10_tab[frac];
	return true;
slow:
	if (e - b >= (ptrdiff_t)sizeof(buf) || !decimal_syntax(b, e))
		return false;
	memcpy(buf, b, e - b);
	buf[e - b] = '\0';
	errno = 0;
	*out = strtod(buf, &end);
	if (end != buf + (e - b) || errno == ERANGE || !(*out <= CELL_MAX_VALUE) ||
	    *out < 0)
		return false;
	*out = *out + 0.0;	/* -0 -> 0 */
	return true;
}

/* ---- header ------------------------------------------------------------ */

static int header_line(struct parser *ps, const char **b, const char **e)
{
	bool complete;

	if (!next_line(ps, b, e, &complete)) {
		ps->line++;
		return fail(ps, "truncated header: the file ends before line %lu "
			    "(a runtime latency file has 4 header lines and a column header)",
			    ps->line);
	}
	if (!complete)
		return fail(ps, "truncated header: line %lu has no end of line",
			    ps->line);
	trim(b, e);
	return 0;
}

static int parse_preamble(struct parser *ps, struct qp_dump *d)
{
	const char *b, *e, *s;
	uint64_t v;

	if (header_line(ps, &b, &e))
		return -1;
	if (e - b != 14 || memcmp(b, "Profiling Data", 14))
		return fail(ps, "not a runtime latency file: expected 'Profiling Data', found '%.*s'",
			    (int)(e - b > 60 ? 60 : e - b), b);
	if (header_line(ps, &b, &e))
		return -1;
	if (!starts(b, e, "ProgramId:"))
		return fail(ps, "expected 'ProgramId:<n>'");
	b += 10;
	trim(&b, &e);
	if (!parse_u64(b, e, &v) || v > UINT32_MAX)
		return fail(ps, "bad ProgramId '%.*s'", (int)(e - b), b);
	d->program_id = (uint32_t)v;
	if (header_line(ps, &b, &e))
		return -1;
	if (!starts(b, e, "ProgramName:"))
		return fail(ps, "expected 'ProgramName: <name>'");
	b += 12;
	trim(&b, &e);
	d->program_name = strndup(b, e - b);
	if (!d->program_name)
		return fail(ps, "out of memory");
	if (header_line(ps, &b, &e))
		return -1;
	if (!starts(b, e, "NumSamples collected:"))
		return fail(ps, "expected 'NumSamples collected: <n> Num Requested: <m>'");
	b += 21;
	s = memchr(b, 'N', e - b);
	if (!s || !starts(s, e, "Num Requested:"))
		return fail(ps, "expected 'NumSamples collected: <n> Num Requested: <m>'");
	{
		const char *nb = b, *ne = s, *rb = s + 14, *re = e;

		trim(&nb, &ne);
		trim(&rb, &re);
		if (!parse_u64(nb, ne, &d->num_collected) ||
		    !parse_u64(rb, re, &d->num_requested))
			return fail(ps, "bad sample counts in '%.*s'",
				    (int)(e - b), b);
	}
	return 0;
}

static int column_of(const char *b, const char *e)
{
	size_t n = e - b;
	int m;

	if (n == 6 && !memcmp(b, "Sample", 6))
		return COL_SAMPLE;
	for (m = 0; m < QP_M__COUNT; m++) {
		const char *c = qp_metric_column(m);

		if (strlen(c) == n && !memcmp(b, c, n))
			return m;
	}
	return COL_IGNORED;
}

/* A known column name that @b..@e is a proper prefix of, or NULL. */
static const char *cut_column(const char *b, const char *e)
{
	size_t n = e - b;
	int m;

	if (n && n < 6 && !memcmp(b, "Sample", n))
		return "Sample";
	for (m = 0; m < QP_M__COUNT; m++) {
		const char *c = qp_metric_column(m);

		if (n && strlen(c) > n && !memcmp(b, c, n))
			return c;
	}
	return NULL;
}

struct layout {
	int *col;		/* per field: COL_SAMPLE, COL_IGNORED or a metric */
	size_t nfields;
};

static int parse_columns(struct parser *ps, struct qp_dump *d,
			 struct layout *lay, bool seen[QP_M__COUNT])
{
	const char *b, *e, *f, *fe, *last_b = NULL, *last_e = NULL;
	bool complete, has_sample = false;
	size_t cap = 0;
	unsigned k;

	if (!next_line(ps, &b, &e, &complete)) {
		ps->line++;
		return fail(ps, "truncated file: no column header after the 4 header lines");
	}
	for (f = b; f <= e; f = fe + 1) {
		const char *tb = f, *te;
		int c;

		fe = memchr(f, ',', e - f);
		if (!fe)
			fe = e;
		te = fe;
		trim(&tb, &te);
		c = column_of(tb, te);
		if (c >= 0 && seen[c])
			return fail(ps, "column '%s' appears twice", qp_metric_column(c));
		if (c == COL_SAMPLE && has_sample)
			return fail(ps, "column 'Sample' appears twice");
		if (c >= 0)
			seen[c] = true;
		else if (c == COL_SAMPLE)
			has_sample = true;
		if (lay->nfields == cap) {
			int *p;

			cap = cap ? cap * 2 : 32;
			p = realloc(lay->col, cap * sizeof(*p));
			if (!p)
				return fail(ps, "out of memory");
			lay->col = p;
		}
		lay->col[lay->nfields++] = c;
		if (c >= 0)
			d->order[d->ncols++] = (int8_t)c;
		last_b = tb;
		last_e = te;
	}
	if (column_of(last_b, last_e) == COL_IGNORED) {
		const char *full = cut_column(last_b, last_e);
		int fc = full ? column_of(full, full + strlen(full)) : COL_IGNORED;
		bool present = fc == COL_SAMPLE ? has_sample : fc >= 0 && seen[fc];

		if (full && !present)
			return fail(ps, "truncated column header: the last column '%.*s' is cut short of '%s'",
				    (int)(last_e - last_b), last_b, full);
	}
	if (!complete)
		return fail(ps, "truncated column header (no end of line)");
	if (!has_sample)
		return fail(ps, "missing required column 'Sample'");
	for (k = 0; k < sizeof(required) / sizeof(required[0]); k++)
		if (!seen[required[k]])
			return fail(ps, "missing required column '%s'",
				    qp_metric_column(required[k]));
	return 0;
}

/* ---- rows -------------------------------------------------------------- */

/*
 * The row parser walks each byte once (no line search first): every scan
 * stops at a byte no number contains, and the rows it walks end with '\n',
 * so the scans need no bounds checks.  The last line, when the file does
 * not end with a newline, is parsed from a copy that does.
 */

/* Bytes that may follow a number in a cell. */
static const bool cell_end[256] = {
	[' '] = true, ['\t'] = true, [','] = true, ['\r'] = true,
	['\n'] = true,
};

static inline bool is_digit(char c)
{
	return (unsigned char)(c - '0') < 10;
}

/*
 * Cells are padded with runs of spaces ("%-12s  "): skipped 8 bytes at a
 * time while 8 bytes remain before @end.
 */
static inline const char *skip_blanks(const char *p, const char *end)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (end - p >= 8) {
		uint64_t x;

		memcpy(&x, p, 8);
		x ^= 0x2020202020202020ull;
		if (x) {
			p += __builtin_ctzll(x) / 8;
			break;
		}
		p += 8;
	}
#else
	(void)end;
#endif
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * "ddd[.ddd]" at p followed by a cell_end byte: converted exactly as strtod
 * would (an integer m <= 2^53 is exact in a double, so is 10^f for
 * f <= 22, and the quotient m / 10^f is correctly rounded by IEEE 754).
 * Returns the end of the number, or NULL when the general parser must
 * decide (sign, exponent, > 19 digits, m > 2^53, N/A, garbage).
 */
static inline const char *fast_decimal(const char *p, double *out)
{
	const char *s = p, *int_end;
	uint64_t mant = 0;
	ptrdiff_t frac = 0;

	while (is_digit(*s))
		mant = mant * 10 + (uint64_t)(*s++ - '0');
	int_end = s;
	if (*s == '.') {
		const char *f = ++s;

		while (is_digit(*s))
			mant = mant * 10 + (uint64_t)(*s++ - '0');
		frac = s - f;
	}
	if (!cell_end[(unsigned char)*s] || int_end - p + frac == 0 ||
	    int_end - p + frac > 19 || mant > (1ull << 53))
		return NULL;
	*out = frac ? (double)mant / pow10_tab[frac] : (double)mant;
	return s;
}

/*
 * The cells of runtime files are "%-12s  ": a number, blanks, then ',' or
 * the end of line, 14 bytes in all.  One 16-byte load classifies a whole
 * cell (no loop whose length depends on the number, so no mispredicted
 * exits) and its digits are converted 8 at a time.  Anything else (signs,
 * exponents, N/A, tabs, CR, wider cells, longer numbers, the last bytes of
 * a block) is left to the byte-wise path: same values, same errors.
 */
#if defined(__SSE2__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define VEC_CELL 1
#define VEC_READ 24		/* bytes read from the cell's start */

static const uint64_t pow10_u64[] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
};

/* The k <= 8 decimal digits at q (Lemire's 8-digit SWAR conversion). */
static inline uint64_t swar_digits(const char *q, unsigned k)
{
	uint64_t x;

	if (!k)
		return 0;
	memcpy(&x, q, 8);
	/* digits to the high bytes: the low ones become leading zeros */
	x = (x - 0x3030303030303030ull) << (8 * (8 - k));
	x = x * 10 + (x >> 8);
	x = (((x & 0x000000ff000000ffull) * (100 + (1000000ull << 32))) +
	     (((x >> 16) & 0x000000ff000000ffull) * (1 + (10000ull << 32)))) >> 32;
	return x;
}

/*
 * The cell at p: "I[.F]" (I, F <= 8 digits each, one at least) then
 * blanks then ',' or '\n', all within 16 bytes.  Returns the ',' or '\n'
 * with the digits as an integer in *mant and the number of F digits in
 * *frac (*dot when there is a point), or NULL.
 */
static inline __attribute__((always_inline))
const char *vec_number(const char *p, const char *end, uint64_t *mant,
		       unsigned *frac, bool *dot)
{
	__m128i v, x;
	unsigned dig, dots, blank, len, ilen, flen, stop;

	if (end - p < VEC_READ)
		return NULL;
	v = _mm_loadu_si128((const __m128i *)p);
	x = _mm_sub_epi8(v, _mm_set1_epi8('0'));
	dig = (unsigned)_mm_movemask_epi8(
		_mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(9)), x));
	dots = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')));
	blank = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));
	len = (unsigned)__builtin_ctz(~(dig | dots));	/* <= 16 */
	dots &= (1u << len) - 1;
	stop = (unsigned)__builtin_ctz((~blank & ~((1u << len) - 1)) | 0x10000u);
	if (stop >= 16 || (p[stop] != ',' && p[stop] != '\n') ||
	    (dots & (dots - 1)))
		return NULL;
	ilen = dots ? (unsigned)__builtin_ctz(dots) : len;
	flen = dots ? len - ilen - 1 : 0;
	if (ilen > 8 || flen > 8 || ilen + flen == 0)
		return NULL;
	*mant = swar_digits(p, ilen) * pow10_u64[flen] +
		swar_digits(p + ilen + 1, flen);
	*frac = flen;
	*dot = dots != 0;
	return p + stop;
}

/* A metric cell: the value exactly as fast_decimal gives it. */
static inline const char *vec_decimal(const char *p, const char *end,
				      double *out)
{
	uint64_t mant;
	unsigned frac;
	bool dot;
	const char *s = vec_number(p, end, &mant, &frac, &dot);

	if (!s || mant > (1ull << 53))
		return NULL;
	*out = frac ? (double)mant / pow10_tab[frac] : (double)mant;
	return s;
}

/* An "N/A" cell (blanks, then ',' or '\n', within 16 bytes): its ',' or '\n'. */
static inline const char *vec_na(const char *p, const char *end)
{
	unsigned blank, stop;

	if (end - p < VEC_READ || p[0] != 'N' || p[1] != '/' || p[2] != 'A')
		return NULL;
	blank = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
		_mm_loadu_si128((const __m128i *)p), _mm_set1_epi8(' ')));
	stop = (unsigned)__builtin_ctz((~blank & ~7u) | 0x10000u);
	if (stop >= 16 || (p[stop] != ',' && p[stop] != '\n'))
		return NULL;
	return p + stop;
}

/* A Sample cell: digits only. */
static inline const char *vec_sample(const char *p, const char *end,
				     uint64_t *out)
{
	unsigned frac;
	bool dot;
	const char *s = vec_number(p, end, out, &frac, &dot);

	return s && !dot ? s : NULL;
}
#else
#define VEC_CELL 0
#endif

int qp_dump_parse_number(const char *b, const char *e, double *out)
{
	char buf[64];

	/* the fast path needs a terminator after the number */
	if (e - b < (ptrdiff_t)sizeof(buf) - 1) {
		const char *s;

		memcpy(buf, b, e - b);
		buf[e - b] = '\n';
		s = fast_decimal(buf, out);
		if (s && s == buf + (e - b))
			return 0;
	}
	return parse_double(b, e, out) ? 0 : -1;
}

static const char *field_name(int c)
{
	return c == COL_SAMPLE ? "Sample" : qp_metric_column(c);
}

/* End of the cell starting at p: its ',' or end of line. */
static const char *cell_stop(const char *p)
{
	while (*p != ',' && *p != '\n')
		p++;
	return p;
}

static int bad_cell(struct parser *ps, int c, const char *b)
{
	const char *e = cell_stop(b);

	if (e > b && e[-1] == '\r')
		e--;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (c == COL_SAMPLE)
		return fail(ps, "column 'Sample': bad sample number '%.*s'",
			    (int)(e - b > 40 ? 40 : e - b), b);
	return fail(ps, "column '%s': bad number '%.*s' (%s)", field_name(c),
		    (int)(e - b > 40 ? 40 : e - b), b,
		    !decimal_syntax(b, e) ? "not a decimal number" :
		    *b == '-' ? "negative" : "out of range: more than 2^53");
}

/*
 * A devInfPerSec of 0 is no rate of a completed inference: the merge
 * derives the batch size from it (devInfPerSec x devExecUs / 1e6) and
 * would silently have none.  N/A is the runtime's way to say "unknown".
 */
static inline int check_row(struct parser *ps, const struct qp_dump *d,
			    size_t r)
{
	const double *rate = d->col[QP_M_DEV_INF_PER_SEC];

	if (rate && rate[r] == 0)
		return fail(ps, "devInfPerSec is 0: a completed inference has a rate above 0 (or N/A)");
	return 0;
}

/* A metric cell the fast path refused: N/A, or a number for strtod. */
static const char *slow_cell(struct parser *ps, struct qp_dump *d, int c,
			     size_t r, const char *b)
{
	const char *e = cell_stop(b);

	if (e > b && e[-1] == '\r')
		e--;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e - b == 3 && !memcmp(b, "N/A", 3)) {
		d->col[c][r] = NAN;
		d->na[c]++;
		return e;
	}
	if (!parse_double(b, e, &d->col[c][r])) {
		bad_cell(ps, c, b);
		return NULL;
	}
	return e;
}

static inline const char *sample_cell(const char *p, uint64_t *out)
{
	const char *s = p;
	uint64_t v = 0;

	while (is_digit(*s))
		v = v * 10 + (uint64_t)(*s++ - '0');
	if (s == p || s - p > 19 || !cell_end[(unsigned char)*s])
		return NULL;
	*out = v;
	return s;
}

struct rows {
	size_t cap;		/* rows the columns can hold */
	bool fixed;		/* cannot grow: OVERFLOW when full */
	bool seen[QP_M__COUNT];
};

#define OVERFLOW (-2)

/*
 * Columns of 1 M rows are 8 MB each: transparent huge pages spare the
 * thousands of page faults that would otherwise dominate filling them.
 */
#define HUGE_PAGE (2u << 20)

static void *alloc_column(size_t bytes)
{
	size_t len = (bytes + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
	void *p;

	if (bytes < HUGE_PAGE)
		return malloc(bytes ? bytes : 1);
	p = aligned_alloc(HUGE_PAGE, len);
	if (p)
		madvise(p, len, MADV_HUGEPAGE);	/* a hint: failure is harmless */
	return p;
}

static int grow_columns(struct parser *ps, struct qp_dump *d, struct rows *rw)
{
	size_t cap = rw->cap ? rw->cap * 2 : 1024;
	void *p;
	int m;

	if (rw->fixed)
		return OVERFLOW;
	p = realloc(d->sample, cap * sizeof(*d->sample));
	if (!p)
		return fail(ps, "out of memory for %zu rows", cap);
	d->sample = p;
	for (m = 0; m < QP_M__COUNT; m++) {
		if (!rw->seen[m])
			continue;
		p = realloc(d->col[m], cap * sizeof(double));
		if (!p)
			return fail(ps, "out of memory for %zu rows", cap);
		d->col[m] = p;
	}
	rw->cap = cap;
	return 0;
}

#if VEC_CELL
/*
 * Runtime files are fixed-width: a row's cells usually start where the
 * previous row's did.  With the starts known, every cell is parsed
 * independently (no chain of loads, each through the end of the cell
 * before) and checked to end with the ',' before the next start.  at[k]:
 * offset of field k's start, at[nf]: of the next row.  NULL when this row
 * differs (the general loop then parses it and records its layout).
 */
#define FAST_FIELDS 32

static inline const char *fast_row(struct qp_dump *d, size_t r,
				   const int *col, size_t nf,
				   const uint16_t *at, const char *p,
				   const char *end)
{
	uint64_t mant[FAST_FIELDS + 1];
	unsigned frac[FAST_FIELDS + 1];
	double val[FAST_FIELDS + 1];
	uint32_t na = 0, na_field = 0;
	size_t k;
	int m;

	if (end - p < at[nf] + VEC_READ)
		return NULL;
	for (k = 0; k < nf; k++) {
		const char *q = p + at[k], *s;
		int c = col[k];
		bool dot;

		s = vec_number(q, end, &mant[k], &frac[k], &dot);
		if (!s && c >= 0 && (s = vec_na(q, end))) {
			mant[k] = 0;
			frac[k] = 0;
			na |= 1u << c;
			na_field |= 1u << k;
		} else if (!s || (c >= 0 ? mant[k] > (1ull << 53) : dot)) {
			return NULL;
		}
		if (s != p + at[k + 1] - 1 || *s != (k + 1 < nf ? ',' : '\n'))
			return NULL;
	}
	/* m / 10^f two cells at a time: each lane is divsd's exact quotient */
	mant[nf] = 0;
	frac[nf] = 0;
	for (k = 0; k < nf; k += 2) {
		__m128d num = _mm_set_pd((double)(int64_t)mant[k + 1],
					 (double)(int64_t)mant[k]);
		__m128d den = _mm_set_pd(pow10_tab[frac[k + 1]],
					 pow10_tab[frac[k]]);

		_mm_storeu_pd(val + k, _mm_div_pd(num, den));
	}
	for (k = 0; k < nf; k++) {
		if (col[k] >= 0)
			d->col[col[k]][r] = na_field >> k & 1 ? NAN : val[k];
		else
			d->sample[r] = mant[k];
	}
	for (m = 0; na; m++, na >>= 1)
		d->na[m] += na & 1;
	return p + at[nf];
}
#endif

/* The rows of [p, end), end[-1] == '\n'. */
static int parse_block(struct parser *ps, struct qp_dump *d,
		       const struct layout *lay, struct rows *rw,
		       const char *p, const char *end, bool at_eof)
{
	const int *col = lay->col;
	size_t nf = lay->nfields;
#if VEC_CELL
	uint16_t at[FAST_FIELDS + 1];
	bool fast = false;	/* at[] holds the layout of the row before */
	bool can_fast = nf <= FAST_FIELDS;
	size_t f;

	/* ignored fields are not checked cell by cell: general loop */
	for (f = 0; f < nf; f++)
		can_fast &= col[f] != COL_IGNORED;
#endif

	while (p < end) {
		size_t r = d->nrows, k;
#if VEC_CELL
		const char *row = p;

		if (fast && r < rw->cap) {
			const char *next = fast_row(d, r, col, nf, at, p, end);

			if (next) {
				ps->line++;
				if (check_row(ps, d, r))
					return -1;
				d->nrows++;
				p = next;
				continue;
			}
		}
		fast = false;
#endif

		ps->line++;
		p = skip_blanks(p, end);
		if (*p == '\r' && p[1] == '\n')
			p++;
		if (*p == '\n') {	/* blank line */
			p++;
			continue;
		}
		if (r == rw->cap) {
			int rc = grow_columns(ps, d, rw);

			if (rc)
				return rc;
		}
		for (k = 0;; k++) {
			int c = col[k];
			const char *s, *cb = p;

#if VEC_CELL
			if (k < FAST_FIELDS)
				at[k] = (uint16_t)(p - row);
			s = c >= 0 ? vec_decimal(p, end, &d->col[c][r]) :
			    c == COL_SAMPLE ? vec_sample(p, end, &d->sample[r]) :
			    NULL;
			if (s) {
				p = s;
				goto cell_done;
			}
#endif
			cb = p = skip_blanks(p, end);
			if (c >= 0) {
				s = fast_decimal(p, &d->col[c][r]);
				if (!s)
					s = slow_cell(ps, d, c, r, p);
			} else if (c == COL_SAMPLE) {
				s = sample_cell(p, &d->sample[r]);
				if (!s)
					return bad_cell(ps, c, p);
			} else {
				s = cell_stop(p);
			}
			if (!s)
				return -1;
			p = skip_blanks(s, end);
#if VEC_CELL
cell_done:
#endif
			if (*p == ',') {
				if (k + 1 == nf)
					return fail(ps, "more fields than the %zu columns of the header",
						    nf);
				p++;
				continue;
			}
			if (*p == '\r' && p[1] == '\n')
				p++;
			if (*p != '\n')
				return bad_cell(ps, c, cb);
			break;
		}
		if (k + 1 != nf)
			return fail(ps, "%zu fields, the header has %zu columns%s",
				    k + 1, nf, at_eof && p + 1 == end ?
				    " (truncated file?)" : "");
		p++;
		if (check_row(ps, d, r))
			return -1;
		d->nrows++;
#if VEC_CELL
		/* rows that start with their first cell, shorter than 64 KiB */
		fast = can_fast && at[0] == 0 && p - row < 65536;
		if (fast)
			at[nf] = (uint16_t)(p - row);
#endif
	}
	return 0;
}

/* A last line without a newline: parsed from a copy that has one. */
static int parse_last_line(struct parser *ps, struct qp_dump *d,
			   const struct layout *lay, struct rows *rw,
			   const char *b, const char *e)
{
	const char *tb = b, *te = e;
	char *copy;
	int rc;

	trim(&tb, &te);
	if (tb == te) {
		ps->line++;
		return 0;
	}
	/* a complete row ends with a newline or the cell padding */
	if (e[-1] != ' ') {
		ps->line++;
		return fail(ps, "truncated row: the file ends in the middle of it");
	}
	copy = malloc(e - b + 1);
	if (!copy)
		return fail(ps, "out of memory");
	memcpy(copy, b, e - b);
	copy[e - b] = '\n';
	rc = parse_block(ps, d, lay, rw, copy, copy + (e - b) + 1, true);
	free(copy);
	return rc;
}

/*
 * The file is read in chunks into one reused buffer per thread, not read
 * whole nor mapped: under this kind of hypervisor the first touch of a
 * page costs microseconds (measured: ~110 ms for the 4 KiB pages of a
 * 240 MB mapping, ~50 ms to read it into fresh huge pages), while a 2 MiB
 * buffer is faulted once and stays in cache between read() and parse.
 */
#define CHUNK HUGE_PAGE

struct reader {
	int fd;
	bool positioned;	/* pread() at pos (regular file) */
	bool to_end;		/* stop is the end of the file */
	bool eof;		/* nothing more to read */
	off_t pos;		/* file offset of buf[have] */
	off_t stop;		/* positioned: read no further */
	char *buf;
	size_t cap, have;	/* buf[0..have) holds unparsed bytes */
};

static int reader_open(struct reader *rd, int fd, const struct stat *st)
{
	*rd = (struct reader){ .fd = fd, .positioned = S_ISREG(st->st_mode),
			       .to_end = true, .stop = st->st_size,
			       .cap = CHUNK };
	/* a small file needs no 2 MiB buffer (faulted in anew per file) */
	if (rd->positioned && st->st_size < CHUNK / 2)
		rd->cap = ((size_t)st->st_size + 4096 + 4095) & ~(size_t)4095;
	rd->buf = alloc_column(rd->cap);
	return rd->buf ? 0 : -1;
}

/* Fill the buffer (or up to stop / the end of the file).  -1: errno. */
static int reader_fill(struct reader *rd)
{
	while (rd->have < rd->cap && !rd->eof) {
		size_t want = rd->cap - rd->have;
		ssize_t r;

		if (rd->positioned && (off_t)want > rd->stop - rd->pos)
			want = (size_t)(rd->stop - rd->pos);
		if (!want) {
			rd->eof = true;
			break;
		}
		r = rd->positioned ?
		    pread(rd->fd, rd->buf + rd->have, want, rd->pos) :
		    read(rd->fd, rd->buf + rd->have, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (!r)
			rd->eof = true;
		rd->have += (size_t)r;
		rd->pos += r;
	}
	if (rd->positioned && rd->pos >= rd->stop)
		rd->eof = true;
	return 0;
}

/* Room for a line longer than the buffer. */
static int reader_grow(struct reader *rd)
{
	char *b = realloc(rd->buf, rd->cap * 2);

	if (!b)
		return -1;
	rd->buf = b;
	rd->cap *= 2;
	return 0;
}

static void reader_consume(struct reader *rd, size_t n)
{
	memmove(rd->buf, rd->buf + n, rd->have - n);
	rd->have -= n;
}

/* Read the file again from offset @from. */
static void reader_rewind(struct reader *rd, off_t from, off_t stop)
{
	rd->pos = from;
	rd->stop = stop;
	rd->have = 0;
	rd->eof = false;
}

/*
 * Complete lines from the buffer up to the reader's stop, chunk by chunk.
 * A last line without a newline is left in the buffer.
 */
static int parse_stream(struct parser *ps, struct qp_dump *d,
			const struct layout *lay, struct rows *rw,
			struct reader *rd)
{
	for (;;) {
		const char *nl;
		int rc;

		if (reader_fill(rd))
			return fail(ps, "read: %s", strerror(errno));
		nl = rd->have ? memrchr(rd->buf, '\n', rd->have) : NULL;
		if (!nl) {
			if (rd->eof)
				return 0;
			if (reader_grow(rd))
				return fail(ps, "out of memory for a line of %zu bytes",
					    rd->have);
			continue;
		}
		rc = parse_block(ps, d, lay, rw, rd->buf, nl + 1,
				 rd->eof && rd->to_end &&
				 nl + 1 == rd->buf + rd->have);
		if (rc)
			return rc;
		reader_consume(rd, (size_t)(nl + 1 - rd->buf));
		if (rd->eof)
			return 0;
	}
}

/*
 * Two halves of a big file are parsed at once (2 threads, each reading
 * its half): the second half's rows go to the same columns, from an
 * estimated offset past the first half's rows, and are moved down after
 * both finished.  An estimate too small (rows much shorter than the
 * header's) parses again in one thread.
 */
#define PARALLEL_FROM (8u << 20)	/* bytes of rows */

struct half {
	struct parser ps;	/* line: lines of this half */
	struct qp_dump d;	/* views into the shared columns */
	struct rows rw;
	const struct layout *lay;
	struct reader rd;
	int rc;
	char err[512];
};

static void *parse_half(void *arg)
{
	struct half *h = arg;

	h->rc = parse_stream(&h->ps, &h->d, h->lay, &h->rw, &h->rd);
	return NULL;
}

/* A message of half @h ("PATH:LINE: msg") at its line in the whole file. */
static int fail_half(struct parser *ps, const struct half *h)
{
	int n = snprintf(NULL, 0, "%s:%lu: ", h->ps.path, h->ps.line);
	const char *msg = n > 0 && (size_t)n < strlen(h->err) ? h->err + n : h->err;

	ps->line += h->ps.line;
	return fail(ps, "%s", msg);
}

/* File offset just past the first newline at or after @from, or -1. */
static off_t line_start_after(const struct reader *rd, off_t from)
{
	char buf[4096];

	while (from < rd->stop) {
		ssize_t r = pread(rd->fd, buf, sizeof(buf), from);
		const char *nl;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		nl = memchr(buf, '\n', (size_t)r);
		if (nl)
			return from + (nl - buf) + 1;
		from += r;
	}
	return -1;
}

/*
 * The rows of @rd (positioned, from its buffer to its stop) in two
 * threads; OVERFLOW when the split estimate was wrong or a thread could
 * not start (nothing to report: parse again in one go).  On success the
 * second half's reader is handed back in @tail (its unparsed last line).
 */
static int parse_split(struct parser *ps, struct qp_dump *d,
		       const struct layout *lay, struct rows *rw,
		       struct reader *rd, size_t off, struct reader *tail)
{
	off_t from = rd->pos - (off_t)rd->have, end = rd->stop;
	off_t mid = line_start_after(rd, from + (end - from) / 2);
	struct half h = { .lay = lay };
	struct rows first = *rw;
	pthread_t t;
	int m, rc;

	if (mid < 0 || mid >= end)
		return OVERFLOW;
	h.rd = *rd;
	h.rd.buf = alloc_column(CHUNK);
	if (!h.rd.buf)
		return OVERFLOW;
	h.rd.cap = CHUNK;
	reader_rewind(&h.rd, mid, end);
	h.ps = (struct parser){ .path = ps->path, .err = h.err,
				.errlen = sizeof(h.err) };
	/* neither half may grow (realloc) the shared columns: OVERFLOW */
	h.rw = *rw;
	h.rw.cap = rw->cap - off;
	h.rw.fixed = true;
	first.cap = off;
	first.fixed = true;
	h.d.sample = d->sample + off;
	for (m = 0; m < QP_M__COUNT; m++)
		h.d.col[m] = d->col[m] ? d->col[m] + off : NULL;
	if (pthread_create(&t, NULL, parse_half, &h)) {
		free(h.rd.buf);
		return OVERFLOW;
	}
	/* the first half: what the buffer holds up to mid, and on to mid */
	if (rd->pos > mid) {
		rd->have -= (size_t)(rd->pos - mid);
		rd->pos = mid;
	}
	rd->stop = mid;
	rd->to_end = false;
	rd->eof = false;
	rc = parse_stream(ps, d, lay, &first, rd);
	pthread_join(t, NULL);
	rd->to_end = true;
	if (!rc && h.rc)
		rc = h.rc == OVERFLOW ? OVERFLOW : fail_half(ps, &h);
	if (rc) {
		free(h.rd.buf);
		reader_rewind(rd, from, end);
		return rc;
	}
	memmove(d->sample + d->nrows, h.d.sample, h.d.nrows * sizeof(*d->sample));
	for (m = 0; m < QP_M__COUNT; m++) {
		if (!d->col[m])
			continue;
		memmove(d->col[m] + d->nrows, h.d.col[m],
			h.d.nrows * sizeof(double));
		d->na[m] += h.d.na[m];
	}
	d->nrows += h.d.nrows;
	ps->line += h.ps.line;
	*tail = h.rd;
	return 0;
}

static int parse_rows(struct parser *ps, struct qp_dump *d,
		      const struct layout *lay, const bool seen[QP_M__COUNT],
		      struct reader *rd)
{
	/* a row takes at least 2 bytes a field: never more rows than this */
	size_t bytes = rd->positioned ? (size_t)(rd->stop - rd->pos) + rd->have :
		       (size_t)1 << 40;
	size_t most = bytes / (2 * lay->nfields) + 1;
	unsigned long line0 = ps->line;
	struct reader tail = { .buf = NULL };
	struct rows rw = { 0 };
	size_t cap, off = 0;
	int m, rc = OVERFLOW;

	memcpy(rw.seen, seen, sizeof(rw.seen));
	cap = d->num_collected < most ? (size_t)d->num_collected : most;
	if (!rd->positioned && cap > (1u << 20))
		cap = 1u << 20;		/* a stream: grown as it comes */
	if (rd->positioned && bytes >= PARALLEL_FROM && cap > 1024) {
		/* the first half holds about half the rows: room for 10 % more */
		off = cap / 2 + cap / 20 + 4096;
		cap = 2 * off;
	}
	rw.cap = cap ? cap : 1;
	d->sample = alloc_column(rw.cap * sizeof(*d->sample));
	if (!d->sample)
		return fail(ps, "out of memory for %zu rows", rw.cap);
	for (m = 0; m < QP_M__COUNT; m++) {
		if (!seen[m])
			continue;
		d->col[m] = alloc_column(rw.cap * sizeof(double));
		if (!d->col[m])
			return fail(ps, "out of memory for %zu rows", rw.cap);
	}
	if (off)
		rc = parse_split(ps, d, lay, &rw, rd, off, &tail);
	if (rc == OVERFLOW) {
		d->nrows = 0;
		memset(d->na, 0, sizeof(d->na));
		ps->line = line0;
		rc = parse_stream(ps, d, lay, &rw, rd);
	}
	if (!rc && tail.buf) {
		rc = tail.have ? parse_last_line(ps, d, lay, &rw, tail.buf,
						 tail.buf + tail.have) : 0;
	} else if (!rc && rd->have) {
		rc = parse_last_line(ps, d, lay, &rw, rd->buf,
				     rd->buf + rd->have);
	}
	free(tail.buf);
	if (rc)
		return -1;
	if (d->nrows < d->num_collected) {
		ps->line++;
		return fail(ps, "truncated file: 'NumSamples collected: %" PRIu64
			    "' but the file ends after %zu rows",
			    d->num_collected, d->nrows);
	}
	return 0;
}

/* The 4 header lines and the column header whole in the buffer (or EOF). */
static int read_header(struct reader *rd)
{
	for (;;) {
		const char *p = rd->buf, *e = rd->buf + rd->have;
		int lines = 0;

		if (reader_fill(rd))
			return -1;
		e = rd->buf + rd->have;
		while (lines < 5 && (p = memchr(p, '\n', e - p)))
			p++, lines++;
		if (lines == 5 || rd->eof)
			return 0;
		if (reader_grow(rd)) {
			errno = ENOMEM;
			return -1;
		}
	}
}

int qp_dump_load(const char *path, struct qp_dump *d, char *err, size_t errlen)
{
	struct parser ps = { .path = path, .err = err, .errlen = errlen };
	bool seen[QP_M__COUNT] = { false };
	struct layout lay = { NULL, 0 };
	struct reader rd = { .buf = NULL };
	struct stat st;
	int fd, rc = -1;

	memset(d, 0, sizeof(*d));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a file", path);
		goto out;
	}
	if (reader_open(&rd, fd, &st)) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	if (read_header(&rd)) {
		snprintf(err, errlen, "%s: read: %s", path, strerror(errno));
		goto out;
	}
	if (rd.have == 0) {
		snprintf(err, errlen, "%s:1: empty file (not a runtime latency file)", path);
		goto out;
	}
	ps.p = rd.buf;
	ps.end = rd.buf + rd.have;
	d->path = strdup(path);
	if (!d->path) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	if (parse_preamble(&ps, d) || parse_columns(&ps, d, &lay, seen))
		goto out;
	reader_consume(&rd, (size_t)(ps.p - rd.buf));
	if (parse_rows(&ps, d, &lay, seen, &rd))
		goto out;
	rc = 0;
out:
	free(rd.buf);
	close(fd);
	free(lay.col);
	if (rc)
		qp_dump_free(d);
	return rc;
}

void qp_dump_free(struct qp_dump *d)
{
	int m;

	free(d->path);
	free(d->program_name);
	free(d->sample);
	for (m = 0; m < QP_M__COUNT; m++)
		free(d->col[m]);
	memset(d, 0, sizeof(*d));
}

bool qp_dump_has(const struct qp_dump *d, enum qp_metric m)
{
	return m < QP_M__COUNT && d->col[m] && !d->na[m];
}

/* ---- sets of files ------------------------------------------------------ */

static int set_push(struct qp_dump_set *s, const char *path, char *err,
		    size_t errlen)
{
	struct qp_dump *p = realloc(s->d, (s->n + 1) * sizeof(*p));

	if (!p) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	s->d = p;
	if (qp_dump_load(path, &s->d[s->n], err, errlen))
		return -1;
	s->n++;
	return 0;
}

/* "aic-profiling-program-<P>-latency.txt" -> P, or -1. */
static long dump_file_program(const char *name)
{
	static const char pre[] = "aic-profiling-program-";
	static const char suf[] = "-latency.txt";
	const char *s = name + sizeof(pre) - 1;
	char *end;
	long v;

	if (strncmp(name, pre, sizeof(pre) - 1) || *s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	return strcmp(end, suf) ? -1 : v;
}

struct dir_entry {
	long program;
	char *path;
};

static int cmp_entry(const void *a, const void *b)
{
	const struct dir_entry *x = a, *y = b;

	return (x->program > y->program) - (x->program < y->program);
}

static int set_add_dir(struct qp_dump_set *s, const char *dir, char *err,
		       size_t errlen)
{
	struct dir_entry *ent = NULL;
	size_t n = 0, k;
	struct dirent *de;
	DIR *dp = opendir(dir);
	int rc = -1;

	if (!dp) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(dp))) {
		long p = dump_file_program(de->d_name);
		void *q;

		if (p < 0)
			continue;
		q = realloc(ent, (n + 1) * sizeof(*ent));
		if (!q || asprintf(&((struct dir_entry *)q)[n].path, "%s/%s",
				   dir, de->d_name) < 0) {
			ent = q ? q : ent;
			snprintf(err, errlen, "%s: out of memory", dir);
			goto out;
		}
		ent = q;
		ent[n++].program = p;
	}
	if (!n) {
		snprintf(err, errlen, "%s: no aic-profiling-program-<P>-latency.txt in this directory",
			 dir);
		goto out;
	}
	qsort(ent, n, sizeof(*ent), cmp_entry);
	for (k = 0; k < n; k++)
		if (set_push(s, ent[k].path, err, errlen))
			goto out;
	rc = 0;
out:
	for (k = 0; k < n; k++)
		free(ent[k].path);
	free(ent);
	closedir(dp);
	return rc;
}

int qp_dump_set_add(struct qp_dump_set *s, const char *path, char *err,
		    size_t errlen)
{
	struct stat st;

	if (stat(path, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return set_add_dir(s, path, err, errlen);
	return set_push(s, path, err, errlen);
}

void qp_dump_set_free(struct qp_dump_set *s)
{
	size_t k;

	for (k = 0; k < s->n; k++)
		qp_dump_free(&s->d[k]);
	free(s->d);
	s->d = NULL;
	s->n = 0;
}
