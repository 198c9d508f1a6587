/* SPDX-License-Identifier: MIT
 *
 * store_pg_send.c — the PostgreSQL engine's side of sending surveys
 * (sql/0002-service.sql: send_rules, outbox, invitation_links,
 * unsubscribes; src/send/): rules, the moments waiting for a decision, the
 * facts of survey fatigue, the outbox, the links the sender hands out and
 * unsubscribes. As store_sqlite_send.c, for several nodes on one database:
 *
 *   - outbox_claim takes the message due first that no other transaction
 *     holds (FOR UPDATE SKIP LOCKED), so two senders never claim one
 *     message, and neither waits for the other;
 *   - send_moments holds a transaction advisory lock of the workspace's
 *     trigger pass, so the second node's pass waits for the first's commit
 *     and finds its moments decided (the outbox_moment key would otherwise
 *     fail the second pass at commit).
 */
#include "internal.h"

#include <string.h>

#include "pg_service.h"

/* ---- Rules. */

cxm_rc cxm__pg_put_send_rule(cxm_store *st, const struct cxm__send_rule *r,
                             int64_t *id_out)
{
    struct cxm__pg_arg a[8] = {
        CXM__PG_WS(st),        CXM__PG_T(r->moment),   CXM__PG_T(r->survey),
        CXM__PG_T(r->channel), CXM__PG_I(r->delay_ms), CXM__PG_T(r->team),
        CXM__PG_I(r->created_at), CXM__PG_T(r->segment)};

    return cxm__pg_run(st,
                       "INSERT INTO send_rules (workspace_id, rule_id, moment,"
                       " survey, channel, delay_ms, team, created_at, segment)"
                       " SELECT $1, coalesce(max(rule_id), 0) + 1, $2, $3,"
                       " $4, $5, $6, $7, $8 FROM send_rules"
                       " WHERE workspace_id = $1 RETURNING rule_id",
                       a, 8, id_out);
}

cxm_rc cxm__pg_remove_send_rule(cxm_store *st, int64_t id, int64_t at_ms)
{
    struct cxm__pg_arg a[3] = {CXM__PG_WS(st), CXM__PG_I(id),
                               CXM__PG_I(at_ms)};
    int64_t n = 0;
    cxm_rc rc = cxm__pg_changes(st,
                                "UPDATE send_rules SET removed_at = $3"
                                " WHERE workspace_id = $1 AND rule_id = $2"
                                " AND removed_at IS NULL",
                                a, 3, &n);

    return !rc && n == 0 ? CXM_ENOTFOUND : rc;
}

struct rule_ctx {
    cxm__send_rule_fn fn;
    void *ud;
};

static cxm_rc rule_row(const PGresult *res, int i, void *ctx)
{
    struct rule_ctx *c = ctx;
    struct cxm__send_rule r;

    r.id = cxm__pg_int(res, i, 0);
    r.moment = cxm__pg_text(res, i, 1);
    r.survey = cxm__pg_text(res, i, 2);
    r.channel = cxm__pg_text(res, i, 3);
    r.delay_ms = cxm__pg_int(res, i, 4);
    r.team = cxm__pg_text(res, i, 5);
    r.created_at = cxm__pg_int(res, i, 6);
    r.segment = cxm__pg_text(res, i, 7);
    return c->fn(&r, c->ud);
}

cxm_rc cxm__pg_send_rules(cxm_store *st, cxm__send_rule_fn fn, void *ud)
{
    struct rule_ctx c = {fn, ud};
    struct cxm__pg_arg a[1] = {CXM__PG_WS(st)};

    return cxm__pg_rows(st,
                        "SELECT rule_id, moment, survey, channel, delay_ms,"
                        " team, created_at, segment FROM send_rules"
                        " WHERE workspace_id = $1 AND removed_at IS NULL"
                        " ORDER BY rule_id",
                        a, 1, rule_row, &c, NULL);
}

/* ---- Moments and fatigue. */

/* The moments of each kind: subject_id, ticket_id, customer_id,
 * agent_id, team, channel, email, phone, language, at — with $2, $3 the
 * window, $4 the limit, $5 the outbox's moment, $6 the segment (the
 * one-off send's query only). */
#define NOT_DECIDED(subject)                                                  \
    " AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.workspace_id = $1"       \
    "  AND x.kind = 'invite' AND x.moment = $5::text"                         \
    "  AND x.subject_id = " subject ")"
#define CONTACT                                                               \
    " LEFT JOIN customers c ON c.workspace_id = $1"                           \
    "  AND c.customer_id = "

static const struct {
    const char *moment, *sql;
} moment_sql[] = {
    {"resolved",
     "SELECT t.ticket_id, t.ticket_id, t.customer_id, t.agent_id, t.team,"
     " t.channel, c.email, c.phone, c.language, t.resolved_at"
     " FROM tickets t" CONTACT "t.customer_id"
     " WHERE t.workspace_id = $1 AND t.resolved_at >= $2::bigint"
     " AND t.resolved_at < $3::bigint"
     NOT_DECIDED("t.ticket_id")
     " ORDER BY t.resolved_at, t.ticket_id COLLATE \"C\" LIMIT $4::bigint"},
    {"order",
     "SELECT o.order_id, NULL, o.customer_id, NULL, NULL, NULL, c.email,"
     " c.phone, c.language, o.ordered_at"
     " FROM orders o" CONTACT "o.customer_id"
     " WHERE o.workspace_id = $1 AND o.ordered_at >= $2::bigint"
     " AND o.ordered_at < $3::bigint"
     NOT_DECIDED("o.order_id")
     " ORDER BY o.ordered_at, o.order_id COLLATE \"C\" LIMIT $4::bigint"},
    {"new_customer",
     "SELECT c.customer_id, NULL, c.customer_id, NULL, NULL, NULL, c.email,"
     " c.phone, c.language, c.acquired_at FROM customers c"
     " WHERE c.workspace_id = $1 AND c.acquired_at >= $2::bigint"
     " AND c.acquired_at < $3::bigint AND c.churned_at IS NULL"
     NOT_DECIDED("c.customer_id")
     " ORDER BY c.acquired_at, c.customer_id COLLATE \"C\" LIMIT $4::bigint"},
    /* SQLite's max(a, b, c) is NULL when a is: so is this one. */
    {"quiet",
     "SELECT q.customer_id || ':' || q.last, NULL, q.customer_id, NULL,"
     " NULL, NULL, q.email, q.phone, q.language, q.last FROM ("
     " SELECT c.customer_id, c.email, c.phone, c.language,"
     "  CASE WHEN c.acquired_at IS NOT NULL THEN greatest(c.acquired_at,"
     "   coalesce((SELECT max(o.ordered_at) FROM orders o"
     "    WHERE o.workspace_id = $1 AND o.customer_id = c.customer_id), 0),"
     "   coalesce((SELECT max(t.created_at) FROM tickets t"
     "    WHERE t.workspace_id = $1 AND t.customer_id = c.customer_id), 0))"
     "  END AS last"
     " FROM customers c WHERE c.workspace_id = $1 AND c.churned_at IS NULL"
     ") q WHERE q.last >= $2::bigint AND q.last < $3::bigint"
     NOT_DECIDED("q.customer_id || ':' || q.last")
     " ORDER BY q.last, q.customer_id COLLATE \"C\" LIMIT $4::bigint"},
    {"segment",
     "SELECT c.customer_id, NULL, c.customer_id, NULL, NULL, NULL, c.email,"
     " c.phone, c.language, $2::bigint FROM customers c"
     " WHERE c.workspace_id = $1 AND c.segment = $6::text"
     " AND c.churned_at IS NULL AND $3::bigint > $2::bigint"
     NOT_DECIDED("c.customer_id")
     " ORDER BY c.customer_id COLLATE \"C\" LIMIT $4::bigint"},
};

struct moment_ctx {
    const char *key;
    cxm__send_moment_fn fn;
    void *ud;
};

static cxm_rc moment_row(const PGresult *res, int i, void *ctx)
{
    struct moment_ctx *c = ctx;
    struct cxm__send_moment m;

    m.moment = c->key;
    m.subject_id = cxm__pg_text(res, i, 0);
    m.ticket_id = cxm__pg_text(res, i, 1);
    m.customer_id = cxm__pg_text(res, i, 2);
    m.agent_id = cxm__pg_text(res, i, 3);
    m.team = cxm__pg_text(res, i, 4);
    m.channel = cxm__pg_text(res, i, 5);
    m.email = cxm__pg_text(res, i, 6);
    m.phone = cxm__pg_text(res, i, 7);
    m.language = cxm__pg_text(res, i, 8);
    m.at = cxm__pg_int(res, i, 9);
    return c->fn(&m, c->ud);
}

cxm_rc cxm__pg_send_moments(cxm_store *st, const struct cxm__moment_query *q,
                            cxm__send_moment_fn fn, void *ud)
{
    struct moment_ctx c = {q->key, fn, ud};
    struct cxm__pg_arg a[6] = {CXM__PG_WS(st), CXM__PG_I(q->from),
                               CXM__PG_I(q->to),  CXM__PG_I(q->limit),
                               CXM__PG_T(q->key), CXM__PG_T(q->segment)};
    const char *sql = NULL;
    bool segment = strcmp(q->moment, "segment") == 0;
    cxm_rc rc;

    for (size_t i = 0; i < CXM_ARRAY_LEN(moment_sql); i++) {
        if (strcmp(q->moment, moment_sql[i].moment) == 0)
            sql = moment_sql[i].sql;
    }
    if (!sql)
        return CXM_EINVAL;
    /* One trigger pass of the workspace at a time, across nodes: held to
     * the end of the transaction that decides these moments. */
    rc = cxm__pg_run(st,
                     "SELECT pg_advisory_xact_lock(hashtextextended("
                     "'cxmeter send moments ' || $1::text, 0))",
                     a, 1, NULL);
    if (rc)
        return rc;
    return cxm__pg_rows(st, sql, a, segment ? 6 : 5, moment_row, &c, NULL);
}

#define LIVE_INVITE                                                           \
    " kind = 'invite' AND status IN ('queued', 'sending', 'sent')"

cxm_rc cxm__pg_send_facts(cxm_store *st, const char *customer_id,
                          const char *address, int64_t near, int64_t day_from,
                          int64_t day_to, struct cxm__send_facts *out)
{
    struct cxm__pg_arg a[3] = {CXM__PG_WS(st), CXM__PG_T(customer_id),
                               CXM__PG_T(address)};
    PGresult *res;
    int64_t v = 0;
    cxm_rc rc;

    memset(out, 0, sizeof(*out));
    rc = cxm__pg_run(st,
                     "SELECT (EXISTS (SELECT 1 FROM unsubscribes WHERE"
                     " workspace_id = $1 AND customer_id = $2::text) OR"
                     " EXISTS (SELECT 1 FROM unsubscribes WHERE"
                     " workspace_id = $1 AND address = $3::text))::int",
                     a, 3, &v);
    if (rc)
        return rc;
    out->unsubscribed = v != 0;
    if (customer_id) {
        a[2] = CXM__PG_I(near);
        rc = cxm__pg_query(st,
                           "SELECT due_at FROM outbox WHERE workspace_id = $1"
                           " AND customer_id = $2 AND" LIVE_INVITE
                           " ORDER BY abs(due_at - $3::bigint) LIMIT 1",
                           a, 3, &res);
        if (rc)
            return rc;
        if (PQntuples(res) > 0) {
            out->has_last = true;
            out->last_due_at = cxm__pg_int(res, 0, 0);
        }
        PQclear(res);
    }
    a[1] = CXM__PG_I(day_from);
    a[2] = CXM__PG_I(day_to);
    return cxm__pg_run(st,
                       "SELECT count(*) FROM outbox WHERE workspace_id = $1"
                       " AND" LIVE_INVITE " AND due_at >= $2 AND due_at < $3",
                       a, 3, &out->day_count);
}

/* ---- The outbox. */

cxm_rc cxm__pg_outbox_put(cxm_store *st, const struct cxm__outbox_row *r,
                          int64_t *id_out)
{
    struct cxm__pg_arg a[18] = {
        CXM__PG_WS(st),
        CXM__PG_T(r->kind),
        CXM__PG_T(r->moment),
        CXM__PG_T(r->subject_id),
        CXM__PG_T(r->status),
        CXM__PG_T(r->reason),
        r->rule_id > 0 ? CXM__PG_I(r->rule_id) : CXM__PG_T(NULL),
        CXM__PG_T(r->invitation_id),
        CXM__PG_T(r->survey),
        CXM__PG_T(r->language),
        CXM__PG_T(r->channel),
        CXM__PG_T(r->recipient),
        CXM__PG_T(r->ticket_id),
        CXM__PG_T(r->customer_id),
        CXM__PG_T(r->agent_id),
        CXM__PG_T(r->team),
        CXM__PG_I(r->created_at),
        CXM__PG_I(r->due_at)};

    return cxm__pg_run(
        st,
        "INSERT INTO outbox (workspace_id, kind, moment, subject_id, status,"
        " reason, rule_id, invitation_id, survey, language, channel,"
        " recipient, ticket_id, customer_id, agent_id, team, created_at,"
        " due_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
        " $12, $13, $14, $15, $16, $17, $18) RETURNING message_id",
        a, 18, id_out);
}

/* The columns of a row of the outbox `o`. */
#define OUTBOX_COLS                                                           \
    "SELECT o.message_id, o.kind, o.moment, o.subject_id, o.status,"          \
    " o.reason, o.rule_id, o.invitation_id, o.survey, o.language,"            \
    " o.channel, o.recipient, o.ticket_id, o.customer_id, o.agent_id,"        \
    " o.team, o.created_at, o.due_at, o.attempts, o.claimed_at, o.sent_at,"   \
    " EXISTS (SELECT 1 FROM submissions b WHERE b.workspace_id ="             \
    "  o.workspace_id AND b.invitation_id = o.invitation_id"                  \
    "  AND b.held = 0)::int, o.opened_at"

struct outbox_ctx {
    cxm__outbox_fn fn;
    void *ud;
};

static cxm_rc outbox_row(const PGresult *res, int i, void *ctx)
{
    struct outbox_ctx *c = ctx;
    struct cxm__outbox_row r;

    r.id = cxm__pg_int(res, i, 0);
    r.kind = cxm__pg_text(res, i, 1);
    r.moment = cxm__pg_text(res, i, 2);
    r.subject_id = cxm__pg_text(res, i, 3);
    r.status = cxm__pg_text(res, i, 4);
    r.reason = cxm__pg_text(res, i, 5);
    r.rule_id = cxm__pg_int(res, i, 6);
    r.invitation_id = cxm__pg_text(res, i, 7);
    r.survey = cxm__pg_text(res, i, 8);
    r.language = cxm__pg_text(res, i, 9);
    r.channel = cxm__pg_text(res, i, 10);
    r.recipient = cxm__pg_text(res, i, 11);
    r.ticket_id = cxm__pg_text(res, i, 12);
    r.customer_id = cxm__pg_text(res, i, 13);
    r.agent_id = cxm__pg_text(res, i, 14);
    r.team = cxm__pg_text(res, i, 15);
    r.created_at = cxm__pg_int(res, i, 16);
    r.due_at = cxm__pg_int(res, i, 17);
    r.attempts = cxm__pg_int(res, i, 18);
    r.claimed_at = cxm__pg_int(res, i, 19);
    r.sent_at = cxm__pg_int(res, i, 20);
    r.answered = cxm__pg_int(res, i, 21) != 0;
    r.opened_at = cxm__pg_int(res, i, 22);
    return c->fn(&r, c->ud);
}

cxm_rc cxm__pg_outbox_claim(cxm_store *st, int64_t now, int64_t stale_before,
                            cxm__outbox_fn fn, void *ud, bool *found)
{
    struct outbox_ctx c = {fn, ud};
    struct cxm__pg_arg a[3] = {CXM__PG_WS(st), CXM__PG_I(now),
                               CXM__PG_I(stale_before)};

    *found = false;
    /* The row is locked until the claiming transaction ends; another
     * node's claim skips it, and once committed 'sending' it no longer
     * qualifies (read committed re-checks the row it would lock). */
    return cxm__pg_rows(
        st,
        "WITH o AS (UPDATE outbox SET status = 'sending',"
        " attempts = attempts + 1, claimed_at = $2"
        " WHERE workspace_id = $1 AND message_id = (SELECT message_id"
        "  FROM outbox WHERE workspace_id = $1 AND ((status = 'queued'"
        "  AND due_at <= $2) OR (status = 'sending' AND claimed_at < $3))"
        "  ORDER BY due_at, message_id LIMIT 1 FOR UPDATE SKIP LOCKED)"
        " RETURNING *) " OUTBOX_COLS " FROM o",
        a, 3, outbox_row, &c, found);
}

cxm_rc cxm__pg_outbox_update(cxm_store *st, int64_t id, const char *status,
                             const char *reason, int64_t due_at,
                             int64_t sent_at)
{
    struct cxm__pg_arg a[6] = {CXM__PG_WS(st),    CXM__PG_I(id),
                               CXM__PG_T(status), CXM__PG_T(reason),
                               CXM__PG_I(due_at), CXM__PG_I(sent_at)};

    return cxm__pg_run(
        st,
        "UPDATE outbox SET status = $3, reason = $4,"
        " due_at = CASE WHEN $5::bigint > 0 THEN $5::bigint ELSE due_at END,"
        " sent_at = CASE WHEN $6::bigint > 0 THEN $6::bigint ELSE sent_at END"
        " WHERE workspace_id = $1 AND message_id = $2",
        a, 6, NULL);
}

cxm_rc cxm__pg_outbox_scan(cxm_store *st, const char *status,
                           const char *ticket_id, cxm__outbox_fn fn, void *ud)
{
    struct outbox_ctx c = {fn, ud};
    struct cxm__pg_arg a[3] = {CXM__PG_WS(st), CXM__PG_T(status),
                               CXM__PG_T(ticket_id)};

    return cxm__pg_rows(st,
                        OUTBOX_COLS " FROM outbox o WHERE o.workspace_id = $1"
                                    " AND ($2::text IS NULL OR o.status = $2)"
                                    " AND ($3::text IS NULL"
                                    " OR o.ticket_id = $3)"
                                    " ORDER BY o.message_id",
                        a, 3, outbox_row, &c, NULL);
}

/* ---- Links and unsubscribes. */

cxm_rc cxm__pg_put_invitation_link(cxm_store *st, const char *invitation_id,
                                   const unsigned char *hash, size_t len,
                                   int64_t at_ms)
{
    char hex[CXM__PG_HEX_CAP];
    struct cxm__pg_arg a[4] = {CXM__PG_WS(st),
                               CXM__PG_T(cxm__pg_hex(hash, len, hex)),
                               CXM__PG_T(invitation_id), CXM__PG_I(at_ms)};

    if (!a[1].text)
        return CXM_EINVAL;
    return cxm__pg_run(st,
                       "INSERT INTO invitation_links (workspace_id,"
                       " token_hash, invitation_id, created_at)"
                       " VALUES ($1, $2::bytea, $3, $4)",
                       a, 4, NULL);
}

cxm_rc cxm__pg_put_unsubscribe(cxm_store *st, const char *invitation_id,
                               int64_t at_ms, bool *found)
{
    struct cxm__pg_arg a[3] = {CXM__PG_WS(st), CXM__PG_T(invitation_id),
                               CXM__PG_I(at_ms)};
    int64_t n = 0;
    cxm_rc rc = cxm__pg_changes(
        st,
        "INSERT INTO unsubscribes (workspace_id, customer_id, address, at)"
        " SELECT $1, c, a, $3 FROM (SELECT i.customer_id AS c,"
        "  (SELECT o.recipient FROM outbox o WHERE o.workspace_id = $1"
        "   AND o.invitation_id = $2 AND o.recipient IS NOT NULL"
        "   ORDER BY o.message_id DESC LIMIT 1) AS a"
        "  FROM invitations i WHERE i.workspace_id = $1"
        "  AND i.invitation_id = $2) AS u"
        " WHERE c IS NOT NULL OR a IS NOT NULL",
        a, 3, &n);

    *found = !rc && n > 0;
    return rc;
}

/* ---- Opened and bounced. */

cxm_rc cxm__pg_outbox_opened(cxm_store *st, const char *invitation_id,
                             int64_t at_ms)
{
    struct cxm__pg_arg a[3] = {CXM__PG_WS(st), CXM__PG_T(invitation_id),
                               CXM__PG_I(at_ms)};

    return cxm__pg_run(st,
                       "UPDATE outbox SET opened_at = $3 WHERE"
                       " workspace_id = $1 AND invitation_id = $2"
                       " AND opened_at IS NULL"
                       " AND status IN ('sent', 'bounced') AND sent_at <= $3",
                       a, 3, NULL);
}

cxm_rc cxm__pg_outbox_bounce(cxm_store *st, int64_t id, const char *recipient,
                             const char *reason, int64_t *n_out)
{
    struct cxm__pg_arg a[3] = {CXM__PG_WS(st), CXM__PG_I(id),
                               CXM__PG_T(recipient)};
    int64_t found = 0;
    cxm_rc rc;

    *n_out = 0;
    rc = cxm__pg_run(st,
                     "SELECT message_id FROM outbox WHERE workspace_id = $1"
                     " AND status IN ('sent', 'bounced')"
                     " AND (message_id = $2 OR ($2::bigint = 0"
                     " AND lower(recipient) = lower($3::text)))"
                     " ORDER BY sent_at DESC NULLS LAST, message_id DESC LIMIT 1",
                     a, 3, &found);
    if (rc || !found)
        return rc;
    a[1] = CXM__PG_I(found);
    a[2] = CXM__PG_T(reason);
    rc = cxm__pg_run(st,
                     "UPDATE outbox SET status = 'bounced', reason = $3"
                     " WHERE workspace_id = $1 AND message_id = $2",
                     a, 3, NULL);
    if (!rc)
        rc = cxm__pg_run(
            st,
            "UPDATE outbox SET status = 'skipped', reason = 'the invitation"
            " bounced' WHERE workspace_id = $1 AND kind = 'reminder'"
            " AND status = 'queued' AND invitation_id = (SELECT"
            " invitation_id FROM outbox WHERE workspace_id = $1"
            " AND message_id = $2)",
            a, 2, NULL);
    if (!rc)
        *n_out = 1;
    return rc;
}
