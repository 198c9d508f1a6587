/* SPDX-License-Identifier: MIT
 *
 * store_sqlite_colfile.c — the SQLite engine's column segment file
 * (src/store/sqlite/sql/0006-colfile.sql; docs/store.md, "Column segment file").
 *
 * The column scan reads every month segment it needs on each report.
 * Copied out of SQLite's pages (incremental blob I/O) that copy was most of
 * the scan's time, and at 10M answers the segments' pages lie all over a
 * store far larger than SQLite will map. So the engine keeps a copy of all
 * segments in one file beside the store, <store>-cols, mapped read-only
 * and scanned in place (layout: colfile.h).
 *
 * The file names the store's col_generation token it was built from;
 * every change to col_answers draws a new token in its own transaction, so a reader takes the file only when the tokens are equal,
 * else builds the image from col_answers — under one read snapshot, the
 * token's statement held open — uses it from memory, and replaces the
 * file (temporary file, fsync, rename: a reader sees a whole old file or a
 * whole new one, never a torn one). A store without a file name (":memory:")
 * or in a directory it cannot write still works: the image is in memory.
 */
#include "internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "civil.h"
#include "colfile.h"
#include "colseg.h"
#include "sqlite_int.h"

void cxm__sq_colimage_release(struct cxm__sq_colimage *im)
{
    if (im->mapped)
        munmap((void *)im->base, im->len);
    else
        cxm__free((void *)im->base);
    memset(im, 0, sizeof(*im));
}

/* Maps <store>-cols when it holds `token`; false otherwise, with *why set
 * when the file was there but not sound (a stale token is no damage: it
 * is a file from before a change). */
static bool map_file(const char *path, int64_t token,
                     struct cxm__sq_colimage *im, const char **why)
{
    struct stat sb;
    void *base;
    int64_t file_token = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    *why = NULL;
    if (fd < 0)
        return false;
    if (fstat(fd, &sb) != 0 || sb.st_size < CXM__COLFILE_HEADER) {
        close(fd);
        *why = "shorter than its header";
        return false;
    }
    im->dev = (uint64_t)sb.st_dev;
    im->ino = (uint64_t)sb.st_ino;
    base = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (base == MAP_FAILED)
        return false;
    *why = cxm__colfile_check(base, (size_t)sb.st_size, true, &file_token);
    if (*why || file_token != token) {
        munmap(base, (size_t)sb.st_size);
        return false;
    }
    im->base = base;
    im->len = (size_t)sb.st_size;
    im->mapped = true;
    im->token = token;
    return true;
}

/* Writes the image to a temporary file beside `path`, then renames it over
 * `path`. Failure leaves the old file (a cache: the next reader tries
 * again), so it is not an error. */
static void write_file(const char *path, const char *db_path,
                       const struct cxm__sq_colimage *im)
{
    size_t plen = strlen(path);
    char *tmp = cxm__malloc(plen + 8);
    struct stat sb;
    size_t done = 0;
    int fd;

    if (!tmp)
        return;
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".XXXXXX", 8);
    fd = mkstemp(tmp);
    if (fd < 0) {
        cxm__free(tmp);
        return;
    }
    /* As readable as the store itself. */
    if (stat(db_path, &sb) == 0)
        (void)fchmod(fd, sb.st_mode & 0666);
    while (done < im->len) {
        ssize_t w = write(fd, im->base + done, im->len - done);

        if (w <= 0)
            break;
        done += (size_t)w;
    }
    if (done == im->len && fsync(fd) == 0 && close(fd) == 0) {
        fd = -1;
        if (rename(tmp, path) == 0) {
            cxm__free(tmp);
            return;
        }
    }
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    cxm__free(tmp);
}

struct entry {
    int64_t ws, t, n, rowid;
    int64_t len; /* -1: data is NULL */
};

/* Reads every segment into a new in-memory image of `token`. The caller
 * holds the read snapshot the token was read in. */
static cxm_rc build_image(cxm_store *st, int64_t token,
                          struct cxm__sq_colimage *im)
{
    sqlite3 *db = cxm__sq_db(st);
    sqlite3_stmt *s = NULL;
    struct entry *es = NULL;
    size_t n = 0, cap = 0, len, off;
    uint8_t *base = NULL;
    int step;
    cxm_rc rc = CXM_OK;

    rc = cxm__sq_prepare(st,
                         /* A value not a blob is no segment: an empty
                          * one, which no reader takes. */
                         "SELECT workspace_id, t, n, rowid,"
                         " CASE typeof(data) WHEN 'null' THEN NULL"
                         "  WHEN 'blob' THEN length(data) ELSE 0 END"
                         " FROM col_answers ORDER BY workspace_id, t",
                         &s);
    if (rc)
        return rc;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        rc = cxm__grow((void **)&es, &cap, n + 1, sizeof(*es));
        if (rc)
            break;
        es[n].ws = sqlite3_column_int64(s, 0);
        es[n].t = sqlite3_column_int64(s, 1);
        es[n].n = sqlite3_column_int64(s, 2);
        es[n].rowid = sqlite3_column_int64(s, 3);
        es[n].len = sqlite3_column_type(s, 4) == SQLITE_NULL
                        ? -1
                        : sqlite3_column_int64(s, 4);
        n++;
    }
    if (!rc && step != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    if (rc)
        goto out;

    len = CXM__COLFILE_HEADER + n * CXM__COLFILE_ENTRY;
    for (size_t i = 0; i < n; i++) {
        if (es[i].len > 0)
            len += cxm__colfile_pad((size_t)es[i].len);
    }
    base = cxm__calloc(1, len);
    if (!base) {
        rc = CXM_ENOMEM;
        goto out;
    }
    off = CXM__COLFILE_HEADER + n * CXM__COLFILE_ENTRY;
    for (size_t i = 0; i < n && !rc; i++) {
        struct cxm__colfile_entry e = {
            es[i].ws, es[i].t, es[i].n,
            es[i].len < 0 ? CXM__COLFILE_NO_DATA : off,
            es[i].len < 0 ? 0 : (uint64_t)es[i].len};
        sqlite3_blob *h = NULL;

        cxm__colfile_put_entry(base, i, &e);
        if (es[i].len <= 0)
            continue;
        /* Straight from the pages into the image: one copy. */
        if (sqlite3_blob_open(db, "main", "col_answers", "data", es[i].rowid,
                              0, &h) != SQLITE_OK ||
            sqlite3_blob_read(h, base + off,
                              sqlite3_blob_bytes(h) < es[i].len
                                  ? sqlite3_blob_bytes(h)
                                  : (int)es[i].len,
                              0) != SQLITE_OK)
            rc = cxm__sq_fail(st);
        else if (sqlite3_blob_bytes(h) != es[i].len) {
            /* Not under our read snapshot: never so, but say it. */
            cxm__store_set_error(st, "a column segment changed while the "
                                     "segment file was built");
            rc = CXM_ESTORE;
        }
        sqlite3_blob_close(h);
        off += cxm__colfile_pad((size_t)es[i].len);
    }
    if (!rc) {
        cxm__colfile_put_header(base, token, n, len); /* sums the entries */
        im->base = base;
        im->len = len;
        im->mapped = false;
        im->token = token;
        base = NULL;
    }
out:
    cxm__free(base);
    cxm__free(es);
    return rc;
}

/* <store>-cols of the store's main file, or NULL (":memory:", or no
 * memory: the image then lives in memory only). Owned by the caller. */
static char *file_path(sqlite3 *db)
{
    const char *db_path = sqlite3_db_filename(db, "main");
    size_t n;
    char *path;

    if (!db_path || !*db_path)
        return NULL;
    n = strlen(db_path);
    path = cxm__malloc(n + sizeof("-cols"));
    if (path) {
        memcpy(path, db_path, n);
        memcpy(path + n, "-cols", sizeof("-cols"));
    }
    return path;
}

/* Whether image im, held since an earlier report, is still the one of
 * `token`: built or mapped for it and, when mapped, the file at `path`
 * still the one mapped (not replaced, not truncated) with its header and
 * entries sound, as a fresh mapping would be checked. Its segments are
 * checked again by every report (cxm__sq_col_segments()). */
static bool image_current(const struct cxm__sq_colimage *im,
                          const char *path, int64_t token)
{
    struct stat sb;
    int64_t file_token = 0;

    if (!im->base || im->token != token)
        return false;
    if (!im->mapped)
        return true;
    return path && stat(path, &sb) == 0 && (uint64_t)sb.st_dev == im->dev &&
           (uint64_t)sb.st_ino == im->ino &&
           sb.st_size == (off_t)im->len &&
           !cxm__colfile_check(im->base, im->len, true, &file_token) &&
           file_token == token;
}

/* The image of the store's current token in *im: the one held when it is
 * current (image_current()), else the file when it is current and sound,
 * else built from col_answers and the file rewritten; `rebuild`: the file
 * was found damaged after it was mapped, so it is not tried again. */
static cxm_rc load_image(cxm_store *st, struct cxm__sq_colimage *im,
                         bool rebuild)
{
    sqlite3 *db = cxm__sq_db(st);
    sqlite3_stmt *tok = NULL;
    const char *db_path = sqlite3_db_filename(db, "main");
    char *path = file_path(db);
    const char *why = NULL;
    int64_t token;
    cxm_rc rc = CXM_OK;

    rc = cxm__sq_prepare(st, "SELECT token FROM col_generation WHERE id = 1",
                         &tok);
    if (rc) {
        cxm__free(path);
        return rc;
    }
    /* The statement stays open until the image is built: its read
     * snapshot is the one the segments are read in. */
    if (sqlite3_step(tok) != SQLITE_ROW) {
        rc = cxm__sq_fail(st);
        goto out;
    }
    token = sqlite3_column_int64(tok, 0);
    if (!rebuild && image_current(im, path, token))
        goto out;
    cxm__sq_colimage_release(im);
    if (path && !rebuild && map_file(path, token, im, &why))
        goto out;
    if (why && strcmp(why, CXM__COLFILE_OTHER_LAYOUT) == 0)
        cxm__store_note(st, "the column segment file %s was %s: rebuilt "
                            "from the store",
                        path, why);
    else if (why)
        cxm__store_note(st, "the column segment file %s was damaged (%s): "
                            "rebuilt from the store",
                        path, why);
    rc = build_image(st, token, im);
    if (!rc && path)
        write_file(path, db_path, im);
out:
    sqlite3_finalize(tok);
    cxm__free(path);
    return rc;
}

/* Whether entry e's segment is sound: its checksum, and its count the
 * one the store keeps beside it. */
static bool segment_sound(const struct cxm__sq_colimage *im,
                          const struct cxm__colfile_entry *e)
{
    struct cxm__colseg v;

    if (e->off == CXM__COLFILE_NO_DATA)
        return true;
    return cxm__colseg_view(im->base + e->off, (size_t)e->len, true, &v) ==
               CXM_OK &&
           (int64_t)v.n == e->n;
}

/* The month of first day t as "YYYY-MM" in buf[8]. */
static const char *month_label(int64_t t, char buf[16])
{
    int64_t y;
    int m, d;

    cxm__civil_from_days(t, &y, &m, &d);
    snprintf(buf, 16, "%04lld-%02d", (long long)y, m);
    return buf;
}

static bool in_range(cxm_store *st, const struct cxm__colfile_entry *e,
                     int64_t from_t, int64_t to_t)
{
    return e->workspace_id == st->workspace_id && e->t >= from_t &&
           e->t < to_t;
}

/* Checks every segment of the image in [from_t, to_t) of st's workspace
 * into sound[] (by entry; the others true); *all_sound false when one is
 * not. */
static cxm_rc check_segments(cxm_store *st, const struct cxm__sq_colimage *im,
                             int64_t from_t, int64_t to_t, bool **sound,
                             bool *all_sound)
{
    uint64_t n = cxm__colfile_count(im->base);

    cxm__free(*sound);
    *sound = cxm__malloc(n ? (size_t)n : 1);
    if (!*sound)
        return CXM_ENOMEM;
    *all_sound = true;
    for (uint64_t i = 0; i < n; i++) {
        struct cxm__colfile_entry e;

        cxm__colfile_entry(im->base, i, &e);
        (*sound)[i] = !in_range(st, &e, from_t, to_t) || segment_sound(im, &e);
        *all_sound = *all_sound && (*sound)[i];
    }
    return CXM_OK;
}

cxm_rc cxm__sq_col_segments(cxm_store *st, int64_t from_t, int64_t to_t,
                            cxm__colseg_fn fn, void *ud)
{
    struct cxm__sq_colimage *im = &cxm__sq_of(st)->colimage;
    cxm_rc rc = load_image(st, im, false);
    bool *sound = NULL, all_sound = true;
    uint64_t n;

    /* Every segment read is checked (once) before any is handed over: a
     * damaged one in the file means the file is rebuilt from the store;
     * one damaged in the store itself is handed over as NULL (the report
     * then reads the rows), with a note. */
    if (!rc)
        rc = check_segments(st, im, from_t, to_t, &sound, &all_sound);
    if (!rc && !all_sound && im->mapped) {
        char *path = file_path(cxm__sq_db(st));
        cxm__store_note(st, "the column segment file %s was damaged "
                            "(a segment's checksum does not match): "
                            "rebuilt from the store",
                        path ? path : "");
        cxm__free(path);
        rc = load_image(st, im, true);
        if (!rc)
            rc = check_segments(st, im, from_t, to_t, &sound, &all_sound);
    }
    n = rc ? 0 : cxm__colfile_count(im->base);
    for (uint64_t i = 0; i < n && !rc; i++) {
        struct cxm__colfile_entry e;

        cxm__colfile_entry(im->base, i, &e);
        if (!in_range(st, &e, from_t, to_t))
            continue;
        if (!sound[i]) {
            char m[16];
            cxm__store_note(st, "the column segment of %s in the store is "
                                "damaged (its checksum or count does not "
                                "match): its answers are read from the "
                                "rows; an import that adds to or changes "
                                "that month rewrites it",
                            month_label(e.t, m));
        }
        rc = fn(e.t, e.n,
                e.off == CXM__COLFILE_NO_DATA || !sound[i] ? NULL
                                                           : im->base + e.off,
                e.off == CXM__COLFILE_NO_DATA || !sound[i] ? 0
                                                           : (size_t)e.len,
                ud);
    }
    cxm__free(sound);
    return rc;
}

cxm_rc cxm__sq_col_file_refresh(cxm_store *st)
{
    struct cxm__sq_colimage *im = &cxm__sq_of(st)->colimage;
    cxm_rc rc;

    cxm__sq_colimage_release(im); /* the file itself is checked */
    rc = load_image(st, im, false);
    cxm__sq_colimage_release(im);
    return rc;
}
