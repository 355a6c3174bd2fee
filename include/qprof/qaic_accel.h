/* SPDX-License-Identifier: MIT */
/*
 * qprof's own declaration of the qaic accel kernel uAPI (the accel/qaic
 * driver's qaic_accel.h), written from docs/CONTRACTS.md §2.1-2.2.
 * Debian 12's kernel headers predate the driver, so the project
 * carries this copy.  Sizes, offsets and request numbers are checked at
 * compile time below; a mismatch is a build error, never a silent misdecode.
 */
#ifndef QPROF_QAIC_ACCEL_H
#define QPROF_QAIC_ACCEL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/ioctl.h>

#ifdef __cplusplus
extern "C" {
#endif

#define QAIC_MANAGE_MAX_MSG_LENGTH 4096

/* Semaphore commands and flags (upstream values). */
#define QAIC_SEM_NOP 0
#define QAIC_SEM_INIT 1
#define QAIC_SEM_INC 2
#define QAIC_SEM_DEC 3
#define QAIC_SEM_WAIT_EQUAL 4
#define QAIC_SEM_WAIT_GT_EQ 5
#define QAIC_SEM_WAIT_GT_0 6
#define QAIC_SEM_INSYNCFENCE 2
#define QAIC_SEM_OUTSYNCFENCE 1

/* Transaction types of a MANAGE message. */
enum qaic_manage_transaction_type {
	QAIC_TRANS_UNDEFINED = 0,
	QAIC_TRANS_PASSTHROUGH_FROM_USR = 1,
	QAIC_TRANS_PASSTHROUGH_TO_USR = 2,
	QAIC_TRANS_PASSTHROUGH_FROM_DEV = 3,
	QAIC_TRANS_PASSTHROUGH_TO_DEV = 4,
	QAIC_TRANS_DMA_XFER_FROM_USR = 5,
	QAIC_TRANS_DMA_XFER_TO_DEV = 6,
	QAIC_TRANS_ACTIVATE_FROM_USR = 7,
	QAIC_TRANS_ACTIVATE_FROM_DEV = 8,
	QAIC_TRANS_ACTIVATE_TO_DEV = 9,
	QAIC_TRANS_DEACTIVATE_FROM_USR = 10,
	QAIC_TRANS_DEACTIVATE_FROM_DEV = 11,
	QAIC_TRANS_STATUS_FROM_USR = 12,
	QAIC_TRANS_STATUS_TO_USR = 13,
	QAIC_TRANS_STATUS_FROM_DEV = 14,
	QAIC_TRANS_STATUS_TO_DEV = 15,
	QAIC_TRANS_TERMINATE_FROM_DEV = 16,
	QAIC_TRANS_TERMINATE_TO_DEV = 17,
	QAIC_TRANS_DMA_XFER_CONT = 18,
	QAIC_TRANS_VALIDATE_PARTITION_FROM_DEV = 19,
	QAIC_TRANS_VALIDATE_PARTITION_TO_DEV = 20,
	QAIC_TRANS_MAX = 21,
};

struct qaic_manage_trans_hdr {
	uint32_t type;
	uint32_t len;		/* includes this header */
};

struct qaic_manage_trans_passthrough {
	struct qaic_manage_trans_hdr hdr;
	uint8_t data[];
};

struct qaic_manage_trans_dma_xfer {
	struct qaic_manage_trans_hdr hdr;
	uint32_t tag;
	uint32_t pad;
	uint64_t addr;
	uint64_t size;
};

struct qaic_manage_trans_activate_to_dev {
	struct qaic_manage_trans_hdr hdr;
	uint32_t queue_size;
	uint32_t eventfd;	/* unused */
	uint32_t options;
	uint32_t pad;
};

struct qaic_manage_trans_activate_from_dev {
	struct qaic_manage_trans_hdr hdr;
	uint32_t status;
	uint32_t dbc_id;
	uint64_t options;
};

struct qaic_manage_trans_deactivate {
	struct qaic_manage_trans_hdr hdr;
	uint32_t dbc_id;
	uint32_t pad;
};

struct qaic_manage_trans_status_to_dev {
	struct qaic_manage_trans_hdr hdr;
};

struct qaic_manage_trans_status_from_dev {
	struct qaic_manage_trans_hdr hdr;
	uint16_t major;
	uint16_t minor;
	uint32_t status;
	uint64_t status_flags;
};

struct qaic_manage_msg {
	uint32_t len;
	uint32_t count;
	uint64_t data;		/* -> concatenated transactions */
};

struct qaic_create_bo {
	uint64_t size;		/* in */
	uint32_t handle;	/* out: GEM handle */
	uint32_t pad;
};

struct qaic_mmap_bo {
	uint32_t handle;	/* in */
	uint32_t pad;
	uint64_t offset;	/* out: pass to mmap() */
};

struct qaic_sem {
	uint16_t val;
	uint8_t index;
	uint8_t presync;
	uint8_t cmd;
	uint8_t flags;
	uint16_t pad;
};

struct qaic_attach_slice_entry {
	uint64_t size;
	struct qaic_sem sem0;
	struct qaic_sem sem1;
	struct qaic_sem sem2;
	struct qaic_sem sem3;
	uint64_t dev_addr;
	uint64_t db_addr;
	uint32_t db_data;
	uint32_t db_len;
	uint64_t offset;
};

struct qaic_attach_slice_hdr {
	uint32_t count;
	uint32_t dbc_id;
	uint32_t handle;
	uint32_t dir;		/* 1 = to device, 2 = from device */
	uint64_t size;
};

struct qaic_attach_slice {
	struct qaic_attach_slice_hdr hdr;
	uint64_t data;		/* -> qaic_attach_slice_entry[count] */
};

struct qaic_execute_entry {
	uint32_t handle;
	uint32_t dir;
};

struct qaic_partial_execute_entry {
	uint32_t handle;
	uint32_t dir;
	uint64_t resize;	/* 0 = no DMA */
};

struct qaic_execute_hdr {
	uint32_t count;
	uint32_t dbc_id;
};

struct qaic_execute {
	struct qaic_execute_hdr hdr;
	uint64_t data;		/* -> (partial_)execute_entry[count] */
};

struct qaic_wait {
	uint32_t handle;
	uint32_t timeout;	/* ms, 0 = module default (5000) */
	uint32_t dbc_id;
	uint32_t pad;
};

struct qaic_perf_stats_hdr {
	uint16_t count;
	uint16_t pad;
	uint32_t dbc_id;
};

struct qaic_perf_stats {
	struct qaic_perf_stats_hdr hdr;
	uint64_t data;		/* -> qaic_perf_stats_entry[count], in/out */
};

struct qaic_perf_stats_entry {
	uint32_t handle;	/* in */
	uint32_t queue_level_before;
	uint32_t num_queue_element;
	uint32_t submit_latency_us;
	uint32_t device_latency_us;
	uint32_t pad;
};

struct qaic_detach_slice {
	uint32_t handle;
	uint32_t pad;
};

/* SDK-private copy only: PART_DEV shares nr 0x08 with upstream DETACH. */
struct qaic_part_dev {
	uint32_t partition_id;
	uint16_t remove;
	uint16_t pad;
};

/* DRM core (drm.h) pieces the runtime uses. */
struct drm_gem_close {
	uint32_t handle;
	uint32_t pad;
};

#define DRM_IOCTL_BASE 'd'
#define DRM_COMMAND_BASE 0x40

#define DRM_QAIC_MANAGE 0x00
#define DRM_QAIC_CREATE_BO 0x01
#define DRM_QAIC_MMAP_BO 0x02
#define DRM_QAIC_ATTACH_SLICE_BO 0x03
#define DRM_QAIC_EXECUTE_BO 0x04
#define DRM_QAIC_PARTIAL_EXECUTE_BO 0x05
#define DRM_QAIC_WAIT_BO 0x06
#define DRM_QAIC_PERF_STATS_BO 0x07
#define DRM_QAIC_DETACH_SLICE_BO 0x08
#define DRM_QAIC_PART_DEV 0x08

#define QAIC_IOWR(nr, t) _IOWR(DRM_IOCTL_BASE, DRM_COMMAND_BASE + (nr), t)
#define QAIC_IOW(nr, t) _IOW(DRM_IOCTL_BASE, DRM_COMMAND_BASE + (nr), t)

#define DRM_IOCTL_QAIC_MANAGE QAIC_IOWR(DRM_QAIC_MANAGE, struct qaic_manage_msg)
#define DRM_IOCTL_QAIC_CREATE_BO QAIC_IOWR(DRM_QAIC_CREATE_BO, struct qaic_create_bo)
#define DRM_IOCTL_QAIC_MMAP_BO QAIC_IOWR(DRM_QAIC_MMAP_BO, struct qaic_mmap_bo)
#define DRM_IOCTL_QAIC_ATTACH_SLICE_BO QAIC_IOW(DRM_QAIC_ATTACH_SLICE_BO, struct qaic_attach_slice)
#define DRM_IOCTL_QAIC_EXECUTE_BO QAIC_IOW(DRM_QAIC_EXECUTE_BO, struct qaic_execute)
#define DRM_IOCTL_QAIC_PARTIAL_EXECUTE_BO QAIC_IOW(DRM_QAIC_PARTIAL_EXECUTE_BO, struct qaic_execute)
#define DRM_IOCTL_QAIC_WAIT_BO QAIC_IOW(DRM_QAIC_WAIT_BO, struct qaic_wait)
#define DRM_IOCTL_QAIC_PERF_STATS_BO QAIC_IOWR(DRM_QAIC_PERF_STATS_BO, struct qaic_perf_stats)
#define DRM_IOCTL_QAIC_DETACH_SLICE_BO QAIC_IOW(DRM_QAIC_DETACH_SLICE_BO, struct qaic_detach_slice)
#define DRM_IOCTL_QAIC_PART_DEV QAIC_IOWR(DRM_QAIC_PART_DEV, struct qaic_part_dev)
#define DRM_IOCTL_GEM_CLOSE _IOW(DRM_IOCTL_BASE, 0x09, struct drm_gem_close)

/* ---- compile-time checks against docs/CONTRACTS.md §2.1-2.2 -------------- */

#define QAIC_ACCEL_CHECK(expr) _Static_assert(expr, #expr)
QAIC_ACCEL_CHECK(sizeof(struct qaic_manage_msg) == 16);
QAIC_ACCEL_CHECK(sizeof(struct qaic_manage_trans_hdr) == 8);
QAIC_ACCEL_CHECK(sizeof(struct qaic_manage_trans_dma_xfer) == 32);
QAIC_ACCEL_CHECK(sizeof(struct qaic_manage_trans_activate_to_dev) == 24);
QAIC_ACCEL_CHECK(sizeof(struct qaic_manage_trans_activate_from_dev) == 24);
QAIC_ACCEL_CHECK(sizeof(struct qaic_manage_trans_deactivate) == 16);
QAIC_ACCEL_CHECK(sizeof(struct qaic_manage_trans_status_from_dev) == 24);
QAIC_ACCEL_CHECK(sizeof(struct qaic_create_bo) == 16);
QAIC_ACCEL_CHECK(sizeof(struct qaic_mmap_bo) == 16);
QAIC_ACCEL_CHECK(sizeof(struct qaic_sem) == 8);
QAIC_ACCEL_CHECK(sizeof(struct qaic_attach_slice_entry) == 72);
QAIC_ACCEL_CHECK(offsetof(struct qaic_attach_slice_entry, sem0) == 8);
QAIC_ACCEL_CHECK(offsetof(struct qaic_attach_slice_entry, sem1) == 16);
QAIC_ACCEL_CHECK(offsetof(struct qaic_attach_slice_entry, sem2) == 24);
QAIC_ACCEL_CHECK(offsetof(struct qaic_attach_slice_entry, sem3) == 32);
QAIC_ACCEL_CHECK(offsetof(struct qaic_attach_slice_entry, dev_addr) == 40);
QAIC_ACCEL_CHECK(offsetof(struct qaic_attach_slice_entry, db_addr) == 48);
QAIC_ACCEL_CHECK(offsetof(struct qaic_attach_slice_entry, db_data) == 56);
QAIC_ACCEL_CHECK(offsetof(struct qaic_attach_slice_entry, db_len) == 60);
QAIC_ACCEL_CHECK(offsetof(struct qaic_attach_slice_entry, offset) == 64);
QAIC_ACCEL_CHECK(sizeof(struct qaic_attach_slice_hdr) == 24);
QAIC_ACCEL_CHECK(sizeof(struct qaic_attach_slice) == 32);
QAIC_ACCEL_CHECK(sizeof(struct qaic_execute_entry) == 8);
QAIC_ACCEL_CHECK(sizeof(struct qaic_partial_execute_entry) == 16);
QAIC_ACCEL_CHECK(sizeof(struct qaic_execute) == 16);
QAIC_ACCEL_CHECK(offsetof(struct qaic_execute, data) == 8);
QAIC_ACCEL_CHECK(sizeof(struct qaic_wait) == 16);
QAIC_ACCEL_CHECK(offsetof(struct qaic_wait, dbc_id) == 8);
QAIC_ACCEL_CHECK(sizeof(struct qaic_perf_stats_hdr) == 8);
QAIC_ACCEL_CHECK(sizeof(struct qaic_perf_stats) == 16);
QAIC_ACCEL_CHECK(sizeof(struct qaic_perf_stats_entry) == 24);
QAIC_ACCEL_CHECK(offsetof(struct qaic_perf_stats_entry, submit_latency_us) == 12);
QAIC_ACCEL_CHECK(offsetof(struct qaic_perf_stats_entry, device_latency_us) == 16);
QAIC_ACCEL_CHECK(sizeof(struct qaic_detach_slice) == 8);
QAIC_ACCEL_CHECK(sizeof(struct drm_gem_close) == 8);
QAIC_ACCEL_CHECK(DRM_IOCTL_QAIC_MANAGE == 0xc0106440u);
QAIC_ACCEL_CHECK(DRM_IOCTL_QAIC_CREATE_BO == 0xc0106441u);
QAIC_ACCEL_CHECK(DRM_IOCTL_QAIC_MMAP_BO == 0xc0106442u);
QAIC_ACCEL_CHECK(DRM_IOCTL_QAIC_ATTACH_SLICE_BO == 0x40206443u);
QAIC_ACCEL_CHECK(DRM_IOCTL_QAIC_EXECUTE_BO == 0x40106444u);
QAIC_ACCEL_CHECK(DRM_IOCTL_QAIC_PARTIAL_EXECUTE_BO == 0x40106445u);
QAIC_ACCEL_CHECK(DRM_IOCTL_QAIC_WAIT_BO == 0x40106446u);
QAIC_ACCEL_CHECK(DRM_IOCTL_QAIC_PERF_STATS_BO == 0xc0106447u);
QAIC_ACCEL_CHECK(DRM_IOCTL_QAIC_DETACH_SLICE_BO == 0x40086448u);
QAIC_ACCEL_CHECK(DRM_IOCTL_QAIC_PART_DEV == 0xc0086448u);
QAIC_ACCEL_CHECK(DRM_IOCTL_GEM_CLOSE == 0x40086409u);
#undef QAIC_ACCEL_CHECK

#ifdef __cplusplus
}
#endif
#endif /* QPROF_QAIC_ACCEL_H */
