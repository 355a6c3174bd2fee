#!/bin/bash
# The simulator's qaicrt and QAicApi_pb2 modules: test_qaicrt.py, importing
# both from the build tree's sim/python (docs/SIMULATOR.md "Python").
set -eu
export PYTHONPATH="$SIM_PYTHONPATH" PYTHONDONTWRITEBYTECODE=1
# four devices for the devMapping case
export QAIC_SIM_NUM_DEVICES=4
export LD_PRELOAD="${SAN_PRELOAD}${LD_PRELOAD:+ $LD_PRELOAD}"
exec "$PYTHON3" "$srcdir/test_qaicrt.py"
