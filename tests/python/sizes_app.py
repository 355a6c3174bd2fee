"""The buffer sizes the Python hooks record when QBuffers are reused
(_qprof_py remembers each exec object's last buffers by weak reference):
a retained list passed step after step with some buffers replaced in place
(by buffers of other sizes, also after the old one died so that the new
one may take its address), the same QBuffer several times in a list, a
list shrinking and growing, more exec objects than the hooks remember at
once (16) used in turn, and getData after each.  On stderr, one line per
setData/getData: `set|get ID NUM TOTAL SKIPPED`, the figures the
application computes itself from QBuffer.size (the events must carry
them)."""
import gc
import sys

import qaicrt

desc = sys.argv[1]
ctx = qaicrt.Context(qaicrt.QIDList([0]))
qpc = qaicrt.Qpc(desc)
p = qaicrt.Program(ctx, None, qpc, qaicrt.QAicProgramProperties())
assert p.load() == 0 and p.activate() == 0
lines = []


def figures(bufs):
    sizes = [b.size for b in bufs]
    return "%d %d %d" % (len(sizes), sum(sizes), sum(s == 0 for s in sizes))


def step(eo, bufs):
    eo.setData(bufs)
    lines.append("set %d %s" % (id(eo), figures(bufs)))
    st, res = eo.getData()
    lines.append("get %d %s" % (id(eo), figures(res)))


eo = qaicrt.ExecObj(ctx, p)
empty = qaicrt.QBuffer(b"")
bufs = [qaicrt.QBuffer(bytes(64)), qaicrt.QBuffer(bytes(64))] + [empty] * 4 + \
    [qaicrt.QBuffer(bytes(128))] + [empty] * 4
step(eo, bufs)
step(eo, bufs)                              # all the same
bufs[0] = qaicrt.QBuffer(bytes(8))          # replaced while the old lives
bufs[1] = qaicrt.QBuffer(bytes(8))
step(eo, bufs)
for size in (24, 40, 0, 16):                # the old one dies first
    bufs[6] = None
    gc.collect()
    bufs[6] = qaicrt.QBuffer(bytes(size))
    step(eo, bufs)
bufs[2] = qaicrt.QBuffer(bytes(32))         # a skipped buffer given data
step(eo, bufs)
step(eo, bufs[:5])                          # fewer buffers
step(eo, bufs + [qaicrt.QBuffer(bytes(4))] * 3)  # more
step(eo, [qaicrt.QBuffer(bytes(3 * i)) for i in range(11)])  # all new, dead at once
step(eo, [qaicrt.QBuffer(bytes(5 * i)) for i in range(11)])
# more exec objects than remembered, in turn, each with its own list
eos = [qaicrt.ExecObj(ctx, p) for _ in range(20)]
lists = [[qaicrt.QBuffer(bytes(i + k)) for k in range(4)] for i in range(20)]
for rnd in range(3):
    for i, (e, l) in enumerate(zip(eos, lists)):
        if rnd == 2:
            l[i % 4] = qaicrt.QBuffer(bytes(100 + i))
        step(e, l)
# an exec object dies; a new one may take its address, with other buffers
del eo
gc.collect()
eo = qaicrt.ExecObj(ctx, p)
step(eo, [qaicrt.QBuffer(bytes(7))] * 11)
eo.run([qaicrt.QBuffer(bytes(9))] * 11)
lines.append("run %d %s" % (id(eo), figures([qaicrt.QBuffer(bytes(9))] * 11)))
del eo, eos
sys.stderr.write("\n".join(lines) + "\n")
