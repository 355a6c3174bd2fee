// SPDX-License-Identifier: MIT
/*
 * simkmd's firmware (sim/kmd/kmd_nnc.c) against the NNC protocol as
 * docs/SIM-KMD.md states it: messages built here byte by byte as the real
 * runtime lays them out (a 16-byte passthrough head: transaction header +
 * command type and padding; the command's fields after the type), answers
 * checked at hand-computed offsets.  Independent truths: the offsets and
 * sizes of the protocol tables, the device's own request times for the
 * timing taken from a hand-built ELF.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmd_util.h"
#include "simkmd.h"

#define MS 1000000ull

static int open_dev(void)
{
	int fd = open(simkmd_device_path(0), O_RDWR | O_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/*
 * One passthrough transaction as the real runtime sends it: header.len =
 * 16 (header + nnc_cmd_t) + sizeof(request); the request's type at 8.
 * Returns the offset after it.
 */
static uint32_t pt(uint8_t *buf, uint32_t off, uint32_t type, uint32_t req_len)
{
	struct qaic_manage_trans_hdr h = { QAIC_TRANS_PASSTHROUGH_FROM_USR, 16 + req_len };

	memcpy(buf + off, &h, sizeof(h));
	memcpy(buf + off + 8, &type, 4);
	return off + h.len;
}

static int manage(int fd, uint8_t *buf, uint32_t *len, uint32_t *count)
{
	struct qaic_manage_msg m = { *len, *count, (uint64_t)(uintptr_t)buf };
	int ret = kmd_ioctl(fd, DRM_IOCTL_QAIC_MANAGE, &m);

	*len = m.len;
	*count = m.count;
	return ret;
}

/* The status query: 24 bytes out, 512 back (longer than the request). */
static void status(int fd, uint8_t *ans)
{
	uint32_t len, count = 1;

	memset(ans, 0, QAIC_MANAGE_MAX_MSG_LENGTH);
	len = pt(ans, 0, 13, 8);
	assert_int_equal(len, 24);
	assert_int_equal(manage(fd, ans, &len, &count), 0);
	assert_int_equal(len, 512);
	assert_int_equal(count, 1);
	assert_int_equal(rd32(ans), QAIC_TRANS_PASSTHROUGH_TO_USR);
	assert_int_equal(rd32(ans + 4), 512);
	assert_int_equal(rd32(ans + 8), 14);		/* STATUS_RESP */
	assert_int_equal(rd32(ans + 12), 0);		/* success */
}

/* info = ans + 16; dev_data = info + 8; resource_info = dev_data + 152 */
#define DEV(a) ((a) + 16 + 8)
#define NSP_FREE(a) (DEV(a)[152 + 15])
#define VC_FREE(a) (DEV(a)[152 + 13])
#define LOADED_NWS(a) (DEV(a)[256])
#define ACTIVE_NWS(a) (DEV(a)[257])

/* A minimal ELF64 with a section qaic_sim_timing holding @n. */
static uint8_t *timing_elf(const struct simkmd_nnc_activate *n, uint64_t *size)
{
	static const char strs[] = "\0" SIMKMD_ELF_TIMING_SECTION "\0.shstrtab";
	uint64_t str_off = 64, tim_off = 64 + 48, sh_off = tim_off + sizeof(*n);
	uint8_t *e;

	sh_off = (sh_off + 7) & ~7ull;
	*size = sh_off + 3 * 64;
	e = calloc(1, *size);
	memcpy(e, "\177ELF\2\1\1", 7);
	memcpy(e + 0x28, &sh_off, 8);
	*(uint16_t *)(e + 0x3a) = 64;		/* shentsize */
	*(uint16_t *)(e + 0x3c) = 3;		/* shnum */
	*(uint16_t *)(e + 0x3e) = 2;		/* shstrndx */
	memcpy(e + str_off, strs, sizeof(strs));
	memcpy(e + tim_off, n, sizeof(*n));
	/* section 1: the timing; section 2: the names */
	uint8_t *s1 = e + sh_off + 64, *s2 = e + sh_off + 128;
	uint32_t name1 = 1, name2 = 1 + sizeof(SIMKMD_ELF_TIMING_SECTION);
	uint64_t sz1 = sizeof(*n), sz2 = sizeof(strs);

	memcpy(s1, &name1, 4);
	memcpy(s1 + 0x18, &tim_off, 8);
	memcpy(s1 + 0x20, &sz1, 8);
	memcpy(s2, &name2, 4);
	memcpy(s2 + 0x18, &str_off, 8);
	memcpy(s2 + 0x20, &sz2, 8);
	return e;
}

/* LOAD_ELF (cmd 3, tag 100) + DMA_XFER: elf_id, status in *st. */
static uint32_t load_elf(int fd, const void *img, uint64_t size, int32_t *st)
{
	_Alignas(8) uint8_t buf[4096] = { 0 };
	struct qaic_manage_trans_dma_xfer x = {
		{ QAIC_TRANS_DMA_XFER_FROM_USR, sizeof(x) }, 100, 0,
		(uint64_t)(uintptr_t)img, size,
	};
	uint32_t len, count = 2, tag = 100;

	len = pt(buf, 0, 3, 96);
	memcpy(buf + 8 + 4, &tag, 4);
	memcpy(buf + 8 + 80, &size, 8);		/* data_length */
	memcpy(buf + len, &x, sizeof(x));
	len += sizeof(x);
	assert_int_equal(manage(fd, buf, &len, &count), 0);
	assert_int_equal(count, 1);
	assert_int_equal(len, 8 + 16);
	assert_int_equal(rd32(buf + 8), 4);		/* LOAD_ELF_RESP */
	*st = (int32_t)rd32(buf + 16);
	return rd32(buf + 12);
}

/* ACTIVATE (cmd 9, opt_vc_setup) + ACTIVATE_FROM_USR: the whole answer. */
static int32_t activate(int fd, uint32_t elf, uint32_t consts, uint8_t *ans,
			uint32_t *len, uint32_t *count)
{
	struct qaic_manage_trans_activate_to_dev a = {
		{ QAIC_TRANS_ACTIVATE_FROM_USR, sizeof(a) }, 512, 0, 0, 0,
	};
	uint32_t one = 1;

	memset(ans, 0, QAIC_MANAGE_MAX_MSG_LENGTH);
	*len = pt(ans, 0, 9, 48);
	memcpy(ans + 8 + 8, &consts, 4);
	memcpy(ans + 8 + 12, &elf, 4);
	memcpy(ans + 8 + 24, &one, 4);
	memcpy(ans + *len, &a, sizeof(a));
	*len += sizeof(a);
	*count = 2;
	assert_int_equal(manage(fd, ans, len, count), 0);
	assert_int_equal(rd32(ans + 8), 10);		/* ACTIVATE_RESP */
	return (int32_t)rd32(ans + 12);
}

/* DEACTIVATE (cmd 11 + teardown of @dbc): the NNC status. */
static int32_t deactivate(int fd, uint32_t acid, uint32_t dbc, uint32_t *count)
{
	_Alignas(8) uint8_t buf[256] = { 0 };
	struct qaic_manage_trans_deactivate d = {
		{ QAIC_TRANS_DEACTIVATE_FROM_USR, sizeof(d) }, dbc, 0,
	};
	uint32_t len, one = 1;

	len = pt(buf, 0, 11, 16);
	memcpy(buf + 8 + 4, &acid, 4);
	memcpy(buf + 8 + 8, &one, 4);
	memcpy(buf + len, &d, sizeof(d));
	len += sizeof(d);
	*count = 2;
	assert_int_equal(manage(fd, buf, &len, count), 0);
	assert_int_equal(rd32(buf + 8), 12);
	if (*count == 2) {
		assert_int_equal(rd32(buf + 16), QAIC_TRANS_DEACTIVATE_FROM_DEV);
		assert_int_equal(rd32(buf + 24), dbc);
	}
	return (int32_t)rd32(buf + 12);
}

static int32_t short_cmd(int fd, uint32_t type, uint32_t arg)
{
	_Alignas(8) uint8_t buf[64] = { 0 };
	uint32_t len = pt(buf, 0, type, 8), count = 1;

	memcpy(buf + 8 + 4, &arg, 4);
	assert_int_equal(manage(fd, buf, &len, &count), 0);
	assert_int_equal(count, 1);
	assert_int_equal(rd32(buf + 8), type + 1);
	return (int32_t)rd32(buf + 12);
}

static void test_status_and_properties(void **state)
{
	_Alignas(8) uint8_t ans[QAIC_MANAGE_MAX_MSG_LENGTH];
	struct qaic_manage_trans_status_from_dev *s = (void *)ans;
	uint32_t len = sizeof(struct qaic_manage_trans_status_to_dev), count = 1;
	int fd = open_dev();

	(void)state;
	status(fd, ans);
	assert_int_equal(ans[16], 12);			/* format_version */
	assert_int_equal(rd32(DEV(ans) + 96) >> 16, 2);	/* hw major: AIC100 2.0 */
	assert_int_equal(DEV(ans)[152 + 14], 16);	/* nspTotal */
	assert_int_equal(NSP_FREE(ans), 16);
	assert_int_equal(VC_FREE(ans), 16);
	assert_int_equal(LOADED_NWS(ans), 0);
	/* firmware properties: the kernel's STATUS transaction 12 -> 13 */
	memset(ans, 0, sizeof(ans));
	s->hdr.type = QAIC_TRANS_STATUS_FROM_USR;
	s->hdr.len = sizeof(struct qaic_manage_trans_status_to_dev);
	assert_int_equal(manage(fd, ans, &len, &count), 0);
	assert_int_equal(count, 1);
	assert_int_equal(s->hdr.type, QAIC_TRANS_STATUS_TO_USR);
	assert_int_equal(len, sizeof(*s));		/* longer than the request */
	assert_int_equal(s->major, 5);
	/* a command the firmware does not know: UNDEFINED_REQUEST */
	assert_int_equal(short_cmd(fd, 99, 0), -3);
	close(fd);
}

static void test_elf_activate_lifecycle(void **state)
{
	_Alignas(8) uint8_t ans[QAIC_MANAGE_MAX_MSG_LENGTH];
	struct simkmd_nnc_activate n = kmd_nnc(30 * MS);
	struct simkmd_bo_times t;
	uint32_t len, count, elf, acid, dbc, h[2];
	const uint32_t dirs[2] = { 1, 2 };
	uint64_t size;
	uint8_t *img = timing_elf(&n, &size);
	int32_t st;
	int fd = open_dev(), fd2 = open_dev();

	(void)state;
	elf = load_elf(fd, img, size, &st);
	assert_int_equal(st, 0);
	assert_true(elf > 0);
	/* an unknown ELF or constants id */
	assert_int_equal(activate(fd, elf + 1000, 0, ans, &len, &count), -11);
	assert_int_equal(count, 1);
	assert_int_equal(activate(fd, elf, 77, ans, &len, &count), -11);
	/* two answer transactions; virtual_channel_id == dbc_id */
	assert_int_equal(activate(fd, elf, 0, ans, &len, &count), 0);
	assert_int_equal(count, 2);
	assert_int_equal(len, 8 + 88 + sizeof(struct qaic_manage_trans_activate_from_dev));
	acid = rd32(ans + 16);
	dbc = rd32(ans + 20);
	assert_true(acid > 0);
	assert_true(dbc < 16);
	assert_true(rd64(ans + 24) != 0);		/* ddr_base */
	assert_int_equal(rd32(ans + 96), QAIC_TRANS_ACTIVATE_FROM_DEV);
	assert_int_equal(rd32(ans + 104), 0);		/* status */
	assert_int_equal(rd32(ans + 108), dbc);		/* dbc_id */
	status(fd, ans);
	assert_int_equal(NSP_FREE(ans), 15);
	assert_int_equal(VC_FREE(ans), 15);
	assert_int_equal(LOADED_NWS(ans), 1);
	assert_int_equal(ACTIVE_NWS(ans), 1);

	/* the device runs the ELF's timing: 30 ms per request */
	h[0] = (uint32_t)kmd_bo(fd, dbc, 1, 1, 4096);
	h[1] = (uint32_t)kmd_bo(fd, dbc, 2, 1, 1024);
	assert_int_equal(kmd_execute(fd, dbc, h, dirs, 2), 0);
	assert_int_equal(kmd_wait(fd, h[1], dbc, 0), 0);
	assert_int_equal(simkmd_test_bo_times(fd, h[1], &t), 0);
	assert_true(t.dev_end_ns - t.dev_start_ns >= 30 * MS);

	/* references: no unload while active, nor by another activation id */
	assert_int_equal(short_cmd(fd, 7, elf), -9);
	assert_int_equal(deactivate(fd, acid + 1, dbc, &count), -9);
	assert_int_equal(count, 1);
	assert_int_equal(deactivate(fd, acid, dbc, &count), 0);
	assert_int_equal(count, 2);
	status(fd, ans);
	assert_int_equal(NSP_FREE(ans), 16);
	assert_int_equal(ACTIVE_NWS(ans), 0);
	assert_int_equal(short_cmd(fd, 7, elf), 0);
	assert_int_equal(short_cmd(fd, 7, elf), -11);

	/* a file's ELFs go with it (the DRM release hook) */
	elf = load_elf(fd2, img, size, &st);
	assert_int_equal(st, 0);
	status(fd, ans);
	assert_int_equal(LOADED_NWS(ans), 1);
	close(fd2);
	fd2 = open_dev();	/* a closed file is reaped when a new one comes */
	status(fd2, ans);
	assert_int_equal(LOADED_NWS(ans), 0);
	close(fd2);
	free(img);
	close(fd);
}

static void test_constants(void **state)
{
	_Alignas(8) uint8_t buf[4096] = { 0 }, payload[3000];
	struct simkmd_nnc_activate n = kmd_nnc(1 * MS);
	uint32_t len, count, cid, elf, dbc, acid, tag = 300, dlen = 40;
	uint64_t psize = sizeof(payload), off0 = 0;
	int32_t st;
	int fd = open_dev();

	(void)state;
	/* LOAD_CONSTANTS_EX: the descriptor inline, after 80 bytes of fields */
	len = pt(buf, 0, 15, 80 + dlen);
	memcpy(buf + 8 + 72, &dlen, 4);
	count = 1;
	assert_int_equal(manage(fd, buf, &len, &count), 0);
	assert_int_equal(count, 1);
	assert_int_equal(rd32(buf + 8), 2);		/* LOAD_CONSTANTS_RESP */
	assert_int_equal(rd32(buf + 16), 0);
	cid = rd32(buf + 12);
	assert_true(cid > 0);
	/* one payload segment: cmd 16 tag 300 + DMA_XFER, one answer */
	memset(buf, 0, sizeof(buf));
	len = pt(buf, 0, 16, 32);
	memcpy(buf + 8 + 8, &tag, 4);
	memcpy(buf + 8 + 12, &cid, 4);
	memcpy(buf + 8 + 16, &psize, 8);
	memcpy(buf + 8 + 24, &off0, 8);
	struct qaic_manage_trans_dma_xfer x = {
		{ QAIC_TRANS_DMA_XFER_FROM_USR, sizeof(x) }, 300, 0,
		(uint64_t)(uintptr_t)payload, psize,
	};
	memcpy(buf + len, &x, sizeof(x));
	len += sizeof(x);
	count = 2;
	assert_int_equal(manage(fd, buf, &len, &count), 0);
	assert_int_equal(count, 1);
	assert_int_equal(rd32(buf + 8), 2);
	assert_int_equal(rd32(buf + 12), cid);
	assert_int_equal(rd32(buf + 16), 0);
	/* an activation holds them */
	elf = load_elf(fd, &n, sizeof(n), &st);
	assert_int_equal(st, 0);
	assert_int_equal(activate(fd, elf, cid, buf, &len, &count), 0);
	acid = rd32(buf + 16);
	dbc = rd32(buf + 20);
	assert_int_equal(short_cmd(fd, 5, cid), -9);
	assert_int_equal(deactivate(fd, acid, dbc, &count), 0);
	assert_int_equal(short_cmd(fd, 5, cid), 0);
	assert_int_equal(short_cmd(fd, 7, elf), 0);
	close(fd);
}

static void test_error_injection(void **state)
{
	_Alignas(8) uint8_t ans[QAIC_MANAGE_MAX_MSG_LENGTH];
	struct simkmd_nnc_activate n = kmd_nnc(1 * MS);
	struct simkmd_faults f;
	uint32_t len, count, elf;
	int32_t st;
	int fd = open_dev();

	(void)state;
	assert_int_equal(simkmd_get_faults(&f), 0);
	f.nnc_cmd = 9;				/* the next activation: no NSP */
	f.nnc_status = -13;
	f.nnc_index = simkmd_next_nnc_index(9);
	assert_int_equal(simkmd_set_faults(&f), 0);
	elf = load_elf(fd, &n, sizeof(n), &st);
	assert_int_equal(st, 0);
	assert_int_equal(activate(fd, elf, 0, ans, &len, &count), -13);
	assert_int_equal(count, 1);		/* no channel transaction */
	status(fd, ans);
	assert_int_equal(NSP_FREE(ans), 16);	/* nothing changed */
	assert_int_equal(VC_FREE(ans), 16);
	/* the one after it goes through */
	assert_int_equal(activate(fd, elf, 0, ans, &len, &count), 0);
	assert_int_equal(count, 2);
	/* and a refused ELF load */
	f.nnc_cmd = 3;
	f.nnc_status = -5;
	f.nnc_index = simkmd_next_nnc_index(3);
	assert_int_equal(simkmd_set_faults(&f), 0);
	assert_int_equal(load_elf(fd, &n, sizeof(n), &st), 0);
	assert_int_equal(st, -5);
	f.nnc_cmd = 0;
	assert_int_equal(simkmd_set_faults(&f), 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_and_properties),
		cmocka_unit_test(test_elf_activate_lifecycle),
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_error_injection),
	};

	if (simkmd_start())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
