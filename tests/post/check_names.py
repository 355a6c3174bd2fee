#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Check every qprof-report output of a run whose program has a hostile
name (e2e_names.sh).  DIR holds: name (the raw bytes), summary, csv/,
report.json, chrome.json, merged.json, selected.json, latstats,
noprog.err.  The expected escapes are computed here, independently of
post/escape.c, from the rules in docs/REPORT-FORMATS.md."""
import json
import os
import sys

d = sys.argv[1]
raw = open(os.path.join(d, 'name'), 'rb').read()
fails = []


def bad(msg):
    fails.append(msg)
    print('FAIL: ' + msg)


def text_escape(b):
    """Text rule: keep printable ASCII and well-formed UTF-8; backslash,
    \\n, \\r, \\t as C escapes; other controls and ill-formed bytes \\xHH."""
    out = []
    i = 0
    while i < len(b):
        c = b[i]
        if c == 0x5c:
            out.append('\\\\')
        elif c in (10, 13, 9):
            out.append({10: '\\n', 13: '\\r', 9: '\\t'}[c])
        elif c < 0x20 or c == 0x7f:
            out.append('\\x%02x' % c)
        elif c < 0x80:
            out.append(chr(c))
        else:
            # the hostile name's non-ASCII bytes are ill-formed on purpose
            out.append('\\x%02x' % c)
        i += 1
    return ''.join(out)


esc = text_escape(raw)
json_name = raw.decode('utf-8', 'replace')

# ---- summary: one program header, no terminal control bytes
summary = open(os.path.join(d, 'summary'), 'rb').read()
heads = [l for l in summary.split(b'\n') if l.startswith(b'== program')]
if len(heads) != 1:
    bad('summary: %d "== program" lines (a name forged one?)' % len(heads))
for ch in (b'\x1b', b'\r', b'\xff'):
    if ch in summary:
        bad('summary holds the raw byte %r' % ch)
if ("== program 0 '%s' (pid" % esc).encode() not in summary:
    bad('summary: escaped name not in the program header')
if ("\n%s (pid" % esc).encode() not in summary:
    bad('--by program: escaped label missing')

# ---- CSV: the 4-line header survives, ProgramName escaped
csvs = os.listdir(os.path.join(d, 'csv'))
lines = open(os.path.join(d, 'csv', csvs[0]), 'rb').read().split(b'\n')
if lines[0] != b'Profiling Data' or not lines[3].startswith(b'NumSamples'):
    bad('CSV header broken: %r' % lines[:4])
if lines[2] != ('ProgramName: ' + esc).encode():
    bad('CSV ProgramName: %r' % lines[2])
if b'totalRoundtripTime: percentile(mean)' not in open(
        os.path.join(d, 'latstats'), 'rb').read():
    bad('--latency-stats on the CSV')

# ---- JSON: valid, the name exact up to U+FFFD for ill-formed bytes
for f in ('report.json', 'merged.json', 'selected.json'):
    try:
        j = json.load(open(os.path.join(d, f), encoding='utf-8'))
    except ValueError as e:
        bad('%s is not valid JSON: %s' % (f, e))
        continue
    names = [p.get('name') for p in j['programs']]
    if names != [json_name]:
        bad('%s: program names %r' % (f, names))
merged = json.load(open(os.path.join(d, 'merged.json'), encoding='utf-8'))
if merged['programs'][0]['completed'] != 200:
    bad('merged.json: not 200 completed')

# ---- Chrome trace: valid JSON, nothing a web page would take as markup
chrome = open(os.path.join(d, 'chrome.json'), 'rb').read()
try:
    t = json.loads(chrome.decode('utf-8'))
    asyncs = {e['name'] for e in t['traceEvents'] if e.get('ph') == 'b'
              and e.get('cat') == 'inference' and e['name'] != 'preProc'}
    if asyncs != {json_name}:
        bad('chrome: inference slice names %r' % asyncs)
except ValueError as e:
    bad('chrome.json is not valid JSON: %s' % e)
for ch in (b'<', b'>', b'\x1b'):
    if ch in chrome:
        bad('chrome.json holds a raw %r' % ch)

# ---- stderr: one line naming the programs, escaped
err = open(os.path.join(d, 'noprog.err'), 'rb').read()
if err.count(b'\n') != 1 or esc.encode() not in err:
    bad('--program error message: %r' % err)

sys.exit(1 if fails else 0)
