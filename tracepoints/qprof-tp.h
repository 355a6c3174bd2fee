/* SPDX-License-Identifier: MIT */
/*
 * The `qprof` LTTng-UST tracepoint provider: every event qprof records.
 *
 * This header is the contract between the shim (preload/, which emits) and
 * the post-processor (post/, which reads by event and field name).  Each
 * event is documented in docs/EVENTS.md.  Rules:
 *   - events carry facts (ids, handles, pointers, statuses, sizes, raw
 *     kernel perf-stat fields), never derived durations;
 *   - a call the shim observes is recorded as ONE event emitted when the
 *     call returns: its LTTng timestamp is the return, and `begin_ts` holds
 *     CLOCK_MONOTONIC ns at entry (the same clock LTTng-UST stamps events
 *     with, so the two are directly comparable).  The only exception is
 *     qaicEnqueueExecObj, which has an entry event too, because the runtime
 *     may submit the inference before the enqueue call returns;
 *   - every event carries the emitting `pid` and `tid`, so a trace needs no
 *     context fields to be assembled;
 *   - later versions add fields, never repurpose or remove them.
 *
 * Every event takes the call site as first argument `ip`: with
 * LTTNG_UST_TP_IP_PARAM set to it (see qprof-tp.c), LTTng's `ip` context
 * (lttng add-context -u -t ip) holds the application's return address, which
 * babeltrace2's debug-info filter resolves to function and line.
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER qprof

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./qprof-tp.h"

#if !defined(QPROF_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define QPROF_TP_H

#include <stdint.h>
#include <lttng/tracepoint.h>

#ifndef QPROF_TP_CALL_DEFINED
#define QPROF_TP_CALL_DEFINED
/* The call an event describes (filled by the shim on its stack). */
struct qprof_tp_call {
	const void *ip;		/* call site: the caller's return address */
	int32_t pid;
	int32_t tid;
	uint64_t begin_ts;	/* CLOCK_MONOTONIC ns at call entry */
	int32_t status;		/* QStatus, or ioctl()'s return value */
	int32_t err;		/* errno left by ioctl() (0 on success) */
};
#endif

/*
 * Every event's first argument `c` describes the observed call; which of
 * its members an event records is listed in its fields.
 */
#define QPROF_TP_COMMON_ARGS const struct qprof_tp_call *, c
#define QPROF_TP_COMMON_FIELDS					\
	lttng_ust_field_integer(int32_t, pid, c->pid)		\
	lttng_ust_field_integer(int32_t, tid, c->tid)
#define QPROF_TP_BEGIN_FIELD					\
	lttng_ust_field_integer(uint64_t, begin_ts, c->begin_ts)
#define QPROF_TP_STATUS_FIELD					\
	lttng_ust_field_integer(int32_t, status, c->status)
#define QPROF_TP_RET_FIELDS					\
	lttng_ust_field_integer(int32_t, ret, c->status)	\
	lttng_ust_field_integer(int32_t, err, c->err)

/* ==================================================================== */
/* Process                                                               */
/* ==================================================================== */

/*
 * Once per process, when the shim first sees a QAic runtime (a hooked API
 * call or an ioctl on an accel node), and again after fork in the child.
 * rt_* come from qaicGetAicVersion (0 / "" when unavailable, e.g. kernel-only).
 */
LTTNG_UST_TRACEPOINT_EVENT(qprof, process_info,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS,
		const char *, runtime_path, uint16_t, rt_major, uint16_t, rt_minor,
		const char *, rt_patch, const char *, rt_variant,
		const char *, shim_version, const char *, settings),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		lttng_ust_field_string(runtime_path, runtime_path)
		lttng_ust_field_integer(uint16_t, rt_major, rt_major)
		lttng_ust_field_integer(uint16_t, rt_minor, rt_minor)
		lttng_ust_field_string(rt_patch, rt_patch)
		lttng_ust_field_string(rt_variant, rt_variant)
		lttng_ust_field_string(shim_version, shim_version)
		/* "kmd_stats=auto kernel_only=0 callstack=0 ..." */
		lttng_ust_field_string(settings, settings)
	)
)

/* ==================================================================== */
/* API boundary (application <-> runtime)                                */
/* ==================================================================== */

/* A call on one object: qaicReleaseContext, qaicLoadProgram, ... */
LTTNG_UST_TRACEPOINT_EVENT_CLASS(qprof, api_obj_call,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, const void *, obj),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		QPROF_TP_BEGIN_FIELD
		QPROF_TP_STATUS_FIELD
		lttng_ust_field_integer_hex(uintptr_t, obj, (uintptr_t)obj)
	)
)
#define QPROF_API_OBJ_CALL(name)					\
	LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(qprof, api_obj_call, qprof, name, \
		LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, const void *, obj))
QPROF_API_OBJ_CALL(api_context_release)		/* obj = QAicContext* */
QPROF_API_OBJ_CALL(api_qpc_close)		/* obj = QAicQpcObj* */
QPROF_API_OBJ_CALL(api_program_load)		/* obj = QAicProgram* */
QPROF_API_OBJ_CALL(api_program_unload)		/* obj = QAicProgram* */
QPROF_API_OBJ_CALL(api_program_release)		/* obj = QAicProgram* */
QPROF_API_OBJ_CALL(api_queue_release)		/* obj = QAicQueue* */
QPROF_API_OBJ_CALL(api_execobj_release)		/* obj = QAicExecObj* */
QPROF_API_OBJ_CALL(api_event_clear)		/* obj = QAicEvent* */
QPROF_API_OBJ_CALL(api_event_wait)		/* qaicWaitforEvent, obj = QAicEvent* */
QPROF_API_OBJ_CALL(api_event_release)		/* obj = QAicEvent* */

LTTNG_UST_TRACEPOINT_EVENT(qprof, api_context_create,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, const void *, ctx, uint32_t, num_devices,
		int32_t, dev0),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		QPROF_TP_BEGIN_FIELD
		QPROF_TP_STATUS_FIELD
		lttng_ust_field_integer_hex(uintptr_t, ctx, (uintptr_t)ctx)
		lttng_ust_field_integer(uint32_t, num_devices, num_devices)
		lttng_ust_field_integer(int32_t, dev0, dev0)
	)
)

/* qaicOpenQpcFile (path set, size 0) or qaicOpenQpc (path "", size set). */
LTTNG_UST_TRACEPOINT_EVENT(qprof, api_qpc_open,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, const void *, qpc, const char *, path,
		uint64_t, size),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		QPROF_TP_BEGIN_FIELD
		QPROF_TP_STATUS_FIELD
		lttng_ust_field_integer_hex(uintptr_t, qpc, (uintptr_t)qpc)
		lttng_ust_field_string(path, path)
		lttng_ust_field_integer(uint64_t, size, size)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(qprof, api_program_create,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, const void *, ctx, const void *, program,
		int32_t, dev, const char *, name, const void *, qpc),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		QPROF_TP_BEGIN_FIELD
		QPROF_TP_STATUS_FIELD
		lttng_ust_field_integer_hex(uintptr_t, ctx, (uintptr_t)ctx)
		lttng_ust_field_integer_hex(uintptr_t, program, (uintptr_t)program)
		lttng_ust_field_integer(int32_t, dev, dev)
		lttng_ust_field_string(name, name)
		lttng_ust_field_integer_hex(uintptr_t, qpc, (uintptr_t)qpc)
	)
)

/* qaicRunActivationCmd: cmd 0 = ACTIVATE_FULL, 1 = DEACTIVATE_FULL. */
LTTNG_UST_TRACEPOINT_EVENT(qprof, api_program_activation,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, const void *, program, uint32_t, cmd),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		QPROF_TP_BEGIN_FIELD
		QPROF_TP_STATUS_FIELD
		lttng_ust_field_integer_hex(uintptr_t, program, (uintptr_t)program)
		lttng_ust_field_integer(uint32_t, cmd, cmd)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(qprof, api_queue_create,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, const void *, ctx, const void *, queue,
		int32_t, dev, uint32_t, num_threads),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		QPROF_TP_BEGIN_FIELD
		QPROF_TP_STATUS_FIELD
		lttng_ust_field_integer_hex(uintptr_t, ctx, (uintptr_t)ctx)
		lttng_ust_field_integer_hex(uintptr_t, queue, (uintptr_t)queue)
		lttng_ust_field_integer(int32_t, dev, dev)
		/* numThreadsPerQueue from the properties, 0 = default/NULL */
		lttng_ust_field_integer(uint32_t, num_threads, num_threads)
	)
)

/*
 * qaicCreateExecObj.  The BOs the runtime creates inside this call (on this
 * thread, between begin_ts and the event's timestamp) belong to execobj.
 */
LTTNG_UST_TRACEPOINT_EVENT(qprof, api_execobj_create,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, const void *, ctx, const void *, execobj,
		const void *, program),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		QPROF_TP_BEGIN_FIELD
		QPROF_TP_STATUS_FIELD
		lttng_ust_field_integer_hex(uintptr_t, ctx, (uintptr_t)ctx)
		lttng_ust_field_integer_hex(uintptr_t, execobj, (uintptr_t)execobj)
		lttng_ust_field_integer_hex(uintptr_t, program, (uintptr_t)program)
	)
)

/* qaicExecObjSetData (ext = 0) / qaicExecObjSetDataExt (ext = 1). */
LTTNG_UST_TRACEPOINT_EVENT(qprof, api_execobj_set_data,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, const void *, execobj, uint32_t, num_buffers,
		uint64_t, total_bytes, uint8_t, ext),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		QPROF_TP_BEGIN_FIELD
		QPROF_TP_STATUS_FIELD
		lttng_ust_field_integer_hex(uintptr_t, execobj, (uintptr_t)execobj)
		lttng_ust_field_integer(uint32_t, num_buffers, num_buffers)
		lttng_ust_field_integer(uint64_t, total_bytes, total_bytes)
		lttng_ust_field_integer(uint8_t, ext, ext)
	)
)

/*
 * qaicEnqueueExecObj entry.  seq is the shim's per-process inference number
 * (0, 1, 2, ...); (trace, pid, seq) identifies an inference.
 */
LTTNG_UST_TRACEPOINT_EVENT(qprof, api_enqueue_entry,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, uint64_t, seq,
		const void *, queue, const void *, execobj, const void *, event),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		lttng_ust_field_integer(uint64_t, seq, seq)
		lttng_ust_field_integer_hex(uintptr_t, queue, (uintptr_t)queue)
		lttng_ust_field_integer_hex(uintptr_t, execobj, (uintptr_t)execobj)
		lttng_ust_field_integer_hex(uintptr_t, event, (uintptr_t)event)
	)
)

/* qaicEnqueueExecObj return, same thread, same seq. */
LTTNG_UST_TRACEPOINT_EVENT(qprof, api_enqueue_exit,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, uint64_t, seq),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		lttng_ust_field_integer(uint64_t, seq, seq)
		QPROF_TP_STATUS_FIELD
	)
)

/* qaicExecObjWaitForCompletion. */
LTTNG_UST_TRACEPOINT_EVENT(qprof, api_execobj_wait,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, const void *, execobj, uint32_t, timeout),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		QPROF_TP_BEGIN_FIELD
		QPROF_TP_STATUS_FIELD
		lttng_ust_field_integer_hex(uintptr_t, execobj, (uintptr_t)execobj)
		lttng_ust_field_integer(uint32_t, timeout, timeout)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(qprof, api_event_create,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, const void *, ctx, const void *, event,
		uint32_t, completion_type),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		QPROF_TP_BEGIN_FIELD
		QPROF_TP_STATUS_FIELD
		lttng_ust_field_integer_hex(uintptr_t, ctx, (uintptr_t)ctx)
		lttng_ust_field_integer_hex(uintptr_t, event, (uintptr_t)event)
		lttng_ust_field_integer(uint32_t, completion_type, completion_type)
	)
)

/* qaicEventAddCallback (add = 1) / qaicEventRemoveCallback (add = 0). */
LTTNG_UST_TRACEPOINT_EVENT(qprof, api_event_callback_reg,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, const void *, event, const void *, callback,
		const void *, user_data, uint8_t, add),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		QPROF_TP_BEGIN_FIELD
		QPROF_TP_STATUS_FIELD
		lttng_ust_field_integer_hex(uintptr_t, event, (uintptr_t)event)
		lttng_ust_field_integer_hex(uintptr_t, callback, (uintptr_t)callback)
		lttng_ust_field_integer_hex(uintptr_t, user_data, (uintptr_t)user_data)
		lttng_ust_field_integer(uint8_t, add, add)
	)
)

/* The runtime enters / leaves the application's event callback. */
LTTNG_UST_TRACEPOINT_EVENT(qprof, api_callback_entry,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, const void *, event,
		uint32_t, completion, const void *, callback),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		lttng_ust_field_integer_hex(uintptr_t, event, (uintptr_t)event)
		lttng_ust_field_integer(uint32_t, completion, completion)
		lttng_ust_field_integer_hex(uintptr_t, callback, (uintptr_t)callback)
	)
)
LTTNG_UST_TRACEPOINT_EVENT(qprof, api_callback_exit,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, const void *, event),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		lttng_ust_field_integer_hex(uintptr_t, event, (uintptr_t)event)
	)
)

/*
 * qaicGetFunctionTable: table = what the runtime returned, copy = what the
 * application received; wrapped entries / words copied.
 */
LTTNG_UST_TRACEPOINT_EVENT(qprof, api_function_table,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, const void *, table,
		const void *, copy, uint32_t, wrapped, uint32_t, words),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		lttng_ust_field_integer_hex(uintptr_t, table, (uintptr_t)table)
		lttng_ust_field_integer_hex(uintptr_t, copy, (uintptr_t)copy)
		lttng_ust_field_integer(uint32_t, wrapped, wrapped)
		lttng_ust_field_integer(uint32_t, words, words)
	)
)

/*
 * Optional deeper call stack (QPROF_CALLSTACK=N): emitted on the same thread
 * immediately before the API event it belongs to.
 */
LTTNG_UST_TRACEPOINT_EVENT(qprof, api_callstack,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, const uint64_t *, ips,
		uint32_t, depth),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		lttng_ust_field_sequence_hex(uint64_t, ips, ips, uint32_t, depth)
	)
)

/* ==================================================================== */
/* Kernel boundary (runtime <-> accel driver): ioctl() on accel fds      */
/* ==================================================================== */
/* ret is ioctl()'s return value, err the errno it left (0 on success). */

LTTNG_UST_TRACEPOINT_EVENT(qprof, kmd_manage,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, int32_t, fd, uint32_t, count, uint32_t, len,
		int32_t, activated_dbc, int32_t, deactivated_dbc),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		lttng_ust_field_integer(int32_t, fd, fd)
		QPROF_TP_BEGIN_FIELD
		QPROF_TP_RET_FIELDS
		lttng_ust_field_integer(uint32_t, count, count)
		lttng_ust_field_integer(uint32_t, len, len)
		/* dbc_id of an ACTIVATE_FROM_DEV / DEACTIVATE request, else -1 */
		lttng_ust_field_integer(int32_t, activated_dbc, activated_dbc)
		lttng_ust_field_integer(int32_t, deactivated_dbc, deactivated_dbc)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(qprof, kmd_create_bo,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, int32_t, fd, uint64_t, size, uint32_t, handle),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		lttng_ust_field_integer(int32_t, fd, fd)
		QPROF_TP_BEGIN_FIELD
		QPROF_TP_RET_FIELDS
		lttng_ust_field_integer(uint64_t, size, size)
		lttng_ust_field_integer(uint32_t, handle, handle)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(qprof, kmd_mmap_bo,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, int32_t, fd, uint32_t, handle, uint64_t, offset),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		lttng_ust_field_integer(int32_t, fd, fd)
		QPROF_TP_RET_FIELDS
		lttng_ust_field_integer(uint32_t, handle, handle)
		lttng_ust_field_integer_hex(uint64_t, offset, offset)
	)
)

/* dir: 1 = to device (input), 2 = from device (output). */
LTTNG_UST_TRACEPOINT_EVENT(qprof, kmd_attach_slice,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, int32_t, fd, uint32_t, handle, uint32_t, dbc_id, uint32_t, dir,
		uint64_t, size, uint32_t, count),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		lttng_ust_field_integer(int32_t, fd, fd)
		QPROF_TP_RET_FIELDS
		lttng_ust_field_integer(uint32_t, handle, handle)
		lttng_ust_field_integer(uint32_t, dbc_id, dbc_id)
		lttng_ust_field_integer(uint32_t, dir, dir)
		lttng_ust_field_integer(uint64_t, size, size)
		lttng_ust_field_integer(uint32_t, count, count)
	)
)

/*
 * EXECUTE_BO (partial = 0) / PARTIAL_EXECUTE_BO (partial = 1).  handles[i]
 * and dirs[i] are the request's entries in order; resize[i] only for
 * partial executes (empty otherwise).
 */
LTTNG_UST_TRACEPOINT_EVENT(qprof, kmd_execute,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, int32_t, fd, uint32_t, dbc_id, uint8_t, partial,
		const uint32_t *, handles, const uint32_t *, dirs,
		const uint64_t *, resize, uint32_t, count, uint32_t, nresize),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		lttng_ust_field_integer(int32_t, fd, fd)
		QPROF_TP_BEGIN_FIELD
		QPROF_TP_RET_FIELDS
		lttng_ust_field_integer(uint32_t, dbc_id, dbc_id)
		lttng_ust_field_integer(uint8_t, partial, partial)
		lttng_ust_field_sequence(uint32_t, handles, handles, uint32_t, count)
		lttng_ust_field_sequence(uint32_t, dirs, dirs, uint32_t, count)
		lttng_ust_field_sequence(uint64_t, resize, resize, uint32_t, nresize)
	)
)

/* WAIT_BO: timeout in ms as passed (0 = driver default). */
LTTNG_UST_TRACEPOINT_EVENT(qprof, kmd_wait,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, int32_t, fd, uint32_t, handle, uint32_t, dbc_id,
		uint32_t, timeout_ms),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		lttng_ust_field_integer(int32_t, fd, fd)
		QPROF_TP_BEGIN_FIELD
		QPROF_TP_RET_FIELDS
		lttng_ust_field_integer(uint32_t, handle, handle)
		lttng_ust_field_integer(uint32_t, dbc_id, dbc_id)
		lttng_ust_field_integer(uint32_t, timeout_ms, timeout_ms)
	)
)

/*
 * PERF_STATS_BO, the runtime's (by_shim = 0) or the shim's own query right
 * after a successful WAIT_BO (by_shim = 1).  Arrays are the entries as the
 * kernel returned them (qaic_perf_stats_entry), in request order.
 */
LTTNG_UST_TRACEPOINT_EVENT(qprof, kmd_perf_stats,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, int32_t, fd, uint32_t, dbc_id, uint8_t, by_shim,
		const uint32_t *, handles, const uint32_t *, queue_level_before,
		const uint32_t *, num_queue_element,
		const uint32_t *, submit_latency_us,
		const uint32_t *, device_latency_us, uint32_t, count),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		lttng_ust_field_integer(int32_t, fd, fd)
		QPROF_TP_BEGIN_FIELD
		QPROF_TP_RET_FIELDS
		lttng_ust_field_integer(uint32_t, dbc_id, dbc_id)
		lttng_ust_field_integer(uint8_t, by_shim, by_shim)
		lttng_ust_field_sequence(uint32_t, handles, handles, uint32_t, count)
		lttng_ust_field_sequence(uint32_t, queue_level_before,
			queue_level_before, uint32_t, count)
		lttng_ust_field_sequence(uint32_t, num_queue_element,
			num_queue_element, uint32_t, count)
		lttng_ust_field_sequence(uint32_t, submit_latency_us,
			submit_latency_us, uint32_t, count)
		lttng_ust_field_sequence(uint32_t, device_latency_us,
			device_latency_us, uint32_t, count)
	)
)

/* GEM_CLOSE (detach = 0) / DETACH_SLICE_BO (detach = 1) of one BO. */
LTTNG_UST_TRACEPOINT_EVENT(qprof, kmd_bo_release,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, int32_t, fd, uint32_t, handle, uint8_t, detach),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		lttng_ust_field_integer(int32_t, fd, fd)
		QPROF_TP_RET_FIELDS
		lttng_ust_field_integer(uint32_t, handle, handle)
		lttng_ust_field_integer(uint8_t, detach, detach)
	)
)

/* Any other ioctl on an accel fd (unknown runtime / driver versions). */
LTTNG_UST_TRACEPOINT_EVENT(qprof, kmd_other,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, int32_t, fd, uint64_t, request),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		lttng_ust_field_integer(int32_t, fd, fd)
		QPROF_TP_BEGIN_FIELD
		QPROF_TP_RET_FIELDS
		lttng_ust_field_integer_hex(uint64_t, request, request)
	)
)

/* An accel device node was opened (or an fd was found to be one). */
LTTNG_UST_TRACEPOINT_EVENT(qprof, kmd_open,
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, int32_t, fd, const char *, path),
	LTTNG_UST_TP_FIELDS(QPROF_TP_COMMON_FIELDS
		lttng_ust_field_integer(int32_t, fd, fd)
		lttng_ust_field_string(path, path)
	)
)

#endif /* QPROF_TP_H */

#include <lttng/tracepoint-event.h>
