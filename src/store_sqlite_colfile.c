/* SPDX-License-Identifier: MIT
 *
 * store_sqlite_colfile.c — the SQLite engine's column segment file
 * (src/sql/0006-colfile.sql; docs/store.md, "Column segment file").
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

#include <sqlite3.h>

#include "colfile.h"
#include "store_int.h"

void cxm__sq_colimage_release(struct cxm__sq_colimage *im)
{
    if (im->mapped)
        munmap((void *)im->base, im->len);
    else
        cxm__free((void *)im->base);
    memset(im, 0, sizeof(*im));
}

static cxm_rc fail(cxm_store *st, sqlite3 *db)
{
    cxm__store_set_error(st, sqlite3_errmsg(db));
    return CXM_ESTORE;
}

/* Maps <store>-cols when it holds `token`; false otherwise. */
static bool map_file(const char *path, int64_t token,
                     struct cxm__sq_colimage *im)
{
    struct stat sb;
    void *base;
    int64_t file_token;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return false;
    if (fstat(fd, &sb) != 0 || sb.st_size < CXM__COLFILE_HEADER) {
        close(fd);
        return false;
    }
    base = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (base == MAP_FAILED)
        return false;
    if (!cxm__colfile_check(base, (size_t)sb.st_size, &file_token) ||
        file_token != token) {
        munmap(base, (size_t)sb.st_size);
        return false;
    }
    im->base = base;
    im->len = (size_t)sb.st_size;
    im->mapped = true;
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

    if (sqlite3_prepare_v2(db,
                           "SELECT workspace_id, t, n, rowid, length(data)"
                           " FROM col_answers ORDER BY workspace_id, t",
                           -1, &s, NULL) != SQLITE_OK)
        return fail(st, db);
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
        rc = fail(st, db);
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
    cxm__colfile_put_header(base, token, n, len);
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
            sqlite3_blob_bytes(h) != es[i].len ||
            sqlite3_blob_read(h, base + off, (int)es[i].len, 0) !=
                SQLITE_OK)
            rc = fail(st, db);
        sqlite3_blob_close(h);
        off += cxm__colfile_pad((size_t)es[i].len);
    }
    if (!rc) {
        im->base = base;
        im->len = len;
        im->mapped = false;
        base = NULL;
    }
out:
    cxm__free(base);
    cxm__free(es);
    return rc;
}

/* The image of the store's current token in *im (released first): the
 * file when it is current, else built and the file rewritten. */
static cxm_rc load_image(cxm_store *st, struct cxm__sq_colimage *im)
{
    sqlite3 *db = cxm__sq_db(st);
    sqlite3_stmt *tok = NULL;
    const char *db_path = sqlite3_db_filename(db, "main");
    char *path = NULL;
    int64_t token;
    cxm_rc rc = CXM_OK;

    cxm__sq_colimage_release(im);
    if (sqlite3_prepare_v2(db,
                           "SELECT token FROM col_generation WHERE id = 1",
                           -1, &tok, NULL) != SQLITE_OK)
        return fail(st, db);
    /* The statement stays open until the image is built: its read
     * snapshot is the one the segments are read in. */
    if (sqlite3_step(tok) != SQLITE_ROW) {
        rc = fail(st, db);
        goto out;
    }
    token = sqlite3_column_int64(tok, 0);
    if (db_path && *db_path) {
        size_t n = strlen(db_path);

        path = cxm__malloc(n + sizeof("-cols"));
        if (!path) {
            rc = CXM_ENOMEM;
            goto out;
        }
        memcpy(path, db_path, n);
        memcpy(path + n, "-cols", sizeof("-cols"));
        if (map_file(path, token, im))
            goto out;
    }
    rc = build_image(st, token, im);
    if (!rc && path)
        write_file(path, db_path, im);
out:
    sqlite3_finalize(tok);
    cxm__free(path);
    return rc;
}

cxm_rc cxm__sq_col_segments(cxm_store *st, int64_t from_t, int64_t to_t,
                            cxm__colseg_fn fn, void *ud)
{
    struct cxm__sq_colimage *im = cxm__sq_colimage(st);
    cxm_rc rc = load_image(st, im);
    uint64_t n;

    if (rc)
        return rc;
    n = cxm__colfile_count(im->base);
    for (uint64_t i = 0; i < n && !rc; i++) {
        struct cxm__colfile_entry e;

        cxm__colfile_entry(im->base, i, &e);
        if (e.workspace_id != st->workspace_id || e.t < from_t ||
            e.t >= to_t)
            continue;
        rc = fn(e.t, e.n,
                e.off == CXM__COLFILE_NO_DATA ? NULL : im->base + e.off,
                e.off == CXM__COLFILE_NO_DATA ? 0 : (size_t)e.len, ud);
    }
    return rc;
}

cxm_rc cxm__sq_col_file_refresh(cxm_store *st)
{
    struct cxm__sq_colimage *im = cxm__sq_colimage(st);
    cxm_rc rc = load_image(st, im);

    cxm__sq_colimage_release(im);
    return rc;
}
