#!/bin/sh
# SPDX-License-Identifier: MIT
# Waiting and working, end to end: record the simulator's sample
# application with libqprof.so under LTTng in five scenarios, each with the
# simulator's truth file (QAIC_SIM_TRUTH_DIR: when each inference was
# enqueued, picked up by a worker, submitted, rung in, run by the device,
# completed and seen) and the runtime's latency dump, and check with
# check_waits.py:
#   - the program's first finding is the scenario's (and none for the
#     balanced run);
#   - the report's waiting/working split against the truth at p50 and p99,
#     every part and the total (criterion and allowances: check_waits.py;
#     every part's strict max(5 us, 2 %) outcome is printed);
#   - samples/s against the application's own Inf/Sec line, within 1 %.
#
# Scenarios (a few thousand inferences; QAIC_SIM_TIME_SCALE shortens bert):
#   device-bound     bert (1/4 of its device time: 5.7 ms), set size 10: the
#                    device never idles even on a loaded host, inferences
#                    queue for a worker and for the device
#   runtime-workers  tiny, 8 application threads, 1 runtime worker per queue
#   app-bound        tiny, set size 1, the application sleeps 2 ms after
#                    each completion (--app-delay-us)
#   balanced         tiny at 20x its device time, set size 1: the device
#                    idles between inferences, nothing stands out
#   straggler        the balanced run over two devices (--dev-mapping 0:1),
#                    device 1 slower on every request
#                    (QAIC_SIM_DEV_STRAGGLER): it finishes last
# A scenario whose check fails is recorded once more (a loaded 2-vCPU
# machine's scheduling tail can cross a tolerance; a wrong split or
# finding fails both recordings).
set -u
: "${top_builddir:=../..}" "${top_srcdir:=../..}"
. "$top_srcdir/tests/lib/lttng.sh"

lib=$top_builddir/preload/.libs/libqprof.so
report=$top_builddir/post/qprof-report
app=$top_builddir/sim/apps/qaic-sim-app
check="/usr/bin/python3 $top_srcdir/tests/post/check_waits.py"
for f in "$lib" "$report" "$app"; do
	[ -e "$f" ] || { echo "missing $f"; exit 77; }
done
/usr/bin/python3 -c 'import json' 2>/dev/null || { echo "no python3"; exit 77; }
QP_LTTNG_BLOCKING=1
# the runtime queries PERF_STATS for every inference (profiling on): the
# shim need not (its extra ioctl would sit inside the WAIT it times)
QPROF_KMD_STATS=0
export QPROF_KMD_STATS
qp_e2e_begin e2e-waits

# run_once LABEL FINDING [ENV=VALUE...] -- APP ARGS...
# ($parts: the parts whose agreement with the truth is checked; all
# parts are printed either way)
run_once() {
	label=$1 finding=$2
	shift 2
	d=$work/$label
	rm -rf "$d"
	mkdir -p "$d/dump" "$d/truth"
	sessions=$(qp_session_create e2e-waits "$d/trace") || { fail=1; return; }
	qp_session_start "$sessions" || { fail=1; return; }
	envs=
	while [ "$1" != -- ]; do envs="$envs $1"; shift; done
	shift
	env $envs QAIC_SIM_TRUTH_DIR="$d/truth" LD_PRELOAD="$lib" "$app" "$@" \
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
		--json "$d/report.json" --per-inference >"$d/summary.txt" \
		2>"$d/report.err"; then
		echo "$label: qprof-report failed"; cat "$d/report.err"; fail=1
		return
	fi
	truth=$d/truth/qaic-sim-truth-$pid.txt
	[ -s "$truth" ] || { echo "$label: no truth file $truth"; fail=1; return; }
	# the application's own stamps around its calls (simapp_truth.c)
	$check "$d/report.json" "$truth" --label "$label" --finding "$finding" \
		${parts:+--parts "$parts"} \
		--app-truth "$d/truth/qaic-sim-app-$pid.txt" \
		--app-out "$d/app.out" || { fail=1; sed -n '/where the time goes/,/incomplete/p' "$d/summary.txt"; }
}

run() { qp_run_twice "$@"; }

parts=
run device-bound device_bound QAIC_SIM_TIME_SCALE=0.25 -- -t bert -n 500 -S 10
run runtime-workers runtime_workers -- -t tiny -n 4000 -T 8 --threads-per-queue 1
run app-bound app_bound -- -t tiny -n 1000 -S 1 --app-delay-us 2000
run balanced none QAIC_SIM_TIME_SCALE=20 -- -t tiny -n 1000 -S 1
# over several devices the device parts are the straggler's, which the
# report picks by the kernel's figures (docs/MATCHING.md) and the truth by
# the device's own end: when the slowed device's tail inference is not the
# one that ended last they differ; the host parts and the total are checked
parts=enqueue,runtime_wait,runtime_work,total
run straggler straggler_device QAIC_SIM_TIME_SCALE=20 QAIC_SIM_DEV_STRAGGLER=1000000:300:1 \
	-- -t tiny -n 300 -S 1 --dev-mapping 0:1
parts=
exit $fail
