/* SPDX-License-Identifier: MIT
 *
 * period.h — private: calendar buckets of the time dimensions (day, ISO
 * week, month, quarter, year) in UTC: where a bucket starts and ends and
 * how it is labelled in a report (SPEC §4: `2026-01-31`, `2026-W05`,
 * `2026-01`, `2026-Q1`, `2026`).
 */
#ifndef CXM_PERIOD_H
#define CXM_PERIOD_H

#include "internal.h"

/* True for day, week, month, quarter and year. */
bool cxm__dim_is_time(cxm_dim d);

/* The start (ms) of the bucket of time dimension `d` holding `ms`. */
int64_t cxm__bucket_start(cxm_dim d, int64_t ms);

/* The start of the bucket after the one starting at `start`. */
int64_t cxm__bucket_next(cxm_dim d, int64_t start);

/* The ordinal of the bucket of `d` holding `ms`: consecutive buckets
 * differ by one, so the buckets of [a, b] number
 * index(b) - index(a) + 1, counted without building them. */
int64_t cxm__bucket_index(cxm_dim d, int64_t ms);

/* Writes the label of the bucket holding `ms` into dst (16 bytes suffice);
 * returns its length. */
size_t cxm__bucket_label(cxm_dim d, int64_t ms, char *dst, size_t cap);

struct cxm__tz;

/* Time buckets in zone `tz` (NULL = UTC): the start of the bucket of `d`
 * holding `ms`, and the start of the bucket after the one at `start`. */
int64_t cxm__zbucket_start(const struct cxm__tz *tz, cxm_dim d, int64_t ms);
int64_t cxm__zbucket_next(const struct cxm__tz *tz, cxm_dim d,
                          int64_t start);
/* The label of the bucket of `d` holding `ms` ("2026-W05"), in zone tz. */
void cxm__zbucket_label(const struct cxm__tz *tz, cxm_dim d, int64_t ms,
                        char *dst, size_t cap);

#endif /* CXM_PERIOD_H */
