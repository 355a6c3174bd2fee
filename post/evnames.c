// SPDX-License-Identifier: MIT
/*
 * Event and field names of the `qprof` tracepoint provider, expanded from
 * the schema (tracepoints/qprof-events.def), and their enum qp_ev_kind.
 */
#include <string.h>

#include "event.h"

#define QP_PROVIDER "qprof:"

/* Field visitors: the names of the payload fields that are not common ... */
#define NAME_COMMON(what)
#define NAME_INT(ctype, name, base)			#name,
#define NAME_STR(name)					#name,
#define NAME_SEQ(ctype, name, len, base)			#name,
#define NAME_SEQ_SAME_LEN(ctype, name, len, base)	#name,
/* ... and which common ones an event carries. */
#define COMMON_COMMON(what)				| QP_EV_COMMON_##what
#define COMMON_INT(ctype, name, base)
#define COMMON_STR(name)
#define COMMON_SEQ(ctype, name, len, base)
#define COMMON_SEQ_SAME_LEN(ctype, name, len, base)

#define FIELD_NAMES(list)						\
	static const char *const fields_##list[] = { QP_FIELDS_##list(NAME) }; \
	_Static_assert(sizeof(fields_##list) / sizeof(char *) <= QP_EV_MAX_FIELDS, \
		       #list ": more fields than QP_EV_MAX_FIELDS");
#define QP_EVENT(group, kind, name, member)	FIELD_NAMES(name)
#define QP_EVENT_CLASS(group, cls, member)	FIELD_NAMES(cls)
#define QP_EVENT_INSTANCE(group, cls, member, kind, name)
#include "../tracepoints/qprof-events.def"

#define SCHEMA(group, kind, name, list)					\
	[QP_EV_##kind] = {						\
		#name, fields_##list,					\
		sizeof(fields_##list) / sizeof(char *),			\
		0 QP_FIELDS_##list(COMMON), QP_SCHEMA_KMD_##group,	\
	},
#define QP_SCHEMA_KMD_PROC false
#define QP_SCHEMA_KMD_API false
#define QP_SCHEMA_KMD_KMD true
static const struct qp_ev_schema schema[QP_EV__COUNT] = {
#define QP_EVENT(group, kind, name, member)	SCHEMA(group, kind, name, name)
#define QP_EVENT_CLASS(group, cls, member)
#define QP_EVENT_INSTANCE(group, cls, member, kind, name) \
	SCHEMA(group, kind, name, cls)
#include "../tracepoints/qprof-events.def"
};

const struct qp_ev_schema *qp_ev_schema(enum qp_ev_kind kind)
{
	if ((unsigned int)kind >= QP_EV__COUNT || !schema[kind].name)
		return NULL;
	return &schema[kind];
}

const char *qp_ev_kind_name(enum qp_ev_kind kind)
{
	if (kind == QP_EV_DISCARDED)
		return "discarded";	/* made by the reader: no tracepoint */
	if ((unsigned int)kind >= QP_EV__COUNT || !schema[kind].name)
		return "?";
	return schema[kind].name;
}

/*
 * Linear search over the names: the reader resolves a name once per event
 * class (not per event), so this is never on the hot path.
 */
enum qp_ev_kind qp_ev_kind_from_name(const char *event_name)
{
	size_t plen = strlen(QP_PROVIDER);
	int k;

	if (!event_name || strncmp(event_name, QP_PROVIDER, plen) != 0)
		return QP_EV__COUNT;
	for (k = 0; k < QP_EV__COUNT; k++)
		if (schema[k].name && !strcmp(event_name + plen, schema[k].name))
			return (enum qp_ev_kind)k;
	return QP_EV__COUNT;
}
