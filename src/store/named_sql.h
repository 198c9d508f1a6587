/* SPDX-License-Identifier: MIT
 *
 * named_sql.h — private: the named queries of store_int.h (enum
 * cxm__query) in the SQL both engines speak, one text each: the SQLite
 * engine (store_sqlite.c) and the PostgreSQL engine (store_pg_rows.c)
 * build their tables from CXM__NAMED_SQL.
 *
 * What the dialects share, and why it is written so:
 * - The workspace is `$1`: PostgreSQL's numbered parameter, and in
 *   SQLite a named parameter whose index is 1, the first one of each
 *   statement. A query marked `period` also takes the period [from, to)
 *   as `$2` and `$3`; the others take the workspace only.
 * - Booleans and literals are cast with CAST(… AS INTEGER | TEXT), which
 *   both accept (PostgreSQL's booleans are not integers).
 * - A UNION ALL of ordered, limited selects wraps each in
 *   `SELECT * FROM (…) AS e`, the only form both accept.
 * - Orders are total (a tie broken by the row's id), so both engines hand
 *   over the same rows in the same order.
 * What differs is a macro argument: `seq`, the column ordering a
 * workspace's benchmarks as they came (SQLite's rowid; PostgreSQL keeps a
 * seq column, having no rowid).
 */
#ifndef CXM_NAMED_SQL_H
#define CXM_NAMED_SQL_H

#include "store_int.h"

/* A named query and its column types (T text, I integer, R real), in
 * order. */
struct cxm__named_sql {
    const char *sql;
    const char *types;
    bool period; /* takes [from, to) as $2, $3 */
    bool agent;  /* takes an agent_id as $4 (and the period) */
};

/* CXM__Q_AGENT_HOURS(_OF): the hours of the period, `more` the
 * conditions past it. */
#define CXM__NQ_HOURS(more)                                               \
    "SELECT h.agent_id, a.team, h.date, h.hours FROM agent_hours h"        \
    " LEFT JOIN agents a"                                                  \
    "  ON a.workspace_id = h.workspace_id"                                 \
    "  AND a.agent_id = h.agent_id"                                        \
    " WHERE h.workspace_id = $1"                                           \
    "  AND h.date >= $2 AND h.date < $3" more

/* CXM__Q_QA's columns from q (qa_scores), t (its ticket), a (the ticket's
 * agent) and c (its customer); `id`: the ticket_id column, the order's
 * first key. */
#define CXM__NQ_QA_FROM(id)                                               \
    "SELECT coalesce(q.reviewed_at, t.resolved_at, t.created_at),"         \
    " q.score, q.max_score, t.agent_id, coalesce(t.team, a.team),"         \
    " t.channel, t.topic, c.segment, q.reviewer, " id " FROM qa_scores q"  \
    " LEFT JOIN tickets t ON t.workspace_id = q.workspace_id"              \
    "  AND t.ticket_id = q.ticket_id"                                      \
    " LEFT JOIN agents a"                                                  \
    "  ON a.workspace_id = t.workspace_id AND a.agent_id = t.agent_id"     \
    " LEFT JOIN customers c"                                               \
    "  ON c.workspace_id = t.workspace_id"                                 \
    "  AND c.customer_id = t.customer_id WHERE q.workspace_id = $1"
/* The scores whose time, coalesce(reviewed_at, the ticket's resolved_at,
 * its created_at), is in [$2, $3): those reviewed then, through
 * qa_reviewed (0022); and the unreviewed ones whose ticket's time is in
 * it, through qa_reviewed's NULLs (every unreviewed score: fewer than the
 * period's tickets unless most scores carry no reviewed_at). A score is
 * in one branch at most; one whose time is NULL (no reviewed_at, no
 * ticket) in none. By ticket_id and reviewer, the key: the second
 * branch's `|| ''` keeps SQLite from walking every score in key order
 * instead of sorting its few. */
#define CXM__NQ_QA                                                        \
    CXM__NQ_QA_FROM("q.ticket_id")                                         \
    "  AND q.reviewed_at >= $2 AND q.reviewed_at < $3"                     \
    " UNION ALL " CXM__NQ_QA_FROM("q.ticket_id || ''")                     \
    "  AND q.reviewed_at IS NULL"                                          \
    "  AND coalesce(t.resolved_at, t.created_at) >= $2"                    \
    "  AND coalesce(t.resolved_at, t.created_at) < $3"                     \
    " ORDER BY 10, 9"

/* The CXM__EVENT_ENDS (6) first rows of `tab` by event timestamp `at`,
 * then its last: two selects of a UNION ALL. */
#define CXM__NQ_END(tab, id, at, dir)                                     \
    "SELECT * FROM (SELECT CAST('" tab "' AS TEXT), " id ", " at           \
    " FROM " tab " WHERE workspace_id = $1"                                \
    " ORDER BY " at dir ", " id dir " LIMIT 6) AS e"
_Static_assert(CXM__EVENT_ENDS == 6, "CXM__NQ_END's LIMIT is CXM__EVENT_ENDS");
#define CXM__NQ_ENDS(tab, id, at)                                         \
    CXM__NQ_END(tab, id, at, "") " UNION ALL "                             \
    CXM__NQ_END(tab, id, at, " DESC")

/* The table's initialiser; seq: the benchmarks' order of arrival. */
#define CXM__NAMED_SQL(seq)                                                \
    {                                                                      \
        [CXM__Q_CUSTOMERS] = {                                             \
            "SELECT customer_id, acquired_at, churned_at, segment"         \
            " FROM customers WHERE workspace_id = $1", "TIIT", false, false}, \
        [CXM__Q_ORDERS] = {                                                \
            "SELECT customer_id, ordered_at, amount, currency FROM orders" \
            " WHERE workspace_id = $1 ORDER BY customer_id, ordered_at",   \
            "TIRT", false, false},                                         \
        [CXM__Q_SELFSERVICE] = {                                           \
            "SELECT s.started_at, s.resolved, s.topic, c.segment,"         \
            " s.customer_id FROM selfservice s LEFT JOIN customers c"      \
            "  ON c.workspace_id = s.workspace_id"                         \
            "  AND c.customer_id = s.customer_id"                          \
            " WHERE s.workspace_id = $1", "IITTT", false, false},          \
        [CXM__Q_AGENTS] = {                                                \
            "SELECT agent_id, team, hired_at, left_at FROM agents"         \
            " WHERE workspace_id = $1", "TTII", false, false},             \
        [CXM__Q_AGENT_HOURS] = {                                           \
            CXM__NQ_HOURS("") " ORDER BY h.agent_id, h.date", "TTIR",      \
            true, false},                                                  \
        [CXM__Q_AGENT_HOURS_OF] = {                                        \
            CXM__NQ_HOURS("  AND h.agent_id = $4")                         \
            " ORDER BY h.agent_id, h.date", "TTIR", true, true},           \
        [CXM__Q_REVIEWS] = {                                               \
            "SELECT posted_at, rating, scale_max, source, language"        \
            " FROM reviews WHERE workspace_id = $1", "IRRTT", false, false}, \
        [CXM__Q_QA] = {CXM__NQ_QA, "IRRTTTTTTT", true, false},             \
        [CXM__Q_BENCHMARKS] = {                                            \
            "SELECT metric, label, value, set_at FROM benchmarks"          \
            " WHERE workspace_id = $1 ORDER BY set_at, " seq,              \
            "TTRI", false, false},                                         \
        [CXM__Q_DEFINITIONS] = {                                           \
            "SELECT version, set_at, set_by, note, settings"               \
            " FROM definitions WHERE workspace_id = $1 ORDER BY version",  \
            "IITTT", false, false},                                        \
        [CXM__Q_SCALES] = {                                                \
            "SELECT survey, scale_min, scale_max, count(*) FROM responses" \
            " WHERE workspace_id = $1"                                     \
            "  AND survey IN ('csat', 'nps', 'ces')"                       \
            "  AND scale_min IS NOT NULL AND scale_max IS NOT NULL"        \
            " GROUP BY survey, scale_min, scale_max"                       \
            " ORDER BY survey, scale_min, scale_max", "TIII", false, false}, \
        [CXM__Q_SETTINGS] = {                                              \
            "SELECT key, value FROM settings WHERE workspace_id = $1"      \
            " ORDER BY key", "TT", false, false},                          \
        [CXM__Q_EVENT_ENDS] = {                                            \
            CXM__NQ_ENDS("tickets", "ticket_id", "created_at")             \
            " UNION ALL "                                                  \
            CXM__NQ_ENDS("responses", "response_id", "responded_at")       \
            " UNION ALL "                                                  \
            CXM__NQ_ENDS("selfservice", "session_id", "started_at")        \
            " UNION ALL "                                                  \
            CXM__NQ_ENDS("orders", "order_id", "ordered_at")               \
            " UNION ALL "                                                  \
            CXM__NQ_ENDS("reviews", "review_id", "posted_at"),             \
            "TTI", false, false},                                          \
        [CXM__Q_SUPPLIED] = {                                              \
            "SELECT kind, column_name FROM supplied_columns"               \
            " WHERE workspace_id = $1", "TT", false, false},               \
        [CXM__Q_INVITATIONS] = {                                           \
            "SELECT o.sent_at, CAST(EXISTS (SELECT 1 FROM submissions b"   \
            "  WHERE b.workspace_id = o.workspace_id"                      \
            "  AND b.invitation_id = o.invitation_id AND b.held = 0)"      \
            "  AS INTEGER),"                                               \
            " o.survey, o.channel, o.language, o.agent_id, o.team,"        \
            " CAST(t.ticket_id IS NOT NULL AS INTEGER), t.status, t.tags"  \
            " FROM outbox o"                                               \
            " LEFT JOIN tickets t ON t.workspace_id = o.workspace_id"      \
            "  AND t.ticket_id = o.ticket_id"                              \
            " WHERE o.workspace_id = $1 AND o.kind = 'invite'"             \
            " AND o.status = 'sent'", "IITTTTTITT", false, false},         \
    }

#endif /* CXM_NAMED_SQL_H */
