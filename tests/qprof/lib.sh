# SPDX-License-Identifier: MIT
# Shared helpers of the qprof front-end tests (POSIX sh, sourced).
#   $qprof, $app, $loader, $report, $simlib   this build tree's programs
#   qp_begin NAME      $work (removed at exit), fail=0, exit 77 when a
#                      program is missing
#   bad MESSAGE        prints "FAIL: MESSAGE", sets fail=1
#   expect_status WANT GOT WHAT
#   json_get FILE EXPR a value from a JSON file (python3)
: "${top_builddir:=../..}" "${top_srcdir:=../..}"
QPROF_BUILDDIR=${QPROF_BUILDDIR:-$top_builddir}
export QPROF_BUILDDIR
qprof=$top_builddir/scripts/qprof
app=$top_builddir/sim/apps/qaic-sim-app
loader=$top_builddir/sim/apps/qaic-sim-loader
report=$top_builddir/post/qprof-report
simlib=$top_builddir/sim/runtime/.libs/libQAic.so

qp_begin()
{
	for _f in "$qprof" "$app" "$report" "$simlib" \
		"$top_builddir/preload/.libs/libqprof.so"; do
		[ -e "$_f" ] || { echo "missing $_f"; exit 77; }
	done
	work=$(mktemp -d "${TMPDIR:-/tmp}/qp-$1.XXXXXX") || exit 99
	trap 'rm -rf "$work"' EXIT
	trap 'exit 130' INT TERM
	fail=0
}

bad()
{
	echo "FAIL: $*"
	fail=1
}

expect_status()	# WANT GOT WHAT
{
	[ "$1" = "$2" ] || bad "$3: exit status $2, want $1"
}

json_get()	# FILE PYTHON-EXPRESSION-ON-j
{
	/usr/bin/python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2"
}

wait_started()	# FILE: up to 60 s for the sim app to start its inferences
{
	_n=0
	until grep -q 'Using bounded random inputs' "$1" 2>/dev/null; do
		_n=$((_n + 1))
		[ $_n -lt 600 ] || return 1
		sleep 0.1
	done
}

app_count()	# FILE: the sim app's InferenceCnt (sum over its programs)
{
	awk '/^InferenceCnt / { n += $2; found = 1 } END { if (found) print n }' "$1"
}

# report_json TRACE JSON: qprof report's JSON of TRACE (no summary)
report_json()
{
	"$qprof" report "$1" --json "$2" -q 2>"$2.err" ||
		{ bad "qprof report $1 failed:"; cat "$2.err"; return 1; }
}
