/* SPDX-License-Identifier: MIT
 *
 * colseg.c — column segments of survey answers: collect, encode, and a
 * validated view of a stored blob (colseg.h has the layout). A blob comes
 * from the store, so the view checks every size before anything is read,
 * and its checksum before a value is believed.
 */
#include "colseg.h"

#include <string.h>

#include "checksum.h"

#define CHECKSUM_AT 4 /* the checksum's offset; it covers what follows */
#define BODY_AT (CHECKSUM_AT + 8)

/* Grows every array of w (the third bytes already made too) to n + 1. */
static cxm_rc writer_grow(struct cxm__colseg_writer *w)
{
    size_t cap = w->cap;
    cxm_rc rc = cxm__grow((void **)&w->off, &cap, w->n + 1, sizeof(*w->off));

    for (int c = 0; !rc && c < CXM__COL_COUNT; c++) {
        cap = w->cap;
        rc = cxm__grow((void **)&w->id[c], &cap, w->n + 1, sizeof(*w->id[c]));
        if (!rc && w->hi[c]) {
            cap = w->cap;
            rc = cxm__grow((void **)&w->hi[c], &cap, w->n + 1, 1);
        }
    }
    if (!rc) {
        cap = w->cap;
        rc = cxm__grow((void **)&w->score, &cap, w->n + 1, sizeof(*w->score));
    }
    if (!rc)
        w->cap = cap;
    return rc;
}

cxm_rc cxm__colseg_push(struct cxm__colseg_writer *w, uint32_t off,
                        uint16_t score, const uint32_t id[CXM__COL_COUNT])
{
    cxm_rc rc;

    for (int c = 0; c < CXM__COL_COUNT; c++) {
        if (id[c] > CXM__COL_MAX_ID)
            return CXM_ETOOBIG;
    }
    if (w->n == w->cap) {
        rc = writer_grow(w);
        if (rc)
            return rc;
    }
    for (int c = 0; c < CXM__COL_COUNT; c++) {
        if (id[c] > 0xFFFF && !w->hi[c]) {
            /* The column's first wide id: its earlier ones were narrow. */
            w->hi[c] = cxm__calloc(w->cap, 1);
            if (!w->hi[c])
                return CXM_ENOMEM;
        }
    }
    w->off[w->n] = off;
    w->score[w->n] = score;
    for (int c = 0; c < CXM__COL_COUNT; c++) {
        w->id[c][w->n] = (uint16_t)id[c];
        if (w->hi[c])
            w->hi[c][w->n] = (uint8_t)(id[c] >> 16);
    }
    w->n++;
    return CXM_OK;
}

void cxm__colseg_writer_release(struct cxm__colseg_writer *w)
{
    cxm__free(w->off);
    cxm__free(w->score);
    for (int c = 0; c < CXM__COL_COUNT; c++) {
        cxm__free(w->id[c]);
        cxm__free(w->hi[c]);
    }
    memset(w, 0, sizeof(*w));
}

static int width_of(const uint16_t *v, const uint8_t *hi, size_t n)
{
    int w = 1;

    for (size_t i = 0; i < n; i++) {
        if (hi && hi[i])
            return 3;
        if (v[i] > 255)
            w = 2;
    }
    return w;
}

static uint8_t *put_col(uint8_t *p, const uint16_t *v, const uint8_t *hi,
                        size_t n, int w)
{
    for (size_t i = 0; i < n; i++) {
        *p++ = (uint8_t)v[i];
        if (w >= 2)
            *p++ = (uint8_t)(v[i] >> 8);
        if (w == 3)
            *p++ = hi ? hi[i] : 0;
    }
    return p;
}

cxm_rc cxm__colseg_encode(const struct cxm__colseg_writer *w,
                          uint8_t **blob_out, size_t *len_out)
{
    int sw = width_of(w->score, NULL, w->n), cw[CXM__COL_COUNT];
    size_t per = 4 + (size_t)sw, len;
    uint8_t *blob, *p;

    *blob_out = NULL;
    *len_out = 0;
    if (w->n > UINT32_MAX)
        return CXM_ETOOBIG;
    for (int c = 0; c < CXM__COL_COUNT; c++) {
        cw[c] = width_of(w->id[c], w->hi[c], w->n);
        per += (size_t)cw[c];
    }
    if (!cxm__size_mul(&len, w->n, per) ||
        !cxm__size_add(&len, len, CXM__COLSEG_HEADER))
        return CXM_ETOOBIG;
    blob = cxm__malloc(len);
    if (!blob)
        return CXM_ENOMEM;
    memcpy(blob, "CXC2", 4);
    p = blob + BODY_AT;
    for (int b = 0; b < 4; b++)
        *p++ = (uint8_t)(w->n >> (8 * b));
    *p++ = (uint8_t)sw;
    for (int c = 0; c < CXM__COL_COUNT; c++)
        *p++ = (uint8_t)cw[c];
    for (size_t i = 0; i < w->n; i++) {
        for (int b = 0; b < 4; b++)
            *p++ = (uint8_t)(w->off[i] >> (8 * b));
    }
    p = put_col(p, w->score, NULL, w->n, sw);
    for (int c = 0; c < CXM__COL_COUNT; c++)
        p = put_col(p, w->id[c], w->hi[c], w->n, cw[c]);
    CXM_ASSERT((size_t)(p - blob) == len);
    cxm__put_le64(blob + CHECKSUM_AT, cxm__xxh64(blob + BODY_AT, len - BODY_AT, 0));
    *blob_out = blob;
    *len_out = len;
    return CXM_OK;
}

/* The view of the counts and columns at body[0..len) (n, widths, data:
 * the same in both layouts); `max_w`: the widest id column allowed. */
static cxm_rc view_body(const uint8_t *body, size_t len, int max_w,
                        struct cxm__colseg *out)
{
    size_t n = 0, per, need;
    const uint8_t *p;

    if (len < 4 + 1 + CXM__COL_COUNT)
        return CXM_EINPUT;
    for (int b = 0; b < 4; b++)
        n |= (size_t)body[b] << (8 * b);
    out->score_w = body[4];
    if (out->score_w != 1 && out->score_w != 2)
        return CXM_EINPUT;
    per = 4 + (size_t)out->score_w;
    for (int c = 0; c < CXM__COL_COUNT; c++) {
        out->w[c] = body[5 + c];
        if (out->w[c] < 1 || out->w[c] > max_w)
            return CXM_EINPUT;
        per += (size_t)out->w[c];
    }
    if (!cxm__size_mul(&need, n, per) ||
        !cxm__size_add(&need, need, 4 + 1 + CXM__COL_COUNT) || need != len)
        return CXM_EINPUT;
    out->n = n;
    p = body + 4 + 1 + CXM__COL_COUNT;
    out->off = p;
    p += 4 * n;
    out->score = p;
    p += (size_t)out->score_w * n;
    for (int c = 0; c < CXM__COL_COUNT; c++) {
        out->col[c] = p;
        p += (size_t)out->w[c] * n;
    }
    return CXM_OK;
}

cxm_rc cxm__colseg_view(const uint8_t *blob, size_t len, bool verify,
                        struct cxm__colseg *out)
{
    cxm_rc rc;

    memset(out, 0, sizeof(*out));
    if (!blob || len < CXM__COLSEG_HEADER || memcmp(blob, "CXC2", 4) != 0)
        return CXM_EINPUT;
    rc = view_body(blob + BODY_AT, len - BODY_AT, 3, out);
    if (!rc && verify &&
        cxm__get_le64(blob + CHECKSUM_AT) !=
            cxm__xxh64(blob + BODY_AT, len - BODY_AT, 0))
        rc = CXM_EINPUT;
    if (rc)
        memset(out, 0, sizeof(*out));
    return rc;
}

cxm_rc cxm__colseg_upgrade(const uint8_t *blob, size_t len, uint8_t **out,
                           size_t *len_out)
{
    struct cxm__colseg v;
    uint8_t *b;

    *out = NULL;
    *len_out = 0;
    if (!blob || len < CXM__COLSEG_V1_HEADER || memcmp(blob, "CXC1", 4) != 0 ||
        view_body(blob + 4, len - 4, 2, &v) != CXM_OK)
        return CXM_EINPUT;
    b = cxm__malloc(len + 8);
    if (!b)
        return CXM_ENOMEM;
    memcpy(b, "CXC2", 4);
    memcpy(b + BODY_AT, blob + 4, len - 4);
    cxm__put_le64(b + CHECKSUM_AT, cxm__xxh64(b + BODY_AT, len - 4, 0));
    *out = b;
    *len_out = len + 8;
    return CXM_OK;
}
