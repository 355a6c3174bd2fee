/* SPDX-License-Identifier: MIT */
/*
 * The simulated runtime's private entry points, for the simulator's own
 * Python module (sim/python/qaicrt.c) and its sample application's side of
 * the truth file (sim/apps/simapp_truth.c), and nobody else.
 *
 * On a card, Qualcomm's qaicrt module is a binding over the C++ runtime: its
 * calls never pass through the exported qaic* C symbols, so an LD_PRELOAD
 * interposer of those symbols does not see them.  The simulator's qaicrt
 * reproduces that: it reaches the runtime through this table, exported under
 * a name that is not a qaic* name (libQAic.map), never through the exported
 * symbols or qaicGetFunctionTable().  The library is linked with
 * -Bsymbolic-functions, so the table's members are the library's own
 * definitions even when the exported names are interposed
 * (tests/sim/python_bypass.sh proves it).
 */
#ifndef QAIC_SIM_SIMRT_ENTRIES_H
#define QAIC_SIM_SIMRT_ENTRIES_H

#include <stdbool.h>
#include <stdint.h>
#include "qaic_sim_table.h"

struct desc;

#define SIMRT_ENTRIES_VERSION 1
#define SIMRT_ENTRIES_SYMBOL "simrt_entries"

struct simrt_entries {
	uint32_t version;		/* SIMRT_ENTRIES_VERSION */
	uint32_t size;			/* sizeof(struct simrt_entries) */
	/* Every API function, the library's own definitions. */
	const struct QAicApiFunctionTable *api;
	/* The description behind a live QPC object, or NULL. */
	const struct desc *(*qpc_desc)(QAicQpcObj *qpc);
	/* The truth file's key (QAicProgramID, sample number) of an exec
	 * object's last enqueue (@done false) or last completion handed over
	 * (@done true); false if there is none. */
	bool (*eo_sample)(QAicExecObj *eo, bool done, uint32_t *program,
			  uint64_t *sample);
};

/* Exported by libQAic.so under SIMRT_ENTRIES_SYMBOL. */
const struct simrt_entries *simrt_entries(void);

#endif /* QAIC_SIM_SIMRT_ENTRIES_H */
