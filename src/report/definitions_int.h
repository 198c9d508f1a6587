/* SPDX-License-Identifier: MIT
 *
 * definitions_int.h — private: the parsed form of a definition set
 * (cxmeter/definitions.h), read by the report when it scans and computes,
 * and business time on a team's calendar.
 */
#ifndef CXM_DEFINITIONS_INT_H
#define CXM_DEFINITIONS_INT_H

#include "internal.h"

#include "cxmeter/definitions.h"

#define CXM__DEFS_NAME_CAP 64     /* a status, tag, team or zone name */
#define CXM__DEFS_MAX_LIST 32     /* statuses or tags excluded */
#define CXM__DEFS_MAX_CALENDARS 64
#define CXM__CAL_MAX_SPANS 4      /* opening spans per weekday */
#define CXM__CAL_MAX_HOLIDAYS 400

enum cxm__fcr_rule {
    CXM__FCR_CONTACTS,      /* SPEC §2: contacts = 1 and not reopened */
    CXM__FCR_ONE_TOUCH,     /* fewer than two agent replies */
    CXM__FCR_REPEAT_CONTACT /* no other ticket of the customer in N days */
};

enum cxm__rating_agent {
    CXM__RATING_RESPONSE,       /* the response's agent, else the ticket's */
    CXM__RATING_TICKET_ASSIGNEE /* the ticket's agent, else the response's */
};

/* One opening span of a weekday, minutes after local midnight,
 * [from, to), 0 <= from < to <= 1440. */
struct cxm__span {
    int from, to;
};

/* Business hours of one team. Invariant: spans of a day ascending and
 * disjoint; holidays ascending and distinct (local day numbers). */
struct cxm__calendar {
    char team[CXM__DEFS_NAME_CAP];      /* "*" = the default calendar */
    char tz[CXM__DEFS_NAME_CAP];        /* IANA zone */
    int n_spans[7];                     /* per weekday, 0 = Monday */
    struct cxm__span spans[7][CXM__CAL_MAX_SPANS];
    int n_holidays;
    int64_t holidays[CXM__CAL_MAX_HOLIDAYS]; /* days since 1970-01-01 */
    struct cxm__tz *zone;               /* owned; loaded by
                                           cxm__definitions_zones() */
};

struct cxm_definitions {
    int version;                        /* 1 = SPEC §2 */
    int64_t set_at;                     /* ms; 0 for version 1 */
    char *set_by, *note;                /* owned; NULL for version 1 */
    struct cxm_points csat_satisfied;
    struct cxm_points ces_agree;
    enum cxm__fcr_rule fcr_rule;
    int repeat_days;
    int n_ex_status, n_ex_tags;         /* lower case */
    char ex_status[CXM__DEFS_MAX_LIST][CXM__DEFS_NAME_CAP];
    char ex_tags[CXM__DEFS_MAX_LIST][CXM__DEFS_NAME_CAP];
    enum cxm__rating_agent rating_agent;
    int n_calendars;                    /* sorted by team */
    struct cxm__calendar *calendars[CXM__DEFS_MAX_CALENDARS]; /* owned */
};

/* The SPEC §2 defaults of the two point rules. */
extern const struct cxm_points cxm__csat_default;
extern const struct cxm_points cxm__ces_default;

/* Whether a ticket with `status` and `tags` (either NULL) is excluded. */
bool cxm__definitions_excluded(const cxm_definitions *d, const char *status,
                               const char *tags);

/* The calendar of `team` (NULL = none), else the "*" calendar, else
 * NULL. */
const struct cxm__calendar *
cxm__definitions_calendar(const cxm_definitions *d, const char *team);

/* Loads every calendar's zone. CXM_OK, CXM_ENOZONE (a zone the system
 * lacks), CXM_ENOMEM. */
CXM_MUST_USE cxm_rc cxm__definitions_zones(cxm_definitions *d);

/* Business milliseconds of [t0, t1) on calendar `c` (zone loaded). */
int64_t cxm__calendar_business_ms(const struct cxm__calendar *c, int64_t t0,
                                  int64_t t1);

/* Writes the settings of d as "key\tvalue\n" lines, in canonical order. */
CXM_MUST_USE cxm_rc cxm__definitions_lines(const cxm_definitions *d,
                                           struct cxm__buf *out);

/* Appends d as a JSON object (cxm_definitions_format's). */
CXM_MUST_USE cxm_rc cxm__definitions_json(const cxm_definitions *d,
                                          struct cxm__buf *out);

/* Appends `s` as a JSON string. */
CXM_MUST_USE cxm_rc cxm__json_str(struct cxm__buf *b, const char *s);

#endif /* CXM_DEFINITIONS_INT_H */
