#!/bin/bash
# qaic-sim-app (linked -lQAic): the run matrix of runs.sh.
BIN=$top_builddir/sim/apps/qaic-sim-app
. "$srcdir/runs.sh"
