/* SPDX-License-Identifier: MIT
 *
 * dash.c — the dashboard's page framework (docs/dashboard.md): the view
 * of a page (period, time zone and filters, all in the query so that a
 * view can be bookmarked), links that keep it, the controls that change
 * it, the page's layout and navigation, tables written as HTML or as CSV
 * (formula-escaped), and the embedded assets (uPlot from web/, built in
 * by CMake, and the dashboard's own script and style; no CDN).
 *
 * Every value reaches a page through the HTML writer (html.c).
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "http_int.h"
#include "invite.h"
#include "report_int.h"
#include "store_int.h"
#include "tz.h"

const char *const cxm__view_filter_names[CXM__VIEW_FILTERS] = {
    "agent", "team", "channel", "language", "survey"};

/* The navigation: one line per page (a new page adds its line). */
static const struct {
    const char *path, *label;
} nav[] = {
    {"/", "Overview"},
    {"/breakdown", "Breakdowns"},
    {"/alerts", "Alerts"},
    {"/comments", "Comments"},
};

/* ---- The view. */

static void date_of_local(int64_t local_ms, char *out, size_t cap)
{
    int64_t y;
    int m, d;
    int64_t days = local_ms >= 0 ? local_ms / 86400000
                                 : -((-local_ms + 86399999) / 86400000);

    cxm__civil_from_days(days, &y, &m, &d);
    snprintf(out, cap, "%04lld-%02d-%02d", (long long)y, m, d);
}

/* A date YYYY-MM-DD as local ms at its midnight; false when malformed. */
static bool local_of_date(const char *s, int64_t *out)
{
    int64_t y, mo, d;

    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
        cxm__parse_i64(s, 4, &y) || cxm__parse_i64(s + 5, 2, &mo) ||
        cxm__parse_i64(s + 8, 2, &d) || y < 1970 || y > 9999 || mo < 1 ||
        mo > 12 || d < 1 || d > 31)
        return false;
    *out = cxm__days_from_civil(y, (int)mo, (int)d) * 86400000;
    return true;
}

static int bad_view(struct cxm__http_req *req, struct cxm__http_resp *resp,
                    const char *why)
{
    return cxm__page_message(req, resp, 400, "This view cannot be shown",
                             why);
}

int cxm__view_parse(struct cxm__http_req *req, struct cxm__http_resp *resp,
                    struct cxm__view *v)
{
    static const struct {
        const char *name;
        int days;
    } presets[] = {{"7d", 7}, {"28d", 28}, {"90d", 90}, {"365d", 365}};
    struct cxm__tz *tz = NULL;
    const char *p = req->arg(req, "period");
    const char *z = req->arg(req, "tz");
    bool found = false;
    int64_t min = 0, max = 0, end_local, from_local, to_local;
    int days = 28;
    cxm_rc rc;

    memset(v, 0, sizeof(*v));
    snprintf(v->tz, sizeof(v->tz), "%s", z && *z ? z : "UTC");
    if (strlen(v->tz) != strlen(z && *z ? z : "UTC") ||
        cxm__tz_load(v->tz, NULL, &tz))
        return bad_view(req, resp, "The time zone is not one of the system "
                                   "tz database (e.g. Europe/Helsinki).");
    for (size_t i = 0; i < CXM__VIEW_FILTERS; i++) {
        const char *f = req->arg(req, cxm__view_filter_names[i]);
        v->filter[i] = f && *f ? f : NULL;
        v->any_filter |= v->filter[i] != NULL;
    }
    pthread_mutex_lock(req->ctx->rlock);
    rc = cxm__store_time_range(req->ctx->rst, &found, &min, &max);
    pthread_mutex_unlock(req->ctx->rlock);
    if (rc) {
        cxm__tz_free(tz);
        return cxm__page_message(req, resp, 503, "Please try again",
                                 "The store failed.");
    }
    if (!found)
        min = max = req->now;
    v->data_end_ms = max + 1000;
    /* The default end: the day after the latest event, in the zone. */
    end_local = cxm__tz_to_local(tz, v->data_end_ms - 1);
    end_local = end_local - ((end_local % 86400000) + 86400000) % 86400000 +
                86400000;
    snprintf(v->period, sizeof(v->period), "%s", p && *p ? p : "28d");
    if ((!p || !*p) && (req->arg(req, "from") || req->arg(req, "to")))
        snprintf(v->period, sizeof(v->period), "custom");
    if (strcmp(v->period, "custom") == 0) {
        const char *f = req->arg(req, "from"), *t = req->arg(req, "to");
        to_local = end_local;
        if ((t && *t && !local_of_date(t, &to_local)) ||
            (f && *f && !local_of_date(f, &from_local))) {
            cxm__tz_free(tz);
            return bad_view(req, resp, "From and to are dates, YYYY-MM-DD.");
        }
        if (!f || !*f)
            from_local = to_local - 28 * (int64_t)86400000;
        if (from_local >= to_local) {
            cxm__tz_free(tz);
            return bad_view(req, resp, "From must be before to.");
        }
    } else if (strcmp(v->period, "all") == 0) {
        int64_t start = cxm__tz_to_local(tz, min);
        from_local = start - ((start % 86400000) + 86400000) % 86400000;
        to_local = end_local;
    } else {
        bool known = false;
        for (size_t i = 0; i < CXM_ARRAY_LEN(presets); i++) {
            if (strcmp(v->period, presets[i].name) == 0) {
                days = presets[i].days;
                known = true;
            }
        }
        if (!known) {
            cxm__tz_free(tz);
            return bad_view(req, resp, "The period is one of 7d, 28d, 90d, "
                                       "365d, all or custom.");
        }
        to_local = end_local;
        from_local = to_local - days * (int64_t)86400000;
    }
    date_of_local(from_local, v->from, sizeof(v->from));
    date_of_local(to_local, v->to, sizeof(v->to));
    v->from_ms = cxm__tz_from_local(tz, from_local);
    v->to_ms = cxm__tz_from_local(tz, to_local);
    cxm__tz_free(tz);
    return 0;
}

cxm_rc cxm__url_encode(struct cxm__buf *b, const char *s)
{
    static const char hexd[] = "0123456789ABCDEF";
    cxm_rc rc = CXM_OK;

    for (; !rc && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            cxm__is_digit(c) || c == '-' || c == '_' || c == '.' ||
            c == '~' || c == '/')
            rc = cxm__buf_addc(b, (char)c);
        else
            rc = cxm__buf_addf(b, "%%%c%c", hexd[c >> 4], hexd[c & 15]);
    }
    return rc;
}

/* The view's query (without '?'), URL-encoded, into q. */
static cxm_rc view_query(struct cxm__buf *q, const struct cxm__view *v,
                         const char *extra)
{
    cxm_rc rc = cxm__buf_adds(q, "period=");

    if (!rc)
        rc = cxm__url_encode(q, v->period);
    if (!rc && strcmp(v->period, "custom") == 0)
        rc = cxm__buf_addf(q, "&from=%s&to=%s", v->from, v->to);
    if (!rc && strcmp(v->tz, "UTC") != 0) {
        rc = cxm__buf_adds(q, "&tz=");
        if (!rc)
            rc = cxm__url_encode(q, v->tz);
    }
    for (size_t i = 0; !rc && i < CXM__VIEW_FILTERS; i++) {
        if (!v->filter[i])
            continue;
        rc = cxm__buf_addf(q, "&%s=", cxm__view_filter_names[i]);
        if (!rc)
            rc = cxm__url_encode(q, v->filter[i]);
    }
    if (!rc && extra && *extra)
        rc = cxm__buf_addf(q, "&%s", extra);
    return rc;
}

cxm_rc cxm__view_url(struct cxm__buf *b, const struct cxm__view *v,
                     const char *path, const char *extra)
{
    cxm_rc rc = cxm__buf_adds(b, path);

    if (!rc)
        rc = cxm__buf_addc(b, '?');
    return rc ? rc : view_query(b, v, extra);
}

cxm_rc cxm__view_href(struct cxm__buf *b, const struct cxm__view *v,
                      const char *path, const char *extra)
{
    struct cxm__buf u = CXM__BUF_INIT(16384);
    cxm_rc rc = cxm__view_url(&u, v, path, extra);

    if (!rc)
        rc = cxm__html_text(b, u.data ? u.data : "", u.len);
    cxm__buf_release(&u);
    return rc;
}

/* <label>…<input name value></label> */
static cxm_rc text_input(struct cxm__buf *b, const char *label,
                         const char *name, const char *value,
                         const char *type)
{
    cxm_rc rc = cxm__buf_addf(b, "<label>%s <input name=\"%s\" type=\"%s\" "
                                 "value=\"",
                              label, name, type);

    if (!rc)
        rc = cxm__html_str(b, value ? value : "");
    return rc ? rc : cxm__html_raw(b, "\"></label>");
}

cxm_rc cxm__view_controls(struct cxm__buf *b, const struct cxm__view *v,
                          const char *path)
{
    static const char *const periods[][2] = {
        {"7d", "Last 7 days"},   {"28d", "Last 28 days"},
        {"90d", "Last 90 days"}, {"365d", "Last 365 days"},
        {"all", "All data"},     {"custom", "From … to"}};
    static const char *const labels[CXM__VIEW_FILTERS] = {
        "Agent", "Team", "Channel", "Language", "Survey"};
    cxm_rc rc = cxm__html_raw(b, "<form class=\"controls\" method=\"get\" "
                                 "action=\"");

    if (!rc)
        rc = cxm__html_str(b, path);
    if (!rc)
        rc = cxm__html_raw(b, "\"><label>Period <select name=\"period\" "
                              "id=\"period\">");
    for (size_t i = 0; !rc && i < CXM_ARRAY_LEN(periods); i++)
        rc = cxm__buf_addf(b, "<option value=\"%s\"%s>%s</option>",
                           periods[i][0],
                           strcmp(v->period, periods[i][0]) == 0
                               ? " selected"
                               : "",
                           periods[i][1]);
    if (!rc)
        rc = cxm__html_raw(b, "</select></label>");
    if (!rc)
        rc = text_input(b, "From", "from", v->from, "date");
    if (!rc)
        rc = text_input(b, "To (exclusive)", "to", v->to, "date");
    if (!rc)
        rc = text_input(b, "Time zone", "tz", v->tz, "text");
    for (size_t i = 0; !rc && i < CXM__VIEW_FILTERS; i++)
        rc = text_input(b, labels[i], cxm__view_filter_names[i],
                        v->filter[i], "text");
    if (!rc)
        rc = cxm__html_raw(b, "<button type=\"submit\">Show</button>"
                              "</form>");
    return rc;
}

/* ---- The page. */

cxm_rc cxm__page_begin(struct cxm__http_req *req, struct cxm__http_resp *resp,
                       const char *title, const char *active)
{
    struct cxm__buf *b = &resp->body;
    cxm_rc rc;

    resp->html = true;
    resp->dashboard = true;
    resp->content_type = "text/html; charset=utf-8";
    rc = cxm__html_raw(
        b, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, "
           "initial-scale=1\"><title>");
    if (!rc)
        rc = cxm__html_str(b, title);
    if (!rc)
        rc = cxm__html_raw(
            b, " · cxmeter</title><link rel=\"icon\" href=\"data:,\">"
               "<link rel=\"stylesheet\" href=\"/assets/uPlot.min.css\">"
               "<link rel=\"stylesheet\" href=\"/assets/dash.css\">"
               "<script src=\"/assets/uPlot.iife.min.js\" defer></script>"
               "<script src=\"/assets/dash.js\" defer></script>"
               "</head><body><header><a class=\"brand\" href=\"/\">cxmeter"
               "</a>");
    if (!rc && req->session.valid) {
        rc = cxm__html_raw(b, "<nav>");
        for (size_t i = 0; !rc && i < CXM_ARRAY_LEN(nav); i++)
            rc = cxm__buf_addf(b, "<a href=\"%s\"%s>%s</a>", nav[i].path,
                               active && strcmp(active, nav[i].path) == 0
                                   ? " aria-current=\"page\""
                                   : "",
                               nav[i].label);
        if (!rc)
            rc = cxm__html_raw(b, "</nav><form class=\"logout\" "
                                  "method=\"post\" action=\"/logout\">"
                                  "<span class=\"who\">");
        if (!rc)
            rc = cxm__html_str(b, req->session.user);
        if (!rc)
            rc = cxm__html_raw(b, " (");
        if (!rc)
            rc = cxm__html_str(b, req->session.role);
        if (!rc)
            rc = cxm__html_raw(b, ")</span>");
        if (!rc)
            rc = cxm__auth_csrf_field(b, &req->session);
        if (!rc)
            rc = cxm__html_raw(b, "<button type=\"submit\">Log out</button>"
                                  "</form>");
    }
    if (!rc)
        rc = cxm__html_raw(b, "</header><main><h1>");
    if (!rc)
        rc = cxm__html_str(b, title);
    return rc ? rc : cxm__html_raw(b, "</h1>");
}

cxm_rc cxm__page_end(struct cxm__http_req *req, struct cxm__http_resp *resp)
{
    (void)req;
    return cxm__html_raw(&resp->body, "</main></body></html>\n");
}

int cxm__page_message(struct cxm__http_req *req, struct cxm__http_resp *resp,
                      int status, const char *title, const char *text)
{
    cxm_rc rc;

    cxm__buf_reset(&resp->body);
    rc = cxm__page_begin(req, resp, title, NULL);
    if (!rc)
        rc = cxm__html_raw(&resp->body, "<p>");
    if (!rc)
        rc = cxm__html_str(&resp->body, text);
    if (!rc)
        rc = cxm__html_raw(&resp->body, "</p>");
    if (!rc)
        rc = cxm__page_end(req, resp);
    return rc ? 500 : status;
}

bool cxm__want_csv(const struct cxm__http_req *req)
{
    const char *f = req->arg(req, "format");

    return f && strcmp(f, "csv") == 0;
}

/* ---- Tables. */

void cxm__table_init(struct cxm__table *t, size_t n_cols,
                     const char *const *cols)
{
    memset(t, 0, sizeof(*t));
    t->n_cols = n_cols < CXM_ARRAY_LEN(t->cols) ? n_cols
                                                : CXM_ARRAY_LEN(t->cols);
    for (size_t i = 0; i < t->n_cols; i++)
        t->cols[i] = cols[i];
    t->cells.cap = t->links.cap = t->extra.cap = 64u << 20;
}

void cxm__table_release(struct cxm__table *t)
{
    cxm__buf_release(&t->cells);
    cxm__buf_release(&t->links);
    cxm__buf_release(&t->extra);
}

cxm_rc cxm__table_cell(struct cxm__table *t, const char *text,
                       const char *href, const char *markup)
{
    cxm_rc rc = cxm__buf_add(&t->cells, text ? text : "",
                             strlen(text ? text : "") + 1);

    if (!rc)
        rc = cxm__buf_add(&t->links, href ? href : "",
                          strlen(href ? href : "") + 1);
    if (!rc)
        rc = cxm__buf_add(&t->extra, markup ? markup : "",
                          strlen(markup ? markup : "") + 1);
    if (!rc)
        t->n_cells++;
    return rc;
}

cxm_rc cxm__table_cellf(struct cxm__table *t, const char *href,
                        const char *fmt, ...)
{
    char text[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    return cxm__table_cell(t, text, href, NULL);
}

/* The next NUL-terminated string of a NUL-separated buffer. */
static const char *next_str(const struct cxm__buf *b, size_t *at)
{
    const char *s = b->data ? b->data + *at : "";

    *at += strlen(s) + 1;
    return s;
}

cxm_rc cxm__table_html(struct cxm__buf *b, const struct cxm__table *t,
                       const char *id, const char *caption,
                       const char *csv_href)
{
    size_t ci = 0, li = 0, xi = 0;
    cxm_rc rc = cxm__buf_addf(b, "<section class=\"table\"><div "
                                 "class=\"table-head\"><h2>");

    if (!rc)
        rc = cxm__html_str(b, caption);
    if (!rc && csv_href) {
        rc = cxm__html_raw(b, "</h2><a class=\"csv\" href=\"");
        if (!rc)
            rc = cxm__html_str(b, csv_href);
        if (!rc)
            rc = cxm__html_raw(b, "\" download>CSV</a></div>");
    } else if (!rc) {
        rc = cxm__html_raw(b, "</h2></div>");
    }
    if (!rc)
        rc = cxm__html_raw(b, "<div class=\"scroll\"><table class=\"sortable\" "
                              "id=\"");
    if (!rc)
        rc = cxm__html_str(b, id);
    if (!rc)
        rc = cxm__html_raw(b, "\"><thead><tr>");
    for (size_t i = 0; !rc && i < t->n_cols; i++) {
        rc = cxm__buf_addf(b, "<th scope=\"col\"%s><button type=\"button\">",
                           t->numeric[i] ? " class=\"num\"" : "");
        if (!rc)
            rc = cxm__html_str(b, t->cols[i]);
        if (!rc)
            rc = cxm__html_raw(b, "</button></th>");
    }
    if (!rc)
        rc = cxm__html_raw(b, "</tr></thead><tbody>");
    for (size_t k = 0; !rc && k < t->n_cells; k++) {
        size_t col = k % t->n_cols;
        const char *text = next_str(&t->cells, &ci);
        const char *href = next_str(&t->links, &li);
        const char *extra = next_str(&t->extra, &xi);
        if (col == 0)
            rc = cxm__html_raw(b, "<tr>");
        if (!rc)
            rc = cxm__html_raw(b, t->numeric[col] ? "<td class=\"num\">"
                                                  : "<td>");
        if (!rc && *href) {
            rc = cxm__html_raw(b, "<a href=\"");
            if (!rc)
                rc = cxm__html_str(b, href);
            if (!rc)
                rc = cxm__html_raw(b, "\">");
        }
        if (!rc)
            rc = cxm__html_str(b, text);
        if (!rc && *href)
            rc = cxm__html_raw(b, "</a>");
        if (!rc && *extra)
            rc = cxm__html_raw(b, extra);
        if (!rc)
            rc = cxm__html_raw(b, "</td>");
        if (!rc && col + 1 == t->n_cols)
            rc = cxm__html_raw(b, "</tr>");
    }
    return rc ? rc : cxm__html_raw(b, "</tbody></table></div></section>");
}

int cxm__table_csv(struct cxm__http_resp *resp, const struct cxm__table *t,
                   const char *name)
{
    struct cxm__buf *b = &resp->body;
    size_t ci = 0;
    cxm_rc rc = CXM_OK;

    cxm__buf_reset(b);
    for (size_t i = 0; !rc && i < t->n_cols; i++) {
        if (i)
            rc = cxm__buf_addc(b, ',');
        if (!rc)
            rc = cxm__csv_text(b, t->cols[i]);
    }
    if (!rc)
        rc = cxm__buf_addc(b, '\n');
    for (size_t k = 0; !rc && k < t->n_cells; k++) {
        size_t col = k % t->n_cols;
        const char *text = next_str(&t->cells, &ci);
        double num;
        if (col)
            rc = cxm__buf_addc(b, ',');
        /* A figure the program wrote is written bare; any other text is
         * escaped against spreadsheet formulas. */
        if (!rc && t->numeric[col] && *text &&
            cxm__parse_decimal(text, strlen(text), &num) == CXM_OK)
            rc = cxm__buf_adds(b, text);
        else if (!rc)
            rc = cxm__csv_text(b, text);
        if (!rc && col + 1 == t->n_cols)
            rc = cxm__buf_addc(b, '\n');
    }
    if (rc)
        return 500;
    resp->content_type = "text/csv; charset=utf-8";
    resp->disposition = name;
    return 200;
}

/* ---- Assets. */

extern const struct cxm__embedded cxm__embedded_web[];
extern const size_t cxm__n_embedded_web;

int cxm__http_asset(struct cxm__http_req *req, struct cxm__http_resp *resp)
{
    const char *name = req->tail;
    size_t n = strlen(name);

    for (size_t i = 0; i < cxm__n_embedded_web; i++) {
        const struct cxm__embedded *e = &cxm__embedded_web[i];
        if (strcmp(e->name, name) != 0)
            continue;
        resp->content_type =
            n > 3 && strcmp(name + n - 3, ".js") == 0
                ? "text/javascript; charset=utf-8"
                : "text/css; charset=utf-8";
        return cxm__buf_adds(&resp->body, e->text) ? 500 : 200;
    }
    return cxm__http_error_page(resp, 404, "Not found",
                                "There is nothing at this address.");
}

/* ---- The report cache. */

struct cache_entry {
    char *key;           /* the query, serialised; NULL: a free slot */
    int64_t version;     /* the store's data version when run */
    uint64_t generation; /* the writer's commits when run */
    cxm_report *r;
    unsigned refs;       /* pages reading it now */
    uint64_t used;       /* tick of the last get */
    bool dead;           /* out of date: freed when refs falls to 0 */
};

/* A piece of a page kept as rendered (the agent page's comments). */
struct frag_entry {
    char *key; /* NULL: a free slot */
    char *data;
    size_t len;
    int64_t version;
    uint64_t generation;
    uint64_t used;
};

struct cxm__report_cache {
    pthread_mutex_t m;
    uint64_t tick;
    uint64_t hits, runs; /* reports found here, reports run */
    struct cache_entry e[CXM_HTTP_REPORT_CACHE];
    struct frag_entry f[CXM_HTTP_FRAGMENT_CACHE];
};

cxm_rc cxm__report_cache_new(struct cxm__report_cache **out)
{
    struct cxm__report_cache *c = cxm__calloc(1, sizeof(*c));

    *out = c;
    if (!c)
        return CXM_ENOMEM;
    pthread_mutex_init(&c->m, NULL);
    return CXM_OK;
}

static void entry_clear(struct cache_entry *e)
{
    cxm_report_free(e->r);
    cxm__free(e->key);
    memset(e, 0, sizeof(*e));
}

static void frag_clear(struct frag_entry *f)
{
    cxm__free(f->key);
    cxm__free(f->data);
    memset(f, 0, sizeof(*f));
}

void cxm__report_cache_free(struct cxm__report_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < CXM_HTTP_REPORT_CACHE; i++)
        entry_clear(&c->e[i]);
    for (size_t i = 0; i < CXM_HTTP_FRAGMENT_CACHE; i++)
        frag_clear(&c->f[i]);
    pthread_mutex_destroy(&c->m);
    cxm__free(c);
}

/* The query as text: equal texts, equal reports. */
static cxm_rc query_key(const struct cxm_report_query *q, struct cxm__buf *b)
{
    cxm_rc rc = cxm__buf_addf(b, "%lld %lld %d %d %d %d %d|%s|",
                              (long long)(q->has_from ? q->from_ms : -1),
                              (long long)(q->has_to ? q->to_ms : -1),
                              q->has_from, q->has_to, q->compare,
                              (int)q->read, q->definitions,
                              q->tz ? q->tz : "");

    for (size_t i = 0; !rc && i < q->n_metrics; i++)
        rc = cxm__buf_addf(b, "%s,", cxm_metric_name(q->metrics[i]));
    if (!rc)
        rc = cxm__buf_addc(b, '|');
    for (size_t i = 0; !rc && i < q->n_by; i++)
        rc = cxm__buf_addf(b, "%s,", cxm_dim_name(q->by[i]));
    /* The filters' values: any bytes but NUL, so each with its length. */
    for (size_t i = 0; !rc && i < q->n_where; i++)
        rc = cxm__buf_addf(b, "|%s=%zu:%s", cxm_dim_name(q->where[i].dim),
                           strlen(q->where[i].value), q->where[i].value);
    return rc ? rc : cxm__buf_addc(b, '\0');
}

cxm_rc cxm__report_get(struct cxm__http_ctx *ctx,
                       const struct cxm_report_query *q, cxm_report **out)
{
    struct cxm__report_cache *c = ctx->reports;
    struct cxm__buf key = CXM__BUF_INIT(4096);
    struct cache_entry *slot = NULL;
    int64_t version = 0;
    uint64_t gen;
    bool cacheable;
    cxm_rc rc;

    *out = NULL;
    /* What the store holds is told by the writer's connection: its data
     * version moves when another process (an import) commits, and the
     * writer counts its own commits that change what reports read (not
     * logins). Both are read before the report runs: a change in between
     * only makes the entry look older than it is. */
    pthread_mutex_lock(&ctx->lock);
    gen = ctx->generation;
    cacheable = c && query_key(q, &key) == CXM_OK &&
                cxm__store_data_version(ctx->st, &version) == CXM_OK;
    pthread_mutex_unlock(&ctx->lock);
    pthread_mutex_lock(ctx->rlock);
    if (cacheable) {
        pthread_mutex_lock(&c->m);
        c->tick++;
        for (size_t i = 0; i < CXM_HTTP_REPORT_CACHE; i++) {
            struct cache_entry *e = &c->e[i];
            if (!e->key || e->dead)
                continue;
            if (e->version != version || e->generation != gen) {
                e->dead = true; /* the store changed since */
                if (e->refs == 0)
                    entry_clear(e);
            } else if (strcmp(e->key, key.data) == 0) {
                e->refs++;
                e->used = c->tick;
                *out = e->r;
            }
        }
        c->hits += *out != NULL;
        pthread_mutex_unlock(&c->m);
        if (*out) {
            pthread_mutex_unlock(ctx->rlock);
            cxm__buf_release(&key);
            return CXM_OK;
        }
    }
    rc = cxm_report_run(ctx->rst, q, out);
    if (c) {
        pthread_mutex_lock(&c->m);
        c->runs++;
        pthread_mutex_unlock(&c->m);
    }
    if (!rc && cacheable) {
        pthread_mutex_lock(&c->m);
        for (size_t i = 0; i < CXM_HTTP_REPORT_CACHE; i++) {
            struct cache_entry *e = &c->e[i];
            if (e->refs == 0 &&
                (!slot || !e->key || (slot->key && e->used < slot->used)))
                slot = e;
        }
        if (slot) {
            entry_clear(slot);
            slot->key = cxm__buf_take(&key, NULL);
            if (slot->key) {
                slot->version = version;
                slot->generation = gen;
                slot->r = *out;
                slot->refs = 1;
                slot->used = c->tick;
            }
        }
        pthread_mutex_unlock(&c->m);
    }
    pthread_mutex_unlock(ctx->rlock);
    cxm__buf_release(&key);
    return rc;
}

void cxm__report_cache_stats(struct cxm__report_cache *c, uint64_t *hits,
                             uint64_t *runs)
{
    *hits = *runs = 0;
    if (!c)
        return;
    pthread_mutex_lock(&c->m);
    *hits = c->hits;
    *runs = c->runs;
    pthread_mutex_unlock(&c->m);
}

bool cxm__fragment_find(struct cxm__http_ctx *ctx, const char *key,
                        struct cxm__fragment_state *fs, struct cxm__buf *b)
{
    struct cxm__report_cache *c = ctx->reports;
    bool found = false;

    pthread_mutex_lock(&ctx->lock);
    fs->generation = ctx->generation;
    fs->ok = c && cxm__store_data_version(ctx->st, &fs->version) == CXM_OK;
    pthread_mutex_unlock(&ctx->lock);
    if (!fs->ok)
        return false;
    pthread_mutex_lock(&c->m);
    c->tick++;
    for (size_t i = 0; i < CXM_HTTP_FRAGMENT_CACHE; i++) {
        struct frag_entry *f = &c->f[i];
        if (!f->key)
            continue;
        if (f->version != fs->version || f->generation != fs->generation)
            frag_clear(f); /* the store changed since */
        else if (!found && strcmp(f->key, key) == 0) {
            found = cxm__buf_add(b, f->data, f->len) == CXM_OK;
            f->used = c->tick;
        }
    }
    c->hits += found;
    pthread_mutex_unlock(&c->m);
    return found;
}

void cxm__fragment_keep(struct cxm__http_ctx *ctx, const char *key,
                        const struct cxm__fragment_state *fs,
                        const char *data, size_t len)
{
    struct cxm__report_cache *c = ctx->reports;
    struct frag_entry *slot = NULL;
    char *k, *d;

    if (!c || !fs->ok)
        return;
    k = cxm__strdup(key);
    d = cxm__malloc(len ? len : 1);
    if (!k || !d) {
        cxm__free(k);
        cxm__free(d);
        return; /* only slower the next time */
    }
    memcpy(d, data, len);
    pthread_mutex_lock(&c->m);
    for (size_t i = 0; i < CXM_HTTP_FRAGMENT_CACHE; i++) {
        struct frag_entry *f = &c->f[i];
        if (!slot || !f->key || (slot->key && f->used < slot->used))
            slot = f;
    }
    frag_clear(slot);
    *slot = (struct frag_entry){k, d, len, fs->version, fs->generation,
                                c->tick};
    c->runs++;
    pthread_mutex_unlock(&c->m);
}

void cxm__report_put(struct cxm__http_ctx *ctx, cxm_report *r)
{
    struct cxm__report_cache *c = ctx->reports;

    if (!r)
        return;
    if (c) {
        pthread_mutex_lock(&c->m);
        for (size_t i = 0; i < CXM_HTTP_REPORT_CACHE; i++) {
            struct cache_entry *e = &c->e[i];
            if (e->key && e->r == r) {
                e->refs--;
                if (e->dead && e->refs == 0)
                    entry_clear(e);
                pthread_mutex_unlock(&c->m);
                return;
            }
        }
        pthread_mutex_unlock(&c->m);
    }
    cxm_report_free(r); /* not kept */
}

/* ---- Warming: the landing view computed before anyone asks. */

struct cxm__warmer {
    struct cxm__http_ctx *ctx;
    pthread_t thread;
    pthread_mutex_t m;
    pthread_cond_t wake;
    bool stop;
};

static const char *no_arg(const struct cxm__http_req *r, const char *name)
{
    (void)r;
    (void)name;
    return NULL;
}

/* The store's state as the report cache sees it (cxm__report_get). */
static bool store_state(struct cxm__http_ctx *ctx, int64_t *version,
                        uint64_t *gen)
{
    bool ok;

    pthread_mutex_lock(&ctx->lock);
    *gen = ctx->generation;
    ok = cxm__store_data_version(ctx->st, version) == CXM_OK;
    pthread_mutex_unlock(&ctx->lock);
    return ok;
}

static void *warm_main(void *arg)
{
    struct cxm__warmer *w = arg;
    int64_t done_version = -1, version = 0;
    uint64_t done_gen = 0, gen = 0;
    bool first = true;

    pthread_mutex_lock(&w->m);
    while (!w->stop) {
        pthread_mutex_unlock(&w->m);
        if (store_state(w->ctx, &version, &gen) &&
            (first || version != done_version || gen != done_gen)) {
            /* The overview a login lands on: its reports go into the
             * cache, the page itself is dropped. */
            struct cxm__http_req req;
            struct cxm__http_resp resp;
            memset(&req, 0, sizeof(req));
            memset(&resp, 0, sizeof(resp));
            req.ctx = w->ctx;
            req.method = "GET";
            req.path = "/";
            req.tail = req.body = req.content_type = req.authorization = "";
            req.cookie = req.client = "";
            req.arg = no_arg;
            req.now = cxm__now_ms();
            resp.body.cap = 8u << 20;
            (void)cxm__http_dash_overview(&req, &resp);
            cxm__buf_release(&resp.body);
            done_version = version;
            done_gen = gen;
            first = false;
        }
        pthread_mutex_lock(&w->m);
        if (!w->stop) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += CXM_HTTP_WARM_SECONDS;
            pthread_cond_timedwait(&w->wake, &w->m, &until);
        }
    }
    pthread_mutex_unlock(&w->m);
    return NULL;
}

cxm_rc cxm__warmer_start(struct cxm__http_ctx *ctx, struct cxm__warmer **out)
{
    struct cxm__warmer *w = cxm__calloc(1, sizeof(*w));

    *out = NULL;
    if (!w)
        return CXM_ENOMEM;
    w->ctx = ctx;
    pthread_mutex_init(&w->m, NULL);
    pthread_cond_init(&w->wake, NULL);
    if (pthread_create(&w->thread, NULL, warm_main, w) != 0) {
        pthread_mutex_destroy(&w->m);
        pthread_cond_destroy(&w->wake);
        cxm__free(w);
        return CXM_ENOMEM;
    }
    *out = w;
    return CXM_OK;
}

void cxm__warmer_stop(struct cxm__warmer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->m);
    w->stop = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->m);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->m);
    pthread_cond_destroy(&w->wake);
    cxm__free(w);
}
