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

#include "figure.h"

#define Z975 1.959963984540054

void cxm_survey_stat_add(struct cxm_survey_stat *s, const char *survey,
                         int score, int lo, int hi)
{
    cxm_survey_stat_add_n(s, survey, score, lo, hi, 1);
}

/* The histogram of scale [lo, hi] in s, made if there is room; NULL for
 * a scale too wide or when every slot is taken. */
static struct cxm_survey_scale *scale_of(struct cxm_survey_stat *s, int lo,
                                         int hi)
{
    struct cxm_survey_scale *sc;

    if (hi < lo || hi - lo >= CXM_SURVEY_MAX_BINS)
        return NULL;
    for (int i = 0; i < s->n_scales; i++) {
        if (s->scales[i].lo == lo && s->scales[i].hi == hi)
            return &s->scales[i];
    }
    if (s->n_scales >= CXM_SURVEY_MAX_SCALES)
        return NULL;
    sc = &s->scales[s->n_scales++];
    memset(sc, 0, sizeof(*sc));
    sc->lo = lo;
    sc->hi = hi;
    return sc;
}

void cxm_survey_stat_add_n(struct cxm_survey_stat *s, const char *survey,
                           int score, int lo, int hi, int64_t count)
{
    struct cxm_survey_scale *sc;
    double c = (double)count;

    if (count <= 0)
        return;
    if (s->n == 0 || lo < s->lo)
        s->lo = lo;
    if (s->n == 0 || hi > s->hi)
        s->hi = hi;
    s->n += count;
    s->sum += c * score;
    s->sum_sq += c * ((double)score * score);
    if (strcmp(survey, "csat") == 0) {
        /* SPEC §2: the top two points of the scale (4–5 on 1–5); on a
         * scale of fewer than five points, the top point alone. */
        int top = hi - lo + 1 >= 5 ? hi - 1 : hi;
        s->n_top += score >= top ? count : 0;
    } else if (strcmp(survey, "ces") == 0) {
        /* Agree: above the midpoint (5–7 on 1–7, 4–5 on 1–5). */
        s->n_top += 2 * score > lo + hi ? count : 0;
    } else if (strcmp(survey, "nps") == 0) {
        s->n_promoter += score >= 9 ? count : 0;
        s->n_detractor += score <= 6 ? count : 0;
    }
    sc = scale_of(s, lo, hi);
    if (sc && score >= lo && score <= hi)
        sc->count[score - lo] += count;
}

void cxm_survey_stat_merge(struct cxm_survey_stat *dst,
                           const struct cxm_survey_stat *src)
{
    if (src->n > 0) {
        if (dst->n == 0 || src->lo < dst->lo)
            dst->lo = src->lo;
        if (dst->n == 0 || src->hi > dst->hi)
            dst->hi = src->hi;
    }
    dst->n += src->n;
    dst->n_top += src->n_top;
    dst->n_promoter += src->n_promoter;
    dst->n_detractor += src->n_detractor;
    dst->sum += src->sum;
    dst->sum_sq += src->sum_sq;
    for (int i = 0; i < src->n_scales; i++) {
        const struct cxm_survey_scale *a = &src->scales[i];
        struct cxm_survey_scale *b = scale_of(dst, a->lo, a->hi);
        if (!b)
            continue; /* no room: unbinned, in the scalars only */
        for (int k = 0; k <= a->hi - a->lo; k++)
            b->count[k] += a->count[k];
    }
}

bool cxm_points_match(const struct cxm_points *p, int score, int lo, int hi)
{
    int top;

    switch (p->rule) {
    case CXM_POINTS_TOP:
        top = p->top;
        if (p->spec_top2 && hi - lo + 1 < 5)
            top = 1;
        return score > hi - top;
    case CXM_POINTS_ABOVE_MID:
        return 2 * score > lo + hi;
    case CXM_POINTS_LIST:
        for (int i = 0; i < p->n_list; i++) {
            if (p->list[i] == score)
                return true;
        }
        return false;
    }
    return false;
}

int64_t cxm_survey_stat_count(const struct cxm_survey_stat *s,
                              const struct cxm_points *p,
                              const struct cxm_points *kind_default)
{
    int64_t k = s->n_top;

    /* Histogrammed answers move from the default's count to p's; the
     * unbinned rest stays as n_top counted it. */
    for (int i = 0; i < s->n_scales; i++) {
        const struct cxm_survey_scale *sc = &s->scales[i];
        for (int b = 0; b <= sc->hi - sc->lo; b++) {
            int score = sc->lo + b;
            if (!sc->count[b])
                continue;
            k -= cxm_points_match(kind_default, score, sc->lo, sc->hi)
                     ? sc->count[b]
                     : 0;
            k += cxm_points_match(p, score, sc->lo, sc->hi) ? sc->count[b]
                                                            : 0;
        }
    }
    return k;
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

void cxm__figure_proportion(int64_t k, int64_t n, struct cxm_figure *out)
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

void cxm__figure_nps(const struct cxm_survey_stat *s, struct cxm_figure *out)
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

void cxm__figure_mean(int64_t n, double sum, double sum_sq,
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

/* The size of struct cxm_figure as first published: its fields up to
 * `currencies`. */
#define FIGURE_V1_SIZE                                                     \
    (offsetof(struct cxm_figure, currencies) + sizeof(const void *))

cxm_rc cxm__figure_copy(struct cxm_figure *out, const struct cxm_figure *f)
{
    size_t size, n;

    if (!out || out->size < FIGURE_V1_SIZE)
        return CXM_EINVAL;
    size = out->size;
    n = size < sizeof(*f) ? size : sizeof(*f);
    memcpy(out, f, n);
    if (size > n)
        memset((char *)out + n, 0, size - n);
    out->size = size;
    return CXM_OK;
}

void cxm_figure_proportion(int64_t k, int64_t n, struct cxm_figure *out)
{
    struct cxm_figure f;

    cxm__figure_proportion(k, n, &f);
    if (cxm__figure_copy(out, &f) != CXM_OK)
        return; /* a too small out is left as it is */
}

void cxm_figure_nps(const struct cxm_survey_stat *s, struct cxm_figure *out)
{
    struct cxm_figure f;

    cxm__figure_nps(s, &f);
    if (cxm__figure_copy(out, &f) != CXM_OK)
        return; /* a too small out is left as it is */
}

void cxm_figure_mean(int64_t n, double sum, double sum_sq,
                     struct cxm_figure *out)
{
    struct cxm_figure f;

    cxm__figure_mean(n, sum, sum_sq, &f);
    if (cxm__figure_copy(out, &f) != CXM_OK)
        return; /* a too small out is left as it is */
}
