/* SPDX-License-Identifier: MIT
 *
 * store_pg_cells.c — the PostgreSQL engine's answer cells (sql/0003-
 * cells.sql): per workspace, UTC day, cube, survey, scale and score, the
 * number of attributed answers, kept in the writes' own transactions.
 *
 * Writing: the triggers of 0003 and 0004 mark the UTC days whose answers
 * a statement may have changed (answers, tickets, agents); the recount
 * before every commit (cxm__pg_rollup_flush) deletes those days' day
 * cells and counts them again from the rows in one GROUPING SETS
 * statement, then moves the cells of those days' months by the day
 * cells' old and new counts (sql/0004: the days keep the agent × team
 * cube too; a month cell is the sum of its days' cells), under a
 * transaction advisory lock per workspace, so two writers never count
 * one day from different rows. A write costs its days' answers, not its
 * months' (docs/performance.md, "Cells by day").
 *
 * Reading (cxm__pg_cell_groups): a report whose dimensions a cube keeps,
 * in UTC, counting every answer under its own agent without exclusions,
 * with no answer in the parts of its first and last cell outside its
 * period, and no dirty day, is answered from the cells: months unless a
 * day or week breakdown needs days (as the SQLite engine's choice,
 * store_sqlite_answers.c, without its years); anything else pushes down
 * to the rows (store_pg_answers.c), as before.
 */
#include "internal.h"

#include <inttypes.h>
#include <string.h>

#include "period.h"
#include "pg_rows.h"

#define DAY_MS 86400000
#define DAY_MS_SQL "86400000"

/* The cubes (bits: agent 1, team 2, channel 4), cheapest first: reports
 * read days in all but the last, months in all, as in the SQLite engine
 * (the days keep the last too, since 0004: the months move by them). */
#define CUBE_AGENT 1u
#define CUBE_TEAM 2u
#define CUBE_CHANNEL 4u
static const unsigned cubes[] = {0, CUBE_CHANNEL, CUBE_TEAM,
                                 CUBE_TEAM | CUBE_CHANNEL,
                                 CUBE_AGENT | CUBE_TEAM};

/* The lock of a workspace's recount: pg_advisory_xact_lock(key, ws). */
#define CELLS_LOCK_KEY "1129793"

/* ---- Writing ----------------------------------------------------------- */

/* The dirty days of the workspace, taken: cxm_cells_days (day d). */
static const char take_days_sql[] =
    "WITH d AS (DELETE FROM answer_cells_dirty WHERE workspace_id = $1"
    " RETURNING day) INSERT INTO cxm_cells_days SELECT DISTINCT day FROM d";

/* The statements below take $1 the workspace, $2 and $3 the first and
 * the last day taken: bounds the planner sees (a write's few days are
 * few answers and few cells: index scans), where the join with the days
 * alone left it guessing a ninth of the table. */
#define CUBES "ANY ('{0,2,3,4,6}')"
#define IN_DAYS(col) " AND " col " >= $2::bigint AND " col " <= $3::bigint"
#define IN_MONTHS(col)                                                      \
    " AND " col " >= cxm_month_day($2::bigint)"                              \
    " AND " col " < cxm_next_month_day($3::bigint)"

/* The columns of a month cell's key in the temporary tables. */
#define DELTA_COLS                                                          \
    "cube smallint, m bigint, survey text COLLATE \"C\", smin bigint,"     \
    " smax bigint, ag text COLLATE \"C\", tm text COLLATE \"C\","          \
    " ch text COLLATE \"C\""
/* A cell's columns as answer_cells names them. */
#define CELL "cube, day, survey, scale_min, scale_max, agent_id, team, channel,"\
             " scores, counts"
/* Cells (rows r with CELL's columns) as cxm_cells_delta's rows: each
 * score of each cell under its month, its count signed by sign. */
#define DELTA(r, sign)                                                      \
    "SELECT " r ".cube, cxm_month_day(" r ".day), " r ".survey, "          \
    r ".scale_min, " r ".scale_max, " r ".agent_id, " r ".team, "           \
    r ".channel, s.score, " sign "s.n FROM " r ", unnest(" r ".scores, "   \
    r ".counts) AS s(score, n)"

/* The day cells of the days taken, dropped: into cxm_cells_delta, their
 * counts negated. */
#define DROP_DAYS                                                           \
    "DELETE FROM answer_cells c USING cxm_cells_days d"                     \
    " WHERE c.workspace_id = $1 AND c.grain = 0 AND c.cube = " CUBES        \
    " AND c.day = d.d" IN_DAYS("c.day")
static const char drop_days_sql[] =
    "WITH o AS (" DROP_DAYS " RETURNING " CELL ")"
    " INSERT INTO cxm_cells_delta " DELTA("o", "-");

/* The key of a cell but its time, in the grouping sets. */
#define KEY "day, sv, smin, smax, score"
/* The day cells of the days in cxm_cells_days, from the rows: the
 * answers by score in the inner query (GROUPING SETS: one per cube; the
 * agent × team cube too, which reports read from months only), each
 * cell's scores into arrays in the outer; into cxm_cells_delta too. */
#define COUNT_DAYS                                                          \
    "INSERT INTO answer_cells (workspace_id, grain, cube, day, survey,"     \
    " scale_min, scale_max, agent_id, team, channel, scores, counts)"       \
    " SELECT $1, 0, cube, day, sv, smin, smax, ag, tm, ch,"                 \
    "  array_agg(score ORDER BY score), array_agg(n ORDER BY score)"        \
    " FROM (SELECT (1 - GROUPING(ag))"                                      \
    "  + 2 * (1 - GROUPING(tm)) + 4 * (1 - GROUPING(ch)) AS cube,"          \
    "  day, sv, smin, smax, coalesce(ag, '') AS ag,"                        \
    "  coalesce(tm, '') AS tm, coalesce(ch, '') AS ch, score, count(*) AS n" \
    "  FROM (SELECT cxm_utc_day(r.responded_at) AS day,"                    \
    "   r.survey AS sv, coalesce(r.scale_min, 0) AS smin,"                  \
    "   coalesce(r.scale_max, 0) AS smax,"                                  \
    "   coalesce(" CXM__PG_ANSWER_AGENT ", '') AS ag,"                      \
    "   coalesce(" CXM__PG_ANSWER_TEAM_JOINED ", '') AS tm,"                \
    "   coalesce(" CXM__PG_ANSWER_CHANNEL ", '') AS ch, r.score"            \
    "   FROM responses r"                                                   \
    "   LEFT JOIN tickets t"                                                \
    "    ON t.workspace_id = r.workspace_id AND t.ticket_id = r.ticket_id"  \
    CXM__PG_ANSWER_AGENTS                                                   \
    "   WHERE r.workspace_id = $1"                                          \
    "    AND r.responded_at >= $2::bigint * " DAY_MS_SQL                    \
    "    AND r.responded_at < ($3::bigint + 1) * " DAY_MS_SQL               \
    "    AND cxm_utc_day(r.responded_at) IN (SELECT d FROM cxm_cells_days)" \
    "    AND r.score IS NOT NULL AND r.survey IN ('csat', 'nps', 'ces')) x" \
    "  GROUP BY GROUPING SETS ((" KEY "), (" KEY ", ch), (" KEY ", tm),"    \
    "   (" KEY ", tm, ch), (" KEY ", ag, tm))) g"                          \
    " GROUP BY cube, day, sv, smin, smax, ag, tm, ch"
static const char count_days_sql[] =
    "WITH i AS (" COUNT_DAYS " RETURNING " CELL ")"
    " INSERT INTO cxm_cells_delta " DELTA("i", "");

/* The month cells a changed count moved, per key (cube, month, survey,
 * scale, agent, team, channel): the net change of each score. */
#define MKEY "cube, m, survey, smin, smax, ag, tm, ch"
#define MOVED                                                               \
    "dn AS (SELECT " MKEY ", score, sum(n) AS n FROM cxm_cells_delta"        \
    " GROUP BY " MKEY ", score HAVING sum(n) <> 0),"                        \
    " k AS (SELECT DISTINCT " MKEY " FROM dn)"
#define MATCH                                                               \
    " c.workspace_id = $1 AND c.grain = 1 AND c.cube = k.cube"               \
    " AND c.day = k.m AND c.survey = k.survey AND c.scale_min = k.smin"     \
    " AND c.scale_max = k.smax AND c.agent_id = k.ag AND c.team = k.tm"     \
    " AND c.channel = k.ch" IN_MONTHS("c.day")

/* The new month cells of the keys moved: their cells' counts plus the
 * net change, scores whose count falls to 0 gone (a key with none left
 * has no row). */
static const char sum_months_sql[] =
    "WITH " MOVED " INSERT INTO cxm_cells_sums SELECT " MKEY ","
    " array_agg(score ORDER BY score), array_agg(n ORDER BY score)"
    " FROM (SELECT " MKEY ", score, sum(n) AS n FROM (SELECT " MKEY ","
    "  score, n FROM dn UNION ALL SELECT c.cube, c.day, c.survey,"
    "  c.scale_min, c.scale_max, c.agent_id, c.team, c.channel, s.score,"
    "  s.n FROM k JOIN answer_cells c ON" MATCH ","
    "  unnest(c.scores, c.counts) AS s(score, n)) u"
    "  GROUP BY " MKEY ", score HAVING sum(n) <> 0) t GROUP BY " MKEY;

/* The month cells of the keys moved, replaced by their new counts. */
static const char drop_months_sql[] =
    "WITH " MOVED " DELETE FROM answer_cells c USING k WHERE" MATCH;

static const char put_months_sql[] =
    "INSERT INTO answer_cells (workspace_id, grain, cube, day, survey,"
    " scale_min, scale_max, agent_id, team, channel, scores, counts)"
    " SELECT $1, 1, " MKEY ", scores, counts FROM cxm_cells_sums";

/* The first day of col's month is one of the days taken's (a bulk
 * recount's). */
#define TAKEN_MONTHS(col)                                                   \
    " AND " col " IN (SELECT DISTINCT cxm_month_day(d) FROM cxm_cells_days)"

/* A bulk recount's month cells: those of the days' months dropped, then
 * summed again from their day cells (a month cell is the sum of its day
 * cells: the invariant both ways keep). */
static const char drop_whole_months_sql[] =
    "DELETE FROM answer_cells c WHERE c.workspace_id = $1 AND c.grain = 1"
    " AND c.cube = " CUBES IN_MONTHS("c.day") TAKEN_MONTHS("c.day");

static const char sum_whole_months_sql[] =
    "INSERT INTO answer_cells (workspace_id, grain, cube, day, survey,"
    " scale_min, scale_max, agent_id, team, channel, scores, counts)"
    " SELECT $1, 1, " MKEY ", array_agg(score ORDER BY score),"
    " array_agg(n ORDER BY score)"
    " FROM (SELECT c.cube, cxm_month_day(c.day) AS m, c.survey,"
    "  c.scale_min AS smin, c.scale_max AS smax, c.agent_id AS ag,"
    "  c.team AS tm, c.channel AS ch, s.score, sum(s.n) AS n"
    "  FROM answer_cells c, unnest(c.scores, c.counts) AS s(score, n)"
    "  WHERE c.workspace_id = $1 AND c.grain = 0 AND c.cube = " CUBES
    IN_MONTHS("c.day") TAKEN_MONTHS("cxm_month_day(c.day)")
    "  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9 HAVING sum(s.n) <> 0) t"
    " GROUP BY " MKEY;

/* The statements of a recount after the days are taken, in order. A
 * few days (a write's): the month cells are moved by the day cells' old
 * and new counts, never counted from the rows nor summed over their
 * whole months. Many days (an import's): the signed counts of every
 * cell would outweigh the months, which are summed again from their day
 * cells. */
struct recount_step {
    const char *sql;
    size_t n_args; /* $1 the workspace, $2 and $3 the first and last day */
};
static const struct recount_step recount_few_sql[] = {
    {drop_days_sql, 3}, {count_days_sql, 3}, {sum_months_sql, 3},
    {drop_months_sql, 3}, {put_months_sql, 1}, {NULL, 0}};
static const struct recount_step recount_many_sql[] = {
    {DROP_DAYS, 3}, {COUNT_DAYS, 3}, {drop_whole_months_sql, 3},
    {sum_whole_months_sql, 3}, {NULL, 0}};
/* From this many days taken, the bulk way (about a month of them: the
 * one-month sum cost ~0.4 s where a few days' moves cost ~10 ms;
 * docs/performance.md, "Cells by day"). */
#define RECOUNT_MANY_DAYS 28

/* Recounts the day cells of the workspace's dirty days from the rows and
 * moves their months' cells by the change, in the open write
 * transaction. */
static cxm_rc cells_recount(cxm_store *st)
{
    struct cxm__pg_arg ws = CXM__PG_WS(st);
    int64_t dirty = 0, days = 0, first = 0, last = 0;
    cxm_rc rc = cxm__pg_run(st,
                            "SELECT EXISTS (SELECT 1 FROM answer_cells_dirty"
                            " WHERE workspace_id = $1)::int",
                            &ws, 1, &dirty);

    if (rc || !dirty)
        return rc;
    rc = cxm__pg_run(st,
                     "SELECT pg_advisory_xact_lock(" CELLS_LOCK_KEY
                     ", ($1::bigint % 2147483647)::integer)",
                     &ws, 1, NULL);
    /* The planner's guesses at these statements are poor: compiling
     * them (JIT) cost seconds and bought nothing. The count sorts and
     * hashes its answers: 64 MB at least keeps that off the disk. */
    if (!rc)
        rc = cxm__pg_exec(st, "SET LOCAL jit = off;"
                              " SELECT set_config('work_mem', '64MB', true)"
                              " WHERE pg_size_bytes(current_setting("
                              "'work_mem')) < 64 * 1024 * 1024;"
                              " CREATE TEMP TABLE IF NOT EXISTS"
                              " cxm_cells_days (d bigint PRIMARY KEY)"
                              " ON COMMIT DELETE ROWS;"
                              " CREATE TEMP TABLE IF NOT EXISTS"
                              " cxm_cells_delta (" DELTA_COLS ", score"
                              " bigint, n bigint) ON COMMIT DELETE ROWS;"
                              " CREATE TEMP TABLE IF NOT EXISTS"
                              " cxm_cells_sums (" DELTA_COLS ", scores"
                              " bigint[], counts bigint[])"
                              " ON COMMIT DELETE ROWS");
    if (!rc)
        rc = cxm__pg_run(st, take_days_sql, &ws, 1, NULL);
    if (!rc)
        rc = cxm__pg_run(st, "SELECT count(*) FROM cxm_cells_days", NULL, 0,
                         &days);
    if (!rc && days > 0)
        rc = cxm__pg_exec(st, "ANALYZE cxm_cells_days");
    if (!rc && days > 0)
        rc = cxm__pg_run(st, "SELECT min(d) FROM cxm_cells_days", NULL, 0,
                         &first);
    if (!rc && days > 0)
        rc = cxm__pg_run(st, "SELECT max(d) FROM cxm_cells_days", NULL, 0,
                         &last);
    const struct recount_step *step =
        days >= RECOUNT_MANY_DAYS ? recount_many_sql : recount_few_sql;
    for (; !rc && days > 0 && step->sql; step++) {
        struct cxm__pg_arg a[3] = {ws, CXM__PG_I(first), CXM__PG_I(last)};
        rc = cxm__pg_run(st, step->sql, a, step->n_args, NULL);
    }
    if (!rc)
        rc = cxm__pg_exec(st, "TRUNCATE cxm_cells_days, cxm_cells_delta,"
                              " cxm_cells_sums");
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

/* What the cells of one grain can give a query: the cube, and the cells'
 * first day and the day past the last. */
struct cells_plan {
    int grain; /* 0 days, 1 months */
    int cube;  /* -1: none */
    int64_t t0, t1;
};

/* The cube bits of q's dimensions, or -1 when one is in no cube or q
 * needs the rows (another zone, exclusions, the tickets' assignees). */
static int dims_of(const struct cxm__answer_query *q)
{
    int dims = 0;

    if (q->read != CXM_READ_AUTO || q->zone || q->from >= q->to ||
        q->excluded || q->agent != CXM__AGENT_RESPONSE)
        return -1;
    if (q->dims & (CXM__ADIMS_LANGUAGE | CXM__ADIMS_TOPIC |
                   CXM__ADIMS_SEGMENT))
        return -1;
    dims |= q->dims & CXM__ADIMS_AGENT ? (int)CUBE_AGENT : 0;
    dims |= q->dims & CXM__ADIMS_TEAM ? (int)CUBE_TEAM : 0;
    dims |= q->dims & CXM__ADIMS_CHANNEL ? (int)CUBE_CHANNEL : 0;
    return dims;
}

/* The cheapest cube of `grain` that keeps dims (the agent × team cube:
 * months only), or -1. */
static int cube_of(int grain, int dims)
{
    size_t n = CXM_ARRAY_LEN(cubes) - (grain == 0 ? 1 : 0);

    for (size_t i = 0; i < n; i++) {
        if ((cubes[i] & (unsigned)dims) == (unsigned)dims)
            return (int)cubes[i];
    }
    return -1;
}

/* The first UTC day (in days) at or before ms. */
static int64_t day_of(int64_t ms)
{
    return (ms - ((ms % DAY_MS) + DAY_MS) % DAY_MS) / DAY_MS;
}

/* Whether no answer lies in the parts of the first and last cell of p
 * outside [q->from, q->to) (the cells being current: no dirty day). */
static cxm_rc cells_fit(cxm_store *st, const struct cxm__answer_query *q,
                        const struct cells_plan *p, bool *fit)
{
    struct cxm__pg_arg a[5] = {
        CXM__PG_WS(st), CXM__PG_I(p->t0 * DAY_MS), CXM__PG_I(q->from),
        CXM__PG_I(q->to), CXM__PG_I(p->t1 * DAY_MS)};
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

/* The plan of q: months unless a day or week needs days, else days;
 * p->cube -1 when neither serves. */
static cxm_rc plan_cells(cxm_store *st, const struct cxm__answer_query *q,
                         struct cells_plan *p)
{
    int dims = dims_of(q);
    bool fine = false, fit = false;
    cxm_rc rc = CXM_OK;

    p->cube = -1;
    if (dims < 0)
        return CXM_OK;
    for (size_t i = 0; i < q->n_grains; i++)
        fine |= q->grain[i] == CXM__GRAIN_DAY || q->grain[i] == CXM__GRAIN_WEEK;
    for (int grain = fine ? 0 : 1; grain >= 0 && !rc; grain--) {
        cxm_dim cell = grain ? CXM_BY_MONTH : CXM_BY_DAY;
        p->grain = grain;
        p->cube = cube_of(grain, dims);
        p->t0 = day_of(cxm__bucket_start(cell, q->from));
        p->t1 = day_of(cxm__bucket_next(cell, cxm__bucket_start(cell,
                                                                q->to - 1)));
        if (p->cube < 0)
            continue;
        rc = cells_fit(st, q, p, &fit);
        if (!rc && fit)
            return CXM_OK;
        p->cube = -1;
    }
    return rc;
}

/* The statement over the cells, with the columns of store_pg_answers.c's
 * statement: $1 workspace, $2 from, $3 grain, $4 cube, $5 and $6 the
 * first cell's day and the day past the last, $7 the bucket starts. */
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
            "c.survey, c.scale_min, c.scale_max, %s AS b, s.score,"
            " greatest(min(c.day) * " DAY_MS_SQL ", $2) AS at,"
            " sum(s.n)::bigint AS n FROM answer_cells c,"
            " unnest(c.scores, c.counts) AS s(score, n)"
            " WHERE c.workspace_id = $1 AND c.grain = $3 AND c.cube = $4"
            " AND c.day >= $5 AND c.day < $6"
            " GROUP BY %sc.survey, c.scale_min, c.scale_max, b, s.score"
            ") g GROUP BY ",
            q->n_grains == 0 ? "0"
            : buckets ? "width_bucket(greatest(c.day * " DAY_MS_SQL
                        ", $2), $7::bigint[])"
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
                           const char **detail, cxm__pg_row_fn row_fn,
                           void *row_ud)
{
    struct cxm__buf sql = CXM__BUF_INIT(1u << 14);
    struct cells_plan p;
    cxm_rc rc = plan_cells(st, q, &p);

    *done = false;
    if (rc || p.cube < 0)
        return rc;
    rc = cells_sql(q, starts != NULL, &sql);
    if (!rc) {
        struct cxm__pg_arg a[7] = {
            CXM__PG_WS(st),   CXM__PG_I(q->from), CXM__PG_I(p.grain),
            CXM__PG_I(p.cube), CXM__PG_I(p.t0),   CXM__PG_I(p.t1),
            CXM__PG_T(starts)};
        *done = true;
        *detail = p.grain ? "months" : "days";
        rc = cxm__pg_each(st, sql.data, a, starts ? 7 : 6, row_fn, row_ud);
    }
    cxm__buf_release(&sql);
    return rc;
}
