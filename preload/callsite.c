/* SPDX-License-Identifier: MIT */
/*
 * Optional deeper call stacks (QPROF_CALLSTACK=N): an api_callstack event
 * before each API event.  libunwind is loaded privately (RTLD_LOCAL, never
 * a DT_NEEDED of libqprof.so): linked normally it would interpose the
 * application's backtrace() and the _Unwind_* ABI that C++ exceptions use.
 * unw_backtrace() costs ~55 ns warm; it runs only when the event is
 * enabled.
 */
#include "shim.h"

#define QP_STACK_MAX 64
#define QP_STACK_SKIP 2		/* this function, the API hook */

typedef int (*unw_backtrace_fn)(void **buffer, int size);

static unw_backtrace_fn unw_backtrace_ptr;

void qp_callstack_init(void)
{
	void *(*dls)(void *, const char *);
	void *h;

	if (!qp_config.callstack || qp_config.kernel_only)
		return;
	h = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		qp_debug("QPROF_CALLSTACK: cannot load libunwind.so.8");
		return;
	}
	dls = qp_libc_fn(dlsym);
	if (dls)
		*(void **)&unw_backtrace_ptr = dls(h, "unw_backtrace");
	if (!unw_backtrace_ptr)
		qp_debug("QPROF_CALLSTACK: no unw_backtrace in libunwind");
}

__attribute__((noinline)) void qp_callstack_emit(const struct qprof_tp_call *c)
{
	void *frames[QP_STACK_MAX + QP_STACK_SKIP];
	uint64_t ips[QP_STACK_MAX];
	int n, i, saved;

	if (!unw_backtrace_ptr ||
	    !lttng_ust_tracepoint_enabled(qprof, api_callstack))
		return;
	saved = errno;
	n = unw_backtrace_ptr(frames,
			      (int)qp_config.callstack + QP_STACK_SKIP);
	n -= QP_STACK_SKIP;
	for (i = 0; i < n; i++)
		ips[i] = (uint64_t)(uintptr_t)frames[i + QP_STACK_SKIP];
	lttng_ust_do_tracepoint(qprof, api_callstack, c, ips,
				n > 0 ? (uint32_t)n : 0);
	errno = saved;
}
