/* SPDX-License-Identifier: MIT */
/*
 * Decoded qprof events: what the trace reader (reader.c, babeltrace2) hands
 * the assembler (assemble.c).  One struct qp_event per `qprof:*` event of
 * the schema (tracepoints/qprof-events.def), plus QP_EV_DISCARDED for lost
 * events.  Field meanings are those of docs/EVENTS.md; names follow the
 * tracepoint fields.
 *
 * Lifetime: an event (its strings and its sequences) is valid only during
 * the callback that receives it; the assembler copies what it keeps.
 */
#ifndef QPROF_POST_EVENT_H
#define QPROF_POST_EVENT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The decoded form of the schema (tracepoints/qprof-events.def).  Each
 * event's payload fields other than the common ones (pid, tid, begin_ts,
 * status, ret, err: in struct qp_event itself) are the members of its
 * struct qp_ev_<member>, named as in the trace: integers with the C type
 * of the tracepoint field (pointers as uint64_t), strings as const char *,
 * a sequence as its length member and a pointer to its elements, every
 * one of them (a request of any number of BOs is decoded whole; the
 * producer owns the elements, as it owns the strings).  Scalars come
 * first, the sequences' pointers after them (the pipeline copies the
 * scalar part whole).
 */
#define QP_EV_TYPE_int32_t	int32_t
#define QP_EV_TYPE_uint8_t	uint8_t
#define QP_EV_TYPE_uint16_t	uint16_t
#define QP_EV_TYPE_uint32_t	uint32_t
#define QP_EV_TYPE_uint64_t	uint64_t
#define QP_EV_TYPE_uintptr_t	uint64_t
/* The decoded C type of a tracepoint field type. */
#define QP_EV_TYPE(type)	QP_EV_TYPE_##type

/* Field visitors declaring the members: scalars (QP_EVS_SCALAR) ... */
#define QP_EVS_SCALAR_COMMON(what)
#define QP_EVS_SCALAR_INT(ctype, name, base)	QP_EV_TYPE(ctype) name;
#define QP_EVS_SCALAR_STR(name)			const char *name;
#define QP_EVS_SCALAR_SEQ(ctype, name, len, base)	uint32_t len;
#define QP_EVS_SCALAR_SEQ_SAME_LEN(ctype, name, len, base)
/* ... and arrays (QP_EVS_ARRAY). */
#define QP_EVS_ARRAY_COMMON(what)
#define QP_EVS_ARRAY_INT(ctype, name, base)
#define QP_EVS_ARRAY_STR(name)
#define QP_EVS_ARRAY_SEQ(ctype, name, len, base)	const QP_EV_TYPE(ctype) *name;
#define QP_EVS_ARRAY_SEQ_SAME_LEN(ctype, name, len, base) \
	const QP_EV_TYPE(ctype) *name;

enum qp_ev_kind {
#define QP_EVENT(group, kind, name, member)		QP_EV_##kind,
#define QP_EVENT_CLASS(group, cls, member)
#define QP_EVENT_INSTANCE(group, cls, member, kind, name) QP_EV_##kind,
#include "../tracepoints/qprof-events.def"
	/* from the reader, not the shim */
	QP_EV_DISCARDED,
	QP_EV__COUNT
};

#define QP_EVENT(group, kind, name, member)				\
	struct qp_ev_##member {						\
		QP_FIELDS_##name(QP_EVS_SCALAR)				\
		QP_FIELDS_##name(QP_EVS_ARRAY)				\
	};
#define QP_EVENT_CLASS(group, cls, member) QP_EVENT(group, , cls, member)
#define QP_EVENT_INSTANCE(group, cls, member, kind, name)
#include "../tracepoints/qprof-events.def"

/* Was the event observed at the kernel boundary (an ioctl on an accel fd)? */
static inline bool qp_ev_is_kmd(enum qp_ev_kind kind)
{
	switch (kind) {
#define QP_EV_CASE_KMD(kind)		case QP_EV_##kind:
#define QP_EV_CASE_API(kind)
#define QP_EV_CASE_PROC(kind)
#define QP_EVENT(group, kind, name, member)	QP_EV_CASE_##group(kind)
#define QP_EVENT_CLASS(group, cls, member)
#define QP_EVENT_INSTANCE(group, cls, member, kind, name) QP_EV_CASE_##group(kind)
#include "../tracepoints/qprof-events.def"
#undef QP_EV_CASE_KMD
#undef QP_EV_CASE_API
#undef QP_EV_CASE_PROC
		return true;
	default:
		return false;
	}
}

struct qp_event {
	enum qp_ev_kind kind;
	uint32_t host;		/* reader's index of the trace's hostname */
	int32_t pid;
	int32_t tid;
	uint64_t ts;		/* event timestamp: ns of the trace clock (CLOCK_MONOTONIC) */
	uint64_t begin_ts;	/* call entry, ns; == ts for events without begin_ts */
	int32_t status;		/* QStatus, or ioctl() return value (ret) */
	int32_t err;		/* errno after ioctl() */
	uint64_t ip;		/* `ip` context when recorded, else 0 */
	union {
#define QP_EVENT(group, kind, name, member)	struct qp_ev_##member member;
#define QP_EVENT_CLASS(group, cls, member)	struct qp_ev_##member member;
#define QP_EVENT_INSTANCE(group, cls, member, kind, name)
#include "../tracepoints/qprof-events.def"
		/*
		 * Lost data in one stream: `count` events (or packets when
		 * `packets`) between begin_ts and ts.  pid/tid are -1 when the
		 * stream does not tell whose events were lost.
		 */
		struct { uint64_t count; bool packets; } discarded;
	} u;
};

/*
 * An event's payload fields in trace order, without the common ones
 * (QP_EV_COMMON_*: which of those it carries).  NULL for QP_EV_DISCARDED
 * and unknown kinds.
 */
#define QP_EV_MAX_FIELDS 16
enum {
	QP_EV_COMMON_PID_TID = 1, QP_EV_COMMON_BEGIN = 2,
	QP_EV_COMMON_STATUS = 4, QP_EV_COMMON_RET = 8,
};
struct qp_ev_schema {
	const char *name;		/* without the "qprof:" provider */
	const char *const *fields;
	unsigned int nfields;		/* at most QP_EV_MAX_FIELDS */
	unsigned int common;		/* QP_EV_COMMON_* */
	bool kmd;			/* qp_ev_is_kmd() */
};
const struct qp_ev_schema *qp_ev_schema(enum qp_ev_kind kind);

/* "qprof:api_enqueue_entry" -> QP_EV_API_ENQUEUE_ENTRY; QP_EV__COUNT if unknown. */
enum qp_ev_kind qp_ev_kind_from_name(const char *event_name);
const char *qp_ev_kind_name(enum qp_ev_kind kind);

/* The consumer of an event stream, in timestamp order. */
typedef int (*qp_event_sink_fn)(const struct qp_event *ev, void *data);

#endif /* QPROF_POST_EVENT_H */
