/* SPDX-License-Identifier: MIT
 *
 * store_pg_invite.c — the PostgreSQL engine's side of the survey service
 * (sql/0002-service.sql: invitations, submissions, clicks, api_tokens;
 * src/survey/invite.c): API tokens and invitations kept as the BLAKE2b
 * digests the survey room hands over, submissions, the one-click log, the
 * export's rows and the writer's savepoints; and the helpers the service
 * files share (pg_service.h). As store_sqlite_invite.c.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "pg_service.h"

/* ---- Helpers. */

cxm_rc cxm__pg_changes(cxm_store *st, const char *sql,
                       const struct cxm__pg_arg *args, size_t n_args,
                       int64_t *changed)
{
    PGresult *res;
    cxm_rc rc = cxm__pg_query(st, sql, args, n_args, &res);

    if (rc)
        return rc;
    if (changed)
        *changed = strtoll(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return CXM_OK;
}

cxm_rc cxm__pg_rows(cxm_store *st, const char *sql,
                    const struct cxm__pg_arg *args, size_t n_args,
                    cxm__pg_rows_fn row, void *ctx, bool *found)
{
    PGresult *res;
    cxm_rc rc = cxm__pg_query(st, sql, args, n_args, &res);
    int n;

    if (rc)
        return rc;
    n = PQntuples(res);
    if (found && n > 0)
        *found = true;
    for (int i = 0; !rc && i < n; i++)
        rc = row(res, i, ctx);
    PQclear(res);
    return rc;
}

const char *cxm__pg_hex(const unsigned char *h, size_t len,
                        char out[CXM__PG_HEX_CAP])
{
    static const char digits[] = "0123456789abcdef";

    if (2 * len + 3 > CXM__PG_HEX_CAP)
        return NULL;
    out[0] = '\\';
    out[1] = 'x';
    for (size_t i = 0; i < len; i++) {
        out[2 + 2 * i] = digits[h[i] >> 4];
        out[3 + 2 * i] = digits[h[i] & 15];
    }
    out[2 + 2 * len] = '\0';
    return out;
}

/* ---- API tokens. */

cxm_rc cxm__pg_put_api_token(cxm_store *st, const char *name,
                             const unsigned char *hash, size_t len,
                             int64_t at_ms)
{
    char hex[CXM__PG_HEX_CAP];
    struct cxm__pg_arg a[4] = {CXM__PG_WS(st), CXM__PG_T(name),
                               CXM__PG_T(cxm__pg_hex(hash, len, hex)),
                               CXM__PG_I(at_ms)};
    int64_t n = 0;
    cxm_rc rc;

    if (!a[2].text)
        return CXM_EINVAL;
    /* ON CONFLICT: a taken name is an answer, not a failed statement
     * (which would end the open transaction). */
    rc = cxm__pg_changes(st,
                         "INSERT INTO api_tokens (workspace_id, name,"
                         " token_hash, created_at)"
                         " VALUES ($1, $2, $3::bytea, $4)"
                         " ON CONFLICT DO NOTHING",
                         a, 4, &n);
    if (!rc && n == 0) {
        cxm__store_set_error(st, "a token of that name exists");
        rc = CXM_EINPUT;
    }
    return rc;
}

struct token_ctx {
    cxm__api_token_fn fn;
    void *ud;
};

static cxm_rc token_row(const PGresult *res, int i, void *ctx)
{
    struct token_ctx *c = ctx;

    return c->fn(cxm__pg_text(res, i, 0), cxm__pg_int(res, i, 1),
                 cxm__pg_int(res, i, 2), c->ud);
}

cxm_rc cxm__pg_api_tokens(cxm_store *st, cxm__api_token_fn fn, void *ud)
{
    struct token_ctx c = {fn, ud};
    struct cxm__pg_arg a[1] = {CXM__PG_WS(st)};

    return cxm__pg_rows(st,
                        "SELECT name, created_at, revoked_at FROM api_tokens"
                        " WHERE workspace_id = $1 ORDER BY name COLLATE \"C\"",
                        a, 1, token_row, &c, NULL);
}

cxm_rc cxm__pg_revoke_api_token(cxm_store *st, const char *name, int64_t at_ms)
{
    struct cxm__pg_arg a[3] = {CXM__PG_WS(st), CXM__PG_T(name),
                               CXM__PG_I(at_ms)};
    int64_t n = 0;
    cxm_rc rc = cxm__pg_changes(st,
                                "UPDATE api_tokens SET revoked_at = $3 WHERE"
                                " workspace_id = $1 AND name = $2"
                                " AND revoked_at IS NULL",
                                a, 3, &n);

    return !rc && n == 0 ? CXM_ENOTFOUND : rc;
}

cxm_rc cxm__pg_find_api_token(cxm_store *st, const unsigned char *hash,
                              size_t len, bool *live)
{
    char hex[CXM__PG_HEX_CAP];
    struct cxm__pg_arg a[2] = {CXM__PG_WS(st),
                               CXM__PG_T(cxm__pg_hex(hash, len, hex))};
    int64_t n = 0;
    cxm_rc rc;

    *live = false;
    if (!a[1].text)
        return CXM_OK; /* no digest that long is stored */
    rc = cxm__pg_run(st,
                     "SELECT count(*) FROM api_tokens WHERE workspace_id = $1"
                     " AND token_hash = $2::bytea AND revoked_at IS NULL",
                     a, 2, &n);
    *live = !rc && n > 0;
    return rc;
}

/* ---- Invitations and submissions. */

cxm_rc cxm__pg_put_invitation(cxm_store *st,
                              const struct cxm__invitation_row *r,
                              const unsigned char *hash, size_t len)
{
    char hex[CXM__PG_HEX_CAP];
    struct cxm__pg_arg a[13] = {
        CXM__PG_WS(st),           CXM__PG_T(r->id),
        CXM__PG_T(cxm__pg_hex(hash, len, hex)),
        CXM__PG_T(r->survey_id),  CXM__PG_I(r->survey_version),
        CXM__PG_T(r->language),   CXM__PG_T(r->ticket_id),
        CXM__PG_T(r->customer_id), CXM__PG_T(r->agent_id),
        CXM__PG_T(r->team),       CXM__PG_T(r->channel),
        CXM__PG_I(r->created_at), CXM__PG_I(r->expires_at)};

    if (!a[2].text)
        return CXM_EINVAL;
    return cxm__pg_run(st,
                       "INSERT INTO invitations (workspace_id, invitation_id,"
                       " token_hash, survey_id, survey_version, language,"
                       " ticket_id, customer_id, agent_id, team, channel,"
                       " created_at, expires_at) VALUES ($1, $2, $3::bytea,"
                       " $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                       a, 13, NULL);
}

/* The columns of an invitation with its submission (LEFT JOIN s). */
#define INVITATION_COLS                                                       \
    "SELECT i.invitation_id, i.survey_id, i.survey_version, i.language,"      \
    " i.ticket_id, i.customer_id, i.agent_id, i.team, i.channel,"             \
    " i.created_at, i.expires_at, s.first_at, s.updated_at,"                  \
    " s.submitted_at, s.held, s.edits, s.answers"

struct invitation_ctx {
    cxm__invitation_fn fn;
    void *ud;
};

static cxm_rc invitation_row(const PGresult *res, int i, void *ctx)
{
    struct invitation_ctx *c = ctx;
    struct cxm__invitation_row r;

    r.id = cxm__pg_text(res, i, 0);
    r.survey_id = cxm__pg_text(res, i, 1);
    r.survey_version = (int)cxm__pg_int(res, i, 2);
    r.language = cxm__pg_text(res, i, 3);
    r.ticket_id = cxm__pg_text(res, i, 4);
    r.customer_id = cxm__pg_text(res, i, 5);
    r.agent_id = cxm__pg_text(res, i, 6);
    r.team = cxm__pg_text(res, i, 7);
    r.channel = cxm__pg_text(res, i, 8);
    r.created_at = cxm__pg_int(res, i, 9);
    r.expires_at = cxm__pg_int(res, i, 10);
    r.has_answers = !cxm__pg_null(res, i, 11);
    r.first_at = cxm__pg_int(res, i, 11);
    r.updated_at = cxm__pg_int(res, i, 12);
    r.submitted_at = cxm__pg_int(res, i, 13);
    r.held = cxm__pg_int(res, i, 14) != 0;
    r.edits = (int)cxm__pg_int(res, i, 15);
    r.answers = cxm__pg_text(res, i, 16);
    return c->fn(&r, c->ud);
}

cxm_rc cxm__pg_find_invitation(cxm_store *st, const unsigned char *hash,
                               size_t len, cxm__invitation_fn fn, void *ud)
{
    struct invitation_ctx c = {fn, ud};
    char hex[CXM__PG_HEX_CAP];
    struct cxm__pg_arg a[2] = {CXM__PG_WS(st),
                               CXM__PG_T(cxm__pg_hex(hash, len, hex))};
    bool found = false;
    cxm_rc rc;

    if (!a[1].text)
        return CXM_ENOTFOUND;
    rc = cxm__pg_rows(
        st,
        INVITATION_COLS " FROM invitations i LEFT JOIN submissions s"
                        " ON s.workspace_id = i.workspace_id"
                        " AND s.invitation_id = i.invitation_id"
                        " WHERE i.workspace_id = $1 AND (i.token_hash ="
                        " $2::bytea OR i.invitation_id = (SELECT"
                        " l.invitation_id FROM invitation_links l"
                        " WHERE l.workspace_id = $1"
                        " AND l.token_hash = $2::bytea))",
        a, 2, invitation_row, &c, &found);
    return !rc && !found ? CXM_ENOTFOUND : rc;
}

cxm_rc cxm__pg_put_submission(cxm_store *st,
                              const struct cxm__invitation_row *r)
{
    struct cxm__pg_arg a[8] = {
        CXM__PG_WS(st),           CXM__PG_T(r->id),
        CXM__PG_I(r->first_at),   CXM__PG_I(r->updated_at),
        CXM__PG_I(r->submitted_at), CXM__PG_I(r->held ? 1 : 0),
        CXM__PG_I(r->edits),      CXM__PG_T(r->answers ? r->answers : "{}")};

    return cxm__pg_run(
        st,
        "INSERT INTO submissions (workspace_id, invitation_id, first_at,"
        " updated_at, submitted_at, held, edits, answers)"
        " VALUES ($1, $2, $3, $4, nullif($5::bigint, 0), $6, $7, $8)"
        " ON CONFLICT (workspace_id, invitation_id) DO UPDATE SET"
        " first_at = excluded.first_at, updated_at = excluded.updated_at,"
        " submitted_at = excluded.submitted_at, held = excluded.held,"
        " edits = excluded.edits, answers = excluded.answers",
        a, 8, NULL);
}

cxm_rc cxm__pg_remove_response(cxm_store *st, const char *response_id)
{
    struct cxm__pg_arg a[2] = {CXM__PG_WS(st), CXM__PG_T(response_id)};

    return cxm__pg_run(st,
                       "DELETE FROM responses WHERE workspace_id = $1"
                       " AND response_id = $2",
                       a, 2, NULL);
}

cxm_rc cxm__pg_put_click(cxm_store *st, const char *id, int64_t at_ms,
                         int score, int64_t since, int64_t *distinct)
{
    struct cxm__pg_arg a[4] = {CXM__PG_WS(st), CXM__PG_T(id),
                               CXM__PG_I(at_ms), CXM__PG_I(score)};
    cxm_rc rc = cxm__pg_run(st,
                            "INSERT INTO clicks (workspace_id, invitation_id,"
                            " at, score) VALUES ($1, $2, $3, $4)",
                            a, 4, NULL);

    if (rc)
        return rc;
    a[2] = CXM__PG_I(since);
    return cxm__pg_run(st,
                       "SELECT count(DISTINCT score) FROM clicks WHERE"
                       " workspace_id = $1 AND invitation_id = $2 AND at > $3",
                       a, 3, distinct);
}

cxm_rc cxm__pg_submissions(cxm_store *st, cxm__invitation_fn fn, void *ud)
{
    struct invitation_ctx c = {fn, ud};
    struct cxm__pg_arg a[1] = {CXM__PG_WS(st)};

    return cxm__pg_rows(st,
                        INVITATION_COLS
                        " FROM submissions s JOIN invitations i"
                        " ON i.workspace_id = s.workspace_id"
                        " AND i.invitation_id = s.invitation_id"
                        " WHERE s.workspace_id = $1"
                        " ORDER BY s.first_at, s.invitation_id COLLATE \"C\"",
                        a, 1, invitation_row, &c, NULL);
}

cxm_rc cxm__pg_savepoint(cxm_store *st, enum cxm__savepoint op)
{
    static const char *const sql[] = {
        [CXM__SP_BEGIN] = "SAVEPOINT cxm_job",
        [CXM__SP_ROLLBACK] = "ROLLBACK TO SAVEPOINT cxm_job",
        [CXM__SP_RELEASE] = "RELEASE SAVEPOINT cxm_job",
    };

    return cxm__pg_exec(st, sql[op]);
}

/* The server's advice is about SQLite's file (mapping, checkpoints):
 * PostgreSQL's server does its own. */
cxm_rc cxm__pg_tune(cxm_store *st, enum cxm__tuning how)
{
    (void)st;
    (void)how;
    return CXM_OK;
}
