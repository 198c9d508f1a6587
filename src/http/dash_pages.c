/* SPDX-License-Identifier: MIT
 *
 * dash_pages.c — the dashboard's pages (docs/dashboard.md): the overview
 * (cards and time series), breakdowns (tables with sparklines, the agent
 * ranking with empirical-Bayes shrinkage), an agent's page and the
 * drill-down to the answers and tickets behind a figure.
 *
 * Every figure is cxm_report_run()'s, the call `cxmeter report` makes:
 * a filter is a breakdown by that dimension whose matching row is taken,
 * so a card and `cxmeter report --by DIM` never disagree. No page
 * computes a metric itself; the shrinkage of the ranking is computed from
 * the report's figures and shown beside them, never instead of them.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "http_int.h"
#include "store_int.h"

static const cxm_dim filter_dims[CXM__VIEW_FILTERS] = {
    CXM_BY_AGENT, CXM_BY_TEAM, CXM_BY_CHANNEL, CXM_BY_LANGUAGE,
    CXM_BY_SURVEY};

/* ---- Reports of a view. */

/* A report of the view: its filters as leading dimensions (each once),
 * then `extra`, the report filtered by them (query's where): every row
 * matches (vrep_match() still checks). */
struct vrep {
    cxm_report *r;
    cxm_dim by[CXM_REPORT_MAX_BY];
    size_t n_by;
    const char *want[CXM_REPORT_MAX_BY]; /* per dimension: value or NULL */
    size_t extra_at[CXM_REPORT_MAX_BY];  /* index in by of each extra */
    cxm_rc rc;
};

static size_t dim_slot(struct vrep *vr, cxm_dim d)
{
    for (size_t i = 0; i < vr->n_by; i++) {
        if (vr->by[i] == d)
            return i;
    }
    vr->by[vr->n_by] = d;
    vr->want[vr->n_by] = NULL;
    return vr->n_by++;
}

static cxm_rc vrep_run(struct cxm__http_req *req, const struct cxm__view *v,
                       const cxm_metric *m, size_t nm, const cxm_dim *extra,
                       size_t n_extra, bool compare, struct vrep *vr)
{
    struct cxm_report_query q;
    struct cxm_report_where where[CXM__VIEW_FILTERS];
    size_t n_where = 0;

    memset(vr, 0, sizeof(*vr));
    for (size_t i = 0; i < CXM__VIEW_FILTERS; i++) {
        if (v->filter[i]) {
            size_t k = dim_slot(vr, filter_dims[i]);
            vr->want[k] = v->filter[i];
            where[n_where].dim = filter_dims[i];
            where[n_where++].value = v->filter[i];
        }
    }
    for (size_t i = 0; i < n_extra; i++) {
        if (vr->n_by == CXM_REPORT_MAX_BY)
            return vr->rc = CXM_EINVAL;
        vr->extra_at[i] = dim_slot(vr, extra[i]);
    }
    memset(&q, 0, sizeof(q));
    q.size = sizeof(q);
    q.metrics = m;
    q.n_metrics = nm;
    q.by = vr->by;
    q.n_by = vr->n_by;
    q.has_from = q.has_to = true;
    q.from_ms = v->from_ms;
    q.to_ms = v->to_ms;
    q.tz = v->tz;
    q.compare = compare;
    /* The store reads only the view's rows (vrep_match() keeps them). */
    q.where = where;
    q.n_where = n_where;
    vr->rc = cxm__report_get(req->ctx, &q, &vr->r);
    return vr->rc;
}

static bool vrep_match(const struct vrep *vr, size_t row)
{
    for (size_t k = 0; k < vr->n_by; k++) {
        if (vr->want[k] &&
            strcmp(cxm_report_dim_value(vr->r, row, k), vr->want[k]) != 0)
            return false;
    }
    return true;
}

/* The figure of metric j in row, or a null one. */
static struct cxm_figure vrep_fig(const struct vrep *vr, size_t row,
                                  cxm_metric m)
{
    struct cxm_figure f = CXM_FIGURE_INIT;

    f.is_null = true;
    for (size_t j = 0; j < cxm_report_n_metrics(vr->r); j++) {
        if (cxm_report_metric(vr->r, j) == m) {
            if (cxm_report_figure(vr->r, row, j, &f))
                f.is_null = true;
            break;
        }
    }
    return f;
}

static int report_failed(struct cxm__http_req *req,
                         struct cxm__http_resp *resp, const struct vrep *vr)
{
    const char *why = "The store failed.";

    if (vr->rc == CXM_ETOOBIG)
        why = cxm_report_errmsg(vr->r);
    else if (vr->rc == CXM_ENOZONE || vr->rc == CXM_ENOTBUILT)
        why = "Unknown time zone.";
    else if (vr->rc == CXM_EINVAL)
        why = "This view asks for too many dimensions at once.";
    return cxm__page_message(req, resp, vr->rc == CXM_ESTORE ? 503 : 400,
                             "This view cannot be shown", why);
}

/* ---- Formatting figures. */

static bool is_duration(cxm_metric m)
{
    return m == CXM_METRIC_ART || m == CXM_METRIC_FRT;
}

static int decimals_of(cxm_metric m)
{
    switch (m) {
    case CXM_METRIC_CES:
    case CXM_METRIC_CSAT_MEAN:
    case CXM_METRIC_AGENT_PRODUCTIVITY:
        return 2;
    case CXM_METRIC_BACKLOG:
    case CXM_METRIC_CREATED:
    case CXM_METRIC_RESOLVED:
        return 0;
    default:
        return 1;
    }
}

/* A duration in seconds for people: 42 s, 12.5 min, 3.2 h, 2.1 d. */
static void fmt_secs(double s, char *out, size_t cap)
{
    if (s < 90)
        snprintf(out, cap, "%.0f s", s);
    else if (s < 5400)
        snprintf(out, cap, "%.1f min", s / 60);
    else if (s < 172800)
        snprintf(out, cap, "%.1f h", s / 3600);
    else
        snprintf(out, cap, "%.1f d", s / 86400);
}

static void fmt_value(cxm_metric m, double v, char *out, size_t cap)
{
    if (is_duration(m))
        fmt_secs(v, out, cap);
    else
        snprintf(out, cap, "%.*f", decimals_of(m), v);
}

/* The number a card shows: the median for a duration, else the value. */
static double shown_value(cxm_metric m, const struct cxm_figure *f)
{
    return is_duration(m) && f->has_quantiles ? f->median : f->value;
}

static const char *metric_label(cxm_metric m)
{
    switch (m) {
    case CXM_METRIC_CSAT: return "CSAT";
    case CXM_METRIC_NPS: return "NPS";
    case CXM_METRIC_CES: return "CES";
    case CXM_METRIC_FCR: return "FCR";
    case CXM_METRIC_BACKLOG: return "Backlog";
    case CXM_METRIC_ART: return "Median resolution time";
    case CXM_METRIC_SELFSERVICE_RATE: return "Self-service rate";
    case CXM_METRIC_AGENT_PRODUCTIVITY: return "Productivity (tickets)";
    case CXM_METRIC_QA_SCORE: return "QA score";
    case CXM_METRIC_CREATED: return "Created";
    default: return cxm_metric_name(m);
    }
}

/* The drill-down link of a figure of metric m in the view, with the
 * extra parameters `extra` (URL-safe or NULL). */
static cxm_rc drill_href(struct cxm__buf *b, const struct cxm__view *v,
                         cxm_metric m, const char *extra)
{
    char q[600];

    snprintf(q, sizeof(q), "metric=%s%s%s", cxm_metric_name(m),
             extra ? "&" : "", extra ? extra : "");
    return cxm__view_href(b, v, "/drill", q);
}

/* One card. */
static cxm_rc card(struct cxm__buf *b, const struct cxm__view *v,
                   cxm_metric m, const struct cxm_figure *f)
{
    char val[64], lo[64], hi[64];
    cxm_rc rc = cxm__buf_addf(b, "<article class=\"card\" data-metric=\"%s\"",
                              cxm_metric_name(m));

    if (!rc && !f->is_null && !f->value_is_null)
        rc = cxm__buf_addf(b, " data-value=\"%.17g\" data-n=\"%lld\"",
                           f->value, (long long)f->n);
    if (!rc && !f->is_null && f->has_quantiles)
        rc = cxm__buf_addf(b, " data-median=\"%.17g\"", f->median);
    if (!rc)
        rc = cxm__buf_addf(b, "><h2>%s</h2><span class=\"value\"><a href=\"",
                           metric_label(m));
    if (!rc)
        rc = drill_href(b, v, m, NULL);
    if (!rc)
        rc = cxm__html_raw(b, "\">");
    if (f->is_null || f->value_is_null) {
        return rc ? rc
                  : cxm__html_raw(b, "–</a></span><span class=\"n\">no data"
                                     "</span></article>");
    }
    fmt_value(m, shown_value(m, f), val, sizeof(val));
    if (!rc)
        rc = cxm__html_str(b, val);
    if (!rc)
        rc = cxm__html_raw(b, "</a></span>");
    if (!rc && f->has_ci) {
        fmt_value(m, f->lo, lo, sizeof(lo));
        fmt_value(m, f->hi, hi, sizeof(hi));
        rc = cxm__buf_addf(b, "<span class=\"ci\">%s95%% %s – %s</span>",
                           is_duration(m) ? "mean, " : "", lo, hi);
    }
    if (!rc)
        rc = cxm__buf_addf(b, "<span class=\"n\">n = %lld%s</span>",
                           (long long)f->n,
                           f->has_low_n && f->low_n
                               ? " <span class=\"lown\" title=\"fewer than "
                                 "30: read with care\">low n</span>"
                               : "");
    if (!rc && f->has_compare) {
        if (f->prev_is_null) {
            rc = cxm__html_raw(b, "<span class=\"change\">no previous "
                                  "period</span>");
        } else {
            char ch[64];
            double c = f->value - f->prev_value;
            fmt_value(m, fabs(c), ch, sizeof(ch));
            rc = cxm__buf_addf(
                b, "<span class=\"change%s\" data-change=\"%.17g\">%s%s%s "
                   "vs previous",
                f->significant ? (c >= 0 ? " sig-up" : " sig-down") : "", c,
                is_duration(m) ? "mean " : "", c >= 0 ? "+" : "−", ch);
            if (!rc && f->has_p)
                rc = cxm__buf_addf(b, " (p = %.3g%s)", f->p_value,
                                   f->significant ? ", significant"
                                                  : "");
            if (!rc)
                rc = cxm__html_raw(b, "</span>");
        }
    }
    return rc ? rc : cxm__html_raw(b, "</article>");
}

/* The figure's cells in a CSV/HTML table of cards. */
static cxm_rc card_row(struct cxm__table *t, cxm_metric m,
                       const struct cxm_figure *f)
{
    cxm_rc rc = cxm__table_cell(t, cxm_metric_name(m), NULL, NULL);
    bool null = f->is_null || f->value_is_null;

    if (!rc)
        rc = null ? cxm__table_cell(t, "", NULL, NULL)
                  : cxm__table_cellf(t, NULL, "%.10g", f->value);
    if (!rc)
        rc = null || !f->has_quantiles
                 ? cxm__table_cell(t, "", NULL, NULL)
                 : cxm__table_cellf(t, NULL, "%.10g", f->median);
    if (!rc)
        rc = cxm__table_cellf(t, NULL, "%lld", (long long)f->n);
    if (!rc)
        rc = null || !f->has_ci ? cxm__table_cell(t, "", NULL, NULL)
                                : cxm__table_cellf(t, NULL, "%.10g", f->lo);
    if (!rc)
        rc = null || !f->has_ci ? cxm__table_cell(t, "", NULL, NULL)
                                : cxm__table_cellf(t, NULL, "%.10g", f->hi);
    if (!rc)
        rc = cxm__table_cell(t, f->has_low_n && f->low_n ? "true" : "false",
                             NULL, NULL);
    if (!rc)
        rc = f->has_compare && !f->prev_is_null
                 ? cxm__table_cellf(t, NULL, "%.10g", f->prev_value)
                 : cxm__table_cell(t, "", NULL, NULL);
    if (!rc)
        rc = f->has_p ? cxm__table_cellf(t, NULL, "%.4g", f->p_value)
                      : cxm__table_cell(t, "", NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, f->significant ? "true" : "false", NULL,
                             NULL);
    return rc;
}

static const char *const card_cols[] = {"metric", "value", "median", "n",
                                        "lo", "hi", "low_n", "previous",
                                        "p_value", "significant"};

static void card_table_init(struct cxm__table *t)
{
    cxm__table_init(t, CXM_ARRAY_LEN(card_cols), card_cols);
    for (size_t i = 1; i < 10; i++)
        t->numeric[i] = i != 6 && i != 9;
}

/* ---- Time series. */

/* The first day of a bucket label (day, ISO week, month) as days since
 * the epoch; false for another label. */
static bool bucket_day(const char *s, int64_t *days)
{
    int64_t y, a, b;
    size_t n = strlen(s);

    if (n < 7 || cxm__parse_i64(s, 4, &y) || s[4] != '-')
        return false;
    if (n == 8 && s[5] == 'W' && !cxm__parse_i64(s + 6, 2, &a)) {
        int64_t jan4 = cxm__days_from_civil(y, 1, 4);
        int64_t wd = ((jan4 + 3) % 7 + 7) % 7; /* 0 = Monday */
        *days = jan4 - wd + (a - 1) * 7;
        return true;
    }
    if (cxm__parse_i64(s + 5, 2, &a))
        return false;
    if (n == 7) {
        *days = cxm__days_from_civil(y, (int)a, 1);
        return true;
    }
    if (n == 10 && s[7] == '-' && !cxm__parse_i64(s + 8, 2, &b)) {
        *days = cxm__days_from_civil(y, (int)a, (int)b);
        return true;
    }
    return false;
}

static cxm_dim series_grain(const struct cxm__view *v)
{
    int64_t days = (v->to_ms - v->from_ms) / 86400000;

    return days <= 35 ? CXM_BY_DAY : days <= 400 ? CXM_BY_WEEK : CXM_BY_MONTH;
}

/* Appends a JSON array of one field of metric m over the rows. */
static cxm_rc json_series(struct cxm__buf *b, const struct vrep *vr,
                          cxm_metric m, size_t grain_at, char what)
{
    bool first = true;
    cxm_rc rc = cxm__buf_addc(b, '[');

    for (size_t row = 0; !rc && row < cxm_report_n_rows(vr->r); row++) {
        struct cxm_figure f;
        int64_t day;
        if (!vrep_match(vr, row) ||
            !bucket_day(cxm_report_dim_value(vr->r, row, grain_at), &day))
            continue;
        f = vrep_fig(vr, row, m);
        if (!first)
            rc = cxm__buf_addc(b, ',');
        first = false;
        if (rc)
            break;
        if (what == 'x')
            rc = cxm__buf_addf(b, "%lld", (long long)(day * 86400));
        else if (f.is_null || f.value_is_null ||
                 (what != 'y' && !f.has_ci))
            rc = cxm__buf_adds(b, "null");
        else
            rc = cxm__buf_addf(b, "%.6g",
                               (what == 'y'   ? f.value
                                : what == 'l' ? f.lo
                                              : f.hi) /
                                   (is_duration(m) ? 3600.0 : 1.0));
    }
    return rc ? rc : cxm__buf_addc(b, ']');
}

/* A chart of metric m: a figure holding the uPlot target and its data as
 * JSON in a non-executed script element (no inline script runs). */
static cxm_rc chart(struct cxm__buf *b, const struct cxm__view *v,
                    const char *path, const struct vrep *vr, cxm_metric m,
                    size_t grain_at)
{
    struct cxm__buf j = CXM__BUF_INIT(8u << 20);
    const char *name = cxm_metric_name(m);
    cxm_rc rc = cxm__buf_addf(&j, "{\"label\":\"%s\",\"x\":", name);

    if (!rc)
        rc = json_series(&j, vr, m, grain_at, 'x');
    if (!rc)
        rc = cxm__buf_adds(&j, ",\"y\":");
    if (!rc)
        rc = json_series(&j, vr, m, grain_at, 'y');
    if (!rc)
        rc = cxm__buf_adds(&j, ",\"lo\":");
    if (!rc)
        rc = json_series(&j, vr, m, grain_at, 'l');
    if (!rc)
        rc = cxm__buf_adds(&j, ",\"hi\":");
    if (!rc)
        rc = json_series(&j, vr, m, grain_at, 'h');
    if (!rc)
        rc = cxm__buf_addc(&j, '}');
    if (!rc)
        rc = cxm__buf_addf(b, "<figure><figcaption><span>%s%s</span><a "
                              "class=\"csv\" href=\"",
                           metric_label(m),
                           is_duration(m) ? " (mean, hours)" : "");
    if (!rc) {
        char extra[64];
        snprintf(extra, sizeof(extra), "format=csv&table=series&metric=%s",
                 name);
        rc = cxm__view_href(b, v, path, extra);
    }
    if (!rc)
        rc = cxm__buf_addf(b, "\" download>CSV</a></figcaption><div "
                              "class=\"chart\" id=\"chart-%s\" "
                              "data-series=\"series-%s\"></div><script "
                              "type=\"application/json\" id=\"series-%s\">",
                           name, name, name);
    /* The JSON holds only numbers and the metric's name; '<' could not
     * close the element, and is escaped all the same. */
    for (size_t i = 0; !rc && i < j.len; i++)
        rc = j.data[i] == '<' ? cxm__buf_adds(b, "\\u003c")
                              : cxm__buf_addc(b, j.data[i]);
    if (!rc)
        rc = cxm__html_raw(b, "</script></figure>");
    cxm__buf_release(&j);
    return rc;
}

static cxm_rc series_rows(struct cxm__table *t, const struct vrep *vr,
                          const cxm_metric *ms, size_t nm, size_t grain_at)
{
    cxm_rc rc = CXM_OK;

    for (size_t row = 0; !rc && row < cxm_report_n_rows(vr->r); row++) {
        if (!vrep_match(vr, row))
            continue;
        for (size_t i = 0; !rc && i < nm; i++) {
            struct cxm_figure f = vrep_fig(vr, row, ms[i]);
            bool null = f.is_null || f.value_is_null;
            rc = cxm__table_cell(
                t, cxm_report_dim_value(vr->r, row, grain_at), NULL, NULL);
            if (!rc)
                rc = cxm__table_cell(t, cxm_metric_name(ms[i]), NULL, NULL);
            if (!rc)
                rc = null ? cxm__table_cell(t, "", NULL, NULL)
                          : cxm__table_cellf(t, NULL, "%.10g", f.value);
            if (!rc)
                rc = null || !f.has_ci
                         ? cxm__table_cell(t, "", NULL, NULL)
                         : cxm__table_cellf(t, NULL, "%.10g", f.lo);
            if (!rc)
                rc = null || !f.has_ci
                         ? cxm__table_cell(t, "", NULL, NULL)
                         : cxm__table_cellf(t, NULL, "%.10g", f.hi);
            if (!rc)
                rc = cxm__table_cellf(t, NULL, "%lld", (long long)f.n);
        }
    }
    return rc;
}

static const char *const series_cols[] = {"bucket", "metric", "value", "lo",
                                          "hi", "n"};

/* The period line of a page. */
static cxm_rc period_note(struct cxm__buf *b, const struct cxm__view *v)
{
    char from[40], to[40];
    cxm_rc rc;

    cxm_time_format(v->from_ms, from, sizeof(from));
    cxm_time_format(v->to_ms, to, sizeof(to));
    rc = cxm__buf_addf(b, "<p class=\"period-note\" id=\"view-period\" "
                          "data-from=\"%s\" data-to=\"%s\" data-tz=\"",
                       from, to);
    if (!rc)
        rc = cxm__html_str(b, v->tz);
    if (!rc)
        rc = cxm__buf_addf(b, "\">%s to %s (exclusive), ", v->from, v->to);
    if (!rc)
        rc = cxm__html_str(b, v->tz);
    if (!rc)
        rc = cxm__html_raw(b, "; change against the previous period of the "
                              "same length; significant: p &lt; 0.05 and "
                              "neither side low n.");
    for (size_t i = 0; !rc && i < CXM__VIEW_FILTERS; i++) {
        if (!v->filter[i])
            continue;
        rc = cxm__buf_addf(b, " %s = ", cxm__view_filter_names[i]);
        if (!rc)
            rc = cxm__html_str(b, v->filter[i]);
    }
    return rc ? rc : cxm__html_raw(b, "</p>");
}

/* ---- The overview. */

static const cxm_metric card_metrics[] = {
    CXM_METRIC_CSAT,    CXM_METRIC_NPS, CXM_METRIC_CES,
    CXM_METRIC_FCR,     CXM_METRIC_BACKLOG, CXM_METRIC_ART,
    CXM_METRIC_SELFSERVICE_RATE};

/* The row of a filtered report without extra dimensions: the matching
 * one, or none (SIZE_MAX). */
static size_t only_row(const struct vrep *vr)
{
    for (size_t row = 0; row < cxm_report_n_rows(vr->r); row++) {
        if (vrep_match(vr, row))
            return row;
    }
    return (size_t)-1;
}

static struct cxm_figure fig_or_null(const struct vrep *vr, size_t row,
                                     cxm_metric m)
{
    struct cxm_figure f = CXM_FIGURE_INIT;

    if (row == (size_t)-1) {
        f.is_null = true;
        return f;
    }
    return vrep_fig(vr, row, m);
}

/* Cards of `ms` and, below, the charts of `series` (one report each). */
static int cards_and_charts(struct cxm__http_req *req,
                            struct cxm__http_resp *resp,
                            const struct cxm__view *v, const char *path,
                            const cxm_metric *ms, size_t nm,
                            const cxm_metric *series, size_t ns)
{
    struct vrep cards, ser;
    struct cxm__buf *b = &resp->body;
    const char *table = req->arg(req, "table");
    cxm_dim grain = series_grain(v);
    size_t row;
    cxm_rc rc;
    int status = 200;

    if (vrep_run(req, v, ms, nm, NULL, 0, true, &cards) &&
        cards.rc != CXM_EUSAGE) {
        status = report_failed(req, resp, &cards);
        cxm__report_put(req->ctx, cards.r);
        return status;
    }
    if (vrep_run(req, v, series, ns, &grain, 1, false, &ser) &&
        ser.rc != CXM_EUSAGE) {
        status = report_failed(req, resp, &ser);
        cxm__report_put(req->ctx, cards.r);
        cxm__report_put(req->ctx, ser.r);
        return status;
    }
    row = cards.r ? only_row(&cards) : (size_t)-1;
    if (cxm__want_csv(req)) {
        struct cxm__table t;
        const char *one = req->arg(req, "metric");
        if (table && strcmp(table, "series") == 0) {
            cxm_metric pick[CXM_METRIC_COUNT];
            size_t np = 0;
            for (size_t i = 0; i < ns; i++) {
                if (!one || strcmp(one, cxm_metric_name(series[i])) == 0)
                    pick[np++] = series[i];
            }
            cxm__table_init(&t, CXM_ARRAY_LEN(series_cols), series_cols);
            t.numeric[2] = t.numeric[3] = t.numeric[4] = t.numeric[5] = true;
            rc = ser.r ? series_rows(&t, &ser, pick, np, ser.extra_at[0])
                       : CXM_OK;
            status = rc ? 500
                        : cxm__table_csv(resp, &t,
                                         "attachment; filename=\"series.csv\"");
        } else {
            card_table_init(&t);
            rc = CXM_OK;
            for (size_t i = 0; !rc && i < nm; i++) {
                struct cxm_figure f = fig_or_null(&cards, row, ms[i]);
                rc = card_row(&t, ms[i], &f);
            }
            status = rc ? 500
                        : cxm__table_csv(resp, &t,
                                         "attachment; filename=\"cards.csv\"");
        }
        cxm__table_release(&t);
        cxm__report_put(req->ctx, cards.r);
        cxm__report_put(req->ctx, ser.r);
        return status;
    }
    rc = cxm__view_controls(b, v, path);
    if (!rc)
        rc = period_note(b, v);
    if (!rc)
        rc = cxm__html_raw(b, "<section class=\"cards\" id=\"cards\">");
    for (size_t i = 0; !rc && i < nm; i++) {
        struct cxm_figure f = fig_or_null(&cards, row, ms[i]);
        rc = card(b, v, ms[i], &f);
    }
    if (!rc)
        rc = cxm__html_raw(b, "</section><p class=\"note\"><a href=\"");
    if (!rc)
        rc = cxm__view_href(b, v, path, "format=csv&table=cards");
    if (!rc)
        rc = cxm__buf_addf(b, "\" download>Cards as CSV</a> · series by %s, "
                              "bands are 95 %% intervals</p><section "
                              "class=\"charts\">",
                           cxm_dim_name(grain));
    for (size_t i = 0; !rc && ser.r && i < ns; i++)
        rc = chart(b, v, path, &ser, series[i], ser.extra_at[0]);
    if (!rc)
        rc = cxm__html_raw(b, "</section>");
    cxm__report_put(req->ctx, cards.r);
    cxm__report_put(req->ctx, ser.r);
    return rc ? 500 : status;
}

int cxm__http_dash_overview(struct cxm__http_req *req,
                            struct cxm__http_resp *resp)
{
    static const cxm_metric series[] = {
        CXM_METRIC_CSAT, CXM_METRIC_NPS, CXM_METRIC_CES, CXM_METRIC_FCR,
        CXM_METRIC_BACKLOG, CXM_METRIC_ART, CXM_METRIC_SELFSERVICE_RATE};
    struct cxm__view v;
    int status = cxm__view_parse(req, resp, &v);

    if (status)
        return status;
    if (!cxm__want_csv(req) &&
        (cxm__page_begin(req, resp, "Overview", "/") ||
         cxm__dash_alert_banner(req, &v, &resp->body)))
        return 500;
    status = cards_and_charts(req, resp, &v, "/", card_metrics,
                              CXM_ARRAY_LEN(card_metrics), series,
                              CXM_ARRAY_LEN(series));
    if (status != 200 || cxm__want_csv(req))
        return status;
    return cxm__page_end(req, resp) ? 500 : 200;
}

/* ---- Breakdowns. */

static const cxm_metric bd_metrics[] = {
    CXM_METRIC_CSAT, CXM_METRIC_NPS, CXM_METRIC_CES, CXM_METRIC_FCR,
    CXM_METRIC_ART, CXM_METRIC_CREATED};

/* An inline SVG sparkline of the values (NaN: a gap), 100 × 24. */
static cxm_rc sparkline(struct cxm__buf *b, const double *vals, size_t n)
{
    double lo = INFINITY, hi = -INFINITY;
    bool pen = false;
    cxm_rc rc;

    for (size_t i = 0; i < n; i++) {
        if (!isnan(vals[i])) {
            lo = fmin(lo, vals[i]);
            hi = fmax(hi, vals[i]);
        }
    }
    if (n < 2 || lo > hi)
        return CXM_OK;
    if (hi - lo < 1e-9)
        hi = lo + 1;
    rc = cxm__html_raw(b, "<svg class=\"spark\" width=\"100\" height=\"24\" "
                          "viewBox=\"0 0 100 24\" role=\"img\" "
                          "aria-label=\"trend\"><path fill=\"none\" "
                          "stroke=\"#1d4ed8\" stroke-width=\"1.5\" d=\"");
    for (size_t i = 0; !rc && i < n; i++) {
        if (isnan(vals[i])) {
            pen = false;
            continue;
        }
        rc = cxm__buf_addf(b, "%c%.1f %.1f", pen ? 'L' : 'M',
                           100.0 * (double)i / (double)(n - 1),
                           22.0 - 20.0 * (vals[i] - lo) / (hi - lo));
        pen = true;
    }
    return rc ? rc : cxm__html_raw(b, "\"/></svg>");
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

struct keyed_row {
    const char *key;
    size_t row;
};

static int cmp_keyed(const void *x, const void *y)
{
    const struct keyed_row *a = x, *b = y;
    int c = strcmp(a->key, b->key);

    return c ? c : a->row < b->row ? -1 : a->row > b->row;
}

/* The CSAT series of each row of `main` (its value in slot main_at) from
 * the trend report `tr` (value in slot tr_dim, week in tr_week): one
 * NUL-terminated sparkline markup per row of main, in order, into out.
 * Rows are matched through sorted indexes: O(n log n) for many agents. */
static cxm_rc sparks_for(const struct vrep *main, size_t main_at,
                         const struct vrep *tr, size_t tr_dim,
                         size_t tr_week, struct cxm__buf *out)
{
    enum { MAX_WEEKS = 120 };
    size_t n_tr = cxm_report_n_rows(tr->r), nw = 0;
    const char **weeks = NULL;
    struct keyed_row *keyed = NULL;
    cxm_rc rc = CXM_OK;

    weeks = cxm__calloc(n_tr + 1, sizeof(*weeks));
    keyed = cxm__calloc(n_tr + 1, sizeof(*keyed));
    if (!weeks || !keyed)
        rc = CXM_ENOMEM;
    /* The distinct weeks, sorted. */
    for (size_t row = 0; !rc && row < n_tr; row++)
        weeks[row] = cxm_report_dim_value(tr->r, row, tr_week);
    if (!rc && n_tr) {
        qsort(weeks, n_tr, sizeof(*weeks), cmp_str);
        nw = 1;
        for (size_t i = 1; i < n_tr; i++) {
            if (strcmp(weeks[i], weeks[nw - 1]) != 0)
                weeks[nw++] = weeks[i];
        }
        if (nw > MAX_WEEKS) { /* the latest weeks */
            memmove(weeks, weeks + nw - MAX_WEEKS,
                    MAX_WEEKS * sizeof(*weeks));
            nw = MAX_WEEKS;
        }
    }
    /* The trend rows sorted by value, then row. */
    for (size_t row = 0; !rc && row < n_tr; row++)
        keyed[row] = (struct keyed_row){
            cxm_report_dim_value(tr->r, row, tr_dim), row};
    if (!rc && n_tr)
        qsort(keyed, n_tr, sizeof(*keyed), cmp_keyed);
    for (size_t row = 0; !rc && row < cxm_report_n_rows(main->r); row++) {
        double vals[MAX_WEEKS];
        const char *key = cxm_report_dim_value(main->r, row, main_at);
        size_t lo = 0, hi = n_tr;
        for (size_t i = 0; i < nw; i++)
            vals[i] = NAN;
        while (lo < hi) { /* the first trend row of `key` */
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(keyed[mid].key, key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < n_tr && strcmp(keyed[lo].key, key) == 0; lo++) {
            size_t r2 = keyed[lo].row;
            const char *w = cxm_report_dim_value(tr->r, r2, tr_week);
            const char **at;
            struct cxm_figure f;
            if (!vrep_match(tr, r2))
                continue;
            at = bsearch(&w, weeks, nw, sizeof(*weeks), cmp_str);
            f = vrep_fig(tr, r2, CXM_METRIC_CSAT);
            if (at && !f.is_null)
                vals[at - weeks] = f.value;
        }
        rc = sparkline(out, vals, nw);
        if (!rc)
            rc = cxm__buf_addc(out, '\0');
    }
    cxm__free(weeks);
    cxm__free(keyed);
    return rc;
}

/* Empirical-Bayes shrinkage of proportions (docs/dashboard.md, "Agent
 * ranking"): within a team, the agents' satisfied counts k_i of n_i are
 * beta-binomial with a Beta(m·p, m·(1 − p)) prior around the team's
 * pooled p; m is found by the method of moments from the spread of the
 * agents' proportions beyond what binomial noise explains. The shrunk
 * figure is (k_i + m·p) / (n_i + m). */
struct eb_agent {
    const char *agent, *team;
    int64_t k, n;
    double raw, shrunk, team_p, m;
};

/* A team's pooled proportion and its parts of the moment equation. */
static double eb_team_sums(const struct eb_agent *a, size_t n, double *ss,
                           double *noise, double *den)
{
    int64_t k = 0, tot = 0;
    double p, sum_n2 = 0;

    for (size_t i = 0; i < n; i++) {
        k += a[i].k;
        tot += a[i].n;
    }
    p = (double)k / (double)tot;
    for (size_t i = 0; i < n; i++) {
        double d = (double)a[i].k / (double)a[i].n - p;
        *ss += (double)a[i].n * d * d;
        sum_n2 += (double)a[i].n * (double)a[i].n;
    }
    *noise += (double)(n - 1) * p * (1 - p);
    *den += (double)tot - sum_n2 / (double)tot;
    return p;
}

/* Shrinks every agent of a[0..n) (sorted by team) toward their team:
 * one between-agent variance τ² for all teams (the moment equation summed
 * over teams, which a team of two agents alone could not estimate), each
 * team's own mean. */
static void eb_shrink(struct eb_agent *a, size_t n)
{
    double ss = 0, noise = 0, den = 0, tau2 = 0;
    size_t start = 0;

    for (size_t i = 1; i <= n; i++) {
        if (i == n || strcmp(a[i].team, a[start].team) != 0) {
            double p = eb_team_sums(a + start, i - start, &ss, &noise, &den);
            for (size_t j = start; j < i; j++)
                a[j].team_p = p;
            start = i;
        }
    }
    if (den > 0)
        tau2 = (ss - noise) / den;
    for (size_t i = 0; i < n; i++) {
        double p = a[i].team_p, m;
        if (p <= 0 || p >= 1 || tau2 <= 1e-9)
            m = 1e4; /* no spread beyond noise: (nearly) the team figure */
        else
            m = fmin(1e4, fmax(1.0, p * (1 - p) / tau2 - 1));
        a[i].m = m;
        a[i].shrunk = 100 * ((double)a[i].k + m * p) / ((double)a[i].n + m);
        a[i].team_p = 100 * p;
    }
}

static int cmp_team(const void *x, const void *y)
{
    const struct eb_agent *a = x, *b = y;
    int c = strcmp(a->team, b->team);

    return c ? c : strcmp(a->agent, b->agent);
}

static int cmp_shrunk(const void *x, const void *y)
{
    const struct eb_agent *a = x, *b = y;

    return a->shrunk < b->shrunk ? 1 : a->shrunk > b->shrunk ? -1
                                                             : cmp_team(x, y);
}

/* The plain URL (NUL-terminated) of a page of the view with one more
 * parameter name=value (value percent-encoded). */
static cxm_rc url_with(struct cxm__buf *b, const struct cxm__view *v,
                       const char *path, const char *name,
                       const char *value, const char *more)
{
    struct cxm__buf q = CXM__BUF_INIT(4096);
    cxm_rc rc = cxm__buf_addf(&q, "%s=", name);

    if (!rc)
        rc = cxm__url_encode(&q, value);
    if (!rc && more)
        rc = cxm__buf_addf(&q, "&%s", more);
    if (!rc)
        rc = cxm__buf_addc(&q, '\0');
    if (!rc)
        rc = cxm__view_url(b, v, path, q.data);
    if (!rc)
        rc = cxm__buf_addc(b, '\0');
    cxm__buf_release(&q);
    return rc;
}

static cxm_rc agent_url(struct cxm__buf *b, const struct cxm__view *v,
                        const char *agent)
{
    return url_with(b, v, "/agent", "id", agent, NULL);
}

static const char *const rank_cols[] = {
    "rank", "agent", "team", "answers", "CSAT (raw)", "CSAT (shrunk)",
    "team CSAT", "prior strength m"};

static cxm_rc ranking(struct cxm__http_req *req, const struct cxm__view *v,
                      struct cxm__table *t)
{
    static const cxm_dim by[] = {CXM_BY_AGENT, CXM_BY_TEAM};
    static const cxm_metric csat = CXM_METRIC_CSAT;
    struct vrep vr;
    struct eb_agent *a = NULL;
    size_t n = 0, cap = 0;
    cxm_rc rc = vrep_run(req, v, &csat, 1, by, 2, false, &vr);

    cxm__table_init(t, CXM_ARRAY_LEN(rank_cols), rank_cols);
    t->numeric[0] = t->numeric[3] = t->numeric[4] = t->numeric[5] = true;
    t->numeric[6] = t->numeric[7] = true;
    if (rc) {
        cxm__report_put(req->ctx, vr.r);
        return rc == CXM_EUSAGE ? CXM_OK : rc;
    }
    for (size_t row = 0; !rc && row < cxm_report_n_rows(vr.r); row++) {
        struct cxm_figure f = vrep_fig(&vr, row, CXM_METRIC_CSAT);
        if (!vrep_match(&vr, row) || f.is_null || f.n <= 0)
            continue;
        rc = cxm__grow((void **)&a, &cap, n + 1, sizeof(*a));
        if (rc)
            break;
        a[n].agent = cxm_report_dim_value(vr.r, row, vr.extra_at[0]);
        a[n].team = cxm_report_dim_value(vr.r, row, vr.extra_at[1]);
        a[n].n = f.n;
        a[n].k = (int64_t)llround(f.value * (double)f.n / 100.0);
        a[n].raw = f.value;
        n++;
    }
    if (!rc && n) {
        qsort(a, n, sizeof(*a), cmp_team);
        eb_shrink(a, n);
        qsort(a, n, sizeof(*a), cmp_shrunk);
    }
    for (size_t i = 0; !rc && i < n; i++) {
        struct cxm__buf href = CXM__BUF_INIT(4096);
        rc = agent_url(&href, v, a[i].agent);
        if (!rc)
            rc = cxm__table_cellf(t, NULL, "%zu", i + 1);
        if (!rc)
            rc = cxm__table_cell(t, a[i].agent, href.data, NULL);
        if (!rc)
            rc = cxm__table_cell(t, a[i].team, NULL, NULL);
        if (!rc)
            rc = cxm__table_cellf(t, NULL, "%lld", (long long)a[i].n);
        if (!rc)
            rc = cxm__table_cellf(t, NULL, "%.1f", a[i].raw);
        if (!rc)
            rc = cxm__table_cellf(t, NULL, "%.1f", a[i].shrunk);
        if (!rc)
            rc = cxm__table_cellf(t, NULL, "%.1f", a[i].team_p);
        if (!rc)
            rc = cxm__table_cellf(t, NULL, "%.0f", a[i].m);
        cxm__buf_release(&href);
    }
    cxm__free(a);
    cxm__report_put(req->ctx, vr.r);
    return rc;
}

static const struct {
    const char *name;
    cxm_dim dim;
} bd_dims[] = {{"agent", CXM_BY_AGENT},
               {"team", CXM_BY_TEAM},
               {"channel", CXM_BY_CHANNEL},
               {"language", CXM_BY_LANGUAGE},
               {"topic", CXM_BY_TOPIC}};

/* The view's filter parameter of a breakdown dimension, or NULL (topic
 * is no filter of the view: drill-downs name it themselves). */
static const char *filter_param(cxm_dim d)
{
    for (size_t i = 0; i < CXM__VIEW_FILTERS; i++) {
        if (filter_dims[i] == d)
            return cxm__view_filter_names[i];
    }
    return NULL;
}

/* The breakdown table by dimension slot `at` of vr, with sparklines. */
static cxm_rc breakdown_table(const struct cxm__view *v, const char *dname,
                              cxm_dim dim, const struct vrep *vr, size_t at,
                              const struct cxm__buf *sparks,
                              struct cxm__table *t)
{
    static const char *const cols[] = {
        "value", "CSAT", "CSAT n", "NPS", "CES", "FCR",
        "median resolution (h)", "created"};
    size_t si = 0;
    cxm_rc rc = CXM_OK;
    const char *fp = filter_param(dim);

    cxm__table_init(t, CXM_ARRAY_LEN(cols), cols);
    for (size_t i = 1; i < CXM_ARRAY_LEN(cols); i++)
        t->numeric[i] = true;
    for (size_t row = 0; !rc && row < cxm_report_n_rows(vr->r); row++) {
        const char *key = cxm_report_dim_value(vr->r, row, at);
        const char *spark = "";
        struct cxm__buf link = CXM__BUF_INIT(8192);
        if (sparks && sparks->data) {
            spark = sparks->data + si;
            si += strlen(spark) + 1;
        }
        if (!vrep_match(vr, row))
            continue;
        /* The value links to the view filtered by it, or to its agent's
         * page; topic drills to its tickets. */
        if (dim == CXM_BY_AGENT)
            rc = agent_url(&link, v, key);
        else if (fp)
            rc = url_with(&link, v, "/", fp, key, NULL);
        else
            rc = url_with(&link, v, "/drill", dname, key, "metric=created");
        if (!rc)
            rc = cxm__table_cell(t, *key ? key : "(none)", link.data, spark);
        for (size_t i = 0; !rc && i < CXM_ARRAY_LEN(bd_metrics); i++) {
            struct cxm_figure f = vrep_fig(vr, row, bd_metrics[i]);
            struct cxm__buf dl = CXM__BUF_INIT(8192);
            char more[64];
            if (f.is_null || f.value_is_null) {
                rc = cxm__table_cell(t, "", NULL, NULL);
                if (!rc && i == 0)
                    rc = cxm__table_cell(t, "", NULL, NULL);
                continue;
            }
            snprintf(more, sizeof(more), "metric=%s",
                     cxm_metric_name(bd_metrics[i]));
            rc = url_with(&dl, v, "/drill", dname, key, more);
            if (!rc && bd_metrics[i] == CXM_METRIC_ART)
                rc = cxm__table_cellf(t, dl.data, "%.1f",
                                      f.has_quantiles ? f.median / 3600
                                                      : f.value / 3600);
            else if (!rc && bd_metrics[i] == CXM_METRIC_CREATED)
                rc = cxm__table_cellf(t, dl.data, "%.0f", f.value);
            else if (!rc)
                rc = cxm__table_cellf(t, dl.data, "%.*f",
                                      decimals_of(bd_metrics[i]), f.value);
            if (!rc && i == 0)
                rc = cxm__table_cellf(t, NULL, "%lld%s", (long long)f.n,
                                      f.has_low_n && f.low_n ? " (low n)"
                                                             : "");
            cxm__buf_release(&dl);
        }
        cxm__buf_release(&link);
    }
    return rc;
}

int cxm__http_dash_breakdown(struct cxm__http_req *req,
                             struct cxm__http_resp *resp)
{
    struct cxm__view v;
    struct vrep vr, tr;
    struct cxm__table t, rank;
    struct cxm__buf sparks = CXM__BUF_INIT(16u << 20);
    struct cxm__buf *b = &resp->body;
    const char *dname = req->arg(req, "dim");
    const char *table = req->arg(req, "table");
    cxm_dim dim = CXM_BY_AGENT, pair[2];
    cxm_metric csat = CXM_METRIC_CSAT;
    int status = cxm__view_parse(req, resp, &v);
    bool known = false;
    cxm_rc rc;

    if (status)
        return status;
    if (!dname)
        dname = "agent";
    for (size_t i = 0; i < CXM_ARRAY_LEN(bd_dims); i++) {
        if (strcmp(dname, bd_dims[i].name) == 0) {
            dim = bd_dims[i].dim;
            dname = bd_dims[i].name;
            known = true;
        }
    }
    if (!known)
        return cxm__page_message(req, resp, 400, "No such breakdown",
                                 "A breakdown is by agent, team, channel, "
                                 "language or topic.");
    if (vrep_run(req, &v, bd_metrics, CXM_ARRAY_LEN(bd_metrics), &dim, 1,
                 false, &vr)) {
        status = report_failed(req, resp, &vr);
        cxm__report_put(req->ctx, vr.r);
        return status;
    }
    pair[0] = dim;
    pair[1] = CXM_BY_WEEK;
    rc = vrep_run(req, &v, &csat, 1, pair, 2, false, &tr);
    if (!rc)
        rc = sparks_for(&vr, vr.extra_at[0], &tr, tr.extra_at[0],
                        tr.extra_at[1], &sparks);
    else if (rc == CXM_EUSAGE)
        rc = CXM_OK;
    cxm__report_put(req->ctx, tr.r);
    if (!rc)
        rc = breakdown_table(&v, dname, dim, &vr, vr.extra_at[0],
                             sparks.len ? &sparks : NULL, &t);
    memset(&rank, 0, sizeof(rank));
    if (!rc && dim == CXM_BY_AGENT)
        rc = ranking(req, &v, &rank);
    cxm__report_put(req->ctx, vr.r);
    cxm__buf_release(&sparks);
    if (rc) {
        cxm__table_release(&t);
        cxm__table_release(&rank);
        return cxm__page_message(req, resp, 503, "Please try again",
                                 "The store failed.");
    }
    if (cxm__want_csv(req)) {
        status = table && strcmp(table, "ranking") == 0 && dim == CXM_BY_AGENT
                     ? cxm__table_csv(resp, &rank,
                                      "attachment; filename=\"ranking.csv\"")
                     : cxm__table_csv(resp, &t,
                                      "attachment; filename=\"breakdown.csv\"");
        cxm__table_release(&t);
        cxm__table_release(&rank);
        return status;
    }
    rc = cxm__page_begin(req, resp, "Breakdowns", "/breakdown");
    if (!rc)
        rc = cxm__view_controls(b, &v, "/breakdown");
    if (!rc)
        rc = period_note(b, &v);
    if (!rc)
        rc = cxm__html_raw(b, "<nav class=\"tabs\">By ");
    for (size_t i = 0; !rc && i < CXM_ARRAY_LEN(bd_dims); i++) {
        char q[32];
        snprintf(q, sizeof(q), "dim=%s", bd_dims[i].name);
        rc = cxm__buf_addf(b, "%s<a href=\"", i ? " · " : "");
        if (!rc)
            rc = cxm__view_href(b, &v, "/breakdown", q);
        if (!rc)
            rc = cxm__buf_addf(b, "\"%s>%s</a>",
                               bd_dims[i].dim == dim
                                   ? " aria-current=\"page\""
                                   : "",
                               bd_dims[i].name);
    }
    if (!rc)
        rc = cxm__html_raw(b, "</nav>");
    if (!rc) {
        struct cxm__buf csv = CXM__BUF_INIT(8192);
        char q[64], cap[64];
        snprintf(q, sizeof(q), "dim=%s&format=csv&table=breakdown", dname);
        snprintf(cap, sizeof(cap), "By %s (trend: weekly CSAT)", dname);
        rc = cxm__view_url(&csv, &v, "/breakdown", q);
        if (!rc)
            rc = cxm__buf_addc(&csv, '\0');
        if (!rc)
            rc = cxm__table_html(b, &t, "breakdown", cap, csv.data);
        cxm__buf_release(&csv);
    }
    if (!rc && dim == CXM_BY_AGENT) {
        struct cxm__buf csv = CXM__BUF_INIT(8192);
        rc = cxm__view_url(&csv, &v, "/breakdown",
                           "dim=agent&format=csv&table=ranking");
        if (!rc)
            rc = cxm__buf_addc(&csv, '\0');
        if (!rc)
            rc = cxm__table_html(b, &rank, "ranking",
                                 "Agent ranking by CSAT, shrunk toward the "
                                 "team (empirical Bayes)",
                                 csv.data);
        if (!rc)
            rc = cxm__html_raw(
                b, "<p class=\"note\">The shrunk figure is (k + m·p) / "
                   "(n + m): an agent's satisfied answers k of n pulled "
                   "toward the team's CSAT p with a beta-binomial prior of "
                   "strength m estimated from the spread between the "
                   "team's agents (docs/dashboard.md). One answer cannot "
                   "top or sink the ranking; the raw figure stays beside "
                   "it.</p>");
        cxm__buf_release(&csv);
    }
    if (!rc)
        rc = cxm__page_end(req, resp);
    cxm__table_release(&t);
    cxm__table_release(&rank);
    return rc ? 500 : 200;
}

/* ---- Drill-down. */

struct drill_ctx {
    struct cxm__table *t;
    int64_t rows;
};

static void fmt_time(int64_t ms, char *out, size_t cap)
{
    cxm_time_format(ms - ms % 1000, out, cap);
}

static cxm_rc drill_answer_row(const struct cxm__drill_answer *a, void *ud)
{
    struct drill_ctx *c = ud;
    struct cxm__table *t = c->t;
    char at[40];
    cxm_rc rc;

    fmt_time(a->responded_at, at, sizeof(at));
    rc = cxm__table_cell(t, at, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, a->survey, NULL, NULL);
    if (!rc)
        rc = a->has_score ? cxm__table_cellf(t, NULL, "%d", a->score)
                          : cxm__table_cell(t, "", NULL, NULL);
    if (!rc)
        rc = a->has_score ? cxm__table_cellf(t, NULL, "%d-%d", a->scale_min,
                                             a->scale_max)
                          : cxm__table_cell(t, "", NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, a->agent_id, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, a->team, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, a->channel, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, a->language, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, a->topic, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, a->ticket_id, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, a->response_id, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, a->comment, NULL, NULL);
    c->rows++;
    return rc;
}

static const char *const answer_cols[] = {
    "responded_at", "survey", "score", "scale", "agent", "team",
    "channel", "language", "topic", "ticket", "response", "comment"};

static cxm_rc drill_ticket_row(const struct cxm__ticket_row *tk, void *ud)
{
    struct drill_ctx *c = ud;
    struct cxm__table *t = c->t;
    char at[40];
    cxm_rc rc;

    fmt_time(tk->created_at, at, sizeof(at));
    rc = cxm__table_cell(t, tk->ticket_id, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, at, NULL, NULL);
    if (tk->has_resolved)
        fmt_time(tk->resolved_at, at, sizeof(at));
    if (!rc)
        rc = cxm__table_cell(t, tk->has_resolved ? at : "", NULL, NULL);
    if (!rc)
        rc = tk->has_resolved
                 ? cxm__table_cellf(t, NULL, "%.2f",
                                    (double)(tk->resolved_at -
                                             tk->created_at) /
                                        3600000.0)
                 : cxm__table_cell(t, "", NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, tk->agent_id, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, tk->team, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, tk->channel, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, tk->topic, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, tk->status, NULL, NULL);
    if (!rc)
        rc = tk->has_contacts
                 ? cxm__table_cellf(t, NULL, "%lld", (long long)tk->contacts)
                 : cxm__table_cell(t, "", NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, tk->reopened == 1   ? "yes"
                                : tk->reopened == 0 ? "no"
                                                    : "",
                             NULL, NULL);
    c->rows++;
    return rc;
}

static const char *const ticket_cols[] = {
    "ticket", "created_at", "resolved_at", "hours to resolve", "agent",
    "team", "channel", "topic", "status", "contacts", "reopened"};

/* Which records a metric's drill-down lists. */
enum drill_kind { DRILL_ANSWERS, DRILL_CREATED, DRILL_RESOLVED, DRILL_OPEN };

static enum drill_kind drill_kind_of(cxm_metric m, const char **survey)
{
    *survey = NULL;
    switch (m) {
    case CXM_METRIC_CSAT:
    case CXM_METRIC_CSAT_MEAN:
        *survey = "csat";
        return DRILL_ANSWERS;
    case CXM_METRIC_NPS:
        *survey = "nps";
        return DRILL_ANSWERS;
    case CXM_METRIC_CES:
    case CXM_METRIC_CES_AGREE:
        *survey = "ces";
        return DRILL_ANSWERS;
    case CXM_METRIC_FCR:
    case CXM_METRIC_ART:
    case CXM_METRIC_RESOLVED:
    case CXM_METRIC_AGENT_PRODUCTIVITY:
        return DRILL_RESOLVED;
    case CXM_METRIC_BACKLOG:
        return DRILL_OPEN;
    default:
        return DRILL_CREATED;
    }
}

/* The answers or tickets of a drill-down `q` into a table. */
static cxm_rc drill_table(struct cxm__http_req *req, struct cxm__drill *q,
                          bool answers, struct cxm__table *t,
                          int64_t *rows)
{
    struct drill_ctx c = {t, 0};
    cxm_rc rc;

    if (answers)
        cxm__table_init(t, CXM_ARRAY_LEN(answer_cols), answer_cols);
    else
        cxm__table_init(t, CXM_ARRAY_LEN(ticket_cols), ticket_cols);
    t->cols[0] = answers ? answer_cols[0] : ticket_cols[0];
    if (answers)
        t->numeric[2] = true;
    else
        t->numeric[3] = t->numeric[9] = true;
    pthread_mutex_lock(req->ctx->rlock);
    rc = answers ? cxm__store_drill_answers(req->ctx->rst, q,
                                            drill_answer_row, &c)
                 : cxm__store_drill_tickets(req->ctx->rst, q,
                                            drill_ticket_row, &c);
    pthread_mutex_unlock(req->ctx->rlock);
    *rows = c.rows;
    return rc;
}

int cxm__http_dash_drill(struct cxm__http_req *req,
                         struct cxm__http_resp *resp)
{
    struct cxm__view v;
    struct cxm__drill q;
    struct cxm__table t;
    struct cxm__buf *b = &resp->body;
    const char *mname = req->arg(req, "metric");
    const char *score = req->arg(req, "score");
    const char *off = req->arg(req, "offset");
    const char *survey;
    char score_text[32];
    cxm_metric m = CXM_METRIC_CSAT;
    enum drill_kind kind;
    int64_t rows = 0, offset = 0;
    int status = cxm__view_parse(req, resp, &v);
    cxm_rc rc;

    if (status)
        return status;
    if (mname && cxm_metric_parse(mname, &m))
        return cxm__page_message(req, resp, 400, "No such metric",
                                 "The drill-down names a metric of the "
                                 "report (csat, nps, fcr, …).");
    kind = drill_kind_of(m, &survey);
    memset(&q, 0, sizeof(q));
    q.from = v.from_ms;
    q.to = v.to_ms;
    q.agent = v.filter[0];
    q.team = v.filter[1];
    q.channel = v.filter[2];
    q.language = v.filter[3];
    q.survey = v.filter[4] ? v.filter[4] : survey;
    q.topic = req->arg(req, "topic");
    if (q.topic && !*q.topic)
        q.topic = NULL;
    q.by_resolved = kind == DRILL_RESOLVED;
    q.open_at_to = kind == DRILL_OPEN;
    if (score && *score) {
        int lo, hi;
        char tail;
        int got = sscanf(score, "%d-%d%c", &lo, &hi, &tail);
        char digits[32];
        if (got == 1)
            hi = lo;
        if (got == 1)
            snprintf(digits, sizeof(digits), "%d", lo);
        else
            snprintf(digits, sizeof(digits), "%d-%d", lo, hi);
        if ((got != 1 && got != 2) || lo > hi || strcmp(digits, score) != 0)
            return cxm__page_message(req, resp, 400, "Bad score range",
                                     "A score range is N or LO-HI.");
        q.has_score = true;
        q.score_lo = lo;
        q.score_hi = hi;
        /* Links carry the range as parsed, never the text as given. */
        snprintf(score_text, sizeof(score_text), "%d-%d", lo, hi);
        score = score_text;
    }
    if (off && (cxm__parse_i64(off, strlen(off), &offset) || offset < 0 ||
                offset > 100000000))
        offset = 0;
    q.offset = offset;
    q.limit = cxm__want_csv(req) ? 100000 : CXM_HTTP_DRILL_ROWS;
    rc = drill_table(req, &q, kind == DRILL_ANSWERS, &t, &rows);
    if (rc) {
        cxm__table_release(&t);
        return cxm__page_message(req, resp, 503, "Please try again",
                                 "The store failed.");
    }
    if (cxm__want_csv(req)) {
        status = cxm__table_csv(resp, &t,
                                "attachment; filename=\"drill.csv\"");
        cxm__table_release(&t);
        return status;
    }
    rc = cxm__page_begin(req, resp, "Behind the figure", NULL);
    if (!rc)
        rc = cxm__view_controls(b, &v, "/drill");
    if (!rc)
        rc = period_note(b, &v);
    if (!rc)
        rc = cxm__buf_addf(b, "<p class=\"note\" id=\"drill-what\">%s of "
                              "%s%s",
                           kind == DRILL_ANSWERS    ? "Answers"
                           : kind == DRILL_RESOLVED ? "Tickets resolved"
                           : kind == DRILL_OPEN     ? "Tickets open at the "
                                                      "period's end"
                                                    : "Tickets created",
                           metric_label(m),
                           q.has_score ? ", scores " : "");
    if (!rc && q.has_score)
        rc = cxm__buf_addf(b, "%d–%d", q.score_lo, q.score_hi);
    if (!rc && q.topic) {
        rc = cxm__html_raw(b, ", topic ");
        if (!rc)
            rc = cxm__html_str(b, q.topic);
    }
    if (!rc && kind == DRILL_ANSWERS) {
        /* Quick links: the low and the high scores. */
        static const char *const ranges[][2] = {
            {"csat", "1-3"}, {"nps", "0-6"}, {"ces", "1-4"}};
        for (size_t i = 0; !rc && i < CXM_ARRAY_LEN(ranges); i++) {
            char extra[96];
            if (!survey || strcmp(survey, ranges[i][0]) != 0)
                continue;
            snprintf(extra, sizeof(extra), "metric=%s&score=%s",
                     cxm_metric_name(m), ranges[i][1]);
            rc = cxm__html_raw(b, " · <a id=\"low-scores\" href=\"");
            if (!rc)
                rc = cxm__view_href(b, &v, "/drill", extra);
            if (!rc)
                rc = cxm__buf_addf(b, "\">only scores %s</a>", ranges[i][1]);
        }
    }
    if (!rc)
        rc = cxm__buf_addf(b, ". Rows %lld to %lld, newest first.</p>",
                           (long long)(offset + (rows ? 1 : 0)),
                           (long long)(offset + rows));
    if (!rc) {
        struct cxm__buf csv = CXM__BUF_INIT(8192);
        char extra[160];
        snprintf(extra, sizeof(extra), "metric=%s%s%s&format=csv",
                 cxm_metric_name(m), q.has_score ? "&score=" : "",
                 q.has_score ? score : "");
        rc = q.topic ? url_with(&csv, &v, "/drill", "topic", q.topic, extra)
                     : cxm__view_url(&csv, &v, "/drill", extra);
        if (!rc && !q.topic)
            rc = cxm__buf_addc(&csv, '\0');
        if (!rc)
            rc = cxm__table_html(b, &t, "drill",
                                 kind == DRILL_ANSWERS ? "Answers"
                                                       : "Tickets",
                                 csv.data);
        cxm__buf_release(&csv);
    }
    if (!rc && rows == CXM_HTTP_DRILL_ROWS) {
        char extra[200];
        snprintf(extra, sizeof(extra), "metric=%s%s%s&offset=%lld",
                 cxm_metric_name(m), q.has_score ? "&score=" : "",
                 q.has_score ? score : "",
                 (long long)(offset + CXM_HTTP_DRILL_ROWS));
        rc = cxm__html_raw(b, "<p><a rel=\"next\" href=\"");
        if (!rc)
            rc = cxm__view_href(b, &v, "/drill", extra);
        if (!rc)
            rc = cxm__html_raw(b, "\">More</a></p>");
    }
    if (!rc)
        rc = cxm__page_end(req, resp);
    cxm__table_release(&t);
    return rc ? 500 : 200;
}

/* ---- An agent's page. */

/* The agent's comments as a table into b: the piece rendered last time
 * while the store has not changed (the report cache's), else read. The
 * key is the table's CSV link, which names the view and the agent, and
 * the period's instants. */
static cxm_rc agent_comments(struct cxm__http_req *req,
                             const struct cxm__view *v,
                             struct cxm__drill *q, const char *id,
                             struct cxm__buf *b)
{
    struct cxm__buf csv = CXM__BUF_INIT(8192), key = CXM__BUF_INIT(8192);
    struct cxm__fragment_state fs;
    struct cxm__table t;
    size_t at = b->len;
    int64_t rows = 0;
    cxm_rc rc = url_with(&csv, v, "/agent", "id", id,
                         "format=csv&table=comments");

    if (!rc)
        rc = cxm__buf_addf(&key, "comments %lld %lld %s", (long long)q->from,
                           (long long)q->to, csv.data);
    if (!rc && cxm__fragment_find(req->ctx, key.data, &fs, b)) {
        cxm__buf_release(&csv);
        cxm__buf_release(&key);
        return CXM_OK;
    }
    if (!rc) {
        rc = drill_table(req, q, true, &t, &rows);
        if (!rc)
            rc = cxm__table_html(b, &t, "comments",
                                 "Their customers' comments (newest 50)",
                                 csv.data);
        if (!rc)
            cxm__fragment_keep(req->ctx, key.data, &fs, b->data + at,
                               b->len - at);
        cxm__table_release(&t);
    }
    cxm__buf_release(&csv);
    cxm__buf_release(&key);
    return rc;
}

int cxm__http_dash_agent(struct cxm__http_req *req,
                         struct cxm__http_resp *resp)
{
    static const cxm_metric ms[] = {
        CXM_METRIC_CSAT, CXM_METRIC_NPS, CXM_METRIC_CES, CXM_METRIC_FCR,
        CXM_METRIC_ART, CXM_METRIC_AGENT_PRODUCTIVITY, CXM_METRIC_QA_SCORE};
    static const cxm_metric series[] = {CXM_METRIC_CSAT, CXM_METRIC_FCR,
                                        CXM_METRIC_ART};
    struct cxm__view v;
    struct cxm__drill q;
    struct cxm__table t;
    struct cxm__buf *b = &resp->body;
    const char *id = req->arg(req, "id");
    const char *table = req->arg(req, "table");
    char title[128];
    int64_t rows = 0;
    int status = cxm__view_parse(req, resp, &v);
    cxm_rc rc;

    if (status)
        return status;
    if (!id || !*id)
        id = v.filter[0]; /* the view's own links name agent= */
    if (!id || !*id)
        return cxm__page_message(req, resp, 400, "Which agent?",
                                 "An agent's page takes ?id=AGENT.");
    v.filter[0] = id; /* the agent's figures: the view filtered by them */
    v.any_filter = true;
    memset(&q, 0, sizeof(q));
    q.from = v.from_ms;
    q.to = v.to_ms;
    q.agent = id;
    q.team = v.filter[1];
    q.channel = v.filter[2];
    q.language = v.filter[3];
    q.survey = v.filter[4];
    q.comments_only = true;
    q.limit = cxm__want_csv(req) ? 100000 : 50;
    if (cxm__want_csv(req) && table && strcmp(table, "comments") == 0) {
        rc = drill_table(req, &q, true, &t, &rows);
        status = rc ? 503
                    : cxm__table_csv(resp, &t,
                                     "attachment; filename=\"comments.csv\"");
        cxm__table_release(&t);
        return status;
    }
    snprintf(title, sizeof(title), "Agent %s", id);
    if (!cxm__want_csv(req) && cxm__page_begin(req, resp, title, NULL))
        return 500;
    status = cards_and_charts(req, resp, &v, "/agent", ms,
                              CXM_ARRAY_LEN(ms), series,
                              CXM_ARRAY_LEN(series));
    if (status != 200 || cxm__want_csv(req))
        return status;
    rc = agent_comments(req, &v, &q, id, b);
    if (!rc)
        rc = cxm__page_end(req, resp);
    return rc ? 500 : 200;
}
