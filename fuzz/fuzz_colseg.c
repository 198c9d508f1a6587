/* SPDX-License-Identifier: MIT
 *
 * fuzz_colseg.c — libFuzzer target for the column segment reader
 * (src/store/sqlite/colseg.c): a segment blob comes from the store, so the view must
 * refuse anything malformed without reading past it. The structure is
 * checked without the checksum (a fuzzer seldom guesses one; the checksum
 * itself is run on every input, and the "CXC1" upgrade too). When the input
 * is accepted, every value is read, the values are written again through
 * the encoder, and the re-encoded blob must view as the same values, its
 * checksum included.
 */
#include <stdlib.h>
#include <string.h>

#include "colseg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cxm__colseg v, v2;
    struct cxm__colseg_writer w;
    uint8_t *blob = NULL;
    size_t len = 0;

    if (cxm__colseg_upgrade(data, size, &blob, &len) == CXM_OK) {
        if (cxm__colseg_view(blob, len, true, &v) != CXM_OK)
            abort(); /* an upgraded segment carries its checksum */
        cxm__free(blob);
        blob = NULL;
    }
    if (cxm__colseg_view(data, size, true, &v) == CXM_OK && v.n > size)
        abort(); /* a sound segment holds at least a byte an answer */
    if (cxm__colseg_view(data, size, false, &v) != CXM_OK)
        return 0;
    memset(&w, 0, sizeof(w));
    for (size_t i = 0; i < v.n; i++) {
        uint32_t id[CXM__COL_COUNT];
        for (int c = 0; c < CXM__COL_COUNT; c++)
            id[c] = cxm__colseg_get(v.col[c], v.w[c], i);
        if (cxm__colseg_push(&w, cxm__colseg_off(&v, i),
                             (uint16_t)cxm__colseg_get(v.score, v.score_w,
                                                       i),
                             id) != CXM_OK)
            abort();
    }
    if (cxm__colseg_encode(&w, &blob, &len) != CXM_OK ||
        cxm__colseg_view(blob, len, true, &v2) != CXM_OK || v2.n != v.n)
        abort();
    for (size_t i = 0; i < v.n; i++) {
        if (cxm__colseg_off(&v, i) != cxm__colseg_off(&v2, i) ||
            cxm__colseg_get(v.score, v.score_w, i) !=
                cxm__colseg_get(v2.score, v2.score_w, i))
            abort();
        for (int c = 0; c < CXM__COL_COUNT; c++) {
            if (cxm__colseg_get(v.col[c], v.w[c], i) !=
                cxm__colseg_get(v2.col[c], v2.w[c], i))
                abort();
        }
    }
    cxm__free(blob);
    cxm__colseg_writer_release(&w);
    return 0;
}
