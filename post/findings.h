/* SPDX-License-Identifier: MIT */
/*
 * What limits a program, with the numbers that show it.
 *
 * qp_profile_compute() gathers a section's figures (a program's completed
 * inferences, or several programs pooled on request): throughput as
 * qaic-runner counts it, the waiting/working split of the mean and of the
 * p99 tail (qp_part_split, metrics.c), device utilisation, in-flight
 * counts by Little's law, the application's host gap, per-device finish
 * order of multi-device inferences.  qp_findings() turns a profile into
 * the ranked findings that apply.  Every writer (summary, JSON, HTML)
 * renders these two structures; rules and thresholds: findings.c and
 * docs/REPORT.md, "Findings".
 */
#ifndef QPROF_POST_FINDINGS_H
#define QPROF_POST_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "stats.h"

enum qp_finding_kind {
	QP_FIND_DEVICE_BOUND,		/* "device_bound" */
	QP_FIND_RUNTIME_WORKERS,	/* "runtime_workers" */
	QP_FIND_APP_BOUND,		/* "app_bound" */
	QP_FIND_SLOW_SUBMIT,		/* "slow_submit" */
	QP_FIND_STRAGGLER_DEVICE,	/* "straggler_device" */
	QP_FIND__COUNT
};

#define QP_STRAGGLER_MAX 16

/*
 * Which device of a multi-device inference finished last, and by how
 * much: fed one inference at a time (qp_straggler_add).
 */
struct qp_straggler {
	size_t n;				/* multi-device inferences */
	unsigned ndev;				/* devices seen */
	uint32_t device[QP_STRAGGLER_MAX];	/* their ids */
	uint64_t last[QP_STRAGGLER_MAX];	/* times each finished last */
	double lag_us[QP_STRAGGLER_MAX];	/* sum: last - the one before it */
	/* their names ("accel1"), set by qp_profile_compute; "" unknown */
	char name[QP_STRAGGLER_MAX][24];
};

/*
 * One multi-device inference: device[k] finished its part at done_ns[k]
 * (k < ndev, ndev >= 2; devices past QP_STRAGGLER_MAX distinct ids are
 * not counted).
 */
void qp_straggler_add(struct qp_straggler *s, size_t ndev,
		      const uint32_t *device, const uint64_t *done_ns);

struct qp_profile {
	size_t n;			/* completed inferences of the section */
	uint64_t first_ns, last_ns;	/* first enqueue, last completion */
	double span_s;			/* last_ns - first_ns */
	double inf_per_s;		/* n / span_s (NAN: no span) */
	uint32_t batch;			/* 0: unknown, or programs differ */
	double samples_per_s;		/* inf_per_s x batch (NAN: batch unknown) */

	/* the waiting/working split (qp_part_split) */
	size_t nsplit;			/* inferences with a split */
	size_t nsplit_rt;		/* ... runtime wait/work from the dump */
	size_t nsplit_dev;		/* ... device work = devExec */
	double mean_total_us;		/* their mean round trip */
	double mean_us[QP_PART__COUNT];
	double tail_from_us;		/* p99 of their round trip */
	size_t ntail;			/* inferences at or above it */
	double tail_total_us;
	double tail_us[QP_PART__COUNT];	/* means over the tail */
	/* how far the doorbell (submit | device parts) may be off, µs:
	 * p50 and p99 of qp_doorbell_uncertainty over the split inferences */
	double doorbell_unc_p50_us, doorbell_unc_p99_us;

	/* device */
	unsigned ndbc;			/* DBCs (program activations) */
	double device_util;		/* inf_per_s x device work / ndbc (NAN) */
	double mean_devexec_us;		/* NAN without a merged dump */

	/* in flight (Little's law: L = throughput x time) */
	double mean_in_flight;		/* inf_per_s x mean round trip */
	unsigned max_in_flight;		/* most in flight at once, observed */
	double mean_on_device;		/* inf_per_s x (device wait + work) */
	double mean_waiting_worker;	/* inf_per_s x runtime wait */
	double mean_num_inf_in_queue;	/* kernel numInfInQueue (NAN) */
	unsigned runtime_threads;	/* distinct threads that submitted */

	/* application: completion seen -> its thread's next enqueue */
	unsigned app_threads;		/* distinct enqueuing threads */
	size_t ngaps;
	double host_gap_mean_us;	/* NAN without gaps */
	double host_gap_share;		/* sum of gaps / (app_threads x span) */

	/* kernel */
	double mean_submit_ioctl_us;	/* EXECUTE ioctl (submitTime), NAN */
	double mean_exec_to_vc_us;	/* kernel's own submit latency, NAN */

	struct qp_straggler straggler;
};

/*
 * The profile of the inferences idx[0..n) of m (completed ones; m->ahead
 * built by qp_model_link for the split to see earlier inferences).  idx
 * in model order.  0, or -1 when out of memory.
 */
int qp_profile_compute(const struct qp_model *m, const uint32_t *idx,
		       size_t n, struct qp_profile *p);

#define QP_EVIDENCE_MAX 8

/* One supporting figure: name (JSON key), value, unit ("%", "ms", "/s", ""). */
struct qp_evidence {
	const char *name;
	double value;
	const char *unit;
};

struct qp_finding {
	enum qp_finding_kind kind;
	double score;			/* rank key, 0..1 (share it explains) */
	struct qp_evidence ev[QP_EVIDENCE_MAX];
	size_t nev;
	char text[512];			/* the evidence in a sentence */
	const char *advice;
};

/*
 * The findings that apply to profile p, best first, in out[]; returns
 * their number (0: none applies).
 */
size_t qp_findings(const struct qp_profile *p,
		   struct qp_finding out[QP_FIND__COUNT]);

/* "device_bound", ... (the JSON "kind"); "?" when out of range. */
const char *qp_finding_name(enum qp_finding_kind k);

struct qp_merge_result;

/*
 * Statistics of each part of the split (µs) and of their sum over the
 * inferences idx[0..n) that have a split; buf: scratch of n doubles.
 * 0, or -1 when out of memory.
 */
int qp_part_stats(const struct qp_model *m, const uint32_t *idx, size_t n,
		  double *buf, struct qp_stats part[QP_PART__COUNT],
		  struct qp_stats *total);

/*
 * Why the device columns (devExec, devInWaitTime, devOutWaitTime,
 * devInfPerSec) of the inferences idx[0..n) are N/A: NULL when every one
 * has them; *with (may be NULL): how many have them.  @merge: the merge
 * outcome, NULL when no dump was merged.
 */
const char *qp_device_na_reason(const struct qp_model *m, const uint32_t *idx,
				size_t n, const struct qp_merge_result *merge,
				size_t *with);

#endif /* QPROF_POST_FINDINGS_H */
