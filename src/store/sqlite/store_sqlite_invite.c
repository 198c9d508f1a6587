/* SPDX-License-Identifier: MIT
 *
 * store_sqlite_invite.c — the SQLite engine's side of the survey service
 * (src/store/sqlite/sql/0012-invitations.sql, src/survey/invite.c): API
 * tokens and invitations kept as the BLAKE2b digests the survey room
 * hands over, submissions, the one-click log, the export's rows and the
 * writer's savepoints. Bound parameters only; ?1 is the workspace.
 */
#include "internal.h"

#include <string.h>

#include "sqlite_int.h"

/* ---- API tokens. */

cxm_rc cxm__sq_put_api_token(cxm_store *st, const char *name,
                             const unsigned char *hash, size_t len,
                             int64_t at_ms)
{
    sqlite3_stmt *s;
    cxm_rc rc = cxm__sq_prepare_ws(
        st,
        "INSERT INTO api_tokens (workspace_id, name, token_hash,"
        " created_at) VALUES (?1, ?2, ?3, ?4)",
        &s);

    if (rc)
        return rc;
    cxm__sq_bind_text(s, 2, name);
    sqlite3_bind_blob(s, 3, hash, (int)len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 4, at_ms);
    switch (sqlite3_step(s)) {
    case SQLITE_DONE:
        break;
    case SQLITE_CONSTRAINT:
        cxm__store_set_error(st, "a token of that name exists");
        rc = CXM_EINPUT;
        break;
    default:
        rc = cxm__sq_fail(st);
    }
    sqlite3_finalize(s);
    return rc;
}

cxm_rc cxm__sq_api_tokens(cxm_store *st, cxm__api_token_fn fn, void *ud)
{
    sqlite3_stmt *s;
    int step = SQLITE_DONE;
    cxm_rc rc = cxm__sq_prepare_ws(
        st,
        "SELECT name, created_at, revoked_at FROM api_tokens"
        " WHERE workspace_id = ?1 ORDER BY name",
        &s);

    if (rc)
        return rc;
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW)
        rc = fn(cxm__sq_text(s, 0), sqlite3_column_int64(s, 1),
                sqlite3_column_int64(s, 2), ud);
    if (!rc && step != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

cxm_rc cxm__sq_revoke_api_token(cxm_store *st, const char *name, int64_t at_ms)
{
    sqlite3_stmt *s;
    cxm_rc rc =
        cxm__sq_prepare_ws(st,
                           "UPDATE api_tokens SET revoked_at = ?3 WHERE"
                           " workspace_id = ?1 AND name = ?2 AND revoked_at IS"
                           " NULL",
                           &s);

    if (rc)
        return rc;
    cxm__sq_bind_text(s, 2, name);
    sqlite3_bind_int64(s, 3, at_ms);
    rc = cxm__sq_step_done(st, s);
    if (!rc && sqlite3_changes(cxm__sq_db(st)) == 0)
        rc = CXM_ENOTFOUND;
    return rc;
}

cxm_rc cxm__sq_find_api_token(cxm_store *st, const unsigned char *hash,
                              size_t len, bool *live)
{
    sqlite3_stmt *s;
    int step;
    cxm_rc rc =
        cxm__sq_prepare_ws(st,
                           "SELECT 1 FROM api_tokens WHERE token_hash = ?2"
                           " AND workspace_id = ?1 AND revoked_at IS NULL",
                           &s);

    *live = false;
    if (rc)
        return rc;
    sqlite3_bind_blob(s, 2, hash, (int)len, SQLITE_TRANSIENT);
    step = sqlite3_step(s);
    if (step == SQLITE_ROW)
        *live = true;
    else if (step != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

/* ---- Invitations and submissions. */

cxm_rc cxm__sq_put_invitation(cxm_store *st,
                              const struct cxm__invitation_row *r,
                              const unsigned char *hash, size_t len)
{
    const char *keys[5] = {r->ticket_id, r->customer_id, r->agent_id, r->team,
                           r->channel};
    sqlite3_stmt *s;
    cxm_rc rc = cxm__sq_prepare_ws(
        st,
        "INSERT INTO invitations (workspace_id, invitation_id,"
        " token_hash, survey_id, survey_version, language,"
        " ticket_id, customer_id, agent_id, team, channel,"
        " created_at, expires_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
        " ?12, ?13)",
        &s);

    if (rc)
        return rc;
    cxm__sq_bind_text(s, 2, r->id);
    sqlite3_bind_blob(s, 3, hash, (int)len, SQLITE_TRANSIENT);
    cxm__sq_bind_text(s, 4, r->survey_id);
    sqlite3_bind_int(s, 5, r->survey_version);
    cxm__sq_bind_text(s, 6, r->language);
    for (int i = 0; i < 5; i++)
        cxm__sq_bind_text(s, 7 + i, keys[i]);
    sqlite3_bind_int64(s, 12, r->created_at);
    sqlite3_bind_int64(s, 13, r->expires_at);
    return cxm__sq_step_done(st, s);
}

/* The columns of an invitation with its submission (LEFT JOIN s). */
#define INVITATION_COLS                                                       \
    "SELECT i.invitation_id, i.survey_id, i.survey_version, i.language,"      \
    " i.ticket_id, i.customer_id, i.agent_id, i.team, i.channel,"             \
    " i.created_at, i.expires_at, s.first_at, s.updated_at,"                  \
    " s.submitted_at, s.held, s.edits, s.answers"

static cxm_rc invitation_rows(cxm_store *st, sqlite3_stmt *s,
                              cxm__invitation_fn fn, void *ud, bool *found)
{
    int step = SQLITE_DONE;
    cxm_rc rc = CXM_OK;

    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        struct cxm__invitation_row r;
        r.id = cxm__sq_text(s, 0);
        r.survey_id = cxm__sq_text(s, 1);
        r.survey_version = sqlite3_column_int(s, 2);
        r.language = cxm__sq_text(s, 3);
        r.ticket_id = cxm__sq_text(s, 4);
        r.customer_id = cxm__sq_text(s, 5);
        r.agent_id = cxm__sq_text(s, 6);
        r.team = cxm__sq_text(s, 7);
        r.channel = cxm__sq_text(s, 8);
        r.created_at = sqlite3_column_int64(s, 9);
        r.expires_at = sqlite3_column_int64(s, 10);
        r.has_answers = sqlite3_column_type(s, 11) != SQLITE_NULL;
        r.first_at = sqlite3_column_int64(s, 11);
        r.updated_at = sqlite3_column_int64(s, 12);
        r.submitted_at = sqlite3_column_int64(s, 13);
        r.held = sqlite3_column_int(s, 14) != 0;
        r.edits = sqlite3_column_int(s, 15);
        r.answers = cxm__sq_text(s, 16);
        *found = true;
        rc = fn(&r, ud);
    }
    if (!rc && step != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

cxm_rc cxm__sq_find_invitation(cxm_store *st, const unsigned char *hash,
                               size_t len, cxm__invitation_fn fn, void *ud)
{
    sqlite3_stmt *s;
    bool found = false;
    cxm_rc rc = cxm__sq_prepare_ws(
        st,
        INVITATION_COLS " FROM invitations i LEFT JOIN submissions s"
                        " ON s.workspace_id = i.workspace_id"
                        " AND s.invitation_id = i.invitation_id"
                        " WHERE i.workspace_id = ?1 AND (i.token_hash = ?2"
                        " OR i.invitation_id = (SELECT l.invitation_id FROM"
                        " invitation_links l WHERE l.workspace_id = ?1"
                        " AND l.token_hash = ?2))",
        &s);

    if (rc)
        return rc;
    sqlite3_bind_blob(s, 2, hash, (int)len, SQLITE_TRANSIENT);
    rc = invitation_rows(st, s, fn, ud, &found);
    return !rc && !found ? CXM_ENOTFOUND : rc;
}

cxm_rc cxm__sq_put_submission(cxm_store *st,
                              const struct cxm__invitation_row *r)
{
    sqlite3_stmt *s;
    cxm_rc rc = cxm__sq_prepare_ws(
        st,
        "INSERT OR REPLACE INTO submissions (workspace_id,"
        " invitation_id, first_at, updated_at, submitted_at,"
        " held, edits, answers)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        &s);

    if (rc)
        return rc;
    cxm__sq_bind_text(s, 2, r->id);
    sqlite3_bind_int64(s, 3, r->first_at);
    sqlite3_bind_int64(s, 4, r->updated_at);
    if (r->submitted_at)
        sqlite3_bind_int64(s, 5, r->submitted_at);
    else
        sqlite3_bind_null(s, 5);
    sqlite3_bind_int(s, 6, r->held);
    sqlite3_bind_int(s, 7, r->edits);
    cxm__sq_bind_text(s, 8, r->answers ? r->answers : "{}");
    return cxm__sq_step_done(st, s);
}

cxm_rc cxm__sq_remove_response(cxm_store *st, const char *response_id)
{
    sqlite3_stmt *s;
    cxm_rc rc =
        cxm__sq_prepare_ws(st,
                           "DELETE FROM responses WHERE workspace_id = ?1"
                           " AND response_id = ?2",
                           &s);

    if (rc)
        return rc;
    cxm__sq_bind_text(s, 2, response_id);
    return cxm__sq_step_done(st, s);
}

cxm_rc cxm__sq_put_click(cxm_store *st, const char *id, int64_t at_ms,
                         int score, int64_t since, int64_t *distinct)
{
    sqlite3_stmt *s;
    cxm_rc rc = cxm__sq_prepare_ws(
        st,
        "INSERT INTO clicks (workspace_id, invitation_id, at,"
        " score) VALUES (?1, ?2, ?3, ?4)",
        &s);

    if (rc)
        return rc;
    cxm__sq_bind_text(s, 2, id);
    sqlite3_bind_int64(s, 3, at_ms);
    sqlite3_bind_int(s, 4, score);
    rc = cxm__sq_step_done(st, s);
    if (!rc)
        rc = cxm__sq_prepare_ws(
            st,
            "SELECT count(DISTINCT score) FROM clicks WHERE"
            " workspace_id = ?1 AND invitation_id = ?2 AND at > ?3",
            &s);
    if (rc)
        return rc;
    cxm__sq_bind_text(s, 2, id);
    sqlite3_bind_int64(s, 3, since);
    if (sqlite3_step(s) == SQLITE_ROW)
        *distinct = sqlite3_column_int64(s, 0);
    else
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

cxm_rc cxm__sq_submissions(cxm_store *st, cxm__invitation_fn fn, void *ud)
{
    sqlite3_stmt *s;
    bool found = false;
    cxm_rc rc = cxm__sq_prepare_ws(st,
                                   INVITATION_COLS
                                   " FROM submissions s JOIN invitations i"
                                   " ON i.workspace_id = s.workspace_id"
                                   " AND i.invitation_id = s.invitation_id"
                                   " WHERE s.workspace_id = ?1"
                                   " ORDER BY s.first_at, s.invitation_id",
                                   &s);

    return rc ? rc : invitation_rows(st, s, fn, ud, &found);
}

cxm_rc cxm__sq_savepoint(cxm_store *st, enum cxm__savepoint op)
{
    static const char *const sql[] = {
        [CXM__SP_BEGIN] = "SAVEPOINT cxm_job",
        [CXM__SP_ROLLBACK] = "ROLLBACK TO cxm_job",
        [CXM__SP_RELEASE] = "RELEASE cxm_job",
    };
    struct cxm__sq *q = st->impl;
    sqlite3_stmt **s = &q->savepoint[op];
    cxm_rc rc;
    int e;

    if (!*s && (rc = cxm__sq_prepare(st, sql[op], s)) != CXM_OK) {
        *s = NULL;
        return rc;
    }
    e = sqlite3_step(*s);
    sqlite3_reset(*s);
    return e == SQLITE_DONE ? CXM_OK : cxm__sq_fail(st);
}

cxm_rc cxm__sq_tune(cxm_store *st, enum cxm__tuning how)
{
    static const char *const sql[] = {
        [CXM__TUNE_READER] = "PRAGMA mmap_size=0",
        /* 8 MiB, not conn.c's 256 MiB: each page a connection's cache
         * holds is a fresh block of the heap, faulted in on first use
         * (again after the cache is dropped by another connection's
         * commit), and a cold report touches thousands of pages once:
         * the agent page at 10M answers spent 0.6 s of its first request
         * so, 0.22 s with 8 MiB (docs/performance.md "Agent comments").
         * The kernel's page cache holds the file either way. */
        [CXM__TUNE_REPORTS] = "PRAGMA cache_size=-8192",
        [CXM__TUNE_WRITER_NO_CHECKPOINT] = "PRAGMA wal_autocheckpoint=0",
        [CXM__TUNE_WRITER_CHECKPOINT] = "PRAGMA wal_autocheckpoint=1000",
        /* Busy (a reader holds old frames) is no error: later. */
        [CXM__TUNE_CHECKPOINT_NOW] = "PRAGMA wal_checkpoint(PASSIVE)",
    };

    return cxm__sq_exec(st, sql[how]);
}
