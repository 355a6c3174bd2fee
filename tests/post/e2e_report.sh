#!/bin/sh
# SPDX-License-Identifier: MIT
# qprof-report end to end on traces of e2e_gen (known values: see
# e2e_gen.c), without the simulator:
#   - CSV per program: every kernel column equals e2e_gen's formula for its
#     Sample, phases tile the round trip (pandas as the comparator);
#   - filters and windowing: --program, --pid, --start-iter/--num-samples,
#     --keep-middle (latency_stats -k arithmetic);
#   - --by tables, --latency-stats on qprof's own CSV;
#   - bad input (docs/REPORT.md, "Exit status and errors"): missing path, no trace, a trace without
#     qprof events, truncated stream files, malformed dumps, unknown program
#     names, usage errors; an existing output file is never half-written.
set -u
: "${top_builddir:=../..}" "${top_srcdir:=../..}"
. "$top_srcdir/tests/lib/lttng.sh"
tp=$top_builddir/tests/post
report=$top_builddir/post/qprof-report
[ -x "$report" ] || { echo "no $report"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "no /usr/bin/python3"; exit 77; }
qp_e2e_begin e2e-report

# expect RC PATTERN CMD...: exit status RC and PATTERN on stderr
expect() {
	want=$1 pat=$2
	shift 2
	"$@" >"$work/out" 2>"$work/err"
	rc=$?
	if [ $rc -ne "$want" ] || ! grep -q -- "$pat" "$work/err"; then
		bad "$* -> exit $rc (want $want), stderr:"; cat "$work/err"
	fi
}

s=$(qp_session_create e2e-report "$work/t") || exit 99
sessions="$sessions $s"
qp_session_start "$s" || exit 99
"$tp/e2e_gen" -n 2000 -k 4 -o prog-a & pa=$!
"$tp/e2e_gen" -n 1000 -k 2 -c -o prog-b & pb=$!
wait $pa && wait $pb || exit 99
qp_session_stop "$s"

# ---- CSV values against e2e_gen's formulas
"$report" "$work/t" --csv-dir "$work/csv" --by program --by thread \
	--by queue --by callsite >"$work/summary" 2>"$work/err" ||
	{ bad "report failed"; cat "$work/err"; }
# CSV checks are collected and run at the end in one python (pandas takes
# seconds to import on a small VM).
check_csv() {	# DIR PROGRAM ROWS FIRST_SAMPLE
	echo "$*" >>"$work/csv-checks"
}
check_csv "$work/csv" prog-a 2000 0
check_csv "$work/csv" prog-b 1000 0
grep -q "prog-a" "$work/summary" && grep -q "Breakdown by callsite" "$work/summary" ||
	bad "summary lacks programs or --by tables"

# ---- filters and windowing
"$report" "$work/t" --program prog-a --start-iter 100 --num-samples 50 \
	--csv-dir "$work/w1" -q || bad "windowed report failed"
check_csv "$work/w1" prog-a 50 100
[ "$(ls "$work/w1" | wc -l)" -eq 1 ] || bad "--program kept other programs"
# keep 50 %: prune = round(2000 * 0.5 / 2) = 500 rows at each end
"$report" "$work/t" --program prog-a --keep-middle 50 --csv-dir "$work/w2" -q ||
	bad "--keep-middle report failed"
check_csv "$work/w2" prog-a 1000 500
pid_b=$(babeltrace2 "$work/t" 2>/dev/null | grep -m1 'name = "prog-b"' |
	sed 's/.*pid = \([0-9]*\),.*/\1/')
"$report" "$work/t" --pid "$pid_b" --csv-dir "$work/w3" -q || bad "--pid report failed"
check_csv "$work/w3" prog-b 1000 0
[ "$(ls "$work/w3" | wc -l)" -eq 1 ] || bad "--pid kept other processes"
"$report" --latency-stats "$work/w3" >"$work/ls" 2>&1 &&
	grep -q totalRoundtripTime "$work/ls" || { bad "--latency-stats"; cat "$work/ls"; }

# ---- bad input
expect 1 "No such file" "$report" "$work/none"
mkdir "$work/empty"
expect 1 "no CTF trace (no metadata file) under" "$report" "$work/empty"
s2=$(qp_session_create e2e-report-noqp "$work/noqp") || exit 99
sessions="$sessions $s2"
lttng disable-event -u -s "$s2" -c qp 'qprof:*' >>"$QP_LTTNG_LOG" 2>&1
lttng enable-event -u -s "$s2" -c qp 'lttng_ust_statedump:*' >>"$QP_LTTNG_LOG" 2>&1
qp_session_start "$s2" && "$tp/e2e_gen" -n 10 && qp_session_stop "$s2" || exit 99
expect 1 "no qprof events in .*LD_PRELOAD" "$report" "$work/noqp"
cp -r "$work/t" "$work/trunc"
for f in $(find "$work/trunc" -type f -name 'qp_*' ! -path '*/index/*'); do
	sz=$(stat -c %s "$f")
	[ "$sz" -gt 100 ] && truncate -s $((sz / 2 + 7)) "$f"
done
expect 1 "truncated or corrupt stream file" "$report" "$work/trunc"
printf 'Profiling Data\nProgramId:0\nProgramName: prog-a\n' >"$work/short.txt"
expect 1 "short.txt:" "$report" "$work/t" --device-latency "$work/short.txt"
cp "$work/csv/"*-0-latency.txt "$work/garbage.txt"
sed -i '9s/.*/1 ,x ,y/' "$work/garbage.txt"
expect 1 "garbage.txt:9" "$report" "$work/t" --device-latency "$work/garbage.txt"
expect 1 "no program named 'nope'" "$report" "$work/t" --program nope
expect 2 "no trace directory" "$report"
expect 2 "--by" "$report" --by nothing "$work/t"
expect 2 "num-samples" "$report" --num-samples 0 "$work/t"
expect 2 "keep-middle" "$report" --keep-middle 0 "$work/t"
# a failing run leaves an existing output untouched and no temporary
echo keep >"$work/old.json"
: >"$work/file"
expect 1 "" "$report" "$work/t" --csv-dir "$work/file" --json "$work/old.json"
[ "$(cat "$work/old.json")" = keep ] || bad "old.json was modified"
[ "$(ls -a "$work" | grep -c 'old.json.')" -eq 0 ] || bad "temporary file left"

# ---- the collected CSV checks (pandas)
/usr/bin/python3 - "$work/csv-checks" <<'EOF' || fail=1
import glob, sys
import pandas as pd


def check(d, prog, rows, first):
    found = 0
    for p in glob.glob(d + "/aic-profiling-program-*-latency.txt"):
        head = open(p).read().split("\n")[:4]
        if head[2].split(":", 1)[1].strip() != prog:
            continue
        found += 1
        df = pd.read_csv(p, skiprows=4, skipinitialspace=True)
        df.columns = [c.strip() for c in df.columns]
        for c in df.columns:    # "N/A" cells are padded: "N/A   "
            if df[c].dtype == object:
                df[c] = pd.to_numeric(df[c].str.strip(), errors="coerce")
        s = df["Sample"]
        errs = []
        if len(df) != rows or head[3] != "NumSamples collected: %d Num Requested: %d" % (rows, rows):
            errs.append("%d rows, header %r" % (len(df), head[3]))
        if list(s) != list(range(first, first + rows)):
            errs.append("Samples %s..%s" % (s.min(), s.max()))
        want = {"exectoVcUs": 10 + s % 7, "execToCompleteUs": 100 + s % 13,
                "hostRoundTripUs": 110 + s % 7 + s % 13, "queueDepth": 2 * (s % 3),
                "numInfInQueue": 1 + (2 * (s % 3)) // 4}
        for c, v in want.items():
            n = int((df[c] != v).sum())
            if n:
                errs.append("%s differs in %d rows" % (c, n))
        tile = df.enqTimeUs + df.preProcTimeUs + df.execTotalUs + df.postProcUs
        if ((tile - df.totalRoundtripTimeUs).abs() > 0.003).any():
            errs.append("phases do not tile totalRoundtripTime")
        if df["devExecUs"].notna().any():
            errs.append("device columns without a dump")
        for e in errs:
            print("FAIL %s %s: %s" % (p, prog, e))
        if errs:
            return 1
    if found != 1:
        print("FAIL: %d CSV files for %s in %s" % (found, prog, d))
        return 1
    print("csv %s: %d rows from Sample %d ok" % (prog, rows, first))
    return 0


rc = 0
for line in open(sys.argv[1]):
    d, prog, rows, first = line.split()
    rc |= check(d, prog, int(rows), int(first))
sys.exit(rc)
EOF
exit $fail
