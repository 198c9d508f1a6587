/* SPDX-License-Identifier: MIT
 *
 * rowtest.c — a test engine (DSN "rowtest:PATH", built with
 * -DCXM_ROWTEST_ENGINE=ON, the default of a build with tests): the proof
 * that an engine written against struct cxm__store_ops answers every
 * report with no change to the report code and no derived form.
 *
 * It keeps the rows only. It stores them as the SQLite engine does (the
 * same file and schema, through that engine's row hooks), but keeps no
 * rollups and no column segments: rollup_flush, col_refresh and
 * import_end are NULL. Survey answers by group (answer_groups) are
 * pushed down to SQLite as one GROUP BY over the joined rows — the
 * breakdown's dimensions, survey, scale and score, and the UTC day (or,
 * in another zone, the instant) — so the report receives counts, not
 * answers. Not for use: it exists for the ctests that run the store-level
 * suites against it (tests/CMakeLists.txt, docs/architecture.md).
 */
#include "internal.h"

#include <string.h>

#include "sqlite_int.h"

/* ---- Rows: the SQLite engine's hooks --------------------------------- */

#define SQ cxm__sqlite_ops

static cxm_rc rt_put(cxm_store *st, cxm_kind kind,
                     const struct cxm__value *vals)
{
    return SQ.put(st, kind, vals);
}

static cxm_rc rt_put_rows(cxm_store *st, cxm_kind kind,
                          const struct cxm__value *vals, size_t n_rows)
{
    return SQ.put_rows(st, kind, vals, n_rows);
}

static cxm_rc rt_records_bound(cxm_store *st, cxm_kind kind, int64_t *out)
{
    return SQ.records_bound(st, kind, out);
}

static cxm_rc rt_time_range(cxm_store *st, bool *found, int64_t *min,
                            int64_t *max)
{
    return SQ.time_range(st, found, min, max);
}

static cxm_rc rt_scan_tickets(cxm_store *st, cxm__ticket_fn fn, void *ud)
{
    return SQ.scan_tickets(st, fn, ud);
}

static cxm_rc rt_scan_responses(cxm_store *st, int64_t from, int64_t to,
                                cxm__response_fn fn, void *ud)
{
    return SQ.scan_responses(st, from, to, fn, ud);
}

static cxm_rc rt_query(cxm_store *st, enum cxm__query id, int64_t from,
                       int64_t to, const char *agent, cxm__row_fn fn,
                       void *ud)
{
    return SQ.query(st, id, from, to, agent, fn, ud);
}

static cxm_rc rt_put_benchmark(cxm_store *st, const char *metric,
                               const char *label, double value,
                               int64_t at_ms)
{
    return SQ.put_benchmark(st, metric, label, value, at_ms);
}

static cxm_rc rt_remove_benchmarks(cxm_store *st, const char *metric,
                                   const char *label, int64_t *removed)
{
    return SQ.remove_benchmarks(st, metric, label, removed);
}

static cxm_rc rt_put_supplied(cxm_store *st, cxm_kind kind,
                              const char *column)
{
    return SQ.put_supplied(st, kind, column);
}

static cxm_rc rt_put_definitions(cxm_store *st, const char *settings,
                                 const char *set_by, const char *note,
                                 int64_t at_ms, int *version_out)
{
    return SQ.put_definitions(st, settings, set_by, note, at_ms,
                              version_out);
}

static cxm_rc rt_put_setting(cxm_store *st, const char *key,
                             const char *value, int64_t at_ms)
{
    return SQ.put_setting(st, key, value, at_ms);
}

/* ---- Answers by group: one GROUP BY ---------------------------------- */

/* The SQL of each dimension of an answer (SPEC §2 attribution). */
static const char *const adim_sql[CXM__ADIM_COUNT] = {
    [CXM__ADIM_AGENT] = CXM__SQ_ANSWER_AGENT,
    [CXM__ADIM_TEAM] = CXM__SQ_ANSWER_TEAM,
    [CXM__ADIM_CHANNEL] = CXM__SQ_ANSWER_CHANNEL,
    [CXM__ADIM_LANGUAGE] = CXM__SQ_ANSWER_LANGUAGE,
    [CXM__ADIM_TOPIC] = CXM__SQ_ANSWER_TOPIC,
    [CXM__ADIM_SURVEY] = "r.survey",
    [CXM__ADIM_SEGMENT] = "c.segment",
};

/* rating.agent ticket: the ticket's assignee, else the answer's own. */
#define TICKET_AGENT "coalesce(t.agent_id, " CXM__SQ_ANSWER_AGENT ")"

/* The first day (ms) of the UTC day of responded_at, negative ones too. */
#define UTC_DAY                                                            \
    "(r.responded_at - ((r.responded_at % 86400000) + 86400000) % 86400000)"

/* The columns, in this order: the CXM__ADIM_COUNT dimensions (NULL where
 * not grouped), survey, scale_min, scale_max, score, min(responded_at),
 * count(*), then with exclusions has_ticket, status, tags. */
static cxm_rc build_sql(const struct cxm__answer_query *q,
                        struct cxm__buf *sql)
{
    struct cxm__buf by = CXM__BUF_INIT(4096);
    cxm_rc rc = cxm__buf_adds(sql, "SELECT ");

    for (int d = 0; !rc && d < CXM__ADIM_COUNT; d++) {
        const char *e = d == CXM__ADIM_AGENT && q->agent == CXM__AGENT_TICKET
                            ? TICKET_AGENT
                            : adim_sql[d];
        bool grouped = (q->dims & (1u << d)) != 0;
        rc = cxm__buf_addf(sql, "%s, ", grouped ? e : "NULL");
        if (!rc && grouped)
            rc = cxm__buf_addf(&by, "%s, ", e);
    }
    if (!rc)
        rc = cxm__buf_adds(sql, "r.survey, r.scale_min, r.scale_max,"
                                " r.score, min(r.responded_at), count(*)");
    if (!rc && q->excluded)
        rc = cxm__buf_adds(sql, ", t.ticket_id IS NOT NULL, t.status,"
                                " t.tags");
    if (!rc)
        rc = cxm__buf_adds(sql, CXM__SQ_ANSWER_FROM(""));
    if (!rc && (q->dims & CXM__ADIMS_SEGMENT))
        rc = cxm__buf_adds(sql, " LEFT JOIN customers c"
                                " ON c.workspace_id = r.workspace_id"
                                " AND c.customer_id = "
                                CXM__SQ_ANSWER_CUSTOMER);
    if (!rc)
        rc = cxm__buf_addf(
            sql,
            " WHERE r.workspace_id = ?1 AND r.responded_at >= ?2"
            " AND r.responded_at < ?3 AND r.score IS NOT NULL"
            " AND r.survey IN ('csat', 'nps', 'ces')"
            " GROUP BY %sr.survey, r.scale_min, r.scale_max, r.score%s%s",
            by.data ? by.data : "",
            q->n_grains == 0 ? ""
            : q->zone        ? ", r.responded_at"
                             : ", " UTC_DAY,
            q->excluded ? ", t.ticket_id IS NOT NULL, t.status, t.tags"
                        : "");
    cxm__buf_release(&by);
    return rc;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

static cxm_rc rt_answer_groups(cxm_store *st,
                               const struct cxm__answer_query *q,
                               cxm__answer_group_fn fn, void *ud,
                               struct cxm__answer_how *how)
{
    struct cxm__buf sql = CXM__BUF_INIT(16384);
    sqlite3_stmt *s = NULL;
    const int c0 = CXM__ADIM_COUNT; /* the first column after the dims */
    int step = SQLITE_DONE;
    cxm_rc rc = build_sql(q, &sql);

    how->path = CXM__PATH_ROWS;
    if (!rc)
        rc = cxm__sq_prepare(st, sql.data, &s);
    cxm__buf_release(&sql);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_int64(s, 2, q->from);
    sqlite3_bind_int64(s, 3, q->to);
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        struct cxm__answer_group g;
        int64_t n = sqlite3_column_int64(s, c0 + 5);

        /* An answer about an excluded ticket is excluded with it. */
        if (q->excluded && sqlite3_column_int(s, c0 + 6) &&
            q->excluded(q->excluded_ud, col_text(s, c0 + 7),
                        col_text(s, c0 + 8)))
            continue;
        memset(&g, 0, sizeof(g));
        for (int d = 0; d < CXM__ADIM_COUNT; d++)
            g.dim[d] = col_text(s, d);
        g.survey = col_text(s, c0);
        g.dim[CXM__ADIM_SURVEY] = g.survey;
        g.scale_min = sqlite3_column_int(s, c0 + 1);
        g.scale_max = sqlite3_column_int(s, c0 + 2);
        g.lo = sqlite3_column_int(s, c0 + 3);
        g.at = sqlite3_column_int64(s, c0 + 4);
        g.n_bins = 1;
        g.hist = &n;
        rc = fn(&g, ud);
    }
    if (!rc && step != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

/* Rows only: no import_end, rollup_flush or col_refresh (nothing
 * derived). */
const struct cxm__store_ops cxm__rowtest_ops = {
    .name = "rowtest",
    CXM__SQ_CONN_OPS,
    .put = rt_put,
    .put_rows = rt_put_rows,
    .records_bound = rt_records_bound,
    .time_range = rt_time_range,
    .scan_tickets = rt_scan_tickets,
    .scan_responses = rt_scan_responses,
    .query = rt_query,
    .put_benchmark = rt_put_benchmark,
    .answer_groups = rt_answer_groups,
    .remove_benchmarks = rt_remove_benchmarks,
    .put_supplied = rt_put_supplied,
    .put_definitions = rt_put_definitions,
    .put_setting = rt_put_setting,
    CXM__SQ_KEPT_OPS,
};
