#!/usr/bin/python3
"""Check the Python events of a qprof trace of tests/python/hooked_app.py
against what the application itself did (its stderr: the ids of its
objects; the calls it makes are fixed by its source).

Usage: check_pyevents.py TEXT APP_STDERR DESC
TEXT is `babeltrace2 TRACE` text output.  Exit status 1 on any failure."""
import collections
import re
import sys

LINE = re.compile(r"qprof:(\w+): .*?\{ (pid = .*) \}$")


def parse_payload(s):
    """`k = v, k = [ [0] = 1, ... ], k = "str"` -> dict."""
    out, i = {}, 0
    while i < len(s):
        m = re.compile(r"\s*(\w+) = ").match(s, i)
        if not m:
            break
        key, i = m.group(1), m.end()
        if s[i] == '"':
            j = s.index('"', i + 1)
            out[key], i = s[i + 1:j], j + 1
        elif s[i] == "[":
            j = s.index("]", s.index("] = ", i) + 4 if "] = " in s[i:i + 8] else i)
            depth, j = 0, i
            while True:
                if s[j] == "[":
                    depth += 1
                elif s[j] == "]":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            out[key] = [int(v, 0) for v in re.findall(r"\] = (\w+)", s[i:j + 1])]
            i = j + 1
        else:
            m = re.compile(r"[^,]+").match(s, i)
            v = m.group(0).strip()
            out[key] = int(v, 0) if re.fullmatch(r"-?(0x[0-9A-Fa-f]+|\d+)", v) else v
            i = m.end()
        if i < len(s) and s[i] == ",":
            i += 1
    return out


def main():
    text, err, desc = sys.argv[1:4]
    ev = collections.defaultdict(list)
    for line in open(text):
        m = LINE.search(line.rstrip("\n"))
        if m:
            ev[m.group(1)].append(parse_payload(m.group(2)))
    ids = dict(re.findall(r"(\w+)=(\d+)", re.search(r"^ids (.*)$", open(err).read(), re.M).group(1)))
    ids = {k: int(v) for k, v in ids.items()}
    fails = []

    def check(cond, what):
        if not cond:
            fails.append(what)

    def one(name, **want):
        got = [e for e in ev[name] if all(e.get(k) == v for k, v in want.items())]
        check(len(got) == 1, "%s %s: %d events, want 1 (%s)" % (name, want, len(got), ev[name]))

    # no C API event: qaicrt's calls never passed through the qaic* symbols
    api = [n for n in ev if n.startswith("api_")]
    check(not api, "C API events in a Python program's trace: %s" % api)
    one("py_context_create", ctx=ids["ctx"], num_devices=1, dev0=0, status=0)
    one("py_queue_create", ctx=ids["ctx"], queue=ids["queue"], dev=0, status=0)
    one("py_qpc_open", qpc=ids["qpc"], path=desc, status=0)
    one("py_program_create", ctx=ids["ctx"], program=ids["program"], qpc=ids["qpc"],
        dev=-1, dev_mapping="", status=0)
    for n in ("load", "activate", "deactivate", "unload"):
        one("py_program_" + n, obj=ids["program"], status=0)
    eos = ev["py_execobj_create"]
    check(len(eos) == 3 and sum(e["execobj"] == ids["execobj"] for e in eos) == 1 and
          all(e["program"] == ids["program"] and e["status"] == 0 for e in eos),
          "py_execobj_create: %s" % eos)
    # the main exec object's setData calls, in order
    sd = [e for e in ev["py_set_data"] if e["execobj"] == ids["execobj"]]
    want = [(0, [1, t], 2 * 8 * t + 128) for t in (8, 1, 1, 1)] + \
        [(6, [1, 5], 2 * 8 * 5 + 128), (-1, [], 0)]
    got = [(e["status"], e.get("dims0", []), e["total_bytes"]) for e in sd]
    check(got == want, "py_set_data of the main exec object: %s, want %s" % (got, want))
    check(all(e["num_buffers"] == 11 and e["skipped"] == 8 and e["elem0"] == 8
              for e in sd[:5]), "py_set_data counts: %s" % sd[:5])
    check(len(ev["py_set_data"]) == 6 + 6, "py_set_data: %d events" % len(ev["py_set_data"]))
    # inferences: 4 + 6 (threads) enqueued, 1 refused enqueue that raised, 1 run
    ent = ev["py_enqueue_entry"]
    seqs = sorted(e["seq"] for e in ent)
    check(seqs == list(range(12)), "py_enqueue_entry seqs %s" % seqs)
    ex = {e["seq"]: e["status"] for e in ev["py_enqueue_exit"]}
    runs = ev["py_run"]
    check(len(runs) == 1 and runs[0]["status"] == 0 and runs[0]["execobj"] == ids["execobj"]
          and runs[0]["num_buffers"] == 11 and runs[0]["total_bytes"] == 2 * 8 + 128,
          "py_run: %s" % runs)
    run_seq = runs[0]["seq"] if runs else None
    check(sorted(ex) == sorted(set(range(12)) - {run_seq}), "py_enqueue_exit seqs %s" % sorted(ex))
    check(sorted(ex.values()) == [-1] + [0] * 10, "py_enqueue_exit statuses %s" % sorted(ex.values()))
    check([e["queue"] for e in ent if e["seq"] == run_seq] == [0], "run's entry queue")
    check(all(e["queue"] == ids["queue"] for e in ent if e["seq"] != run_seq),
          "enqueue entries name the queue")
    waits = ev["py_wait"]
    check(len(waits) == 10 and all(w["status"] == 0 for w in waits), "py_wait: %s" % waits)
    gd = ev["py_get_data"]
    check([(g["num_buffers"], g["total_bytes"]) for g in gd] ==
          [(11, 2 * 8 * t + 128) for t in (8, 1, 1, 1)], "py_get_data: %s" % gd)
    # every Python inference reached the kernel (libqprof.so's events)
    check(len(ev["kmd_execute"]) == 11, "kmd_execute: %d, want 11" % len(ev["kmd_execute"]))
    for f in fails:
        print("FAIL:", f)
    if not fails:
        print("ok: %d Python events checked against the application"
              % sum(len(v) for k, v in ev.items() if k.startswith("py_")))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
