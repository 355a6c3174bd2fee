#!/bin/bash
# SPDX-License-Identifier: MIT
# "Every simulator ioctl passes through libc ioctl()": run the app (linked
# runtime) and the loader (dlopen()ed runtime) under an LD_PRELOAD module
# that counts qaic ioctls at libc, and compare with what the run must have
# done: one EXECUTE and one WAIT per inference, CREATE_BO = ATTACH_SLICE =
# MMAP = number of BOs (exec objects x buffers of the description),
# GEM_CLOSE = CREATE_BO, four MANAGE per program instance (NNC load ELF,
# activate, deactivate, unload ELF), no PERF_STATS without profiling.
. "$srcdir/lib.sh"

# check_run LABEL N BOS INSTANCES EAGAINS BIN ARGS...
check_run()
{
	label=$1 n=$2 bos=$3 inst=$4 eagain=$5
	shift 5
	rm -f "$TMP/counts"
	IOCTL_COUNT_OUT=$TMP/counts LD_PRELOAD=$PRELOAD expect_rc 0 "$@" ||
		return
	nchecks=$((nchecks + 1))
	if [ ! -s "$TMP/counts" ]; then
		fail "$label: the preload module saw no qaic ioctl at all"
		return
	fi
	expect_count EXECUTE_BO 3 "$n"
	expect_count EXECUTE_BO 2 $((n + eagain))
	expect_count WAIT_BO 2 "$n"
	expect_count WAIT_BO 3 "$n"
	expect_count PARTIAL_EXECUTE_BO 2 0
	# the runtime's own PERF_STATS: once per submit at its first EAGAIN
	# (docs/CONTRACTS.md §6.4), so 1..EAGAINS when there are refusals, else none
	nchecks=$((nchecks + 1))
	got=$(count PERF_STATS_BO 2)
	if [ "$eagain" = 0 ]; then
		[ "${got:-0}" = 0 ] || fail "$label: PERF_STATS_BO calls = $got, want 0"
	elif [ "${got:-0}" -lt 1 ] || [ "${got:-0}" -gt "$eagain" ]; then
		fail "$label: PERF_STATS_BO calls = ${got:-0}, want 1..$eagain"
	fi
	expect_count PERF_STATS_BO 3 "${got:-0}"
	for req in CREATE_BO ATTACH_SLICE_BO MMAP_BO GEM_CLOSE; do
		expect_count $req 2 "$bos"
		expect_count $req 3 "$bos"
	done
	expect_count MANAGE 3 $((4 * inst))
}

tiny_bufs=$(desc_nbuffers tiny)
res_bufs=$(desc_nbuffers resnet50)

for bin in "$APP" "$LOADER"; do
	b=$(basename "$bin")
	check_run "$b tiny" 500 $((2 * 3 * tiny_bufs)) 1 0 \
		"$bin" -t tiny -n 500 -T 2 -S 3
	check_run "$b tiny+resnet50 a2" 400 \
		$((3 * 4 * tiny_bufs + 3 * 4 * res_bufs)) 4 0 \
		env QAIC_SIM_TIME_SCALE=0.05 "$bin" -t tiny -t resnet50 \
		-n 200 -T 3 -S 4 -a 2 -c event
	# EAGAIN storm: the refused EXECUTEs are extra calls, not inferences.
	check_run "$b EAGAIN" 100 $((1 * 4 * tiny_bufs)) 1 5 \
		env QAIC_SIM_FAULT_EAGAIN=10:5 "$bin" -t tiny -n 100 -S 4 \
		-c callback
done
finish
