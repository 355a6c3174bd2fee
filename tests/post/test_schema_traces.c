// SPDX-License-Identifier: MIT
/*
 * The recorded trace of every schema version (tests/post/traces/v<N>/trace,
 * N = 1 .. QP_SCHEMA_VERSION) is read with the real babeltrace2 and no
 * session daemon, and each decoded event is compared with what the
 * generator emitted (schema_gen.c, its output kept as expected.txt):
 *   - the same events in the same order;
 *   - every field expected.txt lists has that value;
 *   - a field expected.txt does not list (added by a later version)
 *     decodes as 0, "" or an empty sequence;
 * and the assembler makes the generator's two inferences of it.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "assemble.h"
#include "model.h"
#include "reader.h"

#define MAX_LINE 4096

/* ---- a decoded event as "field=value" items ---------------------------- */

struct item {
	char key[64];
	char val[512];
};

struct fmt {
	struct item it[64];
	size_t n;
};

static void add(struct fmt *f, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add(struct fmt *f, const char *key, const char *fmt, ...)
{
	va_list ap;

	assert_true(f->n < sizeof(f->it) / sizeof(f->it[0]));
	snprintf(f->it[f->n].key, sizeof(f->it[f->n].key), "%s", key);
	va_start(ap, fmt);
	vsnprintf(f->it[f->n].val, sizeof(f->it[f->n].val), fmt, ap);
	va_end(ap);
	f->n++;
}

#define IS_SIGNED(ctype)						\
	_Generic((QP_EV_TYPE(ctype))0, int8_t: 1, int16_t: 1, int32_t: 1, \
		 int64_t: 1, default: 0)

static void add_int(struct fmt *f, const char *key, int is_signed, uint64_t v)
{
	if (is_signed)
		add(f, key, "%" PRId64, (int64_t)v);
	else
		add(f, key, "%" PRIu64, v);
}

static void add_seq(struct fmt *f, const char *key, const void *arr,
		    size_t esize, uint32_t len)
{
	char buf[512];
	size_t n = 0;
	uint32_t i;

	buf[0] = 0;
	for (i = 0; i < len; i++) {
		uint64_t v = esize == 8 ? ((const uint64_t *)arr)[i] :
			     ((const uint32_t *)arr)[i];

		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%" PRIu64,
				      i ? "," : "", v);
		assert_true(n < sizeof(buf));
	}
	add(f, key, "[%s]", buf);
}

#define FMT_COMMON(what)
#define FMT_INT(ctype, name, base)					\
	add_int(f, #name, IS_SIGNED(ctype), (uint64_t)u->name);
#define FMT_STR(name)		add(f, #name, "%s", u->name ? u->name : "");
#define FMT_SEQ(ctype, name, len, base)					\
	add_seq(f, #name, u->name, sizeof(u->name[0]), u->len);
#define FMT_SEQ_SAME_LEN(ctype, name, len, base)			\
	FMT_SEQ(ctype, name, len, base)
#define FORMATTER(list, member)						\
	static void fmt_##list(const struct qp_event *e, struct fmt *f)	\
	{								\
		const struct qp_ev_##member *u = &e->u.member;		\
									\
		QP_FIELDS_##list(FMT)					\
	}
#define QP_EVENT(group, kind, name, member)	FORMATTER(name, member)
#define QP_EVENT_CLASS(group, cls, member)	FORMATTER(cls, member)
#define QP_EVENT_INSTANCE(group, cls, member, kind, name)
#include "../../tracepoints/qprof-events.def"

/* The payload fields of e (schema order), after the header's. */
static void format_event(const struct qp_event *e, struct fmt *f)
{
	const struct qp_ev_schema *sc = qp_ev_schema(e->kind);

	f->n = 0;
	add_int(f, "pid", 1, (uint64_t)(int64_t)e->pid);
	add_int(f, "tid", 1, (uint64_t)(int64_t)e->tid);
	if (sc && (sc->common & QP_EV_COMMON_BEGIN))
		add_int(f, "begin_ts", 0, e->begin_ts);
	add_int(f, "status", 1, (uint64_t)(int64_t)e->status);
	add_int(f, "err", 1, (uint64_t)(int64_t)e->err);
	switch (e->kind) {
#define QP_EVENT(group, kind, name, member)				\
	case QP_EV_##kind: fmt_##name(e, f); break;
#define QP_EVENT_CLASS(group, cls, member)
#define QP_EVENT_INSTANCE(group, cls, member, kind, name)		\
	case QP_EV_##kind: fmt_##cls(e, f); break;
#include "../../tracepoints/qprof-events.def"
	default:
		break;
	}
}

/* ---- reading a version's trace ------------------------------------------ */

struct check {
	FILE *expected;
	const char *path;	/* of expected.txt */
	unsigned long line;
	unsigned long events;
	int errors;
	struct qp_assembler *a;
};

static void mismatch(struct check *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void mismatch(struct check *k, const char *fmt, ...)
{
	va_list ap;

	print_error("%s:%lu: ", k->path, k->line);
	va_start(ap, fmt);
	vprint_error(fmt, ap);
	va_end(ap);
	print_error("\n");
	k->errors++;
}

static const char *value_of(const struct fmt *f, const char *key)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->it[i].key, key))
			return f->it[i].val;
	return NULL;
}

/* Is key listed on the expected line (tab-separated key=value items)? */
static int listed(const char *line, const char *key)
{
	size_t kl = strlen(key);
	const char *p;

	for (p = strchr(line, '\t'); p; p = strchr(p + 1, '\t'))
		if (!strncmp(p + 1, key, kl) && p[1 + kl] == '=')
			return 1;
	return 0;
}

static void compare(struct check *k, const struct qp_event *e, char *line)
{
	const char *name = qp_ev_kind_name(e->kind);
	char *tok, *save = NULL, *copy = strdup(line);
	struct fmt f;
	size_t i;

	assert_non_null(copy);
	format_event(e, &f);
	tok = strtok_r(copy, "\t", &save);
	if (!tok || strcmp(tok, name)) {
		mismatch(k, "event %s, expected %s", name, tok ? tok : "(none)");
		free(copy);
		return;
	}
	while ((tok = strtok_r(NULL, "\t", &save))) {
		char *eq = strchr(tok, '=');
		const char *got;

		if (!eq)
			continue;
		*eq = 0;
		got = value_of(&f, tok);
		if (!got)
			mismatch(k, "%s: no field %s decoded", name, tok);
		else if (strcmp(got, eq + 1))
			mismatch(k, "%s.%s = %s, expected %s", name, tok, got, eq + 1);
	}
	/* fields of later versions: absent from this trace, decoded empty */
	for (i = 0; i < f.n; i++) {
		const char *v = f.it[i].val;

		if (!listed(line, f.it[i].key) && strcmp(f.it[i].key, "begin_ts") &&
		    strcmp(v, "0") && strcmp(v, "") && strcmp(v, "[]"))
			mismatch(k, "%s.%s = %s, not in this version's trace",
				 name, f.it[i].key, v);
	}
	free(copy);
}

static int on_event(const struct qp_event *e, void *data)
{
	struct check *k = data;
	char line[MAX_LINE];

	if (e->kind == QP_EV_DISCARDED) {
		mismatch(k, "events were discarded");
		return 0;
	}
	k->events++;
	k->line++;
	if (!fgets(line, sizeof(line), k->expected)) {
		mismatch(k, "event %s after the last expected one",
			 qp_ev_kind_name(e->kind));
		return qp_assembler_feed(k->a, e);
	}
	line[strcspn(line, "\n")] = 0;
	compare(k, e, line);
	return qp_assembler_feed(k->a, e);
}

/* The generator's two inferences, assembled (schema_gen.c); from schema 3
 * also its Python program's two (no kernel events). */
static void check_inferences(const struct qp_model *m, int v)
{
	assert_int_equal(m->nprocesses, 1);
	assert_int_equal(m->processes[0].pid, 4242);
	/* from schema 2, the program added to its group (named after its
	 * QPC, model/programqpc.bin); from 3, the Python program */
	assert_int_equal(m->nprograms, (size_t)(v >= 3 ? 3 : v >= 2 ? 2 : 1));
	assert_string_equal(m->programs[0].name, "resnet");
	if (v >= 2) {
		assert_string_equal(m->programs[1].name, "model");
		assert_true(m->programs[1].name_from_qpc);
		assert_int_equal(m->programs[1].handle, 41472);
	}
	assert_int_equal(m->ninf, v >= 3 ? 4 : 2);
	if (v >= 3) {
		/* named after its QPC "qpc/llm"; the waited inference has no
		 * kernel events, the failed run no successful completion */
		assert_string_equal(m->programs[2].name, "llm");
		assert_int_equal(m->inf[2].program, 2);
		assert_int_equal(m->inf[2].state, QP_INF_UNMATCHED);
		assert_int_equal(m->inf[3].program, 2);
		assert_int_equal(m->inf[3].state, QP_INF_NO_COMPLETION);
	}
	assert_int_equal(m->inf[0].state, QP_INF_OK);
	assert_int_equal(m->inf[0].done_kind, QP_DONE_WAIT);
	assert_int_equal(m->inf[0].submit_latency_us, 11);
	assert_int_equal(m->inf[0].device_latency_us, 150);
	assert_int_equal(m->inf[1].state, QP_INF_OK);
	assert_int_equal(m->inf[1].done_kind, QP_DONE_CALLBACK);
	assert_int_equal(m->inf[1].submit_latency_us, 12);
	assert_int_equal(m->inf[1].device_latency_us, 151);
}

static void read_version(int v)
{
	const char *src = getenv("srcdir");
	char dir[4096], exp[4096 + 16], err[2048], rest[MAX_LINE];
	const char *paths[1] = { dir };
	struct check k = { .path = exp };
	struct qp_read_stats st;
	struct qp_model m;
	int rc;

	snprintf(dir, sizeof(dir), "%s/traces/v%d/trace", src ? src : ".", v);
	snprintf(exp, sizeof(exp), "%s/traces/v%d/expected.txt", src ? src : ".", v);
	k.expected = fopen(exp, "r");
	if (!k.expected)
		fail_msg("cannot open %s: every schema version up to %d needs its trace",
			 exp, QP_SCHEMA_VERSION);
	qp_model_init(&m);
	qp_read_stats_init(&st);
	k.a = qp_assembler_new(&m);
	assert_non_null(k.a);
	rc = qp_read_traces(paths, 1, &m, on_event, &k, &st, err, sizeof(err));
	if (rc)
		fail_msg("%s: %s", dir, err);
	if (fgets(rest, sizeof(rest), k.expected)) {
		k.line++;
		mismatch(&k, "expected event missing from the trace: %s", rest);
	}
	fclose(k.expected);
	qp_assembler_finish(k.a);
	print_message("v%d: %lu events, %zu inferences\n", v, k.events, m.ninf);
	assert_int_equal(k.errors, 0);
	assert_true(k.events > 0);
	assert_int_equal(st.qprof_events, k.events);
	check_inferences(&m, v);
	qp_assembler_free(k.a);
	qp_read_stats_free(&st);
	qp_model_free(&m);
}

static void every_version(void **state)
{
	int v;

	(void)state;
	for (v = 1; v <= QP_SCHEMA_VERSION; v++)
		read_version(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
