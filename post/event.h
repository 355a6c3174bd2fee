/* SPDX-License-Identifier: MIT */
/*
 * Decoded qprof events: what the trace reader (reader.c, babeltrace2) hands
 * the assembler (assemble.c).  One struct qp_event per `qprof:*` event of
 * tracepoints/qprof-tp.h, plus QP_EV_DISCARDED for lost events.  Field
 * meanings are those of docs/EVENTS.md; names follow the tracepoint fields.
 *
 * Lifetime: an event (and its strings) is valid only during the callback
 * that receives it; the assembler copies what it keeps.
 */
#ifndef QPROF_POST_EVENT_H
#define QPROF_POST_EVENT_H

#include <stdbool.h>
#include <stdint.h>

/* Largest BO / perf-stat sequence kept per event; longer ones are cut and
 * the event is flagged `truncated`. */
#define QP_MAX_BOS 32

/* How many of a sequence of n entries an event holds. */
static inline uint32_t qp_kept_bos(uint32_t n)
{
	return n < QP_MAX_BOS ? n : QP_MAX_BOS;
}

enum qp_ev_kind {
	QP_EV_PROCESS_INFO,
	/* API boundary */
	QP_EV_API_CONTEXT_CREATE,
	QP_EV_API_CONTEXT_RELEASE,
	QP_EV_API_QPC_OPEN,
	QP_EV_API_QPC_CLOSE,
	QP_EV_API_PROGRAM_CREATE,
	QP_EV_API_PROGRAM_LOAD,
	QP_EV_API_PROGRAM_UNLOAD,
	QP_EV_API_PROGRAM_RELEASE,
	QP_EV_API_PROGRAM_ACTIVATION,
	QP_EV_API_QUEUE_CREATE,
	QP_EV_API_QUEUE_RELEASE,
	QP_EV_API_EXECOBJ_CREATE,
	QP_EV_API_EXECOBJ_SET_DATA,
	QP_EV_API_EXECOBJ_RELEASE,
	QP_EV_API_ENQUEUE_ENTRY,
	QP_EV_API_ENQUEUE_EXIT,
	QP_EV_API_EXECOBJ_WAIT,
	QP_EV_API_EVENT_CREATE,
	QP_EV_API_EVENT_CALLBACK_REG,
	QP_EV_API_EVENT_CLEAR,
	QP_EV_API_EVENT_WAIT,
	QP_EV_API_EVENT_RELEASE,
	QP_EV_API_CALLBACK_ENTRY,
	QP_EV_API_CALLBACK_EXIT,
	QP_EV_API_FUNCTION_TABLE,
	QP_EV_API_CALLSTACK,
	/* kernel boundary */
	QP_EV_KMD_OPEN,
	QP_EV_KMD_MANAGE,
	QP_EV_KMD_CREATE_BO,
	QP_EV_KMD_MMAP_BO,
	QP_EV_KMD_ATTACH_SLICE,
	QP_EV_KMD_EXECUTE,
	QP_EV_KMD_WAIT,
	QP_EV_KMD_PERF_STATS,
	QP_EV_KMD_BO_RELEASE,
	QP_EV_KMD_OTHER,
	/* from the reader, not the shim */
	QP_EV_DISCARDED,
	QP_EV__COUNT
};

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
	bool truncated;		/* a sequence was longer than QP_MAX_BOS */
	union {
		struct {
			const char *runtime_path, *rt_patch, *rt_variant;
			const char *shim_version, *settings;
			uint16_t rt_major, rt_minor;
		} process;
		/* api_obj_call class: context/qpc/program/queue/execobj/event ops */
		struct { uint64_t obj; } obj;
		struct { uint64_t ctx; uint32_t num_devices; int32_t dev0; } context_create;
		struct { uint64_t qpc; const char *path; uint64_t size; } qpc_open;
		struct {
			uint64_t ctx, program, qpc;
			int32_t dev;
			const char *name;
		} program_create;
		struct { uint64_t program; uint32_t cmd; } program_activation;
		struct { uint64_t ctx, queue; int32_t dev; uint32_t num_threads; } queue_create;
		struct { uint64_t ctx, execobj, program; } execobj_create;
		struct {
			uint64_t execobj, total_bytes;
			uint32_t num_buffers;
			uint8_t ext;
		} set_data;
		struct { uint64_t seq, queue, execobj, event; } enqueue_entry;
		struct { uint64_t seq; } enqueue_exit;
		struct { uint64_t execobj; uint32_t timeout; } execobj_wait;
		struct { uint64_t ctx, event; uint32_t completion_type; } event_create;
		struct { uint64_t event, callback, user_data; uint8_t add; } callback_reg;
		struct { uint64_t event, callback; uint32_t completion; } callback_entry;
		struct { uint64_t event; } callback_exit;
		struct { uint64_t table, copy; uint32_t wrapped, words; } function_table;
		struct { uint32_t depth; uint64_t ips[QP_MAX_BOS]; } callstack;
		struct { int32_t fd; const char *path; } kmd_open;
		struct {
			int32_t fd;
			uint32_t count, len;
			int32_t activated_dbc, deactivated_dbc;
		} manage;
		struct { int32_t fd; uint64_t size; uint32_t handle; } create_bo;
		struct { int32_t fd; uint32_t handle; uint64_t offset; } mmap_bo;
		struct {
			int32_t fd;
			uint32_t handle, dbc_id, dir, count;
			uint64_t size;
		} attach_slice;
		struct {
			int32_t fd;
			uint32_t dbc_id, count, nresize;
			uint8_t partial;
			uint32_t handles[QP_MAX_BOS];
			uint32_t dirs[QP_MAX_BOS];
			uint64_t resize[QP_MAX_BOS];
		} execute;
		struct { int32_t fd; uint32_t handle, dbc_id, timeout_ms; } wait;
		struct {
			int32_t fd;
			uint32_t dbc_id, count;
			uint8_t by_shim;
			uint32_t handles[QP_MAX_BOS];
			uint32_t queue_level_before[QP_MAX_BOS];
			uint32_t num_queue_element[QP_MAX_BOS];
			uint32_t submit_latency_us[QP_MAX_BOS];
			uint32_t device_latency_us[QP_MAX_BOS];
		} perf_stats;
		struct { int32_t fd; uint32_t handle; uint8_t detach; } bo_release;
		struct { int32_t fd; uint64_t request; } kmd_other;
		/*
		 * Lost data in one stream: `count` events (or packets when
		 * `packets`) between begin_ts and ts.  pid/tid are -1 when the
		 * stream does not tell whose events were lost.
		 */
		struct { uint64_t count; bool packets; } discarded;
	} u;
};

/* "qprof:api_enqueue_entry" -> QP_EV_API_ENQUEUE_ENTRY; QP_EV__COUNT if unknown. */
enum qp_ev_kind qp_ev_kind_from_name(const char *event_name);
const char *qp_ev_kind_name(enum qp_ev_kind kind);

/* The consumer of an event stream, in timestamp order. */
typedef int (*qp_event_sink_fn)(const struct qp_event *ev, void *data);

#endif /* QPROF_POST_EVENT_H */
