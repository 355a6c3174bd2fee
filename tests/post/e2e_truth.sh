#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end truth test of qprof (issue 4, section 5): record the
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
# Hand-off bounds (p99 of qprof's phase minus the runtime's internal one,
# µs) were measured on a 2-vCPU VM (docs/REPORT.md, "Two views"):
# enq 0.3-2, preProc 5-60, postProc 3-40 typical; the bounds below leave
# room for a loaded CI machine.
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
qp_lttng_setup || exit $?

work=$(mktemp -d "${TMPDIR:-/tmp}/qp-e2e-truth.XXXXXX") || exit 99
QP_LTTNG_LOG=$work/lttng.log
export QP_LTTNG_LOG
session=
cleanup() {
	[ -n "$session" ] && lttng destroy "$session" >/dev/null 2>&1
	qp_lttng_teardown
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail=0
: "${QP_ENQ_BOUND:=100}" "${QP_PRE_BOUND:=400}" "${QP_POST_BOUND:=400}"

# run LABEL WINDOW [ENV=VALUE...] -- PROGRAM ARGS...
run() {
	label=$1 window=$2
	shift 2
	d=$work/$label
	mkdir -p "$d/dump" "$d/csv"
	session=$(qp_session_create e2e-truth "$d/trace") || { fail=1; return; }
	qp_session_start "$session" || { fail=1; return; }
	envs=
	while [ "$1" != -- ]; do envs="$envs $1"; shift; done
	shift
	prog=$1
	shift
	if ! env $envs LD_PRELOAD="$lib" "$prog" "$@" \
		--aic-profiling-type latency --aic-profiling-num-samples 1000000 \
		--aic-profiling-out-dir "$d/dump" >"$d/app.out" 2>&1; then
		echo "$label: application failed"; cat "$d/app.out"; fail=1
	fi
	qp_session_stop "$session"
	lost=$(qp_session_discarded "$session")
	qp_session_destroy "$session"
	session=
	[ "$lost" = 0 ] || { echo "$label: $lost events discarded"; fail=1; }
	if ! "$report" "$d/trace" --device-latency "$d/dump" --csv-dir "$d/csv" \
		--json "$d/report.json" >"$d/summary.txt" 2>"$d/report.err"; then
		echo "$label: qprof-report failed"; cat "$d/report.err"; fail=1
		return
	fi
	$compare "$d/csv" "$d/dump" --label "$label" --window "$window" \
		--enq-bound "$QP_ENQ_BOUND" --pre-bound "$QP_PRE_BOUND" \
		--post-bound "$QP_POST_BOUND" || { fail=1; cat "$d/summary.txt"; }
}

run tiny-wait 0 -- "$app" -t tiny -n 600 -c wait
run tiny-event-3thr 16 -- "$app" -t tiny -n 600 -T 3 -c event
run tiny-callback 0 -- "$app" -t tiny -n 600 -c callback
run resnet50 0 QAIC_SIM_TIME_SCALE=0.05 -- "$app" -t resnet50 -n 200
run bert-3thr 16 QAIC_SIM_TIME_SCALE=0.02 -- "$app" -t bert -n 150 -T 3 -c callback
# ring of 16 with 3 queues x 8 workers: EXECUTE_BO returns EAGAIN
run tiny-saturated 16 -- "$app" -t tiny -n 600 -T 4 -S 10 -q 3 --threads-per-queue 8
run tiny-eagain 0 QAIC_SIM_FAULT_EAGAIN=5:3 -- "$app" -t tiny -n 300
[ -e "$loader" ] && run loader-tiny 0 -- "$loader" -t tiny -n 300
exit $fail
