/* SPDX-License-Identifier: MIT
 *
 * timeparse.c — the timestamp grammar of SPEC §1 and its writer.
 * Hand-written rather than strptime(): strict about every field, independent
 * of locale and of the process time zone, and fuzzed (fuzz/fuzz_timeparse.c).
 */
#include "internal.h"

#include <stdio.h>

#include "civil.h"

/* Reads exactly `k` digits at s[*i] into *v. */
static bool digits(const char *s, size_t len, size_t *i, int k, int *v)
{
    int x = 0;

    if (len - *i < (size_t)k)
        return false;
    for (int j = 0; j < k; j++) {
        unsigned char c = (unsigned char)s[*i + (size_t)j];
        if (!cxm__is_digit(c))
            return false;
        x = x * 10 + (c - '0');
    }
    *i += (size_t)k;
    *v = x;
    return true;
}

static bool expect(const char *s, size_t len, size_t *i, char c)
{
    if (*i >= len || s[*i] != c)
        return false;
    (*i)++;
    return true;
}

#define FAIL(reason)                                                       \
    do {                                                                   \
        if (why)                                                           \
            *why = (reason);                                               \
        return CXM_EINPUT;                                                 \
    } while (0)

cxm_rc cxm_time_parse(const char *s, size_t len, bool allow_date,
                      int64_t *out_ms, const char **why)
{
    size_t i = 0;
    int year, mon, day, hh = 0, mm = 0, ss = 0, ms = 0;
    int64_t offset_min = 0, days, total;

    if (len == 0)
        FAIL("empty timestamp");
    if (!digits(s, len, &i, 4, &year) || !expect(s, len, &i, '-') ||
        !digits(s, len, &i, 2, &mon) || !expect(s, len, &i, '-') ||
        !digits(s, len, &i, 2, &day))
        FAIL("not a timestamp (expected YYYY-MM-DDThh:mm:ss)");
    if (mon < 1 || mon > 12)
        FAIL("month out of range");
    if (day < 1 || day > cxm__days_in_month(year, mon))
        FAIL("day out of range");
    if (i == len) {
        if (!allow_date)
            FAIL("time of day missing (expected YYYY-MM-DDThh:mm:ss)");
        goto done;
    }
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
        FAIL("expected 'T' or ' ' between date and time");
    i++;
    if (!digits(s, len, &i, 2, &hh) || !expect(s, len, &i, ':') ||
        !digits(s, len, &i, 2, &mm) || !expect(s, len, &i, ':') ||
        !digits(s, len, &i, 2, &ss))
        FAIL("bad time of day (expected hh:mm:ss)");
    if (hh > 23)
        FAIL("hour out of range");
    if (mm > 59)
        FAIL("minute out of range");
    if (ss > 59)
        FAIL("second out of range");
    if (i < len && (s[i] == '.' || s[i] == ',')) {
        int n_frac = 0;
        i++;
        while (i < len && cxm__is_digit((unsigned char)s[i])) {
            if (n_frac < 3)
                ms = ms * 10 + (s[i] - '0');
            n_frac++;
            i++;
        }
        if (n_frac == 0 || n_frac > 9)
            FAIL("bad fraction of a second");
        for (; n_frac < 3; n_frac++)
            ms *= 10;
    }
    if (i < len) {
        int oh, om = 0;
        char sign = s[i];
        if (sign == 'Z' || sign == 'z') {
            i++;
        } else if (sign == '+' || sign == '-') {
            i++;
            if (!digits(s, len, &i, 2, &oh))
                FAIL("bad UTC offset (expected ±hh:mm)");
            if (i < len && s[i] == ':') {
                i++;
                if (i == len) /* "+07:" */
                    FAIL("bad UTC offset (expected ±hh:mm)");
            }
            if (i < len && !digits(s, len, &i, 2, &om))
                FAIL("bad UTC offset (expected ±hh:mm)");
            if (oh > 14 || om > 59 || (oh == 14 && om > 0))
                FAIL("UTC offset out of range");
            offset_min = (int64_t)oh * 60 + om;
            if (sign == '-')
                offset_min = -offset_min;
        } else {
            FAIL("unexpected characters after the time");
        }
        if (i != len)
            FAIL("unexpected characters after the UTC offset");
    }
done:
    days = cxm__days_from_civil(year, mon, day);
    total = ((days * 24 + hh) * 60 + mm - offset_min) * 60 + ss;
    /* The instant itself must lie in years 0000–9999 (UTC), so that it can
     * be written back: 0000-01-01T09:30+11 is in year -1 in UTC. */
    if (total < cxm__days_from_civil(0, 1, 1) * CXM__S_PER_DAY ||
        total >= cxm__days_from_civil(10000, 1, 1) * CXM__S_PER_DAY)
        FAIL("instant out of range (years 0000-9999 UTC)");
    *out_ms = total * 1000 + ms;
    return CXM_OK;
}

size_t cxm_time_format(int64_t ms, char *dst, size_t cap)
{
    int64_t day = cxm__day_of_ms(ms), y;
    int64_t rem = ms - day * CXM__MS_PER_DAY;
    int m, d, n;
    int hh = (int)(rem / 3600000), mi = (int)(rem / 60000 % 60);
    int ss = (int)(rem / 1000 % 60), frac = (int)(rem % 1000);

    cxm__civil_from_days(day, &y, &m, &d);
    if (frac)
        n = snprintf(dst, cap, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ",
                     (long long)y, m, d, hh, mi, ss, frac);
    else
        n = snprintf(dst, cap, "%04lld-%02d-%02dT%02d:%02d:%02dZ",
                     (long long)y, m, d, hh, mi, ss);
    if (n < 0)
        return 0;
    return (size_t)n < cap ? (size_t)n : (cap ? cap - 1 : 0);
}
