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
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
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
#include "interrupt.h"
#include "pipeline.h"
#include "pool.h"
#include "reader.h"
#include "reader-int.h"
#include "status.h"
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
	const struct qp_decode_hooks *hooks;	/* feeding a merge (reader-int.h) */
	int aborted;			/* stopped by hooks->stop */
	int interrupted;		/* stopped by a signal (interrupt.h) */
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

int qp_find_traces_status(const char *const *paths, size_t n, char ***dirs,
			  struct qp_status *status)
{
	struct dirlist l = { 0 };
	size_t i, k, before;
	struct stat sb;

	for (i = 0; i < n; i++) {
		if (stat(paths[i], &sb)) {
			qp_fail_at(status, QP_E_INPUT, errno, paths[i], 0, "%s",
				   strerror(errno));
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
					qp_fail_at(status, QP_E_INPUT, 0, l.unreadable, 0,
						   "cannot read this directory (a trace in it would be missed)");
				else if (l.failed)
					qp_fail_at(status, QP_E_NOMEM, ENOMEM,
						   paths[i], 0, "out of memory");
				else
					qp_fail_at(status, QP_E_INPUT, errno,
						   paths[i], 0, "%s", strerror(errno));
				free(l.unreadable);
				goto fail;
			}
		}
		if (l.n == before) {
			qp_fail(status, QP_E_INPUT, 0,
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

int qp_find_traces(const char *const *paths, size_t n, char ***dirs,
		   char *err, size_t errlen)
{
	struct qp_status st = QP_STATUS_INIT;
	int rc = qp_find_traces_status(paths, n, dirs, &st);

	if (rc < 0 && err && errlen)
		qp_status_format(&st, err, errlen);
	return rc;
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

int qp_model_host_index(struct qp_model *m, const char *h, uint32_t *out)
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

/*
 * Feeding a merge: the local number of host name h (hooks), new ones
 * announced to the merging thread by a QP_PL_HOST record at time key.
 */
static int local_host(struct sink_state *s, const char *h, uint64_t key,
		      uint32_t *host)
{
	struct qp_event e;
	bool is_new = false;

	if (s->hooks->host(s->hooks->ctx, h, host, &is_new))
		return -1;
	if (!is_new)
		return 0;
	memset(&e, 0, sizeof(e));
	e.kind = QP_PL_HOST;
	e.ts = e.begin_ts = key;
	e.u.qpc_open.path = h;
	s->sink_ret = s->sink(&e, s->data);
	return s->sink_ret ? -1 : 0;
}

/*
 * Host index and vpid of the trace a stream belongs to.  key: the time
 * of the message being decoded (feeding a merge: orders the host's record
 * among the events, so that hosts are numbered as by one graph).
 */
static int trace_identity(struct sink_state *s, const bt_stream *stream,
			  uint32_t *host, int32_t *vpid, uint64_t key)
{
	const bt_trace *t = bt_stream_borrow_trace_const(stream);
	const char *h = trace_env_str(t, "hostname");
	int64_t pid;

	*vpid = trace_env_int(t, "vpid", &pid) ? -1 : (int32_t)pid;
	if (s->hooks)
		return local_host(s, h ? h : "", key, host);
	return qp_model_host_index(s->m, h ? h : "", host);
}

static inline uint64_t to_ns(uint64_t cycles, uint64_t freq)
{
	return qp_cycles_to_ns(cycles, freq);
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

/* The clock's offset from the epoch, from the first trace that has one. */
static void realtime_offset(struct qp_read_stats *st, const bt_clock_class *cc)
{
	int64_t sec;
	uint64_t cyc;

	if (st->has_realtime_offset || !bt_clock_class_origin_is_unix_epoch(cc))
		return;
	bt_clock_class_get_offset(cc, &sec, &cyc);
	st->realtime_offset_ns = sec * 1000000000 +
				 (int64_t)to_ns(cyc, bt_clock_class_get_frequency(cc));
	st->has_realtime_offset = true;
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
		realtime_offset(s->st, bt_clock_snapshot_borrow_clock_class_const(cs));
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
	if (s->hooks) {
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

	if (s->hooks &&
	    s->hooks->stream(s->hooks->ctx, bt_event_borrow_stream_const(ev)))
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

struct qp_stream_loss *qp_read_stats_loss(struct qp_read_stats *st,
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

/* The trace and stream names of a stream (the user's paths, also when
 * feeding a merge). */
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
	if (s->hooks) {
		s->hooks->unmap(s->hooks->ctx, tn, len);
		s->hooks->unmap(s->hooks->ctx, sn, len);
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
	if (s->hooks && s->hooks->stream(s->hooks->ctx, stream))
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
	if (s->hooks) {
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
	l = qp_read_stats_loss(s->st, tn, sn, e.pid);
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
	if (qp_interrupted()) {
		s->interrupted = 1;
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_ERROR;
	}
	if (s->hooks && s->hooks->stop(s->hooks->ctx)) {
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
 * The failure "what", code, because of babeltrace2's innermost error cause
 * (cause 0: where the error started, e.g. "Failed to index CTF stream
 * file ..."), skipping the library's own generic causes when a component
 * said more.
 */
static int take_bt_error(struct qp_status *st, enum qp_code code,
			 const char *what)
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
	if (reason && *reason) {
		qp_fail(st, code, 0, "%s", reason);
		qp_status_wrap(st, "%s", what);
	} else {
		qp_fail(st, code, 0, "%s", what);
	}
	if (e)
		bt_error_release(e);
	return -1;
}

static int add_source(struct graph *gr, const char *dir, size_t idx,
		      struct qp_status *st)
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
		qp_fail_nomem(st);
		goto out;
	}
	snprintf(name, sizeof(name), "src%zu", idx);
	qp_guard_phase("reading the metadata and stream indexes of %s", dir);
	if (bt_graph_add_source_component(gr->g, fs, name, params,
					  BT_LOGGING_LEVEL_NONE, &src)) {
		char what[PATH_MAX + 64];

		snprintf(what, sizeof(what),
			 "cannot read trace %s (truncated or corrupt stream file?)", dir);
		take_bt_error(st, QP_E_DECODE, what);
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
			take_bt_error(st, QP_E_SYSTEM, "cannot connect trace streams");
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

static int build_graph(struct graph *gr, char *const *dirs, size_t ndirs,
		       struct sink_state *s, struct qp_status *st)
{
	const bt_component_class_filter *mux_cls;
	const bt_component_sink *sink;
	size_t i;

	if (find_plugins(gr)) {
		take_bt_error(st, QP_E_SYSTEM,
			      "babeltrace2 plugins 'ctf' and 'utils' not found");
		return -1;
	}
	mux_cls = bt_plugin_borrow_filter_component_class_by_name_const(
		gr->utils, "muxer");
	gr->g = bt_graph_create(0);
	if (!gr->g || !mux_cls ||
	    bt_graph_add_filter_component(gr->g, mux_cls, "muxer", NULL,
					  BT_LOGGING_LEVEL_NONE, &gr->muxer)) {
		take_bt_error(st, QP_E_SYSTEM, "cannot create the babeltrace2 graph");
		return -1;
	}
	for (i = 0; i < ndirs; i++)
		if (add_source(gr, dirs[i], i, st))
			return -1;
	if (bt_graph_add_simple_sink_component(gr->g, "qprof", NULL, consume,
					       NULL, s, &sink) ||
	    bt_graph_connect_ports(gr->g,
		bt_component_filter_borrow_output_port_by_name_const(gr->muxer, "out"),
		bt_component_sink_borrow_input_port_by_name_const(sink, "in"),
		NULL)) {
		take_bt_error(st, QP_E_SYSTEM, "cannot connect the qprof sink");
		return -1;
	}
	return 0;
}

static int run_graph(struct graph *gr, struct sink_state *s,
		     struct qp_status *st)
{
	bt_graph_run_status rs;

	qp_guard_phase("decoding the stream files");
	do
		rs = bt_graph_run(gr->g);
	while (rs == BT_GRAPH_RUN_STATUS_AGAIN);
	if (rs == BT_GRAPH_RUN_STATUS_OK)
		return 0;
	if (s->interrupted) {
		bt_current_thread_clear_error();
		return qp_fail(st, QP_E_CANCELED, qp_interrupted(),
			       "interrupted (%s)", strsignal(qp_interrupted()));
	}
	if (s->aborted) {
		bt_current_thread_clear_error();
		return qp_fail(st, QP_E_CANCELED, 0,
			       "stopped: the other decoding graph failed");
	}
	if (s->sink_ret) {
		bt_current_thread_clear_error();
		return qp_fail(st, QP_E_SINK, s->sink_ret,
			       "the event consumer stopped the reading (%d)",
			       s->sink_ret);
	}
	if (s->corrupt) {
		bt_current_thread_clear_error();
		return qp_fail(st, QP_E_INPUT, 0, "%s", s->corrupt);
	}
	if (s->bad_event) {
		bt_current_thread_clear_error();
		return qp_fail(st, QP_E_INPUT, 0,
			       "event %s has no pid/tid payload fields: not a qprof trace of this version",
			       s->bad_event);
	}
	if (s->failed) {
		bt_current_thread_clear_error();
		return qp_fail(st, QP_E_NOMEM, ENOMEM,
			       "out of memory while reading the trace");
	}
	return take_bt_error(st, QP_E_DECODE,
			     "error while reading the trace (corrupt or truncated stream file?)");
}

/* ---- a decoder (reader-int.h) ---------------------------------------- */

struct qp_decoder {
	struct sink_state s;
	struct graph gr;
};

struct qp_decoder *qp_decoder_new(struct qp_model *m, qp_event_sink_fn sink,
				  void *data, struct qp_read_stats *st,
				  const struct qp_decode_hooks *hooks)
{
	struct qp_decoder *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->s = (struct sink_state){
		.sink = sink, .data = data, .m = m, .st = st, .hooks = hooks,
	};
	return d;
}

int qp_decoder_build(struct qp_decoder *d, char *const *dirs, size_t n,
		     struct qp_status *st)
{
	return build_graph(&d->gr, dirs, n, &d->s, st);
}

int qp_decoder_run(struct qp_decoder *d, struct qp_status *st)
{
	return run_graph(&d->gr, &d->s, st);
}

void qp_decoder_free(struct qp_decoder *d)
{
	if (!d)
		return;
	bt_graph_put_ref(d->gr.g);
	bt_plugin_put_ref(d->gr.ctf);
	bt_plugin_put_ref(d->gr.utils);
	free(d->s.cls);
	seq_bufs_free(&d->s);
	qp_hmap_free(&d->s.clsmap);
	free(d->s.corrupt);
	qp_event_checker_free(&d->s.chk);
	free(d);
}

int qp_read_traces_status(const char *const *paths, size_t n,
			  struct qp_model *m, qp_event_sink_fn sink, void *data,
			  struct qp_read_stats *st, struct qp_status *status)
{
	struct qp_decoder *d;
	char **dirs = NULL;
	int ndirs, rc = -1, i;

	ndirs = qp_find_traces_status(paths, n, &dirs, status);
	if (ndirs <= 0)
		return -1;
	st->ntraces = (size_t)ndirs;
	d = qp_decoder_new(m, sink, data, st, NULL);
	if (!d)
		qp_fail_nomem(status);
	else if (!qp_decoder_build(d, dirs, (size_t)ndirs, status))
		rc = qp_decoder_run(d, status);
	qp_decoder_free(d);
	for (i = 0; i < ndirs; i++)
		free(dirs[i]);
	free(dirs);
	return rc;
}

int qp_read_traces(const char *const *paths, size_t n, struct qp_model *m,
		   qp_event_sink_fn sink, void *data, struct qp_read_stats *st,
		   char *err, size_t errlen)
{
	struct qp_status status = QP_STATUS_INIT;

	if (!qp_read_traces_status(paths, n, m, sink, data, st, &status))
		return 0;
	if (err && errlen)
		qp_status_format(&status, err, errlen);
	return status.code == QP_E_SINK ? status.value : -1;
}
