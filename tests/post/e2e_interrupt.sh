#!/bin/sh
# SPDX-License-Identifier: MIT
# Ctrl-C during a report (post/interrupt.c): qprof-report reading a trace
# big enough to be mid-read gets SIGINT, as a terminal sends it to its
# foreground process group, and must end with exit status 130, no summary
# and no output file, and leave no temporary tree in $TMPDIR - in each way
# of reading: two decoding graphs (QPROF_REPORT_SPLIT=1, the temporary
# tree of links), one graph with the assembler thread, one thread.
set -u
: "${top_builddir:=../..}" "${top_srcdir:=../..}"
. "$top_srcdir/tests/lib/lttng.sh"
tp=$top_builddir/tests/post
report=$top_builddir/post/qprof-report
[ -x "$report" ] || { echo "no $report"; exit 77; }
command -v setsid >/dev/null || { echo "no setsid"; exit 77; }
qp_e2e_begin e2e-interrupt
TMPDIR=$work/tmp
export TMPDIR
mkdir "$TMPDIR"

# two processes at once: several stream files of similar size
s=$(qp_session_create e2e-interrupt "$work/t") || exit 99
sessions="$sessions $s"
qp_session_start "$s" || exit 99
"$tp/e2e_gen" -n "${QP_INTERRUPT_N:-150000}" -k 4 -o prog-a & pa=$!
"$tp/e2e_gen" -n "${QP_INTERRUPT_N:-150000}" -k 4 -o prog-b & pb=$!
wait $pa && wait $pb || exit 99
qp_session_stop "$s"
echo "trace: $(du -sh "$work/t" | cut -f1)"

# interrupt NAME THREADS SPLIT: start the report in its own process group
# with the default SIGINT, wait until it is reading (its --progress line,
# every 2^20 events), Ctrl-C the group, check the end.
interrupt() {
	name=$1
	d=$work/$name
	mkdir "$d"
	(cd "$d" && QPROF_REPORT_SPLIT=$3 exec env --default-signal=INT setsid \
		"$report" "$work/t" --threads "$2" --progress --csv-dir csv \
		--json out.json >stdout 2>stderr) & pid=$!
	n=0
	until grep -q "M events read" "$d/stderr" 2>/dev/null; do
		n=$((n + 1))
		if [ $n -gt 2400 ] || ! kill -0 $pid 2>/dev/null; then
			bad "$name: never seen reading"; cat "$d/stderr"
			kill -KILL -$pid 2>/dev/null; wait $pid; return
		fi
		sleep 0.05
	done
	if [ "$2" = 2 ] && [ "$3" = 1 ] && [ -z "$(ls -A "$TMPDIR")" ]; then
		bad "$name: no temporary tree while reading with two graphs"
	fi
	t0=$(date +%s)
	kill -INT -$pid
	wait $pid
	rc=$?
	took=$(($(date +%s) - t0))
	echo "$name: exit $rc after ${took} s"
	[ $rc = 130 ] || { bad "$name: exit status $rc, want 130"; cat "$d/stderr"; }
	[ $took -le 10 ] || bad "$name: $took s to stop"
	[ -z "$(ls -A "$TMPDIR")" ] ||
		{ bad "$name: left in \$TMPDIR: $(ls -A "$TMPDIR")"; rm -rf "${TMPDIR:?}"/*; }
	! grep -q "summary" "$d/stdout" || bad "$name: a summary after Ctrl-C"
	[ ! -e "$d/csv" ] && [ ! -e "$d/out.json" ] ||
		bad "$name: output written after Ctrl-C"
	! grep -q "qprof-report: .*error" "$d/stderr" ||
		{ bad "$name: an error message after Ctrl-C"; cat "$d/stderr"; }
}
interrupt two-graphs 2 1
interrupt pipeline 2 0
interrupt one-thread 1 1

# the same trace read to its end: the interruptions were mid-read
QPROF_REPORT_SPLIT=1 "$report" "$work/t" --threads 2 -q --csv-dir "$work/whole" ||
	bad "the whole trace cannot be read"
[ -z "$(ls -A "$TMPDIR")" ] || bad "a full read left a temporary tree"
exit $fail
