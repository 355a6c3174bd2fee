// SPDX-License-Identifier: MIT
/*
 * Selection and windowing of a model's inferences (select.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devdump.h"
#include "select.h"
#include "stats.h"

bool qp_selection_windowed(const struct qp_selection *s)
{
	return s->start_iter || s->num_samples || s->keep_middle > 0;
}

static bool process_selected(const struct qp_model *m, uint32_t p, int32_t pid)
{
	return !pid || (p < m->nprocesses && m->processes[p].pid == pid);
}

static bool program_selected(const struct qp_model *m, size_t p,
			     const struct qp_selection *s)
{
	const struct qp_program *pg = &m->programs[p];

	return !(s->program && strcmp(pg->name, s->program)) &&
	       process_selected(m, pg->process, s->pid);
}

/* The window of one program: idx[0..n) in Sample order. */
static void window_group(const struct qp_model *m, const uint32_t *idx, size_t n,
			 const struct qp_selection *s, uint8_t *sel)
{
	size_t i, first, count, kept = 0, ok = 0, seen = 0;

	for (i = 0; i < n; i++) {
		if (i < s->start_iter)
			continue;
		if (s->num_samples && kept == s->num_samples)
			break;
		sel[idx[i]] = 1;
		kept++;
		ok += m->inf[idx[i]].state == QP_INF_OK;
	}
	if (s->keep_middle <= 0)
		return;
	qp_keep_middle(ok, s->keep_middle, &first, &count);
	for (i = 0; i < n; i++) {
		if (!sel[idx[i]] || m->inf[idx[i]].state != QP_INF_OK)
			continue;
		if (seen < first || seen >= first + count)
			sel[idx[i]] = 0;
		seen++;
	}
}

/*
 * Without windowing the order does not matter: every inference that has a
 * Sample (qp_program_samples' rule: not an enqueue the runtime refused
 * before any EXECUTE) of a selected program is kept, in one pass instead
 * of a sort per program.
 */
static int select_unwindowed(const struct qp_model *m,
			     const struct qp_selection *s, uint8_t *sel)
{
	uint8_t *prog = calloc(m->nprograms ? m->nprograms : 1, 1);
	size_t i, p;

	if (!prog)
		return -1;
	for (p = 0; p < m->nprograms; p++)
		prog[p] = program_selected(m, p, s);
	for (i = 0; i < m->ninf; i++) {
		const struct qp_inference *inf = &m->inf[i];

		if (inf->program == QP_NONE16 || inf->program >= m->nprograms ||
		    !prog[inf->program])
			continue;
		sel[i] = !(inf->state == QP_INF_FAILED &&
			   inf->off[QP_T_EXEC_BEGIN] == QP_T_NONE);
	}
	free(prog);
	return 0;
}

static int select_windowed(const struct qp_model *m,
			   const struct qp_selection *s, uint8_t *sel)
{
	size_t p, n;
	uint32_t *v;

	for (p = 0; p < m->nprograms; p++) {
		if (!program_selected(m, p, s))
			continue;
		v = qp_program_samples(m, (uint32_t)p, &n);
		if (!v)
			return -1;
		window_group(m, v, n, s, sel);
		free(v);
	}
	return 0;
}

uint8_t *qp_select(const struct qp_model *m, const struct qp_selection *s,
		   size_t *ncompleted)
{
	uint8_t *sel = calloc(m->ninf ? m->ninf : 1, 1);
	size_t i;

	if (!sel)
		return NULL;
	if (qp_selection_windowed(s) ? select_windowed(m, s, sel) :
	    select_unwindowed(m, s, sel)) {
		free(sel);
		return NULL;
	}
	for (i = 0; i < m->ninf; i++)
		if (m->inf[i].program == QP_NONE16 && !s->program &&
		    process_selected(m, m->inf[i].process, s->pid))
			sel[i] = 1;
	for (i = 0, *ncompleted = 0; i < m->ninf; i++)
		*ncompleted += sel[i] && m->inf[i].state == QP_INF_OK;
	return sel;
}

void qp_selection_note(const struct qp_selection *s, char *buf, size_t len)
{
	size_t n = 0;

	if (!len)
		return;
	buf[0] = 0;
	if (s->program)
		n += (size_t)snprintf(buf + n, len - n, "program %s; ", s->program);
	if (s->pid && n < len)
		n += (size_t)snprintf(buf + n, len - n, "pid %d; ", s->pid);
	if (s->start_iter && n < len)
		n += (size_t)snprintf(buf + n, len - n, "from inference %" PRIu64 "; ",
				      s->start_iter);
	if (s->num_samples && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%" PRIu64 " samples; ",
				      s->num_samples);
	if (s->keep_middle > 0 && n < len)
		n += (size_t)snprintf(buf + n, len - n, "middle %g %% kept; ",
				      s->keep_middle);
	if (n >= 2 && n < len)
		buf[n - 2] = 0;
}

bool qp_model_has_program(const struct qp_model *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nprograms; i++)
		if (!strcmp(m->programs[i].name, name))
			return true;
	return false;
}
