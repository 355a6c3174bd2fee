#!/bin/sh
# SPDX-License-Identifier: MIT
# The shim loads LTTng-UST only when a QAic runtime appears (lttng_load.c):
#   1. libqprof.so has no DT_NEEDED on LTTng-UST; libqprof-tp.so, the
#      provider, sits next to it;
#   2. a shell reached by LD_PRELOAD maps no LTTng-UST library;
#   3. a program with a (fake) runtime maps none before its first QAic call
#      and maps them after it, with and without a session daemon;
#   4. in a recording session, that very first call is in the trace (the
#      probes are registered and enabled before the hook tests its
#      tracepoint), and so are calls in fork()ed children, whether the fork
#      came after loading (LTTng-UST's fork hooks) or before it.
# Needs: builddir, top_srcdir (test environment); lttng for part 4 (else
# that part is skipped and reported).
set -u
: "${builddir:?}" "${top_srcdir:?}"
SHIM=$builddir/.libs/libqprof.so
PROVIDER=$builddir/.libs/libqprof-tp.so
PROG=$builddir/tests/lazyload
PRELOAD="${SAN_PRELOAD:+$SAN_PRELOAD }$SHIM"
nfail=0

fail()
{
	echo "FAIL: $*" >&2
	nfail=$((nfail + 1))
}

# expect NAME GOT WANT
expect()
{
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		fail "$1: got '$2', want '$3'"
	fi
}

T=$(mktemp -d "${TMPDIR:-/tmp}/qprof-lazyload.XXXXXX") || exit 99
cleanup()
{
	[ -n "${QP_LTTNG_LOG:-}" ] && qp_lttng_teardown
	rm -rf "$T"
}
trap cleanup EXIT

# 1. Linkage.
needed=$(readelf -d "$SHIM" | grep NEEDED | grep -c lttng)
expect "libqprof.so DT_NEEDED on LTTng-UST" "$needed" 0
expect "provider next to the shim" "$([ -e "$PROVIDER" ] && echo yes)" yes
needed=$(readelf -d "$PROVIDER" | grep NEEDED | grep -c 'liblttng-ust\.so')
expect "provider DT_NEEDED on liblttng-ust" "$needed" 1

# 2. A shell stays inert (it reads its own maps while grep runs).
n=$(LD_PRELOAD=$PRELOAD sh -c 'grep -c liblttng-ust /proc/$$/maps')
expect "shell maps LTTng-UST" "$n" 0

# 3. Loaded on the first QAic call, not before; no daemon needed.
want='before 0
call 0
after 1'
got=$(LD_PRELOAD=$PRELOAD LTTNG_HOME=$T/nohome "$PROG")
expect "program without a session" "$got" "$want"

# 4. In a session.
. "$top_srcdir/tests/lib/lttng.sh"
QP_LTTNG_LOG=$T/lttng.log
if ! qp_lttng_setup; then
	echo "SKIP part 4: no LTTng session daemon"
	QP_LTTNG_LOG=
	[ $nfail -eq 0 ] || exit 1
	exit 0
fi
for mode in plain fork fork-early; do
	s=$(qp_session_create qprof-lazy "$T/$mode") && qp_session_start "$s" ||
		{ fail "$mode: session"; continue; }
	got=$(LD_PRELOAD=$PRELOAD "$PROG" "$mode")
	qp_session_stop "$s"
	qp_session_destroy "$s"
	babeltrace2 "$T/$mode" >"$T/$mode.txt" 2>"$T/$mode.err" ||
		fail "$mode: babeltrace2: $(cat "$T/$mode.err")"
	case $mode in
	plain)	want="$(printf 'before 0\ncall 0\nafter 1')"; objs=0x1000 ;;
	fork)	want="$(printf 'before 0\ncall 0\nafter 1\nchild 0')"
		objs="0x1000 0x2000" ;;
	*)	want="$(printf 'before 0\nchild 0\ncall 0\nafter 1')"
		objs="0x2000 0x1000" ;;
	esac
	expect "$mode: program output" "$got" "$want"
	# One api_context_release per call, in call order, each from a
	# process that also emitted process_info (the fake runtime's version).
	got=$(awk '/qprof:api_context_release:/ {
		match($0, /obj = 0x[0-9A-Fa-f]+/)
		printf "%s%s", sep, tolower(substr($0, RSTART + 6, RLENGTH - 6))
		sep = " " }' "$T/$mode.txt")
	expect "$mode: recorded calls" "$got" "$objs"
	got=$(grep -c 'qprof:process_info:.*rt_major = 1, rt_minor = 2' \
		"$T/$mode.txt")
	expect "$mode: process_info per process" "$got" "$(echo "$objs" | wc -w)"
done
[ $nfail -eq 0 ] || exit 1
