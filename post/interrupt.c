// SPDX-License-Identifier: MIT
/*
 * Ctrl-C as a request to stop cleanly (interrupt.h).
 */
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

#include "interrupt.h"

static atomic_int got;	/* lock-free on every target qprof builds for */

static void on_signal(int sig)
{
	int none = 0;

	atomic_compare_exchange_strong(&got, &none, sig);
}

void qp_interrupt_catch(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

int qp_interrupted(void)
{
	return atomic_load_explicit(&got, memory_order_relaxed);
}

void qp_interrupt_raise(void)
{
	int sig = qp_interrupted();
	sigset_t set;

	if (!sig)
		return;
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
}
