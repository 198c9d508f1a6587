/* SPDX-License-Identifier: MIT
 *
 * fuzz_record.c — libFuzzer target for row validation (record.c) behind the
 * CSV reader, the way import.c drives them: the first record is the header,
 * mapped to a kind's columns by trimmed, case-insensitive name; every later
 * record goes through cxm__record_validate(). Each input is tried as each
 * of the nine kinds twice: as it is, and after a header naming all the
 * kind's columns (so that every row meets every column type), the second
 * time under a small record cap. An accepted row must satisfy the data
 * contract of SPEC §1, checked here again independently; a rejected one
 * must say why.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "csv.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_COLS 32

static void fail(cxm_kind kind, long line, const char *what)
{
    fprintf(stderr, "fuzz_record: %s, line %ld: %s\n", cxm_kind_name(kind),
            line, what);
    abort();
}

/* The value of column `name` of the kind (the column must exist). */
static const struct cxm__value *val(const struct cxm__kindspec *ks,
                                    const struct cxm__value *vals,
                                    const char *name)
{
    for (size_t j = 0; j < ks->n_cols; j++) {
        if (strcmp(ks->cols[j].name, name) == 0)
            return &vals[j];
    }
    abort();
}

static bool is_set(const struct cxm__value *v)
{
    return v->type != CXM__V_NULL;
}

/* The contract's checks across columns, written apart from record.c.
 * `scale_given`: the row has a non-empty scale (responses). */
static void check_contract(cxm_kind kind, const struct cxm__kindspec *ks,
                           const struct cxm__value *vals, bool scale_given,
                           long line)
{
    const struct cxm__value *a, *b;

#define ORDER(earlier, later)                                              \
    do {                                                                   \
        a = val(ks, vals, earlier);                                        \
        b = val(ks, vals, later);                                          \
        if (is_set(a) && is_set(b) && b->i < a->i)                         \
            fail(kind, line, later " before " earlier " accepted");        \
    } while (0)

    switch (kind) {
    case CXM_KIND_TICKETS:
        ORDER("created_at", "first_response_at");
        ORDER("created_at", "resolved_at");
        a = val(ks, vals, "contacts");
        if (is_set(a) && a->i < 0)
            fail(kind, line, "negative contacts accepted");
        break;
    case CXM_KIND_RESPONSES: {
        const struct cxm__value *sv = val(ks, vals, "survey");
        const struct cxm__value *sc = val(ks, vals, "scale");
        int lo, hi;
        a = val(ks, vals, "score");
        if (sc->type != CXM__V_INT || sc->i >= sc->i2)
            fail(kind, line, "no valid scale after validation");
        if (is_set(a) && (a->i < sc->i || a->i > sc->i2))
            fail(kind, line, "score outside its scale accepted");
        cxm__survey_default_scale(sv->s, &lo, &hi);
        if (!scale_given && (sc->i != lo || sc->i2 != hi))
            fail(kind, line, "default scale not applied");
        if (strcmp(sv->s, "csat") != 0 && strcmp(sv->s, "nps") != 0 &&
            strcmp(sv->s, "ces") != 0 && sv->len <= 4 &&
            (cxm__eq_nocase(sv->s, sv->len, "csat") ||
             cxm__eq_nocase(sv->s, sv->len, "nps") ||
             cxm__eq_nocase(sv->s, sv->len, "ces")))
            fail(kind, line, "survey kind not folded to lower case");
        break;
    }
    case CXM_KIND_CUSTOMERS:
        ORDER("acquired_at", "churned_at");
        break;
    case CXM_KIND_AGENTS:
        ORDER("hired_at", "left_at");
        break;
    case CXM_KIND_AGENT_HOURS:
        a = val(ks, vals, "hours");
        if (!(a->d >= 0 && a->d <= 24))
            fail(kind, line, "hours outside [0, 24] accepted");
        break;
    case CXM_KIND_REVIEWS:
        a = val(ks, vals, "rating");
        b = val(ks, vals, "scale_max");
        if (b->type != CXM__V_REAL || !(b->d > 1 && b->d <= 100))
            fail(kind, line, "bad scale_max accepted");
        if (!(a->d >= 1 && a->d <= b->d))
            fail(kind, line, "rating outside its scale accepted");
        break;
    case CXM_KIND_QA_SCORES:
        a = val(ks, vals, "score");
        b = val(ks, vals, "max_score");
        if (b->type != CXM__V_REAL || !(b->d > 0))
            fail(kind, line, "bad max_score accepted");
        if (!(a->d >= 0 && a->d <= b->d))
            fail(kind, line, "score outside [0, max_score] accepted");
        break;
    case CXM_KIND_ORDERS:
    case CXM_KIND_SELFSERVICE:
    case CXM_KIND_COUNT:
        break;
    }
#undef ORDER
}

/* Checks one accepted row value by value against its field. */
static void check_values(cxm_kind kind, const struct cxm__kindspec *ks,
                         const struct cxm__csv_rec *rec, const int *colmap,
                         const struct cxm__value *vals)
{
    for (size_t j = 0; j < ks->n_cols; j++) {
        const struct cxm__colspec *cs = &ks->cols[j];
        const struct cxm__value *v = &vals[j];
        const char *s;
        size_t n;
        int64_t ms;

        if (colmap[j] < 0 || rec->lens[colmap[j]] == 0) {
            if (cs->required)
                fail(kind, rec->line, "required value missing but accepted");
            continue; /* NULL, or a default (scale, scale_max, ...) */
        }
        s = rec->fields[colmap[j]];
        n = rec->lens[colmap[j]];
        if (!cxm__utf8_valid(s, n))
            fail(kind, rec->line, "invalid UTF-8 accepted");
        switch (cs->type) {
        case CXM__COL_TEXT:
            if (v->type != CXM__V_TEXT || v->s != s || v->len != n)
                fail(kind, rec->line, "text value is not its field");
            for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
                    c == 0x7F)
                    fail(kind, rec->line, "control character in text");
            }
            break;
        case CXM__COL_ID:
        case CXM__COL_KEY:
        case CXM__COL_SURVEY:
        case CXM__COL_CURRENCY:
            /* Trimmed: a part of the field, no space at either end, no
             * control character (validation may have ended it with a
             * NUL where trailing space was). */
            if (v->type == CXM__V_NULL && !cs->required)
                break;
            if (v->type != CXM__V_TEXT || v->s < s || v->len == 0 ||
                v->s + v->len > s + n)
                fail(kind, rec->line, "key value is not its trimmed field");
            if (cxm__is_space((unsigned char)v->s[0]) ||
                cxm__is_space((unsigned char)v->s[v->len - 1]))
                fail(kind, rec->line, "key value not trimmed");
            for (size_t i = 0; i < v->len; i++) {
                unsigned char c = (unsigned char)v->s[i];
                if (c < 0x20 || c == 0x7F)
                    fail(kind, rec->line, "control character in a key");
                if (cs->type == CXM__COL_CURRENCY && !(c >= 'A' && c <= 'Z'))
                    fail(kind, rec->line, "currency not upper-case letters");
            }
            if (cs->type == CXM__COL_CURRENCY && v->len != 3)
                fail(kind, rec->line, "currency not three letters");
            break;
        case CXM__COL_TS:
        case CXM__COL_DATE:
            if (v->type != CXM__V_INT ||
                cxm_time_parse(s, n, cs->type == CXM__COL_DATE, &ms,
                               NULL) != CXM_OK ||
                ms != v->i)
                fail(kind, rec->line, "timestamp value differs");
            break;
        case CXM__COL_DAY:
            if (v->type != CXM__V_INT ||
                cxm_time_parse(s, n, true, &ms, NULL) != CXM_OK ||
                cxm_time_parse(s, 10, true, &ms, NULL) != CXM_OK ||
                ms != v->i || v->i % CXM__MS_PER_DAY != 0)
                fail(kind, rec->line, "day value differs");
            break;
        case CXM__COL_INT:
            if (v->type != CXM__V_INT ||
                cxm__parse_i64(s, n, &ms) != CXM_OK || ms != v->i)
                fail(kind, rec->line, "integer value differs");
            break;
        case CXM__COL_BOOL:
            if (v->type != CXM__V_INT || (v->i != 0 && v->i != 1))
                fail(kind, rec->line, "boolean not 0 or 1");
            break;
        case CXM__COL_NUM:
            if (v->type != CXM__V_REAL || !isfinite(v->d))
                fail(kind, rec->line, "number not finite");
            break;
        case CXM__COL_SCALE:
            if (v->type != CXM__V_INT || v->i >= v->i2)
                fail(kind, rec->line, "scale not MIN < MAX");
            break;
        }
    }
}

/* True when the row has a non-empty `scale` field (responses only). */
static bool scale_given(const struct cxm__kindspec *ks,
                        const struct cxm__csv_rec *rec, const int *colmap)
{
    for (size_t j = 0; j < ks->n_cols; j++) {
        if (strcmp(ks->cols[j].name, "scale") == 0)
            return colmap[j] >= 0 && rec->lens[colmap[j]] > 0;
    }
    return false;
}

/* Maps the header as import.c does; false when a required column is
 * missing (import.c stops there). */
static bool map_header(const struct cxm__kindspec *ks,
                       const struct cxm__csv_rec *hdr, int *colmap)
{
    for (size_t j = 0; j < ks->n_cols; j++)
        colmap[j] = -1;
    for (size_t f = 0; f < hdr->n_fields; f++) {
        const char *name = hdr->fields[f];
        size_t n = hdr->lens[f];
        while (n && cxm__is_space((unsigned char)name[0])) {
            name++;
            n--;
        }
        while (n && cxm__is_space((unsigned char)name[n - 1]))
            n--;
        for (size_t j = 0; j < ks->n_cols; j++) {
            if (colmap[j] < 0 && cxm__eq_nocase(name, n, ks->cols[j].name)) {
                colmap[j] = (int)f;
                break;
            }
        }
    }
    for (size_t j = 0; j < ks->n_cols; j++) {
        if (ks->cols[j].required && colmap[j] < 0)
            return false;
    }
    return true;
}

/* Imports buf[0..n) as `kind` without a store. */
static void run(cxm_kind kind, const uint8_t *buf, size_t n,
                size_t max_record)
{
    const struct cxm__kindspec *ks = cxm__kind_spec(kind);
    struct cxm__reject rej = {0, CXM__BUF_INIT(4096)};
    struct cxm__value vals[MAX_COLS];
    int colmap[MAX_COLS];
    struct cxm__csv *csv = NULL;
    struct cxm__csv_rec rec;
    const char *why;
    size_t n_header;
    FILE *fp;

    if (n == 0 || ks->n_cols > MAX_COLS)
        return;
    fp = fmemopen((void *)buf, n, "rb");
    if (!fp)
        return;
    if (cxm__csv_open(&csv, fp, max_record) != CXM_OK)
        goto out;
    if (cxm__csv_next(csv, &rec, &why) != CXM_OK)
        goto out;
    if (!map_header(ks, &rec, colmap))
        goto out;
    n_header = rec.n_fields;
    for (;;) {
        cxm_rc rc = cxm__csv_next(csv, &rec, &why);
        if (rc == CXM_EINPUT)
            continue;
        if (rc != CXM_OK)
            break;
        memset(vals, 0xA5, sizeof(vals)); /* no help from a previous row */
        rc = cxm__record_validate(kind, &rec, colmap, n_header, NULL, vals,
                                  &rej);
        if (rc == CXM_EINPUT) {
            if (!rej.reason.data || rej.reason.len == 0 ||
                strlen(rej.reason.data) != rej.reason.len)
                fail(kind, rec.line, "rejected without a reason");
            if (rej.col < -1 || rej.col >= (int)ks->n_cols)
                fail(kind, rec.line, "rejected column out of range");
            if ((rej.col == -1) != (rec.n_fields != n_header))
                fail(kind, rec.line, "whole-row reject not a field count");
            continue;
        }
        if (rc != CXM_OK)
            fail(kind, rec.line, "unexpected status");
        if (rec.n_fields != n_header)
            fail(kind, rec.line, "wrong field count accepted");
        check_values(kind, ks, &rec, colmap, vals);
        check_contract(kind, ks, vals, scale_given(ks, &rec, colmap),
                       rec.line);
    }
out:
    cxm__buf_release(&rej.reason);
    cxm__csv_close(csv);
    fclose(fp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t h = size;

    for (size_t i = 0; i < size && i < 16; i++)
        h = h * 31 + data[i];
    for (int k = 0; k < CXM_KIND_COUNT; k++) {
        const struct cxm__kindspec *ks = cxm__kind_spec((cxm_kind)k);
        struct cxm__buf b = CXM__BUF_INIT((size_t)1 << 24);
        size_t hdr_len;

        run((cxm_kind)k, data, size, 0);
        /* The kind's full header, then the input as rows. */
        for (size_t j = 0; j < ks->n_cols; j++) {
            if ((j && cxm__buf_addc(&b, ',')) ||
                cxm__buf_adds(&b, ks->cols[j].name))
                abort();
        }
        hdr_len = b.len;
        if (cxm__buf_addc(&b, '\n') || cxm__buf_add(&b, data, size))
            abort();
        run((cxm_kind)k, (const uint8_t *)b.data, b.len,
            hdr_len + 2 + h % 96);
        cxm__buf_release(&b);
    }
    return 0;
}
