// SPDX-License-Identifier: MIT
/*
 * The truth file: when each inference actually waited and worked, for
 * tests of qprof's waiting/working split (docs/SIMULATOR.md, "Truth
 * file").  With QAIC_SIM_TRUTH_DIR=DIR the runtime writes
 * DIR/qaic-sim-truth-<pid>.txt: one line per inference, every time a
 * CLOCK_MONOTONIC ns stamp taken where the thing happens (the
 * application's call, the worker, the emulated driver and device).
 *
 * A record is begun when the enqueue call returns (truth_enqueued),
 * completed by the worker when the inference finishes (truth_record) and
 * written when the application is handed its completion
 * (truth_handover), or once both parts are in for a failed inference.  Lines
 * are buffered and flushed at exit, so that writing them costs the
 * application threads no system call.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt.h"

/*
 * An inference between its enqueue and the line: the application's part
 * (truth_enqueued) and the worker's (truth_record) come in either order,
 * the handover (truth_handover) last, except for failures.
 */
struct truth_pending {
	struct truth_rec rec;
	bool have_enq, have_worker;
	struct truth_pending *next;
};
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *dir;
static FILE *file;
static char buffer[1 << 20];	/* the file's, until it is closed */
static bool failed, closed;
static struct truth_pending *pending;

static void init(void)
{
	const char *d = getenv("QAIC_SIM_TRUTH_DIR");

	dir = d && *d ? d : NULL;
}

bool truth_on(void)
{
	pthread_once(&once, init);
	return dir != NULL;
}

/* The file, opened at the first line (lock held); NULL after a failure. */
static FILE *truth_file(void)
{
	char path[PATH_MAX];

	if (file || failed || closed)
		return file;
	snprintf(path, sizeof(path), "%s/qaic-sim-truth-%ld.txt", dir,
		 (long)getpid());
	file = fopen(path, "we");
	if (!file) {
		failed = true;
		rt_log(NULL, QL_ERROR, "QAIC_SIM_TRUTH_DIR: %s: %s", path,
		       strerror(errno));
		return NULL;
	}
	/* glibc ignores the size without a buffer: it took st_blksize, 4
	 * KiB, a write every 24 inferences inside the completing thread's
	 * call (41 writes in a run of 1000, strace) */
	setvbuf(file, buffer, _IOFBF, sizeof(buffer));
	fprintf(file, "# qaic-sim truth 1, pid %ld: CLOCK_MONOTONIC ns, one line per inference (docs/SIMULATOR.md)\n"
		"# program sample status enq_begin enq_end worker_start worker_done seen ndev"
		" {device dbc exec_entry doorbell dev_start dev_end irq wait_return} x ndev\n",
		(long)getpid());
	return file;
}

static void write_rec(const struct truth_rec *r)
{
	FILE *f = truth_file();
	uint32_t d;

	if (!f)
		return;
	fprintf(f, "%u %" PRIu64 " %d %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
		" %" PRIu64 " %u", r->program, r->sample, r->status, r->enq_begin,
		r->enq_end, r->worker_start, r->worker_done, r->seen, r->ndev);
	for (d = 0; d < r->ndev; d++) {
		const struct truth_dev *v = &r->dev[d];

		fprintf(f, " %d %u %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
			" %" PRIu64 " %" PRIu64, v->device, v->dbc_id, v->exec_entry,
			v->doorbell, v->dev_start, v->dev_end, v->irq, v->wait_return);
	}
	fputc('\n', f);
}

/* The pending record of (program, sample), created if needed (lock held). */
static struct truth_pending *find(uint32_t program, uint64_t sample, bool create)
{
	struct truth_pending *p;

	for (p = pending; p; p = p->next)
		if (p->rec.program == program && p->rec.sample == sample)
			return p;
	if (!create || !(p = calloc(1, sizeof(*p))))
		return NULL;
	p->rec.program = program;
	p->rec.sample = sample;
	p->next = pending;
	pending = p;
	return p;
}

static void unlink_pending(struct truth_pending *q)
{
	struct truth_pending **pp;

	for (pp = &pending; *pp; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			return;
		}
}

/* Written once complete: both parts, and seen unless it failed. */
static void maybe_write(struct truth_pending *p)
{
	if (!p->have_enq || !p->have_worker ||
	    (p->rec.status == QS_SUCCESS && !p->rec.seen))
		return;
	unlink_pending(p);
	write_rec(&p->rec);
	free(p);
}

struct truth_pending *truth_prepare(void)
{
	return truth_on() ? calloc(1, sizeof(struct truth_pending)) : NULL;
}

void truth_enqueued(struct truth_pending *n, uint32_t program, uint64_t sample,
		    uint64_t begin, uint64_t end)
{
	struct truth_pending *p;

	if (!n)
		return;
	pthread_mutex_lock(&lock);
	p = find(program, sample, false);
	if (!p) {
		/* the usual case: the worker has not finished yet */
		p = n;
		n = NULL;
		p->rec.program = program;
		p->rec.sample = sample;
		p->next = pending;
		pending = p;
	}
	p->rec.enq_begin = begin;
	p->rec.enq_end = end;
	p->have_enq = true;
	maybe_write(p);
	pthread_mutex_unlock(&lock);
	free(n);
}

void truth_record(const struct truth_rec *r)
{
	struct truth_pending *p;

	if (!truth_on())
		return;
	pthread_mutex_lock(&lock);
	p = find(r->program, r->sample, true);
	if (p) {
		struct truth_rec keep = p->rec;

		p->rec = *r;
		if (p->have_enq) {
			p->rec.enq_begin = keep.enq_begin;
			p->rec.enq_end = keep.enq_end;
		}
		p->rec.seen = keep.seen;
		p->have_worker = true;
		maybe_write(p);
	}
	pthread_mutex_unlock(&lock);
}

/* Stamped under the lock: waiting for it holds the application back too. */
void truth_handover(const struct QAicProgram *pg, uint64_t sample)
{
	struct truth_pending *p;

	if (!truth_on())
		return;
	pthread_mutex_lock(&lock);
	p = find(pg->id, sample, false);
	if (p && !p->rec.seen) {
		p->rec.seen = rt_now();
		maybe_write(p);
	}
	pthread_mutex_unlock(&lock);
}

/* Exit: inferences never handed over (seen 0), then the buffer. */
__attribute__((destructor))
static void truth_at_exit(void)
{
	struct truth_pending *p;

	if (!dir)
		return;
	pthread_mutex_lock(&lock);
	while ((p = pending)) {
		pending = p->next;
		write_rec(&p->rec);
		free(p);
	}
	if (file && fclose(file))
		rt_log(NULL, QL_ERROR, "QAIC_SIM_TRUTH_DIR: write error");
	file = NULL;
	closed = true;		/* workers still running write nothing more */
	pthread_mutex_unlock(&lock);
}
