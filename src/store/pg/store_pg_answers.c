/* SPDX-License-Identifier: MIT
 *
 * store_pg_answers.c — survey answers by group, pushed down to the
 * server (the answer_groups hook): one statement groups the joined
 * answers by the breakdown's dimensions, survey, scale and time bucket
 * and hands back, for each group, a histogram of its scores (the scores
 * and their counts as two arrays) and the earliest instant in it. No
 * answer leaves the server; the report merges the histograms as it
 * merges the SQLite engine's rollup cells.
 *
 * Time: the buckets of the breakdown's finest grain (a day when it has
 * several) in the report's zone, whose starts the report's own calendar
 * computes (period.h) and the statement receives as an array: each
 * answer falls in the bucket width_bucket() finds, so the server's time
 * zone database plays no part. Past CXM__PG_MAX_BUCKETS buckets, answers
 * are grouped by UTC day (UTC) or by instant (another zone), as the
 * row-only test engine groups them.
 *
 * A query the answer cells can answer (store_pg_cells.c) is read from
 * them instead, with the same columns and group_row().
 */
#include "internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "period.h"
#include "pg_rows.h"

#define CXM__PG_MAX_BUCKETS 200000
/* A group's scores span at most this many bins in one histogram; a wider
 * one is handed back a score at a time. */
#define CXM__PG_MAX_BINS 1024

/* The SQL of each dimension of an answer (SPEC §2 attribution). */
static const char *const adim_sql[CXM__ADIM_COUNT] = {
    [CXM__ADIM_AGENT] = CXM__PG_ANSWER_AGENT,
    [CXM__ADIM_TEAM] = CXM__PG_ANSWER_TEAM_JOINED,
    [CXM__ADIM_CHANNEL] = CXM__PG_ANSWER_CHANNEL,
    [CXM__ADIM_LANGUAGE] = CXM__PG_ANSWER_LANGUAGE,
    [CXM__ADIM_TOPIC] = CXM__PG_ANSWER_TOPIC,
    [CXM__ADIM_SURVEY] = "r.survey",
    [CXM__ADIM_SEGMENT] = "c.segment",
};

/* rating.agent ticket: the ticket's assignee, else the answer's own. */
#define TICKET_AGENT "coalesce(t.agent_id, " CXM__PG_ANSWER_AGENT ")"

/* The first instant (ms) of the UTC day of responded_at. */
#define UTC_DAY                                                            \
    "(r.responded_at - ((r.responded_at % 86400000) + 86400000) % 86400000)"

/* The starts of the time buckets over [from, to) as an array literal
 * ("{s0,s1,…}") in `out`; false when there are too many. */
static bool bucket_starts(const struct cxm__answer_query *q,
                          struct cxm__buf *out, cxm_rc *rc)
{
    cxm_dim d = q->n_grains == 1 ? cxm__grain_dim(q->grain[0]) : CXM_BY_DAY;
    int64_t s = cxm__zbucket_start(q->zone, d, q->from);
    size_t n = 0;

    *rc = cxm__buf_addc(out, '{');
    while (!*rc && s < q->to) {
        if (++n > CXM__PG_MAX_BUCKETS)
            return false;
        *rc = cxm__buf_addf(out, "%s%" PRId64, n > 1 ? "," : "", s);
        s = cxm__zbucket_next(q->zone, d, s);
    }
    if (!*rc)
        *rc = cxm__buf_addc(out, '}');
    return true;
}

/* The statement: the inner query counts the answers by group, score and
 * bucket; the outer one gathers each group's scores into arrays. Its
 * columns, in this order: the CXM__ADIM_COUNT dimensions (NULL where not
 * grouped), survey, scale_min, scale_max, min(responded_at), the scores,
 * their counts, then with exclusions has_ticket, status, tags. `buckets`:
 * the time buckets are $4's (bucket_starts()). */
static cxm_rc build_sql(const struct cxm__answer_query *q, bool buckets,
                        struct cxm__buf *sql)
{
    struct cxm__buf by = CXM__BUF_INIT(1u << 14);
    const char *excl = q->excluded ? ", t.ticket_id IS NOT NULL AS has_t,"
                                     " t.status AS t_status, t.tags AS t_tags"
                                   : "";
    cxm_rc rc = cxm__buf_adds(sql, "SELECT ");

    for (int d = 0; !rc && d < CXM__ADIM_COUNT; d++)
        rc = cxm__buf_addf(sql, "d%d, ", d);
    if (!rc)
        rc = cxm__buf_addf(sql, "survey, scale_min, scale_max, min(at),"
                                " array_agg(score), array_agg(n)%s"
                                " FROM (SELECT ",
                           q->excluded ? ", has_t, t_status, t_tags" : "");
    for (int d = 0; !rc && d < CXM__ADIM_COUNT; d++) {
        const char *e = d == CXM__ADIM_AGENT && q->agent == CXM__AGENT_TICKET
                            ? TICKET_AGENT
                            : adim_sql[d];
        bool grouped = (q->dims & (1u << d)) != 0;
        rc = cxm__buf_addf(sql, "%s AS d%d, ", grouped ? e : "NULL::text",
                           d);
        if (!rc && grouped)
            rc = cxm__buf_addf(&by, "%s, ", e);
    }
    if (!rc)
        rc = cxm__buf_addf(
            sql,
            "r.survey, r.scale_min, r.scale_max, %s AS b, r.score,"
            " min(r.responded_at) AS at, count(*) AS n%s" CXM__PG_ANSWER_FROM,
            q->n_grains == 0 ? "0"
            : buckets        ? "width_bucket(r.responded_at, $4::bigint[])"
            : q->zone        ? "r.responded_at"
                             : UTC_DAY,
            excl);
    if (!rc && (q->dims & CXM__ADIMS_TEAM))
        rc = cxm__buf_adds(sql, CXM__PG_ANSWER_AGENTS);
    if (!rc && (q->dims & CXM__ADIMS_SEGMENT))
        rc = cxm__buf_adds(sql, " LEFT JOIN customers c"
                                " ON c.workspace_id = r.workspace_id"
                                " AND c.customer_id = "
                                CXM__PG_ANSWER_CUSTOMER);
    if (!rc)
        rc = cxm__buf_addf(
            sql,
            " WHERE r.workspace_id = $1 AND r.responded_at >= $2"
            " AND r.responded_at < $3 AND r.score IS NOT NULL"
            " AND r.survey IN ('csat', 'nps', 'ces')"
            " GROUP BY %sr.survey, r.scale_min, r.scale_max, b, r.score%s"
            ") g GROUP BY ",
            by.data ? by.data : "",
            q->excluded ? ", t.ticket_id IS NOT NULL, t.status, t.tags" : "");
    for (int d = 0; !rc && d < CXM__ADIM_COUNT; d++)
        rc = cxm__buf_addf(sql, "d%d, ", d);
    if (!rc)
        rc = cxm__buf_addf(sql, "survey, scale_min, scale_max, b%s",
                           q->excluded ? ", has_t, t_status, t_tags" : "");
    cxm__buf_release(&by);
    return rc;
}

/* The integers of an array's text ("{1,2,3}") into out[0..cap); their
 * number, or SIZE_MAX when it is not one. */
static size_t parse_ints(const char *s, int64_t *out, size_t cap)
{
    size_t n = 0;
    char *end;

    if (!s || *s++ != '{')
        return SIZE_MAX;
    if (*s == '}')
        return 0;
    for (;;) {
        if (n == cap)
            return SIZE_MAX;
        out[n++] = strtoll(s, &end, 10);
        if (end == s)
            return SIZE_MAX;
        if (*end == '}')
            return n;
        if (*end != ',')
            return SIZE_MAX;
        s = end + 1;
    }
}

struct answers_scan {
    const struct cxm__answer_query *q;
    cxm__answer_group_fn fn;
    void *ud;
    /* one group's scores and counts, and its histogram */
    int64_t *scores, *counts, *hist;
    size_t cap;
    cxm_rc rc; /* a failure of ours (not the callback's) */
};

static cxm_rc group_row(const PGresult *res, void *ud)
{
    struct answers_scan *s = ud;
    const int c0 = CXM__ADIM_COUNT; /* the first column after the dims */
    struct cxm__answer_group g;
    int64_t v = 0, lo, hi;
    size_t n, m;

    /* An answer about an excluded ticket is excluded with it. */
    if (s->q->excluded && strcmp(PQgetvalue(res, 0, c0 + 6), "t") == 0 &&
        s->q->excluded(s->q->excluded_ud, cxm__pg_text(res, 0, c0 + 7),
                       cxm__pg_text(res, 0, c0 + 8)))
        return CXM_OK;
    n = parse_ints(PQgetvalue(res, 0, c0 + 4), s->scores, s->cap);
    m = parse_ints(PQgetvalue(res, 0, c0 + 5), s->counts, s->cap);
    if (n != m || n == SIZE_MAX || n == 0)
        return s->rc = CXM_ESTORE;
    memset(&g, 0, sizeof(g));
    for (int d = 0; d < CXM__ADIM_COUNT; d++)
        g.dim[d] = cxm__pg_text(res, 0, d);
    g.survey = cxm__pg_text(res, 0, c0);
    g.dim[CXM__ADIM_SURVEY] = g.survey;
    cxm__pg_i64(res, 0, c0 + 1, &v);
    g.scale_min = (int)v;
    v = 0;
    cxm__pg_i64(res, 0, c0 + 2, &v);
    g.scale_max = (int)v;
    g.at = cxm__pg_read_int(res, 0, c0 + 3);
    lo = hi = s->scores[0];
    for (size_t i = 1; i < n; i++) {
        lo = s->scores[i] < lo ? s->scores[i] : lo;
        hi = s->scores[i] > hi ? s->scores[i] : hi;
    }
    if (hi - lo < CXM__PG_MAX_BINS) {
        g.lo = (int)lo;
        g.n_bins = (size_t)(hi - lo + 1);
        memset(s->hist, 0, g.n_bins * sizeof(*s->hist));
        for (size_t i = 0; i < n; i++)
            s->hist[s->scores[i] - lo] += s->counts[i];
        g.hist = s->hist;
        return s->fn(&g, s->ud);
    }
    for (size_t i = 0; i < n; i++) { /* scores far apart: one at a time */
        cxm_rc rc;
        g.lo = (int)s->scores[i];
        g.n_bins = 1;
        g.hist = &s->counts[i];
        rc = s->fn(&g, s->ud);
        if (rc)
            return rc;
        g.same_group = true;
    }
    return CXM_OK;
}

cxm_rc cxm__pg_answer_groups(cxm_store *st,
                             const struct cxm__answer_query *q,
                             cxm__answer_group_fn fn, void *ud,
                             struct cxm__answer_how *how)
{
    struct cxm__buf sql = CXM__BUF_INIT(1u << 16);
    struct cxm__buf starts = CXM__BUF_INIT((size_t)1 << 24);
    struct answers_scan s;
    bool buckets = false, cells = false;
    struct cxm__pg_arg args[4];
    cxm_rc rc = cxm__pg_staged_in(st);

    how->path = CXM__PATH_PUSHDOWN;
    how->detail = "postgresql push-down";
    if (!rc && q->n_grains > 0)
        buckets = bucket_starts(q, &starts, &rc);
    if (!rc)
        rc = build_sql(q, buckets, &sql);
    memset(&s, 0, sizeof(s));
    s.q = q;
    s.fn = fn;
    s.ud = ud;
    /* A group's distinct scores: within its scale, which an import
     * checks; room for any number all the same. */
    s.cap = 1u << 16;
    s.scores = rc ? NULL : cxm__calloc(s.cap, sizeof(*s.scores));
    s.counts = s.scores ? cxm__calloc(s.cap, sizeof(*s.counts)) : NULL;
    s.hist = s.counts ? cxm__calloc(CXM__PG_MAX_BINS, sizeof(*s.hist))
                      : NULL;
    if (!rc && !s.hist)
        rc = CXM_ENOMEM;
    if (!rc)
        rc = cxm__pg_cell_groups(st, q, buckets ? starts.data : NULL, &cells,
                                 &how->detail, group_row, &s);
    if (cells) {
        how->path = CXM__PATH_ROLLUPS;
    } else if (!rc) {
        args[0] = CXM__PG_WS(st);
        args[1] = CXM__PG_I(q->from);
        args[2] = CXM__PG_I(q->to);
        args[3] = CXM__PG_T(starts.data);
        rc = cxm__pg_each(st, sql.data, args, buckets ? 4 : 3, group_row,
                          &s);
    }
    if (rc == CXM_ESTORE && s.rc)
        cxm__store_set_error(st, "PostgreSQL answered the survey answers"
                                 " by group in a form cxmeter does not"
                                 " read");
    cxm__free(s.scores);
    cxm__free(s.counts);
    cxm__free(s.hist);
    cxm__buf_release(&sql);
    cxm__buf_release(&starts);
    return rc;
}
