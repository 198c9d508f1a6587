/* SPDX-License-Identifier: MIT
 *
 * store_sqlite_send.c — the SQLite engine's side of sending surveys
 * (src/store/sqlite/sql/0013-sending.sql, src/send/): rules, the moments
 * waiting for a decision, the facts of survey fatigue, the outbox, the
 * links the sender hands out and unsubscribes. Bound parameters only; ?1
 * is always the store's workspace.
 */
#include "internal.h"

#include <string.h>

#include "sqlite_int.h"

/* ---- Rules. */

cxm_rc cxm__sq_put_send_rule(cxm_store *st, const struct cxm__send_rule *r,
                             int64_t *id_out)
{
    sqlite3_stmt *s;
    int64_t args[1] = {st->workspace_id};
    cxm_rc rc = cxm__sq_run_ints(st,
                                 "SELECT coalesce(max(rule_id), 0) + 1 FROM"
                                 " send_rules WHERE workspace_id = ?1",
                                 args, 1, id_out);

    if (!rc)
        rc = cxm__sq_prepare_ws(
            st,
            "INSERT INTO send_rules (workspace_id, rule_id, moment,"
            " survey, channel, delay_ms, team, created_at, segment)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 2, *id_out);
    cxm__sq_bind_text(s, 3, r->moment);
    cxm__sq_bind_text(s, 4, r->survey);
    cxm__sq_bind_text(s, 5, r->channel);
    sqlite3_bind_int64(s, 6, r->delay_ms);
    cxm__sq_bind_text(s, 7, r->team);
    sqlite3_bind_int64(s, 8, r->created_at);
    cxm__sq_bind_text(s, 9, r->segment);
    return cxm__sq_step_done(st, s);
}

cxm_rc cxm__sq_remove_send_rule(cxm_store *st, int64_t id, int64_t at_ms)
{
    int64_t args[3] = {st->workspace_id, id, at_ms};
    cxm_rc rc = cxm__sq_run_ints(st,
                                 "UPDATE send_rules SET removed_at = ?3"
                                 " WHERE workspace_id = ?1 AND rule_id = ?2"
                                 " AND removed_at IS NULL",
                                 args, 3, NULL);

    if (!rc && sqlite3_changes(cxm__sq_db(st)) == 0)
        rc = CXM_ENOTFOUND;
    return rc;
}

cxm_rc cxm__sq_send_rules(cxm_store *st, cxm__send_rule_fn fn, void *ud)
{
    sqlite3_stmt *s;
    int step = SQLITE_DONE;
    cxm_rc rc =
        cxm__sq_prepare_ws(st,
                           "SELECT rule_id, moment, survey, channel, delay_ms,"
                           " team, created_at, segment FROM send_rules"
                           " WHERE workspace_id = ?1 AND removed_at IS NULL"
                           " ORDER BY rule_id",
                           &s);

    if (rc)
        return rc;
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        struct cxm__send_rule r;
        r.id = sqlite3_column_int64(s, 0);
        r.moment = cxm__sq_text(s, 1);
        r.survey = cxm__sq_text(s, 2);
        r.channel = cxm__sq_text(s, 3);
        r.delay_ms = sqlite3_column_int64(s, 4);
        r.team = cxm__sq_text(s, 5);
        r.created_at = sqlite3_column_int64(s, 6);
        r.segment = cxm__sq_text(s, 7);
        rc = fn(&r, ud);
    }
    if (!rc && step != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

/* ---- Moments and fatigue. */

/* The moments of each kind: subject_id, ticket_id, customer_id,
 * agent_id, team, channel, email, phone, language, at — with ?2, ?3 the
 * window, ?4 the limit, ?5 the outbox's moment, ?6 the segment. */
#define NOT_DECIDED(subject)                                                  \
    " AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.workspace_id = ?1"       \
    "  AND x.kind = 'invite' AND x.moment = ?5 AND x.subject_id = " subject   \
    ")"
#define CONTACT                                                               \
    " LEFT JOIN customers c ON c.workspace_id = ?1"                           \
    "  AND c.customer_id = "

static const struct {
    const char *moment, *sql;
} moment_sql[] = {
    {"resolved",
     "SELECT t.ticket_id, t.ticket_id, t.customer_id, t.agent_id, t.team,"
     " t.channel, c.email, c.phone, c.language, t.resolved_at"
     " FROM tickets t" CONTACT "t.customer_id"
     " WHERE t.workspace_id = ?1 AND t.resolved_at >= ?2"
     " AND t.resolved_at < ?3"
     NOT_DECIDED("t.ticket_id")
     " ORDER BY t.resolved_at, t.ticket_id LIMIT ?4"},
    {"order",
     "SELECT o.order_id, NULL, o.customer_id, NULL, NULL, NULL, c.email,"
     " c.phone, c.language, o.ordered_at"
     " FROM orders o" CONTACT "o.customer_id"
     " WHERE o.workspace_id = ?1 AND o.ordered_at >= ?2"
     " AND o.ordered_at < ?3"
     NOT_DECIDED("o.order_id")
     " ORDER BY o.ordered_at, o.order_id LIMIT ?4"},
    {"new_customer",
     "SELECT c.customer_id, NULL, c.customer_id, NULL, NULL, NULL, c.email,"
     " c.phone, c.language, c.acquired_at FROM customers c"
     " WHERE c.workspace_id = ?1 AND c.acquired_at >= ?2"
     " AND c.acquired_at < ?3 AND c.churned_at IS NULL"
     NOT_DECIDED("c.customer_id")
     " ORDER BY c.acquired_at, c.customer_id LIMIT ?4"},
    {"quiet",
     "SELECT q.customer_id || ':' || q.last, NULL, q.customer_id, NULL,"
     " NULL, NULL, q.email, q.phone, q.language, q.last FROM ("
     " SELECT c.customer_id, c.email, c.phone, c.language,"
     "  max(c.acquired_at,"
     "   coalesce((SELECT max(o.ordered_at) FROM orders o"
     "    WHERE o.workspace_id = ?1 AND o.customer_id = c.customer_id), 0),"
     "   coalesce((SELECT max(t.created_at) FROM tickets t"
     "    WHERE t.workspace_id = ?1 AND t.customer_id = c.customer_id), 0))"
     "  AS last"
     " FROM customers c WHERE c.workspace_id = ?1 AND c.churned_at IS NULL"
     ") q WHERE q.last >= ?2 AND q.last < ?3"
     NOT_DECIDED("q.customer_id || ':' || q.last")
     " ORDER BY q.last, q.customer_id LIMIT ?4"},
    {"segment",
     "SELECT c.customer_id, NULL, c.customer_id, NULL, NULL, NULL, c.email,"
     " c.phone, c.language, ?2 FROM customers c"
     " WHERE c.workspace_id = ?1 AND c.segment = ?6"
     " AND c.churned_at IS NULL AND ?3 > ?2"
     NOT_DECIDED("c.customer_id")
     " ORDER BY c.customer_id LIMIT ?4"},
};

cxm_rc cxm__sq_send_moments(cxm_store *st, const struct cxm__moment_query *q,
                            cxm__send_moment_fn fn, void *ud)
{
    const char *sql = NULL;
    sqlite3_stmt *s;
    int step = SQLITE_DONE;
    cxm_rc rc;

    for (size_t i = 0; i < CXM_ARRAY_LEN(moment_sql); i++) {
        if (strcmp(q->moment, moment_sql[i].moment) == 0)
            sql = moment_sql[i].sql;
    }
    if (!sql)
        return CXM_EINVAL;
    rc = cxm__sq_prepare_ws(st, sql, &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 2, q->from);
    sqlite3_bind_int64(s, 3, q->to);
    sqlite3_bind_int64(s, 4, q->limit);
    cxm__sq_bind_text(s, 5, q->key);
    cxm__sq_bind_text(s, 6, q->segment);
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        struct cxm__send_moment m;
        m.moment = q->key;
        m.subject_id = cxm__sq_text(s, 0);
        m.ticket_id = cxm__sq_text(s, 1);
        m.customer_id = cxm__sq_text(s, 2);
        m.agent_id = cxm__sq_text(s, 3);
        m.team = cxm__sq_text(s, 4);
        m.channel = cxm__sq_text(s, 5);
        m.email = cxm__sq_text(s, 6);
        m.phone = cxm__sq_text(s, 7);
        m.language = cxm__sq_text(s, 8);
        m.at = sqlite3_column_int64(s, 9);
        rc = fn(&m, ud);
    }
    if (!rc && step != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

#define LIVE_INVITE                                                           \
    " kind = 'invite' AND status IN ('queued', 'sending', 'sent')"

cxm_rc cxm__sq_send_facts(cxm_store *st, const char *customer_id,
                          const char *address, int64_t near, int64_t day_from,
                          int64_t day_to, struct cxm__send_facts *out)
{
    sqlite3_stmt *s;
    int step;
    cxm_rc rc;

    memset(out, 0, sizeof(*out));
    rc = cxm__sq_prepare_ws(
        st,
        "SELECT EXISTS (SELECT 1 FROM unsubscribes WHERE"
        " workspace_id = ?1 AND customer_id = ?2) OR EXISTS (SELECT 1"
        " FROM unsubscribes WHERE workspace_id = ?1 AND address = ?3)",
        &s);
    if (rc)
        return rc;
    cxm__sq_bind_text(s, 2, customer_id);
    cxm__sq_bind_text(s, 3, address);
    if (sqlite3_step(s) == SQLITE_ROW)
        out->unsubscribed = sqlite3_column_int(s, 0) != 0;
    else
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    if (!rc && customer_id) {
        rc = cxm__sq_prepare_ws(
            st,
            "SELECT due_at FROM outbox WHERE workspace_id = ?1 AND"
            " customer_id = ?2 AND" LIVE_INVITE
            " ORDER BY abs(due_at - ?3) LIMIT 1",
            &s);
        if (rc)
            return rc;
        cxm__sq_bind_text(s, 2, customer_id);
        sqlite3_bind_int64(s, 3, near);
        step = sqlite3_step(s);
        if (step == SQLITE_ROW) {
            out->has_last = true;
            out->last_due_at = sqlite3_column_int64(s, 0);
        } else if (step != SQLITE_DONE)
            rc = cxm__sq_fail(st);
        sqlite3_finalize(s);
    }
    if (!rc) {
        int64_t args[3] = {st->workspace_id, day_from, day_to};
        rc = cxm__sq_run_ints(st,
                              "SELECT count(*) FROM outbox WHERE"
                              " workspace_id = ?1 AND" LIVE_INVITE
                              " AND due_at >= ?2 AND due_at < ?3",
                              args, 3, &out->day_count);
    }
    return rc;
}

/* ---- The outbox. */

cxm_rc cxm__sq_outbox_put(cxm_store *st, const struct cxm__outbox_row *r,
                          int64_t *id_out)
{
    sqlite3_stmt *s;
    int64_t args[1] = {st->workspace_id};
    const char *text[] = {r->kind,          r->moment,    r->subject_id,
                          r->status,        r->reason,    NULL,
                          r->invitation_id, r->survey,    r->language,
                          r->channel,       r->recipient, r->ticket_id,
                          r->customer_id,   r->agent_id,  r->team};
    cxm_rc rc = cxm__sq_run_ints(st,
                                 "SELECT coalesce(max(message_id), 0) + 1"
                                 " FROM outbox WHERE workspace_id = ?1",
                                 args, 1, id_out);

    if (!rc)
        rc = cxm__sq_prepare_ws(
            st,
            "INSERT INTO outbox (workspace_id, message_id, kind,"
            " moment, subject_id, status, reason, rule_id,"
            " invitation_id, survey, language, channel, recipient,"
            " ticket_id, customer_id, agent_id, team, created_at,"
            " due_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
            " ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 2, *id_out);
    for (int i = 0; i < (int)CXM_ARRAY_LEN(text); i++)
        cxm__sq_bind_text(s, 3 + i, text[i]);
    if (r->rule_id > 0)
        sqlite3_bind_int64(s, 8, r->rule_id);
    sqlite3_bind_int64(s, 18, r->created_at);
    sqlite3_bind_int64(s, 19, r->due_at);
    return cxm__sq_step_done(st, s);
}

#define OUTBOX_COLS                                                           \
    "SELECT o.message_id, o.kind, o.moment, o.subject_id, o.status,"          \
    " o.reason, o.rule_id, o.invitation_id, o.survey, o.language,"            \
    " o.channel, o.recipient, o.ticket_id, o.customer_id, o.agent_id,"        \
    " o.team, o.created_at, o.due_at, o.attempts, o.claimed_at, o.sent_at,"   \
    " EXISTS (SELECT 1 FROM submissions b WHERE b.workspace_id ="             \
    "  o.workspace_id AND b.invitation_id = o.invitation_id"                  \
    "  AND b.held = 0), o.opened_at FROM outbox o"

/* Hands the rows of a statement of OUTBOX_COLS to fn. */
static cxm_rc outbox_rows(cxm_store *st, sqlite3_stmt *s, cxm__outbox_fn fn,
                          void *ud, bool *found)
{
    int step = SQLITE_DONE;
    cxm_rc rc = CXM_OK;

    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        struct cxm__outbox_row r;
        r.id = sqlite3_column_int64(s, 0);
        r.kind = cxm__sq_text(s, 1);
        r.moment = cxm__sq_text(s, 2);
        r.subject_id = cxm__sq_text(s, 3);
        r.status = cxm__sq_text(s, 4);
        r.reason = cxm__sq_text(s, 5);
        r.rule_id = sqlite3_column_int64(s, 6);
        r.invitation_id = cxm__sq_text(s, 7);
        r.survey = cxm__sq_text(s, 8);
        r.language = cxm__sq_text(s, 9);
        r.channel = cxm__sq_text(s, 10);
        r.recipient = cxm__sq_text(s, 11);
        r.ticket_id = cxm__sq_text(s, 12);
        r.customer_id = cxm__sq_text(s, 13);
        r.agent_id = cxm__sq_text(s, 14);
        r.team = cxm__sq_text(s, 15);
        r.created_at = sqlite3_column_int64(s, 16);
        r.due_at = sqlite3_column_int64(s, 17);
        r.attempts = sqlite3_column_int64(s, 18);
        r.claimed_at = sqlite3_column_int64(s, 19);
        r.sent_at = sqlite3_column_int64(s, 20);
        r.answered = sqlite3_column_int(s, 21) != 0;
        r.opened_at = sqlite3_column_int64(s, 22);
        if (found)
            *found = true;
        rc = fn(&r, ud);
    }
    if (!rc && step != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

cxm_rc cxm__sq_outbox_claim(cxm_store *st, int64_t now, int64_t stale_before,
                            cxm__outbox_fn fn, void *ud, bool *found)
{
    int64_t args[3] = {st->workspace_id, now, stale_before}, id = 0;
    sqlite3_stmt *s;
    cxm_rc rc;

    *found = false;
    rc = cxm__sq_run_ints(st,
                          "SELECT coalesce((SELECT message_id FROM outbox"
                          " WHERE workspace_id = ?1 AND ((status = 'queued'"
                          " AND due_at <= ?2) OR (status = 'sending' AND"
                          " claimed_at < ?3)) ORDER BY due_at, message_id"
                          " LIMIT 1), 0)",
                          args, 3, &id);
    if (rc || id == 0)
        return rc;
    {
        int64_t upd[3] = {st->workspace_id, id, now};
        rc = cxm__sq_run_ints(st,
                              "UPDATE outbox SET status = 'sending',"
                              " attempts = attempts + 1, claimed_at = ?3"
                              " WHERE workspace_id = ?1 AND message_id = ?2",
                              upd, 3, NULL);
    }
    if (!rc)
        rc = cxm__sq_prepare_ws(st,
                                OUTBOX_COLS " WHERE o.workspace_id = ?1"
                                            " AND o.message_id = ?2",
                                &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 2, id);
    return outbox_rows(st, s, fn, ud, found);
}

cxm_rc cxm__sq_outbox_update(cxm_store *st, int64_t id, const char *status,
                             const char *reason, int64_t due_at,
                             int64_t sent_at)
{
    sqlite3_stmt *s;
    cxm_rc rc = cxm__sq_prepare_ws(
        st,
        "UPDATE outbox SET status = ?3, reason = ?4,"
        " due_at = CASE WHEN ?5 > 0 THEN ?5 ELSE due_at END,"
        " sent_at = CASE WHEN ?6 > 0 THEN ?6 ELSE sent_at END"
        " WHERE workspace_id = ?1 AND message_id = ?2",
        &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 2, id);
    cxm__sq_bind_text(s, 3, status);
    cxm__sq_bind_text(s, 4, reason);
    sqlite3_bind_int64(s, 5, due_at);
    sqlite3_bind_int64(s, 6, sent_at);
    return cxm__sq_step_done(st, s);
}

cxm_rc cxm__sq_outbox_scan(cxm_store *st, const char *status,
                           const char *ticket_id, cxm__outbox_fn fn, void *ud)
{
    sqlite3_stmt *s;
    cxm_rc rc =
        cxm__sq_prepare_ws(st,
                           OUTBOX_COLS " WHERE o.workspace_id = ?1"
                                       " AND (?2 IS NULL OR o.status = ?2)"
                                       " AND (?3 IS NULL OR o.ticket_id = ?3)"
                                       " ORDER BY o.message_id",
                           &s);

    if (rc)
        return rc;
    cxm__sq_bind_text(s, 2, status);
    cxm__sq_bind_text(s, 3, ticket_id);
    return outbox_rows(st, s, fn, ud, NULL);
}

/* ---- Links and unsubscribes. */

cxm_rc cxm__sq_put_invitation_link(cxm_store *st, const char *invitation_id,
                                   const unsigned char *hash, size_t len,
                                   int64_t at_ms)
{
    sqlite3_stmt *s;
    cxm_rc rc = cxm__sq_prepare_ws(
        st,
        "INSERT INTO invitation_links (workspace_id, token_hash,"
        " invitation_id, created_at) VALUES (?1, ?2, ?3, ?4)",
        &s);

    if (rc)
        return rc;
    sqlite3_bind_blob(s, 2, hash, (int)len, SQLITE_TRANSIENT);
    cxm__sq_bind_text(s, 3, invitation_id);
    sqlite3_bind_int64(s, 4, at_ms);
    return cxm__sq_step_done(st, s);
}

cxm_rc cxm__sq_put_unsubscribe(cxm_store *st, const char *invitation_id,
                               int64_t at_ms, bool *found)
{
    sqlite3_stmt *s;
    cxm_rc rc = cxm__sq_prepare_ws(
        st,
        "INSERT INTO unsubscribes (workspace_id, customer_id, address, at)"
        " SELECT ?1, c, a, ?3 FROM (SELECT i.customer_id AS c,"
        "  (SELECT o.recipient FROM outbox o WHERE o.workspace_id = ?1"
        "   AND o.invitation_id = ?2 AND o.recipient IS NOT NULL"
        "   ORDER BY o.message_id DESC LIMIT 1) AS a"
        "  FROM invitations i WHERE i.workspace_id = ?1"
        "  AND i.invitation_id = ?2)"
        " WHERE c IS NOT NULL OR a IS NOT NULL",
        &s);

    if (rc)
        return rc;
    cxm__sq_bind_text(s, 2, invitation_id);
    sqlite3_bind_int64(s, 3, at_ms);
    rc = cxm__sq_step_done(st, s);
    *found = !rc && sqlite3_changes(cxm__sq_db(st)) > 0;
    return rc;
}

/* ---- Opened and bounced (0015-outbox-opened.sql). */

cxm_rc cxm__sq_outbox_opened(cxm_store *st, const char *invitation_id,
                             int64_t at_ms)
{
    sqlite3_stmt *s;
    cxm_rc rc = cxm__sq_prepare_ws(
        st,
        "UPDATE outbox SET opened_at = ?3 WHERE workspace_id = ?1"
        " AND invitation_id = ?2 AND opened_at IS NULL"
        " AND status IN ('sent', 'bounced') AND sent_at <= ?3",
        &s);

    if (rc)
        return rc;
    cxm__sq_bind_text(s, 2, invitation_id);
    sqlite3_bind_int64(s, 3, at_ms);
    return cxm__sq_step_done(st, s);
}

cxm_rc cxm__sq_outbox_bounce(cxm_store *st, int64_t id, const char *recipient,
                             const char *reason, int64_t *n_out)
{
    sqlite3_stmt *s;
    int64_t found = 0;
    int step;
    cxm_rc rc = cxm__sq_prepare_ws(
        st,
        "SELECT message_id FROM outbox WHERE workspace_id = ?1"
        " AND status IN ('sent', 'bounced')"
        " AND (message_id = ?2 OR (?2 = 0 AND recipient = ?3"
        " COLLATE NOCASE)) ORDER BY sent_at DESC, message_id DESC LIMIT 1",
        &s);

    *n_out = 0;
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 2, id);
    cxm__sq_bind_text(s, 3, recipient);
    step = sqlite3_step(s);
    if (step == SQLITE_ROW)
        found = sqlite3_column_int64(s, 0);
    else if (step != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    if (rc || !found)
        return rc;
    rc = cxm__sq_prepare_ws(st,
                            "UPDATE outbox SET status = 'bounced', reason = ?3"
                            " WHERE workspace_id = ?1 AND message_id = ?2",
                            &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 2, found);
    cxm__sq_bind_text(s, 3, reason);
    rc = cxm__sq_step_done(st, s);
    if (!rc)
        rc = cxm__sq_prepare_ws(
            st,
            "UPDATE outbox SET status = 'skipped', reason = 'the invitation"
            " bounced' WHERE workspace_id = ?1 AND kind = 'reminder'"
            " AND status = 'queued' AND invitation_id = (SELECT"
            " invitation_id FROM outbox WHERE workspace_id = ?1"
            " AND message_id = ?2)",
            &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 2, found);
    rc = cxm__sq_step_done(st, s);
    if (!rc)
        *n_out = 1;
    return rc;
}
