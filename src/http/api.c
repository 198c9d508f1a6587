/* SPDX-License-Identifier: MIT
 *
 * api.c — the JSON API under /api/v1/ (SPEC §5). The server has checked
 * the bearer token before a handler runs. Bodies are parsed with jansson;
 * responses go through the importer's validation and store path (rows.c);
 * the report is cxm_report_run() and cxm_report_format(CXM_FORMAT_JSON),
 * the calls `cxmeter report --format json` makes.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_int.h"
#include "invite.h"

int cxm__http_json_reply(struct cxm__http_resp *resp, int status, json_t *v)
{
    char *text;

    resp->content_type = "application/json";
    if (!v)
        return 500;
    text = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    if (!text)
        return 500;
    cxm__buf_reset(&resp->body);
    if (cxm__buf_adds(&resp->body, text) || cxm__buf_addc(&resp->body, '\n')) {
        free(text);
        return 500;
    }
    free(text);
    return status;
}

int cxm__http_json_error(struct cxm__http_resp *resp, int status,
                         const char *message)
{
    return resp->status = cxm__http_json_reply(
               resp, status, json_pack("{ss}", "error", message));
}

static int field_errors(struct cxm__http_resp *resp,
                        const struct cxm__row_error *errs, size_t n)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_pack("{sIssss}", "index",
                                              (json_int_t)errs[i].index,
                                              "field", errs[i].field,
                                              "reason", errs[i].reason));
    return cxm__http_json_reply(resp, 400,
                                arr ? json_pack("{so}", "errors", arr)
                                    : NULL);
}

static bool is_json(const struct cxm__http_req *req)
{
    return strncmp(req->content_type, "application/json", 16) == 0;
}

/* A string member of obj, or NULL; *bad when present but not a string. */
static const char *member(json_t *obj, const char *name, bool *bad)
{
    json_t *v = json_object_get(obj, name);

    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v) || memchr(json_string_value(v), '\0',
                                     json_string_length(v))) {
        *bad = true;
        return NULL;
    }
    return json_string_value(v);
}

/* Jobs of the writer (writer.c). */
struct invite_job {
    const struct cxm_invitation_req *req;
    struct cxm_invitation *inv;
    struct cxm_invitation_error *err;
};

static cxm_rc invite_job_run(cxm_store *st, void *ud)
{
    struct invite_job *j = ud;

    return cxm_invitation_create(st, j->req, j->inv, j->err);
}

struct rows_job {
    cxm_kind kind;
    struct cxm__kvrow *rows;
    size_t n;
    const struct cxm__window *win;
    struct cxm__row_error *err;
    const struct cxm__rows_hook *hook;
};

static cxm_rc rows_job_run(cxm_store *st, void *ud)
{
    struct rows_job *j = ud;
    cxm_rc rc = cxm__rows_put(st, j->kind, j->rows, j->n, j->win, j->err);

    if (!rc && j->hook)
        rc = j->hook->after(st, j->rows, j->n, j->hook->ud);
    return rc;
}

int cxm__http_api_invitations(struct cxm__http_req *req,
                              struct cxm__http_resp *resp)
{
    static const char *const names[] = {"survey", "language", "ticket_id",
                                        "customer_id", "agent_id", "team",
                                        "channel"};
    struct cxm_invitation_req ir;
    struct cxm_invitation inv;
    struct cxm_invitation_error err;
    const char *vals[7];
    json_error_t jerr;
    json_t *doc;
    char link[512], at[40];
    cxm_rc rc;

    if (!is_json(req))
        return cxm__http_json_error(resp, 415, "send application/json");
    doc = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(doc)) {
        struct cxm__row_error e = {0, "", ""};
        snprintf(e.reason, sizeof(e.reason), "%s",
                 doc ? "expected a JSON object" : jerr.text);
        json_decref(doc);
        return field_errors(resp, &e, 1);
    }
    for (size_t i = 0; i < 7; i++) {
        bool bad = false;
        vals[i] = member(doc, names[i], &bad);
        if (bad) {
            struct cxm__row_error e = {0, "", "must be a string"};
            snprintf(e.field, sizeof(e.field), "%s", names[i]);
            json_decref(doc);
            return field_errors(resp, &e, 1);
        }
    }
    memset(&ir, 0, sizeof(ir));
    ir.size = sizeof(ir);
    ir.survey = vals[0];
    ir.language = vals[1];
    ir.ticket_id = vals[2];
    ir.customer_id = vals[3];
    ir.agent_id = vals[4];
    ir.team = vals[5];
    ir.channel = vals[6];
    {
        struct invite_job j = {&ir, &inv, &err};
        memset(&err, 0, sizeof(err));
        rc = cxm__writer_run(req->ctx->writer, invite_job_run, &j);
    }
    json_decref(doc);
    if (rc == CXM_EINPUT) {
        struct cxm__row_error e = {0, "", ""};
        snprintf(e.field, sizeof(e.field), "%s", err.field);
        snprintf(e.reason, sizeof(e.reason), "%s", err.reason);
        return field_errors(resp, &e, 1);
    }
    if (rc)
        return cxm__http_json_error(resp, 503, "the store failed");
    snprintf(link, sizeof(link), "%s/s/%s", req->ctx->public_url, inv.token);
    cxm_time_format(inv.expires_at, at, sizeof(at));
    return cxm__http_json_reply(resp, 201,
                                json_pack("{ssssss}", "id", inv.id, "link",
                                          link, "expires_at", at));
}

int cxm__http_post_rows(struct cxm__http_req *req,
                        struct cxm__http_resp *resp, cxm_kind kind,
                        const struct cxm__rows_hook *hook)
{
    struct cxm__row_error errs[CXM_HTTP_MAX_API_ERRORS];
    struct cxm__kvrow *rows = NULL;
    struct cxm__window win;
    cxm_store *st;
    size_t n = 0, n_errs = 0;
    int status;
    cxm_rc rc;

    if (!is_json(req))
        return cxm__http_json_error(resp, 415, "send application/json");
    st = cxm__read_begin(req->ctx);
    rc = cxm__store_window(st, &win);
    cxm__read_end(req->ctx, st);
    if (!rc)
        rc = cxm__rows_from_json(kind, req->body, req->body_len, &win, &rows,
                                 &n, errs, CXM_ARRAY_LEN(errs), &n_errs);
    if (rc == CXM_EINPUT || (!rc && n_errs)) {
        status = field_errors(resp, errs,
                              n_errs < CXM_ARRAY_LEN(errs)
                                  ? n_errs
                                  : CXM_ARRAY_LEN(errs));
    } else if (rc == CXM_ETOOBIG) {
        status = cxm__http_json_error(resp, 413, "at most 1000 records per "
                                                 "request");
    } else if (rc) {
        status = cxm__http_json_error(resp, 503, "the store failed");
    } else if (n == 0) {
        status = cxm__http_json_reply(resp, 201,
                                      json_pack("{si}", "stored", 0));
    } else {
        struct rows_job j = {kind, rows, n, &win, errs, hook};
        rc = cxm__writer_run(req->ctx->writer, rows_job_run, &j);
        if (rc == CXM_EINPUT)
            status = field_errors(resp, errs, 1);
        else if (rc)
            status = cxm__http_json_error(resp, 503, "the store failed");
        else {
            json_t *o = json_pack("{sI}", "stored", (json_int_t)n);
            if (o && hook && hook->reply && hook->reply(o, hook->ud)) {
                json_decref(o);
                o = NULL;
            }
            status = cxm__http_json_reply(resp, 201, o);
        }
    }
    for (size_t i = 0; i < n; i++)
        cxm__kvrow_release(&rows[i]);
    cxm__free(rows);
    return status;
}

int cxm__http_api_responses(struct cxm__http_req *req,
                            struct cxm__http_resp *resp)
{
    return cxm__http_post_rows(req, resp, CXM_KIND_RESPONSES, NULL);
}

/* Splits a comma list and parses each name; false on a bad one. */
static bool parse_list(const char *list, int *out, size_t cap, size_t *n,
                       cxm_rc (*parse)(const char *, int *))
{
    char name[64];
    const char *p = list;

    *n = 0;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        int v;
        if (len == 0 || len >= sizeof(name) || *n == cap)
            return false;
        memcpy(name, p, len);
        name[len] = '\0';
        if (parse(name, &v))
            return false;
        for (size_t i = 0; i < *n; i++) {
            if (out[i] == v)
                return false;
        }
        out[(*n)++] = v;
        p += len + (comma ? 1 : 0);
    }
    return true;
}

static cxm_rc metric_parse(const char *name, int *out)
{
    cxm_metric m;
    cxm_rc rc = cxm_metric_parse(name, &m);

    *out = (int)m;
    return rc;
}

static cxm_rc dim_parse(const char *name, int *out)
{
    cxm_dim d;
    cxm_rc rc = cxm_dim_parse(name, &d);

    *out = (int)d;
    return rc;
}

int cxm__http_api_report(struct cxm__http_req *req,
                         struct cxm__http_resp *resp)
{
    struct cxm_report_query q;
    int metrics[CXM_METRIC_COUNT], by[CXM_REPORT_MAX_BY];
    cxm_metric m[CXM_METRIC_COUNT];
    cxm_dim d[CXM_REPORT_MAX_BY];
    const char *v;
    cxm_report *r = NULL;
    cxm_store *st;
    char *text = NULL;
    size_t len = 0;
    int status;
    cxm_rc rc;

    memset(&q, 0, sizeof(q));
    q.size = sizeof(q);
    q.metrics = m;
    q.by = d;
    if ((v = req->arg(req, "metrics")) &&
        !parse_list(v, metrics, CXM_METRIC_COUNT, &q.n_metrics, metric_parse))
        return cxm__http_json_error(resp, 400, "metrics: unknown or repeated "
                                               "metric");
    if ((v = req->arg(req, "by")) &&
        !parse_list(v, by, CXM_REPORT_MAX_BY, &q.n_by, dim_parse))
        return cxm__http_json_error(resp, 400, "by: unknown or repeated "
                                               "breakdown");
    for (size_t i = 0; i < q.n_metrics; i++)
        m[i] = (cxm_metric)metrics[i];
    for (size_t i = 0; i < q.n_by; i++)
        d[i] = (cxm_dim)by[i];
    if ((v = req->arg(req, "from"))) {
        if (cxm_time_parse(v, strlen(v), true, &q.from_ms, NULL))
            return cxm__http_json_error(resp, 400, "from: not a date or "
                                                   "timestamp");
        q.has_from = true;
    }
    if ((v = req->arg(req, "to"))) {
        if (cxm_time_parse(v, strlen(v), true, &q.to_ms, NULL))
            return cxm__http_json_error(resp, 400, "to: not a date or "
                                                   "timestamp");
        q.has_to = true;
    }
    if (q.has_from && q.has_to && q.from_ms >= q.to_ms)
        return cxm__http_json_error(resp, 400, "from must be before to");
    q.tz = req->arg(req, "tz");
    if ((v = req->arg(req, "compare"))) {
        if (strcmp(v, "previous") != 0)
            return cxm__http_json_error(resp, 400, "compare: only "
                                                   "'previous' is known");
        q.compare = true;
    }
    st = cxm__read_begin(req->ctx);
    rc = cxm_report_run(st, &q, &r);
    if (!rc)
        rc = cxm_report_format(r, CXM_FORMAT_JSON, &text, &len);
    cxm__read_end(req->ctx, st);
    switch (rc) {
    case CXM_OK:
        resp->content_type = "application/json";
        status = cxm__buf_add(&resp->body, text, len) ? 500 : 200;
        break;
    case CXM_ETOOBIG:
        status = cxm__http_json_error(resp, 400, cxm_report_errmsg(r));
        break;
    case CXM_EUSAGE:
        status = cxm__http_json_error(resp, 400, "no requested metric "
                                                 "applies to this breakdown");
        break;
    case CXM_ENOZONE:
    case CXM_ENOTBUILT:
        status = cxm__http_json_error(resp, 400, "unknown time zone");
        break;
    case CXM_EINVAL:
        status = cxm__http_json_error(resp, 400, "malformed query");
        break;
    default:
        status = cxm__http_json_error(resp, 503, "the store failed");
    }
    cxm_free(text);
    cxm_report_free(r);
    return status;
}

static cxm_rc add_survey(const cxm_survey *s, void *ud)
{
    json_t *arr = ud, *langs = json_array();

    for (size_t i = 0; langs && i < cxm_survey_n_languages(s); i++)
        json_array_append_new(langs,
                              json_string(cxm_survey_language(s, i)));
    if (!langs || json_array_append_new(
                      arr, json_pack("{sssssisossss}", "id",
                                     cxm_survey_id(s), "kind",
                                     cxm_survey_kind_name(
                                         cxm_survey_kind_of(s)),
                                     "version", cxm_survey_version(s),
                                     "languages", langs, "default_language",
                                     cxm_survey_default_language(s), "title",
                                     cxm_survey_title(s, NULL))))
        return CXM_ENOMEM;
    return CXM_OK;
}

int cxm__http_api_surveys(struct cxm__http_req *req,
                          struct cxm__http_resp *resp)
{
    json_t *arr = json_array();
    cxm_store *st;
    cxm_rc rc;

    if (!arr)
        return 500;
    st = cxm__read_begin(req->ctx);
    rc = cxm_survey_list(st, add_survey, arr);
    cxm__read_end(req->ctx, st);
    if (rc) {
        json_decref(arr);
        return cxm__http_json_error(resp, 503, "the store failed");
    }
    return cxm__http_json_reply(resp, 200, json_pack("{so}", "surveys", arr));
}
