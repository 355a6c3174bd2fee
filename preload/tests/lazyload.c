/* SPDX-License-Identifier: MIT */
/*
 * Lazy loading of LTTng-UST by the shim (lttng_load.c), seen from inside a
 * traced process.  Prints one line per step, for lazyload.sh to compare:
 *   before <n>      LTTng-UST libraries mapped before the first QAic call
 *   call <status>   qaicReleaseContext((QAicContext *)0x1000)
 *   after <n>       LTTng-UST libraries mapped after it
 *   child <status>  (mode "fork") the same call in a fork()ed child, which
 *                   must be recorded too (fork handling once loaded)
 * Mode "fork-early" forks before the first call: the child loads LTTng-UST
 * itself.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <qprof/qaic_api.h>

/* How many mapped files are LTTng-UST libraries. */
static int lttng_libs_mapped(void)
{
	char line[4096], last[4096] = "";
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0;
	char *path;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		path = strchr(line, '/');
		if (!path || !strstr(path, "/liblttng-ust"))
			continue;
		if (strcmp(path, last)) {
			n++;
			snprintf(last, sizeof(last), "%s", path);
		}
	}
	fclose(f);
	return n;
}

static int child_call(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(qaicReleaseContext((QAicContext *)0x2000) == QS_SUCCESS ?
			      0 : 1);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	printf("before %d\n", lttng_libs_mapped() > 0);
	if (!strcmp(mode, "fork-early"))
		printf("child %d\n", child_call());
	printf("call %d\n", (int)qaicReleaseContext((QAicContext *)0x1000));
	printf("after %d\n", lttng_libs_mapped() > 0);
	if (!strcmp(mode, "fork"))
		printf("child %d\n", child_call());
	return 0;
}
