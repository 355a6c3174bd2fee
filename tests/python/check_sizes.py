#!/usr/bin/python3
"""Check the buffer figures of the py_set_data, py_get_data and py_run
events of a trace of tests/python/sizes_app.py against the application's
own (its stderr), call by call in order.

Usage: check_sizes.py TEXT APP_STDERR.  Exit status 1 on any failure."""
import re
import sys

from check_pyevents import LINE, parse_payload


def main():
    text, err = sys.argv[1:3]
    got = []
    for line in open(text):
        m = LINE.search(line.rstrip("\n"))
        if not m or m.group(1) not in ("py_set_data", "py_get_data", "py_run"):
            continue
        e = parse_payload(m.group(2))
        kind = {"py_set_data": "set", "py_get_data": "get", "py_run": "run"}[m.group(1)]
        fig = [e["execobj"], e["num_buffers"], e["total_bytes"]]
        if kind == "set":
            fig.append(e["skipped"])
        got.append((kind, fig))
    want = []
    for line in open(err):
        m = re.fullmatch(r"(set|get|run) (\d+) (\d+) (\d+) (\d+)", line.strip())
        if m:
            fig = [int(v) for v in m.groups()[1:]]
            want.append((m.group(1), fig if m.group(1) == "set" else fig[:3]))
    if len(want) < 80:
        print("FAIL: the application reported %d calls, want >= 80" % len(want))
        return 1
    bad = [(i, g, w) for i, (g, w) in enumerate(zip(got, want)) if g != w]
    if len(got) != len(want) or bad:
        print("FAIL: %d events for %d calls; first differences (index, event, "
              "application): %s" % (len(got), len(want), bad[:5]))
        return 1
    print("ok: %d calls' buffer figures equal the application's" % len(want))
    return 0


if __name__ == "__main__":
    sys.exit(main())
