/* SPDX-License-Identifier: MIT */
/*
 * qaic-sim-loader: the same sample application, reaching the runtime the
 * way qaic-runner does: dlopen(getenv("QAIC_LIB") ?: "libQAic.so"), then
 * dlsym("qaicGetFunctionTable") and every call through that table.  It does
 * not link libQAic and never calls or dlsym()s any other runtime symbol.
 * The library stays loaded until exit: the runtime owns threads (queue
 * workers, the emulated driver) that must not lose their code under them.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "simapp.h"
#include "qaic_sim_table.h"

typedef const QAicApiFunctionTable *(*get_table_fn)(void);

static int load_table(struct simapp_api *api)
{
	const char *lib = getenv("QAIC_LIB");
	const QAicApiFunctionTable *table;
	get_table_fn get_table;
	void *handle;

	if (!lib || !*lib)
		lib = "libQAic.so";
	handle = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		fprintf(stderr, "%s: cannot load the runtime: %s\n",
			simapp_progname, dlerror());
		return -1;
	}
	*(void **)&get_table = dlsym(handle, "qaicGetFunctionTable");
	if (!get_table) {
		fprintf(stderr, "%s: %s: no qaicGetFunctionTable: %s\n",
			simapp_progname, lib, dlerror());
		dlclose(handle);
		return -1;
	}
	table = get_table();
	if (!table) {
		fprintf(stderr, "%s: qaicGetFunctionTable returned NULL\n",
			simapp_progname);
		dlclose(handle);
		return -1;
	}
	if (table->version != QAIC_SIM_TABLE_VERSION ||
	    table->size < sizeof(*table)) {
		fprintf(stderr,
			"%s: %s: function table version %u size %u, expected version %u size >= %zu\n",
			simapp_progname, lib, table->version, table->size,
			QAIC_SIM_TABLE_VERSION, sizeof(*table));
		dlclose(handle);
		return -1;
	}
#define SIMAPP_API_FROM_TABLE(fn)					\
	api->fn = table->fn;						\
	if (!api->fn) {							\
		fprintf(stderr, "%s: %s: function table has no %s\n",	\
			simapp_progname, lib, #fn);			\
		dlclose(handle);					\
		return -1;						\
	}
	SIMAPP_API_FUNCS(SIMAPP_API_FROM_TABLE)
#undef SIMAPP_API_FROM_TABLE
	return 0;
}

int main(int argc, char **argv)
{
	struct simapp_api api;
	struct simapp_options opts;
	int rc;

	simapp_progname = "qaic-sim-loader";
	rc = simapp_parse_options(argc, argv, true, &opts);
	if (rc >= 0)
		return rc;
	/* The profiling variables must be in place before the runtime loads. */
	rc = simapp_export_env(&opts);
	if (rc)
		return rc;
	if (load_table(&api))
		return SIMAPP_EXIT_RUNTIME;
	return simapp_run(&opts, &api);
}
