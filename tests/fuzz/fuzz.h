/* SPDX-License-Identifier: MIT */
/*
 * The libFuzzer entry points every harness defines (tests/fuzz/README.md):
 * LLVMFuzzerTestOneInput runs one input and returns 0; the optional
 * LLVMFuzzerInitialize runs once first.
 */
#ifndef QPROF_TESTS_FUZZ_H
#define QPROF_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif
