#!/bin/sh
# SPDX-License-Identifier: MIT
# The shim's overhead figures (docs/PERFORMANCE.md, "## Shim"), each
# measured against a run without the shim in the same invocation, rounds
# interleaved (base, shim, base, shim, ...), medians of the rounds:
#   1. added cost per hooked call, no session (fake runtime + fake kernel);
#   2. cost per recorded event, vs a bare LTTng-UST event;
#   3. CPU per inference (EXECUTE + WAIT via enqueue + wait), all threads,
#      default settings, and the part of it that is the shim's own
#      PERF_STATS query (QPROF_KMD_STATS=0 run); for reference, LTTng-UST's
#      floor: the same loop without the shim, emitting as many bare events
#      where the shim emits its own; both again with cold caches (the fake
#      kernel evicts 256 KiB at each EXECUTE and WAIT, as a real driver
#      call does);
#   4. throughput of qaic-sim-app (tiny) while recording, runtime profiling
#      on (both runs issue the same ioctls), and with profiling off (the
#      shim's own query); rounds in ABBA order, paired ratios with a 95 %
#      confidence interval of their median;
#   5. instructions per inference (valgrind's callgrind, when installed):
#      the shim and the LTTng-UST floor, exact counts that no noise of the
#      machine moves.  The floor that counts (shim-floor) emits the shim's
#      very events, as many, with as many fields and sequences as long,
#      through the real qprof provider; 2 threads, each keeping 10 exec
#      objects in flight (QP_BENCH_SET), for requests of 2 BOs (the tiny
#      preset's) and of 134 (an LLM's); the fake kernel's own work is left
#      out (--toggle-collect=fakekmd_kernel), as a driver's is;
#   6. the shim's own PERF_STATS calls per inference: over the fake kernel
#      (its count of PERF_STATS_BO calls) and on qaic-sim-app -t tiny -T 2
#      (kmd_perf_query events per enqueue in a recorded trace).
# Env: QP_BENCH_SET (10 exec objects in flight per thread), QP_BENCH_ROUNDS (5), QP_BENCH_CALLS (1000000), QP_BENCH_INFER
# (200000), QP_BENCH_APP_N (2000), QP_BENCH_APP_ROUNDS (20), QP_BENCH_WARM
# (2000000 bare events before the event loops), QP_BENCH_CALLGRIND (1; 0
# skips part 5).  Needs lttng; run via `make bench`.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
B=$top_builddir/bench
BENCH=$B/shim-bench
FLOOR=$B/shim-floor
SHIM=$top_builddir/preload/.libs/libqprof.so
KMD=$B/.libs/libshimfakekmd.so
APP=$top_builddir/sim/apps/qaic-sim-app
ROUNDS=${QP_BENCH_ROUNDS:-5}
APP_ROUNDS=${QP_BENCH_APP_ROUNDS:-20}
CALLS=${QP_BENCH_CALLS:-1000000}
INFER=${QP_BENCH_INFER:-200000}
APPN=${QP_BENCH_APP_N:-2000}
export QAIC_SIM_PRESET_DIR=$top_srcdir/sim/presets

for f in "$BENCH" "$FLOOR" "$SHIM" "$KMD" "$APP"; do
	[ -e "$f" ] || { echo "shim-run: $f not built" >&2; exit 1; }
done
if ldd "$BENCH" 2>/dev/null | grep -q libasan; then
	echo "shim-run: $top_builddir is a sanitizer build: benchmark an optimised one" >&2
	exit 1
fi
# A private session daemon in a private mount namespace (root): other
# users of the global daemon (parallel test suites) then cannot enable
# qprof events in our processes, so "no session" really means none.
if [ "$(id -u)" = 0 ] && [ -z "${QP_BENCH_NS:-}" ] &&
	unshare -m true 2>/dev/null; then
	export QP_BENCH_NS=1
	exec unshare -m sh -c 'mount -t tmpfs qprof-bench /var/run/lttng &&
		exec sh "$0"' "$0"
fi
. "$top_srcdir/tests/lib/lttng.sh"
qp_lttng_setup || { echo "shim-run: no LTTng session daemon" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/qprof-shimbench.XXXXXX")
QP_LTTNG_LOG=$T/lttng.log
trap 'qp_lttng_teardown; rm -rf "$T"' EXIT
mkdir -p "$T/accel" "$T/lat"
: >"$T/accel/accel0"
export QPROF_BENCH_DIR=$T

# med FILE KEY: median of KEY's values in FILE ("key value" lines).
med()
{
	awk -v k="$2" '$1 == k { print $2 }' "$1" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR == 0) print "nan";
			else if (NR % 2) print v[(NR + 1) / 2];
			else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# paired SHIMFILE BASEFILE KEY: median over rounds of shim / base, each
# round's two runs side by side (robust to the machine's drift between
# rounds, which moves both).
paired()
{
	paste -d ' ' "$1" "$2" | awk -v k="$3" '$1 == k && $4 > 0 { print $2 / $4 }' |
		sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan";
			else if (NR % 2) print v[(NR + 1) / 2];
			else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# paired_ci SHIMFILE BASEFILE KEY: "median lo hi" of the paired ratios,
# [lo, hi] the order statistics that bracket the median with ~95 %
# confidence (ranks n/2 -+ 0.98 sqrt(n), distribution-free).
paired_ci()
{
	paste -d ' ' "$1" "$2" | awk -v k="$3" '$1 == k && $4 > 0 { print $2 / $4 }' |
		sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan nan nan"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			j = int(NR / 2 - 0.98 * sqrt(NR)); if (j < 1) j = 1
			h = NR / 2 + 1 + 0.98 * sqrt(NR); k = int(h); if (k < h) k++
			if (k > NR) k = NR
			print m, v[j], v[k] }'
}
# instr ENV... -- ARGS: instructions (callgrind) of one shim-bench run.
instr()
{
	env "$@" 2>&1 >/dev/null | awk '/Collected/ { print $NF }'
}
# ir_per_inf PRELOAD VAR=VALUE MODE [EVENTS]: instructions per inference
# of `shim-bench MODE`, 1 thread: two sizes, so that setup cancels (each
# run does n / 4 unmeasured inferences first, hence 1.25 n).
ir_per_inf()
{
	_a=$(instr LD_PRELOAD="$1" "$2" valgrind --tool=callgrind \
		--callgrind-out-file=/dev/null "$BENCH" "$3" 4000 1 1 ${4:-})
	_b=$(instr LD_PRELOAD="$1" "$2" valgrind --tool=callgrind \
		--callgrind-out-file=/dev/null "$BENCH" "$3" 8000 1 1 ${4:-})
	echo "$_a $_b" | awk '{ print ($2 - $1) / 5000 }'
}
# ir_pair PRELOAD PROG MODE: instructions per inference of `PROG MODE`, 2
# threads, the fake kernel's own work left out (as a driver's).
ir_pair()
{
	_a=$(instr LD_PRELOAD="$1" valgrind --tool=callgrind \
		--toggle-collect=fakekmd_kernel --collect-atstart=yes \
		--callgrind-out-file=/dev/null "$2" "$3" 4000 2 1)
	_b=$(instr LD_PRELOAD="$1" valgrind --tool=callgrind \
		--toggle-collect=fakekmd_kernel --collect-atstart=yes \
		--callgrind-out-file=/dev/null "$2" "$3" 8000 2 1)
	echo "$_a $_b" | awk '{ print ($2 - $1) / 5000 }'
}
# row NAME SHIM BASE GOAL: one figure line.
row()
{
	awk -v n="$1" -v s="$2" -v b="$3" -v g="$4" 'BEGIN {
		printf "%-44s %10.2f %10.2f %8.2f %9.2f  %s\n", n, s, b,
			s - b, (b > 0 ? s / b : 0), g }'
}
header()
{
	printf "%-44s %10s %10s %8s %9s  %s\n" "figure" "shim" "baseline" \
		"added" "ratio" "goal"
}
session()	# PREFIX: a recording session with qprof:* and the bare event
{
	s=$(qp_session_create "$1" "$T/$1.trace")
	lttng enable-event -u -s "$s" -c qp 'qprof_bench:*' >>"$QP_LTTNG_LOG"
	qp_session_start "$s"
	echo "$s"
}

echo "== shim benchmark ($ROUNDS interleaved rounds; ns unless noted)"
# 1. No session.
for r in $(seq "$ROUNDS"); do
	LD_PRELOAD=$KMD "$BENCH" calls "$CALLS" 5 >>"$T/c-base"
	LD_PRELOAD="$SHIM $KMD" "$BENCH" calls "$CALLS" 5 >>"$T/c-shim"
done
# 2. Recording.
s=$(session qprof-bench-ev)
# Steady state: each process first writes 2 M bare events, so that its
# first-touch page faults on the ring buffer (a one-time ~1 us per 4 KiB
# written, per process) fall on none of the measured loops.
export QPROF_BENCH_WARM=${QP_BENCH_WARM:-2000000}
for r in $(seq "$ROUNDS"); do
	LD_PRELOAD=$KMD "$BENCH" calls $((CALLS / 10)) 5 >>"$T/e-base"
	LD_PRELOAD="$SHIM $KMD" "$BENCH" calls $((CALLS / 10)) 5 >>"$T/e-shim"
done
unset QPROF_BENCH_WARM
# 3. Per inference, 2 threads, recording.
for r in $(seq "$ROUNDS"); do
	LD_PRELOAD=$KMD "$BENCH" infer "$INFER" 2 3 >>"$T/i-base"
	LD_PRELOAD="$SHIM $KMD" "$BENCH" infer "$INFER" 2 3 >>"$T/i-shim"
	QPROF_KMD_STATS=0 LD_PRELOAD="$SHIM $KMD" "$BENCH" infer "$INFER" 2 3 \
		>>"$T/i-nostats"
	# LTTng-UST's own floor: as many bare events per inference, no shim
	LD_PRELOAD=$KMD "$BENCH" bare-infer "$INFER" 2 3 6 |
		sed 's/^infer_cpu_ns/bare6_cpu_ns/' >>"$T/i-bare"
	LD_PRELOAD=$KMD "$BENCH" bare-infer "$INFER" 2 3 5 |
		sed 's/^infer_cpu_ns/bare5_cpu_ns/' >>"$T/i-bare"
	# cold caches: fewer inferences, each costs microseconds
	export QP_FAKEKMD_EVICT=256
	LD_PRELOAD=$KMD "$BENCH" infer $((INFER / 10)) 2 3 >>"$T/k-base"
	LD_PRELOAD="$SHIM $KMD" "$BENCH" infer $((INFER / 10)) 2 3 >>"$T/k-shim"
	LD_PRELOAD=$KMD "$BENCH" bare-infer $((INFER / 10)) 2 3 6 >>"$T/k-bare"
	unset QP_FAKEKMD_EVICT
done
# 5. Instructions per inference (callgrind), in the same session.
ir_base= ir_shim= ir_nostats= ir_bare6= ir_bare5=
ir_why="valgrind not installed"
if [ "${QP_BENCH_CALLGRIND:-1}" = 0 ]; then
	ir_why="QP_BENCH_CALLGRIND=0"
elif command -v valgrind >/dev/null 2>&1; then
	ir_base=$(ir_per_inf "$KMD" QP_=1 infer)
	ir_shim=$(ir_per_inf "$SHIM $KMD" QP_=1 infer)
	ir_nostats=$(ir_per_inf "$SHIM $KMD" QPROF_KMD_STATS=0 infer)
	ir_bare6=$(ir_per_inf "$KMD" QP_=1 bare-infer 6)
	ir_bare5=$(ir_per_inf "$KMD" QP_=1 bare-infer 5)
	for bos in 2 134; do
		export QP_BENCH_BOS=$bos
		eval "irs_base_$bos=\$(ir_pair \"\$KMD\" \"\$BENCH\" infer)"
		eval "irs_shim_$bos=\$(ir_pair \"\$SHIM \$KMD\" \"\$BENCH\" infer)"
		eval "irs_fbase_$bos=\$(ir_pair \"\$KMD\" \"\$FLOOR\" base)"
		eval "irs_floor_$bos=\$(ir_pair \"\$KMD\" \"\$FLOOR\" floor)"
		unset QP_BENCH_BOS
	done
fi
# 6a. The shim's own PERF_STATS calls per inference, over the fake kernel.
for bos in 2 134; do
	QP_BENCH_BOS=$bos QP_FAKEKMD_COUNT=1 LD_PRELOAD="$SHIM $KMD" \
		"$BENCH" infer "$INFER" 2 1 2>"$T/kcount-$bos" >/dev/null
done
qp_session_stop "$s"
lost=$(qp_session_discarded "$s")
qp_session_destroy "$s"
# 4. qaic-sim-app throughput (Inf/Sec), recording.
s=$(session qprof-bench-app)
prof="--aic-profiling-type latency --aic-profiling-num-samples $APPN --aic-profiling-out-dir $T/lat"
rate() { awk '$1 == "InferenceCnt" { print $NF }'; }
app()	# KIND [ENV...]: one run's Inf/Sec, as "KIND rate"
{
	_k=$1
	shift
	if [ "$_k" = prof ]; then
		echo "prof $(env "$@" "$APP" -t tiny -n "$APPN" -T 2 $prof | rate)"
	else
		echo "noprof $(env "$@" "$APP" -t tiny -n "$APPN" -T 2 | rate)"
	fi
}
# ABBA: odd rounds run the baseline first, even rounds the shim first, so
# that neither always runs in the other's wake.
for r in $(seq "$APP_ROUNDS"); do
	for k in prof noprof; do
		if [ $((r % 2)) = 1 ]; then
			app $k >>"$T/a-base"
			app $k LD_PRELOAD="$SHIM" >>"$T/a-shim"
		else
			app $k LD_PRELOAD="$SHIM" >>"$T/a-shim"
			app $k >>"$T/a-base"
		fi
	done
done
qp_session_stop "$s"
lost2=$(qp_session_discarded "$s")
qp_session_destroy "$s"
# 6b. ... and on the simulator: one recorded run of the tiny preset.
s=$(session qprof-bench-calls)
LD_PRELOAD=$SHIM "$APP" -t tiny -n "$((APPN * 5))" -T 2 >/dev/null
qp_session_stop "$s"
lost3=$(qp_session_discarded "$s")
qp_session_destroy "$s"
babeltrace2 "$T/qprof-bench-calls.trace" 2>/dev/null | awk '
	/qprof:api_enqueue_entry:/ { n++ } /qprof:kmd_perf_query:/ { q++ }
	/qprof:kmd_perf_stats:/ && /by_shim = 1/ { e++ }
	END { print "sim_calls", q + 0; print "sim_events", e + 0;
	      print "sim_inferences", n + 0 }' >"$T/simcalls"

header
row "hooked call, no session (1-event call)" "$(med "$T/c-shim" call_1ev_ns)" \
	"$(med "$T/c-base" call_1ev_ns)" "added <= 5"
row "hooked call, no session (enqueue)" "$(med "$T/c-shim" call_2ev_ns)" \
	"$(med "$T/c-base" call_2ev_ns)" "added <= 5"
row "qaic ioctl number on a non-accel fd" "$(med "$T/c-shim" ioctl_other_ns)" \
	"$(med "$T/c-base" ioctl_other_ns)" "added: a few"
row "recorded: 1-event call" "$(med "$T/e-shim" call_1ev_ns)" \
	"$(med "$T/e-base" call_1ev_ns)" "added <= 110"
row "recorded: enqueue (entry + exit events)" "$(med "$T/e-shim" call_2ev_ns)" \
	"$(med "$T/e-base" call_2ev_ns)" ""
row "bare LTTng-UST event (reference)" "$(med "$T/e-shim" bare_event_ns)" \
	"$(med "$T/e-base" bare_event_ns)" "~94"
row "CPU per inference, 2 threads, default" "$(med "$T/i-shim" infer_cpu_ns)" \
	"$(med "$T/i-base" infer_cpu_ns)" "(own PERF_STATS included)"
row "  of which the shim's own PERF_STATS" "$(med "$T/i-shim" infer_cpu_ns)" \
	"$(med "$T/i-nostats" infer_cpu_ns)" "reported separately"
row "CPU per inference, own PERF_STATS apart" "$(med "$T/i-nostats" infer_cpu_ns)" \
	"$(med "$T/i-base" infer_cpu_ns)" "added <= 1000"
row "  LTTng-UST floor, 6 bare events" "$(med "$T/i-bare" bare6_cpu_ns)" \
	"$(med "$T/i-base" infer_cpu_ns)" "(reference)"
row "  LTTng-UST floor, 5 bare events" "$(med "$T/i-bare" bare5_cpu_ns)" \
	"$(med "$T/i-base" infer_cpu_ns)" "(reference)"
row "CPU per inference, cold caches, default" "$(med "$T/k-shim" infer_cpu_ns)" \
	"$(med "$T/k-base" infer_cpu_ns)" "(reference)"
row "  LTTng-UST floor, cold, 6 bare events" "$(med "$T/k-bare" infer_cpu_ns)" \
	"$(med "$T/k-base" infer_cpu_ns)" "(reference)"
if [ -n "$ir_shim" ]; then
	row "instructions per inference, default" "$ir_shim" "$ir_base" "(callgrind)"
	row "  with QPROF_KMD_STATS=0" "$ir_nostats" "$ir_base" ""
	row "  LTTng-UST floor, 6 bare events" "$ir_bare6" "$ir_base" ""
	row "  LTTng-UST floor, 5 bare events" "$ir_bare5" "$ir_base" ""
	awk -v a="$ir_shim" -v b="$ir_bare6" -v c="$ir_nostats" -v d="$ir_bare5" -v z="$ir_base" 'BEGIN {
		printf "%-44s %10.2f %10.2f  (added instructions, shim / floor)\n",
			"  shim vs floor, 6 / 5 events", (a - z) / (b - z), (c - z) / (d - z) }'
	for bos in 2 134; do
		eval "b=\$irs_base_$bos s=\$irs_shim_$bos fb=\$irs_fbase_$bos f=\$irs_floor_$bos"
		row "instructions per inference, $bos BOs" "$s" "$b" "(2 threads)"
		row "  LTTng-UST floor, same events, $bos BOs" "$f" "$fb" ""
		awk -v s="$s" -v b="$b" -v f="$f" -v fb="$fb" -v n="$bos" 'BEGIN {
			printf "%-44s %10.3f  (added instructions, shim / floor; goal <= 1.25)\n",
				"  shim vs floor, " n " BOs", (s - b) / (f - fb) }'
	done
else
	echo "instructions per inference: skipped: $ir_why"
fi
for bos in 2 134; do
	awk -v n="$bos" '$1 == "fakekmd" { printf "%-44s %10.4f  (%d calls, %d EXECUTEs; goal <= 0.25)\n",
		"own PERF_STATS calls per inference, " n " BOs", $7 / $3, $7, $3 }' \
		"$T/kcount-$bos"
done
awk '{ v[$1] = $2 } END { printf "%-44s %10.4f  (%d calls, %d events, %d inferences; goal <= 0.25)\n",
	"sim-app tiny, own PERF_STATS calls/inference",
	v["sim_inferences"] ? v["sim_calls"] / v["sim_inferences"] : -1,
	v["sim_calls"], v["sim_events"], v["sim_inferences"] }' "$T/simcalls"
row "sim-app tiny Inf/Sec, runtime profiling on" "$(med "$T/a-shim" prof)" \
	"$(med "$T/a-base" prof)" "loss <= 1 %"
row "sim-app tiny Inf/Sec, shim's own PERF_STATS" "$(med "$T/a-shim" noprof)" \
	"$(med "$T/a-base" noprof)" ""
set -- $(paired_ci "$T/a-shim" "$T/a-base" prof)
printf '%-44s %10.4f  95 %% CI [%.4f, %.4f] over %d ABBA rounds; goal >= 0.99\n' \
	"sim-app tiny Inf/Sec, profiling on, paired" "$1" "$2" "$3" "$APP_ROUNDS"
set -- $(paired_ci "$T/a-shim" "$T/a-base" noprof)
printf '%-44s %10.4f  95 %% CI [%.4f, %.4f]\n' \
	"sim-app tiny, shim's own PERF_STATS, paired" "$1" "$2" "$3"
echo "discarded events: $lost (micro-benchmarks), $lost2 (sim-app), $lost3 (sim-app calls)"
