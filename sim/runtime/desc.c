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

static int parse_buffer(struct parser *p, char *val)
{
	struct desc *d = p->d;
	struct desc_buffer *b;
	char *save = NULL, *name, *bytes, *dir, *extra;
	uint64_t n;
	uint32_t i;

	name = strtok_r(val, " \t", &save);
	bytes = strtok_r(NULL, " \t", &save);
	dir = strtok_r(NULL, " \t", &save);
	extra = strtok_r(NULL, " \t", &save);
	if (!name || !bytes || !dir || extra)
		return fail(p, "expected 'buffer = NAME BYTES in|out'");
	if (!valid_name(name))
		return fail(p, "invalid buffer name '%s' (1..%d printable characters)",
			    name, DESC_NAME_MAX - 1);
	if (!strcmp(name, DESC_CYCLES_NAME))
		return fail(p, "buffer name '%s' is reserved (added by 'stats = 1')",
			    name);
	for (i = 0; i < d->nbuf; i++)
		if (!strcmp(d->buf[i].name, name))
			return fail(p, "duplicate buffer '%s'", name);
	if (d->nbuf >= DESC_MAX_BUFFERS)
		return fail(p, "too many buffers (at most %d)", DESC_MAX_BUFFERS);
	if (parse_u64(p, "buffer", bytes, 1, DESC_MAX_BUFFER_BYTES, &n))
		return -1;
	b = &d->buf[d->nbuf];
	if (!strcmp(dir, "in"))
		b->dir = DESC_IN;
	else if (!strcmp(dir, "out"))
		b->dir = DESC_OUT;
	else
		return fail(p, "invalid direction '%s' (expected 'in' or 'out')",
			    dir);
	strcpy(b->name, name);
	b->bytes = (uint32_t)n;
	d->nbuf++;
	return 0;
}

enum key_id {
	K_NAME, K_BATCH, K_COMPUTE, K_JITTER, K_TAIL_PPM, K_TAIL_US, K_DMA,
	K_RING, K_SLICES, K_STATS, K_BUFFER,
};

static const char *const key_names[] = {
	[K_NAME] = "name", [K_BATCH] = "batch", [K_COMPUTE] = "compute_us",
	[K_JITTER] = "jitter_us", [K_TAIL_PPM] = "tail_ppm",
	[K_TAIL_US] = "tail_us", [K_DMA] = "dma_mbps", [K_RING] = "ring",
	[K_SLICES] = "slices", [K_STATS] = "stats", [K_BUFFER] = "buffer",
};

#define ONE_HOUR_US 3600000000ull

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
	case K_BUFFER:
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
	if (p->seen & (1u << k))
		return fail(p, "duplicate key '%s'", key);
	p->seen |= 1u << k;
	return set_scalar(p, (enum key_id)k, key, val);
}

static int check_complete(struct parser *p)
{
	struct desc *d = p->d;
	uint32_t i, nout = 0, nbo;

	if (!(p->seen & (1u << K_NAME)))
		return fail(p, "missing required key 'name'");
	if (!(p->seen & (1u << K_COMPUTE)))
		return fail(p, "missing required key 'compute_us'");
	for (i = 0; i < d->nbuf; i++)
		nout += d->buf[i].dir == DESC_OUT;
	if (!nout)
		return fail(p, "no output buffer ('buffer = NAME BYTES out')");
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
	return rc;
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
