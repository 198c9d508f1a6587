/* SPDX-License-Identifier: MIT
 *
 * test_report_metrics.c — one hand-computed case for each customer,
 * self-service, agent, review and QA metric of SPEC §2, through import and
 * the report, with the arithmetic in the comment above each test; and a
 * --compare previous Welch p-value checked by an independent computation.
 * The report period is 2026-Q1, [2026-01-01, 2026-04-01), 90 days, unless a
 * test says otherwise. The generated-data cross-check of the same metrics is
 * tests/crosscheck/crosscheck_more.py.
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

#define Q1_FROM "2026-01-01"
#define Q1_TO "2026-04-01"

static int setup(void **state)
{
    return store_fixture_setup(state, "metrics");
}

static int teardown(void **state)
{
    return store_fixture_teardown(state);
}

static cxm_report *run(struct store_fixture *f, const cxm_metric *ms, size_t n_ms,
                       const cxm_dim *by, size_t n_by, const char *from,
                       const char *to, bool compare)
{
    struct cxm_report_query q;
    cxm_report *r = NULL;

    report_query_init(&q, ms, n_ms, by, n_by);
    q.compare = compare;
    q.has_from = q.has_to = true;
    assert_int_equal(cxm_time_parse(from, strlen(from), true, &q.from_ms,
                                    NULL), CXM_OK);
    assert_int_equal(cxm_time_parse(to, strlen(to), true, &q.to_ms, NULL),
                     CXM_OK);
    assert_int_equal(cxm_report_run(f->st, &q, &r), CXM_OK);
    return r;
}

/* The figure of metric m over 2026-Q1, without a breakdown. */
static struct cxm_figure q1_figure(struct store_fixture *f, cxm_metric m)
{
    cxm_report *r = run(f, &m, 1, NULL, 0, Q1_FROM, Q1_TO, false);
    struct cxm_figure out;

    assert_int_equal(cxm_report_n_rows(r), 1);
    out = report_fig(r, 0, 0);
    cxm_report_free(r);
    return out;
}

/* Active customers = acquired before the end and not churned before the
 * start: c1 (acquired 2025-06), c2 (acquired in Q1), c5 (churned in Q1,
 * not before it) = 3; c3 churned 2025-12-31 and c4 is acquired after Q1.
 * Complaints created in Q1: t1 (yes), t2 (true) = 2; t3 is not a
 * complaint, t4 was created in 2025.
 * complaints_per_1000 = 1000 × 2 / 3 = 666.666667, n = 3. */
static void test_report_metrics__complaints_per_1000(void **state)
{
    struct store_fixture *f = *state;
    struct cxm_figure fig;

    store_fixture_import(f, CXM_KIND_CUSTOMERS,
                "customer_id,acquired_at,churned_at\n"
                "c1,2025-06-01T00:00:00Z,\n"
                "c2,2026-02-01T00:00:00Z,\n"
                "c3,2025-01-01T00:00:00Z,2025-12-31T00:00:00Z\n"
                "c4,2026-05-01T00:00:00Z,\n"
                "c5,2025-01-01T00:00:00Z,2026-02-15T00:00:00Z\n");
    store_fixture_import(f, CXM_KIND_TICKETS,
                "ticket_id,created_at,customer_id,complaint\n"
                "t1,2026-01-10T00:00:00Z,c1,yes\n"
                "t2,2026-02-10T00:00:00Z,c2,true\n"
                "t3,2026-03-10T00:00:00Z,c1,no\n"
                "t4,2025-12-31T00:00:00Z,c1,1\n");
    fig = q1_figure(f, CXM_METRIC_COMPLAINTS_PER_1000);
    assert_false(fig.is_null);
    assert_float_equal(fig.value, 2000.0 / 3, 1e-6);
    assert_int_equal(fig.n, 3);
}

/* Sessions started in Q1: s1, s2, s3 (s4 is in April); tickets created in
 * Q1: t1 (t2 is in 2025). selfservice_rate = 100 × 3 / (3 + 1) = 75.0,
 * n = 4. deflection_rate: of s1..s3 only s1 is resolved (s2 false, s3
 * missing) = 100 × 1/3 = 33.333333, n = 3. */
static void import_sessions(struct store_fixture *f)
{
    store_fixture_import(f, CXM_KIND_SELFSERVICE,
                "session_id,started_at,resolved,topic\n"
                "s1,2026-01-05T10:00:00Z,yes,login\n"
                "s2,2026-02-05T10:00:00Z,false,login\n"
                "s3,2026-03-31T23:59:59Z,,billing\n"
                "s4,2026-04-01T00:00:00Z,yes,login\n");
    store_fixture_import(f, CXM_KIND_TICKETS,
                "ticket_id,created_at,topic\n"
                "t1,2026-01-20T00:00:00Z,login\n"
                "t2,2025-12-20T00:00:00Z,login\n");
}

static void test_report_metrics__selfservice_rate(void **state)
{
    struct store_fixture *f = *state;
    struct cxm_figure fig;

    import_sessions(f);
    fig = q1_figure(f, CXM_METRIC_SELFSERVICE_RATE);
    assert_float_equal(fig.value, 75.0, 1e-9);
    assert_int_equal(fig.n, 4);
}

static void test_report_metrics__deflection_rate(void **state)
{
    struct store_fixture *f = *state;
    struct cxm_figure fig;

    import_sessions(f);
    fig = q1_figure(f, CXM_METRIC_DEFLECTION_RATE);
    assert_float_equal(fig.value, 100.0 / 3, 1e-9);
    assert_int_equal(fig.n, 3);
}

/* Active at s = 2026-01-01T00:00Z: a (churned exactly at s: active, and
 * churned in [s, e)), c (acquired exactly at s), e (churns exactly at e,
 * so not in this period) = 3; b churned 1 s before s and d was acquired
 * after s. Churned in Q1: a. churn = 100 × 1/3 = 33.333333,
 * retention = 66.666667, n = 3 both. */
static void test_report_metrics__churn_boundaries(void **state)
{
    struct store_fixture *f = *state;
    const cxm_metric ms[] = {CXM_METRIC_CHURN, CXM_METRIC_RETENTION};
    cxm_report *r;

    store_fixture_import(f, CXM_KIND_CUSTOMERS,
                "customer_id,acquired_at,churned_at\n"
                "a,2025-01-01T00:00:00Z,2026-01-01T00:00:00Z\n"
                "b,2025-01-01T00:00:00Z,2025-12-31T23:59:59Z\n"
                "c,2026-01-01T00:00:00Z,\n"
                "d,2026-02-01T00:00:00Z,2026-03-01T00:00:00Z\n"
                "e,2025-01-01T00:00:00Z,2026-04-01T00:00:00Z\n");
    r = run(f, ms, 2, NULL, 0, Q1_FROM, Q1_TO, false);
    assert_float_equal(report_fig(r, 0, 0).value, 100.0 / 3, 1e-9);
    assert_int_equal(report_fig(r, 0, 0).n, 3);
    assert_float_equal(report_fig(r, 0, 1).value, 200.0 / 3, 1e-9);
    assert_int_equal(report_fig(r, 0, 1).n, 3);
    cxm_report_free(r);
}

/* Orders before e = 2026-04-01: x has 2 (2025-05, 2026-02), y 1, z 1 (its
 * second is exactly at e, so not before it); w's only order is in May.
 * Customers with >= 1 order: x, y, z = 3; with >= 2: x.
 * repurchase_rate = 100 × 1/3 = 33.333333, n = 3. */
static void test_report_metrics__repurchase_rate(void **state)
{
    struct store_fixture *f = *state;
    struct cxm_figure fig;

    store_fixture_import(f, CXM_KIND_ORDERS,
                "order_id,customer_id,ordered_at,amount\n"
                "o1,x,2025-05-01T00:00:00Z,10\n"
                "o2,x,2026-02-01T00:00:00Z,10\n"
                "o3,y,2026-01-05T00:00:00Z,10\n"
                "o4,z,2025-03-01T00:00:00Z,10\n"
                "o5,z,2026-04-01T00:00:00Z,10\n"
                "o6,w,2026-05-01T00:00:00Z,10\n");
    fig = q1_figure(f, CXM_METRIC_REPURCHASE_RATE);
    assert_float_equal(fig.value, 100.0 / 3, 1e-9);
    assert_int_equal(fig.n, 3);
}

/* Tickets resolved in Q1 with a customer: t1 (p1 orders exactly 30 days
 * after: hit), t2 (p2 orders 30 days and 1 s after: miss), t3 (p3's order
 * is before the ticket: miss), t6 (p4 orders at resolved_at itself: hit);
 * t4 has no customer, t5 was resolved in 2025.
 * post_service_repurchase = 100 × 2/4 = 50.0, n = 4. */
static void test_report_metrics__post_service_repurchase(void **state)
{
    struct store_fixture *f = *state;
    struct cxm_figure fig;

    store_fixture_import(f, CXM_KIND_TICKETS,
                "ticket_id,created_at,resolved_at,customer_id\n"
                "t1,2026-01-09T00:00:00Z,2026-01-10T12:00:00Z,p1\n"
                "t2,2026-01-09T00:00:00Z,2026-01-10T12:00:00Z,p2\n"
                "t3,2026-01-30T00:00:00Z,2026-02-01T00:00:00Z,p3\n"
                "t4,2026-01-30T00:00:00Z,2026-02-01T00:00:00Z,\n"
                "t5,2025-12-19T00:00:00Z,2025-12-20T00:00:00Z,p1\n"
                "t6,2026-02-27T00:00:00Z,2026-03-01T00:00:00Z,p4\n");
    store_fixture_import(f, CXM_KIND_ORDERS,
                "order_id,customer_id,ordered_at,amount\n"
                "o1,p1,2026-02-09T12:00:00Z,10\n"
                "o2,p2,2026-02-09T12:00:01Z,10\n"
                "o3,p3,2026-01-20T00:00:00Z,10\n"
                "o4,p4,2026-03-01T00:00:00Z,10\n");
    fig = q1_figure(f, CXM_METRIC_POST_SERVICE_REPURCHASE);
    assert_float_equal(fig.value, 50.0, 1e-9);
    assert_int_equal(fig.n, 4);
}

/* Tickets created in Q1 whose customer had no order before created_at:
 * k1 (q1's first order exactly 30 days later: hit), k3 (q3's first order
 * 45 days later: miss), k4 (q4 never orders: miss), k6 (q5 orders at the
 * ticket's created_at, not before it: hit); k2's customer ordered before
 * the ticket, k5 has no customer.
 * conversion_rate = 100 × 2/4 = 50.0, n = 4. */
static void test_report_metrics__conversion_rate(void **state)
{
    struct store_fixture *f = *state;
    struct cxm_figure fig;

    store_fixture_import(f, CXM_KIND_TICKETS,
                "ticket_id,created_at,customer_id\n"
                "k1,2026-01-10T00:00:00Z,q1\n"
                "k2,2026-01-10T00:00:00Z,q2\n"
                "k3,2026-01-15T00:00:00Z,q3\n"
                "k4,2026-02-01T00:00:00Z,q4\n"
                "k5,2026-02-01T00:00:00Z,\n"
                "k6,2026-02-01T00:00:00Z,q5\n");
    store_fixture_import(f, CXM_KIND_ORDERS,
                "order_id,customer_id,ordered_at,amount\n"
                "o1,q1,2026-02-09T00:00:00Z,10\n"
                "o2,q2,2026-01-05T00:00:00Z,10\n"
                "o3,q3,2026-03-01T00:00:00Z,10\n"
                "o4,q5,2026-02-01T00:00:00Z,10\n");
    fig = q1_figure(f, CXM_METRIC_CONVERSION_RATE);
    assert_float_equal(fig.value, 50.0, 1e-9);
    assert_int_equal(fig.n, 4);
}

/* Orders in Q1: 100.50 + 49.50 + 0 + (missing: nothing) = 150.0, n = 4
 * orders; the 1000 at 2026-04-01T00:00Z is outside. */
static void test_report_metrics__revenue(void **state)
{
    struct store_fixture *f = *state;
    struct cxm_figure fig;

    store_fixture_import(f, CXM_KIND_ORDERS,
                "order_id,customer_id,ordered_at,amount,currency\n"
                "o1,x,2026-01-05T00:00:00Z,100.50,USD\n"
                "o2,y,2026-02-05T00:00:00+07:00,49.50,USD\n"
                "o3,y,2026-03-05T00:00:00Z,0,USD\n"
                "o4,z,2026-03-06T00:00:00Z,,USD\n"
                "o5,z,2026-04-01T00:00:00Z,1000,USD\n");
    fig = q1_figure(f, CXM_METRIC_REVENUE);
    assert_float_equal(fig.value, 150.0, 1e-9);
    assert_int_equal(fig.n, 4);
}

/* Churned in Q1: r1 (churned 2026-02-01) and r2 (acquired in Q1, churned
 * 2026-03-01: it churned in the period too); r3 churns after Q1.
 * r1's orders in the 365 days before 2026-02-01: 10 (2025-02-02) + 200
 * (2026-01-15); not 1000 (2025-01-31, 366 days before) nor 3000 (at
 * churned_at itself). r2: 50. revenue_at_risk = 260.0, n = 2. */
static void test_report_metrics__revenue_at_risk(void **state)
{
    struct store_fixture *f = *state;
    struct cxm_figure fig;

    store_fixture_import(f, CXM_KIND_CUSTOMERS,
                "customer_id,acquired_at,churned_at\n"
                "r1,2024-01-01T00:00:00Z,2026-02-01T00:00:00Z\n"
                "r2,2026-01-10T00:00:00Z,2026-03-01T00:00:00Z\n"
                "r3,2024-01-01T00:00:00Z,2026-04-02T00:00:00Z\n");
    store_fixture_import(f, CXM_KIND_ORDERS,
                "order_id,customer_id,ordered_at,amount\n"
                "o1,r1,2025-02-02T00:00:00Z,10\n"
                "o2,r1,2025-01-31T00:00:00Z,1000\n"
                "o3,r1,2026-01-15T00:00:00Z,200\n"
                "o4,r1,2026-02-01T00:00:00Z,3000\n"
                "o5,r2,2026-01-20T00:00:00Z,50\n"
                "o6,r3,2026-01-20T00:00:00Z,7\n");
    fig = q1_figure(f, CXM_METRIC_REVENUE_AT_RISK);
    assert_float_equal(fig.value, 260.0, 1e-9);
    assert_int_equal(fig.n, 2);
}

/* Tickets resolved in Q1 with an agent: a1 × 3, a2 × 1 (one without an
 * agent does not count; a1's resolved in 2025 is outside): 4 tickets,
 * 2 agents, value = 4/2 = 2.0. Hours dated in Q1: a1 8 + 8, a2 4 = 20
 * (a1's 2025-12-31 is outside): per_hour = 4/20 = 0.2.
 * By agent: a1 = 3 tickets / 1 agent = 3.0, per_hour 3/16 = 0.1875;
 * a2 = 1.0, per_hour 1/4 = 0.25; "" (t5) has no ticket with an agent and
 * no hours: null. */
static void test_report_metrics__agent_productivity(void **state)
{
    struct store_fixture *f = *state;
    const cxm_metric m = CXM_METRIC_AGENT_PRODUCTIVITY;
    const cxm_dim by[] = {CXM_BY_AGENT};
    struct cxm_figure fig;
    struct cxm_figure g;
    cxm_report *r;

    store_fixture_import(f, CXM_KIND_TICKETS,
                "ticket_id,created_at,resolved_at,agent_id\n"
                "t1,2026-01-02T00:00:00Z,2026-01-03T00:00:00Z,a1\n"
                "t2,2026-01-02T00:00:00Z,2026-02-03T00:00:00Z,a1\n"
                "t3,2026-03-02T00:00:00Z,2026-03-03T00:00:00Z,a1\n"
                "t4,2026-01-02T00:00:00Z,2026-01-04T00:00:00Z,a2\n"
                "t5,2026-01-02T00:00:00Z,2026-01-04T00:00:00Z,\n"
                "t6,2025-12-02T00:00:00Z,2025-12-04T00:00:00Z,a1\n");
    store_fixture_import(f, CXM_KIND_AGENT_HOURS,
                "agent_id,date,hours\n"
                "a1,2026-01-05,8\n"
                "a1,2026-01-06,8\n"
                "a2,2026-02-02,4\n"
                "a1,2025-12-31,8\n");
    fig = q1_figure(f, m);
    assert_float_equal(fig.value, 2.0, 1e-9);
    assert_int_equal(fig.n, 4);
    assert_int_equal(fig.n_agents, 2);
    assert_true(fig.has_per_hour);
    assert_float_equal(fig.hours, 20.0, 1e-9);
    assert_float_equal(fig.per_hour, 0.2, 1e-9);

    /* The ticket without an agent makes a row "" with no figure. */
    r = run(f, &m, 1, by, 1, Q1_FROM, Q1_TO, false);
    assert_int_equal(cxm_report_n_rows(r), 3);
    assert_string_equal(cxm_report_dim_value(r, 0, 0), "");
    assert_true(report_fig(r, 0, 0).is_null);
    assert_string_equal(cxm_report_dim_value(r, 1, 0), "a1");
    g = report_fig(r, 1, 0);
    assert_float_equal(g.value, 3.0, 1e-9);
    assert_float_equal(g.per_hour, 0.1875, 1e-9);
    assert_string_equal(cxm_report_dim_value(r, 2, 0), "a2");
    g = report_fig(r, 2, 0);
    assert_float_equal(g.value, 1.0, 1e-9);
    assert_float_equal(g.per_hour, 0.25, 1e-9);
    cxm_report_free(r);
}

/* Q1 2026 has 90 days. Days employed in it (hired_at <= t < left_at):
 * g1 90 (hired 2025, stays), g2 45 (leaves 2026-02-15), g3 30 (hired
 * 2026-03-02), g4 30 (no hired_at = always, leaves 2026-01-31); g5 left
 * in 2025 and g6 is hired on 2026-04-01: 0. Mean headcount = 195/90 =
 * 2.166667. Left in Q1: g2, g4 = 2.
 * agent_turnover = 100 × 2 / (195/90) = 92.307692, n = 2. */
static void test_report_metrics__agent_turnover(void **state)
{
    struct store_fixture *f = *state;
    struct cxm_figure fig;

    store_fixture_import(f, CXM_KIND_AGENTS,
                "agent_id,team,hired_at,left_at\n"
                "g1,Tech,2025-01-01,\n"
                "g2,Tech,2025-01-01,2026-02-15\n"
                "g3,Tech,2026-03-02,\n"
                "g4,Tech,,2026-01-31T00:00:00Z\n"
                "g5,Tech,2024-01-01,2025-12-01\n"
                "g6,Tech,2026-04-01,\n");
    fig = q1_figure(f, CXM_METRIC_AGENT_TURNOVER);
    assert_false(fig.is_null);
    assert_float_equal(fig.headcount, 195.0 / 90, 1e-9);
    assert_float_equal(fig.value, 100.0 * 2 * 90 / 195, 1e-6);
    assert_int_equal(fig.n, 2);
}

/* Normalised 1 + (r − 1)·4/(scale_max − 1): 5/5 → 5, 4 (default 1-5) → 4,
 * 1/5 → 1, 10/10 → 5, 7/10 → 1 + 24/9 = 3.666667, 8/10 → 1 + 28/9 =
 * 4.111111. Mean = (5 + 4 + 1 + 5 + 33/9 + 37/9)/6 = (15 + 70/9)/6 =
 * 205/54 = 3.796296. Positive (>= 4): 5, 4, 5, 4.11 = 4 of 6 = 66.666667.
 * The 2026-04-01 review is outside. */
static void test_report_metrics__review_rating(void **state)
{
    struct store_fixture *f = *state;
    struct cxm_figure fig;

    store_fixture_import(f, CXM_KIND_REVIEWS,
                "review_id,posted_at,rating,scale_max,source\n"
                "v1,2026-01-01T00:00:00Z,5,5,google\n"
                "v2,2026-01-02T00:00:00Z,4,,google\n"
                "v3,2026-01-03T00:00:00Z,1,,appstore\n"
                "v4,2026-02-01T00:00:00Z,10,10,trustpilot\n"
                "v5,2026-02-02T00:00:00Z,7,10,trustpilot\n"
                "v6,2026-03-31T23:59:59Z,8,10,trustpilot\n"
                "v7,2026-04-01T00:00:00Z,1,5,google\n");
    fig = q1_figure(f, CXM_METRIC_REVIEW_RATING);
    assert_float_equal(fig.value, 205.0 / 54, 1e-9);
    assert_int_equal(fig.n, 6);
    assert_true(fig.has_positive);
    assert_float_equal(fig.positive, 200.0 / 3, 1e-9);
}

/* 100 × score / max_score (default 100), at reviewed_at, else the ticket's
 * resolved_at, else its created_at: tq1/qa1 80/100 and tq1/qa2 4/5 = 80
 * (reviewed 2026-01-15); tq2/qa1 9/10 = 90 (reviewed 2026-02-01; its later
 * row replaces the 7/10); tq3 50 (resolved 2026-01-20); tq4 90 (unresolved,
 * created 2026-03-01); tq5 10 (created 2025-12, resolved 2026-01-02: in
 * Q1); tq6 100 is reviewed 2026-04-01, outside.
 * qa_score = (80 + 80 + 90 + 50 + 90 + 10)/6 = 400/6 = 66.666667, n = 6. */
static void test_report_metrics__qa_score(void **state)
{
    struct store_fixture *f = *state;
    struct cxm_figure fig;

    store_fixture_import(f, CXM_KIND_TICKETS,
                "ticket_id,created_at,resolved_at\n"
                "tq1,2026-01-10T00:00:00Z,2026-01-11T00:00:00Z\n"
                "tq2,2026-01-10T00:00:00Z,2026-01-11T00:00:00Z\n"
                "tq3,2025-12-10T00:00:00Z,2026-01-20T00:00:00Z\n"
                "tq4,2026-03-01T00:00:00Z,\n"
                "tq5,2025-12-01T00:00:00Z,2026-01-02T00:00:00Z\n"
                "tq6,2026-03-01T00:00:00Z,2026-03-02T00:00:00Z\n");
    store_fixture_import(f, CXM_KIND_QA_SCORES,
                "ticket_id,reviewer,score,max_score,reviewed_at\n"
                "tq1,qa1,80,,2026-01-15T00:00:00Z\n"
                "tq1,qa2,4,5,2026-01-15T00:00:00Z\n"
                "tq2,qa1,7,10,2026-02-01T00:00:00Z\n"
                "tq2,qa1,9,10,2026-02-01T00:00:00Z\n"
                "tq3,qa1,50,100,\n"
                "tq4,qa1,90,,\n"
                "tq5,qa1,10,,\n"
                "tq6,qa1,100,,2026-04-01T00:00:00Z\n");
    fig = q1_figure(f, CXM_METRIC_QA_SCORE);
    assert_float_equal(fig.value, 400.0 / 6, 1e-9);
    assert_int_equal(fig.n, 6);
}

/* --compare previous on qa_score, Welch's t test. 2025-Q4: 60, 70, 80
 * (mean 70, s² 100); 2026-Q1: 80, 90, 100, 90 (mean 90, s² 200/3).
 * se² = 100/3 + (200/3)/4 = 50, t = 20/√50 = 2.8284271,
 * df = 50² / ((100/3)²/2 + (50/3)²/3) = 3.8571429.
 * p = P(|T_df| > t) = 0.0494606, by Simpson's rule on the Student t
 * density over [t, 4000] (2·10⁶ intervals) plus the closed-form power-law
 * tail beyond (independent of the incomplete-beta code in src/stats/stat.c and
 * in crosscheck.py). n < 30 on both sides: not significant. */
static void test_report_metrics__compare_welch_p_value(void **state)
{
    struct store_fixture *f = *state;
    const cxm_metric m = CXM_METRIC_QA_SCORE;
    const cxm_dim by[] = {CXM_BY_QUARTER};
    struct cxm_figure fig;
    cxm_report *r;

    store_fixture_import(f, CXM_KIND_QA_SCORES,
                "ticket_id,reviewer,score,reviewed_at\n"
                "a,qa,60,2025-10-05T00:00:00Z\n"
                "b,qa,70,2025-11-05T00:00:00Z\n"
                "c,qa,80,2025-12-05T00:00:00Z\n"
                "d,qa,80,2026-01-05T00:00:00Z\n"
                "e,qa,90,2026-02-05T00:00:00Z\n"
                "f,qa,100,2026-03-05T00:00:00Z\n"
                "g,qa,90,2026-03-06T00:00:00Z\n");
    r = run(f, &m, 1, by, 1, Q1_FROM, Q1_TO, true);
    assert_int_equal(cxm_report_n_rows(r), 1);
    assert_string_equal(cxm_report_dim_value(r, 0, 0), "2026-Q1");
    fig = report_fig(r, 0, 0);
    assert_float_equal(fig.value, 90.0, 1e-9);
    assert_true(fig.has_compare);
    assert_false(fig.prev_is_null);
    assert_float_equal(fig.prev_value, 70.0, 1e-9);
    assert_int_equal(fig.prev_n, 3);
    assert_float_equal(fig.change, 20.0, 1e-9);
    assert_true(fig.has_p);
    assert_float_equal(fig.p_value, 0.0494606, 1e-6);
    assert_false(fig.significant);
    cxm_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_report_metrics__complaints_per_1000, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_report_metrics__selfservice_rate, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_report_metrics__deflection_rate, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_report_metrics__churn_boundaries, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_report_metrics__repurchase_rate, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_report_metrics__post_service_repurchase, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_report_metrics__conversion_rate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_metrics__revenue, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_report_metrics__revenue_at_risk, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_report_metrics__agent_productivity, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_report_metrics__agent_turnover, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_report_metrics__review_rating, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_metrics__qa_score,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_report_metrics__compare_welch_p_value, setup, teardown),
    };
    return cmocka_run_group_tests_name("report_metrics", tests, NULL, NULL);
}
