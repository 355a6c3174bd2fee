#!/bin/bash
# The sample Python LLM generation application (sim/apps/qaic_llm_generate.py)
# under `qprof record`:
#  1. the llm preset (131 bindings, 132 BOs) on one device, 3 requests
#     (prompts of 40 and 70 tokens: 2 and 3 prefill chunks of 32) and 8
#     generated tokens each: every inference of the application is in the
#     report, matched to its kernel events by BO handles; the prefill and
#     decode shapes are recorded as the application passed them, with
#     >= 130 buffers per step;
#  2. batch 4 (tests/python/llm-b4.desc): the same, 4 sequences per step;
#  3. --devices 0:1:2:3 (devMapping): every step is one enqueue and one
#     EXECUTE per device, and every inference is matched.
# The application's own TTFT / ITL figures are printed per request.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PYTHONPATH="$SIM_PYTHONPATH" PYTHONDONTWRITEBYTECODE=1 QAIC_SIM_NUM_DEVICES=4
qprof=$top_builddir/scripts/qprof
report=$top_builddir/post/qprof-report
app=$top_srcdir/sim/apps/qaic_llm_generate.py
fail=0

# record LABEL ARGS...: the application under qprof record, its JSON, the
# trace's text
record() {
	label=$1
	shift
	"$qprof" record --blocking -o "$tmp/$label" -- "$PYTHON3" "$app" \
		--json "$tmp/$label.json" "$@" >"$tmp/$label.out" 2>&1 ||
		{ echo "FAIL: $label: recording"; cat "$tmp/$label.out"; fail=1; return 1; }
	grep '^request' "$tmp/$label.out"
	babeltrace2 "$tmp/$label" >"$tmp/$label.txt" 2>/dev/null
}

# steps LABEL: the application's inferences (prefill chunks + decode steps)
steps() {
	"$PYTHON3" -c 'import json,sys; print(sum(r["prefill_chunks"] + r["decode_steps"] for r in json.load(open(sys.argv[1]))))' "$tmp/$1.json"
}

# matched LABEL: every inference matched by BO handles in the report
matched() {
	n=$(steps "$1")
	"$report" "$tmp/$1" >"$tmp/$1.report" 2>&1 ||
		{ echo "FAIL: $1: qprof-report"; cat "$tmp/$1.report"; fail=1; return; }
	grep -q "BO handles $n, FIFO per DBC 0, kernel-only 0" "$tmp/$1.report" ||
		{ echo "FAIL: $1: not all $n inferences matched by BO handles:"; cat "$tmp/$1.report"; fail=1; }
	echo "$1: $n inferences, all matched by BO handles"
}

# shapes LABEL BATCH SEQ: py_set_data's dims0 per step, as the app passed them
shapes() {
	want=$("$PYTHON3" -c 'import json,sys
b, s = sys.argv[2], sys.argv[3]
for r in json.load(open(sys.argv[1])):
    print("\n".join(["[ [0] = %s, [1] = %s ]" % (b, s)] * r["prefill_chunks"] +
                    ["[ [0] = %s, [1] = 1 ]" % b] * r["decode_steps"]))' "$tmp/$1.json" "$2" "$3")
	got=$(grep 'qprof:py_set_data' "$tmp/$1.txt" | sed 's/.*dims0 = //; s/ }$//')
	[ "$got" = "$want" ] || { echo "FAIL: $1: the recorded shapes differ from the application's steps"; fail=1; }
}

record llm1 --qpc llm --devices 0 --requests 3 --prompt-len 40,70 --gen-len 8 &&
	{ matched llm1; shapes llm1 1 32;
	  nb=$(grep -m1 'qprof:py_set_data' "$tmp/llm1.txt" | sed 's/.*num_buffers = \([0-9]*\).*/\1/')
	  [ "$nb" -ge 130 ] || { echo "FAIL: llm1: $nb buffers per step"; fail=1; }; }
record b4 --qpc "$srcdir/llm-b4.desc" --requests 2 --prompt-len 20 --gen-len 5 &&
	{ matched b4; shapes b4 4 8; }
record dev4 --qpc llm --devices 0:1:2:3 --requests 2 --prompt-len 40 --gen-len 6 && {
	n=$(steps dev4)
	ne=$(grep -c 'qprof:py_enqueue_entry' "$tmp/dev4.txt")
	nx=$(grep -c 'qprof:kmd_execute' "$tmp/dev4.txt")
	[ "$ne" -eq "$n" ] && [ "$nx" -eq $((4 * n)) ] ||
		{ echo "FAIL: dev4: $ne enqueues, $nx EXECUTEs for $n steps on 4 devices"; fail=1; }
	grep -q 'dev_mapping = "0:1:2:3"' "$tmp/dev4.txt" ||
		{ echo "FAIL: dev4: devMapping not recorded"; fail=1; }
	echo "dev4: $n steps, $ne enqueues, $nx EXECUTEs"
	matched dev4
}
exit $fail
