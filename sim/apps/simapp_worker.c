/* SPDX-License-Identifier: MIT */
/*
 * An application thread: keeps its exec objects busy (at most set_size
 * inferences in flight) until its share of the inferences is done or the
 * --time deadline passed, awaiting completions in the chosen style.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "simapp_int.h"

static uint64_t now_us(void)
{
	return simapp_now_ns() / 1000u;
}

void simapp_worker_init(struct simapp_worker *w, struct simapp_prog *prog,
			unsigned int num_slots, unsigned int seed)
{
	memset(w, 0, sizeof(*w));
	w->prog = prog;
	w->num_slots = num_slots;
	w->seed = seed;
	w->slots = calloc(num_slots, sizeof(*w->slots));
	w->fifo = calloc(num_slots, sizeof(*w->fifo));
	w->doneq = calloc(num_slots, sizeof(*w->doneq));
	if (!w->slots || !w->fifo || !w->doneq) {
		fprintf(stderr, "%s: out of memory\n", simapp_progname);
		exit(SIMAPP_EXIT_RUNTIME);
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
}

void simapp_worker_destroy(struct simapp_worker *w)
{
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w->slots);
	free(w->fifo);
	free(w->doneq);
}

/* Runs on a runtime worker thread: hand the exec object back. */
void simapp_event_callback(QAicEvent *event, QAicEventCompletionType type,
			   void *user_data)
{
	struct simapp_slot *slot = user_data;
	struct simapp_worker *w = slot->worker;
	unsigned int idx = (unsigned int)(slot - w->slots);

	(void)event;
	(void)type;
	pthread_mutex_lock(&w->lock);
	w->doneq[(w->done_head + w->done_len) % w->num_slots] = idx;
	w->done_len++;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static bool may_issue(const struct simapp_worker *w, uint64_t deadline)
{
	if (simapp_should_stop())
		return false;
	if (deadline)
		return now_us() < deadline;
	return w->issued < w->quota;
}

/*
 * --exit-in-flight: the first thread that has issued its whole quota ends
 * the process there, its last inferences in flight (exit() once only: two
 * threads must not run it at the same time).
 */
static void maybe_exit_in_flight(const struct simapp_worker *w)
{
	static atomic_flag exiting = ATOMIC_FLAG_INIT;

	if (!simapp_opts_get()->exit_in_flight || !w->quota ||
	    w->issued < w->quota || atomic_flag_test_and_set(&exiting))
		return;
	fprintf(stderr, "%s: exiting with %u inferences in flight (%llu completed by this thread)\n",
		simapp_progname, w->fifo_len,
		(unsigned long long)w->completed);
	exit(SIMAPP_EXIT_OK);
}

static bool issue(struct simapp_worker *w, unsigned int idx)
{
	const struct simapp_api *api = simapp_api_get();
	struct simapp_slot *slot = &w->slots[idx];
	uint64_t t;

	if (slot->event &&
	    simapp_check("qaicEventClear", api->qaicEventClear(slot->event)))
		return false;
	if (simapp_llm_mode() && !simapp_llm_step(slot))
		return false;
	t = simapp_truth_on() ? simapp_now_ns() : 0;
	if (simapp_check("qaicEnqueueExecObj",
			 api->qaicEnqueueExecObj(slot->queue, slot->eo,
						 slot->event)))
		return false;
	if (t)
		simapp_truth_stamp(slot->eo, false, t);
	w->issued++;
	w->fifo[(w->fifo_head + w->fifo_len) % w->num_slots] = idx;
	w->fifo_len++;
	maybe_exit_in_flight(w);
	return true;
}

/* Next exec object whose completion the thread awaits, oldest first. */
static unsigned int pop_fifo(struct simapp_worker *w)
{
	unsigned int idx = w->fifo[w->fifo_head];

	w->fifo_head = (w->fifo_head + 1) % w->num_slots;
	w->fifo_len--;
	return idx;
}

/* Callback style: the next exec object the callback handed back. */
static unsigned int pop_done(struct simapp_worker *w)
{
	unsigned int idx;

	pthread_mutex_lock(&w->lock);
	while (w->done_len == 0)
		pthread_cond_wait(&w->cond, &w->lock);
	idx = w->doneq[w->done_head];
	w->done_head = (w->done_head + 1) % w->num_slots;
	w->done_len--;
	pthread_mutex_unlock(&w->lock);
	return idx;
}

/*
 * A completion's status: success, or with --keep-going an inference that
 * failed (counted, the run goes on), else a failed call that stops it.
 */
static bool completion_ok(struct simapp_worker *w, const char *fn, QStatus st)
{
	if (st != QS_SUCCESS && st != QS_INVAL && simapp_opts_get()->keep_going) {
		w->failed++;
		return false;
	}
	return !simapp_check(fn, st);
}

/* Awaits one completion; returns the slot index, *ok = status success. */
static unsigned int await_one(struct simapp_worker *w, bool *ok)
{
	const struct simapp_api *api = simapp_api_get();
	enum simapp_completion style = simapp_opts_get()->completion;
	unsigned int idx;
	QStatus st;

	switch (style) {
	case SIMAPP_COMPLETION_EVENT:
		idx = pop_fifo(w);
		st = api->qaicWaitforEvent(w->slots[idx].event);
		*ok = completion_ok(w, "qaicWaitforEvent", st);
		break;
	case SIMAPP_COMPLETION_CALLBACK:
		/* Callbacks come in any order: here the FIFO only counts. */
		pop_fifo(w);
		idx = pop_done(w);
		st = api->qaicExecObjWaitForCompletion(w->slots[idx].eo, 0);
		*ok = completion_ok(w, "qaicExecObjWaitForCompletion", st);
		break;
	default:
		idx = pop_fifo(w);
		st = api->qaicExecObjWaitForCompletion(w->slots[idx].eo, 0);
		if (simapp_truth_on())
			simapp_truth_stamp(w->slots[idx].eo, true, simapp_now_ns());
		*ok = completion_ok(w, "qaicExecObjWaitForCompletion", st);
		break;
	}
	return idx;
}

/* --app-delay-us: the application's own work on a result. */
static void app_delay(unsigned int us)
{
	struct timespec ts = { .tv_sec = us / 1000000u,
			       .tv_nsec = (long)(us % 1000000u) * 1000 };

	if (!us)
		return;
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

void *simapp_worker_main(void *arg)
{
	struct simapp_worker *w = arg;
	const struct simapp_options *opts = simapp_opts_get();
	uint64_t deadline = 0;
	unsigned int j, idx;
	bool ok;

	pthread_barrier_wait(w->barrier);
	if (opts->time_sec > 0)
		deadline = now_us() + (uint64_t)(opts->time_sec * 1e6);
	for (j = 0; j < w->num_slots && may_issue(w, deadline); j++)
		if (!issue(w, j))
			break;
	while (w->fifo_len > 0) {
		idx = await_one(w, &ok);
		if (ok)
			w->completed++;
		app_delay(opts->app_delay_us);
		if (may_issue(w, deadline))
			issue(w, idx);
	}
	w->end_us = now_us();
	return NULL;
}
