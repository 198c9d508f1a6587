/* SPDX-License-Identifier: MIT
 *
 * store_sqlite.c — the embedded SQLite engine's rows: storing records,
 * scanning tickets and answers, the named queries of the report, and the
 * engine's table (cxm__sqlite_ops). The connection and the helpers that
 * run SQL on it are conn.c's (sqlite_int.h), rollups and column segments
 * store_sqlite_rollup.c's, the column file store_sqlite_colfile.c's.
 * Values are always bound, never formatted into SQL.
 */
#include "internal.h"

#include <string.h>

#include "named_sql.h"
#include "record.h"
#include "sqlite_int.h"

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
        /* An agent as stored is not written again, so no trigger of the
         * cells fires for it (0028-agent-moves.sql). Not an upsert: the
         * outer statement's conflict clause would override the triggers'
         * OR IGNORE. */
        "INSERT OR REPLACE INTO agents (workspace_id, agent_id, team,"
        " hired_at, left_at) SELECT * FROM ( VALUES (?,?,?,?,?)) AS v"
        " WHERE NOT EXISTS (SELECT 1 FROM agents a"
        " WHERE a.workspace_id = v.column1 AND a.agent_id = v.column2"
        " AND a.team IS v.column3 AND a.hired_at IS v.column4"
        " AND a.left_at IS v.column5)",
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
#define CXM__TICKETS_COLS                                                 \
    "SELECT t.ticket_id, t.customer_id, t.agent_id, coalesce(t.team, a.team),"\
    " t.channel, t.topic, c.segment, t.created_at, t.first_response_at,"     \
    " t.resolved_at, t.contacts, t.reopened, t.escalated, t.complaint,"      \
    " t.status, t.tags, t.replies"
#define CXM__TICKETS_JOINS                                                \
    " LEFT JOIN customers c"                                                 \
    "  ON c.workspace_id = t.workspace_id AND c.customer_id = t.customer_id" \
    " LEFT JOIN agents a"                                                    \
    "  ON a.workspace_id = t.workspace_id AND a.agent_id = t.agent_id"
static const char scan_tickets_sql[] =
    CXM__TICKETS_COLS " FROM tickets t" CXM__TICKETS_JOINS
    " WHERE t.workspace_id = ?1";

/* The named queries of store_int.h (named_sql.h, shared with the PostgreSQL
 * engine). */
static const struct cxm__named_sql query_sql[CXM__Q_COUNT] =
    CXM__NAMED_SQL("rowid");

/* The answers of [?2, ?3), attributed as SPEC §2 says (sqlite_int.h). */
static const char scan_responses_sql[] =
    "SELECT " CXM__SQ_ANSWER_COLS ", c.segment, r.responded_at, r.score,"
    " r.scale_min, r.scale_max, r.agent_id, t.agent_id, t.ticket_id,"
    " t.status, t.tags"
    CXM__SQ_ANSWER_FROM("")
    " LEFT JOIN customers c ON c.workspace_id = r.workspace_id"
    "  AND c.customer_id = " CXM__SQ_ANSWER_CUSTOMER
    " WHERE r.workspace_id = ?1 AND r.responded_at >= ?2"
    "  AND r.responded_at < ?3";

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
    cxm_rc rc = sqlite3_step(s) == SQLITE_DONE ? CXM_OK : cxm__sq_fail(st);

    sqlite3_reset(s);
    return rc;
}

static cxm_rc sq_put(cxm_store *st, cxm_kind kind,
                     const struct cxm__value *vals)
{
    struct cxm__sq *q = cxm__sq_of(st);
    int p = 1;
    cxm_rc rc;

    if (!q->put[kind]) {
        rc = cxm__sq_prepare(st, put_sql[kind], &q->put[kind]);
        if (rc)
            return rc;
    }
    cxm__sq_wrote(st, kind);
    bind_row(st, q->put[kind], &p, cxm__kind_spec(kind), vals);
    return step_put(st, q->put[kind]);
}

/* put_sql[kind] with CXM__SQ_PUT_ROWS groups of parameters after VALUES: one
 * statement inserts CXM__SQ_PUT_ROWS rows, in order, so a later row still
 * replaces an earlier one with the same key. */
static cxm_rc prepare_put_many(cxm_store *st, cxm_kind kind,
                               sqlite3_stmt **out)
{
    const char *sql = put_sql[kind];
    const char *values = strstr(sql, " VALUES "), *tail;
    struct cxm__buf b = CXM__BUF_INIT(1u << 20);
    cxm_rc rc;

    CXM_ASSERT(values);
    values += strlen(" VALUES ");
    /* The row's parameters, repeated; what follows them once after. */
    tail = strchr(values, ')');
    CXM_ASSERT(tail);
    tail++;
    rc = cxm__buf_add(&b, sql, (size_t)(values - sql));
    for (int r = 0; r < CXM__SQ_PUT_ROWS && !rc; r++) {
        if (r)
            rc = cxm__buf_addc(&b, ',');
        if (!rc)
            rc = cxm__buf_add(&b, values, (size_t)(tail - values));
    }
    if (!rc)
        rc = cxm__buf_adds(&b, tail);
    if (!rc)
        rc = cxm__sq_prepare(st, b.data, out);
    cxm__buf_release(&b);
    return rc;
}

/* Whether the first key column (a kind's column 0, its id) of n rows
 * strictly ascends, as SQLite's BINARY collation orders text. A multi-row
 * INSERT OR REPLACE may abort half-way (a NOT NULL column), so SQLite
 * keeps a statement journal: a copy of every page the statement changes.
 * Rows in key order touch a few pages at the right edge of each b-tree
 * and the copy is cheap, so the multi-row statement wins; rows in random
 * order touch a page per row and index, and the copies cost more than
 * single-row statements, which need no statement journal (docs/store.md,
 * docs/performance.md). */
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
    struct cxm__sq *q = cxm__sq_of(st);
    const struct cxm__kindspec *ks = cxm__kind_spec(kind);
    cxm_rc rc;

    cxm__sq_wrote(st, kind);
    if (n_rows >= CXM__SQ_PUT_ROWS && !q->put_many[kind]) {
        rc = prepare_put_many(st, kind, &q->put_many[kind]);
        if (rc)
            return rc;
    }
    while (n_rows >= CXM__SQ_PUT_ROWS) {
        int p = 1;
        if (!keys_ascend(vals, ks->n_cols, CXM__SQ_PUT_ROWS)) {
            /* Scattered keys: one row a statement (see keys_ascend()). */
            for (int r = 0; r < CXM__SQ_PUT_ROWS; r++) {
                rc = sq_put(st, kind, vals);
                if (rc)
                    return rc;
                vals += ks->n_cols;
            }
            n_rows -= CXM__SQ_PUT_ROWS;
            continue;
        }
        for (int r = 0; r < CXM__SQ_PUT_ROWS; r++) {
            bind_row(st, q->put_many[kind], &p, ks, vals);
            vals += ks->n_cols;
        }
        rc = step_put(st, q->put_many[kind]);
        if (rc)
            return rc;
        n_rows -= CXM__SQ_PUT_ROWS;
    }
    for (; n_rows > 0; n_rows--) {
        rc = sq_put(st, kind, vals);
        if (rc)
            return rc;
        vals += ks->n_cols;
    }
    return CXM_OK;
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
    cxm_rc rc = cxm__sq_prepare(st, time_range_sql, &s);

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
        rc = cxm__sq_fail(st);
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

/* The tickets with an event in [?2, ?3): created, resolved or first
 * answered then (the ticket cells' recount, store_sqlite_tickets.c). */
static const char scan_tickets_between_sql[] =
    CXM__TICKETS_COLS
    /* One index range each, then the tickets by rowid (the planner would
     * neither split the OR nor start from the ranges on its own). */
    " FROM (SELECT rowid AS id FROM tickets WHERE workspace_id = ?1"
    "  AND created_at >= ?2 AND created_at < ?3"
    "  UNION SELECT rowid FROM tickets WHERE workspace_id = ?1"
    "  AND resolved_at >= ?2 AND resolved_at < ?3"
    "  UNION SELECT rowid FROM tickets WHERE workspace_id = ?1"
    "  AND first_response_at >= ?2 AND first_response_at < ?3) ids"
    " CROSS JOIN tickets t ON t.rowid = ids.id" CXM__TICKETS_JOINS;

/* Every ticket in rowid order: NOT INDEXED keeps the planner off the
 * workspace's index (ticket_id order, a random read of the table each). */
static const char scan_tickets_seq_sql[] =
    CXM__TICKETS_COLS " FROM tickets t NOT INDEXED" CXM__TICKETS_JOINS
    " WHERE t.workspace_id = ?1";

/* The rows of s (the columns of scan_tickets_sql), each to fn. */
static cxm_rc read_tickets(cxm_store *st, sqlite3_stmt *s, cxm__ticket_fn fn,
                           void *ud)
{
    cxm_rc rc = CXM_OK;
    int step;

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
        rc = cxm__sq_fail(st);
    return rc;
}

/* Every ticket of the workspace through statement `sql` (?1 the
 * workspace), each to fn. */
static cxm_rc workspace_tickets(cxm_store *st, const char *sql,
                                cxm__ticket_fn fn, void *ud)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = cxm__sq_prepare(st, sql, &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    rc = read_tickets(st, s, fn, ud);
    sqlite3_finalize(s);
    return rc;
}

static cxm_rc sq_scan_tickets(cxm_store *st, cxm__ticket_fn fn, void *ud)
{
    return workspace_tickets(st, scan_tickets_sql, fn, ud);
}

cxm_rc cxm__sq_scan_tickets_seq(cxm_store *st, cxm__ticket_fn fn, void *ud)
{
    return workspace_tickets(st, scan_tickets_seq_sql, fn, ud);
}

cxm_rc cxm__sq_scan_tickets_between(cxm_store *st, int64_t lo, int64_t hi,
                                    cxm__ticket_fn fn, void *ud)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = cxm__sq_prepare(st, scan_tickets_between_sql, &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_int64(s, 2, lo);
    sqlite3_bind_int64(s, 3, hi);
    rc = read_tickets(st, s, fn, ud);
    sqlite3_finalize(s);
    return rc;
}

static cxm_rc sq_scan_responses(cxm_store *st, int64_t from, int64_t to,
                                cxm__response_fn fn, void *ud)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = cxm__sq_prepare(st, scan_responses_sql, &s);
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
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

static cxm_rc sq_query(cxm_store *st, enum cxm__query id, int64_t from,
                       int64_t to, const char *agent, cxm__row_fn fn,
                       void *ud)
{
    sqlite3_stmt *s = NULL;
    const char *types = query_sql[id].types;
    struct cxm__row row;
    cxm_rc rc = cxm__sq_prepare(st, query_sql[id].sql, &s);
    int step;

    if (rc)
        return rc;
    memset(&row, 0, sizeof(row));
    row.n_cols = strlen(types);
    CXM_ASSERT(row.n_cols <= CXM__ROW_MAX_COLS);
    sqlite3_bind_int64(s, 1, st->workspace_id);
    if (query_sql[id].period) {
        sqlite3_bind_int64(s, 2, from);
        sqlite3_bind_int64(s, 3, to);
    }
    if (query_sql[id].agent)
        sqlite3_bind_text(s, 4, agent, -1, SQLITE_STATIC);
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
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

static cxm_rc sq_put_benchmark(cxm_store *st, const char *metric,
                               const char *label, double value,
                               int64_t at_ms)
{
    const struct cxm__sq_arg args[] = {
        CXM__SQ_I(st->workspace_id), CXM__SQ_T(metric), CXM__SQ_T(label),
        CXM__SQ_R(value), CXM__SQ_I(at_ms)};

    return cxm__sq_run(st,
                       "INSERT INTO benchmarks (workspace_id, metric,"
                       " label, value, set_at) VALUES (?,?,?,?,?)",
                       args, CXM_ARRAY_LEN(args), NULL);
}

static cxm_rc sq_remove_benchmarks(cxm_store *st, const char *metric,
                                   const char *label, int64_t *removed)
{
    const struct cxm__sq_arg args[] = {
        CXM__SQ_I(st->workspace_id), CXM__SQ_T(metric), CXM__SQ_T(label)};
    cxm_rc rc = cxm__sq_run(st,
                            "DELETE FROM benchmarks WHERE workspace_id = ?1"
                            " AND metric = ?2 AND (?3 IS NULL OR label = ?3)",
                            args, CXM_ARRAY_LEN(args), NULL);

    if (!rc)
        *removed = sqlite3_changes64(cxm__sq_db(st));
    return rc;
}

static cxm_rc sq_put_supplied(cxm_store *st, cxm_kind kind,
                              const char *column)
{
    const struct cxm__sq_arg args[] = {CXM__SQ_I(st->workspace_id),
                                       CXM__SQ_T(cxm_kind_name(kind)),
                                       CXM__SQ_T(column)};

    return cxm__sq_run(st,
                       "INSERT OR IGNORE INTO supplied_columns"
                       " (workspace_id, kind, column_name) VALUES (?,?,?)",
                       args, CXM_ARRAY_LEN(args), NULL);
}

/* One statement, so the next version is decided and taken atomically. */
static cxm_rc sq_put_definitions(cxm_store *st, const char *settings,
                                 const char *set_by, const char *note,
                                 int64_t at_ms, int *version_out)
{
    const struct cxm__sq_arg args[] = {
        CXM__SQ_I(st->workspace_id), CXM__SQ_I(at_ms), CXM__SQ_T(set_by),
        CXM__SQ_T(note), CXM__SQ_T(settings)};
    int64_t version = 0;
    /* RETURNING: the row is inserted at the first step. */
    cxm_rc rc = cxm__sq_run(st,
                            "INSERT INTO definitions (workspace_id, version,"
                            " set_at, set_by, note, settings)"
                            " SELECT ?1, coalesce(max(version), 1) + 1, ?2,"
                            " ?3, ?4, ?5 FROM definitions"
                            " WHERE workspace_id = ?1 RETURNING version",
                            args, CXM_ARRAY_LEN(args), &version);

    if (!rc)
        *version_out = (int)version;
    return rc;
}

static cxm_rc sq_put_setting(cxm_store *st, const char *key,
                             const char *value, int64_t at_ms)
{
    const struct cxm__sq_arg args[] = {CXM__SQ_I(st->workspace_id),
                                       CXM__SQ_T(key), CXM__SQ_T(value),
                                       CXM__SQ_I(at_ms)};

    if (!value)
        return cxm__sq_run(st,
                           "DELETE FROM settings"
                           " WHERE workspace_id = ?1 AND key = ?2",
                           args, 2, NULL);
    return cxm__sq_run(st,
                       "INSERT OR REPLACE INTO settings"
                       " (workspace_id, key, value, set_at)"
                       " VALUES (?1, ?2, ?3, ?4)",
                       args, CXM_ARRAY_LEN(args), NULL);
}

/* The SQLite engine: every hook of struct cxm__store_ops but import_end,
 * for which it has nothing to do. */
/* max(rowid) of the kind's table: at least its count (rows are never
 * deleted below it), found in one b-tree descent where count(*) would
 * read every row. */
static cxm_rc sq_records_bound(cxm_store *st, cxm_kind kind, int64_t *out)
{
    static const char *const sql[CXM_KIND_COUNT] = {
#define CXM__BOUND(k, table) \
    [CXM_KIND_##k] = "SELECT coalesce(max(rowid), 0) FROM " table,
        CXM__BOUND(TICKETS, "tickets") CXM__BOUND(RESPONSES, "responses")
        CXM__BOUND(CUSTOMERS, "customers") CXM__BOUND(ORDERS, "orders")
        CXM__BOUND(SELFSERVICE, "selfservice") CXM__BOUND(AGENTS, "agents")
        CXM__BOUND(AGENT_HOURS, "agent_hours")
        CXM__BOUND(REVIEWS, "reviews") CXM__BOUND(QA_SCORES, "qa_scores")
#undef CXM__BOUND
    };

    return cxm__sq_run_ints(st, sql[kind], NULL, 0, out);
}

const struct cxm__store_ops cxm__sqlite_ops = {
    .name = "sqlite",
    CXM__SQ_CONN_OPS,
    .put = sq_put,
    .put_rows = sq_put_rows,
    .records_bound = sq_records_bound,
    .time_range = sq_time_range,
    .scan_tickets = sq_scan_tickets,
    .scan_responses = sq_scan_responses,
    .query = sq_query,
    .put_benchmark = sq_put_benchmark,
    .rollup_flush = cxm__sq_rollup_flush,
    .answer_groups = cxm__sq_answer_groups,
    .ticket_groups = cxm__sq_ticket_groups,
    .session_groups = cxm__sq_session_groups,
    .qa_groups = cxm__sq_qa_groups,
    .col_refresh = cxm__sq_col_file_refresh,
    .remove_benchmarks = sq_remove_benchmarks,
    .put_supplied = sq_put_supplied,
    .put_definitions = sq_put_definitions,
    .put_setting = sq_put_setting,
    CXM__SQ_KEPT_OPS,
};
