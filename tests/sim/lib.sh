# SPDX-License-Identifier: MIT
# Helpers shared by the simulator acceptance tests (sourced, not run).
# Needs top_srcdir, top_builddir, srcdir from the test environment.
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${srcdir:?}"

APP=$top_builddir/sim/apps/qaic-sim-app
LOADER=$top_builddir/sim/apps/qaic-sim-loader
QAIC_LIB=${QAIC_LIB:-$top_builddir/sim/runtime/.libs/libQAic.so}
export QAIC_LIB
PY=${PYTHON3:-/usr/bin/python3}
PRESETS=$top_srcdir/sim/presets
export QAIC_SIM_PRESET_DIR=$PRESETS

TMP=$(mktemp -d "${TMPDIR:-/tmp}/qprof-simtest.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT
nfail=0
nchecks=0

fail()
{
	echo "FAIL: $*" >&2
	nfail=$((nfail + 1))
}

# desc_value PRESET KEY: the value of "KEY = value" in the preset description.
desc_value()
{
	awk -F= -v k="$2" '{ sub(/#.*/, ""); key = $1; val = $2;
		gsub(/[ \t]/, "", key); gsub(/^[ \t]+|[ \t]+$/, "", val) }
		key == k { v = val } END { print v }' "$PRESETS/$1.desc"
}

# desc_nbuffers PRESET: buffers (so BOs) of one exec object of PRESET:
# the "buffer =" lines plus the aiccyclecounts output of stats programs.
desc_nbuffers()
{
	n=$(grep -cE '^[[:space:]]*buffer[[:space:]]*=' "$PRESETS/$1.desc")
	s=$(desc_value "$1" stats)
	echo $((n + ${s:-0}))
}

# run CMD...: stdout to $TMP/out, stderr to $TMP/err, status in $rc.
run()
{
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

# expect_rc WANT CMD...: run and check the exit status; 0 when as wanted.
expect_rc()
{
	want=$1
	shift
	nchecks=$((nchecks + 1))
	run "$@"
	if [ "$rc" -ne "$want" ]; then
		fail "$(basename "$1") ${*:2} -> exit $rc, want $want"
		sed 's/^/  | /' "$TMP/err" | head -20 >&2
		return 1
	fi
	return 0
}

# expect_stats COUNT:BATCH...: check the stats blocks of the last run.
expect_stats()
{
	nchecks=$((nchecks + 1))
	if ! "$PY" "$srcdir/check_stats.py" "$TMP/out" "$@"; then
		fail "stats block check ($*)"
		sed 's/^/  > /' "$TMP/out" | head -20 >&2
		return 1
	fi
	return 0
}

# expect_stderr REGEX: the last run's stderr matches (grep -E).
expect_stderr()
{
	nchecks=$((nchecks + 1))
	if ! grep -qE -- "$1" "$TMP/err"; then
		fail "stderr does not match '$1'"
		sed 's/^/  | /' "$TMP/err" | head -20 >&2
		return 1
	fi
	return 0
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

# ---- ioctl counting (tests that run the app under ioctl_count.so) --------
# The counter's preload list; an ASan build needs its runtime first.
PRELOAD=$top_builddir/tests/sim/.libs/ioctl_count.so
[ -n "${SAN_PRELOAD:-}" ] && PRELOAD="$SAN_PRELOAD $PRELOAD"

# count NAME FIELD: from $TMP/counts, FIELD 2 = calls, 3 = successful calls.
count()
{
	awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$TMP/counts"
}

# expect_count NAME FIELD N / expect_count_min NAME FIELD N: one check.
expect_count()
{
	nchecks=$((nchecks + 1))
	got=$(count "$1" "$2")
	[ "${got:-missing}" = "$3" ] ||
		fail "$label: $1 field $2 = ${got:-missing}, want $3"
}

expect_count_min()
{
	nchecks=$((nchecks + 1))
	got=$(count "$1" "$2")
	[ "${got:-0}" -ge "$3" ] ||
		fail "$label: $1 field $2 = ${got:-missing}, want at least $3"
}
