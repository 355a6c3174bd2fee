#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Check qaic-runner stats blocks printed by qaic-sim-app/-loader.

Usage: check_stats.py OUTPUT COUNT:BATCH [COUNT:BATCH ...]
One block per program, in order.  COUNT may be '+' (any positive count, for
--time runs).  Checks the exact line formats (docs/CONTRACTS.md §3.4), the
InferenceCnt, the BatchSize, and Inf/Sec = cnt*1e6/duration*batch (%.3f).
"""
import re
import sys

STATS = re.compile(r"^InferenceCnt (\d+) TotalDuration (\d+)us "
                   r"BatchSize (\d+) Inf/Sec (\d+\.\d{3})$")


def main():
    out, expects = sys.argv[1], sys.argv[2:]
    lines = open(out).read().splitlines()
    heads = [i for i, l in enumerate(lines) if l == " ---- Stats ----"]
    bad = []
    if len(heads) != len(expects):
        bad.append("%d stats blocks, want %d" % (len(heads), len(expects)))
    for i, exp in zip(heads, expects):
        cnt_s, batch_s = exp.split(":")
        line = lines[i + 1] if i + 1 < len(lines) else ""
        m = STATS.match(line)
        if not m:
            bad.append("line %d: %r does not match the stats format"
                       % (i + 2, line))
            continue
        cnt, dur, batch, rate = (int(m[1]), int(m[2]), int(m[3]),
                                 float(m[4]))
        if cnt_s == "+" and cnt <= 0 or cnt_s != "+" and cnt != int(cnt_s):
            bad.append("line %d: InferenceCnt %d, want %s" % (i + 2, cnt,
                                                             cnt_s))
        if batch != int(batch_s):
            bad.append("line %d: BatchSize %d, want %s" % (i + 2, batch,
                                                          batch_s))
        want = cnt * 1e6 / dur * batch if dur else 0
        if abs(rate - want) > 0.0005 + 1e-9 * want:
            bad.append("line %d: Inf/Sec %.3f, want %.3f" % (i + 2, rate,
                                                            want))
    for b in bad:
        print("%s: %s" % (out, b), file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
