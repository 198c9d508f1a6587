/* SPDX-License-Identifier: MIT
 *
 * builder.c — the report builder: one group per combination of dimension
 * values (the dimensions' names too), found by its key, with its time
 * labels in the report's zone and the row periods (segments) of the period
 * scanned. The scans (report_scan.c) fill the groups' statistics
 * through it; report.c makes the rows and figures from them.
 * It calls no scan and nothing of report.c.
 */
#include "internal.h"

#include <string.h>

#include "period.h"
#include "report_int.h"
#include "strmap.h"
#include "tz.h"

/* ---- Dimensions ------------------------------------------------------- */

static const char *const dim_names[CXM_BY_COUNT] = {
#define CXM__DIM_NAME(id, name) name,
    CXM_DIM_MAP(CXM__DIM_NAME)
#undef CXM__DIM_NAME
};

cxm_rc cxm_dim_parse(const char *name, cxm_dim *out)
{
    int d = cxm__name_index(dim_names, CXM_BY_COUNT, name, strlen(name));

    if (d < 0)
        return CXM_ENOTFOUND;
    *out = (cxm_dim)d;
    return CXM_OK;
}

cxm_rc cxm_dim_parse_list(const char *list, cxm_dim *out, size_t cap,
                          size_t *n, struct cxm_list_error *err)
{
    /* Names are distinct, so no list holds more than CXM_BY_COUNT. */
    int ids[CXM_BY_COUNT];
    size_t room = cap < CXM_BY_COUNT ? cap : CXM_BY_COUNT;
    cxm_rc rc = cxm__parse_name_list(list, dim_names, CXM_BY_COUNT, ids,
                                     room, n, err);

    for (size_t i = 0; i < *n; i++)
        out[i] = (cxm_dim)ids[i];
    return rc;
}

const char *cxm_dim_name(cxm_dim d)
{
    if (d < 0 || d >= CXM_BY_COUNT)
        return "";
    return dim_names[d];
}

/* ---- The builder ------------------------------------------------------ */

void cxm__builder_clear(struct cxm__builder *b)
{
    for (size_t k = 0; k < b->r->n_by; k++)
        b->labels[k] = NULL;
}

void cxm__builder_dim(struct cxm__builder *b, cxm_dim d, const char *v)
{
    for (size_t k = 0; k < b->r->n_by; k++) {
        if (b->r->by[k] == d)
            b->labels[k] = v;
    }
}

void cxm__builder_time(struct cxm__builder *b, int64_t ms)
{
    for (size_t k = 0; k < b->r->n_by; k++) {
        cxm_dim d = b->r->by[k];
        if (!cxm__dim_is_time(d))
            continue;
        cxm__zbucket_label(b->r->zone, d, ms, b->time_labels[k],
                           CXM__LABEL_CAP);
        b->labels[k] = b->time_labels[k];
    }
    b->time_labels_ms = ms;
}

/* Whether the current labels are of a row the report keeps. */
static bool builder_kept(const struct cxm__builder *b)
{
    for (size_t k = 0; k < b->r->n_by; k++) {
        const char *w = b->r->where[k];
        if (w && strcmp(w, b->labels[k] ? b->labels[k] : "") != 0)
            return false;
    }
    return true;
}

cxm_rc cxm__builder_group(struct cxm__builder *b, struct cxm__group **out)
{
    size_t pos;
    bool inserted;
    struct cxm__group *g;
    cxm_rc rc;

    *out = NULL;
    if (!builder_kept(b))
        return CXM_OK;
    cxm__buf_reset(&b->key);
    for (size_t k = 0; k < b->r->n_by; k++) {
        rc = cxm__buf_adds(&b->key, b->labels[k] ? b->labels[k] : "");
        if (!rc)
            rc = cxm__buf_addc(&b->key, CXM__KEY_SEP);
        if (rc)
            return rc;
    }
    rc = cxm__grow((void **)&b->groups, &b->groups_cap, b->n_groups + 1,
                   sizeof(*b->groups));
    if (rc)
        return rc;
    rc = cxm__strmap_upsert(&b->index, b->key.data ? b->key.data : "",
                            b->key.len, b->n_groups, &pos, NULL, &inserted);
    if (rc)
        return rc;
    if (!inserted) {
        *out = &b->groups[pos];
        return CXM_OK;
    }
    if (b->n_groups >= b->max_groups)
        return CXM_ETOOBIG; /* the caller says why (rows_error()) */
    g = &b->groups[b->n_groups++];
    memset(g, 0, sizeof(*g));
    g->t_ms = b->time_labels_ms;
    if (b->wants_more) {
        g->st.more = cxm__calloc(1, sizeof(*g->st.more));
        if (!g->st.more)
            return CXM_ENOMEM;
    }
    if (b->r->n_by) {
        g->labels = cxm__calloc(b->r->n_by, sizeof(*g->labels));
        if (!g->labels)
            return CXM_ENOMEM;
        g->n_labels = b->r->n_by;
        for (size_t k = 0; k < b->r->n_by; k++) {
            g->labels[k] = cxm__strdup(b->labels[k] ? b->labels[k] : "");
            if (!g->labels[k])
                return CXM_ENOMEM;
        }
    }
    *out = g;
    return CXM_OK;
}

cxm_rc cxm__builder_group_at(struct cxm__builder *b, int64_t ms,
                             struct cxm__group **out)
{
    cxm__builder_time(b, ms);
    return cxm__builder_group(b, out);
}

struct cxm_survey_stat *cxm__group_survey(struct cxm__group *g,
                                          const char *survey)
{
    if (!g->st.sv) {
        g->st.sv = cxm__calloc(1, sizeof(*g->st.sv));
        if (!g->st.sv)
            return NULL;
    }
    if (strcmp(survey, "csat") == 0)
        return &g->st.sv->csat;
    if (strcmp(survey, "nps") == 0)
        return &g->st.sv->nps;
    return &g->st.sv->ces;
}

struct cxm__group_durations *cxm__group_durations(struct cxm__group_more *x)
{
    if (!x->dur)
        x->dur = cxm__calloc(1, sizeof(*x->dur));
    return x->dur;
}

size_t cxm__builder_seg_after(const struct cxm__builder *b, int64_t ms)
{
    size_t lo = 0, hi = b->n_segs;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->seg_end[mid] > ms)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Cuts [from, to) at every bucket boundary of the report's time
 * dimensions; without one, the whole period is one segment. */
static cxm_rc make_segments(struct cxm__builder *b)
{
    size_t cap = 0, cap2 = 0;
    int64_t s = b->from;
    cxm_rc rc;

    while (s < b->to) {
        int64_t e = b->to;
        for (size_t k = 0; k < b->r->n_by; k++) {
            cxm_dim d = b->r->by[k];
            int64_t next;
            if (!cxm__dim_is_time(d))
                continue;
            next = cxm__zbucket_next(b->r->zone, d,
                                cxm__zbucket_start(b->r->zone, d, s));
            if (next < e)
                e = next;
        }
        rc = cxm__grow((void **)&b->seg_start, &cap, b->n_segs + 1,
                       sizeof(*b->seg_start));
        if (!rc)
            rc = cxm__grow((void **)&b->seg_end, &cap2, b->n_segs + 1,
                           sizeof(*b->seg_end));
        if (rc)
            return rc;
        b->seg_start[b->n_segs] = s;
        b->seg_end[b->n_segs] = e;
        b->n_segs++;
        s = e;
    }
    return CXM_OK;
}

cxm_rc cxm__builder_init(struct cxm__builder *b, struct cxm_store *st,
                         const cxm_report *r, const bool *want,
                         bool wants_more, int64_t from, int64_t to,
                         size_t max_groups)
{
    memset(b, 0, sizeof(*b));
    b->st = st;
    b->r = r;
    b->from = from;
    b->to = to;
    b->max_groups = max_groups;
    memcpy(b->want, want, sizeof(b->want));
    b->wants_more = wants_more;
    b->key.cap = 1 << 20;
    b->hours_apply = true;
    for (size_t k = 0; k < r->n_by; k++)
        b->hours_apply &= cxm__dim_is_time(r->by[k]) ||
                          r->by[k] == CXM_BY_AGENT || r->by[k] == CXM_BY_TEAM;
    return make_segments(b);
}

void cxm__builder_release(struct cxm__builder *b)
{
    for (size_t i = 0; i < b->n_groups; i++) {
        struct cxm__group *g = &b->groups[i];
        for (size_t k = 0; k < g->n_labels; k++)
            cxm__free(g->labels[k]);
        cxm__free(g->labels);
        cxm__free(g->st.sv);
        if (g->st.more) {
            struct cxm__group_durations *dur = g->st.more->dur;
            if (dur) {
                cxm__qsketch_release(&dur->art);
                cxm__qsketch_release(&dur->frt);
                cxm__qsketch_release(&dur->art_bus);
                cxm__qsketch_release(&dur->frt_bus);
                cxm__free(dur);
            }
            cxm__fsum_release(&g->st.more->qa_sum);
            cxm__fsum_release(&g->st.more->qa_sq);
            cxm__free(g->st.more->rev);
            cxm__free(g->st.more->risk);
            cxm__free(g->st.more);
        }
    }
    cxm__free(b->groups);
    cxm__strmap_release(&b->index);
    cxm__strmap_release(&b->pairs);
    cxm__buf_release(&b->key);
    cxm__free(b->seg_start);
    cxm__free(b->seg_end);
    memset(b, 0, sizeof(*b));
}
