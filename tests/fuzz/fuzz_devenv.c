// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the qaic-util -q parser (post/devenv.c) and the report's
 * environment header and JSON (post/devreport.c).  The input is what
 * qaic-util printed; every error must name the file.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devreport.h"
#include "fuzz.h"

#define NAME "qaic-util-q.txt"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qp_devreport d;
	char err[512];
	FILE *sink;

	memset(&d, 0, sizeof(d));
	if (qp_env_parse_qaic_util(NAME, (const char *)data, size, &d.env, err,
				   sizeof(err))) {
		if (strncmp(err, NAME ":", strlen(NAME ":")))
			abort();
		return 0;
	}
	d.has_env = true;
	sink = fopen("/dev/null", "w");
	if (sink) {
		qp_devreport_env_summary(sink, &d);
		fclose(sink);
	}
	json_decref(qp_devreport_json(&d, NULL));
	qp_devreport_free(&d);
	return 0;
}
