// SPDX-License-Identifier: MIT
/*
 * qaic-util -q output and qprof-env.txt (devenv.h).
 *
 * qaic-util -q prints a few "KEY: VALUE" lines ("LRT QC_IMAGE_VERSION:
 * LRT.AIC.6.7.1.6.52", "Number of devices: N"), then per device a line
 * "QID <n>" and indented "Key:Value" lines ("\tStatus:Ready").  A key ends
 * at the first ':' (values hold colons: "PCI Address:0002:01:00.0").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "devenv.h"
#include "linescan.h"

#define ENV_MAX_BYTES (4u << 20)

static int oom(struct qp_scan *s)
{
	return qp_scan_fail(s, "out of memory");
}

static char *trimmed(const char *b, const char *e)
{
	while (b < e && (*b == ' ' || *b == '\t'))
		b++;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return strndup(b, (size_t)(e - b));
}

/* "Key:Value" from the cursor; -1 when there is no ':' (message set). */
static int add_field(struct qp_scan *s, struct qp_env_field **v, size_t *n)
{
	const char *colon = memchr(s->c, ':', s->le - s->c);
	struct qp_env_field *f;

	if (!colon)
		return -2;
	f = realloc(*v, (*n + 1) * sizeof(*f));
	if (!f)
		return oom(s);
	*v = f;
	f = &f[*n];
	f->key = trimmed(s->c, colon);
	f->value = trimmed(colon + 1, s->le);
	if (!f->key || !f->value) {
		free(f->key);
		free(f->value);
		return oom(s);
	}
	(*n)++;
	return 0;
}

static const char *field(const struct qp_env_field *v, size_t n,
			 const char *key)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (!strcmp(v[k].key, key))
			return v[k].value;
	return NULL;
}

static int add_message(struct qp_scan *s, struct qp_env *e)
{
	char **m = realloc(e->messages, (e->nmessages + 1) * sizeof(*m));

	if (!m)
		return oom(s);
	e->messages = m;
	m[e->nmessages] = trimmed(s->lb, s->le);
	if (!m[e->nmessages])
		return oom(s);
	e->nmessages++;
	return 0;
}

/* "QID <n>" */
static int new_device(struct qp_scan *s, struct qp_env *e)
{
	struct qp_env_device *d;
	uint64_t qid;

	s->c = s->lb + 3;
	qp_scan_blanks(s);
	if (!qp_scan_u64(s, &qid) || qid > UINT32_MAX || !qp_scan_eol(s)) {
		char q[96];

		qp_scan_quote(s, q, sizeof(q));
		return qp_scan_fail(s, "malformed device line %s: expected 'QID <number>'", q);
	}
	d = realloc(e->devices, (e->ndev + 1) * sizeof(*d));
	if (!d)
		return oom(s);
	e->devices = d;
	d = &d[e->ndev++];
	memset(d, 0, sizeof(*d));
	d->qid = (uint32_t)qid;
	d->line = s->line;
	return 0;
}

static int device_line(struct qp_scan *s, struct qp_env *e)
{
	struct qp_env_device *d;
	char q[96];
	int rc;

	if (!e->ndev) {
		qp_scan_quote(s, q, sizeof(q));
		return qp_scan_fail(s, "indented line %s before any 'QID <n>' line", q);
	}
	d = &e->devices[e->ndev - 1];
	qp_scan_blanks(s);
	rc = add_field(s, &d->fields, &d->nfields);
	if (rc == -2) {
		qp_scan_quote(s, q, sizeof(q));
		return qp_scan_fail(s, "malformed device field %s: expected 'Key:Value'", q);
	}
	return rc;
}

static int top_line(struct qp_scan *s, struct qp_env *e)
{
	int rc;

	if (qp_scan_starts(s, "QID"))
		return new_device(s, e);
	if (e->ndev)	/* after the devices: a message of the tool */
		return add_message(s, e);
	rc = add_field(s, &e->fields, &e->nfields);
	return rc == -2 ? add_message(s, e) : rc;
}

/* Pointers to the fields the report names. */
static int resolve(struct qp_scan *s, struct qp_env *e)
{
	const char *n = field(e->fields, e->nfields, "Number of devices");
	size_t k;

	e->runtime_version = field(e->fields, e->nfields, "LRT QC_IMAGE_VERSION");
	if (n) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(n, &end, 10);
		if (errno || end == n || *end || v > UINT32_MAX)
			return qp_scan_fail(s, "malformed 'Number of devices: %s'", n);
		e->has_ndevices = true;
		e->ndevices = (uint32_t)v;
	}
	for (k = 0; k < e->ndev; k++) {
		struct qp_env_device *d = &e->devices[k];

		d->status = field(d->fields, d->nfields, "Status");
		d->fw_version = field(d->fields, d->nfields, "FW Version");
		d->fw_image = field(d->fields, d->nfields, "FW QC_IMAGE_VERSION");
		d->nsp_version = field(d->fields, d->nfields, "NSP Version");
		d->pci_address = field(d->fields, d->nfields, "PCI Address");
	}
	return 0;
}

int qp_env_parse_qaic_util(const char *path, const char *text, size_t len,
			   struct qp_env *e, char *err, size_t errlen)
{
	struct qp_scan s;

	memset(e, 0, sizeof(*e));
	qp_scan_init(&s, path, text, len, err, errlen);
	e->path = strdup(path);
	if (!e->path) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	while (qp_scan_next(&s)) {
		int rc;

		if (qp_scan_blank_line(&s))
			continue;
		rc = (*s.lb == ' ' || *s.lb == '\t') ? device_line(&s, e) :
						      top_line(&s, e);
		if (rc)
			goto fail;
	}
	if (!resolve(&s, e))
		return 0;
fail:
	qp_env_free(e);
	return -1;
}

int qp_env_load_qaic_util(const char *path, struct qp_env *e, char *err,
			  size_t errlen)
{
	char *text;
	size_t len;
	int rc;

	memset(e, 0, sizeof(*e));
	if (qp_slurp(path, ENV_MAX_BYTES, &text, &len, err, errlen))
		return -1;
	rc = qp_env_parse_qaic_util(path, text, len, e, err, errlen);
	free(text);
	return rc;
}

/* qprof-env.txt: "key: value" lines. */
static int load_info(const char *path, struct qp_env *e, char *err,
		     size_t errlen)
{
	struct qp_scan s;
	char *text;
	size_t len;
	int rc = 0;

	if (qp_slurp(path, ENV_MAX_BYTES, &text, &len, err, errlen))
		return -1;
	qp_scan_init(&s, path, text, len, err, errlen);
	while (!rc && qp_scan_next(&s)) {
		if (qp_scan_blank_line(&s))
			continue;
		rc = add_field(&s, &e->info, &e->ninfo);
		if (rc == -2) {
			char q[96];

			qp_scan_quote(&s, q, sizeof(q));
			rc = qp_scan_fail(&s, "malformed line %s: expected 'key: value'", q);
		}
	}
	free(text);
	return rc;
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

int qp_env_load_dir(const char *dir, struct qp_env *e, char *err,
		    size_t errlen)
{
	char *util = NULL, *info = NULL;
	int rc = -1;

	memset(e, 0, sizeof(*e));
	if (asprintf(&util, "%s/%s", dir, QP_ENV_QAIC_UTIL_FILE) < 0 ||
	    asprintf(&info, "%s/%s", dir, QP_ENV_INFO_FILE) < 0) {
		snprintf(err, errlen, "%s: out of memory", dir);
		util = info = NULL;
		goto out;
	}
	if (!exists(util) && !exists(info)) {
		rc = 1;
		goto out;
	}
	if (exists(util) && qp_env_load_qaic_util(util, e, err, errlen))
		goto out;
	if (!e->path && !(e->path = strdup(info))) {
		snprintf(err, errlen, "%s: out of memory", dir);
		goto out;
	}
	if (exists(info) && load_info(info, e, err, errlen)) {
		qp_env_free(e);
		goto out;
	}
	rc = 0;
out:
	free(util);
	free(info);
	return rc;
}

static void free_fields(struct qp_env_field *v, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++) {
		free(v[k].key);
		free(v[k].value);
	}
	free(v);
}

void qp_env_free(struct qp_env *e)
{
	size_t k;

	for (k = 0; k < e->ndev; k++)
		free_fields(e->devices[k].fields, e->devices[k].nfields);
	for (k = 0; k < e->nmessages; k++)
		free(e->messages[k]);
	free_fields(e->fields, e->nfields);
	free_fields(e->info, e->ninfo);
	free(e->devices);
	free(e->messages);
	free(e->path);
	memset(e, 0, sizeof(*e));
}

const char *qp_env_info(const struct qp_env *e, const char *key)
{
	return field(e->info, e->ninfo, key);
}

size_t qp_env_not_ready(const struct qp_env *e)
{
	size_t k, n = 0;

	for (k = 0; k < e->ndev; k++)
		n += !e->devices[k].status || strcmp(e->devices[k].status, "Ready");
	return n;
}
