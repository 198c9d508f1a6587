/* SPDX-License-Identifier: MIT
 *
 * qsketch.h — private: a mergeable quantile sketch of durations (DESIGN.md:
 * "counts plus a mergeable quantile sketch of durations, relative error
 * <= 1 %, or exact where cheap"). Small samples are kept exactly and answer
 * like PostgreSQL percentile_cont; large ones are logarithmic buckets
 * (DDSketch) whose answers are within CXM__QSKETCH_ALPHA of it
 * (docs/report-semantics.md, "Duration quantiles").
 */
#ifndef CXM_QSKETCH_H
#define CXM_QSKETCH_H

#include "internal.h"

/* ---- Parameters. Changing any of them changes the blob format: bump
 * CXM__QSKETCH_VERSION. */

/* Up to this many values the sketch keeps them all (exact mode). */
#define CXM__QSKETCH_EXACT_MAX 4096
/* Relative accuracy of bucket mode: a bucket's representative is within
 * this fraction of every value in it. SPEC §2 allows 1 %. */
#define CXM__QSKETCH_ALPHA 0.005
/* ln(gamma) for gamma = (1 + ALPHA)/(1 − ALPHA), i.e. 2·atanh(ALPHA), and
 * its inverse, as literals so the hot path multiplies by a constant;
 * test_qsketch checks them against libm. */
#define CXM__QSKETCH_LN_GAMMA 0.010000083334583356
#define CXM__QSKETCH_INV_LN_GAMMA 99.99916666111103
/* At most this many buckets per sign; past it the buckets of the smallest
 * magnitudes collapse into one (bounded memory). With ALPHA 0.005 the
 * buckets span a ratio of gamma^4096 ~ 6e17 between the largest and the
 * smallest magnitude before anything collapses. */
#define CXM__QSKETCH_MAX_BUCKETS 4096
/* Values must be finite with |x| <= this (2^63: any int64 count of
 * seconds or milliseconds), so that sums never overflow. */
#define CXM__QSKETCH_MAX_ABS 0x1p63
/* The serialised format. */
#define CXM__QSKETCH_VERSION 1

/* One sign's buckets: counts[k] is the number of values whose bucket index
 * is lo + k, for k < n. Bucket index i holds magnitudes in
 * (gamma^(i-1), gamma^i]. Invariants: n <= cap <= CXM__QSKETCH_MAX_BUCKETS;
 * n == 0 or counts[0] and counts[n-1] are nonzero (trimmed); lo is 0 when
 * n == 0. */
struct cxm__qstore {
    uint64_t *counts; /* owned; cap elements */
    int32_t lo;       /* bucket index of counts[0] */
    uint32_t n;       /* buckets in use */
    uint32_t cap;     /* buckets allocated */
};

/* The sketch. All-zero bytes (CXM__QSKETCH_INIT) are an empty sketch, so
 * a zero-initialised struct needs no init call.
 *
 * Exact mode (is_bucketed false): vals[0..n) are the values, in no
 * particular order unless is_sorted; n <= CXM__QSKETCH_EXACT_MAX.
 * Bucket mode: n == n_zero + (sum of pos counts) + (sum of neg counts);
 * vals is NULL. The mode only goes from exact to buckets.
 * In both modes: min/max are the exact extremes (0 when n == 0), sum and
 * sum_sq the running sums of x and x^2 in the order values came. */
struct cxm__qsketch {
    uint64_t n;          /* values added */
    double sum, sum_sq;  /* sums of x and x^2 (means and variances) */
    double min, max;     /* extremes; 0 when n == 0 */
    bool is_bucketed;    /* false: exact mode */
    /* exact mode */
    double *vals;        /* owned; vals_cap elements */
    size_t vals_cap;
    bool is_sorted;      /* vals ascending */
    /* bucket mode */
    uint64_t n_zero;     /* values equal to 0 */
    struct cxm__qstore pos; /* x > 0, by index of x */
    struct cxm__qstore neg; /* x < 0, by index of -x */
};

#define CXM__QSKETCH_INIT {0}

/* ---- Life cycle */

/* Makes *s an empty sketch (the same as CXM__QSKETCH_INIT). */
void cxm__qsketch_init(struct cxm__qsketch *s);

/* Frees what *s owns; *s is empty and usable again. NULL-safe. */
void cxm__qsketch_release(struct cxm__qsketch *s);

/* ---- Adding data */

/* Adds one value x. Returns CXM_OK; CXM_EINVAL when x is not finite or
 * |x| > CXM__QSKETCH_MAX_ABS; CXM_ENOMEM. On error *s is unchanged.
 * -0.0 is stored as 0. */
CXM_MUST_USE cxm_rc cxm__qsketch_add(struct cxm__qsketch *s, double x);

/* dst += src: afterwards dst describes the union of both samples. Exact
 * stays exact while the union has at most CXM__QSKETCH_EXACT_MAX values.
 * The answers do not depend on the order of merges (bucket counts add;
 * exact values are a multiset), only sum and sum_sq may differ in the last
 * bits. src is not changed and must not be dst. Returns CXM_OK,
 * CXM_ENOMEM or CXM_ETOOBIG (the count would pass 2^64 - 1); on error dst
 * is unchanged. */
CXM_MUST_USE cxm_rc cxm__qsketch_merge(struct cxm__qsketch *dst,
                                       const struct cxm__qsketch *src);

/* ---- Answers */

/* The number of values. */
static inline uint64_t cxm__qsketch_count(const struct cxm__qsketch *s)
{
    return s->n;
}

/* The quantile q (in [0, 1]) with PostgreSQL percentile_cont semantics:
 * linear interpolation between the values of ranks floor(q(n-1)) and the
 * next. Exact mode gives exactly cxm_quantile_sorted(); bucket mode gives
 * a value within CXM__QSKETCH_ALPHA relative of it when the two
 * neighbours have the same sign (docs/report-semantics.md). q <= 0 and
 * q >= 1 give min and max exactly. n must be > 0. Exact mode sorts the
 * values in place, hence the non-const sketch. */
double cxm__qsketch_quantile(struct cxm__qsketch *s, double q);

/* Sets *sum and *sum_sq to the sums of x and x^2. Exact mode sums the
 * sorted values (sorting them in place), so that a report's mean is the
 * same number as before the sketch existed; bucket mode returns the
 * running sums. */
void cxm__qsketch_sums(struct cxm__qsketch *s, double *sum, double *sum_sq);

/* ---- Storage: a compact, versioned, little-endian blob.
 *
 *   "CXQS"  u8 version  u8 flags (bit 0: bucket mode)  u16 0
 *   u64 n  f64 sum  f64 sum_sq  f64 min  f64 max
 *   exact:  n × f64 values
 *   bucket: u64 n_zero, then pos and neg stores, each
 *           i32 lo  u32 n_buckets  n_buckets × varint counts
 *
 * A varint is unsigned LEB128 (7 bits a byte, low first), in its shortest
 * form. A sketch of 10 million lognormal durations takes about 3 KB.
 */

/* Appends the blob of s to out. Returns CXM_OK, CXM_ENOMEM or CXM_ETOOBIG
 * (out's cap); out is freed on error, as every cxm__buf append does. */
CXM_MUST_USE cxm_rc cxm__qsketch_serialize(const struct cxm__qsketch *s,
                                           struct cxm__buf *out);

/* Parses a blob of `len` bytes at p into *out, which must not own memory
 * (it is overwritten). Checks everything: magic, version, flags, sizes,
 * counts adding up to n, indices in range, finite values within
 * CXM__QSKETCH_MAX_ABS, min/max consistent; trailing bytes are an error.
 * Returns CXM_OK (the caller releases *out with cxm__qsketch_release()),
 * CXM_EINPUT (bad blob; *out is empty) or CXM_ENOMEM (*out is empty). */
CXM_MUST_USE cxm_rc cxm__qsketch_deserialize(struct cxm__qsketch *out,
                                             const void *p, size_t len);

#endif /* CXM_QSKETCH_H */
