#!/bin/bash
# SPDX-License-Identifier: MIT
# Bad input: malformed program descriptions give a clear "FILE:LINE:" error
# and exit 1 (never a crash); a missing program is exit 1 too.
. "$srcdir/lib.sh"

cat >"$TMP/badkey.desc" <<'DESC'
# a description with a typo on line 4
name = broken
batch = 1
computeus = 50
buffer = in 64 in
buffer = out 64 out
DESC
cat >"$TMP/badnum.desc" <<'DESC'
name = broken
batch = many
buffer = in 64 in
buffer = out 64 out
DESC
cat >"$TMP/baddir.desc" <<'DESC'
name = broken
batch = 1
compute_us = 10

buffer = in 64 sideways
buffer = out 64 out
DESC

for bin in "$APP" "$LOADER"; do
	p=$(basename "$bin")
	expect_rc 1 "$bin" -t "$TMP/badkey.desc" -n 1 &&
		expect_stderr "badkey\.desc:4:" &&
		expect_stderr "^$p: qaicOpenQpcFile failed: QS_INVAL \(6\)$"
	expect_rc 1 "$bin" -t "$TMP/badnum.desc" -n 1 &&
		expect_stderr "badnum\.desc:2:"
	expect_rc 1 "$bin" -t "$TMP/baddir.desc" -n 1 &&
		expect_stderr "baddir\.desc:5:"
	expect_rc 1 "$bin" -t "$TMP/no-such.desc" -n 1 &&
		expect_stderr "^$p: qaicOpenQpcFile failed: QS_[A-Z]+ \([0-9]+\)$"
	expect_rc 1 "$bin" -t no-such-preset -n 1
done

# The loader with a library that is not there / not a runtime.
QAIC_LIB=$TMP/nothere.so expect_rc 1 "$LOADER" -n 1 &&
	expect_stderr "cannot load the runtime"
QAIC_LIB=libc.so.6 expect_rc 1 "$LOADER" -n 1 &&
	expect_stderr "no qaicGetFunctionTable"
finish
