"""The Python hooks' cost per wrapped call (docs/PERFORMANCE.md "Python
hooks"): each wrapped qaicrt method of a decode step (setData, enqueue,
waitForCompletion, getData) against its unwrapped original (`__wrapped__`)
on the simulator's qaicrt, three ways: best of 7 interleaved rounds of N
calls each; paired (median over N back-to-back pairs, the figure quoted);
the same wrapper around a no-op (the hook alone).  enqueue: of an exec
object in flight, which returns QS_BUSY at once (the call without the
inference).  Run under `qprof record` (bench/pyhooks.sh) the wrappers emit
their events; without it they only check.
usage: pyhooks_bench.py PRESET|DESC N  (a program with input_ids first)"""
import sys
import time

import numpy as np

import QAicApi_pb2 as aicapi
import qaicrt

NP = {aicapi.FLOAT_TYPE: 4, aicapi.FLOAT_16_TYPE: 2, aicapi.INT64_I_TYPE: 8,
      aicapi.INT8_TYPE: 1}
ctx = qaicrt.Context()
q = qaicrt.Queue(ctx, 0)
qpc = qaicrt.Qpc(sys.argv[1])
n = int(sys.argv[2])
st, data = qpc.getIoDescriptor()
d = aicapi.IoDesc()
d.ParseFromString(bytes(data))
b = d.selected_set.bindings
p = qaicrt.Program(ctx, 0, qpc, None)
eo = qaicrt.ExecObj(ctx, p)
# a decode step: ids/positions (batch, 1), KV buffers skipped, logits;
# two such lists that share their skipped buffers and alternate, so that
# each setData replaces the non-empty ones as a decode step does (new ids
# and positions, a new logits buffer: the hooks size those again)
bufs, bufs2, dims = [], [], []
for x in b:
    if x.name == "aiccyclecounts":
        continue
    shape = list(x.dims)
    if x.name in ("input_ids", "position_ids"):
        shape = [shape[0], 1]
    elif x.is_partial_buf_allowed:
        shape = [0]
    size = int(np.prod(shape)) * NP[x.type]
    bufs.append(qaicrt.QBuffer(bytes(size)))
    bufs2.append(qaicrt.QBuffer(bytes(size)) if size else bufs[-1])
    dims.append((NP[x.type], shape))
dims = qaicrt.BufferDimensionsVecRef(dims)
C, Q = qaicrt.ExecObj, qaicrt.Queue


def orig(cls, name):
    f = cls.__dict__[name]
    return getattr(f, "__wrapped__", f), f


def best(fa, fb, rounds=7):
    """best time per call of fa and of fb, their rounds interleaved"""
    ta = tb = 1e18
    for _ in range(rounds):
        for f, which in ((fa, 0), (fb, 1)):
            t0 = time.perf_counter_ns()
            for _ in range(n):
                f()
            t = (time.perf_counter_ns() - t0) / n
            if which:
                tb = min(tb, t)
            else:
                ta = min(ta, t)
    return ta, tb


def paired(fa, fb):
    """median over n pairs of (time of fb - time of fa), each pair one
    call of each back to back: slow drifts of a loaded machine (the
    simulator's setData varies 20-50 us from round to round) cancel"""
    d = []
    clock = time.perf_counter_ns
    for i in range(n):
        if i % 2:
            t0 = clock(); fa(); t1 = clock(); fb(); t2 = clock()
            d.append((t2 - t1) - (t1 - t0))
        else:
            t0 = clock(); fb(); t1 = clock(); fa(); t2 = clock()
            d.append((t1 - t0) - (t2 - t1))
    d.sort()
    return d[len(d) // 2]


total = total_alone = total_paired = 0.0
wrapped_any = False
steps = [bufs, bufs2]
print("%d buffers per step (%d replaced each step), %d calls per round"
      % (len(bufs), sum(a is not b for a, b in zip(bufs, bufs2)), n))


def set_data(m):
    steps.reverse()
    return m(eo, steps[0], dims)


# The hook alone: the same wrapper (_qprof_py.wrap, same kind, same
# arguments and result) around a no-op instead of the simulator's method,
# against that no-op: the simulator's own time (43 us for an llm setData)
# and its noise on a loaded machine drop out.
try:
    import _qprof_py
except ImportError:
    _qprof_py = None
for name, kind, cls, call, ret in (
        ("setData", "set_data", C, set_data, 0),
        ("waitForCompletion", "wait", C, lambda m: m(eo), 0),
        ("getData", "get_data", C, lambda m: m(eo), None),
        # last: one inference started and left in flight (QAIC_SIM_TIME_SCALE
        # makes it long), so that each timed enqueue returns QS_BUSY at once
        ("enqueue", "enqueue", Q, lambda m: m(q, eo), 0)):
    o, wf = orig(cls, name)
    wrapped_any |= o is not wf
    if name == "enqueue":
        assert o(q, eo) == qaicrt.QStatus.QS_SUCCESS
    a, w = best(lambda: call(o), lambda: call(wf))
    hook = w - a
    total += hook
    pair = paired(lambda: call(o), lambda: call(wf))
    total_paired += pair
    alone = ""
    if _qprof_py and o is not wf:
        if name == "getData":
            ret = o(eo)     # the QBuffers of the last setData
        noop = (lambda r: lambda *args: r)(ret)
        wn = _qprof_py.wrap(kind, noop)
        x, y = best(lambda: call(noop), lambda: call(wn))
        total_alone += y - x
        alone = "  hook alone %6.0f ns" % (y - x)
    print("%-18s unwrapped %8.0f ns  wrapped %8.0f ns  hook %6.0f ns  ratio %.2f"
          "  paired %6.0f ns%s" % (name, a, w, hook, w / a if a > 0 else 0, pair, alone))
eo.waitForCompletion()
print("all hooks of one decode step: %.2f us (wrapped - unwrapped), %.2f us "
      "(paired), %.2f us (hooks alone)%s" % (total / 1000, total_paired / 1000,
      total_alone / 1000,
      "" if wrapped_any else " (nothing wrapped: run it under qprof record)"))
