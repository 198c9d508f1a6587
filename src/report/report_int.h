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


#include "definitions_int.h"
#include "metric.h"
#include "fsum.h"
#include "msum.h"
#include "qsketch.h"
#include "store_int.h"
#include "strmap.h"

struct cxm_store;

/* Sufficient statistics of a sample of reals: n, Σx, Σx². */
struct cxm__moments {
    int64_t n;
    double sum, sum_sq;
};

/* Everything the metrics of one group need (DESIGN.md: sufficient
 * statistics; metric functions never touch storage). Merges by addition
 * and by cxm__qsketch_merge() of the duration sketches. */
struct cxm__group_more;

struct cxm__group_surveys {
    struct cxm_survey_stat csat, nps, ces;
};

struct cxm__group_stat {
    /* Owned: allocated at the group's first survey answer
     * (cxm__group_survey), else NULL, read as no answers. A group made
     * by other records (a customer active in each of 5,000 day buckets)
     * then costs no 1.3 kB of empty histograms. */
    struct cxm__group_surveys *sv;
    /* The rest, owned: allocated with the group when the report wants a
     * figure of another family, else NULL (a group of survey figures
     * alone then stays small, and a report touches fewer new pages;
     * docs/performance.md). */
    struct cxm__group_more *more;
};

/* Money in one currency: code indexes the report's currency codes
 * (struct cxm__customers). */
struct cxm__money_sum {
    size_t code;
    double sum;
    int64_t n;
};

/* The durations of a group's tickets: 512 bytes a group of customers or
 * agents alone need not carry. */
struct cxm__group_durations {
    struct cxm__qsketch art;   /* resolved_at − created_at, s; owned */
    struct cxm__qsketch frt;   /* first_response_at − created_at, s; owned */
    /* The same, their exact sums in ms (the means and intervals: the
     * same double however the tickets were added, msum.h) */
    struct cxm__msum art_ms, frt_ms;
    struct cxm__qsketch art_bus; /* the same in business time, s, tickets */
    struct cxm__qsketch frt_bus; /* … whose team has a calendar; owned */
};

/* Tickets, self-service, customers, orders, agents, reviews, QA. */
struct cxm__group_more {
    bool has_tickets;          /* some ticket event fell in this group */
    int64_t invited, invited_answered; /* invitations sent, answered */
    int64_t created;           /* created_at in the group */
    int64_t created_resolved;  /* … and resolved at any time */
    int64_t escalated;         /* … and escalated */
    int64_t complaints;        /* … and flagged complaint */
    int64_t resolved;          /* resolved_at in the group */
    int64_t fcr;               /* … with contacts 1 and not reopened */
    int64_t backlog;           /* open at the group's period end */
    struct cxm__group_durations *dur; /* owned; made at the group's first
                                         duration (cxm__group_durations),
                                         else NULL: no duration */
    /* self-service */
    int64_t sessions, sessions_resolved;
    /* customers in the row's period */
    bool has_customers;
    int64_t active_start;      /* active at the period's start */
    int64_t churned;           /* … who churned in the period */
    int64_t active_any;        /* active at some time in the period */
    int64_t buyers, repeat_buyers; /* ≥ 1, ≥ 2 orders before the end */
    int64_t churned_any;       /* churned_at in the period, whenever
                                * acquired (revenue_at_risk's n) */
    double revenue_at_risk;    /* last-12-month revenue of those */
    /* orders */
    bool has_orders;
    int64_t n_orders;
    double revenue;
    /* the same two per currency, owned (SPEC §2: never added across
     * currencies) */
    struct cxm__money_sum *rev, *risk;
    size_t n_rev, rev_cap, n_risk, risk_cap;
    /* tickets × orders */
    int64_t ps_base, ps_hits;     /* post_service_repurchase */
    int64_t conv_base, conv_hits; /* conversion_rate */
    /* agents */
    int64_t prod_tickets;      /* resolved tickets with an agent */
    int64_t prod_agents;       /* distinct agents among them */
    bool has_hours;
    double hours;
    bool has_agents;
    int64_t agents_left;
    double headcount_ms;       /* Σ agents × employed ms in the period */
    int64_t period_ms;         /* length of the row's period */
    /* reviews: normalised ratings; positive = normalised >= 4 */
    struct cxm__moments review;
    int64_t reviews_positive;
    /* QA: 100 × score / max_score; n, and the exact sums of the values
     * and of their squares (fsum.h: the same doubles from the rows and
     * from the QA cells, whatever the order) */
    int64_t qa_n;
    struct cxm__fsum qa_sum, qa_sq;
};

struct cxm_report {
    int64_t from_ms, to_ms;        /* the period, [from, to) */
    bool has_compare;
    int64_t prev_from_ms, prev_to_ms; /* the comparison's period */
    char tz[64];                   /* zone of the time buckets */
    cxm_read read;                 /* the query's --read */
    enum cxm__answer_path answers_path; /* how the answers were read */
    enum cxm__answer_path tickets_path; /* how the tickets were read */
    enum cxm__answer_path qa_path; /* how the QA scores were read */
    const char *answers_detail;    /* static: what of its path the engine
                                      named (rollups: which cells) */
    struct cxm__tz *zone;          /* owned; NULL = UTC */
    cxm_dim by[CXM_REPORT_MAX_BY];
    size_t n_by;
    char *where[CXM_REPORT_MAX_BY]; /* per dimension of by: the one label
                                       kept (query's where), owned; NULL:
                                       every label */
    cxm_metric metrics[CXM_METRIC_COUNT];
    size_t n_metrics;
    size_t n_rows;
    char **dims;                   /* n_rows × n_by labels, owned */
    struct cxm_figure *figures;    /* n_rows × n_metrics */
    cxm_definitions *defs;         /* owned; what the figures use */
    char **warnings;               /* owned */
    char *errmsg;                  /* owned; why the report was refused */
    char unsupplied[CXM_METRIC_COUNT][96]; /* why a metric's input was
                                      never supplied, "" when it was */
    char **currencies;             /* owned: the codes of money figures */
    size_t n_currencies_codes;
    struct cxm_money *money;       /* owned; what figures' currencies
                                      point into */
    size_t n_warnings, warnings_cap;
    char *bench_labels[CXM_METRIC_COUNT]; /* owned; NULL = no benchmark */
    double bench_values[CXM_METRIC_COUNT];
};

/* What a report builds at most: time buckets of one dimension (checked
 * on the period before anything is built) and rows (groups) in all, both
 * periods of --compare together: max(CXM__ROWS_MIN, CXM__ROWS_PER_RECORD
 * × the records in the store), never past CXM__MAX_ROWS. A few rows of
 * data can neither stretch a report past a second or 100 MB
 * (docs/report-semantics.md, "Limits"). */
#define CXM__MAX_BUCKETS 5000
#define CXM__MAX_ROWS 1000000
#define CXM__ROWS_MIN 20000
#define CXM__ROWS_PER_RECORD 4



/* ---- The builder (builder.c): groups filled by the scans of
 * report_scan.c. ---- */

#define CXM__LABEL_CAP 24 /* a time label: "2026-W05", "2026-01-31" */
#define CXM__KEY_SEP '\x1f' /* between the labels of a group key */

struct cxm__group {
    char **labels;   /* n_labels labels, owned */
    size_t n_labels; /* the report's n_by */
    int64_t t_ms;    /* an instant inside the group's time cell */
    struct cxm__group_stat st;
};

struct cxm__builder {
    struct cxm_store *st;
    const cxm_report *r;         /* by, n_by */
    int64_t from, to;            /* the period scanned */
    bool want[CXM_METRIC_COUNT]; /* metrics computed */
    bool wants_more;             /* a metric not of the survey family:
                                    groups get their cxm__group_more */
    struct cxm__strmap index;    /* group key -> position in groups */
    struct cxm__group *groups;
    size_t n_groups, groups_cap;
    size_t max_groups;           /* the rows this builder may make */
    struct cxm__strmap pairs;    /* "group\x1fagent" seen (productivity) */
    struct cxm__buf key;         /* scratch */
    const char *labels[CXM_REPORT_MAX_BY]; /* scratch: the current row's */
    char time_labels[CXM_REPORT_MAX_BY][CXM__LABEL_CAP];
    int64_t time_labels_ms;      /* the instant the time labels are of */
    /* Row periods: [seg_start[i], seg_end[i]) cover [from, to), cut at
     * every bucket boundary of every time dimension (one segment without
     * a time dimension). */
    int64_t *seg_start, *seg_end;
    size_t n_segs;
    struct cxm__customers *customers; /* loaded when a metric needs them */
    struct cxm__repeats *repeats; /* fcr.rule repeat_contact: tickets'
                                     created_at per customer */
    bool hours_apply;            /* the breakdown is by time/agent/team */
    enum cxm__answer_path answers_path; /* how answers were read */
    size_t last_answers;         /* the group of the last answer group
                                    handed over (same_group), or SIZE_MAX */
    const char *answers_detail;  /* static: which cells, for rollups;
                                    else NULL (cxm__answer_how) */
    enum cxm__answer_path tickets_path; /* how tickets were read: rows,
                                    ticket cells (CXM__PATH_ROLLUPS) or
                                    the server's groups (PUSHDOWN) */
    enum cxm__answer_path qa_path; /* QA scores: rows, or QA cells
                                      (CXM__PATH_ROLLUPS) */
};

/* The duration sketches of x, made when new; NULL when out of memory. */
struct cxm__group_durations *cxm__group_durations(struct cxm__group_more *x);

/* The statistics of survey kind `survey` ("csat", "nps", else ces) in g,
 * made at the first answer; NULL when out of memory. */
struct cxm_survey_stat *cxm__group_survey(struct cxm__group *g,
                                          const char *survey);

/* Sets the time labels of the current row from instant `ms`. */
void cxm__builder_time(struct cxm__builder *b, int64_t ms);
/* Sets label k of the current row when dimension `d` is in the report. */
void cxm__builder_dim(struct cxm__builder *b, cxm_dim d, const char *v);
/* Clears every label of the current row. */
void cxm__builder_clear(struct cxm__builder *b);
/* Finds or makes the group of the current labels; *out = NULL when the
 * labels are not those the report keeps (its where): nothing to add. */
CXM_MUST_USE cxm_rc cxm__builder_group(struct cxm__builder *b,
                                       struct cxm__group **out);
/* Sets the time labels from `ms` (cxm__builder_time()) and finds or
 * makes the group of the current labels (NULL: filtered out). */
CXM_MUST_USE cxm_rc cxm__builder_group_at(struct cxm__builder *b, int64_t ms,
                                          struct cxm__group **out);
/* The first segment ending after `ms`, or n_segs. */
size_t cxm__builder_seg_after(const struct cxm__builder *b, int64_t ms);
/* Makes b an empty builder of report r's breakdown over [from, to), with
 * its segments: the metrics `want` (CXM_METRIC_COUNT flags), and groups
 * with their cxm__group_more when `wants_more`, at most `max_groups` of
 * them (then CXM_ETOOBIG). Release it with
 * cxm__builder_release() whatever this returns. */
CXM_MUST_USE cxm_rc cxm__builder_init(struct cxm__builder *b,
                                      struct cxm_store *st,
                                      const cxm_report *r, const bool *want,
                                      bool wants_more, int64_t from,
                                      int64_t to, size_t max_groups);
/* Frees b's groups and segments (not what a scan loaded:
 * cxm__report_scan_release()). */
void cxm__builder_release(struct cxm__builder *b);


/* Loads the stored benchmarks into r (bench_labels, bench_values). */
CXM_MUST_USE cxm_rc cxm__report_benchmarks(struct cxm_store *st,
                                           cxm_report *r);


/* Runs every scan the wanted metrics need (report_scan.c). */
CXM_MUST_USE cxm_rc cxm__report_scan(struct cxm__builder *b);
/* The currency codes of the orders the scan read (index: a money sum's
 * code), and how many; NULL, 0 when none was read. */
const char *const *cxm__report_scan_currencies(const struct cxm__builder *b,
                                               size_t *n);
/* Frees what report_scan.c loaded. NULL-safe. */
void cxm__report_scan_release(struct cxm__builder *b);

/* Appends `s` as one CSV field: RFC 4180 quoting, and a leading ' on text
 * a spreadsheet would take for a formula (report_format.c; also the
 * answers export, src/survey/export.c). */
CXM_MUST_USE cxm_rc cxm__csv_text(struct cxm__buf *b, const char *s);

#endif /* CXM_REPORT_INT_H */
