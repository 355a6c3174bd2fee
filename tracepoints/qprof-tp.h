/* SPDX-License-Identifier: MIT */
/*
 * The `qprof` LTTng-UST tracepoint provider: every event qprof records.
 *
 * This header is the contract between the shim (preload/, which emits) and
 * the post-processor (post/, which reads by event and field name).  The
 * events are defined in qprof-events.def (the schema, from which the
 * report's decoders are expanded too) and documented in docs/EVENTS.md.
 * Rules:
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

/*
 * The events, their arguments and fields: tracepoints/qprof-events.def,
 * expanded here into LTTng-UST's provider macros (this header is read
 * several times by <lttng/tracepoint-event.h>, each time with other
 * definitions of those macros).
 */
#define QP_TP_UNPAREN(...) __VA_ARGS__
#define QP_TP_ARGS(args) \
	LTTNG_UST_TP_ARGS(QPROF_TP_COMMON_ARGS, QP_TP_UNPAREN args)

#define QP_TPF_COMMON(what)		QP_TPF_COMMON_##what
#define QP_TPF_COMMON_PID_TID		QPROF_TP_COMMON_FIELDS
#define QP_TPF_COMMON_BEGIN		QPROF_TP_BEGIN_FIELD
#define QP_TPF_COMMON_STATUS		QPROF_TP_STATUS_FIELD
#define QP_TPF_COMMON_RET		QPROF_TP_RET_FIELDS
#define QP_TPF_INT(type, name, base)	QP_TPF_INT_##base(type, name)
#define QP_TPF_INT_DEC(type, name)	lttng_ust_field_integer(type, name, name)
#define QP_TPF_INT_HEX(type, name)	lttng_ust_field_integer_hex(type, name, name)
#define QP_TPF_INT_PTR(type, name)					\
	lttng_ust_field_integer_hex(uintptr_t, name, (uintptr_t)name)
#define QP_TPF_STR(name)		lttng_ust_field_string(name, name)
#define QP_TPF_SEQ(type, name, len, base) QP_TPF_SEQ_##base(type, name, len)
#define QP_TPF_SEQ_DEC(type, name, len)					\
	lttng_ust_field_sequence(type, name, name, uint32_t, len)
#define QP_TPF_SEQ_HEX(type, name, len)					\
	lttng_ust_field_sequence_hex(type, name, name, uint32_t, len)
#define QP_TPF_SEQ_SAME_LEN(type, name, len, base)			\
	QP_TPF_SEQ(type, name, len, base)

#define QP_EVENT(group, kind, name, member)				\
	LTTNG_UST_TRACEPOINT_EVENT(qprof, name, QP_TP_ARGS(QP_ARGS_##name), \
		LTTNG_UST_TP_FIELDS(QP_FIELDS_##name(QP_TPF)))
#define QP_EVENT_CLASS(group, cls, member)				\
	LTTNG_UST_TRACEPOINT_EVENT_CLASS(qprof, cls, QP_TP_ARGS(QP_ARGS_##cls), \
		LTTNG_UST_TP_FIELDS(QP_FIELDS_##cls(QP_TPF)))
#define QP_EVENT_INSTANCE(group, cls, member, kind, name)		\
	LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(qprof, cls, qprof, name,	\
		QP_TP_ARGS(QP_ARGS_##cls))
#include "qprof-events.def"

#endif /* QPROF_TP_H */

#include <lttng/tracepoint-event.h>
