/* SPDX-License-Identifier: MIT */
/*
 * The QAic API with bad handles: NULL, garbage and released handles and bad
 * arguments must give QS_INVAL, never a crash.  Linked with the simulated
 * libQAic.  Also checks the version call and the function table header.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <qprof/qaic_api.h>
#include "qaic_sim_table.h"

/* A pointer to memory that never was a runtime object. */
static uint64_t garbage_storage[16] = {
	0xdeadbeefdeadbeefull, 0x1, 0x2, 0x3,
};
#define GARBAGE(type) ((type *)(void *)garbage_storage)

static void test_version(void **state)
{
	uint16_t major = 0, minor = 99;
	const char *patch = NULL, *variant = NULL;
	const QAicApiFunctionTable *t;

	(void)state;
	assert_int_equal(qaicGetAicVersion(&major, &minor, &patch, &variant),
			 QS_SUCCESS);
	assert_int_equal(major, LRT_LIB_MAJOR_VERSION);
	assert_int_equal(minor, LRT_LIB_MINOR_VERSION);
	assert_non_null(patch);
	assert_non_null(variant);
	t = qaicGetFunctionTable();
	assert_non_null(t);
	assert_int_equal(t->version, QAIC_SIM_TABLE_VERSION);
	assert_true(t->size >= sizeof(*t));
	/* the table points at the exported functions */
	assert_ptr_equal(t->qaicEnqueueExecObj, qaicEnqueueExecObj);
	assert_ptr_equal(t->qaicCreateContext, qaicCreateContext);
}

static void test_null_arguments(void **state)
{
	QAicContext *ctx = NULL;
	QAicQpcObj *qpc = NULL;
	QID dev = 0;

	(void)state;
	assert_int_equal(qaicCreateContext(NULL, NULL, 1, &dev, NULL, NULL,
					   NULL, NULL), QS_INVAL);
	assert_int_equal(qaicReleaseContext(NULL), QS_INVAL);
	assert_int_equal(qaicOpenQpcFile(NULL, "tiny"), QS_INVAL);
	assert_int_equal(qaicOpenQpcFile(&qpc, NULL), QS_INVAL);
	assert_int_equal(qaicCloseQpc(NULL), QS_INVAL);
	assert_int_equal(qaicProgramPropertiesInitDefault(NULL), QS_INVAL);
	assert_int_equal(qaicCreateProgram(NULL, NULL, NULL, 0, "x", NULL),
			 QS_INVAL);
	assert_int_equal(qaicLoadProgram(NULL), QS_INVAL);
	assert_int_equal(qaicRunActivationCmd(NULL,
					      QAIC_PROGRAM_CMD_ACTIVATE_FULL),
			 QS_INVAL);
	assert_int_equal(qaicReleaseProgram(NULL), QS_INVAL);
	assert_int_equal(qaicCreateQueue(NULL, NULL, NULL, 0), QS_INVAL);
	assert_int_equal(qaicReleaseQueue(NULL), QS_INVAL);
	assert_int_equal(qaicEnqueueExecObj(NULL, NULL, NULL), QS_INVAL);
	assert_int_equal(qaicExecObjWaitForCompletion(NULL, 0), QS_INVAL);
	assert_int_equal(qaicExecObjSetData(NULL, 0, NULL), QS_INVAL);
	assert_int_equal(qaicReleaseExecObj(NULL), QS_INVAL);
	assert_int_equal(qaicCreateEvent(NULL, NULL,
					 QAIC_EVENT_DEVICE_COMPLETE), QS_INVAL);
	assert_int_equal(qaicWaitforEvent(NULL), QS_INVAL);
	assert_int_equal(qaicEventClear(NULL), QS_INVAL);
	assert_int_equal(qaicReleaseEvent(NULL), QS_INVAL);
	assert_null(ctx);
}

static void test_garbage_handles(void **state)
{
	(void)state;
	assert_int_equal(qaicReleaseContext(GARBAGE(QAicContext)), QS_INVAL);
	assert_int_equal(qaicCloseQpc(GARBAGE(QAicQpcObj)), QS_INVAL);
	assert_int_equal(qaicLoadProgram(GARBAGE(QAicProgram)), QS_INVAL);
	assert_int_equal(qaicReleaseQueue(GARBAGE(QAicQueue)), QS_INVAL);
	assert_int_equal(qaicEnqueueExecObj(GARBAGE(QAicQueue),
					    GARBAGE(QAicExecObj), NULL),
			 QS_INVAL);
	assert_int_equal(qaicExecObjWaitForCompletion(GARBAGE(QAicExecObj), 0),
			 QS_INVAL);
	assert_int_equal(qaicWaitforEvent(GARBAGE(QAicEvent)), QS_INVAL);
	assert_int_equal(qaicReleaseEvent(GARBAGE(QAicEvent)), QS_INVAL);
	/* the runtime must not have written into what it was handed */
	assert_true(garbage_storage[0] == 0xdeadbeefdeadbeefull);
}

/* Build a full object set, release it, and use every released handle. */
static void test_released_handles(void **state)
{
	QAicContext *ctx = NULL;
	QAicQpcObj *qpc = NULL;
	QAicProgram *prog = NULL;
	QAicQueue *queue = NULL;
	QAicExecObj *eo = NULL;
	QAicEvent *ev = NULL;
	QAicProgramProperties_t props;
	QData iodesc = { 0 };
	uint32_t nbuf = 0;
	QBuffer *bufs = NULL;
	QID dev = 0;

	(void)state;
	assert_int_equal(qaicCreateContext(&ctx, NULL, 1, &dev, NULL, NULL,
					   NULL, NULL), QS_SUCCESS);
	assert_int_equal(qaicOpenQpcFile(&qpc, "tiny"), QS_SUCCESS);
	assert_int_equal(qaicProgramPropertiesInitDefault(&props), QS_SUCCESS);
	assert_int_equal(qaicCreateProgram(ctx, &prog, &props, dev, "t", qpc),
			 QS_SUCCESS);
	assert_int_equal(qaicLoadProgram(prog), QS_SUCCESS);
	assert_int_equal(qaicRunActivationCmd(prog,
					      QAIC_PROGRAM_CMD_ACTIVATE_FULL),
			 QS_SUCCESS);
	assert_int_equal(qaicCreateQueue(ctx, &queue, NULL, dev), QS_SUCCESS);
	assert_int_equal(qaicProgramGetIoDescriptor(prog, &iodesc), QS_SUCCESS);
	assert_int_equal(qaicCreateExecObj(ctx, &eo, NULL, prog, &iodesc,
					   &nbuf, &bufs), QS_SUCCESS);
	assert_int_equal(qaicCreateEvent(ctx, &ev, QAIC_EVENT_DEVICE_COMPLETE),
			 QS_SUCCESS);

	assert_int_equal(qaicReleaseEvent(ev), QS_SUCCESS);
	assert_int_equal(qaicReleaseEvent(ev), QS_INVAL);
	assert_int_equal(qaicWaitforEvent(ev), QS_INVAL);
	assert_int_equal(qaicEnqueueExecObj(queue, eo, ev), QS_INVAL);

	assert_int_equal(qaicReleaseExecObj(eo), QS_SUCCESS);
	assert_int_equal(qaicReleaseExecObj(eo), QS_INVAL);
	assert_int_equal(qaicEnqueueExecObj(queue, eo, NULL), QS_INVAL);
	assert_int_equal(qaicExecObjWaitForCompletion(eo, 0), QS_INVAL);
	assert_int_equal(qaicExecObjSetData(eo, 0, NULL), QS_INVAL);

	assert_int_equal(qaicRunActivationCmd(prog,
					      QAIC_PROGRAM_CMD_DEACTIVATE_FULL),
			 QS_SUCCESS);
	assert_int_equal(qaicUnloadProgram(prog), QS_SUCCESS);
	assert_int_equal(qaicReleaseProgram(prog), QS_SUCCESS);
	assert_int_equal(qaicReleaseProgram(prog), QS_INVAL);
	assert_int_equal(qaicLoadProgram(prog), QS_INVAL);
	assert_int_equal(qaicCreateExecObj(ctx, &eo, NULL, prog, &iodesc,
					   &nbuf, &bufs), QS_INVAL);

	assert_int_equal(qaicCloseQpc(qpc), QS_SUCCESS);
	assert_int_equal(qaicCloseQpc(qpc), QS_INVAL);
	assert_int_equal(qaicCreateProgram(ctx, &prog, &props, dev, "t", qpc),
			 QS_INVAL);

	assert_int_equal(qaicReleaseQueue(queue), QS_SUCCESS);
	assert_int_equal(qaicReleaseQueue(queue), QS_INVAL);
	assert_int_equal(qaicReleaseContext(ctx), QS_SUCCESS);
	assert_int_equal(qaicReleaseContext(ctx), QS_INVAL);
	assert_int_equal(qaicCreateQueue(ctx, &queue, NULL, dev), QS_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_null_arguments),
		cmocka_unit_test(test_garbage_handles),
		cmocka_unit_test(test_released_handles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
