// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the trace-reading path (post/tracecheck.c pre-check, the
 * babeltrace2 reader post/reader.c with its per-event checks, the
 * assembler) on a CTF trace of one stream.  Input: a 4-byte little-endian
 * length L, L bytes of metadata, then the stream file; written to a
 * temporary trace directory each run (tests/fuzz/corpus/trace holds real
 * traces of the simulator and of e2e_gen in this form: mkseed.sh).
 *
 * babeltrace2 2.0.4 itself may spin, allocate without bound or crash on
 * damaged input (docs/REPORT.md, "Damaged traces"): qprof-report decodes
 * in a watched child for that.  Here the decoding is in-process, so run
 * with -rss_limit_mb and -timeout, in -fork mode with -ignore_ooms /
 * -ignore_timeouts (`make fuzz` does) and look at crash artifacts' stacks:
 * ours are the findings.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assemble.h"
#include "reader.h"
#include "tracecheck.h"
#include "fuzz.h"

static char dir[128];

static int put(const char *name, const uint8_t *data, size_t size)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	if (size)
		fwrite(data, 1, size, f);
	return fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *paths[1] = { dir };
	struct qp_read_stats st;
	struct qp_assembler *a;
	struct qp_model m;
	char err[2048];
	uint32_t len;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%s/qp-fuzz-trace.%d",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
		mkdir(dir, 0700);
	}
	if (size < 4)
		return 0;
	memcpy(&len, data, 4);
	if (len > size - 4)
		return 0;
	if (put("metadata", data + 4, len) ||
	    put("qp_0", data + 4 + len, size - 4 - len))
		return 0;
	if (qp_trace_precheck(paths, 1, err, sizeof(err)))
		return 0;
	qp_model_init(&m);
	qp_read_stats_init(&st);
	a = qp_assembler_new(&m);
	if (a) {
		if (!qp_read_traces(paths, 1, &m, qp_assembler_sink, a, &st,
				    err, sizeof(err)))
			qp_assembler_finish(a);
		qp_assembler_free(a);
	}
	qp_read_stats_free(&st);
	qp_model_free(&m);
	return 0;
}
