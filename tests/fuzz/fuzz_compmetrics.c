// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the compile perf-metrics parser (post/compmetrics.c), its
 * DDR / VTCM analysis and the report's section and JSON
 * (post/devreport.c).  The input is the compiler's output; every error
 * must name the file.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devreport.h"
#include "fuzz.h"

#define NAME "perf-metrics.txt"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qp_devreport d;
	char err[512];
	FILE *sink;

	memset(&d, 0, sizeof(d));
	if (qp_compile_metrics_parse(NAME, (const char *)data, size, &d.cm, err,
				     sizeof(err))) {
		if (strncmp(err, NAME ":", strlen(NAME ":")))
			abort();
		return 0;
	}
	d.has_cm = true;
	if (qp_cm_analyze(&d.cm, &d.cmv) == 0) {
		sink = fopen("/dev/null", "w");
		if (sink) {
			qp_devreport_summary(sink, &d, false);
			fclose(sink);
		}
		json_decref(qp_devreport_json(&d, NULL));
	}
	qp_devreport_free(&d);
	return 0;
}
