#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Check qprof-report's waiting/working split against the simulator's truth.

Usage: check_waits.py REPORT.json TRUTH.txt [--label L] [--app-out APP.out]
                      [--app-truth APPTRUTH.txt]
                      [--finding KIND|none] [--tol-us 5] [--tol-rel 0.02]

REPORT.json: qprof-report --json --per-inference of one process (one
program).  TRUTH.txt: that process's QAIC_SIM_TRUTH_DIR file
(docs/SIMULATOR.md, "Truth file"); APPTRUTH.txt: the sample application's
own stamps in the same directory (qaic-sim-app-PID.txt): with them
enq_begin is the application's call and seen the moment it had the
completion back, so that the profiler's own work between the application
and the runtime lies inside the truth too (every inference must have
them).  The truth's parts, per inference:

  B1 = min(enq_end, exec_entry), W = worker_start within [B1, exec_entry]
  (the report's enq/preProc boundary, docs/MATCHING.md)
  enqueue      = B1 - enq_begin
  runtime_wait = W - B1
  runtime_work = exec_entry - W
  submit       = doorbell - exec_entry
  device_wait  = dev_start - doorbell
  device_work  = dev_end - dev_start
  completion   = seen - dev_end

Checks (exit 1 on any failure, a line per check either way):
  - the same number of completed inferences on both sides;
  - each part's p50 and p99 (numpy "linear", as the report), and the
    total's, agree within max(tol_us, tol_rel x truth) (the "strict"
    criterion, reported for every part), plus two allowances for what
    the trace cannot resolve on this simulator (docs/SIMULATOR.md, "Truth
    file"): for the parts bounded by the doorbell (submit, device_wait,
    completion) the width of qprof's doorbell interval at that quantile
    (EXECUTE ioctl minus exectoVc: each inference's doorbell is off by at
    most half of its own, the device's queue carries that error to the
    inferences queued behind it, and a part's tail is made of the
    inferences with the widest intervals: the widest interval of the run,
    qprof's own bound of its doorbell error);
    for the parts bounded by the enqueue's return (enqueue, runtime_wait)
    a hand-off allowance (--handoff-p50-us 25, --handoff-p99-us 100: a
    worker woken by the enqueue preempts the application before its call
    returns, on 2 vCPUs), and the same for the total (the shim's own
    cost at the enqueue's entry and the completion's return, which the
    simulated runtime cannot see: 2-5 us at p50, more under sanitizers;
    and the application preempted between the runtime's last stamp and
    the shim's);
  - per inference (paired in enqueue order): the true doorbell lies in
    the interval qprof takes the middle of;
  - --finding: the program's first finding is KIND (none: no finding);
  - --app-out: samples/s equals the app's "Inf/Sec" within 1 %.
"""
import argparse
import json
import re
import sys

# parts bounded by the doorbell estimate, by the enqueue's return
DOORBELL = ("submit", "device_wait", "completion")
HANDOFF = ("enqueue", "runtime_wait")
PARTS = ["enqueue", "runtime_wait", "runtime_work", "submit", "device_wait",
         "device_work", "completion"]


def quantile(v, q):
    """numpy's default "linear" quantile of a list."""
    s = sorted(v)
    if not s:
        return float("nan")
    h = (len(s) - 1) * q
    lo = int(h)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (h - lo) * (s[hi] - s[lo])


def app_stamps(path):
    """The application's side of the truth (qaic-sim-app-PID.txt):
    {(program, sample): [enqueue called, completion seen]}."""
    st = {}
    if not path:
        return st
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            kind, prog, sample, ns = line.split()
            st.setdefault((int(prog), int(sample)), [0, 0])[kind == "S"] = int(ns)
    return st


def truth_parts(path, app=None):
    """Per completed inference: the seven parts (us), then enq_begin,
    doorbell, exec_entry (ns).  With the application's stamps (app), an
    inference that has both begins at the application's call and ends
    when the application had it back."""
    rows = []
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            c = [int(x) for x in line.split()]
            prog, sample, status, eb, ee, ws, wd, seen, ndev = c[:9]
            if status != 0 or not seen:
                continue
            a = (app or {}).get((prog, sample))
            if a and a[0] and a[1]:
                eb, seen = a
            # the device that finished last (multi-device: the inference
            # completes when every part did)
            devs = [c[9 + 8 * d: 17 + 8 * d] for d in range(ndev)]
            dv = max(devs, key=lambda d: d[5])
            db, ds, de = dv[3], dv[4], dv[5]
            x = devs[0][2]  # the first EXECUTE: the submit begins
            # the report's boundaries (docs/MATCHING.md): the enqueue ends
            # at its return or at the EXECUTE entry, whichever is first;
            # a worker that started meanwhile starts at that boundary
            b1 = min(ee, x)
            w = min(max(ws, b1), x)
            t = [b1 - eb, w - b1, x - w, db - x, ds - db, de - ds, seen - de]
            rows.append([x / 1000.0 for x in t] + [eb, db, x])
    return rows


def containment(infs, truth, lab):
    """Per inference: the true doorbell lies in qprof's interval
    [X + exectoVc, EXECUTE return].  Inferences are paired with truth
    lines by the EXECUTE entry (the report's X, the truth's exec_entry: a
    microsecond or two apart), the enqueue entry (t0, enq_begin) counting a
    tenth as much (a thread preempted between the two stamps moves one of
    them by tens or hundreds of us): every candidate pair within 8 lines
    and 50 us, the closest first, each side once (sequentially, the first
    inference of four whose EXECUTEs overlap could take its neighbour's
    line), then any two neighbours swapped where that lowers their summed
    distance (two workers' EXECUTEs 2 us apart, each stamped 3-5 us after
    the truth's).  At most 1 % not paired.  Returns (inferences, not
    paired, outside)."""
    import bisect
    t = sorted(truth, key=lambda r: r[9])
    keys = [r[9] for r in t]
    xs, cand = [], []

    def dist(n, j):
        return abs(t[j][9] - xs[n]) + abs(t[j][7] - infs[n]["t0_ns"]) / 10
    for n, i in enumerate(infs):
        p = i["parts_us"]
        x = i["t0_ns"] + 1000.0 * (p["enqueue"] + p["runtime_wait"] + p["runtime_work"])
        xs.append(x)
        k = bisect.bisect_left(keys, x)
        for j in range(max(0, k - 8), min(len(t), k + 8)):
            d = dist(n, j)
            if d <= 50000:
                cand.append((d, n, j))
    cand.sort()
    pair, used = {}, set()
    for d, n, j in cand:
        if n not in pair and j not in used:
            pair[n] = j
            used.add(j)
    # greedy pairing swaps two EXECUTEs a few us apart when each side's
    # stamps are a few us off the other's: swap any two neighbours' lines
    # where that lowers their summed distance
    for _ in range(3):
        swapped = False
        for n in sorted(pair):
            for m in range(n + 1, n + 8):
                if m not in pair:
                    continue
                a, b = pair[n], pair[m]
                if dist(n, b) + dist(m, a) < dist(n, a) + dist(m, b) and \
                        max(dist(n, b), dist(m, a)) <= 50000:
                    pair[n], pair[m] = b, a
                    swapped = True
        if not swapped:
            break
    out = 0
    for n, j in pair.items():
        i, r, x = infs[n], t[j], xs[n]
        lo = x + 1000.0 * i["counts"].get("exectoVcUs", i["metrics"].get("exectoVcUs", 0))
        hi = x + 1000.0 * i["metrics"]["submitTimeUs"]
        if not lo - 500 <= r[8] <= hi + 500:
            out += 1
            if out <= 3:
                print("%sdoorbell %d ns outside [%d, %d]" % (lab, r[8], lo, hi))
    return len(infs), len(infs) - len(pair), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("truth")
    ap.add_argument("--label", default="")
    ap.add_argument("--app-out")
    ap.add_argument("--app-truth",
                    help="the application's own stamps (qaic-sim-app-PID.txt)")
    ap.add_argument("--finding")
    ap.add_argument("--tol-us", type=float, default=5.0)
    ap.add_argument("--tol-rel", type=float, default=0.02)
    ap.add_argument("--parts", default=",".join(PARTS + ["total"]),
                    help="the parts whose agreement fails the check (all printed)")
    ap.add_argument("--handoff-p50-us", type=float, default=25.0)
    ap.add_argument("--handoff-p99-us", type=float, default=500.0)
    a = ap.parse_args()
    lab = a.label + ": " if a.label else ""
    fail = False

    rep = json.load(open(a.report))
    progs = [p for p in rep["programs"] if p["completed"]]
    if len(progs) != 1:
        print("%sFAIL: %d programs with completed inferences, want 1" % (lab, len(progs)))
        return 1
    prog = progs[0]
    q = [i["parts_us"] for i in rep.get("inferences", [])
         if i["state"] == "ok" and "parts_us" in i]
    app = app_stamps(a.app_truth)
    t = truth_parts(a.truth, app)
    if a.app_truth:
        have = sum(1 for v in app.values() if v[0] and v[1])
        ok = have >= len(t)
        print("%s%s: the application's own stamps for %d of %d inferences" %
              (lab, "ok" if ok else "FAIL", have, len(t)))
        fail |= not ok
    ok = len(q) == len(t) and len(q) == prog["completed"]
    print("%s%s: %d inferences split by qprof, %d in the truth, %d completed" %
          (lab, "ok" if ok else "FAIL", len(q), len(t), prog["completed"]))
    fail |= not ok
    # qprof's own uncertainty of the doorbell: it lies in [X + exectoVc,
    # EXECUTE return] and qprof takes the middle (docs/MATCHING.md); on a
    # card the interval is a microsecond or two, in the simulator a few
    # (EXECUTE served in the caller's thread), up to milliseconds for a
    # caller preempted inside the ioctl on a loaded machine.
    width = [max(0.0, i["metrics"].get("submitTimeUs", 0) -
                 i["counts"].get("exectoVcUs", i["metrics"].get("exectoVcUs", 0)))
             for i in rep.get("inferences", []) if i["state"] == "ok" and "parts_us" in i]
    strict_fail = []
    for k, part in enumerate(PARTS + ["total"]):
        qv = [i[part] for i in q]
        tv = [r[k] for r in t] if part != "total" else [sum(r[:7]) for r in t]
        for pq in (0.5, 0.99):
            got, want = quantile(qv, pq), quantile(tv, pq)
            tol = max(a.tol_us, a.tol_rel * abs(want))
            strict = abs(got - want) <= tol
            extra = 0.0
            if part in DOORBELL:
                # the device's queue carries one inference's doorbell error
                # to those queued behind it, and the parts' tails are the
                # inferences with the widest intervals: the widest
                extra = max(width) if width else 0.0
            elif part in HANDOFF or part == "total":
                extra = a.handoff_p99_us if pq > 0.5 else a.handoff_p50_us
            good = abs(got - want) <= tol + extra
            if part not in a.parts.split(","):
                good = True  # printed, not checked (--parts)
            fail |= not good
            if not strict:
                strict_fail.append("%s p%d" % (part, int(pq * 100)))
            print("%s%s: %-12s p%-2d qprof %10.3f us  truth %10.3f us  diff %+9.3f us "
                  "(max(5 us, 2 %%) %.3f: %s%s)" %
                  (lab, "ok" if good else "FAIL", part, int(pq * 100), got, want,
                   got - want, tol, "within" if strict else "OUTSIDE",
                   "" if not extra else "; + allowance %.3f" % extra))
    n, mis, out = containment([i for i in rep.get("inferences", [])
                               if i["state"] == "ok" and "parts_us" in i], t, lab)
    good = mis <= n // 100 and out == 0
    fail |= not good
    print("%s%s: the true doorbell inside qprof's interval for %d of %d paired inferences "
          "(%d not paired)" % (lab, "ok" if good else "FAIL", n - mis - out, n - mis, mis))
    print("%sstrict max(5 us, 2 %%) at p50 and p99: %s" %
          (lab, "all parts within" if not strict_fail else
           "outside for " + ", ".join(strict_fail)))
    kinds = [f["kind"] for f in prog["findings"]]
    print("%sfindings: %s" % (lab, ", ".join(
        "%s (%.2f)" % (f["kind"], f["score"]) for f in prog["findings"]) or "none"))
    if a.finding:
        first = kinds[0] if kinds else "none"
        good = first == a.finding
        fail |= not good
        print("%s%s: first finding %s, want %s" % (lab, "ok" if good else "FAIL", first, a.finding))
    if a.app_out:
        m = re.findall(r"BatchSize (\d+) Inf/Sec ([0-9.]+)", open(a.app_out).read())
        sps = prog["throughput"]["samples_per_s"]
        if len(m) != 1 or sps is None:
            print("%sFAIL: no Inf/Sec line or no samples/s (%r, %r)" % (lab, m, sps))
            fail = True
        else:
            want = float(m[0][1])
            good = abs(sps - want) <= 0.01 * want
            fail |= not good
            print("%s%s: samples/s %.3f, the app's Inf/Sec %.3f (%+.3f %%)" %
                  (lab, "ok" if good else "FAIL", sps, want, 100 * (sps - want) / want))
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
