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

struct fixture {
    char dir[256];
    char db[300];
    cxm_store *st;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    char *err = NULL;

    snprintf(f->dir, sizeof(f->dir), "/tmp/cxm-test-report-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof(f->db), "%s/t.db", f->dir);
    assert_int_equal(cxm_store_open(f->db, &f->st, &err), CXM_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char path[400];
    const char *suffix[] = {"", "-wal", "-shm"};

    cxm_store_close(f->st);
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s%s", f->db, suffix[i]);
        unlink(path);
    }
    snprintf(path, sizeof(path), "%s/in.csv", f->dir);
    unlink(path);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Writes `csv` to a file and imports it as `kind`; all rows must pass. */
static void import_text(struct fixture *f, cxm_kind kind, const char *csv)
{
    char path[400];
    const char *paths[1] = {path};
    struct cxm_import_result res;
    FILE *fp;

    snprintf(path, sizeof(path), "%s/in.csv", f->dir);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(csv, fp);
    fclose(fp);
    assert_int_equal(cxm_import_files(f->st, kind, paths, 1, NULL, &res),
                     CXM_OK);
    assert_int_equal(res.n_rejected, 0);
}

static cxm_report *run(struct fixture *f, const cxm_metric *ms, size_t n_ms,
                       const cxm_dim *by, size_t n_by, const char *from,
                       const char *to, const char *tz, bool compare)
{
    struct cxm_report_query q;
    cxm_report *r = NULL;

    memset(&q, 0, sizeof(q));
    q.size = sizeof(q);
    q.metrics = ms;
    q.n_metrics = n_ms;
    q.by = by;
    q.n_by = n_by;
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
    struct fixture *f = *state;
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
    import_text(f, CXM_KIND_CUSTOMERS, csv);
    r = run(f, ms, 2, NULL, 0, "2025-01-01", "2026-01-01", NULL, false);
    assert_int_equal(cxm_report_n_rows(r), 1);
    assert_float_equal(cxm_report_figure(r, 0, 0)->value, 50.0, 1e-9);
    assert_int_equal(cxm_report_figure(r, 0, 0)->n, 100);
    assert_float_equal(cxm_report_figure(r, 0, 1)->value, 50.0, 1e-9);
    cxm_report_free(r);
}

/* Europe/Helsinki moves to +03:00 at 2026-03-29T01:00Z and back to
 * +02:00 at 2026-10-25T01:00Z; days are local days. */
static void test_report__dst_buckets_by_zone(void **state)
{
    struct fixture *f = *state;
    const cxm_metric ms[] = {CXM_METRIC_CREATED};
    const cxm_dim by[] = {CXM_BY_DAY};
    cxm_report *r;

    import_text(f, CXM_KIND_TICKETS,
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
    assert_int_equal(cxm_report_figure(r, 0, 0)->n, 1);
    assert_string_equal(cxm_report_dim_value(r, 1, 0), "2026-03-29");
    assert_int_equal(cxm_report_figure(r, 1, 0)->n, 2);
    assert_string_equal(cxm_report_dim_value(r, 2, 0), "2026-03-30");
    assert_int_equal(cxm_report_figure(r, 2, 0)->n, 1);
    /* the 25th of October has 25 hours */
    assert_string_equal(cxm_report_dim_value(r, 3, 0), "2026-10-25");
    assert_int_equal(cxm_report_figure(r, 3, 0)->n, 2);
    assert_string_equal(cxm_report_dim_value(r, 4, 0), "2026-10-26");
    cxm_report_free(r);

    /* In UTC the same tickets fall on other days. */
    r = run(f, ms, 1, by, 1, "2026-03-01", "2026-11-01", NULL, false);
    assert_string_equal(cxm_report_dim_value(r, 0, 0), "2026-03-28");
    assert_int_equal(cxm_report_figure(r, 0, 0)->n, 2);
    cxm_report_free(r);
}

/* CSAT 60/100 in 2026-Q1, 70/100 in 2026-Q2: pooled p = 0.65,
 * se = sqrt(0.65 · 0.35 · (1/100 + 1/100)) = 0.0674537,
 * z = 0.1 / se = 1.4824986, two-sided p = erfc(z/√2) = 0.1382077. */
static void test_report__compare_previous_p_value(void **state)
{
    struct fixture *f = *state;
    const cxm_metric ms[] = {CXM_METRIC_CSAT};
    const cxm_dim by[] = {CXM_BY_QUARTER};
    char csv[16384];
    size_t len = 0;
    const struct cxm_figure *fig;
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
    import_text(f, CXM_KIND_RESPONSES, csv);
    r = run(f, ms, 1, by, 1, "2026-04-01", "2026-07-01", NULL, true);
    assert_int_equal(cxm_report_n_rows(r), 1);
    assert_string_equal(cxm_report_dim_value(r, 0, 0), "2026-Q2");
    fig = cxm_report_figure(r, 0, 0);
    assert_float_equal(fig->value, 70.0, 1e-9);
    assert_true(fig->has_compare);
    assert_false(fig->prev_is_null);
    assert_float_equal(fig->prev_value, 60.0, 1e-9);
    assert_float_equal(fig->change, 10.0, 1e-9);
    assert_true(fig->has_p);
    assert_float_equal(fig->p_value, 0.1382077, 1e-6);
    assert_false(fig->significant);
    cxm_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_report__churn_seed_002, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_report__dst_buckets_by_zone,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_report__compare_previous_p_value, setup, teardown),
    };
    return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
