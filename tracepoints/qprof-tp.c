/* SPDX-License-Identifier: MIT */
/*
 * Instantiates the `qprof` provider (probes and tracepoint definitions)
 * inside libqprof.so.  Both HIDDEN macros give the provider's symbols hidden
 * visibility, so a preloaded libqprof.so can never clash with an
 * identically named provider in the application.
 *
 * Every event's first argument is `c` (struct qprof_tp_call); its `ip` is
 * the application's call site, recorded by LTTng's `ip` context.
 */
#define LTTNG_UST_TRACEPOINT_HIDDEN_DEFINITION
#define LTTNG_UST_TRACEPOINT_PROVIDER_HIDDEN_DEFINITION
#define LTTNG_UST_TRACEPOINT_DEFINE
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TP_IP_PARAM c->ip

#include "qprof-tp.h"
