/* SPDX-License-Identifier: MIT
 *
 * qsketch.c — the mergeable quantile sketch of qsketch.h: exact values up
 * to CXM__QSKETCH_EXACT_MAX, then DDSketch-style logarithmic buckets with a
 * capped, collapsing-lowest dense store per sign, and the blob format for
 * rollups. Memory: at most EXACT_MAX doubles, or two stores of
 * MAX_BUCKETS counts.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qsketch.h"

#define ALPHA CXM__QSKETCH_ALPHA
#define MAX_BUCKETS CXM__QSKETCH_MAX_BUCKETS
#define LN_GAMMA CXM__QSKETCH_LN_GAMMA
#define INV_LN_GAMMA CXM__QSKETCH_INV_LN_GAMMA
/* Bucket indices a blob may hold: those of magnitudes 2^-1074 (index
 * −74444) to 2^63 (4367), with room for libm differences. */
#define INDEX_MIN (-75000)
#define INDEX_MAX 5000

static const unsigned char magic[4] = {'C', 'X', 'Q', 'S'};
#define FLAG_BUCKETED 1u
#define HEADER_LEN 48 /* magic, version, flags, reserved, n, 4 doubles */

/* ---- Buckets ----------------------------------------------------------- */

/* The bucket of magnitude m > 0: ceil(log_gamma(m)), so that bucket i
 * holds (gamma^(i−1), gamma^i]. */
static int32_t bucket_index(double m)
{
    return (int32_t)ceil(log(m) * INV_LN_GAMMA);
}

/* The magnitude that stands for bucket i: (1 − ALPHA)·gamma^i, within
 * ALPHA relative of both ends (gamma^(i−1) and gamma^i) of the bucket. */
static double bucket_value(int32_t i)
{
    return (1 - ALPHA) * exp((double)i * LN_GAMMA);
}

static int32_t store_hi(const struct cxm__qstore *st)
{
    return st->lo + (int32_t)st->n - 1;
}

/* The window [*lo, *hi] a store covers once indices [in_lo, in_hi] are
 * added: the union, at most MAX_BUCKETS wide. A wider union keeps the top
 * and collapses the buckets below *lo into *lo. */
static void store_target(const struct cxm__qstore *st, int32_t in_lo,
                         int32_t in_hi, int32_t *lo, int32_t *hi)
{
    int32_t l = in_lo, h = in_hi;

    if (st->n > 0) {
        if (st->lo < l)
            l = st->lo;
        if (store_hi(st) > h)
            h = store_hi(st);
    }
    if ((int64_t)h - l + 1 > MAX_BUCKETS)
        l = h - MAX_BUCKETS + 1;
    *lo = l;
    *hi = h;
}

/* Makes room for `need` (<= MAX_BUCKETS) counts. The counts are not
 * changed, even on CXM_ENOMEM. */
static cxm_rc store_reserve(struct cxm__qstore *st, uint32_t need)
{
    uint32_t cap;
    uint64_t *p;

    CXM_ASSERT(need <= MAX_BUCKETS);
    if (need <= st->cap)
        return CXM_OK;
    cap = st->cap ? st->cap : 64;
    while (cap < need)
        cap *= 2;
    if (cap > MAX_BUCKETS)
        cap = MAX_BUCKETS;
    p = cxm__realloc(st->counts, (size_t)cap * sizeof(*p));
    if (!p)
        return CXM_ENOMEM;
    st->counts = p;
    st->cap = cap;
    return CXM_OK;
}

/* Moves the store onto the window [lo, hi] from store_target(), room
 * reserved: the counts below lo are added into lo. Cannot fail. */
static void store_move(struct cxm__qstore *st, int32_t lo, int32_t hi)
{
    uint32_t width = (uint32_t)(hi - lo + 1);
    uint64_t below = 0;
    uint32_t skip = 0, kept, at;

    CXM_ASSERT(width <= st->cap);
    if (st->n > 0 && lo == st->lo && hi == store_hi(st))
        return;
    if (st->n > 0 && lo > st->lo) {
        /* Collapse: the old buckets under the new bottom. */
        skip = (int64_t)lo - st->lo < (int64_t)st->n ? (uint32_t)(lo - st->lo)
                                                     : st->n;
        for (uint32_t k = 0; k < skip; k++)
            below += st->counts[k];
    }
    kept = st->n - skip;
    at = kept > 0 ? (uint32_t)(st->lo + (int32_t)skip - lo) : 0;
    if (kept > 0)
        memmove(st->counts + at, st->counts + skip,
                (size_t)kept * sizeof(*st->counts));
    memset(st->counts, 0, (size_t)at * sizeof(*st->counts));
    memset(st->counts + at + kept, 0,
           (size_t)(width - at - kept) * sizeof(*st->counts));
    st->counts[0] += below;
    st->lo = lo;
    st->n = width;
}

/* Adds c to bucket i of a store whose window reaches up to i; an index
 * under the window lands in its bottom bucket (collapsed). */
static void store_put(struct cxm__qstore *st, int32_t i, uint64_t c)
{
    if (i < st->lo)
        i = st->lo;
    CXM_ASSERT(i <= store_hi(st));
    st->counts[i - st->lo] += c;
}

static void store_release(struct cxm__qstore *st)
{
    cxm__free(st->counts);
    memset(st, 0, sizeof(*st));
}

/* The two stores and the zero count of bucket mode, as one unit. */
struct stores {
    struct cxm__qstore *pos, *neg;
    uint64_t *n_zero;
};

/* Index ranges about to be added to each store (has_* false: none). */
struct plan {
    bool has_pos, has_neg;
    int32_t pos_lo, pos_hi, neg_lo, neg_hi;
};

static void plan_index(struct plan *pl, double x)
{
    int32_t i;

    if (x == 0)
        return;
    i = bucket_index(fabs(x));
    if (x > 0) {
        if (!pl->has_pos || i < pl->pos_lo)
            pl->pos_lo = i;
        if (!pl->has_pos || i > pl->pos_hi)
            pl->pos_hi = i;
        pl->has_pos = true;
    } else {
        if (!pl->has_neg || i < pl->neg_lo)
            pl->neg_lo = i;
        if (!pl->has_neg || i > pl->neg_hi)
            pl->neg_hi = i;
        pl->has_neg = true;
    }
}

/* Reserves room in both stores for the plan, then moves them onto their
 * new windows. Either fails (CXM_ENOMEM) with nothing changed, or
 * succeeds; after it, store_put() of any planned index cannot fail. */
static cxm_rc stores_prepare(struct stores *ss, const struct plan *pl)
{
    int32_t plo = 0, phi = 0, nlo = 0, nhi = 0;
    cxm_rc rc;

    if (pl->has_pos) {
        store_target(ss->pos, pl->pos_lo, pl->pos_hi, &plo, &phi);
        rc = store_reserve(ss->pos, (uint32_t)(phi - plo + 1));
        if (rc)
            return rc;
    }
    if (pl->has_neg) {
        store_target(ss->neg, pl->neg_lo, pl->neg_hi, &nlo, &nhi);
        rc = store_reserve(ss->neg, (uint32_t)(nhi - nlo + 1));
        if (rc)
            return rc;
    }
    if (pl->has_pos)
        store_move(ss->pos, plo, phi);
    if (pl->has_neg)
        store_move(ss->neg, nlo, nhi);
    return CXM_OK;
}

/* Adds the n values v (finite, checked) to the stores. All or nothing. */
static cxm_rc stores_add_values(struct stores *ss, const double *v, size_t n)
{
    struct plan pl = {0};
    double lo_pos = 0, hi_pos = 0, lo_neg = 0, hi_neg = 0;
    cxm_rc rc;

    /* The index is monotonic in the magnitude: plan from the extremes. */
    for (size_t k = 0; k < n; k++) {
        double x = v[k];
        if (x > 0) {
            lo_pos = lo_pos == 0 || x < lo_pos ? x : lo_pos;
            hi_pos = x > hi_pos ? x : hi_pos;
        } else if (x < 0) {
            lo_neg = lo_neg == 0 || x > lo_neg ? x : lo_neg;
            hi_neg = x < hi_neg ? x : hi_neg;
        }
    }
    plan_index(&pl, lo_pos);
    plan_index(&pl, hi_pos);
    plan_index(&pl, lo_neg);
    plan_index(&pl, hi_neg);
    rc = stores_prepare(ss, &pl);
    if (rc)
        return rc;
    for (size_t k = 0; k < n; k++) {
        double x = v[k];
        if (x > 0)
            store_put(ss->pos, bucket_index(x), 1);
        else if (x < 0)
            store_put(ss->neg, bucket_index(-x), 1);
        else
            (*ss->n_zero)++;
    }
    return CXM_OK;
}

/* Adds the buckets of src (another sketch in bucket mode). All or
 * nothing. */
static cxm_rc stores_add_stores(struct stores *ss,
                                const struct cxm__qsketch *src)
{
    struct plan pl = {0};
    cxm_rc rc;

    if (src->pos.n > 0) {
        pl.has_pos = true;
        pl.pos_lo = src->pos.lo;
        pl.pos_hi = store_hi(&src->pos);
    }
    if (src->neg.n > 0) {
        pl.has_neg = true;
        pl.neg_lo = src->neg.lo;
        pl.neg_hi = store_hi(&src->neg);
    }
    rc = stores_prepare(ss, &pl);
    if (rc)
        return rc;
    for (uint32_t k = 0; k < src->pos.n; k++)
        store_put(ss->pos, src->pos.lo + (int32_t)k, src->pos.counts[k]);
    for (uint32_t k = 0; k < src->neg.n; k++)
        store_put(ss->neg, src->neg.lo + (int32_t)k, src->neg.counts[k]);
    *ss->n_zero += src->n_zero;
    return CXM_OK;
}

/* Leaves exact mode: moves the values, plus extra[0..n_extra), into
 * buckets. All or nothing. */
static cxm_rc to_buckets(struct cxm__qsketch *s, const double *extra,
                         size_t n_extra, const struct cxm__qsketch *src)
{
    struct cxm__qstore pos = {0}, neg = {0};
    uint64_t n_zero = 0;
    struct stores ss = {&pos, &neg, &n_zero};
    cxm_rc rc;

    rc = stores_add_values(&ss, s->vals, (size_t)s->n);
    if (!rc && n_extra > 0)
        rc = stores_add_values(&ss, extra, n_extra);
    if (!rc && src)
        rc = stores_add_stores(&ss, src);
    if (rc) {
        store_release(&pos);
        store_release(&neg);
        return rc;
    }
    cxm__free(s->vals);
    s->vals = NULL;
    s->vals_cap = 0;
    s->is_sorted = false;
    s->is_bucketed = true;
    s->pos = pos;
    s->neg = neg;
    s->n_zero = n_zero;
    return CXM_OK;
}

/* ---- Life cycle and adding --------------------------------------------- */

void cxm__qsketch_init(struct cxm__qsketch *s)
{
    memset(s, 0, sizeof(*s));
}

void cxm__qsketch_release(struct cxm__qsketch *s)
{
    if (!s)
        return;
    cxm__free(s->vals);
    store_release(&s->pos);
    store_release(&s->neg);
    memset(s, 0, sizeof(*s));
}

/* Counts x (already added to the data) in n, the sums and the extremes. */
static void add_moments(struct cxm__qsketch *s, double x)
{
    if (s->n == 0 || x < s->min)
        s->min = x;
    if (s->n == 0 || x > s->max)
        s->max = x;
    s->n++;
    s->sum += x;
    s->sum_sq += x * x;
}

cxm_rc cxm__qsketch_add(struct cxm__qsketch *s, double x)
{
    cxm_rc rc;

    if (!isfinite(x) || fabs(x) > CXM__QSKETCH_MAX_ABS)
        return CXM_EINVAL;
    if (x == 0)
        x = 0; /* -0.0 */
    if (!s->is_bucketed && s->n < CXM__QSKETCH_EXACT_MAX) {
        rc = cxm__grow((void **)&s->vals, &s->vals_cap, (size_t)s->n + 1,
                       sizeof(*s->vals));
        if (rc)
            return rc;
        s->vals[s->n] = x;
        s->is_sorted = false;
    } else if (!s->is_bucketed) {
        rc = to_buckets(s, &x, 1, NULL);
        if (rc)
            return rc;
    } else if (x > 0 && s->pos.n > 0) {
        /* The common case first: a bucket inside the window. */
        int32_t i = bucket_index(x);
        if (i >= s->pos.lo && i <= store_hi(&s->pos)) {
            s->pos.counts[i - s->pos.lo]++;
        } else {
            struct stores ss = {&s->pos, &s->neg, &s->n_zero};
            rc = stores_add_values(&ss, &x, 1);
            if (rc)
                return rc;
        }
    } else {
        struct stores ss = {&s->pos, &s->neg, &s->n_zero};
        rc = stores_add_values(&ss, &x, 1);
        if (rc)
            return rc;
    }
    add_moments(s, x);
    return CXM_OK;
}

cxm_rc cxm__qsketch_merge(struct cxm__qsketch *dst,
                          const struct cxm__qsketch *src)
{
    cxm_rc rc;

    CXM_ASSERT(dst != src);
    if (src->n == 0)
        return CXM_OK;
    if (dst->n > UINT64_MAX - src->n)
        return CXM_ETOOBIG;
    if (!dst->is_bucketed && !src->is_bucketed &&
        dst->n + src->n <= CXM__QSKETCH_EXACT_MAX) {
        size_t n = (size_t)dst->n, m = (size_t)src->n;
        size_t want = n + m;
        if (want > dst->vals_cap && dst->vals_cap &&
            want < dst->vals_cap * 4)
            want = dst->vals_cap * 4 < CXM__QSKETCH_EXACT_MAX
                       ? dst->vals_cap * 4
                       : CXM__QSKETCH_EXACT_MAX;
        if (want < n + m)
            want = n + m;
        rc = cxm__grow((void **)&dst->vals, &dst->vals_cap, want,
                       sizeof(*dst->vals));
        if (rc)
            return rc;
        memcpy(dst->vals + n, src->vals, m * sizeof(*dst->vals));
        dst->is_sorted = false;
    } else if (!dst->is_bucketed) {
        rc = src->is_bucketed ? to_buckets(dst, NULL, 0, src)
                              : to_buckets(dst, src->vals, (size_t)src->n,
                                           NULL);
        if (rc)
            return rc;
    } else {
        struct stores ss = {&dst->pos, &dst->neg, &dst->n_zero};
        rc = src->is_bucketed
                 ? stores_add_stores(&ss, src)
                 : stores_add_values(&ss, src->vals, (size_t)src->n);
        if (rc)
            return rc;
    }
    if (dst->n == 0 || src->min < dst->min)
        dst->min = src->min;
    if (dst->n == 0 || src->max > dst->max)
        dst->max = src->max;
    dst->n += src->n;
    dst->sum += src->sum;
    dst->sum_sq += src->sum_sq;
    return CXM_OK;
}

/* ---- Answers ----------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A double's bits as an unsigned key in the same order (no NaN; -0.0 is
 * never stored): negatives inverted, positives past them. */
static uint64_t sort_key(double x)
{
    uint64_t u;

    memcpy(&u, &x, sizeof(u));
    return u >> 63 ? ~u : u | (UINT64_C(1) << 63);
}

/* Sorts v[0..n) ascending by an LSD radix sort of sort_key() (a byte a
 * pass, passes where every key has the same byte skipped): the order of
 * cmp_double(), several times faster than qsort() for the exact sketches
 * a report's quantiles sort (thousands of durations per group). false
 * when out of memory (nothing changed). */
static bool radix_sort(double *v, size_t n)
{
    uint64_t *a = cxm__malloc(2 * n * sizeof(*a)), *b, *t;
    size_t count[256];

    if (!a)
        return false;
    b = a + n;
    for (size_t i = 0; i < n; i++)
        a[i] = sort_key(v[i]);
    for (int shift = 0; shift < 64; shift += 8) {
        size_t pos = 0;
        memset(count, 0, sizeof(count));
        for (size_t i = 0; i < n; i++)
            count[(a[i] >> shift) & 0xff]++;
        if (count[(a[0] >> shift) & 0xff] == n)
            continue;
        for (int k = 0; k < 256; k++) {
            size_t c = count[k];
            count[k] = pos;
            pos += c;
        }
        for (size_t i = 0; i < n; i++)
            b[count[(a[i] >> shift) & 0xff]++] = a[i];
        t = a;
        a = b;
        b = t;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t u = a[i] >> 63 ? a[i] & ~(UINT64_C(1) << 63) : ~a[i];
        memcpy(&v[i], &u, sizeof(u));
    }
    cxm__free(a < b ? a : b);
    return true;
}

static void sort_values(struct cxm__qsketch *s)
{
    if (s->is_sorted || s->n < 2)
        return;
    if (s->n < 64 || !radix_sort(s->vals, (size_t)s->n))
        qsort(s->vals, (size_t)s->n, sizeof(*s->vals), cmp_double);
    s->is_sorted = true;
}

/* Bucket mode: the value standing for rank r (0-based, < n), ascending:
 * the negative buckets from the largest magnitude, the zeros, then the
 * positive buckets; clamped to [min, max]. */
static double value_at_rank(const struct cxm__qsketch *s, uint64_t r)
{
    uint64_t seen = 0;
    double v = s->max;

    for (uint32_t k = s->neg.n; k-- > 0;) {
        seen += s->neg.counts[k];
        if (r < seen) {
            v = -bucket_value(s->neg.lo + (int32_t)k);
            goto out;
        }
    }
    seen += s->n_zero;
    if (r < seen) {
        v = 0;
        goto out;
    }
    for (uint32_t k = 0; k < s->pos.n; k++) {
        seen += s->pos.counts[k];
        if (r < seen) {
            v = bucket_value(s->pos.lo + (int32_t)k);
            goto out;
        }
    }
out:
    return v < s->min ? s->min : v > s->max ? s->max : v;
}

double cxm__qsketch_quantile(struct cxm__qsketch *s, double q)
{
    double pos, frac, a, b, v;
    uint64_t i;

    CXM_ASSERT(s->n > 0);
    if (!s->is_bucketed) {
        sort_values(s);
        return cxm_quantile_sorted(s->vals, (size_t)s->n, q);
    }
    if (q <= 0)
        return s->min;
    if (q >= 1)
        return s->max;
    /* percentile_cont: interpolate between ranks floor(q(n−1)) and the
     * next; each is within ALPHA of its true value, so is the result. */
    pos = q * (double)(s->n - 1);
    if (pos >= (double)(s->n - 1))
        return s->max;
    i = (uint64_t)pos;
    frac = pos - (double)i;
    a = value_at_rank(s, i);
    if (frac == 0)
        return a;
    b = value_at_rank(s, i + 1);
    v = a + frac * (b - a);
    return v < s->min ? s->min : v > s->max ? s->max : v;
}

void cxm__qsketch_sums(struct cxm__qsketch *s, double *sum, double *sum_sq)
{
    double a = 0, b = 0;

    if (s->is_bucketed) {
        *sum = s->sum;
        *sum_sq = s->sum_sq;
        return;
    }
    sort_values(s);
    for (uint64_t k = 0; k < s->n; k++) {
        a += s->vals[k];
        b += s->vals[k] * s->vals[k];
    }
    *sum = a;
    *sum_sq = b;
}

/* ---- The blob ---------------------------------------------------------- */

static void put_le(unsigned char *p, uint64_t v, int n)
{
    for (int k = 0; k < n; k++)
        p[k] = (unsigned char)(v >> (8 * k));
}

static uint64_t get_le(const unsigned char *p, int n)
{
    uint64_t v = 0;

    for (int k = n; k-- > 0;)
        v = v << 8 | p[k];
    return v;
}

static uint64_t f64_bits(double x)
{
    uint64_t u;

    memcpy(&u, &x, sizeof(u));
    return u;
}

static double f64_of(uint64_t u)
{
    double x;

    memcpy(&x, &u, sizeof(x));
    return x;
}

/* A writer that batches small little-endian fields into few appends. */
struct writer {
    struct cxm__buf *out;
    cxm_rc rc;        /* the first error; later writes do nothing */
    size_t len;       /* bytes waiting in chunk */
    unsigned char chunk[512];
};

static void flush(struct writer *w)
{
    if (!w->rc && w->len > 0)
        w->rc = cxm__buf_add(w->out, w->chunk, w->len);
    w->len = 0;
}

static void write_le(struct writer *w, uint64_t v, int n)
{
    if (w->len + (size_t)n > sizeof(w->chunk))
        flush(w);
    put_le(w->chunk + w->len, v, n);
    w->len += (size_t)n;
}

/* An unsigned LEB128 varint: 7 bits a byte, low first, 1 to 10 bytes. */
static void write_varint(struct writer *w, uint64_t v)
{
    if (w->len + 10 > sizeof(w->chunk))
        flush(w);
    while (v >= 0x80) {
        w->chunk[w->len++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    w->chunk[w->len++] = (unsigned char)v;
}

static void write_store(struct writer *w, const struct cxm__qstore *st)
{
    write_le(w, (uint32_t)st->lo, 4);
    write_le(w, st->n, 4);
    for (uint32_t k = 0; k < st->n; k++)
        write_varint(w, st->counts[k]);
}

cxm_rc cxm__qsketch_serialize(const struct cxm__qsketch *s,
                              struct cxm__buf *out)
{
    struct writer w;

    w.out = out;
    w.rc = CXM_OK;
    w.len = 0;
    for (int k = 0; k < 4; k++)
        write_le(&w, magic[k], 1);
    write_le(&w, CXM__QSKETCH_VERSION, 1);
    write_le(&w, s->is_bucketed ? FLAG_BUCKETED : 0, 1);
    write_le(&w, 0, 2);
    write_le(&w, s->n, 8);
    write_le(&w, f64_bits(s->sum), 8);
    write_le(&w, f64_bits(s->sum_sq), 8);
    write_le(&w, f64_bits(s->min), 8);
    write_le(&w, f64_bits(s->max), 8);
    if (!s->is_bucketed) {
        for (uint64_t k = 0; k < s->n; k++)
            write_le(&w, f64_bits(s->vals[k]), 8);
    } else {
        write_le(&w, s->n_zero, 8);
        write_store(&w, &s->pos);
        write_store(&w, &s->neg);
    }
    flush(&w);
    return w.rc;
}

/* A bounds-checked reader over the blob. */
struct reader {
    const unsigned char *p;
    size_t len, off;
};

static bool read_le(struct reader *r, int n, uint64_t *out)
{
    if (r->len - r->off < (size_t)n)
        return false;
    *out = get_le(r->p + r->off, n);
    r->off += (size_t)n;
    return true;
}

/* A varint as write_varint() makes it: at most 10 bytes, no value past
 * 2^64 − 1, and no redundant high zero byte (one encoding per value). */
static bool read_varint(struct reader *r, uint64_t *out)
{
    uint64_t v = 0;

    for (int k = 0; k < 10; k++) {
        unsigned b;
        if (r->off == r->len)
            return false;
        b = r->p[r->off++];
        if (k == 9 && b > 1)
            return false;
        v |= (uint64_t)(b & 0x7f) << (7 * k);
        if (!(b & 0x80)) {
            if (k > 0 && b == 0)
                return false;
            *out = v;
            return true;
        }
    }
    return false;
}

static bool value_ok(double x)
{
    return isfinite(x) && fabs(x) <= CXM__QSKETCH_MAX_ABS;
}

/* Reads one store: trimmed, inside [INDEX_MIN, INDEX_MAX], at most
 * MAX_BUCKETS; adds its counts to *total (false on overflow). */
static cxm_rc read_store(struct reader *r, struct cxm__qstore *st,
                         uint64_t *total)
{
    uint64_t lo, nb, c = 0;
    int32_t lo32;

    if (!read_le(r, 4, &lo) || !read_le(r, 4, &nb))
        return CXM_EINPUT;
    lo32 = (int32_t)(uint32_t)lo;
    if (nb == 0)
        return lo32 == 0 ? CXM_OK : CXM_EINPUT;
    if (nb > MAX_BUCKETS || lo32 < INDEX_MIN ||
        (int64_t)lo32 + (int64_t)nb - 1 > INDEX_MAX ||
        r->len - r->off < nb) /* a varint is at least one byte */
        return CXM_EINPUT;
    st->counts = cxm__malloc((size_t)nb * sizeof(*st->counts));
    if (!st->counts)
        return CXM_ENOMEM;
    st->cap = (uint32_t)nb;
    st->n = (uint32_t)nb;
    st->lo = lo32;
    for (uint32_t k = 0; k < st->n; k++) {
        if (!read_varint(r, &c) || c > UINT64_MAX - *total)
            return CXM_EINPUT;
        *total += c;
        st->counts[k] = c;
    }
    if (st->counts[0] == 0 || st->counts[st->n - 1] == 0)
        return CXM_EINPUT; /* not trimmed */
    return CXM_OK;
}

/* The exact-mode values: finite, in range, not -0.0, with min and max
 * the extremes. */
static cxm_rc read_values(struct reader *r, struct cxm__qsketch *s)
{
    bool has_min = false, has_max = false;
    uint64_t u = 0;

    if (s->n > CXM__QSKETCH_EXACT_MAX || (r->len - r->off) / 8 < s->n)
        return CXM_EINPUT;
    if (s->n == 0)
        return CXM_OK;
    s->vals = cxm__malloc((size_t)s->n * sizeof(*s->vals));
    if (!s->vals)
        return CXM_ENOMEM;
    s->vals_cap = (size_t)s->n;
    for (uint64_t k = 0; k < s->n; k++) {
        double x;
        (void)read_le(r, 8, &u);
        x = f64_of(u);
        if (!value_ok(x) || (x == 0 && signbit(x)) || x < s->min ||
            x > s->max)
            return CXM_EINPUT;
        has_min |= x == s->min;
        has_max |= x == s->max;
        s->vals[k] = x;
    }
    return has_min && has_max ? CXM_OK : CXM_EINPUT;
}

/* Header checks common to both modes. */
static bool header_ok(const struct cxm__qsketch *s)
{
    double n = (double)s->n, m = CXM__QSKETCH_MAX_ABS;

    if (!value_ok(s->min) || !value_ok(s->max) || s->min > s->max ||
        !isfinite(s->sum) || !isfinite(s->sum_sq))
        return false;
    if (s->n == 0)
        return s->sum == 0 && s->sum_sq == 0 && s->min == 0 && s->max == 0;
    return fabs(s->sum) <= n * m && s->sum_sq >= 0 && s->sum_sq <= n * m * m;
}

/* Bucket mode: counts add up to n, the signs agree with min and max. */
static bool buckets_ok(const struct cxm__qsketch *s, uint64_t total)
{
    if (total != s->n || s->n <= CXM__QSKETCH_EXACT_MAX)
        return false;
    if ((s->neg.n > 0) != (s->min < 0) || (s->pos.n > 0) != (s->max > 0))
        return false;
    return s->n_zero == 0 || (s->min <= 0 && s->max >= 0);
}

cxm_rc cxm__qsketch_deserialize(struct cxm__qsketch *out, const void *p,
                                size_t len)
{
    struct reader r = {p, len, 0};
    struct cxm__qsketch s = CXM__QSKETCH_INIT;
    uint64_t u = 0, total = 0;
    cxm_rc rc = CXM_EINPUT;

    memset(out, 0, sizeof(*out));
    if (len < HEADER_LEN || memcmp(r.p, magic, 4) != 0)
        return CXM_EINPUT;
    r.off = 4;
    (void)read_le(&r, 1, &u);
    if (u != CXM__QSKETCH_VERSION)
        return CXM_EINPUT;
    (void)read_le(&r, 1, &u);
    if (u & ~(uint64_t)FLAG_BUCKETED)
        return CXM_EINPUT;
    s.is_bucketed = u & FLAG_BUCKETED;
    (void)read_le(&r, 2, &u);
    if (u != 0)
        return CXM_EINPUT;
    (void)read_le(&r, 8, &s.n);
    (void)read_le(&r, 8, &u);
    s.sum = f64_of(u);
    (void)read_le(&r, 8, &u);
    s.sum_sq = f64_of(u);
    (void)read_le(&r, 8, &u);
    s.min = f64_of(u);
    (void)read_le(&r, 8, &u);
    s.max = f64_of(u);
    if (!header_ok(&s))
        goto fail;
    if (!s.is_bucketed) {
        rc = read_values(&r, &s);
    } else if (!read_le(&r, 8, &s.n_zero)) {
        rc = CXM_EINPUT;
    } else {
        total = s.n_zero;
        rc = read_store(&r, &s.pos, &total);
        if (!rc)
            rc = read_store(&r, &s.neg, &total);
        if (!rc && !buckets_ok(&s, total))
            rc = CXM_EINPUT;
    }
    if (!rc && r.off != r.len)
        rc = CXM_EINPUT; /* trailing bytes */
    if (rc)
        goto fail;
    *out = s;
    return CXM_OK;
fail:
    cxm__qsketch_release(&s);
    return rc ? rc : CXM_EINPUT;
}
