#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Load a qprof-report --html page in headless Chromium and read it back.

Usage: browser_check.py CHROMIUM PAGE.html EXPECT.json

Chromium runs headless, driven over the DevTools protocol on a pipe
(--remote-debugging-pipe: no port, no websocket, python's standard library
only), with every network request sent to a dead proxy and every host name
unresolvable; the caller may also run it in a network namespace of its own.
Before the page's own scripts, alert/confirm/prompt are replaced by
recorders.  Checked:

  - no console error or warning, no uncaught exception, no log entry of
    level error (a Content-Security-Policy violation is one);
  - no request but the page itself (file://), whatever its scheme;
  - no dialog opened, no <img> element in the document;
  - the page rendered (body[data-rendered=yes]);
  - every chart (svg.chart, by data-chart kind) has the expected number of
    series and of points per series, counted in the DOM: <rect class=bar>,
    <circle class=pt>, <rect class=seg>, <circle class=delta>, and for a
    <path class=series> the points of its "d" (M/L commands);
  - each text of EXPECT's "texts" appears as text in the document (a
    hostile program name shows as itself).

EXPECT: {"charts": {"hist": {"count": 6, "series": 1, "points": [50]}, ...},
         "texts": ["..."]}
  "points" lists the points of each series of one chart (the same for
  every chart of the kind); "count" is the number of charts of the kind.

Prints what it read back; exit 0 when everything holds, 1 with the
reasons otherwise, 77 when Chromium cannot start.
"""
import json
import os
import select
import subprocess
import sys
import tempfile
import time

READBACK = r"""
(function () {
  function pts(el) {
    if (el.tagName === 'path') {
      var d = el.getAttribute('d') || '';
      var m = d.match(/[ML]/g);
      return m ? m.length : 0;
    }
    return el.querySelectorAll('rect.bar, circle.pt, rect.seg, circle.delta').length;
  }
  var charts = [].map.call(document.querySelectorAll('svg.chart'), function (s) {
    var series = [].map.call(s.querySelectorAll('.series'), function (e) {
      return { name: e.getAttribute('data-series'), points: pts(e) };
    });
    return { kind: s.getAttribute('data-chart'), series: series };
  });
  return JSON.stringify({
    rendered: document.body.getAttribute('data-rendered'),
    charts: charts,
    imgs: document.querySelectorAll('img').length,
    dialogs: window.__qpDialogs || [],
    text: document.body.innerText
  });
}())
"""

HOOK = r"""
window.__qpDialogs = [];
['alert', 'confirm', 'prompt'].forEach(function (n) {
  window[n] = function (m) { window.__qpDialogs.push(n + ':' + String(m)); };
});
"""


class Cdp:
    def __init__(self, chromium, profile):
        r_child, self.w = os.pipe()     # we write commands, chromium reads fd 3
        self.r, w_child = os.pipe()     # chromium writes fd 4, we read
        args = [chromium, '--headless', '--no-sandbox', '--disable-gpu',
                '--remote-debugging-pipe', '--user-data-dir=' + profile,
                '--no-first-run', '--no-default-browser-check',
                '--disable-background-networking', '--disable-sync',
                '--disable-component-update', '--disable-extensions',
                '--proxy-server=http://127.0.0.1:9', '--proxy-bypass-list=<-loopback>',
                '--host-resolver-rules=MAP * ~NOTFOUND', 'about:blank']

        def fds():
            os.dup2(r_child, 3)
            os.dup2(w_child, 4)
        self.p = subprocess.Popen(args, pass_fds=(3, 4), preexec_fn=fds,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(r_child)
        os.close(w_child)
        self.buf = b''
        self.next_id = 0
        self.events = []

    def _read_message(self, deadline):
        while b'\0' not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError('no answer from chromium')
            ready, _, _ = select.select([self.r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.r, 1 << 20)
            if not chunk:
                raise EOFError('chromium closed the pipe')
            self.buf += chunk
        msg, self.buf = self.buf.split(b'\0', 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        msg = {'id': self.next_id, 'method': method, 'params': params or {}}
        if session:
            msg['sessionId'] = session
        os.write(self.w, json.dumps(msg).encode() + b'\0')
        deadline = time.time() + timeout
        while True:
            m = self._read_message(deadline)
            if m.get('id') == self.next_id:
                if 'error' in m:
                    raise RuntimeError('%s: %s' % (method, m['error']))
                return m.get('result', {})
            self.events.append(m)

    def pump(self, seconds):
        deadline = time.time() + seconds
        try:
            while True:
                self.events.append(self._read_message(deadline))
        except TimeoutError:
            pass

    def close(self):
        try:
            self.call('Browser.close', timeout=5)
        except Exception:
            pass
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def main():
    chromium, page, expect_path = sys.argv[1:4]
    expect = json.load(open(expect_path))
    url = 'file://' + os.path.abspath(page)
    bad = []
    with tempfile.TemporaryDirectory(prefix='qp-chromium-') as profile:
        try:
            cdp = Cdp(chromium, profile)
            target = cdp.call('Target.createTarget', {'url': 'about:blank'})['targetId']
        except Exception as e:      # cannot start: skip
            print('browser_check: chromium does not start headless here: %s' % e)
            return 77
        try:
            s = cdp.call('Target.attachToTarget', {'targetId': target, 'flatten': True})['sessionId']
            for dom in ('Page', 'Runtime', 'Log', 'Network'):
                cdp.call(dom + '.enable', session=s)
            cdp.call('Page.addScriptToEvaluateOnNewDocument', {'source': HOOK}, session=s)
            cdp.call('Page.navigate', {'url': url}, session=s)
            deadline = time.time() + 60
            rb = None
            while time.time() < deadline:
                cdp.pump(0.5)
                r = cdp.call('Runtime.evaluate', {'expression': READBACK, 'returnByValue': True},
                             session=s)
                rb = json.loads(r['result']['value']) if r['result'].get('type') == 'string' else None
                if rb and rb['rendered'] == 'yes':
                    break
            cdp.pump(1.0)       # late errors and requests
        finally:
            cdp.close()
    if not rb or rb['rendered'] != 'yes':
        bad.append('the page did not render (body[data-rendered] is %r)' % (rb and rb['rendered']))
        rb = rb or {'charts': [], 'imgs': 0, 'dialogs': [], 'text': ''}
    # ---- console, exceptions, log, network
    for ev in cdp.events:
        m, p = ev.get('method'), ev.get('params', {})
        if m == 'Runtime.consoleAPICalled' and p.get('type') in ('error', 'warning', 'assert'):
            bad.append('console %s: %s' % (p['type'], [a.get('value', a.get('description'))
                                                       for a in p.get('args', [])]))
        elif m == 'Runtime.exceptionThrown':
            d = p.get('exceptionDetails', {})
            bad.append('exception: %s %s' % (d.get('text'), d.get('exception', {}).get('description')))
        elif m == 'Log.entryAdded' and p.get('entry', {}).get('level') in ('error', 'warning'):
            bad.append('log %s: %s' % (p['entry']['level'], p['entry'].get('text')))
        elif m == 'Network.requestWillBeSent':
            u = p.get('request', {}).get('url', '')
            if u != url:
                bad.append('network request: %s' % u)
    if rb['dialogs']:
        bad.append('dialogs opened: %r' % rb['dialogs'])
    if rb['imgs']:
        bad.append('%d <img> element(s) in the document' % rb['imgs'])
    # ---- charts
    kinds = {}
    for c in rb['charts']:
        kinds.setdefault(c['kind'], []).append(c)
    summary = {k: [[s['points'] for s in c['series']] for c in v] for k, v in kinds.items()}
    print('browser_check: charts read back: %s' % json.dumps(summary))
    for kind, want in expect.get('charts', {}).items():
        got = kinds.get(kind, [])
        if len(got) != want['count']:
            bad.append('%s: %d chart(s), expected %d' % (kind, len(got), want['count']))
        for c in got:
            pts = [s['points'] for s in c['series']]
            if len(pts) != want['series']:
                bad.append('%s: %d series, expected %d' % (kind, len(pts), want['series']))
            elif 'points' in want and pts != want['points']:
                bad.append('%s: points per series %s, expected %s' % (kind, pts, want['points']))
    for kind in kinds:
        if kind not in expect.get('charts', {}):
            bad.append('unexpected chart kind %s' % kind)
    for t in expect.get('texts', []):
        if t not in rb['text']:
            bad.append('text %r not shown' % t)
    for b in bad:
        print('browser_check: FAIL: %s' % b)
    if not bad:
        print('browser_check: ok: %s' % page)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
