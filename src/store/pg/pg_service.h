/* SPDX-License-Identifier: MIT
 *
 * pg_service.h — private to the PostgreSQL engine: its service hooks of
 * struct cxm__store_ops (survey definitions, alerts and comments, sending
 * surveys, the survey service's invitations and tokens, the dashboard's
 * accounts and drill-downs), ported from the SQLite engine's
 * store_sqlite_{survey,alerts,send,invite,users}.c onto the schema of
 * sql/0002-service.sql. CXM__PG_SERVICE_OPS fills them into cxm__pg_ops.
 *
 * Several nodes share one database: outbox_claim takes its row with FOR
 * UPDATE SKIP LOCKED, a firing is inserted ON CONFLICT DO NOTHING, the
 * trigger pass of sending holds a transaction advisory lock, and
 * data_version is a row per workspace in the database (sql/0004) that
 * every node's changes to what reports read move.
 */
#ifndef CXM_PG_SERVICE_H
#define CXM_PG_SERVICE_H

#include "pg_int.h"

#define CXM__PG_SERVICE_OPS                                                \
    .survey_defs = cxm__pg_survey_defs,                                    \
    .put_survey_def = cxm__pg_put_survey_def,                              \
    .remove_survey_def = cxm__pg_remove_survey_def,                        \
    .alert_rules = cxm__pg_alert_rules,                                    \
    .put_alert_rule = cxm__pg_put_alert_rule,                              \
    .remove_alert_rule = cxm__pg_remove_alert_rule,                        \
    .put_alert_firing = cxm__pg_put_alert_firing,                          \
    .alert_firings = cxm__pg_alert_firings, .comments = cxm__pg_comments,  \
    .put_send_rule = cxm__pg_put_send_rule,                                \
    .remove_send_rule = cxm__pg_remove_send_rule,                          \
    .send_rules = cxm__pg_send_rules, .send_moments = cxm__pg_send_moments, \
    .send_facts = cxm__pg_send_facts, .outbox_put = cxm__pg_outbox_put,    \
    .outbox_claim = cxm__pg_outbox_claim,                                  \
    .outbox_update = cxm__pg_outbox_update,                                \
    .outbox_scan = cxm__pg_outbox_scan,                                    \
    .outbox_opened = cxm__pg_outbox_opened,                                \
    .outbox_bounce = cxm__pg_outbox_bounce,                                \
    .put_invitation_link = cxm__pg_put_invitation_link,                    \
    .put_unsubscribe = cxm__pg_put_unsubscribe,                            \
    .put_api_token = cxm__pg_put_api_token,                                \
    .api_tokens = cxm__pg_api_tokens,                                      \
    .revoke_api_token = cxm__pg_revoke_api_token,                          \
    .find_api_token = cxm__pg_find_api_token,                              \
    .put_invitation = cxm__pg_put_invitation,                              \
    .find_invitation = cxm__pg_find_invitation,                            \
    .put_submission = cxm__pg_put_submission,                              \
    .remove_response = cxm__pg_remove_response,                            \
    .put_click = cxm__pg_put_click, .submissions = cxm__pg_submissions,    \
    .savepoint = cxm__pg_savepoint, .tune = cxm__pg_tune,                  \
    .users = cxm__pg_users, .put_user = cxm__pg_put_user,                  \
    .remove_user = cxm__pg_remove_user,                                    \
    .put_session = cxm__pg_put_session,                                    \
    .session_user = cxm__pg_session_user,                                  \
    .remove_sessions = cxm__pg_remove_sessions,                            \
    .put_login_failure = cxm__pg_put_login_failure,                        \
    .login_failures = cxm__pg_login_failures,                              \
    .clear_login_failures = cxm__pg_clear_login_failures,                  \
    .drill_answers = cxm__pg_drill_answers,                                \
    .drill_tickets = cxm__pg_drill_tickets,                                \
    .data_version = cxm__pg_data_version

/* ---- Helpers of the service files (store_pg_invite.c) --------------- */

/* Runs `sql` (no rows wanted); *changed: the rows it inserted, updated or
 * deleted (PQcmdTuples), when not NULL. */
cxm_rc cxm__pg_changes(cxm_store *st, const char *sql,
                       const struct cxm__pg_arg *args, size_t n_args,
                       int64_t *changed);
/* Runs `sql` and calls row(res, i, ctx) for each row i of its whole
 * result (read at once, so a callback may run statements of its own);
 * *found (when not NULL) true when there was a row. */
typedef cxm_rc (*cxm__pg_rows_fn)(const PGresult *res, int i, void *ctx);
cxm_rc cxm__pg_rows(cxm_store *st, const char *sql,
                    const struct cxm__pg_arg *args, size_t n_args,
                    cxm__pg_rows_fn row, void *ctx, bool *found);

/* A digest as bytea's text input ("\x" and hex digits) in out[], which
 * holds CXM__PG_HEX_CAP bytes; NULL when `len` is too long for it. */
#define CXM__PG_HEX_CAP 131 /* digests of up to 64 bytes */
const char *cxm__pg_hex(const unsigned char *h, size_t len,
                        char out[CXM__PG_HEX_CAP]);

/* A column as an integer or a real, 0 when NULL; whether it is NULL. */
static inline int64_t cxm__pg_int(const PGresult *res, int row, int col)
{
    int64_t v = 0;

    return cxm__pg_i64(res, row, col, &v) ? v : 0;
}
static inline double cxm__pg_dbl(const PGresult *res, int row, int col)
{
    double v = 0;

    return cxm__pg_real(res, row, col, &v) ? v : 0;
}
static inline bool cxm__pg_null(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) != 0;
}

/* ---- store_pg_survey.c: survey definitions (0011) ------------------- */

cxm_rc cxm__pg_survey_defs(cxm_store *st, const char *id, int version,
                           cxm__survey_def_fn fn, void *ud);
cxm_rc cxm__pg_put_survey_def(cxm_store *st, const char *id,
                              const char *kind, const char *text,
                              size_t len, int64_t at_ms, int *version_out,
                              bool *added_out);
cxm_rc cxm__pg_remove_survey_def(cxm_store *st, const char *id,
                                 int64_t at_ms);

/* ---- store_pg_alerts.c: alert rules, firings, comments (0017) ------- */

cxm_rc cxm__pg_alert_rules(cxm_store *st, cxm__rule_row_fn fn, void *ud);
cxm_rc cxm__pg_put_alert_rule(cxm_store *st, const struct cxm__rule_row *r,
                              int64_t *id_out);
cxm_rc cxm__pg_remove_alert_rule(cxm_store *st, int64_t id, int64_t at_ms);
cxm_rc cxm__pg_put_alert_firing(cxm_store *st,
                                const struct cxm__firing_row *f,
                                bool *added, int64_t *id_out);
cxm_rc cxm__pg_alert_firings(cxm_store *st, int64_t rule_id,
                             cxm__firing_row_fn fn, void *ud);
cxm_rc cxm__pg_comments(cxm_store *st, const struct cxm_comment_query *q,
                        cxm_comment_fn fn, cxm__sub_text_fn text_fn,
                        void *ud);

/* ---- store_pg_send.c: sending surveys (0013-0015) ------------------- */

cxm_rc cxm__pg_put_send_rule(cxm_store *st, const struct cxm__send_rule *r,
                             int64_t *id_out);
cxm_rc cxm__pg_remove_send_rule(cxm_store *st, int64_t id, int64_t at_ms);
cxm_rc cxm__pg_send_rules(cxm_store *st, cxm__send_rule_fn fn, void *ud);
cxm_rc cxm__pg_send_moments(cxm_store *st, const struct cxm__moment_query *q,
                            cxm__send_moment_fn fn, void *ud);
cxm_rc cxm__pg_send_facts(cxm_store *st, const char *customer_id,
                          const char *address, int64_t near,
                          int64_t day_from, int64_t day_to,
                          struct cxm__send_facts *out);
cxm_rc cxm__pg_outbox_put(cxm_store *st, const struct cxm__outbox_row *r,
                          int64_t *id_out);
cxm_rc cxm__pg_outbox_claim(cxm_store *st, int64_t now, int64_t stale_before,
                            cxm__outbox_fn fn, void *ud, bool *found);
cxm_rc cxm__pg_outbox_update(cxm_store *st, int64_t id, const char *status,
                             const char *reason, int64_t due_at,
                             int64_t sent_at);
cxm_rc cxm__pg_outbox_scan(cxm_store *st, const char *status,
                           const char *ticket_id, cxm__outbox_fn fn,
                           void *ud);
cxm_rc cxm__pg_outbox_opened(cxm_store *st, const char *invitation_id,
                             int64_t at_ms);
cxm_rc cxm__pg_outbox_bounce(cxm_store *st, int64_t id,
                             const char *recipient, const char *reason,
                             int64_t *n_out);
cxm_rc cxm__pg_put_invitation_link(cxm_store *st, const char *invitation_id,
                                   const unsigned char *hash, size_t len,
                                   int64_t at_ms);
cxm_rc cxm__pg_put_unsubscribe(cxm_store *st, const char *invitation_id,
                               int64_t at_ms, bool *found);

/* ---- store_pg_invite.c: the survey service (0012) ------------------- */

cxm_rc cxm__pg_put_api_token(cxm_store *st, const char *name,
                             const unsigned char *hash, size_t len,
                             int64_t at_ms);
cxm_rc cxm__pg_api_tokens(cxm_store *st, cxm__api_token_fn fn, void *ud);
cxm_rc cxm__pg_revoke_api_token(cxm_store *st, const char *name,
                                int64_t at_ms);
cxm_rc cxm__pg_find_api_token(cxm_store *st, const unsigned char *hash,
                              size_t len, bool *live);
cxm_rc cxm__pg_put_invitation(cxm_store *st,
                              const struct cxm__invitation_row *r,
                              const unsigned char *hash, size_t len);
cxm_rc cxm__pg_find_invitation(cxm_store *st, const unsigned char *hash,
                               size_t len, cxm__invitation_fn fn, void *ud);
cxm_rc cxm__pg_put_submission(cxm_store *st,
                              const struct cxm__invitation_row *r);
cxm_rc cxm__pg_remove_response(cxm_store *st, const char *response_id);
cxm_rc cxm__pg_put_click(cxm_store *st, const char *id, int64_t at_ms,
                         int score, int64_t since, int64_t *distinct);
cxm_rc cxm__pg_submissions(cxm_store *st, cxm__invitation_fn fn, void *ud);
cxm_rc cxm__pg_savepoint(cxm_store *st, enum cxm__savepoint op);
cxm_rc cxm__pg_tune(cxm_store *st, enum cxm__tuning how);

/* ---- store_pg_users.c: the dashboard (0016) ------------------------- */

cxm_rc cxm__pg_users(cxm_store *st, const char *name, cxm__user_fn fn,
                     void *ud);
cxm_rc cxm__pg_put_user(cxm_store *st, const char *name, const char *role,
                        const char *password_hash, int64_t at_ms,
                        bool replace);
cxm_rc cxm__pg_remove_user(cxm_store *st, const char *name);
cxm_rc cxm__pg_put_session(cxm_store *st, const uint8_t *id_hash, size_t len,
                           const char *user, int64_t at_ms,
                           int64_t expires_ms);
cxm_rc cxm__pg_session_user(cxm_store *st, const uint8_t *id_hash,
                            size_t len, int64_t now_ms, cxm__user_fn fn,
                            void *ud);
cxm_rc cxm__pg_remove_sessions(cxm_store *st, const uint8_t *id_hash,
                               size_t len, const char *user, int64_t now_ms);
cxm_rc cxm__pg_put_login_failure(cxm_store *st, const char *kind,
                                 const char *key, int64_t at_ms);
cxm_rc cxm__pg_login_failures(cxm_store *st, const char *kind,
                              const char *key, int64_t since_ms,
                              int64_t *count);
cxm_rc cxm__pg_clear_login_failures(cxm_store *st, const char *kind,
                                    const char *key, int64_t since_ms);
cxm_rc cxm__pg_drill_answers(cxm_store *st, const struct cxm__drill *q,
                             cxm__drill_answer_fn fn, void *ud);
cxm_rc cxm__pg_drill_tickets(cxm_store *st, const struct cxm__drill *q,
                             cxm__drill_ticket_fn fn, void *ud);
cxm_rc cxm__pg_data_version(cxm_store *st, int64_t *out);

#endif
