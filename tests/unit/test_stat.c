/* SPDX-License-Identifier: MIT
 *
 * test_stat.c — unit tests of src/stats/stat.c at the function level: the golden
 * cases of SPEC §3 through cxm_survey_stat_add() and the figure functions,
 * the intervals of SPEC §2 (Wilson, the NPS normal interval, Student t)
 * against numbers worked out by hand in the comments, and percentile_cont
 * quantiles with PostgreSQL's semantics.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

/* Per-test state: one statistic and one figure. */
struct fx {
    struct cxm_survey_stat st;
    struct cxm_figure fig;
};

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof(*fx));

    if (!fx)
        return -1;
    fx->fig.size = sizeof(fx->fig);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

/* |got - want| <= eps, in double precision (cmocka's float check is
 * single precision). */
#define assert_near(got, want, eps)                                        \
    do {                                                                   \
        double g_ = (got), w_ = (want);                                    \
        if (!(fabs(g_ - w_) <= (eps)))                                     \
            fail_msg("%s = %.10g, want %.10g (+-%g)", #got, g_, w_,        \
                     (double)(eps));                                       \
    } while (0)

/* Adds `count` answers of `score` to the statistic. */
static void add(struct fx *fx, const char *survey, int score, int count,
                int lo, int hi)
{
    for (int i = 0; i < count; i++)
        cxm_survey_stat_add(&fx->st, survey, score, lo, hi);
}

static void test_stat__csat_golden_72(void **state)
{
    struct fx *fx = *state;

    /* SPEC §3, seed 002: 43 x 4, 29 x 5, 28 x 1-3 on 1-5. */
    add(fx, "csat", 4, 43, 1, 5);
    add(fx, "csat", 5, 29, 1, 5);
    add(fx, "csat", 1, 10, 1, 5);
    add(fx, "csat", 2, 9, 1, 5);
    add(fx, "csat", 3, 9, 1, 5);
    assert_int_equal(fx->st.n, 100);
    assert_int_equal(fx->st.n_top, 72);
    cxm_figure_proportion(fx->st.n_top, fx->st.n, &fx->fig);
    assert_false(fx->fig.is_null);
    assert_near(fx->fig.value, 72.0, 1e-12);
    assert_int_equal(fx->fig.n, 100);
    assert_true(fx->fig.has_ci);
    assert_true(fx->fig.has_low_n);
    assert_false(fx->fig.low_n);
    /* The Wilson interval, as in test_stat__wilson_72_of_100. */
    assert_near(fx->fig.lo, 62.5119712901, 1e-8);
    assert_near(fx->fig.hi, 79.8603147888, 1e-8);
}

static void test_stat__csat_peer_vector_50(void **state)
{
    struct fx *fx = *state;

    /* SPEC §3: 54 answers, 12 x 4, 15 x 5, 27 x 1-3. */
    add(fx, "csat", 4, 12, 1, 5);
    add(fx, "csat", 5, 15, 1, 5);
    add(fx, "csat", 3, 9, 1, 5);
    add(fx, "csat", 2, 9, 1, 5);
    add(fx, "csat", 1, 9, 1, 5);
    cxm_figure_proportion(fx->st.n_top, fx->st.n, &fx->fig);
    assert_int_equal(fx->fig.n, 54);
    assert_near(fx->fig.value, 50.0, 1e-12);
    /* Wilson for 27/54: centre 0.5, half-width
     * 1.959964 * sqrt(0.25/54 + 3.841459/11664) / (1 + 3.841459/54)
     * = 1.959964 * 0.070420 / 1.071138 = 0.128854. */
    assert_near(fx->fig.lo, 37.1145830402, 1e-8);
    assert_near(fx->fig.hi, 62.8854169598, 1e-8);
}

static void test_stat__csat_top_two_of_any_scale(void **state)
{
    struct fx *fx = *state;

    /* 1-10: 9 and 10 are the top two points; 8 is not. */
    add(fx, "csat", 10, 1, 1, 10);
    add(fx, "csat", 9, 1, 1, 10);
    add(fx, "csat", 8, 1, 1, 10);
    assert_int_equal(fx->st.n_top, 2);
    /* Below five points (1-3) the top point alone. */
    memset(&fx->st, 0, sizeof(fx->st));
    add(fx, "csat", 3, 1, 1, 3);
    add(fx, "csat", 2, 1, 1, 3);
    assert_int_equal(fx->st.n_top, 1);
}

static void test_stat__nps_golden_60(void **state)
{
    struct fx *fx = *state;

    /* SPEC §3: 70 x 9-10, 20 x 7-8, 10 x 0-6. */
    add(fx, "nps", 10, 35, 0, 10);
    add(fx, "nps", 9, 35, 0, 10);
    add(fx, "nps", 8, 10, 0, 10);
    add(fx, "nps", 7, 10, 0, 10);
    add(fx, "nps", 6, 5, 0, 10);
    add(fx, "nps", 0, 5, 0, 10);
    assert_int_equal(fx->st.n_promoter, 70);
    assert_int_equal(fx->st.n_detractor, 10);
    cxm_figure_nps(&fx->st, &fx->fig);
    assert_near(fx->fig.value, 60.0, 1e-12);
    assert_int_equal(fx->fig.n, 100);
    assert_false(fx->fig.low_n);
    /* SPEC §2: p = 0.7, d = 0.1, sd = sqrt(0.7 + 0.1 - 0.6^2) =
     * sqrt(0.44) = 0.663325, moe = 1.959964 * 0.663325 / 10 = 0.130009:
     * [46.9991, 73.0009], the 47.0 .. 73.0 of SPEC §4's example. */
    assert_near(fx->fig.lo, 46.999069721, 1e-6);
    assert_near(fx->fig.hi, 73.000930279, 1e-6);
}

static void test_stat__nps_bounds(void **state)
{
    struct fx *fx = *state;

    add(fx, "nps", 9, 20, 0, 10);
    add(fx, "nps", 10, 20, 0, 10);
    cxm_figure_nps(&fx->st, &fx->fig);
    assert_near(fx->fig.value, 100.0, 1e-12);
    /* sd = sqrt(1 + 0 - 1) = 0: the interval is the point. */
    assert_near(fx->fig.lo, 100.0, 1e-9);
    assert_near(fx->fig.hi, 100.0, 1e-9);

    memset(&fx->st, 0, sizeof(fx->st));
    for (int s = 0; s <= 6; s++)
        add(fx, "nps", s, 5, 0, 10);
    cxm_figure_nps(&fx->st, &fx->fig);
    assert_near(fx->fig.value, -100.0, 1e-12);
    assert_near(fx->fig.lo, -100.0, 1e-9);
    assert_near(fx->fig.hi, -100.0, 1e-9);
}

static void test_stat__nps_peer_vector(void **state)
{
    static const int counts[11] = {1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 3};
    struct fx *fx = *state;

    /* SPEC §3: n = 17, 7 detractors, 6 promoters: 100 * -1/17. */
    for (int s = 0; s <= 10; s++)
        add(fx, "nps", s, counts[s], 0, 10);
    cxm_figure_nps(&fx->st, &fx->fig);
    assert_int_equal(fx->fig.n, 17);
    assert_int_equal(fx->st.n_detractor, 7);
    assert_int_equal(fx->st.n_promoter, 6);
    assert_near(fx->fig.value, -5.88, 0.005);
    assert_near(fx->fig.value, -100.0 / 17.0, 1e-12);
    assert_true(fx->fig.low_n);
    /* p = 6/17, d = 7/17: sd = sqrt(13/17 - 1/289) = 0.872494,
     * moe = 1.959964 * 0.872494 / sqrt(17) = 0.414750. */
    assert_near(fx->fig.lo, -47.357319962, 1e-6);
    assert_near(fx->fig.hi, 35.592614080, 1e-6);
}

static void test_stat__ces_golden_on_1_to_5(void **state)
{
    struct fx *fx = *state;

    /* SPEC §3, seed 001: 5, 4, 4, 3 with scale 1-5. */
    add(fx, "ces", 5, 1, 1, 5);
    add(fx, "ces", 4, 2, 1, 5);
    add(fx, "ces", 3, 1, 1, 5);
    cxm_figure_mean(fx->st.n, fx->st.sum, fx->st.sum_sq, &fx->fig);
    assert_near(fx->fig.value, 4.0, 1e-12);
    assert_true(fx->fig.low_n);
    /* s^2 = (66 - 16 * 4) / 3 = 2/3, se = sqrt(2/3 / 4) = 0.408248,
     * t975(3) = 3.182446: half-width 1.299228. */
    assert_true(fx->fig.has_ci);
    assert_near(fx->fig.lo, 4.0 - 1.2992282636, 1e-8);
    assert_near(fx->fig.hi, 4.0 + 1.2992282636, 1e-8);
    /* Agree on 1-5 is 4-5: three of four. */
    cxm_figure_proportion(fx->st.n_top, fx->st.n, &fx->fig);
    assert_near(fx->fig.value, 75.0, 1e-12);
}

static void test_stat__ces_agree_on_1_to_7(void **state)
{
    struct fx *fx = *state;

    for (int s = 1; s <= 7; s++)
        add(fx, "ces", s, 1, 1, 7);
    /* 5, 6 and 7 agree; the midpoint 4 does not. */
    assert_int_equal(fx->st.n_top, 3);
}

static void test_stat__other_surveys_count_only_n_and_moments(void **state)
{
    struct fx *fx = *state;

    add(fx, "effort2", 9, 3, 0, 10);
    assert_int_equal(fx->st.n, 3);
    assert_int_equal(fx->st.n_top, 0);
    assert_int_equal(fx->st.n_promoter, 0);
    assert_near(fx->st.sum, 27, 0);
    assert_near(fx->st.sum_sq, 243, 0);
}

static void test_stat__merge_is_addition(void **state)
{
    struct fx *fx = *state;
    struct cxm_survey_stat a, b;

    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    for (int s = 0; s <= 10; s++) {
        cxm_survey_stat_add(s % 2 ? &a : &b, "nps", s, 0, 10);
        cxm_survey_stat_add(&fx->st, "nps", s, 0, 10);
    }
    cxm_survey_stat_merge(&a, &b);
    assert_int_equal(a.n, fx->st.n);
    assert_int_equal(a.n_promoter, fx->st.n_promoter);
    assert_int_equal(a.n_detractor, fx->st.n_detractor);
    assert_near(a.sum, fx->st.sum, 0);
    assert_near(a.sum_sq, fx->st.sum_sq, 0);
}

static void test_stat__wilson_72_of_100(void **state)
{
    double lo, hi;

    (void)state;
    /* z = 1.959964, z^2 = 3.841459, p = 0.72, n = 100:
     *   denominator 1 + z^2/n                     = 1.0384146
     *   centre (p + z^2/2n) / 1.0384146
     *        = 0.7392073 / 1.0384146               = 0.7118614
     *   half z * sqrt(p(1-p)/n + z^2/4n^2) / 1.0384146
     *        = 1.959964 * sqrt(0.0021120) / 1.0384146
     *        = 1.959964 * 0.0459569 / 1.0384146    = 0.0867417
     * so [0.6251197, 0.7986031]: 62.5 .. 79.9 as in SPEC §4. */
    cxm_wilson(72, 100, &lo, &hi);
    assert_near(lo, 0.6251197129, 1e-9);
    assert_near(hi, 0.7986031479, 1e-9);
}

static void test_stat__wilson_interval_at_zero_successes(void **state)
{
    double lo, hi;

    (void)state;
    /* k = 0: centre = half = (z^2/2n)/(1 + z^2/n), so lo is 0 (up to
     * rounding; never below) and
     * hi = (z^2/n)/(1 + z^2/n) = 0.3841459/1.3841459 = 0.2775328. */
    cxm_wilson(0, 10, &lo, &hi);
    assert_near(lo, 0.0, 1e-12);
    assert_true(lo >= 0.0);
    assert_near(hi, 0.2775327999, 1e-9);
    cxm_wilson(0, 1, &lo, &hi);
    assert_near(lo, 0.0, 1e-12);
    assert_true(lo >= 0.0);
    assert_near(hi, 0.7934506856, 1e-9);
}

static void test_stat__wilson_interval_at_all_successes(void **state)
{
    double lo, hi;

    (void)state;
    /* k = n mirrors k = 0: [1 - 0.2775328, 1]. */
    cxm_wilson(10, 10, &lo, &hi);
    assert_near(lo, 0.7224672001, 1e-9);
    assert_near(hi, 1.0, 1e-12);
    assert_true(hi <= 1.0);
    cxm_wilson(1, 1, &lo, &hi);
    assert_near(lo, 0.2065493144, 1e-9);
    assert_near(hi, 1.0, 1e-12);
    assert_true(hi <= 1.0);
}

static void test_stat__wilson_without_answers(void **state)
{
    double lo = -1, hi = -1;

    (void)state;
    cxm_wilson(0, 0, &lo, &hi);
    assert_near(lo, 0.0, 0);
    assert_near(hi, 1.0, 0);
}

static void test_stat__proportion_without_answers_is_null(void **state)
{
    struct fx *fx = *state;

    fx->fig.value = 42;
    cxm_figure_proportion(0, 0, &fx->fig);
    assert_true(fx->fig.is_null);
    assert_int_equal(fx->fig.n, 0);
    cxm_figure_nps(&fx->st, &fx->fig);
    assert_true(fx->fig.is_null);
    cxm_figure_mean(0, 0, 0, &fx->fig);
    assert_true(fx->fig.is_null);
}

static void test_stat__low_n_below_30(void **state)
{
    struct fx *fx = *state;

    cxm_figure_proportion(10, 29, &fx->fig);
    assert_true(fx->fig.low_n);
    cxm_figure_proportion(10, 30, &fx->fig);
    assert_false(fx->fig.low_n);
    cxm_figure_mean(29, 29, 29, &fx->fig);
    assert_true(fx->fig.has_low_n);
    assert_true(fx->fig.low_n);
}

static void test_stat__t975(void **state)
{
    (void)state;
    /* Student t quantiles from tables. */
    assert_near(cxm_t975(9), 2.262157, 1e-6);
    assert_near(cxm_t975(1), 12.706205, 1e-6);
    assert_near(cxm_t975(3), 3.182446, 1e-6);
    assert_near(cxm_t975(29), 2.045230, 1e-6);
    /* Towards the normal 1.959964 as df grows. */
    assert_near(cxm_t975(1e7), 1.959964, 1e-6);
    assert_true(isnan(cxm_t975(0)));
}

static void test_stat__t_interval_for_a_mean(void **state)
{
    struct fx *fx = *state;
    double sum = 0, sum_sq = 0;

    /* 1..10: mean 5.5, s^2 = 82.5/9 = 9.1667, se = sqrt(9.1667/10) =
     * 0.957427, t975(9) = 2.262157: half-width 2.165851. */
    for (int x = 1; x <= 10; x++) {
        sum += x;
        sum_sq += x * x;
    }
    cxm_figure_mean(10, sum, sum_sq, &fx->fig);
    assert_near(fx->fig.value, 5.5, 1e-12);
    assert_true(fx->fig.has_ci);
    assert_near(fx->fig.lo, 3.3341494, 1e-6);
    assert_near(fx->fig.hi, 7.6658506, 1e-6);
}

static void test_stat__mean_of_one_value_has_no_interval(void **state)
{
    struct fx *fx = *state;

    cxm_figure_mean(1, 4, 16, &fx->fig);
    assert_false(fx->fig.is_null);
    assert_near(fx->fig.value, 4.0, 0);
    assert_false(fx->fig.has_ci);
}

static void test_stat__mean_of_equal_values_has_zero_width(void **state)
{
    struct fx *fx = *state;

    /* Rounding may make sum_sq - sum * mean slightly negative. */
    cxm_figure_mean(3, 0.3, 0.03, &fx->fig);
    assert_true(fx->fig.has_ci);
    assert_false(isnan(fx->fig.lo));
    assert_near(fx->fig.lo, 0.1, 1e-7);
    assert_near(fx->fig.hi, 0.1, 1e-7);
}

static void test_stat__quantiles_like_percentile_cont(void **state)
{
    static const double four[] = {1, 2, 3, 4};
    static const double two[] = {1, 10};
    static const double one[] = {7};
    static const double art[] = {600, 1800, 3600, 3600, 7200, 14400};

    (void)state;
    /* PostgreSQL: percentile_cont(q) interpolates between the values at
     * floor and ceil of q * (n - 1) (0-based). */
    assert_near(cxm_quantile_sorted(four, 4, 0.5), 2.5, 1e-12);
    assert_near(cxm_quantile_sorted(four, 4, 0.9), 3.7, 1e-12);
    assert_near(cxm_quantile_sorted(four, 4, 0.25), 1.75, 1e-12);
    assert_near(cxm_quantile_sorted(four, 4, 0), 1, 0);
    assert_near(cxm_quantile_sorted(four, 4, 1), 4, 0);
    assert_near(cxm_quantile_sorted(two, 2, 0.9), 9.1, 1e-12);
    assert_near(cxm_quantile_sorted(one, 1, 0.5), 7, 0);
    assert_near(cxm_quantile_sorted(one, 1, 0.9), 7, 0);
    /* Six durations: median between 3600 and 3600; p90 at 4.5, between
     * 7200 and 14400. */
    assert_near(cxm_quantile_sorted(art, 6, 0.5), 3600, 1e-9);
    assert_near(cxm_quantile_sorted(art, 6, 0.9), 10800, 1e-9);
    /* Out-of-range q clamps to the ends. */
    assert_near(cxm_quantile_sorted(four, 4, -0.5), 1, 0);
    assert_near(cxm_quantile_sorted(four, 4, 1.5), 4, 0);
}

static void test_stat__metric_names(void **state)
{
    cxm_metric m;

    (void)state;
    assert_int_equal(cxm_metric_parse("csat", &m), CXM_OK);
    assert_int_equal(m, CXM_METRIC_CSAT);
    assert_int_equal(cxm_metric_parse("NPS", &m), CXM_OK);
    assert_int_equal(m, CXM_METRIC_NPS);
    assert_int_equal(cxm_metric_parse("ces_agree", &m), CXM_OK);
    assert_int_equal(m, CXM_METRIC_CES_AGREE);
    assert_int_equal(cxm_metric_parse("csa", &m), CXM_ENOTFOUND);
    assert_int_equal(cxm_metric_parse("", &m), CXM_ENOTFOUND);
    assert_string_equal(cxm_metric_name(CXM_METRIC_QA_SCORE), "qa_score");
    assert_string_equal(cxm_metric_name(CXM_METRIC_COUNT), "");
    for (int i = 0; i < CXM_METRIC_COUNT; i++) {
        assert_int_equal(cxm_metric_parse(cxm_metric_name((cxm_metric)i),
                                          &m),
                         CXM_OK);
        assert_int_equal(m, i);
    }
}

/* The lists of `report --metrics` and `--by`, parsed by the library for
 * every caller (the CLI, the HTTP API). */
static void test_stat__name_lists(void **state)
{
    cxm_metric m[CXM_METRIC_COUNT];
    cxm_dim d[CXM_REPORT_MAX_BY];
    struct cxm_list_error e;
    size_t n = 99;

    (void)state;
    assert_int_equal(cxm_metric_parse_list("", m, 4, &n, &e), CXM_OK);
    assert_int_equal(n, 0);
    assert_int_equal(cxm_metric_parse_list("csat,NPS,art,", m, 4, &n, &e),
                     CXM_OK);
    assert_int_equal(n, 3);
    assert_int_equal(m[0], CXM_METRIC_CSAT);
    assert_int_equal(m[1], CXM_METRIC_NPS);
    assert_int_equal(m[2], CXM_METRIC_ART);
    assert_int_equal(e.fault, CXM_LIST_OK);

    assert_int_equal(cxm_metric_parse_list("csat,,nps", m, 4, &n, &e),
                     CXM_EINPUT);
    assert_int_equal(e.fault, CXM_LIST_EMPTY);
    assert_int_equal(e.at, 5);
    assert_int_equal(n, 0);
    assert_int_equal(cxm_metric_parse_list(",csat", m, 4, &n, &e),
                     CXM_EINPUT);
    assert_int_equal(e.fault, CXM_LIST_EMPTY);
    assert_int_equal(e.at, 0);
    assert_int_equal(cxm_metric_parse_list("csat,csa", m, 4, &n, &e),
                     CXM_ENOTFOUND);
    assert_int_equal(e.fault, CXM_LIST_UNKNOWN);
    assert_int_equal(e.at, 5);
    assert_int_equal(e.len, 3);
    assert_int_equal(cxm_metric_parse_list("nps,csat,NPS", m, 4, &n, &e),
                     CXM_EINPUT);
    assert_int_equal(e.fault, CXM_LIST_TWICE);
    assert_int_equal(e.at, 9);
    assert_int_equal(e.len, 3);
    assert_int_equal(cxm_metric_parse_list("nps,csat,fcr", m, 2, &n, &e),
                     CXM_ETOOBIG);
    assert_int_equal(e.fault, CXM_LIST_FULL);
    assert_int_equal(e.at, 9);
    assert_int_equal(cxm_metric_parse_list("nps", m, 0, &n, NULL),
                     CXM_ETOOBIG);

    assert_int_equal(cxm_dim_parse_list("Month,channel", d,
                                        CXM_REPORT_MAX_BY, &n, &e),
                     CXM_OK);
    assert_int_equal(n, 2);
    assert_int_equal(d[0], CXM_BY_MONTH);
    assert_int_equal(d[1], CXM_BY_CHANNEL);
    assert_int_equal(cxm_dim_parse_list("day,week,month,quarter,year,agent,"
                                        "team",
                                        d, CXM_REPORT_MAX_BY, &n, &e),
                     CXM_ETOOBIG);
    assert_int_equal(e.fault, CXM_LIST_FULL);
    assert_int_equal(cxm_dim_parse_list("team,teams", d, CXM_REPORT_MAX_BY,
                                        &n, &e),
                     CXM_ENOTFOUND);
    assert_int_equal(e.fault, CXM_LIST_UNKNOWN);
    assert_int_equal(e.at, 5);
    assert_int_equal(e.len, 5);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_stat__csat_golden_72),
        T(test_stat__csat_peer_vector_50),
        T(test_stat__csat_top_two_of_any_scale),
        T(test_stat__nps_golden_60),
        T(test_stat__nps_bounds),
        T(test_stat__nps_peer_vector),
        T(test_stat__ces_golden_on_1_to_5),
        T(test_stat__ces_agree_on_1_to_7),
        T(test_stat__other_surveys_count_only_n_and_moments),
        T(test_stat__merge_is_addition),
        T(test_stat__wilson_72_of_100),
        T(test_stat__wilson_interval_at_zero_successes),
        T(test_stat__wilson_interval_at_all_successes),
        T(test_stat__wilson_without_answers),
        T(test_stat__proportion_without_answers_is_null),
        T(test_stat__low_n_below_30),
        T(test_stat__t975),
        T(test_stat__t_interval_for_a_mean),
        T(test_stat__mean_of_one_value_has_no_interval),
        T(test_stat__mean_of_equal_values_has_zero_width),
        T(test_stat__quantiles_like_percentile_cont),
        T(test_stat__metric_names),
        T(test_stat__name_lists),
    };

    return cmocka_run_group_tests_name("stat", tests, NULL, NULL);
}
