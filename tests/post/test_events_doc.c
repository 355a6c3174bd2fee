// SPDX-License-Identifier: MIT
/*
 * docs/EVENTS.md documents every event and field of the schema
 * (tracepoints/qprof-events.def, through qp_ev_schema()), and nothing else:
 *   - each event has a table row whose first cell names it (`name`), or a
 *     `### \`name\`` section;
 *   - each of its fields appears as `field` (`field[]` for a sequence) in
 *     that row or section, or in
 *     the "Common fields" table (pid, tid, begin_ts, status, ret, err, fd);
 *   - every event a table's first cell or a ### heading names exists.
 * Every omission is listed before the test fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "event.h"

static char *doc;		/* docs/EVENTS.md */

static int setup(void **state)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	FILE *f;
	long n;

	(void)state;
	snprintf(path, sizeof(path), "%s/docs/EVENTS.md", top ? top : "../..");
	f = fopen(path, "r");
	if (!f) {
		print_error("cannot open %s\n", path);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	doc = calloc(1, (size_t)n + 1);
	if (!doc || fread(doc, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(doc);
	return 0;
}

/* The line starting at p, as a fresh string. */
static char *line_at(const char *p)
{
	return strndup(p, strcspn(p, "\n"));
}

/* Does s hold `word` (in backquotes; `word[]` for a sequence)? */
static int has_code(const char *s, const char *word)
{
	char q[128], qs[128];

	snprintf(q, sizeof(q), "`%s`", word);
	snprintf(qs, sizeof(qs), "`%s[]`", word);
	return strstr(s, q) || strstr(s, qs);
}

/*
 * Where the doc documents event name: its table row (first cell) or its
 * ### section up to the next heading.  NULL when it does not.
 */
static char *entry_of(const char *name)
{
	const char *p;
	char *l, *end;

	for (p = doc; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		l = line_at(p);
		if (l[0] == '|') {
			end = strchr(l + 1, '|');
			if (end) {
				*end = 0;
				if (has_code(l, name)) {
					*end = '|';
					return l;
				}
			}
		} else if (!strncmp(l, "### ", 4) && has_code(l, name)) {
			const char *next = strstr(p + 1, "\n#");
			size_t len = next ? (size_t)(next - p) : strlen(p);

			free(l);
			return strndup(p, len);
		}
		free(l);
	}
	return NULL;
}

/* The "Common fields" table: from its heading to the first blank line. */
static char *common_table(void)
{
	const char *p = strstr(doc, "Common fields");
	const char *end = p ? strstr(p, "|\n\n") : NULL;

	return p && end ? strndup(p, (size_t)(end - p)) : NULL;
}

static void every_event_and_field(void **state)
{
	static const char *const common_names[] = {
		"pid", "tid", "begin_ts", "status", "ret", "err",
	};
	char *common = common_table();
	int k, missing = 0;
	unsigned int i, c;

	(void)state;
	assert_non_null(common);
	for (k = 0; k < QP_EV__COUNT; k++) {
		const struct qp_ev_schema *sc = qp_ev_schema((enum qp_ev_kind)k);
		char *entry;

		if (!sc)
			continue;
		entry = entry_of(sc->name);
		if (!entry) {
			print_error("EVENTS.md: no row or section for event %s\n",
				    sc->name);
			missing++;
			continue;
		}
		for (i = 0; i < sc->nfields; i++) {
			if (has_code(entry, sc->fields[i]) ||
			    has_code(common, sc->fields[i]))
				continue;
			print_error("EVENTS.md: field %s of %s is not documented\n",
				    sc->fields[i], sc->name);
			missing++;
		}
		free(entry);
	}
	for (c = 0; c < sizeof(common_names) / sizeof(*common_names); c++) {
		if (!has_code(common, common_names[c])) {
			print_error("EVENTS.md: common field %s is not in the Common fields table\n",
				    common_names[c]);
			missing++;
		}
	}
	free(common);
	assert_int_equal(missing, 0);
}

/* Is name (between backquotes at p, of length n) an event of the schema? */
static int known_event(const char *p, size_t n)
{
	int k;

	for (k = 0; k < QP_EV__COUNT; k++) {
		const struct qp_ev_schema *sc = qp_ev_schema((enum qp_ev_kind)k);

		if (sc && strlen(sc->name) == n && !strncmp(sc->name, p, n))
			return 1;
	}
	return 0;
}

/* Event names (api_*, kmd_*, process_*) in the text of s that do not exist. */
static int unknown_events_in(const char *s)
{
	static const char *const prefixes[] = { "`api_", "`kmd_", "`process_" };
	int bad = 0;
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++) {
		const char *p = s;

		while ((p = strstr(p, prefixes[i]))) {
			size_t n = strcspn(p + 1, "`");

			if (!known_event(p + 1, n)) {
				print_error("EVENTS.md documents %.*s, which the schema does not have\n",
					    (int)n, p + 1);
				bad++;
			}
			p += n + 1;
		}
	}
	return bad;
}

static void no_stale_events(void **state)
{
	const char *p;
	int bad = 0;

	(void)state;
	for (p = doc; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		char *l = line_at(p), *end;

		if (l[0] == '|' && (end = strchr(l + 1, '|'))) {
			*end = 0;
			bad += unknown_events_in(l);
		} else if (!strncmp(l, "### ", 4)) {
			bad += unknown_events_in(l);
		}
		free(l);
	}
	assert_int_equal(bad, 0);
}

/* The schema itself: names resolve both ways, fields within bounds. */
static void schema_consistent(void **state)
{
	char name[128];
	int k;

	(void)state;
	for (k = 0; k < QP_EV__COUNT; k++) {
		const struct qp_ev_schema *sc = qp_ev_schema((enum qp_ev_kind)k);

		if (k == QP_EV_DISCARDED) {
			assert_null(sc);
			continue;
		}
		assert_non_null(sc);
		snprintf(name, sizeof(name), "qprof:%s", sc->name);
		assert_int_equal(qp_ev_kind_from_name(name), k);
		assert_true(sc->nfields >= 1 && sc->nfields <= QP_EV_MAX_FIELDS);
		assert_true(sc->common & QP_EV_COMMON_PID_TID);
		assert_int_equal(sc->kmd, qp_ev_is_kmd((enum qp_ev_kind)k));
		assert_int_equal(sc->kmd, !strncmp(sc->name, "kmd_", 4));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(schema_consistent),
		cmocka_unit_test(every_event_and_field),
		cmocka_unit_test(no_stale_events),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
