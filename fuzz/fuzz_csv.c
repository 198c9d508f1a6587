/* SPDX-License-Identifier: MIT
 *
 * fuzz_csv.c — libFuzzer target for the CSV reader (csv.c): reads every
 * record of the input, with a small record cap on odd-length inputs so the
 * cap paths run too. Looks only for crashes, sanitizer reports and leaks.
 */
#include "internal.h"

#include <stdio.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cxm__csv *csv = NULL;
    struct cxm__csv_rec rec;
    const char *why;
    FILE *fp;

    if (size == 0)
        return 0;
    fp = fmemopen((void *)data, size, "rb");
    if (!fp)
        return 0;
    if (cxm__csv_open(&csv, fp, size % 2 ? 64 : 0) == CXM_OK) {
        for (int i = 0; i < 100000; i++) {
            cxm_rc rc = cxm__csv_next(csv, &rec, &why);
            if (rc == CXM_ENOTFOUND || rc == CXM_EIO || rc == CXM_ENOMEM)
                break;
            if (rc == CXM_OK) {
                for (size_t f = 0; f < rec.n_fields; f++)
                    CXM_ASSERT(rec.fields[f][rec.lens[f]] == '\0');
            }
        }
    }
    cxm__csv_close(csv);
    fclose(fp);
    return 0;
}
