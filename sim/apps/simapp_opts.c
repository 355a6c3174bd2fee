/* SPDX-License-Identifier: MIT */
/*
 * Command line of qaic-sim-app / qaic-sim-loader: parsing, --help, and the
 * export of the runtime profiling options as QAIC_SIM_PROFILING_* variables.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "simapp.h"

const char *simapp_progname = "qaic-sim-app";

enum long_only_option {
	OPT_TIME = 0x100,
	OPT_THREADS_PER_QUEUE,
	OPT_PROF_TYPE,
	OPT_PROF_START_ITER,
	OPT_PROF_NUM_SAMPLES,
	OPT_PROF_OUT_DIR,
	OPT_SUBMIT_TIMEOUT,
	OPT_SUBMIT_RETRY_COUNT,
	OPT_SEED,
	OPT_EXIT_IN_FLIGHT,
	OPT_STOP_ON_SIGINT,
	OPT_PROGRAM_NAME,
	OPT_NULL_PROGRAM_NAME,
	OPT_PROGRAM_GROUP,
	OPT_APP_DELAY_US,
	OPT_DEV_MAPPING,
	OPT_PREFILL,
	OPT_DECODE,
	OPT_KEEP_GOING,
};

static const struct option long_options[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "program", required_argument, NULL, 't' },
	{ "num-iter", required_argument, NULL, 'n' },
	{ "time", required_argument, NULL, OPT_TIME },
	{ "threads", required_argument, NULL, 'T' },
	{ "set-size", required_argument, NULL, 'S' },
	{ "activations", required_argument, NULL, 'a' },
	{ "queues", required_argument, NULL, 'q' },
	{ "threads-per-queue", required_argument, NULL, OPT_THREADS_PER_QUEUE },
	{ "completion", required_argument, NULL, 'c' },
	{ "aic-profiling-type", required_argument, NULL, OPT_PROF_TYPE },
	{ "aic-profiling-start-iter", required_argument, NULL, OPT_PROF_START_ITER },
	{ "aic-profiling-num-samples", required_argument, NULL, OPT_PROF_NUM_SAMPLES },
	{ "aic-profiling-out-dir", required_argument, NULL, OPT_PROF_OUT_DIR },
	{ "submit-timeout", required_argument, NULL, OPT_SUBMIT_TIMEOUT },
	{ "submit-retry-count", required_argument, NULL, OPT_SUBMIT_RETRY_COUNT },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "exit-in-flight", no_argument, NULL, OPT_EXIT_IN_FLIGHT },
	{ "stop-on-sigint", no_argument, NULL, OPT_STOP_ON_SIGINT },
	{ "program-name", required_argument, NULL, OPT_PROGRAM_NAME },
	{ "null-program-name", no_argument, NULL, OPT_NULL_PROGRAM_NAME },
	{ "program-group", no_argument, NULL, OPT_PROGRAM_GROUP },
	{ "app-delay-us", required_argument, NULL, OPT_APP_DELAY_US },
	{ "dev-mapping", required_argument, NULL, OPT_DEV_MAPPING },
	{ "prefill", required_argument, NULL, OPT_PREFILL },
	{ "decode", required_argument, NULL, OPT_DECODE },
	{ "keep-going", no_argument, NULL, OPT_KEEP_GOING },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void print_help(bool loader)
{
	printf("Usage: %s [OPTION]...\n", simapp_progname);
	if (loader)
		printf(
"Run inferences on a simulated Cloud AI 100 program, like qaic-runner: the\n"
"QAic runtime is loaded at run time with dlopen(\"$QAIC_LIB\" or \"libQAic.so\")\n"
"and every call goes through the table returned by qaicGetFunctionTable().\n");
	else
		printf(
"Run inferences on a simulated Cloud AI 100 program through the QAic C API\n"
"(this program is linked with -lQAic and calls the exported functions).\n");
	printf(
"\n"
"Sequence: create context, open program, create/load/activate program\n"
"instances, create queues, create exec objects and set their input data once\n"
"(bounded random values), then enqueue and complete inferences in a loop, and\n"
"release everything.  At the end a qaic-runner statistics block is printed\n"
"per program:\n"
"   ---- Stats ----\n"
"  InferenceCnt <n> TotalDuration <us>us BatchSize <b> Inf/Sec <r>\n"
"\n"
"Options:\n"
"  -d, --device QID          device to run on (default 0)\n"
"  -t, --program PATH|PRESET program description file or preset name (tiny,\n"
"                            resnet50, bert, llm); repeat for several programs,\n"
"                            which then run concurrently (default tiny)\n"
"  -n, --num-iter N          inferences per program (default 1000)\n"
"      --time SEC            run for SEC seconds instead of a count\n"
"  -T, --threads N           application threads per program, 1-8 (default 1);\n"
"                            each owns its exec objects and submits with them\n"
"  -S, --set-size N          exec objects per thread (default 10, as\n"
"                            qaic-runner); at most N inferences of a thread\n"
"                            are in flight\n"
"  -a, --activations N       program instances (activations) per program\n"
"                            (default 1); exec object k of a program is bound\n"
"                            to instance k mod N\n"
"  -q, --queues N            queues per program instance (default 1); exec\n"
"                            object k uses queue (k div activations) mod N\n"
"      --threads-per-queue N runtime worker threads per queue\n"
"                            (numThreadsPerQueue; default: runtime's, 4)\n"
"  -c, --completion STYLE    how completions are awaited: wait\n"
"                            (qaicExecObjWaitForCompletion, default), event\n"
"                            (qaicWaitforEvent), callback (an event callback\n"
"                            hands the exec object back to its thread, which\n"
"                            collects its status with\n"
"                            qaicExecObjWaitForCompletion)\n"
"      --submit-timeout MS   program SubmitRetryTimeoutMs (default 0: kernel\n"
"                            default, 5000 ms)\n"
"      --submit-retry-count N  program SubmitNumRetries (default 5)\n"
"      --seed N              seed of the random input data (default 1)\n"
"      --app-delay-us N      after each completion the thread sleeps N us\n"
"                            before it enqueues again (an application\n"
"                            processing its results; default 0)\n"
"      --program-name NAME   the name given to qaicCreateProgram (default:\n"
"                            the --program argument), any bytes\n"
"      --null-program-name   give qaicCreateProgram a NULL name (the runtime\n"
"                            then names the program after its description)\n"
"      --exit-in-flight      the first thread to issue its last inference\n"
"                            calls exit(0) at once, its last set-size\n"
"                            inferences still in flight and every object\n"
"                            unreleased (with --num-iter; tells on stderr how\n"
"                            many): an application that ends abruptly\n"
"      --program-group       put every program instance into one program group\n"
"                            on the device (qaicCreateProgramGroup,\n"
"                            qaicProgramGroupAddProgram), enable it, run on\n"
"                            the group's queue, then disable it (waiting for\n"
"                            the inferences in flight) and release it\n"
"                            (not with --queues > 1)\n"
"      --dev-mapping LIST    run every program over several devices: LIST is\n"
"                            the program property devMapping, QIDs joined by\n"
"                            ':' (as 0:1:2:3); the context holds them, the\n"
"                            program is created and its queues live on the\n"
"                            first; one enqueue = one EXECUTE and one WAIT\n"
"                            per device.  Exports QAIC_SIM_NUM_DEVICES =\n"
"                            largest QID + 1 unless it is set (not with -d)\n"
"      --prefill TOKENS      LLM program (as the llm preset): each exec object\n"
"                            runs sequences, each starting with a prompt of\n"
"                            TOKENS tokens in prefill runs of at most the\n"
"                            input_ids capacity (P; the last one carries the\n"
"                            rest); inputs set with qaicExecObjSetDataExt\n"
"                            before every enqueue: input_ids and\n"
"                            position_ids (1, tokens), past_* empty\n"
"      --decode STEPS        ... then STEPS decode runs of one token each\n"
"                            (either option alone: prefill-only or\n"
"                            decode-only sequences); -n counts runs\n"
"      --keep-going          an inference that fails (its completion status is\n"
"                            not QS_SUCCESS) is counted and the run goes on:\n"
"                            \"Failed inferences: N\" after each stats block,\n"
"                            exit status 0 (for fault injection)\n"
"      --stop-on-sigint      SIGINT (Ctrl-C) ends the run cleanly: no new\n"
"                            inference is issued, those in flight complete,\n"
"                            everything is released, the statistics are\n"
"                            printed and the exit status is 0\n"
"      --aic-profiling-type latency|stats|trace (repeatable)\n"
"                            runtime profiling: sets\n"
"                            QAIC_SIM_PROFILING_TYPE before the runtime is\n"
"                            first called; the runtime writes\n"
"                            aic-profiling-program-<P>-latency.txt (latency),\n"
"                            one opstats summary aic-profiling-program-<P>-\n"
"                            activation-0-inf-<I>.txt per sampled inference\n"
"                            (stats) and aic-profiling-program-<P>-trace.json\n"
"                            (trace) for stats-compiled programs\n"
"      --aic-profiling-start-iter N   first profiled inference (default 0)\n"
"      --aic-profiling-num-samples N  profiled inferences (default 1)\n"
"      --aic-profiling-out-dir DIR    directory of the latency files (must\n"
"                            exist; default .)\n"
"  -h, --help                print this help and exit\n"
"\n"
"With no options: 1000 inferences of the tiny preset.\n"
"\n"
"Device Performance: when latency profiling is on and a program is compiled\n"
"with device stats, the app cannot see per-inference device times itself, so\n"
"after releasing the program it reads back the runtime's latency files of\n"
"all instances of that program and prints qaic-runner's \"Device\n"
"Performance\" table (avg, min, max, population std of devExecUs,\n"
"devInWaitTimeUs, devOutWaitTimeUs over the profiled samples).\n"
"\n"
"Environment: QAIC_SIM_TIME_SCALE and the QAIC_SIM_* variables of the\n"
"simulated runtime apply (see docs/SIMULATOR.md)%s.\n"
"\n"
"Exit status: 0 success; 1 a QAic call failed (message\n"
"\"%s: <function> failed: <QS_NAME> (<n>)\") or another run-time error;\n"
"2 usage error.\n",
	       loader ? "; QAIC_LIB names the runtime library" : "",
	       simapp_progname);
}

static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", simapp_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n",
		simapp_progname);
	return SIMAPP_EXIT_USAGE;
}

/* Strict unsigned parse within [min, max]; 0 on success. */
static int parse_uint(const char *s, unsigned long long min,
		      unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static void set_defaults(struct simapp_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->num_iter = 1000;
	opts->threads = 1;
	opts->set_size = 10;
	opts->activations = 1;
	opts->queues = 1;
	opts->completion = SIMAPP_COMPLETION_WAIT;
	opts->seed = 1;
}

static int parse_completion(const char *s, enum simapp_completion *out)
{
	if (!strcmp(s, "wait"))
		*out = SIMAPP_COMPLETION_WAIT;
	else if (!strcmp(s, "event"))
		*out = SIMAPP_COMPLETION_EVENT;
	else if (!strcmp(s, "callback"))
		*out = SIMAPP_COMPLETION_CALLBACK;
	else
		return -1;
	return 0;
}

static int parse_time(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 86400.0)
		return -1;
	*out = v;
	return 0;
}

#define BAD_VALUE "invalid value '%s' for %s"

/* "QID:QID:..." into opts->map_devs (distinct, at most 16). */
static int parse_dev_mapping(const char *s, struct simapp_options *opts)
{
	const char *p = s;

	opts->num_map_devs = 0;
	while (*p) {
		unsigned long long v;
		char num[16];
		size_t n = strcspn(p, ":");

		if (!n || n >= sizeof(num) || opts->num_map_devs == 16)
			return -1;
		memcpy(num, p, n);
		num[n] = '\0';
		if (parse_uint(num, 0, 15, &v))
			return -1;
		for (unsigned int i = 0; i < opts->num_map_devs; i++)
			if (opts->map_devs[i] == (QID)v)
				return -1;
		opts->map_devs[opts->num_map_devs++] = (QID)v;
		p += n;
		if (*p == ':' && !*++p)
			return -1;
	}
	if (!opts->num_map_devs)
		return -1;
	opts->dev_mapping = s;
	return 0;
}

/* Handles one option; returns -1 to go on or an exit code. */
static int handle_option(int c, const char *arg, const char *name,
			 struct simapp_options *opts)
{
	unsigned long long v;

	switch (c) {
	case 'd':
		if (parse_uint(arg, 0, INT32_MAX, &v))
			return usage_error(BAD_VALUE, arg, "--device");
		opts->device = (QID)v;
		opts->device_set = true;
		break;
	case 't':
		if (opts->num_programs == SIMAPP_MAX_PROGRAMS)
			return usage_error("at most %d programs", SIMAPP_MAX_PROGRAMS);
		if (!*arg)
			return usage_error(BAD_VALUE, arg, "--program");
		opts->programs[opts->num_programs++] = arg;
		break;
	case 'n':
		if (parse_uint(arg, 1, UINT64_MAX / 2, &v))
			return usage_error(BAD_VALUE, arg, "--num-iter");
		opts->num_iter = v;
		opts->time_sec = 0;
		break;
	case OPT_TIME:
		if (parse_time(arg, &opts->time_sec))
			return usage_error(BAD_VALUE, arg, "--time");
		break;
	case 'T':
		if (parse_uint(arg, 1, SIMAPP_MAX_THREADS, &v))
			return usage_error(BAD_VALUE, arg, "--threads (1-8)");
		opts->threads = v;
		break;
	case 'S':
		if (parse_uint(arg, 1, 1024, &v))
			return usage_error(BAD_VALUE, arg, "--set-size (1-1024)");
		opts->set_size = v;
		break;
	case 'a':
		if (parse_uint(arg, 1, 64, &v))
			return usage_error(BAD_VALUE, arg, "--activations (1-64)");
		opts->activations = v;
		break;
	case 'q':
		if (parse_uint(arg, 1, 64, &v))
			return usage_error(BAD_VALUE, arg, "--queues (1-64)");
		opts->queues = v;
		break;
	case OPT_THREADS_PER_QUEUE:
		if (parse_uint(arg, 1, 64, &v))
			return usage_error(BAD_VALUE, arg, "--threads-per-queue (1-64)");
		opts->threads_per_queue = v;
		break;
	case 'c':
		if (parse_completion(arg, &opts->completion))
			return usage_error(BAD_VALUE, arg,
					   "--completion (wait|event|callback)");
		break;
	case OPT_SUBMIT_TIMEOUT:
		if (parse_uint(arg, 0, UINT32_MAX, &v))
			return usage_error(BAD_VALUE, arg, "--submit-timeout");
		opts->submit_timeout_ms = v;
		break;
	case OPT_SUBMIT_RETRY_COUNT:
		if (parse_uint(arg, 0, 1000, &v))
			return usage_error(BAD_VALUE, arg, "--submit-retry-count");
		opts->submit_retry_count = v;
		opts->submit_retry_set = true;
		break;
	case OPT_EXIT_IN_FLIGHT:
		opts->exit_in_flight = true;
		break;
	case OPT_STOP_ON_SIGINT:
		opts->stop_on_sigint = true;
		break;
	case OPT_PROGRAM_NAME:
		opts->program_name = arg;
		opts->program_name_set = true;
		break;
	case OPT_NULL_PROGRAM_NAME:
		opts->program_name = NULL;
		opts->program_name_set = true;
		break;
	case OPT_PROGRAM_GROUP:
		opts->program_group = true;
		break;
	case OPT_APP_DELAY_US:
		if (parse_uint(arg, 0, 10000000, &v))
			return usage_error(BAD_VALUE, arg, "--app-delay-us (0-10000000)");
		opts->app_delay_us = v;
		break;
	case OPT_DEV_MAPPING:
		if (parse_dev_mapping(arg, opts))
			return usage_error(BAD_VALUE, arg,
					   "--dev-mapping (QID:QID:..., at most 16 distinct QIDs)");
		break;
	case OPT_KEEP_GOING:
		opts->keep_going = true;
		break;
	case OPT_PREFILL:
		if (parse_uint(arg, 1, 1u << 20, &v))
			return usage_error(BAD_VALUE, arg, "--prefill (1-1048576)");
		opts->prefill_tokens = v;
		break;
	case OPT_DECODE:
		if (parse_uint(arg, 1, 1u << 20, &v))
			return usage_error(BAD_VALUE, arg, "--decode (1-1048576)");
		opts->decode_steps = v;
		break;
	case OPT_SEED:
		if (parse_uint(arg, 0, UINT32_MAX, &v))
			return usage_error(BAD_VALUE, arg, "--seed");
		opts->seed = v;
		break;
	case OPT_PROF_TYPE:
		if (strcmp(arg, "latency") && strcmp(arg, "stats") &&
		    strcmp(arg, "trace"))
			return usage_error("unsupported profiling type '%s' (the simulator supports: latency, stats, trace)",
					   arg);
		if (!strcmp(arg, "latency"))
			opts->profiling = true;
		if (!strstr(opts->prof_types, arg))
			snprintf(opts->prof_types + strlen(opts->prof_types),
				 sizeof(opts->prof_types) - strlen(opts->prof_types),
				 "%s%s", opts->prof_types[0] ? "," : "", arg);
		break;
	case OPT_PROF_START_ITER:
		if (parse_uint(arg, 0, UINT32_MAX, &v))
			return usage_error("invalid value '%s' for --%s", arg, name);
		opts->prof_start_iter = arg;
		break;
	case OPT_PROF_NUM_SAMPLES:
		if (parse_uint(arg, 1, UINT32_MAX, &v))
			return usage_error("invalid value '%s' for --%s", arg, name);
		opts->prof_num_samples = arg;
		break;
	case OPT_PROF_OUT_DIR:
		if (!*arg)
			return usage_error("invalid value '%s' for --%s", arg, name);
		opts->prof_out_dir = arg;
		break;
	case 'h':
		return -2;
	default:
		return usage_error("invalid option");
	}
	return -1;
}

int simapp_parse_options(int argc, char **argv, bool loader,
			 struct simapp_options *opts)
{
	int c, idx, rc;

	set_defaults(opts);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":d:t:n:T:S:a:q:c:h",
				long_options, &idx)) != -1) {
		const char *name = c >= 0x100 ? long_options[idx].name : "";

		if (c == '?')
			return usage_error("unknown option '%s'",
					   argv[optind - 1]);
		if (c == ':')
			return usage_error("option '%s' needs a value",
					   argv[optind - 1]);
		rc = handle_option(c, optarg, name, opts);
		if (rc == -2) {
			print_help(loader);
			return SIMAPP_EXIT_OK;
		}
		if (rc >= 0)
			return rc;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (opts->program_group && opts->queues > 1)
		return usage_error("--program-group runs on the group's one queue: no --queues");
	if (opts->dev_mapping) {
		if (opts->device_set)
			return usage_error("--dev-mapping names the devices: no --device");
		opts->device = opts->map_devs[0];
	}
	if (opts->num_programs == 0)
		opts->programs[opts->num_programs++] = "tiny";
	if (opts->time_sec > 0)
		opts->num_iter = 0;
	return -1;
}

static int export_var(const char *name, const char *value)
{
	if (setenv(name, value, 1)) {
		fprintf(stderr, "%s: setenv %s: %s\n", simapp_progname, name,
			strerror(errno));
		return SIMAPP_EXIT_RUNTIME;
	}
	return 0;
}

int simapp_export_env(const struct simapp_options *opts)
{
	struct stat st;

	if (opts->prof_out_dir) {
		if (stat(opts->prof_out_dir, &st)) {
			fprintf(stderr, "%s: --aic-profiling-out-dir %s: %s\n",
				simapp_progname, opts->prof_out_dir,
				strerror(errno));
			return SIMAPP_EXIT_RUNTIME;
		}
		if (!S_ISDIR(st.st_mode)) {
			fprintf(stderr, "%s: --aic-profiling-out-dir %s: %s\n",
				simapp_progname, opts->prof_out_dir,
				strerror(ENOTDIR));
			return SIMAPP_EXIT_RUNTIME;
		}
		if (export_var("QAIC_SIM_PROFILING_OUT_DIR", opts->prof_out_dir))
			return SIMAPP_EXIT_RUNTIME;
	}
	if (opts->dev_mapping && !getenv("QAIC_SIM_NUM_DEVICES")) {
		char n[16];
		QID max = 0;

		for (unsigned int i = 0; i < opts->num_map_devs; i++)
			if (opts->map_devs[i] > max)
				max = opts->map_devs[i];
		snprintf(n, sizeof(n), "%d", (int)max + 1);
		if (export_var("QAIC_SIM_NUM_DEVICES", n))
			return SIMAPP_EXIT_RUNTIME;
	}
	if (opts->prof_types[0] &&
	    export_var("QAIC_SIM_PROFILING_TYPE", opts->prof_types))
		return SIMAPP_EXIT_RUNTIME;
	if (opts->prof_start_iter &&
	    export_var("QAIC_SIM_PROFILING_START_ITER", opts->prof_start_iter))
		return SIMAPP_EXIT_RUNTIME;
	if (opts->prof_num_samples &&
	    export_var("QAIC_SIM_PROFILING_NUM_SAMPLES",
		       opts->prof_num_samples))
		return SIMAPP_EXIT_RUNTIME;
	return 0;
}
