#!/bin/sh
# SPDX-License-Identifier: MIT
# Several outputs, all or none (post/outfile.h, qp_outset), and outputs
# that would overwrite each other or the input are usage errors; --pid's
# summary title counts that process only.  Traces of e2e_gen (two
# processes of 1200 and 700 inferences).
set -u
: "${top_builddir:=../..}" "${top_srcdir:=../..}"
. "$top_srcdir/tests/lib/lttng.sh"
tp=$top_builddir/tests/post
report=$top_builddir/post/qprof-report
[ -x "$report" ] || { echo "no $report"; exit 77; }
qp_e2e_begin e2e-outputs

sessions=$(qp_session_create e2e-outputs "$work/t") || exit 99
qp_session_start "$sessions" || exit 99
"$tp/e2e_gen" -n 1200 -k 4 -o prog-a & pa=$!
"$tp/e2e_gen" -n 700 -k 2 -o prog-b & pb=$!
wait $pa && wait $pb || exit 99
qp_session_stop "$sessions"
tdir=$(dirname "$(find "$work/t" -name metadata | head -1)")

# expect RC PATTERN ARGS...: exit status RC and PATTERN on stderr
expect() {
	want=$1 pat=$2
	shift 2
	"$report" "$@" >"$work/out" 2>"$work/err"
	rc=$?
	if [ $rc -ne "$want" ] || ! grep -q -- "$pat" "$work/err"; then
		bad "$* -> exit $rc (want $want), stderr:"; cat "$work/err"
	fi
}
# unchanged: the old files are as they were, no temporary is left
unchanged() {
	[ "$(cat "$work/old.json")" = old-json ] || bad "$1: old.json replaced"
	[ "$(cat "$work/old.ctf")" = old-chrome ] || bad "$1: old.ctf replaced"
	[ -z "$(find "$work" -maxdepth 2 -name '*.tmp*')" ] || bad "$1: temporary left"
}
echo old-json >"$work/old.json"
echo old-chrome >"$work/old.ctf"

# ---- all or none
expect 1 "/nonexistent/x" "$work/t" --json "$work/old.json" --chrome-trace /nonexistent/x
unchanged "json + bad chrome"
expect 1 "/nonexistent/x" "$work/t" --csv-dir "$work/newcsv" --json "$work/old.json" \
	--chrome-trace /nonexistent/x
unchanged "csv + json + bad chrome"
[ ! -e "$work/newcsv" ] || bad "csv dir made although an output failed"
: >"$work/file"
expect 1 "$work/file" "$work/t" --csv-dir "$work/file" --json "$work/old.json" \
	--chrome-trace "$work/old.ctf"
unchanged "bad csv + json + chrome"
# a JSON on stdout comes after the files: a failed file, no JSON printed
expect 1 "/nonexistent/x" "$work/t" --json - --chrome-trace /nonexistent/x -q
[ ! -s "$work/out" ] || bad "JSON printed although the Chrome trace failed"
"$report" "$work/t" --csv-dir "$work/csv" --json "$work/old.json" \
	--chrome-trace "$work/old.ctf" -q 2>"$work/err" || { bad "all outputs"; cat "$work/err"; }
[ "$(ls "$work/csv" | wc -l)" -eq 2 ] && grep -q qprof-report/2 "$work/old.json" &&
	grep -q traceEvents "$work/old.ctf" || bad "not every output written"

# ---- outputs on one path, or inside the input
expect 2 "name the same file" "$work/t" --json "$work/x.json" --chrome-trace "$work/x.json"
expect 2 "name the same file" "$work/t" --json "$work/./x.json" --chrome-trace "$work/x.json"
expect 2 "name the same file" "$work/t" --json - --chrome-trace -
expect 2 "and --csv-dir name the same path" "$work/t" --json "$work/csv" --csv-dir "$work/csv"
expect 2 "is inside the trace" "$work/t" --csv-dir "$work/t/csv"
expect 2 "is inside the trace" "$work/t" --csv-dir "$tdir/csv"
expect 2 "holds a CTF trace" "$work/t" --json "$tdir/r.json"
[ ! -e "$work/x.json" ] && [ ! -e "$work/t/csv" ] && [ ! -e "$tdir/r.json" ] ||
	bad "a refused output was written"
[ -z "$(find "$work/t" -newer "$work/old.ctf" -type f)" ] || bad "the trace changed"

# ---- --pid: the title counts the selected process only
pid_b=$(babeltrace2 "$work/t" 2>/dev/null | grep -m1 'name = "prog-b"' |
	sed 's/.*pid = \([0-9]*\),.*/\1/')
"$report" "$work/t" >"$work/all" && "$report" "$work/t" --pid "$pid_b" >"$work/one" ||
	bad "--pid report"
grep -q '^qprof-report summary: 1900 inferences recorded in 2 processes;' "$work/all" ||
	{ bad "title without --pid"; head -1 "$work/all"; }
grep -q '^qprof-report summary: 700 inferences recorded in 1 process (--pid);' "$work/one" ||
	{ bad "title with --pid"; head -1 "$work/one"; }
exit $fail
