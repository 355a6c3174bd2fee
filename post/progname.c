// SPDX-License-Identifier: MIT
/*
 * Labels of programs created without a name (progname.h).  A process
 * opens a handful of QPCs: a linear table is enough.
 */
#include <stdlib.h>
#include <string.h>

#include "progname.h"

/* [*b, *e): the last component of path, without trailing slashes. */
static void last_component(const char *path, const char **b, const char **e)
{
	const char *end = path + strlen(path), *s;

	while (end > path && end[-1] == '/')
		end--;
	for (s = end; s > path && s[-1] != '/'; s--)
		;
	*b = s;
	*e = end;
}

char *qp_program_label(const char *path)
{
	static const char qpc_file[] = "programqpc.bin";
	const char *b, *e, *dot;

	if (!path)
		return NULL;
	last_component(path, &b, &e);
	if ((size_t)(e - b) == sizeof(qpc_file) - 1 &&
	    !memcmp(b, qpc_file, sizeof(qpc_file) - 1)) {
		/* the directory the compiler wrote it to names the model */
		for (e = b; e > path && e[-1] == '/'; e--)
			;
		for (b = e; b > path && b[-1] != '/'; b--)
			;
		return b < e ? strndup(b, (size_t)(e - b)) : NULL;
	}
	for (dot = e; dot > b && dot[-1] != '.'; dot--)
		;
	if (dot > b + 1)	/* "name.ext"; a leading dot is no extension */
		e = dot - 1;
	return b < e ? strndup(b, (size_t)(e - b)) : NULL;
}

int qp_qpc_paths_add(struct qp_qpc_paths *t, uint32_t process, uint64_t qpc,
		     const char *path)
{
	struct qp_qpc_path *v;
	char *copy = strdup(path ? path : "");
	size_t i;

	if (!copy)
		return -1;
	for (i = 0; i < t->n; i++) {
		if (t->v[i].process == process && t->v[i].qpc == qpc) {
			free(t->v[i].path);
			t->v[i].path = copy;
			return 0;
		}
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 8;

		v = realloc(t->v, cap * sizeof(*v));
		if (!v) {
			free(copy);
			return -1;
		}
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = (struct qp_qpc_path){ process, qpc, copy };
	return 0;
}

const char *qp_qpc_paths_find(const struct qp_qpc_paths *t, uint32_t process,
			      uint64_t qpc)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].process == process && t->v[i].qpc == qpc)
			return t->v[i].path;
	return NULL;
}

void qp_qpc_paths_free(struct qp_qpc_paths *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].path);
	free(t->v);
	memset(t, 0, sizeof(*t));
}
