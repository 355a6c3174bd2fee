/* SPDX-License-Identifier: MIT */
/*
 * Internals of the simulated QAic runtime (libQAic.so).  Nothing here is
 * exported: the library exports exactly the functions of
 * include/qprof/qaic_api.h (libQAic.map).  Design: docs/SIMULATOR.md.
 */
#ifndef QAIC_SIM_RT_H
#define QAIC_SIM_RT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <qprof/qaic_api.h>
#include <qprof/qaic_accel.h>

#include "desc.h"

#define QAIC_EXPORT __attribute__((visibility("default")))

/* ---- handle registry (registry.c) ------------------------------------- */

/*
 * Every object handed to the application starts with an rt_obj and is kept
 * in a registry of live handles.  API entry points turn a handle into a
 * counted reference with rt_get(); a released or garbage pointer is simply
 * not found (QS_INVAL), it is never dereferenced.  Release unregisters the
 * handle and drops the creation reference; the memory goes when the last
 * reference (a worker, a child object) is dropped.
 */
enum rt_type {
	RT_CONTEXT = 1,
	RT_QPC,
	RT_PROGRAM,
	RT_QUEUE,
	RT_EXECOBJ,
	RT_EVENT,
	RT_GROUP,
};

struct rt_obj {
	enum rt_type type;
	atomic_int refs;
	void (*destroy)(struct rt_obj *obj);
};

/* Registers a new object with one reference.  0 or -ENOMEM. */
int rt_register(struct rt_obj *obj, enum rt_type type,
		void (*destroy)(struct rt_obj *obj));
/* Counted reference to a live handle of @type, or NULL. */
struct rt_obj *rt_get(const void *handle, enum rt_type type);
void rt_ref(struct rt_obj *obj);
void rt_put(struct rt_obj *obj);
/* Removes the handle from the registry; false if it was not there. */
bool rt_unregister(struct rt_obj *obj);
/* Calls @fn on every live object of @type (outside the registry lock). */
void rt_foreach(enum rt_type type, void (*fn)(struct rt_obj *, void *),
		void *arg);

#define RT_GET(handle, type, T) ((T *)rt_get((handle), (type)))
#define RT_PUT(p) rt_put(&(p)->obj)

/* ---- configuration, clock, logging (context.c) ------------------------ */

/* What the runtime writes into execute_entry.dir (the kernel ignores it). */
enum rt_entry_dir {
	RT_DIR_ATTACH,			/* the BO's ATTACH_SLICE_BO direction */
	RT_DIR_ZERO,			/* 0 */
	RT_DIR_SWAP,			/* 1 <-> 2 */
	RT_DIR_RANDOM,			/* any 32-bit value */
};

struct rt_config {
	double time_scale;		/* QAIC_SIM_TIME_SCALE, default 1 */
	uint64_t slow_preproc_ns;	/* QAIC_SIM_FAULT_SLOW_PREPROC_US */
	uint64_t seed;			/* QAIC_SIM_SEED, default 1 */
	enum rt_entry_dir entry_dir;	/* QAIC_SIM_EXEC_ENTRY_DIR */
};
const struct rt_config *rt_config(void);

static inline uint64_t rt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void rt_sleep_ns(uint64_t ns);
/* a delay of ns as asked (sleeps, then spins the last 200 us) */
void rt_delay_ns(uint64_t ns);

struct QAicContext {
	struct rt_obj obj;
	QAicContextID id;
	uint32_t ndev;
	QID *devs;
	QAicLogCallback log_cb;
	void *log_ud;
	QAicErrorHandler err_cb;
	void *err_ud;
	atomic_int level;
};

/* Log through @ctx's callback (or stderr).  @ctx NULL: every live context
 * with a log callback, or stderr when there is none. */
__attribute__((format(printf, 3, 4)))
void rt_log(struct QAicContext *ctx, QLogLevel level, const char *fmt, ...);
void rt_report_error(struct QAicContext *ctx, QAicErrorType type,
		     const char *what);
bool rt_ctx_has_device(const struct QAicContext *ctx, QID dev);
/* Starts the emulated driver; QS_SUCCESS or QS_DEV_ERROR. */
QStatus rt_start_kmd(void);

/* ---- QPC and program (program.c) -------------------------------------- */

struct QAicQpcObj {
	struct rt_obj obj;
	struct desc desc;
	char *text;
	size_t text_len;
};

struct rt_profile;

#define RT_MAX_DEVICES 16		/* devices of one program (devMapping) */

/*
 * One device of a program: its device node, open file and activation.  A
 * program runs on one device, or on every device of its devMapping (one
 * activation, DBC and set of BOs per device).  Fields under the program's
 * lock.
 */
struct rt_pdev {
	QID qid;
	int fd;
	bool active;			/* activated, DBC in use */
	uint32_t dbc_id;
	uint32_t elf_id;		/* the firmware's id of our ELF, 0: none */
	uint32_t activation_id;		/* the firmware's, while active */
	uint64_t gen;			/* bumped by every activation */
	/*
	 * Readers: a worker from its EXECUTE to its WAIT's return on this
	 * device (so its DBC id cannot change under it); writer: an
	 * activation, which re-attaches the exec objects' BOs to the new
	 * DBC.  Taken before the program's lock, readers in device order.
	 */
	pthread_rwlock_t span;
};

struct QAicProgramGroup;

struct QAicProgram {
	struct rt_obj obj;
	struct QAicContext *ctx;
	struct QAicQpcObj *qpc;		/* counted: the description lives there */
	const struct desc *desc;
	QAicProgramID id;		/* 0-based creation index */
	QID dev;			/* device given at creation */
	char name[DESC_NAME_MAX + 32];
	QAicProgramProperties props;
	/* BO layout: inputs, outputs, then aiccyclecounts when stats = 1. */
	uint32_t nbo;
	uint32_t wait_idx;		/* last FROM_DEV BO */
	QAicBufferMappings *maps;	/* [nbo] */
	uint32_t *buf_of_map;		/* description buffer of each mapping */
	QAicIoBufferInfo iobuf;
	uint32_t ndev;
	struct rt_pdev pdev[RT_MAX_DEVICES];	/* devMapping order */

	pthread_mutex_t lock;		/* status, pdev[], execs, inflight */
	pthread_cond_t idle;		/* inflight dropped to 0 */
	QAicProgramStatus status;
	uint32_t num_execs;
	struct QAicExecObj **execs;	/* live exec objects with BOs */
	uint32_t nexecs, capexecs;
	uint32_t inflight;		/* enqueued, not yet complete */
	struct QAicProgramGroup *group;	/* owner, or NULL */

	atomic_uint_fast64_t enq_count;	/* next sample index */
	struct rt_profile *prof;	/* NULL: runtime profiling off */
};

/*
 * Ensures every device of the program is activated (loading it first);
 * the BOs of live exec objects are attached to the new DBCs.
 */
QStatus rt_program_activate(struct QAicProgram *pg);
/*
 * Re-activates device @d after a subsystem restart took its DBC, if the
 * program is still active on activation @gen of that device (else
 * nothing: 0).  0, -EAGAIN (still restarting) or -errno.
 */
int rt_program_reactivate(struct QAicProgram *pg, uint32_t d, uint64_t gen);
/* Asks the recovery thread (recover.c) to re-activate device @d. */
void rt_recover_request(struct QAicProgram *pg, uint32_t d, uint64_t gen);
/* Deactivates every device, even with exec objects alive (group Disable):
 * their inferences in flight fail, their BOs are detached by the kernel. */
QStatus rt_program_deactivate(struct QAicProgram *pg);
QStatus rt_program_new(struct QAicContext *ctx, struct QAicQpcObj *q,
		       QAicProgramProperties_t *props, QID dev,
		       const char *name, struct QAicProgram **out);
/* Retires the program's handle (qaicReleaseProgram without the checks). */
void rt_program_retire(struct QAicProgram *pg);
/* Inferences in flight: counted from enqueue to completion. */
void rt_program_inflight(struct QAicProgram *pg, int delta);
/* Waits until nothing is in flight; false at @deadline_ns (0: never). */
bool rt_program_wait_idle(struct QAicProgram *pg, uint64_t deadline_ns);
int rt_program_track_exec(struct QAicProgram *pg, struct QAicExecObj *eo);
void rt_program_untrack_exec(struct QAicProgram *pg, struct QAicExecObj *eo);
/* Accounts a live exec object (program must be activated); QS_INVAL if not. */
QStatus rt_program_add_exec(struct QAicProgram *pg);
void rt_program_del_exec(struct QAicProgram *pg);
/* Is the program on device @dev (its devMapping, or its one device)? */
bool rt_program_on_device(const struct QAicProgram *pg, QID dev);

/* ---- runtime profiling (profile.c) ------------------------------------ */

/* One latency-file row; times are CLOCK_MONOTONIC ns. */
struct prof_row {
	uint64_t sample;
	uint64_t enq_start;		/* enqueue entry (absolute) */
	uint64_t enq_ns, pre_ns, sub_ns, exec_ns, post_ns;
	uint64_t done;			/* worker finished (absolute) */
	uint64_t worker_start;		/* a worker started on it (absolute) */
	uint64_t handed;		/* application handed completion */
	uint32_t queue_depth, num_inf, exec_to_vc, exec_to_complete;
	uint32_t device;		/* devMapping index the kernel columns are of */
	bool has_dev;
	uint64_t dev_exec_ticks, dev_in_ticks, dev_out_ticks;
	/* the device's cycle counts (19.2 MHz ticks), for devprof.c */
	uint64_t dev_start_tick, dev_in_done_tick, dev_compute_done_tick,
		 dev_out_start_tick, dev_end_tick;
};

/* Reads QAIC_SIM_PROFILING_*; NULL when profiling is off. */
struct rt_profile *profile_create(struct QAicContext *ctx);
void profile_destroy(struct rt_profile *p);
bool profile_wants(const struct rt_profile *p, uint64_t sample);
/* Worker: stores a provisional row (completion time = row->done). */
void profile_record(struct QAicProgram *pg, const struct prof_row *row);
/* The application was handed sample's completion at @t. */
void profile_handover(struct QAicProgram *pg, uint64_t sample, uint64_t t);
/* Writes the file now if it has rows and was not written yet. */
void profile_flush(struct QAicProgram *pg);

/* ---- inference log (inflog.c): QAIC_SIM_INFERENCE_LOG ----------------- */

struct QAicExecObj;
/* One line per device of a finished inference (worker); @last: index of
 * the device that completed last, or -1. */
void inflog_write(const struct QAicExecObj *eo, QStatus st, int cause,
		  int last, int row, bool sampled);
bool inflog_enabled(void);

/* ---- device profiling outputs (devprof.c) ----------------------------- */

/* aic-profiling-program-<P>-activation-0-inf-<I>.txt of sample @r */
void devprof_write_opstats(struct QAicProgram *pg, const char *dir,
			   const struct prof_row *r);
/* aic-profiling-program-<P>-trace.json of samples @rows */
void devprof_write_trace(struct QAicProgram *pg, const char *dir,
			 const struct prof_row *const *rows, size_t n);

/* ---- exec objects, queues, events ------------------------------------- */

struct rt_bo {
	uint32_t handle;
	uint32_t dir;			/* 1 to device, 2 from device */
	uint64_t size;
	void *map;
};

/*
 * The BOs of an exec object on one device of its program: one per buffer
 * mapping (a split buffer holds this device's part), with the persistent
 * EXECUTE and PERF_STATS entry arrays.
 */
struct rt_eodev {
	int fd;
	uint32_t dbc_id;
	struct rt_bo *bo;			/* [nbo] */
	struct qaic_execute_entry *entries;	/* [nbo] */
	struct qaic_partial_execute_entry *pentries;	/* [nbo] */
	struct qaic_perf_stats_entry *perf;	/* [nbo] */
};

/* What the worker learns of one device of one inference. */
struct rt_devrun {
	uint64_t t_exec;		/* entry of the successful EXECUTE */
	/* truth file only (truth_on()): the WAIT's return, and the device's
	 * start and end of the request (simkmd_test_bo_times on the wait
	 * handle, with the kernel's stamps below) */
	uint64_t t_wait, dev_start, dev_end;
	uint32_t exec_to_vc, exec_to_complete;	/* PERF_STATS, wait handle */
	uint32_t queue_depth, total_elems;
	bool has_perf;
	bool submitted;			/* its EXECUTE succeeded */
	uint64_t gen;			/* activation of the device it ran on */
	int exec_err, wait_err;		/* errno of the failed call, or 0 */
	uint32_t dbc_id;		/* the DBC it was submitted to */
	/* the kernel's stamps of the wait handle (simulator truth) */
	uint64_t received_ns, submit_ns, processed_ns;
};

enum eo_state { EO_IDLE, EO_BUSY };

struct QAicEvent;

struct QAicExecObj {
	struct rt_obj obj;
	struct QAicContext *ctx;
	struct QAicProgram *prog;
	uint32_t nbo;
	uint32_t ndev;
	struct rt_eodev *dev;		/* [ndev], devMapping order */
	QBuffer *bo_views;		/* the runtime's own buffers (device 0) */
	QBuffer *user;			/* last SetData, NULL: zero copy */
	bool tracked;			/* in the program's list of exec objects */
	uint64_t *valid;		/* [nbo] bytes of each mapping to move */
	bool partial;			/* some mapping moves less than its BO */

	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum eo_state state;
	uint32_t workers;		/* workers still touching this object */
	QStatus last_status;
	bool done_sampled;		/* last completed inference is a sample */
	uint64_t done_sample;

	/* The inference in flight (owned by the worker while EO_BUSY). */
	struct QAicExecObj *qnext;
	struct QAicEvent *event;
	bool sampled;
	struct prof_row row;
	struct rt_devrun *run;		/* [ndev] */
};

struct QAicQueue {
	struct rt_obj obj;
	struct QAicContext *ctx;
	QID dev;
	pthread_mutex_t lock;
	pthread_cond_t work;		/* job queued or stop */
	pthread_cond_t idle;		/* a job finished */
	struct QAicExecObj *head, *tail;
	uint32_t running;
	bool stop;
	uint32_t nthreads;
	pthread_t *threads;
	bool in_group;			/* a group's queue: released with it */
};

/* Creates a queue (queue.c); @n threads, 0 for the default. */
QStatus rt_queue_new(struct QAicContext *ctx, QID dev, uint32_t n,
		     struct QAicQueue **out);
/* Retires the queue's handle after its queued inferences finished. */
QStatus rt_queue_release(struct QAicQueue *q);

/* Worker side of an inference (infer.c). */
void rt_execobj_run(struct QAicExecObj *eo);
/* Bytes of mapping @i's BO on each device of @pg (execobj.c). */
uint64_t rt_bo_size(const struct QAicProgram *pg, uint32_t i);
/* Attach @eo's BOs of device @d to the device's current DBC (after a new
 * activation; program lock held, device's span write-locked). */
int rt_execobj_reattach(struct QAicExecObj *eo, uint32_t d);

struct ev_cb {
	QAicEventCallback cb;
	void *ud;
};

struct ev_done {
	struct QAicProgram *prog;	/* counted reference */
	uint64_t sample;
};

struct QAicEvent {
	struct rt_obj obj;
	struct QAicContext *ctx;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct ev_cb *cbs;
	uint32_t ncb, capcb;
	uint32_t pending;		/* enqueued inferences not yet complete */
	QStatus status;			/* of the last completion */
	struct ev_done *done;		/* samples to hand over at wait return */
	uint32_t ndone, capdone;
};

void rt_event_pending(struct QAicEvent *ev);
/* Worker: run callbacks and signal; hands the sample over when needed. */
void rt_event_complete(struct QAicEvent *ev, struct QAicProgram *pg,
		       bool sampled, uint64_t sample, QStatus st);

/* ---- truth file (truth.c, docs/SIMULATOR.md "Truth file") ------------ */

struct truth_dev {
	int device;			/* QID */
	uint32_t dbc_id;
	uint64_t exec_entry, doorbell, dev_start, dev_end, irq, wait_return;
};

struct truth_rec {
	uint32_t program;		/* QAicProgramID */
	uint64_t sample;
	int status;			/* QStatus */
	uint64_t enq_begin, enq_end;	/* the enqueue call: entry, return */
	uint64_t worker_start, worker_done;
	uint64_t seen;			/* completion handed to the application */
	uint32_t ndev;
	struct truth_dev dev[RT_MAX_DEVICES];
};

/* QAIC_SIM_TRUTH_DIR is set. */
bool truth_on(void);
/*
 * The enqueue call of @sample of program @program (its QAicProgramID):
 * its first and its last instruction.  @n from truth_prepare() (NULL:
 * truth off, or out of memory), allocated before the call's last stamp
 * so that the truth costs the call as little as possible; freed here.
 */
struct truth_pending;
struct truth_pending *truth_prepare(void);
void truth_enqueued(struct truth_pending *n, uint32_t program, uint64_t sample,
		    uint64_t begin, uint64_t end);
/* Worker, as the inference finishes (before anyone can see it complete);
 * its enq_begin / enq_end are ignored once truth_enqueued gave them. */
void truth_record(const struct truth_rec *r);
/* The application is handed the completion of @sample: stamped now. */
void truth_handover(const struct QAicProgram *pg, uint64_t sample);

/*
 * The application is handed the completion of @sample at @t: the profile's
 * row ends there.  The truth file's line ends after that bookkeeping, the
 * last moment the runtime holds the completion back.
 */
static inline void rt_handover(struct QAicProgram *pg, uint64_t sample,
			       uint64_t t)
{
	profile_handover(pg, sample, t);
	truth_handover(pg, sample);
}

#endif /* QAIC_SIM_RT_H */
