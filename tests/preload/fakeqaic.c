/* SPDX-License-Identifier: MIT */
/*
 * A fake QAic runtime for the shim's dlopen/dlclose test: a few functions
 * of include/qprof/qaic_api.h with trivial bodies, and a function table
 * whose layout is this library's own (the shim must not know it).  Every
 * function counts its calls in fake_calls and sets errno to FAKE_ERRNO, so
 * a test can tell that the call reached the runtime and that errno came
 * back untouched.
 */
#include <errno.h>
#include <stddef.h>

#include <qprof/qaic_api.h>

#include "fakeqaic.h"

unsigned long fake_calls;

int fake_data[4];
static struct { int dummy; } fake_ctx;
static QAicEventCallback fake_cb;
static void *fake_ud;

#define ENTER() do { fake_calls++; errno = FAKE_ERRNO; } while (0)

QStatus qaicGetAicVersion(uint16_t *major, uint16_t *minor,
			  const char **patch, const char **variant)
{
	/* Not counted: the shim itself may ask for the version. */
	errno = FAKE_ERRNO;
	*major = 1;
	*minor = 2;
	*patch = "fake";
	*variant = "";
	return QS_SUCCESS;
}

QStatus qaicCreateContext(QAicContext **ctx, QAicContextProperties_t *props,
			  uint32_t numDevices, QID *devList,
			  QAicLogCallback logCb, void *logUserData,
			  QAicErrorHandler errorHandler, void *errUserData)
{
	ENTER();
	*ctx = (QAicContext *)&fake_ctx;
	return numDevices == 1 ? QS_SUCCESS : QS_INVAL;
}

QStatus qaicReleaseContext(QAicContext *ctx)
{
	ENTER();
	return ctx == (QAicContext *)&fake_ctx ? QS_SUCCESS : QS_INVAL;
}

/* The registered callback is entered synchronously, as on completion. */
QStatus qaicEnqueueExecObj(QAicQueue *queue, QAicExecObj *execObj,
			   QAicEvent *event)
{
	ENTER();
	if (!execObj)
		return QS_BUSY;
	if (event && fake_cb)
		fake_cb(event, QAIC_EVENT_DEVICE_COMPLETE, fake_ud);
	errno = FAKE_ERRNO;
	return QS_SUCCESS;
}

QStatus qaicEventAddCallback(QAicEvent *event, QAicEventCallback cb,
			     void *userData)
{
	ENTER();
	fake_cb = cb;
	fake_ud = userData;
	return QS_SUCCESS;
}

/* Only the pointer that was added can be removed. */
QStatus qaicEventRemoveCallback(QAicEvent *event, QAicEventCallback cb)
{
	ENTER();
	if (cb != fake_cb)
		return QS_INVAL;
	fake_cb = NULL;
	return QS_SUCCESS;
}

static const struct fake_table table = {
	.version = FAKE_TABLE_VERSION,
	.size = sizeof(struct fake_table),
	.magic = FAKE_TABLE_MAGIC,
	.data = fake_data,
	.qaicCreateContext = qaicCreateContext,
	.qaicEnqueueExecObj = qaicEnqueueExecObj,
	.qaicEventAddCallback = qaicEventAddCallback,
	.qaicEventRemoveCallback = qaicEventRemoveCallback,
	.qaicReleaseContext = qaicReleaseContext,
	.qaicGetAicVersion = qaicGetAicVersion,
};

const QAicApiFunctionTable *qaicGetFunctionTable(void)
{
	ENTER();
	return (const QAicApiFunctionTable *)&table;
}
