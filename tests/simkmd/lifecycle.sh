#!/bin/bash
# simkmd process life cycle: run dir and nodes (QAIC_SIM_RUNDIR,
# QAIC_SIM_NUM_DEVICES), clear errors for bad settings, cleanup at exit, and
# exit with requests in flight and a WAIT pending (must neither hang nor
# crash).
set -u
T=$(pwd)/test_simkmd
tmp=$(mktemp -d /tmp/simkmd-lc-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

out=$(QAIC_SIM_RUNDIR="$tmp/rd" QAIC_SIM_NUM_DEVICES=3 "$T" --start-only) ||
	fail "start with 3 devices"
want=$(printf '%s\n' "$tmp/rd/accel/accel0" "$tmp/rd/accel/accel1" "$tmp/rd/accel/accel2")
[ "$out" = "$want" ] || fail "device paths: got '$out'"
[ -e "$tmp/rd" ] && fail "run dir $tmp/rd left behind at exit"

out=$("$T" --start-only) || fail "default start"
case "$out" in
/tmp/qaic-sim-*/accel/accel0) [ -e "$out" ] && fail "default node $out left behind" ;;
*) fail "default node path '$out'" ;;
esac

for bad in QAIC_SIM_NUM_DEVICES=0 QAIC_SIM_NUM_DEVICES=x QAIC_SIM_TIME_SCALE=-1 \
	QAIC_SIM_FAULT_EAGAIN=3 QAIC_SIM_SUBMIT_LATENCY_NS=9:1; do
	name=${bad%%=*}
	err=$(env "$bad" "$T" --start-only 2>&1 >/dev/null) && fail "$bad accepted"
	echo "$err" | grep -q "$name" || fail "$bad: error does not name $name: $err"
done

start=$(date +%s%N)
QAIC_SIM_RUNDIR="$tmp/rd2" timeout 10 "$T" --exit-in-flight
rc=$?
[ $rc -eq 0 ] || fail "exit with requests in flight: rc=$rc"
ms=$((($(date +%s%N) - start) / 1000000))
[ $ms -lt 1500 ] || fail "exit with requests in flight took $ms ms"
[ -e "$tmp/rd2/accel/accel0" ] && fail "node left behind after in-flight exit"

[ $fails -eq 0 ] && echo "lifecycle.sh: all checks passed"
exit $((fails > 0))
