#!/bin/sh
# SPDX-License-Identifier: MIT
# qprof-report --compare on recorded runs of the simulator (post/compare.c,
# docs/REPORT.md "Comparing two runs").  Each pair is recorded side by
# side (two sessions at once), so that both runs see the same load of the
# machine (`qprof record`: each records its own application only); one
# inference in flight (-S 1), 20000 inferences each, the runtime's own
# latency dump of every inference.
#
#   A/A: two runs of one configuration: nothing marked.
#   fault: QAIC_SIM_FAULT_SLOW_PREPROC_US=20 beside an unchanged run (twice,
#     the CPUs swapped, each side pooled):
#     the runtime's own dumps say the fault added 20 µs to preProcTimeUs
#     (p50 within 1 µs: the simulator's delay is as asked); qprof marks
#     preProcTime's p50 and mean slower, and both intervals, widened by
#     TOL = 1 µs on each side, hold +20 µs and the dumps' shift; nothing
#     marked but preProcTime and the round trip that contains it (enqTime
#     included: the simulator's woken worker yields, so the fault does
#     not slow the enqueue call), unless the runtime's own dumps moved
#     that metric by as much (the fault's work can move another tail on
#     2 CPUs: a true change); submitTime's p90/p99 are only noted (qprof's
#     is the EXECUTE ioctl, which the dumps do not time).  TOL: the intervals are the resampling
#     noise of the runs only, tenths of a µs wide, not the difference of
#     their conditions (an unchanged pair split over the two CPUs, not
#     pooled, moved qprof's preProc by +0.25 µs at p50 [+0.23, +0.27]:
#     that CPU's scheduling, in qprof's preProc, enqueue return to
#     EXECUTE, not in the runtime's); measured: within 0.4 µs of +20
#     (docs/REPORT.md).
#   The JSON output names the same marks as the text; a comparison read
#   from --per-inference JSON reports gives the trace's figures.
# Recorded once more if a check fails (qp_run_twice, as e2e_truth.sh): the
# checks hold qprof's intervals to the runtime's own shift, and qprof's
# preProc also holds the hand-off from the enqueue's return to the worker,
# which other work on one of the two CPUs lengthens in one run alone (the
# fault's p50 once read +24.1 [+20.4, +25.0] beside the dumps' +20.1, on a
# host where a stopped test's session daemon still ran); a real defect
# fails both recordings.
set -u
: "${top_builddir:=../..}" "${top_srcdir:=../..}"
. "$top_srcdir/tests/lib/lttng.sh"
lib=$top_builddir/preload/.libs/libqprof.so
report=$top_builddir/post/qprof-report
app=$top_builddir/sim/apps/qaic-sim-app
qprof=$top_builddir/scripts/qprof
for f in "$lib" "$report" "$app" "$qprof" /usr/bin/python3; do
	[ -e "$f" ] || { echo "missing $f"; exit 77; }
done
: "${QP_COMPARE_N:=20000}"
QP_LTTNG_BLOCKING=1
QPROF_KMD_STATS=0	# the runtime profiles every inference (e2e_truth.sh)
export QPROF_KMD_STATS
qp_e2e_begin e2e-compare

# start NAME [ENV=VALUE...]: `qprof record` of the application in the
# background (a recording records its own command only: the two runs of
# a pair do not see each other's events)
start() {
	n=$1
	shift
	mkdir -p "$work/$n/dump"
	env QPROF_BUILDDIR="$top_builddir" "$@" $pin "$qprof" record --blocking \
		-o "$work/$n/trace" -- "$app" -S 1 -n "$QP_COMPARE_N" \
		--aic-profiling-type latency --aic-profiling-num-samples "$QP_COMPARE_N" \
		--aic-profiling-out-dir "$work/$n/dump" >"$work/$n/app.out" 2>&1 &
	eval "pid_$n=$!"
}

# finish NAME: wait for it
finish() {
	eval "p=\$pid_$1"
	wait "$p" || { bad "$1: recording failed"; cat "$work/$1/app.out"; }
}

# A/A: both runs on the same CPU, which the scheduler shares evenly
# between them (whatever else runs there slows both alike).  The fault
# pair: one CPU each, so that the slower run does not change the other's
# share of a CPU; twice, the CPUs swapped, each side pooling its two runs
# (--compare pools a program's processes): the two CPUs' loads differ
# (other work on the machine), and unbalanced, that difference was marked
# in submitTime, execTotal and postProc in some runs.
pin0= pin1=
if command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null &&
	taskset -c 1 true 2>/dev/null; then
	pin0="taskset -c 0" pin1="taskset -c 1"
fi
cmp() {		# cmp NAME BASE NEW: text and JSON
	"$report" --compare "$2" "$3" --json "$work/$1.json" >"$work/$1.txt" \
		2>"$work/$1.err" || { bad "$1: --compare failed"; cat "$work/$1.err"; }
}

# run_once: the three pairs recorded and compared, the checks
run_once() {
	for n in a1 a2 b1 b2 f1 f2 base fault; do
		rm -rf "${work:?}/$n"
	done
	pin=$pin0
	start a1
	start a2
	finish a1
	finish a2
	start b1
	pin=$pin1
	start f1 QAIC_SIM_FAULT_SLOW_PREPROC_US=20
	finish b1
	finish f1
	start b2
	pin=$pin0
	start f2 QAIC_SIM_FAULT_SLOW_PREPROC_US=20
	finish b2
	finish f2
	for r in base fault; do
		mkdir -p "$work/$r/trace"
	done
	mv "$work/b1/trace" "$work/base/trace/1" && mv "$work/b2/trace" "$work/base/trace/2" &&
		mv "$work/f1/trace" "$work/fault/trace/1" && mv "$work/f2/trace" "$work/fault/trace/2" ||
		bad "pooling the fault pairs' traces"

	cmp aa "$work/a1/trace" "$work/a2/trace"
	cmp fault "$work/base/trace" "$work/fault/trace"
	grep -E '\*|marked' "$work/aa.txt" "$work/fault.txt"

	# from JSON reports: the same figures
	for r in base fault; do
		"$report" "$work/$r/trace" -q --json "$work/$r.report.json" --per-inference ||
			bad "$r: --json --per-inference"
	done
	cmp fault_json "$work/base.report.json" "$work/fault.report.json"

	/usr/bin/python3 - "$work" <<'EOF' || fail=1
import json, sys
w = sys.argv[1]
bad = []

def load(n):
    return json.load(open('%s/%s.json' % (w, n)))

def marks(c):
    return sorted((p['name'], m, s) for p in c['programs']
                  for m, st in p['metrics_us'].items()
                  for s, v in st.items() if v['marked'])

def dump_stat(runs, name, s):	# the pooled runs' dumps, None: no column
    v = []
    for run in runs:
        lines = open('%s/%s/dump/aic-profiling-program-0-latency.txt' % (w, run)).read().splitlines()
        head = [h.strip() for h in lines[4].split(',')]
        cols = [c for c in (name + 'Us', name.replace('Time', '') + 'Us') if c in head]
        if not cols:
            return None
        k = head.index(cols[0])
        v += [float(r.split(',')[k]) for r in lines[5:] if r.strip()]
    if s == 'mean':
        return sum(v) / len(v)
    v.sort()
    h = (len(v) - 1) * int(s[1:]) / 100.0
    return v[int(h)] + (h - int(h)) * (v[min(int(h) + 1, len(v) - 1)] - v[int(h)])

aa, fa, fj = load('aa'), load('fault'), load('fault_json')
if marks(aa):
    bad.append('A/A marks %s' % marks(aa))
if aa['marked'] != 0:
    bad.append('A/A: "marked" is %d' % aa['marked'])
# the fault
pre = fa['programs'][0]['metrics_us']['preProcTime']
(bm, b50), (fm, f50) = [(dump_stat(r, 'preProcTime', 'mean'), dump_stat(r, 'preProcTime', 'p50'))
                          for r in (('b1', 'b2'), ('f1', 'f2'))]
truth_mean, truth_p50 = fm - bm, f50 - b50
print('e2e_compare: runtime dumps: preProcTimeUs mean %+.2f µs, p50 %+.2f µs; qprof: mean %+.2f [%+.2f, %+.2f], p50 %+.2f [%+.2f, %+.2f]'
      % (truth_mean, truth_p50, pre['mean']['delta'], *pre['mean']['ci95'],
         pre['p50']['delta'], *pre['p50']['ci95']))
if abs(truth_p50 - 20) > 1:
    bad.append('the fault added %.2f µs at p50 in the runtime\'s own dump, not 20' % truth_p50)
TOL = 1.0	# µs: the two runs' CPUs differ (above)
for s in ('p50', 'mean'):
    # The median must be marked.  The mean carries every outlier of a
    # loaded host: where its drift is larger than the shift the rule may
    # leave it unmarked, but its interval must still hold the shift.
    if s == 'mean' and not pre[s]['marked'] and pre[s]['drift'] * 2 >= pre[s]['delta']:
        print('e2e_compare: NOTE: preProcTime mean not marked (drift %.2f µs on this host)'
              % pre[s]['drift'])
    elif not (pre[s]['marked'] and pre[s]['delta'] > 0):
        bad.append('preProcTime %s not marked slower: %s' % (s, pre[s]))
    lo, hi = pre[s]['ci95']
    truth = truth_p50 if s == 'p50' else truth_mean
    for what, x in (('the nominal +20 µs', 20.0), ('the runtime\'s shift', truth)):
        if not lo - TOL <= x <= hi + TOL:
            bad.append('%s: %s %.2f is outside qprof\'s interval [%.2f, %.2f] +- %.1f'
                       % (s, what, x, lo, hi, TOL))
# Any other mark must be a change the runtime's own dumps saw too: the
# fault's 20 µs of work on a runtime worker can move another metric's
# tail on 2 CPUs (execTotal p99 +8.6 µs [+4.7, +12.8] once).  Its shift
# in the dumps must lie in qprof's interval widened by TOL.
# qprof's submitTime is the EXECUTE ioctl, the dumps' submitTimeUs the
# runtime's preparation before it: the dumps cannot tell whether the
# EXECUTE moved.  On 2 CPUs its tail does move with the fault's spinning
# worker (the simulated driver answers it in the caller's thread; +7.6 us
# at p99 [+3.9, +9.5] once): its tails are noted; its median and mean
# must not move.
others = []
for prog, m, s in marks(fa):
    if m in ('preProcTime', 'totalRoundtripTime'):
        continue
    if m == 'submitTime' and s in ('p90', 'p99'):
        print('e2e_compare: NOTE: submitTime %s marked %+.2f (the EXECUTE ioctl; the dumps do not time it)'
              % (s, fa['programs'][0]['metrics_us'][m][s]['delta']))
        continue
    st = fa['programs'][0]['metrics_us'][m][s]
    b, f = dump_stat(('b1', 'b2'), m, s), dump_stat(('f1', 'f2'), m, s)
    lo, hi = st['ci95']
    if b is not None and lo - TOL <= f - b <= hi + TOL:
        print('e2e_compare: NOTE: %s %s marked %+.2f [%+.2f, %+.2f]: the runtime\'s dumps moved %+.2f µs too'
              % (m, s, st['delta'], lo, hi, f - b))
    else:
        others.append((prog, m, s, None if b is None else round(f - b, 2)))
if others:
    bad.append('the fault marks more than preProcTime and the round trip, '
               'unseen in the runtime\'s dumps (their shift): %s' % others)
# JSON inputs: the same statistics
for p, q in zip(fa['programs'], fj['programs']):
    for m in p['metrics_us']:
        for s in p['metrics_us'][m]:
            a, b = p['metrics_us'][m][s], q['metrics_us'][m][s]
            if abs(a['delta'] - b['delta']) > 0.01 or a['marked'] != b['marked']:
                bad.append('JSON input: %s %s %s differs: %s vs %s' % (p['name'], m, s, a, b))
# the text marks what the JSON marks
txt = open(w + '/fault.txt').read()
if txt.count('* slower') + txt.count('* faster') != fa['marked']:
    bad.append('text and JSON disagree on the marks')
for b in bad:
    print('FAIL: ' + b)
sys.exit(1 if bad else 0)
EOF
}

qp_run_twice compare
exit $fail
