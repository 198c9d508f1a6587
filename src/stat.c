/* SPDX-License-Identifier: MIT
 *
 * stat.c — sufficient statistics and the pure functions of SPEC §2 that
 * turn them into figures: proportions with Wilson intervals, NPS with the
 * normal interval on the promoter/detractor difference, means with Student
 * t intervals, and percentile_cont quantiles. Counts stay integers until
 * the one division at the end (no early rounding).
 */
#include "internal.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#define Z975 1.959963984540054

static const char *const metric_names[CXM_METRIC_COUNT] = {
#define CXM__METRIC_NAME(id, name) name,
    CXM_METRIC_MAP(CXM__METRIC_NAME)
#undef CXM__METRIC_NAME
};

cxm_rc cxm_metric_parse(const char *name, cxm_metric *out)
{
    for (int m = 0; m < CXM_METRIC_COUNT; m++) {
        if (cxm__eq_nocase(name, strlen(name), metric_names[m])) {
            *out = (cxm_metric)m;
            return CXM_OK;
        }
    }
    return CXM_ENOTFOUND;
}

const char *cxm_metric_name(cxm_metric m)
{
    if (m < 0 || m >= CXM_METRIC_COUNT)
        return "";
    return metric_names[m];
}

void cxm_survey_stat_add(struct cxm_survey_stat *s, const char *survey,
                         int score, int lo, int hi)
{
    s->n++;
    s->sum += score;
    s->sum_sq += (double)score * score;
    if (strcmp(survey, "csat") == 0) {
        /* SPEC §2: the top two points of the scale (4–5 on 1–5); on a
         * scale of fewer than five points, the top point alone. */
        int top = hi - lo + 1 >= 5 ? hi - 1 : hi;
        s->n_top += score >= top;
    } else if (strcmp(survey, "ces") == 0) {
        /* Agree: above the midpoint (5–7 on 1–7, 4–5 on 1–5). */
        s->n_top += 2 * score > lo + hi;
    } else if (strcmp(survey, "nps") == 0) {
        s->n_promoter += score >= 9;
        s->n_detractor += score <= 6;
    }
}

void cxm_survey_stat_add_n(struct cxm_survey_stat *s, const char *survey,
                           int score, int lo, int hi, int64_t count)
{
    struct cxm_survey_stat one = {0};

    cxm_survey_stat_add(&one, survey, score, lo, hi);
    /* Integer-valued sums: exact in a double up to 2^53, so the same as
     * `count` single adds. */
    s->n += count;
    s->n_top += one.n_top * count;
    s->n_promoter += one.n_promoter * count;
    s->n_detractor += one.n_detractor * count;
    s->sum += one.sum * (double)count;
    s->sum_sq += one.sum_sq * (double)count;
}

void cxm_survey_stat_merge(struct cxm_survey_stat *dst,
                           const struct cxm_survey_stat *src)
{
    dst->n += src->n;
    dst->n_top += src->n_top;
    dst->n_promoter += src->n_promoter;
    dst->n_detractor += src->n_detractor;
    dst->sum += src->sum;
    dst->sum_sq += src->sum_sq;
}

static void figure_null(struct cxm_figure *f)
{
    memset(f, 0, sizeof(*f));
    f->is_null = true;
}

void cxm_wilson(int64_t k, int64_t n, double *lo, double *hi)
{
    /* Wilson, not Wald: Wald collapses at p = 0 or 1 and small n. */
    double p, z2, denom, centre, half;

    if (n <= 0) {
        *lo = 0;
        *hi = 1;
        return;
    }
    p = (double)k / (double)n;
    z2 = Z975 * Z975;
    denom = 1 + z2 / (double)n;
    centre = (p + z2 / (2.0 * (double)n)) / denom;
    half = Z975 *
           sqrt(p * (1 - p) / (double)n + z2 / (4.0 * (double)n * (double)n)) /
           denom;
    *lo = fmax(0.0, centre - half);
    *hi = fmin(1.0, centre + half);
}

void cxm_figure_proportion(int64_t k, int64_t n, struct cxm_figure *out)
{
    figure_null(out);
    if (n <= 0)
        return;
    out->is_null = false;
    out->value = 100.0 * (double)k / (double)n;
    out->n = n;
    out->has_ci = true;
    cxm_wilson(k, n, &out->lo, &out->hi);
    out->lo *= 100.0;
    out->hi *= 100.0;
    out->has_low_n = true;
    out->low_n = n < CXM_LOW_N;
}

void cxm_figure_nps(const struct cxm_survey_stat *s, struct cxm_figure *out)
{
    double n, p, d, sd, moe;

    figure_null(out);
    if (s->n <= 0)
        return;
    n = (double)s->n;
    p = (double)s->n_promoter / n;
    d = (double)s->n_detractor / n;
    /* SPEC §2: sd = sqrt(p + d − (p − d)²), moe = 1.96·sd/sqrt(n). */
    sd = sqrt(fmax(0.0, p + d - (p - d) * (p - d)));
    moe = Z975 * sd / sqrt(n);
    out->is_null = false;
    out->value = 100.0 * (p - d);
    out->n = s->n;
    out->has_ci = true;
    out->lo = 100.0 * fmax(-1.0, p - d - moe);
    out->hi = 100.0 * fmin(1.0, p - d + moe);
    out->has_low_n = true;
    out->low_n = s->n < CXM_LOW_N;
}

double cxm_t975(double df)
{
    if (df <= 0)
        return NAN;
    return gsl_cdf_tdist_Pinv(0.975, df);
}

void cxm_figure_mean(int64_t n, double sum, double sum_sq,
                     struct cxm_figure *out)
{
    double mean, var, half;

    figure_null(out);
    if (n <= 0)
        return;
    mean = sum / (double)n;
    out->is_null = false;
    out->value = mean;
    out->n = n;
    out->has_low_n = true;
    out->low_n = n < CXM_LOW_N;
    if (n < 2)
        return; /* no interval from one value */
    /* Sample variance from the moments; clamp rounding below zero. */
    var = (sum_sq - sum * mean) / (double)(n - 1);
    if (var < 0)
        var = 0;
    half = cxm_t975((double)(n - 1)) * sqrt(var / (double)n);
    out->has_ci = true;
    out->lo = mean - half;
    out->hi = mean + half;
}

double cxm_quantile_sorted(const double *sorted, size_t n, double q)
{
    double pos, frac;
    size_t i;

    CXM_ASSERT(n > 0);
    if (q <= 0)
        return sorted[0];
    if (q >= 1)
        return sorted[n - 1];
    pos = q * (double)(n - 1);
    i = (size_t)pos;
    frac = pos - (double)i;
    if (i + 1 >= n)
        return sorted[n - 1];
    return sorted[i] + frac * (sorted[i + 1] - sorted[i]);
}
