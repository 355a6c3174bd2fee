#!/bin/sh
# SPDX-License-Identifier: MIT
# A new user's path, exactly as the README gives it: a fresh clone, the
# README's install steps (the block between its install-steps markers, with
# our prefix for /usr/local), `make install` and `make install-sim` into
# that prefix.  Then the clone is deleted, and from another directory, with
# relative paths and only the installed files, `qprof record` and `qprof
# report` a simulated application (linked, the dlopen loader through
# QAIC_LIB, and the Python LLM sample over the installed qaicrt module),
# and `qprof demo`.  The installed man pages render with man -l
# without warnings; the simulator and the contract headers are not in the
# product's directories.  The truth: the application's own inference count
# and the simulated runtime's latency dump of every inference.
#
# Usage: tests/qprof/new_user.sh [REPOSITORY]   (default: this checkout's;
# the clone takes its committed HEAD).  Run by scripts/test; a few minutes.
# Prints "PASS: new_user" or FAIL lines; exits non-zero on failure.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
repo=${1:-$top}
for t in git help2man man lttng lttng-sessiond babeltrace2; do
	command -v $t >/dev/null 2>&1 || { echo "SKIP: new_user: no $t"; exit 77; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/qp-new-user.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
fail=0
bad() { echo "FAIL: new_user: $*"; fail=1; }
prefix=$work/prefix

# ---- the README's steps in a fresh clone ------------------------------------
git clone -q "$repo" "$work/clone" || { bad "git clone $repo"; exit 1; }
sed -n '/<!-- install-steps:begin/,/<!-- install-steps:end/p' "$work/clone/README.md" |
	sed -e '/^```/d' -e '/install-steps:/d' >"$work/readme-steps"
grep -q -- '--prefix=/usr/local' "$work/readme-steps" ||
	{ bad "README: no install-steps block with --prefix=/usr/local"; exit 1; }
sed -e "s|--prefix=/usr/local|--prefix=$prefix|" -e 's/^sudo //' \
	"$work/readme-steps" >"$work/steps.sh"
echo "new_user: the README's steps:"; sed 's/^/  /' "$work/steps.sh"
if ! (cd "$work/clone" && env -u QPROF_BUILDDIR sh -e -x "$work/steps.sh") \
		>"$work/build.log" 2>&1; then
	tail -40 "$work/build.log"
	bad "the README's install steps failed"
	exit 1
fi
# make uninstall-sim removes the whole simulator; install it again
(cd "$work/clone/build" && make uninstall-sim >/dev/null 2>&1) || bad "make uninstall-sim"
left=$(find "$prefix/lib/qprof/sim" -type f 2>/dev/null)
[ -z "$left" ] || bad "make uninstall-sim left $left"
(cd "$work/clone/build" && make install-sim >/dev/null 2>&1) || bad "make install-sim"
rm -rf "$work/clone"	# nothing of the build tree is left to find

# ---- what is installed, and where -------------------------------------------
sim=$prefix/lib/qprof/sim
for f in bin/qprof bin/qprof-report lib/libqprof.so lib/libqprof-tp.so \
	share/man/man1/qprof.1 share/man/man1/qprof-record.1 \
	share/man/man1/qprof-report.1 lib/qprof/sim/libQAic.so \
	lib/qprof/sim/qaic-sim-app lib/qprof/sim/qaic-sim-loader \
	lib/qprof/sim/presets/tiny.desc lib/qprof/sim/qaic_llm_generate.py \
	lib/qprof/sim/python/qaicrt.so lib/qprof/sim/python/QAicApi_pb2.py; do
	[ -e "$prefix/$f" ] || bad "not installed: $f"
done
[ ! -e "$prefix/lib/libQAic.so" ] || bad "the simulated libQAic.so is on the library path"
[ ! -e "$prefix/include" ] || bad "headers were installed: $(find "$prefix/include" -type f)"
grep -q "$work/clone" "$prefix/bin/qprof" && bad "qprof names the build tree"
for p in qprof qprof-record qprof-report; do
	MANWIDTH=80 man --warnings -l "$prefix/share/man/man1/$p.1" >"$work/$p.txt" 2>"$work/$p.warn" ||
		bad "man -l $p.1 failed"
	[ -s "$work/$p.warn" ] && { bad "man -l $p.1 warns:"; cat "$work/$p.warn"; }
	grep -q "^NAME" "$work/$p.txt" && grep -q "^ *$p - " "$work/$p.txt" ||
		bad "$p.1 has no NAME line for $p"
	grep -q -e "--help" "$work/$p.txt" || bad "$p.1 shows no options"
done

# ---- use it: another directory, relative paths, the installed files only ---
mkdir "$work/elsewhere" && cd "$work/elsewhere" || exit 99
unset QPROF_BUILDDIR QPROF_LIB QPROF_REPORT QAIC_SIM_APP QAIC_SIM_PRESET_DIR QAIC_LIB
PATH=$prefix/bin:$PATH
export PATH
qprof --version | grep -q '^qprof [0-9]' || bad "qprof --version"

mkdir dump
qprof record -o trace -- ../prefix/lib/qprof/sim/qaic-sim-app -t tiny -n 500 \
	--aic-profiling-type latency --aic-profiling-num-samples 500 \
	--aic-profiling-out-dir dump >app.out 2>rec.err || { bad "qprof record"; cat rec.err; }
n=$(awk '/^InferenceCnt / { print $2 }' app.out)
rows=$(awk 'NF && $1 ~ /^[0-9]+$/ { n++ } END { print n + 0 }' dump/aic-profiling-program-0-latency.txt)
if qprof report trace --device-latency dump --json r.json >report.txt 2>report.err; then
	got=$(python3 -c 'import json; j = json.load(open("r.json")); print(sum(p["completed"] for p in j["programs"]))')
	dev=$(awk '$1 == "devExec" { print $2 }' report.txt)
	echo "new_user: the application counted $n inferences, the runtime dumped $rows; the report: $got completed, devExec count $dev"
	[ "$got" = 500 ] && [ "$n" = 500 ] || bad "$got inferences in the trace, the application counted $n, want 500"
	[ "$rows" = 500 ] && [ "$dev" = 500 ] || bad "device rows: dumped $rows, merged $dev, want 500"
else
	bad "qprof report"; cat report.err
fi

QAIC_LIB=../prefix/lib/qprof/sim/libQAic.so qprof record -o trace2 -- \
	../prefix/lib/qprof/sim/qaic-sim-loader -t tiny -n 300 >app2.out 2>rec2.err ||
	{ bad "qprof record of the loader"; cat rec2.err; }
if qprof report trace2 --json r2.json -q 2>report2.err; then
	got=$(python3 -c 'import json; j = json.load(open("r2.json")); print(sum(p["completed"] for p in j["programs"]))')
	[ "$got" = 300 ] || bad "loader: $got inferences, want 300"
else
	bad "qprof report of the loader"; cat report2.err
fi

# the Python LLM sample over the installed qaicrt (docs/SIMULATOR.md,
# "Python"), run by its #!/usr/bin/python3 (the Python qaicrt was built
# for; another python3 may come first on PATH); the truth: its own count
# of prefill chunks and decode steps
PYTHONPATH=../prefix/lib/qprof/sim/python qprof record -o trace3 -- \
	../prefix/lib/qprof/sim/qaic_llm_generate.py --qpc llm --devices 0 \
	--requests 2 --prompt-len 40 --gen-len 4 --json gen.json >app3.out 2>rec3.err ||
	{ bad "qprof record of the Python sample"; cat app3.out rec3.err; }
if qprof report trace3 --json r3.json -q 2>report3.err; then
	want=$(python3 -c 'import json; print(sum(r["prefill_chunks"] + r["decode_steps"] for r in json.load(open("gen.json"))))')
	got=$(python3 -c 'import json; j = json.load(open("r3.json")); print(sum(p["completed"] for p in j["programs"]))')
	echo "new_user: the Python sample ran $want steps; the report: $got completed"
	[ "$got" = "$want" ] && [ "$want" -gt 0 ] ||
		bad "Python sample: $got inferences in the report, the application ran $want"
else
	bad "qprof report of the Python sample"; cat report3.err
fi

qprof demo >demo.out 2>demo.err || { bad "qprof demo"; cat demo.err; }
grep -q "^== program 0 'tiny'" demo.out || bad "qprof demo printed no program"

[ $fail = 0 ] && echo "PASS: new_user"
exit $fail
