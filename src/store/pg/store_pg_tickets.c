/* SPDX-License-Identifier: MIT
 *
 * store_pg_tickets.c — ticket events and self-service sessions by group,
 * pushed down to the server (the ticket_groups and session_groups
 * hooks): one statement per request groups the tickets' events by the
 * breakdown's dimensions and time segment and hands back each group's
 * counts and, for art and frt, its durations (one array each), which the
 * engine adds here into the exact sums and the sketch the rows path
 * builds. No ticket row leaves the server.
 *
 * A ticket has up to four events, as in store_sqlite_tickets.c: created
 * (created, resolved at any time, escalated, complaint; the backlog's
 * +1), resolved (resolved, first-contact counts, with an agent, the
 * resolution time), first answered (the first response time) and closed
 * (max(created_at, resolved_at): the backlog's −1). The statement has
 * one branch per kind of event, each reading its timestamp's index
 * (ticket_sql()).
 *
 * Time: the segments of the period [from, to) cut at every bucket
 * boundary of the breakdown in the report's zone (as builder.c cuts
 * them), whose starts the statement receives as an array: each event
 * falls in the segment width_bucket() finds (0: before the period, the
 * backlog's steps only), and the group's `at` is its segment's start, in
 * every time bucket of the group. The server's time zone database plays
 * no part.
 */
#include "internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "msum.h"
#include "period.h"
#include "pg_rows.h"
#include "qsketch.h"

/* More segments than this: the rows. */
#define MAX_SEGMENTS 200000

/* SPEC timestamps have four-digit years: read as store_pg_rows.c does
 * (NULL stays NULL: greatest() and least() skip NULLs). */
#define READ_MIN INT64_C(-62167219200000)
#define READ_MAX INT64_C(253402300799999)
#define CLAMP(x)                                                           \
    "CASE WHEN " x " IS NOT NULL THEN least(greatest(" x                   \
    ", -62167219200000), 253402300799999) END"

#define TD(d) (1u << CXM__TDIM_##d)

/* The SQL of each dimension of a ticket (a ticket without a team takes
 * its agent's; its segment is its customer's). */
static const char *const tdim_sql[CXM__TDIM_COUNT] = {
    [CXM__TDIM_AGENT] = "t.agent_id",
    [CXM__TDIM_TEAM] = "coalesce(t.team, a.team)",
    [CXM__TDIM_CHANNEL] = "t.channel",
    [CXM__TDIM_TOPIC] = "t.topic",
    [CXM__TDIM_SEGMENT] = "c.segment",
};

/* The segments' starts over [from, to): every bucket boundary of q's
 * grains, as builder.c's make_segments() cuts the period. */
struct segs {
    int64_t *v;
    size_t n, cap;
};

static cxm_rc make_segs(const struct cxm__ticket_query *q, struct segs *out,
                        bool *ok)
{
    int64_t s = q->from;
    cxm_rc rc = CXM_OK;

    *ok = true;
    while (!rc && s < q->to) {
        int64_t e = q->to;
        for (size_t g = 0; g < q->n_grains; g++) {
            cxm_dim d = cxm__grain_dim(q->grain[g]);
            int64_t next = cxm__zbucket_next(q->zone, d,
                                             cxm__zbucket_start(q->zone, d, s));
            if (next < e)
                e = next;
        }
        if (out->n >= MAX_SEGMENTS || e <= s) {
            *ok = false;
            break;
        }
        rc = cxm__grow((void **)&out->v, &out->cap, out->n + 1,
                       sizeof(*out->v));
        if (!rc)
            out->v[out->n++] = s;
        s = e;
    }
    return rc;
}

/* The array literal of the segments' starts ("{s0,s1,…}"). */
static cxm_rc segs_literal(const struct segs *sg, struct cxm__buf *out)
{
    cxm_rc rc = cxm__buf_addc(out, '{');

    for (size_t i = 0; !rc && i < sg->n; i++)
        rc = cxm__buf_addf(out, "%s%" PRId64, i ? "," : "", sg->v[i]);
    if (!rc)
        rc = cxm__buf_addc(out, '}');
    return rc;
}

/* The dimensions' columns d0 … d4 ('' when missing or not grouped). */
static cxm_rc add_dims(unsigned dims, struct cxm__buf *sql)
{
    cxm_rc rc = CXM_OK;

    for (int d = 0; !rc && d < CXM__TDIM_COUNT; d++)
        rc = (dims & (1u << d))
                 ? cxm__buf_addf(sql, "coalesce(%s, '') AS d%d, ",
                                 tdim_sql[d], d)
                 : cxm__buf_addf(sql, "''::text AS d%d, ", d);
    return rc;
}

/* The tickets and what lends them their dimensions. */
static cxm_rc add_from(unsigned dims, struct cxm__buf *sql)
{
    cxm_rc rc = cxm__buf_adds(sql, " FROM tickets t");

    if (!rc && (dims & TD(TEAM)))
        rc = cxm__buf_adds(sql, " LEFT JOIN agents a"
                                " ON a.workspace_id = t.workspace_id"
                                " AND a.agent_id = t.agent_id");
    if (!rc && (dims & TD(SEGMENT)))
        rc = cxm__buf_adds(sql, " LEFT JOIN customers c"
                                " ON c.workspace_id = t.workspace_id"
                                " AND c.customer_id = t.customer_id");
    return rc;
}

/* The report's where ($5 … $9, one a ticket dimension: NULL, or the one
 * value kept): the tickets of other groups are left out. Every parameter
 * is named (a NULL one folds to true when the statement is planned). */
static cxm_rc add_where(const struct cxm__ticket_query *q,
                        struct cxm__buf *sql)
{
    cxm_rc rc = CXM_OK;

    for (int d = 0; !rc && d < CXM__TDIM_COUNT; d++)
        rc = (q->dims & (1u << d))
                 ? cxm__buf_addf(sql,
                                 " AND ($%d::text IS NULL"
                                 " OR coalesce(%s, '') = $%d)",
                                 5 + d, tdim_sql[d], 5 + d)
                 : cxm__buf_addf(sql, " AND $%d::text IS NULL", 5 + d);
    return rc;
}

/* One branch of the ticket statement: the tickets whose `col` is in the
 * period, grouped by the segment of their `at` (c, r or f: that column,
 * read as store_pg_rows.c reads it), with the aggregates a0 a1 a2. */
static cxm_rc add_branch(const struct cxm__ticket_query *q,
                         struct cxm__buf *sql, const char *at,
                         const char *col, const char *a0, const char *a1,
                         const char *a2)
{
    cxm_rc rc = cxm__buf_addf(sql,
                              "SELECT d0, d1, d2, d3, d4,"
                              " width_bucket(x.%s, $4::bigint[]) AS b,"
                              " %s%s%s FROM (SELECT ",
                              at, a0, a1, a2);

    if (!rc)
        rc = add_dims(q->dims, sql);
    if (!rc)
        rc = cxm__buf_adds(
            sql,
            CLAMP("t.created_at") " AS c, " CLAMP("t.resolved_at") " AS r,"
            " " CLAMP("t.first_response_at") " AS f,"
            " (t.contacts IS NULL OR t.contacts = 1)"
            " AND coalesce(t.reopened, 0) = 0 AS fcr,"
            " t.replies, t.escalated, t.complaint, t.agent_id");
    if (!rc)
        rc = add_from(q->dims, sql);
    if (!rc)
        rc = cxm__buf_addf(sql,
                           " WHERE t.workspace_id = $1 AND t.%s >= $2"
                           " AND t.%s < $3",
                           col, col);
    if (!rc)
        rc = add_where(q, sql);
    if (!rc)
        rc = cxm__buf_adds(sql, ") x GROUP BY d0, d1, d2, d3, d4, b");
    return rc;
}

/* The backlog's steps before the period: the tickets open at `from`. */
static cxm_rc add_before(const struct cxm__ticket_query *q,
                         struct cxm__buf *sql)
{
    cxm_rc rc = cxm__buf_adds(sql, " UNION ALL SELECT ");

    if (!rc)
        rc = add_dims(q->dims, sql);
    if (!rc)
        rc = cxm__buf_adds(
            sql,
            "0, 0, 0, 0, 0, 0, 0, 0, 0, count(*), 0, NULL::bigint[],"
            " NULL::bigint[]");
    if (!rc)
        rc = add_from(q->dims, sql);
    if (!rc)
        rc = cxm__buf_adds(sql, " WHERE t.workspace_id = $1"
                                " AND t.created_at < $2"
                                " AND (t.resolved_at IS NULL"
                                " OR t.resolved_at >= $2)");
    if (!rc)
        rc = add_where(q, sql);
    if (!rc)
        rc = cxm__buf_adds(sql, " GROUP BY d0, d1, d2, d3, d4");
    return rc;
}

/* The ticket statement: $1 workspace, $2 from, $3 to, $4 the segments'
 * starts, $5 … $9 the where (add_where()). Columns: d0 … d4, the segment (0: before the period), created,
 * created_resolved, escalated, complaints, resolved, fcr, fcr_touch,
 * with_agent, opened, closed, the resolution times and the first
 * response times (ms; arrays, NULL when none or not wanted).
 *
 * One branch per kind of event, each reading the tickets with that event
 * in the period by its timestamp's index and grouping them by the
 * segment of that event: created (with the closings at created_at, a
 * ticket resolved before it was created), resolved (with the closings at
 * resolved_at) and, with frt, first answered. A group may so come in up
 * to three rows, which the report adds up. The period lies within the
 * readable timestamps (cxm__pg_ticket_groups()), so an event is in it
 * exactly when its raw timestamp is. The backlog's steps before the
 * period add up, per group, to the tickets open at `from` (created
 * before it and not closed before it: closing at max(created_at,
 * resolved_at), not resolved before it), handed back as that many opened
 * in segment 0 (the report reads only opened − closed); the index of
 * resolved_at finds them (IS NULL, or from on). */
static cxm_rc ticket_sql(const struct cxm__ticket_query *q,
                         struct cxm__buf *sql)
{
    const char *closed_c = q->want_backlog
                               ? "count(*) FILTER (WHERE x.c > x.r)"
                               : "0";
    const char *closed_r = q->want_backlog
                               ? "count(*) FILTER (WHERE x.c <= x.r)"
                               : "0";
    cxm_rc rc = add_branch(
        q, sql, "c", "created_at",
        "count(*), count(*) FILTER (WHERE x.r IS NOT NULL),"
        " count(*) FILTER (WHERE x.escalated <> 0),"
        " count(*) FILTER (WHERE x.complaint <> 0), 0, 0, 0, 0, count(*), ",
        closed_c, ", NULL::bigint[], NULL::bigint[]");

    if (!rc)
        rc = cxm__buf_adds(sql, " UNION ALL ");
    if (!rc)
        rc = add_branch(
            q, sql, "r", "resolved_at",
            "0, 0, 0, 0, count(*), count(*) FILTER (WHERE x.fcr),"
            " count(*) FILTER (WHERE CASE WHEN x.replies IS NULL"
            " THEN x.fcr ELSE x.replies < 2 END),"
            " count(*) FILTER (WHERE x.agent_id IS NOT NULL), 0, ",
            closed_r,
            q->want_art ? ", array_agg(x.r - x.c), NULL::bigint[]"
                        : ", NULL::bigint[], NULL::bigint[]");
    if (!rc && q->want_frt)
        rc = cxm__buf_adds(sql, " UNION ALL ");
    if (!rc && q->want_frt)
        rc = add_branch(q, sql, "f", "first_response_at",
                        "0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL::bigint[],", "",
                        " array_agg(x.f - x.c)");
    if (rc || !q->want_backlog)
        return rc;
    return add_before(q, sql);
}

/* Adds the durations of an array's text ("{1,2,3}", ms) to ms and, as
 * seconds, to sk; false when it is not one. */
static bool add_durations(const char *s, struct cxm__msum *ms,
                          struct cxm__qsketch *sk, cxm_rc *rc)
{
    char *end;

    if (*s++ != '{')
        return false;
    if (*s == '}')
        return true;
    for (;;) {
        long long v = strtoll(s, &end, 10);
        if (end == s)
            return false;
        *rc = cxm__qsketch_add(sk, (double)v / 1e3);
        if (*rc)
            return true;
        cxm__msum_add(ms, (int64_t)v);
        if (*end == '}')
            return end[1] == '\0';
        if (*end != ',')
            return false;
        s = end + 1;
    }
}

struct tickets_scan {
    const struct cxm__ticket_query *q;
    const struct segs *segs;
    cxm__ticket_group_fn fn;
    void *ud;
    bool bad; /* a row not in the form asked for */
};

static cxm_rc ticket_row(const PGresult *res, void *ud)
{
    struct tickets_scan *s = ud;
    struct cxm__ticket_group g;
    struct cxm__msum art_ms = {0, 0, 0}, frt_ms = {0, 0, 0};
    struct cxm__qsketch art = CXM__QSKETCH_INIT, frt = CXM__QSKETCH_INIT;
    int64_t c[10] = {0}, b = -1;
    const char *a;
    cxm_rc rc = CXM_OK;

    memset(&g, 0, sizeof(g));
    for (int d = 0; d < CXM__TDIM_COUNT; d++)
        g.dim[d] = PQgetvalue(res, 0, d);
    if (!cxm__pg_i64(res, 0, 5, &b) || b < 0 || (size_t)b > s->segs->n) {
        s->bad = true;
        return CXM_ESTORE;
    }
    for (int k = 0; k < 10; k++)
        cxm__pg_i64(res, 0, 6 + k, &c[k]);
    g.in_period = b > 0;
    g.at = b > 0 ? s->segs->v[b - 1] : s->q->from - 1;
    g.opened = c[8];
    g.closed = c[9];
    if (g.in_period) {
        g.created = c[0];
        g.created_resolved = c[1];
        g.escalated = c[2];
        g.complaints = c[3];
        g.resolved = c[4];
        g.fcr = c[5];
        g.fcr_touch = c[6];
        g.with_agent = c[7];
        if (s->q->want_art && (a = cxm__pg_text(res, 0, 16)) != NULL &&
            !add_durations(a, &art_ms, &art, &rc))
            s->bad = true;
        if (!rc && s->q->want_frt && (a = cxm__pg_text(res, 0, 17)) != NULL &&
            !add_durations(a, &frt_ms, &frt, &rc))
            s->bad = true;
        g.art_ms = art_ms.n ? &art_ms : NULL;
        g.frt_ms = frt_ms.n ? &frt_ms : NULL;
        g.art = cxm__qsketch_count(&art) ? &art : NULL;
        g.frt = cxm__qsketch_count(&frt) ? &frt : NULL;
    }
    if (!rc && s->bad)
        rc = CXM_ESTORE;
    if (!rc)
        rc = s->fn(&g, s->ud);
    cxm__qsketch_release(&art);
    cxm__qsketch_release(&frt);
    return rc;
}

/* One grouped statement of q's kind: sql_of writes it ($1 the workspace,
 * $2 and $3 the period, $4 its segments), row takes each group. *served
 * false (nothing run) when q wants the rows or no period; true from the
 * first row handed over on. */
struct grouped {
    cxm_rc (*sql_of)(const struct cxm__ticket_query *q, struct cxm__buf *sql);
    cxm__pg_row_fn row;
    const char *bad_form; /* st's error when a row is not in its form */
    bool where;           /* the statement names q->where: $5 … $9 */
};

static cxm_rc run_grouped(cxm_store *st, const struct cxm__ticket_query *q,
                          const struct grouped *how, cxm__ticket_group_fn fn,
                          void *ud, bool *served)
{
    struct cxm__buf sql = CXM__BUF_INIT(1u << 16);
    struct cxm__buf lit = CXM__BUF_INIT((size_t)1 << 24);
    struct segs sg = {NULL, 0, 0};
    struct tickets_scan s = {q, &sg, fn, ud, false};
    struct cxm__pg_arg args[4 + CXM__TDIM_COUNT];
    int n_args = 4;
    bool ok = false;
    cxm_rc rc;

    *served = false;
    if (q->read == CXM_READ_ROWS || q->from >= q->to)
        return CXM_OK;
    rc = make_segs(q, &sg, &ok);
    if (!rc && ok)
        rc = cxm__pg_staged_in(st);
    if (!rc && ok)
        rc = segs_literal(&sg, &lit);
    if (!rc && ok)
        rc = how->sql_of(q, &sql);
    if (!rc && ok) {
        args[0] = CXM__PG_WS(st);
        args[1] = CXM__PG_I(q->from);
        args[2] = CXM__PG_I(q->to);
        args[3] = CXM__PG_T((const char *)lit.data);
        for (int d = 0; how->where && d < CXM__TDIM_COUNT; d++)
            args[n_args++] = CXM__PG_T(q->where[d]);
        /* Handing over begins with the first row: served either way. */
        *served = true;
        rc = cxm__pg_each(st, (const char *)sql.data, args, n_args,
                          how->row, &s);
    }
    if (rc == CXM_ESTORE && s.bad)
        cxm__store_set_error(st, how->bad_form);
    cxm__free(sg.v);
    cxm__buf_release(&sql);
    cxm__buf_release(&lit);
    return rc;
}

cxm_rc cxm__pg_ticket_groups(cxm_store *st, const struct cxm__ticket_query *q,
                             cxm__ticket_group_fn fn, void *ud, bool *served,
                             const char **detail)
{
    static const struct grouped how = {
        ticket_sql, ticket_row,
        "PostgreSQL answered the ticket events by group in a form cxmeter"
        " does not read",
        true};
    cxm_rc rc = CXM_OK;

    /* Within (READ_MIN, READ_MAX] an event is in the period exactly when
     * its raw timestamp is, as each branch of ticket_sql() asks; a period
     * reaching past it: the rows. */
    *served = false;
    if (q->from > READ_MIN && q->to <= READ_MAX)
        rc = run_grouped(st, q, &how, fn, ud, served);
    *detail = *served ? CXM__TICKETS_PUSHDOWN : NULL;
    return rc;
}

/* ---- Self-service sessions --------------------------------------------- */

static cxm_rc session_row(const PGresult *res, void *ud)
{
    struct tickets_scan *s = ud;
    struct cxm__ticket_group g;
    int64_t b = -1;

    memset(&g, 0, sizeof(g));
    for (int d = 0; d < CXM__TDIM_COUNT; d++)
        g.dim[d] = "";
    g.dim[CXM__TDIM_TOPIC] = PQgetvalue(res, 0, 0);
    g.dim[CXM__TDIM_SEGMENT] = PQgetvalue(res, 0, 1);
    if (!cxm__pg_i64(res, 0, 2, &b) || b < 1 || (size_t)b > s->segs->n) {
        s->bad = true;
        return CXM_ESTORE;
    }
    g.at = s->segs->v[b - 1];
    g.in_period = true;
    cxm__pg_i64(res, 0, 3, &g.sessions);
    cxm__pg_i64(res, 0, 4, &g.sessions_resolved);
    return s->fn(&g, s->ud);
}

/* Sessions started in the period by topic, segment and time segment. */
static cxm_rc session_sql(const struct cxm__ticket_query *q,
                          struct cxm__buf *sql)
{
    bool seg = (q->dims & TD(SEGMENT)) != 0;

    return cxm__buf_addf(
        sql,
        "SELECT %s, %s, width_bucket(s.started_at, $4::bigint[]) AS b,"
        " count(*), count(*) FILTER (WHERE s.resolved <> 0)"
        " FROM selfservice s%s"
        " WHERE s.workspace_id = $1 AND s.started_at >= $2"
        " AND s.started_at < $3 GROUP BY 1, 2, b",
        (q->dims & TD(TOPIC)) ? "coalesce(s.topic, '')" : "''::text",
        seg ? "coalesce(c.segment, '')" : "''::text",
        seg ? " LEFT JOIN customers c ON c.workspace_id = s.workspace_id"
              " AND c.customer_id = s.customer_id"
            : "");
}

cxm_rc cxm__pg_session_groups(cxm_store *st,
                              const struct cxm__ticket_query *q,
                              cxm__ticket_group_fn fn, void *ud,
                              bool *served)
{
    static const struct grouped how = {
        session_sql, session_row,
        "PostgreSQL answered the self-service sessions by group in a form"
        " cxmeter does not read",
        false};

    return run_grouped(st, q, &how, fn, ud, served);
}
