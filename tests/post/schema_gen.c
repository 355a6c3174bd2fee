// SPDX-License-Identifier: MIT
/*
 * schema_gen: emits every event of the qprof schema through the real
 * provider, with known values, as a small application would (two
 * inferences, one completed by a wait and one by an event callback), and
 * prints on stdout what it emitted: one line per event, in order,
 *	EVENT<TAB>field=value<TAB>field=value...
 * (integers in decimal, sequences as [a,b], strings as they are).
 * tests/post/traces/record.sh records its events into
 * tests/post/traces/v<QP_SCHEMA_VERSION>/ with that output as expected.txt;
 * test_schema_traces.c reads the recorded trace back and compares.
 *
 * pid and tid are payload values, so they are fixed here (4242, 4243 for
 * the runtime's worker thread) and the output does not depend on the run.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "qprof-tp.h"

#define PID 4242
#define APP 4242
#define WORKER 4243
#define FD 7
#define DBC 3
#define P(x) ((const void *)(uintptr_t)(x))

static uint64_t clock_ns = 1000000;	/* fabricated begin_ts, increasing */

/* A call on thread tid returning status (ret) with errno err. */
static struct qprof_tp_call call(int32_t tid, int32_t status, int32_t err)
{
	struct qprof_tp_call c = {
		.ip = P(0x401000), .pid = PID, .tid = tid,
		.begin_ts = clock_ns += 1000, .status = status, .err = err,
	};
	return c;
}

static void expect(const char *event, const struct qprof_tp_call *c,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The line test_schema_traces.c compares the decoded event with. */
static void expect(const char *event, const struct qprof_tp_call *c,
		   const char *fmt, ...)
{
	va_list ap;

	printf("%s\tpid=%d\ttid=%d\tbegin_ts=%" PRIu64 "\tstatus=%d\terr=%d",
	       event, c->pid, c->tid, c->begin_ts, c->status, c->err);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Events without begin_ts decode it as their timestamp: not compared. */
static void expect_no_begin(const char *event, const struct qprof_tp_call *c,
			    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void expect_no_begin(const char *event, const struct qprof_tp_call *c,
			    const char *fmt, ...)
{
	va_list ap;

	printf("%s\tpid=%d\ttid=%d\tstatus=%d\terr=%d", event, c->pid, c->tid,
	       c->status, c->err);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void setup(void)
{
	struct qprof_tp_call c;
	uint32_t h;

	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, process_info, &c, "/opt/qti-aic/lib/libQAic.so",
			     1, 20, "4", "sim", "1.0.0", "kmd_stats=auto kernel_only=0");
	expect_no_begin("process_info", &c,
			"\truntime_path=/opt/qti-aic/lib/libQAic.so\trt_major=1\trt_minor=20"
			"\trt_patch=4\trt_variant=sim\tshim_version=1.0.0"
			"\tsettings=kmd_stats=auto kernel_only=0");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_context_create, &c, P(0x1000), 2, 1);
	expect("api_context_create", &c, "\tctx=4096\tnum_devices=2\tdev0=1");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, kmd_open, &c, FD, "/dev/accel/accel1");
	expect_no_begin("kmd_open", &c, "\tfd=7\tpath=/dev/accel/accel1");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_qpc_open, &c, P(0x2000), "model/programqpc.bin", 0);
	expect("api_qpc_open", &c, "\tqpc=8192\tpath=model/programqpc.bin\tsize=0");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_program_create, &c, P(0x1000), P(0x3000),
			     1, "resnet", P(0x2000));
	expect("api_program_create", &c,
	       "\tctx=4096\tprogram=12288\tdev=1\tname=resnet\tqpc=8192");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, kmd_manage, &c, FD, 1, 96, DBC, -1);
	expect("kmd_manage", &c, "\tfd=7\tcount=1\tlen=96\tactivated_dbc=3"
	       "\tdeactivated_dbc=-1");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_program_load, &c, P(0x3000));
	expect("api_program_load", &c, "\tobj=12288");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_program_activation, &c, P(0x3000), 0);
	expect("api_program_activation", &c, "\tprogram=12288\tcmd=0");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_queue_create, &c, P(0x1000), P(0x4000), 1, 4);
	expect("api_queue_create", &c, "\tctx=4096\tqueue=16384\tdev=1\tnum_threads=4");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_event_create, &c, P(0x1000), P(0x6000), 1);
	expect("api_event_create", &c, "\tctx=4096\tevent=24576\tcompletion_type=1");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_event_callback_reg, &c, P(0x6000),
			     P(0x7000), P(0x7100), 1);
	expect("api_event_callback_reg", &c, "\tevent=24576\tcallback=28672"
	       "\tuser_data=28928\tadd=1");
	for (h = 100; h < 102; h++) {
		struct qprof_tp_call bo = call(APP, 0, 0);

		lttng_ust_tracepoint(qprof, kmd_create_bo, &bo, FD, 4096 * (h - 99), h);
		expect("kmd_create_bo", &bo, "\tfd=7\tsize=%u\thandle=%u",
		       4096 * (h - 99), h);
		c = call(APP, 0, 0);
		lttng_ust_tracepoint(qprof, kmd_mmap_bo, &c, FD, h, 0x100000000ull * h);
		expect_no_begin("kmd_mmap_bo", &c, "\tfd=7\thandle=%u\toffset=%llu", h,
				0x100000000ull * h);
		c = call(APP, 0, 0);
		lttng_ust_tracepoint(qprof, kmd_attach_slice, &c, FD, h, DBC,
				     h == 100 ? 1 : 2, 4096 * (h - 99), 1);
		expect_no_begin("kmd_attach_slice", &c, "\tfd=7\thandle=%u\tdbc_id=3"
				"\tdir=%u\tsize=%u\tcount=1", h, h == 100 ? 1 : 2,
				4096 * (h - 99));
	}
	c = call(APP, 0, 0);
	c.begin_ts -= 7000;	/* the call contains the BO setup above */
	lttng_ust_tracepoint(qprof, api_execobj_create, &c, P(0x1000), P(0x5000),
			     P(0x3000));
	expect("api_execobj_create", &c, "\tctx=4096\texecobj=20480\tprogram=12288");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_execobj_set_data, &c, P(0x5000), 2,
			     12288, 1);
	expect("api_execobj_set_data", &c, "\texecobj=20480\tnum_buffers=2"
	       "\ttotal_bytes=12288\text=1");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_function_table, &c, P(0x9000), P(0x9800),
			     30, 64);
	expect_no_begin("api_function_table", &c, "\ttable=36864\tcopy=38912"
			"\twrapped=30\twords=64");
}

/* Inference seq: enqueue, EXECUTE, WAIT, PERF_STATS, then its completion. */
static void inference(uint64_t seq, int by_callback)
{
	uint32_t handles[2] = { 100, 101 }, dirs[2] = { 1, 2 };
	uint32_t zero[2] = { 0, 0 };
	uint32_t ql[2] = { 1, 1 }, nq[2] = { 2, 2 };
	uint32_t sub[2] = { 11 + (uint32_t)seq, 11 + (uint32_t)seq };
	uint32_t dev[2] = { 150 + (uint32_t)seq, 150 + (uint32_t)seq };
	uint64_t ips[3] = { 0x401000, 0x402000 + seq, 0x403000 };
	struct qprof_tp_call c, enq, w;

	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_callstack, &c, ips, 3);
	expect_no_begin("api_callstack", &c, "\tips=[4198400,%llu,4206592]",
			(unsigned long long)ips[1]);
	enq = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_enqueue_entry, &enq, seq, P(0x4000),
			     P(0x5000), P(by_callback ? 0x6000 : 0));
	expect_no_begin("api_enqueue_entry", &enq, "\tseq=%llu\tqueue=16384"
			"\texecobj=20480\tevent=%d", (unsigned long long)seq,
			by_callback ? 0x6000 : 0);
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_enqueue_exit, &c, seq);
	expect_no_begin("api_enqueue_exit", &c, "\tseq=%llu", (unsigned long long)seq);
	if (seq == 1) {
		/* a ring full: the runtime retries (ret -1, EAGAIN) */
		c = call(WORKER, -1, 11);
		lttng_ust_tracepoint(qprof, kmd_execute, &c, FD, DBC, 0, handles,
				     dirs, NULL, 2, 0, 101);
		expect("kmd_execute", &c, "\tfd=7\tdbc_id=3\tpartial=0"
		       "\thandles=[100,101]\tdirs=[1,2]\tresize=[]"
		       "\twait_handle=101");
	}
	c = call(WORKER, 0, 0);
	/* seq 1: execute dirs 0 (ignored by the kernel); the wait handle
	 * from the attach dirs */
	lttng_ust_tracepoint(qprof, kmd_execute, &c, FD, DBC, 0, handles,
			     seq ? zero : dirs, NULL, 2, 0, 101);
	expect("kmd_execute", &c, "\tfd=7\tdbc_id=3\tpartial=0\thandles=[100,101]"
	       "\tdirs=%s\tresize=[]\twait_handle=101",
	       seq ? "[0,0]" : "[1,2]");
	w = call(APP, 0, 0);
	c = call(WORKER, 0, 0);
	lttng_ust_tracepoint(qprof, kmd_wait, &c, FD, 101, DBC, 5000);
	expect("kmd_wait", &c, "\tfd=7\thandle=101\tdbc_id=3\ttimeout_ms=5000");
	c = call(WORKER, 0, 0);
	/* seq 1: the shim's own call, for 3 requests, 2 answered */
	if (seq) {
		lttng_ust_tracepoint(qprof, kmd_perf_query, &c, FD, DBC, 6, 3,
				     2);
		expect("kmd_perf_query", &c, "\tfd=7\tdbc_id=3\tcount=6"
		       "\trequests=3\tanswered=2");
	}
	lttng_ust_tracepoint(qprof, kmd_perf_stats, &c, FD, DBC, (uint8_t)seq,
			     handles, ql, nq, sub, dev, 2);
	expect("kmd_perf_stats", &c, "\tfd=7\tdbc_id=3\tby_shim=%u\thandles=[100,101]"
	       "\tqueue_level_before=[1,1]\tnum_queue_element=[2,2]"
	       "\tsubmit_latency_us=[%u,%u]\tdevice_latency_us=[%u,%u]",
	       (unsigned int)seq, sub[0], sub[1], dev[0], dev[1]);
	if (by_callback) {
		c = call(WORKER, 0, 0);
		lttng_ust_tracepoint(qprof, api_callback_entry, &c, P(0x6000), 1,
				     P(0x7000));
		expect_no_begin("api_callback_entry", &c, "\tevent=24576\tcompletion=1"
				"\tcallback=28672");
		lttng_ust_tracepoint(qprof, api_callback_exit, &c, P(0x6000));
		expect_no_begin("api_callback_exit", &c, "\tevent=24576");
		c = call(APP, 0, 0);
		lttng_ust_tracepoint(qprof, api_event_wait, &c, P(0x6000));
		expect("api_event_wait", &c, "\tobj=24576");
		c = call(APP, 0, 0);
		lttng_ust_tracepoint(qprof, api_event_clear, &c, P(0x6000));
		expect("api_event_clear", &c, "\tobj=24576");
	} else {
		lttng_ust_tracepoint(qprof, api_execobj_wait, &w, P(0x5000), 1000000);
		expect("api_execobj_wait", &w, "\texecobj=20480\ttimeout=1000000");
	}
}

static void teardown(void)
{
	struct qprof_tp_call c;
	uint32_t h;

	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, kmd_other, &c, FD, 0xc0106440ull);
	expect("kmd_other", &c, "\tfd=7\trequest=3222299712");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_execobj_release, &c, P(0x5000));
	expect("api_execobj_release", &c, "\tobj=20480");
	for (h = 100; h < 102; h++) {
		c = call(APP, 0, 0);
		lttng_ust_tracepoint(qprof, kmd_bo_release, &c, FD, h, h == 100);
		expect_no_begin("kmd_bo_release", &c, "\tfd=7\thandle=%u\tdetach=%u",
				h, h == 100);
	}
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_event_callback_reg, &c, P(0x6000),
			     P(0x7000), P(0), 0);
	expect("api_event_callback_reg", &c, "\tevent=24576\tcallback=28672"
	       "\tuser_data=0\tadd=0");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_event_release, &c, P(0x6000));
	expect("api_event_release", &c, "\tobj=24576");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_queue_release, &c, P(0x4000));
	expect("api_queue_release", &c, "\tobj=16384");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, kmd_manage, &c, FD, 1, 64, -1, DBC);
	expect("kmd_manage", &c, "\tfd=7\tcount=1\tlen=64\tactivated_dbc=-1"
	       "\tdeactivated_dbc=3");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_program_unload, &c, P(0x3000));
	expect("api_program_unload", &c, "\tobj=12288");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_program_release, &c, P(0x3000));
	expect("api_program_release", &c, "\tobj=12288");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_qpc_close, &c, P(0x2000));
	expect("api_qpc_close", &c, "\tobj=8192");
	/* schema 2: a program group's life */
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_program_group_create, &c, P(0x1000),
			     P(0xa000), P(0xa100), 1, "grp", 1, 1);
	expect("api_program_group_create", &c, "\tctx=4096\tgroup=40960"
	       "\tqueue=41216\tdev=1\tname=grp\toversubscription=1\tprotocol=1");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_program_group_add, &c, P(0xa000),
			     P(0x2000), P(0xa200));
	expect("api_program_group_add", &c, "\tgroup=40960\tqpc=8192"
	       "\tprogram=41472");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_program_group_enable, &c, P(0xa000));
	expect("api_program_group_enable", &c, "\tobj=40960");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_program_group_disable, &c, P(0xa000),
			     1, 60000000);
	expect("api_program_group_disable", &c, "\tgroup=40960"
	       "\twait_for_idle=1\ttimeout=60000000");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_program_group_release, &c, P(0xa000));
	expect("api_program_group_release", &c, "\tobj=40960");
	/* a failed call: QS_INVAL (2) */
	c = call(APP, 2, 0);
	lttng_ust_tracepoint(qprof, api_context_release, &c, P(0x1001));
	expect("api_context_release", &c, "\tobj=4097");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, api_context_release, &c, P(0x1000));
	expect("api_context_release", &c, "\tobj=4096");
}

/* Schema 3: a Python program's qaicrt calls (preload/python). */
static void python(void)
{
	static const uint64_t dims0[2] = { 1, 32 };
	struct qprof_tp_call c;

	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, py_context_create, &c, 0x7f0001, 4, 0);
	expect("py_context_create", &c, "\tctx=8323073\tnum_devices=4\tdev0=0");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, py_qpc_open, &c, 0x7f0002, "qpc/llm");
	expect("py_qpc_open", &c, "\tqpc=8323074\tpath=qpc/llm");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, py_program_create, &c, 0x7f0001, 0x7f0003,
			     0x7f0002, -1, "0:1:2:3");
	expect("py_program_create", &c, "\tctx=8323073\tprogram=8323075"
	       "\tqpc=8323074\tdev=-1\tdev_mapping=0:1:2:3");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, py_program_load, &c, 0x7f0003);
	expect("py_program_load", &c, "\tobj=8323075");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, py_program_activate, &c, 0x7f0003);
	expect("py_program_activate", &c, "\tobj=8323075");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, py_queue_create, &c, 0x7f0001, 0x7f0004, 0);
	expect("py_queue_create", &c, "\tctx=8323073\tqueue=8323076\tdev=0");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, py_execobj_create, &c, 0x7f0001, 0x7f0005,
			     0x7f0003);
	expect("py_execobj_create", &c, "\tctx=8323073\texecobj=8323077"
	       "\tprogram=8323075");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, py_set_data, &c, 0x7f0005, 131, 131584, 128,
			     8, dims0, 2);
	expect("py_set_data", &c, "\texecobj=8323077\tnum_buffers=131"
	       "\ttotal_bytes=131584\tskipped=128\telem0=8\tdims0=[1,32]");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, py_enqueue_entry, &c, 0, 0x7f0004, 0x7f0005);
	expect_no_begin("py_enqueue_entry", &c, "\tseq=0\tqueue=8323076"
			"\texecobj=8323077");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, py_enqueue_exit, &c, 0);
	expect_no_begin("py_enqueue_exit", &c, "\tseq=0");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, py_wait, &c, 0x7f0005, 0);
	expect("py_wait", &c, "\texecobj=8323077\ttimeout=0");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, py_get_data, &c, 0x7f0005, 131, 131584);
	expect("py_get_data", &c, "\texecobj=8323077\tnum_buffers=131"
	       "\ttotal_bytes=131584");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, py_enqueue_entry, &c, 1, 0, 0x7f0005);
	expect_no_begin("py_enqueue_entry", &c, "\tseq=1\tqueue=0"
			"\texecobj=8323077");
	/* a failed synchronous run: QS_INVAL (6) */
	c = call(APP, 6, 0);
	lttng_ust_tracepoint(qprof, py_run, &c, 1, 0x7f0005, 131, 131584);
	expect("py_run", &c, "\tseq=1\texecobj=8323077\tnum_buffers=131"
	       "\ttotal_bytes=131584");
	/* a call that raised: status -1 */
	c = call(APP, -1, 0);
	lttng_ust_tracepoint(qprof, py_program_deactivate, &c, 0x7f0003);
	expect("py_program_deactivate", &c, "\tobj=8323075");
	c = call(APP, 0, 0);
	lttng_ust_tracepoint(qprof, py_program_unload, &c, 0x7f0003);
	expect("py_program_unload", &c, "\tobj=8323075");
}

int main(void)
{
	setup();
	inference(0, 0);
	inference(1, 1);
	teardown();
	python();
	return fflush(stdout) ? 1 : 0;
}
