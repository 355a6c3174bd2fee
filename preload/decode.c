/* SPDX-License-Identifier: MIT */
/*
 * Pure decoders of the qaic uAPI (docs/CONTRACTS.md §2.1-2.2), unit-tested on
 * hand-built structs (preload/tests/test_decode.c).  Nothing here calls the
 * kernel or emits events.
 */
#include "shim.h"

#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

enum qp_req qp_classify_request(unsigned long request)
{
	unsigned int nr = _IOC_NR(request);
	unsigned int dir = _IOC_DIR(request);
	unsigned int size = _IOC_SIZE(request);

	if (_IOC_TYPE(request) != DRM_IOCTL_BASE)
		return QP_REQ_NONE;
	if (request == DRM_IOCTL_GEM_CLOSE)
		return QP_REQ_GEM_CLOSE;
	if (nr < DRM_COMMAND_BASE)
		return QP_REQ_OTHER;
	/* Exact request values: a different size or direction is not ours. */
	switch (nr - DRM_COMMAND_BASE) {
	case DRM_QAIC_MANAGE:
		return request == DRM_IOCTL_QAIC_MANAGE ? QP_REQ_MANAGE :
							  QP_REQ_OTHER;
	case DRM_QAIC_CREATE_BO:
		return request == DRM_IOCTL_QAIC_CREATE_BO ? QP_REQ_CREATE_BO :
							     QP_REQ_OTHER;
	case DRM_QAIC_MMAP_BO:
		return request == DRM_IOCTL_QAIC_MMAP_BO ? QP_REQ_MMAP_BO :
							   QP_REQ_OTHER;
	case DRM_QAIC_ATTACH_SLICE_BO:
		return request == DRM_IOCTL_QAIC_ATTACH_SLICE_BO ?
			       QP_REQ_ATTACH_SLICE : QP_REQ_OTHER;
	case DRM_QAIC_EXECUTE_BO:
		return request == DRM_IOCTL_QAIC_EXECUTE_BO ? QP_REQ_EXECUTE :
							      QP_REQ_OTHER;
	case DRM_QAIC_PARTIAL_EXECUTE_BO:
		return request == DRM_IOCTL_QAIC_PARTIAL_EXECUTE_BO ?
			       QP_REQ_PARTIAL_EXECUTE : QP_REQ_OTHER;
	case DRM_QAIC_WAIT_BO:
		return request == DRM_IOCTL_QAIC_WAIT_BO ? QP_REQ_WAIT :
							   QP_REQ_OTHER;
	case DRM_QAIC_PERF_STATS_BO:
		return request == DRM_IOCTL_QAIC_PERF_STATS_BO ?
			       QP_REQ_PERF_STATS : QP_REQ_OTHER;
	case DRM_QAIC_DETACH_SLICE_BO:
		/* nr 0x08: upstream DETACH (_IOW, 8) vs SDK PART_DEV (_IOWR). */
		if (dir == _IOC_WRITE && size == sizeof(struct qaic_detach_slice))
			return QP_REQ_DETACH_SLICE;
		return QP_REQ_OTHER;
	default:
		return QP_REQ_OTHER;
	}
}

void qp_manage_scan(const void *data, uint32_t len, uint32_t count,
		    struct qp_manage_ids *ids)
{
	const uint8_t *p = data;
	uint32_t off = 0, i;

	if (!p)
		return;
	if (len > QAIC_MANAGE_MAX_MSG_LENGTH)
		len = QAIC_MANAGE_MAX_MSG_LENGTH;
	for (i = 0; i < count; i++) {
		struct qaic_manage_trans_hdr hdr;

		if (len - off < sizeof(hdr))
			return;
		memcpy(&hdr, p + off, sizeof(hdr));
		if (hdr.len < sizeof(hdr) || hdr.len > len - off)
			return;
		if (hdr.type == QAIC_TRANS_ACTIVATE_FROM_DEV &&
		    hdr.len >= sizeof(struct qaic_manage_trans_activate_from_dev)) {
			struct qaic_manage_trans_activate_from_dev a;

			memcpy(&a, p + off, sizeof(a));
			ids->activated_dbc = (int32_t)a.dbc_id;
		} else if ((hdr.type == QAIC_TRANS_DEACTIVATE_FROM_USR ||
			    hdr.type == QAIC_TRANS_DEACTIVATE_FROM_DEV) &&
			   hdr.len >= sizeof(struct qaic_manage_trans_deactivate)) {
			struct qaic_manage_trans_deactivate d;

			memcpy(&d, p + off, sizeof(d));
			ids->deactivated_dbc = (int32_t)d.dbc_id;
		}
		off += hdr.len;
	}
}

/*
 * Vectors of 4 u32 (GCC's generic vector extension: SSE2 on x86-64, NEON
 * on aarch64, plain code elsewhere), loaded and stored with memcpy (no
 * alignment assumed).  Decoding de-interleaves the kernel's arrays of
 * structs into the event's one array per field, four entries at a time.
 */
typedef uint32_t v4u __attribute__((vector_size(16)));

static inline v4u v4_load(const void *p)
{
	v4u v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void v4_store(uint32_t *p, v4u v)
{
	memcpy(p, &v, sizeof(v));
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
	!defined(__SANITIZE_ADDRESS__)
#define QP_AVX8 1
#include <immintrin.h>

/*
 * Eight entries at a time (AVX): each 256-bit vector holds in its low
 * half 16 bytes of entries 0-3 and in its high half the same 16 bytes of
 * entries 4-7, so that the four-entry shuffles above work on both halves
 * at once (vshufps works within each half).  Returns the entries done.
 */
__attribute__((target("avx"))) static uint32_t
perf_decode8(const uint8_t *p, uint32_t count, struct qp_perf_arrays *out)
{
	uint32_t *hd = out->handles, *ql = out->qlevel, *ne = out->nelem;
	uint32_t *su = out->submit_us, *de = out->device_us, i;

	/*
	 * Without the handles the four fields are one 16-byte run of each
	 * entry (bytes 4-19): a 4 x 4 transpose of entries k and k + 4 in
	 * each half, eight shuffles for eight entries.
	 */
	if (!hd) {
		for (i = 0; i + 8 <= count; i += 8, p += 192) {
#define QP_LD(k) _mm256_loadu2_m128((const float *)(p + 100 + 24 * (k)), \
				    (const float *)(p + 4 + 24 * (k)))
			__m256 r0 = QP_LD(0), r1 = QP_LD(1), r2 = QP_LD(2);
			__m256 r3 = QP_LD(3);
#undef QP_LD
			__m256 t0 = _mm256_unpacklo_ps(r0, r1);
			__m256 t1 = _mm256_unpacklo_ps(r2, r3);
			__m256 t2 = _mm256_unpackhi_ps(r0, r1);
			__m256 t3 = _mm256_unpackhi_ps(r2, r3);

			_mm256_storeu_ps((float *)(ql + i),
					 _mm256_shuffle_ps(t0, t1, 0x44));
			_mm256_storeu_ps((float *)(ne + i),
					 _mm256_shuffle_ps(t0, t1, 0xee));
			_mm256_storeu_ps((float *)(su + i),
					 _mm256_shuffle_ps(t2, t3, 0x44));
			_mm256_storeu_ps((float *)(de + i),
					 _mm256_shuffle_ps(t2, t3, 0xee));
		}
		return i;
	}
	for (i = 0; i + 8 <= count; i += 8, p += 192) {
#define QP_LD(j) _mm256_loadu2_m128((const float *)(p + 96 + 16 * (j)), \
				    (const float *)(p + 16 * (j)))
		__m256 v0 = QP_LD(0), v1 = QP_LD(1), v2 = QP_LD(2);
		__m256 v3 = QP_LD(3), v4 = QP_LD(4), v5 = QP_LD(5);
#undef QP_LD
/* lanes x, x of a and y, y of b (in each half), then lanes 0, 2 of each */
#define QP_IMM(x, y) ((x) | (x) << 2 | (y) << 4 | (y) << 6)
#define QP_ST(dst, a, b, c, d, x, y)					\
	_mm256_storeu_ps((float *)((dst) + i), _mm256_shuffle_ps(	\
		_mm256_shuffle_ps(a, b, QP_IMM(x, y)),			\
		_mm256_shuffle_ps(c, d, QP_IMM(x, y)), 0x88))
		if (hd)
			QP_ST(hd, v0, v1, v3, v4, 0, 2);
		QP_ST(ql, v0, v1, v3, v4, 1, 3);
		QP_ST(ne, v0, v2, v3, v5, 2, 0);
		QP_ST(su, v0, v2, v3, v5, 3, 1);
		QP_ST(de, v1, v2, v4, v5, 0, 2);
#undef QP_IMM
#undef QP_ST
	}
	return i;
}

/* { handle, dir } pairs, eight at a time: [e0 e1 | e4 e5] [e2 e3 | e6 e7]. */
__attribute__((target("avx"))) static uint32_t
exec_decode8(const uint8_t *p, uint32_t n, uint32_t *h, uint32_t *d)
{
	uint32_t i;

	for (i = 0; i + 8 <= n; i += 8, p += 64) {
		__m256 a = _mm256_loadu2_m128((const float *)(p + 32),
					      (const float *)p);
		__m256 b = _mm256_loadu2_m128((const float *)(p + 48),
					      (const float *)(p + 16));

		_mm256_storeu_ps((float *)(h + i), _mm256_shuffle_ps(a, b, 0x88));
		_mm256_storeu_ps((float *)(d + i), _mm256_shuffle_ps(a, b, 0xdd));
	}
	return i;
}

static bool have_avx(void)
{
	static int avx = -1;

	if (avx < 0)
		avx = __builtin_cpu_supports("avx") ? 1 : 0;
	return avx;
}
#endif

/*
 * x86-64: an AVX build of the de-interleaving loops too (three-operand
 * shuffles: no register copies), chosen at load time (ifunc).
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
	!defined(__SANITIZE_ADDRESS__)
#define QP_CLONES __attribute__((target_clones("avx", "default")))
#else
#define QP_CLONES
#endif

QP_CLONES
void qp_exec_decode(const struct qaic_execute *ex, const void *entries,
		    bool partial, struct qp_exec_req *out)
{
	const uint8_t *p = entries;
	uint32_t i = 0, n = ex->hdr.count;

	out->dbc_id = ex->hdr.dbc_id;
	out->nresize = 0;
	if (!p)
		n = 0;
	out->count = n;
	if (partial) {
		for (; i < n; i++) {
			struct qaic_partial_execute_entry e;

			memcpy(&e, p + i * sizeof(e), sizeof(e));
			out->handles[i] = e.handle;
			out->dirs[i] = e.dir;
			out->resize[i] = e.resize;
		}
		out->nresize = n;
		return;
	}
	/* { handle, dir } pairs: [h0 d0 h1 d1] [h2 d2 h3 d3] */
	{
		uint32_t *h = out->handles, *d = out->dirs;

#ifdef QP_AVX8
		if (n >= 8 && have_avx())
			i = exec_decode8(p, n, h, d);
#endif

		for (; i + 8 <= n; i += 8) {
			v4u a = v4_load(p + i * 8), b = v4_load(p + i * 8 + 16);
			v4u c = v4_load(p + i * 8 + 32);
			v4u e = v4_load(p + i * 8 + 48);

			v4_store(h + i, __builtin_shuffle(a, b, (v4u){ 0, 2, 4, 6 }));
			v4_store(d + i, __builtin_shuffle(a, b, (v4u){ 1, 3, 5, 7 }));
			v4_store(h + i + 4,
				 __builtin_shuffle(c, e, (v4u){ 0, 2, 4, 6 }));
			v4_store(d + i + 4,
				 __builtin_shuffle(c, e, (v4u){ 1, 3, 5, 7 }));
		}
	}
	for (; i < n; i++) {
		struct qaic_execute_entry e;

		memcpy(&e, p + i * sizeof(e), sizeof(e));
		out->handles[i] = e.handle;
		out->dirs[i] = e.dir;
	}
}

/*
 * Each entry's direction is the one its BO was attached with (the kernel
 * ignores execute_entry.dir and enforces the attach's); an entry whose
 * attach was not seen (0) falls back to its execute dir.
 */
int qp_exec_wait_index(const uint32_t *attach_dirs, const uint32_t *dirs,
		       uint32_t count)
{
	uint32_t i, d;

	for (i = count; i > 0; i--) {
		d = attach_dirs && attach_dirs[i - 1] ? attach_dirs[i - 1] :
							dirs[i - 1];
		if (d == QDIR_FROM_DEV)
			return (int)(i - 1);
	}
	return count ? (int)count - 1 : -1;
}

QP_CLONES
void qp_perf_decode(const struct qaic_perf_stats_entry *e, uint32_t count,
		    struct qp_perf_arrays *out)
{
	const uint8_t *p = (const uint8_t *)e;
	uint32_t i = 0;

	out->count = count;
#ifdef QP_AVX8
	if (count >= 8 && have_avx()) {
		i = perf_decode8(p, count, out);
		p += (size_t)i * sizeof(*e);
	}
#endif
	/*
	 * Four 24-byte entries are six vectors; field f of entry k is u32
	 * number 6k + f: two shuffles gather entries 0-1 and 2-3, a third
	 * joins them.
	 */
	uint32_t *hd = out->handles, *ql = out->qlevel, *ne = out->nelem;
	uint32_t *su = out->submit_us, *de = out->device_us;
	/* every shuffle takes two lanes of its first vector, two of its second
	 * (one shufps on x86-64) */
	const v4u ev = { 0, 2, 4, 6 };

	/* no handles: a 4 x 4 transpose of each entry's bytes 4-19 */
	for (; !hd && i + 4 <= count; i += 4, p += 96) {
		v4u r0 = v4_load(p + 4), r1 = v4_load(p + 28);
		v4u r2 = v4_load(p + 52), r3 = v4_load(p + 76);
		v4u t0 = __builtin_shuffle(r0, r1, (v4u){ 0, 4, 1, 5 });
		v4u t1 = __builtin_shuffle(r2, r3, (v4u){ 0, 4, 1, 5 });
		v4u t2 = __builtin_shuffle(r0, r1, (v4u){ 2, 6, 3, 7 });
		v4u t3 = __builtin_shuffle(r2, r3, (v4u){ 2, 6, 3, 7 });

		v4_store(ql + i, __builtin_shuffle(t0, t1, (v4u){ 0, 1, 4, 5 }));
		v4_store(ne + i, __builtin_shuffle(t0, t1, (v4u){ 2, 3, 6, 7 }));
		v4_store(su + i, __builtin_shuffle(t2, t3, (v4u){ 0, 1, 4, 5 }));
		v4_store(de + i, __builtin_shuffle(t2, t3, (v4u){ 2, 3, 6, 7 }));
	}
	for (; i + 4 <= count; i += 4, p += 96) {
		v4u v0 = v4_load(p), v1 = v4_load(p + 16), v2 = v4_load(p + 32);
		v4u v3 = v4_load(p + 48), v4 = v4_load(p + 64);
		v4u v5 = v4_load(p + 80);

		if (hd)
			v4_store(hd + i, __builtin_shuffle(
				__builtin_shuffle(v0, v1, (v4u){ 0, 0, 6, 6 }),
				__builtin_shuffle(v3, v4, (v4u){ 0, 0, 6, 6 }),
				ev));
		v4_store(ql + i, __builtin_shuffle(
			__builtin_shuffle(v0, v1, (v4u){ 1, 1, 7, 7 }),
			__builtin_shuffle(v3, v4, (v4u){ 1, 1, 7, 7 }), ev));
		v4_store(ne + i, __builtin_shuffle(
			__builtin_shuffle(v0, v2, (v4u){ 2, 2, 4, 4 }),
			__builtin_shuffle(v3, v5, (v4u){ 2, 2, 4, 4 }), ev));
		v4_store(su + i, __builtin_shuffle(
			__builtin_shuffle(v0, v2, (v4u){ 3, 3, 5, 5 }),
			__builtin_shuffle(v3, v5, (v4u){ 3, 3, 5, 5 }), ev));
		v4_store(de + i, __builtin_shuffle(
			__builtin_shuffle(v1, v2, (v4u){ 0, 0, 6, 6 }),
			__builtin_shuffle(v4, v5, (v4u){ 0, 0, 6, 6 }), ev));
	}
	for (; i < count; i++) {
		if (out->handles)
			out->handles[i] = e[i].handle;
		out->qlevel[i] = e[i].queue_level_before;
		out->nelem[i] = e[i].num_queue_element;
		out->submit_us[i] = e[i].submit_latency_us;
		out->device_us[i] = e[i].device_latency_us;
	}
}

/*
 * After a successful ioctl the kernel has read (and written) the buffers,
 * so they are valid: plain copy.  After a failure they may not be (EFAULT,
 * or an error found before the kernel looked at them): copy with
 * process_vm_readv, which fails cleanly instead of faulting.
 */
bool qp_read_user(void *dst, const void *src, size_t len, bool trusted)
{
	struct iovec local = { dst, len };
	struct iovec remote = { (void *)src, len };

	if (!src)
		return false;
	if (trusted) {
		memcpy(dst, src, len);
		return true;
	}
	return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) ==
	       (ssize_t)len;
}
