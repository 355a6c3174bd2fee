/* SPDX-License-Identifier: MIT */
/*
 * QPC objects (program descriptions) and programs: load, activation through
 * DRM_IOCTL_QAIC_MANAGE, IO buffer info.
 *
 * Program states (qaicProgramGetInfo().status):
 *   INIT --load--> LOADED --activate--> FULLY_ACTIVATED
 * Operations move forward implicitly (activating an INIT program loads it)
 * and are no-ops when already in their target state.  Deactivate/unload
 * return QS_BUSY while exec objects of the program are alive.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "simkmd.h"
#include "rt.h"

#ifndef QAIC_SIM_DATADIR
#define QAIC_SIM_DATADIR NULL
#endif
#ifndef QAIC_SIM_SRCPRESETS
#define QAIC_SIM_SRCPRESETS NULL
#endif

#define QPC_MAGIC 0x00A1CD7Cu		/* a real QPC container */

/* ---- QPC objects ------------------------------------------------------ */

static void qpc_destroy(struct rt_obj *obj)
{
	struct QAicQpcObj *q = (struct QAicQpcObj *)obj;

	desc_free(&q->desc);
	free(q->text);
	free(q);
}

static QStatus qpc_new(QAicQpcObj **out, const char *text, size_t len,
		       const char *origin)
{
	char err[DESC_ERR_MAX];
	struct QAicQpcObj *q;
	uint32_t magic;

	if (len >= sizeof(magic)) {
		memcpy(&magic, text, sizeof(magic));
		if (magic == QPC_MAGIC) {
			rt_log(NULL, QL_ERROR, "%s: a real QPC container; the simulator takes program descriptions (docs/SIMULATOR.md)",
			       origin);
			return QS_UNSUPPORTED;
		}
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return QS_NOMEM;
	if (desc_parse(text, len, origin, &q->desc, err, sizeof(err))) {
		rt_log(NULL, QL_ERROR, "%s", err);
		free(q);
		return QS_INVAL;
	}
	q->text = malloc(len + 1);
	if (!q->text || rt_register(&q->obj, RT_QPC, qpc_destroy)) {
		desc_free(&q->desc);
		free(q->text);
		free(q);
		return QS_NOMEM;
	}
	memcpy(q->text, text, len);
	q->text[len] = '\0';
	q->text_len = len;
	*out = q;
	return QS_SUCCESS;
}

/* @copy is irrelevant here: the description is always parsed into a copy. */
QAIC_EXPORT QStatus qaicOpenQpc(QAicQpcObj **qpc, const uint8_t *buf,
				size_t size, bool copy)
{
	if (!qpc || !buf || !size)
		return QS_INVAL;
	return qpc_new(qpc, (const char *)buf, size, "<qpc buffer>");
}

static QStatus read_file(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "re");
	size_t cap = 4096, n = 0;
	char *buf = NULL;

	if (!f)
		goto io_error;
	for (;;) {
		char *nb = realloc(buf, cap);

		if (!nb) {
			free(buf);
			fclose(f);
			return QS_NOMEM;
		}
		buf = nb;
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap || cap >= (1u << 20))
			break;
		cap *= 2;
	}
	if (ferror(f) || n >= (1u << 20)) {
		int err = ferror(f) ? EIO : EFBIG;

		free(buf);
		fclose(f);
		errno = err;
		goto io_error;
	}
	fclose(f);
	*text = buf;
	*len = n;
	return QS_SUCCESS;
io_error:
	rt_log(NULL, QL_ERROR, "%s: cannot read: %s", path, strerror(errno));
	return QS_INVAL;
}

QAIC_EXPORT QStatus qaicOpenQpcFile(QAicQpcObj **qpc, const char *arg)
{
	char path[4096], err[DESC_ERR_MAX];
	const char *origin;
	char *text = NULL;
	size_t len = 0;
	QStatus st;

	if (!qpc || !arg || !*arg)
		return QS_INVAL;
	if (desc_resolve(arg, QAIC_SIM_DATADIR, QAIC_SIM_SRCPRESETS, path,
			 sizeof(path), err, sizeof(err))) {
		rt_log(NULL, QL_ERROR, "%s", err);
		return QS_INVAL;
	}
	st = read_file(path, &text, &len);
	if (st != QS_SUCCESS)
		return st;
	origin = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	st = qpc_new(qpc, text, len, origin);
	free(text);
	return st;
}

QAIC_EXPORT QStatus qaicCloseQpc(QAicQpcObj *handle)
{
	struct QAicQpcObj *q = RT_GET(handle, RT_QPC, struct QAicQpcObj);

	if (!q)
		return QS_INVAL;
	if (!rt_unregister(&q->obj)) {
		RT_PUT(q);
		return QS_INVAL;
	}
	RT_PUT(q);
	RT_PUT(q);
	return QS_SUCCESS;
}

/* ---- programs: device side ------------------------------------------- */

/* Opens the node of every device of the program (the "load"). */
static QStatus program_load_locked(struct QAicProgram *pg)
{
	uint32_t d;

	if (pg->status != QAIC_PROGRAM_INIT)
		return QS_SUCCESS;
	for (d = 0; d < pg->ndev; d++) {
		struct rt_pdev *pd = &pg->pdev[d];
		const char *path = simkmd_device_path(pd->qid);

		if (!path)
			goto fail;
		pd->fd = open(path, O_RDWR | O_CLOEXEC);
		if (pd->fd < 0) {
			rt_log(pg->ctx, QL_ERROR, "%s: cannot open: %s", path,
			       strerror(errno));
			goto fail;
		}
	}
	pg->status = QAIC_PROGRAM_LOADED;
	return QS_SUCCESS;
fail:
	while (d--) {
		close(pg->pdev[d].fd);
		pg->pdev[d].fd = -1;
	}
	return QS_NODEV;
}

static void fill_nnc(const struct QAicProgram *pg, uint32_t d,
		     struct simkmd_nnc_activate *nnc)
{
	const struct desc *dc = pg->desc;

	memset(nnc, 0, sizeof(*nnc));
	nnc->magic = SIMKMD_NNC_MAGIC;
	nnc->stats_compiled = dc->stats;
	nnc->compute_ns = dc->compute_us * 1000;
	nnc->jitter_ns = dc->jitter_us * 1000;
	nnc->tail_ns = dc->tail_us * 1000;
	nnc->tail_ppm = dc->tail_ppm;
	nnc->dma_bytes_per_us = dc->dma_mbps;	/* 1 MB/s = 1 byte/us */
	nnc->nspec = dc->nspec;
	nnc->token_bytes = dc->token_bytes;
	for (uint32_t i = 0; i < dc->nspec && i < SIMKMD_MAX_SPECS; i++) {
		nnc->spec[i].seq_len = dc->spec[i].seq_len;
		nnc->spec[i].compute_ns = dc->spec[i].compute_us * 1000;
		nnc->spec[i].token_ns = dc->spec[i].token_us * 1000;
		nnc->spec[i].jitter_ns = dc->spec[i].jitter_us * 1000;
	}
	/* every device of a program draws its own jitter */
	nnc->seed = rt_config()->seed * 1000003ull + pg->id + 7919ull * d;
}

/* Finds the first transaction of @type in a MANAGE response. */
static const void *find_trans(const uint8_t *buf, uint32_t len, uint32_t count,
			      uint32_t type, uint32_t min_len)
{
	uint32_t off = 0, i;

	for (i = 0; i < count && off + sizeof(struct qaic_manage_trans_hdr) <= len; i++) {
		const struct qaic_manage_trans_hdr *h = (const void *)(buf + off);

		if (h->len < sizeof(*h) || off + h->len > len)
			return NULL;
		if (h->type == type && h->len >= min_len)
			return h;
		off += h->len;
	}
	return NULL;
}

/*
 * The NNC protocol (docs/SIM-KMD.md): a passthrough transaction carries
 * one firmware command (32-bit words: type, then its fields); the answer
 * comes back in the same buffer as a PASSTHROUGH_TO_USR transaction.
 */
enum {
	NNC_LOAD_ELF_REQ = 3, NNC_LOAD_ELF_RESP = 4,
	NNC_UNLOAD_ELF_REQ = 7,
	NNC_ACTIVATE_REQ = 9, NNC_ACTIVATE_RESP = 10,
	NNC_DEACTIVATE_REQ = 11,
	NNC_STATUS_UNDER_SSR = -36,
	NNC_ELF_TAG = 100,
};

/* Appends a passthrough transaction with a @clen-byte command. */
static uint32_t *nnc_cmd(uint8_t *buf, uint32_t *len, uint32_t type, uint32_t clen)
{
	struct qaic_manage_trans_passthrough *pt = (void *)(buf + *len);
	uint32_t *c = (uint32_t *)pt->data;

	pt->hdr.type = QAIC_TRANS_PASSTHROUGH_FROM_USR;
	pt->hdr.len = sizeof(*pt) + clen;
	memset(c, 0, clen);
	c[0] = type;
	*len += pt->hdr.len;
	return c;
}

/* Sends @count transactions of @len bytes in @buf; the answer's command
 * words (checked to be @resp_type), or NULL with errno set. */
static const uint32_t *nnc_send(int fd, uint8_t *buf, uint32_t len, uint32_t count,
				uint32_t resp_type, uint32_t *resp_count)
{
	const struct qaic_manage_trans_passthrough *pt;
	struct qaic_manage_msg msg = { len, count, (uint64_t)(uintptr_t)buf };

	if (ioctl(fd, DRM_IOCTL_QAIC_MANAGE, &msg) < 0)
		return NULL;
	pt = find_trans(buf, msg.len < QAIC_MANAGE_MAX_MSG_LENGTH ? msg.len :
			QAIC_MANAGE_MAX_MSG_LENGTH, msg.count,
			QAIC_TRANS_PASSTHROUGH_TO_USR, sizeof(*pt) + 8);
	if (!pt || ((const uint32_t *)pt->data)[0] != resp_type) {
		errno = EPROTO;
		return NULL;
	}
	if (resp_count)
		*resp_count = msg.count;
	return (const uint32_t *)pt->data;
}

/* LOAD_ELF of the program's "ELF" (its timing) on device @d. */
static int pdev_load_elf(struct QAicProgram *pg, uint32_t d,
			 const struct simkmd_nnc_activate *img)
{
	_Alignas(8) uint8_t buf[QAIC_MANAGE_MAX_MSG_LENGTH];
	struct qaic_manage_trans_dma_xfer *x;
	struct rt_pdev *pd = &pg->pdev[d];
	uint32_t len = 0, *c;
	const uint32_t *r;
	uint64_t size = sizeof(*img);

	memset(buf, 0, sizeof(buf));
	c = nnc_cmd(buf, &len, NNC_LOAD_ELF_REQ, 96);
	c[1] = NNC_ELF_TAG;
	c[2] = (uint32_t)getpid();
	snprintf((char *)&c[4], 64, "%.63s", pg->name);
	memcpy(&c[20], &size, sizeof(size));		/* data_length */
	x = (void *)(buf + len);
	x->hdr.type = QAIC_TRANS_DMA_XFER_FROM_USR;
	x->hdr.len = sizeof(*x);
	x->tag = NNC_ELF_TAG;
	x->addr = (uint64_t)(uintptr_t)img;
	x->size = size;
	len += sizeof(*x);
	r = nnc_send(pd->fd, buf, len, 2, NNC_LOAD_ELF_RESP, NULL);
	if (!r)
		return -errno;
	if ((int32_t)r[2]) {
		rt_log(pg->ctx, QL_ERROR, "program %s: device %d refused its ELF (NNC status %d)",
		       pg->name, (int)pd->qid, (int32_t)r[2]);
		return -EPROTO;
	}
	pd->elf_id = r[1];
	return 0;
}

static void pdev_unload_elf(struct QAicProgram *pg, uint32_t d)
{
	_Alignas(8) uint8_t buf[64];
	struct rt_pdev *pd = &pg->pdev[d];
	uint32_t len = 0, *c;
	struct qaic_manage_msg msg;

	if (!pd->elf_id)
		return;
	c = nnc_cmd(buf, &len, NNC_UNLOAD_ELF_REQ, 8);
	c[1] = pd->elf_id;
	msg = (struct qaic_manage_msg){ len, 1, (uint64_t)(uintptr_t)buf };
	(void)ioctl(pd->fd, DRM_IOCTL_QAIC_MANAGE, &msg);
	pd->elf_id = 0;
}

/*
 * Activation of device @d of the program as the real runtime does it: the
 * ELF loaded once (NNC LOAD_ELF + DMA_XFER), then NNC ACTIVATE with the DMA
 * bridge channel's ACTIVATE transaction, answered with the activation and
 * the DBC.  Returns 0 or -errno (-EAGAIN: the device is restarting).
 */
static int pdev_activate(struct QAicProgram *pg, uint32_t d)
{
	_Alignas(8) uint8_t buf[QAIC_MANAGE_MAX_MSG_LENGTH];
	struct qaic_manage_trans_activate_to_dev *act;
	const struct qaic_manage_trans_activate_from_dev *resp;
	struct rt_pdev *pd = &pg->pdev[d];
	struct simkmd_nnc_activate img;
	uint32_t len = 0, count = 0, *c;
	const uint32_t *r;
	int rc;

	if (!pd->elf_id) {
		fill_nnc(pg, d, &img);
		rc = pdev_load_elf(pg, d, &img);
		if (rc)
			return rc;
	}
	memset(buf, 0, sizeof(buf));
	c = nnc_cmd(buf, &len, NNC_ACTIVATE_REQ, 48);
	c[1] = (uint32_t)getpid();
	c[3] = pd->elf_id;
	c[5] = (uint32_t)-1;		/* resource_res_id */
	c[6] = 1;			/* opt_vc_setup */
	c[7] = (uint32_t)-1;		/* vc_res_id */
	act = (void *)(buf + len);
	act->hdr.type = QAIC_TRANS_ACTIVATE_FROM_USR;
	act->hdr.len = sizeof(*act);
	act->queue_size = pg->desc->ring;
	len += sizeof(*act);
	r = nnc_send(pd->fd, buf, len, 2, NNC_ACTIVATE_RESP, &count);
	if (!r)
		return -errno;
	if ((int32_t)r[1] == NNC_STATUS_UNDER_SSR)
		return -EAGAIN;
	resp = find_trans(buf, QAIC_MANAGE_MAX_MSG_LENGTH, count,
			  QAIC_TRANS_ACTIVATE_FROM_DEV, sizeof(*resp));
	if ((int32_t)r[1] || !resp || resp->status || resp->dbc_id != r[3]) {
		rt_log(pg->ctx, QL_ERROR, "program %s: activation refused by device %d (NNC status %d)",
		       pg->name, (int)pd->qid, (int32_t)r[1]);
		return -EPROTO;
	}
	pd->activation_id = r[2];
	pd->dbc_id = resp->dbc_id;
	pd->active = true;
	pd->gen++;
	return 0;
}

/* Deactivation of device @d: NNC DEACTIVATE with the DBC's teardown, then
 * the ELF unloaded. */
static int pdev_deactivate(struct QAicProgram *pg, uint32_t d)
{
	_Alignas(8) uint8_t buf[128];
	struct qaic_manage_trans_deactivate *tr;
	struct rt_pdev *pd = &pg->pdev[d];
	struct qaic_manage_msg msg;
	uint32_t len = 0, *c;
	int rc = 0;

	if (!pd->active) {
		pdev_unload_elf(pg, d);
		return 0;
	}
	memset(buf, 0, sizeof(buf));
	c = nnc_cmd(buf, &len, NNC_DEACTIVATE_REQ, 16);
	c[1] = pd->activation_id;
	c[2] = 1;			/* opt_vc_teardown */
	tr = (void *)(buf + len);
	tr->hdr.type = QAIC_TRANS_DEACTIVATE_FROM_USR;
	tr->hdr.len = sizeof(*tr);
	tr->dbc_id = pd->dbc_id;
	len += sizeof(*tr);
	msg = (struct qaic_manage_msg){ len, 2, (uint64_t)(uintptr_t)buf };
	pd->active = false;
	/* EPERM: a restart already released the DBC; ENODEV: device gone */
	if (ioctl(pd->fd, DRM_IOCTL_QAIC_MANAGE, &msg) < 0 &&
	    errno != EPERM && errno != ENODEV)
		rc = -errno;
	pdev_unload_elf(pg, d);
	return rc;
}

static QStatus program_deactivate_all(struct QAicProgram *pg)
{
	QStatus st = QS_SUCCESS;
	uint32_t d;

	for (d = 0; d < pg->ndev; d++) {
		int rc = pdev_deactivate(pg, d);

		if (rc) {
			rt_log(pg->ctx, QL_ERROR, "program %s: deactivation on device %d failed: %s",
			       pg->name, (int)pg->pdev[d].qid, strerror(-rc));
			st = QS_ERROR;
		}
	}
	return st;
}

/*
 * A new activation of device @d: the kernel detached the exec objects'
 * BOs when the old DBC was released, attach them to the new one.
 */
static int pdev_reattach(struct QAicProgram *pg, uint32_t d)
{
	int rc = 0;

	for (uint32_t i = 0; i < pg->nexecs && !rc; i++)
		rc = rt_execobj_reattach(pg->execs[i], d);
	return rc;
}

/* Called with every device's span write-locked and the program locked. */
static QStatus program_activate_locked(struct QAicProgram *pg)
{
	QStatus st;
	uint32_t d;
	int rc = 0;

	if (pg->status == QAIC_PROGRAM_FULLY_ACTIVATED)
		return QS_SUCCESS;
	st = program_load_locked(pg);
	if (st != QS_SUCCESS)
		return st;
	for (d = 0; d < pg->ndev && !rc; d++) {
		rc = pdev_activate(pg, d);
		if (rc && rc != -EPROTO)
			rt_log(pg->ctx, QL_ERROR, "program %s: activation on device %d failed: %s",
			       pg->name, (int)pg->pdev[d].qid, strerror(-rc));
		if (!rc)
			rc = pdev_reattach(pg, d);
	}
	if (rc) {
		program_deactivate_all(pg);
		return rc == -EAGAIN ? QS_AGAIN : QS_ERROR;
	}
	pg->status = QAIC_PROGRAM_FULLY_ACTIVATED;
	return QS_SUCCESS;
}

static QStatus program_deactivate_locked(struct QAicProgram *pg)
{
	QStatus st;

	if (pg->status != QAIC_PROGRAM_FULLY_ACTIVATED)
		return QS_SUCCESS;
	if (pg->num_execs)
		return QS_BUSY;
	st = program_deactivate_all(pg);
	pg->status = QAIC_PROGRAM_LOADED;
	return st;
}

static QStatus program_unload_locked(struct QAicProgram *pg)
{
	QStatus st = program_deactivate_locked(pg);
	uint32_t d;

	if (st != QS_SUCCESS)
		return st;
	if (pg->status == QAIC_PROGRAM_LOADED) {
		for (d = 0; d < pg->ndev; d++) {
			close(pg->pdev[d].fd);
			pg->pdev[d].fd = -1;
		}
		pg->status = QAIC_PROGRAM_INIT;
	}
	return QS_SUCCESS;
}

bool rt_program_on_device(const struct QAicProgram *pg, QID dev)
{
	for (uint32_t d = 0; d < pg->ndev; d++)
		if (pg->pdev[d].qid == dev)
			return true;
	return false;
}

/* Spans before the program's lock, in device order (rt.h). */
static void spans_wrlock(struct QAicProgram *pg)
{
	for (uint32_t d = 0; d < pg->ndev; d++)
		pthread_rwlock_wrlock(&pg->pdev[d].span);
}

static void spans_unlock(struct QAicProgram *pg)
{
	for (uint32_t d = pg->ndev; d--;)
		pthread_rwlock_unlock(&pg->pdev[d].span);
}

int rt_program_reactivate(struct QAicProgram *pg, uint32_t d, uint64_t gen)
{
	struct rt_pdev *pd = &pg->pdev[d];
	int rc = 0;

	pthread_rwlock_wrlock(&pd->span);
	pthread_mutex_lock(&pg->lock);
	if (pg->status == QAIC_PROGRAM_FULLY_ACTIVATED && pd->active &&
	    pd->gen == gen) {
		uint32_t old = pd->dbc_id;

		rc = pdev_activate(pg, d);
		if (!rc)
			rc = pdev_reattach(pg, d);
		if (!rc)
			rt_log(pg->ctx, QL_INFO, "program %s: device %d re-activated after a subsystem restart (DBC %u -> %u)",
			       pg->name, (int)pd->qid, old, pd->dbc_id);
		else if (rc != -EAGAIN)
			rt_log(pg->ctx, QL_ERROR, "program %s: re-activation on device %d failed: %s",
			       pg->name, (int)pd->qid, strerror(-rc));
	}
	pthread_mutex_unlock(&pg->lock);
	pthread_rwlock_unlock(&pd->span);
	return rc;
}

QStatus rt_program_activate(struct QAicProgram *pg)
{
	QStatus st;

	spans_wrlock(pg);
	pthread_mutex_lock(&pg->lock);
	st = program_activate_locked(pg);
	pthread_mutex_unlock(&pg->lock);
	spans_unlock(pg);
	return st;
}

QStatus rt_program_deactivate(struct QAicProgram *pg)
{
	QStatus st = QS_SUCCESS;

	pthread_mutex_lock(&pg->lock);
	if (pg->status == QAIC_PROGRAM_FULLY_ACTIVATED) {
		st = program_deactivate_all(pg);
		pg->status = QAIC_PROGRAM_LOADED;
	}
	pthread_mutex_unlock(&pg->lock);
	return st;
}

void rt_program_inflight(struct QAicProgram *pg, int delta)
{
	pthread_mutex_lock(&pg->lock);
	pg->inflight += delta;
	if (!pg->inflight)
		pthread_cond_broadcast(&pg->idle);
	pthread_mutex_unlock(&pg->lock);
}

bool rt_program_wait_idle(struct QAicProgram *pg, uint64_t deadline_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline_ns / 1000000000ull),
		.tv_nsec = (long)(deadline_ns % 1000000000ull),
	};
	int rc = 0;

	pthread_mutex_lock(&pg->lock);
	while (pg->inflight && rc != ETIMEDOUT)
		rc = deadline_ns ? pthread_cond_timedwait(&pg->idle, &pg->lock, &ts)
				 : pthread_cond_wait(&pg->idle, &pg->lock);
	rc = pg->inflight == 0;
	pthread_mutex_unlock(&pg->lock);
	return rc;
}

int rt_program_track_exec(struct QAicProgram *pg, struct QAicExecObj *eo)
{
	int rc = 0;

	pthread_mutex_lock(&pg->lock);
	if (pg->nexecs == pg->capexecs) {
		uint32_t cap = pg->capexecs ? 2 * pg->capexecs : 8;
		struct QAicExecObj **n = realloc(pg->execs, cap * sizeof(*n));

		if (n) {
			pg->execs = n;
			pg->capexecs = cap;
		}
	}
	if (pg->nexecs < pg->capexecs)
		pg->execs[pg->nexecs++] = eo;
	else
		rc = -ENOMEM;
	pthread_mutex_unlock(&pg->lock);
	return rc;
}

void rt_program_untrack_exec(struct QAicProgram *pg, struct QAicExecObj *eo)
{
	pthread_mutex_lock(&pg->lock);
	for (uint32_t i = 0; i < pg->nexecs; i++)
		if (pg->execs[i] == eo) {
			pg->execs[i] = pg->execs[--pg->nexecs];
			break;
		}
	pthread_mutex_unlock(&pg->lock);
}

QStatus rt_program_add_exec(struct QAicProgram *pg)
{
	QStatus st = QS_INVAL;

	pthread_mutex_lock(&pg->lock);
	if (pg->status == QAIC_PROGRAM_FULLY_ACTIVATED) {
		pg->num_execs++;
		st = QS_SUCCESS;
	}
	pthread_mutex_unlock(&pg->lock);
	return st;
}

void rt_program_del_exec(struct QAicProgram *pg)
{
	pthread_mutex_lock(&pg->lock);
	pg->num_execs--;
	pthread_mutex_unlock(&pg->lock);
}

/* ---- programs: API ---------------------------------------------------- */

static atomic_uint next_program_id;

static void program_destroy(struct rt_obj *obj)
{
	struct QAicProgram *pg = (struct QAicProgram *)obj;

	profile_flush(pg);
	pthread_mutex_lock(&pg->lock);
	program_unload_locked(pg);
	pthread_mutex_unlock(&pg->lock);
	profile_destroy(pg->prof);
	pthread_mutex_destroy(&pg->lock);
	pthread_cond_destroy(&pg->idle);
	for (uint32_t d = 0; d < RT_MAX_DEVICES; d++)
		pthread_rwlock_destroy(&pg->pdev[d].span);
	free(pg->execs);
	RT_PUT(pg->ctx);
	if (pg->qpc)
		RT_PUT(pg->qpc);
	free(pg->maps);
	free(pg->buf_of_map);
	free(pg);
}

static void add_mapping(struct QAicProgram *pg, const struct desc_buffer *b,
			uint32_t buf)
{
	QAicBufferMappings *m = &pg->maps[pg->nbo];

	m->bufferName = (char *)(b ? b->name : DESC_CYCLES_NAME);
	m->index = pg->nbo;
	m->ioType = !b || b->dir == DESC_OUT ? BUFFER_IO_TYPE_OUTPUT :
					       BUFFER_IO_TYPE_INPUT;
	m->size = b ? b->bytes : DESC_CYCLES_BYTES;
	m->isPartialBufferAllowed = b && b->partial;
	m->dataType = b ? (QAicBufferDataTypeEnum)b->dtype : BUFFER_DATA_TYPE_INT8;
	pg->buf_of_map[pg->nbo] = buf;
	if (m->ioType == BUFFER_IO_TYPE_OUTPUT)
		pg->wait_idx = pg->nbo;
	pg->nbo++;
}

/* Inputs first, then outputs, then aiccyclecounts: the execute order. */
static int build_layout(struct QAicProgram *pg)
{
	const struct desc *d = pg->desc;
	uint32_t i, n = d->nbuf + 1;

	pg->maps = calloc(n, sizeof(*pg->maps));
	pg->buf_of_map = calloc(n, sizeof(*pg->buf_of_map));
	if (!pg->maps || !pg->buf_of_map)
		return -ENOMEM;
	for (i = 0; i < d->nbuf; i++)
		if (d->buf[i].dir == DESC_IN)
			add_mapping(pg, &d->buf[i], i);
	for (i = 0; i < d->nbuf; i++)
		if (d->buf[i].dir == DESC_OUT)
			add_mapping(pg, &d->buf[i], i);
	if (d->stats)
		add_mapping(pg, NULL, UINT32_MAX);
	pg->iobuf.numBufferMappings = pg->nbo;
	pg->iobuf.bufferMappings = pg->maps;
	return 0;
}

QAIC_EXPORT QStatus qaicProgramPropertiesInitDefault(QAicProgramProperties_t *props)
{
	if (!props)
		return QS_INVAL;
	memset(props, 0, sizeof(*props));
	props->selectMask = QAIC_PROGRAM_PROPERTIES_SELECT_MASK_DEFAULT;
	props->SubmitNumRetries = QAIC_PROGRAM_PROPERTIES_SUBMIT_NUM_RETRIES_DEFAULT;
	props->SubmitRetryTimeoutMs = 0;
	return QS_SUCCESS;
}

static void program_init_sync(struct QAicProgram *pg)
{
	pthread_rwlockattr_t ra;
	pthread_condattr_t ca;

	pthread_mutex_init(&pg->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&pg->idle, &ca);
	pthread_condattr_destroy(&ca);
	/* a waiting activation must not starve behind new inferences */
	pthread_rwlockattr_init(&ra);
	pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	for (uint32_t d = 0; d < RT_MAX_DEVICES; d++)
		pthread_rwlock_init(&pg->pdev[d].span, &ra);
	pthread_rwlockattr_destroy(&ra);
}

/*
 * devMapping "QID:QID:...": the program's devices in order, each one of
 * the context's, none twice, at most RT_MAX_DEVICES.  0 or -1 (logged).
 */
static int parse_dev_mapping(struct QAicProgram *pg, const char *s)
{
	const char *p = s;

	pg->ndev = 0;
	while (*p) {
		unsigned long v;
		char *end;

		if (*p < '0' || *p > '9')
			goto bad;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || v > INT32_MAX || (*end && *end != ':'))
			goto bad;
		if (!rt_ctx_has_device(pg->ctx, (QID)v)) {
			rt_log(pg->ctx, QL_ERROR, "devMapping '%s': device %lu is not in the context",
			       s, v);
			return -1;
		}
		for (uint32_t d = 0; d < pg->ndev; d++)
			if (pg->pdev[d].qid == (QID)v) {
				rt_log(pg->ctx, QL_ERROR, "devMapping '%s': device %lu given twice",
				       s, v);
				return -1;
			}
		if (pg->ndev == RT_MAX_DEVICES) {
			rt_log(pg->ctx, QL_ERROR, "devMapping '%s': more than %d devices",
			       s, RT_MAX_DEVICES);
			return -1;
		}
		pg->pdev[pg->ndev].qid = (QID)v;
		pg->pdev[pg->ndev].fd = -1;
		pg->ndev++;
		p = *end ? end + 1 : end;
		if (*end && !*p)
			goto bad;
	}
	if (pg->ndev)
		return 0;
bad:
	rt_log(pg->ctx, QL_ERROR, "devMapping '%s': expected QID:QID:... (as \"0:1:2:3\")",
	       s);
	return -1;
}

QStatus rt_program_new(struct QAicContext *ctx, struct QAicQpcObj *q,
		       QAicProgramProperties_t *props, QID dev,
		       const char *name, struct QAicProgram **out)
{
	struct QAicProgram *pg = calloc(1, sizeof(*pg));

	if (!pg)
		return QS_NOMEM;
	program_init_sync(pg);
	pg->qpc = q;
	rt_ref(&q->obj);
	pg->desc = &q->desc;
	pg->dev = dev;
	pg->ndev = 1;
	pg->pdev[0].qid = dev;
	pg->pdev[0].fd = -1;
	pg->status = QAIC_PROGRAM_INIT;
	if (props)
		pg->props = *props;
	else
		qaicProgramPropertiesInitDefault(&pg->props);
	snprintf(pg->name, sizeof(pg->name), "%s",
		 name && *name ? name : q->desc.name);
	pg->ctx = ctx;
	rt_ref(&ctx->obj);
	pg->props.devMapping = NULL;	/* the caller's string: not kept */
	if (props && props->devMapping && *props->devMapping &&
	    parse_dev_mapping(pg, props->devMapping)) {
		program_destroy(&pg->obj);
		return QS_INVAL;
	}
	if (build_layout(pg)) {
		program_destroy(&pg->obj);
		return QS_NOMEM;
	}
	pg->id = atomic_fetch_add(&next_program_id, 1);
	pg->prof = profile_create(ctx);
	if (rt_register(&pg->obj, RT_PROGRAM, program_destroy)) {
		program_destroy(&pg->obj);
		return QS_NOMEM;
	}
	*out = pg;
	return QS_SUCCESS;
}

QAIC_EXPORT QStatus qaicCreateProgram(QAicContext *hctx, QAicProgram **program,
				      QAicProgramProperties_t *props, QID dev,
				      const char *name, QAicQpcObj *hqpc)
{
	struct QAicContext *ctx = RT_GET(hctx, RT_CONTEXT, struct QAicContext);
	struct QAicQpcObj *q = RT_GET(hqpc, RT_QPC, struct QAicQpcObj);
	QStatus st = QS_INVAL;

	if (ctx && q && program && rt_ctx_has_device(ctx, dev))
		st = rt_program_new(ctx, q, props, dev, name, program);
	if (q)
		RT_PUT(q);
	if (ctx)
		RT_PUT(ctx);
	return st;
}

typedef QStatus (*program_op)(struct QAicProgram *pg);

/* A program of a group is loaded and activated by the group only. */
static QStatus with_program(QAicProgram *handle, program_op op)
{
	struct QAicProgram *pg = RT_GET(handle, RT_PROGRAM, struct QAicProgram);
	QStatus st = QS_INVAL;

	if (!pg)
		return QS_INVAL;
	if (!pg->group) {
		pthread_mutex_lock(&pg->lock);
		st = op(pg);
		pthread_mutex_unlock(&pg->lock);
	}
	RT_PUT(pg);
	return st;
}

QAIC_EXPORT QStatus qaicLoadProgram(QAicProgram *program)
{
	return with_program(program, program_load_locked);
}

QAIC_EXPORT QStatus qaicUnloadProgram(QAicProgram *program)
{
	return with_program(program, program_unload_locked);
}

QAIC_EXPORT QStatus qaicRunActivationCmd(QAicProgram *program,
					 QAicProgramActivationCmd cmd)
{
	struct QAicProgram *pg;
	QStatus st = QS_INVAL;

	switch (cmd) {
	case QAIC_PROGRAM_CMD_ACTIVATE_FULL:
		pg = RT_GET(program, RT_PROGRAM, struct QAicProgram);
		if (pg && !pg->group)
			st = rt_program_activate(pg);
		if (pg)
			RT_PUT(pg);
		return st;
	case QAIC_PROGRAM_CMD_DEACTIVATE_FULL:
		return with_program(program, program_deactivate_locked);
	default:
		return QS_INVAL;
	}
}

/*
 * Retires the handle and writes the latency file (if profiling collected
 * anything).  The program is deactivated and unloaded when its last exec
 * object is released (they keep it alive).
 */
void rt_program_retire(struct QAicProgram *pg)
{
	if (!rt_unregister(&pg->obj))
		return;
	profile_flush(pg);
	RT_PUT(pg);
}

/* A program of a group goes with the group (qaicReleaseProgramGroup). */
QAIC_EXPORT QStatus qaicReleaseProgram(QAicProgram *handle)
{
	struct QAicProgram *pg = RT_GET(handle, RT_PROGRAM, struct QAicProgram);

	if (!pg)
		return QS_INVAL;
	if (pg->group || !rt_unregister(&pg->obj)) {
		RT_PUT(pg);
		return QS_INVAL;
	}
	profile_flush(pg);
	RT_PUT(pg);
	RT_PUT(pg);
	return QS_SUCCESS;
}

/* Returns the program description text (the simulator's "IO descriptor"),
 * valid until the program is released. */
QAIC_EXPORT QStatus qaicProgramGetIoDescriptor(QAicProgram *handle,
					       QData *ioDesc)
{
	struct QAicProgram *pg = RT_GET(handle, RT_PROGRAM, struct QAicProgram);

	if (!pg)
		return QS_INVAL;
	if (!ioDesc) {
		RT_PUT(pg);
		return QS_INVAL;
	}
	ioDesc->data = (uint8_t *)pg->qpc->text;
	ioDesc->size = pg->qpc->text_len;
	RT_PUT(pg);
	return QS_SUCCESS;
}

QAIC_EXPORT QStatus qaicProgramGetIoBufferInfo(QAicProgram *handle,
					       QAicIoBufferInfo_t **info)
{
	struct QAicProgram *pg = RT_GET(handle, RT_PROGRAM, struct QAicProgram);

	if (!pg)
		return QS_INVAL;
	if (!info) {
		RT_PUT(pg);
		return QS_INVAL;
	}
	*info = &pg->iobuf;
	RT_PUT(pg);
	return QS_SUCCESS;
}

QAIC_EXPORT QStatus qaicProgramGetInfo(QAicProgram *handle,
				       QAicProgramInfo *info)
{
	struct QAicProgram *pg = RT_GET(handle, RT_PROGRAM, struct QAicProgram);

	if (!pg)
		return QS_INVAL;
	if (!info) {
		RT_PUT(pg);
		return QS_INVAL;
	}
	memset(info, 0, sizeof(*info));
	pthread_mutex_lock(&pg->lock);
	info->status = pg->status;
	info->loadedID = pg->status == QAIC_PROGRAM_FULLY_ACTIVATED ?
			 pg->pdev[0].dbc_id : 0;
	pthread_mutex_unlock(&pg->lock);
	info->programID = pg->id;
	info->numNsp = 1;
	info->numMcid = 0;
	info->batchSize = pg->desc->batch;
	info->isAicStatsAvailable = (uint8_t)pg->desc->stats;
	RT_PUT(pg);
	return QS_SUCCESS;
}
