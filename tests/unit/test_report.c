/* SPDX-License-Identifier: MIT
 *
 * test_report.c — reports through the public API on small hand-made data:
 * the SPEC §3 churn case, DST-correct bucketing by an IANA zone, and
 * --compare previous with a p-value checked by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cxmeter/cxmeter.h"
#include "store_fixture.h"

static int setup(void **state)
{
    return store_fixture_setup(state, "report");
}

static int teardown(void **state)
{
    return store_fixture_teardown(state);
}

static cxm_report *run(struct store_fixture *f, const cxm_metric *ms, size_t n_ms,
                       const cxm_dim *by, size_t n_by, const char *from,
                       const char *to, const char *tz, bool compare)
{
    struct cxm_report_query q;
    cxm_report *r = NULL;

    report_query_init(&q, ms, n_ms, by, n_by);
    q.tz = tz;
    q.compare = compare;
    if (from) {
        q.has_from = true;
        assert_int_equal(cxm_time_parse(from, strlen(from), true,
                                        &q.from_ms, NULL), CXM_OK);
    }
    if (to) {
        q.has_to = true;
        assert_int_equal(cxm_time_parse(to, strlen(to), true, &q.to_ms,
                                        NULL), CXM_OK);
    }
    assert_int_equal(cxm_report_run(f->st, &q, &r), CXM_OK);
    return r;
}

/* SPEC §3: 100 customers active at the start, 50 churn within the
 * 12-month period: churn 50.0, retention 50.0. */
static void test_report__churn_seed_002(void **state)
{
    struct store_fixture *f = *state;
    char csv[8192];
    size_t len = 0;
    const cxm_metric ms[] = {CXM_METRIC_CHURN, CXM_METRIC_RETENTION};
    cxm_report *r;

    len += (size_t)snprintf(csv + len, sizeof(csv) - len,
                            "customer_id,acquired_at,churned_at\n");
    for (int i = 0; i < 100; i++) {
        if (i < 50)
            len += (size_t)snprintf(csv + len, sizeof(csv) - len,
                                    "c%d,2024-06-01T00:00:00Z,"
                                    "2025-%02d-15T12:00:00Z\n",
                                    i, i % 12 + 1);
        else
            len += (size_t)snprintf(csv + len, sizeof(csv) - len,
                                    "c%d,2024-06-01T00:00:00Z,\n", i);
    }
    store_fixture_import(f, CXM_KIND_CUSTOMERS, csv);
    r = run(f, ms, 2, NULL, 0, "2025-01-01", "2026-01-01", NULL, false);
    assert_int_equal(cxm_report_n_rows(r), 1);
    assert_float_equal(report_fig(r, 0, 0).value, 50.0, 1e-9);
    assert_int_equal(report_fig(r, 0, 0).n, 100);
    assert_float_equal(report_fig(r, 0, 1).value, 50.0, 1e-9);
    cxm_report_free(r);
}

/* Europe/Helsinki moves to +03:00 at 2026-03-29T01:00Z and back to
 * +02:00 at 2026-10-25T01:00Z; days are local days. */
static void test_report__dst_buckets_by_zone(void **state)
{
    struct store_fixture *f = *state;
    const cxm_metric ms[] = {CXM_METRIC_CREATED};
    const cxm_dim by[] = {CXM_BY_DAY};
    cxm_report *r;

    store_fixture_import(f, CXM_KIND_TICKETS,
                "ticket_id,created_at\n"
                "1,2026-03-28T21:59:59Z\n" /* 23:59:59 +02 on the 28th */
                "2,2026-03-28T22:00:00Z\n" /* 00:00 +02 on the 29th */
                "3,2026-03-29T20:59:59Z\n" /* 23:59:59 +03 on the 29th */
                "4,2026-03-29T21:00:00Z\n" /* 00:00 +03 on the 30th */
                "5,2026-10-24T21:00:00Z\n" /* 00:00 +03 on the 25th */
                "6,2026-10-25T21:59:59Z\n" /* 23:59:59 +02 on the 25th */
                "7,2026-10-25T22:00:00Z\n"); /* the 26th */
    r = run(f, ms, 1, by, 1, "2026-03-01", "2026-11-01",
            "Europe/Helsinki", false);
    assert_int_equal(cxm_report_n_rows(r), 5);
    assert_string_equal(cxm_report_dim_value(r, 0, 0), "2026-03-28");
    assert_int_equal(report_fig(r, 0, 0).n, 1);
    assert_string_equal(cxm_report_dim_value(r, 1, 0), "2026-03-29");
    assert_int_equal(report_fig(r, 1, 0).n, 2);
    assert_string_equal(cxm_report_dim_value(r, 2, 0), "2026-03-30");
    assert_int_equal(report_fig(r, 2, 0).n, 1);
    /* the 25th of October has 25 hours */
    assert_string_equal(cxm_report_dim_value(r, 3, 0), "2026-10-25");
    assert_int_equal(report_fig(r, 3, 0).n, 2);
    assert_string_equal(cxm_report_dim_value(r, 4, 0), "2026-10-26");
    cxm_report_free(r);

    /* In UTC the same tickets fall on other days. */
    r = run(f, ms, 1, by, 1, "2026-03-01", "2026-11-01", NULL, false);
    assert_string_equal(cxm_report_dim_value(r, 0, 0), "2026-03-28");
    assert_int_equal(report_fig(r, 0, 0).n, 2);
    cxm_report_free(r);
}

/* CSAT 60/100 in 2026-Q1, 70/100 in 2026-Q2: pooled p = 0.65,
 * se = sqrt(0.65 · 0.35 · (1/100 + 1/100)) = 0.0674537,
 * z = 0.1 / se = 1.4824986, two-sided p = erfc(z/√2) = 0.1382077. */
static void test_report__compare_previous_p_value(void **state)
{
    struct store_fixture *f = *state;
    const cxm_metric ms[] = {CXM_METRIC_CSAT};
    const cxm_dim by[] = {CXM_BY_QUARTER};
    char csv[16384];
    size_t len = 0;
    struct cxm_figure fig;
    cxm_report *r;

    len += (size_t)snprintf(csv + len, sizeof(csv) - len,
                            "response_id,survey,responded_at,score\n");
    for (int i = 0; i < 200; i++) {
        bool q2 = i >= 100;
        int k = i % 100;
        int score = k < (q2 ? 70 : 60) ? 5 : 2;
        len += (size_t)snprintf(csv + len, sizeof(csv) - len,
                                "r%d,csat,2026-%02d-10T10:00:00Z,%d\n", i,
                                q2 ? 5 : 2, score);
    }
    store_fixture_import(f, CXM_KIND_RESPONSES, csv);
    r = run(f, ms, 1, by, 1, "2026-04-01", "2026-07-01", NULL, true);
    assert_int_equal(cxm_report_n_rows(r), 1);
    assert_string_equal(cxm_report_dim_value(r, 0, 0), "2026-Q2");
    fig = report_fig(r, 0, 0);
    assert_float_equal(fig.value, 70.0, 1e-9);
    assert_true(fig.has_compare);
    assert_false(fig.prev_is_null);
    assert_float_equal(fig.prev_value, 60.0, 1e-9);
    assert_float_equal(fig.change, 10.0, 1e-9);
    assert_true(fig.has_p);
    assert_float_equal(fig.p_value, 0.1382077, 1e-6);
    assert_false(fig.significant);
    cxm_report_free(r);
}

/* Imports answers given as (survey, score, count) triples and returns the
 * figure of metric m over all of them. */
struct answers {
    const char *survey;
    int score;
    int count;
    const char *scale; /* "" = the survey's default */
};

static struct cxm_figure golden(struct store_fixture *f, const struct answers *a,
                                size_t n, cxm_metric m)
{
    static char csv[65536];
    size_t len = 0;
    int id = 0;
    cxm_report *r;
    struct cxm_figure out;

    len += (size_t)snprintf(csv + len, sizeof(csv) - len,
                            "response_id,survey,responded_at,score,scale\n");
    for (size_t i = 0; i < n; i++) {
        for (int c = 0; c < a[i].count; c++)
            len += (size_t)snprintf(csv + len, sizeof(csv) - len,
                                    "g%d,%s,2026-01-15T10:00:00+07:00,%d,"
                                    "%s\n",
                                    id++, a[i].survey, a[i].score,
                                    a[i].scale);
    }
    store_fixture_import(f, CXM_KIND_RESPONSES, csv);
    r = run(f, &m, 1, NULL, 0, NULL, NULL, NULL, false);
    assert_int_equal(cxm_report_n_rows(r), 1);
    out = report_fig(r, 0, 0);
    cxm_report_free(r);
    return out;
}

/* SPEC §3, every golden case of a survey metric, through import and the
 * report. */
static void test_report__golden_csat_seed_002(void **state)
{
    const struct answers a[] = {{"csat", 4, 43, ""}, {"csat", 5, 29, ""},
                                {"csat", 1, 10, ""}, {"csat", 2, 9, ""},
                                {"csat", 3, 9, ""}};
    struct cxm_figure f = golden(*state, a, 5, CXM_METRIC_CSAT);

    assert_float_equal(f.value, 72.0, 1e-9);
    assert_int_equal(f.n, 100);
    assert_false(f.low_n);
    /* Wilson, z = 1.959964: [0.625120, 0.798603] (SPEC §4 shows 62.5, 79.9) */
    assert_float_equal(f.lo, 62.51, 0.01);
    assert_float_equal(f.hi, 79.86, 0.01);
}

static void test_report__golden_nps_seed_002(void **state)
{
    const struct answers a[] = {{"nps", 9, 35, ""}, {"nps", 10, 35, ""},
                                {"nps", 7, 10, ""}, {"nps", 8, 10, ""},
                                {"nps", 0, 5, ""},  {"nps", 6, 5, ""}};
    struct cxm_figure f = golden(*state, a, 6, CXM_METRIC_NPS);

    assert_float_equal(f.value, 60.0, 1e-9);
    /* sd = sqrt(0.7 + 0.1 − 0.36) = 0.663325, moe = 1.96·sd/10 = 0.13001 */
    assert_float_equal(f.lo, 47.0, 0.01);
    assert_float_equal(f.hi, 73.0, 0.01);
}

static void test_report__golden_nps_bounds(void **state)
{
    const struct answers all_promoters[] = {{"nps", 10, 40, ""}};
    struct cxm_figure f = golden(*state, all_promoters, 1, CXM_METRIC_NPS);

    assert_float_equal(f.value, 100.0, 1e-9);
    assert_float_equal(f.hi, 100.0, 1e-9);
}

static void test_report__golden_nps_all_detractors(void **state)
{
    const struct answers all_detractors[] = {{"nps", 0, 3, ""},
                                             {"nps", 6, 2, ""}};
    struct cxm_figure f = golden(*state, all_detractors, 2, CXM_METRIC_NPS);

    assert_float_equal(f.value, -100.0, 1e-9);
    assert_true(f.low_n);
}

static void test_report__golden_ces_seed_001(void **state)
{
    const struct answers a[] = {{"ces", 5, 1, "1-5"}, {"ces", 4, 2, "1-5"},
                                {"ces", 3, 1, "1-5"}};
    struct cxm_figure f = golden(*state, a, 3, CXM_METRIC_CES);

    assert_float_equal(f.value, 4.0, 1e-9);
    assert_true(f.low_n);
}

static void test_report__golden_ces_agree_seed_001(void **state)
{
    const struct answers a[] = {{"ces", 5, 1, "1-5"}, {"ces", 4, 2, "1-5"},
                                {"ces", 3, 1, "1-5"}};
    struct cxm_figure f = golden(*state, a, 3, CXM_METRIC_CES_AGREE);

    assert_float_equal(f.value, 75.0, 1e-9);
}

static void test_report__golden_nps_peer_vector(void **state)
{
    struct answers a[11];
    const int counts[11] = {1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 3};
    struct cxm_figure f;

    for (int i = 0; i < 11; i++) {
        a[i].survey = "nps";
        a[i].score = i;
        a[i].count = counts[i];
        a[i].scale = "";
    }
    f = golden(*state, a, 11, CXM_METRIC_NPS);
    assert_int_equal(f.n, 17);
    assert_float_equal(f.value, -5.88, 0.005);
}

static void test_report__golden_csat_peer_vector(void **state)
{
    const struct answers a[] = {{"csat", 4, 12, ""}, {"csat", 5, 15, ""},
                                {"csat", 1, 9, ""},  {"csat", 2, 9, ""},
                                {"csat", 3, 9, ""}};
    struct cxm_figure f = golden(*state, a, 5, CXM_METRIC_CSAT);

    assert_float_equal(f.value, 50.0, 1e-9);
    assert_int_equal(f.n, 54);
}

/* A ticket never resolved: in the backlog, resolution rate 0, resolved 0;
 * a reopened one is not first-contact resolved. */
static void test_report__unresolved_and_reopened(void **state)
{
    struct store_fixture *f = *state;
    const cxm_metric ms[] = {CXM_METRIC_BACKLOG, CXM_METRIC_RESOLUTION_RATE,
                             CXM_METRIC_FCR, CXM_METRIC_RESOLVED};
    cxm_report *r;

    store_fixture_import(f, CXM_KIND_TICKETS,
                "ticket_id,created_at,resolved_at,reopened,contacts\n"
                "open,2026-01-01T00:00:00Z,,,\n"
                "again,2026-01-02T00:00:00Z,2026-01-03T00:00:00Z,yes,1\n"
                "once,2026-01-02T00:00:00Z,2026-01-03T00:00:00Z,,\n");
    r = run(f, ms, 4, NULL, 0, "2026-01-01", "2026-02-01", NULL, false);
    assert_int_equal(report_fig(r, 0, 0).n, 1);
    assert_float_equal(report_fig(r, 0, 1).value, 200.0 / 3, 1e-9);
    assert_float_equal(report_fig(r, 0, 2).value, 50.0, 1e-9);
    assert_int_equal(report_fig(r, 0, 3).n, 2);
    cxm_report_free(r);
}

/* A header-only file imports nothing; the report's one row is null. */
static void test_report__empty_input_gives_null(void **state)
{
    struct store_fixture *f = *state;
    const cxm_metric ms[] = {CXM_METRIC_CSAT};
    cxm_report *r;

    store_fixture_import(f, CXM_KIND_RESPONSES, "response_id,survey,responded_at\n");
    r = run(f, ms, 1, NULL, 0, NULL, NULL, NULL, false);
    assert_int_equal(cxm_report_n_rows(r), 1);
    assert_true(report_fig(r, 0, 0).is_null);
    cxm_report_free(r);
}

/* struct cxm_figure is versioned by its leading size: a caller with a
 * larger struct (newer headers) gets the fields the library does not know
 * zeroed; one smaller than the first version is refused, untouched. */
static void test_report__figure_honours_the_callers_size(void **state)
{
    struct store_fixture *f = *state;
    const cxm_metric m = CXM_METRIC_CREATED;
    struct {
        struct cxm_figure fig;
        unsigned char newer[40];
    } big;
    struct cxm_figure small;
    cxm_report *r;

    store_fixture_import(f, CXM_KIND_TICKETS,
                         "ticket_id,created_at\n"
                         "T1,2026-03-01T09:00:00Z\n"
                         "T2,2026-03-02T09:00:00Z\n");
    r = run(f, &m, 1, NULL, 0, NULL, NULL, NULL, false);
    memset(&big, 0xAB, sizeof(big));
    big.fig.size = sizeof(big);
    assert_int_equal(cxm_report_figure(r, 0, 0, &big.fig), CXM_OK);
    assert_int_equal(big.fig.size, sizeof(big));
    assert_false(big.fig.is_null);
    assert_float_equal(big.fig.value, 2.0, 1e-9);
    assert_int_equal(big.fig.n, 2);
    for (size_t i = 0; i < sizeof(big.newer); i++)
        assert_int_equal(big.newer[i], 0);
    memset(&small, 0xAB, sizeof(small));
    small.size = offsetof(struct cxm_figure, currencies);
    assert_int_equal(cxm_report_figure(r, 0, 0, &small), CXM_EINVAL);
    assert_int_equal(small.size, offsetof(struct cxm_figure, currencies));
    for (size_t i = sizeof(small.size); i < sizeof(small); i++)
        assert_int_equal(((const unsigned char *)&small)[i], 0xAB);
    assert_int_equal(cxm_report_figure(r, 1, 0, &big.fig), CXM_EINVAL);
    assert_int_equal(cxm_report_figure(r, 0, 1, &big.fig), CXM_EINVAL);
    cxm_report_free(r);
}

/* The query's where: rows of other values left out (the matching one's
 * figures the same); a filter on a dimension not in the breakdown, on a
 * time, twice or without a value is refused; a caller whose `size` ends
 * before it (older headers) gets every row. */
static void test_report__where_filters_and_checks(void **state)
{
    struct store_fixture *f = *state;
    const cxm_metric m = CXM_METRIC_CREATED;
    const cxm_dim by[] = {CXM_BY_CHANNEL, CXM_BY_DAY};
    struct cxm_report_where w[2] = {{CXM_BY_CHANNEL, "chat"},
                                    {CXM_BY_CHANNEL, "chat"}};
    struct cxm_report_query q;
    cxm_report *r = NULL;

    store_fixture_import(f, CXM_KIND_TICKETS,
                         "ticket_id,created_at,channel\n"
                         "T1,2026-03-01T09:00:00Z,chat\n"
                         "T2,2026-03-01T10:00:00Z,email\n"
                         "T3,2026-03-02T09:00:00Z,chat\n"
                         "T4,2026-03-02T09:00:00Z,\n");
    memset(&q, 0, sizeof(q));
    q.size = sizeof(q);
    q.metrics = &m;
    q.n_metrics = 1;
    q.by = by;
    q.n_by = 2;
    q.where = w;
    q.n_where = 1;
    assert_int_equal(cxm_report_run(f->st, &q, &r), CXM_OK);
    assert_int_equal(cxm_report_n_rows(r), 2);
    for (size_t i = 0; i < 2; i++) {
        assert_string_equal(cxm_report_dim_value(r, i, 0), "chat");
        assert_int_equal(report_fig(r, i, 0).n, 1);
    }
    cxm_report_free(r);
    w[0].value = "";
    assert_int_equal(cxm_report_run(f->st, &q, &r), CXM_OK);
    assert_int_equal(cxm_report_n_rows(r), 1);
    assert_string_equal(cxm_report_dim_value(r, 0, 1), "2026-03-02");
    cxm_report_free(r);
    q.size = offsetof(struct cxm_report_query, where);
    assert_int_equal(cxm_report_run(f->st, &q, &r), CXM_OK);
    assert_int_equal(cxm_report_n_rows(r), 4);
    cxm_report_free(r);
    q.size = sizeof(q);
    q.n_where = 2; /* channel twice */
    assert_int_equal(cxm_report_run(f->st, &q, &r), CXM_EINVAL);
    q.n_where = 1;
    w[0].dim = CXM_BY_DAY;
    assert_int_equal(cxm_report_run(f->st, &q, &r), CXM_EINVAL);
    w[0].dim = CXM_BY_AGENT; /* not in the breakdown */
    assert_int_equal(cxm_report_run(f->st, &q, &r), CXM_EINVAL);
    w[0].dim = CXM_BY_CHANNEL;
    w[0].value = NULL;
    assert_int_equal(cxm_report_run(f->st, &q, &r), CXM_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_report__where_filters_and_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_report__figure_honours_the_callers_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report__churn_seed_002, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_report__dst_buckets_by_zone,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_report__compare_previous_p_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report__golden_csat_seed_002,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_report__golden_nps_seed_002,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_report__golden_nps_bounds,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_report__golden_nps_all_detractors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report__golden_ces_seed_001,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_report__golden_ces_agree_seed_001, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report__golden_nps_peer_vector,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_report__golden_csat_peer_vector, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report__unresolved_and_reopened,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_report__empty_input_gives_null,
                                        setup, teardown),
    };
    return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
