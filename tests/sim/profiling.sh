#!/bin/bash
# SPDX-License-Identifier: MIT
# Runtime latency profiling through the apps' --aic-profiling-* options:
# every row of every latency file is parsed (check_latency.py, the
# conventions of latency_stats_python3.py) and checked against the
# identities of docs/CONTRACTS.md §3.1; header lines exact; NumSamples
# collected/requested; N/A device columns unless stats-compiled; the app's
# "Device Performance" table against statistics of the file itself.
. "$srcdir/lib.sh"

# latency_ok FILE ARGS...: run the checker on FILE.
latency_ok()
{
	nchecks=$((nchecks + 1))
	if [ ! -f "$1" ]; then
		fail "no latency file $1"
		ls -l "$(dirname "$1")" >&2
		return 1
	fi
	if ! "$PY" "$srcdir/check_latency.py" "$@"; then
		fail "latency file check: $*"
		return 1
	fi
	return 0
}

prof()
{
	echo --aic-profiling-type latency --aic-profiling-out-dir "$1" \
		--aic-profiling-start-iter "$2" --aic-profiling-num-samples "$3"
}

# resnet50 (no device stats), 100 samples from inference 10, 4 threads.
d=$TMP/r50 && mkdir -p "$d"
QAIC_SIM_TIME_SCALE=0.05 expect_rc 0 "$APP" -t resnet50 -n 300 -T 4 -S 2 \
	$(prof "$d" 10 100) &&
	expect_stats "300:$(desc_value resnet50 batch)" &&
	latency_ok "$d/aic-profiling-program-0-latency.txt" --program-id 0 \
		--collected 100 --requested 100 --start 10 \
		--stats "$(desc_value resnet50 stats)"

# bert (stats-compiled, batch 8), callback style, through the loader; the
# Device Performance table printed by the app must match the file.
d=$TMP/bert && mkdir -p "$d"
batch=$(desc_value bert batch)
QAIC_SIM_TIME_SCALE=0.01 expect_rc 0 "$LOADER" -t bert -n 60 -T 2 \
	-c callback $(prof "$d" 0 50) &&
	expect_stats "60:$batch" &&
	latency_ok "$d/aic-profiling-program-0-latency.txt" --program-id 0 \
		--collected 50 --requested 50 --start 0 --stats 1 \
		--batch "$batch" --devperf "$TMP/out"

# Run ends before the samples are collected: file written at release with
# collected < requested.
d=$TMP/short && mkdir -p "$d"
expect_rc 0 "$APP" -t tiny -n 20 -c event $(prof "$d" 5 50) &&
	latency_ok "$d/aic-profiling-program-0-latency.txt" --program-id 0 \
		--collected 15 --requested 50 --start 5 \
		--stats "$(desc_value tiny stats)" --batch "$(desc_value tiny batch)"

# Two programs: one file per program id, in creation order.
d=$TMP/two && mkdir -p "$d"
QAIC_SIM_TIME_SCALE=0.01 expect_rc 0 "$APP" -t tiny -t bert -n 40 \
	$(prof "$d" 0 40) &&
	expect_stats "40:$(desc_value tiny batch)" "40:$batch" &&
	latency_ok "$d/aic-profiling-program-0-latency.txt" --program-id 0 \
		--collected 40 --requested 40 \
		--stats "$(desc_value tiny stats)" \
		--batch "$(desc_value tiny batch)" &&
	latency_ok "$d/aic-profiling-program-1-latency.txt" --program-id 1 \
		--collected 40 --requested 40 --stats 1 --batch "$batch" \
		--devperf "$TMP/out" --devperf-index \
		"$(desc_value tiny stats)"

# The checker itself must reject a broken file (a test that cannot fail is
# a defect): corrupt one identity and one header line.
f=$TMP/r50/aic-profiling-program-0-latency.txt
if [ -f "$f" ]; then
	nchecks=$((nchecks + 1))
	awk 'NR == 6 { sub(/^ *[0-9]+/, "99999") } { print }' "$f" >"$TMP/bad1"
	"$PY" "$srcdir/check_latency.py" "$TMP/bad1" --program-id 0 \
		--collected 100 --requested 100 --start 10 --stats 0 \
		2>/dev/null && fail "checker accepted a wrong Sample"
	nchecks=$((nchecks + 1))
	sed '2s/.*/ProgramId:7/' "$f" >"$TMP/bad2"
	"$PY" "$srcdir/check_latency.py" "$TMP/bad2" --program-id 0 \
		--collected 100 --requested 100 --start 10 --stats 0 \
		2>/dev/null && fail "checker accepted a wrong ProgramId line"
fi

# Out dir must exist.
expect_rc 1 "$APP" -n 1 --aic-profiling-type latency \
	--aic-profiling-out-dir "$TMP/nope" && expect_stderr "nope"
finish
