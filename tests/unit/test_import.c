/* SPDX-License-Identifier: MIT
 *
 * test_import.c — unit tests of src/ingest/import.c, the two-stage import (parser
 * thread, writer): the same stored rows, counts, diagnostics and order as
 * a plain row-by-row import (the reference below, the import as it was
 * before the pipeline), on demo data (ids ascending: multi-row INSERTs)
 * and on files full of bad rows; later duplicates win; --strict, a
 * missing file and a store error store nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "internal.h"
#include "csv.h"
#include "record.h"
#include "store_int.h"

#include "cxmeter/demo.h"
#include "cxmeter/import.h"
#include "cxmeter/report.h"
#include "cxmeter/store.h"
#include "test_tmpdir.h"

#define DEMO_TICKETS 50000 /* about 275,000 rows over the nine kinds */

/* Diagnostics as the CLI prints them, in the order they came. */
struct diags {
    char **lines;
    size_t n, cap;
};

static void on_diag(const struct cxm_diag *d, void *ud)
{
    struct diags *ds = ud;
    char line[8192];

    snprintf(line, sizeof(line), "%s:%ld:%d: %s: %s", d->file, d->line,
             d->column, d->column_name, d->reason);
    if (ds->n == ds->cap) {
        ds->cap = ds->cap ? ds->cap * 2 : 64;
        ds->lines = realloc(ds->lines, ds->cap * sizeof(*ds->lines));
        assert_non_null(ds->lines);
    }
    ds->lines[ds->n] = strdup(line);
    assert_non_null(ds->lines[ds->n]);
    ds->n++;
}

static void diags_release(struct diags *ds)
{
    for (size_t i = 0; i < ds->n; i++)
        free(ds->lines[i]);
    free(ds->lines);
    memset(ds, 0, sizeof(*ds));
}

/* ---- The reference: one row at a time on one thread, as import.c was. */

static void ref_diag(const struct cxm_import_opts *o, const char *file,
                     long line, int column, const char *name,
                     const char *reason)
{
    struct cxm_diag d = {file, line, column, name ? name : "", reason};
    o->on_diag(&d, o->ud);
}

static cxm_rc ref_file(cxm_store *st, cxm_kind kind, const char *path,
                       const struct cxm_import_opts *o,
                       struct cxm_import_result *res)
{
    const struct cxm__kindspec *ks = cxm__kind_spec(kind);
    struct cxm__reject rej = {0, CXM__BUF_INIT(4096)};
    struct cxm__value vals[16];
    int colmap[16];
    struct cxm__csv *csv = NULL;
    struct cxm__csv_rec rec;
    const char *why = NULL;
    size_t n_header;
    char why_open[192];
    FILE *fp = cxm__csv_fopen(path, why_open, sizeof(why_open));
    cxm_rc rc;

    if (!fp) {
        ref_diag(o, path, 0, 0, "", why_open);
        return CXM_EIO;
    }
    assert_int_equal(cxm__csv_open(&csv, fp, 0), CXM_OK);
    rc = cxm__csv_next(csv, &rec, &why);
    assert_int_equal(rc, CXM_OK); /* the tests' files have a header */
    for (size_t j = 0; j < ks->n_cols; j++) {
        colmap[j] = -1;
        for (size_t f = 0; f < rec.n_fields; f++) {
            if (cxm__eq_nocase(rec.fields[f], rec.lens[f],
                               ks->cols[j].name))
                colmap[j] = (int)f;
        }
    }
    n_header = rec.n_fields;
    for (;;) {
        rc = cxm__csv_next(csv, &rec, &why);
        if (rc == CXM_ENOTFOUND) {
            rc = CXM_OK;
            break;
        }
        if (rc == CXM_EINPUT) {
            ref_diag(o, path, rec.line, 0, "", why);
            res->n_rejected++;
            continue;
        }
        assert_int_equal(rc, CXM_OK);
        rc = cxm__record_validate(kind, &rec, colmap, n_header, NULL, vals,
                                  &rej);
        if (rc == CXM_EINPUT) {
            int col = rej.col, fnum = col >= 0 ? colmap[col] : -1;
            ref_diag(o, path, rec.line, fnum >= 0 ? fnum + 1 : 0,
                     col >= 0 ? ks->cols[col].name : "", rej.reason.data);
            res->n_rejected++;
            continue;
        }
        assert_int_equal(rc, CXM_OK);
        rc = cxm__store_put(st, kind, vals);
        if (rc)
            break;
        res->n_imported++;
    }
    /* The kind and the optional columns of the header, as supplied
     * (0009-supplied.sql). */
    if (!rc)
        rc = cxm__store_put_supplied(st, kind, "");
    for (size_t j = 0; !rc && j < ks->n_cols; j++) {
        if (!ks->cols[j].required && colmap[j] >= 0)
            rc = cxm__store_put_supplied(st, kind, ks->cols[j].name);
    }
    cxm__buf_release(&rej.reason);
    cxm__csv_close(csv);
    cxm__csv_fclose(fp);
    return rc;
}

static cxm_rc ref_import(cxm_store *st, cxm_kind kind,
                         const char *const *paths, size_t n_paths,
                         const struct cxm_import_opts *o,
                         struct cxm_import_result *res)
{
    cxm_rc rc;

    memset(res, 0, sizeof(*res));
    assert_true(cxm__kind_spec(kind)->n_cols <= 16);
    rc = cxm__store_begin(st);
    for (size_t i = 0; i < n_paths && !rc; i++)
        rc = ref_file(st, kind, paths[i], o, res);
    if (!rc && o->strict && res->n_rejected)
        rc = CXM_EINPUT;
    if (rc) {
        cxm__store_rollback(st);
        res->n_imported = 0;
        return rc;
    }
    return cxm__store_commit(st);
}

/* ---- Fixture: a fresh directory per test. */

struct fx {
    char dir[512];
};

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof(*fx));

    if (!fx)
        return -1;
    if (test_mkdtemp(fx->dir, sizeof(fx->dir), "import") != 0) {
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;
    DIR *d = opendir(fx->dir);
    struct dirent *e;
    char p[1100];

    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", fx->dir, e->d_name);
        unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static void path(char *dst, size_t cap, const struct fx *fx,
                 const char *name)
{
    int n = snprintf(dst, cap, "%s/%s", fx->dir, name);
    assert_true(n > 0 && (size_t)n < cap);
}

static cxm_store *open_store(const struct fx *fx, const char *name)
{
    char p[1100];
    cxm_store *st = NULL;
    char *err = NULL;

    path(p, sizeof(p), fx, name);
    assert_int_equal(cxm_store_open(p, &st, &err), CXM_OK);
    return st;
}

/* SELECT of one integer from the store file `name`. */
static int64_t query_i64(const struct fx *fx, const char *name,
                         const char *sql)
{
    char p[1100];
    sqlite3 *db;
    sqlite3_stmt *s;
    int64_t v = -1;

    path(p, sizeof(p), fx, name);
    assert_int_equal(sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

/* Rows of `table` that are in one store and not in the other. */
static int64_t n_differing(const struct fx *fx, const char *table)
{
    char p[1100], sql[512];

    path(p, sizeof(p), fx, "ref.db");
    snprintf(sql, sizeof(sql),
             "SELECT (SELECT count(*) FROM (SELECT * FROM %s EXCEPT"
             " SELECT * FROM ref.%s)) + (SELECT count(*) FROM (SELECT *"
             " FROM ref.%s EXCEPT SELECT * FROM %s))",
             table, table, table, table);
    {
        char a[1100];
        sqlite3 *db;
        sqlite3_stmt *s;
        int64_t v = -1;
        char attach[1300];
        path(a, sizeof(a), fx, "new.db");
        assert_int_equal(sqlite3_open(a, &db), SQLITE_OK);
        snprintf(attach, sizeof(attach), "ATTACH '%s' AS ref", p);
        assert_int_equal(sqlite3_exec(db, attach, NULL, NULL, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL),
                         SQLITE_OK);
        if (sqlite3_step(s) == SQLITE_ROW)
            v = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
        sqlite3_close(db);
        return v;
    }
}

/* Imports `files` of `kind` both ways, into new.db and ref.db, and checks
 * that rc, counts and diagnostics (text and order) agree. Returns the
 * number of rejected rows. */
static uint64_t import_both(const struct fx *fx, cxm_kind kind,
                            const char *const *files, size_t n_files,
                            bool strict, cxm_rc want_rc)
{
    cxm_store *a = open_store(fx, "new.db"), *b = open_store(fx, "ref.db");
    struct diags da = {0}, db = {0};
    struct cxm_import_opts oa, ob;
    struct cxm_import_result ra, rb;

    memset(&oa, 0, sizeof(oa));
    oa.size = sizeof(oa);
    oa.strict = strict;
    oa.on_diag = on_diag;
    ob = oa;
    oa.ud = &da;
    ob.ud = &db;
    assert_int_equal(cxm_import_files(a, kind, files, n_files, &oa, &ra),
                     want_rc);
    assert_int_equal(ref_import(b, kind, files, n_files, &ob, &rb),
                     want_rc);
    assert_true(ra.n_imported == rb.n_imported);
    assert_true(ra.n_rejected == rb.n_rejected);
    assert_true(da.n == db.n);
    for (size_t i = 0; i < da.n; i++)
        assert_string_equal(da.lines[i], db.lines[i]);
    diags_release(&da);
    diags_release(&db);
    cxm_store_close(a);
    cxm_store_close(b);
    return ra.n_rejected;
}

/* The JSON report of the store file `name`, by month and channel. */
static char *report_json(const struct fx *fx, const char *name)
{
    cxm_store *st = open_store(fx, name);
    cxm_dim by[2] = {CXM_BY_MONTH, CXM_BY_CHANNEL};
    struct cxm_report_query q;
    cxm_report *r = NULL;
    char *out = NULL;
    size_t len = 0;

    memset(&q, 0, sizeof(q));
    q.size = sizeof(q);
    q.by = by;
    q.n_by = 2;
    assert_int_equal(cxm_report_run(st, &q, &r), CXM_OK);
    assert_int_equal(cxm_report_format(r, CXM_FORMAT_JSON, &out, &len),
                     CXM_OK);
    cxm_report_free(r);
    cxm_store_close(st);
    return out;
}

static void test_import__demo_data_same_as_row_by_row(void **state)
{
    static const char *const kinds[] = {
        "agents", "customers", "tickets", "responses", "orders",
        "selfservice", "agent_hours", "reviews", "qa_scores"};
    struct fx *fx = *state;
    struct cxm_demo_opts o;
    char *ja, *jb;

    memset(&o, 0, sizeof(o));
    o.size = sizeof(o);
    o.seed = 3;
    o.n_tickets = DEMO_TICKETS;
    assert_int_equal(cxm_demo_write(fx->dir, &o, NULL), CXM_OK);
    for (size_t i = 0; i < CXM_ARRAY_LEN(kinds); i++) {
        char file[1100];
        const char *files[1] = {file};
        cxm_kind kind;
        snprintf(file, sizeof(file), "%s/%s.csv", fx->dir, kinds[i]);
        assert_int_equal(cxm_kind_parse(kinds[i], &kind), CXM_OK);
        assert_true(import_both(fx, kind, files, 1, false, CXM_OK) == 0);
        assert_true(n_differing(fx, kinds[i]) == 0);
    }
    assert_true(query_i64(fx, "new.db", "SELECT count(*) FROM responses") >
                DEMO_TICKETS / 2);
    ja = report_json(fx, "new.db");
    jb = report_json(fx, "ref.db");
    assert_string_equal(ja, jb);
    cxm_free(ja);
    cxm_free(jb);
}

/* Writes `n` ticket rows to `name`: every 13th has a bad timestamp, every
 * 101st junk after a closing quote, every 7th a comment spanning lines,
 * every 50th a ticket_id seen before (the later row must win). */
static void write_bad_tickets(const struct fx *fx, const char *name, int n)
{
    char p[1100];
    FILE *f;

    path(p, sizeof(p), fx, name);
    f = fopen(p, "w");
    assert_non_null(f);
    fputs("ticket_id,created_at,team,status\n", f);
    for (int i = 1; i <= n; i++) {
        int id = i % 50 == 0 ? i - 25 : i;
        if (i % 101 == 0)
            fprintf(f, "T%d,\"2026-01-01T00:00:00Z\"x,t%d,open\n", id, i);
        else if (i % 13 == 0)
            fprintf(f, "T%d,2026-13-01T00:00:00Z,t%d,open\n", id, i);
        else if (i % 7 == 0)
            fprintf(f, "T%d,2026-01-01T00:00:%02dZ,t%d,\"two\nlines\"\n",
                    id, i % 60, i);
        else
            fprintf(f, "T%d,2026-01-01 00:00:%02d,t%d,open\n", id, i % 60,
                    i);
    }
    fclose(f);
}

/* Diagnostics across many batches and two files come out exactly as the
 * row-by-row import gives them, and the stores hold the same rows. */
static void test_import__bad_rows_reported_in_file_order(void **state)
{
    struct fx *fx = *state;
    char f1[1100], f2[1100];
    const char *files[2] = {f1, f2};

    write_bad_tickets(fx, "a.csv", 30000);
    write_bad_tickets(fx, "b.csv", 5000);
    path(f1, sizeof(f1), fx, "a.csv");
    path(f2, sizeof(f2), fx, "b.csv");
    assert_true(import_both(fx, CXM_KIND_TICKETS, files, 2, false,
                            CXM_OK) > 2000);
    assert_true(n_differing(fx, "tickets") == 0);
    assert_true(query_i64(fx, "new.db", "SELECT count(*) FROM tickets") >
                20000);
}

/* A later row with the same id replaces the earlier one (ids that do not
 * ascend: the engine stores them one row a statement). */
static void test_import__later_duplicate_wins(void **state)
{
    struct fx *fx = *state;
    char p[1100];
    const char *files[1] = {p};
    FILE *f;

    path(p, sizeof(p), fx, "dup.csv");
    f = fopen(p, "w");
    assert_non_null(f);
    fputs("ticket_id,created_at,team\n", f);
    for (int i = 0; i < 1000; i++)
        fprintf(f, "T%d,2026-01-01T00:00:00Z,team%d\n", i % 7, i);
    fclose(f);
    import_both(fx, CXM_KIND_TICKETS, files, 1, false, CXM_OK);
    assert_true(query_i64(fx, "new.db", "SELECT count(*) FROM tickets") ==
                7);
    /* The last row of T3 is i = 997. */
    assert_true(query_i64(fx, "new.db",
                          "SELECT substr(team, 5) + 0 FROM tickets"
                          " WHERE ticket_id = 'T3'") == 997);
    assert_true(n_differing(fx, "tickets") == 0);
}

/* --strict: every diagnostic is still reported, nothing is stored. */
static void test_import__strict_stores_nothing(void **state)
{
    struct fx *fx = *state;
    char p[1100];
    const char *files[1] = {p};

    write_bad_tickets(fx, "a.csv", 20000);
    path(p, sizeof(p), fx, "a.csv");
    assert_true(import_both(fx, CXM_KIND_TICKETS, files, 1, true,
                            CXM_EINPUT) > 1000);
    assert_true(query_i64(fx, "new.db", "SELECT count(*) FROM tickets") ==
                0);
}

/* A file that cannot be opened after a good one: nothing is stored. */
static void test_import__missing_file_stores_nothing(void **state)
{
    struct fx *fx = *state;
    char f1[1100], f2[1100];
    const char *files[2] = {f1, f2};

    write_bad_tickets(fx, "a.csv", 10000);
    path(f1, sizeof(f1), fx, "a.csv");
    path(f2, sizeof(f2), fx, "no-such.csv");
    import_both(fx, CXM_KIND_TICKETS, files, 2, false, CXM_EIO);
    assert_true(query_i64(fx, "new.db", "SELECT count(*) FROM tickets") ==
                0);
}

/* A store error in the middle (a trigger refuses one row): the writer
 * stops, the parser thread is cancelled while it still has rows to read,
 * and nothing is stored. */
static void test_import__store_error_stops_the_parser(void **state)
{
    struct fx *fx = *state;
    char p[1100], f[1100];
    const char *files[1] = {f};
    struct cxm_import_result res;
    cxm_store *st;
    sqlite3 *db;

    st = open_store(fx, "new.db"); /* creates the schema */
    cxm_store_close(st);
    path(p, sizeof(p), fx, "new.db");
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TRIGGER boom BEFORE INSERT ON"
                                  " tickets WHEN NEW.ticket_id = 'T5001'"
                                  " BEGIN SELECT RAISE(ABORT, 'boom'); END",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    write_bad_tickets(fx, "a.csv", 200000);
    path(f, sizeof(f), fx, "a.csv");
    st = open_store(fx, "new.db");
    assert_int_equal(cxm_import_files(st, CXM_KIND_TICKETS, files, 1, NULL,
                                      &res),
                     CXM_ESTORE);
    assert_non_null(strstr(cxm_store_errmsg(st), "boom"));
    assert_true(res.n_imported == 0);
    cxm_store_close(st);
    assert_true(query_i64(fx, "new.db", "SELECT count(*) FROM tickets") ==
                0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_import__demo_data_same_as_row_by_row, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_import__bad_rows_reported_in_file_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import__later_duplicate_wins,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_import__strict_stores_nothing,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_import__missing_file_stores_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_import__store_error_stops_the_parser, setup, teardown),
    };
    return cmocka_run_group_tests_name("import", tests, NULL, NULL);
}
