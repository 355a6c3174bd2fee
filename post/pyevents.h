/* SPDX-License-Identifier: MIT */
/*
 * Python-boundary events (py_*, docs/EVENTS.md "Python boundary") read as
 * the C API events of the same calls, so that a Python program's
 * inferences are assembled exactly as a C program's (docs/MATCHING.md
 * "Python programs").
 */
#ifndef QPROF_POST_PYEVENTS_H
#define QPROF_POST_PYEVENTS_H

#include <stdbool.h>

#include "event.h"

/* Python inferences are numbered from here (api_enqueue_entry.seq), so
 * that they never meet the C API's numbers of the same process. */
#define QP_PY_SEQ_BASE (1ull << 62)

/* Is @kind a Python-boundary event? */
bool qp_ev_is_py(enum qp_ev_kind kind);

/*
 * The C API event a Python-boundary event stands for, in *@out (the same
 * header: pid, tid, timestamps, status; strings borrowed from @in).
 * Returns false for events without one (py_get_data), and for any event
 * that is not a py_* event.
 */
bool qp_py_as_api(const struct qp_event *in, struct qp_event *out);

#endif /* QPROF_POST_PYEVENTS_H */
