/* SPDX-License-Identifier: MIT
 *
 * rows.c — records given as named values rather than CSV lines (the
 * JSON API's bodies, the answers of a hosted survey), validated and stored
 * through the importer's own path: cxm__record_validate() on a record
 * shaped like a CSV row, cxm__store_put(), the supplied-columns marks; the
 * caller's cxm__store_commit() then recounts rollups and column segments
 * for the changed days as it does for an import.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "invite.h"
#include "store_int.h"

cxm_rc cxm__kvrow_add(struct cxm__kvrow *r, const char *name,
                      const char *value, size_t len)
{
    char *copy;

    if (r->n == CXM__ROW_MAX_FIELDS)
        return CXM_ETOOBIG;
    copy = cxm__strndup(value, len);
    if (!copy)
        return CXM_ENOMEM;
    r->names[r->n] = name;
    r->values[r->n] = copy;
    r->lens[r->n] = len;
    r->n++;
    return CXM_OK;
}

void cxm__kvrow_release(struct cxm__kvrow *r)
{
    for (size_t i = 0; i < r->n; i++)
        cxm__free(r->values[i]);
    r->n = 0;
}

static cxm_rc refuse(struct cxm__reject *rej, const char *why)
{
    cxm__buf_reset(&rej->reason);
    rej->col = -1;
    return cxm__buf_adds(&rej->reason, why) ? CXM_ENOMEM : CXM_EINPUT;
}

cxm_rc cxm__kvrow_validate(cxm_kind kind, struct cxm__kvrow *r,
                           const struct cxm__window *win,
                           struct cxm__value *vals, const char **field_out,
                           struct cxm__reject *rej)
{
    const struct cxm__kindspec *ks = cxm__kind_spec(kind);
    int colmap[CXM__ROW_MAX_FIELDS];
    struct cxm__csv_rec rec;
    cxm_rc rc;

    *field_out = "";
    if (ks->n_cols > CXM__ROW_MAX_FIELDS)
        return refuse(rej, "too many columns");
    for (size_t j = 0; j < ks->n_cols; j++) {
        colmap[j] = -1;
        for (size_t i = 0; i < r->n; i++) {
            const char *nm = r->names[i];
            size_t nl = strlen(nm);
            cxm__trim(&nm, &nl);
            if (!cxm__eq_nocase(nm, nl, ks->cols[j].name))
                continue;
            if (colmap[j] >= 0) {
                *field_out = ks->cols[j].name;
                return refuse(rej, "the field is given twice");
            }
            colmap[j] = (int)i;
        }
        if (colmap[j] < 0 && ks->cols[j].required) {
            *field_out = ks->cols[j].name;
            return refuse(rej, "required field missing");
        }
    }
    /* A validation trims values in place (a NUL after the kept part):
     * lengths follow, so a record validates the same way twice (the
     * handler checks it, the writer's job checks it again). Values hold
     * no NUL of their own: cxm__rows_from_json() refuses one. */
    for (size_t i = 0; i < r->n; i++)
        r->lens[i] = strlen(r->values[i]);
    rec.n_fields = r->n;
    rec.fields = (const char *const *)r->values;
    rec.lens = r->lens;
    rec.line = rec.end_line = 0;
    rc = cxm__record_validate(kind, &rec, colmap, r->n, win, vals, rej);
    if (rc == CXM_EINPUT && rej->col >= 0)
        *field_out = ks->cols[rej->col].name;
    return rc;
}

cxm_rc cxm__kv_import_end(cxm_store *st, cxm_kind kind, uint64_t supplied)
{
    const struct cxm__kindspec *ks = cxm__kind_spec(kind);
    cxm_rc rc = cxm__store_import_end(st, kind);

    if (!rc)
        rc = cxm__store_put_supplied(st, kind, "");
    for (size_t j = 0; !rc && j < ks->n_cols && j < 64; j++) {
        if (!ks->cols[j].required && (supplied >> j & 1))
            rc = cxm__store_put_supplied(st, kind, ks->cols[j].name);
    }
    return rc;
}

static void set_error(struct cxm__row_error *e, size_t index,
                      const char *field, const char *reason)
{
    e->index = index;
    snprintf(e->field, sizeof(e->field), "%s", field);
    snprintf(e->reason, sizeof(e->reason), "%s", reason);
}

/* One member's value as the text a CSV field would hold. */
static cxm_rc member_text(json_t *v, char *num, size_t cap, const char **s,
                          size_t *len, bool *skip)
{
    *skip = false;
    switch (json_typeof(v)) {
    case JSON_STRING:
        *s = json_string_value(v);
        *len = json_string_length(v);
        return CXM_OK;
    case JSON_INTEGER:
        *len = (size_t)snprintf(num, cap, "%lld",
                                (long long)json_integer_value(v));
        *s = num;
        return CXM_OK;
    case JSON_TRUE:
    case JSON_FALSE:
        *s = json_is_true(v) ? "true" : "false";
        *len = strlen(*s);
        return CXM_OK;
    case JSON_NULL:
        *skip = true; /* as an empty field: missing */
        return CXM_OK;
    default:
        return CXM_EINPUT;
    }
}

static cxm_rc row_from_object(cxm_kind kind, json_t *obj, size_t index,
                              const struct cxm__window *win,
                              struct cxm__kvrow *row,
                              struct cxm__value *vals,
                              struct cxm__reject *rej,
                              struct cxm__row_error *err, bool *bad)
{
    const struct cxm__kindspec *ks = cxm__kind_spec(kind);
    const char *key, *field;
    json_t *v;
    cxm_rc rc;

    *bad = false;
    if (!json_is_object(obj)) {
        set_error(err, index, "", "not a JSON object");
        *bad = true;
        return CXM_OK;
    }
    json_object_foreach(obj, key, v) {
        char num[32];
        const char *s = NULL;
        size_t len = 0;
        const char *name = NULL; /* the spec's: outlives the document */
        bool skip;
        for (size_t j = 0; j < ks->n_cols && !name; j++) {
            if (cxm__eq_nocase(key, strlen(key), ks->cols[j].name))
                name = ks->cols[j].name;
        }
        if (!name)
            continue; /* an unknown column is ignored, as in a CSV */
        if (member_text(v, num, sizeof(num), &s, &len, &skip)) {
            set_error(err, index, name,
                      "must be a string, an integer, true, false or null");
            *bad = true;
            return CXM_OK;
        }
        if (skip)
            continue;
        if (memchr(s, '\0', len)) {
            set_error(err, index, name, "contains a NUL character");
            *bad = true;
            return CXM_OK;
        }
        rc = cxm__kvrow_add(row, name, s, len);
        if (rc == CXM_ETOOBIG) {
            set_error(err, index, "", "too many fields");
            *bad = true;
            return CXM_OK;
        }
        if (rc)
            return rc;
    }
    rc = cxm__kvrow_validate(kind, row, win, vals, &field, rej);
    if (rc == CXM_EINPUT) {
        set_error(err, index, field, rej->reason.data ? rej->reason.data : "");
        *bad = true;
        return CXM_OK;
    }
    return rc;
}

cxm_rc cxm__rows_from_json(cxm_kind kind, const char *body, size_t len,
                           const struct cxm__window *win,
                           struct cxm__kvrow **rows_out, size_t *n_out,
                           struct cxm__row_error *errs, size_t max_errs,
                           size_t *n_errs)
{
    const struct cxm__kindspec *ks = cxm__kind_spec(kind);
    struct cxm__reject rej = {0, CXM__BUF_INIT(4096)};
    struct cxm__kvrow *rows = NULL;
    struct cxm__value *vals = NULL;
    json_error_t jerr;
    json_t *doc, *item;
    size_t n_items, i;
    cxm_rc rc = CXM_OK;

    *rows_out = NULL;
    *n_out = 0;
    *n_errs = 0;
    doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        char why[256];
        snprintf(why, sizeof(why), "not JSON: %s (line %d, column %d)",
                 jerr.text, jerr.line, jerr.column);
        if (max_errs)
            set_error(&errs[0], 0, "", why);
        *n_errs = 1;
        return CXM_EINPUT;
    }
    n_items = json_is_array(doc) ? json_array_size(doc) : 1;
    if (!json_is_array(doc) && !json_is_object(doc)) {
        if (max_errs)
            set_error(&errs[0], 0, "", "expected an object or an array");
        *n_errs = 1;
        json_decref(doc);
        return CXM_EINPUT;
    }
    if (n_items > CXM__API_MAX_ROWS) {
        json_decref(doc);
        return CXM_ETOOBIG;
    }
    rows = cxm__calloc(n_items ? n_items : 1, sizeof(*rows));
    vals = cxm__calloc(ks->n_cols, sizeof(*vals));
    if (!rows || !vals) {
        rc = CXM_ENOMEM;
        goto out;
    }
    for (i = 0; i < n_items; i++) {
        struct cxm__row_error e;
        bool bad;
        item = json_is_array(doc) ? json_array_get(doc, i) : doc;
        rc = row_from_object(kind, item, i, win, &rows[i], vals, &rej, &e,
                             &bad);
        if (rc)
            goto out;
        if (bad) {
            if (*n_errs < max_errs)
                errs[*n_errs] = e;
            (*n_errs)++;
        }
    }
    *rows_out = rows;
    *n_out = n_items;
    rows = NULL;
out:
    if (rows) {
        for (i = 0; i < n_items; i++)
            cxm__kvrow_release(&rows[i]);
        cxm__free(rows);
    }
    cxm__free(vals);
    cxm__buf_release(&rej.reason);
    json_decref(doc);
    return rc;
}

cxm_rc cxm__rows_put(cxm_store *st, cxm_kind kind, struct cxm__kvrow *rows,
                     size_t n, const struct cxm__window *win,
                     struct cxm__row_error *err)
{
    const struct cxm__kindspec *ks = cxm__kind_spec(kind);
    struct cxm__reject rej = {0, CXM__BUF_INIT(4096)};
    struct cxm__value *vals;
    uint64_t supplied = 0;
    const char *field;
    cxm_rc rc = CXM_OK;

    vals = cxm__calloc(ks->n_cols, sizeof(*vals));
    if (!vals)
        return CXM_ENOMEM;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = cxm__kvrow_validate(kind, &rows[i], win, vals, &field, &rej);
        if (rc == CXM_EINPUT && err)
            set_error(err, i, field, rej.reason.data ? rej.reason.data : "");
        for (size_t j = 0; !rc && j < ks->n_cols && j < 64; j++) {
            if (vals[j].type != CXM__V_NULL)
                supplied |= UINT64_C(1) << j;
        }
        if (!rc)
            rc = cxm__store_put(st, kind, vals);
    }
    if (!rc && n)
        rc = cxm__kv_import_end(st, kind, supplied);
    cxm__free(vals);
    cxm__buf_release(&rej.reason);
    return rc;
}

cxm_rc cxm__store_window(cxm_store *st, struct cxm__window *win)
{
    struct cxm_import_opts none;

    memset(&none, 0, sizeof(none));
    none.size = sizeof(none);
    return cxm__import_window(st, &none, win);
}
