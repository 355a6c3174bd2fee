// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the device opstats parser (post/opstats.c), its analysis
 * (post/opsanalyze.c) and the report's opstats section and JSON
 * (post/devreport.c).  The input is the file's content; every error must
 * name the file and line.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devreport.h"
#include "fuzz.h"

#define NAME "aic-profiling-program-0-activation-0-inf-1.txt"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qp_opstats o;
	struct qp_opstats_view v;
	struct qp_devreport d;
	char err[512];
	FILE *sink;

	if (qp_opstats_parse(NAME, (const char *)data, size, &o, err, sizeof(err))) {
		if (strncmp(err, NAME ":", strlen(NAME ":")))
			abort();	/* every error names the file (and line) */
		return 0;
	}
	if (qp_opstats_analyze(&o, QP_DEVREPORT_TOPN, &v) == 0) {
		memset(&d, 0, sizeof(d));
		d.ops.v = &o;
		d.ops.n = 1;
		d.views = &v;
		sink = fopen("/dev/null", "w");
		if (sink) {
			qp_devreport_summary(sink, &d, false);
			fclose(sink);
		}
		json_decref(qp_devreport_json(&d, NULL));
		qp_opstats_view_free(&v);
	}
	qp_opstats_free(&o);
	return 0;
}
