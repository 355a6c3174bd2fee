/* SPDX-License-Identifier: MIT */
/*
 * libqaic-sim-card.so: preloaded by qaic-sim-card into the program it runs,
 * it starts the simulated driver (sim/kmd) before main(), so that the
 * program's qaic ioctls on /dev/accel/accelN are answered by simkmd as a
 * card's driver and firmware would (docs/SIM-CARD.md).  The device nodes
 * live in $QAIC_SIM_RUNDIR, /dev in qaic-sim-card's mount namespace.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "simkmd.h"

__attribute__((constructor)) static void qaic_sim_card_start(void)
{
	int rc;

	const char *s = getenv("QAIC_SIM_CARD_STARTED");
	char pid[24];

	/*
	 * Once per process: QAIC_SIM_CARD_STARTED holds the pid that started
	 * the driver.  The same pid is a process that exec()ed (a wrapper
	 * script, a pyenv shim): its new image needs the driver again, the
	 * old one went with the old image.  Another pid is a child of the
	 * program: the devices are the program's, it gets no driver of its
	 * own (it would truncate the nodes under the program).
	 */
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	if (s && *s && strcmp(s, pid))
		return;
	setenv("QAIC_SIM_CARD_STARTED", pid, 1);
	rc = simkmd_start();
	if (rc) {
		fprintf(stderr, "qaic-sim-card: the simulated driver did not start: %s\n",
			strerror(-rc));
		_exit(1);
	}
}
