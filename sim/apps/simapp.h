/* SPDX-License-Identifier: MIT */
/*
 * Common core of the sample applications qaic-sim-app (linked with -lQAic)
 * and qaic-sim-loader (dlopen()s the runtime and calls it only through
 * qaicGetFunctionTable()).  Both programs run the same code; the only
 * difference is how the QAic functions are reached, which is what the
 * dispatch struct below abstracts.
 */
#ifndef QPROF_SIMAPP_H
#define QPROF_SIMAPP_H

#include <stdbool.h>
#include <stdint.h>

#include <qprof/qaic_api.h>

/* Every QAic function the applications call, in one list. */
#define SIMAPP_API_FUNCS(X)			\
	X(qaicCreateContext)			\
	X(qaicReleaseContext)			\
	X(qaicOpenQpcFile)			\
	X(qaicCloseQpc)				\
	X(qaicProgramPropertiesInitDefault)	\
	X(qaicCreateProgram)			\
	X(qaicLoadProgram)			\
	X(qaicUnloadProgram)			\
	X(qaicRunActivationCmd)			\
	X(qaicReleaseProgram)			\
	X(qaicProgramGetIoDescriptor)		\
	X(qaicProgramGetIoBufferInfo)		\
	X(qaicProgramGetInfo)			\
	X(qaicCreateQueue)			\
	X(qaicReleaseQueue)			\
	X(qaicCreateExecObj)			\
	X(qaicExecObjSetData)			\
	X(qaicEnqueueExecObj)			\
	X(qaicExecObjWaitForCompletion)		\
	X(qaicReleaseExecObj)			\
	X(qaicCreateEvent)			\
	X(qaicEventAddCallback)			\
	X(qaicEventClear)			\
	X(qaicWaitforEvent)			\
	X(qaicReleaseEvent)			\
	X(qaicExecObjSetDataExt)		\
	X(qaicProgramGroupPropertiesInitDefault)	\
	X(qaicCreateProgramGroup)		\
	X(qaicProgramGroupAddProgram)		\
	X(qaicProgramGroupEnable)		\
	X(qaicProgramGroupDisable)		\
	X(qaicReleaseProgramGroup)

/* One function pointer per API function, named like the function. */
struct simapp_api {
#define SIMAPP_API_MEMBER(fn) __typeof__(fn) *fn;
	SIMAPP_API_FUNCS(SIMAPP_API_MEMBER)
#undef SIMAPP_API_MEMBER
};

enum simapp_completion {
	SIMAPP_COMPLETION_WAIT,		/* qaicExecObjWaitForCompletion */
	SIMAPP_COMPLETION_EVENT,	/* qaicWaitforEvent */
	SIMAPP_COMPLETION_CALLBACK,	/* event callback */
};

#define SIMAPP_MAX_PROGRAMS 8
#define SIMAPP_MAX_THREADS 8

struct simapp_options {
	QID device;
	const char *programs[SIMAPP_MAX_PROGRAMS];
	unsigned int num_programs;
	/* --program-name / --null-program-name: qaicCreateProgram's name */
	const char *program_name;
	bool program_name_set;
	uint64_t num_iter;		/* per program; 0 when --time is used */
	double time_sec;		/* > 0: run for this long instead */
	unsigned int threads;		/* application threads per program */
	unsigned int set_size;		/* exec objects per thread */
	unsigned int activations;	/* program instances per program */
	unsigned int queues;		/* queues per program instance */
	unsigned int threads_per_queue;	/* 0: runtime default */
	enum simapp_completion completion;
	uint32_t submit_timeout_ms;	/* 0: kernel default */
	uint32_t submit_retry_count;
	bool submit_retry_set;
	unsigned int seed;
	/* --app-delay-us: each thread sleeps this long after every completion
	 * before enqueuing again (an application processing its results) */
	unsigned int app_delay_us;
	bool exit_in_flight;		/* exit(0) after the last issue */
	bool program_group;		/* all programs in one program group */
	/* --dev-mapping: every program on these devices (devMapping) */
	const char *dev_mapping;
	bool device_set;		/* -d given */
	/* --prefill TOKENS / --decode STEPS: LLM sequences (simapp_llm.c) */
	bool keep_going;		/* failed inferences are counted */
	uint64_t prefill_tokens;
	uint64_t decode_steps;
	QID map_devs[16];
	unsigned int num_map_devs;
	bool stop_on_sigint;		/* SIGINT ends the run cleanly */
	bool profiling;			/* --aic-profiling-type latency */
	char prof_types[32];		/* the types given: "latency,stats,trace" */
	const char *prof_start_iter;
	const char *prof_num_samples;
	const char *prof_out_dir;
};

/* Exit codes of both programs. */
#define SIMAPP_EXIT_OK 0
#define SIMAPP_EXIT_RUNTIME 1
#define SIMAPP_EXIT_USAGE 2

/*
 * Parse the command line.  Returns -1 to go on, or an exit code to end
 * with at once (after --help: 0; after a usage error: 2).  'loader' selects
 * the text of --help.
 */
int simapp_parse_options(int argc, char **argv, bool loader,
			 struct simapp_options *opts);

/*
 * Export the QAIC_SIM_PROFILING_* variables the options ask for.  Must run
 * before the first call into the runtime (and, for the loader, before the
 * runtime is loaded).  Returns 0, or SIMAPP_EXIT_RUNTIME after printing why.
 */
int simapp_export_env(const struct simapp_options *opts);

/* Run the whole sequence; returns the exit code. */
int simapp_run(const struct simapp_options *opts,
	       const struct simapp_api *api);

/* "QS_DEV_ERROR" etc. */
const char *simapp_status_name(QStatus status);

extern const char *simapp_progname;

#endif /* QPROF_SIMAPP_H */
