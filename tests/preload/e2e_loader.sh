#!/bin/bash
# SPDX-License-Identifier: MIT
# qaic-sim-loader reaches the runtime only through dlopen + dlsym +
# qaicGetFunctionTable: it must be traced as fully as qaic-sim-app (the
# same matrix, plus the function-table event).
BIN=$top_builddir/sim/apps/qaic-sim-loader
EXTRA=--loader
. "$srcdir/e2e_app.sh"
