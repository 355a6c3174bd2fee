/* SPDX-License-Identifier: MIT */
/*
 * The `qprof` provider's probes, built into libqprof-tp.so (linked with
 * liblttng-ust).  The shim, libqprof.so, holds only the tracepoint
 * definitions (qprof-tp-def.c) and dlopen()s this library the first time it
 * sees a QAic runtime; its constructor registers the probes with
 * liblttng-ust (LTTng-UST's documented "dynamic linkage" of a provider).
 * Both HIDDEN macros give the provider's symbols hidden visibility, so it
 * can never clash with an identically named provider in the application.
 *
 * Every event's first argument is `c` (struct qprof_tp_call); its `ip` is
 * the application's call site, recorded by LTTng's `ip` context.
 */
#define LTTNG_UST_TRACEPOINT_HIDDEN_DEFINITION
#define LTTNG_UST_TRACEPOINT_PROVIDER_HIDDEN_DEFINITION
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TP_IP_PARAM c->ip

#include "qprof-tp.h"
