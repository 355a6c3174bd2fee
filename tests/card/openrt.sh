#!/bin/bash
# SPDX-License-Identifier: MIT
# Qualcomm's open runtime (OPENRT, built from ../shared at test time:
# tests/card/openrt-env.sh) on the simulated card, recorded by qprof
# (docs/OPENRT.md).  For the tiny and resnet50 presets, programs generated
# with OPENRT's own container writer (gen-openrt-qpc):
#   - OPENRT's qaic-runner runs unmodified under qaic-sim-card, alone and
#     under `qprof record` (the shim's kernel layer: EXECUTE ... WAIT on the
#     caller's thread, GEM_CLOSE instead of DETACH);
#   - the report's kernel-only inferences == qaic-runner's InferenceCnt,
#     all matched, none incomplete, on the DBC the driver gave;
#   - the kernel integers of every inference (PERF_STATS exectoVc and
#     execToComplete, queue level) == the driver model's own record of
#     that request (QAIC_SIM_KMD_LOG), in order;
#   - the report's span of the run (gaps between submits + the last
#     execTotal) within 2 % of qaic-runner's own TotalDuration (its
#     steady-clock sum of run() calls);
#   - two qaic-runner processes at once, each on its own card, in one
#     recording (qaic-runner has one thread: concurrency is by processes);
#   - OPENRT's API unit tests on the card (one left out, with its reason).
# Skips (77) with the reason when OPENRT, its build or namespaces are not
# available; OPENRT is built only with QPROF_TEST_OPENRT=1 (scripts/test
# sets it unless --no-openrt), then cached.
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${srcdir:?}"
PY=${PYTHON3:-python3}
CARD=$top_srcdir/sim/card/qaic-sim-card
QPROF=$top_builddir/scripts/qprof
export QAIC_SIM_CARD_LIB=$top_builddir/sim/card/.libs/libqaic-sim-card.so
export QPROF_BUILDDIR=$top_builddir
nfail=0 nchecks=0
fail() { echo "FAIL: $*" >&2; nfail=$((nfail + 1)); }
check() { nchecks=$((nchecks + 1)); "$@"; }

unshare -m --propagation private true 2>/dev/null ||
	{ echo "SKIP: cannot unshare a mount namespace here (qaic-sim-card needs one)"; exit 77; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/qprof-openrt.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT
. "$srcdir/openrt-env.sh"
echo "OPENRT: $OPENRT_BUILD (built: $(cat "$OPENRT_BUILD/.qprof-built"))"

# run_card LABEL PRESET N [CARD OPTIONS] : qaic-runner recorded by qprof
run_card() {
	local label=$1 preset=$2 n=$3 d=$TMP/$1
	shift 3
	mkdir -p "$d"
	QAIC_SIM_KMD_LOG=$d/kmd.log "$QPROF" record -o "$d/trace" -- \
		"$CARD" "$@" -- "$QAIC_RUNNER" -t "$TMP/$preset" -n "$n" \
		>"$d/out" 2>"$d/err"
	local rc=$?
	[ $rc = 0 ] || { fail "$label: qprof record of qaic-runner: exit $rc"; tail -n 20 "$d/err" "$d/out" >&2; return 1; }
	"$QPROF" report "$d/trace" --json "$d/r.json" --csv-dir "$d/csv" >"$d/sum" 2>"$d/rep.err" ||
		{ fail "$label: qprof report: exit $?"; cat "$d/rep.err" >&2; return 1; }
}

for preset in tiny resnet50; do
	mkdir -p "$TMP/$preset"
	"$GEN_QPC" "$top_srcdir/sim/presets/$preset.desc" "$TMP/$preset" >/dev/null ||
		{ fail "gen-openrt-qpc $preset"; continue; }
done

# 1. qaic-runner alone on the card
nchecks=$((nchecks + 1))
if "$CARD" -- "$QAIC_RUNNER" -t "$TMP/tiny" -n 20 >"$TMP/plain.out" 2>&1; then
	grep -q '^InferenceCnt 20 ' "$TMP/plain.out" || fail "plain run: $(tail -3 "$TMP/plain.out")"
else
	fail "qaic-runner on the card: exit $?"; tail -n 20 "$TMP/plain.out" >&2
fi

# 2. recorded: counts, integers, totals
for spec in "tiny 300" "resnet50 60"; do
	set -- $spec
	preset=$1 n=$2
	run_card "$preset" "$preset" "$n" || continue
	d=$TMP/$preset
	nchecks=$((nchecks + 1))
	"$PY" "$srcdir/openrt_check.py" --label "$preset" --runner-out "$d/out" \
		--json "$d/r.json" --csv-dir "$d/csv" --kmd-log "$d/kmd.log" \
		--count "$n" --total-tolerance 0.02 || fail "$preset: see above"
done

# 3. two qaic-runner processes at once, one card each, one recording
d=$TMP/two
mkdir -p "$d"
nchecks=$((nchecks + 1))
if "$QPROF" record -o "$d/trace" -- sh -c "
	'$CARD' -- '$QAIC_RUNNER' -t '$TMP/tiny' -n 100 >'$d/out1' 2>&1 &
	'$CARD' -- '$QAIC_RUNNER' -t '$TMP/tiny' -n 150 >'$d/out2' 2>&1 &
	wait" >"$d/rec" 2>&1 &&
	"$QPROF" report "$d/trace" --json "$d/r.json" >"$d/sum" 2>&1; then
	got=$("$PY" -c 'import json, sys
j = json.load(open(sys.argv[1]))
print(" ".join(sorted(str(k["completed"]) for k in j["kernel_only"])), j["accounting"]["matched"]["kernel_only"])' "$d/r.json")
	[ "$got" = "100 150 250" ] || fail "two processes: kernel-only per process and total '$got', want '100 150 250'"
else
	fail "two processes: recording or report failed"; tail -n 20 "$d/rec" "$d/sum" >&2
fi

# 4. OPENRT's API unit tests on the card, with the programs they look for
# at their fixed paths (a tmpfs on /opt inside the card's namespace) made
# by gen-openrt-qpc.  AdversarialInvalidPPPTransform needs a compiled QPC
# whose pre/post-processing transform is invalid: a generated program has
# none, so it is left out, with that reason.
if [ -n "$OPENRT_API_TEST" ]; then
	td=$TMP/testdata
	mkdir -p "$td/4nsp-quant-resnet50" "$td/4nsp-add"
	"$GEN_QPC" "$top_srcdir/sim/presets/resnet50.desc" "$td/4nsp-quant-resnet50" >/dev/null &&
		"$GEN_QPC" "$top_srcdir/sim/presets/tiny.desc" "$td/4nsp-add" >/dev/null ||
		fail "gen-openrt-qpc for the API tests"
	skip_filter='-*AdversarialInvalidPPPTransform*'
	nchecks=$((nchecks + 1))
	"$CARD" -- sh -c '
		mount -t tmpfs qaic-sim-opt /opt &&
		mkdir -p /opt/qti-aic/test-data/aic100/v2/4nsp &&
		for p in 4nsp-quant-resnet50 4nsp-add; do
			mkdir -p "/opt/qti-aic/test-data/aic100/v2/4nsp/$p" &&
			cp "$1/$p/programqpc.bin" "/opt/qti-aic/test-data/aic100/v2/4nsp/$p/" || exit 1
		done
		exec "$2" --gtest_filter="$3"' sh "$td" "$OPENRT_API_TEST" "$skip_filter" \
		>"$TMP/api.out" 2>&1
	rc=$?
	passed=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$TMP/api.out")
	echo "OPENRT API unit tests: exit $rc, ${passed:-0} passed (left out: AdversarialInvalidPPPTransform, needs a compiled QPC with an invalid transform)"
	[ $rc = 0 ] && [ "${passed:-0}" -ge 1 ] ||
		{ fail "OPENRT's API unit tests on the card"; grep -E 'FAILED|Failure|error' "$TMP/api.out" | head -20 >&2; }
else
	nchecks=$((nchecks + 1))
	fail "OPENRT's API unit test program is not in the build ($B)"
fi

echo "$((nchecks - nfail)) of $nchecks checks passed"
[ "$nfail" = 0 ]
