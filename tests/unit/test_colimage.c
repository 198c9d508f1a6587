/* SPDX-License-Identifier: MIT
 *
 * test_colimage.c — the column segment file (<store>-cols, docs/store.md)
 * as one long-lived store handle reads it: the image a report mapped is
 * kept for the handle's next report while the store's token and the file
 * are the same (store_sqlite_colfile.c, image_current()). Every report
 * must still check the segments it reads, take a changed store's answers,
 * and leave a file truncated or damaged in place (the same inode) for a
 * rebuilt one: each column report below equals the rows', on the same
 * handle, after each such change. SQLite only (the file is its own).
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
    return store_fixture_setup(state, "colimage");
}

static int teardown(void **state)
{
    return store_fixture_teardown(state);
}

static cxm_report *run(struct store_fixture *f, cxm_read read)
{
    static const cxm_metric ms[] = {CXM_METRIC_CSAT};
    static const cxm_dim by[] = {CXM_BY_MONTH};

    return store_fixture_report(f, ms, 1, by, 1, read);
}

/* Whether a warning of r names `what`. */
static bool warned(const cxm_report *r, const char *what)
{
    for (size_t i = 0; i < cxm_report_n_warnings(r); i++) {
        if (strstr(cxm_report_warning(r, i), what))
            return true;
    }
    return false;
}

/* The column report on f's handle, checked against the rows' figure by
 * figure; its answers counted; *warn: whether it warned of `what`. */
static int64_t columns_as_rows(struct store_fixture *f, const char *what,
                               bool *warn)
{
    cxm_report *c = run(f, CXM_READ_COLUMNS);
    cxm_report *r = run(f, CXM_READ_ROWS);
    int64_t n = 0;

    assert_int_equal(cxm_report_n_rows(c), cxm_report_n_rows(r));
    for (size_t row = 0; row < cxm_report_n_rows(r); row++) {
        struct cxm_figure a = report_fig(c, row, 0), b = report_fig(r, row, 0);
        assert_string_equal(cxm_report_dim_value(c, row, 0),
                            cxm_report_dim_value(r, row, 0));
        assert_int_equal(a.n, b.n);
        assert_true(a.value == b.value);
        n += b.n;
    }
    *warn = what && warned(c, what);
    cxm_report_free(c);
    cxm_report_free(r);
    return n;
}

/* Imports `n` CSAT answers from id `first` on, over three months. */
static void import_answers(struct store_fixture *f, int first, int n)
{
    char *csv = malloc((size_t)n * 64 + 64);
    size_t len = 0;

    assert_non_null(csv);
    len += (size_t)sprintf(csv, "response_id,survey,responded_at,score\n");
    for (int i = first; i < first + n; i++)
        len += (size_t)sprintf(csv + len, "r%d,csat,2026-%02d-%02dT10:00:00Z,%d\n",
                               i, 3 + i % 3, 1 + i % 28, 1 + (i * 7) % 5);
    store_fixture_import(f, CXM_KIND_RESPONSES, csv);
    free(csv);
}

/* import_answers() through a second handle on the same store. */
static void other_import(struct store_fixture *f, int first, int n)
{
    cxm_store *mine = f->st;
    char *err = NULL;

    assert_int_equal(cxm_store_open(f->db, &f->st, &err), CXM_OK);
    import_answers(f, first, n);
    cxm_store_close(f->st);
    f->st = mine;
}

/* An 8-byte little-endian field of the file at `off`. */
static uint64_t file_u64(FILE *fp, long off)
{
    unsigned char b[8];
    uint64_t v = 0;

    assert_int_equal(fseek(fp, off, SEEK_SET), 0);
    assert_int_equal(fread(b, 1, 8, fp), 8);
    for (int k = 7; k >= 0; k--)
        v = v << 8 | b[k];
    return v;
}

/* Flips the byte at `off` of the file, in place (the same inode, as a
 * mapping of it sees it). */
static void flip(const char *path, long off)
{
    FILE *fp = fopen(path, "r+b");
    int c;

    assert_non_null(fp);
    assert_int_equal(fseek(fp, off, SEEK_SET), 0);
    c = fgetc(fp);
    assert_true(c != EOF);
    assert_int_equal(fseek(fp, off, SEEK_SET), 0);
    assert_int_equal(fputc(c ^ 0x5a, fp), c ^ 0x5a);
    assert_int_equal(fclose(fp), 0);
}

static void test_colimage__kept_image_still_checked(void **state)
{
    struct store_fixture *f = *state;
    char cols[400];
    FILE *fp;
    long seg;
    bool warn;

    if (getenv("CXM_TEST_ENGINE") && *getenv("CXM_TEST_ENGINE"))
        skip();
    snprintf(cols, sizeof(cols), "%s-cols", f->db);
    import_answers(f, 0, 300);
    assert_int_equal(columns_as_rows(f, NULL, &warn), 300);
    /* Kept: the same figures again. */
    assert_int_equal(columns_as_rows(f, "damaged", &warn), 300);
    assert_false(warn);

    /* A segment's byte damaged in place under the kept mapping: seen by
     * the next report, the file rebuilt. Entry 0 (40 bytes after the
     * 40-byte header): workspace, t, answers, offset, length. */
    fp = fopen(cols, "rb");
    assert_non_null(fp);
    seg = (long)(file_u64(fp, 40 + 24) + file_u64(fp, 40 + 32) / 2);
    fclose(fp);
    flip(cols, seg);
    assert_int_equal(columns_as_rows(f, "-cols was damaged", &warn), 300);
    assert_true(warn);

    /* The store changed through this handle, then through another (a
     * token this handle has not seen): their new answers read. */
    import_answers(f, 300, 100);
    assert_int_equal(columns_as_rows(f, "damaged", &warn), 400);
    assert_false(warn);
    other_import(f, 400, 50);
    assert_int_equal(columns_as_rows(f, "damaged", &warn), 450);
    assert_false(warn);

    /* The mapped file truncated in place: remapped, never read past its
     * end. */
    fp = fopen(cols, "rb");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    seg = ftell(fp);
    fclose(fp);
    assert_int_equal(truncate(cols, seg / 2), 0);
    assert_int_equal(columns_as_rows(f, "-cols was damaged", &warn), 450);
    assert_true(warn);

    /* An entry damaged in place under a mapping: its segment's offset
     * past the file's end. */
    other_import(f, 450, 30);
    assert_int_equal(columns_as_rows(f, "damaged", &warn), 480);
    assert_false(warn);
    flip(cols, 40 + 24 + 3);
    assert_int_equal(columns_as_rows(f, "-cols was damaged", &warn), 480);
    assert_true(warn);
    assert_int_equal(columns_as_rows(f, "damaged", &warn), 480);
    assert_false(warn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_colimage__kept_image_still_checked, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
