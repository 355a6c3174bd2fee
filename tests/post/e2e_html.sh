#!/bin/sh
# SPDX-License-Identifier: MIT
# qprof-report --html in a real browser (post/write_html.c): a recorded
# run of the simulator whose program is named `<img src=x onerror=alert(1)>"',`
# (6000 inferences: more than the over-time chart draws), its report and
# its comparison with itself as HTML pages, each loaded by headless
# Chromium (Debian's chromium) with the network blocked
# (browser_check.py: no console error, no request but the page, no
# dialog, no <img>; charts read back from the DOM).  Expected counts are
# computed here from the trace, independently of the page: the phases the
# run has, 50 bars per histogram, 118 CDF points per phase, the 7 parts of
# the split for the mean and the tail, the over-time reduction (every
# inference above the p99 of the round trip, every k-th of the others,
# from the per-inference JSON, numpy's quantile), 4 statistics x 7
# metrics in the comparison.  Without Chromium the browser part is
# skipped (exit 77) with a message; a missing d3.js is a clear error.
set -u
: "${top_builddir:=../..}" "${top_srcdir:=../..}"
. "$top_srcdir/tests/lib/lttng.sh"
lib=$top_builddir/preload/.libs/libqprof.so
report=$top_builddir/post/qprof-report
app=$top_builddir/sim/apps/qaic-sim-app
check="/usr/bin/python3 $top_srcdir/tests/post/browser_check.py"
for f in "$lib" "$report" "$app" /usr/bin/python3; do
	[ -e "$f" ] || { echo "missing $f"; exit 77; }
done
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
	echo "SKIP: no chromium (Debian package chromium): the HTML pages are not loaded in a browser"
	exit 77
fi
[ -r "${QPROF_D3_JS:-/usr/share/javascript/d3/d3.min.js}" ] ||
	{ echo "SKIP: no d3.js (Debian package libjs-d3)"; exit 77; }
QP_LTTNG_BLOCKING=1
qp_e2e_begin e2e-html

name='<img src=x onerror=alert(1)>"'"'"','
d=$work/run
mkdir -p "$d"
sessions=$(qp_session_create e2e-html "$d/trace") || exit 99
qp_session_start "$sessions" || exit 99
LD_PRELOAD="$lib" "$app" -n 6000 --program-name "$name" >"$d/app.out" 2>&1 &
pid=$!
wait $pid || { bad "application failed"; cat "$d/app.out"; }
qp_session_stop "$sessions"
qp_session_destroy "$sessions"
sessions=

"$report" "$d/trace" --pid "$pid" -q --html "$d/report.html" \
	--json "$d/report.json" --per-inference 2>"$d/err" ||
	{ bad "report --html failed"; cat "$d/err"; }
"$report" --compare "$d/trace" "$d/report.json" --pid "$pid" -q \
	--html "$d/compare.html" --json "$d/compare.json" 2>"$d/cerr" ||
	{ bad "--compare --html failed"; cat "$d/cerr"; }

# the expectations, from the per-inference JSON
/usr/bin/python3 - "$d" "$name" <<'EOF' || bad "expectations"
import json, math, sys
d, name = sys.argv[1], sys.argv[2]
r = json.load(open(d + '/report.json'))
ok = [i for i in r['inferences'] if i['state'] == 'ok']
assert len(ok) == 6000, len(ok)
phases = ['enqTimeUs', 'preProcTimeUs', 'execTotalUs', 'execToCompleteUs',
          'postProcUs', 'totalRoundtripTimeUs']
have = [p for p in phases if any(p in i['metrics'] for i in ok)]
rt = sorted(i['metrics']['totalRoundtripTimeUs'] for i in ok)
h = (len(rt) - 1) * 0.99
p99 = rt[int(h)] + (h - int(h)) * (rt[min(int(h) + 1, len(rt) - 1)] - rt[int(h)])
# the page rounds its values to ns, as the report does
tail = sum(1 for i in ok if i['metrics']['totalRoundtripTimeUs'] > p99)
rest = len(ok) - tail
step = math.ceil(rest / (4000 - tail)) if len(ok) > 4000 else 1
drawn = tail + math.ceil(rest / step)
print('e2e_html: %d phases, tail %d above p99 %.3f, every %d-th: %d points'
      % (len(have), tail, p99, step, drawn))
json.dump({'charts': {
    'hist': {'count': len(have), 'series': 1, 'points': [50]},
    'cdf': {'count': 1, 'series': len(have), 'points': [118] * len(have)},
    'time': {'count': 1, 'series': 1, 'points': [drawn]},
    'split': {'count': 1, 'series': 7, 'points': [2] * 7}},
    'texts': ['program %s (pid' % name]}, open(d + '/report.expect', 'w'))
json.dump({'charts': {'delta': {'count': 1, 'series': 4, 'points': [7] * 4}},
           'texts': ['program %s (BASE 6000, NEW 6000 inferences)' % name]},
          open(d + '/compare.expect', 'w'))
c = json.load(open(d + '/compare.json'))
assert c['marked'] == 0, 'a run compared with itself marks %d' % c['marked']
EOF

# the browser, in a network namespace of its own when one can be had
net=
if unshare -n true 2>/dev/null; then
	net="unshare -n"
fi
for page in report compare; do
	$net $check "$chromium" "$d/$page.html" "$d/$page.expect"
	rc=$?
	[ $rc = 77 ] && { echo "SKIP: chromium cannot start here"; exit 77; }
	[ $rc = 0 ] || bad "$page.html in the browser"
done

# the page holds the name as data only: \u escapes, no raw markup
grep -q '<img' "$d/report.html" && bad "report.html holds a raw <img"
grep -q 'onerror=alert' "$d/report.html" || bad "the name is not in report.html at all"

# no d3.js: a clear error naming the package, exit 1, no page
QPROF_D3_JS=/nonexistent/d3.js "$report" "$d/trace" -q --html "$d/no.html" \
	>/dev/null 2>"$d/nod3.err"
rc=$?
[ $rc = 1 ] || bad "missing d3.js: exit $rc, expected 1"
grep -q "libjs-d3" "$d/nod3.err" || { bad "missing d3.js: message"; cat "$d/nod3.err"; }
[ ! -e "$d/no.html" ] || bad "missing d3.js: a page was written"
exit $fail
