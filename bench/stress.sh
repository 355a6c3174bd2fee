#!/bin/sh
# SPDX-License-Identifier: MIT
# Stress benchmark (not CI; `make stress` in bench/): THREADS application
# threads x PER_THREAD inferences under `qprof record --blocking` (a
# blocking channel: nothing may be discarded), then qprof-report.
# Checks: every inference completed and matched by BO handles, nothing
# discarded, and the report's peak RSS within its budget of 128 B per
# inference above a base (the peak RSS of a report of a 1000-inference
# trace, measured here too).  Prints the figures (docs/PERFORMANCE.md,
# "Stress").
#
#   bench/stress.sh [PER_THREAD]          default 1000000
# Environment: STRESS_PROGRAMS (2) x STRESS_THREADS (8 per program, the
# simulator's most) = 16 threads; QAIC_SIM_TIME_SCALE (default 0.01: the
# tiny preset's device time at 1 %, so the host side is what is stressed);
# STRESS_DIR (default: a temporary directory, removed).  Run it niced, in
# a mount namespace of its own if other LTTng users share the machine.
set -eu
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
per_thread=${1:-1000000}
programs=${STRESS_PROGRAMS:-2}
threads=${STRESS_THREADS:-8}
QAIC_SIM_TIME_SCALE=${QAIC_SIM_TIME_SCALE:-0.01}
export QAIC_SIM_TIME_SCALE
QPROF_LIB=$top_builddir/preload/.libs/libqprof.so
QPROF_REPORT=$top_builddir/post/qprof-report
export QPROF_LIB QPROF_REPORT
app=$top_builddir/sim/apps/qaic-sim-app
qprof=$top_srcdir/scripts/qprof
for f in "$QPROF_LIB" "$QPROF_REPORT" "$app"; do
	[ -e "$f" ] || { echo "stress: missing $f (build first)" >&2; exit 1; }
done
if [ -n "${STRESS_DIR:-}" ]; then
	work=$STRESS_DIR
	mkdir -p "$work"
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/qprof-stress.XXXXXX")
	trap 'rm -rf "$work"' EXIT
fi
per_program=$((per_thread * threads))
total=$((per_program * programs))
progs=
i=0
while [ $i -lt "$programs" ]; do progs="$progs -t tiny"; i=$((i + 1)); done

# record RUN PER_PROGRAM: the application under qprof record; wall seconds
record() {
	rm -rf "${work:?}/$1"
	t0=$(date +%s.%N)
	"$qprof" record -o "$work/$1" --blocking -- "$app" $progs -T "$threads" \
		-n "$2" >"$work/$1.out" 2>&1 || { cat "$work/$1.out"; exit 1; }
	echo "$(date +%s.%N) $t0" | awk '{ printf "%.1f", $1 - $2 }'
}

# report RUN: peak RSS (KiB) and wall seconds of qprof-report, JSON kept
report() {
	/usr/bin/time -f '%M %e' -o "$work/$1.time" "$QPROF_REPORT" "$work/$1" \
		--json "$work/$1.json" -q || exit 1
	cat "$work/$1.time"
}

echo "stress: $programs programs x $threads threads x $per_thread inferences = $total, QAIC_SIM_TIME_SCALE=$QAIC_SIM_TIME_SCALE"
record base 500 >/dev/null
set -- $(report base)
base_kib=$1
echo "stress: base: report of $((500 * programs)) inferences, peak RSS $base_kib KiB"
rec_s=$(record big "$per_program")
bytes=$(du -sb "$work/big" | cut -f1)
echo "stress: recorded in $rec_s s, trace $((bytes >> 20)) MiB ($((bytes / total)) B per inference)"
set -- $(report big)
big_kib=$1 rep_s=$2
/usr/bin/python3 - "$work/big.json" "$total" "$base_kib" "$big_kib" "$rep_s" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
total, base, big, secs = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
a = j['accounting']
completed = sum(p['completed'] for p in j['programs'])
per_inf = (big - base) * 1024 / total
print('stress: report: %.1f s, %d events, peak RSS %d KiB = base + %.1f B per inference (budget 128)'
      % (secs, a['events'], big, per_inf))
print('stress: completed %d of %d, matched by BO %d, incomplete %s, discarded events %d packets %d'
      % (completed, total, a['matched']['bo'], a['incomplete'], a['discarded_events'], a['discarded_packets']))
ok = (completed == total and a['matched']['bo'] == total and
      not any(a['incomplete'].values()) and a['discarded_events'] == 0 and
      a['discarded_packets'] == 0 and per_inf <= 128)
print('stress: %s' % ('PASS: 100 % matched, RSS within budget' if ok else 'FAIL'))
sys.exit(0 if ok else 1)
PY
