#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Compare qprof-report's inferences over several devices (JSON,
--per-inference) with the simulator's inference log (QAIC_SIM_INFERENCE_LOG,
docs/SIMULATOR.md), the simulated runtime's truth for every device of
every inference.  Independent of qprof's C code.

usage: e2e_devices.py REPORT_JSON INFERENCE_LOG --ndev N [--label L]
                      [--straggler exact|report] [--failed CAUSE=N ...]

An inference of the log is found in the report by its devices' kernel
received_ns, each inside that device's EXECUTE ioctl (exec_begin_us ..
exec_end_us after t0); when two inferences' ioctls overlap so that both
hold them (concurrent submissions), the one not found yet whose first
device has the log's kernel integers.  Checks:
  - 100 % of the log's successful inferences are completed inferences of
    the report, each with N devices in devMapping order, and no report
    inference is found twice (no inference paired with another's EXECUTE);
  - per device, exactly: dbc_id, exectoVcUs = (submit - received) / 1000,
    execToCompleteUs = (processed - submit) / 1000 (integer division, as
    the kernel computes them);
  - the straggler (the device flagged `last` in the log): with
    --straggler exact, the report's for every inference (the runtime's
    dump was merged); with `report`, the agreement is printed only (the
    trace bounds each device's completion by its EXECUTE ioctl, whose
    length on the simulator is tens of us to ms);
  - --failed CAUSE=N: the report's accounting.failed_by_cause[CAUSE] == N,
    and the log's failed inferences of that errno are as many.
Exits 1 on any failure.
"""
import argparse
import csv
import json
import sys

ERRNO_CAUSE = {"EPIPE": "restart", "ENODEV": "device_gone",
               "EPERM": "dbc_released"}


def within(i, k, ns):
    """ns inside device k's EXECUTE ioctl of report inference i."""
    d = i["devices"][k]
    if d["exec_begin_us"] is None or d["exec_end_us"] is None:
        return False
    return (i["t0_ns"] + d["exec_begin_us"] * 1000 - 1 <= ns <=
            i["t0_ns"] + d["exec_end_us"] * 1000 + 1)


def kernel(r):
    """A log line's (exectoVc, execToComplete), as the kernel computes them."""
    rcv, sub, pro = (int(r["received_ns"]), int(r["submit_ns"]),
                     int(r["processed_ns"]))
    return ((sub - rcv) // 1000, (pro - sub) // 1000)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("log")
    ap.add_argument("--ndev", type=int, required=True)
    ap.add_argument("--label", default="")
    ap.add_argument("--straggler", choices=["exact", "report"],
                    default="report")
    ap.add_argument("--failed", action="append", default=[])
    a = ap.parse_args()
    fails = []

    def fail(msg):
        fails.append(msg)
        print("FAIL: %s: %s" % (a.label, msg))

    rep = json.load(open(a.report))
    with open(a.log) as f:
        rows = list(csv.DictReader(l for l in f if not l.startswith("#")))
    infs = {}
    for r in rows:
        infs.setdefault((r["program"], int(r["sample"])), []).append(r)
    done = [v for v in infs.values() if v[0]["status"] == "QS_SUCCESS"]
    ours = [i for i in rep["inferences"] if i["state"] == "ok"]
    # first device's EXECUTE window -> report inference
    wins = []
    for i in ours:
        d = i.get("devices")
        if not d or d[0]["exec_begin_us"] is None or d[0]["exec_end_us"] is None:
            continue
        wins.append((i["t0_ns"] + d[0]["exec_begin_us"] * 1000 - 1,
                     i["t0_ns"] + d[0]["exec_end_us"] * 1000 + 1, i))
    wins.sort(key=lambda w: w[0])
    used = set()
    agree = 0
    for t in done:
        t.sort(key=lambda r: int(r["device"]))
        rc = int(t[0]["received_ns"])
        hit = [w[2] for w in wins if w[0] <= rc <= w[1]]
        if len(hit) > 1:    # concurrent submissions: every device's window
            hit = [i for i in hit if len(i["devices"]) == len(t) and all(
                within(i, k, int(t[k]["received_ns"])) for k in range(len(t)))]
        if len(hit) > 1:    # still two (serialised ioctls): by device 0's
            hit = [i for i in hit if id(i) not in used and
                   (i["devices"][0].get("exectoVcUs"),
                    i["devices"][0].get("execToCompleteUs")) == kernel(t[0])]
        if len(hit) != 1:
            fail("sample %s: %d report inferences around its first EXECUTE"
                 % (t[0]["sample"], len(hit)))
            continue
        i = hit[0]
        if id(i) in used:
            fail("sample %s: a report inference found twice" % t[0]["sample"])
        used.add(id(i))
        d = i["devices"]
        if len(d) != a.ndev or len(t) != a.ndev:
            fail("sample %s: %d devices in the report, %d in the log, want %d"
                 % (t[0]["sample"], len(d), len(t), a.ndev))
            continue
        for k in range(a.ndev):
            r = t[k]
            want = kernel(r) + (int(r["dbc_id"]),)
            got = (d[k].get("exectoVcUs"), d[k].get("execToCompleteUs"),
                   d[k]["dbc_id"])
            if got != want:
                fail("sample %s device %d: report %s, log %s"
                     % (r["sample"], k, got, want))
        last = [k for k in range(a.ndev) if t[k]["last"] == "1"]
        mine = [k for k in range(a.ndev) if d[k]["last"]]
        if last == mine:
            agree += 1
        elif a.straggler == "exact":
            fail("sample %s: straggler %s in the report, %s in the log"
                 % (t[0]["sample"], mine, last))
    print("%s: %d inferences of the log completed, %d found in the report; "
          "straggler agrees for %d (%.1f %%)"
          % (a.label, len(done), len(used), agree,
             100.0 * agree / len(done) if done else 0))
    if len(used) != len(done):
        fail("%d of %d completed inferences found" % (len(used), len(done)))
    acc = rep["accounting"]["failed_by_cause"]
    for spec in a.failed:
        cause, n = spec.split("=")
        errnos = [e for e, c in ERRNO_CAUSE.items() if c == cause]
        nlog = sum(1 for v in infs.values() if v[0]["cause"] in errnos)
        if acc.get(cause) != int(n) or (errnos and nlog != int(n)):
            fail("failed %s: report %s, log %d, want %s"
                 % (cause, acc.get(cause), nlog, n))
    if fails:
        sys.exit(1)


if __name__ == "__main__":
    main()
