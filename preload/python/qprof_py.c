/* SPDX-License-Identifier: MIT */
/*
 * _qprof_py: the C half of qprof's Python hooks (docs/SHIM.md "Python").
 *
 * On a card, Python programs reach the runtime through Qualcomm's qaicrt
 * module, a binding over the C++ runtime: none of its calls passes
 * through the qaic* C symbols libqprof.so hooks.  qprof_pyhooks.py (loaded
 * by qprof's sitecustomize when the program imports qaicrt) replaces
 * qaicrt's methods on their classes with wrappers made here, wrap(kind,
 * original): a callable that calls the original with the same arguments,
 * returns its result (or lets its exception through) untouched, and
 * records the call as one py_* event of the `qprof` LTTng-UST provider
 * (tracepoints/qprof-events.def, docs/EVENTS.md "Python boundary").
 *
 * Nothing here depends on the simulator: only on qaicrt's public Python
 * names and behaviour (methods returning a QStatus, an int subclass, or a
 * (QStatus, ...) tuple; QBuffers with the buffer protocol or a `size`).
 *
 * Like libqprof.so, the module holds the tracepoint definitions (its own
 * copy of tracepoints/libqproftpdef.la, registered when the module is
 * imported) and loads the probes, libqprof-tp.so: the copy already in the
 * process (libqprof.so's), else $QPROF_TP_LIB, else the installed one.
 * Without a recording session every wrapper costs one enabled-check per
 * call.  The GIL is held throughout (the original releases it as it
 * always does); the event is emitted after the original returned.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "qprof-tp.h"
#include "qprof-tp-def.h"

#ifndef QPROF_TP_INSTALLED
#error "QPROF_TP_INSTALLED (the installed libqprof-tp.so) must be defined"
#endif

#define PROVIDER_NAME "libqprof-tp.so"

/* The wrapped calls. */
enum kind {
	K_CONTEXT_INIT, K_QPC_INIT, K_PROGRAM_INIT, K_QUEUE_INIT,
	K_EXECOBJ_INIT, K_PROGRAM_LOAD, K_PROGRAM_UNLOAD, K_PROGRAM_ACTIVATE,
	K_PROGRAM_DEACTIVATE, K_SET_DATA, K_ENQUEUE, K_WAIT, K_GET_DATA,
	K_RUN, K_NKINDS
};

static const char *const kind_names[K_NKINDS] = {
	"context_init", "qpc_init", "program_init", "queue_init",
	"execobj_init", "program_load", "program_unload", "program_activate",
	"program_deactivate", "set_data", "enqueue", "wait", "get_data", "run",
};

static uint64_t next_seq;		/* under the GIL */
static int32_t pid;
static __thread int32_t tid;
static const char *provider = "";

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void after_fork_child(void)
{
	pid = (int32_t)getpid();
	tid = 0;
}

static inline struct qprof_tp_call call_of(uint64_t begin, int32_t status)
{
	struct qprof_tp_call c = { .ip = NULL, .pid = pid, .begin_ts = begin,
				   .status = status };

	if (!tid)
		tid = (int32_t)syscall(SYS_gettid);
	c.tid = tid;
	return c;
}

/* A Python object's id (its address). */
#define ID(o) ((uint64_t)(uintptr_t)(o))

/* ---- what a call returned or was given -------------------------------- */

/* QStatus of a result: an int, a tuple's first int, 0 for anything else
 * (a constructor's None); -1 when the call raised.  Never raises. */
static int32_t status_of(PyObject *r)
{
	PyObject *o = r;
	long v;

	if (!r)
		return -1;
	if (PyTuple_Check(r) && PyTuple_GET_SIZE(r) > 0)
		o = PyTuple_GET_ITEM(r, 0);
	if (!PyLong_Check(o))
		return 0;
	v = PyLong_AsLong(o);
	if (v == -1 && PyErr_Occurred()) {
		PyErr_Clear();
		return -1;
	}
	return (int32_t)v;
}

/* Bytes of one QBuffer: its buffer, else its `size`.  Never raises. */
static uint64_t buffer_bytes(PyObject *b)
{
	PyBufferProcs *bp = Py_TYPE(b)->tp_as_buffer;
	uint64_t n = 0;

	if (bp && bp->bf_getbuffer) {
		Py_buffer view;

		if (!bp->bf_getbuffer(b, &view, PyBUF_SIMPLE)) {
			n = (uint64_t)view.len;
			PyBuffer_Release(&view);
			return n;
		}
		PyErr_Clear();
	}
	{
		PyObject *s = PyObject_GetAttrString(b, "size");

		if (s) {
			n = PyLong_AsUnsignedLongLong(s);
			Py_DECREF(s);
		}
		if (PyErr_Occurred()) {
			PyErr_Clear();
			n = 0;
		}
	}
	return n;
}

/* ---- the sizes of the buffers an exec object was last given ----------- */

/*
 * An LLM's decode step passes the same 100+ QBuffers to setData step after
 * step and replaces 2-3 of them (ids, positions; KV buffers retained);
 * getData hands back QBuffers of the exec object.  Sizing every one for
 * the event (a buffer-protocol call each) cost 10-80 ns per buffer
 * (docs/PERFORMANCE.md "Python hooks"), so each exec object's last buffers
 * are remembered with their sizes, by WEAK reference: a QBuffer found at
 * the same position, still alive, is the same object and its size is the
 * one read before (qaicrt has no call that resizes a QBuffer); anything
 * else is sized again.  Weak references keep no buffer alive a moment
 * longer than the application does, and a dead one can never be mistaken
 * for a new object at the same address.  QBuffers whose type takes no weak
 * references (pybind11 classes, the real module's, do) are sized every
 * time.  The exec object itself is only a key: a wrong match (its address
 * reused) only costs misses.  A few exec objects are remembered at once
 * (direct-mapped by address); all of it under the GIL.
 */
#define SIZE_SLOTS 16

struct size_slot {
	uint64_t key;			/* the exec object's ID; 0: free */
	uint32_t n, cap;
	PyObject **ref;			/* weak references, or NULL */
	uint64_t *size;
};

static struct size_slot size_slots[SIZE_SLOTS];
static int sizing;	/* in buffers_info: a finaliser run by a collection
			 * it set off (an allocation) sizes without the slots */

static struct size_slot *slot_of(uint64_t eo)
{
	return &size_slots[(eo >> 4) % SIZE_SLOTS];
}

/* The object @ref refers to, if alive (borrowed: compared, never used). */
static inline PyObject *referent(PyObject *ref)
{
#if PY_VERSION_HEX >= 0x030d0000
	PyObject *o = NULL;

	if (PyWeakref_GetRef(ref, &o) > 0)
		Py_DECREF(o);	/* still referenced by the caller's sequence */
	return o;
#else
	PyObject *o = PyWeakref_GET_OBJECT(ref);

	return o == Py_None ? NULL : o;
#endif
}

/* Makes room for @n buffers in @s, else leaves it unchanged (-1). */
static int slot_reserve(struct size_slot *s, uint32_t n)
{
	PyObject **r;
	uint64_t *z;

	if (n <= s->cap)
		return 0;
	r = realloc(s->ref, n * sizeof(*r));
	if (!r)
		return -1;
	s->ref = r;
	z = realloc(s->size, n * sizeof(*z));
	if (!z)
		return -1;
	s->size = z;
	for (uint32_t i = s->cap; i < n; i++)
		r[i] = NULL;
	s->cap = n;
	return 0;
}

/*
 * Count, total bytes and empty ones of a sequence of QBuffers given to or
 * returned by exec object @eo; @store: remember new ones (setData, run;
 * getData only looks them up, its QBuffers may be new every call).
 * Never raises.
 */
static void buffers_info(uint64_t eo, int store, PyObject *seq, uint32_t *n,
			 uint64_t *total, uint32_t *empty)
{
	struct size_slot *s = slot_of(eo);
	PyObject *fast;
	int cached;

	*n = 0;
	*total = 0;
	*empty = 0;
	if (!seq)
		return;
	fast = PySequence_Fast(seq, "");
	if (!fast) {
		PyErr_Clear();
		return;
	}
	*n = (uint32_t)PySequence_Fast_GET_SIZE(fast);
	if (sizing) {
		for (uint32_t i = 0; i < *n; i++) {
			uint64_t b = buffer_bytes(PySequence_Fast_GET_ITEM(fast, i));

			*total += b;
			*empty += b == 0;
		}
		Py_DECREF(fast);
		return;
	}
	sizing = 1;
	cached = s->key == eo;
	if (store && !cached) {
		for (uint32_t i = 0; i < s->n; i++)
			Py_CLEAR(s->ref[i]);
		s->key = eo;
		s->n = 0;
		cached = 1;
	}
	if (store && slot_reserve(s, *n))
		store = 0;
	for (uint32_t i = 0; i < *n; i++) {
		PyObject *o = PySequence_Fast_GET_ITEM(fast, i);
		uint64_t b;

		if (cached && i < s->n && s->ref[i] && referent(s->ref[i]) == o) {
			b = s->size[i];
		} else {
			b = buffer_bytes(o);
			if (store) {
				Py_CLEAR(s->ref[i]);
				if (Py_TYPE(o)->tp_weaklistoffset) {
					s->ref[i] = PyWeakref_NewRef(o, NULL);
					if (!s->ref[i])
						PyErr_Clear();
				}
				s->size[i] = b;
			}
		}
		*total += b;
		*empty += b == 0;
	}
	if (store) {
		for (uint32_t i = *n; i < s->n; i++)
			Py_CLEAR(s->ref[i]);
		s->n = *n;
	}
	sizing = 0;
	Py_DECREF(fast);
}

/* (itemsize, dims) of dims[0] into *elem and d[0..7]; the rank. */
static uint32_t dims0_of(PyObject *dims, uint32_t *elem, uint64_t *d)
{
	PyObject *it, *shape = NULL, *fast = NULL;
	uint32_t rank = 0;

	*elem = 0;
	if (!dims || dims == Py_None)
		return 0;
	it = PySequence_GetItem(dims, 0);
	if (!it)
		goto out;
	if (PyTuple_Check(it) && PyTuple_GET_SIZE(it) == 2) {
		*elem = (uint32_t)PyLong_AsUnsignedLong(PyTuple_GET_ITEM(it, 0));
		shape = PyTuple_GET_ITEM(it, 1);
		fast = PySequence_Fast(shape, "");
		if (fast)
			for (Py_ssize_t k = 0; k < PySequence_Fast_GET_SIZE(fast) && rank < 8; k++)
				d[rank++] = PyLong_AsUnsignedLongLong(PySequence_Fast_GET_ITEM(fast, k));
	}
	Py_XDECREF(fast);
	Py_DECREF(it);
out:
	if (PyErr_Occurred()) {
		PyErr_Clear();
		return 0;
	}
	return rank;
}

/* An int argument (-1 for None or anything else).  Never raises. */
static int32_t int_arg(PyObject *o)
{
	long v;

	if (!o || !PyLong_Check(o))
		return -1;
	v = PyLong_AsLong(o);
	if (v == -1 && PyErr_Occurred())
		PyErr_Clear();
	return (int32_t)v;
}

/* ---- the wrapper -------------------------------------------------------- */

typedef struct {
	PyObject_HEAD
	PyObject *orig;
	enum kind kind;
	vectorcallfunc vectorcall;
	PyObject *dict;			/* __dict__: __wrapped__ etc. */
} WrapObject;

static PyTypeObject Wrap_Type;

/* Argument @i (after self), positional or by keyword @kw; borrowed. */
static PyObject *arg(PyObject *const *args, size_t n, PyObject *kwnames,
		     size_t i, const char *kw)
{
	if (i + 1 < n)
		return args[i + 1];
	if (kwnames && kw) {
		Py_ssize_t nk = PyTuple_GET_SIZE(kwnames);

		for (Py_ssize_t k = 0; k < nk; k++)
			if (PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, k), kw) == 0)
				return args[n + (size_t)k];
	}
	return NULL;
}

/* Emits the event of a call that returned @r (NULL: it raised; the
 * exception is still set and stays unchanged). */
static void emit(const WrapObject *w, PyObject *const *args, size_t n,
		 PyObject *kwnames, uint64_t begin, uint64_t seq, PyObject *r)
{
	struct qprof_tp_call c = call_of(begin, status_of(r));
	PyObject *self = n ? args[0] : NULL;

	switch (w->kind) {
	case K_CONTEXT_INIT:
		if (lttng_ust_tracepoint_enabled(qprof, py_context_create)) {
			PyObject *l = arg(args, n, kwnames, 0, "qidList");
			Py_ssize_t len = l && l != Py_None ? PySequence_Size(l) : 0;
			PyObject *d0 = len > 0 ? PySequence_GetItem(l, 0) : NULL;

			if (len < 0)
				len = 0;
			lttng_ust_do_tracepoint(qprof, py_context_create, &c, ID(self),
						(uint32_t)len, d0 ? int_arg(d0) : -1);
			Py_XDECREF(d0);
		}
		break;
	case K_QPC_INIT:
		if (lttng_ust_tracepoint_enabled(qprof, py_qpc_open)) {
			PyObject *p = arg(args, n, kwnames, 0, "path"), *s = NULL;
			const char *path = "";

			if (p && (s = PyOS_FSPath(p)) && PyUnicode_Check(s))
				path = PyUnicode_AsUTF8(s);
			if (!path)
				path = "";
			lttng_ust_do_tracepoint(qprof, py_qpc_open, &c, ID(self), path);
			Py_XDECREF(s);
		}
		break;
	case K_PROGRAM_INIT:
		if (lttng_ust_tracepoint_enabled(qprof, py_program_create)) {
			PyObject *props = arg(args, n, kwnames, 3, "properties");
			PyObject *dm = props && props != Py_None ?
				PyObject_GetAttrString(props, "devMapping") : NULL;
			const char *map = dm && PyUnicode_Check(dm) ? PyUnicode_AsUTF8(dm) : "";

			lttng_ust_do_tracepoint(qprof, py_program_create, &c,
						ID(arg(args, n, kwnames, 0, "context")), ID(self),
						ID(arg(args, n, kwnames, 2, "qpc")),
						int_arg(arg(args, n, kwnames, 1, "qid")),
						map ? map : "");
			Py_XDECREF(dm);
		}
		break;
	case K_QUEUE_INIT:
		lttng_ust_tracepoint(qprof, py_queue_create, &c,
				     ID(arg(args, n, kwnames, 0, "context")), ID(self),
				     int_arg(arg(args, n, kwnames, 1, "qid")));
		break;
	case K_EXECOBJ_INIT:
		lttng_ust_tracepoint(qprof, py_execobj_create, &c,
				     ID(arg(args, n, kwnames, 0, "context")), ID(self),
				     ID(arg(args, n, kwnames, 1, "program")));
		break;
	case K_PROGRAM_LOAD:
		lttng_ust_tracepoint(qprof, py_program_load, &c, ID(self));
		break;
	case K_PROGRAM_UNLOAD:
		lttng_ust_tracepoint(qprof, py_program_unload, &c, ID(self));
		break;
	case K_PROGRAM_ACTIVATE:
		lttng_ust_tracepoint(qprof, py_program_activate, &c, ID(self));
		break;
	case K_PROGRAM_DEACTIVATE:
		lttng_ust_tracepoint(qprof, py_program_deactivate, &c, ID(self));
		break;
	case K_SET_DATA:
		if (lttng_ust_tracepoint_enabled(qprof, py_set_data)) {
			uint32_t nb, empty, elem, rank;
			uint64_t total, d[8];

			buffers_info(ID(self), 1, arg(args, n, kwnames, 0, NULL), &nb, &total, &empty);
			rank = dims0_of(arg(args, n, kwnames, 1, NULL), &elem, d);
			lttng_ust_do_tracepoint(qprof, py_set_data, &c, ID(self), nb,
						total, empty, elem, d, rank);
		}
		break;
	case K_ENQUEUE:
		lttng_ust_tracepoint(qprof, py_enqueue_exit, &c, seq);
		break;
	case K_WAIT: {
		PyObject *t = arg(args, n, kwnames, 0, NULL);

		lttng_ust_tracepoint(qprof, py_wait, &c, ID(self),
				     t ? (uint32_t)int_arg(t) : 0);
		break;
	}
	case K_GET_DATA:
		if (lttng_ust_tracepoint_enabled(qprof, py_get_data)) {
			uint32_t nb = 0, empty;
			uint64_t total = 0;

			if (r && PyTuple_Check(r) && PyTuple_GET_SIZE(r) > 1)
				buffers_info(ID(self), 0, PyTuple_GET_ITEM(r, 1), &nb, &total, &empty);
			lttng_ust_do_tracepoint(qprof, py_get_data, &c, ID(self), nb, total);
		}
		break;
	case K_RUN:
		if (lttng_ust_tracepoint_enabled(qprof, py_run)) {
			uint32_t nb, empty;
			uint64_t total;

			buffers_info(ID(self), 1, arg(args, n, kwnames, 0, NULL), &nb, &total, &empty);
			lttng_ust_do_tracepoint(qprof, py_run, &c, seq, ID(self), nb, total);
		}
		break;
	case K_NKINDS:
		break;
	}
	/* whatever looking at the arguments raised stays here: the caller's
	 * own exception, if any, was taken out before and is put back */
	if (PyErr_Occurred())
		PyErr_Clear();
}

static PyObject *wrap_vectorcall(PyObject *callable, PyObject *const *args,
				 size_t nargsf, PyObject *kwnames)
{
	WrapObject *w = (WrapObject *)callable;
	size_t n = PyVectorcall_NARGS(nargsf);
	uint64_t begin, seq = 0;
	PyObject *r, *et, *ev, *tb;

	if (w->kind == K_ENQUEUE || w->kind == K_RUN) {
		seq = next_seq++;
		if (lttng_ust_tracepoint_enabled(qprof, py_enqueue_entry)) {
			struct qprof_tp_call c = call_of(now_ns(), 0);
			PyObject *q = w->kind == K_ENQUEUE && n ? args[0] : NULL;
			PyObject *eo = w->kind == K_ENQUEUE ? arg(args, n, kwnames, 0, NULL) :
				       n ? args[0] : NULL;

			lttng_ust_do_tracepoint(qprof, py_enqueue_entry, &c, seq,
						ID(q), ID(eo));
		}
	}
	begin = now_ns();
	r = PyObject_Vectorcall(w->orig, args, nargsf, kwnames);
	if (!r) {
		PyErr_Fetch(&et, &ev, &tb);
		emit(w, args, n, kwnames, begin, seq, NULL);
		PyErr_Restore(et, ev, tb);
	} else {
		emit(w, args, n, kwnames, begin, seq, r);
	}
	return r;
}

static void wrap_dealloc(WrapObject *self)
{
	Py_XDECREF(self->orig);
	Py_XDECREF(self->dict);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Bound as a method, like the function it replaces. */
static PyObject *wrap_descr_get(PyObject *self, PyObject *obj, PyObject *type)
{
	if (!obj || obj == Py_None)
		return Py_NewRef(self);
	return PyMethod_New(self, obj);
}

static PyObject *wrap_getattro(PyObject *self, PyObject *name)
{
	PyObject *r = PyObject_GenericGetAttr(self, name);

	/* __name__, __doc__, __qualname__ ... of the original */
	if (!r && PyErr_ExceptionMatches(PyExc_AttributeError)) {
		PyErr_Clear();
		r = PyObject_GetAttr(((WrapObject *)self)->orig, name);
	}
	return r;
}

static PyObject *wrap_repr(WrapObject *self)
{
	return PyUnicode_FromFormat("<qprof wrapper (%s) of %R>",
				    kind_names[self->kind], self->orig);
}

static PyMemberDef wrap_members[] = {
	{ "__wrapped__", T_OBJECT, offsetof(WrapObject, orig), READONLY, NULL },
	{ NULL, 0, 0, 0, NULL },
};

static PyTypeObject Wrap_Type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "_qprof_py.wrapper",
	.tp_basicsize = sizeof(WrapObject),
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL |
		    Py_TPFLAGS_METHOD_DESCRIPTOR,
	.tp_doc = "a qaicrt method recorded by qprof",
	.tp_dealloc = (destructor)wrap_dealloc,
	.tp_call = PyVectorcall_Call,
	.tp_vectorcall_offset = offsetof(WrapObject, vectorcall),
	.tp_descr_get = wrap_descr_get,
	.tp_getattro = wrap_getattro,
	.tp_repr = (reprfunc)wrap_repr,
	.tp_members = wrap_members,
	.tp_dictoffset = offsetof(WrapObject, dict),
};

/* wrap(kind, original) -> wrapper */
static PyObject *mod_wrap(PyObject *m, PyObject *args)
{
	const char *name;
	PyObject *orig;
	WrapObject *w;
	int k;

	if (!PyArg_ParseTuple(args, "sO:wrap", &name, &orig))
		return NULL;
	for (k = 0; k < K_NKINDS; k++)
		if (!strcmp(name, kind_names[k]))
			break;
	if (k == K_NKINDS) {
		PyErr_Format(PyExc_ValueError, "unknown call kind '%s'", name);
		return NULL;
	}
	if (!PyCallable_Check(orig)) {
		PyErr_SetString(PyExc_TypeError, "wrap: the original is not callable");
		return NULL;
	}
	w = PyObject_New(WrapObject, &Wrap_Type);
	if (!w)
		return NULL;
	w->orig = Py_NewRef(orig);
	w->kind = (enum kind)k;
	w->vectorcall = wrap_vectorcall;
	w->dict = NULL;
	return (PyObject *)w;
}

/* The provider library the module loaded ("" if none). */
static PyObject *mod_provider(PyObject *m, PyObject *unused)
{
	return PyUnicode_FromString(provider);
}

static PyMethodDef mod_methods[] = {
	{ "wrap", mod_wrap, METH_VARARGS, "wrap(kind, original) -> recording wrapper" },
	{ "provider", mod_provider, METH_NOARGS, "the libqprof-tp.so in use" },
	{ NULL, NULL, 0, NULL },
};

static struct PyModuleDef qprof_py_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "_qprof_py",
	.m_doc = "qprof's recording of qaicrt calls (docs/SHIM.md \"Python\").",
	.m_size = -1,
	.m_methods = mod_methods,
};

/* The call sites, then the probes (see the top of the file). */
static void load_provider(void)
{
	static char path[4096];
	const char *env = getenv("QPROF_TP_LIB");
	void *h = NULL;

	if (qp_tp_definitions_register())
		return;		/* no liblttng-ust-tracepoint: no events */
	/* libqprof.so's, when it already loaded it: the same probes */
	h = dlopen(PROVIDER_NAME, RTLD_NOW | RTLD_NOLOAD);
	if (h) {
		provider = PROVIDER_NAME " (loaded before)";
		return;
	}
	if (env && *env)
		h = dlopen(env, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (h) {
		snprintf(path, sizeof(path), "%s", env);
		provider = path;
		return;
	}
	h = dlopen(QPROF_TP_INSTALLED, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (h)
		provider = QPROF_TP_INSTALLED;
}

PyMODINIT_FUNC PyInit__qprof_py(void);
PyMODINIT_FUNC PyInit__qprof_py(void)
{
	static int once;
	PyObject *m;

	if (PyType_Ready(&Wrap_Type) < 0)
		return NULL;
	m = PyModule_Create(&qprof_py_module);
	if (!m)
		return NULL;
	if (!once) {
		once = 1;
		pid = (int32_t)getpid();
		pthread_atfork(NULL, NULL, after_fork_child);
		load_provider();
	}
	return m;
}
