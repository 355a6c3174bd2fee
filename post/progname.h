/* SPDX-License-Identifier: MIT */
/*
 * Programs created without a name.  The runtime names such a program
 * after its QPC (docs/SIMULATOR.md: "ProgramName = the name argument of
 * qaicCreateProgram, or the description's name when NULL/empty"), and its
 * latency files carry that name.  The trace holds the QPC only as the path
 * given to qaicOpenQpcFile (event api_qpc_open), so qprof labels such a
 * program by the rule of qp_program_label() and marks the label as
 * derived (qp_program.name_from_qpc); docs/REPORT.md, "Program names".
 */
#ifndef QPROF_POST_PROGNAME_H
#define QPROF_POST_PROGNAME_H

#include <stddef.h>
#include <stdint.h>

/*
 * The label of a program whose QPC was opened from @path: the file name
 * without its directories and its last extension ("tiny" -> "tiny",
 * "/m/resnet50.desc" -> "resnet50"); a compiler output named
 * "programqpc.bin" takes the name of its directory
 * ("/m/resnet50/programqpc.bin" -> "resnet50").  NULL when the path gives
 * no name (empty: a QPC opened from memory).  Allocated.
 */
char *qp_program_label(const char *path);

/* QPC objects opened by each process: (process, QAicQpcObj*) -> path. */
struct qp_qpc_paths {
	struct qp_qpc_path {
		uint32_t process;
		uint64_t qpc;
		char *path;
	} *v;
	size_t n, cap;
};

/* Record (or replace: a handle reused after a release) a QPC's path. */
int qp_qpc_paths_add(struct qp_qpc_paths *t, uint32_t process, uint64_t qpc,
		     const char *path);
/* The path of a process's QPC object, or NULL. */
const char *qp_qpc_paths_find(const struct qp_qpc_paths *t, uint32_t process,
			      uint64_t qpc);
void qp_qpc_paths_free(struct qp_qpc_paths *t);

#endif /* QPROF_POST_PROGNAME_H */
