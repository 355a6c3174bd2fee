#!/bin/bash
# SPDX-License-Identifier: MIT
# The truth file (QAIC_SIM_TRUTH_DIR, docs/SIMULATOR.md "Truth file"):
# one line per inference, its stamps in the order things happen, the
# application's own stamps around them (qaic-sim-app-PID.txt), the
# device's run of each request equal to the devExec of the runtime's
# latency dump (the cycle counts: an independent path), requests of a DBC
# never overlapping, a failed inference with its status; and
# --app-delay-us: the application's gap between a completion and its
# next enqueue is at least the delay.
. "$srcdir/lib.sh"

# check_truth FILE DUMP N [FAILED]: the checks above on FILE.
check_truth()
{
	nchecks=$((nchecks + 1))
	if ! "$PY" - "$@" <<'PYEOF'
import sys
path, dump, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
failed = int(sys.argv[4]) if len(sys.argv) > 4 else 0
bad = []
rows = [[int(x) for x in l.split()] for l in open(path) if not l.startswith("#")]
if len(rows) != n:
    bad.append("%d lines, want %d" % (len(rows), n))
dev = {}
cols = None
for l in open(dump):
    f = [x.strip() for x in l.split(",")]
    if f[0] == "Sample":
        cols = f
    elif cols and len(f) == len(cols):
        r = dict(zip(cols, f))
        dev[int(r["Sample"])] = float(r["devExecUs"])
nfail = 0
last_end = {}
for r in sorted(rows, key=lambda r: r[9 + 5]):  # by dev_start
    prog, sample, status, eb, ee, ws, wd, seen, ndev = r[:9]
    d = r[9:17]
    qid, dbc, ex, db, ds, de, irq, wr = d
    if status:
        nfail += 1
        continue
    order = [eb, ws, ex, db, ds, de, irq, wr, wd, seen]
    if ee < eb or any(b < a for a, b in zip(order, order[1:])):
        bad.append("sample %d: stamps out of order %r" % (sample, r))
    if sample in dev and abs((de - ds) / 1000.0 - dev[sample]) > 0.1:
        bad.append("sample %d: device run %.3f us, devExec %.3f" %
                   (sample, (de - ds) / 1000.0, dev[sample]))
    if ds < last_end.get((qid, dbc), 0):
        bad.append("sample %d starts before the previous request ended" % sample)
    last_end[(qid, dbc)] = de
if nfail != failed:
    bad.append("%d failed inferences, want %d" % (nfail, failed))
if len(dev) < n - failed:
    bad.append("latency dump: %d rows" % len(dev))
for b in bad[:10]:
    print("truth:", b)
sys.exit(1 if bad else 0)
PYEOF
	then
		fail "truth file check: $*"
		return 1
	fi
	return 0
}

prof()
{
	echo --aic-profiling-type latency --aic-profiling-out-dir "$1" \
		--aic-profiling-num-samples 100000
}

# tiny (stats-compiled), 3 threads, set size 4: queueing on the device
d=$TMP/t1 && mkdir -p "$d"
QAIC_SIM_TRUTH_DIR=$d expect_rc 0 "$APP" -t tiny -n 300 -T 3 -S 4 $(prof "$d") &&
	check_truth "$(ls "$d"/qaic-sim-truth-*.txt)" "$d/aic-profiling-program-0-latency.txt" 300
# the application's own stamps (simapp_truth.c): one enqueue and one seen
# per inference, keyed as the runtime's lines, around the runtime's own
d1=$d
nchecks=$((nchecks + 1))
"$PY" - "$(ls "$d1"/qaic-sim-truth-*.txt)" "$(ls "$d1"/qaic-sim-app-*.txt)" <<'PYEOF' || fail "the application's stamps"
import sys
rt = {}
for l in open(sys.argv[1]):
    if not l.startswith("#"):
        c = [int(x) for x in l.split()]
        rt[(c[0], c[1])] = (c[3], c[7])
app = {}
for l in open(sys.argv[2]):
    if not l.startswith("#"):
        k, p, smp, ns = l.split()
        app.setdefault((int(p), int(smp)), {})[k] = int(ns)
bad = [k for k, (eb, seen) in rt.items()
       if k not in app or not app[k]["E"] <= eb or not seen <= app[k]["S"]]
for k in bad[:5]:
    print("app stamps of", k, rt[k], app.get(k))
sys.exit(1 if bad or len(rt) != 300 or len(app) != 300 else 0)
PYEOF
# callback completions (the handover in the callback)
d=$TMP/t2 && mkdir -p "$d"
QAIC_SIM_TRUTH_DIR=$d expect_rc 0 "$APP" -t tiny -n 200 -c callback $(prof "$d") &&
	check_truth "$(ls "$d"/qaic-sim-truth-*.txt)" "$d/aic-profiling-program-0-latency.txt" 200
# a device error on request 5: its line carries the status
d=$TMP/t3 && mkdir -p "$d"
QAIC_SIM_TRUTH_DIR=$d QAIC_SIM_FAULT_DEVERR=5 expect_rc 1 "$APP" -t tiny -n 20 -S 1 $(prof "$d")
check_truth "$(ls "$d"/qaic-sim-truth-*.txt)" "$d/aic-profiling-program-0-latency.txt" \
	"$(grep -vc '^#' "$(ls "$d"/qaic-sim-truth-*.txt)")" 1
# no variable: no file
d=$TMP/t4 && mkdir -p "$d"
expect_rc 0 "$APP" -t tiny -n 10
nchecks=$((nchecks + 1))
[ -z "$(ls "$d")" ] || fail "a truth file without QAIC_SIM_TRUTH_DIR"

# --app-delay-us 3000: each enqueue comes >= 3 ms after the previous
# completion seen (set size 1, one thread)
d=$TMP/t5 && mkdir -p "$d"
QAIC_SIM_TRUTH_DIR=$d expect_rc 0 "$APP" -t tiny -n 20 -S 1 --app-delay-us 3000
nchecks=$((nchecks + 1))
"$PY" - "$(ls "$d"/qaic-sim-truth-*.txt)" <<'PYEOF' || fail "--app-delay-us: gaps below 3 ms"
import sys
rows = sorted([int(x) for x in l.split()] for l in open(sys.argv[1]) if not l.startswith("#"))
rows.sort(key=lambda r: r[3])
gaps = [b[3] - a[7] for a, b in zip(rows, rows[1:])]
sys.exit(0 if len(rows) == 20 and min(gaps) >= 3000000 else 1)
PYEOF
expect_rc 2 "$APP" -t tiny -n 1 --app-delay-us x && expect_stderr "app-delay-us"
finish
