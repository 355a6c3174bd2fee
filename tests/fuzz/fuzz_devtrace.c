// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the device operator trace parser (post/devtrace.c) and the
 * report's unaligned device-trace section and JSON (post/devreport.c).
 * The input is the JSON file's content; every error must name the file.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devreport.h"
#include "fuzz.h"

#define NAME "aic-profiling-program-0-trace.json"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qp_devreport d;
	char err[512];
	FILE *sink;

	memset(&d, 0, sizeof(d));
	if (qp_devtrace_parse(NAME, (const char *)data, size, &d.dt, err,
			      sizeof(err))) {
		if (strncmp(err, NAME ":", strlen(NAME ":")))
			abort();
		return 0;
	}
	d.has_dt = true;
	sink = fopen("/dev/null", "w");
	if (sink) {
		qp_devreport_summary(sink, &d, false);
		fclose(sink);
	}
	json_decref(qp_devreport_json(&d, NULL));
	qp_devreport_free(&d);
	return 0;
}
