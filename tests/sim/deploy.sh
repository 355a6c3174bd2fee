#!/bin/bash
# SPDX-License-Identifier: MIT
# Programs over several devices (devMapping) on the simulator, through
# qaic-sim-app --dev-mapping with the ioctl counter preloaded, runtime
# latency profiling of every inference and the inference log
# (QAIC_SIM_INFERENCE_LOG), checked by check_latency.py and
# check_inflog.py: one EXECUTE and one WAIT per device and enqueue, on one
# node per device; one latency row per inference whose kernel columns are
# the straggler's (largest kernel round trip); a slowed device completes
# last; an occasional straggler.
. "$srcdir/lib.sh"

# counted LABEL ENV... -- ARGS...: qaic-sim-app under the counter, every
# inference profiled into $TMP/LABEL, inference log $TMP/LABEL/inf.csv.
counted()
{
	label=$1
	shift
	envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	rm -f "$TMP/counts"
	mkdir -p "$TMP/$label"
	expect_rc 0 env "${envs[@]}" IOCTL_COUNT_OUT="$TMP/counts" \
		QAIC_SIM_INFERENCE_LOG="$TMP/$label/inf.csv" \
		LD_PRELOAD="$PRELOAD" "$APP" "$@" --aic-profiling-type latency \
		--aic-profiling-num-samples 100000 \
		--aic-profiling-out-dir "$TMP/$label"
}

inflog_ok()
{
	nchecks=$((nchecks + 1))
	"$PY" "$srcdir/check_inflog.py" "$@" || fail "$label: inference log $1"
}

latency_ok()
{
	nchecks=$((nchecks + 1))
	"$PY" "$srcdir/check_latency.py" "$@" || fail "$label: latency file $1"
}

# 1. tiny on 0:1:2:3, device 2 forty times slower (2 ms): 4 EXECUTE and 4 WAIT
# per inference on 4 nodes, four MANAGE per device (NNC load ELF, activate,
# deactivate, unload ELF),
# device 2 last in nearly every inference (a worker
# preempted between two EXECUTEs on a loaded machine can delay another).
if counted mdp QAIC_SIM_DEV_SLOWDOWN=2:40 -- --dev-mapping 0:1:2:3 -t tiny \
	-n 300 -S 4; then
	expect_stats "300:1"
	expect_count EXECUTE_BO 3 1200
	expect_count WAIT_BO 3 1200
	expect_count MANAGE 3 16
	expect_count CREATE_BO 3 $((4 * 4 * 3))
	nodes=$(awk '$1 == "NODE" { n++ } END { print n + 0 }' "$TMP/counts")
	nchecks=$((nchecks + 1))
	[ "$nodes" = 4 ] || fail "$label: $nodes device nodes used, want 4"
	latency_ok "$TMP/mdp/aic-profiling-program-0-latency.txt" \
		--program-id 0 --collected 300 --requested 100000 --stats 1
	inflog_ok "$TMP/mdp/inf.csv" --ndev 4 --count 300 --last-dev 2 \
		--last-min 0.8 \
		--latency "$TMP/mdp/aic-profiling-program-0-latency.txt"
fi

# 2. A straggler: device 1 takes 2 ms more in 20 % of its requests, and is
# then last; legacy node names on devices 1 and 3 only.  One inference in
# flight, so that a straggling request delays no other.
if counted straggler QAIC_SIM_DEV_STRAGGLER=200000:2000:1 \
	QAIC_SIM_DEV_NAMING=qaic_aic100 -- --dev-mapping 3:1 -t tiny -n 200 \
	-S 1; then
	expect_stats "200:1"
	expect_count EXECUTE_BO 3 400
	nodes=$(awk '$1 == "NODE" { print $2 }' "$TMP/counts" | sed 's,.*/,,' |
		sort | tr '\n' ' ')
	nchecks=$((nchecks + 1))
	[ "$nodes" = "qaic_aic100_1 qaic_aic100_3 " ] ||
		fail "$label: nodes '$nodes'"
	inflog_ok "$TMP/straggler/inf.csv" --ndev 2 --count 200 \
		--latency "$TMP/straggler/aic-profiling-program-0-latency.txt"
	# the straggler is last when it straggles: 20 % +- noise
	nchecks=$((nchecks + 1))
	awk -F, '$1 == 0 && $7 == 1 && $15 == 1 &&
		$14 - $13 > 1500000 { n++ } END { exit !(n >= 20 && n <= 70) }' \
		"$TMP/straggler/inf.csv" ||
		fail "$label: straggling inferences on device 1 not about 20 %"
fi

# 3. The runtime's own PERF_STATS query: once per submit, at its first
# EAGAIN.  One inference in flight, EXECUTE calls 10..14 refused: one
# submit refused 5 times, one query; no query without profiling otherwise.
label=eagain
rm -f "$TMP/counts"
if expect_rc 0 env QAIC_SIM_FAULT_EAGAIN=10:5 IOCTL_COUNT_OUT="$TMP/counts" \
	LD_PRELOAD="$PRELOAD" "$APP" -t tiny -n 50 -S 1; then
	expect_count EXECUTE_BO 2 55
	expect_count PERF_STATS_BO 2 1
	expect_count PERF_STATS_BO 3 1
fi

# Natural saturation: 16 inferences in flight on a ring of 10 requests
# (tiny: 32 elements, 3 per request): refused EXECUTEs, at most one query
# per refused submit, none without refusals.
label=saturation
rm -f "$TMP/counts"
if expect_rc 0 env IOCTL_COUNT_OUT="$TMP/counts" LD_PRELOAD="$PRELOAD" \
	"$APP" -t tiny -n 1000 -S 16 --threads-per-queue 16; then
	expect_count EXECUTE_BO 3 1000
	refused=$(( $(count EXECUTE_BO 2) - 1000 ))
	q=$(count PERF_STATS_BO 2)
	nchecks=$((nchecks + 1))
	[ "$refused" -gt 0 ] && [ "${q:-0}" -ge 1 ] && [ "${q:-0}" -le "$refused" ] ||
		fail "$label: $refused refused EXECUTEs, ${q:-0} PERF_STATS queries"
fi

# 4. Bad input.
expect_rc 2 "$APP" --dev-mapping 0:0 && expect_stderr "invalid value '0:0' for --dev-mapping"
expect_rc 2 "$APP" --dev-mapping 0: && expect_stderr "for --dev-mapping"
expect_rc 2 "$APP" --dev-mapping x && expect_stderr "for --dev-mapping"
expect_rc 2 "$APP" -d 1 --dev-mapping 0:1 && expect_stderr "no --device"
expect_rc 1 env QAIC_SIM_NUM_DEVICES=2 "$APP" --dev-mapping 0:2 -n 1 &&
	expect_stderr "device 2 is not|qaicCreateContext failed"
expect_rc 1 env QAIC_SIM_DEV_SLOWDOWN=1:0 "$APP" -n 1 &&
	expect_stderr "bad QAIC_SIM_DEV_SLOWDOWN='1:0'"
expect_rc 1 env QAIC_SIM_DEV_STRAGGLER=5 "$APP" -n 1 &&
	expect_stderr "bad QAIC_SIM_DEV_STRAGGLER='5'"
finish
