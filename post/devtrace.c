// SPDX-License-Identifier: MIT
/*
 * Parser of the device operator trace (devtrace.h).  The file is mapped
 * and walked by hand at the top level ({"traceEvents": [ ... ], ...} or a
 * bare [ ... ] of events); each event is decoded by jansson on its own
 * (JSON_DISABLE_EOF_CHECK gives where it ended), so memory stays bounded
 * by the operators kept, not by the size of the JSON tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devtrace.h"

struct proc {
	int64_t pid;
	int32_t core;			/* -1: not an NSP core (HOST_PROC, ...) */
	bool named;
};

/* An X event kept until the process names are known. */
struct xev {
	int64_t pid;
	struct qp_devop op;
};

struct tp {
	const char *path, *buf, *end;
	char *err;
	size_t errlen;
	struct qp_devtrace *t;
	struct proc *procs;
	size_t nprocs;
	struct xev *x;
	size_t nx, capx;
	struct {
		int64_t pid, tid;
		char *name;
	} *tn;				/* thread names by pid */
	size_t ntn;
	size_t nevents;
};

/* "PATH:LINE:COL: message" for a position in the file. */
static int fail_at(struct tp *p, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(struct tp *p, const char *at, const char *fmt, ...)
{
	const char *q = p->buf, *bol = p->buf;
	unsigned long line = 1;
	va_list ap;
	int n;

	if (at > p->end)
		at = p->end;
	while ((q = memchr(q, '\n', (size_t)(at - q)))) {
		line++;
		bol = ++q;
	}
	n = snprintf(p->err, p->errlen, "%s:%lu:%lu: ", p->path, line,
		     (unsigned long)(at - bol) + 1);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *ws(const char *q, const char *end)
{
	while (q < end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
		q++;
	return q;
}

/* One JSON value at *q (jansson), *q moved past it. */
static json_t *value(struct tp *p, const char **q)
{
	json_error_t e;
	json_t *j = json_loadb(*q, (size_t)(p->end - *q),
			       JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, &e);

	if (!j) {
		fail_at(p, *q + (e.position > 0 ? e.position - 1 : 0),
			"invalid JSON: %s", e.text);
		return NULL;
	}
	*q += e.position;
	return j;
}

/* ---- strings ------------------------------------------------------------ */

static int pool_add(struct qp_devtrace *t, const char *s, size_t n,
		    size_t *off)
{
	if (t->pool_len + n + 1 > t->pool_cap) {
		size_t cap = t->pool_cap ? t->pool_cap : 1 << 16;
		char *np;

		while (cap < t->pool_len + n + 1)
			cap *= 2;
		np = realloc(t->pool, cap);
		if (!np)
			return -1;
		t->pool = np;
		t->pool_cap = cap;
	}
	memcpy(t->pool + t->pool_len, s, n);
	t->pool[t->pool_len + n] = '\0';
	*off = t->pool_len;
	t->pool_len += n + 1;
	return 0;
}

/* "<op>-Inf-<n>" or "<op>-<n>": length of <op> and n (or -1). */
static size_t split_name(const char *s, int64_t *inf)
{
	size_t n = strlen(s), d = n;

	while (d > 0 && s[d - 1] >= '0' && s[d - 1] <= '9')
		d--;
	*inf = QP_DEVOP_NO_INF;
	if (d == n || d == 0 || s[d - 1] != '-' || n - d > 18)
		return n;
	*inf = strtoll(s + d, NULL, 10);
	d--;
	if (d >= 4 && !memcmp(s + d - 4, "-Inf", 4))
		d -= 4;
	return d;
}

/* ---- processes ---------------------------------------------------------- */

static struct proc *proc_of(struct tp *p, int64_t pid)
{
	struct proc *v;
	size_t k;

	for (k = 0; k < p->nprocs; k++)
		if (p->procs[k].pid == pid)
			return &p->procs[k];
	v = realloc(p->procs, (p->nprocs + 1) * sizeof(*v));
	if (!v)
		return NULL;
	p->procs = v;
	v = &v[p->nprocs++];
	v->pid = pid;
	v->core = -1;
	v->named = false;
	return v;
}

/* "[...Core_<n>]" or "Process <n>": the core; -1 else. */
static int32_t core_of_name(const char *s)
{
	const char *c = strstr(s, "Core_");
	char *end;
	long v;

	if (c && strchr(c, ']')) {
		v = strtol(c + 5, &end, 10);
		if (end != c + 5 && *end == ']' && v >= 0 && v < 4096)
			return (int32_t)v;
	}
	if (!strncmp(s, "Process ", 8)) {
		v = strtol(s + 8, &end, 10);
		if (end != s + 8 && !*end && v >= 0 && v < 4096)
			return (int32_t)v;
	}
	return -1;
}

/* "<program name>_<k> [QAicGraph_Core_<n>]" -> "<program name>" */
static int program_from_process(struct tp *p, const char *s)
{
	const char *b = strstr(s, " [");
	const char *u;

	if (p->t->program_name || !b || !strstr(b, "Core_"))
		return 0;
	u = b;
	while (u > s && u[-1] >= '0' && u[-1] <= '9')
		u--;
	if (u > s && u < b && u[-1] == '_')
		b = u - 1;
	p->t->program_name = strndup(s, (size_t)(b - s));
	return p->t->program_name ? 0 : -1;
}

static int meta_event(struct tp *p, json_t *ev, const char *at)
{
	const char *what = json_string_value(json_object_get(ev, "name"));
	json_t *args = json_object_get(ev, "args");
	const char *name = json_string_value(json_object_get(args, "name"));
	json_t *jpid = json_object_get(ev, "pid"), *jtid = json_object_get(ev, "tid");
	struct proc *pr;

	if (!what || !name || !json_is_integer(jpid))
		return 0;	/* metadata we do not use */
	if (!strcmp(what, "process_name")) {
		pr = proc_of(p, json_integer_value(jpid));
		if (!pr)
			return fail_at(p, at, "out of memory");
		pr->named = true;
		pr->core = core_of_name(name);
		if (pr->core >= 0 && program_from_process(p, name))
			return fail_at(p, at, "out of memory");
	} else if (!strcmp(what, "thread_name") && json_is_integer(jtid)) {
		__typeof__(p->tn) v = realloc(p->tn, (p->ntn + 1) * sizeof(*v));

		if (!v)
			return fail_at(p, at, "out of memory");
		p->tn = v;
		v[p->ntn].pid = json_integer_value(jpid);
		v[p->ntn].tid = json_integer_value(jtid);
		v[p->ntn].name = strdup(name);
		if (!v[p->ntn++].name)
			return fail_at(p, at, "out of memory");
	}
	return 0;
}

/* ---- operators ---------------------------------------------------------- */

static int x_event(struct tp *p, json_t *ev, const char *at)
{
	struct qp_devtrace *t = p->t;
	json_t *jts = json_object_get(ev, "ts"), *jdur = json_object_get(ev, "dur");
	json_t *jpid = json_object_get(ev, "pid"), *jtid = json_object_get(ev, "tid");
	json_t *args = json_object_get(ev, "args");
	const char *name = json_string_value(json_object_get(ev, "name"));
	const char *cat = json_string_value(json_object_get(ev, "cat"));
	struct xev *x;
	size_t oplen;
	char *a = NULL;
	int rc = 0;

	if (!json_is_number(jts) || !json_is_number(jdur) || !json_is_integer(jpid) ||
	    !name)
		return fail_at(p, at, "'X' event without numeric ts, dur, integer pid and a name");
	if (json_number_value(jdur) < 0 || !isfinite(json_number_value(jts)))
		return fail_at(p, at, "'X' event '%s' with a negative duration", name);
	if (p->nx == p->capx) {
		size_t cap = p->capx ? p->capx * 2 : 4096;
		struct xev *v = realloc(p->x, cap * sizeof(*v));

		if (!v)
			return fail_at(p, at, "out of memory");
		p->x = v;
		p->capx = cap;
	}
	x = &p->x[p->nx];
	memset(x, 0, sizeof(*x));
	x->pid = json_integer_value(jpid);
	x->op.ts_us = json_number_value(jts);
	x->op.dur_us = json_number_value(jdur);
	x->op.tid = json_is_integer(jtid) ? (uint32_t)json_integer_value(jtid) : 0;
	x->op.sync = !strncmp(name, "sync ", 5) || !strncmp(name, "barrier ", 8);
	oplen = split_name(name, &x->op.inference);
	if (json_is_object(args))
		a = json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS);
	if (pool_add(t, name, strlen(name), &x->op.name) ||
	    pool_add(t, name, oplen, &x->op.op) ||
	    pool_add(t, cat ? cat : "", cat ? strlen(cat) : 0, &x->op.cat) ||
	    pool_add(t, a ? a : "", a ? strlen(a) : 0, &x->op.args))
		rc = fail_at(p, at, "out of memory");
	free(a);
	p->nx += !rc;
	return rc;
}

static int event(struct tp *p, json_t *ev, const char *at)
{
	const char *ph = json_string_value(json_object_get(ev, "ph"));

	p->nevents++;
	if (!json_is_object(ev))
		return fail_at(p, at, "trace event is not a JSON object");
	if (!ph)
		return fail_at(p, at, "trace event without \"ph\"");
	if (!strcmp(ph, "M"))
		return meta_event(p, ev, at);
	if (!strcmp(ph, "X"))
		return x_event(p, ev, at);
	p->t->nignored++;
	return 0;
}

/* The events array at *q ('['). */
static int events(struct tp *p, const char **q)
{
	const char *s = ws(*q + 1, p->end);

	if (s < p->end && *s == ']') {
		*q = s + 1;
		return 0;
	}
	for (;;) {
		const char *at = s;
		json_t *ev = value(p, &s);
		int rc;

		if (!ev)
			return -1;
		rc = event(p, ev, at);
		json_decref(ev);
		if (rc)
			return -1;
		s = ws(s, p->end);
		if (s < p->end && *s == ']') {
			*q = s + 1;
			return 0;
		}
		/* Chrome accepts a trace cut short after a ',' */
		if (s < p->end && *s == ',')
			s = ws(s + 1, p->end);
		else if (s >= p->end)
			return 0;
		else
			return fail_at(p, s, "expected ',' or ']' after a trace event");
		if (s >= p->end)
			return 0;
	}
}

static void other_data(struct tp *p, json_t *od)
{
	const char *name = json_string_value(json_object_get(od, "ProgramName"));
	json_t *id = json_object_get(od, "ProgramId");

	if (name && !p->t->program_name)
		p->t->program_name = strdup(name);
	if (json_is_integer(id) && json_integer_value(id) >= 0 &&
	    json_integer_value(id) <= UINT32_MAX) {
		p->t->has_program_id = true;
		p->t->program_id = (uint32_t)json_integer_value(id);
	}
}

/* {"traceEvents": [...], "otherData": {...}, ...} */
static int object(struct tp *p, const char *q)
{
	bool seen = false;

	q = ws(q + 1, p->end);
	while (q < p->end && *q != '}') {
		const char *at = q;
		json_t *key = value(p, &q), *v;
		int rc = 0;

		if (!key)
			return -1;
		if (!json_is_string(key)) {
			json_decref(key);
			return fail_at(p, at, "expected a key string");
		}
		q = ws(q, p->end);
		if (q >= p->end || *q != ':') {
			json_decref(key);
			return fail_at(p, q, "expected ':' after a key");
		}
		q = ws(q + 1, p->end);
		if (!strcmp(json_string_value(key), "traceEvents")) {
			seen = true;
			rc = q < p->end && *q == '[' ? events(p, &q) :
			     fail_at(p, q, "\"traceEvents\" is not an array");
		} else if ((v = value(p, &q))) {
			if (!strcmp(json_string_value(key), "otherData"))
				other_data(p, v);
			json_decref(v);
		} else {
			rc = -1;
		}
		json_decref(key);
		if (rc)
			return -1;
		q = ws(q, p->end);
		if (q < p->end && *q == ',')
			q = ws(q + 1, p->end);
		else if (q < p->end && *q != '}')
			return fail_at(p, q, "expected ',' or '}' in the top-level object");
	}
	if (!seen)
		return fail_at(p, p->buf, "not a Chrome trace: no \"traceEvents\" array");
	return 0;
}

/* ---- after the walk: keep the operators of NSP processes --------------- */

static int cmp_op(const void *a, const void *b)
{
	const struct qp_devop *x = a, *y = b;

	if (x->inference != y->inference)
		return x->inference < y->inference ? -1 : 1;
	if (x->ts_us != y->ts_us)
		return x->ts_us < y->ts_us ? -1 : 1;
	if (x->core != y->core)
		return x->core < y->core ? -1 : 1;
	return (x->tid > y->tid) - (x->tid < y->tid);
}

static bool any_named(const struct tp *p)
{
	size_t k;

	for (k = 0; k < p->nprocs; k++)
		if (p->procs[k].named)
			return true;
	return false;
}

/*
 * Which X events are device operators: those of NSP-core processes; a
 * trace naming no process at all: events of category "aic", core = pid.
 */
static int keep_ops(struct tp *p)
{
	struct qp_devtrace *t = p->t;
	bool named = any_named(p);
	size_t k;

	t->ops = malloc((p->nx ? p->nx : 1) * sizeof(*t->ops));
	if (!t->ops)
		return -1;
	for (k = 0; k < p->nx; k++) {
		struct proc *pr = proc_of(p, p->x[k].pid);
		struct qp_devop *op = &p->x[k].op;

		if (!pr)
			return -1;
		if (named ? pr->core < 0 :
		    strcmp(qp_devtrace_str(t, op->cat), "aic") || pr->pid < 0 ||
		    pr->pid >= 4096) {
			t->nignored++;
			continue;
		}
		op->core = named ? (uint32_t)pr->core : (uint32_t)pr->pid;
		if (op->core + 1 > t->ncores)
			t->ncores = op->core + 1;
		t->ops[t->nops++] = *op;
	}
	qsort(t->ops, t->nops, sizeof(*t->ops), cmp_op);
	return 0;
}

static int summarize_infs(struct qp_devtrace *t)
{
	size_t k;

	for (k = 0; k < t->nops; k++) {
		const struct qp_devop *op = &t->ops[k];
		struct qp_devinf *d;

		if (op->inference == QP_DEVOP_NO_INF)
			continue;
		d = t->ninfs ? &t->infs[t->ninfs - 1] : NULL;
		if (!d || d->inference != op->inference) {
			d = realloc(t->infs, (t->ninfs + 1) * sizeof(*d));
			if (!d)
				return -1;
			t->infs = d;
			d = &d[t->ninfs++];
			d->inference = op->inference;
			d->first_us = op->ts_us;
			d->last_us = op->ts_us + op->dur_us;
			d->nops = 0;
		}
		d->nops++;
		if (op->ts_us + op->dur_us > d->last_us)
			d->last_us = op->ts_us + op->dur_us;
	}
	return 0;
}

static int thread_names(struct tp *p)
{
	struct qp_devtrace *t = p->t;
	size_t k;

	for (k = 0; k < p->ntn; k++) {
		struct proc *pr = proc_of(p, p->tn[k].pid);
		struct qp_devthread *v;

		if (!pr)
			return -1;
		if (pr->core < 0)
			continue;
		v = realloc(t->threads, (t->nthreads + 1) * sizeof(*v));
		if (!v)
			return -1;
		t->threads = v;
		v = &v[t->nthreads++];
		v->core = (uint32_t)pr->core;
		v->tid = (uint32_t)p->tn[k].tid;
		v->name = p->tn[k].name;
		p->tn[k].name = NULL;
	}
	return 0;
}

static void ids_from_name(struct qp_devtrace *t)
{
	const char *base = strrchr(t->path, '/');
	unsigned id;
	int n = -1;

	base = base ? base + 1 : t->path;
	if (!t->has_program_id &&
	    sscanf(base, "aic-profiling-program-%u-trace.json%n", &id, &n) == 1 &&
	    n > 0 && !base[n]) {
		t->has_program_id = true;
		t->program_id = id;
	}
}

static void tp_free(struct tp *p)
{
	size_t k;

	for (k = 0; k < p->ntn; k++)
		free(p->tn[k].name);
	free(p->tn);
	free(p->procs);
	free(p->x);
}

int qp_devtrace_parse(const char *path, const char *text, size_t len,
		      struct qp_devtrace *t, char *err, size_t errlen)
{
	struct tp p = { .path = path, .buf = text, .end = text + len,
			.err = err, .errlen = errlen, .t = t };
	const char *q = ws(text, text + len);
	int rc;

	memset(t, 0, sizeof(*t));
	t->path = strdup(path);
	if (!t->path) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (q < p.end && *q == '{')
		rc = object(&p, q);
	else if (q < p.end && *q == '[')
		rc = events(&p, &q);
	else
		rc = fail_at(&p, q, "not a Chrome trace: expected '{' or '['");
	if (!rc && (keep_ops(&p) || summarize_infs(t) || thread_names(&p)))
		rc = fail_at(&p, p.end, "out of memory");
	if (!rc && !t->nops)
		rc = fail_at(&p, p.end,
			     "no device operators: %zu events, none an 'X' slice of an NSP core process",
			     p.nevents);
	tp_free(&p);
	if (rc) {
		qp_devtrace_free(t);
		return -1;
	}
	ids_from_name(t);
	return 0;
}

int qp_devtrace_load(const char *path, struct qp_devtrace *t, char *err,
		     size_t errlen)
{
	struct stat st;
	void *map;
	int fd, rc;

	memset(t, 0, sizeof(*t));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (!st.st_size) {
		close(fd);
		snprintf(err, errlen, "%s:1:1: not a Chrome trace: the file is empty", path);
		return -1;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	rc = qp_devtrace_parse(path, map, (size_t)st.st_size, t, err, errlen);
	munmap(map, (size_t)st.st_size);
	return rc;
}

void qp_devtrace_free(struct qp_devtrace *t)
{
	size_t k;

	for (k = 0; k < t->nthreads; k++)
		free(t->threads[k].name);
	free(t->threads);
	free(t->ops);
	free(t->infs);
	free(t->pool);
	free(t->program_name);
	free(t->path);
	memset(t, 0, sizeof(*t));
}
