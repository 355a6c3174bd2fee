// SPDX-License-Identifier: MIT
/*
 * The ioctl handlers, modelled on the upstream driver
 * (drivers/accel/qaic/qaic_data.c): same argument checks, same error codes,
 * same timestamp points (received_ts on entry, submit_ts just before the
 * doorbell), same ring arithmetic (one element stays free).  Called by the
 * supervisor with sk.lock held.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "simkmd_priv.h"

#define PAGE_SZ 4096ull
#define MAX_BO_SIZE (1ull << 40)
#define MAX_EXEC_ENTRIES 65536u

/* ---- GEM handles -------------------------------------------------------- */

struct sim_bo *simkmd_bo_lookup(struct sim_file *f, uint32_t handle)
{
	if (handle == 0 || handle >= f->nbos_cap)
		return NULL;
	return f->bos[handle];
}

/* Lowest free handle >= 1, as idr_alloc in drm_gem_handle_create. */
static int handle_alloc(struct sim_file *f, struct sim_bo *bo)
{
	uint32_t h;

	for (h = 1; h < f->nbos_cap; h++)
		if (!f->bos[h])
			break;
	if (h >= f->nbos_cap) {
		uint32_t cap = f->nbos_cap ? f->nbos_cap * 2 : 64;
		struct sim_bo **nb = realloc(f->bos, cap * sizeof(*nb));

		if (!nb)
			return -ENOMEM;
		memset(nb + f->nbos_cap, 0, (cap - f->nbos_cap) * sizeof(*nb));
		f->bos = nb;
		f->nbos_cap = cap;
	}
	f->bos[h] = bo;
	bo->handle = h;
	return 0;
}

static int do_create_bo(struct sim_file *f, uint64_t arg)
{
	struct sim_device *dev = f->dev;
	struct qaic_create_bo a;
	struct sim_bo *bo;
	uint64_t alloc;
	int ret;

	ret = simkmd_copy_from_user(&a, arg, sizeof(a));
	if (ret)
		return ret;
	if (a.pad)
		return -EINVAL;
	alloc = (a.size + PAGE_SZ - 1) & ~(PAGE_SZ - 1);
	if (alloc == 0 || a.size == 0)
		return -EINVAL;
	if (a.size > MAX_BO_SIZE)
		return -ENOMEM;
	bo = calloc(1, sizeof(*bo));
	if (!bo)
		return -ENOMEM;
	bo->file = f;
	bo->exec_mark = -1;
	bo->size = a.size;
	bo->alloc_size = alloc;
	bo->offset = dev->next_offset;
	if (ftruncate(dev->fd, (off_t)(bo->offset + alloc))) {
		free(bo);
		return -ENOMEM;
	}
	ret = handle_alloc(f, bo);
	if (ret) {
		free(bo);
		return ret;
	}
	dev->next_offset += alloc;
	a.handle = bo->handle;
	ret = simkmd_copy_to_user(arg, &a, sizeof(a));
	if (ret) {
		f->bos[bo->handle] = NULL;
		free(bo);
	}
	return ret;
}

static int do_mmap_bo(struct sim_file *f, uint64_t arg)
{
	struct qaic_mmap_bo a;
	struct sim_bo *bo;
	int ret;

	ret = simkmd_copy_from_user(&a, arg, sizeof(a));
	if (ret)
		return ret;
	bo = simkmd_bo_lookup(f, a.handle);
	if (!bo)
		return -ENOENT;
	a.offset = bo->offset;
	return simkmd_copy_to_user(arg, &a, sizeof(a));
}

/* ---- slicing ------------------------------------------------------------ */

static bool invalid_sem(const struct qaic_sem *s)
{
	return (s->val & ~0xfffu) || (s->index & ~0x1fu) || s->presync > 1 ||
	       s->pad || (s->flags & ~(QAIC_SEM_INSYNCFENCE | QAIC_SEM_OUTSYNCFENCE)) ||
	       s->cmd > QAIC_SEM_WAIT_GT_0;
}

/*
 * Ring elements of a slice: one per scatter-gather entry.  A BO's memory is
 * a list of chunks of sk.sg_chunk bytes from its start (4 MiB: the largest
 * page block the driver allocates on x86-64, unless an IOMMU merges them);
 * a slice takes the chunks its byte range touches, a zero-size slice one
 * page, hence one entry.
 */
static uint32_t slice_nents(uint64_t offset, uint64_t size)
{
	uint64_t first = offset / sk.sg_chunk;

	if (size == 0)
		return 1;
	return (uint32_t)((offset + size - 1) / sk.sg_chunk - first + 1);
}

static int validate_slices(const struct qaic_attach_slice_entry *e, uint32_t n,
			   uint64_t obj_size, uint64_t *bytes, uint64_t *nents)
{
	*bytes = 0;
	*nents = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t end;

		if (!(e[i].db_len == 32 || e[i].db_len == 16 || e[i].db_len == 8 ||
		      e[i].db_len == 0))
			return -EINVAL;
		if (invalid_sem(&e[i].sem0) || invalid_sem(&e[i].sem1) ||
		    invalid_sem(&e[i].sem2) || invalid_sem(&e[i].sem3))
			return -EINVAL;
		if (__builtin_add_overflow(e[i].offset, e[i].size, &end) || end > obj_size)
			return -EINVAL;
		*bytes += e[i].size;
		*nents += slice_nents(e[i].offset, e[i].size);
	}
	return 0;
}

static int bo_set_slices(struct sim_bo *bo, const struct qaic_attach_slice_entry *e,
			 uint32_t n)
{
	bo->slices = calloc(n, sizeof(*bo->slices));
	if (!bo->slices)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		bo->slices[i].offset = e[i].offset;
		bo->slices[i].size = e[i].size;
		bo->slices[i].nents = slice_nents(e[i].offset, e[i].size);
	}
	bo->nslices = n;
	return 0;
}

/* Forget the slicing (DETACH, DBC release): the BO may be attached again. */
void simkmd_bo_unslice(struct sim_bo *bo)
{
	free(bo->slices);
	bo->slices = NULL;
	bo->sliced = false;
	bo->nslices = 0;
	bo->nents = 0;
	bo->slice_bytes = 0;
	bo->dir = 0;
	bo->dbc_id = 0;
}

static int do_attach_slice(struct sim_file *f, uint64_t arg)
{
	struct qaic_attach_slice_entry *ent;
	struct qaic_attach_slice a;
	struct sim_dbc *dbc;
	struct sim_bo *bo;
	uint64_t bytes, nents;
	int ret;

	ret = simkmd_copy_from_user(&a, arg, sizeof(a));
	if (ret)
		return ret;
	if (a.hdr.count == 0 || a.hdr.count > SIMKMD_MAX_QUEUE_SIZE)
		return -EINVAL;
	if (a.hdr.dir != SIMKMD_DIR_TO_DEV && a.hdr.dir != SIMKMD_DIR_FROM_DEV)
		return -EINVAL;
	if (a.data == 0 || a.hdr.dbc_id >= SIMKMD_NUM_DBC)
		return -EINVAL;
	ent = calloc(a.hdr.count, sizeof(*ent));
	if (!ent)
		return -ENOMEM;
	ret = simkmd_copy_from_user(ent, a.data, a.hdr.count * sizeof(*ent));
	if (ret)
		goto out;
	bo = simkmd_bo_lookup(f, a.hdr.handle);
	ret = -ENOENT;
	if (!bo)
		goto out;
	ret = validate_slices(ent, a.hdr.count, bo->alloc_size, &bytes, &nents);
	if (ret)
		goto out;
	dbc = &f->dev->dbc[a.hdr.dbc_id];
	ret = -EINVAL;
	if (bo->sliced || dbc->owner != f)
		goto out;
	/* The BO's ring elements must fit the ring at all. */
	ret = -ENOSPC;
	if (nents > dbc->nelem)
		goto out;
	ret = bo_set_slices(bo, ent, a.hdr.count);
	if (ret)
		goto out;
	bo->sliced = true;
	bo->dbc_id = a.hdr.dbc_id;
	bo->dir = a.hdr.dir;
	bo->nents = (uint32_t)nents;
	bo->slice_bytes = bytes;
out:
	free(ent);
	return ret;
}

static int do_detach_slice(struct sim_file *f, uint64_t arg)
{
	struct qaic_detach_slice a;
	struct sim_bo *bo;
	int ret;

	ret = simkmd_copy_from_user(&a, arg, sizeof(a));
	if (ret)
		return ret;
	if (a.pad)
		return -EINVAL;
	bo = simkmd_bo_lookup(f, a.handle);
	if (!bo)
		return -ENOENT;
	if (!bo->sliced || f->dev->dbc[bo->dbc_id].owner != f)
		return -EINVAL;
	if (bo->req)
		return -EBUSY;
	simkmd_bo_unslice(bo);
	return 0;
}

static int do_gem_close(struct sim_file *f, uint64_t arg)
{
	struct drm_gem_close a;
	struct sim_bo *bo;
	int ret;

	ret = simkmd_copy_from_user(&a, arg, sizeof(a));
	if (ret)
		return ret;
	bo = simkmd_bo_lookup(f, a.handle);
	if (!bo)
		return -EINVAL;
	f->bos[a.handle] = NULL;
	bo->handle = 0;
	/*
	 * A hung execution holds ring elements forever: closing frees them
	 * (and the BO, unless a WAIT still holds it).
	 */
	if (bo->req && bo->req->hung) {
		simkmd_reclaim_hung(bo->req->dbc, bo->req);
		return 0;
	}
	/* A queued BO lives on until the device is done with it. */
	simkmd_bo_maybe_free(bo);
	return 0;
}

/* ---- execute ------------------------------------------------------------ */

/*
 * The kernel's submit latency (received_ts -> doorbell) is a few µs: the
 * doorbell rings received + a latency drawn in [submit_min, submit_max]
 * (spinning if we got there early), or when our emulation gets there if
 * that is later: served in the caller's thread, received is the call's
 * entry (kmd_trap.c) and the emulation's own syscalls lie between, as a
 * real kernel's work before its doorbell would.
 */
static uint64_t submit_time(uint64_t received)
{
	uint64_t span = sk.submit_max_ns - sk.submit_min_ns;
	uint64_t target = received + sk.submit_min_ns;
	uint64_t now;

	if (span)
		target += simkmd_prng_next(&sk.host_prng) % (span + 1);
	while ((now = simkmd_now_ns()) < target)
		;
	return now;
}

struct exec_args {
	uint32_t handle;
	uint64_t resize;
	uint32_t elems;			/* ring elements this execution takes */
	uint64_t bytes;			/* bytes it moves by DMA */
};

/*
 * What one BO of a request costs.  EXECUTE: every slice whole.
 * PARTIAL_EXECUTE with resize R (bytes from the BO's start): a slice that
 * starts at or after R moves nothing but still takes one element (its
 * doorbell and semaphores are kept); one that R cuts is truncated; one
 * that ends before R is whole.
 */
static void exec_cost(const struct sim_bo *bo, bool partial, uint64_t resize,
		      struct exec_args *ea)
{
	ea->elems = 0;
	ea->bytes = 0;
	if (!partial) {
		ea->elems = bo->nents;
		ea->bytes = bo->slice_bytes;
		return;
	}
	for (uint32_t i = 0; i < bo->nslices; i++) {
		const struct sim_slice *sl = &bo->slices[i];

		if (resize <= sl->offset) {
			ea->elems += 1;
		} else if (resize >= sl->offset + sl->size) {
			ea->elems += sl->nents;
			ea->bytes += sl->size;
		} else {
			ea->elems += slice_nents(sl->offset, resize - sl->offset);
			ea->bytes += resize - sl->offset;
		}
	}
}

/*
 * execute_entry.dir and partial_execute_entry.dir are not read: the
 * kernel ignores them (the direction is the one given to ATTACH_SLICE_BO).
 */
static int read_exec_entries(const struct qaic_execute *a, bool partial,
			     struct exec_args *out)
{
	size_t esz = partial ? sizeof(struct qaic_partial_execute_entry) :
			       sizeof(struct qaic_execute_entry);
	uint8_t *raw = malloc(a->hdr.count * esz);
	int ret;

	if (!raw)
		return -ENOMEM;
	ret = simkmd_copy_from_user(raw, a->data, a->hdr.count * esz);
	for (uint32_t i = 0; !ret && i < a->hdr.count; i++) {
		if (partial) {
			struct qaic_partial_execute_entry e;

			memcpy(&e, raw + i * esz, sizeof(e));
			out[i].handle = e.handle;
			out[i].resize = e.resize;
		} else {
			struct qaic_execute_entry e;

			memcpy(&e, raw + i * esz, sizeof(e));
			out[i].handle = e.handle;
			out[i].resize = 0;
		}
	}
	free(raw);
	return ret;
}

/* Look the BOs up and check them as send_bo_list_to_device does. */
static int check_exec_bos(struct sim_file *f, struct sim_dbc *dbc, bool partial,
			  struct exec_args *ea, uint32_t n, int64_t idx,
			  struct sim_bo **bos, uint64_t *need)
{
	*need = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct sim_bo *bo = simkmd_bo_lookup(f, ea[i].handle);

		if (!bo)
			return -ENOENT;
		if (bo->req && bo->req->hung)
			simkmd_reclaim_hung(bo->req->dbc, bo->req);
		if (!bo->sliced || bo->dbc_id != dbc->id)
			return -EINVAL;
		if (partial && ea[i].resize > bo->alloc_size)
			return -EINVAL;
		if (bo->req)
			return -EINVAL;	/* already queued */
		if (bo->exec_mark == idx)
			return -EINVAL;	/* listed earlier in this call */
		bo->exec_mark = idx;
		bos[i] = bo;
		exec_cost(bo, partial, ea[i].resize, &ea[i]);
		*need += ea[i].elems;
	}
	return 0;
}

static bool in_eagain_window(int64_t idx)
{
	const struct simkmd_faults *fl = &sk.faults;

	return fl->eagain_first >= 0 && idx >= fl->eagain_first &&
	       idx - fl->eagain_first < (int64_t)fl->eagain_count;
}

/*
 * Every BO gets the call's timestamps; BO i's queue_level_before is the
 * ring occupancy before the call plus the ring elements (total_slice_nents,
 * whole slices even when a partial execution takes fewer) of BOs 0..i-1.
 */
static int queue_request(struct sim_dbc *dbc, struct sim_bo **bos, uint32_t n,
			 const struct exec_args *ea, int64_t idx,
			 uint64_t received, uint32_t level)
{
	struct sim_req *r = calloc(1, sizeof(*r));
	uint64_t submit, in_bytes = 0, out_bytes = 0;
	bool seen_in = false;

	if (!r)
		return -ENOMEM;
	r->bos = malloc(n * sizeof(*r->bos));
	if (!r->bos) {
		free(r);
		return -ENOMEM;
	}
	memcpy(r->bos, bos, n * sizeof(*r->bos));
	r->nbos = n;
	r->dbc = dbc;
	r->hung = sk.faults.hang == idx;
	r->deverr = sk.faults.deverr == idx;

	submit = submit_time(received);	/* just before the doorbell */
	for (uint32_t i = 0; i < n; i++) {
		struct sim_bo *bo = bos[i];

		bo->received_ns = received;
		bo->submit_ns = submit;
		bo->processed_ns = 0;
		bo->dev_start_ns = bo->dev_end_ns = bo->dev_done_ns = 0;
		bo->queue_level_before = level;
		bo->exec_error = 0;
		bo->req = r;
		bo->ring_held = ea[i].elems;
		level += bo->nents;
		dbc->used += ea[i].elems;
		if (bo->dir == SIMKMD_DIR_TO_DEV) {
			if (!seen_in && dbc->nnc.token_bytes)
				r->tokens = ea[i].bytes / dbc->nnc.token_bytes;
			seen_in = true;
			in_bytes += ea[i].bytes;
		}
		else
			out_bytes += ea[i].bytes;
	}
	r->start_ns = submit;
	return simkmd_schedule(dbc, r, in_bytes, out_bytes);
}

static int do_execute(struct sim_file *f, uint64_t arg, bool partial)
{
	/* a real kernel stamps received_ts at its entry (call_entry_ns) */
	uint64_t received = sk.call_entry_ns ? sk.call_entry_ns : simkmd_now_ns();
	struct exec_args *ea = NULL;
	struct sim_bo **bos = NULL;
	struct qaic_execute a;
	struct sim_dbc *dbc;
	uint64_t need;
	uint32_t level;
	int64_t idx = sk.exec_index++;
	int ret;

	ret = simkmd_copy_from_user(&a, arg, sizeof(a));
	if (ret)
		return ret;
	if (a.hdr.count == 0)
		return -EINVAL;
	if (a.hdr.count > MAX_EXEC_ENTRIES)
		return -ENOMEM;
	ea = calloc(a.hdr.count, sizeof(*ea));
	bos = calloc(a.hdr.count, sizeof(*bos));
	ret = -ENOMEM;
	if (!ea || !bos)
		goto out;
	ret = read_exec_entries(&a, partial, ea);
	if (ret)
		goto out;
	ret = -EINVAL;
	if (a.hdr.dbc_id >= SIMKMD_NUM_DBC)
		goto out;
	dbc = &f->dev->dbc[a.hdr.dbc_id];
	ret = dbc->ssr_owner == f ? -EPIPE : -EPERM;	/* restarted: 6.19+ */
	if (dbc->owner != f)
		goto out;
	ret = check_exec_bos(f, dbc, partial, ea, a.hdr.count, idx, bos, &need);
	if (ret)
		goto out;
	level = dbc->used;
	ret = -EAGAIN;
	if (in_eagain_window(idx) || level + need > dbc->nelem - 1)
		goto out;
	ret = queue_request(dbc, bos, a.hdr.count, ea, idx, received, level);
out:
	free(ea);
	free(bos);
	return ret;
}

/* ---- wait and perf stats ------------------------------------------------ */

/*
 * The fault QAIC_SIM_FAULT_WAIT_EINTR: a signal already pending when the
 * wait starts.  wait_for_completion_interruptible_timeout() then returns
 * -ERESTARTSYS at once, which reaches user space as EINTR for a handler
 * without SA_RESTART.  Only waits that would block count: a completed BO
 * returns 0 even with a signal pending.
 */
static bool wait_interrupted(int64_t idx)
{
	const struct simkmd_faults *fl = &sk.faults;

	return fl->wait_eintr_count && fl->wait_eintr_first >= 0 &&
	       idx >= fl->wait_eintr_first &&
	       idx - fl->wait_eintr_first < (int64_t)fl->wait_eintr_count;
}

static long do_wait(struct sim_file *f, uint64_t arg, uint64_t notif_id)
{
	struct qaic_wait a;
	struct sim_bo *bo;
	uint64_t ms;
	int ret;

	ret = simkmd_copy_from_user(&a, arg, sizeof(a));
	if (ret)
		return ret;
	if (a.pad)
		return -EINVAL;
	if (a.dbc_id >= SIMKMD_NUM_DBC)
		return -EINVAL;
	if (f->dev->dbc[a.dbc_id].owner != f)
		return -EPERM;
	bo = simkmd_bo_lookup(f, a.handle);
	if (!bo)
		return -ENOENT;
	if (!bo->req)
		return bo->exec_error;	/* done (or never executed) */
	if (wait_interrupted(sk.wait_block_index++))
		return -EINTR;
	ms = a.timeout ? a.timeout : sk.wait_default_ms;
	simkmd_waiter_add(bo, notif_id, simkmd_now_ns() + ms * 1000000ull);
	sk.stats.deferred_waits++;
	return SIMKMD_DEFERRED;
}

static int do_perf_stats(struct sim_file *f, uint64_t arg)
{
	struct qaic_perf_stats_entry *ent;
	struct qaic_perf_stats a;
	int ret;

	ret = simkmd_copy_from_user(&a, arg, sizeof(a));
	if (ret)
		return ret;
	if (a.hdr.dbc_id >= SIMKMD_NUM_DBC)
		return -EINVAL;
	if (a.hdr.count == 0)
		return 0;
	ent = calloc(a.hdr.count, sizeof(*ent));
	if (!ent)
		return -EINVAL;
	ret = simkmd_copy_from_user(ent, a.data, a.hdr.count * sizeof(*ent));
	for (uint32_t i = 0; !ret && i < a.hdr.count; i++) {
		struct sim_bo *bo = simkmd_bo_lookup(f, ent[i].handle);

		if (!bo) {
			ret = -ENOENT;
			break;
		}
		if (!bo->sliced || bo->dbc_id != a.hdr.dbc_id) {
			ret = -EINVAL;
			break;
		}
		/* Queried before completion: the latency is not known yet. */
		if (bo->processed_ns < bo->submit_ns)
			ent[i].device_latency_us = 0;
		else
			ent[i].device_latency_us =
				(uint32_t)((bo->processed_ns - bo->submit_ns) / 1000);
		ent[i].submit_latency_us =
			(uint32_t)((bo->submit_ns - bo->received_ns) / 1000);
		ent[i].queue_level_before = bo->queue_level_before;
		ent[i].num_queue_element = bo->nents;
	}
	if (!ret)
		ret = simkmd_copy_to_user(a.data, ent, a.hdr.count * sizeof(*ent));
	free(ent);
	return ret;
}

/* ---- dispatch and release ----------------------------------------------- */

long simkmd_ioctl(struct sim_file *f, unsigned long req, uint64_t arg, uint64_t notif_id)
{
	if (f->dev->gone && req != DRM_IOCTL_GEM_CLOSE)
		return -ENODEV;
	switch (req) {
	case DRM_IOCTL_QAIC_MANAGE:
		sk.stats.manage++;
		return simkmd_manage(f, arg);
	case DRM_IOCTL_QAIC_CREATE_BO:
		sk.stats.create_bo++;
		return do_create_bo(f, arg);
	case DRM_IOCTL_QAIC_MMAP_BO:
		sk.stats.mmap_bo++;
		return do_mmap_bo(f, arg);
	case DRM_IOCTL_QAIC_ATTACH_SLICE_BO:
		sk.stats.attach_slice_bo++;
		return do_attach_slice(f, arg);
	case DRM_IOCTL_QAIC_EXECUTE_BO:
		sk.stats.execute_bo++;
		return do_execute(f, arg, false);
	case DRM_IOCTL_QAIC_PARTIAL_EXECUTE_BO:
		sk.stats.partial_execute_bo++;
		return do_execute(f, arg, true);
	case DRM_IOCTL_QAIC_WAIT_BO:
		sk.stats.wait_bo++;
		return do_wait(f, arg, notif_id);
	case DRM_IOCTL_QAIC_PERF_STATS_BO:
		sk.stats.perf_stats_bo++;
		return do_perf_stats(f, arg);
	case DRM_IOCTL_QAIC_DETACH_SLICE_BO:
		sk.stats.detach_slice_bo++;
		return do_detach_slice(f, arg);
	case DRM_IOCTL_GEM_CLOSE:
		sk.stats.gem_close++;
		return do_gem_close(f, arg);
	default:
		return -ENOTTY;
	}
}

/* The DRM release hook: channels first (they hold executions), then BOs. */
void simkmd_file_release(struct sim_file *f)
{
	for (uint32_t i = 0; i < SIMKMD_NUM_DBC; i++)
		if (f->dev->dbc[i].ssr_owner == f)
			f->dev->dbc[i].ssr_owner = NULL;
	for (uint32_t i = 0; i < SIMKMD_NUM_DBC; i++)
		if (f->dev->dbc[i].owner == f)
			simkmd_dbc_release(&f->dev->dbc[i]);
	for (uint32_t h = 1; h < f->nbos_cap; h++) {
		struct sim_bo *bo = f->bos[h];

		if (!bo)
			continue;
		f->bos[h] = NULL;
		bo->handle = 0;
		simkmd_bo_fail_waiters(bo, -EPERM);
		simkmd_bo_maybe_free(bo);
	}
	simkmd_nnc_file_release(f);
	free(f->bos);
	close(f->priv_fd);
	free(f);
}
