/* SPDX-License-Identifier: MIT
 *
 * store_sqlite_qa.c — the SQLite engine's QA cells
 * (sql/0023-qa-cells.sql, docs/store.md "QA cells"): qa_score's
 * sufficient statistics (n, and the exact sums of 100 × score / max_score
 * and of its square, fsum.h) per UTC day of the score's instant and cube
 * of the ticket's dimensions, recounted for the days a write transaction
 * touched before it commits, and the qa_groups hook (store_int.h) reading
 * them, with the rows of the period's ends inside a day and of the days a
 * bucket splits, as the ticket cells (store_sqlite_tickets.c).
 *
 * A score's rows are read as the report's CXM__Q_QA reads them (the same
 * joins, named_sql.h): those reviewed in a span through qa_reviewed, the
 * unreviewed ones through its NULLs and their ticket's time. The sums are
 * exact, so a cell merged in any order, or the rows added one by one,
 * give the report the same doubles.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "fsum.h"
#include "named_sql.h"
#include "sqlite_int.h"
#include "strmap.h"

#define DAY_MS INT64_C(86400000)
/* qa_dirty's day for "every day". */
#define ALL_DAYS INT64_MIN
/* Up to this many runs of dirty days are read one range each (the
 * reviewed scores); more, one range from the first to the last. */
#define MAX_RUNS 62

#define CUBES_SQL "(0, 1, 2, 3, 4, 5, 6, 7)"
_Static_assert(CXM__SQ_N_CUBES == 8, "CUBES_SQL names cubes 0..7");

/* The scores reviewed in [$2, $3), and the unreviewed ones whose
 * ticket's time is in it: CXM__Q_QA's two branches, unordered (the sums
 * are exact). Columns: time, score, max_score, agent, team, channel,
 * topic, segment. */
static const char sql_reviewed[] =
    CXM__NQ_QA_FROM("q.ticket_id")
    "  AND q.reviewed_at >= $2 AND q.reviewed_at < $3";
static const char sql_unreviewed[] =
    CXM__NQ_QA_FROM("q.ticket_id")
    "  AND q.reviewed_at IS NULL"
    "  AND coalesce(t.resolved_at, t.created_at) >= $2"
    "  AND coalesce(t.resolved_at, t.created_at) < $3";

static const char *nz(const char *s) { return s ? s : ""; }

/* One score of a row of sql_reviewed/sql_unreviewed: false when it
 * counts nowhere (no time, max_score <= 0). */
struct score {
    int64_t at;
    double x;
    const char *dim[CXM__TDIM_COUNT];
};

static bool score_of(sqlite3_stmt *s, struct score *sc)
{
    if (sqlite3_column_type(s, 0) == SQLITE_NULL)
        return false;
    sc->at = sqlite3_column_int64(s, 0);
    for (int d = 0; d < CXM__TDIM_COUNT; d++)
        sc->dim[d] = nz(cxm__sq_text(s, 3 + d));
    return cxm__qa_value(sqlite3_column_double(s, 1),
                         sqlite3_column_type(s, 2) == SQLITE_NULL,
                         sqlite3_column_double(s, 2), &sc->x);
}

typedef cxm_rc (*score_fn)(const struct score *sc, void *ud);

/* Runs `sql` over [lo, hi), fn for each score that counts. */
static cxm_rc scores(cxm_store *st, const char *sql, int64_t lo, int64_t hi,
                     score_fn fn, void *ud)
{
    sqlite3_stmt *s = NULL;
    int step = SQLITE_DONE;
    cxm_rc rc = cxm__sq_kept(st, sql, &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_int64(s, 2, lo);
    sqlite3_bind_int64(s, 3, hi);
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        struct score sc;
        if (score_of(s, &sc))
            rc = fn(&sc, ud);
    }
    if (!rc && step != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    cxm__sq_unkeep(st, s);
    return rc;
}

/* ---- A cell's checksum ------------------------------------------------ */

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* XXH64 of cube, day, n, the dimensions and both sums' blobs. */
static cxm_rc cell_checksum(int64_t cube, int64_t day, int64_t n,
                            const char *const *dim, const void *sum,
                            size_t sum_len, const void *sq, size_t sq_len,
                            struct cxm__buf *b, int64_t *out)
{
    uint8_t v[8 * 5];
    cxm_rc rc;

    cxm__buf_reset(b);
    put_u64(v, (uint64_t)cube);
    put_u64(v + 8, (uint64_t)day);
    put_u64(v + 16, (uint64_t)n);
    put_u64(v + 24, sum_len);
    put_u64(v + 32, sq_len);
    rc = cxm__buf_add(b, v, sizeof(v));
    for (int i = 0; !rc && i < CXM__TDIM_COUNT; i++)
        rc = cxm__buf_add(b, dim[i], strlen(dim[i]) + 1);
    if (!rc && sum_len)
        rc = cxm__buf_add(b, sum, sum_len);
    if (!rc && sq_len)
        rc = cxm__buf_add(b, sq, sq_len);
    if (!rc)
        *out = (int64_t)cxm__xxh64(b->data, b->len, 0x71616365);
    return rc;
}

/* ---- Counting cells --------------------------------------------------- */

struct qcell {
    int64_t cube, day, n;
    const char *key; /* the map's: cube, day, then the dimensions */
    struct cxm__fsum sum, sq;
};

/* The cells being counted, and the dirty days they are counted for
 * (all when `all`). */
struct acc {
    struct cxm__strmap index;
    struct qcell *cells;
    size_t n, cap;
    struct cxm__buf kb;
    const int64_t *days;
    size_t n_days;
    bool all;
};

static void acc_release(struct acc *a)
{
    for (size_t i = 0; i < a->n; i++) {
        cxm__fsum_release(&a->cells[i].sum);
        cxm__fsum_release(&a->cells[i].sq);
    }
    cxm__free(a->cells);
    cxm__strmap_release(&a->index);
    cxm__buf_release(&a->kb);
}

static int cmp_day(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

static bool has_day(const int64_t *days, size_t n, int64_t day)
{
    return n && bsearch(&day, days, n, sizeof(*days), cmp_day);
}

/* The key of a cell: cube and day as 8 bytes each, then each kept
 * dimension with its NUL ('' for the others). */
static cxm_rc cell_key(struct cxm__buf *kb, size_t cube, int64_t day,
                       const char *const *dim)
{
    uint8_t v[16];
    cxm_rc rc;

    cxm__buf_reset(kb);
    put_u64(v, (uint64_t)cube);
    put_u64(v + 8, (uint64_t)day);
    rc = cxm__buf_add(kb, v, sizeof(v));
    for (int d = 0; !rc && d < CXM__TDIM_COUNT; d++) {
        const char *s = cxm__sq_cube_dims[cube] & (1u << d) ? dim[d] : "";
        rc = cxm__buf_add(kb, s, strlen(s) + 1);
    }
    return rc;
}

static cxm_rc acc_score(const struct score *sc, void *ud)
{
    struct acc *a = ud;
    int64_t day = cxm__sq_day_of(sc->at);
    cxm_rc rc = CXM_OK;

    if (!a->all && !has_day(a->days, a->n_days, day))
        return CXM_OK; /* a clean day: its cells stay */
    for (size_t c = 0; !rc && c < CXM__SQ_N_CUBES; c++) {
        size_t pos;
        bool inserted;
        const char *key;
        struct qcell *q;
        rc = cell_key(&a->kb, c, day, sc->dim);
        if (!rc)
            rc = cxm__strmap_upsert(&a->index, a->kb.data, a->kb.len, a->n,
                                    &pos, &key, &inserted);
        if (!rc && inserted) {
            rc = cxm__grow((void **)&a->cells, &a->cap, a->n + 1,
                           sizeof(*a->cells));
            if (!rc) {
                memset(&a->cells[a->n], 0, sizeof(*a->cells));
                a->cells[a->n].cube = (int64_t)c;
                a->cells[a->n].day = day;
                a->cells[a->n].key = key;
                a->n++;
            }
        }
        if (rc)
            break;
        q = &a->cells[pos];
        q->n++;
        rc = cxm__fsum_add(&q->sum, sc->x);
        if (!rc)
            rc = cxm__fsum_add(&q->sq, sc->x * sc->x);
    }
    return rc;
}

/* The dimensions of a cell, from its key. */
static void key_dims(const char *key, const char **dim)
{
    const char *p = key + 16;

    for (int d = 0; d < CXM__TDIM_COUNT; d++) {
        dim[d] = p;
        p += strlen(p) + 1;
    }
}

static cxm_rc put_cell(cxm_store *st, sqlite3_stmt *ins, struct qcell *q,
                       struct cxm__buf *sb, struct cxm__buf *qb,
                       struct cxm__buf *cb)
{
    const char *dim[CXM__TDIM_COUNT];
    int64_t chk = 0;
    cxm_rc rc;

    key_dims(q->key, dim);
    cxm__buf_reset(sb);
    cxm__buf_reset(qb);
    rc = cxm__fsum_serialize(&q->sum, sb);
    if (!rc)
        rc = cxm__fsum_serialize(&q->sq, qb);
    if (!rc)
        rc = cell_checksum(q->cube, q->day, q->n, dim, sb->data, sb->len,
                           qb->data, qb->len, cb, &chk);
    if (rc)
        return rc;
    sqlite3_bind_int64(ins, 1, st->workspace_id);
    sqlite3_bind_int64(ins, 2, q->cube);
    sqlite3_bind_int64(ins, 3, q->day);
    for (int d = 0; d < CXM__TDIM_COUNT; d++)
        sqlite3_bind_text(ins, 4 + d, dim[d], -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 9, q->n);
    sqlite3_bind_blob(ins, 10, sb->data, (int)sb->len, SQLITE_STATIC);
    sqlite3_bind_blob(ins, 11, qb->data, (int)qb->len, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 12, chk);
    if (sqlite3_step(ins) != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    sqlite3_reset(ins);
    return rc;
}

static cxm_rc acc_write(cxm_store *st, struct acc *a)
{
    struct cxm__buf sb = CXM__BUF_INIT(SIZE_MAX / 2);
    struct cxm__buf qb = CXM__BUF_INIT(SIZE_MAX / 2);
    struct cxm__buf cb = CXM__BUF_INIT(SIZE_MAX / 2);
    sqlite3_stmt *ins = NULL;
    cxm_rc rc = cxm__sq_kept(st,
                             "INSERT INTO qa_cells VALUES (?1, ?2, ?3, ?4,"
                             " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                             &ins);

    for (size_t i = 0; !rc && i < a->n; i++)
        rc = put_cell(st, ins, &a->cells[i], &sb, &qb, &cb);
    cxm__sq_unkeep(st, ins);
    cxm__buf_release(&sb);
    cxm__buf_release(&qb);
    cxm__buf_release(&cb);
    return rc;
}

/* The dirty days, ascending. */
static cxm_rc dirty_days(cxm_store *st, int64_t **out, size_t *n)
{
    sqlite3_stmt *s = NULL;
    size_t cap = 0;
    int step;
    cxm_rc rc = cxm__sq_prepare_ws(st,
                                   "SELECT day FROM qa_dirty"
                                   " WHERE workspace_id = ?1 ORDER BY day",
                                   &s);

    *out = NULL;
    *n = 0;
    if (rc)
        return rc;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        rc = cxm__grow((void **)out, &cap, *n + 1, sizeof(**out));
        if (rc)
            break;
        (*out)[(*n)++] = sqlite3_column_int64(s, 0);
    }
    if (!rc && step != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

static cxm_rc delete_days(cxm_store *st, const int64_t *days, size_t n)
{
    cxm_rc rc = CXM_OK;

    for (size_t i = 0; !rc && i < n; i++)
        rc = cxm__sq_run_ints(st,
                              "DELETE FROM qa_cells WHERE workspace_id = ?1"
                              " AND cube IN " CUBES_SQL " AND day = ?2",
                              (int64_t[]){st->workspace_id, days[i]}, 2,
                              NULL);
    return rc;
}

static size_t count_runs(const int64_t *days, size_t n)
{
    size_t runs = n > 0;

    for (size_t i = 1; i < n; i++)
        runs += days[i] != days[i - 1] + 1;
    return runs;
}

/* Counts the cells of a's days (every day when a->all) from the scores:
 * the reviewed ones by runs of days, the unreviewed ones in one read. */
static cxm_rc acc_count(cxm_store *st, struct acc *a)
{
    int64_t lo = a->all ? INT64_MIN : a->days[0] * DAY_MS;
    int64_t hi = a->all ? INT64_MAX : (a->days[a->n_days - 1] + 1) * DAY_MS;
    cxm_rc rc = CXM_OK;

    if (a->all || count_runs(a->days, a->n_days) > MAX_RUNS) {
        rc = scores(st, sql_reviewed, lo, hi, acc_score, a);
    } else {
        for (size_t i = 0, j; !rc && i < a->n_days; i = j) {
            for (j = i + 1;
                 j < a->n_days && a->days[j] == a->days[j - 1] + 1;)
                j++;
            rc = scores(st, sql_reviewed, a->days[i] * DAY_MS,
                        (a->days[j - 1] + 1) * DAY_MS, acc_score, a);
        }
    }
    return rc ? rc : scores(st, sql_unreviewed, lo, hi, acc_score, a);
}

cxm_rc cxm__sq_qa_flush(cxm_store *st)
{
    struct acc a;
    int64_t *days = NULL;
    size_t n = 0;
    cxm_rc rc = dirty_days(st, &days, &n);

    if (rc || n == 0) {
        cxm__free(days);
        return rc;
    }
    memset(&a, 0, sizeof(a));
    a.kb = (struct cxm__buf)CXM__BUF_INIT(SIZE_MAX / 2);
    a.all = days[0] == ALL_DAYS;
    a.days = days;
    a.n_days = n;
    if (a.all)
        rc = cxm__sq_run_ints(st,
                              "DELETE FROM qa_cells WHERE workspace_id = ?1",
                              (int64_t[]){st->workspace_id}, 1, NULL);
    else
        rc = delete_days(st, days, n);
    if (!rc)
        rc = acc_count(st, &a);
    if (!rc)
        rc = acc_write(st, &a);
    acc_release(&a);
    cxm__free(days);
    if (!rc)
        rc = cxm__sq_run_ints(st,
                              "DELETE FROM qa_dirty WHERE workspace_id = ?1",
                              (int64_t[]){st->workspace_id}, 1, NULL);
    return rc;
}

/* ---- Reading ---------------------------------------------------------- */

/* What is read from the rows: the period's instants outside the cells'
 * days [d0, d1) or on a split day. */
struct rest {
    int64_t from, to, d0, d1;
    const struct cxm__sq_days *split;
    cxm__qa_group_fn fn;
    void *ud;
    const char *const *where; /* the query's (cxm__ticket_query) */
};

/* Whether a cell of these dimensions' values is of a group the query
 * keeps (its where): the others are neither checked nor handed over. */
static bool cell_kept(const struct rest *r, const char *const *dim)
{
    for (int d = 0; d < CXM__TDIM_COUNT; d++) {
        if (r->where[d] && strcmp(r->where[d], dim[d]) != 0)
            return false;
    }
    return true;
}

static bool from_rows(const struct rest *r, int64_t at)
{
    int64_t day = cxm__sq_day_of(at);

    if (at < r->from || at >= r->to)
        return false;
    return day < r->d0 || day >= r->d1 || cxm__sq_days_has(r->split, day);
}

static cxm_rc rest_score(const struct score *sc, void *ud)
{
    const struct rest *r = ud;
    struct cxm__fsum sum = CXM__FSUM_INIT, sq = CXM__FSUM_INIT;
    struct cxm__qa_group g;
    cxm_rc rc;

    if (!from_rows(r, sc->at))
        return CXM_OK;
    rc = cxm__fsum_add(&sum, sc->x);
    if (!rc)
        rc = cxm__fsum_add(&sq, sc->x * sc->x);
    if (!rc) {
        for (int d = 0; d < CXM__TDIM_COUNT; d++)
            g.dim[d] = sc->dim[d];
        g.at = sc->at;
        g.n = 1;
        g.sum = &sum;
        g.sum_sq = &sq;
        rc = r->fn(&g, r->ud);
    }
    cxm__fsum_release(&sum);
    cxm__fsum_release(&sq);
    return rc;
}

/* The scores of the period's ends inside a day and of the split days:
 * the reviewed ones by span, the unreviewed ones in one read of the
 * period. *any: whether there was anything to read. */
static cxm_rc rest_rows(cxm_store *st, struct rest *r, bool *any)
{
    int64_t c0 = r->d0 * DAY_MS, c1 = r->d1 * DAY_MS;
    cxm_rc rc = CXM_OK;

    *any = false;
    if (r->d1 <= r->d0) {
        *any = true;
        rc = scores(st, sql_reviewed, r->from, r->to, rest_score, r);
    } else {
        if (r->from < c0) {
            *any = true;
            rc = scores(st, sql_reviewed, r->from, c0, rest_score, r);
        }
        if (!rc && c1 < r->to) {
            *any = true;
            rc = scores(st, sql_reviewed, c1, r->to, rest_score, r);
        }
        for (size_t i = 0; !rc && i < r->split->n; i++) {
            *any = true;
            rc = scores(st, sql_reviewed, r->split->v[i] * DAY_MS,
                        (r->split->v[i] + 1) * DAY_MS, rest_score, r);
        }
    }
    if (!rc && *any)
        rc = scores(st, sql_unreviewed, r->from, r->to, rest_score, r);
    return rc;
}

/* The cells of `cube` with day in [d0, d1) but the split days, read
 * twice: every checksum first (*damaged when one does not match: nothing
 * handed over), then each handed to fn. */
static cxm_rc read_cells(cxm_store *st, size_t cube, const struct rest *r,
                         bool *damaged)
{
    static const char sql[] =
        "SELECT day, agent_id, team, channel, topic, segment, n, sum,"
        " sum_sq, checksum FROM qa_cells WHERE workspace_id = ?1"
        " AND cube = ?2 AND day >= ?3 AND day < ?4";
    /* With a where on an agent, only theirs, side by side in
     * qa_cells_agent (0026: the cubes keeping the agent, 5 and 7). */
    static const char agent_sql[] =
        "SELECT day, agent_id, team, channel, topic, segment, n, sum,"
        " sum_sq, checksum FROM qa_cells WHERE workspace_id = ?1"
        " AND cube = ?2 AND cube IN (5, 7) AND agent_id = ?5"
        " AND day >= ?3 AND day < ?4"
        " ORDER BY day, agent_id, team, channel, topic, segment";
    const char *agent = r->where[CXM__TDIM_AGENT];
    struct cxm__buf chk = CXM__BUF_INIT(SIZE_MAX / 2);
    sqlite3_stmt *s = NULL;
    int step = SQLITE_DONE;
    cxm_rc rc;

    if (cube != 5 && cube != 7)
        agent = NULL; /* (a where names only dimensions of the cube) */
    rc = cxm__sq_kept(st, agent ? agent_sql : sql, &s);
    *damaged = false;
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_int64(s, 2, (int64_t)cube);
    sqlite3_bind_int64(s, 3, r->d0);
    sqlite3_bind_int64(s, 4, r->d1);
    if (agent)
        sqlite3_bind_text(s, 5, agent, -1, SQLITE_STATIC);
    for (int pass = 0; pass < 2 && !rc && !*damaged; pass++) {
        while ((step = sqlite3_step(s)) == SQLITE_ROW) {
            struct cxm__fsum sum = CXM__FSUM_INIT, sq = CXM__FSUM_INIT;
            struct cxm__qa_group g;
            const void *bs = sqlite3_column_blob(s, 7);
            size_t ls = (size_t)sqlite3_column_bytes(s, 7);
            const void *bq = sqlite3_column_blob(s, 8);
            size_t lq = (size_t)sqlite3_column_bytes(s, 8);
            int64_t day = sqlite3_column_int64(s, 0), want;
            for (int d = 0; d < CXM__TDIM_COUNT; d++)
                g.dim[d] = nz(cxm__sq_text(s, 1 + d));
            if (!cell_kept(r, g.dim))
                continue;
            g.n = sqlite3_column_int64(s, 6);
            if (pass == 0) {
                rc = cell_checksum((int64_t)cube, day, g.n, g.dim, bs, ls,
                                   bq, lq, &chk, &want);
                if (rc)
                    break;
                if (sqlite3_column_type(s, 9) != SQLITE_INTEGER ||
                    sqlite3_column_int64(s, 9) != want) {
                    *damaged = true;
                    break;
                }
                continue;
            }
            if (cxm__sq_days_has(r->split, day))
                continue; /* a split day: from the rows */
            rc = cxm__fsum_merge_blob(&sum, bs, ls);
            if (!rc)
                rc = cxm__fsum_merge_blob(&sq, bq, lq);
            g.at = day * DAY_MS;
            g.sum = &sum;
            g.sum_sq = &sq;
            if (!rc)
                rc = r->fn(&g, r->ud);
            cxm__fsum_release(&sum);
            cxm__fsum_release(&sq);
            if (rc)
                break;
        }
        if (!rc && !*damaged && step != SQLITE_DONE)
            rc = cxm__sq_fail(st);
        sqlite3_reset(s);
    }
    cxm__sq_unkeep(st, s);
    cxm__buf_release(&chk);
    return rc;
}

static void damaged_note(cxm_store *st)
{
    cxm__store_note(st, "a QA cell is damaged (its checksum does not "
                        "match): qa_score computed from the rows; the next "
                        "import counts the cells again");
    if (!st->read_only && sqlite3_get_autocommit(cxm__sq_db(st)))
        (void)cxm__sq_run_ints(st,
                               "INSERT OR IGNORE INTO qa_dirty"
                               " VALUES (?1, ?2)",
                               (int64_t[]){st->workspace_id, ALL_DAYS}, 2,
                               NULL);
}

cxm_rc cxm__sq_qa_groups(cxm_store *st, const struct cxm__ticket_query *q,
                         cxm__qa_group_fn fn, void *ud, bool *served,
                         const char **detail)
{
    struct cxm__sq_days split = {NULL, 0, 0};
    struct rest r;
    size_t cube = CXM__SQ_N_CUBES;
    int64_t dfrom;
    bool damaged = false, ok = false, any = false;
    cxm_rc rc;

    *served = false;
    *detail = NULL;
    rc = cxm__sq_cells_cube(st, q,
                            "SELECT EXISTS (SELECT 1 FROM qa_dirty"
                            " WHERE workspace_id = ?1)",
                            &cube);
    if (rc || cube == CXM__SQ_N_CUBES)
        return rc;
    memset(&r, 0, sizeof(r));
    r.from = q->from;
    r.to = q->to;
    dfrom = cxm__sq_day_of(q->from);
    r.d0 = dfrom * DAY_MS == q->from ? dfrom : dfrom + 1;
    r.d1 = cxm__sq_day_of(q->to);
    r.split = &split;
    r.fn = fn;
    r.ud = ud;
    r.where = q->where;
    rc = cxm__sq_split_days(q, r.d0, r.d1, &split, &ok);
    if (!rc && ok && r.d1 > r.d0)
        rc = read_cells(st, cube, &r, &damaged);
    if (!rc && ok && damaged)
        damaged_note(st);
    if (!rc && ok && !damaged)
        rc = rest_rows(st, &r, &any);
    cxm__free(split.v);
    if (!rc && ok && !damaged) {
        *served = true;
        *detail = any ? "days, and the rows of the rest" : "days";
    }
    return rc;
}
