#!/bin/bash
# qaicrt reaches the simulated runtime without its exported qaic* symbols,
# as Qualcomm's module reaches the C++ runtime (docs/SIMULATOR.md "Python"):
# with qaic_trap.so LD_PRELOADed (every exported qaic* function aborts), a
# Python prefill + decode still succeeds, while the C sample application,
# which calls the exported functions, is stopped by the trap at its first
# call (the control: the trap works).
set -u
trap_so="$top_builddir/tests/python/.libs/qaic_trap.so"
preload="${SAN_PRELOAD:+$SAN_PRELOAD }$trap_so"
fail=0

out=$(LD_PRELOAD="$preload" PYTHONPATH="$SIM_PYTHONPATH" PYTHONDONTWRITEBYTECODE=1 \
	"$PYTHON3" - "$srcdir/llm-mini.desc" 2>&1 <<'PY'
import sys
import qaicrt
S = qaicrt.QStatus
ctx = qaicrt.Context(qaicrt.QIDList([0]))
q = qaicrt.Queue(ctx, 0)
qpc = qaicrt.Qpc(sys.argv[1])
st, iod = qpc.getIoDescriptor()
assert st == S.QS_SUCCESS
p = qaicrt.Program(ctx, 0, qpc, qaicrt.QAicProgramProperties())
assert p.load() == S.QS_SUCCESS and p.activate() == S.QS_SUCCESS
eo = qaicrt.ExecObj(ctx, p)
n = 0
for tokens in (8, 1, 1, 1):
    ids = bytes(8 * tokens)
    bufs = [qaicrt.QBuffer(ids), qaicrt.QBuffer(ids)] + [qaicrt.QBuffer(b"")] * 4 + \
        [qaicrt.QBuffer(bytes(128))] + [qaicrt.QBuffer(b"")] * 4
    dims = qaicrt.BufferDimensionsVecRef([(8, [1, tokens])] * 2 + [(2, [0])] * 4 +
                                         [(4, [1, 1, 32])] + [(2, [0])] * 4)
    assert eo.setData(bufs, dims) == S.QS_SUCCESS
    assert q.enqueue(eo) == S.QS_SUCCESS
    assert eo.waitForCompletion() == S.QS_SUCCESS
    st, out = eo.getData()
    assert st == S.QS_SUCCESS and out[6].size == 128
    n += 1
del eo
assert p.deactivate() == S.QS_SUCCESS
print("python inferences:", n)
PY
)
rc=$?
echo "$out"
if [ $rc -ne 0 ] || ! grep -q '^python inferences: 4$' <<<"$out"; then
	echo "FAIL: the Python inferences did not complete under the trap (exit $rc)"
	fail=1
fi

out=$(LD_PRELOAD="$preload" QAIC_LIB= "$top_builddir/sim/apps/qaic-sim-app" -t tiny -n 2 2>&1)
rc=$?
if [ $rc -eq 0 ] || ! grep -q 'qaic_trap: qaic[A-Za-z]* called' <<<"$out"; then
	echo "FAIL: control: qaic-sim-app was not stopped by the trap (exit $rc): $out"
	fail=1
else
	echo "ok: control: $(grep -o 'qaic_trap: [^ ]*' <<<"$out" | head -1) stopped qaic-sim-app"
fi
exit $fail
