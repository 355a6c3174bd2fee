#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Check a runtime latency file aic-profiling-program-<P>-latency.txt.

Reads it the way Qualcomm's latency_stats_python3.py does (skip the 4 header
lines, pandas.read_csv(skipinitialspace=True), stripped column names) and
asserts, per row, the identities of docs/CONTRACTS.md §3.1; the header lines
are compared exactly.  Exit 0 when everything holds, 1 with one message per
violation (file:line: what) otherwise.

Optional --devperf OUT compares qaic-sim-app's "Device Performance" table in
OUT with statistics computed here from the file (to printed precision).
"""
import argparse
import math
import re
import sys

import pandas

COLUMNS = ["Sample", "devInfPerSec", "devExecUs", "devInWaitTimeUs",
           "devOutWaitTimeUs", "hostRoundTripUs", "enqTimeUs",
           "preProcTimeUs", "submitTimeUs", "execTotalUs", "exectoVcUs",
           "execToCompleteUs", "postProcUs", "totalRoundtripTimeUs",
           "queueDepth", "numInfInQueue"]
DEVICE = ["devInfPerSec", "devExecUs", "devInWaitTimeUs", "devOutWaitTimeUs"]
INTEGER = ["Sample", "hostRoundTripUs", "exectoVcUs", "execToCompleteUs",
           "queueDepth", "numInfInQueue"]
HOST3 = ["enqTimeUs", "preProcTimeUs", "submitTimeUs", "execTotalUs",
         "postProcUs", "totalRoundtripTimeUs"]

errors = []


def err(path, line, msg):
    errors.append("%s:%s: %s" % (path, line, msg))


def padded(tokens):
    return ",".join("%-12s  " % t for t in tokens[:-1]) + "," + \
        "%-12s" % tokens[-1]


def check_header(path, lines, a):
    want = ["Profiling Data", "ProgramId:%d" % a.program_id, None,
            "NumSamples collected: %d Num Requested: %d"
            % (a.collected, a.requested)]
    for i, w in enumerate(want):
        got = lines[i].rstrip("\n") if i < len(lines) else "<missing>"
        if w is not None and got != w:
            err(path, i + 1, "expected %r, got %r" % (w, got))
    name = lines[2].rstrip("\n") if len(lines) > 2 else ""
    if a.program_name is not None and name != "ProgramName: " + a.program_name:
        err(path, 3, "expected 'ProgramName: %s', got %r"
            % (a.program_name, name))
    elif not name.startswith("ProgramName: "):
        err(path, 3, "no ProgramName: line")
    head = lines[4].rstrip("\n") if len(lines) > 4 else ""
    # Accept the last token with or without trailing padding.
    if head.rstrip() != padded(COLUMNS).rstrip():
        err(path, 5, "column header differs:\n  want %r\n  got  %r"
            % (padded(COLUMNS).rstrip(), head))


def decimals(s):
    return len(s.split(".")[1]) if "." in s else 0


def check_formats(path, raw, a):
    for i, row in raw.iterrows():
        line = i + 6
        for c in INTEGER:
            if not re.fullmatch(r"-?\d+", row[c]):
                err(path, line, "%s %r is not an integer" % (c, row[c]))
        for c in HOST3:
            if not re.fullmatch(r"\d+\.\d{3}", row[c]):
                err(path, line, "%s %r is not a 3-decimal value" % (c, row[c]))
        for c in DEVICE:
            if a.stats:
                if not re.fullmatch(r"\d+\.\d{3}", row[c]):
                    err(path, line, "%s %r: want a 3-decimal value"
                        % (c, row[c]))
            elif row[c] != "N/A":
                err(path, line, "%s %r: want N/A (not stats-compiled)"
                    % (c, row[c]))


def check_rows(path, df, a):
    for i, r in df.iterrows():
        line = i + 6
        if r.hostRoundTripUs != r.exectoVcUs + r.execToCompleteUs:
            err(path, line, "hostRoundTrip %d != exectoVc %d + "
                "execToComplete %d" % (r.hostRoundTripUs, r.exectoVcUs,
                                       r.execToCompleteUs))
        parts = r.enqTimeUs + r.preProcTimeUs + r.execTotalUs + r.postProcUs
        # each printed value is rounded to 0.0005: allow that much per term
        if r.totalRoundtripTimeUs + 0.0025 < parts:
            err(path, line, "totalRoundtrip %.3f < enq+preProc+execTotal+"
                "postProc %.3f" % (r.totalRoundtripTimeUs, parts))
        if r.execTotalUs + 0.0005 < r.hostRoundTripUs:
            err(path, line, "execTotal %.3f < hostRoundTrip %d (kernel span "
                "inside the ioctl span)" % (r.execTotalUs, r.hostRoundTripUs))
        if r.numInfInQueue < 1 or r.queueDepth < 0:
            err(path, line, "queueDepth %d / numInfInQueue %d out of range"
                % (r.queueDepth, r.numInfInQueue))
        if r.queueDepth == 0 and r.numInfInQueue != 1:
            err(path, line, "numInfInQueue %d with queueDepth 0"
                % r.numInfInQueue)
        if a.stats:
            dev = float(r.devExecUs)
            want = a.batch * 1e6 / dev
            # devExecUs is itself rounded to 0.0005 us
            tol = a.batch * 1e6 / (dev * dev) * 0.0005 + 0.0005 + 1e-9
            if abs(float(r.devInfPerSec) - want) > tol:
                err(path, line, "devInfPerSec %s != batch*1e6/devExecUs %.3f"
                    % (r.devInfPerSec, want))
            if float(r.devInWaitTimeUs) > dev or \
                    float(r.devOutWaitTimeUs) > dev:
                err(path, line, "device wait longer than devExec")
    samples = sorted(int(s) for s in df.Sample)
    want = list(range(a.start, a.start + a.collected))
    if a.gaps:
        # failed inferences are no samples: distinct, in the window
        want = sorted(set(s for s in samples
                          if a.start <= s < a.start + a.requested))
        if len(want) != a.collected:
            want = list(range(a.start, a.start + a.collected))
    if samples != want:
        err(path, 6, "Sample values %s..%s (%d rows), want %d..%d"
            % (samples[0] if samples else "-", samples[-1] if samples else "-",
               len(samples), a.start, a.start + a.collected - 1))


def check_devperf(path, df, out, index):
    text = open(out).read().splitlines()
    tables = [i for i, l in enumerate(text) if l == "Device Performance: "]
    if len(tables) <= index:
        err(out, 0, "no 'Device Performance: ' table #%d" % index)
        return
    k = tables[index]
    want_head = "%-17s%-15s%-15s%-15s%-15s" % ("Metric,", "Avg,", "Min,",
                                               "Max,", "Std")
    if text[k + 1] != want_head:
        err(out, k + 2, "table header %r, want %r" % (text[k + 1], want_head))
    for j, (label, col) in enumerate([("ExecTimeUs,", "devExecUs"),
                                      ("InputWaitTimeUs,", "devInWaitTimeUs"),
                                      ("OutputWaitTimeUs,",
                                       "devOutWaitTimeUs")]):
        v = df[col].astype(float)
        mean, lo, hi = v.mean(), v.min(), v.max()
        std = math.sqrt(((v - mean) ** 2).mean())
        want = "%-17s%-15s%-15s%-15s%-15s" % (
            label, "%.3f," % mean, "%.3f," % lo, "%.3f," % hi, "%.3f" % std)
        got = text[k + 2 + j]
        if got != want:
            # allow 1 unit in the last digit of the mean/std (summing order)
            gv = [float(x) for x in got[17:].replace(",", " ").split()]
            wv = [mean, lo, hi, std]
            if not got.startswith(label) or len(gv) != 4 or \
                    any(abs(g - w) > 0.0015 for g, w in zip(gv, wv)):
                err(out, k + 3 + j, "row %r, want %r" % (got, want))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--program-id", type=int, required=True)
    p.add_argument("--program-name")
    p.add_argument("--collected", type=int, required=True)
    p.add_argument("--requested", type=int, required=True)
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--stats", type=int, choices=[0, 1], required=True)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--gaps", action="store_true",
                   help="failed inferences leave gaps in Sample")
    p.add_argument("--devperf")
    p.add_argument("--devperf-index", type=int, default=0,
                   help="which Device Performance table of the output")
    a = p.parse_args()

    with open(a.file) as f:
        lines = f.readlines()
    check_header(a.file, lines, a)
    # latency_stats_python3.py conventions: skip 4 lines, skipinitialspace,
    # stripped names.  Read as text first to check formats and N/A.
    with open(a.file) as f:
        for _ in range(4):
            f.readline()
        raw = pandas.read_csv(f, skipinitialspace=True, dtype=str,
                              keep_default_na=False)
    raw.columns = [c.strip() for c in raw.columns]
    raw = raw.apply(lambda col: col.str.strip())
    if list(raw.columns) != COLUMNS:
        err(a.file, 5, "columns %s" % list(raw.columns))
    else:
        if len(raw) != a.collected:
            err(a.file, 6, "%d rows, want %d" % (len(raw), a.collected))
        check_formats(a.file, raw, a)
        if not errors:
            df = raw.copy()
            for c in COLUMNS:
                if c in DEVICE and not a.stats:
                    continue
                df[c] = pandas.to_numeric(df[c])
            check_rows(a.file, df, a)
            if a.devperf and not errors:
                check_devperf(a.file, df, a.devperf, a.devperf_index)
    for e in errors[:20]:
        print(e, file=sys.stderr)
    if len(errors) > 20:
        print("... %d more" % (len(errors) - 20), file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
