/* SPDX-License-Identifier: MIT
 *
 * test_demo.c — the demo data set (src/demo/demo.c): the same seed gives the
 * same bytes, another seed other bytes, every file imports through the
 * public API with no rejected row, about one survey answer per ticket, and
 * the comments exercise RFC 4180 quoting (commas, quotes, line breaks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cxmeter/cxmeter.h"
#include "cxmeter/demo.h"
#include "cxmeter/import.h"
#include "cxmeter/store.h"
#include "test_tmpdir.h"

#define N_TICKETS 2000

static const char *const file_names[] = {
    "tickets.csv",     "responses.csv",   "customers.csv",
    "orders.csv",      "selfservice.csv", "agents.csv",
    "agent_hours.csv", "reviews.csv",     "qa_scores.csv",
};
#define N_FILES (sizeof(file_names) / sizeof(file_names[0]))

/* Three data sets written once for the whole group: a and b with the same
 * seed, c with another. */
struct fx {
    char root[512];
    char a[600], b[600], c[600];
};

static void path_join(char *dst, size_t cap, const char *dir,
                      const char *name)
{
    int n = snprintf(dst, cap, "%s/%s", dir, name);
    assert_true(n > 0 && (size_t)n < cap);
}

/* Removes every file in `dir` (no subdirectories are made), then `dir`. */
static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[1024];

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static void write_set(const char *dir, uint64_t seed)
{
    struct cxm_demo_opts o;
    char *err = NULL;
    cxm_rc rc;

    assert_int_equal(mkdir(dir, 0700), 0);
    memset(&o, 0, sizeof(o));
    o.size = sizeof(o);
    o.seed = seed;
    o.n_tickets = N_TICKETS;
    rc = cxm_demo_write(dir, &o, &err);
    if (rc)
        fprintf(stderr, "cxm_demo_write: %s\n", err ? err : "");
    cxm_free(err);
    assert_int_equal(rc, CXM_OK);
}

static int group_setup(void **state)
{
    struct fx *fx = calloc(1, sizeof(*fx));

    if (!fx)
        return -1;
    if (test_mkdtemp(fx->root, sizeof(fx->root), "demo") != 0) {
        free(fx);
        return -1;
    }
    path_join(fx->a, sizeof(fx->a), fx->root, "a");
    path_join(fx->b, sizeof(fx->b), fx->root, "b");
    path_join(fx->c, sizeof(fx->c), fx->root, "c");
    write_set(fx->a, 7);
    write_set(fx->b, 7);
    write_set(fx->c, 8);
    *state = fx;
    return 0;
}

static int group_teardown(void **state)
{
    struct fx *fx = *state;

    remove_dir(fx->a);
    remove_dir(fx->b);
    remove_dir(fx->c);
    rmdir(fx->root);
    free(fx);
    return 0;
}

/* The whole file; the caller frees it. */
static char *slurp(const char *dir, const char *name, size_t *len)
{
    char p[1024];
    FILE *f;
    long n;
    char *buf;

    path_join(p, sizeof(p), dir, name);
    f = fopen(p, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void test_demo__same_seed_same_bytes(void **state)
{
    struct fx *fx = *state;

    for (size_t i = 0; i < N_FILES; i++) {
        size_t la, lb;
        char *a = slurp(fx->a, file_names[i], &la);
        char *b = slurp(fx->b, file_names[i], &lb);
        if (la != lb || memcmp(a, b, la) != 0)
            fail_msg("%s differs between two runs with seed 7",
                     file_names[i]);
        free(a);
        free(b);
    }
}

static void test_demo__other_seed_other_bytes(void **state)
{
    struct fx *fx = *state;
    size_t la, lc;
    char *a = slurp(fx->a, "tickets.csv", &la);
    char *c = slurp(fx->c, "tickets.csv", &lc);

    assert_true(la != lc || memcmp(a, c, la) != 0);
    free(a);
    free(c);
}

static void test_demo__headers_are_the_spec_columns(void **state)
{
    static const char *const headers[N_FILES] = {
        "ticket_id,created_at,customer_id,agent_id,team,channel,"
        "first_response_at,resolved_at,status,contacts,reopened,escalated,"
        "complaint,topic\n",
        "response_id,survey,responded_at,question,score,scale,comment,"
        "ticket_id,customer_id,agent_id,team,channel,language\n",
        "customer_id,acquired_at,churned_at,segment,country,email,phone,"
        "language\n",
        "order_id,customer_id,ordered_at,amount,currency\n",
        "session_id,started_at,customer_id,kind,resolved,topic\n",
        "agent_id,team,hired_at,left_at\n",
        "agent_id,date,hours\n",
        "review_id,posted_at,rating,source,scale_max,text,language\n",
        "ticket_id,reviewer,score,max_score,reviewed_at\n",
    };
    struct fx *fx = *state;

    for (size_t i = 0; i < N_FILES; i++) {
        size_t len;
        char *s = slurp(fx->a, file_names[i], &len);
        assert_true(strncmp(s, headers[i], strlen(headers[i])) == 0);
        assert_int_equal(s[len - 1], '\n'); /* LF line ends throughout */
        assert_null(strchr(s, '\r'));
        free(s);
    }
}

struct diag_count {
    unsigned long n;
};

static void on_diag(const struct cxm_diag *d, void *ud)
{
    struct diag_count *dc = ud;

    if (dc->n++ < 5)
        fprintf(stderr, "%s:%ld: column %d (%s): %s\n", d->file, d->line,
                d->column, d->column_name, d->reason);
}

/* Every kind, in the order of `make demo`, with nothing rejected; about
 * one response per ticket (benchmarks rely on it). */
static void test_demo__every_file_imports_without_rejects(void **state)
{
    static const cxm_kind order[] = {
        CXM_KIND_AGENTS,      CXM_KIND_CUSTOMERS,   CXM_KIND_TICKETS,
        CXM_KIND_RESPONSES,   CXM_KIND_ORDERS,      CXM_KIND_SELFSERVICE,
        CXM_KIND_AGENT_HOURS, CXM_KIND_REVIEWS,     CXM_KIND_QA_SCORES,
    };
    struct fx *fx = *state;
    struct diag_count dc = {0};
    struct cxm_import_opts io;
    cxm_store *st = NULL;
    char db[700], path[700], *err = NULL;
    uint64_t n_tickets = 0, n_responses = 0;
    cxm_rc rc;

    path_join(db, sizeof(db), fx->a, "demo.db");
    rc = cxm_store_open(db, &st, &err);
    if (rc)
        fprintf(stderr, "cxm_store_open: %s\n", err ? err : "");
    cxm_free(err);
    assert_int_equal(rc, CXM_OK);

    memset(&io, 0, sizeof(io));
    io.size = sizeof(io);
    io.on_diag = on_diag;
    io.ud = &dc;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        struct cxm_import_result res;
        const char *paths[1];
        char name[64];

        snprintf(name, sizeof(name), "%s.csv", cxm_kind_name(order[i]));
        path_join(path, sizeof(path), fx->a, name);
        paths[0] = path;
        rc = cxm_import_files(st, order[i], paths, 1, &io, &res);
        assert_int_equal(rc, CXM_OK);
        if (res.n_rejected)
            fail_msg("%s: %llu rows rejected", name,
                     (unsigned long long)res.n_rejected);
        assert_true(res.n_imported > 0);
        if (order[i] == CXM_KIND_TICKETS)
            n_tickets = res.n_imported;
        if (order[i] == CXM_KIND_RESPONSES)
            n_responses = res.n_imported;
    }
    cxm_store_close(st);
    assert_int_equal(dc.n, 0);
    assert_int_equal(n_tickets, N_TICKETS);
    assert_true(n_responses >= N_TICKETS * 8 / 10);
    assert_true(n_responses <= N_TICKETS * 12 / 10);
}

/* Field `col` of every record of an RFC 4180 text (header included),
 * unquoted, passed to `fn`. */
static void each_field(const char *s, int col,
                       void (*fn)(const char *f, size_t n, void *ud),
                       void *ud)
{
    char *f = malloc(strlen(s) + 1);
    size_t n = 0;
    int c = 0;

    assert_non_null(f);
    while (*s) {
        if (*s == '"') {
            for (s++;; s++) {
                assert_true(*s != '\0'); /* unterminated quote */
                if (*s == '"' && s[1] == '"') {
                    f[n++] = '"';
                    s++;
                } else if (*s == '"') {
                    s++;
                    break;
                } else {
                    f[n++] = *s;
                }
            }
            /* a closing quote is followed by a separator */
            assert_true(*s == ',' || *s == '\n');
        } else if (*s == ',' || *s == '\n') {
            if (c == col)
                fn(f, n, ud);
            n = 0;
            c = *s == ',' ? c + 1 : 0;
            s++;
        } else {
            f[n++] = *s++;
        }
    }
    free(f);
}

struct comment_stats {
    unsigned long n, commas, quotes, newlines;
};

static void count_comment(const char *f, size_t n, void *ud)
{
    struct comment_stats *cs = ud;

    if (!n)
        return;
    cs->n++;
    cs->commas += memchr(f, ',', n) != NULL;
    cs->quotes += memchr(f, '"', n) != NULL;
    cs->newlines += memchr(f, '\n', n) != NULL;
}

static void test_demo__comments_need_quoting(void **state)
{
    struct fx *fx = *state;
    struct comment_stats cs = {0};
    size_t len;
    char *s = slurp(fx->a, "responses.csv", &len);

    each_field(s, 6, count_comment, &cs);
    free(s);
    /* About 30 % of the answers carry a comment. */
    assert_true(cs.n > N_TICKETS / 5);
    assert_true(cs.commas > 0);
    assert_true(cs.quotes > 0);
    assert_true(cs.newlines > 0);
}

static void test_demo__bad_options_are_einval(void **state)
{
    struct fx *fx = *state;
    struct cxm_demo_opts o;
    char *err = NULL;

    memset(&o, 0, sizeof(o));
    o.size = sizeof(o);
    assert_int_equal(cxm_demo_write(NULL, &o, &err), CXM_EINVAL);
    assert_null(err);
    assert_int_equal(cxm_demo_write("", &o, &err), CXM_EINVAL);
    o.size = sizeof(o) - 1;
    assert_int_equal(cxm_demo_write(fx->root, &o, &err), CXM_EINVAL);
    o.size = sizeof(o);
    o.span_days = -1;
    assert_int_equal(cxm_demo_write(fx->root, &o, &err), CXM_EINVAL);
    o.span_days = 1000000;
    assert_int_equal(cxm_demo_write(fx->root, &o, &err), CXM_EINVAL);
    o.span_days = 0;
    o.n_tickets = UINT64_MAX;
    assert_int_equal(cxm_demo_write(fx->root, &o, &err), CXM_EINVAL);
    o.n_tickets = 0;
    o.end_ms = 86400000; /* 1970-01-02: the data would start before 1970 */
    assert_int_equal(cxm_demo_write(fx->root, &o, &err), CXM_EINVAL);
    assert_null(err);
}

static void test_demo__unwritable_dir_is_eio_naming_the_file(void **state)
{
    struct fx *fx = *state;
    char dir[700], *err = NULL;

    path_join(dir, sizeof(dir), fx->root, "no-such-dir");
    assert_int_equal(cxm_demo_write(dir, NULL, &err), CXM_EIO);
    assert_non_null(err);
    assert_non_null(strstr(err, "tickets.csv"));
    cxm_free(err);
}

/* A short span that starts and ends mid-day still imports cleanly. */
static void test_demo__short_odd_span_imports(void **state)
{
    struct fx *fx = *state;
    struct cxm_demo_opts o;
    struct cxm_import_result res;
    struct diag_count dc = {0};
    struct cxm_import_opts io;
    cxm_store *st = NULL;
    char dir[700], db[800], path[800], *err = NULL;
    const char *paths[1] = {path};

    path_join(dir, sizeof(dir), fx->root, "short");
    assert_int_equal(mkdir(dir, 0700), 0);
    memset(&o, 0, sizeof(o));
    o.size = sizeof(o);
    o.seed = 1;
    o.n_tickets = 300;
    o.span_days = 3;
    o.end_ms = INT64_C(1767225600000) + 12345678; /* 2026-01-01T03:25:45.678Z */
    assert_int_equal(cxm_demo_write(dir, &o, &err), CXM_OK);
    assert_null(err);

    path_join(db, sizeof(db), dir, "short.db");
    assert_int_equal(cxm_store_open(db, &st, NULL), CXM_OK);
    memset(&io, 0, sizeof(io));
    io.size = sizeof(io);
    io.on_diag = on_diag;
    io.ud = &dc;
    for (int k = 0; k < CXM_KIND_COUNT; k++) {
        char name[64];
        snprintf(name, sizeof(name), "%s.csv", cxm_kind_name((cxm_kind)k));
        path_join(path, sizeof(path), dir, name);
        assert_int_equal(cxm_import_files(st, (cxm_kind)k, paths, 1, &io,
                                          &res),
                         CXM_OK);
        assert_int_equal(res.n_rejected, 0);
    }
    cxm_store_close(st);
    assert_int_equal(dc.n, 0);
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo__same_seed_same_bytes),
        cmocka_unit_test(test_demo__other_seed_other_bytes),
        cmocka_unit_test(test_demo__headers_are_the_spec_columns),
        cmocka_unit_test(test_demo__every_file_imports_without_rejects),
        cmocka_unit_test(test_demo__comments_need_quoting),
        cmocka_unit_test(test_demo__bad_options_are_einval),
        cmocka_unit_test(test_demo__unwritable_dir_is_eio_naming_the_file),
        cmocka_unit_test(test_demo__short_odd_span_imports),
    };
    return cmocka_run_group_tests_name("demo", tests, group_setup,
                                       group_teardown);
}
