/* SPDX-License-Identifier: MIT */
/*
 * qaic-runner's "Device Performance" table.  The application cannot see
 * per-inference device times; the runtime can, and writes them into its
 * latency files when latency profiling is on.  So after the program
 * instances are released (which makes the runtime write the files) the app
 * reads them back: avg/min/max/population std of devExecUs,
 * devInWaitTimeUs, devOutWaitTimeUs over every profiled sample of every
 * instance of the program.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simapp_int.h"

#define DEV_COLS 3
static const char *const dev_col_names[DEV_COLS] = {
	"devExecUs", "devInWaitTimeUs", "devOutWaitTimeUs",
};
static const char *const dev_row_labels[DEV_COLS] = {
	"ExecTimeUs,", "InputWaitTimeUs,", "OutputWaitTimeUs,",
};

struct acc {
	unsigned long n;
	double sum, sumsq, min, max;
};

static void acc_add(struct acc *a, double v)
{
	if (a->n == 0 || v < a->min)
		a->min = v;
	if (a->n == 0 || v > a->max)
		a->max = v;
	a->n++;
	a->sum += v;
	a->sumsq += v * v;
}

static char *strip(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
			 e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Column index of each device column in the CSV header, or -1. */
static void find_columns(char *header, int col[DEV_COLS])
{
	char *save = NULL, *tok;
	int i, k;

	for (k = 0; k < DEV_COLS; k++)
		col[k] = -1;
	for (i = 0, tok = strtok_r(header, ",", &save); tok;
	     i++, tok = strtok_r(NULL, ",", &save))
		for (k = 0; k < DEV_COLS; k++)
			if (!strcmp(strip(tok), dev_col_names[k]))
				col[k] = i;
}

static void parse_row(const char *path, unsigned int lineno, char *line,
		      const int col[DEV_COLS], struct acc acc[DEV_COLS])
{
	char *save = NULL, *tok, *end;
	int i, k;
	double v;

	for (i = 0, tok = strtok_r(line, ",", &save); tok;
	     i++, tok = strtok_r(NULL, ",", &save)) {
		for (k = 0; k < DEV_COLS; k++) {
			if (col[k] != i)
				continue;
			tok = strip(tok);
			if (!strcmp(tok, "N/A"))
				continue;
			v = strtod(tok, &end);
			if (end == tok || *end)
				fprintf(stderr, "%s:%u: bad %s value '%s'\n",
					path, lineno, dev_col_names[k], tok);
			else
				acc_add(&acc[k], v);
		}
	}
}

static void read_latency_file(const char *path, struct acc acc[DEV_COLS])
{
	char *line = NULL;
	size_t cap = 0;
	unsigned int lineno = 0;
	int col[DEV_COLS];
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", simapp_progname, path,
			strerror(errno));
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		if (lineno <= 4)
			continue;	/* the 4 header lines */
		if (lineno == 5) {
			find_columns(line, col);
			if (col[0] < 0 || col[1] < 0 || col[2] < 0) {
				fprintf(stderr, "%s:5: device columns missing\n",
					path);
				break;
			}
			continue;
		}
		if (*strip(line))
			parse_row(path, lineno, line, col, acc);
	}
	free(line);
	fclose(f);
}

static void print_field(double v, bool last)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.3f", v);
	if (!last)
		strcat(buf, ",");
	printf("%-15s", buf);
}

static bool profiling_on(const struct simapp_options *opts)
{
	const char *type = getenv("QAIC_SIM_PROFILING_TYPE");

	return opts->profiling || (type && strstr(type, "latency"));
}

void simapp_print_device_perf(const struct simapp_prog *prog,
			      const struct simapp_options *opts)
{
	struct acc acc[DEV_COLS] = { { 0 } };
	const char *dir = opts->prof_out_dir;
	char path[4096];
	unsigned int a;
	int k;

	if (!profiling_on(opts) || !prog->inst[0].info.isAicStatsAvailable)
		return;
	if (!dir)
		dir = getenv("QAIC_SIM_PROFILING_OUT_DIR");
	if (!dir || !*dir)
		dir = ".";
	for (a = 0; a < opts->activations; a++) {
		snprintf(path, sizeof(path), "%s/aic-profiling-program-%u-latency.txt",
			 dir, prog->inst[a].info.programID);
		read_latency_file(path, acc);
	}
	if (acc[0].n == 0) {
		fprintf(stderr, "%s: no device stats found for program %s\n",
			simapp_progname, prog->name);
		return;
	}
	printf("Device Performance: \n");
	printf("%-17s%-15s%-15s%-15s%-15s\n", "Metric,", "Avg,", "Min,", "Max,",
	       "Std");
	for (k = 0; k < DEV_COLS; k++) {
		double mean = acc[k].n ? acc[k].sum / acc[k].n : 0;
		double var = acc[k].n ? acc[k].sumsq / acc[k].n - mean * mean : 0;

		printf("%-17s", dev_row_labels[k]);
		print_field(mean, false);
		print_field(acc[k].min, false);
		print_field(acc[k].max, false);
		print_field(var > 0 ? sqrt(var) : 0, true);
		printf("\n");
	}
	printf("\n");
}
