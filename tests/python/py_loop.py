"""N inferences of one program through qaicrt, each setData, enqueue,
waitForCompletion, getData (a Python session's step): for
pyreport_truth.sh.  usage: py_loop.py PRESET|DESC N"""
import sys

import qaicrt

S = qaicrt.QStatus
ctx = qaicrt.Context()
q = qaicrt.Queue(ctx, 0)
qpc = qaicrt.Qpc(sys.argv[1])
p = qaicrt.Program(ctx, 0, qpc, qaicrt.QAicProgramProperties())
assert p.load() == S.QS_SUCCESS and p.activate() == S.QS_SUCCESS
eo = qaicrt.ExecObj(ctx, p)
bufs = [qaicrt.QBuffer(bytes(256)), qaicrt.QBuffer(bytes(256))]
for i in range(int(sys.argv[2])):
    bufs[0] = qaicrt.QBuffer(bytes([i % 256]) * 256)
    assert eo.setData(bufs) == S.QS_SUCCESS
    assert q.enqueue(eo) == S.QS_SUCCESS
    assert eo.waitForCompletion() == S.QS_SUCCESS
    st, out = eo.getData()
    assert st == S.QS_SUCCESS
del eo
assert p.deactivate() == S.QS_SUCCESS
