// SPDX-License-Identifier: MIT
/*
 * The qprof tracepoint provider, instantiated inside the test/benchmark
 * event generator (e2e_gen.c): the generator emits exactly the events the
 * shim would, through the real provider definition.
 */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "qprof-tp.h"
