/* SPDX-License-Identifier: MIT
 *
 * store_pg_cells.c — the PostgreSQL engine's answer cells (sql/0003-
 * cells.sql): per workspace, UTC day, cube, survey, scale and score, the
 * number of attributed answers, kept in the writes' own transactions.
 *
 * Writing: the triggers of 0003 mark the UTC days whose answers a
 * statement may have changed (answers, tickets, agents); the recount
 * before every commit (cxm__pg_rollup_flush) deletes those days' cells
 * and counts them again from the rows in one GROUPING SETS statement,
 * under a transaction advisory lock per workspace, so two writers never
 * count one day from different rows.
 *
 * Reading (cxm__pg_cell_groups): a report whose dimensions a cube keeps,
 * in UTC, counting every answer under its own agent without exclusions,
 * with no answer in the parts of its first and last day outside its
 * period, and no dirty day, is answered from the cells; anything else
 * pushes down to the rows (store_pg_answers.c), as before.
 */
#include "internal.h"

#include <inttypes.h>
#include <string.h>

#include "pg_rows.h"

#define DAY_MS 86400000
#define DAY_MS_SQL "86400000"

/* The cubes, as SQLite's day cubes and its agent × team month cube
 * (bits: agent 1, team 2, channel 4), cheapest first. */
#define CUBE_AGENT 1u
#define CUBE_TEAM 2u
#define CUBE_CHANNEL 4u
static const unsigned cubes[] = {0, CUBE_CHANNEL, CUBE_TEAM,
                                 CUBE_TEAM | CUBE_CHANNEL,
                                 CUBE_AGENT | CUBE_TEAM};

/* The lock of a workspace's recount: pg_advisory_xact_lock(key, ws). */
#define CELLS_LOCK_KEY "1129793"

/* ---- Writing ----------------------------------------------------------- */

static const char take_days_sql[] =
    "WITH d AS (DELETE FROM answer_cells_dirty WHERE workspace_id = $1"
    " RETURNING day) INSERT INTO cxm_cells_days SELECT DISTINCT day FROM d";

static const char drop_cells_sql[] =
    "DELETE FROM answer_cells c USING cxm_cells_days d"
    " WHERE c.workspace_id = $1 AND c.day = d.day";

/* The cells of the days in cxm_cells_days, from the rows. */
static const char count_cells_sql[] =
    "INSERT INTO answer_cells (workspace_id, cube, day, survey, scale_min,"
    " scale_max, agent_id, team, channel, score, n)"
    " SELECT $1, (1 - GROUPING(ag)) + 2 * (1 - GROUPING(tm))"
    "  + 4 * (1 - GROUPING(ch)), day, survey, smin, smax,"
    "  coalesce(ag, ''), coalesce(tm, ''), coalesce(ch, ''), score, count(*)"
    " FROM (SELECT cxm_utc_day(r.responded_at) AS day, r.survey,"
    "  coalesce(r.scale_min, 0) AS smin, coalesce(r.scale_max, 0) AS smax,"
    "  coalesce(" CXM__PG_ANSWER_AGENT ", '') AS ag,"
    "  coalesce(" CXM__PG_ANSWER_TEAM_JOINED ", '') AS tm,"
    "  coalesce(" CXM__PG_ANSWER_CHANNEL ", '') AS ch, r.score"
    "  FROM cxm_cells_days d JOIN responses r ON r.workspace_id = $1"
    "   AND r.responded_at >= d.day * " DAY_MS_SQL
    "   AND r.responded_at < (d.day + 1) * " DAY_MS_SQL
    "  LEFT JOIN tickets t"
    "   ON t.workspace_id = r.workspace_id AND t.ticket_id = r.ticket_id"
    CXM__PG_ANSWER_AGENTS
    "  WHERE r.score IS NOT NULL AND r.survey IN ('csat', 'nps', 'ces')) x"
    " GROUP BY GROUPING SETS ((day, survey, smin, smax, score),"
    "  (day, survey, smin, smax, score, ch),"
    "  (day, survey, smin, smax, score, tm),"
    "  (day, survey, smin, smax, score, tm, ch),"
    "  (day, survey, smin, smax, score, ag, tm))";

/* Recounts the cells of the workspace's dirty days, in the open write
 * transaction. */
static cxm_rc cells_recount(cxm_store *st)
{
    struct cxm__pg_arg ws = CXM__PG_WS(st);
    int64_t dirty = 0, days = 0;
    cxm_rc rc = cxm__pg_run(st,
                            "SELECT EXISTS (SELECT 1 FROM answer_cells_dirty"
                            " WHERE workspace_id = $1)::int",
                            &ws, 1, &dirty);

    if (rc || !dirty)
        return rc;
    rc = cxm__pg_run(st,
                     "SELECT pg_advisory_xact_lock(" CELLS_LOCK_KEY
                     ", ($1 % 2147483647)::integer)",
                     &ws, 1, NULL);
    if (!rc)
        rc = cxm__pg_exec(st, "CREATE TEMP TABLE IF NOT EXISTS cxm_cells_days"
                              " (day bigint PRIMARY KEY)"
                              " ON COMMIT DELETE ROWS");
    if (!rc)
        rc = cxm__pg_run(st, take_days_sql, &ws, 1, NULL);
    if (!rc)
        rc = cxm__pg_run(st, "SELECT count(*) FROM cxm_cells_days", NULL, 0,
                         &days);
    if (!rc && days > 0)
        rc = cxm__pg_exec(st, "ANALYZE cxm_cells_days");
    if (!rc && days > 0)
        rc = cxm__pg_run(st, drop_cells_sql, &ws, 1, NULL);
    if (!rc && days > 0)
        rc = cxm__pg_run(st, count_cells_sql, &ws, 1, NULL);
    if (!rc)
        rc = cxm__pg_exec(st, "TRUNCATE cxm_cells_days");
    return rc;
}

cxm_rc cxm__pg_rollup_flush(cxm_store *st)
{
    cxm_rc rc = cxm__pg_flush(st);

    if (!rc && !st->read_only)
        rc = cells_recount(st);
    return rc;
}

/* ---- Reading ----------------------------------------------------------- */

/* The cube of q, or -1 when the cells cannot answer it (before any look
 * at the store). */
static int cube_of(const struct cxm__answer_query *q)
{
    unsigned dims = 0;

    if (q->read != CXM_READ_AUTO || q->zone || q->from >= q->to ||
        q->excluded || q->agent != CXM__AGENT_RESPONSE)
        return -1;
    if (q->dims & (CXM__ADIMS_LANGUAGE | CXM__ADIMS_TOPIC |
                   CXM__ADIMS_SEGMENT))
        return -1;
    dims |= q->dims & CXM__ADIMS_AGENT ? CUBE_AGENT : 0;
    dims |= q->dims & CXM__ADIMS_TEAM ? CUBE_TEAM : 0;
    dims |= q->dims & CXM__ADIMS_CHANNEL ? CUBE_CHANNEL : 0;
    for (size_t i = 0; i < CXM_ARRAY_LEN(cubes); i++) {
        if ((cubes[i] & dims) == dims)
            return (int)cubes[i];
    }
    return -1;
}

/* The first UTC day (in days) at or before ms. */
static int64_t day_of(int64_t ms)
{
    return (ms - ((ms % DAY_MS) + DAY_MS) % DAY_MS) / DAY_MS;
}

/* Whether the cells are current (no dirty day) and no answer lies in
 * the parts of the first and last day outside [q->from, q->to). */
static cxm_rc cells_fit(cxm_store *st, const struct cxm__answer_query *q,
                        bool *fit)
{
    struct cxm__pg_arg a[5] = {
        CXM__PG_WS(st), CXM__PG_I(day_of(q->from) * DAY_MS),
        CXM__PG_I(q->from), CXM__PG_I(q->to),
        CXM__PG_I((day_of(q->to - 1) + 1) * DAY_MS)};
    int64_t bad = 1;
    cxm_rc rc = cxm__pg_run(
        st,
        "SELECT (EXISTS (SELECT 1 FROM answer_cells_dirty"
        " WHERE workspace_id = $1)"
        " OR EXISTS (SELECT 1 FROM responses WHERE workspace_id = $1"
        "  AND responded_at >= $2 AND responded_at < $3)"
        " OR EXISTS (SELECT 1 FROM responses WHERE workspace_id = $1"
        "  AND responded_at >= $4 AND responded_at < $5))::int",
        a, 5, &bad);

    *fit = !rc && !bad;
    return rc;
}

/* The statement over the cells, with the columns of store_pg_answers.c's
 * (cxm__pg_answer_sql()): $1 workspace, $2 from, $3 cube, $4 and $5 the
 * first day and the day past the last, $6 the bucket starts. */
static cxm_rc cells_sql(const struct cxm__answer_query *q, bool buckets,
                        struct cxm__buf *sql)
{
    static const char *const col[CXM__ADIM_COUNT] = {
        [CXM__ADIM_AGENT] = "c.agent_id", [CXM__ADIM_TEAM] = "c.team",
        [CXM__ADIM_CHANNEL] = "c.channel", [CXM__ADIM_SURVEY] = "c.survey"};
    struct cxm__buf by = CXM__BUF_INIT(1u << 12);
    cxm_rc rc = cxm__buf_adds(sql, "SELECT ");

    for (int d = 0; !rc && d < CXM__ADIM_COUNT; d++)
        rc = cxm__buf_addf(sql, "d%d, ", d);
    if (!rc)
        rc = cxm__buf_adds(sql, "survey, scale_min, scale_max, min(at),"
                                " array_agg(score), array_agg(n) FROM (SELECT ");
    for (int d = 0; !rc && d < CXM__ADIM_COUNT; d++) {
        bool grouped = (q->dims & (1u << d)) != 0 && col[d];
        rc = cxm__buf_addf(sql, "%s AS d%d, ", grouped ? col[d] : "NULL::text",
                           d);
        if (!rc && grouped)
            rc = cxm__buf_addf(&by, "%s, ", col[d]);
    }
    if (!rc)
        rc = cxm__buf_addf(
            sql,
            "c.survey, c.scale_min, c.scale_max, %s AS b, c.score,"
            " greatest(min(c.day) * " DAY_MS_SQL ", $2) AS at,"
            " sum(c.n)::bigint AS n FROM answer_cells c"
            " WHERE c.workspace_id = $1 AND c.cube = $3 AND c.day >= $4"
            " AND c.day < $5"
            " GROUP BY %sc.survey, c.scale_min, c.scale_max, b, c.score"
            ") g GROUP BY ",
            q->n_grains == 0 ? "0"
            : buckets ? "width_bucket(greatest(c.day * " DAY_MS_SQL
                        ", $2), $6::bigint[])"
                      : "c.day",
            by.data ? by.data : "");
    for (int d = 0; !rc && d < CXM__ADIM_COUNT; d++)
        rc = cxm__buf_addf(sql, "d%d, ", d);
    if (!rc)
        rc = cxm__buf_adds(sql, "survey, scale_min, scale_max, b");
    cxm__buf_release(&by);
    return rc;
}

cxm_rc cxm__pg_cell_groups(cxm_store *st, const struct cxm__answer_query *q,
                           const char *starts, bool *done,
                           cxm__pg_row_fn row_fn, void *row_ud)
{
    struct cxm__buf sql = CXM__BUF_INIT(1u << 14);
    int cube = cube_of(q);
    bool fit = false;
    cxm_rc rc;

    *done = false;
    if (cube < 0)
        return CXM_OK;
    rc = cells_fit(st, q, &fit);
    if (rc || !fit)
        return rc;
    rc = cells_sql(q, starts != NULL, &sql);
    if (!rc) {
        struct cxm__pg_arg a[6] = {
            CXM__PG_WS(st),          CXM__PG_I(q->from),
            CXM__PG_I(cube),         CXM__PG_I(day_of(q->from)),
            CXM__PG_I(day_of(q->to - 1) + 1), CXM__PG_T(starts)};
        *done = true;
        rc = cxm__pg_each(st, sql.data, a, starts ? 6 : 5, row_fn, row_ud);
    }
    cxm__buf_release(&sql);
    return rc;
}
