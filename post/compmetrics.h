/* SPDX-License-Identifier: MIT */
/*
 * What the compiler prints with -aic-perf-metrics (qaic-exec /
 * qaic-compile): the parser and the derived DDR / VTCM view
 * (compmetrics.c).  Both layouts seen in real output are read (the older
 * one with sizes in bytes, the newer one with KB/MB and thousands
 * separators).  Every field: docs/REPORT-FORMATS.md, "Compile perf-metrics".
 *
 * Traffic figures are the compiler's estimates per inference, in KB as
 * printed; "first-inf" is the first inference (constants loaded first).
 */
#ifndef QPROF_POST_COMPMETRICS_H
#define QPROF_POST_COMPMETRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A size as printed: "342228040 B", "12852 MB", "215076864 (bytes)". */
struct qp_cm_size {
	bool has;
	uint64_t value;
	char unit[8];			/* "B", "KB", "MB", "GB", "bytes" */
	uint64_t bytes;			/* value x 1, 1024, 1024^2, 1024^3 */
	unsigned long line;
};

/* "Original Graph operation size histogram:" rows. */
struct qp_cm_hist {
	uint64_t elts, count;		/* output elements, op count (cumulative) */
	uint32_t pct;			/* cumulative % */
};

/* " port01: host input" */
struct qp_cm_port {
	char *name;			/* "port01" */
	char *desc;			/* "host input" */
};

/* One traffic endpoint: "host", "port02", "c00", "total". */
struct qp_cm_traffic {
	char *name;
	int32_t core;			/* NN of "cNN", else -1 */
	bool has_ddr_read, has_ddr_read_first;
	uint64_t ddr_read_kb, ddr_read_first_kb;
	bool has_const_read, has_const_read_first;	/* "constant only:" under DDR read */
	uint64_t const_read_kb, const_read_first_kb;
	bool has_ddr_write;
	uint64_t ddr_write_kb;
	bool has_mc_read, has_mc_write, has_mc_const;
	uint64_t mc_read_kb, mc_write_kb;
	uint64_t mc_const_kb;		/* "<name>:     constant only:" under MC write */
	bool has_barriers;
	uint64_t barriers;		/* "  cNN barriers:  N" */
};

struct qp_compile_metrics {
	char *path;
	char *model;			/* "Reading ONNX Model from <path>" */
	char *precision;		/* "Compiling model with <P> precision." */
	char **warnings;		/* "AIC WARNING: <text>" */
	size_t nwarnings;
	bool has_mac, has_hmx_mac, has_nonhmx_mac;
	uint64_t mac, hmx_mac, nonhmx_mac;	/* Original / AIC HMX / non-HMX MAC estimate */
	struct qp_cm_hist *hist;
	size_t nhist;
	struct qp_cm_size pre_d32_constants, d32_constants, final_constants,
			  final_combined_constants, static_shared_ddr,
			  dynamic_shared_ddr, static_constants, dynamic_constants,
			  mc_static_va_max, constants, qpc_constants_section,
			  elf_sections;
	char *vtcm_alg;			/* "Using VTCM alg: <text>" */
	bool has_mc_table;
	uint64_t mc_table_size;		/* "MulticastTableSize: N" */
	struct qp_cm_size *vtcm;	/* VTCM<n>Size, index n */
	size_t nvtcm;
	struct qp_cm_size vtcm_max;	/* VTCMMaxSize */
	char *graph;			/* the line before "Compiler estimated memory traffic:" */
	struct qp_cm_port *ports;
	size_t nports;
	struct qp_cm_traffic *traffic;	/* in order of first appearance */
	size_t ntraffic;
	bool has_kernels, has_shared_kernels;
	uint64_t kernels, shared_kernels;	/* "Number of [shared ]specialized kernels:" */
	char *binary_dir;		/* "Generated binary is present at <dir>" */
	size_t nother;			/* other compiler messages (not metrics) */
};

/*
 * Parse @path.  Lines that are none of the metrics (compiler messages) are
 * counted in nother; a metrics line that does not read as its kind is an
 * error "PATH:LINE: message".  A file holding no metrics at all is an
 * error too.  0, or -1 with @err (nothing left to free in @m).
 */
int qp_compile_metrics_load(const char *path, struct qp_compile_metrics *m,
			    char *err, size_t errlen);
int qp_compile_metrics_parse(const char *path, const char *text, size_t len,
			     struct qp_compile_metrics *m, char *err,
			     size_t errlen);
void qp_compile_metrics_free(struct qp_compile_metrics *m);

/* The traffic endpoint named @name, or NULL. */
const struct qp_cm_traffic *qp_cm_endpoint(const struct qp_compile_metrics *m,
					   const char *name);

/* ---- DDR versus VTCM, per core ----------------------------------------- */

struct qp_cm_core {
	int32_t core;
	const struct qp_cm_traffic *t;
	const struct qp_cm_size *vtcm;	/* VTCM<core>Size, or NULL */
	bool has_spill;
	int64_t spill_kb;		/* DDR read - constant only: intermediate
					 * results read back from DDR */
	int64_t spill_first_kb;		/* the same for the first inference */
	double spill_pct;		/* of the core's DDR reads */
};

struct qp_cm_view {
	const struct qp_compile_metrics *src;
	struct qp_cm_core *cores;	/* cores with traffic lines, in order */
	size_t ncores;
	const struct qp_cm_traffic *total;	/* the "total" endpoint, or NULL */
	int64_t spill_kb;		/* total DDR read - constant only */
	size_t nspilling;		/* cores with spill_kb > 0 */
	char (*findings)[256];
	size_t nfindings;
};

int qp_cm_analyze(const struct qp_compile_metrics *m, struct qp_cm_view *v);
void qp_cm_view_free(struct qp_cm_view *v);

#endif /* QPROF_POST_COMPMETRICS_H */
