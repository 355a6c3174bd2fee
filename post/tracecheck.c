// SPDX-License-Identifier: MIT
/*
 * Checks of CTF traces before and while babeltrace2 decodes them
 * (tracecheck.h).  Everything here reads little: the metadata (kilobytes),
 * the index files and a few bytes per indexed packet; the trace's events
 * are left to babeltrace2.
 */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assemble.h"
#include "reader.h"
#include "tracecheck.h"

#define METADATA_MAGIC		0x75d11d57u	/* CTF metadata packet */
#define PACKET_MAGIC		0xc1fc1fc1u	/* CTF stream packet */
#define INDEX_MAGIC		0xc1f1dcc1u	/* LTTng packet index, big endian */
#define METADATA_HEADER		37		/* bytes of a metadata packet header */
#define METADATA_MAX		(64u << 20)	/* no real metadata comes near */
#define FIRST_BYTES		64		/* a stream's identity for duplicates */
#define PID_MAX_LIMIT		4194304		/* Linux: pid and tid <= 2^22 */

/* ---- one trace ------------------------------------------------------- */

struct stream_info {
	char *name;
	off_t size;
	bool has_first;
	unsigned char first[FIRST_BYTES];	/* its first packet's start */
};

struct trace_info {
	const char *dir;
	bool has_uuid;
	unsigned char uuid[16];
	bool swap;			/* trace byte order is not the host's */
	struct stream_info *streams;
	size_t nstreams;
};

static void trace_info_free(struct trace_info *t)
{
	size_t i;

	for (i = 0; i < t->nstreams; i++)
		free(t->streams[i].name);
	free(t->streams);
	memset(t, 0, sizeof(*t));
}

static uint32_t get32(const unsigned char *p, bool swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static uint64_t get64be(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return be64toh(v);
}

/* The whole of a (small) file, NUL-terminated; NULL with errno. */
static unsigned char *slurp(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	unsigned char *buf = NULL;
	struct stat sb;
	size_t have = 0;
	ssize_t r;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > max) {
		errno = fstat(fd, &sb) ? errno : !S_ISREG(sb.st_mode) ? EINVAL : EFBIG;
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)sb.st_size + 1);
	while (buf && have < (size_t)sb.st_size) {
		r = read(fd, buf + have, (size_t)sb.st_size - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		have += (size_t)r;
	}
	close(fd);
	if (!buf)
		return NULL;
	buf[have] = 0;
	*len = have;
	return buf;
}

/* ---- metadata ---------------------------------------------------------- */

/*
 * Is the TSDL text whole?  A lexer's view: comments, string and character
 * literals closed, brackets balanced, the last token ';'.  A cut anywhere
 * but between two top-level declarations fails one of these.
 */
static int tsdl_complete(const char *path, const unsigned char *t, size_t n,
			 char *err, size_t errlen)
{
	enum { CODE, LINE_COMMENT, BLOCK_COMMENT, STRING, CHAR } st = CODE;
	long depth = 0;
	unsigned char last = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = t[i];

		if (!c) {
			snprintf(err, errlen, "%s: corrupt metadata: a NUL byte in the TSDL text at offset %zu",
				 path, i);
			return -1;
		}
		switch (st) {
		case CODE:
			if (c == '/' && i + 1 < n && t[i + 1] == '*') {
				st = BLOCK_COMMENT;
				i++;
			} else if (c == '/' && i + 1 < n && t[i + 1] == '/') {
				st = LINE_COMMENT;
				i++;
			} else if (c == '"') {
				st = STRING;
			} else if (c == '\'') {
				st = CHAR;
			} else if (c == '{' || c == '(' || c == '[') {
				depth++;
			} else if (c == '}' || c == ')' || c == ']') {
				if (--depth < 0)
					break;
			}
			if (c > ' ')
				last = c;
			break;
		case LINE_COMMENT:
			if (c == '\n')
				st = CODE;
			break;
		case BLOCK_COMMENT:
			if (c == '*' && i + 1 < n && t[i + 1] == '/') {
				st = CODE;
				i++;
			}
			break;
		case STRING:
		case CHAR:
			if (c == '\\' && i + 1 < n)
				i++;
			else if (c == (st == STRING ? '"' : '\''))
				st = CODE;
			else if (c == '\n')
				goto cut;
			last = c;
			break;
		}
		if (depth < 0) {
			snprintf(err, errlen, "%s: corrupt metadata: unbalanced '%c' at offset %zu of the TSDL text",
				 path, c, i);
			return -1;
		}
	}
	if (st == CODE || st == LINE_COMMENT) {
		if (!depth && last == ';')
			return 0;
	}
cut:
	snprintf(err, errlen, "%s: truncated or corrupt metadata: the TSDL text (%zu bytes) ends %s",
		 path, n, st == BLOCK_COMMENT ? "inside a comment" :
		 st == STRING || st == CHAR ? "inside a string" :
		 depth ? "inside a block" : "without a final ';'");
	return -1;
}

/* Parse "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" into 16 bytes. */
static bool parse_uuid(const char *s, unsigned char out[16])
{
	unsigned int k = 0, v;

	while (*s && k < 16) {
		if (*s == '-') {
			s++;
			continue;
		}
		if (sscanf(s, "%2x", &v) != 1)
			return false;
		out[k++] = (unsigned char)v;
		s += 2;
	}
	return k == 16;
}

/*
 * A packetized metadata file: every packet whole, one UUID; the TSDL text
 * is the packets' contents one after the other.
 */
static int metadata_packets(const char *path, const unsigned char *b,
			    size_t n, struct trace_info *t, unsigned char **text,
			    size_t *tlen, char *err, size_t errlen)
{
	size_t off = 0, k = 0;
	unsigned char *out = malloc(n + 1);

	t->swap = get32(b, false) != METADATA_MAGIC;
	if (!out) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	while (off < n) {
		const unsigned char *p = b + off;
		uint32_t content, size;

		if (n - off < METADATA_HEADER) {
			snprintf(err, errlen, "%s: truncated metadata: %zu bytes after the last whole packet (offset %zu), a packet header has %d",
				 path, n - off, off, METADATA_HEADER);
			goto fail;
		}
		content = get32(p + 24, t->swap);
		size = get32(p + 28, t->swap);
		if (get32(p, t->swap) != METADATA_MAGIC) {
			snprintf(err, errlen, "%s: corrupt metadata: no packet magic at offset %zu",
				 path, off);
			goto fail;
		}
		if (memcmp(p + 4, b + 4, 16)) {
			snprintf(err, errlen, "%s: corrupt metadata: the packet at offset %zu has another trace UUID",
				 path, off);
			goto fail;
		}
		if (content % 8 || size % 8 || content < 8 * METADATA_HEADER ||
		    content > size || p[32] || p[33] || p[34] ||
		    p[35] != 1 || p[36] != 8) {
			snprintf(err, errlen, "%s: corrupt metadata: bad header of the packet at offset %zu (content %" PRIu32 " bits, size %" PRIu32 " bits, CTF %u.%u)",
				 path, off, content, size, p[35], p[36]);
			goto fail;
		}
		if (size / 8 > n - off) {
			snprintf(err, errlen, "%s: truncated metadata: the packet at offset %zu declares %" PRIu32 " bytes, the file ends %zu bytes after it starts",
				 path, off, size / 8, n - off);
			goto fail;
		}
		memcpy(out + k, p + METADATA_HEADER, content / 8 - METADATA_HEADER);
		k += content / 8 - METADATA_HEADER;
		off += size / 8;
	}
	t->has_uuid = true;
	memcpy(t->uuid, b + 4, 16);
	out[k] = 0;
	*text = out;
	*tlen = k;
	return 0;
fail:
	free(out);
	return -1;
}

static int check_metadata(struct trace_info *t, char *err, size_t errlen)
{
	char path[PATH_MAX];
	unsigned char *b, *text = NULL;
	size_t n = 0, tlen = 0;
	const char *u;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/metadata", t->dir);
	b = slurp(path, METADATA_MAX, &n);
	if (!b) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 errno == EFBIG ? "larger than 64 MiB" :
			 errno == EINVAL ? "not a regular file" : strerror(errno));
		return -1;
	}
	if (n >= 4 && (get32(b, false) == METADATA_MAGIC ||
		       get32(b, true) == METADATA_MAGIC)) {
		if (metadata_packets(path, b, n, t, &text, &tlen, err, errlen))
			goto out;
	} else if (n >= 9 && !memcmp(b, "/* CTF 1.", 9)) {
		text = b;
		tlen = n;
		b = NULL;
		u = strstr((const char *)text, "uuid = \"");
		t->has_uuid = u && parse_uuid(u + 8, t->uuid);
		t->swap = false;	/* the stream magic says */
	} else {
		snprintf(err, errlen, "%s: not CTF metadata (neither a metadata packet nor a '/* CTF 1.x' text)",
			 path);
		goto out;
	}
	rc = tsdl_complete(path, text, tlen, err, errlen);
out:
	free(b);
	free(text);
	return rc;
}

/* ---- stream files ------------------------------------------------------ */

/*
 * The packets of the index of stream name: each must lie within the file
 * and start with a packet (magic, the trace's UUID).
 */
static int check_index(struct trace_info *t, const char *name, int fd,
		       off_t size, char *err, size_t errlen)
{
	char ipath[PATH_MAX];
	unsigned char *ix, pk[20];
	size_t n = 0, off, len, count;
	uint64_t end = 0, at;
	int rc = -1;

	if (snprintf(ipath, sizeof(ipath), "%s/index/%s.idx", t->dir, name) >=
	    (int)sizeof(ipath))
		return 0;
	ix = slurp(ipath, SIZE_MAX / 2, &n);
	if (!ix)
		return errno == ENOENT ? 0 : (snprintf(err, errlen, "%s: cannot read: %s",
					       ipath, strerror(errno)), -1);
	if (n < 16 || get64be(ix) >> 32 != INDEX_MAGIC) {
		snprintf(err, errlen, "%s: not a packet index (no index magic)", ipath);
		goto out;
	}
	len = get64be(ix + 8) & 0xffffffff;
	if (len < 56 || len > 4096) {
		snprintf(err, errlen, "%s: corrupt index: entries of %zu bytes", ipath, len);
		goto out;
	}
	count = (n - 16) / len;
	for (off = 16; off + len <= n; off += len) {
		at = get64be(ix + off);
		end = at + get64be(ix + off + 8) / 8;
		if (end > (uint64_t)size || end < at) {
			snprintf(err, errlen, "%s/%s: truncated or corrupt stream file: %jd bytes, but its index (%zu packets) lists packets up to byte %" PRIu64 " (data lost)",
				 t->dir, name, (intmax_t)size, count, end);
			goto out;
		}
		if (pread(fd, pk, sizeof(pk), (off_t)at) != (ssize_t)sizeof(pk) ||
		    (get32(pk, false) != PACKET_MAGIC && get32(pk, true) != PACKET_MAGIC) ||
		    (t->has_uuid && memcmp(pk + 4, t->uuid, 16))) {
			snprintf(err, errlen, "%s/%s: corrupt stream file: no packet of this trace at offset %" PRIu64 ", where its index says one starts",
				 t->dir, name, at);
			goto out;
		}
	}
	rc = 0;
out:
	free(ix);
	return rc;
}

static int check_stream(struct trace_info *t, const char *name, char *err,
			size_t errlen)
{
	char path[PATH_MAX];
	struct stream_info *v, *s;
	struct stat sb;
	int fd, rc = -1;
	ssize_t r;

	if (snprintf(path, sizeof(path), "%s/%s", t->dir, name) >= (int)sizeof(path)) {
		snprintf(err, errlen, "%s/%s: path too long", t->dir, name);
		return -1;
	}
	if (stat(path, &sb)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(sb.st_mode))
		return 0;		/* index/, or another trace below */
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file: cannot be a stream file", path);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	v = realloc(t->streams, (t->nstreams + 1) * sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	t->streams = v;
	s = &v[t->nstreams];
	memset(s, 0, sizeof(*s));
	s->name = strdup(name);
	if (!s->name) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	t->nstreams++;
	s->size = sb.st_size;
	r = pread(fd, s->first, sizeof(s->first), 0);
	s->has_first = r == (ssize_t)sizeof(s->first);
	if (r < 0) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	if (r >= 4 && get32(s->first, false) != PACKET_MAGIC &&
	    get32(s->first, true) != PACKET_MAGIC) {
		snprintf(err, errlen, "%s: not a CTF stream file (no packet magic at offset 0)",
			 path);
		goto out;
	}
	rc = check_index(t, name, fd, sb.st_size, err, errlen);
out:
	close(fd);
	return rc;
}

static int check_streams(struct trace_info *t, char *err, size_t errlen)
{
	DIR *d = opendir(t->dir);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		snprintf(err, errlen, "%s: cannot read: %s", t->dir, strerror(errno));
		return -1;
	}
	while (!rc && (de = readdir(d))) {
		/* what src.ctf.fs skips: hidden files, the metadata */
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "metadata"))
			continue;
		rc = check_stream(t, de->d_name, err, errlen);
	}
	closedir(d);
	return rc;
}

/* ---- several traces ---------------------------------------------------- */

/* Two copies of one trace: same UUID, a stream starting with the same packet. */
static int check_duplicates(const struct trace_info *t, size_t n, char *err,
			    size_t errlen)
{
	size_t i, j, a, b;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			if (!t[i].has_uuid || !t[j].has_uuid ||
			    memcmp(t[i].uuid, t[j].uuid, 16))
				continue;
			for (a = 0; a < t[i].nstreams; a++)
				for (b = 0; b < t[j].nstreams; b++) {
					const struct stream_info *x = &t[i].streams[a];
					const struct stream_info *y = &t[j].streams[b];

					if (!x->has_first || !y->has_first ||
					    strcmp(x->name, y->name) ||
					    memcmp(x->first, y->first, FIRST_BYTES))
						continue;
					snprintf(err, errlen, "%s and %s are the same trace (one trace UUID, stream %s starts with the same packet in both): give it once",
						 t[i].dir, t[j].dir, x->name);
					return -1;
				}
		}
	return 0;
}

int qp_trace_precheck(const char *const *paths, size_t n, char *err,
		      size_t errlen)
{
	const char *env = getenv("QPROF_REPORT_PRECHECK");
	struct trace_info *t = NULL;
	char **dirs = NULL;
	int nd, i, rc = -1;

	if (env && !strcmp(env, "0"))
		return 0;
	nd = qp_find_traces(paths, n, &dirs, err, errlen);
	if (nd <= 0)
		return -1;
	t = calloc((size_t)nd, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < nd; i++) {
		t[i].dir = dirs[i];
		if (check_metadata(&t[i], err, errlen) ||
		    check_streams(&t[i], err, errlen))
			goto out;
	}
	rc = check_duplicates(t, (size_t)nd, err, errlen);
out:
	for (i = 0; i < nd; i++) {
		if (t)
			trace_info_free(&t[i]);
		free(dirs[i]);
	}
	free(t);
	free(dirs);
	return rc;
}

/* ---- the trace's size -------------------------------------------------- */

static uint64_t size_sum;	/* nftw() has no user-data argument */

static int add_size(const char *path, const struct stat *sb, int type,
		    struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (type == FTW_F)
		size_sum += (uint64_t)sb->st_size;
	return 0;
}

uint64_t qp_trace_bytes(const char *const *paths, size_t n)
{
	size_t i;

	size_sum = 0;
	for (i = 0; i < n; i++)
		nftw(paths[i], add_size, 16, 0);
	return size_sum;
}

/* ---- per-event checks -------------------------------------------------- */

struct qp_tid_state {
	uint64_t key;		/* host << 32 | tid; 0: empty */
	uint64_t last_ts;	/* the tid's last event */
	int32_t pid, prev_pid;	/* the tid's process, the one before */
};

/*
 * A thread id seen in another process this soon after its last event is
 * a corrupt event, not a reused id: Linux hands out ids cyclically, so an
 * id comes back only after the allocator has gone round the whole pid
 * space (pid_max: 32768 at least, 4194304 on Debian's systemd), more than
 * half a second of clone() calls at the fastest on any machine.  (A
 * thread's events can be far apart: a worker's WAIT returns milliseconds
 * after its EXECUTE.)  Only a pid space nearly exhausted could reuse an
 * id sooner.
 */
#define TID_REUSE_NS	100000000ULL

static uint64_t tid_hash(uint64_t k, size_t mask)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k & mask;
}

static struct qp_tid_state *tid_slot(struct qp_event_checker *c, uint64_t key)
{
	size_t h, i, cap;
	struct qp_tid_state *t;

	if (2 * (c->n + 1) > c->cap) {
		cap = c->cap ? 2 * c->cap : 256;
		t = calloc(cap, sizeof(*t));
		if (!t)
			return NULL;
		for (i = 0; i < c->cap; i++) {
			if (!c->t[i].key)
				continue;
			h = tid_hash(c->t[i].key, cap - 1);
			while (t[h].key)
				h = (h + 1) & (cap - 1);
			t[h] = c->t[i];
		}
		free(c->t);
		c->t = t;
		c->cap = cap;
	}
	h = tid_hash(key, c->cap - 1);
	while (c->t[h].key && c->t[h].key != key)
		h = (h + 1) & (c->cap - 1);
	if (!c->t[h].key) {
		c->t[h].key = key;
		c->n++;
	}
	return &c->t[h];
}

int qp_event_check(struct qp_event_checker *c, uint32_t host, int32_t pid,
		   int32_t tid, uint64_t begin_ts, uint64_t ts, int64_t ctx_vpid,
		   char *err, size_t errlen)
{
	struct qp_tid_state *s;
	uint64_t key;

	if (pid <= 0 || pid > PID_MAX_LIMIT || tid <= 0 || tid > PID_MAX_LIMIT) {
		snprintf(err, errlen, "corrupt event: pid %" PRId32 ", tid %" PRId32 " (Linux ids are 1 to %d)",
			 pid, tid, PID_MAX_LIMIT);
		return -1;
	}
	if (ctx_vpid >= 0 && ctx_vpid != pid) {
		snprintf(err, errlen, "corrupt event: payload pid %" PRId32 " in a stream of process %" PRId64,
			 pid, ctx_vpid);
		return -1;
	}
	if (begin_ts > ts) {
		snprintf(err, errlen, "corrupt event: begin_ts %" PRIu64 " after the event's time %" PRIu64,
			 begin_ts, ts);
		return -1;
	}
	key = (uint64_t)(host + 1) << 32 | (uint32_t)tid;
	if (c->last && c->last->key == key && c->last->pid == pid) {
		c->last->last_ts = ts;
		return 0;
	}
	s = tid_slot(c, key);
	if (!s) {
		c->last = NULL;
		c->failed = true;
		return 0;	/* a check skipped, not a corrupt trace */
	}
	c->last = s;
	if (s->pid == pid) {
		s->last_ts = ts;
		return 0;
	}
	if (s->pid && s->prev_pid == pid) {
		snprintf(err, errlen, "corrupt event: thread %" PRId32 " of process %" PRId32 " appears in process %" PRId32 " and back",
			 tid, pid, s->pid);
		return -1;
	}
	if (s->pid && ts >= s->last_ts && ts - s->last_ts < TID_REUSE_NS) {
		snprintf(err, errlen, "corrupt event: thread %" PRId32 " appears in process %" PRId32 " %.3f ms after its event in process %" PRId32 " (a thread id is not reused within %llu ms)",
			 tid, pid, (double)(ts - s->last_ts) / 1e6, s->pid,
			 TID_REUSE_NS / 1000000ULL);
		return -1;
	}
	s->prev_pid = s->pid;
	s->pid = pid;
	s->last_ts = ts;
	return 0;
}

void qp_event_checker_free(struct qp_event_checker *c)
{
	free(c->t);
	memset(c, 0, sizeof(*c));
}

/* ---- naming the file that breaks decoding -------------------------------- */

struct trial {
	char dir[PATH_MAX];	/* a trace of one stream file (or none) */
	char err[2048];
};

/*
 * In a guarded child: decode and assemble trial->dir, as the report does
 * (damaged bytes may decode into events whose inferences exhaust memory in
 * the assembler, not in babeltrace2); 0, or 1 with the reason as the
 * child's phase.
 */
static int trial_child(void *arg)
{
	struct trial *tr = arg;
	const char *paths[1] = { tr->dir };
	struct qp_assembler *a;
	struct qp_read_stats st;
	struct qp_model m;
	char err[2048];
	int rc;

	qp_model_init(&m);
	qp_read_stats_init(&st);
	qp_guard_phase("decoding %s", tr->dir);
	a = qp_assembler_new(&m);
	if (!a) {
		snprintf(err, sizeof(err), "out of memory");
		rc = -1;
	} else {
		rc = qp_read_traces(paths, 1, &m, qp_assembler_sink, a, &st, err,
				    sizeof(err));
		if (!rc && (rc = qp_assembler_finish(a)))
			snprintf(err, sizeof(err), "assembling: out of memory");
		qp_assembler_free(a);
	}
	if (rc)
		qp_guard_phase("%s", err);	/* the reason, for the parent */
	qp_read_stats_free(&st);
	qp_model_free(&m);
	return rc ? 1 : 0;
}

/* Symlink dir/name into tdir (absolute target). */
static int link_file(const char *dir, const char *name, const char *tdir)
{
	char from[PATH_MAX], to[PATH_MAX], abs[PATH_MAX];

	if (!realpath(dir, abs) ||
	    snprintf(from, sizeof(from), "%s/%s", abs, name) >= (int)sizeof(from) ||
	    snprintf(to, sizeof(to), "%s/%s", tdir, name) >= (int)sizeof(to))
		return -1;
	return symlink(from, to);
}

static int copy_metadata(const char *dir, const char *tdir)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16];
	unsigned char *b;
	size_t n = 0;
	FILE *f;
	int rc;

	snprintf(from, sizeof(from), "%s/metadata", dir);
	snprintf(to, sizeof(to), "%s/metadata", tdir);
	b = slurp(from, METADATA_MAX, &n);
	f = b ? fopen(to, "we") : NULL;
	rc = f && fwrite(b, 1, n, f) == n ? 0 : -1;
	if (f && fclose(f))
		rc = -1;
	free(b);
	return rc;
}

static int rm_tree_entry(const char *path, const struct stat *sb, int type,
			 struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

/*
 * Decode the metadata of dir with the stream file name (NULL: none) alone.
 * 0: decodes; 1: fails, the reason in why; -1: could not try.
 */
static int try_alone(const char *dir, const char *name,
		     const struct qp_guard_opts *o, char *why, size_t len)
{
	const char *tmp = getenv("TMPDIR");
	struct qp_guard_result r;
	struct trial tr;
	char idx[PATH_MAX], ix[NAME_MAX + 8];
	int rc = -1;

	if (snprintf(tr.dir, sizeof(tr.dir), "%s/qprof-diag.XXXXXX",
		     tmp && *tmp ? tmp : "/tmp") >= (int)sizeof(tr.dir) ||
	    !mkdtemp(tr.dir))
		return -1;
	/* a copy: the trace finder does not follow symbolic links */
	if (copy_metadata(dir, tr.dir))
		goto out;
	if (name) {
		if (link_file(dir, name, tr.dir))
			goto out;
		snprintf(ix, sizeof(ix), "%s.idx", name);
		snprintf(idx, sizeof(idx), "%s/index/%s", dir, ix);
		if (!access(idx, F_OK)) {
			char sub[PATH_MAX + 8], src[PATH_MAX + 8];

			snprintf(sub, sizeof(sub), "%s/index", tr.dir);
			snprintf(src, sizeof(src), "%s/index", dir);
			if (mkdir(sub, 0700) || link_file(src, ix, sub))
				goto out;
		}
	}
	rc = qp_guard_run(trial_child, &tr, o, &r);
	if (rc == 0 && o->mem_limit && r.peak_rss > o->mem_limit) {
		/* a spike the sampling missed (it caught the report's) */
		snprintf(why, len, "peaked at %llu MiB of memory (limit %llu MiB, QPROF_REPORT_MEMORY_MB)",
			 (unsigned long long)(r.peak_rss >> 20),
			 (unsigned long long)(o->mem_limit >> 20));
		rc = 1;
		goto out;
	}
	if (rc == 0)
		goto out;
	if (r.end == QP_GUARD_EXITED) {
		/* babeltrace2's reason, without the reader's preamble */
		const char *p = strstr(r.phase, "stream file?): ");

		snprintf(why, len, "%s", p ? p + 15 : r.phase);
	} else {
		r.phase[0] = '\0';
		qp_guard_describe(&r, o, why, len);
	}
	rc = 1;
out:
	nftw(tr.dir, rm_tree_entry, 8, FTW_DEPTH | FTW_PHYS);
	return rc;
}

/* Replace every occurrence of the trial's directory by the real one. */
static void real_paths(char *s, size_t len, const char *dir)
{
	char *hit = strstr(s, "/qprof-diag.");
	char out[2048];
	size_t n;

	if (!hit)
		return;
	/* the trial's tree: TMPDIR/qprof-diag.XXXXXX */
	for (n = (size_t)(hit - s); n > 0 && s[n - 1] != ' ' && s[n - 1] != '`' &&
	     s[n - 1] != '\''; n--)
		;
	hit += strlen("/qprof-diag.XXXXXX");
	snprintf(out, sizeof(out), "%.*s%s%s", (int)n, s, dir, hit);
	snprintf(s, len, "%s", out);
}

int qp_trace_diagnose(const char *const *paths, size_t n,
		      const struct qp_guard_opts *o, char *msg, size_t len)
{
	struct trace_info t;
	char **dirs = NULL, err[512], why[2048];
	int nd, i, found = -1, r;
	size_t k;

	nd = qp_find_traces(paths, n, &dirs, err, sizeof(err));
	for (i = 0; i < nd && found < 0; i++) {
		memset(&t, 0, sizeof(t));
		t.dir = dirs[i];
		r = try_alone(dirs[i], NULL, o, why, sizeof(why));
		if (r == 1) {
			real_paths(why, sizeof(why), dirs[i]);
			snprintf(msg, len, "%s/metadata cannot be decoded (corrupt?): %s",
				 dirs[i], why);
			found = 0;
			break;
		}
		if (check_streams(&t, err, sizeof(err))) {
			snprintf(msg, len, "%s", err);
			found = 0;
		}
		for (k = 0; k < t.nstreams && found < 0; k++) {
			r = try_alone(dirs[i], t.streams[k].name, o, why, sizeof(why));
			if (r != 1)
				continue;
			real_paths(why, sizeof(why), dirs[i]);
			snprintf(msg, len, "stream file %s/%s cannot be decoded (corrupt or truncated?): %s",
				 dirs[i], t.streams[k].name, why);
			found = 0;
		}
		trace_info_free(&t);
	}
	for (i = 0; i < nd; i++)
		free(dirs[i]);
	free(dirs);
	return found;
}
