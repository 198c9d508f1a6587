/* SPDX-License-Identifier: MIT
 *
 * test_import_helpdesk.c — Zendesk and Freshdesk exports (src/
 * import_helpdesk.c): the fixtures in tests/data/{zendesk,freshdesk} are
 * imported into a fresh SQLite store and read back through cxm_report_run;
 * every expected figure is worked out by hand in the comments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cxmeter/cxmeter.h"
#include "cxmeter/import.h"
#include "cxmeter/report.h"
#include "cxmeter/timefmt.h"

#define MAX_DIAGS 16

struct seen_diag {
    char file[64]; /* base name */
    long line;
    int column;
    char column_name[64];
    char reason[256];
};

struct fx {
    char dir[512];
    char db[600];
    cxm_store *st;
    struct seen_diag diags[MAX_DIAGS];
    size_t n_diags;
};

static void on_diag(const struct cxm_diag *d, void *ud)
{
    struct fx *fx = ud;
    struct seen_diag *s;
    const char *base = strrchr(d->file, '/');

    if (fx->n_diags == MAX_DIAGS)
        return;
    s = &fx->diags[fx->n_diags++];
    snprintf(s->file, sizeof(s->file), "%s", base ? base + 1 : d->file);
    s->line = d->line;
    s->column = d->column;
    snprintf(s->column_name, sizeof(s->column_name), "%s", d->column_name);
    snprintf(s->reason, sizeof(s->reason), "%s", d->reason);
}

/* tests/data/<rel>, found from this file's path (CMake compiles it by its
 * absolute path) unless CXM_TEST_DATA names the data directory. */
static void data_path(char *dst, size_t cap, const char *rel)
{
    const char *env = getenv("CXM_TEST_DATA");
    const char *f = __FILE__;
    const char *slash = strrchr(f, '/');

    if (env && *env)
        snprintf(dst, cap, "%s/%s", env, rel);
    else if (slash)
        snprintf(dst, cap, "%.*s/../data/%s", (int)(slash - f), f, rel);
    else
        snprintf(dst, cap, "../data/%s", rel);
}

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof(*fx));
    const char *tmp = getenv("CXM_TEST_TMP");
    char *err = NULL;

    if (!fx)
        return -1;
    if (!tmp || !*tmp)
        tmp = "/tmp";
    mkdir(tmp, 0700); /* may exist already */
    snprintf(fx->dir, sizeof(fx->dir), "%s/hdXXXXXX", tmp);
    if (!mkdtemp(fx->dir)) {
        free(fx);
        return -1;
    }
    snprintf(fx->db, sizeof(fx->db), "%s/store.db", fx->dir);
    if (cxm_store_open(fx->db, &fx->st, &err) != CXM_OK) {
        cxm_free(err);
        rmdir(fx->dir);
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;
    char p[700];

    cxm_store_close(fx->st);
    unlink(fx->db);
    snprintf(p, sizeof(p), "%s-wal", fx->db);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", fx->db);
    unlink(p);
    snprintf(p, sizeof(p), "%s-journal", fx->db);
    unlink(p);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static cxm_rc import(struct fx *fx, cxm_helpdesk vendor, bool strict,
                     const char *const *rel, size_t n,
                     struct cxm_import_result *res)
{
    struct cxm_import_opts o;
    char paths[4][600];
    const char *pp[4];

    assert_true(n <= 4);
    for (size_t i = 0; i < n; i++) {
        data_path(paths[i], sizeof(paths[i]), rel[i]);
        pp[i] = paths[i];
    }
    memset(&o, 0, sizeof(o));
    o.size = sizeof(o);
    o.strict = strict;
    o.on_diag = on_diag;
    o.ud = fx;
    fx->n_diags = 0;
    return cxm_import_helpdesk(fx->st, vendor, pp, n, &o, res);
}

static const char *const zendesk_files[] = {"zendesk/export_a.csv",
                                            "zendesk/export_b.csv"};
static const char *const freshdesk_files[] = {"freshdesk/tickets.csv"};

static const cxm_metric all_metrics[] = {
    CXM_METRIC_CREATED, CXM_METRIC_RESOLVED, CXM_METRIC_CSAT,
    CXM_METRIC_FCR,     CXM_METRIC_ART,      CXM_METRIC_FRT};

/* A report over all of 2024 (every fixture event falls in it), so the
 * default period (which ends at the last created/responded event) cannot
 * cut off a late first response or solve. */
static cxm_report *report(struct fx *fx, const cxm_dim *by, size_t n_by)
{
    struct cxm_report_query q;
    cxm_report *r = NULL;

    memset(&q, 0, sizeof(q));
    q.size = sizeof(q);
    q.metrics = all_metrics;
    q.n_metrics = sizeof(all_metrics) / sizeof(all_metrics[0]);
    q.by = by;
    q.n_by = n_by;
    q.has_from = q.has_to = true;
    assert_int_equal(cxm_time_parse("2024-01-01T00:00:00Z", 20, false,
                                    &q.from_ms, NULL),
                     CXM_OK);
    assert_int_equal(cxm_time_parse("2025-01-01T00:00:00Z", 20, false,
                                    &q.to_ms, NULL),
                     CXM_OK);
    assert_int_equal(cxm_report_run(fx->st, &q, &r), CXM_OK);
    assert_non_null(r);
    return r;
}

static struct cxm_figure fig(const cxm_report *r, size_t row, cxm_metric m)
{
    struct cxm_figure f = CXM_FIGURE_INIT;

    for (size_t j = 0; j < cxm_report_n_metrics(r); j++) {
        if (cxm_report_metric(r, j) == m) {
            assert_int_equal(cxm_report_figure(r, row, j, &f), CXM_OK);
            return f;
        }
    }
    fail_msg("metric %s not in the report", cxm_metric_name(m));
    return f;
}

/* The row whose only dimension is `value`. */
static size_t row_of(const cxm_report *r, const char *value)
{
    for (size_t i = 0; i < cxm_report_n_rows(r); i++) {
        if (strcmp(cxm_report_dim_value(r, i, 0), value) == 0)
            return i;
    }
    fail_msg("no row \"%s\"", value);
    return 0;
}

static void assert_value(struct cxm_figure f, double want)
{
    assert_false(f.is_null);
    assert_float_equal(f.value, want, 1e-6);
}

static void assert_diag(const struct fx *fx, size_t i, const char *file,
                        long line, int column, const char *column_name,
                        const char *reason_part)
{
    const struct seen_diag *d;

    assert_true(i < fx->n_diags);
    d = &fx->diags[i];
    assert_string_equal(d->file, file);
    assert_int_equal(d->line, line);
    assert_int_equal(d->column, column);
    assert_string_equal(d->column_name, column_name);
    if (!strstr(d->reason, reason_part))
        fail_msg("reason \"%s\" lacks \"%s\"", d->reason, reason_part);
}

/* The Zendesk fixtures, ticket by ticket (created → solved; first reply in
 * calendar minutes, never the business-hours twin):
 *   101 web    Good  solved +2h (Solved at wins over the 999 minutes)
 *              first +30 min, replies 1, reopens 0           → fcr yes
 *   102 email  Bad   solved +4h, first +60 min, reopens 1    → fcr no
 *   103 chat   Offered (no answer), open, first +15 min
 *   104 email  Unoffered, Solved at 1900-01-01 = not solved, no first reply
 *   105 web    good  solved +30 min, first +10 min, replies 3 → fcr no
 *   201 api    5     solved +90 min (full resolution), first +45 min,
 *              replies 1                                     → fcr yes
 *   202 phone  3     10/03/2024 14:00 (day first), solved +30 min,
 *              replies 0 (one-touch)                         → fcr yes
 *   203 twitter 4    not solved, first +20 min, answered at creation
 * Rejected: 106 (created "yesterday"), a row without id, 108 ("Great"),
 * 204 (score 7).
 *   created 8; resolved 5 (101, 102, 105, 201, 202)
 *   art: 7200, 14400, 1800, 5400, 1800 s → mean 30600/5 = 6120;
 *        sorted 1800 1800 5400 7200 14400 → median 5400,
 *        p90 at rank 3.6 → 7200 + 0.6 × 7200 = 11520
 *   fcr = 3/5 = 60
 *   csat: Good (3 of 1-3) yes, Bad no, good yes, 5 yes, 3 no, 4 yes
 *         → 4/6 = 66.666667
 *   frt: 1800, 3600, 900, 600, 2700, 1200 → mean 10800/6 = 1800 */
static void test_import_helpdesk__zendesk_figures(void **state)
{
    struct fx *fx = *state;
    struct cxm_import_result res;
    cxm_report *r;

    assert_int_equal(import(fx, CXM_HELPDESK_ZENDESK, false, zendesk_files,
                            2, &res),
                     CXM_OK);
    assert_int_equal(res.n_imported, 8);
    assert_int_equal(res.n_rejected, 4);

    r = report(fx, NULL, 0);
    assert_int_equal(cxm_report_n_rows(r), 1);
    assert_value(fig(r, 0, CXM_METRIC_CREATED), 8);
    assert_value(fig(r, 0, CXM_METRIC_RESOLVED), 5);
    assert_value(fig(r, 0, CXM_METRIC_ART), 6120);
    assert_float_equal(fig(r, 0, CXM_METRIC_ART).median, 5400, 1e-6);
    assert_float_equal(fig(r, 0, CXM_METRIC_ART).p90, 11520, 1e-6);
    assert_value(fig(r, 0, CXM_METRIC_FCR), 60);
    assert_int_equal(fig(r, 0, CXM_METRIC_FCR).n, 5);
    assert_value(fig(r, 0, CXM_METRIC_CSAT), 400.0 / 6);
    assert_int_equal(fig(r, 0, CXM_METRIC_CSAT).n, 6);
    assert_value(fig(r, 0, CXM_METRIC_FRT), 1800);
    assert_int_equal(fig(r, 0, CXM_METRIC_FRT).n, 6);
    cxm_report_free(r);
}

/* Each rejected row names its file, physical line, the vendor's column
 * (1-based, as the header was written, trimmed) and why. */
static void test_import_helpdesk__zendesk_diagnostics(void **state)
{
    struct fx *fx = *state;
    struct cxm_import_result res;

    assert_int_equal(import(fx, CXM_HELPDESK_ZENDESK, false, zendesk_files,
                            2, &res),
                     CXM_OK);
    assert_int_equal(fx->n_diags, 4);
    assert_diag(fx, 0, "export_a.csv", 7, 6, "Created at",
                "not a date and time");
    assert_diag(fx, 1, "export_a.csv", 8, 1, "ID", "required value missing");
    assert_diag(fx, 2, "export_a.csv", 9, 13, "Satisfaction Score",
                "not a satisfaction rating");
    assert_diag(fx, 3, "export_b.csv", 5, 13, "Satisfaction rating",
                "outside 1-5");
}

/* Channels are folded (Web form → web, Mail → email, Phone call
 * (incoming) → phone, API → api), others lower-cased (Twitter); responses
 * take the ticket's channel. Topic comes from "Topic [list]" in one file
 * and "Category [list]" in the other; "-" is no topic.
 *   web: 101, 105 → created 2, csat 2/2 = 100
 *   email: 102, 104 → created 2, csat 0/1 = 0
 *   Refunds: 101, 102; Shipping: 104, 105; Returns: 201, 202;
 *   "": 103, 203 (csat 1/1 = 100, from 203's 4) */
static void test_import_helpdesk__zendesk_breakdowns(void **state)
{
    struct fx *fx = *state;
    struct cxm_import_result res;
    const cxm_dim by_channel[] = {CXM_BY_CHANNEL};
    const cxm_dim by_topic[] = {CXM_BY_TOPIC};
    cxm_report *r;

    assert_int_equal(import(fx, CXM_HELPDESK_ZENDESK, false, zendesk_files,
                            2, &res),
                     CXM_OK);
    r = report(fx, by_channel, 1);
    assert_int_equal(cxm_report_n_rows(r), 6);
    assert_value(fig(r, row_of(r, "web"), CXM_METRIC_CREATED), 2);
    assert_value(fig(r, row_of(r, "web"), CXM_METRIC_CSAT), 100);
    assert_value(fig(r, row_of(r, "email"), CXM_METRIC_CREATED), 2);
    assert_value(fig(r, row_of(r, "email"), CXM_METRIC_CSAT), 0);
    assert_value(fig(r, row_of(r, "chat"), CXM_METRIC_CREATED), 1);
    assert_value(fig(r, row_of(r, "api"), CXM_METRIC_CREATED), 1);
    assert_value(fig(r, row_of(r, "phone"), CXM_METRIC_CREATED), 1);
    assert_value(fig(r, row_of(r, "twitter"), CXM_METRIC_CREATED), 1);
    cxm_report_free(r);

    r = report(fx, by_topic, 1);
    assert_int_equal(cxm_report_n_rows(r), 4);
    assert_value(fig(r, row_of(r, "Refunds"), CXM_METRIC_CREATED), 2);
    assert_value(fig(r, row_of(r, "Shipping"), CXM_METRIC_CREATED), 2);
    assert_value(fig(r, row_of(r, "Returns"), CXM_METRIC_CREATED), 2);
    assert_value(fig(r, row_of(r, ""), CXM_METRIC_CREATED), 2);
    assert_value(fig(r, row_of(r, ""), CXM_METRIC_CSAT), 100);
    cxm_report_free(r);
}

/* Importing the same export again replaces every ticket and response by
 * itself: the figures do not move. */
static void test_import_helpdesk__reimport_is_idempotent(void **state)
{
    struct fx *fx = *state;
    struct cxm_import_result res;
    cxm_report *r;

    for (int i = 0; i < 2; i++) {
        assert_int_equal(import(fx, CXM_HELPDESK_ZENDESK, false,
                                zendesk_files, 2, &res),
                         CXM_OK);
        assert_int_equal(res.n_imported, 8);
        assert_int_equal(res.n_rejected, 4);
    }
    r = report(fx, NULL, 0);
    assert_value(fig(r, 0, CXM_METRIC_CREATED), 8);
    assert_value(fig(r, 0, CXM_METRIC_CSAT), 400.0 / 6);
    assert_int_equal(fig(r, 0, CXM_METRIC_CSAT).n, 6);
    assert_value(fig(r, 0, CXM_METRIC_ART), 6120);
    cxm_report_free(r);
}

/* --strict: one bad row and nothing is stored, good rows included. */
static void test_import_helpdesk__strict_stores_nothing(void **state)
{
    struct fx *fx = *state;
    struct cxm_import_result res;
    cxm_report *r;

    assert_int_equal(import(fx, CXM_HELPDESK_ZENDESK, true, zendesk_files,
                            2, &res),
                     CXM_EINPUT);
    assert_int_equal(res.n_imported, 0);
    assert_int_equal(res.n_rejected, 4);
    r = report(fx, NULL, 0);
    assert_true(fig(r, 0, CXM_METRIC_CREATED).is_null);
    assert_true(fig(r, 0, CXM_METRIC_CSAT).is_null);
    cxm_report_free(r);
}

/* A header without a creation-time column stops the whole import, and
 * what was read before it in the same call is rolled back. */
static void test_import_helpdesk__header_without_created_time(void **state)
{
    struct fx *fx = *state;
    struct cxm_import_result res;
    const char *const files[] = {"zendesk/export_b.csv",
                                 "zendesk/no_created.csv"};
    cxm_report *r;

    assert_int_equal(import(fx, CXM_HELPDESK_ZENDESK, false, files, 2, &res),
                     CXM_EINPUT);
    assert_int_equal(res.n_imported, 0);
    assert_diag(fx, fx->n_diags - 1, "no_created.csv", 1, 0, "",
                "header lacks the creation time column");
    r = report(fx, NULL, 0);
    assert_true(fig(r, 0, CXM_METRIC_CREATED).is_null);
    cxm_report_free(r);
}

/* The Freshdesk fixture (ticket 2's subject holds a newline, so the rows
 * after it start one physical line later):
 *   1 email  Extremely happy (7 of 1-7) yes; Resolved time +90 min wins
 *            over 2.5 hrs; Initial response time +10 min wins over
 *            0.25 hrs; agent interactions 1                 → fcr yes
 *   2 web (Portal)  Very unhappy (2) no; solved +2:00 h, first +0:30 h;
 *            agent interactions 3                           → fcr no
 *   3 phone  Neutral (4 of 1-7) no; solved at Closed time +3h; 0 → fcr yes
 *   4 chat   no rating; open; first +1.5 h
 *   5 email  4 (of 1-5) yes; solved +45 min                 → fcr yes
 *   6 web (Feedback Widget)  Awesome (3 of 1-3) yes; +1h    → fcr yes
 *   9 email  -103 (1 of 1-7) no; solved +30 min             → fcr yes
 * Rejected: 7 (no Created time, line 9), 8 (resolved before created,
 * line 10).
 *   created 7; resolved 6
 *   art: 5400, 7200, 10800, 2700, 3600, 1800 → mean 31500/6 = 5250;
 *        sorted 1800 2700 3600 5400 7200 10800 → median 4500,
 *        p90 at rank 4.5 → 7200 + 0.5 × 3600 = 9000
 *   fcr = 5/6 = 83.333333; csat = 3/6 = 50
 *   frt: 600, 1800, 5400 → mean 2600 */
static void test_import_helpdesk__freshdesk_figures(void **state)
{
    struct fx *fx = *state;
    struct cxm_import_result res;
    const cxm_dim by_topic[] = {CXM_BY_TOPIC};
    cxm_report *r;

    assert_int_equal(import(fx, CXM_HELPDESK_FRESHDESK, false,
                            freshdesk_files, 1, &res),
                     CXM_OK);
    assert_int_equal(res.n_imported, 7);
    assert_int_equal(res.n_rejected, 2);
    assert_int_equal(fx->n_diags, 2);
    assert_diag(fx, 0, "tickets.csv", 9, 9, "Created time",
                "required value missing");
    assert_diag(fx, 1, "tickets.csv", 10, 10, "Resolved time",
                "resolved_at is before created_at");

    r = report(fx, NULL, 0);
    assert_value(fig(r, 0, CXM_METRIC_CREATED), 7);
    assert_value(fig(r, 0, CXM_METRIC_RESOLVED), 6);
    assert_value(fig(r, 0, CXM_METRIC_ART), 5250);
    assert_float_equal(fig(r, 0, CXM_METRIC_ART).median, 4500, 1e-6);
    assert_float_equal(fig(r, 0, CXM_METRIC_ART).p90, 9000, 1e-6);
    assert_value(fig(r, 0, CXM_METRIC_FCR), 500.0 / 6);
    assert_value(fig(r, 0, CXM_METRIC_CSAT), 50);
    assert_int_equal(fig(r, 0, CXM_METRIC_CSAT).n, 6);
    assert_value(fig(r, 0, CXM_METRIC_FRT), 2600);
    assert_int_equal(fig(r, 0, CXM_METRIC_FRT).n, 3);
    cxm_report_free(r);

    /* Topic from the custom "Category" column: Orders 1, 3, 9;
     * Billing 2, 6; Account 5; none 4. */
    r = report(fx, by_topic, 1);
    assert_int_equal(cxm_report_n_rows(r), 4);
    assert_value(fig(r, row_of(r, "Orders"), CXM_METRIC_CREATED), 3);
    assert_value(fig(r, row_of(r, "Billing"), CXM_METRIC_CREATED), 2);
    assert_value(fig(r, row_of(r, "Account"), CXM_METRIC_CREATED), 1);
    assert_value(fig(r, row_of(r, ""), CXM_METRIC_CREATED), 1);
    cxm_report_free(r);
}

static void test_import_helpdesk__vendor_names(void **state)
{
    cxm_helpdesk v;

    (void)state;
    assert_int_equal(cxm_helpdesk_parse("Zendesk", &v), CXM_OK);
    assert_int_equal(v, CXM_HELPDESK_ZENDESK);
    assert_int_equal(cxm_helpdesk_parse("FRESHDESK", &v), CXM_OK);
    assert_int_equal(v, CXM_HELPDESK_FRESHDESK);
    assert_int_equal(cxm_helpdesk_parse("tickets", &v), CXM_ENOTFOUND);
    assert_string_equal(cxm_helpdesk_name(CXM_HELPDESK_FRESHDESK),
                        "freshdesk");
    assert_string_equal(cxm_helpdesk_name((cxm_helpdesk)7), "");
}

static void test_import_helpdesk__bad_arguments_and_files(void **state)
{
    struct fx *fx = *state;
    struct cxm_import_result res;
    const char *const missing[] = {"zendesk/no_such_file.csv"};

    assert_int_equal(cxm_import_helpdesk(NULL, CXM_HELPDESK_ZENDESK, NULL, 0,
                                         NULL, &res),
                     CXM_EINVAL);
    assert_int_equal(cxm_import_helpdesk(fx->st, (cxm_helpdesk)9, NULL, 0,
                                         NULL, &res),
                     CXM_EINVAL);
    assert_int_equal(cxm_import_helpdesk(fx->st, CXM_HELPDESK_ZENDESK, NULL,
                                         0, NULL, NULL),
                     CXM_EINVAL);
    assert_int_equal(import(fx, CXM_HELPDESK_ZENDESK, false, missing, 1,
                            &res),
                     CXM_EIO);
    assert_int_equal(fx->n_diags, 1);
    /* The system's reason follows (strerror). */
    assert_string_equal(fx->diags[0].reason,
                        "cannot open the file: No such file or directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_import_helpdesk__zendesk_figures, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_import_helpdesk__zendesk_diagnostics, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_import_helpdesk__zendesk_breakdowns, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_import_helpdesk__reimport_is_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_import_helpdesk__strict_stores_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_import_helpdesk__header_without_created_time, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_import_helpdesk__freshdesk_figures, setup, teardown),
        cmocka_unit_test(test_import_helpdesk__vendor_names),
        cmocka_unit_test_setup_teardown(
            test_import_helpdesk__bad_arguments_and_files, setup, teardown),
    };

    return cmocka_run_group_tests_name("import_helpdesk", tests, NULL, NULL);
}
