// SPDX-License-Identifier: MIT
/* Growing arrays and pools with a free list (pool.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"

int qp_vec_grow(void *arrp, size_t n, size_t *cap, size_t size)
{
	void **p = arrp;
	size_t c;
	void *q;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 16;
	if (c < *cap || c > SIZE_MAX / size)
		return -ENOMEM;
	q = realloc(*p, c * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

void qp_pool_init(struct qp_pool *p, size_t size)
{
	memset(p, 0, sizeof(*p));
	p->size = size;
	p->free_head = QP_POOL_NIL;
}

uint32_t qp_pool_alloc(struct qp_pool *p)
{
	uint32_t i;

	if (p->free_head != QP_POOL_NIL) {
		i = p->free_head;
		p->free_head = *QP_POOL_AT(p, uint32_t, i);
	} else {
		if (p->n == p->cap) {
			uint32_t cap = p->cap ? p->cap * 2 : 64;
			char *q;

			if (cap < p->cap)	/* 2^32 items: index overflow */
				return QP_POOL_NIL;
			q = realloc(p->items, p->size * cap);
			if (!q)
				return QP_POOL_NIL;
			p->items = q;
			p->cap = cap;
		}
		i = p->n++;
	}
	memset(p->items + (size_t)i * p->size, 0, p->size);
	*QP_POOL_AT(p, uint32_t, i) = QP_POOL_NIL;
	return i;
}

void qp_pool_release(struct qp_pool *p)
{
	free(p->items);
	qp_pool_init(p, p->size);
}
