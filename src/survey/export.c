/* SPDX-License-Identifier: MIT
 *
 * export.c — `cxmeter export answers` (serve.h cxm_answers_export()): the
 * answers kept with each submission
 * (src/store/sqlite/sql/0012-invitations.sql), with
 * the invitation's dimensions, as CSV (one line per answered question,
 * escaped as the report's CSV is) or JSON (one object per submission).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "invite.h"
#include "report_int.h"
#include "store_int.h"
#include "survey_int.h"

/* The columns, in order, as the query below returns them. */
static const char *const cols[] = {
    "invitation_id", "survey", "survey_version", "language", "ticket_id",
    "customer_id", "agent_id", "team", "channel", "first_at", "updated_at",
    "submitted_at", "held"};
enum { N_COLS = 13, COL_VERSION = 2, COL_FIRST_TIME = 9, COL_HELD = 12 };

/* Column i of the row as text ("" for NULL; times as SPEC timestamps). */
static const char *text_of(sqlite3_stmt *s, int i, char *tmp, size_t cap)
{
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return "";
    if (i >= COL_FIRST_TIME && i < COL_HELD) {
        cxm_time_format(sqlite3_column_int64(s, i), tmp, cap);
        return tmp;
    }
    if (i == COL_HELD)
        return sqlite3_column_int(s, i) ? "true" : "false";
    return (const char *)sqlite3_column_text(s, i);
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

static cxm_rc csv_row(struct cxm__buf *b, sqlite3_stmt *s, json_t *answers)
{
    const char *q;
    json_t *v;
    cxm_rc rc = CXM_OK;

    json_object_foreach(answers, q, v) {
        char tmp[40];
        for (int i = 0; !rc && i < N_COLS; i++) {
            if (i)
                rc = cxm__buf_addc(b, ',');
            if (!rc)
                rc = cxm__csv_text(b, text_of(s, i, tmp, sizeof(tmp)));
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

static cxm_rc json_row(json_t *arr, sqlite3_stmt *s, json_t *answers)
{
    json_t *o = json_object();
    char tmp[40];

    if (!o || json_array_append_new(arr, o))
        return CXM_ENOMEM;
    for (int i = 0; i < N_COLS; i++) {
        json_t *v;
        if (sqlite3_column_type(s, i) == SQLITE_NULL)
            v = json_null();
        else if (i == COL_VERSION)
            v = json_integer(sqlite3_column_int(s, i));
        else if (i == COL_HELD)
            v = json_boolean(sqlite3_column_int(s, i));
        else
            v = json_string(text_of(s, i, tmp, sizeof(tmp)));
        if (!v || json_object_set_new(o, cols[i], v))
            return CXM_ENOMEM;
    }
    return json_object_set(o, "answers", answers) ? CXM_ENOMEM : CXM_OK;
}

cxm_rc cxm_answers_export(cxm_store *st, const char *fmt, char **out,
                          size_t *len_out)
{
    struct cxm__buf b = CXM__BUF_INIT((size_t)1 << 34);
    bool csv;
    json_t *arr = NULL;
    sqlite3_stmt *s;
    cxm_rc rc;
    int r = SQLITE_DONE;

    if (!st || !fmt || !out || !len_out)
        return CXM_EINVAL;
    *out = NULL;
    *len_out = 0;
    csv = strcmp(fmt, "csv") == 0;
    if (!csv && strcmp(fmt, "json") != 0)
        return CXM_EINVAL;
    rc = cxm__survey_prepare(
        st,
        "SELECT i.invitation_id, i.survey_id, i.survey_version, i.language,"
        " i.ticket_id, i.customer_id, i.agent_id, i.team, i.channel,"
        " s.first_at, s.updated_at, s.submitted_at, s.held, s.answers"
        " FROM submissions s JOIN invitations i"
        " ON i.workspace_id = s.workspace_id"
        " AND i.invitation_id = s.invitation_id"
        " WHERE s.workspace_id = ?1 ORDER BY s.first_at, s.invitation_id",
        &s);
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
    while (!rc && (r = sqlite3_step(s)) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(s, N_COLS);
        json_t *answers = text ? json_loads(text, 0, NULL) : NULL;
        if (!json_is_object(answers)) {
            json_decref(answers);
            answers = json_object();
            if (!answers) {
                rc = CXM_ENOMEM;
                break;
            }
        }
        rc = csv ? csv_row(&b, s, answers) : json_row(arr, s, answers);
        json_decref(answers);
    }
    if (!rc && r != SQLITE_DONE)
        rc = cxm__survey_sq_fail(st);
    sqlite3_finalize(s);
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
