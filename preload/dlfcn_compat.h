/* SPDX-License-Identifier: MIT */
/*
 * glibc declares the dl* functions __attribute__((leaf)), which tells the
 * compiler they never call back into this translation unit.  That is false
 * for us: dlopen runs constructors and dlsym may allocate, and both can
 * reach our hooks.  Re-declare them without the attribute, before anyone
 * includes <dlfcn.h>, so the compiler does not cache globals across them
 * (the same workaround lttng-ust uses in common/compat/dlfcn.h).
 */
#ifndef QPROF_DLFCN_COMPAT_H
#define QPROF_DLFCN_COMPAT_H

#define dlopen glibc_dlopen_proto_unused
#define dlclose glibc_dlclose_proto_unused
#define dlsym glibc_dlsym_proto_unused
#define dlvsym glibc_dlvsym_proto_unused
#define dladdr glibc_dladdr_proto_unused
#define dlerror glibc_dlerror_proto_unused
#include <dlfcn.h>
#undef dlopen
#undef dlclose
#undef dlsym
#undef dlvsym
#undef dladdr
#undef dlerror

extern void *dlopen(const char *filename, int flags);
extern int dlclose(void *handle);
extern void *dlsym(void *handle, const char *symbol);
extern void *dlvsym(void *handle, const char *symbol, const char *version);
extern int dladdr(const void *addr, Dl_info *info);
extern char *dlerror(void);

#endif /* QPROF_DLFCN_COMPAT_H */
