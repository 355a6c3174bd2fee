/* SPDX-License-Identifier: MIT */
/*
 * The inference run shared by qaic-sim-app and qaic-sim-loader: setup in
 * the order of docs/CONTRACTS.md §1.3, the submission loop on application
 * threads, orderly release, and qaic-runner's statistics block.
 *
 * Object layout: per program (-t) one QPC, 'activations' program instances,
 * 'queues' queues per instance, 'threads' application threads, each owning
 * 'set_size' exec objects.  Exec object k = thread * set_size + j of a
 * program is bound to instance k % activations and to queue
 * (k / activations) % queues of that instance.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "simapp.h"
#include "simapp_int.h"

static const struct simapp_api *api;
static const struct simapp_options *opts;
static atomic_bool stop_all;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;
static bool failed;

const char *simapp_status_name(QStatus status)
{
	switch (status) {
	case QS_SUCCESS: return "QS_SUCCESS";
	case QS_PERM: return "QS_PERM";
	case QS_AGAIN: return "QS_AGAIN";
	case QS_NOMEM: return "QS_NOMEM";
	case QS_BUSY: return "QS_BUSY";
	case QS_NODEV: return "QS_NODEV";
	case QS_INVAL: return "QS_INVAL";
	case QS_NOSPC: return "QS_NOSPC";
	case QS_BADFD: return "QS_BADFD";
	case QS_TIMEDOUT: return "QS_TIMEDOUT";
	case QS_PROTOCOL: return "QS_PROTOCOL";
	case QS_UNSUPPORTED: return "QS_UNSUPPORTED";
	case QS_DATA_CRC_ERROR: return "QS_DATA_CRC_ERROR";
	case QS_DEV_ERROR: return "QS_DEV_ERROR";
	case QS_ERROR: return "QS_ERROR";
	}
	return "QS_UNKNOWN";
}

/*
 * Report a failed call.  Only the first failure is printed: the others are
 * consequences (threads draining after the run was stopped).  Returns true
 * when 'st' is a failure.
 */
static bool check(const char *fn, QStatus st)
{
	if (st == QS_SUCCESS)
		return false;
	pthread_mutex_lock(&fail_lock);
	if (!failed) {
		failed = true;
		fprintf(stderr, "%s: %s failed: %s (%d)\n", simapp_progname, fn,
			simapp_status_name(st), (int)st);
	}
	pthread_mutex_unlock(&fail_lock);
	atomic_store(&stop_all, true);
	return true;
}

static bool run_failed(void)
{
	bool f;

	pthread_mutex_lock(&fail_lock);
	f = failed;
	pthread_mutex_unlock(&fail_lock);
	return f;
}

#define CALL(fn, ...) check(#fn, api->fn(__VA_ARGS__))

uint64_t simapp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t now_us(void)
{
	return simapp_now_ns() / 1000u;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fprintf(stderr, "%s: out of memory\n", simapp_progname);
		exit(SIMAPP_EXIT_RUNTIME);
	}
	return p;
}

/* ---- bounded random input data ----------------------------------------- */

static void fill_bounded_random(uint8_t *buf, size_t size,
				QAicBufferDataTypeEnum type, unsigned int *seed)
{
	size_t i;

	switch (type) {
	case BUFFER_DATA_TYPE_FLOAT:
		for (i = 0; i + sizeof(float) <= size; i += sizeof(float)) {
			float v = (float)rand_r(seed) / (float)RAND_MAX * 2.0f - 1.0f;

			memcpy(buf + i, &v, sizeof(v));
		}
		break;
	case BUFFER_DATA_TYPE_FLOAT16:
		/* exponent 14: magnitudes in [0.5, 1), random sign */
		for (i = 0; i + 2 <= size; i += 2) {
			uint16_t h = (uint16_t)((14u << 10) |
				     ((unsigned)rand_r(seed) & 0x83ffu));

			memcpy(buf + i, &h, sizeof(h));
		}
		break;
	case BUFFER_DATA_TYPE_INT32I:
		for (i = 0; i + 4 <= size; i += 4) {
			int32_t v = rand_r(seed) % 100;

			memcpy(buf + i, &v, sizeof(v));
		}
		break;
	case BUFFER_DATA_TYPE_INT64I:
		for (i = 0; i + 8 <= size; i += 8) {
			int64_t v = rand_r(seed) % 100;

			memcpy(buf + i, &v, sizeof(v));
		}
		break;
	default:
		for (i = 0; i < size; i++)
			buf[i] = (uint8_t)(rand_r(seed) & 0x7f);
		break;
	}
}

/* ---- setup --------------------------------------------------------------- */

static int setup_instance(struct simapp_ctx *ctx, struct simapp_prog *prog,
			  struct simapp_inst *inst)
{
	QAicProgramProperties_t props;
	QAicQueueProperties qprops = {
		.properties = QAIC_QUEUE_PROPERTIES_DEFAULT,
		.numThreadsPerQueue = opts->threads_per_queue,
	};
	unsigned int q;

	if (CALL(qaicProgramPropertiesInitDefault, &props))
		return -1;
	props.SubmitRetryTimeoutMs = opts->submit_timeout_ms;
	props.devMapping = opts->dev_mapping;
	if (opts->submit_retry_set)
		props.SubmitNumRetries = opts->submit_retry_count;
	if (ctx->group) {
		/* the group loads and activates it (qaicProgramGroupEnable) */
		if (CALL(qaicProgramGroupAddProgram, ctx->group, prog->qpc,
			 &inst->program, &props))
			return -1;
		inst->queues = xcalloc(1, sizeof(*inst->queues));
		inst->queues[0] = ctx->group_queue;
		return 0;
	}
	if (CALL(qaicCreateProgram, ctx->context, &inst->program, &props,
		 opts->device, opts->program_name_set ? opts->program_name :
		 prog->name, prog->qpc))
		return -1;
	if (CALL(qaicLoadProgram, inst->program))
		return -1;
	inst->loaded = true;
	if (CALL(qaicRunActivationCmd, inst->program,
		 QAIC_PROGRAM_CMD_ACTIVATE_FULL))
		return -1;
	inst->activated = true;
	if (CALL(qaicProgramGetInfo, inst->program, &inst->info))
		return -1;
	inst->queues = xcalloc(opts->queues, sizeof(*inst->queues));
	for (q = 0; q < opts->queues; q++)
		if (CALL(qaicCreateQueue, ctx->context, &inst->queues[q], &qprops,
			 opts->device))
			return -1;
	return 0;
}

/* Exec object, its buffers (indexed by mapping index) and its event. */
static int setup_slot(struct simapp_ctx *ctx, struct simapp_worker *w,
		      struct simapp_slot *slot, unsigned int k)
{
	struct simapp_prog *prog = w->prog;
	struct simapp_inst *inst = &prog->inst[k % opts->activations];
	QAicExecObjProperties_t eprops = QAIC_EXECOBJ_PROPERTIES_DEFAULT;
	QAicIoBufferInfo_t *info = NULL;
	QData iodesc = { 0 };
	QBuffer *rt_bufs = NULL;
	uint32_t rt_num = 0, i, n = 0;

	slot->worker = w;
	slot->queue = inst->queues[(k / opts->activations) % opts->queues];
	if (CALL(qaicProgramGetIoDescriptor, inst->program, &iodesc))
		return -1;
	if (CALL(qaicCreateExecObj, ctx->context, &slot->eo, &eprops,
		 inst->program, &iodesc, &rt_num, &rt_bufs))
		return -1;
	if (CALL(qaicProgramGetIoBufferInfo, inst->program, &info))
		return -1;
	for (i = 0; i < info->numBufferMappings; i++)
		if (info->bufferMappings[i].index + 1 > n)
			n = info->bufferMappings[i].index + 1;
	slot->num_bufs = n;
	slot->bufs = xcalloc(n, sizeof(*slot->bufs));
	for (i = 0; i < info->numBufferMappings; i++) {
		const QAicBufferMappings *m = &info->bufferMappings[i];
		QBuffer *b = &slot->bufs[m->index];

		b->type = QBUFFER_TYPE_HEAP;
		b->size = m->size;
		b->buf = xcalloc(m->size, 1);
		if (m->ioType == BUFFER_IO_TYPE_INPUT)
			fill_bounded_random(b->buf, m->size, m->dataType,
					    &w->seed);
	}
	/* LLM sequences set their data before each enqueue */
	if (simapp_llm_mode()) {
		if (simapp_llm_setup(slot, info, prog->name)) {
			check("--prefill/--decode", QS_INVAL);
			return -1;
		}
	} else if (CALL(qaicExecObjSetData, slot->eo, slot->num_bufs, slot->bufs)) {
		return -1;
	}
	if (opts->completion == SIMAPP_COMPLETION_WAIT)
		return 0;
	if (CALL(qaicCreateEvent, ctx->context, &slot->event,
		 QAIC_EVENT_DEVICE_COMPLETE))
		return -1;
	if (opts->completion == SIMAPP_COMPLETION_CALLBACK &&
	    CALL(qaicEventAddCallback, slot->event, simapp_event_callback, slot))
		return -1;
	return 0;
}

static int setup_program(struct simapp_ctx *ctx, struct simapp_prog *prog)
{
	unsigned int a;

	if (CALL(qaicOpenQpcFile, &prog->qpc, prog->name))
		return -1;
	prog->inst = xcalloc(opts->activations, sizeof(*prog->inst));
	for (a = 0; a < opts->activations; a++)
		if (setup_instance(ctx, prog, &prog->inst[a]))
			return -1;
	return 0;
}

/* Exec objects: after the group, if any, was enabled. */
static int setup_slots(struct simapp_ctx *ctx, struct simapp_prog *prog)
{
	unsigned int a, t, j;

	for (a = 0; ctx->group && a < opts->activations; a++)
		if (CALL(qaicProgramGetInfo, prog->inst[a].program,
			 &prog->inst[a].info))
			return -1;
	prog->workers = xcalloc(opts->threads, sizeof(*prog->workers));
	for (t = 0; t < opts->threads; t++) {
		struct simapp_worker *w = &prog->workers[t];

		simapp_worker_init(w, prog, opts->set_size,
				   opts->seed + 7919u * (t + 1) +
				   104729u * prog->index);
		w->quota = opts->num_iter / opts->threads +
			   (t < opts->num_iter % opts->threads);
		for (j = 0; j < opts->set_size; j++)
			if (setup_slot(ctx, w, &w->slots[j],
				       t * opts->set_size + j))
				return -1;
	}
	return 0;
}

/* ---- release (continues past failures, reporting only the first) ------- */

static void release_slot(struct simapp_slot *slot)
{
	uint32_t i;

	if (slot->eo)
		CALL(qaicReleaseExecObj, slot->eo);
	if (slot->event)
		CALL(qaicReleaseEvent, slot->event);
	for (i = 0; i < slot->num_bufs; i++)
		free(slot->bufs[i].buf);
	free(slot->bufs);
	simapp_llm_free(slot);
}

/* Queues go last: after the programs and the QPC (docs/CONTRACTS.md §1.3). */
static void release_queues(const struct simapp_ctx *ctx, struct simapp_inst *inst)
{
	unsigned int q;

	for (q = 0; !ctx->group && inst->queues && q < opts->queues; q++)
		if (inst->queues[q])
			CALL(qaicReleaseQueue, inst->queues[q]);
	free(inst->queues);
	inst->queues = NULL;
}

static void release_program(const struct simapp_ctx *ctx,
			    struct simapp_prog *prog)
{
	unsigned int a, t, j;

	for (t = 0; prog->workers && t < opts->threads; t++) {
		for (j = 0; j < opts->set_size; j++)
			release_slot(&prog->workers[t].slots[j]);
		simapp_worker_destroy(&prog->workers[t]);
	}
	free(prog->workers);
	/* Programs before the QPC they were created from, queues last; a
	 * group's programs and queue go with the group. */
	for (a = 0; !ctx->group && prog->inst && a < opts->activations; a++) {
		struct simapp_inst *inst = &prog->inst[a];

		if (inst->activated)
			CALL(qaicRunActivationCmd, inst->program,
			     QAIC_PROGRAM_CMD_DEACTIVATE_FULL);
		inst->activated = false;
		if (inst->loaded)
			CALL(qaicUnloadProgram, inst->program);
		inst->loaded = false;
		if (inst->program)
			CALL(qaicReleaseProgram, inst->program);
		inst->program = NULL;
	}
	if (prog->qpc)
		CALL(qaicCloseQpc, prog->qpc);
	for (a = 0; prog->inst && a < opts->activations; a++)
		release_queues(ctx, &prog->inst[a]);
}

/* --program-group: one group on the device, its queue for everything. */
static int setup_group(struct simapp_ctx *ctx)
{
	QAicProgramGroupProperties_t props;

	if (CALL(qaicProgramGroupPropertiesInitDefault, &props))
		return -1;
	return CALL(qaicCreateProgramGroup, ctx->context, &ctx->group,
		    &ctx->group_queue, &props, "qaic-sim-app", opts->device) ?
	       -1 : 0;
}

/* Waits up to 60 s for what is in flight, as SDK samples do. */
static void release_group(struct simapp_ctx *ctx)
{
	if (!ctx->group)
		return;
	if (ctx->group_enabled)
		CALL(qaicProgramGroupDisable, ctx->group, true, 60000000);
	CALL(qaicReleaseProgramGroup, ctx->group);
	ctx->group = NULL;
}

/* ---- the run ------------------------------------------------------------- */

bool simapp_should_stop(void)
{
	return atomic_load(&stop_all);
}

bool simapp_check(const char *fn, QStatus st)
{
	return check(fn, st);
}

const struct simapp_api *simapp_api_get(void)
{
	return api;
}

const struct simapp_options *simapp_opts_get(void)
{
	return opts;
}

static int run_workers(struct simapp_ctx *ctx)
{
	unsigned int p, t, n = ctx->num_progs * opts->threads, started = 0;
	pthread_barrier_t barrier;
	uint64_t t0;
	int err;

	if (pthread_barrier_init(&barrier, NULL, n + 1)) {
		fprintf(stderr, "%s: pthread_barrier_init failed\n",
			simapp_progname);
		return -1;
	}
	for (p = 0; p < ctx->num_progs; p++) {
		for (t = 0; t < opts->threads; t++) {
			struct simapp_worker *w = &ctx->progs[p].workers[t];

			w->barrier = &barrier;
			err = pthread_create(&w->tid, NULL, simapp_worker_main, w);
			if (err) {
				fprintf(stderr, "%s: pthread_create: %s\n",
					simapp_progname, strerror(err));
				exit(SIMAPP_EXIT_RUNTIME);
			}
			started++;
		}
	}
	t0 = now_us();
	for (p = 0; p < ctx->num_progs; p++)
		ctx->progs[p].start_us = t0;
	pthread_barrier_wait(&barrier);
	for (p = 0; p < ctx->num_progs; p++) {
		struct simapp_prog *prog = &ctx->progs[p];

		prog->end_us = t0;
		for (t = 0; t < opts->threads; t++) {
			struct simapp_worker *w = &prog->workers[t];

			pthread_join(w->tid, NULL);
			prog->done += w->completed;
			prog->failed += w->failed;
			if (w->end_us > prog->end_us)
				prog->end_us = w->end_us;
		}
	}
	pthread_barrier_destroy(&barrier);
	return started == n ? 0 : -1;
}

static void print_stats(const struct simapp_prog *prog)
{
	uint64_t dur = prog->end_us - prog->start_us;
	uint32_t batch = prog->inst[0].info.batchSize;
	double rate = dur ? (double)prog->done * 1e6 / (double)dur * batch : 0;

	printf(" ---- Stats ----\n");
	printf("InferenceCnt %llu TotalDuration %lluus BatchSize %u Inf/Sec %.3f\n",
	       (unsigned long long)prog->done, (unsigned long long)dur, batch,
	       rate);
	if (opts->keep_going)
		printf("Failed inferences: %llu\n",
		       (unsigned long long)prog->failed);
}

/* --stop-on-sigint: the workers stop issuing, as at the end of --time. */
static void on_sigint(int sig)
{
	static const char msg[] =
		"SIGINT: no new inference; completing those in flight\n";

	(void)sig;
	atomic_store(&stop_all, true);
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		return;
}

static void catch_sigint(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

int simapp_run(const struct simapp_options *options,
	       const struct simapp_api *dispatch)
{
	struct simapp_ctx ctx = { 0 };
	QID devices[16];
	uint32_t ndevices = 1;
	unsigned int p;
	int rc = 0;

	api = dispatch;
	opts = options;
	simapp_truth_init();
	devices[0] = opts->device;
	if (opts->dev_mapping) {
		ndevices = opts->num_map_devs;
		memcpy(devices, opts->map_devs, ndevices * sizeof(devices[0]));
	}
	if (opts->stop_on_sigint)
		catch_sigint();
	ctx.num_progs = opts->num_programs;
	ctx.progs = xcalloc(ctx.num_progs, sizeof(*ctx.progs));
	for (p = 0; p < ctx.num_progs; p++) {
		ctx.progs[p].name = opts->programs[p];
		ctx.progs[p].index = p;
	}

	if (CALL(qaicCreateContext, &ctx.context, NULL, ndevices, devices, NULL,
		 NULL, NULL, NULL))
		goto out;
	if (opts->program_group && setup_group(&ctx))
		goto release;
	for (p = 0; p < ctx.num_progs; p++)
		if (setup_program(&ctx, &ctx.progs[p]))
			goto release;
	if (ctx.group) {
		if (CALL(qaicProgramGroupEnable, ctx.group))
			goto release;
		ctx.group_enabled = true;
	}
	for (p = 0; p < ctx.num_progs; p++)
		if (setup_slots(&ctx, &ctx.progs[p]))
			goto release;
	printf("Using bounded random inputs\n");
	fflush(stdout);
	if (run_workers(&ctx))
		rc = -1;
release:
	for (p = 0; p < ctx.num_progs; p++)
		release_program(&ctx, &ctx.progs[p]);
	release_group(&ctx);
	if (ctx.context)
		CALL(qaicReleaseContext, ctx.context);
out:
	if (!run_failed() && rc == 0) {
		for (p = 0; p < ctx.num_progs; p++) {
			print_stats(&ctx.progs[p]);
			simapp_print_device_perf(&ctx.progs[p], opts);
		}
	}
	for (p = 0; p < ctx.num_progs; p++)
		free(ctx.progs[p].inst);
	free(ctx.progs);
	fflush(stdout);
	return run_failed() || rc ? SIMAPP_EXIT_RUNTIME : SIMAPP_EXIT_OK;
}
