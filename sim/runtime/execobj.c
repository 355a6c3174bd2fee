/* SPDX-License-Identifier: MIT */
/*
 * Exec objects: their BOs (FACTS.md §2.4 step 2), user data, completion,
 * and the worker side of one inference (§2.4 steps 3-4).
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

#define EXECUTE_RETRIES 50		/* on -EAGAIN (OPENRT runExecute) */
#define EXECUTE_WAIT_STEP_NS 5000000ull	/* 5 ms, +5 ms per retry */

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

static void execobj_destroy(struct rt_obj *obj)
{
	struct QAicExecObj *eo = (struct QAicExecObj *)obj;
	uint32_t i;

	for (i = 0; i < eo->nbo; i++)
		bo_free(eo->fd, &eo->bo[i]);
	if (eo->prog) {
		rt_program_del_exec(eo->prog);
		RT_PUT(eo->prog);
	}
	if (eo->ctx)
		RT_PUT(eo->ctx);
	pthread_cond_destroy(&eo->cond);
	pthread_mutex_destroy(&eo->lock);
	free(eo->bo);
	free(eo->entries);
	free(eo->bo_views);
	free(eo->user);
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

static QStatus execobj_alloc(struct QAicProgram *pg, struct QAicExecObj **out)
{
	struct QAicExecObj *eo = calloc(1, sizeof(*eo));

	if (!eo)
		return QS_NOMEM;
	execobj_init_sync(eo);
	eo->state = EO_IDLE;
	eo->last_status = QS_SUCCESS;
	eo->nbo = pg->nbo;
	eo->bo = calloc(pg->nbo, sizeof(*eo->bo));
	eo->entries = calloc(pg->nbo, sizeof(*eo->entries));
	eo->bo_views = calloc(pg->nbo, sizeof(*eo->bo_views));
	if (!eo->bo || !eo->entries || !eo->bo_views) {
		eo->nbo = 0;
		execobj_destroy(&eo->obj);
		return QS_NOMEM;
	}
	*out = eo;
	return QS_SUCCESS;
}

static QStatus execobj_setup_bos(struct QAicExecObj *eo)
{
	struct QAicProgram *pg = eo->prog;
	uint32_t i;
	int rc;

	pthread_mutex_lock(&pg->lock);
	eo->fd = pg->fd;
	eo->dbc_id = pg->dbc_id;
	pthread_mutex_unlock(&pg->lock);
	for (i = 0; i < eo->nbo; i++) {
		struct rt_bo *bo = &eo->bo[i];

		bo->size = pg->maps[i].size;
		bo->dir = pg->maps[i].ioType == BUFFER_IO_TYPE_INPUT ? 1 : 2;
		rc = bo_setup(eo->fd, eo->dbc_id, bo, pg->desc.slices);
		if (rc) {
			rt_log(eo->ctx, QL_ERROR, "program %s: BO setup for '%s' failed: %s",
			       pg->name, pg->maps[i].bufferName, strerror(-rc));
			return rc == -ENOMEM ? QS_NOMEM : QS_ERROR;
		}
		eo->entries[i].handle = bo->handle;
		eo->entries[i].dir = bo->dir;
		eo->bo_views[i].size = bo->size;
		eo->bo_views[i].buf = bo->map;
		eo->bo_views[i].type = QBUFFER_TYPE_HEAP;
	}
	return QS_SUCCESS;
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
	if (p & QAIC_EXECOBJ_PROPERTIES_AUTO_LOAD_ACTIVATE) {
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

/*
 * The application's buffers, one per IO buffer mapping in index order
 * (aiccyclecounts may be left out).  Each must be a heap buffer of exactly
 * the mapping's size.  Inputs are copied in at pre-processing, outputs out
 * at post-processing.  Refused (QS_BUSY) while an inference is in flight.
 */
static QStatus set_data(QAicExecObj *handle, uint32_t n, const QBuffer *bufs)
{
	struct QAicExecObj *eo = RT_GET(handle, RT_EXECOBJ, struct QAicExecObj);
	QStatus st = QS_INVAL;
	QBuffer *copy;
	uint32_t i;

	if (!eo)
		return QS_INVAL;
	if (!bufs || (n != eo->nbo && !(eo->prog->desc.stats && n == eo->nbo - 1)))
		goto out;
	for (i = 0; i < n; i++) {
		if (bufs[i].type != QBUFFER_TYPE_HEAP) {
			st = QS_UNSUPPORTED;
			goto out;
		}
		if (!bufs[i].buf || bufs[i].size != eo->bo[i].size) {
			rt_log(eo->ctx, QL_ERROR, "qaicExecObjSetData: buffer %u ('%s') has size %zu, expected %" PRIu64,
			       i, eo->prog->maps[i].bufferName, bufs[i].size,
			       eo->bo[i].size);
			goto out;
		}
	}
	copy = calloc(eo->nbo, sizeof(*copy));
	if (!copy) {
		st = QS_NOMEM;
		goto out;
	}
	memcpy(copy, bufs, n * sizeof(*copy));
	pthread_mutex_lock(&eo->lock);
	if (eo->state == EO_BUSY) {
		pthread_mutex_unlock(&eo->lock);
		free(copy);
		st = QS_BUSY;
		goto out;
	}
	free(eo->user);
	eo->user = copy;
	pthread_mutex_unlock(&eo->lock);
	st = QS_SUCCESS;
out:
	RT_PUT(eo);
	return st;
}

QAIC_EXPORT QStatus qaicExecObjSetData(QAicExecObj *execObj,
				       uint32_t numBuffers,
				       const QBuffer *buffers)
{
	return set_data(execObj, numBuffers, buffers);
}

/* Dimensions are accepted and ignored: no partial tensors in the simulator. */
QAIC_EXPORT QStatus qaicExecObjSetDataExt(QAicExecObj *execObj,
					  uint32_t numBuffers,
					  const QBuffer *buffers,
					  const QBufferDimensions *dims)
{
	return set_data(execObj, numBuffers, buffers);
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
		profile_handover(eo->prog, sample, rt_now());
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

/* ---- worker side --------------------------------------------------------- */

static void preprocess(struct QAicExecObj *eo)
{
	uint64_t slow = rt_config()->slow_preproc_ns;
	uint32_t i;

	if (eo->user)
		for (i = 0; i < eo->nbo; i++)
			if (eo->bo[i].dir == 1 && eo->user[i].buf)
				memcpy(eo->bo[i].map, eo->user[i].buf,
				       eo->bo[i].size);
	if (slow)
		rt_sleep_ns(slow);
}

/* Short user-space step before the EXECUTE ioctl: clear the cycle-count
 * record so a stale one is never read back. */
static void prepare_submit(struct QAicExecObj *eo, struct qaic_execute *ex)
{
	if (eo->prog->desc.stats) {
		struct rt_bo *bo = &eo->bo[eo->prog->wait_idx];

		memset((uint8_t *)bo->map + bo->size - DESC_CYCLES_BYTES, 0,
		       DESC_CYCLES_BYTES);
	}
	ex->hdr.count = eo->nbo;
	ex->hdr.dbc_id = eo->dbc_id;
	ex->data = (uint64_t)(uintptr_t)eo->entries;
}

static QStatus submit(struct QAicExecObj *eo, struct qaic_execute *ex,
		      uint64_t *t_exec)
{
	double scale = rt_config()->time_scale;
	uint32_t retry;

	for (retry = 0;; retry++) {
		*t_exec = rt_now();
		if (ioctl(eo->fd, DRM_IOCTL_QAIC_EXECUTE_BO, ex) == 0)
			return QS_SUCCESS;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			rt_log(eo->ctx, QL_ERROR, "program %s: EXECUTE_BO failed: %s",
			       eo->prog->name, strerror(errno));
			return QS_ERROR;
		}
		if (retry == EXECUTE_RETRIES)
			return QS_BUSY;
		rt_sleep_ns((uint64_t)((double)EXECUTE_WAIT_STEP_NS * (retry + 1) * scale));
	}
}

static QStatus wait_done(struct QAicExecObj *eo)
{
	struct qaic_wait w = {
		.handle = eo->bo[eo->prog->wait_idx].handle,
		.timeout = eo->prog->props.SubmitRetryTimeoutMs,
		.dbc_id = eo->dbc_id,
	};
	uint32_t tries = 0;

	for (;;) {
		if (ioctl(eo->fd, DRM_IOCTL_QAIC_WAIT_BO, &w) == 0)
			return QS_SUCCESS;
		if (errno == EINTR)
			continue;
		if (errno == ETIMEDOUT && tries++ < eo->prog->props.SubmitNumRetries)
			continue;
		if (errno == ETIMEDOUT)
			return QS_TIMEDOUT;
		if (errno == EIO)
			return QS_DEV_ERROR;
		rt_log(eo->ctx, QL_ERROR, "program %s: WAIT_BO failed: %s",
		       eo->prog->name, strerror(errno));
		return QS_ERROR;
	}
}

/* PERF_STATS_BO as OPENRT getExecProfilingData (FACTS.md §2.4 step 4). */
static bool perf_stats(struct QAicExecObj *eo, struct prof_row *r)
{
	struct qaic_perf_stats_entry ent[DESC_MAX_BUFFERS + 1];
	struct qaic_perf_stats ps;
	uint32_t i, total = 0, w = eo->prog->wait_idx;

	memset(ent, 0, sizeof(ent));
	for (i = 0; i < eo->nbo; i++)
		ent[i].handle = eo->bo[i].handle;
	memset(&ps, 0, sizeof(ps));
	ps.hdr.count = (uint16_t)eo->nbo;
	ps.hdr.dbc_id = eo->dbc_id;
	ps.data = (uint64_t)(uintptr_t)ent;
	if (ioctl(eo->fd, DRM_IOCTL_QAIC_PERF_STATS_BO, &ps) < 0) {
		rt_log(eo->ctx, QL_WARN, "program %s: PERF_STATS_BO failed: %s; sample dropped",
		       eo->prog->name, strerror(errno));
		return false;
	}
	for (i = 0; i < eo->nbo; i++)
		total += ent[i].num_queue_element;
	r->queue_depth = ent[0].queue_level_before;
	r->num_inf = r->queue_depth > 0 && total ? 1 + r->queue_depth / total : 1;
	r->exec_to_vc = ent[w].submit_latency_us;
	r->exec_to_complete = ent[w].device_latency_us;
	return true;
}

static void postprocess(struct QAicExecObj *eo)
{
	uint32_t i;

	if (eo->user)
		for (i = 0; i < eo->nbo; i++)
			if (eo->bo[i].dir == 2 && eo->user[i].buf)
				memcpy(eo->user[i].buf, eo->bo[i].map,
				       eo->bo[i].size);
}

static void read_cycles(struct QAicExecObj *eo, struct prof_row *r)
{
	struct rt_bo *bo = &eo->bo[eo->prog->wait_idx];
	struct simkmd_cycle_counts cc;

	if (!eo->prog->desc.stats)
		return;
	memcpy(&cc, (uint8_t *)bo->map + bo->size - DESC_CYCLES_BYTES,
	       sizeof(cc));
	if (cc.magic != SIMKMD_CYCLES_MAGIC || cc.end_tick < cc.start_tick ||
	    cc.input_done_tick < cc.start_tick ||
	    cc.output_start_tick < cc.compute_done_tick)
		return;
	r->has_dev = true;
	r->dev_exec_ticks = cc.end_tick - cc.start_tick;
	r->dev_in_ticks = cc.input_done_tick - cc.start_tick;
	r->dev_out_ticks = cc.output_start_tick - cc.compute_done_tick;
}

static void complete(struct QAicExecObj *eo, QStatus st, bool sampled)
{
	struct QAicEvent *ev = eo->event;
	struct QAicProgram *pg = eo->prog;
	uint64_t sample = eo->row.sample;

	if (sampled) {
		eo->row.done = rt_now();
		profile_record(pg, &eo->row);
	}
	eo->event = NULL;
	rt_ref(&pg->obj);	/* the exec object may go once it is idle */
	pthread_mutex_lock(&eo->lock);
	eo->last_status = st;
	eo->done_sampled = sampled;
	eo->done_sample = sample;
	eo->state = EO_IDLE;
	pthread_cond_broadcast(&eo->cond);
	pthread_mutex_unlock(&eo->lock);
	if (ev) {
		rt_event_complete(ev, pg, sampled, sample, st);
		RT_PUT(ev);
	}
	RT_PUT(pg);
}

/*
 * One inference on a queue worker: pre-process, prepare the submission,
 * EXECUTE + WAIT, PERF_STATS (only for profiled samples), post-process,
 * complete.  The stamps are the runtime's own view (ARCHITECTURE.md "two
 * views of one inference").
 */
void rt_execobj_run(struct QAicExecObj *eo)
{
	struct prof_row *r = &eo->row;
	struct qaic_execute ex;
	bool sampled = eo->sampled;
	uint64_t t0, t_exec = 0;
	QStatus st;

	t0 = rt_now();
	preprocess(eo);
	r->pre_ns = rt_now() - t0;
	t0 = rt_now();
	prepare_submit(eo, &ex);
	r->sub_ns = rt_now() - t0;
	st = submit(eo, &ex, &t_exec);
	if (st == QS_SUCCESS)
		st = wait_done(eo);
	r->exec_ns = rt_now() - t_exec;
	if (st == QS_SUCCESS && sampled)
		sampled = perf_stats(eo, r);
	if (st == QS_SUCCESS) {
		t0 = rt_now();
		postprocess(eo);
		r->post_ns = rt_now() - t0;
		if (sampled)
			read_cycles(eo, r);
	} else {
		char what[160];

		sampled = false;
		snprintf(what, sizeof(what), "program %s: inference %" PRIu64 " failed with status %d",
			 eo->prog->name, r->sample, (int)st);
		rt_report_error(eo->ctx, QIAC_ERROR_EXECOBJ_RUNTIME, what);
	}
	complete(eo, st, sampled);
	pthread_mutex_lock(&eo->lock);
	eo->workers--;
	pthread_cond_broadcast(&eo->cond);
	pthread_mutex_unlock(&eo->lock);
}
