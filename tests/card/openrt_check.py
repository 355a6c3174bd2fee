#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check a qprof report of OPENRT's qaic-runner on qaic-sim-card against
independent truths (tests/card/openrt.sh): qaic-runner's own stats line,
and the simulated driver's log of every completed BO execution
(QAIC_SIM_KMD_LOG, docs/SIM-KMD.md).  Exit 1 with one line per failure."""
import argparse
import csv
import glob
import json
import re
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", required=True)
    ap.add_argument("--runner-out", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--csv-dir", required=True)
    ap.add_argument("--kmd-log", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--total-tolerance", type=float, default=0.02)
    a = ap.parse_args()
    bad = []

    def check(ok, msg):
        if not ok:
            bad.append(msg)
        return ok

    # qaic-runner's own figures
    m = None
    for line in open(a.runner_out):
        m = re.match(r"InferenceCnt (\d+) TotalDuration (\d+)us", line) or m
    if not check(m, "no 'InferenceCnt N TotalDuration Tus' line from qaic-runner"):
        return report(a, bad)
    runner_n, runner_us = int(m.group(1)), int(m.group(2))
    check(runner_n == a.count, "qaic-runner InferenceCnt %d, asked %d" % (runner_n, a.count))

    # the driver's record: executions of output BOs (dir 2), in order
    log = [l.split() for l in open(a.kmd_log) if not l.startswith("#")]
    outs = [l for l in log if l[3] == "2" and l[4] == "0"]
    ins = [l for l in log if l[3] == "1" and l[4] == "0"]
    check(len(outs) == runner_n,
          "driver log: %d completed output BOs, want %d" % (len(outs), runner_n))
    dbcs = {l[1] for l in outs}

    # the report
    j = json.load(open(a.json))
    acc = j["accounting"]["matched"]
    check(acc.get("kernel_only") == runner_n,
          "kernel-only inferences %s, qaic-runner ran %d" % (acc.get("kernel_only"), runner_n))
    check(acc.get("bo") == 0 and acc.get("fifo") == 0,
          "API-matched inferences in a kernel-only program: %s" % acc)
    inc = j["accounting"]["incomplete"]
    check(sum(v for v in inc.values() if isinstance(v, int)) == 0, "incomplete: %s" % inc)
    ko = j["kernel_only"]
    check(len(ko) == 1 and ko[0]["completed"] == runner_n,
          "kernel_only sections %s" % [(k["pid"], k["dbc_id"], k["completed"]) for k in ko])
    if ko:
        check({str(ko[0]["dbc_id"])} == dbcs,
              "report DBC %s, driver DBC(s) %s" % (ko[0]["dbc_id"], sorted(dbcs)))
        gap = ko[0]["metrics_us"]["gapBetweenSubmits"]
        check(gap["count"] == runner_n - 1,
              "%d gaps between submits, want %d" % (gap["count"], runner_n - 1))
        gap_sum = gap["mean"] * gap["count"]

    # kernel integers per inference, in order, against the driver's
    files = glob.glob(a.csv_dir + "/*latency.txt")
    if check(len(files) == 1, "latency files in --csv-dir: %s" % files):
        lines = open(files[0]).read().splitlines()
        hdr = next(i for i, l in enumerate(lines) if l.startswith("Sample"))
        rows = list(csv.reader(lines[hdr:]))
        cols = [c.strip() for c in rows[0]]
        rows = [[c.strip() for c in r] for r in rows[1:] if r]
        col = {c: i for i, c in enumerate(cols)}
        check(len(rows) == runner_n, "%d rows in the latency CSV, want %d" % (len(rows), runner_n))
        wrong = 0
        # exectoVc and execToComplete: the waited (output) BO's PERF_STATS;
        # queueDepth: the ring's level before the request, i.e. before its
        # first (input) BO
        for i, (r, l, li) in enumerate(zip(rows, outs, ins)):
            got = (r[col["exectoVcUs"]], r[col["execToCompleteUs"]], r[col["queueDepth"]])
            want = (l[8], l[9], li[10])
            if got != want:
                wrong += 1
                if wrong <= 3:
                    bad.append("inference %d: exectoVc, execToComplete, queueDepth %s, driver %s"
                               % (i, got, want))
        check(wrong == 0, "%d of %d inferences with other kernel integers than the driver's"
              % (wrong, min(len(rows), len(outs))))
        # the report's span of the run: first EXECUTE entry to the last
        # WAIT's return = the gaps between submits + the last execTotal;
        # qaic-runner's TotalDuration sums its run() calls (copies in and
        # out, EXECUTE, WAIT), which fill that span but for its loop
        if ko and rows:
            total = gap_sum + float(rows[-1][col["execTotalUs"]])
            dev = abs(total - runner_us) / runner_us
            print("%s: report span %.0f us, qaic-runner TotalDuration %d us: %.2f %%"
                  % (a.label, total, runner_us, 100 * dev))
            check(dev <= a.total_tolerance,
                  "report span %.0f us vs qaic-runner %d us: %.2f %% > %.1f %%"
                  % (total, runner_us, 100 * dev, 100 * a.total_tolerance))
    return report(a, bad)


def report(a, bad):
    for b in bad:
        print("FAIL: %s: %s" % (a.label, b))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
