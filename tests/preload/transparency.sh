#!/bin/bash
# SPDX-License-Identifier: MIT
# Transparency: the sample applications' outputs (timing figures masked)
# and exit statuses are identical with and without the shim, on success and
# on the fault-injection error paths, whether no session daemon exists at
# all, a session exists but is not started, or a session records.  While
# recording, the failing calls' statuses and errno values are in the trace.
. "$srcdir/lib.sh"
need_lttng

# name|environment|arguments (the two apps take the same options).
cases='ok||-t tiny -n 50 -T 2
multi|QAIC_SIM_TIME_SCALE=0.05|-t tiny -t resnet50 -n 30 -a 2 -q 2 -c callback
prof|QAIC_SIM_TIME_SCALE=0.05|-t resnet50 -n 20 --aic-profiling-type latency --aic-profiling-num-samples 20 --aic-profiling-out-dir @LAT@
deverr|QAIC_SIM_FAULT_DEVERR=5|-t tiny -n 50
deverrev|QAIC_SIM_FAULT_DEVERR=3|-t tiny -n 50 -c event -T 2
eagain|QAIC_SIM_FAULT_EAGAIN=2:10|-t tiny -n 100 -T 2
busy|QAIC_SIM_TIME_SCALE=0.01 QAIC_SIM_FAULT_EAGAIN=2:1000|-t tiny -n 20 -S 1
hang|QAIC_SIM_FAULT_HANG=3|-t tiny -n 20 -S 2 --submit-timeout 50 --submit-retry-count 1
usage||-T 9'

# run_case MODE BIN NAME ENV ARGS: one run, with the shim unless MODE=none.
run_case()
{
	local mode=$1 bin=$2 name=$3 env=$4 args=$5 lat
	lat=$TMP/lat-$mode-$name
	mkdir -p "$lat"
	args=${args//@LAT@/$lat}
	local cmd="env $env $bin $args"
	case $mode in
	none)	run_pid "$mode-$name" $cmd ;;
	nodaemon)
		# A private mount namespace hides the global daemon's sockets;
		# LTTNG_HOME points at an empty directory.
		mkdir -p "$TMP/empty-home"
		run_pid "$mode-$name" unshare -m sh -c \
			'mount -t tmpfs qprof-none /var/run/lttng &&
			 mount -t tmpfs qprof-none /dev/shm &&
			 p=$1 && shift && LTTNG_HOME=$0 LD_PRELOAD=$p exec "$@"' \
			"$TMP/empty-home" "$PRELOAD" $cmd ;;
	*)	LD_PRELOAD=$PRELOAD run_pid "$mode-$name" $cmd ;;
	esac
	sed -i "s|$lat|LAT|g" "$TMP/$mode-$name.out" "$TMP/$mode-$name.err"
}

# compare MODE NAME: same status, same masked stdout and stderr as "none".
compare()
{
	local m=$1 n=$2 f
	nchecks=$((nchecks + 1))
	[ "$(cat "$TMP/$m-$n.rc")" = "$(cat "$TMP/none-$n.rc")" ] ||
		fail "$n ($m): exit $(cat "$TMP/$m-$n.rc"), without the shim $(cat "$TMP/none-$n.rc")"
	for f in out err; do
		nchecks=$((nchecks + 1))
		if ! diff <(mask "$TMP/none-$n.$f") <(mask "$TMP/$m-$n.$f") \
			>"$TMP/$m-$n.diff"; then
			fail "$n ($m): std$f differs from the run without the shim"
			sed 's/^/  | /' "$TMP/$m-$n.diff" | head -10 >&2
		fi
	done
}

# The no-daemon mode needs a private mount namespace.
modes="none notstarted recording"
if unshare -m sh -c 'mount -t tmpfs x /var/run/lttng' 2>/dev/null; then
	modes="$modes nodaemon"
else
	echo "note: unshare -m unavailable, no-daemon case not run" >&2
fi

for bin in "$APP" "$LOADER"; do
	b=$(basename "$bin")
	for mode in $modes; do
		# The loader's hooks are the same; spare the suite's time.
		[ "$b-$mode" = qaic-sim-loader-notstarted ] && continue
		s=
		case $mode in
		notstarted|recording)
			s=$(qp_session_create qprof-transp "$TMP/$b-$mode.trace") ||
				{ fail "cannot create a session"; continue; } ;;
		esac
		[ $mode = recording ] && qp_session_start "$s"
		while IFS='|' read -r name env args; do
			run_case $mode "$bin" "$b-$name" "$env" "$args"
			echo $rc >"$TMP/$mode-$b-$name.rc"
			[ $mode = none ] || compare $mode "$b-$name"
		done <<<"$cases"
		[ -n "$s" ] || continue
		qp_session_stop "$s"
		qp_session_destroy "$s"
	done
	# Nothing recorded by a session that was never started.
	[ "$b" = qaic-sim-app ] && nchecks=$((nchecks + 1))
	if [ -d "$TMP/$b-notstarted.trace" ] &&
		[ -n "$(babeltrace2 "$TMP/$b-notstarted.trace" 2>/dev/null | head -1)" ]; then
		fail "$b: a session that was not started recorded events"
	fi
	# The error paths as the trace saw them (status and errno forwarded).
	babeltrace2 "$TMP/$b-recording.trace" >"$TMP/$b-rec.txt" 2>&1
	pid_of() { cat "$TMP/recording-$b-$1.pid"; }
	has() {		# CASE EVENT-REGEX: an event of that run's pid matches
		nchecks=$((nchecks + 1))
		grep -E "qprof:$2" "$TMP/$b-rec.txt" |
			grep -q "pid = $(pid_of "$1")," ||
			fail "$b $1: no event matching '$2' in the trace"
	}
	has deverr 'api_execobj_wait: .* status = 300,'
	has deverrev 'api_event_wait: .* status = 300,'
	has eagain 'kmd_execute: .* ret = -1, err = 11,'
	has busy 'api_execobj_wait: .* status = 4,'
	has hang 'kmd_wait: .* ret = -1, err = 110,'
	has hang 'api_execobj_wait: .* status = 9,'
	has ok 'api_enqueue_exit: .* status = 0 '
done
finish
