/* SPDX-License-Identifier: MIT
 *
 * store_sqlite_users.c — the SQLite engine's side of the dashboard
 * (src/store/sqlite/sql/0016-dashboard.sql): accounts, sessions (kept as
 * the digest of their id), failed logins, and the drill-down lists of the
 * answers and tickets behind a figure. Bound parameters only.
 */
#include "internal.h"

#include <string.h>

#include "sqlite_int.h"

/* A text column, or NULL. */
static const char *col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

static void bind_opt_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

/* Steps s to its end (a statement that returns no row). */
static cxm_rc run_done(cxm_store *st, sqlite3_stmt *s)
{
    cxm_rc rc = sqlite3_step(s) == SQLITE_DONE ? CXM_OK : cxm__sq_fail(st);

    sqlite3_finalize(s);
    return rc;
}

cxm_rc cxm__sq_users(cxm_store *st, const char *name, cxm__user_fn fn,
                     void *ud)
{
    sqlite3_stmt *s = NULL;
    bool found = false;
    int step = SQLITE_DONE;
    cxm_rc rc = cxm__sq_prepare(
        st,
        "SELECT name, role, password_hash, created_at, updated_at"
        " FROM users WHERE workspace_id = ?1 AND (?2 IS NULL OR name = ?2)"
        " ORDER BY name",
        &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    bind_opt_text(s, 2, name);
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        struct cxm__user_row u = {col_text(s, 0), col_text(s, 1),
                                  col_text(s, 2), sqlite3_column_int64(s, 3),
                                  sqlite3_column_int64(s, 4)};
        found = true;
        rc = fn(&u, ud);
    }
    if (!rc && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = cxm__sq_fail(st);
    else if (!rc && name && !found)
        rc = CXM_ENOTFOUND;
    sqlite3_finalize(s);
    return rc;
}

cxm_rc cxm__sq_put_user(cxm_store *st, const char *name, const char *role,
                        const char *password_hash, int64_t at_ms,
                        bool replace)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = cxm__sq_prepare(
        st,
        replace ? "UPDATE users SET password_hash = ?3,"
                  " role = coalesce(?4, role), updated_at = ?5"
                  " WHERE workspace_id = ?1 AND name = ?2"
                : "INSERT INTO users (workspace_id, name, password_hash,"
                  " role, created_at, updated_at)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?5)"
                  " ON CONFLICT DO NOTHING",
        &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, password_hash, -1, SQLITE_STATIC);
    bind_opt_text(s, 4, role);
    sqlite3_bind_int64(s, 5, at_ms);
    rc = run_done(st, s);
    if (!rc && sqlite3_changes(cxm__sq_db(st)) == 0) {
        if (replace)
            return CXM_ENOTFOUND;
        cxm__store_set_error(st, "an account of that name exists");
        return CXM_EINPUT;
    }
    return rc;
}

cxm_rc cxm__sq_remove_user(cxm_store *st, const char *name)
{
    sqlite3_stmt *s = NULL;
    int64_t changed;
    cxm_rc rc = cxm__sq_prepare(
        st, "DELETE FROM users WHERE workspace_id = ?1 AND name = ?2", &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    rc = run_done(st, s);
    changed = sqlite3_changes(cxm__sq_db(st));
    if (!rc)
        rc = cxm__sq_remove_sessions(st, NULL, 0, name, 0);
    return rc ? rc : changed ? CXM_OK : CXM_ENOTFOUND;
}

cxm_rc cxm__sq_put_session(cxm_store *st, const uint8_t *id_hash, size_t len,
                           const char *user, int64_t at_ms,
                           int64_t expires_ms)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = cxm__sq_prepare(
        st,
        "INSERT INTO sessions (workspace_id, id_hash, user_name,"
        " created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_blob(s, 2, id_hash, (int)len, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, user, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, at_ms);
    sqlite3_bind_int64(s, 5, expires_ms);
    return run_done(st, s);
}

cxm_rc cxm__sq_session_user(cxm_store *st, const uint8_t *id_hash,
                            size_t len, int64_t now_ms, cxm__user_fn fn,
                            void *ud)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = cxm__sq_prepare(
        st,
        "SELECT u.name, u.role, u.password_hash, u.created_at, u.updated_at"
        " FROM sessions s JOIN users u ON u.workspace_id = s.workspace_id"
        "  AND u.name = s.user_name"
        " WHERE s.workspace_id = ?1 AND s.id_hash = ?2 AND s.expires_at > ?3",
        &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_blob(s, 2, id_hash, (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, now_ms);
    switch (sqlite3_step(s)) {
    case SQLITE_ROW: {
        struct cxm__user_row u = {col_text(s, 0), col_text(s, 1),
                                  col_text(s, 2), sqlite3_column_int64(s, 3),
                                  sqlite3_column_int64(s, 4)};
        rc = fn(&u, ud);
        break;
    }
    case SQLITE_DONE:
        rc = CXM_ENOTFOUND;
        break;
    default:
        rc = cxm__sq_fail(st);
    }
    sqlite3_finalize(s);
    return rc;
}

cxm_rc cxm__sq_remove_sessions(cxm_store *st, const uint8_t *id_hash,
                               size_t len, const char *user, int64_t now_ms)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = cxm__sq_prepare(
        st,
        "DELETE FROM sessions WHERE workspace_id = ?1 AND (id_hash = ?2"
        " OR user_name = ?3 OR expires_at <= ?4)",
        &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    if (id_hash)
        sqlite3_bind_blob(s, 2, id_hash, (int)len, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, 2);
    bind_opt_text(s, 3, user);
    sqlite3_bind_int64(s, 4, now_ms);
    return run_done(st, s);
}

/* Prepares `sql` with ?1 the workspace, ?2 `kind`, ?3 `key` (or NULL). */
static cxm_rc prepare_kind_key(cxm_store *st, const char *sql,
                               const char *kind, const char *key,
                               sqlite3_stmt **out)
{
    cxm_rc rc = cxm__sq_prepare(st, sql, out);

    if (rc)
        return rc;
    sqlite3_bind_int64(*out, 1, st->workspace_id);
    sqlite3_bind_text(*out, 2, kind, -1, SQLITE_STATIC);
    bind_opt_text(*out, 3, key);
    return CXM_OK;
}

cxm_rc cxm__sq_put_login_failure(cxm_store *st, const char *kind,
                                 const char *key, int64_t at_ms)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = prepare_kind_key(
        st,
        "INSERT INTO login_failures (workspace_id, kind, key, at)"
        " VALUES (?1, ?2, ?3, ?4)",
        kind, key, &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 4, at_ms);
    return run_done(st, s);
}

cxm_rc cxm__sq_login_failures(cxm_store *st, const char *kind,
                              const char *key, int64_t since_ms,
                              int64_t *count)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = prepare_kind_key(
        st,
        "SELECT count(*) FROM login_failures WHERE workspace_id = ?1"
        " AND kind = ?2 AND key = ?3 AND at >= ?4",
        kind, key, &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 4, since_ms);
    if (sqlite3_step(s) == SQLITE_ROW)
        *count = sqlite3_column_int64(s, 0);
    else
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

cxm_rc cxm__sq_clear_login_failures(cxm_store *st, const char *kind,
                                    const char *key, int64_t since_ms)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = prepare_kind_key(
        st,
        "DELETE FROM login_failures WHERE workspace_id = ?1"
        " AND ((kind = ?2 AND key = ?3) OR at < ?4)",
        kind, key, &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 4, since_ms);
    return run_done(st, s);
}

/* Binds the filters ?2 … ?12 of a drill-down, as both queries below
 * number them. */
static void bind_drill(sqlite3_stmt *s, cxm_store *st,
                       const struct cxm__drill *q)
{
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_int64(s, 2, q->from);
    sqlite3_bind_int64(s, 3, q->to);
    bind_opt_text(s, 4, q->agent);
    bind_opt_text(s, 5, q->team);
    bind_opt_text(s, 6, q->channel);
    bind_opt_text(s, 7, q->language);
    bind_opt_text(s, 8, q->survey);
    bind_opt_text(s, 9, q->topic);
    if (q->has_score) {
        sqlite3_bind_int(s, 10, q->score_lo);
        sqlite3_bind_int(s, 11, q->score_hi);
    } else {
        sqlite3_bind_null(s, 10);
        sqlite3_bind_null(s, 11);
    }
    sqlite3_bind_int64(s, 12, q->limit > 0 ? q->limit : 100);
    sqlite3_bind_int64(s, 13, q->offset > 0 ? q->offset : 0);
}

/* The filters of a drill-down on the attributed columns of `a`. */
#define DRILL_DIMS                                                          \
    " AND (?4 IS NULL OR coalesce(a.agent_id, '') = ?4)"                    \
    " AND (?5 IS NULL OR coalesce(a.team, '') = ?5)"                        \
    " AND (?6 IS NULL OR coalesce(a.channel, '') = ?6)"                    \
    " AND (?9 IS NULL OR coalesce(a.topic, '') = ?9)"

/* The columns of a drill-down's answer (responded_at: `at`), then the
 * rows they come from. */
#define DRILL_ANSWER_SELECT(at)                                             \
    " SELECT " CXM__SQ_ANSWER_COLS ", r.response_id, r.question,"           \
    " r.comment, r.ticket_id, " CXM__SQ_ANSWER_CUSTOMER ", " at ","         \
    " r.score, r.scale_min, r.scale_max"
/* Every answer of the period. */
#define DRILL_ANSWERS_ALL                                                   \
    DRILL_ANSWER_SELECT("r.responded_at") CXM__SQ_ANSWER_FROM("")           \
    " WHERE r.workspace_id = ?1 AND r.responded_at >= ?2"                   \
    " AND r.responded_at < ?3"
/* The answers of the period attributed to agent ?4 (not ''), joined to
 * their rows newest first (CXM__SQ_AGENT_ANSWER_IDS). DRILL_DIMS checks
 * the agent again. */
#define DRILL_AGENT_IDS                                                     \
    CXM__SQ_AGENT_ANSWER_IDS("?1", "?4", "?2", "?3") ","
#define DRILL_ANSWERS_OF_AGENT                                              \
    DRILL_ANSWER_SELECT("x.at") CXM__SQ_AGENT_ANSWER_FROM
#define DRILL_ANSWERS_SQL(with, rows)                                       \
    "WITH" with " a (survey, agent_id, team, channel, language, topic,"     \
    " response_id, question, comment, ticket_id, customer_id,"              \
    " responded_at, score, scale_min, scale_max) AS (" rows ")"             \
    " SELECT survey, agent_id, team, channel, language, topic,"             \
    " response_id, question, comment, ticket_id, customer_id,"              \
    " responded_at, score, scale_min, scale_max FROM a"                     \
    " WHERE 1" DRILL_DIMS                                                   \
    " AND (?7 IS NULL OR coalesce(a.language, '') = ?7)"                    \
    " AND (?8 IS NULL OR a.survey = ?8)"                                    \
    " AND (?10 IS NULL OR a.score BETWEEN ?10 AND ?11)"                     \
    " AND (?14 = 0 OR coalesce(a.comment, '') <> '')"                      \
    " ORDER BY responded_at DESC, response_id LIMIT ?12 OFFSET ?13"

cxm_rc cxm__sq_drill_answers(cxm_store *st, const struct cxm__drill *q,
                             cxm__drill_answer_fn fn, void *ud)
{
    sqlite3_stmt *s = NULL;
    int step = SQLITE_DONE;
    cxm_rc rc = cxm__sq_prepare(
        st,
        q->agent && *q->agent
            ? DRILL_ANSWERS_SQL(DRILL_AGENT_IDS, DRILL_ANSWERS_OF_AGENT)
            : DRILL_ANSWERS_SQL("", DRILL_ANSWERS_ALL),
        &s);

    if (rc)
        return rc;
    bind_drill(s, st, q);
    sqlite3_bind_int(s, 14, q->comments_only ? 1 : 0);
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        struct cxm__drill_answer a;
        memset(&a, 0, sizeof(a));
        a.survey = col_text(s, 0);
        a.agent_id = col_text(s, 1);
        a.team = col_text(s, 2);
        a.channel = col_text(s, 3);
        a.language = col_text(s, 4);
        a.topic = col_text(s, 5);
        a.response_id = col_text(s, 6);
        a.question = col_text(s, 7);
        a.comment = col_text(s, 8);
        a.ticket_id = col_text(s, 9);
        a.customer_id = col_text(s, 10);
        a.responded_at = sqlite3_column_int64(s, 11);
        a.has_score = sqlite3_column_type(s, 12) != SQLITE_NULL;
        a.score = sqlite3_column_int(s, 12);
        a.scale_min = sqlite3_column_int(s, 13);
        a.scale_max = sqlite3_column_int(s, 14);
        rc = fn(&a, ud);
    }
    if (!rc && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

/* A drill-down's tickets: those `rows` selects, newest `at` first. One
 * statement per kind with its own column in ORDER BY, so SQLite walks
 * that column's index (tickets_created, tickets_resolved) backwards and
 * stops at the page's end, instead of sorting every ticket of the period
 * (4.3–4.8 s at 10M for 90 days). */
#define DRILL_TICKETS_SQL(rows, at)                                         \
    "SELECT a.ticket_id, a.customer_id, a.agent_id, a.team, a.channel,"    \
    " a.topic, a.status, a.created_at, a.first_response_at,"                \
    " a.resolved_at, a.contacts, a.reopened, a.escalated, a.complaint"      \
    " FROM tickets a WHERE a.workspace_id = ?1 AND " rows DRILL_DIMS        \
    " AND ?7 IS NULL AND ?8 IS NULL AND ?10 IS NULL AND ?11 IS NULL"        \
    " ORDER BY " at " DESC, a.ticket_id LIMIT ?12 OFFSET ?13"

cxm_rc cxm__sq_drill_tickets(cxm_store *st, const struct cxm__drill *q,
                             cxm__drill_ticket_fn fn, void *ud)
{
    sqlite3_stmt *s = NULL;
    int step = SQLITE_DONE;
    cxm_rc rc = cxm__sq_prepare(
        st,
        q->by_resolved && !q->open_at_to
            ? DRILL_TICKETS_SQL("a.resolved_at >= ?2 AND a.resolved_at < ?3",
                                "a.resolved_at")
        : q->open_at_to
            ? DRILL_TICKETS_SQL("a.created_at < ?3 AND (a.resolved_at IS NULL"
                                " OR a.resolved_at >= ?3)",
                                "a.created_at")
            : DRILL_TICKETS_SQL("a.created_at >= ?2 AND a.created_at < ?3",
                                "a.created_at"),
        &s);

    if (rc)
        return rc;
    bind_drill(s, st, q);
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        struct cxm__ticket_row t;
        memset(&t, 0, sizeof(t));
        t.ticket_id = col_text(s, 0);
        t.customer_id = col_text(s, 1);
        t.agent_id = col_text(s, 2);
        t.team = col_text(s, 3);
        t.channel = col_text(s, 4);
        t.topic = col_text(s, 5);
        t.status = col_text(s, 6);
        t.created_at = sqlite3_column_int64(s, 7);
        t.has_first_response = sqlite3_column_type(s, 8) != SQLITE_NULL;
        t.first_response_at = sqlite3_column_int64(s, 8);
        t.has_resolved = sqlite3_column_type(s, 9) != SQLITE_NULL;
        t.resolved_at = sqlite3_column_int64(s, 9);
        t.has_contacts = sqlite3_column_type(s, 10) != SQLITE_NULL;
        t.contacts = sqlite3_column_int64(s, 10);
        t.reopened = sqlite3_column_type(s, 11) == SQLITE_NULL
                         ? -1
                         : sqlite3_column_int(s, 11);
        t.escalated = sqlite3_column_type(s, 12) == SQLITE_NULL
                          ? -1
                          : sqlite3_column_int(s, 12);
        t.complaint = sqlite3_column_type(s, 13) == SQLITE_NULL
                          ? -1
                          : sqlite3_column_int(s, 13);
        rc = fn(&t, ud);
    }
    if (!rc && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

int64_t cxm__sq_changes(cxm_store *st)
{
    return sqlite3_total_changes64(cxm__sq_db(st));
}

cxm_rc cxm__sq_data_version(cxm_store *st, int64_t *out)
{
    return cxm__sq_run_ints(st, "PRAGMA data_version", NULL, 0, out);
}
