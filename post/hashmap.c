// SPDX-License-Identifier: MIT
/* Open-addressing hash map (hashmap.h). */
#include <errno.h>
#include <stdlib.h>

#include "hashmap.h"


static void insert_slot(struct qp_hmap *h, const struct qp_hmap_slot *s)
{
	uint32_t i = qp_hash2(s->a, s->b) & h->mask;

	while (h->slot[i].val != QP_HMAP_NIL && (h->slot[i].a != s->a ||
						 h->slot[i].b != s->b))
		i = (i + 1) & h->mask;
	if (h->slot[i].val == QP_HMAP_NIL)
		h->n++;
	h->slot[i] = *s;
}

/* Double the capacity (64 at first) and re-insert every entry. */
static int grow(struct qp_hmap *h)
{
	uint32_t oldcap = h->slot ? h->mask + 1 : 0;
	uint32_t cap = oldcap ? oldcap * 2 : 64;
	struct qp_hmap_slot *old = h->slot;
	uint32_t i;

	if (cap < oldcap)
		return -ENOMEM;
	h->slot = malloc(sizeof(*h->slot) * cap);
	if (!h->slot) {
		h->slot = old;
		return -ENOMEM;
	}
	for (i = 0; i < cap; i++)
		h->slot[i].val = QP_HMAP_NIL;
	h->mask = cap - 1;
	h->n = 0;
	for (i = 0; i < oldcap; i++)
		if (old[i].val != QP_HMAP_NIL)
			insert_slot(h, &old[i]);
	free(old);
	return 0;
}

int qp_hmap_put(struct qp_hmap *h, uint64_t a, uint64_t b, uint32_t val)
{
	struct qp_hmap_slot s = { a, b, val };

	/* keep the load under 1/2: short probe sequences */
	if (!h->slot || (h->n + 1) * 2 > h->mask + 1) {
		int rc = grow(h);

		if (rc)
			return rc;
	}
	insert_slot(h, &s);
	return 0;
}

/* Linear-probing deletion by backward shift (no tombstones). */
void qp_hmap_del(struct qp_hmap *h, uint64_t a, uint64_t b)
{
	uint32_t i, j, k;

	if (!h->slot)
		return;
	for (i = qp_hash2(a, b) & h->mask; h->slot[i].val != QP_HMAP_NIL;
	     i = (i + 1) & h->mask)
		if (h->slot[i].a == a && h->slot[i].b == b)
			break;
	if (h->slot[i].val == QP_HMAP_NIL)
		return;
	for (j = i;;) {
		j = (j + 1) & h->mask;
		if (h->slot[j].val == QP_HMAP_NIL)
			break;
		k = qp_hash2(h->slot[j].a, h->slot[j].b) & h->mask;
		/* move j back to i unless its home k lies cyclically in (i, j] */
		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			h->slot[i] = h->slot[j];
			i = j;
		}
	}
	h->slot[i].val = QP_HMAP_NIL;
	h->n--;
}

void qp_hmap_free(struct qp_hmap *h)
{
	free(h->slot);
	h->slot = NULL;
	h->mask = 0;
	h->n = 0;
}
