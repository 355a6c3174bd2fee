#!/bin/bash
# The "below libc" proof: an ioctl() interposer (LD_PRELOAD, as qprof's
# shim) must see every qaic ioctl that simkmd answers.  Also runs the
# device-model timing test with a time scale, which must shrink device times.
set -eu
here=$(pwd)
lib="$here/.libs/libkmdcount.so"
test -f "$lib" || { echo "below_libc.sh: $lib not built" >&2; exit 1; }
preload="$lib"
if test -n "${SAN_PRELOAD:-}"; then
	preload="$SAN_PRELOAD:$lib"
fi
out=$(LD_PRELOAD="$preload" "$here/test_simkmd" test_below_libc 2>&1) || {
	echo "$out"; exit 1; }
echo "$out"
# The test skips itself when the probe is absent: that must not pass here.
echo "$out" | grep -q '\[  PASSED  \] 1 test' || { echo "below_libc.sh: probe not active" >&2; exit 1; }
QAIC_SIM_TIME_SCALE=0.25 "$here/test_simkmd" test_cycle_counts
