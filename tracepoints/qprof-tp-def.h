/* SPDX-License-Identifier: MIT */
/* Deferred registration of the qprof tracepoint definitions (qprof-tp-def.c). */
#ifndef QPROF_TP_DEF_H
#define QPROF_TP_DEF_H

/*
 * Registers libqprof.so's qprof call sites with liblttng-ust-tracepoint
 * (dlopen()ed RTLD_GLOBAL).  Call once, before loading libqprof-tp.so, and
 * not concurrently with itself.  Returns 0 on success (or when the
 * constructor already did it), -1 when liblttng-ust-tracepoint.so.1 is
 * missing.
 */
int qp_tp_definitions_register(void) __attribute__((visibility("hidden")));

#endif /* QPROF_TP_DEF_H */
