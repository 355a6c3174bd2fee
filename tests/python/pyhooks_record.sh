#!/bin/bash
# qprof's Python hooks end to end (docs/SHIM.md "Python"): `qprof record`
# of tests/python/hooked_app.py (prefill, decode steps, a refused shape,
# calls that raise, two threads, a synchronous run) on the simulator's
# qaicrt, with real LTTng.
#  - transparency: the application's transcript of every return value and
#    exception (type, message, traceback depth) is identical to a run
#    without qprof;
#  - the trace: every call is one py_* event with the application's own
#    object ids, statuses, buffer sizes and shapes (check_pyevents.py), no
#    C API event at all (qaicrt bypasses the qaic* symbols), and one
#    kmd_execute per Python inference.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
desc=$srcdir/llm-mini.desc
export PYTHONPATH="$SIM_PYTHONPATH" PYTHONDONTWRITEBYTECODE=1
fail=0

"$PYTHON3" "$srcdir/hooked_app.py" "$desc" >"$tmp/plain.out" 2>"$tmp/plain.err" ||
	{ echo "FAIL: the application failed without qprof"; cat "$tmp/plain.err"; exit 1; }
"$top_builddir/scripts/qprof" record -o "$tmp/trace" -- \
	"$PYTHON3" "$srcdir/hooked_app.py" "$desc" >"$tmp/hooked.out" 2>"$tmp/hooked.err" ||
	{ echo "FAIL: qprof record failed"; cat "$tmp/hooked.err"; exit 1; }
if ! diff -u "$tmp/plain.out" "$tmp/hooked.out"; then
	echo "FAIL: the application's transcript differs under qprof"
	fail=1
fi
grep -q '^wrapped 0$' "$tmp/plain.err" || { echo "FAIL: wrapped without qprof"; fail=1; }
grep -q '^wrapped 14$' "$tmp/hooked.err" ||
	{ echo "FAIL: not all 14 methods wrapped under qprof:"; cat "$tmp/hooked.err"; fail=1; }
babeltrace2 "$tmp/trace" >"$tmp/trace.txt" 2>"$tmp/bt.err" ||
	{ echo "FAIL: babeltrace2"; cat "$tmp/bt.err"; exit 1; }
"$PYTHON3" "$srcdir/check_pyevents.py" "$tmp/trace.txt" "$tmp/hooked.err" "$desc" || fail=1
exit $fail
