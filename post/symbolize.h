/* SPDX-License-Identifier: MIT */
/*
 * Call-site symbolisation: each qp_callsite's return address -> "func+0xNN
 * (module) file:line", from where the process mapped its modules (LTTng-UST
 * statedump bin_info / dl dlopen events, kept by the reader), the module's
 * ELF symbol tables, and addr2line (binutils) for file:line when the module
 * has debug info.  Best effort: what cannot be resolved stays NULL.
 */
#ifndef QPROF_POST_SYMBOLIZE_H
#define QPROF_POST_SYMBOLIZE_H

#include "model.h"
#include "reader.h"

/* Fill m->callsites[].symbol; returns how many were resolved. */
size_t qp_symbolize(struct qp_model *m, const struct qp_read_stats *st);

/*
 * Resolve one address of a module file: off is the address relative to
 * the module's load base (for an ET_EXEC executable, the absolute
 * address).  Writes "func+0xNN (basename) file:line" (parts omitted when
 * unknown) into buf; returns 0, or -1 when the file is not a readable ELF.
 */
int qp_symbolize_addr(const char *path, uint64_t off, char *buf, size_t len);

#endif /* QPROF_POST_SYMBOLIZE_H */
