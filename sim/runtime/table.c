/* SPDX-License-Identifier: MIT */
/*
 * qaicGetFunctionTable(): a static table in the layout of qaic_sim_table.h.
 * The library is linked with -Bsymbolic-functions, so every member is the
 * library's own definition (what dlsym(libQAic, name) returns), even when an
 * LD_PRELOAD library interposes the exported names.
 */
#include "qaic_sim_table.h"
#include "rt.h"

#define F(name) .name = name

static const struct QAicApiFunctionTable table = {
	.version = QAIC_SIM_TABLE_VERSION,
	.size = sizeof(struct QAicApiFunctionTable),
	F(qaicGetAicVersion),
	F(qaicGetDeviceInfo),
	F(qaicCreateContext),
	F(qaicSetLogLevel),
	F(qaicReleaseContext),
	F(qaicOpenQpc),
	F(qaicOpenQpcFile),
	F(qaicCloseQpc),
	F(qaicProgramPropertiesInitDefault),
	F(qaicCreateProgram),
	F(qaicLoadProgram),
	F(qaicUnloadProgram),
	F(qaicRunActivationCmd),
	F(qaicReleaseProgram),
	F(qaicProgramGetIoDescriptor),
	F(qaicProgramGetIoBufferInfo),
	F(qaicProgramGetInfo),
	F(qaicCreateQueue),
	F(qaicReleaseQueue),
	F(qaicCreateExecObj),
	F(qaicExecObjSetData),
	F(qaicExecObjSetDataExt),
	F(qaicExecObjGetIoBuffers),
	F(qaicEnqueueExecObj),
	F(qaicExecObjWaitForCompletion),
	F(qaicReleaseExecObj),
	F(qaicCreateEvent),
	F(qaicEventAddCallback),
	F(qaicEventRemoveCallback),
	F(qaicEventClear),
	F(qaicWaitforEvent),
	F(qaicReleaseEvent),
	F(qaicProgramGroupPropertiesInitDefault),
	F(qaicCreateProgramGroup),
	F(qaicProgramGroupAddProgram),
	F(qaicProgramGroupEnable),
	F(qaicProgramGroupDisable),
	F(qaicReleaseProgramGroup),
};

QAIC_EXPORT const QAicApiFunctionTable *qaicGetFunctionTable(void)
{
	return &table;
}
