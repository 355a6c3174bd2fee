#!/bin/sh
# SPDX-License-Identifier: MIT
# Signals during `qprof record`, sent as a terminal sends them: to the
# whole foreground process group (qprof, the application, and whatever
# else is in that group).
#   - Ctrl-C to an application that handles SIGINT and finishes normally
#     (qaic-sim-app --stop-on-sigint): qprof exits 0, and every inference
#     the application counted is in the trace, none lost (the session
#     daemon must not be in the group: it would die and truncate the
#     trace).  The truth is the application's own count and the simulated
#     runtime's latency dump of every inference.
#   - Ctrl-C to an application that dies of it: exit status 130, the trace
#     complete up to then.
#   - SIGTERM to qprof alone: passed on to the application (143).
#   - --duration: the recording stops, the application gets SIGTERM.
set -u
. "${srcdir:-.}/lib.sh"
qp_begin record-signals
cd "$work" || exit 99

# in_group OUT ERR CMD...: CMD as the leader of a new process group with
# the default SIGINT and SIGQUIT of a terminal's foreground job; sets gpid.
in_group() {
	_o=$1 _e=$2
	shift 2
	env --default-signal=INT,QUIT setsid "$@" >"$_o" 2>"$_e" &
	gpid=$!
	groups="$groups $gpid"
}
groups=
# a failed check must not leave an application running
trap 'for g in $groups; do kill -KILL -"$g" 2>/dev/null; done; rm -rf "$work"' EXIT

# 1. Ctrl-C, the application finishes normally.
mkdir dump1
in_group app1.out rec1.err "$qprof" record -o t1 -- "$app" -n 300000 \
	--stop-on-sigint --aic-profiling-type latency \
	--aic-profiling-num-samples 300000 --aic-profiling-out-dir dump1
wait_started app1.out || bad "the application did not start"
sleep 1
kill -INT -"$gpid"
wait "$gpid"
expect_status 0 $? "Ctrl-C to an application that finishes normally"
n=$(app_count app1.out)
dumped=$(awk 'NF && $1 ~ /^[0-9]+$/ { n++ } END { print n + 0 }' \
	dump1/aic-profiling-program-0-latency.txt 2>/dev/null)
if [ -z "$n" ] || [ "$n" -lt 1 ]; then
	bad "the application printed no count"; cat app1.out rec1.err
elif report_json t1 t1.json; then
	got=$(json_get t1.json 'sum(p["completed"] for p in j["programs"])')
	inc=$(json_get t1.json 'sum(sum(p["incomplete"].values()) for p in j["programs"])')
	lost=$(json_get t1.json 'j["accounting"]["discarded_events"] + j["accounting"]["discarded_packets"]')
	echo "Ctrl-C: the application counted $n inferences, the runtime dumped $dumped, the trace has $got completed, $inc incomplete, $lost lost"
	[ "$got" = "$n" ] || bad "Ctrl-C: $got inferences in the trace, the application counted $n"
	[ "$dumped" = "$n" ] || bad "Ctrl-C: the runtime dumped $dumped inferences, the application counted $n"
	[ "$inc" = 0 ] || bad "Ctrl-C: $inc incomplete inferences"
	[ "$lost" = 0 ] || bad "Ctrl-C: $lost events or packets lost"
fi
grep -q '^recording: complete$' t1/qprof-record.txt || bad "t1: recording not complete"

# 2. Ctrl-C, the application dies of it.
in_group app2.out rec2.err "$qprof" record -o t2 -- "$app" --time 120
wait_started app2.out || bad "the application did not start"
sleep 0.5
kill -INT -"$gpid"
wait "$gpid"
expect_status 130 $? "Ctrl-C to an application that dies of it"
grep -q '^exit status: 130$' t2/qprof-record.txt || bad "t2: exit status not recorded"
if report_json t2 t2.json; then
	got=$(json_get t2.json 'sum(p["completed"] for p in j["programs"])')
	[ "$got" -gt 0 ] || bad "t2: no inference in the trace"
fi

# 3. SIGTERM to qprof only: the application gets it.
in_group app3.out rec3.err "$qprof" record -o t3 -- "$app" --time 120
wait_started app3.out || bad "the application did not start"
kill -TERM "$gpid"
wait "$gpid"
expect_status 143 $? "SIGTERM to qprof"
grep -q '^exit status: 143$' t3/qprof-record.txt || bad "t3: exit status not recorded"

# 4. --duration: the recording stops after 5 s (time enough for the
# application to start inferring on a loaded machine), then the application
# is ended (it would run for 600 s).
start=$(date +%s)
"$qprof" record --duration 5 -o t4 -- "$app" --time 600 >app4.out 2>rec4.err
st=$?
took=$(( $(date +%s) - start ))
expect_status 143 $st "--duration 5 on an application that runs for 600 s"
[ "$took" -lt 120 ] || bad "--duration 5: qprof returned after $took s"
grep -q 'recording stopped after 5 s' rec4.err || { bad "--duration: no message"; cat rec4.err; }
grep -q '^duration limit: 5$' t4/qprof-record.txt || bad "t4: duration not recorded"
if report_json t4 t4.json; then
	got=$(json_get t4.json 'sum(p["completed"] for p in j["programs"])')
	[ "$got" -gt 0 ] || bad "t4: no inference in the trace"
fi
# a command shorter than the duration ends the recording as usual
"$qprof" record --duration 300 -o t5 -- "$app" -n 200 >app5.out 2>rec5.err
expect_status 0 $? "--duration longer than the command"
if report_json t5 t5.json; then
	got=$(json_get t5.json 'sum(p["completed"] for p in j["programs"])')
	[ "$got" = 200 ] || bad "t5: $got inferences, want 200"
fi
exit $fail
