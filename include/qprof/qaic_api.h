/* SPDX-License-Identifier: MIT */
/*
 * qprof's own declaration of the QAic runtime C API subset (libQAic.so).
 *
 * Written from docs/CONTRACTS.md §1.2-1.3: the closed QAicApi.h is not
 * public, so every type, value and prototype here comes from public call
 * sites and from the open runtime's QAicTypes.h / QAicRuntimeTypes.h.  Where
 * a detail is not public (docs/CONTRACTS.md §5), the choice made here is
 * commented; the simulator (sim/) implements exactly this header, and the
 * preload shim (preload/) relies only on names and argument lists, never on
 * layouts of opaque objects.
 */
#ifndef QPROF_QAIC_API_H
#define QPROF_QAIC_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the API this header describes (LRT 10.0, as the open runtime). */
#define LRT_LIB_MAJOR_VERSION 10
#define LRT_LIB_MINOR_VERSION 0

/* ---- scalar types ---------------------------------------------------- */

typedef enum {
	QS_SUCCESS = 0,
	QS_PERM = 1,
	QS_AGAIN = 2,
	QS_NOMEM = 3,
	QS_BUSY = 4,
	QS_NODEV = 5,
	QS_INVAL = 6,
	QS_NOSPC = 7,
	QS_BADFD = 8,
	QS_TIMEDOUT = 9,
	QS_PROTOCOL = 10,
	QS_UNSUPPORTED = 11,
	QS_DATA_CRC_ERROR = 12,
	QS_DEV_ERROR = 300,
	QS_ERROR = 500,
} QStatus;

typedef int32_t QID;
typedef uint32_t QAicContextID;
typedef uint32_t QAicProgramID;
typedef uint32_t QAicExecObjID;
typedef uint32_t QAicObjId;
typedef uint32_t QAicErrorHandle;

typedef enum {
	QL_DEBUG = 0,
	QL_INFO = 1,
	QL_WARN = 2,
	QL_ERROR = 3,
} QLogLevel;

/* Only QBUFFER_TYPE_HEAP's value is known (0); the others are ours. */
typedef enum {
	QBUFFER_TYPE_HEAP = 0,
	QBUFFER_TYPE_DMABUF = 1,
	QBUFFER_TYPE_PMEM = 2,
} QBufferType;

typedef struct {
	size_t size;		/* bytes at buf / handle */
	uint8_t *buf;		/* heap pointer */
	uint64_t handle;	/* dma-buf handle (DMA/PMEM types only) */
	uint32_t offset;	/* offset within handle */
	QBufferType type;
} QBuffer;

typedef struct {
	size_t size;
	uint8_t *data;
} QData;

typedef struct {
	uint32_t count;
	uint32_t sizeOfElem;
	uint32_t *dims;
} QBufferDimensions;

typedef enum { QDS_INITIALIZING = 0, QDS_READY = 1, QDS_ERROR = 2 } QDevStatus;
typedef enum { QDIR_BI = 0, QDIR_TO_DEV = 1, QDIR_FROM_DEV = 2, QDIR_NONE = 3 } QDirection;

typedef enum {
	BUFFER_IO_TYPE_INVALID = 0,
	BUFFER_IO_TYPE_INPUT = 1,
	BUFFER_IO_TYPE_OUTPUT = 2,
	BUFFER_IO_TYPE_INVAL = 3,
} QAicBufferIoTypeEnum;
typedef QAicBufferIoTypeEnum QAicBufferIoTypeEnum_t;

typedef enum {
	BUFFER_DATA_TYPE_FLOAT = 0,
	BUFFER_DATA_TYPE_FLOAT16 = 1,
	BUFFER_DATA_TYPE_INT8Q = 2,
	BUFFER_DATA_TYPE_UINT8Q = 3,
	BUFFER_DATA_TYPE_INT16Q = 4,
	BUFFER_DATA_TYPE_INT32Q = 5,
	BUFFER_DATA_TYPE_INT32I = 6,
	BUFFER_DATA_TYPE_INT64I = 7,
	BUFFER_DATA_TYPE_INT8 = 8,
	BUFFER_DATA_TYPE_INVAL = 9,
} QAicBufferDataTypeEnum;
typedef QAicBufferDataTypeEnum QAicBufferDataTypeEnum_t;

typedef uint32_t QAicContextProperties;
typedef QAicContextProperties QAicContextProperties_t;
#define QAIC_CONTEXT_DEFAULT 0x00

typedef enum {
	QAIC_QUEUE_PROPERTIES_ENABLE_SINGLE_THREADED_QUEUES = 0x0,
	QAIC_QUEUE_PROPERTIES_ENABLE_MULTI_THREADED_QUEUES = 0x01,
	QAIC_QUEUE_PROPERTIES_DEFAULT = QAIC_QUEUE_PROPERTIES_ENABLE_MULTI_THREADED_QUEUES,
} QAicQueuePropertiesBitField;

typedef struct {
	QAicQueuePropertiesBitField properties;
	uint32_t numThreadsPerQueue;	/* 0 = default (4) */
} QAicQueueProperties;
typedef QAicQueueProperties QAicQueueProperties_t;

#define QAIC_PROGRAM_PROPERTIES_SELECT_MASK_DEFAULT 0
#define QAIC_PROGRAM_PROPERTIES_SELECT_MASK_USE_APP_BUFFER 0x08
#define QAIC_PROGRAM_PROPERTIES_SUBMIT_NUM_RETRIES_DEFAULT 5

/* Open-runtime layout; the closed SDK has more members (unknown layout). */
typedef struct {
	uint32_t selectMask;
	uint32_t SubmitNumRetries;	/* WAIT retries on ETIMEDOUT */
	uint32_t SubmitRetryTimeoutMs;	/* 0 = kernel default (5000 ms) */
	uint64_t reserved02;
	/*
	 * Devices of a multi-device program, "QID:QID:..." in order (as
	 * "0:1:2:3"); NULL or "" = the device given to qaicCreateProgram.
	 * Named as the SDK's property; its place in the struct is ours.
	 */
	const char *devMapping;
} QAicProgramProperties;
typedef QAicProgramProperties QAicProgramProperties_t;

typedef uint32_t QAicExecObjProperties;
typedef QAicExecObjProperties QAicExecObjProperties_t;
#define QAIC_EXECOBJ_PROPERTIES_AUTO_LOAD_ACTIVATE 0x04
#define QAIC_EXECOBJ_PROPERTIES_DEFAULT QAIC_EXECOBJ_PROPERTIES_AUTO_LOAD_ACTIVATE

typedef enum {
	QAIC_PROGRAM_CMD_ACTIVATE_FULL = 0,
	QAIC_PROGRAM_CMD_DEACTIVATE_FULL = 1,
	QAIC_PROGRAM_CMD_RESERVED = 100,
	QAIC_PROGRAM_CMD_INVAL = 101,
} QAicProgramActivationCmd;

typedef enum {
	QAIC_PROGRAM_INIT = 0,
	QAIC_PROGRAM_LOADED = 1,
	QAIC_PROGRAM_FULLY_ACTIVATED = 2,
	QAIC_PROGRAM_ERROR = 100,
	QIAC_PROGRAM_LOAD_ERROR = 101,
	QIAC_PROGRAM_ACTIVATE_ERROR = 102,
} QAicProgramStatus;

typedef enum {
	QAIC_ERROR_CONTEXT_CREATION = 0x100,
	QAIC_ERROR_CONTEXT_RUNTIME = 0x101,
	QAIC_ERROR_PROGRAM_CREATION = 0x200,
	QAIC_ERROR_PROGRAM_RUNTIME_LOAD_FAILED = 0x201,
	QAIC_ERROR_PROGRAM_RUNTIME_ACTIVATION_FAILED = 0x202,
	QAIC_ERROR_CONSTANTS_CREATION = 0x300,
	QAIC_ERROR_CONSTANTS_RUNTIME = 0x301,
	QAIC_ERROR_QUEUE_CREATION = 0x400,
	QAIC_ERROR_QUEUE_RUNTIME = 0x401,
	QIAC_ERROR_EXECOBJ_CREATION = 0x500,
	QIAC_ERROR_EXECOBJ_RUNTIME = 0x501,
	QIAC_ERROR_EVENT_CREATION = 0x600,
	QIAC_ERROR_EVENT_RUNTIME = 0x601,
} QAicErrorType;

/*
 * Program groups: the member names enableOversubscription and
 * protocolSelect and the constant names are public; the members' order and
 * types and the enumerators' values are our choice.
 */
typedef enum {
	QAIC_PROGRAM_GROUP_PROPERTIES_OVERSUBSCRIPTION_DISABLED = 0,
	QAIC_PROGRAM_GROUP_PROPERTIES_OVERSUBSCRIPTION_ENABLED = 1,
} QAicProgramGroupPropertiesOversubscription;

typedef enum {
	QAIC_PROGRAM_GROUP_PROTOCOL_CONTROL_PATH = 0,
	QAIC_PROGRAM_GROUP_PROTOCOL_DATA_PATH = 1,
} QAicProgramGroupPropertiesProtocol;

typedef struct {
	QAicProgramGroupPropertiesOversubscription enableOversubscription;
	QAicProgramGroupPropertiesProtocol protocolSelect;
} QAicProgramGroupProperties;
typedef QAicProgramGroupProperties QAicProgramGroupProperties_t;

/* Only QAIC_EVENT_DEVICE_COMPLETE is known; its value (0) is our choice. */
typedef enum {
	QAIC_EVENT_DEVICE_COMPLETE = 0,
} QAicEventCompletionType;

typedef struct {
	char *bufferName;
	uint32_t index;
	QAicBufferIoTypeEnum ioType;
	uint32_t size;
	bool isPartialBufferAllowed;
	QAicBufferDataTypeEnum dataType;
} QAicBufferMappings;

typedef struct {
	uint32_t numBufferMappings;
	QAicBufferMappings *bufferMappings;
} QAicIoBufferInfo;
typedef QAicIoBufferInfo QAicIoBufferInfo_t;

typedef struct {
	QAicProgramStatus status;
	uint32_t loadedID;
	QAicProgramID programID;
	uint32_t numNsp;
	uint32_t numMcid;
	uint32_t batchSize;
	uint8_t isAicStatsAvailable;
	uint8_t reserved1, reserved2, reserved3;
} QAicProgramInfo;

typedef struct {
	QDevStatus devStatus;
	QID qid;
	char name[64];
} QDevInfo;	/* subset: the open runtime's struct has more members */

/* ---- opaque handles -------------------------------------------------- */

typedef struct QAicContext QAicContext;
typedef struct QAicQueue QAicQueue;
typedef struct QAicQpcObj QAicQpcObj;
typedef struct QAicProgram QAicProgram;
typedef struct QAicExecObj QAicExecObj;
typedef struct QAicEvent QAicEvent;
typedef struct QAicConstants QAicConstants;
typedef struct QAicProgramGroup QAicProgramGroup;
/* The function table's layout is not public: treat it as opaque. */
typedef struct QAicApiFunctionTable QAicApiFunctionTable;

/* ---- callbacks ------------------------------------------------------- */

typedef void (*QAicEventCallback)(QAicEvent *event,
				  QAicEventCompletionType eventCompletion,
				  void *userData);
typedef void (*QAicLogCallback)(QLogLevel level, const char *str,
				void *userData);
typedef void (*QAicErrorHandler)(QAicContextID id, const char *errInfo,
				 QAicErrorType errType, const void *errData,
				 size_t errDataSize, void *userData);

/* ---- functions (docs/CONTRACTS.md §1.3) ---------------------------------- */

QStatus qaicGetAicVersion(uint16_t *major, uint16_t *minor,
			  const char **patch, const char **variant);
QStatus qaicGetDeviceInfo(QID dev, QDevInfo *info);
const QAicApiFunctionTable *qaicGetFunctionTable(void);

QStatus qaicCreateContext(QAicContext **ctx, QAicContextProperties_t *props,
			  uint32_t numDevices, QID *devList,
			  QAicLogCallback logCb, void *logUserData,
			  QAicErrorHandler errorHandler, void *errUserData);
QStatus qaicSetLogLevel(QAicContext *ctx, QLogLevel level);
QStatus qaicReleaseContext(QAicContext *ctx);

QStatus qaicOpenQpc(QAicQpcObj **qpc, const uint8_t *buf, size_t size,
		    bool copy);
QStatus qaicOpenQpcFile(QAicQpcObj **qpc, const char *path);
QStatus qaicCloseQpc(QAicQpcObj *qpc);

QStatus qaicProgramPropertiesInitDefault(QAicProgramProperties_t *props);
QStatus qaicCreateProgram(QAicContext *ctx, QAicProgram **program,
			  QAicProgramProperties_t *props, QID dev,
			  const char *name, QAicQpcObj *qpc);
QStatus qaicLoadProgram(QAicProgram *program);
QStatus qaicUnloadProgram(QAicProgram *program);
QStatus qaicRunActivationCmd(QAicProgram *program,
			     QAicProgramActivationCmd cmd);
QStatus qaicReleaseProgram(QAicProgram *program);
QStatus qaicProgramGetIoDescriptor(QAicProgram *program, QData *ioDesc);
QStatus qaicProgramGetIoBufferInfo(QAicProgram *program,
				   QAicIoBufferInfo_t **info);
QStatus qaicProgramGetInfo(QAicProgram *program, QAicProgramInfo *info);

QStatus qaicCreateQueue(QAicContext *ctx, QAicQueue **queue,
			QAicQueueProperties *props, QID dev);
QStatus qaicReleaseQueue(QAicQueue *queue);

QStatus qaicCreateExecObj(QAicContext *ctx, QAicExecObj **execObj,
			  QAicExecObjProperties_t *props, QAicProgram *program,
			  const QData *ioDesc, uint32_t *numBuffers,
			  QBuffer **buffers);
QStatus qaicExecObjSetData(QAicExecObj *execObj, uint32_t numBuffers,
			   const QBuffer *buffers);
QStatus qaicExecObjSetDataExt(QAicExecObj *execObj, uint32_t numBuffers,
			      const QBuffer *buffers,
			      const QBufferDimensions *dims);
QStatus qaicExecObjGetIoBuffers(const QAicExecObj *execObj,
				uint32_t *numBuffers, QBuffer **buffers);
QStatus qaicEnqueueExecObj(QAicQueue *queue, QAicExecObj *execObj,
			   QAicEvent *event);
/* timeout unit is undocumented; this API (and the simulator) take
 * microseconds, 0 = wait forever. */
QStatus qaicExecObjWaitForCompletion(QAicExecObj *execObj, uint32_t timeoutUs);
QStatus qaicReleaseExecObj(QAicExecObj *execObj);

QStatus qaicCreateEvent(QAicContext *ctx, QAicEvent **event,
			QAicEventCompletionType type);
QStatus qaicEventAddCallback(QAicEvent *event, QAicEventCallback cb,
			     void *userData);
QStatus qaicEventRemoveCallback(QAicEvent *event, QAicEventCallback cb);
QStatus qaicEventClear(QAicEvent *event);
QStatus qaicWaitforEvent(QAicEvent *event);	/* sic: lower-case f */
QStatus qaicReleaseEvent(QAicEvent *event);

/*
 * Program groups (argument lists from public call sites; the names of the
 * Disable arguments are ours: callers pass (group, true, 60000000) and
 * (group, false, 0), read here as "wait for the inferences in flight, for
 * at most timeoutUs microseconds").  The group creates its queue (*queue)
 * and its programs; they are released with the group.
 */
QStatus qaicProgramGroupPropertiesInitDefault(QAicProgramGroupProperties_t *props);
QStatus qaicCreateProgramGroup(QAicContext *ctx, QAicProgramGroup **group,
			       QAicQueue **queue,
			       QAicProgramGroupProperties_t *props,
			       const char *name, QID dev);
QStatus qaicProgramGroupAddProgram(QAicProgramGroup *group, QAicQpcObj *qpc,
				   QAicProgram **program,
				   QAicProgramProperties_t *props);
QStatus qaicProgramGroupEnable(QAicProgramGroup *group);
QStatus qaicProgramGroupDisable(QAicProgramGroup *group, bool waitForIdle,
				uint32_t timeoutUs);
QStatus qaicReleaseProgramGroup(QAicProgramGroup *group);

#ifdef __cplusplus
}
#endif
#endif /* QPROF_QAIC_API_H */
