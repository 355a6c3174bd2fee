#!/bin/bash
# SPDX-License-Identifier: MIT
# The shapes of real deployments, recorded end to end (qaic-sim-app):
#   - 134 BOs per request (an LLM's KV cache): every EXECUTE and every
#     PERF_STATS holds the request whole; and the simulator's llm preset
#     (PARTIAL_EXECUTE, prefill and decode runs);
#   - the SDK driver's /dev/qaic_aic100_<N> nodes (QAIC_SIM_DEV_NAMING);
#   - program groups (--program-group);
#   - WAIT_BO interrupted by a signal (EINTR), which the runtime retries;
#   - a runtime writing 0 or swapped dirs into its execute entries (the
#     kernel ignores them; the wait handle comes from ATTACH_SLICE_BO);
#   - the shim's own PERF_STATS calls, deferred and batched: at most 0.25
#     per inference (the tiny preset, 2 threads, default settings; 0.5 for
#     a short llm run).
# Truth: the application's InferenceCnt, the simulator's own options and
# fault counts, the kmd_attach_slice events; check_trace.py checks that
# every completed run's stats were read exactly once, whole, after its
# completion and before its next EXECUTE.
. "$srcdir/lib.sh"
need_lttng

# check_trace.py's PERF_STATS ordering on hand-made runs first: orderings
# threads really produce pass, wrong ones fail.
nchecks=$((nchecks + 1))
"$PY" "$srcdir/check_trace.py" --self-test >"$TMP/self-test.out" 2>&1 || {
	fail "check_trace.py --self-test"
	sed 's/^/  > /' "$TMP/self-test.out" >&2
}

# An LLM-like program: 134 buffers (67 in, 67 out), one slice each.
desc=$TMP/llm134.desc
{
	echo "name = llm134"
	echo "compute_us = 200"
	echo "ring = 512"
	for i in $(seq 0 66); do echo "buffer = in$i 64 in"; done
	for i in $(seq 0 66); do echo "buffer = out$i 64 out"; done
} >"$desc"

rec_begin shapes || finish
rec_run bos134 "$APP" -t "$desc" -n 60 -T 2 -S 4
expect_rc bos134 0
QAIC_SIM_DEV_NAMING=qaic_aic100 rec_run aic100 "$APP" -t tiny -n 80 -T 2
expect_rc aic100 0
rec_run group "$APP" -t tiny -a 2 -n 80 -T 2 --program-group
expect_rc group 0
# The fault interrupts WAITs 3-7 of those that block (a WAIT of a BO
# already completed returns at once): 5 ms per inference (tiny's 50 us x
# 100) keeps them blocking on a loaded machine too.
QAIC_SIM_TIME_SCALE=100 QAIC_SIM_FAULT_WAIT_EINTR=3:5 rec_run eintr "$APP" \
	-t tiny -n 60 -S 2
expect_rc eintr 0
QAIC_SIM_EXEC_ENTRY_DIR=zero rec_run dirzero "$APP" -t tiny -n 40 -T 2
expect_rc dirzero 0
QAIC_SIM_EXEC_ENTRY_DIR=swap rec_run dirswap "$APP" -t tiny -n 40 -T 2 \
	-c callback
expect_rc dirswap 0
rec_run rate "$APP" -t tiny -n 1000 -T 2
expect_rc rate 0
QAIC_SIM_TIME_SCALE=0.05 rec_run llm "$APP" -t llm -n 200 -T 2 \
	--prefill 40 --decode 10
expect_rc llm 0
rec_end

want_count()	# NAME N
{
	nchecks=$((nchecks + 1))
	[ "$(inference_count "$1")" = "$2" ] ||
		fail "$1: InferenceCnt $(inference_count "$1"), want $2"
}
want_count bos134 60
check_trace bos134 --inferences 60 --program-name "$desc" --bos 134
want_count aic100 80
check_trace aic100 --inferences 80 --kernel-path qaic_aic100_
want_count group 80
check_trace group --inferences 80 --instances 2 --group
want_count eintr 60
check_trace eintr --inferences 60 --wait-eintr 5
want_count dirzero 40
check_trace dirzero --inferences 40 --exec-dirs any
want_count dirswap 40
check_trace dirswap --inferences 40 --exec-dirs any --style callback
want_count rate 1000
check_trace rate --inferences 1000 --max-calls-per-inference 0.25
# (the goal's 0.25 is the tiny preset's, above; a short LLM run pays the
# final queries of its 20 exec objects at teardown on top)
want_count llm 200
check_trace llm --inferences 200 --program-name llm --partial \
	--max-calls-per-inference 0.5
finish
