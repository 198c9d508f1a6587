/* SPDX-License-Identifier: MIT
 *
 * report.c — computes a report: which metrics apply to the breakdown, the
 * period, one group per combination of dimension values, the sufficient
 * statistics of each group filled from the store's rows, and the figures
 * computed from them once at the end (SPEC §2, docs/report-semantics.md).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "period.h"
#include "report_int.h"
#include "store_int.h"
#include "strmap.h"

#define KEY_SEP '\x1f' /* between the labels of a group key */
#define LABEL_CAP 24   /* a time label: "2026-W05", "2026-01-31" */

static const char *const dim_names[CXM_BY_COUNT] = {
#define CXM__DIM_NAME(id, name) name,
    CXM_DIM_MAP(CXM__DIM_NAME)
#undef CXM__DIM_NAME
};

cxm_rc cxm_dim_parse(const char *name, cxm_dim *out)
{
    for (int d = 0; d < CXM_BY_COUNT; d++) {
        if (cxm__eq_nocase(name, strlen(name), dim_names[d])) {
            *out = (cxm_dim)d;
            return CXM_OK;
        }
    }
    return CXM_ENOTFOUND;
}

const char *cxm_dim_name(cxm_dim d)
{
    if (d < 0 || d >= CXM_BY_COUNT)
        return "";
    return dim_names[d];
}

enum cxm__family cxm__metric_family(cxm_metric m)
{
    switch (m) {
    case CXM_METRIC_CSAT:
    case CXM_METRIC_CSAT_MEAN:
    case CXM_METRIC_NPS:
    case CXM_METRIC_CES:
    case CXM_METRIC_CES_AGREE:
        return CXM__FAM_SURVEY;
    default:
        return CXM__FAM_TICKET;
    }
}

enum cxm__shape cxm__metric_shape(cxm_metric m)
{
    switch (m) {
    case CXM_METRIC_CSAT:
    case CXM_METRIC_CES_AGREE:
    case CXM_METRIC_RESOLUTION_RATE:
    case CXM_METRIC_FCR:
    case CXM_METRIC_ESCALATION_RATE:
        return CXM__SHAPE_PROPORTION;
    case CXM_METRIC_CSAT_MEAN:
    case CXM_METRIC_CES:
        return CXM__SHAPE_MEAN;
    case CXM_METRIC_NPS:
        return CXM__SHAPE_SCORE;
    case CXM_METRIC_ART:
    case CXM_METRIC_FRT:
        return CXM__SHAPE_DURATION;
    default:
        return CXM__SHAPE_COUNT;
    }
}

/* Whether records of `fam` carry dimension `d` (docs/report-semantics.md:
 * tickets carry neither a language nor a survey). */
static bool family_has_dim(enum cxm__family fam, cxm_dim d)
{
    if (fam == CXM__FAM_TICKET)
        return d != CXM_BY_LANGUAGE && d != CXM_BY_SURVEY;
    return true;
}

/* ---- Groups ---------------------------------------------------------- */

struct group {
    char **labels;   /* n_labels labels, owned */
    size_t n_labels; /* the report's n_by */
    struct cxm__group_stat st;
};

struct builder {
    cxm_store *st;
    const struct cxm_report_query *q;
    cxm_report *r;
    int64_t from, to;
    bool want[CXM_METRIC_COUNT]; /* computed (requested or default) */
    bool want_survey, want_ticket, want_backlog;
    struct cxm__strmap index;    /* group key -> position in groups */
    struct group *groups;
    size_t n_groups, groups_cap;
    struct cxm__buf key;         /* scratch */
    const char *labels[CXM_REPORT_MAX_BY]; /* scratch: the current row's */
    char time_labels[CXM_REPORT_MAX_BY][LABEL_CAP];
    /* Backlog segments: [seg_start[i], seg_end[i]) cover [from, to), cut at
     * every bucket boundary of every time dimension. */
    int64_t *seg_start, *seg_end;
    size_t n_segs;
};

static void dvec_release(struct cxm__dvec *d)
{
    cxm__free(d->v);
    d->v = NULL;
    d->n = d->cap = 0;
}

static cxm_rc dvec_push(struct cxm__dvec *d, double x)
{
    if (d->n == d->cap) {
        cxm_rc rc = cxm__grow((void **)&d->v, &d->cap, d->n + 1,
                              sizeof(*d->v));
        if (rc)
            return rc;
    }
    d->v[d->n++] = x;
    return CXM_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Sets the time labels of the row from `ms` for every time dimension. */
static void label_times(struct builder *b, int64_t ms)
{
    for (size_t k = 0; k < b->r->n_by; k++) {
        cxm_dim d = b->r->by[k];
        if (!cxm__dim_is_time(d))
            continue;
        cxm__bucket_label(d, ms, b->time_labels[k], LABEL_CAP);
        b->labels[k] = b->time_labels[k];
    }
}

/* Finds or makes the group of the labels in b->labels. */
static cxm_rc find_group(struct builder *b, struct cxm__group_stat **out)
{
    size_t pos;
    bool inserted;
    struct group *g;
    cxm_rc rc;

    cxm__buf_reset(&b->key);
    for (size_t k = 0; k < b->r->n_by; k++) {
        const char *l = b->labels[k] ? b->labels[k] : "";
        rc = cxm__buf_adds(&b->key, l);
        if (!rc)
            rc = cxm__buf_addc(&b->key, KEY_SEP);
        if (rc)
            return rc;
    }
    rc = cxm__strmap_upsert(&b->index, b->key.data ? b->key.data : "",
                            b->key.len, b->n_groups, &pos, NULL, &inserted);
    if (rc)
        return rc;
    if (!inserted) {
        *out = &b->groups[pos].st;
        return CXM_OK;
    }
    rc = cxm__grow((void **)&b->groups, &b->groups_cap, b->n_groups + 1,
                   sizeof(*b->groups));
    if (rc)
        return rc; /* the key stays in the index; the report fails anyway */
    g = &b->groups[b->n_groups];
    memset(g, 0, sizeof(*g));
    if (b->r->n_by) {
        g->labels = cxm__calloc(b->r->n_by, sizeof(*g->labels));
        if (!g->labels)
            return CXM_ENOMEM;
        g->n_labels = b->r->n_by;
        b->n_groups++;
        for (size_t k = 0; k < b->r->n_by; k++) {
            g->labels[k] = cxm__strdup(b->labels[k] ? b->labels[k] : "");
            if (!g->labels[k])
                return CXM_ENOMEM;
        }
    } else {
        b->n_groups++;
    }
    *out = &g->st;
    return CXM_OK;
}

/* ---- Responses ------------------------------------------------------- */

static cxm_rc on_response(const struct cxm__response_row *row, void *ud)
{
    struct builder *b = ud;
    struct cxm__group_stat *g;
    struct cxm_survey_stat *s;
    cxm_rc rc;

    /* Custom surveys feed no metric of this report. */
    if (!row->has_score || (strcmp(row->survey, "csat") != 0 &&
                            strcmp(row->survey, "nps") != 0 &&
                            strcmp(row->survey, "ces") != 0))
        return CXM_OK;
    for (size_t k = 0; k < b->r->n_by; k++) {
        switch (b->r->by[k]) {
        case CXM_BY_AGENT:
            b->labels[k] = row->agent_id;
            break;
        case CXM_BY_TEAM:
            b->labels[k] = row->team;
            break;
        case CXM_BY_CHANNEL:
            b->labels[k] = row->channel;
            break;
        case CXM_BY_LANGUAGE:
            b->labels[k] = row->language;
            break;
        case CXM_BY_TOPIC:
            b->labels[k] = row->topic;
            break;
        case CXM_BY_SURVEY:
            b->labels[k] = row->survey;
            break;
        case CXM_BY_SEGMENT:
            b->labels[k] = row->segment;
            break;
        default:
            break;
        }
    }
    label_times(b, row->responded_at);
    rc = find_group(b, &g);
    if (rc)
        return rc;
    if (strcmp(row->survey, "csat") == 0)
        s = &g->csat;
    else if (strcmp(row->survey, "nps") == 0)
        s = &g->nps;
    else
        s = &g->ces;
    cxm_survey_stat_add(s, row->survey, row->score, row->scale_min,
                        row->scale_max);
    return CXM_OK;
}

/* ---- Tickets --------------------------------------------------------- */

static bool in_period(const struct builder *b, int64_t ms)
{
    return ms >= b->from && ms < b->to;
}

/* Sets the non-time labels of a ticket. */
static void label_ticket(struct builder *b, const struct cxm__ticket_row *t)
{
    for (size_t k = 0; k < b->r->n_by; k++) {
        switch (b->r->by[k]) {
        case CXM_BY_AGENT:
            b->labels[k] = t->agent_id;
            break;
        case CXM_BY_TEAM:
            b->labels[k] = t->team;
            break;
        case CXM_BY_CHANNEL:
            b->labels[k] = t->channel;
            break;
        case CXM_BY_TOPIC:
            b->labels[k] = t->topic;
            break;
        case CXM_BY_SEGMENT:
            b->labels[k] = t->segment;
            break;
        default:
            b->labels[k] = NULL; /* time labels are set per event */
            break;
        }
    }
}

/* The index of the first segment that ends after `ms`, or n_segs. */
static size_t first_seg_ending_after(const struct builder *b, int64_t ms)
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

/* SPEC §2: backlog at t = created_at < t and (unresolved or resolved ≥ t),
 * for t the end of each segment of the period. */
static cxm_rc add_backlog(struct builder *b, const struct cxm__ticket_row *t)
{
    size_t i0 = first_seg_ending_after(b, t->created_at);
    size_t i1 = t->has_resolved ? first_seg_ending_after(b, t->resolved_at)
                                : b->n_segs;
    struct cxm__group_stat *g;
    cxm_rc rc;

    for (size_t i = i0; i < i1; i++) {
        label_times(b, b->seg_start[i]);
        rc = find_group(b, &g);
        if (rc)
            return rc;
        g->has_tickets = true;
        g->backlog++;
    }
    return CXM_OK;
}

static cxm_rc on_ticket(const struct cxm__ticket_row *t, void *ud)
{
    struct builder *b = ud;
    struct cxm__group_stat *g;
    cxm_rc rc;

    label_ticket(b, t);
    if (in_period(b, t->created_at)) {
        label_times(b, t->created_at);
        rc = find_group(b, &g);
        if (rc)
            return rc;
        g->has_tickets = true;
        g->created++;
        g->created_resolved += t->has_resolved;
        g->escalated += t->escalated == 1;
    }
    if (t->has_resolved && in_period(b, t->resolved_at)) {
        label_times(b, t->resolved_at);
        rc = find_group(b, &g);
        if (rc)
            return rc;
        g->has_tickets = true;
        g->resolved++;
        /* SPEC §2: missing contacts count as 1, missing reopened false. */
        g->fcr += (!t->has_contacts || t->contacts == 1) && t->reopened != 1;
        rc = dvec_push(&g->art,
                       (double)(t->resolved_at - t->created_at) / 1000.0);
        if (rc)
            return rc;
    }
    if (t->has_first_response && in_period(b, t->first_response_at)) {
        label_times(b, t->first_response_at);
        rc = find_group(b, &g);
        if (rc)
            return rc;
        g->has_tickets = true;
        rc = dvec_push(&g->frt, (double)(t->first_response_at -
                                         t->created_at) / 1000.0);
        if (rc)
            return rc;
    }
    if (b->want_backlog)
        return add_backlog(b, t);
    return CXM_OK;
}

/* Cuts [from, to) at every bucket boundary of the report's time
 * dimensions; without one, the whole period is one segment. */
static cxm_rc make_segments(struct builder *b)
{
    size_t cap = 0;
    int64_t s = b->from;
    cxm_rc rc;

    while (s < b->to) {
        int64_t e = b->to;
        for (size_t k = 0; k < b->r->n_by; k++) {
            cxm_dim d = b->r->by[k];
            int64_t next;
            if (!cxm__dim_is_time(d))
                continue;
            next = cxm__bucket_next(d, cxm__bucket_start(d, s));
            if (next < e)
                e = next;
        }
        if (b->n_segs == cap) {
            size_t cap2 = cap;
            rc = cxm__grow((void **)&b->seg_start, &cap, b->n_segs + 1,
                           sizeof(*b->seg_start));
            if (!rc)
                rc = cxm__grow((void **)&b->seg_end, &cap2, b->n_segs + 1,
                               sizeof(*b->seg_end));
            if (rc)
                return rc;
        }
        b->seg_start[b->n_segs] = s;
        b->seg_end[b->n_segs] = e;
        b->n_segs++;
        s = e;
    }
    return CXM_OK;
}

/* ---- Figures --------------------------------------------------------- */

static void figure_count(bool has, int64_t v, struct cxm_figure *f)
{
    memset(f, 0, sizeof(*f));
    f->is_null = !has;
    f->value = (double)v;
    f->n = v;
}

static void figure_duration(struct cxm__dvec *d, struct cxm_figure *f)
{
    double sum = 0;

    memset(f, 0, sizeof(*f));
    if (d->n == 0) {
        f->is_null = true;
        return;
    }
    qsort(d->v, d->n, sizeof(*d->v), cmp_double);
    for (size_t i = 0; i < d->n; i++)
        sum += d->v[i];
    f->value = sum / (double)d->n;
    f->n = (int64_t)d->n;
    f->has_quantiles = true;
    f->median = cxm_quantile_sorted(d->v, d->n, 0.5);
    f->p90 = cxm_quantile_sorted(d->v, d->n, 0.9);
}

static void compute_figure(cxm_metric m, struct cxm__group_stat *g,
                           struct cxm_figure *f)
{
    switch (m) {
    case CXM_METRIC_CSAT:
        cxm_figure_proportion(g->csat.n_top, g->csat.n, f);
        return;
    case CXM_METRIC_CSAT_MEAN:
        cxm_figure_mean(g->csat.n, g->csat.sum, g->csat.sum_sq, f);
        return;
    case CXM_METRIC_NPS:
        cxm_figure_nps(&g->nps, f);
        return;
    case CXM_METRIC_CES:
        cxm_figure_mean(g->ces.n, g->ces.sum, g->ces.sum_sq, f);
        return;
    case CXM_METRIC_CES_AGREE:
        cxm_figure_proportion(g->ces.n_top, g->ces.n, f);
        return;
    case CXM_METRIC_CREATED:
        figure_count(g->has_tickets, g->created, f);
        return;
    case CXM_METRIC_RESOLVED:
        figure_count(g->has_tickets, g->resolved, f);
        return;
    case CXM_METRIC_BACKLOG:
        figure_count(g->has_tickets, g->backlog, f);
        return;
    case CXM_METRIC_RESOLUTION_RATE:
        cxm_figure_proportion(g->created_resolved, g->created, f);
        return;
    case CXM_METRIC_FCR:
        cxm_figure_proportion(g->fcr, g->resolved, f);
        return;
    case CXM_METRIC_ESCALATION_RATE:
        cxm_figure_proportion(g->escalated, g->created, f);
        return;
    case CXM_METRIC_ART:
        figure_duration(&g->art, f);
        return;
    case CXM_METRIC_FRT:
        figure_duration(&g->frt, f);
        return;
    case CXM_METRIC_COUNT:
        break;
    }
    memset(f, 0, sizeof(*f));
    f->is_null = true;
}

/* Whether metric m has any data in any group (for the default list). */
static bool metric_has_data(const struct builder *b, cxm_metric m)
{
    for (size_t i = 0; i < b->n_groups; i++) {
        const struct cxm__group_stat *g = &b->groups[i].st;
        switch (m) {
        case CXM_METRIC_CSAT:
        case CXM_METRIC_CSAT_MEAN:
            if (g->csat.n)
                return true;
            break;
        case CXM_METRIC_NPS:
            if (g->nps.n)
                return true;
            break;
        case CXM_METRIC_CES:
        case CXM_METRIC_CES_AGREE:
            if (g->ces.n)
                return true;
            break;
        case CXM_METRIC_ART:
            if (g->art.n)
                return true;
            break;
        case CXM_METRIC_FRT:
            if (g->frt.n)
                return true;
            break;
        default:
            if (g->has_tickets)
                return true;
            break;
        }
    }
    return false;
}

/* ---- The report ------------------------------------------------------ */

static cxm_rc add_warning(cxm_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static cxm_rc add_warning(cxm_report *r, const char *fmt, ...)
{
    struct cxm__buf w = CXM__BUF_INIT(1024);
    va_list ap;
    cxm_rc rc;

    va_start(ap, fmt);
    rc = cxm__buf_vaddf(&w, fmt, ap);
    va_end(ap);
    if (!rc)
        rc = cxm__grow((void **)&r->warnings, &r->warnings_cap,
                       r->n_warnings + 1, sizeof(*r->warnings));
    if (rc) {
        cxm__buf_release(&w);
        return rc;
    }
    r->warnings[r->n_warnings++] = cxm__buf_take(&w, NULL);
    return CXM_OK;
}

void cxm_report_free(cxm_report *r)
{
    if (!r)
        return;
    if (r->dims) {
        for (size_t i = 0; i < r->n_rows * r->n_by; i++)
            cxm__free(r->dims[i]);
    }
    cxm__free(r->dims);
    cxm__free(r->figures);
    for (size_t i = 0; i < r->n_warnings; i++)
        cxm__free(r->warnings[i]);
    cxm__free(r->warnings);
    cxm__free(r);
}

static void builder_release(struct builder *b)
{
    for (size_t i = 0; i < b->n_groups; i++) {
        struct group *g = &b->groups[i];
        if (g->labels) {
            for (size_t k = 0; k < b->r->n_by; k++)
                cxm__free(g->labels[k]);
        }
        cxm__free(g->labels);
        dvec_release(&g->st.art);
        dvec_release(&g->st.frt);
    }
    cxm__free(b->groups);
    cxm__strmap_release(&b->index);
    cxm__buf_release(&b->key);
    cxm__free(b->seg_start);
    cxm__free(b->seg_end);
}

/* Orders groups by their labels, dimension by dimension. */
static int cmp_group(const void *a, const void *b)
{
    const struct group *x = a, *y = b;

    for (size_t k = 0; k < x->n_labels; k++) {
        int c = strcmp(x->labels[k], y->labels[k]);
        if (c)
            return c;
    }
    return 0;
}

/* Checks the query and copies it into the report. */
static cxm_rc take_query(cxm_report *r, const struct cxm_report_query *q)
{
    if (q->n_by > CXM_REPORT_MAX_BY || (q->n_by && !q->by) ||
        (q->n_metrics && !q->metrics) || q->n_metrics > CXM_METRIC_COUNT)
        return CXM_EINVAL;
    for (size_t k = 0; k < q->n_by; k++) {
        if (q->by[k] < 0 || q->by[k] >= CXM_BY_COUNT)
            return CXM_EINVAL;
        for (size_t j = 0; j < k; j++) {
            if (q->by[j] == q->by[k])
                return CXM_EINVAL;
        }
        r->by[k] = q->by[k];
    }
    r->n_by = q->n_by;
    for (size_t j = 0; j < q->n_metrics; j++) {
        if (q->metrics[j] < 0 || q->metrics[j] >= CXM_METRIC_COUNT)
            return CXM_EINVAL;
        for (size_t i = 0; i < j; i++) {
            if (q->metrics[i] == q->metrics[j])
                return CXM_EINVAL;
        }
    }
    if (q->has_from && q->has_to && q->from_ms >= q->to_ms)
        return CXM_EINVAL;
    if (q->tz && *q->tz && strcmp(q->tz, "UTC") != 0)
        return CXM_ENOTBUILT;
    snprintf(r->tz, sizeof(r->tz), "UTC");
    return CXM_OK;
}

/* The family's first dimension it does not carry, or CXM_BY_COUNT. */
static cxm_dim missing_dim(const cxm_report *r, enum cxm__family fam)
{
    for (size_t k = 0; k < r->n_by; k++) {
        if (!family_has_dim(fam, r->by[k]))
            return r->by[k];
    }
    return CXM_BY_COUNT;
}

/* Decides which metrics are computed and which are reported. */
static cxm_rc choose_metrics(struct builder *b, bool *none_applies)
{
    const struct cxm_report_query *q = b->q;
    cxm_report *r = b->r;
    size_t n_applies = 0;
    cxm_rc rc;

    *none_applies = false;
    if (q->n_metrics == 0) {
        for (int m = 0; m < CXM_METRIC_COUNT; m++) {
            enum cxm__family fam = cxm__metric_family((cxm_metric)m);
            b->want[m] = missing_dim(r, fam) == CXM_BY_COUNT;
        }
    } else {
        for (size_t j = 0; j < q->n_metrics; j++) {
            cxm_metric m = q->metrics[j];
            enum cxm__family fam = cxm__metric_family(m);
            cxm_dim d = missing_dim(r, fam);
            r->metrics[r->n_metrics++] = m;
            if (d != CXM_BY_COUNT) {
                rc = add_warning(r, "%s does not apply to a breakdown by "
                                    "%s: its records carry no %s; shown "
                                    "as null",
                                 cxm_metric_name(m), cxm_dim_name(d),
                                 cxm_dim_name(d));
                if (rc)
                    return rc;
                continue;
            }
            b->want[m] = true;
            n_applies++;
        }
        *none_applies = n_applies == 0;
    }
    for (int m = 0; m < CXM_METRIC_COUNT; m++) {
        if (!b->want[m])
            continue;
        if (cxm__metric_family((cxm_metric)m) == CXM__FAM_SURVEY)
            b->want_survey = true;
        else
            b->want_ticket = true;
    }
    b->want_backlog = b->want[CXM_METRIC_BACKLOG];
    return CXM_OK;
}

/* Turns the groups into the report's rows and figures. */
static cxm_rc make_rows(struct builder *b)
{
    cxm_report *r = b->r;
    size_t n_cells;

    if (b->q->n_metrics == 0) {
        for (int m = 0; m < CXM_METRIC_COUNT; m++) {
            if (b->want[m] && metric_has_data(b, (cxm_metric)m))
                r->metrics[r->n_metrics++] = (cxm_metric)m;
        }
    }
    if (r->n_by && b->n_groups > 1) {
        qsort(b->groups, b->n_groups, sizeof(*b->groups), cmp_group);
    } else if (r->n_by == 0 && b->n_groups == 0) {
        /* Without a breakdown there is always the one row (SPEC §4). */
        struct cxm__group_stat *g;
        cxm_rc rc = find_group(b, &g);
        if (rc)
            return rc;
    }
    r->n_rows = b->n_groups;
    if (!cxm__size_mul(&n_cells, r->n_rows, r->n_metrics))
        return CXM_ENOMEM;
    r->figures = cxm__calloc(n_cells ? n_cells : 1, sizeof(*r->figures));
    r->dims = cxm__calloc(r->n_rows * r->n_by + 1, sizeof(*r->dims));
    if (!r->figures || !r->dims)
        return CXM_ENOMEM;
    for (size_t i = 0; i < r->n_rows; i++) {
        struct group *g = &b->groups[i];
        for (size_t k = 0; k < r->n_by; k++) {
            r->dims[i * r->n_by + k] = g->labels[k]; /* moved */
            g->labels[k] = NULL;
        }
        for (size_t j = 0; j < r->n_metrics; j++) {
            struct cxm_figure *f = &r->figures[i * r->n_metrics + j];
            cxm_metric m = r->metrics[j];
            if (b->want[m])
                compute_figure(m, &g->st, f);
            else
                compute_figure(CXM_METRIC_COUNT, &g->st, f);
        }
    }
    return CXM_OK;
}

cxm_rc cxm_report_run(cxm_store *st, const struct cxm_report_query *q,
                      cxm_report **out)
{
    struct builder b;
    cxm_report *r;
    bool none_applies = false;
    cxm_rc rc;

    if (!st || !q || !out)
        return CXM_EINVAL;
    r = cxm__calloc(1, sizeof(*r));
    if (!r)
        return CXM_ENOMEM;
    memset(&b, 0, sizeof(b));
    b.st = st;
    b.q = q;
    b.r = r;
    b.key.cap = 1 << 20;
    rc = take_query(r, q);
    if (rc)
        goto out;
    rc = choose_metrics(&b, &none_applies);
    if (rc)
        goto out;

    /* SPEC §2: without --from/--to, from the earliest to one second past
     * the latest event timestamp. */
    if (!q->has_from || !q->has_to) {
        bool found;
        int64_t lo = 0, hi = 0;
        rc = cxm__store_time_range(st, &found, &lo, &hi);
        if (rc)
            goto out;
        if (!found) {
            lo = q->has_to ? q->to_ms - 1000 : 0;
            hi = q->has_from ? q->from_ms : lo;
        }
        b.from = q->has_from ? q->from_ms : lo;
        b.to = q->has_to ? q->to_ms : hi + 1000;
        if (b.to <= b.from) {
            rc = CXM_EINVAL;
            goto out;
        }
    } else {
        b.from = q->from_ms;
        b.to = q->to_ms;
    }
    r->from_ms = b.from;
    r->to_ms = b.to;

    if (b.want_backlog) {
        rc = make_segments(&b);
        if (rc)
            goto out;
    }
    if (b.want_survey) {
        rc = cxm__store_scan_responses(st, b.from, b.to, on_response, &b);
        if (rc)
            goto out;
    }
    if (b.want_ticket) {
        rc = cxm__store_scan_tickets(st, on_ticket, &b);
        if (rc)
            goto out;
    }
    rc = make_rows(&b);
out:
    builder_release(&b);
    if (rc) {
        cxm_report_free(r);
        return rc;
    }
    *out = r;
    return none_applies ? CXM_EUSAGE : CXM_OK;
}

size_t cxm_report_n_warnings(const cxm_report *r) { return r->n_warnings; }

const char *cxm_report_warning(const cxm_report *r, size_t i)
{
    return i < r->n_warnings ? r->warnings[i] : "";
}

size_t cxm_report_n_rows(const cxm_report *r) { return r->n_rows; }

size_t cxm_report_n_metrics(const cxm_report *r) { return r->n_metrics; }

cxm_metric cxm_report_metric(const cxm_report *r, size_t j)
{
    return j < r->n_metrics ? r->metrics[j] : CXM_METRIC_COUNT;
}

const char *cxm_report_dim_value(const cxm_report *r, size_t row, size_t k)
{
    if (row >= r->n_rows || k >= r->n_by)
        return "";
    return r->dims[row * r->n_by + k];
}

const struct cxm_figure *cxm_report_figure(const cxm_report *r, size_t row,
                                           size_t j)
{
    if (row >= r->n_rows || j >= r->n_metrics)
        return NULL;
    return &r->figures[row * r->n_metrics + j];
}
