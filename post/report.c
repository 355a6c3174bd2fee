// SPDX-License-Identifier: MIT
/*
 * qprof-report: from recorded LTTng traces (and optionally the runtime's
 * own latency dumps) to the per-inference host-to-device breakdown.
 *
 *   trace dirs --reader--> events --assembler--> model --merge dumps-->
 *   selection (filters, windowing) --> summary / CSV / JSON / Chrome / --by
 *
 * Exit codes: 0 ok, 1 bad input or nothing to report, 2 usage.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "assemble.h"
#include "bytable.h"
#include "compare.h"
#include "devdump.h"
#include "devreport.h"
#include "escape.h"
#include "genview.h"
#include "guard.h"
#include "interrupt.h"
#include "html.h"
#include "model.h"
#include "outfile.h"
#include "pipeline.h"
#include "reader.h"
#include "select.h"
#include "split.h"
#include "status.h"
#include "stats.h"
#include "symbolize.h"
#include "tracecheck.h"
#include "writers.h"

#define EXIT_BAD_INPUT	1
#define EXIT_USAGE	2
#define MAX_BY		4

struct options {
	const char **traces;
	size_t ntraces;
	const char **dumps;
	size_t ndumps;
	const char *csv_dir, *json, *chrome, *html, *program;
	int by[MAX_BY];
	size_t nby;
	uint64_t start_iter, num_samples;	/* num_samples 0 = all */
	double keep_middle;			/* <= 0: keep all */
	int32_t pid;				/* 0 = any */
	long threads;				/* 1: no worker thread */
	bool summary_only, quiet, progress, latency_stats, symbolize;
	bool per_inference, pool_programs;
	bool compare;				/* --compare BASE NEW */
	bool generation;			/* --generation (genview.h) */
	const char *gen_csv, *gen_json;
	struct qp_chrome_opts chrome_opts;	/* --chrome-window, --chrome-max-events */
	struct qp_devreport_opts dev;		/* --opstats, --compile-metrics, --device-trace */
};

static const char usage_text[] =
"Usage: qprof-report [OPTIONS] TRACE_DIR...\n"
"       qprof-report --latency-stats [--keep-middle PCT] LATENCY_FILE|DIR...\n"
"       qprof-report --compare [OPTIONS] BASE NEW\n"
"       qprof-report [--opstats FILE|DIR] [--compile-metrics FILE] [--json FILE]\n"
"\n"
"Summarise LTTng traces recorded with libqprof.so: per-inference latency\n"
"breakdown (enqueue, pre-processing, execution, post-processing, kernel\n"
"and device times) per program and overall, as Qualcomm's latency_stats\n"
"prints it for qaic-runner, for any application using the QAic C API.\n"
"TRACE_DIR is searched for CTF traces (directories holding `metadata`): a\n"
"session directory, per-UID or per-PID buffers, several hosts.\n"
"\n"
"Inputs:\n"
"  --device-latency FILE|DIR  merge the runtime's latency dump(s)\n"
"                      aic-profiling-program-<P>-latency.txt: adds devExec,\n"
"                      devInWaitTime, devOutWaitTime, devInfPerSec (repeatable)\n"
"  --latency-stats     no trace: summarise latency dumps like\n"
"                      latency_stats_python3.py\n"
"  --opstats FILE|DIR  device opstats summaries aic-profiling-program-<P>-\n"
"                      activation-<A>-inf-<I>.txt: per-core HMX/HVX/DMA/sync\n"
"                      use, top operators, findings (repeatable; no trace\n"
"                      needed)\n"
"  --compile-metrics FILE  the compiler's -aic-perf-metrics output: DDR\n"
"                      versus VTCM traffic per core, spills (no trace needed)\n"
"  --device-trace FILE the runtime's aic-profiling-program-<P>-trace.json:\n"
"                      device operators aligned to their inference's device\n"
"                      span, merged into --chrome-trace\n"
"  --compare BASE NEW  compare two runs (trace directories, or JSON reports\n"
"                      written with --per-inference): per program and\n"
"                      metric, the change of p50, p90, p99 and the mean\n"
"                      with a 95 % bootstrap interval; '*' marks changes\n"
"                      outside the noise (docs/REPORT.md); text on stdout,\n"
"                      --json FILE, --html FILE; the selection options\n"
"                      apply to both\n"
"Selection (applied per program, before statistics):\n"
"  --program NAME      only programs named NAME\n"
"  --pid PID           only process PID\n"
"  --start-iter N      skip the first N inferences of each program\n"
"  --num-samples N     then keep at most N inferences\n"
"  --keep-middle PCT   keep the middle PCT % of the completed inferences\n"
"                      (like latency_stats -k)\n"
"Outputs:\n"
"  (default)           summary on stdout\n"
"  --csv-dir DIR       aic-profiling-program-<P>-latency.txt per program,\n"
"                      in the runtime's format (qprof's definitions)\n"
"  --json FILE         JSON report (schema qprof-report/2); - for stdout\n"
"  --per-inference     JSON: one record per inference as well\n"
"  --html FILE         one self-contained HTML page: charts per program\n"
"                      (histograms, CDFs, latency over time, waiting and\n"
"                      working), slowest inferences, findings, --by tables,\n"
"                      accounting; with --compare, the comparison\n"
"  --chrome-trace FILE Trace Event Format for Perfetto / chrome://tracing\n"
"  --chrome-window START:END  the timeline of the inferences enqueued from\n"
"                      START to END seconds after the first one (2:3, 2:)\n"
"  --chrome-max-events N  at most about N timeline events (default 500000,\n"
"                      about 60 MB; 0: no cap): later inferences left out\n"
"  --pool-programs     the all-programs section pools the inferences of\n"
"                      different programs (default: each program's own)\n"
"  --generation        Python LLM programs: steps by shape (prefill, decode),\n"
"                      requests, time to first token, inter-token latency\n"
"  --generation-csv FILE, --generation-json FILE  the same per step / request\n"
"  --by KEY            breakdown table by program, thread, queue or\n"
"                      callsite (repeatable)\n"
"  --symbolize         resolve call sites to function (module) file:line\n"
"  --summary-only      the summary, no per-stream loss details or tables\n"
"  -q, --quiet         no summary on stdout (files only)\n"
"  --progress          progress on stderr (default when stderr is a tty)\n"
"  --threads N         1: one thread; 2 or more (the default when more than\n"
"                      one CPU is online): the trace is decoded in one\n"
"                      thread while another assembles inferences, and the\n"
"                      files are written while the summary is computed.\n"
"                      Same output either way.  Default from the environment\n"
"                      variable QPROF_REPORT_THREADS when set\n"
"  -h, --help          this help\n"
"  --version           the version\n"
"\n"
"A damaged trace ends in an error naming the file: decoding runs in a\n"
"watched child process, stopped above QPROF_REPORT_MEMORY_MB of memory\n"
"(default 256 + 4 x the trace's MiB) or after QPROF_REPORT_STALL_S\n"
"seconds without progress (default 20); 0 turns a limit off.\n"
"\n"
"Exit status: 0 success, 1 bad input or nothing to report, 2 usage error.\n"
"Output files are written atomically: on error an existing file is kept.\n";

static void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("qprof-report: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'qprof-report --help'.\n", stderr);
	exit(EXIT_USAGE);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * An error on one line of stderr.  Messages quote names from the trace and
 * latency files (programs, hosts, paths): escaped (escape.h), no name can
 * forge a line of its own.
 */
static void fail(const char *fmt, ...)
{
	va_list ap;
	char msg[4096];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fputs("qprof-report: ", stderr);
	qp_text_fputs(msg, stderr);
	fputc('\n', stderr);
}

/* A failure and its causes on one line of stderr (status.h). */
static void fail_status(const struct qp_status *st)
{
	char msg[QP_STATUS_TEXT + 16 * QP_STATUS_LINKS];

	qp_status_format(st, msg, sizeof(msg));
	fail("%s", msg);
}

static uint64_t parse_u64(const char *opt, const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-')
		die_usage("%s: '%s' is not a non-negative integer", opt, s);
	return v;
}

static int by_key_of(const char *s)
{
	int k = qp_by_parse(s);

	if (k >= 0)
		return k;
	die_usage("--by: '%s' is not one of program, thread, queue, callsite", s);
}

static const char **push(const char **v, size_t *n, const char *s)
{
	const char **nv = realloc(v, (*n + 1) * sizeof(*v));

	if (!nv) {
		fail("out of memory");
		exit(EXIT_BAD_INPUT);
	}
	nv[(*n)++] = s;
	return nv;
}

enum {
	OPT_DEVLAT = 256, OPT_CSV, OPT_JSON, OPT_CHROME, OPT_BY, OPT_START,
	OPT_NUM, OPT_KEEP, OPT_PROGRAM, OPT_PID, OPT_SUMMARY_ONLY,
	OPT_PROGRESS, OPT_LATSTATS, OPT_VERSION, OPT_SYMBOLIZE, OPT_PERINF,
	OPT_THREADS, OPT_POOL,
	OPT_CHROME_WINDOW, OPT_CHROME_MAX, OPT_COMPARE, OPT_HTML, OPT_OPSTATS,
	OPT_COMPMETRICS, OPT_DEVTRACE, OPT_GEN, OPT_GEN_CSV, OPT_GEN_JSON,
};

static const struct option long_opts[] = {
	{ "device-latency", required_argument, NULL, OPT_DEVLAT },
	{ "csv-dir", required_argument, NULL, OPT_CSV },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "chrome-trace", required_argument, NULL, OPT_CHROME },
	{ "by", required_argument, NULL, OPT_BY },
	{ "start-iter", required_argument, NULL, OPT_START },
	{ "num-samples", required_argument, NULL, OPT_NUM },
	{ "keep-middle", required_argument, NULL, OPT_KEEP },
	{ "program", required_argument, NULL, OPT_PROGRAM },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "summary-only", no_argument, NULL, OPT_SUMMARY_ONLY },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "latency-stats", no_argument, NULL, OPT_LATSTATS },
	{ "symbolize", no_argument, NULL, OPT_SYMBOLIZE },
	{ "per-inference", no_argument, NULL, OPT_PERINF },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "opstats", required_argument, NULL, OPT_OPSTATS },
	{ "compile-metrics", required_argument, NULL, OPT_COMPMETRICS },
	{ "device-trace", required_argument, NULL, OPT_DEVTRACE },
	{ "pool-programs", no_argument, NULL, OPT_POOL },
	{ "generation", no_argument, NULL, OPT_GEN },
	{ "generation-csv", required_argument, NULL, OPT_GEN_CSV },
	{ "generation-json", required_argument, NULL, OPT_GEN_JSON },
	{ "chrome-window", required_argument, NULL, OPT_CHROME_WINDOW },
	{ "compare", no_argument, NULL, OPT_COMPARE },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "chrome-max-events", required_argument, NULL, OPT_CHROME_MAX },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* --threads / QPROF_REPORT_THREADS: a count >= 1 (more than 2 acts as 2). */
static long parse_threads(const char *what, const char *s)
{
	uint64_t v = parse_u64(what, s);

	if (!v)
		die_usage("%s: at least 1 thread", what);
	return v > 1024 ? 1024 : (long)v;
}

static bool is_stdout(const char *path)
{
	return path && !strcmp(path, "-");
}

/* Does dir hold a CTF trace's metadata (a file there is read as a stream)? */
static bool trace_dir(const char *file)
{
	char dir[4096], *slash;

	snprintf(dir, sizeof(dir), "%s", file);
	slash = strrchr(dir, '/');
	if (slash)
		snprintf(slash, sizeof(dir) - (size_t)(slash - dir), "/metadata");
	else
		snprintf(dir, sizeof(dir), "metadata");
	return !access(dir, F_OK);
}

/*
 * Outputs that would overwrite each other or damage the input are usage
 * errors: two outputs on one file, a --csv-dir inside a trace argument
 * (the next report of that trace would find files that are not part of
 * the recording), a file in a CTF trace directory (read as a stream file).
 */
static void check_output_paths(const struct options *o)
{
	const char *file[3] = { o->json, o->chrome, o->html };
	static const char *const opt[3] = { "--json", "--chrome-trace", "--html" };
	size_t i;
	int k, j;

	for (k = 0; k < 3; k++)
		for (j = k + 1; j < 3; j++)
			if (file[k] && file[j] && qp_same_output(file[k], file[j]))
				die_usage("%s and %s name the same file '%s'",
					  opt[k], opt[j], file[k]);
	for (k = 0; k < 3; k++) {
		if (!file[k] || is_stdout(file[k]))
			continue;
		if (o->csv_dir && qp_same_output(file[k], o->csv_dir))
			die_usage("%s and --csv-dir name the same path '%s'",
				  opt[k], file[k]);
		if (trace_dir(file[k]))
			die_usage("%s '%s': that directory holds a CTF trace (the file would be read as a stream file)",
				  opt[k], file[k]);
	}
	for (i = 0; o->csv_dir && i < o->ntraces; i++)
		if (qp_path_within(o->csv_dir, o->traces[i]))
			die_usage("--csv-dir '%s' is inside the trace '%s': write the files elsewhere",
				  o->csv_dir, o->traces[i]);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	const char *env = getenv("QPROF_REPORT_THREADS");
	char *end;
	int c;

	bool progress_asked = false;

	memset(o, 0, sizeof(*o));
	o->chrome_opts.max_events = QP_CHROME_MAX_EVENTS;
	o->threads = env && *env ? parse_threads("QPROF_REPORT_THREADS", env) :
		     qp_online_cpus() > 1 ? 2 : 1;
	while ((c = getopt_long(argc, argv, "qh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_DEVLAT:
			o->dumps = push(o->dumps, &o->ndumps, optarg);
			break;
		case OPT_CSV: o->csv_dir = optarg; break;
		case OPT_JSON: o->json = optarg; break;
		case OPT_CHROME: o->chrome = optarg; break;
		case OPT_BY:
			if (o->nby == MAX_BY)
				die_usage("--by: at most %d tables", MAX_BY);
			o->by[o->nby++] = by_key_of(optarg);
			break;
		case OPT_START: o->start_iter = parse_u64("--start-iter", optarg); break;
		case OPT_NUM:
			o->num_samples = parse_u64("--num-samples", optarg);
			if (!o->num_samples)
				die_usage("--num-samples must be at least 1");
			break;
		case OPT_KEEP:
			o->keep_middle = strtod(optarg, &end);
			if (end == optarg || *end || !(o->keep_middle > 0) ||
			    o->keep_middle > 100)
				die_usage("--keep-middle: '%s' is not a percentage in (0, 100]",
					  optarg);
			break;
		case OPT_PROGRAM: o->program = optarg; break;
		case OPT_PID:
			o->pid = (int32_t)parse_u64("--pid", optarg);
			if (!o->pid)
				die_usage("--pid: 0 is not a process id");
			break;
		case OPT_SUMMARY_ONLY: o->summary_only = true; break;
		case OPT_PROGRESS: progress_asked = true; break;
		case OPT_LATSTATS: o->latency_stats = true; break;
		case OPT_SYMBOLIZE: o->symbolize = true; break;
		case OPT_PERINF: o->per_inference = true; break;
		case OPT_POOL: o->pool_programs = true; break;
		case OPT_GEN: o->generation = true; break;
		case OPT_GEN_CSV: o->gen_csv = optarg; break;
		case OPT_GEN_JSON: o->gen_json = optarg; break;
		case OPT_THREADS: o->threads = parse_threads("--threads", optarg); break;
		case OPT_OPSTATS:
			o->dev.opstats = push(o->dev.opstats, &o->dev.nopstats, optarg);
			break;
		case OPT_COMPMETRICS: o->dev.compile_metrics = optarg; break;
		case OPT_DEVTRACE: o->dev.device_trace = optarg; break;
		case OPT_COMPARE: o->compare = true; break;
		case OPT_HTML: o->html = optarg; break;
		case OPT_CHROME_WINDOW:
			if (qp_chrome_parse_window(optarg, &o->chrome_opts))
				die_usage("--chrome-window: '%s' is not START:END in seconds (END > START)",
					  optarg);
			break;
		case OPT_CHROME_MAX:
			o->chrome_opts.max_events = parse_u64("--chrome-max-events", optarg);
			break;
		case 'q': o->quiet = true; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		case OPT_VERSION:
			printf("qprof-report %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			fputs("Try 'qprof-report --help'.\n", stderr);
			exit(EXIT_USAGE);
		}
	}
	o->progress = progress_asked || (!o->quiet && isatty(STDERR_FILENO));
	for (c = optind; c < argc; c++)
		o->traces = push(o->traces, &o->ntraces, argv[c]);
	o->dev.trace_dirs = o->traces;
	o->dev.ntrace_dirs = o->ntraces;
	o->dev.pid = o->pid;
	if (!o->ntraces && !o->latency_stats &&
	    (o->dev.nopstats || o->dev.compile_metrics || o->dev.device_trace)) {
		if (o->ndumps || o->csv_dir || o->chrome || o->nby || o->program ||
		    o->html || o->compare)
			die_usage("without a trace, only --json, --summary-only and -q go with the device inputs");
		if (o->json && trace_dir(o->json))
			die_usage("--json '%s': that directory holds a CTF trace", o->json);
		return;
	}
	if (!o->ntraces)
		die_usage(o->latency_stats ? "no latency file given" :
			  "no trace directory given");
	if (o->latency_stats && (o->ndumps || o->csv_dir || o->json || o->chrome || o->html ||
				 o->nby || o->program || o->pid || o->dev.nopstats ||
				 o->dev.compile_metrics || o->dev.device_trace))
		die_usage("--latency-stats takes only --keep-middle and latency files");
	if (o->compare && (o->ntraces != 2 || o->latency_stats || o->ndumps ||
			   o->csv_dir || o->chrome || o->nby || o->per_inference ||
			   o->dev.nopstats || o->dev.compile_metrics || o->dev.device_trace))
		die_usage(o->ntraces != 2 ? "--compare takes two runs, BASE and NEW" :
			  "--compare writes text, --json or --html only (no --device-latency, --csv-dir, --chrome-trace, --by, --per-inference)");
	if (!o->latency_stats)
		check_output_paths(o);
	if (o->html) {
		char err[1024];

		if (qp_html_check_d3(err, sizeof(err))) {
			fail("%s", err);
			exit(EXIT_BAD_INPUT);
		}
	}
}

/* ---- --latency-stats: runtime dumps only ------------------------------ */

static int latency_stats(const struct options *o)
{
	struct qp_dump_set set = { 0 };
	const struct qp_dump **v;
	char err[1024] = "";
	size_t i;
	int rc = EXIT_BAD_INPUT;

	for (i = 0; i < o->ntraces; i++) {
		if (qp_dump_set_add(&set, o->traces[i], err, sizeof(err))) {
			fail("%s", err);
			goto out;
		}
	}
	v = calloc(set.n ? set.n : 1, sizeof(*v));
	if (!v)
		goto out;
	for (i = 0; i < set.n; i++)
		v[i] = &set.d[i];
	if (qp_dump_summary_print(stdout, v, set.n, o->keep_middle))
		fail("nothing to summarise in the latency file(s)");
	else
		rc = fflush(stdout) ? EXIT_BAD_INPUT : 0;
	free(v);
out:
	qp_dump_set_free(&set);
	return rc;
}

/* ---- progress --------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double t_start;
static double assembler_cpu_s = -1;	/* of the pipeline's thread, if any */
static bool read_split;			/* two decoding graphs */
static struct qp_genview *genview;	/* --generation*: genview.h */

/*
 * CPU seconds (all threads) and wall seconds per stage, printed with
 * --progress (where the time goes: docs/PERFORMANCE.md, "Report").
 */
static struct {
	double last, last_wall;
	char buf[256], wall[256];
	size_t len, wlen;
} stages;

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void stage_done(const struct options *o, const char *name)
{
	double t = cpu_s();
	int n;

	if (!o->progress)
		return;
	if (name && stages.len < sizeof(stages.buf)) {
		n = snprintf(stages.buf + stages.len, sizeof(stages.buf) - stages.len,
			     "%s %s %.2f", stages.len ? "," : "", name,
			     t - stages.last);
		if (n > 0)
			stages.len += (size_t)n;
	}
	if (name && stages.wlen < sizeof(stages.wall)) {
		/* the short name: "read+assemble (assembler ...)" -> "read+assemble" */
		n = snprintf(stages.wall + stages.wlen, sizeof(stages.wall) - stages.wlen,
			     "%s %.*s %.2f", stages.wlen ? "," : "",
			     (int)strcspn(name, " "), name, now_s() - stages.last_wall);
		if (n > 0)
			stages.wlen += (size_t)n;
	}
	stages.last = t;
	stages.last_wall = now_s();
}

static void show_progress(const struct qp_read_stats *st, void *data)
{
	double dt = now_s() - t_start;

	(void)data;
	fprintf(stderr, "\rqprof-report: %.1f M events read, %.2f M events/s   ",
		st->messages / 1e6, dt > 0 ? st->messages / 1e6 / dt : 0);
}

static long peak_rss_kib(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? 0 : ru.ru_maxrss;
}

/* ---- selection (select.h) ------------------------------------------- */

static struct qp_selection selection_of(const struct options *o)
{
	struct qp_selection s = {
		.program = o->program, .pid = o->pid, .start_iter = o->start_iter,
		.num_samples = o->num_samples, .keep_middle = o->keep_middle,
	};

	return s;
}

/* ---- the report -------------------------------------------------------- */

static void print_losses(FILE *f, const struct qp_read_stats *st)
{
	size_t i;

	if (!st->nlosses)
		return;
	fprintf(f, "\nLost data (LTTng discarded it: buffers full; try larger sub-buffers or blocking mode):\n");
	for (i = 0; i < st->nlosses; i++) {
		const struct qp_stream_loss *l = &st->losses[i];

		fputs("  ", f);
		qp_text_fputs(l->trace, f);
		fputs(" stream ", f);
		qp_text_fputs(l->stream, f);
		if (l->pid > 0)
			fprintf(f, " (pid %d)", l->pid);
		fprintf(f, ": %" PRIu64 " events, %" PRIu64 " packets\n",
			l->events, l->packets);
	}
}

static int check_program_name(const struct qp_model *m, const struct options *o)
{
	size_t i;

	if (!o->program || qp_model_has_program(m, o->program))
		return 0;
	fputs("qprof-report: no program named '", stderr);
	qp_text_fputs(o->program, stderr);
	fputs("' in the trace; programs:", stderr);
	for (i = 0; i < m->nprograms; i++) {
		fprintf(stderr, "%s '", i ? "," : "");
		qp_text_fputs(m->programs[i].name, stderr);
		fputc('\'', stderr);
	}
	fputs(m->nprograms ? "\n" : " none\n", stderr);
	return -1;
}

static int merge_dumps(struct qp_model *m, const struct options *o,
		       struct qp_merge_result *r)
{
	struct qp_dump_set set = { 0 };
	struct qp_merge_opts mo = { .pid = o->pid };
	struct qp_status st = QP_STATUS_INIT;
	char err[1024] = "";
	size_t i;
	int rc = -1;

	for (i = 0; i < o->ndumps; i++) {
		if (qp_dump_set_add(&set, o->dumps[i], err, sizeof(err))) {
			qp_fail(&st, QP_E_INPUT, 0, "%s", err);
			goto out;
		}
	}
	if (qp_dump_merge(m, &set, &mo, r, err, sizeof(err))) {
		qp_fail(&st, QP_E_INPUT, 0, "%s", err);
		qp_status_wrap(&st, "cannot merge the device latency dump(s)");
		goto out;
	}
	rc = 0;
out:
	if (rc)
		fail_status(&st);
	qp_dump_set_free(&set);
	return rc;
}

/*
 * Reader -> assembler on o->threads threads (split.h).  The reader writes
 * m->hosts and st only, the assembler the rest of m.
 */
static int read_events(const struct options *o, struct qp_model *m,
		       struct qp_assembler *a, struct qp_read_stats *st,
		       struct qp_status *status)
{
	enum qp_read_how how;
	int rc;

	struct qp_genview_tee tee = { genview, qp_assembler_sink, a };

	rc = qp_read_traces_threads(o->traces, o->ntraces, m,
				    genview ? qp_genview_tee_sink : qp_assembler_sink,
				    genview ? (void *)&tee : (void *)a, o->threads,
				    st, &how, &assembler_cpu_s, status);
	if (genview)
		qp_genview_finish(genview);
	read_split = how == QP_READ_TWO_GRAPHS;
	return rc;
}

static int read_model(const struct options *o, struct qp_model *m,
		      struct qp_read_stats *st)
{
	struct qp_assembler *a = qp_assembler_new(m);
	struct qp_status status = QP_STATUS_INIT;
	char err[2048] = "", msg[QP_STATUS_TEXT + 16 * QP_STATUS_LINKS];
	double dt;
	int rc;

	if (!a) {
		fail("out of memory");
		return -1;
	}
	if (o->progress) {
		st->progress = show_progress;
		t_start = now_s();
	}
	stage_done(o, NULL);
	rc = qp_trace_precheck(o->traces, o->ntraces, err, sizeof(err));
	if (rc)
		qp_fail(&status, QP_E_INPUT, 0, "%s", err);
	else
		rc = read_events(o, m, a, st, &status);
	qp_guard_decoded();	/* the rest does not tick (guard.h) */
	if (o->progress)
		fputc('\n', stderr);
	if (rc && status.code == QP_E_CANCELED) {
		/* Ctrl-C: nothing to say (interrupt.h) */
		qp_assembler_free(a);
		return -1;
	}
	if (rc) {
		/* the assembler, the reader's sink, stopped the reading */
		if (status.code == QP_E_SINK && status.value == -ENOMEM)
			qp_fail(&status, QP_E_NOMEM, ENOMEM,
				"out of memory while assembling inferences");
		else if (status.code == QP_E_SINK)
			qp_status_wrap(&status, "assembling inferences");
		qp_status_format(&status, msg, sizeof(msg));
		/* babeltrace2's own errors may not name the stream file: the
		 * guarding parent finds it (guard.h) */
		if (status.code != QP_E_DECODE || !qp_guard_defer(msg))
			fail("%s", msg);
		qp_assembler_free(a);
		return -1;
	}
	if (read_split) {
		stage_done(o, "read+assemble (2 graphs, assembler here)");
	} else if (assembler_cpu_s >= 0) {
		char name[64];

		snprintf(name, sizeof(name), "read+assemble (assembler thread %.2f)",
			 assembler_cpu_s);
		stage_done(o, name);
	} else {
		stage_done(o, "read+assemble");
	}
	qp_assembler_finish(a);
	qp_assembler_free(a);
	stage_done(o, "finish");
	if (o->progress) {
		dt = now_s() - t_start;
		fprintf(stderr, "qprof-report: %zu trace(s), %" PRIu64 " events (%" PRIu64
			" qprof) in %.2f s, %.2f M events/s, %zu inferences, peak RSS %ld KiB\n",
			st->ntraces, st->messages, st->qprof_events, dt,
			dt > 0 ? st->messages / 1e6 / dt : 0, m->ninf, peak_rss_kib());
	}
	if (!st->qprof_events) {
		fail("no qprof events in %s%s: was libqprof.so preloaded (LD_PRELOAD) "
		     "and were qprof:* events enabled?", o->traces[0],
		     o->ntraces > 1 ? " ..." : "");
		return -1;
	}
	return 0;
}

/*
 * The output files (CSV, JSON, Chrome), all or none (outfile.h: renames
 * deferred until every file is written); -1 with the message in err.
 */
static int write_outputs(const struct options *o, const struct qp_model *m,
			 const struct qp_write_opts *wo, char *err, size_t errlen)
{
	struct qp_outset set;
	bool made_dir = false;

	qp_outset_begin(&set);
	if (o->csv_dir) {
		made_dir = !mkdir(o->csv_dir, 0777);
		if (!made_dir && errno != EEXIST) {
			snprintf(err, errlen, "%s: %s", o->csv_dir, strerror(errno));
			goto fail;
		}
		if (qp_write_csv_dir(o->csv_dir, m, wo, err, errlen))
			goto fail;
	}
	if (o->json && !is_stdout(o->json) && qp_write_json(o->json, m, wo, err, errlen))
		goto fail;
	if (genview && ((o->gen_csv && qp_genview_write_csv(o->gen_csv, genview, err, errlen)) ||
			(o->gen_json && qp_genview_write_json(o->gen_json, genview, err, errlen))))
		goto fail;
	if (o->chrome && !is_stdout(o->chrome) &&
	    qp_write_chrome(o->chrome, m, wo, err, errlen))
		goto fail;
	if (o->html && !is_stdout(o->html) &&
	    qp_write_html(o->html, m, wo, wo->stats, err, errlen))
		goto fail;
	/* standard output last: when it fails, no file has changed */
	if (is_stdout(o->json) && qp_write_json(o->json, m, wo, err, errlen))
		goto fail;
	if (is_stdout(o->chrome) && qp_write_chrome(o->chrome, m, wo, err, errlen))
		goto fail;
	if (is_stdout(o->html) && qp_write_html(o->html, m, wo, wo->stats, err, errlen))
		goto fail;
	if (qp_outset_commit(&set, err, errlen))
		return -1;
	return 0;
fail:
	qp_outset_abort(&set);
	if (made_dir)
		rmdir(o->csv_dir);
	return -1;
}

/* The summary, the per-stream losses and the --by tables, to f. */
static int write_summary(FILE *f, const struct options *o,
			 const struct qp_model *m, const struct qp_read_stats *st,
			 const struct qp_write_opts *wo)
{
	size_t i;

	if (wo->device && qp_devreport_env_summary(f, wo->device))
		return -1;
	if (qp_write_summary(f, m, wo))
		return -1;
	if (wo->device && qp_devreport_summary(f, wo->device, o->summary_only))
		return -1;
	if (o->generation && genview)
		qp_genview_write_text(f, genview);
	if (!o->summary_only) {
		print_losses(f, st);
		for (i = 0; i < o->nby; i++)
			if (qp_by_table_print(f, m, wo->select, o->by[i]))
				return -1;
	}
	return 0;
}

static int flush_stdout(void)
{
	if (fflush(stdout)) {
		fail("stdout: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* One thread: the files, then the summary on stdout. */
static int write_serial(const struct options *o, const struct qp_model *m,
			const struct qp_read_stats *st,
			const struct qp_write_opts *wo)
{
	char err[1024];

	if (write_outputs(o, m, wo, err, sizeof(err))) {
		fail("%s", err);
		return -1;
	}
	stage_done(o, "files");
	if (!o->quiet && (write_summary(stdout, o, m, st, wo) || flush_stdout()))
		return -1;
	stage_done(o, "summary");
	return 0;
}

/* The files, in a thread of their own (the model is only read). */
struct files_job {
	const struct options *o;
	const struct qp_model *m;
	const struct qp_write_opts *wo;
	int rc;
	char err[1024];
};

static void *files_thread(void *arg)
{
	struct files_job *j = arg;

	j->rc = write_outputs(j->o, j->m, j->wo, j->err, sizeof(j->err));
	return NULL;
}

/*
 * Two threads: the files in one, the summary in the other, into memory;
 * the summary reaches stdout only after the files are written, so the
 * output (a JSON or Chrome trace on stdout first, no summary when a file
 * failed) is the serial one.  Falls back to write_serial when no thread
 * or memory stream can be had.
 */
static int write_parallel(const struct options *o, const struct qp_model *m,
			  const struct qp_read_stats *st,
			  const struct qp_write_opts *wo)
{
	struct files_job j = { .o = o, .m = m, .wo = wo };
	char *buf = NULL;
	size_t len = 0;
	pthread_t t;
	FILE *mem;
	int rc;

	mem = open_memstream(&buf, &len);
	if (!mem)
		return write_serial(o, m, st, wo);
	if (pthread_create(&t, NULL, files_thread, &j)) {
		fclose(mem);
		free(buf);
		return write_serial(o, m, st, wo);
	}
	rc = write_summary(mem, o, m, st, wo);
	if (fclose(mem))
		rc = -1;
	pthread_join(t, NULL);
	stage_done(o, "files+summary");
	if (j.rc)
		fail("%s", j.err);
	else if (!rc && (fwrite(buf, 1, len, stdout) != len || fflush(stdout))) {
		fail("stdout: %s", strerror(errno));
		rc = -1;
	}
	free(buf);
	return j.rc || rc ? -1 : 0;
}

/* ---- --compare BASE NEW (compare.h) ------------------------------------ */

/* One side: a JSON report (a regular file) or a trace, selected. */
static int compare_side(const struct options *o, const char *path,
			struct qp_cmp_run *r)
{
	struct options one = *o;
	struct qp_model m;
	struct qp_read_stats st;
	struct stat sb;
	uint8_t *sel = NULL;
	char err[1024];
	size_t nsel = 0;
	int rc = -1;

	if (!stat(path, &sb) && S_ISREG(sb.st_mode)) {
		if (qp_cmp_run_from_json(r, path, err, sizeof(err)))
			fail("%s", err);
		else
			rc = 0;
		return rc;
	}
	one.traces = &path;
	one.ntraces = 1;
	qp_model_init(&m);
	qp_read_stats_init(&st);
	if (read_model(&one, &m, &st) || check_program_name(&m, &one))
		goto out;
	{
		struct qp_selection selection = selection_of(&one);

		sel = qp_select(&m, &selection, &nsel);
	}
	if (!sel || qp_cmp_run_from_model(r, path, &m, sel)) {
		fail("out of memory");
		goto out;
	}
	if (!nsel) {
		fail("%s: nothing to compare: no completed inference%s", path,
		     o->program || o->pid || o->start_iter ? " in the selection" : "");
		qp_cmp_run_free(r);
		goto out;
	}
	rc = 0;
out:
	free(sel);
	qp_read_stats_free(&st);
	qp_model_free(&m);
	return rc;
}

static int compare_runs(const struct options *o)
{
	struct qp_cmp_run base = { 0 }, neu = { 0 };
	struct qp_cmp_report r = { 0 };
	struct qp_cmp_opts co;
	char err[1024];
	int rc = EXIT_BAD_INPUT;

	qp_cmp_opts_default(&co);
	if (compare_side(o, o->traces[0], &base) || compare_side(o, o->traces[1], &neu))
		goto out;
	if (qp_compare(&base, &neu, &co, &r)) {
		fail("out of memory");
		goto out;
	}
	if (!r.nrows) {
		fail("nothing to compare: no program name is in both %s and %s",
		     o->traces[0], o->traces[1]);
		goto out;
	}
	if (o->json && qp_cmp_write_json(o->json, &r, err, sizeof(err))) {
		fail("%s", err);
		goto out;
	}
	if (o->html && qp_write_html_compare(o->html, &r, err, sizeof(err))) {
		fail("%s", err);
		goto out;
	}
	if (!o->quiet && (qp_cmp_write_text(stdout, &r) || flush_stdout()))
		goto out;
	rc = 0;
out:
	qp_cmp_report_free(&r);
	qp_cmp_run_free(&base);
	qp_cmp_run_free(&neu);
	return rc;
}

static int report(const struct options *o)
{
	struct qp_model m;
	struct qp_read_stats st;
	struct qp_merge_result mr;
	struct qp_write_opts wo = { 0 };
	struct qp_devreport dev;
	struct qp_selection selection;
	uint8_t *sel = NULL;
	char note[512], err[1024];
	size_t nsel = 0;
	int rc = EXIT_BAD_INPUT;

	qp_model_init(&m);
	qp_read_stats_init(&st);
	memset(&mr, 0, sizeof(mr));
	/* the device inputs first: their errors before a long trace read */
	if (qp_devreport_load(&dev, &o->dev, err, sizeof(err))) {
		fail("%s", err);
		goto out;
	}
	if ((o->generation || o->gen_csv || o->gen_json || o->json) &&
	    !(genview = qp_genview_new())) {
		fail("out of memory");
		goto out;
	}
	if (read_model(o, &m, &st) || check_program_name(&m, o))
		goto out;
	if (o->ndumps) {
		if (merge_dumps(&m, o, &mr))
			goto out;
		wo.merge = &mr;
	}
	/* earlier inferences' ends, for the waiting/working split (metrics.c) */
	if (qp_model_link(&m) || (genview && qp_genview_join(genview, &m))) {
		fail("out of memory");
		goto out;
	}
	if (qp_devreport_align(&dev, &m, o->pid, err, sizeof(err))) {
		fail("%s", err);
		goto out;
	}
	wo.device = qp_devreport_any(&dev) ? &dev : NULL;
	wo.genview = genview;
	if (o->symbolize || (!o->summary_only && o->nby) || o->html)
		qp_symbolize(&m, &st);
	selection = selection_of(o);
	sel = qp_select(&m, &selection, &nsel);
	stage_done(o, "select");
	if (!sel) {
		fail("out of memory");
		goto out;
	}
	if (qp_interrupted())
		goto out;		/* no output after a Ctrl-C */
	if (!nsel) {
		fail("nothing to report: %zu inference(s) recorded, none completed%s",
		     m.ninf, o->program || o->pid || o->start_iter ?
		     " in the selection" : "");
		goto out;
	}
	qp_selection_note(&selection, note, sizeof(note));
	wo.select = sel;
	wo.note = note[0] ? note : NULL;
	wo.per_inference = o->per_inference;
	wo.pid = o->pid;
	wo.pool_programs = o->pool_programs;
	wo.by = o->by;
	wo.nby = o->nby;
	wo.chrome = &o->chrome_opts;
	wo.stats = &st;
	if (o->threads > 1 && !o->quiet &&
	    (o->csv_dir || o->json || o->chrome || o->html || o->gen_csv || o->gen_json) ?
	    write_parallel(o, &m, &st, &wo) : write_serial(o, &m, &st, &wo))
		goto out;
	if (o->progress)
		fprintf(stderr, "qprof-report: CPU s:%s\nqprof-report: wall s:%s\n",
			stages.buf, stages.wall);
	rc = 0;
out:
	qp_devreport_free(&dev);
	qp_genview_free(genview);
	genview = NULL;
	free(sel);
	qp_read_stats_free(&st);
	qp_model_free(&m);
	return rc;
}

/* ---- the report under watch (guard.h) -------------------------------- */

/*
 * Ctrl-C stops the reading cleanly (the two-graph read's temporary tree
 * removed, no output written) and ends the report as the signal would
 * have (interrupt.h); the guarding parent then ends the same way.
 */
static int report_child(void *arg)
{
	const struct options *o = arg;
	int rc;

	qp_interrupt_catch();
	rc = o->compare ? compare_runs(o) : report(o);
	qp_interrupt_raise();
	return rc;
}

/* Bytes: what a report of the inputs may need, with room to spare. */
static uint64_t memory_budget(const struct options *o)
{
	uint64_t json = 0;
	struct stat sb;
	size_t i;

	/* --compare: a JSON report takes ~20 x its size as jansson objects */
	for (i = 0; o->compare && i < o->ntraces; i++)
		if (!stat(o->traces[i], &sb) && S_ISREG(sb.st_mode))
			json += 32 * (uint64_t)sb.st_size;
	uint64_t trace = qp_trace_bytes(o->traces, o->ntraces), b;

	/* --per-inference: every inference a jansson object of ~3-5 KB, about
	 * 10 x its events' bytes in the trace */
	if (o->json && o->per_inference)
		json += 16 * trace;
	b = (256ull << 20) + 4 * trace + 8 * qp_trace_bytes(o->dumps, o->ndumps) +
	    json + (o->dev.device_trace ? 4 * qp_trace_bytes(&o->dev.device_trace, 1) : 0);
#if defined(__SANITIZE_ADDRESS__)
	/* AddressSanitizer's shadow, redzones and 256 MiB quarantine */
	b = 3 * b + (512ull << 20);
#endif
	return b;
}

/*
 * The report in a watched child process: a damaged trace that makes
 * babeltrace2 spin, allocate without bound or crash ends with an error
 * naming the file (docs/REPORT.md, "Damaged traces").
 */
static int guarded_report(const struct options *o)
{
	struct qp_guard_opts g;
	struct qp_guard_result r;
	char err[1024], how[1024], where[2048];
	int rc;

	if (qp_guard_opts_from_env(&g, memory_budget(o), 20, err, sizeof(err))) {
		fail("%s", err);
		return EXIT_USAGE;
	}
	rc = qp_guard_run(report_child, (void *)o, &g, &r);
	if (rc >= 0 && !r.deferred)
		return rc;
	if (r.deferred)
		snprintf(how, sizeof(how), "%s", r.phase);
	else
		qp_guard_describe(&r, &g, how, sizeof(how));
	/* the file that fails alone says more than the whole's symptom */
	if (qp_trace_diagnose(o->traces, o->ntraces, &g, where, sizeof(where)))
		fail("%s%s", r.deferred ? "" : "reading the trace ", how);
	else
		fail("%s", where);
	return EXIT_BAD_INPUT;
}

int main(int argc, char **argv)
{
	struct options o;
	int rc;

	parse_args(argc, argv, &o);
	if (o.latency_stats) {
		rc = latency_stats(&o);
	} else if (!o.ntraces) {
		char err[1024];

		rc = qp_devreport_standalone(&o.dev, o.json, o.quiet, o.summary_only,
					     err, sizeof(err)) ? EXIT_BAD_INPUT : 0;
		if (rc)
			fail("%s", err);
	} else {
		rc = guarded_report(&o);
	}
	free(o.dev.opstats);
	free(o.traces);
	free(o.dumps);
	return rc;
}
