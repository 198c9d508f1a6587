/* SPDX-License-Identifier: MIT
 *
 * store_sqlite_tickets.c — the SQLite engine's ticket cells
 * (sql/0019-ticket-cells.sql, docs/store.md "Ticket cells"): the
 * sufficient statistics of the ticket metrics per UTC day and cube,
 * recounted for the days a write transaction touched before it commits,
 * and the ticket_groups hook (store_int.h) reading them, with the rows of
 * the period's ends inside a day.
 *
 * A ticket has up to four events, each counted on the day of its own
 * instant: created (created, resolved at any time, escalated, complaint;
 * the backlog's +1), resolved (resolved, first-contact counts, with an
 * agent, the resolution time), first answered (the first response time)
 * and closed (max(created_at, resolved_at): the backlog's −1). A day's
 * cells are counted from the tickets with any event that day, so a ticket
 * changed leaves the days of its old events and enters those of its new
 * ones (the triggers of 0019 and the rowid marks of the transaction).
 * 0024 keeps beside them each cell's backlog step (ticket_steps: what a
 * period's backlog reads of the days before it) and the cells of each
 * UTC week merged from its days (ticket_weeks, their sketches apart in
 * ticket_week_sketches), read for a period's whole weeks.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "period.h"
#include "msum.h"
#include "qsketch.h"
#include "sqlite_int.h"
#include "strmap.h"

#define DAY_MS INT64_C(86400000)
/* ticket_dirty's day for "every day". */
#define ALL_DAYS INT64_MIN
/* Up to this many dirty days are counted one by one, each from its
 * tickets found through the timestamp indexes; more, by sequential passes
 * over the tickets, each counting the cells of at most PASS_TICKETS
 * tickets' worth of days. */
#define MAX_SINGLE_DAYS 62
#define PASS_TICKETS INT64_C(4000000)
/* A report whose buckets split more UTC days than this reads the rows. */
#define MAX_SPLIT_DAYS 100000

/* The cubes: which dimensions a cell keeps (the others are ''), from
 * the fewest cells a day to the most. The first keeping a query's
 * dimensions answers it. Each cube's cells a day are bounded by its
 * dimensions' values, not by the tickets (0020: a cube of all five
 * dimensions held more cells than there are tickets), so no cube keeps
 * an agent with a topic or segment: such a query (a breakdown by topic
 * or segment of one agent, or with agent_productivity, which needs the
 * agent) reads the rows. The dashboard's filters (agent, team, channel)
 * with its breakdowns (agent, team, channel; topic without an agent)
 * all have a cube. */
#define TD(d) (1u << CXM__TDIM_##d)
const unsigned cxm__sq_cube_dims[CXM__SQ_N_CUBES] = {
    0,
    TD(TEAM),
    TD(CHANNEL),
    TD(TOPIC) | TD(SEGMENT),
    TD(TEAM) | TD(CHANNEL),
    TD(AGENT) | TD(TEAM),
    TD(TEAM) | TD(CHANNEL) | TD(TOPIC) | TD(SEGMENT),
    TD(AGENT) | TD(TEAM) | TD(CHANNEL),
};

size_t cxm__sq_cube_for(unsigned dims)
{
    size_t c = 0;

    while (c < CXM__SQ_N_CUBES && (cxm__sq_cube_dims[c] & dims) != dims)
        c++;
    return c;
}

cxm_rc cxm__sq_cells_cube(cxm_store *st, const struct cxm__ticket_query *q,
                          const char *dirty_sql, size_t *cube)
{
    int64_t dirty = 1;
    cxm_rc rc;

    *cube = CXM__SQ_N_CUBES;
    if (q->read == CXM_READ_ROWS || q->from >= q->to ||
        cxm__sq_cube_for(q->dims) == CXM__SQ_N_CUBES)
        return CXM_OK;
    rc = cxm__sq_run_ints(st, dirty_sql, (int64_t[]){st->workspace_id}, 1,
                          &dirty);
    if (!rc && !dirty)
        *cube = cxm__sq_cube_for(q->dims);
    return rc;
}

/* Only the base cubes (-1) are counted from the tickets; each other cube
 * is merged from the cells of a cube keeping its dimensions, in
 * derive_order (a source before what it makes). */
static const int cube_from[] = {4, 4, 4, 6, 6, 7, -1, -1};
static const size_t derive_order[] = {3, 4, 5, 0, 1, 2};
_Static_assert(sizeof(cube_from) / sizeof(cube_from[0]) == 8,
               "a source for each cube");
/* The cubes as the deletes name them (the primary key's second column,
 * so that the day range is one index range per cube). */
#define CUBES_SQL "(0, 1, 2, 3, 4, 5, 6, 7)"
_Static_assert(CXM__SQ_N_CUBES == 8, "CUBES_SQL names cubes 0..7");

/* The counts of a cell, in the column order of ticket_cells. */
enum {
    C_CREATED, C_CREATED_RESOLVED, C_ESCALATED, C_COMPLAINTS, C_RESOLVED,
    C_FCR, C_FCR_TOUCH, C_WITH_AGENT, C_OPENED, C_CLOSED, C_COUNT
};

/* A ticket's events. */
enum event { EV_CREATED, EV_RESOLVED, EV_FIRST_RESPONSE, EV_CLOSED };

/* One cell's statistics. */
struct stats {
    int64_t c[C_COUNT];
    struct cxm__msum art_ms, frt_ms;
    struct cxm__qsketch art, frt;
};

static void stats_release(struct stats *s)
{
    cxm__qsketch_release(&s->art);
    cxm__qsketch_release(&s->frt);
}

/* Whether ticket t counts as resolved on first contact under SPEC §2
 * (missing contacts count as 1, missing reopened as false); stats_add()
 * counts fcr.rule one_touch beside it (fewer than two replies; without
 * replies, this rule). Mirrors is_fcr() of report_scan.c. */
static bool contacts_rule(const struct cxm__ticket_row *t)
{
    return (!t->has_contacts || t->contacts == 1) && t->reopened != 1;
}

/* Adds event e of ticket t to s; `durations`: whether the durations'
 * sketches are kept too (a sketch costs its allocation; the exact sums
 * always are). */
static cxm_rc stats_add(struct stats *s, enum event e,
                        const struct cxm__ticket_row *t, bool durations)
{
    int64_t ms;
    cxm_rc rc = CXM_OK;

    switch (e) {
    case EV_CREATED:
        s->c[C_CREATED]++;
        s->c[C_CREATED_RESOLVED] += t->has_resolved;
        s->c[C_ESCALATED] += t->escalated == 1;
        s->c[C_COMPLAINTS] += t->complaint == 1;
        s->c[C_OPENED]++;
        break;
    case EV_RESOLVED:
        s->c[C_RESOLVED]++;
        s->c[C_FCR] += contacts_rule(t);
        s->c[C_FCR_TOUCH] += t->has_replies ? t->replies < 2
                                            : contacts_rule(t);
        s->c[C_WITH_AGENT] += t->agent_id != NULL;
        ms = t->resolved_at - t->created_at;
        if (durations)
            rc = cxm__qsketch_add(&s->art, (double)ms / 1e3);
        if (!rc)
            cxm__msum_add(&s->art_ms, ms);
        break;
    case EV_FIRST_RESPONSE:
        ms = t->first_response_at - t->created_at;
        if (durations)
            rc = cxm__qsketch_add(&s->frt, (double)ms / 1e3);
        if (!rc)
            cxm__msum_add(&s->frt_ms, ms);
        break;
    case EV_CLOSED:
        s->c[C_CLOSED]++;
        break;
    }
    return rc;
}

typedef cxm_rc (*event_fn)(enum event e, int64_t at,
                           const struct cxm__ticket_row *t, void *ud);

/* Calls fn for each event of t whose instant is in [lo, hi). */
static cxm_rc ticket_events(const struct cxm__ticket_row *t, int64_t lo,
                            int64_t hi, event_fn fn, void *ud)
{
    int64_t closed;
    cxm_rc rc = CXM_OK;

    if (t->created_at >= lo && t->created_at < hi)
        rc = fn(EV_CREATED, t->created_at, t, ud);
    if (!rc && t->has_resolved && t->resolved_at >= lo && t->resolved_at < hi)
        rc = fn(EV_RESOLVED, t->resolved_at, t, ud);
    if (!rc && t->has_first_response && t->first_response_at >= lo &&
        t->first_response_at < hi)
        rc = fn(EV_FIRST_RESPONSE, t->first_response_at, t, ud);
    if (!rc && t->has_resolved) {
        closed = t->resolved_at > t->created_at ? t->resolved_at
                                                : t->created_at;
        if (closed >= lo && closed < hi)
            rc = fn(EV_CLOSED, closed, t, ud);
    }
    return rc;
}

/* ---- The checksum of a cell ------------------------------------------ */

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* What the checksum covers, as the row holds it. */
struct cell_row {
    int64_t cube, day;
    const char *dim[CXM__TDIM_COUNT];
    int64_t c[C_COUNT];
    int64_t art_sum, frt_sum;
    uint64_t art_hi, art_lo, frt_hi, frt_lo;
    const void *art, *frt; /* blobs, NULL when none */
    size_t art_len, frt_len;
};

static cxm_rc cell_checksum(const struct cell_row *r, struct cxm__buf *b,
                            int64_t *out)
{
    uint8_t v[8 * (2 + C_COUNT + 6)];
    size_t k = 0;
    cxm_rc rc = CXM_OK;

    cxm__buf_reset(b);
    put_u64(v + 8 * k++, (uint64_t)r->cube);
    put_u64(v + 8 * k++, (uint64_t)r->day);
    for (int i = 0; i < C_COUNT; i++)
        put_u64(v + 8 * k++, (uint64_t)r->c[i]);
    put_u64(v + 8 * k++, (uint64_t)r->art_sum);
    put_u64(v + 8 * k++, r->art_hi);
    put_u64(v + 8 * k++, r->art_lo);
    put_u64(v + 8 * k++, (uint64_t)r->frt_sum);
    put_u64(v + 8 * k++, r->frt_hi);
    put_u64(v + 8 * k++, r->frt_lo);
    rc = cxm__buf_add(b, v, sizeof(v));
    for (int i = 0; !rc && i < CXM__TDIM_COUNT; i++)
        rc = cxm__buf_add(b, r->dim[i], strlen(r->dim[i]) + 1);
    if (!rc && r->art) {
        put_u64(v, r->art_len);
        rc = cxm__buf_add(b, v, 8);
        if (!rc)
            rc = cxm__buf_add(b, r->art, r->art_len);
    }
    if (!rc && r->frt) {
        put_u64(v, r->frt_len + (UINT64_C(1) << 63));
        rc = cxm__buf_add(b, v, 8);
        if (!rc)
            rc = cxm__buf_add(b, r->frt, r->frt_len);
    }
    if (!rc)
        *out = (int64_t)cxm__xxh64(b->data, b->len, 0x7469636b);
    return rc;
}

/* The checksum of a backlog step (ticket_steps, 0024): the cell's cube,
 * day, dimensions, opened and closed. */
static cxm_rc step_checksum(const struct cell_row *r, struct cxm__buf *b,
                            int64_t *out)
{
    uint8_t v[8 * 4];
    cxm_rc rc;

    cxm__buf_reset(b);
    put_u64(v, (uint64_t)r->cube);
    put_u64(v + 8, (uint64_t)r->day);
    put_u64(v + 16, (uint64_t)r->c[C_OPENED]);
    put_u64(v + 24, (uint64_t)r->c[C_CLOSED]);
    rc = cxm__buf_add(b, v, sizeof(v));
    for (int i = 0; !rc && i < CXM__TDIM_COUNT; i++)
        rc = cxm__buf_add(b, r->dim[i], strlen(r->dim[i]) + 1);
    if (!rc)
        *out = (int64_t)cxm__xxh64(b->data, b->len, 0x73746570);
    return rc;
}

/* cxm_tcell_step(cube, day, agent_id, team, channel, topic, segment, the
 * ten counts, art_sum, art_sq_hi, art_sq_lo, art, frt_sum, frt_sq_hi,
 * frt_sq_lo, frt, checksum): the checksum of the cell's backlog step when
 * the cell's own checksum matches, its complement when not (a damaged
 * cell copied by 0024 makes a step that reads as damaged). */
static void tcell_step_fn(sqlite3_context *cx, int argc, sqlite3_value **v)
{
    struct cxm__buf b = CXM__BUF_INIT(SIZE_MAX / 2);
    struct cell_row r;
    int64_t cell = 0, step = 0;
    int k = 0;
    cxm_rc rc;

    (void)argc;
    memset(&r, 0, sizeof(r));
    r.cube = sqlite3_value_int64(v[k++]);
    r.day = sqlite3_value_int64(v[k++]);
    for (int d = 0; d < CXM__TDIM_COUNT; d++) {
        const unsigned char *t = sqlite3_value_text(v[k++]);
        r.dim[d] = t ? (const char *)t : "";
    }
    for (int c = 0; c < C_COUNT; c++)
        r.c[c] = sqlite3_value_int64(v[k++]);
    r.art_sum = sqlite3_value_int64(v[k++]);
    r.art_hi = (uint64_t)sqlite3_value_int64(v[k++]);
    r.art_lo = (uint64_t)sqlite3_value_int64(v[k++]);
    r.art_len = (size_t)sqlite3_value_bytes(v[k]);
    r.art = sqlite3_value_blob(v[k++]);
    r.frt_sum = sqlite3_value_int64(v[k++]);
    r.frt_hi = (uint64_t)sqlite3_value_int64(v[k++]);
    r.frt_lo = (uint64_t)sqlite3_value_int64(v[k++]);
    r.frt_len = (size_t)sqlite3_value_bytes(v[k]);
    r.frt = sqlite3_value_blob(v[k++]);
    rc = cell_checksum(&r, &b, &cell);
    if (!rc)
        rc = step_checksum(&r, &b, &step);
    cxm__buf_release(&b);
    if (rc) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    if (sqlite3_value_type(v[k]) != SQLITE_INTEGER ||
        sqlite3_value_int64(v[k]) != cell)
        step = (int64_t)~(uint64_t)step;
    sqlite3_result_int64(cx, step);
}

cxm_rc cxm__sq_tickets_register(sqlite3 *db)
{
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;

    return sqlite3_create_function_v2(db, "cxm_tcell_step",
                                      2 + CXM__TDIM_COUNT + C_COUNT + 9,
                                      flags, NULL, tcell_step_fn, NULL, NULL,
                                      NULL) == SQLITE_OK
               ? CXM_OK
               : CXM_ESTORE;
}

/* ---- Counting cells --------------------------------------------------- */

/* The cells of a span of days being counted: keyed by cube, day and the
 * kept dimensions, NUL-separated (the map's copy of the key then holds
 * the dimensions as C strings from byte 9). */
struct acc {
    struct cxm__strmap index;
    struct stats *v;
    const char **key; /* borrowed from index: each cell's key */
    size_t n, cap, key_cap;
    struct cxm__buf kb;
    cxm_rc rc;
};

static void acc_release(struct acc *a)
{
    for (size_t i = 0; i < a->n; i++)
        stats_release(&a->v[i]);
    cxm__free(a->v);
    cxm__free(a->key);
    cxm__strmap_release(&a->index);
    cxm__buf_release(&a->kb);
    memset(a, 0, sizeof(*a));
}

static const char *nz(const char *s) { return s ? s : ""; }

static int64_t key_day(const char *key)
{
    uint64_t v = 0;

    for (int k = 0; k < 8; k++)
        v |= (uint64_t)(uint8_t)key[1 + k] << (8 * k);
    return (int64_t)v;
}

static void ticket_dims(const struct cxm__ticket_row *t,
                        const char *dim[CXM__TDIM_COUNT])
{
    dim[CXM__TDIM_AGENT] = nz(t->agent_id);
    dim[CXM__TDIM_TEAM] = nz(t->team);
    dim[CXM__TDIM_CHANNEL] = nz(t->channel);
    dim[CXM__TDIM_TOPIC] = nz(t->topic);
    dim[CXM__TDIM_SEGMENT] = nz(t->segment);
}

/* The days being counted: [lo, hi) in milliseconds, and of those only
 * days[0..n_days) (ascending) when days is not NULL. */
struct span {
    struct acc *a;
    int64_t lo, hi;
    const int64_t *days;
    size_t n_days;
};

static bool span_has(const struct span *sp, int64_t day)
{
    size_t lo = 0, hi = sp->n_days;

    if (!sp->days)
        return true;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sp->days[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < sp->n_days && sp->days[lo] == day;
}

/* The index in a of the cell of `cube` and `day` for the dimensions
 * dim[] (those the cube does not keep ignored), added when new. */
static cxm_rc acc_cell(struct acc *a, size_t cube, int64_t day,
                       const char *const dim[CXM__TDIM_COUNT], size_t *pos)
{
    uint8_t head[9];
    bool inserted;
    const char *key;
    cxm_rc rc;

    head[0] = (uint8_t)cube;
    put_u64(head + 1, (uint64_t)day);
    cxm__buf_reset(&a->kb);
    rc = cxm__buf_add(&a->kb, head, sizeof(head));
    for (int d = 0; !rc && d < CXM__TDIM_COUNT; d++) {
        const char *v = cxm__sq_cube_dims[cube] & (1u << d) ? dim[d] : "";
        rc = cxm__buf_add(&a->kb, v, strlen(v) + 1);
    }
    if (!rc)
        rc = cxm__strmap_upsert(&a->index, a->kb.data, a->kb.len, a->n, pos,
                                &key, &inserted);
    if (!rc && inserted) {
        rc = cxm__grow((void **)&a->v, &a->cap, a->n + 1, sizeof(*a->v));
        if (!rc)
            rc = cxm__grow((void **)&a->key, &a->key_cap, a->n + 1,
                           sizeof(*a->key));
        if (rc)
            return rc;
        memset(&a->v[a->n], 0, sizeof(a->v[0]));
        a->key[a->n++] = key;
    }
    return rc;
}

/* An event goes to the cells of the base cubes only (cube_from[] < 0);
 * acc_derive() merges those into the others. */
static cxm_rc acc_event(enum event e, int64_t at,
                        const struct cxm__ticket_row *t, void *ud)
{
    const struct span *sp = ud;
    const char *dim[CXM__TDIM_COUNT];
    int64_t day = cxm__sq_day_of(at);
    cxm_rc rc = CXM_OK;

    if (!span_has(sp, day))
        return CXM_OK;
    ticket_dims(t, dim);
    for (size_t cube = 0; !rc && cube < CXM__SQ_N_CUBES; cube++) {
        size_t pos;
        if (cube_from[cube] >= 0)
            continue;
        rc = acc_cell(sp->a, cube, day, dim, &pos);
        if (!rc)
            rc = stats_add(&sp->a->v[pos], e, t, true);
    }
    return rc;
}

static cxm_rc stats_merge(struct stats *dst, const struct stats *src)
{
    cxm_rc rc = cxm__qsketch_merge(&dst->art, &src->art);

    if (!rc)
        rc = cxm__qsketch_merge(&dst->frt, &src->frt);
    if (rc)
        return rc;
    for (int i = 0; i < C_COUNT; i++)
        dst->c[i] += src->c[i];
    cxm__msum_merge(&dst->art_ms, &src->art_ms);
    cxm__msum_merge(&dst->frt_ms, &src->frt_ms);
    return CXM_OK;
}

/* The cells of the derived cubes, each merged from the cells of its
 * source (the same multiset of events: the same counts, exact sums and
 * sketches as counted from the tickets), in derive_order. */
static cxm_rc acc_derive(struct acc *a)
{
    cxm_rc rc = CXM_OK;

    for (size_t k = 0; !rc && k < CXM_ARRAY_LEN(derive_order); k++) {
        size_t cube = derive_order[k], n = a->n;
        for (size_t i = 0; !rc && i < n; i++) {
            const char *key = a->key[i];
            const char *dim[CXM__TDIM_COUNT];
            size_t pos;
            if ((uint8_t)key[0] != cube_from[cube])
                continue;
            key += 9;
            for (int d = 0; d < CXM__TDIM_COUNT; d++) {
                dim[d] = key;
                key += strlen(key) + 1;
            }
            rc = acc_cell(a, cube, key_day(a->key[i]), dim, &pos);
            if (!rc)
                rc = stats_merge(&a->v[pos], &a->v[i]);
        }
    }
    return rc;
}

static cxm_rc acc_ticket(const struct cxm__ticket_row *t, void *ud)
{
    struct span *sp = ud;

    return ticket_events(t, sp->lo, sp->hi, acc_event, sp);
}

static cxm_rc blob_of(const struct cxm__qsketch *q, struct cxm__buf *b)
{
    cxm__buf_reset(b);
    return cxm__qsketch_count(q) ? cxm__qsketch_serialize(q, b) : CXM_OK;
}

/* A cell's key and its index in acc, sorted as ticket_cells' primary key
 * (cube, day, then the dimensions: BINARY collation is strcmp's order). */
struct cell_ref {
    const char *key;
    size_t i;
};

static int cell_ref_cmp(const void *pa, const void *pb)
{
    const char *ka = ((const struct cell_ref *)pa)->key;
    const char *kb = ((const struct cell_ref *)pb)->key;
    int64_t da, db;
    int c = (int)(uint8_t)ka[0] - (int)(uint8_t)kb[0];

    if (c)
        return c;
    da = key_day(ka);
    db = key_day(kb);
    if (da != db)
        return da < db ? -1 : 1;
    ka += 9;
    kb += 9;
    for (int d = 0; d < CXM__TDIM_COUNT; d++) {
        c = strcmp(ka, kb);
        if (c)
            return c;
        ka += strlen(ka) + 1;
        kb += strlen(kb) + 1;
    }
    return 0;
}

/* The cells of a in key order (appended to the table's b-tree in order,
 * not scattered over it); *out owned by the caller. */
static cxm_rc acc_order(const struct acc *a, struct cell_ref **out)
{
    *out = cxm__malloc(a->n ? a->n * sizeof(**out) : 1);
    if (!*out)
        return CXM_ENOMEM;
    for (size_t i = 0; i < a->n; i++) {
        (*out)[i].key = a->key[i];
        (*out)[i].i = i;
    }
    qsort(*out, a->n, sizeof(**out), cell_ref_cmp);
    return CXM_OK;
}

/* Writes the backlog step of cell r (ticket_steps, 0024), when it
 * steps. */
static cxm_rc step_write(cxm_store *st, sqlite3_stmt *s,
                         const struct cell_row *r, struct cxm__buf *chk)
{
    int64_t sum;
    int p = 1;
    cxm_rc rc;

    if (r->c[C_OPENED] == r->c[C_CLOSED])
        return CXM_OK;
    rc = step_checksum(r, chk, &sum);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, p++, st->workspace_id);
    sqlite3_bind_int64(s, p++, r->cube);
    sqlite3_bind_int64(s, p++, r->day);
    for (int d = 0; d < CXM__TDIM_COUNT; d++)
        sqlite3_bind_text(s, p++, r->dim[d], -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, p++, r->c[C_OPENED]);
    sqlite3_bind_int64(s, p++, r->c[C_CLOSED]);
    sqlite3_bind_int64(s, p++, sum);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc;
}

/* Writes sketch blob b (kind 0 art, 1 frt) of week cell r into
 * ticket_week_sketches, and puts in *h its XXH64 as 8 bytes: what the
 * week cell holds in place of the blob (its checksum covers that). */
static cxm_rc sketch_write(cxm_store *st, sqlite3_stmt *s,
                           const struct cell_row *r, int kind,
                           const struct cxm__buf *b, uint8_t h[8])
{
    int p = 1;
    cxm_rc rc = CXM_OK;

    put_u64(h, cxm__xxh64(b->data, b->len, 0x736b6574));
    sqlite3_bind_int64(s, p++, st->workspace_id);
    sqlite3_bind_int64(s, p++, r->cube);
    sqlite3_bind_int64(s, p++, kind);
    sqlite3_bind_int64(s, p++, r->day);
    for (int d = 0; d < CXM__TDIM_COUNT; d++)
        sqlite3_bind_text(s, p++, r->dim[d], -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, p++, b->data, (int)b->len, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc;
}

/* Writes the cells of a, in key order, and their backlog steps; or, with
 * `weeks`, a's week cells (ticket_weeks, no steps), their sketches apart
 * in ticket_week_sketches (a report without durations reads none). */
static cxm_rc acc_write(cxm_store *st, struct acc *a, bool weeks)
{
    static const char sketch_sql[] =
        "INSERT OR REPLACE INTO ticket_week_sketches VALUES (?1, ?2, ?3, ?4,"
        " ?5, ?6, ?7, ?8, ?9, ?10)";
    uint8_t art_h[8], frt_h[8];
    static const char week_sql[] =
        "INSERT OR REPLACE INTO ticket_weeks VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
        " ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,"
        " ?21, ?22, ?23, ?24, ?25, ?26, ?27)";
    static const char step_sql[] =
        "INSERT OR REPLACE INTO ticket_steps VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
        " ?7, ?8, ?9, ?10, ?11)";
    sqlite3_stmt *ss = NULL;
    static const char sql[] =
        "INSERT OR REPLACE INTO ticket_cells VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
        " ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,"
        " ?21, ?22, ?23, ?24, ?25, ?26, ?27)";
    struct cxm__buf art = CXM__BUF_INIT(SIZE_MAX / 2);
    struct cxm__buf frt = CXM__BUF_INIT(SIZE_MAX / 2);
    struct cxm__buf chk = CXM__BUF_INIT(SIZE_MAX / 2);
    struct cell_ref *order = NULL;
    sqlite3_stmt *s = NULL;
    cxm_rc rc = acc_order(a, &order);

    if (!rc)
        rc = cxm__sq_kept(st, weeks ? week_sql : sql, &s);
    if (!rc)
        rc = cxm__sq_kept(st, weeks ? sketch_sql : step_sql, &ss);
    for (size_t j = 0; !rc && j < a->n; j++) {
        struct stats *x = &a->v[order[j].i];
        const char *key = order[j].key;
        struct cell_row r;
        int64_t sum;
        int p = 1;
        memset(&r, 0, sizeof(r));
        r.cube = (uint8_t)key[0];
        r.day = key_day(key);
        key += 9;
        for (int d = 0; d < CXM__TDIM_COUNT; d++) {
            r.dim[d] = key;
            key += strlen(key) + 1;
        }
        memcpy(r.c, x->c, sizeof(r.c));
        if (x->art_ms.sum > INT64_MAX || x->art_ms.sum < INT64_MIN ||
            x->frt_ms.sum > INT64_MAX || x->frt_ms.sum < INT64_MIN) {
            rc = CXM_ETOOBIG;
            break;
        }
        r.art_sum = (int64_t)x->art_ms.sum;
        r.frt_sum = (int64_t)x->frt_ms.sum;
        cxm__msum_sq_split(&x->art_ms, &r.art_hi, &r.art_lo);
        cxm__msum_sq_split(&x->frt_ms, &r.frt_hi, &r.frt_lo);
        rc = blob_of(&x->art, &art);
        if (!rc)
            rc = blob_of(&x->frt, &frt);
        if (rc)
            break;
        r.art = art.len ? art.data : NULL;
        r.art_len = art.len;
        r.frt = frt.len ? frt.data : NULL;
        r.frt_len = frt.len;
        if (weeks && r.art) {
            rc = sketch_write(st, ss, &r, 0, &art, art_h);
            r.art = art_h;
            r.art_len = 8;
        }
        if (!rc && weeks && r.frt) {
            rc = sketch_write(st, ss, &r, 1, &frt, frt_h);
            r.frt = frt_h;
            r.frt_len = 8;
        }
        if (!rc)
            rc = cell_checksum(&r, &chk, &sum);
        if (rc)
            break;
        sqlite3_bind_int64(s, p++, st->workspace_id);
        sqlite3_bind_int64(s, p++, r.cube);
        sqlite3_bind_int64(s, p++, r.day);
        for (int d = 0; d < CXM__TDIM_COUNT; d++)
            sqlite3_bind_text(s, p++, r.dim[d], -1, SQLITE_STATIC);
        for (int c = 0; c < C_COUNT; c++)
            sqlite3_bind_int64(s, p++, r.c[c]);
        sqlite3_bind_int64(s, p++, r.art_sum);
        sqlite3_bind_int64(s, p++, (int64_t)r.art_hi);
        sqlite3_bind_int64(s, p++, (int64_t)r.art_lo);
        if (r.art)
            sqlite3_bind_blob(s, p++, r.art, (int)r.art_len, SQLITE_STATIC);
        else
            sqlite3_bind_null(s, p++);
        sqlite3_bind_int64(s, p++, r.frt_sum);
        sqlite3_bind_int64(s, p++, (int64_t)r.frt_hi);
        sqlite3_bind_int64(s, p++, (int64_t)r.frt_lo);
        if (r.frt)
            sqlite3_bind_blob(s, p++, r.frt, (int)r.frt_len, SQLITE_STATIC);
        else
            sqlite3_bind_null(s, p++);
        sqlite3_bind_int64(s, p++, sum);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = cxm__sq_fail(st);
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        if (!rc && !weeks)
            rc = step_write(st, ss, &r, &chk);
    }
    if (s)
        cxm__sq_unkeep(st, s);
    if (ss)
        cxm__sq_unkeep(st, ss);
    cxm__free(order);
    cxm__buf_release(&art);
    cxm__buf_release(&frt);
    cxm__buf_release(&chk);
    return rc;
}

/* Counts the cells of the days [d0, d1) (of those only days[0..n), when
 * days is not NULL) from the tickets found through the three timestamp
 * indexes (by_index: a few days of many) or from one sequential pass over
 * every ticket, and writes them; their old cells are deleted already. */
static cxm_rc count_cells(cxm_store *st, int64_t d0, int64_t d1,
                          const int64_t *days, size_t n, bool by_index)
{
    struct acc a;
    struct span sp;
    cxm_rc rc;

    memset(&a, 0, sizeof(a));
    memset(&sp, 0, sizeof(sp));
    a.kb = (struct cxm__buf)CXM__BUF_INIT(SIZE_MAX / 2);
    sp.a = &a;
    sp.lo = d0 * DAY_MS;
    sp.hi = d1 * DAY_MS;
    sp.days = days;
    sp.n_days = n;
    rc = by_index ? cxm__sq_scan_tickets_between(st, sp.lo, sp.hi,
                                                 acc_ticket, &sp)
                  : cxm__sq_scan_tickets_seq(st, acc_ticket, &sp);
    if (!rc)
        rc = acc_derive(&a);
    if (!rc)
        rc = acc_write(st, &a, false);
    acc_release(&a);
    return rc;
}

/* Counts the cells of the days [d0, d1) again (a few days of many). */
static cxm_rc recount(cxm_store *st, int64_t d0, int64_t d1)
{
    cxm_rc rc = CXM_OK;

    for (int t = 0; !rc && t < 2; t++)
        rc = cxm__sq_run_ints(st,
                              t ? "DELETE FROM ticket_steps"
                                  " WHERE workspace_id = ?1"
                                  " AND cube IN " CUBES_SQL
                                  " AND day >= ?2 AND day < ?3"
                                : "DELETE FROM ticket_cells"
                                  " WHERE workspace_id = ?1"
                                  " AND cube IN " CUBES_SQL
                                  " AND day >= ?2 AND day < ?3",
                              (int64_t[]){st->workspace_id, d0, d1}, 3,
                              NULL);
    return rc ? rc : count_cells(st, d0, d1, NULL, 0, true);
}

/* The cells of [d0, d1) (days[0..n) only, when not NULL) from one
 * sequential pass over every ticket: their cells were deleted by the
 * caller. */
static cxm_rc recount_pass(cxm_store *st, int64_t d0, int64_t d1,
                           const int64_t *days, size_t n)
{
    return count_cells(st, d0, d1, days, n, false);
}

/* Counts the cells of the days [d0, d1] (days[0..n) only, when not NULL)
 * by sequential passes over the tickets, each accumulating the cells of
 * a slice of the days in memory: as many passes as PASS_TICKETS bounds
 * (the cells of a pass cost a few hundred bytes each, and their sketches
 * up to 4,096 durations of 8 bytes). */
static cxm_rc recount_scan(cxm_store *st, int64_t d0, int64_t d1,
                           const int64_t *days, size_t n)
{
    int64_t tickets = 0, passes, width;
    cxm_rc rc = cxm__sq_run_ints(st,
                                 "SELECT count(*) FROM tickets"
                                 " WHERE workspace_id = ?1",
                                 (int64_t[]){st->workspace_id}, 1, &tickets);

    passes = tickets / PASS_TICKETS + 1;
    width = (d1 - d0) / passes + 1;
    for (int64_t lo = d0; !rc && lo <= d1; lo += width)
        rc = recount_pass(st, lo, lo + width, days, n);
    return rc;
}

/* Deletes the cells of days[0..n) and their steps. */
static cxm_rc delete_days(cxm_store *st, const int64_t *days, size_t n)
{
    cxm_rc rc = CXM_OK;

    for (size_t i = 0; !rc && i < 2 * n; i++)
        rc = cxm__sq_run_ints(st,
                              i % 2 ? "DELETE FROM ticket_steps WHERE"
                                      " workspace_id = ?1 AND cube IN "
                                      CUBES_SQL " AND day = ?2"
                                    : "DELETE FROM ticket_cells WHERE"
                                      " workspace_id = ?1 AND cube IN "
                                      CUBES_SQL " AND day = ?2",
                              (int64_t[]){st->workspace_id, days[i / 2]}, 2,
                              NULL);
    return rc;
}

/* The first and last day of any ticket event, *found false when none. */
static cxm_rc event_days(cxm_store *st, bool *found, int64_t *d0,
                         int64_t *d1)
{
    static const char *const sql[] = {
        "SELECT min(created_at) FROM tickets WHERE workspace_id = ?1",
        "SELECT max(created_at) FROM tickets WHERE workspace_id = ?1",
        "SELECT min(resolved_at) FROM tickets WHERE workspace_id = ?1",
        "SELECT max(resolved_at) FROM tickets WHERE workspace_id = ?1",
        "SELECT min(first_response_at) FROM tickets WHERE workspace_id = ?1",
        "SELECT max(first_response_at) FROM tickets WHERE workspace_id = ?1",
    };
    *found = false;
    for (size_t i = 0; i < CXM_ARRAY_LEN(sql); i++) {
        sqlite3_stmt *s = NULL;
        cxm_rc rc = cxm__sq_prepare_ws(st, sql[i], &s);
        int step;
        if (rc)
            return rc;
        step = sqlite3_step(s);
        if (step == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
            int64_t d = cxm__sq_day_of(sqlite3_column_int64(s, 0));
            if (!*found || d < *d0)
                *d0 = d;
            if (!*found || d > *d1)
                *d1 = d;
            *found = true;
        }
        sqlite3_finalize(s);
        if (step != SQLITE_ROW && step != SQLITE_DONE)
            return cxm__sq_fail(st);
    }
    return CXM_OK;
}

/* The dirty days, ascending. */
static cxm_rc dirty_list(cxm_store *st, const char *sql, int64_t **out,
                         size_t *n)
{
    sqlite3_stmt *s = NULL;
    size_t cap = 0;
    int step;
    cxm_rc rc = cxm__sq_prepare_ws(st, sql, &s);

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

static cxm_rc dirty_days(cxm_store *st, int64_t **out, size_t *n)
{
    return dirty_list(st,
                      "SELECT day FROM ticket_dirty"
                      " WHERE workspace_id = ?1 ORDER BY day",
                      out, n);
}

/* Marks the days of the tickets this transaction inserted (their rowids
 * past the mark taken at BEGIN; every day when no mark was taken). */
static cxm_rc mark_inserted(cxm_store *st)
{
    int64_t mark_r, mark_t;

    if (!(cxm__sq_kinds_written(st) & (1u << CXM_KIND_TICKETS)))
        return CXM_OK;
    if (!cxm__sq_marks(st, &mark_r, &mark_t))
        return cxm__sq_run_ints(st,
                                "INSERT OR IGNORE INTO ticket_dirty"
                                " VALUES (?1, ?2)",
                                (int64_t[]){st->workspace_id, ALL_DAYS}, 2,
                                NULL);
    return cxm__sq_run_ints(
        st,
        "INSERT OR IGNORE INTO ticket_dirty"
        " SELECT ?1, (v - (v < 0) * 86399999) / 86400000 FROM ("
        "  SELECT created_at AS v FROM tickets"
        "  WHERE workspace_id = ?1 AND rowid > ?2"
        "  UNION SELECT resolved_at FROM tickets"
        "  WHERE workspace_id = ?1 AND rowid > ?2"
        "  UNION SELECT first_response_at FROM tickets"
        "  WHERE workspace_id = ?1 AND rowid > ?2)"
        " WHERE v IS NOT NULL",
        (int64_t[]){st->workspace_id, mark_t}, 2, NULL);
}

/* ---- Week cells (ticket_weeks, 0024) ------------------------------------
 *
 * Each cell of a UTC week (Monday to Sunday; `day` is its Monday) merged
 * from its seven days' cells: the same counts, exact sums and sketches (a
 * multiset: past 4,096 durations its buckets, as the row scan's). A
 * report reads a week whole when the period holds all of it and no bucket
 * of its breakdown starts inside it. Rebuilt at the flush for the weeks
 * in ticket_weeks_dirty (those of the days counted again); while any is
 * dirty, reports read days only. */

/* The Monday of the UTC week of `day` (day 0, 1970-01-01, a Thursday). */
static int64_t week_of(int64_t day)
{
    return day - ((day + 3) % 7 + 7) % 7;
}

/* Marks the weeks of days[0..n) (every week with cells: ALL_DAYS) for
 * rebuilding. */
static cxm_rc weeks_mark(cxm_store *st, const int64_t *days, size_t n)
{
    cxm_rc rc = CXM_OK;

    if (n && days[0] == ALL_DAYS)
        return cxm__sq_run_ints(
            st,
            "INSERT OR IGNORE INTO ticket_weeks_dirty SELECT ?1, day - ((day"
            " + 3) % 7 + 7) % 7 FROM ticket_cells WHERE workspace_id = ?1"
            " AND cube = 0",
            (int64_t[]){st->workspace_id}, 1, NULL);
    for (size_t i = 0; !rc && i < n; i++)
        rc = cxm__sq_run_ints(st,
                              "INSERT OR IGNORE INTO ticket_weeks_dirty"
                              " VALUES (?1, ?2)",
                              (int64_t[]){st->workspace_id, week_of(days[i])},
                              2, NULL);
    return rc;
}

/* A report with a where on an agent reads only that agent's cells: the
 * days [?3, ?4) one by one (every `step` days: the week cells' Mondays),
 * each through the primary key (…, day, agent_id = ?5, …), in its
 * order, instead of every cell of the cube then dropping the others
 * (their sketches read all the same: docs/performance.md, "Agent page
 * cards at 10M"). */
#define AGENT_DAYS(step)                                                    \
    "WITH RECURSIVE d(x) AS (SELECT ?3 UNION ALL SELECT x + " step         \
    " FROM d WHERE x + " step " < ?4) "
#define AGENT_CELLS                                                         \
    " WHERE workspace_id = ?1 AND cube = ?2 AND day IN d"                   \
    " AND agent_id = ?5"                                                    \
    " ORDER BY day, agent_id, team, channel, topic, segment"

/* The columns of a cell as read_cells() and week_build() read them. */
#define CELL_SELECT                                                         \
    "SELECT day, agent_id, team, channel, topic, segment, created,"         \
    " created_resolved, escalated, complaints, resolved, fcr, fcr_touch,"   \
    " with_agent, opened, closed, art_sum, art_sq_hi, art_sq_lo, art,"      \
    " frt_sum, frt_sq_hi, frt_sq_lo, frt, checksum"

/* Whether a cell of these dimensions' values is of a group the query
 * keeps (q->where): the others are neither checked nor parsed. */
static bool cell_kept(const struct cxm__ticket_query *q,
                      const char *const *dim)
{
    for (int d = 0; d < CXM__TDIM_COUNT; d++) {
        if (q->where[d] && strcmp(q->where[d], dim[d]) != 0)
            return false;
    }
    return true;
}

/* Row r of cell statement s (CELL_SELECT) of `cube`, its blobs borrowed;
 * *ok false when its checksum does not match. */
static cxm_rc cell_read(sqlite3_stmt *s, int64_t cube, struct cell_row *r,
                        struct cxm__buf *chk, bool *ok)
{
    int64_t sum;
    cxm_rc rc;

    r->cube = cube;
    r->day = sqlite3_column_int64(s, 0);
    for (int d = 0; d < CXM__TDIM_COUNT; d++)
        r->dim[d] = nz(cxm__sq_text(s, 1 + d));
    for (int k = 0; k < C_COUNT; k++)
        r->c[k] = sqlite3_column_int64(s, 6 + k);
    r->art_sum = sqlite3_column_int64(s, 16);
    r->art_hi = (uint64_t)sqlite3_column_int64(s, 17);
    r->art_lo = (uint64_t)sqlite3_column_int64(s, 18);
    r->frt_sum = sqlite3_column_int64(s, 20);
    r->frt_hi = (uint64_t)sqlite3_column_int64(s, 21);
    r->frt_lo = (uint64_t)sqlite3_column_int64(s, 22);
    r->art = sqlite3_column_blob(s, 19);
    r->art_len = (size_t)sqlite3_column_bytes(s, 19);
    r->frt = sqlite3_column_blob(s, 23);
    r->frt_len = (size_t)sqlite3_column_bytes(s, 23);
    rc = cell_checksum(r, chk, &sum);
    *ok = !rc && sqlite3_column_type(s, 24) == SQLITE_INTEGER &&
          sqlite3_column_int64(s, 24) == sum;
    return rc;
}

/* The statistics of cell row r (both sketches parsed), into *x. */
static cxm_rc cell_stats(const struct cell_row *r, struct stats *x)
{
    cxm_rc rc = CXM_OK;

    memset(x, 0, sizeof(*x));
    memcpy(x->c, r->c, sizeof(r->c));
    x->art_ms.n = r->c[C_RESOLVED];
    x->art_ms.sum = r->art_sum;
    cxm__msum_sq_join(&x->art_ms, r->art_hi, r->art_lo);
    x->frt_ms.sum = r->frt_sum;
    cxm__msum_sq_join(&x->frt_ms, r->frt_hi, r->frt_lo);
    if (r->art)
        rc = cxm__qsketch_deserialize(&x->art, r->art, r->art_len);
    if (!rc && r->frt)
        rc = cxm__qsketch_deserialize(&x->frt, r->frt, r->frt_len);
    x->frt_ms.n = (int64_t)cxm__qsketch_count(&x->frt);
    return rc;
}

/* Merges the cells of week w (every cube) into a; *ok false when one's
 * checksum does not match (nothing to build from: the week stays dirty,
 * and a report reading its days finds the damage). */
static cxm_rc week_merge(cxm_store *st, int64_t w, struct acc *a, bool *ok)
{
    static const char sql[] = CELL_SELECT ", cube FROM ticket_cells"
        " WHERE workspace_id = ?1 AND cube IN " CUBES_SQL
        " AND day >= ?2 AND day < ?3";
    struct cxm__buf chk = CXM__BUF_INIT(SIZE_MAX / 2);
    sqlite3_stmt *s = NULL;
    int step = SQLITE_DONE;
    cxm_rc rc = cxm__sq_kept(st, sql, &s);

    *ok = true;
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_int64(s, 2, w);
    sqlite3_bind_int64(s, 3, w + 7);
    while (!rc && *ok && (step = sqlite3_step(s)) == SQLITE_ROW) {
        struct cell_row r;
        struct stats x;
        size_t pos, cube = (size_t)sqlite3_column_int64(s, 25);
        if (cube >= CXM__SQ_N_CUBES) {
            *ok = false;
            break;
        }
        rc = cell_read(s, (int64_t)cube, &r, &chk, ok);
        if (rc || !*ok)
            break;
        rc = cell_stats(&r, &x);
        if (!rc)
            rc = acc_cell(a, cube, w, r.dim, &pos);
        if (!rc)
            rc = stats_merge(&a->v[pos], &x);
        stats_release(&x);
    }
    if (!rc && *ok && step != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    cxm__sq_unkeep(st, s);
    cxm__buf_release(&chk);
    return rc;
}

/* Builds the week cells of week w again from its days' cells. */
static cxm_rc week_build(cxm_store *st, int64_t w, bool *ok)
{
    struct acc a;
    cxm_rc rc;

    memset(&a, 0, sizeof(a));
    a.kb = (struct cxm__buf)CXM__BUF_INIT(SIZE_MAX / 2);
    rc = cxm__sq_run_ints(st,
                          "DELETE FROM ticket_weeks WHERE workspace_id = ?1"
                          " AND cube IN " CUBES_SQL " AND day = ?2",
                          (int64_t[]){st->workspace_id, w}, 2, NULL);
    if (!rc)
        rc = cxm__sq_run_ints(st,
                              "DELETE FROM ticket_week_sketches"
                              " WHERE workspace_id = ?1 AND cube IN "
                              CUBES_SQL " AND kind IN (0, 1) AND day = ?2",
                              (int64_t[]){st->workspace_id, w}, 2, NULL);
    if (!rc)
        rc = week_merge(st, w, &a, ok);
    if (!rc && *ok)
        rc = acc_write(st, &a, true);
    if (!rc && *ok)
        rc = cxm__sq_run_ints(st,
                              "DELETE FROM ticket_weeks_dirty"
                              " WHERE workspace_id = ?1 AND week = ?2",
                              (int64_t[]){st->workspace_id, w}, 2, NULL);
    acc_release(&a);
    return rc;
}

/* Rebuilds the dirty weeks, in order; stops at a damaged cell. */
static cxm_rc weeks_flush(cxm_store *st)
{
    int64_t *weeks = NULL;
    size_t n = 0;
    bool ok = true;
    cxm_rc rc = dirty_list(st,
                           "SELECT week FROM ticket_weeks_dirty"
                           " WHERE workspace_id = ?1 ORDER BY week",
                           &weeks, &n);

    for (size_t i = 0; !rc && ok && i < n; i++)
        rc = week_build(st, weeks[i], &ok);
    cxm__free(weeks);
    return rc;
}

cxm_rc cxm__sq_ticket_flush(cxm_store *st)
{
    int64_t *days = NULL;
    size_t n = 0;
    bool found = false;
    int64_t d0 = 0, d1 = -1;
    cxm_rc rc = mark_inserted(st);

    if (!rc)
        rc = dirty_days(st, &days, &n);
    if (rc || n == 0) {
        cxm__free(days);
        return rc ? rc : weeks_flush(st);
    }
    if (!rc)
        rc = weeks_mark(st, days, n);
    if (days[0] == ALL_DAYS) {
        rc = cxm__sq_run_ints(st,
                              "DELETE FROM ticket_cells"
                              " WHERE workspace_id = ?1",
                              (int64_t[]){st->workspace_id}, 1, NULL);
        if (!rc)
            rc = cxm__sq_run_ints(st,
                                  "DELETE FROM ticket_steps"
                                  " WHERE workspace_id = ?1",
                                  (int64_t[]){st->workspace_id}, 1, NULL);
        if (!rc)
            rc = event_days(st, &found, &d0, &d1);
        if (!rc && found)
            rc = recount_scan(st, d0, d1, NULL, 0);
    } else if (n <= MAX_SINGLE_DAYS) {
        for (size_t i = 0; !rc && i < n; i++)
            rc = recount(st, days[i], days[i] + 1);
    } else {
        /* Many days: one pass over the tickets rather than an index
         * range (and a random read of the table) per ticket. */
        rc = delete_days(st, days, n);
        if (!rc)
            rc = recount_scan(st, days[0], days[n - 1], days, n);
    }
    cxm__free(days);
    if (!rc)
        rc = cxm__sq_run_ints(st,
                              "DELETE FROM ticket_dirty"
                              " WHERE workspace_id = ?1",
                              (int64_t[]){st->workspace_id}, 1, NULL);
    return rc ? rc : weeks_flush(st);
}

/* ---- Reading ---------------------------------------------------------- */

static int cmp_day(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

bool cxm__sq_days_has(const struct cxm__sq_days *d, int64_t day)
{
    return d->n && bsearch(&day, d->v, d->n, sizeof(*d->v), cmp_day);
}

/* The days [d0, d1) of the period whose cells would straddle two of the
 * breakdown's buckets: a bucket starts inside them, as a day, week or
 * month in a zone other than UTC does. Their events are read from the
 * rows. *ok false when a bucket starts inside the period's first partial
 * day (a zone's day shorter than what is left of the UTC one, at a
 * change of offset) or too many do: the report reads every row. */
cxm_rc cxm__sq_split_days(const struct cxm__ticket_query *q, int64_t d0,
                          int64_t d1, struct cxm__sq_days *out, bool *ok)
{
    cxm_rc rc = CXM_OK;

    *ok = true;
    for (size_t g = 0; !rc && *ok && g < q->n_grains; g++) {
        cxm_dim dim = cxm__grain_dim(q->grain[g]);
        int64_t b = cxm__zbucket_start(q->zone, dim, q->from);
        while (!rc && *ok && (b = cxm__zbucket_next(q->zone, dim, b)) < q->to) {
            int64_t day = cxm__sq_day_of(b);
            if (day * DAY_MS == b || day >= d1)
                continue; /* a UTC midnight; the period's last day */
            if (day < d0 || out->n >= MAX_SPLIT_DAYS) {
                *ok = false;
                break;
            }
            rc = cxm__grow((void **)&out->v, &out->cap, out->n + 1,
                           sizeof(*out->v));
            if (!rc)
                out->v[out->n++] = day;
        }
    }
    if (!rc && out->n) {
        size_t k = 1;
        qsort(out->v, out->n, sizeof(*out->v), cmp_day);
        for (size_t i = 1; i < out->n; i++) {
            if (out->v[i] != out->v[k - 1])
                out->v[k++] = out->v[i];
        }
        out->n = k;
    }
    return rc;
}

static cxm_rc parse_sketch(sqlite3_stmt *s, int col, struct cxm__qsketch *q)
{
    const void *p = sqlite3_column_blob(s, col);
    int len = sqlite3_column_bytes(s, col);

    if (!p)
        return CXM_OK;
    return cxm__qsketch_deserialize(q, p, (size_t)len);
}

static cxm_rc hand_over(const struct stats *x, const char *const *dim,
                        int64_t at, bool in_period,
                        cxm__ticket_group_fn fn, void *ud);

/* A cursor over the week sketches of one kind of a range of days, in key
 * order (ticket_week_sketches, 0024), beside the range's week cells. */
struct skcur {
    sqlite3_stmt *s; /* NULL: the kind is not read */
    bool row;        /* s is on a row */
};

static cxm_rc skcur_step(cxm_store *st, struct skcur *c)
{
    int step = sqlite3_step(c->s);

    c->row = step == SQLITE_ROW;
    return c->row || step == SQLITE_DONE ? CXM_OK : cxm__sq_fail(st);
}

/* A week piece's first Monday (pieces_of() starts them on one). */
static int64_t first_week(int64_t d0)
{
    int64_t w = week_of(d0);

    return w < d0 ? w + 7 : w;
}

static cxm_rc skcur_open(cxm_store *st, struct skcur *c, size_t cube,
                         int kind, int64_t d0, int64_t d1, const char *agent)
{
    static const char sql[] =
        "SELECT day, agent_id, team, channel, topic, segment, sketch"
        " FROM ticket_week_sketches WHERE workspace_id = ?1 AND cube = ?2"
        " AND kind = ?3 AND day >= ?4 AND day < ?5";
    /* One agent's (AGENT_DAYS): each Monday through the key. */
    static const char agent_sql[] =
        "WITH RECURSIVE d(x) AS (SELECT ?4 UNION ALL SELECT x + 7 FROM d"
        " WHERE x + 7 < ?5)"
        " SELECT day, agent_id, team, channel, topic, segment, sketch"
        " FROM ticket_week_sketches WHERE workspace_id = ?1 AND cube = ?2"
        " AND kind = ?3 AND day IN d AND agent_id = ?6"
        " ORDER BY day, agent_id, team, channel, topic, segment";
    cxm_rc rc = cxm__sq_kept(st, agent ? agent_sql : sql, &c->s);

    if (rc)
        return rc;
    sqlite3_bind_int64(c->s, 1, st->workspace_id);
    sqlite3_bind_int64(c->s, 2, (int64_t)cube);
    sqlite3_bind_int64(c->s, 3, kind);
    sqlite3_bind_int64(c->s, 4, agent ? first_week(d0) : d0);
    sqlite3_bind_int64(c->s, 5, d1);
    if (agent)
        sqlite3_bind_text(c->s, 6, agent, -1, SQLITE_STATIC);
    return skcur_step(st, c);
}

static void skcur_close(cxm_store *st, struct skcur *c)
{
    if (c->s)
        cxm__sq_unkeep(st, c->s);
    c->s = NULL;
}

/* The cursor's key against cell r's: <0, 0, >0. */
static int skcur_cmp(const struct skcur *c, const struct cell_row *r)
{
    int64_t day = sqlite3_column_int64(c->s, 0);

    if (day != r->day)
        return day < r->day ? -1 : 1;
    for (int d = 0; d < CXM__TDIM_COUNT; d++) {
        int x = strcmp(nz(cxm__sq_text(c->s, 1 + d)), r->dim[d]);
        if (x)
            return x;
    }
    return 0;
}

/* The sketch of week cell r whose hash (8 bytes, or NULL: none of this
 * kind) is h: *blob borrowed from the cursor, NULL when none; *ok false
 * when it is missing or its hash differs. */
static cxm_rc skcur_find(cxm_store *st, struct skcur *c,
                         const struct cell_row *r, const void *h,
                         size_t h_len, const void **blob, size_t *len,
                         bool *ok)
{
    uint8_t hh[8];
    int x = -1;
    cxm_rc rc = CXM_OK;

    *blob = NULL;
    *len = 0;
    *ok = true;
    while (!rc && c->row && (x = skcur_cmp(c, r)) < 0)
        rc = skcur_step(st, c);
    if (rc || !h)
        return rc;
    if (!c->row || x != 0 || h_len != 8) {
        *ok = false;
        return CXM_OK;
    }
    *blob = sqlite3_column_blob(c->s, 6);
    *len = (size_t)sqlite3_column_bytes(c->s, 6);
    put_u64(hh, cxm__xxh64(*blob, *len, 0x736b6574));
    *ok = *blob && memcmp(hh, h, 8) == 0;
    return CXM_OK;
}

/* Week cell r's sketches of the kinds read: checked (pass 0), or parsed
 * into x (pass 1). */
static cxm_rc week_sketches(cxm_store *st, struct skcur c[2],
                            sqlite3_stmt *s, const struct cell_row *r,
                            struct stats *x, bool *ok)
{
    cxm_rc rc = CXM_OK;

    *ok = true;
    for (int k = 0; !rc && *ok && k < 2; k++) {
        const void *blob;
        size_t len;
        int col = k ? 23 : 19;
        if (!c[k].s)
            continue;
        rc = skcur_find(st, &c[k], r, sqlite3_column_blob(s, col),
                        (size_t)sqlite3_column_bytes(s, col), &blob, &len,
                        ok);
        if (!rc && *ok && x && blob)
            rc = cxm__qsketch_deserialize(k ? &x->frt : &x->art, blob, len);
    }
    return rc;
}

/* The cells of `cube` with day in [d0, d1), in pass 0 every checksum
 * (*damaged when one does not match: nothing handed over), in pass 1
 * each cell handed to fn (in the period from day dp: its counts and
 * durations, the sketches parsed when wanted; before it only the
 * backlog's steps, and only when they do not cancel), but those of the
 * days in `skip` (checked all the same). */
static cxm_rc read_cells(cxm_store *st, size_t cube, int64_t d0, int64_t d1,
                         int64_t dp, const struct cxm__sq_days *skip,
                         const struct cxm__ticket_query *q, int pass,
                         bool weeks, cxm__ticket_group_fn fn, void *ud,
                         bool *damaged)
{
    static const char days_sql[] = CELL_SELECT " FROM ticket_cells"
        " WHERE workspace_id = ?1 AND cube = ?2 AND day >= ?3 AND day < ?4";
    static const char weeks_sql[] = CELL_SELECT " FROM ticket_weeks"
        " WHERE workspace_id = ?1 AND cube = ?2 AND day >= ?3 AND day < ?4";
    static const char agent_days_sql[] = AGENT_DAYS("1") CELL_SELECT
        " FROM ticket_cells" AGENT_CELLS;
    static const char agent_weeks_sql[] = AGENT_DAYS("7") CELL_SELECT
        " FROM ticket_weeks" AGENT_CELLS;
    const char *agent = q->where[CXM__TDIM_AGENT];
    struct cxm__buf chk = CXM__BUF_INIT(SIZE_MAX / 2);
    sqlite3_stmt *s = NULL;
    int step = SQLITE_DONE;
    struct skcur sk[2] = {{NULL, false}, {NULL, false}};
    cxm_rc rc = cxm__sq_kept(st,
                             agent ? (weeks ? agent_weeks_sql : agent_days_sql)
                                   : (weeks ? weeks_sql : days_sql),
                             &s);

    if (!rc && weeks && q->want_art)
        rc = skcur_open(st, &sk[0], cube, 0, d0, d1, agent);
    if (!rc && weeks && q->want_frt)
        rc = skcur_open(st, &sk[1], cube, 1, d0, d1, agent);
    *damaged = false;
    if (rc) {
        if (s)
            cxm__sq_unkeep(st, s);
        skcur_close(st, &sk[0]);
        skcur_close(st, &sk[1]);
        cxm__buf_release(&chk);
        return rc;
    }
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_int64(s, 2, (int64_t)cube);
    sqlite3_bind_int64(s, 3, agent && weeks ? first_week(d0) : d0);
    sqlite3_bind_int64(s, 4, d1);
    if (agent)
        sqlite3_bind_text(s, 5, agent, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        struct cell_row r;
        struct stats x;
        int64_t sum;
        bool in_period;
        r.cube = (int64_t)cube;
        r.day = sqlite3_column_int64(s, 0);
        for (int d = 0; d < CXM__TDIM_COUNT; d++)
            r.dim[d] = nz(cxm__sq_text(s, 1 + d));
        if (!cell_kept(q, r.dim))
            continue; /* the report's where: another group */
        for (int k = 0; k < C_COUNT; k++)
            r.c[k] = sqlite3_column_int64(s, 6 + k);
        in_period = r.day >= dp;
        if (pass == 1 && !in_period && r.c[C_OPENED] == r.c[C_CLOSED])
            continue; /* before the period: no step */
        if (pass == 1 && in_period && cxm__sq_days_has(skip, r.day))
            continue; /* a split day: from the rows */
        r.art_sum = sqlite3_column_int64(s, 16);
        r.art_hi = (uint64_t)sqlite3_column_int64(s, 17);
        r.art_lo = (uint64_t)sqlite3_column_int64(s, 18);
        r.frt_sum = sqlite3_column_int64(s, 20);
        r.frt_hi = (uint64_t)sqlite3_column_int64(s, 21);
        r.frt_lo = (uint64_t)sqlite3_column_int64(s, 22);
        if (pass == 0) {
            r.art = sqlite3_column_blob(s, 19);
            r.art_len = (size_t)sqlite3_column_bytes(s, 19);
            r.frt = sqlite3_column_blob(s, 23);
            r.frt_len = (size_t)sqlite3_column_bytes(s, 23);
            rc = cell_checksum(&r, &chk, &sum);
            if (rc)
                break;
            if (sqlite3_column_type(s, 24) != SQLITE_INTEGER ||
                sqlite3_column_int64(s, 24) != sum) {
                *damaged = true;
                break;
            }
            if (weeks) {
                bool ok;
                rc = week_sketches(st, sk, s, &r, NULL, &ok);
                *damaged = !ok;
                if (rc || !ok)
                    break;
            }
            continue;
        }
        memset(&x, 0, sizeof(x));
        memcpy(x.c, r.c, sizeof(r.c));
        if (in_period) {
            x.art_ms.n = r.c[C_RESOLVED];
            x.art_ms.sum = r.art_sum;
            cxm__msum_sq_join(&x.art_ms, r.art_hi, r.art_lo);
            if (weeks) {
                bool ok;
                rc = week_sketches(st, sk, s, &r, &x, &ok);
                if (!rc && !ok)
                    rc = CXM_ESTORE; /* checked in pass 0: changed since */
            } else if (q->want_art) {
                rc = parse_sketch(s, 19, &x.art);
            }
            if (!rc && q->want_frt) {
                x.frt_ms.sum = r.frt_sum;
                cxm__msum_sq_join(&x.frt_ms, r.frt_hi, r.frt_lo);
                if (!weeks)
                    rc = parse_sketch(s, 23, &x.frt);
                x.frt_ms.n = (int64_t)cxm__qsketch_count(&x.frt);
            }
        }
        if (!rc)
            rc = hand_over(&x, r.dim, r.day * DAY_MS, in_period, fn, ud);
        stats_release(&x);
        if (rc)
            break;
    }
    if (!rc && !*damaged && step != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    sqlite3_reset(s);
    cxm__sq_unkeep(st, s);
    skcur_close(st, &sk[0]);
    skcur_close(st, &sk[1]);
    cxm__buf_release(&chk);
    return rc;
}

/* The backlog's steps of `cube` before day d1 (ticket_steps, 0024): in
 * pass 0 every checksum (*damaged when one does not match), in pass 1
 * each step handed to fn, outside the period. */
static cxm_rc read_steps(cxm_store *st, size_t cube, int64_t d1, int pass,
                         const struct cxm__ticket_query *q,
                         cxm__ticket_group_fn fn, void *ud, bool *damaged)
{
    static const char sql[] =
        "SELECT day, agent_id, team, channel, topic, segment, opened,"
        " closed, checksum FROM ticket_steps"
        " WHERE workspace_id = ?1 AND cube = ?2 AND day < ?3";
    /* One agent's (AGENT_DAYS): each day from the cube's first (d1
     * bounds the days only: a `day < ?3` here would have SQLite read
     * the range instead of seeking each day). */
    static const char agent_sql[] =
        "WITH RECURSIVE d(x) AS (SELECT min(day) FROM ticket_steps"
        " WHERE workspace_id = ?1 AND cube = ?2 AND day < ?3"
        " UNION ALL SELECT x + 1 FROM d WHERE x + 1 < ?3)"
        " SELECT day, agent_id, team, channel, topic, segment, opened,"
        " closed, checksum FROM ticket_steps"
        " WHERE workspace_id = ?1 AND cube = ?2 AND day IN d"
        " AND agent_id = ?4"
        " ORDER BY day, agent_id, team, channel, topic, segment";
    const char *agent = q->where[CXM__TDIM_AGENT];
    struct cxm__buf chk = CXM__BUF_INIT(SIZE_MAX / 2);
    sqlite3_stmt *s = NULL;
    int step = SQLITE_DONE;
    cxm_rc rc = cxm__sq_kept(st, agent ? agent_sql : sql, &s);

    *damaged = false;
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_int64(s, 2, (int64_t)cube);
    sqlite3_bind_int64(s, 3, d1);
    if (agent)
        sqlite3_bind_text(s, 4, agent, -1, SQLITE_STATIC);
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        struct cell_row r;
        struct stats x;
        int64_t sum;
        memset(&r, 0, sizeof(r));
        r.cube = (int64_t)cube;
        r.day = sqlite3_column_int64(s, 0);
        for (int d = 0; d < CXM__TDIM_COUNT; d++)
            r.dim[d] = nz(cxm__sq_text(s, 1 + d));
        if (!cell_kept(q, r.dim))
            continue;
        r.c[C_OPENED] = sqlite3_column_int64(s, 6);
        r.c[C_CLOSED] = sqlite3_column_int64(s, 7);
        if (pass == 0) {
            rc = step_checksum(&r, &chk, &sum);
            if (!rc && (sqlite3_column_type(s, 8) != SQLITE_INTEGER ||
                        sqlite3_column_int64(s, 8) != sum)) {
                *damaged = true;
                break;
            }
            continue;
        }
        memset(&x, 0, sizeof(x));
        memcpy(x.c, r.c, sizeof(r.c));
        rc = hand_over(&x, r.dim, r.day * DAY_MS, false, fn, ud);
    }
    if (!rc && !*damaged && step != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    cxm__sq_unkeep(st, s);
    cxm__buf_release(&chk);
    return rc;
}

/* Whether week w's cells can be handed over whole: no day of it split,
 * no bucket of the breakdown starting inside it. */
static bool week_whole(const struct cxm__ticket_query *q,
                       const struct cxm__sq_days *skip, int64_t w)
{
    for (int64_t d = w; d < w + 7; d++) {
        if (cxm__sq_days_has(skip, d))
            return false;
    }
    for (size_t g = 0; g < q->n_grains; g++) {
        cxm_dim dim = cxm__grain_dim(q->grain[g]);
        int64_t b = cxm__zbucket_start(q->zone, dim, w * DAY_MS);
        if (cxm__zbucket_next(q->zone, dim, b) < (w + 7) * DAY_MS)
            return false;
    }
    return true;
}

/* A run of the period's whole days read from the day cells, or of whole
 * weeks from the week cells. */
struct piece {
    int64_t lo, hi;
    bool weeks;
};

static cxm_rc piece_add(struct piece **v, size_t *n, size_t *cap,
                        int64_t lo, int64_t hi, bool weeks)
{
    cxm_rc rc;

    if (lo >= hi)
        return CXM_OK;
    if (*n && (*v)[*n - 1].weeks == weeks && (*v)[*n - 1].hi == lo) {
        (*v)[*n - 1].hi = hi;
        return CXM_OK;
    }
    rc = cxm__grow((void **)v, cap, *n + 1, sizeof(**v));
    if (!rc)
        (*v)[(*n)++] = (struct piece){lo, hi, weeks};
    return rc;
}

/* The days [d0, d1) as pieces: whole weeks from the week cells when they
 * are current (use_weeks), the rest from the day cells. */
static cxm_rc pieces_of(const struct cxm__ticket_query *q,
                        const struct cxm__sq_days *skip, int64_t d0, int64_t d1,
                        bool use_weeks, struct piece **v, size_t *n)
{
    size_t cap = 0;
    int64_t cur = d0, w = week_of(d0);
    cxm_rc rc = CXM_OK;

    *v = NULL;
    *n = 0;
    if (w < d0)
        w += 7;
    for (; use_weeks && !rc && w + 7 <= d1; w += 7) {
        if (!week_whole(q, skip, w))
            continue;
        rc = piece_add(v, n, &cap, cur, w, false);
        if (!rc)
            rc = piece_add(v, n, &cap, w, w + 7, true);
        cur = w + 7;
    }
    return rc ? rc : piece_add(v, n, &cap, cur, d1, false);
}

/* The cells of the period's whole days [d0, d1) (whole weeks of it from
 * the week cells when current) and, for the backlog, the steps of every
 * day before min(d0, d1): every checksum first (*damaged: nothing handed
 * over), then each handed to fn, the steps first. */
static cxm_rc read_days(cxm_store *st, size_t cube, int64_t d0, int64_t d1,
                        const struct cxm__sq_days *skip,
                        const struct cxm__ticket_query *q,
                        cxm__ticket_group_fn fn, void *ud, bool *damaged)
{
    static const struct cxm__sq_days none = {NULL, 0, 0};
    struct piece *pc = NULL;
    size_t n = 0;
    int64_t dirty = 1;
    cxm_rc rc = CXM_OK;

    *damaged = false;
    if (d1 - d0 >= 7)
        rc = cxm__sq_run_ints(st,
                              "SELECT EXISTS (SELECT 1 FROM"
                              " ticket_weeks_dirty WHERE workspace_id = ?1)",
                              (int64_t[]){st->workspace_id}, 1, &dirty);
    if (!rc)
        rc = pieces_of(q, skip, d0, d1, !dirty, &pc, &n);
    for (int pass = 0; pass < 2 && !rc && !*damaged; pass++) {
        if (q->want_backlog)
            rc = read_steps(st, cube, d1 < d0 ? d1 : d0, pass, q, fn, ud,
                            damaged);
        for (size_t i = 0; i < n && !rc && !*damaged; i++)
            rc = read_cells(st, cube, pc[i].lo, pc[i].hi, d0,
                            pc[i].weeks ? &none : skip, q, pass,
                            pc[i].weeks, fn, ud, damaged);
    }
    cxm__free(pc);
    return rc;
}

/* Hands stats x over as a group at `at`. */
static cxm_rc hand_over(const struct stats *x, const char *const *dim,
                        int64_t at, bool in_period,
                        cxm__ticket_group_fn fn, void *ud)
{
    struct cxm__ticket_group g;

    memset(&g, 0, sizeof(g));
    for (int d = 0; d < CXM__TDIM_COUNT; d++)
        g.dim[d] = dim[d];
    g.at = at;
    g.in_period = in_period;
    g.opened = x->c[C_OPENED];
    g.closed = x->c[C_CLOSED];
    if (in_period) {
        g.created = x->c[C_CREATED];
        g.created_resolved = x->c[C_CREATED_RESOLVED];
        g.escalated = x->c[C_ESCALATED];
        g.complaints = x->c[C_COMPLAINTS];
        g.resolved = x->c[C_RESOLVED];
        g.fcr = x->c[C_FCR];
        g.fcr_touch = x->c[C_FCR_TOUCH];
        g.with_agent = x->c[C_WITH_AGENT];
        g.art_ms = x->art_ms.n ? &x->art_ms : NULL;
        g.frt_ms = x->frt_ms.n ? &x->frt_ms : NULL;
        g.art = cxm__qsketch_count(&x->art) ? &x->art : NULL;
        g.frt = cxm__qsketch_count(&x->frt) ? &x->frt : NULL;
    }
    return fn(&g, ud);
}

/* The rows of a period's end inside a day: each event in [ev_lo, ev_hi)
 * handed over in the period, each backlog step in [st_lo, st_hi). */
struct edge {
    int64_t ev_lo, ev_hi, st_lo, st_hi;
    const struct cxm__ticket_query *q;
    cxm__ticket_group_fn fn;
    void *ud;
};

static cxm_rc edge_event(enum event e, int64_t at,
                         const struct cxm__ticket_row *t, void *ud)
{
    const struct edge *ed = ud;
    bool in_period = at >= ed->ev_lo && at < ed->ev_hi;
    bool step = at >= ed->st_lo && at < ed->st_hi;
    const char *dim[CXM__TDIM_COUNT];
    struct stats x;
    cxm_rc rc;

    if (!in_period && !(step && (e == EV_CREATED || e == EV_CLOSED)))
        return CXM_OK;
    memset(&x, 0, sizeof(x));
    ticket_dims(t, dim);
    rc = stats_add(&x, e, t,
                   (e == EV_RESOLVED && ed->q->want_art) ||
                       (e == EV_FIRST_RESPONSE && ed->q->want_frt));
    if (!step) {
        x.c[C_OPENED] = 0;
        x.c[C_CLOSED] = 0;
    }
    if (!rc)
        rc = hand_over(&x, dim, at, in_period, ed->fn, ed->ud);
    stats_release(&x);
    return rc;
}

static cxm_rc edge_ticket(const struct cxm__ticket_row *t, void *ud)
{
    const struct edge *ed = ud;
    int64_t lo = ed->ev_lo < ed->st_lo ? ed->ev_lo : ed->st_lo;
    int64_t hi = ed->ev_hi > ed->st_hi ? ed->ev_hi : ed->st_hi;

    return ticket_events(t, lo, hi, edge_event, ud);
}

static cxm_rc edge_rows(cxm_store *st, struct edge *ed)
{
    int64_t lo = ed->ev_lo < ed->st_lo ? ed->ev_lo : ed->st_lo;
    int64_t hi = ed->ev_hi > ed->st_hi ? ed->ev_hi : ed->st_hi;

    if (ed->ev_lo >= ed->ev_hi) {
        lo = ed->st_lo;
        hi = ed->st_hi;
    } else if (ed->st_lo >= ed->st_hi) {
        lo = ed->ev_lo;
        hi = ed->ev_hi;
    }
    if (lo >= hi)
        return CXM_OK;
    return cxm__sq_scan_tickets_between(st, lo, hi, edge_ticket, ed);
}

/* The events of the split days (split_days()) from the rows: each run
 * of consecutive ones in one read, its events and its backlog steps. */
static cxm_rc split_rows(cxm_store *st, const struct cxm__sq_days *split,
                         struct edge *ed)
{
    cxm_rc rc = CXM_OK;

    for (size_t i = 0, j; !rc && i < split->n; i = j) {
        for (j = i + 1; j < split->n && split->v[j] == split->v[j - 1] + 1;)
            j++;
        ed->ev_lo = split->v[i] * DAY_MS;
        ed->ev_hi = (split->v[j - 1] + 1) * DAY_MS;
        ed->st_lo = ed->q->want_backlog ? ed->ev_lo : 0;
        ed->st_hi = ed->q->want_backlog ? ed->ev_hi : 0;
        rc = edge_rows(st, ed);
    }
    return rc;
}

cxm_rc cxm__sq_ticket_groups(cxm_store *st, const struct cxm__ticket_query *q,
                             cxm__ticket_group_fn fn, void *ud, bool *served,
                             const char **detail)
{
    struct edge ed;
    struct cxm__sq_days split = {NULL, 0, 0};
    size_t cube = CXM__SQ_N_CUBES;
    int64_t dfrom, dto, d0, d1;
    bool damaged = false, ok = false;
    cxm_rc rc;

    *served = false;
    *detail = NULL;
    rc = cxm__sq_cells_cube(st, q,
                            "SELECT EXISTS (SELECT 1 FROM ticket_dirty"
                            " WHERE workspace_id = ?1)",
                            &cube);
    if (rc || cube == CXM__SQ_N_CUBES)
        return rc;
    /* Whole days of the period [d0, d1); the cells before d1 give the
     * backlog's steps (no row period ends inside them but on the split
     * days, whose cells are left for their rows: buckets in UTC are UTC
     * days or longer, and `to` is at or past d1). */
    dfrom = cxm__sq_day_of(q->from);
    d0 = dfrom * DAY_MS == q->from ? dfrom : dfrom + 1;
    d1 = cxm__sq_day_of(q->to);
    rc = cxm__sq_split_days(q, d0, d1, &split, &ok);
    if (!rc && ok)
        rc = read_days(st, cube, d0, d1, &split, q, fn, ud, &damaged);
    if (rc || !ok) {
        cxm__free(split.v);
        return rc;
    }
    if (damaged) {
        cxm__free(split.v);
        cxm__store_note(st, "a ticket cell is damaged (its checksum does "
                            "not match): ticket figures read from the rows;"
                            " the next import counts the cells again");
        /* Counted again at the next write transaction. */
        if (!st->read_only &&
            sqlite3_get_autocommit(cxm__sq_db(st)))
            (void)cxm__sq_run_ints(st,
                                   "INSERT OR IGNORE INTO ticket_dirty"
                                   " VALUES (?1, ?2)",
                                   (int64_t[]){st->workspace_id, ALL_DAYS},
                                   2, NULL);
        return CXM_OK;
    }
    /* The period's start inside a day: its events from the rows (the
     * backlog's steps of that day are in its cell, before d1). */
    dto = d1 * DAY_MS;
    memset(&ed, 0, sizeof(ed));
    ed.q = q;
    ed.fn = fn;
    ed.ud = ud;
    if (q->from < dto && q->from < d0 * DAY_MS) {
        ed.ev_lo = q->from;
        ed.ev_hi = d0 * DAY_MS;
        rc = edge_rows(st, &ed);
    }
    /* Its end inside a day: events from the rows, and the backlog's
     * steps of that day before `to`. */
    if (!rc && dto < q->to) {
        ed.ev_lo = q->from > dto ? q->from : dto;
        ed.ev_hi = q->to;
        ed.st_lo = q->want_backlog ? dto : 0;
        ed.st_hi = q->want_backlog ? q->to : 0;
        rc = edge_rows(st, &ed);
    }
    if (!rc)
        rc = split_rows(st, &split, &ed);
    cxm__free(split.v);
    if (!rc) {
        *served = true;
        *detail = split.n ? "days, and the rows of days a bucket splits"
                          : "days";
    }
    return rc;
}

/* ---- Self-service sessions ---------------------------------------------
 *
 * session_cells (0019): sessions and those resolved per UTC day of
 * started_at, cube 1 by topic and segment, cube 0 in all; counted again
 * whole (one GROUP BY) by a transaction that stored sessions or
 * customers (segments). */

static int64_t session_checksum(int64_t cube, int64_t day, const char *topic,
                                const char *segment, int64_t n,
                                int64_t resolved, struct cxm__buf *b)
{
    uint8_t v[32];

    cxm__buf_reset(b);
    put_u64(v, (uint64_t)cube);
    put_u64(v + 8, (uint64_t)day);
    put_u64(v + 16, (uint64_t)n);
    put_u64(v + 24, (uint64_t)resolved);
    if (cxm__buf_add(b, v, sizeof(v)) ||
        cxm__buf_add(b, topic, strlen(topic) + 1) ||
        cxm__buf_add(b, segment, strlen(segment) + 1))
        return 0; /* out of memory: a cell the next read finds damaged */
    return (int64_t)cxm__xxh64(b->data, b->len, 0x73657373);
}

static cxm_rc put_session_cell(cxm_store *st, sqlite3_stmt *ins, int64_t cube,
                               int64_t day, const char *topic,
                               const char *segment, int64_t n,
                               int64_t resolved, struct cxm__buf *b)
{
    sqlite3_bind_int64(ins, 1, st->workspace_id);
    sqlite3_bind_int64(ins, 2, cube);
    sqlite3_bind_int64(ins, 3, day);
    sqlite3_bind_text(ins, 4, topic, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 5, segment, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(ins, 6, n);
    sqlite3_bind_int64(ins, 7, resolved);
    sqlite3_bind_int64(ins, 8,
                       session_checksum(cube, day, topic, segment, n,
                                        resolved, b));
    if (sqlite3_step(ins) != SQLITE_DONE) {
        sqlite3_reset(ins);
        return cxm__sq_fail(st);
    }
    sqlite3_reset(ins);
    return CXM_OK;
}

static cxm_rc session_recount(cxm_store *st)
{
    struct cxm__buf b = CXM__BUF_INIT(1 << 20);
    sqlite3_stmt *s = NULL, *ins = NULL;
    int64_t day = 0, n = 0, res = 0;
    bool any = false;
    int step = SQLITE_DONE;
    cxm_rc rc = cxm__sq_run_ints(st,
                                 "DELETE FROM session_cells"
                                 " WHERE workspace_id = ?1",
                                 (int64_t[]){st->workspace_id}, 1, NULL);

    if (!rc)
        rc = cxm__sq_prepare_ws(
            st,
            "SELECT (s.started_at - (s.started_at < 0) * 86399999)"
            " / 86400000 AS d, coalesce(s.topic, '') AS tp,"
            " coalesce(c.segment, '') AS sg, count(*),"
            " sum(s.resolved IS NOT NULL AND s.resolved <> 0)"
            " FROM selfservice s LEFT JOIN customers c"
            "  ON c.workspace_id = s.workspace_id"
            "  AND c.customer_id = s.customer_id"
            " WHERE s.workspace_id = ?1 GROUP BY d, tp, sg ORDER BY d",
            &s);
    if (!rc)
        rc = cxm__sq_prepare(st,
                             "INSERT INTO session_cells VALUES (?1, ?2, ?3,"
                             " ?4, ?5, ?6, ?7, ?8)",
                             &ins);
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t d = sqlite3_column_int64(s, 0);
        if (any && d != day) {
            rc = put_session_cell(st, ins, 0, day, "", "", n, res, &b);
            n = res = 0;
        }
        any = true;
        day = d;
        n += sqlite3_column_int64(s, 3);
        res += sqlite3_column_int64(s, 4);
        if (!rc)
            rc = put_session_cell(st, ins, 1, d, nz(cxm__sq_text(s, 1)),
                                  nz(cxm__sq_text(s, 2)),
                                  sqlite3_column_int64(s, 3),
                                  sqlite3_column_int64(s, 4), &b);
    }
    if (!rc && step != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    if (!rc && any)
        rc = put_session_cell(st, ins, 0, day, "", "", n, res, &b);
    sqlite3_finalize(s);
    sqlite3_finalize(ins);
    cxm__buf_release(&b);
    return rc;
}

cxm_rc cxm__sq_session_flush(cxm_store *st)
{
    int64_t dirty = 0;
    cxm_rc rc = CXM_OK;

    if (cxm__sq_kinds_written(st) &
        ((1u << CXM_KIND_SELFSERVICE) | (1u << CXM_KIND_CUSTOMERS)))
        rc = cxm__sq_run_ints(st,
                              "INSERT OR IGNORE INTO session_dirty"
                              " VALUES (?1)",
                              (int64_t[]){st->workspace_id}, 1, NULL);
    if (!rc)
        rc = cxm__sq_run_ints(st,
                              "SELECT EXISTS (SELECT 1 FROM session_dirty"
                              " WHERE workspace_id = ?1)",
                              (int64_t[]){st->workspace_id}, 1, &dirty);
    if (rc || !dirty)
        return rc;
    rc = session_recount(st);
    if (!rc)
        rc = cxm__sq_run_ints(st,
                              "DELETE FROM session_dirty"
                              " WHERE workspace_id = ?1",
                              (int64_t[]){st->workspace_id}, 1, NULL);
    return rc;
}

/* One session group to fn. */
static cxm_rc session_group(const char *topic, const char *segment,
                            int64_t at, int64_t n, int64_t resolved,
                            cxm__ticket_group_fn fn, void *ud)
{
    struct cxm__ticket_group g;

    memset(&g, 0, sizeof(g));
    for (int d = 0; d < CXM__TDIM_COUNT; d++)
        g.dim[d] = "";
    g.dim[CXM__TDIM_TOPIC] = topic;
    g.dim[CXM__TDIM_SEGMENT] = segment;
    g.at = at;
    g.in_period = true;
    g.sessions = n;
    g.sessions_resolved = resolved;
    return fn(&g, ud);
}

/* The sessions started in [lo, hi), one group each. */
static cxm_rc session_rows(cxm_store *st, int64_t lo, int64_t hi,
                           cxm__ticket_group_fn fn, void *ud)
{
    sqlite3_stmt *s = NULL;
    int step = SQLITE_DONE;
    cxm_rc rc;

    if (lo >= hi)
        return CXM_OK;
    rc = cxm__sq_prepare_ws(st,
                            "SELECT s.started_at, s.resolved, s.topic,"
                            " c.segment FROM selfservice s"
                            " LEFT JOIN customers c"
                            "  ON c.workspace_id = s.workspace_id"
                            "  AND c.customer_id = s.customer_id"
                            " WHERE s.workspace_id = ?1"
                            " AND s.started_at >= ?2 AND s.started_at < ?3",
                            &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 2, lo);
    sqlite3_bind_int64(s, 3, hi);
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW)
        rc = session_group(nz(cxm__sq_text(s, 2)), nz(cxm__sq_text(s, 3)),
                           sqlite3_column_int64(s, 0), 1,
                           sqlite3_column_type(s, 1) != SQLITE_NULL &&
                               sqlite3_column_int64(s, 1) != 0,
                           fn, ud);
    if (!rc && step != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

/* A cell read and checked. */
struct session_cell {
    int64_t day, n, resolved;
    char *topic, *segment; /* owned */
};

cxm_rc cxm__sq_session_groups(cxm_store *st,
                              const struct cxm__ticket_query *q,
                              cxm__ticket_group_fn fn, void *ud,
                              bool *served)
{
    struct cxm__buf b = CXM__BUF_INIT(1 << 20);
    struct session_cell *v = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *s = NULL;
    int64_t dirty = 1, dfrom, d0, d1;
    int64_t cube = (q->dims & (TD(TOPIC) | TD(SEGMENT))) ? 1 : 0;
    struct cxm__sq_days split = {NULL, 0, 0};
    bool damaged = false, ok = false;
    int step = SQLITE_DONE;
    cxm_rc rc;

    *served = false;
    if (q->read == CXM_READ_ROWS || q->from >= q->to ||
        (q->dims & ~(TD(TOPIC) | TD(SEGMENT) | TD(AGENT) | TD(TEAM) |
                     TD(CHANNEL))))
        return CXM_OK;
    rc = cxm__sq_run_ints(st,
                          "SELECT EXISTS (SELECT 1 FROM session_dirty"
                          " WHERE workspace_id = ?1)",
                          (int64_t[]){st->workspace_id}, 1, &dirty);
    if (rc || dirty)
        return rc;
    dfrom = cxm__sq_day_of(q->from);
    d0 = dfrom * DAY_MS == q->from ? dfrom : dfrom + 1;
    d1 = cxm__sq_day_of(q->to);
    rc = cxm__sq_split_days(q, d0, d1, &split, &ok);
    if (rc || !ok) {
        cxm__free(split.v);
        return rc;
    }
    if (d0 < d1) {
        rc = cxm__sq_prepare_ws(st,
                                "SELECT day, topic, segment, sessions,"
                                " resolved, checksum FROM session_cells"
                                " WHERE workspace_id = ?1 AND cube = ?2"
                                " AND day >= ?3 AND day < ?4",
                                &s);
        if (rc)
            return rc;
        sqlite3_bind_int64(s, 2, cube);
        sqlite3_bind_int64(s, 3, d0);
        sqlite3_bind_int64(s, 4, d1);
        while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
            struct session_cell *c;
            const char *tp = nz(cxm__sq_text(s, 1));
            const char *sg = nz(cxm__sq_text(s, 2));
            int64_t day = sqlite3_column_int64(s, 0);
            int64_t cn = sqlite3_column_int64(s, 3);
            int64_t cr = sqlite3_column_int64(s, 4);
            if (session_checksum(cube, day, tp, sg, cn, cr, &b) !=
                sqlite3_column_int64(s, 5)) {
                damaged = true;
                break;
            }
            rc = cxm__grow((void **)&v, &cap, n + 1, sizeof(*v));
            if (rc)
                break;
            c = &v[n++];
            c->day = day;
            c->n = cn;
            c->resolved = cr;
            c->topic = cxm__strdup(tp);
            c->segment = cxm__strdup(sg);
            if (!c->topic || !c->segment)
                rc = CXM_ENOMEM;
        }
        if (!rc && !damaged && step != SQLITE_DONE)
            rc = cxm__sq_fail(st);
        sqlite3_finalize(s);
    }
    if (!rc && damaged) {
        cxm__store_note(st, "a self-service cell is damaged (its checksum "
                            "does not match): sessions read from the rows;"
                            " the next import counts the cells again");
        if (!st->read_only && sqlite3_get_autocommit(cxm__sq_db(st)))
            (void)cxm__sq_run_ints(st,
                                   "INSERT OR IGNORE INTO session_dirty"
                                   " VALUES (?1)",
                                   (int64_t[]){st->workspace_id}, 1, NULL);
    }
    for (size_t i = 0; !rc && !damaged && i < n; i++) {
        /* A split day's cell is left: its rows are read below. */
        if (!cxm__sq_days_has(&split, v[i].day))
            rc = session_group(v[i].topic, v[i].segment, v[i].day * DAY_MS,
                               v[i].n, v[i].resolved, fn, ud);
    }
    for (size_t i = 0; i < n; i++) {
        cxm__free(v[i].topic);
        cxm__free(v[i].segment);
    }
    cxm__free(v);
    cxm__buf_release(&b);
    if (rc || damaged) {
        cxm__free(split.v);
        return rc;
    }
    /* The period's ends inside a day, and the split days, from the rows. */
    if (d0 <= d1) {
        rc = session_rows(st, q->from, d0 * DAY_MS, fn, ud);
        if (!rc)
            rc = session_rows(st, d1 * DAY_MS, q->to, fn, ud);
    } else {
        rc = session_rows(st, q->from, q->to, fn, ud);
    }
    for (size_t i = 0; !rc && i < split.n; i++)
        rc = session_rows(st, split.v[i] * DAY_MS,
                          (split.v[i] + 1) * DAY_MS, fn, ud);
    cxm__free(split.v);
    if (!rc)
        *served = true;
    return rc;
}
