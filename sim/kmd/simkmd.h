/* SPDX-License-Identifier: MIT */
/*
 * simkmd: an emulated qaic accel kernel driver plus device model.
 *
 * The simulated runtime talks to "the kernel" only through libc open(),
 * ioctl(), mmap() and close() on "<rundir>/accel/accel<N>", exactly as the
 * real runtime does with /dev/accel/accelN.  simkmd traps the qaic ioctls
 * at the system-call boundary with a seccomp user-notification filter and
 * answers them from a supervisor thread of the same process with the real
 * driver's semantics, so an LD_PRELOAD interposer of ioctl() sees exactly
 * what it would see on a card.  See docs/SIM-KMD.md.
 */
#ifndef QPROF_SIMKMD_H
#define QPROF_SIMKMD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Start the emulated driver once per process.  Idempotent and thread-safe.
 * Creates a private run dir ($QAIC_SIM_RUNDIR, or /tmp/qaic-sim-<pid>-XXXXXX)
 * with one device node per device (regular files that back BO memory for
 * mmap), installs the seccomp filter (TSYNC) and starts the supervisor and
 * device threads.  Returns 0 or -errno and never leaves a half-installed
 * filter.  ndev >= 1 (default 1; env QAIC_SIM_NUM_DEVICES overrides).  In a
 * forked child of the process that started the driver it returns -ECHILD:
 * the device belongs to the parent.
 *
 * Node names (QAIC_SIM_DEV_NAMING): "accel" (default) gives
 * "<rundir>/accel/accel<N>" as the upstream driver's /dev/accel/accelN;
 * "qaic_aic100" gives "<rundir>/qaic_aic100_<N>" as older SDK drivers'
 * /dev/qaic_aic100_N.  N = QID + QAIC_SIM_DEV_NODE_FIRST (default 0): node
 * numbers need not be QIDs, as with partitioned devices.
 */
enum simkmd_naming {
	SIMKMD_NAMING_ACCEL,
	SIMKMD_NAMING_QAIC_AIC100,
};
int simkmd_start(void);
/* Path of the node of device (QID) dev, or NULL if not started / out of
 * range.  This is the simulator's device discovery (udev on a host). */
const char *simkmd_device_path(int dev);
int simkmd_num_devices(void);
/* The run dir holding accel/, or NULL if not started. */
const char *simkmd_rundir(void);

/*
 * The firmware protocol: DRM_IOCTL_QAIC_MANAGE carries the NNC messages of
 * the real runtime (docs/SIM-KMD.md, "The NNC protocol"): passthrough
 * commands (status 13, load ELF 3 + DMA_XFER, load constants 15/16 +
 * DMA_XFER, activate 9 + ACTIVATE_FROM_USR, deactivate 11 +
 * DEACTIVATE_FROM_USR, unload ELF 7, unload constants 5, resource info 32)
 * and the kernel's STATUS transaction.  Answers are written back into the
 * caller's buffer, up to QAIC_MANAGE_MAX_MSG_LENGTH even when longer than
 * the request.  An activation answers two transactions: the passthrough
 * ACTIVATE response (virtual_channel_id == dbc_id) and ACTIVATE_FROM_DEV.
 *
 * The device takes its timing from the ELF it was given: an image that
 * starts with struct simkmd_nnc_activate (the simulated runtime's
 * programs), an ELF with a section SIMKMD_ELF_TIMING_SECTION holding one
 * (generated OPENRT programs), or else QAIC_SIM_CARD_COMPUTE_US (default
 * 100 us) per request.
 */
#define SIMKMD_ELF_TIMING_SECTION "qaic_sim_timing"
#define SIMKMD_NNC_MAGIC 0x51534e4e /* "NNSQ" */
struct simkmd_nnc_activate {
	uint32_t magic;            /* SIMKMD_NNC_MAGIC */
	uint32_t stats_compiled;   /* 1: device writes cycle counts (below) */
	uint64_t compute_ns;       /* mean compute time per request */
	uint64_t jitter_ns;        /* uniform +- jitter */
	uint64_t tail_ns;          /* extra time added with probability tail_ppm */
	uint32_t tail_ppm;         /* per million */
	uint32_t pad;
	uint64_t dma_bytes_per_us; /* DMA bandwidth host<->device (0: instant) */
	uint64_t seed;             /* PRNG seed for jitter/tail (deterministic runs) */
	/*
	 * Specializations (nspec 0: none, compute_ns/jitter_ns apply).  A
	 * request's tokens = bytes its first TO_DEV BO moves / token_bytes;
	 * it runs the specialization with the smallest seq_len >= tokens (the
	 * largest if none): compute = compute_ns + token_ns x tokens +-
	 * jitter_ns.
	 */
	uint32_t nspec;            /* 0..SIMKMD_MAX_SPECS */
	uint32_t token_bytes;      /* bytes per token of the first input */
	struct simkmd_nnc_spec {
		uint32_t seq_len;
		uint32_t pad;
		uint64_t compute_ns;
		uint64_t token_ns;
		uint64_t jitter_ns;
	} spec[8];
};
#define SIMKMD_MAX_SPECS 8

/*
 * For stats-compiled programs, after a request completes the device writes
 * this record (little-endian, ticks of the 19.2 MHz device timer) into the
 * LAST 64 bytes of the request's last FROM_DEV BO ("aiccyclecounts").  The
 * BO's size is the size given to CREATE_BO; BOs under 64 bytes get nothing.
 * The device timer is CLOCK_MONOTONIC scaled: tick = ns * 12 / 625.
 */
#define SIMKMD_CYCLES_MAGIC 0x4359434c45534943ull
#define SIMKMD_TICKS_PER_SEC 19200000ull
struct simkmd_cycle_counts {
	uint64_t magic;
	uint64_t start_tick;        /* device starts the request (input DMA begins) */
	uint64_t input_done_tick;   /* all input DMA done: in-wait = input_done - start */
	uint64_t compute_done_tick; /* compute done */
	uint64_t output_start_tick; /* output DMA may start: out-wait = output_start - compute_done */
	uint64_t end_tick;          /* output DMA done: devExec = end - start */
	uint64_t pad[2];
};

/* Debug counters, for tests. */
struct simkmd_stats {
	uint64_t manage;
	uint64_t create_bo;
	uint64_t mmap_bo;
	uint64_t attach_slice_bo;
	uint64_t execute_bo;
	uint64_t partial_execute_bo;
	uint64_t wait_bo;
	uint64_t perf_stats_bo;
	uint64_t detach_slice_bo;
	uint64_t gem_close;
	uint64_t handled;         /* sum of the above: ioctls answered by simkmd */
	uint64_t failed;          /* of those, answered with an error */
	uint64_t continued;       /* trapped but not ours: passed to the real kernel */
	uint64_t deferred_waits;  /* WAITs answered later by the device thread */
	uint64_t wait_timeouts;   /* WAITs answered -ETIMEDOUT */
	uint64_t requests_done;   /* requests the device completed */
	uint64_t in_caller;       /* of handled: served in the caller's thread */
};
/* Copy the counters; returns 0, or -ENODEV if the driver is not started. */
int simkmd_stats(struct simkmd_stats *out);

/*
 * Fault injection (process-wide EXECUTE/PARTIAL_EXECUTE call index, 0-based,
 * counting every such ioctl simkmd answers).  -1 disables.  Initialised from
 * QAIC_SIM_FAULT_DEVERR, QAIC_SIM_FAULT_HANG, QAIC_SIM_FAULT_EAGAIN=K:N.
 */
struct simkmd_faults {
	int64_t deverr;        /* that request completes with a device error: WAIT -EIO */
	int64_t hang;          /* that request never completes: WAIT -ETIMEDOUT */
	int64_t eagain_first;  /* calls [first, first+count) return -EAGAIN */
	uint32_t eagain_count;
	/*
	 * WAIT_BO calls that find their BO still queued are numbered from 0
	 * (process-wide); those in [first, first+count) return -EINTR at once,
	 * as a wait interrupted by a signal (QAIC_SIM_FAULT_WAIT_EINTR=K:N).
	 * count 0 disables.
	 */
	int64_t wait_eintr_first;
	uint32_t wait_eintr_count;
	/*
	 * Subsystem restart (QAIC_SIM_FAULT_SSR=N:D[:MS]): when device
	 * ssr_dev has completed ssr_after requests, its DBCs are released
	 * (requests in flight dropped, their WAITs -EPERM, BOs detached) and
	 * it restarts for ssr_ms ms (activation -EAGAIN); an EXECUTE on a DBC
	 * the restart took from its file returns -EPIPE until the file
	 * activates again.  ssr_dev -1 disables.
	 */
	int64_t ssr_after;
	int32_t ssr_dev;
	uint32_t ssr_ms;
	/*
	 * Device removal (QAIC_SIM_FAULT_GONE=N:D): when device gone_dev has
	 * completed gone_after requests it is gone: its DBCs are released
	 * (WAITs -ENODEV) and every later ioctl on it but GEM_CLOSE returns
	 * -ENODEV.  gone_dev -1 disables.
	 */
	int64_t gone_after;
	int32_t gone_dev;
	/*
	 * Firmware refusal (QAIC_SIM_FAULT_NNC=CMD:STATUS[:K]): the K-th
	 * (0-based, process-wide) NNC request of command
	 * CMD (e.g. 3 load ELF, 9 activate, 15 constants) is answered with
	 * NNC status STATUS (< 0) and changes nothing.  nnc_cmd 0 disables.
	 */
	uint32_t nnc_cmd;
	int32_t nnc_status;
	int64_t nnc_index;
};
int simkmd_get_faults(struct simkmd_faults *out);
int simkmd_set_faults(const struct simkmd_faults *in);
/* Index the next EXECUTE/PARTIAL_EXECUTE call will get. */
int64_t simkmd_next_exec_index(void);
/* Index the next NNC request of command @cmd will get (nnc_index). */
int64_t simkmd_next_nnc_index(uint32_t cmd);
/* Index the next WAIT_BO call that finds its BO queued will get. */
int64_t simkmd_next_blocking_wait_index(void);

/*
 * Test-only accessor (tests, and the simulated runtime's truth file): the
 * raw kernel timestamps (CLOCK_MONOTONIC ns) behind PERF_STATS of BO
 * `handle` opened through device fd `fd`, and the device's own times.
 */
struct simkmd_bo_times {
	uint64_t received_ns;
	uint64_t submit_ns;
	uint64_t processed_ns;   /* 0 until the current execution completed */
	uint32_t queue_level_before;
	uint32_t slices;         /* slices attached */
	uint32_t nents;          /* ring elements: num_queue_element */
	uint64_t mmap_offset;
	uint64_t size;           /* size given to CREATE_BO */
	/* The device's start and end of the request that completed the BO
	 * (0 until it completed): input DMA begins, output DMA done.  The
	 * simulated runtime's truth file (QAIC_SIM_TRUTH_DIR) reads them. */
	uint64_t dev_start_ns;
	uint64_t dev_end_ns;
	/* The device's time of this BO's completion: the input DMA's end for
	 * an input, the request's end for an output (0 until it completed). */
	uint64_t dev_done_ns;
};
int simkmd_test_bo_times(int fd, uint32_t handle, struct simkmd_bo_times *out);
/* Test-only: occupied ring elements of `dbc_id` on device `dev`, or -errno. */
int simkmd_test_ring_used(int dev, uint32_t dbc_id);
/* Test-only: take (hold non-zero) or give back the simulated kernel's lock,
 * which every ioctl takes after received_ts: 0 or -errno. */
int simkmd_test_hold_lock(int hold);
/*
 * EXECUTE, PARTIAL_EXECUTE and PERF_STATS are served in the caller's thread
 * from a SIGSYS handler.  A harness that installs its own SIGSYS handler
 * (cmocka does, around every test) takes that back with this: 0 or -errno.
 */
int simkmd_claim_sigsys(void);

#ifdef __cplusplus
}
#endif
#endif /* QPROF_SIMKMD_H */
