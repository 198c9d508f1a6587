/* SPDX-License-Identifier: MIT
 *
 * fuzz_timeparse.c — libFuzzer target for the timestamp parser: anything
 * it accepts must format and parse back to the same instant.
 */
#include "internal.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t ms, again;
    char out[64];
    size_t n;

    for (int allow_date = 0; allow_date < 2; allow_date++) {
        if (cxm_time_parse((const char *)data, size, allow_date, &ms,
                           NULL) != CXM_OK)
            continue;
        n = cxm_time_format(ms, out, sizeof(out));
        if (cxm_time_parse(out, n, false, &again, NULL) != CXM_OK ||
            again != ms)
            abort(); /* the round trip must hold */
    }
    return 0;
}
