/* SPDX-License-Identifier: MIT */
/*
 * simkmd internals, shared by the supervisor (kmd_notify.c), the ioctl
 * handlers (kmd_ioctl.c) and the device model (kmd_device.c).  One mutex,
 * sk.lock, protects every structure below: the supervisor and the device
 * thread are the only writers and each holds it for a few microseconds.
 */
#ifndef QPROF_SIMKMD_PRIV_H
#define QPROF_SIMKMD_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>

#include "qprof/qaic_accel.h"
#include "simkmd.h"

#define SIMKMD_MAX_DEVICES 16
#define SIMKMD_NUM_DBC 16		/* AIC100 DMA bridge channels */
#define SIMKMD_MAX_QUEUE_SIZE 65536
#define SIMKMD_DIR_TO_DEV 1		/* DMA_TO_DEVICE */
#define SIMKMD_DIR_FROM_DEV 2		/* DMA_FROM_DEVICE */

struct sim_file;
struct sim_req;

/* A deferred WAIT_BO: the caller's notification id, answered later. */
struct sim_waiter {
	uint64_t notif_id;
	uint64_t deadline_ns;
	struct sim_bo *bo;
	struct sim_waiter *next_on_bo;
	struct sim_waiter *prev_all, *next_all;
};

/*
 * One slice of a BO (ATTACH_SLICE_BO entry): its byte range and the ring
 * elements its scatter-gather list takes (one per memory chunk it touches,
 * 1 for a zero-size slice).
 */
struct sim_slice {
	uint64_t offset;
	uint64_t size;
	uint32_t nents;
};

struct sim_bo {
	struct sim_file *file;
	uint32_t handle;		/* 0 once GEM_CLOSE'd (zombie) */
	uint64_t size;			/* as given to CREATE_BO */
	uint64_t alloc_size;		/* page aligned */
	uint64_t offset;		/* in the device node file */
	bool sliced;
	uint32_t dbc_id;
	uint32_t dir;			/* from ATTACH_SLICE_BO: the DMA direction */
	uint32_t nslices;
	struct sim_slice *slices;
	uint32_t nents;			/* total_slice_nents: ring elements */
	uint64_t slice_bytes;		/* sum of slice sizes: full DMA length */
	int64_t exec_mark;		/* EXECUTE call index that last listed it */
	struct sim_req *req;		/* current execution, NULL when not queued */
	uint32_t ring_held;		/* ring elements held by the current execution */
	int exec_error;			/* 0 or -EIO after a faulty execution */
	uint64_t received_ns, submit_ns, processed_ns;
	/* the device's own start and end of the request that completed the
	 * BO last (0 until it completes): the truth file's device times */
	uint64_t dev_start_ns, dev_end_ns;
	/* the device's time of this BO's completion: the input DMA's end for
	 * an input, the request's end for an output (test_simkmd) */
	uint64_t dev_done_ns;
	uint32_t queue_level_before;
	struct sim_waiter *waiters;
};

/* One EXECUTE call: the device runs it as one request. */
struct sim_req {
	struct sim_dbc *dbc;
	uint32_t nbos;
	struct sim_bo **bos;
	bool hung, deverr;
	int stage;			/* 0: input DMA pending, 1: output pending */
	uint64_t start_ns, in_done_ns, compute_done_ns, out_start_ns, end_ns;
	uint64_t tokens;		/* first TO_DEV BO's bytes / token_bytes */
	struct sim_req *next;
};

struct sim_dbc {
	uint32_t id;
	int dev_index;			/* QID of its device */
	struct sim_file *owner;		/* NULL: free */
	uint32_t nelem;
	uint32_t used;			/* occupied ring elements */
	struct simkmd_nnc_activate nnc;
	uint64_t prng;
	uint64_t last_end_ns;		/* scheduled end of the last request */
	struct sim_req *head, *tail;	/* FIFO of scheduled requests */
	struct sim_req *hung;		/* requests that will never complete */
	/* owner when a subsystem restart released it: EXECUTE -> EPIPE */
	struct sim_file *ssr_owner;
	/* the firmware's activation on this channel (kmd_nnc.c) */
	uint32_t activation_id;
	struct sim_elf *elf;		/* ELF it runs (a reference) */
	struct sim_consts *consts;	/* its constants, or NULL */
	uint32_t nsps;			/* NSPs it holds */
};

/* A network ELF the firmware holds (NNC LOAD_ELF): its id, the file that
 * loaded it, the activations using it, the timing taken from it. */
struct sim_elf {
	uint32_t id;			/* 0: free slot */
	struct sim_file *owner;
	uint32_t refs;			/* activations using it */
	uint64_t size;
	uint32_t nsps;			/* NSPs an activation takes */
	struct simkmd_nnc_activate nnc;
};

/* Constants the firmware holds (NNC LOAD_CONSTANTS_EX + payloads). */
struct sim_consts {
	uint32_t id;			/* 0: free slot */
	struct sim_file *owner;
	uint32_t refs;
	uint64_t loaded;		/* payload bytes received */
};

#define SIMKMD_MAX_ELFS 64
#define SIMKMD_NUM_NSP 16

struct sim_device {
	int index;			/* QID */
	int node;			/* number in the node name */
	char *path;
	int fd;				/* the driver's own fd: backs BO memory */
	dev_t st_dev;
	ino_t st_ino;
	uint64_t next_offset;
	struct sim_dbc dbc[SIMKMD_NUM_DBC];
	uint64_t requests_done;		/* completed requests (fault trigger) */
	uint64_t ssr_until_ns;		/* restarting until then: activation EAGAIN */
	uint32_t ssr_count;		/* subsystem restarts so far */
	bool gone;			/* removed: every ioctl -ENODEV */
	/* firmware state (kmd_nnc.c) */
	struct sim_elf elfs[SIMKMD_MAX_ELFS];
	struct sim_consts consts[SIMKMD_MAX_ELFS];
	uint32_t next_elf_id, next_consts_id, next_activation_id;
	uint32_t nsp_free;
};

/* An open file description of a device node (a DRM file). */
struct sim_file {
	struct sim_device *dev;
	int priv_fd;			/* our dup: keeps the description alive */
	int last_app_fd;		/* fd number it was last seen on */
	struct sim_bo **bos;		/* indexed by GEM handle; [0] unused */
	uint32_t nbos_cap;
	struct sim_file *next;
};

struct simkmd_state {
	pthread_mutex_t lock;
	pthread_cond_t dev_cond;	/* wakes the device thread */
	uint64_t dev_wake_ns;		/* it wakes by itself then (0: awake) */
	pid_t owner_pid;
	bool in_child;			/* a fork()ed child of the owner (atfork) */
	int listener;
	int ndev;
	char *rundir;
	char *accel_dir;		/* NULL with the qaic_aic100 naming */
	bool rundir_created;
	struct sim_device dev[SIMKMD_MAX_DEVICES];
	struct sim_file *files;
	struct sim_waiter *waiters;	/* all deferred waits */
	bool kcmp_ok;
	/* configuration */
	enum simkmd_naming naming;
	int node_first;
	uint64_t sg_chunk;		/* bytes per scatter-gather chunk */
	double time_scale;
	double dev_slowdown[SIMKMD_MAX_DEVICES];	/* QAIC_SIM_DEV_SLOWDOWN */
	uint32_t straggler_ppm;		/* QAIC_SIM_DEV_STRAGGLER */
	uint64_t straggler_ns;
	int straggler_dev;		/* -1: any device */
	uint64_t submit_min_ns, submit_max_ns;
	uint32_t wait_default_ms;
	struct simkmd_faults faults;
	int64_t nnc_index[64];		/* NNC requests seen, per command */
	uint64_t default_compute_ns;	/* QAIC_SIM_CARD_COMPUTE_US */
	uint32_t hw_version;		/* QAIC_SIM_HW_VERSION */
	FILE *kmd_log;			/* QAIC_SIM_KMD_LOG, or NULL */
	bool inline_ioctls;		/* QAIC_SIM_INLINE_IOCTLS: kmd_trap.c */
	/*
	 * The call being served entered the kernel at (0: not known, the
	 * supervisor's): set by simkmd_serve under the lock, for received_ts.
	 */
	uint64_t call_entry_ns;
	int64_t exec_index;
	int64_t wait_block_index;	/* WAITs that found their BO queued */
	uint64_t host_prng;
	struct simkmd_stats stats;
};

extern struct simkmd_state sk;

/* kmd_main.c: this process's pid without a syscall (the owner's, or
 * getpid() in a forked child) */
pid_t simkmd_self(void);

/* kmd_notify.c */
void *simkmd_supervisor_main(void *arg);
int simkmd_reply(uint64_t id, int64_t val);
uint64_t simkmd_now_ns(void);
int simkmd_copy_from_user(void *dst, uint64_t uaddr, size_t len);
int simkmd_copy_to_user(uint64_t uaddr, const void *src, size_t len);
struct sim_file *simkmd_file_lookup(int fd, const struct sim_device *hint, bool create);
#define SIMKMD_NOT_OURS 2		/* simkmd_serve(): for the real kernel */
long simkmd_serve(int fd, unsigned long request, uint64_t arg, uint64_t notif_id,
		  uint64_t entry_ns);

/*
 * kmd_trap.c: the calls that never block, served in the caller's thread.
 * A real ioctl whose args[3] is SIMKMD_PASS passes every filter.
 */
#define SIMKMD_PASS 0x71b70f5a3c2de4e9ull
int simkmd_trap_install(void);
bool simkmd_trap_inline(unsigned long request);

/* kmd_ioctl.c: each returns 0 / -errno, or SIMKMD_DEFERRED (WAIT only) */
#define SIMKMD_DEFERRED 1
long simkmd_ioctl(struct sim_file *f, unsigned long req, uint64_t arg, uint64_t notif_id);
void simkmd_file_release(struct sim_file *f);
struct sim_bo *simkmd_bo_lookup(struct sim_file *f, uint32_t handle);
void simkmd_bo_unslice(struct sim_bo *bo);

/* kmd_nnc.c: DRM_IOCTL_QAIC_MANAGE, the firmware's NNC protocol */
int simkmd_manage(struct sim_file *f, uint64_t arg);
void simkmd_nnc_dbc_released(struct sim_dbc *dbc);
void simkmd_nnc_file_release(struct sim_file *f);

/* kmd_device.c */
void *simkmd_device_main(void *arg);
int simkmd_schedule(struct sim_dbc *dbc, struct sim_req *r, uint64_t in_bytes,
		    uint64_t out_bytes);
void simkmd_bo_fail_waiters(struct sim_bo *bo, int err);
void simkmd_bo_complete(struct sim_bo *bo, int status, uint64_t now);
void simkmd_reclaim_hung(struct sim_dbc *dbc, struct sim_req *r);
void simkmd_dbc_release(struct sim_dbc *dbc);
/* Release with waiters answered @err (-EPERM; -ENODEV for a gone device). */
void simkmd_dbc_release_err(struct sim_dbc *dbc, int err);
void simkmd_waiter_add(struct sim_bo *bo, uint64_t notif_id, uint64_t deadline);
void simkmd_bo_maybe_free(struct sim_bo *bo);
uint64_t simkmd_prng_next(uint64_t *state);
uint64_t simkmd_ns_to_ticks(uint64_t ns);

#endif /* QPROF_SIMKMD_PRIV_H */
