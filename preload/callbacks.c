/* SPDX-License-Identifier: MIT */
/*
 * Event callbacks, wrapped so that the runtime entering the application's
 * callback is observed (api_callback_entry / api_callback_exit).
 *
 * The user data must reach the callback untouched, so the wrapper cannot
 * hide its own state there.  Instead there is a fixed pool of trampoline
 * functions, each bound to one slot {event, user callback}: the runtime is
 * given the trampoline, which looks its slot up by its own index.  Removing
 * a callback with the user's pointer finds the slot by (event, callback)
 * and removes the trampoline.  When the pool is exhausted the user's
 * callback is registered unwrapped (still correct, just not observed).
 */
#include "shim.h"

#define QP_NUM_TRAMPOLINES 256

struct cb_slot {
	QAicEvent *_Atomic event;
	_Atomic QAicEventCallback cb;	/* NULL = free */
	atomic_int claimed;
};

static struct cb_slot cb_slots[QP_NUM_TRAMPOLINES];
atomic_int qp_callbacks_wrapped;

static void trampoline(unsigned int idx, QAicEvent *event,
		       QAicEventCompletionType completion, void *user_data)
{
	QAicEventCallback cb = atomic_load_explicit(&cb_slots[idx].cb,
						    memory_order_acquire);
	bool on = lttng_ust_tracepoint_enabled(qprof, api_callback_entry);
	int depth = qp_api_depth;
	struct qprof_tp_call c;

	if (!cb)
		return;
	if (on) {
		qp_call_begin(&c, (const void *)cb);
		lttng_ust_do_tracepoint(qprof, api_callback_entry, &c, event,
					(uint32_t)completion, (const void *)cb);
	}
	/* API calls the callback makes are the application's: trace them. */
	qp_api_depth = 0;
	cb(event, completion, user_data);
	qp_api_depth = depth;
	if (lttng_ust_tracepoint_enabled(qprof, api_callback_exit)) {
		int saved = errno;

		qp_call_begin(&c, (const void *)cb);
		lttng_ust_do_tracepoint(qprof, api_callback_exit, &c, event);
		errno = saved;
	}
}

/* 256 trampolines tramp_ABCD; A..D are the base-4 digits of the index. */
#define T1(a, b, c, d)							\
	static void tramp_##a##b##c##d(QAicEvent *e,			\
				       QAicEventCompletionType t, void *u) \
	{								\
		trampoline((a) * 64 + (b) * 16 + (c) * 4 + (d), e, t, u); \
	}
#define T4(a, b, c) T1(a, b, c, 0) T1(a, b, c, 1) T1(a, b, c, 2) T1(a, b, c, 3)
#define T16(a, b) T4(a, b, 0) T4(a, b, 1) T4(a, b, 2) T4(a, b, 3)
#define T64(a) T16(a, 0) T16(a, 1) T16(a, 2) T16(a, 3)
T64(0) T64(1) T64(2) T64(3)

/* Listed in the same digit order, so tramps[i] calls trampoline(i). */
#define R1(a, b, c, d) tramp_##a##b##c##d,
#define R4(a, b, c) R1(a, b, c, 0) R1(a, b, c, 1) R1(a, b, c, 2) R1(a, b, c, 3)
#define R16(a, b) R4(a, b, 0) R4(a, b, 1) R4(a, b, 2) R4(a, b, 3)
#define R64(a) R16(a, 0) R16(a, 1) R16(a, 2) R16(a, 3)
static const QAicEventCallback tramps[QP_NUM_TRAMPOLINES] = {
	R64(0) R64(1) R64(2) R64(3)
};

static int slot_index(QAicEventCallback tramp)
{
	int i;

	for (i = 0; i < QP_NUM_TRAMPOLINES; i++)
		if (tramps[i] == tramp)
			return i;
	return -1;
}

QAicEventCallback qp_callback_wrap(QAicEvent *event, QAicEventCallback cb)
{
	int i, expected;

	if (!cb)
		return cb;
	for (i = 0; i < QP_NUM_TRAMPOLINES; i++) {
		expected = 0;
		if (!atomic_compare_exchange_strong(&cb_slots[i].claimed,
						    &expected, 1))
			continue;
		atomic_store_explicit(&cb_slots[i].event, event,
				      memory_order_relaxed);
		atomic_store_explicit(&cb_slots[i].cb, cb,
				      memory_order_release);
		atomic_store_explicit(&qp_callbacks_wrapped, 1,
				      memory_order_relaxed);
		return tramps[i];
	}
	qp_debug("callback pool exhausted: %p registered unwrapped",
		 (void *)cb);
	return cb;
}

static int find_slot(QAicEvent *event, QAicEventCallback cb)
{
	int i;

	for (i = 0; i < QP_NUM_TRAMPOLINES; i++)
		if (atomic_load(&cb_slots[i].claimed) &&
		    atomic_load(&cb_slots[i].cb) == cb &&
		    atomic_load(&cb_slots[i].event) == event)
			return i;
	return -1;
}

QAicEventCallback qp_callback_find(QAicEvent *event, QAicEventCallback cb)
{
	int i = find_slot(event, cb);

	return i < 0 ? cb : tramps[i];
}

static void free_slot(int i)
{
	atomic_store(&cb_slots[i].cb, NULL);
	atomic_store(&cb_slots[i].event, NULL);
	atomic_store(&cb_slots[i].claimed, 0);
}

void qp_callback_forget(QAicEvent *event, QAicEventCallback cb)
{
	int i = find_slot(event, cb);

	if (i >= 0)
		free_slot(i);
}

void qp_callback_forget_slot(QAicEventCallback tramp)
{
	int i = slot_index(tramp);

	if (i >= 0)
		free_slot(i);
}

void qp_callback_forget_event(QAicEvent *event)
{
	int i;

	for (i = 0; i < QP_NUM_TRAMPOLINES; i++)
		if (atomic_load(&cb_slots[i].claimed) &&
		    atomic_load(&cb_slots[i].event) == event)
			free_slot(i);
}
