#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end truth test of qprof: record the
# simulator's sample application with libqprof.so under LTTng, with the
# simulated runtime's latency profiling on for every inference, run
# qprof-report --csv-dir --device-latency, and compare qprof's CSV with the
# runtime's own dump PER INFERENCE (e2e_compare.py, pandas).
#
# Runs: presets tiny / resnet50 / bert (QAIC_SIM_TIME_SCALE shortens the
# big ones), 1 and 3 application threads, the three completion styles,
# a saturated device ring (EXECUTE_BO fails with EAGAIN, the runtime
# retries), and the function-table loader (qaic-sim-loader).
#
# Hand-off bounds (qprof's phase minus the runtime's internal one, µs, at
# p50 and p99; runs with one inference in flight): measured on the 2-vCPU
# VM while other builds ran (docs/REPORT.md, "Two views"): enq p50 0.3-31,
# p99 11-140; preProc p50 3.8-5.2, p99 41-2021; postProc p50 32-166, p99
# 131-4318.  The p99 is scheduling noise of a loaded 2-CPU machine.
# QP_BOUNDS overrides: "ENQ50,ENQ99,PRE50,PRE99,POST50,POST99".
set -u
: "${top_builddir:=../..}" "${top_srcdir:=../..}"
. "$top_srcdir/tests/lib/lttng.sh"

lib=$top_builddir/preload/.libs/libqprof.so
report=$top_builddir/post/qprof-report
app=$top_builddir/sim/apps/qaic-sim-app
loader=$top_builddir/sim/apps/qaic-sim-loader
compare="/usr/bin/python3 $top_srcdir/tests/post/e2e_compare.py"
for f in "$lib" "$report" "$app"; do
	[ -e "$f" ] || { echo "missing $f"; exit 77; }
done
/usr/bin/python3 -c 'import pandas' 2>/dev/null || { echo "no pandas"; exit 77; }
QP_LTTNG_BLOCKING=1
# The runtime profiles (and so queries PERF_STATS for) every inference of
# these runs.  The shim's auto mode would also query the first few, until
# it has seen the runtime do so, and its extra ioctl inside the WAIT hook
# would count in the runtime's execTotal of exactly those inferences (a
# 1 % tail of a 400-inference run).  The shim's own query is checked
# against the runtime's values in tests/preload (QPROF_KMD_STATS=always).
QPROF_KMD_STATS=0
export QPROF_KMD_STATS
qp_e2e_begin e2e-truth
: "${QP_BOUNDS:=100,5000,100,5000,500,10000}"

# run LABEL WINDOW BOUNDS [ENV=VALUE...] -- PROGRAM ARGS...
# BOUNDS "yes": check the per-phase hand-off bounds (the application keeps
# no more inferences in flight than the runtime has workers); "no": only
# containment (with deeper queues, preProc also holds the wait for a free
# runtime worker, which no runtime phase counts).
# The report is restricted to the application's pid: the session daemon is
# shared, and other processes may run qprof at the same time.
run_once() {
	label=$1 window=$2 bounds=$3
	shift 3
	d=$work/$label
	rm -rf "$d"
	mkdir -p "$d/dump" "$d/csv"
	# $sessions (qp_e2e_begin): destroyed at exit if the run is cut short
	sessions=$(qp_session_create e2e-truth "$d/trace") || { fail=1; return; }
	qp_session_start "$sessions" || { fail=1; return; }
	envs=
	while [ "$1" != -- ]; do envs="$envs $1"; shift; done
	shift
	prog=$1
	shift
	env $envs LD_PRELOAD="$lib" "$prog" "$@" \
		--aic-profiling-type latency --aic-profiling-num-samples 1000000 \
		--aic-profiling-out-dir "$d/dump" >"$d/app.out" 2>&1 &
	pid=$!
	if ! wait $pid; then
		echo "$label: application failed"; cat "$d/app.out"; fail=1
	fi
	qp_session_stop "$sessions"
	lost=$(qp_session_discarded "$sessions")
	qp_session_destroy "$sessions"
	sessions=
	[ "$lost" = 0 ] || { echo "$label: $lost events discarded"; fail=1; }
	if ! "$report" "$d/trace" --pid "$pid" --device-latency "$d/dump" \
		--csv-dir "$d/csv" --json "$d/report.json" >"$d/summary.txt" \
		2>"$d/report.err"; then
		echo "$label: qprof-report failed"; cat "$d/report.err"; fail=1
		return
	fi
	case $bounds in
	yes) set -- --bounds "$QP_BOUNDS" ;;
	retries) set -- --retries ;;
	*) set -- ;;
	esac
	$compare "$d/csv" "$d/dump" --label "$label" --window "$window" "$@" ||
		{ fail=1; cat "$d/summary.txt"; }
}

# run LABEL ...: run_once, and once more if it failed.  The p99 timing
# criteria compare two clocks read a few hundred ns apart on a 2-vCPU VM
# where the simulator's own threads compete with the worker: a single
# preemption tail can cross a 2 % tolerance.  A real defect (a wrong
# boundary, a mismatched row) fails both independent recordings.
run() { qp_run_twice "$@"; }

# one inference in flight (-S 1): hand-offs are thread wake-ups only.
# On 2 vCPUs the simulator's own threads (supervisor, device) preempt the
# worker between the runtime's clock read and the shim's in about 1 % of
# inferences, for 5-10 us (15-30 us when the host is noisy): with the tiny
# preset's ~300 us execTotal that tail exceeds the 2 % tolerance at p99
# although both sides time the same span.  These runs therefore use the
# tiny program at 20x its device time (~1 ms compute), which keeps them
# short while the criterion measures qprof rather than the VM's scheduler
# (the same reason scales resnet50 and bert below).
run tiny-wait-s1 0 yes QAIC_SIM_TIME_SCALE=20 -- "$app" -t tiny -n 400 -S 1 -c wait
run tiny-callback-s1 0 yes QAIC_SIM_TIME_SCALE=20 -- "$app" -t tiny -n 400 -S 1 -c callback
[ -e "$loader" ] && run loader-tiny-s1 0 yes QAIC_SIM_TIME_SCALE=20 \
	QAIC_LIB="$top_builddir/sim/runtime/.libs/libQAic.so" -- "$loader" -t tiny -n 300 -S 1 -c event
# deeper queues: preProc also holds the wait for a free runtime worker.
# With 3 application threads, the runtime's workers and the simulator's
# threads on 2 vCPUs, a thread is preempted between the runtime's clock
# read and the shim's in over 1 % of inferences, for 10-30 us on a noisy
# host: more than 2 % of the tiny preset's ~700 us execTotal.  At 3x its
# device time the tolerance (2 % of ~2 ms) covers those tails, and the
# criterion still checks that both sides time the same span.
run tiny-wait 0 no QAIC_SIM_TIME_SCALE=3 -- "$app" -t tiny -n 600 -c wait
run tiny-event-3thr 16 no QAIC_SIM_TIME_SCALE=3 -- "$app" -t tiny -n 600 -T 3 -c event
run resnet50 0 no QAIC_SIM_TIME_SCALE=0.2 -- "$app" -t resnet50 -n 200
run bert-3thr 16 no QAIC_SIM_TIME_SCALE=0.05 -- "$app" -t bert -n 150 -T 3 -c callback
# ring of 16 with 3 queues x 8 workers: EXECUTE_BO returns EAGAIN
run tiny-saturated 16 retries -- "$app" -t tiny -n 600 -T 4 -S 10 -q 3 --threads-per-queue 8
run tiny-eagain 0 retries QAIC_SIM_FAULT_EAGAIN=5:3 -- "$app" -t tiny -n 300
exit $fail
