# SPDX-License-Identifier: MIT
# Helpers of the shim's end-to-end tests (sourced by bash scripts).
# Needs top_srcdir, top_builddir, srcdir from the test environment.
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${srcdir:?}"

SHIM=$top_builddir/preload/.libs/libqprof.so
APP=$top_builddir/sim/apps/qaic-sim-app
LOADER=$top_builddir/sim/apps/qaic-sim-loader
QAIC_LIB=${QAIC_LIB:-$top_builddir/sim/runtime/.libs/libQAic.so}
export QAIC_LIB
export QAIC_SIM_PRESET_DIR=$top_srcdir/sim/presets
PY=${PYTHON3:-/usr/bin/python3}
SHIM_VERSION=$(sed -n "s/^PACKAGE_VERSION='\(.*\)'$/\1/p" \
	"$top_builddir/config.status" 2>/dev/null || true)
: "${SHIM_VERSION:=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' \
	"$top_builddir/config.h")}"
# Under the sanitizer build the ASan runtime must come first.
PRELOAD="${SAN_PRELOAD:+$SAN_PRELOAD }$SHIM"

for f in "$SHIM" "$APP" "$LOADER" "$QAIC_LIB"; do
	if [ ! -e "$f" ]; then
		echo "SKIP: $f not built" >&2
		exit 77
	fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/qprof-shimtest.XXXXXX") || exit 99
. "$top_srcdir/tests/lib/lttng.sh"
QP_LTTNG_LOG=$TMP/lttng.log
# KEEP=1 leaves $TMP (traces, outputs, reports) for a post-mortem.
cleanup()
{
	qp_lttng_teardown
	[ -n "${KEEP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT
nfail=0
nchecks=0

fail()
{
	echo "FAIL: $*" >&2
	nfail=$((nfail + 1))
}

# need_lttng: a session daemon, or skip the test.
need_lttng()
{
	qp_lttng_setup
	rc=$?
	[ $rc -eq 0 ] || exit $rc
}

# run_pid NAME CMD...: run CMD, stdout/stderr in $TMP/NAME.out/.err, its
# exit status in $rc and its pid in $TMP/NAME.pid (CMD is exec'ed by a
# shell that writes the pid: the shell is traced too, and must stay inert).
run_pid()
{
	local name=$1
	shift
	sh -c 'echo $$ >"$0"; exec "$@"' "$TMP/$name.pid" "$@" \
		>"$TMP/$name.out" 2>"$TMP/$name.err"
	rc=$?
}

# rec_begin TAG: start a session of its own; the runs made with rec_run
# until rec_end are recorded in it, and rec_end leaves the trace's text in
# $TMP/TAG.txt (one session for many runs: checks select by pid).
rec_begin()
{
	REC=$1
	REC_S=$(qp_session_create qprof-shimtest "$TMP/$REC.trace") || {
		fail "$REC: cannot create a session"; return 1; }
	qp_session_start "$REC_S" || { fail "$REC: cannot start"; return 1; }
}

# rec_run NAME CMD...: run_pid with the shim preloaded, recorded in REC.
rec_run()
{
	local name=$1
	shift
	echo "$REC" >"$TMP/$name.rec"
	LD_PRELOAD=$PRELOAD run_pid "$name" "$@"
}

rec_end()
{
	local lost
	qp_session_stop "$REC_S"
	lost=$(qp_session_discarded "$REC_S")
	qp_session_destroy "$REC_S"
	[ "${lost:-0}" = 0 ] || fail "$REC: $lost events discarded"
	babeltrace2 --clock-cycles --no-delta "$TMP/$REC.trace" \
		>"$TMP/$REC.txt" 2>"$TMP/$REC.bt2err" || {
		fail "$REC: babeltrace2 cannot read the trace"
		sed 's/^/  | /' "$TMP/$REC.bt2err" | head >&2
		return 1
	}
}

# traced NAME CMD...: one run in a session of its own, trace $TMP/NAME.txt.
traced()
{
	local name=$1
	rec_begin "$name" || return 1
	rec_run "$@"
	local keep=$rc
	rec_end || return 1
	rc=$keep
}

# expect_rc NAME WANT: the last run's status is WANT.
expect_rc()
{
	nchecks=$((nchecks + 1))
	if [ "$rc" -ne "$2" ]; then
		fail "$1: exit $rc, want $2"
		sed 's/^/  | /' "$TMP/$1.err" | head -20 >&2
		return 1
	fi
	return 0
}

# inference_count NAME: the sum of InferenceCnt over the run's stats blocks.
inference_count()
{
	awk '$1 == "InferenceCnt" { n += $2 } END { print n + 0 }' \
		"$TMP/$1.out"
}

# check_trace NAME ARGS...: check_trace.py on the run's trace and pid.
check_trace()
{
	local name=$1
	shift
	nchecks=$((nchecks + 1))
	if ! "$PY" "$srcdir/check_trace.py" "$TMP/$(cat "$TMP/$name.rec").txt" \
		--pid "$(cat "$TMP/$name.pid")" --shim-version "$SHIM_VERSION" \
		"$@" >"$TMP/$name.check" 2>&1; then
		fail "$name: trace check ($*)"
		sed 's/^/  > /' "$TMP/$name.check" | head -30 >&2
		return 1
	fi
	sed "s/^/$name: /" "$TMP/$name.check"
	return 0
}

# mask FILE: the output with its timing figures (durations, rates, the
# Device Performance table) replaced by '#', and the number of the failing
# inference (with several threads, which one meets an injected fault first
# varies from run to run, with or without the shim).
mask()
{
	sed -E -e 's/TotalDuration [0-9]+us/TotalDuration #us/' \
		-e 's|Inf/Sec [0-9.]+|Inf/Sec #|' \
		-e 's/inference [0-9]+ failed/inference # failed/' \
		-e '/^[A-Za-z]+Us,/s/[0-9]+\.[0-9]+/#/g' "$1"
}

finish()
{
	if [ "$nfail" -eq 0 ]; then
		echo "$nchecks checks passed"
		exit 0
	fi
	echo "$nfail of $nchecks checks failed" >&2
	exit 1
}
