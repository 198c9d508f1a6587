/* SPDX-License-Identifier: MIT
 *
 * store_sqlite_rollup.c — the SQLite engine's rollups of survey answers
 * (src/sql/0004-rollups.sql; docs/performance.md, "Rollups").
 *
 * The UTC days whose answers changed are marked in rollup_dirty (by rowid
 * for rows written, by triggers for the rest: 0004-rollups.sql). Just
 * before a write transaction commits, cxm__sq_rollup_flush() recounts the
 * months of those days: one scan of their answers (joined with their
 * tickets and agents as the report's scan does; the whole table in order
 * when many months are dirty, else an index range per month), counted into two finest
 * cubes in memory — per day by team × channel, per month by agent × team ×
 * channel — from which the smaller cubes are summed; then the months'
 * old cells are deleted and the new ones inserted, inside the same
 * transaction as the rows. No round trip per answer; all SQL is bound.
 */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "colseg.h"
#include "period.h"
#include "store_int.h"
#include "strmap.h"

#define SEP '\x1f'
#define N_FIELDS 9 /* t, survey, lo, hi, agent, team, channel, language,
                      topic */
#define MAX_SPAN 2000 /* scale_max − scale_min (record.c allows ±1000) */

enum { F_T, F_SURVEY, F_LO, F_HI, F_AGENT, F_TEAM, F_CHANNEL, F_LANGUAGE,
       F_TOPIC };

/* The cubes kept per grain, finest first (the others are summed from it). */
static const unsigned day_cubes[] = {
    CXM__CUBE_TEAM | CXM__CUBE_CHANNEL, CXM__CUBE_CHANNEL, CXM__CUBE_TEAM, 0};
/* Month cube 0 (agent × team × channel) is only counted, to sum the others
 * from; it is not stored. Language and topic are not rolled up: at the
 * sizes measured (docs/performance.md) their cubes hardly compress. */
static const unsigned month_cubes[] = {
    CXM__CUBE_AGENT | CXM__CUBE_TEAM | CXM__CUBE_CHANNEL,
    CXM__CUBE_AGENT | CXM__CUBE_TEAM,
    CXM__CUBE_TEAM | CXM__CUBE_CHANNEL,
    CXM__CUBE_CHANNEL,
    CXM__CUBE_TEAM,
    0};

/* One cell: a histogram of scores lo..hi under a key of N_FIELDS fields. */
struct cell {
    const char *key; /* borrowed from the set's index */
    size_t off[N_FIELDS], len[N_FIELDS];
    int lo, hi;
    int64_t n;
    int64_t *hist; /* owned, hi − lo + 1 counts */
};

struct cellset {
    struct cxm__strmap index; /* key -> position in cells */
    struct cell *cells;       /* owned */
    size_t n, cap;
};

static void cellset_release(struct cellset *cs)
{
    for (size_t i = 0; i < cs->n; i++)
        cxm__free(cs->cells[i].hist);
    cxm__free(cs->cells);
    cxm__strmap_release(&cs->index);
    memset(cs, 0, sizeof(*cs));
}

static bool dim_kept(unsigned cube, int field)
{
    switch (field) {
    case F_AGENT: return cube & CXM__CUBE_AGENT;
    case F_TEAM: return cube & CXM__CUBE_TEAM;
    case F_CHANNEL: return cube & CXM__CUBE_CHANNEL;
    case F_LANGUAGE: return cube & CXM__CUBE_LANGUAGE;
    case F_TOPIC: return cube & CXM__CUBE_TOPIC;
    default: return true;
    }
}

/* Finds or makes the cell of `key` (fields separated by SEP). */
static cxm_rc cellset_get(struct cellset *cs, const struct cxm__buf *key,
                          int lo, int hi, struct cell **out)
{
    size_t pos, f = 0, start = 0;
    const char *kept;
    bool inserted;
    struct cell *c;
    cxm_rc rc;

    rc = cxm__grow((void **)&cs->cells, &cs->cap, cs->n + 1,
                   sizeof(*cs->cells));
    if (!rc)
        rc = cxm__strmap_upsert(&cs->index, key->data, key->len, cs->n,
                                &pos, &kept, &inserted);
    if (rc)
        return rc;
    if (!inserted) {
        *out = &cs->cells[pos];
        return CXM_OK;
    }
    c = &cs->cells[cs->n];
    memset(c, 0, sizeof(*c));
    c->hist = cxm__calloc((size_t)(hi - lo) + 1, sizeof(*c->hist));
    if (!c->hist)
        return CXM_ENOMEM; /* the key stays mapped to cs->n: the set is
                              released on any error */
    cs->n++;
    c->key = kept;
    c->lo = lo;
    c->hi = hi;
    for (size_t i = 0; i <= key->len && f < N_FIELDS; i++) {
        if (i == key->len || kept[i] == SEP) {
            c->off[f] = start;
            c->len[f] = i - start;
            f++;
            start = i + 1;
        }
    }
    *out = c;
    return CXM_OK;
}

static cxm_rc key_add(struct cxm__buf *key, const char *s, size_t n,
                      bool last)
{
    cxm_rc rc = cxm__buf_add(key, s, n);

    if (!rc && !last)
        rc = cxm__buf_addc(key, SEP);
    return rc;
}

/* The key of a cell of `cube` from the fields f[]/n[]. */
static cxm_rc make_key(struct cxm__buf *key, unsigned cube,
                       const char *const *f, const size_t *n)
{
    cxm_rc rc = CXM_OK;

    cxm__buf_reset(key);
    for (int i = 0; !rc && i < N_FIELDS; i++) {
        bool keep = dim_kept(cube, i);
        rc = key_add(key, keep ? f[i] : "", keep ? n[i] : 0,
                     i == N_FIELDS - 1);
    }
    return rc;
}

/* Adds `count` answers of `score` (or a histogram `hist` when not NULL). */
static void cell_add(struct cell *c, int score, int64_t count,
                     const int64_t *hist)
{
    if (hist) {
        for (int s = 0; s <= c->hi - c->lo; s++)
            c->hist[s] += hist[s];
    } else {
        c->hist[score - c->lo] += count;
    }
    c->n += count;
}

/* Sums every cell of `src` into the cells of the smaller cube `cube`. */
static cxm_rc derive(const struct cellset *src, unsigned cube,
                     struct cellset *dst, struct cxm__buf *key)
{
    for (size_t i = 0; i < src->n; i++) {
        const struct cell *c = &src->cells[i];
        const char *f[N_FIELDS];
        struct cell *d;
        cxm_rc rc;

        for (int k = 0; k < N_FIELDS; k++)
            f[k] = c->key + c->off[k];
        rc = make_key(key, cube, f, c->len);
        if (!rc)
            rc = cellset_get(dst, key, c->lo, c->hi, &d);
        if (rc)
            return rc;
        cell_add(d, 0, c->n, c->hist);
    }
    return CXM_OK;
}

/* ---- SQL -------------------------------------------------------------- */

static cxm_rc fail(cxm_store *st, sqlite3 *db)
{
    cxm__store_set_error(st, sqlite3_errmsg(db));
    return CXM_ESTORE;
}

static cxm_rc prepare(cxm_store *st, const char *sql, sqlite3_stmt **out)
{
    sqlite3 *db = cxm__sq_db(st);

    if (sqlite3_prepare_v2(db, sql, -1, out, NULL) != SQLITE_OK)
        return fail(st, db);
    return CXM_OK;
}

/* The answers a metric reads, with the dimensions a report sees (the scan
 * of store_sqlite.c: from the ticket where the answer lacks them; team
 * from the agent last). */
#define ANSWERS_SELECT                                                      \
    "SELECT r.survey, coalesce(r.agent_id, t.agent_id),"                    \
    " coalesce(r.team, t.team,"                                             \
    "  (SELECT a.team FROM agents a WHERE a.workspace_id = r.workspace_id"  \
    "   AND a.agent_id = coalesce(r.agent_id, t.agent_id))),"               \
    " coalesce(r.channel, t.channel), r.language, t.topic, r.responded_at," \
    " r.score, r.scale_min, r.scale_max"
#define ANSWERS_JOIN                                                        \
    " LEFT JOIN tickets t"                                                  \
    "  ON t.workspace_id = r.workspace_id AND t.ticket_id = r.ticket_id"
#define ANSWERS_READ                                                        \
    " r.score IS NOT NULL AND r.survey IN ('csat', 'nps', 'ces')"

static const char answers_sql[] =
    ANSWERS_SELECT " FROM responses r" ANSWERS_JOIN
    " WHERE r.workspace_id = ?1 AND r.responded_at >= ?2"
    "  AND r.responded_at < ?3 AND" ANSWERS_READ;

/* The same over every answer of the workspace, in table order: a recount
 * of many months reads the table once, front to back, instead of one
 * index range (and a random row fetch per answer) per month. */
static const char answers_all_sql[] =
    ANSWERS_SELECT " FROM responses r NOT INDEXED" ANSWERS_JOIN
    " WHERE r.workspace_id = ?1 AND" ANSWERS_READ;

#define FULL_SCAN_MONTHS 4 /* from this many dirty months on, one scan */

static const char delete_sql[] =
    "DELETE FROM rollup_answers WHERE workspace_id = ?1 AND grain = ?2"
    " AND cube = ?3 AND t >= ?4 AND t < ?5";

static const char insert_sql[] =
    "INSERT INTO rollup_answers (workspace_id, grain, cube, t, survey,"
    " scale_min, scale_max, agent_id, team, channel, language, topic, n,"
    " hist) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
    " ?14)";

/* The column dictionaries of one workspace (0005-columns.sql). */
struct coldict {
    bool loaded;
    int64_t ws;
    struct cxm__strmap map[CXM__COL_COUNT]; /* value -> id */
    size_t next[CXM__COL_COUNT];            /* the next id */
};

/* One month being recounted: its finest cubes and its column segment. */
struct month {
    int64_t m0, m1;                /* [m0, m1), ms */
    struct cellset day, full;      /* day_cubes[0], month_cubes[0] */
    struct cxm__colseg_writer seg; /* the month's answers, as columns */
    bool overflow;                 /* an id outgrew two bytes */
};

/* The statements and scratch of one flush. */
struct flush {
    cxm_store *st;
    sqlite3_stmt *answers, *answers_all, *del, *ins, *dict_ins, *seg_put,
        *seg_del;
    struct cxm__buf key;
    uint8_t *blob; /* owned scratch for hist */
    size_t blob_cap;
    struct coldict dict;
    struct month *months; /* owned: the dirty months of one workspace */
    size_t n_months, months_cap;
};

static void month_release(struct month *m)
{
    cellset_release(&m->day);
    cellset_release(&m->full);
    cxm__colseg_writer_release(&m->seg);
}

static void coldict_release(struct coldict *d)
{
    for (int c = 0; c < CXM__COL_COUNT; c++)
        cxm__strmap_release(&d->map[c]);
    memset(d, 0, sizeof(*d));
}

/* Loads the dictionaries of workspace ws (when not loaded already). */
static cxm_rc coldict_load(struct flush *fl, int64_t ws)
{
    struct coldict *d = &fl->dict;
    sqlite3_stmt *s = NULL;
    cxm_rc rc;
    int step = SQLITE_DONE;

    if (d->loaded && d->ws == ws)
        return CXM_OK;
    coldict_release(d);
    rc = prepare(fl->st, "SELECT col, id, value FROM col_dict"
                         " WHERE workspace_id = ?1",
                 &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, ws);
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        int c = sqlite3_column_int(s, 0);
        int64_t id = sqlite3_column_int64(s, 1);
        const char *v = (const char *)sqlite3_column_text(s, 2);
        size_t pos;
        bool inserted;
        if (c < 0 || c >= CXM__COL_COUNT || id < 0 ||
            id > (int64_t)CXM__COL_MAX_ID || !v) {
            cxm__store_set_error(fl->st, "col_dict holds a bad entry");
            rc = CXM_ESTORE;
            break;
        }
        rc = cxm__strmap_upsert(&d->map[c], v,
                                (size_t)sqlite3_column_bytes(s, 2),
                                (size_t)id, &pos, NULL, &inserted);
        if (!rc && (size_t)id >= d->next[c])
            d->next[c] = (size_t)id + 1;
    }
    if (!rc && step != SQLITE_DONE)
        rc = fail(fl->st, cxm__sq_db(fl->st));
    sqlite3_finalize(s);
    d->loaded = !rc;
    d->ws = ws;
    return rc;
}

/* The id of value v in column c, numbered and stored when new. */
static cxm_rc coldict_id(struct flush *fl, int64_t ws, int c, const char *v,
                         size_t n, uint16_t *id, bool *overflow)
{
    struct coldict *d = &fl->dict;
    size_t pos;
    bool inserted;
    cxm_rc rc = cxm__strmap_upsert(&d->map[c], v, n, d->next[c], &pos, NULL,
                                   &inserted);

    if (rc)
        return rc;
    if (inserted) {
        d->next[c]++;
        if (pos <= CXM__COL_MAX_ID) {
            sqlite3_stmt *s = fl->dict_ins;
            sqlite3_reset(s);
            sqlite3_bind_int64(s, 1, ws);
            sqlite3_bind_int(s, 2, c);
            sqlite3_bind_int64(s, 3, (int64_t)pos);
            sqlite3_bind_text(s, 4, v, (int)n, SQLITE_STATIC);
            if (sqlite3_step(s) != SQLITE_DONE)
                return fail(fl->st, cxm__sq_db(fl->st));
        }
    }
    if (pos > CXM__COL_MAX_ID) {
        *overflow = true; /* the month's segment is not written */
        pos = 0;
    }
    *id = (uint16_t)pos;
    return CXM_OK;
}

/* Adds the current answer of the scan to the month's column segment. */
static cxm_rc seg_push(struct flush *fl, int64_t ws, struct month *m,
                       const char *const *f, const size_t *n, int64_t at,
                       int score, int lo)
{
    static const int field_of[CXM__COL_COUNT] = {
        -1, F_AGENT, F_TEAM, F_CHANNEL, F_LANGUAGE, F_TOPIC};
    uint16_t id[CXM__COL_COUNT];
    char kind[96];
    int kn;
    cxm_rc rc = CXM_OK;

    kn = snprintf(kind, sizeof(kind), "%.*s%c%.*s%c%.*s", (int)n[F_SURVEY],
                  f[F_SURVEY], SEP, (int)n[F_LO], f[F_LO], SEP, (int)n[F_HI],
                  f[F_HI]);
    if (kn < 0 || (size_t)kn >= sizeof(kind))
        return CXM_ETOOBIG; /* the survey is one of three short names */
    rc = coldict_id(fl, ws, CXM__COL_KIND, kind, (size_t)kn, &id[0],
                    &m->overflow);
    for (int c = 1; !rc && c < CXM__COL_COUNT; c++)
        rc = coldict_id(fl, ws, c, f[field_of[c]], n[field_of[c]], &id[c],
                        &m->overflow);
    if (!rc)
        rc = cxm__colseg_push(&m->seg, (uint32_t)(at - m->m0),
                              (uint16_t)(score - lo), id);
    return rc;
}

/* Writes (or removes) the month's column segment. */
static cxm_rc seg_write(struct flush *fl, int64_t ws, const struct month *m)
{
    int64_t t = cxm__day_of_ms(m->m0);
    sqlite3 *db = cxm__sq_db(fl->st);
    uint8_t *blob = NULL;
    size_t len = 0;
    cxm_rc rc = CXM_OK;
    sqlite3_stmt *s;

    if (m->seg.n == 0) {
        s = fl->seg_del;
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, ws);
        sqlite3_bind_int64(s, 2, t);
        return sqlite3_step(s) == SQLITE_DONE ? CXM_OK : fail(fl->st, db);
    }
    if (!m->overflow)
        rc = cxm__colseg_encode(&m->seg, &blob, &len);
    if (rc)
        return rc;
    s = fl->seg_put;
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, ws);
    sqlite3_bind_int64(s, 2, t);
    sqlite3_bind_int64(s, 3, (int64_t)m->seg.n);
    if (blob)
        sqlite3_bind_blob64(s, 4, blob, len, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, 4);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = fail(fl->st, db);
    sqlite3_reset(s); /* lets go of the blob before it is freed */
    cxm__free(blob);
    return rc;
}

static const char *text_or_empty(sqlite3_stmt *s, int i, size_t *n)
{
    const char *t = (const char *)sqlite3_column_text(s, i);

    *n = t ? (size_t)sqlite3_column_bytes(s, i) : 0;
    return t ? t : "";
}

/* The dirty month holding `at`, or NULL. */
static struct month *month_of(struct flush *fl, int64_t at)
{
    size_t lo = 0, hi = fl->n_months;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (fl->months[mid].m1 <= at)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < fl->n_months && fl->months[lo].m0 <= at)
        return &fl->months[lo];
    return NULL;
}

/* Counts the answers statement s yields (bound, not yet stepped) into the
 * dirty months they fall in: the finest cubes and the column segment. */
static cxm_rc count_rows(struct flush *fl, int64_t ws, sqlite3_stmt *s)
{
    char tbuf[24], mbuf[24], lobuf[16], hibuf[16];
    cxm_rc rc = CXM_OK;
    int step = SQLITE_DONE;

    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        const char *f[N_FIELDS];
        size_t n[N_FIELDS];
        int64_t at = sqlite3_column_int64(s, 6);
        int score = sqlite3_column_int(s, 7);
        int lo = sqlite3_column_int(s, 8), hi = sqlite3_column_int(s, 9);
        struct month *m = month_of(fl, at);
        struct cell *c;

        if (!m)
            continue;
        if (lo >= hi || hi - lo > MAX_SPAN || score < lo || score > hi) {
            cxm__store_set_error(fl->st, "an answer's score lies outside "
                                         "its scale");
            rc = CXM_ESTORE;
            break;
        }
        f[F_SURVEY] = text_or_empty(s, 0, &n[F_SURVEY]);
        f[F_AGENT] = text_or_empty(s, 1, &n[F_AGENT]);
        f[F_TEAM] = text_or_empty(s, 2, &n[F_TEAM]);
        f[F_CHANNEL] = text_or_empty(s, 3, &n[F_CHANNEL]);
        f[F_LANGUAGE] = text_or_empty(s, 4, &n[F_LANGUAGE]);
        f[F_TOPIC] = text_or_empty(s, 5, &n[F_TOPIC]);
        n[F_LO] = (size_t)snprintf(lobuf, sizeof(lobuf), "%d", lo);
        n[F_HI] = (size_t)snprintf(hibuf, sizeof(hibuf), "%d", hi);
        f[F_LO] = lobuf;
        f[F_HI] = hibuf;
        f[F_T] = tbuf;
        n[F_T] = (size_t)snprintf(tbuf, sizeof(tbuf), "%" PRId64,
                                  cxm__day_of_ms(at));
        rc = make_key(&fl->key, day_cubes[0], f, n);
        if (!rc)
            rc = cellset_get(&m->day, &fl->key, lo, hi, &c);
        if (rc)
            break;
        cell_add(c, score, 1, NULL);
        rc = seg_push(fl, ws, m, f, n, at, score, lo);
        if (rc)
            break;
        f[F_T] = mbuf;
        n[F_T] = (size_t)snprintf(mbuf, sizeof(mbuf), "%" PRId64,
                                  cxm__day_of_ms(m->m0));
        rc = make_key(&fl->key, month_cubes[0], f, n);
        if (!rc)
            rc = cellset_get(&m->full, &fl->key, lo, hi, &c);
        if (rc)
            break;
        cell_add(c, score, 1, NULL);
    }
    if (!rc && step != SQLITE_DONE)
        rc = fail(fl->st, cxm__sq_db(fl->st));
    sqlite3_reset(s);
    return rc;
}

static cxm_rc bind_field(sqlite3_stmt *s, int i, const struct cell *c, int f)
{
    return sqlite3_bind_text(s, i, c->key + c->off[f], (int)c->len[f],
                             SQLITE_STATIC) == SQLITE_OK
               ? CXM_OK
               : CXM_ESTORE;
}

/* Replaces the cells of (grain, cube) over days [t0, t1) with cs. */
static cxm_rc write_cube(struct flush *fl, int64_t ws, int grain,
                         unsigned cube, int64_t t0, int64_t t1,
                         const struct cellset *cs)
{
    sqlite3 *db = cxm__sq_db(fl->st);
    cxm_rc rc = CXM_OK;

    sqlite3_reset(fl->del);
    sqlite3_bind_int64(fl->del, 1, ws);
    sqlite3_bind_int(fl->del, 2, grain);
    sqlite3_bind_int(fl->del, 3, (int)cube);
    sqlite3_bind_int64(fl->del, 4, t0);
    sqlite3_bind_int64(fl->del, 5, t1);
    if (sqlite3_step(fl->del) != SQLITE_DONE)
        return fail(fl->st, db);
    for (size_t i = 0; !rc && i < cs->n; i++) {
        const struct cell *c = &cs->cells[i];
        size_t span = (size_t)(c->hi - c->lo) + 1;
        int64_t t;
        sqlite3_stmt *s = fl->ins;

        rc = cxm__grow((void **)&fl->blob, &fl->blob_cap, span * 8, 1);
        if (rc)
            break;
        for (size_t k = 0; k < span; k++) {
            uint64_t v = (uint64_t)c->hist[k];
            for (int b = 0; b < 8; b++)
                fl->blob[k * 8 + (size_t)b] = (uint8_t)(v >> (8 * b));
        }
        if (cxm__parse_i64(c->key + c->off[F_T], c->len[F_T], &t))
            return CXM_ESTORE;
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, ws);
        sqlite3_bind_int(s, 2, grain);
        sqlite3_bind_int(s, 3, (int)cube);
        sqlite3_bind_int64(s, 4, t);
        rc = bind_field(s, 5, c, F_SURVEY);
        sqlite3_bind_int(s, 6, c->lo);
        sqlite3_bind_int(s, 7, c->hi);
        for (int f = F_AGENT; !rc && f <= F_TOPIC; f++)
            rc = bind_field(s, 8 + (f - F_AGENT), c, f);
        sqlite3_bind_int64(s, 13, c->n);
        sqlite3_bind_blob(s, 14, fl->blob, (int)(span * 8), SQLITE_STATIC);
        if (!rc && sqlite3_step(s) != SQLITE_DONE)
            rc = fail(fl->st, db);
    }
    return rc;
}

/* Writes a counted month: its column segment, and every cube summed from
 * the finest two. */
static cxm_rc write_month(struct flush *fl, int64_t ws, struct month *m)
{
    int64_t d0 = cxm__day_of_ms(m->m0), d1 = cxm__day_of_ms(m->m1);
    struct cellset day[CXM_ARRAY_LEN(day_cubes)];
    struct cellset month[CXM_ARRAY_LEN(month_cubes)];
    cxm_rc rc;

    memset(day, 0, sizeof(day));
    memset(month, 0, sizeof(month));
    rc = seg_write(fl, ws, m);
    for (size_t i = 1; !rc && i < CXM_ARRAY_LEN(day_cubes); i++)
        rc = derive(&m->day, day_cubes[i], &day[i], &fl->key);
    for (size_t i = 1; !rc && i < CXM_ARRAY_LEN(month_cubes); i++)
        rc = derive(&m->full, month_cubes[i], &month[i], &fl->key);
    if (!rc)
        rc = write_cube(fl, ws, 0, day_cubes[0], d0, d1, &m->day);
    for (size_t i = 1; !rc && i < CXM_ARRAY_LEN(day_cubes); i++)
        rc = write_cube(fl, ws, 0, day_cubes[i], d0, d1, &day[i]);
    for (size_t i = 1; !rc && i < CXM_ARRAY_LEN(month_cubes); i++)
        rc = write_cube(fl, ws, 1, month_cubes[i], d0, d0 + 1, &month[i]);
    for (size_t i = 0; i < CXM_ARRAY_LEN(day_cubes); i++)
        cellset_release(&day[i]);
    for (size_t i = 0; i < CXM_ARRAY_LEN(month_cubes); i++)
        cellset_release(&month[i]);
    return rc;
}

/* Recounts the dirty months fl->months of workspace ws: one scan of the
 * table when they are many, one index range each when they are few. */
static cxm_rc flush_workspace(struct flush *fl, int64_t ws)
{
    cxm_rc rc = coldict_load(fl, ws);

    if (!rc && fl->n_months >= FULL_SCAN_MONTHS) {
        sqlite3_bind_int64(fl->answers_all, 1, ws);
        rc = count_rows(fl, ws, fl->answers_all);
    }
    for (size_t i = 0; !rc && fl->n_months < FULL_SCAN_MONTHS &&
                       i < fl->n_months; i++) {
        sqlite3_bind_int64(fl->answers, 1, ws);
        sqlite3_bind_int64(fl->answers, 2, fl->months[i].m0);
        sqlite3_bind_int64(fl->answers, 3, fl->months[i].m1);
        rc = count_rows(fl, ws, fl->answers);
    }
    for (size_t i = 0; !rc && i < fl->n_months; i++)
        rc = write_month(fl, ws, &fl->months[i]);
    for (size_t i = 0; i < fl->n_months; i++)
        month_release(&fl->months[i]);
    fl->n_months = 0;
    return rc;
}

/* Runs `sql` to completion with ?1 = a. */
static cxm_rc exec_with(cxm_store *st, const char *sql, int64_t a)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = prepare(st, sql, &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, a);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = fail(st, cxm__sq_db(st));
    sqlite3_finalize(s);
    return rc;
}

/* Marks the days of the answers this transaction wrote, and of the answers
 * of the tickets it wrote: rows at or past the rowids noted at BEGIN
 * (0004-rollups.sql; INSERT OR REPLACE gives a replaced row a new rowid,
 * and "at" covers the one case where it reuses the last). */
static cxm_rc mark_written(cxm_store *st)
{
    static const char responses_sql[] =
        "INSERT OR IGNORE INTO rollup_dirty"
        " SELECT DISTINCT workspace_id,"
        "  (responded_at - (responded_at < 0) * 86399999) / 86400000"
        " FROM responses WHERE rowid >= ?1";
    static const char tickets_sql[] =
        "INSERT OR IGNORE INTO rollup_dirty"
        " SELECT DISTINCT r.workspace_id,"
        "  (r.responded_at - (r.responded_at < 0) * 86399999) / 86400000"
        " FROM tickets t JOIN responses r"
        "  ON r.workspace_id = t.workspace_id AND r.ticket_id = t.ticket_id"
        " WHERE t.rowid >= ?1";
    int64_t mr, mt;
    cxm_rc rc;

    if (!cxm__sq_marks(st, &mr, &mt))
        return CXM_OK;
    rc = exec_with(st, responses_sql, mr);
    return rc ? rc : exec_with(st, tickets_sql, mt);
}

cxm_rc cxm__sq_rollup_flush(cxm_store *st)
{
    struct flush fl;
    sqlite3_stmt *dirty = NULL;
    int64_t last_ws = 0, last_month = 0;
    bool have_last = false;
    cxm_rc rc;
    int step = SQLITE_DONE;

    memset(&fl, 0, sizeof(fl));
    fl.st = st;
    fl.key.cap = 1 << 20; /* a cell key: nine fields of one answer */
    rc = mark_written(st);
    if (rc)
        return rc;
    /* In order, so each month is recounted once. */
    rc = prepare(st,
                 "SELECT workspace_id, day FROM rollup_dirty"
                 " ORDER BY workspace_id, day",
                 &dirty);
    if (!rc)
        rc = prepare(st, answers_sql, &fl.answers);
    if (!rc)
        rc = prepare(st, answers_all_sql, &fl.answers_all);
    if (!rc)
        rc = prepare(st, delete_sql, &fl.del);
    if (!rc)
        rc = prepare(st, insert_sql, &fl.ins);
    if (!rc)
        rc = prepare(st, "INSERT INTO col_dict (workspace_id, col, id, value)"
                         " VALUES (?1, ?2, ?3, ?4)",
                     &fl.dict_ins);
    if (!rc)
        rc = prepare(st, "INSERT OR REPLACE INTO col_answers (workspace_id,"
                         " t, n, data) VALUES (?1, ?2, ?3, ?4)",
                     &fl.seg_put);
    if (!rc)
        rc = prepare(st, "DELETE FROM col_answers WHERE workspace_id = ?1"
                         " AND t = ?2",
                     &fl.seg_del);
    while (!rc && (step = sqlite3_step(dirty)) == SQLITE_ROW) {
        int64_t ws = sqlite3_column_int64(dirty, 0);
        int64_t day = sqlite3_column_int64(dirty, 1);
        int64_t m0 = cxm__bucket_start(CXM_BY_MONTH, day * CXM__DAY_MS);
        struct month *m;
        if (have_last && ws == last_ws && m0 == last_month)
            continue;
        if (have_last && ws != last_ws)
            rc = flush_workspace(&fl, last_ws);
        have_last = true;
        last_ws = ws;
        last_month = m0;
        if (!rc)
            rc = cxm__grow((void **)&fl.months, &fl.months_cap,
                           fl.n_months + 1, sizeof(*fl.months));
        if (rc)
            break;
        m = &fl.months[fl.n_months++];
        memset(m, 0, sizeof(*m));
        m->m0 = m0;
        m->m1 = cxm__bucket_next(CXM_BY_MONTH, m0);
    }
    if (!rc && have_last)
        rc = flush_workspace(&fl, last_ws);
    if (!rc && step != SQLITE_DONE)
        rc = fail(st, cxm__sq_db(st));
    sqlite3_finalize(dirty);
    sqlite3_finalize(fl.answers);
    sqlite3_finalize(fl.answers_all);
    sqlite3_finalize(fl.del);
    sqlite3_finalize(fl.ins);
    sqlite3_finalize(fl.dict_ins);
    sqlite3_finalize(fl.seg_put);
    sqlite3_finalize(fl.seg_del);
    coldict_release(&fl.dict);
    for (size_t i = 0; i < fl.n_months; i++)
        month_release(&fl.months[i]);
    cxm__free(fl.months);
    cxm__buf_release(&fl.key);
    cxm__free(fl.blob);
    if (!rc && have_last)
        rc = cxm__sq_exec_plain(st, "DELETE FROM rollup_dirty");
    return rc;
}

/* ---- Reading ---------------------------------------------------------- */

cxm_rc cxm__sq_rollup_cube(cxm_store *st, int grain, unsigned dims,
                           int *cube)
{
    static const unsigned day_pref[] = {
        0, CXM__CUBE_CHANNEL, CXM__CUBE_TEAM,
        CXM__CUBE_TEAM | CXM__CUBE_CHANNEL};
    static const unsigned month_pref[] = {
        0, CXM__CUBE_CHANNEL, CXM__CUBE_TEAM,
        CXM__CUBE_TEAM | CXM__CUBE_CHANNEL,
        CXM__CUBE_AGENT | CXM__CUBE_TEAM};
    const unsigned *pref = grain ? month_pref : day_pref;
    size_t n = grain ? CXM_ARRAY_LEN(month_pref) : CXM_ARRAY_LEN(day_pref);
    sqlite3_stmt *s = NULL;
    bool dirty = true;
    cxm_rc rc;

    *cube = -1;
    rc = prepare(st, "SELECT EXISTS (SELECT 1 FROM rollup_dirty)", &s);
    if (rc)
        return rc;
    if (sqlite3_step(s) == SQLITE_ROW)
        dirty = sqlite3_column_int(s, 0) != 0;
    else
        rc = fail(st, cxm__sq_db(st));
    sqlite3_finalize(s);
    if (rc || dirty)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if ((pref[i] & dims) == dims) {
            *cube = (int)pref[i];
            break;
        }
    }
    return CXM_OK;
}

cxm_rc cxm__sq_responses_between(cxm_store *st, int64_t from, int64_t to,
                                 bool *any)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc;

    *any = false;
    if (from >= to)
        return CXM_OK;
    rc = prepare(st,
                 "SELECT EXISTS (SELECT 1 FROM responses"
                 " WHERE workspace_id = ?1 AND responded_at >= ?2"
                 " AND responded_at < ?3)",
                 &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_int64(s, 2, from);
    sqlite3_bind_int64(s, 3, to);
    if (sqlite3_step(s) == SQLITE_ROW)
        *any = sqlite3_column_int(s, 0) != 0;
    else
        rc = fail(st, cxm__sq_db(st));
    sqlite3_finalize(s);
    return rc;
}

static const char *text_col(sqlite3_stmt *s, int i)
{
    const char *t = (const char *)sqlite3_column_text(s, i);

    return t ? t : "";
}

cxm_rc cxm__sq_scan_rollup(cxm_store *st, int grain, int cube,
                           int64_t from_t, int64_t to_t, cxm__rollup_fn fn,
                           void *ud)
{
    int64_t hist[MAX_SPAN + 1];
    sqlite3_stmt *s = NULL;
    cxm_rc rc;
    int step = SQLITE_DONE;

    rc = prepare(st,
                 "SELECT t, survey, scale_min, scale_max, agent_id, team,"
                 " channel, language, topic, hist FROM rollup_answers"
                 " WHERE workspace_id = ?1 AND grain = ?2 AND cube = ?3"
                 " AND t >= ?4 AND t < ?5",
                 &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_int(s, 2, grain);
    sqlite3_bind_int(s, 3, cube);
    sqlite3_bind_int64(s, 4, from_t);
    sqlite3_bind_int64(s, 5, to_t);
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        struct cxm__response_row r;
        const uint8_t *h = sqlite3_column_blob(s, 9);
        size_t h_len = (size_t)sqlite3_column_bytes(s, 9);

        memset(&r, 0, sizeof(r));
        r.responded_at = sqlite3_column_int64(s, 0) * CXM__DAY_MS;
        r.survey = text_col(s, 1);
        r.scale_min = sqlite3_column_int(s, 2);
        r.scale_max = sqlite3_column_int(s, 3);
        r.agent_id = text_col(s, 4);
        r.team = text_col(s, 5);
        r.channel = text_col(s, 6);
        r.language = text_col(s, 7);
        r.topic = text_col(s, 8);
        r.has_score = true;
        if (r.scale_min >= r.scale_max ||
            r.scale_max - r.scale_min > MAX_SPAN ||
            h_len != (size_t)(r.scale_max - r.scale_min + 1) * 8) {
            cxm__store_set_error(st, "a rollup cell is malformed");
            rc = CXM_ESTORE;
            break;
        }
        for (size_t k = 0; k * 8 < h_len; k++) {
            uint64_t v = 0;
            for (int b = 0; b < 8; b++)
                v |= (uint64_t)h[k * 8 + (size_t)b] << (8 * b);
            hist[k] = (int64_t)v;
        }
        rc = fn(&r, hist, ud);
    }
    if (!rc && step != SQLITE_DONE)
        rc = fail(st, cxm__sq_db(st));
    sqlite3_finalize(s);
    return rc;
}

/* ---- Column segments (0005-columns.sql) -------------------------------- */

cxm_rc cxm__sq_rollups_clean(cxm_store *st, bool *clean)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = prepare(st, "SELECT NOT EXISTS (SELECT 1 FROM rollup_dirty)",
                        &s);

    *clean = false;
    if (rc)
        return rc;
    if (sqlite3_step(s) == SQLITE_ROW)
        *clean = sqlite3_column_int(s, 0) != 0;
    else
        rc = fail(st, cxm__sq_db(st));
    sqlite3_finalize(s);
    return rc;
}

cxm_rc cxm__sq_col_dict(cxm_store *st, cxm__coldict_fn fn, void *ud)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = prepare(st, "SELECT col, id, value FROM col_dict"
                            " WHERE workspace_id = ?1",
                        &s);
    int step = SQLITE_DONE;

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(s, 2);
        rc = fn(sqlite3_column_int(s, 0), sqlite3_column_int64(s, 1),
                v ? v : "", (size_t)sqlite3_column_bytes(s, 2), ud);
    }
    if (!rc && step != SQLITE_DONE)
        rc = fail(st, cxm__sq_db(st));
    sqlite3_finalize(s);
    return rc;
}
