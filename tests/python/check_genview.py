#!/usr/bin/python3
"""Compare qprof-report's generation view (--generation-json/-csv) with the
sample application's own figures (qaic_llm_generate.py --json).

usage: check_genview.py APP_JSON REPORT_JSON REPORT_CSV BATCH PREFILL_LEN [DECODE_US]
Checks: one exec object; the requests as the application made them (count,
prefill and decode steps); per request TTFT, and the ITL distribution at
p50 and p99 (all requests together and per request), within max(20 us,
2 %) of the application's; the CSV's steps grouped and labelled by shape:
prefill [BATCH,PREFILL_LEN], decode [BATCH,1]; every step joined to its
inference, its application + runtime + kernel + device parts tiling the
step (to the CSV's rounding); with DECODE_US (the description's decode
device time), every decode step's device part at least 95 % of it.
Exit 1 on any failure."""
import csv
import json
import sys

import numpy as np


def close(a, b):
    return abs(a - b) <= max(20.0, 0.02 * abs(a))


def main():
    app = json.load(open(sys.argv[1]))
    rep = json.load(open(sys.argv[2]))["generation"]
    rows = list(csv.DictReader(open(sys.argv[3])))
    batch, plen = int(sys.argv[4]), int(sys.argv[5])
    fails = []
    if len(rep) != 1:
        print("FAIL: %d exec objects in the view, want 1" % len(rep))
        return 1
    req = rep[0]["requests"]
    if len(req) != len(app):
        fails.append("%d requests, the application made %d" % (len(req), len(app)))
    for a, r in zip(app, req):
        if (r["prefill_steps"], r["decode_steps"]) != (a["prefill_chunks"], a["decode_steps"]):
            fails.append("request %d: steps %s, want %s" % (a["request"],
                         (r["prefill_steps"], r["decode_steps"]),
                         (a["prefill_chunks"], a["decode_steps"])))
        if not close(a["ttft_us"], r["ttft_us"]):
            fails.append("request %d: TTFT %.1f us, the application's %.1f us"
                         % (a["request"], r["ttft_us"], a["ttft_us"]))
        for p in (50, 99):
            x, y = np.percentile(a["itl_us"], p), np.percentile(r["itl_us"], p)
            if len(r["itl_us"]) != len(a["itl_us"]) or not close(x, y):
                fails.append("request %d: ITL p%d %.1f us (%d), the application's %.1f us (%d)"
                             % (a["request"], p, y, len(r["itl_us"]), x, len(a["itl_us"])))
    all_a = [v for a in app for v in a["itl_us"]]
    all_r = [v for r in req for v in r["itl_us"]]
    for p in (50, 99):
        x, y = np.percentile(all_a, p), np.percentile(all_r, p)
        print("ITL p%d: application %.1f us, qprof %.1f us" % (p, x, y))
        if not close(x, y):
            fails.append("ITL p%d %.1f us, the application's %.1f us" % (p, y, x))
    want = {("prefill", "[%d,%d]" % (batch, plen)): sum(a["prefill_chunks"] for a in app),
            ("decode", "[%d,1]" % batch): sum(a["decode_steps"] for a in app)}
    got = {}
    for row in rows:
        got[(row["group"], row["shape"])] = got.get((row["group"], row["shape"]), 0) + 1
    if got != want:
        fails.append("groups %s, want %s" % (got, want))
    for row in rows:
        if row["appUs"] == "":
            fails.append("step %s not joined to an inference" % row["step"])
            continue
        parts = sum(float(row[k]) for k in ("appUs", "runtimeUs", "kernelUs", "deviceUs"))
        if abs(parts - float(row["stepUs"])) > 0.01:
            fails.append("step %s: parts %.3f us, step %s us" % (row["step"], parts, row["stepUs"]))
        if len(sys.argv) > 6 and row["group"] == "decode" and \
                float(row["deviceUs"]) < 0.95 * float(sys.argv[6]):
            fails.append("step %s: device %s us, the description's decode %s us"
                         % (row["step"], row["deviceUs"], sys.argv[6]))
    for f in fails:
        print("FAIL:", f)
    if not fails:
        print("ok: %d requests, %d steps: TTFT and ITL as the application measured them"
              % (len(app), len(rows)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
