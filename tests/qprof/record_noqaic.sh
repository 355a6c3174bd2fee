#!/bin/sh
# SPDX-License-Identifier: MIT
# A command that makes no QAic call: qprof record warns "CMD made no QAic
# calls: nothing was profiled" and exits with the command's status, and
# qprof report on that trace says so (exit 1) instead of "no CTF trace".
# A command that fails passes its status through.
set -u
. "${srcdir:-.}/lib.sh"
qp_begin record-noqaic
cd "$work" || exit 99

"$qprof" record -o t -- ls / >ls.out 2>rec.err
expect_status 0 $? "qprof record -- ls /"
grep -q 'qprof record: warning: ls / made no QAic calls: nothing was profiled' rec.err ||
	{ bad "no warning:"; cat rec.err; }
grep -q '^QAic calls: none$' t/qprof-record.txt || bad "qprof-record.txt does not say it"
"$qprof" report t >rep.out 2>rep.err
expect_status 1 $? "qprof report on it"
grep -q 'qprof report: t: nothing was profiled: ls / made no QAic calls' rep.err ||
	{ bad "qprof report does not say it:"; cat rep.err; }
grep -q 'no CTF trace' rep.err && bad "qprof report still says no CTF trace"

"$qprof" record -o t2 -- sh -c 'exit 3' 2>rec2.err
expect_status 3 $? "a command that exits 3"
grep -q '^exit status: 3$' t2/qprof-record.txt || bad "exit status 3 not recorded"

# a QAic application: no warning
"$qprof" record -o t3 -- "$app" -n 50 >app.out 2>rec3.err
expect_status 0 $? "qprof record of the application"
grep -q 'no QAic calls' rec3.err && bad "a warning for an application that made QAic calls"
grep -q '^QAic calls: yes$' t3/qprof-record.txt || bad "qprof-record.txt: QAic calls not seen"
exit $fail
