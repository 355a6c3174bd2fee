/* SPDX-License-Identifier: MIT */
/*
 * The inference log (QAIC_SIM_INFERENCE_LOG=PATH): the simulator's own
 * record of every inference it ran, successful or failed, one line per
 * device of the program, with the kernel's stamps of each device's wait
 * handle.  It is the truth for what the latency file leaves out: failed
 * inferences and their cause, and the devices of a multi-device program
 * (docs/SIMULATOR.md "The inference log").
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;

static const char *status_name(QStatus st)
{
	switch (st) {
	case QS_SUCCESS: return "QS_SUCCESS";
	case QS_PERM: return "QS_PERM";
	case QS_AGAIN: return "QS_AGAIN";
	case QS_NOMEM: return "QS_NOMEM";
	case QS_BUSY: return "QS_BUSY";
	case QS_NODEV: return "QS_NODEV";
	case QS_INVAL: return "QS_INVAL";
	case QS_TIMEDOUT: return "QS_TIMEDOUT";
	case QS_DEV_ERROR: return "QS_DEV_ERROR";
	case QS_ERROR: return "QS_ERROR";
	default: return "QS_OTHER";
	}
}

static void errno_name(int err, char *buf, size_t len)
{
	static const struct { int e; const char *n; } names[] = {
		{ EPERM, "EPERM" }, { EPIPE, "EPIPE" }, { ENODEV, "ENODEV" },
		{ EIO, "EIO" }, { ETIMEDOUT, "ETIMEDOUT" }, { EAGAIN, "EAGAIN" },
		{ EINVAL, "EINVAL" }, { ENOENT, "ENOENT" }, { ENOMEM, "ENOMEM" },
		{ EINTR, "EINTR" }, { EFAULT, "EFAULT" },
	};

	if (!err) {
		snprintf(buf, len, "-");
		return;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == err) {
			snprintf(buf, len, "%s", names[i].n);
			return;
		}
	snprintf(buf, len, "E%d", err);
}

static void close_log(void)
{
	pthread_mutex_lock(&lock);
	if (log_file)
		fclose(log_file);
	log_file = NULL;
	pthread_mutex_unlock(&lock);
}

static void open_log(void)
{
	const char *path = getenv("QAIC_SIM_INFERENCE_LOG");

	if (!path || !*path)
		return;
	log_file = fopen(path, "we");
	if (!log_file) {
		rt_log(NULL, QL_ERROR, "QAIC_SIM_INFERENCE_LOG=%s: cannot write: %s",
		       path, strerror(errno));
		return;
	}
	fprintf(log_file, "# qaic-sim inference log: one line per device of each inference\n");
	fprintf(log_file, "program,sample,status,cause,ndev,device,qid,dbc_id,submitted,exec_errno,wait_errno,received_ns,submit_ns,processed_ns,last,sampled,activation,row,execobj,enqueue_ns\n");
	atexit(close_log);
}

bool inflog_enabled(void)
{
	pthread_once(&once, open_log);
	return log_file != NULL;
}

void inflog_write(const struct QAicExecObj *eo, QStatus st, int cause,
		  int last, int row, bool sampled)
{
	const struct QAicProgram *pg = eo->prog;
	char c[16], xe[16], we[16];

	errno_name(cause, c, sizeof(c));
	pthread_mutex_lock(&lock);
	for (uint32_t d = 0; log_file && d < eo->ndev; d++) {
		const struct rt_devrun *r = &eo->run[d];

		errno_name(r->exec_err, xe, sizeof(xe));
		errno_name(r->wait_err, we, sizeof(we));
		fprintf(log_file, "%u,%" PRIu64 ",%s,%s,%u,%u,%d,%u,%d,%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%d,%d,%" PRIu64 ",%d,%p,%" PRIu64 "\n",
			pg->id, eo->row.sample, status_name(st), c, eo->ndev, d,
			(int)pg->pdev[d].qid, r->dbc_id, r->submitted, xe, we,
			r->received_ns, r->submit_ns, r->processed_ns,
			(int)d == last, sampled, r->gen, (int)d == row,
			(const void *)eo, eo->row.enq_start);
	}
	pthread_mutex_unlock(&lock);
}
