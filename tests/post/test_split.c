// SPDX-License-Identifier: MIT
/*
 * Reading on several threads (post/split.c): qp_read_traces_threads reads
 * the checked-in trace tests/post/traces/v1/trace (two stream files) in
 * each of its three ways - one thread, two graphs (QPROF_REPORT_SPLIT=1),
 * one graph and the sink in a pipeline thread (QPROF_REPORT_SPLIT=0) - and
 * each gives qp_read_traces' events in qp_read_traces' order, with its
 * counts; the two-graph read leaves no temporary tree behind, reads a
 * relative path from the trace's parent directory, a sink's non-zero
 * return stops every way and is returned in the status (QP_E_SINK), and
 * a path without a trace is bad input named in the status.
 */
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "model.h"
#include "reader.h"
#include "split.h"
#include "status.h"

/* The events a sink saw, one line each. */
struct seen {
	char *buf;
	size_t len, cap;
	size_t n;
	size_t stop_after;	/* > 0: return 42 at that event */
};

static int record(const struct qp_event *e, void *data)
{
	struct seen *s = data;
	char line[160];
	int k = snprintf(line, sizeof(line), "%d %u %" PRIu64 " %" PRIu64 " %d %d %d\n",
			 (int)e->kind, e->host, e->ts, e->begin_ts, e->pid,
			 e->tid, e->status);

	if (s->len + (size_t)k + 1 > s->cap) {
		s->cap = (s->cap + (size_t)k + 1) * 2;
		s->buf = realloc(s->buf, s->cap);
		if (!s->buf)
			return -1;
	}
	memcpy(s->buf + s->len, line, (size_t)k + 1);
	s->len += (size_t)k;
	if (++s->n == s->stop_after)
		return 42;
	return 0;
}

static char trace[PATH_MAX], parent[PATH_MAX], tmp[PATH_MAX];
static struct seen ref;
static struct qp_read_stats ref_st;

static int setup(void **state)
{
	const char *src = getenv("srcdir");
	struct qp_model m;
	char err[2048];
	const char *paths[1] = { trace };

	(void)state;
	snprintf(parent, sizeof(parent), "%s/traces/v1", src ? src : ".");
	if (!realpath(parent, trace))
		return -1;
	snprintf(parent, sizeof(parent), "%s", trace);
	strcat(trace, "/trace");
	snprintf(tmp, sizeof(tmp), "%s/qp-test-split.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp))
		return -1;
	setenv("TMPDIR", tmp, 1);
	qp_model_init(&m);
	qp_read_stats_init(&ref_st);
	if (qp_read_traces(paths, 1, &m, record, &ref, &ref_st, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	qp_model_free(&m);
	return ref.n > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(ref.buf);
	qp_read_stats_free(&ref_st);
	rmdir(tmp);
	return 0;
}

/* No entry left in the test's $TMPDIR. */
static void assert_tmp_empty(void)
{
	DIR *d = opendir(tmp);
	struct dirent *de;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			fail_msg("left in $TMPDIR: %s", de->d_name);
	closedir(d);
}

/* Read path with threads and QPROF_REPORT_SPLIT=split (NULL: unset). */
static int read_with(const char *path, long threads, const char *split,
		     struct seen *s, struct qp_read_stats *st,
		     enum qp_read_how *how, struct qp_status *status)
{
	const char *paths[1] = { path };
	struct qp_model m;
	double cpu;
	int rc;

	if (split)
		setenv("QPROF_REPORT_SPLIT", split, 1);
	else
		unsetenv("QPROF_REPORT_SPLIT");
	qp_model_init(&m);
	qp_read_stats_init(st);
	rc = qp_read_traces_threads(paths, 1, &m, record, s, threads, st, how,
				    &cpu, status);
	assert_true(*how == QP_READ_PIPELINE ? cpu >= 0 : cpu == -1);
	qp_model_free(&m);
	unsetenv("QPROF_REPORT_SPLIT");
	return rc;
}

static void check_way(long threads, const char *split, enum qp_read_how want)
{
	struct seen s = { 0 };
	struct qp_read_stats st;
	enum qp_read_how how;
	struct qp_status status = QP_STATUS_INIT;
	char err[4096];
	int rc = read_with(trace, threads, split, &s, &st, &how, &status);

	qp_status_format(&status, err, sizeof(err));
	if (rc)
		fail_msg("rc %d: %s", rc, err);
	assert_true(qp_status_ok(&status));
	assert_int_equal(how, want);
	assert_int_equal(s.n, ref.n);
	assert_string_equal(s.buf, ref.buf);
	assert_int_equal(st.ntraces, ref_st.ntraces);
	assert_int_equal(st.qprof_events, ref_st.qprof_events);
	assert_int_equal(st.messages, ref_st.messages);
	assert_int_equal(st.first_ts, ref_st.first_ts);
	assert_int_equal(st.last_ts, ref_st.last_ts);
	assert_tmp_empty();
	free(s.buf);
	qp_read_stats_free(&st);
}

static void test_one_thread(void **state)
{
	(void)state;
	check_way(1, "1", QP_READ_ONE_THREAD);
}

static void test_two_graphs(void **state)
{
	(void)state;
	check_way(2, "1", QP_READ_TWO_GRAPHS);
}

static void test_pipeline(void **state)
{
	(void)state;
	check_way(2, "0", QP_READ_PIPELINE);
}

/* The tree's links are absolute: a relative trace path reads the same. */
static void test_relative(void **state)
{
	char cwd[PATH_MAX];
	struct seen s = { 0 };
	struct qp_read_stats st;
	enum qp_read_how how;
	struct qp_status status = QP_STATUS_INIT;
	char err[4096];
	int rc;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(parent), 0);
	rc = read_with("./trace", 2, "1", &s, &st, &how, &status);
	assert_int_equal(chdir(cwd), 0);
	qp_status_format(&status, err, sizeof(err));
	if (rc)
		fail_msg("rc %d: %s", rc, err);
	assert_int_equal(how, QP_READ_TWO_GRAPHS);
	assert_string_equal(s.buf, ref.buf);
	assert_tmp_empty();
	free(s.buf);
	qp_read_stats_free(&st);
}

/* A sink's non-zero return stops each way and is in the status. */
static void test_sink_stops(void **state)
{
	static const struct {
		long threads;
		const char *split;
	} way[] = { { 1, NULL }, { 2, "1" }, { 2, "0" } };
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(way) / sizeof(way[0]); k++) {
		struct seen s = { .stop_after = 2 };
		struct qp_read_stats st;
		enum qp_read_how how;
		struct qp_status status = QP_STATUS_INIT;

		assert_int_equal(read_with(trace, way[k].threads, way[k].split,
					   &s, &st, &how, &status), -1);
		assert_int_equal(status.code, QP_E_SINK);
		assert_int_equal(status.value, 42);
		assert_int_equal(s.n, 2);
		assert_tmp_empty();
		free(s.buf);
		qp_read_stats_free(&st);
	}
}

/* No trace: -1, bad input, and a message naming the path, in each way. */
static void test_no_trace(void **state)
{
	static const char *const split[] = { NULL, "1", "0" };
	size_t k;

	(void)state;
	for (k = 0; k < 3; k++) {
		struct seen s = { 0 };
		struct qp_read_stats st;
		enum qp_read_how how;
		struct qp_status status = QP_STATUS_INIT;
		char err[4096];

		assert_int_equal(read_with(tmp, 2, split[k], &s, &st, &how,
					   &status), -1);
		assert_int_equal(status.code, QP_E_INPUT);
		qp_status_format(&status, err, sizeof(err));
		if (!strstr(err, tmp))
			fail_msg("the message does not name %s: %s", tmp, err);
		assert_int_equal(s.n, 0);
		qp_read_stats_free(&st);
	}
}

/* Copy file src to dst, at most max bytes. */
static void copy_cut(const char *src, const char *dst, size_t max)
{
	char buf[65536];
	FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	n = fread(buf, 1, sizeof(buf) < max ? sizeof(buf) : max, in);
	assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

/*
 * A stream file cut short: babeltrace2 cannot decode the trace.  The
 * status says so (QP_E_DECODE), with babeltrace2's reason as the root
 * cause under what the reader was doing, and names the real trace
 * directory, not the two-graph read's temporary tree.
 */
static void test_decode_error(void **state)
{
	static const char *const split[] = { NULL, "1", "0" };
	char dir[PATH_MAX], src[PATH_MAX + 16], dst[PATH_MAX + 16];
	char err[8192];
	const char *f;
	size_t k;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/qp-test-split-cut.XXXXXX");
	assert_non_null(mkdtemp(dir));
	for (k = 0; k < 3; k++) {
		f = (const char *[]){ "metadata", "qp_0", "qp_1" }[k];
		snprintf(src, sizeof(src), "%s/%s", trace, f);
		snprintf(dst, sizeof(dst), "%s/%s", dir, f);
		copy_cut(src, dst, k == 2 ? 100 : (size_t)-1);
	}
	for (k = 0; k < 3; k++) {
		struct seen s = { 0 };
		struct qp_read_stats st;
		enum qp_read_how how;
		struct qp_status status = QP_STATUS_INIT;

		assert_int_equal(read_with(dir, 2, split[k], &s, &st, &how,
					   &status), -1);
		qp_status_format(&status, err, sizeof(err));
		print_message("split %s: %s\n", split[k] ? split[k] : "auto", err);
		assert_int_equal(status.code, QP_E_DECODE);
		assert_true(status.nlinks >= 2);
		assert_non_null(strstr(qp_status_link(&status, 0), dir));
		assert_null(strstr(err, "qprof-report."));
		assert_tmp_empty();
		free(s.buf);
		qp_read_stats_free(&st);
	}
	for (k = 0; k < 3; k++) {
		f = (const char *[]){ "metadata", "qp_0", "qp_1" }[k];
		snprintf(dst, sizeof(dst), "%s/%s", dir, f);
		unlink(dst);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_thread),
		cmocka_unit_test(test_two_graphs),
		cmocka_unit_test(test_pipeline),
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_sink_stops),
		cmocka_unit_test(test_no_trace),
		cmocka_unit_test(test_decode_error),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
