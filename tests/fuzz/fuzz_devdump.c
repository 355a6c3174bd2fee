// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the runtime latency-file parser (post/devdump.c) and its
 * latency_stats summary (post/latstats.c), and the cell number parser.
 * The input is the file's content, in a memory file (the parser reads
 * paths, in chunks, in two threads above 8 MB).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devdump.h"
#include "fuzz.h"

static char path[64];
static int fd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qp_dump d;
	const struct qp_dump *dp[1] = { &d };
	char err[512];
	double v;
	FILE *sink;

	/* a memory file, named through /proc: no file system work per run */
	if (fd < 0) {
		fd = memfd_create("qp-fuzz-devdump", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	qp_dump_parse_number((const char *)data, (const char *)data + size, &v);
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	if (qp_dump_load(path, &d, err, sizeof(err)) == 0) {
		sink = fopen("/dev/null", "w");
		if (sink) {
			qp_dump_summary_print(sink, dp, 1, 0);
			qp_dump_summary_print(sink, dp, 1, 50);
			fclose(sink);
		}
		qp_dump_free(&d);
	} else if (!strstr(err, path)) {
		abort();	/* every error names the file */
	}
	return 0;
}
