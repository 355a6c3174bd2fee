#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs each scenario of test_rt_deploy in its own process, with the
# emulated driver's settings it needs (read once per process).
set -u
T=${RT_TEST_BIN:-tests/test_rt_deploy}
fails=0
run() {
	echo "== $*"
	env "$@" || fails=$((fails + 1))
}
run QAIC_SIM_TIME_SCALE=0.25 "$T" group
run QAIC_SIM_FAULT_SSR=3:0:300 "$T" ssr
exit $((fails > 0))
