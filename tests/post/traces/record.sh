#!/bin/sh
# SPDX-License-Identifier: MIT
# Records the trace of the current schema version (QP_SCHEMA_VERSION in
# tracepoints/qprof-events.def) into tests/post/traces/v<N>/trace/:
# schema_gen's events, one process pinned to one CPU, per-UID buffers; its
# output goes to tests/post/traces/v<N>/expected.txt.  Run it once per new schema version, from a build tree
# (a session daemon is needed; as root, in a mount namespace of your own):
#   top_builddir=BUILD top_srcdir=SRC sh tests/post/traces/record.sh
# Older versions' directories are never re-recorded: they are what a
# trace of that version looks like.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
. "$top_srcdir/tests/lib/lttng.sh"
gen=$top_builddir/tests/post/schema_gen
make -C "$top_builddir/tests/post" schema_gen >/dev/null || exit 1
v=$(sed -n 's/^#define QP_SCHEMA_VERSION \([0-9]*\)$/\1/p' \
	"$top_srcdir/tracepoints/qprof-events.def")
out=$top_srcdir/tests/post/traces/v$v
[ -n "$v" ] || { echo "no QP_SCHEMA_VERSION"; exit 1; }
[ -e "$out" ] && { echo "$out exists: a recorded version is kept as it is"; exit 1; }
QP_LTTNG_BLOCKING=1
qp_lttng_setup || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qp-schema.XXXXXX") || exit 1
QP_LTTNG_LOG=$tmp/lttng.log
export QP_LTTNG_LOG
s=$(qp_session_create schema "$tmp/trace") || exit 1
qp_session_start "$s" || exit 1
taskset -c 0 "$gen" >"$tmp/expected.txt" || exit 1
qp_session_stop "$s"
qp_session_destroy "$s"
qp_lttng_teardown
# the trace directory itself (ust/uid/<uid>/64-bit), without empty streams
t=$(dirname "$(find "$tmp/trace" -name metadata)")
mkdir -p "$out/trace"
cp "$tmp/expected.txt" "$out/"
cp "$t/metadata" "$out/trace/"
for f in "$t"/qp_*; do
	[ -s "$f" ] || continue
	cp "$f" "$out/trace/"
done
chmod 644 "$out/expected.txt" "$out"/trace/*
ls -lR "$out"
rm -rf "$tmp"
