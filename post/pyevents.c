/* SPDX-License-Identifier: MIT */
/*
 * Python-boundary events as C API events (pyevents.h).
 *
 * The Python hooks (preload/python) see the same calls a C program makes,
 * one level up: Context(), Program(...).load(), ExecObj(...) (the BOs are
 * created inside it, on the calling thread, as inside qaicCreateExecObj),
 * setData, Queue.enqueue (entry and exit events), waitForCompletion.  Each
 * becomes the C API event of that call, with the Python objects' ids in
 * place of the runtime's handles; the assembler then matches BOs, EXECUTEs
 * and WAITs to them unchanged.  ExecObj.run (enqueue and wait in one call)
 * is its py_enqueue_entry and, at its return, the wait that completes it.
 * getData has no C counterpart in the model: it is not an event of the
 * inference (it follows the completion).
 */
#include <stddef.h>
#include <string.h>

#include "pyevents.h"

bool qp_ev_is_py(enum qp_ev_kind kind)
{
	switch (kind) {
	case QP_EV_PY_PROGRAM_LOAD:
	case QP_EV_PY_PROGRAM_UNLOAD:
	case QP_EV_PY_PROGRAM_ACTIVATE:
	case QP_EV_PY_PROGRAM_DEACTIVATE:
	case QP_EV_PY_CONTEXT_CREATE:
	case QP_EV_PY_QPC_OPEN:
	case QP_EV_PY_PROGRAM_CREATE:
	case QP_EV_PY_QUEUE_CREATE:
	case QP_EV_PY_EXECOBJ_CREATE:
	case QP_EV_PY_SET_DATA:
	case QP_EV_PY_ENQUEUE_ENTRY:
	case QP_EV_PY_ENQUEUE_EXIT:
	case QP_EV_PY_WAIT:
	case QP_EV_PY_GET_DATA:
	case QP_EV_PY_RUN:
		return true;
	default:
		return false;
	}
}

bool qp_py_as_api(const struct qp_event *in, struct qp_event *out)
{
	const typeof(in->u) *u = &in->u;

	if (!qp_ev_is_py(in->kind) || in->kind == QP_EV_PY_GET_DATA)
		return false;
	memcpy(out, in, offsetof(struct qp_event, u));
	memset(&out->u, 0, sizeof(out->u));
	switch (in->kind) {
	case QP_EV_PY_PROGRAM_LOAD:
		out->kind = QP_EV_API_PROGRAM_LOAD;
		out->u.obj.obj = u->py_obj.obj;
		break;
	case QP_EV_PY_PROGRAM_UNLOAD:
		out->kind = QP_EV_API_PROGRAM_UNLOAD;
		out->u.obj.obj = u->py_obj.obj;
		break;
	case QP_EV_PY_PROGRAM_ACTIVATE:
	case QP_EV_PY_PROGRAM_DEACTIVATE:
		out->kind = QP_EV_API_PROGRAM_ACTIVATION;
		out->u.program_activation.program = u->py_obj.obj;
		out->u.program_activation.cmd =
			in->kind == QP_EV_PY_PROGRAM_DEACTIVATE;
		break;
	case QP_EV_PY_CONTEXT_CREATE:
		out->kind = QP_EV_API_CONTEXT_CREATE;
		out->u.context_create.ctx = u->py_context_create.ctx;
		out->u.context_create.num_devices = u->py_context_create.num_devices;
		out->u.context_create.dev0 = u->py_context_create.dev0;
		break;
	case QP_EV_PY_QPC_OPEN:
		out->kind = QP_EV_API_QPC_OPEN;
		out->u.qpc_open.qpc = u->py_qpc_open.qpc;
		out->u.qpc_open.path = u->py_qpc_open.path;
		break;
	case QP_EV_PY_PROGRAM_CREATE:
		/* no name: labelled after its QPC, as the runtime names it */
		out->kind = QP_EV_API_PROGRAM_CREATE;
		out->u.program_create.ctx = u->py_program_create.ctx;
		out->u.program_create.program = u->py_program_create.program;
		out->u.program_create.dev = u->py_program_create.dev;
		out->u.program_create.name = "";
		out->u.program_create.qpc = u->py_program_create.qpc;
		break;
	case QP_EV_PY_QUEUE_CREATE:
		out->kind = QP_EV_API_QUEUE_CREATE;
		out->u.queue_create.ctx = u->py_queue_create.ctx;
		out->u.queue_create.queue = u->py_queue_create.queue;
		out->u.queue_create.dev = u->py_queue_create.dev;
		break;
	case QP_EV_PY_EXECOBJ_CREATE:
		out->kind = QP_EV_API_EXECOBJ_CREATE;
		out->u.execobj_create.ctx = u->py_execobj_create.ctx;
		out->u.execobj_create.execobj = u->py_execobj_create.execobj;
		out->u.execobj_create.program = u->py_execobj_create.program;
		break;
	case QP_EV_PY_SET_DATA:
		out->kind = QP_EV_API_EXECOBJ_SET_DATA;
		out->u.set_data.execobj = u->py_set_data.execobj;
		out->u.set_data.num_buffers = u->py_set_data.num_buffers;
		out->u.set_data.total_bytes = u->py_set_data.total_bytes;
		out->u.set_data.ext = u->py_set_data.ndims0 > 0;
		break;
	case QP_EV_PY_ENQUEUE_ENTRY:
		out->kind = QP_EV_API_ENQUEUE_ENTRY;
		out->u.enqueue_entry.seq = QP_PY_SEQ_BASE + u->py_enqueue_entry.seq;
		out->u.enqueue_entry.queue = u->py_enqueue_entry.queue;
		out->u.enqueue_entry.execobj = u->py_enqueue_entry.execobj;
		break;
	case QP_EV_PY_ENQUEUE_EXIT:
		out->kind = QP_EV_API_ENQUEUE_EXIT;
		out->u.enqueue_exit.seq = QP_PY_SEQ_BASE + u->py_enqueue_exit.seq;
		break;
	case QP_EV_PY_WAIT:
		out->kind = QP_EV_API_EXECOBJ_WAIT;
		out->u.execobj_wait.execobj = u->py_wait.execobj;
		out->u.execobj_wait.timeout = u->py_wait.timeout;
		break;
	case QP_EV_PY_RUN:
		out->kind = QP_EV_API_EXECOBJ_WAIT;
		out->u.execobj_wait.execobj = u->py_run.execobj;
		break;
	default:
		return false;
	}
	return true;
}
