/* SPDX-License-Identifier: MIT */
/*
 * The firmware behind DRM_IOCTL_QAIC_MANAGE: the NNC protocol the real
 * runtime speaks (docs/SIM-KMD.md, "The NNC protocol").  A message is a
 * list of transactions; passthrough transactions carry one NNC command for
 * the firmware, the others are the kernel's (DMA_XFER: data for the
 * command before it; ACTIVATE/DEACTIVATE: the DMA bridge channel).  The
 * answer replaces the message in the caller's buffer, up to
 * QAIC_MANAGE_MAX_MSG_LENGTH, as the kernel writes it.
 *
 * The device state kept here: loaded ELFs (with the timing taken from
 * them), constants, activations (on their DBCs), references and free
 * NSPs.  All under sk.lock (the supervisor holds it around every ioctl).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "simkmd_priv.h"

/* NNC command types (passthrough payload, first 32-bit word). */
enum {
	NNC_LOAD_CONSTANTS_RESP = 2,
	NNC_LOAD_ELF_REQ = 3,
	NNC_LOAD_ELF_RESP = 4,
	NNC_UNLOAD_CONSTANTS_REQ = 5,
	NNC_UNLOAD_CONSTANTS_RESP = 6,
	NNC_UNLOAD_ELF_REQ = 7,
	NNC_UNLOAD_ELF_RESP = 8,
	NNC_ACTIVATE_REQ = 9,
	NNC_ACTIVATE_RESP = 10,
	NNC_DEACTIVATE_REQ = 11,
	NNC_DEACTIVATE_RESP = 12,
	NNC_STATUS_REQ = 13,
	NNC_STATUS_RESP = 14,
	NNC_LOAD_CONSTANTS_EX_REQ = 15,
	NNC_LOAD_CONSTANTS_PAYLOAD_REQ = 16,
	NNC_RESOURCE_INFO_REQ = 32,
	NNC_RESOURCE_INFO_RESP = 33,
};

/* NNC status codes used here. */
enum {
	NNC_OK = 0,
	NNC_ERROR = -1,
	NNC_UNDEFINED_REQUEST = -3,
	NNC_PARAMETER_ERROR = -6,
	NNC_NOT_PERMITTED = -9,
	NNC_RESOURCE_NOT_FOUND = -11,
	NNC_NSP_ALLOC_ERROR = -13,
	NNC_VC_ALLOC_ERROR = -14,
	NNC_CMD_LENGTH_ERROR = -17,
	NNC_IDS_EXHAUSTED = -20,
	NNC_UNDER_SSR = -36,
};

/* Answer sizes (bytes of the command, after the transaction header). */
#define LOAD_RESP_LEN 16	/* type, id, status, pad */
#define SHORT_RESP_LEN 8	/* type, status */
#define ACTIVATE_RESP_LEN 88
#define STATUS_INFO_LEN 496	/* host_api_info_data_internal_t */
#define STATUS_RESP_LEN (8 + STATUS_INFO_LEN)
#define RESOURCE_INFO_LEN 40
#define RESOURCE_RESP_LEN (8 + RESOURCE_INFO_LEN + 8)

struct nnc_out {
	uint8_t buf[QAIC_MANAGE_MAX_MSG_LENGTH];
	uint32_t len, count;
};

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* Appends a transaction of @type with @len payload bytes; returns them. */
static uint8_t *out_trans(struct nnc_out *o, uint32_t type, uint32_t len)
{
	struct qaic_manage_trans_hdr h = { type, (uint32_t)sizeof(h) + len };
	uint8_t *p;

	if (o->len + h.len > sizeof(o->buf))
		return NULL;
	p = o->buf + o->len;
	memcpy(p, &h, sizeof(h));
	memset(p + sizeof(h), 0, len);
	o->len += h.len;
	o->count++;
	return p + sizeof(h);
}

/* Passthrough answer: command @type, status at @status_off. */
static uint8_t *out_cmd(struct nnc_out *o, uint32_t type, uint32_t len)
{
	uint8_t *p = out_trans(o, QAIC_TRANS_PASSTHROUGH_TO_USR, len);

	if (p)
		put32(p, type);
	return p;
}

static int out_short(struct nnc_out *o, uint32_t type, int32_t status)
{
	uint8_t *p = out_cmd(o, type, SHORT_RESP_LEN);

	if (!p)
		return -EINVAL;
	put32(p + 4, (uint32_t)status);
	return 0;
}

static int out_load(struct nnc_out *o, uint32_t type, uint32_t id, int32_t status)
{
	uint8_t *p = out_cmd(o, type, LOAD_RESP_LEN);

	if (!p)
		return -EINVAL;
	put32(p + 4, id);
	put32(p + 8, (uint32_t)status);
	return 0;
}

/* ---- program timing from the ELF ----------------------------------------- */

/* The timing a section SIMKMD_ELF_TIMING_SECTION of an ELF64 holds. */
static bool elf_timing(const uint8_t *img, uint64_t size, struct simkmd_nnc_activate *n)
{
	uint64_t shoff;
	uint16_t shentsize, shnum, shstrndx;
	const uint8_t *strs;
	uint64_t stroff, strsize;

	if (size < 64 || memcmp(img, "\177ELF", 4) || img[4] != 2 || img[5] != 1)
		return false;
	shoff = get64(img + 0x28);
	memcpy(&shentsize, img + 0x3a, 2);
	memcpy(&shnum, img + 0x3c, 2);
	memcpy(&shstrndx, img + 0x3e, 2);
	if (shentsize < 64 || shstrndx >= shnum || shoff > size ||
	    (uint64_t)shnum * shentsize > size - shoff)
		return false;
	strs = img + shoff + (uint64_t)shstrndx * shentsize;
	stroff = get64(strs + 0x18);
	strsize = get64(strs + 0x20);
	if (stroff > size || strsize > size - stroff)
		return false;
	for (uint16_t i = 0; i < shnum; i++) {
		const uint8_t *sh = img + shoff + (uint64_t)i * shentsize;
		uint32_t name = get32(sh);
		uint64_t off = get64(sh + 0x18), sz = get64(sh + 0x20);
		size_t nl = sizeof(SIMKMD_ELF_TIMING_SECTION);

		if (name >= strsize || strsize - name < nl ||
		    memcmp(img + stroff + name, SIMKMD_ELF_TIMING_SECTION, nl))
			continue;
		if (off > size || sz > size - off || sz < sizeof(*n))
			return false;
		memcpy(n, img + off, sizeof(*n));
		return n->magic == SIMKMD_NNC_MAGIC;
	}
	return false;
}

/* What the device will run: from the image, as far as it tells. */
static int image_timing(uint64_t uaddr, uint64_t size, struct sim_elf *e)
{
	uint8_t *img;
	int ret;

	memset(&e->nnc, 0, sizeof(e->nnc));
	e->nnc.magic = SIMKMD_NNC_MAGIC;
	e->nnc.compute_ns = sk.default_compute_ns;
	e->nnc.seed = 1;
	e->nsps = 1;
	if (!size || size > (256u << 20))
		return size ? -EINVAL : 0;
	img = malloc(size);
	if (!img)
		return -ENOMEM;
	ret = simkmd_copy_from_user(img, uaddr, size);
	if (!ret) {
		struct simkmd_nnc_activate n;

		if (size >= sizeof(n) && get32(img) == SIMKMD_NNC_MAGIC)
			memcpy(&e->nnc, img, sizeof(e->nnc));
		else if (elf_timing(img, size, &n))
			e->nnc = n;
		if (e->nnc.nspec > SIMKMD_MAX_SPECS)
			e->nnc.nspec = SIMKMD_MAX_SPECS;
	}
	free(img);
	return ret;
}

/* ---- device state -------------------------------------------------------- */

static struct sim_elf *elf_find(struct sim_device *d, uint32_t id)
{
	for (int i = 0; id && i < SIMKMD_MAX_ELFS; i++)
		if (d->elfs[i].id == id)
			return &d->elfs[i];
	return NULL;
}

static struct sim_consts *consts_find(struct sim_device *d, uint32_t id)
{
	for (int i = 0; id && i < SIMKMD_MAX_ELFS; i++)
		if (d->consts[i].id == id)
			return &d->consts[i];
	return NULL;
}

static uint32_t next_id(uint32_t *ctr)
{
	if (++*ctr == 0)
		++*ctr;
	return *ctr;
}

/* A DBC stops running its activation (deactivated, restarted, released). */
void simkmd_nnc_dbc_released(struct sim_dbc *dbc)
{
	struct sim_device *d = &sk.dev[dbc->dev_index];

	if (dbc->elf && dbc->elf->refs)
		dbc->elf->refs--;
	if (dbc->consts && dbc->consts->refs)
		dbc->consts->refs--;
	d->nsp_free += dbc->nsps;
	if (d->nsp_free > SIMKMD_NUM_NSP)
		d->nsp_free = SIMKMD_NUM_NSP;
	dbc->elf = NULL;
	dbc->consts = NULL;
	dbc->nsps = 0;
	dbc->activation_id = 0;
}

/* The firmware forgets what a closed file loaded and nobody uses. */
void simkmd_nnc_file_release(struct sim_file *f)
{
	for (int i = 0; i < SIMKMD_MAX_ELFS; i++) {
		if (f->dev->elfs[i].owner == f)
			memset(&f->dev->elfs[i], 0, sizeof(f->dev->elfs[i]));
		if (f->dev->consts[i].owner == f)
			memset(&f->dev->consts[i], 0, sizeof(f->dev->consts[i]));
	}
}

/* Injected refusal of this request of command @cmd, or 0. */
static int32_t injected(uint32_t cmd)
{
	int64_t k;

	if (cmd >= 64)
		return 0;
	k = sk.nnc_index[cmd]++;
	if (sk.faults.nnc_cmd == cmd && sk.faults.nnc_index == k)
		return sk.faults.nnc_status ? sk.faults.nnc_status : NNC_ERROR;
	return 0;
}

/* ---- the commands -------------------------------------------------------- */

struct walk {
	const uint8_t *buf;
	uint32_t len, count, pos, i;
};

/* The next transaction (header checked), or NULL at the end; -EINVAL. */
static const uint8_t *walk_next(struct walk *w, struct qaic_manage_trans_hdr *h, int *err)
{
	const uint8_t *p;

	*err = 0;
	if (w->i >= w->count)
		return NULL;
	if (w->len - w->pos < sizeof(*h)) {
		*err = -EINVAL;
		return NULL;
	}
	p = w->buf + w->pos;
	memcpy(h, p, sizeof(*h));
	if (h->len < sizeof(*h) || h->len > w->len - w->pos) {
		*err = -EINVAL;
		return NULL;
	}
	w->pos += h->len;
	w->i++;
	return p;
}

/* The DMA_XFER transaction that must follow a load command. */
static int take_dma(struct walk *w, struct qaic_manage_trans_dma_xfer *x)
{
	struct qaic_manage_trans_hdr h;
	const uint8_t *p;
	int err;

	p = walk_next(w, &h, &err);
	if (!p)
		return err ? err : -EINVAL;
	if (h.type != QAIC_TRANS_DMA_XFER_FROM_USR || h.len < sizeof(*x))
		return -EINVAL;
	memcpy(x, p, sizeof(*x));
	return 0;
}

static int cmd_load_elf(struct sim_file *f, const uint8_t *c, uint32_t clen,
			struct walk *w, struct nnc_out *o)
{
	struct sim_device *d = f->dev;
	struct qaic_manage_trans_dma_xfer x;
	struct sim_elf tmp, *slot = NULL;
	int32_t st;
	int ret;

	if (clen < 96)
		return out_load(o, NNC_LOAD_ELF_RESP, 0, NNC_CMD_LENGTH_ERROR);
	ret = take_dma(w, &x);
	if (ret)
		return ret;
	if ((st = injected(NNC_LOAD_ELF_REQ)))
		return out_load(o, NNC_LOAD_ELF_RESP, 0, st);
	if (x.tag != get32(c + 4) || x.size != get64(c + 80))
		return out_load(o, NNC_LOAD_ELF_RESP, 0, NNC_PARAMETER_ERROR);
	memset(&tmp, 0, sizeof(tmp));
	ret = image_timing(x.addr, x.size, &tmp);
	if (ret)
		return ret;	/* the kernel could not map the user buffer */
	for (int i = 0; i < SIMKMD_MAX_ELFS && !slot; i++)
		if (!d->elfs[i].id)
			slot = &d->elfs[i];
	if (!slot)
		return out_load(o, NNC_LOAD_ELF_RESP, 0, NNC_IDS_EXHAUSTED);
	*slot = tmp;
	slot->id = next_id(&d->next_elf_id);
	slot->owner = f;
	slot->size = x.size;
	return out_load(o, NNC_LOAD_ELF_RESP, slot->id, NNC_OK);
}

static int cmd_unload_elf(struct sim_file *f, const uint8_t *c, uint32_t clen,
			  struct nnc_out *o)
{
	struct sim_elf *e;
	int32_t st;

	if (clen < 8)
		return out_short(o, NNC_UNLOAD_ELF_RESP, NNC_CMD_LENGTH_ERROR);
	if ((st = injected(NNC_UNLOAD_ELF_REQ)))
		return out_short(o, NNC_UNLOAD_ELF_RESP, st);
	e = elf_find(f->dev, get32(c + 4));
	if (!e)
		return out_short(o, NNC_UNLOAD_ELF_RESP, NNC_RESOURCE_NOT_FOUND);
	if (e->refs)
		return out_short(o, NNC_UNLOAD_ELF_RESP, NNC_NOT_PERMITTED);
	memset(e, 0, sizeof(*e));
	return out_short(o, NNC_UNLOAD_ELF_RESP, NNC_OK);
}

static int cmd_load_consts_ex(struct sim_file *f, const uint8_t *c, uint32_t clen,
			      struct nnc_out *o)
{
	struct sim_consts *slot = NULL;
	int32_t st;

	if (clen < 80 || clen - 80 < get32(c + 72))
		return out_load(o, NNC_LOAD_CONSTANTS_RESP, 0, NNC_CMD_LENGTH_ERROR);
	if ((st = injected(NNC_LOAD_CONSTANTS_EX_REQ)))
		return out_load(o, NNC_LOAD_CONSTANTS_RESP, 0, st);
	for (int i = 0; i < SIMKMD_MAX_ELFS && !slot; i++)
		if (!f->dev->consts[i].id)
			slot = &f->dev->consts[i];
	if (!slot)
		return out_load(o, NNC_LOAD_CONSTANTS_RESP, 0, NNC_IDS_EXHAUSTED);
	memset(slot, 0, sizeof(*slot));
	slot->id = next_id(&f->dev->next_consts_id);
	slot->owner = f;
	return out_load(o, NNC_LOAD_CONSTANTS_RESP, slot->id, NNC_OK);
}

static int cmd_load_consts_payload(struct sim_file *f, const uint8_t *c, uint32_t clen,
				   struct walk *w, struct nnc_out *o)
{
	struct qaic_manage_trans_dma_xfer x;
	struct sim_consts *k;
	int32_t st;
	int ret;

	if (clen < 32)
		return out_load(o, NNC_LOAD_CONSTANTS_RESP, 0, NNC_CMD_LENGTH_ERROR);
	ret = take_dma(w, &x);
	if (ret)
		return ret;
	if ((st = injected(NNC_LOAD_CONSTANTS_PAYLOAD_REQ)))
		return out_load(o, NNC_LOAD_CONSTANTS_RESP, get32(c + 12), st);
	k = consts_find(f->dev, get32(c + 12));
	if (!k)
		return out_load(o, NNC_LOAD_CONSTANTS_RESP, get32(c + 12),
				NNC_RESOURCE_NOT_FOUND);
	if (x.tag != get32(c + 8) || x.size != get64(c + 16))
		return out_load(o, NNC_LOAD_CONSTANTS_RESP, k->id, NNC_PARAMETER_ERROR);
	k->loaded += x.size;
	return out_load(o, NNC_LOAD_CONSTANTS_RESP, k->id, NNC_OK);
}

static int cmd_unload_consts(struct sim_file *f, const uint8_t *c, uint32_t clen,
			     struct nnc_out *o)
{
	struct sim_consts *k;
	int32_t st;

	if (clen < 8)
		return out_short(o, NNC_UNLOAD_CONSTANTS_RESP, NNC_CMD_LENGTH_ERROR);
	if ((st = injected(NNC_UNLOAD_CONSTANTS_REQ)))
		return out_short(o, NNC_UNLOAD_CONSTANTS_RESP, st);
	k = consts_find(f->dev, get32(c + 4));
	if (!k)
		return out_short(o, NNC_UNLOAD_CONSTANTS_RESP, NNC_RESOURCE_NOT_FOUND);
	if (k->refs)
		return out_short(o, NNC_UNLOAD_CONSTANTS_RESP, NNC_NOT_PERMITTED);
	memset(k, 0, sizeof(*k));
	return out_short(o, NNC_UNLOAD_CONSTANTS_RESP, NNC_OK);
}

static int activate_fail(struct nnc_out *o, int32_t st)
{
	uint8_t *p = out_cmd(o, NNC_ACTIVATE_RESP, ACTIVATE_RESP_LEN);

	if (!p)
		return -EINVAL;
	put32(p + 4, (uint32_t)st);
	return 0;
}

static int cmd_activate(struct sim_file *f, const uint8_t *c, uint32_t clen,
			struct walk *w, struct nnc_out *o)
{
	struct sim_device *d = f->dev;
	struct qaic_manage_trans_activate_to_dev act;
	struct qaic_manage_trans_activate_from_dev *vc;
	struct qaic_manage_trans_hdr h;
	struct sim_dbc *dbc = NULL;
	struct sim_consts *k = NULL;
	struct sim_elf *e;
	const uint8_t *p;
	uint32_t cid;
	uint8_t *r;
	int32_t st;
	int err;

	if (clen < 48)
		return activate_fail(o, NNC_CMD_LENGTH_ERROR);
	/* the DMA bridge channel: the kernel's transaction after the command */
	if (!get32(c + 24))
		return activate_fail(o, NNC_PARAMETER_ERROR);	/* no VC setup */
	p = walk_next(w, &h, &err);
	if (!p)
		return err ? err : -EINVAL;
	if (h.type != QAIC_TRANS_ACTIVATE_FROM_USR || h.len < sizeof(act))
		return -EINVAL;
	memcpy(&act, p, sizeof(act));
	if (act.queue_size < 2 || act.queue_size > SIMKMD_MAX_QUEUE_SIZE)
		return -EINVAL;
	if ((st = injected(NNC_ACTIVATE_REQ)))
		return activate_fail(o, st);
	if (simkmd_now_ns() < d->ssr_until_ns)
		return activate_fail(o, NNC_UNDER_SSR);
	e = elf_find(d, get32(c + 12));
	cid = get32(c + 8);
	if (!e || (cid && !(k = consts_find(d, cid))))
		return activate_fail(o, NNC_RESOURCE_NOT_FOUND);
	for (uint32_t i = 0; i < SIMKMD_NUM_DBC; i++)
		if (!d->dbc[i].owner) {
			dbc = &d->dbc[i];
			break;
		}
	if (!dbc)
		return activate_fail(o, NNC_VC_ALLOC_ERROR);
	if (d->nsp_free < e->nsps)
		return activate_fail(o, NNC_NSP_ALLOC_ERROR);
	/* a restart's channels: this file activates anew, EPIPE ends */
	for (uint32_t i = 0; i < SIMKMD_NUM_DBC; i++)
		if (d->dbc[i].ssr_owner == f)
			d->dbc[i].ssr_owner = NULL;
	dbc->owner = f;
	dbc->nelem = act.queue_size;
	dbc->used = 0;
	dbc->nnc = e->nnc;
	dbc->prng = e->nnc.seed ^ 0x5851f42d4c957f2dull;
	dbc->last_end_ns = 0;
	dbc->elf = e;
	dbc->consts = k;
	dbc->nsps = e->nsps;
	dbc->activation_id = next_id(&d->next_activation_id);
	e->refs++;
	if (k)
		k->refs++;
	d->nsp_free -= e->nsps;
	r = out_cmd(o, NNC_ACTIVATE_RESP, ACTIVATE_RESP_LEN);
	if (!r)
		return -EINVAL;
	put32(r + 8, dbc->activation_id);
	put32(r + 12, dbc->id);		/* virtual_channel_id == dbc_id */
	put64(r + 16, 0x100000000ull + ((uint64_t)dbc->id << 28));	/* ddr_base */
	put64(r + 32, (uint64_t)dbc->id << 20);			/* mcid_base */
	put32(r + 82, ((1u << e->nsps) - 1) << (SIMKMD_NUM_NSP - d->nsp_free - e->nsps));
	vc = (void *)out_trans(o, QAIC_TRANS_ACTIVATE_FROM_DEV,
			       sizeof(*vc) - sizeof(vc->hdr));
	if (!vc)
		return -EINVAL;
	vc = (void *)((uint8_t *)vc - sizeof(vc->hdr));
	vc->status = 0;
	vc->dbc_id = dbc->id;
	return 0;
}

/* Deactivation of @dbc_id, with or without the NNC command before it. */
static int deactivate(struct sim_file *f, uint32_t dbc_id, bool nnc, uint32_t acid,
		      struct nnc_out *o)
{
	struct qaic_manage_trans_deactivate *t;
	struct sim_dbc *dbc;
	int32_t st;

	if (dbc_id >= SIMKMD_NUM_DBC)
		return -EINVAL;
	dbc = &f->dev->dbc[dbc_id];
	if (dbc->owner != f)
		return -EPERM;
	if (nnc) {
		if ((st = injected(NNC_DEACTIVATE_REQ)))
			return out_short(o, NNC_DEACTIVATE_RESP, st);
		if (acid != dbc->activation_id)
			return out_short(o, NNC_DEACTIVATE_RESP, NNC_NOT_PERMITTED);
	}
	simkmd_dbc_release(dbc);
	if (nnc && out_short(o, NNC_DEACTIVATE_RESP, NNC_OK))
		return -EINVAL;
	t = (void *)out_trans(o, QAIC_TRANS_DEACTIVATE_FROM_DEV,
			      sizeof(*t) - sizeof(t->hdr));
	if (!t)
		return -EINVAL;
	t = (void *)((uint8_t *)t - sizeof(t->hdr));
	t->dbc_id = dbc_id;
	return 0;
}

static int cmd_deactivate(struct sim_file *f, const uint8_t *c, uint32_t clen,
			  struct walk *w, struct nnc_out *o)
{
	struct qaic_manage_trans_deactivate de;
	struct qaic_manage_trans_hdr h;
	const uint8_t *p;
	int err;

	if (clen < 16)
		return out_short(o, NNC_DEACTIVATE_RESP, NNC_CMD_LENGTH_ERROR);
	if (!get32(c + 8)) {	/* no teardown transaction: find the channel */
		for (uint32_t i = 0; i < SIMKMD_NUM_DBC; i++)
			if (f->dev->dbc[i].owner == f &&
			    f->dev->dbc[i].activation_id == get32(c + 4))
				return deactivate(f, i, true, get32(c + 4), o);
		return out_short(o, NNC_DEACTIVATE_RESP, NNC_RESOURCE_NOT_FOUND);
	}
	p = walk_next(w, &h, &err);
	if (!p)
		return err ? err : -EINVAL;
	if (h.type != QAIC_TRANS_DEACTIVATE_FROM_USR || h.len < sizeof(de))
		return -EINVAL;
	memcpy(&de, p, sizeof(de));
	return deactivate(f, de.dbc_id, true, get32(c + 4), o);
}

static void resource_info(const struct sim_device *d, uint8_t *p)
{
	uint32_t vc_free = 0;

	for (uint32_t i = 0; i < SIMKMD_NUM_DBC; i++)
		vc_free += !d->dbc[i].owner;
	put32(p + 0, 16384);	/* dramTotal, MB */
	put32(p + 4, 16384);	/* dramFree */
	p[12] = SIMKMD_NUM_DBC;
	p[13] = (uint8_t)vc_free;
	p[14] = SIMKMD_NUM_NSP;
	p[15] = (uint8_t)d->nsp_free;
	put32(p + 16, 1024);	/* mcidTotal */
	put32(p + 20, 1024 - 64 * (SIMKMD_NUM_DBC - vc_free));
	put32(p + 24, 32);	/* semTotal */
	put32(p + 28, 32);
}

static int cmd_status(struct sim_file *f, uint32_t clen, struct nnc_out *o)
{
	const struct sim_device *d = f->dev;
	uint8_t *p = out_cmd(o, NNC_STATUS_RESP, STATUS_RESP_LEN), *info;
	uint32_t loaded = 0, active = 0, kloaded = 0, kused = 0;
	int32_t st = clen < 8 ? NNC_CMD_LENGTH_ERROR : injected(NNC_STATUS_REQ);

	if (!p)
		return -EINVAL;
	put32(p + 4, (uint32_t)st);
	if (st)
		return 0;
	for (int i = 0; i < SIMKMD_MAX_ELFS; i++) {
		loaded += !!d->elfs[i].id;
		kloaded += !!d->consts[i].id;
		kused += d->consts[i].id && d->consts[i].refs;
	}
	for (uint32_t i = 0; i < SIMKMD_NUM_DBC; i++)
		active += d->dbc[i].owner && d->dbc[i].elf;
	info = p + 8;
	info[0] = 12;				/* format_version */
	uint8_t *dev = info + 8;
	dev[0] = 1;				/* firmware 1.0.0.0 */
	memcpy(dev + 4, "qprof-simkmd", 12);	/* fwQCImageVersionString */
	put32(dev + 96, sk.hw_version);
	memcpy(dev + 100, "SIM", 3);		/* serial */
	snprintf((char *)dev + 100 + 3, 13, "%04d", d->index);
	resource_info(d, dev + 152);
	put32(dev + 248, kloaded);
	put32(dev + 252, kused);
	dev[256] = (uint8_t)loaded;
	dev[257] = (uint8_t)active;
	put32(dev + 258, 1);			/* metaVerMaj 1, metaVerMin 0 */
	dev[262] = 17;				/* NNC command protocol 17.0 */
	dev[308] = 2;				/* sku: PCIe */
	uint8_t *nsp = info + 8 + 320;
	nsp[0] = 1;				/* NSP firmware 1.0 */
	memcpy(nsp + 8, "qprof-simkmd", 12);
	return 0;
}

static int cmd_resource_info(struct sim_file *f, const uint8_t *c, uint32_t clen,
			     struct nnc_out *o)
{
	uint8_t *p = out_cmd(o, NNC_RESOURCE_INFO_RESP, RESOURCE_RESP_LEN);
	int32_t st = clen < 16 ? NNC_CMD_LENGTH_ERROR : injected(NNC_RESOURCE_INFO_REQ);

	if (!p)
		return -EINVAL;
	put32(p + 4, clen >= 16 ? get32(c + 8) : 0);
	if (!st)
		resource_info(f->dev, p + 8);
	put32(p + 8 + RESOURCE_INFO_LEN, (uint32_t)st);
	return 0;
}

static int passthrough(struct sim_file *f, const uint8_t *c, uint32_t clen,
		       struct walk *w, struct nnc_out *o)
{
	uint32_t type = clen >= 4 ? get32(c) : 0;

	switch (type) {
	case NNC_STATUS_REQ:
		return cmd_status(f, clen, o);
	case NNC_LOAD_ELF_REQ:
		return cmd_load_elf(f, c, clen, w, o);
	case NNC_UNLOAD_ELF_REQ:
		return cmd_unload_elf(f, c, clen, o);
	case NNC_LOAD_CONSTANTS_EX_REQ:
		return cmd_load_consts_ex(f, c, clen, o);
	case NNC_LOAD_CONSTANTS_PAYLOAD_REQ:
		return cmd_load_consts_payload(f, c, clen, w, o);
	case NNC_UNLOAD_CONSTANTS_REQ:
		return cmd_unload_consts(f, c, clen, o);
	case NNC_ACTIVATE_REQ:
		return cmd_activate(f, c, clen, w, o);
	case NNC_DEACTIVATE_REQ:
		return cmd_deactivate(f, c, clen, w, o);
	case NNC_RESOURCE_INFO_REQ:
		return cmd_resource_info(f, c, clen, o);
	default:	/* the firmware answers what it does not know */
		return out_short(o, type + 1, NNC_UNDEFINED_REQUEST);
	}
}

static int walk_msg(struct sim_file *f, struct walk *w, struct nnc_out *o)
{
	struct qaic_manage_trans_hdr h;
	const uint8_t *p;
	int ret = 0;

	while (!ret && (p = walk_next(w, &h, &ret))) {
		switch (h.type) {
		case QAIC_TRANS_PASSTHROUGH_FROM_USR:
			ret = passthrough(f, p + sizeof(h), h.len - sizeof(h), w, o);
			break;
		case QAIC_TRANS_STATUS_FROM_USR: {
			struct qaic_manage_trans_status_from_dev *s;

			s = (void *)out_trans(o, QAIC_TRANS_STATUS_TO_USR,
					      sizeof(*s) - sizeof(s->hdr));
			if (!s)
				return -EINVAL;
			s = (void *)((uint8_t *)s - sizeof(s->hdr));
			s->major = 5;	/* NNC transaction protocol 5.5 */
			s->minor = 5;
			s->status = 0;
			s->status_flags = 1u << 4;	/* SSR supported */
			break;
		}
		case QAIC_TRANS_DEACTIVATE_FROM_USR: {	/* the kernel's own */
			struct qaic_manage_trans_deactivate de;

			if (h.len < sizeof(de))
				return -EINVAL;
			memcpy(&de, p, sizeof(de));
			ret = deactivate(f, de.dbc_id, false, 0, o);
			break;
		}
		default:	/* DMA_XFER or ACTIVATE without their command */
			return -EINVAL;
		}
	}
	return ret;
}

int simkmd_manage(struct sim_file *f, uint64_t arg)
{
	struct qaic_manage_msg m;
	struct nnc_out *o;
	struct walk w;
	uint8_t *buf;
	int ret;

	ret = simkmd_copy_from_user(&m, arg, sizeof(m));
	if (ret)
		return ret;
	if (m.len > QAIC_MANAGE_MAX_MSG_LENGTH || m.count == 0 ||
	    m.count > QAIC_MANAGE_MAX_MSG_LENGTH / sizeof(struct qaic_manage_trans_hdr))
		return -EINVAL;
	buf = malloc(QAIC_MANAGE_MAX_MSG_LENGTH);
	o = calloc(1, sizeof(*o));
	ret = -ENOMEM;
	if (!buf || !o)
		goto out;
	ret = simkmd_copy_from_user(buf, m.data, m.len);
	if (ret)
		goto out;
	w = (struct walk){ buf, m.len, m.count, 0, 0 };
	ret = walk_msg(f, &w, o);
	/* the answer, up to the message limit, as the kernel writes it */
	if (!ret)
		ret = simkmd_copy_to_user(m.data, o->buf, o->len);
	if (!ret) {
		m.len = o->len;
		m.count = o->count;
		ret = simkmd_copy_to_user(arg, &m, sizeof(m));
	}
out:
	free(buf);
	free(o);
	return ret;
}
