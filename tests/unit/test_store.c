/* SPDX-License-Identifier: MIT
 *
 * test_store.c — opening a store (cxm_store_open_ex: create, or an
 * existing store only, every failure a sentence with the store and the
 * reason) and the benchmarks kept in it (ranges, list, remove), through
 * the public API. Read-only stores need a user the permission bits apply
 * to: tests/hostile/test_store_open.py.
 */
#include <math.h>
#include <string.h>

#include "store_fixture.h"

static void missing_store_is_named_and_not_made(void **state)
{
    struct store_fixture sf;
    char path[400];
    cxm_store *st = NULL;
    char *err = NULL;

    (void)state;
    store_fixture_open(&sf, "store");
    snprintf(path, sizeof(path), "%s/typo.db", sf.dir);
    assert_int_equal(cxm_store_open_ex(path, CXM_OPEN_READ, &st, &err),
                     CXM_ESTORE);
    assert_null(st);
    assert_non_null(err);
    assert_non_null(strstr(err, "no store at"));
    assert_non_null(strstr(err, path));
    cxm_free(err);
    assert_int_not_equal(access(path, F_OK), 0);

    /* the existing one opens for reading, writable here (a SQLite file;
     * a PostgreSQL store opened for reading runs read-only transactions:
     * src/store/pg/conn.c) */
    assert_int_equal(cxm_store_open_ex(store_fixture_dsn(&sf), CXM_OPEN_READ,
                                       &st, &err),
                     CXM_OK);
    if (strncmp(store_fixture_dsn(&sf), "postgres", 8) != 0)
        assert_false(cxm_store_read_only(st));
    assert_true(cxm_store_schema_version(st) > 0);
    cxm_store_close(st);
    store_fixture_remove(&sf);
}

static void open_errors_carry_the_reason(void **state)
{
    struct store_fixture sf;
    char path[400];
    cxm_store *st = NULL;
    char *err = NULL;
    FILE *f;

    (void)state;
    store_fixture_open(&sf, "store");
    snprintf(path, sizeof(path), "%s/no/such/dir/x.db", sf.dir);
    assert_int_equal(cxm_store_open_ex(path, CXM_OPEN_CREATE, &st, &err),
                     CXM_ESTORE);
    assert_non_null(strstr(err, "No such file or directory"));
    cxm_free(err);

    snprintf(path, sizeof(path), "%s/in.csv", sf.dir); /* removed after */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("not a database, only some words\n", f);
    fclose(f);
    assert_int_equal(cxm_store_open_ex(path, CXM_OPEN_READ, &st, &err),
                     CXM_ESTORE);
    assert_non_null(strstr(err, "not a database"));
    cxm_free(err);

    assert_int_equal(cxm_store_open_ex(sf.dir, CXM_OPEN_READ, &st, &err),
                     CXM_ESTORE);
    assert_non_null(strstr(err, "Is a directory"));
    cxm_free(err);

    assert_int_equal(cxm_store_open_ex("", CXM_OPEN_READ, &st, &err),
                     CXM_EINVAL);
    assert_int_equal(cxm_store_open_ex("sqlite:", CXM_OPEN_CREATE, &st,
                                       &err),
                     CXM_EINVAL);
    assert_int_equal(cxm_store_open_ex(sf.db, 42, &st, &err), CXM_EINVAL);
    store_fixture_remove(&sf);
}

static cxm_rc count_bench(const char *metric, const char *label,
                          double value, int64_t set_at_ms, bool in_use,
                          void *ud)
{
    int *n = ud;

    (void)label;
    (void)value;
    (void)set_at_ms;
    if (strcmp(metric, "csat") == 0 && in_use)
        n[0]++;
    n[1]++;
    return CXM_OK;
}

static void benchmark_ranges_list_remove(void **state)
{
    struct store_fixture sf;
    double lo, hi;
    int64_t removed = -1;
    int n[2] = {0, 0};

    (void)state;
    store_fixture_open(&sf, "store");
    assert_int_equal(cxm_metric_range(NULL, CXM_METRIC_CSAT, &lo, &hi, NULL),
                     CXM_OK);
    assert_true(lo == 0 && hi == 100);
    assert_int_equal(cxm_metric_range(sf.st, CXM_METRIC_NPS, &lo, &hi, NULL),
                     CXM_OK);
    assert_true(lo == -100 && hi == 100);
    assert_int_equal(cxm_metric_range(sf.st, CXM_METRIC_CES, &lo, &hi, NULL),
                     CXM_OK);
    assert_true(lo == 1 && hi == 7);
    assert_int_equal(cxm_metric_range(sf.st, CXM_METRIC_ART, &lo, &hi, NULL),
                     CXM_OK);
    assert_true(lo == 0 && isinf(hi));

    assert_int_equal(cxm_benchmark_set(sf.st, CXM_METRIC_CSAT, 500, "x"),
                     CXM_EINPUT);
    assert_int_equal(cxm_benchmark_set(sf.st, CXM_METRIC_CSAT, 80, ""),
                     CXM_EINVAL);
    assert_int_equal(cxm_benchmark_set(sf.st, CXM_METRIC_NPS, -20, "peer"),
                     CXM_OK);
    assert_int_equal(cxm_benchmark_set(sf.st, CXM_METRIC_CSAT, 80, "a"),
                     CXM_OK);
    assert_int_equal(cxm_benchmark_set(sf.st, CXM_METRIC_CSAT, 85, "b"),
                     CXM_OK);
    assert_int_equal(cxm_benchmark_list(sf.st, count_bench, n), CXM_OK);
    assert_int_equal(n[0], 1); /* one csat in use: the latest */
    assert_int_equal(n[1], 3);
    assert_int_equal(cxm_benchmark_remove(sf.st, CXM_METRIC_CSAT, "b",
                                          &removed),
                     CXM_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(cxm_benchmark_remove(sf.st, CXM_METRIC_CSAT, "b",
                                          &removed),
                     CXM_OK);
    assert_int_equal(removed, 0);
    assert_int_equal(cxm_benchmark_remove(sf.st, CXM_METRIC_CSAT, "",
                                          &removed),
                     CXM_EINVAL);
    assert_int_equal(cxm_benchmark_remove(sf.st, CXM_METRIC_NPS, NULL,
                                          &removed),
                     CXM_OK);
    assert_int_equal(removed, 1);
    n[0] = n[1] = 0;
    assert_int_equal(cxm_benchmark_list(sf.st, count_bench, n), CXM_OK);
    assert_int_equal(n[1], 1);
    store_fixture_remove(&sf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(missing_store_is_named_and_not_made),
        cmocka_unit_test(open_errors_carry_the_reason),
        cmocka_unit_test(benchmark_ranges_list_remove),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
