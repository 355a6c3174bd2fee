#!/bin/bash
# SPDX-License-Identifier: MIT
# The shim benchmark (bench/shim-run.sh) runs end to end at toy sizes and
# prints every figure, so that it cannot rot unnoticed between two
# `make bench`.  No time is asserted (DEVELOPERS.md: speed is measured in
# benchmarks, never in tests); what is checked is that every row holds
# numbers, that nothing was discarded, and the instruction counts'
# ordering when callgrind ran (exact counts, not timings): the shim's
# inference costs more than the bare floor of 5 events, which costs more
# than none.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
for f in "$top_builddir/bench/shim-bench" \
	"$top_builddir/preload/.libs/libqprof.so"; do
	[ -e "$f" ] || { echo "SKIP: $f not built" >&2; exit 77; }
done
if ldd "$top_builddir/bench/shim-bench" 2>/dev/null | grep -q libasan; then
	echo "SKIP: sanitizer build (the benchmark needs an optimised one)" >&2
	exit 77
fi
command -v lttng-sessiond >/dev/null 2>&1 ||
	{ echo "SKIP: no lttng-sessiond" >&2; exit 77; }

out=$(mktemp "${TMPDIR:-/tmp}/qprof-benchsmoke.XXXXXX") || exit 99
trap 'rm -f "$out"' EXIT
QP_BENCH_ROUNDS=1 QP_BENCH_CALLS=20000 QP_BENCH_INFER=4000 \
	QP_BENCH_APP_N=40 QP_BENCH_APP_ROUNDS=2 QP_BENCH_WARM=20000 \
	top_srcdir=$top_srcdir top_builddir=$top_builddir \
	sh "$top_srcdir/bench/shim-run.sh" >"$out" 2>&1
rc=$?
cat "$out"
nfail=0
fail() { echo "FAIL: $*" >&2; nfail=$((nfail + 1)); }
[ "$rc" -eq 0 ] || fail "shim-run.sh exited with $rc"

# value LABEL [FIELD]: the FIELD-th number after LABEL (1 = shim column).
value()
{
	awk -v l="$1" -v f="${2:-1}" 'index($0, l) == 1 {
		rest = substr($0, length(l) + 1); n = split(rest, v, " ")
		print v[f]; exit }' "$out"
}
isnum() { [[ $1 =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; }

for label in "hooked call, no session (1-event call)" \
	"hooked call, no session (enqueue)" \
	"qaic ioctl number on a non-accel fd" \
	"recorded: 1-event call" \
	"recorded: enqueue (entry + exit events)" \
	"bare LTTng-UST event (reference)" \
	"CPU per inference, 2 threads, default" \
	"  of which the shim's own PERF_STATS" \
	"CPU per inference, own PERF_STATS apart" \
	"  LTTng-UST floor, 6 bare events" \
	"  LTTng-UST floor, 5 bare events" \
	"CPU per inference, cold caches, default" \
	"  LTTng-UST floor, cold, 6 bare events" \
	"sim-app tiny Inf/Sec, runtime profiling on" \
	"sim-app tiny Inf/Sec, shim's own PERF_STATS"; do
	for f in 1 2 3; do
		v=$(value "$label" $f)
		isnum "$v" || fail "'$label' column $f is '$v'"
	done
done
for label in "sim-app tiny Inf/Sec, profiling on, paired" \
	"sim-app tiny, shim's own PERF_STATS, paired"; do
	v=$(value "$label")
	isnum "$v" || fail "'$label' is '$v'"
done
grep -qx 'discarded events: 0 (micro-benchmarks), 0 (sim-app), 0 (sim-app calls)' "$out" ||
	fail "events were discarded, or the line is missing"

# The shim's own PERF_STATS calls per inference: counts, not times (the
# fake kernel answers every request at once, so one call per set of 10
# exec objects in flight).
for label in "own PERF_STATS calls per inference, 2 BOs" \
	"own PERF_STATS calls per inference, 134 BOs" \
	"sim-app tiny, own PERF_STATS calls/inference"; do
	v=$(value "$label")
	isnum "$v" || fail "'$label' is '$v'"
done
for label in "own PERF_STATS calls per inference, 2 BOs" \
	"own PERF_STATS calls per inference, 134 BOs"; do
	v=$(value "$label")
	isnum "$v" && ! awk -v v="$v" 'BEGIN { exit !(v > 0 && v <= 0.25) }' &&
		fail "'$label' = $v, want in (0, 0.25]"
done
if grep -q '^instructions per inference: skipped: ' "$out"; then
	echo "callgrind part skipped: $(sed -n 's/^instructions per inference: skipped: //p' "$out")"
else
	shim=$(value "instructions per inference, default" 3)
	bare5=$(value "  LTTng-UST floor, 5 bare events" 3)
	for v in "$shim" "$bare5"; do
		isnum "$v" || fail "an instruction count is '$v'"
	done
	if isnum "$shim" && isnum "$bare5"; then
		awk -v s="$shim" -v b="$bare5" 'BEGIN { exit !(s > b && b > 0) }' ||
			fail "instructions added: shim $shim, 5 bare events $bare5"
	fi
	# the same-events floor: the shim emits them and does its own work
	for bos in 2 134; do
		s=$(value "instructions per inference, $bos BOs" 3)
		f=$(value "  LTTng-UST floor, same events, $bos BOs" 3)
		r=$(value "  shim vs floor, $bos BOs")
		for v in "$s" "$f" "$r"; do
			isnum "$v" || fail "$bos BOs: an instruction figure is '$v'"
		done
		isnum "$s" && isnum "$f" &&
			! awk -v s="$s" -v f="$f" 'BEGIN { exit !(s > f && f > 0) }' &&
			fail "$bos BOs: instructions added: shim $s, floor $f"
	done
fi
[ "$nfail" -eq 0 ] || { echo "$nfail checks failed" >&2; exit 1; }
echo "bench smoke: every figure present"
