/* SPDX-License-Identifier: MIT
 *
 * metric.h — the metric table: what every metric is, in one list
 * (STYLE.md §4.1). Report code asks this table which records a metric is
 * computed from, how its figure is shaped, which breakdowns apply to it,
 * which definitions change it, the values it can take and the inputs
 * without which it has no data; it never switches on metrics for those
 * facts.
 *
 * A new metric is a line in CXM_METRIC_MAP (cxmeter/metrics.h: its public
 * id and name), a line in CXM__METRIC_TABLE below, and its formula (a
 * case of compute_figure() in report.c, a switch without default). A
 * metric missing from this table, or listed twice, or out of the order
 * of CXM_METRIC_MAP, fails to compile (metric.c); one without a formula
 * fails -Wswitch.
 */
#ifndef CXM_METRIC_H
#define CXM_METRIC_H

#include <stdbool.h>
#include <stddef.h>

#include "cxmeter/import.h"
#include "cxmeter/metrics.h"
#include "cxmeter/report.h"

/* The records a metric is computed from; decides which breakdowns apply
 * (docs/report-semantics.md) and whether a report needs more than the
 * survey answers. */
enum cxm__family {
    CXM__FAM_SURVEY,
    CXM__FAM_TICKET,
    CXM__FAM_SELFSERVICE,
    CXM__FAM_CUSTOMER,
    CXM__FAM_AGENT,
    CXM__FAM_REVIEW,
    CXM__FAM_QA,
    CXM__FAM_INVITE /* invitations sent (the outbox, docs/sending.md) */
};

/* How a metric's figure is shaped in the output. */
enum cxm__shape {
    CXM__SHAPE_PROPORTION, /* value (percent), n, lo, hi, low_n */
    CXM__SHAPE_MEAN,       /* value, n, lo, hi, low_n */
    CXM__SHAPE_SCORE,      /* NPS: value (−100..100), n, lo, hi, low_n */
    CXM__SHAPE_COUNT,      /* value, an integer */
    CXM__SHAPE_DURATION,   /* value (mean, s), lo, hi, median, p90, n */
    CXM__SHAPE_RATE,       /* value (a ratio), n */
    CXM__SHAPE_MONEY,      /* value (a sum), n, amounts per currency */
    CXM__SHAPE_PRODUCTIVITY, /* value, n, agents, per_hour, hours */
    CXM__SHAPE_TURNOVER,   /* value (percent), n (left), headcount */
    CXM__SHAPE_RATING      /* mean + positive share */
};

/* The definitions settings (cxmeter/definitions.h) a figure depends on. */
enum cxm__def_key {
    CXM__DEF_CSAT_SATISFIED = 1u << 0, /* csat.satisfied */
    CXM__DEF_CES_AGREE = 1u << 1,      /* ces.agree */
    CXM__DEF_FCR = 1u << 2,            /* fcr.rule, fcr.repeat_days */
    CXM__DEF_EXCLUDE = 1u << 3,        /* exclude.status, exclude.tags */
    CXM__DEF_RATING_AGENT = 1u << 4,   /* rating.agent */
    CXM__DEF_CALENDAR = 1u << 5        /* calendar.TEAM (business time) */
};

/* The breakdowns (bit 1 << cxm_dim) the records of a family carry. */
#define CXM__DIM_BIT(d) (1u << (d))
#define CXM__DIMS_TIME                                                     \
    (CXM__DIM_BIT(CXM_BY_DAY) | CXM__DIM_BIT(CXM_BY_WEEK) |                \
     CXM__DIM_BIT(CXM_BY_MONTH) | CXM__DIM_BIT(CXM_BY_QUARTER) |           \
     CXM__DIM_BIT(CXM_BY_YEAR))
#define CXM__DIMS_TICKET                                                   \
    (CXM__DIMS_TIME | CXM__DIM_BIT(CXM_BY_AGENT) |                         \
     CXM__DIM_BIT(CXM_BY_TEAM) | CXM__DIM_BIT(CXM_BY_CHANNEL) |            \
     CXM__DIM_BIT(CXM_BY_TOPIC) | CXM__DIM_BIT(CXM_BY_SEGMENT))
#define CXM__DIMS_SURVEY                                                   \
    (CXM__DIMS_TICKET | CXM__DIM_BIT(CXM_BY_LANGUAGE) |                    \
     CXM__DIM_BIT(CXM_BY_SURVEY))
#define CXM__DIMS_SELFSERVICE                                              \
    (CXM__DIMS_TIME | CXM__DIM_BIT(CXM_BY_TOPIC) |                         \
     CXM__DIM_BIT(CXM_BY_SEGMENT))
#define CXM__DIMS_CUSTOMER (CXM__DIMS_TIME | CXM__DIM_BIT(CXM_BY_SEGMENT))
#define CXM__DIMS_AGENT (CXM__DIMS_TIME | CXM__DIM_BIT(CXM_BY_TEAM))
#define CXM__DIMS_INVITE                                                   \
    (CXM__DIMS_TIME | CXM__DIM_BIT(CXM_BY_AGENT) |                         \
     CXM__DIM_BIT(CXM_BY_TEAM) | CXM__DIM_BIT(CXM_BY_CHANNEL) |            \
     CXM__DIM_BIT(CXM_BY_LANGUAGE) | CXM__DIM_BIT(CXM_BY_SURVEY))
#define CXM__DIMS_REVIEW                                                   \
    (CXM__DIMS_TIME | CXM__DIM_BIT(CXM_BY_SOURCE) |                        \
     CXM__DIM_BIT(CXM_BY_LANGUAGE))

/* The values a figure can take: lo, hi, the survey whose stored scales
 * replace [lo, hi] (NULL: none), and what the value is, for messages. */
#define CXM__RANGE_PERCENT 0, 100, NULL, "a percentage"
#define CXM__RANGE_NET -100, 100, NULL, "a net score"
#define CXM__RANGE_CSAT_SCALE                                                 \
    1, 5, "csat", "a mean score on the default scale"
#define CXM__RANGE_CES_SCALE                                                 \
    1, 7, "ces", "a mean score on the default scale"
#define CXM__RANGE_TICKETS 0, HUGE_VAL, NULL, "a count of tickets"
#define CXM__RANGE_SECONDS 0, HUGE_VAL, NULL, "a duration in seconds"
#define CXM__RANGE_PER_1000 0, HUGE_VAL, NULL, "a rate per 1000 customers"
#define CXM__RANGE_PER_AGENT 0, HUGE_VAL, NULL, "tickets per agent"
/* Leavers over the mean headcount: above 100 % is possible. */
#define CXM__RANGE_OF_HEADCOUNT                                            \
    0, HUGE_VAL, NULL, "a percentage of the mean headcount"
/* Amounts may be refunds. */
#define CXM__RANGE_AMOUNT -HUGE_VAL, HUGE_VAL, NULL, "an amount"
#define CXM__RANGE_RATING 1, 5, NULL, "a rating normalised to 1-5"

/* The metrics, in the order of CXM_METRIC_MAP:
 *   X(id, family, shape, dims, definitions, range, needs...)
 * family CXM__FAM_<family>; shape CXM__SHAPE_<shape>; dims
 * CXM__DIMS_<dims>; definitions an or of CXM__DEF_<key> (DEF(A) | DEF(B),
 * 0 for none); range CXM__RANGE_<range>; needs one or more
 * NEED(KIND, "column"): the record kinds (cxm_kind) and optional columns
 * some import must have supplied for the figure to mean anything ("" for
 * the records alone; SPEC §2: no data is not zero). A metric needs every
 * one, and its figure is computed from the records of those kinds. */
#define CXM__METRIC_TABLE(X)                                               \
    X(CSAT, SURVEY, PROPORTION, SURVEY,                                    \
      DEF(CSAT_SATISFIED) | DEF(EXCLUDE) | DEF(RATING_AGENT), PERCENT,     \
      NEED(RESPONSES, ""))                                                 \
    X(CSAT_MEAN, SURVEY, MEAN, SURVEY, DEF(EXCLUDE) | DEF(RATING_AGENT),   \
      CSAT_SCALE, NEED(RESPONSES, ""))                                     \
    X(NPS, SURVEY, SCORE, SURVEY, DEF(EXCLUDE) | DEF(RATING_AGENT), NET,   \
      NEED(RESPONSES, ""))                                                 \
    X(CES, SURVEY, MEAN, SURVEY, DEF(EXCLUDE) | DEF(RATING_AGENT),         \
      CES_SCALE, NEED(RESPONSES, ""))                                      \
    X(CES_AGREE, SURVEY, PROPORTION, SURVEY,                               \
      DEF(CES_AGREE) | DEF(EXCLUDE) | DEF(RATING_AGENT), PERCENT,          \
      NEED(RESPONSES, ""))                                                 \
    X(CREATED, TICKET, COUNT, TICKET, DEF(EXCLUDE), TICKETS,               \
      NEED(TICKETS, ""))                                                   \
    X(RESOLVED, TICKET, COUNT, TICKET, DEF(EXCLUDE), TICKETS,              \
      NEED(TICKETS, "resolved_at"))                                        \
    X(RESOLUTION_RATE, TICKET, PROPORTION, TICKET, DEF(EXCLUDE), PERCENT,  \
      NEED(TICKETS, "resolved_at"))                                        \
    X(FCR, TICKET, PROPORTION, TICKET, DEF(FCR) | DEF(EXCLUDE), PERCENT,   \
      NEED(TICKETS, "resolved_at"))                                        \
    X(BACKLOG, TICKET, COUNT, TICKET, DEF(EXCLUDE), TICKETS,               \
      NEED(TICKETS, "resolved_at"))                                        \
    X(ART, TICKET, DURATION, TICKET, DEF(EXCLUDE) | DEF(CALENDAR),         \
      SECONDS, NEED(TICKETS, "resolved_at"))                               \
    X(FRT, TICKET, DURATION, TICKET, DEF(EXCLUDE) | DEF(CALENDAR),         \
      SECONDS, NEED(TICKETS, "first_response_at"))                         \
    X(ESCALATION_RATE, TICKET, PROPORTION, TICKET, DEF(EXCLUDE), PERCENT,  \
      NEED(TICKETS, "escalated"))                                          \
    X(COMPLAINTS_PER_1000, CUSTOMER, RATE, CUSTOMER, DEF(EXCLUDE),         \
      PER_1000, NEED(TICKETS, "complaint"), NEED(CUSTOMERS, ""))           \
    X(SELFSERVICE_RATE, SELFSERVICE, PROPORTION, SELFSERVICE,              \
      DEF(EXCLUDE), PERCENT, NEED(SELFSERVICE, ""), NEED(TICKETS, ""))     \
    X(DEFLECTION_RATE, SELFSERVICE, PROPORTION, SELFSERVICE, 0, PERCENT,   \
      NEED(SELFSERVICE, "resolved"))                                       \
    X(CHURN, CUSTOMER, PROPORTION, CUSTOMER, 0, PERCENT,                   \
      NEED(CUSTOMERS, "churned_at"))                                       \
    X(RETENTION, CUSTOMER, PROPORTION, CUSTOMER, 0, PERCENT,               \
      NEED(CUSTOMERS, "churned_at"))                                       \
    X(REPURCHASE_RATE, CUSTOMER, PROPORTION, CUSTOMER, 0, PERCENT,         \
      NEED(ORDERS, ""))                                                    \
    X(POST_SERVICE_REPURCHASE, TICKET, PROPORTION, TICKET, DEF(EXCLUDE),   \
      PERCENT, NEED(ORDERS, ""), NEED(TICKETS, "resolved_at"),             \
      NEED(TICKETS, "customer_id"))                                        \
    X(CONVERSION_RATE, TICKET, PROPORTION, TICKET, DEF(EXCLUDE), PERCENT,  \
      NEED(ORDERS, ""), NEED(TICKETS, "customer_id"))                      \
    X(REVENUE, CUSTOMER, MONEY, CUSTOMER, 0, AMOUNT,                       \
      NEED(ORDERS, "amount"))                                              \
    X(REVENUE_AT_RISK, CUSTOMER, MONEY, CUSTOMER, 0, AMOUNT,               \
      NEED(CUSTOMERS, "churned_at"), NEED(ORDERS, "amount"))               \
    X(AGENT_PRODUCTIVITY, TICKET, PRODUCTIVITY, TICKET, DEF(EXCLUDE),      \
      PER_AGENT, NEED(TICKETS, "resolved_at"), NEED(TICKETS, "agent_id"))  \
    X(AGENT_TURNOVER, AGENT, TURNOVER, AGENT, 0, OF_HEADCOUNT,             \
      NEED(AGENTS, "left_at"))                                             \
    X(REVIEW_RATING, REVIEW, RATING, REVIEW, 0, RATING,                    \
      NEED(REVIEWS, ""))                                                   \
    X(QA_SCORE, QA, MEAN, TICKET, 0, PERCENT, NEED(QA_SCORES, ""))         \
    X(RESPONSE_RATE, INVITE, PROPORTION, INVITE, DEF(EXCLUDE), PERCENT,    \
      NEED(RESPONSES, ""))

#define CXM__METRIC_MAX_NEEDS 3

/* One input of a metric: records of `kind`, with `column` supplied. */
struct cxm__metric_need {
    cxm_kind kind;
    const char *column; /* "" for the records alone */
};

/* One row of the table. */
struct cxm__metric_info {
    const char *name;           /* as CXM_METRIC_MAP names it */
    enum cxm__family family;
    enum cxm__shape shape;
    unsigned dims;              /* bit 1 << d: the breakdown by d applies */
    unsigned defs;              /* enum cxm__def_key bits */
    double lo, hi;              /* the range of its values */
    const char *scale;          /* "csat", "ces": the stored scales of that
                                   survey's answers are its range; or NULL */
    const char *unit;           /* what the value is */
    size_t n_needs;
    struct cxm__metric_need needs[CXM__METRIC_MAX_NEEDS];
};

/* The table, indexed by cxm_metric (metric.c). */
extern const struct cxm__metric_info cxm__metrics[CXM_METRIC_COUNT];

/* The row of metric m; m must be a metric (0 <= m < CXM_METRIC_COUNT). */
static inline const struct cxm__metric_info *cxm__metric(cxm_metric m)
{
    return &cxm__metrics[m];
}

static inline enum cxm__family cxm__metric_family(cxm_metric m)
{
    return cxm__metrics[m].family;
}

static inline enum cxm__shape cxm__metric_shape(cxm_metric m)
{
    return cxm__metrics[m].shape;
}

/* Whether the breakdown by d applies to metric m: its records carry d. */
static inline bool cxm__metric_has_dim(cxm_metric m, cxm_dim d)
{
    return (cxm__metrics[m].dims & CXM__DIM_BIT(d)) != 0;
}

/* Whether metric m is computed from records of `kind`. */
bool cxm__metric_needs_kind(cxm_metric m, cxm_kind kind);

#endif /* CXM_METRIC_H */
