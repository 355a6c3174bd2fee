#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Device times of an llm-preset run against the preset's specializations.

  check_llm.py LATENCY --prefill T --decode S --seq-len P --scale X

One exec object (-S 1, -T 1) runs its steps in order, so sample k is step
k mod (ceil(T/P) + S) of a sequence: a prefill of min(P, rest) tokens
(1000 us + 100 us per token) or a decode step (1500 us), each +- 20 us of
jitter, plus the logits DMA (128000 bytes at 12000 MB/s) and the output
wait; all times the scale.  Exit 0, or 1 with one line per wrong sample.
"""
import argparse
import sys

ap = argparse.ArgumentParser()
ap.add_argument("latency")
ap.add_argument("--prefill", type=int, default=0)
ap.add_argument("--decode", type=int, default=0)
ap.add_argument("--seq-len", type=int, default=32)
ap.add_argument("--scale", type=float, default=1.0)
a = ap.parse_args()

chunks = (a.prefill + a.seq_len - 1) // a.seq_len
steps = chunks + a.decode
lines = open(a.latency).read().splitlines()
cols = [c.strip() for c in lines[4].split(",")]
bad = []
n = 0
for line in lines[5:]:
    v = dict(zip(cols, [c.strip() for c in line.split(",")]))
    k = int(v["Sample"]) % steps
    if k < chunks:
        tok = min(a.seq_len, a.prefill - k * a.seq_len)
        want = 1000 + 100 * tok
    else:
        want = 1500
    dma = 128000 / 12000.0 + 0.25
    got = float(v["devExecUs"])
    lo = (want - 20) * a.scale
    hi = (want + 20 + dma) * a.scale + 1
    n += 1
    if not lo <= got <= hi:
        bad.append("sample %s (step %d): devExecUs %.3f not in [%.1f, %.1f]"
                   % (v["Sample"], k, got, lo, hi))
if not n:
    bad.append("no rows")
for b in bad[:20]:
    print("%s: %s" % (a.latency, b), file=sys.stderr)
sys.exit(1 if bad else 0)
