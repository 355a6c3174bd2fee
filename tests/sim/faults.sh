#!/bin/bash
# SPDX-License-Identifier: MIT
# Fault injection through the simulator's QAIC_SIM_FAULT_* variables: a
# device error ends the run with exit 1 and the QS_DEV_ERROR message; an
# EAGAIN storm shorter than the retry budget still completes every
# inference, a longer one gives QS_BUSY; a hang gives QS_TIMEDOUT.
. "$srcdir/lib.sh"

for bin in "$APP" "$LOADER"; do
	p=$(basename "$bin")
	QAIC_SIM_FAULT_DEVERR=5 expect_rc 1 "$bin" -t tiny -n 50 &&
		expect_stderr "^$p: qaicExecObjWaitForCompletion failed: QS_DEV_ERROR \(300\)$"
	QAIC_SIM_FAULT_DEVERR=3 expect_rc 1 "$bin" -t tiny -n 50 -c event \
		-T 2 && expect_stderr "^$p: qaicWaitforEvent failed: QS_DEV_ERROR \(300\)$"
	QAIC_SIM_FAULT_DEVERR=3 expect_rc 1 "$bin" -t tiny -n 50 -c callback \
		&& expect_stderr "^$p: [a-zA-Z]+ failed: QS_DEV_ERROR \(300\)$"
	QAIC_SIM_FAULT_DEVERR=1000 expect_rc 0 "$bin" -t tiny -n 50 &&
		expect_stats "50:1"

	QAIC_SIM_FAULT_EAGAIN=2:10 expect_rc 0 "$bin" -t tiny -n 100 -T 2 &&
		expect_stats "100:1"
	QAIC_SIM_TIME_SCALE=0.01 QAIC_SIM_FAULT_EAGAIN=2:1000 \
		expect_rc 1 "$bin" -t tiny -n 20 -S 1 &&
		expect_stderr "^$p: [a-zA-Z]+ failed: QS_BUSY \(4\)$"

	QAIC_SIM_FAULT_HANG=3 expect_rc 1 "$bin" -t tiny -n 20 -S 2 \
		--submit-timeout 50 --submit-retry-count 1 &&
		expect_stderr "^$p: qaicExecObjWaitForCompletion failed: QS_TIMEDOUT \(9\)$"
done
finish
