#!/bin/sh
# SPDX-License-Identifier: MIT
# Timeline size (docs/REPORT-FORMATS.md, "Chrome / Perfetto trace"; not CI:
# `make timeline-size` in bench/): records the 8-second tiny run
# (`qaic-sim-app --time 8` under `qprof record --blocking`), writes its
# Chrome trace whole (--chrome-max-events 0), with the default cap, and
# windowed to each second (--chrome-window S:S+1), and prints the sizes
# and the bytes per inference.  Fails when a 1-second window is 30 MB or
# more (the acceptance of the timeline's size).  About 20 s.
#
#   bench/timeline-size.sh [SECONDS]      default 8
# Run it niced, in a mount namespace of its own if other LTTng users share
# the machine.
set -eu
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
secs=${1:-8}
report=$top_builddir/post/qprof-report
app=$top_builddir/sim/apps/qaic-sim-app
qprof=$top_builddir/scripts/qprof
for f in "$report" "$app" "$qprof"; do
	[ -e "$f" ] || { echo "timeline-size: missing $f (build first)" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/qprof-tlsize.XXXXXX")
trap 'rm -rf "$work"' EXIT
QPROF_BUILDDIR=$top_builddir "$qprof" record --blocking -o "$work/trace" -- \
	"$app" --time "$secs" >"$work/app.out" 2>&1
n=$("$report" "$work/trace" -q --json - | /usr/bin/python3 -c \
	'import json,sys; print(sum(p["completed"] for p in json.load(sys.stdin)["programs"]))')
size() { wc -c <"$1" | tr -d ' '; }
"$report" "$work/trace" -q --chrome-trace "$work/all.json" --chrome-max-events 0
all=$(size "$work/all.json")
"$report" "$work/trace" -q --chrome-trace "$work/cap.json"
echo "timeline-size: $n inferences in $secs s"
echo "timeline-size: whole run $all B ($((all / n)) B per inference); default cap $(size "$work/cap.json") B"
worst=0
s=0
while [ $s -lt "$secs" ]; do
	"$report" "$work/trace" -q --chrome-trace "$work/w.json" --chrome-window "$s:$((s + 1))"
	w=$(size "$work/w.json")
	echo "timeline-size: window $s:$((s + 1)) $w B"
	[ "$w" -gt "$worst" ] && worst=$w
	s=$((s + 1))
done
echo "timeline-size: largest 1 s window $worst B"
[ "$worst" -lt 30000000 ] || { echo "timeline-size: FAIL: a 1 s window is 30 MB or more"; exit 1; }
