# SPDX-License-Identifier: MIT
# Shared LTTng helpers for qprof's end-to-end tests and benchmarks (POSIX sh,
# sourced, not run).
#
#   qp_lttng_setup                  a session daemon the tests can use:
#                                   root: the global one (started with
#                                   `lttng-sessiond --daemonize` if none
#                                   runs); other users: a private one under
#                                   a temporary LTTNG_HOME.  Returns 77 (the
#                                   automake SKIP status) when lttng is
#                                   missing or no daemon can be had.
#   qp_session_create PREFIX OUTDIR prints the name of a new session
#                                   PREFIX-$$-<random> writing to OUTDIR: one
#                                   userspace channel "qp" (4 MiB x 8
#                                   sub-buffers per CPU), event `qprof:*`,
#                                   nothing else.  QP_LTTNG_BLOCKING=1 makes
#                                   the channel blocking (never discards).
#   qp_session_start NAME / qp_session_stop NAME / qp_session_destroy NAME
#   qp_session_discarded NAME       prints the discarded-event count
#   qp_lttng_teardown               stops the daemon (by PID) only if
#                                   qp_lttng_setup started it and no session
#                                   is left in it.
#
# QP_LTTNG_BLOCKING=1 must be set before qp_lttng_setup: it exports
# LTTNG_UST_ALLOW_BLOCKING=1, without which traced applications ignore the
# channel's blocking timeout.  Every lttng command's output goes to
# $QP_LTTNG_LOG (default: stderr); functions return non-zero on failure.
# Never kills anything by name.

QP_LTTNG_STARTED_PID=
QP_LTTNG_PRIVATE_HOME=

_qp_log()
{
	if [ -n "${QP_LTTNG_LOG:-}" ]; then
		"$@" >>"$QP_LTTNG_LOG" 2>&1
	else
		"$@" >&2
	fi
}

# _qp_daemon_ready: a session daemon answers our client.
_qp_daemon_ready()
{
	lttng list >/dev/null 2>&1
}

# _qp_wait_daemon: up to 10 s for the daemon to answer.
_qp_wait_daemon()
{
	_qp_n=0
	until _qp_daemon_ready; do
		_qp_n=$((_qp_n + 1))
		[ $_qp_n -lt 100 ] || return 1
		sleep 0.1
	done
	return 0
}

qp_lttng_setup()
{
	if ! command -v lttng >/dev/null 2>&1 ||
		! command -v lttng-sessiond >/dev/null 2>&1; then
		echo "lttng.sh: lttng-tools not installed" >&2
		return 77
	fi
	if [ "${QP_LTTNG_BLOCKING:-0}" = 1 ]; then
		LTTNG_UST_ALLOW_BLOCKING=1
		export LTTNG_UST_ALLOW_BLOCKING
	fi
	if [ "$(id -u)" != 0 ]; then
		# A private daemon: its sockets and traces live under LTTNG_HOME.
		QP_LTTNG_PRIVATE_HOME=$(mktemp -d "${TMPDIR:-/tmp}/qp-lttng.XXXXXX") ||
			return 77
		LTTNG_HOME=$QP_LTTNG_PRIVATE_HOME
		export LTTNG_HOME
	elif _qp_daemon_ready; then
		return 0
	fi
	# Another test may start the global daemon at the same moment: our
	# start then fails, and we use theirs.
	if _qp_log lttng-sessiond --daemonize; then
		if [ -n "$QP_LTTNG_PRIVATE_HOME" ]; then
			_qp_pidfile=$QP_LTTNG_PRIVATE_HOME/.lttng/lttng-sessiond.pid
		else
			_qp_pidfile=/var/run/lttng/lttng-sessiond.pid
		fi
		QP_LTTNG_STARTED_PID=$(cat "$_qp_pidfile" 2>/dev/null)
	fi
	if ! _qp_wait_daemon; then
		echo "lttng.sh: no session daemon answers" >&2
		return 77
	fi
	return 0
}

# _qp_random: a random unsigned number (POSIX sh has no $RANDOM).
_qp_random()
{
	od -An -N4 -tu4 /dev/urandom | tr -d ' \n'
}

# qp_session_create PREFIX DEST: a session recording qprof:* into DEST, a
# directory, or an lttng-relayd URL (net://HOST[:CTRL:DATA]); prints its name.
qp_session_create()
{
	_qp_name=$1-$$-$(_qp_random)
	case $2 in
	net://* | net6://* | tcp://*) _qp_dest=--set-url=$2 ;;
	*) _qp_dest=--output=$2 ;;
	esac
	_qp_block=
	if [ "${QP_LTTNG_BLOCKING:-0}" = 1 ]; then
		_qp_block=--blocking-timeout=inf
		LTTNG_UST_ALLOW_BLOCKING=1
		export LTTNG_UST_ALLOW_BLOCKING
	fi
	_qp_log lttng create "$_qp_name" "$_qp_dest" || return 1
	if ! _qp_log lttng enable-channel -u -s "$_qp_name" \
			--subbuf-size=4M --num-subbuf=8 $_qp_block qp ||
		! _qp_log lttng enable-event -u -s "$_qp_name" -c qp 'qprof:*'; then
		_qp_log lttng destroy "$_qp_name"
		return 1
	fi
	echo "$_qp_name"
}

qp_session_start()
{
	_qp_log lttng start "$1"
}

# Stopping waits until the consumer has written every buffer to OUTDIR.
qp_session_stop()
{
	_qp_log lttng stop "$1"
}

qp_session_destroy()
{
	_qp_log lttng destroy "$1"
}

qp_session_discarded()
{
	lttng list "$1" 2>/dev/null |
		awk '/Discarded events:/ { n += $NF } END { print n + 0 }'
}

qp_lttng_teardown()
{
	if [ -n "$QP_LTTNG_STARTED_PID" ]; then
		if [ -n "$QP_LTTNG_PRIVATE_HOME" ] ||
			lttng list 2>/dev/null |
				grep -q 'Currently no available recording session'; then
			kill "$QP_LTTNG_STARTED_PID" 2>/dev/null
			# Let it remove its sockets before LTTNG_HOME goes.
			_qp_n=0
			while kill -0 "$QP_LTTNG_STARTED_PID" 2>/dev/null &&
				[ $_qp_n -lt 50 ]; do
				_qp_n=$((_qp_n + 1))
				sleep 0.1
			done
		fi
		QP_LTTNG_STARTED_PID=
	fi
	if [ -n "$QP_LTTNG_PRIVATE_HOME" ]; then
		rm -rf "$QP_LTTNG_PRIVATE_HOME"
		QP_LTTNG_PRIVATE_HOME=
	fi
	return 0
}

# qp_e2e_begin NAME: the common start of an end-to-end test script.  A
# session daemon (exit 77 without one); $work, a fresh directory removed at
# exit, holding $QP_LTTNG_LOG; $sessions, session names destroyed at exit;
# fail=0; bad MESSAGE prints "FAIL: MESSAGE" and sets fail=1.
qp_e2e_begin()
{
	qp_lttng_setup || exit $?
	work=$(mktemp -d "${TMPDIR:-/tmp}/qp-$1.XXXXXX") || exit 99
	QP_LTTNG_LOG=$work/lttng.log
	export QP_LTTNG_LOG
	sessions=
	trap _qp_e2e_end EXIT
	trap 'exit 130' INT TERM
	fail=0
}

_qp_e2e_end()
{
	for _qp_s in $sessions; do
		lttng destroy "$_qp_s" >/dev/null 2>&1
	done
	qp_lttng_teardown
	rm -rf "$work"
}

bad()
{
	echo "FAIL: $*"
	fail=1
}

# qp_run_twice ARGS...: the caller's run_once ARGS..., recorded once more
# when it sets fail=1 (a loaded 2-vCPU machine's scheduling tail can cross
# a timing tolerance; a wrong result fails both recordings).  Before the
# second recording the dirty pages are written out and the machine is let
# settle for a second: a CI run writes gigabytes of builds and traces, and
# the kernel's writeback of them, or whatever else loaded the first
# recording, should not fall on both.  Keeps an earlier failure of the test.
qp_run_twice()
{
	_qp_fail_before=$fail
	fail=0
	run_once "$@"
	if [ $fail = 1 ]; then
		echo "$1: failed once; recording it again"
		sync
		sleep 1
		fail=0
		run_once "$@"
	fi
	[ "$_qp_fail_before" = 1 ] && fail=1
	return 0
}
