// SPDX-License-Identifier: MIT
/*
 * Devices, device spans of inferences over several devices, and the
 * causes of failed inferences (model.h; docs/MATCHING.md, "Programs over
 * several devices" and "Failures").
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model.h"

const struct qp_dev_span *qp_model_spans(const struct qp_model *m, size_t k,
					 size_t *n)
{
	size_t lo = 0, hi, first;

	*n = 0;
	if (!m || !m->nspans)
		return NULL;
	/* the first span of inference k: spans are sorted by inf */
	hi = m->nspans;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->spans[mid].inf < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < m->nspans && m->spans[lo].inf == k)
		lo++;
	*n = lo - first;
	return *n ? &m->spans[first] : NULL;
}

const struct qp_dev_span *qp_model_straggler(const struct qp_model *m,
					     size_t k)
{
	const struct qp_dev_span *s;
	size_t n, i;

	s = qp_model_spans(m, k, &n);
	for (i = 0; i < n; i++)
		if (s[i].flags & QP_SPAN_STRAGGLER)
			return &s[i];
	return NULL;
}

const struct qp_dev_span *qp_model_span_with(const struct qp_model *m,
					     size_t k, double submit_us,
					     double device_us)
{
	const struct qp_dev_span *s, *first = NULL;
	size_t n, i;

	s = qp_model_spans(m, k, &n);
	for (i = 0; i < n; i++) {
		if (!(s[i].flags & QP_SPAN_HAS_PERF) ||
		    (double)s[i].submit_latency_us != submit_us ||
		    (double)s[i].device_latency_us != device_us)
			continue;
		if (s[i].flags & QP_SPAN_STRAGGLER)
			return &s[i];
		if (!first)
			first = &s[i];
	}
	return first;
}

void qp_model_set_straggler(struct qp_model *m, size_t k,
			    const struct qp_dev_span *s)
{
	struct qp_inference *inf = &m->inf[k];
	struct qp_dev_span *sp;
	size_t n, i;

	sp = (struct qp_dev_span *)qp_model_spans(m, k, &n);
	for (i = 0; i < n; i++)
		sp[i].flags &= (uint8_t)~QP_SPAN_STRAGGLER;
	sp = &sp[s - sp];
	sp->flags |= QP_SPAN_STRAGGLER;
	inf->submit_latency_us = sp->submit_latency_us;
	inf->device_latency_us = sp->device_latency_us;
	inf->queue_level_before = sp->queue_level_before;
	inf->total_queue_elements = sp->total_queue_elements;
	inf->flags |= QP_F_HAS_PERF;
}

const char *qp_device_name(const struct qp_model *m, uint16_t device,
			   char *buf, size_t len)
{
	const struct qp_device *d;
	const char *slash;

	if (!m || device >= m->ndevices) {
		snprintf(buf, len, "?");
		return buf;
	}
	d = &m->devices[device];
	if (!d->path || !*d->path) {
		snprintf(buf, len, "fd%d", d->fd);
		return buf;
	}
	slash = strrchr(d->path, '/');
	snprintf(buf, len, "%s", slash ? slash + 1 : d->path);
	return buf;
}

uint64_t qp_kernel_done_bounds(uint64_t exec_begin, uint64_t exec_end,
			       uint64_t wait_end, uint32_t submit_latency_us,
			       uint32_t device_latency_us, uint64_t *lo,
			       uint64_t *hi)
{
	uint64_t lat = ((uint64_t)submit_latency_us + device_latency_us) * 1000;

	*lo = exec_begin + lat;
	/* each latency truncated: up to 1 µs more each */
	*hi = exec_end + lat + 2000;
	if (wait_end && wait_end < *hi)
		*hi = wait_end;
	if (*hi < *lo)
		*hi = *lo;
	return *lo + (*hi - *lo) / 2;
}

enum qp_fail_cause qp_fail_cause_of(const struct qp_inference *inf)
{
	if (inf->failed_status >= 0)
		return QP_FAIL_API;
	switch (-inf->failed_status) {
	case EPIPE: return QP_FAIL_RESTART;
	case ENODEV: return QP_FAIL_DEVICE_GONE;
	case EPERM: return QP_FAIL_DBC_RELEASED;
	default: return QP_FAIL_KMD_OTHER;
	}
}

const char *qp_fail_cause_name(enum qp_fail_cause c)
{
	switch (c) {
	case QP_FAIL_API: return "api";
	case QP_FAIL_RESTART: return "restart";
	case QP_FAIL_DEVICE_GONE: return "device_gone";
	case QP_FAIL_DBC_RELEASED: return "dbc_released";
	case QP_FAIL_KMD_OTHER: return "kmd_other";
	default: return "?";
	}
}
