#!/bin/sh
# SPDX-License-Identifier: MIT
# Call sites symbolised on a real recording (--symbolize, --by
# callsite): `qprof record` (qprof:*, lttng_ust_statedump:*, lttng_ust_dl:*,
# ip context) of qaic-sim-app, then `qprof-report --by callsite
# --symbolize`.  The truth is the application's source: the one enqueue
# call of sim/apps/simapp_worker.c, its enclosing function and its line
# (found here with grep and awk, independently of addr2line and of the
# ELF symbol tables qprof reads).  The application (-T 2, the
# function-table loader too) must show exactly that call site, as
# "FUNCTION+0xOFF (MODULE) PATH:LINE", every inference counted there.
set -u
: "${top_builddir:=../..}" "${top_srcdir:=../..}"

report=$top_builddir/post/qprof-report
app=$top_builddir/sim/apps/qaic-sim-app
loader=$top_builddir/sim/apps/qaic-sim-loader
qprof=$top_builddir/scripts/qprof
src=$top_srcdir/sim/apps/simapp_worker.c
for f in "$report" "$app" "$loader" "$qprof" "$top_builddir/preload/.libs/libqprof.so"; do
	[ -e "$f" ] || { echo "missing $f"; exit 77; }
done
command -v addr2line >/dev/null || { echo "no addr2line (binutils)"; exit 77; }
command -v lttng >/dev/null || { echo "no lttng"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/qp-e2e-symbols.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
fail=0
export QPROF_BUILDDIR=$top_builddir
export QAIC_SIM_PRESET_DIR=$top_srcdir/sim/presets

# The truth: lines of the enqueue call statement and the function around it.
first=$(grep -n 'qaicEnqueueExecObj' "$src" | head -1 | cut -d: -f1)
[ -n "$first" ] || { echo "no enqueue call in $src"; exit 99; }
last=$(awk -v a="$first" 'NR >= a && /;/ { print NR; exit }' "$src")
func=$(awk -v a="$first" 'NR < a && /^[a-z].*[a-z_0-9]+\(/ { l = $0 }
	END { sub(/\(.*/, "", l); n = split(l, w, /[ *]+/); print w[n] }' "$src")
echo "truth: $func, $src:$first-$last"

# check NAME MODULE CMD...: record CMD, and check its call-site table.
check() {
	name=$1 module=$2
	shift 2
	if ! "$qprof" record -o "$work/$name" -- "$@" >"$work/$name.out" 2>&1; then
		echo "FAIL $name: qprof record"; cat "$work/$name.out"; fail=1; return
	fi
	pid=$(cat "$work/$name/qprof-pid")
	if ! "$report" "$work/$name" --pid "$pid" --by callsite --symbolize \
		--json "$work/$name.json" >"$work/$name.txt" 2>"$work/$name.err"; then
		echo "FAIL $name: qprof-report"; cat "$work/$name.err"; fail=1; return
	fi
	/usr/bin/python3 - "$work/$name.txt" "$work/$name.json" "$func" \
		"$module" "$src" "$first" "$last" <<'EOF' || fail=1
import json, re, sys
txt, js, func, module, src, first, last = sys.argv[1:]
lines = open(txt).read().split("\n")
k = next(i for i, l in enumerate(lines) if l.startswith("Breakdown by callsite"))
rows = []
for l in lines[k + 2:]:
    if not l.strip():
        break
    rows.append(l)
done = sum(p["completed"] for p in json.load(open(js))["programs"])
pat = re.compile(r"^%s\+0x[0-9a-f]+ \(%s\) (\S+):(\d+)$" %
                 (re.escape(func), re.escape(module)))
# a row is "LABEL  numbers", or a long LABEL alone on its line and its
# numbers on the next one (indented)
sites, counts = [], []
for r in rows:
    t = r.split()
    if r.startswith(" "):
        counts.append(int(t[-10]))
    elif len(t) >= 10 and t[-5] == "|":
        sites.append(" ".join(t[:-10]))
        counts.append(int(t[-10]))
    else:
        sites.append(r.strip())
m = len(sites) == 1 and pat.match(sites[0])
if not m:
    sys.exit("FAIL: call sites %r, want one %s+0x.. (%s) %s:%s-%s" %
             (sites, func, module, src, first, last))
path, line, count = m.group(1), int(m.group(2)), sum(counts)
if not path.endswith("sim/apps/simapp_worker.c") or not int(first) <= line <= int(last):
    sys.exit("FAIL: %s:%d, want %s:%s-%s" % (path, line, src, first, last))
if count != done:
    sys.exit("FAIL: %d inferences at the call site, %d completed" % (count, done))
print("%s: %s+0x.. (%s) %s:%d, %d inferences" % (module, func, module,
      path, line, count))
EOF
}

check app qaic-sim-app "$app" -t tiny -n 120 -T 2
check loader qaic-sim-loader env QAIC_LIB="$top_builddir/sim/runtime/.libs/libQAic.so" \
	"$loader" -t tiny -n 80
exit $fail
