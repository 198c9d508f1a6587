/* SPDX-License-Identifier: MIT
 *
 * metrics.h — metric identifiers, the sufficient statistics every metric is
 * computed from, and the pure functions that turn statistics into figures
 * with their 95 % intervals (SPEC §2).
 *
 * Statistics merge by addition (cxm_survey_stat_merge): the same functions
 * serve a scan, a rollup, two threads or many shards. Nothing here touches
 * storage.
 */
#ifndef CXMETER_METRICS_H
#define CXMETER_METRICS_H

#include <stdbool.h>

#include "cxmeter/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Metrics, by the names SPEC §2 and the command line use. The values
 *  are stable: a new metric is added at the end. (Inside the library each
 *  has a row of facts in this order, src/stats/metric.h.) */
#define CXM_METRIC_MAP(X)                                                  \
    X(CSAT, "csat")                                                        \
    X(CSAT_MEAN, "csat_mean")                                              \
    X(NPS, "nps")                                                          \
    X(CES, "ces")                                                          \
    X(CES_AGREE, "ces_agree")                                              \
    X(CREATED, "created")                                                  \
    X(RESOLVED, "resolved")                                                \
    X(RESOLUTION_RATE, "resolution_rate")                                  \
    X(FCR, "fcr")                                                          \
    X(BACKLOG, "backlog")                                                  \
    X(ART, "art")                                                          \
    X(FRT, "frt")                                                          \
    X(ESCALATION_RATE, "escalation_rate")                                  \
    X(COMPLAINTS_PER_1000, "complaints_per_1000")                          \
    X(SELFSERVICE_RATE, "selfservice_rate")                                \
    X(DEFLECTION_RATE, "deflection_rate")                                  \
    X(CHURN, "churn")                                                      \
    X(RETENTION, "retention")                                              \
    X(REPURCHASE_RATE, "repurchase_rate")                                  \
    X(POST_SERVICE_REPURCHASE, "post_service_repurchase")                  \
    X(CONVERSION_RATE, "conversion_rate")                                  \
    X(REVENUE, "revenue")                                                  \
    X(REVENUE_AT_RISK, "revenue_at_risk")                                  \
    X(AGENT_PRODUCTIVITY, "agent_productivity")                            \
    X(AGENT_TURNOVER, "agent_turnover")                                    \
    X(REVIEW_RATING, "review_rating")                                      \
    X(QA_SCORE, "qa_score")                                                \
    X(RESPONSE_RATE, "response_rate")

typedef enum cxm_metric {
#define CXM__METRIC_ENUM(id, name) CXM_METRIC_##id,
    CXM_METRIC_MAP(CXM__METRIC_ENUM)
#undef CXM__METRIC_ENUM
    CXM_METRIC_COUNT
} cxm_metric;

/** Sets *out to the metric called `name`. Returns CXM_OK or
 *  CXM_ENOTFOUND. */
CXM_API CXM_MUST_USE cxm_rc cxm_metric_parse(const char *name,
                                             cxm_metric *out);

/** The name of `m`. Static; "" for a bad value. */
CXM_API const char *cxm_metric_name(cxm_metric m);

/** What is wrong with a list of names (cxm_metric_parse_list(),
 *  cxm_dim_parse_list()). */
typedef enum cxm_list_fault {
    CXM_LIST_OK,      /* nothing */
    CXM_LIST_EMPTY,   /* an empty name: ",csat" or "csat,,nps" */
    CXM_LIST_UNKNOWN, /* a name of nothing the list may hold */
    CXM_LIST_TWICE,   /* a name given before (in any case) */
    CXM_LIST_FULL     /* more names than the caller has room for */
} cxm_list_fault;

/** The fault and the name it lies in: list[at .. at + len). */
struct cxm_list_error {
    cxm_list_fault fault;
    size_t at, len;
};

/** Parses `list`, metric names separated by commas ("csat,nps", any
 *  case, no spaces; a trailing comma is allowed; "" is no metric), into
 *  out[0..*n), at most `cap`, in the order given. Returns CXM_OK;
 *  CXM_ENOTFOUND for an unknown name, CXM_ETOOBIG for more than `cap`
 *  names, CXM_EINPUT for an empty name or one given twice; then *err, when
 *  not NULL, says which name and why, and *n is 0. */
CXM_API CXM_MUST_USE cxm_rc cxm_metric_parse_list(const char *list,
                                                  cxm_metric *out,
                                                  size_t cap, size_t *n,
                                                  struct cxm_list_error *err);

/** Fewer answers than this and a figure is flagged low_n (SPEC §2). */
#define CXM_LOW_N 30

#define CXM_SURVEY_MAX_BINS 11  /* points of a histogrammed scale (0–10) */
#define CXM_SURVEY_MAX_SCALES 4 /* scales histogrammed per statistic */

/** The score histogram of one scale: count[i] answers scored lo + i. */
struct cxm_survey_scale {
    int lo, hi;                             /* the scale, hi - lo < 11 */
    int64_t count[CXM_SURVEY_MAX_BINS];
};

/** Sufficient statistics of the answers to one survey kind in one group:
 *  moments and the counts of the SPEC §2 default definitions over every
 *  answer, plus a score histogram per scale, so that other definitions
 *  (which points count as satisfied, as agree; cxmeter/definitions.h) are
 *  applied when a figure is computed, not when an answer is added.
 *
 *  Invariants: n_top, n_promoter, n_detractor <= n; the histograms hold at
 *  most n answers. An answer on a scale of more than CXM_SURVEY_MAX_BINS
 *  points, or on a scale beyond the first CXM_SURVEY_MAX_SCALES, is in the
 *  moments and default counts only ("unbinned"): definitions other than
 *  the defaults count it as the defaults do. Zero-initialise. */
struct cxm_survey_stat {
    int64_t n;           /* answers with a score */
    int64_t n_top;       /* CSAT: top two points; CES: agree (above midpoint) */
    int64_t n_promoter;  /* NPS: 9–10 */
    int64_t n_detractor; /* NPS: 0–6 */
    double sum;          /* sum of scores */
    double sum_sq;       /* sum of squared scores */
    int n_scales;        /* histograms in use */
    struct cxm_survey_scale scales[CXM_SURVEY_MAX_SCALES];
    int lo, hi;          /* n > 0: from the lowest to the highest point of
                            every answer's scale, histogram or not (the
                            range a mean's interval is clipped to) */
};

/** Adds one answer `score` on the scale [lo, hi] of survey kind `survey`
 *  ("csat", "nps", "ces"; anything else counts only n, moments and the
 *  histogram). */
CXM_API void cxm_survey_stat_add(struct cxm_survey_stat *s,
                                 const char *survey, int score, int lo,
                                 int hi);

/** Adds `count` answers `score` on the scale [lo, hi] of survey kind
 *  `survey` (a rollup's pre-aggregated bin). count <= 0 adds nothing.
 *  Equal to `count` calls of cxm_survey_stat_add(). */
CXM_API void cxm_survey_stat_add_n(struct cxm_survey_stat *s,
                                   const char *survey, int score, int lo,
                                   int hi, int64_t count);

/** dst += src. Histograms merge by scale; a scale dst has no room for
 *  stays in the moments and default counts only. */
CXM_API void cxm_survey_stat_merge(struct cxm_survey_stat *dst,
                                   const struct cxm_survey_stat *src);

/** Which points of a scale count: the top `top` points, the points above
 *  the midpoint, or an explicit list of scores (on any scale). */
typedef enum cxm_points_rule {
    CXM_POINTS_TOP,       /* the top `top` points of each scale */
    CXM_POINTS_ABOVE_MID, /* scores above (lo + hi) / 2 */
    CXM_POINTS_LIST       /* the scores in `list` */
} cxm_points_rule;

struct cxm_points {
    cxm_points_rule rule;
    int top;                            /* CXM_POINTS_TOP: 1..11 */
    bool spec_top2;                     /* TOP 2 as SPEC §2 reads it: the
                                           top point alone on a scale of
                                           fewer than five points */
    int n_list;                         /* CXM_POINTS_LIST */
    int list[CXM_SURVEY_MAX_BINS];      /* ascending, distinct */
};

/** Whether `score` on [lo, hi] counts under `p`. */
CXM_API bool cxm_points_match(const struct cxm_points *p, int score, int lo,
                              int hi);

/** The answers of `s` that count under `p`; `kind_default` is the SPEC
 *  default of the statistic's kind (CSAT satisfied or CES agree), which
 *  n_top was counted with: unbinned answers are counted as n_top counted
 *  them. With p equal to the default the result is n_top. */
CXM_API int64_t cxm_survey_stat_count(const struct cxm_survey_stat *s,
                                      const struct cxm_points *p,
                                      const struct cxm_points *kind_default);

/** An amount of money in one currency (revenue, revenue_at_risk). */
struct cxm_money {
    const char *currency; /* as stored (ISO 4217 form); "" when the rows
                             named none */
    double value;         /* the sum of the amounts in that currency */
    int64_t n;            /* the orders summed */
};

/** One reported figure. Fields that do not apply to the metric are flagged
 *  off; `is_null` means no data (JSON null).
 *
 *  Versioned by its leading `size`: the caller sets it to
 *  sizeof(struct cxm_figure) (CXM_FIGURE_INIT) before handing the figure
 *  to the library, which writes the fields that fit in `size` and zeroes
 *  those past its own, so a program built with older or newer headers
 *  than the library keeps working. Fields are only ever appended, each
 *  group led by a has_* flag that reads false where the library left it
 *  zero. */
struct cxm_figure {
    size_t size;        /* sizeof(struct cxm_figure) of the caller */
    bool is_null;
    bool value_is_null; /* data, but no one value: an amount of money in
                           several currencies (see `currencies`), or
                           agent_productivity with hours worked but no
                           resolved ticket (per_hour 0, no agents) */
    double value;
    int64_t n;
    bool has_ci;        /* lo/hi are set */
    double lo, hi;      /* 95 % interval, same unit as value */
    bool has_low_n;     /* low_n applies */
    bool low_n;         /* n < CXM_LOW_N */
    bool has_quantiles; /* median/p90 are set */
    double median, p90;
    /* art/frt under a business-hours calendar (definitions calendar.*):
     * the same durations counted in business time, seconds, over the
     * tickets whose team has a calendar. */
    bool has_business;  /* the definitions have a calendar */
    bool business_is_null; /* no ticket with a calendar */
    double business_value, business_median, business_p90;
    int64_t business_n;
    /* agent_productivity: value = tickets per agent, n = tickets. */
    int64_t n_agents;   /* distinct agents among the tickets */
    bool has_per_hour;  /* agent_hours exist for the row */
    double per_hour;    /* tickets / hours */
    double hours;       /* hours worked in the row's period */
    /* review_rating: share of normalised ratings >= 4, in percent. */
    bool has_positive;
    double positive, positive_lo, positive_hi;
    /* agent_turnover: value = 100 × n (agents who left) / headcount. */
    double headcount;   /* mean headcount over the row's period */
    /* --compare previous: the same figure one period earlier. */
    bool has_compare;   /* a comparison was asked for */
    bool prev_is_null;
    double prev_value;
    int64_t prev_n;
    bool has_p;         /* a test applies and both sides have data */
    double change;      /* value − prev_value */
    double p_value;     /* two-sided */
    bool significant;   /* p < 0.05 and neither side low_n */
    /* A stored benchmark (cxmeter benchmark set): value − benchmark. */
    bool has_benchmark;
    double benchmark;
    const char *benchmark_label; /* borrowed from the report */
    /* revenue, revenue_at_risk: the amounts per currency, sorted by code,
     * never added across currencies (SPEC §2): `value` is the one
     * currency's amount when n_currencies <= 1, else value_is_null. */
    size_t n_currencies;
    const struct cxm_money *currencies; /* borrowed from the report */
    /* New fields go here, at the end. */
};

/** A figure ready to be filled: `size` set, every field zero. */
#define CXM_FIGURE_INIT {.size = sizeof(struct cxm_figure)}

/* The three below fill *out, whose `size` the caller has set (nothing is
 * written when it is smaller than the first struct cxm_figure's). */

/** 100 × k/n with its Wilson 95 % interval. n == 0 gives a null figure. */
CXM_API void cxm_figure_proportion(int64_t k, int64_t n,
                                   struct cxm_figure *out);

/** NPS = 100 × (p − d)/n with the normal interval of SPEC §2. */
CXM_API void cxm_figure_nps(const struct cxm_survey_stat *s,
                            struct cxm_figure *out);

/** Mean score with a Student t 95 % interval (n − 1 degrees of freedom). */
CXM_API void cxm_figure_mean(int64_t n, double sum, double sum_sq,
                             struct cxm_figure *out);

/** Wilson score interval for k successes of n at 95 %, as fractions. */
CXM_API void cxm_wilson(int64_t k, int64_t n, double *lo, double *hi);

/** The 0.975 quantile of Student's t with `df` degrees of freedom. */
CXM_API double cxm_t975(double df);

/** Linear-interpolation quantile (PostgreSQL percentile_cont) of the `n`
 *  values at `sorted`, ascending. `q` in [0, 1]; n must be > 0. */
CXM_API double cxm_quantile_sorted(const double *sorted, size_t n, double q);

#ifdef __cplusplus
}
#endif

#endif /* CXMETER_METRICS_H */
