#!/bin/sh
# SPDX-License-Identifier: MIT
# Replays the checked-in corpus through every fuzz harness (built with the
# standalone driver): each input must run without a crash or a sanitizer
# report.
set -u
: "${srcdir:=.}"
status=0
for t in fuzz_devdump fuzz_options fuzz_trace fuzz_opstats fuzz_compmetrics \
	fuzz_devtrace fuzz_devenv; do
	[ -x "./$t" ] || { echo "missing ./$t"; exit 99; }
	TMPDIR=${TMPDIR:-/tmp} "./$t" "$srcdir/corpus/$t" || { echo "FAIL: $t"; status=1; }
done
exit $status
