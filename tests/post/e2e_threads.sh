#!/bin/sh
# SPDX-License-Identifier: MIT
# qprof-report in one thread (--threads 1), with two decoding graphs
# (--threads 2: the stream files split in two groups, the default on a
# multi-CPU machine when the groups are not too unequal; forced here with
# QPROF_REPORT_SPLIT=1) and with one graph and the reader -> assembler
# pipeline (--threads 2, QPROF_REPORT_SPLIT=0) must give byte-identical
# outputs: summary with --by tables, CSV, JSON, Chrome trace, merged device
# dumps, windowing, JSON on stdout before the summary, a trace with lost
# events, rotated trace files, and the same errors (a truncated stream
# file: the real path).
# Traces: e2e_gen (two processes, wait and callback completion), the
# simulator's application under libqprof.so with call stacks (process_info,
# program, queue and kernel events with strings and arrays), and e2e_gen
# into tiny non-blocking buffers (discarded events).
set -u
: "${top_builddir:=../..}" "${top_srcdir:=../..}"
. "$top_srcdir/tests/lib/lttng.sh"
tp=$top_builddir/tests/post
report=$top_builddir/post/qprof-report
lib=$top_builddir/preload/.libs/libqprof.so
app=$top_builddir/sim/apps/qaic-sim-app
[ -x "$report" ] || { echo "no $report"; exit 77; }
qp_e2e_begin e2e-threads

# ---- traces
s=$(qp_session_create e2e-threads "$work/t") || exit 99
sessions="$sessions $s"
qp_session_start "$s" || exit 99
"$tp/e2e_gen" -n 3000 -k 4 -o prog-a & pa=$!
"$tp/e2e_gen" -n 1500 -k 2 -c -o prog-b & pb=$!
sim=no
if [ -x "$app" ] && [ -e "$lib" ]; then
	mkdir "$work/dump"
	QPROF_CALLSTACK=4 LD_PRELOAD="$lib" "$app" -t tiny -n 300 -T 3 -c event \
		--aic-profiling-type latency --aic-profiling-num-samples 1000000 \
		--aic-profiling-out-dir "$work/dump" >"$work/app.out" 2>&1 & ps=$!
	sim=yes
fi
wait $pa && wait $pb || exit 99
if [ $sim = yes ] && ! wait $ps; then
	echo "simulator application failed:"; cat "$work/app.out"; exit 99
fi
qp_session_stop "$s"

# tiny non-blocking buffers: the generator at full speed loses events
s2=lossy-$$-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
sessions="$sessions $s2"
{ lttng create "$s2" --output="$work/lossy" &&
  lttng enable-channel -u -s "$s2" --subbuf-size=4096 --num-subbuf=2 qp &&
  lttng enable-event -u -s "$s2" -c qp 'qprof:*' &&
  lttng start "$s2"; } >>"$QP_LTTNG_LOG" 2>&1 || exit 99
"$tp/e2e_gen" -n 20000 -k 4 -o lossy || exit 99
lttng stop "$s2" >>"$QP_LTTNG_LOG" 2>&1

# trace file rotation (qp_0_0, qp_0_1, ...: one stream in several files,
# which must stay in one group), per-PID buffers: two traces
s3=rot-$$-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
sessions="$sessions $s3"
{ lttng create "$s3" --output="$work/rot" &&
  lttng enable-channel -u -s "$s3" --buffers-pid --subbuf-size=65536 \
	--num-subbuf=4 --tracefile-size=65536 qp &&
  lttng enable-event -u -s "$s3" -c qp 'qprof:*' &&
  lttng start "$s3"; } >>"$QP_LTTNG_LOG" 2>&1 || exit 99
"$tp/e2e_gen" -n 3000 -k 2 -o rot-a & ra=$!
"$tp/e2e_gen" -n 3000 -k 2 -o rot-b & rb=$!
wait $ra && wait $rb || exit 99
lttng stop "$s3" >>"$QP_LTTNG_LOG" 2>&1
[ -n "$(find "$work/rot" -name 'qp_*_1')" ] || bad "rot: no rotated trace files"

# a copy of the trace with a stream file cut in the middle of a packet
cp -r "$work/t" "$work/trunc"
f=$(find "$work/trunc" -type f -name 'qp_*' ! -name '*.idx' -size +8k | head -1)
[ -n "$f" ] || exit 99
truncate -s $(($(stat -c %s "$f") - 1000)) "$f"
mkdir "$work/tmp"
TMPDIR=$work/tmp
export TMPDIR

# ---- same outputs with 1 thread, 2 graphs, 1 graph + pipeline
# run NAME ARGS...: runs with --threads 1, 2 and 2 without the split into
# $work/NAME-1, -2, -p (stdout, stderr without --progress lines, exit
# status, files) and cmps.
run() {
	name=$1
	shift
	for n in 1 2 p; do
		d=$work/$name-$n
		mkdir "$d"
		t=$n split=1
		[ $n = p ] && t=2 split=0
		(cd "$d" && QPROF_REPORT_SPLIT=$split \
		 "$report" --threads $t "$@" >"$d/stdout" 2>"$d/stderr"
		 echo $? >"$d/rc")
	done
	diff -r "$work/$name-1" "$work/$name-2" >"$work/$name.diff" ||
		{ bad "$name: 1 thread and 2 graphs differ"; head -20 "$work/$name.diff"; }
	diff -r "$work/$name-1" "$work/$name-p" >"$work/$name.diff" ||
		{ bad "$name: 1 thread and 1 graph + pipeline differ"; head -20 "$work/$name.diff"; }
	[ "$(cat "$work/$name-1/rc")" = 0 ] || [ "${want_rc:-0}" != 0 ] ||
		{ bad "$name failed"; cat "$work/$name-1/stderr"; }
}
dev=
[ $sim = yes ] && dev="--device-latency $work/dump"
run full "$work/t" $dev --csv-dir csv --json report.json --per-inference \
	--chrome-trace chrome.json --by program --by thread --by queue \
	--by callsite --symbolize
[ -s "$work/full-2/csv/aic-profiling-program-0-latency.txt" ] &&
	grep -q "Breakdown by callsite" "$work/full-2/stdout" &&
	grep -q prog-b "$work/full-2/report.json" ||
	bad "full: outputs missing"
[ $sim = yes ] && { grep -q tiny "$work/full-2/stdout" ||
	bad "full: the simulator's program is missing"; }
run window "$work/t" --program prog-a --start-iter 100 --num-samples 500 \
	--keep-middle 80 --csv-dir csv --json -
head -c 1 "$work/window-2/stdout" | grep -q '{' ||
	bad "window: JSON on stdout does not come first"
run lossy "$work/lossy" --csv-dir csv --by program
grep -q "Lost data" "$work/lossy-2/stdout" ||
	bad "lossy: no discarded events in the tiny-buffer trace"
run quiet "$work/t" -q --csv-dir csv
run rotated "$work/rot" --by program --csv-dir csv
: >"$work/file"
want_rc=1 run badcsv "$work/t" --csv-dir "$work/file" --json out.json
[ "$(cat "$work/badcsv-2/rc")" = 1 ] && [ ! -s "$work/badcsv-2/stdout" ] &&
	[ ! -e "$work/badcsv-2/out.json" ] &&
	grep -q "$work/file" "$work/badcsv-2/stderr" ||
	bad "badcsv: want exit 1, no summary, no JSON, the path in the message"

want_rc=1 run trunc "$work/trunc" -q
grep -q "^qprof-report: .*$f" "$work/trunc-2/stderr" &&
	! grep -q qprof-report[.] "$work/trunc-2/stderr" ||
	{ bad "trunc: the message does not name $f"; cat "$work/trunc-2/stderr"; }
[ -z "$(ls -A "$work/tmp")" ] || bad "temporary trees left in \$TMPDIR"

# ---- relative trace paths from another working directory, both reader
# modes: the split's temporary tree must link to absolute targets
for split in 1 0; do
	QPROF_REPORT_SPLIT=$split "$report" "$work/t" --threads 2 \
		--csv-dir "$work/abs-$split" >/dev/null 2>&1 || exit 99
	(cd "$work" && QPROF_REPORT_SPLIT=$split "$report" t --threads 2 \
		--csv-dir "rel-$split" >/dev/null 2>"$work/rel-$split.err") ||
		{ bad "relative path t (split $split) failed"; cat "$work/rel-$split.err"; }
	(cd "$work/tmp" && QPROF_REPORT_SPLIT=$split "$report" ./../t \
		--threads 2 --csv-dir ../rel2-$split >/dev/null 2>"$work/rel2-$split.err") ||
		{ bad "relative path ./../t (split $split) failed"; cat "$work/rel2-$split.err"; }
	diff -r "$work/abs-$split" "$work/rel-$split" >/dev/null &&
		diff -r "$work/abs-$split" "$work/rel2-$split" >/dev/null ||
		bad "relative path (split $split): outputs differ from the absolute path's"
done
[ -z "$(ls -A "$work/tmp")" ] || bad "temporary trees left in \$TMPDIR"

# ---- the threaded paths are the ones taken (stage names of --progress)
"$report" "$work/t" --csv-dir "$work/p" --threads 2 --progress 2>"$work/p2" >/dev/null
grep -q "files+summary" "$work/p2" || bad "--threads 2 did not write in parallel"
QPROF_REPORT_SPLIT=1 "$report" "$work/t" --threads 2 --progress 2>"$work/p2" >/dev/null
grep -q "read+assemble (2 graphs" "$work/p2" || bad "QPROF_REPORT_SPLIT=1 did not split"
QPROF_REPORT_SPLIT=0 "$report" "$work/t" --threads 2 --progress 2>"$work/p2" >/dev/null
grep -q "read+assemble (assembler thread" "$work/p2" ||
	bad "QPROF_REPORT_SPLIT=0: no assembler thread"
QPROF_REPORT_THREADS=1 "$report" "$work/t" --csv-dir "$work/p" --progress \
	2>"$work/p1" >/dev/null
grep -q " files .*summary" "$work/p1" || bad "QPROF_REPORT_THREADS=1 ignored"
"$report" --threads 0 "$work/t" >/dev/null 2>&1
[ $? = 2 ] || bad "--threads 0 is not a usage error"
QPROF_REPORT_THREADS=x "$report" "$work/t" >/dev/null 2>&1
[ $? = 2 ] || bad "QPROF_REPORT_THREADS=x is not a usage error"
exit $fail
