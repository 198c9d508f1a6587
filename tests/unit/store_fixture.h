/* SPDX-License-Identifier: MIT
 *
 * store_fixture.h — a store in a fresh temporary directory for the cmocka
 * tests that import and report through the public API, and the removal of
 * everything it leaves there: the store, SQLite's -wal and -shm, the
 * column segment file -cols (docs/store.md) and the imported CSV.
 * Included by each test program that needs it: static inline functions.
 */
#ifndef CXM_TEST_STORE_FIXTURE_H
#define CXM_TEST_STORE_FIXTURE_H

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
#include "test_tmpdir.h"

struct store_fixture {
    char dir[256];
    char db[300];
    char dsn[340];
    cxm_store *st;
};

/* The DSN of the store: its path, or with CXM_TEST_ENGINE=rowtest in the
 * environment "rowtest:" and its path (the row-only test engine, src/store/
 * rowtest/: the ctests *_rowtest run the store-level tests against it),
 * or with CXM_TEST_ENGINE=pg a new database on the tests' PostgreSQL
 * cluster, the DSN printed by the command $CXM_PG_NEWDB (the ctests *_pg;
 * tests/CMakeLists.txt). The same DSN for every call on one fixture. */
static inline const char *store_fixture_dsn(struct store_fixture *sf)
{
    const char *engine = getenv("CXM_TEST_ENGINE");
    const char *newdb = getenv("CXM_PG_NEWDB");
    FILE *p;
    size_t n;

    if (!engine || !*engine)
        return sf->db;
    if (strcmp(engine, "pg") != 0) {
        snprintf(sf->dsn, sizeof(sf->dsn), "%s:%s", engine, sf->db);
        return sf->dsn;
    }
    if (sf->dsn[0])
        return sf->dsn;
    if (!newdb || !*newdb)
        fail_msg("CXM_TEST_ENGINE=pg needs CXM_PG_NEWDB (run it by ctest)");
    p = popen(newdb, "r");
    if (!p)
        fail_msg("cannot run CXM_PG_NEWDB: %s", newdb);
    n = fread(sf->dsn, 1, sizeof(sf->dsn) - 1, p);
    sf->dsn[n] = '\0';
    while (n && (sf->dsn[n - 1] == '\n' || sf->dsn[n - 1] == ' '))
        sf->dsn[--n] = '\0';
    if (pclose(p) != 0 || n == 0)
        fail_msg("CXM_PG_NEWDB failed: %s", newdb);
    return sf->dsn;
}

/* Opens a new store in a new directory cxm-test-<name>-XXXXXX
 * (test_tmpdir.h). */
static inline void store_fixture_open(struct store_fixture *sf,
                                      const char *name)
{
    char *err = NULL;
    char prefix[64];

    snprintf(prefix, sizeof(prefix), "cxm-test-%s", name);
    assert_int_equal(test_mkdtemp(sf->dir, sizeof(sf->dir), prefix), 0);
    snprintf(sf->db, sizeof(sf->db), "%s/t.db", sf->dir);
    sf->dsn[0] = '\0';
    assert_int_equal(cxm_store_open(store_fixture_dsn(sf), &sf->st, &err),
                     CXM_OK);
}

/* Closes the store and removes its directory with all that is in it. */
static inline void store_fixture_remove(struct store_fixture *sf)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-cols"};
    char path[400];

    cxm_store_close(sf->st);
    sf->st = NULL;
    for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        snprintf(path, sizeof(path), "%s%s", sf->db, suffix[i]);
        unlink(path);
    }
    snprintf(path, sizeof(path), "%s/in.csv", sf->dir);
    unlink(path);
    assert_int_equal(rmdir(sf->dir), 0);
}

/* The figure of metric j in row `row` of r. */
static inline struct cxm_figure report_fig(const cxm_report *r, size_t row,
                                           size_t j)
{
    struct cxm_figure f = CXM_FIGURE_INIT;

    assert_int_equal(cxm_report_figure(r, row, j, &f), CXM_OK);
    return f;
}

/* A query of metrics ms[0..n_ms) by by[0..n_by), the rest default. */
static inline void report_query_init(struct cxm_report_query *q,
                                     const cxm_metric *ms, size_t n_ms,
                                     const cxm_dim *by, size_t n_by)
{
    memset(q, 0, sizeof(*q));
    q->size = sizeof(*q);
    q->metrics = ms;
    q->n_metrics = n_ms;
    q->by = by;
    q->n_by = n_by;
}

/* The report of metrics ms[0..n_ms) by by[0..n_by), read as `read`;
 * it must run. */
static inline cxm_report *store_fixture_report(struct store_fixture *sf,
                                               const cxm_metric *ms,
                                               size_t n_ms, const cxm_dim *by,
                                               size_t n_by, cxm_read read)
{
    struct cxm_report_query q;
    cxm_report *r = NULL;

    report_query_init(&q, ms, n_ms, by, n_by);
    q.read = read;
    assert_int_equal(cxm_report_run(sf->st, &q, &r), CXM_OK);
    return r;
}

/* Writes `csv` to a file and imports it as `kind`; all rows must pass. */
static inline void store_fixture_import(struct store_fixture *sf,
                                        cxm_kind kind, const char *csv)
{
    char path[400];
    const char *paths[1] = {path};
    struct cxm_import_result res;
    FILE *fp;

    snprintf(path, sizeof(path), "%s/in.csv", sf->dir);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(csv, fp);
    fclose(fp);
    assert_int_equal(cxm_import_files(sf->st, kind, paths, 1, NULL, &res),
                     CXM_OK);
    assert_int_equal(res.n_rejected, 0);
}

/* cmocka setup and teardown for tests whose state is just the store. */
static inline int store_fixture_setup(void **state, const char *name)
{
    struct store_fixture *sf = calloc(1, sizeof(*sf));

    assert_non_null(sf);
    store_fixture_open(sf, name);
    *state = sf;
    return 0;
}

static inline int store_fixture_teardown(void **state)
{
    store_fixture_remove(*state);
    free(*state);
    return 0;
}

#endif /* CXM_TEST_STORE_FIXTURE_H */
