#!/bin/bash
# SPDX-License-Identifier: MIT
# The llm preset (docs/CONTRACTS.md §6.6) through qaic-sim-app --prefill /
# --decode, on one device and on four (--dev-mapping 0:1:2:3), with the ioctl
# counter, every inference profiled and the inference log: 132 BOs per request
# and device, the KV bindings empty (PARTIAL_EXECUTE with resize 0), device
# times of each specialization (prefill grows with its tokens, decode a fixed
# cost per step), one latency row per inference.
. "$srcdir/lib.sh"

SCALE=0.2
export QAIC_SIM_TIME_SCALE=$SCALE

# llm_run LABEL BIN ARGS...: under the counter, profiled, logged.
llm_run()
{
	label=$1
	bin=$2
	shift 2
	rm -f "$TMP/counts"
	mkdir -p "$TMP/$label"
	expect_rc 0 env IOCTL_COUNT_OUT="$TMP/counts" \
		QAIC_SIM_INFERENCE_LOG="$TMP/$label/inf.csv" \
		LD_PRELOAD="$PRELOAD" "$bin" -t llm "$@" \
		--aic-profiling-type latency --aic-profiling-num-samples 100000 \
		--aic-profiling-out-dir "$TMP/$label"
}

checks()
{
	lat=$TMP/$label/aic-profiling-program-0-latency.txt
	nchecks=$((nchecks + 1))
	"$PY" "$srcdir/check_latency.py" "$lat" --program-id 0 \
		--program-name llm --collected "$1" --requested 100000 --stats 1 ||
		fail "$label: latency file"
	nchecks=$((nchecks + 1))
	"$PY" "$srcdir/check_inflog.py" "$TMP/$label/inf.csv" --ndev "$2" \
		--count "$1" --latency "$lat" || fail "$label: inference log"
}

# 1. One device, one exec object: sequences of a 40-token prompt (prefill
# runs of 32 and 8 tokens) and 6 decode steps.
if llm_run one "$APP" -n 40 -S 1 --prefill 40 --decode 6; then
	expect_stats "40:1"
	expect_count PARTIAL_EXECUTE_BO 3 40
	expect_count EXECUTE_BO 2 0
	expect_count WAIT_BO 3 40
	expect_count EXEC_ENTRIES 2 132
	expect_count EXEC_ENTRIES 3 132
	expect_count PARTIAL_RESIZE_ZERO 2 $((40 * 128))
	expect_count CREATE_BO 3 132
	checks 40 1
	nchecks=$((nchecks + 1))
	"$PY" "$srcdir/check_llm.py" "$TMP/one/aic-profiling-program-0-latency.txt" \
		--prefill 40 --decode 6 --scale "$SCALE" || fail "$label: device times"
fi

# 2. Four devices: decode only, then prefill only, two exec objects on two
# threads; every request on every device.
if llm_run mdp-decode "$APP" --dev-mapping 0:1:2:3 -n 60 -S 1 -T 2 \
	--decode 16; then
	expect_stats "60:1"
	expect_count PARTIAL_EXECUTE_BO 3 240
	expect_count WAIT_BO 3 240
	expect_count MANAGE 3 16
	expect_count CREATE_BO 3 $((4 * 2 * 132))
	expect_count PARTIAL_RESIZE_ZERO 2 $((240 * 128))
	nodes=$(awk '$1 == "NODE" { n++ } END { print n + 0 }' "$TMP/counts")
	nchecks=$((nchecks + 1))
	[ "$nodes" = 4 ] || fail "$label: $nodes device nodes, want 4"
	checks 60 4
fi
if llm_run mdp-prefill "$LOADER" --dev-mapping 0:1:2:3 -n 30 -S 1 \
	--prefill 32; then
	expect_stats "30:1"
	expect_count PARTIAL_EXECUTE_BO 3 120
	checks 30 4
	nchecks=$((nchecks + 1))
	"$PY" "$srcdir/check_llm.py" \
		"$TMP/mdp-prefill/aic-profiling-program-0-latency.txt" \
		--prefill 32 --scale "$SCALE" || fail "$label: device times"
fi

# 3. Not an LLM program; bad values.
expect_rc 1 "$APP" -t tiny -n 1 --decode 4 &&
	expect_stderr "has no input 'input_ids'"
expect_rc 2 "$APP" --prefill 0 && expect_stderr "invalid value '0' for --prefill"
expect_rc 2 "$APP" --decode x && expect_stderr "for --decode"
finish
