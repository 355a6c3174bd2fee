/* SPDX-License-Identifier: MIT */
/*
 * The real functions behind every hook.
 *
 * libc functions are resolved in the constructor (close() must stay
 * async-signal-safe, dlsym is not) with a lazy fallback for calls made
 * before it ran.  QAic functions are resolved lazily with RTLD_NEXT (the
 * application linked the runtime) or bound explicitly when the runtime was
 * dlopen'ed and reached through dlsym() or its function table.  Pointers are
 * published with release stores and read with acquire loads; racing
 * resolvers store the same value, so the race is benign.  Binding a real
 * QAic function is how the shim learns a runtime is there: it loads
 * LTTng-UST then (qp_lttng_need), before the hook tests its tracepoint.
 */
#include "shim.h"

#include <string.h>

#define QP_FN_NAME(name) [QP_FN_##name] = #name,
const char *const qp_fn_names[QP_FN_COUNT] = {
	QP_API_HOOKED(QP_FN_NAME)
	QP_API_CALLED_ONLY(QP_FN_NAME)
};
#undef QP_FN_NAME

void *_Atomic qp_fn_real[QP_FN_COUNT];
struct qp_libc qp_libc;

static const char *const libc_names[QP_LIBC_COUNT] = {
	"ioctl", "open", "open64", "openat", "openat64", "close", "dup",
	"dup2", "dup3", "fcntl", "fcntl64", "fork", "dlsym",
};
_Static_assert(sizeof(libc_names) / sizeof(libc_names[0]) == QP_LIBC_COUNT,
	       "one name per struct qp_libc member");

typedef void *(*dlsym_fn)(void *, const char *);

/* glibc's own dlsym: we export one, so plain `dlsym` would be ours. */
static dlsym_fn real_dlsym(void)
{
	dlsym_fn f = __atomic_load_n(&qp_libc.dlsym, __ATOMIC_ACQUIRE);

	if (qp_likely(f))
		return f;
	*(void **)&f = dlvsym(RTLD_NEXT, "dlsym", "GLIBC_2.34");
	if (!f)
		*(void **)&f = dlvsym(RTLD_NEXT, "dlsym", "GLIBC_2.2.5");
	__atomic_store_n(&qp_libc.dlsym, f, __ATOMIC_RELEASE);
	return f;
}

void *qp_libc_resolve(size_t index)
{
	void **slot = (void **)&qp_libc + index;
	dlsym_fn dls;
	void *p;

	if (index == QP_LIBC_INDEX(dlsym))
		return (void *)real_dlsym();
	dls = real_dlsym();
	p = dls ? dls(RTLD_NEXT, libc_names[index]) : NULL;
	if (p)
		__atomic_store_n(slot, p, __ATOMIC_RELEASE);
	return p;
}

void qp_libc_resolve_all(void)
{
	size_t i;

	for (i = 0; i < QP_LIBC_COUNT; i++)
		if (!__atomic_load_n((void **)&qp_libc + i, __ATOMIC_ACQUIRE))
			qp_libc_resolve(i);
}

bool qp_addr_is_shim(const void *addr)
{
	static const void *self_base;
	const void *base = __atomic_load_n(&self_base, __ATOMIC_ACQUIRE);
	Dl_info info;

	if (!base) {
		if (!dladdr((const void *)qp_addr_is_shim, &info))
			return false;
		base = info.dli_fbase;
		__atomic_store_n(&self_base, base, __ATOMIC_RELEASE);
	}
	return dladdr(addr, &info) && info.dli_fbase == base;
}

int qp_fn_lookup(const char *name)
{
	int i;

	if (strncmp(name, "qaic", 4) != 0)
		return -1;
	for (i = 0; i < QP_FN_COUNT; i++)
		if (!strcmp(qp_fn_names[i], name))
			return i;
	return -1;
}

void qp_bind_fn(enum qp_fn fn, void *real)
{
	if (!real || qp_addr_is_shim(real))
		return;
	atomic_store_explicit(&qp_fn_real[fn], real, memory_order_release);
	qp_lttng_need();	/* a runtime is here: record it */
}

void qp_bind_runtime(void *handle)
{
	dlsym_fn dls = real_dlsym();
	int i;

	if (!dls)
		return;
	for (i = 0; i < QP_FN_COUNT; i++)
		qp_bind_fn((enum qp_fn)i, dls(handle, qp_fn_names[i]));
}

void *qp_resolve_api(enum qp_fn fn)
{
	dlsym_fn dls = real_dlsym();
	void *p;

	if (!dls)
		return NULL;
	p = dls(RTLD_NEXT, qp_fn_names[fn]);
	if (!p || qp_addr_is_shim(p)) {
		qp_debug("%s: no runtime function found", qp_fn_names[fn]);
		return NULL;
	}
	qp_bind_fn(fn, p);
	return p;
}
