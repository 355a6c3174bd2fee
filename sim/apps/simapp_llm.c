/* SPDX-License-Identifier: MIT */
/*
 * --prefill TOKENS / --decode STEPS: run an LLM program (as the llm preset)
 * the way efficient-transformers' generation loop does (docs/CONTRACTS.md
 * §6.6). Each exec object runs sequences: ceil(TOKENS / P) prefill runs of at
 * most P tokens (P = the input_ids binding's largest seq_len; the last run
 * carries the rest), then STEPS decode runs of one token.  Before each
 * enqueue the application sets its data with qaicExecObjSetDataExt: input_ids
 * and position_ids (batch 1, tokens) int64, every binding whose name starts
 * with "past_" as an empty buffer (the retained state stays on the device),
 * the others whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simapp_int.h"

static uint32_t elem_size(QAicBufferDataTypeEnum t)
{
	switch (t) {
	case BUFFER_DATA_TYPE_INT64I:
		return 8;
	case BUFFER_DATA_TYPE_FLOAT:
	case BUFFER_DATA_TYPE_INT32I:
	case BUFFER_DATA_TYPE_INT32Q:
		return 4;
	case BUFFER_DATA_TYPE_FLOAT16:
	case BUFFER_DATA_TYPE_INT16Q:
		return 2;
	default:
		return 1;
	}
}

bool simapp_llm_mode(void)
{
	const struct simapp_options *o = simapp_opts_get();

	return o->prefill_tokens || o->decode_steps;
}

/*
 * Finds input_ids / position_ids, empties the past_* buffers (freeing
 * their memory) and allocates the per-step dimensions.  -1 with a message
 * when the program is not an LLM program.
 */
int simapp_llm_setup(struct simapp_slot *slot, const QAicIoBufferInfo_t *info,
		     const char *prog)
{
	struct simapp_llm *l = &slot->llm;

	l->ids = l->pos = -1;
	l->dims = calloc(slot->num_bufs, sizeof(*l->dims));
	l->full = calloc(slot->num_bufs, sizeof(*l->full));
	if (!l->dims || !l->full) {
		fprintf(stderr, "%s: out of memory\n", simapp_progname);
		return -1;
	}
	for (uint32_t i = 0; i < info->numBufferMappings; i++) {
		const QAicBufferMappings *m = &info->bufferMappings[i];
		QBuffer *b = &slot->bufs[m->index];

		l->full[m->index] = b->size;
		if (m->ioType == BUFFER_IO_TYPE_INPUT && !strcmp(m->bufferName, "input_ids"))
			l->ids = (int)m->index;
		else if (m->ioType == BUFFER_IO_TYPE_INPUT &&
			 !strcmp(m->bufferName, "position_ids"))
			l->pos = (int)m->index;
		else if (!strncmp(m->bufferName, "past_", 5)) {
			free(b->buf);
			b->buf = NULL;
			b->size = 0;
		}
		if ((int)m->index == l->ids)
			l->elem = elem_size(m->dataType);
	}
	if (l->ids < 0) {
		fprintf(stderr, "%s: program %s has no input 'input_ids': --prefill and --decode need an LLM program (as the llm preset)\n",
			simapp_progname, prog);
		return -1;
	}
	l->max_tokens = (uint32_t)(l->full[l->ids] / l->elem);
	if (!l->max_tokens) {
		fprintf(stderr, "%s: program %s: input_ids holds no token\n",
			simapp_progname, prog);
		return -1;
	}
	return 0;
}

void simapp_llm_free(struct simapp_slot *slot)
{
	free(slot->llm.dims);
	free(slot->llm.full);
}

/* Tokens of step @k of a sequence. */
static uint32_t step_tokens(const struct simapp_llm *l, uint64_t k)
{
	const struct simapp_options *o = simapp_opts_get();
	uint64_t p = l->max_tokens;
	uint64_t chunks = (o->prefill_tokens + p - 1) / p;

	if (k < chunks)
		return (uint32_t)(o->prefill_tokens - k * p < p ?
				  o->prefill_tokens - k * p : p);
	return 1;
}

/* Sets the next step's data; false (reported) if the runtime refused. */
bool simapp_llm_step(struct simapp_slot *slot)
{
	const struct simapp_options *o = simapp_opts_get();
	struct simapp_llm *l = &slot->llm;
	uint64_t p = l->max_tokens;
	uint64_t len = (o->prefill_tokens + p - 1) / p + o->decode_steps;
	uint32_t n = step_tokens(l, l->step % len);
	int idx[2] = { l->ids, l->pos };

	l->step++;
	for (int k = 0; k < 2; k++) {
		if (idx[k] < 0)
			continue;
		l->dimv[k][0] = 1;
		l->dimv[k][1] = n;
		l->dims[idx[k]].count = 2;
		l->dims[idx[k]].sizeOfElem = l->elem;
		l->dims[idx[k]].dims = l->dimv[k];
		slot->bufs[idx[k]].size = (size_t)n * l->elem;
	}
	return !simapp_check("qaicExecObjSetDataExt",
			     simapp_api_get()->qaicExecObjSetDataExt(slot->eo,
				slot->num_bufs, slot->bufs, l->dims));
}
