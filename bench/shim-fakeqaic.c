/* SPDX-License-Identifier: MIT */
/*
 * The benchmark's fake runtime: the hooked QAic functions with trivial
 * bodies, so that timing a call measures the shim, not a runtime.  One
 * "inference" is qaicEnqueueExecObj (EXECUTE_BO ioctl on a fake accel
 * node) + qaicExecObjWaitForCompletion (WAIT_BO), as a real runtime's
 * worker would issue them.  qaicCreateContext opens the node
 * <QPROF_BENCH_DIR>/accel/accel0.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <qprof/qaic_accel.h>
#include <qprof/qaic_api.h>

static int accel_fd = -1;

/*
 * Each exec object has BOs of its own (input handle 2k+1, output 2k+2 for
 * exec object k), as in a real runtime: two threads never execute or wait
 * for the same BO at once.
 */
static uint32_t bo_base(const QAicExecObj *execObj)
{
	return 2 * (uint32_t)((uintptr_t)execObj & 0xffff);
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
	struct qaic_execute_entry entries[2] = {
		{ .handle = bo_base(execObj) + 1, .dir = 1 },
		{ .handle = bo_base(execObj) + 2, .dir = 2 },
	};
	struct qaic_execute ex = {
		.hdr = { .count = 2, .dbc_id = 0 },
		.data = (uintptr_t)entries,
	};

	if (!execObj)	/* the plain-call benchmark: no ioctl */
		return QS_SUCCESS;
	return ioctl(accel_fd, DRM_IOCTL_QAIC_EXECUTE_BO, &ex) ? QS_ERROR :
		QS_SUCCESS;
}

QStatus qaicExecObjWaitForCompletion(QAicExecObj *execObj, uint32_t timeoutUs)
{
	struct qaic_wait w = { .handle = bo_base(execObj) + 2, .dbc_id = 0 };

	if (!execObj)
		return QS_SUCCESS;
	return ioctl(accel_fd, DRM_IOCTL_QAIC_WAIT_BO, &w) ? QS_ERROR :
		QS_SUCCESS;
}
