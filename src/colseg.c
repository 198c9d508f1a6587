/* SPDX-License-Identifier: MIT
 *
 * colseg.c — column segments of survey answers: collect, encode, and a
 * validated view of a stored blob (colseg.h has the layout). A blob comes
 * from the store, so the view checks every size before anything is read.
 */
#include "colseg.h"

#include <string.h>

cxm_rc cxm__colseg_push(struct cxm__colseg_writer *w, uint32_t off,
                        uint16_t score, const uint16_t id[CXM__COL_COUNT])
{
    if (w->n == w->cap) {
        size_t cap = w->cap;
        cxm_rc rc = cxm__grow((void **)&w->off, &cap, w->n + 1,
                              sizeof(*w->off));
        for (int c = 0; !rc && c < CXM__COL_COUNT; c++) {
            cap = w->cap;
            rc = cxm__grow((void **)&w->id[c], &cap, w->n + 1,
                           sizeof(*w->id[c]));
        }
        if (!rc) {
            cap = w->cap;
            rc = cxm__grow((void **)&w->score, &cap, w->n + 1,
                           sizeof(*w->score));
        }
        if (rc)
            return rc;
        w->cap = cap;
    }
    w->off[w->n] = off;
    w->score[w->n] = score;
    for (int c = 0; c < CXM__COL_COUNT; c++)
        w->id[c][w->n] = id[c];
    w->n++;
    return CXM_OK;
}

void cxm__colseg_writer_release(struct cxm__colseg_writer *w)
{
    cxm__free(w->off);
    cxm__free(w->score);
    for (int c = 0; c < CXM__COL_COUNT; c++)
        cxm__free(w->id[c]);
    memset(w, 0, sizeof(*w));
}

static int width_of(const uint16_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] > 255)
            return 2;
    }
    return 1;
}

static uint8_t *put_col(uint8_t *p, const uint16_t *v, size_t n, int w)
{
    for (size_t i = 0; i < n; i++) {
        *p++ = (uint8_t)v[i];
        if (w == 2)
            *p++ = (uint8_t)(v[i] >> 8);
    }
    return p;
}

cxm_rc cxm__colseg_encode(const struct cxm__colseg_writer *w,
                          uint8_t **blob_out, size_t *len_out)
{
    int sw = width_of(w->score, w->n), cw[CXM__COL_COUNT];
    size_t per = 4 + (size_t)sw, len;
    uint8_t *blob, *p;

    *blob_out = NULL;
    *len_out = 0;
    if (w->n > UINT32_MAX)
        return CXM_ETOOBIG;
    for (int c = 0; c < CXM__COL_COUNT; c++) {
        cw[c] = width_of(w->id[c], w->n);
        per += (size_t)cw[c];
    }
    if (!cxm__size_mul(&len, w->n, per) ||
        !cxm__size_add(&len, len, CXM__COLSEG_HEADER))
        return CXM_ETOOBIG;
    blob = cxm__malloc(len);
    if (!blob)
        return CXM_ENOMEM;
    memcpy(blob, "CXC1", 4);
    for (int b = 0; b < 4; b++)
        blob[4 + b] = (uint8_t)(w->n >> (8 * b));
    blob[8] = (uint8_t)sw;
    for (int c = 0; c < CXM__COL_COUNT; c++)
        blob[9 + c] = (uint8_t)cw[c];
    p = blob + CXM__COLSEG_HEADER;
    for (size_t i = 0; i < w->n; i++) {
        for (int b = 0; b < 4; b++)
            *p++ = (uint8_t)(w->off[i] >> (8 * b));
    }
    p = put_col(p, w->score, w->n, sw);
    for (int c = 0; c < CXM__COL_COUNT; c++)
        p = put_col(p, w->id[c], w->n, cw[c]);
    CXM_ASSERT((size_t)(p - blob) == len);
    *blob_out = blob;
    *len_out = len;
    return CXM_OK;
}

cxm_rc cxm__colseg_view(const uint8_t *blob, size_t len,
                        struct cxm__colseg *out)
{
    size_t n = 0, per, need;
    const uint8_t *p;

    memset(out, 0, sizeof(*out));
    if (!blob || len < CXM__COLSEG_HEADER || memcmp(blob, "CXC1", 4) != 0)
        return CXM_EINPUT;
    for (int b = 0; b < 4; b++)
        n |= (size_t)blob[4 + b] << (8 * b);
    out->score_w = blob[8];
    if (out->score_w != 1 && out->score_w != 2)
        return CXM_EINPUT;
    per = 4 + (size_t)out->score_w;
    for (int c = 0; c < CXM__COL_COUNT; c++) {
        out->w[c] = blob[9 + c];
        if (out->w[c] != 1 && out->w[c] != 2)
            return CXM_EINPUT;
        per += (size_t)out->w[c];
    }
    if (!cxm__size_mul(&need, n, per) ||
        !cxm__size_add(&need, need, CXM__COLSEG_HEADER) || need != len)
        return CXM_EINPUT;
    out->n = n;
    p = blob + CXM__COLSEG_HEADER;
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
