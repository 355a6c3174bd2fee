/* SPDX-License-Identifier: MIT */
/*
 * simrt_entries(): the private entry table of the simulator's Python module
 * (simrt_entries.h).
 */
#include "simrt_entries.h"
#include "rt.h"

/* Valid while the caller holds the QPC object open (it keeps the
 * description). */
static const struct desc *qpc_desc(QAicQpcObj *handle)
{
	struct QAicQpcObj *q = RT_GET(handle, RT_QPC, struct QAicQpcObj);
	const struct desc *d;

	if (!q)
		return NULL;
	d = &q->desc;
	RT_PUT(q);
	return d;
}

static bool eo_sample(QAicExecObj *handle, bool done, uint32_t *program,
		      uint64_t *sample)
{
	struct QAicExecObj *eo = RT_GET(handle, RT_EXECOBJ, struct QAicExecObj);
	bool ok;

	if (!eo)
		return false;
	pthread_mutex_lock(&eo->lock);
	ok = done ? eo->done_sampled : eo->row.enq_start != 0;
	*sample = done ? eo->done_sample : eo->row.sample;
	*program = eo->prog->id;
	pthread_mutex_unlock(&eo->lock);
	RT_PUT(eo);
	return ok;
}

QAIC_EXPORT const struct simrt_entries *simrt_entries(void)
{
	static struct simrt_entries e = {
		.version = SIMRT_ENTRIES_VERSION,
		.size = sizeof(struct simrt_entries),
		.qpc_desc = qpc_desc,
		.eo_sample = eo_sample,
	};

	/* -Bsymbolic-functions: this is table.c's table, never an
	 * interposer's. */
	e.api = qaicGetFunctionTable();
	return &e;
}
