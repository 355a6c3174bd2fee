#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Check the simulator's inference log (QAIC_SIM_INFERENCE_LOG) against
itself and, optionally, against a runtime latency file.

  check_inflog.py LOG --program P --ndev N --count C [--failed F]
      [--latency FILE] [--last-dev QID --last-min FRACTION]
      [--cause ERRNO=COUNT ...]

Per inference: exactly N lines (devices 0..N-1), one status and cause; a
successful one has every device submitted, processed >= submit >= received
on each, and 'last' on exactly the device with the latest processed stamp;
a sampled one 'row' on exactly the straggler: the largest
(submit - received) // 1000 + (processed - submit) // 1000, the first on a
tie.  With --latency, every row of the latency file is a sampled inference
of the log and its exectoVcUs / execToCompleteUs are the row device's
(submit - received) // 1000 and (processed - submit) // 1000.  Exit 0 or 1
with one message per violation.
"""
import argparse
import collections
import csv
import sys

errors = []


def err(msg):
    errors.append(msg)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--program", type=int, default=0)
    ap.add_argument("--ndev", type=int, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--failed", type=int, default=0)
    ap.add_argument("--latency")
    ap.add_argument("--last-dev", type=int)
    ap.add_argument("--last-min", type=float, default=0.5)
    ap.add_argument("--cause", action="append", default=[])
    ap.add_argument("--unsampled", type=int, default=0,
                    help="successful inferences allowed outside the "
                    "latency file (PERF_STATS failed after a restart)")
    a = ap.parse_args()

    rows = [r for r in csv.DictReader(
        l for l in open(a.log) if not l.startswith("#"))]
    inf = collections.OrderedDict()
    for r in rows:
        if int(r["program"]) != a.program:
            continue
        inf.setdefault(int(r["sample"]), []).append(r)
    if len(inf) != a.count:
        err("%d inferences of program %d, want %d" % (len(inf), a.program,
                                                      a.count))
    failed = collections.Counter()
    last_on = collections.Counter()
    ok = {}
    unsampled = 0
    for s, devs in inf.items():
        if [int(d["device"]) for d in devs] != list(range(a.ndev)):
            err("sample %d: devices %s" % (s, [d["device"] for d in devs]))
            continue
        st = {d["status"] for d in devs}
        cause = {d["cause"] for d in devs}
        if len(st) != 1 or len(cause) != 1:
            err("sample %d: status/cause differ between lines" % s)
            continue
        st, cause = st.pop(), cause.pop()
        if st != "QS_SUCCESS":
            failed[cause] += 1
            if any(d["last"] != "0" or d["row"] != "0" for d in devs):
                err("sample %d: failed, yet a last or row device" % s)
            continue
        t = [(int(d["received_ns"]), int(d["submit_ns"]),
              int(d["processed_ns"])) for d in devs]
        if any(d["submitted"] != "1" or d["exec_errno"] != "-" or
               d["wait_errno"] != "-" for d in devs):
            err("sample %d: success with a failed call" % s)
        if any(not (0 < rc <= sb <= pr) for rc, sb, pr in t):
            err("sample %d: stamps out of order %s" % (s, t))
        last = max(range(a.ndev), key=lambda k: (t[k][2], -k))
        flags = [int(d["last"]) for d in devs]
        if flags != [int(k == last) for k in range(a.ndev)]:
            err("sample %d: last flags %s, latest processed on %d"
                % (s, flags, last))
        last_on[int(devs[last]["qid"])] += 1
        rt = [(sb - rc) // 1000 + (pr - sb) // 1000 for rc, sb, pr in t]
        row = max(range(a.ndev), key=lambda k: (rt[k], -k))
        rflags = [int(d["row"]) for d in devs]
        if devs[0]["sampled"] == "1":
            if rflags != [int(k == row) for k in range(a.ndev)]:
                err("sample %d: row flags %s, straggler %d" % (s, rflags, row))
            ok[s] = t[row]
        else:
            if any(rflags):
                err("sample %d: not sampled, yet a row device" % s)
            unsampled += 1
    if sum(failed.values()) != a.failed:
        err("%d failed inferences %s, want %d" % (sum(failed.values()),
                                                 dict(failed), a.failed))
    for c in a.cause:
        name, n = c.split("=")
        if failed[name] != int(n):
            err("%d failed with %s, want %s" % (failed[name], name, n))
    if a.last_dev is not None and ok:
        share = last_on[a.last_dev] / len(ok)
        if share < a.last_min:
            err("device %d last in %.2f of inferences, want >= %.2f (%s)"
                % (a.last_dev, share, a.last_min, dict(last_on)))
    if a.latency:
        lines = open(a.latency).read().splitlines()
        cols = [c.strip() for c in lines[4].split(",")]
        n = 0
        for line in lines[5:]:
            v = dict(zip(cols, [c.strip() for c in line.split(",")]))
            s = int(v["Sample"])
            n += 1
            if s not in ok:
                err("latency sample %d: not a successful inference" % s)
                continue
            rc, sb, pr = ok[s]
            if int(v["execToCompleteUs"]) != (pr - sb) // 1000 or \
                    int(v["exectoVcUs"]) != (sb - rc) // 1000:
                err("latency sample %d: %s/%s, last device gives %d/%d"
                    % (s, v["exectoVcUs"], v["execToCompleteUs"],
                       (sb - rc) // 1000, (pr - sb) // 1000))
        if n != len(ok):
            err("latency file has %d rows, log %d sampled inferences"
                % (n, len(ok)))
    if unsampled > a.unsampled:
        err("%d successful inferences not sampled, want at most %d"
            % (unsampled, a.unsampled))
    for e in errors[:20]:
        print("%s: %s" % (a.log, e), file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
