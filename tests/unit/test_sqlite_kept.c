/* SPDX-License-Identifier: MIT
 *
 * test_sqlite_kept.c — the SQLite engine keeps the statements it runs on
 * every commit prepared (cxm__sq_kept(), struct cxm__sq): running the same
 * text again, or committing again, prepares nothing new; a text in use
 * twice at once gets two statements; closing finalizes them all (the
 * ASan build sees a connection that could not close as a leak).
 */
#include "store_fixture.h"

#include "internal.h"
#include "sqlite_int.h"

/* The statements prepared on the store's connection. */
static int n_stmts(cxm_store *st)
{
    int n = 0;

    for (sqlite3_stmt *s = sqlite3_next_stmt(cxm__sq_db(st), NULL); s;
         s = sqlite3_next_stmt(cxm__sq_db(st), s))
        n++;
    return n;
}

static void test_run_again_prepares_nothing(void **state)
{
    struct store_fixture sf;
    int64_t v = 0;
    int n0, n1;

    (void)state;
    if (getenv("CXM_TEST_ENGINE") && *getenv("CXM_TEST_ENGINE"))
        skip();
    store_fixture_open(&sf, "kept");
    n0 = n_stmts(sf.st);
    assert_int_equal(cxm__sq_run_ints(sf.st, "SELECT ?1 + 1",
                                      (int64_t[]){41}, 1, &v),
                     CXM_OK);
    assert_int_equal(v, 42);
    n1 = n_stmts(sf.st);
    assert_int_equal(n1, n0 + 1);
    /* The same text again: the kept statement, its binding cleared. */
    assert_int_equal(cxm__sq_run_ints(sf.st, "SELECT ?1 + 1",
                                      (int64_t[]){1}, 1, &v),
                     CXM_OK);
    assert_int_equal(v, 2);
    assert_int_equal(cxm__sq_run_ints(sf.st, "SELECT ?1 IS NULL", NULL, 0,
                                      &v),
                     CXM_OK);
    assert_int_equal(v, 1);
    assert_int_equal(n_stmts(sf.st), n1 + 1);
    /* A transaction, and its commit with the rollup flush, twice: the
     * second prepares nothing. */
    assert_int_equal(cxm__sq_begin(sf.st), CXM_OK);
    assert_int_equal(cxm__sq_rollup_flush(sf.st), CXM_OK);
    assert_int_equal(cxm__sq_commit(sf.st), CXM_OK);
    n1 = n_stmts(sf.st);
    assert_int_equal(cxm__sq_begin(sf.st), CXM_OK);
    assert_int_equal(cxm__sq_rollup_flush(sf.st), CXM_OK);
    assert_int_equal(cxm__sq_commit(sf.st), CXM_OK);
    assert_int_equal(n_stmts(sf.st), n1);
    store_fixture_remove(&sf);
}

static void test_text_in_use_twice(void **state)
{
    struct store_fixture sf;
    sqlite3_stmt *a = NULL, *b = NULL;

    (void)state;
    if (getenv("CXM_TEST_ENGINE") && *getenv("CXM_TEST_ENGINE"))
        skip();
    store_fixture_open(&sf, "kept2");
    assert_int_equal(cxm__sq_kept(sf.st, "SELECT 7", &a), CXM_OK);
    assert_int_equal(sqlite3_step(a), SQLITE_ROW);
    assert_int_equal(cxm__sq_kept(sf.st, "SELECT 7", &b), CXM_OK);
    assert_ptr_not_equal(a, b);
    assert_int_equal(sqlite3_step(b), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(b, 0), 7);
    cxm__sq_unkeep(sf.st, b);
    cxm__sq_unkeep(sf.st, a);
    /* Handed back: the first is handed out again, from its start. */
    assert_int_equal(cxm__sq_kept(sf.st, "SELECT 7", &b), CXM_OK);
    assert_ptr_equal(a, b);
    assert_int_equal(sqlite3_step(b), SQLITE_ROW);
    cxm__sq_unkeep(sf.st, b);
    store_fixture_remove(&sf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_again_prepares_nothing),
        cmocka_unit_test(test_text_in_use_twice),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
