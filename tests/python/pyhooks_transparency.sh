#!/bin/bash
# qprof's Python hooks stay out of the way (docs/SHIM.md "Python"):
#  1. a Python program that never imports qaicrt runs unchanged under
#     `qprof record` (same output and exit status), never loads _qprof_py
#     or LTTng-UST, and records nothing;
#  2. an application with its own sitecustomize still gets it run (and
#     `import sitecustomize` names it), while qaicrt is wrapped;
#  3. --kmd-only: no hooks (nothing wrapped, no py_* event), the kernel
#     events are there and the report gives the kernel-only inferences.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PYTHONDONTWRITEBYTECODE=1
qprof=$top_builddir/scripts/qprof
fail=0

# 1 -----------------------------------------------------------------------
cat >"$tmp/noqaic.py" <<'PY'
import atexit, json, sys, threading
def bye():
    maps = open("/proc/self/maps").read()
    print("qprof extension loaded:", "_qprof_py" in sys.modules)
    print("lttng-ust mapped:", "liblttng-ust" in maps)
atexit.register(bye)
t = threading.Thread(target=lambda: print("thread", sum(range(1000))))
t.start(); t.join()
print(json.dumps({"argv": sys.argv[1:], "x": [1, 2.5, None]}))
try:
    {}["missing"]
except KeyError as e:
    print("KeyError", e)
sys.exit(3)
PY
"$PYTHON3" "$tmp/noqaic.py" a b >"$tmp/plain.out" 2>&1
plain_rc=$?
"$qprof" record -o "$tmp/t1" -- "$PYTHON3" "$tmp/noqaic.py" a b >"$tmp/hooked.out" 2>"$tmp/hooked.err"
hooked_rc=$?
if [ $plain_rc -ne 3 ] || [ $hooked_rc -ne 3 ]; then
	echo "FAIL: exit status $plain_rc without qprof, $hooked_rc under qprof (want 3)"
	fail=1
fi
grep -v '^qprof' "$tmp/hooked.err" >>"$tmp/hooked.out"
if ! diff -u "$tmp/plain.out" "$tmp/hooked.out"; then
	echo "FAIL: a program without qaicrt behaves differently under qprof"
	fail=1
fi
grep -q '^qprof extension loaded: False$' "$tmp/hooked.out" &&
	grep -q '^lttng-ust mapped: False$' "$tmp/hooked.out" ||
	{ echo "FAIL: the hooks were not inert"; fail=1; }
n=$(babeltrace2 "$tmp/t1" 2>/dev/null | grep -c 'qprof:')
[ "$n" -eq 0 ] || { echo "FAIL: $n qprof events recorded for a program without qaicrt"; fail=1; }
echo "1: ok=$([ $fail -eq 0 ] && echo yes || echo no) (exit 3 both, same output, $n events)"

# 2 -----------------------------------------------------------------------
mkdir "$tmp/app"
cat >"$tmp/app/sitecustomize.py" <<'PY'
import builtins
builtins.APP_SITE = "app sitecustomize ran"
PY
cat >"$tmp/app/main.py" <<'PY'
import sitecustomize, qaicrt
print(APP_SITE)
print("sitecustomize is the application's:", sitecustomize.__file__.endswith("app/sitecustomize.py"))
print("wrapped", len(getattr(qaicrt, "__qprof_wrapped__", [])))
PY
PYTHONPATH="$tmp/app:$SIM_PYTHONPATH" "$qprof" record -o "$tmp/t2" -- \
	"$PYTHON3" "$tmp/app/main.py" >"$tmp/app.out" 2>&1 ||
	{ echo "FAIL: the application with its own sitecustomize failed"; fail=1; }
for want in 'app sitecustomize ran' "sitecustomize is the application's: True" 'wrapped 14'; do
	grep -qxF "$want" "$tmp/app.out" ||
		{ echo "FAIL: '$want' missing:"; cat "$tmp/app.out"; fail=1; }
done
echo "2: $(tr '\n' '|' <"$tmp/app.out")"

# 3 -----------------------------------------------------------------------
PYTHONPATH="$SIM_PYTHONPATH" "$qprof" record --kmd-only -o "$tmp/t3" -- \
	"$PYTHON3" "$srcdir/hooked_app.py" "$srcdir/llm-mini.desc" >/dev/null 2>"$tmp/kmd.err" ||
	{ echo "FAIL: --kmd-only recording"; cat "$tmp/kmd.err"; fail=1; }
grep -q '^wrapped 0$' "$tmp/kmd.err" || { echo "FAIL: wrapped under --kmd-only"; fail=1; }
babeltrace2 "$tmp/t3" >"$tmp/t3.txt" 2>/dev/null
npy=$(grep -c 'qprof:py_' "$tmp/t3.txt")
nex=$(grep -c 'qprof:kmd_execute' "$tmp/t3.txt")
[ "$npy" -eq 0 ] && [ "$nex" -eq 11 ] ||
	{ echo "FAIL: --kmd-only: $npy py_* events (want 0), $nex kmd_execute (want 11)"; fail=1; }
"$qprof" report "$tmp/t3" >"$tmp/report.txt" 2>&1 ||
	{ echo "FAIL: qprof report of the --kmd-only trace"; cat "$tmp/report.txt"; fail=1; }
grep -q 'kernel-only 11' "$tmp/report.txt" ||
	{ echo "FAIL: the report does not give 11 kernel-only inferences:"; cat "$tmp/report.txt"; fail=1; }
echo "3: $npy py_* events, $nex kmd_execute, $(grep -o 'kernel-only [0-9]*' "$tmp/report.txt")"
exit $fail
