/* SPDX-License-Identifier: MIT
 *
 * civil.h — private: the proleptic Gregorian calendar in days since
 * 1970-01-01 (civil.c), and the length of a day. Every room that turns
 * instants into dates uses these; none keeps its own copy.
 */
#ifndef CXM_CIVIL_H
#define CXM_CIVIL_H

#include "internal.h"

/* A UTC day (no leap seconds), in seconds and in milliseconds. */
#define CXM__S_PER_DAY INT64_C(86400)
#define CXM__MS_PER_DAY (CXM__S_PER_DAY * 1000)

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d. */
int64_t cxm__days_from_civil(int64_t y, int m, int d);
/* The date of day number `days` since 1970-01-01. */
void cxm__civil_from_days(int64_t days, int64_t *y, int *m, int *d);
/* Floor division of ms by one day. */
int64_t cxm__day_of_ms(int64_t ms);
/* Whether year y has a February 29. */
bool cxm__is_leap(int64_t y);
/* The days of month m (1..12) of year y. */
int cxm__days_in_month(int64_t y, int m);

#endif /* CXM_CIVIL_H */
