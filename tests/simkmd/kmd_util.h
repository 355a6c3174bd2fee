/* SPDX-License-Identifier: MIT */
/* Small wrappers around the qaic uAPI for the simkmd tests. */
#ifndef QPROF_TESTS_KMD_UTIL_H
#define QPROF_TESTS_KMD_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "qprof/qaic_accel.h"
#include "simkmd.h"

/*
 * ioctl() result as 0 / -errno.  cmocka's SIGSYS handler, installed around
 * each test, replaces the simulator's: take it back first.
 */
static inline int kmd_ioctl(int fd, unsigned long req, void *arg)
{
	simkmd_claim_sigsys();
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

static inline uint64_t kmd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline struct simkmd_nnc_activate kmd_nnc(uint64_t compute_ns)
{
	struct simkmd_nnc_activate n;

	memset(&n, 0, sizeof(n));
	n.magic = SIMKMD_NNC_MAGIC;
	n.compute_ns = compute_ns;
	n.seed = 42;
	return n;
}

/*
 * The NNC protocol (docs/SIM-KMD.md): one passthrough transaction with a
 * firmware command, maybe followed by the kernel's transaction for it.
 * Returns the message length so far.
 */
static inline uint32_t kmd_nnc_cmd(uint8_t *buf, uint32_t len, uint32_t type,
				   uint32_t clen, uint32_t **cmd)
{
	struct qaic_manage_trans_passthrough *pt = (void *)(buf + len);

	pt->hdr.type = QAIC_TRANS_PASSTHROUGH_FROM_USR;
	pt->hdr.len = sizeof(*pt) + clen;
	*cmd = (uint32_t *)pt->data;
	memset(*cmd, 0, clen);
	(*cmd)[0] = type;
	return len + pt->hdr.len;
}

/* NNC LOAD_ELF of @img (@size bytes): the elf_id (> 0), -NNC status
 * - 1000, or -errno. */
static inline int kmd_load_elf(int fd, const void *img, uint64_t size)
{
	_Alignas(8) uint8_t buf[512];
	struct qaic_manage_trans_dma_xfer *x;
	struct qaic_manage_msg msg;
	uint32_t len, *c;
	int ret;

	memset(buf, 0, sizeof(buf));
	len = kmd_nnc_cmd(buf, 0, 3, 96, &c);
	c[1] = 100;
	memcpy(&c[20], &size, sizeof(size));
	x = (void *)(buf + len);
	x->hdr.type = QAIC_TRANS_DMA_XFER_FROM_USR;
	x->hdr.len = sizeof(*x);
	x->tag = 100;
	x->addr = (uint64_t)(uintptr_t)img;
	x->size = size;
	msg.len = len + sizeof(*x);
	msg.count = 2;
	msg.data = (uint64_t)(uintptr_t)buf;
	ret = kmd_ioctl(fd, DRM_IOCTL_QAIC_MANAGE, &msg);
	if (ret)
		return ret;
	if (msg.count != 1 || c[0] != 4)
		return -EPROTO;
	return (int32_t)c[2] ? -1000 + (int32_t)c[2] : (int)c[1];
}

/* What the tests' activations loaded: (fd, dbc) -> ELF, activation. */
struct kmd_act { int fd; uint32_t dbc, elf, acid; };
static struct kmd_act kmd_acts[256];

/* Activate a network of @nnc's timing: returns the dbc_id (>= 0) or
 * -errno (-EAGAIN: the device restarts; -ECANCELED: no free channel,
 * -EPROTO another refusal). */
static inline int kmd_activate(int fd, const struct simkmd_nnc_activate *nnc,
			       uint32_t queue_size)
{
	_Alignas(8) uint8_t buf[1024];
	struct qaic_manage_trans_activate_to_dev *act;
	struct qaic_manage_trans_activate_from_dev *resp;
	struct qaic_manage_msg msg;
	uint32_t len, *c;
	int elf, ret;

	elf = kmd_load_elf(fd, nnc, sizeof(*nnc));
	if (elf < 0)
		return elf <= -1000 ? -EPROTO : elf;
	memset(buf, 0, sizeof(buf));
	len = kmd_nnc_cmd(buf, 0, 9, 48, &c);
	c[3] = (uint32_t)elf;
	c[6] = 1;
	act = (void *)(buf + len);
	act->hdr.type = QAIC_TRANS_ACTIVATE_FROM_USR;
	act->hdr.len = sizeof(*act);
	act->queue_size = queue_size;
	msg.len = len + sizeof(*act);
	msg.count = 2;
	msg.data = (uint64_t)(uintptr_t)buf;
	ret = kmd_ioctl(fd, DRM_IOCTL_QAIC_MANAGE, &msg);
	if (!ret && (c[0] != 10 || (int32_t)c[1])) {
		ret = (int32_t)c[1] == -36 ? -EAGAIN :
		      (int32_t)c[1] == -14 ? -ECANCELED : -EPROTO;
	}
	if (ret) {
		struct qaic_manage_msg um;

		memset(buf, 0, 24);
		len = kmd_nnc_cmd(buf, 0, 7, 8, &c);
		c[1] = (uint32_t)elf;
		um = (struct qaic_manage_msg){ len, 1, (uint64_t)(uintptr_t)buf };
		(void)kmd_ioctl(fd, DRM_IOCTL_QAIC_MANAGE, &um);
		return ret;
	}
	resp = (void *)(buf + 8 + 88);
	if (msg.count != 2 || msg.len != 8 + 88 + sizeof(*resp) ||
	    resp->hdr.type != QAIC_TRANS_ACTIVATE_FROM_DEV ||
	    resp->hdr.len != sizeof(*resp) || resp->status != 0 ||
	    resp->dbc_id != c[3])
		return -EPROTO;
	for (size_t i = 0; i < sizeof(kmd_acts) / sizeof(kmd_acts[0]); i++)
		if (!kmd_acts[i].elf || (kmd_acts[i].fd == fd &&
					 kmd_acts[i].dbc == resp->dbc_id)) {
			kmd_acts[i] = (struct kmd_act){ fd, resp->dbc_id,
							(uint32_t)elf, c[2] };
			break;
		}
	return (int)resp->dbc_id;
}

/* NNC DEACTIVATE of @dbc_id's activation with its teardown, then its ELF
 * unloaded.  0 or -errno (-EPROTO: a wrong answer). */
static inline int kmd_deactivate(int fd, uint32_t dbc_id)
{
	_Alignas(8) uint8_t buf[256];
	struct qaic_manage_trans_deactivate *tr;
	struct kmd_act *a = NULL;
	struct qaic_manage_msg msg;
	uint32_t len, *c;
	int ret;

	for (size_t i = 0; i < sizeof(kmd_acts) / sizeof(kmd_acts[0]); i++)
		if (kmd_acts[i].elf && kmd_acts[i].fd == fd && kmd_acts[i].dbc == dbc_id)
			a = &kmd_acts[i];
	memset(buf, 0, sizeof(buf));
	len = kmd_nnc_cmd(buf, 0, 11, 16, &c);
	c[1] = a ? a->acid : 0;
	c[2] = 1;
	tr = (void *)(buf + len);
	tr->hdr.type = QAIC_TRANS_DEACTIVATE_FROM_USR;
	tr->hdr.len = sizeof(*tr);
	tr->dbc_id = dbc_id;
	msg.len = len + sizeof(*tr);
	msg.count = 2;
	msg.data = (uint64_t)(uintptr_t)buf;
	ret = kmd_ioctl(fd, DRM_IOCTL_QAIC_MANAGE, &msg);
	if (!ret) {
		tr = (void *)(buf + 16);
		if (msg.count != 2 || c[0] != 12 || c[1] != 0 ||
		    tr->hdr.type != QAIC_TRANS_DEACTIVATE_FROM_DEV ||
		    tr->dbc_id != dbc_id)
			ret = -EPROTO;
	}
	if (a) {
		struct qaic_manage_msg um;

		memset(buf, 0, 24);
		len = kmd_nnc_cmd(buf, 0, 7, 8, &c);
		c[1] = a->elf;
		um = (struct qaic_manage_msg){ len, 1, (uint64_t)(uintptr_t)buf };
		(void)kmd_ioctl(fd, DRM_IOCTL_QAIC_MANAGE, &um);
		a->elf = 0;
	}
	return ret;
}

/* CREATE_BO: handle (> 0) or -errno. */
static inline long kmd_create(int fd, uint64_t size)
{
	struct qaic_create_bo cb = { .size = size };
	int ret = kmd_ioctl(fd, DRM_IOCTL_QAIC_CREATE_BO, &cb);

	return ret ? ret : (long)cb.handle;
}

static inline int kmd_attach(int fd, uint32_t handle, uint32_t dbc_id,
			     uint32_t dir, uint32_t nslices, uint64_t size)
{
	struct qaic_attach_slice_entry ent[64];
	struct qaic_attach_slice as;
	uint64_t chunk = size / nslices;

	if (nslices > 64)
		return -E2BIG;
	memset(ent, 0, sizeof(ent));
	for (uint32_t i = 0; i < nslices; i++) {
		ent[i].offset = i * chunk;
		ent[i].size = i + 1 < nslices ? chunk : size - i * chunk;
	}
	memset(&as, 0, sizeof(as));
	as.hdr.count = nslices;
	as.hdr.dbc_id = dbc_id;
	as.hdr.handle = handle;
	as.hdr.dir = dir;
	as.hdr.size = size;
	as.data = (uint64_t)(uintptr_t)ent;
	return kmd_ioctl(fd, DRM_IOCTL_QAIC_ATTACH_SLICE_BO, &as);
}

/* ATTACH_SLICE_BO with explicit slices (offset, size) pairs. */
static inline int kmd_attach_slices(int fd, uint32_t handle, uint32_t dbc_id,
				    uint32_t dir, const uint64_t (*sl)[2],
				    uint32_t n, uint64_t bo_size)
{
	struct qaic_attach_slice_entry ent[16];
	struct qaic_attach_slice as;

	if (n > 16)
		return -E2BIG;
	memset(ent, 0, sizeof(ent));
	for (uint32_t i = 0; i < n; i++) {
		ent[i].offset = sl[i][0];
		ent[i].size = sl[i][1];
	}
	memset(&as, 0, sizeof(as));
	as.hdr.count = n;
	as.hdr.dbc_id = dbc_id;
	as.hdr.handle = handle;
	as.hdr.dir = dir;
	as.hdr.size = bo_size;
	as.data = (uint64_t)(uintptr_t)ent;
	return kmd_ioctl(fd, DRM_IOCTL_QAIC_ATTACH_SLICE_BO, &as);
}

static inline long kmd_bo(int fd, uint32_t dbc_id, uint32_t dir,
			  uint32_t nslices, uint64_t size)
{
	long h = kmd_create(fd, size);
	int ret;

	if (h < 0)
		return h;
	ret = kmd_attach(fd, (uint32_t)h, dbc_id, dir, nslices, size);
	return ret ? ret : h;
}

static inline int kmd_execute(int fd, uint32_t dbc_id, const uint32_t *handles,
			      const uint32_t *dirs, uint32_t n)
{
	struct qaic_execute_entry e[16];
	struct qaic_execute ex;

	for (uint32_t i = 0; i < n && i < 16; i++) {
		e[i].handle = handles[i];
		e[i].dir = dirs[i];
	}
	ex.hdr.count = n;
	ex.hdr.dbc_id = dbc_id;
	ex.data = (uint64_t)(uintptr_t)e;
	return kmd_ioctl(fd, DRM_IOCTL_QAIC_EXECUTE_BO, &ex);
}

/*
 * EXECUTE or PARTIAL_EXECUTE (resize != NULL) of any number of BOs, with
 * the execute entries' dir fields taken from dirs (the kernel ignores them).
 */
static inline int kmd_execute_n(int fd, uint32_t dbc_id, const uint32_t *handles,
				const uint32_t *dirs, const uint64_t *resize,
				uint32_t n)
{
	struct qaic_partial_execute_entry *pe = NULL;
	struct qaic_execute_entry *e = NULL;
	struct qaic_execute ex;
	int ret;

	if (resize)
		pe = calloc(n, sizeof(*pe));
	else
		e = calloc(n, sizeof(*e));
	if (!pe && !e)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		if (pe) {
			pe[i].handle = handles[i];
			pe[i].dir = dirs[i];
			pe[i].resize = resize[i];
		} else {
			e[i].handle = handles[i];
			e[i].dir = dirs[i];
		}
	}
	ex.hdr.count = n;
	ex.hdr.dbc_id = dbc_id;
	ex.data = pe ? (uint64_t)(uintptr_t)pe : (uint64_t)(uintptr_t)e;
	ret = kmd_ioctl(fd, pe ? DRM_IOCTL_QAIC_PARTIAL_EXECUTE_BO :
			DRM_IOCTL_QAIC_EXECUTE_BO, &ex);
	free(pe);
	free(e);
	return ret;
}

static inline int kmd_wait(int fd, uint32_t handle, uint32_t dbc_id, uint32_t timeout_ms)
{
	struct qaic_wait w = { .handle = handle, .timeout = timeout_ms, .dbc_id = dbc_id };

	return kmd_ioctl(fd, DRM_IOCTL_QAIC_WAIT_BO, &w);
}

static inline int kmd_perf(int fd, uint32_t dbc_id, const uint32_t *handles,
			   uint32_t n, struct qaic_perf_stats_entry *ent)
{
	struct qaic_perf_stats ps;

	memset(ent, 0, n * sizeof(*ent));
	for (uint32_t i = 0; i < n; i++)
		ent[i].handle = handles[i];
	memset(&ps, 0, sizeof(ps));
	ps.hdr.count = (uint16_t)n;
	ps.hdr.dbc_id = dbc_id;
	ps.data = (uint64_t)(uintptr_t)ent;
	return kmd_ioctl(fd, DRM_IOCTL_QAIC_PERF_STATS_BO, &ps);
}

static inline int kmd_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close gc = { .handle = handle };

	return kmd_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &gc);
}

#endif /* QPROF_TESTS_KMD_UTIL_H */
