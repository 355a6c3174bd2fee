#!/bin/bash
# SPDX-License-Identifier: MIT
# qaic-sim-app (linked -lQAic) recorded end to end: every completion style,
# 1 and 8 threads, 2 queues, 2 programs x 2 activations; the trace must hold
# one enqueue per inference, every EXECUTE / WAIT / PERF_STATS, BOs tied to
# their exec objects, and the counts and kernel values of the simulator's
# own ground truth (InferenceCnt, runtime latency dumps).
. "$srcdir/lib.sh"
BIN=${BIN:-$APP}
EXTRA=${EXTRA:-}
need_lttng
rec_begin matrix || finish

# Completion styles x threads; the runtime does not profile, so the shim
# issues its own PERF_STATS after every WAIT (default QPROF_KMD_STATS=auto).
for style in wait event callback; do
	for threads in 1 8; do
		name=$style-T$threads
		n=$((threads * 40))
		rec_run "$name" "$BIN" -t tiny -n "$n" -T "$threads" -c "$style"
		expect_rc "$name" 0
	done
done

# 2 programs x 2 activations, 2 queues, runtime profiling of every
# inference: the runtime's PERF_STATS values equal its latency dumps, and
# the shim stays quiet (auto mode).
mkdir -p "$TMP/lat" "$TMP/lat2"
QAIC_SIM_TIME_SCALE=0.05 rec_run multi "$BIN" -t tiny -t resnet50 -n 60 \
	-a 2 -q 2 -T 2 -S 3 -c callback --aic-profiling-type latency \
	--aic-profiling-num-samples 60 --aic-profiling-out-dir "$TMP/lat"
expect_rc multi 0

# QPROF_KMD_STATS=always with the runtime profiling: the shim's query
# returns exactly what the runtime's own query of that completion returns.
QPROF_KMD_STATS=always rec_run always "$BIN" -t tiny -n 80 -T 4 -q 2 \
	--aic-profiling-type latency --aic-profiling-num-samples 80 \
	--aic-profiling-out-dir "$TMP/lat2"
expect_rc always 0

# QPROF_KMD_STATS=0: no query of the shim's own.
QPROF_KMD_STATS=0 rec_run off "$BIN" -t tiny -n 50 -T 2 -c event
expect_rc off 0
rec_end

for style in wait event callback; do
	for threads in 1 8; do
		name=$style-T$threads
		n=$((threads * 40))
		nchecks=$((nchecks + 1))
		[ "$(inference_count "$name")" = "$n" ] ||
			fail "$name: InferenceCnt $(inference_count "$name"), want $n"
		check_trace "$name" --inferences "$n" --style "$style" \
			--program-name tiny $EXTRA
	done
done
check_trace multi --inferences 120 --instances 4 --style callback \
	--program-name tiny --program-name resnet50 --profiled 120 \
	--latency-dir "$TMP/lat" $EXTRA
check_trace always --inferences 80 --kmd-stats always --profiled 80 \
	--latency-dir "$TMP/lat2" $EXTRA
check_trace off --inferences 50 --style event --kmd-stats off $EXTRA
finish
