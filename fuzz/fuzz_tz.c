/* SPDX-License-Identifier: MIT
 *
 * fuzz_tz.c — libFuzzer target for the TZif reader (src/time/tz.c): parses the
 * input as a TZif file and, when it is accepted, looks up offsets and
 * converts times at fixed and input-derived instants. Besides crashes,
 * sanitizer reports and leaks it checks the round trip UTC -> local -> UTC:
 * the instant found for a local time must show that local time and be the
 * earliest one that does.
 */
#include <stdlib.h>
#include <string.h>

#include "tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SANE_MS (INT64_C(1) << 60) /* far from saturation */

static void probe(const struct cxm__tz *tz, int64_t utc_ms)
{
    int64_t local = cxm__tz_to_local(tz, utc_ms), back;

    (void)cxm__tz_offset(tz, utc_ms);
    (void)cxm__tz_from_local(tz, utc_ms);
    if (utc_ms < -SANE_MS || utc_ms > SANE_MS)
        return;
    back = cxm__tz_from_local(tz, local);
    if (back > utc_ms || cxm__tz_to_local(tz, back) != local)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int64_t fixed[] = {
        INT64_MIN,
        -INT64_C(2208988800000), /* 1900-01-01 */
        -1,
        0,
        INT64_C(1774746000000),  /* 2026-03-29T01:00Z, Helsinki DST */
        INT64_C(1792890000000),  /* 2026-10-25T01:00Z, and back */
        INT64_C(2216250000000),  /* 2040-03-25T01:00Z */
        INT64_C(32503680000000), /* 3000-01-01 */
        INT64_MAX,
    };
    struct cxm__tz *tz = NULL;

    if (cxm__tz_parse(data, size, &tz) != CXM_OK)
        return 0;
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        probe(tz, fixed[i]);
    /* The last 8 bytes, as an instant within about +-290 000 years. */
    if (size >= 8) {
        uint64_t u = 0;
        for (size_t i = size - 8; i < size; i++)
            u = u << 8 | data[i];
        probe(tz, (int64_t)(u % (UINT64_C(1) << 54)) -
                      (INT64_C(1) << 53));
    }
    cxm__tz_free(tz);
    return 0;
}
