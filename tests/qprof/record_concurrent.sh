#!/bin/sh
# SPDX-License-Identifier: MIT
# Two `qprof record` at once: B runs for 10 s, A starts and ends while B
# runs.  A's end must not stop the session daemon B records with: each
# trace holds exactly the inferences its application counted, only its
# own process, and both exit 0.
set -u
. "${srcdir:-.}/lib.sh"
qp_begin record-concurrent
cd "$work" || exit 99
trap 'kill "$pb" "$pa" 2>/dev/null; rm -rf "$work"' EXIT
pa= pb=

"$qprof" record -o b -- "$app" --time 10 >b.out 2>b.err &
pb=$!
wait_started b.out || bad "B did not start"
"$qprof" record -o a -- "$app" -n 2000 >a.out 2>a.err &
pa=$!
wait "$pa"
expect_status 0 $? "A"
kill -0 "$pb" 2>/dev/null || bad "B ended before A: the test proves nothing"
wait "$pb"
expect_status 0 $? "B"
for r in a b; do
	n=$(app_count $r.out)
	report_json $r $r.json || continue
	got=$(json_get $r.json 'sum(p["completed"] for p in j["programs"])')
	inc=$(json_get $r.json 'sum(sum(p["incomplete"].values()) for p in j["programs"])')
	pids=$(json_get $r.json '" ".join(str(p["pid"]) for p in j["processes"])')
	echo "$r: the application counted $n, the trace has $got completed, $inc incomplete, processes $pids"
	[ "$got" = "$n" ] || bad "$r: $got inferences in the trace, the application counted $n"
	[ "$inc" = 0 ] || bad "$r: $inc incomplete inferences"
	[ "$pids" = "$(cat $r/qprof-pid)" ] || bad "$r: processes $pids, want $(cat $r/qprof-pid)"
	grep -q '^recording: complete$' $r/qprof-record.txt || bad "$r: recording not complete"
done
exit $fail
