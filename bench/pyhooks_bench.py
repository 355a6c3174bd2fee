"""The Python hooks' cost per wrapped call (docs/PERFORMANCE.md "Python
hooks"): each wrapped qaicrt method of a decode step (setData, enqueue,
waitForCompletion, getData) timed against its unwrapped original
(`__wrapped__`) in the same run, best of 5 rounds of N calls each, on the
simulator's qaicrt (enqueue: of an exec object in flight, which returns
QS_BUSY at once: the call without the inference).  Run under `qprof record` (bench/pyhooks.sh) the
wrappers emit their events; without it they only check.
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
# a decode step: ids/positions (batch, 1), KV buffers skipped, logits
bufs, dims = [], []
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
    dims.append((NP[x.type], shape))
dims = qaicrt.BufferDimensionsVecRef(dims)
C, Q = qaicrt.ExecObj, qaicrt.Queue


def orig(cls, name):
    f = cls.__dict__[name]
    return getattr(f, "__wrapped__", f), f


def best(f):
    t = 1e18
    for _ in range(5):
        t0 = time.perf_counter_ns()
        for _ in range(n):
            f()
        t = min(t, (time.perf_counter_ns() - t0) / n)
    return t


total = 0.0
wrapped_any = False
print("%d buffers per step, %d calls per round" % (len(bufs), n))
for name, cls, call in (
        ("setData", C, lambda m: m(eo, bufs, dims)),
        ("waitForCompletion", C, lambda m: m(eo)),
        ("getData", C, lambda m: m(eo)),
        # last: one inference started and left in flight (QAIC_SIM_TIME_SCALE
        # makes it long), so that each timed enqueue returns QS_BUSY at once
        ("enqueue", Q, lambda m: m(q, eo))):
    o, wf = orig(cls, name)
    wrapped_any |= o is not wf
    if name == "enqueue":
        assert o(q, eo) == qaicrt.QStatus.QS_SUCCESS
    a = best(lambda: call(o))
    w = best(lambda: call(wf))
    hook = w - a
    total += hook
    print("%-18s unwrapped %8.0f ns  wrapped %8.0f ns  hook %6.0f ns  ratio %.2f"
          % (name, a, w, hook, w / a if a > 0 else 0))
eo.waitForCompletion()
print("all hooks of one decode step: %.2f us%s" % (total / 1000,
      "" if wrapped_any else " (nothing wrapped: run it under qprof record)"))
