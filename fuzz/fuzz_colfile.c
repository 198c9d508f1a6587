/* SPDX-License-Identifier: MIT
 *
 * fuzz_colfile.c — libFuzzer target for the column segment file reader
 * (src/store/sqlite/colfile.c): the file is read from disk beside the store and may be
 * truncated or damaged, so a file that passes the check must have every
 * entry's data inside it, and each segment is then viewed as a report
 * would (colseg.h), reading every value of an accepted one. Checksums are
 * computed on every input but not required (a fuzzer seldom guesses
 * one), so the structure checks behind them are reached.
 */
#include <stdlib.h>

#include "colfile.h"
#include "colseg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t token;
    uint64_t n;
    volatile unsigned sum = 0; /* keeps every read */

    (void)cxm__colfile_check(data, size, true, &token);
    if (cxm__colfile_check(data, size, false, &token))
        return 0;
    n = cxm__colfile_count(data);
    for (uint64_t i = 0; i < n; i++) {
        struct cxm__colfile_entry e;
        struct cxm__colseg v;

        cxm__colfile_entry(data, i, &e);
        if (e.off == CXM__COLFILE_NO_DATA)
            continue;
        if (e.off > size || e.len > size - e.off)
            abort(); /* the check let through data outside the file */
        sum += cxm__colseg_view(data + e.off, (size_t)e.len, true, &v) ==
               CXM_OK;
        if (cxm__colseg_view(data + e.off, (size_t)e.len, false, &v) !=
            CXM_OK)
            continue;
        for (size_t k = 0; k < v.n; k++) {
            sum += cxm__colseg_off(&v, k);
            sum += cxm__colseg_get(v.score, v.score_w, k);
            for (int c = 0; c < CXM__COL_COUNT; c++)
                sum += cxm__colseg_get(v.col[c], v.w[c], k);
        }
    }
    (void)sum;
    return 0;
}
