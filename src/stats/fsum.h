/* SPDX-License-Identifier: MIT
 *
 * fsum.h — private: an exact sum of doubles, correctly rounded once at
 * the end (Shewchuk's non-overlapping partials, as Python's math.fsum),
 * so the sum is the same double in any order of addition and whatever
 * grouping merged it: a figure summed row by row and one merged from
 * stored cells (the QA cells, store_sqlite_qa.c) agree to the bit.
 *
 * Values that are not finite, or whose magnitude is 2^1000 or more (where
 * the partials could overflow), are summed apart in `special`, in the
 * order they come: such a sum is inf or nan, or absurd for a score. */
#ifndef CXM_FSUM_H
#define CXM_FSUM_H

#include "internal.h"

struct cxm__fsum {
    double *p;      /* the partials, ascending magnitude, non-overlapping */
    size_t n, cap;
    double special; /* non-finite or huge values, summed apart */
};

#define CXM__FSUM_INIT {NULL, 0, 0, 0.0}

/* Adds x (exactly). */
CXM_MUST_USE cxm_rc cxm__fsum_add(struct cxm__fsum *s, double x);
/* Adds every partial of src to dst (exactly). */
CXM_MUST_USE cxm_rc cxm__fsum_merge(struct cxm__fsum *dst,
                                    const struct cxm__fsum *src);
/* The sum, correctly rounded (round half to even). */
double cxm__fsum_value(const struct cxm__fsum *s);
void cxm__fsum_release(struct cxm__fsum *s);

/* Storage: `special`, then the partials, each 8 bytes little-endian
 * (IEEE 754 binary64); *len 8 × (1 + n). */
CXM_MUST_USE cxm_rc cxm__fsum_serialize(const struct cxm__fsum *s,
                                        struct cxm__buf *out);
/* Adds the sum stored in p[0..len) to s; CXM_ECORRUPT when len is not a
 * multiple of 8 or not at least 8. */
CXM_MUST_USE cxm_rc cxm__fsum_merge_blob(struct cxm__fsum *s, const void *p,
                                         size_t len);

#endif /* CXM_FSUM_H */
