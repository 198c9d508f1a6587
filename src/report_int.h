/* SPDX-License-Identifier: MIT
 *
 * report_int.h — private: the report object shared by report.c (which
 * computes it) and report_format.c (which writes it as a table, JSON or
 * CSV), and the per-group sufficient statistics every figure is computed
 * from (DESIGN.md: metric functions never touch storage).
 */
#ifndef CXM_REPORT_INT_H
#define CXM_REPORT_INT_H

#include "internal.h"

/* A growable vector of durations in seconds. */
struct cxm__dvec {
    double *v; /* owned */
    size_t n, cap;
};

/* Everything the ticket and survey metrics of one group need. Merges by
 * addition (and concatenation of the duration vectors). */
struct cxm__group_stat {
    struct cxm_survey_stat csat, nps, ces;
    bool has_tickets;          /* some ticket event fell in this group */
    int64_t created;           /* created_at in the group */
    int64_t created_resolved;  /* … and resolved at any time */
    int64_t escalated;         /* … and escalated */
    int64_t resolved;          /* resolved_at in the group */
    int64_t fcr;               /* … with contacts 1 and not reopened */
    int64_t backlog;           /* open at the group's period end */
    struct cxm__dvec art;      /* resolved_at − created_at, s */
    struct cxm__dvec frt;      /* first_response_at − created_at, s */
};

/* The records a metric is computed from; decides which breakdowns apply. */
enum cxm__family { CXM__FAM_SURVEY, CXM__FAM_TICKET };

/* How a metric's figure is shaped in the output. */
enum cxm__shape {
    CXM__SHAPE_PROPORTION, /* value (percent), n, lo, hi, low_n */
    CXM__SHAPE_MEAN,       /* value, n, lo, hi, low_n */
    CXM__SHAPE_SCORE,      /* NPS: value (−100..100), n, lo, hi, low_n */
    CXM__SHAPE_COUNT,      /* value, an integer */
    CXM__SHAPE_DURATION    /* value (mean, s), median, p90, n */
};

enum cxm__family cxm__metric_family(cxm_metric m);
enum cxm__shape cxm__metric_shape(cxm_metric m);

struct cxm_report {
    int64_t from_ms, to_ms;        /* the period, [from, to) */
    char tz[64];                   /* zone of the time buckets */
    cxm_dim by[CXM_REPORT_MAX_BY];
    size_t n_by;
    cxm_metric metrics[CXM_METRIC_COUNT];
    size_t n_metrics;
    size_t n_rows;
    char **dims;                   /* n_rows × n_by labels, owned */
    struct cxm_figure *figures;    /* n_rows × n_metrics */
    char **warnings;               /* owned */
    size_t n_warnings, warnings_cap;
};

#endif /* CXM_REPORT_INT_H */
