/* SPDX-License-Identifier: MIT */
/*
 * The device environment recorded with a trace: the output of
 * `qaic-util -q` (`qprof record` stores it as qaic-util-q.txt in the
 * trace directory, with qprof-env.txt saying how it was obtained).  Parser
 * and accessors: devenv.c; format: docs/REPORT-FORMATS.md, "Device
 * environment".
 */
#ifndef QPROF_POST_DEVENV_H
#define QPROF_POST_DEVENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QP_ENV_QAIC_UTIL_FILE "qaic-util-q.txt"
#define QP_ENV_INFO_FILE "qprof-env.txt"

/* "Key:Value" as printed (value trimmed; may be empty). */
struct qp_env_field {
	char *key, *value;
};

struct qp_env_device {
	uint32_t qid;			/* "QID <n>" */
	unsigned long line;
	struct qp_env_field *fields;	/* in order */
	size_t nfields;
	/* the values the report prints (pointers into fields, or NULL) */
	const char *status;		/* "Status" */
	const char *fw_version;		/* "FW Version" */
	const char *fw_image;		/* "FW QC_IMAGE_VERSION" */
	const char *nsp_version;	/* "NSP Version" */
	const char *pci_address;	/* "PCI Address" */
};

struct qp_env {
	char *path;
	struct qp_env_field *fields;	/* lines before the first QID, e.g.
					 * "LRT QC_IMAGE_VERSION" */
	size_t nfields;
	const char *runtime_version;	/* "LRT QC_IMAGE_VERSION" */
	bool has_ndevices;
	uint32_t ndevices;		/* "Number of devices: N" */
	struct qp_env_device *devices;
	size_t ndev;
	char **messages;		/* lines that are no field (tool messages) */
	size_t nmessages;
	/* from qprof-env.txt, when present ("key: value" lines) */
	struct qp_env_field *info;
	size_t ninfo;
};

/*
 * Parse the qaic-util -q output at @path.  0, or -1 with @err "PATH:LINE:
 * message" (a device line before any "QID", a "QID" line without a
 * number, an indented line without ':').
 */
int qp_env_parse_qaic_util(const char *path, const char *text, size_t len,
			   struct qp_env *e, char *err, size_t errlen);
int qp_env_load_qaic_util(const char *path, struct qp_env *e, char *err,
			  size_t errlen);
/*
 * The environment recorded in trace directory @dir.  Returns 1 when
 * neither file is there (@e empty), 0 when loaded (qprof-env.txt alone is
 * enough: it says why there is no qaic-util output), -1 on a parse error.
 */
int qp_env_load_dir(const char *dir, struct qp_env *e, char *err,
		    size_t errlen);
void qp_env_free(struct qp_env *e);

/* The value of @key in qprof-env.txt's fields, or NULL. */
const char *qp_env_info(const struct qp_env *e, const char *key);
/* Devices whose Status is not "Ready". */
size_t qp_env_not_ready(const struct qp_env *e);

#endif /* QPROF_POST_DEVENV_H */
