/* SPDX-License-Identifier: MIT */
/*
 * A two-function QAic "runtime" for the lazy-loading test (lazyload.c):
 * enough for the shim to see a runtime, resolve a real function and emit
 * process_info.  Never installed.
 */
#include <qprof/qaic_api.h>

QStatus qaicReleaseContext(QAicContext *context)
{
	return context ? QS_SUCCESS : QS_INVAL;
}

QStatus qaicGetAicVersion(uint16_t *major, uint16_t *minor,
			  const char **patch, const char **variant)
{
	*major = 1;
	*minor = 2;
	*patch = "3";
	*variant = "fake";
	return QS_SUCCESS;
}
