// SPDX-License-Identifier: MIT
/*
 * Unit tests of the reader -> assembler pipeline (post/pipeline.c): every
 * event kind arrives in the consumer thread as it was produced (header,
 * the kind's payload member, arrays up to their counts, strings by
 * content, NULL strings), in order, across many batches and for records
 * larger than a batch; a consumer error stops the feeding and is
 * returned; an empty stream.  (The checks run in the consumer thread: a
 * failure there aborts the test program instead of a clean cmocka report.)
 * Pull mode (the reader's decoding threads -> its merge): the same events,
 * the reader's own records (module, loss: their strings) and each
 * record's tag arrive in order in the pulling thread; abandoning stops a
 * producer that would otherwise wait for free batches.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "event.h"
#include "pipeline.h"

/* The payload member of each kind, as post/reader.c fills it. */
static size_t member_size(enum qp_ev_kind k)
{
	struct qp_event e;

	switch (k) {
	case QP_EV_API_CONTEXT_CREATE: return sizeof(e.u.context_create);
	case QP_EV_API_PROGRAM_ACTIVATION: return sizeof(e.u.program_activation);
	case QP_EV_API_QUEUE_CREATE: return sizeof(e.u.queue_create);
	case QP_EV_API_EXECOBJ_CREATE: return sizeof(e.u.execobj_create);
	case QP_EV_API_EXECOBJ_SET_DATA: return sizeof(e.u.set_data);
	case QP_EV_API_ENQUEUE_ENTRY: return sizeof(e.u.enqueue_entry);
	case QP_EV_API_ENQUEUE_EXIT: return sizeof(e.u.enqueue_exit);
	case QP_EV_API_EXECOBJ_WAIT: return sizeof(e.u.execobj_wait);
	case QP_EV_API_EVENT_CREATE: return sizeof(e.u.event_create);
	case QP_EV_API_EVENT_CALLBACK_REG: return sizeof(e.u.callback_reg);
	case QP_EV_API_CALLBACK_ENTRY: return sizeof(e.u.callback_entry);
	case QP_EV_API_CALLBACK_EXIT: return sizeof(e.u.callback_exit);
	case QP_EV_API_FUNCTION_TABLE: return sizeof(e.u.function_table);
	case QP_EV_KMD_MANAGE: return sizeof(e.u.manage);
	case QP_EV_KMD_CREATE_BO: return sizeof(e.u.create_bo);
	case QP_EV_KMD_MMAP_BO: return sizeof(e.u.mmap_bo);
	case QP_EV_KMD_ATTACH_SLICE: return sizeof(e.u.attach_slice);
	case QP_EV_KMD_WAIT: return sizeof(e.u.wait);
	case QP_EV_KMD_BO_RELEASE: return sizeof(e.u.bo_release);
	case QP_EV_KMD_OTHER: return sizeof(e.u.kmd_other);
	case QP_EV_DISCARDED: return sizeof(e.u.discarded);
	case QP_EV_KMD_PERF_QUERY: return sizeof(e.u.perf_query);
	case QP_EV_API_PROGRAM_GROUP_CREATE:
		return sizeof(e.u.program_group_create);
	case QP_EV_API_PROGRAM_GROUP_ADD: return sizeof(e.u.program_group_add);
	case QP_EV_API_PROGRAM_GROUP_DISABLE:
		return sizeof(e.u.program_group_disable);
	case QP_EV_PY_CONTEXT_CREATE: return sizeof(e.u.py_context_create);
	case QP_EV_PY_QPC_OPEN: return sizeof(e.u.py_qpc_open);
	case QP_EV_PY_PROGRAM_CREATE: return sizeof(e.u.py_program_create);
	case QP_EV_PY_QUEUE_CREATE: return sizeof(e.u.py_queue_create);
	case QP_EV_PY_EXECOBJ_CREATE: return sizeof(e.u.py_execobj_create);
	case QP_EV_PY_SET_DATA: return sizeof(e.u.py_set_data);
	case QP_EV_PY_ENQUEUE_ENTRY: return sizeof(e.u.py_enqueue_entry);
	case QP_EV_PY_ENQUEUE_EXIT: return sizeof(e.u.py_enqueue_exit);
	case QP_EV_PY_WAIT: return sizeof(e.u.py_wait);
	case QP_EV_PY_GET_DATA: return sizeof(e.u.py_get_data);
	case QP_EV_PY_RUN: return sizeof(e.u.py_run);
	case QP_EV_PY_PROGRAM_LOAD: case QP_EV_PY_PROGRAM_UNLOAD:
	case QP_EV_PY_PROGRAM_ACTIVATE: case QP_EV_PY_PROGRAM_DEACTIVATE:
		return sizeof(e.u.py_obj);
	default: return sizeof(e.u.obj);	/* api_obj_call class */
	}
}

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static char *rnd_string(size_t maxlen)
{
	size_t n = rnd() % (maxlen + 1), i;
	char *s = malloc(n + 1);

	assert_non_null(s);
	for (i = 0; i < n; i++)
		s[i] = (char)('a' + rnd() % 26);
	s[n] = 0;
	return s;
}

/*
 * The sequences of the events made: random elements, kept until the end
 * of the program (the expected events point at them).
 */
static void **arrays;
static size_t narrays, cap_arrays;

static void *rnd_array(uint32_t n, size_t esize)
{
	unsigned char *p = malloc(n * esize + 1);
	size_t i;

	assert_non_null(p);
	for (i = 0; i < n * esize; i++)
		p[i] = (unsigned char)rnd();
	if (narrays == cap_arrays) {
		cap_arrays = cap_arrays ? 2 * cap_arrays : 1024;
		arrays = realloc(arrays, cap_arrays * sizeof(*arrays));
		assert_non_null(arrays);
	}
	arrays[narrays++] = p;
	return p;
}

static void free_arrays(void)
{
	while (narrays)
		free(arrays[--narrays]);
	free(arrays);
}

/* A sequence length: mostly a few BOs, sometimes hundreds (an LLM's). */
static uint32_t rnd_len(void)
{
	return (uint32_t)(rnd() % 8 ? rnd() % 33 : rnd() % 400);
}

#define SEQ(f, n) (e->u.f = rnd_array((n), sizeof(e->u.f[0])))

/* An event of kind k, every byte random, sequences of any length. */
static void make_event(struct qp_event *e, enum qp_ev_kind k, uint64_t seq,
		       char **strs, size_t *nstrs, size_t maxlen)
{
	unsigned char *p = (unsigned char *)e;
	size_t i;

	for (i = 0; i < sizeof(*e); i++)
		p[i] = (unsigned char)rnd();
	e->kind = k;
	e->ts = seq;		/* the order check */
	*nstrs = 0;
#define STR(f) do { \
		strs[*nstrs] = rnd() % 8 ? rnd_string(maxlen) : NULL; \
		e->u.f = strs[(*nstrs)++]; \
	} while (0)
	switch (k) {
	case QP_EV_PROCESS_INFO:
		STR(process.runtime_path);
		STR(process.rt_patch);
		STR(process.rt_variant);
		STR(process.shim_version);
		STR(process.settings);
		break;
	case QP_EV_API_QPC_OPEN: STR(qpc_open.path); break;
	case QP_EV_API_PROGRAM_CREATE: STR(program_create.name); break;
	case QP_EV_KMD_OPEN: STR(kmd_open.path); break;
	case QP_EV_API_PROGRAM_GROUP_CREATE:
		STR(program_group_create.name);
		break;
	case QP_EV_PY_QPC_OPEN: STR(py_qpc_open.path); break;
	case QP_EV_PY_PROGRAM_CREATE: STR(py_program_create.dev_mapping); break;
	case QP_EV_PY_SET_DATA:
		e->u.py_set_data.ndims0 = rnd_len();
		SEQ(py_set_data.dims0, e->u.py_set_data.ndims0);
		break;
	case QP_EV_API_CALLSTACK:
		e->u.callstack.depth = (uint32_t)(rnd() % 33);
		SEQ(callstack.ips, e->u.callstack.depth);
		break;
	case QP_EV_KMD_EXECUTE:
		e->u.execute.count = rnd_len();
		e->u.execute.nresize = rnd() % 2 ? e->u.execute.count : 0;
		SEQ(execute.handles, e->u.execute.count);
		SEQ(execute.dirs, e->u.execute.count);
		SEQ(execute.resize, e->u.execute.nresize);
		break;
	case QP_EV_KMD_PERF_STATS:
		e->u.perf_stats.count = rnd_len();
		SEQ(perf_stats.handles, e->u.perf_stats.count);
		SEQ(perf_stats.queue_level_before, e->u.perf_stats.count);
		SEQ(perf_stats.num_queue_element, e->u.perf_stats.count);
		SEQ(perf_stats.submit_latency_us, e->u.perf_stats.count);
		SEQ(perf_stats.device_latency_us, e->u.perf_stats.count);
		break;
	default:
		break;
	}
#undef STR
}

static void assert_str(const char *got, const char *want)
{
	if (!want)
		assert_null(got);
	else
		assert_string_equal(got, want);
}

/* a sequence arrives whole, copied (not the producer's memory) */
#define ARR_EQ(f, n) do {						\
		if (n) {						\
			assert_ptr_not_equal(got->u.f, want->u.f);	\
			assert_memory_equal(got->u.f, want->u.f,	\
					    (n) * sizeof(want->u.f[0])); \
		}							\
	} while (0)

/* got (from the pipeline) carries what the assembler may read of want. */
static void assert_same(const struct qp_event *got, const struct qp_event *want)
{
	assert_int_equal(got->kind, want->kind);
	assert_int_equal(got->host, want->host);
	assert_int_equal(got->pid, want->pid);
	assert_int_equal(got->tid, want->tid);
	assert_int_equal(got->ts, want->ts);
	assert_int_equal(got->begin_ts, want->begin_ts);
	assert_int_equal(got->status, want->status);
	assert_int_equal(got->err, want->err);
	assert_int_equal(got->ip, want->ip);
	switch (want->kind) {
	case QP_EV_PROCESS_INFO:
		assert_str(got->u.process.runtime_path, want->u.process.runtime_path);
		assert_str(got->u.process.rt_patch, want->u.process.rt_patch);
		assert_str(got->u.process.rt_variant, want->u.process.rt_variant);
		assert_str(got->u.process.shim_version, want->u.process.shim_version);
		assert_str(got->u.process.settings, want->u.process.settings);
		assert_int_equal(got->u.process.rt_major, want->u.process.rt_major);
		assert_int_equal(got->u.process.rt_minor, want->u.process.rt_minor);
		break;
	case QP_EV_API_QPC_OPEN:
		assert_int_equal(got->u.qpc_open.qpc, want->u.qpc_open.qpc);
		assert_int_equal(got->u.qpc_open.size, want->u.qpc_open.size);
		assert_str(got->u.qpc_open.path, want->u.qpc_open.path);
		break;
	case QP_EV_API_PROGRAM_CREATE:
		assert_int_equal(got->u.program_create.ctx, want->u.program_create.ctx);
		assert_int_equal(got->u.program_create.program, want->u.program_create.program);
		assert_int_equal(got->u.program_create.qpc, want->u.program_create.qpc);
		assert_int_equal(got->u.program_create.dev, want->u.program_create.dev);
		assert_str(got->u.program_create.name, want->u.program_create.name);
		break;
	case QP_EV_KMD_OPEN:
		assert_int_equal(got->u.kmd_open.fd, want->u.kmd_open.fd);
		assert_str(got->u.kmd_open.path, want->u.kmd_open.path);
		break;
	case QP_EV_API_PROGRAM_GROUP_CREATE:
		assert_int_equal(got->u.program_group_create.group,
				 want->u.program_group_create.group);
		assert_int_equal(got->u.program_group_create.queue,
				 want->u.program_group_create.queue);
		assert_int_equal(got->u.program_group_create.protocol,
				 want->u.program_group_create.protocol);
		assert_str(got->u.program_group_create.name,
			   want->u.program_group_create.name);
		break;
	case QP_EV_PY_QPC_OPEN:
		assert_int_equal(got->u.py_qpc_open.qpc, want->u.py_qpc_open.qpc);
		assert_str(got->u.py_qpc_open.path, want->u.py_qpc_open.path);
		break;
	case QP_EV_PY_PROGRAM_CREATE:
		assert_int_equal(got->u.py_program_create.program,
				 want->u.py_program_create.program);
		assert_int_equal(got->u.py_program_create.dev,
				 want->u.py_program_create.dev);
		assert_str(got->u.py_program_create.dev_mapping,
			   want->u.py_program_create.dev_mapping);
		break;
	case QP_EV_PY_SET_DATA:
		assert_int_equal(got->u.py_set_data.execobj, want->u.py_set_data.execobj);
		assert_int_equal(got->u.py_set_data.total_bytes,
				 want->u.py_set_data.total_bytes);
		assert_int_equal(got->u.py_set_data.ndims0, want->u.py_set_data.ndims0);
		ARR_EQ(py_set_data.dims0, want->u.py_set_data.ndims0);
		break;
	case QP_EV_API_CALLSTACK:
		assert_int_equal(got->u.callstack.depth, want->u.callstack.depth);
		ARR_EQ(callstack.ips, want->u.callstack.depth);
		break;
	case QP_EV_KMD_EXECUTE:
		assert_int_equal(got->u.execute.fd, want->u.execute.fd);
		assert_int_equal(got->u.execute.dbc_id, want->u.execute.dbc_id);
		assert_int_equal(got->u.execute.count, want->u.execute.count);
		assert_int_equal(got->u.execute.nresize, want->u.execute.nresize);
		assert_int_equal(got->u.execute.partial, want->u.execute.partial);
		assert_int_equal(got->u.execute.wait_handle,
				 want->u.execute.wait_handle);
		ARR_EQ(execute.handles, want->u.execute.count);
		ARR_EQ(execute.dirs, want->u.execute.count);
		ARR_EQ(execute.resize, want->u.execute.nresize);
		break;
	case QP_EV_KMD_PERF_STATS:
		assert_int_equal(got->u.perf_stats.fd, want->u.perf_stats.fd);
		assert_int_equal(got->u.perf_stats.dbc_id, want->u.perf_stats.dbc_id);
		assert_int_equal(got->u.perf_stats.count, want->u.perf_stats.count);
		assert_int_equal(got->u.perf_stats.by_shim, want->u.perf_stats.by_shim);
		ARR_EQ(perf_stats.handles, want->u.perf_stats.count);
		ARR_EQ(perf_stats.queue_level_before, want->u.perf_stats.count);
		ARR_EQ(perf_stats.num_queue_element, want->u.perf_stats.count);
		ARR_EQ(perf_stats.submit_latency_us, want->u.perf_stats.count);
		ARR_EQ(perf_stats.device_latency_us, want->u.perf_stats.count);
		break;
	default:
		assert_memory_equal(&got->u, &want->u, member_size(want->kind));
		break;
	}
}

/* The consumer: checks each event against the producer's copy. */
struct check {
	struct qp_event *want;		/* the events produced, in order */
	size_t n;			/* events received */
	size_t fail_at;			/* return fail_rc at this event */
	int fail_rc;
};

static int check_sink(const struct qp_event *ev, void *data)
{
	struct check *c = data;

	if (c->fail_rc && c->n == c->fail_at)
		return c->fail_rc;
	assert_same(ev, &c->want[c->n]);
	c->n++;
	return 0;
}

/*
 * Produce n events of kinds cycling over every kind (strings up to
 * maxlen), strings freed right after the producer's call as the reader's
 * borrowed ones would be.  Returns the index where the producer got a
 * non-zero return (n when none), the finish status in *frc.
 */
static size_t produce(struct check *c, size_t n, size_t maxlen, int *frc)
{
	struct qp_pipeline *pl;
	char *strs[5];
	size_t i, k, ns;
	int rc = 0;

	c->want = calloc(n, sizeof(*c->want));
	assert_non_null(c->want);
	pl = qp_pipeline_start(check_sink, c);
	assert_non_null(pl);
	for (i = 0; i < n; i++) {
		struct qp_event ev;

		make_event(&ev, (enum qp_ev_kind)(i % QP_EV__COUNT), i, strs, &ns,
			   maxlen);
		c->want[i] = ev;
		/* the expected strings outlive the producer's (freed below) */
		for (k = 0; k < ns; k++) {
			char **w = NULL;

			switch (ev.kind) {
			case QP_EV_PROCESS_INFO:
				w = (char **)(k == 0 ? &c->want[i].u.process.runtime_path :
					      k == 1 ? &c->want[i].u.process.rt_patch :
					      k == 2 ? &c->want[i].u.process.rt_variant :
					      k == 3 ? &c->want[i].u.process.shim_version :
						       &c->want[i].u.process.settings);
				break;
			case QP_EV_API_QPC_OPEN: w = (char **)&c->want[i].u.qpc_open.path; break;
			case QP_EV_API_PROGRAM_CREATE: w = (char **)&c->want[i].u.program_create.name; break;
			case QP_EV_API_PROGRAM_GROUP_CREATE:
				w = (char **)&c->want[i].u.program_group_create.name;
				break;
			case QP_EV_PY_QPC_OPEN: w = (char **)&c->want[i].u.py_qpc_open.path; break;
			case QP_EV_PY_PROGRAM_CREATE:
				w = (char **)&c->want[i].u.py_program_create.dev_mapping;
				break;
			default: w = (char **)&c->want[i].u.kmd_open.path; break;
			}
			*w = strs[k] ? strdup(strs[k]) : NULL;
		}
		rc = qp_pipeline_sink(&ev, pl);
		for (k = 0; k < ns; k++) {
			if (strs[k])
				memset(strs[k], '#', strlen(strs[k]));
			free(strs[k]);
		}
		if (rc)
			break;
	}
	*frc = qp_pipeline_finish(pl, NULL);
	return rc ? i : n;
}

static void free_want(struct check *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct qp_event *e = &c->want[i];

		switch (e->kind) {
		case QP_EV_PROCESS_INFO:
			free((char *)e->u.process.runtime_path);
			free((char *)e->u.process.rt_patch);
			free((char *)e->u.process.rt_variant);
			free((char *)e->u.process.shim_version);
			free((char *)e->u.process.settings);
			break;
		case QP_EV_API_QPC_OPEN: free((char *)e->u.qpc_open.path); break;
		case QP_EV_API_PROGRAM_CREATE: free((char *)e->u.program_create.name); break;
		case QP_EV_KMD_OPEN: free((char *)e->u.kmd_open.path); break;
		case QP_EV_API_PROGRAM_GROUP_CREATE:
			free((char *)e->u.program_group_create.name);
			break;
		case QP_EV_PY_QPC_OPEN: free((char *)e->u.py_qpc_open.path); break;
		case QP_EV_PY_PROGRAM_CREATE:
			free((char *)e->u.py_program_create.dev_mapping);
			break;
		default: break;
		}
	}
	free(c->want);
}

/* Many batches: the ring of batches wraps around many times. */
static void test_every_kind_in_order(void **state)
{
	struct check c = { 0 };
	size_t n = 30000;
	int frc = -1;

	(void)state;
	assert_int_equal(produce(&c, n, 40, &frc), n);
	assert_int_equal(frc, 0);
	assert_int_equal(c.n, n);
	free_want(&c, n);
}

/* Strings longer than a batch: the batch grows for them. */
static void test_records_larger_than_a_batch(void **state)
{
	struct check c = { 0 };
	size_t n = 3 * QP_EV__COUNT;
	int frc = -1;

	(void)state;
	assert_int_equal(produce(&c, n, 3 * QP_PIPELINE_BATCH_BYTES, &frc), n);
	assert_int_equal(frc, 0);
	assert_int_equal(c.n, n);
	free_want(&c, n);
}

/*
 * The consumer fails at event 5000: nothing after it is fed, the producer
 * is told within the batches in flight (~1000 events each here), finish
 * returns the error.
 */
static void test_consumer_error_stops(void **state)
{
	struct check c = { .fail_at = 5000, .fail_rc = -ENOMEM };
	size_t n = 40000, stopped;
	int frc = 0;

	(void)state;
	stopped = produce(&c, n, 8, &frc);
	assert_int_equal(frc, -ENOMEM);
	assert_int_equal(c.n, 5000);
	assert_true(stopped > 5000 && stopped < n);
	free_want(&c, stopped + 1 < n ? stopped + 1 : n);
}

static int never_called(const struct qp_event *ev, void *data)
{
	(void)ev;
	(void)data;
	fail();
	return 0;
}

static void test_empty_stream(void **state)
{
	struct qp_pipeline *pl = qp_pipeline_start(never_called, NULL);
	double cpu = -1;

	(void)state;
	assert_non_null(pl);
	assert_int_equal(qp_pipeline_finish(pl, &cpu), 0);
	assert_true(cpu >= 0 && cpu < 1);
	assert_true(qp_online_cpus() >= 1);
}

/* ---- pull mode ---------------------------------------------------------- */

struct pull {
	struct qp_pipeline *pl;
	struct qp_event *want;
	size_t n;
	size_t stopped_at;		/* producer: where its sink said stop */
	int rc;				/* producer: that return */
};

static uint32_t tag_of(size_t i)
{
	return (uint32_t)(i * 2654435761u);
}

static void *pull_producer(void *arg)
{
	struct pull *p = arg;
	size_t i;

	p->stopped_at = p->n;
	for (i = 0; i < p->n; i++) {
		qp_pipeline_set_tag(p->pl, tag_of(i));
		p->rc = qp_pipeline_sink(&p->want[i], p->pl);
		if (p->rc) {
			p->stopped_at = i;
			break;
		}
	}
	qp_pipeline_close(p->pl);
	return NULL;
}

/* n events of every kind, every 50th one a reader's module or loss record. */
static struct qp_event *pull_events(size_t n)
{
	struct qp_event *want = calloc(n, sizeof(*want));
	char *strs[5];
	size_t i, k, ns;

	assert_non_null(want);
	for (i = 0; i < n; i++) {
		make_event(&want[i], (enum qp_ev_kind)(i % QP_EV__COUNT), i, strs,
			   &ns, 30);
		if (i % 50 == 0)	/* a record instead: its own strings */
			for (k = 0; k < ns; k++)
				free(strs[k]);
		if (i % 100 == 0) {
			want[i].kind = QP_PL_MODULE;
			want[i].u.qpc_open.path = rnd_string(60);
		} else if (i % 50 == 0) {
			want[i].kind = QP_PL_LOSS;
			want[i].u.process.runtime_path = rnd_string(60);
			want[i].u.process.rt_patch = rnd_string(200);
		}
	}
	return want;
}

static void pull_free(struct qp_event *want, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (want[i].kind == QP_PL_MODULE) {
			free((char *)want[i].u.qpc_open.path);
			want[i].kind = QP_EV_API_ENQUEUE_EXIT;	/* no strings */
		} else if (want[i].kind == QP_PL_LOSS) {
			free((char *)want[i].u.process.runtime_path);
			free((char *)want[i].u.process.rt_patch);
			want[i].kind = QP_EV_API_ENQUEUE_EXIT;
		}
	}
	free_want(&(struct check){ .want = want }, n);
}

static void assert_same_record(const struct qp_event *got,
			       const struct qp_event *want)
{
	if (want->kind == QP_PL_MODULE) {
		assert_int_equal(got->kind, QP_PL_MODULE);
		assert_int_equal(got->host, want->host);
		assert_int_equal(got->pid, want->pid);
		assert_int_equal(got->ts, want->ts);
		assert_int_equal(got->u.qpc_open.qpc, want->u.qpc_open.qpc);
		assert_int_equal(got->u.qpc_open.size, want->u.qpc_open.size);
		assert_str(got->u.qpc_open.path, want->u.qpc_open.path);
	} else if (want->kind == QP_PL_LOSS) {
		assert_int_equal(got->kind, QP_PL_LOSS);
		assert_int_equal(got->pid, want->pid);
		assert_int_equal(got->ts, want->ts);
		assert_str(got->u.process.runtime_path, want->u.process.runtime_path);
		assert_str(got->u.process.rt_patch, want->u.process.rt_patch);
	} else {
		assert_same(got, want);
	}
}

static void test_pull_in_order(void **state)
{
	struct pull p = { .n = 30000 };
	struct qp_event got;
	pthread_t t;
	uint32_t tag;
	size_t i = 0;

	(void)state;
	p.want = pull_events(p.n);
	p.pl = qp_pipeline_open();
	assert_non_null(p.pl);
	assert_int_equal(pthread_create(&t, NULL, pull_producer, &p), 0);
	while (qp_pipeline_next(p.pl, &got, &tag) > 0) {
		assert_true(i < p.n);
		assert_same_record(&got, &p.want[i]);
		assert_int_equal(tag, tag_of(i));
		i++;
	}
	assert_int_equal(i, p.n);
	assert_int_equal(qp_pipeline_next(p.pl, &got, &tag), 0);	/* stays at the end */
	pthread_join(t, NULL);
	assert_int_equal(p.rc, 0);
	qp_pipeline_free(p.pl);
	pull_free(p.want, p.n);
}

/* The consumer stops after 3000 events: the producer is told, never blocks. */
static void test_pull_abandon(void **state)
{
	struct pull p = { .n = 200000 };
	struct qp_event got;
	pthread_t t;
	uint32_t tag;
	size_t i;

	(void)state;
	p.want = pull_events(p.n);
	p.pl = qp_pipeline_open();
	assert_non_null(p.pl);
	assert_int_equal(pthread_create(&t, NULL, pull_producer, &p), 0);
	for (i = 0; i < 3000; i++) {
		assert_int_equal(qp_pipeline_next(p.pl, &got, &tag), 1);
		assert_same_record(&got, &p.want[i]);
	}
	qp_pipeline_abandon(p.pl, -EPIPE);
	pthread_join(t, NULL);		/* hangs if the producer still waits */
	assert_int_equal(p.rc, -EPIPE);
	assert_true(p.stopped_at >= 3000 && p.stopped_at < p.n);
	qp_pipeline_free(p.pl);
	pull_free(p.want, p.n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kind_in_order),
		cmocka_unit_test(test_records_larger_than_a_batch),
		cmocka_unit_test(test_consumer_error_stops),
		cmocka_unit_test(test_empty_stream),
		cmocka_unit_test(test_pull_in_order),
		cmocka_unit_test(test_pull_abandon),
	};

	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	free_arrays();
	return rc;
}
