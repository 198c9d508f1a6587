/* SPDX-License-Identifier: MIT
 *
 * export.c — `cxmeter export answers` (serve.h cxm_answers_export()): the
 * answers kept with each submission
 * (src/store/sqlite/sql/0012-invitations.sql), with
 * the invitation's dimensions, as CSV (one line per answered question,
 * escaped as the report's CSV is) or JSON (one object per submission).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invite.h"
#include "report_int.h"
#include "store_int.h"

/* The columns, in order. */
static const char *const cols[] = {
    "invitation_id", "survey", "survey_version", "language", "ticket_id",
    "customer_id", "agent_id", "team", "channel", "first_at", "updated_at",
    "submitted_at", "held"};
enum { N_COLS = 13, COL_VERSION = 2, COL_FIRST_TIME = 9, COL_HELD = 12 };

/* Column i of the row as text, or NULL when it has none (times as SPEC
 * timestamps). */
static const char *text_of(const struct cxm__invitation_row *r, int i,
                           char *tmp, size_t cap)
{
    const char *text[] = {r->id,          r->survey_id, NULL,
                          r->language,    r->ticket_id, r->customer_id,
                          r->agent_id,    r->team,      r->channel};
    int64_t times[] = {r->first_at, r->updated_at, r->submitted_at};

    if (i == COL_VERSION) {
        snprintf(tmp, cap, "%d", r->survey_version);
        return tmp;
    }
    if (i < COL_FIRST_TIME)
        return text[i];
    if (i < COL_HELD) {
        if (i == COL_FIRST_TIME + 2 && !r->submitted_at)
            return NULL;
        cxm_time_format(times[i - COL_FIRST_TIME], tmp, cap);
        return tmp;
    }
    return r->held ? "true" : "false";
}

/* One answer as CSV text: a number, a string, choices joined by '|'. */
static cxm_rc csv_answer(struct cxm__buf *b, json_t *v)
{
    struct cxm__buf t = CXM__BUF_INIT(1u << 20);
    cxm_rc rc = CXM_OK;
    size_t i;
    json_t *x;

    if (json_is_integer(v))
        rc = cxm__buf_addf(&t, "%lld", (long long)json_integer_value(v));
    else if (json_is_string(v))
        rc = cxm__buf_adds(&t, json_string_value(v));
    else if (json_is_array(v)) {
        json_array_foreach(v, i, x) {
            if (!rc && i)
                rc = cxm__buf_addc(&t, '|');
            if (!rc && json_is_string(x))
                rc = cxm__buf_adds(&t, json_string_value(x));
        }
    }
    if (!rc)
        rc = cxm__csv_text(b, t.data ? t.data : "");
    cxm__buf_release(&t);
    return rc;
}

static cxm_rc csv_row(struct cxm__buf *b, const struct cxm__invitation_row *r,
                      json_t *answers)
{
    const char *q;
    json_t *v;
    cxm_rc rc = CXM_OK;

    json_object_foreach(answers, q, v) {
        char tmp[40];
        for (int i = 0; !rc && i < N_COLS; i++) {
            const char *t = text_of(r, i, tmp, sizeof(tmp));
            if (i)
                rc = cxm__buf_addc(b, ',');
            if (!rc)
                rc = cxm__csv_text(b, t ? t : "");
        }
        if (!rc)
            rc = cxm__buf_addc(b, ',');
        if (!rc)
            rc = cxm__csv_text(b, q);
        if (!rc)
            rc = cxm__buf_addc(b, ',');
        if (!rc)
            rc = csv_answer(b, v);
        if (!rc)
            rc = cxm__buf_addc(b, '\n');
        if (rc)
            break;
    }
    return rc;
}

static cxm_rc json_row(json_t *arr, const struct cxm__invitation_row *r,
                       json_t *answers)
{
    json_t *o = json_object();
    char tmp[40];

    if (!o || json_array_append_new(arr, o))
        return CXM_ENOMEM;
    for (int i = 0; i < N_COLS; i++) {
        const char *t = text_of(r, i, tmp, sizeof(tmp));
        json_t *v;
        if (i == COL_VERSION)
            v = json_integer(r->survey_version);
        else if (i == COL_HELD)
            v = json_boolean(r->held);
        else if (!t)
            v = json_null();
        else
            v = json_string(t);
        if (!v || json_object_set_new(o, cols[i], v))
            return CXM_ENOMEM;
    }
    return json_object_set(o, "answers", answers) ? CXM_ENOMEM : CXM_OK;
}

struct export {
    bool csv;
    struct cxm__buf *b;
    json_t *arr;
};

static cxm_rc on_submission(const struct cxm__invitation_row *r, void *ud)
{
    struct export *e = ud;
    json_t *answers = r->answers ? json_loads(r->answers, 0, NULL) : NULL;
    cxm_rc rc;

    if (!json_is_object(answers)) {
        json_decref(answers);
        answers = json_object();
        if (!answers)
            return CXM_ENOMEM;
    }
    rc = e->csv ? csv_row(e->b, r, answers) : json_row(e->arr, r, answers);
    json_decref(answers);
    return rc;
}

cxm_rc cxm_answers_export(cxm_store *st, const char *fmt, char **out,
                          size_t *len_out)
{
    struct cxm__buf b = CXM__BUF_INIT((size_t)1 << 34);
    struct export e;
    bool csv;
    json_t *arr = NULL;
    cxm_rc rc;

    if (!st || !fmt || !out || !len_out)
        return CXM_EINVAL;
    *out = NULL;
    *len_out = 0;
    csv = strcmp(fmt, "csv") == 0;
    if (!csv && strcmp(fmt, "json") != 0)
        return CXM_EINVAL;
    rc = cxm__store_invitations(st);
    if (rc)
        return rc;
    if (csv) {
        for (int i = 0; !rc && i < N_COLS; i++)
            rc = cxm__buf_addf(&b, "%s,", cols[i]);
        if (!rc)
            rc = cxm__buf_adds(&b, "question,answer\n");
    } else if (!(arr = json_array())) {
        rc = CXM_ENOMEM;
    }
    e.csv = csv;
    e.b = &b;
    e.arr = arr;
    if (!rc)
        rc = st->ops->submissions(st, on_submission, &e);
    if (!rc && !csv) {
        json_t *doc = json_pack("{so}", "answers", arr);
        char *text = doc ? json_dumps(doc, JSON_INDENT(1) |
                                               JSON_PRESERVE_ORDER)
                         : NULL;
        arr = NULL; /* stolen by json_pack ("o") */
        json_decref(doc);
        if (!text)
            rc = CXM_ENOMEM;
        else {
            rc = cxm__buf_adds(&b, text);
            if (!rc)
                rc = cxm__buf_addc(&b, '\n');
            free(text);
        }
    }
    json_decref(arr);
    if (rc) {
        cxm__buf_release(&b);
        return rc;
    }
    *out = cxm__buf_take(&b, len_out);
    return CXM_OK;
}
