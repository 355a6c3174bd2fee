#!/bin/bash
# qaic-sim-loader (runtime dlopen()ed from $QAIC_LIB): the run matrix of runs.sh.
BIN=$top_builddir/sim/apps/qaic-sim-loader
. "$srcdir/runs.sh"
