/* SPDX-License-Identifier: MIT */
/*
 * Public-API contract of the simulated runtime: handle validation (NULL,
 * garbage, wrong type, released handles all give QS_INVAL, never a crash),
 * object states and status codes, log messages for bad descriptions, the
 * function table, version.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <qprof/qaic_api.h>
#include "qaic_sim_table.h"

static char last_log[1024];
static int nlogs;

static void log_cb(QLogLevel level, const char *str, void *ud)
{
	(void)ud;
	if (level >= QL_ERROR) {
		snprintf(last_log, sizeof(last_log), "%s", str);
		nlogs++;
	}
}

static QAicContext *new_ctx(void)
{
	QAicContext *ctx = NULL;

	assert_int_equal(qaicCreateContext(&ctx, NULL, 0, NULL, log_cb, NULL,
					   NULL, NULL), QS_SUCCESS);
	return ctx;
}

static QAicProgram *new_program(QAicContext *ctx, const char *preset,
				QAicQpcObj **qpc)
{
	QAicProgram *pg = NULL;

	assert_int_equal(qaicOpenQpcFile(qpc, preset), QS_SUCCESS);
	assert_int_equal(qaicCreateProgram(ctx, &pg, NULL, 0, "prog", *qpc),
			 QS_SUCCESS);
	return pg;
}

/* devMapping: QIDs of the context joined by ':', none twice. */
static void test_dev_mapping(void **state)
{
	static const char *const bad[] = {
		"0:0", "1", "x", "0:", ":0", "0::0", "-0", "0:1x", "4294967296",
		"0 ", "0:17",
	};
	QAicContext *ctx = new_ctx();
	QAicQpcObj *qpc;
	QAicProgram *pg;
	QAicProgramProperties props;
	QAicExecObj *eo;

	(void)state;
	assert_int_equal(qaicOpenQpcFile(&qpc, "preset:tiny"), QS_SUCCESS);
	assert_int_equal(qaicProgramPropertiesInitDefault(&props), QS_SUCCESS);
	assert_null(props.devMapping);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		nlogs = 0;
		props.devMapping = bad[i];
		assert_int_equal(qaicCreateProgram(ctx, &pg, &props, 0, "m", qpc),
				 QS_INVAL);
		assert_int_equal(nlogs, 1);
		assert_non_null(strstr(last_log, "devMapping"));
	}
	props.devMapping = "";		/* the device argument */
	assert_int_equal(qaicCreateProgram(ctx, &pg, &props, 0, "m", qpc), QS_SUCCESS);
	assert_int_equal(qaicReleaseProgram(pg), QS_SUCCESS);
	props.devMapping = "0";
	assert_int_equal(qaicCreateProgram(ctx, &pg, &props, 0, "m", qpc), QS_SUCCESS);
	props.devMapping = "garbage after creation";	/* not kept */
	assert_int_equal(qaicCreateExecObj(ctx, &eo, NULL, pg, NULL, NULL, NULL),
			 QS_SUCCESS);
	assert_int_equal(qaicReleaseExecObj(eo), QS_SUCCESS);
	assert_int_equal(qaicReleaseProgram(pg), QS_SUCCESS);
	assert_int_equal(qaicCloseQpc(qpc), QS_SUCCESS);
	assert_int_equal(qaicReleaseContext(ctx), QS_SUCCESS);
}

static void test_version(void **state)
{
	uint16_t maj = 0, min = 1;
	const char *patch = NULL, *variant = NULL;
	QDevInfo info;

	assert_int_equal(qaicGetAicVersion(&maj, &min, &patch, &variant), QS_SUCCESS);
	assert_int_equal(maj, 10);
	assert_int_equal(min, 0);
	assert_string_equal(patch, "qprof-sim");
	assert_string_equal(variant, "sim");
	assert_int_equal(qaicGetAicVersion(NULL, &min, &patch, &variant), QS_INVAL);
	assert_int_equal(qaicGetDeviceInfo(0, &info), QS_SUCCESS);
	assert_int_equal(info.devStatus, QDS_READY);
	assert_int_equal(qaicGetDeviceInfo(0, NULL), QS_INVAL);
	assert_int_equal(qaicGetDeviceInfo(99, &info), QS_INVAL);
	assert_int_equal(qaicGetDeviceInfo(-1, &info), QS_INVAL);
}

/* Every API taking a handle, given something that is not a live handle. */
static void check_all_reject(void *h)
{
	QAicQpcObj *qpc;
	QAicProgram *pg;
	QAicQueue *q;
	QAicExecObj *eo;
	QAicEvent *ev;
	QAicIoBufferInfo *bi;
	QAicProgramInfo pi;
	QAicProgramGroup *grp;
	QData io;
	QBuffer b = { 0 }, *pb;
	uint32_t n;

	assert_int_equal(qaicSetLogLevel(h, QL_INFO), QS_INVAL);
	assert_int_equal(qaicCloseQpc(h), QS_INVAL);
	assert_int_equal(qaicCreateProgram(h, &pg, NULL, 0, "x", h), QS_INVAL);
	assert_int_equal(qaicLoadProgram(h), QS_INVAL);
	assert_int_equal(qaicUnloadProgram(h), QS_INVAL);
	assert_int_equal(qaicRunActivationCmd(h, QAIC_PROGRAM_CMD_ACTIVATE_FULL), QS_INVAL);
	assert_int_equal(qaicProgramGetIoDescriptor(h, &io), QS_INVAL);
	assert_int_equal(qaicProgramGetIoBufferInfo(h, &bi), QS_INVAL);
	assert_int_equal(qaicProgramGetInfo(h, &pi), QS_INVAL);
	assert_int_equal(qaicCreateQueue(h, &q, NULL, 0), QS_INVAL);
	assert_int_equal(qaicCreateExecObj(h, &eo, NULL, h, NULL, NULL, NULL), QS_INVAL);
	assert_int_equal(qaicExecObjSetData(h, 1, &b), QS_INVAL);
	assert_int_equal(qaicExecObjSetDataExt(h, 1, &b, NULL), QS_INVAL);
	assert_int_equal(qaicExecObjGetIoBuffers(h, &n, &pb), QS_INVAL);
	assert_int_equal(qaicEnqueueExecObj(h, h, NULL), QS_INVAL);
	assert_int_equal(qaicExecObjWaitForCompletion(h, 1000), QS_INVAL);
	assert_int_equal(qaicCreateEvent(h, &ev, QAIC_EVENT_DEVICE_COMPLETE), QS_INVAL);
	assert_int_equal(qaicEventAddCallback(h, NULL, NULL), QS_INVAL);
	assert_int_equal(qaicEventRemoveCallback(h, NULL), QS_INVAL);
	assert_int_equal(qaicEventClear(h), QS_INVAL);
	assert_int_equal(qaicWaitforEvent(h), QS_INVAL);
	assert_int_equal(qaicReleaseEvent(h), QS_INVAL);
	assert_int_equal(qaicReleaseExecObj(h), QS_INVAL);
	assert_int_equal(qaicReleaseQueue(h), QS_INVAL);
	assert_int_equal(qaicReleaseProgram(h), QS_INVAL);
	assert_int_equal(qaicReleaseContext(h), QS_INVAL);
	assert_int_equal(qaicCreateProgramGroup(h, &grp, &q, NULL, "g", 0), QS_INVAL);
	assert_int_equal(qaicProgramGroupAddProgram(h, h, &pg, NULL), QS_INVAL);
	assert_int_equal(qaicProgramGroupEnable(h), QS_INVAL);
	assert_int_equal(qaicProgramGroupDisable(h, true, 1000), QS_INVAL);
	assert_int_equal(qaicReleaseProgramGroup(h), QS_INVAL);
	(void)qpc;
}

static void test_bad_handles(void **state)
{
	uint64_t garbage[64];
	void *heap = calloc(1, 4096);

	memset(garbage, 0xa5, sizeof(garbage));
	check_all_reject(NULL);
	check_all_reject(garbage);
	check_all_reject(heap);
	check_all_reject((void *)(uintptr_t)0x10);
	free(heap);
}

static void test_released_and_wrong_type(void **state)
{
	QAicContext *ctx = new_ctx();
	QAicQpcObj *qpc;
	QAicProgram *pg = new_program(ctx, "tiny", &qpc);
	QAicQueue *q;
	QAicExecObj *eo;
	QAicEvent *ev;

	assert_int_equal(qaicCreateQueue(ctx, &q, NULL, 0), QS_SUCCESS);
	assert_int_equal(qaicCreateEvent(ctx, &ev, QAIC_EVENT_DEVICE_COMPLETE), QS_SUCCESS);
	assert_int_equal(qaicCreateExecObj(ctx, &eo, NULL, pg, NULL, NULL, NULL), QS_SUCCESS);

	/* a live handle of another type */
	assert_int_equal(qaicLoadProgram((QAicProgram *)q), QS_INVAL);
	assert_int_equal(qaicEnqueueExecObj((QAicQueue *)eo, (QAicExecObj *)q, NULL), QS_INVAL);
	assert_int_equal(qaicWaitforEvent((QAicEvent *)ctx), QS_INVAL);
	assert_int_equal(qaicReleaseQueue((QAicQueue *)ev), QS_INVAL);
	assert_int_equal(qaicEnqueueExecObj(q, eo, (QAicEvent *)pg), QS_INVAL);

	assert_int_equal(qaicReleaseExecObj(eo), QS_SUCCESS);
	assert_int_equal(qaicReleaseEvent(ev), QS_SUCCESS);
	assert_int_equal(qaicReleaseQueue(q), QS_SUCCESS);
	assert_int_equal(qaicReleaseProgram(pg), QS_SUCCESS);
	assert_int_equal(qaicCloseQpc(qpc), QS_SUCCESS);
	assert_int_equal(qaicReleaseContext(ctx), QS_SUCCESS);

	/* released: all rejected, double release too */
	check_all_reject(eo);
	check_all_reject(ev);
	check_all_reject(q);
	check_all_reject(pg);
	check_all_reject(qpc);
	check_all_reject(ctx);
}

/*
 * A group owns its queue and programs: the application may use them (exec
 * objects, enqueue, info) but not load, activate, release them itself;
 * exec objects need the group enabled; released, every handle is refused.
 */
static void test_group_ownership(void **state)
{
	QAicContext *ctx = new_ctx();
	QAicQpcObj *qpc;
	QAicProgramGroup *g;
	QAicProgramGroupProperties gp;
	QAicProgram *pg;
	QAicQueue *q;
	QAicExecObj *eo;
	QAicProgramInfo pi;

	assert_int_equal(qaicProgramGroupPropertiesInitDefault(NULL), QS_INVAL);
	assert_int_equal(qaicProgramGroupPropertiesInitDefault(&gp), QS_SUCCESS);
	assert_int_equal(gp.protocolSelect, QAIC_PROGRAM_GROUP_PROTOCOL_DATA_PATH);
	gp.enableOversubscription = QAIC_PROGRAM_GROUP_PROPERTIES_OVERSUBSCRIPTION_ENABLED;
	assert_int_equal(qaicCreateProgramGroup(ctx, &g, &q, &gp, "g", 9), QS_INVAL);
	assert_int_equal(qaicCreateProgramGroup(ctx, &g, NULL, &gp, "g", 0), QS_INVAL);
	assert_int_equal(qaicCreateProgramGroup(ctx, &g, &q, &gp, "g", 0), QS_SUCCESS);
	assert_int_equal(qaicOpenQpcFile(&qpc, "tiny"), QS_SUCCESS);
	assert_int_equal(qaicProgramGroupAddProgram(g, qpc, NULL, NULL), QS_INVAL);
	assert_int_equal(qaicProgramGroupAddProgram(g, qpc, &pg, NULL), QS_SUCCESS);
	assert_int_equal(qaicProgramGetInfo(pg, &pi), QS_SUCCESS);
	assert_int_equal(pi.status, QAIC_PROGRAM_INIT);
	/* not enabled: no exec object, no auto-activation */
	assert_int_equal(qaicCreateExecObj(ctx, &eo, NULL, pg, NULL, NULL, NULL), QS_INVAL);
	assert_int_equal(qaicLoadProgram(pg), QS_INVAL);
	assert_int_equal(qaicRunActivationCmd(pg, QAIC_PROGRAM_CMD_ACTIVATE_FULL), QS_INVAL);
	assert_int_equal(qaicProgramGroupEnable(g), QS_SUCCESS);
	assert_int_equal(qaicProgramGetInfo(pg, &pi), QS_SUCCESS);
	assert_int_equal(pi.status, QAIC_PROGRAM_FULLY_ACTIVATED);
	assert_int_equal(qaicRunActivationCmd(pg, QAIC_PROGRAM_CMD_DEACTIVATE_FULL), QS_INVAL);
	assert_int_equal(qaicUnloadProgram(pg), QS_INVAL);
	assert_int_equal(qaicReleaseProgram(pg), QS_INVAL);
	assert_int_equal(qaicReleaseQueue(q), QS_INVAL);
	assert_int_equal(qaicCreateExecObj(ctx, &eo, NULL, pg, NULL, NULL, NULL), QS_SUCCESS);
	assert_int_equal(qaicEnqueueExecObj(q, eo, NULL), QS_SUCCESS);
	assert_int_equal(qaicExecObjWaitForCompletion(eo, 0), QS_SUCCESS);
	assert_int_equal(qaicProgramGroupDisable(g, true, 1000000), QS_SUCCESS);
	assert_int_equal(qaicProgramGetInfo(pg, &pi), QS_SUCCESS);
	assert_int_equal(pi.status, QAIC_PROGRAM_LOADED);
	assert_int_equal(qaicEnqueueExecObj(q, eo, NULL), QS_INVAL);
	assert_int_equal(qaicReleaseExecObj(eo), QS_SUCCESS);
	assert_int_equal(qaicReleaseProgramGroup(g), QS_SUCCESS);
	assert_int_equal(qaicReleaseProgramGroup(g), QS_INVAL);
	check_all_reject(g);
	check_all_reject(q);
	check_all_reject(pg);
	assert_int_equal(qaicCloseQpc(qpc), QS_SUCCESS);
	assert_int_equal(qaicReleaseContext(ctx), QS_SUCCESS);
}

static void test_bad_arguments(void **state)
{
	QAicContext *ctx = new_ctx(), *c2;
	QAicQpcObj *qpc;
	QAicProgram *pg = new_program(ctx, "preset:tiny", &qpc), *p2;
	QAicQueue *q;
	QAicEvent *ev;
	QID bad_dev = 7;
	QAicQueueProperties qp = { QAIC_QUEUE_PROPERTIES_ENABLE_MULTI_THREADED_QUEUES, 1000 };

	assert_int_equal(qaicCreateContext(NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL), QS_INVAL);
	assert_int_equal(qaicCreateContext(&c2, NULL, 1, &bad_dev, NULL, NULL, NULL, NULL), QS_INVAL);
	assert_int_equal(qaicCreateContext(&c2, NULL, 1, NULL, NULL, NULL, NULL, NULL), QS_INVAL);
	assert_int_equal(qaicSetLogLevel(ctx, (QLogLevel)9), QS_INVAL);
	assert_int_equal(qaicCreateProgram(ctx, &p2, NULL, 5, "x", qpc), QS_INVAL);
	assert_int_equal(qaicCreateProgram(ctx, NULL, NULL, 0, "x", qpc), QS_INVAL);
	assert_int_equal(qaicCreateQueue(ctx, &q, NULL, 3), QS_INVAL);
	assert_int_equal(qaicCreateQueue(ctx, &q, &qp, 0), QS_INVAL);
	assert_int_equal(qaicCreateEvent(ctx, &ev, (QAicEventCompletionType)5), QS_INVAL);
	assert_int_equal(qaicRunActivationCmd(pg, QAIC_PROGRAM_CMD_INVAL), QS_INVAL);
	assert_int_equal(qaicProgramGetInfo(pg, NULL), QS_INVAL);
	assert_int_equal(qaicOpenQpc(&qpc, NULL, 3, false), QS_INVAL);
	assert_int_equal(qaicOpenQpcFile(&qpc, ""), QS_INVAL);
	assert_int_equal(qaicProgramPropertiesInitDefault(NULL), QS_INVAL);
	assert_int_equal(qaicReleaseProgram(pg), QS_SUCCESS);
	assert_int_equal(qaicCloseQpc(qpc), QS_SUCCESS);
	assert_int_equal(qaicReleaseContext(ctx), QS_SUCCESS);
}

static void test_bad_description_logged(void **state)
{
	static const char text[] = "name = n\ncompute_us = 10\ncomputeus = 5\n";
	QAicContext *ctx = new_ctx();
	QAicQpcObj *qpc = NULL;
	static const uint8_t realqpc[16] = { 0x7c, 0xcd, 0xa1, 0x00 };

	nlogs = 0;
	assert_int_equal(qaicOpenQpc(&qpc, (const uint8_t *)text, sizeof(text) - 1, false), QS_INVAL);
	assert_int_equal(nlogs, 1);
	assert_string_equal(last_log, "<qpc buffer>:3: unknown key 'computeus'");
	assert_int_equal(qaicOpenQpcFile(&qpc, "no-such-preset"), QS_INVAL);
	assert_non_null(strstr(last_log, "no-such-preset: no such file or preset"));
	assert_int_equal(qaicOpenQpc(&qpc, realqpc, sizeof(realqpc), false), QS_UNSUPPORTED);
	assert_null(qpc);
	assert_int_equal(qaicReleaseContext(ctx), QS_SUCCESS);
}

static void test_program_states(void **state)
{
	QAicContext *ctx = new_ctx();
	QAicQpcObj *qpc;
	QAicProgram *pg = new_program(ctx, "tiny", &qpc);
	QAicExecObjProperties noauto = 0;
	QAicProgramInfo pi;
	QAicIoBufferInfo *bi;
	QAicExecObj *eo;
	QData io;

	assert_int_equal(qaicProgramGetInfo(pg, &pi), QS_SUCCESS);
	assert_int_equal(pi.status, QAIC_PROGRAM_INIT);
	assert_int_equal(pi.batchSize, 1);
	assert_int_equal(pi.isAicStatsAvailable, 1);
	/* without auto-activation an exec object needs an active program */
	assert_int_equal(qaicCreateExecObj(ctx, &eo, &noauto, pg, NULL, NULL, NULL), QS_INVAL);
	assert_int_equal(qaicLoadProgram(pg), QS_SUCCESS);
	assert_int_equal(qaicLoadProgram(pg), QS_SUCCESS);
	assert_int_equal(qaicProgramGetInfo(pg, &pi), QS_SUCCESS);
	assert_int_equal(pi.status, QAIC_PROGRAM_LOADED);
	assert_int_equal(qaicRunActivationCmd(pg, QAIC_PROGRAM_CMD_ACTIVATE_FULL), QS_SUCCESS);
	assert_int_equal(qaicProgramGetInfo(pg, &pi), QS_SUCCESS);
	assert_int_equal(pi.status, QAIC_PROGRAM_FULLY_ACTIVATED);
	assert_int_equal(qaicCreateExecObj(ctx, &eo, &noauto, pg, NULL, NULL, NULL), QS_SUCCESS);
	/* live exec objects pin the activation */
	assert_int_equal(qaicRunActivationCmd(pg, QAIC_PROGRAM_CMD_DEACTIVATE_FULL), QS_BUSY);
	assert_int_equal(qaicUnloadProgram(pg), QS_BUSY);
	assert_int_equal(qaicReleaseExecObj(eo), QS_SUCCESS);
	assert_int_equal(qaicRunActivationCmd(pg, QAIC_PROGRAM_CMD_DEACTIVATE_FULL), QS_SUCCESS);
	assert_int_equal(qaicProgramGetInfo(pg, &pi), QS_SUCCESS);
	assert_int_equal(pi.status, QAIC_PROGRAM_LOADED);
	assert_int_equal(qaicUnloadProgram(pg), QS_SUCCESS);
	assert_int_equal(qaicProgramGetInfo(pg, &pi), QS_SUCCESS);
	assert_int_equal(pi.status, QAIC_PROGRAM_INIT);

	/* IO layout: inputs, outputs, aiccyclecounts; descriptor = text */
	assert_int_equal(qaicProgramGetIoBufferInfo(pg, &bi), QS_SUCCESS);
	assert_int_equal(bi->numBufferMappings, 3);
	assert_string_equal(bi->bufferMappings[0].bufferName, "in");
	assert_int_equal(bi->bufferMappings[0].ioType, BUFFER_IO_TYPE_INPUT);
	assert_int_equal(bi->bufferMappings[0].size, 256);
	assert_string_equal(bi->bufferMappings[1].bufferName, "out");
	assert_int_equal(bi->bufferMappings[1].ioType, BUFFER_IO_TYPE_OUTPUT);
	assert_string_equal(bi->bufferMappings[2].bufferName, "aiccyclecounts");
	assert_int_equal(bi->bufferMappings[2].size, 64);
	assert_int_equal(bi->bufferMappings[2].index, 2);
	assert_int_equal(qaicProgramGetIoDescriptor(pg, &io), QS_SUCCESS);
	assert_true(io.size > 0);
	assert_non_null(strstr((const char *)io.data, "name = tiny"));

	assert_int_equal(qaicReleaseProgram(pg), QS_SUCCESS);
	assert_int_equal(qaicCloseQpc(qpc), QS_SUCCESS);
	assert_int_equal(qaicReleaseContext(ctx), QS_SUCCESS);
}

static void test_execobj_data(void **state)
{
	QAicContext *ctx = new_ctx();
	QAicQpcObj *qpc;
	QAicProgram *pg = new_program(ctx, "tiny", &qpc);
	QAicQueue *q;
	QAicExecObj *eo;
	QBuffer *rtb, *rtb2, b[3];
	uint8_t in[256], out[256], cyc[64];
	uint32_t n = 0, n2 = 0;
	QAicEvent *ev;

	assert_int_equal(qaicCreateQueue(ctx, &q, NULL, 0), QS_SUCCESS);
	assert_int_equal(qaicCreateExecObj(ctx, &eo, NULL, pg, NULL, &n, &rtb), QS_SUCCESS);
	assert_int_equal(n, 3);
	assert_int_equal(qaicExecObjGetIoBuffers(eo, &n2, &rtb2), QS_SUCCESS);
	assert_int_equal(n2, 3);
	assert_ptr_equal(rtb, rtb2);
	assert_int_equal(rtb[0].size, 256);
	assert_non_null(rtb[0].buf);
	assert_int_equal(rtb[2].size, 64);

	memset(b, 0, sizeof(b));
	b[0].buf = in;
	b[0].size = sizeof(in);
	b[1].buf = out;
	b[1].size = sizeof(out);
	b[2].buf = cyc;
	b[2].size = sizeof(cyc);
	assert_int_equal(qaicExecObjSetData(eo, 1, b), QS_INVAL);	/* count */
	b[1].size = 255;
	assert_int_equal(qaicExecObjSetData(eo, 3, b), QS_INVAL);	/* size */
	b[1].size = 256;
	b[1].type = QBUFFER_TYPE_DMABUF;
	assert_int_equal(qaicExecObjSetData(eo, 3, b), QS_UNSUPPORTED);
	b[1].type = QBUFFER_TYPE_HEAP;
	assert_int_equal(qaicExecObjSetData(eo, 3, b), QS_SUCCESS);
	assert_int_equal(qaicExecObjSetData(eo, 2, b), QS_SUCCESS);	/* w/o aiccyclecounts */

	/* never enqueued: completion is immediate */
	assert_int_equal(qaicExecObjWaitForCompletion(eo, 1000), QS_SUCCESS);
	assert_int_equal(qaicCreateEvent(ctx, &ev, QAIC_EVENT_DEVICE_COMPLETE), QS_SUCCESS);
	assert_int_equal(qaicWaitforEvent(ev), QS_SUCCESS);
	assert_int_equal(qaicEventRemoveCallback(ev, NULL), QS_INVAL);
	assert_int_equal(qaicEventAddCallback(ev, NULL, NULL), QS_INVAL);

	/* one inference in flight per exec object: the second enqueue is
	 * refused while the first runs, or succeeds after it finished */
	assert_int_equal(qaicEnqueueExecObj(q, eo, ev), QS_SUCCESS);
	{
		QStatus st = qaicEnqueueExecObj(q, eo, NULL);

		assert_true(st == QS_BUSY || st == QS_SUCCESS);
	}
	assert_int_equal(qaicExecObjWaitForCompletion(eo, 0), QS_SUCCESS);
	assert_int_equal(qaicWaitforEvent(ev), QS_SUCCESS);
	assert_int_equal(qaicEventClear(ev), QS_SUCCESS);
	assert_int_equal(qaicReleaseEvent(ev), QS_SUCCESS);
	assert_int_equal(qaicReleaseExecObj(eo), QS_SUCCESS);
	assert_int_equal(qaicReleaseQueue(q), QS_SUCCESS);
	assert_int_equal(qaicReleaseProgram(pg), QS_SUCCESS);
	assert_int_equal(qaicCloseQpc(qpc), QS_SUCCESS);
	assert_int_equal(qaicReleaseContext(ctx), QS_SUCCESS);
}

/* Children outlive a released context and program. */
static void test_release_order(void **state)
{
	QAicContext *ctx = new_ctx();
	QAicQpcObj *qpc;
	QAicProgram *pg = new_program(ctx, "tiny", &qpc);
	QAicQueue *q;
	QAicExecObj *eo;

	assert_int_equal(qaicCreateQueue(ctx, &q, NULL, 0), QS_SUCCESS);
	assert_int_equal(qaicCreateExecObj(ctx, &eo, NULL, pg, NULL, NULL, NULL), QS_SUCCESS);
	assert_int_equal(qaicCloseQpc(qpc), QS_SUCCESS);
	assert_int_equal(qaicReleaseContext(ctx), QS_SUCCESS);
	assert_int_equal(qaicReleaseProgram(pg), QS_SUCCESS);
	assert_int_equal(qaicEnqueueExecObj(q, eo, NULL), QS_SUCCESS);
	assert_int_equal(qaicExecObjWaitForCompletion(eo, 0), QS_SUCCESS);
	assert_int_equal(qaicReleaseExecObj(eo), QS_SUCCESS);
	assert_int_equal(qaicReleaseQueue(q), QS_SUCCESS);
}

#define ENTRY(name) { #name, offsetof(struct QAicApiFunctionTable, name) }

static void test_function_table(void **state)
{
	static const struct {
		const char *name;
		size_t off;
	} entries[] = {
		ENTRY(qaicGetAicVersion), ENTRY(qaicGetDeviceInfo),
		ENTRY(qaicCreateContext), ENTRY(qaicSetLogLevel),
		ENTRY(qaicReleaseContext), ENTRY(qaicOpenQpc),
		ENTRY(qaicOpenQpcFile), ENTRY(qaicCloseQpc),
		ENTRY(qaicProgramPropertiesInitDefault), ENTRY(qaicCreateProgram),
		ENTRY(qaicLoadProgram), ENTRY(qaicUnloadProgram),
		ENTRY(qaicRunActivationCmd), ENTRY(qaicReleaseProgram),
		ENTRY(qaicProgramGetIoDescriptor), ENTRY(qaicProgramGetIoBufferInfo),
		ENTRY(qaicProgramGetInfo), ENTRY(qaicCreateQueue),
		ENTRY(qaicReleaseQueue), ENTRY(qaicCreateExecObj),
		ENTRY(qaicExecObjSetData), ENTRY(qaicExecObjSetDataExt),
		ENTRY(qaicExecObjGetIoBuffers), ENTRY(qaicEnqueueExecObj),
		ENTRY(qaicExecObjWaitForCompletion), ENTRY(qaicReleaseExecObj),
		ENTRY(qaicCreateEvent), ENTRY(qaicEventAddCallback),
		ENTRY(qaicEventRemoveCallback), ENTRY(qaicEventClear),
		ENTRY(qaicWaitforEvent), ENTRY(qaicReleaseEvent),
		ENTRY(qaicProgramGroupPropertiesInitDefault),
		ENTRY(qaicCreateProgramGroup), ENTRY(qaicProgramGroupAddProgram),
		ENTRY(qaicProgramGroupEnable), ENTRY(qaicProgramGroupDisable),
		ENTRY(qaicReleaseProgramGroup),
	};
	const struct QAicApiFunctionTable *t = qaicGetFunctionTable();
	const char *lib = getenv("RT_LIB");
	void *h;
	size_t i;

	assert_non_null(t);
	assert_int_equal(t->version, QAIC_SIM_TABLE_VERSION);
	assert_int_equal(t->size, sizeof(*t));
	assert_int_equal(sizeof(entries) / sizeof(entries[0]),
			 (sizeof(*t) - offsetof(struct QAicApiFunctionTable, qaicGetAicVersion)) / sizeof(void *));
	assert_non_null(lib);
	h = dlopen(lib, RTLD_NOW | RTLD_NOLOAD);
	assert_non_null(h);
	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		void *fp;

		memcpy(&fp, (const char *)t + entries[i].off, sizeof(fp));
		if (fp != dlsym(h, entries[i].name)) {
			print_error("table entry %s != dlsym\n", entries[i].name);
			fail();
		}
	}
	dlclose(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_bad_handles),
		cmocka_unit_test(test_released_and_wrong_type),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_bad_description_logged),
		cmocka_unit_test(test_program_states),
		cmocka_unit_test(test_execobj_data),
		cmocka_unit_test(test_release_order),
		cmocka_unit_test(test_function_table),
		cmocka_unit_test(test_group_ownership),
		cmocka_unit_test(test_dev_mapping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
