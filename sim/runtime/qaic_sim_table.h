/* SPDX-License-Identifier: MIT */
/*
 * Layout of the simulated runtime's function table, as returned by
 * qaicGetFunctionTable().
 *
 * The closed runtime's QAicApiFunctionTable layout is not public
 * (docs/CONTRACTS.md §1.1, §5), so this is the simulator's own, documented
 * layout.  It is what loaders written against the simulator
 * (sim/apps/qaic-sim-loader) use; the preload shim must NOT rely on it (it
 * treats the table as opaque).
 *
 * Rules:
 *  - `version` is QAIC_SIM_TABLE_VERSION; `size` is sizeof(struct
 *    QAicApiFunctionTable) of the library.  A loader checks
 *    `version == QAIC_SIM_TABLE_VERSION && size >= sizeof(its struct)`.
 *  - Members are appended only; existing members never move.
 *  - Every member points at the same function the library exports under the
 *    member's name (the address dlsym(libQAic, name) returns), never at an
 *    interposed copy.
 */
#ifndef QPROF_QAIC_SIM_TABLE_H
#define QPROF_QAIC_SIM_TABLE_H

#include <stdint.h>
#include <qprof/qaic_api.h>

#ifdef __cplusplus
extern "C" {
#endif

#define QAIC_SIM_TABLE_VERSION 1

struct QAicApiFunctionTable {
	uint32_t version;
	uint32_t size;

	QStatus (*qaicGetAicVersion)(uint16_t *major, uint16_t *minor,
				     const char **patch, const char **variant);
	QStatus (*qaicGetDeviceInfo)(QID dev, QDevInfo *info);

	QStatus (*qaicCreateContext)(QAicContext **ctx,
				     QAicContextProperties_t *props,
				     uint32_t numDevices, QID *devList,
				     QAicLogCallback logCb, void *logUserData,
				     QAicErrorHandler errorHandler,
				     void *errUserData);
	QStatus (*qaicSetLogLevel)(QAicContext *ctx, QLogLevel level);
	QStatus (*qaicReleaseContext)(QAicContext *ctx);

	QStatus (*qaicOpenQpc)(QAicQpcObj **qpc, const uint8_t *buf,
			       size_t size, bool copy);
	QStatus (*qaicOpenQpcFile)(QAicQpcObj **qpc, const char *path);
	QStatus (*qaicCloseQpc)(QAicQpcObj *qpc);

	QStatus (*qaicProgramPropertiesInitDefault)(QAicProgramProperties_t *props);
	QStatus (*qaicCreateProgram)(QAicContext *ctx, QAicProgram **program,
				     QAicProgramProperties_t *props, QID dev,
				     const char *name, QAicQpcObj *qpc);
	QStatus (*qaicLoadProgram)(QAicProgram *program);
	QStatus (*qaicUnloadProgram)(QAicProgram *program);
	QStatus (*qaicRunActivationCmd)(QAicProgram *program,
					QAicProgramActivationCmd cmd);
	QStatus (*qaicReleaseProgram)(QAicProgram *program);
	QStatus (*qaicProgramGetIoDescriptor)(QAicProgram *program,
					      QData *ioDesc);
	QStatus (*qaicProgramGetIoBufferInfo)(QAicProgram *program,
					      QAicIoBufferInfo_t **info);
	QStatus (*qaicProgramGetInfo)(QAicProgram *program,
				      QAicProgramInfo *info);

	QStatus (*qaicCreateQueue)(QAicContext *ctx, QAicQueue **queue,
				   QAicQueueProperties *props, QID dev);
	QStatus (*qaicReleaseQueue)(QAicQueue *queue);

	QStatus (*qaicCreateExecObj)(QAicContext *ctx, QAicExecObj **execObj,
				     QAicExecObjProperties_t *props,
				     QAicProgram *program, const QData *ioDesc,
				     uint32_t *numBuffers, QBuffer **buffers);
	QStatus (*qaicExecObjSetData)(QAicExecObj *execObj,
				      uint32_t numBuffers,
				      const QBuffer *buffers);
	QStatus (*qaicExecObjSetDataExt)(QAicExecObj *execObj,
					 uint32_t numBuffers,
					 const QBuffer *buffers,
					 const QBufferDimensions *dims);
	QStatus (*qaicExecObjGetIoBuffers)(const QAicExecObj *execObj,
					   uint32_t *numBuffers,
					   QBuffer **buffers);
	QStatus (*qaicEnqueueExecObj)(QAicQueue *queue, QAicExecObj *execObj,
				      QAicEvent *event);
	QStatus (*qaicExecObjWaitForCompletion)(QAicExecObj *execObj,
						uint32_t timeoutUs);
	QStatus (*qaicReleaseExecObj)(QAicExecObj *execObj);

	QStatus (*qaicCreateEvent)(QAicContext *ctx, QAicEvent **event,
				   QAicEventCompletionType type);
	QStatus (*qaicEventAddCallback)(QAicEvent *event, QAicEventCallback cb,
					void *userData);
	QStatus (*qaicEventRemoveCallback)(QAicEvent *event,
					   QAicEventCallback cb);
	QStatus (*qaicEventClear)(QAicEvent *event);
	QStatus (*qaicWaitforEvent)(QAicEvent *event);
	QStatus (*qaicReleaseEvent)(QAicEvent *event);

	/* appended: program groups */
	QStatus (*qaicProgramGroupPropertiesInitDefault)(
		QAicProgramGroupProperties_t *props);
	QStatus (*qaicCreateProgramGroup)(QAicContext *ctx,
					  QAicProgramGroup **group,
					  QAicQueue **queue,
					  QAicProgramGroupProperties_t *props,
					  const char *name, QID dev);
	QStatus (*qaicProgramGroupAddProgram)(QAicProgramGroup *group,
					      QAicQpcObj *qpc,
					      QAicProgram **program,
					      QAicProgramProperties_t *props);
	QStatus (*qaicProgramGroupEnable)(QAicProgramGroup *group);
	QStatus (*qaicProgramGroupDisable)(QAicProgramGroup *group,
					   bool waitForIdle, uint32_t timeoutUs);
	QStatus (*qaicReleaseProgramGroup)(QAicProgramGroup *group);
};

#ifdef __cplusplus
}
#endif
#endif /* QPROF_QAIC_SIM_TABLE_H */
