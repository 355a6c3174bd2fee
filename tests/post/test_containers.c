// SPDX-License-Identifier: MIT
/*
 * The generic containers of post/: the open-addressing hash map
 * (hashmap.h), growing arrays and pools with a free list (pool.h).
 * Expectations are hand-computed (probe chains built from keys whose home
 * slot is known), and a long random sequence of operations is checked
 * against a plain list searched linearly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hashmap.h"
#include "pool.h"

/* ---- hash map ------------------------------------------------------------ */

static void hmap_empty(void **state)
{
	struct qp_hmap h = { 0 };

	(void)state;
	assert_int_equal(qp_hmap_get(&h, 1, 2), QP_HMAP_NIL);
	qp_hmap_del(&h, 1, 2);
	assert_int_equal(h.n, 0);
	qp_hmap_free(&h);
	assert_null(h.slot);
}

static void hmap_put_get_replace(void **state)
{
	struct qp_hmap h = { 0 };

	(void)state;
	assert_int_equal(qp_hmap_put(&h, 7, 100, 1), 0);
	assert_int_equal(qp_hmap_put(&h, 7, 101, 2), 0);
	assert_int_equal(qp_hmap_put(&h, 8, 100, 3), 0);
	assert_int_equal(h.n, 3);
	assert_int_equal(qp_hmap_get(&h, 7, 100), 1);
	assert_int_equal(qp_hmap_get(&h, 7, 101), 2);
	assert_int_equal(qp_hmap_get(&h, 8, 100), 3);
	assert_int_equal(qp_hmap_get(&h, 100, 7), QP_HMAP_NIL);
	/* the same key again replaces, it does not add */
	assert_int_equal(qp_hmap_put(&h, 7, 100, 9), 0);
	assert_int_equal(h.n, 3);
	assert_int_equal(qp_hmap_get(&h, 7, 100), 9);
	qp_hmap_del(&h, 7, 100);
	assert_int_equal(h.n, 2);
	assert_int_equal(qp_hmap_get(&h, 7, 100), QP_HMAP_NIL);
	assert_int_equal(qp_hmap_get(&h, 7, 101), 2);
	qp_hmap_free(&h);
}

/* 64 slots at first, doubled before the load passes 1/2. */
static void hmap_growth(void **state)
{
	struct qp_hmap h = { 0 };
	uint32_t i;

	(void)state;
	for (i = 0; i < 32; i++)
		assert_int_equal(qp_hmap_put(&h, 1, i, i), 0);
	assert_int_equal(h.mask + 1, 64);
	assert_int_equal(qp_hmap_put(&h, 1, 32, 32), 0);
	assert_int_equal(h.mask + 1, 128);
	for (i = 33; i < 100000; i++)
		assert_int_equal(qp_hmap_put(&h, 1, i, i), 0);
	assert_int_equal(h.n, 100000);
	assert_int_equal(h.mask + 1, 262144);
	for (i = 0; i < 100000; i++)
		assert_int_equal(qp_hmap_get(&h, 1, i), i);
	qp_hmap_free(&h);
}

/* n keys (5, b) whose home slot in a 64-slot map is home. */
static void keys_at(uint32_t home, uint64_t *b, int n)
{
	uint64_t k;
	int found = 0;

	for (k = 0; found < n; k++)
		if ((qp_hash2(5, k) & 63) == home)
			b[found++] = k;
}

/*
 * Deletion shifts the rest of a probe chain back: with A, B, C sharing
 * home slot 10 (slots 10, 11, 12) and D at home 11 (pushed to 13),
 * deleting A must leave B, C and D reachable and the chain one shorter.
 */
static void hmap_delete_shifts_chain(void **state)
{
	struct qp_hmap h = { 0 };
	uint64_t same[3], d[1];

	(void)state;
	keys_at(10, same, 3);
	keys_at(11, d, 1);
	assert_int_equal(qp_hmap_put(&h, 5, same[0], 0), 0);
	assert_int_equal(qp_hmap_put(&h, 5, same[1], 1), 0);
	assert_int_equal(qp_hmap_put(&h, 5, same[2], 2), 0);
	assert_int_equal(qp_hmap_put(&h, 5, d[0], 3), 0);
	assert_int_equal(h.mask, 63);
	assert_true(h.slot[10].b == same[0] && h.slot[11].b == same[1] &&
		    h.slot[12].b == same[2] && h.slot[13].b == d[0]);
	qp_hmap_del(&h, 5, same[0]);
	/* B, C moved back to 10, 11; D (home 11) to 12; 13 empty */
	assert_true(h.slot[10].b == same[1] && h.slot[11].b == same[2] &&
		    h.slot[12].b == d[0]);
	assert_int_equal(h.slot[13].val, QP_HMAP_NIL);
	assert_int_equal(qp_hmap_get(&h, 5, same[1]), 1);
	assert_int_equal(qp_hmap_get(&h, 5, same[2]), 2);
	assert_int_equal(qp_hmap_get(&h, 5, d[0]), 3);
	qp_hmap_free(&h);
}

/*
 * A chain that wraps around the end of the table: homes 62 and 63, three
 * keys at 62 (slots 62, 63, 0) and one at 63 (slot 1).  Deleting the key
 * in slot 63 moves the one in 0 (home 62, cyclically before 63) back, and
 * then the one in 1 (home 63) into 0.
 */
static void hmap_delete_wraps(void **state)
{
	struct qp_hmap h = { 0 };
	uint64_t at62[3], at63[1];

	(void)state;
	keys_at(62, at62, 3);
	keys_at(63, at63, 1);
	assert_int_equal(qp_hmap_put(&h, 5, at62[0], 0), 0);
	assert_int_equal(qp_hmap_put(&h, 5, at62[1], 1), 0);
	assert_int_equal(qp_hmap_put(&h, 5, at62[2], 2), 0);
	assert_int_equal(qp_hmap_put(&h, 5, at63[0], 3), 0);
	assert_true(h.slot[62].b == at62[0] && h.slot[63].b == at62[1] &&
		    h.slot[0].b == at62[2] && h.slot[1].b == at63[0]);
	qp_hmap_del(&h, 5, at62[1]);
	assert_true(h.slot[62].b == at62[0] && h.slot[63].b == at62[2] &&
		    h.slot[0].b == at63[0]);
	assert_int_equal(h.slot[1].val, QP_HMAP_NIL);
	assert_int_equal(qp_hmap_get(&h, 5, at62[0]), 0);
	assert_int_equal(qp_hmap_get(&h, 5, at62[2]), 2);
	assert_int_equal(qp_hmap_get(&h, 5, at63[0]), 3);
	assert_int_equal(qp_hmap_get(&h, 5, at62[1]), QP_HMAP_NIL);
	qp_hmap_free(&h);
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* 200 000 random puts, deletions and lookups over 500 keys, against a list. */
static void hmap_random_against_list(void **state)
{
	enum { KEYS = 500 };
	uint32_t ref[KEYS];	/* value of key i, QP_HMAP_NIL if absent */
	struct qp_hmap h = { 0 };
	uint32_t i, k, n = 0;

	(void)state;
	for (k = 0; k < KEYS; k++)
		ref[k] = QP_HMAP_NIL;
	for (i = 0; i < 200000; i++) {
		uint64_t r = next_rand();

		k = (uint32_t)(r % KEYS);
		switch ((r >> 32) % 3) {
		case 0:
			assert_int_equal(qp_hmap_put(&h, k / 7, k, i), 0);
			n += ref[k] == QP_HMAP_NIL;
			ref[k] = i;
			break;
		case 1:
			qp_hmap_del(&h, k / 7, k);
			n -= ref[k] != QP_HMAP_NIL;
			ref[k] = QP_HMAP_NIL;
			break;
		default:
			assert_int_equal(qp_hmap_get(&h, k / 7, k), ref[k]);
		}
		assert_int_equal(h.n, n);
	}
	for (k = 0; k < KEYS; k++)
		assert_int_equal(qp_hmap_get(&h, k / 7, k), ref[k]);
	qp_hmap_free(&h);
}

/* ---- growing arrays and pools ------------------------------------------ */

static void vec_doubles(void **state)
{
	int *v = NULL;
	size_t cap = 0, n;

	(void)state;
	assert_int_equal(qp_vec_grow(&v, 0, &cap, sizeof(*v)), 0);
	assert_int_equal(cap, 16);
	for (n = 0; n < 16; n++) {
		assert_int_equal(qp_vec_grow(&v, n, &cap, sizeof(*v)), 0);
		v[n] = (int)n;
	}
	assert_int_equal(cap, 16);
	assert_int_equal(qp_vec_grow(&v, 16, &cap, sizeof(*v)), 0);
	assert_int_equal(cap, 32);
	for (n = 0; n < 16; n++)
		assert_int_equal(v[n], (int)n);
	free(v);
}

struct item {
	uint32_t next_free;
	uint32_t value;
	uint64_t pad;
};

static void pool_alloc_free(void **state)
{
	struct qp_pool p;
	uint32_t i;

	(void)state;
	qp_pool_init(&p, sizeof(struct item));
	for (i = 0; i < 3; i++) {
		assert_int_equal(qp_pool_alloc(&p), i);
		QP_POOL_AT(&p, struct item, i)->value = 10 + i;
		QP_POOL_AT(&p, struct item, i)->pad = ~0ull;
	}
	/* freed items come back last-freed first, zeroed */
	qp_pool_free(&p, 1);
	qp_pool_free(&p, 2);
	assert_int_equal(qp_pool_alloc(&p), 2);
	assert_int_equal(QP_POOL_AT(&p, struct item, 2)->next_free, QP_POOL_NIL);
	assert_int_equal(QP_POOL_AT(&p, struct item, 2)->value, 0);
	assert_int_equal(QP_POOL_AT(&p, struct item, 2)->pad, 0);
	assert_int_equal(qp_pool_alloc(&p), 1);
	assert_int_equal(qp_pool_alloc(&p), 3);
	assert_int_equal(QP_POOL_AT(&p, struct item, 0)->value, 10);
	assert_int_equal(p.n, 4);
	qp_pool_release(&p);
	assert_null(p.items);
	assert_int_equal(p.size, sizeof(struct item));
	assert_int_equal(qp_pool_alloc(&p), 0);
	qp_pool_release(&p);
}

/* Indices stay valid (and items keep their values) when the array moves. */
static void pool_growth(void **state)
{
	struct qp_pool p;
	uint32_t i;

	(void)state;
	qp_pool_init(&p, sizeof(struct item));
	for (i = 0; i < 10000; i++) {
		assert_int_equal(qp_pool_alloc(&p), i);
		QP_POOL_AT(&p, struct item, i)->value = i * 3;
	}
	assert_int_equal(p.cap, 16384);
	for (i = 0; i < 10000; i++)
		assert_int_equal(QP_POOL_AT(&p, struct item, i)->value, i * 3);
	for (i = 0; i < 10000; i += 2)
		qp_pool_free(&p, i);
	for (i = 0; i < 5000; i++)
		assert_true(qp_pool_alloc(&p) % 2 == 0);
	assert_int_equal(p.n, 10000);
	qp_pool_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hmap_empty),
		cmocka_unit_test(hmap_put_get_replace),
		cmocka_unit_test(hmap_growth),
		cmocka_unit_test(hmap_delete_shifts_chain),
		cmocka_unit_test(hmap_delete_wraps),
		cmocka_unit_test(hmap_random_against_list),
		cmocka_unit_test(vec_doubles),
		cmocka_unit_test(pool_alloc_free),
		cmocka_unit_test(pool_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
