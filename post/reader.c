// SPDX-License-Identifier: MIT
/*
 * The trace reader: one babeltrace2 graph, src.ctf.fs (one per trace
 * directory) -> flt.utils.muxer -> a simple sink that decodes qprof events.
 *
 * Speed matters (the report must run near babeltrace2's own dummy-sink
 * rate): everything that depends only on an event class - its kind, where
 * each payload member is, the clock frequency, the trace's host and vpid -
 * is resolved once, on the first event of that class, and cached in an
 * array found through a hash map (hashmap.h) keyed by the class pointer.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <babeltrace2/babeltrace.h>

#include "guard.h"
#include "hashmap.h"
#include "pipeline.h"
#include "pool.h"
#include "reader.h"
#include "tracecheck.h"

/* ---- payload members the decoder knows, by name --------------------- */

/* The common members, decoded into struct qp_event's header. */
enum hdr { H_PID, H_TID, H_BEGIN_TS, H_STATUS, H_RET, H_ERR, H__COUNT };
static const char *const hdr_names[H__COUNT] = {
	"pid", "tid", "begin_ts", "status", "ret", "err",
};

/*
 * lttng_ust_statedump:bin_info and lttng_ust_dl:dlopen, where a module was
 * mapped (indices into struct cls.idx).
 */
enum { MOD_BADDR, MOD_MEMSZ, MOD_PATH, MOD__COUNT };
static const char *const module_fields[MOD__COUNT] = { "baddr", "memsz", "path" };

#define KIND_OTHER	(-1)	/* another provider's event: skipped */
#define KIND_MODULE	(-2)	/* statedump bin_info / dl dlopen: module map */

/*
 * What a payload member holds, resolved once per class so that reading a
 * member per event is one borrow and one get (no class-type query).
 */
enum ftype {
	FT_NONE,	/* absent, or of a type the decoder does not read */
	FT_UINT,	/* unsigned integer or enumeration */
	FT_SINT,	/* signed integer or enumeration */
	FT_STR,
	FT_ARR_UINT,	/* array / sequence of unsigned integers */
	FT_ARR_SINT,	/* array / sequence of signed integers */
};

/* What the sink knows about one event class. */
struct cls {
	const bt_event_class *key;
	int kind;			/* enum qp_ev_kind, KIND_OTHER, KIND_MODULE */
	/* payload member index (-1 = absent) and enum ftype of ... */
	int8_t hidx[H__COUNT];		/* ... the common members */
	uint8_t htype[H__COUNT];
	int8_t idx[QP_EV_MAX_FIELDS];	/* ... the kind's fields (qp_ev_schema) */
	uint8_t type[QP_EV_MAX_FIELDS];
	int ctx_ip, ctx_vpid;		/* common-context member index, -1 */
	uint8_t ctx_ip_type, ctx_vpid_type;	/* enum ftype */
	uint64_t freq;			/* clock frequency (Hz) */
	uint32_t host;
	int32_t env_vpid;		/* trace env vpid (per-PID buffers), -1 */
};

struct split_group;

struct sink_state {
	qp_event_sink_fn sink;
	void *data;
	struct qp_model *m;
	struct qp_read_stats *st;
	struct cls *cls;		/* the event classes seen ... */
	size_t ncls, capcls;
	struct qp_hmap clsmap;		/* ... found by class pointer */
	int sink_ret;			/* non-zero return of the user's sink */
	int failed;			/* allocation failure */
	const char *bad_event;		/* a qprof event without pid/tid */
	struct qp_event_checker chk;	/* tracecheck.h */
	char *corrupt;			/* a corrupt event: what and where */
	struct split_group *grp;	/* two-graph mode: this graph's group */
	int aborted;			/* stopped because the other graph failed */
	/* the elements of the event's sequences, by payload field position:
	 * the decoded event points here until the next event */
	struct seq_buf { void *p; size_t cap; } seq[QP_EV_MAX_FIELDS];
	int seq_failed;			/* a sequence's buffer could not grow */
};

struct graph {
	bt_graph *g;
	const bt_plugin *ctf, *utils;
	const bt_component_filter *muxer;
	uint64_t next_mux_port;
};

/*
 * Two-graph mode: the stream files of all traces in two groups, each
 * decoded by its own graph in its own thread into its own pull pipeline;
 * the calling thread merges the two by time.  A group sees the traces
 * through a temporary tree, ROOT/g<group>/t<trace index>, of symbolic
 * links to the real metadata and to its stream (and index) files.
 */
/*
 * What flt.utils.muxer orders the messages of different streams by when
 * their times are equal: trace UUID, stream class id, stream id (and the
 * clock offset that makes its times "ns from origin").
 */
struct stream_key {
	const bt_stream *stream;
	int64_t off_ns;
	bool has_uuid;
	uint8_t uuid[16];
	uint64_t sc_id, id;
};

struct split_group {
	struct split *sp;
	/* streams seen; the record tag is the index (decoding thread writes) */
	struct stream_key *keys;
	size_t nkeys, capkeys;
	const bt_stream *last_stream;
	struct sink_state s;
	struct graph gr;
	struct qp_read_stats st;	/* this group's counts */
	struct qp_pipeline *pl;
	char **dirs;			/* ROOT/g<group>/t<i> */
	size_t ndirs;
	pthread_t thread;
	int rc;
	char err[2048];
	/* decoding thread: host names seen, index = local host number */
	char **hosts;
	size_t nhosts;
	/* merging thread: local host number -> index in m->hosts */
	uint32_t *hostmap;
	size_t nhostmap;
	size_t loss;			/* the loss the next DISCARDED counts */
};

struct split {
	char root[PATH_MAX];
	char *const *real;		/* real trace dirs, t<i> */
	size_t nreal;
	atomic_int abort;		/* a graph failed: stop the other */
	struct split_group g[2];
};

static inline struct split *split_of(struct split_group *grp)
{
	return grp->sp;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- trace discovery ------------------------------------------------- */

struct dirlist {
	char **v;
	size_t n, cap;
	int failed;
	char *unreadable;	/* a directory nftw could not read */
};

static struct dirlist *nftw_list;	/* nftw() has no user-data argument */

static int dirlist_add(struct dirlist *l, const char *dir, size_t len)
{
	char *s;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	s = strndup(dir, len);
	if (!s)
		return -1;
	l->v[l->n++] = s;
	return 0;
}

static int visit(const char *path, const struct stat *sb, int type,
		 struct FTW *ftw)
{
	const char *base = path + ftw->base;

	(void)sb;
	if (type == FTW_DNR || type == FTW_NS) {
		/* a trace there would be skipped silently */
		nftw_list->unreadable = strdup(path);
		nftw_list->failed = 1;
		return 1;
	}
	if (type != FTW_F || strcmp(base, "metadata"))
		return 0;
	if (dirlist_add(nftw_list, path, ftw->base ? ftw->base - 1 : 0)) {
		nftw_list->failed = 1;
		return 1;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Drop the directories of v[0..n) found twice under other names (./t and
 * t, a symbolic link): one directory is one trace.  Returns the new count.
 */
static size_t drop_same_dirs(char **v, size_t n)
{
	struct stat *id = calloc(n ? n : 1, sizeof(*id));
	size_t i, j, k = 0;
	bool dup;

	if (!id)
		return n;	/* not worth failing: the precheck says "twice" */
	for (i = 0; i < n; i++) {
		dup = false;
		if (!stat(v[i], &id[k]))
			for (j = 0; j < k && !dup; j++)
				dup = id[j].st_dev == id[k].st_dev &&
				      id[j].st_ino == id[k].st_ino;
		if (dup) {
			free(v[i]);
			continue;
		}
		v[k++] = v[i];
	}
	free(id);
	return k;
}

int qp_find_traces(const char *const *paths, size_t n, char ***dirs,
		   char *err, size_t errlen)
{
	struct dirlist l = { 0 };
	size_t i, k, before;
	struct stat sb;

	for (i = 0; i < n; i++) {
		if (stat(paths[i], &sb)) {
			set_err(err, errlen, "%s: %s", paths[i], strerror(errno));
			goto fail;
		}
		before = l.n;
		if (S_ISDIR(sb.st_mode)) {
			/* a symbolic link named on the command line is
			 * followed (FTW_PHYS would stop at it) */
			char real[PATH_MAX], bare[PATH_MAX];
			const char *top = paths[i];
			size_t len = strlen(top);

			while (len > 1 && top[len - 1] == '/')
				len--;
			snprintf(bare, sizeof(bare), "%.*s", (int)len, top);
			if (!lstat(bare, &sb) && S_ISLNK(sb.st_mode) &&
			    realpath(top, real))
				top = real;
			nftw_list = &l;
			if (nftw(top, visit, 32, FTW_PHYS) || l.failed) {
				if (l.unreadable)
					set_err(err, errlen, "%s: cannot read this directory (a trace in it would be missed)",
						l.unreadable);
				else
					set_err(err, errlen, "%s: %s", paths[i],
						l.failed ? "out of memory" : strerror(errno));
				free(l.unreadable);
				goto fail;
			}
		}
		if (l.n == before) {
			set_err(err, errlen,
				"no CTF trace (no metadata file) under %s",
				paths[i]);
			goto fail;
		}
	}
	qsort(l.v, l.n, sizeof(*l.v), cmp_str);
	for (i = 0, k = 0; i < l.n; i++) {
		if (k && !strcmp(l.v[k - 1], l.v[i])) {
			free(l.v[i]);
			continue;
		}
		l.v[k++] = l.v[i];
	}
	k = drop_same_dirs(l.v, k);
	*dirs = l.v;
	return (int)k;
fail:
	for (i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	*dirs = NULL;
	return -1;
}

/* ---- stats ------------------------------------------------------------ */

void qp_read_stats_init(struct qp_read_stats *st)
{
	memset(st, 0, sizeof(*st));
}

void qp_read_stats_free(struct qp_read_stats *st)
{
	size_t i;

	for (i = 0; i < st->nlosses; i++) {
		free(st->losses[i].trace);
		free(st->losses[i].stream);
	}
	for (i = 0; i < st->nmodules; i++)
		free(st->modules[i].path);
	free(st->losses);
	free(st->modules);
	st->losses = NULL;
	st->modules = NULL;
	st->nlosses = st->nmodules = 0;
}

/* ---- helpers on fields ------------------------------------------------ */

static enum ftype int_ftype(bt_field_class_type t)
{
	switch (t) {
	case BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER:
	case BT_FIELD_CLASS_TYPE_UNSIGNED_ENUMERATION:
		return FT_UINT;
	case BT_FIELD_CLASS_TYPE_SIGNED_INTEGER:
	case BT_FIELD_CLASS_TYPE_SIGNED_ENUMERATION:
		return FT_SINT;
	default:
		return FT_NONE;
	}
}

/* The enum ftype of a member's field class. */
static enum ftype field_class_ftype(const bt_field_class *fc)
{
	bt_field_class_type t = bt_field_class_get_type(fc);

	if (t == BT_FIELD_CLASS_TYPE_STRING)
		return FT_STR;
	if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_ARRAY)) {
		switch (int_ftype(bt_field_class_get_type(
				bt_field_class_array_borrow_element_field_class_const(fc)))) {
		case FT_UINT: return FT_ARR_UINT;
		case FT_SINT: return FT_ARR_SINT;
		default: return FT_NONE;
		}
	}
	return int_ftype(t);
}

/* An integer field of known type (FT_UINT / FT_SINT), as 64 bits. */
static inline uint64_t int_value(const bt_field *f, int type)
{
	return type == FT_UINT ? bt_field_integer_unsigned_get_value(f) :
	       (uint64_t)bt_field_integer_signed_get_value(f);
}

/* The integer member idx of a payload (0 when absent or not an integer). */
static inline uint64_t get_u(const bt_field *payload, int idx, int type)
{
	if (type != FT_UINT && type != FT_SINT)
		return 0;
	return int_value(bt_field_structure_borrow_member_field_by_index_const(
				payload, (uint64_t)idx), type);
}

/* The string member idx ("" when absent or not a string). */
static const char *get_s(const bt_field *payload, int idx, int type)
{
	if (type != FT_STR)
		return "";
	return bt_field_string_get_value(
		bt_field_structure_borrow_member_field_by_index_const(
			payload, (uint64_t)idx));
}

/* Elements of sequences that are absent or empty. */
static const uint64_t no_elements[1];

/*
 * Decode the sequence member idx, every element of esize bytes, into the
 * buffer of field position slot; *n receives its length.  For a sequence
 * sharing the length of an earlier one (min_len, else 0) the buffer holds
 * at least min_len elements, those the trace lacks as 0, so that a
 * consumer can read `len` of them.  NULL when the buffer cannot grow.
 */
static const void *get_seq(struct sink_state *s, unsigned int slot,
			   const bt_field *payload, int idx, int type,
			   size_t esize, uint32_t min_len, uint32_t *n_out)
{
	struct seq_buf *sb = &s->seq[slot];
	const bt_field *m = NULL;
	uint64_t n = 0, i, v, want;
	int et;

	if (type == FT_ARR_UINT || type == FT_ARR_SINT) {
		m = bt_field_structure_borrow_member_field_by_index_const(
			payload, (uint64_t)idx);
		n = bt_field_array_get_length(m);
	}
	if (n > UINT32_MAX)
		n = UINT32_MAX;
	*n_out = (uint32_t)n;
	want = n > min_len ? n : min_len;
	if (!want)
		return no_elements;
	if (want * esize > sb->cap) {
		size_t cap = sb->cap ? sb->cap : 256;
		void *q;

		while (cap < want * esize)
			cap *= 2;
		q = realloc(sb->p, cap);
		if (!q) {
			s->seq_failed = 1;
			return NULL;
		}
		sb->p = q;
		sb->cap = cap;
	}
	if (want > n)
		memset((char *)sb->p + n * esize, 0, (want - n) * esize);
	et = type == FT_ARR_UINT ? FT_UINT : FT_SINT;
	for (i = 0; i < n; i++) {
		v = int_value(bt_field_array_borrow_element_field_by_index_const(m, i), et);
		switch (esize) {
		case 1: ((uint8_t *)sb->p)[i] = (uint8_t)v; break;
		case 2: ((uint16_t *)sb->p)[i] = (uint16_t)v; break;
		case 4: ((uint32_t *)sb->p)[i] = (uint32_t)v; break;
		default: ((uint64_t *)sb->p)[i] = v; break;
		}
	}
	return sb->p;
}

static void seq_bufs_free(struct sink_state *s)
{
	unsigned int i;

	for (i = 0; i < QP_EV_MAX_FIELDS; i++)
		free(s->seq[i].p);
}

/* Common member h of the class's events. */
#define HDR(p, c, h)	get_u(p, (c)->hidx[h], (c)->htype[h])

/* ---- per-class cache ------------------------------------------------- */

/* Index of member name in structure class fc (-1: none), its enum ftype. */
static int struct_member_index(const bt_field_class *fc, const char *name,
			       uint8_t *type)
{
	uint64_t i, n;

	*type = FT_NONE;
	if (!fc || bt_field_class_get_type(fc) != BT_FIELD_CLASS_TYPE_STRUCTURE)
		return -1;
	n = bt_field_class_structure_get_member_count(fc);
	if (n > INT8_MAX)
		n = INT8_MAX;	/* idx[] is int8_t: qprof events have < 20 */
	for (i = 0; i < n; i++) {
		const bt_field_class_structure_member *mb =
			bt_field_class_structure_borrow_member_by_index_const(fc, i);

		if (!strcmp(bt_field_class_structure_member_get_name(mb), name)) {
			*type = (uint8_t)field_class_ftype(
				bt_field_class_structure_member_borrow_field_class_const(mb));
			return (int)i;
		}
	}
	return -1;
}

/* Index of host name h in m->hosts, appended when new. */
static int host_index(struct qp_model *m, const char *h, uint32_t *out)
{
	size_t i;
	char **v, *s;

	for (i = 0; i < m->nhosts; i++) {
		if (!strcmp(m->hosts[i], h)) {
			*out = (uint32_t)i;
			return 0;
		}
	}
	v = realloc(m->hosts, (m->nhosts + 1) * sizeof(*v));
	if (!v)
		return -1;
	m->hosts = v;
	s = strdup(h);
	if (!s)
		return -1;
	m->hosts[m->nhosts] = s;
	*out = (uint32_t)m->nhosts++;
	return 0;
}

static int trace_env_int(const bt_trace *t, const char *name, int64_t *out)
{
	const bt_value *v = bt_trace_borrow_environment_entry_value_by_name_const(t, name);

	if (!v || bt_value_get_type(v) != BT_VALUE_TYPE_SIGNED_INTEGER)
		return -1;
	*out = bt_value_integer_signed_get(v);
	return 0;
}

static const char *trace_env_str(const bt_trace *t, const char *name)
{
	const bt_value *v = bt_trace_borrow_environment_entry_value_by_name_const(t, name);

	if (!v || bt_value_get_type(v) != BT_VALUE_TYPE_STRING)
		return NULL;
	return bt_value_string_get(v);
}

static int local_host(struct sink_state *s, const char *h, uint64_t key,
		      uint32_t *host);
static int stream_tag(struct sink_state *s, const bt_stream *stream);

/*
 * Host index and vpid of the trace a stream belongs to.  key: the time
 * of the message being decoded (two-graph mode: orders the host's record
 * among the events, so that hosts are numbered as by one graph).
 */
static int trace_identity(struct sink_state *s, const bt_stream *stream,
			  uint32_t *host, int32_t *vpid, uint64_t key)
{
	const bt_trace *t = bt_stream_borrow_trace_const(stream);
	const char *h = trace_env_str(t, "hostname");
	int64_t pid;

	*vpid = trace_env_int(t, "vpid", &pid) ? -1 : (int32_t)pid;
	if (s->grp)
		return local_host(s, h ? h : "", key, host);
	return host_index(s->m, h ? h : "", host);
}

static uint64_t to_ns(uint64_t cycles, uint64_t freq)
{
	if (freq == 1000000000 || !freq)
		return cycles;
	return (uint64_t)((unsigned __int128)cycles * 1000000000u / freq);
}

static int classify(const char *name)
{
	enum qp_ev_kind k;

	if (!strncmp(name, "qprof:", 6)) {
		k = qp_ev_kind_from_name(name);
		return k == QP_EV__COUNT ? KIND_OTHER : (int)k;
	}
	if (!strcmp(name, "lttng_ust_statedump:bin_info") ||
	    !strcmp(name, "lttng_ust_dl:dlopen"))
		return KIND_MODULE;
	return KIND_OTHER;
}

/* The payload members a class's events are decoded from, by name. */
static void resolve_members(struct cls *c, const bt_field_class *pfc)
{
	const struct qp_ev_schema *sc = NULL;
	const char *const *names = module_fields;
	unsigned int i, n = MOD__COUNT;
	int h;

	memset(c->idx, -1, sizeof(c->idx));
	memset(c->hidx, -1, sizeof(c->hidx));
	if (c->kind == KIND_OTHER)
		return;
	if (c->kind != KIND_MODULE) {
		sc = qp_ev_schema((enum qp_ev_kind)c->kind);
		names = sc->fields;
		n = sc->nfields;
		for (h = 0; h < H__COUNT; h++)
			c->hidx[h] = (int8_t)struct_member_index(pfc, hdr_names[h],
								 &c->htype[h]);
	}
	for (i = 0; i < n; i++)
		c->idx[i] = (int8_t)struct_member_index(pfc, names[i], &c->type[i]);
}

static struct cls *cls_resolve(struct sink_state *s, const bt_event *ev,
			       const bt_message *msg)
{
	const bt_event_class *ec = bt_event_borrow_class_const(ev);
	const bt_stream *stream = bt_event_borrow_stream_const(ev);
	const bt_stream_class *sc = bt_event_class_borrow_stream_class_const(ec);
	const bt_field_class *pfc = bt_event_class_borrow_payload_field_class_const(ec);
	const bt_field_class *cfc =
		bt_stream_class_borrow_event_common_context_field_class_const(sc);
	const bt_clock_snapshot *cs;
	struct cls *c;
	uint64_t key = 0;

	if (qp_vec_grow(&s->cls, s->ncls, &s->capcls, sizeof(*c)) ||
	    qp_hmap_put(&s->clsmap, (uintptr_t)ec, 0, (uint32_t)s->ncls))
		return NULL;
	c = &s->cls[s->ncls++];
	memset(c, 0, sizeof(*c));
	c->key = ec;
	c->kind = classify(bt_event_class_get_name(ec));
	resolve_members(c, pfc);
	c->ctx_ip = struct_member_index(cfc, "ip", &c->ctx_ip_type);
	c->ctx_vpid = struct_member_index(cfc, "vpid", &c->ctx_vpid_type);
	if (c->ctx_ip_type != FT_UINT && c->ctx_ip_type != FT_SINT)
		c->ctx_ip = -1;
	if (c->ctx_vpid_type != FT_UINT && c->ctx_vpid_type != FT_SINT)
		c->ctx_vpid = -1;
	c->freq = 1000000000;
	if (bt_stream_class_borrow_default_clock_class_const(sc)) {
		cs = bt_message_event_borrow_default_clock_snapshot_const(msg);
		c->freq = bt_clock_class_get_frequency(
			bt_clock_snapshot_borrow_clock_class_const(cs));
		key = to_ns(bt_clock_snapshot_get_value(cs), c->freq);
	}
	if (trace_identity(s, stream, &c->host, &c->env_vpid, key))
		return NULL;
	return c;
}

static inline struct cls *cls_find(struct sink_state *s, const bt_event_class *ec)
{
	uint32_t i = qp_hmap_get(&s->clsmap, (uintptr_t)ec, 0);

	return i == QP_HMAP_NIL ? NULL : &s->cls[i];
}


/* ---- decoding --------------------------------------------------------- */

/*
 * One decoder per event (class) of the schema: the payload fields in trace
 * order, field i from the class's member idx[i].
 */
#define DEC_COMMON(what)
#define DEC_INT(ctype, name, base)					\
	u->name = (QP_EV_TYPE(ctype))get_u(p, c->idx[fi], c->type[fi]);	\
	fi++;
#define DEC_STR(name)							\
	u->name = get_s(p, c->idx[fi], c->type[fi]);			\
	fi++;
#define DEC_SEQ(ctype, name, len, base)					\
	u->name = get_seq(s, fi, p, c->idx[fi], c->type[fi],		\
			  sizeof(u->name[0]), 0, &u->len);		\
	fi++;
#define DEC_SEQ_SAME_LEN(ctype, name, len, base)				\
	{								\
		uint32_t n_;						\
									\
		u->name = get_seq(s, fi, p, c->idx[fi], c->type[fi],	\
				  sizeof(u->name[0]), u->len, &n_);	\
	}								\
	fi++;
#define DECODER(list, member)						\
	static void decode_##list(struct sink_state *s,		\
				  struct qp_event *e, const bt_field *p, \
				  const struct cls *c)			\
	{								\
		struct qp_ev_##member *u = &e->u.member;		\
		unsigned int fi = 0;					\
									\
		(void)s;						\
		QP_FIELDS_##list(DEC)					\
	}
#define QP_EVENT(group, kind, name, member)	DECODER(name, member)
#define QP_EVENT_CLASS(group, cls, member)	DECODER(cls, member)
#define QP_EVENT_INSTANCE(group, cls, member, kind, name)
#include "../tracepoints/qprof-events.def"

static void decode_payload(struct sink_state *s, struct qp_event *e,
			   const bt_field *p, const struct cls *c)
{
	switch (e->kind) {
#define QP_EVENT(group, kind, name, member)				\
	case QP_EV_##kind: decode_##name(s, e, p, c); break;
#define QP_EVENT_CLASS(group, cls, member)
#define QP_EVENT_INSTANCE(group, cls, member, kind, name)		\
	case QP_EV_##kind: decode_##cls(s, e, p, c); break;
#include "../tracepoints/qprof-events.def"
	default:
		break;
	}
}

static int add_module(struct sink_state *s, const struct cls *c,
		      const bt_event *ev, const bt_field *p, const bt_message *msg)
{
	struct qp_read_stats *st = s->st;
	struct qp_module *v, *mod;
	int32_t pid = c->env_vpid;

	if (c->ctx_vpid >= 0) {
		const bt_field *cc = bt_event_borrow_common_context_field_const(ev);

		pid = (int32_t)int_value(
			bt_field_structure_borrow_member_field_by_index_const(
				cc, (uint64_t)c->ctx_vpid), c->ctx_vpid_type);
	}
	if (s->grp) {
		/* the merging thread records it, in time order */
		struct qp_event e;

		memset(&e, 0, sizeof(e));
		e.kind = QP_PL_MODULE;
		e.host = c->host;
		e.pid = pid;
		if (bt_stream_class_borrow_default_clock_class_const(
				bt_event_class_borrow_stream_class_const(
					bt_event_borrow_class_const(ev))))
			e.ts = e.begin_ts = to_ns(bt_clock_snapshot_get_value(
				bt_message_event_borrow_default_clock_snapshot_const(msg)),
				c->freq);
		e.u.qpc_open.qpc = get_u(p, c->idx[MOD_BADDR], c->type[MOD_BADDR]);
		e.u.qpc_open.size = get_u(p, c->idx[MOD_MEMSZ], c->type[MOD_MEMSZ]);
		e.u.qpc_open.path = get_s(p, c->idx[MOD_PATH], c->type[MOD_PATH]);
		s->sink_ret = s->sink(&e, s->data);
		return s->sink_ret ? -1 : 0;
	}
	v = realloc(st->modules, (st->nmodules + 1) * sizeof(*v));
	if (!v)
		return -1;
	st->modules = v;
	mod = &v[st->nmodules];
	mod->host = c->host;
	mod->pid = pid;
	mod->base = get_u(p, c->idx[MOD_BADDR], c->type[MOD_BADDR]);
	mod->size = get_u(p, c->idx[MOD_MEMSZ], c->type[MOD_MEMSZ]);
	mod->path = strdup(get_s(p, c->idx[MOD_PATH], c->type[MOD_PATH]));
	if (!mod->path)
		return -1;
	st->nmodules++;
	return 0;
}

static void stream_names(struct sink_state *s, const bt_stream *stream,
			 char *tn, char *sn, size_t len);

/*
 * What can be checked of a decoded event (tracecheck.h); a corrupt one
 * stops the reading with a message naming its stream file.
 */
static int check_event(struct sink_state *s, const struct cls *c,
		       const bt_event *ev, const struct qp_event *e)
{
	int64_t vpid = c->env_vpid > 0 ? c->env_vpid : -1;
	char why[256], tn[PATH_MAX], sn[PATH_MAX];

	if (c->ctx_vpid >= 0)
		vpid = (int64_t)int_value(
			bt_field_structure_borrow_member_field_by_index_const(
				bt_event_borrow_common_context_field_const(ev),
				(uint64_t)c->ctx_vpid), c->ctx_vpid_type);
	if (!qp_event_check(&s->chk, c->host, e->pid, e->tid, e->begin_ts,
			    e->ts, vpid, why, sizeof(why)))
		return 0;
	stream_names(s, bt_event_borrow_stream_const(ev), tn, sn, sizeof(tn));
	if (asprintf(&s->corrupt, "stream file %s: %s (event %s at %" PRIu64 " ns)",
		     sn, why, bt_event_class_get_name(c->key), e->ts) < 0)
		s->corrupt = NULL;
	return -1;
}

static int on_event(struct sink_state *s, const bt_message *msg)
{
	const bt_event *ev = bt_message_event_borrow_event_const(msg);
	const bt_event_class *ec = bt_event_borrow_class_const(ev);
	struct cls *c = cls_find(s, ec);
	const bt_field *p;
	struct qp_event e;

	if (s->grp && stream_tag(s, bt_event_borrow_stream_const(ev)))
		return -1;
	if (!c) {
		c = cls_resolve(s, ev, msg);
		if (!c)
			return -1;
	}
	if (c->kind == KIND_OTHER) {
		s->st->other_events++;
		return 0;
	}
	p = bt_event_borrow_payload_field_const(ev);
	if (c->kind == KIND_MODULE) {
		s->st->other_events++;
		return add_module(s, c, ev, p, msg);
	}
	if (c->hidx[H_PID] < 0 || c->hidx[H_TID] < 0) {
		s->bad_event = bt_event_class_get_name(ec);
		return -1;
	}
	e.kind = (enum qp_ev_kind)c->kind;
	e.host = c->host;
	e.ts = to_ns(bt_clock_snapshot_get_value(
		bt_message_event_borrow_default_clock_snapshot_const(msg)), c->freq);
	e.pid = (int32_t)HDR(p, c, H_PID);
	e.tid = (int32_t)HDR(p, c, H_TID);
	e.begin_ts = c->hidx[H_BEGIN_TS] >= 0 ? HDR(p, c, H_BEGIN_TS) : e.ts;
	e.status = (int32_t)HDR(p, c, c->hidx[H_STATUS] >= 0 ? H_STATUS : H_RET);
	e.err = (int32_t)HDR(p, c, H_ERR);
	if (check_event(s, c, ev, &e))
		return -1;
	e.ip = 0;
	if (c->ctx_ip >= 0)
		e.ip = int_value(bt_field_structure_borrow_member_field_by_index_const(
			bt_event_borrow_common_context_field_const(ev),
			(uint64_t)c->ctx_ip), c->ctx_ip_type);
	decode_payload(s, &e, p, c);
	if (s->seq_failed)
		return -1;
	s->st->qprof_events++;
	if (!s->st->first_ts || e.ts < s->st->first_ts)
		s->st->first_ts = e.ts;
	if (e.ts > s->st->last_ts)
		s->st->last_ts = e.ts;
	s->sink_ret = s->sink(&e, s->data);
	return s->sink_ret ? -1 : 0;
}

/* ---- discarded events / packets -------------------------------------- */

/* The entry of trace tn, stream sn in st->losses, added when new. */
static struct qp_stream_loss *loss_find(struct qp_read_stats *st,
					const char *tn, const char *sn,
					int32_t pid)
{
	struct qp_stream_loss *v, *l;
	size_t i;

	for (i = 0; i < st->nlosses; i++)
		if (!strcmp(st->losses[i].stream, sn) &&
		    !strcmp(st->losses[i].trace, tn))
			return &st->losses[i];
	v = realloc(st->losses, (st->nlosses + 1) * sizeof(*v));
	if (!v)
		return NULL;
	st->losses = v;
	l = &v[st->nlosses];
	memset(l, 0, sizeof(*l));
	l->trace = strdup(tn);
	l->stream = strdup(sn);
	l->pid = pid;
	if (!l->trace || !l->stream) {
		free(l->trace);
		free(l->stream);
		return NULL;
	}
	st->nlosses++;
	return l;
}

static void unmap_paths(const struct split *sp, char *buf, size_t len);

/* The trace and stream names of a stream (real paths in two-graph mode). */
static void stream_names(struct sink_state *s, const bt_stream *stream,
			 char *tn, char *sn, size_t len)
{
	const char *t = bt_trace_get_name(bt_stream_borrow_trace_const(stream));
	const char *n = bt_stream_get_name(stream);

	snprintf(tn, len, "%s", t ? t : "");
	if (n)
		snprintf(sn, len, "%s", n);
	else
		snprintf(sn, len, "stream %" PRIu64, bt_stream_get_id(stream));
	if (s->grp) {
		unmap_paths(split_of(s->grp), tn, len);
		unmap_paths(split_of(s->grp), sn, len);
	}
}

static int on_discarded(struct sink_state *s, const bt_message *msg,
			bool packets)
{
	const bt_stream *stream = packets ?
		bt_message_discarded_packets_borrow_stream_const(msg) :
		bt_message_discarded_events_borrow_stream_const(msg);
	const bt_stream_class *sc = bt_stream_borrow_class_const(stream);
	const bt_clock_snapshot *b = NULL, *en = NULL;
	struct qp_stream_loss *l;
	struct qp_event e;
	uint64_t count = 1, freq = 1000000000;
	bt_property_availability av;
	char tn[2 * PATH_MAX], sn[2 * PATH_MAX];

	memset(&e, 0, sizeof(e));
	if (s->grp && stream_tag(s, stream))
		return -1;
	if (packets) {
		av = bt_message_discarded_packets_get_count(msg, &count);
		if (bt_stream_class_discarded_packets_have_default_clock_snapshots(sc)) {
			b = bt_message_discarded_packets_borrow_beginning_default_clock_snapshot_const(msg);
			en = bt_message_discarded_packets_borrow_end_default_clock_snapshot_const(msg);
		}
	} else {
		av = bt_message_discarded_events_get_count(msg, &count);
		if (bt_stream_class_discarded_events_have_default_clock_snapshots(sc)) {
			b = bt_message_discarded_events_borrow_beginning_default_clock_snapshot_const(msg);
			en = bt_message_discarded_events_borrow_end_default_clock_snapshot_const(msg);
		}
	}
	if (av != BT_PROPERTY_AVAILABILITY_AVAILABLE)
		count = 1;	/* "some" were lost: count at least one */
	if (b)
		freq = bt_clock_class_get_frequency(
			bt_clock_snapshot_borrow_clock_class_const(b));
	e.kind = QP_EV_DISCARDED;
	e.tid = -1;
	e.begin_ts = b ? to_ns(bt_clock_snapshot_get_value(b), freq) : 0;
	e.ts = en ? to_ns(bt_clock_snapshot_get_value(en), freq) : e.begin_ts;
	e.u.discarded.count = count;
	e.u.discarded.packets = packets;
	if (trace_identity(s, stream, &e.host, &e.pid, e.begin_ts))
		return -1;
	stream_names(s, stream, tn, sn, sizeof(tn));
	if (s->grp) {
		/* the merging thread counts it, in time order */
		struct qp_event le;

		memset(&le, 0, sizeof(le));
		le.kind = QP_PL_LOSS;
		le.pid = e.pid;
		le.ts = le.begin_ts = e.begin_ts;
		le.u.process.runtime_path = tn;
		le.u.process.rt_patch = sn;
		s->sink_ret = s->sink(&le, s->data);
		if (!s->sink_ret)
			s->sink_ret = s->sink(&e, s->data);
		return s->sink_ret ? -1 : 0;
	}
	l = loss_find(s->st, tn, sn, e.pid);
	if (!l)
		return -1;
	if (packets) {
		l->packets += count;
		s->st->discarded_packets += count;
	} else {
		l->events += count;
		s->st->discarded_events += count;
	}
	s->sink_ret = s->sink(&e, s->data);
	return s->sink_ret ? -1 : 0;
}

/* ---- the sink --------------------------------------------------------- */

static int on_message(struct sink_state *s, const bt_message *msg)
{
	switch (bt_message_get_type(msg)) {
	case BT_MESSAGE_TYPE_EVENT:
		if ((++s->st->messages & 0xfffff) == 0 && s->st->progress)
			s->st->progress(s->st, s->st->progress_data);
		return on_event(s, msg);
	case BT_MESSAGE_TYPE_DISCARDED_EVENTS:
		return on_discarded(s, msg, false);
	case BT_MESSAGE_TYPE_DISCARDED_PACKETS:
		return on_discarded(s, msg, true);
	default:
		return 0;
	}
}

static bt_graph_simple_sink_component_consume_func_status
consume(bt_message_iterator *it, void *data)
{
	struct sink_state *s = data;
	bt_message_array_const msgs;
	uint64_t count, i;
	int rc = 0;

	qp_guard_tick();
	if (s->grp && atomic_load_explicit(&s->grp->sp->abort,
					   memory_order_relaxed)) {
		s->aborted = 1;
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_ERROR;
	}
	switch (bt_message_iterator_next(it, &msgs, &count)) {
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK:
		break;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_END:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_END;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_AGAIN;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_MEMORY_ERROR:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_MEMORY_ERROR;
	default:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_ERROR;
	}
	for (i = 0; i < count; i++) {
		if (!rc && on_message(s, msgs[i])) {
			rc = -1;
			if (!s->sink_ret && !s->bad_event && !s->corrupt)
				s->failed = 1;
		}
		bt_message_put_ref(msgs[i]);
	}
	return rc ? BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_ERROR :
		    BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_OK;
}

/* ---- graph ------------------------------------------------------------ */

/*
 * "what: reason", the reason being babeltrace2's innermost error cause
 * (cause 0: where the error started, e.g. "Failed to index CTF stream
 * file ..."), skipping the library's own generic causes when a component
 * said more.
 */
static void take_bt_error(char *err, size_t errlen, const char *what)
{
	const bt_error *e = bt_current_thread_take_error();
	const char *reason = NULL;
	uint64_t i, n;

	if (e) {
		n = bt_error_get_cause_count(e);
		for (i = 0; i < n && !reason; i++) {
			const bt_error_cause *c = bt_error_borrow_cause_by_index(e, i);

			if (bt_error_cause_get_actor_type(c) != BT_ERROR_CAUSE_ACTOR_TYPE_UNKNOWN)
				reason = bt_error_cause_get_message(c);
		}
		if (!reason && n)
			reason = bt_error_cause_get_message(
				bt_error_borrow_cause_by_index(e, 0));
	}
	if (reason && *reason)
		set_err(err, errlen, "%s: %s", what, reason);
	else
		set_err(err, errlen, "%s", what);
	if (e)
		bt_error_release(e);
}

static int add_source(struct graph *gr, const char *dir, size_t idx,
		      char *err, size_t errlen)
{
	const bt_component_class_source *fs =
		bt_plugin_borrow_source_component_class_by_name_const(gr->ctf, "fs");
	const bt_component_source *src;
	bt_value *params = bt_value_map_create(), *inputs = NULL;
	char name[32];
	uint64_t i, n;
	int rc = -1;

	if (!params ||
	    bt_value_map_insert_empty_array_entry(params, "inputs", &inputs) ||
	    bt_value_array_append_string_element(inputs, dir)) {
		set_err(err, errlen, "out of memory");
		goto out;
	}
	snprintf(name, sizeof(name), "src%zu", idx);
	qp_guard_phase("reading the metadata and stream indexes of %s", dir);
	if (bt_graph_add_source_component(gr->g, fs, name, params,
					  BT_LOGGING_LEVEL_NONE, &src)) {
		char what[PATH_MAX + 64];

		snprintf(what, sizeof(what),
			 "cannot read trace %s (truncated or corrupt stream file?)", dir);
		take_bt_error(err, errlen, what);
		goto out;
	}
	n = bt_component_source_get_output_port_count(src);
	for (i = 0; i < n; i++) {
		const bt_port_output *op =
			bt_component_source_borrow_output_port_by_index_const(src, i);
		const bt_port_input *ip =
			bt_component_filter_borrow_input_port_by_index_const(
				gr->muxer, gr->next_mux_port++);

		if (!ip || bt_graph_connect_ports(gr->g, op, ip, NULL)) {
			take_bt_error(err, errlen, "cannot connect trace streams");
			goto out;
		}
	}
	rc = 0;
out:
	bt_value_put_ref(params);
	return rc;
}

/*
 * The plugins, loaded once per process (loading scans the plugin
 * directories and opens shared objects: milliseconds, per graph before);
 * gr gets its own references.
 */
static int find_plugins(struct graph *gr)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static const bt_plugin *ctf, *utils;
	int rc = 0;

	pthread_mutex_lock(&lock);
	if (!ctf && bt_plugin_find("ctf", BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE,
				   BT_TRUE, &ctf) != BT_PLUGIN_FIND_STATUS_OK)
		ctf = NULL;
	if (!utils && bt_plugin_find("utils", BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE,
				     BT_TRUE, &utils) != BT_PLUGIN_FIND_STATUS_OK)
		utils = NULL;
	if (ctf && utils) {
		bt_plugin_get_ref(ctf);
		bt_plugin_get_ref(utils);
		gr->ctf = ctf;
		gr->utils = utils;
	} else {
		rc = -1;
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

static int build_graph(struct graph *gr, char **dirs, size_t ndirs,
		       struct sink_state *s, char *err, size_t errlen)
{
	const bt_component_class_filter *mux_cls;
	const bt_component_sink *sink;
	size_t i;

	if (find_plugins(gr)) {
		take_bt_error(err, errlen,
			      "babeltrace2 plugins 'ctf' and 'utils' not found");
		return -1;
	}
	mux_cls = bt_plugin_borrow_filter_component_class_by_name_const(
		gr->utils, "muxer");
	gr->g = bt_graph_create(0);
	if (!gr->g || !mux_cls ||
	    bt_graph_add_filter_component(gr->g, mux_cls, "muxer", NULL,
					  BT_LOGGING_LEVEL_NONE, &gr->muxer)) {
		take_bt_error(err, errlen, "cannot create the babeltrace2 graph");
		return -1;
	}
	for (i = 0; i < ndirs; i++)
		if (add_source(gr, dirs[i], i, err, errlen))
			return -1;
	if (bt_graph_add_simple_sink_component(gr->g, "qprof", NULL, consume,
					       NULL, s, &sink) ||
	    bt_graph_connect_ports(gr->g,
		bt_component_filter_borrow_output_port_by_name_const(gr->muxer, "out"),
		bt_component_sink_borrow_input_port_by_name_const(sink, "in"),
		NULL)) {
		take_bt_error(err, errlen, "cannot connect the qprof sink");
		return -1;
	}
	return 0;
}

static int run_graph(struct graph *gr, struct sink_state *s, char *err,
		     size_t errlen)
{
	bt_graph_run_status rs;

	qp_guard_phase("decoding the stream files");
	do
		rs = bt_graph_run(gr->g);
	while (rs == BT_GRAPH_RUN_STATUS_AGAIN);
	if (rs == BT_GRAPH_RUN_STATUS_OK)
		return 0;
	if (s->aborted) {
		bt_current_thread_clear_error();
		return -1;
	}
	if (s->sink_ret) {
		bt_current_thread_clear_error();
		return s->sink_ret;
	}
	if (s->corrupt) {
		bt_current_thread_clear_error();
		set_err(err, errlen, "%s", s->corrupt);
		return -1;
	}
	if (s->bad_event) {
		bt_current_thread_clear_error();
		set_err(err, errlen,
			"event %s has no pid/tid payload fields: not a qprof trace of this version",
			s->bad_event);
		return -1;
	}
	if (s->failed) {
		bt_current_thread_clear_error();
		set_err(err, errlen, "out of memory while reading the trace");
		return -1;
	}
	take_bt_error(err, errlen,
		      "error while reading the trace (corrupt or truncated stream file?)");
	return -1;
}

int qp_read_traces(const char *const *paths, size_t n, struct qp_model *m,
		   qp_event_sink_fn sink, void *data, struct qp_read_stats *st,
		   char *err, size_t errlen)
{
	struct sink_state s = {
		.sink = sink, .data = data, .m = m, .st = st,
	};
	struct graph gr = { 0 };
	char **dirs = NULL;
	int ndirs, rc = -1, i;

	ndirs = qp_find_traces(paths, n, &dirs, err, errlen);
	if (ndirs <= 0)
		return -1;
	st->ntraces = (size_t)ndirs;
	if (!build_graph(&gr, dirs, (size_t)ndirs, &s, err, errlen))
		rc = run_graph(&gr, &s, err, errlen);
	bt_graph_put_ref(gr.g);
	bt_plugin_put_ref(gr.ctf);
	bt_plugin_put_ref(gr.utils);
	for (i = 0; i < ndirs; i++)
		free(dirs[i]);
	free(dirs);
	free(s.cls);
	seq_bufs_free(&s);
	qp_hmap_free(&s.clsmap);
	free(s.corrupt);
	qp_event_checker_free(&s.chk);
	return rc;
}

/* ---- two graphs on two threads ---------------------------------------- */

/* Decoding thread: tag the records that follow with stream's key index. */
static int stream_tag(struct sink_state *s, const bt_stream *stream)
{
	struct split_group *grp = s->grp;
	const bt_stream_class *sc;
	const bt_clock_class *cc;
	struct stream_key *k;
	bt_uuid uuid;
	int64_t sec;
	uint64_t cyc;
	size_t i;

	if (stream == grp->last_stream)
		return 0;
	for (i = 0; i < grp->nkeys; i++)
		if (grp->keys[i].stream == stream)
			goto found;
	if (grp->nkeys == grp->capkeys)
		return -1;	/* more streams than files: cannot happen */
	k = &grp->keys[grp->nkeys];
	memset(k, 0, sizeof(*k));
	k->stream = stream;
	uuid = bt_trace_get_uuid(bt_stream_borrow_trace_const(stream));
	if (uuid) {
		k->has_uuid = true;
		memcpy(k->uuid, uuid, sizeof(k->uuid));
	}
	sc = bt_stream_borrow_class_const(stream);
	k->sc_id = bt_stream_class_get_id(sc);
	k->id = bt_stream_get_id(stream);
	cc = bt_stream_class_borrow_default_clock_class_const(sc);
	if (cc) {
		bt_clock_class_get_offset(cc, &sec, &cyc);
		k->off_ns = sec * 1000000000 +
			    (int64_t)to_ns(cyc, bt_clock_class_get_frequency(cc));
	}
	i = grp->nkeys++;
found:
	grp->last_stream = stream;
	qp_pipeline_set_tag(grp->pl, (uint32_t)i);
	return 0;
}

/* The muxer's order of two streams' messages at the same time. */
static int stream_key_cmp(const struct stream_key *a, const struct stream_key *b)
{
	int r;

	if (a->has_uuid != b->has_uuid)
		return a->has_uuid ? -1 : 1;
	if (a->has_uuid) {
		r = memcmp(a->uuid, b->uuid, sizeof(a->uuid));
		if (r)
			return r;
	}
	if (a->sc_id != b->sc_id)
		return a->sc_id < b->sc_id ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return 0;
}

/*
 * Decoding thread: the local number of host name h, new ones announced
 * to the merging thread by a QP_PL_HOST record at time key.
 */
static int local_host(struct sink_state *s, const char *h, uint64_t key,
		      uint32_t *host)
{
	struct split_group *grp = s->grp;
	struct qp_event e;
	char **v;
	size_t i;

	for (i = 0; i < grp->nhosts; i++) {
		if (!strcmp(grp->hosts[i], h)) {
			*host = (uint32_t)i;
			return 0;
		}
	}
	v = realloc(grp->hosts, (grp->nhosts + 1) * sizeof(*v));
	if (!v)
		return -1;
	grp->hosts = v;
	v[grp->nhosts] = strdup(h);
	if (!v[grp->nhosts])
		return -1;
	*host = (uint32_t)grp->nhosts++;
	memset(&e, 0, sizeof(e));
	e.kind = QP_PL_HOST;
	e.ts = e.begin_ts = key;
	e.u.qpc_open.path = h;
	s->sink_ret = s->sink(&e, s->data);
	return s->sink_ret ? -1 : 0;
}

/* Replace every ROOT/g<n>/t<i> in buf by the real trace directory i. */
static void unmap_paths(const struct split *sp, char *buf, size_t len)
{
	size_t rl = strlen(sp->root), n = 0;
	const char *p = buf, *hit;
	char *out = malloc(len);
	unsigned int g;
	size_t t;
	int used;

	if (!out)
		return;
	while ((hit = strstr(p, sp->root)) &&
	       sscanf(hit + rl, "/g%u/t%zu%n", &g, &t, &used) == 2 &&
	       t < sp->nreal) {
		n += (size_t)snprintf(out + n, n < len ? len - n : 0, "%.*s%s",
				      (int)(hit - p), p, sp->real[t]);
		p = hit + rl + used;
		if (n >= len)
			break;
	}
	if (n < len)
		snprintf(out + n, len - n, "%s", p);
	snprintf(buf, len, "%s", out);
	free(out);
}

/*
 * The smaller group must hold at least 1/SPLIT_MIN_SHARE of the bytes: the
 * graph of the larger one is the critical path, and a second graph, the
 * merge and a third busy thread on two CPUs cost ~5 % (measured: 89 / 11 %
 * is 6 % slower than one graph, 50 / 50 % 16 % faster; docs/PERFORMANCE.md).
 */
#define SPLIT_MIN_SHARE	5

struct stream_file {
	size_t trace;
	char *name;
	off_t size;		/* a lead's: of all the files it stands for */
	int group;
	bool lead;		/* partitioned; else follows its trace's lead */
};

/*
 * LTTng's trace file rotation (--tracefile-size) writes one stream as
 * CHANNEL_CPU_0, CHANNEL_CPU_1, ...: files of one stream must stay in one
 * group (src.ctf.fs joins them; apart, the later ones would start with
 * packet counters that look like losses).  Such a trace is kept whole.
 */
static bool rotated_name(const char *name)
{
	size_t i = strlen(name);
	int part;

	for (part = 0; part < 2; part++) {
		size_t end = i;

		while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9')
			i--;
		if (i == end || i == 0 || name[i - 1] != '_')
			return false;
		i--;
	}
	return i > 0;
}

/* Leads first, by size (largest first), then by trace and name. */
static int cmp_stream_file(const void *a, const void *b)
{
	const struct stream_file *x = a, *y = b;

	if (x->lead != y->lead)
		return x->lead ? -1 : 1;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	if (x->trace != y->trace)
		return x->trace < y->trace ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * A trace with rotated files: its first file leads, with the trace's
 * size, the others follow (list_streams lists a trace's files together).
 */
static void keep_rotated_traces_whole(struct stream_file *f, size_t n)
{
	size_t i, k, j;
	bool rot;

	for (i = 0; i < n; i++)
		f[i].lead = true;
	for (i = 0; i < n; i = k) {
		rot = false;
		for (k = i; k < n && f[k].trace == f[i].trace; k++)
			rot = rot || rotated_name(f[k].name);
		if (!rot)
			continue;
		for (j = i + 1; j < k; j++) {
			f[i].size += f[j].size;
			f[j].lead = false;
		}
	}
}

/* The data stream files of trace dir (every regular file but metadata). */
static int list_streams(const char *dir, size_t trace,
			struct stream_file **v, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX];
	struct stat sb;
	int rc = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		struct stream_file *nv;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "metadata"))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path) || stat(path, &sb)) {
			rc = -1;
			break;
		}
		if (!S_ISREG(sb.st_mode))
			continue;
		nv = realloc(*v, (*n + 1) * sizeof(*nv));
		if (!nv) {
			rc = -1;
			break;
		}
		*v = nv;
		nv[*n].trace = trace;
		nv[*n].size = sb.st_size;
		nv[*n].group = 0;
		nv[*n].name = strdup(de->d_name);
		if (!nv[*n].name) {
			rc = -1;
			break;
		}
		(*n)++;
	}
	closedir(d);
	return rc;
}

/*
 * Symlink to_dir/name -> from_dir/name.  The target is made absolute: a
 * relative one would be resolved against the temporary tree, not against
 * the working directory the user named the trace from.
 */
static int link_into(const char *from_dir, const char *name,
		     const char *to_dir)
{
	char a[PATH_MAX], b[PATH_MAX], abs_dir[PATH_MAX];

	if (!realpath(from_dir, abs_dir))
		return -1;
	if (snprintf(a, sizeof(a), "%s/%s", abs_dir, name) >= (int)sizeof(a) ||
	    snprintf(b, sizeof(b), "%s/%s", to_dir, name) >= (int)sizeof(b))
		return -1;
	return symlink(a, b);
}

/* Link stream file name (and its index, if any) into group dir gd. */
static int link_stream(const char *real, const char *gd, const char *name)
{
	char ri[PATH_MAX], gi[PATH_MAX], idx[NAME_MAX + 8];

	if (link_into(real, name, gd))
		return -1;
	snprintf(idx, sizeof(idx), "%s.idx", name);
	if (snprintf(ri, sizeof(ri), "%s/index/%s", real, idx) >= (int)sizeof(ri))
		return -1;
	if (access(ri, F_OK))
		return 0;		/* no index: babeltrace2 builds one */
	if (snprintf(gi, sizeof(gi), "%s/index", gd) >= (int)sizeof(gi) ||
	    (mkdir(gi, 0700) && errno != EEXIST))
		return -1;
	snprintf(ri, sizeof(ri), "%s/index", real);
	return link_into(ri, idx, gi);
}

static int rm_entry(const char *path, const struct stat *sb, int type,
		    struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

static void split_free_tree(struct split *sp)
{
	int g;
	size_t i;

	if (sp->root[0])
		nftw(sp->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (g = 0; g < 2; g++) {
		for (i = 0; i < sp->g[g].ndirs; i++)
			free(sp->g[g].dirs[i]);
		free(sp->g[g].dirs);
		sp->g[g].dirs = NULL;
		sp->g[g].ndirs = 0;
	}
}

static int group_add_dir(struct split_group *grp, const char *dir)
{
	char **v = realloc(grp->dirs, (grp->ndirs + 1) * sizeof(*v));

	if (!v)
		return -1;
	grp->dirs = v;
	v[grp->ndirs] = strdup(dir);
	if (!v[grp->ndirs])
		return -1;
	grp->ndirs++;
	return 0;
}

/*
 * Partition the stream files of the traces in two groups of similar total
 * size (largest first, each to the smaller group) and build the tree.
 * 1: done; 0: nothing to split (one stream file), a split not worth it
 * (the smaller group under SPLIT_MIN_SHARE of the bytes, unless forced)
 * or the tree cannot be made (the caller reads with one graph).
 */
static int split_build_tree(struct split *sp, bool force)
{
	struct stream_file *f = NULL;
	size_t n = 0, i, k, t;
	off_t total[2] = { 0, 0 };
	const char *tmp = getenv("TMPDIR");
	char gd[PATH_MAX + 64];
	int ok = 0, g, have;

	for (t = 0; t < sp->nreal; t++)
		if (list_streams(sp->real[t], t, &f, &n))
			goto out;
	if (n < 2)
		goto out;
	keep_rotated_traces_whole(f, n);
	qsort(f, n, sizeof(*f), cmp_stream_file);
	for (i = 0; i < n; i++) {
		if (f[i].lead) {
			f[i].group = total[1] < total[0];
			total[f[i].group] += f[i].size;
		} else {
			for (k = 0; !f[k].lead || f[k].trace != f[i].trace; k++)
				;
			f[i].group = f[k].group;
		}
		sp->g[f[i].group].capkeys++;
	}
	if (!force && (total[0] < total[1] ? total[0] : total[1]) <
		      (total[0] + total[1]) / SPLIT_MIN_SHARE)
		goto out;
	for (g = 0; g < 2; g++) {
		sp->g[g].keys = calloc(sp->g[g].capkeys + 1, sizeof(struct stream_key));
		if (!sp->g[g].keys)
			goto out;
	}
	if (snprintf(sp->root, sizeof(sp->root), "%s/qprof-report.XXXXXX",
		     tmp && *tmp ? tmp : "/tmp") >= (int)sizeof(sp->root) ||
	    !mkdtemp(sp->root)) {
		sp->root[0] = 0;
		goto out;
	}
	for (g = 0; g < 2; g++) {
		snprintf(gd, sizeof(gd), "%s/g%d", sp->root, g);
		if (mkdir(gd, 0700))
			goto out;
		for (t = 0; t < sp->nreal; t++) {
			have = 0;
			snprintf(gd, sizeof(gd), "%s/g%d/t%zu", sp->root, g, t);
			for (i = 0; i < n; i++) {
				if (f[i].trace != t || f[i].group != g)
					continue;
				if (!have && (mkdir(gd, 0700) ||
					      link_into(sp->real[t], "metadata", gd) ||
					      group_add_dir(&sp->g[g], gd)))
					goto out;
				have = 1;
				if (link_stream(sp->real[t], gd, f[i].name))
					goto out;
			}
		}
	}
	ok = sp->g[0].ndirs && sp->g[1].ndirs;
out:
	for (i = 0; i < n; i++)
		free(f[i].name);
	free(f);
	return ok;
}

static void *decode_thread(void *arg)
{
	struct split_group *grp = arg;

	pthread_setname_np(pthread_self(), "qp-decode");
	grp->rc = run_graph(&grp->gr, &grp->s, grp->err, sizeof(grp->err));
	if (grp->rc && !grp->s.aborted)
		atomic_store(&grp->sp->abort, 1);
	qp_pipeline_close(grp->pl);
	return NULL;
}

/* Merge key: the muxer orders discarded-item messages by their beginning. */
static inline uint64_t merge_key(const struct qp_event *e)
{
	return e->kind == QP_EV_DISCARDED ? e->begin_ts : e->ts;
}

/* One record of group g, in merged order: the reader's own, or an event. */
static int merge_one(struct split_group *grp, struct qp_event *e,
		     struct qp_model *m, qp_event_sink_fn sink, void *data,
		     struct qp_read_stats *st)
{
	struct qp_stream_loss *l;
	struct qp_module *mv;
	uint32_t *hv;

	if (e->kind == QP_PL_HOST) {
		hv = realloc(grp->hostmap, (grp->nhostmap + 1) * sizeof(*hv));
		if (!hv)
			return -ENOMEM;
		grp->hostmap = hv;
		return host_index(m, e->u.qpc_open.path,
				  &hv[grp->nhostmap++]) ? -ENOMEM : 0;
	}
	if (e->host >= grp->nhostmap)
		return -EINVAL;		/* cannot happen: announced first */
	e->host = grp->hostmap[e->host];
	if (e->kind == QP_PL_MODULE) {
		mv = realloc(st->modules, (st->nmodules + 1) * sizeof(*mv));
		if (!mv)
			return -ENOMEM;
		st->modules = mv;
		mv[st->nmodules] = (struct qp_module){
			.host = e->host, .pid = e->pid,
			.base = e->u.qpc_open.qpc, .size = e->u.qpc_open.size,
			.path = strdup(e->u.qpc_open.path),
		};
		if (!mv[st->nmodules].path)
			return -ENOMEM;
		st->nmodules++;
		return 0;
	}
	if (e->kind == QP_PL_LOSS) {
		l = loss_find(st, e->u.process.runtime_path,
			      e->u.process.rt_patch, e->pid);
		if (!l)
			return -ENOMEM;
		grp->loss = (size_t)(l - st->losses);
		return 0;
	}
	if (e->kind == QP_EV_DISCARDED) {
		l = &st->losses[grp->loss];
		if (e->u.discarded.packets) {
			l->packets += e->u.discarded.count;
			st->discarded_packets += e->u.discarded.count;
		} else {
			l->events += e->u.discarded.count;
			st->discarded_events += e->u.discarded.count;
		}
	}
	return sink(e, data);
}

/* Is group 1's record before group 0's, as the muxer would order them? */
static inline bool second_first(const struct split *sp,
				const struct qp_event *ev, const uint32_t *tag)
{
	const struct stream_key *k0 = &sp->g[0].keys[tag[0]];
	const struct stream_key *k1 = &sp->g[1].keys[tag[1]];
	int64_t t0 = (int64_t)merge_key(&ev[0]) + k0->off_ns;
	int64_t t1 = (int64_t)merge_key(&ev[1]) + k1->off_ns;

	if (t0 != t1)
		return t1 < t0;
	return stream_key_cmp(k1, k0) < 0;
}

/*
 * Merge the two groups' records by time, ties broken as flt.utils.muxer
 * does (stream keys; equal keys: group 0 first).
 */
static int merge(struct split *sp, struct qp_model *m, qp_event_sink_fn sink,
		 void *data, struct qp_read_stats *st)
{
	struct qp_event *ev = malloc(2 * sizeof(*ev));
	uint32_t tag[2] = { 0, 0 };
	int have[2], g, rc = 0;
	uint64_t n = 0;

	if (!ev)
		return -ENOMEM;
	have[0] = qp_pipeline_next(sp->g[0].pl, &ev[0], &tag[0]);
	have[1] = qp_pipeline_next(sp->g[1].pl, &ev[1], &tag[1]);
	while (have[0] || have[1]) {
		g = !have[0] || (have[1] && second_first(sp, ev, tag));
		rc = merge_one(&sp->g[g], &ev[g], m, sink, data, st);
		if (rc)
			break;
		if ((++n & 0xfffff) == 0) {
			if (atomic_load(&sp->abort))
				break;
			if (st->progress) {
				st->messages = n;
				st->progress(st, st->progress_data);
			}
		}
		have[g] = qp_pipeline_next(sp->g[g].pl, &ev[g], &tag[g]);
	}
	free(ev);
	return rc;
}

/*
 * After a complete merge: a graph's own failure (babeltrace2's reason,
 * real paths), else a failure of its pipeline (-ENOMEM), else 0.
 */
static int split_error(struct split *sp, char *err, size_t errlen)
{
	struct split_group *grp;
	int g;

	for (g = 0; g < 2; g++) {
		grp = &sp->g[g];
		if (grp->rc && !grp->s.aborted && !grp->s.sink_ret) {
			unmap_paths(sp, grp->err, sizeof(grp->err));
			set_err(err, errlen, "%s", grp->err);
			return grp->rc;
		}
	}
	for (g = 0; g < 2; g++) {
		grp = &sp->g[g];
		if (grp->rc && grp->s.sink_ret != -ECANCELED) {
			set_err(err, errlen, "out of memory while reading the trace");
			return grp->rc;
		}
	}
	return 0;
}

static void split_free(struct split *sp)
{
	int g;
	size_t i;

	for (g = 0; g < 2; g++) {
		struct split_group *grp = &sp->g[g];

		bt_graph_put_ref(grp->gr.g);
		bt_plugin_put_ref(grp->gr.ctf);
		bt_plugin_put_ref(grp->gr.utils);
		if (grp->pl)
			qp_pipeline_free(grp->pl);
		free(grp->s.cls);
		seq_bufs_free(&grp->s);
		qp_hmap_free(&grp->s.clsmap);
		free(grp->s.corrupt);
		qp_event_checker_free(&grp->s.chk);
		for (i = 0; i < grp->nhosts; i++)
			free(grp->hosts[i]);
		free(grp->hosts);
		free(grp->hostmap);
		free(grp->keys);
		qp_read_stats_free(&grp->st);
	}
	split_free_tree(sp);
	free(sp);
}

int qp_read_traces_split(const char *const *paths, size_t n,
			 struct qp_model *m, qp_event_sink_fn sink, void *data,
			 struct qp_read_stats *st, char *err, size_t errlen,
			 bool *split)
{
	const char *env = getenv("QPROF_REPORT_SPLIT");
	struct split *sp = NULL;
	char **dirs = NULL;
	int ndirs, rc = -1, g, started = 0, i;
	bool force;

	*split = false;
	if (env && !strcmp(env, "0"))
		return 0;
	force = env && !strcmp(env, "1");
	ndirs = qp_find_traces(paths, n, &dirs, err, errlen);
	if (ndirs <= 0)
		return -1;
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		goto out;
	sp->real = dirs;
	sp->nreal = (size_t)ndirs;
	if (!split_build_tree(sp, force)) {
		rc = 0;			/* read with one graph */
		goto out;
	}
	*split = true;
	st->ntraces = (size_t)ndirs;
	for (g = 0; g < 2; g++) {
		struct split_group *grp = &sp->g[g];

		grp->sp = sp;
		grp->pl = qp_pipeline_open();
		grp->s = (struct sink_state){
			.sink = qp_pipeline_sink, .data = grp->pl, .m = m,
			.st = &grp->st, .grp = grp,
		};
		if (!grp->pl) {
			set_err(err, errlen, "out of memory");
			goto out;
		}
		/* plugins, metadata and indexes: here, one graph after the other */
		if (build_graph(&grp->gr, grp->dirs, grp->ndirs, &grp->s,
				err, errlen)) {
			unmap_paths(sp, err, errlen);
			goto out;
		}
	}
	for (g = 0; g < 2; g++) {
		if (pthread_create(&sp->g[g].thread, NULL, decode_thread,
				   &sp->g[g])) {
			set_err(err, errlen, "cannot create a thread");
			atomic_store(&sp->abort, 1);
			if (g)
				qp_pipeline_abandon(sp->g[0].pl, -1);
			break;
		}
		started++;
	}
	rc = started == 2 ? merge(sp, m, sink, data, st) : -1;
	/* a producer still running (the merge stopped) must not wait */
	for (g = 0; g < started; g++)
		qp_pipeline_abandon(sp->g[g].pl, rc ? rc : -ECANCELED);
	for (g = 0; g < started; g++)
		pthread_join(sp->g[g].thread, NULL);
	if (started < 2)
		goto out;
	if (!rc)
		rc = split_error(sp, err, errlen);
	st->messages = 0;
	for (g = 0; g < 2; g++) {
		const struct qp_read_stats *gs = &sp->g[g].st;

		st->messages += gs->messages;
		st->qprof_events += gs->qprof_events;
		st->other_events += gs->other_events;
		if (gs->first_ts && (!st->first_ts || gs->first_ts < st->first_ts))
			st->first_ts = gs->first_ts;
		if (gs->last_ts > st->last_ts)
			st->last_ts = gs->last_ts;
	}
out:
	if (sp)
		split_free(sp);
	for (i = 0; i < ndirs; i++)
		free(dirs[i]);
	free(dirs);
	return rc;
}
