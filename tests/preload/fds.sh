#!/bin/bash
# SPDX-License-Identifier: MIT
# Accel-fd tracking: fds opened (open, open64, openat, behind the shim's
# back), duplicated (dup, dup2, dup3, F_DUPFD_CLOEXEC), closed and reused
# by ordinary files, names that only look like accel nodes, and a forked
# child using inherited and new fds.  The program (fdtest) prints the
# ioctls the shim must record; the trace must hold exactly those, each
# with ioctl's result (-1, ENOTTY), and a process_info in the child.
. "$srcdir/lib.sh"
need_lttng
d=$TMP/dev
mkdir -p "$d/accel"
touch "$d/accel/accel0" "$d/accel/accel1" "$d/accel/accel2" \
	"$d/accel/accel3" "$d/accel/accel0x" "$d/accel/accelX" "$d/plain"

traced fds ./fdtest "$d" && expect_rc fds 0 || finish
sort "$TMP/fds.out" >"$TMP/want"
pids=$(awk '{ print $2 }' "$TMP/fds.out" | sort -u | tr '\n' ' ')
# The recorded kmd events of those pids, in the same shape.
awk -v pids="$pids" '
	BEGIN { n = split(pids, p, " "); for (i = 1; i <= n; i++) want[p[i]] = 1 }
	match($0, /qprof:kmd_[a-z_]+:/) {
		ev = substr($0, RSTART + 6, RLENGTH - 7)
		if (ev == "kmd_open") next
		match($0, /pid = [0-9]+/); pid = substr($0, RSTART + 6, RLENGTH - 6)
		if (!(pid in want)) next
		match($0, /fd = -?[0-9]+/); fd = substr($0, RSTART + 5, RLENGTH - 5)
		if (ev == "kmd_execute") {
			match($0, /handles = \[ \[0\] = [0-9]+/)
			kv = "handle=" substr($0, RSTART + 18, RLENGTH - 18)
		} else if (ev == "kmd_wait") {
			match($0, /handle = [0-9]+/)
			kv = "handle=" substr($0, RSTART + 9, RLENGTH - 9)
		} else if (ev == "kmd_create_bo") {
			match($0, /size = [0-9]+/)
			kv = "size=" substr($0, RSTART + 7, RLENGTH - 7)
		} else
			kv = "?"
		if ($0 !~ /ret = -1, err = 25,/) kv = kv " BAD-RET-ERRNO"
		printf "EXPECT %s %s fd=%s %s\n", pid, ev, fd, kv
	}' "$TMP/fds.txt" | sort >"$TMP/got"
nchecks=$((nchecks + 1))
if ! diff "$TMP/want" "$TMP/got" >"$TMP/diff"; then
	fail "recorded accel ioctls differ from fdtest's (< missing, > extra)"
	sed 's/^/  | /' "$TMP/diff" >&2
fi
echo "$(wc -l <"$TMP/want") accel ioctls expected, $(wc -l <"$TMP/got") recorded"
child=$(awk '{ print $2 }' "$TMP/fds.out" | sort -u | grep -v "^$(cat "$TMP/fds.pid")$")
nchecks=$((nchecks + 1))
grep -q "qprof:process_info: .* pid = $child," "$TMP/fds.txt" ||
	fail "no process_info in the forked child $child"
finish
