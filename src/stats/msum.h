/* SPDX-License-Identifier: MIT
 *
 * msum.h — private: exact sums of durations in whole milliseconds, the
 * moments art and frt take their mean and interval from. Integer sums add
 * the same in any order, so a figure summed ticket by ticket and one
 * merged from stored cells (store_sqlite_tickets.c) are the same double,
 * bit for bit; a quantile sketch's running sums of doubles are not.
 */
#ifndef CXM_MSUM_H
#define CXM_MSUM_H

#include "internal.h"

/* n durations; sum of them and of their squares, exact (|ms| < 2^63: a
 * square < 2^126, and 2^127 / 2^126 squares before the sum could wrap,
 * far past any count of tickets). */
struct cxm__msum {
    int64_t n;
    __int128 sum;
    unsigned __int128 sum_sq;
};

static inline void cxm__msum_add(struct cxm__msum *s, int64_t ms)
{
    unsigned __int128 a = (unsigned __int128)(ms < 0 ? -(__int128)ms : ms);

    s->n++;
    s->sum += ms;
    s->sum_sq += a * a;
}

static inline void cxm__msum_merge(struct cxm__msum *dst,
                                   const struct cxm__msum *src)
{
    dst->n += src->n;
    dst->sum += src->sum;
    dst->sum_sq += src->sum_sq;
}

/* The sums in seconds and seconds squared, each rounded once. */
static inline void cxm__msum_seconds(const struct cxm__msum *s, double *sum,
                                     double *sum_sq)
{
    *sum = (double)s->sum / 1e3;
    *sum_sq = (double)s->sum_sq / 1e6;
}

/* The sum of squares as two 64-bit halves (storage), and back. */
static inline void cxm__msum_sq_split(const struct cxm__msum *s,
                                      uint64_t *hi, uint64_t *lo)
{
    *hi = (uint64_t)(s->sum_sq >> 64);
    *lo = (uint64_t)s->sum_sq;
}

static inline void cxm__msum_sq_join(struct cxm__msum *s, uint64_t hi,
                                     uint64_t lo)
{
    s->sum_sq = ((unsigned __int128)hi << 64) | lo;
}

#endif /* CXM_MSUM_H */
