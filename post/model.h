/* SPDX-License-Identifier: MIT */
/*
 * The analysis model: per-inference records assembled from a trace
 * (assemble.c), optionally merged with runtime latency dumps (devdump.c),
 * then summarised and written (stats.c, write_*.c).
 *
 * Every metric qprof reports is defined ONCE, in metrics.c, from the
 * boundary timestamps and kernel facts stored here; see also
 * docs/ARCHITECTURE.md "Two views of one inference".
 */
#ifndef QPROF_POST_MODEL_H
#define QPROF_POST_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QP_NONE UINT32_MAX

/* How an inference's kernel events were tied to its enqueue. */
enum qp_match_method {
	QP_MATCH_NONE = 0,	/* no kernel events tied (yet) */
	QP_MATCH_BO,		/* BO handles -> exec object (setup ioctls) */
	QP_MATCH_FIFO,		/* fallback: executions on a dbc_id in order */
	QP_MATCH_KERNEL_ONLY,	/* no API events at all: EXECUTE..WAIT pair */
	QP_MATCH__COUNT
};

/* What told the application its inference completed. */
enum qp_done_kind {
	QP_DONE_NONE = 0,
	QP_DONE_WAIT,		/* qaicExecObjWaitForCompletion returned */
	QP_DONE_CALLBACK,	/* event callback entered */
	QP_DONE_EVENT_WAIT,	/* qaicWaitforEvent returned */
	QP_DONE_KERNEL,		/* kernel-only: WAIT_BO returned */
};

/* Why an inference is excluded from statistics (QP_INF_OK: included). */
enum qp_inf_state {
	QP_INF_OK = 0,
	QP_INF_NO_COMPLETION,	/* trace ended / process exited before completion */
	QP_INF_LOST_EVENTS,	/* events of this process were discarded meanwhile */
	QP_INF_FAILED,		/* a call returned an error (status kept) */
	QP_INF_UNMATCHED,	/* kernel events could not be tied to it */
	QP_INF__COUNT
};

/*
 * Boundary timestamps of an inference.  T0 is stored as absolute ns of the
 * trace clock (CLOCK_MONOTONIC); the others as ns after T0 in 32 bits to
 * keep a record small (report memory: <= 128 bytes per inference).
 */
enum qp_time {
	QP_T_ENQ_END,		/* qaicEnqueueExecObj return */
	QP_T_EXEC_BEGIN,	/* successful EXECUTE_BO attempt: ioctl entry (EAGAIN
				 * retries and their back-off fall in preProc,
				 * as in the runtime) */
	QP_T_EXEC_END,		/* successful EXECUTE_BO: ioctl return */
	QP_T_WAIT_BEGIN,	/* WAIT_BO on the wait handle: entry */
	QP_T_WAIT_END,		/* successful WAIT_BO: return */
	QP_T_DONE,		/* completion seen by the application */
	QP_T__COUNT
};
#define QP_T_NONE UINT32_MAX	/* offset not seen (or longer than 4.29 s) */

/* flags */
#define QP_F_HAS_PERF		0x01	/* kernel perf stats known */
#define QP_F_PERF_BY_SHIM	0x02	/* ... from the shim's own query */
#define QP_F_HAS_DEV		0x04	/* device columns merged from a dump */
#define QP_F_HAS_ENQ		0x08	/* t0 is the enqueue entry (API seen) */
#define QP_F_HAS_RT		0x10	/* runtime's own preProc/submit merged */

struct qp_inference {
	uint64_t t0;		/* enqueue entry; exec_begin for kernel-only */
	uint32_t off[QP_T__COUNT];	/* ns after t0, QP_T_NONE = unknown */
	uint32_t seq;		/* shim's enqueue number; for kernel-only, the
				 * assembler's running number of executions */
	uint32_t process;	/* index into qp_model.processes */
	uint16_t program;	/* index into qp_model.programs, QP_NONE16 */
	uint16_t queue;		/* index into qp_model.queues, QP_NONE16 */
	int32_t enq_tid;	/* thread that enqueued (or submitted) */
	int32_t done_tid;	/* thread that saw the completion */
	int32_t submit_tid;	/* thread that issued the EXECUTE (0 = unknown) */
	/* kernel perf stats (PERF_STATS_BO after completion) */
	uint32_t submit_latency_us;	/* wait handle's entry */
	uint32_t device_latency_us;	/* wait handle's entry */
	uint32_t queue_level_before;	/* first entry */
	uint32_t total_queue_elements;	/* sum of num_queue_element */
	uint32_t callsite;	/* index into qp_model.callsites, or QP_NONE */
	uint16_t dbc_id;
	uint8_t exec_retries;	/* EXECUTE attempts failed with EAGAIN (saturating) */
	uint8_t flags;		/* QP_F_* */
	uint8_t match;		/* enum qp_match_method */
	uint8_t state;		/* enum qp_inf_state */
	uint8_t done_kind;	/* enum qp_done_kind */
	uint8_t pad;
	int32_t failed_status;	/* the failing QStatus / -errno, when FAILED */
};
#define QP_NONE16 UINT16_MAX
/* The record's size is the report's memory per inference (issue: <= 128 B). */
_Static_assert(sizeof(struct qp_inference) == 88, "qp_inference grew");

/* Absolute time of boundary t (ns), or 0 when unknown. */
static inline uint64_t qp_inf_time(const struct qp_inference *inf,
				   enum qp_time t)
{
	return inf->off[t] == QP_T_NONE ? 0 : inf->t0 + inf->off[t];
}

/* Record boundary t at absolute time ns (ignored if before t0 or > 4.29 s). */
void qp_inf_set_time(struct qp_inference *inf, enum qp_time t, uint64_t ns);

/*
 * Device columns merged from a runtime latency dump (devdump.c), kept
 * apart from the inference records: most reports merge no dump, and the
 * record's size is the report's memory per inference.  qp_model.dev[k]
 * belongs to qp_model.inf[k] and is valid when QP_F_HAS_DEV is set.
 */
struct qp_dev_times {
	double exec_us, in_wait_us, out_wait_us;	/* QP_F_HAS_DEV */
	/* the runtime's own preProcTimeUs and submitTimeUs (QP_F_HAS_RT):
	 * the worker's work between picking the inference up and the
	 * EXECUTE ioctl */
	double rt_pre_us, rt_submit_us;
};

/*
 * What other inferences imply for inference k (qp_model.ahead[k], built
 * by qp_model_link() in metrics.c): when the runtime worker that submitted
 * it was done with its previous inference, when its device finished the
 * one before it on the same DBC, by when its device was done with it
 * (its WAIT return, or earlier: the next inference on the DBC started no
 * later than its own done_by less its devExec), and its doorbell when its
 * busy run places it (the run's head, or a queued one with a wide
 * interval: docs/MATCHING.md; else QP_T_NONE: the middle of its
 * interval).  ns
 * after k's t0; 0 when at or before t0, QP_T_NONE when nothing is known.
 */
struct qp_ahead {
	uint32_t worker_free;
	uint32_t device_free;
	uint32_t device_done_by;
	uint32_t doorbell;
};

/*
 * An accel device node a process opened (kmd_open): the device an fd is
 * on.  One entry per (process, fd, path); path "" when the open was not
 * seen (the fd was opened before tracing started).
 */
struct qp_device {
	uint32_t process;
	int32_t fd;
	char *path;		/* "/dev/accel/accel2", "/dev/qaic_aic100_0" */
};

/*
 * One device's part of an inference spread over several devices
 * (devMapping: one EXECUTE and one WAIT per device; docs/MATCHING.md
 * "Programs over several devices").  Kept apart from the records, only
 * for inferences with parts on two devices or more: qp_model.spans,
 * sorted by inference, then in EXECUTE order (qp_model_spans()).
 */
struct qp_dev_span {
	uint32_t inf;		/* index into qp_model.inf */
	uint16_t device;	/* index into qp_model.devices, QP_NONE16 */
	uint16_t dbc_id;
	/* ns after the inference's t0, QP_T_NONE = not seen: the device's
	 * successful EXECUTE entry and return, its WAIT return */
	uint32_t exec_begin, exec_end, wait_end;
	/* its wait handle's perf stats (QP_SPAN_HAS_PERF) */
	uint32_t submit_latency_us, device_latency_us, queue_level_before;
	uint32_t total_queue_elements;
	uint8_t order;		/* 0, 1, ...: EXECUTE order within the inference */
	uint8_t flags;		/* QP_SPAN_* */
	uint16_t pad;
};
/* 40 bytes per device, only for inferences over several (docs/MATCHING.md) */
_Static_assert(sizeof(struct qp_dev_span) == 40, "qp_dev_span grew");
#define QP_SPAN_HAS_PERF	0x01
/* the device that held the inference back: the record's kernel figures
 * are its own (rule: docs/MATCHING.md) */
#define QP_SPAN_STRAGGLER	0x02
#define QP_SPAN_FAILED		0x04	/* its EXECUTE or WAIT failed */

/* Why a failed inference failed (qp_fail_cause_of, metrics.c). */
enum qp_fail_cause {
	QP_FAIL_API = 0,	/* an API call returned an error QStatus */
	QP_FAIL_RESTART,	/* EPIPE: subsystem restart of the device */
	QP_FAIL_DEVICE_GONE,	/* ENODEV: device removed or reset */
	QP_FAIL_DBC_RELEASED,	/* EPERM: its DBC was released (deactivation,
				 * restart) while it was queued */
	QP_FAIL_KMD_OTHER,	/* another errno of EXECUTE_BO / WAIT_BO */
	QP_FAIL__COUNT
};

struct qp_process {
	uint32_t host;
	int32_t pid;
	char *runtime_path, *rt_version, *shim_version, *settings;
	uint64_t first_ts, last_ts;
	uint64_t discarded_events;	/* lost in this process's streams */
	bool kernel_only;	/* no API events seen */
};

struct qp_program {
	char *name;		/* program name given to qaicCreateProgram */
	uint32_t process;
	uint64_t handle;	/* QAicProgram* */
	uint32_t batch;		/* 0 = unknown (taken from a dump when merged) */
	uint32_t dbc_id;	/* QP_NONE until activated */
	/* created without a name: name is its QPC's label (progname.h) */
	bool name_from_qpc;
};

struct qp_queue {
	uint32_t process;
	uint64_t handle;	/* QAicQueue* */
};

/* A distinct call site (enqueue ip, plus the deeper stack if recorded). */
struct qp_callsite {
	uint32_t process;
	uint32_t depth;
	uint64_t ips[16];	/* ips[0] = the API call's return address */
	char *symbol;		/* resolved "func+0x12 (module) file:line", or NULL */
};

struct qp_model {
	struct qp_inference *inf;
	size_t ninf, cap_inf;
	struct qp_dev_times *dev;	/* NULL until a dump is merged */
	struct qp_ahead *ahead;		/* NULL until qp_model_link() */
	struct qp_process *processes;
	size_t nprocesses;
	struct qp_program *programs;
	size_t nprograms;
	struct qp_queue *queues;
	size_t nqueues;
	struct qp_callsite *callsites;
	size_t ncallsites;
	struct qp_device *devices;
	size_t ndevices;
	/* multi-device inferences only, sorted by (inf, order) */
	struct qp_dev_span *spans;
	size_t nspans;
	char **hosts;		/* index = qp_event.host */
	size_t nhosts;

	/* accounting, reported in every summary */
	uint64_t events;			/* qprof events read */
	uint64_t discarded_events, discarded_packets;
	uint64_t matched[QP_MATCH__COUNT];	/* completed inferences per method */
	uint64_t state_count[QP_INF__COUNT];
	uint64_t shim_perf_queries;		/* PERF_STATS issued by the shim */
	/* failed inferences (state_count[QP_INF_FAILED]) by cause */
	uint64_t failed_cause[QP_FAIL__COUNT];
	uint64_t wait_interrupted;	/* WAIT_BO EINTR: retried, not failures */
	uint64_t exec_interrupted;	/* EXECUTE_BO EINTR: retried like EAGAIN */
	/* subsystem restarts (a DBC down with EPIPE until re-activated) and
	 * the inferences they cost (failed with EPIPE or EPERM meanwhile) */
	uint64_t restarts, restart_failed;
	uint64_t multi_device;		/* inferences over several devices */
	uint64_t first_ts, last_ts;
};

void qp_model_init(struct qp_model *m);
void qp_model_free(struct qp_model *m);
/* Append a zeroed inference; returns NULL on allocation failure. */
struct qp_inference *qp_model_add_inference(struct qp_model *m);
/*
 * The device spans of inference k (*n of them, in EXECUTE order), NULL
 * with *n = 0 for an inference on one device.
 */
const struct qp_dev_span *qp_model_spans(const struct qp_model *m, size_t k,
					 size_t *n);
/* The straggler span of inference k, or NULL (one device, or unknown). */
const struct qp_dev_span *qp_model_straggler(const struct qp_model *m,
					     size_t k);
/*
 * The span of inference k whose perf stats are (submit_latency_us,
 * device_latency_us): the straggler if it matches, else the first that
 * does; NULL if none.
 */
const struct qp_dev_span *qp_model_span_with(const struct qp_model *m,
					     size_t k, double submit_us,
					     double device_us);
/*
 * Make span s (of inference k) its straggler: the record's kernel figures
 * become s's (a runtime dump tells which device its row is about).
 */
void qp_model_set_straggler(struct qp_model *m, size_t k,
			    const struct qp_dev_span *s);
/* "accel2", "qaic_aic100_0": a device's short name; "fd<N>" if unnamed. */
const char *qp_device_name(const struct qp_model *m, uint16_t device,
			   char *buf, size_t len);
/*
 * When a device completed a request (ns), as the trace bounds it: the
 * kernel's processed_ts = received_ts + submit latency + device latency
 * (each truncated to µs), received_ts inside the EXECUTE ioctl
 * [exec_begin, exec_end], and not after the WAIT's return (wait_end, 0
 * if none).  *lo, *hi: the bounds; the return value: their middle.
 */
uint64_t qp_kernel_done_bounds(uint64_t exec_begin, uint64_t exec_end,
			       uint64_t wait_end, uint32_t submit_latency_us,
			       uint32_t device_latency_us, uint64_t *lo,
			       uint64_t *hi);
/* The cause of a failed inference, from its failed_status. */
enum qp_fail_cause qp_fail_cause_of(const struct qp_inference *inf);
/* "api", "restart", "device_gone", "dbc_released", "kmd_other" */
const char *qp_fail_cause_name(enum qp_fail_cause c);

/* ---- metrics: definitions live in metrics.c ----------------------------- */

enum qp_metric {
	QP_M_DEV_INF_PER_SEC,
	QP_M_DEV_EXEC,
	QP_M_DEV_IN_WAIT,
	QP_M_DEV_OUT_WAIT,
	QP_M_HOST_ROUND_TRIP,
	QP_M_ENQ,
	QP_M_PRE_PROC,
	QP_M_SUBMIT,
	QP_M_EXEC_TOTAL,
	QP_M_EXEC_TO_VC,
	QP_M_EXEC_TO_COMPLETE,
	QP_M_POST_PROC,
	QP_M_TOTAL_ROUND_TRIP,
	QP_M_QUEUE_DEPTH,
	QP_M_NUM_INF_IN_QUEUE,
	QP_M__COUNT
};

/*
 * The value of metric m for one inference: µs for times, inferences/s for
 * devInfPerSec, elements / inferences for the queue metrics.  Returns false
 * when the inference lacks what the definition needs (e.g. no perf stats,
 * no device dump, kernel-only inference without API boundaries).
 */
bool qp_metric_value(const struct qp_model *model,
		     const struct qp_inference *inf, enum qp_metric m,
		     uint32_t batch, double *out);
/* The merged device columns of inf (NULL if the model has none). */
struct qp_dev_times *qp_model_dev(const struct qp_model *m,
				  const struct qp_inference *inf);
/* Column name in the runtime's latency file: "enqTimeUs", "queueDepth". */
const char *qp_metric_column(enum qp_metric m);
/* Row label of latency_stats_python3.py: "enqTime", "devInfPerSec". */
const char *qp_metric_label(enum qp_metric m);
/* true for metrics that are times in µs (reported in ms in summaries). */
bool qp_metric_is_time(enum qp_metric m);

/* ---- waiting and working: the parts of a round trip (metrics.c) --------- */

/*
 * The parts tile an inference's totalRoundtripTime in this order; each is
 * either waiting or working (qp_part_is_wait).  Formulas and what each
 * needs: metrics.c and docs/MATCHING.md, "Waiting and working".
 */
enum qp_part {
	QP_PART_ENQUEUE,	/* the enqueue call (application thread) */
	QP_PART_RUNTIME_WAIT,	/* enqueue return -> a runtime worker starts on it */
	QP_PART_RUNTIME_WORK,	/* the worker's pre-processing + submission prep */
	QP_PART_SUBMIT,		/* EXECUTE ioctl entry -> doorbell */
	QP_PART_DEVICE_WAIT,	/* doorbell -> the device starts (behind earlier ones) */
	QP_PART_DEVICE_WORK,	/* device execution */
	QP_PART_COMPLETION,	/* device done -> the application sees it */
	QP_PART__COUNT
};

/* How a split was obtained (bits of qp_part_split's *how). */
#define QP_SPLIT_RT_MEASURED	0x01	/* runtime wait/work from the runtime's dump */
#define QP_SPLIT_DEV_MEASURED	0x02	/* device work is the dump's devExec */
#define QP_SPLIT_KERNEL		0x04	/* kernel perf stats bound the doorbell */
#define QP_SPLIT_QUEUED		0x08	/* started after the previous one on its DBC */

/*
 * Build m->ahead (what earlier inferences imply: the worker's previous
 * inference, the previous inference on the same DBC).  Call after the
 * dumps are merged; the splits use it.  0, or -1 when out of memory.
 */
int qp_model_link(struct qp_model *m);

/*
 * The parts of inference i in µs (they add up to its totalRoundtripTime).
 * false when i lacks a boundary the split needs (kernel-only, no
 * completion, no kernel WAIT).  *how (may be NULL): QP_SPLIT_* bits.
 */
bool qp_part_split(const struct qp_model *m, const struct qp_inference *i,
		   double us[QP_PART__COUNT], unsigned *how);
/*
 * How far the doorbell D that cuts submit from the device parts may be
 * from the truth: half the width of the interval the trace bounds it by
 * (µs; 0 when the bounds meet or cross).  false without an EXECUTE.
 */
bool qp_doorbell_uncertainty(const struct qp_model *m,
			     const struct qp_inference *i, double *us);
/* "enqueue", "runtime_wait", ... (JSON keys); "?" when out of range. */
const char *qp_part_name(enum qp_part p);
/* Words for the summary: "enqueue call", "waiting for a runtime worker"... */
const char *qp_part_label(enum qp_part p);
bool qp_part_is_wait(enum qp_part p);

#endif /* QPROF_POST_MODEL_H */
