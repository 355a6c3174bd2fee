#!/bin/sh
# SPDX-License-Identifier: MIT
# Several hosts, traces written by lttng-relayd (docs/REPORT.md, "What it
# reads").
#
# Two "hosts" stream to one lttng-relayd over TCP: each is a UTS + mount
# namespace with a hostname and a session daemon of its own, recording one
# qaic-sim-app run under libqprof.so with the runtime's latency dump on.
# qprof-report then reads the relayd's output directory (HOST/SESSION/ust/
# ...), and must find
#   - both hosts and both processes, each under its own hostname;
#   - per process, every inference of the simulator's own latency dump,
#     per inference (e2e_compare.py: exact kernel columns, 100 % matched,
#     execTotal / totalRoundtripTime within max(5 us, 2 %)).
# Needs root (namespaces, a private session daemon per host); skipped
# otherwise.
set -u
: "${top_builddir:=../..}" "${top_srcdir:=../..}"

lib=$top_builddir/preload/.libs/libqprof.so
report=$top_builddir/post/qprof-report
app=$top_builddir/sim/apps/qaic-sim-app
compare="/usr/bin/python3 $top_srcdir/tests/post/e2e_compare.py"
for f in "$lib" "$report" "$app"; do
	[ -e "$f" ] || { echo "missing $f"; exit 77; }
done
command -v lttng-relayd >/dev/null || { echo "no lttng-relayd"; exit 77; }
/usr/bin/python3 -c 'import pandas' 2>/dev/null || { echo "no pandas"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "not root: no namespaces"; exit 77; }

# Everything in a private mount namespace: the relayd and the hosts' session
# daemons never meet the machine's global daemon (or a parallel test).
if [ -z "${QP_HOSTS_NS:-}" ]; then
	unshare -m true 2>/dev/null || { echo "no mount namespaces"; exit 77; }
	QP_HOSTS_NS=1 exec unshare -m sh -c \
		'mount -t tmpfs qp-hosts /var/run/lttng && exec sh "$0"' "$0"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/qp-e2e-hosts.XXXXXX") || exit 99
relayd_pid=
cleanup() {
	[ -n "$relayd_pid" ] && kill "$relayd_pid" 2>/dev/null &&
		wait "$relayd_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail=0

# Three free TCP ports (control, data, live) for the relayd.
set -- $(/usr/bin/python3 -c '
import socket
ss = [socket.socket() for _ in range(3)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')
ctrl=$1 data=$2 live=$3
lttng-relayd -o "$work/relay" -C "tcp://127.0.0.1:$ctrl" \
	-D "tcp://127.0.0.1:$data" -L "tcp://127.0.0.1:$live" \
	>"$work/relayd.log" 2>&1 &
relayd_pid=$!
i=0
until /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $ctrl), 1)" \
	2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 50 ] || { echo "lttng-relayd does not listen"; cat "$work/relayd.log"; exit 1; }
	sleep 0.1
done

# host NAME N: record `qaic-sim-app -n N` on host NAME, streamed to the
# relayd; the app's pid goes to $work/NAME.pid, its dump to $work/NAME/dump.
host() {
	name=$1 n=$2
	mkdir -p "$work/$name/dump"
	unshare -m -u sh -c '
		set -u
		name=$1 n=$2 ctrl=$3 data=$4 work=$5 lib=$6 app=$7
		mount -t tmpfs qp-host /var/run/lttng && hostname "$name" || exit 1
		. "$top_srcdir/tests/lib/lttng.sh"
		QP_LTTNG_BLOCKING=1
		QP_LTTNG_LOG=$work/$name/lttng.log
		qp_lttng_setup || exit 1
		rc=1
		if s=$(qp_session_create qp-hosts "net://127.0.0.1:$ctrl:$data") &&
			qp_session_start "$s"; then
			QPROF_KMD_STATS=0 LD_PRELOAD=$lib "$app" -t tiny -n "$n" \
				-S 1 --aic-profiling-type latency \
				--aic-profiling-num-samples 1000000 \
				--aic-profiling-out-dir "$work/$name/dump" \
				>"$work/$name/app.out" 2>&1 &
			echo $! >"$work/$name.pid"
			wait $! && rc=0
			qp_session_stop "$s" || rc=1
			qp_session_destroy "$s"
		fi
		qp_lttng_teardown
		exit $rc
	' sh "$name" "$n" "$ctrl" "$data" "$work" "$lib" "$app" ||
		{ echo "host $name: recording failed"; cat "$work/$name/lttng.log" \
			"$work/$name/app.out" 2>/dev/null; fail=1; }
}

export top_srcdir QAIC_SIM_PRESET_DIR="${QAIC_SIM_PRESET_DIR:-$top_srcdir/sim/presets}"
# 40x the tiny preset's device time (~2 ms of compute): a relayd and a
# session daemon per host share the 2 vCPUs with the simulator, and their
# preemption tails (20-30 us) must stay within the 2 % tolerance of the
# per-inference comparison, which e2e_truth.sh makes at finer scales.
export QAIC_SIM_TIME_SCALE=40

# attempt: record both hosts into a fresh relayd output and check.
attempt() {
	rm -rf "$work/relay" "$work/qp-host-a" "$work/qp-host-b"
	host qp-host-a 400
	host qp-host-b 300
	[ $fail = 0 ] || return

	for h in qp-host-a qp-host-b; do
		[ -d "$work/relay/$h" ] || { echo "FAIL: relayd wrote no $h/"; fail=1; }
	done

	# The whole output: both hosts, both processes.
	if ! "$report" "$work/relay" --json "$work/all.json" >"$work/all.txt" \
		2>"$work/all.err"; then
		echo "FAIL: qprof-report on the relayd output"; cat "$work/all.err"
		exit 1
	fi
	/usr/bin/python3 - "$work/all.json" "$(cat "$work/qp-host-a.pid")" \
		"$(cat "$work/qp-host-b.pid")" <<'EOF' || fail=1
import json, sys
r = json.load(open(sys.argv[1]))
want = {int(sys.argv[2]): "qp-host-a", int(sys.argv[3]): "qp-host-b"}
got = {p["pid"]: p["host"] for p in r["processes"]}
if got != want:
    sys.exit("FAIL: processes and hosts %s, expected %s" % (got, want))
print("hosts ok:", ", ".join("%s pid %d" % (h, p) for p, h in sorted(want.items())))
EOF
	grep -q "host qp-host-a" "$work/all.txt" && grep -q "host qp-host-b" "$work/all.txt" ||
		{ echo "FAIL: the summary does not name both hosts"; cat "$work/all.txt"; fail=1; }

	# Per host: every inference against the runtime's own dump.
	for h in qp-host-a qp-host-b; do
		mkdir -p "$work/$h/csv"
		if ! "$report" "$work/relay" --pid "$(cat "$work/$h.pid")" \
			--csv-dir "$work/$h/csv" >"$work/$h/summary.txt" 2>"$work/$h/err"; then
			echo "FAIL: qprof-report --pid for $h"; cat "$work/$h/err"; fail=1
			continue
		fi
		$compare "$work/$h/csv" "$work/$h/dump" --label "$h" || fail=1
	done
}

# As in e2e_truth.sh: the p99 timing criteria compare two clocks read a
# few hundred ns apart on a 2-vCPU VM, here with a relayd and two session
# daemons competing for it; a single preemption tail can cross the 2 %
# tolerance, a real defect fails both independent recordings.
attempt
if [ $fail != 0 ]; then
	echo "failed once; recording again"
	fail=0
	attempt
fi
exit $fail
