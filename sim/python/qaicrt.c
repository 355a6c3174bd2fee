/* SPDX-License-Identifier: MIT */
/*
 * qaicrt: the simulator's stand-in for Qualcomm's Python runtime module,
 * over the simulated runtime (docs/SIMULATOR.md "Python").
 *
 * It offers the names Python applications use (docs/CONTRACTS.md §1.6, §6.7):
 * QIDList, Context, Queue, Qpc (getIoDescriptor: a serialized aicapi.IoDesc,
 * QAicApi.proto), QAicProgramProperties (dataPathTimeoutMs, devMapping,
 * selectMask, submitNumRetries), Program (load, unload, activate,
 * deactivate), ExecObj (setData, getData, run, waitForCompletion), QBuffer,
 * BufferDimensionsVecRef, QStatus, QLogLevel.  Methods return QStatus
 * members as the runtime gives them; constructors that fail raise
 * RuntimeError.
 *
 * Like the real module (a binding over the C++ runtime), it never calls the
 * runtime's exported qaic* symbols: it dlopen()s the simulated libQAic.so
 * ($QAIC_LIB, else the one `make install-sim` put beside the module's
 * directory, else the build tree's) and calls through the private entry
 * table simrt_entries (sim/runtime/simrt_entries.h).  Every call that
 * may block (device start, activation, enqueue, waits, releases) runs with
 * the GIL released.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include "config.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <qprof/qaic_api.h>

#include "desc.h"
#include "qaic_sim_table.h"
#include "simrt_entries.h"

#ifndef QAICRT_SIM_LIB
#error "QAICRT_SIM_LIB (the simulated libQAic.so to load) must be defined"
#endif

static const struct QAicApiFunctionTable *api;
static const struct simrt_entries *ent;
static PyObject *status_type, *loglevel_type;

/* ---- QStatus ------------------------------------------------------------ */

static const struct {
	const char *name;
	int value;
} status_names[] = {
	{ "QS_SUCCESS", QS_SUCCESS }, { "QS_PERM", QS_PERM },
	{ "QS_AGAIN", QS_AGAIN }, { "QS_NOMEM", QS_NOMEM },
	{ "QS_BUSY", QS_BUSY }, { "QS_NODEV", QS_NODEV },
	{ "QS_INVAL", QS_INVAL }, { "QS_NOSPC", QS_NOSPC },
	{ "QS_BADFD", QS_BADFD }, { "QS_TIMEDOUT", QS_TIMEDOUT },
	{ "QS_PROTOCOL", QS_PROTOCOL }, { "QS_UNSUPPORTED", QS_UNSUPPORTED },
	{ "QS_DATA_CRC_ERROR", QS_DATA_CRC_ERROR },
	{ "QS_DEV_ERROR", QS_DEV_ERROR }, { "QS_ERROR", QS_ERROR },
};
#define NSTATUS (sizeof(status_names) / sizeof(status_names[0]))
static PyObject *status_members[NSTATUS];

/* New reference to the QStatus member of @st (an int if none). */
static PyObject *status_obj(QStatus st)
{
	for (size_t i = 0; i < NSTATUS; i++)
		if (status_names[i].value == (int)st) {
			Py_INCREF(status_members[i]);
			return status_members[i];
		}
	return PyLong_FromLong((long)st);
}

/* An enum.IntEnum named @name with @n members. */
static PyObject *make_enum(const char *name, const char *const *names,
			   const int *values, size_t n)
{
	PyObject *enum_mod, *intenum, *members, *type = NULL;

	enum_mod = PyImport_ImportModule("enum");
	if (!enum_mod)
		return NULL;
	intenum = PyObject_GetAttrString(enum_mod, "IntEnum");
	members = PyList_New(0);
	if (!intenum || !members)
		goto out;
	for (size_t i = 0; i < n; i++) {
		PyObject *t = Py_BuildValue("(si)", names[i], values[i]);

		if (!t || PyList_Append(members, t)) {
			Py_XDECREF(t);
			goto out;
		}
		Py_DECREF(t);
	}
	type = PyObject_CallFunction(intenum, "sO", name, members);
	if (type) {
		PyObject *mod = PyUnicode_FromString("qaicrt");

		if (!mod || PyObject_SetAttrString(type, "__module__", mod) < 0)
			Py_CLEAR(type);
		Py_XDECREF(mod);
	}
out:
	Py_XDECREF(members);
	Py_XDECREF(intenum);
	Py_DECREF(enum_mod);
	return type;
}

/* ---- QBuffer: bytes the runtime reads or writes -------------------------- */

typedef struct {
	PyObject_HEAD
	uint8_t *buf;			/* never NULL (1 byte for size 0) */
	size_t size;
	PyObject *weakrefs;		/* weak references, as pybind11 classes take */
} QBufferObject;

static PyTypeObject *QBuffer_Type;

static int qbuffer_init(QBufferObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "data", NULL };
	PyObject *data = NULL;
	Py_buffer view;
	uint8_t *nb;
	size_t n;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:QBuffer", kwlist, &data))
		return -1;
	if (data && PyLong_Check(data)) {
		Py_ssize_t v = PyLong_AsSsize_t(data);

		if (v < 0) {
			if (!PyErr_Occurred())
				PyErr_SetString(PyExc_ValueError, "QBuffer size must be >= 0");
			return -1;
		}
		nb = calloc((size_t)v ? (size_t)v : 1, 1);
		if (!nb) {
			PyErr_NoMemory();
			return -1;
		}
		n = (size_t)v;
	} else {
		if (data) {
			if (PyObject_GetBuffer(data, &view, PyBUF_C_CONTIGUOUS) < 0)
				return -1;
		} else {
			memset(&view, 0, sizeof(view));
		}
		n = (size_t)view.len;
		nb = malloc(n ? n : 1);
		if (!nb) {
			if (data)
				PyBuffer_Release(&view);
			PyErr_NoMemory();
			return -1;
		}
		if (n)
			memcpy(nb, view.buf, n);
		if (data)
			PyBuffer_Release(&view);
	}
	free(self->buf);
	self->buf = nb;
	self->size = n;
	return 0;
}

static void qbuffer_dealloc(QBufferObject *self)
{
	if (self->weakrefs)
		PyObject_ClearWeakRefs((PyObject *)self);
	free(self->buf);
	PyTypeObject *tp = Py_TYPE(self);

	tp->tp_free((PyObject *)self);
	Py_DECREF(tp);
}

static int qbuffer_getbuffer(QBufferObject *self, Py_buffer *view, int flags)
{
	if (!self->buf) {
		PyErr_SetString(PyExc_ValueError, "QBuffer not initialised");
		return -1;
	}
	return PyBuffer_FillInfo(view, (PyObject *)self, self->buf,
				 (Py_ssize_t)self->size, 0, flags);
}

static PyObject *qbuffer_get_size(QBufferObject *self, void *closure)
{
	return PyLong_FromSize_t(self->size);
}

static PyObject *qbuffer_repr(QBufferObject *self)
{
	return PyUnicode_FromFormat("<qaicrt.QBuffer size=%zu>", self->size);
}

static PyGetSetDef qbuffer_getset[] = {
	{ "size", (getter)qbuffer_get_size, NULL, "bytes in the buffer", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static PyMemberDef qbuffer_members[] = {
	{ "__weaklistoffset__", T_PYSSIZET, offsetof(QBufferObject, weakrefs), READONLY, NULL },
	{ NULL, 0, 0, 0, NULL },
};

static PyType_Slot QBuffer_slots[] = {
	{ Py_tp_doc, (void *)"QBuffer(data=b'' | size): a copy of data (or size zero bytes)" },
	{ Py_tp_new, (void *)PyType_GenericNew },
	{ Py_tp_init, (void *)qbuffer_init },
	{ Py_tp_dealloc, (void *)qbuffer_dealloc },
	{ Py_tp_getset, (void *)qbuffer_getset },
	{ Py_tp_members, (void *)qbuffer_members },
	{ Py_tp_repr, (void *)qbuffer_repr },
	{ Py_bf_getbuffer, (void *)qbuffer_getbuffer },
	{ 0, NULL },
};

static PyType_Spec QBuffer_spec = {
	.name = "qaicrt.QBuffer",
	.basicsize = sizeof(QBufferObject),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.slots = QBuffer_slots,
};

/* New QBuffer holding a copy of @n bytes at @p. */
static PyObject *qbuffer_from(const void *p, size_t n)
{
	QBufferObject *b = PyObject_New(QBufferObject, QBuffer_Type);

	if (!b)
		return NULL;
	b->weakrefs = NULL;
	b->size = n;
	b->buf = malloc(n ? n : 1);
	if (!b->buf) {
		b->size = 0;
		Py_DECREF(b);
		return PyErr_NoMemory();
	}
	if (n)
		memcpy(b->buf, p, n);
	return (PyObject *)b;
}

/* ---- BufferDimensionsVecRef: (itemsize, [dims]) per buffer ---------------- */

typedef struct {
	PyObject_HEAD
	PyObject *items;		/* list of (int, list of int) tuples */
} DimsObject;

/* (itemsize, shape) → a new (int, list of int) tuple. */
static PyObject *dims_item(PyObject *o)
{
	PyObject *seq, *size, *shape = NULL, *it, *res = NULL;

	seq = PySequence_Fast(o, "a buffer dimension is (itemsize, shape)");
	if (!seq)
		return NULL;
	if (PySequence_Fast_GET_SIZE(seq) != 2) {
		PyErr_SetString(PyExc_TypeError, "a buffer dimension is (itemsize, shape)");
		goto out;
	}
	size = PyNumber_Index(PySequence_Fast_GET_ITEM(seq, 0));
	if (!size)
		goto out;
	shape = PyList_New(0);
	it = shape ? PyObject_GetIter(PySequence_Fast_GET_ITEM(seq, 1)) : NULL;
	if (it) {
		PyObject *d;

		while ((d = PyIter_Next(it))) {
			PyObject *v = PyNumber_Index(d);

			Py_DECREF(d);
			if (!v || PyList_Append(shape, v)) {
				Py_XDECREF(v);
				break;
			}
			Py_DECREF(v);
		}
		Py_DECREF(it);
	}
	if (!PyErr_Occurred() && shape)
		res = PyTuple_Pack(2, size, shape);
	Py_DECREF(size);
out:
	Py_XDECREF(shape);
	Py_DECREF(seq);
	return res;
}

static int dims_init(DimsObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "dims", NULL };
	PyObject *src = NULL, *it, *o, *items;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:BufferDimensionsVecRef",
					 kwlist, &src))
		return -1;
	items = PyList_New(0);
	if (!items)
		return -1;
	if (src) {
		it = PyObject_GetIter(src);
		if (!it)
			goto fail;
		while ((o = PyIter_Next(it))) {
			PyObject *t = dims_item(o);

			Py_DECREF(o);
			if (!t || PyList_Append(items, t)) {
				Py_XDECREF(t);
				Py_DECREF(it);
				goto fail;
			}
			Py_DECREF(t);
		}
		Py_DECREF(it);
		if (PyErr_Occurred())
			goto fail;
	}
	Py_XSETREF(self->items, items);
	return 0;
fail:
	Py_DECREF(items);
	return -1;
}

static void dims_dealloc(DimsObject *self)
{
	Py_XDECREF(self->items);
	PyTypeObject *tp = Py_TYPE(self);

	tp->tp_free((PyObject *)self);
	Py_DECREF(tp);
}

static Py_ssize_t dims_len(DimsObject *self)
{
	return self->items ? PyList_GET_SIZE(self->items) : 0;
}

static PyObject *dims_getitem(DimsObject *self, Py_ssize_t i)
{
	if (!self->items || i < 0 || i >= PyList_GET_SIZE(self->items)) {
		PyErr_SetString(PyExc_IndexError, "BufferDimensionsVecRef index out of range");
		return NULL;
	}
	return Py_NewRef(PyList_GET_ITEM(self->items, i));
}

static int dims_setitem(DimsObject *self, Py_ssize_t i, PyObject *v)
{
	PyObject *t;

	if (!v) {
		PyErr_SetString(PyExc_TypeError, "BufferDimensionsVecRef items cannot be deleted");
		return -1;
	}
	if (!self->items || i < 0 || i >= PyList_GET_SIZE(self->items)) {
		PyErr_SetString(PyExc_IndexError, "BufferDimensionsVecRef index out of range");
		return -1;
	}
	t = dims_item(v);
	if (!t)
		return -1;
	return PyList_SetItem(self->items, i, t);
}

static PyObject *dims_repr(DimsObject *self)
{
	return PyUnicode_FromFormat("BufferDimensionsVecRef(%R)", self->items);
}

static PyType_Slot Dims_slots[] = {
	{ Py_tp_doc, (void *)"BufferDimensionsVecRef([(itemsize, dims), ...])" },
	{ Py_tp_new, (void *)PyType_GenericNew },
	{ Py_tp_init, (void *)dims_init },
	{ Py_tp_dealloc, (void *)dims_dealloc },
	{ Py_tp_repr, (void *)dims_repr },
	{ Py_sq_length, (void *)dims_len },
	{ Py_sq_item, (void *)dims_getitem },
	{ Py_sq_ass_item, (void *)dims_setitem },
	{ 0, NULL },
};

static PyTypeObject *Dims_Type;

static PyType_Spec Dims_spec = {
	.name = "qaicrt.BufferDimensionsVecRef",
	.basicsize = sizeof(DimsObject),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.slots = Dims_slots,
};

/* ---- QIDList ------------------------------------------------------------ */

static PyType_Slot QIDList_slots[] = {
	{ Py_tp_doc, (void *)"QIDList([qid, ...]): device ids" },
	{ 0, NULL },
};

static PyTypeObject *QIDList_Type;

static PyType_Spec QIDList_spec = {
	.name = "qaicrt.QIDList",
	.basicsize = 0,
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.slots = QIDList_slots,
};

/* Device ids of a sequence into a malloc'd array; -1 with an exception. */
static int qid_array(PyObject *seq, QID **out, uint32_t *n)
{
	PyObject *fast = PySequence_Fast(seq, "expected a QIDList of device ids");
	Py_ssize_t len;

	if (!fast)
		return -1;
	len = PySequence_Fast_GET_SIZE(fast);
	*out = calloc((size_t)len + 1, sizeof(QID));
	if (!*out) {
		Py_DECREF(fast);
		PyErr_NoMemory();
		return -1;
	}
	for (Py_ssize_t i = 0; i < len; i++) {
		long v = PyLong_AsLong(PySequence_Fast_GET_ITEM(fast, i));

		if (v == -1 && PyErr_Occurred()) {
			free(*out);
			Py_DECREF(fast);
			return -1;
		}
		(*out)[i] = (QID)v;
	}
	*n = (uint32_t)len;
	Py_DECREF(fast);
	return 0;
}

/* ---- Context ------------------------------------------------------------ */

typedef struct {
	PyObject_HEAD
	QAicContext *ctx;
	QID first_dev;			/* first of its QIDList, else 0 */
} ContextObject;

static PyTypeObject *Context_Type;

static int context_init(ContextObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "qidList", NULL };
	PyObject *list = Py_None;
	QID *devs = NULL;
	uint32_t n = 0;
	QStatus st;

	if (self->ctx) {
		PyErr_SetString(PyExc_RuntimeError, "Context already initialised");
		return -1;
	}
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:Context", kwlist, &list))
		return -1;
	if (list != Py_None && qid_array(list, &devs, &n))
		return -1;
	self->first_dev = n ? devs[0] : 0;
	Py_BEGIN_ALLOW_THREADS
	st = api->qaicCreateContext(&self->ctx, NULL, n, n ? devs : NULL, NULL,
				    NULL, NULL, NULL);
	Py_END_ALLOW_THREADS
	free(devs);
	if (st != QS_SUCCESS) {
		self->ctx = NULL;
		PyErr_Format(PyExc_RuntimeError, "Failed to create context (QStatus %d)", (int)st);
		return -1;
	}
	return 0;
}

static void context_dealloc(ContextObject *self)
{
	if (self->ctx) {
		Py_BEGIN_ALLOW_THREADS
		api->qaicReleaseContext(self->ctx);
		Py_END_ALLOW_THREADS
	}
	PyTypeObject *tp = Py_TYPE(self);

	tp->tp_free((PyObject *)self);
	Py_DECREF(tp);
}

static PyObject *context_setLogLevel(ContextObject *self, PyObject *arg)
{
	long v = PyLong_AsLong(arg);

	if (v == -1 && PyErr_Occurred())
		return NULL;
	return status_obj(api->qaicSetLogLevel(self->ctx, (QLogLevel)v));
}

static PyMethodDef context_methods[] = {
	{ "setLogLevel", (PyCFunction)context_setLogLevel, METH_O, "setLogLevel(QLogLevel) -> QStatus" },
	{ NULL, NULL, 0, NULL },
};

static PyType_Slot Context_slots[] = {
	{ Py_tp_doc, (void *)"Context() or Context(QIDList)" },
	{ Py_tp_new, (void *)PyType_GenericNew },
	{ Py_tp_init, (void *)context_init },
	{ Py_tp_dealloc, (void *)context_dealloc },
	{ Py_tp_methods, (void *)context_methods },
	{ 0, NULL },
};

static PyType_Spec Context_spec = {
	.name = "qaicrt.Context",
	.basicsize = sizeof(ContextObject),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.slots = Context_slots,
};

static QAicContext *context_of(PyObject *o)
{
	if (!PyObject_TypeCheck(o, Context_Type) || !((ContextObject *)o)->ctx) {
		PyErr_SetString(PyExc_TypeError, "expected a qaicrt.Context");
		return NULL;
	}
	return ((ContextObject *)o)->ctx;
}

/* ---- Qpc and the IO descriptor --------------------------------------------- */

typedef struct {
	PyObject_HEAD
	QAicQpcObj *qpc;
} QpcObject;

static PyTypeObject *Qpc_Type;

/*
 * Qpc(path): a QPC directory (its programqpc.bin is opened, as the SDK's
 * QpcFile does), or anything qaicOpenQpcFile takes (a description file, a
 * preset name).
 */
static int qpc_init(QpcObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "path", NULL };
	PyObject *bpath = NULL;
	const char *path;
	char *file = NULL;
	struct stat stt;
	QStatus st;

	if (self->qpc) {
		PyErr_SetString(PyExc_RuntimeError, "Qpc already initialised");
		return -1;
	}
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O&:Qpc", kwlist,
					 PyUnicode_FSConverter, &bpath))
		return -1;
	path = PyBytes_AS_STRING(bpath);
	if (!stat(path, &stt) && S_ISDIR(stt.st_mode)) {
		size_t n = strlen(path) + sizeof("/programqpc.bin");

		file = malloc(n);
		if (!file) {
			Py_DECREF(bpath);
			PyErr_NoMemory();
			return -1;
		}
		snprintf(file, n, "%s/programqpc.bin", path);
		path = file;
	}
	Py_BEGIN_ALLOW_THREADS
	st = api->qaicOpenQpcFile(&self->qpc, path);
	Py_END_ALLOW_THREADS
	if (st != QS_SUCCESS) {
		self->qpc = NULL;
		PyErr_Format(PyExc_RuntimeError, "Failed to open QPC %s (QStatus %d)", path, (int)st);
	}
	free(file);
	Py_DECREF(bpath);
	return st == QS_SUCCESS ? 0 : -1;
}

static void qpc_dealloc(QpcObject *self)
{
	if (self->qpc)
		api->qaicCloseQpc(self->qpc);
	PyTypeObject *tp = Py_TYPE(self);

	tp->tp_free((PyObject *)self);
	Py_DECREF(tp);
}

/* Protocol-buffer wire encoding, just what IoDesc needs. */
struct pb {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static void pb_put(struct pb *b, const void *src, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		uint8_t *np;

		while (cap < b->len + n)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void pb_varint(struct pb *b, uint64_t v)
{
	uint8_t t[10];
	size_t n = 0;

	do {
		t[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			t[n] |= 0x80;
		n++;
	} while (v);
	pb_put(b, t, n);
}

static void pb_uint(struct pb *b, uint32_t field, uint64_t v)
{
	pb_varint(b, (uint64_t)field << 3);		/* wire type 0 */
	pb_varint(b, v);
}

static void pb_bytes(struct pb *b, uint32_t field, const void *p, size_t n)
{
	pb_varint(b, (uint64_t)field << 3 | 2);		/* length-delimited */
	pb_varint(b, n);
	pb_put(b, p, n);
}

/* A nested message @m as field @field of @b; frees @m. */
static void pb_msg(struct pb *b, uint32_t field, struct pb *m)
{
	b->oom |= m->oom;
	pb_bytes(b, field, m->p, m->len);
	free(m->p);
	memset(m, 0, sizeof(*m));
}

static void pb_dims(struct pb *b, uint32_t field, const uint32_t *dims,
		    uint32_t rank)
{
	struct pb packed = { 0 };

	for (uint32_t k = 0; k < rank; k++)
		pb_varint(&packed, dims[k]);
	pb_msg(b, field, &packed);
}

/* Bytes of binding @b in specialization @s (desc.c's desc_spec_bytes). */
static uint64_t spec_bytes(const struct desc_buffer *b, uint32_t s)
{
	uint64_t v = b->elem_size;

	for (uint32_t k = 0; k < b->rank; k++)
		v *= b->dims[s][k];
	return v;
}

/* Specialization whose shape of @b is the largest (the binding's size). */
static uint32_t largest_spec(const struct desc *d, const struct desc_buffer *b)
{
	uint32_t best = 0, n = d->nspec ? d->nspec : 1;

	for (uint32_t s = 1; s < n; s++)
		if (spec_bytes(b, s) > spec_bytes(b, best))
			best = s;
	return best;
}

/* The IO layout: inputs, then outputs, then aiccyclecounts (stats = 1),
 * as the runtime builds its buffer mappings (program.c build_layout). */
static uint32_t layout(const struct desc *d, const struct desc_buffer **order)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < d->nbuf; i++)
		if (d->buf[i].dir == DESC_IN)
			order[n++] = &d->buf[i];
	for (uint32_t i = 0; i < d->nbuf; i++)
		if (d->buf[i].dir == DESC_OUT)
			order[n++] = &d->buf[i];
	if (d->stats)
		order[n++] = NULL;	/* aiccyclecounts */
	return n;
}

static void encode_binding(struct pb *set, const struct desc *d,
			   const struct desc_buffer *b, uint32_t index)
{
	static const uint32_t cycles_dims[1] = { DESC_CYCLES_BYTES };
	const char *name = b ? b->name : DESC_CYCLES_NAME;
	struct pb m = { 0 };

	pb_bytes(&m, 1, name, strlen(name));
	pb_uint(&m, 2, index);
	pb_uint(&m, 3, b ? b->dtype : DESC_DT_INT8);
	pb_uint(&m, 4, !b || b->dir == DESC_OUT ? 1 : 0);
	if (b)
		pb_dims(&m, 7, b->dims[largest_spec(d, b)], b->rank);
	else
		pb_dims(&m, 7, cycles_dims, 1);
	pb_uint(&m, 8, b ? b->bytes : DESC_CYCLES_BYTES);
	pb_uint(&m, 10, b && b->partial);
	pb_uint(&m, 20, 1);
	pb_msg(set, 2, &m);
}

static int encode_iodesc(const struct desc *d, struct pb *out)
{
	const struct desc_buffer **order = calloc(d->nbuf + 1, sizeof(*order));
	static const uint32_t cycles_dims[1] = { DESC_CYCLES_BYTES };
	struct pb set = { 0 };
	uint32_t n;

	if (!order)
		return -1;
	n = layout(d, order);
	pb_bytes(&set, 1, "default", 7);
	for (uint32_t i = 0; i < n; i++)
		encode_binding(&set, d, order[i], i);
	pb_bytes(out, 1, set.p, set.len);	/* io_sets[0] */
	pb_msg(out, 2, &set);			/* selected_set */
	pb_bytes(out, 3, d->name, strlen(d->name));
	/* allowed_shapes: one per specialization (a program without any has
	 * one shape: the bindings' own) */
	for (uint32_t s = 0; d->nspec > 1 && s < d->nspec; s++) {
		struct pb shapes = { 0 };

		for (uint32_t i = 0; i < n; i++) {
			struct pb ts = { 0 };

			pb_uint(&ts, 1, order[i] ? order[i]->dtype : DESC_DT_INT8);
			if (order[i])
				pb_dims(&ts, 2, order[i]->dims[s], order[i]->rank);
			else
				pb_dims(&ts, 2, cycles_dims, 1);
			pb_msg(&shapes, 1, &ts);
		}
		pb_msg(out, 8, &shapes);
	}
	free(order);
	return out->oom ? -1 : 0;
}

static PyObject *qpc_getIoDescriptor(QpcObject *self, PyObject *unused)
{
	const struct desc *d = self->qpc ? ent->qpc_desc(self->qpc) : NULL;
	struct pb out = { 0 };
	PyObject *bytes, *res;

	if (!d)
		return Py_BuildValue("(Ny#)", status_obj(QS_INVAL), "", (Py_ssize_t)0);
	if (encode_iodesc(d, &out)) {
		free(out.p);
		return Py_BuildValue("(Ny#)", status_obj(QS_NOMEM), "", (Py_ssize_t)0);
	}
	bytes = PyBytes_FromStringAndSize((const char *)out.p, (Py_ssize_t)out.len);
	free(out.p);
	if (!bytes)
		return NULL;
	res = Py_BuildValue("(NN)", status_obj(QS_SUCCESS), bytes);
	return res;
}

static PyMethodDef qpc_methods[] = {
	{ "getIoDescriptor", (PyCFunction)qpc_getIoDescriptor, METH_NOARGS,
	  "getIoDescriptor() -> (QStatus, bytes): a serialized aicapi.IoDesc" },
	{ NULL, NULL, 0, NULL },
};

static PyType_Slot Qpc_slots[] = {
	{ Py_tp_doc, (void *)"Qpc(path): a QPC directory, description file or preset" },
	{ Py_tp_new, (void *)PyType_GenericNew },
	{ Py_tp_init, (void *)qpc_init },
	{ Py_tp_dealloc, (void *)qpc_dealloc },
	{ Py_tp_methods, (void *)qpc_methods },
	{ 0, NULL },
};

static PyType_Spec Qpc_spec = {
	.name = "qaicrt.Qpc",
	.basicsize = sizeof(QpcObject),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.slots = Qpc_slots,
};

/* ---- QAicProgramProperties ------------------------------------------------ */

typedef struct {
	PyObject_HEAD
	QAicProgramProperties props;
	PyObject *devMapping;		/* str */
} PropsObject;

static int props_init(PropsObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { NULL };

	if (!PyArg_ParseTupleAndKeywords(args, kw, ":QAicProgramProperties", kwlist))
		return -1;
	api->qaicProgramPropertiesInitDefault(&self->props);
	Py_XSETREF(self->devMapping, PyUnicode_FromString(""));
	return self->devMapping ? 0 : -1;
}

static void props_dealloc(PropsObject *self)
{
	Py_XDECREF(self->devMapping);
	PyTypeObject *tp = Py_TYPE(self);

	tp->tp_free((PyObject *)self);
	Py_DECREF(tp);
}

#define PROP_U32(pyname, field)						\
static PyObject *props_get_##pyname(PropsObject *self, void *c)	\
{									\
	return PyLong_FromUnsignedLong(self->props.field);		\
}									\
static int props_set_##pyname(PropsObject *self, PyObject *v, void *c) \
{									\
	unsigned long x;						\
	if (!v) {							\
		PyErr_SetString(PyExc_AttributeError, "cannot delete " #pyname); \
		return -1;						\
	}								\
	x = PyLong_AsUnsignedLong(v);					\
	if (x == (unsigned long)-1 && PyErr_Occurred())			\
		return -1;						\
	if (x > UINT32_MAX) {						\
		PyErr_SetString(PyExc_OverflowError, #pyname " is a 32-bit value"); \
		return -1;						\
	}								\
	self->props.field = (uint32_t)x;				\
	return 0;							\
}

/* dataPathTimeoutMs: the data path's (WAIT) timeout, the open runtime's
 * SubmitRetryTimeoutMs (docs/CONTRACTS.md §6.2, §6.7). */
PROP_U32(dataPathTimeoutMs, SubmitRetryTimeoutMs)
PROP_U32(submitNumRetries, SubmitNumRetries)
PROP_U32(selectMask, selectMask)

static PyObject *props_get_devMapping(PropsObject *self, void *c)
{
	return Py_NewRef(self->devMapping);
}

static int props_set_devMapping(PropsObject *self, PyObject *v, void *c)
{
	if (!v || !PyUnicode_Check(v)) {
		PyErr_SetString(PyExc_TypeError, "devMapping is a str such as '0:1:2:3'");
		return -1;
	}
	Py_XSETREF(self->devMapping, Py_NewRef(v));
	return 0;
}

#define PROP_GS(n, doc) { #n, (getter)props_get_##n, (setter)props_set_##n, doc, NULL }
static PyGetSetDef props_getset[] = {
	PROP_GS(dataPathTimeoutMs, "data path timeout, ms (0: the kernel's default)"),
	PROP_GS(devMapping, "devices of a multi-device program, '0:1:2:3'"),
	PROP_GS(selectMask, "program selection mask"),
	PROP_GS(submitNumRetries, "retries of a timed-out wait"),
	{ NULL, NULL, NULL, NULL, NULL },
};

static PyType_Slot Props_slots[] = {
	{ Py_tp_doc, (void *)"QAicProgramProperties(): defaults" },
	{ Py_tp_new, (void *)PyType_GenericNew },
	{ Py_tp_init, (void *)props_init },
	{ Py_tp_dealloc, (void *)props_dealloc },
	{ Py_tp_getset, (void *)props_getset },
	{ 0, NULL },
};

static PyTypeObject *Props_Type;

static PyType_Spec Props_spec = {
	.name = "qaicrt.QAicProgramProperties",
	.basicsize = sizeof(PropsObject),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.slots = Props_slots,
};

/* ---- Program ---------------------------------------------------------------- */

typedef struct {
	PyObject_HEAD
	QAicProgram *prog;
	PyObject *ctx, *qpc;
	QID dev;			/* the device (first of its devMapping) */
	PyObject *devMapping;		/* bytes kept for the runtime */
} ProgramObject;

static PyTypeObject *Program_Type;

static int program_init(ProgramObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "context", "qid", "qpc", "properties", NULL };
	PyObject *ctxo, *devo, *qpco, *propso = Py_None;
	QAicProgramProperties props;
	QAicContext *ctx;
	QStatus st;

	if (self->prog) {
		PyErr_SetString(PyExc_RuntimeError, "Program already initialised");
		return -1;
	}
	if (!PyArg_ParseTupleAndKeywords(args, kw, "OOO|O:Program", kwlist,
					 &ctxo, &devo, &qpco, &propso))
		return -1;
	ctx = context_of(ctxo);
	if (!ctx)
		return -1;
	if (!PyObject_TypeCheck(qpco, Qpc_Type) || !((QpcObject *)qpco)->qpc) {
		PyErr_SetString(PyExc_TypeError, "expected a qaicrt.Qpc");
		return -1;
	}
	api->qaicProgramPropertiesInitDefault(&props);
	self->dev = ((ContextObject *)ctxo)->first_dev;
	if (propso != Py_None) {
		PropsObject *po = (PropsObject *)propso;

		if (!PyObject_TypeCheck(propso, Props_Type)) {
			PyErr_SetString(PyExc_TypeError, "expected qaicrt.QAicProgramProperties");
			return -1;
		}
		props = po->props;
		if (po->devMapping && PyUnicode_GET_LENGTH(po->devMapping)) {
			Py_XSETREF(self->devMapping, PyUnicode_EncodeFSDefault(po->devMapping));
			if (!self->devMapping)
				return -1;
			self->dev = (QID)atoi(PyBytes_AS_STRING(self->devMapping));
#ifdef HAVE_QAICPROGRAMPROPERTIES_DEVMAPPING
			props.devMapping = PyBytes_AS_STRING(self->devMapping);
#else
			PyErr_SetString(PyExc_NotImplementedError,
					"this simulated runtime has no devMapping");
			return -1;
#endif
		}
	}
	if (devo != Py_None) {
		long v = PyLong_AsLong(devo);

		if (v == -1 && PyErr_Occurred())
			return -1;
		self->dev = (QID)v;
	}
	Py_BEGIN_ALLOW_THREADS
	st = api->qaicCreateProgram(ctx, &self->prog, &props, self->dev, NULL,
				    ((QpcObject *)qpco)->qpc);
	Py_END_ALLOW_THREADS
	if (st != QS_SUCCESS) {
		self->prog = NULL;
		PyErr_Format(PyExc_RuntimeError, "Failed to create program (QStatus %d)", (int)st);
		return -1;
	}
	Py_XSETREF(self->ctx, Py_NewRef(ctxo));
	Py_XSETREF(self->qpc, Py_NewRef(qpco));
	return 0;
}

static void program_dealloc(ProgramObject *self)
{
	if (self->prog) {
		Py_BEGIN_ALLOW_THREADS
		api->qaicReleaseProgram(self->prog);
		Py_END_ALLOW_THREADS
	}
	Py_XDECREF(self->ctx);
	Py_XDECREF(self->qpc);
	Py_XDECREF(self->devMapping);
	PyTypeObject *tp = Py_TYPE(self);

	tp->tp_free((PyObject *)self);
	Py_DECREF(tp);
}

enum prog_op { OP_LOAD, OP_UNLOAD, OP_ACTIVATE, OP_DEACTIVATE };

static PyObject *program_op(ProgramObject *self, enum prog_op op)
{
	QStatus st = QS_INVAL;

	if (!self->prog)
		return status_obj(QS_INVAL);
	Py_BEGIN_ALLOW_THREADS
	switch (op) {
	case OP_LOAD:
		st = api->qaicLoadProgram(self->prog);
		break;
	case OP_UNLOAD:
		st = api->qaicUnloadProgram(self->prog);
		break;
	case OP_ACTIVATE:
		st = api->qaicRunActivationCmd(self->prog, QAIC_PROGRAM_CMD_ACTIVATE_FULL);
		break;
	case OP_DEACTIVATE:
		st = api->qaicRunActivationCmd(self->prog, QAIC_PROGRAM_CMD_DEACTIVATE_FULL);
		break;
	}
	Py_END_ALLOW_THREADS
	return status_obj(st);
}

static PyObject *program_load(ProgramObject *s, PyObject *u) { return program_op(s, OP_LOAD); }
static PyObject *program_unload(ProgramObject *s, PyObject *u) { return program_op(s, OP_UNLOAD); }
static PyObject *program_activate(ProgramObject *s, PyObject *u) { return program_op(s, OP_ACTIVATE); }
static PyObject *program_deactivate(ProgramObject *s, PyObject *u) { return program_op(s, OP_DEACTIVATE); }

static PyMethodDef program_methods[] = {
	{ "load", (PyCFunction)program_load, METH_NOARGS, "load() -> QStatus" },
	{ "unload", (PyCFunction)program_unload, METH_NOARGS, "unload() -> QStatus" },
	{ "activate", (PyCFunction)program_activate, METH_NOARGS, "activate() -> QStatus" },
	{ "deactivate", (PyCFunction)program_deactivate, METH_NOARGS, "deactivate() -> QStatus" },
	{ NULL, NULL, 0, NULL },
};

static PyType_Slot Program_slots[] = {
	{ Py_tp_doc, (void *)"Program(context, qid|None, qpc, properties=None)" },
	{ Py_tp_new, (void *)PyType_GenericNew },
	{ Py_tp_init, (void *)program_init },
	{ Py_tp_dealloc, (void *)program_dealloc },
	{ Py_tp_methods, (void *)program_methods },
	{ 0, NULL },
};

static PyType_Spec Program_spec = {
	.name = "qaicrt.Program",
	.basicsize = sizeof(ProgramObject),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.slots = Program_slots,
};

/* ---- ExecObj ---------------------------------------------------------------- */

typedef struct {
	PyObject_HEAD
	QAicExecObj *eo;
	PyObject *ctx, *prog;
	PyObject *bufs;			/* QBuffers of the last setData (the runtime
					 * reads and writes their memory) */
	QAicQueue *runq;		/* run()'s own queue, made on first use */
} ExecObjObject;

static PyTypeObject *ExecObj_Type;

static int execobj_init(ExecObjObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "context", "program", NULL };
	PyObject *ctxo, *progo;
	QAicContext *ctx;
	QAicProgram *prog;
	QStatus st;

	if (self->eo) {
		PyErr_SetString(PyExc_RuntimeError, "ExecObj already initialised");
		return -1;
	}
	if (!PyArg_ParseTupleAndKeywords(args, kw, "OO:ExecObj", kwlist, &ctxo, &progo))
		return -1;
	ctx = context_of(ctxo);
	if (!ctx)
		return -1;
	if (!PyObject_TypeCheck(progo, Program_Type) || !((ProgramObject *)progo)->prog) {
		PyErr_SetString(PyExc_TypeError, "expected a qaicrt.Program");
		return -1;
	}
	prog = ((ProgramObject *)progo)->prog;
	Py_BEGIN_ALLOW_THREADS
	st = api->qaicCreateExecObj(ctx, &self->eo, NULL, prog, NULL, NULL, NULL);
	Py_END_ALLOW_THREADS
	if (st != QS_SUCCESS) {
		self->eo = NULL;
		PyErr_Format(PyExc_RuntimeError, "Failed to create exec object (QStatus %d)", (int)st);
		return -1;
	}
	Py_XSETREF(self->ctx, Py_NewRef(ctxo));
	Py_XSETREF(self->prog, Py_NewRef(progo));
	return 0;
}

static void execobj_dealloc(ExecObjObject *self)
{
	QAicQueue *q = self->runq;
	QAicExecObj *eo = self->eo;

	Py_BEGIN_ALLOW_THREADS
	if (eo)
		api->qaicReleaseExecObj(eo);	/* waits for an inference in flight */
	if (q)
		api->qaicReleaseQueue(q);
	Py_END_ALLOW_THREADS
	Py_XDECREF(self->bufs);
	Py_XDECREF(self->ctx);
	Py_XDECREF(self->prog);
	PyTypeObject *tp = Py_TYPE(self);

	tp->tp_free((PyObject *)self);
	Py_DECREF(tp);
}

/* setData's arguments in the runtime's form. */
struct setdata_args {
	PyObject *list;			/* new list of the QBuffers */
	uint32_t n;
	QBuffer *qb;
	QBufferDimensions *dims;	/* NULL: no dimensions */
	uint32_t *dimv;
};

static void setdata_free(struct setdata_args *a)
{
	Py_XDECREF(a->list);
	free(a->qb);
	free(a->dims);
	free(a->dimv);
	memset(a, 0, sizeof(*a));
}

static int setdata_parse(PyObject *bufs, PyObject *dims, struct setdata_args *a)
{
	Py_ssize_t n, total = 0;

	memset(a, 0, sizeof(*a));
	a->list = PySequence_List(bufs);
	if (!a->list)
		return -1;
	n = PyList_GET_SIZE(a->list);
	a->n = (uint32_t)n;
	a->qb = calloc((size_t)n + 1, sizeof(*a->qb));
	if (!a->qb)
		goto nomem;
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *o = PyList_GET_ITEM(a->list, i);

		if (!PyObject_TypeCheck(o, QBuffer_Type)) {
			PyErr_Format(PyExc_TypeError, "buffer %zd is not a qaicrt.QBuffer", i);
			goto fail;
		}
		a->qb[i].size = ((QBufferObject *)o)->size;
		a->qb[i].buf = ((QBufferObject *)o)->buf;
		a->qb[i].type = QBUFFER_TYPE_HEAP;
	}
	if (!dims || dims == Py_None)
		return 0;
	if (PySequence_Length(dims) != n) {
		if (!PyErr_Occurred())
			PyErr_Format(PyExc_ValueError, "%zd buffers but %zd dimensions",
				     n, PySequence_Length(dims));
		goto fail;
	}
	a->dims = calloc((size_t)n + 1, sizeof(*a->dims));
	if (!a->dims)
		goto nomem;
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *it = PySequence_GetItem(dims, i), *t;

		if (!it)
			goto fail;
		t = dims_item(it);
		Py_DECREF(it);
		if (!t)
			goto fail;
		total += PyList_GET_SIZE(PyTuple_GET_ITEM(t, 1));
		Py_DECREF(t);
	}
	a->dimv = calloc((size_t)total + 1, sizeof(*a->dimv));
	if (!a->dimv)
		goto nomem;
	total = 0;
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *it = PySequence_GetItem(dims, i), *t, *shape;

		if (!it)
			goto fail;
		t = dims_item(it);
		Py_DECREF(it);
		if (!t)
			goto fail;
		shape = PyTuple_GET_ITEM(t, 1);
		a->dims[i].sizeOfElem = (uint32_t)PyLong_AsUnsignedLong(PyTuple_GET_ITEM(t, 0));
		a->dims[i].count = (uint32_t)PyList_GET_SIZE(shape);
		a->dims[i].dims = &a->dimv[total];
		for (Py_ssize_t k = 0; k < PyList_GET_SIZE(shape); k++)
			a->dimv[total++] = (uint32_t)PyLong_AsUnsignedLong(PyList_GET_ITEM(shape, k));
		Py_DECREF(t);
		if (PyErr_Occurred())
			goto fail;
	}
	return 0;
nomem:
	PyErr_NoMemory();
fail:
	setdata_free(a);
	return -1;
}

/* Hands @a to the runtime; on success the QBuffers are kept. */
static QStatus setdata_apply(ExecObjObject *self, struct setdata_args *a)
{
	QStatus st = a->dims ?
		api->qaicExecObjSetDataExt(self->eo, a->n, a->qb, a->dims) :
		api->qaicExecObjSetData(self->eo, a->n, a->qb);

	if (st == QS_SUCCESS) {
		Py_XSETREF(self->bufs, a->list);
		a->list = NULL;
	}
	return st;
}

static PyObject *execobj_setData(ExecObjObject *self, PyObject *args)
{
	PyObject *bufs, *dims = NULL;
	struct setdata_args a;
	QStatus st;

	if (!PyArg_ParseTuple(args, "O|O:setData", &bufs, &dims))
		return NULL;
	if (setdata_parse(bufs, dims, &a))
		return NULL;
	st = setdata_apply(self, &a);
	setdata_free(&a);
	return status_obj(st);
}

static PyObject *execobj_waitForCompletion(ExecObjObject *self, PyObject *args)
{
	unsigned int timeout_us = 0;
	QStatus st;

	if (!PyArg_ParseTuple(args, "|I:waitForCompletion", &timeout_us))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	st = api->qaicExecObjWaitForCompletion(self->eo, timeout_us);
	Py_END_ALLOW_THREADS
	return status_obj(st);
}

/*
 * run(qbuffers): synchronous inference: setData, then enqueue on the exec
 * object's own single-threaded queue (on the program's device), then wait.
 */
static PyObject *execobj_run(ExecObjObject *self, PyObject *args)
{
	QAicQueueProperties qp = { QAIC_QUEUE_PROPERTIES_ENABLE_SINGLE_THREADED_QUEUES, 1 };
	ProgramObject *po = (ProgramObject *)self->prog;
	QAicContext *ctx = ((ContextObject *)self->ctx)->ctx;
	PyObject *bufs;
	struct setdata_args a;
	QStatus st = QS_SUCCESS;

	if (!PyArg_ParseTuple(args, "O:run", &bufs))
		return NULL;
	if (setdata_parse(bufs, NULL, &a))
		return NULL;
	st = setdata_apply(self, &a);
	setdata_free(&a);
	if (st != QS_SUCCESS)
		return status_obj(st);
	Py_BEGIN_ALLOW_THREADS
	if (!self->runq)
		st = api->qaicCreateQueue(ctx, &self->runq, &qp, po->dev);
	if (st == QS_SUCCESS)
		st = api->qaicEnqueueExecObj(self->runq, self->eo, NULL);
	if (st == QS_SUCCESS)
		st = api->qaicExecObjWaitForCompletion(self->eo, 0);
	Py_END_ALLOW_THREADS
	return status_obj(st);
}

/*
 * getData() -> (QStatus, [QBuffer]): the buffers of the last setData (the
 * runtime wrote the outputs into them), else copies of the runtime's own
 * buffers.
 */
static PyObject *execobj_getData(ExecObjObject *self, PyObject *unused)
{
	QBuffer *rb = NULL;
	uint32_t n = 0;
	PyObject *list;
	QStatus st;

	if (self->bufs)
		return Py_BuildValue("(NN)", status_obj(QS_SUCCESS),
				     PyList_GetSlice(self->bufs, 0, PyList_GET_SIZE(self->bufs)));
	st = api->qaicExecObjGetIoBuffers(self->eo, &n, &rb);
	list = PyList_New(0);
	if (!list)
		return NULL;
	for (uint32_t i = 0; st == QS_SUCCESS && i < n; i++) {
		PyObject *b = qbuffer_from(rb[i].buf, rb[i].size);

		if (!b || PyList_Append(list, b)) {
			Py_XDECREF(b);
			Py_DECREF(list);
			return NULL;
		}
		Py_DECREF(b);
	}
	return Py_BuildValue("(NN)", status_obj(st), list);
}

static PyMethodDef execobj_methods[] = {
	{ "setData", (PyCFunction)execobj_setData, METH_VARARGS,
	  "setData(qbuffers, BufferDimensionsVecRef=None) -> QStatus" },
	{ "getData", (PyCFunction)execobj_getData, METH_NOARGS,
	  "getData() -> (QStatus, [QBuffer])" },
	{ "run", (PyCFunction)execobj_run, METH_VARARGS, "run(qbuffers) -> QStatus" },
	{ "waitForCompletion", (PyCFunction)execobj_waitForCompletion, METH_VARARGS,
	  "waitForCompletion(timeoutUs=0) -> QStatus" },
	{ NULL, NULL, 0, NULL },
};

static PyType_Slot ExecObj_slots[] = {
	{ Py_tp_doc, (void *)"ExecObj(context, program)" },
	{ Py_tp_new, (void *)PyType_GenericNew },
	{ Py_tp_init, (void *)execobj_init },
	{ Py_tp_dealloc, (void *)execobj_dealloc },
	{ Py_tp_methods, (void *)execobj_methods },
	{ 0, NULL },
};

static PyType_Spec ExecObj_spec = {
	.name = "qaicrt.ExecObj",
	.basicsize = sizeof(ExecObjObject),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.slots = ExecObj_slots,
};

/* ---- Queue ------------------------------------------------------------------ */

typedef struct {
	PyObject_HEAD
	QAicQueue *q;
	PyObject *ctx;
} QueueObject;

static int queue_init(QueueObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "context", "qid", NULL };
	PyObject *ctxo;
	QAicContext *ctx;
	int dev = 0;
	QStatus st;

	if (self->q) {
		PyErr_SetString(PyExc_RuntimeError, "Queue already initialised");
		return -1;
	}
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|i:Queue", kwlist, &ctxo, &dev))
		return -1;
	ctx = context_of(ctxo);
	if (!ctx)
		return -1;
	Py_BEGIN_ALLOW_THREADS
	st = api->qaicCreateQueue(ctx, &self->q, NULL, (QID)dev);
	Py_END_ALLOW_THREADS
	if (st != QS_SUCCESS) {
		self->q = NULL;
		PyErr_Format(PyExc_RuntimeError, "Failed to create queue (QStatus %d)", (int)st);
		return -1;
	}
	Py_XSETREF(self->ctx, Py_NewRef(ctxo));
	return 0;
}

static void queue_dealloc(QueueObject *self)
{
	if (self->q) {
		Py_BEGIN_ALLOW_THREADS
		api->qaicReleaseQueue(self->q);
		Py_END_ALLOW_THREADS
	}
	Py_XDECREF(self->ctx);
	PyTypeObject *tp = Py_TYPE(self);

	tp->tp_free((PyObject *)self);
	Py_DECREF(tp);
}

static PyObject *queue_enqueue(QueueObject *self, PyObject *arg)
{
	QAicExecObj *eo;
	QStatus st;

	if (!PyObject_TypeCheck(arg, ExecObj_Type) || !((ExecObjObject *)arg)->eo) {
		PyErr_SetString(PyExc_TypeError, "expected a qaicrt.ExecObj");
		return NULL;
	}
	eo = ((ExecObjObject *)arg)->eo;
	Py_BEGIN_ALLOW_THREADS
	st = api->qaicEnqueueExecObj(self->q, eo, NULL);
	Py_END_ALLOW_THREADS
	return status_obj(st);
}

static PyMethodDef queue_methods[] = {
	{ "enqueue", (PyCFunction)queue_enqueue, METH_O, "enqueue(ExecObj) -> QStatus" },
	{ NULL, NULL, 0, NULL },
};

static PyType_Slot Queue_slots[] = {
	{ Py_tp_doc, (void *)"Queue(context, qid)" },
	{ Py_tp_new, (void *)PyType_GenericNew },
	{ Py_tp_init, (void *)queue_init },
	{ Py_tp_dealloc, (void *)queue_dealloc },
	{ Py_tp_methods, (void *)queue_methods },
	{ 0, NULL },
};

static PyTypeObject *Queue_Type;

static PyType_Spec Queue_spec = {
	.name = "qaicrt.Queue",
	.basicsize = sizeof(QueueObject),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.slots = Queue_slots,
};

/* ---- the module --------------------------------------------------------------- */

/*
 * The installed simulator (make install-sim): this module in SIMDIR/python,
 * the runtime in SIMDIR.  NULL when this module is not laid out so (the
 * build tree's sim/python).
 */
static const char *installed_runtime(void)
{
	static char path[PATH_MAX];
	Dl_info info;
	char *slash;

	if (!dladdr((void *)installed_runtime, &info) || !info.dli_fname ||
	    strlen(info.dli_fname) >= sizeof(path))
		return NULL;
	strcpy(path, info.dli_fname);
	slash = strrchr(path, '/');	/* SIMDIR/python/qaicrt.so */
	if (!slash)
		return NULL;
	*slash = '\0';
	slash = strrchr(path, '/');
	if (!slash || strcmp(slash, "/python"))
		return NULL;
	if ((size_t)(slash - path) + sizeof("/libQAic.so") > sizeof(path))
		return NULL;
	strcpy(slash, "/libQAic.so");
	return access(path, R_OK) ? NULL : path;
}

static int load_runtime(void)
{
	const struct simrt_entries *(*get)(void);
	const char *lib = getenv("QAIC_LIB");
	void *h;

	if (!lib || !*lib)
		lib = installed_runtime();
	if (!lib)
		lib = QAICRT_SIM_LIB;
	h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		PyErr_Format(PyExc_ImportError, "qaicrt (simulator): cannot load %s: %s",
			     lib, dlerror());
		return -1;
	}
	*(void **)&get = dlsym(h, SIMRT_ENTRIES_SYMBOL);
	ent = get ? get() : NULL;
	if (!ent || ent->version != SIMRT_ENTRIES_VERSION ||
	    ent->size < sizeof(*ent) || !ent->api ||
	    ent->api->size < sizeof(*ent->api)) {
		PyErr_Format(PyExc_ImportError,
			     "qaicrt (simulator): %s is not the simulated runtime of this build (no usable %s)",
			     lib, SIMRT_ENTRIES_SYMBOL);
		dlclose(h);
		ent = NULL;
		return -1;
	}
	api = ent->api;
	return 0;		/* the library stays loaded */
}

static struct PyModuleDef qaicrt_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "qaicrt",
	.m_doc = "The simulated QAic runtime's Python module (qprof simulator).",
	.m_size = -1,
};

/* Makes the heap type of @spec (mutable and subclassable, as pybind11's
 * classes are) into *@t and adds it to @m. */
static int add_type(PyObject *m, PyTypeObject **t, PyType_Spec *spec,
		    PyObject *base)
{
	const char *name = strrchr(spec->name, '.') + 1;

	if (!*t) {
		*t = (PyTypeObject *)(base ? PyType_FromSpecWithBases(spec, base) :
					     PyType_FromSpec(spec));
		if (!*t)
			return -1;
	}
	Py_INCREF(*t);
	if (PyModule_AddObject(m, name, (PyObject *)*t) < 0) {
		Py_DECREF(*t);
		return -1;
	}
	return 0;
}

PyMODINIT_FUNC PyInit_qaicrt(void);
PyMODINIT_FUNC PyInit_qaicrt(void)
{
	static const char *const lnames[] = { "QL_DEBUG", "QL_INFO", "QL_WARN", "QL_ERROR" };
	static const int lvalues[] = { QL_DEBUG, QL_INFO, QL_WARN, QL_ERROR };
	const char *snames[NSTATUS];
	int svalues[NSTATUS];
	PyObject *m;

	if (!api && load_runtime())
		return NULL;
	m = PyModule_Create(&qaicrt_module);
	if (!m)
		return NULL;
	for (size_t i = 0; i < NSTATUS; i++) {
		snames[i] = status_names[i].name;
		svalues[i] = status_names[i].value;
	}
	if (!status_type)
		status_type = make_enum("QStatus", snames, svalues, NSTATUS);
	if (!loglevel_type)
		loglevel_type = make_enum("QLogLevel", lnames, lvalues, 4);
	if (!status_type || !loglevel_type)
		goto fail;
	for (size_t i = 0; i < NSTATUS; i++)
		if (!status_members[i]) {
			status_members[i] = PyObject_GetAttrString(status_type, status_names[i].name);
			if (!status_members[i])
				goto fail;
		}
	Py_INCREF(status_type);
	Py_INCREF(loglevel_type);
	if (PyModule_AddObject(m, "QStatus", status_type) < 0 ||
	    PyModule_AddObject(m, "QLogLevel", loglevel_type) < 0)
		goto fail;
	if (add_type(m, &QIDList_Type, &QIDList_spec, (PyObject *)&PyList_Type) ||
	    add_type(m, &QBuffer_Type, &QBuffer_spec, NULL) ||
	    add_type(m, &Dims_Type, &Dims_spec, NULL) ||
	    add_type(m, &Context_Type, &Context_spec, NULL) ||
	    add_type(m, &Qpc_Type, &Qpc_spec, NULL) ||
	    add_type(m, &Props_Type, &Props_spec, NULL) ||
	    add_type(m, &Program_Type, &Program_spec, NULL) ||
	    add_type(m, &ExecObj_Type, &ExecObj_spec, NULL) ||
	    add_type(m, &Queue_Type, &Queue_spec, NULL))
		goto fail;
	return m;
fail:
	Py_DECREF(m);
	return NULL;
}
