/* SPDX-License-Identifier: MIT
 *
 * store_pg_rows.c — the PostgreSQL engine's rows out: the bounds and time
 * range of the records, the ticket and answer scans, the report's named
 * queries (enum cxm__query), and the small tables (benchmarks, supplied
 * columns, definitions, settings). The SQL is the SQLite engine's, in
 * PostgreSQL's dialect, over the same tables (sql/0001-init.sql); every
 * read first stores what an import has staged (pg_rows.h).
 */
#include "internal.h"

#include <string.h>

#include "pg_rows.h"

/* SPEC timestamps have four-digit years (as store_sqlite.c): an integer
 * past 0000-01-01 .. 9999-12-31T23:59:59.999 reads as that edge. */
#define READ_MIN INT64_C(-62167219200000)
#define READ_MAX INT64_C(253402300799999)

int64_t cxm__pg_read_int(const PGresult *res, int row, int col)
{
    int64_t v = 0;

    cxm__pg_i64(res, row, col, &v);
    return v < READ_MIN ? READ_MIN : v > READ_MAX ? READ_MAX : v;
}

static bool read_i64(const PGresult *res, int col, int64_t *out)
{
    if (PQgetisnull(res, 0, col))
        return false;
    *out = cxm__pg_read_int(res, 0, col);
    return true;
}

/* A 0/1 column: -1 when NULL. */
static int read_flag(const PGresult *res, int col)
{
    int64_t v = 0;

    if (!cxm__pg_i64(res, 0, col, &v))
        return -1;
    return v != 0;
}

/* The stored records of `kind` in the workspace, at least: the count the
 * statements that store them keep (record_counts), not count(*), which
 * reads every row. */
cxm_rc cxm__pg_records_bound(cxm_store *st, cxm_kind kind, int64_t *out)
{
    const struct cxm__pg_arg args[] = {CXM__PG_WS(st),
                                       CXM__PG_T(cxm_kind_name(kind))};
    cxm_rc rc = cxm__pg_staged_in(st);

    return rc ? rc
              : cxm__pg_run(st,
                            "SELECT coalesce(max(n), 0) FROM record_counts"
                            " WHERE workspace_id = $1 AND kind = $2",
                            args, CXM_ARRAY_LEN(args), out);
}

/* min() and max() of each kind's event timestamp, each from its index. */
#define CXM__TR(col, tab)                                                  \
    " UNION ALL SELECT (SELECT min(" col ") FROM " tab                    \
    " WHERE workspace_id = $1), (SELECT max(" col ") FROM " tab           \
    " WHERE workspace_id = $1)"
static const char time_range_sql[] =
    "SELECT min(lo), max(hi) FROM ("
    " SELECT NULL::bigint AS lo, NULL::bigint AS hi"
    CXM__TR("created_at", "tickets")
    CXM__TR("responded_at", "responses")
    CXM__TR("started_at", "selfservice")
    CXM__TR("ordered_at", "orders")
    CXM__TR("posted_at", "reviews")
    ") e";
#undef CXM__TR

cxm_rc cxm__pg_time_range(cxm_store *st, bool *found, int64_t *min,
                          int64_t *max)
{
    struct cxm__pg_arg ws = CXM__PG_WS(st);
    PGresult *res = NULL;
    cxm_rc rc = cxm__pg_staged_in(st);

    if (!rc)
        rc = cxm__pg_query(st, time_range_sql, &ws, 1, &res);
    if (rc)
        return rc;
    *found = PQntuples(res) == 1 && !PQgetisnull(res, 0, 0);
    if (*found) {
        *min = cxm__pg_read_int(res, 0, 0);
        *max = cxm__pg_read_int(res, 0, 1);
    }
    PQclear(res);
    return CXM_OK;
}

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
    " WHERE t.workspace_id = $1";

struct ticket_scan {
    cxm__ticket_fn fn;
    void *ud;
};

static cxm_rc ticket_row(const PGresult *res, void *ud)
{
    struct ticket_scan *s = ud;
    struct cxm__ticket_row t;

    t.ticket_id = cxm__pg_text(res, 0, 0);
    t.customer_id = cxm__pg_text(res, 0, 1);
    t.agent_id = cxm__pg_text(res, 0, 2);
    t.team = cxm__pg_text(res, 0, 3);
    t.channel = cxm__pg_text(res, 0, 4);
    t.topic = cxm__pg_text(res, 0, 5);
    t.segment = cxm__pg_text(res, 0, 6);
    t.created_at = cxm__pg_read_int(res, 0, 7);
    t.has_first_response = read_i64(res, 8, &t.first_response_at);
    t.has_resolved = read_i64(res, 9, &t.resolved_at);
    t.has_contacts = read_i64(res, 10, &t.contacts);
    t.reopened = read_flag(res, 11);
    t.escalated = read_flag(res, 12);
    t.complaint = read_flag(res, 13);
    t.status = cxm__pg_text(res, 0, 14);
    t.tags = cxm__pg_text(res, 0, 15);
    t.has_replies = read_i64(res, 16, &t.replies);
    return s->fn(&t, s->ud);
}

cxm_rc cxm__pg_scan_tickets(cxm_store *st, cxm__ticket_fn fn, void *ud)
{
    struct ticket_scan s = {fn, ud};
    struct cxm__pg_arg ws = CXM__PG_WS(st);
    cxm_rc rc = cxm__pg_staged_in(st);

    return rc ? rc : cxm__pg_each(st, scan_tickets_sql, &ws, 1, ticket_row,
                                  &s);
}

/* The answers of [$2, $3), attributed as SPEC §2 says. */
static const char scan_responses_sql[] =
    "SELECT r.survey, " CXM__PG_ANSWER_AGENT ", " CXM__PG_ANSWER_TEAM_JOINED ", "
    CXM__PG_ANSWER_CHANNEL ", " CXM__PG_ANSWER_LANGUAGE ", "
    CXM__PG_ANSWER_TOPIC ", c.segment, r.responded_at, r.score,"
    " r.scale_min, r.scale_max, r.agent_id, t.agent_id, t.ticket_id,"
    " t.status, t.tags"
    CXM__PG_ANSWER_FROM CXM__PG_ANSWER_AGENTS
    " LEFT JOIN customers c ON c.workspace_id = r.workspace_id"
    "  AND c.customer_id = " CXM__PG_ANSWER_CUSTOMER
    " WHERE r.workspace_id = $1 AND r.responded_at >= $2"
    "  AND r.responded_at < $3";

struct response_scan {
    cxm__response_fn fn;
    void *ud;
};

static cxm_rc response_row(const PGresult *res, void *ud)
{
    struct response_scan *s = ud;
    struct cxm__response_row r;
    int64_t v = 0;

    r.survey = cxm__pg_text(res, 0, 0);
    r.agent_id = cxm__pg_text(res, 0, 1);
    r.team = cxm__pg_text(res, 0, 2);
    r.channel = cxm__pg_text(res, 0, 3);
    r.language = cxm__pg_text(res, 0, 4);
    r.topic = cxm__pg_text(res, 0, 5);
    r.segment = cxm__pg_text(res, 0, 6);
    r.responded_at = cxm__pg_read_int(res, 0, 7);
    r.has_score = read_i64(res, 8, &v);
    r.score = r.has_score ? (int)v : 0;
    v = 0;
    cxm__pg_i64(res, 0, 9, &v);
    r.scale_min = (int)v;
    v = 0;
    cxm__pg_i64(res, 0, 10, &v);
    r.scale_max = (int)v;
    r.response_agent_id = cxm__pg_text(res, 0, 11);
    r.ticket_agent_id = cxm__pg_text(res, 0, 12);
    r.has_ticket = !PQgetisnull(res, 0, 13);
    r.ticket_status = cxm__pg_text(res, 0, 14);
    r.ticket_tags = cxm__pg_text(res, 0, 15);
    return s->fn(&r, s->ud);
}

cxm_rc cxm__pg_scan_responses(cxm_store *st, int64_t from, int64_t to,
                              cxm__response_fn fn, void *ud)
{
    struct response_scan s = {fn, ud};
    const struct cxm__pg_arg args[] = {CXM__PG_WS(st), CXM__PG_I(from),
                                       CXM__PG_I(to)};
    cxm_rc rc = cxm__pg_staged_in(st);

    return rc ? rc : cxm__pg_each(st, scan_responses_sql, args,
                                  CXM_ARRAY_LEN(args), response_row, &s);
}

/* The CXM__EVENT_ENDS (6) first rows of `tab` by event timestamp `at`,
 * and its last: two parenthesised selects of a UNION ALL. */
#define CXM__END(tab, id, at, dir)                                        \
    "(SELECT '" tab "'::text, " id "::text, " at " FROM " tab             \
    " WHERE workspace_id = $1 ORDER BY " at dir ", " id dir " LIMIT 6)"
_Static_assert(CXM__EVENT_ENDS == 6, "CXM__END's LIMIT is CXM__EVENT_ENDS");
#define CXM__ENDS(tab, id, at)                                            \
    CXM__END(tab, id, at, "") " UNION ALL " CXM__END(tab, id, at, " DESC")

/* The named queries of store_int.h, each with its column types (T text,
 * I integer, R real) in order: store_sqlite.c's, in this dialect. */
static const struct {
    const char *sql;
    const char *types;
} query_sql[CXM__Q_COUNT] = {
    [CXM__Q_CUSTOMERS] = {
        "SELECT customer_id, acquired_at, churned_at, segment"
        " FROM customers WHERE workspace_id = $1", "TIIT"},
    [CXM__Q_ORDERS] = {
        "SELECT customer_id, ordered_at, amount, currency FROM orders"
        " WHERE workspace_id = $1 ORDER BY customer_id, ordered_at", "TIRT"},
    [CXM__Q_SELFSERVICE] = {
        "SELECT s.started_at, s.resolved, s.topic, c.segment, s.customer_id"
        " FROM selfservice s LEFT JOIN customers c"
        "  ON c.workspace_id = s.workspace_id"
        "  AND c.customer_id = s.customer_id"
        " WHERE s.workspace_id = $1", "IITTT"},
    [CXM__Q_AGENTS] = {
        "SELECT agent_id, team, hired_at, left_at FROM agents"
        " WHERE workspace_id = $1", "TTII"},
    [CXM__Q_AGENT_HOURS] = {
        "SELECT h.agent_id, a.team, h.date, h.hours FROM agent_hours h"
        " LEFT JOIN agents a"
        "  ON a.workspace_id = h.workspace_id AND a.agent_id = h.agent_id"
        " WHERE h.workspace_id = $1", "TTIR"},
    [CXM__Q_REVIEWS] = {
        "SELECT posted_at, rating, scale_max, source, language FROM reviews"
        " WHERE workspace_id = $1", "IRRTT"},
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
        " WHERE q.workspace_id = $1", "IRRTTTTTT"},
    [CXM__Q_BENCHMARKS] = {
        "SELECT metric, label, value, set_at FROM benchmarks"
        " WHERE workspace_id = $1 ORDER BY set_at, seq", "TTRI"},
    [CXM__Q_DEFINITIONS] = {
        "SELECT version, set_at, set_by, note, settings FROM definitions"
        " WHERE workspace_id = $1 ORDER BY version", "IITTT"},
    [CXM__Q_SCALES] = {
        "SELECT survey, scale_min, scale_max, count(*) FROM responses"
        " WHERE workspace_id = $1 AND survey IN ('csat', 'nps', 'ces')"
        "  AND scale_min IS NOT NULL AND scale_max IS NOT NULL"
        " GROUP BY survey, scale_min, scale_max"
        " ORDER BY survey, scale_min, scale_max", "TIII"},
    [CXM__Q_SETTINGS] = {
        "SELECT key, value FROM settings WHERE workspace_id = $1"
        " ORDER BY key", "TT"},
    [CXM__Q_EVENT_ENDS] = {
        CXM__ENDS("tickets", "ticket_id", "created_at") " UNION ALL "
        CXM__ENDS("responses", "response_id", "responded_at") " UNION ALL "
        CXM__ENDS("selfservice", "session_id", "started_at") " UNION ALL "
        CXM__ENDS("orders", "order_id", "ordered_at") " UNION ALL "
        CXM__ENDS("reviews", "review_id", "posted_at"),
        "TTI"},
    [CXM__Q_SUPPLIED] = {
        "SELECT kind, column_name FROM supplied_columns"
        " WHERE workspace_id = $1", "TT"},
    [CXM__Q_INVITATIONS] = {
        "SELECT o.sent_at, EXISTS (SELECT 1 FROM submissions b"
        "  WHERE b.workspace_id = o.workspace_id"
        "  AND b.invitation_id = o.invitation_id AND b.held = 0)::int,"
        " o.survey, o.channel, o.language, o.agent_id, o.team,"
        " (t.ticket_id IS NOT NULL)::int, t.status, t.tags FROM outbox o"
        " LEFT JOIN tickets t ON t.workspace_id = o.workspace_id"
        "  AND t.ticket_id = o.ticket_id"
        " WHERE o.workspace_id = $1 AND o.kind = 'invite'"
        " AND o.status = 'sent'", "IITTTTTITT"},
};
#undef CXM__ENDS
#undef CXM__END

struct query_scan {
    const char *types;
    struct cxm__row row;
    cxm__row_fn fn;
    void *ud;
};

static cxm_rc query_row(const PGresult *res, void *ud)
{
    struct query_scan *s = ud;
    struct cxm__row *row = &s->row;

    for (size_t k = 0; k < row->n_cols; k++) {
        int c = (int)k;
        row->is_null[k] = PQgetisnull(res, 0, c);
        row->text[k] = NULL;
        row->i64[k] = 0;
        row->real[k] = 0;
        if (row->is_null[k])
            continue;
        if (s->types[k] == 'T')
            row->text[k] = PQgetvalue(res, 0, c);
        else if (s->types[k] == 'I')
            row->i64[k] = cxm__pg_read_int(res, 0, c);
        else
            cxm__pg_real(res, 0, c, &row->real[k]);
    }
    return s->fn(row, s->ud);
}

cxm_rc cxm__pg_query_rows(cxm_store *st, enum cxm__query id,
                          cxm__row_fn fn, void *ud)
{
    struct query_scan s;
    struct cxm__pg_arg ws = CXM__PG_WS(st);
    cxm_rc rc = cxm__pg_staged_in(st);

    if (rc)
        return rc;
    memset(&s, 0, sizeof(s));
    s.types = query_sql[id].types;
    s.row.n_cols = strlen(s.types);
    CXM_ASSERT(s.row.n_cols <= CXM__ROW_MAX_COLS);
    s.fn = fn;
    s.ud = ud;
    return cxm__pg_each(st, query_sql[id].sql, &ws, 1, query_row, &s);
}

/* ---- The small tables ------------------------------------------------ */

/* seq: the workspace's next, in the inserting statement (no sequence:
 * docs/scaling.md). */
cxm_rc cxm__pg_put_benchmark(cxm_store *st, const char *metric,
                             const char *label, double value, int64_t at_ms)
{
    const struct cxm__pg_arg args[] = {CXM__PG_WS(st), CXM__PG_T(metric),
                                       CXM__PG_T(label), CXM__PG_R(value),
                                       CXM__PG_I(at_ms)};

    return cxm__pg_run(st,
                       "INSERT INTO benchmarks (workspace_id, seq, metric,"
                       " label, value, set_at)"
                       " SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4,"
                       " $5 FROM benchmarks WHERE workspace_id = $1",
                       args, CXM_ARRAY_LEN(args), NULL);
}

cxm_rc cxm__pg_remove_benchmarks(cxm_store *st, const char *metric,
                                 const char *label, int64_t *removed)
{
    const struct cxm__pg_arg args[] = {CXM__PG_WS(st), CXM__PG_T(metric),
                                       CXM__PG_T(label)};

    return cxm__pg_run(st,
                       "WITH d AS (DELETE FROM benchmarks"
                       " WHERE workspace_id = $1 AND metric = $2"
                       " AND ($3::text IS NULL OR label = $3) RETURNING 1)"
                       " SELECT count(*) FROM d",
                       args, CXM_ARRAY_LEN(args), removed);
}

cxm_rc cxm__pg_put_supplied(cxm_store *st, cxm_kind kind, const char *column)
{
    const struct cxm__pg_arg args[] = {CXM__PG_WS(st),
                                       CXM__PG_T(cxm_kind_name(kind)),
                                       CXM__PG_T(column)};

    return cxm__pg_run(st,
                       "INSERT INTO supplied_columns"
                       " (workspace_id, kind, column_name) VALUES ($1, $2, $3)"
                       " ON CONFLICT DO NOTHING",
                       args, CXM_ARRAY_LEN(args), NULL);
}

/* One statement: the next version is decided and taken at once (two
 * writers at once: one of them fails on the key, and nothing is
 * half-done). */
cxm_rc cxm__pg_put_definitions(cxm_store *st, const char *settings,
                               const char *set_by, const char *note,
                               int64_t at_ms, int *version_out)
{
    const struct cxm__pg_arg args[] = {CXM__PG_WS(st), CXM__PG_I(at_ms),
                                       CXM__PG_T(set_by), CXM__PG_T(note),
                                       CXM__PG_T(settings)};
    int64_t version = 0;
    cxm_rc rc = cxm__pg_run(st,
                            "INSERT INTO definitions (workspace_id, version,"
                            " set_at, set_by, note, settings)"
                            " SELECT $1, coalesce(max(version), 1) + 1, $2,"
                            " $3, $4, $5 FROM definitions"
                            " WHERE workspace_id = $1 RETURNING version",
                            args, CXM_ARRAY_LEN(args), &version);

    if (!rc)
        *version_out = (int)version;
    return rc;
}

cxm_rc cxm__pg_put_setting(cxm_store *st, const char *key, const char *value,
                           int64_t at_ms)
{
    const struct cxm__pg_arg args[] = {CXM__PG_WS(st), CXM__PG_T(key),
                                       CXM__PG_T(value), CXM__PG_I(at_ms)};

    if (!value)
        return cxm__pg_run(st,
                           "DELETE FROM settings"
                           " WHERE workspace_id = $1 AND key = $2",
                           args, 2, NULL);
    return cxm__pg_run(st,
                       "INSERT INTO settings (workspace_id, key, value,"
                       " set_at) VALUES ($1, $2, $3, $4)"
                       " ON CONFLICT (workspace_id, key) DO UPDATE"
                       " SET value = EXCLUDED.value, set_at = EXCLUDED.set_at",
                       args, CXM_ARRAY_LEN(args), NULL);
}
