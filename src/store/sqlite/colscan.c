/* SPDX-License-Identifier: MIT
 *
 * colscan.c — the SQLite engine's column scan of survey answers
 * (docs/performance.md, "Column scan").
 *
 * A query of answer groups the rollups cannot serve reads the months'
 * column segments (colseg.h) instead of joining rows: every answer's
 * group is a mixed-radix number over its dimension ids (dictionary-
 * encoded) and time buckets, and its score is counted into a dense array
 * of histograms, one per group and survey scale. Two threads each count
 * half the segments into their own array; the arrays are summed and each
 * non-empty histogram is handed to the caller as a group
 * (store_int.h, answer_groups).
 *
 * Nothing here touches SQL; store_sqlite_rollup.c and
 * store_sqlite_colfile.c hand over segments and dictionaries.
 */
#include "internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "colseg.h"
#include "period.h"
#include "sqlite_int.h"

#define MAX_CELLS ((size_t)8 << 20) /* counters per thread: 64 MiB */
#define MAX_BUCKETS ((size_t)1 << 20) /* time buckets of one dimension */
#define NO_KIND SIZE_MAX

/* id -> value of one column (owned copies). */
struct dict {
    char **v;
    size_t n, cap;
};

/* A survey + scale: where its counters lie in a group's block. */
struct kind {
    const char *survey; /* borrowed from the dictionary */
    char name[8];       /* "csat" | "nps" | "ces" */
    int lo, hi;
    size_t off; /* NO_KIND: not a survey a metric reads */
};

struct seg {
    int64_t t;     /* first UTC day of the month */
    const uint8_t *blob; /* borrowed from the store */
    struct cxm__colseg v;
};

/* The axes of a group: the time grains of the query, then its
 * dimensions. */
#define MAX_AXES (CXM__GRAIN_COUNT + CXM__ADIM_COUNT)

struct plan {
    const struct cxm__answer_query *q;
    int64_t from, to;
    size_t n_by;                 /* axes */
    int src[MAX_AXES];           /* column of each axis; -1 = time */
    enum cxm__grain grain[MAX_AXES];      /* of a time axis */
    enum cxm__answer_dim adim[MAX_AXES];  /* of a column axis */
    size_t card[MAX_AXES], stride[MAX_AXES];
    bool *keep[MAX_AXES]; /* owned: per id of a column axis, whether the
                             query keeps it (its where); NULL: every id */
    size_t sel;           /* the first axis with a keep, else MAX_AXES */
    int64_t *starts[MAX_AXES]; /* owned: time bucket starts */
    size_t n_starts[MAX_AXES];
    struct dict dict[CXM__COL_COUNT];
    struct kind *kinds; /* owned, one per KIND id */
    size_t n_kinds;
    size_t width;   /* counters per group */
    size_t n_codes; /* groups */
    struct seg *segs; /* owned */
    size_t n_segs, segs_cap;
    const char *why;  /* why the rows serve (NULL: they need not), for
                         --read columns: static, or why_buf */
    char why_buf[200];
};

/* The rows serve instead (a static reason). */
static void cannot(struct plan *p, const char *why)
{
    if (!p->why)
        p->why = why;
}

struct worker {
    const struct plan *p;
    size_t seg_lo, seg_hi;
    int64_t *counts; /* owned: n_codes × width */
    cxm_rc rc;
};

static void plan_release(struct plan *p)
{
    for (size_t k = 0; k < MAX_AXES; k++) {
        cxm__free(p->starts[k]);
        cxm__free(p->keep[k]);
    }
    for (int c = 0; c < CXM__COL_COUNT; c++) {
        for (size_t i = 0; i < p->dict[c].n; i++)
            cxm__free(p->dict[c].v[i]);
        cxm__free(p->dict[c].v);
    }
    cxm__free(p->kinds);
    cxm__free(p->segs);
    memset(p, 0, sizeof(*p));
}

/* ---- Loading ---------------------------------------------------------- */

static cxm_rc on_dict(int col, int64_t id, const char *value, size_t len,
                      void *ud)
{
    struct plan *p = ud;
    struct dict *d;
    size_t cap;
    cxm_rc rc;

    if (col < 0 || col >= CXM__COL_COUNT || id < 0 ||
        id > (int64_t)CXM__COL_MAX_ID) {
        cannot(p, "the column dictionary holds a bad entry");
        return CXM_OK;
    }
    d = &p->dict[col];
    cap = d->cap;
    rc = cxm__grow((void **)&d->v, &cap, (size_t)id + 1, sizeof(*d->v));
    if (rc)
        return rc;
    if (cap > d->cap)
        memset(d->v + d->cap, 0, (cap - d->cap) * sizeof(*d->v));
    d->cap = cap;
    if (d->v[id]) {
        cannot(p, "the column dictionary holds an id twice");
        return CXM_OK;
    }
    d->v[id] = cxm__strndup(value, len);
    if (!d->v[id])
        return CXM_ENOMEM;
    if ((size_t)id + 1 > d->n)
        d->n = (size_t)id + 1;
    return CXM_OK;
}

static cxm_rc on_segment(int64_t t, int64_t n, const uint8_t *blob, size_t len,
                         void *ud)
{
    struct plan *p = ud;
    struct seg *s;
    cxm_rc rc;

    (void)n;
    if (!blob) {
        /* Not encoded (a dictionary passed CXM__COL_MAX_ID values), or
         * damaged (the store said so in a note). */
        cannot(p, "a month of the period has no usable column segment "
                  "(damaged, or a dimension with more than 16,777,215 "
                  "values)");
        return CXM_OK;
    }
    rc = cxm__grow((void **)&p->segs, &p->segs_cap, p->n_segs + 1,
                   sizeof(*p->segs));
    if (rc)
        return rc;
    s = &p->segs[p->n_segs++];
    memset(s, 0, sizeof(*s));
    s->t = t;
    s->blob = blob;
    /* The engine checked the blob's checksum (store_int.h). */
    if (cxm__colseg_view(s->blob, len, false, &s->v) != CXM_OK) {
        p->n_segs--;
        cannot(p, "a column segment is malformed");
    }
    return CXM_OK;
}

/* Parses the KIND dictionary ("survey\x1flo\x1fhi") into p->kinds and lays
 * out a group's counters: one run of scale points per kind read. */
static cxm_rc make_kinds(struct plan *p)
{
    const struct dict *d = &p->dict[CXM__COL_KIND];

    p->n_kinds = d->n;
    p->kinds = cxm__calloc(d->n ? d->n : 1, sizeof(*p->kinds));
    if (!p->kinds)
        return CXM_ENOMEM;
    p->width = 0;
    for (size_t i = 0; i < d->n; i++) {
        struct kind *k = &p->kinds[i];
        const char *v = d->v[i], *s1, *s2;
        int64_t lo, hi;

        k->off = NO_KIND;
        if (!v)
            continue;
        s1 = strchr(v, '\x1f');
        s2 = s1 ? strchr(s1 + 1, '\x1f') : NULL;
        if (!s2 || (size_t)(s1 - v) >= sizeof(k->name) ||
            cxm__parse_i64(s1 + 1, (size_t)(s2 - s1 - 1), &lo) ||
            cxm__parse_i64(s2 + 1, strlen(s2 + 1), &hi) || lo >= hi ||
            hi - lo > 2000) {
            cannot(p, "the column dictionary holds a bad survey kind");
            return CXM_OK;
        }
        memcpy(k->name, v, (size_t)(s1 - v));
        k->name[s1 - v] = '\0';
        k->lo = (int)lo;
        k->hi = (int)hi;
        if (strcmp(k->name, "csat") != 0 && strcmp(k->name, "nps") != 0 &&
            strcmp(k->name, "ces") != 0)
            continue;
        k->off = p->width;
        p->width += (size_t)(hi - lo) + 1;
    }
    return CXM_OK;
}

/* The buckets of time dimension d over [from, to), in the query's zone. */
static cxm_rc make_buckets(struct plan *p, size_t k, cxm_dim d)
{
    const struct cxm__tz *zone = p->q->zone;
    size_t cap = 0;
    int64_t s = cxm__zbucket_start(zone, d, p->from);

    p->n_starts[k] = 0;
    while (s < p->to) {
        cxm_rc rc;
        if (p->n_starts[k] >= MAX_BUCKETS) {
            cannot(p, "the period holds more than 1,048,576 time buckets");
            return CXM_OK;
        }
        rc = cxm__grow((void **)&p->starts[k], &cap, p->n_starts[k] + 1,
                       sizeof(**p->starts));
        if (rc)
            return rc;
        p->starts[k][p->n_starts[k]++] = s;
        s = cxm__zbucket_next(zone, d, s);
    }
    return CXM_OK;
}

/* ---- Counting --------------------------------------------------------- */

/* The bucket of `ms` among starts[lo..hi] (starts[lo] <= ms). */
static size_t bucket_of(const int64_t *starts, size_t lo, size_t hi,
                        int64_t ms)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (starts[mid] <= ms)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static void count_segment(const struct plan *p, const struct seg *sg,
                          int64_t *counts, cxm_rc *rc)
{
    const struct cxm__colseg *v = &sg->v;
    int64_t base = sg->t * CXM__MS_PER_DAY;
    int64_t end = cxm__bucket_next(CXM_BY_MONTH, base);
    int64_t lo_ms = base > p->from ? base : p->from;
    int64_t hi_ms = (end < p->to ? end : p->to) - 1;
    bool whole = base >= p->from && end <= p->to;
    size_t blo[MAX_AXES] = {0}, bhi[MAX_AXES] = {0};
    const uint8_t *kind_col = v->col[CXM__COL_KIND];
    int kind_w = v->w[CXM__COL_KIND];

    const uint8_t *sel_col = NULL;
    int sel_w = 0;

    if (lo_ms > hi_ms)
        return;
    if (p->sel < MAX_AXES) {
        sel_col = v->col[p->src[p->sel]];
        sel_w = v->w[p->src[p->sel]];
    }
    for (size_t k = 0; k < p->n_by; k++) {
        if (p->src[k] >= 0)
            continue;
        blo[k] = bucket_of(p->starts[k], 0, p->n_starts[k] - 1, lo_ms);
        bhi[k] = bucket_of(p->starts[k], blo[k], p->n_starts[k] - 1, hi_ms);
    }
    for (size_t i = 0; i < v->n; i++) {
        int64_t ms = base + (int64_t)cxm__colseg_off(v, i);
        size_t code = 0, kind, score;
        const struct kind *kd;

        if (sel_col) {
            /* Another group than the where's, looked at no further (an
             * id past the dictionary goes on, to be refused below). */
            size_t id = cxm__colseg_get(sel_col, sel_w, i);
            if (id < p->card[p->sel] && !p->keep[p->sel][id])
                continue;
        }
        if (!whole && (ms < p->from || ms >= p->to))
            continue;
        for (size_t k = 0; k < p->n_by && code != NO_KIND; k++) {
            size_t id;
            if (p->src[k] < 0) {
                id = blo[k] == bhi[k]
                         ? blo[k]
                         : bucket_of(p->starts[k], blo[k], bhi[k], ms);
            } else {
                id = cxm__colseg_get(v->col[p->src[k]], v->w[p->src[k]], i);
                if (id >= p->card[k]) {
                    *rc = CXM_EINPUT; /* an id the dictionary lacks */
                    return;
                }
                if (p->keep[k] && !p->keep[k][id]) {
                    code = NO_KIND; /* another group than the where's */
                    break;
                }
            }
            code += id * p->stride[k];
        }
        if (code == NO_KIND)
            continue;
        kind = cxm__colseg_get(kind_col, kind_w, i);
        if (kind >= p->n_kinds) {
            *rc = CXM_EINPUT;
            return;
        }
        kd = &p->kinds[kind];
        if (kd->off == NO_KIND)
            continue;
        score = cxm__colseg_get(v->score, v->score_w, i);
        if (score > (size_t)(kd->hi - kd->lo)) {
            *rc = CXM_EINPUT;
            return;
        }
        counts[code * p->width + kd->off + score]++;
    }
}

static void *work(void *arg)
{
    struct worker *w = arg;

    for (size_t s = w->seg_lo; !w->rc && s < w->seg_hi; s++)
        count_segment(w->p, &w->p->segs[s], w->counts, &w->rc);
    return NULL;
}

/* Counts every segment on two threads into ws[0].counts. */
static cxm_rc count_all(const struct plan *p, struct worker *ws)
{
    size_t total = 0, half = 0, cut = 0, cells = p->n_codes * p->width;
    pthread_t th;
    bool threaded;

    for (size_t s = 0; s < p->n_segs; s++)
        total += p->segs[s].v.n;
    while (cut < p->n_segs && half + p->segs[cut].v.n / 2 < total / 2)
        half += p->segs[cut++].v.n;
    for (int i = 0; i < 2; i++) {
        ws[i].p = p;
        ws[i].rc = CXM_OK;
        ws[i].counts = cxm__calloc(cells ? cells : 1, sizeof(int64_t));
        if (!ws[i].counts)
            return CXM_ENOMEM;
    }
    ws[0].seg_lo = 0;
    ws[0].seg_hi = cut;
    ws[1].seg_lo = cut;
    ws[1].seg_hi = p->n_segs;
    threaded = cut > 0 && cut < p->n_segs &&
               pthread_create(&th, NULL, work, &ws[1]) == 0;
    work(&ws[0]);
    if (threaded)
        pthread_join(th, NULL);
    else
        work(&ws[1]);
    if (ws[0].rc || ws[1].rc)
        return ws[0].rc ? ws[0].rc : ws[1].rc;
    for (size_t c = 0; c < cells; c++)
        ws[0].counts[c] += ws[1].counts[c];
    return CXM_OK;
}

/* ---- To the caller ----------------------------------------------------- */

static cxm_rc emit(const struct plan *p, const int64_t *counts,
                   cxm__answer_group_fn fn, void *ud)
{
    for (size_t code = 0; code < p->n_codes; code++) {
        const int64_t *block = counts + code * p->width;
        bool labelled = false;
        struct cxm__answer_group g;

        for (size_t kid = 0; kid < p->n_kinds; kid++) {
            const struct kind *kd = &p->kinds[kid];
            size_t span;
            bool any = false;
            cxm_rc rc;

            if (kd->off == NO_KIND)
                continue;
            span = (size_t)(kd->hi - kd->lo) + 1;
            for (size_t s = 0; s < span && !any; s++)
                any = block[kd->off + s] != 0;
            if (!any)
                continue;
            if (!labelled) {
                memset(&g, 0, sizeof(g));
                g.at = p->from;
                for (size_t k = 0; k < p->n_by; k++) {
                    size_t id = code / p->stride[k] % p->card[k];
                    if (p->src[k] < 0) {
                        if (p->starts[k][id] > g.at)
                            g.at = p->starts[k][id];
                    } else if (p->src[k] != CXM__COL_KIND) {
                        const char *v = p->dict[p->src[k]].v[id];
                        g.dim[p->adim[k]] = v ? v : "";
                    }
                }
                /* The latest bucket start lies inside every bucket of the
                 * group (an answer fell in all of them). */
                labelled = true;
            } else {
                g.same_group = !(p->q->dims & CXM__ADIMS_SURVEY);
            }
            g.survey = kd->name;
            g.dim[CXM__ADIM_SURVEY] = kd->name;
            g.scale_min = kd->lo;
            g.scale_max = kd->hi;
            g.lo = kd->lo;
            g.n_bins = span;
            g.hist = block + kd->off;
            rc = fn(&g, ud);
            if (rc)
                return rc;
        }
    }
    return CXM_OK;
}

/* ---- The path --------------------------------------------------------- */

/* The column of each dimension kept in the segments, -1 where none. */
static const int adim_col[CXM__ADIM_COUNT] = {
    [CXM__ADIM_AGENT] = CXM__COL_AGENT,
    [CXM__ADIM_TEAM] = CXM__COL_TEAM,
    [CXM__ADIM_CHANNEL] = CXM__COL_CHANNEL,
    [CXM__ADIM_LANGUAGE] = CXM__COL_LANGUAGE,
    [CXM__ADIM_TOPIC] = CXM__COL_TOPIC,
    [CXM__ADIM_SURVEY] = CXM__COL_KIND,
    [CXM__ADIM_SEGMENT] = -1,
};

/* Lays the axes out: the time grains, then the dimensions; false when a
 * dimension is not in the columns. */
static bool plan_dims(struct plan *p)
{
    const struct cxm__answer_query *q = p->q;

    p->n_by = 0;
    for (size_t i = 0; i < q->n_grains; i++) {
        p->src[p->n_by] = -1;
        p->grain[p->n_by++] = q->grain[i];
    }
    for (int d = 0; d < CXM__ADIM_COUNT; d++) {
        if (!(q->dims & (1u << d)))
            continue;
        if (adim_col[d] < 0)
            return false; /* segment */
        p->src[p->n_by] = adim_col[d];
        p->adim[p->n_by++] = (enum cxm__answer_dim)d;
    }
    return true;
}

static const char *axis_name(const struct plan *p, size_t k)
{
    return p->src[k] < 0 ? cxm__grain_name(p->grain[k])
                         : cxm__adim_name(p->adim[k]);
}

/* Mixed-radix strides; false (and p->why) when the groups × counters
 * pass MAX_CELLS. */
static bool plan_strides(struct plan *p)
{
    size_t codes = 1;
    bool over = false;

    for (size_t k = p->n_by; k-- > 0;) {
        p->card[k] = p->src[k] < 0 ? p->n_starts[k]
                                   : p->dict[p->src[k]].n;
        if (p->card[k] == 0)
            p->card[k] = 1; /* no value at all: no answer either */
        p->stride[k] = codes;
        if (!over && (!cxm__size_mul(&codes, codes, p->card[k]) ||
                      codes > MAX_CELLS))
            over = true;
    }
    over = over || (p->width && codes > MAX_CELLS / p->width);
    if (over) {
        struct cxm__buf b = CXM__BUF_INIT(sizeof(p->why_buf) - 1);
        cxm_rc rc = CXM_OK;
        for (size_t k = 0; !rc && k < p->n_by; k++)
            rc = cxm__buf_addf(&b, "%s%zu %ss", k ? " × " : "", p->card[k],
                               axis_name(p, k));
        if (!rc)
            rc = cxm__buf_addf(&b, " × %zu scale points are more counters "
                                   "than the column scan's %zu",
                               p->width, MAX_CELLS);
        if (!rc && b.data) {
            memcpy(p->why_buf, b.data, b.len + 1);
            p->why = p->why_buf;
        } else {
            p->why = "its groups × scale points pass the column scan's "
                     "limit of 8,388,608 counters";
        }
        cxm__buf_release(&b);
        return false;
    }
    p->n_codes = codes;
    return true;
}

/* The ids each column axis keeps (the query's where; not the survey's,
 * which the report keeps itself). */
static cxm_rc plan_where(struct plan *p)
{
    p->sel = MAX_AXES;
    for (size_t k = 0; k < p->n_by; k++) {
        const char *w;
        const struct dict *d;
        if (p->src[k] < 0 || p->src[k] == CXM__COL_KIND)
            continue;
        w = p->q->where[p->adim[k]];
        if (!w)
            continue;
        p->keep[k] = cxm__calloc(p->card[k], sizeof(*p->keep[k]));
        if (!p->keep[k])
            return CXM_ENOMEM;
        d = &p->dict[p->src[k]];
        for (size_t id = 0; id < d->n && id < p->card[k]; id++)
            p->keep[k][id] = strcmp(d->v[id] ? d->v[id] : "", w) == 0;
        if (p->sel == MAX_AXES)
            p->sel = k;
    }
    return CXM_OK;
}

/* Why the column scan cannot serve q before it looks at the store, or
 * NULL. */
static const char *not_in_columns(const struct cxm__answer_query *q)
{
    if (q->excluded)
        return "definitions with exclusions need the rows";
    if (q->agent != CXM__AGENT_RESPONSE)
        return "rating.agent ticket needs the rows";
    return NULL;
}

cxm_rc cxm__sq_scan_columns(cxm_store *st, const struct cxm__answer_query *q,
                            cxm__answer_group_fn fn, void *ud, bool *done)
{
    struct plan p;
    struct worker ws[2];
    bool clean = false;
    cxm_rc rc;

    *done = false;
    memset(&p, 0, sizeof(p));
    memset(ws, 0, sizeof(ws));
    if (q->read == CXM_READ_ROWS || q->from >= q->to)
        return CXM_OK;
    p.why = not_in_columns(q);
    p.q = q;
    p.from = q->from;
    p.to = q->to;
    if (!p.why && !plan_dims(&p))
        p.why = "a breakdown by segment or source is not in the columns";
    rc = p.why ? CXM_OK : cxm__sq_rollups_clean(st, &clean);
    if (!rc && !p.why && !clean)
        p.why = "the derived forms are not current";
    /* Segments before the dictionary: ids only grow, so every id of a
     * segment read is in a dictionary read after it. */
    if (!rc && !p.why)
        rc = cxm__sq_col_segments(
            st, cxm__day_of_ms(cxm__bucket_start(CXM_BY_MONTH, q->from)),
            cxm__day_of_ms(q->to - 1) + 1, on_segment, &p);
    if (!rc && !p.why) {
        rc = cxm__sq_col_dict(st, on_dict, &p);
        if (rc == CXM_EINPUT) {
            rc = CXM_OK; /* a damaged entry, with a note */
            p.why = "the column dictionary is damaged";
        }
    }
    if (!rc && !p.why)
        rc = make_kinds(&p);
    for (size_t k = 0; !rc && !p.why && k < p.n_by; k++) {
        if (p.src[k] < 0)
            rc = make_buckets(&p, k, cxm__grain_dim(p.grain[k]));
    }
    if (!rc && !p.why)
        (void)plan_strides(&p);
    if (!rc && !p.why)
        rc = plan_where(&p);
    if (!rc && !p.why) {
        rc = count_all(&p, ws);
        if (rc == CXM_EINPUT) {
            rc = CXM_OK; /* nothing reached the caller yet */
            p.why = "a column segment names a value its dictionary lacks "
                    "(damaged)";
            cxm__store_note(st, "the column segments and their "
                                "dictionary disagree (damaged): the "
                                "answers were read from the rows");
        }
        if (!rc && !p.why) {
            rc = emit(&p, ws[0].counts, fn, ud);
            *done = !rc;
        }
    }
    if (!rc && !*done && p.why && q->read == CXM_READ_COLUMNS)
        cxm__store_note(st, "--read columns: survey answers read from "
                            "the rows: %s", p.why);
    cxm__free(ws[0].counts);
    cxm__free(ws[1].counts);
    plan_release(&p);
    return rc;
}
