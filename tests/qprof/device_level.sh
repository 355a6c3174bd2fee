#!/bin/sh
# SPDX-License-Identifier: MIT
# Device level end to end: qprof record of the simulator's bert preset with
# latency, stats and trace profiling on (2 simulated devices, device 1 not
# Ready according to qaic-sim-util), then qprof report with the three
# device inputs.  Checked against independent truths:
#   - preflight: the not-Ready warning comes before the application starts;
#     the environment header and JSON carry every device's Status, firmware
#     and runtime versions as qaic-sim-util printed them;
#   - opstats tables: per core HMX/HVX/DMA busy and sync shares recomputed
#     here with awk from the simulator's opstats files; each file's total
#     batch ucycles / 19.2 equals the runtime's own devExecUs (latency dump)
#     of that sample;
#   - device trace (one inference in flight, -S 1: no queueing, so the
#     alignment window is the EXECUTE call's duration): every profiled
#     inference matched, every merged device
#     operator of the Chrome trace inside its inference's device span, and
#     the clock offset found within the stated error of the simulator's
#     device-clock origin (sim/runtime/devprof.c); the same with requests
#     queued on the device (-S 10), where the stated error is the queueing
#     time and must still hold the true offset;
#   - the HTML page: the JSON's device object, shown in headless Chromium;
#   - without a qaic-util the recording says so and carries on.
set -u
. "${srcdir:-.}/lib.sh"
qp_begin device-level
cd "$work" || exit 99
[ -x /usr/bin/python3 ] || { echo "no /usr/bin/python3"; exit 77; }
simutil=$top_srcdir/sim/apps/qaic-sim-util
cm=$top_srcdir/sim/presets/bert.perf-metrics.txt
# SIM_DEVICE_CLOCK_ORIGIN_TICKS of sim/runtime/devprof.c
origin_ticks=9803000000000

# the HTML page too when d3.js is there (checked in Chromium below when
# that is there too)
html=
[ -r "${QPROF_D3_JS:-/usr/share/javascript/d3/d3.min.js}" ] && html=1
mkdir prof
QAIC_SIM_NUM_DEVICES=2 QAIC_SIM_DEVICE_STATUS=1=Error QPROF_QAIC_UTIL=$simutil \
	"$qprof" record -o t -- "$app" -t bert -n 30 -S 1 \
	--aic-profiling-type latency --aic-profiling-type stats \
	--aic-profiling-type trace --aic-profiling-start-iter 10 \
	--aic-profiling-num-samples 3 --aic-profiling-out-dir prof >rec.out 2>&1
expect_status 0 $? "qprof record"
warn=$(grep -n 'warning: device(s) not Ready according to .*qaic-sim-util -q: QID 1 (Error)' rec.out | cut -d: -f1)
start=$(grep -n 'Using bounded random inputs' rec.out | cut -d: -f1)
[ -n "$warn" ] && [ -n "$start" ] && [ "$warn" -lt "$start" ] ||
	{ bad "no not-Ready warning before the run:"; cat rec.out; }
[ -s t/qaic-util-q.txt ] || bad "no t/qaic-util-q.txt"
grep -q '^qaic-util: .*qaic-sim-util -q$' t/qprof-env.txt || bad "qprof-env.txt: $(cat t/qprof-env.txt)"
ls prof/aic-profiling-program-0-activation-0-inf-1[012].txt >/dev/null 2>&1 ||
	bad "opstats files missing: $(ls prof)"

"$qprof" report t --device-latency prof --opstats prof \
	--device-trace prof/aic-profiling-program-0-trace.json \
	--compile-metrics "$cm" --json r.json --chrome-trace c.json \
	${html:+--html r.html --per-inference} >sum.txt 2>rep.err
expect_status 0 $? "qprof report with the device inputs"
[ -s rep.err ] && { echo "report stderr:"; cat rep.err; }
grep "aligned to the host clock" sum.txt

# the environment header (summary) as qaic-sim-util printed it
grep -q '^Device environment (recorded with the trace on ' sum.txt || bad "no environment header"
grep -q '^  runtime LRT.AIC.SIM.1.0.0, 2 device(s)$' sum.txt || bad "header: runtime/devices"
grep -Eq '^  0 +Ready +1\.0\.0 +QSM\.AIC\.SIM\.1\.0\.0 +1\.0\.0 +0000:01:00\.0$' sum.txt || bad "header: QID 0 row"
grep -Eq '^  1 +Error +1\.0\.0 ' sum.txt || bad "header: QID 1 row"
grep -q '^  WARNING: 1 device(s) not Ready: QID 1 (Error)$' sum.txt || bad "header: not-Ready warning"
grep -q '^Device opstats: prof/aic-profiling-program-0-activation-0-inf-10.txt (program 0, activation 0, inference 10)$' sum.txt ||
	bad "summary: opstats section"
grep -q '^Device trace: .* 3 profiled inference(s) on 2 core(s)$' sum.txt || bad "summary: device trace section"
grep -q 'operators outside their inference.s device span: 0; of unmatched inferences: 0' sum.txt ||
	bad "summary: operators outside their span"

# per core shares of each opstats file, recomputed with awk
for f in prof/aic-profiling-program-0-activation-0-inf-*.txt; do
	awk -v f="${f##*/}" '
	$1 ~ /^c[0-9]+$/ && $2 ~ /^[0-9]+$/ && NF >= 11 {
		c = substr($1, 2); k = ($11 == "sync" || $11 == "barrier") ? $11 : "op"
		u[c, k, $12] += $2 }
	$2 == "total:" { t[substr($1, 2)] = $3 }
	/^total batch ucycles:/ { b = $4 }
	END { for (c = 0; c in t; c++)
		printf "%s %d %d %.4f %.4f %.4f %.4f %.4f %.4f %d\n", f, c, t[c],
		  100 * u[c, "op", "HMX"] / t[c], 100 * u[c, "op", "HVX"] / t[c],
		  100 * u[c, "op", "DMAIssue"] / t[c], 100 * u[c, "sync", "HMX"] / t[c],
		  100 * u[c, "sync", "HVX"] / t[c], 100 * u[c, "sync", "DMAIssue"] / t[c], b }' "$f"
done >want.txt

python3 - r.json c.json want.txt prof/aic-profiling-program-0-latency.txt "$origin_ticks" <<'PY' || bad "JSON / Chrome checks"
import json, sys
r = json.load(open(sys.argv[1]))
d = r["device"]
fail = []
def check(cond, what):
    if not cond:
        fail.append(what)
# environment
e = d["environment"]
check(e["runtime_version"] == "LRT.AIC.SIM.1.0.0", "runtime version")
check([x["status"] for x in e["devices"]] == ["Ready", "Error"], "statuses")
check(e["not_ready"] == 1, "not_ready")
check(all(x["fw_version"] == "1.0.0" and x["nsp_version"] == "1.0.0" for x in e["devices"]), "versions")
# opstats against awk and against the runtime's devExecUs
dev_exec = {}
hdr = None
for line in open(sys.argv[4]):
    cells = [c.strip() for c in line.split(",")]
    if cells[0] == "Sample":
        hdr = cells
    elif hdr and cells[0].isdigit():
        dev_exec[int(cells[0])] = float(cells[hdr.index("devExecUs")])
ops = {o["file"].split("/")[-1]: o for o in d["opstats"]}
check(sorted(o["inference"] for o in d["opstats"]) == [10, 11, 12], "opstats inferences")
for line in open(sys.argv[3]):
    w = line.split()
    o = ops[w[0]]
    c = o["cores"][int(w[1])]
    check(c["total_ucycles"] == int(w[2]), "total ucycles %s" % w[:2])
    got = [c["busy_pct"]["HMX"], c["busy_pct"]["HVX"], c["busy_pct"]["DMA"],
           c["sync_pct"]["HMX"], c["sync_pct"]["HVX"], c["sync_pct"]["DMA"]]
    check(all(abs(g - float(x)) < 1e-3 for g, x in zip(got, w[3:9])), "shares %s %s" % (w[:2], got))
    check(abs(int(w[9]) / 19.2 - dev_exec[o["inference"]]) < 0.001,
          "batch ucycles %s vs devExecUs %s" % (w[9], dev_exec[o["inference"]]))
    check(c["verdict"] != "", "verdict")
    check(len([t for t in o["top_operators"] if t["core"] == c["core"]]) == 5, "top operators")
    check(any(f["text"].startswith("core %d: " % c["core"]) and "% of cycles in sync DMAIssue" in f["text"]
              for f in o["findings"]), "sync finding")
# device trace: alignment against the simulator's clock origin
t = d["device_trace"]
check(t["aligned"] and t["matched"] == 3 and t["ops_outside_span"] == 0 and t["ops_unmatched"] == 0,
      "alignment %s" % {k: t.get(k) for k in ("aligned", "matched", "ops_outside_span")})
origin_ns = int(sys.argv[5]) / 19.2e6 * 1e9
for i in t["inferences"]:
    err_ns = i["error_us"] * 1000
    # device us * 1000 = host ns - origin_ns - (0..52 ns of tick truncation)
    check(abs(i["offset_ns"] + origin_ns) <= err_ns + 60,
          "inference %d: offset %.0f, true %.0f, error %.0f" % (i["inference"], i["offset_ns"], -origin_ns, err_ns))
    # 1 ns: span_*_ns are truncated, ops_*_ns rounded
    check(i["span_begin_ns"] - 1 <= i["ops_begin_ns"] and i["ops_end_ns"] <= i["span_end_ns"] + 1,
          "inference %d operators outside its span" % i["inference"])
    check(i["devexec_confirmed"], "inference %d devExec not confirmed" % i["inference"])
    # useful: well below the inference's own device time (the window is
    # the EXECUTE call's duration, a few 10 us, ms on a loaded machine)
    check(i["error_us"] < 0.25 * dev_exec[i["inference"]],
          "inference %d error %.3f us" % (i["inference"], i["error_us"]))
# Chrome: every device operator inside its inference's device span slice
c = json.load(open(sys.argv[2]))["traceEvents"]
spans = {}
for ev in c:
    if ev.get("ph") == "X" and ev.get("cat") == "device" and ev["name"].endswith(" device span"):
        spans[(ev["pid"], ev["args"]["host_inference"], int(ev["name"].split()[1]))] = (ev["ts"], ev["ts"] + ev["dur"])
n = 0
for ev in c:
    if ev.get("ph") == "X" and ev.get("cat") == "device" and "device_ts_us" in ev.get("args", {}):
        inf = ev["args"]["inference"]
        sp = [v for k, v in spans.items() if k[0] == ev["pid"] and k[2] == inf]
        check(len(sp) == 1, "span of inference %d" % inf)
        if sp:
            b, e_ = sp[0]
            check(b - 0.002 <= ev["ts"] and ev["ts"] + ev["dur"] <= e_ + 0.002,
                  "%s at %.3f+%.3f outside [%.3f, %.3f]" % (ev["name"], ev["ts"], ev["dur"], b, e_))
        n += 1
check(n == t["operators"], "Chrome device operators %d of %d" % (n, t["operators"]))
# the host inferences are there too
check(any(ev.get("name") == "execTotal" for ev in c), "host slices")
# compile metrics
m = d["compile_metrics"]
check([x["core"] for x in m["cores"]] == [0, 1] and m["spilling_cores"] == 0, "compile metrics")
if fail:
    print("\n".join(fail))
    sys.exit(1)
PY

# the HTML report: the same device object, shown (headless Chromium,
# tests/post/browser_check.py, as e2e_html.sh)
if [ -n "$html" ]; then
	python3 - r.html r.json <<'PY' || bad "HTML data"
import json, re, sys
page = open(sys.argv[1]).read()
m = re.search(r'<script type="application/json" id="qprof-data">(.*?)</script>', page, re.S)
data = json.loads(m.group(1))
# the page writes reals with 10 significant digits, the JSON with 12
def same(a, b):
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1)
    return a == b
assert same(data["device"], json.load(open(sys.argv[2]))["device"]), "the page's device object differs from the JSON's"
PY
	chromium=$(command -v chromium || command -v chromium-browser || true)
	if [ -n "$chromium" ]; then
		python3 - r.json prof/aic-profiling-program-0-activation-0-inf-10.txt >r.expect <<'PY' || bad "HTML expectations"
import json, math, sys
r = json.load(open(sys.argv[1]))
ok = [i for i in r["inferences"] if i["state"] == "ok"]
phases = ["enqTimeUs", "preProcTimeUs", "execTotalUs", "execToCompleteUs",
          "postProcUs", "totalRoundtripTimeUs"]
have = [p for p in phases if any(p in i["metrics"] for i in ok)]
json.dump({"charts": {
    "hist": {"count": len(have), "series": 1, "points": [50]},
    "cdf": {"count": 1, "series": len(have), "points": [118] * len(have)},
    "time": {"count": 1, "series": 1, "points": [len(ok)]},
    "split": {"count": 1, "series": 7, "points": [2] * 7}},
    "texts": ["Device level", "WARNING: 1 device(s) not Ready",
              "Opstats " + sys.argv[2] + " (program 0, activation 0, inference 10)",
              "3 of 3 profiled inference(s) aligned to the host clock",
              "Compile perf-metrics", "aicconvolutiond32 HMX TCM (float16, i8, index32)"]},
    sys.stdout)
PY
		net=
		unshare -n true 2>/dev/null && net="unshare -n"
		$net python3 "$top_srcdir/tests/post/browser_check.py" "$chromium" r.html r.expect >browser.out 2>&1
		rc=$?
		if [ $rc = 77 ]; then
			echo "chromium cannot start here: the page is not loaded"
		elif [ $rc != 0 ]; then
			bad "r.html in the browser:"; cat browser.out
		else
			tail -1 browser.out
		fi
	fi
fi

# requests queued on the device (-S 10): the device span starts at the
# doorbell, not when the device takes the request, so the stated error
# grows by the queueing time; it must still hold the true offset
mkdir prof4
QPROF_QAIC_UTIL=$simutil "$qprof" record -o t4 -- "$app" -t bert -n 40 -S 10 \
	--aic-profiling-type latency --aic-profiling-type trace \
	--aic-profiling-start-iter 20 --aic-profiling-num-samples 4 \
	--aic-profiling-out-dir prof4 >rec4.out 2>&1
expect_status 0 $? "qprof record -S 10"
"$qprof" report t4 --device-latency prof4 \
	--device-trace prof4/aic-profiling-program-0-trace.json -q --json r4.json 2>rep4.err ||
	{ bad "report of the queued run"; cat rep4.err; }
python3 - r4.json "$origin_ticks" <<'PY' || bad "queued run: alignment"
import json, sys
t = json.load(open(sys.argv[1]))["device"]["device_trace"]
origin_ns = int(sys.argv[2]) / 19.2e6 * 1e9
assert t["aligned"] and t["matched"] == 4 and t["ops_outside_span"] == 0, t
for i in t["inferences"]:
    assert abs(i["offset_ns"] + origin_ns) <= i["error_us"] * 1000 + 60, i
print("queued run: alignment error <= %.3f us; placed %s us from the true offset" %
      (t["alignment_error_us"], ", ".join("%.3f" % ((i["offset_ns"] + origin_ns) / 1000)
                                          for i in t["inferences"])))
PY

# no qaic-util: the recording says so and carries on
if ! PATH=/usr/bin:/bin command -v qaic-util >/dev/null 2>&1 &&
   [ ! -x /opt/qti-aic/tools/qaic-util ]; then
	PATH=/usr/bin:/bin "$qprof" record -o t2 -- "$app" -n 20 >rec2.out 2>&1
	expect_status 0 $? "qprof record without qaic-util"
	grep -q 'qaic-util not found (QPROF_QAIC_UTIL names it): the trace has no device status or versions' rec2.out ||
		{ bad "no 'qaic-util not found' message:"; cat rec2.out; }
	grep -q '^qaic-util: not found$' t2/qprof-env.txt || bad "t2/qprof-env.txt"
	"$qprof" report t2 >sum2.txt 2>&1 || bad "report without qaic-util output"
	grep -q '^  no device status: not found$' sum2.txt || bad "report does not say qaic-util was missing"
fi
# a qaic-util that fails: said, and the recording goes on
QPROF_QAIC_UTIL=/bin/false "$qprof" record -o t3 -- "$app" -n 20 >rec3.out 2>&1
expect_status 0 $? "qprof record with a failing qaic-util"
grep -q '/bin/false -q failed (exit 1): the trace has no device status' rec3.out ||
	{ bad "no failure message:"; cat rec3.out; }
exit $fail
