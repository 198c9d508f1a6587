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

#include "named_sql.h"
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

/* The named queries of store_int.h (named_sql.h, shared with the SQLite
 * engine). */
static const struct cxm__named_sql query_sql[CXM__Q_COUNT] =
    CXM__NAMED_SQL("seq");

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

cxm_rc cxm__pg_query_rows(cxm_store *st, enum cxm__query id, int64_t from,
                          int64_t to, const char *agent, cxm__row_fn fn,
                          void *ud)
{
    struct query_scan s;
    const struct cxm__pg_arg args[] = {CXM__PG_WS(st), CXM__PG_I(from),
                                       CXM__PG_I(to), CXM__PG_T(agent)};
    cxm_rc rc = cxm__pg_staged_in(st);

    if (rc)
        return rc;
    memset(&s, 0, sizeof(s));
    s.types = query_sql[id].types;
    s.row.n_cols = strlen(s.types);
    CXM_ASSERT(s.row.n_cols <= CXM__ROW_MAX_COLS);
    s.fn = fn;
    s.ud = ud;
    return cxm__pg_each(st, query_sql[id].sql, args,
                        query_sql[id].agent    ? 4
                        : query_sql[id].period ? 3
                                               : 1,
                        query_row, &s);
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
