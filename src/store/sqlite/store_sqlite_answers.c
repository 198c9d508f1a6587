/* SPDX-License-Identifier: MIT
 *
 * store_sqlite_answers.c — the SQLite engine's answer groups (store_int.h,
 * answer_groups): which of the forms it keeps answers a query of survey
 * answers by group over a period — rollup cells (store_sqlite_rollup.c),
 * column segments (colscan.c) or the rows (src/store/answers.c) — and
 * reading it (docs/performance.md, "Rollups", "Column scan").
 */
#include "internal.h"

#include <string.h>

#include "civil.h"
#include "period.h"
#include "sqlite_int.h"

/* Whether no answer lies in [from, to) (an empty range: none). */
static cxm_rc no_answers(cxm_store *st, int64_t from, int64_t to, bool *none)
{
    bool any = false;
    cxm_rc rc = cxm__sq_responses_between(st, from, to, &any);

    *none = !any;
    return rc;
}

/* Which rollup cells answer a query: one cube, and the cells of up to
 * three spans of first days [from_t, to_t), each of one grain. */
struct rollup_plan {
    enum cxm__sq_cube cube; /* CXM__CUBE_NONE: no rollup serves */
    size_t n_spans;
    struct {
        enum cxm__sq_grain grain;
        int64_t from_t, to_t;
    } span[3];
    const char *cells; /* the grains read, for --explain */
};

/* How coarse the cells may be that a breakdown without a time dimension
 * finer than a month reads. */
enum coarse {
    COARSE_MONTHS,   /* months (a time dimension of months or quarters) */
    COARSE_YEARS,    /* whole years inside the period, months at its ends */
    COARSE_ALL_TIME  /* no time dimension: all-time cells may serve */
};

static void plan_span(struct rollup_plan *p, enum cxm__sq_grain grain,
                      int64_t from_ms, int64_t to_ms)
{
    if (from_ms >= to_ms)
        return;
    p->span[p->n_spans].grain = grain;
    p->span[p->n_spans].from_t = cxm__day_of_ms(from_ms);
    p->span[p->n_spans].to_t = cxm__day_of_ms(to_ms);
    p->n_spans++;
}

/* Month cells [first, end) (month starts, UTC), or coarser cells where a
 * breakdown without a time dimension finer than a year allows: the
 * all-time cells when no answer lies outside [first, end), else the years
 * inside it and the months at its ends. */
static cxm_rc plan_months(cxm_store *st, struct rollup_plan *p,
                          int64_t first, int64_t end, enum coarse coarse)
{
    int64_t y0, y1;
    bool none = false;
    cxm_rc rc;

    if (coarse == COARSE_ALL_TIME) {
        rc = no_answers(st, INT64_MIN, first, &none);
        if (!rc && none)
            rc = no_answers(st, end, INT64_MAX, &none);
        if (rc)
            return rc;
        if (none) {
            p->span[0].grain = CXM__SQ_GRAIN_ALL;
            p->span[0].from_t = 0;
            p->span[0].to_t = 1;
            p->n_spans = 1;
            p->cells = "all time";
            return CXM_OK;
        }
    }
    y0 = cxm__bucket_start(CXM_BY_YEAR, first);
    if (y0 < first)
        y0 = cxm__bucket_next(CXM_BY_YEAR, y0);
    y1 = cxm__bucket_start(CXM_BY_YEAR, end);
    if (coarse != COARSE_MONTHS && y0 < y1) {
        plan_span(p, CXM__SQ_GRAIN_MONTH, first, y0);
        plan_span(p, CXM__SQ_GRAIN_YEAR, y0, y1);
        plan_span(p, CXM__SQ_GRAIN_MONTH, y1, end);
        p->cells = p->n_spans > 1 ? "years and months" : "years";
        return CXM_OK;
    }
    plan_span(p, CXM__SQ_GRAIN_MONTH, first, end);
    p->cells = "months";
    return CXM_OK;
}

/* What a rollup cell costs a report, in answers of the column scan, and
 * what starting the scan costs (mapping the segment file, the
 * dictionaries), likewise; docs/performance.md has the measurements. */
#define CELL_COST_ANSWERS 200
#define SCAN_START_ANSWERS 500000

/* Whether the cells of p cost less than counting the answers of the
 * months of [q->from, q->to) in their column segments. The cells are
 * counted only up to the point where the scan wins. */
static cxm_rc cells_cheaper(cxm_store *st, const struct cxm__answer_query *q,
                            const struct rollup_plan *p, bool *cheaper)
{
    int64_t answers = 0, cells = 0, limit, n = 0;
    cxm_rc rc = cxm__sq_segment_answers(
        st, cxm__day_of_ms(cxm__bucket_start(CXM_BY_MONTH, q->from)),
        cxm__day_of_ms(q->to - 1) + 1, &answers);

    *cheaper = true;
    if (rc)
        return rc;
    limit = (answers + SCAN_START_ANSWERS) / CELL_COST_ANSWERS + 1;
    for (size_t i = 0; !rc && i < p->n_spans && cells < limit; i++) {
        rc = cxm__sq_rollup_cells(st, p->span[i].grain, p->cube,
                                  p->span[i].from_t, p->span[i].to_t,
                                  limit - cells, &n);
        cells += n;
    }
    *cheaper = cells < limit;
    return rc;
}

/* The cube bit of each dimension of a query; -1: in no cube. */
static const int adim_cube[CXM__ADIM_COUNT] = {
    [CXM__ADIM_AGENT] = CXM__CUBE_AGENT,
    [CXM__ADIM_TEAM] = CXM__CUBE_TEAM,
    [CXM__ADIM_CHANNEL] = CXM__CUBE_CHANNEL,
    [CXM__ADIM_LANGUAGE] = CXM__CUBE_LANGUAGE,
    [CXM__ADIM_TOPIC] = CXM__CUBE_TOPIC,
    [CXM__ADIM_SURVEY] = 0, /* every cell is of one survey */
    [CXM__ADIM_SEGMENT] = -1,
};

/* Whether the answers of [q->from, q->to) can be read from rollups, and
 * which: every dimension one a cube keeps, buckets in UTC (rollup cells
 * are UTC days, months and years), and no answer in the parts of the
 * first and last cell outside the period. Months (and years, and all
 * time: plan_months()) serve a breakdown without day or week; days serve
 * the rest, on fewer cubes; but not when the column scan would be
 * cheaper (cells_cheaper()). Else p->cube = CXM__CUBE_NONE. */
static cxm_rc choose_rollup(cxm_store *st, const struct cxm__answer_query *q,
                            struct rollup_plan *p)
{
    unsigned dims = 0;
    bool fine = false, none = false;
    enum coarse coarse = COARSE_ALL_TIME;
    cxm_rc rc = CXM_OK;

    memset(p, 0, sizeof(*p));
    p->cube = CXM__CUBE_NONE;
    if (q->read != CXM_READ_AUTO || q->zone || q->from >= q->to)
        return CXM_OK;
    /* Rollups count every answer under the answer's own agent: exclusions
     * and ticket-assignee attribution need the rows. */
    if (q->excluded || q->agent != CXM__AGENT_RESPONSE)
        return CXM_OK;
    for (int d = 0; d < CXM__ADIM_COUNT; d++) {
        if (!(q->dims & (1u << d)))
            continue;
        if (adim_cube[d] < 0)
            return CXM_OK; /* segment: not in a cube */
        dims |= (unsigned)adim_cube[d];
    }
    for (size_t i = 0; i < q->n_grains; i++) {
        switch (q->grain[i]) {
        case CXM__GRAIN_DAY:
        case CXM__GRAIN_WEEK: fine = true; break;
        case CXM__GRAIN_MONTH:
        case CXM__GRAIN_QUARTER: coarse = COARSE_MONTHS; break;
        case CXM__GRAIN_YEAR:
        case CXM__GRAIN_COUNT:
            if (coarse == COARSE_ALL_TIME)
                coarse = COARSE_YEARS;
            break;
        }
    }
    /* Months first unless a day or week needs days; days last. */
    for (int days = fine; days <= 1; days++) {
        enum cxm__sq_grain grain =
            days ? CXM__SQ_GRAIN_DAY : CXM__SQ_GRAIN_MONTH;
        cxm_dim cell = days ? CXM_BY_DAY : CXM_BY_MONTH;
        int64_t first = cxm__bucket_start(cell, q->from);
        int64_t end = cxm__bucket_next(cell, cxm__bucket_start(cell,
                                                               q->to - 1));
        enum cxm__sq_cube cube = CXM__CUBE_NONE;
        rc = cxm__sq_rollup_cube(st, grain, (enum cxm__sq_cube)dims, &cube);
        if (rc || cube == CXM__CUBE_NONE)
            continue;
        rc = no_answers(st, first, q->from, &none);
        if (!rc && none)
            rc = no_answers(st, q->to, end, &none);
        if (rc)
            return rc;
        if (!none)
            continue;
        p->cube = cube;
        if (!days) {
            rc = plan_months(st, p, first, end, coarse);
        } else {
            plan_span(p, CXM__SQ_GRAIN_DAY, first, end);
            p->cells = "days";
        }
        /* Many cells (day cells over a long period): the scan. */
        if (!rc)
            rc = cells_cheaper(st, q, p, &none);
        if (!rc && !none)
            p->cube = CXM__CUBE_NONE;
        return rc;
    }
    return rc;
}

/* The month cube of q's dimensions when q is filtered by agent, has no
 * time bucket and reads in UTC (the agent page's cards), and the whole
 * UTC months [*m0, *m1) of its period, in days; else CXM__CUBE_NONE. */
static cxm_rc agent_months(cxm_store *st, const struct cxm__answer_query *q,
                           enum cxm__sq_cube *cube, int64_t *m0, int64_t *m1)
{
    unsigned dims = 0;
    int64_t a, b;

    *cube = CXM__CUBE_NONE;
    if (!q->where[CXM__ADIM_AGENT] || q->n_grains || q->zone ||
        q->read != CXM_READ_AUTO || q->from >= q->to || q->excluded ||
        q->agent != CXM__AGENT_RESPONSE)
        return CXM_OK;
    for (int d = 0; d < CXM__ADIM_COUNT; d++) {
        if (!(q->dims & (1u << d)))
            continue;
        if (adim_cube[d] < 0)
            return CXM_OK;
        dims |= (unsigned)adim_cube[d];
    }
    a = cxm__bucket_start(CXM_BY_MONTH, q->from);
    if (a < q->from)
        a = cxm__bucket_next(CXM_BY_MONTH, a);
    b = cxm__bucket_start(CXM_BY_MONTH, q->to);
    if (a >= b)
        return CXM_OK;
    *m0 = cxm__day_of_ms(a);
    *m1 = cxm__day_of_ms(b);
    return cxm__sq_rollup_cube(st, CXM__SQ_GRAIN_MONTH,
                               (enum cxm__sq_cube)dims, cube);
}

/* The answers of [from, to) of q: the column segments, else the rows. */
static cxm_rc columns_or_rows(cxm_store *st, const struct cxm__answer_query *q,
                              int64_t from, int64_t to,
                              cxm__answer_group_fn fn, void *ud)
{
    struct cxm__answer_query part = *q;
    bool done = false;
    cxm_rc rc;

    if (from >= to)
        return CXM_OK;
    part.from = from;
    part.to = to;
    rc = cxm__sq_scan_columns(st, &part, fn, ud, &done);
    return rc || done ? rc : cxm__answer_rows(st, &part, fn, ud);
}

/* An agent's answers (agent_months()): the whole months from the agent's
 * month cells, the ends of the period from the column segments: a
 * quarter's columns were three months of every agent's answers hashed and
 * counted (docs/performance.md, "Agent page cards at 10M"). *done false
 * when not served (nothing handed over). */
static cxm_rc agent_answers(cxm_store *st, const struct cxm__answer_query *q,
                            cxm__answer_group_fn fn, void *ud,
                            struct cxm__answer_how *how, bool *done)
{
    enum cxm__sq_cube cube;
    int64_t m0 = 0, m1 = 0;
    cxm_rc rc = agent_months(st, q, &cube, &m0, &m1);

    *done = false;
    if (!rc && cube != CXM__CUBE_NONE)
        rc = cxm__sq_scan_rollup(st, CXM__SQ_GRAIN_MONTH, cube, m0, m1,
                                 q->where, NULL, NULL);
    if (rc == CXM_EINPUT)
        return CXM_OK; /* a damaged cell, with a note: the columns */
    if (rc || cube == CXM__CUBE_NONE)
        return rc;
    *done = true;
    how->path = CXM__PATH_ROLLUPS;
    how->detail = "months, and the columns of the rest";
    rc = columns_or_rows(st, q, q->from, m0 * CXM__MS_PER_DAY, fn, ud);
    if (!rc)
        rc = cxm__sq_scan_rollup(st, CXM__SQ_GRAIN_MONTH, cube, m0, m1,
                                 q->where, fn, ud);
    if (!rc)
        rc = columns_or_rows(st, q, m1 * CXM__MS_PER_DAY, q->to, fn, ud);
    return rc;
}

cxm_rc cxm__sq_answer_groups(cxm_store *st, const struct cxm__answer_query *q,
                             cxm__answer_group_fn fn, void *ud,
                             struct cxm__answer_how *how)
{
    struct rollup_plan p;
    bool done = false;
    cxm_rc rc = choose_rollup(st, q, &p);

    if (!rc && p.cube == CXM__CUBE_NONE)
        rc = agent_answers(st, q, fn, ud, how, &done);
    if (rc || done)
        return rc;
    /* Every cell's checksum first: a damaged cell (CXM_EINPUT, with a
     * note) sends the query to the segments or the rows, before any cell
     * reached the caller. */
    for (size_t i = 0; !rc && p.cube != CXM__CUBE_NONE && i < p.n_spans; i++)
        rc = cxm__sq_scan_rollup(st, p.span[i].grain, p.cube,
                                 p.span[i].from_t, p.span[i].to_t, q->where,
                                 NULL, NULL);
    if (rc == CXM_EINPUT) {
        rc = CXM_OK;
        p.cube = CXM__CUBE_NONE;
    }
    if (rc)
        return rc;
    if (p.cube != CXM__CUBE_NONE) {
        how->path = CXM__PATH_ROLLUPS;
        how->detail = p.cells;
        for (size_t i = 0; !rc && i < p.n_spans; i++)
            rc = cxm__sq_scan_rollup(st, p.span[i].grain, p.cube,
                                     p.span[i].from_t, p.span[i].to_t,
                                     q->where, fn, ud);
        return rc;
    }
    rc = cxm__sq_scan_columns(st, q, fn, ud, &done);
    if (rc || done) {
        how->path = CXM__PATH_COLUMNS;
        return rc;
    }
    how->path = CXM__PATH_ROWS;
    return cxm__answer_rows(st, q, fn, ud);
}
