/* SPDX-License-Identifier: MIT */
/*
 * Registry of live handles: an open-addressing hash set of object pointers
 * under one mutex.  Lookups never dereference a pointer that is not in the
 * set, so garbage or released handles are rejected safely.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "rt.h"

#define TOMBSTONE ((struct rt_obj *)1)

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rt_obj **slots;
static size_t cap;		/* power of two */
static size_t used;		/* live + tombstones */

static size_t hash_ptr(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return (size_t)x;
}

static size_t find_slot(const void *p)
{
	size_t i = hash_ptr(p) & (cap - 1);

	while (slots[i] && slots[i] != p)
		i = (i + 1) & (cap - 1);
	return i;
}

static int grow(void)
{
	size_t old_cap = cap, i, ncap = cap ? cap * 2 : 64;
	struct rt_obj **old = slots;

	/* Only tombstones? Rehash in place at the same size. */
	if (cap) {
		size_t live = 0;

		for (i = 0; i < cap; i++)
			live += slots[i] && slots[i] != TOMBSTONE;
		if (live * 4 < cap)
			ncap = cap;
	}
	slots = calloc(ncap, sizeof(*slots));
	if (!slots) {
		slots = old;
		return -ENOMEM;
	}
	cap = ncap;
	used = 0;
	for (i = 0; i < old_cap; i++) {
		if (old[i] && old[i] != TOMBSTONE) {
			slots[find_slot(old[i])] = old[i];
			used++;
		}
	}
	free(old);
	return 0;
}

int rt_register(struct rt_obj *obj, enum rt_type type,
		void (*destroy)(struct rt_obj *obj))
{
	int rc = 0;

	obj->type = type;
	obj->destroy = destroy;
	atomic_init(&obj->refs, 1);
	pthread_mutex_lock(&reg_lock);
	if ((used + 1) * 2 > cap)
		rc = grow();
	if (!rc) {
		slots[find_slot(obj)] = obj;
		used++;
	}
	pthread_mutex_unlock(&reg_lock);
	return rc;
}

struct rt_obj *rt_get(const void *handle, enum rt_type type)
{
	struct rt_obj *obj = NULL;

	if (!handle)
		return NULL;
	pthread_mutex_lock(&reg_lock);
	if (cap) {
		struct rt_obj *o = slots[find_slot(handle)];

		if (o && o != TOMBSTONE && o->type == type) {
			atomic_fetch_add(&o->refs, 1);
			obj = o;
		}
	}
	pthread_mutex_unlock(&reg_lock);
	return obj;
}

void rt_ref(struct rt_obj *obj)
{
	atomic_fetch_add(&obj->refs, 1);
}

void rt_put(struct rt_obj *obj)
{
	if (obj && atomic_fetch_sub(&obj->refs, 1) == 1)
		obj->destroy(obj);
}

bool rt_unregister(struct rt_obj *obj)
{
	bool found = false;

	pthread_mutex_lock(&reg_lock);
	if (cap) {
		size_t i = find_slot(obj);

		if (slots[i] == obj) {
			slots[i] = TOMBSTONE;
			found = true;
		}
	}
	pthread_mutex_unlock(&reg_lock);
	return found;
}

void rt_foreach(enum rt_type type, void (*fn)(struct rt_obj *, void *),
		void *arg)
{
	struct rt_obj **list = NULL;
	size_t i, n = 0;

	pthread_mutex_lock(&reg_lock);
	if (cap)
		list = malloc(cap * sizeof(*list));
	for (i = 0; list && i < cap; i++) {
		struct rt_obj *o = slots[i];

		if (o && o != TOMBSTONE && o->type == type) {
			atomic_fetch_add(&o->refs, 1);
			list[n++] = o;
		}
	}
	pthread_mutex_unlock(&reg_lock);
	for (i = 0; i < n; i++) {
		fn(list[i], arg);
		rt_put(list[i]);
	}
	free(list);
}
