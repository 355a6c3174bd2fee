/* SPDX-License-Identifier: MIT */
/*
 * Selection and windowing of a model's inferences: which inferences a
 * report's statistics, files and tables take (qprof-report's --program,
 * --pid, --start-iter, --num-samples, --keep-middle; docs/REPORT.md,
 * "Selection").
 *
 * Filters first: a program by name, a process by pid.  Then, per program
 * and in the runtime's Sample order (qp_program_samples, the order the
 * CSV numbers rows in), the window: skip the first start_iter samples,
 * keep at most num_samples, then keep the middle keep_middle % of the
 * completed ones (latency_stats -k, qp_keep_middle).  Inferences tied to
 * no program (kernel-only) are kept unless a program is asked for;
 * windowing does not apply to them.
 */
#ifndef QPROF_POST_SELECT_H
#define QPROF_POST_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct qp_selection {
	const char *program;	/* only programs of this name; NULL: any */
	int32_t pid;		/* only this process; 0: any */
	uint64_t start_iter;	/* samples skipped first, per program */
	uint64_t num_samples;	/* then at most this many; 0: all */
	double keep_middle;	/* then the middle PCT % of the completed; <= 0: all */
};

/* Does s window (start_iter, num_samples or keep_middle)? */
bool qp_selection_windowed(const struct qp_selection *s);

/*
 * The selection of m: an array of m->ninf flags (1 = selected), to free(),
 * and in *ncompleted the number of selected inferences that completed
 * (QP_INF_OK: what statistics are computed on).  NULL when out of memory.
 */
uint8_t *qp_select(const struct qp_model *m, const struct qp_selection *s,
		   size_t *ncompleted);

/*
 * The selection in words, for report titles: "program NAME; pid N; from
 * inference N; N samples; middle P % kept" (the parts that apply), ""
 * when nothing is selected.  Truncated to len - 1 characters.
 */
void qp_selection_note(const struct qp_selection *s, char *buf, size_t len);

/* Does m hold a program named name? */
bool qp_model_has_program(const struct qp_model *m, const char *name);

#endif /* QPROF_POST_SELECT_H */
