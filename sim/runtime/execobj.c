/* SPDX-License-Identifier: MIT */
/*
 * Exec objects: their BOs (one set per device of the program: CREATE_BO,
 * ATTACH_SLICE_BO, MMAP_BO, mmap, as the open runtime builds them), the
 * application's data and dimensions, waiting for completion and release.
 * The worker side of an inference is in infer.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "simkmd.h"
#include "rt.h"

/* ---- BOs ---------------------------------------------------------------- */

static void bo_free(int fd, struct rt_bo *bo)
{
	struct drm_gem_close gc = { .handle = bo->handle };

	if (bo->map && bo->map != MAP_FAILED)
		munmap(bo->map, bo->size);
	bo->map = NULL;
	if (bo->handle && ioctl(fd, DRM_IOCTL_GEM_CLOSE, &gc) < 0)
		rt_log(NULL, QL_WARN, "GEM_CLOSE(%u) failed: %s", bo->handle,
		       strerror(errno));
	bo->handle = 0;
}

static int bo_attach(int fd, uint32_t dbc_id, struct rt_bo *bo,
		     uint32_t slices)
{
	struct qaic_attach_slice_entry *ent;
	struct qaic_attach_slice as;
	uint64_t chunk = bo->size / slices, off = 0;
	uint32_t i;
	int rc;

	if (!chunk)
		slices = 1, chunk = bo->size;
	ent = calloc(slices, sizeof(*ent));
	if (!ent)
		return -ENOMEM;
	for (i = 0; i < slices; i++) {
		ent[i].size = i + 1 < slices ? chunk : bo->size - off;
		ent[i].offset = off;
		ent[i].dev_addr = 0x100000000ull + off;
		off += ent[i].size;
	}
	memset(&as, 0, sizeof(as));
	as.hdr.count = slices;
	as.hdr.dbc_id = dbc_id;
	as.hdr.handle = bo->handle;
	as.hdr.dir = bo->dir;
	as.hdr.size = bo->size;
	as.data = (uint64_t)(uintptr_t)ent;
	rc = ioctl(fd, DRM_IOCTL_QAIC_ATTACH_SLICE_BO, &as) < 0 ? -errno : 0;
	free(ent);
	return rc;
}

/* CREATE_BO -> ATTACH_SLICE_BO -> MMAP_BO -> mmap, on the caller's thread. */
static int bo_setup(int fd, uint32_t dbc_id, struct rt_bo *bo,
		    uint32_t slices)
{
	struct qaic_create_bo cb = { .size = bo->size };
	struct qaic_mmap_bo mb = { 0 };
	int rc;

	if (ioctl(fd, DRM_IOCTL_QAIC_CREATE_BO, &cb) < 0)
		return -errno;
	bo->handle = cb.handle;
	rc = bo_attach(fd, dbc_id, bo, slices);
	if (rc)
		return rc;
	mb.handle = bo->handle;
	if (ioctl(fd, DRM_IOCTL_QAIC_MMAP_BO, &mb) < 0)
		return -errno;
	/* BOs are resident DMA memory on a card: populate, so the first
	 * inference does not pay page faults inside its timed steps. */
	bo->map = mmap(NULL, bo->size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, fd,
		       (off_t)mb.offset);
	if (bo->map == MAP_FAILED) {
		bo->map = NULL;
		return -errno;
	}
	/* Shared mappings are populated read-only: take the write faults
	 * now too. */
	memset(bo->map, 0, bo->size);
	return 0;
}

/* ---- lifecycle ---------------------------------------------------------- */

static void eodev_free(struct rt_eodev *ed, uint32_t nbo)
{
	uint32_t i;

	for (i = 0; ed->bo && i < nbo; i++)
		bo_free(ed->fd, &ed->bo[i]);
	free(ed->bo);
	free(ed->entries);
	free(ed->pentries);
	free(ed->perf);
}

static void execobj_destroy(struct rt_obj *obj)
{
	struct QAicExecObj *eo = (struct QAicExecObj *)obj;
	uint32_t d;

	/* out of the program's list first: no re-attach of freed BOs */
	if (eo->tracked)
		rt_program_untrack_exec(eo->prog, eo);
	for (d = 0; eo->dev && d < eo->ndev; d++)
		eodev_free(&eo->dev[d], eo->nbo);
	if (eo->prog) {
		rt_program_del_exec(eo->prog);
		RT_PUT(eo->prog);
	}
	if (eo->ctx)
		RT_PUT(eo->ctx);
	pthread_cond_destroy(&eo->cond);
	pthread_mutex_destroy(&eo->lock);
	free(eo->dev);
	free(eo->bo_views);
	free(eo->user);
	free(eo->valid);
	free(eo->run);
	free(eo);
}

static void execobj_init_sync(struct QAicExecObj *eo)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);	/* wait_idle() */
	pthread_mutex_init(&eo->lock, NULL);
	pthread_cond_init(&eo->cond, &ca);
	pthread_condattr_destroy(&ca);
}

static int eodev_alloc(struct rt_eodev *ed, uint32_t nbo)
{
	ed->fd = -1;
	ed->bo = calloc(nbo, sizeof(*ed->bo));
	ed->entries = calloc(nbo, sizeof(*ed->entries));
	ed->pentries = calloc(nbo, sizeof(*ed->pentries));
	ed->perf = calloc(nbo, sizeof(*ed->perf));
	return ed->bo && ed->entries && ed->pentries && ed->perf ? 0 : -ENOMEM;
}

static QStatus execobj_alloc(struct QAicProgram *pg, struct QAicExecObj **out)
{
	struct QAicExecObj *eo = calloc(1, sizeof(*eo));
	bool ok;

	if (!eo)
		return QS_NOMEM;
	execobj_init_sync(eo);
	eo->state = EO_IDLE;
	eo->last_status = QS_SUCCESS;
	eo->dev = calloc(pg->ndev, sizeof(*eo->dev));
	eo->bo_views = calloc(pg->nbo, sizeof(*eo->bo_views));
	eo->valid = calloc(pg->nbo, sizeof(*eo->valid));
	eo->run = calloc(pg->ndev, sizeof(*eo->run));
	ok = eo->dev && eo->bo_views && eo->valid && eo->run;
	if (ok) {
		eo->ndev = pg->ndev;
		eo->nbo = pg->nbo;
	}
	for (uint32_t d = 0; ok && d < pg->ndev; d++)
		ok = !eodev_alloc(&eo->dev[d], pg->nbo);
	if (!ok) {
		execobj_destroy(&eo->obj);
		return QS_NOMEM;
	}
	*out = eo;
	return QS_SUCCESS;
}

/*
 * Size of mapping @i's BO on each device: a buffer marked 'split' in the
 * description is divided across the devices of a devMapping (each holds
 * its part, the last one padded), any other buffer is whole on every
 * device.
 */
uint64_t rt_bo_size(const struct QAicProgram *pg, uint32_t i)
{
	uint32_t b = pg->buf_of_map[i];
	uint64_t size = pg->maps[i].size;

	if (pg->ndev > 1 && b != UINT32_MAX && pg->desc->buf[b].split)
		return (size + pg->ndev - 1) / pg->ndev;
	return size;
}

/* What goes into execute_entry.dir (QAIC_SIM_EXEC_ENTRY_DIR). */
static uint32_t entry_dir(uint32_t dir, uint64_t *prng)
{
	switch (rt_config()->entry_dir) {
	case RT_DIR_ZERO:
		return 0;
	case RT_DIR_SWAP:
		return dir == 1 ? 2 : 1;
	case RT_DIR_RANDOM:
		*prng = *prng * 6364136223846793005ull + 1442695040888963407ull;
		return (uint32_t)(*prng >> 32);
	case RT_DIR_ATTACH:
	default:
		return dir;
	}
}

static QStatus eodev_setup(struct QAicExecObj *eo, uint32_t d)
{
	struct QAicProgram *pg = eo->prog;
	struct rt_eodev *ed = &eo->dev[d];
	uint64_t prng = rt_config()->seed ^ (uintptr_t)eo ^ d;
	uint32_t i;
	int rc;

	pthread_mutex_lock(&pg->lock);
	ed->fd = pg->pdev[d].fd;
	ed->dbc_id = pg->pdev[d].dbc_id;
	pthread_mutex_unlock(&pg->lock);
	for (i = 0; i < eo->nbo; i++) {
		struct rt_bo *bo = &ed->bo[i];

		bo->size = rt_bo_size(pg, i);
		bo->dir = pg->maps[i].ioType == BUFFER_IO_TYPE_INPUT ? 1 : 2;
		rc = bo_setup(ed->fd, ed->dbc_id, bo, pg->desc->slices);
		if (rc) {
			rt_log(eo->ctx, QL_ERROR, "program %s: BO setup for '%s' on device %d failed: %s",
			       pg->name, pg->maps[i].bufferName,
			       (int)pg->pdev[d].qid, strerror(-rc));
			return rc == -ENOMEM ? QS_NOMEM : QS_ERROR;
		}
		ed->entries[i].handle = bo->handle;
		ed->entries[i].dir = entry_dir(bo->dir, &prng);
		ed->pentries[i].handle = bo->handle;
		ed->pentries[i].dir = ed->entries[i].dir;
	}
	return QS_SUCCESS;
}

int rt_execobj_reattach(struct QAicExecObj *eo, uint32_t d)
{
	struct QAicProgram *pg = eo->prog;
	struct rt_eodev *ed = &eo->dev[d];
	int rc = 0;

	ed->dbc_id = pg->pdev[d].dbc_id;
	for (uint32_t i = 0; i < eo->nbo && !rc; i++)
		rc = bo_attach(ed->fd, ed->dbc_id, &ed->bo[i], pg->desc->slices);
	if (rc)
		rt_log(eo->ctx, QL_ERROR, "program %s: re-attaching BOs on device %d failed: %s",
		       pg->name, (int)pg->pdev[d].qid, strerror(-rc));
	return rc;
}

static QStatus execobj_setup_bos(struct QAicExecObj *eo)
{
	QStatus st = QS_SUCCESS;
	uint32_t d, i;

	for (d = 0; d < eo->ndev && st == QS_SUCCESS; d++)
		st = eodev_setup(eo, d);
	for (i = 0; i < eo->nbo; i++) {
		eo->bo_views[i].size = eo->dev[0].bo[i].size;
		eo->bo_views[i].buf = eo->dev[0].bo[i].map;
		eo->bo_views[i].type = QBUFFER_TYPE_HEAP;
		eo->valid[i] = eo->prog->maps[i].size;
	}
	return st;
}

/*
 * @ioDesc is accepted and ignored (the program's own layout is used).  When
 * @numBuffers and @buffers are given they receive the runtime's own buffers
 * (the mmapped BOs, in mapping-index order), as qaicExecObjGetIoBuffers.
 */
QAIC_EXPORT QStatus qaicCreateExecObj(QAicContext *hctx, QAicExecObj **execObj,
				      QAicExecObjProperties_t *props,
				      QAicProgram *hprog, const QData *ioDesc,
				      uint32_t *numBuffers, QBuffer **buffers)
{
	struct QAicContext *ctx = RT_GET(hctx, RT_CONTEXT, struct QAicContext);
	struct QAicProgram *pg = RT_GET(hprog, RT_PROGRAM, struct QAicProgram);
	QAicExecObjProperties p = props ? *props : QAIC_EXECOBJ_PROPERTIES_DEFAULT;
	struct QAicExecObj *eo = NULL;
	QStatus st = QS_INVAL;

	if (!ctx || !pg || !execObj || pg->ctx != ctx)
		goto out;
	/* a group's program is activated by qaicProgramGroupEnable only */
	if ((p & QAIC_EXECOBJ_PROPERTIES_AUTO_LOAD_ACTIVATE) && !pg->group) {
		st = rt_program_activate(pg);
		if (st != QS_SUCCESS)
			goto out;
	}
	st = rt_program_add_exec(pg);	/* QS_INVAL if not activated */
	if (st != QS_SUCCESS)
		goto out;
	st = execobj_alloc(pg, &eo);
	if (st != QS_SUCCESS) {
		rt_program_del_exec(pg);
		goto out;
	}
	eo->prog = pg;
	eo->ctx = ctx;
	rt_ref(&pg->obj);
	rt_ref(&ctx->obj);
	st = execobj_setup_bos(eo);
	if (st == QS_SUCCESS) {
		if (rt_program_track_exec(pg, eo))
			st = QS_NOMEM;
		else
			eo->tracked = true;
	}
	if (st == QS_SUCCESS && rt_register(&eo->obj, RT_EXECOBJ, execobj_destroy))
		st = QS_NOMEM;
	if (st != QS_SUCCESS) {
		execobj_destroy(&eo->obj);
		goto out;
	}
	if (numBuffers && buffers) {
		*numBuffers = eo->nbo;
		*buffers = eo->bo_views;
	}
	*execObj = eo;
out:
	if (pg)
		RT_PUT(pg);
	if (ctx)
		RT_PUT(ctx);
	return st;
}

/* Bytes given for mapping @i: the dimensions' product, else the size. */
static int given_bytes(const struct QAicExecObj *eo, uint32_t i,
		       const QBuffer *buf, const QBufferDimensions *dims,
		       uint64_t *out)
{
	uint64_t v;

	*out = buf->size;
	if (!dims || !dims[i].count)
		return 0;
	if (!dims[i].dims || dims[i].count > 64)
		return -1;
	v = dims[i].sizeOfElem;
	for (uint32_t k = 0; k < dims[i].count; k++) {
		v *= dims[i].dims[k];
		if (v > (1ull << 40))
			return -1;
	}
	if (v != buf->size) {
		rt_log(eo->ctx, QL_ERROR, "qaicExecObjSetDataExt: buffer %u ('%s'): dimensions give %" PRIu64 " bytes, the buffer has %zu",
		       i, eo->prog->maps[i].bufferName, v, buf->size);
		return -1;
	}
	return 0;
}

/*
 * Does specialization @s (0 when the program has none) take these bytes?
 * A binding that allows partial buffers may be smaller or empty
 * (skipped); any other must have exactly its bytes in @s.
 */
static bool spec_fits(const struct QAicProgram *pg, uint32_t s,
		      const uint64_t *bytes, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t b = pg->buf_of_map[i];
		uint64_t want;

		if (b == UINT32_MAX)
			continue;	/* aiccyclecounts */
		want = desc_spec_bytes(&pg->desc->buf[b], s);
		if (pg->desc->buf[b].partial ? bytes[i] > want : bytes[i] != want)
			return false;
	}
	return true;
}

static QStatus check_buffers(struct QAicExecObj *eo, uint32_t n,
			     const QBuffer *bufs, const QBufferDimensions *dims,
			     uint64_t *bytes)
{
	const struct QAicProgram *pg = eo->prog;
	uint32_t i, s, nspec = pg->desc->nspec ? pg->desc->nspec : 1;

	for (i = 0; i < n; i++) {
		if (bufs[i].type != QBUFFER_TYPE_HEAP)
			return QS_UNSUPPORTED;
		if (given_bytes(eo, i, &bufs[i], dims, &bytes[i]))
			return QS_INVAL;
		if ((!bufs[i].buf && bufs[i].size) ||
		    bytes[i] > pg->maps[i].size ||
		    (bytes[i] < pg->maps[i].size && !pg->maps[i].isPartialBufferAllowed &&
		     !pg->desc->nspec)) {
			rt_log(eo->ctx, QL_ERROR, "qaicExecObjSetData: buffer %u ('%s') has size %zu, expected %u",
			       i, pg->maps[i].bufferName, bufs[i].size,
			       pg->maps[i].size);
			return QS_INVAL;
		}
	}
	for (; i < eo->nbo; i++)
		bytes[i] = pg->maps[i].size;	/* aiccyclecounts left out */
	for (s = 0; s < nspec; s++)
		if (spec_fits(pg, s, bytes, n))
			return QS_SUCCESS;
	rt_log(eo->ctx, QL_ERROR, "qaicExecObjSetData: the buffers of program %s match none of its specializations",
	       pg->name);
	return QS_INVAL;
}

/*
 * The application's buffers, one per IO buffer mapping in index order
 * (aiccyclecounts may be left out).  Each is a heap buffer of the
 * mapping's size; with specializations, of the size of one
 * specialization (the dimensions, when given, must give the buffer's
 * size); a binding that allows partial buffers may be smaller, or empty
 * (skipped: nothing moves).  Inputs are copied in at pre-processing,
 * outputs out at post-processing.  Refused (QS_BUSY) while an inference is
 * in flight.
 */
static QStatus set_data(QAicExecObj *handle, uint32_t n, const QBuffer *bufs,
			const QBufferDimensions *dims)
{
	struct QAicExecObj *eo = RT_GET(handle, RT_EXECOBJ, struct QAicExecObj);
	QStatus st = QS_INVAL;
	QBuffer *copy = NULL;
	uint64_t *bytes = NULL;
	bool partial = false;
	uint32_t i;

	if (!eo)
		return QS_INVAL;
	if (!bufs || (n != eo->nbo && !(eo->prog->desc->stats && n == eo->nbo - 1)))
		goto out;
	copy = calloc(eo->nbo, sizeof(*copy));
	bytes = calloc(eo->nbo, sizeof(*bytes));
	st = QS_NOMEM;
	if (!copy || !bytes)
		goto out;
	st = check_buffers(eo, n, bufs, dims, bytes);
	if (st != QS_SUCCESS)
		goto out;
	memcpy(copy, bufs, n * sizeof(*copy));
	for (i = 0; i < eo->nbo; i++)
		partial |= bytes[i] < eo->prog->maps[i].size;
	pthread_mutex_lock(&eo->lock);
	if (eo->state == EO_BUSY) {
		pthread_mutex_unlock(&eo->lock);
		st = QS_BUSY;
		goto out;
	}
	free(eo->user);
	eo->user = copy;
	copy = NULL;
	memcpy(eo->valid, bytes, eo->nbo * sizeof(*bytes));
	eo->partial = partial;
	pthread_mutex_unlock(&eo->lock);
	st = QS_SUCCESS;
out:
	free(copy);
	free(bytes);
	RT_PUT(eo);
	return st;
}

QAIC_EXPORT QStatus qaicExecObjSetData(QAicExecObj *execObj,
				       uint32_t numBuffers,
				       const QBuffer *buffers)
{
	return set_data(execObj, numBuffers, buffers, NULL);
}

/*
 * QBufferDimensions per buffer: count dimensions of sizeOfElem bytes (count
 * 0: the buffer's size alone).  They select the specialization the
 * inference runs (docs/SIMULATOR.md).
 */
QAIC_EXPORT QStatus qaicExecObjSetDataExt(QAicExecObj *execObj,
					  uint32_t numBuffers,
					  const QBuffer *buffers,
					  const QBufferDimensions *dims)
{
	return set_data(execObj, numBuffers, buffers, dims);
}

QAIC_EXPORT QStatus qaicExecObjGetIoBuffers(const QAicExecObj *handle,
					    uint32_t *numBuffers,
					    QBuffer **buffers)
{
	struct QAicExecObj *eo = RT_GET(handle, RT_EXECOBJ, struct QAicExecObj);

	if (!eo)
		return QS_INVAL;
	if (!numBuffers || !buffers) {
		RT_PUT(eo);
		return QS_INVAL;
	}
	*numBuffers = eo->nbo;
	*buffers = eo->bo_views;
	RT_PUT(eo);
	return QS_SUCCESS;
}

static int wait_idle(struct QAicExecObj *eo, uint32_t timeout_us)
{
	struct timespec dl;
	int rc = 0;

	if (timeout_us) {
		uint64_t t;

		clock_gettime(CLOCK_MONOTONIC, &dl);
		t = (uint64_t)dl.tv_nsec + (uint64_t)timeout_us * 1000;
		dl.tv_sec += (time_t)(t / 1000000000ull);
		dl.tv_nsec = (long)(t % 1000000000ull);
	}
	while (eo->state == EO_BUSY && rc != ETIMEDOUT)
		rc = timeout_us ? pthread_cond_timedwait(&eo->cond, &eo->lock, &dl)
				: pthread_cond_wait(&eo->cond, &eo->lock);
	return eo->state == EO_BUSY ? -ETIMEDOUT : 0;
}

/*
 * Waits until no inference of @execObj is in flight (timeoutUs µs, 0 =
 * forever) and returns the status of the last one (QS_SUCCESS if none ran).
 * Returning is the moment the application is handed the completion: that is
 * when the latency file's totalRoundtripTimeUs ends, unless a callback or
 * qaicWaitforEvent handed it over first.
 */
QAIC_EXPORT QStatus qaicExecObjWaitForCompletion(QAicExecObj *handle,
						 uint32_t timeoutUs)
{
	struct QAicExecObj *eo = RT_GET(handle, RT_EXECOBJ, struct QAicExecObj);
	bool sampled;
	uint64_t sample;
	QStatus st;

	if (!eo)
		return QS_INVAL;
	pthread_mutex_lock(&eo->lock);
	if (wait_idle(eo, timeoutUs)) {
		pthread_mutex_unlock(&eo->lock);
		RT_PUT(eo);
		return QS_TIMEDOUT;
	}
	st = eo->last_status;
	sampled = eo->done_sampled;
	sample = eo->done_sample;
	pthread_mutex_unlock(&eo->lock);
	if (sampled)
		rt_handover(eo->prog, sample, rt_now());
	RT_PUT(eo);
	return st;
}

/*
 * Waits for an inference in flight (and for its worker to let go), then
 * unmaps and closes the BOs: teardown ioctls always run inside this call,
 * on the caller's thread (unless another API call on another thread holds
 * the object at that moment; the last one out tears down).
 */
QAIC_EXPORT QStatus qaicReleaseExecObj(QAicExecObj *handle)
{
	struct QAicExecObj *eo = RT_GET(handle, RT_EXECOBJ, struct QAicExecObj);

	if (!eo)
		return QS_INVAL;
	if (!rt_unregister(&eo->obj)) {
		RT_PUT(eo);
		return QS_INVAL;
	}
	pthread_mutex_lock(&eo->lock);
	while (eo->state == EO_BUSY || eo->workers)
		pthread_cond_wait(&eo->cond, &eo->lock);
	pthread_mutex_unlock(&eo->lock);
	RT_PUT(eo);
	RT_PUT(eo);
	return QS_SUCCESS;
}

