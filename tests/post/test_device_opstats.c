// SPDX-License-Identifier: MIT
/*
 * opstats.c / opsanalyze.c against the real sample
 * (test_device_data/opstats_summary_full_bert_base.txt, a runtime's opstats
 * summary of a 2-core bert-base inference): every field of every line, the
 * excerpts, the derived usage and findings, and malformed inputs (each
 * message checked, with its file and line).
 *
 * The expected values were computed from the sample with awk, not with
 * the parser under test; the commands are above each table.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "linescan.h"
#include "opstats.h"
#include "test_io_fixture.h"

#define NA_ (-1.0)
#define SAMPLE "opstats_summary_full_bert_base.txt"

static char *dir;

struct want_row {
	uint32_t core;
	uint64_t ucycles;
	double ucycles_pct, pcycles, pcycles_pct;
	uint64_t count;
	double out_kb, uc_kb, pc_kb, stddev;
	unsigned long line;
	const char *details, *name, *engine, *mem, *dtypes;
};

/*
 * awk '$1 ~ /^c[0-9]+$/ && $2 ~ /^[0-9]+$/ && NF >= 11 {
 *	d = substr($0, 110); sub(/[ ]+$/, "", d)   # opdetails: column 110 on
 *	mem = (NF >= 13 && $13 !~ /^\(/) ? $13 : NULL
 *	dtypes = text inside the final parentheses of d, or NULL
 *	print core, $2, $3 without %, $4 (N/A -> NA_), $5 without %, $6, $7,
 *	      $8, $9, $10, NR, d, $11, $12, mem, dtypes }' SAMPLE
 */
static const struct want_row want_rows[] = {
	{ 0, 424682, 95.50, NA_, NA_, 759, NA_, NA_, NA_, NA_, 3, "sync DMAIssue", "sync", "DMAIssue", NULL, NULL },
	{ 0, 244552, 55.00, 15612581, 54.67, 1081, 525124.00, 0.47, 29.73, 20.98, 4, "aicconvolutiond32 HMX TCM (float16, i8, index32)", "aicconvolutiond32", "HMX", "TCM", "float16, i8, index32" },
	{ 0, 186007, 41.83, NA_, NA_, 906, NA_, NA_, NA_, NA_, 5, "sync HMX", "sync", "HMX", NULL, NULL },
	{ 0, 164066, 36.90, NA_, NA_, 646, NA_, NA_, NA_, NA_, 6, "sync HVX", "sync", "HVX", NULL, NULL },
	{ 0, 70129, 15.77, 4532059, 15.87, 24, 18432.00, 3.80, 245.88, 11.79, 7, "aicsoftmax HVX TCM (float16, i8, index64)", "aicsoftmax", "HVX", "TCM", "float16, i8, index64" },
	{ 0, 67009, 15.07, 97200, 0.34, 413, 83189.12, 0.81, 1.17, 104.81, 8, "aiccopytovtcm DMAIssue DDR", "aiccopytovtcm", "DMAIssue", "DDR", NULL },
	{ 0, 62830, 14.13, 3950024, 13.83, 72, 36864.00, 1.70, 107.15, 18.85, 9, "elementerf  HVX TCM (float16)", "elementerf", "HVX", "TCM", "float16" },
	{ 0, 32866, 7.39, 2126216, 7.44, 48, 36864.00, 0.89, 57.68, 60.28, 10, "aictranspose HVX TCM (float16)", "aictranspose", "HVX", "TCM", "float16" },
	{ 0, 22368, 5.03, 1451308, 5.08, 25, 19200.00, 1.17, 75.59, 0.43, 11, "aiclayernormd32 HVX TCM (float16)", "aiclayernormd32", "HVX", "TCM", "float16" },
	{ 0, 17012, 3.83, 1083762, 3.79, 49, 37632.00, 0.45, 28.80, 6.75, 12, "aicconverttod32 HVX TCM (float16, i8)", "aicconverttod32", "HVX", "TCM", "float16, i8" },
	{ 0, 16781, 3.77, 108781, 0.38, 413, 83188.12, 0.20, 1.31, 104.57, 13, "aicmulticastvtcm DMAIssue TCM", "aicmulticastvtcm", "DMAIssue", "TCM", NULL },
	{ 0, 15492, 3.48, NA_, NA_, 653, NA_, NA_, NA_, NA_, 14, "barrier HVX", "barrier", "HVX", NULL, NULL },
	{ 0, 13929, 3.13, 884238, 3.10, 145, 73730.00, 0.19, 11.99, 6.23, 15, "aicmulsplat  HVX TCM (float16)", "aicmulsplat", "HVX", "TCM", "float16" },
	{ 0, 13519, 3.04, 873523, 3.06, 62, 55299.00, 0.24, 15.80, 1192.64, 16, "aicconvertfromd32 HVX TCM (float16)", "aicconvertfromd32", "HVX", "TCM", "float16" },
	{ 0, 13396, 3.01, NA_, NA_, 690, NA_, NA_, NA_, NA_, 17, "barrier DMAIssue", "barrier", "DMAIssue", NULL, NULL },
	{ 0, 11244, 2.53, 727544, 2.55, 24, 18432.00, 0.61, 39.47, 1.82, 18, "aicconvertweightstod32 HVX TCM (float16)", "aicconvertweightstod32", "HVX", "TCM", "float16" },
	{ 0, 10606, 2.39, 672426, 2.35, 72, 36864.00, 0.29, 18.24, 3.89, 19, "elementmul  HVX TCM (float16)", "elementmul", "HVX", "TCM", "float16" },
	{ 0, 9593, 2.16, NA_, NA_, 811, NA_, NA_, NA_, NA_, 20, "barrier HMX", "barrier", "HMX", NULL, NULL },
	{ 0, 9375, 2.11, 606547, 2.12, 13, 19200.00, 0.49, 31.59, 5.37, 21, "aicbroadcastadd HVX TCM (float16)", "aicbroadcastadd", "HVX", "TCM", "float16" },
	{ 0, 7134, 1.60, 452813, 1.59, 72, 36864.00, 0.19, 12.28, 3.36, 22, "aicaddsplat  HVX TCM (float16)", "aicaddsplat", "HVX", "TCM", "float16" },
	{ 0, 3758, 0.85, 243902, 0.85, 25, 19200.00, 0.20, 12.70, 1.81, 23, "elementadd  HVX TCM (float16)", "elementadd", "HVX", "TCM", "float16" },
	{ 0, 2886, 0.65, 3385, 0.01, 13, 9984.00, 0.29, 0.34, 0.03, 24, "aiccopysamevtcm HVX TCM", "aiccopysamevtcm", "HVX", "TCM", NULL },
	{ 0, 2419, 0.54, 22122, 0.08, 72, 27648.00, 0.09, 0.80, 0.54, 25, "aiccopysamevtcm2d HMX TCM", "aiccopysamevtcm2d", "HMX", "TCM", NULL },
	{ 0, 917, 0.21, 57723, 0.20, 1, 768.00, 1.19, 75.16, 0.00, 26, "aicgather HVX DDR (float16, ui8, index32)", "aicgather", "HVX", "DDR", "float16, ui8, index32" },
	{ 0, 354, 0.08, 22294, 0.08, 1, 768.00, 0.46, 29.03, 0.00, 27, "aicgather HVX TCM (float16, ui8, index32)", "aicgather", "HVX", "TCM", "float16, ui8, index32" },
	{ 0, 353, 0.08, 22229, 0.08, 1, 2.00, 176.50, 11114.50, 0.00, 28, "convertto HVX TCM (float16, index32)", "convertto", "HVX", "TCM", "float16, index32" },
	{ 0, 86, 0.02, 237, 0.00, 1, 1.00, 86.00, 237.00, 0.00, 29, "aiccopysamevtcm2d HVX TCM", "aiccopysamevtcm2d", "HVX", "TCM", NULL },
	{ 0, 85, 0.02, 5629, 0.02, 1, 864.63, 0.10, 6.51, 0.00, 30, "aicendcyclestats DMAIssue DDR (i8)", "aicendcyclestats", "DMAIssue", "DDR", "i8" },
	{ 0, 77, 0.02, 5075, 0.02, 1, 864.63, 0.09, 5.87, 0.00, 31, "aicendcyclestats HMX DDR (i8)", "aicendcyclestats", "HMX", "DDR", "i8" },
	{ 0, 77, 0.02, 5065, 0.02, 1, 864.63, 0.09, 5.86, 0.00, 32, "aicendcyclestats HVX DDR (i8)", "aicendcyclestats", "HVX", "DDR", "i8" },
	{ 0, 21, 0.00, 540, 0.00, 2, 2.00, 10.50, 270.00, 9.00, 33, "aicmulticastvtcm HVX TCM", "aicmulticastvtcm", "HVX", "TCM", NULL },
	{ 0, 5, 0.00, 320, 0.00, 1, 12.00, 0.42, 26.67, 0.00, 34, "aicinputsemaphoreinc HVX TCM (i8, index32)", "aicinputsemaphoreinc", "HVX", "TCM", "i8, index32" },
	{ 0, 1, 0.00, 109, 0.00, 1, 2.00, 0.50, 54.50, 0.00, 35, "elementsub  HVX TCM (float16)", "elementsub", "HVX", "TCM", "float16" },
	{ 1, 424668, 95.56, NA_, NA_, 758, NA_, NA_, NA_, NA_, 74, "sync DMAIssue", "sync", "DMAIssue", NULL, NULL },
	{ 1, 240061, 54.02, 15560590, 54.04, 1081, 525124.00, 0.46, 29.63, 20.22, 75, "aicconvolutiond32 HMX TCM (float16, i8, index32)", "aicconvolutiond32", "HMX", "TCM", "float16, i8, index32" },
	{ 1, 190349, 42.83, NA_, NA_, 926, NA_, NA_, NA_, NA_, 76, "sync HMX", "sync", "HMX", NULL, NULL },
	{ 1, 156695, 35.26, NA_, NA_, 638, NA_, NA_, NA_, NA_, 77, "sync HVX", "sync", "HVX", NULL, NULL },
	{ 1, 73500, 16.54, 4756082, 16.52, 24, 18432.00, 3.99, 258.03, 7.45, 78, "aicsoftmax HVX TCM (float16, i8, index64)", "aicsoftmax", "HVX", "TCM", "float16, i8, index64" },
	{ 1, 66800, 15.03, 4326084, 15.02, 72, 36864.00, 1.81, 117.35, 10.64, 79, "elementerf  HVX TCM (float16)", "elementerf", "HVX", "TCM", "float16" },
	{ 1, 65611, 14.76, 94643, 0.33, 411, 83352.06, 0.79, 1.14, 284.41, 80, "aiccopytovtcm DMAIssue DDR", "aiccopytovtcm", "DMAIssue", "DDR", NULL },
	{ 1, 32782, 7.38, 2120663, 7.37, 48, 36864.00, 0.89, 57.53, 58.26, 81, "aictranspose HVX TCM (float16)", "aictranspose", "HVX", "TCM", "float16" },
	{ 1, 22389, 5.04, 1451328, 5.04, 25, 19200.00, 1.17, 75.59, 0.41, 82, "aiclayernormd32 HVX TCM (float16)", "aiclayernormd32", "HVX", "TCM", "float16" },
	{ 1, 18470, 4.16, NA_, NA_, 649, NA_, NA_, NA_, NA_, 83, "barrier HVX", "barrier", "HVX", NULL, NULL },
	{ 1, 18006, 4.05, 1163795, 4.04, 49, 37632.00, 0.48, 30.93, 8.50, 84, "aicconverttod32 HVX TCM (float16, i8)", "aicconverttod32", "HVX", "TCM", "float16, i8" },
	{ 1, 16153, 3.63, 111736, 0.39, 411, 83352.06, 0.19, 1.34, 360.63, 85, "aicmulticastvtcm DMAIssue TCM", "aicmulticastvtcm", "DMAIssue", "TCM", NULL },
	{ 1, 14038, 3.16, 910583, 3.16, 144, 73728.00, 0.19, 12.35, 5.36, 86, "aicmulsplat  HVX TCM (float16)", "aicmulsplat", "HVX", "TCM", "float16" },
	{ 1, 13369, 3.01, 865455, 3.01, 62, 55299.00, 0.24, 15.65, 1083.27, 87, "aicconvertfromd32 HVX TCM (float16)", "aicconvertfromd32", "HVX", "TCM", "float16" },
	{ 1, 13285, 2.99, NA_, NA_, 714, NA_, NA_, NA_, NA_, 88, "barrier DMAIssue", "barrier", "DMAIssue", NULL, NULL },
	{ 1, 11220, 2.52, 726179, 2.52, 24, 18432.00, 0.61, 39.40, 1.87, 89, "aicconvertweightstod32 HVX TCM (float16)", "aicconvertweightstod32", "HVX", "TCM", "float16" },
	{ 1, 10281, 2.31, 665072, 2.31, 13, 19200.00, 0.54, 34.64, 6.35, 90, "aicbroadcastadd HVX TCM (float16)", "aicbroadcastadd", "HVX", "TCM", "float16" },
	{ 1, 9650, 2.17, 626856, 2.18, 72, 36864.00, 0.26, 17.00, 4.43, 91, "elementmul  HVX TCM (float16)", "elementmul", "HVX", "TCM", "float16" },
	{ 1, 9497, 2.14, NA_, NA_, 809, NA_, NA_, NA_, NA_, 92, "barrier HMX", "barrier", "HMX", NULL, NULL },
	{ 1, 6362, 1.43, 412148, 1.43, 72, 36864.00, 0.17, 11.18, 2.87, 93, "aicaddsplat  HVX TCM (float16)", "aicaddsplat", "HVX", "TCM", "float16" },
	{ 1, 3762, 0.85, 243650, 0.85, 25, 19200.00, 0.20, 12.69, 1.86, 94, "elementadd  HVX TCM (float16)", "elementadd", "HVX", "TCM", "float16" },
	{ 1, 2883, 0.65, 3701, 0.01, 14, 9985.00, 0.29, 0.37, 67.13, 95, "aiccopysamevtcm HVX TCM", "aiccopysamevtcm", "HVX", "TCM", NULL },
	{ 1, 2368, 0.53, 21045, 0.07, 72, 27648.00, 0.09, 0.76, 0.53, 96, "aiccopysamevtcm2d HMX TCM", "aiccopysamevtcm2d", "HMX", "TCM", NULL },
	{ 1, 935, 0.21, 58961, 0.20, 1, 768.00, 1.22, 76.77, 0.00, 97, "aicgather HVX DDR (float16, ui8, index32)", "aicgather", "HVX", "DDR", "float16, ui8, index32" },
	{ 1, 351, 0.08, 22078, 0.08, 1, 768.00, 0.46, 28.75, 0.00, 98, "aicgather HVX TCM (float16, ui8, index32)", "aicgather", "HVX", "TCM", "float16, ui8, index32" },
	{ 1, 152, 0.03, 251, 0.00, 1, 1.00, 152.00, 251.00, 0.00, 99, "aiccopysamevtcm2d HVX TCM", "aiccopysamevtcm2d", "HVX", "TCM", NULL },
	{ 1, 99, 0.02, 6534, 0.02, 1, 864.63, 0.11, 7.56, 0.00, 100, "aicendcyclestats HMX DDR (i8)", "aicendcyclestats", "HMX", "DDR", "i8" },
	{ 1, 83, 0.02, 5432, 0.02, 1, 864.63, 0.10, 6.28, 0.00, 101, "aicendcyclestats HVX DDR (i8)", "aicendcyclestats", "HVX", "DDR", "i8" },
	{ 1, 52, 0.01, 3465, 0.01, 1, 864.63, 0.06, 4.01, 0.00, 102, "aicendcyclestats DMAIssue DDR (i8)", "aicendcyclestats", "DMAIssue", "DDR", "i8" },
	{ 1, 4, 0.00, 229, 0.00, 1, 8.00, 0.50, 28.62, 0.00, 103, "aicinputsemaphoreinc HVX TCM (i8)", "aicinputsemaphoreinc", "HVX", "TCM", "i8" },
	{ 1, 2, 0.00, 1579, 0.01, 1, 1.00, 2.00, 1579.00, 0.00, 104, "aiccopysamevtcm DMAIssue TCM", "aiccopysamevtcm", "DMAIssue", "TCM", NULL },
};

/* awk '$2 ~ /^t[0-9]$/ && $5 == "ucycles"' SAMPLE: core, thread, engine,
 * ucycles, [start, end], pcycles, utilization */
static const struct {
	uint32_t core, tid;
	const char *engine;
	uint64_t ucycles, start, end, pcycles;
	double util;
} want_threads[] = {
	{ 0, 0, "HVX", 444602, 9803252406782, 9803252851384, 28554461, 59.72 },
	{ 0, 1, "HVX", 444602, 9803252406783, 9803252851385, 28554459, 61.41 },
	{ 0, 2, "HVX", 444603, 9803252406782, 9803252851385, 28554512, 61.46 },
	{ 0, 3, "HVX", 444602, 9803252406783, 9803252851385, 28554454, 59.50 },
	{ 0, 4, "HMX", 444603, 9803252406782, 9803252851385, 28554502, 54.77 },
	{ 0, 5, "DMAIssue", 444672, 9803252406783, 9803252851455, 28559104, 0.74 },
	{ 1, 0, "HVX", 444308, 9803252406778, 9803252851086, 28786630, 61.34 },
	{ 1, 1, "HVX", 444308, 9803252406778, 9803252851086, 28786669, 62.55 },
	{ 1, 2, "HVX", 444307, 9803252406779, 9803252851086, 28786619, 62.26 },
	{ 1, 3, "HVX", 444307, 9803252406779, 9803252851086, 28786657, 61.59 },
	{ 1, 4, "HMX", 444308, 9803252406778, 9803252851086, 28786739, 54.15 },
	{ 1, 5, "DMAIssue", 444413, 9803252406779, 9803252851192, 28793610, 0.73 },
};

/* awk '$2 == "batch" && $1 ~ /^c/': core, thread, ucycles, [start,end], pcycles */
static const struct {
	uint32_t core, tid;
	uint64_t ucycles, start, end, pcycles;
} want_batch[] = {
	{ 0, 0, 444602, 9803252406782, 9803252851384, 28554461 },
	{ 0, 1, 444602, 9803252406783, 9803252851385, 28554459 },
	{ 0, 2, 444603, 9803252406782, 9803252851385, 28554512 },
	{ 0, 3, 444602, 9803252406783, 9803252851385, 28554454 },
	{ 0, 4, 444603, 9803252406782, 9803252851385, 28554502 },
	{ 0, 5, 444672, 9803252406783, 9803252851455, 28559104 },
	{ 1, 0, 444308, 9803252406778, 9803252851086, 28786630 },
	{ 1, 1, 444308, 9803252406778, 9803252851086, 28786669 },
	{ 1, 2, 444307, 9803252406779, 9803252851086, 28786619 },
	{ 1, 3, 444307, 9803252406779, 9803252851086, 28786657 },
	{ 1, 4, 444308, 9803252406778, 9803252851086, 28786739 },
	{ 1, 5, 444413, 9803252406779, 9803252851192, 28793610 },
};

/* awk '$2 == "Host_IO_Port"': core, thread, port, ucycles (file order) */
static const struct {
	uint32_t core, tid, port;
	uint64_t ucycles;
} want_ports[] = {
	{ 0, 0, 100, 30711 }, { 0, 1, 100, 0 }, { 0, 2, 100, 0 },
	{ 0, 3, 100, 0 }, { 0, 4, 100, 0 }, { 0, 5, 100, 0 },
	{ 0, 0, 101, 2 }, { 0, 1, 101, 2 }, { 0, 2, 101, 1 },
	{ 0, 3, 101, 2 }, { 0, 4, 101, 1 }, { 0, 5, 101, 1 },
	{ 1, 0, 100, 0 }, { 1, 1, 100, 0 }, { 1, 2, 100, 0 },
	{ 1, 3, 100, 0 }, { 1, 4, 100, 30698 }, { 1, 5, 100, 0 },
	{ 1, 0, 101, 1 }, { 1, 1, 101, 0 }, { 1, 2, 101, 1 },
	{ 1, 3, 101, 1 }, { 1, 4, 101, 0 }, { 1, 5, 101, 2 },
};

/* awk '$2 == "activate"': core, thread, ucycles */
static const struct {
	uint32_t core, tid;
	uint64_t ucycles;
} want_activate[] = {
	{ 0, 0, 4386 }, { 0, 1, 4339 }, { 0, 2, 4246 },
	{ 0, 3, 4161 }, { 0, 4, 4067 }, { 0, 5, 1519 },
	{ 1, 0, 4051 }, { 1, 1, 4007 }, { 1, 2, 3924 },
	{ 1, 3, 3836 }, { 1, 4, 3739 }, { 1, 5, 1521 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char *data_path(const char *name)
{
	const char *src = getenv("srcdir");
	char *p;

	assert_true(asprintf(&p, "%s/test_device_data/%s", src ? src : ".", name) > 0);
	return p;
}

/* Load or fail with the parser's message. */
static void load_ok(const char *path, struct qp_opstats *o)
{
	char err[512];

	if (qp_opstats_load(path, o, err, sizeof(err)))
		fail_msg("%s", err);
}

static void check_opt(const struct qp_opt_num *got, double want)
{
	if (want == NA_) {
		assert_true(got->na);
		assert_true(isnan(got->v));
	} else {
		assert_false(got->na);
		assert_float_equal(got->v, want, 1e-9);
	}
}

static void check_str(const char *got, const char *want)
{
	if (!want)
		assert_null(got);
	else
		assert_string_equal(got, want);
}

static void check_row(const struct qp_opstat_row *r, const struct want_row *w)
{
	assert_int_equal(r->core, w->core);
	assert_int_equal(r->ucycles, w->ucycles);
	assert_float_equal(r->ucycles_pct, w->ucycles_pct, 1e-9);
	check_opt(&r->pcycles, w->pcycles);
	check_opt(&r->pcycles_pct, w->pcycles_pct);
	assert_int_equal(r->count, w->count);
	check_opt(&r->out_kb, w->out_kb);
	check_opt(&r->ucycles_per_kb, w->uc_kb);
	check_opt(&r->pcycles_per_kb, w->pc_kb);
	check_opt(&r->stddev_pc_per_kb, w->stddev);
	assert_int_equal(r->line, w->line);
	assert_string_equal(r->details, w->details);
	assert_string_equal(r->name, w->name);
	assert_string_equal(r->engine_name, w->engine);
	check_str(r->mem, w->mem);
	check_str(r->dtypes, w->dtypes);
	assert_int_equal(r->engine, qp_engine_of(w->engine));
	assert_int_equal(r->kind, !strcmp(w->name, "sync") ? QP_OPK_SYNC :
			 !strcmp(w->name, "barrier") ? QP_OPK_BARRIER : QP_OPK_OP);
}

/* The sample under its real name in a directory: ids from the name. */
static char *sample_in_dir(const char *name)
{
	char *src = data_path(SAMPLE), *text, cmd[1024], *dst;
	size_t len;
	char err[256];

	assert_int_equal(qp_slurp(src, 1 << 20, &text, &len, err, sizeof(err)), 0);
	dst = fx_write(dir, name, text);
	assert_non_null(dst);
	free(text);
	free(src);
	(void)cmd;
	return dst;
}

static void test_full_sample_rows(void **state)
{
	char *path = sample_in_dir("aic-profiling-program-0-activation-0-inf-100.txt");
	struct qp_opstats o;
	size_t k, r = 0;

	(void)state;
	load_ok(path, &o);
	assert_true(o.has_ids);
	assert_int_equal(o.program, 0);
	assert_int_equal(o.activation, 0);
	assert_int_equal(o.inference, 100);
	assert_int_equal(o.ncores, 2);
	for (k = 0; k < o.ncores; k++) {
		size_t j;

		assert_int_equal(o.cores[k].core, k);
		for (j = 0; j < o.cores[k].nrows; j++)
			check_row(&o.cores[k].rows[j], &want_rows[r++]);
	}
	assert_int_equal(r, N(want_rows));
	/* awk: 33 rows of c0 (lines 3-35), 31 of c1 */
	assert_int_equal(o.cores[0].nrows, 33);
	assert_int_equal(o.cores[1].nrows, 31);
	assert_int_equal(o.cores[0].line, 2);
	assert_int_equal(o.cores[1].line, 73);
	qp_opstats_free(&o);
	free(path);
}

static void test_full_sample_trailers(void **state)
{
	char *path = data_path(SAMPLE);
	struct qp_opstats o;
	size_t k, j, t = 0, b = 0, p = 0, a = 0;
	/* grep -E 'total:|Total inference|Effective' SAMPLE */
	static const uint64_t total_u[] = { 444672, 444413 };
	static const uint64_t total_p[] = { 28559104, 28793610 };
	static const uint64_t inf_p[] = { 28559169, 28793705 };
	static const double mhz[] = { 1233.12, 1243.97 };

	(void)state;
	load_ok(path, &o);
	assert_false(o.has_ids);	/* not named like a runtime file */
	for (k = 0; k < o.ncores; k++) {
		const struct qp_opstat_core *c = &o.cores[k];

		assert_true(c->has_total);
		assert_int_equal(c->total_ucycles, total_u[k]);
		assert_int_equal(c->total_pcycles, total_p[k]);
		assert_true(c->has_inference_pcycles);
		assert_int_equal(c->inference_pcycles, inf_p[k]);
		assert_true(c->has_eff_mhz);
		assert_float_equal(c->eff_mhz, mhz[k], 1e-9);
		for (j = 0; j < c->nthreads; j++, t++) {
			assert_int_equal(c->core, want_threads[t].core);
			assert_int_equal(c->threads[j].tid, want_threads[t].tid);
			assert_string_equal(c->threads[j].engine_name, want_threads[t].engine);
			assert_int_equal(c->threads[j].engine, qp_engine_of(want_threads[t].engine));
			assert_int_equal(c->threads[j].ucycles, want_threads[t].ucycles);
			assert_int_equal(c->threads[j].start, want_threads[t].start);
			assert_int_equal(c->threads[j].end, want_threads[t].end);
			assert_int_equal(c->threads[j].pcycles, want_threads[t].pcycles);
			assert_float_equal(c->threads[j].util_pct, want_threads[t].util, 1e-9);
		}
		for (j = 0; j < c->nbatch; j++, b++) {
			assert_int_equal(c->core, want_batch[b].core);
			assert_int_equal(c->batch[j].tid, want_batch[b].tid);
			assert_int_equal(c->batch[j].ucycles, want_batch[b].ucycles);
			assert_int_equal(c->batch[j].start, want_batch[b].start);
			assert_int_equal(c->batch[j].end, want_batch[b].end);
			assert_int_equal(c->batch[j].pcycles, want_batch[b].pcycles);
		}
		for (j = 0; j < c->nports; j++, p++) {
			assert_int_equal(c->core, want_ports[p].core);
			assert_int_equal(c->ports[j].tid, want_ports[p].tid);
			assert_int_equal(c->ports[j].port, want_ports[p].port);
			assert_int_equal(c->ports[j].ucycles, want_ports[p].ucycles);
		}
		for (j = 0; j < c->nactivate; j++, a++) {
			assert_int_equal(c->core, want_activate[a].core);
			assert_int_equal(c->activate[j].tid, want_activate[a].tid);
			assert_int_equal(c->activate[j].ucycles, want_activate[a].ucycles);
		}
	}
	assert_int_equal(t, N(want_threads));
	assert_int_equal(b, N(want_batch));
	assert_int_equal(p, N(want_ports));
	assert_int_equal(a, N(want_activate));
	/* tail -5 SAMPLE */
	assert_true(o.has_batch);
	assert_int_equal(o.batch_ucycles, 444677);
	assert_int_equal(o.batch_start, 9803252406778ull);
	assert_int_equal(o.batch_end, 9803252851455ull);
	assert_string_equal(o.graph, "QAicGraph");
	assert_true(o.has_batch_rate);
	assert_float_equal(o.batch_sec, 0.0231603, 1e-12);
	assert_float_equal(o.batch_per_s, 43.1774, 1e-12);
	assert_true(o.has_inf_rate);
	assert_int_equal(o.batch_size, 8);
	assert_float_equal(o.inf_sec, 0.0231603, 1e-12);
	assert_float_equal(o.inf_per_s, 345.419, 1e-12);
	assert_true(o.has_max_in);
	assert_int_equal(o.max_in_wait, 30711);
	assert_true(o.has_max_out);
	assert_int_equal(o.max_out_wait, 2);
	qp_opstats_free(&o);
	free(path);
}

/*
 * The printed percentages against the integers (the format's own
 * definitions): ucycles(%) = 100 * ucycles / core total, pcycles(%) =
 * 100 * pcycles / thread-max pcycles, ucycles/KB = ucycles / out KB,
 * pcycles/KB = pcycles / out KB, each rounded to 2 decimals;
 * effective frequency = thread-max pcycles / total ucycles * 19.2 MHz;
 * batch/s = 1 / (total batch ucycles / 19.2e6).
 */
static void test_sample_identities(void **state)
{
	char *path = data_path(SAMPLE);
	struct qp_opstats o;
	size_t k, j;

	(void)state;
	load_ok(path, &o);
	for (k = 0; k < o.ncores; k++) {
		const struct qp_opstat_core *c = &o.cores[k];

		for (j = 0; j < c->nrows; j++) {
			const struct qp_opstat_row *r = &c->rows[j];

			assert_float_equal(r->ucycles_pct, 100.0 * r->ucycles / c->total_ucycles, 0.005 + 1e-9);
			if (r->pcycles.na)
				continue;
			assert_float_equal(r->pcycles_pct.v, 100.0 * r->pcycles.v / c->total_pcycles, 0.005 + 1e-9);
			assert_float_equal(r->ucycles_per_kb.v, r->ucycles / r->out_kb.v, 0.005 + 1e-9);
			assert_float_equal(r->pcycles_per_kb.v, r->pcycles.v / r->out_kb.v, 0.005 + 1e-9);
		}
		assert_float_equal(c->eff_mhz, (double)c->total_pcycles / c->total_ucycles * 19.2, 0.005);
	}
	assert_float_equal(o.batch_sec, o.batch_ucycles / 19.2e6, 5e-8);
	/* printed with 6 significant digits from the unrounded seconds */
	assert_float_equal(o.batch_per_s, 19.2e6 / o.batch_ucycles, 5e-5);
	assert_float_equal(o.inf_per_s, o.batch_size * 19.2e6 / o.batch_ucycles, 5e-4);
	qp_opstats_free(&o);
	free(path);
}

static void test_excerpts(void **state)
{
	char *head = data_path("opstats_summary_c0_head.txt");
	char *trailer = data_path("opstats_summary_c0_trailer.txt");
	char *global = data_path("opstats_summary_global_trailer.txt");
	struct qp_opstats o;
	size_t k;

	(void)state;
	/* the header and the first 12 rows of c0 */
	load_ok(head, &o);
	assert_int_equal(o.ncores, 1);
	assert_int_equal(o.cores[0].nrows, 12);
	for (k = 0; k < 12; k++)
		check_row(&o.cores[0].rows[k], &want_rows[k]);
	assert_false(o.cores[0].has_total);
	assert_false(o.has_batch);
	qp_opstats_free(&o);
	/* the c0 trailer, without a table */
	load_ok(trailer, &o);
	assert_int_equal(o.ncores, 1);
	assert_int_equal(o.cores[0].core, 0);
	assert_int_equal(o.cores[0].nrows, 0);
	assert_int_equal(o.cores[0].total_ucycles, 444672);
	assert_int_equal(o.cores[0].nthreads, 6);
	assert_int_equal(o.cores[0].nbatch, 6);
	assert_int_equal(o.cores[0].nports, 12);
	assert_int_equal(o.cores[0].nactivate, 6);
	assert_int_equal(o.cores[0].activate[5].ucycles, 1519);
	qp_opstats_free(&o);
	/* the last activate line of c1 and the global trailer */
	load_ok(global, &o);
	assert_int_equal(o.ncores, 1);
	assert_int_equal(o.cores[0].core, 1);
	assert_int_equal(o.cores[0].activate[0].tid, 5);
	assert_int_equal(o.cores[0].activate[0].ucycles, 1521);
	assert_int_equal(o.batch_ucycles, 444677);
	assert_int_equal(o.max_in_wait, 30711);
	assert_true(o.has_max_out);
	assert_int_equal(o.max_out_wait, 2);
	qp_opstats_free(&o);
	free(head);
	free(trailer);
	free(global);
}

/*
 * Derived usage, from the awk sums per core, kind and engine:
 * awk '$1 ~ /^c[0-9]+$/ && $2 ~ /^[0-9]+$/ && NF >= 11 {
 *	k = ($11 == "sync" || $11 == "barrier") ? $11 : "op"; s[$1" "k" "$12] += $2
 *	if (k == "op" && $13 == "DDR") ddr[$1] += $2 }' SAMPLE
 * c0: op HVX 279470, HMX 247048, DMAIssue 83875; sync HVX 164066, HMX
 * 186007, DMAIssue 424682; barrier HVX 15492, HMX 9593, DMAIssue 13396;
 * DDR 68165; total 444672.
 * c1: op HVX 286567, HMX 242528, DMAIssue 81818; sync HVX 156695, HMX
 * 190349, DMAIssue 424668; barrier HVX 18470, HMX 9497, DMAIssue 13285;
 * DDR 66780; total 444413.
 */
static void test_sample_analysis(void **state)
{
	char *path = data_path(SAMPLE);
	struct qp_opstats o;
	struct qp_opstats_view v;
	const struct qp_core_usage *u;
	size_t k;
	bool found;

	(void)state;
	load_ok(path, &o);
	assert_int_equal(qp_opstats_analyze(&o, 5, &v), 0);
	assert_int_equal(v.ncores, 2);
	u = &v.cores[0];
	assert_int_equal(u->total_ucycles, 444672);
	assert_float_equal(u->busy_pct[QP_ENG_HVX], 100.0 * 279470 / 444672, 1e-9);
	assert_float_equal(u->busy_pct[QP_ENG_HMX], 100.0 * 247048 / 444672, 1e-9);
	assert_float_equal(u->busy_pct[QP_ENG_DMA], 100.0 * 83875 / 444672, 1e-9);
	assert_float_equal(u->sync_pct[QP_ENG_HVX], 100.0 * 164066 / 444672, 1e-9);
	assert_float_equal(u->sync_pct[QP_ENG_HMX], 100.0 * 186007 / 444672, 1e-9);
	assert_float_equal(u->sync_pct[QP_ENG_DMA], 100.0 * 424682 / 444672, 1e-9);
	assert_float_equal(u->barrier_pct[QP_ENG_HVX], 100.0 * 15492 / 444672, 1e-9);
	assert_float_equal(u->barrier_pct[QP_ENG_HMX], 100.0 * 9593 / 444672, 1e-9);
	assert_float_equal(u->barrier_pct[QP_ENG_DMA], 100.0 * 13396 / 444672, 1e-9);
	assert_float_equal(u->ddr_pct, 100.0 * 68165 / 444672, 1e-9);
	/* thread utilization: mean of t0-t3 (HVX), t4, t5 */
	assert_float_equal(u->util_pct[QP_ENG_HVX], (59.72 + 61.41 + 61.46 + 59.50) / 4, 1e-9);
	assert_float_equal(u->util_pct[QP_ENG_HMX], 54.77, 1e-9);
	assert_float_equal(u->util_pct[QP_ENG_DMA], 0.74, 1e-9);
	assert_int_equal(u->in_wait_ucycles, 30711);
	assert_int_equal(u->out_wait_ucycles, 2);
	assert_float_equal(u->eff_mhz, 1233.12, 1e-9);
	/* 62.8 % HVX busy < 75; HVX waits 40.4 % < 50; input 6.9 % < 25 */
	assert_string_equal(u->verdict,
		"no engine saturated: busy HVX 62.8 %, HMX 55.6 %; waiting (sync + barrier) HVX 40.4 %, HMX 44.0 %");
	u = &v.cores[1];
	assert_float_equal(u->busy_pct[QP_ENG_HVX], 100.0 * 286567 / 444413, 1e-9);
	assert_float_equal(u->sync_pct[QP_ENG_DMA], 100.0 * 424668 / 444413, 1e-9);
	assert_float_equal(u->barrier_pct[QP_ENG_HVX], 100.0 * 18470 / 444413, 1e-9);
	assert_float_equal(u->ddr_pct, 100.0 * 66780 / 444413, 1e-9);
	assert_int_equal(u->in_wait_ucycles, 30698);
	assert_float_equal(v.batch_ms, 444677 / 19.2e3, 1e-9);
	/* top operators: rows of kind op by ucycles, 5 per core */
	assert_int_equal(v.ntop, 10);
	assert_string_equal(v.top[0].row->name, "aicconvolutiond32");
	assert_int_equal(v.top[0].ucycles, 244552);
	assert_float_equal(v.top[0].pct, 100.0 * 244552 / 444672, 1e-9);
	assert_string_equal(v.top[1].row->name, "aicsoftmax");
	assert_string_equal(v.top[2].row->name, "aiccopytovtcm");
	assert_string_equal(v.top[3].row->name, "elementerf");
	assert_string_equal(v.top[4].row->name, "aictranspose");
	assert_int_equal(v.top[5].core, 1);
	assert_int_equal(v.top[5].ucycles, 240061);
	/* findings with their numbers: 424682 / 444672 = 95.50 %, 13396 -> 3.01 % */
	found = false;
	for (k = 0; k < v.nfindings; k++)
		found |= !strcmp(v.findings[k].text,
			"core 0: 95.5 % of cycles in sync DMAIssue, 3.0 % in barrier DMAIssue (DMA operators busy 18.9 %)");
	assert_true(found);
	found = false;
	for (k = 0; k < v.nfindings; k++)
		found |= !strcmp(v.findings[k].text,
			"core 0: waited 30711 ucycles (1.600 ms, 6.9 % of its cycles) for input from the host (Host_IO_Port 100)");
	assert_true(found);
	found = false;
	for (k = 0; k < v.nfindings; k++)
		found |= !strcmp(v.findings[k].text,
			"core 0: top operator aicconvolutiond32 (HMX, TCM) 55.0 % of cycles, 1081 calls");
	assert_true(found);
	found = false;
	for (k = 0; k < v.nfindings; k++)
		found |= !strcmp(v.findings[k].text,
			"core 0: operators working on DDR 15.3 % of cycles (data outside VTCM)");
	assert_true(found);
	qp_opstats_view_free(&v);
	qp_opstats_free(&o);
	free(path);
}

/* A DMA-bound and an HMX-bound core, built by hand. */
static void test_verdicts(void **state)
{
	static const char hdr[] =
		"\ncore  ucycles  ucycles(%)     pcycles  pcycles(%)  count      out KB  ucycles/KB  pcycles/KB  stddev(pc/KB)  opdetails\n";
	char *text, *path;
	struct qp_opstats o;
	struct qp_opstats_view v;

	(void)state;
	assert_true(asprintf(&text, "%s"
		"c0        700      70.00%%         100       1.00%%     10     1000.00        0.70        0.10           0.00  aiccopytovtcm DMAIssue DDR \n"
		"c0        600      60.00%%         N/A         N/A     10         N/A         N/A         N/A            N/A  sync HVX\n"
		"c0        200      20.00%%       12000      20.00%%     10     1000.00        0.20       12.00           0.00  aicadd HVX TCM (float16)\n"
		"c0 total:            1000 ucycles           60000 pcycles (thread max)\n"
		"%s"
		"c1        800      80.00%%       48000      80.00%%      5     1000.00        0.80       48.00           0.00  aicmatmul HMX TCM (float16)\n"
		"c1 total:            1000 ucycles           60000 pcycles (thread max)\n",
		hdr, hdr) > 0);
	path = fx_write(dir, "verdicts.txt", text);
	load_ok(path, &o);
	assert_int_equal(qp_opstats_analyze(&o, 3, &v), 0);
	assert_string_equal(v.cores[0].verdict,
		"DMA-bound: DMA operations 70.0 % of cycles while HVX waits 60.0 %, HMX waits 0.0 %");
	assert_string_equal(v.cores[1].verdict, "HMX-bound: HMX operators busy 80.0 % of cycles");
	qp_opstats_view_free(&v);
	qp_opstats_free(&o);
	free(text);
	free(path);
}

struct bad_case {
	const char *text;
	const char *msg;	/* after "PATH:" */
};

static void test_bad_inputs(void **state)
{
	static const char hdr[] =
		"\ncore  ucycles  ucycles(%)     pcycles  pcycles(%)  count      out KB  ucycles/KB  pcycles/KB  stddev(pc/KB)  opdetails\n";
	static const char row[] =
		"c0        200      20.00%       12000      20.00%     10     1000.00        0.20       12.00           0.00  aicadd HVX TCM (float16)\n";
	static const struct bad_case cases[] = {
		{ "", "1: no opstats in the file (no core table, no trailer)" },
		{ "\n\n", "3: no opstats in the file (no core table, no trailer)" },
		{ "hello\n", "1: not a line of an opstats summary: 'hello'" },
		{ "@HDR@c0        abc      20.00%       12000      20.00%     10     1000.00        0.20       12.00           0.00  aicadd HVX TCM\n",
		  "3: malformed core line: 'c0        abc      20.00%       12000      20.00%     10     1000.00        0.20...'" },
		{ "@HDR@c0        200      20.00       12000      20.00%     10     1000.00        0.20       12.00           0.00  aicadd HVX\n",
		  "3: malformed operator row: ucycles(%) '20.00' (expected a percentage or N/A)" },
		{ "@HDR@c0        200      20.00%       12x00      20.00%     10     1000.00        0.20       12.00           0.00  aicadd HVX\n",
		  "3: malformed operator row: pcycles '12x00' (expected an integer or N/A)" },
		{ "@HDR@c0        200      20.00%       12000      20.00%     N/A     1000.00        0.20       12.00           0.00  aicadd HVX\n",
		  "3: malformed operator row: N/A in ucycles, ucycles(%) or count" },
		{ "@HDR@c0        200      20.00%       12000      20.00%     1.5     1000.00        0.20       12.00           0.00  aicadd HVX\n",
		  "3: malformed operator row: count '1.5' (expected an integer or N/A)" },
		{ "@HDR@c0        200      20.00%       12000      20.00%     10     1000.00        0.20       12.00           0.00\n",
		  "3: malformed operator row: the line ends after the stddev(pc/KB) column" },
		{ "@HDR@c0        200      20.00%       12000      20.00%     10     1000.00        0.20       12.00           0.00  aicadd\n",
		  "3: malformed opdetails 'aicadd': no engine after the operator name" },
		{ "@HDR@c0        200      20.00%       12000      20.00%     10     1000.00        0.20       12.00           0.00  aicadd HVX TCM float16\n",
		  "3: malformed opdetails 'aicadd HVX TCM float16': expected '(<data types>)' at the end" },
		{ "@ROW@", "1: operator row outside a core table (no column header before it)" },
		{ "@HDR@@ROW@c1        200      20.00%       12000      20.00%     10     1000.00        0.20       12.00           0.00  aicadd HVX\n",
		  "4: line of core 1 inside the block of core 0" },
		{ "@HDR@@ROW@c0 total:            1000 ucycles           60000 pcycles (thread max)\n@ROW@",
		  "5: operator row outside a core table (no column header before it)" },
		{ "@HDR@@ROW@c0 total:            1000 ucycles           60000 pcycles\n",
		  "4: malformed core total line: 'c0 total:            1000 ucycles           60000 pcycles'" },
		{ "@HDR@@ROW@c0    t0 HVX    100 ucycles [5, 105]    6000 pcycles  1.00 utilization\n",
		  "4: malformed thread line: 'c0    t0 HVX    100 ucycles [5, 105]    6000 pcycles  1.00 utilization'" },
		{ "@HDR@@ROW@c00t0 batch ucycles:   100 [5,105]    pcycles:\n",
		  "4: malformed batch ucycles line: 'c00t0 batch ucycles:   100 [5,105]    pcycles:'" },
		{ "@HDR@@ROW@c00t0p100 Host_IO_Port ucycles: -1\n",
		  "4: malformed Host_IO_Port line: 'c00t0p100 Host_IO_Port ucycles: -1'" },
		{ "@HDR@@ROW@c00t0 deactivate ucycles: 5\n",
		  "4: malformed per-thread line (expected batch, Host_IO_Port or activate): 'c00t0 deactivate ucycles: 5'" },
		{ "@HDR@@ROW@c0: Effective frequency is fastMHz\n",
		  "4: malformed effective frequency line: 'c0: Effective frequency is fastMHz'" },
		{ "@HDR@@ROW@total batch ucycles: 100 [1, 101]\n@ROW@",
		  "5: operator row outside a core table (no column header before it)" },
		{ "@HDR@@ROW@total batch ucycles: 100 [1, 101]\nc0: Total inference pcycle is 5\n",
		  "5: line of core 0 after the global trailer (total batch ucycles)" },
		{ "@HDR@@ROW@[QAicGraph] Device instance inf/s: (8/0.1) 80\n",
		  "4: malformed device instance inf/s line: '[QAicGraph] Device instance inf/s: (8/0.1) 80'" },
		{ "\ncore  ucycles  ucycles(%)     pcycles  pcycles(%)  count      out MB  ucycles/KB\n",
		  "2: malformed column header: expected 'KB' as column 8" },
		{ "@HDR@\n", "2: core table without rows or total line" },
	};
	size_t k, bad = 0;

	(void)state;
	for (k = 0; k < N(cases); k++) {
		char *text = strdup(cases[k].text), *p, *path, err[512], want[512];
		struct qp_opstats o;

		/* expand the placeholders */
		while ((p = strstr(text, "@HDR@")) || (p = strstr(text, "@ROW@"))) {
			char *n;

			assert_true(asprintf(&n, "%.*s%s%s", (int)(p - text), text,
					     p[1] == 'H' ? hdr + 0 : row, p + 5) > 0);
			free(text);
			text = n;
		}
		path = fx_write(dir, "bad.txt", text);
		memset(&o, 0x5a, sizeof(o));
		assert_int_equal(qp_opstats_load(path, &o, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s:%s", path, cases[k].msg);
		if (strcmp(err, want)) {
			print_error("case %zu:\n got  %s\n want %s\n", k, err, want);
			bad++;
		}
		assert_null(o.cores);	/* nothing left to free */
		free(text);
		free(path);
	}
	assert_int_equal(bad, 0);
}

static void test_nul_and_missing(void **state)
{
	char *path, err[512], want[512];
	struct qp_opstats o;
	FILE *f;

	(void)state;
	assert_true(asprintf(&path, "%s/nul.txt", dir) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("\ncore\n", f);
	fputc(0, f);
	fclose(f);
	assert_int_equal(qp_opstats_load(path, &o, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: NUL byte: not a text file", path);
	assert_string_equal(err, want);
	free(path);
	assert_true(asprintf(&path, "%s/none.txt", dir) > 0);
	assert_int_equal(qp_opstats_load(path, &o, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(err, want);
	free(path);
}

static void test_set(void **state)
{
	struct qp_opstats_set s = { 0 };
	char *sub, err[512], want[512], *p1, *p2, *src = data_path(SAMPLE), *text;
	size_t len;

	(void)state;
	assert_true(asprintf(&sub, "%s/set", dir) > 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(qp_opstats_set_add(&s, sub, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "%s: no opstats summary (aic-profiling-program-<P>-activation-<A>-inf-<I>.txt) in this directory", sub);
	assert_string_equal(err, want);
	assert_int_equal(qp_slurp(src, 1 << 20, &text, &len, err, sizeof(err)), 0);
	p1 = fx_write(sub, "aic-profiling-program-1-activation-0-inf-7.txt", text);
	p2 = fx_write(sub, "aic-profiling-program-0-activation-0-inf-12.txt", text);
	free(fx_write(sub, "aic-profiling-program-0-latency.txt", "not read"));
	free(fx_write(sub, "aic-profiling-program-0-activation-0-inf-5.txt", text));
	assert_int_equal(qp_opstats_set_add(&s, sub, err, sizeof(err)), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.v[0].program, 0);
	assert_int_equal(s.v[0].inference, 5);
	assert_int_equal(s.v[1].inference, 12);
	assert_int_equal(s.v[2].program, 1);
	assert_int_equal(s.v[2].inference, 7);
	qp_opstats_set_free(&s);
	free(text);
	free(src);
	free(p1);
	free(p2);
	free(sub);
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
		cmocka_unit_test(test_full_sample_rows),
		cmocka_unit_test(test_full_sample_trailers),
		cmocka_unit_test(test_sample_identities),
		cmocka_unit_test(test_excerpts),
		cmocka_unit_test(test_sample_analysis),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_nul_and_missing),
		cmocka_unit_test(test_set),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
