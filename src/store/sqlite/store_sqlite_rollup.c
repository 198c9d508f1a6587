/* SPDX-License-Identifier: MIT
 *
 * store_sqlite_rollup.c — the SQLite engine's rollups of survey answers
 * (src/store/sqlite/sql/0004-rollups.sql; docs/performance.md, "Rollups").
 *
 * The UTC days whose answers changed are marked in rollup_dirty (by rowid
 * for rows written, by triggers for the rest: 0004-rollups.sql). Just
 * before a write transaction commits, cxm__sq_rollup_flush() recounts the
 * months of those days: one scan of their answers (joined with their
 * tickets and agents as the report's scan does; the whole table in order
 * when many months are dirty, else an index range per month), counted into
 * two finest cubes in memory — per day by team × channel, per month by
 * agent × team × channel — from which the smaller cubes are summed; then
 * the months' old cells are deleted and the new ones inserted, inside the
 * same transaction as the rows. Cells are keyed by the column segments'
 * dictionary ids (col_dict), not by text: an answer's values are looked up
 * once, for its segment, and turned back into text only when a cell is
 * written. No round trip per answer; all SQL is bound.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include "checksum.h"
#include "civil.h"
#include "colseg.h"
#include "period.h"
#include "sqlite_int.h"
#include "strmap.h"

#define SEP '\x1f'    /* between survey and scale in a kind (col_dict) */
#define MAX_SPAN 2000 /* scale_max − scale_min (record.c allows ±1000) */
#define NO_ID UINT32_MAX /* a dimension the cube does not keep: '' */

/* The cubes kept per grain, finest first (the others are summed from it). */
static const enum cxm__sq_cube day_cubes[] = {
    CXM__CUBE_TEAM | CXM__CUBE_CHANNEL, CXM__CUBE_CHANNEL, CXM__CUBE_TEAM,
    CXM__CUBE_TOTALS};
/* The month cubes: agent × team counted by itself (AGENT_CUBE), the
 * others summed from the day cells. Language and topic are not rolled up:
 * at the sizes measured (docs/performance.md) their cubes hardly
 * compress. */
#define AGENT_CUBE (CXM__CUBE_AGENT | CXM__CUBE_TEAM)
static const enum cxm__sq_cube month_cubes[] = {
    AGENT_CUBE,
    CXM__CUBE_TEAM | CXM__CUBE_CHANNEL,
    CXM__CUBE_CHANNEL,
    CXM__CUBE_TEAM,
    CXM__CUBE_TOTALS};

/* A month keeps its agent cells only while they are fewer than a quarter
 * of its answers (past the first AGENT_CELLS_FREE): a dimension of very
 * many values (300,000 agents of a few answers each) makes a cube as
 * large as the answers, which costs the import time and memory and saves
 * a report nothing (the column scan counts the answers as fast). Such a
 * month is listed in rollup_off (0010) and its cells are not written. */
#define AGENT_CELLS_FREE 16384

/* The cube bit of each dictionary column; the kind is in every cube. */
static const enum cxm__sq_cube col_cube_bit[CXM__COL_COUNT] = {
    CXM__CUBE_TOTALS, CXM__CUBE_AGENT, CXM__CUBE_TEAM, CXM__CUBE_CHANNEL,
    CXM__CUBE_LANGUAGE, CXM__CUBE_TOPIC};

/* ---- Column dictionaries (0005-columns.sql) ---------------------------- */

/* A value of a column; borrowed from the dictionary's map. */
struct dict_name {
    const char *s; /* NULL for an id with no value */
    size_t len;
};

/* The column dictionaries of one workspace. Invariant: name[c][id] is the
 * value of every id < next[c] that map[c] holds. */
struct coldict {
    bool loaded;
    int64_t ws;
    struct cxm__strmap map[CXM__COL_COUNT]; /* value -> id */
    struct dict_name *name[CXM__COL_COUNT]; /* owned: id -> value */
    size_t name_cap[CXM__COL_COUNT];
    size_t next[CXM__COL_COUNT];            /* the next id */
    struct dict_name last[CXM__COL_COUNT];  /* the value looked up last */
    uint32_t last_id[CXM__COL_COUNT];       /* and its id */
};

static void coldict_release(struct coldict *d)
{
    for (int c = 0; c < CXM__COL_COUNT; c++) {
        cxm__strmap_release(&d->map[c]);
        cxm__free(d->name[c]);
    }
    memset(d, 0, sizeof(*d));
}

/* Records that `id` of column c is the value kept (borrowed) at s. */
static cxm_rc coldict_name(struct coldict *d, int c, size_t id,
                           const char *s, size_t len)
{
    size_t old_cap = d->name_cap[c];
    cxm_rc rc = cxm__grow((void **)&d->name[c], &d->name_cap[c], id + 1,
                          sizeof(*d->name[c]));

    if (rc)
        return rc;
    if (d->name_cap[c] > old_cap)
        memset(d->name[c] + old_cap, 0,
               (d->name_cap[c] - old_cap) * sizeof(*d->name[c]));
    d->name[c][id].s = s;
    d->name[c][id].len = len;
    return CXM_OK;
}

/* The value of `id` in column c ('' for NO_ID). */
static struct dict_name coldict_value(const struct coldict *d, int c,
                                      uint32_t id)
{
    struct dict_name none = {"", 0};

    if (id == NO_ID || id >= d->name_cap[c] || !d->name[c][id].s)
        return none;
    return d->name[c][id];
}

/* ---- Cells -------------------------------------------------------------- */

/* A cell's key: its first UTC day and the dictionary ids of its
 * dimensions, in enum cxm__col order (NO_ID where the cube does not keep
 * the dimension). */
struct cell_key {
    int64_t t;
    uint32_t id[CXM__COL_COUNT];
};

/* One cell: a histogram of scores lo..hi. */
struct cell {
    struct cell_key key;
    int lo, hi;
    int64_t n;
    int64_t *hist; /* owned, hi − lo + 1 counts */
};

/* The cells of one cube, in the order they were first counted, found by
 * key through an open-addressing index (linear probing, at most half
 * full). */
struct cellset {
    struct cell *cells; /* owned */
    size_t n, cap;
    uint32_t *slots;    /* owned: 1 + the cell's position; 0 = empty */
    size_t n_slots;     /* a power of two, or 0 before the first cell */
};

static void cellset_release(struct cellset *cs)
{
    for (size_t i = 0; i < cs->n; i++)
        cxm__free(cs->cells[i].hist);
    cxm__free(cs->cells);
    cxm__free(cs->slots);
    memset(cs, 0, sizeof(*cs));
}

static uint64_t key_hash(const struct cell_key *k)
{
    uint64_t h = (uint64_t)k->t * 0x9e3779b97f4a7c15u;

    for (int c = 0; c < CXM__COL_COUNT; c++)
        h = (h ^ k->id[c]) * 0xff51afd7ed558ccdu;
    return h ^ (h >> 31); /* the high bits depend on every id */
}

static bool key_equal(const struct cell_key *a, const struct cell_key *b)
{
    if (a->t != b->t)
        return false;
    for (int c = 0; c < CXM__COL_COUNT; c++) {
        if (a->id[c] != b->id[c])
            return false;
    }
    return true;
}

/* The key of k's cell in `cube`: the dimensions it drops become NO_ID. */
static struct cell_key key_in_cube(const struct cell_key *k,
                                   enum cxm__sq_cube cube)
{
    struct cell_key out = *k;

    for (int c = 1; c < CXM__COL_COUNT; c++) {
        if (!(cube & col_cube_bit[c]))
            out.id[c] = NO_ID;
    }
    return out;
}

/* Doubles the index (or makes its first one) and re-enters every cell. */
static cxm_rc cellset_rehash(struct cellset *cs)
{
    size_t n_slots, mask;
    uint32_t *slots;

    if (!cxm__size_mul(&n_slots, cs->n_slots ? cs->n_slots : 32, 2))
        return CXM_ENOMEM;
    slots = cxm__calloc(n_slots, sizeof(*slots));
    if (!slots)
        return CXM_ENOMEM;
    mask = n_slots - 1;
    for (size_t k = 0; k < cs->n; k++) {
        size_t i = (size_t)key_hash(&cs->cells[k].key) & mask;
        while (slots[i])
            i = (i + 1) & mask;
        slots[i] = (uint32_t)(k + 1);
    }
    cxm__free(cs->slots);
    cs->slots = slots;
    cs->n_slots = n_slots;
    return CXM_OK;
}

/* Finds or makes the cell of `key`, of scale lo..hi (borrowed: valid until
 * the next cellset_get on cs). */
static cxm_rc cellset_get(struct cellset *cs, const struct cell_key *key,
                          int lo, int hi, struct cell **out)
{
    size_t mask, i;
    struct cell *c;
    cxm_rc rc;

    if (cs->n >= UINT32_MAX - 1)
        return CXM_ETOOBIG; /* positions are kept in 32 bits */
    if (2 * (cs->n + 1) > cs->n_slots) {
        rc = cellset_rehash(cs);
        if (rc)
            return rc;
    }
    mask = cs->n_slots - 1;
    for (i = (size_t)key_hash(key) & mask; cs->slots[i];
         i = (i + 1) & mask) {
        c = &cs->cells[cs->slots[i] - 1];
        if (key_equal(&c->key, key)) {
            *out = c;
            return CXM_OK;
        }
    }
    rc = cxm__grow((void **)&cs->cells, &cs->cap, cs->n + 1,
                   sizeof(*cs->cells));
    if (rc)
        return rc;
    c = &cs->cells[cs->n];
    memset(c, 0, sizeof(*c));
    c->hist = cxm__calloc((size_t)(hi - lo) + 1, sizeof(*c->hist));
    if (!c->hist)
        return CXM_ENOMEM;
    c->key = *key;
    c->lo = lo;
    c->hi = hi;
    cs->slots[i] = (uint32_t)(cs->n + 1);
    cs->n++;
    *out = c;
    return CXM_OK;
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

/* Sums every cell of `src` into the cells of the smaller cube `cube`,
 * whose first day is t, or the cell's own when t is INT64_MIN. */
static cxm_rc derive(const struct cellset *src, enum cxm__sq_cube cube,
                     int64_t t, struct cellset *dst)
{
    for (size_t i = 0; i < src->n; i++) {
        const struct cell *c = &src->cells[i];
        struct cell_key k = key_in_cube(&c->key, cube);
        struct cell *d;
        cxm_rc rc;

        if (t != INT64_MIN)
            k.t = t;
        rc = cellset_get(dst, &k, c->lo, c->hi, &d);
        if (rc)
            return rc;
        cell_add(d, 0, c->n, c->hist);
    }
    return CXM_OK;
}

/* ---- Cell checksums (0010-derived-checksums.sql) ------------------------ */

/* What a stored cell holds, its key columns first (their text borrowed). */
struct cell_row {
    int64_t ws, grain, cube, t;
    struct dict_name text[6]; /* survey, agent, team, channel, language,
                                 topic */
    int64_t lo, hi, n;
    const uint8_t *hist;
    size_t hist_len;
};

/* The checksum of a cell: XXH64 over every column, each integer as 8
 * little-endian bytes and each text as its length then its bytes, so that
 * no two cells share the byte string summed. Stored as a signed integer
 * (SQLite has no unsigned one). */
static int64_t cell_chk(const struct cell_row *c)
{
    const int64_t ints[] = {c->ws, c->grain, c->cube, c->t,
                            c->lo, c->hi,    c->n};
    uint8_t b[8];
    uint64_t h = 0;

    for (size_t i = 0; i < CXM_ARRAY_LEN(ints); i++) {
        for (int k = 0; k < 8; k++)
            b[k] = (uint8_t)((uint64_t)ints[i] >> (8 * k));
        h = cxm__xxh64(b, 8, h);
    }
    for (size_t i = 0; i < CXM_ARRAY_LEN(c->text); i++) {
        uint64_t len = c->text[i].len;
        for (int k = 0; k < 8; k++)
            b[k] = (uint8_t)(len >> (8 * k));
        h = cxm__xxh64(b, 8, h);
        h = cxm__xxh64(c->text[i].s ? c->text[i].s : "", c->text[i].len, h);
    }
    return (int64_t)cxm__xxh64(c->hist, c->hist_len, h);
}

/* Reads the cell columns of argv[0..14) (cxm_cell_chk()'s order:
 * workspace_id, grain, cube, t, survey, scale_min, scale_max, agent_id,
 * team, channel, language, topic, n, hist) into *c. */
static void cell_from_values(sqlite3_value **argv, struct cell_row *c)
{
    static const int text_arg[6] = {4, 7, 8, 9, 10, 11};

    c->ws = sqlite3_value_int64(argv[0]);
    c->grain = sqlite3_value_int64(argv[1]);
    c->cube = sqlite3_value_int64(argv[2]);
    c->t = sqlite3_value_int64(argv[3]);
    c->lo = sqlite3_value_int64(argv[5]);
    c->hi = sqlite3_value_int64(argv[6]);
    for (int i = 0; i < 6; i++) {
        const char *v = (const char *)sqlite3_value_text(argv[text_arg[i]]);
        c->text[i].s = v ? v : "";
        c->text[i].len = v ? (size_t)sqlite3_value_bytes(argv[text_arg[i]])
                           : 0;
    }
    c->n = sqlite3_value_int64(argv[12]);
    c->hist = sqlite3_value_blob(argv[13]);
    c->hist_len = (size_t)sqlite3_value_bytes(argv[13]);
    if (!c->hist)
        c->hist_len = 0;
}

/* cxm_cell_chk(<the 14 columns>): the checksum of a cell. */
static void cell_chk_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    struct cell_row c;

    (void)argc;
    cell_from_values(argv, &c);
    sqlite3_result_int64(cx, cell_chk(&c));
}

#define DAMAGED_CELL "a rollup cell is damaged (its checksum does not match)"

/* cxm_cell_ok(<the 14 columns>, chk): 1, or the error DAMAGED_CELL when
 * chk is not the cell's checksum; a cell read to be added to or summed
 * must be the one written (else the sum would carry the damage on under
 * a new checksum). */
static void cell_ok_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    struct cell_row c;

    (void)argc;
    cell_from_values(argv, &c);
    if (sqlite3_value_type(argv[14]) != SQLITE_INTEGER ||
        sqlite3_value_int64(argv[14]) != cell_chk(&c)) {
        sqlite3_result_error(cx, DAMAGED_CELL, -1);
        return;
    }
    sqlite3_result_int(cx, 1);
}

/* The checksum of a column dictionary entry (col_dict.chk, 0010): a
 * renamed value would relabel every answer of its id. */
static int64_t dict_chk(int64_t ws, int64_t col, int64_t id, const char *v,
                        size_t len)
{
    uint8_t b[24];

    cxm__put_le64(b, (uint64_t)ws);
    cxm__put_le64(b + 8, (uint64_t)col);
    cxm__put_le64(b + 16, (uint64_t)id);
    return (int64_t)cxm__xxh64(v, len, cxm__xxh64(b, sizeof(b), 0));
}

/* cxm_dict_chk(workspace_id, col, id, value). */
static void dict_chk_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const char *v = (const char *)sqlite3_value_text(argv[3]);

    (void)argc;
    sqlite3_result_int64(
        cx, dict_chk(sqlite3_value_int64(argv[0]), sqlite3_value_int64(argv[1]),
                     sqlite3_value_int64(argv[2]), v ? v : "",
                     v ? (size_t)sqlite3_value_bytes(argv[3]) : 0));
}

#define DAMAGED_DICT "the column dictionary is damaged (an entry's checksum " \
                     "does not match)"

/* ---- SQL -------------------------------------------------------------- */

/* The one integer `sql` selects, without parameters. */
static cxm_rc select_int(cxm_store *st, const char *sql, int64_t *out)
{
    return cxm__sq_run_ints(st, sql, NULL, 0, out);
}

/* The answers a metric reads, with the dimensions a report sees
 * (attributed as SPEC §2 says: sqlite_int.h). */
#define ANSWERS_SELECT                                                      \
    "SELECT " CXM__SQ_ANSWER_COLS ", r.responded_at, r.score, r.scale_min," \
    " r.scale_max"
#define ANSWERS_READ                                                        \
    " r.score IS NOT NULL AND r.survey IN ('csat', 'nps', 'ces')"

static const char answers_sql[] =
    ANSWERS_SELECT CXM__SQ_ANSWER_FROM("")
    " WHERE r.workspace_id = ?1 AND r.responded_at >= ?2"
    "  AND r.responded_at < ?3 AND" ANSWERS_READ;

/* The same over every answer of the workspace, in table order: a recount
 * of many months reads the table once, front to back, instead of one
 * index range (and a random row fetch per answer) per month. */
static const char answers_all_sql[] =
    ANSWERS_SELECT CXM__SQ_ANSWER_FROM(" NOT INDEXED")
    " WHERE r.workspace_id = ?1 AND" ANSWERS_READ;

/* The answers this transaction added (append mode): the rows at or past
 * the rowid noted at BEGIN, in table order. */
static const char answers_new_sql[] =
    ANSWERS_SELECT CXM__SQ_ANSWER_FROM(" NOT INDEXED")
    " WHERE r.workspace_id = ?1 AND r.rowid >= ?2 AND" ANSWERS_READ;

/* Below this many dirty months, never one scan (want_full_scan()). */
#define FULL_SCAN_MONTHS 4

static const char delete_sql[] =
    "DELETE FROM rollup_answers WHERE workspace_id = ?1 AND grain = ?2"
    " AND cube = ?3 AND t >= ?4 AND t < ?5";

#define INSERT_CELL_SQL                                                     \
    "INSERT INTO rollup_answers (workspace_id, grain, cube, t, survey,"     \
    " scale_min, scale_max, agent_id, team, channel, language, topic, n,"   \
    " hist, chk) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12," \
    " ?13, ?14, ?15)"

/* The columns of a stored cell, in cxm_cell_chk()'s order. */
#define CELL_COLS                                                           \
    "workspace_id, grain, cube, t, survey, scale_min, scale_max, agent_id," \
    " team, channel, language, topic"

static const char insert_sql[] = INSERT_CELL_SQL;

/* A cell's counts added to the stored cell of its key, or stored. */
static const char add_sql[] =
    INSERT_CELL_SQL
    " ON CONFLICT (workspace_id, grain, cube, t, survey, scale_min,"
    "  scale_max, agent_id, team, channel, language, topic)"
    " DO UPDATE SET n = n + excluded.n,"
    "  hist = cxm_hist_add(hist, excluded.hist,"
    "   cxm_cell_ok(" CELL_COLS ", n, hist, chk)),"
    "  chk = cxm_cell_chk(" CELL_COLS ", n + excluded.n,"
    "   cxm_hist_add(hist, excluded.hist, 1))";


/* A kind looked up before: survey and scale, and its id. */
struct kind_memo {
    const char *survey; /* borrowed from the dictionary */
    size_t survey_len;
    int lo, hi;
    uint32_t id;
};

/* One month being recounted: its finest cubes and its column segment. */
struct month {
    int64_t m0, m1;                /* [m0, m1), ms */
    struct cellset day, agent;     /* day_cubes[0], AGENT_CUBE */
    bool agent_off;                /* too many agent cells: none kept */
    struct cxm__colseg_writer seg; /* the month's answers, as columns */
    bool overflow;                 /* an id outgrew two bytes */
};

/* The statements and scratch of one flush. */
struct flush {
    cxm_store *st;
    sqlite3_stmt *answers, *answers_all, *count, *del, *ins, *dict_ins,
        *seg_put, *seg_del;
    /* Append mode (want_append()): only the answers at or past rowid
     * `mark` are counted, and added to the cells and segments stored. */
    bool append;
    int64_t mark;
    sqlite3_stmt *answers_new, *add, *seg_get;
    /* Append mode: the new answers' year (t = the year's first day) and
     * all-time (t = 0) cells of the months written, per month cube. */
    struct cellset years[CXM_ARRAY_LEN(month_cubes)];
    struct cellset ever[CXM_ARRAY_LEN(month_cubes)];
    uint8_t *blob; /* owned scratch for hist */
    size_t blob_cap;
    struct coldict dict;
    /* The kinds met first (answers interleave surveys, so one is not
     * enough); reset with dict. */
    struct kind_memo kinds[8];
    size_t n_kinds;
    struct month *months;  /* owned: the dirty months of one workspace */
    size_t n_months, months_cap;
};

static void month_release(struct month *m)
{
    cellset_release(&m->day);
    cellset_release(&m->agent);
    cxm__colseg_writer_release(&m->seg);
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
    fl->n_kinds = 0;
    rc = cxm__sq_kept(fl->st, "SELECT col, id, value, chk FROM col_dict"
                         " WHERE workspace_id = ?1",
                         &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, ws);
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        int c = sqlite3_column_int(s, 0);
        int64_t id = sqlite3_column_int64(s, 1);
        const char *v = (const char *)sqlite3_column_text(s, 2);
        size_t len = (size_t)sqlite3_column_bytes(s, 2), pos;
        const char *kept;
        bool inserted;
        if (c < 0 || c >= CXM__COL_COUNT || id < 0 ||
            id > (int64_t)CXM__COL_MAX_ID || !v) {
            cxm__store_set_error(fl->st, "col_dict holds a bad entry");
            rc = CXM_ESTORE;
            break;
        }
        if (sqlite3_column_type(s, 3) != SQLITE_INTEGER ||
            sqlite3_column_int64(s, 3) != dict_chk(ws, c, id, v, len)) {
            /* The recount starts again from the rows, dictionary and all
             * (cxm__sq_rollup_flush()). */
            cxm__store_set_error(fl->st, DAMAGED_DICT);
            rc = CXM_ESTORE;
            break;
        }
        rc = cxm__strmap_upsert(&d->map[c], v, len, (size_t)id, &pos, &kept,
                                &inserted);
        if (!rc && inserted)
            rc = coldict_name(d, c, (size_t)id, kept, len);
        if (!rc && (size_t)id >= d->next[c])
            d->next[c] = (size_t)id + 1;
    }
    if (!rc && step != SQLITE_DONE)
        rc = cxm__sq_fail(fl->st);
    cxm__sq_unkeep(fl->st, s);
    d->loaded = !rc;
    d->ws = ws;
    return rc;
}

/* The id of value v in column c, numbered and stored when new. An id past
 * CXM__COL_MAX_ID is kept in memory only (its month gets no segment). */
static cxm_rc coldict_id(struct flush *fl, int64_t ws, int c, const char *v,
                         size_t n, uint32_t *id)
{
    struct coldict *d = &fl->dict;
    const char *kept;
    size_t pos;
    bool inserted;
    cxm_rc rc;

    /* Neighbouring answers often share a value: no hash for those. */
    if (d->last[c].s && d->last[c].len == n &&
        memcmp(d->last[c].s, v, n) == 0) {
        *id = d->last_id[c];
        return CXM_OK;
    }
    rc = cxm__strmap_upsert(&d->map[c], v, n, d->next[c], &pos, &kept,
                            &inserted);
    if (rc)
        return rc;
    if (pos >= NO_ID)
        return CXM_ETOOBIG; /* the flush fails; the dictionary is dropped */
    if (inserted) {
        d->next[c]++;
        rc = coldict_name(d, c, pos, kept, n);
        if (rc)
            return rc;
        if (pos <= CXM__COL_MAX_ID) {
            sqlite3_stmt *s = fl->dict_ins;
            sqlite3_reset(s);
            sqlite3_bind_int64(s, 1, ws);
            sqlite3_bind_int(s, 2, c);
            sqlite3_bind_int64(s, 3, (int64_t)pos);
            sqlite3_bind_text(s, 4, v, (int)n, SQLITE_STATIC);
            sqlite3_bind_int64(s, 5, dict_chk(ws, c, (int64_t)pos, v, n));
            if (sqlite3_step(s) != SQLITE_DONE)
                return cxm__sq_fail(fl->st);
        }
    }
    d->last[c].s = kept;
    d->last[c].len = n;
    d->last_id[c] = (uint32_t)pos;
    *id = (uint32_t)pos;
    return CXM_OK;
}

/* The id of the kind survey + scale lo..hi (col_dict column 0: the three
 * joined by SEP), numbered and stored when new. */
static cxm_rc kind_id(struct flush *fl, int64_t ws, const char *survey,
                      size_t n, int lo, int hi, uint32_t *id)
{
    struct kind_memo *k;
    char text[96];
    int len;
    cxm_rc rc;

    for (size_t i = 0; i < fl->n_kinds; i++) {
        k = &fl->kinds[i];
        if (k->lo == lo && k->hi == hi && k->survey_len == n &&
            memcmp(k->survey, survey, n) == 0) {
            *id = k->id;
            return CXM_OK;
        }
    }
    len = snprintf(text, sizeof(text), "%.*s%c%d%c%d", (int)n, survey, SEP,
                   lo, SEP, hi);
    if (len < 0 || (size_t)len >= sizeof(text))
        return CXM_ETOOBIG; /* the survey is one of three short names */
    rc = coldict_id(fl, ws, CXM__COL_KIND, text, (size_t)len, id);
    if (rc || fl->n_kinds == CXM_ARRAY_LEN(fl->kinds))
        return rc;
    k = &fl->kinds[fl->n_kinds++];
    k->survey = coldict_value(&fl->dict, CXM__COL_KIND, *id).s;
    k->survey_len = n; /* the kind's text starts with the survey */
    k->lo = lo;
    k->hi = hi;
    k->id = *id;
    return CXM_OK;
}

static const char *text_or_empty(sqlite3_stmt *s, int i, size_t *n)
{
    const char *t = (const char *)sqlite3_column_text(s, i);

    *n = t ? (size_t)sqlite3_column_bytes(s, i) : 0;
    return t ? t : "";
}

/* The dictionary ids (enum cxm__col order) of the answer at the current
 * row of an answers statement, whose scale is lo..hi. */
static cxm_rc answer_ids(struct flush *fl, int64_t ws, sqlite3_stmt *s,
                         int lo, int hi, uint32_t id[CXM__COL_COUNT])
{
    /* The statement column of each dictionary column (ANSWERS_SELECT). */
    static const int stmt_col[CXM__COL_COUNT] = {0, 1, 2, 3, 4, 5};
    const char *v;
    size_t n;
    cxm_rc rc;

    v = text_or_empty(s, stmt_col[CXM__COL_KIND], &n);
    rc = kind_id(fl, ws, v, n, lo, hi, &id[CXM__COL_KIND]);
    for (int c = 1; !rc && c < CXM__COL_COUNT; c++) {
        v = text_or_empty(s, stmt_col[c], &n);
        rc = coldict_id(fl, ws, c, v, n, &id[c]);
    }
    return rc;
}

/* Adds an answer to the month's column segment; a month holding an id
 * past CXM__COL_MAX_ID gets no segment. */
static cxm_rc seg_push(struct month *m, int64_t at, int score, int lo,
                       const uint32_t id[CXM__COL_COUNT])
{
    uint32_t ids[CXM__COL_COUNT];

    for (int c = 0; c < CXM__COL_COUNT; c++) {
        ids[c] = id[c];
        if (id[c] > CXM__COL_MAX_ID) {
            m->overflow = true;
            ids[c] = 0;
        }
    }
    return cxm__colseg_push(&m->seg, (uint32_t)(at - m->m0),
                            (uint16_t)(score - lo), ids);
}

/* Writes (or removes) the month's column segment. */
static cxm_rc seg_write(struct flush *fl, int64_t ws, const struct month *m)
{
    int64_t t = cxm__day_of_ms(m->m0);
    uint8_t *blob = NULL;
    size_t len = 0;
    cxm_rc rc = CXM_OK;
    sqlite3_stmt *s;

    if (m->seg.n == 0) {
        s = fl->seg_del;
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, ws);
        sqlite3_bind_int64(s, 2, t);
        return sqlite3_step(s) == SQLITE_DONE ? CXM_OK : cxm__sq_fail(fl->st);
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
        rc = cxm__sq_fail(fl->st);
    sqlite3_reset(s); /* lets go of the blob before it is freed */
    cxm__free(blob);
    return rc;
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
    cxm_rc rc = CXM_OK;
    int step = SQLITE_DONE;

    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        struct cell_key key, k;
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
        rc = answer_ids(fl, ws, s, lo, hi, key.id);
        if (!rc)
            rc = seg_push(m, at, score, lo, key.id);
        if (rc)
            break;
        key.t = cxm__day_of_ms(at);
        k = key_in_cube(&key, day_cubes[0]);
        rc = cellset_get(&m->day, &k, lo, hi, &c);
        if (rc)
            break;
        cell_add(c, score, 1, NULL);
        if (m->agent_off)
            continue;
        key.t = cxm__day_of_ms(m->m0);
        k = key_in_cube(&key, AGENT_CUBE);
        rc = cellset_get(&m->agent, &k, lo, hi, &c);
        if (rc)
            break;
        cell_add(c, score, 1, NULL);
        if (m->agent.n > AGENT_CELLS_FREE && m->agent.n > m->seg.n / 4) {
            m->agent_off = true;
            cellset_release(&m->agent);
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = cxm__sq_fail(fl->st);
    sqlite3_reset(s);
    return rc;
}

static cxm_rc bind_value(cxm_store *st, sqlite3_stmt *s, int i,
                         struct dict_name v)
{
    return sqlite3_bind_text(s, i, v.s, (int)v.len, SQLITE_STATIC) ==
                   SQLITE_OK
               ? CXM_OK
               : cxm__sq_fail(st);
}

/* Deletes the cells of (grain, cube) over days [t0, t1). */
static cxm_rc delete_cells(struct flush *fl, int64_t ws,
                           enum cxm__sq_grain grain,
                           enum cxm__sq_cube cube, int64_t t0, int64_t t1)
{
    sqlite3_reset(fl->del);
    sqlite3_bind_int64(fl->del, 1, ws);
    sqlite3_bind_int(fl->del, 2, grain);
    sqlite3_bind_int(fl->del, 3, (int)cube);
    sqlite3_bind_int64(fl->del, 4, t0);
    sqlite3_bind_int64(fl->del, 5, t1);
    return sqlite3_step(fl->del) == SQLITE_DONE
               ? CXM_OK
               : cxm__sq_fail(fl->st);
}

/* Runs statement s (fl->ins or fl->add) for every cell of cs as a cell of
 * (grain, cube) whose first day is t, or the cell's own when t is
 * INT64_MIN; the dictionary gives back the text of their ids. */
static cxm_rc put_cells(struct flush *fl, sqlite3_stmt *s, int64_t ws,
                        enum cxm__sq_grain grain, enum cxm__sq_cube cube,
                        int64_t t,
                        const struct cellset *cs)
{
    cxm_rc rc = CXM_OK;

    for (size_t i = 0; !rc && i < cs->n; i++) {
        const struct cell *c = &cs->cells[i];
        size_t span = (size_t)(c->hi - c->lo) + 1;
        struct dict_name survey =
            coldict_value(&fl->dict, CXM__COL_KIND, c->key.id[CXM__COL_KIND]);
        const char *sep = memchr(survey.s, SEP, survey.len);

        rc = cxm__grow((void **)&fl->blob, &fl->blob_cap, span * 8, 1);
        if (rc)
            break;
        for (size_t k = 0; k < span; k++) {
            uint64_t v = (uint64_t)c->hist[k];
            for (int b = 0; b < 8; b++)
                fl->blob[k * 8 + (size_t)b] = (uint8_t)(v >> (8 * b));
        }
        if (sep)
            survey.len = (size_t)(sep - survey.s);
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, ws);
        sqlite3_bind_int(s, 2, grain);
        sqlite3_bind_int(s, 3, (int)cube);
        sqlite3_bind_int64(s, 4, t == INT64_MIN ? c->key.t : t);
        rc = bind_value(fl->st, s, 5, survey);
        sqlite3_bind_int(s, 6, c->lo);
        sqlite3_bind_int(s, 7, c->hi);
        for (int col = CXM__COL_AGENT; !rc && col <= CXM__COL_TOPIC; col++)
            rc = bind_value(fl->st, s, 8 + (col - CXM__COL_AGENT),
                            coldict_value(&fl->dict, col, c->key.id[col]));
        sqlite3_bind_int64(s, 13, c->n);
        sqlite3_bind_blob(s, 14, fl->blob, (int)(span * 8), SQLITE_STATIC);
        if (!rc) {
            struct cell_row row = {
                ws, grain, cube, t == INT64_MIN ? c->key.t : t,
                {survey}, c->lo, c->hi, c->n, fl->blob, span * 8};
            for (int col = CXM__COL_AGENT; col <= CXM__COL_TOPIC; col++)
                row.text[col] = coldict_value(&fl->dict, col,
                                              c->key.id[col]);
            sqlite3_bind_int64(s, 15, cell_chk(&row));
        }
        if (!rc && sqlite3_step(s) != SQLITE_DONE)
            rc = cxm__sq_fail(fl->st);
    }
    return rc;
}

/* Append mode: adds the month's new answers to its stored column segment,
 * or writes the segment when the month held no answers; *held tells
 * which. */
static cxm_rc seg_append(struct flush *fl, int64_t ws, struct month *m,
                         bool *held)
{
    int64_t t = cxm__day_of_ms(m->m0), old_n;
    struct cxm__colseg_writer all;
    struct cxm__colseg view;
    const uint8_t *blob;
    sqlite3_stmt *s = fl->seg_get;
    cxm_rc rc = CXM_OK;
    bool keep_blob;
    int step;

    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, ws);
    sqlite3_bind_int64(s, 2, t);
    step = sqlite3_step(s);
    *held = step == SQLITE_ROW;
    if (step != SQLITE_ROW) {
        sqlite3_reset(s);
        return step == SQLITE_DONE ? seg_write(fl, ws, m)
                                   : cxm__sq_fail(fl->st);
    }
    if (m->seg.n == 0) {
        sqlite3_reset(s);
        return CXM_OK; /* no new answer the segments keep */
    }
    old_n = sqlite3_column_int64(s, 0);
    blob = sqlite3_column_blob(s, 1);
    keep_blob = blob && !m->overflow;
    memset(&all, 0, sizeof(all));
    if (old_n < 0 ||
        (keep_blob &&
         (cxm__colseg_view(blob, (size_t)sqlite3_column_bytes(s, 1), true,
                           &view) ||
          (int64_t)view.n != old_n))) {
        sqlite3_reset(s);
        cxm__store_set_error(fl->st, "a column segment is malformed");
        return CXM_ESTORE;
    }
    /* The stored answers, then the new ones: a segment's order is not
     * read (colscan.c). A month without a blob keeps none. */
    for (size_t i = 0; keep_blob && !rc && i < view.n; i++) {
        uint32_t id[CXM__COL_COUNT];
        for (int c = 0; c < CXM__COL_COUNT; c++)
            id[c] = cxm__colseg_get(view.col[c], view.w[c], i);
        rc = cxm__colseg_push(
            &all, cxm__colseg_off(&view, i),
            (uint16_t)cxm__colseg_get(view.score, view.score_w, i), id);
    }
    sqlite3_reset(s); /* the blob is not read past here */
    for (size_t i = 0; keep_blob && !rc && i < m->seg.n; i++) {
        uint32_t id[CXM__COL_COUNT];
        for (int c = 0; c < CXM__COL_COUNT; c++)
            id[c] = cxm__colseg_writer_id(&m->seg, c, i);
        rc = cxm__colseg_push(&all, m->seg.off[i], m->seg.score[i], id);
    }
    if (!rc && keep_blob && (int64_t)all.n != old_n + (int64_t)m->seg.n) {
        cxm__store_set_error(fl->st, "a column segment's count is wrong");
        rc = CXM_ESTORE;
    }
    if (!rc) {
        /* seg_write() encodes m->seg: hand it the whole month, or only
         * the count when the month keeps no blob. */
        size_t total = (size_t)old_n + m->seg.n;
        cxm__colseg_writer_release(&m->seg);
        if (keep_blob) {
            m->seg = all;
            memset(&all, 0, sizeof(all));
        } else {
            m->overflow = true;
            m->seg.n = total;
        }
        rc = seg_write(fl, ws, m);
    }
    cxm__colseg_writer_release(&all);
    return rc;
}

/* Writes a counted month: its column segment, and every cube summed from
 * the finest two. In append mode the counts are the new answers': added
 * to the cells of a month that held answers, and summed into fl's year
 * and all-time cells, added to the stored ones once all months are
 * written (write_years() sums those in the other mode). */
/* The agent cube of month d0 (first day) is not kept: its cells
 * removed, the month listed in rollup_off; or, `off` false, listed no
 * more (a recount that kept them). */
static cxm_rc agent_cube_off(struct flush *fl, int64_t ws, int64_t d0,
                             bool off)
{
    cxm_rc rc = CXM_OK;

    if (off)
        rc = delete_cells(fl, ws, CXM__SQ_GRAIN_MONTH, AGENT_CUBE, d0,
                              d0 + 1);
    if (!rc)
        rc = cxm__sq_run_ints(fl->st,
                              off ? "INSERT OR IGNORE INTO rollup_off"
                            " (workspace_id, cube, t) VALUES (?1, ?2, ?3)"
                          : "DELETE FROM rollup_off WHERE workspace_id = ?1"
                            " AND cube = ?2 AND t = ?3",
                              (int64_t[]){ws, AGENT_CUBE, d0}, 3, NULL);
    return rc;
}

static cxm_rc write_month(struct flush *fl, int64_t ws, struct month *m)
{
    int64_t d0 = cxm__day_of_ms(m->m0), d1 = cxm__day_of_ms(m->m1);
    int64_t y0 = cxm__day_of_ms(cxm__bucket_start(CXM_BY_YEAR, m->m0));
    struct cellset day[CXM_ARRAY_LEN(day_cubes)];
    struct cellset month[CXM_ARRAY_LEN(month_cubes)];
    bool add = false;
    sqlite3_stmt *put;
    cxm_rc rc;

    memset(day, 0, sizeof(day));
    memset(month, 0, sizeof(month));
    rc = fl->append ? seg_append(fl, ws, m, &add) : seg_write(fl, ws, m);
    put = add ? fl->add : fl->ins;
    /* An append to a month whose agent cube is off keeps it off. */
    if (!rc && add && !m->agent_off) {
        int64_t off = 0;
        rc = cxm__sq_run_ints(fl->st,
                              "SELECT EXISTS (SELECT 1 FROM rollup_off"
                              " WHERE workspace_id = ?1 AND cube = ?2 AND t = ?3)",
                              (int64_t[]){ws, AGENT_CUBE, d0}, 3, &off);
        m->agent_off = off != 0;
    }
    if (!rc && (m->agent_off || !add))
        rc = agent_cube_off(fl, ws, d0, m->agent_off);
    for (size_t i = 1; !rc && i < CXM_ARRAY_LEN(day_cubes); i++)
        rc = derive(&m->day, day_cubes[i], INT64_MIN, &day[i]);
    /* The month cubes without agent: the month's day cells summed. */
    for (size_t i = 1; !rc && i < CXM_ARRAY_LEN(month_cubes); i++)
        rc = derive(&m->day, month_cubes[i], d0, &month[i]);
    for (size_t i = 0; !rc && i < CXM_ARRAY_LEN(day_cubes); i++) {
        const struct cellset *cs = i ? &day[i] : &m->day;
        if (!add)
            rc = delete_cells(fl, ws, CXM__SQ_GRAIN_DAY, day_cubes[i], d0,
                              d1);
        if (!rc)
            rc = put_cells(fl, put, ws, CXM__SQ_GRAIN_DAY, day_cubes[i],
                           INT64_MIN, cs);
    }
    for (size_t i = 0; !rc && i < CXM_ARRAY_LEN(month_cubes); i++) {
        const struct cellset *cs = i ? &month[i] : &m->agent;
        if (month_cubes[i] == AGENT_CUBE && m->agent_off)
            continue; /* agent_cube_off() removed its cells */
        if (!add)
            rc = delete_cells(fl, ws, CXM__SQ_GRAIN_MONTH, month_cubes[i],
                              d0, d0 + 1);
        if (!rc)
            rc = put_cells(fl, put, ws, CXM__SQ_GRAIN_MONTH,
                           month_cubes[i], INT64_MIN, cs);
        if (!rc && fl->append)
            rc = derive(cs, month_cubes[i], y0, &fl->years[i]);
        if (!rc && fl->append)
            rc = derive(cs, month_cubes[i], 0, &fl->ever[i]);
    }
    for (size_t i = 0; i < CXM_ARRAY_LEN(day_cubes); i++)
        cellset_release(&day[i]);
    for (size_t i = 0; i < CXM_ARRAY_LEN(month_cubes); i++)
        cellset_release(&month[i]);
    return rc;
}

/* Whether to recount the dirty months by one scan of the whole table, in
 * table order, rather than by one index range each: the ranges fetch each
 * answer's row out of table order, at more than twice the cost of a row
 * of the scan (docs/performance.md), so the scan only pays when the dirty
 * months hold about a third of the rows or more. Their answers are
 * counted through the responded_at index, which is cheap, until a third
 * of max(rowid) is reached. */
static cxm_rc want_full_scan(struct flush *fl, int64_t ws, bool *full)
{
    int64_t rows = 0, dirty = 0;
    cxm_rc rc;

    *full = false;
    if (fl->n_months < FULL_SCAN_MONTHS)
        return CXM_OK;
    rc = select_int(fl->st, "SELECT coalesce(max(rowid), 0) FROM responses",
                   &rows);
    for (size_t i = 0; !rc && !*full && i < fl->n_months; i++) {
        sqlite3_stmt *s = fl->count;
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, ws);
        sqlite3_bind_int64(s, 2, fl->months[i].m0);
        sqlite3_bind_int64(s, 3, fl->months[i].m1);
        if (sqlite3_step(s) != SQLITE_ROW)
            return cxm__sq_fail(fl->st);
        dirty += sqlite3_column_int64(s, 0);
        *full = dirty >= rows / 3;
    }
    return rc;
}

/* Recounts the dirty months fl->months of workspace ws: one scan of the
 * table when they hold many of its rows, else one index range each. */
/* ---- Years and all time (0007-rollup-years.sql) ------------------------ */

/* The running sum of cxm_hist_sum(): n little-endian int64 counts. */
struct hist_sum {
    int64_t *v; /* sqlite3_malloc'd; n counts */
    size_t n;
    bool bad;   /* a histogram of another length, or not one */
};

static void hist_sum_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    struct hist_sum *a = sqlite3_aggregate_context(cx, sizeof(*a));
    const uint8_t *h;
    size_t len;

    (void)argc;
    if (!a) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    if (a->bad)
        return;
    h = sqlite3_value_blob(argv[0]);
    len = (size_t)sqlite3_value_bytes(argv[0]);
    if (!h || len == 0 || len % 8 || len > (MAX_SPAN + 1) * 8 ||
        (a->v && len != a->n * 8)) {
        a->bad = true;
        return;
    }
    if (!a->v) {
        a->v = sqlite3_malloc64(len);
        if (!a->v) {
            sqlite3_result_error_nomem(cx);
            return;
        }
        memset(a->v, 0, len);
        a->n = len / 8;
    }
    for (size_t k = 0; k < a->n; k++) {
        uint64_t v = 0;
        for (int b = 0; b < 8; b++)
            v |= (uint64_t)h[k * 8 + (size_t)b] << (8 * b);
        a->v[k] += (int64_t)v;
    }
}

static void hist_sum_final(sqlite3_context *cx)
{
    struct hist_sum *a = sqlite3_aggregate_context(cx, 0);
    uint8_t *out;

    if (!a || (!a->v && !a->bad)) {
        sqlite3_result_null(cx); /* no rows */
        return;
    }
    if (a->bad) {
        sqlite3_free(a->v);
        sqlite3_result_error(cx, "a rollup cell is malformed", -1);
        return;
    }
    /* The sum is written over the counts, in place. */
    out = (uint8_t *)a->v;
    for (size_t k = 0; k < a->n; k++) {
        uint64_t v = (uint64_t)a->v[k];
        for (int b = 0; b < 8; b++)
            out[k * 8 + (size_t)b] = (uint8_t)(v >> (8 * b));
    }
    sqlite3_result_blob(cx, out, (int)(a->n * 8), sqlite3_free);
}

/* cxm_hist_add(a, b, ok): two histograms of one length added, count by
 * count (a cell's counts plus new answers', append mode); `ok` is only
 * there to be evaluated first (cxm_cell_ok() of the stored cell). */
static void hist_add(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const uint8_t *a = sqlite3_value_blob(argv[0]);
    size_t len = (size_t)sqlite3_value_bytes(argv[0]);
    const uint8_t *b = sqlite3_value_blob(argv[1]);
    uint8_t *out;

    (void)argc;
    if (!a || !b || len == 0 || len % 8 || len > (MAX_SPAN + 1) * 8 ||
        (size_t)sqlite3_value_bytes(argv[1]) != len) {
        sqlite3_result_error(cx, "a rollup cell is malformed", -1);
        return;
    }
    out = sqlite3_malloc64(len);
    if (!out) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    for (size_t k = 0; k < len; k += 8) {
        uint64_t x = 0, y = 0;
        for (int i = 0; i < 8; i++) {
            x |= (uint64_t)a[k + (size_t)i] << (8 * i);
            y |= (uint64_t)b[k + (size_t)i] << (8 * i);
        }
        x += y;
        for (int i = 0; i < 8; i++)
            out[k + (size_t)i] = (uint8_t)(x >> (8 * i));
    }
    sqlite3_result_blob(cx, out, (int)len, sqlite3_free);
}

/* cxm_colseg_upgrade(data): a column segment of the layout before 0010
 * in the current one (colseg.h), NULL for NULL or a blob that is not one
 * (its month then reads the rows). */
static void colseg_upgrade_fn(sqlite3_context *cx, int argc,
                              sqlite3_value **argv)
{
    const uint8_t *b = sqlite3_value_blob(argv[0]);
    size_t len = (size_t)sqlite3_value_bytes(argv[0]), out_len;
    uint8_t *out;
    cxm_rc rc;

    (void)argc;
    rc = cxm__colseg_upgrade(b, len, &out, &out_len);
    if (rc == CXM_ENOMEM) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    if (rc) {
        sqlite3_result_null(cx);
        return;
    }
    sqlite3_result_blob64(cx, out, out_len, SQLITE_TRANSIENT);
    cxm__free(out);
}

cxm_rc cxm__sq_rollup_register(struct sqlite3 *db)
{
    /* name, arguments, scalar function, or aggregate step and final */
    static const struct {
        const char *name;
        int n_args;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
        void (*step)(sqlite3_context *, int, sqlite3_value **);
        void (*final)(sqlite3_context *);
    } fns[] = {
        {"cxm_hist_sum", 1, NULL, hist_sum_step, hist_sum_final},
        {"cxm_hist_add", 3, hist_add, NULL, NULL},
        {"cxm_cell_chk", 14, cell_chk_fn, NULL, NULL},
        {"cxm_dict_chk", 4, dict_chk_fn, NULL, NULL},
        {"cxm_cell_ok", 15, cell_ok_fn, NULL, NULL},
        {"cxm_colseg_upgrade", 1, colseg_upgrade_fn, NULL, NULL},
    };
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;

    for (size_t i = 0; i < CXM_ARRAY_LEN(fns); i++) {
        if (sqlite3_create_function_v2(db, fns[i].name, fns[i].n_args, flags,
                                       NULL, fns[i].fn, fns[i].step,
                                       fns[i].final, NULL) != SQLITE_OK)
            return CXM_ESTORE;
    }
    return CXM_OK;
}

/* The cells of grain `to` summed from the cells of grain `from` with
 * first day in [?2, ?3), as one cell of first day ?4 per key; every cell
 * summed is checked first (cxm_cell_ok()). */
#define SUM_CELLS_SQL(to, from)                                             \
    "INSERT INTO rollup_answers (" CELL_COLS ", n, hist, chk)"             \
    " SELECT " CELL_COLS ", n, hist, cxm_cell_chk(" CELL_COLS ", n, hist)"  \
    " FROM (SELECT workspace_id, " to " AS grain, cube, ?4 AS t, survey,"   \
    "  scale_min, scale_max, agent_id, team, channel, language, topic,"     \
    "  sum(n) AS n, cxm_hist_sum(hist) AS hist"                             \
    "  FROM rollup_answers WHERE workspace_id = ?1 AND grain = " from       \
    "   AND t >= ?2 AND t < ?3"                                             \
    "   AND cxm_cell_ok(" CELL_COLS ", n, hist, chk)"                      \
    "  GROUP BY cube, survey, scale_min, scale_max, agent_id, team,"        \
    "   channel, language, topic)"

/* After the months of fl were written: the year cells (grain 2) of the
 * UTC years they lie in, summed from those years' month cells, and the
 * all-time cells (grain 3, t 0), summed from every year's. A few thousand
 * cells either way, whatever the number of answers. */
static cxm_rc write_years(struct flush *fl, int64_t ws)
{
    static const char del_sql[] =
        "DELETE FROM rollup_answers WHERE workspace_id = ?1 AND grain = ?4"
        " AND t >= ?2 AND t < ?3";
    int64_t last_y = INT64_MIN;
    cxm_rc rc = CXM_OK;

    if (!fl->n_months)
        return CXM_OK;
    for (size_t i = 0; !rc && i < fl->n_months; i++) {
        int64_t y0 = cxm__bucket_start(CXM_BY_YEAR, fl->months[i].m0);
        int64_t d0 = cxm__day_of_ms(y0);
        int64_t d1 = cxm__day_of_ms(cxm__bucket_next(CXM_BY_YEAR, y0));
        if (y0 == last_y)
            continue; /* months are in order */
        last_y = y0;
        rc = cxm__sq_run_ints(fl->st, del_sql, (int64_t[]){ws, d0, d1, 2}, 4, NULL);
        if (!rc)
            rc = cxm__sq_run_ints(fl->st, SUM_CELLS_SQL("2", "1"),
                                  (int64_t[]){ws, d0, d1, d0}, 4, NULL);
    }
    if (!rc)
        rc = cxm__sq_run_ints(fl->st, del_sql,
                              (int64_t[]){ws, INT64_MIN, INT64_MAX, 3}, 4, NULL);
    if (!rc)
        rc = cxm__sq_run_ints(fl->st, SUM_CELLS_SQL("3", "2"),
                              (int64_t[]){ws, INT64_MIN, INT64_MAX, 0}, 4, NULL);
    return rc;
}

static cxm_rc flush_workspace(struct flush *fl, int64_t ws)
{
    bool full = false;
    cxm_rc rc = coldict_load(fl, ws);

    if (!rc && fl->append) {
        sqlite3_bind_int64(fl->answers_new, 1, ws);
        sqlite3_bind_int64(fl->answers_new, 2, fl->mark);
        rc = count_rows(fl, ws, fl->answers_new);
    } else if (!rc) {
        rc = want_full_scan(fl, ws, &full);
    }
    if (!rc && full) {
        sqlite3_bind_int64(fl->answers_all, 1, ws);
        rc = count_rows(fl, ws, fl->answers_all);
    }
    for (size_t i = 0; !rc && !full && !fl->append && i < fl->n_months;
         i++) {
        sqlite3_bind_int64(fl->answers, 1, ws);
        sqlite3_bind_int64(fl->answers, 2, fl->months[i].m0);
        sqlite3_bind_int64(fl->answers, 3, fl->months[i].m1);
        rc = count_rows(fl, ws, fl->answers);
    }
    for (size_t i = 0; !rc && i < fl->n_months; i++)
        rc = write_month(fl, ws, &fl->months[i]);
    if (!rc && !fl->append)
        rc = write_years(fl, ws);
    for (size_t i = 0; fl->append && i < CXM_ARRAY_LEN(month_cubes); i++) {
        if (!rc)
            rc = put_cells(fl, fl->add, ws, CXM__SQ_GRAIN_YEAR,
                           month_cubes[i], INT64_MIN,
                           &fl->years[i]);
        if (!rc)
            rc = put_cells(fl, fl->add, ws, CXM__SQ_GRAIN_ALL,
                           month_cubes[i], INT64_MIN,
                           &fl->ever[i]);
        cellset_release(&fl->years[i]);
        cellset_release(&fl->ever[i]);
    }
    for (size_t i = 0; i < fl->n_months; i++)
        month_release(&fl->months[i]);
    fl->n_months = 0;
    return rc;
}

/* SQL: the UTC day of the ms column `col` (cxm__day_of_ms(), with
 * CXM__MS_PER_DAY written out), as the migrations compute it. */
#define SQL_DAY_OF(col) "(" col " - (" col " < 0) * 86399999) / 86400000"

/* The days of the answers at or past rowid ?1; hint: "" or " NOT
 * INDEXED" (mark_written()). */
#define RESPONSES_MARK_SQL(hint)                                            \
    "INSERT OR IGNORE INTO rollup_dirty"                                    \
    " SELECT DISTINCT workspace_id,"                                        \
    "  " SQL_DAY_OF("responded_at")                                         \
    " FROM responses" hint " WHERE rowid >= ?1"

/* The days of the answers of the tickets this transaction wrote. */
#define TICKETS_MARK_SQL(join)                                              \
    "INSERT OR IGNORE INTO rollup_dirty"                                    \
    " SELECT DISTINCT r.workspace_id,"                                      \
    "  " SQL_DAY_OF("r.responded_at")                                       \
    " FROM tickets t " join " responses r"                                  \
    "  ON r.workspace_id = t.workspace_id AND r.ticket_id = t.ticket_id"    \
    " WHERE t.rowid >= ?1"

/* Marks the days of the answers this transaction wrote, and of the answers
 * of the tickets it wrote: rows at or past the rowids noted at BEGIN
 * (0004-rollups.sql; INSERT OR REPLACE gives a replaced row a new rowid,
 * and "at" covers the one case where it reuses the last). */
static cxm_rc mark_written(cxm_store *st)
{
    /* The days of the answers at or past rowid ?1: SQLite reads them from
     * the responded_at index, which holds them all, testing each entry's
     * rowid (a time that grows with the table, however few were written);
     * the rowid range of the table is the cheaper read unless the
     * transaction wrote a large part of it (then the index, a fifth of
     * the table's size, is). */
    static const char responses_sql[] = RESPONSES_MARK_SQL("");
    static const char responses_range_sql[] =
        RESPONSES_MARK_SQL(" NOT INDEXED");
    /* SQLite keeps no statistics here, and its planner walks every answer
     * (by the answers' ticket index) looking for written tickets, even
     * when none was written: 1M lookups after an import of answers alone.
     * CROSS JOIN makes the written tickets the outer loop; it is taken
     * when they are fewer than the answers. */
    static const char tickets_sql[] = TICKETS_MARK_SQL("JOIN");
    static const char tickets_first_sql[] = TICKETS_MARK_SQL("CROSS JOIN");
    int64_t mr, mt, max_r = 0, max_t = 0;
    cxm_rc rc;

    if (!cxm__sq_marks(st, &mr, &mt))
        return CXM_OK;
    rc = select_int(st, "SELECT coalesce(max(rowid), 0) FROM responses",
                    &max_r);
    if (!rc)
        rc = select_int(st, "SELECT coalesce(max(rowid), 0) FROM tickets",
                        &max_t);
    /* max_r - mr + 1 bounds the answers written, max_r all of them. */
    if (!rc)
        rc = cxm__sq_run_ints(st,
                              max_r - mr < max_r / 8 ? responses_range_sql
                                             : responses_sql,
                              &mr, 1, NULL);
    /* max_t - mt + 1 bounds the tickets written, max_r the answers. */
    if (!rc)
        rc = cxm__sq_run_ints(st, max_t - mt < max_r ? tickets_first_sql
                                             : tickets_sql,
                              &mt, 1, NULL);
    /* An agent's team lends itself to answers without one: the triggers
     * of 0004 find the months by the agent's cells, which a month whose
     * agent cube is off lacks; those months are counted again whenever
     * agents were written. */
    if (!rc && (cxm__sq_kinds_written(st) & 1u << CXM_KIND_AGENTS))
        rc = cxm__sq_exec(st, "INSERT OR IGNORE INTO rollup_dirty"
                                    " SELECT workspace_id, t"
                                    " FROM rollup_off");
    return rc;
}

/* Whether the transaction only added answers, so that counting them and
 * adding their counts to the stored cells and segments (append mode) is
 * the recount: nothing but responses was put, and nothing was marked
 * dirty yet — the triggers mark the days of an answer replaced (INSERT OR
 * REPLACE deletes it first), deleted or updated, of a ticket updated and
 * of an agent whose team changed (0004-rollups.sql). *mark is the first
 * rowid the transaction wrote. */
static cxm_rc want_append(cxm_store *st, bool *append, int64_t *mark)
{
    int64_t mt, dirty = 1;
    cxm_rc rc;

    *append = false;
    if (!cxm__sq_marks(st, mark, &mt) ||
        cxm__sq_kinds_written(st) != 1u << CXM_KIND_RESPONSES)
        return CXM_OK;
    rc = select_int(st, "SELECT EXISTS (SELECT 1 FROM rollup_dirty)",
                    &dirty);
    *append = !rc && !dirty;
    *mark += 1; /* max(rowid) at BEGIN: the rows written are past it */
    return rc;
}

static cxm_rc flush_once(cxm_store *st)
{
    struct flush fl;
    sqlite3_stmt *dirty = NULL;
    int64_t last_ws = 0, last_month = 0;
    bool have_last = false;
    cxm_rc rc;
    int step = SQLITE_DONE;

    memset(&fl, 0, sizeof(fl));
    fl.st = st;
    rc = want_append(st, &fl.append, &fl.mark);
    if (!rc)
        rc = mark_written(st);
    if (rc)
        return rc;
    /* In order, so each month is recounted once. */
    rc = cxm__sq_kept(st,
                         "SELECT workspace_id, day FROM rollup_dirty"
                         " ORDER BY workspace_id, day",
                         &dirty);
    if (!rc)
        rc = cxm__sq_kept(st, answers_sql, &fl.answers);
    if (!rc)
        rc = cxm__sq_kept(st, answers_all_sql, &fl.answers_all);
    if (!rc)
        rc = cxm__sq_kept(st, "SELECT count(*) FROM responses"
                         " WHERE workspace_id = ?1 AND responded_at >= ?2"
                         "  AND responded_at < ?3",
                             &fl.count);
    if (!rc)
        rc = cxm__sq_kept(st, delete_sql, &fl.del);
    if (!rc)
        rc = cxm__sq_kept(st, insert_sql, &fl.ins);
    if (!rc && fl.append)
        rc = cxm__sq_kept(st, answers_new_sql, &fl.answers_new);
    if (!rc && fl.append)
        rc = cxm__sq_kept(st, add_sql, &fl.add);
    if (!rc && fl.append)
        rc = cxm__sq_kept(st, "SELECT n, data FROM col_answers"
                         " WHERE workspace_id = ?1 AND t = ?2",
                             &fl.seg_get);
    if (!rc)
        rc = cxm__sq_kept(st, "INSERT INTO col_dict (workspace_id, col, id, value,"
                         " chk) VALUES (?1, ?2, ?3, ?4, ?5)",
                             &fl.dict_ins);
    if (!rc)
        rc = cxm__sq_kept(st, "INSERT OR REPLACE INTO col_answers (workspace_id,"
                         " t, n, data) VALUES (?1, ?2, ?3, ?4)",
                             &fl.seg_put);
    if (!rc)
        rc = cxm__sq_kept(st, "DELETE FROM col_answers WHERE workspace_id = ?1"
                         " AND t = ?2",
                             &fl.seg_del);
    while (!rc && (step = sqlite3_step(dirty)) == SQLITE_ROW) {
        int64_t ws = sqlite3_column_int64(dirty, 0);
        int64_t day = sqlite3_column_int64(dirty, 1);
        int64_t m0 = cxm__bucket_start(CXM_BY_MONTH, day * CXM__MS_PER_DAY);
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
        rc = cxm__sq_fail(st);
    cxm__sq_unkeep(st, dirty);
    cxm__sq_unkeep(st, fl.answers);
    cxm__sq_unkeep(st, fl.answers_all);
    cxm__sq_unkeep(st, fl.count);
    cxm__sq_unkeep(st, fl.del);
    cxm__sq_unkeep(st, fl.ins);
    cxm__sq_unkeep(st, fl.dict_ins);
    cxm__sq_unkeep(st, fl.seg_put);
    cxm__sq_unkeep(st, fl.seg_del);
    cxm__sq_unkeep(st, fl.answers_new);
    cxm__sq_unkeep(st, fl.add);
    cxm__sq_unkeep(st, fl.seg_get);
    coldict_release(&fl.dict);
    for (size_t i = 0; i < CXM_ARRAY_LEN(month_cubes); i++) {
        cellset_release(&fl.years[i]);
        cellset_release(&fl.ever[i]);
    }
    for (size_t i = 0; i < fl.n_months; i++)
        month_release(&fl.months[i]);
    cxm__free(fl.months);
    cxm__free(fl.blob);
    if (!rc && have_last)
        rc = cxm__sq_exec(st, "DELETE FROM rollup_dirty");
    return rc;
}

/* Whether a recount failed on a damaged derived form rather than on the
 * store: a cell whose checksum does not match (cxm_cell_ok()), a malformed
 * histogram, a segment that does not view. */
static bool damaged(cxm_store *st)
{
    const char *m = st->errmsg.data ? st->errmsg.data : "";

    return strstr(m, "rollup cell") || strstr(m, "column segment") ||
           strstr(m, "column dictionary");
}

/* Everything derived from the answers, dropped, and every day of them
 * to be counted again. */
static const char rebuild_sql[] =
    "DELETE FROM rollup_answers;"
    "DELETE FROM col_answers;"
    "DELETE FROM col_dict;"
    "DELETE FROM rollup_off;"
    "INSERT OR IGNORE INTO rollup_dirty"
    " SELECT DISTINCT workspace_id,"
    "  " SQL_DAY_OF("responded_at")
    " FROM responses;";

/* The recount of the open write transaction. A derived form found damaged
 * on the way (an append adds to stored cells and segments; a recount sums
 * stored month cells into years) must not carry the damage on, nor fail
 * the import over a cache the user cannot mend: the flush is undone to
 * its savepoint and every rollup and segment is counted again from the
 * rows (docs/store.md, "Damage"). */
static cxm_rc answers_flush(cxm_store *st);

/* The answers' rollups and segments, then the ticket and session cells
 * (store_sqlite_tickets.c). */
cxm_rc cxm__sq_rollup_flush(cxm_store *st)
{
    cxm_rc rc = answers_flush(st);

    if (!rc)
        rc = cxm__sq_ticket_flush(st);
    if (!rc)
        rc = cxm__sq_qa_flush(st);
    return rc ? rc : cxm__sq_session_flush(st);
}

static cxm_rc answers_flush(cxm_store *st)
{
    int64_t dirty = 1;
    cxm_rc rc;

    /* A transaction that put no rows and left no day dirty (settings,
     * the outbox) has nothing to recount: the segments, and the token of
     * the column file, stay as they are. */
    if (cxm__sq_kinds_written(st) == 0) {
        rc = select_int(st, "SELECT EXISTS (SELECT 1 FROM rollup_dirty)",
                        &dirty);
        if (rc || !dirty)
            return rc;
    }
    rc = cxm__sq_exec(st, "SAVEPOINT cxm_flush");
    if (rc)
        return rc;
    rc = flush_once(st);
    if (rc == CXM_ESTORE && damaged(st)) {
        rc = cxm__sq_exec(st, "ROLLBACK TO cxm_flush");
        if (!rc)
            rc = cxm__sq_exec(st, rebuild_sql);
        if (!rc)
            rc = flush_once(st);
    }
    if (!rc)
        rc = cxm__sq_exec(st, "RELEASE cxm_flush");
    return rc;
}

/* ---- Reading ---------------------------------------------------------- */

cxm_rc cxm__sq_rollup_cube(cxm_store *st, enum cxm__sq_grain grain,
                           enum cxm__sq_cube dims, enum cxm__sq_cube *cube)
{
    static const enum cxm__sq_cube day_pref[] = {
        CXM__CUBE_TOTALS, CXM__CUBE_CHANNEL, CXM__CUBE_TEAM,
        CXM__CUBE_TEAM | CXM__CUBE_CHANNEL};
    static const enum cxm__sq_cube month_pref[] = {
        CXM__CUBE_TOTALS, CXM__CUBE_CHANNEL, CXM__CUBE_TEAM,
        CXM__CUBE_TEAM | CXM__CUBE_CHANNEL,
        CXM__CUBE_AGENT | CXM__CUBE_TEAM};
    /* Years and all time keep the month cubes (write_years()). */
    bool days = grain == CXM__SQ_GRAIN_DAY;
    const enum cxm__sq_cube *pref = days ? day_pref : month_pref;
    size_t n = days ? CXM_ARRAY_LEN(day_pref) : CXM_ARRAY_LEN(month_pref);
    int64_t dirty = 1;
    cxm_rc rc;

    int64_t agent_off = 0;

    *cube = CXM__CUBE_NONE;
    rc = select_int(st, "SELECT EXISTS (SELECT 1 FROM rollup_dirty)", &dirty);
    if (!rc && !dirty && (dims & CXM__CUBE_AGENT))
        rc = cxm__sq_run_ints(st,
                              "SELECT EXISTS (SELECT 1 FROM rollup_off"
                              " WHERE workspace_id = ?1 AND cube = ?2)",
                              (int64_t[]){st->workspace_id, AGENT_CUBE}, 2,
                              &agent_off);
    if (rc || dirty)
        return rc;
    for (size_t i = 0; i < n; i++) {
        /* A month of the agent cube not kept: the cube serves no one. */
        if (agent_off && pref[i] == AGENT_CUBE)
            continue;
        if ((pref[i] & dims) == dims) {
            *cube = pref[i];
            break;
        }
    }
    return CXM_OK;
}

cxm_rc cxm__sq_responses_between(cxm_store *st, int64_t from, int64_t to,
                                 bool *any)
{
    int64_t v = 0;
    cxm_rc rc;

    *any = false;
    if (from >= to)
        return CXM_OK;
    rc = cxm__sq_run_ints(st,
                          "SELECT EXISTS (SELECT 1 FROM responses"
                          " WHERE workspace_id = ?1 AND responded_at >= ?2"
                          " AND responded_at < ?3)",
                          (int64_t[]){st->workspace_id, from, to}, 3, &v);
    *any = v != 0;
    return rc;
}

static const char *text_col(sqlite3_stmt *s, int i)
{
    const char *t = (const char *)sqlite3_column_text(s, i);

    return t ? t : "";
}

/* The row of statement s (scan_rollup()'s columns) as a cell of
 * (grain, cube); whether its checksum is the one stored. */
static bool rollup_row(cxm_store *st, sqlite3_stmt *s,
                       enum cxm__sq_grain grain, enum cxm__sq_cube cube,
                       struct cell_row *c)
{
    memset(c, 0, sizeof(*c));
    c->ws = st->workspace_id;
    c->grain = grain;
    c->cube = cube;
    c->t = sqlite3_column_int64(s, 0);
    for (int i = 0; i < 6; i++) {
        int col = i ? 3 + i : 1; /* survey, then agent_id … topic */
        c->text[i].s = text_col(s, col);
        c->text[i].len = (size_t)sqlite3_column_bytes(s, col);
    }
    c->lo = sqlite3_column_int64(s, 2);
    c->hi = sqlite3_column_int64(s, 3);
    c->hist = sqlite3_column_blob(s, 9);
    c->hist_len = c->hist ? (size_t)sqlite3_column_bytes(s, 9) : 0;
    c->n = sqlite3_column_int64(s, 10);
    return sqlite3_column_type(s, 11) == SQLITE_INTEGER &&
           sqlite3_column_int64(s, 11) == cell_chk(c);
}

/* Whether the cell of statement s (scan_rollup()'s columns) is of a group
 * the query keeps: where NULL, or each value it names the cell's. */
static bool rollup_kept(sqlite3_stmt *s, const char *const *where)
{
    static const int col[CXM__ADIM_COUNT] = {
        [CXM__ADIM_SURVEY] = 1,  [CXM__ADIM_AGENT] = 4,
        [CXM__ADIM_TEAM] = 5,    [CXM__ADIM_CHANNEL] = 6,
        [CXM__ADIM_LANGUAGE] = 7, [CXM__ADIM_TOPIC] = 8}; /* 0: none */

    for (int d = 0; where && d < CXM__ADIM_COUNT; d++) {
        if (where[d] && col[d] && strcmp(text_col(s, col[d]), where[d]) != 0)
            return false;
    }
    return true;
}

cxm_rc cxm__sq_scan_rollup(cxm_store *st, enum cxm__sq_grain grain,
                           enum cxm__sq_cube cube, int64_t from_t,
                           int64_t to_t, const char *const *where,
                           cxm__answer_group_fn fn, void *ud)
{
    static const char *const grains[] = {"day", "month", "year", "all-time"};
#define SCAN_ROLLUP(by)                                                     \
    "SELECT t, survey, scale_min, scale_max, agent_id, team, channel,"      \
    " language, topic, hist, n, chk FROM rollup_answers" by                 \
    " WHERE workspace_id = ?1 AND grain = ?2 AND cube = ?3"                 \
    " AND t >= ?4 AND t < ?5"
    /* A where on the agent: theirs only, by rollup_answers_agent. */
    const char *agent = where && (cube & CXM__CUBE_AGENT)
                            ? where[CXM__ADIM_AGENT]
                            : NULL;
    int64_t hist[MAX_SPAN + 1];
    sqlite3_stmt *s = NULL;
    cxm_rc rc;
    int step = SQLITE_DONE;

    rc = cxm__sq_prepare(st,
                         agent ? SCAN_ROLLUP(" INDEXED BY rollup_answers_agent")
                                     " AND agent_id = ?6"
                               : SCAN_ROLLUP(""),
                         &s);
#undef SCAN_ROLLUP
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_int(s, 2, grain);
    sqlite3_bind_int(s, 3, cube);
    sqlite3_bind_int64(s, 4, from_t);
    sqlite3_bind_int64(s, 5, to_t);
    if (agent)
        sqlite3_bind_text(s, 6, agent, -1, SQLITE_STATIC);
    /* Every cell is checked before any is handed over: a damaged one
     * sends the report to the column segments or the rows (CXM_EINPUT). */
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        struct cell_row c;
        if (!rollup_kept(s, where))
            continue;
        if (!rollup_row(st, s, grain, cube, &c)) {
            int64_t y;
            int m, d;
            cxm__civil_from_days(c.t, &y, &m, &d);
            cxm__store_note(
                st,
                "a rollup cell (%s of %04lld-%02d-%02d) is damaged (its "
                "checksum does not match): survey answers read from the "
                "column segments or the rows",
                grain >= CXM__SQ_GRAIN_DAY && grain <= CXM__SQ_GRAIN_ALL
                    ? grains[grain]
                    : "?",
                (long long)y,
                m, d);
            sqlite3_finalize(s);
            return CXM_EINPUT;
        }
    }
    if (step != SQLITE_DONE || !fn) {
        rc = step != SQLITE_DONE ? cxm__sq_fail(st) : CXM_OK;
        sqlite3_finalize(s);
        return rc;
    }
    sqlite3_reset(s);
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        struct cxm__answer_group g;
        struct cell_row c;
        bool sound;
        int64_t sum = 0;

        if (!rollup_kept(s, where))
            continue;
        sound = rollup_row(st, s, grain, cube, &c);
        /* Dimensions the cube does not keep are "". */
        memset(&g, 0, sizeof(g));
        g.at = c.t * CXM__MS_PER_DAY;
        g.survey = c.text[0].s;
        g.dim[CXM__ADIM_SURVEY] = c.text[0].s;
        g.scale_min = (int)c.lo;
        g.scale_max = (int)c.hi;
        g.lo = (int)c.lo;
        g.dim[CXM__ADIM_AGENT] = c.text[1].s;
        g.dim[CXM__ADIM_TEAM] = c.text[2].s;
        g.dim[CXM__ADIM_CHANNEL] = c.text[3].s;
        g.dim[CXM__ADIM_LANGUAGE] = c.text[4].s;
        g.dim[CXM__ADIM_TOPIC] = c.text[5].s;
        if (!sound || c.lo >= c.hi || c.hi - c.lo > MAX_SPAN ||
            c.hist_len != (size_t)(c.hi - c.lo + 1) * 8) {
            /* Written since the check above, and damaged: rare enough
             * to be an error. */
            cxm__store_set_error(st, sound ? "a rollup cell is malformed"
                                           : DAMAGED_CELL);
            rc = CXM_ESTORE;
            break;
        }
        for (size_t k = 0; k * 8 < c.hist_len; k++) {
            uint64_t v = 0;
            for (int b = 0; b < 8; b++)
                v |= (uint64_t)c.hist[k * 8 + (size_t)b] << (8 * b);
            hist[k] = (int64_t)v;
            sum += hist[k];
        }
        if (sum != c.n) {
            cxm__store_set_error(st, "a rollup cell's count is not the sum "
                                     "of its histogram");
            rc = CXM_ESTORE;
            break;
        }
        g.n_bins = c.hist_len / 8;
        g.hist = hist;
        rc = fn(&g, ud);
    }
    if (!rc && step != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

cxm_rc cxm__sq_rollup_cells(cxm_store *st, enum cxm__sq_grain grain,
                            enum cxm__sq_cube cube, int64_t from_t,
                            int64_t to_t, int64_t limit, int64_t *cells)
{
    *cells = 0;
    return cxm__sq_run_ints(st,
                            "SELECT count(*) FROM (SELECT 1 FROM rollup_answers"
                            " WHERE workspace_id = ?1 AND grain = ?2"
                            " AND cube = ?3 AND t >= ?4 AND t < ?5 LIMIT ?6)",
                            (int64_t[]){st->workspace_id, grain, cube, from_t, to_t,
                                limit},
                            6, cells);
}

/* ---- Column segments (0005-columns.sql) -------------------------------- */

cxm_rc cxm__sq_segment_answers(cxm_store *st, int64_t from_t, int64_t to_t,
                               int64_t *answers)
{
    *answers = 0;
    return cxm__sq_run_ints(st,
                            "SELECT coalesce(sum(n), 0) FROM col_answers"
                            " WHERE workspace_id = ?1 AND t >= ?2 AND t < ?3",
                            (int64_t[]){st->workspace_id, from_t, to_t}, 3, answers);
}

cxm_rc cxm__sq_rollups_clean(cxm_store *st, bool *clean)
{
    int64_t v = 0;
    cxm_rc rc = select_int(
        st, "SELECT NOT EXISTS (SELECT 1 FROM rollup_dirty)", &v);

    *clean = !rc && v != 0;
    return rc;
}

cxm_rc cxm__sq_col_dict(cxm_store *st, cxm__coldict_fn fn, void *ud)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = cxm__sq_prepare(st, "SELECT col, id, value, chk FROM col_dict"
                            " WHERE workspace_id = ?1",
                                &s);
    int step = SQLITE_DONE;

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(s, 2);
        size_t len = v ? (size_t)sqlite3_column_bytes(s, 2) : 0;
        int64_t col = sqlite3_column_int64(s, 0), id = sqlite3_column_int64(s, 1);

        if (sqlite3_column_type(s, 3) != SQLITE_INTEGER ||
            sqlite3_column_int64(s, 3) !=
                dict_chk(st->workspace_id, col, id, v ? v : "", len)) {
            cxm__store_note(st, DAMAGED_DICT ": survey answers read from "
                                "the rows");
            rc = CXM_EINPUT;
            break;
        }
        rc = fn((int)col, id, v ? v : "", len, ud);
    }
    if (!rc && step != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}
