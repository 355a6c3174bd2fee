/* SPDX-License-Identifier: MIT */
/*
 * The API boundary: exported wrappers of the QAic C API (docs/EVENTS.md).
 *
 * Each wrapper forwards its arguments unchanged to the runtime's function
 * and returns its status with errno as the runtime left it.
 *
 * Fast path: every exported wrapper is API_ENTRY's body, a load of the real
 * function's pointer, a load and test of the tracepoint's state and a tail
 * call (jmp) to the runtime: no stack frame, no register saved (check with
 * objdump -d).  Everything else (first-call resolution, which also loads
 * LTTng-UST; tracing) is in a separate noinline function, slow_<name>,
 * entered with the application's return address.  When enabled, one event is
 * emitted at return, with begin_ts read at entry; qaicEnqueueExecObj also
 * has an entry event, because the runtime may submit the inference before
 * the call returns.
 *
 * A per-thread depth counter keeps calls the runtime makes to its own
 * exported API (inside an API call) from being recorded twice; the
 * callback trampolines reset it, because the application's callback is
 * application code.  QPROF_KERNEL_ONLY=1 turns every wrapper into a pure
 * pass-through.  Out-parameters, names and buffer sizes are read only
 * after a successful call: the runtime has validated them by then.
 */
#include "shim.h"

struct api_call {
	struct qprof_tp_call c;
};

/*
 * Enqueue numbers: unique in the process, handed to each thread in blocks
 * so that enqueues on different threads never write one shared cache line
 * (a contended atomic per inference costs more than an event).
 */
#define SEQ_BLOCK 64u
static atomic_ulong enqueue_seq;
static QP_TLS uint64_t seq_next, seq_end;

static uint64_t next_enqueue_seq(void)
{
	if (qp_unlikely(seq_next == seq_end)) {
		seq_next = atomic_fetch_add_explicit(&enqueue_seq, SEQ_BLOCK,
						     memory_order_relaxed);
		seq_end = seq_next + SEQ_BLOCK;
	}
	return seq_next++;
}

static __attribute__((always_inline)) inline bool
api_begin(struct api_call *a, bool enabled, const void *ip)
{
	if (qp_likely(!enabled) || qp_config.kernel_only || qp_api_depth)
		return false;
	qp_api_depth++;
	qp_call_begin(&a->c, ip);
	return true;
}

static __attribute__((always_inline)) inline void
api_end(struct api_call *a, QStatus st, const void *real)
{
	qp_api_depth--;
	a->c.status = (int32_t)st;
	qp_runtime_seen(real, true);
	qp_process_info_check(a->c.ip);
	if (qp_unlikely(qp_config.callstack))
		qp_callstack_emit(&a->c);
}

static QStatus no_runtime(enum qp_fn fn)
{
	qp_debug("%s called but no QAic runtime provides it", qp_fn_names[fn]);
	return QS_ERROR;
}

#define REAL(fname)							\
	__typeof__(&fname) real =					\
		(__typeof__(&fname))qp_real_api(QP_FN_##fname);		\
	if (qp_unlikely(!real))						\
		return no_runtime(QP_FN_##fname)

#define TRACING(a, tp)							\
	api_begin(&(a), lttng_ust_tracepoint_enabled(qprof, tp), ip)

#define QP_UNPAREN(...) __VA_ARGS__

/* The real function, or NULL before its first resolution. */
static inline void *fn_peek(enum qp_fn fn)
{
	return atomic_load_explicit(&qp_fn_real[fn], memory_order_acquire);
}
#define CALLBACKS_WRAPPED						\
	atomic_load_explicit(&qp_callbacks_wrapped, memory_order_relaxed)
#define QP_SLOW static __attribute__((noinline)) QStatus

/*
 * The exported wrapper `fname PARAMS`: calls slow_<fname>(ip, ARGS) when
 * the function is not resolved yet, when tracepoint tp is enabled, or when
 * `extra` holds (state the slow path must keep up to date); otherwise
 * tail-calls the runtime.
 */
#define API_ENTRY(fname, tp, extra, PARAMS, ARGS)			\
	QP_EXPORT QStatus fname PARAMS					\
	{								\
		__typeof__(&fname) real =				\
			(__typeof__(&fname))fn_peek(QP_FN_##fname);	\
									\
		if (qp_unlikely(!real) ||				\
		    lttng_ust_tracepoint_enabled(qprof, tp) || (extra))	\
			return slow_##fname(__builtin_return_address(0), \
					    QP_UNPAREN ARGS);		\
		return real ARGS;					\
	}

/*
 * The same for functions with arguments on the stack (more than 6 on
 * x86-64): one more argument would make the call to the slow path a real
 * call, and gcc would then set up a frame on the fast path too.  The
 * return address goes through a thread-local instead, and slow_<fname>
 * takes exactly the wrapper's arguments (a tail call).
 */
static QP_TLS const void *slow_ip;

#define API_ENTRY_STACKARGS(fname, tp, PARAMS, ARGS)			\
	QP_EXPORT QStatus fname PARAMS					\
	{								\
		__typeof__(&fname) real =				\
			(__typeof__(&fname))fn_peek(QP_FN_##fname);	\
									\
		if (qp_unlikely(!real) ||				\
		    lttng_ust_tracepoint_enabled(qprof, tp)) {		\
			slow_ip = __builtin_return_address(0);		\
			return slow_##fname ARGS;			\
		}							\
		return real ARGS;					\
	}

/* Read *pp after a successful call, NULL otherwise. */
#define OUT(st, pp) ((st) == QS_SUCCESS && (pp) ? (const void *)*(pp) : NULL)

/* ---- calls on one object ------------------------------------------- */

#define OBJ_HOOK(fname, tp, type)					\
	QP_SLOW slow_##fname(const void *ip, type *obj)			\
	{								\
		struct api_call a;					\
		QStatus st;						\
		int err;						\
		REAL(fname);						\
									\
		if (!TRACING(a, tp))					\
			return real(obj);				\
		st = real(obj);						\
		err = errno;						\
		api_end(&a, st, (const void *)real);			\
		lttng_ust_do_tracepoint(qprof, tp, &a.c, obj);		\
		errno = err;						\
		return st;						\
	}								\
	API_ENTRY(fname, tp, 0, (type *obj), (obj))

OBJ_HOOK(qaicReleaseContext, api_context_release, QAicContext)
OBJ_HOOK(qaicCloseQpc, api_qpc_close, QAicQpcObj)
OBJ_HOOK(qaicLoadProgram, api_program_load, QAicProgram)
OBJ_HOOK(qaicUnloadProgram, api_program_unload, QAicProgram)
OBJ_HOOK(qaicReleaseProgram, api_program_release, QAicProgram)
OBJ_HOOK(qaicReleaseQueue, api_queue_release, QAicQueue)
OBJ_HOOK(qaicReleaseExecObj, api_execobj_release, QAicExecObj)
OBJ_HOOK(qaicEventClear, api_event_clear, QAicEvent)
OBJ_HOOK(qaicWaitforEvent, api_event_wait, QAicEvent)

QP_SLOW slow_qaicReleaseEvent(const void *ip, QAicEvent *event)
{
	struct api_call a;
	QStatus st;
	int err;
	bool on;
	REAL(qaicReleaseEvent);

	on = TRACING(a, api_event_release);
	st = real(event);
	err = errno;
	if (st == QS_SUCCESS)
		qp_callback_forget_event(event);
	if (on) {
		api_end(&a, st, (const void *)real);
		lttng_ust_do_tracepoint(qprof, api_event_release, &a.c, event);
	}
	errno = err;
	return st;
}

API_ENTRY(qaicReleaseEvent, api_event_release, CALLBACKS_WRAPPED,
	  (QAicEvent *event),
	  (event))

/* ---- context, QPC, program, queue ---------------------------------- */

QP_SLOW slow_qaicCreateContext(QAicContext **ctx,
			       QAicContextProperties_t *props,
			       uint32_t numDevices, QID *devList,
			       QAicLogCallback logCb, void *logUserData,
			       QAicErrorHandler errorHandler, void *errUserData)
{
	const void *ip = slow_ip;
	struct api_call a;
	QStatus st;
	int err;
	int32_t dev0 = -1;
	REAL(qaicCreateContext);

	if (!TRACING(a, api_context_create))
		return real(ctx, props, numDevices, devList, logCb,
			    logUserData, errorHandler, errUserData);
	st = real(ctx, props, numDevices, devList, logCb, logUserData,
		  errorHandler, errUserData);
	err = errno;
	if (st == QS_SUCCESS && devList && numDevices)
		dev0 = devList[0];
	api_end(&a, st, (const void *)real);
	lttng_ust_do_tracepoint(qprof, api_context_create, &a.c, OUT(st, ctx),
				numDevices, dev0);
	errno = err;
	return st;
}

API_ENTRY_STACKARGS(qaicCreateContext, api_context_create,
	  (QAicContext **ctx, QAicContextProperties_t *props,
	   uint32_t numDevices, QID *devList, QAicLogCallback logCb,
	   void *logUserData, QAicErrorHandler errorHandler, void *errUserData),
	  (ctx, props, numDevices, devList, logCb, logUserData, errorHandler,
	   errUserData))

QP_SLOW slow_qaicOpenQpc(const void *ip, QAicQpcObj **qpc, const uint8_t *buf,
			 size_t size, bool copy)
{
	struct api_call a;
	QStatus st;
	int err;
	REAL(qaicOpenQpc);

	if (!TRACING(a, api_qpc_open))
		return real(qpc, buf, size, copy);
	st = real(qpc, buf, size, copy);
	err = errno;
	api_end(&a, st, (const void *)real);
	lttng_ust_do_tracepoint(qprof, api_qpc_open, &a.c, OUT(st, qpc), "",
				(uint64_t)size);
	errno = err;
	return st;
}

API_ENTRY(qaicOpenQpc, api_qpc_open, 0,
	  (QAicQpcObj **qpc, const uint8_t *buf, size_t size, bool copy),
	  (qpc, buf, size, copy))

QP_SLOW slow_qaicOpenQpcFile(const void *ip, QAicQpcObj **qpc, const char *path)
{
	struct api_call a;
	QStatus st;
	int err;
	REAL(qaicOpenQpcFile);

	if (!TRACING(a, api_qpc_open))
		return real(qpc, path);
	st = real(qpc, path);
	err = errno;
	api_end(&a, st, (const void *)real);
	lttng_ust_do_tracepoint(qprof, api_qpc_open, &a.c, OUT(st, qpc),
				st == QS_SUCCESS && path ? path : "", 0);
	errno = err;
	return st;
}

API_ENTRY(qaicOpenQpcFile, api_qpc_open, 0,
	  (QAicQpcObj **qpc, const char *path),
	  (qpc, path))

QP_SLOW slow_qaicCreateProgram(const void *ip, QAicContext *ctx,
			       QAicProgram **program,
			       QAicProgramProperties_t *props, QID dev,
			       const char *name, QAicQpcObj *qpc)
{
	struct api_call a;
	QStatus st;
	int err;
	REAL(qaicCreateProgram);

	if (!TRACING(a, api_program_create))
		return real(ctx, program, props, dev, name, qpc);
	st = real(ctx, program, props, dev, name, qpc);
	err = errno;
	api_end(&a, st, (const void *)real);
	lttng_ust_do_tracepoint(qprof, api_program_create, &a.c, ctx,
				OUT(st, program), dev,
				st == QS_SUCCESS && name ? name : "", qpc);
	errno = err;
	return st;
}

API_ENTRY(qaicCreateProgram, api_program_create, 0,
	  (QAicContext *ctx, QAicProgram **program,
	   QAicProgramProperties_t *props, QID dev, const char *name,
	   QAicQpcObj *qpc),
	  (ctx, program, props, dev, name, qpc))

QP_SLOW slow_qaicRunActivationCmd(const void *ip, QAicProgram *program,
				  QAicProgramActivationCmd cmd)
{
	struct api_call a;
	QStatus st;
	int err;
	REAL(qaicRunActivationCmd);

	if (!TRACING(a, api_program_activation))
		return real(program, cmd);
	st = real(program, cmd);
	err = errno;
	api_end(&a, st, (const void *)real);
	lttng_ust_do_tracepoint(qprof, api_program_activation, &a.c, program,
				(uint32_t)cmd);
	errno = err;
	return st;
}

API_ENTRY(qaicRunActivationCmd, api_program_activation, 0,
	  (QAicProgram *program, QAicProgramActivationCmd cmd),
	  (program, cmd))

QP_SLOW slow_qaicCreateQueue(const void *ip, QAicContext *ctx,
			     QAicQueue **queue, QAicQueueProperties *props,
			     QID dev)
{
	struct api_call a;
	QStatus st;
	int err;
	REAL(qaicCreateQueue);

	if (!TRACING(a, api_queue_create))
		return real(ctx, queue, props, dev);
	st = real(ctx, queue, props, dev);
	err = errno;
	api_end(&a, st, (const void *)real);
	lttng_ust_do_tracepoint(qprof, api_queue_create, &a.c, ctx,
				OUT(st, queue), dev,
				st == QS_SUCCESS && props ?
					props->numThreadsPerQueue : 0);
	errno = err;
	return st;
}

API_ENTRY(qaicCreateQueue, api_queue_create, 0,
	  (QAicContext *ctx, QAicQueue **queue, QAicQueueProperties *props,
	   QID dev),
	  (ctx, queue, props, dev))

/* ---- exec objects and inferences ------------------------------------ */

QP_SLOW slow_qaicCreateExecObj(QAicContext *ctx, QAicExecObj **execObj,
			       QAicExecObjProperties_t *props,
			       QAicProgram *program, const QData *ioDesc,
			       uint32_t *numBuffers, QBuffer **buffers)
{
	const void *ip = slow_ip;
	struct api_call a;
	QStatus st;
	int err;
	REAL(qaicCreateExecObj);

	if (!TRACING(a, api_execobj_create))
		return real(ctx, execObj, props, program, ioDesc, numBuffers,
			    buffers);
	st = real(ctx, execObj, props, program, ioDesc, numBuffers, buffers);
	err = errno;
	api_end(&a, st, (const void *)real);
	lttng_ust_do_tracepoint(qprof, api_execobj_create, &a.c, ctx,
				OUT(st, execObj), program);
	errno = err;
	return st;
}

API_ENTRY_STACKARGS(qaicCreateExecObj, api_execobj_create,
	  (QAicContext *ctx, QAicExecObj **execObj,
	   QAicExecObjProperties_t *props, QAicProgram *program,
	   const QData *ioDesc, uint32_t *numBuffers, QBuffer **buffers),
	  (ctx, execObj, props, program, ioDesc, numBuffers, buffers))

static uint64_t total_bytes(QStatus st, uint32_t n, const QBuffer *buffers)
{
	uint64_t total = 0;
	uint32_t i;

	if (st != QS_SUCCESS || !buffers)
		return 0;
	for (i = 0; i < n; i++)
		total += buffers[i].size;
	return total;
}

QP_SLOW slow_qaicExecObjSetData(const void *ip, QAicExecObj *execObj,
				uint32_t numBuffers, const QBuffer *buffers)
{
	struct api_call a;
	QStatus st;
	int err;
	REAL(qaicExecObjSetData);

	if (!TRACING(a, api_execobj_set_data))
		return real(execObj, numBuffers, buffers);
	st = real(execObj, numBuffers, buffers);
	err = errno;
	api_end(&a, st, (const void *)real);
	lttng_ust_do_tracepoint(qprof, api_execobj_set_data, &a.c, execObj,
				numBuffers,
				total_bytes(st, numBuffers, buffers), 0);
	errno = err;
	return st;
}

API_ENTRY(qaicExecObjSetData, api_execobj_set_data, 0,
	  (QAicExecObj *execObj, uint32_t numBuffers, const QBuffer *buffers),
	  (execObj, numBuffers, buffers))

QP_SLOW slow_qaicExecObjSetDataExt(const void *ip, QAicExecObj *execObj,
				   uint32_t numBuffers, const QBuffer *buffers,
				   const QBufferDimensions *dims)
{
	struct api_call a;
	QStatus st;
	int err;
	REAL(qaicExecObjSetDataExt);

	if (!TRACING(a, api_execobj_set_data))
		return real(execObj, numBuffers, buffers, dims);
	st = real(execObj, numBuffers, buffers, dims);
	err = errno;
	api_end(&a, st, (const void *)real);
	lttng_ust_do_tracepoint(qprof, api_execobj_set_data, &a.c, execObj,
				numBuffers,
				total_bytes(st, numBuffers, buffers), 1);
	errno = err;
	return st;
}

API_ENTRY(qaicExecObjSetDataExt, api_execobj_set_data, 0,
	  (QAicExecObj *execObj, uint32_t numBuffers, const QBuffer *buffers,
	   const QBufferDimensions *dims),
	  (execObj, numBuffers, buffers, dims))

QP_SLOW slow_qaicEnqueueExecObj(const void *ip, QAicQueue *queue,
				QAicExecObj *execObj, QAicEvent *event)
{
	struct api_call a;
	uint64_t seq;
	QStatus st;
	int err;
	REAL(qaicEnqueueExecObj);

	if (!TRACING(a, api_enqueue_entry))
		return real(queue, execObj, event);
	seq = next_enqueue_seq();
	qp_runtime_seen((const void *)real, true);
	qp_process_info_check(a.c.ip);
	if (qp_unlikely(qp_config.callstack))
		qp_callstack_emit(&a.c);
	lttng_ust_do_tracepoint(qprof, api_enqueue_entry, &a.c, seq, queue,
				execObj, event);
	st = real(queue, execObj, event);
	err = errno;
	qp_api_depth--;
	a.c.status = (int32_t)st;
	if (lttng_ust_tracepoint_enabled(qprof, api_enqueue_exit))
		lttng_ust_do_tracepoint(qprof, api_enqueue_exit, &a.c, seq);
	errno = err;
	return st;
}

API_ENTRY(qaicEnqueueExecObj, api_enqueue_entry, 0,
	  (QAicQueue *queue, QAicExecObj *execObj, QAicEvent *event),
	  (queue, execObj, event))

QP_SLOW slow_qaicExecObjWaitForCompletion(const void *ip, QAicExecObj *execObj,
					  uint32_t timeoutUs)
{
	struct api_call a;
	QStatus st;
	int err;
	REAL(qaicExecObjWaitForCompletion);

	if (!TRACING(a, api_execobj_wait))
		return real(execObj, timeoutUs);
	st = real(execObj, timeoutUs);
	err = errno;
	api_end(&a, st, (const void *)real);
	lttng_ust_do_tracepoint(qprof, api_execobj_wait, &a.c, execObj,
				timeoutUs);
	errno = err;
	return st;
}

API_ENTRY(qaicExecObjWaitForCompletion, api_execobj_wait, 0,
	  (QAicExecObj *execObj, uint32_t timeoutUs),
	  (execObj, timeoutUs))

/* ---- events and callbacks ------------------------------------------- */

QP_SLOW slow_qaicCreateEvent(const void *ip, QAicContext *ctx,
			     QAicEvent **event, QAicEventCompletionType type)
{
	struct api_call a;
	QStatus st;
	int err;
	REAL(qaicCreateEvent);

	if (!TRACING(a, api_event_create))
		return real(ctx, event, type);
	st = real(ctx, event, type);
	err = errno;
	api_end(&a, st, (const void *)real);
	lttng_ust_do_tracepoint(qprof, api_event_create, &a.c, ctx,
				OUT(st, event), (uint32_t)type);
	errno = err;
	return st;
}

API_ENTRY(qaicCreateEvent, api_event_create, 0,
	  (QAicContext *ctx, QAicEvent **event, QAicEventCompletionType type),
	  (ctx, event, type))

/*
 * The callback is wrapped whether or not a session records now, so that a
 * session started later still sees it entered.
 */
QP_EXPORT QStatus qaicEventAddCallback(QAicEvent *event, QAicEventCallback cb,
				       void *userData)
{
	const void *ip = __builtin_return_address(0);
	QAicEventCallback reg;
	struct api_call a;
	QStatus st;
	int err;
	bool on;
	REAL(qaicEventAddCallback);

	if (qp_config.kernel_only)
		return real(event, cb, userData);
	reg = qp_callback_wrap(event, cb);
	on = TRACING(a, api_event_callback_reg);
	st = real(event, reg, userData);
	err = errno;
	if (st != QS_SUCCESS && reg != cb)
		qp_callback_forget_slot(reg);
	if (on) {
		api_end(&a, st, (const void *)real);
		lttng_ust_do_tracepoint(qprof, api_event_callback_reg, &a.c,
					event, (const void *)cb, userData, 1);
	}
	errno = err;
	return st;
}

QP_SLOW slow_qaicEventRemoveCallback(const void *ip, QAicEvent *event,
				     QAicEventCallback cb)
{
	QAicEventCallback reg;
	struct api_call a;
	QStatus st;
	int err;
	bool on;
	REAL(qaicEventRemoveCallback);

	reg = qp_config.kernel_only ? cb : qp_callback_find(event, cb);
	on = TRACING(a, api_event_callback_reg);
	st = real(event, reg);
	err = errno;
	if (st == QS_SUCCESS && reg != cb)
		qp_callback_forget_slot(reg);
	if (on) {
		api_end(&a, st, (const void *)real);
		lttng_ust_do_tracepoint(qprof, api_event_callback_reg, &a.c,
					event, (const void *)cb, NULL, 0);
	}
	errno = err;
	return st;
}

API_ENTRY(qaicEventRemoveCallback, api_event_callback_reg, CALLBACKS_WRAPPED,
	  (QAicEvent *event, QAicEventCallback cb),
	  (event, cb))

/* ---- function table -------------------------------------------------- */

QP_EXPORT const QAicApiFunctionTable *qaicGetFunctionTable(void)
{
	const void *ip = __builtin_return_address(0);
	const QAicApiFunctionTable *(*real)(void);
	const QAicApiFunctionTable *table, *copy;
	unsigned int wrapped = 0, words = 0;
	struct api_call a;
	bool on;
	int err;

	real = (const QAicApiFunctionTable *(*)(void))qp_real_api(
		QP_FN_qaicGetFunctionTable);
	if (!real) {
		no_runtime(QP_FN_qaicGetFunctionTable);
		return NULL;
	}
	on = TRACING(a, api_function_table);
	table = real();
	err = errno;
	copy = table && !qp_config.kernel_only ?
		       qp_table_copy(table, &wrapped, &words) : NULL;
	if (on) {
		api_end(&a, QS_SUCCESS, (const void *)real);
		lttng_ust_do_tracepoint(qprof, api_function_table, &a.c, table,
					copy ? copy : table, wrapped, words);
	}
	errno = err;
	return copy ? copy : table;
}

/* ---- program groups ------------------------------------------------ */

OBJ_HOOK(qaicProgramGroupEnable, api_program_group_enable, QAicProgramGroup)
OBJ_HOOK(qaicReleaseProgramGroup, api_program_group_release, QAicProgramGroup)

QP_SLOW slow_qaicCreateProgramGroup(const void *ip, QAicContext *ctx,
				    QAicProgramGroup **group,
				    QAicQueue **queue,
				    QAicProgramGroupProperties_t *props,
				    const char *name, QID dev)
{
	struct api_call a;
	uint32_t over = 0, proto = 0;
	QStatus st;
	int err;
	REAL(qaicCreateProgramGroup);

	if (!TRACING(a, api_program_group_create))
		return real(ctx, group, queue, props, name, dev);
	st = real(ctx, group, queue, props, name, dev);
	err = errno;
	if (st == QS_SUCCESS && props) {
		over = (uint32_t)props->enableOversubscription;
		proto = (uint32_t)props->protocolSelect;
	}
	api_end(&a, st, (const void *)real);
	lttng_ust_do_tracepoint(qprof, api_program_group_create, &a.c, ctx,
				OUT(st, group), OUT(st, queue), dev,
				st == QS_SUCCESS && name ? name : "", over,
				proto);
	errno = err;
	return st;
}

API_ENTRY(qaicCreateProgramGroup, api_program_group_create, 0,
	  (QAicContext *ctx, QAicProgramGroup **group, QAicQueue **queue,
	   QAicProgramGroupProperties_t *props, const char *name, QID dev),
	  (ctx, group, queue, props, name, dev))

QP_SLOW slow_qaicProgramGroupAddProgram(const void *ip,
					QAicProgramGroup *group,
					QAicQpcObj *qpc,
					QAicProgram **program,
					QAicProgramProperties_t *props)
{
	struct api_call a;
	QStatus st;
	int err;
	REAL(qaicProgramGroupAddProgram);

	if (!TRACING(a, api_program_group_add))
		return real(group, qpc, program, props);
	st = real(group, qpc, program, props);
	err = errno;
	api_end(&a, st, (const void *)real);
	lttng_ust_do_tracepoint(qprof, api_program_group_add, &a.c, group, qpc,
				OUT(st, program));
	errno = err;
	return st;
}

API_ENTRY(qaicProgramGroupAddProgram, api_program_group_add, 0,
	  (QAicProgramGroup *group, QAicQpcObj *qpc, QAicProgram **program,
	   QAicProgramProperties_t *props),
	  (group, qpc, program, props))

QP_SLOW slow_qaicProgramGroupDisable(const void *ip, QAicProgramGroup *group,
				     bool waitForIdle, uint32_t timeoutUs)
{
	struct api_call a;
	QStatus st;
	int err;
	REAL(qaicProgramGroupDisable);

	if (!TRACING(a, api_program_group_disable))
		return real(group, waitForIdle, timeoutUs);
	st = real(group, waitForIdle, timeoutUs);
	err = errno;
	api_end(&a, st, (const void *)real);
	lttng_ust_do_tracepoint(qprof, api_program_group_disable, &a.c, group,
				(uint8_t)waitForIdle, timeoutUs);
	errno = err;
	return st;
}

API_ENTRY(qaicProgramGroupDisable, api_program_group_disable, 0,
	  (QAicProgramGroup *group, bool waitForIdle, uint32_t timeoutUs),
	  (group, waitForIdle, timeoutUs))

/* ---- the wrappers' own addresses ------------------------------------ */

/* Hidden aliases: their addresses are ours even if a symbol is interposed. */
#define QP_ALIAS(name)							\
	extern __typeof__(name) qp_hook_##name				\
		__attribute__((alias(#name), visibility("hidden")));
QP_API_HOOKED(QP_ALIAS)
#undef QP_ALIAS

#define QP_WRAPPER(name) [QP_FN_##name] = (void *)qp_hook_##name,
void *const qp_fn_wrappers[QP_FN_NUM_HOOKED] = {
	QP_API_HOOKED(QP_WRAPPER)
};
#undef QP_WRAPPER
