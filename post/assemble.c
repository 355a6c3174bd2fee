// SPDX-License-Identifier: MIT
/*
 * The inference assembler (see assemble.h and docs/MATCHING.md).
 *
 * State kept while streaming, all in pools (pool.h: flat arrays indexed by
 * uint32_t, with a free list) found through open-addressing hash maps
 * (hashmap.h), so that the steady state does no allocation per event:
 *   - flights: one per inference not finished yet (plus, briefly, finished
 *     ones still waiting for their kernel perf stats);
 *   - parts: one per device an inference's EXECUTE went to (devMapping:
 *     several), with that device's boundaries and perf stats;
 *   - bos: GEM handles per (process, fd), with the exec object they belong
 *     to and the inference whose wait handle they currently are;
 *   - eos / evobjs: exec objects and events, each with the FIFO of its
 *     not-finished inferences;
 *   - threads: the enqueue in progress, the last call stack, and the setup
 *     ioctls waiting for the API call that contains them.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assemble.h"
#include "pyevents.h"
#include "hashmap.h"
#include "pool.h"
#include "progname.h"

/* "none" for pool indices and map values alike */
#define NIL UINT32_MAX
_Static_assert(NIL == QP_HMAP_NIL && NIL == QP_POOL_NIL, "one NIL");
#define DIR_FROM_DEV 2
#define MAX_PENDING_SETUP 4096	/* setup ioctls kept per thread */
#define MAX_STACK 17		/* call stack entries kept (qp_callsite.ips + 1) */

/* ---- assembler state --------------------------------------------------- */

struct link {
	uint32_t prev, next;
};

struct list {
	uint32_t head, tail;
};

/* The lists a flight can be on. */
enum {
	L_PROC,		/* not finished, per process (lost events, finish) */
	L_UNSUB,	/* no successful EXECUTE yet, per process (FIFO fallback) */
	L_EO,		/* not finished, per exec object */
	L_EV,		/* not finished, per QAicEvent */
	L__COUNT
};

enum stage {
	ST_QUEUED,	/* enqueued, no EXECUTE attempt yet */
	ST_ATTEMPTED,	/* EXECUTE attempted (EAGAIN) */
	ST_SUBMITTED,	/* EXECUTE succeeded */
	ST_WAITED,	/* WAIT_BO on its wait handle succeeded */
	ST_DONE,	/* finished; kept only until its perf stats arrive */
};

struct flight {
	uint32_t next_free;
	uint32_t inf;		/* index into model->inf */
	uint32_t proc;
	uint32_t eo, ev;	/* pool indices, NIL */
	uint32_t parts;		/* its first part (EXECUTE order), NIL */
	struct link link[L__COUNT];
	uint8_t nparts;		/* devices its EXECUTEs went to (saturating) */
	uint8_t on;		/* bit per list it is on */
	uint8_t stage;		/* enum stage: of its parts together */
};

/*
 * One device's part of an inference: its EXECUTE attempts, WAIT and perf
 * stats on one accel fd.  One part per inference on one device; one per
 * device with devMapping (docs/MATCHING.md, "Programs over several
 * devices").
 */
struct part {
	uint32_t next_free;
	uint32_t next;		/* the flight's next part, NIL */
	int32_t fd;
	uint32_t dbc;
	uint32_t device;	/* model device, NIL */
	uint32_t wait_bo;	/* bo pool index of its wait handle, NIL */
	uint32_t span;		/* index into model->spans, NIL (one device) */
	uint32_t nreq;		/* entries of its EXECUTE request */
	uint64_t exec_begin;	/* entry of the latest (successful) attempt */
	uint64_t exec_end, wait_begin, wait_end;	/* ns, 0 = not seen */
	uint32_t sub, dev, qlb, tqe;	/* its wait handle's perf stats */
	int32_t submit_tid;
	uint8_t stage;		/* ST_ATTEMPTED, ST_SUBMITTED, ST_WAITED */
	uint8_t order;		/* EXECUTE order in the inference */
	bool ok;		/* its EXECUTE succeeded */
	bool failed;		/* its EXECUTE or WAIT failed */
	bool has_perf, by_shim;
	bool perf_partial;	/* perf stats taken from a query missing entries */
};

/*
 * A DBC of a process (fd, dbc_id) while inferences fail on it with EPIPE
 * or EPERM: one episode until it is activated again.  With an EPIPE it
 * was a subsystem restart (docs/CONTRACTS.md §6.5).
 */
struct dbcst {
	bool down;		/* an episode is open */
	bool epipe;		/* ... and saw EPIPE */
	uint64_t failed;	/* inferences failed in it */
};

struct bo {
	uint32_t next_free;
	uint32_t proc;
	int32_t fd;
	uint32_t handle;
	uint64_t eo_ptr;	/* QAicExecObj* it was created for, 0 unknown */
	uint32_t dbc;		/* NIL until attached */
	uint32_t dir;		/* ATTACH_SLICE direction (1 to, 2 from the
				 * device), 0 until attached */
	uint32_t flight;	/* inference whose wait handle it is, NIL */
};

struct eo {
	uint32_t next_free;
	uint32_t proc;
	uint64_t ptr;
	uint32_t program;	/* model index, NIL */
	struct list fl;		/* L_EO */
	bool has_bos;		/* BOs were tied to it by setup windows */
	bool released;		/* qaicReleaseExecObj seen: gone from the map */
};

struct evobj {
	uint32_t next_free;
	uint32_t proc;
	uint64_t ptr;
	struct list fl;		/* L_EV */
};

/* A setup ioctl waiting for the API call (on its thread) that contains it. */
struct setup {
	uint64_t begin_ts, ts;
	int32_t fd;
	uint32_t handle;	/* CREATE_BO / ATTACH_SLICE */
	int32_t dbc;		/* MANAGE activated_dbc, -1 for BOs */
};

struct thread {
	uint32_t next_free;
	uint32_t proc;
	uint32_t enq_inf;	/* inference whose enqueue call is running, NIL */
	uint32_t enq_flight;
	uint64_t enq_eo;	/* its QAicExecObj* */
	uint32_t ncs;		/* api_callstack waiting for its API event */
	uint64_t cs[MAX_STACK];
	struct setup *setup;
	size_t nsetup, capsetup;
};

/* Per model process. */
struct proc {
	struct list live;	/* L_PROC */
	struct list unsub;	/* L_UNSUB */
	uint32_t kseq;		/* kernel-only running number */
	bool api;		/* an enqueue was seen: not kernel-only */
	uint8_t done_kind;	/* first kind of completion seen (enum qp_done_kind) */
	bool perf_query;	/* kmd_perf_query seen (schema 2) */
};

/* A program group (qaicCreateProgramGroup): its programs in add order. */
struct group {
	uint32_t *progs;	/* model program indices */
	size_t n, cap;
};

struct qp_assembler {
	struct qp_model *m;
	struct qp_pool flights, parts, bos, eos, evobjs, threads;
	struct qp_hmap procmap;	/* (host, pid) -> process */
	struct qp_hmap thrmap;	/* (proc, tid) -> thread */
	struct qp_hmap bomap;	/* (proc << 32 | fd, handle) -> bo */
	struct qp_hmap eomap;	/* (proc, QAicExecObj*) -> eo */
	struct qp_hmap evmap;	/* (proc, QAicEvent*) -> evobj */
	struct qp_hmap progmap;	/* (proc, QAicProgram*) -> model program */
	struct qp_hmap dbcmap;	/* (proc << 32 | fd, dbc_id) -> model program */
	struct qp_hmap queuemap;	/* (proc, QAicQueue*) -> model queue */
	struct qp_hmap csmap;	/* (proc, hash of ips) -> model callsite */
	struct qp_hmap devmap;	/* (proc << 32 | fd, 0) -> model device */
	struct qp_hmap groupmap;	/* (proc, QAicProgramGroup*) -> groups[] */
	struct group *groups;
	size_t ngroups, cap_groups;
	struct qp_hmap dbcstmap;	/* (proc << 32 | fd, dbc_id) -> dbcsts[] */
	struct dbcst *dbcsts;
	size_t ndbcsts, cap_dbcsts;
	struct qp_qpc_paths qpcs;	/* (proc, QAicQpcObj*) -> path */
	struct proc *procs;
	size_t cap_procs, cap_programs, cap_queues, cap_callsites;
	size_t cap_devices, cap_spans;
	uint32_t last_host, last_proc;	/* one-entry cache of procmap */
	int32_t last_pid;
	struct qp_assemble_stats st;
	bool finished;
};

#define FL(a, i) QP_POOL_AT(&(a)->flights, struct flight, i)
#define PT(a, i) QP_POOL_AT(&(a)->parts, struct part, i)
#define BO(a, i) QP_POOL_AT(&(a)->bos, struct bo, i)
#define EO(a, i) QP_POOL_AT(&(a)->eos, struct eo, i)
#define EV(a, i) QP_POOL_AT(&(a)->evobjs, struct evobj, i)
#define TH(a, i) QP_POOL_AT(&(a)->threads, struct thread, i)
#define INF(a, i) (&(a)->m->inf[i])

static inline uint64_t fdkey(uint32_t proc, int32_t fd)
{
	return (uint64_t)proc << 32 | (uint32_t)fd;
}

/* ---- intrusive lists of flights ----------------------------------------- */

static void list_init(struct list *l)
{
	l->head = l->tail = NIL;
}

static void list_push(struct qp_assembler *a, struct list *l, int which,
		      uint32_t f)
{
	struct flight *fl = FL(a, f);

	fl->link[which].prev = l->tail;
	fl->link[which].next = NIL;
	if (l->tail != NIL)
		FL(a, l->tail)->link[which].next = f;
	else
		l->head = f;
	l->tail = f;
	fl->on |= 1u << which;
}

static void list_del(struct qp_assembler *a, struct list *l, int which,
		     uint32_t f)
{
	struct flight *fl = FL(a, f);
	struct link *k = &fl->link[which];

	if (!(fl->on & (1u << which)))
		return;
	if (k->prev != NIL)
		FL(a, k->prev)->link[which].next = k->next;
	else
		l->head = k->next;
	if (k->next != NIL)
		FL(a, k->next)->link[which].prev = k->prev;
	else
		l->tail = k->prev;
	fl->on &= ~(1u << which);
}

/* ---- processes, threads, objects --------------------------------------- */

static uint32_t proc_get(struct qp_assembler *a, uint32_t host, int32_t pid)
{
	struct qp_model *m = a->m;
	struct qp_process *p;
	uint32_t i;

	if (a->last_proc != NIL && a->last_host == host && a->last_pid == pid)
		return a->last_proc;
	i = qp_hmap_get(&a->procmap, host, (uint32_t)pid);
	if (i == NIL) {
		size_t cap = a->cap_procs;

		if (qp_vec_grow(&m->processes, m->nprocesses, &cap, sizeof(*p)))
			return NIL;
		if (cap != a->cap_procs) {
			struct proc *q = realloc(a->procs, cap * sizeof(*q));

			if (!q)
				return NIL;
			a->procs = q;
			a->cap_procs = cap;
		}
		i = (uint32_t)m->nprocesses;
		if (qp_hmap_put(&a->procmap, host, (uint32_t)pid, i))
			return NIL;
		m->nprocesses++;
		p = &m->processes[i];
		memset(p, 0, sizeof(*p));
		p->host = host;
		p->pid = pid;
		memset(&a->procs[i], 0, sizeof(a->procs[i]));
		list_init(&a->procs[i].live);
		list_init(&a->procs[i].unsub);
	}
	a->last_host = host;
	a->last_pid = pid;
	a->last_proc = i;
	return i;
}

static uint32_t thread_get(struct qp_assembler *a, uint32_t proc, int32_t tid)
{
	uint32_t t = qp_hmap_get(&a->thrmap, proc, (uint32_t)tid);
	struct thread *th;

	if (t != NIL)
		return t;
	t = qp_pool_alloc(&a->threads);
	if (t == NIL)
		return NIL;
	if (qp_hmap_put(&a->thrmap, proc, (uint32_t)tid, t)) {
		qp_pool_free(&a->threads, t);
		return NIL;
	}
	th = TH(a, t);
	th->proc = proc;
	th->enq_inf = NIL;
	th->enq_flight = NIL;
	return t;
}

static uint32_t eo_get(struct qp_assembler *a, uint32_t proc, uint64_t ptr,
		       bool create)
{
	uint32_t e = qp_hmap_get(&a->eomap, proc, ptr);
	struct eo *eo;

	if (e != NIL || !create)
		return e;
	e = qp_pool_alloc(&a->eos);
	if (e == NIL)
		return NIL;
	if (qp_hmap_put(&a->eomap, proc, ptr, e)) {
		qp_pool_free(&a->eos, e);
		return NIL;
	}
	eo = EO(a, e);
	eo->proc = proc;
	eo->ptr = ptr;
	eo->program = NIL;
	list_init(&eo->fl);
	return e;
}

/* Forget exec object e (released or replaced) once nothing refers to it. */
static void eo_retire(struct qp_assembler *a, uint32_t e)
{
	struct eo *eo = EO(a, e);

	if (!eo->released) {
		qp_hmap_del(&a->eomap, eo->proc, eo->ptr);
		eo->released = true;
	}
	if (eo->fl.head == NIL)
		qp_pool_free(&a->eos, e);
}

static uint32_t evobj_get(struct qp_assembler *a, uint32_t proc, uint64_t ptr)
{
	uint32_t e = qp_hmap_get(&a->evmap, proc, ptr);
	struct evobj *ev;

	if (e != NIL)
		return e;
	e = qp_pool_alloc(&a->evobjs);
	if (e == NIL)
		return NIL;
	if (qp_hmap_put(&a->evmap, proc, ptr, e)) {
		qp_pool_free(&a->evobjs, e);
		return NIL;
	}
	ev = EV(a, e);
	ev->proc = proc;
	ev->ptr = ptr;
	list_init(&ev->fl);
	return e;
}

static uint32_t bo_get(struct qp_assembler *a, uint32_t proc, int32_t fd,
		       uint32_t handle)
{
	return qp_hmap_get(&a->bomap, fdkey(proc, fd), handle);
}

static uint32_t bo_create(struct qp_assembler *a, uint32_t proc, int32_t fd,
			  uint32_t handle)
{
	uint32_t b = bo_get(a, proc, fd, handle);
	struct bo *bo;

	if (b != NIL)
		return b;
	b = qp_pool_alloc(&a->bos);
	if (b == NIL)
		return NIL;
	if (qp_hmap_put(&a->bomap, fdkey(proc, fd), handle, b)) {
		qp_pool_free(&a->bos, b);
		return NIL;
	}
	bo = BO(a, b);
	bo->proc = proc;
	bo->fd = fd;
	bo->handle = handle;
	bo->dbc = NIL;
	bo->flight = NIL;
	return b;
}

static uint32_t add_program(struct qp_assembler *a, uint32_t proc,
			    uint64_t handle, const char *name)
{
	struct qp_model *m = a->m;
	struct qp_program *pg;
	char *copy = strdup(name ? name : "");

	if (!copy || qp_vec_grow(&m->programs, m->nprograms, &a->cap_programs,
			  sizeof(*pg))) {
		free(copy);
		return NIL;
	}
	pg = &m->programs[m->nprograms];
	memset(pg, 0, sizeof(*pg));
	pg->name = copy;
	pg->process = proc;
	pg->handle = handle;
	pg->dbc_id = QP_NONE;
	return (uint32_t)m->nprograms++;
}

static uint32_t queue_get(struct qp_assembler *a, uint32_t proc, uint64_t ptr)
{
	struct qp_model *m = a->m;
	uint32_t q = qp_hmap_get(&a->queuemap, proc, ptr);

	if (q != NIL)
		return q;
	if (qp_vec_grow(&m->queues, m->nqueues, &a->cap_queues, sizeof(*m->queues)))
		return NIL;
	q = (uint32_t)m->nqueues;
	if (qp_hmap_put(&a->queuemap, proc, ptr, q))
		return NIL;
	m->queues[q].process = proc;
	m->queues[q].handle = ptr;
	m->nqueues++;
	return q;
}

/* The program activated on (proc, fd, dbc), creating "dbc<N>" if asked. */
static uint32_t dbc_program(struct qp_assembler *a, uint32_t proc, int32_t fd,
			    uint32_t dbc, bool synthesize)
{
	uint32_t pg = qp_hmap_get(&a->dbcmap, fdkey(proc, fd), dbc);
	char name[24];

	if (pg != NIL || !synthesize)
		return pg;
	snprintf(name, sizeof(name), "dbc%u", dbc);
	pg = add_program(a, proc, 0, name);
	if (pg == NIL)
		return NIL;
	a->m->programs[pg].dbc_id = dbc;
	if (qp_hmap_put(&a->dbcmap, fdkey(proc, fd), dbc, pg))
		return NIL;
	return pg;
}

static inline uint16_t idx16(uint32_t i)
{
	return i < QP_NONE16 ? (uint16_t)i : QP_NONE16;
}

/* ---- flights ------------------------------------------------------------ */

static uint32_t flight_new(struct qp_assembler *a, uint32_t proc,
			   uint32_t *inf_out)
{
	struct qp_inference *inf;
	struct flight *f;
	uint32_t i;

	inf = qp_model_add_inference(a->m);
	if (!inf)
		return NIL;
	i = qp_pool_alloc(&a->flights);
	if (i == NIL) {
		a->m->ninf--;
		return NIL;
	}
	f = FL(a, i);
	f->inf = (uint32_t)(a->m->ninf - 1);
	f->proc = proc;
	f->eo = f->ev = f->parts = NIL;
	inf->process = proc;
	list_push(a, &a->procs[proc].live, L_PROC, i);
	*inf_out = f->inf;
	return i;
}

/* Drop flight f for good (it must be off every list). */
static void flight_release(struct qp_assembler *a, uint32_t f)
{
	uint32_t pt = FL(a, f)->parts, next;

	for (; pt != NIL; pt = next) {
		struct part *p = PT(a, pt);

		next = p->next;
		if (p->wait_bo != NIL && BO(a, p->wait_bo)->flight == f)
			BO(a, p->wait_bo)->flight = NIL;
		qp_pool_free(&a->parts, pt);
	}
	qp_pool_free(&a->flights, f);
}

/*
 * A part of finished inference f still waiting for perf stats that can
 * come: its wait BO is still f's (not re-executed by a later inference).
 */
static bool perf_awaited(struct qp_assembler *a, uint32_t f)
{
	uint32_t pt;

	for (pt = FL(a, f)->parts; pt != NIL; pt = PT(a, pt)->next) {
		const struct part *p = PT(a, pt);

		if (p->ok && (!p->has_perf || p->perf_partial) &&
		    p->wait_bo != NIL && BO(a, p->wait_bo)->flight == f)
			return true;
	}
	return false;
}

/* The part of flight f on fd, NIL. */
static uint32_t part_find(struct qp_assembler *a, uint32_t f, int32_t fd)
{
	uint32_t pt;

	for (pt = FL(a, f)->parts; pt != NIL; pt = PT(a, pt)->next)
		if (PT(a, pt)->fd == fd)
			return pt;
	return NIL;
}

/*
 * Inference f is finished (completed, failed or given up): take it off the
 * lists.  It lingers only while its perf stats may still come (a kernel
 * part was seen and has no perf stats yet).
 */
static void flight_finish(struct qp_assembler *a, uint32_t f)
{
	struct flight *fl = FL(a, f);
	struct proc *p = &a->procs[fl->proc];

	list_del(a, &p->live, L_PROC, f);
	list_del(a, &p->unsub, L_UNSUB, f);
	if (fl->eo != NIL) {
		struct eo *eo = EO(a, fl->eo);

		list_del(a, &eo->fl, L_EO, f);
		if (eo->released && eo->fl.head == NIL)
			qp_pool_free(&a->eos, fl->eo);
		fl->eo = NIL;
	}
	if (fl->ev != NIL) {
		struct evobj *ev = EV(a, fl->ev);

		list_del(a, &ev->fl, L_EV, f);
		if (ev->fl.head == NIL) {
			qp_hmap_del(&a->evmap, ev->proc, ev->ptr);
			qp_pool_free(&a->evobjs, fl->ev);
		}
		fl->ev = NIL;
	}
	fl->stage = ST_DONE;
	if (!perf_awaited(a, f))
		flight_release(a, f);
}

static bool set_failed(struct qp_assembler *a, uint32_t f, int32_t status)
{
	struct qp_inference *inf = INF(a, FL(a, f)->inf);

	if (inf->state == QP_INF_OK) {
		inf->state = QP_INF_FAILED;
		inf->failed_status = status;
		return true;
	}
	return false;
}

/* The episode state of (proc, fd, dbc), created; NULL when out of memory. */
static struct dbcst *dbc_state(struct qp_assembler *a, uint32_t proc,
			       int32_t fd, uint32_t dbc)
{
	uint32_t i = qp_hmap_get(&a->dbcstmap, fdkey(proc, fd), dbc);

	if (i != NIL)
		return &a->dbcsts[i];
	if (qp_vec_grow(&a->dbcsts, a->ndbcsts, &a->cap_dbcsts,
			sizeof(*a->dbcsts)))
		return NULL;
	i = (uint32_t)a->ndbcsts;
	if (qp_hmap_put(&a->dbcstmap, fdkey(proc, fd), dbc, i))
		return NULL;
	a->ndbcsts++;
	memset(&a->dbcsts[i], 0, sizeof(a->dbcsts[i]));
	return &a->dbcsts[i];
}

/* An episode ends (re-activation, end of trace): a restart if EPIPE. */
static void episode_close(struct qp_assembler *a, struct dbcst *d)
{
	if (d->down && d->epipe) {
		a->m->restarts++;
		a->m->restart_failed += d->failed;
	}
	d->down = d->epipe = false;
	d->failed = 0;
}

/*
 * Part pt of flight f failed with -status (EXECUTE or WAIT): the
 * inference fails, and EPIPE / EPERM open or extend its DBC's episode.
 */
static int fail_part(struct qp_assembler *a, uint32_t f, uint32_t pt,
		     int32_t status)
{
	struct part *p = PT(a, pt);
	bool newly = set_failed(a, f, status);
	struct dbcst *d;

	p->failed = true;
	if (status != -EPIPE && status != -EPERM)
		return 0;
	d = dbc_state(a, FL(a, f)->proc, p->fd, p->dbc);
	if (!d)
		return -ENOMEM;
	d->down = true;
	if (status == -EPIPE)
		d->epipe = true;
	if (newly)
		d->failed++;
	return 0;
}

/* Make BO b the wait handle of part pt of flight f. */
static void link_wait_bo(struct qp_assembler *a, uint32_t f, uint32_t pt,
			 uint32_t b)
{
	struct bo *bo = BO(a, b);
	struct part *p = PT(a, pt);

	if (bo->flight != NIL && bo->flight != f) {
		uint32_t old = bo->flight, op;

		/*
		 * A finished inference stops waiting for this device's perf
		 * stats; its other devices' may still come, each before its
		 * own next EXECUTE (an exec object reused at once over several
		 * devices).
		 */
		op = part_find(a, old, bo->fd);
		if (op != NIL && PT(a, op)->wait_bo == b)
			PT(a, op)->wait_bo = NIL;
		bo->flight = NIL;
		if (FL(a, old)->stage == ST_DONE && !perf_awaited(a, old))
			flight_release(a, old);
	}
	if (p->wait_bo != NIL && p->wait_bo != b &&
	    BO(a, p->wait_bo)->flight == f)
		BO(a, p->wait_bo)->flight = NIL;
	bo->flight = f;
	p->wait_bo = b;
}

/* ---- devices and parts ---------------------------------------------------- */

/* A new model device for (proc, fd) named path (NULL: not seen). */
static uint32_t device_add(struct qp_assembler *a, uint32_t proc, int32_t fd,
			   const char *path)
{
	struct qp_model *m = a->m;
	struct qp_device *d;
	char *copy = strdup(path ? path : "");
	uint32_t i;

	if (!copy || qp_vec_grow(&m->devices, m->ndevices, &a->cap_devices,
				 sizeof(*d))) {
		free(copy);
		return NIL;
	}
	i = (uint32_t)m->ndevices;
	if (qp_hmap_put(&a->devmap, fdkey(proc, fd), 0, i)) {
		free(copy);
		return NIL;
	}
	d = &m->devices[m->ndevices++];
	d->process = proc;
	d->fd = fd;
	d->path = copy;
	return i;
}

/* kmd_open: fd is on the device node path from now on. */
static int on_kmd_open(struct qp_assembler *a, uint32_t proc,
		       const struct qp_event *ev)
{
	const char *path = ev->u.kmd_open.path ? ev->u.kmd_open.path : "";
	uint32_t d = qp_hmap_get(&a->devmap, fdkey(proc, ev->u.kmd_open.fd), 0);

	if (d != NIL && !strcmp(a->m->devices[d].path, path))
		return 0;
	return device_add(a, proc, ev->u.kmd_open.fd, path) == NIL ? -ENOMEM : 0;
}

/* ns after inf's t0 for a span, QP_T_NONE when unknown or out of range. */
static uint32_t span_off(const struct qp_inference *inf, uint64_t ns)
{
	if (!ns || ns < inf->t0 || ns - inf->t0 >= QP_T_NONE)
		return QP_T_NONE;
	return (uint32_t)(ns - inf->t0);
}

/* A span in the model for part pt of flight f. */
static int span_add(struct qp_assembler *a, uint32_t f, uint32_t pt)
{
	struct qp_model *m = a->m;
	struct qp_dev_span *sp;
	struct part *p = PT(a, pt);

	if (qp_vec_grow(&m->spans, m->nspans, &a->cap_spans, sizeof(*sp)))
		return -ENOMEM;
	sp = &m->spans[m->nspans];
	memset(sp, 0, sizeof(*sp));
	sp->inf = FL(a, f)->inf;
	sp->device = idx16(p->device);
	sp->dbc_id = (uint16_t)p->dbc;
	sp->order = p->order;
	sp->exec_begin = sp->exec_end = sp->wait_end = QP_T_NONE;
	p->span = (uint32_t)m->nspans++;
	return 0;
}

/* A new part of flight f on (fd, dbc), after its others; NIL on ENOMEM. */
static uint32_t part_new(struct qp_assembler *a, uint32_t f, int32_t fd,
			 uint32_t dbc)
{
	struct flight *fl = FL(a, f);
	uint32_t pt = qp_pool_alloc(&a->parts), *tail;
	uint32_t proc = fl->proc;
	struct part *p;

	if (pt == NIL)
		return NIL;
	p = PT(a, pt);
	p->next = NIL;
	p->fd = fd;
	p->dbc = dbc;
	p->wait_bo = NIL;
	p->span = NIL;
	p->device = qp_hmap_get(&a->devmap, fdkey(proc, fd), 0);
	if (p->device == NIL)
		p->device = device_add(a, proc, fd, NULL);
	p->order = FL(a, f)->nparts;
	fl = FL(a, f);
	for (tail = &fl->parts; *tail != NIL; tail = &PT(a, *tail)->next)
		;
	*tail = pt;
	if (fl->nparts < UINT8_MAX)
		fl->nparts++;
	if (p->device == NIL)
		return NIL;
	/* a second device: the inference gets spans, the first one too */
	if (fl->nparts == 2) {
		a->m->multi_device++;
		if (span_add(a, f, fl->parts))
			return NIL;
	}
	if (fl->nparts >= 2 && span_add(a, f, pt))
		return NIL;
	return pt;
}

/*
 * The straggler of flight f: of its devices with perf stats, the one whose
 * wait handle has the largest kernel round trip (submit + device latency:
 * exectoVc + execToComplete), the first in EXECUTE order on a tie; NIL
 * when none has perf stats.  Exact from the kernel's integers, and the
 * rule the simulated runtime's latency row follows (docs/MATCHING.md).
 */
static uint32_t straggler(struct qp_assembler *a, uint32_t f)
{
	uint32_t pt, best = NIL;

	for (pt = FL(a, f)->parts; pt != NIL; pt = PT(a, pt)->next) {
		const struct part *p = PT(a, pt);

		if (p->has_perf && p->ok &&
		    (best == NIL || (uint64_t)p->sub + p->dev >
		     (uint64_t)PT(a, best)->sub + PT(a, best)->dev))
			best = pt;
	}
	return best;
}

/* Boundary t of inf at ns, or unknown when ns is 0. */
static void set_time_or_none(struct qp_inference *inf, enum qp_time t,
			     uint64_t ns)
{
	inf->off[t] = QP_T_NONE;
	if (ns)
		qp_inf_set_time(inf, t, ns);
}

/*
 * The record of flight f from its parts: the first EXECUTE entry, the
 * last EXECUTE return, the first WAIT entry, the last WAIT return (the
 * inference is done on the device when its last device is); the kernel
 * figures of the straggler (straggler()); without perf stats, the device
 * whose WAIT returned last.  Its spans, and the flight's stage.
 */
static void flight_sync(struct qp_assembler *a, uint32_t f)
{
	struct flight *fl = FL(a, f);
	struct qp_inference *inf = INF(a, fl->inf);
	uint64_t xb = 0, xe = 0, wb = 0, we = 0;
	uint32_t pt, strag = NIL, last_wait = NIL, first_ok = NIL;
	bool any_sub = false, any_att = false, all_waited = true;

	for (pt = fl->parts; pt != NIL; pt = PT(a, pt)->next) {
		const struct part *p = PT(a, pt);

		if (p->exec_begin && (!xb || p->exec_begin < xb))
			xb = p->exec_begin;
		if (p->ok && p->exec_end > xe)
			xe = p->exec_end;
		if (p->ok && first_ok == NIL)
			first_ok = pt;
		if (p->wait_begin && (!wb || p->wait_begin < wb))
			wb = p->wait_begin;
		if (p->stage == ST_WAITED && p->wait_end >= we) {
			we = p->wait_end;
			last_wait = pt;
		}
		if (p->stage == ST_ATTEMPTED)
			any_att = true;
		if (p->stage >= ST_SUBMITTED)
			any_sub = true;
		if (p->stage == ST_SUBMITTED)
			all_waited = false;
	}
	strag = straggler(a, f);
	set_time_or_none(inf, QP_T_EXEC_BEGIN, xb);
	set_time_or_none(inf, QP_T_EXEC_END, xe);
	set_time_or_none(inf, QP_T_WAIT_BEGIN, wb);
	set_time_or_none(inf, QP_T_WAIT_END, we);
	if (fl->parts != NIL)
		inf->dbc_id = (uint16_t)PT(a, fl->parts)->dbc;
	inf->submit_tid = first_ok != NIL ? PT(a, first_ok)->submit_tid : 0;
	inf->flags &= (uint8_t)~(QP_F_HAS_PERF | QP_F_PERF_BY_SHIM);
	if (strag != NIL) {
		const struct part *p = PT(a, strag);

		inf->submit_latency_us = p->sub;
		inf->device_latency_us = p->dev;
		inf->queue_level_before = p->qlb;
		inf->total_queue_elements = p->tqe;
		inf->flags |= QP_F_HAS_PERF;
		if (p->by_shim)
			inf->flags |= QP_F_PERF_BY_SHIM;
	} else {
		strag = last_wait;
	}
	if (fl->stage != ST_DONE)
		fl->stage = any_sub ? (all_waited && !any_att ? ST_WAITED :
				       ST_SUBMITTED) :
			    any_att ? ST_ATTEMPTED : ST_QUEUED;
	if (fl->nparts < 2)
		return;
	for (pt = fl->parts; pt != NIL; pt = PT(a, pt)->next) {
		const struct part *p = PT(a, pt);
		struct qp_dev_span *sp;

		if (p->span == NIL)
			continue;
		sp = &a->m->spans[p->span];
		sp->dbc_id = (uint16_t)p->dbc;
		sp->exec_begin = p->ok ? span_off(inf, p->exec_begin) : QP_T_NONE;
		sp->exec_end = p->ok ? span_off(inf, p->exec_end) : QP_T_NONE;
		sp->wait_end = p->stage == ST_WAITED ?
			       span_off(inf, p->wait_end) : QP_T_NONE;
		sp->submit_latency_us = p->sub;
		sp->device_latency_us = p->dev;
		sp->queue_level_before = p->qlb;
		sp->total_queue_elements = p->tqe;
		sp->flags = (uint8_t)((p->has_perf ? QP_SPAN_HAS_PERF : 0) |
				      (pt == strag ? QP_SPAN_STRAGGLER : 0) |
				      (p->failed ? QP_SPAN_FAILED : 0));
	}
}

/* ---- setup windows ------------------------------------------------------ */

static int setup_push(struct qp_assembler *a, uint32_t proc,
		      const struct qp_event *ev, int32_t fd, uint32_t handle,
		      int32_t dbc)
{
	uint32_t t = thread_get(a, proc, ev->tid);
	struct thread *th;
	struct setup *s;

	if (t == NIL)
		return -ENOMEM;
	th = TH(a, t);
	if (th->nsetup >= MAX_PENDING_SETUP)
		return 0;	/* a thread that never makes API calls */
	if (qp_vec_grow(&th->setup, th->nsetup, &th->capsetup, sizeof(*s)))
		return -ENOMEM;
	s = &th->setup[th->nsetup++];
	s->begin_ts = ev->begin_ts;
	s->ts = ev->ts;
	s->fd = fd;
	s->handle = handle;
	s->dbc = dbc;
	return 0;
}

static void tie_bo(struct qp_assembler *a, uint32_t proc, const struct setup *s,
		   uint64_t eo_ptr)
{
	uint32_t b = bo_get(a, proc, s->fd, s->handle);
	uint32_t e;

	if (b == NIL || !eo_ptr)
		return;
	BO(a, b)->eo_ptr = eo_ptr;
	e = eo_get(a, proc, eo_ptr, false);
	if (e != NIL)
		EO(a, e)->has_bos = true;
}

static int tie_dbc(struct qp_assembler *a, uint32_t proc,
		   const struct setup *s, uint32_t pg)
{
	if (pg == NIL)
		return 0;
	a->m->programs[pg].dbc_id = (uint32_t)s->dbc;
	return qp_hmap_put(&a->dbcmap, fdkey(proc, s->fd), (uint32_t)s->dbc, pg);
}

/*
 * API event ev on its thread ends the setup window: the setup ioctls that
 * ran inside [begin_ts, ts] belong to the exec object eo_ptr (BOs) and to
 * program pg (activated DBCs).  The others ran outside any API call we
 * know of and stay untied.
 */
static int close_setup_window(struct qp_assembler *a, struct thread *th,
			      const struct qp_event *ev, uint64_t eo_ptr,
			      uint32_t pg)
{
	uint32_t k;
	int rc = 0;

	for (k = 0; k < th->nsetup && !rc; k++) {
		const struct setup *s = &th->setup[k];

		if (s->begin_ts < ev->begin_ts || s->ts > ev->ts)
			continue;
		if (s->dbc >= 0)
			rc = tie_dbc(a, th->proc, s, pg);
		else
			tie_bo(a, th->proc, s, eo_ptr);
	}
	th->nsetup = 0;
	return rc;
}

/* ---- API events ----------------------------------------------------------- */

static uint32_t program_of(struct qp_assembler *a, uint32_t proc, uint64_t ptr)
{
	return ptr ? qp_hmap_get(&a->progmap, proc, ptr) : NIL;
}

static int on_program_create(struct qp_assembler *a, uint32_t proc,
			     const struct qp_event *ev)
{
	uint32_t pg;

	const char *name = ev->u.program_create.name;
	char *label = NULL;

	if (ev->status != 0)
		return 0;
	/* no name: the runtime names it after its QPC (progname.h) */
	if (!name || !*name)
		label = qp_program_label(qp_qpc_paths_find(&a->qpcs, proc,
					ev->u.program_create.qpc));
	pg = add_program(a, proc, ev->u.program_create.program,
			 label ? label : name);
	free(label);
	if (pg == NIL)
		return -ENOMEM;
	a->m->programs[pg].name_from_qpc = label != NULL;
	return qp_hmap_put(&a->progmap, proc, ev->u.program_create.program, pg);
}

/* The group (proc, ptr), created if asked; NULL (or out of memory). */
static struct group *group_get(struct qp_assembler *a, uint32_t proc,
			       uint64_t ptr, bool create)
{
	uint32_t g = qp_hmap_get(&a->groupmap, proc, ptr);

	if (g != NIL)
		return &a->groups[g];
	if (!create || qp_vec_grow(&a->groups, a->ngroups, &a->cap_groups,
				   sizeof(*a->groups)))
		return NULL;
	g = (uint32_t)a->ngroups;
	if (qp_hmap_put(&a->groupmap, proc, ptr, g))
		return NULL;
	memset(&a->groups[g], 0, sizeof(a->groups[g]));
	a->ngroups++;
	return &a->groups[g];
}

/*
 * qaicProgramGroupAddProgram: the group creates the program from a QPC,
 * without a name: it is named after its QPC (progname.h), as an unnamed
 * qaicCreateProgram's.
 */
static int on_group_add(struct qp_assembler *a, uint32_t proc,
			const struct qp_event *ev)
{
	struct group *g;
	char *label;
	uint32_t pg;

	if (ev->status != 0 || !ev->u.program_group_add.program)
		return 0;
	g = group_get(a, proc, ev->u.program_group_add.group, true);
	label = qp_program_label(qp_qpc_paths_find(&a->qpcs, proc,
				 ev->u.program_group_add.qpc));
	pg = add_program(a, proc, ev->u.program_group_add.program, label);
	free(label);
	if (!g || pg == NIL ||
	    qp_vec_grow(&g->progs, g->n, &g->cap, sizeof(*g->progs)))
		return -ENOMEM;
	a->m->programs[pg].name_from_qpc = true;
	g->progs[g->n++] = pg;
	return qp_hmap_put(&a->progmap, proc, ev->u.program_group_add.program,
			   pg);
}

/*
 * qaicProgramGroupEnable loads and activates the group's programs inside
 * the call: the DBCs activated in it belong to them, in add order (one
 * program: all of them; n programs and k * n activations: k consecutive
 * ones each, a program over k devices).  Other counts stay untied.
 */
static int close_group_window(struct qp_assembler *a, struct thread *th,
			      const struct qp_event *ev)
{
	struct group *g = group_get(a, th->proc, ev->u.obj.obj, false);
	uint32_t k, nact = 0, i = 0;
	int rc = 0;

	for (k = 0; k < th->nsetup; k++)
		if (th->setup[k].dbc >= 0 &&
		    th->setup[k].begin_ts >= ev->begin_ts &&
		    th->setup[k].ts <= ev->ts)
			nact++;
	for (k = 0; k < th->nsetup && !rc && g && g->n && nact % g->n == 0;
	     k++) {
		const struct setup *s = &th->setup[k];

		if (s->dbc < 0 || s->begin_ts < ev->begin_ts || s->ts > ev->ts)
			continue;
		rc = tie_dbc(a, th->proc, s, g->progs[i / (nact / g->n)]);
		i++;
	}
	th->nsetup = 0;
	return rc;
}

static int on_execobj_create(struct qp_assembler *a, uint32_t proc,
			     const struct qp_event *ev)
{
	uint64_t ptr = ev->u.execobj_create.execobj;
	uint32_t e;

	if (ev->status != 0 || !ptr)
		return 0;
	e = eo_get(a, proc, ptr, false);
	if (e != NIL)		/* the pointer was reused */
		eo_retire(a, e);
	e = eo_get(a, proc, ptr, true);
	if (e == NIL)
		return -ENOMEM;
	EO(a, e)->program = program_of(a, proc, ev->u.execobj_create.program);
	return 0;
}

static int intern_callsite(struct qp_assembler *a, uint32_t proc,
			   struct thread *th, uint64_t ip, uint32_t *out)
{
	struct qp_model *m = a->m;
	struct qp_callsite cs;
	uint64_t h = ip;
	uint32_t k, c;

	memset(&cs, 0, sizeof(cs));
	cs.process = proc;
	if (ip)
		cs.ips[cs.depth++] = ip;
	for (k = 0; k < th->ncs && cs.depth < 16; k++) {
		if (k == 0 && th->cs[0] == ip)
			continue;
		cs.ips[cs.depth++] = th->cs[k];
	}
	th->ncs = 0;
	*out = QP_NONE;
	if (!cs.depth)
		return 0;
	for (k = 0; k < cs.depth; k++)
		h = qp_hash2(h, cs.ips[k]);
	c = qp_hmap_get(&a->csmap, proc, h);
	if (c != NIL && m->callsites[c].depth == cs.depth &&
	    !memcmp(m->callsites[c].ips, cs.ips, sizeof(cs.ips))) {
		*out = c;
		return 0;
	}
	if (qp_vec_grow(&m->callsites, m->ncallsites, &a->cap_callsites, sizeof(cs)))
		return -ENOMEM;
	c = (uint32_t)m->ncallsites++;
	m->callsites[c] = cs;
	*out = c;
	/* on a (64-bit) hash collision the newer one is simply not interned */
	return qp_hmap_get(&a->csmap, proc, h) == NIL ?
	       qp_hmap_put(&a->csmap, proc, h, c) : 0;
}

static int on_enqueue_entry(struct qp_assembler *a, uint32_t proc,
			    struct thread *th, const struct qp_event *ev)
{
	uint64_t eo_ptr = ev->u.enqueue_entry.execobj;
	uint64_t ev_ptr = ev->u.enqueue_entry.event;
	struct qp_inference *inf;
	uint32_t f, i, e, q = NIL, cs;
	int rc;

	a->procs[proc].api = true;
	f = flight_new(a, proc, &i);
	if (f == NIL)
		return -ENOMEM;
	inf = INF(a, i);
	inf->t0 = ev->ts;
	inf->flags |= QP_F_HAS_ENQ;
	inf->seq = (uint32_t)ev->u.enqueue_entry.seq;
	inf->enq_tid = ev->tid;
	inf->done_tid = -1;
	if (ev->u.enqueue_entry.queue) {
		q = queue_get(a, proc, ev->u.enqueue_entry.queue);
		if (q == NIL)
			return -ENOMEM;
	}
	rc = intern_callsite(a, proc, th, ev->ip, &cs);
	if (rc)
		return rc;
	inf = INF(a, i);
	inf->queue = idx16(q);
	inf->callsite = cs;
	list_push(a, &a->procs[proc].unsub, L_UNSUB, f);
	e = eo_get(a, proc, eo_ptr, true);	/* created before tracing? */
	if (e == NIL)
		return -ENOMEM;
	FL(a, f)->eo = e;
	list_push(a, &EO(a, e)->fl, L_EO, f);
	inf->program = idx16(EO(a, e)->program);
	if (ev_ptr) {
		uint32_t v = evobj_get(a, proc, ev_ptr);

		if (v == NIL)
			return -ENOMEM;
		FL(a, f)->ev = v;
		list_push(a, &EV(a, v)->fl, L_EV, f);
	}
	th->enq_inf = i;
	th->enq_flight = f;
	th->enq_eo = eo_ptr;
	return 0;
}

static void on_enqueue_exit(struct qp_assembler *a, struct thread *th,
			    const struct qp_event *ev)
{
	struct qp_inference *inf;
	uint32_t f = th->enq_flight;

	if (th->enq_inf == NIL)
		return;
	inf = INF(a, th->enq_inf);
	if (inf->seq != (uint32_t)ev->u.enqueue_exit.seq)
		return;
	qp_inf_set_time(inf, QP_T_ENQ_END, ev->ts);
	if (ev->status != 0) {
		/* never queued: no kernel part, no completion will come */
		if (inf->state == QP_INF_OK) {
			inf->state = QP_INF_FAILED;
			inf->failed_status = ev->status;
		}
		if (f != NIL && FL(a, f)->inf == th->enq_inf &&
		    FL(a, f)->stage != ST_DONE)
			flight_finish(a, f);
	}
	th->enq_inf = NIL;
	th->enq_flight = NIL;
}

/*
 * The inference a completion signal on an object (exec object or event)
 * belongs to: the oldest not-finished one on the object's list whose kernel
 * WAIT returned (the signal follows it).  Excluded (lost, failed) inferences
 * older than it will get no signal of their own any more: finished too.
 * If none was waited, the oldest one, or NIL.
 */
static uint32_t signalled(struct qp_assembler *a, const struct list *l,
			  int which, bool *waited)
{
	uint32_t f, next;

	*waited = false;
	for (f = l->head; f != NIL; f = FL(a, f)->link[which].next)
		if (FL(a, f)->stage == ST_WAITED)
			break;
	if (f == NIL)
		return l->head;
	*waited = true;
	for (next = l->head; next != f;) {
		uint32_t g = next;

		next = FL(a, g)->link[which].next;
		if (INF(a, FL(a, g)->inf)->state != QP_INF_OK)
			flight_finish(a, g);
	}
	return f;
}

/*
 * A completion signal of kind k (wait returned, callback entered, event
 * wait returned) on list l of an object; ok is false when the call failed.
 */
static void complete(struct qp_assembler *a, const struct list *l, int which,
		     enum qp_done_kind k, const struct qp_event *ev, bool ok)
{
	struct qp_inference *inf;
	struct flight *fl;
	struct proc *p;
	bool waited;
	uint32_t f = l ? signalled(a, l, which, &waited) : NIL;

	if (f == NIL) {
		if (ok)
			a->st.orphan_completions++;
		return;
	}
	fl = FL(a, f);
	inf = INF(a, fl->inf);
	p = &a->procs[fl->proc];
	if (inf->state != QP_INF_OK) {
		/* failed / lost: the signal is its own, consume it */
		flight_finish(a, f);
		return;
	}
	if (!ok)
		return;		/* e.g. the application's own timeout */
	if (waited) {
		qp_inf_set_time(inf, QP_T_DONE, ev->ts);
		inf->done_kind = (uint8_t)k;
		inf->done_tid = ev->tid;
		if (!p->done_kind)
			p->done_kind = (uint8_t)k;
		flight_finish(a, f);
		return;
	}
	/*
	 * Not kernel-complete.  A second "first of" signal (e.g. the event
	 * wait after the callback already completed the previous inference)
	 * is ignored; a signal of the kind this process completes with, for
	 * an inference no kernel event was tied to, makes it UNMATCHED.
	 */
	if (inf->match == QP_MATCH_NONE && (!p->done_kind || p->done_kind == k)) {
		qp_inf_set_time(inf, QP_T_DONE, ev->ts);
		inf->done_kind = (uint8_t)k;
		inf->done_tid = ev->tid;
		inf->state = QP_INF_UNMATCHED;
		flight_finish(a, f);
		return;
	}
	a->st.ignored_completions++;
}

static void on_execobj_wait(struct qp_assembler *a, uint32_t proc,
			    const struct qp_event *ev)
{
	uint32_t e = eo_get(a, proc, ev->u.execobj_wait.execobj, false);

	complete(a, e == NIL ? NULL : &EO(a, e)->fl, L_EO, QP_DONE_WAIT, ev,
		 ev->status == 0);
}

static void on_event_signal(struct qp_assembler *a, uint32_t proc,
			    uint64_t ptr, enum qp_done_kind k,
			    const struct qp_event *ev, bool ok)
{
	uint32_t v = qp_hmap_get(&a->evmap, proc, ptr);

	complete(a, v == NIL ? NULL : &EV(a, v)->fl, L_EV, k, ev, ok);
}

static void on_execobj_release(struct qp_assembler *a, uint32_t proc,
			       const struct qp_event *ev)
{
	uint32_t e;

	if (ev->status != 0)
		return;
	e = eo_get(a, proc, ev->u.obj.obj, false);
	if (e != NIL)
		eo_retire(a, e);
}

static int set_str(char **dst, const char *s)
{
	char *c = strdup(s ? s : "");

	if (!c)
		return -ENOMEM;
	free(*dst);
	*dst = c;
	return 0;
}

static int on_process_info(struct qp_assembler *a, uint32_t proc,
			   const struct qp_event *ev)
{
	struct qp_process *p = &a->m->processes[proc];
	const char *patch = ev->u.process.rt_patch ? ev->u.process.rt_patch : "";
	const char *var = ev->u.process.rt_variant ? ev->u.process.rt_variant : "";
	char *ver = NULL;

	if (set_str(&p->runtime_path, ev->u.process.runtime_path) ||
	    set_str(&p->shim_version, ev->u.process.shim_version) ||
	    set_str(&p->settings, ev->u.process.settings))
		return -ENOMEM;
	if (ev->u.process.rt_major || ev->u.process.rt_minor || *patch) {
		if (asprintf(&ver, "%u.%u.%s%s%s", ev->u.process.rt_major,
			     ev->u.process.rt_minor, *patch ? patch : "0",
			     *var ? "-" : "", var) < 0)
			return -ENOMEM;
	}
	free(p->rt_version);
	p->rt_version = ver;
	return 0;
}

/* API events that end a setup window: which exec object / program. */
static void window_owner(struct qp_assembler *a, uint32_t proc,
			 const struct qp_event *ev, uint64_t *eo_ptr,
			 uint32_t *pg)
{
	*eo_ptr = 0;
	*pg = NIL;
	switch (ev->kind) {
	case QP_EV_API_EXECOBJ_CREATE:
		*eo_ptr = ev->u.execobj_create.execobj;
		*pg = program_of(a, proc, ev->u.execobj_create.program);
		break;
	case QP_EV_API_EXECOBJ_SET_DATA:
		*eo_ptr = ev->u.set_data.execobj;
		break;
	case QP_EV_API_PROGRAM_LOAD:
		*pg = program_of(a, proc, ev->u.obj.obj);
		break;
	case QP_EV_API_PROGRAM_ACTIVATION:
		if (ev->u.program_activation.cmd == 0)
			*pg = program_of(a, proc,
					 ev->u.program_activation.program);
		break;
	default:
		break;
	}
}

static int on_api(struct qp_assembler *a, uint32_t proc,
		  const struct qp_event *ev)
{
	uint32_t t = thread_get(a, proc, ev->tid);
	struct thread *th;
	uint64_t eo_ptr;
	uint32_t pg;
	int rc = 0;

	if (t == NIL)
		return -ENOMEM;
	if (ev->kind == QP_EV_API_CALLSTACK) {
		th = TH(a, t);
		th->ncs = ev->u.callstack.depth < MAX_STACK ?
			  ev->u.callstack.depth : MAX_STACK;
		memcpy(th->cs, ev->u.callstack.ips, th->ncs * sizeof(th->cs[0]));
		return 0;
	}
	/* objects first, so that the setup window can name them */
	switch (ev->kind) {
	case QP_EV_API_QPC_OPEN:
		if (ev->status == 0 && ev->u.qpc_open.qpc &&
		    qp_qpc_paths_add(&a->qpcs, proc, ev->u.qpc_open.qpc,
				     ev->u.qpc_open.path))
			rc = -ENOMEM;
		break;
	case QP_EV_API_PROGRAM_CREATE:
		rc = on_program_create(a, proc, ev);
		break;
	case QP_EV_API_EXECOBJ_CREATE:
		rc = on_execobj_create(a, proc, ev);
		break;
	case QP_EV_API_PROGRAM_GROUP_CREATE:
		if (ev->status == 0 && ev->u.program_group_create.queue &&
		    queue_get(a, proc, ev->u.program_group_create.queue) == NIL)
			rc = -ENOMEM;
		break;
	case QP_EV_API_PROGRAM_GROUP_ADD:
		rc = on_group_add(a, proc, ev);
		break;
	case QP_EV_API_QUEUE_CREATE:
		if (ev->status == 0 && ev->u.queue_create.queue &&
		    queue_get(a, proc, ev->u.queue_create.queue) == NIL)
			rc = -ENOMEM;
		break;
	default:
		break;
	}
	if (rc)
		return rc;
	th = TH(a, t);
	/* any other call on this thread means its enqueue has returned */
	if (ev->kind != QP_EV_API_ENQUEUE_EXIT &&
	    ev->kind != QP_EV_API_CALLBACK_ENTRY &&
	    ev->kind != QP_EV_API_CALLBACK_EXIT)
		th->enq_inf = th->enq_flight = NIL;
	window_owner(a, proc, ev, &eo_ptr, &pg);
	if (ev->kind == QP_EV_API_PROGRAM_GROUP_ENABLE && ev->status == 0)
		rc = close_group_window(a, th, ev);
	else if (ev->kind != QP_EV_API_ENQUEUE_EXIT && ev->status == 0)
		rc = close_setup_window(a, th, ev, eo_ptr, pg);
	else if (ev->kind != QP_EV_API_ENQUEUE_EXIT)
		th->nsetup = 0;
	if (rc)
		return rc;

	switch (ev->kind) {
	case QP_EV_API_ENQUEUE_ENTRY:
		return on_enqueue_entry(a, proc, th, ev);
	case QP_EV_API_ENQUEUE_EXIT:
		on_enqueue_exit(a, th, ev);
		th->nsetup = 0;
		break;
	case QP_EV_API_EXECOBJ_WAIT:
		on_execobj_wait(a, proc, ev);
		break;
	case QP_EV_API_CALLBACK_ENTRY:
		on_event_signal(a, proc, ev->u.callback_entry.event,
				QP_DONE_CALLBACK, ev, true);
		break;
	case QP_EV_API_EVENT_WAIT:
		on_event_signal(a, proc, ev->u.obj.obj, QP_DONE_EVENT_WAIT, ev,
				ev->status == 0);
		break;
	case QP_EV_API_EXECOBJ_RELEASE:
		on_execobj_release(a, proc, ev);
		break;
	default:
		break;
	}
	TH(a, t)->ncs = 0;	/* a call stack belongs to the next API event */
	return 0;
}

/* ---- kernel events -------------------------------------------------------- */

/* Setup ioctl: remember the BO now; its owner is known at the API event. */
static int on_bo_setup(struct qp_assembler *a, uint32_t proc,
		       const struct qp_event *ev, int32_t fd, uint32_t handle,
		       uint32_t dbc, bool attach)
{
	uint32_t b, t;
	struct thread *th;

	if (ev->status < 0)
		return 0;
	b = bo_create(a, proc, fd, handle);
	if (b == NIL)
		return -ENOMEM;
	if (attach) {
		BO(a, b)->dbc = dbc;
		BO(a, b)->dir = ev->u.attach_slice.dir;
	}
	/* created inside a running qaicEnqueueExecObj: it is that exec object's */
	t = thread_get(a, proc, ev->tid);
	if (t == NIL)
		return -ENOMEM;
	th = TH(a, t);
	if (th->enq_inf != NIL && th->enq_eo) {
		struct setup s = { .fd = fd, .handle = handle, .dbc = -1 };

		tie_bo(a, proc, &s, th->enq_eo);
		return 0;
	}
	return setup_push(a, proc, ev, fd, handle, -1);
}

static void on_bo_release(struct qp_assembler *a, uint32_t proc,
			  const struct qp_event *ev)
{
	int32_t fd = ev->u.bo_release.fd;
	uint32_t b = bo_get(a, proc, fd, ev->u.bo_release.handle);
	struct bo *bo;

	if (b == NIL || ev->status < 0)
		return;
	bo = BO(a, b);
	if (ev->u.bo_release.detach) {
		bo->dbc = NIL;
		bo->dir = 0;
		return;
	}
	if (bo->flight != NIL) {
		uint32_t f = bo->flight, pt;

		/* its other devices' perf stats may still come (link_wait_bo) */
		pt = part_find(a, f, fd);
		if (pt != NIL && PT(a, pt)->wait_bo == b)
			PT(a, pt)->wait_bo = NIL;
		bo->flight = NIL;
		if (FL(a, f)->stage == ST_DONE && !perf_awaited(a, f))
			flight_release(a, f);
	}
	qp_hmap_del(&a->bomap, fdkey(proc, fd), bo->handle);
	qp_pool_free(&a->bos, b);
}

/*
 * The wait handle of an EXECUTE: its last FROM_DEV entry, else its last.
 * A BO's direction is the one ATTACH_SLICE gave it (the kernel enforces
 * that one and ignores the entry's `dir`); the entry's only for a BO
 * attached before tracing started.
 */
static uint32_t wait_handle(struct qp_assembler *a, uint32_t proc,
			    const struct qp_event *ev)
{
	uint32_t n = ev->u.execute.count;
	uint32_t k, b, dir;

	for (k = n; k-- > 0;) {
		b = bo_get(a, proc, ev->u.execute.fd, ev->u.execute.handles[k]);
		dir = b != NIL && BO(a, b)->dir ? BO(a, b)->dir :
		      ev->u.execute.dirs[k];
		if (dir == DIR_FROM_DEV)
			return ev->u.execute.handles[k];
	}
	return n ? ev->u.execute.handles[n - 1] : 0;
}

/* The exec object an EXECUTE's BOs were tied to, NIL if none. */
static uint32_t eo_of_execute(struct qp_assembler *a, uint32_t proc,
			      const struct qp_event *ev)
{
	uint32_t n = ev->u.execute.count;
	uint32_t k, b;

	for (k = 0; k < n; k++) {
		b = bo_get(a, proc, ev->u.execute.fd, ev->u.execute.handles[k]);
		if (b != NIL && BO(a, b)->eo_ptr)
			return eo_get(a, proc, BO(a, b)->eo_ptr, false);
	}
	return NIL;
}

/*
 * Oldest inference of exec object e without a successful EXECUTE on fd
 * (one device: without a successful EXECUTE at all).
 */
static uint32_t eo_pending(struct qp_assembler *a, uint32_t e, int32_t fd)
{
	uint32_t f, pt;

	for (f = EO(a, e)->fl.head; f != NIL; f = FL(a, f)->link[L_EO].next) {
		pt = part_find(a, f, fd);
		if (pt == NIL || PT(a, pt)->stage == ST_ATTEMPTED)
			return f;
	}
	return NIL;
}

/*
 * FIFO fallback: the oldest not-submitted inference of the process that no
 * BO tie could claim (its exec object has no tied BOs) and whose program is
 * on this dbc_id or unknown.
 */
static uint32_t fifo_candidate(struct qp_assembler *a, uint32_t proc,
			       int32_t fd, uint32_t dbc)
{
	uint32_t pg_on_dbc = dbc_program(a, proc, fd, dbc, false);
	uint32_t f;

	for (f = a->procs[proc].unsub.head; f != NIL;
	     f = FL(a, f)->link[L_UNSUB].next) {
		const struct flight *fl = FL(a, f);
		const struct eo *eo = fl->eo != NIL ? EO(a, fl->eo) : NULL;
		uint32_t pg;

		if (eo && eo->has_bos)
			continue;
		pg = eo ? eo->program : NIL;
		if (pg == NIL || pg_on_dbc == NIL || pg == pg_on_dbc ||
		    a->m->programs[pg].dbc_id == QP_NONE)
			return f;
	}
	return NIL;
}

/*
 * FIFO fallback, another device of a program over several: the oldest
 * inference of the program activated on (fd, dbc) that was submitted on
 * other devices but not on this one (its exec object has no tied BOs).
 */
static uint32_t fifo_other_device(struct qp_assembler *a, uint32_t proc,
				  int32_t fd, uint32_t dbc)
{
	uint32_t pg = dbc_program(a, proc, fd, dbc, false);
	uint32_t f;

	if (pg == NIL)
		return NIL;
	for (f = a->procs[proc].live.head; f != NIL;
	     f = FL(a, f)->link[L_PROC].next) {
		const struct flight *fl = FL(a, f);

		if (fl->stage < ST_SUBMITTED ||
		    INF(a, fl->inf)->program != idx16(pg) ||
		    (fl->eo != NIL && EO(a, fl->eo)->has_bos) ||
		    part_find(a, f, fd) != NIL)
			continue;
		return f;
	}
	return NIL;
}

/* A kernel-only inference starting with this EXECUTE. */
static uint32_t kernel_only_flight(struct qp_assembler *a, uint32_t proc,
				   const struct qp_event *ev)
{
	struct qp_inference *inf;
	uint32_t f, i, pg;

	pg = dbc_program(a, proc, ev->u.execute.fd, ev->u.execute.dbc_id, true);
	if (pg == NIL)
		return NIL;
	f = flight_new(a, proc, &i);
	if (f == NIL)
		return NIL;
	inf = INF(a, i);
	inf->t0 = ev->begin_ts;
	inf->seq = a->procs[proc].kseq++;
	inf->enq_tid = ev->tid;
	inf->done_tid = -1;
	inf->program = idx16(pg);
	inf->match = QP_MATCH_KERNEL_ONLY;
	return f;
}

/* Whether flight f has a successful EXECUTE on some device. */
static bool any_ok(struct qp_assembler *a, uint32_t f)
{
	uint32_t pt;

	for (pt = FL(a, f)->parts; pt != NIL; pt = PT(a, pt)->next)
		if (PT(a, pt)->ok)
			return true;
	return false;
}

static int on_execute(struct qp_assembler *a, uint32_t proc,
		      const struct qp_event *ev)
{
	int32_t fd = ev->u.execute.fd;
	uint32_t dbc = ev->u.execute.dbc_id;
	/* schema 2: the shim names it (from the same ATTACH_SLICE dirs) */
	uint32_t wh = ev->u.execute.wait_handle ? ev->u.execute.wait_handle :
		      wait_handle(a, proc, ev);
	uint32_t b = bo_create(a, proc, fd, wh);
	uint8_t match = QP_MATCH_BO;
	struct qp_inference *inf;
	struct part *p;
	uint32_t f = NIL, e, pt;
	int rc;

	if (b == NIL)
		return -ENOMEM;
	/*
	 * A retry after EAGAIN (or EINTR) continues the inference of the
	 * first attempt: its wait handle's part on this device was only
	 * attempted.
	 */
	if (BO(a, b)->flight != NIL) {
		uint32_t g = BO(a, b)->flight;

		pt = part_find(a, g, fd);
		if (pt != NIL && PT(a, pt)->stage == ST_ATTEMPTED &&
		    FL(a, g)->stage != ST_DONE) {
			f = g;
			match = INF(a, FL(a, f)->inf)->match;
		}
	}
	if (f != NIL) {
		/* found */
	} else if (!a->procs[proc].api) {
		f = kernel_only_flight(a, proc, ev);
		if (f == NIL)
			return -ENOMEM;
		match = QP_MATCH_KERNEL_ONLY;
	} else {
		e = eo_of_execute(a, proc, ev);
		if (e != NIL)
			f = eo_pending(a, e, fd);
		if (f == NIL && e == NIL) {
			match = QP_MATCH_FIFO;
			f = fifo_other_device(a, proc, fd, dbc);
			if (f == NIL)
				f = fifo_candidate(a, proc, fd, dbc);
		}
	}
	if (f == NIL) {
		if (ev->status >= 0)
			a->st.orphan_executes++;
		return 0;
	}
	pt = part_find(a, f, fd);
	if (pt == NIL) {
		pt = part_new(a, f, fd, dbc);
		if (pt == NIL)
			return -ENOMEM;
	}
	link_wait_bo(a, f, pt, b);
	inf = INF(a, FL(a, f)->inf);
	/*
	 * EXEC_BEGIN is the entry of the successful attempt (model.h): the
	 * EAGAIN retries and their back-off fall in preProc, as in the
	 * runtime's own phases.  Each attempt overwrites it.
	 */
	p = PT(a, pt);
	p->exec_begin = ev->begin_ts;
	p->dbc = dbc;
	p->nreq = ev->u.execute.count;
	inf->match = match;
	if (inf->program == QP_NONE16)
		inf->program = idx16(dbc_program(a, proc, fd, dbc, false));
	if (ev->status >= 0) {
		if ((inf->flags & QP_F_HAS_ENQ) &&
		    inf->off[QP_T_ENQ_END] == QP_T_NONE && !any_ok(a, f))
			a->st.exec_before_enq_exit++;
		p = PT(a, pt);
		p->exec_end = ev->ts;
		p->submit_tid = ev->tid;
		p->ok = true;
		p->stage = ST_SUBMITTED;
		list_del(a, &a->procs[proc].unsub, L_UNSUB, f);
		flight_sync(a, f);
		return 0;
	}
	if (ev->err == EAGAIN || ev->err == EINTR) {
		/* EINTR: interrupted before queuing, the runtime may retry */
		if (ev->err == EINTR)
			a->m->exec_interrupted++;
		else if (inf->exec_retries < UINT8_MAX)
			inf->exec_retries++;
		p->stage = ST_ATTEMPTED;
		flight_sync(a, f);
		return 0;
	}
	p->stage = ST_SUBMITTED;	/* its completion signal may still come */
	rc = fail_part(a, f, pt, -ev->err);
	list_del(a, &a->procs[proc].unsub, L_UNSUB, f);
	flight_sync(a, f);
	if (match == QP_MATCH_KERNEL_ONLY)
		flight_finish(a, f);
	return rc;
}

static int on_wait(struct qp_assembler *a, uint32_t proc,
		   const struct qp_event *ev)
{
	uint32_t b = bo_get(a, proc, ev->u.wait.fd, ev->u.wait.handle);
	struct qp_inference *inf;
	struct part *p;
	uint32_t f, pt = NIL;
	int rc;

	f = b == NIL ? NIL : BO(a, b)->flight;
	if (f != NIL)
		pt = part_find(a, f, ev->u.wait.fd);
	if (pt == NIL || PT(a, pt)->stage != ST_SUBMITTED || PT(a, pt)->failed ||
	    FL(a, f)->stage == ST_DONE) {
		if (ev->status >= 0)
			a->st.orphan_waits++;
		return 0;
	}
	p = PT(a, pt);
	inf = INF(a, FL(a, f)->inf);
	if (!p->wait_begin)
		p->wait_begin = ev->begin_ts;
	if (ev->status < 0) {
		/* the runtime waits again: a timeout, or a signal (EINTR) */
		if (ev->err == ETIMEDOUT || ev->err == EINTR) {
			if (ev->err == EINTR)
				a->m->wait_interrupted++;
			flight_sync(a, f);
			return 0;
		}
		rc = fail_part(a, f, pt, -ev->err);
		flight_sync(a, f);
		if (inf->match == QP_MATCH_KERNEL_ONLY)
			flight_finish(a, f);
		return rc;
	}
	p->wait_end = ev->ts;
	p->stage = ST_WAITED;
	flight_sync(a, f);
	if (inf->match == QP_MATCH_KERNEL_ONLY &&
	    FL(a, f)->stage == ST_WAITED) {
		qp_inf_set_time(inf, QP_T_DONE, ev->ts);
		inf->done_kind = QP_DONE_KERNEL;
		inf->done_tid = ev->tid;
		flight_finish(a, f);
	}
	return 0;
}

/* Part p's perf stats from entry w of a query of n entries. */
static void take_perf(struct part *p, const struct qp_event *ev, uint32_t w,
		      uint32_t n)
{
	uint32_t k, total = 0;

	for (k = 0; k < n; k++)
		total += ev->u.perf_stats.num_queue_element[k];
	p->sub = ev->u.perf_stats.submit_latency_us[w];
	p->dev = ev->u.perf_stats.device_latency_us[w];
	p->qlb = ev->u.perf_stats.queue_level_before[0];
	p->tqe = total;
	p->has_perf = true;
	p->by_shim = ev->u.perf_stats.by_shim;
	p->perf_partial = n < p->nreq;
}

static void on_perf_stats(struct qp_assembler *a, uint32_t proc,
			  const struct qp_event *ev)
{
	uint32_t n = ev->u.perf_stats.count;
	int32_t fd = ev->u.perf_stats.fd;
	bool used = false;
	uint32_t k;

	/* schema 1: one query per event; schema 2 counts kmd_perf_query */
	if (ev->u.perf_stats.by_shim && !a->procs[proc].perf_query)
		a->m->shim_perf_queries++;
	if (ev->status < 0)
		return;
	for (k = 0; k < n; k++) {
		uint32_t b = bo_get(a, proc, fd, ev->u.perf_stats.handles[k]);
		uint32_t f = b == NIL ? NIL : BO(a, b)->flight;
		uint32_t pt = f == NIL ? NIL : part_find(a, f, fd);
		struct part *p;

		if (pt == NIL)
			continue;
		p = PT(a, pt);
		if (p->stage < ST_SUBMITTED || !p->ok)
			continue;
		/* queried before completion: the kernel reports 0 */
		if (p->stage == ST_SUBMITTED &&
		    !ev->u.perf_stats.device_latency_us[k])
			continue;
		used = true;
		/*
		 * The first query wins, unless it missed entries of the
		 * request (entry 0's queue level and the ring elements of
		 * every BO are needed): then a complete one replaces it.
		 */
		if (p->has_perf && (!p->perf_partial || n < p->nreq))
			continue;
		take_perf(p, ev, k, n);
		flight_sync(a, f);
		if (FL(a, f)->stage == ST_DONE && !perf_awaited(a, f))
			flight_release(a, f);
	}
	if (!used)
		a->st.orphan_perf++;
}

static int on_manage(struct qp_assembler *a, uint32_t proc,
		     const struct qp_event *ev)
{
	uint32_t pg;

	if (ev->status < 0)
		return 0;
	if (ev->u.manage.deactivated_dbc >= 0) {
		pg = dbc_program(a, proc, ev->u.manage.fd,
				 (uint32_t)ev->u.manage.deactivated_dbc, false);
		if (pg != NIL && a->m->programs[pg].handle)
			qp_hmap_del(&a->dbcmap, fdkey(proc, ev->u.manage.fd),
				 (uint32_t)ev->u.manage.deactivated_dbc);
	}
	if (ev->u.manage.activated_dbc < 0)
		return 0;
	/* activated (again): an episode of failures on it is over */
	pg = qp_hmap_get(&a->dbcstmap, fdkey(proc, ev->u.manage.fd),
			 (uint32_t)ev->u.manage.activated_dbc);
	if (pg != NIL)
		episode_close(a, &a->dbcsts[pg]);
	return setup_push(a, proc, ev, ev->u.manage.fd, 0,
			  ev->u.manage.activated_dbc);
}

/* ---- lost events ---------------------------------------------------------- */

/* Inferences of proc in flight while events were lost: excluded. */
static void lose_process(struct qp_assembler *a, uint32_t proc,
			 const struct qp_event *ev)
{
	uint32_t f;

	if (!ev->u.discarded.packets)
		a->m->processes[proc].discarded_events += ev->u.discarded.count;
	for (f = a->procs[proc].live.head; f != NIL;
	     f = FL(a, f)->link[L_PROC].next) {
		struct qp_inference *inf = INF(a, FL(a, f)->inf);

		if (inf->state == QP_INF_OK) {
			inf->state = QP_INF_LOST_EVENTS;
			a->st.lost_inferences++;
		}
	}
}

static int on_discarded(struct qp_assembler *a, const struct qp_event *ev)
{
	struct qp_model *m = a->m;
	uint32_t p;

	if (ev->u.discarded.packets)
		m->discarded_packets += ev->u.discarded.count;
	else
		m->discarded_events += ev->u.discarded.count;
	if (ev->pid >= 0) {
		p = proc_get(a, ev->host, ev->pid);
		if (p == NIL)
			return -ENOMEM;
		lose_process(a, p, ev);
		return 0;
	}
	/* the stream does not say whose events: every process of the host */
	for (p = 0; p < m->nprocesses; p++)
		if (m->processes[p].host == ev->host)
			lose_process(a, p, ev);
	return 0;
}

/* ---- entry points ----------------------------------------------------------- */

/* Processes already in the model (normally none) get assembler state. */
static int adopt_processes(struct qp_assembler *a)
{
	struct qp_model *m = a->m;
	size_t k;

	a->cap_procs = m->nprocesses;
	if (!m->nprocesses)
		return 0;
	a->procs = calloc(m->nprocesses, sizeof(*a->procs));
	if (!a->procs)
		return -ENOMEM;
	for (k = 0; k < m->nprocesses; k++) {
		list_init(&a->procs[k].live);
		list_init(&a->procs[k].unsub);
		if (qp_hmap_put(&a->procmap, m->processes[k].host,
			     (uint32_t)m->processes[k].pid, (uint32_t)k))
			return -ENOMEM;
	}
	return 0;
}

struct qp_assembler *qp_assembler_new(struct qp_model *m)
{
	struct qp_assembler *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->m = m;
	qp_pool_init(&a->flights, sizeof(struct flight));
	qp_pool_init(&a->parts, sizeof(struct part));
	qp_pool_init(&a->bos, sizeof(struct bo));
	qp_pool_init(&a->eos, sizeof(struct eo));
	qp_pool_init(&a->evobjs, sizeof(struct evobj));
	qp_pool_init(&a->threads, sizeof(struct thread));
	a->last_proc = NIL;
	a->cap_programs = m->nprograms;
	a->cap_queues = m->nqueues;
	a->cap_callsites = m->ncallsites;
	a->cap_devices = m->ndevices;
	a->cap_spans = m->nspans;
	if (adopt_processes(a)) {
		qp_assembler_free(a);
		return NULL;
	}
	return a;
}

static void note_ts(struct qp_assembler *a, uint32_t proc, uint64_t ts)
{
	struct qp_process *p = &a->m->processes[proc];

	if (!p->first_ts || ts < p->first_ts)
		p->first_ts = ts;
	if (ts > p->last_ts)
		p->last_ts = ts;
	if (!a->m->first_ts || ts < a->m->first_ts)
		a->m->first_ts = ts;
	if (ts > a->m->last_ts)
		a->m->last_ts = ts;
}

static int dispatch_kmd(struct qp_assembler *a, uint32_t proc,
			const struct qp_event *ev)
{
	switch (ev->kind) {
	case QP_EV_KMD_EXECUTE:
		return on_execute(a, proc, ev);
	case QP_EV_KMD_WAIT:
		return on_wait(a, proc, ev);
	case QP_EV_KMD_PERF_STATS:
		on_perf_stats(a, proc, ev);
		return 0;
	case QP_EV_KMD_CREATE_BO:
		return on_bo_setup(a, proc, ev, ev->u.create_bo.fd,
				   ev->u.create_bo.handle, 0, false);
	case QP_EV_KMD_ATTACH_SLICE:
		return on_bo_setup(a, proc, ev, ev->u.attach_slice.fd,
				   ev->u.attach_slice.handle,
				   ev->u.attach_slice.dbc_id, true);
	case QP_EV_KMD_MANAGE:
		return on_manage(a, proc, ev);
	case QP_EV_KMD_BO_RELEASE:
		on_bo_release(a, proc, ev);
		return 0;
	case QP_EV_KMD_OPEN:
		return on_kmd_open(a, proc, ev);
	case QP_EV_KMD_PERF_QUERY:
		/* the shim's own call; its answers follow as kmd_perf_stats */
		a->procs[proc].perf_query = true;
		a->m->shim_perf_queries++;
		return 0;
	default:		/* MMAP_BO, OPEN, OTHER: nothing to tie */
		return 0;
	}
}

int qp_assembler_feed(struct qp_assembler *a, const struct qp_event *ev)
{
	uint32_t proc;

	if ((unsigned int)ev->kind >= QP_EV__COUNT)
		return 0;
	if (ev->kind == QP_EV_DISCARDED)
		return on_discarded(a, ev);
	a->m->events++;
	proc = proc_get(a, ev->host, ev->pid);
	if (proc == NIL)
		return -ENOMEM;
	note_ts(a, proc, ev->ts);
	if (ev->kind == QP_EV_PROCESS_INFO)
		return on_process_info(a, proc, ev);
	if (qp_ev_is_kmd(ev->kind))
		return dispatch_kmd(a, proc, ev);
	if (qp_ev_is_py(ev->kind)) {
		struct qp_event api;

		return qp_py_as_api(ev, &api) ? on_api(a, proc, &api) : 0;
	}
	return on_api(a, proc, ev);
}

int qp_assembler_sink(const struct qp_event *ev, void *data)
{
	return qp_assembler_feed(data, ev);
}

/* Spans by inference, then EXECUTE order. */
static int span_cmp(const void *x, const void *y)
{
	const struct qp_dev_span *p = x, *q = y;

	if (p->inf != q->inf)
		return p->inf < q->inf ? -1 : 1;
	return (p->order > q->order) - (p->order < q->order);
}

int qp_assembler_finish(struct qp_assembler *a)
{
	struct qp_model *m = a->m;
	size_t k;
	uint32_t p, f;

	if (a->finished)
		return 0;
	a->finished = true;
	for (p = 0; p < m->nprocesses; p++) {
		for (f = a->procs[p].live.head; f != NIL;
		     f = FL(a, f)->link[L_PROC].next) {
			struct qp_inference *inf = INF(a, FL(a, f)->inf);

			if (inf->state == QP_INF_OK)
				inf->state = QP_INF_NO_COMPLETION;
		}
		m->processes[p].kernel_only = !a->procs[p].api;
	}
	for (k = 0; k < a->ndbcsts; k++)
		episode_close(a, &a->dbcsts[k]);
	memset(m->matched, 0, sizeof(m->matched));
	memset(m->state_count, 0, sizeof(m->state_count));
	memset(m->failed_cause, 0, sizeof(m->failed_cause));
	for (k = 0; k < m->ninf; k++) {
		const struct qp_inference *inf = &m->inf[k];

		if (inf->state < QP_INF__COUNT)
			m->state_count[inf->state]++;
		if (inf->state == QP_INF_OK && inf->match < QP_MATCH__COUNT)
			m->matched[inf->match]++;
		if (inf->state == QP_INF_FAILED)
			m->failed_cause[qp_fail_cause_of(inf)]++;
	}
	if (m->nspans > 1)
		qsort(m->spans, m->nspans, sizeof(*m->spans), span_cmp);
	return 0;
}

const struct qp_assemble_stats *qp_assembler_stats(const struct qp_assembler *a)
{
	return &a->st;
}

void qp_assembler_free(struct qp_assembler *a)
{
	uint32_t t;

	if (!a)
		return;
	for (t = 0; t < a->threads.n; t++)
		free(TH(a, t)->setup);
	qp_pool_release(&a->flights);
	qp_pool_release(&a->parts);
	qp_pool_release(&a->bos);
	qp_pool_release(&a->eos);
	qp_pool_release(&a->evobjs);
	qp_pool_release(&a->threads);
	qp_hmap_free(&a->procmap);
	qp_hmap_free(&a->thrmap);
	qp_hmap_free(&a->bomap);
	qp_hmap_free(&a->eomap);
	qp_hmap_free(&a->evmap);
	qp_hmap_free(&a->progmap);
	qp_hmap_free(&a->dbcmap);
	qp_hmap_free(&a->queuemap);
	qp_hmap_free(&a->csmap);
	qp_hmap_free(&a->devmap);
	qp_hmap_free(&a->groupmap);
	for (t = 0; t < a->ngroups; t++)
		free(a->groups[t].progs);
	free(a->groups);
	qp_hmap_free(&a->dbcstmap);
	free(a->dbcsts);
	qp_qpc_paths_free(&a->qpcs);
	free(a->procs);
	free(a);
}
