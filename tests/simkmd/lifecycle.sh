#!/bin/bash
# simkmd process life cycle: run dir and nodes (QAIC_SIM_RUNDIR,
# QAIC_SIM_NUM_DEVICES, QAIC_SIM_DEV_NAMING, QAIC_SIM_DEV_NODE_FIRST), clear
# errors for bad settings, cleanup at exit, and
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

# Legacy node names (older SDK drivers, partitioned devices whose node
# number is not the QID): an inference through each node.
out=$(QAIC_SIM_RUNDIR="$tmp/rd3" QAIC_SIM_NUM_DEVICES=2 \
	QAIC_SIM_DEV_NAMING=qaic_aic100 QAIC_SIM_DEV_NODE_FIRST=15 "$T" --smoke) ||
	fail "qaic_aic100 naming: inference through the nodes"
want=$(printf '%s ok\n' "$tmp/rd3/qaic_aic100_15" "$tmp/rd3/qaic_aic100_16")
[ "$out" = "$want" ] || fail "qaic_aic100 node paths: got '$out'"
[ -e "$tmp/rd3" ] && fail "run dir $tmp/rd3 left behind at exit"
out=$(QAIC_SIM_RUNDIR="$tmp/rd4" QAIC_SIM_DEV_NAMING=accel "$T" --smoke) ||
	fail "accel naming: inference through the node"
[ "$out" = "$tmp/rd4/accel/accel0 ok" ] || fail "accel node path: got '$out'"

for bad in QAIC_SIM_DEV_NAMING=dev QAIC_SIM_DEV_NODE_FIRST=-1 \
	QAIC_SIM_SG_CHUNK_BYTES=1000 QAIC_SIM_FAULT_WAIT_EINTR=2 \
	QAIC_SIM_NUM_DEVICES=0 QAIC_SIM_NUM_DEVICES=x QAIC_SIM_TIME_SCALE=-1 \
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
