/* SPDX-License-Identifier: MIT */
/* Internal structures of the sample applications (see simapp_run.c). */
#ifndef QPROF_SIMAPP_INT_H
#define QPROF_SIMAPP_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "simapp.h"

struct simapp_worker;

/* --prefill / --decode state of one exec object (simapp_llm.c). */
struct simapp_llm {
	int ids, pos;			/* mapping index of input_ids, position_ids */
	uint32_t elem;			/* bytes per token id */
	uint32_t max_tokens;		/* prefill seq_len: input_ids' capacity */
	uint64_t step;			/* steps run by this exec object */
	size_t *full;			/* mapping sizes */
	QBufferDimensions *dims;	/* per mapping; count 0: the size alone */
	uint32_t dimv[2][2];
};

/* One exec object with its buffers, event and queue. */
struct simapp_slot {
	struct simapp_worker *worker;
	QAicExecObj *eo;
	QAicEvent *event;		/* event and callback styles only */
	QAicQueue *queue;
	QBuffer *bufs;			/* indexed by buffer mapping index */
	uint32_t num_bufs;
	struct simapp_llm llm;
};

/* One application thread and the exec objects it owns. */
struct simapp_worker {
	pthread_t tid;
	pthread_barrier_t *barrier;
	struct simapp_prog *prog;
	struct simapp_slot *slots;
	unsigned int num_slots;
	unsigned int seed;
	uint64_t quota;			/* inferences to run (count mode) */
	uint64_t issued, completed;
	uint64_t failed;		/* --keep-going: failed inferences */
	uint64_t end_us;
	/* exec objects in flight, oldest first (wait and event styles) */
	unsigned int *fifo;
	unsigned int fifo_head, fifo_len;
	/* exec objects handed back by the callback (callback style) */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int *doneq;
	unsigned int done_head, done_len;
};

struct simapp_inst {
	QAicProgram *program;
	QAicQueue **queues;
	QAicProgramInfo info;
	bool loaded, activated;
};

struct simapp_prog {
	const char *name;		/* as given to -t */
	unsigned int index;
	QAicQpcObj *qpc;
	struct simapp_inst *inst;	/* [activations] */
	struct simapp_worker *workers;	/* [threads] */
	uint64_t done, failed;
	uint64_t start_us, end_us;
};

struct simapp_ctx {
	QAicContext *context;
	QAicProgramGroup *group;	/* --program-group */
	QAicQueue *group_queue;
	bool group_enabled;
	struct simapp_prog *progs;
	unsigned int num_progs;
};

/* simapp_run.c */
bool simapp_should_stop(void);
bool simapp_check(const char *fn, QStatus st);
const struct simapp_api *simapp_api_get(void);
const struct simapp_options *simapp_opts_get(void);

/* simapp_worker.c */
void simapp_worker_init(struct simapp_worker *w, struct simapp_prog *prog,
			unsigned int num_slots, unsigned int seed);
void simapp_worker_destroy(struct simapp_worker *w);
void *simapp_worker_main(void *arg);
void simapp_event_callback(QAicEvent *event, QAicEventCompletionType type,
			   void *user_data);

/* simapp_llm.c */
bool simapp_llm_mode(void);
int simapp_llm_setup(struct simapp_slot *slot, const QAicIoBufferInfo_t *info,
		     const char *prog);
void simapp_llm_free(struct simapp_slot *slot);
bool simapp_llm_step(struct simapp_slot *slot);

/* simapp_run.c: CLOCK_MONOTONIC ns, the app's one clock */
uint64_t simapp_now_ns(void);

/* simapp_truth.c: the application's side of the truth file */
void simapp_truth_init(void);
bool simapp_truth_on(void);
void simapp_truth_stamp(QAicExecObj *eo, bool seen, uint64_t ns);

/* simapp_devperf.c */
void simapp_print_device_perf(const struct simapp_prog *prog,
			      const struct simapp_options *opts);

#endif /* QPROF_SIMAPP_INT_H */
