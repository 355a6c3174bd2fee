/* SPDX-License-Identifier: MIT */
/* The fake runtime's own function-table layout (tests only). */
#ifndef FAKEQAIC_H
#define FAKEQAIC_H

#include <qprof/qaic_api.h>

#define FAKE_ERRNO 1234
#define FAKE_TABLE_VERSION 7u
#define FAKE_TABLE_MAGIC 0x5eed5eed5eedull

struct fake_table {
	uint32_t version;
	uint32_t size;
	uint64_t magic;		/* words the shim must copy unchanged */
	const void *data;
	QStatus (*qaicCreateContext)(QAicContext **, QAicContextProperties_t *,
				     uint32_t, QID *, QAicLogCallback, void *,
				     QAicErrorHandler, void *);
	QStatus (*qaicEnqueueExecObj)(QAicQueue *, QAicExecObj *, QAicEvent *);
	QStatus (*qaicEventAddCallback)(QAicEvent *, QAicEventCallback, void *);
	QStatus (*qaicEventRemoveCallback)(QAicEvent *, QAicEventCallback);
	QStatus (*qaicReleaseContext)(QAicContext *);
	QStatus (*qaicGetAicVersion)(uint16_t *, uint16_t *, const char **,
				     const char **);
};

#endif
