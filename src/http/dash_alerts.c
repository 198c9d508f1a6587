/* SPDX-License-Identifier: MIT
 *
 * dash_alerts.c — the dashboard's alerts and comments pages
 * (docs/dashboard.md): /alerts lists the recorded firings, newest first,
 * and the rules (cxm_alert_history(), cxm_alert_rules()); /comments the
 * open-ended answers with their scores (cxm_comments()), searched and
 * filtered through the URL's query; the overview's banner counts the
 * firings of its period (cxm__dash_alert_banner()). An admin adds and
 * removes rules there (POST /alerts/add, /alerts/remove, with the
 * session's CSRF token); a viewer sees, and gets 403 for a change.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_int.h"
#include "cxmeter/alert.h"
#include "cxmeter/comments.h"
#include "http_int.h"

#define ALERT_RULES_MAX 256
#define COMMENT_ROWS 500

static void fmt_day(int64_t ms, char *out, size_t cap)
{
    char t[40];

    cxm_time_format(ms - ms % 1000, t, sizeof(t));
    snprintf(out, cap, "%.10s", t);
}

static void fmt_time(int64_t ms, char *out, size_t cap)
{
    cxm_time_format(ms - ms % 1000, out, cap);
}

/* ---- /alerts */

struct rules_ctx {
    struct cxm__table *t;
    int64_t ids[ALERT_RULES_MAX];
    char *desc[ALERT_RULES_MAX];
    size_t n;
};

static cxm_rc rule_row(const struct cxm_alert_rule *r, void *ud)
{
    struct rules_ctx *c = ud;
    char d[256], at[40];
    cxm_rc rc;

    cxm_alert_rule_describe(r, d, sizeof(d));
    if (c->n < ALERT_RULES_MAX) {
        c->desc[c->n] = cxm__strdup(d);
        if (!c->desc[c->n])
            return CXM_ENOMEM;
        c->ids[c->n++] = r->id;
    }
    fmt_time(r->created_at, at, sizeof(at));
    rc = cxm__table_cellf(c->t, NULL, "%lld", (long long)r->id);
    if (!rc)
        rc = cxm__table_cell(c->t, d, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(c->t, at, NULL, NULL);
    return rc;
}

static const char *rule_desc(const struct rules_ctx *c, int64_t id)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->ids[i] == id)
            return c->desc[i];
    return "(removed)";
}

/* The firings, collected oldest first, written newest first. */
struct firing_row {
    char *cells; /* NUL-separated */
    size_t len;
};

struct firings_ctx {
    struct rules_ctx *rules;
    struct firing_row *rows;
    size_t n, alloc;
    bool only_period;
    int64_t from_ms, to_ms;
};

static const char *const firing_cols[] = {
    "window",   "rule", "rule_id", "group",    "value", "n",
    "previous", "prev_n", "change", "method",  "statistic", "p_value",
    "holm_p",   "fired_at"};

static cxm_rc cellf(struct cxm__buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static cxm_rc cellf(struct cxm__buf *b, const char *fmt, ...)
{
    va_list ap;
    cxm_rc rc;

    va_start(ap, fmt);
    rc = cxm__buf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc ? rc : cxm__buf_addc(b, '\0');
}

static cxm_rc firing_collect(const struct cxm_alert_firing *f, void *ud)
{
    struct firings_ctx *c = ud;
    struct cxm__buf b = CXM__BUF_INIT(1 << 16);
    char from[16], to[16], at[40];
    cxm_rc rc;

    if (c->only_period && (f->from_ms < c->from_ms || f->from_ms >= c->to_ms))
        return CXM_OK;
    if (c->n == c->alloc) {
        size_t na = c->alloc ? c->alloc * 2 : 16;
        struct firing_row *nr = cxm__realloc(c->rows, na * sizeof(*nr));
        if (!nr)
            return CXM_ENOMEM;
        c->rows = nr;
        c->alloc = na;
    }
    fmt_day(f->from_ms, from, sizeof(from));
    fmt_day(f->to_ms, to, sizeof(to));
    fmt_time(f->fired_at, at, sizeof(at));
    rc = cellf(&b, "%s – %s", from, to);
    if (!rc)
        rc = cellf(&b, "%s", rule_desc(c->rules, f->rule_id));
    if (!rc)
        rc = cellf(&b, "%lld", (long long)f->rule_id);
    if (!rc)
        rc = cellf(&b, "%s", f->has_by ? f->group : "(all)");
    if (!rc)
        rc = cellf(&b, "%.4g", f->value);
    if (!rc)
        rc = cellf(&b, "%lld", (long long)f->n);
    if (!rc)
        rc = f->has_prev ? cellf(&b, "%.4g", f->prev_value) : cellf(&b, "%s", "");
    if (!rc)
        rc = f->has_prev ? cellf(&b, "%lld", (long long)f->prev_n)
                         : cellf(&b, "%s", "");
    if (!rc)
        rc = f->has_prev ? cellf(&b, "%+.4g", f->change) : cellf(&b, "%s", "");
    if (!rc)
        rc = cellf(&b, "%s", f->method ? f->method : "");
    if (!rc)
        rc = f->has_test ? cellf(&b, "%.3f", f->statistic) : cellf(&b, "%s", "");
    if (!rc)
        rc = f->has_test ? cellf(&b, "%.3g", f->p_value) : cellf(&b, "%s", "");
    if (!rc)
        rc = f->has_test ? cellf(&b, "%.3g", f->p_adjusted) : cellf(&b, "%s", "");
    if (!rc)
        rc = cellf(&b, "%s", at);
    if (rc) {
        cxm__buf_release(&b);
        return rc;
    }
    c->rows[c->n].cells = b.data;
    c->rows[c->n++].len = b.len;
    return CXM_OK;
}

static void firings_release(struct firings_ctx *c)
{
    for (size_t i = 0; i < c->n; i++)
        cxm__free(c->rows[i].cells);
    cxm__free(c->rows);
}

static void rules_release(struct rules_ctx *c)
{
    for (size_t i = 0; i < c->n; i++)
        cxm__free(c->desc[i]);
}

/* Reads the rules (into `rt`, may be NULL: not shown) and the firings
 * (of [from, to) when only_period). */
static cxm_rc alerts_read(struct cxm__http_req *req, struct rules_ctx *rc_,
                          struct firings_ctx *fc)
{
    cxm_rc rc;

    pthread_mutex_lock(req->ctx->rlock);
    rc = cxm_alert_rules(req->ctx->rst, rule_row, rc_);
    if (!rc)
        rc = cxm_alert_history(req->ctx->rst, 0, firing_collect, fc);
    pthread_mutex_unlock(req->ctx->rlock);
    return rc;
}

cxm_rc cxm__dash_alert_banner(struct cxm__http_req *req,
                              const struct cxm__view *v, struct cxm__buf *b)
{
    static const char *const cols[] = {"id", "rule", "created_at"};
    struct cxm__table rt;
    struct rules_ctx rules;
    struct firings_ctx fc;
    cxm_rc rc;

    cxm__table_init(&rt, CXM_ARRAY_LEN(cols), cols);
    memset(&rules, 0, sizeof(rules));
    memset(&fc, 0, sizeof(fc));
    rules.t = &rt;
    fc.rules = &rules;
    fc.only_period = true;
    fc.from_ms = v->from_ms;
    fc.to_ms = v->to_ms;
    rc = alerts_read(req, &rules, &fc);
    if (!rc && fc.n) {
        rc = cxm__buf_addf(b, "<p class=\"banner\" id=\"alert-banner\">"
                              "<a href=\"");
        if (!rc)
            rc = cxm__view_href(b, v, "/alerts", NULL);
        if (!rc)
            rc = cxm__buf_addf(b, "\">%zu alert%s fired in this period"
                                  "</a></p>",
                               fc.n, fc.n == 1 ? "" : "s");
    }
    firings_release(&fc);
    rules_release(&rules);
    cxm__table_release(&rt);
    return rc;
}

static bool is_admin(const struct cxm__http_req *req)
{
    return strcmp(req->session.role, "admin") == 0;
}

/* The forms that change the rules (an admin's): add one, remove one. */
static cxm_rc rule_forms(struct cxm__http_req *req, struct cxm__buf *b,
                         const struct rules_ctx *rules)
{
    static const char *const kinds[] = {"drop", "rise", "above", "below"};
    static const cxm_dim dims[] = {CXM_BY_TEAM,     CXM_BY_AGENT,
                                   CXM_BY_CHANNEL,  CXM_BY_LANGUAGE,
                                   CXM_BY_TOPIC,    CXM_BY_SURVEY,
                                   CXM_BY_SEGMENT,  CXM_BY_SOURCE};
    cxm_rc rc;

    if (!is_admin(req))
        return cxm__html_raw(b, "<p class=\"note\" id=\"rules-admin\">"
                                "Only an admin can add or remove rules.</p>");
    rc = cxm__html_raw(b, "<section id=\"rule-forms\"><h2>Change the rules"
                          "</h2><form method=\"post\" action=\"/alerts/add\""
                          " id=\"rule-add\" class=\"controls\">");
    if (!rc)
        rc = cxm__auth_csrf_field(b, &req->session);
    if (!rc)
        rc = cxm__html_raw(b, "<label>Metric <select name=\"metric\">");
    for (int m = 0; !rc && m < CXM_METRIC_COUNT; m++)
        rc = cxm__buf_addf(b, "<option>%s</option>",
                           cxm_metric_name((cxm_metric)m));
    if (!rc)
        rc = cxm__html_raw(b, "</select></label><label>Of each <select "
                              "name=\"by\"><option value=\"\">(all)"
                              "</option>");
    for (size_t i = 0; !rc && i < CXM_ARRAY_LEN(dims); i++)
        rc = cxm__buf_addf(b, "<option>%s</option>", cxm_dim_name(dims[i]));
    if (!rc)
        rc = cxm__html_raw(b, "</select></label><label>Fires on <select "
                              "name=\"kind\">");
    for (size_t i = 0; !rc && i < CXM_ARRAY_LEN(kinds); i++)
        rc = cxm__buf_addf(b, "<option>%s</option>", kinds[i]);
    if (!rc)
        rc = cxm__html_raw(
            b, "</select></label><label>Window <select name=\"window\">"
               "<option>week</option><option>day</option></select></label>"
               "<label>Threshold (above, below) <input name=\"threshold\" "
               "inputmode=\"decimal\"></label><label>Minimum n <input "
               "name=\"min_n\" inputmode=\"numeric\"></label><label>Alpha "
               "(drop, rise) <input name=\"alpha\" inputmode=\"decimal\">"
               "</label><label>Minimum change <input name=\"min_change\" "
               "inputmode=\"decimal\"></label><button type=\"submit\">Add "
               "rule</button></form>");
    if (!rc && rules->n) {
        rc = cxm__html_raw(b, "<form method=\"post\" action=\"/alerts/"
                              "remove\" id=\"rule-remove\" "
                              "class=\"controls\">");
        if (!rc)
            rc = cxm__auth_csrf_field(b, &req->session);
        if (!rc)
            rc = cxm__html_raw(b, "<label>Rule <select name=\"id\">");
        for (size_t i = 0; !rc && i < rules->n; i++) {
            rc = cxm__buf_addf(b, "<option value=\"%lld\">%lld: ",
                               (long long)rules->ids[i],
                               (long long)rules->ids[i]);
            if (!rc)
                rc = cxm__html_str(b, rules->desc[i]);
            if (!rc)
                rc = cxm__html_raw(b, "</option>");
        }
        if (!rc)
            rc = cxm__html_raw(b, "</select></label><button type=\"submit\">"
                                  "Remove rule</button></form>");
    }
    return rc ? rc : cxm__html_raw(b, "</section>");
}

struct rule_job {
    struct cxm_alert_rule rule;
    int64_t id, now;
};

static cxm_rc rule_add_run(cxm_store *st, void *ud)
{
    struct rule_job *j = ud;

    return cxm__alert_rule_add_tx(st, &j->rule, j->now, &j->id);
}

static cxm_rc rule_remove_run(cxm_store *st, void *ud)
{
    struct rule_job *j = ud;

    return cxm__alert_rule_remove_tx(st, j->id, j->now);
}

/* A number field of the form: absent or "" leaves *out; false when it is
 * not a number. */
static bool form_num(const struct cxm__form *f, const char *name,
                     double *out)
{
    const char *v = cxm__form_get(f, name);

    return !v || !*v || cxm__parse_decimal(v, strlen(v), out) == CXM_OK;
}

/* The rule a form describes into r; NULL, or what is wrong. */
static const char *rule_of_form(const struct cxm__form *f,
                                struct cxm_alert_rule *r)
{
    static const char *const kinds[] = {"drop", "rise", "above", "below"};
    const char *metric = cxm__form_get(f, "metric");
    const char *by = cxm__form_get(f, "by");
    const char *kind = cxm__form_get(f, "kind");
    const char *win = cxm__form_get(f, "window");
    double min_n = 0;
    const char *why = NULL;
    bool kind_ok = false;

    memset(r, 0, sizeof(*r));
    r->size = sizeof(*r);
    r->window = CXM_BY_WEEK;
    if (!metric || cxm_metric_parse(metric, &r->metric) != CXM_OK)
        return "no such metric";
    for (size_t i = 0; kind && i < CXM_ARRAY_LEN(kinds); i++) {
        if (strcmp(kind, kinds[i]) == 0) {
            r->kind = (cxm_alert_kind)i;
            kind_ok = true;
        }
    }
    if (!kind_ok)
        return "the kind is drop, rise, above or below";
    if (by && *by) {
        r->has_by = true;
        if (cxm_dim_parse(by, &r->by) != CXM_OK)
            return "no such breakdown";
    }
    if (win && *win && cxm_dim_parse(win, &r->window) != CXM_OK)
        return "the window is day or week";
    if (!form_num(f, "threshold", &r->threshold) ||
        !form_num(f, "alpha", &r->alpha) ||
        !form_num(f, "min_change", &r->min_change) ||
        !form_num(f, "min_n", &min_n))
        return "threshold, alpha, minimum n and minimum change are numbers";
    if ((r->kind == CXM_ALERT_ABOVE || r->kind == CXM_ALERT_BELOW) &&
        !(cxm__form_get(f, "threshold") && *cxm__form_get(f, "threshold")))
        return "above and below need a threshold";
    if (!(min_n >= 0 && min_n <= 1e9) || min_n != (double)(int64_t)min_n)
        return "the minimum n is a whole number of at least 0";
    r->min_n = (int64_t)min_n;
    return cxm_alert_rule_check(r, &why) == CXM_OK ? NULL : why;
}

/* POST /alerts/add (remove: /alerts/remove): an admin's change of the
 * rules, through the writer, then back to /alerts. */
static int change_rules(struct cxm__http_req *req,
                        struct cxm__http_resp *resp, bool remove)
{
    const char *id = cxm__form_get(req->form, "id"), *why;
    struct rule_job j;
    cxm_rc rc;

    if (!is_admin(req))
        return cxm__page_message(req, resp, 403, "Not allowed",
                                 "Only an admin can change the alert "
                                 "rules.");
    memset(&j, 0, sizeof(j));
    j.now = req->now;
    if (remove)
        why = !id || cxm__parse_i64(id, strlen(id), &j.id) || j.id <= 0
                  ? "id is the number of a rule."
                  : NULL;
    else
        why = rule_of_form(req->form, &j.rule);
    if (why)
        return cxm__page_message(req, resp, 400, "Bad rule", why);
    rc = cxm__writer_run_quiet(req->ctx->writer,
                               remove ? rule_remove_run : rule_add_run, &j);
    if (rc == CXM_ENOTFOUND)
        return cxm__page_message(req, resp, 404, "No such rule",
                                 "There is no such rule (removed already?).");
    if (rc)
        return cxm__page_message(req, resp, 503, "Please try again",
                                 "The store failed.");
    snprintf(resp->location, sizeof(resp->location), "/alerts");
    return 303;
}

int cxm__http_dash_alert_add(struct cxm__http_req *req,
                             struct cxm__http_resp *resp)
{
    return change_rules(req, resp, false);
}

int cxm__http_dash_alert_remove(struct cxm__http_req *req,
                                struct cxm__http_resp *resp)
{
    return change_rules(req, resp, true);
}

int cxm__http_dash_alerts(struct cxm__http_req *req,
                          struct cxm__http_resp *resp)
{
    static const char *const rule_cols[] = {"id", "rule", "created_at"};
    struct cxm__view v;
    struct cxm__table rt, ft;
    struct rules_ctx rules;
    struct firings_ctx fc;
    struct cxm__buf *b = &resp->body;
    const char *which = req->arg(req, "table");
    bool csv = cxm__want_csv(req);
    int status = cxm__view_parse(req, resp, &v);
    cxm_rc rc;

    if (status)
        return status;
    cxm__table_init(&rt, CXM_ARRAY_LEN(rule_cols), rule_cols);
    cxm__table_init(&ft, CXM_ARRAY_LEN(firing_cols), firing_cols);
    for (size_t i = 4; i < 9; i++)
        ft.numeric[i] = true;
    ft.numeric[10] = ft.numeric[11] = ft.numeric[12] = true;
    memset(&rules, 0, sizeof(rules));
    memset(&fc, 0, sizeof(fc));
    rules.t = &rt;
    fc.rules = &rules;
    rc = alerts_read(req, &rules, &fc);
    for (size_t i = fc.n; !rc && i-- > 0;) {
        const char *p = fc.rows[i].cells;
        for (size_t k = 0; !rc && k < ft.n_cols; k++) {
            rc = cxm__table_cell(&ft, p, NULL, NULL);
            p += strlen(p) + 1;
        }
    }
    if (rc) {
        status = cxm__page_message(req, resp, 503, "Please try again",
                                   "The store failed.");
    } else if (csv) {
        bool r = which && strcmp(which, "rules") == 0;
        status = cxm__table_csv(resp, r ? &rt : &ft,
                                r ? "attachment; filename=\"rules.csv\""
                                  : "attachment; filename=\"alerts.csv\"");
    } else {
        rc = cxm__page_begin(req, resp, "Alerts", "/alerts");
        if (!rc)
            rc = cxm__buf_addf(b, "<p class=\"note\" id=\"alerts-what\">"
                                  "%zu firing%s recorded by "
                                  "<code>cxmeter alert check</code>, newest "
                                  "window first.</p>",
                               fc.n, fc.n == 1 ? "" : "s");
        if (!rc)
            rc = cxm__table_html(b, &ft, "firings", "Firings",
                                 "/alerts?format=csv&table=firings");
        if (!rc)
            rc = cxm__table_html(b, &rt, "rules", "Rules",
                                 "/alerts?format=csv&table=rules");
        if (!rc)
            rc = rule_forms(req, b, &rules);
        if (!rc)
            rc = cxm__page_end(req, resp);
        status = rc ? 500 : 200;
    }
    firings_release(&fc);
    rules_release(&rules);
    cxm__table_release(&rt);
    cxm__table_release(&ft);
    return status;
}

/* ---- /comments */

static const char *const comment_cols[] = {
    "responded_at", "survey", "question", "score", "scale", "agent",
    "team",         "channel", "language", "ticket", "id", "comment"};

static cxm_rc comment_row(const struct cxm_comment *c, void *ud)
{
    struct cxm__table *t = ud;
    char at[40];
    cxm_rc rc;

    fmt_time(c->at_ms, at, sizeof(at));
    rc = cxm__table_cell(t, at, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, c->survey, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, c->question, NULL, NULL);
    if (!rc)
        rc = c->has_score ? cxm__table_cellf(t, NULL, "%d", c->score)
                          : cxm__table_cell(t, "", NULL, NULL);
    if (!rc)
        rc = c->has_score ? cxm__table_cellf(t, NULL, "%d-%d", c->scale_min,
                                             c->scale_max)
                          : cxm__table_cell(t, "", NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, c->agent_id, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, c->team, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, c->channel, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, c->language, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, c->ticket_id, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, c->id, NULL, NULL);
    if (!rc)
        rc = cxm__table_cell(t, c->text, NULL, NULL);
    return rc;
}

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

/* Appends "&name=value" (encoded) when value is set. */
static cxm_rc add_param(struct cxm__buf *b, const char *name,
                        const char *value)
{
    cxm_rc rc;

    if (!value)
        return CXM_OK;
    rc = cxm__buf_addf(b, "&%s=", name);
    return rc ? rc : cxm__url_encode(b, value);
}

int cxm__http_dash_comments(struct cxm__http_req *req,
                            struct cxm__http_resp *resp)
{
    static const char submit[] =
        "<button type=\"submit\">Show</button></form>";
    struct cxm__view v;
    struct cxm_comment_query q;
    struct cxm__table t;
    struct cxm__buf *b = &resp->body;
    const char *search = nonempty(req->arg(req, "q"));
    const char *smax = nonempty(req->arg(req, "score_max"));
    bool csv = cxm__want_csv(req);
    int status = cxm__view_parse(req, resp, &v);
    size_t rows;
    cxm_rc rc;

    if (status)
        return status;
    memset(&q, 0, sizeof(q));
    q.size = sizeof(q);
    q.search = search;
    q.agent = v.filter[0];
    q.team = v.filter[1];
    q.channel = v.filter[2];
    q.language = v.filter[3];
    q.survey = v.filter[4];
    q.has_from = q.has_to = true;
    q.from_ms = v.from_ms;
    q.to_ms = v.to_ms;
    q.limit = csv ? 100000 : COMMENT_ROWS;
    if (smax) {
        int64_t n;
        if (cxm__parse_i64(smax, strlen(smax), &n) || n < -1000 || n > 1000)
            return cxm__page_message(req, resp, 400, "Bad score",
                                     "score_max is a whole number.");
        q.has_score_max = true;
        q.score_max = (int)n;
    }
    cxm__table_init(&t, CXM_ARRAY_LEN(comment_cols), comment_cols);
    t.numeric[3] = true;
    pthread_mutex_lock(req->ctx->rlock);
    rc = cxm_comments(req->ctx->rst, &q, comment_row, &t);
    pthread_mutex_unlock(req->ctx->rlock);
    if (rc) {
        cxm__table_release(&t);
        return cxm__page_message(req, resp, 503, "Please try again",
                                 "The store failed.");
    }
    if (csv) {
        status = cxm__table_csv(resp, &t,
                                "attachment; filename=\"comments.csv\"");
        cxm__table_release(&t);
        return status;
    }
    rows = t.n_cols ? t.n_cells / t.n_cols : 0;
    rc = cxm__page_begin(req, resp, "Comments", "/comments");
    if (!rc)
        rc = cxm__view_controls(b, &v, "/comments");
    /* The search and the score bound join the view's form. */
    if (!rc && b->len >= sizeof(submit) - 1 &&
        memcmp(b->data + b->len - (sizeof(submit) - 1), submit,
               sizeof(submit) - 1) == 0) {
        b->len -= sizeof(submit) - 1;
        b->data[b->len] = '\0';
        rc = cxm__html_raw(b, "<label>Text <input type=\"search\" "
                              "name=\"q\" id=\"q\" value=\"");
        if (!rc)
            rc = cxm__html_str(b, search ? search : "");
        if (!rc)
            rc = cxm__html_raw(b, "\"></label><label>Score at most <input "
                                  "type=\"number\" name=\"score_max\" "
                                  "id=\"score_max\" value=\"");
        if (!rc && q.has_score_max)
            rc = cxm__buf_addf(b, "%d", q.score_max);
        if (!rc)
            rc = cxm__html_raw(b, "\"></label>");
        if (!rc)
            rc = cxm__html_raw(b, submit);
    }
    if (!rc)
        rc = cxm__buf_addf(b, "<p class=\"note\" id=\"comments-what\">%zu "
                              "comment%s%s, newest first.</p>",
                           rows, rows == 1 ? "" : "s",
                           rows == COMMENT_ROWS ? " (the newest; the CSV "
                                                  "has them all)"
                                                : "");
    if (!rc) {
        struct cxm__buf extra = CXM__BUF_INIT(8192);
        struct cxm__buf url = CXM__BUF_INIT(16384);
        rc = cxm__buf_adds(&extra, "format=csv");
        if (!rc)
            rc = add_param(&extra, "q", search);
        if (!rc && q.has_score_max)
            rc = cxm__buf_addf(&extra, "&score_max=%d", q.score_max);
        if (!rc)
            rc = cxm__view_url(&url, &v, "/comments", extra.data);
        if (!rc)
            rc = cxm__buf_addc(&url, '\0');
        if (!rc)
            rc = cxm__table_html(b, &t, "comments", "Comments", url.data);
        cxm__buf_release(&extra);
        cxm__buf_release(&url);
    }
    if (!rc)
        rc = cxm__page_end(req, resp);
    cxm__table_release(&t);
    return rc ? 500 : 200;
}
