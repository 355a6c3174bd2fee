// SPDX-License-Identifier: MIT
/*
 * compmetrics.c against the two real -aic-perf-metrics outputs in
 * test_device_data/ (a 2-core bert-base compile, older layout in bytes;
 * a 14-core LLM decode compile, newer layout in KB/MB): every field, the
 * derived spills, and malformed lines (message with file and line).
 *
 * Expected values were read off the files by hand (scalars) or extracted
 * with awk (traffic tables; the script is above each table), never with
 * the parser under test.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "compmetrics.h"
#include "test_io_fixture.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char *dir;

/* -1: the line is absent */
struct want_ep {
	const char *name;
	int64_t ddr_read, ddr_read_first, const_read, const_read_first,
		ddr_write, mc_read, mc_write, mc_const, barriers;
};

/*
 * awk '/traffic|constant only|barriers/ { line = $0 with leading blanks cut;
 *	"constant only: N KB (first-inf M KB)" -> CONT of the last DDR-read endpoint;
 *	"<who>: DDR traffic  read: N KB (first-inf M KB)", "<who>: DDR traffic
 *	write: N KB", "MC  traffic  read/write", "<who>:     constant only: N KB"
 *	(MC write constants), "<who> barriers: N" }' FILE
 * then one row per endpoint, in order of first appearance.
 */
static const struct want_ep bert_eps[] = {
	{ "host", 864, 864, 0, 0, 0, 4, 12, -1, -1 },
	{ "port02", 864, -1, -1, -1, -1, 4, -1, -1, -1 },
	{ "c00", 83957, 83957, 83957, 83957, 864, 0, 83190, 244, 3 },
	{ "c01", 84120, 84120, 84120, 84120, 864, 0, 83352, 408, 3 },
	{ "port01", -1, -1, -1, -1, -1, -1, 12, -1, -1 },
	{ "total", 168941, 168941, 168077, 168077, 1729, 4, 166554, 652, -1 },
};

static const struct want_ep llm_eps[] = {
	{ "host", 93382, 93382, 0, 0, 65536, 0, 0, -1, -1 },
	{ "port02", 93382, -1, -1, -1, -1, -1, -1, -1, -1 },
	{ "c00", 1042021, 1042455, 976485, 976919, 93324, 0, 72732, 0, 4 },
	{ "c01", 975940, 976350, 975940, 976350, 27788, 0, 12577, 0, 4 },
	{ "c02", 920578, 921544, 920578, 921544, 27788, 0, 13141, 0, 4 },
	{ "c03", 919810, 921544, 919810, 921544, 27788, 0, 14101, 0, 4 },
	{ "c04", 919812, 921482, 919812, 921482, 27788, 0, 4863, 0, 4 },
	{ "c05", 919812, 921482, 919812, 921482, 27788, 0, 4815, 0, 4 },
	{ "c06", 919554, 921224, 919554, 921224, 27788, 0, 5901, 0, 4 },
	{ "c07", 919554, 921224, 919554, 921224, 27788, 0, 5837, 0, 4 },
	{ "c08", 903688, 904838, 903688, 904838, 27788, 0, 3795, 0, 4 },
	{ "c09", 902914, 904832, 902914, 904832, 27788, 0, 4749, 0, 4 },
	{ "c10", 902914, 904832, 902914, 904832, 27788, 0, 5837, 0, 4 },
	{ "c11", 902920, 904838, 902920, 904838, 27788, 0, 3795, 0, 4 },
	{ "c12", 902914, 904832, 902914, 904832, 27788, 0, 4749, 0, 4 },
	{ "c13", 902658, 904832, 902658, 904832, 27788, 0, 4749, 0, 4 },
	{ "port01", -1, -1, -1, -1, 65536, -1, -1, -1, -1 },
	{ "total", 13048479, 13069693, 12889560, 12910774, 520109, 0, 161651, 0, -1 },
};

static char *data_path(const char *name)
{
	const char *src = getenv("srcdir");
	char *p;

	assert_true(asprintf(&p, "%s/test_device_data/%s", src ? src : ".", name) > 0);
	return p;
}

static void load_ok(const char *path, struct qp_compile_metrics *m)
{
	char err[512];

	if (qp_compile_metrics_load(path, m, err, sizeof(err)))
		fail_msg("%s", err);
}

static void check_opt(bool has, uint64_t v, int64_t want)
{
	if (want < 0) {
		assert_false(has);
	} else {
		assert_true(has);
		assert_int_equal(v, (uint64_t)want);
	}
}

static void check_eps(const struct qp_compile_metrics *m,
		      const struct want_ep *w, size_t n)
{
	size_t k;

	assert_int_equal(m->ntraffic, n);
	for (k = 0; k < n; k++) {
		const struct qp_cm_traffic *t = &m->traffic[k];

		assert_string_equal(t->name, w[k].name);
		assert_int_equal(t->core, w[k].name[0] == 'c' ? atoi(w[k].name + 1) : -1);
		check_opt(t->has_ddr_read, t->ddr_read_kb, w[k].ddr_read);
		check_opt(t->has_ddr_read_first, t->ddr_read_first_kb, w[k].ddr_read_first);
		check_opt(t->has_const_read, t->const_read_kb, w[k].const_read);
		check_opt(t->has_const_read_first, t->const_read_first_kb, w[k].const_read_first);
		check_opt(t->has_ddr_write, t->ddr_write_kb, w[k].ddr_write);
		check_opt(t->has_mc_read, t->mc_read_kb, w[k].mc_read);
		check_opt(t->has_mc_write, t->mc_write_kb, w[k].mc_write);
		check_opt(t->has_mc_const, t->mc_const_kb, w[k].mc_const);
		check_opt(t->has_barriers, t->barriers, w[k].barriers);
	}
}

static void check_size(const struct qp_cm_size *s, uint64_t value,
		       const char *unit, uint64_t mult, unsigned long line)
{
	assert_true(s->has);
	assert_int_equal(s->value, value);
	assert_string_equal(s->unit, unit);
	assert_int_equal(s->bytes, value * mult);
	assert_int_equal(s->line, line);
}

static void check_hist(const struct qp_compile_metrics *m,
		       const uint64_t (*w)[3], size_t n)
{
	size_t k;

	assert_int_equal(m->nhist, n);
	for (k = 0; k < n; k++) {
		assert_int_equal(m->hist[k].elts, w[k][0]);
		assert_int_equal(m->hist[k].count, w[k][1]);
		assert_int_equal(m->hist[k].pct, w[k][2]);
	}
}

/* Scalars read off the files by hand; line numbers from grep -n. */
static void test_bert_sample(void **state)
{
	char *path = data_path("compile_perf_metrics_bert_base.txt");
	struct qp_compile_metrics m;
	static const uint64_t hist[][3] = {
		{ 1024, 13, 2 }, { 2048, 15, 2 }, { 786432, 333, 64 },
		{ 1572864, 420, 81 }, { 3145728, 516, 100 },
	};

	(void)state;
	load_ok(path, &m);
	assert_string_equal(m.model, "bert_base_cased_onnx/model_fix_outofrange_fp16.onnx");
	assert_string_equal(m.precision, "FP16");
	assert_int_equal(m.nwarnings, 1);
	assert_string_equal(m.warnings[0], "MAC estimate does not yet handle all operations");
	assert_true(m.has_mac);
	assert_int_equal(m.mac, 18446744060020916224ull);
	check_hist(&m, hist, N(hist));
	check_size(&m.pre_d32_constants, 342228040, "B", 1, 13);
	assert_true(m.has_hmx_mac);
	assert_int_equal(m.hmx_mac, 18446744060044509184ull);
	assert_true(m.has_nonhmx_mac);
	assert_int_equal(m.nonhmx_mac, 0);
	check_size(&m.d32_constants, 215076032, "B", 1, 16);
	check_size(&m.final_constants, 215076032, "B", 1, 17);
	assert_false(m.final_combined_constants.has);
	assert_string_equal(m.vtcm_alg, "NOT fatness reduced first fit reset");
	assert_true(m.has_mc_table);
	assert_int_equal(m.mc_table_size, 6);
	assert_int_equal(m.nvtcm, 2);
	check_size(&m.vtcm[0], 8323072, "B", 1, 20);
	check_size(&m.vtcm[1], 8323072, "B", 1, 21);
	check_size(&m.vtcm_max, 8323072, "B", 1, 22);
	check_size(&m.static_shared_ddr, 886016, "B", 1, 23);
	check_size(&m.dynamic_shared_ddr, 0, "B", 1, 24);
	check_size(&m.static_constants, 215076864, "B", 1, 25);
	check_size(&m.dynamic_constants, 0, "B", 1, 26);
	check_size(&m.constants, 215076864, "bytes", 1, 27);
	assert_false(m.mc_static_va_max.has);
	assert_false(m.qpc_constants_section.has);
	assert_string_equal(m.graph, "QAicGraph");
	assert_int_equal(m.nports, 2);
	assert_string_equal(m.ports[0].name, "port01");
	assert_string_equal(m.ports[0].desc, "host input");
	assert_string_equal(m.ports[1].name, "port02");
	assert_string_equal(m.ports[1].desc, "host outut");	/* sic */
	check_eps(&m, bert_eps, N(bert_eps));
	assert_true(m.has_kernels);
	assert_int_equal(m.kernels, 50);
	assert_true(m.has_shared_kernels);
	assert_int_equal(m.shared_kernels, 10476);
	check_size(&m.elf_sections, 516664, "bytes", 1, 63);
	assert_string_equal(m.binary_dir, "./compiled_fp16");
	assert_int_equal(m.nother, 0);	/* every line is a metric or the graph */
	qp_compile_metrics_free(&m);
	free(path);
}

static void test_llm_sample(void **state)
{
	char *path = data_path("compile_perf_metrics_llm_decode_14core.txt");
	struct qp_compile_metrics m;
	/* awk -F'[:\t ]+' '/VTCM[0-9]+Size/ { print $3 }' FILE */
	static const uint64_t vtcm[] = {
		8183, 8145, 7985, 8153, 8077, 8077, 8085, 8077, 7969, 8065,
		7977, 7973, 7969, 8065,
	};
	static const uint64_t hist[][3] = {
		{ 1, 335, 14 }, { 2, 338, 14 }, { 32, 342, 14 }, { 96, 345, 15 },
		{ 128, 361, 15 }, { 2048, 681, 29 }, { 4096, 2006, 87 },
		{ 11008, 2134, 92 }, { 32000, 2136, 93 }, { 524288, 2296, 100 },
	};
	size_t k;

	(void)state;
	load_ok(path, &m);
	assert_string_equal(m.model, "Amber-kv/generatedModels/Amber-kv_fp16.onnx");
	assert_string_equal(m.precision, "FP16");
	assert_int_equal(m.nwarnings, 1);
	assert_int_equal(m.mac, 6640631808ull);
	check_hist(&m, hist, N(hist));
	check_size(&m.pre_d32_constants, 12852, "MB", 1 << 20, 149);
	assert_int_equal(m.hmx_mac, 212500217856ull);
	assert_int_equal(m.nonhmx_mac, 0);
	check_size(&m.d32_constants, 12858, "MB", 1 << 20, 152);
	check_size(&m.final_constants, 12858, "MB", 1 << 20, 153);
	check_size(&m.final_combined_constants, 12852, "MB", 1 << 20, 154);
	assert_int_equal(m.nvtcm, 14);
	for (k = 0; k < 14; k++)
		check_size(&m.vtcm[k], vtcm[k], "KB", 1024, 155 + k);
	check_size(&m.vtcm_max, 8183, "KB", 1024, 169);
	check_size(&m.static_shared_ddr, 93383, "KB", 1024, 170);
	check_size(&m.dynamic_shared_ddr, 0, "B", 1, 171);
	check_size(&m.static_constants, 2946, "MB", 1 << 20, 172);
	check_size(&m.mc_static_va_max, 16936, "KB", 1024, 173);
	assert_string_equal(m.graph, "QAicGraph");
	assert_int_equal(m.nports, 2);
	assert_string_equal(m.ports[1].desc, "host output");
	check_eps(&m, llm_eps, N(llm_eps));
	check_size(&m.dynamic_constants, 9917, "MB", 1 << 20, 290);
	check_size(&m.constants, 12864, "MB", 1 << 20, 291);
	check_size(&m.qpc_constants_section, 12864, "MB", 1 << 20, 292);
	check_size(&m.elf_sections, 1344, "KB", 1024, 293);
	assert_int_equal(m.mc_table_size, 85);
	assert_string_equal(m.binary_dir, "qpc/Amber-kv-kv-1pl-128cl-14c");
	assert_null(m.vtcm_alg);
	assert_false(m.has_kernels);
	/* grep -c Clamping FILE: the compiler's slice warnings */
	assert_int_equal(m.nother, 129);
	qp_compile_metrics_free(&m);
	free(path);
}

/*
 * Spills = DDR read - constant only, per core: LLM c00 1042021 - 976485 =
 * 65536 KB (6.29 % of 1042021), first inference 1042455 - 976919 = 65536;
 * every other core and every bert core 0.  Totals: LLM 13048479 -
 * 12889560 = 158919 KB; bert 168941 - 168077 = 864 KB (the host's input,
 * read by no core: not a core spill).
 */
static void test_spills(void **state)
{
	char *llm = data_path("compile_perf_metrics_llm_decode_14core.txt");
	char *bert = data_path("compile_perf_metrics_bert_base.txt");
	struct qp_compile_metrics m;
	struct qp_cm_view v;
	size_t k;

	(void)state;
	load_ok(llm, &m);
	assert_int_equal(qp_cm_analyze(&m, &v), 0);
	assert_int_equal(v.ncores, 14);
	assert_int_equal(v.nspilling, 1);
	assert_true(v.cores[0].has_spill);
	assert_int_equal(v.cores[0].spill_kb, 65536);
	assert_int_equal(v.cores[0].spill_first_kb, 65536);
	assert_float_equal(v.cores[0].spill_pct, 100.0 * 65536 / 1042021, 1e-9);
	assert_int_equal(v.cores[0].vtcm->value, 8183);
	for (k = 1; k < 14; k++)
		assert_int_equal(v.cores[k].spill_kb, 0);
	assert_int_equal(v.spill_kb, 158919);
	assert_string_equal(v.findings[0],
		"spill: c00 reads 65536 KB per inference from DDR that are not constants "
		"(intermediate results that did not fit in VTCM): 6.3 % of its 1042021 KB DDR reads; first inference 65536 KB");
	assert_string_equal(v.findings[1],
		"DDR traffic per inference: read 13048479 KB (constants 12889560 KB), write 520109 KB; "
		"multicast into VTCM: write 161651 KB, read 0 KB");
	assert_string_equal(v.findings[2], "VTCM: at most 8183 KB used per core (14 cores listed)");
	assert_int_equal(v.nfindings, 3);
	qp_cm_view_free(&v);
	qp_compile_metrics_free(&m);
	load_ok(bert, &m);
	assert_int_equal(qp_cm_analyze(&m, &v), 0);
	assert_int_equal(v.ncores, 2);
	assert_int_equal(v.nspilling, 0);
	assert_int_equal(v.spill_kb, 864);
	assert_string_equal(v.findings[0], "no spill: every core's DDR reads are constants (weights)");
	assert_string_equal(v.findings[2], "VTCM: at most 8323072 B used per core (2 cores listed)");
	qp_cm_view_free(&v);
	qp_compile_metrics_free(&m);
	free(llm);
	free(bert);
}

static void test_bad_inputs(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "", ": no -aic-perf-metrics output in this file (no sizes, MAC estimates or memory traffic)" },
		{ "hello\nworld\n", ": no -aic-perf-metrics output in this file (no sizes, MAC estimates or memory traffic)" },
		{ "x\nVTCM0Size:   83x B\n", ":2: malformed VTCM0Size: line: 'VTCM0Size:   83x B'" },
		{ "VTCM0Size:   8 PB\n", ":1: malformed VTCM0Size: line: unknown unit 'PB'" },
		{ "VTCMMaxSize: 1 B\nVTCMMaxSize: 1 B\n", ":2: second 'VTCMMaxSize:' line" },
		{ "Original MAC estimate: 1,23\n", ":1: malformed Original MAC estimate: line: 'Original MAC estimate: 1,23'" },
		{ "Original MAC estimate: 99999999999999999999\n",
		  ":1: malformed Original MAC estimate: line: 'Original MAC estimate: 99999999999999999999'" },
		{ "Compiling model with FP16\n", ":1: malformed Compiling model with line: 'Compiling model with FP16'" },
		{ "Compiler estimated memory traffic:\n c00: DDR traffic  read: 5 MB\n",
		  ":2: malformed DDR traffic read line: ' c00: DDR traffic  read: 5 MB'" },
		{ "Compiler estimated memory traffic:\n c00: DDR traffic  read: 5 KB (first-inf 6)\n",
		  ":2: malformed DDR traffic read line: ' c00: DDR traffic  read: 5 KB (first-inf 6)'" },
		{ "Compiler estimated memory traffic:\n    constant only: 5 KB\n",
		  ":2: 'constant only' line without a DDR traffic read line before it" },
		{ "Compiler estimated memory traffic:\n c00: DDR traffic write: 5 KB\n c00: DDR traffic write: 6 KB\n",
		  ":3: second DDR traffic write line for this endpoint" },
		{ "Compiler estimated memory traffic:\n c00: MC  traffic sideways: 5 KB\n",
		  ":2: malformed MC traffic line: ' c00: MC  traffic sideways: 5 KB'" },
		{ "Compiler estimated memory traffic:\n  c00 barriers: many\n",
		  ":2: malformed barriers line: '  c00 barriers: many'" },
		{ "Compiler estimated memory traffic:\nCompiler estimated memory traffic:\n",
		  ":2: second 'Compiler estimated memory traffic' block" },
	};
	size_t k, bad = 0;

	(void)state;
	for (k = 0; k < N(cases); k++) {
		char *path = fx_write(dir, "cm.txt", cases[k].text), err[512], want[600];
		struct qp_compile_metrics m;

		assert_int_equal(qp_compile_metrics_load(path, &m, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s%s", path, cases[k].msg);
		if (strcmp(err, want)) {
			print_error("case %zu:\n got  %s\n want %s\n", k, err, want);
			bad++;
		}
		assert_null(m.path);	/* nothing left to free */
		free(path);
	}
	assert_int_equal(bad, 0);
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
		cmocka_unit_test(test_bert_sample),
		cmocka_unit_test(test_llm_sample),
		cmocka_unit_test(test_spills),
		cmocka_unit_test(test_bad_inputs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
