#!/bin/bash
# SPDX-License-Identifier: MIT
# Subsystem restarts and removed devices on the simulator, through
# qaic-sim-app --keep-going with the ioctl counter, every inference
# profiled and the inference log (check_inflog.py: which inferences failed
# and why; check_latency.py: the successful ones only):
#  - QAIC_SIM_FAULT_SSR on one device: EXECUTE -EPIPE until the runtime
#    re-activates on its own thread, inferences in flight -EPERM, then
#    success again on a new activation;
#  - the same on the second device of --dev-mapping 0:1, slowed so that
#    requests are in flight when it restarts;
#  - QAIC_SIM_FAULT_GONE: every later inference -ENODEV.
. "$srcdir/lib.sh"

# faulty LABEL ENV... -- ARGS...
faulty()
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
		LD_PRELOAD="$PRELOAD" "$APP" --keep-going "$@" \
		--aic-profiling-type latency --aic-profiling-num-samples 100000 \
		--aic-profiling-out-dir "$TMP/$label"
}

# log_count LABEL AWK-CONDITION: inferences (device-0 lines) matching.
log_count()
{
	awk -F, "\$1 == 0 && \$6 == 0 && ($2) { n++ } END { print n + 0 }" \
		"$TMP/$1/inf.csv"
}

# Columns: 1 program 2 sample 3 status 4 cause 5 ndev 6 device 7 qid
# 8 dbc_id 9 submitted 10 exec_errno 11 wait_errno 12 received_ns
# 13 submit_ns 14 processed_ns 15 last 16 sampled 17 activation
common()	# LABEL N NDEV
{
	failed=$(log_count "$1" '$3 != "QS_SUCCESS"')
	sampled=$(log_count "$1" '$16 == 1')
	epipe=$(log_count "$1" '$4 == "EPIPE"')
	eperm=$(log_count "$1" '$4 == "EPERM"')
	nchecks=$((nchecks + 1))
	grep -q "^Failed inferences: $failed\$" "$TMP/out" ||
		fail "$label: app's failure count != the log's $failed"
	expect_stats "$(($2 - failed)):1"
	nchecks=$((nchecks + 1))
	"$PY" "$srcdir/check_latency.py" \
		"$TMP/$1/aic-profiling-program-0-latency.txt" --program-id 0 \
		--collected "$sampled" --requested 100000 --stats 1 --gaps ||
		fail "$label: latency file"
}

# 1. Device 0 restarts (5 ms) after its 200th request.
if faulty ssr QAIC_SIM_FAULT_SSR=200:0:5 -- -t tiny -n 1500 -S 4; then
	common ssr 1500 1
	nchecks=$((nchecks + 1))
	[ "$failed" -gt 0 ] && [ $((epipe + eperm)) = "$failed" ] ||
		fail "$label: $failed failed, $epipe EPIPE + $eperm EPERM"
	nchecks=$((nchecks + 1))
	"$PY" "$srcdir/check_inflog.py" "$TMP/ssr/inf.csv" --ndev 1 \
		--count 1500 --failed "$failed" --cause "EPIPE=$epipe" \
		--cause "EPERM=$eperm" --unsampled 4 \
		--latency "$TMP/ssr/aic-profiling-program-0-latency.txt" ||
		fail "$label: inference log"
	# successes on activation 1, then only on activation 2 (the
	# re-activation); every failure on activation 1
	nchecks=$((nchecks + 1))
	awk -F, '$1 == 0 && NR > 2 {
		if ($3 != "QS_SUCCESS") { x++; if ($17 != 1) bad++ }
		else if ($17 == 1) { if ($2 > max1) max1 = $2 }
		else if ($17 == 2) { if (min2 == "" || $2 < min2) min2 = $2; n2++ }
		else bad++ }
		END { exit !(x > 0 && n2 > 0 && !bad && max1 < min2) }' \
		"$TMP/ssr/inf.csv" ||
		fail "$label: not ok on activation 1, failures, ok on activation 2"
	# load ELF, activate, re-activate (runtime thread), deactivate, unload
	# ELF; activations during the restart are answered by the firmware
	# (NNC status SS_UNDER_SSR), so their ioctls succeed too: at least 5
	expect_count_min MANAGE 3 5
	nchecks=$((nchecks + 1))
	[ "$(log_count ssr '$4 == "EPIPE" && $9 != 0')" = 0 ] ||
		fail "$label: an EPIPE inference was submitted"
fi

# 2. Device 1 of 0:1 (100 times slower, so requests wait on it: with four
# workers some are in flight when it restarts, whatever the host's load)
# restarts.  Whether
# a worker submits within the 5 ms restart depends on the host's load:
# EPIPE is checked where it is certain (1. above), here only its cause.
if faulty mdp QAIC_SIM_DEV_SLOWDOWN=1:100 QAIC_SIM_FAULT_SSR=30:1:5 -- \
	--dev-mapping 0:1 -t tiny -n 300 -S 4 --threads-per-queue 4; then
	common mdp 300 2
	nchecks=$((nchecks + 1))
	[ "$eperm" -ge 1 ] ||
		fail "$label: $eperm EPERM (in flight), $epipe EPIPE, want EPERM"
	nchecks=$((nchecks + 1))
	"$PY" "$srcdir/check_inflog.py" "$TMP/mdp/inf.csv" --ndev 2 \
		--count 300 --failed "$failed" --cause "EPIPE=$epipe" \
		--cause "EPERM=$eperm" --unsampled 4 \
		--latency "$TMP/mdp/aic-profiling-program-0-latency.txt" ||
		fail "$label: inference log"
	# device 0 took every request; device 1 refused with EPIPE or
	# failed the WAIT with EPERM
	nchecks=$((nchecks + 1))
	bad=$(awk -F, '$1 == 0 && $3 != "QS_SUCCESS" &&
		(($6 == 0 && ($9 != 1 || $10 != "-" || $11 != "-")) ||
		 ($6 == 1 && $10 != "EPIPE" && $11 != "EPERM")) { n++ }
		END { print n + 0 }' "$TMP/mdp/inf.csv")
	[ "$bad" = 0 ] || fail "$label: $bad device lines of failed inferences wrong"
	# 2 x (load ELF, activate, deactivate, unload ELF) + the re-activation,
	# plus the activations refused during the restart.  Failed inferences
	# end at once: the run may end inside the restart, before the runtime
	# re-activates device 1 (then it has no DBC to deactivate either).
	if [ "$(log_count mdp '$6 == 1 && $17 == 2')" -gt 0 ]; then
		expect_count_min MANAGE 3 9
	else
		expect_count_min MANAGE 3 7
	fi
fi

# 3. Device 0 is gone after 50 requests: the rest fail with ENODEV.
if faulty gone QAIC_SIM_FAULT_GONE=50:0 -- -t tiny -n 300 -S 4; then
	common gone 300 1
	nodev=$(log_count gone '$4 == "ENODEV"')
	nchecks=$((nchecks + 1))
	# 50 requests complete; a WAIT not yet made when the device goes
	# fails too (every ioctl -ENODEV), so up to set-size fewer successes
	[ "$nodev" = "$failed" ] && [ $((300 - failed)) -ge 46 ] &&
		[ $((300 - failed)) -le 50 ] ||
		fail "$label: $failed failed ($nodev ENODEV), want 250..254 ENODEV"
	nchecks=$((nchecks + 1))
	"$PY" "$srcdir/check_inflog.py" "$TMP/gone/inf.csv" --ndev 1 \
		--count 300 --failed "$failed" --cause "ENODEV=$nodev" \
		--unsampled 4 \
		--latency "$TMP/gone/aic-profiling-program-0-latency.txt" ||
		fail "$label: inference log"
fi

# 4. Bad values.
expect_rc 1 env QAIC_SIM_FAULT_SSR=0:0 "$APP" -n 1 &&
	expect_stderr "bad QAIC_SIM_FAULT_SSR='0:0'"
expect_rc 1 env QAIC_SIM_FAULT_GONE=5:0:1 "$APP" -n 1 &&
	expect_stderr "bad QAIC_SIM_FAULT_GONE"
finish
