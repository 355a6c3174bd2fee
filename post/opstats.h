/* SPDX-License-Identifier: MIT */
/*
 * Device opstats summaries aic-profiling-program-<P>-activation-<A>-inf-<I>.txt
 * (written by the runtime for inferences sampled with profiling type
 * "stats"): the parser (opstats.c) and what the report derives from them
 * (opsanalyze.c).  Layout and every field: docs/REPORT-FORMATS.md,
 * "Device opstats".
 *
 * Units: ucycles are ticks of the device's 19.2 MHz timer (bracketed values
 * are absolute ticks of that timer), pcycles are NSP core clocks.
 */
#ifndef QPROF_POST_OPSTATS_H
#define QPROF_POST_OPSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QP_DEVICE_TICK_HZ 19.2e6	/* the device timer: ucycles per second */

/* The engines of an NSP core, as the opstats name them. */
enum qp_engine {
	QP_ENG_HVX,		/* "HVX": vector threads (t0-t3) */
	QP_ENG_HMX,		/* "HMX": matrix unit (t4) */
	QP_ENG_DMA,		/* "DMAIssue": DMA issue thread (t5) */
	QP_ENG_OTHER,		/* any other engine name */
	QP_ENG__COUNT
};

/* What an operator row is. */
enum qp_op_kind {
	QP_OPK_OP,		/* a kernel: "aicsoftmax HVX TCM (float16, ...)" */
	QP_OPK_SYNC,		/* "sync <engine>": waiting for another engine */
	QP_OPK_BARRIER,		/* "barrier <engine>" */
};

/* A number column that may hold "N/A". */
struct qp_opt_num {
	bool na;
	double v;		/* NaN when na */
};

/* One operator row of a core table (columns in file order). */
struct qp_opstat_row {
	unsigned long line;
	uint32_t core;			/* "c0" */
	uint64_t ucycles;
	double ucycles_pct;		/* "95.50%": of the core's total ucycles */
	struct qp_opt_num pcycles;	/* integer, or N/A */
	struct qp_opt_num pcycles_pct;	/* of the core's thread-max pcycles */
	uint64_t count;
	struct qp_opt_num out_kb;
	struct qp_opt_num ucycles_per_kb;
	struct qp_opt_num pcycles_per_kb;
	struct qp_opt_num stddev_pc_per_kb;
	char *details;			/* opdetails as printed (trailing blanks cut) */
	/* opdetails split: "<name> <engine> [<mem>] [(<dtypes>)]" */
	char *name;			/* "aicconvolutiond32", "sync", "barrier" */
	char *engine_name;		/* "HMX", "DMAIssue" */
	char *mem;			/* "TCM", "DDR", or NULL */
	char *dtypes;			/* "float16, i8, index32" (no parentheses), or NULL */
	enum qp_engine engine;
	enum qp_op_kind kind;
};

/* "cN    tK ENGINE  U ucycles [S, E]  P pcycles  X% utilization" */
struct qp_opstat_thread {
	uint32_t tid;
	char *engine_name;
	enum qp_engine engine;
	uint64_t ucycles, start, end, pcycles;
	double util_pct;
};

/* "cNNtK batch ucycles:  U [S,E]    pcycles:  P" */
struct qp_opstat_batch {
	uint32_t tid;
	uint64_t ucycles, start, end, pcycles;
};

/* "cNNtKpPORT Host_IO_Port ucycles:  U" (port 100: input, 101: output) */
struct qp_opstat_port {
	uint32_t tid, port;
	uint64_t ucycles;
};

/* "cNNtK activate ucycles:  U" */
struct qp_opstat_activate {
	uint32_t tid;
	uint64_t ucycles;
};

struct qp_opstat_core {
	uint32_t core;
	unsigned long line;			/* of its column header */
	struct qp_opstat_row *rows;
	size_t nrows;
	bool has_total;
	uint64_t total_ucycles;			/* "cN total:  U ucycles" */
	uint64_t total_pcycles;			/* "... P pcycles (thread max)" */
	struct qp_opstat_thread *threads;
	size_t nthreads;
	struct qp_opstat_batch *batch;
	size_t nbatch;
	bool has_inference_pcycles, has_eff_mhz;
	uint64_t inference_pcycles;		/* "cN: Total inference pcycle is P" */
	double eff_mhz;				/* "cN: Effective frequency is F MHz" */
	struct qp_opstat_port *ports;
	size_t nports;
	struct qp_opstat_activate *activate;
	size_t nactivate;
};

/* One file. */
struct qp_opstats {
	char *path;
	/* from the file name aic-profiling-program-P-activation-A-inf-I.txt */
	bool has_ids;
	uint32_t program, activation;
	uint64_t inference;
	struct qp_opstat_core *cores;
	size_t ncores;
	/* global trailer (each false/0 when the file has not got the line) */
	bool has_batch, has_batch_rate, has_inf_rate, has_max_in, has_max_out;
	uint64_t batch_ucycles, batch_start, batch_end;	/* "total batch ucycles:" */
	char *graph;					/* "[QAicGraph]" name */
	double batch_sec, batch_per_s;		/* "batch/s: (1/SEC): R" */
	uint32_t batch_size;
	double inf_sec, inf_per_s;		/* "inf/s: (B/SEC): R" */
	uint64_t max_in_wait, max_out_wait;	/* ucycles */
};

/*
 * Parse @path.  Returns 0, or -1 with @err set to "PATH:LINE: message" (an
 * unrecognised line, a malformed field, a row of another core, a trailer
 * line before any core, ...).  On error @o holds nothing to free.
 */
int qp_opstats_load(const char *path, struct qp_opstats *o, char *err,
		    size_t errlen);
/* The same on text already in memory, named @path in messages. */
int qp_opstats_parse(const char *path, const char *text, size_t len,
		     struct qp_opstats *o, char *err, size_t errlen);
void qp_opstats_free(struct qp_opstats *o);

/* "HVX" -> QP_ENG_HVX, "DMAIssue" -> QP_ENG_DMA, ...; QP_ENG_OTHER else. */
enum qp_engine qp_engine_of(const char *name);
/* "HVX", "HMX", "DMA", "other" */
const char *qp_engine_label(enum qp_engine e);

/*
 * A set: one file, or every opstats file of a directory (names matching
 * aic-profiling-program-*-activation-*-inf-*.txt), sorted by program,
 * activation and inference.
 */
struct qp_opstats_set {
	struct qp_opstats *v;
	size_t n;
};

int qp_opstats_set_add(struct qp_opstats_set *s, const char *path, char *err,
		       size_t errlen);
void qp_opstats_set_free(struct qp_opstats_set *s);

/* ---- analysis (opsanalyze.c) ------------------------------------------ */

/* Where one core's ucycles go, per engine, in % of the core's total. */
struct qp_core_usage {
	uint32_t core;
	uint64_t total_ucycles;
	double busy_pct[QP_ENG__COUNT];		/* operator rows */
	double sync_pct[QP_ENG__COUNT];		/* "sync <engine>" rows */
	double barrier_pct[QP_ENG__COUNT];	/* "barrier <engine>" rows */
	double util_pct[QP_ENG__COUNT];		/* mean of the thread lines'
						 * utilization (NaN: no line) */
	double ddr_pct;				/* operator rows with mem DDR */
	uint64_t in_wait_ucycles;		/* max Host_IO_Port p100 */
	uint64_t out_wait_ucycles;		/* max Host_IO_Port p101 */
	double eff_mhz;				/* NaN: not given */
	char verdict[160];			/* "HMX-bound: ..." (rule in opsanalyze.c) */
};

/* An operator, summed over the rows of one core with the same opdetails. */
struct qp_top_op {
	uint32_t core;
	const struct qp_opstat_row *row;	/* first row (name, engine, mem) */
	uint64_t ucycles, count;
	double pct;				/* of the core's total ucycles */
};

struct qp_ops_finding {
	int32_t core;				/* -1: the whole inference */
	char text[256];				/* the finding with its numbers */
};

struct qp_opstats_view {
	const struct qp_opstats *src;
	struct qp_core_usage *cores;
	size_t ncores;
	struct qp_top_op *top;			/* per core, by ucycles, at most topn each */
	size_t ntop;
	struct qp_ops_finding *findings;
	size_t nfindings;
	double batch_ms;			/* total batch ucycles / 19.2e6, ms; NaN: no line */
};

/*
 * Derive per-core usage, the top @topn operators of each core and the
 * findings from @o.  0, or -1 (out of memory).
 */
int qp_opstats_analyze(const struct qp_opstats *o, size_t topn,
		       struct qp_opstats_view *v);
void qp_opstats_view_free(struct qp_opstats_view *v);

#endif /* QPROF_POST_OPSTATS_H */
