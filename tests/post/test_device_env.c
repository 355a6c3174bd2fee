// SPDX-License-Identifier: MIT
/*
 * devenv.c against real qaic-util -q output
 * (test_device_data/qaic_util_q_aedk.txt, one card, SDK 1.6) and a
 * several-device output with a card that is not Ready; malformed output
 * (message with file and line); the trace directory's files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "devenv.h"
#include "test_io_fixture.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char *dir;

/*
 * awk '/^ / { l = $0 without leading blanks; key = l up to the first ':';
 *	value = the rest, blanks cut }' qaic_util_q_aedk.txt
 */
static const struct {
	const char *key, *value;
} want_fields[] = {
	{ "Status", "Ready" },
	{ "PCI Address", "0002:01:00.0" },
	{ "PCI Info", "Unassigned class [ff00] Qualcomm Device a100" },
	{ "HW Version", "0.2.0.0" },
	{ "HW Serial", "0x2b36e75d" },
	{ "FW Version", "1.6.36" },
	{ "FW QC_IMAGE_VERSION", "QSM.AIC.1.6.36" },
	{ "FW OEM_IMAGE_VERSION", "" },
	{ "FW IMAGE_VARIANT", "AIC100.REL" },
	{ "NSP Version", "1.6.18" },
	{ "NSP QC_IMAGE_VERSION", "NSP.AIC.1.6.18" },
	{ "NSP OEM_IMAGE_VERSION", "" },
	{ "NSP IMAGE_VARIANT", "aic100.nsp.prodQ" },
	{ "Compiler Version", "0" },
	{ "Dram Total", "8116 MB" },
	{ "Dram Free", "8116 MB" },
	{ "Dram Fragmentation", "0.00%" },
	{ "Vc Total", "16" },
	{ "Vc Free", "16" },
	{ "Nsp Total", "8" },
	{ "Nsp Free", "8" },
	{ "Peak Dram Bw", "0.0" },
	{ "Peak Sram Bw", "0.0" },
	{ "Peak PcieBw", "0.0" },
	{ "MCID Total", "3072" },
	{ "MCID Free", "3072" },
	{ "Semaphore Total", "32" },
	{ "Semaphore Free", "32" },
	{ "Constants Loaded", "0" },
	{ "Constants In-Use", "0" },
	{ "Networks Loaded", "0" },
	{ "Networks Active", "0" },
	{ "NSP Frequency(Mhz)", "595" },
	{ "DDR Frequency(Mhz)", "2133" },
	{ "COMPNOC Frequency(Mhz)", "1450" },
	{ "MEMNOC Frequency(Mhz)", "1000" },
	{ "SYSNOC Frequency(Mhz)", "667" },
	{ "Metadata Version", "0.10" },
	{ "NNC Command Protocol Version", "8.1" },
	{ "SBL Image", "SBL.AIC.1.6.21" },
	{ "PVS Image Version", "24" },
	{ "NSP Defective PG Mask", "0xAAAA" },
	{ "Board serial", "" },
};

static char *data_path(const char *name)
{
	const char *src = getenv("srcdir");
	char *p;

	assert_true(asprintf(&p, "%s/test_device_data/%s", src ? src : ".", name) > 0);
	return p;
}

static void test_real_sample(void **state)
{
	char *path = data_path("qaic_util_q_aedk.txt"), err[512];
	struct qp_env e;
	size_t k;

	(void)state;
	if (qp_env_load_qaic_util(path, &e, err, sizeof(err)))
		fail_msg("%s", err);
	/* head -3 */
	assert_int_equal(e.nfields, 3);
	assert_string_equal(e.fields[0].key, "LRT QC_IMAGE_VERSION");
	assert_string_equal(e.fields[0].value, "LRT.AIC.6.7.1.6.52");
	assert_string_equal(e.fields[1].key, "LRT IMAGE_VARIANT");
	assert_string_equal(e.fields[1].value, "LRT.AIC.REL");
	assert_string_equal(e.fields[2].key, "Number of devices");
	assert_string_equal(e.fields[2].value, "1");
	assert_string_equal(e.runtime_version, "LRT.AIC.6.7.1.6.52");
	assert_true(e.has_ndevices);
	assert_int_equal(e.ndevices, 1);
	assert_int_equal(e.ndev, 1);
	assert_int_equal(e.devices[0].qid, 0);
	assert_int_equal(e.devices[0].line, 4);
	assert_int_equal(e.devices[0].nfields, N(want_fields));
	for (k = 0; k < N(want_fields); k++) {
		assert_string_equal(e.devices[0].fields[k].key, want_fields[k].key);
		assert_string_equal(e.devices[0].fields[k].value, want_fields[k].value);
	}
	assert_string_equal(e.devices[0].status, "Ready");
	assert_string_equal(e.devices[0].fw_version, "1.6.36");
	assert_string_equal(e.devices[0].fw_image, "QSM.AIC.1.6.36");
	assert_string_equal(e.devices[0].nsp_version, "1.6.18");
	assert_string_equal(e.devices[0].pci_address, "0002:01:00.0");
	assert_int_equal(e.nmessages, 0);
	assert_int_equal(qp_env_not_ready(&e), 0);
	qp_env_free(&e);
	free(path);
}

static const char two_cards[] =
	"LRT QC_IMAGE_VERSION: LRT.AIC.1.2.3\n"
	"Number of devices: 2\n"
	"QID 0\n"
	"\tStatus:Ready\n"
	"\tFW Version:1.10.0\n"
	"QID 3\n"
	"\tStatus:Error\n"
	"\tFW Version:1.10.0\n"
	"warning: device 3 needs a reset\n";

static void test_two_cards(void **state)
{
	char *path = fx_write(dir, "two.txt", two_cards), err[512];
	struct qp_env e;

	(void)state;
	if (qp_env_load_qaic_util(path, &e, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(e.ndev, 2);
	assert_int_equal(e.devices[1].qid, 3);
	assert_string_equal(e.devices[1].status, "Error");
	assert_int_equal(qp_env_not_ready(&e), 1);
	assert_int_equal(e.nmessages, 1);
	assert_string_equal(e.messages[0], "warning: device 3 needs a reset");
	qp_env_free(&e);
	free(path);
}

static void test_bad(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "\tStatus:Ready\n", "1: indented line '\tStatus:Ready' before any 'QID <n>' line" },
		{ "QID zero\n", "1: malformed device line 'QID zero': expected 'QID <number>'" },
		{ "QID 0\n\tStatus Ready\n", "2: malformed device field '\tStatus Ready': expected 'Key:Value'" },
		{ "Number of devices: many\n", "1: malformed 'Number of devices: many'" },
	};
	size_t k;

	(void)state;
	for (k = 0; k < N(cases); k++) {
		char *path = fx_write(dir, "bad.txt", cases[k].text), err[512], want[600];
		struct qp_env e;

		assert_int_equal(qp_env_load_qaic_util(path, &e, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s:%s", path, cases[k].msg);
		assert_string_equal(err, want);
		assert_null(e.path);
		free(path);
	}
}

static void test_dir(void **state)
{
	char *d, *p1, *p2, err[512];
	struct qp_env e;

	(void)state;
	assert_true(asprintf(&d, "%s/trace", dir) > 0);
	assert_int_equal(mkdir(d, 0755), 0);
	assert_int_equal(qp_env_load_dir(d, &e, err, sizeof(err)), 1);
	/* the tool was missing: only qprof-env.txt */
	p1 = fx_write(d, QP_ENV_INFO_FILE, "qaic-util: not found\nhost: h1\n");
	assert_int_equal(qp_env_load_dir(d, &e, err, sizeof(err)), 0);
	assert_int_equal(e.ndev, 0);
	assert_string_equal(qp_env_info(&e, "qaic-util"), "not found");
	assert_string_equal(qp_env_info(&e, "host"), "h1");
	assert_null(qp_env_info(&e, "date"));
	qp_env_free(&e);
	p2 = fx_write(d, QP_ENV_QAIC_UTIL_FILE, two_cards);
	assert_int_equal(qp_env_load_dir(d, &e, err, sizeof(err)), 0);
	assert_int_equal(e.ndev, 2);
	assert_string_equal(qp_env_info(&e, "host"), "h1");
	qp_env_free(&e);
	free(p2);
	p2 = fx_write(d, QP_ENV_INFO_FILE, "just words\n");
	assert_int_equal(qp_env_load_dir(d, &e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "qprof-env.txt:1: malformed line 'just words': expected 'key: value'"));
	free(p1);
	free(p2);
	free(d);
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
		cmocka_unit_test(test_real_sample),
		cmocka_unit_test(test_two_cards),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_dir),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
