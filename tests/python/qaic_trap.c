/* SPDX-License-Identifier: MIT */
/*
 * A trap for the QAic C API (tests/python/python_bypass.sh): LD_PRELOADed,
 * it defines every exported function of the simulated libQAic.so
 * (sim/runtime/libQAic.map), so that any call through those dynamic symbols
 * lands here, prints its name and aborts.  The prototypes do not matter: an
 * interposer only needs the names.
 */
#include <stdio.h>
#include <stdlib.h>

#define TRAP(name) \
	void name(void); \
	void name(void) \
	{ \
		fprintf(stderr, "qaic_trap: %s called through its exported symbol\\n", #name); \
		abort(); \
	}

TRAP(qaicGetAicVersion)
TRAP(qaicGetDeviceInfo)
TRAP(qaicGetFunctionTable)
TRAP(qaicCreateContext)
TRAP(qaicSetLogLevel)
TRAP(qaicReleaseContext)
TRAP(qaicOpenQpc)
TRAP(qaicOpenQpcFile)
TRAP(qaicCloseQpc)
TRAP(qaicProgramPropertiesInitDefault)
TRAP(qaicCreateProgram)
TRAP(qaicLoadProgram)
TRAP(qaicUnloadProgram)
TRAP(qaicRunActivationCmd)
TRAP(qaicReleaseProgram)
TRAP(qaicProgramGetIoDescriptor)
TRAP(qaicProgramGetIoBufferInfo)
TRAP(qaicProgramGetInfo)
TRAP(qaicCreateQueue)
TRAP(qaicReleaseQueue)
TRAP(qaicCreateExecObj)
TRAP(qaicExecObjSetData)
TRAP(qaicExecObjSetDataExt)
TRAP(qaicExecObjGetIoBuffers)
TRAP(qaicEnqueueExecObj)
TRAP(qaicExecObjWaitForCompletion)
TRAP(qaicReleaseExecObj)
TRAP(qaicCreateEvent)
TRAP(qaicEventAddCallback)
TRAP(qaicEventRemoveCallback)
TRAP(qaicEventClear)
TRAP(qaicWaitforEvent)
TRAP(qaicReleaseEvent)
TRAP(qaicProgramGroupPropertiesInitDefault)
TRAP(qaicCreateProgramGroup)
TRAP(qaicProgramGroupAddProgram)
TRAP(qaicProgramGroupEnable)
TRAP(qaicProgramGroupDisable)
TRAP(qaicReleaseProgramGroup)
