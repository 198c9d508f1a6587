/* SPDX-License-Identifier: MIT
 *
 * alert.c — alert rules and their evaluation (cxmeter/alert.h,
 * docs/alerts.md). A rule's figures are the report's: each window is one
 * cxm_report_run() of the rule's metric and breakdown over the window,
 * with --compare for a drop or rise, so an alert and `cxmeter report`
 * never disagree. A drop or rise fires only when the report's two-sided
 * test of the change, Holm-adjusted over the groups tested in that window,
 * is below alpha, both sides hold at least min_n, and the change goes the
 * rule's way by at least min_change.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "alert_int.h"
#include "cxmeter/alert.h"
#include "cxmeter/config.h"
#include "metric.h"
#include "period.h"
#include "store_int.h"

static const char *const kind_names[] = {"drop", "rise", "above", "below"};

const char *cxm_alert_kind_name(cxm_alert_kind k)
{
    return (unsigned)k < CXM_ARRAY_LEN(kind_names) ? kind_names[k] : "";
}

static bool kind_parse(const char *s, cxm_alert_kind *out)
{
    for (size_t i = 0; s && i < CXM_ARRAY_LEN(kind_names); i++) {
        if (strcmp(s, kind_names[i]) == 0) {
            *out = (cxm_alert_kind)i;
            return true;
        }
    }
    return false;
}

static bool is_change(cxm_alert_kind k)
{
    return k == CXM_ALERT_DROP || k == CXM_ALERT_RISE;
}

/* The test the report applies to a change of metric m, or NULL when it
 * tests none (report.c, change_p_value()). */
static const char *test_method(cxm_metric m)
{
    switch (cxm__metric_shape(m)) {
    case CXM__SHAPE_PROPORTION:
        return "two-proportion z test";
    case CXM__SHAPE_SCORE:
        return "NPS z test";
    case CXM__SHAPE_MEAN:
    case CXM__SHAPE_DURATION:
    case CXM__SHAPE_RATING:
        return "Welch t test";
    default:
        return NULL;
    }
}

cxm_rc cxm_alert_rule_check(struct cxm_alert_rule *r, const char **why)
{
    static const char *ok = "";

    *why = ok;
    if (!r || r->size < sizeof(struct cxm_alert_rule)) {
        *why = "no rule";
        return CXM_EINVAL;
    }
    if ((unsigned)r->kind >= CXM_ARRAY_LEN(kind_names)) {
        *why = "the kind is drop, rise, above or below";
        return CXM_EINVAL;
    }
    if ((unsigned)r->metric >= CXM_METRIC_COUNT) {
        *why = "no such metric";
        return CXM_EINVAL;
    }
    if (r->window != CXM_BY_DAY && r->window != CXM_BY_WEEK) {
        *why = "the window is day or week";
        return CXM_EINVAL;
    }
    if (r->has_by && ((unsigned)r->by >= CXM_BY_COUNT ||
                      cxm__dim_is_time(r->by))) {
        *why = "the breakdown is not a time dimension (the window is)";
        return CXM_EINVAL;
    }
    if (r->has_by && !cxm__metric_has_dim(r->metric, r->by)) {
        *why = "the metric's records do not carry that breakdown";
        return CXM_EINVAL;
    }
    if (r->min_n < 0) {
        *why = "the minimum sample is not negative";
        return CXM_EINVAL;
    }
    if (is_change(r->kind)) {
        if (!test_method(r->metric)) {
            *why = "a drop or rise needs a metric whose change the report "
                   "tests (a proportion, NPS or a mean)";
            return CXM_EINVAL;
        }
        if (r->alpha == 0)
            r->alpha = CXM_ALERT_ALPHA;
        if (!(r->alpha > 0 && r->alpha <= 0.5)) {
            *why = "alpha lies in (0, 0.5]";
            return CXM_EINVAL;
        }
        if (!(r->min_change >= 0) || !isfinite(r->min_change)) {
            *why = "the minimum change is a number of at least 0";
            return CXM_EINVAL;
        }
        if (r->min_n == 0)
            r->min_n = CXM_ALERT_MIN_N;
        r->threshold = 0;
    } else {
        if (!isfinite(r->threshold)) {
            *why = "the threshold is a number";
            return CXM_EINVAL;
        }
        r->alpha = 0;
        r->min_change = 0;
    }
    return CXM_OK;
}

/* Appends the rule's description (cxm_alert_rule_describe()). */
static cxm_rc describe(struct cxm__buf *b, const struct cxm_alert_rule *r)
{
    cxm_rc rc = cxm__buf_adds(b, cxm_metric_name(r->metric));

    if (!rc && r->has_by)
        rc = cxm__buf_addf(b, " of any %s", cxm_dim_name(r->by));
    if (rc)
        return rc;
    switch (r->kind) {
    case CXM_ALERT_DROP:
    case CXM_ALERT_RISE:
        rc = cxm__buf_addf(b, " %s significantly %s over %s (%s, Holm, "
                              "alpha ",
                           r->kind == CXM_ALERT_DROP ? "drops" : "rises",
                           cxm_dim_name(r->window),
                           cxm_dim_name(r->window),
                           test_method(r->metric));
        if (!rc)
            rc = cxm__buf_add_num(b, r->alpha, 6);
        if (!rc)
            rc = cxm__buf_addf(b, ", n >= %lld each side",
                               (long long)r->min_n);
        if (!rc && r->min_change > 0) {
            rc = cxm__buf_adds(b, ", change >= ");
            if (!rc)
                rc = cxm__buf_add_num(b, r->min_change, 4);
        }
        return rc ? rc : cxm__buf_addc(b, ')');
    case CXM_ALERT_ABOVE:
    case CXM_ALERT_BELOW:
        rc = cxm__buf_addf(b, " %s ",
                           r->kind == CXM_ALERT_ABOVE ? "above" : "below");
        if (!rc)
            rc = cxm__buf_add_num(b, r->threshold, 4);
        if (!rc)
            rc = cxm__buf_addf(b, " in a %s", cxm_dim_name(r->window));
        if (!rc && r->min_n > 0)
            rc = cxm__buf_addf(b, " (n >= %lld)", (long long)r->min_n);
        return rc;
    }
    return CXM_OK;
}

size_t cxm_alert_rule_describe(const struct cxm_alert_rule *r, char *dst,
                               size_t cap)
{
    struct cxm__buf b = CXM__BUF_INIT(4096);
    size_t len = 0;

    if (describe(&b, r) == CXM_OK)
        len = b.len;
    if (cap) {
        size_t n = len < cap - 1 ? len : cap - 1;
        if (n)
            memcpy(dst, b.data, n);
        dst[n] = '\0';
    }
    cxm__buf_release(&b);
    return len;
}

/* ---- Rules in the store ---------------------------------------------- */

static void rule_to_row(const struct cxm_alert_rule *r,
                        struct cxm__rule_row *w)
{
    memset(w, 0, sizeof(*w));
    w->id = r->id;
    w->kind = cxm_alert_kind_name(r->kind);
    w->metric = cxm_metric_name(r->metric);
    w->by = r->has_by ? cxm_dim_name(r->by) : NULL;
    w->window = cxm_dim_name(r->window);
    w->threshold = r->threshold;
    w->min_n = r->min_n;
    w->alpha = r->alpha;
    w->min_change = r->min_change;
    w->created_at = r->created_at;
}

/* The rule of row w; false when a name in it is not known (a newer
 * cxmeter's rule). */
static bool rule_of_row(const struct cxm__rule_row *w,
                        struct cxm_alert_rule *r)
{
    memset(r, 0, sizeof(*r));
    r->size = sizeof(*r);
    r->id = w->id;
    r->threshold = w->threshold;
    r->min_n = w->min_n;
    r->alpha = w->alpha;
    r->min_change = w->min_change;
    r->created_at = w->created_at;
    r->has_by = w->by != NULL;
    return kind_parse(w->kind, &r->kind) &&
           cxm_metric_parse(w->metric, &r->metric) == CXM_OK &&
           cxm_dim_parse(w->window, &r->window) == CXM_OK &&
           (!w->by || cxm_dim_parse(w->by, &r->by) == CXM_OK);
}

cxm_rc cxm__alert_rule_add_tx(cxm_store *st, const struct cxm_alert_rule *r,
                              int64_t now_ms, int64_t *id_out)
{
    struct cxm_alert_rule copy;
    struct cxm__rule_row w;
    const char *why;
    cxm_rc rc;

    if (!st || !r || !id_out || r->size < sizeof(copy))
        return CXM_EINVAL;
    copy = *r;
    copy.created_at = now_ms;
    rc = cxm_alert_rule_check(&copy, &why);
    if (rc)
        return rc;
    rule_to_row(&copy, &w);
    return cxm__store_put_alert_rule(st, &w, id_out);
}

cxm_rc cxm__alert_rule_remove_tx(cxm_store *st, int64_t id, int64_t now_ms)
{
    return st ? cxm__store_remove_alert_rule(st, id, now_ms) : CXM_EINVAL;
}

cxm_rc cxm_alert_rule_add(cxm_store *st, const struct cxm_alert_rule *r,
                          int64_t now_ms, int64_t *id_out)
{
    cxm_rc rc;

    if (!st || !r || !id_out || r->size < sizeof(*r))
        return CXM_EINVAL;
    rc = cxm__store_begin(st);
    if (rc)
        return rc;
    rc = cxm__alert_rule_add_tx(st, r, now_ms, id_out);
    if (!rc)
        rc = cxm__store_commit(st);
    if (rc)
        cxm__store_rollback(st);
    return rc;
}

cxm_rc cxm_alert_rule_remove(cxm_store *st, int64_t id, int64_t now_ms)
{
    cxm_rc rc;

    if (!st)
        return CXM_EINVAL;
    rc = cxm__store_begin(st);
    if (rc)
        return rc;
    rc = cxm__alert_rule_remove_tx(st, id, now_ms);
    if (!rc)
        rc = cxm__store_commit(st);
    if (rc)
        cxm__store_rollback(st);
    return rc;
}

struct rules_ctx {
    cxm_alert_rule_fn fn;
    void *ud;
};

static cxm_rc each_rule(const struct cxm__rule_row *w, void *ud)
{
    struct rules_ctx *c = ud;
    struct cxm_alert_rule r;

    if (!rule_of_row(w, &r))
        return CXM_OK; /* a rule of a newer cxmeter: not ours to run */
    return c->fn(&r, c->ud);
}

cxm_rc cxm_alert_rules(cxm_store *st, cxm_alert_rule_fn fn, void *ud)
{
    struct rules_ctx c = {fn, ud};

    if (!st || !fn)
        return CXM_EINVAL;
    return cxm__store_alert_rules(st, each_rule, &c);
}

/* ---- Evaluation ------------------------------------------------------ */

/* A firing found, waiting to be recorded; group owned. */
struct pending {
    struct cxm_alert_firing f;
    char *group;
    bool fires;
};

struct pendings {
    struct pending *v;
    size_t n, cap;
};

static void pendings_release(struct pendings *p)
{
    for (size_t i = 0; i < p->n; i++)
        cxm__free(p->v[i].group);
    cxm__free(p->v);
    memset(p, 0, sizeof(*p));
}

static cxm_rc collect_rule(const struct cxm_alert_rule *r, void *ud)
{
    struct {
        struct cxm_alert_rule *v;
        size_t n, cap;
    } *rules = ud;
    cxm_rc rc = cxm__grow((void **)&rules->v, &rules->cap, rules->n + 1,
                          sizeof(*rules->v));

    if (!rc)
        rules->v[rules->n++] = *r;
    return rc;
}

/* The signed z of a two-sided p-value (the test's own z for the
 * normal tests; for Welch's t, the normal deviate of the same p). */
static double z_of_p(double p, double change)
{
    double z;

    if (!(p < 1))
        return 0;
    z = p > 0 ? gsl_cdf_ugaussian_Qinv(p / 2) : 38.5;
    return change < 0 ? -z : z;
}

/* The pooled two-proportion z of the change, from the report's
 * percentages and counts (the successes are value × n / 100, as the
 * report counts them). */
static double z_two_proportion(double v1, double n1, double v0, double n0)
{
    double k1 = round(v1 * n1 / 100.0), k0 = round(v0 * n0 / 100.0);
    double pool = (k1 + k0) / (n1 + n0);
    double se = sqrt(pool * (1 - pool) * (1 / n1 + 1 / n0));

    return se > 0 ? (k1 / n1 - k0 / n0) / se : 0;
}

static int cmp_p(const void *a, const void *b)
{
    const struct pending *x = *(const struct pending *const *)a;
    const struct pending *y = *(const struct pending *const *)b;

    if (x->f.p_value != y->f.p_value)
        return x->f.p_value < y->f.p_value ? -1 : 1;
    return strcmp(x->group, y->group);
}

/* Holm's step-down adjustment of the p-values of p->v[from ..): each
 * adjusted p is the running maximum of (m − i) · p(i), capped at 1. */
static cxm_rc holm(struct pendings *p, size_t from)
{
    size_t m = p->n - from;
    struct pending **order;
    double running = 0;

    if (!m)
        return CXM_OK;
    order = cxm__malloc(m * sizeof(*order));
    if (!order)
        return CXM_ENOMEM;
    for (size_t i = 0; i < m; i++)
        order[i] = &p->v[from + i];
    qsort(order, m, sizeof(*order), cmp_p);
    for (size_t i = 0; i < m; i++) {
        double adj = (double)(m - i) * order[i]->f.p_value;
        if (adj > 1)
            adj = 1;
        if (adj > running)
            running = adj;
        order[i]->f.p_adjusted = running;
        order[i]->f.tests = (int64_t)m;
    }
    cxm__free(order);
    return CXM_OK;
}

/* Adds the figure of report row `row` as a candidate of rule r over
 * [from, to): *added false when the row has no figure to look at. */
static cxm_rc candidate(const struct cxm_alert_rule *r, const cxm_report *rep,
                        size_t row, size_t group_dim, int64_t from,
                        int64_t to, int64_t prev_from, struct pendings *p)
{
    struct cxm_figure f = CXM_FIGURE_INIT;
    struct pending *c;
    int64_t min_n = r->min_n;
    cxm_rc rc = cxm_report_figure(rep, row, 0, &f);
    const char *g;

    if (rc)
        return rc;
    if (f.is_null || f.value_is_null)
        return CXM_OK;
    if (!min_n && f.has_low_n)
        min_n = CXM_ALERT_MIN_N;
    if (f.n < min_n)
        return CXM_OK;
    if (is_change(r->kind) &&
        (!f.has_p || f.prev_is_null || f.prev_n < min_n))
        return CXM_OK;
    rc = cxm__grow((void **)&p->v, &p->cap, p->n + 1, sizeof(*p->v));
    if (rc)
        return rc;
    g = r->has_by ? cxm_report_dim_value(rep, row, group_dim) : "";
    c = &p->v[p->n];
    memset(c, 0, sizeof(*c));
    c->group = cxm__strdup(g ? g : "");
    if (!c->group)
        return CXM_ENOMEM;
    p->n++;
    c->f.size = sizeof(c->f);
    c->f.rule_id = r->id;
    c->f.kind = r->kind;
    c->f.metric = r->metric;
    c->f.has_by = r->has_by;
    c->f.by = r->by;
    c->f.window = r->window;
    c->f.from_ms = from;
    c->f.to_ms = to;
    c->f.value = f.value;
    c->f.n = f.n;
    c->f.threshold = r->threshold;
    if (!is_change(r->kind)) {
        c->f.method = "threshold";
        c->fires = r->kind == CXM_ALERT_ABOVE ? f.value > r->threshold
                                              : f.value < r->threshold;
        return CXM_OK;
    }
    c->f.has_prev = true;
    c->f.prev_from_ms = prev_from;
    c->f.prev_value = f.prev_value;
    c->f.prev_n = f.prev_n;
    c->f.change = f.change;
    c->f.method = test_method(r->metric);
    c->f.has_test = true;
    c->f.p_value = f.p_value;
    c->f.alpha = r->alpha;
    c->f.statistic =
        cxm__metric_shape(r->metric) == CXM__SHAPE_PROPORTION
            ? z_two_proportion(f.value, (double)f.n, f.prev_value,
                               (double)f.prev_n)
            : z_of_p(f.p_value, f.change);
    return CXM_OK;
}

/* Evaluates rule r over the window [from, to), adding its candidates to
 * p and marking those that fire. */
static cxm_rc eval_window(cxm_store *st, const struct cxm_alert_rule *r,
                          int64_t from, int64_t to, struct pendings *p)
{
    struct cxm_report_query q;
    cxm_report *rep = NULL;
    size_t first = p->n;
    cxm_rc rc;

    memset(&q, 0, sizeof(q));
    q.size = sizeof(q);
    q.metrics = &r->metric;
    q.n_metrics = 1;
    q.by = &r->by;
    q.n_by = r->has_by ? 1 : 0;
    q.has_from = q.has_to = true;
    q.from_ms = from;
    q.to_ms = to;
    q.compare = is_change(r->kind);
    rc = cxm_report_run(st, &q, &rep);
    for (size_t i = 0; !rc && i < cxm_report_n_rows(rep); i++)
        rc = candidate(r, rep, i, 0, from, to, from - (to - from), p);
    cxm_report_free(rep);
    if (rc || !is_change(r->kind))
        return rc;
    rc = holm(p, first);
    for (size_t i = first; !rc && i < p->n; i++) {
        struct pending *c = &p->v[i];
        bool way = r->kind == CXM_ALERT_DROP ? c->f.change < 0
                                             : c->f.change > 0;
        c->fires = way && c->f.p_adjusted < r->alpha &&
                   fabs(c->f.change) >= r->min_change;
    }
    return rc;
}

/* A threshold rule over every window ending in (first - window, end]: one
 * report by window (and group) instead of one a window; *done false when
 * the report would be too large (the caller goes window by window). The
 * figures are the same: a breakdown row's period is its bucket. */
static cxm_rc eval_range(cxm_store *st, const struct cxm_alert_rule *r,
                         int64_t first, int64_t end, struct pendings *p,
                         bool *done)
{
    struct cxm_report_query q;
    cxm_dim by[2] = {r->window, r->by};
    cxm_report *rep = NULL;
    int64_t cur;
    cxm_rc rc;

    *done = false;
    memset(&q, 0, sizeof(q));
    q.size = sizeof(q);
    q.metrics = &r->metric;
    q.n_metrics = 1;
    q.by = by;
    q.n_by = r->has_by ? 2 : 1;
    q.has_from = q.has_to = true;
    q.from_ms = cxm__bucket_start(r->window, first - 1);
    q.to_ms = end;
    rc = cxm_report_run(st, &q, &rep);
    if (rc == CXM_ETOOBIG) {
        cxm_report_free(rep);
        return CXM_OK;
    }
    cur = q.from_ms;
    *done = true;
    for (size_t i = 0; !rc && i < cxm_report_n_rows(rep); i++) {
        const char *label = cxm_report_dim_value(rep, i, 0);
        char want[32];
        /* Rows come in bucket order: walk the windows along with them
         * (from the start again should one not). */
        for (int pass = 0; label && pass < 2; pass++) {
            for (; cur < end; cur = cxm__bucket_next(r->window, cur)) {
                cxm__bucket_label(r->window, cur, want, sizeof(want));
                if (strcmp(want, label) == 0)
                    break;
            }
            if (cur < end)
                break;
            cur = q.from_ms;
        }
        if (!label || cur >= end)
            continue;
        rc = candidate(r, rep, i, 1, cur, cxm__bucket_next(r->window, cur),
                       0, p);
    }
    cxm_report_free(rep);
    return rc;
}

static int cmp_firing(const void *a, const void *b)
{
    const struct pending *x = a, *y = b;

    if (x->f.from_ms != y->f.from_ms)
        return x->f.from_ms < y->f.from_ms ? -1 : 1;
    if (x->f.rule_id != y->f.rule_id)
        return x->f.rule_id < y->f.rule_id ? -1 : 1;
    return strcmp(x->group, y->group);
}

static void firing_to_row(const struct cxm_alert_firing *f,
                          struct cxm__firing_row *w)
{
    memset(w, 0, sizeof(*w));
    w->id = f->id;
    w->rule_id = f->rule_id;
    w->from_ms = f->from_ms;
    w->to_ms = f->to_ms;
    w->prev_from_ms = f->prev_from_ms;
    w->n = f->n;
    w->prev_n = f->prev_n;
    w->tests = f->tests;
    w->fired_at = f->fired_at;
    w->kind = cxm_alert_kind_name(f->kind);
    w->metric = cxm_metric_name(f->metric);
    w->by = f->has_by ? cxm_dim_name(f->by) : NULL;
    w->window = cxm_dim_name(f->window);
    w->grp = f->group;
    w->method = f->method;
    w->has_prev = f->has_prev;
    w->has_test = f->has_test;
    w->value = f->value;
    w->prev_value = f->prev_value;
    w->change = f->change;
    w->threshold = f->threshold;
    w->statistic = f->statistic;
    w->p_value = f->p_value;
    w->p_adjusted = f->p_adjusted;
    w->alpha = f->alpha;
}

/* The addresses new firings are mailed to (o->email, else the store's
 * alerts.email), checked, into *out (owned; "" for none). */
static cxm_rc mail_list(cxm_store *st, const struct cxm_alert_check_opts *o,
                        char **out)
{
    const char *why;
    cxm_rc rc;

    *out = NULL;
    if (o->email) {
        if (cxm_config_check("alerts.email", o->email, &why) != CXM_OK) {
            cxm__store_set_error(st, why);
            return CXM_EINPUT;
        }
        *out = cxm__strdup(o->email);
        return *out ? CXM_OK : CXM_ENOMEM;
    }
    rc = cxm_config_get(st, "alerts.email", out, NULL);
    if (!rc && cxm_config_check("alerts.email", *out, &why) != CXM_OK)
        **out = '\0'; /* a bad stored value (set before the check) mails
                         nobody rather than stopping the check */
    return rc;
}

/* Queues the mail of new firing f to each address of `list` (duplicates
 * once) in the open transaction: outbox kind "alert", subject the
 * firing's id, rule the alert rule's (0018-alert-mail.sql). */
static cxm_rc queue_mail(cxm_store *st, const struct cxm_alert_firing *f,
                         const char *list, int64_t now)
{
    const char *p = list, *a, *q, *b;
    size_t n, m;
    char subject[24];
    cxm_rc rc = CXM_OK;

    snprintf(subject, sizeof(subject), "%lld", (long long)f->id);
    while (!rc && cxm__list_next(&p, &a, &n)) {
        struct cxm__outbox_row r;
        bool seen = false;
        char *addr;
        int64_t id;
        for (q = list; !seen && q < a && cxm__list_next(&q, &b, &m);)
            seen = b < a && m == n && strncmp(a, b, n) == 0;
        if (seen)
            continue;
        addr = cxm__strndup(a, n);
        if (!addr)
            return CXM_ENOMEM;
        memset(&r, 0, sizeof(r));
        r.kind = "alert";
        r.moment = "alert";
        r.subject_id = subject;
        r.status = "queued";
        r.rule_id = f->rule_id;
        r.channel = "email";
        r.recipient = addr;
        r.created_at = now;
        r.due_at = now;
        rc = cxm__store_sends(st);
        if (!rc)
            rc = st->ops->outbox_put(st, &r, &id);
        cxm__free(addr);
    }
    return rc;
}

/* The job that records the firings of p and queues the mail of the new
 * ones, in the runner's transaction; added[i]: firing i is new. */
struct record_job {
    const struct cxm_alert_check_opts *o;
    struct pendings *p;
    bool *added;
    const char *mail;
};

static cxm_rc record_run(cxm_store *st, void *ud)
{
    struct record_job *j = ud;
    cxm_rc rc = CXM_OK;

    for (size_t i = 0; !rc && i < j->p->n; i++) {
        struct pending *c = &j->p->v[i];
        struct cxm__firing_row w;
        firing_to_row(&c->f, &w);
        j->added[i] = false;
        rc = cxm__store_put_alert_firing(st, &w, &j->added[i], &c->f.id);
        if (!rc && j->added[i] && *j->mail)
            rc = queue_mail(st, &c->f, j->mail, j->o->now_ms);
    }
    return rc;
}

/* The command line's runner: a transaction of its own on the store. */
static cxm_rc own_tx(void *ud, cxm__alert_tx_job fn, void *fn_ud)
{
    cxm_store *st = ud;
    cxm_rc rc = cxm__store_begin(st);

    if (rc)
        return rc;
    rc = fn(st, fn_ud);
    if (!rc)
        rc = cxm__store_commit(st);
    if (rc)
        cxm__store_rollback(st);
    return rc;
}

/* Records the firings of p (unless dry_run) through `run`, and queues the
 * mail of the new ones, then hands the new ones (or, dry, all) to fn.
 * The addresses are read from st. */
static cxm_rc record(cxm_store *st, const struct cxm_alert_check_opts *o,
                     struct pendings *p, cxm__alert_tx_runner run,
                     void *run_ud, cxm_alert_firing_fn fn, void *ud,
                     size_t *n_fired)
{
    struct record_job j = {o, p, NULL, NULL};
    char *mail = NULL;
    cxm_rc rc = CXM_OK;

    if (p->n) {
        j.added = cxm__calloc(p->n, sizeof(*j.added));
        if (!j.added)
            return CXM_ENOMEM;
    }
    for (size_t i = 0; i < p->n; i++) {
        p->v[i].f.group = p->v[i].group;
        p->v[i].f.fired_at = o->now_ms;
    }
    if (!o->dry_run && p->n) {
        rc = mail_list(st, o, &mail);
        j.mail = mail;
        if (!rc)
            rc = run(run_ud, record_run, &j);
    }
    for (size_t i = 0; !rc && i < p->n; i++) {
        if (!o->dry_run && !j.added[i])
            continue;
        if (n_fired)
            (*n_fired)++;
        if (fn)
            rc = fn(&p->v[i].f, ud);
    }
    cxm__free(j.added);
    cxm__free(mail);
    return rc;
}

cxm_rc cxm_alert_check(cxm_store *st, const struct cxm_alert_check_opts *o,
                       cxm_alert_firing_fn fn, void *ud, size_t *n_fired)
{
    return cxm__alert_check_via(st, o, own_tx, st, fn, ud, n_fired);
}

cxm_rc cxm__alert_check_via(cxm_store *st,
                            const struct cxm_alert_check_opts *o,
                            cxm__alert_tx_runner run, void *run_ud,
                            cxm_alert_firing_fn fn, void *ud,
                            size_t *n_fired)
{
    struct {
        struct cxm_alert_rule *v;
        size_t n, cap;
    } rules = {NULL, 0, 0};
    struct pendings all = {NULL, 0, 0}, fired = {NULL, 0, 0};
    cxm_rc rc;

    if (n_fired)
        *n_fired = 0;
    if (!st || !o || o->size < sizeof(*o) ||
        (o->has_from && o->from_ms >= o->at_ms))
        return CXM_EINVAL;
    rc = cxm__store_alert_rules(st, each_rule,
                                &(struct rules_ctx){collect_rule, &rules});
    for (size_t k = 0; !rc && k < rules.n; k++) {
        const struct cxm_alert_rule *r = &rules.v[k];
        int64_t end = cxm__bucket_start(r->window, o->at_ms);
        int64_t first = end;
        if (o->rule_id && r->id != o->rule_id)
            continue;
        bool done = false;
        if (o->has_from)
            first = cxm__bucket_next(r->window,
                                     cxm__bucket_start(r->window,
                                                       o->from_ms));
        if (!is_change(r->kind) && first < end)
            rc = eval_range(st, r, first, end, &all, &done);
        for (int64_t to = first; !rc && !done && to <= end;
             to = cxm__bucket_next(r->window, to)) {
            int64_t from = cxm__bucket_start(r->window, to - 1);
            rc = eval_window(st, r, from, to, &all);
        }
    }
    /* Keep those that fire, in window, rule, group order. */
    for (size_t i = 0; !rc && i < all.n; i++) {
        if (!all.v[i].fires)
            continue;
        rc = cxm__grow((void **)&fired.v, &fired.cap, fired.n + 1,
                       sizeof(*fired.v));
        if (!rc) {
            fired.v[fired.n++] = all.v[i];
            all.v[i].group = NULL;
        }
    }
    if (!rc && fired.n)
        qsort(fired.v, fired.n, sizeof(*fired.v), cmp_firing);
    if (!rc)
        rc = record(st, o, &fired, run, run_ud, fn, ud, n_fired);
    pendings_release(&all);
    pendings_release(&fired);
    cxm__free(rules.v);
    return rc;
}

/* ---- History ---------------------------------------------------------- */

struct history_ctx {
    cxm_alert_firing_fn fn;
    void *ud;
};

static cxm_rc each_firing(const struct cxm__firing_row *w, void *ud)
{
    struct history_ctx *c = ud;
    struct cxm_alert_firing f;

    memset(&f, 0, sizeof(f));
    f.size = sizeof(f);
    f.id = w->id;
    f.rule_id = w->rule_id;
    f.group = w->grp;
    f.from_ms = w->from_ms;
    f.to_ms = w->to_ms;
    f.prev_from_ms = w->prev_from_ms;
    f.value = w->value;
    f.n = w->n;
    f.has_prev = w->has_prev;
    f.prev_value = w->prev_value;
    f.prev_n = w->prev_n;
    f.change = w->change;
    f.threshold = w->threshold;
    f.method = w->method;
    f.has_test = w->has_test;
    f.statistic = w->statistic;
    f.p_value = w->p_value;
    f.p_adjusted = w->p_adjusted;
    f.tests = w->tests;
    f.alpha = w->alpha;
    f.fired_at = w->fired_at;
    f.has_by = w->by != NULL;
    if (!kind_parse(w->kind, &f.kind) ||
        cxm_metric_parse(w->metric, &f.metric) != CXM_OK ||
        cxm_dim_parse(w->window, &f.window) != CXM_OK ||
        (w->by && cxm_dim_parse(w->by, &f.by) != CXM_OK))
        return CXM_OK; /* a newer cxmeter's firing */
    return c->fn(&f, c->ud);
}

cxm_rc cxm_alert_history(cxm_store *st, int64_t rule_id,
                         cxm_alert_firing_fn fn, void *ud)
{
    struct history_ctx c = {fn, ud};

    if (!st || !fn)
        return CXM_EINVAL;
    return cxm__store_alert_firings(st, rule_id, each_firing, &c);
}
