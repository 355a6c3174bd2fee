// SPDX-License-Identifier: MIT
/*
 * The two-graph read (split.h): the stream files of all the traces in two
 * groups, each decoded by its own graph (reader-int.h) in its own thread
 * into its own pull pipeline; the calling thread merges the two by time.
 * A group sees the traces through a temporary tree, ROOT/g<group>/t<trace
 * index>, of symbolic links to the real metadata and to its stream (and
 * index) files.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <babeltrace2/babeltrace.h>

#include "pipeline.h"
#include "reader-int.h"
#include "split.h"
#include "status.h"

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
	struct qp_decode_hooks hooks;	/* the decoder's view of the group */
	struct qp_decoder *dec;
	struct qp_read_stats st;	/* this group's counts */
	struct qp_pipeline *pl;
	char **dirs;			/* ROOT/g<group>/t<i> */
	size_t ndirs;
	pthread_t thread;
	int rc;
	struct qp_status status;	/* the decoder's, when rc */
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

/* ---- the decoders' hooks (decoding threads) --------------------------- */

/* Tag the records that follow with stream's key index. */
static int stream_tag(void *ctx, const bt_stream *stream)
{
	struct split_group *grp = ctx;
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
			    (int64_t)qp_cycles_to_ns(cyc, bt_clock_class_get_frequency(cc));
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

/* The local number of host name h. */
static int local_host(void *ctx, const char *h, uint32_t *host, bool *is_new)
{
	struct split_group *grp = ctx;
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
	*is_new = true;
	return 0;
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

static void group_unmap(void *ctx, char *buf, size_t len)
{
	struct split_group *grp = ctx;

	unmap_paths(grp->sp, buf, len);
}

static bool group_stop(void *ctx)
{
	struct split_group *grp = ctx;

	return atomic_load_explicit(&grp->sp->abort, memory_order_relaxed);
}

/* ---- the temporary tree ------------------------------------------------ */

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

/* ---- decoding threads and the merge ------------------------------------ */

static void *decode_thread(void *arg)
{
	struct split_group *grp = arg;

	pthread_setname_np(pthread_self(), "qp-decode");
	grp->rc = qp_decoder_run(grp->dec, &grp->status);
	if (grp->rc && grp->status.code != QP_E_CANCELED)
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
		     struct qp_read_stats *st, struct qp_status *status)
{
	struct qp_stream_loss *l;
	struct qp_module *mv;
	uint32_t *hv;
	int rc;

	if (e->kind == QP_PL_HOST) {
		hv = realloc(grp->hostmap, (grp->nhostmap + 1) * sizeof(*hv));
		if (!hv)
			return qp_fail_nomem(status);
		grp->hostmap = hv;
		return qp_model_host_index(m, e->u.qpc_open.path,
				  &hv[grp->nhostmap++]) ? qp_fail_nomem(status) : 0;
	}
	if (e->host >= grp->nhostmap)	/* cannot happen: announced first */
		return qp_fail(status, QP_E_SYSTEM, EINVAL,
			       "a record of host %u before its name (reader bug)",
			       e->host);
	e->host = grp->hostmap[e->host];
	if (e->kind == QP_PL_MODULE) {
		mv = realloc(st->modules, (st->nmodules + 1) * sizeof(*mv));
		if (!mv)
			return qp_fail_nomem(status);
		st->modules = mv;
		mv[st->nmodules] = (struct qp_module){
			.host = e->host, .pid = e->pid,
			.base = e->u.qpc_open.qpc, .size = e->u.qpc_open.size,
			.path = strdup(e->u.qpc_open.path),
		};
		if (!mv[st->nmodules].path)
			return qp_fail_nomem(status);
		st->nmodules++;
		return 0;
	}
	if (e->kind == QP_PL_LOSS) {
		l = qp_read_stats_loss(st, e->u.process.runtime_path,
			      e->u.process.rt_patch, e->pid);
		if (!l)
			return qp_fail_nomem(status);
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
	rc = sink(e, data);
	if (rc)
		return qp_fail(status, QP_E_SINK, rc,
			       "the event consumer stopped the reading (%d)", rc);
	return 0;
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
		 void *data, struct qp_read_stats *st, struct qp_status *status)
{
	struct qp_event *ev = malloc(2 * sizeof(*ev));
	uint32_t tag[2] = { 0, 0 };
	int have[2], g, rc = 0;
	uint64_t n = 0;

	if (!ev)
		return qp_fail_nomem(status);
	have[0] = qp_pipeline_next(sp->g[0].pl, &ev[0], &tag[0]);
	have[1] = qp_pipeline_next(sp->g[1].pl, &ev[1], &tag[1]);
	while (have[0] || have[1]) {
		g = !have[0] || (have[1] && second_first(sp, ev, tag));
		rc = merge_one(&sp->g[g], &ev[g], m, sink, data, st, status);
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

/* to: from's chain with the temporary tree's paths made the user's. */
static int copy_unmapped(const struct split *sp, const struct qp_status *from,
			 struct qp_status *to)
{
	char buf[QP_STATUS_TEXT];
	unsigned int i = from->nlinks;

	if (!i)
		return qp_fail(to, from->code, from->value, "%s",
			       qp_code_name(from->code));
	snprintf(buf, sizeof(buf), "%s", qp_status_link(from, --i));
	unmap_paths(sp, buf, sizeof(buf));
	qp_fail(to, from->code, from->value, "%s", buf);
	while (i--) {
		snprintf(buf, sizeof(buf), "%s", qp_status_link(from, i));
		unmap_paths(sp, buf, sizeof(buf));
		qp_status_wrap(to, "%s", buf);
	}
	return -1;
}

/*
 * After a complete merge: a graph's own failure (babeltrace2's reason,
 * real paths), else a failure of its pipeline's producer side (out of
 * memory; a graph stopped by its sink's -ECANCELED only followed the
 * merge's end), else a graph stopped by a signal (both were: the merge
 * saw only part of the trace), else 0.
 */
static int split_error(struct split *sp, struct qp_status *status)
{
	struct split_group *grp;
	int g;

	for (g = 0; g < 2; g++) {
		grp = &sp->g[g];
		if (grp->rc && grp->status.code != QP_E_CANCELED &&
		    grp->status.code != QP_E_SINK)
			return copy_unmapped(sp, &grp->status, status);
	}
	for (g = 0; g < 2; g++) {
		grp = &sp->g[g];
		if (grp->rc && grp->status.code == QP_E_SINK &&
		    grp->status.value != -ECANCELED)
			return qp_fail(status, QP_E_NOMEM, ENOMEM,
				       "out of memory while reading the trace");
	}
	for (g = 0; g < 2; g++)
		if (sp->g[g].rc)
			return copy_unmapped(sp, &sp->g[g].status, status);
	return 0;
}

static void split_free(struct split *sp)
{
	int g;
	size_t i;

	for (g = 0; g < 2; g++) {
		struct split_group *grp = &sp->g[g];

		qp_decoder_free(grp->dec);
		if (grp->pl)
			qp_pipeline_free(grp->pl);
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
			 struct qp_read_stats *st, struct qp_status *status,
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
	ndirs = qp_find_traces_status(paths, n, &dirs, status);
	if (ndirs <= 0)
		return -1;
	sp = calloc(1, sizeof(*sp));
	if (!sp) {
		qp_fail_nomem(status);
		goto out;
	}
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
		grp->hooks = (struct qp_decode_hooks){
			.ctx = grp, .stream = stream_tag, .host = local_host,
			.unmap = group_unmap, .stop = group_stop,
		};
		grp->pl = qp_pipeline_open();
		if (grp->pl)
			grp->dec = qp_decoder_new(m, qp_pipeline_sink, grp->pl,
						  &grp->st, &grp->hooks);
		if (!grp->pl || !grp->dec) {
			qp_fail_nomem(status);
			goto out;
		}
		/* plugins, metadata and indexes: here, one graph after the other */
		if (qp_decoder_build(grp->dec, grp->dirs, grp->ndirs,
				     &grp->status)) {
			copy_unmapped(sp, &grp->status, status);
			goto out;
		}
	}
	for (g = 0; g < 2; g++) {
		if (pthread_create(&sp->g[g].thread, NULL, decode_thread,
				   &sp->g[g])) {
			qp_fail(status, QP_E_SYSTEM, errno, "cannot create a thread");
			atomic_store(&sp->abort, 1);
			if (g)
				qp_pipeline_abandon(sp->g[0].pl, -1);
			break;
		}
		started++;
	}
	rc = started == 2 ? merge(sp, m, sink, data, st, status) : -1;
	/* a producer still running (the merge stopped) must not wait */
	for (g = 0; g < started; g++)
		qp_pipeline_abandon(sp->g[g].pl, -ECANCELED);
	for (g = 0; g < started; g++)
		pthread_join(sp->g[g].thread, NULL);
	if (started < 2)
		goto out;
	if (!rc)
		rc = split_error(sp, status);
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
		if (gs->has_realtime_offset && !st->has_realtime_offset) {
			st->has_realtime_offset = true;
			st->realtime_offset_ns = gs->realtime_offset_ns;
		}
	}
out:
	if (sp)
		split_free(sp);
	for (i = 0; i < ndirs; i++)
		free(dirs[i]);
	free(dirs);
	return rc;
}

int qp_read_traces_threads(const char *const *paths, size_t n,
			   struct qp_model *m, qp_event_sink_fn sink, void *data,
			   long threads, struct qp_read_stats *st,
			   enum qp_read_how *how, double *sink_cpu_s,
			   struct qp_status *status)
{
	struct qp_pipeline *pl = NULL;
	bool split;
	int rc, prc;

	*how = QP_READ_ONE_THREAD;
	*sink_cpu_s = -1;
	if (threads > 1) {
		rc = qp_read_traces_split(paths, n, m, sink, data, st, status,
					  &split);
		if (split)
			*how = QP_READ_TWO_GRAPHS;
		if (split || rc)
			return rc;
		pl = qp_pipeline_start(sink, data);
	}
	if (!pl)
		return qp_read_traces_status(paths, n, m, sink, data, st, status);
	*how = QP_READ_PIPELINE;
	rc = qp_read_traces_status(paths, n, m, qp_pipeline_sink, pl, st, status);
	prc = qp_pipeline_finish(pl, sink_cpu_s);
	/*
	 * The pipeline's sink returns the consumer's error (which stopped the
	 * reader: rc is it) or its own -ENOMEM; a consumer's error may also
	 * come after the reader's end (prc).  The reader's own failure wins.
	 */
	if (rc && status->code != QP_E_SINK)
		return -1;
	if (prc)
		return qp_fail(status, QP_E_SINK, prc,
			       "the event consumer stopped the reading (%d)", prc);
	return rc;
}
