/* SPDX-License-Identifier: MIT */
/* A bare LTTng-UST event, the reference the shim's events are compared to
 * (payload like a small qprof event: pid, tid, begin_ts, status, obj). */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER qprof_bench

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./shim-bench-tp.h"

#if !defined(SHIM_BENCH_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define SHIM_BENCH_TP_H

#include <stdint.h>
#include <lttng/tracepoint.h>

LTTNG_UST_TRACEPOINT_EVENT(qprof_bench, bare,
	LTTNG_UST_TP_ARGS(int32_t, pid, int32_t, tid, uint64_t, begin_ts,
		int32_t, status, const void *, obj),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int32_t, pid, pid)
		lttng_ust_field_integer(int32_t, tid, tid)
		lttng_ust_field_integer(uint64_t, begin_ts, begin_ts)
		lttng_ust_field_integer(int32_t, status, status)
		lttng_ust_field_integer_hex(uintptr_t, obj, (uintptr_t)obj)
	)
)

#endif /* SHIM_BENCH_TP_H */

#include <lttng/tracepoint-event.h>
