/* SPDX-License-Identifier: MIT */
/*
 * Recovery from a subsystem restart: the runtime's own thread, outside any
 * API call, re-activates a device of a program whose DBC the kernel took
 * (EXECUTE -EPIPE, or -EPERM while the program is active), retrying while
 * the device is still restarting (activation -EAGAIN), as the closed
 * runtime must do on a card (docs/CONTRACTS.md §6.5: the host must
 * re-activate). Workers only queue requests here; inferences fail until it is
 * done.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

#define RECOVER_STEP_NS 1000000ull	/* 1 ms between attempts */
#define RECOVER_MAX_NS 15000000000ull	/* 15 s, docs/CONTRACTS.md §6.5 */

struct rec_item {
	struct QAicProgram *pg;		/* counted */
	uint32_t dev;
	uint64_t gen;
	struct rec_item *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static struct rec_item *head, *tail;
static bool started;

static void recover_one(struct rec_item *it)
{
	uint64_t t0 = rt_now();
	int rc;

	for (;;) {
		rc = rt_program_reactivate(it->pg, it->dev, it->gen);
		if (rc != -EAGAIN)
			break;
		if (rt_now() - t0 > RECOVER_MAX_NS) {
			rt_log(it->pg->ctx, QL_ERROR, "program %s: device %d still restarting after 15 s; not re-activated",
			       it->pg->name, (int)it->pg->pdev[it->dev].qid);
			break;
		}
		rt_sleep_ns(RECOVER_STEP_NS);
	}
}

static void *recover_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	for (;;) {
		struct rec_item *it;

		while (!head)
			pthread_cond_wait(&cond, &lock);
		it = head;
		head = it->next;
		if (!head)
			tail = NULL;
		pthread_mutex_unlock(&lock);
		recover_one(it);
		RT_PUT(it->pg);
		free(it);
		pthread_mutex_lock(&lock);
	}
	return NULL;
}

static int start_locked(void)
{
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t tid;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);	/* no signal lands here */
	err = pthread_create(&tid, &attr, recover_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (!err)
		started = true;
	return err;
}

void rt_recover_request(struct QAicProgram *pg, uint32_t dev, uint64_t gen)
{
	struct rec_item *it;

	pthread_mutex_lock(&lock);
	for (it = head; it; it = it->next)
		if (it->pg == pg && it->dev == dev && it->gen == gen)
			goto out;	/* already asked */
	if (!started && start_locked()) {
		rt_log(pg->ctx, QL_ERROR, "program %s: cannot start the recovery thread",
		       pg->name);
		goto out;
	}
	it = calloc(1, sizeof(*it));
	if (!it)
		goto out;
	it->pg = pg;
	it->dev = dev;
	it->gen = gen;
	rt_ref(&pg->obj);
	if (tail)
		tail->next = it;
	else
		head = it;
	tail = it;
	pthread_cond_signal(&cond);
out:
	pthread_mutex_unlock(&lock);
}
