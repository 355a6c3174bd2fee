// SPDX-License-Identifier: MIT
/*
 * --csv-dir: one aic-profiling-program-<P>-latency.txt per program, in the
 * runtime's exact layout (docs/CONTRACTS.md §3.1) so that
 * latency_stats_python3.py and other scripts read it unchanged.  The columns
 * carry qprof's boundary definitions (docs/REPORT-FORMATS.md).
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "devdump.h"
#include "escape.h"
#include "outfile.h"
#include "writers.h"

/* The runtime prints the kernel's integers as integers, the rest "%.3f". */
static const struct {
	enum qp_metric metric;
	bool integer;
} csv_cols[] = {
	{ QP_M_DEV_INF_PER_SEC, false }, { QP_M_DEV_EXEC, false },
	{ QP_M_DEV_IN_WAIT, false }, { QP_M_DEV_OUT_WAIT, false },
	{ QP_M_HOST_ROUND_TRIP, true }, { QP_M_ENQ, false },
	{ QP_M_PRE_PROC, false }, { QP_M_SUBMIT, false },
	{ QP_M_EXEC_TOTAL, false }, { QP_M_EXEC_TO_VC, true },
	{ QP_M_EXEC_TO_COMPLETE, true }, { QP_M_POST_PROC, false },
	{ QP_M_TOTAL_ROUND_TRIP, false }, { QP_M_QUEUE_DEPTH, true },
	{ QP_M_NUM_INF_IN_QUEUE, true },
};
#define NCSV (sizeof(csv_cols) / sizeof(csv_cols[0]))

/*
 * Rows are formatted by hand into a large buffer written with fwrite in
 * big chunks: printf's number formatting was most of the CSV's cost (a
 * 900 000-row file is ~216 MB).  Every cell must stay byte-identical to
 * the former printf output, which qp_fmt_fixed3 / qp_fmt_int0 guarantee
 * (tests/post/test_io_writers.c compares them with printf on millions of
 * values); anything they do not handle goes through snprintf.
 */
#define CSV_BUF		(1u << 20)
#define CELL_MAX	400	/* widest cell: "%.3f" of DBL_MAX is 313 */

#define CSV_WRITEBACK	(32u << 20)	/* start write-back every 32 MiB */

struct csvbuf {
	FILE *f;
	char *buf;
	size_t len;
	size_t unsynced;	/* bytes written since the last write-back hint */
	bool err;
};

static void flush(struct csvbuf *b)
{
	if (b->len && fwrite(b->buf, 1, b->len, b->f) != b->len)
		b->err = true;
	b->unsynced += b->len;
	b->len = 0;
	/* a 900 000-row file is ~216 MB: its fsync at commit took ~0.15 s */
	if (b->unsynced >= CSV_WRITEBACK) {
		qp_outfile_writeback(b->f);
		b->unsynced = 0;
	}
}

/* Room for one more cell of any width. */
static char *room(struct csvbuf *b)
{
	if (CSV_BUF - b->len < CELL_MAX + 16)
		flush(b);
	return b->buf + b->len;
}

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Decimal digits of v at dst (no terminator); returns their count. */
static size_t put_u64(char *dst, uint64_t v)
{
	char tmp[20];
	size_t n = sizeof(tmp);

	while (v >= 100) {
		n -= 2;
		memcpy(&tmp[n], &digit_pairs[2 * (v % 100)], 2);
		v /= 100;
	}
	if (v >= 10) {
		n -= 2;
		memcpy(&tmp[n], &digit_pairs[2 * v], 2);
	} else {
		tmp[--n] = (char)('0' + v);
	}
	memcpy(dst, &tmp[n], sizeof(tmp) - n);
	return sizeof(tmp) - n;
}

/*
 * round(v * 1000) as printf("%.3f") rounds the exact binary value of v:
 * to nearest, ties to even.  v in [0, 2^52 / 1000): v * 1000 then has an
 * ulp of at most 1/2, and p = fl(v * 1000) is off the exact product by
 * at most half of it.  With k = floor(p), d = p - k - 0.5 is exact and the
 * exact product minus k + 1/2 is d + e, e = v * 1000 - p; e (exact by
 * fma) is only needed when d is within an ulp of zero, which for the
 * integer-nanosecond values of the time columns never happens.
 */
static uint64_t round_milli(double v)
{
	double p = v * 1000.0, k = floor(p), d = (p - k) - 0.5, e;
	uint64_t r = (uint64_t)k;

	if (fabs(d) > p * 0x1p-52)
		return d > 0 ? r + 1 : r;
	e = fma(v, 1000.0, -p);
	d += e;		/* only the sign matters: exact in sign */
	if (d > 0 || (d == 0 && (r & 1)))
		return r + 1;
	return r;
}

size_t qp_fmt_fixed3(char *dst, size_t size, double v)
{
	uint64_t k, frac;
	size_t n;

	if (!(v >= 0 && v < 4e12) || signbit(v) || size < 24) {
		int w = snprintf(dst, size, "%.3f", v);

		return w < 0 ? 0 : (size_t)w < size ? (size_t)w : size - 1;
	}
	k = round_milli(v);
	frac = k % 1000;
	n = put_u64(dst, k / 1000);
	dst[n] = '.';
	dst[n + 1] = (char)('0' + frac / 100);
	memcpy(&dst[n + 2], &digit_pairs[2 * (frac % 100)], 2);
	dst[n + 4] = '\0';
	return n + 4;
}

size_t qp_fmt_int0(char *dst, size_t size, double v)
{
	size_t n;

	/* nearbyint rounds like printf: to nearest, ties to even */
	if (!(v >= 0 && v < 0x1p53) || signbit(v) || size < 24) {
		int w = snprintf(dst, size, "%.0f", v);

		return w < 0 ? 0 : (size_t)w < size ? (size_t)w : size - 1;
	}
	n = put_u64(dst, (uint64_t)nearbyint(v));
	dst[n] = '\0';
	return n;
}

/* Every cell is "%-12s  ", then "," except after the last one. */
static void end_cell(struct csvbuf *b, char *cell, size_t len, bool last)
{
	if (len < 12) {
		memset(cell + len, ' ', 12 - len);
		len = 12;
	}
	memcpy(cell + len, last ? "  \n" : "  ,", 3);
	b->len += len + 3;
}

static void text_cell(struct csvbuf *b, const char *s, bool last)
{
	char *cell = room(b);
	size_t len = strnlen(s, CELL_MAX);

	memcpy(cell, s, len);
	end_cell(b, cell, len, last);
}

static bool kept(const struct qp_write_opts *o, size_t k)
{
	return !o || !o->select || o->select[k];
}

/* One row: every metric of the inference computed once, in column order. */
static void put_row(struct csvbuf *b, const struct qp_model *m,
		    const struct qp_inference *i,
		    uint64_t sample, uint32_t batch)
{
	char *cell;
	size_t c, len;

	cell = room(b);
	end_cell(b, cell, put_u64(cell, sample), false);
	for (c = 0; c < NCSV; c++) {
		double v;

		cell = room(b);
		if (!qp_metric_value(m, i, csv_cols[c].metric, batch, &v)) {
			memcpy(cell, "N/A", 3);
			len = 3;
		} else if (csv_cols[c].integer) {
			len = qp_fmt_int0(cell, CELL_MAX, v);
		} else {
			len = qp_fmt_fixed3(cell, CELL_MAX, v);
		}
		end_cell(b, cell, len, c + 1 == NCSV);
	}
}

static void put_header(struct csvbuf *b, const struct qp_model *m,
		       uint32_t prog, size_t rows)
{
	const struct qp_program *p = &m->programs[prog];
	size_t k;

	/*
	 * The name may be long: through stdio, before any buffered row.  It
	 * is escaped (escape.h): a newline in it would end the 4-line header
	 * early and the file would no longer parse.
	 */
	if (fprintf(b->f, "Profiling Data\nProgramId:%" PRIu32 "\nProgramName: ",
		    prog) < 0)
		b->err = true;
	qp_text_fputs(p->name ? p->name : "", b->f);
	if (fprintf(b->f, "\nNumSamples collected: %zu Num Requested: %zu\n",
		    rows, rows) < 0)
		b->err = true;
	text_cell(b, "Sample", false);
	for (k = 0; k < NCSV; k++)
		text_cell(b, qp_metric_column(csv_cols[k].metric), k + 1 == NCSV);
}

int qp_write_csv(FILE *f, const struct qp_model *m, uint32_t prog,
		 const struct qp_write_opts *o)
{
	const struct qp_program *p = &m->programs[prog];
	struct csvbuf b = { .f = f };
	uint32_t *v;
	size_t n, k, rows = 0;

	v = qp_program_samples(m, prog, &n);
	b.buf = malloc(CSV_BUF);
	if (!v || !b.buf) {
		free(v);
		free(b.buf);
		return -1;
	}
	for (k = 0; k < n; k++)
		rows += m->inf[v[k]].state == QP_INF_OK && kept(o, v[k]);
	put_header(&b, m, prog, rows);
	for (k = 0; k < n; k++) {
		const struct qp_inference *i = &m->inf[v[k]];

		if (i->state == QP_INF_OK && kept(o, v[k]))
			put_row(&b, m, i, k, p->batch);
	}
	flush(&b);
	free(b.buf);
	free(v);
	return b.err || ferror(f) ? -1 : 0;
}

static bool has_rows(const struct qp_model *m, uint32_t prog,
		     const struct qp_write_opts *o)
{
	size_t k;

	for (k = 0; k < m->ninf; k++)
		if (m->inf[k].program == prog &&
		    m->inf[k].state == QP_INF_OK && kept(o, k))
			return true;
	return false;
}

int qp_write_csv_dir(const char *dir, const struct qp_model *m,
		     const struct qp_write_opts *o, char *err, size_t errlen)
{
	uint32_t p;
	size_t written = 0;

	for (p = 0; p < m->nprograms; p++) {
		struct qp_outfile out;
		char *path;

		if (!has_rows(m, p, o))
			continue;
		if (asprintf(&path, "%s/aic-profiling-program-%" PRIu32 "-latency.txt",
			     dir, p) < 0) {
			snprintf(err, errlen, "%s: out of memory", dir);
			return -1;
		}
		if (qp_outfile_open(&out, path, err, errlen)) {
			free(path);
			return -1;
		}
		if (qp_write_csv(out.f, m, p, o)) {
			snprintf(err, errlen, "%s: write error", path);
			qp_outfile_abort(&out);
			free(path);
			return -1;
		}
		free(path);
		if (qp_outfile_commit(&out, err, errlen))
			return -1;
		written++;
	}
	if (!written) {
		snprintf(err, errlen, "%s: no completed inference of any program to write", dir);
		return -1;
	}
	return 0;
}
