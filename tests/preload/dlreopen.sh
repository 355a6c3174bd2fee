#!/bin/bash
# SPDX-License-Identifier: MIT
# A runtime loaded with dlopen, called through dlsym'd pointers and its
# function table, closed with dlclose and loaded again, three times: every
# call still reaches the runtime with its results and errno intact (dltest
# checks) and is recorded (the trace holds what dltest expects).  Then the
# same with the shim but no session, and without the shim: same output.
. "$srcdir/lib.sh"
need_lttng
lib=$PWD/.libs/libfakeqaic.so
traced dl ./dltest "$lib" 3 && expect_rc dl 0 || finish
pid=$(cat "$TMP/dl.pid")
while read -r _ ev want; do
	nchecks=$((nchecks + 1))
	got=$(grep -c "qprof:$ev: .* pid = $pid," "$TMP/dl.txt")
	[ "$got" = "$want" ] || fail "$ev: $got recorded, want $want"
done <"$TMP/dl.out"
nchecks=$((nchecks + 1))
got=$(grep -c "qprof:api_function_table: .* pid = $pid," "$TMP/dl.txt")
[ "$got" -ge 1 ] || fail "no api_function_table event"
nchecks=$((nchecks + 1))
grep -q "qprof:api_enqueue_exit: .* pid = $pid, .* status = 4 }" \
	"$TMP/dl.txt" || fail "the QS_BUSY return is not in the trace"
LD_PRELOAD=$PRELOAD run_pid dl-nosession ./dltest "$lib" 3
expect_rc dl-nosession 0 && {
	nchecks=$((nchecks + 1))
	cmp -s "$TMP/dl.out" "$TMP/dl-nosession.out" ||
		fail "dltest prints differently with no session"
}
finish
