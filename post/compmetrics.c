// SPDX-License-Identifier: MIT
/*
 * Parser of the compiler's -aic-perf-metrics output and its DDR / VTCM
 * view (compmetrics.h).  The output is mixed with other compiler messages:
 * a line is a metric when it starts with one of the keys below (or, after
 * "Compiler estimated memory traffic:", when it is a traffic line); such a
 * line must then read as that metric, anything else is counted as a
 * message and kept out of the metrics.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compmetrics.h"
#include "linescan.h"

#define CM_MAX_BYTES (64u << 20)

struct cm_parse {
	struct qp_scan s;
	struct qp_compile_metrics *m;
	bool in_hist;			/* histogram rows may follow */
	bool in_traffic;		/* after "Compiler estimated memory traffic:" */
	size_t last_read;		/* 1 + index of the last endpoint with a
					 * DDR read line; 0: none yet */
	char *prev_word;		/* the previous line, when it was one word */
	bool any;			/* a metric was read */
};

static int oom(struct cm_parse *ps)
{
	return qp_scan_fail(&ps->s, "out of memory");
}

static int bad(struct cm_parse *ps, const char *what)
{
	char q[96];

	qp_scan_quote(&ps->s, q, sizeof(q));
	return qp_scan_fail(&ps->s, "malformed %s line: %s", what, q);
}

/* The rest of the line as a string for @dst (once per file). */
static int text_field(struct cm_parse *ps, char **dst, const char *what)
{
	if (*dst)
		return qp_scan_fail(&ps->s, "second '%s' line", what);
	qp_scan_blanks(&ps->s);
	*dst = qp_scan_rest(&ps->s);
	return *dst ? 0 : oom(ps);
}

/* ---- sizes -------------------------------------------------------------- */

static const struct {
	const char *unit;
	uint64_t mult;
} units[] = {
	{ "(bytes)", 1 }, { "B", 1 }, { "KB", 1024 }, { "MB", 1024 * 1024 },
	{ "GB", 1024ull * 1024 * 1024 },
};

/* "<N> <unit>" after the key. */
static int size_value(struct cm_parse *ps, struct qp_cm_size *sz,
		      const char *key)
{
	struct qp_scan *s = &ps->s;
	const char *u;
	size_t n, k;

	if (sz->has)
		return qp_scan_fail(s, "second '%s' line", key);
	if (!qp_scan_u64_grouped(s, &sz->value))
		return bad(ps, key);
	qp_scan_blanks(s);
	if (!qp_scan_word(s, &u, &n) || !qp_scan_eol(s))
		return bad(ps, key);
	for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
		if (strlen(units[k].unit) == n && !memcmp(u, units[k].unit, n))
			break;
	if (k == sizeof(units) / sizeof(units[0]))
		return qp_scan_fail(s, "malformed %s line: unknown unit '%.*s'", key,
				    (int)n, u);
	snprintf(sz->unit, sizeof(sz->unit), "%s",
		 units[k].unit[0] == '(' ? "bytes" : units[k].unit);
	sz->bytes = sz->value * units[k].mult;
	sz->has = true;
	sz->line = s->line;
	return 0;
}

#define SZ(f) offsetof(struct qp_compile_metrics, f)
static const struct {
	const char *key;
	size_t off;
} size_keys[] = {
	{ "preD32 constants size:", SZ(pre_d32_constants) },
	{ "d32 constants size:", SZ(d32_constants) },
	{ "final constants size:", SZ(final_constants) },
	{ "final combined specializations constants size:", SZ(final_combined_constants) },
	{ "StaticSharedDDRSize:", SZ(static_shared_ddr) },
	{ "DynamicSharedDDRSize:", SZ(dynamic_shared_ddr) },
	{ "StaticConstantsSize:", SZ(static_constants) },
	{ "DynamicConstantsSize:", SZ(dynamic_constants) },
	{ "MulticastStaticVASizeMax:", SZ(mc_static_va_max) },
	{ "Constants size:", SZ(constants) },
	{ "constants.bin QPC section size:", SZ(qpc_constants_section) },
	{ "ELF sections size:", SZ(elf_sections) },
	{ "VTCMMaxSize:", SZ(vtcm_max) },
};
#undef SZ

/* "VTCM<n>Size: <size>" */
static int vtcm_size(struct cm_parse *ps)
{
	struct qp_scan *s = &ps->s;
	struct qp_compile_metrics *m = ps->m;
	uint64_t n;
	char key[32];

	s->c = s->lb + 4;
	if (!qp_scan_u64(s, &n) || !qp_scan_lit(s, "Size:") || n > 1023)
		return bad(ps, "VTCM<n>Size");
	snprintf(key, sizeof(key), "VTCM%" PRIu64 "Size:", n);
	if (n >= m->nvtcm) {
		struct qp_cm_size *v = realloc(m->vtcm, (n + 1) * sizeof(*v));

		if (!v)
			return oom(ps);
		memset(v + m->nvtcm, 0, (n + 1 - m->nvtcm) * sizeof(*v));
		m->vtcm = v;
		m->nvtcm = n + 1;
	}
	return size_value(ps, &m->vtcm[n], key);
}

/* ---- single numbers and texts ------------------------------------------ */

static int count_value(struct cm_parse *ps, bool *has, uint64_t *v,
		       const char *key)
{
	if (*has)
		return qp_scan_fail(&ps->s, "second '%s' line", key);
	if (!qp_scan_u64_grouped(&ps->s, v) || !qp_scan_eol(&ps->s))
		return bad(ps, key);
	*has = true;
	return 0;
}

#define CNT(h, f) offsetof(struct qp_compile_metrics, h), offsetof(struct qp_compile_metrics, f)
static const struct {
	const char *key;
	size_t has, off;
} count_keys[] = {
	{ "Original MAC estimate:", CNT(has_mac, mac) },
	{ "AIC HMX MAC estimate:", CNT(has_hmx_mac, hmx_mac) },
	{ "AIC non-HMX MAC estimate:", CNT(has_nonhmx_mac, nonhmx_mac) },
	{ "MulticastTableSize:", CNT(has_mc_table, mc_table_size) },
	{ "Number of specialized kernels:", CNT(has_kernels, kernels) },
	{ "Number of shared specialized kernels:", CNT(has_shared_kernels, shared_kernels) },
};
#undef CNT

static int warning(struct cm_parse *ps)
{
	struct qp_compile_metrics *m = ps->m;
	char **w = realloc(m->warnings, (m->nwarnings + 1) * sizeof(*w));

	if (!w)
		return oom(ps);
	m->warnings = w;
	qp_scan_blanks(&ps->s);
	w[m->nwarnings] = qp_scan_rest(&ps->s);
	if (!w[m->nwarnings])
		return oom(ps);
	m->nwarnings++;
	return 0;
}

/* "Compiling model with <P> precision." */
static int precision(struct cm_parse *ps)
{
	struct qp_scan *s = &ps->s;
	const char *w;
	size_t n;

	if (ps->m->precision)
		return qp_scan_fail(s, "second 'Compiling model with' line");
	qp_scan_blanks(s);
	if (!qp_scan_word(s, &w, &n) || !qp_scan_blit(s, "precision.") || !qp_scan_eol(s))
		return bad(ps, "Compiling model with");
	ps->m->precision = strndup(w, n);
	return ps->m->precision ? 0 : oom(ps);
}

/* ---- histogram ---------------------------------------------------------- */

/* "  1024   13   2%"; false (nothing consumed) when the line is not a row. */
static bool hist_row(struct cm_parse *ps, struct qp_cm_hist *h)
{
	struct qp_scan *s = &ps->s;
	uint64_t pct;

	s->c = s->lb;
	if (!qp_scan_u64_grouped(s, &h->elts) || !qp_scan_u64_grouped(s, &h->count))
		return false;
	qp_scan_blanks(s);
	if (!qp_scan_u64(s, &pct) || pct > 100 || !qp_scan_lit(s, "%") || !qp_scan_eol(s))
		return false;
	h->pct = (uint32_t)pct;
	return true;
}

static int add_hist(struct cm_parse *ps, const struct qp_cm_hist *h)
{
	struct qp_compile_metrics *m = ps->m;
	struct qp_cm_hist *v = realloc(m->hist, (m->nhist + 1) * sizeof(*v));

	if (!v)
		return oom(ps);
	m->hist = v;
	v[m->nhist++] = *h;
	return 0;
}

/* ---- traffic ------------------------------------------------------------ */

static struct qp_cm_traffic *endpoint(struct cm_parse *ps, const char *b,
				      size_t n)
{
	struct qp_compile_metrics *m = ps->m;
	struct qp_cm_traffic *t;
	size_t k;

	for (k = 0; k < m->ntraffic; k++)
		if (strlen(m->traffic[k].name) == n && !memcmp(m->traffic[k].name, b, n))
			return &m->traffic[k];
	t = realloc(m->traffic, (m->ntraffic + 1) * sizeof(*t));
	if (!t)
		return NULL;
	m->traffic = t;
	t = &t[m->ntraffic];
	memset(t, 0, sizeof(*t));
	t->name = strndup(b, n);
	if (!t->name)
		return NULL;
	t->core = -1;
	if (n >= 2 && b[0] == 'c') {
		size_t k2;

		for (k2 = 1; k2 < n && isdigit((unsigned char)b[k2]); k2++)
			;
		if (k2 == n && n <= 6)
			t->core = (int32_t)strtol(b + 1, NULL, 10);
	}
	m->ntraffic++;
	return t;
}

/* "N KB" then optionally "(first-inf N KB)" when @first is given. */
static bool kb_value(struct qp_scan *s, uint64_t *v, bool *has_first,
		     uint64_t *first)
{
	if (!qp_scan_u64_grouped(s, v) || !qp_scan_blit(s, "KB"))
		return false;
	if (first && qp_scan_blit(s, "(first-inf")) {
		if (!qp_scan_u64_grouped(s, first) || !qp_scan_blit(s, "KB)"))
			return false;
		*has_first = true;
	}
	return qp_scan_eol(s);
}

static int set_kb(struct cm_parse *ps, bool *has, uint64_t *v, bool *has_first,
		  uint64_t *first, const char *what)
{
	if (*has)
		return qp_scan_fail(&ps->s, "second %s line for this endpoint", what);
	if (!kb_value(&ps->s, v, has_first, first))
		return bad(ps, what);
	*has = true;
	return 0;
}

/* "constant only: N KB (first-inf N KB)" under a DDR read line. */
static int const_continuation(struct cm_parse *ps)
{
	struct qp_cm_traffic *t;

	if (!ps->last_read)
		return qp_scan_fail(&ps->s, "'constant only' line without a DDR traffic read line before it");
	t = &ps->m->traffic[ps->last_read - 1];
	return set_kb(ps, &t->has_const_read, &t->const_read_kb,
		      &t->has_const_read_first, &t->const_read_first_kb,
		      "constant only (DDR read)");
}

/* After "<name>:": the traffic kinds. */
static int traffic_kind(struct cm_parse *ps, struct qp_cm_traffic *t)
{
	struct qp_scan *s = &ps->s;

	if (qp_scan_blit(s, "DDR traffic")) {
		if (qp_scan_blit(s, "read:")) {
			ps->last_read = (size_t)(t - ps->m->traffic) + 1;
			return set_kb(ps, &t->has_ddr_read, &t->ddr_read_kb,
				      &t->has_ddr_read_first, &t->ddr_read_first_kb,
				      "DDR traffic read");
		}
		if (qp_scan_blit(s, "write:"))
			return set_kb(ps, &t->has_ddr_write, &t->ddr_write_kb, NULL,
				      NULL, "DDR traffic write");
		return bad(ps, "DDR traffic");
	}
	if (qp_scan_blit(s, "MC")) {
		if (!qp_scan_blit(s, "traffic"))
			return bad(ps, "MC traffic");
		if (qp_scan_blit(s, "read:"))
			return set_kb(ps, &t->has_mc_read, &t->mc_read_kb, NULL, NULL,
				      "MC traffic read");
		if (qp_scan_blit(s, "write:"))
			return set_kb(ps, &t->has_mc_write, &t->mc_write_kb, NULL,
				      NULL, "MC traffic write");
		return bad(ps, "MC traffic");
	}
	if (qp_scan_blit(s, "constant only:"))
		return set_kb(ps, &t->has_mc_const, &t->mc_const_kb, NULL, NULL,
			      "constant only (MC write)");
	return bad(ps, "traffic");
}

static int add_port(struct cm_parse *ps, const char *b, size_t n)
{
	struct qp_compile_metrics *m = ps->m;
	struct qp_cm_port *p = realloc(m->ports, (m->nports + 1) * sizeof(*p));

	if (!p)
		return oom(ps);
	m->ports = p;
	p = &p[m->nports];
	p->name = strndup(b, n);
	qp_scan_blanks(&ps->s);
	p->desc = qp_scan_rest(&ps->s);
	if (!p->name || !p->desc) {
		free(p->name);
		free(p->desc);
		return oom(ps);
	}
	m->nports++;
	return 0;
}

/*
 * A line of the traffic block, or -2 when it is not one: "<name>: <kind>",
 * "constant only: ...", "cNN barriers: N", " portNN: <description>".
 */
static int traffic_line(struct cm_parse *ps)
{
	struct qp_scan *s = &ps->s;
	struct qp_cm_traffic *t;
	const char *w;
	size_t n;

	s->c = s->lb;
	qp_scan_blanks(s);
	if (qp_scan_lit(s, "constant only:"))
		return const_continuation(ps);
	if (!qp_scan_word(s, &w, &n))
		return -2;
	if (qp_scan_peek(s, "barriers:") && n > 1) {
		t = endpoint(ps, w, n);
		if (!t)
			return oom(ps);
		qp_scan_blit(s, "barriers:");
		return count_value(ps, &t->has_barriers, &t->barriers, "barriers");
	}
	if (n < 2 || w[n - 1] != ':')
		return -2;
	n--;
	if (qp_scan_peek(s, "DDR traffic") || qp_scan_peek(s, "MC ") ||
	    qp_scan_peek(s, "constant only:")) {
		t = endpoint(ps, w, n);
		return t ? traffic_kind(ps, t) : oom(ps);
	}
	if (n > 4 && !memcmp(w, "port", 4))
		return add_port(ps, w, n);
	return -2;
}

/* ---- lines -------------------------------------------------------------- */

static int keyed_line(struct cm_parse *ps)
{
	struct qp_scan *s = &ps->s;
	struct qp_compile_metrics *m = ps->m;
	size_t k;

	for (k = 0; k < sizeof(size_keys) / sizeof(size_keys[0]); k++)
		if (qp_scan_lit(s, size_keys[k].key))
			return size_value(ps, (struct qp_cm_size *)((char *)m + size_keys[k].off),
					  size_keys[k].key);
	for (k = 0; k < sizeof(count_keys) / sizeof(count_keys[0]); k++)
		if (qp_scan_lit(s, count_keys[k].key))
			return count_value(ps, (bool *)((char *)m + count_keys[k].has),
					   (uint64_t *)((char *)m + count_keys[k].off),
					   count_keys[k].key);
	if (qp_scan_starts(s, "VTCM") && s->le - s->lb > 4 &&
	    isdigit((unsigned char)s->lb[4]))
		return vtcm_size(ps);
	if (qp_scan_lit(s, "Reading ONNX Model from "))
		return text_field(ps, &m->model, "Reading ONNX Model from");
	if (qp_scan_lit(s, "Compiling model with "))
		return precision(ps);
	if (qp_scan_lit(s, "AIC WARNING:"))
		return warning(ps);
	if (qp_scan_lit(s, "Using VTCM alg:"))
		return text_field(ps, &m->vtcm_alg, "Using VTCM alg");
	if (qp_scan_lit(s, "Generated binary is present at "))
		return text_field(ps, &m->binary_dir, "Generated binary is present at");
	if (qp_scan_lit(s, "Original Graph operation size histogram:")) {
		ps->in_hist = true;
		return 0;
	}
	if (qp_scan_lit(s, "Compiler estimated memory traffic:")) {
		if (ps->in_traffic || m->graph)
			return qp_scan_fail(s, "second 'Compiler estimated memory traffic' block");
		ps->in_traffic = true;
		if (ps->prev_word) {	/* counted as a message: it is not */
			m->graph = ps->prev_word;
			ps->prev_word = NULL;
			m->nother--;
		}
		return 0;
	}
	if (qp_scan_lit(s, "Port info:") || qp_scan_lit(s, "Compile started"))
		return 0;
	return -2;
}

/* A line of one word: maybe the graph name before the traffic block. */
static int remember_word(struct cm_parse *ps)
{
	struct qp_scan *s = &ps->s;
	const char *w;
	size_t n;

	free(ps->prev_word);
	ps->prev_word = NULL;
	s->c = s->lb;
	if (qp_scan_word(s, &w, &n) && qp_scan_eol(s) && w == s->lb &&
	    !memchr(w, ':', n) && !(ps->prev_word = strndup(w, n)))
		return oom(ps);
	return 0;
}

static int parse_line(struct cm_parse *ps)
{
	struct qp_scan *s = &ps->s;
	struct qp_cm_hist h;
	int rc;

	if (ps->in_hist) {
		s->c = s->lb;
		if (qp_scan_blit(s, "output elts"))
			return 0;	/* the histogram's column header */
		if (hist_row(ps, &h))
			return add_hist(ps, &h);
		ps->in_hist = false;
	}
	if (ps->in_traffic) {
		rc = traffic_line(ps);
		if (rc != -2)
			return rc;
	}
	s->c = s->lb;
	rc = keyed_line(ps);
	if (rc != -2) {
		ps->any = true;
		free(ps->prev_word);
		ps->prev_word = NULL;
		return rc;
	}
	ps->m->nother += !qp_scan_blank_line(s);
	return remember_word(ps);
}

int qp_compile_metrics_parse(const char *path, const char *text, size_t len,
			     struct qp_compile_metrics *m, char *err,
			     size_t errlen)
{
	struct cm_parse ps = { .m = m };

	memset(m, 0, sizeof(*m));
	qp_scan_init(&ps.s, path, text, len, err, errlen);
	m->path = strdup(path);
	if (!m->path) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	while (qp_scan_next(&ps.s))
		if (parse_line(&ps))
			goto fail;
	if (!ps.any && !m->ntraffic && !m->nhist) {
		snprintf(err, errlen,
			 "%s: no -aic-perf-metrics output in this file (no sizes, MAC estimates or memory traffic)",
			 path);
		goto fail;
	}
	free(ps.prev_word);
	return 0;
fail:
	free(ps.prev_word);
	qp_compile_metrics_free(m);
	return -1;
}

int qp_compile_metrics_load(const char *path, struct qp_compile_metrics *m,
			    char *err, size_t errlen)
{
	char *text;
	size_t len;
	int rc;

	memset(m, 0, sizeof(*m));
	if (qp_slurp(path, CM_MAX_BYTES, &text, &len, err, errlen))
		return -1;
	rc = qp_compile_metrics_parse(path, text, len, m, err, errlen);
	free(text);
	return rc;
}

void qp_compile_metrics_free(struct qp_compile_metrics *m)
{
	size_t k;

	for (k = 0; k < m->nwarnings; k++)
		free(m->warnings[k]);
	for (k = 0; k < m->nports; k++) {
		free(m->ports[k].name);
		free(m->ports[k].desc);
	}
	for (k = 0; k < m->ntraffic; k++)
		free(m->traffic[k].name);
	free(m->warnings);
	free(m->ports);
	free(m->traffic);
	free(m->hist);
	free(m->vtcm);
	free(m->path);
	free(m->model);
	free(m->precision);
	free(m->vtcm_alg);
	free(m->graph);
	free(m->binary_dir);
	memset(m, 0, sizeof(*m));
}

const struct qp_cm_traffic *qp_cm_endpoint(const struct qp_compile_metrics *m,
					   const char *name)
{
	size_t k;

	for (k = 0; k < m->ntraffic; k++)
		if (!strcmp(m->traffic[k].name, name))
			return &m->traffic[k];
	return NULL;
}

/* ---- DDR versus VTCM ---------------------------------------------------- */

static int finding(struct qp_cm_view *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int finding(struct qp_cm_view *v, const char *fmt, ...)
{
	char (*f)[256] = realloc(v->findings, (v->nfindings + 1) * sizeof(*f));
	va_list ap;

	if (!f)
		return -1;
	v->findings = f;
	va_start(ap, fmt);
	vsnprintf(f[v->nfindings++], sizeof(*f), fmt, ap);
	va_end(ap);
	return 0;
}

static void core_of(const struct qp_compile_metrics *m,
		    const struct qp_cm_traffic *t, struct qp_cm_core *c)
{
	memset(c, 0, sizeof(*c));
	c->core = t->core;
	c->t = t;
	c->vtcm = (size_t)t->core < m->nvtcm && m->vtcm[t->core].has ?
		  &m->vtcm[t->core] : NULL;
	c->has_spill = t->has_ddr_read && t->has_const_read;
	if (!c->has_spill)
		return;
	c->spill_kb = (int64_t)t->ddr_read_kb - (int64_t)t->const_read_kb;
	c->spill_first_kb = t->has_ddr_read_first && t->has_const_read_first ?
			    (int64_t)t->ddr_read_first_kb - (int64_t)t->const_read_first_kb :
			    c->spill_kb;
	c->spill_pct = t->ddr_read_kb ? 100.0 * (double)c->spill_kb / (double)t->ddr_read_kb : 0;
}

static int spill_findings(struct qp_cm_view *v)
{
	size_t k, with = 0;
	int rc = 0;

	for (k = 0; k < v->ncores; k++) {
		const struct qp_cm_core *c = &v->cores[k];

		with += c->has_spill;
		if (!c->has_spill || c->spill_kb <= 0)
			continue;
		rc |= finding(v, "spill: %s reads %" PRId64 " KB per inference from DDR that are not constants "
			      "(intermediate results that did not fit in VTCM): %.1f %% of its %" PRIu64
			      " KB DDR reads; first inference %" PRId64 " KB",
			      c->t->name, c->spill_kb, c->spill_pct, c->t->ddr_read_kb,
			      c->spill_first_kb);
	}
	if (with && !v->nspilling)
		rc |= finding(v, "no spill: every core's DDR reads are constants (weights)");
	return rc;
}

static int traffic_finding(struct qp_cm_view *v)
{
	const struct qp_cm_traffic *t = v->total;
	const struct qp_compile_metrics *m = v->src;
	int rc = 0;

	if (t && t->has_ddr_read)
		rc |= finding(v, "DDR traffic per inference: read %" PRIu64 " KB (constants %" PRIu64
			      " KB), write %" PRIu64 " KB; multicast into VTCM: write %" PRIu64
			      " KB, read %" PRIu64 " KB",
			      t->ddr_read_kb, t->const_read_kb, t->ddr_write_kb,
			      t->mc_write_kb, t->mc_read_kb);
	if (m->vtcm_max.has)
		rc |= finding(v, "VTCM: at most %" PRIu64 " %s used per core (%zu cores listed)",
			      m->vtcm_max.value, m->vtcm_max.unit, m->nvtcm);
	return rc;
}

int qp_cm_analyze(const struct qp_compile_metrics *m, struct qp_cm_view *v)
{
	size_t k;

	memset(v, 0, sizeof(*v));
	v->src = m;
	v->cores = calloc(m->ntraffic ? m->ntraffic : 1, sizeof(*v->cores));
	if (!v->cores)
		return -1;
	for (k = 0; k < m->ntraffic; k++) {
		const struct qp_cm_traffic *t = &m->traffic[k];

		if (!strcmp(t->name, "total"))
			v->total = t;
		if (t->core < 0)
			continue;
		core_of(m, t, &v->cores[v->ncores]);
		v->nspilling += v->cores[v->ncores].has_spill &&
				v->cores[v->ncores].spill_kb > 0;
		v->ncores++;
	}
	if (v->total && v->total->has_ddr_read && v->total->has_const_read)
		v->spill_kb = (int64_t)v->total->ddr_read_kb - (int64_t)v->total->const_read_kb;
	if (spill_findings(v) || traffic_finding(v)) {
		qp_cm_view_free(v);
		return -1;
	}
	return 0;
}

void qp_cm_view_free(struct qp_cm_view *v)
{
	free(v->cores);
	free(v->findings);
	memset(v, 0, sizeof(*v));
}
