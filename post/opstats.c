// SPDX-License-Identifier: MIT
/*
 * Parser of the device opstats summaries (opstats.h).  Every line of the
 * format is recognised by its start and read field by field; a line that
 * is none of them, or a field that is not what its place needs, stops the
 * parse with "PATH:LINE: message".  Excerpts parse too: core-scoped lines
 * without a column header open the block of their core.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "linescan.h"
#include "opstats.h"

#define OPSTATS_MAX_BYTES (256u << 20)

static const char *const engine_names[QP_ENG__COUNT] = {
	"HVX", "HMX", "DMAIssue", NULL,
};

enum qp_engine qp_engine_of(const char *name)
{
	int e;

	for (e = 0; e < QP_ENG_OTHER; e++)
		if (!strcmp(name, engine_names[e]))
			return (enum qp_engine)e;
	return QP_ENG_OTHER;
}

const char *qp_engine_label(enum qp_engine e)
{
	static const char *const label[QP_ENG__COUNT] = {
		"HVX", "HMX", "DMA", "other",
	};

	return e < QP_ENG__COUNT ? label[e] : "other";
}

/* The parse in progress. */
struct ops_parse {
	struct qp_scan s;
	struct qp_opstats *o;
	struct qp_opstat_core *cur;	/* block being read, or NULL */
	bool cur_closed;		/* its "cN total:" line was read */
	bool global;			/* a global trailer line was read */
};

#define GROW(arr, n, ps)						\
	({								\
		__typeof__(arr) _p = realloc((arr), ((n) + 1) * sizeof(*(arr))); \
		if (_p) {						\
			(arr) = _p;					\
			memset(&(arr)[(n)], 0, sizeof(*(arr)));		\
		}							\
		_p ? &(arr)[(n)++] : NULL;				\
	})

static int oom(struct ops_parse *ps)
{
	return qp_scan_fail(&ps->s, "out of memory");
}

static int bad(struct ops_parse *ps, const char *what)
{
	char q[96];

	qp_scan_quote(&ps->s, q, sizeof(q));
	return qp_scan_fail(&ps->s, "malformed %s: %s", what, q);
}

/* ---- core blocks -------------------------------------------------------- */

static struct qp_opstat_core *new_core(struct ops_parse *ps, uint32_t id)
{
	struct qp_opstat_core *c = GROW(ps->o->cores, ps->o->ncores, ps);

	if (!c)
		return NULL;
	c->core = id;
	c->line = ps->s.line;
	ps->cur = c;
	ps->cur_closed = false;
	return c;
}

/*
 * The block a core-scoped line of core @id belongs to: the open one, or a
 * new one when none is open (an excerpt).  Another core's line is an error.
 */
static struct qp_opstat_core *core_for(struct ops_parse *ps, uint32_t id)
{
	if (ps->global) {
		qp_scan_fail(&ps->s, "line of core %u after the global trailer (total batch ucycles)",
			     id);
		return NULL;
	}
	if (!ps->cur)
		return new_core(ps, id) ? ps->cur : (oom(ps), NULL);
	if (ps->cur->core == UINT32_MAX)
		ps->cur->core = id;
	if (ps->cur->core != id) {
		qp_scan_fail(&ps->s, "line of core %u inside the block of core %u",
			     id, ps->cur->core);
		return NULL;
	}
	return ps->cur;
}

static const char *const header_cols[] = {
	"core", "ucycles", "ucycles(%)", "pcycles", "pcycles(%)", "count",
	"out", "KB", "ucycles/KB", "pcycles/KB", "stddev(pc/KB)", "opdetails",
};

static int parse_header(struct ops_parse *ps)
{
	size_t k, n;
	const char *b;

	for (k = 0; k < sizeof(header_cols) / sizeof(header_cols[0]); k++) {
		qp_scan_blanks(&ps->s);
		if (!qp_scan_word(&ps->s, &b, &n) || n != strlen(header_cols[k]) ||
		    memcmp(b, header_cols[k], n))
			return qp_scan_fail(&ps->s, "malformed column header: expected '%s' as column %zu",
					    header_cols[k], k + 1);
	}
	if (!qp_scan_eol(&ps->s))
		return bad(ps, "column header (extra text after opdetails)");
	if (ps->global)
		return qp_scan_fail(&ps->s, "core table after the global trailer (total batch ucycles)");
	return new_core(ps, UINT32_MAX) ? 0 : oom(ps);
}

/* ---- operator rows ------------------------------------------------------ */

/* A row field that is not what its column holds: name it and its text. */
static int bad_field(struct ops_parse *ps, const char *start, const char *col,
		     const char *expect)
{
	const char *e = start;

	while (e < ps->s.le && *e != ' ' && *e != '\t')
		e++;
	if (e == start)
		return qp_scan_fail(&ps->s, "malformed operator row: no %s column (expected %s)",
				    col, expect);
	return qp_scan_fail(&ps->s, "malformed operator row: %s '%.*s' (expected %s)",
			    col, (int)(e - start), start, expect);
}

/*
 * Blanks, then a number or N/A (with '%' when @pct; an integer when @integer),
 * then a blank.  On failure the error names the column.
 */
static int opt_num(struct ops_parse *ps, struct qp_opt_num *v, const char *col,
		   bool pct, bool integer)
{
	struct qp_scan *s = &ps->s;
	const char *start;

	qp_scan_blanks(s);
	start = s->c;
	v->na = false;
	if (qp_scan_lit(s, "N/A")) {
		v->na = true;
		v->v = NAN;
	} else if (!qp_scan_double(s, &v->v) || v->v < 0 ||
		   (pct && !qp_scan_lit(s, "%")) ||
		   (integer && (v->v != floor(v->v) || v->v >= 1e19))) {
		s->c = start;
	}
	if (s->c != start && (qp_scan_ch(s) == ' ' || qp_scan_ch(s) == '\t'))
		return 0;
	if (s->c != start && s->c == s->le)
		return qp_scan_fail(s, "malformed operator row: the line ends after the %s column",
				    col);
	return bad_field(ps, start, col, pct ? "a percentage or N/A" :
			 integer ? "an integer or N/A" : "a number or N/A");
}

/* "<name> <engine> [<mem>] [(<dtypes>)]" */
static int split_details(struct ops_parse *ps, struct qp_opstat_row *r)
{
	const char *p = r->details, *w;
	size_t n;

	n = strcspn(p, " \t");
	r->name = strndup(p, n);
	p += n + strspn(p + n, " \t");
	n = strcspn(p, " \t");
	if (!n || *p == '(')
		return qp_scan_fail(&ps->s, "malformed opdetails '%s': no engine after the operator name",
				    r->details);
	r->engine_name = strndup(p, n);
	p += n + strspn(p + n, " \t");
	if (*p && *p != '(') {
		n = strcspn(p, " \t");
		r->mem = strndup(p, n);
		if (!r->mem)
			return oom(ps);
		p += n + strspn(p + n, " \t");
	}
	if (*p) {
		w = strrchr(p, ')');
		if (*p != '(' || !w || w[1])
			return qp_scan_fail(&ps->s, "malformed opdetails '%s': expected '(<data types>)' at the end",
					    r->details);
		r->dtypes = strndup(p + 1, (size_t)(w - p - 1));
		if (!r->dtypes)
			return oom(ps);
	}
	if (!r->name || !r->engine_name)
		return oom(ps);
	r->engine = qp_engine_of(r->engine_name);
	r->kind = !strcmp(r->name, "sync") ? QP_OPK_SYNC :
		  !strcmp(r->name, "barrier") ? QP_OPK_BARRIER : QP_OPK_OP;
	return 0;
}

static int row_fields(struct ops_parse *ps, struct qp_opstat_row *r)
{
	struct qp_scan *s = &ps->s;
	struct qp_opt_num u, upct, cnt;

	if (opt_num(ps, &u, "ucycles", false, true) ||
	    opt_num(ps, &upct, "ucycles(%)", true, false) ||
	    opt_num(ps, &r->pcycles, "pcycles", false, true) ||
	    opt_num(ps, &r->pcycles_pct, "pcycles(%)", true, false) ||
	    opt_num(ps, &cnt, "count", false, true) ||
	    opt_num(ps, &r->out_kb, "out KB", false, false) ||
	    opt_num(ps, &r->ucycles_per_kb, "ucycles/KB", false, false) ||
	    opt_num(ps, &r->pcycles_per_kb, "pcycles/KB", false, false) ||
	    opt_num(ps, &r->stddev_pc_per_kb, "stddev(pc/KB)", false, false))
		return -1;
	if (u.na || upct.na || cnt.na)
		return qp_scan_fail(s, "malformed operator row: N/A in ucycles, ucycles(%%) or count");
	r->ucycles = (uint64_t)u.v;
	r->ucycles_pct = upct.v;
	r->count = (uint64_t)cnt.v;
	qp_scan_blanks(s);
	r->details = qp_scan_rest(s);
	if (!r->details)
		return oom(ps);
	if (!*r->details)
		return qp_scan_fail(s, "malformed operator row: no opdetails");
	return split_details(ps, r);
}

static void free_row(struct qp_opstat_row *r)
{
	free(r->details);
	free(r->name);
	free(r->engine_name);
	free(r->mem);
	free(r->dtypes);
}

static int parse_row(struct ops_parse *ps, uint32_t id)
{
	struct qp_opstat_row row = { .line = ps->s.line, .core = id };
	struct qp_opstat_core *c;
	struct qp_opstat_row *slot;

	if (!ps->cur || ps->cur_closed || ps->global)
		return qp_scan_fail(&ps->s, "operator row outside a core table (no column header before it)");
	c = core_for(ps, id);
	if (!c)
		return -1;
	if (row_fields(ps, &row)) {
		free_row(&row);
		return -1;
	}
	slot = GROW(c->rows, c->nrows, ps);
	if (!slot) {
		free_row(&row);
		return oom(ps);
	}
	*slot = row;
	return 0;
}

/* ---- per-core trailer --------------------------------------------------- */

/* "cN total:  U ucycles  P pcycles (thread max)" */
static int parse_total(struct ops_parse *ps, uint32_t id)
{
	struct qp_scan *s = &ps->s;
	struct qp_opstat_core *c = core_for(ps, id);

	if (!c)
		return -1;
	if (c->has_total)
		return qp_scan_fail(s, "second 'c%u total:' line", id);
	if (!qp_scan_blit(s, "total:") || (qp_scan_blanks(s), !qp_scan_u64(s, &c->total_ucycles)) ||
	    !qp_scan_blit(s, "ucycles") || (qp_scan_blanks(s), !qp_scan_u64(s, &c->total_pcycles)) ||
	    !qp_scan_blit(s, "pcycles (thread max)") || !qp_scan_eol(s))
		return bad(ps, "core total line");
	c->has_total = true;
	ps->cur_closed = true;
	return 0;
}

/* after "cN": "  tK ENGINE  U ucycles [S, E]  P pcycles  X% utilization" */
static int parse_thread(struct ops_parse *ps, uint32_t id)
{
	struct qp_scan *s = &ps->s;
	struct qp_opstat_core *c = core_for(ps, id);
	struct qp_opstat_thread t = { 0 }, *slot;
	uint64_t tid;
	const char *w;
	size_t n;

	if (!c)
		return -1;
	qp_scan_blanks(s);
	if (!qp_scan_lit(s, "t") || !qp_scan_u64(s, &tid) || tid > UINT32_MAX ||
	    (qp_scan_blanks(s), !qp_scan_word(s, &w, &n)) ||
	    (qp_scan_blanks(s), !qp_scan_u64(s, &t.ucycles)) ||
	    !qp_scan_blit(s, "ucycles [") || !qp_scan_u64(s, &t.start) ||
	    !qp_scan_lit(s, ",") || (qp_scan_blanks(s), !qp_scan_u64(s, &t.end)) || !qp_scan_lit(s, "]") ||
	    (qp_scan_blanks(s), !qp_scan_u64(s, &t.pcycles)) ||
	    !qp_scan_blit(s, "pcycles") || (qp_scan_blanks(s), !qp_scan_double(s, &t.util_pct)) ||
	    !qp_scan_lit(s, "%") || !qp_scan_blit(s, "utilization") || !qp_scan_eol(s))
		return bad(ps, "thread line");
	t.tid = (uint32_t)tid;
	t.engine_name = strndup(w, n);
	if (!t.engine_name)
		return oom(ps);
	t.engine = qp_engine_of(t.engine_name);
	slot = GROW(c->threads, c->nthreads, ps);
	if (!slot) {
		free(t.engine_name);
		return oom(ps);
	}
	*slot = t;
	return 0;
}

/* after "cNNtK": " batch ucycles:  U [S,E]    pcycles:  P" */
static int parse_batch(struct ops_parse *ps, struct qp_opstat_core *c,
		       uint32_t tid)
{
	struct qp_scan *s = &ps->s;
	struct qp_opstat_batch b = { .tid = tid }, *slot;

	if (!qp_scan_blit(s, "batch ucycles:") || (qp_scan_blanks(s), !qp_scan_u64(s, &b.ucycles)) ||
	    !qp_scan_blit(s, "[") || (qp_scan_blanks(s), !qp_scan_u64(s, &b.start)) ||
	    !qp_scan_blit(s, ",") || (qp_scan_blanks(s), !qp_scan_u64(s, &b.end)) ||
	    !qp_scan_blit(s, "]") || !qp_scan_blit(s, "pcycles:") ||
	    (qp_scan_blanks(s), !qp_scan_u64(s, &b.pcycles)) || !qp_scan_eol(s))
		return bad(ps, "batch ucycles line");
	slot = GROW(c->batch, c->nbatch, ps);
	if (!slot)
		return oom(ps);
	*slot = b;
	return 0;
}

/* after "cNNtK": "pPORT Host_IO_Port ucycles:  U" */
static int parse_port(struct ops_parse *ps, struct qp_opstat_core *c,
		      uint32_t tid)
{
	struct qp_scan *s = &ps->s;
	struct qp_opstat_port p = { .tid = tid }, *slot;
	uint64_t port;

	if (!qp_scan_lit(s, "p") || !qp_scan_u64(s, &port) || port > UINT32_MAX ||
	    !qp_scan_blit(s, "Host_IO_Port ucycles:") ||
	    (qp_scan_blanks(s), !qp_scan_u64(s, &p.ucycles)) || !qp_scan_eol(s))
		return bad(ps, "Host_IO_Port line");
	p.port = (uint32_t)port;
	slot = GROW(c->ports, c->nports, ps);
	if (!slot)
		return oom(ps);
	*slot = p;
	return 0;
}

/* after "cNNtK": " activate ucycles:  U" */
static int parse_activate(struct ops_parse *ps, struct qp_opstat_core *c,
			  uint32_t tid)
{
	struct qp_scan *s = &ps->s;
	struct qp_opstat_activate a = { .tid = tid }, *slot;

	if (!qp_scan_blit(s, "activate ucycles:") ||
	    (qp_scan_blanks(s), !qp_scan_u64(s, &a.ucycles)) || !qp_scan_eol(s))
		return bad(ps, "activate line");
	slot = GROW(c->activate, c->nactivate, ps);
	if (!slot)
		return oom(ps);
	*slot = a;
	return 0;
}

/* "cNNtK..." lines: batch, Host_IO_Port, activate. */
static int parse_core_thread_line(struct ops_parse *ps, uint32_t id)
{
	struct qp_scan *s = &ps->s;
	struct qp_opstat_core *c;
	uint64_t tid;

	if (!qp_scan_u64(s, &tid) || tid > UINT32_MAX)
		return bad(ps, "per-thread line (thread number)");
	c = core_for(ps, id);
	if (!c)
		return -1;
	if (qp_scan_ch(s) == 'p')
		return parse_port(ps, c, (uint32_t)tid);
	if (qp_scan_peek(s, "batch "))
		return parse_batch(ps, c, (uint32_t)tid);
	if (qp_scan_peek(s, "activate "))
		return parse_activate(ps, c, (uint32_t)tid);
	return bad(ps, "per-thread line (expected batch, Host_IO_Port or activate)");
}

/* after "cN:": " Total inference pcycle is P" / " Effective frequency is FMHz" */
static int parse_core_colon(struct ops_parse *ps, uint32_t id)
{
	struct qp_scan *s = &ps->s;
	struct qp_opstat_core *c = core_for(ps, id);

	if (!c)
		return -1;
	if (qp_scan_blit(s, "Total inference pcycle is")) {
		qp_scan_blanks(s);
		if (!qp_scan_u64(s, &c->inference_pcycles) || !qp_scan_eol(s))
			return bad(ps, "total inference pcycle line");
		c->has_inference_pcycles = true;
		return 0;
	}
	if (qp_scan_blit(s, "Effective frequency is")) {
		qp_scan_blanks(s);
		if (!qp_scan_double(s, &c->eff_mhz) || !qp_scan_lit(s, "MHz") ||
		    !qp_scan_eol(s))
			return bad(ps, "effective frequency line");
		c->has_eff_mhz = true;
		return 0;
	}
	return bad(ps, "core line (expected 'Total inference pcycle' or 'Effective frequency')");
}

/* Lines starting with 'c' and a core number; -2: not such a line. */
static int parse_core_line(struct ops_parse *ps)
{
	struct qp_scan *s = &ps->s;
	uint64_t id;

	s->c = s->lb + 1;
	if (!qp_scan_u64(s, &id) || id >= UINT32_MAX)
		return -2;
	switch (qp_scan_ch(s)) {
	case 't':
		s->c++;
		return parse_core_thread_line(ps, (uint32_t)id);
	case ':':
		s->c++;
		return parse_core_colon(ps, (uint32_t)id);
	case ' ':
	case '\t':
		break;
	default:
		return -2;
	}
	qp_scan_blanks(s);
	if (qp_scan_peek(s, "total:"))
		return parse_total(ps, (uint32_t)id);
	if (qp_scan_ch(s) == 't')
		return parse_thread(ps, (uint32_t)id);
	if (qp_scan_ch(s) >= '0' && qp_scan_ch(s) <= '9')
		return parse_row(ps, (uint32_t)id);
	return bad(ps, "core line");
}

/* ---- global trailer ----------------------------------------------------- */

static int parse_global(struct ops_parse *ps)
{
	struct qp_scan *s = &ps->s;
	struct qp_opstats *o = ps->o;
	uint64_t b;

	if (qp_scan_lit(s, "total batch ucycles:")) {
		qp_scan_blanks(s);
		if (!qp_scan_u64(s, &o->batch_ucycles) || !qp_scan_blit(s, "[") ||
		    (qp_scan_blanks(s), !qp_scan_u64(s, &o->batch_start)) ||
		    !qp_scan_blit(s, ",") || (qp_scan_blanks(s), !qp_scan_u64(s, &o->batch_end)) ||
		    !qp_scan_blit(s, "]") || !qp_scan_eol(s))
			return bad(ps, "total batch ucycles line");
		o->has_batch = true;
	} else if (qp_scan_lit(s, "max input wait ucycles:")) {
		qp_scan_blanks(s);
		if (!qp_scan_u64(s, &o->max_in_wait) || !qp_scan_eol(s))
			return bad(ps, "max input wait line");
		o->has_max_in = true;
	} else if (qp_scan_lit(s, "max output wait ucycles:")) {
		qp_scan_blanks(s);
		if (!qp_scan_u64(s, &o->max_out_wait) || !qp_scan_eol(s))
			return bad(ps, "max output wait line");
		o->has_max_out = true;
	} else if (qp_scan_lit(s, "[")) {
		const char *g = s->c, *e = memchr(s->c, ']', s->le - s->c);

		if (!e)
			return bad(ps, "device instance line");
		if (!o->graph && !(o->graph = strndup(g, (size_t)(e - g))))
			return oom(ps);
		s->c = e + 1;
		if (qp_scan_blit(s, "Device instance batch/s: (1/")) {
			if (!qp_scan_double(s, &o->batch_sec) || !qp_scan_lit(s, "):") ||
			    (qp_scan_blanks(s), !qp_scan_double(s, &o->batch_per_s)) ||
			    !qp_scan_eol(s))
				return bad(ps, "device instance batch/s line");
			o->has_batch_rate = true;
		} else if (qp_scan_blit(s, "Device instance inf/s: (")) {
			if (!qp_scan_u64(s, &b) || b > UINT32_MAX || !qp_scan_lit(s, "/") ||
			    !qp_scan_double(s, &o->inf_sec) || !qp_scan_lit(s, "):") ||
			    (qp_scan_blanks(s), !qp_scan_double(s, &o->inf_per_s)) ||
			    !qp_scan_eol(s))
				return bad(ps, "device instance inf/s line");
			o->batch_size = (uint32_t)b;
			o->has_inf_rate = true;
		} else {
			return bad(ps, "device instance line");
		}
	} else {
		return -2;
	}
	ps->global = true;
	return 0;
}

/* ---- file --------------------------------------------------------------- */

static int parse_line(struct ops_parse *ps)
{
	struct qp_scan *s = &ps->s;
	char q[96];
	int rc;

	if (qp_scan_blank_line(s))
		return 0;
	if (qp_scan_starts(s, "core ") || qp_scan_starts(s, "core\t"))
		return parse_header(ps);
	if (*s->lb == 'c') {
		rc = parse_core_line(ps);
		if (rc != -2)
			return rc;
	}
	rc = parse_global(ps);
	if (rc != -2)
		return rc;
	qp_scan_quote(s, q, sizeof(q));
	return qp_scan_fail(s, "not a line of an opstats summary: %s", q);
}

/* "aic-profiling-program-P-activation-A-inf-I.txt" */
static void ids_from_name(struct qp_opstats *o)
{
	const char *base = strrchr(o->path, '/');
	unsigned p, a;
	unsigned long long i;
	int n = -1;

	base = base ? base + 1 : o->path;
	if (sscanf(base, "aic-profiling-program-%u-activation-%u-inf-%llu.txt%n",
		   &p, &a, &i, &n) == 3 && n > 0 && !base[n]) {
		o->has_ids = true;
		o->program = p;
		o->activation = a;
		o->inference = i;
	}
}

int qp_opstats_parse(const char *path, const char *text, size_t len,
		     struct qp_opstats *o, char *err, size_t errlen)
{
	struct ops_parse ps = { .o = o };
	size_t k;

	memset(o, 0, sizeof(*o));
	qp_scan_init(&ps.s, path, text, len, err, errlen);
	o->path = strdup(path);
	if (!o->path)
		goto fail_oom;
	ids_from_name(o);
	while (qp_scan_next(&ps.s))
		if (parse_line(&ps))
			goto fail;
	if (!o->ncores && !ps.global) {
		ps.s.line++;
		qp_scan_fail(&ps.s, "no opstats in the file (no core table, no trailer)");
		goto fail;
	}
	for (k = 0; k < o->ncores; k++)
		if (o->cores[k].core == UINT32_MAX) {
			ps.s.line = o->cores[k].line;
			qp_scan_fail(&ps.s, "core table without rows or total line");
			goto fail;
		}
	return 0;
fail_oom:
	snprintf(err, errlen, "%s: out of memory", path);
fail:
	qp_opstats_free(o);
	return -1;
}

int qp_opstats_load(const char *path, struct qp_opstats *o, char *err,
		    size_t errlen)
{
	char *text;
	size_t len;
	int rc;

	memset(o, 0, sizeof(*o));
	if (qp_slurp(path, OPSTATS_MAX_BYTES, &text, &len, err, errlen))
		return -1;
	rc = qp_opstats_parse(path, text, len, o, err, errlen);
	free(text);
	return rc;
}

void qp_opstats_free(struct qp_opstats *o)
{
	size_t k, j;

	for (k = 0; k < o->ncores; k++) {
		struct qp_opstat_core *c = &o->cores[k];

		for (j = 0; j < c->nrows; j++)
			free_row(&c->rows[j]);
		for (j = 0; j < c->nthreads; j++)
			free(c->threads[j].engine_name);
		free(c->rows);
		free(c->threads);
		free(c->batch);
		free(c->ports);
		free(c->activate);
	}
	free(o->cores);
	free(o->graph);
	free(o->path);
	memset(o, 0, sizeof(*o));
}

/* ---- sets --------------------------------------------------------------- */

static int cmp_ops(const void *a, const void *b)
{
	const struct qp_opstats *x = a, *y = b;

	if (x->program != y->program)
		return x->program < y->program ? -1 : 1;
	if (x->activation != y->activation)
		return x->activation < y->activation ? -1 : 1;
	if (x->inference != y->inference)
		return x->inference < y->inference ? -1 : 1;
	return strcmp(x->path, y->path);
}

static int add_file(struct qp_opstats_set *s, const char *path, char *err,
		    size_t errlen)
{
	struct qp_opstats *v = realloc(s->v, (s->n + 1) * sizeof(*v));

	if (!v) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	s->v = v;
	if (qp_opstats_load(path, &s->v[s->n], err, errlen))
		return -1;
	s->n++;
	return 0;
}

static bool opstats_name(const char *name)
{
	unsigned p, a;
	unsigned long long i;
	int n = -1;

	return sscanf(name, "aic-profiling-program-%u-activation-%u-inf-%llu.txt%n",
		      &p, &a, &i, &n) == 3 && n > 0 && !name[n];
}

static int add_dir(struct qp_opstats_set *s, const char *dir, char *err,
		   size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t before = s->n;
	int rc = 0;

	if (!d) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while (!rc && (e = readdir(d))) {
		char *path;

		if (!opstats_name(e->d_name))
			continue;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0) {
			snprintf(err, errlen, "%s: out of memory", dir);
			rc = -1;
			break;
		}
		rc = add_file(s, path, err, errlen);
		free(path);
	}
	closedir(d);
	if (!rc && s->n == before) {
		snprintf(err, errlen,
			 "%s: no opstats summary (aic-profiling-program-<P>-activation-<A>-inf-<I>.txt) in this directory",
			 dir);
		rc = -1;
	}
	return rc;
}

int qp_opstats_set_add(struct qp_opstats_set *s, const char *path, char *err,
		       size_t errlen)
{
	struct stat st;
	int rc;

	if (stat(path, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = S_ISDIR(st.st_mode) ? add_dir(s, path, err, errlen) :
				   add_file(s, path, err, errlen);
	if (!rc)
		qsort(s->v, s->n, sizeof(*s->v), cmp_ops);
	return rc;
}

void qp_opstats_set_free(struct qp_opstats_set *s)
{
	size_t k;

	for (k = 0; k < s->n; k++)
		qp_opstats_free(&s->v[k]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
