#!/bin/bash
# SPDX-License-Identifier: MIT
# qaic-sim-card (docs/SIM-CARD.md): a program run on 3 simulated devices and
# 2 derived ones finds them as a runtime does — libudev's accel class
# devices with their PCI (or, derived, accel) parents, the PCI sysfs
# attributes and PCIe link capability libpci reads, /dev/accel/accelN — and
# each node's firmware answers the NNC STATUS command (512 bytes back for a
# 24-byte request).  Expected values: the options given, hand-derived.
# Also: bad options, the program's exit status passed through.
# Skips (77) with the reason when mount namespaces cannot be made here.
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${srcdir:?}"
PY=${PYTHON3:-python3}
CARD=$top_srcdir/sim/card/qaic-sim-card
export QAIC_SIM_CARD_LIB=$top_builddir/sim/card/.libs/libqaic-sim-card.so
nfail=0 nchecks=0
fail() { echo "FAIL: $*" >&2; nfail=$((nfail + 1)); }

if ! unshare -m --propagation private true 2>/dev/null; then
	echo "SKIP: cannot unshare a mount namespace here (needs root or CAP_SYS_ADMIN)"
	exit 77
fi
if ! "$PY" -c 'import ctypes; ctypes.CDLL("libudev.so.1")' 2>/dev/null; then
	echo "SKIP: libudev.so.1 (Debian libudev1) is not installed"
	exit 77
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/qprof-card.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT

# 1. discovery and the firmware, 3 devices from bus 4, 2 derived
nchecks=$((nchecks + 1))
if "$CARD" -n 3 -d 2 -b 4 -- "$PY" "$srcdir/probe_card.py" >"$TMP/out" 2>"$TMP/err"; then
	cat >"$TMP/want" <<'WANT'
UDEV accel0 /dev/accel/accel0 0000:04:00.0 pci
UDEV accel1 /dev/accel/accel1 0000:05:00.0 pci
UDEV accel2 /dev/accel/accel2 0000:06:00.0 pci
UDEV accel3 /dev/accel/accel3 accel0 accel
UDEV accel4 /dev/accel/accel4 accel1 accel
PCI 0000:04:00.0 0x17cb 0xa100 0x120000 4 8
PCI 0000:05:00.0 0x17cb 0xa100 0x120000 4 8
PCI 0000:06:00.0 0x17cb 0xa100 0x120000 4 8
STATUS /dev/accel/accel0 512 14 0 2 16
STATUS /dev/accel/accel1 512 14 0 2 16
STATUS /dev/accel/accel2 512 14 0 2 16
STATUS /dev/accel/accel3 512 14 0 2 16
STATUS /dev/accel/accel4 512 14 0 2 16
WANT
	diff -u "$TMP/want" "$TMP/out" >&2 || fail "discovery: see the diff above"
else
	fail "probe under qaic-sim-card: exit $?"
	sed 's/^/  | /' "$TMP/err" >&2
fi

# 2. the host's /dev and /sys are untouched
nchecks=$((nchecks + 1))
[ ! -e /dev/accel/accel4 ] && [ ! -e /sys/bus/pci/devices/0000:06:00.0/accel ] ||
	fail "the host sees the simulated devices"

# 3. an injected firmware refusal reaches the program (QAIC_SIM_FAULT_NNC)
nchecks=$((nchecks + 1))
out=$(QAIC_SIM_FAULT_NNC=13:-8:1 "$CARD" -- "$PY" "$srcdir/probe_card.py" 2>&1 |
	grep '^STATUS')
[ "$out" = "STATUS /dev/accel/accel0 512 14 0 2 16" ] ||
	fail "status before the fault: got '$out'"
nchecks=$((nchecks + 1))
out=$(QAIC_SIM_FAULT_NNC=13:-8:0 "$CARD" -- "$PY" "$srcdir/probe_card.py" 2>&1 |
	grep '^STATUS')
[ "$out" = "STATUS /dev/accel/accel0 512 14 -8 0 0" ] ||
	fail "injected NNC_STATUS_NOT_INITIALIZED: got '$out'"

# 4. exit status passed through; bad options refused with a message
nchecks=$((nchecks + 1))
"$CARD" -- sh -c 'exit 7'
[ $? = 7 ] || fail "exit status not passed through"
for bad in "-n 0" "-n 17" "-n 9 -d 8" "-n x" "-b 300"; do
	nchecks=$((nchecks + 1))
	# shellcheck disable=SC2086
	"$CARD" $bad -- true 2>"$TMP/err"
	rc=$?
	[ $rc = 1 ] && grep -q '^qaic-sim-card: ' "$TMP/err" ||
		fail "'$bad': exit $rc, message '$(cat "$TMP/err")'"
done
nchecks=$((nchecks + 1))
"$CARD" --bogus -- true 2>/dev/null
[ $? = 2 ] || fail "unknown option: not exit 2"
nchecks=$((nchecks + 1))
QAIC_SIM_CARD_LIB=/nonexistent "$CARD" -- true 2>"$TMP/err"
[ $? = 1 ] && grep -q 'libqaic-sim-card.so' "$TMP/err" ||
	fail "missing driver library: not a clear error"

echo "$((nchecks - nfail)) of $nchecks checks passed"
[ "$nfail" = 0 ]
