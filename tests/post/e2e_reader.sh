#!/bin/sh
# End-to-end test of the trace reader (post/reader.c) on real LTTng traces:
# e2e_gen emits the shim's events through the real qprof provider with
# values derived from the inference number; e2e_readcheck decodes them
# with qp_read_traces() and checks every field, the order and the counts.
#   1. per-UID buffers, 2 processes, wait and callback completion; 134
#      BOs per request (an LLM program's), assembled whole by qprof-report;
#   2. per-PID buffers (one trace per process), discovery from the session dir;
#   3. a channel too small on purpose: every event e2e_gen emitted is
#      either decoded or counted as discarded, and the count equals what
#      `lttng list` reports (per-PID buffers; when no other process shared
#      the session daemon's session).
set -u
: "${top_builddir:=../..}" "${top_srcdir:=../..}"
. "$top_srcdir/tests/lib/lttng.sh"
tp=$top_builddir/tests/post
qp_e2e_begin e2e-reader

# 1. per-UID, two processes (one with callbacks)
s=$(qp_session_create e2e-reader "$work/t1") || exit 99
sessions="$sessions $s"
qp_session_start "$s" || exit 99
"$tp/e2e_gen" -n 5000 -k 4 -o prog-a || exit 99
"$tp/e2e_gen" -n 5000 -k 4 -o prog-a || exit 99
qp_session_stop "$s"
"$tp/e2e_readcheck" -n 5000 -k 4 -o prog-a -P 2 "$work/t1" || fail=1
s2=$(qp_session_create e2e-reader "$work/t1c") || exit 99
sessions="$sessions $s2"
qp_session_start "$s2" && "$tp/e2e_gen" -n 3000 -k 3 -c && qp_session_stop "$s2" || exit 99
"$tp/e2e_readcheck" -n 3000 -k 3 -c "$work/t1c" || fail=1

# 1b. an LLM program's requests: 134 BOs each.  Every entry is decoded,
# and qprof-report assembles each request whole: the wait handle (entry
# 133) is found, its perf-stats entry gives exectoVc = 10 + i % 7 and
# execToComplete = 100 + i % 13, entry 0 queueDepth = 2 * (i % 3).
s1b=$(qp_session_create e2e-reader "$work/t1b") || exit 99
sessions="$sessions $s1b"
qp_session_start "$s1b" && "$tp/e2e_gen" -n 600 -k 3 -b 134 -o llm &&
	qp_session_stop "$s1b" || exit 99
"$tp/e2e_readcheck" -n 600 -k 3 -b 134 -o llm "$work/t1b" || fail=1
"$top_builddir/post/qprof-report" -q --json "$work/t1b.json" --per-inference \
	"$work/t1b" || fail=1
python3 - "$work/t1b.json" <<'PY' || fail=1
import json, sys
r = json.load(open(sys.argv[1]))
inf = [i for i in r["inferences"] if i["state"] == "ok" and i["match"] == "bo"]
bad = [i["seq"] for i in inf
       if i["metrics"].get("exectoVcUs") != 10 + i["seq"] % 7
       or i["metrics"].get("execToCompleteUs") != 100 + i["seq"] % 13
       or i["counts"].get("queueDepth") != 2 * (i["seq"] % 3)]
if len(inf) != 600 or len(r["inferences"]) != 600 or bad:
    sys.exit("134-BO requests: %d of %d matched, wrong kernel stats: %s"
             % (len(inf), len(r["inferences"]), bad[:10]))
PY

# 2. per-PID buffers: one trace directory per process
s3=e2e-reader-pid-$$
sessions="$sessions $s3"
{ lttng create "$s3" --output="$work/t2" &&
  lttng enable-channel -u -s "$s3" --buffers-pid --subbuf-size=1M --num-subbuf=8 qp &&
  lttng enable-event -u -s "$s3" -c qp 'qprof:*' &&
  lttng start "$s3"; } >>"$QP_LTTNG_LOG" 2>&1 || exit 99
"$tp/e2e_gen" -n 2000 -k 2 && "$tp/e2e_gen" -n 2000 -k 2 && "$tp/e2e_gen" -n 2000 -k 2 || exit 99
lttng stop "$s3" >>"$QP_LTTNG_LOG" 2>&1
ntr=$(find "$work/t2" -path '*e2e_gen-*' -name metadata | wc -l)
[ "$ntr" -eq 3 ] || { echo "expected 3 per-PID traces, found $ntr"; fail=1; }
"$tp/e2e_readcheck" -n 2000 -k 2 -P 3 "$work/t2" || fail=1

# 3. forced loss: 2 x 4 KiB sub-buffers cannot hold 200k inferences.
# Per-PID buffers, so that the count is this process's alone.
s4=e2e-reader-loss-$$
sessions="$sessions $s4"
{ lttng create "$s4" --output="$work/t3" &&
  lttng enable-channel -u -s "$s4" --buffers-pid --subbuf-size=4K --num-subbuf=2 qp &&
  lttng enable-event -u -s "$s4" -c qp 'qprof:*' &&
  lttng start "$s4"; } >>"$QP_LTTNG_LOG" 2>&1 || exit 99
# lttng reports a per-PID buffer's discarded count only while its process
# lives: e2e_gen stays alive (-w) until the count has been read.
"$tp/e2e_gen" -n 200000 -k 2 -w "$work/t3-go" & gpid=$!
n=0
until [ -e "$work/t3-go.ready" ]; do
	kill -0 $gpid 2>/dev/null || { wait $gpid; exit 99; }
	n=$((n + 1)); [ $n -lt 6000 ] || { kill $gpid; exit 99; }
	sleep 0.01
done
lttng stop "$s4" >>"$QP_LTTNG_LOG" 2>&1
ndisc=$(qp_session_discarded "$s4")
touch "$work/t3-go"
wait $gpid || exit 99
tdir=$(find "$work/t3" -type d -name "e2e_gen-$gpid-*")
ntr=$(find "$work/t3" -name metadata | wc -l)
# lttng's count covers every process of the session: compare only when
# e2e_gen was alone in it (e2e_readcheck fails when nothing was lost)
if [ "$ntr" -eq 1 ]; then
	set -- -d "$ndisc"
else
	set -- -L
fi
"$tp/e2e_readcheck" -n 200000 -k 2 "$@" "$tdir" || fail=1

# 4. not a trace
if "$tp/e2e_readcheck" "$work/nothing-here" 2>"$work/err" ||
	! grep -q 'No such file' "$work/err"; then
	echo "a missing path was not reported"; fail=1
fi
mkdir "$work/empty"
if "$tp/e2e_readcheck" "$work/empty" 2>"$work/err" ||
	! grep -q 'no CTF trace (no metadata file) under' "$work/err"; then
	echo "a directory without trace was not reported"; cat "$work/err"; fail=1
fi
exit $fail
