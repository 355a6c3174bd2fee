/* SPDX-License-Identifier: MIT */
/* Helpers shared by the io unit tests: temp dirs, files, hand-built models. */
#ifndef QPROF_TEST_IO_FIXTURE_H
#define QPROF_TEST_IO_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"

static inline char *fx_tmpdir(void)
{
	char *d = strdup("/tmp/qprof-io-XXXXXX");

	return d && mkdtemp(d) ? d : NULL;
}

static inline void fx_rmdir(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", dir);
}

static inline char *fx_write(const char *dir, const char *name,
			     const char *text)
{
	char *path;
	FILE *f;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return NULL;
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fputs(text, f);
	fclose(f);
	return path;
}

/* µs -> ns offsets of a synthetic inference */
struct fx_inf {
	uint64_t t0_us;
	double enq, pre, submit, exec_total, post;	/* µs */
	uint32_t vc, complete, qlevel, qelems;
};

/*
 * A model: one host, one process (pid 4242), programs named @names, each
 * inference of @infs[k] assigned to program @prog[k], completed by WAIT
 * (API), matched by BO.
 */
static inline void fx_model(struct qp_model *m, const char *const *names,
			    size_t nprog, const struct fx_inf *infs,
			    const uint16_t *prog, size_t n)
{
	size_t k;

	qp_model_init(m);
	m->hosts = calloc(1, sizeof(char *));
	m->hosts[0] = strdup("testhost");
	m->nhosts = 1;
	m->processes = calloc(1, sizeof(*m->processes));
	m->processes[0].pid = 4242;
	m->nprocesses = 1;
	m->programs = calloc(nprog, sizeof(*m->programs));
	for (k = 0; k < nprog; k++) {
		m->programs[k].name = strdup(names[k]);
		m->programs[k].dbc_id = (uint32_t)k;
	}
	m->nprograms = nprog;
	for (k = 0; k < n; k++) {
		const struct fx_inf *f = &infs[k];
		struct qp_inference *i = qp_model_add_inference(m);
		uint64_t t0 = 1000000000ull + f->t0_us * 1000, t;

		i->t0 = t0;
		i->seq = (uint32_t)k;
		i->process = 0;
		i->program = prog[k];
		i->dbc_id = prog[k];
		i->enq_tid = i->done_tid = 4243;
		i->flags = QP_F_HAS_ENQ | QP_F_HAS_PERF;
		i->match = QP_MATCH_BO;
		i->done_kind = QP_DONE_WAIT;
		t = t0 + (uint64_t)(f->enq * 1000 + 0.5);
		qp_inf_set_time(i, QP_T_ENQ_END, t);
		t += (uint64_t)(f->pre * 1000 + 0.5);
		qp_inf_set_time(i, QP_T_EXEC_BEGIN, t);
		qp_inf_set_time(i, QP_T_EXEC_END, t + (uint64_t)(f->submit * 1000 + 0.5));
		qp_inf_set_time(i, QP_T_WAIT_BEGIN, t + (uint64_t)(f->submit * 1000 + 0.5));
		t += (uint64_t)(f->exec_total * 1000 + 0.5);
		qp_inf_set_time(i, QP_T_WAIT_END, t);
		t += (uint64_t)(f->post * 1000 + 0.5);
		qp_inf_set_time(i, QP_T_DONE, t);
		i->submit_latency_us = f->vc;
		i->device_latency_us = f->complete;
		i->queue_level_before = f->qlevel;
		i->total_queue_elements = f->qelems;
		m->matched[QP_MATCH_BO]++;
		m->state_count[QP_INF_OK]++;
	}
	m->events = n * 8;
}

static inline int fx_python_pandas(void)
{
	return system("/usr/bin/python3 -c 'import pandas' 2>/dev/null") == 0;
}

#endif
