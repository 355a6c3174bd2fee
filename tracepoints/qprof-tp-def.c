/* SPDX-License-Identifier: MIT */
/*
 * The `qprof` tracepoint definitions (call sites), built into libqprof.so.
 * With LTTNG_UST_TRACEPOINT_PROBE_DYNAMIC_LINKAGE they hold no reference
 * to the probes and libqprof.so has no DT_NEEDED on any LTTng-UST library:
 * the probes live in libqprof-tp.so, which the shim dlopen()s when it first
 * sees a QAic runtime (preload/lttng_load.c).
 *
 * Deferred registration: lttng-ust's header registers these definitions in
 * a constructor that dlopen()s liblttng-ust-tracepoint.so.1.  The shim must
 * stay inert in processes without a runtime (shells, launchers), so
 * qprof-tp-defer.c pre-sets the two registration counters of the header
 * (weak hidden symbols) and the constructors return early;
 * qp_tp_definitions_register() performs the same registration later.  If
 * a future lttng-ust header renames the counters, the constructors simply
 * register at start-up as documented, and qp_tp_definitions_register()
 * notices (the library handle is already set) and does nothing.
 */
#define LTTNG_UST_TRACEPOINT_HIDDEN_DEFINITION
#define LTTNG_UST_TRACEPOINT_PROVIDER_HIDDEN_DEFINITION
#define LTTNG_UST_TRACEPOINT_DEFINE
#define LTTNG_UST_TRACEPOINT_PROBE_DYNAMIC_LINKAGE

#include "qprof-tp.h"
#include "qprof-tp-def.h"

int qp_tp_definitions_register(void)
{
	if (!lttng_ust_tracepoint_dlopen_ptr)
		lttng_ust_tracepoint_dlopen_ptr = &lttng_ust_tracepoint_dlopen;
	if (lttng_ust_tracepoint_dlopen_ptr->liblttngust_handle)
		return 0;	/* registered by the constructor */
	/* The constructor counted itself in and returned: start afresh. */
	lttng_ust_tracepoint_ptrs_registered = 0;
	lttng_ust__tracepoints__ptrs_init();
	return lttng_ust_tracepoint_dlopen_ptr->liblttngust_handle &&
	       lttng_ust_tracepoint_dlopen_ptr->lttng_ust_tracepoint_module_register ?
		       0 : -1;
}
