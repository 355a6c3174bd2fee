#!/usr/bin/python3
"""qaic_llm_generate.py: a sample LLM generation application in Python for
the simulator (docs/SIMULATOR.md "Python"), written against qaicrt and
QAicApi_pb2 the way Python LLM sessions drive Cloud AI 100: IO descriptor,
program over one device or several (devMapping), one exec object, then per
request its prompt through prefill in chunks of the prefill specialization's
length, then decode steps of one token per sequence, the KV caches kept on
the device (retained state: passed as empty, skipped partial buffers).  The
model is not computed (the simulated device returns what it returns): the
next token is the argmax of the logits.

It prints, per request, its own time to first token and inter-token
latencies, measured with CLOCK_MONOTONIC around its own calls:
  TTFT = from the request's first setData call to the return of the
         getData of its last prefill chunk (the first token is then known);
  ITL  = from one token's getData return to the next token's.
--json FILE writes them for tests.

usage: qaic_llm_generate.py [--qpc PRESET|PATH] [--devices 0:1:2:3]
       [--requests N] [--prompt-len L[,L...]] [--gen-len G] [--json FILE]
Run from a build tree: PYTHONPATH=<builddir>/sim/python.
"""
import argparse
import json
import sys
import time

import numpy as np

import QAicApi_pb2 as aicapi
import qaicrt

S = qaicrt.QStatus
NP_TYPE = {aicapi.FLOAT_TYPE: np.float32, aicapi.FLOAT_16_TYPE: np.float16,
           aicapi.INT8_Q_TYPE: np.int8, aicapi.UINT8_Q_TYPE: np.uint8,
           aicapi.INT16_Q_TYPE: np.int16, aicapi.INT32_Q_TYPE: np.int32,
           aicapi.INT32_I_TYPE: np.int32, aicapi.INT64_I_TYPE: np.int64,
           aicapi.INT8_TYPE: np.int8}
RETAINED = ("past_", "conv_state.", "recurrent_state.", "compressed_", "k_pe")


class Session:
    """One program on one or several devices, one exec object."""

    def __init__(self, qpc_path, device_ids):
        if device_ids:
            self.context = qaicrt.Context(qaicrt.QIDList(device_ids))
            self.queue = qaicrt.Queue(self.context, device_ids[0])
        else:
            self.context = qaicrt.Context()
            self.queue = qaicrt.Queue(self.context, 0)
        qpc = qaicrt.Qpc(qpc_path)
        status, data = qpc.getIoDescriptor()
        if status != S.QS_SUCCESS:
            raise RuntimeError("Failed to getIoDescriptor")
        iodesc = aicapi.IoDesc()
        iodesc.ParseFromString(bytes(data))
        self.bindings = iodesc.selected_set.bindings
        self.index = {b.name: b.index for b in self.bindings}
        self.allowed_shapes = [[list(s.dims) for s in a.shapes]
                               for a in iodesc.allowed_shapes]
        props = qaicrt.QAicProgramProperties()
        props.dataPathTimeoutMs = 60000
        if device_ids and len(device_ids) > 1:
            props.devMapping = ":".join(map(str, device_ids))
        self.program = qaicrt.Program(self.context, None, qpc, props)
        if self.program.load() != S.QS_SUCCESS:
            raise RuntimeError("Failed to load program")
        if self.program.activate() != S.QS_SUCCESS:
            raise RuntimeError("Failed to activate program")
        self.execObj = qaicrt.ExecObj(self.context, self.program)
        self.qbuffers = [qaicrt.QBuffer(bytes(b.size)) for b in self.bindings]
        self.buf_dims = qaicrt.BufferDimensionsVecRef(
            [(np.dtype(NP_TYPE[b.type]).itemsize, list(b.dims)) for b in self.bindings])
        self.outputs = [b.name for b in self.bindings
                        if b.dir == aicapi.BUFFER_IO_TYPE_OUTPUT and b.name != "aiccyclecounts"]

    def dims_of(self, name):
        """Dims of binding name in every specialization (or its own)."""
        i = self.index[name]
        return [a[i] for a in self.allowed_shapes] or [list(self.bindings[i].dims)]

    def set_buffers(self, buffers):
        for name, arr in buffers.items():
            i = self.index[name]
            self.qbuffers[i] = qaicrt.QBuffer(arr.tobytes())
            self.buf_dims[i] = (np.dtype(NP_TYPE[self.bindings[i].type]).itemsize,
                                arr.shape if len(arr.shape) > 0 else (1,))

    def skip_buffers(self, names):
        self.set_buffers({k: np.array([]) for k in names})

    def run(self, inputs):
        self.set_buffers(inputs)
        self.t_set = time.monotonic_ns()
        if self.execObj.setData(self.qbuffers, self.buf_dims) != S.QS_SUCCESS:
            raise MemoryError("Failed to setData")
        if self.queue.enqueue(self.execObj) != S.QS_SUCCESS:
            raise MemoryError("Failed to enqueue")
        if self.execObj.waitForCompletion() != S.QS_SUCCESS:
            raise ValueError("Failed to run")
        status, out = self.execObj.getData()
        self.t_get = time.monotonic_ns()
        if status != S.QS_SUCCESS:
            raise MemoryError("Failed to getData")
        res = {}
        for name in self.outputs:
            i = self.index[name]
            if self.qbuffers[i].size:
                res[name] = np.frombuffer(bytes(out[i]), NP_TYPE[self.bindings[i].type]) \
                    .reshape(self.buf_dims[i][1])
        return res


def pct(values, p):
    return float(np.percentile(values, p)) if values else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--qpc", default="llm", help="QPC directory, description or preset (llm)")
    ap.add_argument("--devices", default="", help="device ids, e.g. 0:1:2:3 (devMapping)")
    ap.add_argument("--requests", type=int, default=3)
    ap.add_argument("--prompt-len", default="40",
                    help="prompt tokens per sequence, one value or one per request")
    ap.add_argument("--gen-len", type=int, default=16, help="tokens generated per request")
    ap.add_argument("--json", help="write the per-request figures here")
    a = ap.parse_args()
    devices = [int(d) for d in a.devices.split(":")] if a.devices else []
    s = Session(a.qpc, devices)
    ids_dims = s.dims_of("input_ids")
    batch = max(d[0] for d in ids_dims)
    seq_len = max(d[1] for d in ids_dims)
    logits_i = s.index["logits"]
    vocab = s.bindings[logits_i].dims[-1]
    lens = [int(x) for x in a.prompt_len.split(",")]
    skipped = [b.name for b in s.bindings if b.name.startswith(RETAINED)]
    rng = np.random.default_rng(1)
    report = []
    for r in range(a.requests):
        plen = lens[r % len(lens)]
        prompt = rng.integers(1, vocab, size=(batch, plen), dtype=np.int64)
        chunks = -(-plen // seq_len)
        s.skip_buffers(skipped)
        for c in range(chunks):
            ids = np.zeros((batch, seq_len), np.int64)
            pos = np.full((batch, seq_len), -1, np.int64)
            part = prompt[:, c * seq_len:(c + 1) * seq_len]
            ids[:, :part.shape[1]] = part
            pos[:, :part.shape[1]] = np.arange(c * seq_len, c * seq_len + part.shape[1])
            out = s.run({"input_ids": ids, "position_ids": pos,
                         "logits": np.zeros((batch, 1, vocab), np.float32)})
            if c == 0:
                t0 = s.t_set
        token = out["logits"].argmax(axis=2).astype(np.int64)
        t_first = s.t_get
        stamps = [t_first]
        for k in range(a.gen_len - 1):
            out = s.run({"input_ids": token.reshape(batch, 1),
                         "position_ids": np.full((batch, 1), plen + k, np.int64),
                         "logits": np.zeros((batch, 1, vocab), np.float32)})
            token = out["logits"].argmax(axis=2).astype(np.int64)
            stamps.append(s.t_get)
        itl = [(b - a_) / 1000 for a_, b in zip(stamps, stamps[1:])]
        ttft = (t_first - t0) / 1000
        report.append({"request": r, "prompt_len": plen, "batch": batch,
                       "prefill_chunks": chunks, "decode_steps": a.gen_len - 1,
                       "ttft_us": ttft, "itl_us": itl})
        print("request %d: prompt %d tokens x batch %d, %d prefill chunks, %d decode steps: "
              "TTFT %.1f us, ITL p50 %.1f us p99 %.1f us"
              % (r, plen, batch, chunks, a.gen_len - 1, ttft, pct(itl, 50), pct(itl, 99)))
    del s.execObj
    s.program.deactivate()
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
