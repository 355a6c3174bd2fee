#!/bin/bash
# SPDX-License-Identifier: MIT
# QPROF_KERNEL_ONLY=1: the API hooks pass through silently (as for the C++
# and Python bindings, whose calls bypass the C symbols); the kernel layer
# alone still yields every inference: EXECUTE ... WAIT per DBC, BOs, the
# shim's PERF_STATS, for both apps.
. "$srcdir/lib.sh"
need_lttng
for bin in "$APP" "$LOADER"; do
	name=ko-$(basename "$bin")
	QPROF_KERNEL_ONLY=1 traced "$name" "$bin" -t tiny -t resnet50 -n 50 \
		-T 2 -c event && expect_rc "$name" 0 &&
		check_trace "$name" --kernel-only --inferences 100 --instances 2
done
finish
