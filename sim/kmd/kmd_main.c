// SPDX-License-Identifier: MIT
/*
 * simkmd start-up: configuration from the environment, the run dir with its
 * device nodes, the SIGSYS handler (kmd_trap.c), the seccomp filter and the
 * two threads (supervisor, device).  The order matters: everything that can fail is done
 * before the filter is installed, because a filter can never be removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "simkmd_priv.h"

#if defined(__x86_64__)
#define SIMKMD_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SIMKMD_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "simkmd: unsupported architecture"
#endif

struct simkmd_state sk = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.listener = -1,
};

static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int started;		/* 1 once fully started */

/* Handshake with the supervisor thread, which exists before the filter. */
static pthread_mutex_t hs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hs_cond = PTHREAD_COND_INITIALIZER;
static int hs_state;			/* 0 wait, 1 go (listener set), -1 abort */

static const uint32_t trapped_requests[] = {
	DRM_IOCTL_QAIC_MANAGE,
	DRM_IOCTL_QAIC_CREATE_BO,
	DRM_IOCTL_QAIC_MMAP_BO,
	DRM_IOCTL_QAIC_ATTACH_SLICE_BO,
	DRM_IOCTL_QAIC_EXECUTE_BO,
	DRM_IOCTL_QAIC_PARTIAL_EXECUTE_BO,
	DRM_IOCTL_QAIC_WAIT_BO,
	DRM_IOCTL_QAIC_PERF_STATS_BO,
	DRM_IOCTL_QAIC_DETACH_SLICE_BO,
	DRM_IOCTL_GEM_CLOSE,
};
#define NTRAPPED (sizeof(trapped_requests) / sizeof(trapped_requests[0]))

/* ---- configuration ---------------------------------------------------- */

static int env_long(const char *name, long min, long max, long def, long *out)
{
	const char *s = getenv(name);
	char *end;
	long v;

	*out = def;
	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || v < min || v > max) {
		fprintf(stderr, "simkmd: bad %s='%s' (want an integer in [%ld, %ld])\n",
			name, s, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int env_double(const char *name, double def, double *out)
{
	const char *s = getenv(name);
	char *end;
	double v;

	*out = def;
	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v > 0.0) || v > 1e6) {
		fprintf(stderr, "simkmd: bad %s='%s' (want a number > 0)\n", name, s);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* Parse "A:B" (two unsigned integers); *has = false when unset. */
static int env_pair(const char *name, uint64_t *a, uint64_t *b, bool *has)
{
	const char *s = getenv(name);
	unsigned long long x, y;
	int n = 0;

	*has = false;
	if (!s || !*s)
		return 0;
	if (sscanf(s, "%llu:%llu%n", &x, &y, &n) != 2 || s[n] != '\0') {
		fprintf(stderr, "simkmd: bad %s='%s' (want A:B, two integers)\n", name, s);
		return -EINVAL;
	}
	*a = x;
	*b = y;
	*has = true;
	return 0;
}

static int load_naming(void)
{
	const char *s = getenv("QAIC_SIM_DEV_NAMING");

	sk.naming = SIMKMD_NAMING_ACCEL;
	if (!s || !*s || !strcmp(s, "accel"))
		return 0;
	if (!strcmp(s, "qaic_aic100")) {
		sk.naming = SIMKMD_NAMING_QAIC_AIC100;
		return 0;
	}
	fprintf(stderr, "simkmd: bad QAIC_SIM_DEV_NAMING='%s' (want accel or qaic_aic100)\n", s);
	return -EINVAL;
}

/* Chunks of the BOs' memory: each is one scatter-gather entry. */
static int load_sg_chunk(void)
{
	long v;

	if (env_long("QAIC_SIM_SG_CHUNK_BYTES", 4096, 1L << 40, 4L << 20, &v))
		return -EINVAL;
	if (v % 4096) {
		fprintf(stderr, "simkmd: bad QAIC_SIM_SG_CHUNK_BYTES=%ld (want a multiple of 4096)\n", v);
		return -EINVAL;
	}
	sk.sg_chunk = (uint64_t)v;
	return 0;
}

/* Parse "K:N" into a fault window; unset leaves first = -1, count = 0. */
static int env_window(const char *name, int64_t *first, uint32_t *count)
{
	uint64_t a, b;
	bool has;

	*first = -1;
	*count = 0;
	if (env_pair(name, &a, &b, &has))
		return -EINVAL;
	if (!has)
		return 0;
	if (a > INT64_MAX || b > UINT32_MAX) {
		fprintf(stderr, "simkmd: bad %s (want K:N)\n", name);
		return -EINVAL;
	}
	*first = (int64_t)a;
	*count = (uint32_t)b;
	return 0;
}

/*
 * QAIC_SIM_DEV_SLOWDOWN=QID:FACTOR[,QID:FACTOR...]: every device time of
 * device QID is multiplied by FACTOR (> 0), on top of the time scale.
 */
static int load_slowdown(void)
{
	const char *s = getenv("QAIC_SIM_DEV_SLOWDOWN");

	for (int i = 0; i < SIMKMD_MAX_DEVICES; i++)
		sk.dev_slowdown[i] = 1.0;
	if (!s || !*s)
		return 0;
	while (*s) {
		char *end;
		long qid;
		double f;

		errno = 0;
		qid = strtol(s, &end, 10);
		if (errno || end == s || *end != ':' || qid < 0 || qid >= SIMKMD_MAX_DEVICES)
			goto bad;
		s = end + 1;
		f = strtod(s, &end);
		if (errno || end == s || !(f > 0.0) || f > 1e6 || (*end && *end != ','))
			goto bad;
		sk.dev_slowdown[qid] = f;
		s = *end ? end + 1 : end;
		if (*end && !*s)
			goto bad;
	}
	return 0;
bad:
	fprintf(stderr, "simkmd: bad QAIC_SIM_DEV_SLOWDOWN='%s' (want QID:FACTOR[,QID:FACTOR...], QID 0..%d, FACTOR > 0)\n",
		getenv("QAIC_SIM_DEV_SLOWDOWN"), SIMKMD_MAX_DEVICES - 1);
	return -EINVAL;
}

/*
 * QAIC_SIM_DEV_STRAGGLER=PPM:US[:QID]: a request on device QID (any device
 * when omitted) takes US µs more compute with probability PPM per million.
 */
static int load_straggler(void)
{
	const char *s = getenv("QAIC_SIM_DEV_STRAGGLER");
	unsigned long long ppm, us;
	int qid = -1, n = 0;

	sk.straggler_ppm = 0;
	sk.straggler_ns = 0;
	sk.straggler_dev = -1;
	if (!s || !*s)
		return 0;
	if (sscanf(s, "%llu:%llu%n", &ppm, &us, &n) != 2 || s[0] == '-' ||
	    ppm > 1000000 || us > 3600000000ull)
		goto bad;
	if (s[n] == ':') {
		int m = 0;

		if (sscanf(s + n + 1, "%d%n", &qid, &m) != 1 || s[n + 1 + m] ||
		    qid < 0 || qid >= SIMKMD_MAX_DEVICES || s[n + 1] == '-' ||
		    s[n + 1] == '+')
			goto bad;
	} else if (s[n]) {
		goto bad;
	}
	sk.straggler_ppm = (uint32_t)ppm;
	sk.straggler_ns = us * 1000;
	sk.straggler_dev = qid;
	return 0;
bad:
	fprintf(stderr, "simkmd: bad QAIC_SIM_DEV_STRAGGLER='%s' (want PPM:US[:QID], PPM 0..1000000)\n",
		s);
	return -EINVAL;
}

/*
 * "N:D[:MS]" of QAIC_SIM_FAULT_SSR / "N:D" of QAIC_SIM_FAULT_GONE: after
 * device D's N-th completed request (N >= 1).  Unset: dev = -1.
 */
static int env_device_fault(const char *name, bool with_ms, int64_t *after,
			    int32_t *dev, uint32_t *ms)
{
	const char *s = getenv(name);
	unsigned long long n, d, m = 50;
	int k = 0;

	*after = -1;
	*dev = -1;
	if (ms)
		*ms = 50;
	if (!s || !*s)
		return 0;
	if (sscanf(s, "%llu:%llu%n", &n, &d, &k) != 2 || s[0] == '-' ||
	    !n || n > INT64_MAX || d >= SIMKMD_MAX_DEVICES)
		goto bad;
	if (with_ms && s[k] == ':') {
		int j = 0;

		if (s[k + 1] < '0' || s[k + 1] > '9' ||
		    sscanf(s + k + 1, "%llu%n", &m, &j) != 1 || s[k + 1 + j] ||
		    m > 3600000)
			goto bad;
	} else if (s[k]) {
		goto bad;
	}
	*after = (int64_t)n;
	*dev = (int32_t)d;
	if (ms)
		*ms = (uint32_t)m;
	return 0;
bad:
	fprintf(stderr, "simkmd: bad %s='%s' (want N:D%s, N >= 1 requests, device D < %d)\n",
		name, s, with_ms ? "[:MS]" : "", SIMKMD_MAX_DEVICES);
	return -EINVAL;
}

/* "CMD:STATUS[:K]" of QAIC_SIM_FAULT_NNC: the K-th request (0-based,
 * default 0) of NNC command CMD is refused with NNC status STATUS < 0. */
static int load_nnc_fault(void)
{
	const char *s = getenv("QAIC_SIM_FAULT_NNC");
	unsigned int cmd;
	int st, k = 0;
	long long idx = 0;

	sk.faults.nnc_cmd = 0;
	if (!s || !*s)
		return 0;
	if (sscanf(s, "%u:%d%n", &cmd, &st, &k) != 2 || !cmd || cmd >= 64 || st >= 0)
		goto bad;
	if (s[k] == ':') {
		int j = 0;

		if (sscanf(s + k + 1, "%lld%n", &idx, &j) != 1 || idx < 0 || s[k + 1 + j])
			goto bad;
	} else if (s[k]) {
		goto bad;
	}
	sk.faults.nnc_cmd = cmd;
	sk.faults.nnc_status = st;
	sk.faults.nnc_index = idx;
	return 0;
bad:
	fprintf(stderr, "simkmd: bad QAIC_SIM_FAULT_NNC='%s' (want CMD:STATUS[:K], CMD 1..63, STATUS < 0, K >= 0)\n",
		s);
	return -EINVAL;
}

/* QAIC_SIM_KMD_LOG=FILE: one line per completed BO execution (tests). */
static int open_kmd_log(void)
{
	const char *s = getenv("QAIC_SIM_KMD_LOG");

	if (!s || !*s)
		return 0;
	sk.kmd_log = fopen(s, "we");
	if (!sk.kmd_log) {
		fprintf(stderr, "simkmd: cannot write QAIC_SIM_KMD_LOG='%s': %s\n",
			s, strerror(errno));
		return -EINVAL;
	}
	setvbuf(sk.kmd_log, NULL, _IOLBF, 0);
	fputs("# dev dbc handle dir status received_ns submit_ns processed_ns submit_latency_us device_latency_us queue_level_before\n",
	      sk.kmd_log);
	return 0;
}

static int load_config(void)
{
	uint64_t a, b;
	long v;
	bool has;
	int ret = 0;

	ret |= env_long("QAIC_SIM_NUM_DEVICES", 1, SIMKMD_MAX_DEVICES, 1, &v);
	sk.ndev = (int)v;
	ret |= load_naming();
	ret |= env_long("QAIC_SIM_DEV_NODE_FIRST", 0, 4096, 0, &v);
	sk.node_first = (int)v;
	ret |= load_sg_chunk();
	ret |= env_double("QAIC_SIM_TIME_SCALE", 1.0, &sk.time_scale);
	ret |= load_slowdown();
	ret |= load_straggler();
	ret |= env_long("QAIC_SIM_WAIT_DEFAULT_MS", 1, INT_MAX, 5000, &v);
	sk.wait_default_ms = (uint32_t)v;
	sk.submit_min_ns = 3200;
	sk.submit_max_ns = 6800;
	ret |= env_pair("QAIC_SIM_SUBMIT_LATENCY_NS", &a, &b, &has);
	if (has) {
		if (a > b || b > 1000000000ull) {
			fprintf(stderr, "simkmd: bad QAIC_SIM_SUBMIT_LATENCY_NS (want MIN:MAX ns, MIN <= MAX <= 1e9)\n");
			return -EINVAL;
		}
		sk.submit_min_ns = a;
		sk.submit_max_ns = b;
	}
	ret |= env_long("QAIC_SIM_FAULT_DEVERR", -1, LONG_MAX, -1, &v);
	sk.faults.deverr = v;
	ret |= env_long("QAIC_SIM_FAULT_HANG", -1, LONG_MAX, -1, &v);
	sk.faults.hang = v;
	ret |= env_window("QAIC_SIM_FAULT_EAGAIN", &sk.faults.eagain_first,
			  &sk.faults.eagain_count);
	ret |= env_window("QAIC_SIM_FAULT_WAIT_EINTR",
			  &sk.faults.wait_eintr_first,
			  &sk.faults.wait_eintr_count);
	ret |= env_device_fault("QAIC_SIM_FAULT_SSR", true, &sk.faults.ssr_after,
				&sk.faults.ssr_dev, &sk.faults.ssr_ms);
	ret |= env_device_fault("QAIC_SIM_FAULT_GONE", false,
				&sk.faults.gone_after, &sk.faults.gone_dev, NULL);
	ret |= load_nnc_fault();
	ret |= env_long("QAIC_SIM_CARD_COMPUTE_US", 0, 60000000, 100, &v);
	sk.default_compute_ns = (uint64_t)v * 1000;
	ret |= env_long("QAIC_SIM_HW_VERSION", 0, UINT32_MAX, 0x20000, &v);
	sk.hw_version = (uint32_t)v;
	ret |= open_kmd_log();
	ret |= env_long("QAIC_SIM_INLINE_IOCTLS", 0, 1, 1, &v);
	sk.inline_ioctls = v != 0;
	sk.host_prng = 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
	return ret ? -EINVAL : 0;
}

/* ---- run dir and device nodes ------------------------------------------ */

static void remove_nodes(void)
{
	for (int i = 0; i < SIMKMD_MAX_DEVICES; i++) {
		struct sim_device *d = &sk.dev[i];

		if (d->fd >= 0) {
			close(d->fd);
			d->fd = -1;
		}
		if (d->path) {
			unlink(d->path);
			free(d->path);
			d->path = NULL;
		}
	}
	if (sk.accel_dir) {
		rmdir(sk.accel_dir);
		free(sk.accel_dir);
		sk.accel_dir = NULL;
	}
	if (sk.rundir) {
		if (sk.rundir_created)
			rmdir(sk.rundir);
		free(sk.rundir);
		sk.rundir = NULL;
	}
}

static int make_rundir(void)
{
	const char *env = getenv("QAIC_SIM_RUNDIR");
	char tmpl[PATH_MAX];

	if (env && *env) {
		if (mkdir(env, 0700) == 0)
			sk.rundir_created = true;
		else if (errno != EEXIST)
			goto fail;
		sk.rundir = strdup(env);
	} else {
		const char *tmp = getenv("TMPDIR");

		snprintf(tmpl, sizeof(tmpl), "%s/qaic-sim-%d-XXXXXX",
			 tmp && *tmp ? tmp : "/tmp", (int)getpid());
		if (!mkdtemp(tmpl))
			goto fail;
		sk.rundir_created = true;
		sk.rundir = strdup(tmpl);
	}
	if (!sk.rundir)
		return -ENOMEM;
	if (sk.naming != SIMKMD_NAMING_ACCEL)
		return 0;
	if (asprintf(&sk.accel_dir, "%s/accel", sk.rundir) < 0) {
		sk.accel_dir = NULL;
		return -ENOMEM;
	}
	if (mkdir(sk.accel_dir, 0700) && errno != EEXIST)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "simkmd: cannot create run dir %s: %s\n",
		env && *env ? env : "/tmp/qaic-sim-*", strerror(errno));
	return -errno;
}

static int node_path(struct sim_device *d)
{
	int n;

	if (sk.naming == SIMKMD_NAMING_ACCEL)
		n = asprintf(&d->path, "%s/accel%d", sk.accel_dir, d->node);
	else
		n = asprintf(&d->path, "%s/qaic_aic100_%d", sk.rundir, d->node);
	if (n < 0) {
		d->path = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int make_node(struct sim_device *d, int index)
{
	struct stat st;

	d->index = index;
	d->node = index + sk.node_first;
	if (node_path(d))
		return -ENOMEM;
	/*
	 * The driver's own file, opened below libc as the kernel would: an
	 * open() interposer (qprof's shim, preloaded before the driver
	 * starts under qaic-sim-card) must not take it for the program's.
	 */
	d->fd = (int)syscall(SYS_openat, AT_FDCWD, d->path,
			     O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (d->fd < 0 || fstat(d->fd, &st)) {
		int err = errno;

		fprintf(stderr, "simkmd: cannot create device node %s: %s\n",
			d->path, strerror(err));
		return -err;
	}
	d->st_dev = st.st_dev;
	d->st_ino = st.st_ino;
	d->next_offset = 0;
	for (uint32_t i = 0; i < SIMKMD_NUM_DBC; i++) {
		d->dbc[i].id = i;
		d->dbc[i].dev_index = index;
		d->nsp_free = SIMKMD_NUM_NSP;
	}
	return 0;
}

static void forked_child(void)
{
	sk.in_child = true;
}

pid_t simkmd_self(void)
{
	return sk.in_child ? getpid() : sk.owner_pid;
}

static void cleanup_at_exit(void)
{
	/* A forked child must not remove its parent's nodes. */
	if (getpid() != sk.owner_pid)
		return;
	for (int i = 0; i < sk.ndev; i++)
		if (sk.dev[i].path)
			unlink(sk.dev[i].path);
	if (sk.accel_dir)
		rmdir(sk.accel_dir);
	if (sk.rundir && sk.rundir_created)
		rmdir(sk.rundir);
}

/* ---- seccomp ------------------------------------------------------------ */

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG3_LO offsetof(struct seccomp_data, args[3])
#define ARG3_HI (offsetof(struct seccomp_data, args[3]) + 4)
#else
#define ARG3_LO (offsetof(struct seccomp_data, args[3]) + 4)
#define ARG3_HI offsetof(struct seccomp_data, args[3])
#endif

/*
 * ioctl(fd, request, arg) with a qaic request: SECCOMP_RET_TRAP for those
 * served in the caller (kmd_trap.c), SECCOMP_RET_USER_NOTIF for the rest;
 * everything else, and a call whose args[3] is SIMKMD_PASS (our own way to
 * the real kernel from the caller's thread), is allowed.
 */
static int install_filter(void)
{
	struct sock_filter f[16 + NTRAPPED];
	struct sock_fprog prog;
	unsigned int n = 0;
	long fd;

	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					       offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					       SIMKMD_AUDIT_ARCH, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					       offsetof(struct seccomp_data, nr));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					       __NR_ioctl, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG3_LO);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					       (uint32_t)SIMKMD_PASS, 0, 3);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG3_HI);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					       (uint32_t)(SIMKMD_PASS >> 32), 0, 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	/* The kernel truncates the request to 32 bits: compare the low word. */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					       offsetof(struct seccomp_data, args[1]));
	/* Then ALLOW, TRAP, USER_NOTIF at NTRAPPED - i - 1, +1, +2 from i's next. */
	for (unsigned int i = 0; i < NTRAPPED; i++) {
		bool inline_ = simkmd_trap_inline(trapped_requests[i]);

		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						       trapped_requests[i],
						       (uint8_t)(NTRAPPED - i + !inline_), 0);
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	prog.len = (unsigned short)n;
	prog.filter = f;

	const unsigned long flags = SECCOMP_FILTER_FLAG_NEW_LISTENER |
		SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (fd < 0 && errno == EACCES) {
		/* Unprivileged: seccomp demands no_new_privs. */
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			return -errno;
		fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	}
	if (fd < 0) {
		int err = errno;

		fprintf(stderr, "simkmd: cannot install seccomp filter: %s\n",
			strerror(err));
		return -err;
	}
	return (int)fd;
}

/* Supervisor thread entry: waits for the listener, then serves. */
static void *supervisor_entry(void *arg)
{
	int state;

	pthread_mutex_lock(&hs_lock);
	while (hs_state == 0)
		pthread_cond_wait(&hs_cond, &hs_lock);
	state = hs_state;
	pthread_mutex_unlock(&hs_lock);
	if (state < 0)
		return NULL;
	return simkmd_supervisor_main(arg);
}

static void handshake(int state)
{
	pthread_mutex_lock(&hs_lock);
	hs_state = state;
	pthread_cond_broadcast(&hs_cond);
	pthread_mutex_unlock(&hs_lock);
}

/* Threads of the driver take no signals: they belong to the application. */
static int spawn(pthread_t *t, void *(*fn)(void *))
{
	sigset_t all, old;
	pthread_attr_t attr;
	int ret;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	ret = pthread_create(t, &attr, fn, NULL);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -ret;
}

static int init_device_cond(void)
{
	pthread_condattr_t ca;
	int ret;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	ret = pthread_cond_init(&sk.dev_cond, &ca);
	pthread_condattr_destroy(&ca);
	return -ret;
}

static int kcmp_works(void)
{
	pid_t pid = getpid();

	/* KCMP_FILE = 0; the same fd compares equal (0). */
	return syscall(SYS_kcmp, pid, pid, 0, sk.dev[0].fd, sk.dev[0].fd) == 0;
}

static int do_start(void)
{
	pthread_t sup, devt;
	int ret, fd;

	for (int i = 0; i < SIMKMD_MAX_DEVICES; i++)
		sk.dev[i].fd = -1;
	ret = load_config();
	if (ret)
		return ret;
	ret = make_rundir();
	for (int i = 0; !ret && i < sk.ndev; i++)
		ret = make_node(&sk.dev[i], i);
	if (!ret)
		ret = init_device_cond();
	if (ret)
		goto fail;
	sk.kcmp_ok = kcmp_works();
	sk.owner_pid = getpid();
	pthread_atfork(NULL, NULL, forked_child);

	ret = simkmd_trap_install();
	if (ret)
		goto fail;
	hs_state = 0;
	ret = spawn(&sup, supervisor_entry);
	if (ret)
		goto fail;
	fd = install_filter();
	if (fd < 0) {
		handshake(-1);
		ret = fd;
		goto fail;
	}
	/* Point of no return: nothing below may fail. */
	sk.listener = fd;
	handshake(1);
	if (spawn(&devt, simkmd_device_main)) {
		/* Only completions are lost; say so rather than hang silently. */
		fprintf(stderr, "simkmd: cannot start the device thread\n");
	}
	atexit(cleanup_at_exit);
	return 0;
fail:
	remove_nodes();
	return ret;
}

int simkmd_start(void)
{
	int ret = 0;

	if (started)
		return getpid() == sk.owner_pid ? 0 : -ECHILD;
	pthread_mutex_lock(&start_lock);
	if (!started) {
		ret = do_start();
		if (!ret)
			__atomic_store_n(&started, 1, __ATOMIC_RELEASE);
	} else if (getpid() != sk.owner_pid) {
		ret = -ECHILD;
	}
	pthread_mutex_unlock(&start_lock);
	return ret;
}

const char *simkmd_device_path(int dev)
{
	if (!started || dev < 0 || dev >= sk.ndev)
		return NULL;
	return sk.dev[dev].path;
}

int simkmd_num_devices(void)
{
	return started ? sk.ndev : 0;
}

const char *simkmd_rundir(void)
{
	return started ? sk.rundir : NULL;
}

int simkmd_stats(struct simkmd_stats *out)
{
	if (!started)
		return -ENODEV;
	pthread_mutex_lock(&sk.lock);
	*out = sk.stats;
	pthread_mutex_unlock(&sk.lock);
	return 0;
}

int simkmd_get_faults(struct simkmd_faults *out)
{
	if (!started)
		return -ENODEV;
	pthread_mutex_lock(&sk.lock);
	*out = sk.faults;
	pthread_mutex_unlock(&sk.lock);
	return 0;
}

int simkmd_set_faults(const struct simkmd_faults *in)
{
	if (!started)
		return -ENODEV;
	pthread_mutex_lock(&sk.lock);
	sk.faults = *in;
	pthread_mutex_unlock(&sk.lock);
	return 0;
}

int64_t simkmd_next_exec_index(void)
{
	int64_t v;

	pthread_mutex_lock(&sk.lock);
	v = sk.exec_index;
	pthread_mutex_unlock(&sk.lock);
	return v;
}

int64_t simkmd_next_nnc_index(uint32_t cmd)
{
	int64_t v;

	if (cmd >= 64)
		return -1;
	pthread_mutex_lock(&sk.lock);
	v = sk.nnc_index[cmd];
	pthread_mutex_unlock(&sk.lock);
	return v;
}

int64_t simkmd_next_blocking_wait_index(void)
{
	int64_t v;

	pthread_mutex_lock(&sk.lock);
	v = sk.wait_block_index;
	pthread_mutex_unlock(&sk.lock);
	return v;
}

int simkmd_test_bo_times(int fd, uint32_t handle, struct simkmd_bo_times *out)
{
	struct sim_file *f;
	struct sim_bo *bo;
	int ret = -ENOENT;

	if (!started)
		return -ENODEV;
	pthread_mutex_lock(&sk.lock);
	f = simkmd_file_lookup(fd, NULL, false);
	bo = f ? simkmd_bo_lookup(f, handle) : NULL;
	if (bo) {
		out->received_ns = bo->received_ns;
		out->submit_ns = bo->submit_ns;
		out->processed_ns = bo->processed_ns;
		out->queue_level_before = bo->queue_level_before;
		out->slices = bo->nslices;
		out->nents = bo->nents;
		out->mmap_offset = bo->offset;
		out->size = bo->size;
		out->dev_start_ns = bo->dev_start_ns;
		out->dev_end_ns = bo->dev_end_ns;
		out->dev_done_ns = bo->dev_done_ns;
		ret = 0;
	}
	pthread_mutex_unlock(&sk.lock);
	return ret;
}

int simkmd_test_hold_lock(int hold)
{
	if (!started)
		return -EINVAL;
	if (hold)
		pthread_mutex_lock(&sk.lock);
	else
		pthread_mutex_unlock(&sk.lock);
	return 0;
}

int simkmd_test_ring_used(int dev, uint32_t dbc_id)
{
	int ret;

	if (!started || dev < 0 || dev >= sk.ndev || dbc_id >= SIMKMD_NUM_DBC)
		return -EINVAL;
	pthread_mutex_lock(&sk.lock);
	ret = (int)sk.dev[dev].dbc[dbc_id].used;
	pthread_mutex_unlock(&sk.lock);
	return ret;
}
