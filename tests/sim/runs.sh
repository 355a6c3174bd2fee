# SPDX-License-Identifier: MIT
# Sourced by app_runs.sh / loader_runs.sh with BIN set: the three presets,
# each completion style, 1 and 8 threads; every run must exit 0 and print
# one stats block whose InferenceCnt is the requested count and whose
# BatchSize is the preset's.  Device times are scaled so bert stays fast.
. "$srcdir/lib.sh"

for spec in "tiny 10000 1" "resnet50 1000 0.05" "bert 100 0.01"; do
	set -- $spec
	preset=$1 n=$2 scale=$3
	batch=$(desc_value "$preset" batch)
	for style in wait event callback; do
		for threads in 1 8; do
			QAIC_SIM_TIME_SCALE=$scale expect_rc 0 "$BIN" -t "$preset" \
				-n "$n" -T "$threads" -c "$style" &&
				expect_stats "$n:$batch"
		done
	done
done

# Defaults: 1000 inferences of tiny.
expect_rc 0 "$BIN" && expect_stats "1000:$(desc_value tiny batch)"

# Several programs at once, activations, queues, small sets: one block each.
QAIC_SIM_TIME_SCALE=0.05 expect_rc 0 "$BIN" -t tiny -t resnet50 -n 300 \
	-T 2 -S 3 -a 2 -q 2 --threads-per-queue 2 -c callback &&
	expect_stats "300:$(desc_value tiny batch)" \
		"300:$(desc_value resnet50 batch)"

# --time: runs about that long.
expect_rc 0 "$BIN" -t tiny --time 0.3 -T 2 && expect_stats "+:1" && {
	nchecks=$((nchecks + 1))
	dur=$(sed -n 's/.*TotalDuration \([0-9]*\)us.*/\1/p' "$TMP/out")
	if [ "$dur" -lt 300000 ] || [ "$dur" -gt 2000000 ]; then
		fail "--time 0.3 ran ${dur}us"
	fi
}

# Usage: --help is 0 and complete, bad options are 2.
expect_rc 0 "$BIN" --help && {
	nchecks=$((nchecks + 1))
	for o in --device --program --num-iter --time --threads --set-size \
		--activations --queues --threads-per-queue --completion \
		--aic-profiling-type --aic-profiling-start-iter \
		--aic-profiling-num-samples --aic-profiling-out-dir --program-group; do
		grep -q -- "$o" "$TMP/out" || fail "--help does not document $o"
	done
}
for bad in "-T 9" "-T 0" "-n 0" "-n x" "-c poll" "--time -1" "--bogus" \
	"--aic-profiling-type trace_stream" "extra" "-S"; do
	expect_rc 2 "$BIN" $bad && expect_stderr "Try '.* --help'"
done
finish
