/* SPDX-License-Identifier: MIT */
/*
 * qaicGetFunctionTable(): the table's layout is not public, so the shim
 * treats it as an array of words.  It copies the runtime's table (bounded
 * by the end of the loaded segment that holds it, at most 512 words),
 * replaces every word equal to the address of a real QAic function it
 * wraps with the wrapper's address, copies every other word unchanged, and
 * hands the copy to the application.  One copy per distinct table, kept
 * for the life of the process (the application may hold it forever).
 */
#include "shim.h"

#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define QP_TABLE_MAX_WORDS 512
#define QP_MAX_TABLES 16

struct table_copy {
	const void *table;
	uintptr_t *copy;
	unsigned int words;
	unsigned int wrapped;
};

static struct table_copy copies[QP_MAX_TABLES];
static pthread_mutex_t copies_lock = PTHREAD_MUTEX_INITIALIZER;

unsigned int qp_table_rewrite(const uintptr_t *src, uintptr_t *dst,
			      size_t words, const uintptr_t *real,
			      const uintptr_t *wrap, size_t n)
{
	unsigned int wrapped = 0;
	size_t w, i;

	for (w = 0; w < words; w++) {
		dst[w] = src[w];
		if (!src[w])
			continue;
		for (i = 0; i < n; i++) {
			if (real[i] && src[w] == real[i]) {
				dst[w] = wrap[i];
				wrapped++;
				break;
			}
		}
	}
	return wrapped;
}

struct segment_query {
	uintptr_t addr;
	uintptr_t end;	/* 0 = not found */
};

static int find_segment(struct dl_phdr_info *info, size_t size, void *data)
{
	struct segment_query *q = data;
	int i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD)
			continue;
		if (q->addr >= start && q->addr < start + ph->p_memsz) {
			q->end = start + ph->p_memsz;
			return 1;
		}
	}
	return 0;
}

size_t qp_table_words(const void *table, size_t max)
{
	struct segment_query q = { (uintptr_t)table, 0 };
	size_t words;

	if (!table || ((uintptr_t)table & (sizeof(uintptr_t) - 1)))
		return 0;
	dl_iterate_phdr(find_segment, &q);
	if (!q.end)
		return 0;
	words = (q.end - q.addr) / sizeof(uintptr_t);
	return words < max ? words : max;
}

/* Bind the real functions of the runtime that holds `addr`. */
static void bind_runtime_at(const void *addr)
{
	Dl_info info;
	void *h;

	if (!dladdr(addr, &info) || !info.dli_fname)
		return;
	h = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
	if (!h)
		return;
	qp_bind_runtime(h);
	dlclose(h);
}

const QAicApiFunctionTable *qp_table_copy(const QAicApiFunctionTable *table,
					  unsigned int *wrapped,
					  unsigned int *words)
{
	uintptr_t real[QP_FN_NUM_HOOKED], wrap[QP_FN_NUM_HOOKED];
	uintptr_t tmp[QP_TABLE_MAX_WORDS];
	struct table_copy *tc = NULL;
	size_t n, i;

	*wrapped = *words = 0;
	n = qp_table_words(table, QP_TABLE_MAX_WORDS);
	if (!n)
		return NULL;
	bind_runtime_at(table);
	for (i = 0; i < QP_FN_NUM_HOOKED; i++) {
		real[i] = (uintptr_t)atomic_load(&qp_fn_real[i]);
		wrap[i] = (uintptr_t)qp_fn_wrappers[i];
	}
	*wrapped = qp_table_rewrite((const uintptr_t *)table, tmp, n, real,
				    wrap, QP_FN_NUM_HOOKED);
	*words = (unsigned int)n;

	pthread_mutex_lock(&copies_lock);
	for (i = 0; i < QP_MAX_TABLES; i++) {
		if (copies[i].table == table || !copies[i].table) {
			tc = &copies[i];
			break;
		}
	}
	if (tc && tc->table == table && tc->words == n) {
		/* Same table again (maybe reloaded): refresh if it changed. */
		if (memcmp(tc->copy, tmp, n * sizeof(tmp[0])))
			memcpy(tc->copy, tmp, n * sizeof(tmp[0]));
	} else if (tc) {
		tc->copy = malloc(n * sizeof(tmp[0]));
		if (tc->copy) {
			memcpy(tc->copy, tmp, n * sizeof(tmp[0]));
			tc->table = table;
			tc->words = (unsigned int)n;
		}
	}
	pthread_mutex_unlock(&copies_lock);
	if (!tc || !tc->copy) {
		qp_debug("function table %p not wrapped", (const void *)table);
		return NULL;
	}
	return (const QAicApiFunctionTable *)tc->copy;
}
