"""A small Python LLM-style program on qaicrt for the hook tests: prefill,
then decode steps, then the failures a program meets (a bad shape: a
QStatus; a wrong argument: an exception), then two threads each running
their own exec object.  It prints a transcript of what every call returned
or raised (the same with and without qprof's hooks), and on stderr the ids
of its objects (what the recorded events must name)."""
import sys
import threading
import traceback

import qaicrt

S = qaicrt.QStatus
desc = sys.argv[1]
out = []


def note(what, value):
    out.append("%s: %s %r" % (what, type(value).__name__, value))


ctx = qaicrt.Context(qaicrt.QIDList([0]))
q = qaicrt.Queue(ctx, 0)
qpc = qaicrt.Qpc(desc)
st, iod = qpc.getIoDescriptor()
note("getIoDescriptor", (st, len(iod)))
p = qaicrt.Program(ctx, None, qpc, qaicrt.QAicProgramProperties())
note("load", p.load())
note("activate", p.activate())
eo = qaicrt.ExecObj(ctx, p)
sys.stderr.write("ids ctx=%d queue=%d qpc=%d program=%d execobj=%d\n"
                 % (id(ctx), id(q), id(qpc), id(p), id(eo)))


def step_buffers(tokens):
    ids = bytes(8 * tokens)
    bufs = [qaicrt.QBuffer(ids), qaicrt.QBuffer(ids)] + [qaicrt.QBuffer(b"")] * 4 + \
        [qaicrt.QBuffer(bytes(128))] + [qaicrt.QBuffer(b"")] * 4
    dims = qaicrt.BufferDimensionsVecRef([(8, [1, tokens])] * 2 + [(2, [0])] * 4 +
                                         [(4, [1, 1, 32])] + [(2, [0])] * 4)
    return bufs, dims


for tokens in (8, 1, 1, 1):
    bufs, dims = step_buffers(tokens)
    note("setData", eo.setData(bufs, dims))
    note("enqueue", q.enqueue(eo))
    note("waitForCompletion", eo.waitForCompletion())
    st, res = eo.getData()
    note("getData", (st, [b.size for b in res]))
# failures: a shape no specialization takes, a wrong argument
bufs, dims = step_buffers(5)
note("setData bad shape", eo.setData(bufs, dims))
try:
    eo.setData(42)
except Exception as e:
    # the same exception, and no frame added by a wrapper
    note("setData(42) raised", (type(e).__name__, str(e),
                                len(traceback.extract_tb(e.__traceback__))))
try:
    q.enqueue("not an exec object")
except Exception as e:
    note("enqueue(str) raised", (type(e).__name__, str(e)))


def worker(i, res):
    e = qaicrt.ExecObj(ctx, p)
    b, d = step_buffers(1)
    r = []
    for _ in range(3):
        r.append((int(e.setData(b, d)), int(q.enqueue(e)), int(e.waitForCompletion())))
    res[i] = r


res = {}
ts = [threading.Thread(target=worker, args=(i, res)) for i in range(2)]
for t in ts:
    t.start()
for t in ts:
    t.join()
note("threads", sorted(res.items()))
note("run", eo.run(step_buffers(1)[0]))
del eo
note("deactivate", p.deactivate())
note("unload", p.unload())
print("\n".join(out))
sys.stderr.write("wrapped %d\n" % len(getattr(qaicrt, "__qprof_wrapped__", [])))
