/* SPDX-License-Identifier: MIT
 *
 * fuzz_import_report.c — libFuzzer target for import and report together,
 * on tiny stores, through the public API the way the cxmeter command drives
 * it: the input's CSV files are imported into a fresh store, then reports
 * of a few breakdowns are computed by every read path (auto: rollups, else
 * columns, else rows; columns; rows) and written as JSON. The three JSON
 * texts (and statuses) of each report must be byte-identical: a read path
 * that gives another figure aborts.
 *
 * Input: one byte of flags, then sections separated by the line "%%":
 * each section is one selector byte (the record kind: the nine kinds of
 * SPEC §1, then zendesk and freshdesk) followed by that file's bytes.
 * Flags: bit 0 --compare previous; bit 1 definitions other than SPEC's
 * (csat.satisfied 5, ces.agree 6,7, fcr.rule one_touch); bit 2 the time
 * buckets in Asia/Jakarta; bit 3 a report over the data's own period (else
 * 2025-10-01 .. 2026-04-01, the seeds' months: a far-off typo of a date
 * must not make a day breakdown of millions of buckets, issue 12 item 1,
 * and a short period keeps each input fast).
 *
 * The store and the files live in one scratch directory (under /dev/shm
 * when it can be written: tmpfs makes the store's fsyncs cheap), removed at
 * exit.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cxmeter/cxmeter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SECTIONS 4
#define SEP "\n%%\n"

static char scratch[64];       /* the scratch directory, once made */
static char db_path[96];       /* scratch/store.db */
static char template_path[96]; /* scratch/template.db: a new store */
static uint8_t *template_img;  /* its bytes, copied to db_path per input */
static size_t template_len;

__attribute__((noreturn)) static void fail(const char *what,
                                          const char *detail)
{
    fprintf(stderr, "fuzz_import_report: %s%s%s\n", what, detail ? ": " : "",
            detail ? detail : "");
    abort();
}

static void remove_store(void)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-cols",
                                         "-journal"};
    char p[128];

    for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", db_path, suffix[i]);
        (void)unlink(p);
    }
}

static void cleanup(void)
{
    char p[128];

    remove_store();
    (void)unlink(template_path);
    free(template_img);
    for (int i = 0; i < MAX_SECTIONS; i++) {
        snprintf(p, sizeof(p), "%s/f%d.csv", scratch, i);
        (void)unlink(p);
    }
    (void)rmdir(scratch);
}

static void make_scratch(void)
{
    if (scratch[0])
        return;
    snprintf(scratch, sizeof(scratch), "/dev/shm/cxm-fuzz-XXXXXX");
    if (!mkdtemp(scratch)) {
        snprintf(scratch, sizeof(scratch), "/tmp/cxm-fuzz-XXXXXX");
        if (!mkdtemp(scratch))
            fail("cannot make a scratch directory", strerror(errno));
    }
    snprintf(db_path, sizeof(db_path), "%s/store.db", scratch);
    snprintf(template_path, sizeof(template_path), "%s/template.db",
             scratch);
    atexit(cleanup);
}

static void write_file(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");

    if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0)
        fail("cannot write a scratch file", path);
}

/* A new store, migrated once and copied for every input (the migrations
 * are most of a tiny input's time). */
static void new_store(void)
{
    FILE *f;

    remove_store();
    if (!template_img) {
        cxm_store *st = NULL;
        char *err = NULL;
        long len = 0;

        if (cxm_store_open_ex(template_path, CXM_OPEN_CREATE, &st, &err))
            fail("cannot make a new store", err);
        cxm_store_close(st); /* the WAL is checkpointed into the file */
        f = fopen(template_path, "rb");
        if (!f || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) <= 0 ||
            fseek(f, 0, SEEK_SET) != 0)
            fail("cannot read the new store", template_path);
        template_img = malloc((size_t)len);
        if (!template_img ||
            fread(template_img, 1, (size_t)len, f) != (size_t)len)
            fail("cannot read the new store", template_path);
        template_len = (size_t)len;
        fclose(f);
    }
    write_file(db_path, template_img, template_len);
}

/* The next section of data[*pos..size): its bytes in [*start, *end). */
static bool next_section(const uint8_t *data, size_t size, size_t *pos,
                         size_t *start, size_t *end)
{
    size_t sep = strlen(SEP);

    if (*pos >= size)
        return false;
    *start = *pos;
    for (size_t i = *pos; i + sep <= size; i++) {
        if (memcmp(data + i, SEP, sep) == 0) {
            *end = i;
            *pos = i + sep;
            return true;
        }
    }
    *end = size;
    *pos = size;
    return true;
}

static void import_section(cxm_store *st, int i, const uint8_t *p, size_t n)
{
    char path[128];
    const char *paths[1];
    struct cxm_import_opts io;
    struct cxm_import_result res;
    unsigned sel;
    cxm_rc rc;

    if (!n)
        return;
    sel = p[0] % (CXM_KIND_COUNT + 2);
    snprintf(path, sizeof(path), "%s/f%d.csv", scratch, i);
    write_file(path, p + 1, n - 1);
    paths[0] = path;
    memset(&io, 0, sizeof(io));
    io.size = sizeof(io);
    memset(&res, 0, sizeof(res));
    if (sel < CXM_KIND_COUNT)
        rc = cxm_import_files(st, (cxm_kind)sel, paths, 1, &io, &res);
    else
        rc = cxm_import_helpdesk(st,
                                 sel == CXM_KIND_COUNT ? CXM_HELPDESK_ZENDESK
                                                       : CXM_HELPDESK_FRESHDESK,
                                 paths, 1, &io, &res);
    if (rc == CXM_ESTORE || rc == CXM_ENOMEM)
        fail("the import failed in the store", cxm_store_errmsg(st));
}

static void set_definitions(cxm_store *st)
{
    static const char *const kv[][2] = {{"csat.satisfied", "5"},
                                        {"ces.agree", "6,7"},
                                        {"fcr.rule", "one_touch"}};
    cxm_definitions *d = NULL;
    int version;

    if (cxm_definitions_new(&d))
        fail("cxm_definitions_new", NULL);
    for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
        char *err = NULL;
        if (cxm_definitions_set(d, kv[i][0], kv[i][1], &err))
            fail("cxm_definitions_set", err);
    }
    /* Refused when the stored answers' scales cannot take it: fine. */
    if (cxm_definitions_store(st, d, "fuzz", NULL, &version) == CXM_ESTORE)
        fail("cxm_definitions_store", cxm_store_errmsg(st));
    cxm_definitions_free(d);
}

/* One report by `read`: its status, and its JSON in *json (NULL when it
 * failed). */
static cxm_rc report(cxm_store *st, const struct cxm_report_query *base,
                     cxm_read read, char **json)
{
    struct cxm_report_query q = *base;
    cxm_report *r = NULL;
    size_t len;
    cxm_rc rc;

    q.read = read;
    *json = NULL;
    rc = cxm_report_run(st, &q, &r);
    if (rc == CXM_OK && cxm_report_format(r, CXM_FORMAT_JSON, json, &len))
        fail("cxm_report_format", NULL);
    cxm_report_free(r);
    return rc;
}

static void compare_paths(cxm_store *st, const struct cxm_report_query *q,
                          const char *what)
{
    static const cxm_read reads[] = {CXM_READ_AUTO, CXM_READ_COLUMNS,
                                     CXM_READ_ROWS};
    static const char *const names[] = {"auto", "columns", "rows"};
    char *json[3];
    cxm_rc rc[3];

    for (int i = 0; i < 3; i++)
        rc[i] = report(st, q, reads[i], &json[i]);
    for (int i = 0; i < 2; i++) {
        if (rc[i] != rc[2]) {
            fprintf(stderr, "%s: --read %s: %s, --read rows: %s\n", what,
                    names[i], cxm_strerror(rc[i]), cxm_strerror(rc[2]));
            fail("the read paths' statuses differ", what);
        }
        if (json[i] && strcmp(json[i], json[2]) != 0) {
            fprintf(stderr, "%s\n--read %s:\n%s\n--read rows:\n%s\n", what,
                    names[i], json[i], json[2]);
            fail("the read paths' JSON differs", what);
        }
    }
    if (rc[2] == CXM_ESTORE || rc[2] == CXM_ENOMEM)
        fail("the report failed in the store", cxm_store_errmsg(st));
    /* CXM_FUZZ_SHOW=1: each report on stderr, for writing seeds. */
    if (getenv("CXM_FUZZ_SHOW"))
        fprintf(stderr, "%s: %s\n%s\n", what, cxm_strerror(rc[2]),
                json[2] ? json[2] : "");
    for (int i = 0; i < 3; i++)
        cxm_free(json[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct {
        const char *what;
        size_t n;
        cxm_dim by[3];
    } breakdowns[] = {
        {"no breakdown", 0, {CXM_BY_DAY}},
        {"by month", 1, {CXM_BY_MONTH}},
        {"by channel", 1, {CXM_BY_CHANNEL}},
        {"by survey, agent", 2, {CXM_BY_SURVEY, CXM_BY_AGENT}},
        {"by week, team, language", 3,
         {CXM_BY_WEEK, CXM_BY_TEAM, CXM_BY_LANGUAGE}},
        {"by day, topic", 2, {CXM_BY_DAY, CXM_BY_TOPIC}},
    };
    struct cxm_report_query q;
    cxm_store *st = NULL;
    char *err = NULL;
    size_t pos = 1, start, end;
    unsigned flags;
    int n = 0;

    if (size < 2 || size > 64 * 1024)
        return 0;
    make_scratch();
    new_store();
    flags = data[0];
    if (cxm_store_open_ex(db_path, CXM_OPEN_CREATE, &st, &err))
        fail("cannot open a new store", err);
    while (n < MAX_SECTIONS && next_section(data, size, &pos, &start, &end))
        import_section(st, n++, data + start, end - start);
    if (flags & 2)
        set_definitions(st);

    memset(&q, 0, sizeof(q));
    q.size = sizeof(q);
    q.compare = flags & 1;
    q.tz = flags & 4 ? "Asia/Jakarta" : NULL;
    if (!(flags & 8)) {
        q.has_from = q.has_to = true;
        q.from_ms = INT64_C(1759276800000); /* 2025-10-01 */
        q.to_ms = INT64_C(1775001600000);   /* 2026-04-01 */
    }
    for (size_t b = 0; b < sizeof(breakdowns) / sizeof(breakdowns[0]); b++) {
        /* Over the data's own period only without a time breakdown. */
        if (!q.has_from && breakdowns[b].n &&
            breakdowns[b].by[0] <= CXM_BY_YEAR)
            continue;
        q.by = breakdowns[b].by;
        q.n_by = breakdowns[b].n;
        compare_paths(st, &q, breakdowns[b].what);
    }
    cxm_store_close(st);
    return 0;
}
