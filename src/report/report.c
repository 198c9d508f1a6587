/* SPDX-License-Identifier: MIT
 *
 * report.c — computes a report: which metrics apply to the breakdown, the
 * period, one group per combination of dimension values, the sufficient
 * statistics of each group filled from the store's rows, and the figures
 * computed from them once at the end (SPEC §2, docs/report-semantics.md).
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "figure.h"
#include "period.h"
#include "report_int.h"
#include "store_int.h"
#include "strmap.h"
#include "tz.h"

/* ---- Metrics: applicable breakdowns (the metric table, metric.h) ----- */

/* The first dimension of the report that metric m's records lack, or
 * CXM_BY_COUNT. */
static cxm_dim missing_dim(const cxm_report *r, cxm_metric m)
{
    for (size_t k = 0; k < r->n_by; k++) {
        if (!cxm__metric_has_dim(m, r->by[k]))
            return r->by[k];
    }
    return CXM_BY_COUNT;
}

/* ---- Running the builder ---------------------------------------------- */

/* The survey statistics of g: none when no answer made them. */
static const struct cxm__group_surveys *group_surveys(
    const struct cxm__group_stat *g)
{
    static const struct cxm__group_surveys none;

    return g->sv ? g->sv : &none;
}

/* Scans [from, to) into b's groups (builder.c, report_scan.c). */
static cxm_rc builder_run(struct cxm__builder *b, cxm_store *st,
                          const cxm_report *r, const bool *want,
                          int64_t from, int64_t to, size_t max_groups)
{
    bool wants_more = false;
    cxm_rc rc;

    for (int m = 0; m < CXM_METRIC_COUNT; m++)
        wants_more |= want[m] && cxm__metric_family((cxm_metric)m) !=
                                     CXM__FAM_SURVEY;
    rc = cxm__builder_init(b, st, r, want, wants_more, from, to, max_groups);
    if (!rc)
        rc = cxm__report_scan(b);
    return rc;
}

static void builder_release(struct cxm__builder *b)
{
    cxm__report_scan_release(b);
    cxm__builder_release(b);
}

/* ---- Figures ---------------------------------------------------------- */

static void figure_count(bool has, int64_t v, struct cxm_figure *f)
{
    memset(f, 0, sizeof(*f));
    f->is_null = !has;
    f->value = (double)v;
    f->n = v;
}

static void figure_amount(bool has, double v, int64_t n,
                          struct cxm_figure *f)
{
    memset(f, 0, sizeof(*f));
    f->is_null = !has;
    f->value = v;
    f->n = n;
}

/* Clips f's interval to the metric's range [lo, hi] (SPEC §2: every
 * interval), widened to hold the value itself (a mean of out-of-range
 * data is shown as it is). */
static void clip_interval(struct cxm_figure *f, double lo, double hi)
{
    double a = f->value < lo ? f->value : lo;
    double z = f->value > hi ? f->value : hi;

    if (!f->has_ci || f->is_null)
        return;
    if (f->lo < a)
        f->lo = a;
    if (f->hi > z)
        f->hi = z;
}

/* The range of the scores of s: from the lowest to the highest point of
 * its answers' scales, those past a histogram's 11 points included;
 * [lo, hi] when it has no answer. */
static void scale_range(const struct cxm_survey_stat *s, double *lo,
                        double *hi)
{
    if (s->n <= 0)
        return;
    *lo = s->lo;
    *hi = s->hi;
}

/* Clips f's interval to metric m's range (metric.h), or to the scales of
 * the answers of s when s has them. */
static void clip_to_range(cxm_metric m, const struct cxm_survey_stat *s,
                          struct cxm_figure *f)
{
    double lo = cxm__metric(m)->lo, hi = cxm__metric(m)->hi;

    if (s)
        scale_range(s, &lo, &hi);
    clip_interval(f, lo, hi);
}

/* revenue, revenue_at_risk: one value only in one currency. */
static void figure_money(bool has, double sum, int64_t n,
                         const struct cxm__money_sum *v, size_t n_v,
                         struct cxm_figure *f)
{
    figure_amount(has, sum, n, f);
    f->n_currencies = n_v;
    if (n_v > 1) {
        f->value_is_null = true;
        f->value = 0;
    } else if (n_v == 1) {
        f->value = v[0].sum;
    }
}

/* Mean, median and p90 of a duration sketch: exact percentile_cont for up
 * to CXM__QSKETCH_EXACT_MAX values, within 0.5 % of it past that
 * (SPEC §2, docs/report-semantics.md). */
static void figure_duration(struct cxm__qsketch *d,
                            const struct cxm__msum *ms,
                            struct cxm_figure *f)
{
    double sum, sum_sq;
    uint64_t n = cxm__qsketch_count(d);

    memset(f, 0, sizeof(*f));
    if (n == 0) {
        f->is_null = true;
        return;
    }
    /* The exact sums where the durations were whole milliseconds (art,
     * frt), else the sketch's (business time). */
    if (ms)
        cxm__msum_seconds(ms, &sum, &sum_sq);
    else
        cxm__qsketch_sums(d, &sum, &sum_sq);
    /* SPEC §2: every mean carries its t interval, art and frt too. */
    cxm__figure_mean((int64_t)n, sum, sum_sq, f);
    clip_interval(f, 0, INFINITY);
    f->value = sum / (double)n;
    f->n = (int64_t)n;
    f->has_quantiles = true;
    f->median = cxm__qsketch_quantile(d, 0.5);
    f->p90 = cxm__qsketch_quantile(d, 0.9);
}

/* art/frt in business time, when the definitions have a calendar. */
static void figure_business(const cxm_definitions *d, struct cxm__qsketch *v,
                            struct cxm_figure *f)
{
    struct cxm_figure bf;

    if (!d->n_calendars)
        return;
    figure_duration(v, NULL, &bf);
    f->has_business = true;
    f->business_is_null = bf.is_null;
    f->business_value = bf.value;
    f->business_median = bf.median;
    f->business_p90 = bf.p90;
    f->business_n = bf.n;
}

/* Figure m of group g under definitions d. */
static void compute_figure(const cxm_definitions *d, cxm_metric m,
                           struct cxm__group_stat *g, struct cxm_figure *f)
{
    struct cxm__group_more *x = g->more;
    const struct cxm__group_surveys *sv = group_surveys(g);
    struct cxm__qsketch none = CXM__QSKETCH_INIT; /* no duration */
    const struct cxm__moments *mo;

    /* CXM_METRIC_COUNT: a metric not computed (no row in the table); a
     * report of survey figures alone keeps no more (builder_run()). */
    if (m == CXM_METRIC_COUNT ||
        (!x && cxm__metric_family(m) != CXM__FAM_SURVEY)) {
        memset(f, 0, sizeof(*f));
        f->is_null = true;
        return;
    }
    switch (m) {
    case CXM_METRIC_CSAT:
        cxm__figure_proportion(cxm_survey_stat_count(&sv->csat,
                                                    &d->csat_satisfied,
                                                    &cxm__csat_default),
                              sv->csat.n, f);
        return;
    case CXM_METRIC_CSAT_MEAN:
        cxm__figure_mean(sv->csat.n, sv->csat.sum, sv->csat.sum_sq, f);
        clip_to_range(m, &sv->csat, f);
        return;
    case CXM_METRIC_NPS:
        cxm__figure_nps(&sv->nps, f);
        return;
    case CXM_METRIC_CES:
        cxm__figure_mean(sv->ces.n, sv->ces.sum, sv->ces.sum_sq, f);
        clip_to_range(m, &sv->ces, f);
        return;
    case CXM_METRIC_CES_AGREE:
        cxm__figure_proportion(cxm_survey_stat_count(&sv->ces, &d->ces_agree,
                                                    &cxm__ces_default),
                              sv->ces.n, f);
        return;
    case CXM_METRIC_CREATED:
        figure_count(x->has_tickets, x->created, f);
        return;
    case CXM_METRIC_RESOLVED:
        figure_count(x->has_tickets, x->resolved, f);
        return;
    case CXM_METRIC_BACKLOG:
        figure_count(x->has_tickets, x->backlog, f);
        return;
    case CXM_METRIC_RESOLUTION_RATE:
        cxm__figure_proportion(x->created_resolved, x->created, f);
        return;
    case CXM_METRIC_FCR:
        cxm__figure_proportion(x->fcr, x->resolved, f);
        return;
    case CXM_METRIC_ESCALATION_RATE:
        cxm__figure_proportion(x->escalated, x->created, f);
        return;
    case CXM_METRIC_ART:
        figure_duration(x->dur ? &x->dur->art : &none,
                        x->dur ? &x->dur->art_ms : NULL, f);
        figure_business(d, x->dur ? &x->dur->art_bus : &none, f);
        return;
    case CXM_METRIC_FRT:
        figure_duration(x->dur ? &x->dur->frt : &none,
                        x->dur ? &x->dur->frt_ms : NULL, f);
        figure_business(d, x->dur ? &x->dur->frt_bus : &none, f);
        return;
    case CXM_METRIC_COMPLAINTS_PER_1000:
        figure_amount(x->active_any > 0,
                      x->active_any ? 1000.0 * (double)x->complaints /
                                          (double)x->active_any
                                    : 0,
                      x->active_any, f);
        return;
    case CXM_METRIC_SELFSERVICE_RATE:
        cxm__figure_proportion(x->sessions, x->sessions + x->created, f);
        return;
    case CXM_METRIC_DEFLECTION_RATE:
        cxm__figure_proportion(x->sessions_resolved, x->sessions, f);
        return;
    case CXM_METRIC_CHURN:
        cxm__figure_proportion(x->churned, x->active_start, f);
        return;
    case CXM_METRIC_RETENTION:
        cxm__figure_proportion(x->active_start - x->churned, x->active_start,
                              f);
        return;
    case CXM_METRIC_REPURCHASE_RATE:
        cxm__figure_proportion(x->repeat_buyers, x->buyers, f);
        return;
    case CXM_METRIC_POST_SERVICE_REPURCHASE:
        cxm__figure_proportion(x->ps_hits, x->ps_base, f);
        return;
    case CXM_METRIC_CONVERSION_RATE:
        cxm__figure_proportion(x->conv_hits, x->conv_base, f);
        return;
    case CXM_METRIC_REVENUE:
        figure_money(x->has_orders, x->revenue, x->n_orders, x->rev,
                     x->n_rev, f);
        return;
    case CXM_METRIC_REVENUE_AT_RISK:
        figure_money(x->has_customers, x->revenue_at_risk, x->churned_any,
                     x->risk, x->n_risk, f);
        return;
    case CXM_METRIC_AGENT_PRODUCTIVITY:
        memset(f, 0, sizeof(*f));
        f->is_null = x->prod_agents == 0;
        f->n = x->prod_tickets;
        f->n_agents = x->prod_agents;
        if (x->prod_agents)
            f->value = (double)x->prod_tickets / (double)x->prod_agents;
        if (x->has_hours && x->hours > 0) {
            /* Hours but no resolved ticket: 0 per hour is a figure,
             * tickets per agent (0 / 0 agents) is not. */
            f->value_is_null = f->is_null;
            f->is_null = false;
            f->has_per_hour = true;
            f->hours = x->hours;
            f->per_hour = (double)x->prod_tickets / x->hours;
        }
        return;
    case CXM_METRIC_AGENT_TURNOVER:
        memset(f, 0, sizeof(*f));
        f->headcount = x->period_ms > 0
                           ? x->headcount_ms / (double)x->period_ms
                           : 0;
        f->is_null = !x->has_agents || f->headcount <= 0;
        f->n = x->agents_left;
        if (!f->is_null)
            f->value = 100.0 * (double)x->agents_left / f->headcount;
        return;
    case CXM_METRIC_REVIEW_RATING:
        mo = &x->review;
        cxm__figure_mean(mo->n, mo->sum, mo->sum_sq, f);
        clip_to_range(m, NULL, f);
        if (mo->n > 0) {
            struct cxm_figure share;
            cxm__figure_proportion(x->reviews_positive, mo->n, &share);
            f->has_positive = true;
            f->positive = share.value;
            f->positive_lo = share.lo;
            f->positive_hi = share.hi;
        }
        return;
    case CXM_METRIC_QA_SCORE:
        cxm__figure_mean(x->qa_n, cxm__fsum_value(&x->qa_sum),
                         cxm__fsum_value(&x->qa_sq), f);
        clip_to_range(m, NULL, f);
        return;
    case CXM_METRIC_RESPONSE_RATE:
        /* answers / invitations sent (docs/sending.md), Wilson */
        cxm__figure_proportion(x->invited_answered, x->invited, f);
        return;
    case CXM_METRIC_COUNT:
        break;
    }
    memset(f, 0, sizeof(*f));
    f->is_null = true;
}

/* Whether metric m has any data in any group (for the default list). */
static bool metric_has_data(struct cxm__builder *b, cxm_metric m)
{
    for (size_t i = 0; i < b->n_groups; i++) {
        struct cxm_figure f;
        struct cxm__group_stat st = b->groups[i].st;
        /* compute_figure sorts the values of exact duration sketches in
         * place, through this shallow copy: harmless. */
        compute_figure(b->r->defs, m, &st, &f);
        if (!f.is_null)
            return true;
    }
    return false;
}

/* ---- Period-over-period tests (SPEC §2) ------------------------------- */

/* Successes and trials of a proportion metric. */
static bool metric_counts(const cxm_definitions *d, cxm_metric m,
                          const struct cxm__group_stat *g, double *k,
                          double *n)
{
    struct cxm_figure f;
    struct cxm__group_stat copy = *g;

    if (cxm__metric_shape(m) != CXM__SHAPE_PROPORTION)
        return false;
    compute_figure(d, m, &copy, &f);
    if (f.is_null)
        return false;
    *n = (double)f.n;
    *k = round(f.value * *n / 100.0);
    return true;
}

/* n, mean and sample variance of a mean metric. Not const: the sums of
 * an exact duration sketch sort its values in place. */
static bool metric_moments(cxm_metric m, struct cxm__group_stat *g,
                           double *n, double *mean, double *var)
{
    double sum, sum_sq;
    int64_t cnt;
    struct cxm__qsketch *d = NULL;
    struct cxm__group_more *x = g->more;
    const struct cxm__group_surveys *sv = group_surveys(g);

    if (!x && cxm__metric_family(m) != CXM__FAM_SURVEY)
        return false;
    switch (m) {
    case CXM_METRIC_CSAT_MEAN:
        cnt = sv->csat.n, sum = sv->csat.sum, sum_sq = sv->csat.sum_sq;
        break;
    case CXM_METRIC_CES:
        cnt = sv->ces.n, sum = sv->ces.sum, sum_sq = sv->ces.sum_sq;
        break;
    case CXM_METRIC_REVIEW_RATING:
        cnt = x->review.n, sum = x->review.sum, sum_sq = x->review.sum_sq;
        break;
    case CXM_METRIC_QA_SCORE:
        cnt = x->qa_n, sum = cxm__fsum_value(&x->qa_sum);
        sum_sq = cxm__fsum_value(&x->qa_sq);
        break;
    case CXM_METRIC_ART:
    case CXM_METRIC_FRT:
        if (!x->dur)
            return false; /* no duration */
        d = m == CXM_METRIC_ART ? &x->dur->art : &x->dur->frt;
        break;
    default:
        return false;
    }
    if (d) {
        cnt = (int64_t)cxm__qsketch_count(d);
        cxm__msum_seconds(d == &x->dur->art ? &x->dur->art_ms
                                            : &x->dur->frt_ms,
                          &sum, &sum_sq);
    }
    if (cnt < 2)
        return false;
    *n = (double)cnt;
    *mean = sum / *n;
    *var = (sum_sq - sum * *mean) / (*n - 1);
    if (*var < 0)
        *var = 0;
    return true;
}

/* Two-sided p-value of the change from g0 (previous) to g1 (current). */
static bool change_p_value(const cxm_definitions *d, cxm_metric m,
                           struct cxm__group_stat *g1,
                           struct cxm__group_stat *g0, double *p)
{
    double k1, n1, k0, n0, m1, v1, m0, v0;

    if (m == CXM_METRIC_NPS) {
        /* z test on the difference of the promoter − detractor shares,
         * each with variance (p + d − (p − d)²)/n (SPEC §2). */
        const struct cxm_survey_stat *s1 = &group_surveys(g1)->nps;
        const struct cxm_survey_stat *s0 = &group_surveys(g0)->nps;
        double a1, d1, a0, d0, se;
        if (s1->n == 0 || s0->n == 0)
            return false;
        n1 = (double)s1->n;
        n0 = (double)s0->n;
        a1 = (double)s1->n_promoter / n1;
        d1 = (double)s1->n_detractor / n1;
        a0 = (double)s0->n_promoter / n0;
        d0 = (double)s0->n_detractor / n0;
        se = sqrt((a1 + d1 - (a1 - d1) * (a1 - d1)) / n1 +
                  (a0 + d0 - (a0 - d0) * (a0 - d0)) / n0);
        /* No spread on either side (one promoter against one
         * detractor): no variance to test with, so no p-value rather
         * than a p of 0 from two answers. */
        if (se == 0) {
            *p = 1.0;
            return (a1 - d1) == (a0 - d0);
        }
        *p = 2 * gsl_cdf_ugaussian_Q(fabs((a1 - d1) - (a0 - d0)) / se);
        return true;
    }
    if (metric_counts(d, m, g1, &k1, &n1) &&
        metric_counts(d, m, g0, &k0, &n0)) {
        /* Two-proportion z test with the pooled proportion. */
        double pool = (k1 + k0) / (n1 + n0);
        double se = sqrt(pool * (1 - pool) * (1 / n1 + 1 / n0));
        if (se == 0) {
            *p = 1.0;
            return true;
        }
        *p = 2 * gsl_cdf_ugaussian_Q(fabs(k1 / n1 - k0 / n0) / se);
        return true;
    }
    if (metric_moments(m, g1, &n1, &m1, &v1) &&
        metric_moments(m, g0, &n0, &m0, &v0)) {
        /* Welch's t test, Welch–Satterthwaite degrees of freedom. */
        double a = v1 / n1, b = v0 / n0, se = sqrt(a + b), df;
        if (se == 0) { /* constant on both sides: as for NPS */
            *p = 1.0;
            return m1 == m0;
        }
        df = (a + b) * (a + b) /
             (a * a / (n1 - 1) + b * b / (n0 - 1));
        *p = 2 * gsl_cdf_tdist_Q(fabs(m1 - m0) / se, df);
        return true;
    }
    return false;
}

/* ---- The report ------------------------------------------------------- */

static cxm_rc add_warning(cxm_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static cxm_rc add_warning(cxm_report *r, const char *fmt, ...)
{
    struct cxm__buf w = CXM__BUF_INIT(1024);
    va_list ap;
    cxm_rc rc;

    va_start(ap, fmt);
    rc = cxm__buf_vaddf(&w, fmt, ap);
    va_end(ap);
    if (!rc)
        rc = cxm__grow((void **)&r->warnings, &r->warnings_cap,
                       r->n_warnings + 1, sizeof(*r->warnings));
    if (rc) {
        cxm__buf_release(&w);
        return rc;
    }
    r->warnings[r->n_warnings++] = cxm__buf_take(&w, NULL);
    return CXM_OK;
}

static cxm_rc store_note_warning(const char *note, void *ud)
{
    return add_warning(ud, "%s", note);
}

void cxm_report_free(cxm_report *r)
{
    if (!r)
        return;
    if (r->dims) {
        for (size_t i = 0; i < r->n_rows * r->n_by; i++)
            cxm__free(r->dims[i]);
    }
    cxm__free(r->dims);
    cxm__free(r->figures);
    for (size_t i = 0; i < r->n_warnings; i++)
        cxm__free(r->warnings[i]);
    cxm__free(r->warnings);
    cxm__free(r->errmsg);
    for (size_t i = 0; i < r->n_currencies_codes; i++)
        cxm__free(r->currencies[i]);
    cxm__free(r->currencies);
    cxm__free(r->money);
    for (int m = 0; m < CXM_METRIC_COUNT; m++)
        cxm__free(r->bench_labels[m]);
    for (size_t k = 0; k < CXM_REPORT_MAX_BY; k++)
        cxm__free(r->where[k]);
    cxm__tz_free(r->zone);
    cxm_definitions_free(r->defs);
    cxm__free(r);
}

/* Orders groups by their labels, dimension by dimension. */
static int cmp_group(const void *a, const void *b)
{
    const struct cxm__group *x = a, *y = b;

    for (size_t k = 0; k < x->n_labels; k++) {
        int c = strcmp(x->labels[k], y->labels[k]);
        if (c)
            return c;
    }
    return 0;
}

/* Checks the query's filters and copies them into r->where, by the
 * position of their dimension in the breakdown. */
static cxm_rc take_where(cxm_report *r, const struct cxm_report_query *q)
{
    size_t n = 0;
    const struct cxm_report_where *w = NULL;

    if (q->size >= offsetof(struct cxm_report_query, n_where) +
                       sizeof(q->n_where)) {
        n = q->n_where;
        w = q->where;
    }
    if (n && !w)
        return CXM_EINVAL;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < r->n_by && r->by[k] != w[i].dim)
            k++;
        if (k == r->n_by || !w[i].value || r->where[k] ||
            cxm__dim_is_time(w[i].dim))
            return CXM_EINVAL;
        r->where[k] = cxm__strdup(w[i].value);
        if (!r->where[k])
            return CXM_ENOMEM;
    }
    return CXM_OK;
}

/* Checks the query and copies it into the report. */
static cxm_rc take_query(cxm_report *r, const struct cxm_report_query *q)
{
    cxm_rc rc;

    if (q->n_by > CXM_REPORT_MAX_BY || (q->n_by && !q->by) ||
        (q->n_metrics && !q->metrics) || q->n_metrics > CXM_METRIC_COUNT)
        return CXM_EINVAL;
    for (size_t k = 0; k < q->n_by; k++) {
        if (q->by[k] < 0 || q->by[k] >= CXM_BY_COUNT)
            return CXM_EINVAL;
        for (size_t j = 0; j < k; j++) {
            if (q->by[j] == q->by[k])
                return CXM_EINVAL;
        }
        r->by[k] = q->by[k];
    }
    r->n_by = q->n_by;
    rc = take_where(r, q);
    if (rc)
        return rc;
    for (size_t j = 0; j < q->n_metrics; j++) {
        if (q->metrics[j] < 0 || q->metrics[j] >= CXM_METRIC_COUNT)
            return CXM_EINVAL;
        for (size_t i = 0; i < j; i++) {
            if (q->metrics[i] == q->metrics[j])
                return CXM_EINVAL;
        }
    }
    if (q->has_from && q->has_to && q->from_ms >= q->to_ms)
        return CXM_EINVAL;
    snprintf(r->tz, sizeof(r->tz), "UTC");
    if (!q->tz || !*q->tz || strcmp(q->tz, "UTC") == 0)
        return CXM_OK; /* the fast path: no zone lookups */
    if (strlen(q->tz) >= sizeof(r->tz))
        return CXM_ENOZONE;
    if (cxm__tz_load(q->tz, NULL, &r->zone) != CXM_OK)
        return CXM_ENOZONE;
    snprintf(r->tz, sizeof(r->tz), "%s", q->tz);
    return CXM_OK;
}

/* Decides which metrics are computed; sets *none_applies when metrics
 * were named and none applies to the breakdown. */
static cxm_rc choose_metrics(cxm_report *r, const struct cxm_report_query *q,
                             bool *want, bool *none_applies)
{
    size_t n_applies = 0;
    cxm_rc rc;

    *none_applies = false;
    if (q->n_metrics == 0) {
        for (int m = 0; m < CXM_METRIC_COUNT; m++)
            want[m] = missing_dim(r, (cxm_metric)m) == CXM_BY_COUNT;
        return CXM_OK;
    }
    for (size_t j = 0; j < q->n_metrics; j++) {
        cxm_metric m = q->metrics[j];
        cxm_dim d = missing_dim(r, m);
        r->metrics[r->n_metrics++] = m;
        if (d != CXM_BY_COUNT) {
            rc = add_warning(r, "%s does not apply to a breakdown by %s: "
                                "its records carry no %s; shown as null",
                             cxm_metric_name(m), cxm_dim_name(d),
                             cxm_dim_name(d));
            if (rc)
                return rc;
            continue;
        }
        want[m] = true;
        n_applies++;
    }
    *none_applies = n_applies == 0;
    return CXM_OK;
}

/* The period [*from, *to) of the query; SPEC §2: without --from/--to,
 * from the earliest to one second past the latest event timestamp. */
static cxm_rc resolve_period(cxm_store *st, const struct cxm_report_query *q,
                             int64_t *from, int64_t *to)
{
    bool found;
    int64_t lo = 0, hi = 0;
    cxm_rc rc;

    if (q->has_from && q->has_to) {
        *from = q->from_ms;
        *to = q->to_ms;
        return CXM_OK;
    }
    rc = cxm__store_time_range(st, &found, &lo, &hi);
    if (rc)
        return rc;
    if (!found) {
        lo = q->has_to ? q->to_ms - 1000 : 0;
        hi = q->has_from ? q->from_ms : lo;
    }
    *from = q->has_from ? q->from_ms : lo;
    *to = q->has_to ? q->to_ms : hi + 1000;
    return *to > *from ? CXM_OK : CXM_EINVAL;
}

/* ---- Inputs never supplied (SPEC §2: no data is not zero) ------------ */

static cxm_rc on_supplied(const struct cxm__row *row, void *ud)
{
    struct cxm__strmap *set = ud;
    struct cxm__buf k = CXM__BUF_INIT(4096);
    size_t pos;
    bool inserted;
    cxm_rc rc;

    if (row->is_null[0] || row->is_null[1])
        return CXM_OK;
    rc = cxm__buf_addf(&k, "%s.%s", row->text[0], row->text[1]);
    if (!rc)
        rc = cxm__strmap_upsert(set, k.data, k.len, 0, &pos, NULL,
                                &inserted);
    cxm__buf_release(&k);
    return rc;
}

/* Marks in r->unsupplied the wanted metrics one of whose inputs (their
 * needs in the metric table, metric.h) no import ever supplied
 * (0009-supplied.sql) and wants them no more: nothing is built for a
 * figure that can only be null (a customer active in every bucket of a
 * breakdown would otherwise make a row of nulls per bucket). A metric the
 * query named gets a warning and is null in every row; the default list
 * leaves them out, with one note naming those with some of their records
 * imported. A store whose engine keeps no such record counts everything
 * as supplied. */
static cxm_rc find_unsupplied(cxm_store *st, cxm_report *r,
                              const struct cxm_report_query *q, bool *want)
{
    struct cxm__strmap set;
    struct cxm__buf left = CXM__BUF_INIT(1 << 16);
    bool named[CXM_METRIC_COUNT] = {false};
    cxm_rc rc;

    memset(&set, 0, sizeof(set));
    rc = cxm__store_query(st, CXM__Q_SUPPLIED, on_supplied, &set);
    if (rc == CXM_ESTORE) {
        cxm__strmap_release(&set);
        return CXM_OK; /* no record kept: everything counts */
    }
    for (int m = 0; !rc && m < CXM_METRIC_COUNT; m++) {
        const struct cxm__metric_info *mi = cxm__metric((cxm_metric)m);
        const struct cxm__metric_need *needs = mi->needs;
        size_t n = mi->n_needs, pos;
        bool some_kind = false;
        char key[64];
        if (!want[m])
            continue;
        for (size_t i = 0; i < n; i++) {
            snprintf(key, sizeof(key), "%s.", cxm_kind_name(needs[i].kind));
            some_kind |= cxm__strmap_get(&set, key, strlen(key), &pos);
        }
        for (size_t i = 0; !r->unsupplied[m][0] && i < n; i++) {
            /* The records first: no agents at all is not "no agents
             * file had the left_at column". */
            snprintf(key, sizeof(key), "%s.", cxm_kind_name(needs[i].kind));
            if (!cxm__strmap_get(&set, key, strlen(key), &pos))
                snprintf(r->unsupplied[m], sizeof(r->unsupplied[m]),
                         "no %s records were imported",
                         cxm_kind_name(needs[i].kind));
        }
        for (size_t i = 0; !r->unsupplied[m][0] && i < n; i++) {
            snprintf(key, sizeof(key), "%s.%s", cxm_kind_name(needs[i].kind),
                     needs[i].column);
            if (!cxm__strmap_get(&set, key, strlen(key), &pos))
                snprintf(r->unsupplied[m], sizeof(r->unsupplied[m]),
                         "no %s file had the %s column",
                         cxm_kind_name(needs[i].kind), needs[i].column);
        }
        if (!r->unsupplied[m][0])
            continue;
        want[m] = false;
        if (q->n_metrics)
            rc = add_warning(r, "%s has no data: %s; shown as null",
                             cxm_metric_name((cxm_metric)m),
                             r->unsupplied[m]);
        else if (some_kind) /* would show a zero that is no data */
            named[m] = true;
    }
    /* One reason after the metrics it leaves out, in the metrics' order:
     * "resolved, fcr (no tickets file had the resolved_at column); …". */
    for (int m = 0; !rc && m < CXM_METRIC_COUNT; m++) {
        const char *sep = left.len ? "; " : "";
        if (!named[m])
            continue;
        for (int k = m; !rc && k < CXM_METRIC_COUNT; k++) {
            if (!named[k] || strcmp(r->unsupplied[k], r->unsupplied[m]))
                continue;
            rc = cxm__buf_addf(&left, "%s%s", sep,
                               cxm_metric_name((cxm_metric)k));
            sep = ", ";
            if (k != m)
                named[k] = false;
        }
        if (!rc)
            rc = cxm__buf_addf(&left, " (%s)", r->unsupplied[m]);
    }
    if (!rc && left.len)
        rc = add_warning(r, "left out, their input was never supplied: %s",
                         left.data);
    cxm__buf_release(&left);
    cxm__strmap_release(&set);
    return rc;
}

/* ---- What stretches the default period; how many buckets it holds ---- */

/* One of the earliest or latest events of the data. */
struct event_end {
    const char *what; /* "ticket T1 (created_at" …: static */
    char *id;         /* owned */
    int64_t at;
};

struct event_ends {
    struct event_end v[10 * CXM__EVENT_ENDS];
    size_t n;
};

static void event_ends_release(struct event_ends *e)
{
    for (size_t i = 0; i < e->n; i++)
        cxm__free(e->v[i].id);
    e->n = 0;
}

static cxm_rc on_event_end(const struct cxm__row *row, void *ud)
{
    static const char *const names[][2] = {
        {"tickets", "ticket"},     {"responses", "response"},
        {"selfservice", "self-service session"},
        {"orders", "order"},       {"reviews", "review"}};
    struct event_ends *e = ud;
    struct event_end *x;
    size_t k;

    if (row->is_null[0] || row->is_null[2])
        return CXM_OK;
    for (k = 0; k < CXM_ARRAY_LEN(names); k++) {
        if (strcmp(row->text[0], names[k][0]) == 0)
            break;
    }
    if (k == CXM_ARRAY_LEN(names))
        return CXM_OK;
    /* A kind of fewer rows than both ends hold lists a row twice. */
    for (size_t i = 0; i < e->n; i++) {
        if (e->v[i].what == names[k][1] &&
            strcmp(e->v[i].id, row->text[1] ? row->text[1] : "") == 0)
            return CXM_OK;
    }
    if (e->n == CXM_ARRAY_LEN(e->v))
        return CXM_OK;
    x = &e->v[e->n];
    x->id = cxm__strdup(row->text[1] ? row->text[1] : "");
    if (!x->id)
        return CXM_ENOMEM;
    x->what = names[k][1];
    x->at = row->i64[2];
    e->n++;
    return CXM_OK;
}

static int cmp_event_end(const void *a, const void *b)
{
    const struct event_end *x = a, *y = b;

    return (x->at > y->at) - (x->at < y->at);
}

/* The event timestamp column of the rows named `what`. */
static const char *event_column(const char *what)
{
    switch (what[0]) {
    case 't': return "created_at";
    case 'r': return what[2] == 's' ? "responded_at" : "posted_at";
    case 's': return "started_at";
    default: return "ordered_at";
    }
}

#define MS_PER_YEAR (INT64_C(31556952000)) /* 365.2425 days */
/* An instant outside [1970, 2100) is the likelier typo of two. */
#define PLAUSIBLE_FROM INT64_C(0)
#define PLAUSIBLE_TO INT64_C(4102444800000)

/* Finds the rows that stretch the data's span: at most
 * CXM__EVENT_ENDS − 1 at each end, each more than a year and more than
 * the span of the rest away from the rest, the rest keeping at least as
 * many rows (of those e holds) as are named. Of the ways to cut, the one
 * leaving the shortest rest wins; then the one naming rows outside
 * 1970–2099; then the fewest rows. Sets *a and *b: the outliers are
 * e->v[0..a) and e->v[n − b..n). */
static void find_outliers(const struct event_ends *e, size_t *a_out,
                          size_t *b_out)
{
    size_t n = e->n, best_a = 0, best_b = 0, kmax = CXM__EVENT_ENDS - 1;
    int64_t best_span = n ? e->v[n - 1].at - e->v[0].at : 0;
    int best_odd = 0;

    for (size_t a = 0; a <= kmax && a < n; a++) {
        for (size_t b = 0; b <= kmax && a + b < n; b++) {
            int64_t lo = e->v[a].at, hi = e->v[n - 1 - b].at;
            int64_t span = hi - lo, need = span > MS_PER_YEAR ? span
                                                              : MS_PER_YEAR;
            size_t core = n - a - b;
            int odd = 0;
            /* The rest is the bulk: at least as many rows as are named,
             * and two unless there are only two. */
            if (a + b == 0 || core < a + b || core < (n > 2 ? 2u : 1u))
                continue;
            if (a && lo - e->v[a - 1].at <= need)
                continue;
            if (b && e->v[n - b].at - hi <= need)
                continue;
            for (size_t i = 0; i < a; i++)
                odd += e->v[i].at < PLAUSIBLE_FROM;
            for (size_t i = n - b; i < n; i++)
                odd += e->v[i].at >= PLAUSIBLE_TO;
            if (span < best_span ||
                (span == best_span && odd > best_odd) ||
                (span == best_span && odd == best_odd &&
                 a + b < best_a + best_b)) {
                best_span = span;
                best_odd = odd;
                best_a = a;
                best_b = b;
            }
        }
    }
    *a_out = best_a;
    *b_out = best_b;
}

/* Appends "ticket T1 (created_at 2026-01-01T00:00:00Z)". */
static cxm_rc add_event(struct cxm__buf *w, const struct event_end *x)
{
    char t[40];

    cxm_rc rc;

    cxm_time_format(x->at, t, sizeof(t));
    /* The id as stored: a store older than the import's refusal of
     * control characters may hold some, and this goes to a terminal. */
    rc = cxm__buf_addf(w, "%s ", x->what);
    if (!rc)
        rc = cxm__buf_add_escaped(w, x->id);
    if (!rc)
        rc = cxm__buf_addf(w, " (%s %s)", event_column(x->what), t);
    return rc;
}

/* The rows at either end of the data, sorted by time (none when the
 * period was given whole). */
static cxm_rc load_event_ends(cxm_store *st, const struct cxm_report_query *q,
                              struct event_ends *e)
{
    cxm_rc rc;

    e->n = 0;
    if (q->has_from && q->has_to)
        return CXM_OK;
    rc = cxm__store_query(st, CXM__Q_EVENT_ENDS, on_event_end, e);
    if (!rc)
        qsort(e->v, e->n, sizeof(e->v[0]), cmp_event_end);
    return rc;
}

/* SPEC §2 takes the default period from the earliest to the latest event:
 * a typo (1026 for 2026) stretches it over centuries. Names such rows in
 * a warning, at the ends the query left to the data. */
static cxm_rc warn_outliers(cxm_report *r, const struct cxm_report_query *q,
                            const struct event_ends *e)
{
    struct cxm__buf w = CXM__BUF_INIT(1 << 16);
    size_t a = 0, b = 0, n = e->n, named = 0;
    char lo[40], hi[40];
    cxm_rc rc = CXM_OK;

    find_outliers(e, &a, &b);
    if (q->has_from)
        a = 0;
    if (q->has_to)
        b = 0;
    if (a + b == 0)
        return CXM_OK;
    cxm_time_format(e->v[a].at, lo, sizeof(lo));
    cxm_time_format(e->v[n - 1 - b].at, hi, sizeof(hi));
    rc = cxm__buf_addf(&w, "the default period is stretched by %zu "
                           "outlying row%s far from the rest of the data "
                           "(%s .. %s): ",
                       a + b, a + b == 1 ? "" : "s", lo, hi);
    for (size_t i = 0; !rc && i < n; i++) {
        if (i >= a && i < n - b)
            continue;
        if (named++)
            rc = cxm__buf_adds(&w, ", ");
        if (!rc)
            rc = add_event(&w, &e->v[i]);
    }
    if (!rc)
        rc = cxm__buf_adds(&w, "; give --from/--to to leave them out");
    if (!rc)
        rc = add_warning(r, "%s", w.data);
    cxm__buf_release(&w);
    return rc;
}

/* Writes n with thousands separators ("365,243"). */
static void thousands(int64_t n, char *dst, size_t cap)
{
    char digits[32];
    int len = snprintf(digits, sizeof(digits), "%lld", (long long)n);
    size_t o = 0;

    for (int i = 0; i < len && o + 1 < cap; i++) {
        if (i && digits[i] != '-' && (len - i) % 3 == 0 && digits[0] != '-')
            dst[o++] = ',';
        if (o + 1 < cap)
            dst[o++] = digits[i];
    }
    dst[o] = '\0';
}

/* The number of buckets of time dimension d in [from, to). */
static int64_t bucket_count(const cxm_report *r, cxm_dim d, int64_t from,
                            int64_t to)
{
    int64_t a = r->zone ? cxm__tz_to_local(r->zone, from) : from;
    int64_t b = r->zone ? cxm__tz_to_local(r->zone, to - 1) : to - 1;

    return cxm__bucket_index(d, b) - cxm__bucket_index(d, a) + 1;
}

/* The rows a report may build, both periods together (report_int.h):
 * bounded by the records it can read; *records, how many are stored. */
static cxm_rc row_budget(cxm_store *st, int64_t *records, size_t *out)
{
    int64_t n = 0;

    for (int k = 0; k < CXM_KIND_COUNT; k++) {
        int64_t c = 0;
        cxm_rc rc = cxm__store_records_bound(st, (cxm_kind)k, &c);
        if (rc)
            return rc;
        n = c > INT64_MAX - n ? INT64_MAX : n + c;
    }
    *records = n;
    *out = CXM__ROWS_MIN;
    if (n > (CXM__MAX_ROWS / CXM__ROWS_PER_RECORD))
        *out = CXM__MAX_ROWS;
    else if (n * CXM__ROWS_PER_RECORD > CXM__ROWS_MIN)
        *out = (size_t)(n * CXM__ROWS_PER_RECORD);
    return CXM_OK;
}

/* Says why a builder stopped at the row budget `most` of a store of
 * `records` records. */
static cxm_rc rows_error(cxm_report *r, size_t most, int64_t records)
{
    struct cxm__buf w = CXM__BUF_INIT(1024);
    char num[32], rec[32];

    thousands((int64_t)most, num, sizeof(num));
    thousands(records, rec, sizeof(rec));
    if (cxm__buf_addf(&w, "the breakdown needs more than %s rows%s, the "
                          "most a report builds from %s stored records",
                      num, r->has_compare ? " in the two periods" : "",
                      rec))
        return CXM_ENOMEM;
    cxm__free(r->errmsg);
    r->errmsg = cxm__buf_take(&w, NULL);
    return CXM_ETOOBIG;
}

/* Refuses, before anything is allocated for them, a period holding more
 * than CXM__MAX_BUCKETS buckets of a time dimension of the breakdown
 * (r->errmsg says how many). */
static cxm_rc check_buckets(cxm_report *r, int64_t from, int64_t to,
                            const struct event_ends *e)
{
    struct cxm__buf w = CXM__BUF_INIT(1 << 16);
    int64_t most = 0;
    cxm_dim which = CXM_BY_COUNT;
    char a[40], b[40], num[32], cap[32];
    cxm_rc rc;

    for (size_t k = 0; k < r->n_by; k++) {
        int64_t n;
        if (!cxm__dim_is_time(r->by[k]))
            continue;
        n = bucket_count(r, r->by[k], from, to);
        if (n > most) {
            most = n;
            which = r->by[k];
        }
    }
    if (most <= CXM__MAX_BUCKETS)
        return CXM_OK;
    cxm_time_format(from, a, sizeof(a));
    cxm_time_format(to, b, sizeof(b));
    thousands(most, num, sizeof(num));
    thousands(CXM__MAX_BUCKETS, cap, sizeof(cap));
    rc = cxm__buf_addf(&w, "the period %s .. %s holds %s %s buckets, more "
                           "than the %s a report builds",
                       a, b, num, cxm_dim_name(which), cap);
    if (!rc && e->n) {
        rc = cxm__buf_adds(&w, "; the data runs from ");
        if (!rc)
            rc = add_event(&w, &e->v[0]);
        if (!rc)
            rc = cxm__buf_adds(&w, " to ");
        if (!rc)
            rc = add_event(&w, &e->v[e->n - 1]);
    }
    if (!rc) {
        cxm__free(r->errmsg);
        r->errmsg = cxm__buf_take(&w, NULL);
        return CXM_ETOOBIG;
    }
    cxm__buf_release(&w);
    return rc;
}

/* The finest time dimension of the report, or CXM_BY_COUNT. */
static cxm_dim finest_time_dim(const cxm_report *r)
{
    static const cxm_dim order[] = {CXM_BY_DAY, CXM_BY_WEEK, CXM_BY_MONTH,
                                    CXM_BY_QUARTER, CXM_BY_YEAR};

    for (size_t i = 0; i < CXM_ARRAY_LEN(order); i++) {
        for (size_t k = 0; k < r->n_by; k++) {
            if (r->by[k] == order[i])
                return order[i];
        }
    }
    return CXM_BY_COUNT;
}

/* The group of `prev` that row g of the current report compares with:
 * the same labels, time labels moved one bucket of the finest time
 * dimension back; NULL if it has none. */
static struct cxm__group *previous_group(struct cxm__builder *prev,
                                         const struct cxm__group *g)
{
    const cxm_report *r = prev->r;
    cxm_dim fine = finest_time_dim(r);
    struct cxm__buf key = CXM__BUF_INIT(1 << 20);
    char label[CXM__LABEL_CAP];
    struct cxm__group *out = NULL;
    int64_t t = 0;
    size_t pos;
    cxm_rc rc = CXM_OK;

    if (fine != CXM_BY_COUNT)
        t = cxm__zbucket_start(r->zone, fine, g->t_ms) - 1;
    for (size_t k = 0; !rc && k < r->n_by; k++) {
        const char *l = g->labels[k];
        if (cxm__dim_is_time(r->by[k])) {
            cxm__zbucket_label(r->zone, r->by[k], t, label,
                               sizeof(label));
            l = label;
        }
        rc = cxm__buf_adds(&key, l);
        if (!rc)
            rc = cxm__buf_addc(&key, CXM__KEY_SEP);
    }
    if (!rc && cxm__strmap_get(&prev->index, key.data ? key.data : "",
                               key.len, &pos))
        out = &prev->groups[pos];
    cxm__buf_release(&key);
    return out;
}

static void compare_figure(const cxm_definitions *d, cxm_metric m,
                           struct cxm__group *g,
                           struct cxm__group *pg, struct cxm_figure *f)
{
    struct cxm_figure pf;
    double p;

    f->has_compare = true;
    f->prev_is_null = true;
    if (!pg)
        return;
    compute_figure(d, m, &pg->st, &pf);
    /* Both sides need one value: money in several currencies has none
     * to set beside the previous one (docs/report-semantics.md). */
    if (pf.is_null || pf.value_is_null || f->value_is_null)
        return;
    f->prev_is_null = false;
    f->prev_value = pf.value;
    f->prev_n = pf.n;
    if (f->is_null || f->value_is_null)
        return;
    f->change = f->value - pf.value;
    if (!change_p_value(d, m, &g->st, &pg->st, &p))
        return;
    f->has_p = true;
    f->p_value = p;
    /* Never mark a change on low_n data. */
    f->significant = p < 0.05 && f->n >= CXM_LOW_N && pf.n >= CXM_LOW_N &&
                     !f->low_n && !pf.low_n;
}

static int cmp_money(const void *a, const void *b)
{
    return strcmp(((const struct cxm_money *)a)->currency,
                  ((const struct cxm_money *)b)->currency);
}

static bool is_money(cxm_metric m)
{
    return cxm__metric_shape(m) == CXM__SHAPE_MONEY;
}

/* Gives the money figures of the rows their amounts per currency, kept
 * in r (r->money, codes in r->currencies), sorted by code. */
static cxm_rc attach_money(cxm_report *r, struct cxm__builder *b)
{
    size_t n_codes = 0, total = 0, k = 0;
    const char *const *codes = cxm__report_scan_currencies(b, &n_codes);

    for (size_t i = 0; i < r->n_rows * r->n_metrics; i++) {
        const struct cxm_figure *f = &r->figures[i];
        if (is_money(r->metrics[i % r->n_metrics]) && !f->is_null)
            total += f->n_currencies;
    }
    if (!total || !n_codes)
        return CXM_OK;
    r->currencies = cxm__calloc(n_codes, sizeof(*r->currencies));
    r->money = cxm__calloc(total, sizeof(*r->money));
    if (!r->currencies || !r->money)
        return CXM_ENOMEM;
    for (; r->n_currencies_codes < n_codes; r->n_currencies_codes++) {
        size_t c = r->n_currencies_codes;
        r->currencies[c] = cxm__strdup(codes[c]);
        if (!r->currencies[c])
            return CXM_ENOMEM;
    }
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct cxm__group_more *x = b->groups[i].st.more;
        for (size_t j = 0; x && j < r->n_metrics; j++) {
            struct cxm_figure *f = &r->figures[i * r->n_metrics + j];
            bool rev = r->metrics[j] == CXM_METRIC_REVENUE;
            const struct cxm__money_sum *v = rev ? x->rev : x->risk;
            size_t n = rev ? x->n_rev : x->n_risk;
            if (!is_money(r->metrics[j]) || f->is_null || !f->n_currencies)
                continue;
            CXM_ASSERT(n == f->n_currencies && k + n <= total);
            f->currencies = &r->money[k];
            for (size_t c = 0; c < n; c++, k++) {
                r->money[k].currency = r->currencies[v[c].code];
                r->money[k].value = v[c].sum;
                r->money[k].n = v[c].n;
            }
            qsort(&r->money[k - n], n, sizeof(r->money[0]), cmp_money);
        }
    }
    return CXM_OK;
}

/* The one currency of money metric m in group g of builder b; NULL when
 * g has none or several. */
static const char *one_currency(struct cxm__builder *b,
                                const struct cxm__group *g, cxm_metric m)
{
    size_t n_codes = 0;
    const char *const *codes = cxm__report_scan_currencies(b, &n_codes);
    const struct cxm__group_more *x = g ? g->st.more : NULL;
    const struct cxm__money_sum *v;

    if (!x || (m == CXM_METRIC_REVENUE ? x->n_rev : x->n_risk) != 1)
        return NULL;
    v = m == CXM_METRIC_REVENUE ? x->rev : x->risk;
    return v[0].code < n_codes ? codes[v[0].code] : NULL;
}

/* Whether money figures of g (of b) and pg (of prev) are in two
 * currencies: they are never compared (SPEC §2), 20 USD is no change of
 * +10 from 10 EUR. */
static bool other_currency(struct cxm__builder *b, const struct cxm__group *g,
                           struct cxm__builder *prev,
                           const struct cxm__group *pg, cxm_metric m)
{
    const char *a, *z;

    if (!is_money(m) || !pg)
        return false;
    a = one_currency(b, g, m);
    z = one_currency(prev, pg, m);
    return a && z && strcmp(a, z) != 0;
}

/* Turns the groups into the report's rows and figures. */
static cxm_rc make_rows(cxm_report *r, const struct cxm_report_query *q,
                        struct cxm__builder *b, struct cxm__builder *prev)
{
    size_t n_cells;

    if (q->n_metrics == 0) {
        /* Never-supplied metrics are not wanted (find_unsupplied()). */
        for (int m = 0; m < CXM_METRIC_COUNT; m++) {
            if (b->want[m] && metric_has_data(b, (cxm_metric)m))
                r->metrics[r->n_metrics++] = (cxm_metric)m;
        }
    }
    if (r->n_by && b->n_groups > 1) {
        qsort(b->groups, b->n_groups, sizeof(*b->groups), cmp_group);
    } else if (r->n_by == 0 && b->n_groups == 0) {
        /* Without a breakdown there is always the one row (SPEC §4). */
        struct cxm__group *g;
        cxm_rc rc = cxm__builder_group(b, &g);
        if (rc)
            return rc;
    }
    r->n_rows = b->n_groups;
    if (!cxm__size_mul(&n_cells, r->n_rows, r->n_metrics))
        return CXM_ENOMEM;
    r->figures = cxm__calloc(n_cells ? n_cells : 1, sizeof(*r->figures));
    r->dims = cxm__calloc(r->n_rows * r->n_by + 1, sizeof(*r->dims));
    if (!r->figures || !r->dims)
        return CXM_ENOMEM;
    for (size_t i = 0; i < r->n_rows; i++) {
        struct cxm__group *g = &b->groups[i];
        struct cxm__group *pg = prev ? previous_group(prev, g) : NULL;
        for (size_t j = 0; j < r->n_metrics; j++) {
            struct cxm_figure *f = &r->figures[i * r->n_metrics + j];
            cxm_metric m = r->metrics[j];
            compute_figure(r->defs,
                           b->want[m] && !r->unsupplied[m][0]
                               ? m
                               : CXM_METRIC_COUNT,
                           &g->st, f);
            if (prev && b->want[m] && !r->unsupplied[m][0])
                compare_figure(r->defs, m, g,
                               other_currency(b, g, prev, pg, m) ? NULL
                                                                 : pg,
                               f);
            if (r->bench_labels[m] && !f->is_null) {
                f->has_benchmark = true;
                f->benchmark = r->bench_values[m];
                f->benchmark_label = r->bench_labels[m];
            }
        }
        for (size_t k = 0; k < r->n_by; k++) {
            r->dims[i * r->n_by + k] = g->labels[k]; /* moved */
            g->labels[k] = NULL;
        }
    }
    return attach_money(r, b);
}

/* The comparison period of [from, to): the same length just before it;
 * with time dimensions, from the start of the bucket before the first. */
static void previous_period(const cxm_report *r, int64_t from, int64_t to,
                            int64_t *pfrom, int64_t *pto)
{
    cxm_dim coarse = CXM_BY_COUNT;
    static const cxm_dim order[] = {CXM_BY_YEAR, CXM_BY_QUARTER,
                                    CXM_BY_MONTH, CXM_BY_WEEK, CXM_BY_DAY};

    for (size_t i = 0; i < CXM_ARRAY_LEN(order) && coarse == CXM_BY_COUNT;
         i++) {
        for (size_t k = 0; k < r->n_by; k++) {
            if (r->by[k] == order[i])
                coarse = order[i];
        }
    }
    if (coarse == CXM_BY_COUNT) {
        *pfrom = from - (to - from);
        *pto = from;
        return;
    }
    *pfrom = cxm__zbucket_start(r->zone, coarse,
                           cxm__zbucket_start(r->zone, coarse, from) - 1);
    *pto = to;
}

cxm_rc cxm_report_run(cxm_store *st, const struct cxm_report_query *q,
                      cxm_report **out)
{
    struct cxm__builder b, prev;
    struct event_ends ends;
    bool want[CXM_METRIC_COUNT] = {false};
    bool none_applies = false, compare;
    int defs_version = 0;
    int64_t from, to, records = 0;
    size_t budget = 0;
    cxm_report *r;
    cxm_rc rc;

    if (!st || !q || !out)
        return CXM_EINVAL;
    compare = q->size >= offsetof(struct cxm_report_query, compare) +
                             sizeof(q->compare) &&
              q->compare;
    if (q->size >= offsetof(struct cxm_report_query, definitions) +
                       sizeof(q->definitions))
        defs_version = q->definitions;
    if (defs_version < 0)
        return CXM_EINVAL;
    r = cxm__calloc(1, sizeof(*r));
    if (!r)
        return CXM_ENOMEM;
    memset(&b, 0, sizeof(b));
    memset(&prev, 0, sizeof(prev));
    ends.n = 0;
    rc = take_query(r, q);
    r->read = q->size >= offsetof(struct cxm_report_query, read) +
                             sizeof(q->read)
                  ? q->read
                  : CXM_READ_AUTO;
    if (!rc)
        rc = cxm_definitions_load(st, defs_version, &r->defs);
    if (!rc)
        rc = cxm__definitions_zones(r->defs);
    if (!rc)
        rc = choose_metrics(r, q, want, &none_applies);
    if (!rc)
        rc = resolve_period(st, q, &from, &to);
    if (!rc)
        rc = cxm__report_benchmarks(st, r);
    if (!rc)
        rc = find_unsupplied(st, r, q, want);
    if (!rc)
        rc = load_event_ends(st, q, &ends);
    if (!rc)
        rc = warn_outliers(r, q, &ends);
    if (rc)
        goto out;
    r->from_ms = from;
    r->to_ms = to;
    if (compare) {
        r->has_compare = true;
        previous_period(r, from, to, &r->prev_from_ms, &r->prev_to_ms);
    }
    /* Before anything is built: buckets are bounded by the period. */
    rc = check_buckets(r, from, to, &ends);
    if (!rc && compare)
        rc = check_buckets(r, r->prev_from_ms, r->prev_to_ms, &ends);
    if (!rc)
        rc = row_budget(st, &records, &budget);
    if (!rc)
        rc = builder_run(&b, st, r, want, from, to, budget);
    if (!rc && compare)
        rc = builder_run(&prev, st, r, want, r->prev_from_ms,
                         r->prev_to_ms, budget - b.n_groups);
    if (rc == CXM_ETOOBIG && !r->errmsg)
        rc = rows_error(r, budget, records);
    /* What the store read around or rebuilt (a damaged derived form), and
     * why --read columns read rows: warnings (cxm__store_note()); taken
     * in any case, so that none is left for the next report. */
    {
        cxm_rc nrc = cxm__store_take_notes(st, store_note_warning, r);
        if (!rc)
            rc = nrc;
    }
    r->answers_path = b.answers_path;
    r->answers_detail = b.answers_detail;
    r->tickets_path = b.tickets_path;
    if (compare && prev.tickets_path != b.tickets_path)
        r->tickets_path = CXM__PATH_ROWS; /* mixed: name the slowest */
    r->qa_path = b.qa_path;
    if (compare && prev.qa_path != b.qa_path)
        r->qa_path = CXM__PATH_ROWS; /* mixed: name the slowest */
    if (compare && prev.answers_path != b.answers_path)
        r->answers_path = CXM__PATH_ROWS; /* mixed: name the slowest */
    else if (compare && b.answers_detail && prev.answers_detail &&
             strcmp(b.answers_detail, prev.answers_detail) != 0)
        r->answers_detail = "mixed";
    if (!rc)
        rc = make_rows(r, q, &b, compare ? &prev : NULL);
out:
    builder_release(&b);
    builder_release(&prev);
    event_ends_release(&ends);
    if (rc == CXM_ETOOBIG && r->errmsg) {
        /* Refused, with why: the caller shows r's message and warnings. */
        r->n_rows = 0;
        *out = r;
        return rc;
    }
    if (rc) {
        cxm_report_free(r);
        return rc;
    }
    *out = r;
    return none_applies ? CXM_EUSAGE : CXM_OK;
}

const char *cxm_report_errmsg(const cxm_report *r)
{
    return r && r->errmsg ? r->errmsg : "";
}

size_t cxm_report_n_warnings(const cxm_report *r) { return r->n_warnings; }

const char *cxm_report_warning(const cxm_report *r, size_t i)
{
    return i < r->n_warnings ? r->warnings[i] : "";
}

const char *cxm_report_answers_source(const cxm_report *r)
{
    switch (r->answers_path) {
    case CXM__PATH_ROLLUPS: return "rollups";
    case CXM__PATH_COLUMNS: return "columns";
    case CXM__PATH_ROWS: return "rows";
    case CXM__PATH_PUSHDOWN: /* the engine names itself */
        return r->answers_detail ? r->answers_detail : "push-down";
    default: return "";
    }
}

const char *cxm_report_tickets_source(const cxm_report *r)
{
    switch (r->tickets_path) {
    case CXM__PATH_ROLLUPS: return "ticket cells";
    case CXM__PATH_PUSHDOWN: return CXM__TICKETS_PUSHDOWN;
    case CXM__PATH_ROWS: return "rows";
    default: return "";
    }
}

const char *cxm_report_qa_source(const cxm_report *r)
{
    switch (r->qa_path) {
    case CXM__PATH_ROLLUPS: return "QA cells";
    case CXM__PATH_ROWS: return "rows";
    default: return "";
    }
}

const char *cxm_report_rollup_cells(const cxm_report *r)
{
    return r->answers_path == CXM__PATH_ROLLUPS && r->answers_detail
               ? r->answers_detail
               : "";
}

size_t cxm_report_n_rows(const cxm_report *r) { return r->n_rows; }

size_t cxm_report_n_metrics(const cxm_report *r) { return r->n_metrics; }

cxm_metric cxm_report_metric(const cxm_report *r, size_t j)
{
    return j < r->n_metrics ? r->metrics[j] : CXM_METRIC_COUNT;
}

const char *cxm_report_dim_value(const cxm_report *r, size_t row, size_t k)
{
    if (row >= r->n_rows || k >= r->n_by)
        return "";
    return r->dims[row * r->n_by + k];
}

cxm_rc cxm_report_figure(const cxm_report *r, size_t row, size_t j,
                         struct cxm_figure *out)
{
    if (!r || row >= r->n_rows || j >= r->n_metrics)
        return CXM_EINVAL;
    return cxm__figure_copy(out, &r->figures[row * r->n_metrics + j]);
}
