/* SPDX-License-Identifier: MIT */
/*
 * The real `qprof` provider instantiated inside shim-floor (as in the
 * event generator of the report's tests): its events are the shim's.
 */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "qprof-tp.h"
