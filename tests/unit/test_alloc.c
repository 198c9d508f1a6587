/* SPDX-License-Identifier: MIT
 *
 * test_alloc.c — allocation-failure tests (STYLE.md §4.11, after SQLite's
 * OOM tests): imports (CSVs of tickets and of survey answers, a Zendesk
 * export) and a report are run with the library's n-th
 * allocation failing, for n = 1, 2, … until one runs with no failure
 * left. Each failed run returns CXM_ENOMEM, leaves the store as it was and
 * frees what it allocated (an import whose failure comes after its commit,
 * in a cache, returns CXM_OK with its rows stored) (the ASan build's leak checker sees the rest).
 * The program links src/core/alloc.c built with CXM_UNIT_TEST, which holds
 * the failure hook (tests/CMakeLists.txt); SQLite's own allocations do not
 * fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "internal.h"
#include "store_fixture.h"

static const char tickets_a[] =
    "ticket_id,created_at,resolved_at,agent_id,team,channel\n"
    "T1,2026-03-01T09:00:00Z,2026-03-01T10:00:00Z,a1,north,email\n"
    "T2,2026-03-02T09:00:00Z,2026-03-03T09:00:00Z,a2,south,chat\n";

static const char tickets_b[] =
    "ticket_id,created_at,resolved_at,agent_id,team,channel\n"
    "T3,2026-03-04T09:00:00Z,2026-03-04T09:30:00Z,a1,north,phone\n"
    "T4,2026-04-05T09:00:00Z,,a3,south,email\n"
    "T5,2026-04-06T09:00:00Z,2026-04-07T09:00:00Z,a2,north,chat\n";

static const char responses_a[] =
    "response_id,survey,responded_at,score,ticket_id\n"
    "R1,csat,2026-03-01T11:00:00Z,5,T1\n"
    "R2,nps,2026-03-02T11:00:00Z,9,T2\n";

static const char responses_b[] =
    "response_id,survey,responded_at,score,ticket_id\n"
    "R3,csat,2026-03-04T11:00:00Z,2,T3\n"
    "R4,nps,2026-04-05T11:00:00Z,3,T4\n"
    "R5,ces,2026-04-07T11:00:00Z,6,T5\n";

/* A Zendesk export (docs/import.md): tickets and their csat answers. */
static const char zendesk[] =
    "ID,Requester ID,Assignee,Group,Via,Created at,Solved at,"
    "First reply time in minutes,Satisfaction Score\n"
    "101,c1,Ana,Billing,Web form,2026-05-01 09:00:00,2026-05-01 11:00:00,"
    "30,Good\n"
    "102,c2,Bo,Support,Email,2026-05-02 10:00:00,,60,Bad\n";

/* Imports as CXM_KIND_TICKETS etc., or as a Zendesk export. */
#define AS_ZENDESK CXM_KIND_COUNT

static int setup(void **state)
{
    struct store_fixture *sf = calloc(1, sizeof(*sf));

    if (!sf)
        return -1;
    store_fixture_open(sf, "alloc");
    store_fixture_import(sf, CXM_KIND_TICKETS, tickets_a);
    store_fixture_import(sf, CXM_KIND_RESPONSES, responses_a);
    *state = sf;
    return 0;
}

static int teardown(void **state)
{
    struct store_fixture *sf = *state;

    cxm__alloc_fail_at(0);
    store_fixture_remove(sf);
    free(sf);
    return 0;
}

/* The rows of the stored tables, summed over a second connection. */
static long long stored_rows(const struct store_fixture *sf)
{
    static const char *const sql[] = {
        "SELECT count(*) FROM tickets", "SELECT count(*) FROM responses",
        "SELECT count(*) FROM rollup_answers"};
    sqlite3 *db;
    long long total = 0;

    assert_int_equal(sqlite3_open_v2(sf->db, &db, SQLITE_OPEN_READONLY,
                                     NULL),
                     SQLITE_OK);
    for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
        sqlite3_stmt *s;
        assert_int_equal(sqlite3_prepare_v2(db, sql[i], -1, &s, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(s), SQLITE_ROW);
        total = total * 1000 + sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return total;
}

/* Imports `csv` as `kind` with the n-th allocation failing; returns the
 * status and sets *failed to whether the failure was reached. */
static cxm_rc import_failing(struct store_fixture *sf, cxm_kind kind,
                             const char *csv, long n, bool *failed)
{
    char path[400];
    const char *paths[1] = {path};
    struct cxm_import_result res;
    FILE *fp;
    cxm_rc rc;

    snprintf(path, sizeof(path), "%s/in.csv", sf->dir);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(csv, fp);
    fclose(fp);
    cxm__alloc_fail_at(n);
    if (kind == AS_ZENDESK)
        rc = cxm_import_helpdesk(sf->st, CXM_HELPDESK_ZENDESK, paths, 1, NULL,
                                 &res);
    else
        rc = cxm_import_files(sf->st, kind, paths, 1, NULL, &res);
    *failed = cxm__alloc_failed();
    cxm__alloc_fail_at(0);
    return rc;
}

static void fail_every_nth_import(struct store_fixture *sf, cxm_kind kind,
                                  const char *csv)
{
    const char *name = kind == AS_ZENDESK ? "zendesk" : cxm_kind_name(kind);
    long long before = stored_rows(sf);
    bool failed = true;
    long n;

    for (n = 1; failed; n++) {
        long long expect = stored_rows(sf);
        cxm_rc rc = import_failing(sf, kind, csv, n, &failed);
        if (!failed) {
            assert_int_equal(rc, CXM_OK);
            break;
        }
        /* CXM_OK with the failure reached: it came after the commit, in
         * the column file refreshed as a cache (a benign failure); the
         * rows are stored and importing them again changes nothing. */
        if (rc == CXM_OK)
            continue;
        if (rc != CXM_ENOMEM)
            fail_msg("import of %s, allocation %ld failing: %s", name, n,
                     cxm_strerror(rc));
        if (stored_rows(sf) != expect)
            fail_msg("import of %s, allocation %ld failing: rows stored",
                     name, n);
    }
    print_message("import of %s: allocations 1 to %ld failed in turn\n", name,
                  n - 1);
    assert_true(n > 1);
    assert_true(stored_rows(sf) != before);
}

/* A report by month and channel, formatted as JSON, table and CSV. */
static cxm_rc report_all(cxm_store *st)
{
    static const cxm_dim by[] = {CXM_BY_MONTH, CXM_BY_CHANNEL};
    static const cxm_format fmts[] = {CXM_FORMAT_JSON, CXM_FORMAT_TABLE,
                                      CXM_FORMAT_CSV};
    struct cxm_report_query q = {0};
    cxm_report *r = NULL;
    cxm_rc rc;

    q.size = sizeof(q);
    q.by = by;
    q.n_by = 2;
    rc = cxm_report_run(st, &q, &r);
    for (size_t i = 0; !rc && i < sizeof(fmts) / sizeof(fmts[0]); i++) {
        char *out = NULL;
        size_t len;
        rc = cxm_report_format(r, fmts[i], &out, &len);
        cxm_free(out);
    }
    cxm_report_free(r);
    return rc;
}

static void test_alloc__fail_every_nth(void **state)
{
    struct store_fixture *sf = *state;
    bool failed = true;
    long n;

    fail_every_nth_import(sf, CXM_KIND_TICKETS, tickets_b);
    fail_every_nth_import(sf, CXM_KIND_RESPONSES, responses_b);
    fail_every_nth_import(sf, AS_ZENDESK, zendesk);
    for (n = 1; failed; n++) {
        long long before = stored_rows(sf);
        cxm_rc rc;

        cxm__alloc_fail_at(n);
        rc = report_all(sf->st);
        failed = cxm__alloc_failed();
        cxm__alloc_fail_at(0);
        if (!failed) {
            assert_int_equal(rc, CXM_OK);
            break;
        }
        if (rc != CXM_ENOMEM)
            fail_msg("report, allocation %ld failing: %s", n,
                     cxm_strerror(rc));
        assert_true(stored_rows(sf) == before);
    }
    print_message("report: allocations 1 to %ld failed in turn\n", n - 1);
    assert_true(n > 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_alloc__fail_every_nth, setup,
                                        teardown),
    };

    return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
