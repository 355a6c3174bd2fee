/* SPDX-License-Identifier: MIT */
/*
 * Growing arrays.
 *
 * qp_vec_grow: room for one more element in an array that doubles when
 * full (16 elements at first).
 *
 *	if (qp_vec_grow(&v, n, &cap, sizeof(*v))) ...	// -ENOMEM
 *	v[n++] = x;
 *
 * struct qp_pool: items of one size in one array, addressed by uint32_t
 * index (stable when the array moves, unlike pointers, and half their
 * size), with a free list threaded through the freed items, so that
 * items come and go without an allocation each.  Every pooled struct
 * starts with `uint32_t next_free` (the list's link; QP_POOL_NIL when the
 * item is in use).
 *
 *	struct flight { uint32_t next_free; ... };
 *	qp_pool_init(&p, sizeof(struct flight));
 *	i = qp_pool_alloc(&p);				// QP_POOL_NIL: ENOMEM
 *	QP_POOL_AT(&p, struct flight, i)->...;		// valid until the next alloc
 *	qp_pool_free(&p, i);
 *	qp_pool_release(&p);
 */
#ifndef QPROF_POST_POOL_H
#define QPROF_POST_POOL_H

#include <stddef.h>
#include <stdint.h>

#define QP_POOL_NIL UINT32_MAX

/* Make room for element n of *arrp (a T **; *cap elements allocated). */
int qp_vec_grow(void *arrp, size_t n, size_t *cap, size_t size);

struct qp_pool {
	char *items;
	size_t size;		/* of one item */
	uint32_t n;		/* items ever handed out (used or free) */
	uint32_t cap;		/* items allocated */
	uint32_t free_head;	/* first free item, QP_POOL_NIL */
};

/* An empty pool of items of size bytes (at least a uint32_t). */
void qp_pool_init(struct qp_pool *p, size_t size);

/* A zeroed item (next_free = QP_POOL_NIL), or QP_POOL_NIL on ENOMEM. */
uint32_t qp_pool_alloc(struct qp_pool *p);

/* Item i as a type *: valid until the next qp_pool_alloc. */
#define QP_POOL_AT(p, type, i) ((type *)((p)->items + (size_t)(i) * (p)->size))

/* Give item i back (it must be in use). */
static inline void qp_pool_free(struct qp_pool *p, uint32_t i)
{
	*QP_POOL_AT(p, uint32_t, i) = p->free_head;
	p->free_head = i;
}

/* Free the array; the pool is empty again. */
void qp_pool_release(struct qp_pool *p);

#endif /* QPROF_POST_POOL_H */
