// SPDX-License-Identifier: MIT
/*
 * devdump.c: the parser against the real (truncated) sample and broken
 * inputs (each message checked), the latency_stats summary against pandas
 * itself on generated files, and the merge against hand-built models.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "devdump.h"
#include "test_io_fixture.h"

static char *dir;

static const char hdr[] =
	"Profiling Data\nProgramId:3\nProgramName: net\n";

static const char *const cols[] = {
	"Sample", "devInfPerSec", "devExecUs", "devInWaitTimeUs",
	"devOutWaitTimeUs", "hostRoundTripUs", "enqTimeUs", "preProcTimeUs",
	"submitTimeUs", "execTotalUs", "exectoVcUs", "execToCompleteUs",
	"postProcUs", "totalRoundtripTimeUs", "queueDepth", "numInfInQueue",
};

static void cells(FILE *f, const char *const *c, size_t n)
{
	for (size_t k = 0; k < n; k++)
		fprintf(f, "%-12s  %s", c[k], k + 1 < n ? "," : "\n");
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/*
 * A latency file in the runtime's layout (sim/runtime/profile.c): rows with
 * kernel integers vc[k], complete[k]; device columns N/A unless @dev.
 */
static char *gen_file(const char *name, const char *prog, unsigned id,
		      size_t n, bool dev, const uint32_t *vc,
		      const uint32_t *complete)
{
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "Profiling Data\nProgramId:%u\nProgramName: %s\n", id, prog);
	fprintf(f, "NumSamples collected: %zu Num Requested: %zu\n", n, n);
	cells(f, cols, 16);
	for (size_t k = 0; k < n; k++) {
		char c[16][32];
		const char *p[16];
		uint64_t ticks = 400000 + next() % 60000;
		uint32_t v = vc ? vc[k] : 3 + next() % 8;
		uint32_t d = complete ? complete[k] : 20000 + next() % 5000;

		snprintf(c[0], 32, "%zu", k);
		if (dev) {
			snprintf(c[1], 32, "%.3f", 8 * 1e6 / (ticks / 19.2));
			snprintf(c[2], 32, "%.3f", ticks / 19.2);
			snprintf(c[3], 32, "%.3f", (next() % 40000) / 19.2);
			snprintf(c[4], 32, "%.3f", (next() % 40) / 19.2);
		} else {
			for (int j = 1; j <= 4; j++)
				strcpy(c[j], "N/A");
		}
		snprintf(c[5], 32, "%u", v + d);
		snprintf(c[6], 32, "%.3f", (next() % 30000) / 1000.0);
		snprintf(c[7], 32, "%.3f", (next() % 30000) / 1000.0);
		snprintf(c[8], 32, "%.3f", (next() % 3000) / 1000.0);
		snprintf(c[9], 32, "%.3f", v + d + (next() % 70000) / 1000.0);
		snprintf(c[10], 32, "%u", v);
		snprintf(c[11], 32, "%u", d);
		snprintf(c[12], 32, "%.3f", (next() % 300000) / 1000.0);
		snprintf(c[13], 32, "%.3f", v + d + 100 + (next() % 300000) / 1000.0);
		snprintf(c[14], 32, "%u", (unsigned)(next() % 4));
		snprintf(c[15], 32, "%u", 1u);
		for (int j = 0; j < 16; j++)
			p[j] = c[j];
		cells(f, p, 16);
	}
	fclose(f);
	return path;
}

/* Parse @text as a file and expect an error containing both needles. */
static void expect_error(const char *text, const char *where, const char *what)
{
	char *path = fx_write(dir, "bad.txt", text), err[512];
	struct qp_dump d;

	assert_non_null(path);
	assert_int_equal(qp_dump_load(path, &d, err, sizeof(err)), -1);
	print_message("  -> %s\n", err);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, where));
	assert_non_null(strstr(err, what));
	free(path);
}

static void test_real_truncated_sample(void **state)
{
	const char *src = getenv("srcdir");
	char path[1024], err[512];
	struct qp_dump d;

	(void)state;
	snprintf(path, sizeof(path),
		 "%s/test_io_data/latency_file_header_public_TRUNCATED.txt",
		 src ? src : ".");
	assert_int_equal(qp_dump_load(path, &d, err, sizeof(err)), -1);
	print_message("  -> %s\n", err);
	assert_non_null(strstr(err, "TRUNCATED.txt:5: truncated"));
	assert_non_null(strstr(err, "'totalRoundtripT'"));
	assert_non_null(strstr(err, "totalRoundtripTimeUs"));
}

static void test_bad_inputs(void **state)
{
	char *text;

	(void)state;
	expect_error("hello\nworld\n", ":1:", "not a runtime latency file");
	expect_error("Profiling Data\nProgramId:1\n", ":3:", "truncated header");
	expect_error("Profiling Data\nProgramId:x\nProgramName: a\n", ":2:", "bad ProgramId");
	expect_error("Profiling Data\nProgramId:1\nProgramName: a\nNumSamples collected: 1\n",
		     ":4:", "Num Requested");
	expect_error("Profiling Data\nProgramId:1\nProgramName: a\nNumSamples collected: 1 Num Requested: 1\n",
		     ":5:", "no column header");
	/* a required column missing */
	expect_error("Profiling Data\nProgramId:1\nProgramName: a\nNumSamples collected: 0 Num Requested: 1\n"
		     "Sample  ,hostRoundTripUs  ,exectoVcUs  ,execToCompleteUs  ,totalRoundtripTimeUs  \n",
		     ":5:", "missing required column 'execTotalUs'");
	/* rows: wrong field count, bad number, truncated file */
	assert_true(asprintf(&text, "%sNumSamples collected: 3 Num Requested: 3\n"
			     "Sample, hostRoundTripUs, execTotalUs, exectoVcUs, execToCompleteUs, totalRoundtripTimeUs\n"
			     "0, 10, 11.5, 3, 7, 20.25\n"
			     "1, 10, 11.5, 3, 7\n", hdr) > 0);
	expect_error(text, ":7:", "5 fields, the header has 6 columns");
	free(text);
	assert_true(asprintf(&text, "%sNumSamples collected: 3 Num Requested: 3\n"
			     "Sample, hostRoundTripUs, execTotalUs, exectoVcUs, execToCompleteUs, totalRoundtripTimeUs\n"
			     "0, 10, 1x1.5, 3, 7, 20.25\n", hdr) > 0);
	expect_error(text, ":6:", "column 'execTotalUs': bad number '1x1.5'");
	free(text);
	assert_true(asprintf(&text, "%sNumSamples collected: 3 Num Requested: 3\n"
			     "Sample, hostRoundTripUs, execTotalUs, exectoVcUs, execToCompleteUs, totalRoundtripTimeUs\n"
			     "0, 10, 11.5, 3, 7, 20.25\n", hdr) > 0);
	expect_error(text, ":7:", "truncated file: 'NumSamples collected: 3' but the file ends after 1 rows");
	free(text);
	/* the last row cut in the middle of a number */
	assert_true(asprintf(&text, "%sNumSamples collected: 1 Num Requested: 1\n"
			     "Sample, hostRoundTripUs, execTotalUs, exectoVcUs, execToCompleteUs, totalRoundtripTimeUs\n"
			     "0, 10, 11.5, 3, 7, 20.2", hdr) > 0);
	expect_error(text, ":6:", "truncated row");
	free(text);
	expect_error("", ":1:", "empty file");
}

/*
 * Cells no runtime writes are refused, each with its file and line:
 * strtod would take inf, nan, hexadecimal; negative times and absurd
 * magnitudes (1e308 would print a 300-digit figure) are no latencies;
 * a devInfPerSec of 0 (or one that makes the batch < 1) would silently
 * drop the row's rate and the program's batch size.  In a 3000-row file
 * the bad cell is on line 1006, past the fixed-width fast path's start.
 */
static void test_refused_values(void **state)
{
	static const struct { const char *cell, *col, *why; } bad[] = {
		{ "inf", "devExecUs", "not a decimal number" },
		{ "infinity", "devExecUs", "not a decimal number" },
		{ "nan", "devExecUs", "not a decimal number" },
		{ "0x10", "devExecUs", "not a decimal number" },
		{ "0x1p3", "devExecUs", "not a decimal number" },
		{ "-0.005", "devExecUs", "negative" },
		{ "-5", "devExecUs", "negative" },
		{ "-1e2", "devExecUs", "negative" },
		{ "1e308", "devExecUs", "out of range" },
		{ "18446744073709551616", "devExecUs", "out of range" },
		{ "0", "devInfPerSec", "devInfPerSec is 0" },
		{ "0.000", "devInfPerSec", "devInfPerSec is 0" },
	};
	static const char *const head[] = {
		"Sample", "devInfPerSec", "devExecUs", "hostRoundTripUs",
		"execTotalUs", "exectoVcUs", "execToCompleteUs",
		"totalRoundtripTimeUs",
	};
	char *path, err[512], c[8][32];
	size_t k, r;
	struct qp_dump d;
	FILE *f;

	(void)state;
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		assert_true(asprintf(&path, "%s/refused.txt", dir) > 0);
		f = fopen(path, "w");
		assert_non_null(f);
		fprintf(f, "%sNumSamples collected: 3000 Num Requested: 3000\n", hdr);
		cells(f, head, 8);
		for (r = 0; r < 3000; r++) {
			const char *p[8];
			int j;

			snprintf(c[0], 32, "%zu", r);
			snprintf(c[1], 32, "20000.000");
			snprintf(c[2], 32, "50.000");
			snprintf(c[3], 32, "100.000");
			snprintf(c[4], 32, "120.500");
			snprintf(c[5], 32, "30");
			snprintf(c[6], 32, "70");
			snprintf(c[7], 32, "200.250");
			if (r == 1000)
				snprintf(c[strcmp(bad[k].col, "devExecUs") ? 1 : 2],
					 32, "%s", bad[k].cell);
			for (j = 0; j < 8; j++)
				p[j] = c[j];
			cells(f, p, 8);
		}
		fclose(f);
		assert_int_equal(qp_dump_load(path, &d, err, sizeof(err)), -1);
		print_message("  %s -> %s\n", bad[k].cell, err);
		assert_non_null(strstr(err, "refused.txt:1006: "));
		assert_non_null(strstr(err, bad[k].why));
		if (strcmp(bad[k].col, "devInfPerSec"))
			assert_non_null(strstr(err, bad[k].col));
		free(path);
	}
}

/* Columns mapped by name: reordered, extended with unknown ones, N/A. */
static void test_reordered_extended(void **state)
{
	char *path, err[512];
	struct qp_dump d;

	(void)state;
	path = fx_write(dir, "reord.txt",
			"Profiling Data\nProgramId:7\nProgramName:  Program:BenchmarkSet \n"
			"NumSamples collected: 2 Num Requested: 100\n"
			"totalRoundtripTimeUs  ,fooBarUs   ,Sample  ,execToCompleteUs  ,exectoVcUs  ,execTotalUs  ,hostRoundTripUs  ,devExecUs   \r\n"
			"25.125        ,9     ,0   ,7   ,3   ,12.5   ,10  ,N/A    \r\n"
			"1e2           ,9     ,1   ,8   ,4   ,13.75  ,12  ,N/A    \r\n");
	assert_int_equal(qp_dump_load(path, &d, err, sizeof(err)), 0);
	assert_int_equal(d.program_id, 7);
	assert_string_equal(d.program_name, "Program:BenchmarkSet");
	assert_int_equal(d.num_collected, 2);
	assert_int_equal(d.num_requested, 100);
	assert_int_equal(d.nrows, 2);
	assert_int_equal(d.sample[1], 1);
	assert_float_equal(d.col[QP_M_TOTAL_ROUND_TRIP][0], 25.125, 0);
	assert_float_equal(d.col[QP_M_TOTAL_ROUND_TRIP][1], 100, 0);
	assert_float_equal(d.col[QP_M_EXEC_TOTAL][1], 13.75, 0);
	assert_float_equal(d.col[QP_M_EXEC_TO_VC][1], 4, 0);
	assert_int_equal(d.na[QP_M_DEV_EXEC], 2);
	assert_false(qp_dump_has(&d, QP_M_DEV_EXEC));
	assert_true(qp_dump_has(&d, QP_M_EXEC_TOTAL));
	assert_null(d.col[QP_M_ENQ]);
	assert_int_equal(d.ncols, 6);
	assert_int_equal(d.order[0], QP_M_TOTAL_ROUND_TRIP);
	qp_dump_free(&d);
	free(path);
}

/* Exact decimal conversion, as strtod would do it. */
static void test_numbers(void **state)
{
	uint32_t vc[64], co[64];
	char *path, err[512];
	struct qp_dump d;
	FILE *f;
	size_t k;

	(void)state;
	for (k = 0; k < 64; k++) {
		vc[k] = (uint32_t)k;
		co[k] = 1000 + (uint32_t)k;
	}
	path = gen_file("aic-profiling-program-0-latency.txt", "n", 0, 64, true, vc, co);
	assert_int_equal(qp_dump_load(path, &d, err, sizeof(err)), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	for (k = 0; k < 5; k++)
		assert_non_null(fgets(err, sizeof(err), f));
	for (k = 0; k < 64; k++) {
		char line[1024], *tok, *save;
		int c = 0;

		assert_non_null(fgets(line, sizeof(line), f));
		for (tok = strtok_r(line, ",", &save); tok; tok = strtok_r(NULL, ",", &save), c++)
			if (c >= 1 && c <= 15)
				assert_true(d.col[c - 1][k] == strtod(tok, NULL));
	}
	fclose(f);
	qp_dump_free(&d);
	free(path);
}

/*
 * Files above 8 MB are parsed in two threads: rows in order, every cell as
 * strtod reads it, and an error in the second half at its line in the file.
 */
static void test_big_file_halves(void **state)
{
	enum { N = 45000, BAD = 31000 };
	char *path, err[512], line[1024], *tok, *save;
	struct qp_dump d;
	size_t k;
	FILE *f;
	long at = 0;

	(void)state;
	path = gen_file("big.txt", "net", 0, N, true, NULL, NULL);
	assert_int_equal(qp_dump_load(path, &d, err, sizeof(err)), 0);
	assert_int_equal(d.nrows, N);
	f = fopen(path, "r+");
	assert_non_null(f);
	for (k = 0; k < 5; k++)
		assert_non_null(fgets(line, sizeof(line), f));
	for (k = 0; k < N; k++) {
		int c = 0;

		assert_int_equal(d.sample[k], k);
		if (k == BAD)
			at = ftell(f);
		assert_non_null(fgets(line, sizeof(line), f));
		for (tok = strtok_r(line, ",", &save); tok; tok = strtok_r(NULL, ",", &save), c++)
			if (c >= 1 && c <= 15 && d.col[c - 1][k] != strtod(tok, NULL))
				fail_msg("row %zu column %d: %a, strtod %a", k, c,
					 d.col[c - 1][k], strtod(tok, NULL));
	}
	qp_dump_free(&d);
	/* a bad number in the second half, row BAD: line BAD + 6 */
	assert_int_equal(fseek(f, at + 14 * 5 + 5 + 2, SEEK_SET), 0);
	fputc('x', f);
	fclose(f);
	assert_int_equal(qp_dump_load(path, &d, err, sizeof(err)), -1);
	print_message("  -> %s\n", err);
	assert_non_null(strstr(err, ":31006: column 'hostRoundTripUs': bad number"));
	free(path);
}

/* Every row of @path (the 5 header lines skipped) in @d, as strtod reads it. */
static void expect_rows(const char *path, const struct qp_dump *d, size_t n)
{
	char line[1024], *tok, *save;
	FILE *f = fopen(path, "r");
	size_t k;

	assert_non_null(f);
	assert_int_equal(d->nrows, n);
	for (k = 0; k < 5; k++)
		assert_non_null(fgets(line, sizeof(line), f));
	for (k = 0; k < n; k++) {
		int c = 0;

		assert_int_equal(d->sample[k], k);
		assert_non_null(fgets(line, sizeof(line), f));
		for (tok = strtok_r(line, ",", &save); tok; tok = strtok_r(NULL, ",", &save), c++)
			if (c >= 1 && c <= 15 && d->col[c - 1][k] != strtod(tok, NULL))
				fail_msg("row %zu column %d: %a, strtod %a", k, c,
					 d->col[c - 1][k], strtod(tok, NULL));
	}
	fclose(f);
}

/*
 * The two threads' split assumes rows of even length.  A file whose first
 * 70 % of rows have no padding puts far more rows in the first half than
 * room was left for: parsed again in one thread, every value in place
 * (this once overwrote the second half's rows).
 */
static void test_big_file_skewed(void **state)
{
	enum { N = 80000 };
	char *path, *tight, err[512], line[1024];
	struct qp_dump d;
	FILE *in, *out;
	size_t k;

	(void)state;
	path = gen_file("skew-src.txt", "net", 0, N, true, NULL, NULL);
	assert_true(asprintf(&tight, "%s/skew.txt", dir) > 0);
	in = fopen(path, "r");
	out = fopen(tight, "w");
	assert_true(in && out);
	for (k = 0; fgets(line, sizeof(line), in); k++) {
		const char *p;

		for (p = line; k >= 5 && k < 5 + N * 7 / 10 && *p; p++)
			if (*p != ' ')
				fputc(*p, out);
		if (k < 5 || k >= 5 + N * 7 / 10)
			fputs(line, out);
	}
	fclose(in);
	fclose(out);
	assert_int_equal(qp_dump_load(tight, &d, err, sizeof(err)), 0);
	expect_rows(path, &d, N);
	qp_dump_free(&d);
	free(tight);
	free(path);
}

/*
 * Fixed-width rows are parsed at the previous row's cell offsets: rows
 * that break the layout (N/A, a wider number, an exponent, a tab, a
 * missing pad) must still be read cell by cell, values as strtod's, N/A
 * counted; a broken cell after many regular rows names its line.
 */
static void test_layout_changes(void **state)
{
	enum { N = 3000 };
	static const char *const odd[] = {
		"N/A", "123456789012.5", "1e3", "7\t", "0.5  ", ".25",
		"12345678.123", "9007199254740993", "3.",
	};
	char *path, err[512], cell[16][32], line[1024];
	size_t na[16] = { 0 }, k;
	struct qp_dump d;
	FILE *f;
	int c;

	(void)state;
	assert_true(asprintf(&path, "%s/layout.txt", dir) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "Profiling Data\nProgramId:0\nProgramName: x\n");
	fprintf(f, "NumSamples collected: %d Num Requested: %d\n", N, N);
	cells(f, cols, 16);
	for (k = 0; k < N; k++) {
		const char *p[16];

		snprintf(cell[0], 32, "%zu", k);
		for (c = 1; c < 16; c++) {
			uint64_t x = next();

			if (k % 7 == 3 && c == (int)(x % 15) + 1) {
				snprintf(cell[c], 32, "%s", odd[x / 16 % 9]);
				na[c] += !strcmp(cell[c], "N/A");
			} else {
				snprintf(cell[c], 32, "%.3f", (x % 10000000) / 1000.0);
			}
		}
		for (c = 0; c < 16; c++)
			p[c] = cell[c];
		cells(f, p, 16);
	}
	fclose(f);
	assert_int_equal(qp_dump_load(path, &d, err, sizeof(err)), 0);
	assert_int_equal(d.nrows, N);
	f = fopen(path, "r");
	assert_non_null(f);
	for (k = 0; k < 5; k++)
		assert_non_null(fgets(line, sizeof(line), f));
	for (k = 0; k < N; k++) {
		char *tok, *save, *end;

		assert_non_null(fgets(line, sizeof(line), f));
		assert_int_equal(d.sample[k], k);
		for (c = 0, tok = strtok_r(line, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save), c++) {
			double want = strtod(tok, &end);

			if (c == 0)
				continue;
			if (!strncmp(tok, "N/A", 3))
				assert_true(isnan(d.col[c - 1][k]));
			else if (memcmp(&d.col[c - 1][k], &want, sizeof(want)))
				fail_msg("row %zu column %d '%s': %a, strtod %a",
					 k, c, tok, d.col[c - 1][k], want);
		}
	}
	fclose(f);
	for (c = 1; c < 16; c++)
		assert_int_equal(d.na[c - 1], na[c]);
	qp_dump_free(&d);
	/* a bad cell at the regular offsets, row 2500: line 2506 */
	f = fopen(path, "r+");
	assert_non_null(f);
	for (k = 0; k < 5 + 2500; k++)
		assert_non_null(fgets(line, sizeof(line), f));
	assert_int_equal(fseek(f, 15 * 3 + 2, SEEK_CUR), 0);
	fputc('#', f);
	fclose(f);
	assert_int_equal(qp_dump_load(path, &d, err, sizeof(err)), -1);
	print_message("  -> %s\n", err);
	assert_non_null(strstr(err, ":2506: column 'devInWaitTimeUs': bad number"));
	free(path);
	/* unpadded rows: the same row length, a digit moved between cells */
	path = fx_write(dir, "shift.txt",
		"Profiling Data\nProgramId:0\nProgramName: x\n"
		"NumSamples collected: 4 Num Requested: 4\n"
		"Sample,devInfPerSec,devExecUs,devInWaitTimeUs,devOutWaitTimeUs,hostRoundTripUs,enqTimeUs,preProcTimeUs,submitTimeUs,execTotalUs,exectoVcUs,execToCompleteUs,postProcUs,totalRoundtripTimeUs,queueDepth,numInfInQueue\n"
		"0,11,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
		"1,1,22,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
		"2,11,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
		"3,11,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n");
	assert_non_null(path);
	assert_int_equal(qp_dump_load(path, &d, err, sizeof(err)), 0);
	assert_int_equal(d.nrows, 4);
	assert_true(d.col[QP_M_DEV_INF_PER_SEC][1] == 1 &&
		    d.col[QP_M_DEV_EXEC][1] == 22 &&
		    d.col[QP_M_DEV_INF_PER_SEC][2] == 11 &&
		    d.col[QP_M_DEV_EXEC][2] == 2);
	qp_dump_free(&d);
	free(path);
}

struct feed {
	int fd;
	const char *path;
};

static void *feed_pipe(void *arg)
{
	struct feed *fd = arg;
	char buf[65536];
	FILE *f = fopen(fd->path, "r");
	size_t n;

	while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (write(fd->fd, buf, n) != (ssize_t)n)
			break;
	if (f)
		fclose(f);
	close(fd->fd);
	return NULL;
}

/* A pipe (no size, no positioned reads) is read to its end, in chunks. */
static void test_pipe(void **state)
{
	enum { N = 30000 };
	char *path, *via, err[512];
	struct qp_dump d;
	struct feed fd;
	pthread_t t;
	int p[2];

	(void)state;
	path = gen_file("piped.txt", "net", 0, N, true, NULL, NULL);
	assert_int_equal(pipe(p), 0);
	fd = (struct feed){ p[1], path };
	assert_int_equal(pthread_create(&t, NULL, feed_pipe, &fd), 0);
	assert_true(asprintf(&via, "/proc/self/fd/%d", p[0]) > 0);
	assert_int_equal(qp_dump_load(via, &d, err, sizeof(err)), 0);
	pthread_join(t, NULL);
	close(p[0]);
	expect_rows(path, &d, N);
	qp_dump_free(&d);
	free(via);
	free(path);
}

/*
 * The decimal syntax a cell may have: [+-]digits[.digits] or
 * [+-][digits].digits, then optionally e[+-]digits (no inf, nan, hex).
 */
static bool plain_decimal(const char *s)
{
	size_t n = strspn(s, "+-") <= 1 ? strspn(s, "+-") : 9;
	size_t i = strspn(s + n, "0123456789"), f = 0;

	if (n > 1)
		return false;
	s += n + i;
	if (*s == '.') {
		f = strspn(s + 1, "0123456789");
		s += 1 + f;
	}
	if (!i && !f)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		s += strspn(s, "+-") == 1;
		if (!strspn(s, "0123456789"))
			return false;
		s += strspn(s, "0123456789");
	}
	return !*s;
}

/*
 * qp_dump_parse_number(S) must be exactly strtod(S) for the decimal
 * numbers a runtime writes, from 0 (a "-0" included) to 2^53, and refuse
 * everything else.
 */
static void expect_like_strtod(const char *str)
{
	double got = -12345.0, want;
	char *end;
	int rc = qp_dump_parse_number(str, str + strlen(str), &got);

	errno = 0;
	want = strtod(str, &end);
	if (want == 0)
		want = 0.0;	/* -0 is read as 0 */
	if (*str && *end == '\0' && errno != ERANGE && plain_decimal(str) &&
	    want >= 0 && want <= 9007199254740992.0) {
		if (rc || memcmp(&got, &want, sizeof(got)))
			fail_msg("'%s': got %d %a, strtod %a", str, rc, got, want);
	} else if (rc == 0) {
		fail_msg("'%s' accepted as %a, strtod refuses it", str, got);
	}
}

static void test_number_parser(void **state)
{
	static const char *const edge[] = {
		"0", "0.0", "00012.500", "12.", ".5", "1e2", "-3.25", "+7",
		"9007199254740992", "9007199254740993", "9007199254740993.0",
		"18446744073709551615", "18446744073709551616",
		"1234567890123456789", "12345678901234567890",
		"0.1", "0.3", "0.7", "2.675", "1.005", "123456.789012",
		"0.0000000000000000000001", "1.0000000000000000000001",
		"99999999999999999.999", "4503599627370496.5",
		"17672.244", "0.000104", "N/A", "", ".", "-", "1.2.3", "1x",
		"12 ", " 12", "0x1p3", "inf", "nan", "1e400", "1,5",
		"-0", "-0.000", "+0.5", "-0.005", "1e308", "1e15", "9.007199254740993e15",
		"0x10", "INF", "-inf", "infinity", "1e", "1e+", "e5", "+-1", "--1",
		"1e-400", "5.", "-.5",
	};
	char buf[64];
	size_t k;
	int i;

	(void)state;
	for (k = 0; k < sizeof(edge) / sizeof(edge[0]); k++)
		expect_like_strtod(edge[k]);
	/* random "ddd.ddd" of 1 to 25 digits, and printf'ed doubles */
	for (i = 0; i < 300000; i++) {
		int digits = 1 + (int)(next() % 25), dot = (int)(next() % (digits + 1)), j, len = 0;

		for (j = 0; j < digits; j++) {
			if (j == dot && j)
				buf[len++] = '.';
			buf[len++] = (char)('0' + next() % 10);
		}
		buf[len] = '\0';
		expect_like_strtod(buf);
		snprintf(buf, sizeof(buf), "%.*f", (int)(next() % 10),
			 (double)(next() % 100000000) / (double)(1 + next() % 100000));
		expect_like_strtod(buf);
	}
}

/*
 * latency_stats_python3.py's computation, written independently: skip 4
 * lines, read_csv(skipinitialspace), strip names, µs -> ms, describe.
 */
static const char pandas_script[] =
	"import sys, pandas as pd\n"
	"frames = []\n"
	"for p in sys.argv[1:]:\n"
	"    with open(p) as f:\n"
	"        for _ in range(4): f.readline()\n"
	"        df = pd.read_csv(f, skipinitialspace=True)\n"
	"    df.columns = df.columns.str.strip()\n"
	"    for c in list(df.columns):\n"
	"        if c.endswith('Us'):\n"
	"            try:\n"
	"                df[c] = df[c] / 1000.0\n"
	"            except TypeError:\n"
	"                pass\n"
	"            df = df.rename(columns={c: c[:-2]})\n"
	"    frames.append(df)\n"
	"df = pd.concat(frames, ignore_index=True)\n"
	"st = df.drop(['Sample', 'queueDepth', 'numInfInQueue'], axis=1)\n"
	"st = st.describe(percentiles=[.5, .75, .90, .95, .99]).drop(['count', 'std'], axis=0).transpose()\n"
	"print('All activations combined:')\n"
	"with pd.option_context('display.max_rows', None, 'display.max_columns', None, 'display.width', None):\n"
	"    print(st)\n"
	"print('{}: percentile({}) = {:.3f} ms'.format('totalRoundtripTime', 'mean', st.loc['totalRoundtripTime']['mean']))\n";

static char *slurp_cmd(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	char *buf = calloc(1, 65536);
	size_t n;

	assert_non_null(p);
	n = fread(buf, 1, 65535, p);
	buf[n] = '\0';
	assert_int_equal(pclose(p), 0);
	return buf;
}

static void compare_with_pandas(char **paths, size_t n)
{
	const struct qp_dump *dp[4];
	struct qp_dump d[4];
	char err[512], *script, cmd[4096], *want, *got = NULL;
	size_t len = 0, k;
	FILE *mem;

	for (k = 0; k < n; k++) {
		assert_int_equal(qp_dump_load(paths[k], &d[k], err, sizeof(err)), 0);
		dp[k] = &d[k];
	}
	mem = open_memstream(&got, &len);
	assert_int_equal(qp_dump_summary_print(mem, dp, n, 0), 0);
	fclose(mem);
	script = fx_write(dir, "ls.py", pandas_script);
	assert_non_null(script);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s", script ? script : "");
	for (k = 0; k < n; k++)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " %s", paths[k]);
	want = slurp_cmd(cmd);
	print_message("%s", got);
	assert_string_equal(got, want);
	for (k = 0; k < n; k++)
		qp_dump_free(&d[k]);
	free(script);
	free(want);
	free(got);
}

static void test_summary_vs_pandas(void **state)
{
	char *paths[2];

	(void)state;
	if (!fx_python_pandas()) {
		print_message("/usr/bin/python3 pandas missing: skipped\n");
		skip();
	}
	paths[0] = gen_file("dev.txt", "net", 0, 997, true, NULL, NULL);
	compare_with_pandas(paths, 1);
	paths[1] = gen_file("dev2.txt", "net", 1, 51, true, NULL, NULL);
	compare_with_pandas(paths, 2);	/* all activations combined */
	free(paths[0]);
	free(paths[1]);
	paths[0] = gen_file("host.txt", "net", 0, 300, false, NULL, NULL);
	compare_with_pandas(paths, 1);	/* N/A device columns omitted */
	free(paths[0]);
}

/* The layout of the real script outputs: header, row labels, last line. */
static void test_summary_layout_of_samples(void **state)
{
	const char *src = getenv("srcdir");
	char path[1024], line[512], *paths[1], *got = NULL;
	const struct qp_dump *dp[1];
	struct qp_dump d;
	size_t len = 0;
	FILE *f, *mem;

	(void)state;
	snprintf(path, sizeof(path),
		 "%s/test_io_data/latency_stats_script_output_host_only.txt",
		 src ? src : ".");
	paths[0] = gen_file("layout.txt", "net", 0, 40, false, NULL, NULL);
	assert_int_equal(qp_dump_load(paths[0], &d, line, sizeof(line)), 0);
	dp[0] = &d;
	mem = open_memstream(&got, &len);
	assert_int_equal(qp_dump_summary_print(mem, dp, 1, 0), 0);
	fclose(mem);
	f = fopen(path, "r");
	assert_non_null(f);
	/* same line count, same first word per line, same last-line prefix */
	{
		char *p = got;

		while (fgets(line, sizeof(line), f)) {
			char *nl = strchr(p, '\n'), w1[64], w2[64];

			assert_non_null(nl);
			assert_int_equal(sscanf(line, "%63s", w1), 1);
			assert_int_equal(sscanf(p, "%63s", w2), 1);
			assert_string_equal(w1, w2);
			p = nl + 1;
		}
		assert_int_equal(*p, '\0');
	}
	fclose(f);
	qp_dump_free(&d);
	free(paths[0]);
	free(got);
}

/* ---- merge ---------------------------------------------------------- */

static const char *const one_name[] = { "net" };

static void build(struct qp_model *m, size_t n, const uint32_t *vc,
		  const uint32_t *co)
{
	struct fx_inf f[16];
	uint16_t prog[16] = { 0 };

	for (size_t k = 0; k < n; k++) {
		f[k] = (struct fx_inf){ .t0_us = 100 * k, .enq = 2, .pre = 10,
					.submit = 3, .exec_total = 50, .post = 5,
					.vc = vc[k], .complete = co[k], .qelems = 1 };
	}
	fx_model(m, one_name, 1, f, prog, n);
}

static void test_merge(void **state)
{
	uint32_t vc[8] = { 5, 6, 5, 7, 5, 6, 5, 5 };
	uint32_t co[8] = { 40, 41, 42, 43, 44, 45, 46, 47 };
	struct qp_dump_set s = { 0 };
	struct qp_merge_result r;
	struct qp_model m;
	char err[512], *path;
	double v;

	(void)state;
	build(&m, 8, vc, co);
	/* two app threads raced: the runtime numbered enqueues 2 and 3 the other way */
	m.inf[2].t0 += 150000;
	path = gen_file("aic-profiling-program-5-latency.txt", "net", 5, 8, true, vc, co);
	assert_int_equal(qp_dump_set_add(&s, path, err, sizeof(err)), 0);
	assert_int_equal(qp_dump_merge(&m, &s, NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.rows, 8);
	assert_int_equal(r.matched, 8);
	assert_int_equal(r.mismatched + r.unmatched, 0);
	assert_int_equal(m.programs[0].batch, 8);
	for (size_t k = 0; k < 8; k++) {
		size_t row = k == 2 ? 3 : k == 3 ? 2 : k;	/* in t0 order */

		assert_true(m.inf[k].flags & QP_F_HAS_DEV);
		/* the row carrying inference k's kernel integers */
		for (row = 0; row < 8; row++)
			if (s.d[0].col[QP_M_EXEC_TO_COMPLETE][row] == co[k])
				break;
		assert_float_equal(qp_model_dev(&m, &m.inf[k])->exec_us,
				   s.d[0].col[QP_M_DEV_EXEC][row], 0);
		assert_true(qp_metric_value(&m, &m.inf[k], QP_M_DEV_INF_PER_SEC, 8, &v));
		assert_float_equal(v, s.d[0].col[QP_M_DEV_INF_PER_SEC][row], 0.001);
	}
	qp_dump_set_free(&s);
	qp_model_free(&m);
	unlink(path);
	free(path);
}

static void test_merge_refusals(void **state)
{
	uint32_t vc[8] = { 5, 6, 5, 7, 5, 6, 5, 5 };
	uint32_t co[8] = { 40, 41, 42, 43, 44, 45, 46, 47 };
	uint32_t other[8] = { 90, 91, 92, 93, 94, 95, 96, 97 };
	struct qp_dump_set s = { 0 };
	struct qp_merge_result r;
	struct qp_model m;
	char err[512], *p1, *p2;

	(void)state;
	/* rows from another run: kernel integers contradict */
	build(&m, 8, vc, co);
	p1 = gen_file("aic-profiling-program-0-latency.txt", "net", 0, 8, true, vc, other);
	assert_int_equal(qp_dump_set_add(&s, p1, err, sizeof(err)), 0);
	assert_int_equal(qp_dump_merge(&m, &s, NULL, &r, err, sizeof(err)), -1);
	print_message("  -> %s\n", err);
	assert_non_null(strstr(err, "ambiguous merge"));
	assert_non_null(strstr(err, "8 of 8 rows contradict"));
	for (size_t k = 0; k < 8; k++)
		assert_false(m.inf[k].flags & QP_F_HAS_DEV);	/* untouched */
	qp_dump_set_free(&s);
	/* a program name the trace does not have */
	p2 = gen_file("aic-profiling-program-1-latency.txt", "resnet", 1, 8, true, vc, co);
	assert_int_equal(qp_dump_set_add(&s, p2, err, sizeof(err)), 0);
	assert_int_equal(qp_dump_merge(&m, &s, NULL, &r, err, sizeof(err)), -1);
	print_message("  -> %s\n", err);
	assert_non_null(strstr(err, "program 'resnet' is not in the trace (recorded programs: 'net')"));
	qp_dump_set_free(&s);
	/* the same name in two processes */
	m.processes = realloc(m.processes, 2 * sizeof(*m.processes));
	memset(&m.processes[1], 0, sizeof(m.processes[1]));
	m.processes[1].pid = 5151;
	m.nprocesses = 2;
	m.programs = realloc(m.programs, 2 * sizeof(*m.programs));
	m.programs[1] = (struct qp_program){ .name = strdup("net"), .process = 1 };
	m.nprograms = 2;
	free(p1);
	p1 = gen_file("aic-profiling-program-0-latency.txt", "net", 0, 8, true, vc, co);
	/* a directory: every aic-profiling-program-*-latency.txt in it */
	unlink(p2);
	unlink(strcat(strcpy(err, dir), "/bad.txt"));
	assert_int_equal(qp_dump_set_add(&s, dir, err, sizeof(err)), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(qp_dump_merge(&m, &s, NULL, &r, err, sizeof(err)), -1);
	print_message("  -> %s\n", err);
	assert_non_null(strstr(err, "ambiguous merge: program 'net' was recorded in several processes (pids 4242 and 5151)"));
	/* --pid resolves it */
	assert_int_equal(qp_dump_merge(&m, &s, &(struct qp_merge_opts){ .pid = 4242 },
				       &r, err, sizeof(err)), 0);
	assert_int_equal(r.matched, 8);
	qp_dump_set_free(&s);
	/* a rate that implies no batch (1 inf/s over 50 us): refused, not dropped */
	{
		char *text = NULL, *p3;
		size_t len = 0, k;
		FILE *mem = open_memstream(&text, &len);

		fprintf(mem, "Profiling Data\nProgramId:0\nProgramName: net\n"
			"NumSamples collected: 8 Num Requested: 8\n"
			"Sample,devInfPerSec,devExecUs,hostRoundTripUs,execTotalUs,exectoVcUs,execToCompleteUs,totalRoundtripTimeUs\n");
		for (k = 0; k < 8; k++)
			fprintf(mem, "%zu,%s,50.000,%u,100.000,%u,%u,200.000\n", k,
				k == 3 ? "1.000" : "160000.000", vc[k] + co[k], vc[k], co[k]);
		fclose(mem);
		unlink(p1);
		p3 = fx_write(dir, "aic-profiling-program-0-latency.txt", text);
		assert_int_equal(qp_dump_set_add(&s, p3, err, sizeof(err)), 0);
		assert_int_equal(qp_dump_merge(&m, &s, &(struct qp_merge_opts){ .pid = 4242 },
					       &r, err, sizeof(err)), -1);
		print_message("  -> %s\n", err);
		assert_non_null(strstr(err, "aic-profiling-program-0-latency.txt: Sample 3: devInfPerSec 1 x devExecUs 50"));
		assert_non_null(strstr(err, "is no batch size"));
		qp_dump_set_free(&s);
		unlink(p3);
		free(p3);
		free(text);
	}
	qp_model_free(&m);
	free(p1);
	free(p2);
}

static int setup(void **state)
{
	(void)state;
	dir = fx_tmpdir();
	return dir ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fx_rmdir(dir);
	free(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_truncated_sample),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_refused_values),
		cmocka_unit_test(test_reordered_extended),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_number_parser),
		cmocka_unit_test(test_big_file_halves),
		cmocka_unit_test(test_big_file_skewed),
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_layout_changes),
		cmocka_unit_test(test_summary_vs_pandas),
		cmocka_unit_test(test_summary_layout_of_samples),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_merge_refusals),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
