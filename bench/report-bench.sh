#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark of qprof-report (numbers, not pass/fail; docs/PERFORMANCE.md,
# "Report"):
#   1. events/s of qprof-report (summary + CSV) on a trace of >= 5 M qprof
#      events written by e2e_gen through the real provider, against
#      `babeltrace2 TRACE -c sink.utils.dummy` on the same trace, run
#      alternately (median of REPS runs each); goal ratio >= 0.75;
#   2. peak RSS per inference: qprof-report's max RSS on two trace sizes,
#      slope in bytes per inference (goal <= 128) plus the fixed base;
#   3. a 1 M-row runtime latency file: qprof-report --latency-stats against
#      /usr/bin/python3 pandas read_csv + describe (what latency_stats does);
#      goal >= 10x faster.
# Environment: QP_BENCH_INF (inferences of the big trace, default 900000 =
# 5.4 M events), QP_BENCH_PROCS (processes recording them, default 2),
# QP_BENCH_REPS (default 3), QP_BENCH_BOS (BOs per request, default 2;
# 134 for an LLM program's, docs/PERFORMANCE.md), QP_BENCH_KEEP=1 keeps
# the files.
set -u
: "${top_builddir:=..}" "${top_srcdir:=..}"
. "$top_srcdir/tests/lib/lttng.sh"
inf=${QP_BENCH_INF:-900000}
procs=${QP_BENCH_PROCS:-2}
small=$((inf / 4))
reps=${QP_BENCH_REPS:-3}
bos=${QP_BENCH_BOS:-2}
report=$top_builddir/post/qprof-report
gen=$top_builddir/tests/post/e2e_gen
make -C "$top_builddir/tests/post" e2e_gen >/dev/null || exit 1
[ -x "$report" ] || { echo "report-bench: build qprof-report first"; exit 1; }
QP_LTTNG_BLOCKING=1
qp_lttng_setup || { echo "report-bench: no LTTng session daemon"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/qp-report-bench.XXXXXX") || exit 1
QP_LTTNG_LOG=$work/lttng.log
export QP_LTTNG_LOG
session=
cleanup() {
	[ -n "$session" ] && lttng destroy "$session" >/dev/null 2>&1
	qp_lttng_teardown
	[ "${QP_BENCH_KEEP:-0}" = 1 ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# record N: N inferences from QP_BENCH_PROCS (default 2) concurrent
# e2e_gen processes, per-PID blocking buffers (no loss, and no other
# process's events in the trace we read); prints the session directory.
# Two processes on the 2 vCPUs spread the events over the CPUs' stream
# files as an application's threads and the runtime's workers do; one
# process puts ~99 % of them in one stream file.
record() {
	session=qp-report-bench-$$-$1
	{ lttng create "$session" --output="$work/t$1" &&
	  lttng enable-channel -u -s "$session" --buffers-pid --subbuf-size=4M \
		--num-subbuf=8 --blocking-timeout=inf qp &&
	  lttng enable-event -u -s "$session" -c qp 'qprof:*' &&
	  lttng start "$session"; } >>"$QP_LTTNG_LOG" 2>&1 || exit 1
	gpids=
	p=0
	while [ $p -lt "$procs" ]; do
		"$gen" -n $(($1 / procs)) -k 10 -b "$bos" & gpids="$gpids $!"
		p=$((p + 1))
	done
	for g in $gpids; do wait "$g" || exit 1; done
	lttng stop "$session" >>"$QP_LTTNG_LOG" 2>&1
	lttng destroy "$session" >>"$QP_LTTNG_LOG" 2>&1
	session=
	echo "$work/t$1"
}

# secs CMD...: "WALL CPU" seconds of one run (output discarded).  The
# ratios use CPU time (user + sys): wall time on a shared 2-vCPU machine
# mostly measures the other processes.
secs() {
	/usr/bin/time -f '%e %U %S' -o "$work/time" "$@" >/dev/null 2>&1 ||
		echo "report-bench: failed: $*" >&2
	awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$work/time"
}
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
# median COLUMN <FILE
median() { awk -v c="$1" '{ print $c }' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "report-bench: recording $inf inferences with $procs e2e_gen processes..."
big=$(record "$inf")
echo "report-bench: recording $small inferences..."
sm=$(record "$small")
events=$("$report" "$big" --progress -q --csv-dir "$work/csv" 2>&1 >/dev/null |
	sed -n 's/.* \([0-9]*\) events (.*/\1/p')
echo "trace: $events events, $(du -sm "$big" | cut -f1) MB; stream files (MB):" \
	$(find "$big" -type f -name 'qp_*' -size +0 -exec du -m {} + | cut -f1 | sort -rn)

: >"$work/bt"; : >"$work/qp"
i=0
while [ $i -lt "$reps" ]; do
	secs babeltrace2 "$big" -c sink.utils.dummy >>"$work/bt"
	secs "$report" "$big" --csv-dir "$work/csv" >>"$work/qp"
	i=$((i + 1))
done
for k in 1 2; do
	[ $k = 1 ] && what=wall || what=cpu
	bt=$(median $k <"$work/bt")
	qp=$(median $k <"$work/qp")
	printf '%s: babeltrace2 -c sink.utils.dummy %.3f s (%.2f M events/s), qprof-report summary + CSV %.3f s (%.2f M events/s): ratio %.2f (goal >= 0.75)\n' \
		"$what" "$bt" "$(calc "$events / $bt / 1000000")" "$qp" \
		"$(calc "$events / $qp / 1000000")" "$(calc "$bt / $qp")"
done

rss() { /usr/bin/time -f %M "$report" "$1" --csv-dir "$work/csv" 2>&1 >/dev/null | tail -1; }
r_big=$(rss "$big")
r_sm=$(rss "$sm")
slope=$(calc "($r_big - $r_sm) * 1024 / ($inf - $small)")
base=$(calc "$r_sm - $slope * $small / 1024")
printf 'peak RSS: %d KiB (%d inferences), %d KiB (%d inferences)\n' \
	"$r_sm" "$small" "$r_big" "$inf"
printf 'peak RSS per inference: %.1f bytes (goal <= 128) + base %.0f KiB\n' \
	"$slope" "$base"

# ---- a 1 M-row runtime latency file
/usr/bin/python3 - "$work/lat.txt" <<'EOF'
import random, sys
random.seed(1)
cols = ["Sample", "devInfPerSec", "devExecUs", "devInWaitTimeUs",
        "devOutWaitTimeUs", "hostRoundTripUs", "enqTimeUs", "preProcTimeUs",
        "submitTimeUs", "execTotalUs", "exectoVcUs", "execToCompleteUs",
        "postProcUs", "totalRoundtripTimeUs", "queueDepth", "numInfInQueue"]
n = 1000000
with open(sys.argv[1], "w") as f:
    f.write("Profiling Data\nProgramId:0\nProgramName: bench\n")
    f.write("NumSamples collected: %d Num Requested: %d\n" % (n, n))
    f.write(",".join("%-12s  " % c for c in cols) + "\n")
    for i in range(n):
        dev = 450 + random.random() * 20
        vc, comp = random.randint(3, 6), random.randint(440, 480)
        v = [i, 8e6 / dev, dev, random.random() * 0.1, random.random() * 0.2,
             vc + comp, random.random() * 5, random.random() * 40, 1.5,
             comp + 40 + random.random() * 30, vc, comp, random.random() * 30,
             comp + 120 + random.random() * 80, random.randint(0, 8), 1]
        f.write(",".join("%-12s  " % (("%d" if isinstance(x, int) else "%.3f") % x)
                         for x in v) + "\n")
EOF
pandas_cmd='import sys, pandas as pd
df = pd.read_csv(sys.argv[1], skiprows=4, skipinitialspace=True)
df.columns = [c.strip() for c in df.columns]
print(df.drop(columns=["Sample", "queueDepth", "numInfInQueue"]).describe(percentiles=[.5, .75, .9, .95, .99]).T)'
: >"$work/ls_qp"; : >"$work/ls_pd"
i=0
while [ $i -lt "$reps" ]; do
	secs "$report" --latency-stats "$work/lat.txt" >>"$work/ls_qp"
	secs /usr/bin/python3 -c "$pandas_cmd" "$work/lat.txt" >>"$work/ls_pd"
	i=$((i + 1))
done
for k in 1 2; do
	[ $k = 1 ] && what=wall || what=cpu
	lq=$(median $k <"$work/ls_qp")
	lp=$(median $k <"$work/ls_pd")
	printf '%s: latency file, 1 M rows: qprof-report --latency-stats %.3f s, pandas read_csv + describe %.3f s: %.1fx (goal >= 10x)\n' \
		"$what" "$lq" "$lp" "$(calc "$lp / $lq")"
done
