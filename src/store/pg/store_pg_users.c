/* SPDX-License-Identifier: MIT
 *
 * store_pg_users.c — the PostgreSQL engine's side of the dashboard
 * (sql/0002-service.sql: users, sessions, login_failures): accounts,
 * sessions (kept as the digest of their id; any node answers any
 * session), failed logins, the drill-down lists of the answers and
 * tickets behind a figure, and the data version the dashboard's report
 * cache keys on. As store_sqlite_users.c.
 */
#include "internal.h"

#include <string.h>

#include "pg_rows.h"
#include "pg_service.h"

struct user_ctx {
    cxm__user_fn fn;
    void *ud;
};

static cxm_rc user_row(const PGresult *res, int i, void *ctx)
{
    struct user_ctx *c = ctx;
    struct cxm__user_row u = {cxm__pg_text(res, i, 0),
                              cxm__pg_text(res, i, 1),
                              cxm__pg_text(res, i, 2), cxm__pg_int(res, i, 3),
                              cxm__pg_int(res, i, 4)};

    return c->fn(&u, c->ud);
}

cxm_rc cxm__pg_users(cxm_store *st, const char *name, cxm__user_fn fn,
                     void *ud)
{
    struct user_ctx c = {fn, ud};
    struct cxm__pg_arg a[2] = {CXM__PG_WS(st), CXM__PG_T(name)};
    bool found = false;
    cxm_rc rc = cxm__pg_rows(
        st,
        "SELECT name, role, password_hash, created_at, updated_at"
        " FROM users WHERE workspace_id = $1"
        " AND ($2::text IS NULL OR name = $2) ORDER BY name COLLATE \"C\"",
        a, 2, user_row, &c, &found);

    return !rc && name && !found ? CXM_ENOTFOUND : rc;
}

cxm_rc cxm__pg_put_user(cxm_store *st, const char *name, const char *role,
                        const char *password_hash, int64_t at_ms,
                        bool replace)
{
    struct cxm__pg_arg a[5] = {CXM__PG_WS(st), CXM__PG_T(name),
                               CXM__PG_T(password_hash), CXM__PG_T(role),
                               CXM__PG_I(at_ms)};
    int64_t n = 0;
    cxm_rc rc = cxm__pg_changes(
        st,
        replace ? "UPDATE users SET password_hash = $3,"
                  " role = coalesce($4, role), updated_at = $5"
                  " WHERE workspace_id = $1 AND name = $2"
                : "INSERT INTO users (workspace_id, name, password_hash,"
                  " role, created_at, updated_at)"
                  " VALUES ($1, $2, $3, $4, $5, $5)"
                  " ON CONFLICT DO NOTHING",
        a, 5, &n);

    if (!rc && n == 0) {
        if (replace)
            return CXM_ENOTFOUND;
        cxm__store_set_error(st, "an account of that name exists");
        return CXM_EINPUT;
    }
    return rc;
}

cxm_rc cxm__pg_remove_user(cxm_store *st, const char *name)
{
    struct cxm__pg_arg a[2] = {CXM__PG_WS(st), CXM__PG_T(name)};
    int64_t n = 0;
    cxm_rc rc = cxm__pg_changes(
        st, "DELETE FROM users WHERE workspace_id = $1 AND name = $2", a, 2,
        &n);

    if (!rc)
        rc = cxm__pg_remove_sessions(st, NULL, 0, name, 0);
    return rc ? rc : n ? CXM_OK : CXM_ENOTFOUND;
}

cxm_rc cxm__pg_put_session(cxm_store *st, const uint8_t *id_hash, size_t len,
                           const char *user, int64_t at_ms,
                           int64_t expires_ms)
{
    char hex[CXM__PG_HEX_CAP];
    struct cxm__pg_arg a[5] = {CXM__PG_WS(st),
                               CXM__PG_T(cxm__pg_hex(id_hash, len, hex)),
                               CXM__PG_T(user), CXM__PG_I(at_ms),
                               CXM__PG_I(expires_ms)};

    if (!a[1].text)
        return CXM_EINVAL;
    return cxm__pg_run(st,
                       "INSERT INTO sessions (workspace_id, id_hash,"
                       " user_name, created_at, expires_at)"
                       " VALUES ($1, $2::bytea, $3, $4, $5)",
                       a, 5, NULL);
}

cxm_rc cxm__pg_session_user(cxm_store *st, const uint8_t *id_hash,
                            size_t len, int64_t now_ms, cxm__user_fn fn,
                            void *ud)
{
    struct user_ctx c = {fn, ud};
    char hex[CXM__PG_HEX_CAP];
    struct cxm__pg_arg a[3] = {CXM__PG_WS(st),
                               CXM__PG_T(cxm__pg_hex(id_hash, len, hex)),
                               CXM__PG_I(now_ms)};
    bool found = false;
    cxm_rc rc;

    if (!a[1].text)
        return CXM_ENOTFOUND;
    rc = cxm__pg_rows(
        st,
        "SELECT u.name, u.role, u.password_hash, u.created_at, u.updated_at"
        " FROM sessions s JOIN users u ON u.workspace_id = s.workspace_id"
        "  AND u.name = s.user_name"
        " WHERE s.workspace_id = $1 AND s.id_hash = $2::bytea"
        " AND s.expires_at > $3 LIMIT 1",
        a, 3, user_row, &c, &found);
    return !rc && !found ? CXM_ENOTFOUND : rc;
}

cxm_rc cxm__pg_remove_sessions(cxm_store *st, const uint8_t *id_hash,
                               size_t len, const char *user, int64_t now_ms)
{
    char hex[CXM__PG_HEX_CAP];
    struct cxm__pg_arg a[4] = {
        CXM__PG_WS(st),
        CXM__PG_T(id_hash ? cxm__pg_hex(id_hash, len, hex) : NULL),
        CXM__PG_T(user), CXM__PG_I(now_ms)};

    return cxm__pg_run(st,
                       "DELETE FROM sessions WHERE workspace_id = $1"
                       " AND (id_hash = $2::bytea OR user_name = $3::text"
                       " OR expires_at <= $4)",
                       a, 4, NULL);
}

cxm_rc cxm__pg_put_login_failure(cxm_store *st, const char *kind,
                                 const char *key, int64_t at_ms)
{
    struct cxm__pg_arg a[4] = {CXM__PG_WS(st), CXM__PG_T(kind),
                               CXM__PG_T(key), CXM__PG_I(at_ms)};

    return cxm__pg_run(st,
                       "INSERT INTO login_failures (workspace_id, kind, key,"
                       " at) VALUES ($1, $2, $3, $4)",
                       a, 4, NULL);
}

cxm_rc cxm__pg_login_failures(cxm_store *st, const char *kind,
                              const char *key, int64_t since_ms,
                              int64_t *count)
{
    struct cxm__pg_arg a[4] = {CXM__PG_WS(st), CXM__PG_T(kind),
                               CXM__PG_T(key), CXM__PG_I(since_ms)};

    return cxm__pg_run(st,
                       "SELECT count(*) FROM login_failures"
                       " WHERE workspace_id = $1 AND kind = $2"
                       " AND key = $3::text AND at >= $4",
                       a, 4, count);
}

cxm_rc cxm__pg_clear_login_failures(cxm_store *st, const char *kind,
                                    const char *key, int64_t since_ms)
{
    struct cxm__pg_arg a[4] = {CXM__PG_WS(st), CXM__PG_T(kind),
                               CXM__PG_T(key), CXM__PG_I(since_ms)};

    return cxm__pg_run(st,
                       "DELETE FROM login_failures WHERE workspace_id = $1"
                       " AND ((kind = $2 AND key = $3::text) OR at < $4)",
                       a, 4, NULL);
}

/* The parameters $1 … $13 of a drill-down, as both queries below number
 * them; $14 is each query's own. */
static void drill_args(cxm_store *st, const struct cxm__drill *q,
                       struct cxm__pg_arg a[14], int64_t mode)
{
    a[0] = CXM__PG_WS(st);
    a[1] = CXM__PG_I(q->from);
    a[2] = CXM__PG_I(q->to);
    a[3] = CXM__PG_T(q->agent);
    a[4] = CXM__PG_T(q->team);
    a[5] = CXM__PG_T(q->channel);
    a[6] = CXM__PG_T(q->language);
    a[7] = CXM__PG_T(q->survey);
    a[8] = CXM__PG_T(q->topic);
    a[9] = q->has_score ? CXM__PG_I(q->score_lo) : CXM__PG_T(NULL);
    a[10] = q->has_score ? CXM__PG_I(q->score_hi) : CXM__PG_T(NULL);
    a[11] = CXM__PG_I(q->limit > 0 ? q->limit : 100);
    a[12] = CXM__PG_I(q->offset > 0 ? q->offset : 0);
    a[13] = CXM__PG_I(mode);
}

/* The filters of a drill-down on the attributed columns of `a`. */
#define DRILL_DIMS                                                          \
    " AND ($4::text IS NULL OR coalesce(a.agent_id, '') = $4)"              \
    " AND ($5::text IS NULL OR coalesce(a.team, '') = $5)"                  \
    " AND ($6::text IS NULL OR coalesce(a.channel, '') = $6)"               \
    " AND ($9::text IS NULL OR coalesce(a.topic, '') = $9)"

struct drill_ctx {
    cxm__drill_answer_fn answer;
    cxm__drill_ticket_fn ticket;
    void *ud;
};

static cxm_rc drill_answer_row(const PGresult *res, int i, void *ctx)
{
    struct drill_ctx *c = ctx;
    struct cxm__drill_answer a;

    memset(&a, 0, sizeof(a));
    a.survey = cxm__pg_text(res, i, 0);
    a.agent_id = cxm__pg_text(res, i, 1);
    a.team = cxm__pg_text(res, i, 2);
    a.channel = cxm__pg_text(res, i, 3);
    a.language = cxm__pg_text(res, i, 4);
    a.topic = cxm__pg_text(res, i, 5);
    a.response_id = cxm__pg_text(res, i, 6);
    a.question = cxm__pg_text(res, i, 7);
    a.comment = cxm__pg_text(res, i, 8);
    a.ticket_id = cxm__pg_text(res, i, 9);
    a.customer_id = cxm__pg_text(res, i, 10);
    a.responded_at = cxm__pg_int(res, i, 11);
    a.has_score = !cxm__pg_null(res, i, 12);
    a.score = (int)cxm__pg_int(res, i, 12);
    a.scale_min = (int)cxm__pg_int(res, i, 13);
    a.scale_max = (int)cxm__pg_int(res, i, 14);
    return c->answer(&a, c->ud);
}

cxm_rc cxm__pg_drill_answers(cxm_store *st, const struct cxm__drill *q,
                             cxm__drill_answer_fn fn, void *ud)
{
    struct drill_ctx c = {fn, NULL, ud};
    struct cxm__pg_arg a[14];

    drill_args(st, q, a, q->comments_only ? 1 : 0);
    return cxm__pg_rows(
        st,
        "WITH a (survey, agent_id, team, channel, language, topic,"
        " response_id, question, comment, ticket_id, customer_id,"
        " responded_at, score, scale_min, scale_max) AS ("
        " SELECT r.survey, " CXM__PG_ANSWER_AGENT ", " CXM__PG_ANSWER_TEAM ","
        " " CXM__PG_ANSWER_CHANNEL ", " CXM__PG_ANSWER_LANGUAGE ","
        " " CXM__PG_ANSWER_TOPIC ", r.response_id, r.question, r.comment,"
        " r.ticket_id, " CXM__PG_ANSWER_CUSTOMER ", r.responded_at, r.score,"
        " r.scale_min, r.scale_max" CXM__PG_ANSWER_FROM
        " WHERE r.workspace_id = $1 AND r.responded_at >= $2"
        " AND r.responded_at < $3)"
        " SELECT survey, agent_id, team, channel, language, topic,"
        " response_id, question, comment, ticket_id, customer_id,"
        " responded_at, score, scale_min, scale_max FROM a"
        " WHERE true" DRILL_DIMS
        " AND ($7::text IS NULL OR coalesce(a.language, '') = $7)"
        " AND ($8::text IS NULL OR a.survey = $8)"
        " AND ($10::bigint IS NULL OR a.score BETWEEN $10 AND $11::bigint)"
        " AND ($14::int = 0 OR coalesce(a.comment, '') <> '')"
        " ORDER BY responded_at DESC, response_id COLLATE \"C\""
        " LIMIT $12 OFFSET $13",
        a, 14, drill_answer_row, &c, NULL);
}

/* A flag column: 0, 1, or -1 when NULL. */
static int flag(const PGresult *res, int i, int col)
{
    return cxm__pg_null(res, i, col) ? -1 : (int)cxm__pg_int(res, i, col);
}

static cxm_rc drill_ticket_row(const PGresult *res, int i, void *ctx)
{
    struct drill_ctx *c = ctx;
    struct cxm__ticket_row t;

    memset(&t, 0, sizeof(t));
    t.ticket_id = cxm__pg_text(res, i, 0);
    t.customer_id = cxm__pg_text(res, i, 1);
    t.agent_id = cxm__pg_text(res, i, 2);
    t.team = cxm__pg_text(res, i, 3);
    t.channel = cxm__pg_text(res, i, 4);
    t.topic = cxm__pg_text(res, i, 5);
    t.status = cxm__pg_text(res, i, 6);
    t.created_at = cxm__pg_int(res, i, 7);
    t.has_first_response = !cxm__pg_null(res, i, 8);
    t.first_response_at = cxm__pg_int(res, i, 8);
    t.has_resolved = !cxm__pg_null(res, i, 9);
    t.resolved_at = cxm__pg_int(res, i, 9);
    t.has_contacts = !cxm__pg_null(res, i, 10);
    t.contacts = cxm__pg_int(res, i, 10);
    t.reopened = flag(res, i, 11);
    t.escalated = flag(res, i, 12);
    t.complaint = flag(res, i, 13);
    return c->ticket(&t, c->ud);
}

cxm_rc cxm__pg_drill_tickets(cxm_store *st, const struct cxm__drill *q,
                             cxm__drill_ticket_fn fn, void *ud)
{
    struct drill_ctx c = {NULL, fn, ud};
    struct cxm__pg_arg a[14];

    drill_args(st, q, a, q->open_at_to ? 2 : q->by_resolved ? 1 : 0);
    /* The flags as integers whether 0001 keeps them as integers or
     * booleans. */
    return cxm__pg_rows(
        st,
        "SELECT a.ticket_id, a.customer_id, a.agent_id, a.team, a.channel,"
        " a.topic, a.status, a.created_at, a.first_response_at,"
        " a.resolved_at, a.contacts, a.reopened::int, a.escalated::int,"
        " a.complaint::int FROM tickets a"
        " WHERE a.workspace_id = $1"
        " AND CASE $14::int WHEN 1 THEN a.resolved_at >= $2"
        "  AND a.resolved_at < $3"
        "  WHEN 2 THEN a.created_at < $3 AND (a.resolved_at IS NULL"
        "   OR a.resolved_at >= $3)"
        "  ELSE a.created_at >= $2 AND a.created_at < $3 END"
        DRILL_DIMS
        " AND $7::text IS NULL AND $8::text IS NULL"
        " AND $10::bigint IS NULL AND $11::bigint IS NULL"
        " ORDER BY CASE $14::int WHEN 1 THEN a.resolved_at"
        " ELSE a.created_at END DESC, a.ticket_id COLLATE \"C\""
        " LIMIT $12 OFFSET $13",
        a, 14, drill_ticket_row, &c, NULL);
}

/* PostgreSQL has no PRAGMA data_version: the workspace's row of
 * data_versions (sql/0004), which statement triggers move in the
 * transaction of every change to a table the reports read, on whichever
 * node wrote it; 0 before the first. Other writes (sessions, the outbox,
 * other workspaces) leave the dashboard's cached reports valid. */
cxm_rc cxm__pg_data_version(cxm_store *st, int64_t *out)
{
    struct cxm__pg_arg ws = CXM__PG_WS(st);

    return cxm__pg_run(st,
                       "SELECT coalesce((SELECT version FROM data_versions"
                       " WHERE workspace_id = $1), 0)",
                       &ws, 1, out);
}
