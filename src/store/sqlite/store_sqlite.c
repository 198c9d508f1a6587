/* SPDX-License-Identifier: MIT
 *
 * store_sqlite.c — the embedded SQLite engine. One file, WAL journal,
 * synchronous=FULL (an acknowledged import survives a power cut), a busy
 * timeout so a reader never fails a concurrent import. All SQL text of this
 * engine is here; values are always bound, never formatted into SQL.
 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_int.h"

#define PUT_ROWS 128 /* rows per multi-row INSERT (sq_put_rows()) */

struct sq {
    sqlite3 *db;
    sqlite3_stmt *put[CXM_KIND_COUNT]; /* prepared on first use */
    /* max(rowid) of responses and tickets when the open write transaction
     * began: rows at or past them were written by it (0004-rollups.sql) */
    bool has_marks;
    int64_t mark_responses, mark_tickets;
    unsigned kinds_written; /* 1 << kind for each kind put since BEGIN */
    sqlite3_stmt *put_many[CXM_KIND_COUNT]; /* PUT_ROWS rows; as put */
    struct cxm__sq_colimage colimage; /* what col_segments handed out */
};

/* INSERT OR REPLACE per kind; the parameters follow the kind's column list
 * in record.c (a `scale` column binds two: scale_min, scale_max), after the
 * workspace id. */
static const char *const put_sql[CXM_KIND_COUNT] = {
    [CXM_KIND_TICKETS] =
        "INSERT OR REPLACE INTO tickets (workspace_id, ticket_id, created_at,"
        " customer_id, agent_id, team, channel, first_response_at,"
        " resolved_at, status, contacts, reopened, escalated, complaint,"
        " topic, replies, tags) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [CXM_KIND_RESPONSES] =
        "INSERT OR REPLACE INTO responses (workspace_id, response_id, survey,"
        " responded_at, question, score, scale_min, scale_max, comment,"
        " ticket_id, customer_id, agent_id, team, channel, language)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [CXM_KIND_CUSTOMERS] =
        "INSERT OR REPLACE INTO customers (workspace_id, customer_id,"
        " acquired_at, churned_at, segment, country, email, phone, language)"
        " VALUES (?,?,?,?,?,?,?,?,?)",
    [CXM_KIND_ORDERS] =
        "INSERT OR REPLACE INTO orders (workspace_id, order_id, customer_id,"
        " ordered_at, amount, currency) VALUES (?,?,?,?,?,?)",
    [CXM_KIND_SELFSERVICE] =
        "INSERT OR REPLACE INTO selfservice (workspace_id, session_id,"
        " started_at, customer_id, kind, resolved, topic)"
        " VALUES (?,?,?,?,?,?,?)",
    [CXM_KIND_AGENTS] =
        "INSERT OR REPLACE INTO agents (workspace_id, agent_id, team,"
        " hired_at, left_at) VALUES (?,?,?,?,?)",
    [CXM_KIND_AGENT_HOURS] =
        "INSERT OR REPLACE INTO agent_hours (workspace_id, agent_id, date,"
        " hours) VALUES (?,?,?,?)",
    [CXM_KIND_REVIEWS] =
        "INSERT OR REPLACE INTO reviews (workspace_id, review_id, posted_at,"
        " rating, source, scale_max, text, language)"
        " VALUES (?,?,?,?,?,?,?,?)",
    [CXM_KIND_QA_SCORES] =
        "INSERT OR REPLACE INTO qa_scores (workspace_id, ticket_id, reviewer,"
        " score, max_score, reviewed_at) VALUES (?,?,?,?,?,?)",
};

static const char *const count_sql[CXM_KIND_COUNT] = {
    [CXM_KIND_TICKETS] = "SELECT count(*) FROM tickets WHERE workspace_id=?",
    [CXM_KIND_RESPONSES] =
        "SELECT count(*) FROM responses WHERE workspace_id=?",
    [CXM_KIND_CUSTOMERS] =
        "SELECT count(*) FROM customers WHERE workspace_id=?",
    [CXM_KIND_ORDERS] = "SELECT count(*) FROM orders WHERE workspace_id=?",
    [CXM_KIND_SELFSERVICE] =
        "SELECT count(*) FROM selfservice WHERE workspace_id=?",
    [CXM_KIND_AGENTS] = "SELECT count(*) FROM agents WHERE workspace_id=?",
    [CXM_KIND_AGENT_HOURS] =
        "SELECT count(*) FROM agent_hours WHERE workspace_id=?",
    [CXM_KIND_REVIEWS] = "SELECT count(*) FROM reviews WHERE workspace_id=?",
    [CXM_KIND_QA_SCORES] =
        "SELECT count(*) FROM qa_scores WHERE workspace_id=?",
};

/* One min() or max() per subquery: SQLite answers each from an index in
 * one probe, where min() and max() together scan it. */
#define CXM__TR(col, tab)                                                   \
    " UNION ALL SELECT (SELECT min(" col ") FROM " tab                     \
    " WHERE workspace_id = ?1), (SELECT max(" col ") FROM " tab            \
    " WHERE workspace_id = ?1)"
static const char time_range_sql[] =
    "SELECT min(lo), max(hi) FROM ("
    " SELECT NULL AS lo, NULL AS hi"
    CXM__TR("created_at", "tickets")
    CXM__TR("responded_at", "responses")
    CXM__TR("started_at", "selfservice")
    CXM__TR("ordered_at", "orders")
    CXM__TR("posted_at", "reviews")
    ")";
#undef CXM__TR

/* A ticket without a team takes its agent's (docs/report-semantics.md). */
static const char scan_tickets_sql[] =
    "SELECT t.ticket_id, t.customer_id, t.agent_id, coalesce(t.team, a.team),"
    " t.channel, t.topic, c.segment, t.created_at, t.first_response_at,"
    " t.resolved_at, t.contacts, t.reopened, t.escalated, t.complaint,"
    " t.status, t.tags, t.replies"
    " FROM tickets t LEFT JOIN customers c"
    "  ON c.workspace_id = t.workspace_id AND c.customer_id = t.customer_id"
    " LEFT JOIN agents a"
    "  ON a.workspace_id = t.workspace_id AND a.agent_id = t.agent_id"
    " WHERE t.workspace_id = ?1";

/* The CXM__EVENT_ENDS (6) first rows of `tab` by event timestamp `at`,
 * then its last: two subqueries of a UNION ALL. */
#define CXM__END(tab, id, at, dir)                                        \
    "SELECT '" tab "', " id ", " at " FROM " tab                         \
    " WHERE workspace_id = ?1 ORDER BY " at dir " LIMIT 6"
_Static_assert(CXM__EVENT_ENDS == 6, "CXM__END's LIMIT is CXM__EVENT_ENDS");
#define CXM__ENDS(tab, id, at)                                            \
    CXM__END(tab, id, at, "") ") UNION ALL SELECT * FROM ("                \
    CXM__END(tab, id, at, " DESC")

/* The named queries of store_int.h, each with its column types (T text,
 * I integer, R real) in order. */
static const struct {
    const char *sql;
    const char *types;
} query_sql[CXM__Q_COUNT] = {
    [CXM__Q_CUSTOMERS] = {
        "SELECT customer_id, acquired_at, churned_at, segment"
        " FROM customers WHERE workspace_id = ?1", "TIIT"},
    [CXM__Q_ORDERS] = {
        "SELECT customer_id, ordered_at, amount, currency FROM orders"
        " WHERE workspace_id = ?1 ORDER BY customer_id, ordered_at", "TIRT"},
    [CXM__Q_SELFSERVICE] = {
        "SELECT s.started_at, s.resolved, s.topic, c.segment, s.customer_id"
        " FROM selfservice s LEFT JOIN customers c"
        "  ON c.workspace_id = s.workspace_id"
        "  AND c.customer_id = s.customer_id"
        " WHERE s.workspace_id = ?1", "IITTT"},
    [CXM__Q_AGENTS] = {
        "SELECT agent_id, team, hired_at, left_at FROM agents"
        " WHERE workspace_id = ?1", "TTII"},
    [CXM__Q_AGENT_HOURS] = {
        "SELECT h.agent_id, a.team, h.date, h.hours FROM agent_hours h"
        " LEFT JOIN agents a"
        "  ON a.workspace_id = h.workspace_id AND a.agent_id = h.agent_id"
        " WHERE h.workspace_id = ?1", "TTIR"},
    [CXM__Q_REVIEWS] = {
        "SELECT posted_at, rating, scale_max, source, language FROM reviews"
        " WHERE workspace_id = ?1", "IRRTT"},
    [CXM__Q_QA] = {
        "SELECT coalesce(q.reviewed_at, t.resolved_at, t.created_at),"
        " q.score, q.max_score, t.agent_id, coalesce(t.team, a.team),"
        " t.channel, t.topic, c.segment, q.reviewer"
        " FROM qa_scores q"
        " LEFT JOIN tickets t"
        "  ON t.workspace_id = q.workspace_id AND t.ticket_id = q.ticket_id"
        " LEFT JOIN agents a"
        "  ON a.workspace_id = q.workspace_id AND a.agent_id = t.agent_id"
        " LEFT JOIN customers c"
        "  ON c.workspace_id = q.workspace_id"
        "  AND c.customer_id = t.customer_id"
        " WHERE q.workspace_id = ?1", "IRRTTTTTT"},
    [CXM__Q_BENCHMARKS] = {
        "SELECT metric, label, value, set_at FROM benchmarks"
        " WHERE workspace_id = ?1 ORDER BY set_at, rowid", "TTRI"},
    [CXM__Q_DEFINITIONS] = {
        "SELECT version, set_at, set_by, note, settings FROM definitions"
        " WHERE workspace_id = ?1 ORDER BY version", "IITTT"},
    [CXM__Q_SCALES] = {
        "SELECT survey, scale_min, scale_max, count(*) FROM responses"
        " WHERE workspace_id = ?1 AND survey IN ('csat', 'nps', 'ces')"
        "  AND scale_min IS NOT NULL AND scale_max IS NOT NULL"
        " GROUP BY survey, scale_min, scale_max", "TIII"},
    [CXM__Q_SETTINGS] = {
        "SELECT key, value FROM settings WHERE workspace_id = ?1"
        " ORDER BY key", "TT"},
    [CXM__Q_EVENT_ENDS] = {
        "SELECT * FROM ("
        CXM__ENDS("tickets", "ticket_id", "created_at") ") UNION ALL"
        " SELECT * FROM ("
        CXM__ENDS("responses", "response_id", "responded_at") ") UNION ALL"
        " SELECT * FROM ("
        CXM__ENDS("selfservice", "session_id", "started_at") ") UNION ALL"
        " SELECT * FROM ("
        CXM__ENDS("orders", "order_id", "ordered_at") ") UNION ALL"
        " SELECT * FROM ("
        CXM__ENDS("reviews", "review_id", "posted_at") ")",
        "TTI"},
    [CXM__Q_SUPPLIED] = {
        "SELECT kind, column_name FROM supplied_columns"
        " WHERE workspace_id = ?1", "TT"},
};
#undef CXM__ENDS
#undef CXM__END

/* SPEC §2: a response without agent, team, channel, topic or customer
 * takes them from its ticket; team falls back to the agent's team. */
static const char scan_responses_sql[] =
    "SELECT r.survey, coalesce(r.agent_id, t.agent_id),"
    " coalesce(r.team, t.team, a.team), coalesce(r.channel, t.channel),"
    " r.language, t.topic, c.segment, r.responded_at, r.score,"
    " r.scale_min, r.scale_max, r.agent_id, t.agent_id, t.ticket_id,"
    " t.status, t.tags"
    " FROM responses r"
    " LEFT JOIN tickets t"
    "  ON t.workspace_id = r.workspace_id AND t.ticket_id = r.ticket_id"
    " LEFT JOIN agents a ON a.workspace_id = r.workspace_id"
    "  AND a.agent_id = coalesce(r.agent_id, t.agent_id)"
    " LEFT JOIN customers c ON c.workspace_id = r.workspace_id"
    "  AND c.customer_id = coalesce(r.customer_id, t.customer_id)"
    " WHERE r.workspace_id = ?1 AND r.responded_at >= ?2"
    "  AND r.responded_at < ?3";

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
    struct sq *q = st->impl;

    if (q && q->db)
        /* Never an empty reason, even for a call SQLite gave none for. */
        sq_set_error(st, q->db, sqlite3_errcode(q->db) == SQLITE_OK
                                    ? "an SQLite call failed without a reason"
                                    : sqlite3_errmsg(q->db));
    else
        cxm__store_set_error(st, "cannot open the database");
    return CXM_ESTORE;
}

static cxm_rc sq_fail(cxm_store *st) { return cxm__sq_fail(st); }

static cxm_rc sq_exec(cxm_store *st, const char *sql)
{
    struct sq *q = st->impl;
    char *err = NULL;

    if (sqlite3_exec(q->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        sq_set_error(st, q->db, err ? err : sqlite3_errmsg(q->db));
        sqlite3_free(err);
        return CXM_ESTORE;
    }
    return CXM_OK;
}

static void sq_close(cxm_store *st)
{
    struct sq *q = st->impl;

    if (!q)
        return;
    for (int k = 0; k < CXM_KIND_COUNT; k++) {
        sqlite3_finalize(q->put[k]);
        sqlite3_finalize(q->put_many[k]);
    }
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
    struct sq *q = st->impl;
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
static bool sq_connect(struct sq *q, const char *name, int flags)
{
    sqlite3_close(q->db);
    q->db = NULL;
    if (sqlite3_open_v2(name, &q->db, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK)
        return false;
    sqlite3_extended_result_codes(q->db, 1);
    /* busy_timeout: wait for a writer instead of failing (docs/store.md) */
    return sqlite3_busy_timeout(q->db, 10000) == SQLITE_OK &&
           cxm__sq_rollup_register(q->db) == CXM_OK;
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
    struct sq *q = st->impl;
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
    return sq_exec(st, conn_pragmas);
}

/* CXM_OPEN_READ: an existing store, written if it can be, else read. */
static cxm_rc sq_open_existing(cxm_store *st, const char *path)
{
    struct sq *q = st->impl;
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
        return sq_exec(st, conn_pragmas);
    }
    /* A store that cannot take the WAL's pragmas is read as one the user
     * cannot write. */
    if (sq_exec(st, "PRAGMA journal_mode=WAL"))
        return sq_open_read_only(st, path);
    return sq_exec(st, conn_pragmas);
}

static cxm_rc sq_open(cxm_store *st, const char *path, int mode)
{
    struct sq *q = cxm__calloc(1, sizeof(*q));

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
     * the WAL's index, one hash table per 4,096 frames: with 16 KiB
     * pages a 10M-answer import keeps a quarter of the frames and took
     * 62 s instead of 118 s (docs/store.md, "Page size"). */
    if (sq_exec(st, "PRAGMA page_size=16384;"
                    "PRAGMA journal_mode=WAL;") ||
        sq_exec(st, conn_pragmas) ||
        sq_exec(st, "CREATE TABLE IF NOT EXISTS cxm_schema ("
                    " version INTEGER NOT NULL);"))
        return open_failed(st, path, 0, true, NULL);
    /* SQLite opens a file the user may not write read-only by itself. */
    if (sqlite3_db_readonly(q->db, "main") == 1)
        return open_failed(st, path, EACCES, true,
                           " (the file is read-only)");
    return CXM_OK;
}

cxm_rc cxm__sq_exec_plain(cxm_store *st, const char *sql)
{
    return sq_exec(st, sql);
}

struct sqlite3 *cxm__sq_db(cxm_store *st)
{
    return ((struct sq *)st->impl)->db;
}

struct cxm__sq_colimage *cxm__sq_colimage(cxm_store *st)
{
    return &((struct sq *)st->impl)->colimage;
}

static cxm_rc sq_prepare(cxm_store *st, const char *sql, sqlite3_stmt **out)
{
    struct sq *q = st->impl;

    if (sqlite3_prepare_v2(q->db, sql, -1, out, NULL) != SQLITE_OK)
        return sq_fail(st);
    return CXM_OK;
}

static cxm_rc sq_schema_version(cxm_store *st, int *out)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = sq_prepare(st, "SELECT max(version) FROM cxm_schema", &s);

    if (rc)
        return rc;
    *out = 0;
    if (sqlite3_step(s) == SQLITE_ROW)
        *out = sqlite3_column_int(s, 0);
    else
        rc = sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

static cxm_rc sq_set_schema_version(cxm_store *st, int version)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = sq_prepare(st, "INSERT INTO cxm_schema (version) VALUES (?)",
                           &s);

    if (rc)
        return rc;
    sqlite3_bind_int(s, 1, version);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = sq_fail(st);
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

static cxm_rc sq_begin(cxm_store *st)
{
    struct sq *q = st->impl;
    cxm_rc rc = sq_exec(st, "BEGIN IMMEDIATE");

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
    struct sq *q = st->impl;

    *responses = q->mark_responses;
    *tickets = q->mark_tickets;
    return q->has_marks;
}

unsigned cxm__sq_kinds_written(cxm_store *st)
{
    const struct sq *q = st->impl;

    return q->kinds_written;
}

static cxm_rc sq_commit(cxm_store *st) { return sq_exec(st, "COMMIT"); }

static cxm_rc sq_rollback(cxm_store *st)
{
    struct sq *q = st->impl;

    if (sqlite3_get_autocommit(q->db))
        return CXM_OK; /* nothing open (SQLite may have rolled back) */
    return sq_exec(st, "ROLLBACK");
}

/* The writer's last step before COMMIT (import.c finish_import()). */
static cxm_rc sq_import_end(cxm_store *st, cxm_kind kind)
{
    (void)st;
    (void)kind;
    /* Nothing yet: rollups and column segments are recounted for every
     * write transaction, imports included, just before COMMIT by
     * cxm__store_commit (store_sqlite_rollup.c). */
    return CXM_OK;
}

/* Binds one row's values from parameter *p on. */
static void bind_row(cxm_store *st, sqlite3_stmt *s, int *p,
                     const struct cxm__kindspec *ks,
                     const struct cxm__value *vals)
{
    sqlite3_bind_int64(s, (*p)++, st->workspace_id);
    for (size_t j = 0; j < ks->n_cols; j++) {
        const struct cxm__value *v = &vals[j];
        if (ks->cols[j].type == CXM__COL_SCALE) {
            if (v->type == CXM__V_NULL) {
                sqlite3_bind_null(s, (*p)++);
                sqlite3_bind_null(s, (*p)++);
            } else {
                sqlite3_bind_int64(s, (*p)++, v->i);
                sqlite3_bind_int64(s, (*p)++, v->i2);
            }
            continue;
        }
        switch (v->type) {
        case CXM__V_NULL:
            sqlite3_bind_null(s, (*p)++);
            break;
        case CXM__V_INT:
            sqlite3_bind_int64(s, (*p)++, v->i);
            break;
        case CXM__V_REAL:
            sqlite3_bind_double(s, (*p)++, v->d);
            break;
        case CXM__V_TEXT:
            sqlite3_bind_text(s, (*p)++, v->s, (int)v->len, SQLITE_STATIC);
            break;
        }
    }
}

/* Runs the bound statement `s` once and makes it ready for the next row.
 * Every parameter is bound again each time, so none is cleared. */
static cxm_rc step_put(cxm_store *st, sqlite3_stmt *s)
{
    cxm_rc rc = sqlite3_step(s) == SQLITE_DONE ? CXM_OK : sq_fail(st);

    sqlite3_reset(s);
    return rc;
}

static cxm_rc sq_put(cxm_store *st, cxm_kind kind,
                     const struct cxm__value *vals)
{
    struct sq *q = st->impl;
    int p = 1;
    cxm_rc rc;

    if (!q->put[kind]) {
        rc = sq_prepare(st, put_sql[kind], &q->put[kind]);
        if (rc)
            return rc;
    }
    q->kinds_written |= 1u << kind;
    bind_row(st, q->put[kind], &p, cxm__kind_spec(kind), vals);
    return step_put(st, q->put[kind]);
}

/* put_sql[kind] with PUT_ROWS groups of parameters after VALUES: one
 * statement inserts PUT_ROWS rows, in order, so a later row still
 * replaces an earlier one with the same key. */
static cxm_rc prepare_put_many(cxm_store *st, cxm_kind kind,
                               sqlite3_stmt **out)
{
    const char *sql = put_sql[kind];
    const char *values = strstr(sql, " VALUES ");
    struct cxm__buf b = CXM__BUF_INIT(1u << 20);
    cxm_rc rc;

    CXM_ASSERT(values);
    values += strlen(" VALUES ");
    rc = cxm__buf_add(&b, sql, (size_t)(values - sql));
    for (int r = 0; r < PUT_ROWS && !rc; r++) {
        if (r)
            rc = cxm__buf_addc(&b, ',');
        if (!rc)
            rc = cxm__buf_adds(&b, values);
    }
    if (rc)
        return rc;
    rc = sq_prepare(st, b.data, out);
    cxm__buf_release(&b);
    return rc;
}

/* Whether the first key column (a kind's column 0, its id) of n rows
 * strictly ascends, as SQLite's BINARY collation orders text. A multi-row
 * INSERT OR REPLACE may abort half-way (a NOT NULL column), so SQLite
 * keeps a statement journal: a copy of every page the statement changes.
 * Rows in key order touch a few pages at the right edge of each b-tree
 * and the copy is cheap (the 128-row statement is 1.3x faster than 128
 * single rows); rows in random order touch a page per row and index and
 * the copies made a shuffled 1M-ticket file 2.8x slower than single-row
 * statements, which need no statement journal. */
static bool keys_ascend(const struct cxm__value *vals, size_t n_cols,
                        size_t n)
{
    for (size_t r = 1; r < n; r++) {
        const struct cxm__value *a = &vals[(r - 1) * n_cols];
        const struct cxm__value *b = &vals[r * n_cols];
        size_t m;
        int c;
        if (a->type != CXM__V_TEXT || b->type != CXM__V_TEXT)
            return false;
        m = a->len < b->len ? a->len : b->len;
        c = memcmp(a->s, b->s, m);
        if (c > 0 || (c == 0 && a->len >= b->len))
            return false;
    }
    return true;
}

static cxm_rc sq_put_rows(cxm_store *st, cxm_kind kind,
                          const struct cxm__value *vals, size_t n_rows)
{
    struct sq *q = st->impl;
    const struct cxm__kindspec *ks = cxm__kind_spec(kind);
    cxm_rc rc;

    q->kinds_written |= 1u << kind;
    if (n_rows >= PUT_ROWS && !q->put_many[kind]) {
        rc = prepare_put_many(st, kind, &q->put_many[kind]);
        if (rc)
            return rc;
    }
    while (n_rows >= PUT_ROWS) {
        int p = 1;
        if (!keys_ascend(vals, ks->n_cols, PUT_ROWS)) {
            /* Scattered keys: one row a statement (see keys_ascend()). */
            for (int r = 0; r < PUT_ROWS; r++) {
                rc = sq_put(st, kind, vals);
                if (rc)
                    return rc;
                vals += ks->n_cols;
            }
            n_rows -= PUT_ROWS;
            continue;
        }
        for (int r = 0; r < PUT_ROWS; r++) {
            bind_row(st, q->put_many[kind], &p, ks, vals);
            vals += ks->n_cols;
        }
        rc = step_put(st, q->put_many[kind]);
        if (rc)
            return rc;
        n_rows -= PUT_ROWS;
    }
    for (; n_rows > 0; n_rows--) {
        rc = sq_put(st, kind, vals);
        if (rc)
            return rc;
        vals += ks->n_cols;
    }
    return CXM_OK;
}

static cxm_rc sq_count(cxm_store *st, cxm_kind kind, int64_t *out)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = sq_prepare(st, count_sql[kind], &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    if (sqlite3_step(s) == SQLITE_ROW)
        *out = sqlite3_column_int64(s, 0);
    else
        rc = sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

/* SPEC timestamps have four-digit years: an instant (or any integer a
 * report reads) past 0000-01-01 .. 9999-12-31T23:59:59.999, which only a
 * store written by other means can hold, reads as that range's edge, so
 * no difference or sum of two read values can overflow. */
#define READ_MIN INT64_C(-62167219200000)
#define READ_MAX INT64_C(253402300799999)

static int64_t col_int(sqlite3_stmt *s, int i)
{
    int64_t v = sqlite3_column_int64(s, i);

    return v < READ_MIN ? READ_MIN : v > READ_MAX ? READ_MAX : v;
}

static cxm_rc sq_time_range(cxm_store *st, bool *found, int64_t *min,
                            int64_t *max)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = sq_prepare(st, time_range_sql, &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    *found = false;
    if (sqlite3_step(s) == SQLITE_ROW) {
        if (sqlite3_column_type(s, 0) != SQLITE_NULL) {
            *found = true;
            *min = col_int(s, 0);
            *max = col_int(s, 1);
        }
    } else {
        rc = sq_fail(st);
    }
    sqlite3_finalize(s);
    return rc;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i); /* NULL for NULL */
}

static bool col_i64(sqlite3_stmt *s, int i, int64_t *out)
{
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return false;
    *out = col_int(s, i);
    return true;
}

static int col_flag(sqlite3_stmt *s, int i)
{
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return -1;
    return sqlite3_column_int64(s, i) != 0;
}

static cxm_rc sq_scan_tickets(cxm_store *st, cxm__ticket_fn fn, void *ud)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = sq_prepare(st, scan_tickets_sql, &s);
    int step;

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        struct cxm__ticket_row t;
        t.ticket_id = col_text(s, 0);
        t.customer_id = col_text(s, 1);
        t.agent_id = col_text(s, 2);
        t.team = col_text(s, 3);
        t.channel = col_text(s, 4);
        t.topic = col_text(s, 5);
        t.segment = col_text(s, 6);
        t.created_at = col_int(s, 7);
        t.has_first_response = col_i64(s, 8, &t.first_response_at);
        t.has_resolved = col_i64(s, 9, &t.resolved_at);
        t.has_contacts = col_i64(s, 10, &t.contacts);
        t.reopened = col_flag(s, 11);
        t.escalated = col_flag(s, 12);
        t.complaint = col_flag(s, 13);
        t.status = col_text(s, 14);
        t.tags = col_text(s, 15);
        t.has_replies = col_i64(s, 16, &t.replies);
        rc = fn(&t, ud);
        if (rc)
            break;
    }
    if (!rc && step != SQLITE_DONE)
        rc = sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

static cxm_rc sq_scan_responses(cxm_store *st, int64_t from, int64_t to,
                                cxm__response_fn fn, void *ud)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = sq_prepare(st, scan_responses_sql, &s);
    int step;

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_int64(s, 2, from);
    sqlite3_bind_int64(s, 3, to);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        struct cxm__response_row r;
        int64_t v;
        r.survey = col_text(s, 0);
        r.agent_id = col_text(s, 1);
        r.team = col_text(s, 2);
        r.channel = col_text(s, 3);
        r.language = col_text(s, 4);
        r.topic = col_text(s, 5);
        r.segment = col_text(s, 6);
        r.responded_at = col_int(s, 7);
        r.has_score = col_i64(s, 8, &v);
        r.score = r.has_score ? (int)v : 0;
        r.scale_min = sqlite3_column_int(s, 9);
        r.scale_max = sqlite3_column_int(s, 10);
        r.response_agent_id = col_text(s, 11);
        r.ticket_agent_id = col_text(s, 12);
        r.has_ticket = sqlite3_column_type(s, 13) != SQLITE_NULL;
        r.ticket_status = col_text(s, 14);
        r.ticket_tags = col_text(s, 15);
        rc = fn(&r, ud);
        if (rc)
            break;
    }
    if (!rc && step != SQLITE_DONE)
        rc = sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

static cxm_rc sq_query(cxm_store *st, enum cxm__query id, cxm__row_fn fn,
                       void *ud)
{
    sqlite3_stmt *s = NULL;
    const char *types = query_sql[id].types;
    struct cxm__row row;
    cxm_rc rc = sq_prepare(st, query_sql[id].sql, &s);
    int step;

    if (rc)
        return rc;
    memset(&row, 0, sizeof(row));
    row.n_cols = strlen(types);
    CXM_ASSERT(row.n_cols <= CXM__ROW_MAX_COLS);
    sqlite3_bind_int64(s, 1, st->workspace_id);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        for (size_t k = 0; k < row.n_cols; k++) {
            int c = (int)k;
            row.is_null[k] = sqlite3_column_type(s, c) == SQLITE_NULL;
            row.text[k] = NULL;
            row.i64[k] = 0;
            row.real[k] = 0;
            if (row.is_null[k])
                continue;
            if (types[k] == 'T')
                row.text[k] = col_text(s, c);
            else if (types[k] == 'I')
                row.i64[k] = col_int(s, c);
            else
                row.real[k] = sqlite3_column_double(s, c);
        }
        rc = fn(&row, ud);
        if (rc)
            break;
    }
    if (!rc && step != SQLITE_DONE)
        rc = sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

static cxm_rc sq_put_benchmark(cxm_store *st, const char *metric,
                               const char *label, double value,
                               int64_t at_ms)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = sq_prepare(st,
                           "INSERT INTO benchmarks (workspace_id, metric,"
                           " label, value, set_at) VALUES (?,?,?,?,?)",
                           &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_text(s, 2, metric, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, label, -1, SQLITE_STATIC);
    sqlite3_bind_double(s, 4, value);
    sqlite3_bind_int64(s, 5, at_ms);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

static cxm_rc sq_remove_benchmarks(cxm_store *st, const char *metric,
                                   const char *label, int64_t *removed)
{
    struct sq *q = st->impl;
    sqlite3_stmt *s = NULL;
    cxm_rc rc = sq_prepare(st,
                           "DELETE FROM benchmarks WHERE workspace_id = ?1"
                           " AND metric = ?2 AND (?3 IS NULL OR label = ?3)",
                           &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_text(s, 2, metric, -1, SQLITE_STATIC);
    if (label)
        sqlite3_bind_text(s, 3, label, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = sq_fail(st);
    else
        *removed = sqlite3_changes64(q->db);
    sqlite3_finalize(s);
    return rc;
}

static cxm_rc sq_put_supplied(cxm_store *st, cxm_kind kind,
                              const char *column)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = sq_prepare(st,
                           "INSERT OR IGNORE INTO supplied_columns"
                           " (workspace_id, kind, column_name)"
                           " VALUES (?,?,?)",
                           &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_text(s, 2, cxm_kind_name(kind), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, column, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

/* One statement, so the next version is decided and taken atomically. */
static cxm_rc sq_put_definitions(cxm_store *st, const char *settings,
                                 const char *set_by, const char *note,
                                 int64_t at_ms, int *version_out)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = sq_prepare(st,
                           "INSERT INTO definitions (workspace_id, version,"
                           " set_at, set_by, note, settings)"
                           " SELECT ?1, coalesce(max(version), 1) + 1, ?2,"
                           " ?3, ?4, ?5 FROM definitions"
                           " WHERE workspace_id = ?1 RETURNING version",
                           &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_int64(s, 2, at_ms);
    sqlite3_bind_text(s, 3, set_by, -1, SQLITE_STATIC);
    if (note)
        sqlite3_bind_text(s, 4, note, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, 4);
    sqlite3_bind_text(s, 5, settings, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        *version_out = sqlite3_column_int(s, 0);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = sq_fail(st);
    } else {
        rc = sq_fail(st);
    }
    sqlite3_finalize(s);
    return rc;
}

static cxm_rc sq_put_setting(cxm_store *st, const char *key,
                             const char *value, int64_t at_ms)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = sq_prepare(st,
                           value ? "INSERT OR REPLACE INTO settings"
                                   " (workspace_id, key, value, set_at)"
                                   " VALUES (?1, ?2, ?3, ?4)"
                                 : "DELETE FROM settings"
                                   " WHERE workspace_id = ?1 AND key = ?2",
                           &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
    if (value) {
        sqlite3_bind_text(s, 3, value, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, at_ms);
    }
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

const struct cxm__store_ops cxm__sqlite_ops = {
    "sqlite",
    sq_open,
    sq_close,
    sq_exec,
    sq_schema_version,
    sq_set_schema_version,
    sq_begin,
    sq_commit,
    sq_rollback,
    sq_import_end,
    sq_put,
    sq_put_rows,
    sq_count,
    sq_time_range,
    sq_scan_tickets,
    sq_scan_responses,
    sq_query,
    sq_put_benchmark,
    cxm__sq_rollup_flush,
    cxm__sq_rollup_cube,
    cxm__sq_responses_between,
    cxm__sq_scan_rollup,
    cxm__sq_rollup_cells,
    cxm__sq_segment_answers,
    cxm__sq_rollups_clean,
    cxm__sq_col_dict,
    cxm__sq_col_segments,
    cxm__sq_col_file_refresh,
    sq_remove_benchmarks,
    sq_put_supplied,
    sq_put_definitions,
    sq_put_setting,
};
