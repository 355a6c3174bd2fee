/* SPDX-License-Identifier: MIT */
/*
 * The shim's settings: QPROF_* environment variables only (docs/SHIM.md).
 * Unknown or malformed values fall back to the default and are reported
 * only under QPROF_DEBUG=1: the shim never prints otherwise.
 */
#include "shim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct qp_config qp_config;

#define QP_CALLSTACK_MAX 64

static bool is_true(const char *v)
{
	return v && (!strcmp(v, "1") || !strcasecmp(v, "yes") ||
		     !strcasecmp(v, "on") || !strcasecmp(v, "true"));
}

static const char *kmd_stats_name(enum qp_kmd_stats_mode m)
{
	switch (m) {
	case QP_KMD_STATS_ALWAYS:
		return "always";
	case QP_KMD_STATS_OFF:
		return "off";
	default:
		return "auto";
	}
}

void qp_config_parse(struct qp_config *cfg, const char *kmd_stats,
		     const char *kernel_only, const char *callstack,
		     const char *debug)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->debug = is_true(debug);
	cfg->kernel_only = is_true(kernel_only);
	if (!kmd_stats || !*kmd_stats || !strcasecmp(kmd_stats, "auto") ||
	    !strcmp(kmd_stats, "1"))
		cfg->kmd_stats = QP_KMD_STATS_AUTO;
	else if (!strcasecmp(kmd_stats, "always"))
		cfg->kmd_stats = QP_KMD_STATS_ALWAYS;
	else if (!strcmp(kmd_stats, "0") || !strcasecmp(kmd_stats, "off") ||
		 !strcasecmp(kmd_stats, "no"))
		cfg->kmd_stats = QP_KMD_STATS_OFF;
	else
		cfg->kmd_stats = QP_KMD_STATS_AUTO;
	if (callstack && *callstack) {
		char *end;
		unsigned long n = strtoul(callstack, &end, 10);

		if (*end == '\0' && callstack[0] != '-')
			cfg->callstack = n > QP_CALLSTACK_MAX ?
					 QP_CALLSTACK_MAX : (unsigned int)n;
	}
	snprintf(cfg->settings, sizeof(cfg->settings),
		 "kmd_stats=%s kernel_only=%d callstack=%u debug=%d",
		 kmd_stats_name(cfg->kmd_stats), cfg->kernel_only,
		 cfg->callstack, cfg->debug);
}

void qp_config_load(void)
{
	struct qp_config cfg;

	qp_config_parse(&cfg, getenv("QPROF_KMD_STATS"),
			getenv("QPROF_KERNEL_ONLY"), getenv("QPROF_CALLSTACK"),
			getenv("QPROF_DEBUG"));
	qp_config = cfg;
	qp_debug("settings: %s", cfg.settings);
}

void qp_debug(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n, saved = errno;

	if (!qp_config.debug)
		return;
	n = snprintf(buf, sizeof(buf), "qprof[%d]: ", (int)getpid());
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	/* write(2), not stdio: never touch the application's FILE state. */
	if (write(STDERR_FILENO, buf, (size_t)n) < 0)
		(void)0;
	errno = saved;
}
