/* SPDX-License-Identifier: MIT
 *
 * civil.c — civil-date arithmetic (civil.h) in the proleptic Gregorian
 * calendar, independent of locale and of the process time zone.
 */
#include "internal.h"

#include "civil.h"

int64_t cxm__days_from_civil(int64_t y, int m, int d)
{
    /* H. Hinnant's days_from_civil: exact for the proleptic calendar. */
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void cxm__civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int64_t cxm__day_of_ms(int64_t ms)
{
    int64_t d = ms / CXM__MS_PER_DAY;
    if (ms % CXM__MS_PER_DAY < 0)
        d--;
    return d;
}

bool cxm__is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int cxm__days_in_month(int64_t y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30,
                                31, 31, 30, 31, 30, 31};
    return m == 2 && cxm__is_leap(y) ? 29 : dim[m - 1];
}
