#!/bin/sh
# SPDX-License-Identifier: MIT
# `qprof record` records the command and its descendants, and nothing
# else.  Beside the recording, another process with the shim preloaded runs
# against the machine's session daemon (as root: the global one, which every
# qprof'd process registers with).  The command is a shell that starts the
# application in the background and in the foreground, and through a
# python3 launcher:
#   sh -c 'app -n 2000 & app -n 3000; python3 -c "subprocess.run(...)" app -n 1000; wait'
# The truth: the pids the applications wrote themselves (a wrapper that
# execs the application) and their inference counts.  The trace must hold
# exactly those three processes with those counts, and not the one beside.
set -u
. "${srcdir:-.}/lib.sh"
qp_begin record-select
. "$top_srcdir/tests/lib/lttng.sh"
cd "$work" || exit 99
beside=
trap 'kill "$beside" 2>/dev/null; qp_lttng_teardown; rm -rf "$work"' EXIT
qp_lttng_setup || exit $?

cat >app <<EOT
#!/bin/sh
echo \$\$ >>"$work/pids"
exec "$app" "\$@"
EOT
chmod +x app

# the qprof'd process beside the recording, with a session of its own
sess=$(qp_session_create beside "$work/beside-trace") || { echo "no session"; exit 99; }
qp_session_start "$sess"
LD_PRELOAD=$top_builddir/preload/.libs/libqprof.so "$app" --time 60 \
	>beside.out 2>&1 &
beside=$!
wait_started beside.out || bad "the process beside did not start"

"$qprof" record -o t -- sh -c '"$0" -n 2000 & "$0" -n 3000;
	python3 -c "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))" "$0" -n 1000;
	wait' "$work/app" >t.out 2>t.err
expect_status 0 $? "qprof record"
kill -0 "$beside" 2>/dev/null || bad "the process beside ended during the recording: the test proves nothing"
kill "$beside" 2>/dev/null
wait "$beside"
beside_pid=$beside
beside=
qp_session_stop "$sess"
qp_session_destroy "$sess"

want=$(sort -n pids | tr '\n' ' ' | sed 's/ $//')
[ "$(wc -l <pids)" = 3 ] || bad "the applications wrote $(wc -l <pids) pids, want 3"
if report_json t t.json; then
	got=$(json_get t.json '" ".join(sorted((str(p["pid"]) for p in j["processes"]), key=int))')
	counts=$(json_get t.json '" ".join(str(p["completed"]) for p in sorted(j["programs"], key=lambda p: p["completed"]))')
	echo "processes recorded: $got (the command's applications: $want; beside: $beside_pid)"
	echo "completed per program: $counts"
	[ "$got" = "$want" ] || bad "recorded processes $got, want $want"
	case " $got " in *" $beside_pid "*) bad "the process beside was recorded" ;; esac
	[ "$counts" = "1000 2000 3000" ] || bad "completed per program: $counts, want 1000 2000 3000"
fi
grep -q '^QAic calls: yes$' t/qprof-record.txt || bad "qprof-record.txt: no QAic calls"
exit $fail
