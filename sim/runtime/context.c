/* SPDX-License-Identifier: MIT */
/*
 * Version, device info, contexts, logging and process-wide configuration.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simkmd.h"
#include "rt.h"

static struct rt_config config;
static pthread_once_t config_once = PTHREAD_ONCE_INIT;

static double env_double(const char *name, double def, double min)
{
	const char *s = getenv(name);
	char *end;
	double v;

	if (!s || !*s)
		return def;
	v = strtod(s, &end);
	if (*end || !(v >= min)) {
		fprintf(stderr, "qaic-sim: ignoring invalid %s='%s'\n", name, s);
		return def;
	}
	return v;
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || s[0] == '-') {
		fprintf(stderr, "qaic-sim: ignoring invalid %s='%s'\n", name, s);
		return def;
	}
	return v;
}

static enum rt_entry_dir env_entry_dir(void)
{
	static const char *const names[] = {
		[RT_DIR_ATTACH] = "attach", [RT_DIR_ZERO] = "zero",
		[RT_DIR_SWAP] = "swap", [RT_DIR_RANDOM] = "random",
	};
	const char *s = getenv("QAIC_SIM_EXEC_ENTRY_DIR");

	if (!s || !*s)
		return RT_DIR_ATTACH;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return (enum rt_entry_dir)i;
	fprintf(stderr, "qaic-sim: ignoring invalid QAIC_SIM_EXEC_ENTRY_DIR='%s' (attach, zero, swap, random)\n",
		s);
	return RT_DIR_ATTACH;
}

static void config_init(void)
{
	config.time_scale = env_double("QAIC_SIM_TIME_SCALE", 1.0, 0.0);
	config.slow_preproc_ns =
		env_u64("QAIC_SIM_FAULT_SLOW_PREPROC_US", 0) * 1000;
	config.seed = env_u64("QAIC_SIM_SEED", 1);
	config.entry_dir = env_entry_dir();
}

const struct rt_config *rt_config(void)
{
	pthread_once(&config_once, config_init);
	return &config;
}

void rt_sleep_ns(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / 1000000000ull),
		.tv_nsec = (long)(ns % 1000000000ull),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

/*
 * The slow-preprocessing fault's delay: ns as asked, not "at least ns".  A
 * clock_nanosleep of 20 us lasted ~88 us at the median on the project's VM
 * (the timer slack, 50 us by default, and the wake-up), so the fault added
 * four times what it said.  The caller sleeps, to an absolute deadline, until
 * RT_DELAY_SPIN_NS before the end, and spins on CLOCK_MONOTONIC (rt_now) for
 * the rest: a delay of at most RT_DELAY_SPIN_NS is spun entirely.  The thread
 * stays runnable while it spins, like the pre-processing work the fault
 * stands for (docs/SIMULATOR.md, "The slow-preprocessing fault").
 */
#define RT_DELAY_SPIN_NS 200000ull

void rt_delay_ns(uint64_t ns)
{
	uint64_t end = rt_now() + ns;

	if (ns > RT_DELAY_SPIN_NS) {
		uint64_t wake = end - RT_DELAY_SPIN_NS;
		struct timespec ts = {
			.tv_sec = (time_t)(wake / 1000000000ull),
			.tv_nsec = (long)(wake % 1000000000ull),
		};

		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
	}
	while (rt_now() < end)
		;
}

QStatus rt_start_kmd(void)
{
	int rc = simkmd_start();

	if (rc < 0) {
		rt_log(NULL, QL_ERROR, "cannot start the emulated driver: %s",
		       strerror(-rc));
		return QS_DEV_ERROR;
	}
	return QS_SUCCESS;
}

/* ---- logging ---------------------------------------------------------- */

struct log_msg {
	QLogLevel level;
	const char *text;
	int delivered;
};

static void deliver(struct QAicContext *ctx, QLogLevel level, const char *s)
{
	if (level < (QLogLevel)atomic_load(&ctx->level))
		return;
	if (ctx->log_cb)
		ctx->log_cb(level, s, ctx->log_ud);
	else if (level >= QL_WARN)
		fprintf(stderr, "qaic-sim: %s\n", s);
}

static void deliver_one(struct rt_obj *obj, void *arg)
{
	struct QAicContext *ctx = (struct QAicContext *)obj;
	struct log_msg *m = arg;

	if (!ctx->log_cb)
		return;
	deliver(ctx, m->level, m->text);
	m->delivered++;
}

void rt_log(struct QAicContext *ctx, QLogLevel level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (ctx) {
		deliver(ctx, level, buf);
	} else {
		struct log_msg m = { .level = level, .text = buf };

		rt_foreach(RT_CONTEXT, deliver_one, &m);
		if (!m.delivered && level >= QL_WARN)
			fprintf(stderr, "qaic-sim: %s\n", buf);
	}
}

void rt_report_error(struct QAicContext *ctx, QAicErrorType type,
		     const char *what)
{
	rt_log(ctx, QL_ERROR, "%s", what);
	if (ctx->err_cb)
		ctx->err_cb(ctx->id, what, type, NULL, 0, ctx->err_ud);
}

/* ---- version and devices ---------------------------------------------- */

QAIC_EXPORT QStatus qaicGetAicVersion(uint16_t *major, uint16_t *minor,
				      const char **patch, const char **variant)
{
	if (!major || !minor || !patch || !variant)
		return QS_INVAL;
	*major = LRT_LIB_MAJOR_VERSION;
	*minor = LRT_LIB_MINOR_VERSION;
	*patch = "qprof-sim";
	*variant = "sim";
	return QS_SUCCESS;
}

static bool device_exists(QID dev)
{
	return dev >= 0 && dev < simkmd_num_devices();
}

QAIC_EXPORT QStatus qaicGetDeviceInfo(QID dev, QDevInfo *info)
{
	QStatus st;

	if (!info)
		return QS_INVAL;
	st = rt_start_kmd();
	if (st != QS_SUCCESS)
		return st;
	if (!device_exists(dev))
		return QS_INVAL;
	memset(info, 0, sizeof(*info));
	info->devStatus = QDS_READY;
	info->qid = dev;
	snprintf(info->name, sizeof(info->name), "qaic-sim%d", (int)dev);
	return QS_SUCCESS;
}

/* ---- contexts --------------------------------------------------------- */

static atomic_uint next_ctx_id;

static void context_destroy(struct rt_obj *obj)
{
	struct QAicContext *ctx = (struct QAicContext *)obj;

	free(ctx->devs);
	free(ctx);
}

bool rt_ctx_has_device(const struct QAicContext *ctx, QID dev)
{
	uint32_t i;

	for (i = 0; i < ctx->ndev; i++)
		if (ctx->devs[i] == dev)
			return true;
	return false;
}

static QStatus fill_devices(struct QAicContext *ctx, uint32_t n,
			    const QID *list)
{
	uint32_t i;

	if (!n || !list)
		n = (uint32_t)simkmd_num_devices();
	ctx->devs = calloc(n ? n : 1, sizeof(*ctx->devs));
	if (!ctx->devs)
		return QS_NOMEM;
	for (i = 0; i < n; i++) {
		QID d = list ? list[i] : (QID)i;

		if (!device_exists(d)) {
			rt_log(NULL, QL_ERROR, "qaicCreateContext: no device %d",
			       (int)d);
			return QS_INVAL;
		}
		ctx->devs[i] = d;
	}
	ctx->ndev = n;
	return QS_SUCCESS;
}

QAIC_EXPORT QStatus qaicCreateContext(QAicContext **pctx,
				      QAicContextProperties_t *props,
				      uint32_t numDevices, QID *devList,
				      QAicLogCallback logCb, void *logUserData,
				      QAicErrorHandler errorHandler,
				      void *errUserData)
{
	struct QAicContext *ctx;
	QStatus st;

	if (!pctx || (numDevices && !devList))
		return QS_INVAL;
	if (props && *props != QAIC_CONTEXT_DEFAULT)
		rt_log(NULL, QL_INFO, "qaicCreateContext: properties 0x%x ignored",
		       *props);
	st = rt_start_kmd();
	if (st != QS_SUCCESS)
		return st;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return QS_NOMEM;
	ctx->log_cb = logCb;
	ctx->log_ud = logUserData;
	ctx->err_cb = errorHandler;
	ctx->err_ud = errUserData;
	atomic_init(&ctx->level, QL_INFO);
	ctx->id = atomic_fetch_add(&next_ctx_id, 1);
	st = fill_devices(ctx, numDevices, devList);
	if (st != QS_SUCCESS) {
		context_destroy(&ctx->obj);
		return st;
	}
	if (rt_register(&ctx->obj, RT_CONTEXT, context_destroy)) {
		context_destroy(&ctx->obj);
		return QS_NOMEM;
	}
	*pctx = ctx;
	return QS_SUCCESS;
}

QAIC_EXPORT QStatus qaicSetLogLevel(QAicContext *handle, QLogLevel level)
{
	struct QAicContext *ctx = RT_GET(handle, RT_CONTEXT, struct QAicContext);

	if (!ctx)
		return QS_INVAL;
	if (level < QL_DEBUG || level > QL_ERROR) {
		RT_PUT(ctx);
		return QS_INVAL;
	}
	atomic_store(&ctx->level, level);
	RT_PUT(ctx);
	return QS_SUCCESS;
}

/*
 * Children (programs, queues, exec objects, events) hold references on their
 * context, so releasing a context with live children only retires the
 * handle; its memory goes with the last child.
 */
QAIC_EXPORT QStatus qaicReleaseContext(QAicContext *handle)
{
	struct QAicContext *ctx = RT_GET(handle, RT_CONTEXT, struct QAicContext);

	if (!ctx)
		return QS_INVAL;
	if (!rt_unregister(&ctx->obj)) {
		RT_PUT(ctx);
		return QS_INVAL;
	}
	RT_PUT(ctx);
	RT_PUT(ctx);
	return QS_SUCCESS;
}
