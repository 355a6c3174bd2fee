#!/bin/bash
# The buffer figures of the Python hooks' events when QBuffers are reused
# (preload/python/qprof_py.c remembers each exec object's last buffers):
# `qprof record` of tests/python/sizes_app.py, every py_set_data /
# py_get_data / py_run event's num_buffers, total_bytes and skipped equal
# to the application's own sums of QBuffer.size (check_sizes.py).
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PYTHONPATH="$SIM_PYTHONPATH" PYTHONDONTWRITEBYTECODE=1
"$top_builddir/scripts/qprof" record -o "$tmp/trace" -- \
	"$PYTHON3" "$srcdir/sizes_app.py" "$srcdir/llm-mini.desc" >"$tmp/app.out" 2>"$tmp/app.err" ||
	{ echo "FAIL: qprof record failed"; cat "$tmp/app.err"; exit 1; }
babeltrace2 "$tmp/trace" >"$tmp/trace.txt" 2>"$tmp/bt.err" ||
	{ echo "FAIL: babeltrace2"; cat "$tmp/bt.err"; exit 1; }
PYTHONPATH="$srcdir" "$PYTHON3" "$srcdir/check_sizes.py" "$tmp/trace.txt" "$tmp/app.err"
