/* SPDX-License-Identifier: MIT
 *
 * fuzz_timeparse.c — libFuzzer target for the timestamp parser and writer
 * (timeparse.c). Whatever cxm_time_parse() accepts must be written by
 * cxm_time_format() and read back as the same instant; an input without an
 * offset must come out with the same date, time and milliseconds it went
 * in with; and an instant derived from the input bytes must survive
 * format -> parse as well.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* First and one past the last millisecond that can be written back. */
#define MIN_MS (INT64_C(-62167219200000)) /* 0000-01-01T00:00:00Z */
#define END_MS (INT64_C(253402300800000)) /* 10000-01-01T00:00:00Z */

static void fail(const char *what, const uint8_t *s, size_t n)
{
    fprintf(stderr, "fuzz_timeparse: %s: \"%.*s\"\n", what, (int)n,
            (const char *)s);
    abort();
}

/* Formats `ms`, parses it back, and checks the instant; returns the
 * length written to out (>= 20). */
static size_t round_trip(int64_t ms, char *out, size_t cap)
{
    const char *why = NULL;
    int64_t again = 0;
    size_t n = cxm_time_format(ms, out, cap);

    if (n < 20 || n >= cap || out[n] != '\0')
        fail("cxm_time_format length", (const uint8_t *)out, n);
    if (cxm_time_parse(out, n, false, &again, &why) != CXM_OK)
        fail(why ? why : "own output rejected", (const uint8_t *)out, n);
    if (again != ms)
        fail("round trip changed the instant", (const uint8_t *)out, n);
    return n;
}

/* True when s[0..n) has no offset after its time of day: then the
 * written form must show the same fields. Sets *frac to the first three
 * digits of its fraction, right-padded with zeros. */
static bool no_offset(const uint8_t *s, size_t n, int *frac)
{
    size_t i = 19, k = 0;

    *frac = 0;
    if (n < 19)
        return false;
    if (i < n && (s[i] == '.' || s[i] == ',')) {
        for (i++; i < n && cxm__is_digit(s[i]); i++, k++) {
            if (k < 3)
                *frac = *frac * 10 + (s[i] - '0');
        }
    }
    for (; k < 3; k++)
        *frac *= 10;
    return i == n || (i + 1 == n && (s[i] == 'Z' || s[i] == 'z'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *why = NULL;
    int64_t ms = 0, ms_date = 0;
    bool ok, ok_date;
    char out[64];
    int frac;

    ok = cxm_time_parse(s, size, false, &ms, &why) == CXM_OK;
    if (!ok && (!why || !*why))
        fail("rejected without a reason", data, size);
    why = NULL;
    ok_date = cxm_time_parse(s, size, true, &ms_date, &why) == CXM_OK;
    if (!ok_date && (!why || !*why))
        fail("rejected without a reason", data, size);

    /* allow_date only adds the plain date. */
    if (ok && (!ok_date || ms_date != ms))
        fail("allow_date changed an accepted timestamp", data, size);
    if (ok_date && !ok) {
        if (size != 10 || ms_date % CXM__MS_PER_DAY != 0)
            fail("plain date not at midnight", data, size);
    }
    if (ok_date) {
        if (ms_date < MIN_MS || ms_date >= END_MS)
            fail("accepted instant outside years 0000-9999", data, size);
        round_trip(ms_date, out, sizeof(out));
        /* Without an offset the fields are the instant's UTC fields. */
        if (ok && no_offset(data, size, &frac)) {
            if (memcmp(out, s, 10) != 0 || memcmp(out + 11, s + 11, 8) != 0)
                fail("UTC fields changed", data, size);
            if (frac != (int)((ms % 1000 + 1000) % 1000))
                fail("milliseconds changed", data, size);
        }
        if (!ok && memcmp(out, s, 10) != 0)
            fail("plain date changed", data, size);
    }

    /* The other direction: an instant from the input bytes. */
    if (size >= 8) {
        uint64_t u = 0;
        for (size_t i = 0; i < 8; i++)
            u = u << 8 | data[i];
        round_trip(MIN_MS + (int64_t)(u % (uint64_t)(END_MS - MIN_MS)), out,
                   sizeof(out));
    }
    return 0;
}
