// SPDX-License-Identifier: MIT
/*
 * The ioctls that never block (EXECUTE, PARTIAL_EXECUTE, PERF_STATS) are
 * served in the thread that makes them, as the real driver serves them.
 * The filter answers them with SECCOMP_RET_TRAP: the kernel skips the call
 * and sends its thread SIGSYS, whose handler below runs the ioctl handler
 * and puts the result where the call's return value goes.
 *
 * Why not the supervisor, as for the rest: its hand-off costs a thread
 * switch each way (about 18 us each on a 2-vCPU guest) that a real kernel
 * does not.  The doorbell then rings tens of microseconds after the call's
 * entry and the call returns tens of microseconds after it, and a profiler
 * that sees only the call's entry and return cannot place the doorbell as
 * closely as it can on a card (docs/SIM-KMD.md, "Ioctls in the caller").
 * WAIT blocks, and stays with the supervisor and the device thread.
 *
 * QAIC_SIM_INLINE_IOCTLS=0 sends every ioctl to the supervisor instead (an
 * application with its own SIGSYS handler needs that).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "simkmd_priv.h"

/* si_code of a seccomp SIGSYS (asm-generic/siginfo.h; glibc lacks it) */
#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif

static struct sigaction previous;	/* the SIGSYS action we replaced */

/* The trapped call's argument @i (0-2), from the registers it was made with. */
static uint64_t call_arg(const ucontext_t *uc, int i)
{
#if defined(__x86_64__)
	static const int reg[3] = { REG_RDI, REG_RSI, REG_RDX };

	return (uint64_t)uc->uc_mcontext.gregs[reg[i]];
#elif defined(__aarch64__)
	return uc->uc_mcontext.regs[i];
#else
#error "simkmd: unsupported architecture"
#endif
}

/* Where the call's return value goes (-errno on failure, as the kernel's). */
static void set_return(ucontext_t *uc, long ret)
{
#if defined(__x86_64__)
	uc->uc_mcontext.gregs[REG_RAX] = ret;
#elif defined(__aarch64__)
	uc->uc_mcontext.regs[0] = (uint64_t)ret;
#endif
}

bool simkmd_trap_inline(unsigned long request)
{
	if (!sk.inline_ioctls)
		return false;
	return request == DRM_IOCTL_QAIC_EXECUTE_BO ||
	       request == DRM_IOCTL_QAIC_PARTIAL_EXECUTE_BO ||
	       request == DRM_IOCTL_QAIC_PERF_STATS_BO;
}

/* The real kernel's answer: the filter lets args[3] == SIMKMD_PASS through. */
static long pass_ioctl(int fd, unsigned long request, uint64_t arg)
{
	long ret = syscall(SYS_ioctl, fd, request, arg, SIMKMD_PASS, 0, 0);

	return ret < 0 ? -errno : ret;
}

/* A SIGSYS that is not our trap: what would have happened without us. */
static void not_ours(int sig, siginfo_t *si, void *uc)
{
	if (previous.sa_flags & SA_SIGINFO) {
		previous.sa_sigaction(sig, si, uc);
		return;
	}
	if (previous.sa_handler == SIG_IGN)
		return;
	if (previous.sa_handler != SIG_DFL) {
		previous.sa_handler(sig);
		return;
	}
	signal(SIGSYS, SIG_DFL);
	raise(SIGSYS);		/* pending until we return: dies as it would */
}

static void on_sigsys(int sig, siginfo_t *si, void *ucv)
{
	uint64_t entry = simkmd_now_ns();	/* first: see simkmd_serve */
	ucontext_t *uc = ucv;
	int saved_errno = errno;
	int fd;
	unsigned long request;
	uint64_t arg;
	long ret;

	if (si->si_code != SYS_SECCOMP || si->si_syscall != __NR_ioctl) {
		not_ours(sig, si, ucv);
		return;
	}
	fd = (int)call_arg(uc, 0);
	request = (uint32_t)call_arg(uc, 1);
	arg = call_arg(uc, 2);
	/* A forked child: the device is not its own (nor is sk.lock). */
	if (sk.in_child)
		ret = SIMKMD_NOT_OURS;
	else
		ret = simkmd_serve(fd, request, arg, 0, entry);
	if (ret == SIMKMD_NOT_OURS)
		ret = pass_ioctl(fd, request, arg);
	set_return(uc, ret);
	errno = saved_errno;
}

/*
 * Every signal is blocked while the handler runs: an application handler
 * that made an ioctl while we hold sk.lock would deadlock.  Installs only
 * if ours is not the handler already; what it replaces gets the SIGSYS
 * that are not our traps.
 */
int simkmd_trap_install(void)
{
	struct sigaction sa, cur;

	if (sigaction(SIGSYS, NULL, &cur))
		return -errno;
	if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_sigsys)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, &previous))
		return -errno;
	return 0;
}

int simkmd_claim_sigsys(void)
{
	return simkmd_num_devices() ? simkmd_trap_install() : -ENODEV;
}
