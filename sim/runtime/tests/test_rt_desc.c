/* SPDX-License-Identifier: MIT */
/*
 * Description parser and preset lookup: a good description parsed field by
 * field, every error message with its line number, preset search order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "desc.h"

static struct desc d;
static char err[DESC_ERR_MAX];

static int parse(const char *text)
{
	err[0] = '\0';
	desc_free(&d);
	return desc_parse(text, strlen(text), "t.desc", &d, err, sizeof(err));
}

static int parse_file(const char *path)
{
	desc_free(&d);
	return desc_parse_file(path, &d, err, sizeof(err));
}

static void test_good(void **state)
{
	const char *text =
		"# a comment line\n"
		"name = bert-base        # program name\n"
		"batch = 8\n"
		"\n"
		"compute_us = 23000\n"
		"jitter_us=300\n"
		"tail_ppm = 10000\n"
		"  tail_us = 2500   \n"
		"dma_mbps = 12000\n"
		"ring = 32\n"
		"slices = 2\n"
		"stats = 1\n"
		"buffer = input_ids 3072 in\n"
		"buffer = logits 6144 out    # trailing comment\n"
		"buffer =   mask\t3072   in\n";

	assert_int_equal(parse(text), 0);
	assert_string_equal(d.name, "bert-base");
	assert_int_equal(d.batch, 8);
	assert_int_equal(d.compute_us, 23000);
	assert_int_equal(d.jitter_us, 300);
	assert_int_equal(d.tail_ppm, 10000);
	assert_int_equal(d.tail_us, 2500);
	assert_int_equal(d.dma_mbps, 12000);
	assert_int_equal(d.ring, 32);
	assert_int_equal(d.slices, 2);
	assert_int_equal(d.stats, 1);
	assert_int_equal(d.nbuf, 3);
	assert_string_equal(d.buf[0].name, "input_ids");
	assert_int_equal(d.buf[0].bytes, 3072);
	assert_int_equal(d.buf[0].dir, DESC_IN);
	assert_string_equal(d.buf[1].name, "logits");
	assert_int_equal(d.buf[1].bytes, 6144);
	assert_int_equal(d.buf[1].dir, DESC_OUT);
	assert_string_equal(d.buf[2].name, "mask");
	assert_int_equal(d.buf[2].dir, DESC_IN);
}

static void test_defaults(void **state)
{
	assert_int_equal(parse("name = x\ncompute_us = 5\nbuffer = o 4 out"), 0);
	assert_int_equal(d.batch, 1);
	assert_int_equal(d.jitter_us, 0);
	assert_int_equal(d.tail_ppm, 0);
	assert_int_equal(d.dma_mbps, 12000);
	assert_int_equal(d.ring, 32);
	assert_int_equal(d.slices, 1);
	assert_int_equal(d.stats, 0);
}

struct bad_case {
	const char *text;
	const char *msg;
};

#define HEAD "name = n\ncompute_us = 10\nbuffer = o 8 out\n"

static const struct bad_case bad[] = {
	{ HEAD "computeus = 5\n", "t.desc:4: unknown key 'computeus'" },
	{ HEAD "batch 8\n", "t.desc:4: expected 'key = value', got 'batch 8'" },
	{ HEAD "= 8\n", "t.desc:4: missing key before '='" },
	{ HEAD "batch =\n", "t.desc:4: missing value for 'batch'" },
	{ HEAD "batch = 0\n", "t.desc:4: invalid value '0' for 'batch' (expected an integer in 1..65535)" },
	{ HEAD "batch = 8x\n", "t.desc:4: invalid value '8x' for 'batch' (expected an integer in 1..65535)" },
	{ HEAD "batch = -1\n", "t.desc:4: invalid value '-1' for 'batch' (expected an integer in 1..65535)" },
	{ HEAD "tail_ppm = 1000001\n", "t.desc:4: invalid value '1000001' for 'tail_ppm' (expected an integer in 0..1000000)" },
	{ HEAD "stats = 2\n", "t.desc:4: invalid value '2' for 'stats' (expected an integer in 0..1)" },
	{ HEAD "\n\nbatch = 1\nbatch = 2\n", "t.desc:7: duplicate key 'batch'" },
	{ HEAD "name = two words\n", "t.desc:4: duplicate key 'name'" },
	{ "name = two words\n", "t.desc:1: invalid name 'two words' (1..63 printable characters, no spaces)" },
	{ HEAD "buffer = x 8\n", "t.desc:4: expected 'buffer = NAME BYTES in|out'" },
	{ HEAD "buffer = x 8 in extra\n", "t.desc:4: expected 'buffer = NAME BYTES in|out'" },
	{ HEAD "buffer = x 8 inout\n", "t.desc:4: invalid direction 'inout' (expected 'in' or 'out')" },
	{ HEAD "buffer = x 0 in\n", "t.desc:4: invalid value '0' for 'buffer' (expected an integer in 1..1073741824)" },
	{ HEAD "buffer = o 8 in\n", "t.desc:4: duplicate buffer 'o'" },
	{ HEAD "buffer = aiccyclecounts 64 out\n", "t.desc:4: buffer name 'aiccyclecounts' is reserved (added by 'stats = 1')" },
	{ "compute_us = 5\nbuffer = o 4 out\n", "t.desc:3: missing required key 'name'" },
	{ "name = n\nbuffer = o 4 out", "t.desc:2: missing required key 'compute_us'" },
	{ "name = n\ncompute_us = 5\nbuffer = i 4 in\n", "t.desc:4: no output buffer ('buffer = NAME BYTES out')" },
	{ "name = n\nring = 2\ncompute_us = 5\nstats = 1\nbuffer = i 4 in\nbuffer = o 4 out\n",
	  "t.desc:2: ring of 2 elements cannot hold one inference (3 buffers x 1 slices)" },
};

static void test_errors(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i].text) != -1 || strcmp(err, bad[i].msg)) {
			print_error("case %zu: got '%s'\n  want '%s'\n", i, err,
				    bad[i].msg);
			fail();
		}
	}
}

static void test_nul_byte(void **state)
{
	static const char text[] = "name = n\0garbage";

	assert_int_equal(desc_parse(text, sizeof(text), "bin", &d, err,
				    sizeof(err)), -1);
	assert_non_null(strstr(err, "bin:1: description contains a NUL byte"));
}

/* Thousands of buffers parse; one more than the limit names its line. */
static void test_too_many_buffers(void **state)
{
	size_t cap = 32 * (DESC_MAX_BUFFERS + 8);
	char *text = malloc(cap), want[128];
	int i, n;

	assert_non_null(text);
	n = snprintf(text, cap, "name = n\ncompute_us = 1\nring = 65536\n");
	for (i = 0; i < DESC_MAX_BUFFERS; i++)
		n += snprintf(text + n, cap - n, "buffer = b%d 4 out\n", i);
	assert_int_equal(parse(text), 0);
	assert_int_equal(d.nbuf, DESC_MAX_BUFFERS);
	assert_string_equal(d.buf[DESC_MAX_BUFFERS - 1].name, "b4095");
	n += snprintf(text + n, cap - n, "buffer = b%d 4 out\n", i);
	assert_int_equal(parse(text), -1);
	snprintf(want, sizeof(want), "t.desc:%d: too many buffers (at most %d)",
		 DESC_MAX_BUFFERS + 4, DESC_MAX_BUFFERS);
	assert_string_equal(err, want);
	free(text);
}

static const char *presets(void)
{
	const char *dir = getenv("QAIC_SIM_PRESET_DIR");

	assert_non_null(dir);
	return dir;
}

/* docs/CONTRACTS.md §6.6: 2 + 4 x 32 + 1 bindings, the exported names, dims,
 * two shapes. */
static void test_llm_preset(void)
{
	char path[4096], name[64];
	uint32_t i, l;

	snprintf(path, sizeof(path), "%s/llm.desc", presets());
	assert_int_equal(parse_file(path), 0);
	assert_string_equal(d.name, "llm");
	assert_int_equal(d.nbuf, 131);
	assert_int_equal(d.nspec, 2);
	assert_string_equal(d.spec[0].name, "prefill");
	assert_int_equal(d.spec[0].seq_len, 32);
	assert_true(d.spec[0].token_us > 0);
	assert_string_equal(d.spec[1].name, "decode");
	assert_int_equal(d.spec[1].seq_len, 1);
	assert_int_equal(d.spec[1].token_us, 0);
	assert_int_equal(d.token_bytes, 8);
	assert_true(d.ring >= 2 * (d.nbuf + 1));
	assert_string_equal(d.buf[0].name, "input_ids");
	assert_string_equal(d.buf[1].name, "position_ids");
	for (i = 0; i < 2; i++) {
		assert_int_equal(d.buf[i].dir, DESC_IN);
		assert_int_equal(d.buf[i].dtype, 7);	/* int64 */
		assert_true(d.buf[i].partial);
		assert_int_equal(desc_spec_bytes(&d.buf[i], 0), 32 * 8);
		assert_int_equal(desc_spec_bytes(&d.buf[i], 1), 8);
	}
	for (l = 0; l < 32; l++) {
		const struct desc_buffer *in_k = &d.buf[2 + 2 * l];
		const struct desc_buffer *out_k = &d.buf[67 + 2 * l];

		snprintf(name, sizeof(name), "past_key.%u", l);
		assert_string_equal(in_k->name, name);
		snprintf(name, sizeof(name), "past_value.%u", l);
		assert_string_equal(in_k[1].name, name);
		snprintf(name, sizeof(name), "past_key.%u_RetainedState", l);
		assert_string_equal(out_k->name, name);
		snprintf(name, sizeof(name), "past_value.%u_RetainedState", l);
		assert_string_equal(out_k[1].name, name);
		for (i = 0; i < 2; i++) {
			assert_int_equal(in_k[i].dir, DESC_IN);
			assert_int_equal(out_k[i].dir, DESC_OUT);
			assert_true(in_k[i].partial && in_k[i].split);
			assert_true(out_k[i].partial && out_k[i].split);
			assert_int_equal(in_k[i].dtype, 1);	/* float16 */
			assert_int_equal(in_k[i].rank, 4);	/* bs, heads, ctx, dim */
			assert_int_equal(in_k[i].dims[0][2], in_k[i].dims[1][2]);
		}
	}
	assert_string_equal(d.buf[66].name, "logits");
	assert_int_equal(d.buf[66].dir, DESC_OUT);
	assert_int_equal(d.buf[66].dtype, 0);	/* float */
	assert_int_equal(d.buf[66].rank, 3);	/* bs, 1, vocab */
}

static void test_presets_parse(void **state)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/bert.desc", presets());
	assert_int_equal(parse_file(path), 0);
	assert_string_equal(d.name, "bert-base");
	assert_int_equal(d.batch, 8);
	assert_int_equal(d.stats, 1);
	assert_in_range(d.compute_us, 22000, 24000);
	snprintf(path, sizeof(path), "%s/resnet50.desc", presets());
	assert_int_equal(parse_file(path), 0);
	assert_int_equal(d.stats, 0);
	assert_in_range(d.compute_us, 1000, 1300);
	snprintf(path, sizeof(path), "%s/tiny.desc", presets());
	assert_int_equal(parse_file(path), 0);
	assert_int_equal(d.compute_us, 50);
	test_llm_preset();
}

static void test_file_errors(void **state)
{
	char path[] = "/tmp/test_rt_desc_XXXXXX";
	int fd = mkstemp(path);
	const char *base = strrchr(path, '/') + 1;
	char want[256];

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "name = a\nbogus = 1\n", 19), 19);
	close(fd);
	assert_int_equal(parse_file(path), -1);
	snprintf(want, sizeof(want), "%s:2: unknown key 'bogus'", base);
	assert_string_equal(err, want);
	unlink(path);
	assert_int_equal(parse_file(path), -1);
	snprintf(want, sizeof(want), "%s: cannot open: No such file or directory", path);
	assert_string_equal(err, want);
}

static void test_resolve(void **state)
{
	char path[4096], want[4096];
	char *saved = strdup(presets());

	snprintf(want, sizeof(want), "%s/tiny.desc", saved);
	/* $QAIC_SIM_PRESET_DIR first */
	assert_int_equal(desc_resolve("tiny", NULL, NULL, path, sizeof(path), err, sizeof(err)), 0);
	assert_string_equal(path, want);
	assert_int_equal(desc_resolve("preset:tiny", "/nonexistent", NULL, path, sizeof(path), err, sizeof(err)), 0);
	assert_string_equal(path, want);
	/* then datadir, then srcdir */
	unsetenv("QAIC_SIM_PRESET_DIR");
	assert_int_equal(desc_resolve("tiny", "/nonexistent", saved, path, sizeof(path), err, sizeof(err)), 0);
	assert_string_equal(path, want);
	assert_int_equal(desc_resolve("tiny", saved, "/nonexistent", path, sizeof(path), err, sizeof(err)), 0);
	assert_string_equal(path, want);
	assert_int_equal(desc_resolve("tiny", "/nonexistent", NULL, path, sizeof(path), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "tiny: no such file or preset"));
	/* a path is a path, never a preset */
	assert_int_equal(desc_resolve(want, NULL, NULL, path, sizeof(path), err, sizeof(err)), 0);
	assert_string_equal(path, want);
	assert_int_equal(desc_resolve("/nonexistent/tiny", NULL, saved, path, sizeof(path), err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/tiny: cannot open: No such file or directory");
	assert_int_equal(desc_resolve("preset:../x", NULL, saved, path, sizeof(path), err, sizeof(err)), -1);
	assert_string_equal(err, "preset:../x: invalid preset name");
	setenv("QAIC_SIM_PRESET_DIR", saved, 1);
	free(saved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_too_many_buffers),
		cmocka_unit_test(test_presets_parse),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_resolve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
