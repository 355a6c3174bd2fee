#!/bin/sh
# The Python hooks' cost per decode step (docs/PERFORMANCE.md "Python
# hooks"): pyhooks_bench.py under `qprof record` (events emitted) for the
# tiny preset (2 buffers) and the llm preset (131 buffers, decode step).
# Needs a private LTTng setup: run it as root in a mount namespace of its
# own (unshare -m; tmpfs on /var/run/lttng and /dev/shm) or as a user.
: "${top_builddir:=.}" "${top_srcdir:=.}"
export PYTHONPATH="$top_builddir/sim/python" QAIC_SIM_PRESET_DIR="$top_srcdir/sim/presets"
for preset in tiny llm; do
	echo "== $preset =="
	QAIC_SIM_TIME_SCALE=2000 QPROF_BUILDDIR=$top_builddir "$top_builddir/scripts/qprof" record \
		-o "${TMPDIR:-/tmp}/qprof-pyhooks-bench.$$.$preset" -- \
		/usr/bin/python3 "$top_srcdir/bench/pyhooks_bench.py" "$preset" 3000 |
		grep -v '^qprof'
done
rm -rf "${TMPDIR:-/tmp}/qprof-pyhooks-bench.$$".*
