#!/bin/bash
# SPDX-License-Identifier: MIT
# Shapes of real deployments on the simulator, through qaic-sim-app with
# the ioctl counter preloaded and runtime latency profiling on (every row
# checked by check_latency.py):
#  - legacy /dev/qaic_aic100_N node names, node numbers that are not QIDs;
#  - hundreds of BOs per request (a generated 300-buffer program);
#  - WAIT_BO interrupted by signals (EINTR), retried by the runtime;
#  - arbitrary execute_entry.dir values, which the kernel ignores;
#  - program groups (both apps).
. "$srcdir/lib.sh"

latency_ok()
{
	nchecks=$((nchecks + 1))
	"$PY" "$srcdir/check_latency.py" "$@" || fail "$label: latency file $1"
}

# counted LABEL N ENV... -- ARGS...: qaic-sim-app under the counter with
# profiling of every inference into $TMP/LABEL.
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
		LD_PRELOAD="$PRELOAD" "$APP" "$@" --aic-profiling-type latency \
		--aic-profiling-num-samples 100000 \
		--aic-profiling-out-dir "$TMP/$label"
}

# 1. Legacy node names on the second of two devices, nodes numbered from 3
# (as partitioned devices whose node is not their QID).
if counted aic100 QAIC_SIM_DEV_NAMING=qaic_aic100 QAIC_SIM_DEV_NODE_FIRST=3 \
	QAIC_SIM_NUM_DEVICES=2 -- -d 1 -t tiny -n 200 -S 2; then
	expect_stats "200:1"
	nodes=$(awk '$1 == "NODE" { print $2 }' "$TMP/counts")
	nchecks=$((nchecks + 1))
	case $nodes in
	*/qaic_aic100_4) ;;
	*) fail "$label: nodes used '$nodes', want one .../qaic_aic100_4" ;;
	esac
	expect_count EXECUTE_BO 3 200
	expect_count WAIT_BO 3 200
	latency_ok "$TMP/aic100/aic-profiling-program-0-latency.txt" \
		--program-id 0 --collected 200 --requested 100000 --stats 1
fi

# 2. 300 buffers (150 in, 150 out) + aiccyclecounts: 301 BOs per request,
# 3 exec objects.
desc=$TMP/wide.desc
{
	printf 'name = wide\ncompute_us = 200\nring = 1024\nstats = 1\n'
	for i in $(seq 0 149); do
		printf 'buffer = in%d 512 in\nbuffer = out%d 256 out\n' "$i" "$i"
	done
} >"$desc"
if counted wide -- -t "$desc" -n 60 -S 3; then
	expect_stats "60:1"
	expect_count EXEC_ENTRIES 2 301
	expect_count EXEC_ENTRIES 3 301
	expect_count CREATE_BO 3 $((3 * 301))
	expect_count ATTACH_SLICE_BO 3 $((3 * 301))
	expect_count EXECUTE_BO 3 60
	latency_ok "$TMP/wide/aic-profiling-program-0-latency.txt" \
		--program-id 0 --collected 60 --requested 100000 --stats 1
	# queue depths are whole requests (301 elements) when inputs are
	# still held: numInfInQueue as the runtime computes it
	nchecks=$((nchecks + 1))
	awk -F, 'NR > 5 { q = $15 + 0; n = $16 + 0;
		want = q > 0 ? 1 + int(q / 301) : 1;
		if (n != want) bad++ } END { exit bad > 0 }' \
		"$TMP/wide/aic-profiling-program-0-latency.txt" ||
		fail "$label: numInfInQueue != 1 + queueDepth / 301"
fi

# 3. WAIT_BO calls 3..42 that would block are interrupted (EINTR): the
# runtime retries them, every inference completes and is a sample.
if counted eintr QAIC_SIM_FAULT_WAIT_EINTR=3:40 QAIC_SIM_TIME_SCALE=20 -- \
	-t tiny -n 100 -S 2; then
	expect_stats "100:1"
	expect_count WAIT_BO 2 140
	expect_count WAIT_BO 3 100
	expect_count EXECUTE_BO 2 100
	latency_ok "$TMP/eintr/aic-profiling-program-0-latency.txt" \
		--program-id 0 --collected 100 --requested 100000 --stats 1
fi

# 4. execute_entry.dir: 0 everywhere, or garbage.  The kernel takes the
# direction from ATTACH_SLICE_BO: inferences and device columns unchanged.
for mode in zero random; do
	if counted "dir-$mode" QAIC_SIM_EXEC_ENTRY_DIR=$mode -- -t tiny -n 100; then
		expect_stats "100:1"
		nchecks=$((nchecks + 1))
		odd=$(count EXEC_DIR_ODD 2)
		[ "${odd:-0}" -ge 100 ] ||
			fail "$label: only ${odd:-0} entries with a dir other than 1/2"
		latency_ok "$TMP/dir-$mode/aic-profiling-program-0-latency.txt" \
			--program-id 0 --collected 100 --requested 100000 --stats 1
	fi
done
if counted dir-attach -- -t tiny -n 50; then
	expect_count EXEC_DIR_ODD 2 0
fi

# 5. Program groups: two programs in one group, enabled (one activation
# each), run on the group's queue, disabled (one deactivation each),
# released; one latency file per program.  Both apps.
for bin in "$APP" "$LOADER"; do
	b=$(basename "$bin")
	rm -f "$TMP/counts"
	mkdir -p "$TMP/group-$b"
	if QAIC_SIM_TIME_SCALE=0.05 IOCTL_COUNT_OUT="$TMP/counts" \
		LD_PRELOAD="$PRELOAD" expect_rc 0 "$bin" --program-group \
		-t tiny -t resnet50 -n 150 -T 2 -S 3 -c callback \
		--aic-profiling-type latency --aic-profiling-num-samples 1000 \
		--aic-profiling-out-dir "$TMP/group-$b"; then
		label="group $b"
		expect_stats "150:1" "150:1"
		expect_count MANAGE 3 8
		expect_count EXECUTE_BO 3 300
		latency_ok "$TMP/group-$b/aic-profiling-program-0-latency.txt" \
			--program-id 0 --program-name tiny --collected 150 \
			--requested 1000 --stats 1
		latency_ok "$TMP/group-$b/aic-profiling-program-1-latency.txt" \
			--program-id 1 --program-name resnet50 --collected 150 \
			--requested 1000 --stats 0
	fi
done
expect_rc 2 "$APP" --program-group -q 2 && expect_stderr "no --queues"
finish
