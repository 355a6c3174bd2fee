#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Compare qprof-report's inferences over several devices (JSON,
--per-inference) with the simulator's inference log (QAIC_SIM_INFERENCE_LOG,
docs/SIMULATOR.md), the simulated runtime's truth for every device of
every inference.  Independent of qprof's C code.

usage: e2e_devices.py REPORT_JSON INFERENCE_LOG --ndev N [--label L]
                      [--straggler exact|report] [--wait-eintr N]

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
    the kernel computes them); of an inference the log says was not
    sampled (a PERF_STATS failed: a restart detached its BOs right after
    it completed), a device may have none;
  - the straggler (the device flagged `row` in the log: the largest
    exectoVc + execToComplete, the first on a tie): with --straggler
    exact (the default), the report's for every inference; with `report`,
    the agreement is printed only.  Printed too: how often it is the
    device that completed last in kernel time (`last`);
  - (any N) the report's completed inferences are the log's successful
    ones; its accounting.failed_by_cause is the log's failed inferences
    by cause (EPIPE restart, ENODEV device_gone, EPERM dbc_released, any
    other errno kmd_other, an API error api); a restart is reported iff
    the log has EPIPE failures, and its cost is the EPIPE + EPERM ones;
  - --wait-eintr N: accounting.interrupted.wait == N (WAITs the simulator
    interrupted, each retried).
With N = 1 the per-device checks do not apply (the report has no spans).
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
                    default="exact")
    ap.add_argument("--shim-stats", action="store_true",
                    help="no runtime profiling: the shim's own queries give "
                    "every device's stats, unsampled inferences included")
    ap.add_argument("--wait-eintr", type=int)
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
    agree = same_last = 0
    for t in done if a.ndev > 1 else []:
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
        # sampled 0: a PERF_STATS failed (its BOs detached by a restart
        # right after completion): those stats are unknown to everyone
        unsampled = t[0]["sampled"] == "0" and not a.shim_stats
        for k in range(a.ndev):
            r = t[k]
            want = kernel(r) + (int(r["dbc_id"]),)
            got = (d[k].get("exectoVcUs"), d[k].get("execToCompleteUs"),
                   d[k]["dbc_id"])
            if got != want and not (unsampled and got[:2] == (None, None)
                                    and got[2] == want[2]):
                fail("sample %s device %d: report %s, log %s"
                     % (r["sample"], k, got, want))
        if unsampled:
            continue
        last = [k for k in range(a.ndev) if t[k]["row"] == "1"]
        if a.shim_stats and not last:
            # no latency row without profiling: the straggler by the rule,
            # from the log's kernel integers (the first on a tie)
            tot = [sum(kernel(t[k])) for k in range(a.ndev)]
            last = [tot.index(max(tot))]
        if [k for k in range(a.ndev) if t[k]["last"] == "1"] == last:
            same_last += 1
        mine = [k for k in range(a.ndev) if d[k]["last"]]
        if last == mine:
            agree += 1
        elif a.straggler == "exact":
            fail("sample %s: straggler %s in the report, %s in the log"
                 % (t[0]["sample"], mine, last))
    if a.ndev > 1:
        print("%s: %d inferences of the log completed, %d found in the "
              "report; straggler agrees for %d (%.1f %%); the straggler "
              "completed last in kernel time in %d"
              % (a.label, len(done), len(used), agree,
                 100.0 * agree / len(done) if done else 0, same_last))
        if len(used) != len(done):
            fail("%d of %d completed inferences found" % (len(used), len(done)))
    if len(ours) != len(done):
        fail("%d completed inferences in the report, %d in the log"
             % (len(ours), len(done)))
    acc = rep["accounting"]
    want = dict.fromkeys(acc["failed_by_cause"], 0)
    for v in infs.values():
        st, cause = v[0]["status"], v[0]["cause"]
        if st == "QS_SUCCESS":
            continue
        if cause in ERRNO_CAUSE:
            want[ERRNO_CAUSE[cause]] += 1
        elif cause == "-":
            want["api"] += 1
        else:
            want["kmd_other"] += 1
    if acc["failed_by_cause"] != want:
        fail("failed by cause: report %s, log %s" % (acc["failed_by_cause"], want))
    epipe = want["restart"]
    rs = acc["restarts"]
    if (rs["count"] > 0) != (epipe > 0) or \
            (epipe and rs["inferences_failed"] != epipe + want["dbc_released"]):
        fail("restarts: report %s, log %d EPIPE + %d EPERM failures"
             % (rs, epipe, want["dbc_released"]))
    if a.wait_eintr is not None and acc["interrupted"]["wait"] != a.wait_eintr:
        fail("interrupted WAITs: report %d, want %d"
             % (acc["interrupted"]["wait"], a.wait_eintr))
    print("%s: %d completed, failed by cause %s, restarts %s, interrupted %s"
          % (a.label, len(ours), acc["failed_by_cause"], rs,
             acc["interrupted"]))
    if fails:
        sys.exit(1)


if __name__ == "__main__":
    main()
