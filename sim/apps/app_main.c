/* SPDX-License-Identifier: MIT */
/*
 * qaic-sim-app: sample application linked with -lQAic; every runtime call
 * goes to the exported symbol (the path a direct-linking application takes).
 */
#include "simapp.h"

static const struct simapp_api direct_api = {
#define SIMAPP_API_DIRECT(fn) .fn = fn,
	SIMAPP_API_FUNCS(SIMAPP_API_DIRECT)
#undef SIMAPP_API_DIRECT
};

int main(int argc, char **argv)
{
	struct simapp_options opts;
	int rc;

	simapp_progname = "qaic-sim-app";
	rc = simapp_parse_options(argc, argv, false, &opts);
	if (rc >= 0)
		return rc;
	rc = simapp_export_env(&opts);
	if (rc)
		return rc;
	return simapp_run(&opts, &direct_api);
}
