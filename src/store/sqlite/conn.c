/* SPDX-License-Identifier: MIT
 *
 * conn.c — the SQLite engine's connection: opening a store (WAL journal,
 * synchronous=FULL, so an acknowledged import survives a power cut; a
 * busy timeout, so a reader never fails a concurrent import; a store the
 * user cannot write opened read-only), its transactions and the marks
 * the rollups read, and the helpers every file of the engine runs SQL
 * with (sqlite_int.h): one way to prepare, to fail with SQLite's reason
 * and the system's, and to run a statement of integers.
 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sqlite_int.h"

/* SQLite's message, with the system's reason after it when the failure
 * was the system's ("disk I/O error (File too large)"). */
static void sq_set_error(cxm_store *st, sqlite3 *db, const char *msg)
{
    int code = db ? sqlite3_errcode(db) & 0xff : 0;
    int sys = db ? sqlite3_system_errno(db) : 0;
    char why[160];

    if (sys && (code == SQLITE_IOERR || code == SQLITE_FULL ||
                code == SQLITE_CANTOPEN) &&
        strerror_r(sys, why, sizeof(why)) == 0 && *why) {
        cxm__buf_reset(&st->errmsg);
        if (cxm__buf_addf(&st->errmsg, "%s (%s)", msg, why))
            cxm__buf_reset(&st->errmsg); /* benign, as set_error */
        return;
    }
    cxm__store_set_error(st, msg);
}

cxm_rc cxm__sq_fail(cxm_store *st)
{
    struct cxm__sq *q = st->impl;

    if (q && q->db)
        /* Never an empty reason, even for a call SQLite gave none for. */
        sq_set_error(st, q->db, sqlite3_errcode(q->db) == SQLITE_OK
                                    ? "an SQLite call failed without a reason"
                                    : sqlite3_errmsg(q->db));
    else
        cxm__store_set_error(st, "cannot open the database");
    return CXM_ESTORE;
}

/* The kept statement of `sql` not handed out, marked handed out; NULL
 * when there is none. */
static sqlite3_stmt *kept_find(struct cxm__sq *q, const char *sql)
{
    for (size_t i = 0; i < q->n_kept; i++)
        if (!q->kept[i].busy && strcmp(sqlite3_sql(q->kept[i].s), sql) == 0) {
            q->kept[i].busy = true;
            return q->kept[i].s;
        }
    return NULL;
}

/* *out: the kept statement of `sql` when it is one statement that
 * prepares (stepped to its end by cxm__sq_exec()); NULL otherwise, for
 * sqlite3_exec(). */
static cxm_rc exec_kept(cxm_store *st, const char *sql, sqlite3_stmt **out)
{
    struct cxm__sq *q = st->impl;
    const char *tail = NULL;
    sqlite3_stmt *s = NULL;

    *out = kept_find(q, sql);
    if (*out || q->n_kept == CXM__SQ_KEPT ||
        sqlite3_prepare_v2(q->db, sql, -1, &s, &tail) != SQLITE_OK || !s)
        return CXM_OK;
    while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t'))
        tail++;
    sqlite3_finalize(s);
    if (tail && *tail) /* a script: sqlite3_exec() runs it */
        return CXM_OK;
    return cxm__sq_kept(st, sql, out);
}

cxm_rc cxm__sq_exec(cxm_store *st, const char *sql)
{
    struct cxm__sq *q = st->impl;
    char *err = NULL;
    sqlite3_stmt *s = NULL;
    cxm_rc rc = exec_kept(st, sql, &s);

    if (rc)
        return rc;
    if (s) {
        int step;
        while ((step = sqlite3_step(s)) == SQLITE_ROW)
            ;
        rc = step == SQLITE_DONE ? CXM_OK : cxm__sq_fail(st);
        cxm__sq_unkeep(st, s);
        return rc;
    }
    if (sqlite3_exec(q->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        sq_set_error(st, q->db, err ? err : sqlite3_errmsg(q->db));
        sqlite3_free(err);
        return CXM_ESTORE;
    }
    return CXM_OK;
}

/* Finalizes the kept statements (before their connection closes). */
static void kept_release(struct cxm__sq *q)
{
    for (size_t k = 0; k < q->n_kept; k++)
        sqlite3_finalize(q->kept[k].s);
    q->n_kept = 0;
}

void cxm__sq_close(cxm_store *st)
{
    struct cxm__sq *q = st->impl;

    if (!q)
        return;
    for (int k = 0; k < CXM_KIND_COUNT; k++) {
        sqlite3_finalize(q->put[k]);
        sqlite3_finalize(q->put_many[k]);
    }
    for (size_t k = 0; k < CXM_ARRAY_LEN(q->savepoint); k++)
        sqlite3_finalize(q->savepoint[k]);
    kept_release(q);
    cxm__sq_colimage_release(&q->colimage);
    sqlite3_close(q->db);
    cxm__free(q);
    st->impl = NULL;
}

/* The pragmas of every connection: synchronous=FULL, a commit is on disk
 * before it is acknowledged (docs/store.md). */
static const char conn_pragmas[] =
    "PRAGMA synchronous=FULL;"
    "PRAGMA foreign_keys=OFF;"
    "PRAGMA temp_store=MEMORY;"
    /* INSERT OR REPLACE fires the delete triggers of the rows it replaces
     * (0004-rollups.sql) */
    "PRAGMA recursive_triggers=ON;"
    "PRAGMA cache_size=-262144;"
    /* reads of the store's pages (column segments above all) without a
     * copy through read(2) */
    "PRAGMA mmap_size=1073741824;";

/* Sets st's message to the formatted text; CXM_ESTORE. */
__attribute__((format(printf, 2, 3))) static cxm_rc
sq_errorf(cxm_store *st, const char *fmt, ...)
{
    va_list ap;

    cxm__buf_reset(&st->errmsg);
    va_start(ap, fmt);
    if (cxm__buf_vaddf(&st->errmsg, fmt, ap))
        cxm__buf_reset(&st->errmsg); /* benign: the rc still says it */
    va_end(ap);
    return CXM_ESTORE;
}

/* Why the file system refuses `path` to this user (an errno), or 0: the
 * file must be readable (and writable, with `write`), and its directory
 * searchable (and writable: the WAL and its index are created there). */
static int fs_errno(const char *path, bool write)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    int e = 0;

    if (access(path, write ? R_OK | W_OK : R_OK) != 0 && errno != ENOENT)
        return errno;
    dir = slash ? cxm__malloc((size_t)(slash - path) + 2) : NULL;
    if (slash && !dir)
        return 0;
    if (dir) {
        size_t n = slash == path ? 1 : (size_t)(slash - path);
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    if (access(dir ? dir : ".", write ? W_OK | X_OK : X_OK) != 0)
        e = errno;
    else if (access(path, F_OK) != 0)
        e = errno;
    cxm__free(dir);
    return e;
}

/* Sets "cannot open the store PATH: REASON": the system's reason (errno
 * `sys`, else what the file system says of PATH, else the errno SQLite
 * saw) when the failure is the system's, else SQLite's message. Never an
 * empty reason. `write`: the open was for writing. */
static cxm_rc open_failed(cxm_store *st, const char *path, int sys,
                          bool write, const char *hint)
{
    struct cxm__sq *q = st->impl;
    const char *reason = "unknown error";
    char why[160];

    if (!sys && q && q->db) {
        int code = sqlite3_errcode(q->db) & 0xff;

        if (code == SQLITE_CANTOPEN || code == SQLITE_IOERR ||
            code == SQLITE_READONLY || code == SQLITE_PERM) {
            sys = fs_errno(path, write);
            if (!sys)
                sys = sqlite3_system_errno(q->db);
        }
        reason = sqlite3_errmsg(q->db);
    }
    if (sys && strerror_r(sys, why, sizeof(why)) == 0 && *why)
        reason = why;
    return sq_errorf(st, "cannot open the store %s: %s%s", path, reason,
                     hint ? hint : "");
}

/* Opens `name` with `flags` on a fresh connection (closing the last). */
static bool sq_connect(struct cxm__sq *q, const char *name, int flags)
{
    kept_release(q);
    sqlite3_close(q->db);
    q->db = NULL;
    if (sqlite3_open_v2(name, &q->db, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK)
        return false;
    sqlite3_extended_result_codes(q->db, 1);
    /* busy_timeout: wait for a writer instead of failing (docs/store.md) */
    return sqlite3_busy_timeout(q->db, 10000) == SQLITE_OK &&
           cxm__sq_rollup_register(q->db) == CXM_OK &&
           cxm__sq_tickets_register(q->db) == CXM_OK;
}

/* The first read of an open file: whether it holds a cxmeter schema. An
 * SQLite result code other than SQLITE_OK when it cannot be read. */
static int sq_probe(sqlite3 *db, bool *is_store)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT 1 FROM sqlite_master WHERE type ="
                                " 'table' AND name = 'cxm_schema'",
                                -1, &s, NULL);

    if (rc == SQLITE_OK) {
        rc = sqlite3_step(s);
        *is_store = rc == SQLITE_ROW;
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(s);
    return rc;
}

/* "file:PATH?immutable=1", PATH percent-encoded (RFC 3986 unreserved
 * characters and '/' kept). Owned by the caller. */
static char *immutable_uri(const char *path)
{
    struct cxm__buf b = CXM__BUF_INIT(SIZE_MAX);
    cxm_rc rc = cxm__buf_adds(&b, "file:");

    for (const unsigned char *p = (const unsigned char *)path; !rc && *p;
         p++) {
        int lc = cxm__to_lower(*p);

        if (cxm__is_digit(*p) || (lc >= 'a' && lc <= 'z') ||
            strchr("/-._~", *p))
            rc = cxm__buf_addc(&b, (char)*p);
        else
            rc = cxm__buf_addf(&b, "%%%02X", *p);
    }
    if (!rc)
        rc = cxm__buf_adds(&b, "?immutable=1");
    if (rc) {
        cxm__buf_release(&b);
        return NULL;
    }
    return cxm__buf_take(&b, NULL);
}

/* A store the user cannot write (docs/store.md, "A read-only store"):
 * opened read-only; immutable when it has no write-ahead log, since SQLite
 * otherwise needs to create PATH-shm beside it to read it. */
static cxm_rc sq_open_read_only(cxm_store *st, const char *path)
{
    struct cxm__sq *q = st->impl;
    size_t n = strlen(path);
    char *wal = cxm__malloc(n + sizeof("-wal"));
    char *uri = NULL;
    struct stat sb;
    bool has_wal, is_store = false, ok;

    if (!wal)
        return CXM_ENOMEM;
    memcpy(wal, path, n);
    memcpy(wal + n, "-wal", sizeof("-wal"));
    has_wal = stat(wal, &sb) == 0;
    cxm__free(wal);
    if (has_wal) {
        ok = sq_connect(q, path, SQLITE_OPEN_READONLY);
    } else {
        uri = immutable_uri(path);
        if (!uri)
            return CXM_ENOMEM;
        ok = sq_connect(q, uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
        cxm__free(uri);
    }
    if (!ok || sq_probe(q->db, &is_store) != SQLITE_OK)
        return open_failed(st, path, 0, false,
                           has_wal && access(path, R_OK) == 0
                               ? " (read-only; its write-ahead log "
                                 "needs a -shm file beside it, which "
                                 "cannot be created there)"
                               : " (read-only)");
    if (!is_store)
        return sq_errorf(st, "%s is not a cxmeter store", path);
    st->read_only = true;
    return cxm__sq_exec(st, conn_pragmas);
}

/* CXM_OPEN_READ: an existing store, written if it can be, else read. */
static cxm_rc sq_open_existing(cxm_store *st, const char *path)
{
    struct cxm__sq *q = st->impl;
    struct stat sb;
    bool is_store = false;
    int code = SQLITE_CANTOPEN;

    if (stat(path, &sb) != 0) {
        if (errno != ENOENT)
            return open_failed(st, path, errno, false, NULL);
        return sq_errorf(st, "no store at %s", path);
    }
    if (S_ISDIR(sb.st_mode))
        return open_failed(st, path, EISDIR, false, NULL);
    if (sq_connect(q, path, SQLITE_OPEN_READWRITE))
        code = sq_probe(q->db, &is_store) & 0xff;
    if (code == SQLITE_CANTOPEN || code == SQLITE_READONLY ||
        code == SQLITE_PERM || code == SQLITE_IOERR)
        return sq_open_read_only(st, path);
    if (code != SQLITE_OK)
        return open_failed(st, path, 0, true, NULL);
    if (!is_store) {
        return sq_errorf(st, "%s is not a cxmeter store", path);
    }
    /* SQLite opens a file the user may not write read-only by itself. */
    if (sqlite3_db_readonly(q->db, "main") == 1) {
        st->read_only = true;
        return cxm__sq_exec(st, conn_pragmas);
    }
    /* A store that cannot take the WAL's pragmas is read as one the user
     * cannot write. */
    if (cxm__sq_exec(st, "PRAGMA journal_mode=WAL"))
        return sq_open_read_only(st, path);
    return cxm__sq_exec(st, conn_pragmas);
}

cxm_rc cxm__sq_open(cxm_store *st, const char *path, int mode)
{
    struct cxm__sq *q = cxm__calloc(1, sizeof(*q));

    if (!q)
        return CXM_ENOMEM;
    st->impl = q;
    if (mode == CXM_OPEN_READ)
        return sq_open_existing(st, path);
    if (!sq_connect(q, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
        return open_failed(st, path, 0, true, NULL);
    /* WAL: readers never block the writer (docs/store.md).
     * page_size: for a new store only (an existing one keeps its own).
     * An import is one transaction, so its WAL grows by everything it
     * writes, and every read of a page outside SQLite's cache searches
     * the WAL's index, one hash table per 4,096 frames: 16 KiB pages
     * keep a quarter of the frames 4 KiB pages would (docs/store.md,
     * "Page size"). */
    if (cxm__sq_exec(st, "PRAGMA page_size=16384;"
                    "PRAGMA journal_mode=WAL;") ||
        cxm__sq_exec(st, conn_pragmas) ||
        cxm__sq_exec(st, "CREATE TABLE IF NOT EXISTS cxm_schema ("
                    " version INTEGER NOT NULL);"))
        return open_failed(st, path, 0, true, NULL);
    /* SQLite opens a file the user may not write read-only by itself. */
    if (sqlite3_db_readonly(q->db, "main") == 1)
        return open_failed(st, path, EACCES, true,
                           " (the file is read-only)");
    return CXM_OK;
}

cxm_rc cxm__sq_prepare(cxm_store *st, const char *sql, sqlite3_stmt **out)
{
    if (sqlite3_prepare_v2(cxm__sq_db(st), sql, -1, out, NULL) != SQLITE_OK)
        return cxm__sq_fail(st);
    return CXM_OK;
}

cxm_rc cxm__sq_kept(cxm_store *st, const char *sql, sqlite3_stmt **out)
{
    struct cxm__sq *q = st->impl;
    const char *text;
    cxm_rc rc;

    *out = kept_find(q, sql);
    if (*out)
        return CXM_OK;
    rc = cxm__sq_prepare(st, sql, out);
    /* Keyed by the statement's own copy of its text (nothing to allocate):
     * a text SQLite keeps otherwise (a second statement after the first)
     * is not kept. A text in use twice at once gets a second entry: rare
     * (none on the writer's path) and bounded by CXM__SQ_KEPT. */
    text = rc ? NULL : sqlite3_sql(*out);
    if (text && q->n_kept < CXM__SQ_KEPT && strcmp(text, sql) == 0)
        q->kept[q->n_kept++] = (struct cxm__sq_kept){*out, true};
    return rc;
}

void cxm__sq_unkeep(cxm_store *st, sqlite3_stmt *s)
{
    struct cxm__sq *q = st->impl;

    if (!s)
        return;
    for (size_t i = 0; i < q->n_kept; i++)
        if (q->kept[i].s == s) {
            sqlite3_reset(s);
            sqlite3_clear_bindings(s);
            q->kept[i].busy = false;
            return;
        }
    sqlite3_finalize(s);
}

cxm_rc cxm__sq_prepare_ws(cxm_store *st, const char *sql,
                          sqlite3_stmt **out)
{
    cxm_rc rc = cxm__sq_prepare(st, sql, out);

    if (!rc)
        sqlite3_bind_int64(*out, 1, st->workspace_id);
    return rc;
}

void cxm__sq_bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

cxm_rc cxm__sq_step_done(cxm_store *st, sqlite3_stmt *s)
{
    cxm_rc rc = sqlite3_step(s) == SQLITE_DONE ? CXM_OK : cxm__sq_fail(st);

    sqlite3_finalize(s);
    return rc;
}

/* Steps s once: *out its first column when out is not NULL (one row
 * expected), else to its end; finalizes it. */
static cxm_rc run_stmt(cxm_store *st, sqlite3_stmt *s, int64_t *out)
{
    int step = sqlite3_step(s);
    cxm_rc rc = CXM_OK;

    if (out && step == SQLITE_ROW)
        *out = sqlite3_column_int64(s, 0);
    else if (out || step != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    cxm__sq_unkeep(st, s);
    return rc;
}

cxm_rc cxm__sq_run_ints(cxm_store *st, const char *sql, const int64_t *args,
                        size_t n_args, int64_t *out)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = cxm__sq_kept(st, sql, &s);

    if (rc)
        return rc;
    for (size_t i = 0; i < n_args; i++)
        sqlite3_bind_int64(s, (int)i + 1, args[i]);
    return run_stmt(st, s, out);
}

cxm_rc cxm__sq_run(cxm_store *st, const char *sql,
                   const struct cxm__sq_arg *args, size_t n_args,
                   int64_t *out)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = cxm__sq_kept(st, sql, &s);

    if (rc)
        return rc;
    for (size_t i = 0; i < n_args; i++) {
        int p = (int)i + 1;
        switch (args[i].type) {
        case CXM__SQ_INT: sqlite3_bind_int64(s, p, args[i].i); break;
        case CXM__SQ_REAL: sqlite3_bind_double(s, p, args[i].r); break;
        case CXM__SQ_TEXT:
            if (args[i].text)
                sqlite3_bind_text(s, p, args[i].text, -1, SQLITE_STATIC);
            break; /* NULL: the parameter stays NULL */
        }
    }
    return run_stmt(st, s, out);
}

cxm_rc cxm__sq_schema_version(cxm_store *st, int *out)
{
    int64_t v = 0;
    cxm_rc rc = cxm__sq_run_ints(st, "SELECT coalesce(max(version), 0) "
                                     "FROM cxm_schema", NULL, 0, &v);

    *out = rc ? 0 : (int)v;
    return rc;
}

cxm_rc cxm__sq_set_schema_version(cxm_store *st, int version)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = cxm__sq_prepare(st, "INSERT INTO cxm_schema (version) VALUES (?)",
                                &s);

    if (rc)
        return rc;
    sqlite3_bind_int(s, 1, version);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

/* max(rowid) of `sql`'s table, or false when it cannot be read (before
 * the first migration). */
static bool max_rowid(sqlite3 *db, const char *sql, int64_t *out)
{
    sqlite3_stmt *s = NULL;
    bool ok = false;

    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        *out = sqlite3_column_int64(s, 0);
        ok = true;
    }
    sqlite3_finalize(s);
    return ok;
}

cxm_rc cxm__sq_begin(cxm_store *st)
{
    struct cxm__sq *q = st->impl;
    cxm_rc rc = cxm__sq_exec(st, "BEGIN IMMEDIATE");

    if (rc)
        return rc;
    q->kinds_written = 0;
    q->has_marks =
        max_rowid(q->db, "SELECT coalesce(max(rowid), 0) FROM responses",
                  &q->mark_responses) &&
        max_rowid(q->db, "SELECT coalesce(max(rowid), 0) FROM tickets",
                  &q->mark_tickets);
    return CXM_OK;
}

bool cxm__sq_marks(cxm_store *st, int64_t *responses, int64_t *tickets)
{
    struct cxm__sq *q = st->impl;

    *responses = q->mark_responses;
    *tickets = q->mark_tickets;
    return q->has_marks;
}

void cxm__sq_wrote(cxm_store *st, cxm_kind kind)
{
    cxm__sq_of(st)->kinds_written |= 1u << kind;
}

unsigned cxm__sq_kinds_written(cxm_store *st)
{
    const struct cxm__sq *q = st->impl;

    return q->kinds_written;
}

cxm_rc cxm__sq_commit(cxm_store *st) { return cxm__sq_exec(st, "COMMIT"); }

cxm_rc cxm__sq_rollback(cxm_store *st)
{
    struct cxm__sq *q = st->impl;

    if (sqlite3_get_autocommit(q->db))
        return CXM_OK; /* nothing open (SQLite may have rolled back) */
    return cxm__sq_exec(st, "ROLLBACK");
}

