#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Check a qprof trace of one application process against ground truth.

Usage: check_trace.py TEXT --pid PID [options]

TEXT is `babeltrace2 --clock-cycles --no-delta TRACE` output (the global
session daemon may record other processes too: only PID's events count).
The truths come from outside the trace: the application's InferenceCnt
(--inferences), its completion style, the runtime's own latency dumps
(--latency-dir) and the number of program instances (--instances).

Checks (each failure is printed; exit status 1 when any failed):
  - exactly one process_info, naming the runtime library and shim version;
  - one api_enqueue_entry per inference, seq 0..N-1, each with an
    api_enqueue_exit of the same seq on the same thread, status 0;
  - every inference has exactly one successful EXECUTE and one successful
    WAIT; the completion calls of the style are seen N times;
  - BO handles are tied to exec objects: the BOs created on the thread
    inside qaicCreateExecObj are exactly the handles of the EXECUTEs of
    that exec object, the k-th enqueue of an exec object precedes its k-th
    EXECUTE, which precedes its k-th WAIT (on the last output BO), which
    precedes its (k+1)-th enqueue;
  - every EXECUTE's dbc_id was activated by a MANAGE and attached its BOs;
  - PERF_STATS: the runtime's queries (by_shim=0) and the shim's own
    (by_shim=1) in the numbers the settings imply; with --latency-dir, the
    kernel values of the runtime's queries equal the dumps' rows
    (exectoVcUs, execToCompleteUs, queueDepth) as multisets; the shim's own
    query returns the same values as the runtime's query of the same
    completion (--kmd-stats always with profiling on).
"""
import argparse
import collections
import glob
import os
import re
import sys

LINE = re.compile(r"^\[(\d+)\] \S+ (\w+):(\w+): \{ cpu_id = \d+ \}, "
                  r"\{ (.*) \}$")


class Parser:
    """Payload of babeltrace2's text sink: `k = v, k = v, ...`."""

    def __init__(self, s):
        self.s, self.i = s, 0

    def skip(self):
        while self.i < len(self.s) and self.s[self.i] == " ":
            self.i += 1

    def value(self):
        self.skip()
        c = self.s[self.i]
        if c == '"':
            out, self.i = [], self.i + 1
            while self.s[self.i] != '"':
                if self.s[self.i] == "\\":
                    self.i += 1
                out.append(self.s[self.i])
                self.i += 1
            self.i += 1
            return "".join(out)
        if c == "[":
            self.i += 1
            vals = []
            self.skip()
            while self.s[self.i] != "]":
                m = re.compile(r"\[\d+\] = ").match(self.s, self.i)
                self.i = m.end()
                vals.append(self.value())
                self.skip()
                if self.s[self.i] == ",":
                    self.i += 1
                    self.skip()
            self.i += 1
            return vals
        m = re.compile(r"-?(0x[0-9a-fA-F]+|\d+)").match(self.s, self.i)
        self.i = m.end()
        return int(m.group(0), 0)

    def fields(self):
        out = {}
        while self.i < len(self.s):
            m = re.compile(r" *(\w+) = ").match(self.s, self.i)
            self.i = m.end()
            out[m.group(1)] = self.value()
            self.skip()
            if self.i < len(self.s) and self.s[self.i] == ",":
                self.i += 1
        return out


def read_events(path, pid):
    evs = []
    # One session records many runs: skip other processes' lines before
    # the (slow) full parse.
    mine = "{ pid = %d, " % pid
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if mine not in line:
                continue
            m = LINE.match(line.rstrip("\n"))
            if not m or m.group(2) != "qprof":
                continue
            try:
                fl = Parser(m.group(4)).fields()
            except (AttributeError, IndexError, ValueError):
                sys.exit("%s:%d: cannot parse payload" % (path, n))
            if fl.get("pid") != pid:
                continue
            fl["ts"] = int(m.group(1))
            fl["ev"] = m.group(3)
            evs.append(fl)
    return evs


def read_latency_rows(d):
    """(exectoVcUs, execToCompleteUs, queueDepth) of every dump row."""
    rows = []
    for p in sorted(glob.glob(os.path.join(d, "aic-profiling-program-*"
                                           "-latency.txt"))):
        lines = open(p).read().splitlines()
        cols = [c.strip() for c in lines[4].split(",")]
        for ln in lines[5:]:
            v = dict(zip(cols, (x.strip() for x in ln.split(","))))
            rows.append((int(v["exectoVcUs"]), int(v["execToCompleteUs"]),
                         int(v["queueDepth"])))
    return rows


class Checker:
    def __init__(self):
        self.bad = []
        self.n = 0

    def eq(self, what, got, want):
        self.n += 1
        if got != want:
            self.bad.append("%s: got %r, want %r" % (what, got, want))
            return False
        return True

    def true(self, what, cond):
        self.n += 1
        if not cond:
            self.bad.append(what)
        return cond


def by(evs, name, **kw):
    return [e for e in evs if e["ev"] == name and
            all(e.get(k) == v for k, v in kw.items())]


def check_api(c, evs, a):
    n = a.inferences
    ent = by(evs, "api_enqueue_entry")
    ext = by(evs, "api_enqueue_exit")
    c.eq("api_enqueue_entry count", len(ent), n)
    # seq: unique in the process, increasing on each thread (handed out
    # to threads in blocks, docs/EVENTS.md)
    c.eq("duplicate api_enqueue_entry seqs",
         len(set(e["seq"] for e in ent)), len(ent))
    last, backwards = {}, []
    for e in ent:       # in timestamp order
        if e["seq"] <= last.get(e["tid"], -1):
            backwards.append(e["seq"])
        last[e["tid"]] = e["seq"]
    c.eq("api_enqueue_entry seqs not increasing on their thread",
         backwards, [])
    exits = {(e["seq"], e["tid"]): e for e in ext}
    c.eq("api_enqueue_exit count", len(ext), n)
    c.eq("api_enqueue_exit with status != 0",
         [e["seq"] for e in ext if e["status"] != 0], [])
    c.eq("enqueue entries without an exit on their thread",
         [e["seq"] for e in ent if (e["seq"], e["tid"]) not in exits], [])
    c.eq("enqueue exits before their entry",
         [e["seq"] for e in ent if (e["seq"], e["tid"]) in exits and
          exits[(e["seq"], e["tid"])]["ts"] < e["ts"]], [])
    ok = lambda name: [e for e in by(evs, name) if e["status"] == 0]
    if a.style == "wait":
        c.eq("successful api_execobj_wait", len(ok("api_execobj_wait")), n)
    elif a.style == "event":
        c.eq("successful api_event_wait", len(ok("api_event_wait")), n)
    elif a.style == "callback":
        c.eq("api_callback_entry", len(by(evs, "api_callback_entry")), n)
        c.eq("api_callback_exit", len(by(evs, "api_callback_exit")), n)
        c.true("callback registered with the application's pointer",
               any(e["add"] == 1 and e["status"] == 0 and e["callback"] in
                   {x["callback"] for x in by(evs, "api_callback_entry")}
                   for e in by(evs, "api_event_callback_reg")))
        c.eq("successful api_execobj_wait", len(ok("api_execobj_wait")), n)
    if a.group:
        # The group creates its queue and programs, and activates them
        # inside its Enable: no qaicCreateProgram / RunActivationCmd.
        grp = ok("api_program_group_create")
        c.eq("successful api_program_group_create", len(grp), 1)
        g = grp[0]["group"] if grp else None
        c.true("program group created without a queue",
               grp and grp[0]["queue"] != 0)
        add = ok("api_program_group_add")
        c.eq("programs added to the group", len(add), a.instances)
        c.eq("programs added to another group",
             [e["group"] for e in add if e["group"] != g], [])
        c.eq("distinct programs added", len({e["program"] for e in add}),
             a.instances)
        for name in ("api_program_group_enable",
                     "api_program_group_release"):
            c.eq("successful %s of the group" % name,
                 [e["obj"] for e in ok(name)], [g])
        dis = ok("api_program_group_disable")
        c.eq("successful api_program_group_disable of the group",
             [(e["group"], e["wait_for_idle"]) for e in dis], [(g, 1)])
        # exec objects run on the group's queue
        c.eq("enqueues on another queue than the group's",
             sorted({e["queue"] for e in ent} - {grp[0]["queue"]
                                                  if grp else None}), [])
        c.eq("api_program_create in a group run",
             len(by(evs, "api_program_create")), 0)
        c.true("no successful api_execobj_create", ok("api_execobj_create"))
    else:
        for name in ("api_context_create", "api_program_create",
                     "api_queue_create", "api_execobj_create"):
            c.true("no successful %s" % name, ok(name))
        c.eq("program instances created", len(ok("api_program_create")),
             a.instances)
        c.eq("api_program_activation ACTIVATE_FULL ok",
             len([e for e in ok("api_program_activation")
                  if e["cmd"] == 0]), a.instances)
    if a.program_name and not a.group:
        c.eq("program names", sorted({e["name"] for e in
                                      ok("api_program_create")}),
             sorted(set(a.program_name)))
    if a.loader:
        ft = by(evs, "api_function_table")
        c.true("no api_function_table event", ft)
        c.true("function table copy wraps no entry",
               all(e["wrapped"] > 0 and e["words"] >= e["wrapped"]
                   for e in ft))


def bo_owners(c, evs):
    """Exec object of every BO: created on the thread inside the call."""
    owner = {}
    creates = [e for e in evs if e["ev"] == "api_execobj_create" and
               e["status"] == 0]
    for bo in by(evs, "kmd_create_bo", ret=0):
        inside = [x for x in creates if x["tid"] == bo["tid"] and
                  x["begin_ts"] <= bo["begin_ts"] and bo["ts"] <= x["ts"]]
        if len(inside) == 1:
            # GEM handles are per open file: key by (fd, handle).
            owner[(bo["fd"], bo["handle"])] = inside[0]["execobj"]
    return owner


def check_kmd(c, evs, a):
    n = a.inferences
    execs = by(evs, "kmd_execute", ret=0)
    waits = by(evs, "kmd_wait", ret=0)
    c.eq("successful kmd_execute", len(execs), n)
    c.eq("successful kmd_wait", len(waits), n)
    # Interrupted WAITs (EINTR): retries of a WAIT that then succeeds.
    intr = by(evs, "kmd_wait", ret=-1, err=4)
    c.eq("kmd_wait interrupted (EINTR)", len(intr), a.wait_eintr)
    c.eq("kmd_wait failed otherwise", [(e["err"]) for e in by(evs, "kmd_wait")
                                       if e["ret"] and e["err"] != 4], [])
    c.eq("interrupted WAITs not retried on their thread",
         [e["handle"] for e in intr
          if not [w for w in waits if w["tid"] == e["tid"] and
                  w["handle"] == e["handle"] and w["ts"] > e["ts"]]], [])
    c.eq("kmd_execute partial", {e["partial"] for e in execs} -
         ({0, 1} if a.partial else {0}), set())
    act = {e["activated_dbc"] for e in by(evs, "kmd_manage", ret=0)} - {-1}
    c.eq("kmd_manage activations", len(act), a.instances)
    c.eq("EXECUTE on a DBC never activated",
         sorted({e["dbc_id"] for e in execs} - act), [])
    attached = {(e["fd"], e["handle"], e["dbc_id"]): e["dir"]
                for e in by(evs, "kmd_attach_slice", ret=0)}
    # The kernel ignores execute_entry.dir (the simulated runtime may write
    # 0 or swapped dirs there: --exec-dirs any); ATTACH's dir holds.
    c.eq("EXECUTE entries not attached on their DBC%s" %
         (" with their dir" if a.exec_dirs == "attach" else ""),
         sorted({(e["fd"], h, e["dbc_id"]) for e in execs
                 for h, d in zip(e["handles"], e["dirs"])
                 if (e["fd"], h, e["dbc_id"]) not in attached or
                 (a.exec_dirs == "attach" and
                  attached[(e["fd"], h, e["dbc_id"])] != d)}), [])
    # wait_handle: the last entry attached from the device (truth: the
    # kmd_attach_slice events), and the one the runtime waits on.
    c.eq("kmd_execute.wait_handle not the last entry attached FROM_DEV",
         sorted({(e["fd"], tuple(e["handles"][:3]), e["wait_handle"])
                 for e in execs if e["wait_handle"] !=
                 [h for h in e["handles"]
                  if attached.get((e["fd"], h, e["dbc_id"])) == 2][-1]})[:5],
         [])
    c.eq("WAIT not on the wait handle of an EXECUTE",
         sorted({(w["fd"], w["handle"]) for w in waits} -
                {(e["fd"], e["wait_handle"]) for e in execs}), [])
    if a.bos is not None:
        c.eq("EXECUTE entry counts", sorted({len(e["handles"])
                                             for e in execs}), [a.bos])
    return execs, waits


def check_ties(c, evs, execs, waits):
    """Per exec object: enqueue k < EXECUTE k < WAIT k < enqueue k+1."""
    owner = bo_owners(c, evs)
    eos = {}
    for e in execs:
        o = {owner.get((e["fd"], h)) for h in e["handles"]}
        if not c.true("EXECUTE handles %s not all of one exec object (%s)"
                      % (e["handles"], o), len(o) == 1 and None not in o):
            return
        eos.setdefault(o.pop(), {"x": [], "w": [], "q": []})["x"].append(e)
    for w in waits:
        o = owner.get((w["fd"], w["handle"]))
        if c.true("WAIT handle %d of no exec object" % w["handle"],
                  o in eos):
            eos[o]["w"].append(w)
    for q in by(evs, "api_enqueue_entry"):
        if c.true("enqueue of exec object %#x that never executed"
                  % q["execobj"], q["execobj"] in eos):
            eos[q["execobj"]]["q"].append(q)
    bos = collections.defaultdict(set)
    for fh, o in owner.items():
        bos[o].add(fh)
    order_bad = 0
    for o, d in eos.items():
        c.eq("exec object %#x: EXECUTE handles vs BOs created in "
             "qaicCreateExecObj" % o, {(x["fd"], h) for x in d["x"]
                                       for h in x["handles"]}, bos[o])
        c.eq("exec object %#x: enqueues/EXECUTEs/WAITs" % o,
             (len(d["q"]), len(d["w"])), (len(d["x"]), len(d["x"])))
        q = sorted(d["q"], key=lambda e: e["ts"])
        x = sorted(d["x"], key=lambda e: e["begin_ts"])
        w = sorted(d["w"], key=lambda e: e["ts"])
        for k in range(min(len(q), len(x), len(w))):
            if not (q[k]["ts"] <= x[k]["begin_ts"] and
                    x[k]["ts"] <= w[k]["ts"]):
                order_bad += 1
            if k + 1 < len(q) and not w[k]["ts"] <= q[k + 1]["ts"]:
                order_bad += 1
    c.eq("inferences out of order (enqueue<EXECUTE<WAIT<next enqueue)",
         order_bad, 0)
    c.true("no exec object seen", eos)


def wait_handle_of(e):
    """The request's wait handle: the event's own (schema 2), else the
    last output entry by its dirs."""
    if e.get("wait_handle"):
        return e["wait_handle"]
    outs = [h for h, d in zip(e["handles"], e["dirs"]) if d == 2]
    return outs[-1] if outs else e["handles"][-1]


def check_perf(c, evs, a, execs, waits):
    rt = by(evs, "kmd_perf_stats", ret=0, by_shim=0)
    own = by(evs, "kmd_perf_stats", by_shim=1)
    calls = by(evs, "kmd_perf_query")
    n = a.inferences
    c.eq("failed kmd_perf_stats", len(by(evs, "kmd_perf_stats")) -
         len(rt) - len(own), 0)
    # The runtime also queries once at the first EAGAIN of a submit
    # (docs/CONTRACTS.md §6.4): a query right after a refused EXECUTE on its
    # thread is that one, not a profiled sample's.
    xt = collections.defaultdict(list)
    for x in by(evs, "kmd_execute") + by(evs, "kmd_partial_execute"):
        xt[x["tid"]].append(x)

    def after_refusal(e):
        prev = [x for x in xt[e["tid"]] if x["ts"] <= e["begin_ts"]]
        return bool(prev) and max(prev, key=lambda x: x["ts"])["ret"] != 0
    rt = [e for e in rt if not after_refusal(e)]
    if a.profiled is not None:
        c.eq("runtime PERF_STATS (by_shim=0)", len(rt), a.profiled)
    if a.kmd_stats == "off":
        c.eq("shim PERF_STATS with QPROF_KMD_STATS=0", len(own), 0)
        c.eq("shim PERF_STATS calls with QPROF_KMD_STATS=0", len(calls), 0)
    elif a.kmd_stats == "always" or (a.kmd_stats == "auto" and
                                     not a.profiled):
        c.eq("shim PERF_STATS (by_shim=1)", len(own), n)
    c.eq("shim PERF_STATS that failed", [e for e in own if e["ret"]], [])
    c.eq("shim PERF_STATS calls that failed",
         [e for e in calls if e["ret"]], [])
    c.eq("requests answered by the shim's calls vs its events",
         sum(e["answered"] for e in calls), len(own))
    c.true("shim calls %d > its events %d" % (len(calls), len(own)),
           len(calls) <= len(own))
    if a.max_calls_per_inference is not None and n:
        c.true("shim PERF_STATS calls per inference %.3f > %.3f"
               % (len(calls) / n, a.max_calls_per_inference),
               len(calls) / n <= a.max_calls_per_inference)
    # Every execution of a request (its EXECUTEs, by wait handle) has its
    # stats between that EXECUTE's return and the next one's entry: from
    # the runtime (a query of all its entries showing completion) or from
    # the shim (exactly one event, the request whole).  The stats are
    # final: the wait handle's device latency is not 0.
    runs = collections.defaultdict(list)
    for x in execs:
        runs[(x["fd"], wait_handle_of(x))].append(x)
    for k in runs:
        runs[k].sort(key=lambda x: x["ts"])
    bad_own, uncovered, mismatch, extra = [], 0, [], 0
    own_by_run = collections.Counter()
    for e in own:
        wh = [h for h in e["handles"] if (e["fd"], h) in runs]
        if not wh:
            bad_own.append(e["handles"][:4])
            continue
        xs = runs[(e["fd"], wh[0])]
        # The run's kmd_execute precedes the query (its stats are that
        # run's), and the next run's kmd_execute follows the answer's
        # event: in the trace's order, which the report reads.  (The next
        # EXECUTE's begin_ts may precede the answer: its thread entered the
        # ioctl while another thread's query was answering the run.)
        prev = [i for i, x in enumerate(xs) if x["ts"] <= e["begin_ts"]]
        if not prev:
            bad_own.append(("query before the run's kmd_execute",
                            e["handles"][:4]))
            continue
        i = prev[-1]
        if i + 1 < len(xs) and not e["ts"] <= xs[i + 1]["ts"]:
            bad_own.append(("answer after the next run's kmd_execute",
                            e["handles"][:4]))
        if e["handles"] != xs[i]["handles"]:
            mismatch.append(e["handles"][:4])
        if e["device_latency_us"][e["handles"].index(wh[0])] == 0:
            bad_own.append(("zero device latency", e["handles"][:4]))
        own_by_run[(e["fd"], wh[0], i)] += 1
    c.eq("shim PERF_STATS outside their run (after its EXECUTE, before "
         "the next), or with the waited BO not completed", bad_own[:5], [])
    c.eq("shim PERF_STATS not the whole request", mismatch[:5], [])
    extra = sum(v - 1 for v in own_by_run.values() if v > 1)
    c.eq("runs queried more than once by the shim", extra, 0)
    if a.kmd_stats != "off":
        rt_cover = set()
        for e in rt:
            for k, xs in runs.items():
                if k[0] != e["fd"] or k[1] not in e["handles"]:
                    continue
                prev = [i for i, x in enumerate(xs)
                        if x["ts"] <= e["begin_ts"]]
                if prev and e["handles"] == xs[prev[-1]]["handles"] and \
                        e["device_latency_us"][e["handles"].index(k[1])]:
                    rt_cover.add((k[0], k[1], prev[-1]))
        for k, xs in runs.items():
            for i in range(len(xs)):
                if (k[0], k[1], i) not in own_by_run and \
                        (k[0], k[1], i) not in rt_cover:
                    uncovered += 1
        c.eq("completed runs whose stats nobody read", uncovered, 0)
    if a.kmd_stats == "always" and a.profiled == n:
        # Same completion, same kernel record: identical values.
        miss = 0
        for e in own:
            idx = [rt_e for rt_e in rt if rt_e["tid"] == e["tid"] and
                   rt_e["fd"] == e["fd"] and rt_e["ts"] >= e["ts"]]
            r = idx[0] if idx else None
            if r is None:
                miss += 1
                continue
            vals = {h: (s, d) for h, s, d in zip(
                r["handles"], r["submit_latency_us"], r["device_latency_us"])}
            if any(vals.get(h) != (s, d) for h, s, d in zip(
                    e["handles"], e["submit_latency_us"],
                    e["device_latency_us"])):
                miss += 1
        c.eq("shim PERF_STATS values differing from the runtime's next "
             "query on the thread", miss, 0)
    if a.latency_dir:
        rows = read_latency_rows(a.latency_dir)
        c.eq("runtime latency dump rows", len(rows), a.profiled)
        vals = []
        for e in rt:
            w = len(e["handles"]) - 1
            ex = [x for x in execs if x["dbc_id"] == e["dbc_id"] and
                  x["fd"] == e["fd"] and x["handles"] == e["handles"]]
            if ex:
                w = e["handles"].index(wait_handle_of(ex[0]))
            vals.append((e["submit_latency_us"][w],
                         e["device_latency_us"][w],
                         e["queue_level_before"][0]))
        c.eq("PERF_STATS (submit, device, queue level) vs latency dumps "
             "(multisets differ by)",
             sorted((collections.Counter(vals) -
                     collections.Counter(rows)).elements())[:5], [])


def self_test():
    """check_perf on hand-made runs: the orderings threads really produce
    pass, the wrong ones fail (neither too strict nor too lax)."""
    def x(ts, begin, h):	# a successful EXECUTE of handles h
        return {"ev": "kmd_execute", "ret": 0, "tid": 1, "fd": 5,
                "dbc_id": 0, "ts": ts, "begin_ts": begin, "handles": h,
                "wait_handle": h[-1]}

    def own(ts, begin, h, fd=5):	# the shim's answer of a run of h
        return {"ev": "kmd_perf_stats", "by_shim": 1, "ret": 0, "tid": 2,
                "fd": fd, "dbc_id": 0, "ts": ts, "begin_ts": begin,
                "handles": h, "device_latency_us": [7] * len(h),
                "submit_latency_us": [1] * len(h)}

    def run(evs):
        evs = evs + [{"ev": "kmd_perf_query", "ret": 0, "answered": 1}
                     for e in evs if e["ev"] == "kmd_perf_stats"]
        a = argparse.Namespace(inferences=2, profiled=0, kmd_stats="auto",
                               max_calls_per_inference=None,
                               latency_dir=None)
        c = Checker()
        check_perf(c, evs, a, by(evs, "kmd_execute"), [])
        return c.bad

    h = [4, 5, 6]
    cases = [
        # Another thread answers run 0 while the next EXECUTE's thread is
        # entering its ioctl (begin_ts 140 before the answer): the kernel
        # call, and its event (ts 200), follow the answer.  Fine.
        ("next EXECUTE entered before the answer", True,
         [x(100, 90, h), own(160, 150, h), x(200, 140, h),
          own(300, 290, h)]),
        ("answer after the next run's kmd_execute", False,
         [x(100, 90, h), own(210, 150, h), x(200, 140, h),
          own(300, 290, h)]),
        ("query before the run's kmd_execute", False,
         [x(100, 90, h), own(160, 80, h), x(200, 140, h),
          own(300, 290, h)]),
        ("answer on another fd", False,
         [x(100, 90, h), own(160, 150, h, fd=6), x(200, 140, h),
          own(300, 290, h)]),
        ("a run answered twice, one never", False,
         [x(100, 90, h), x(200, 140, h), own(300, 290, h),
          own(310, 305, h)]),
    ]
    bad = 0
    for name, ok, evs in cases:
        got = run(evs)
        if (not got) != ok:
            print("self-test: %s: %s" % (name, got or "passed, want a "
                                         "failure"), file=sys.stderr)
            bad += 1
    print("self-test: %d of %d cases right" % (len(cases) - bad, len(cases)))
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("text")
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--inferences", type=int, required=True)
    ap.add_argument("--instances", type=int, default=1)
    ap.add_argument("--style", choices=("wait", "event", "callback"),
                    default="wait")
    ap.add_argument("--program-name", action="append")
    ap.add_argument("--loader", action="store_true")
    ap.add_argument("--wait-eintr", type=int, default=0,
                    help="WAITs interrupted by the simulator's fault")
    ap.add_argument("--group", action="store_true",
                    help="the programs run in one program group")
    ap.add_argument("--kernel-only", action="store_true")
    ap.add_argument("--kmd-stats", choices=("auto", "always", "off"),
                    default="auto")
    ap.add_argument("--profiled", type=int,
                    help="inferences the runtime profiles (default 0)")
    ap.add_argument("--latency-dir")
    ap.add_argument("--max-calls-per-inference", type=float)
    ap.add_argument("--exec-dirs", choices=("attach", "any"),
                    default="attach")
    ap.add_argument("--bos", type=int, help="entries of every EXECUTE")
    ap.add_argument("--partial", action="store_true",
                    help="PARTIAL_EXECUTE allowed (LLM runs)")
    ap.add_argument("--kernel-path", dest="kernel_paths", action="append",
                    help="node name prefixes opened (accel, qaic_aic100_)")
    ap.add_argument("--runtime", default="libQAic.so")
    ap.add_argument("--shim-version")
    a = ap.parse_args()
    if a.profiled is None:
        a.profiled = 0
    evs = read_events(a.text, a.pid)
    c = Checker()
    pi = by(evs, "process_info")
    c.eq("process_info count", len(pi), 1)
    if pi:
        c.true("process_info runtime_path %r does not end in %s" %
               (pi[0]["runtime_path"], a.runtime),
               a.kernel_only or pi[0]["runtime_path"].endswith(a.runtime))
        if a.shim_version:
            c.eq("process_info shim_version", pi[0]["shim_version"],
                 a.shim_version)
    if a.kernel_only:
        c.eq("api_* events in kernel-only mode",
             sorted({e["ev"] for e in evs if e["ev"].startswith("api_")}),
             [])
    else:
        check_api(c, evs, a)
    execs, waits = check_kmd(c, evs, a)
    if a.kernel_paths:
        c.eq("kmd_open paths", sorted({e["path"].rsplit("/", 1)[-1].rstrip("0123456789")
                                       for e in by(evs, "kmd_open")}),
             sorted(set(a.kernel_paths)))
    if not a.kernel_only:
        check_ties(c, evs, execs, waits)
    check_perf(c, evs, a, execs, waits)
    cnt = collections.Counter(e["ev"] for e in evs)
    print("pid %d: %d events (%s)" % (a.pid, len(evs), ", ".join(
        "%s %d" % kv for kv in sorted(cnt.items()))))
    for b in c.bad:
        print("%s: %s" % (a.text, b), file=sys.stderr)
    print("%d of %d checks failed" % (len(c.bad), c.n) if c.bad else
          "%d checks passed" % c.n)
    return 1 if c.bad else 0


if __name__ == "__main__":
    sys.exit(self_test() if sys.argv[1:] == ["--self-test"] else main())
