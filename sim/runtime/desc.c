/* SPDX-License-Identifier: MIT */
/*
 * Parser for program descriptions (see desc.h, docs/SIMULATOR.md).
 * Every error names its origin and line, never crashes on bad input.
 */
#include "desc.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DESC_MAX_FILE_BYTES (1u << 20)

struct parser {
	const char *origin;
	unsigned int line;
	char *err;
	size_t errlen;
	struct desc *d;
	unsigned int seen;	/* bit per scalar key: duplicates are errors */
	unsigned int ring_line;
	unsigned int compute_line;
	uint32_t capbuf;
	/* per buffer: dims given for all specializations / per one */
	unsigned char *dims_all;
	uint32_t *spec_mask;
	unsigned int *buf_line;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *p, const char *fmt, ...)
{
	int n = snprintf(p->err, p->errlen, "%s:%u: ", p->origin, p->line);
	va_list ap;

	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Strict unsigned decimal in [min, max]. */
static int parse_u64(struct parser *p, const char *key, const char *val,
		     uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)val[0]))
		goto bad;
	errno = 0;
	v = strtoull(val, &end, 10);
	if (errno || *end || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	return fail(p, "invalid value '%s' for '%s' (expected an integer in %" PRIu64 "..%" PRIu64 ")",
		    val, key, min, max);
}

static bool valid_name(const char *s)
{
	if (!*s || strlen(s) >= DESC_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isgraph((unsigned char)*s))
			return false;
	return true;
}

/* A new, zeroed buffer slot (its line remembered), or NULL after fail(). */
static struct desc_buffer *new_buffer(struct parser *p, const char *name)
{
	struct desc *d = p->d;
	uint32_t i;

	if (!strcmp(name, DESC_CYCLES_NAME)) {
		fail(p, "buffer name '%s' is reserved (added by 'stats = 1')", name);
		return NULL;
	}
	for (i = 0; i < d->nbuf; i++)
		if (!strcmp(d->buf[i].name, name)) {
			fail(p, "duplicate buffer '%s'", name);
			return NULL;
		}
	if (d->nbuf >= DESC_MAX_BUFFERS) {
		fail(p, "too many buffers (at most %d)", DESC_MAX_BUFFERS);
		return NULL;
	}
	if (d->nbuf == p->capbuf) {
		uint32_t cap = p->capbuf ? 2 * p->capbuf : 16;
		struct desc_buffer *nb = realloc(d->buf, cap * sizeof(*nb));
		unsigned char *na = realloc(p->dims_all, cap);
		uint32_t *nm = realloc(p->spec_mask, cap * sizeof(*nm));
		unsigned int *nl = realloc(p->buf_line, cap * sizeof(*nl));

		if (nb)
			d->buf = nb;
		if (na)
			p->dims_all = na;
		if (nm)
			p->spec_mask = nm;
		if (nl)
			p->buf_line = nl;
		if (!nb || !na || !nm || !nl) {
			fail(p, "out of memory");
			return NULL;
		}
		p->capbuf = cap;
	}
	memset(&d->buf[d->nbuf], 0, sizeof(d->buf[0]));
	p->dims_all[d->nbuf] = 0;
	p->spec_mask[d->nbuf] = 0;
	p->buf_line[d->nbuf] = p->line;
	strcpy(d->buf[d->nbuf].name, name);
	return &d->buf[d->nbuf];
}

static int parse_buffer(struct parser *p, char *val)
{
	struct desc *d = p->d;
	struct desc_buffer *b;
	char *save = NULL, *name, *bytes, *dir, *extra;
	uint64_t n;

	name = strtok_r(val, " \t", &save);
	bytes = strtok_r(NULL, " \t", &save);
	dir = strtok_r(NULL, " \t", &save);
	extra = strtok_r(NULL, " \t", &save);
	if (!name || !bytes || !dir || extra)
		return fail(p, "expected 'buffer = NAME BYTES in|out'");
	if (!valid_name(name))
		return fail(p, "invalid buffer name '%s' (1..%d printable characters)",
			    name, DESC_NAME_MAX - 1);
	b = new_buffer(p, name);
	if (!b)
		return -1;
	if (parse_u64(p, "buffer", bytes, 1, DESC_MAX_BUFFER_BYTES, &n))
		return -1;
	if (!strcmp(dir, "in"))
		b->dir = DESC_IN;
	else if (!strcmp(dir, "out"))
		b->dir = DESC_OUT;
	else
		return fail(p, "invalid direction '%s' (expected 'in' or 'out')",
			    dir);
	/* A plain buffer: int8 bytes, one dimension. */
	b->bytes = (uint32_t)n;
	b->dtype = DESC_DT_INT8;
	b->elem_size = 1;
	b->rank = 1;
	for (uint32_t sp = 0; sp < DESC_MAX_SPECS; sp++)
		b->dims[sp][0] = (uint32_t)n;
	p->dims_all[d->nbuf] = 1;
	d->nbuf++;
	return 0;
}


/* ---- specializations and bindings ----------------------------------------- */

/* Values of QAicBufferDataTypeEnum (include/qprof/qaic_api.h). */
struct dtype_name {
	const char *name;
	uint32_t value;
	uint32_t size;
};

static const struct dtype_name dtypes[] = {
	{ "float", 0, 4 }, { "float16", 1, 2 }, { "int8q", 2, 1 },
	{ "uint8q", 3, 1 }, { "int16q", 4, 2 }, { "int32q", 5, 4 },
	{ "int32", 6, 4 }, { "int64", 7, 8 }, { "int8", DESC_DT_INT8, 1 },
};

/* "key=value" of a specialization line into *out (an integer). */
static int spec_field(struct parser *p, const char *tok, const char *key,
		      uint64_t min, uint64_t max, uint64_t *out, bool *seen)
{
	size_t n = strlen(key);

	if (strncmp(tok, key, n) || tok[n] != '=')
		return 1;
	if (*seen)
		return fail(p, "duplicate '%s' in specialization", key);
	*seen = true;
	return parse_u64(p, key, tok + n + 1, min, max, out) ? -1 : 0;
}

#define ONE_HOUR_US 3600000000ull
#define SPEC_JITTER_DEFAULT UINT64_MAX	/* the top-level jitter_us */

static int parse_spec(struct parser *p, char *val)
{
	struct desc *d = p->d;
	struct desc_spec *sp;
	char *save = NULL, *tok;
	bool seen[4] = { false };
	uint64_t v[4] = { 0, 0, 0, 0 };
	static const char *const keys[4] = {
		"seq_len", "compute_us", "token_us", "jitter_us",
	};
	static const uint64_t max[4] = {
		1u << 20, ONE_HOUR_US, ONE_HOUR_US, ONE_HOUR_US,
	};

	tok = strtok_r(val, " \t", &save);
	if (!tok || !valid_name(tok) || strchr(tok, '='))
		return fail(p, "expected 'specialization = NAME seq_len=N compute_us=N [token_us=N] [jitter_us=N]'");
	if (d->nspec == DESC_MAX_SPECS)
		return fail(p, "too many specializations (at most %d)", DESC_MAX_SPECS);
	for (uint32_t i = 0; i < d->nspec; i++)
		if (!strcmp(d->spec[i].name, tok))
			return fail(p, "duplicate specialization '%s'", tok);
	if (d->nbuf)
		return fail(p, "specialization '%s' after a buffer or binding (declare specializations first)",
			    tok);
	sp = &d->spec[d->nspec];
	memset(sp, 0, sizeof(*sp));
	strcpy(sp->name, tok);
	while ((tok = strtok_r(NULL, " \t", &save))) {
		int rc = 1;

		for (int k = 0; k < 4 && rc == 1; k++)
			rc = spec_field(p, tok, keys[k], k < 2 ? 1 : 0, max[k],
					&v[k], &seen[k]);
		if (rc < 0)
			return -1;
		if (rc == 1)
			return fail(p, "unknown specialization field '%s'", tok);
	}
	if (!seen[0] || !seen[1])
		return fail(p, "specialization '%s' needs seq_len=N and compute_us=N",
			    sp->name);
	sp->seq_len = (uint32_t)v[0];
	sp->compute_us = v[1];
	sp->token_us = v[2];
	sp->jitter_us = seen[3] ? v[3] : SPEC_JITTER_DEFAULT;
	d->nspec++;
	return 0;
}

/* "D1,D2,..." (each 1..2^30) into dims; returns the rank or -1. */
static int parse_dims(struct parser *p, const char *s, uint32_t *dims)
{
	int rank = 0;

	while (*s) {
		char *end;
		unsigned long long v;

		if (rank == DESC_MAX_DIMS)
			return fail(p, "more than %d dimensions", DESC_MAX_DIMS);
		if (!isdigit((unsigned char)*s))
			return fail(p, "invalid dimensions '%s' (expected D1,D2,...)", s);
		errno = 0;
		v = strtoull(s, &end, 10);
		if (errno || v < 1 || v > DESC_MAX_BUFFER_BYTES || (*end && *end != ','))
			return fail(p, "invalid dimensions '%s' (expected D1,D2,... each 1..%u)",
				    s, DESC_MAX_BUFFER_BYTES);
		dims[rank++] = (uint32_t)v;
		s = *end ? end + 1 : end;
		if (*end && !*s)
			return fail(p, "invalid dimensions (trailing ',')");
	}
	return rank;
}

static int find_spec(const struct desc *d, const char *name, size_t len)
{
	for (uint32_t i = 0; i < d->nspec; i++)
		if (strlen(d->spec[i].name) == len && !strncmp(d->spec[i].name, name, len))
			return (int)i;
	return -1;
}

/* One DIMS token of a binding: all specializations, or "SPEC=dims". */
static int binding_dims(struct parser *p, struct desc_buffer *b, const char *tok)
{
	const char *eq = strchr(tok, '=');
	uint32_t dims[DESC_MAX_DIMS], idx = p->d->nbuf;
	int rank, sp = -1;

	if (eq) {
		sp = find_spec(p->d, tok, (size_t)(eq - tok));
		if (sp < 0)
			return fail(p, "unknown specialization '%.*s' (declare it first)",
				    (int)(eq - tok), tok);
		if (p->spec_mask[idx] & (1u << sp))
			return fail(p, "dimensions for '%.*s' given twice", (int)(eq - tok), tok);
		tok = eq + 1;
	} else if (p->dims_all[idx] || p->spec_mask[idx]) {
		return fail(p, "dimensions given twice");
	}
	rank = parse_dims(p, tok, dims);
	if (rank < 0)
		return -1;
	if (b->rank && (uint32_t)rank != b->rank)
		return fail(p, "dimensions of different rank (%d, %u)", rank, b->rank);
	b->rank = (uint32_t)rank;
	if (sp < 0) {
		for (uint32_t s = 0; s < DESC_MAX_SPECS; s++)
			memcpy(b->dims[s], dims, sizeof(dims));
		p->dims_all[idx] = 1;
	} else {
		memcpy(b->dims[sp], dims, sizeof(dims));
		p->spec_mask[idx] |= 1u << sp;
	}
	return 0;
}

static int binding_flag(struct parser *p, struct desc_buffer *b, const char *tok)
{
	if (!strcmp(tok, "partial"))
		b->partial = true;
	else if (!strcmp(tok, "split"))
		b->split = true;
	else if (strchr(tok, '=') || isdigit((unsigned char)*tok))
		return binding_dims(p, b, tok);
	else
		return fail(p, "unknown binding attribute '%s'", tok);
	return 0;
}

/* Largest bytes over the specializations, and the checks on them. */
static int binding_finish(struct parser *p, struct desc_buffer *b)
{
	uint32_t idx = p->d->nbuf, n = p->d->nspec ? p->d->nspec : 1;
	uint64_t max = 0;

	if (!b->rank)
		return fail(p, "binding '%s' has no dimensions", b->name);
	if (!p->dims_all[idx] && p->spec_mask[idx] != (1u << n) - 1) {
		for (uint32_t s = 0; s < n; s++)
			if (!(p->spec_mask[idx] & (1u << s)))
				return fail(p, "binding '%s' has no dimensions for specialization '%s'",
					    b->name, p->d->spec[s].name);
	}
	for (uint32_t s = 0; s < n; s++) {
		uint64_t v = desc_spec_bytes(b, s);

		if (v > DESC_MAX_BUFFER_BYTES)
			return fail(p, "binding '%s' is larger than %u bytes",
				    b->name, DESC_MAX_BUFFER_BYTES);
		if (v > max)
			max = v;
	}
	b->bytes = (uint32_t)max;
	return 0;
}

/* One binding "NAME in|out DTYPE DIMS... [partial] [split]". */
static int parse_one_binding(struct parser *p, const char *name, char *rest)
{
	struct desc_buffer *b;
	char *save = NULL, *dir, *dtype, *tok;
	size_t i;

	if (!valid_name(name))
		return fail(p, "invalid buffer name '%s' (1..%d printable characters)",
			    name, DESC_NAME_MAX - 1);
	b = new_buffer(p, name);
	if (!b)
		return -1;
	dir = strtok_r(rest, " \t", &save);
	dtype = strtok_r(NULL, " \t", &save);
	if (!dir || !dtype)
		return fail(p, "expected 'binding = NAME in|out DTYPE DIMS [partial] [split]'");
	if (!strcmp(dir, "in"))
		b->dir = DESC_IN;
	else if (!strcmp(dir, "out"))
		b->dir = DESC_OUT;
	else
		return fail(p, "invalid direction '%s' (expected 'in' or 'out')", dir);
	for (i = 0; i < sizeof(dtypes) / sizeof(dtypes[0]); i++)
		if (!strcmp(dtype, dtypes[i].name))
			break;
	if (i == sizeof(dtypes) / sizeof(dtypes[0]))
		return fail(p, "unknown data type '%s' (float, float16, int8q, uint8q, int16q, int32q, int32, int64, int8)",
			    dtype);
	b->dtype = dtypes[i].value;
	b->elem_size = dtypes[i].size;
	while ((tok = strtok_r(NULL, " \t", &save)))
		if (binding_flag(p, b, tok))
			return -1;
	if (binding_finish(p, b))
		return -1;
	p->d->nbuf++;
	return 0;
}

/*
 * "binding = NAME ...": NAME may hold one {A..B} range, which makes one
 * binding per value (past_key.{0..31} -> past_key.0 ... past_key.31).
 */
static int parse_binding(struct parser *p, char *val)
{
	char *save = NULL, *name = strtok_r(val, " \t", &save);
	char *rest = save, *open, *close;
	unsigned long a, b;
	char copy[DESC_ERR_MAX];

	if (!name || !rest)
		return fail(p, "expected 'binding = NAME in|out DTYPE DIMS [partial] [split]'");
	open = strchr(name, '{');
	if (!open)
		return parse_one_binding(p, name, rest);
	close = strchr(open, '}');
	if (!close || sscanf(open, "{%lu..%lu}", &a, &b) != 2 || a > b ||
	    b - a >= DESC_MAX_BUFFERS || strchr(close + 1, '{'))
		return fail(p, "invalid range in '%s' (expected one {A..B}, A <= B)", name);
	for (unsigned long k = a; k <= b; k++) {
		char one[DESC_NAME_MAX * 2];

		snprintf(one, sizeof(one), "%.*s%lu%s", (int)(open - name), name,
			 k, close + 1);
		snprintf(copy, sizeof(copy), "%s", rest);
		if (parse_one_binding(p, one, copy))
			return -1;
	}
	return 0;
}

uint64_t desc_spec_bytes(const struct desc_buffer *b, uint32_t spec)
{
	uint64_t v = b->elem_size;

	for (uint32_t i = 0; i < b->rank; i++) {
		v *= b->dims[spec][i];
		if (v > (1ull << 40))
			return v;
	}
	return v;
}

enum key_id {
	K_NAME, K_BATCH, K_COMPUTE, K_JITTER, K_TAIL_PPM, K_TAIL_US, K_DMA,
	K_RING, K_SLICES, K_STATS, K_BUFFER, K_SPEC, K_BINDING, K_CORES,
	K_OPMIX,
};

static const char *const key_names[] = {
	[K_NAME] = "name", [K_BATCH] = "batch", [K_COMPUTE] = "compute_us",
	[K_JITTER] = "jitter_us", [K_TAIL_PPM] = "tail_ppm",
	[K_TAIL_US] = "tail_us", [K_DMA] = "dma_mbps", [K_RING] = "ring",
	[K_SLICES] = "slices", [K_STATS] = "stats", [K_BUFFER] = "buffer",
	[K_SPEC] = "specialization", [K_BINDING] = "binding",
	[K_CORES] = "nsp_cores", [K_OPMIX] = "opmix",
};

static int set_scalar(struct parser *p, enum key_id k, const char *key,
		      const char *val)
{
	struct desc *d = p->d;
	uint64_t v;

	switch (k) {
	case K_NAME:
		if (!valid_name(val))
			return fail(p, "invalid name '%s' (1..%d printable characters, no spaces)",
				    val, DESC_NAME_MAX - 1);
		strcpy(d->name, val);
		return 0;
	case K_BATCH:
		if (parse_u64(p, key, val, 1, 65535, &v))
			return -1;
		d->batch = (uint32_t)v;
		return 0;
	case K_COMPUTE:
		p->compute_line = p->line;
		return parse_u64(p, key, val, 1, ONE_HOUR_US, &d->compute_us);
	case K_JITTER:
		return parse_u64(p, key, val, 0, ONE_HOUR_US, &d->jitter_us);
	case K_TAIL_PPM:
		if (parse_u64(p, key, val, 0, 1000000, &v))
			return -1;
		d->tail_ppm = (uint32_t)v;
		return 0;
	case K_TAIL_US:
		return parse_u64(p, key, val, 0, ONE_HOUR_US, &d->tail_us);
	case K_DMA:
		return parse_u64(p, key, val, 1, 1000000, &d->dma_mbps);
	case K_RING:
		if (parse_u64(p, key, val, 1, 65536, &v))
			return -1;
		d->ring = (uint32_t)v;
		p->ring_line = p->line;
		return 0;
	case K_SLICES:
		if (parse_u64(p, key, val, 1, 256, &v))
			return -1;
		d->slices = (uint32_t)v;
		return 0;
	case K_STATS:
		if (parse_u64(p, key, val, 0, 1, &v))
			return -1;
		d->stats = (uint32_t)v;
		return 0;
	case K_CORES:
		if (parse_u64(p, key, val, 1, 16, &v))
			return -1;
		d->nsp_cores = (uint32_t)v;
		return 0;
	case K_OPMIX:
		if (strcmp(val, "transformer") && strcmp(val, "conv") &&
		    strcmp(val, "generic"))
			return fail(p, "opmix '%s': expected transformer, conv or generic", val);
		strcpy(d->opmix, val);
		return 0;
	case K_BUFFER:
	case K_SPEC:
	case K_BINDING:
		break;
	}
	return fail(p, "internal error");
}

static int parse_line(struct parser *p, char *line)
{
	char *hash = strchr(line, '#');
	char *eq, *key, *val;
	unsigned int k;

	if (hash)
		*hash = '\0';
	line = trim(line);
	if (!*line)
		return 0;
	eq = strchr(line, '=');
	if (!eq)
		return fail(p, "expected 'key = value', got '%s'", line);
	*eq = '\0';
	key = trim(line);
	val = trim(eq + 1);
	if (!*key)
		return fail(p, "missing key before '='");
	for (k = 0; k < sizeof(key_names) / sizeof(key_names[0]); k++)
		if (!strcmp(key, key_names[k]))
			break;
	if (k == sizeof(key_names) / sizeof(key_names[0]))
		return fail(p, "unknown key '%s'", key);
	if (!*val)
		return fail(p, "missing value for '%s'", key);
	if (k == K_BUFFER)
		return parse_buffer(p, val);
	if (k == K_SPEC)
		return parse_spec(p, val);
	if (k == K_BINDING)
		return parse_binding(p, val);
	if (p->seen & (1u << k))
		return fail(p, "duplicate key '%s'", key);
	p->seen |= 1u << k;
	return set_scalar(p, (enum key_id)k, key, val);
}

/*
 * With specializations: each takes the top-level jitter_us unless it has
 * its own, and the first input's bytes per token must be the same in all
 * of them (the device counts a request's tokens with it).
 */
static int check_specs(struct parser *p)
{
	struct desc *d = p->d;
	const struct desc_buffer *first = NULL;
	uint32_t i;

	if (p->seen & (1u << K_COMPUTE)) {
		p->line = p->compute_line;
		return fail(p, "'compute_us' is given per specialization when there are specializations");
	}
	for (i = 0; i < d->nspec; i++)
		if (d->spec[i].jitter_us == SPEC_JITTER_DEFAULT)
			d->spec[i].jitter_us = d->jitter_us;
	for (i = 0; i < d->nbuf && !first; i++)
		if (d->buf[i].dir == DESC_IN)
			first = &d->buf[i];
	if (!first)
		return fail(p, "specializations need an input (its first input carries the tokens)");
	for (i = 0; i < d->nspec; i++) {
		uint64_t bytes = desc_spec_bytes(first, i);
		uint64_t per = bytes / d->spec[i].seq_len;

		if (bytes % d->spec[i].seq_len || (i && per != d->token_bytes)) {
			p->line = p->buf_line[first - d->buf];
			return fail(p, "first input '%s': %llu bytes in specialization '%s' is not seq_len %u x the bytes per token of the others",
				    first->name, (unsigned long long)bytes,
				    d->spec[i].name, d->spec[i].seq_len);
		}
		d->token_bytes = (uint32_t)per;
	}
	return 0;
}

static int check_complete(struct parser *p)
{
	struct desc *d = p->d;
	uint32_t i, nout = 0, nbo;

	if (!(p->seen & (1u << K_NAME)))
		return fail(p, "missing required key 'name'");
	if (!d->nspec && !(p->seen & (1u << K_COMPUTE)))
		return fail(p, "missing required key 'compute_us'");
	for (i = 0; i < d->nbuf; i++)
		nout += d->buf[i].dir == DESC_OUT;
	if (!nout)
		return fail(p, "no output buffer ('buffer = NAME BYTES out')");
	if (d->nspec && check_specs(p))
		return -1;
	nbo = d->nbuf + (d->stats ? 1 : 0);
	if ((uint64_t)nbo * d->slices > d->ring) {
		if (p->ring_line)
			p->line = p->ring_line;
		return fail(p, "ring of %u elements cannot hold one inference (%u buffers x %u slices)",
			    d->ring, nbo, d->slices);
	}
	return 0;
}

int desc_parse(const char *text, size_t len, const char *origin,
	       struct desc *out, char *err, size_t errlen)
{
	struct parser p = {
		.origin = origin, .err = err, .errlen = errlen, .d = out,
	};
	char *copy, *line, *next;
	const char *nul;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->batch = 1;
	out->dma_mbps = 12000;
	out->ring = 32;
	out->nsp_cores = 1;
	strcpy(out->opmix, "generic");
	out->slices = 1;
	nul = memchr(text, '\0', len);
	if (nul) {
		const char *c;

		p.line = 1;
		for (c = text; c < nul; c++)
			p.line += *c == '\n';
		return fail(&p, "description contains a NUL byte (not a text description?)");
	}
	copy = malloc(len + 1);
	if (!copy) {
		snprintf(err, errlen, "%s: out of memory", origin);
		return -1;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (line = copy; line && !rc; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		p.line++;
		rc = parse_line(&p, line);
	}
	free(copy);
	if (!rc)
		rc = check_complete(&p);
	free(p.dims_all);
	free(p.spec_mask);
	free(p.buf_line);
	if (rc)
		desc_free(out);
	return rc;
}

void desc_free(struct desc *d)
{
	free(d->buf);
	d->buf = NULL;
	d->nbuf = 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int desc_parse_file(const char *path, struct desc *out, char *err,
		    size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;
	int rc;

	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(DESC_MAX_FILE_BYTES + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	n = fread(buf, 1, DESC_MAX_FILE_BYTES + 1, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = -1;
	} else if (n > DESC_MAX_FILE_BYTES) {
		snprintf(err, errlen, "%s: larger than %u bytes (not a description?)",
			 path, DESC_MAX_FILE_BYTES);
		rc = -1;
	} else {
		rc = desc_parse(buf, n, base_name(path), out, err, errlen);
	}
	free(buf);
	fclose(f);
	return rc;
}

static bool is_regular_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool try_dir(const char *dir, const char *name, char *path,
		    size_t pathlen)
{
	int n;

	if (!dir || !*dir)
		return false;
	n = snprintf(path, pathlen, "%s/%s.desc", dir, name);
	return n > 0 && (size_t)n < pathlen && is_regular_file(path);
}

int desc_resolve(const char *arg, const char *datadir, const char *srcdir,
		 char *path, size_t pathlen, char *err, size_t errlen)
{
	const char *name = arg;
	bool explicit_preset = !strncmp(arg, "preset:", 7);

	if (!explicit_preset && (strchr(arg, '/') || is_regular_file(arg))) {
		if (snprintf(path, pathlen, "%s", arg) >= (int)pathlen) {
			snprintf(err, errlen, "%s: path too long", arg);
			return -1;
		}
		if (!is_regular_file(path)) {
			snprintf(err, errlen, "%s: cannot open: %s", arg,
				 access(path, F_OK) ? strerror(errno) : "not a regular file");
			return -1;
		}
		return 0;
	}
	if (explicit_preset)
		name = arg + 7;
	if (!valid_name(name) || strchr(name, '/')) {
		snprintf(err, errlen, "%s: invalid preset name", arg);
		return -1;
	}
	if (try_dir(getenv("QAIC_SIM_PRESET_DIR"), name, path, pathlen) ||
	    try_dir(datadir, name, path, pathlen) ||
	    try_dir(srcdir, name, path, pathlen))
		return 0;
	snprintf(err, errlen, "%s: no such file or preset (searched $QAIC_SIM_PRESET_DIR=%s, %s, %s)",
		 arg, getenv("QAIC_SIM_PRESET_DIR") ? getenv("QAIC_SIM_PRESET_DIR") : "(unset)",
		 datadir ? datadir : "-", srcdir ? srcdir : "-");
	return -1;
}
