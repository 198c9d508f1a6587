/* SPDX-License-Identifier: MIT
 *
 * test_period.c — unit tests of src/time/period.c, the UTC calendar buckets of
 * SPEC §4: where a day, ISO week, month, quarter and year bucket starts,
 * the bucket after it, and its label; ISO weeks at year boundaries (2026
 * has a W53; 2024-12-30 is 2025-W01); times before 1970. Besides fixed
 * cases, every day from 1899 to 2031 is checked against a calendar walked
 * day by day in this file, with its own ISO week rule.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "civil.h"
#include "period.h"

#define DAY_MS CXM__MS_PER_DAY
#define HOUR_MS INT64_C(3600000)

/* Per-test state: a label buffer. */
struct fx {
    char label[32];
};

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof(*fx));

    if (!fx)
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

/* Day numbers since 1970-01-01, computed outside cxmeter. */
#define D_2024_12_29 INT64_C(20086)
#define D_2024_12_30 INT64_C(20087)
#define D_2026_02_28 INT64_C(20512)
#define D_2026_03_01 INT64_C(20513)
#define D_2026_12_28 INT64_C(20815)
#define D_2026_12_31 INT64_C(20818)
#define D_2027_01_03 INT64_C(20821)
#define D_2027_01_04 INT64_C(20822)

/* Checks the bucket of `ms`: its start, the next start and the label. */
static void check_bucket(struct fx *fx, cxm_dim d, int64_t ms, int64_t start,
                         int64_t next, const char *label)
{
    size_t n;

    assert_int_equal(cxm__bucket_start(d, ms), start);
    assert_int_equal(cxm__bucket_next(d, start), next);
    n = cxm__bucket_label(d, ms, fx->label, sizeof(fx->label));
    assert_string_equal(fx->label, label);
    assert_int_equal(n, strlen(label));
    /* The bucket's first and last milliseconds carry the same label. */
    cxm__bucket_label(d, start, fx->label, sizeof(fx->label));
    assert_string_equal(fx->label, label);
    cxm__bucket_label(d, next - 1, fx->label, sizeof(fx->label));
    assert_string_equal(fx->label, label);
    assert_int_equal(cxm__bucket_start(d, next - 1), start);
    assert_int_equal(cxm__bucket_start(d, next), next);
}

static void test_period__dim_is_time(void **state)
{
    (void)state;
    assert_true(cxm__dim_is_time(CXM_BY_DAY));
    assert_true(cxm__dim_is_time(CXM_BY_WEEK));
    assert_true(cxm__dim_is_time(CXM_BY_MONTH));
    assert_true(cxm__dim_is_time(CXM_BY_QUARTER));
    assert_true(cxm__dim_is_time(CXM_BY_YEAR));
    assert_false(cxm__dim_is_time(CXM_BY_AGENT));
    assert_false(cxm__dim_is_time(CXM_BY_CHANNEL));
    assert_false(cxm__dim_is_time(CXM_BY_SURVEY));
}

static void test_period__day(void **state)
{
    struct fx *fx = *state;
    int64_t start = D_2026_03_01 * DAY_MS;

    check_bucket(fx, CXM_BY_DAY, start + 9 * HOUR_MS + 1800000, start,
                 start + DAY_MS, "2026-03-01");
    check_bucket(fx, CXM_BY_DAY, start - 1, start - DAY_MS, start,
                 "2026-02-28");
}

static void test_period__week_starts_on_monday(void **state)
{
    struct fx *fx = *state;
    /* 2026-03-01 is a Sunday: its week is Mon 2026-02-23 .. Sun 03-01. */
    int64_t mon = (D_2026_03_01 - 6) * DAY_MS;

    check_bucket(fx, CXM_BY_WEEK, D_2026_03_01 * DAY_MS + 23 * HOUR_MS, mon,
                 mon + 7 * DAY_MS, "2026-W09");
    check_bucket(fx, CXM_BY_WEEK, D_2026_02_28 * DAY_MS, mon,
                 mon + 7 * DAY_MS, "2026-W09");
}

static void test_period__week_53_then_week_1(void **state)
{
    struct fx *fx = *state;
    int64_t w53 = D_2026_12_28 * DAY_MS;

    /* 2026 starts on a Thursday, so it has 53 ISO weeks; W53 runs to
     * Sunday 2027-01-03 and 2027-W01 starts on Monday 2027-01-04. */
    check_bucket(fx, CXM_BY_WEEK, D_2026_12_31 * DAY_MS, w53,
                 D_2027_01_04 * DAY_MS, "2026-W53");
    check_bucket(fx, CXM_BY_WEEK, D_2027_01_03 * DAY_MS + 12 * HOUR_MS, w53,
                 D_2027_01_04 * DAY_MS, "2026-W53");
    check_bucket(fx, CXM_BY_WEEK, D_2027_01_04 * DAY_MS,
                 D_2027_01_04 * DAY_MS, (D_2027_01_04 + 7) * DAY_MS,
                 "2027-W01");
}

static void test_period__week_1_starting_in_december(void **state)
{
    struct fx *fx = *state;
    int64_t w1 = D_2024_12_30 * DAY_MS;

    /* Monday 2024-12-30 is already 2025-W01; Sunday 12-29 is 2024-W52. */
    check_bucket(fx, CXM_BY_WEEK, w1, w1, w1 + 7 * DAY_MS, "2025-W01");
    check_bucket(fx, CXM_BY_WEEK, D_2024_12_29 * DAY_MS, w1 - 7 * DAY_MS, w1,
                 "2024-W52");
}

static void test_period__month(void **state)
{
    struct fx *fx = *state;

    check_bucket(fx, CXM_BY_MONTH, D_2026_02_28 * DAY_MS + 5,
                 (D_2026_03_01 - 28) * DAY_MS, D_2026_03_01 * DAY_MS,
                 "2026-02");
    /* December to January. */
    check_bucket(fx, CXM_BY_MONTH, D_2026_12_31 * DAY_MS,
                 (D_2026_12_31 - 30) * DAY_MS, (D_2026_12_31 + 1) * DAY_MS,
                 "2026-12");
}

static void test_period__month_of_leap_february(void **state)
{
    struct fx *fx = *state;
    /* 2024-02-01 is day 19754; 2024-03-01 is day 19783 (29 days later). */
    int64_t feb = INT64_C(19754) * DAY_MS;

    check_bucket(fx, CXM_BY_MONTH, feb + 28 * DAY_MS, feb,
                 feb + 29 * DAY_MS, "2024-02");
}

static void test_period__quarter(void **state)
{
    struct fx *fx = *state;
    /* 2026-10-01 is day 20727; 2027-01-01 day 20819; 2026-07-01 20635. */
    int64_t q4 = INT64_C(20727) * DAY_MS, q1 = INT64_C(20819) * DAY_MS;

    check_bucket(fx, CXM_BY_QUARTER, D_2026_12_31 * DAY_MS, q4, q1,
                 "2026-Q4");
    check_bucket(fx, CXM_BY_QUARTER, q4 - 1, INT64_C(20635) * DAY_MS, q4,
                 "2026-Q3");
    check_bucket(fx, CXM_BY_QUARTER, D_2026_03_01 * DAY_MS - 1,
                 INT64_C(20454) * DAY_MS, INT64_C(20544) * DAY_MS,
                 "2026-Q1");
}

static void test_period__year(void **state)
{
    struct fx *fx = *state;
    /* 2026-01-01 is day 20454, 2027-01-01 day 20819. */
    check_bucket(fx, CXM_BY_YEAR, D_2026_03_01 * DAY_MS,
                 INT64_C(20454) * DAY_MS, INT64_C(20819) * DAY_MS, "2026");
}

static void test_period__negative_times_before_1970(void **state)
{
    struct fx *fx = *state;

    /* The last millisecond of 1969 (Wednesday 1969-12-31). */
    check_bucket(fx, CXM_BY_DAY, -1, -DAY_MS, 0, "1969-12-31");
    /* Monday 1969-12-29 starts 1970-W01 (the week of 1970's first
     * Thursday), which ends with Sunday 1970-01-04. */
    check_bucket(fx, CXM_BY_WEEK, -1, -3 * DAY_MS, 4 * DAY_MS, "1970-W01");
    check_bucket(fx, CXM_BY_MONTH, -1, -31 * DAY_MS, 0, "1969-12");
    check_bucket(fx, CXM_BY_QUARTER, -1, -92 * DAY_MS, 0, "1969-Q4");
    check_bucket(fx, CXM_BY_YEAR, -1, -365 * DAY_MS, 0, "1969");
    /* 1899-12-31 (day -25568) is a Sunday in 1899-W52. */
    check_bucket(fx, CXM_BY_WEEK, INT64_C(-25568) * DAY_MS + 1,
                 INT64_C(-25574) * DAY_MS, INT64_C(-25567) * DAY_MS,
                 "1899-W52");
    check_bucket(fx, CXM_BY_DAY, INT64_C(-25568) * DAY_MS + DAY_MS - 1,
                 INT64_C(-25568) * DAY_MS, INT64_C(-25567) * DAY_MS,
                 "1899-12-31");
}

static void test_period__label_of_other_dims_is_empty(void **state)
{
    struct fx *fx = *state;

    memset(fx->label, 'x', sizeof(fx->label));
    assert_int_equal(cxm__bucket_label(CXM_BY_AGENT, 0, fx->label,
                                       sizeof(fx->label)),
                     0);
    assert_string_equal(fx->label, "");
}

static void test_period__label_truncates_to_cap(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(cxm__bucket_label(CXM_BY_DAY, 0, fx->label, 5), 4);
    assert_string_equal(fx->label, "1970");
}

/* ---- An independent calendar, walked one day at a time. */

static bool ref_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int ref_month_len(int y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30,
                                31, 31, 30, 31, 30, 31};
    return m == 2 && ref_leap(y) ? 29 : len[m - 1];
}

/* Weekday of the last day of December of year y, 0 = Sunday (the "p"
 * function of the ISO week-count rule); positive years only. */
static int ref_p(int y)
{
    return (y + y / 4 - y / 100 + y / 400) % 7;
}

static int ref_weeks_in_year(int y)
{
    return ref_p(y) == 4 || ref_p(y - 1) == 3 ? 53 : 52;
}

/* ISO year and week of y-m-d with ISO weekday wd (1 = Monday). */
static void ref_iso_week(int y, int m, int d, int wd, int *iy, int *iw)
{
    int ordinal = d, w;

    for (int i = 1; i < m; i++)
        ordinal += ref_month_len(y, i);
    w = (ordinal - wd + 10) / 7;
    *iy = y;
    if (w < 1) {
        *iy = y - 1;
        w = ref_weeks_in_year(y - 1);
    } else if (w > ref_weeks_in_year(y)) {
        *iy = y + 1;
        w = 1;
    }
    *iw = w;
}

static void test_period__every_day_1899_to_2031(void **state)
{
    struct fx *fx = *state;
    int y = 1899, m = 12, d = 25, wd = 1; /* Monday 1899-12-25 */
    int64_t day = INT64_C(-25574);
    char want[32];

    while (y < 2031 || m < 2) {
        int64_t ms = day * DAY_MS + 13 * HOUR_MS;
        int iy, iw;

        snprintf(want, sizeof(want), "%04d-%02d-%02d", y, m, d);
        cxm__bucket_label(CXM_BY_DAY, ms, fx->label, sizeof(fx->label));
        assert_string_equal(fx->label, want);
        assert_int_equal(cxm__bucket_start(CXM_BY_DAY, ms), day * DAY_MS);

        ref_iso_week(y, m, d, wd, &iy, &iw);
        snprintf(want, sizeof(want), "%04d-W%02d", iy, iw);
        cxm__bucket_label(CXM_BY_WEEK, ms, fx->label, sizeof(fx->label));
        assert_string_equal(fx->label, want);
        assert_int_equal(cxm__bucket_start(CXM_BY_WEEK, ms),
                         (day - (wd - 1)) * DAY_MS);

        snprintf(want, sizeof(want), "%04d-%02d", y, m);
        cxm__bucket_label(CXM_BY_MONTH, ms, fx->label, sizeof(fx->label));
        assert_string_equal(fx->label, want);
        assert_int_equal(cxm__bucket_start(CXM_BY_MONTH, ms),
                         (day - (d - 1)) * DAY_MS);

        snprintf(want, sizeof(want), "%04d-Q%d", y, (m - 1) / 3 + 1);
        cxm__bucket_label(CXM_BY_QUARTER, ms, fx->label, sizeof(fx->label));
        assert_string_equal(fx->label, want);

        snprintf(want, sizeof(want), "%04d", y);
        cxm__bucket_label(CXM_BY_YEAR, ms, fx->label, sizeof(fx->label));
        assert_string_equal(fx->label, want);
        if (m == 1 && d == 1) {
            assert_int_equal(cxm__bucket_start(CXM_BY_YEAR, ms),
                             day * DAY_MS);
            assert_int_equal(cxm__bucket_start(CXM_BY_QUARTER, ms),
                             day * DAY_MS);
        }

        /* The next day. */
        day++;
        wd = wd % 7 + 1;
        if (++d > ref_month_len(y, m)) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
}

static void test_period__next_walks_without_gaps(void **state)
{
    static const cxm_dim dims[] = {CXM_BY_DAY, CXM_BY_WEEK, CXM_BY_MONTH,
                                   CXM_BY_QUARTER, CXM_BY_YEAR};
    /* 1960-01-01 and 2040-01-01 as day numbers. */
    const int64_t from = INT64_C(-3653) * DAY_MS;
    const int64_t to = INT64_C(25567) * DAY_MS;
    struct fx *fx = *state;
    char prev[32];

    for (size_t i = 0; i < CXM_ARRAY_LEN(dims); i++) {
        int64_t t = cxm__bucket_start(dims[i], from);
        prev[0] = '\0';
        while (t < to) {
            int64_t next = cxm__bucket_next(dims[i], t);
            assert_true(next > t);
            assert_int_equal(cxm__bucket_start(dims[i], next - 1), t);
            cxm__bucket_label(dims[i], t, fx->label, sizeof(fx->label));
            /* Labels sort like their buckets and never repeat. */
            assert_true(strcmp(prev, fx->label) < 0);
            memcpy(prev, fx->label, sizeof(prev));
            t = next;
        }
    }
}

/* cxm__bucket_index counts buckets without building them: consecutive
 * buckets differ by one, across 1970 and from year 0 to 9999. */
static void test_period__index_counts_buckets(void **state)
{
    static const cxm_dim dims[] = {CXM_BY_DAY, CXM_BY_WEEK, CXM_BY_MONTH,
                                   CXM_BY_QUARTER, CXM_BY_YEAR};
    const int64_t from = INT64_C(-3653) * DAY_MS;
    const int64_t to = INT64_C(25567) * DAY_MS;
    const int64_t y0 = INT64_C(-62167219200000);  /* 0000-01-01 */
    const int64_t y9999 = INT64_C(253402214400000); /* 9999-12-31 */

    (void)state;
    for (size_t i = 0; i < CXM_ARRAY_LEN(dims); i++) {
        int64_t t = cxm__bucket_start(dims[i], from);
        int64_t k = cxm__bucket_index(dims[i], t);
        while (t < to) {
            int64_t next = cxm__bucket_next(dims[i], t);
            assert_int_equal(cxm__bucket_index(dims[i], next - 1), k);
            assert_int_equal(cxm__bucket_index(dims[i], next), k + 1);
            k++;
            t = next;
        }
    }
    assert_int_equal(cxm__bucket_index(CXM_BY_YEAR, y9999) -
                         cxm__bucket_index(CXM_BY_YEAR, y0) + 1,
                     10000);
    assert_int_equal(cxm__bucket_index(CXM_BY_MONTH, y9999) -
                         cxm__bucket_index(CXM_BY_MONTH, y0) + 1,
                     120000);
    assert_int_equal(cxm__bucket_index(CXM_BY_DAY, y9999) -
                         cxm__bucket_index(CXM_BY_DAY, y0) + 1,
                     3652425);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_period__dim_is_time),
        T(test_period__day),
        T(test_period__week_starts_on_monday),
        T(test_period__week_53_then_week_1),
        T(test_period__week_1_starting_in_december),
        T(test_period__month),
        T(test_period__month_of_leap_february),
        T(test_period__quarter),
        T(test_period__year),
        T(test_period__negative_times_before_1970),
        T(test_period__label_of_other_dims_is_empty),
        T(test_period__label_truncates_to_cap),
        T(test_period__every_day_1899_to_2031),
        T(test_period__next_walks_without_gaps),
        T(test_period__index_counts_buckets),
    };

    return cmocka_run_group_tests_name("period", tests, NULL, NULL);
}
