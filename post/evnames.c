// SPDX-License-Identifier: MIT
/*
 * Event names of the `qprof` tracepoint provider (tracepoints/qprof-tp.h)
 * and their enum qp_ev_kind.
 */
#include <string.h>

#include "event.h"

#define QP_PROVIDER "qprof:"

static const char *const kind_names[QP_EV__COUNT] = {
	[QP_EV_PROCESS_INFO] = "process_info",
	[QP_EV_API_CONTEXT_CREATE] = "api_context_create",
	[QP_EV_API_CONTEXT_RELEASE] = "api_context_release",
	[QP_EV_API_QPC_OPEN] = "api_qpc_open",
	[QP_EV_API_QPC_CLOSE] = "api_qpc_close",
	[QP_EV_API_PROGRAM_CREATE] = "api_program_create",
	[QP_EV_API_PROGRAM_LOAD] = "api_program_load",
	[QP_EV_API_PROGRAM_UNLOAD] = "api_program_unload",
	[QP_EV_API_PROGRAM_RELEASE] = "api_program_release",
	[QP_EV_API_PROGRAM_ACTIVATION] = "api_program_activation",
	[QP_EV_API_QUEUE_CREATE] = "api_queue_create",
	[QP_EV_API_QUEUE_RELEASE] = "api_queue_release",
	[QP_EV_API_EXECOBJ_CREATE] = "api_execobj_create",
	[QP_EV_API_EXECOBJ_SET_DATA] = "api_execobj_set_data",
	[QP_EV_API_EXECOBJ_RELEASE] = "api_execobj_release",
	[QP_EV_API_ENQUEUE_ENTRY] = "api_enqueue_entry",
	[QP_EV_API_ENQUEUE_EXIT] = "api_enqueue_exit",
	[QP_EV_API_EXECOBJ_WAIT] = "api_execobj_wait",
	[QP_EV_API_EVENT_CREATE] = "api_event_create",
	[QP_EV_API_EVENT_CALLBACK_REG] = "api_event_callback_reg",
	[QP_EV_API_EVENT_CLEAR] = "api_event_clear",
	[QP_EV_API_EVENT_WAIT] = "api_event_wait",
	[QP_EV_API_EVENT_RELEASE] = "api_event_release",
	[QP_EV_API_CALLBACK_ENTRY] = "api_callback_entry",
	[QP_EV_API_CALLBACK_EXIT] = "api_callback_exit",
	[QP_EV_API_FUNCTION_TABLE] = "api_function_table",
	[QP_EV_API_CALLSTACK] = "api_callstack",
	[QP_EV_KMD_OPEN] = "kmd_open",
	[QP_EV_KMD_MANAGE] = "kmd_manage",
	[QP_EV_KMD_CREATE_BO] = "kmd_create_bo",
	[QP_EV_KMD_MMAP_BO] = "kmd_mmap_bo",
	[QP_EV_KMD_ATTACH_SLICE] = "kmd_attach_slice",
	[QP_EV_KMD_EXECUTE] = "kmd_execute",
	[QP_EV_KMD_WAIT] = "kmd_wait",
	[QP_EV_KMD_PERF_STATS] = "kmd_perf_stats",
	[QP_EV_KMD_BO_RELEASE] = "kmd_bo_release",
	[QP_EV_KMD_OTHER] = "kmd_other",
	/* not a tracepoint: made by the reader from discarded-events messages */
	[QP_EV_DISCARDED] = "discarded",
};

const char *qp_ev_kind_name(enum qp_ev_kind kind)
{
	if ((unsigned int)kind >= QP_EV__COUNT || !kind_names[kind])
		return "?";
	return kind_names[kind];
}

/*
 * Linear search over 37 names: the reader resolves a name once per event
 * class (not per event), so this is never on the hot path.
 */
enum qp_ev_kind qp_ev_kind_from_name(const char *event_name)
{
	size_t plen = strlen(QP_PROVIDER);
	int k;

	if (!event_name || strncmp(event_name, QP_PROVIDER, plen) != 0)
		return QP_EV__COUNT;
	for (k = 0; k < QP_EV__COUNT; k++)
		if (k != QP_EV_DISCARDED && !strcmp(event_name + plen, kind_names[k]))
			return (enum qp_ev_kind)k;
	return QP_EV__COUNT;
}
