#!/bin/sh
# SPDX-License-Identifier: MIT
# Names from the trace in every output (post/escape.h) and programs created
# without a name (post/progname.h), end to end with the simulator:
#   - one hostile program name (quote, backslash, newline, CR, ESC, comma,
#     HTML, ill-formed UTF-8, a forged "== program 9 FAKE ==" line) through
#     the summary, --by, the CSV (read back by --latency-stats and
#     --device-latency), the JSON and the Chrome trace (check_names.py);
#   - a NULL name: labelled after its QPC ('tiny'), and the runtime's own
#     latency file (ProgramName: tiny) merges; a QPC file whose name is not
#     the description's (mynet.desc holding "name = tiny") merges too.
set -u
: "${top_builddir:=../..}" "${top_srcdir:=../..}"
. "$top_srcdir/tests/lib/lttng.sh"
lib=$top_builddir/preload/.libs/libqprof.so
report=$top_builddir/post/qprof-report
app=$top_builddir/sim/apps/qaic-sim-app
check="/usr/bin/python3 $top_srcdir/tests/post/check_names.py"
for f in "$lib" "$report" "$app" /usr/bin/python3; do
	[ -e "$f" ] || { echo "missing $f"; exit 77; }
done
QP_LTTNG_BLOCKING=1
qp_e2e_begin e2e-names

# record DIR APP-ARGS...: the app under a session into DIR/trace; $pid
record() {
	d=$1
	shift
	mkdir -p "$d/dump"
	sessions=$(qp_session_create e2e-names "$d/trace") || exit 99
	qp_session_start "$sessions" || exit 99
	LD_PRELOAD="$lib" "$app" -n 200 "$@" --aic-profiling-type latency \
		--aic-profiling-num-samples 1000 --aic-profiling-out-dir "$d/dump" \
		>"$d/app.out" 2>&1 &
	pid=$!
	wait $pid || { bad "$d: application failed"; cat "$d/app.out"; }
	qp_session_stop "$sessions"
	qp_session_destroy "$sessions"
	sessions=
}

# ---- a hostile name through every writer
hostile=$(printf 'a"b\\c\nd\re\033[1mf,g<img src=x onerror=alert(1)>\377\376h\n== program 9 FAKE ==')
h=$work/hostile
record "$h" --program-name "$hostile"
"$report" "$h/trace" --pid "$pid" --by program --csv-dir "$h/csv" \
	--json "$h/report.json" --chrome-trace "$h/chrome.json" \
	>"$h/summary" 2>"$h/err" || { bad "hostile: report failed"; cat "$h/err"; }
"$report" --latency-stats "$h/csv" >"$h/latstats" 2>"$h/latstats.err" ||
	{ bad "--latency-stats rejects qprof's own CSV"; cat "$h/latstats.err"; }
"$report" "$h/trace" --pid "$pid" --device-latency "$h/csv" -q --json "$h/merged.json" \
	2>"$h/merge.err" || { bad "--device-latency rejects qprof's own CSV"; cat "$h/merge.err"; }
"$report" "$h/trace" --program nope >/dev/null 2>"$h/noprog.err"
"$report" "$h/trace" --program "$hostile" -q --json "$h/selected.json" 2>"$h/sel.err" ||
	{ bad "--program with the hostile name"; cat "$h/sel.err"; }
printf '%s' "$hostile" >"$h/name"
$check "$h" || fail=1

# ---- NULL name: labelled after the QPC, merged with the runtime's file
n=$work/null
record "$n" --null-program-name
grep -q '^ProgramName: tiny$' "$n/dump/aic-profiling-program-0-latency.txt" ||
	bad "the simulated runtime did not name the program 'tiny'"
"$report" "$n/trace" --pid "$pid" --device-latency "$n/dump" --program tiny \
	>"$n/summary" 2>"$n/err" || { bad "NULL name: merge failed"; cat "$n/err"; }
grep -q "^== program 0 'tiny' (created without a name: named after its QPC)" "$n/summary" ||
	{ bad "NULL name: no 'tiny' label"; cat "$n/summary"; }
grep -q 'device dumps: 200 rows, 200 matched' "$n/summary" ||
	{ bad "NULL name: rows not matched"; grep 'device dumps' "$n/summary"; }
grep -q '^  devExec  *200 ' "$n/summary" || bad "NULL name: no devExec row"

# a description file whose name (tiny) is not its file name (mynet)
m=$work/mynet
mkdir -p "$m"
cp "$top_srcdir/sim/presets/tiny.desc" "$m/mynet.desc"
record "$m" --null-program-name -t "$m/mynet.desc"
"$report" "$m/trace" --pid "$pid" --device-latency "$m/dump" >"$m/summary" \
	2>"$m/err" || { bad "mynet: merge failed"; cat "$m/err"; }
grep -q "^== program 0 'mynet' (created without a name" "$m/summary" ||
	{ bad "mynet: label"; cat "$m/summary"; }
grep -q 'device dumps: 200 rows, 200 matched' "$m/summary" ||
	{ bad "mynet: rows not matched"; cat "$m/summary"; }
exit $fail
