#!/bin/sh
# SPDX-License-Identifier: MIT
# qprof record's errors, as a shell would give them: a command that cannot
# be found exits 127 and one that cannot be executed 126, with the shell's
# message naming the command (not qprof's pid file); usage errors exit 2;
# a trace directory that is not empty is refused (125) unless --force, and
# --force replaces only a qprof trace.  No recording session is needed
# until the last case.
set -u
. "${srcdir:-.}/lib.sh"
qp_begin record-errors
cd "$work" || exit 99

# run WANT-STATUS WANT-MESSAGE ARGS...: qprof's status and stderr
run() {
	want=$1 msg=$2
	shift 2
	"$qprof" "$@" >out 2>err
	st=$?
	expect_status "$want" "$st" "qprof $*"
	grep -q -F -- "$msg" err || { bad "qprof $*: no '$msg' in:"; cat err; }
}

run 127 "qprof record: ./no-such-app: No such file or directory" record -- ./no-such-app
run 127 "qprof record: no-such-command-qp: command not found" record -- no-such-command-qp
grep -q qprof-pid err && bad "the message names the pid file"
: >notexec
run 126 "qprof record: ./notexec: Permission denied" record -- ./notexec
mkdir adir
run 126 "qprof record: ./adir: Is a directory" record -- ./adir
mkdir -p p1
: >p1/qpnx; chmod 644 p1/qpnx
env PATH="$work/p1:$PATH" "$qprof" record -- qpnx >out 2>err
expect_status 126 $? "a command in PATH that is not executable"
grep -q -F "qprof record: $work/p1/qpnx: Permission denied" err || { bad "PATH search:"; cat err; }
# nothing was created for a command that could not run
ls -d qprof-trace-* >/dev/null 2>&1 && bad "a trace directory was created"

run 2 "no command given" record
run 2 "unknown option --bogus" record --bogus -- true
run 2 "--duration abc: not a number" record --duration abc -- true
run 2 "--duration 0: must be more than 0" record --duration 0 -- true
run 2 "unknown command 'bogus'" bogus

# -o onto an existing trace: refused without --force, the trace kept
mkdir -p old/ust/uid/0/64-bit
echo 4242 >old/qprof-pid
echo keep >old/ust/uid/0/64-bit/metadata
run 125 "old is not empty" record -o old -- true
[ "$(cat old/ust/uid/0/64-bit/metadata)" = keep ] || bad "the old trace was changed"
# --force only replaces a qprof trace
mkdir mine; echo precious >mine/notes.txt
run 125 "holds files that are not a qprof trace" record --force -o mine -- true
[ -f mine/notes.txt ] || bad "--force deleted a file that is not a trace"
: >afile
run 125 "afile exists and is not a directory" record -o afile -- true

# --force records into it: the old trace is gone, the new one is complete
if command -v lttng >/dev/null && command -v lttng-sessiond >/dev/null; then
	"$qprof" record --force -o old -- true >out 2>err
	expect_status 0 $? "record --force"
	[ -e old/ust/uid/0/64-bit/metadata ] && bad "--force kept the old trace"
	grep -q '^command: true$' old/qprof-record.txt ||
		{ bad "no qprof-record.txt in the new trace"; cat err; }
	# empty and new directories are fine, relative paths too
	mkdir empty
	"$qprof" record -o empty -- true 2>err || { bad "record into an empty directory"; cat err; }
	"$qprof" record -o ./sub/new -- true 2>err || { bad "record into a new directory"; cat err; }
	[ -f sub/new/qprof-pid ] || bad "no sub/new/qprof-pid"
fi
exit $fail
