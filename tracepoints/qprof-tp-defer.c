/* SPDX-License-Identifier: MIT */
/*
 * Strong definitions of the registration counters that <lttng/tracepoint.h>
 * declares weak and hidden in every file that includes it (this file must
 * not include it).  Pre-set, they make the header's constructors return
 * before dlopen()ing liblttng-ust-tracepoint.so.1, so a process the shim
 * reaches but that never loads a QAic runtime maps no LTTng-UST library.
 * See qprof-tp-def.c for the deferred registration.
 *
 * lttng_ust_tracepoint_registered: one constructor/destructor pair per
 * including file counts it up/down; large enough that it never reaches 0
 * (that would dlclose a handle it never opened: harmless, but pointless).
 * lttng_ust_tracepoint_ptrs_registered: 1, so the definitions' constructor
 * sees "already registered"; qp_tp_definitions_register() resets it.
 * lttng_ust_tracepoint_dlopen_ptr: the header's constructors dereference
 * it once the counter says "registered"; it points at the (weak, hidden,
 * zero-handle) state the header defines, as the first constructor would
 * have set it.
 */
struct lttng_ust_tracepoint_dlopen;

extern int lttng_ust_tracepoint_registered;
extern int lttng_ust_tracepoint_ptrs_registered;
extern struct lttng_ust_tracepoint_dlopen lttng_ust_tracepoint_dlopen
	__attribute__((visibility("hidden")));
extern struct lttng_ust_tracepoint_dlopen *lttng_ust_tracepoint_dlopen_ptr;

__attribute__((visibility("hidden")))
struct lttng_ust_tracepoint_dlopen *lttng_ust_tracepoint_dlopen_ptr =
	&lttng_ust_tracepoint_dlopen;

__attribute__((visibility("hidden"))) int lttng_ust_tracepoint_registered =
	1 << 20;
__attribute__((visibility("hidden"))) int lttng_ust_tracepoint_ptrs_registered =
	1;
