// SPDX-License-Identifier: MIT
/*
 * Fuzz target: qprof-report's option parser (parse_args in post/report.c,
 * with the checks of output paths), as it is: report.c is included with
 * its main renamed, and exit() (usage errors, --help) returns here.  The
 * input is the argument list, arguments separated by NUL bytes.
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>

#include "fuzz.h"

static jmp_buf fuzz_exit_jmp;
static void fuzz_exit(int status) __attribute__((noreturn));

int qprof_report_main(int argc, char **argv);

#define main qprof_report_main
#define exit fuzz_exit
#include "report.c"
#undef exit
#undef main

static void fuzz_exit(int status)
{
	(void)status;
	longjmp(fuzz_exit_jmp, 1);
}

#define MAX_ARGS 64

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* --help and --version print to stdout: not the point, and slow;
	 * stderr stays (sanitizer reports; `make fuzz` closes it with
	 * -close_fd_mask, which keeps them) */
	if (!freopen("/dev/null", "w", stdout))
		return 0;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct options o;
	static char *argv[MAX_ARGS + 2];
	static char *buf;
	static int argc;
	size_t i;

	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argc = 0;
	argv[argc++] = "qprof-report";
	for (i = 0; i <= size && argc <= MAX_ARGS; ) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;
	optind = 0;		/* glibc: start getopt afresh */
	memset(&o, 0, sizeof(o));
	if (!setjmp(fuzz_exit_jmp))
		parse_args(argc, argv, &o);
	free(o.traces);
	free(o.dumps);
	free(buf);
	return 0;
}
