#!/bin/bash
# SPDX-License-Identifier: MIT
# Exit with inferences in flight: `--exit-in-flight` makes the first app
# thread to issue its last inference call exit(0) at once, its last
# set-size inferences still in flight, the runtime's worker threads and
# the other app threads still running, nothing released.  With the shim
# and a recording session the process must end the same way as without
# (status, the exiting thread's message), promptly, with a readable trace that qprof-report accounts
# for: with one thread exactly what the app reports (n - S completed, S
# never completed), with several every enqueue either completed or not.
. "$srcdir/lib.sh"
need_lttng
REPORT=$top_builddir/post/qprof-report
N=100
S=8

# run_timed NAME CMD...: run_pid under a 120 s timeout (a hang fails; the
# pid file is the application's, not timeout's).
run_timed()
{
	local name=$1
	shift
	timeout 120 sh -c 'echo $$ >"$0"; exec "$@"' "$TMP/$name.pid" "$@" \
		>"$TMP/$name.out" 2>"$TMP/$name.err"
	rc=$?
}

# report NAME: qprof-report's JSON of the run's process, in $TMP/NAME.json.
report()
{
	local name=$1
	"$REPORT" --pid "$(cat "$TMP/$name.pid")" --json "$TMP/$name.json" \
		"$TMP/$(cat "$TMP/$name.rec").trace" >/dev/null \
		2>"$TMP/$name.rerr"
}

# counts NAME: "completed not_completed enqueues" of the run (not
# completed: no completion, or failed in the exit's race).
counts()
{
	local name=$1 pid
	pid=$(cat "$TMP/$name.pid")
	"$PY" - "$TMP/$name.json" "$TMP/$(cat "$TMP/$name.rec").txt" "$pid" <<'EOF'
import json, re, sys
j = json.load(open(sys.argv[1]))
done = sum(p["completed"] for p in j["programs"])
inc = j["accounting"]["incomplete"]
left = inc["no_completion"] + inc["failed"]
pid = re.compile(r"\bpid = %s\b" % sys.argv[3])
enq = sum(1 for l in open(sys.argv[2])
          if "qprof:api_enqueue_exit:" in l and pid.search(l))
print(done, left, enq)
EOF
}

# one NAME BIN THREADS STYLE: the run without and with the shim.
one()
{
	local name=$1 bin=$2 threads=$3 style=$4 c l e
	local args=(-t tiny -n $N -T "$threads" -S $S -c "$style" --exit-in-flight)

	run_timed "$name-plain" "$bin" "${args[@]}"
	expect_rc "$name-plain" 0 || return
	rec_begin "$name" || return
	echo "$name" >"$TMP/$name.rec"
	LD_PRELOAD=$PRELOAD run_timed "$name" "$bin" "${args[@]}"
	local keep=$rc
	rec_end || return
	rc=$keep
	expect_rc "$name" 0 || return
	# The runtime's worker threads (and other app threads) race the
	# exit, with or without the shim, and may meet the runtime's
	# teardown and say so (seen in both, more under the sanitizers'
	# exit-time leak check).  The exiting thread's account must be the
	# same.
	nchecks=$((nchecks + 1))
	[ "$(grep 'exiting with' "$TMP/$name-plain.err")" = \
	  "$(grep 'exiting with' "$TMP/$name.err")" ] || {
		fail "$name: the exit message differs with the shim"
		diff "$TMP/$name-plain.err" "$TMP/$name.err" | head >&2
		return
	}
	cmp -s "$TMP/$name-plain.err" "$TMP/$name.err" || {
		grep -v 'exiting with' "$TMP/$name-plain.err" |
			sed "s/^/$name: note, without the shim: /"
		grep -v 'exiting with' "$TMP/$name.err" |
			sed "s/^/$name: note, with the shim: /"
	}
	nchecks=$((nchecks + 1))
	report "$name" || {
		fail "$name: qprof-report failed"
		head "$TMP/$name.rerr" >&2
		return
	}
	read -r c l e <<<"$(counts "$name")"
	nchecks=$((nchecks + 1))
	if [ "$threads" = 1 ] && [ "$style" != callback ]; then
		# the app's own account: exactly S in flight, the rest waited for
		[ "$c" = $((N - S)) ] && [ "$l" = $S ] && [ "$e" = $N ] ||
			fail "$name: completed $c, not completed $l, enqueues $e; want $((N - S)), $S, $N"
	elif [ "$threads" = 1 ]; then
		# a callback may still run for an abandoned inference
		[ "$e" = $N ] && [ $((c + l)) = $N ] && [ "$c" -ge $((N - S)) ] ||
			fail "$name: completed $c, not completed $l, enqueues $e; want >= $((N - S)), sum $N"
	else
		[ "$e" -ge $((N / threads)) ] && [ $((c + l)) = "$e" ] &&
			[ "$e" -le $N ] ||
			fail "$name: completed $c, not completed $l, enqueues $e"
	fi
	echo "$name: exit 0 both ways, same exit message; completed $c, not completed $l, enqueues $e"
}

for style in wait event callback; do
	one inflight-1-$style "$APP" 1 $style
	one inflight-4-$style "$APP" 4 $style
done
one inflight-loader "$LOADER" 2 wait
finish
