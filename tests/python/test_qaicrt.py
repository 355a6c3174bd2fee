"""The simulator's qaicrt and QAicApi_pb2 modules (sim/python), against
hand-computed truth for tests/python/llm-mini.desc and the runtime's
documented statuses (docs/SIMULATOR.md).  Run by qaicrt_api.sh."""
import os
import shutil
import sys
import tempfile
import threading
import time
import unittest

import numpy as np

import QAicApi_pb2 as aicapi
import qaicrt

DESC = os.path.join(os.environ["srcdir"], "llm-mini.desc")
NP_OF = {aicapi.FLOAT_TYPE: np.float32, aicapi.FLOAT_16_TYPE: np.float16,
         aicapi.INT64_I_TYPE: np.int64, aicapi.INT8_TYPE: np.int8}
S = qaicrt.QStatus

# The truth, from llm-mini.desc by hand: inputs in file order, then outputs.
KV = [1, 2, 16, 8]
WANT = [  # name, type, dir, dims (largest specialization), size, partial
    ("input_ids", aicapi.INT64_I_TYPE, 0, [1, 8], 64, False),
    ("position_ids", aicapi.INT64_I_TYPE, 0, [1, 8], 64, False),
    ("past_key.0", aicapi.FLOAT_16_TYPE, 0, KV, 512, True),
    ("past_key.1", aicapi.FLOAT_16_TYPE, 0, KV, 512, True),
    ("past_value.0", aicapi.FLOAT_16_TYPE, 0, KV, 512, True),
    ("past_value.1", aicapi.FLOAT_16_TYPE, 0, KV, 512, True),
    ("logits", aicapi.FLOAT_TYPE, 1, [1, 1, 32], 128, False),
    ("past_key.0_RetainedState", aicapi.FLOAT_16_TYPE, 1, KV, 512, True),
    ("past_key.1_RetainedState", aicapi.FLOAT_16_TYPE, 1, KV, 512, True),
    ("past_value.0_RetainedState", aicapi.FLOAT_16_TYPE, 1, KV, 512, True),
    ("past_value.1_RetainedState", aicapi.FLOAT_16_TYPE, 1, KV, 512, True),
]


class Session:
    """The calling pattern of a Python LLM session on qaicrt: IO descriptor,
    program load/activate, QBuffers and BufferDimensionsVecRef per binding,
    setData / enqueue / waitForCompletion / getData per step."""

    def __init__(self, qpc_path, device_ids=None, props=None):
        if device_ids is not None:
            self.context = qaicrt.Context(qaicrt.QIDList(device_ids))
            self.queue = qaicrt.Queue(self.context, device_ids[0])
        else:
            self.context = qaicrt.Context()
            self.queue = qaicrt.Queue(self.context, 0)
        qpc = qaicrt.Qpc(str(qpc_path))
        status, data = qpc.getIoDescriptor()
        assert status == S.QS_SUCCESS
        iodesc = aicapi.IoDesc()
        iodesc.ParseFromString(bytes(data))
        self.iodesc = iodesc
        self.bindings = iodesc.selected_set.bindings
        self.index = {b.name: b.index for b in self.bindings}
        self.props = props or qaicrt.QAicProgramProperties()
        self.props.dataPathTimeoutMs = 60000
        if device_ids and len(device_ids) > 1:
            self.props.devMapping = ":".join(map(str, device_ids))
        self.program = qaicrt.Program(self.context, None, qpc, self.props)
        assert self.program.load() == S.QS_SUCCESS
        assert self.program.activate() == S.QS_SUCCESS
        self.execObj = qaicrt.ExecObj(self.context, self.program)
        self.qbuffers = [qaicrt.QBuffer(bytes(b.size)) for b in self.bindings]
        self.buf_dims = qaicrt.BufferDimensionsVecRef(
            [(np.dtype(NP_OF[b.type]).itemsize, list(b.dims)) for b in self.bindings])

    def set_buffers(self, buffers):
        for name, arr in buffers.items():
            i = self.index[name]
            self.qbuffers[i] = qaicrt.QBuffer(arr.tobytes())
            self.buf_dims[i] = (np.dtype(NP_OF[self.bindings[i].type]).itemsize,
                                arr.shape if len(arr.shape) > 0 else (1,))

    def skip_buffers(self, names):
        self.set_buffers({k: np.array([]) for k in names})

    def run(self, inputs):
        self.set_buffers(inputs)
        st = self.execObj.setData(self.qbuffers, self.buf_dims)
        if st != S.QS_SUCCESS:
            return st, None
        assert self.queue.enqueue(self.execObj) == S.QS_SUCCESS
        st = self.execObj.waitForCompletion()
        if st != S.QS_SUCCESS:
            return st, None
        status, out = self.execObj.getData()
        assert status == S.QS_SUCCESS
        res = {}
        for b in self.bindings:
            if b.dir == aicapi.BUFFER_IO_TYPE_OUTPUT and self.qbuffers[b.index].size:
                res[b.name] = np.frombuffer(bytes(out[b.index]), NP_OF[b.type]) \
                    .reshape(self.buf_dims[b.index][1])
        return st, res


def step_inputs(tokens, pos):
    return {"input_ids": np.arange(tokens, dtype=np.int64).reshape(1, tokens),
            "position_ids": np.arange(pos, pos + tokens, dtype=np.int64).reshape(1, tokens),
            "logits": np.zeros((1, 1, 32), np.float32)}


SKIPPED = [b[0] for b in WANT if b[0].startswith("past_")]


class TestEnums(unittest.TestCase):
    def test_values(self):
        # docs/CONTRACTS.md §1.2
        want = dict(QS_SUCCESS=0, QS_PERM=1, QS_AGAIN=2, QS_NOMEM=3, QS_BUSY=4,
                    QS_NODEV=5, QS_INVAL=6, QS_NOSPC=7, QS_BADFD=8, QS_TIMEDOUT=9,
                    QS_PROTOCOL=10, QS_UNSUPPORTED=11, QS_DATA_CRC_ERROR=12,
                    QS_DEV_ERROR=300, QS_ERROR=500)
        self.assertEqual({m.name: m.value for m in qaicrt.QStatus}, want)
        self.assertEqual({m.name: m.value for m in qaicrt.QLogLevel},
                         dict(QL_DEBUG=0, QL_INFO=1, QL_WARN=2, QL_ERROR=3))


class TestIoDescriptor(unittest.TestCase):
    def test_bindings_and_shapes(self):
        status, data = qaicrt.Qpc(DESC).getIoDescriptor()
        self.assertIs(status, S.QS_SUCCESS)
        d = aicapi.IoDesc()
        d.ParseFromString(bytes(data))
        self.assertEqual(d.program_name, "llm-mini")
        got = [(b.name, b.type, b.dir, list(b.dims), b.size, b.is_partial_buf_allowed)
               for b in d.selected_set.bindings]
        self.assertEqual(got, WANT)
        self.assertEqual([b.index for b in d.selected_set.bindings], list(range(len(WANT))))
        self.assertEqual(d.io_sets[0], d.selected_set)
        self.assertEqual(len(d.allowed_shapes), 2)
        for spec, tokens in ((0, 8), (1, 1)):
            shapes = d.allowed_shapes[spec].shapes
            self.assertEqual(len(shapes), len(WANT))
            self.assertEqual(list(shapes[0].dims), [1, tokens])
            self.assertEqual(list(shapes[1].dims), [1, tokens])
            self.assertEqual(list(shapes[2].dims), KV)
            self.assertEqual([s.type for s in shapes], [w[1] for w in WANT])

    def test_qpc_directory_and_errors(self):
        tmp = tempfile.mkdtemp()
        try:
            shutil.copy(DESC, os.path.join(tmp, "programqpc.bin"))
            status, data = qaicrt.Qpc(tmp).getIoDescriptor()
            self.assertIs(status, S.QS_SUCCESS)
            with self.assertRaises(RuntimeError):
                qaicrt.Qpc(os.path.join(tmp, "missing"))
        finally:
            shutil.rmtree(tmp)

    def test_preset_without_specializations(self):
        status, data = qaicrt.Qpc("tiny").getIoDescriptor()
        d = aicapi.IoDesc()
        d.ParseFromString(bytes(data))
        # tiny: in 256, out 256, then aiccyclecounts 64 (stats = 1)
        self.assertEqual([(b.name, b.size, list(b.dims), b.dir) for b in d.selected_set.bindings],
                         [("in", 256, [256], 0), ("out", 256, [256], 1),
                          ("aiccyclecounts", 64, [64], 1)])
        self.assertEqual(len(d.allowed_shapes), 0)


class TestSession(unittest.TestCase):
    def setUp(self):
        self.s = Session(DESC)

    def tearDown(self):
        del self.s

    def test_prefill_then_decode(self):
        s = self.s
        s.skip_buffers(SKIPPED)
        st, out = s.run(step_inputs(8, 0))
        self.assertIs(st, S.QS_SUCCESS)
        self.assertEqual(sorted(out), ["logits"])
        self.assertEqual(out["logits"].shape, (1, 1, 32))
        for pos in range(8, 12):
            st, out = s.run(step_inputs(1, pos))
            self.assertIs(st, S.QS_SUCCESS)
            self.assertEqual(out["logits"].shape, (1, 1, 32))
        self.assertEqual(list(s.buf_dims[s.index["past_key.0"]][1]), [0])
        self.assertEqual(s.buf_dims[s.index["input_ids"]], (8, [1, 1]))

    def test_devmapping_four_devices(self):
        s4 = Session(DESC, device_ids=[0, 1, 2, 3])
        self.assertEqual(s4.props.devMapping, "0:1:2:3")
        s4.skip_buffers(SKIPPED)
        st, out = s4.run(step_inputs(8, 0))
        self.assertIs(st, S.QS_SUCCESS)
        st, out = s4.run(step_inputs(1, 8))
        self.assertIs(st, S.QS_SUCCESS)
        self.assertEqual(out["logits"].shape, (1, 1, 32))

    def test_bad_shapes_and_counts(self):
        s = self.s
        s.skip_buffers(SKIPPED)
        st, _ = s.run(step_inputs(5, 0))  # 5 tokens: neither 8 nor 1
        self.assertIs(st, S.QS_INVAL)
        self.assertIs(s.execObj.setData(s.qbuffers[:-1], None), S.QS_INVAL)
        # a non-partial binding may not be skipped
        s.set_buffers(step_inputs(1, 0))
        s.skip_buffers(["logits"])
        self.assertIs(s.execObj.setData(s.qbuffers, s.buf_dims), S.QS_INVAL)
        with self.assertRaises(TypeError):
            s.execObj.setData([b"x"] * len(WANT), None)

    def test_busy_and_release_order(self):
        # the bert preset: 22.7 ms on the device, so the first inference is
        # still in flight at the second enqueue
        ctx = qaicrt.Context()
        q = qaicrt.Queue(ctx, 0)
        p = qaicrt.Program(ctx, 0, qaicrt.Qpc("bert"), None)
        self.assertIs(p.load(), S.QS_SUCCESS)
        self.assertIs(p.activate(), S.QS_SUCCESS)
        eo = qaicrt.ExecObj(ctx, p)
        bufs = [qaicrt.QBuffer(bytes(n)) for n in (3072, 3072, 6144)]
        self.assertIs(eo.setData(bufs), S.QS_SUCCESS)
        self.assertIs(q.enqueue(eo), S.QS_SUCCESS)
        # one inference in flight per exec object: QS_BUSY at once
        self.assertIs(q.enqueue(eo), S.QS_BUSY)
        self.assertIs(eo.setData(bufs), S.QS_BUSY)
        self.assertIs(eo.waitForCompletion(), S.QS_SUCCESS)
        # an exec object alive: the program cannot be deactivated
        self.assertIs(p.deactivate(), S.QS_BUSY)
        del eo
        self.assertIs(p.deactivate(), S.QS_SUCCESS)
        self.assertIs(p.unload(), S.QS_SUCCESS)

    def test_run_sync(self):
        s = self.s
        s.skip_buffers(SKIPPED)
        s.set_buffers(step_inputs(1, 3))
        self.assertIs(s.execObj.run(s.qbuffers), S.QS_SUCCESS)
        status, out = s.execObj.getData()
        self.assertIs(status, S.QS_SUCCESS)
        self.assertEqual([b.size for b in out], [b.size for b in s.qbuffers])

    def test_gil_released_while_waiting(self):
        # the bert preset: 22.7 ms on the device, whatever the build
        ctx = qaicrt.Context()
        q = qaicrt.Queue(ctx, 0)
        p = qaicrt.Program(ctx, 0, qaicrt.Qpc("bert"), None)
        eo = qaicrt.ExecObj(ctx, p)
        stamps, stop = [], threading.Event()

        def spin():
            while not stop.is_set():
                stamps.append(time.monotonic_ns())
        sys.setswitchinterval(0.0002)
        t = threading.Thread(target=spin)
        t.start()
        try:
            time.sleep(0.01)
            self.assertIs(q.enqueue(eo), S.QS_SUCCESS)
            a = time.monotonic_ns()
            self.assertIs(eo.waitForCompletion(), S.QS_SUCCESS)
            b = time.monotonic_ns()
        finally:
            stop.set()
            t.join()
        self.assertGreater(b - a, 10_000_000)
        inside = [x for x in stamps if a + 2_000_000 < x < b - 1_000_000]
        self.assertGreater(len(inside), 10, "no Python thread ran during waitForCompletion")


class TestObjects(unittest.TestCase):
    def test_qbuffer_and_dims(self):
        b = qaicrt.QBuffer(b"abc")
        self.assertEqual(b.size, 3)
        self.assertEqual(bytes(b), b"abc")
        self.assertEqual(qaicrt.QBuffer(bytes(5)).size, 5)
        self.assertEqual(qaicrt.QBuffer(b"").size, 0)
        d = qaicrt.BufferDimensionsVecRef([(8, [1, 2]), (2, (3,))])
        self.assertEqual(len(d), 2)
        self.assertEqual(d[1], (2, [3]))
        d[0] = (4, np.zeros((2, 5)).shape)
        self.assertEqual(d[0], (4, [2, 5]))
        with self.assertRaises(IndexError):
            d[2] = (1, [1])
        self.assertEqual(list(qaicrt.QIDList([0, 1])), [0, 1])

    def test_properties(self):
        p = qaicrt.QAicProgramProperties()
        self.assertEqual(p.devMapping, "")
        self.assertEqual(p.submitNumRetries, 5)
        p.dataPathTimeoutMs = 60000
        self.assertEqual(p.dataPathTimeoutMs, 60000)
        with self.assertRaises(AttributeError):
            p.noSuchProperty = 1

    def test_types_mutable_like_pybind11(self):
        # pybind11 classes are mutable heap types: wrappers can be set on them
        orig = qaicrt.ExecObj.waitForCompletion
        qaicrt.ExecObj.waitForCompletion = lambda self: "wrapped"
        try:
            self.assertEqual(qaicrt.ExecObj.waitForCompletion(None), "wrapped")
        finally:
            qaicrt.ExecObj.waitForCompletion = orig
        self.assertIs(qaicrt.ExecObj.waitForCompletion, orig)

        class Sub(qaicrt.QBuffer):
            pass
        self.assertEqual(bytes(Sub(b"xy")), b"xy")

    def test_context_errors(self):
        with self.assertRaises(RuntimeError):
            qaicrt.Context(qaicrt.QIDList([4242]))
        ctx = qaicrt.Context()
        self.assertIs(ctx.setLogLevel(qaicrt.QLogLevel.QL_ERROR), S.QS_SUCCESS)


if __name__ == "__main__":
    unittest.main(verbosity=2)
