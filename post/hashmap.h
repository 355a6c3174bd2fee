/* SPDX-License-Identifier: MIT */
/*
 * An open-addressing hash map from a pair of 64-bit keys (a, b) to a
 * uint32_t value, typically the index of an item in an array or a pool
 * (pool.h).  Linear probing, the load kept under 1/2 (short probe
 * sequences), deletion by backward shift (no tombstones, so lookups never
 * slow down as entries come and go).  No allocation while the map does
 * not grow: the assembler's maps reach their size within the first
 * inferences and then cost no allocation per event.
 *
 * A zeroed struct qp_hmap is an empty map that owns nothing.
 *
 *	struct qp_hmap h = { 0 };
 *	if (qp_hmap_put(&h, pid, ptr, index)) ...	// -ENOMEM
 *	i = qp_hmap_get(&h, pid, ptr);			// QP_HMAP_NIL if absent
 *	qp_hmap_del(&h, pid, ptr);
 *	qp_hmap_free(&h);
 */
#ifndef QPROF_POST_HASHMAP_H
#define QPROF_POST_HASHMAP_H

#include <stdint.h>

/* "No value": what qp_hmap_get returns for an absent key; never stored. */
#define QP_HMAP_NIL UINT32_MAX

struct qp_hmap_slot {
	uint64_t a, b;
	uint32_t val;		/* QP_HMAP_NIL: empty */
};

struct qp_hmap {
	struct qp_hmap_slot *slot;
	uint32_t mask;		/* capacity - 1 (a power of two), or 0 */
	uint32_t n;		/* entries */
};

/*
 * The map's hash of (a, b), a multiply-xorshift finaliser that spreads
 * consecutive handles, pointers 16 bytes apart and small pids over the
 * table; also good for chaining the hash of a sequence.
 */
static inline uint64_t qp_hash2(uint64_t a, uint64_t b)
{
	uint64_t x = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL);

	x ^= x >> 31;
	x *= 0xd6e8feb86659fd93ULL;
	x ^= x >> 32;
	return x;
}

/* The value of (a, b), or QP_HMAP_NIL.  Inline: it is on the hot path of
 * the reader (once per event) and the assembler (several per event). */
static inline uint32_t qp_hmap_get(const struct qp_hmap *h, uint64_t a,
				   uint64_t b)
{
	uint32_t i;

	if (!h->slot)
		return QP_HMAP_NIL;
	for (i = qp_hash2(a, b) & h->mask; h->slot[i].val != QP_HMAP_NIL;
	     i = (i + 1) & h->mask)
		if (h->slot[i].a == a && h->slot[i].b == b)
			return h->slot[i].val;
	return QP_HMAP_NIL;
}

/*
 * Map (a, b) to val (not QP_HMAP_NIL), replacing its value if present.
 * 0, or -ENOMEM (the map is unchanged).
 */
int qp_hmap_put(struct qp_hmap *h, uint64_t a, uint64_t b, uint32_t val);

/* Remove (a, b) if present. */
void qp_hmap_del(struct qp_hmap *h, uint64_t a, uint64_t b);

/* Free the slots; the map is empty (and zeroed) again. */
void qp_hmap_free(struct qp_hmap *h);

#endif /* QPROF_POST_HASHMAP_H */
