#!/bin/sh
# SPDX-License-Identifier: MIT
# qprof-report --opstats / --compile-metrics without a trace, on the real
# samples (test_device_data/): the summary tables and findings and the JSON
# "device" object against figures computed here with awk from the samples
# (not by the parser); malformed inputs end in "FILE:LINE: message", exit 1.
set -u
: "${top_builddir:=../..}" "${top_srcdir:=../..}"
report=$top_builddir/post/qprof-report
data=$top_srcdir/tests/post/test_device_data
[ -x "$report" ] || { echo "no $report"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "no /usr/bin/python3"; exit 77; }
work=$(mktemp -d) || exit 99
trap 'rm -rf "$work"' EXIT
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

ops=$work/ops
mkdir "$ops"
cp "$data/opstats_summary_full_bert_base.txt" \
   "$ops/aic-profiling-program-0-activation-0-inf-100.txt"
cm=$data/compile_perf_metrics_bert_base.txt
llm=$data/compile_perf_metrics_llm_decode_14core.txt

"$report" --opstats "$ops" --compile-metrics "$llm" --json "$work/d.json" \
	>"$work/sum" 2>"$work/err" || { bad "report exit $?"; cat "$work/err"; }

# per core: total ucycles, % of it in HMX / HVX / DMAIssue operators, in
# sync of each engine, on DDR (awk over the operator rows: $11 name,
# $12 engine, $13 mem)
awk '
$1 ~ /^c[0-9]+$/ && $2 ~ /^[0-9]+$/ && NF >= 11 {
	c = substr($1, 2); k = ($11 == "sync" || $11 == "barrier") ? $11 : "op"
	u[c, k, $12] += $2; if (k == "op" && $13 == "DDR") ddr[c] += $2 }
$2 == "total:" { t[substr($1, 2)] = $3 }
END { for (c = 0; c in t; c++)
	printf "%d %d %.4f %.4f %.4f %.4f %.4f %.4f %.4f\n", c, t[c],
	  100 * u[c, "op", "HMX"] / t[c], 100 * u[c, "op", "HVX"] / t[c],
	  100 * u[c, "op", "DMAIssue"] / t[c], 100 * u[c, "sync", "HMX"] / t[c],
	  100 * u[c, "sync", "HVX"] / t[c], 100 * u[c, "sync", "DMAIssue"] / t[c],
	  100 * ddr[c] / t[c] }' "$ops"/*.txt >"$work/want"
[ "$(wc -l <"$work/want")" -eq 2 ] || bad "awk found $(wc -l <"$work/want") cores"

python3 - "$work/d.json" "$work/want" <<'PY' || bad "JSON opstats"
import json, sys
d = json.load(open(sys.argv[1]))["device"]
o = d["opstats"][0]
assert (o["program"], o["activation"], o["inference"]) == (0, 0, 100), o
assert abs(o["batch_ms"] - 444677 / 19.2e3) < 1e-9, o["batch_ms"]
for line, c in zip(open(sys.argv[2]), o["cores"]):
    w = line.split()
    assert c["core"] == int(w[0]) and c["total_ucycles"] == int(w[1]), c
    got = [c["busy_pct"]["HMX"], c["busy_pct"]["HVX"], c["busy_pct"]["DMA"],
           c["sync_pct"]["HMX"], c["sync_pct"]["HVX"], c["sync_pct"]["DMA"],
           c["ddr_pct"]]
    for g, x in zip(got, map(float, w[2:])):
        assert abs(g - x) < 1e-3, (c["core"], got, w)
# top operator of each core: the largest operator row (not sync/barrier)
tops = [t for t in o["top_operators"] if t["core"] == 0]
assert tops[0]["operator"] == "aicconvolutiond32" and tops[0]["ucycles"] == 244552, tops[0]
assert d["environment"] is None and d["device_trace"] is None
m = d["compile_metrics"]
c0 = m["cores"][0]
# c00: DDR read 1042021 KB, constant only 976485 KB -> 65536 KB spilled
assert (c0["core"], c0["ddr_read_kb"], c0["const_read_kb"]) == (0, 1042021, 976485), c0
assert c0["spill_kb"] == 1042021 - 976485 and c0["spilling"], c0
assert m["spilling_cores"] == 1, m["spilling_cores"]
assert all(not c["spilling"] for c in m["cores"][1:])
PY

# the summary: the table rows and the findings with their numbers
read -r c t hmx hvx dma shmx shvx sdma ddr <"$work/want"
line=$(printf 'c%-3s %12s %7.1f%% %7.1f%% %7.1f%% %7.1f%% %7.1f%% %7.1f%% %7.1f%%' \
	"$c" "$t" "$hmx" "$hvx" "$dma" "$shmx" "$shvx" "$sdma" "$ddr")
grep -qF -- "$line" "$work/sum" || bad "summary row '$line' missing"
f0=$(printf 'core 0: %.1f %% of cycles in sync DMAIssue' "$sdma")
grep -qF -- "finding: $f0" "$work/sum" || bad "finding '$f0' missing"
grep -qF 'finding: spill: c00 reads 65536 KB per inference from DDR' "$work/sum" ||
	bad "spill finding missing"
grep -q '^  c0 .* 65536 SPILL$' "$work/sum" || bad "c0 spill row missing"

# without spills: the bert-base compile
"$report" --compile-metrics "$cm" >"$work/sum2" 2>&1 || bad "bert compile metrics"
grep -qF 'finding: no spill' "$work/sum2" || bad "bert: no-spill finding missing"

# the simulator's perf-metrics of every preset read, spills as written
for p in bert llm resnet50 tiny; do
	f=$top_srcdir/sim/presets/$p.perf-metrics.txt
	"$report" --compile-metrics "$f" >"$work/p.txt" 2>&1 || { bad "$p.perf-metrics.txt"; cat "$work/p.txt"; }
	# awk: cores whose DDR read exceeds its "constant only" line
	want=$(awk '/^ +c[0-9]+: DDR traffic  read:/ { c = $1; r = $5 }
		/^ +constant only:/ && c != "" { if (r > $3) printf "%s%s", n++ ? " " : "", c; c = "" }' "$f")
	got=$(sed -n 's/^  finding: spill: \(c[0-9]*\) reads.*/\1:/p' "$work/p.txt" | tr '\n' ' ' | sed 's/ $//')
	[ "$got" = "$want" ] || bad "$p: spills '$got', awk says '$want'"
done
[ -n "$(awk '/^ +c[0-9]+: DDR traffic  read:/ { c = $1; r = $5 }
	/^ +constant only:/ && c != "" { if (r > $3) print c; c = "" }' "$top_srcdir/sim/presets/resnet50.perf-metrics.txt")" ] ||
	bad "resnet50's perf-metrics have no spill"

# malformed inputs: FILE:LINE: message, exit 1
expect_err() {
	pat=$1; shift
	"$report" "$@" >"$work/out" 2>"$work/err"
	rc=$?
	[ $rc -eq 1 ] && grep -q -- "$pat" "$work/err" ||
		{ bad "$* -> $rc"; cat "$work/err"; }
}
sed '4s/ 15612581 / 156x2581 /' "$ops"/*.txt >"$work/aic-profiling-program-0-activation-0-inf-1.txt"
expect_err "inf-1.txt:4: " --opstats "$work/aic-profiling-program-0-activation-0-inf-1.txt"
sed 's/^    c00: DDR traffic  read:      83957 KB/    c00: DDR traffic  read:      8x957 KB/' "$cm" >"$work/cm.txt"
expect_err "cm.txt:36: " --compile-metrics "$work/cm.txt"
printf '{"traceEvents":[{"ph":"X","ts":"x"}]}\n' >"$work/t.json"
expect_err "t.json:1:" --device-trace "$work/t.json"
expect_err "no-such: " --opstats "$work/no-such"
# usage: no trace and an output that needs one
"$report" --opstats "$ops" --chrome-trace "$work/c.json" >/dev/null 2>&1
[ $? -eq 2 ] || bad "--chrome-trace without a trace is not a usage error"

[ $fails -eq 0 ] && echo "device_report: ok"
exit $((fails != 0))
