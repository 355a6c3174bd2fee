/* SPDX-License-Identifier: MIT */
/*
 * dltest LIB ROUNDS: dlopen the (fake) runtime LIB, call it through dlsym'd
 * pointers and through its function table, dlclose it, and again, ROUNDS
 * times.  Checks what the application sees (return values, errno, user
 * data and event pointer in the callback, removal of a callback with the
 * application's own pointer, the table's non-function words) and prints
 * the calls the shim must record:
 *	EXPECT <event> <count>
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "fakeqaic.h"

static int failures, cb_calls;
static int user_data;

#define CHECK(cond) do { if (!(cond)) { failures++; \
	fprintf(stderr, "dltest:%d: %s\n", __LINE__, #cond); } } while (0)

static void on_done(QAicEvent *ev, QAicEventCompletionType t, void *ud)
{
	CHECK(ev == (QAicEvent *)0x30);
	CHECK(t == QAIC_EVENT_DEVICE_COMPLETE);
	CHECK(ud == &user_data);
	cb_calls++;
}

static void *sym(void *h, const char *name)
{
	void *p = dlsym(h, name);

	if (!p) {
		fprintf(stderr, "dltest: %s: %s\n", name, dlerror());
		exit(1);
	}
	return p;
}

/* 6 enqueues, 1 context, 2 callback registrations, 1 callback entered. */
static void round_trip(void *h)
{
	QStatus (*create)(QAicContext **, QAicContextProperties_t *, uint32_t,
			  QID *, QAicLogCallback, void *, QAicErrorHandler,
			  void *) = sym(h, "qaicCreateContext");
	QStatus (*enqueue)(QAicQueue *, QAicExecObj *, QAicEvent *) =
		sym(h, "qaicEnqueueExecObj");
	QStatus (*add)(QAicEvent *, QAicEventCallback, void *) =
		sym(h, "qaicEventAddCallback");
	QStatus (*del)(QAicEvent *, QAicEventCallback) =
		sym(h, "qaicEventRemoveCallback");
	const struct fake_table *(*get_table)(void) =
		sym(h, "qaicGetFunctionTable");
	unsigned long *calls = sym(h, "fake_calls");
	QAicQueue *q = (QAicQueue *)0x10;
	QAicExecObj *eo = (QAicExecObj *)0x20;
	QAicEvent *ev = (QAicEvent *)0x30;
	const struct fake_table *t;
	QAicContext *ctx = NULL;
	QID dev = 0;
	unsigned long before = *calls;
	int k, cb0 = cb_calls;

	errno = 0;
	CHECK(create(&ctx, NULL, 1, &dev, NULL, NULL, NULL, NULL) == QS_SUCCESS);
	CHECK(errno == FAKE_ERRNO && ctx != NULL);
	for (k = 0; k < 3; k++) {
		errno = 0;
		CHECK(enqueue(q, eo, NULL) == QS_SUCCESS);
		CHECK(errno == FAKE_ERRNO);
	}
	CHECK(enqueue(q, NULL, NULL) == QS_BUSY);
	CHECK(add(ev, on_done, &user_data) == QS_SUCCESS);
	CHECK(enqueue(q, eo, ev) == QS_SUCCESS);
	CHECK(cb_calls == cb0 + 1);
	CHECK(del(ev, on_done) == QS_SUCCESS);

	t = get_table();
	CHECK(t != NULL);
	if (t) {
		CHECK(t->version == FAKE_TABLE_VERSION);
		CHECK(t->size == sizeof(*t));
		CHECK(t->magic == FAKE_TABLE_MAGIC);
		CHECK(t->data == dlsym(h, "fake_data"));
		CHECK(t->qaicEnqueueExecObj(q, eo, ev) == QS_SUCCESS);
		CHECK(cb_calls == cb0 + 1);	/* removed: not entered */
	}
	CHECK(*calls - before == 10);	/* every call reached the runtime */
}

int main(int argc, char **argv)
{
	int rounds, r;

	if (argc != 3) {
		fprintf(stderr, "usage: dltest LIB ROUNDS\n");
		return 2;
	}
	rounds = atoi(argv[2]);
	for (r = 0; r < rounds; r++) {
		void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);

		if (!h) {
			fprintf(stderr, "dltest: %s\n", dlerror());
			return 1;
		}
		round_trip(h);
		CHECK(dlclose(h) == 0);
	}
	printf("EXPECT api_context_create %d\n", rounds);
	printf("EXPECT api_enqueue_entry %d\n", 6 * rounds);
	printf("EXPECT api_enqueue_exit %d\n", 6 * rounds);
	printf("EXPECT api_event_callback_reg %d\n", 2 * rounds);
	printf("EXPECT api_callback_entry %d\n", rounds);
	printf("EXPECT api_callback_exit %d\n", rounds);
	return failures ? 1 : 0;
}
