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

/** Metrics, by the names SPEC §2 and the command line use. */
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
    X(QA_SCORE, "qa_score")

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

/** Fewer answers than this and a figure is flagged low_n (SPEC §2). */
#define CXM_LOW_N 30

/** Sufficient statistics of the answers to one survey in one group.
 *  Invariant: n_top, n_promoter, n_detractor <= n. Zero-initialise. */
struct cxm_survey_stat {
    int64_t n;           /* answers with a score */
    int64_t n_top;       /* CSAT: top two points; CES: agree (above midpoint) */
    int64_t n_promoter;  /* NPS: 9–10 */
    int64_t n_detractor; /* NPS: 0–6 */
    double sum;          /* sum of scores */
    double sum_sq;       /* sum of squared scores */
};

/** Adds one answer `score` on the scale [lo, hi] of survey kind `survey`
 *  ("csat", "nps", "ces"; anything else counts only n and moments). */
CXM_API void cxm_survey_stat_add(struct cxm_survey_stat *s,
                                 const char *survey, int score, int lo,
                                 int hi);

/** Adds `count` answers `score` at once (a rollup cell). */
CXM_API void cxm_survey_stat_add_n(struct cxm_survey_stat *s,
                                   const char *survey, int score, int lo,
                                   int hi, int64_t count);

/** dst += src. */
CXM_API void cxm_survey_stat_merge(struct cxm_survey_stat *dst,
                                   const struct cxm_survey_stat *src);

/** One reported figure. Fields that do not apply to the metric are flagged
 *  off; `is_null` means no data (JSON null). */
struct cxm_figure {
    bool is_null;
    double value;
    int64_t n;
    bool has_ci;        /* lo/hi are set */
    double lo, hi;      /* 95 % interval, same unit as value */
    bool has_low_n;     /* low_n applies */
    bool low_n;         /* n < CXM_LOW_N */
    bool has_quantiles; /* median/p90 are set */
    double median, p90;
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
};

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
