/* SPDX-License-Identifier: MIT */
/*
 * dlsym() interposition, so that calls through pointers obtained with
 * dlsym(handle, "qaic...") on a dlopen'ed runtime are traced: the shim
 * returns its wrapper, bound to the real function found through that
 * handle.
 *
 * glibc's dlsym() finds the caller from its return address (RTLD_NEXT is
 * "the next object after the caller").  A C wrapper calling it would make
 * the shim the caller and silently change the meaning of every
 * dlsym(RTLD_NEXT, ...) in the process, including lttng-ust's own and those
 * of other preloaded wrappers.  So on x86-64 the exported dlsym is a small
 * assembly stub: it asks qp_dlsym_hook() whether the shim answers, and if
 * not it *jumps* to glibc's dlsym with the original arguments and the
 * original return address on the stack.  Elsewhere a C fallback relies on
 * the compiler turning the final call into a tail call.
 */
#include "shim.h"

#include <string.h>

/* glibc's dlsym, set by qp_dlsym_hook() before it returns 0. */
void *qp_dlsym_real QP_HIDDEN;

int qp_dlsym_hook(void *handle, const char *name, void **out) QP_HIDDEN;

/*
 * Returns 1 with the answer in *out when the shim answers, 0 when glibc's
 * dlsym must answer for the original caller.
 */
int qp_dlsym_hook(void *handle, const char *name, void **out)
{
	void *(*dls)(void *, const char *) = qp_libc_fn(dlsym);
	void *p, *ver;
	int fn;

	__atomic_store_n(&qp_dlsym_real, (void *)dls, __ATOMIC_RELEASE);
	*out = NULL;
	if (qp_unlikely(!dls))
		return 1;
	if (handle == RTLD_NEXT || handle == RTLD_DEFAULT || !name ||
	    strncmp(name, "qaic", 4) != 0 || qp_config.kernel_only)
		return 0;
	fn = qp_fn_lookup(name);
	if (fn < 0 || fn >= QP_FN_NUM_HOOKED)
		return 0;
	p = dls(handle, name);
	*out = p;
	if (!p || qp_addr_is_shim(p))
		return 1;
	qp_bind_fn((enum qp_fn)fn, p);
	ver = dls(handle, qp_fn_names[QP_FN_qaicGetAicVersion]);
	qp_bind_fn(QP_FN_qaicGetAicVersion, ver);
	*out = qp_fn_wrappers[fn];
	qp_debug("dlsym(%p, %s) -> wrapper of %p", handle, name, p);
	return 1;
}

#if defined(__x86_64__)
__asm__(
	"	.text\n"
	"	.globl dlsym\n"
	"	.type dlsym, @function\n"
	"dlsym:\n"
	"	.cfi_startproc\n"
	"	subq $24, %rsp\n"
	"	.cfi_adjust_cfa_offset 24\n"
	"	movq %rdi, (%rsp)\n"
	"	movq %rsi, 8(%rsp)\n"
	"	leaq 16(%rsp), %rdx\n"
	"	call qp_dlsym_hook\n"
	"	testl %eax, %eax\n"
	"	jnz 1f\n"
	"	movq (%rsp), %rdi\n"
	"	movq 8(%rsp), %rsi\n"
	"	.cfi_remember_state\n"
	"	addq $24, %rsp\n"
	"	.cfi_adjust_cfa_offset -24\n"
	"	jmp *qp_dlsym_real(%rip)\n"
	"1:\n"
	"	.cfi_restore_state\n"
	"	movq 16(%rsp), %rax\n"
	"	addq $24, %rsp\n"
	"	.cfi_adjust_cfa_offset -24\n"
	"	ret\n"
	"	.cfi_endproc\n"
	"	.size dlsym, .-dlsym\n");
#else
QP_EXPORT void *dlsym(void *handle, const char *name)
{
	void *(*real)(void *, const char *);
	void *out;

	if (qp_dlsym_hook(handle, name, &out))
		return out;
	*(void **)&real = qp_dlsym_real;
	return real(handle, name);
}
#endif
