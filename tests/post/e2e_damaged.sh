#!/bin/sh
# SPDX-License-Identifier: MIT
# Damaged traces (docs/REPORT.md, "Damaged traces"): qprof-report ends with
# an error naming the file, in bounded time and memory, or reports what is
# there correctly; never a silent wrong report.  A simulator recording
# (2 threads), then copies of it:
#   - metadata cut at 1000, 4133, 20000 bytes (babeltrace2 2.0.4 spins
#     forever on them): the pre-check names the metadata; with the
#     pre-check off, the watchdog stops the decoding and names it too;
#   - a stream file emptied or cut while its index lists its packets; a
#     FIFO in place of a stream file (babeltrace2 would block on it);
#   - an unreadable sub-directory (as nobody); the same trace twice (two
#     copies: refused; one directory under two names: read once);
#   - 40 copies with 6 random bytes changed in the stream file: each run
#     either fails naming the stream file, or reports the one process
#     that ran (no phantom process), within the stall bound.
set -u
: "${top_builddir:=../..}" "${top_srcdir:=../..}"
. "$top_srcdir/tests/lib/lttng.sh"
lib=$top_builddir/preload/.libs/libqprof.so
report=$top_builddir/post/qprof-report
app=$top_builddir/sim/apps/qaic-sim-app
damage="/usr/bin/python3 $top_srcdir/tests/post/damage.py"
for f in "$lib" "$report" "$app" /usr/bin/python3; do
	[ -e "$f" ] || { echo "missing $f"; exit 77; }
done
QP_LTTNG_BLOCKING=1
qp_e2e_begin e2e-damaged
# small limits: a damaged copy is stopped in seconds (guard.h)
QPROF_REPORT_STALL_S=3
QPROF_REPORT_MEMORY_MB=200
export QPROF_REPORT_STALL_S QPROF_REPORT_MEMORY_MB

sessions=$(qp_session_create e2e-damaged "$work/t") || exit 99
qp_session_start "$sessions" || exit 99
LD_PRELOAD="$lib" "$app" -n 300 -T 2 >"$work/app.out" 2>&1 || { cat "$work/app.out"; exit 99; }
qp_session_stop "$sessions"
qp_session_destroy "$sessions"
sessions=
"$report" "$work/t" --json "$work/good.json" -q || { bad "the undamaged trace"; exit 1; }
meta=$(find "$work/t" -name metadata)
tdir=$(dirname "$meta")
rel=${tdir#"$work/t/"}
stream=$(find "$tdir" -maxdepth 1 -type f -name 'qp_*' -size +8k | head -1)
sname=$(basename "$stream")

# expect NAME PATTERN [ENV=V...] -- ARGS: exit 1 within 60 s, PATTERN on stderr
expect() {
	name=$1 pat=$2
	shift 2
	envs=
	while [ "$1" != -- ]; do envs="$envs $1"; shift; done
	shift
	start=$(date +%s)
	env $envs timeout 60 "$report" "$@" -q >"$work/out" 2>"$work/err"
	rc=$?
	took=$(($(date +%s) - start))
	if [ $rc -ne 1 ] || ! grep -q -- "$pat" "$work/err"; then
		bad "$name: exit $rc (want 1) after $took s, stderr:"; cat "$work/err"
	fi
	[ "$(wc -l <"$work/err")" -eq 1 ] || { bad "$name: not one line"; cat "$work/err"; }
}

# copy NAME: a fresh copy of the trace in $work/NAME; $c is its trace dir
copy() {
	rm -rf "${work:?}/$1"
	cp -r "$work/t" "$work/$1"
	c=$work/$1/$rel
}

# ---- metadata cut
msize=$(stat -c %s "$meta")
for cut in 1000 4133 20000; do
	[ "$cut" -lt "$msize" ] || continue
	copy meta$cut
	$damage cut "$c/metadata" $cut
	expect "metadata cut at $cut" "$c/metadata: truncated" -- "$c"
	expect "metadata cut at $cut, no pre-check" "$c/metadata cannot be decoded.*without progress" \
		QPROF_REPORT_PRECHECK=0 -- "$c"
done

# ---- stream files
copy empty
: >"$c/$sname"
expect "emptied stream file" "$c/$sname: truncated or corrupt stream file: 0 bytes, but its index" -- "$c"
copy cut
$damage cut "$c/$sname" 5000
expect "cut stream file" "$c/$sname: truncated or corrupt stream file: 5000 bytes" -- "$c"
copy fifo
rm "$c/$sname"
mkfifo "$c/$sname"
expect "a FIFO" "$c/$sname: not a regular file" -- "$c"

# ---- directories
mkdir -p "$work/two"
cp -r "$work/t" "$work/two/a"
cp -r "$work/t" "$work/two/b"
expect "two copies" "are the same trace" -- "$work/two"
ln -s "$work/t" "$work/tlink"
"$report" "$work/t" "$work/t/." "$work/tlink/" --json "$work/once.json" -q 2>"$work/err" &&
	cmp -s "$work/once.json" "$work/good.json" ||
	{ bad "one directory under two names not read once"; cat "$work/err"; }
chmod -R a+rX "$work"
chmod a+x "$(dirname "$work")" 2>/dev/null
copy locked
mkdir "$work/locked/sub"
cp -r "$work/t" "$work/locked/sub/t2"
chmod 000 "$work/locked/sub"
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		timeout 60 "$report" "$work/locked" -q >/dev/null 2>"$work/err"
	rc=$?
	[ $rc -eq 1 ] && grep -q "$work/locked/sub: cannot read this directory" "$work/err" ||
		{ bad "unreadable sub-directory: exit $rc"; cat "$work/err"; }
fi
chmod 755 "$work/locked/sub"

# ---- random bytes: an error naming the stream file, or no phantom process
seed=1
while [ $seed -le 40 ]; do
	copy rnd
	$damage bytes "$c/$sname" $seed 6
	timeout 60 "$report" "$c" --json "$work/rnd.json" -q >/dev/null 2>"$work/err"
	rc=$?
	case $rc in
	0) /usr/bin/python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(len(j["processes"]) != 1)' "$work/rnd.json" ||
		{ bad "seed $seed: exit 0 with a phantom process"; } ;;
	1) grep -q "$c/$sname\|$c/metadata" "$work/err" ||
		{ bad "seed $seed: the error does not name the stream file"; cat "$work/err"; } ;;
	*) bad "seed $seed: exit $rc"; cat "$work/err" ;;
	esac
	seed=$((seed + 1))
done
exit $fail
