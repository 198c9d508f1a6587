/* SPDX-License-Identifier: MIT
 *
 * period.c — UTC calendar buckets for the time dimensions (period.h).
 * ISO weeks start on Monday and belong to the year of their Thursday.
 */
#include "internal.h"

#include <stdio.h>

#include "civil.h"
#include "period.h"
#include "tz.h"

bool cxm__dim_is_time(cxm_dim d)
{
    return d == CXM_BY_DAY || d == CXM_BY_WEEK || d == CXM_BY_MONTH ||
           d == CXM_BY_QUARTER || d == CXM_BY_YEAR;
}

/* Monday = 0 … Sunday = 6 of day number `day` (1970-01-01 was Thursday). */
static int64_t weekday(int64_t day)
{
    int64_t w = (day + 3) % 7;
    return w < 0 ? w + 7 : w;
}

int64_t cxm__bucket_start(cxm_dim d, int64_t ms)
{
    int64_t day = cxm__day_of_ms(ms), y;
    int m, dd;

    switch (d) {
    case CXM_BY_DAY:
        return day * CXM__MS_PER_DAY;
    case CXM_BY_WEEK:
        return (day - weekday(day)) * CXM__MS_PER_DAY;
    default:
        break;
    }
    cxm__civil_from_days(day, &y, &m, &dd);
    if (d == CXM_BY_MONTH)
        return cxm__days_from_civil(y, m, 1) * CXM__MS_PER_DAY;
    if (d == CXM_BY_QUARTER)
        return cxm__days_from_civil(y, (m - 1) / 3 * 3 + 1, 1) *
               CXM__MS_PER_DAY;
    CXM_ASSERT(d == CXM_BY_YEAR);
    return cxm__days_from_civil(y, 1, 1) * CXM__MS_PER_DAY;
}

int64_t cxm__bucket_next(cxm_dim d, int64_t start)
{
    int64_t day = cxm__day_of_ms(start), y;
    int m, dd, step;

    switch (d) {
    case CXM_BY_DAY:
        return start + CXM__MS_PER_DAY;
    case CXM_BY_WEEK:
        return start + 7 * CXM__MS_PER_DAY;
    case CXM_BY_MONTH:
        step = 1;
        break;
    case CXM_BY_QUARTER:
        step = 3;
        break;
    default:
        step = 12;
        break;
    }
    cxm__civil_from_days(day, &y, &m, &dd);
    m += step;
    while (m > 12) {
        m -= 12;
        y++;
    }
    return cxm__days_from_civil(y, m, 1) * CXM__MS_PER_DAY;
}

int64_t cxm__bucket_index(cxm_dim d, int64_t ms)
{
    int64_t day = cxm__day_of_ms(ms), y;
    int m, dd;

    if (d == CXM_BY_DAY)
        return day;
    if (d == CXM_BY_WEEK)
        /* Mondays are the days 7k - 3 (1970-01-01 was a Thursday). */
        return (day - weekday(day) + 3) / 7;
    cxm__civil_from_days(day, &y, &m, &dd);
    if (d == CXM_BY_MONTH)
        return y * 12 + m - 1;
    if (d == CXM_BY_QUARTER)
        return y * 4 + (m - 1) / 3;
    return y;
}

size_t cxm__bucket_label(cxm_dim d, int64_t ms, char *dst, size_t cap)
{
    int64_t day = cxm__day_of_ms(ms), y;
    int m, dd, n = 0;

    cxm__civil_from_days(day, &y, &m, &dd);
    switch (d) {
    case CXM_BY_DAY:
        n = snprintf(dst, cap, "%04lld-%02d-%02d", (long long)y, m, dd);
        break;
    case CXM_BY_WEEK: {
        int64_t thursday = day - weekday(day) + 3, iy, jan1;
        int im, id;
        cxm__civil_from_days(thursday, &iy, &im, &id);
        jan1 = cxm__days_from_civil(iy, 1, 1);
        n = snprintf(dst, cap, "%04lld-W%02d", (long long)iy,
                     (int)((thursday - jan1) / 7 + 1));
        break;
    }
    case CXM_BY_MONTH:
        n = snprintf(dst, cap, "%04lld-%02d", (long long)y, m);
        break;
    case CXM_BY_QUARTER:
        n = snprintf(dst, cap, "%04lld-Q%d", (long long)y, (m - 1) / 3 + 1);
        break;
    case CXM_BY_YEAR:
        n = snprintf(dst, cap, "%04lld", (long long)y);
        break;
    default:
        n = 0;
        if (cap)
            dst[0] = '\0';
        break;
    }
    if (n < 0)
        return 0;
    return (size_t)n < cap ? (size_t)n : cap - 1;
}

/* ---- Time buckets in the report's zone -------------------------------- */

/* The start (UTC) of the bucket of `d` holding `ms`, in zone `tz`. */
int64_t cxm__zbucket_start(const struct cxm__tz *tz, cxm_dim d, int64_t ms)
{
    if (!tz)
        return cxm__bucket_start(d, ms);
    return cxm__tz_from_local(tz,
                              cxm__bucket_start(d, cxm__tz_to_local(tz, ms)));
}

/* The start (UTC) of the bucket after the one starting at `start`. */
int64_t cxm__zbucket_next(const struct cxm__tz *tz, cxm_dim d,
                            int64_t start)
{
    if (!tz)
        return cxm__bucket_next(d, start);
    return cxm__tz_from_local(
        tz, cxm__bucket_next(d, cxm__bucket_start(
                                    d, cxm__tz_to_local(tz, start))));
}

void cxm__zbucket_label(const struct cxm__tz *tz, cxm_dim d, int64_t ms,
                        char *dst, size_t cap)
{
    cxm__bucket_label(d, tz ? cxm__tz_to_local(tz, ms) : ms, dst, cap);
}
