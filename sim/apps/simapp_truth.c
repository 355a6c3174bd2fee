// SPDX-License-Identifier: MIT
/*
 * The application's side of the simulator's truth file (docs/SIMULATOR.md,
 * "Truth file"): when the application called qaicEnqueueExecObj and when
 * it had the completion back, stamped in the application itself, around
 * the calls, so that whatever runs between the application and the
 * runtime (an LD_PRELOAD profiler) lies inside them.  With
 * QAIC_SIM_TRUTH_DIR set and the simulated runtime's private entry table
 * found (simrt_entries: linked, not dlopen'ed), lines
 *   E|S <QAicProgramID> <sample> <CLOCK_MONOTONIC ns>
 * go to DIR/qaic-sim-app-<pid>.txt at exit, keyed as the runtime's lines.
 * Wait for completion style only: an event or a callback hands several
 * completions over at once.
 */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "simapp_int.h"
#include "simrt_entries.h"

struct stamp {
	char kind;			/* 'E' enqueue called, 'S' completion seen */
	uint32_t program;
	uint64_t sample;
	uint64_t ns;
};

static const struct simrt_entries *rt;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct stamp *stamps;
static size_t nstamps, capstamps;
static const char *dir;

static void flush(void)
{
	char path[PATH_MAX];
	FILE *f;

	if (!nstamps)
		return;
	snprintf(path, sizeof(path), "%s/qaic-sim-app-%d.txt", dir, (int)getpid());
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "%s: cannot write %s\n", simapp_progname, path);
		return;
	}
	fprintf(f, "# qaic-sim-app truth 1, pid %d: kind program sample ns (CLOCK_MONOTONIC)\n",
		(int)getpid());
	for (size_t k = 0; k < nstamps; k++)
		fprintf(f, "%c %u %llu %llu\n", stamps[k].kind, stamps[k].program,
			(unsigned long long)stamps[k].sample,
			(unsigned long long)stamps[k].ns);
	fclose(f);
}

void simapp_truth_init(void)
{
	const struct simrt_entries *(*get)(void);
	const char *d = getenv("QAIC_SIM_TRUTH_DIR");

	if (!d || !*d || simapp_opts_get()->completion != SIMAPP_COMPLETION_WAIT)
		return;
	*(void **)&get = dlsym(RTLD_DEFAULT, SIMRT_ENTRIES_SYMBOL);
	if (!get)
		return;
	rt = get();
	if (!rt || rt->size < sizeof(*rt) || !rt->eo_sample) {
		rt = NULL;
		return;
	}
	dir = d;
	atexit(flush);
}

void simapp_truth_stamp(QAicExecObj *eo, bool seen, uint64_t ns)
{
	uint32_t program;
	uint64_t sample;

	if (!rt || !rt->eo_sample(eo, seen, &program, &sample))
		return;
	pthread_mutex_lock(&lock);
	if (nstamps == capstamps) {
		size_t cap = capstamps ? 2 * capstamps : 4096;
		struct stamp *p = realloc(stamps, cap * sizeof(*p));

		if (!p) {
			pthread_mutex_unlock(&lock);
			return;
		}
		stamps = p;
		capstamps = cap;
	}
	stamps[nstamps++] = (struct stamp){ seen ? 'S' : 'E', program, sample, ns };
	pthread_mutex_unlock(&lock);
}

bool simapp_truth_on(void)
{
	return rt != NULL;
}
