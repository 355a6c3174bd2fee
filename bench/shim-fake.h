/* SPDX-License-Identifier: MIT */
/* The fake runtime's request shapes, shared with the benchmark programs. */
#ifndef SHIM_FAKE_H
#define SHIM_FAKE_H

#include <stdint.h>

#include <qprof/qaic_api.h>

#define SHIM_FAKE_MAX_BOS 1024u

/* BOs per request (QP_BENCH_BOS, default 2). */
uint32_t shim_fake_bos(void);
/* Handle of BO i of an exec object (its last BO is the waited one). */
uint32_t shim_fake_handle(const QAicExecObj *execObj, uint32_t i);

#endif
