/* SPDX-License-Identifier: MIT */
/*
 * The benchmark's fake runtime: the hooked QAic functions with trivial
 * bodies, so that timing a call measures the shim, not a runtime.  One
 * "inference" is qaicEnqueueExecObj (EXECUTE_BO ioctl on a fake accel
 * node) + qaicExecObjWaitForCompletion (WAIT_BO), as a real runtime's
 * worker would issue them.  qaicCreateContext opens the node
 * <QPROF_BENCH_DIR>/accel/accel0.
 *
 * QP_BENCH_BOS=N (default 2, the tiny preset's): BOs per request, the
 * first half inputs, the rest outputs (134: an LLM's KV cache).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <qprof/qaic_accel.h>
#include <qprof/qaic_api.h>

#include "shim-fake.h"

static int accel_fd = -1;

uint32_t shim_fake_bos(void)
{
	static uint32_t n;

	if (!n) {
		const char *e = getenv("QP_BENCH_BOS");
		long v = e ? atol(e) : 2;

		n = v < 1 ? 1 : v > SHIM_FAKE_MAX_BOS ? SHIM_FAKE_MAX_BOS :
							(uint32_t)v;
	}
	return n;
}

/*
 * Each exec object has BOs of its own (handles n*k + 1 .. n*k + n for exec
 * object k), as in a real runtime: two threads never execute or wait for
 * the same BO at once.
 */
uint32_t shim_fake_handle(const QAicExecObj *execObj, uint32_t i)
{
	return shim_fake_bos() * (uint32_t)((uintptr_t)execObj & 0xffff) + 1 +
	       i;
}

QStatus qaicCreateContext(QAicContext **ctx, QAicContextProperties_t *props,
			  uint32_t numDevices, QID *devList,
			  QAicLogCallback logCb, void *logUserData,
			  QAicErrorHandler errorHandler, void *errUserData)
{
	const char *dir = getenv("QPROF_BENCH_DIR");
	char path[4096];

	snprintf(path, sizeof(path), "%s/accel/accel0", dir ? dir : ".");
	accel_fd = open(path, O_RDWR | O_CLOEXEC);
	*ctx = (QAicContext *)&accel_fd;
	return accel_fd < 0 ? QS_NODEV : QS_SUCCESS;
}

QStatus qaicReleaseContext(QAicContext *ctx)
{
	if (accel_fd >= 0)
		close(accel_fd);
	accel_fd = -1;
	return QS_SUCCESS;
}

QStatus qaicEnqueueExecObj(QAicQueue *queue, QAicExecObj *execObj,
			   QAicEvent *event)
{
	struct qaic_execute_entry entries[SHIM_FAKE_MAX_BOS];
	uint32_t n = shim_fake_bos(), i;
	struct qaic_execute ex = {
		.hdr = { .count = n, .dbc_id = 0 },
		.data = (uintptr_t)entries,
	};

	if (!execObj)	/* the plain-call benchmark: no ioctl */
		return QS_SUCCESS;
	for (i = 0; i < n; i++) {
		entries[i].handle = shim_fake_handle(execObj, i);
		entries[i].dir = i < n / 2 ? 1 : 2;
	}
	return ioctl(accel_fd, DRM_IOCTL_QAIC_EXECUTE_BO, &ex) ? QS_ERROR :
		QS_SUCCESS;
}

QStatus qaicExecObjWaitForCompletion(QAicExecObj *execObj, uint32_t timeoutUs)
{
	struct qaic_wait w = {
		.handle = shim_fake_handle(execObj, shim_fake_bos() - 1),
		.dbc_id = 0,
	};

	if (!execObj)
		return QS_SUCCESS;
	return ioctl(accel_fd, DRM_IOCTL_QAIC_WAIT_BO, &w) ? QS_ERROR :
		QS_SUCCESS;
}
