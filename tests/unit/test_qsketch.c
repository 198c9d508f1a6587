/* SPDX-License-Identifier: MIT
 *
 * test_qsketch.c — unit tests of src/stats/qsketch.c: exact mode is PostgreSQL
 * percentile_cont bit for bit; bucket mode on large random samples
 * (uniform, lognormal, heavy-tailed, constant, with zeros and negatives)
 * is within 1 % (and within the sketch's own alpha) of percentile_cont
 * computed by sorting; merging shards gives the sketch of the union in any
 * order; blobs round-trip and corrupt ones are rejected.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "qsketch.h"

#define EXACT_MAX CXM__QSKETCH_EXACT_MAX
#define N_BIG 100000 /* values of a large random sample */

/* ---- Fixtures: a seeded generator (splitmix64) and samples ------------ */

struct rng {
    uint64_t s;
};

static uint64_t next_u64(struct rng *r)
{
    uint64_t z = (r->s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Uniform in (0, 1). */
static double unif(struct rng *r)
{
    return ((double)(next_u64(r) >> 11) + 0.5) * 0x1p-53;
}

static double normal(struct rng *r)
{
    return sqrt(-2 * log(unif(r))) * cos(6.283185307179586 * unif(r));
}

enum dist {
    DIST_UNIFORM,    /* 0 .. 100 000 s */
    DIST_LOGNORMAL,  /* durations: e^(10.5 + 1.4 N), to the millisecond */
    DIST_PARETO,     /* heavy tail, shape 1.1: up to ~1e9 × the minimum */
    DIST_CONSTANT,   /* every value 3600 */
    DIST_ZEROS,      /* 30 % zeros, the rest lognormal */
    DIST_NEGATIVES,  /* 10 % negative (bad clocks), the rest lognormal */
    DIST_COUNT
};

static const char *const dist_names[DIST_COUNT] = {
    "uniform", "lognormal", "pareto", "constant", "zeros", "negatives",
};

static double draw(struct rng *r, enum dist d)
{
    double x;

    switch (d) {
    case DIST_UNIFORM:
        return 100000 * unif(r);
    case DIST_LOGNORMAL:
        return round(exp(10.5 + 1.4 * normal(r)) * 1e3) / 1e3;
    case DIST_PARETO:
        return 60 / pow(unif(r), 1 / 1.1);
    case DIST_CONSTANT:
        return 3600;
    case DIST_ZEROS:
        return unif(r) < 0.3 ? 0 : exp(7.5 + 1.3 * normal(r));
    case DIST_NEGATIVES:
        x = exp(7.5 + 1.3 * normal(r));
        return unif(r) < 0.1 ? -x : x;
    case DIST_COUNT:
        break;
    }
    return 0;
}

static double *sample(enum dist d, size_t n, uint64_t seed)
{
    struct rng r = {seed};
    double *v = malloc(n * sizeof(*v));

    assert_non_null(v);
    for (size_t i = 0; i < n; i++)
        v[i] = draw(&r, d);
    return v;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* percentile_cont by sorting a copy. */
static double exact_quantile(const double *v, size_t n, double q)
{
    double *c = malloc(n * sizeof(*c)), out;

    assert_non_null(c);
    memcpy(c, v, n * sizeof(*c));
    qsort(c, n, sizeof(*c), cmp_double);
    out = cxm_quantile_sorted(c, n, q);
    free(c);
    return out;
}

static void add_all(struct cxm__qsketch *s, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(cxm__qsketch_add(s, v[i]), CXM_OK);
}

/* Bitwise equality of doubles (0.0 and -0.0 differ, as they would in a
 * golden file). */
static void assert_same_double(double a, double b)
{
    if (memcmp(&a, &b, sizeof(a)) != 0)
        fail_msg("%.17g != %.17g", a, b);
}

/* ---- Constants ---------------------------------------------------------- */

static void test_qsketch__constants_match_libm(void **state)
{
    double g = (1 + CXM__QSKETCH_ALPHA) / (1 - CXM__QSKETCH_ALPHA);
    (void)state;

    /* log(g) suffers from g's rounding; atanh does not. */
    assert_true(fabs(CXM__QSKETCH_LN_GAMMA / log(g) - 1) < 1e-13);
    assert_true(fabs(CXM__QSKETCH_LN_GAMMA /
                         (2 * atanh(CXM__QSKETCH_ALPHA)) - 1) < 1e-15);
    assert_true(fabs(CXM__QSKETCH_INV_LN_GAMMA * CXM__QSKETCH_LN_GAMMA - 1) <
                1e-15);
    /* The bucket window spans at least 1 ms to 30 years of seconds. */
    assert_true(pow(g, CXM__QSKETCH_MAX_BUCKETS) > 1e3 * 30 * 365.25 * 86400);
}

/* ---- Exact mode --------------------------------------------------------- */

static void test_qsketch__empty_sketch(void **state)
{
    struct cxm__qsketch s = CXM__QSKETCH_INIT, t;
    struct cxm__buf b = CXM__BUF_INIT(1 << 20);
    double sum = 1, sum_sq = 1;
    (void)state;

    assert_int_equal(cxm__qsketch_count(&s), 0);
    cxm__qsketch_sums(&s, &sum, &sum_sq);
    assert_true(sum == 0 && sum_sq == 0);
    assert_int_equal(cxm__qsketch_serialize(&s, &b), CXM_OK);
    assert_int_equal(b.len, 48);
    assert_int_equal(cxm__qsketch_deserialize(&t, b.data, b.len), CXM_OK);
    assert_int_equal(cxm__qsketch_count(&t), 0);
    /* Merging empty into empty and into non-empty changes nothing. */
    assert_int_equal(cxm__qsketch_merge(&s, &t), CXM_OK);
    assert_int_equal(cxm__qsketch_add(&t, 5), CXM_OK);
    assert_int_equal(cxm__qsketch_merge(&t, &s), CXM_OK);
    assert_int_equal(cxm__qsketch_count(&t), 1);
    assert_same_double(cxm__qsketch_quantile(&t, 0.5), 5);
    cxm__qsketch_release(&s);
    cxm__qsketch_release(&t);
    cxm__qsketch_release(NULL);
    cxm__buf_release(&b);
}

static void test_qsketch__exact_is_percentile_cont_on_hand_cases(void **state)
{
    struct cxm__qsketch s = CXM__QSKETCH_INIT;
    double sum, sum_sq;
    (void)state;

    /* 4, 1, 3, 2: percentile_cont(0.5) = 2.5, (0.9) = 3 + 0.7 = 3.7. */
    add_all(&s, (const double[]){4, 1, 3, 2}, 4);
    assert_same_double(cxm__qsketch_quantile(&s, 0.5), 2.5);
    assert_same_double(cxm__qsketch_quantile(&s, 0.9), 3 + 0.7 * (4 - 3));
    assert_same_double(cxm__qsketch_quantile(&s, 0), 1);
    assert_same_double(cxm__qsketch_quantile(&s, 1), 4);
    cxm__qsketch_sums(&s, &sum, &sum_sq);
    assert_true(sum == 10 && sum_sq == 30);
    cxm__qsketch_release(&s);

    /* One value: every quantile is it. */
    add_all(&s, (const double[]){86400.5}, 1);
    assert_same_double(cxm__qsketch_quantile(&s, 0.5), 86400.5);
    assert_same_double(cxm__qsketch_quantile(&s, 0.9), 86400.5);
    cxm__qsketch_release(&s);

    /* Ten values 10..100 shuffled, with a negative and a zero added:
     * n = 12, median at position 5.5 of (-7, 0, 10, ..., 100) = 45. */
    add_all(&s, (const double[]){70, 10, 100, 40, 0, 20, 90, 60, -7, 30,
                                 50, 80},
            12);
    assert_same_double(cxm__qsketch_quantile(&s, 0.5), 45);
    /* p90: position 9.9, between 80 and 90. */
    assert_same_double(cxm__qsketch_quantile(&s, 0.9), 80 + 0.9 * 10.0);
    assert_same_double(cxm__qsketch_quantile(&s, 0), -7);
    cxm__qsketch_release(&s);

    /* -0.0 is stored as 0. */
    add_all(&s, (const double[]){-0.0}, 1);
    assert_same_double(cxm__qsketch_quantile(&s, 0.5), 0.0);
    cxm__qsketch_release(&s);
}

/* At the threshold the answers are cxm_quantile_sorted()'s, bit for bit,
 * and the mean is the sum in ascending order: what reports printed before
 * the sketch. */
static void test_qsketch__exact_up_to_threshold_bit_for_bit(void **state)
{
    double *v = sample(DIST_LOGNORMAL, EXACT_MAX, 7);
    struct cxm__qsketch s = CXM__QSKETCH_INIT;
    double qs[] = {0, 0.01, 0.1, 0.25, 0.5, 0.9, 0.99, 0.999, 1};
    double sum, sum_sq, want = 0;
    (void)state;

    add_all(&s, v, EXACT_MAX);
    assert_false(s.is_bucketed);
    for (size_t k = 0; k < CXM_ARRAY_LEN(qs); k++)
        assert_same_double(cxm__qsketch_quantile(&s, qs[k]),
                           exact_quantile(v, EXACT_MAX, qs[k]));
    qsort(v, EXACT_MAX, sizeof(*v), cmp_double);
    for (size_t i = 0; i < EXACT_MAX; i++)
        want += v[i];
    cxm__qsketch_sums(&s, &sum, &sum_sq);
    assert_same_double(sum, want);
    /* One more value and it is buckets. */
    assert_int_equal(cxm__qsketch_add(&s, 1.0), CXM_OK);
    assert_true(s.is_bucketed);
    assert_null(s.vals);
    assert_int_equal(cxm__qsketch_count(&s), EXACT_MAX + 1);
    assert_same_double(s.min, 1.0);
    cxm__qsketch_release(&s);
    free(v);
}

/* The exact values are sorted by a radix sort of their bits (64 values
 * and more): the same array, bit for bit, as qsort() gives, whatever the
 * signs, magnitudes and repeats. */
static void test_qsketch__sorted_values_equal_qsort(void **state)
{
    static const size_t sizes[] = {63, 64, 65, 1000, EXACT_MAX};
    struct rng r = {12345};
    (void)state;

    for (size_t k = 0; k < CXM_ARRAY_LEN(sizes); k++) {
        size_t n = sizes[k];
        double *v = malloc(n * sizeof(*v));
        struct cxm__qsketch s = CXM__QSKETCH_INIT;
        assert_non_null(v);
        for (size_t i = 0; i < n; i++) {
            double x = ldexp(unif(&r), (int)(next_u64(&r) % 120) - 60);
            if (i % 7 == 0)
                x = (double)(next_u64(&r) % 10); /* repeats, zeros */
            v[i] = next_u64(&r) % 3 == 0 ? -x : x;
            if (v[i] == 0)
                v[i] = 0; /* not -0.0 */
        }
        add_all(&s, v, n);
        qsort(v, n, sizeof(*v), cmp_double);
        assert_same_double(cxm__qsketch_quantile(&s, 0.5),
                           exact_quantile(v, n, 0.5));
        assert_true(s.is_sorted);
        assert_memory_equal(s.vals, v, n * sizeof(*v));
        cxm__qsketch_release(&s);
        free(v);
    }
}

static void test_qsketch__rejects_bad_values(void **state)
{
    struct cxm__qsketch s = CXM__QSKETCH_INIT;
    double bad[] = {NAN, INFINITY, -INFINITY, 0x1p63 * 1.0000001, -1e19};
    (void)state;

    assert_int_equal(cxm__qsketch_add(&s, 2), CXM_OK);
    for (size_t k = 0; k < CXM_ARRAY_LEN(bad); k++)
        assert_int_equal(cxm__qsketch_add(&s, bad[k]), CXM_EINVAL);
    assert_int_equal(cxm__qsketch_add(&s, 0x1p63), CXM_OK);
    assert_int_equal(cxm__qsketch_add(&s, -0x1p63), CXM_OK);
    assert_int_equal(cxm__qsketch_count(&s), 3);
    cxm__qsketch_release(&s);
}

/* ---- Bucket mode: accuracy --------------------------------------------- */

/* Checks q against percentile_cont of the sorted sample: within 1 %
 * (SPEC §2), and within ALPHA (plus rounding) when the two neighbours
 * have the same sign. Neighbours of opposite signs interpolate to a value
 * near 0: there only the absolute error is bounded, by ALPHA times the
 * larger magnitude. Returns the relative error (0 in that case). */
static double check_quantile(struct cxm__qsketch *s, const double *sorted,
                             size_t n, double q, const char *what)
{
    double want = cxm_quantile_sorted(sorted, n, q);
    double got = cxm__qsketch_quantile(s, q);
    double pos = q * (double)(n - 1), err;
    size_t i = (size_t)pos;
    double lo = sorted[i], hi = sorted[i + 1 < n ? i + 1 : i];

    if ((lo < 0 && hi > 0) || (lo > 0 && hi < 0)) {
        double m = fmax(fabs(lo), fabs(hi));
        if (fabs(got - want) > CXM__QSKETCH_ALPHA * m * (1 + 1e-9))
            fail_msg("%s q=%g: straddling 0, want %.17g, got %.17g", what,
                     q, want, got);
        return 0;
    }
    if (want == 0) {
        if (got != 0)
            fail_msg("%s q=%g: want 0, got %.17g", what, q, got);
        return 0;
    }
    err = fabs(got - want) / fabs(want);
    if (err > 0.01)
        fail_msg("%s q=%g: want %.17g, got %.17g (%.3g %%)", what, q, want,
                 got, 100 * err);
    if (err > CXM__QSKETCH_ALPHA * (1 + 1e-9))
        fail_msg("%s q=%g: error %.6g > alpha", what, q, err);
    return err;
}

static void test_qsketch__random_samples_within_one_percent(void **state)
{
    double qs[] = {0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99,
                   0.999};
    (void)state;

    for (int d = 0; d < DIST_COUNT; d++) {
        double *v = sample((enum dist)d, N_BIG, 1000 + (uint64_t)d);
        struct cxm__qsketch s = CXM__QSKETCH_INIT;
        double worst = 0;

        add_all(&s, v, N_BIG);
        assert_true(s.is_bucketed);
        assert_int_equal(cxm__qsketch_count(&s), N_BIG);
        qsort(v, N_BIG, sizeof(*v), cmp_double);
        for (size_t k = 0; k < CXM_ARRAY_LEN(qs); k++) {
            double e = check_quantile(&s, v, N_BIG, qs[k], dist_names[d]);
            worst = e > worst ? e : worst;
        }
        assert_same_double(cxm__qsketch_quantile(&s, 0), v[0]);
        assert_same_double(cxm__qsketch_quantile(&s, 1), v[N_BIG - 1]);
        print_message("qsketch: %-10s n=%d worst relative error %.4f %%\n",
                      dist_names[d], N_BIG, 100 * worst);
        cxm__qsketch_release(&s);
        free(v);
    }
}

/* Every q on a fine grid, on durations: the guarantee is not only at the
 * quantiles reports print. */
static void test_qsketch__every_percentile_within_alpha(void **state)
{
    double *v = sample(DIST_LOGNORMAL, 20000, 99);
    struct cxm__qsketch s = CXM__QSKETCH_INIT;
    (void)state;

    add_all(&s, v, 20000);
    qsort(v, 20000, sizeof(*v), cmp_double);
    for (int k = 0; k <= 1000; k++)
        (void)check_quantile(&s, v, 20000, k / 1000.0, "grid");
    cxm__qsketch_release(&s);
    free(v);
}

/* A range wider than the bucket cap collapses its smallest magnitudes:
 * memory stays bounded and the upper quantiles stay within alpha. */
static void test_qsketch__collapses_lowest_buckets_past_cap(void **state)
{
    struct cxm__qsketch s = CXM__QSKETCH_INIT;
    size_t n = 20000;
    double *v = malloc(n * sizeof(*v));
    (void)state;

    assert_non_null(v);
    /* Magnitudes 1e-300 .. 1e18, log-uniform, both signs. */
    for (size_t i = 0; i < n; i++) {
        double x = pow(10, -300 + 318.0 * (double)i / (double)(n - 1));
        v[i] = i % 2 ? x : -x;
        if (v[i] > 0x1p63)
            v[i] = 0x1p63;
        if (v[i] < -0x1p63)
            v[i] = -0x1p63;
    }
    add_all(&s, v, n);
    assert_true(s.pos.n <= CXM__QSKETCH_MAX_BUCKETS);
    assert_true(s.neg.n <= CXM__QSKETCH_MAX_BUCKETS);
    assert_true(s.pos.cap <= CXM__QSKETCH_MAX_BUCKETS);
    assert_int_equal(cxm__qsketch_count(&s), n);
    qsort(v, n, sizeof(*v), cmp_double);
    /* The top 10 % of positives lies well inside the kept window. */
    (void)check_quantile(&s, v, n, 0.99, "collapsed");
    (void)check_quantile(&s, v, n, 0.999, "collapsed");
    (void)check_quantile(&s, v, n, 0.01, "collapsed");
    cxm__qsketch_release(&s);
    free(v);
}

/* ---- Merge -------------------------------------------------------------- */

static void assert_same_answers(struct cxm__qsketch *a, struct cxm__qsketch *b)
{
    assert_int_equal(cxm__qsketch_count(a), cxm__qsketch_count(b));
    for (int k = 0; k <= 100; k++)
        assert_same_double(cxm__qsketch_quantile(a, k / 100.0),
                           cxm__qsketch_quantile(b, k / 100.0));
}

/* Shards of sizes from 1 to past the threshold, merged in two orders,
 * against one sketch fed the union: the same bucket counts, hence the
 * same answers bit for bit; sums agree to rounding. */
static void test_qsketch__merge_equals_union_in_any_order(void **state)
{
    static const size_t sizes[] = {1, 7, 900, 3000, 5000, 0, 12000, 2,
                                   EXACT_MAX, 30000};
    enum { N_SHARDS = sizeof(sizes) / sizeof(sizes[0]) };
    size_t total = 0, off = 0;
    struct cxm__qsketch shard[N_SHARDS], fwd = CXM__QSKETCH_INIT,
                                         rev = CXM__QSKETCH_INIT,
                                         all = CXM__QSKETCH_INIT;
    double *v, s1, q1, s2, q2;
    (void)state;

    for (size_t k = 0; k < N_SHARDS; k++)
        total += sizes[k];
    v = sample(DIST_NEGATIVES, total, 4242);
    add_all(&all, v, total);
    for (size_t k = 0; k < N_SHARDS; k++) {
        cxm__qsketch_init(&shard[k]);
        add_all(&shard[k], v + off, sizes[k]);
        off += sizes[k];
    }
    for (size_t k = 0; k < N_SHARDS; k++)
        assert_int_equal(cxm__qsketch_merge(&fwd, &shard[k]), CXM_OK);
    for (size_t k = N_SHARDS; k-- > 0;)
        assert_int_equal(cxm__qsketch_merge(&rev, &shard[k]), CXM_OK);
    assert_same_answers(&fwd, &all);
    assert_same_answers(&rev, &all);
    cxm__qsketch_sums(&fwd, &s1, &q1);
    cxm__qsketch_sums(&all, &s2, &q2);
    assert_true(fabs(s1 - s2) <= 1e-9 * fabs(s2));
    assert_true(fabs(q1 - q2) <= 1e-9 * q2);
    /* And the union is within the bound of the sorted truth. */
    qsort(v, total, sizeof(*v), cmp_double);
    (void)check_quantile(&fwd, v, total, 0.5, "merged");
    (void)check_quantile(&fwd, v, total, 0.9, "merged");
    for (size_t k = 0; k < N_SHARDS; k++)
        cxm__qsketch_release(&shard[k]);
    cxm__qsketch_release(&fwd);
    cxm__qsketch_release(&rev);
    cxm__qsketch_release(&all);
    free(v);
}

/* Exact + exact stays exact while the union fits, and answers exactly. */
static void test_qsketch__merge_of_small_shards_stays_exact(void **state)
{
    double *v = sample(DIST_LOGNORMAL, EXACT_MAX, 5);
    struct cxm__qsketch a = CXM__QSKETCH_INIT, b = CXM__QSKETCH_INIT;
    (void)state;

    add_all(&a, v, 1000);
    add_all(&b, v + 1000, EXACT_MAX - 1000);
    assert_int_equal(cxm__qsketch_merge(&a, &b), CXM_OK);
    assert_false(a.is_bucketed);
    assert_int_equal(cxm__qsketch_count(&a), EXACT_MAX);
    assert_same_double(cxm__qsketch_quantile(&a, 0.5),
                       exact_quantile(v, EXACT_MAX, 0.5));
    assert_same_double(cxm__qsketch_quantile(&a, 0.9),
                       exact_quantile(v, EXACT_MAX, 0.9));
    /* One more value through a merge leaves exact mode. */
    cxm__qsketch_release(&b);
    add_all(&b, v, 1);
    assert_int_equal(cxm__qsketch_merge(&a, &b), CXM_OK);
    assert_true(a.is_bucketed);
    assert_int_equal(cxm__qsketch_count(&a), EXACT_MAX + 1);
    cxm__qsketch_release(&a);
    cxm__qsketch_release(&b);
    free(v);
}

/* ---- The blob ----------------------------------------------------------- */

static void round_trip(struct cxm__qsketch *s)
{
    struct cxm__buf b1 = CXM__BUF_INIT(1 << 20), b2 = CXM__BUF_INIT(1 << 20);
    struct cxm__qsketch t;

    assert_int_equal(cxm__qsketch_serialize(s, &b1), CXM_OK);
    assert_int_equal(cxm__qsketch_deserialize(&t, b1.data, b1.len), CXM_OK);
    assert_int_equal(t.is_bucketed, s->is_bucketed);
    assert_same_double(t.sum, s->sum);
    assert_same_double(t.sum_sq, s->sum_sq);
    assert_int_equal(cxm__qsketch_serialize(&t, &b2), CXM_OK);
    assert_int_equal(b1.len, b2.len);
    assert_memory_equal(b1.data, b2.data, b1.len);
    if (cxm__qsketch_count(s) > 0)
        assert_same_answers(s, &t);
    cxm__qsketch_release(&t);
    cxm__buf_release(&b1);
    cxm__buf_release(&b2);
}

static void test_qsketch__blob_round_trip(void **state)
{
    struct cxm__qsketch s = CXM__QSKETCH_INIT;
    double *v = sample(DIST_NEGATIVES, 50000, 77);
    (void)state;

    round_trip(&s);
    add_all(&s, v, 10);
    round_trip(&s);
    add_all(&s, v + 10, EXACT_MAX - 10);
    round_trip(&s);
    add_all(&s, v + EXACT_MAX, 50000 - EXACT_MAX);
    assert_int_equal(cxm__qsketch_add(&s, 0), CXM_OK);
    round_trip(&s);
    cxm__qsketch_release(&s);
    free(v);
}

/* A blob of the sketch of 5000 values 1..5000 (bucket mode, no zeros or
 * negatives) into b. */
static void bucket_blob(struct cxm__buf *b)
{
    struct cxm__qsketch s = CXM__QSKETCH_INIT;

    for (int i = 1; i <= 5000; i++)
        assert_int_equal(cxm__qsketch_add(&s, i), CXM_OK);
    assert_int_equal(cxm__qsketch_serialize(&s, b), CXM_OK);
    cxm__qsketch_release(&s);
}

static void put_u64(char *p, uint64_t v)
{
    for (int k = 0; k < 8; k++)
        p[k] = (char)(v >> (8 * k));
}

static void put_f64(char *p, double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof(u));
    put_u64(p, u);
}

static void expect_rejected(const char *p, size_t len, const char *why)
{
    struct cxm__qsketch t;
    cxm_rc rc = cxm__qsketch_deserialize(&t, p, len);

    if (rc != CXM_EINPUT)
        fail_msg("%s: accepted (rc %d)", why, (int)rc);
    assert_int_equal(cxm__qsketch_count(&t), 0);
    assert_null(t.vals);
    assert_null(t.pos.counts);
    cxm__qsketch_release(&t);
}

/* Copies the blob, lets `edit` change it, expects rejection. */
#define REJECT_EDIT(blob, why, stmt)                                      \
    do {                                                                  \
        char *c = malloc((blob).len + 8);                                 \
        size_t len = (blob).len;                                          \
        assert_non_null(c);                                               \
        memcpy(c, (blob).data, (blob).len);                               \
        stmt;                                                             \
        expect_rejected(c, len, why);                                     \
        free(c);                                                          \
    } while (0)

static void test_qsketch__corrupt_blobs_rejected(void **state)
{
    struct cxm__buf eb = CXM__BUF_INIT(1 << 20), bb = CXM__BUF_INIT(1 << 20);
    struct cxm__qsketch s = CXM__QSKETCH_INIT;
    size_t pos_at = 48 + 8; /* bucket mode: after header and n_zero */
    (void)state;

    add_all(&s, (const double[]){3, 1, 2}, 3);
    assert_int_equal(cxm__qsketch_serialize(&s, &eb), CXM_OK);
    cxm__qsketch_release(&s);
    bucket_blob(&bb);

    /* Every truncation, and a trailing byte, of both kinds. */
    for (size_t n = 0; n < eb.len; n++)
        expect_rejected(eb.data, n, "truncated exact");
    for (size_t n = 0; n < bb.len; n++)
        expect_rejected(bb.data, n, "truncated buckets");
    REJECT_EDIT(eb, "trailing byte", c[len++] = 0);
    REJECT_EDIT(bb, "trailing byte", c[len++] = 0);

    /* Header. */
    REJECT_EDIT(eb, "magic", c[0] = 'X');
    REJECT_EDIT(eb, "version 2", c[4] = 2);
    REJECT_EDIT(eb, "version 0", c[4] = 0);
    REJECT_EDIT(eb, "unknown flag", c[5] = 2);
    REJECT_EDIT(eb, "reserved", c[7] = 1);
    REJECT_EDIT(eb, "exact blob flagged buckets", c[5] = 1);
    REJECT_EDIT(bb, "bucket blob flagged exact", c[5] = 0);
    REJECT_EDIT(eb, "n one more", put_u64(c + 8, 4));
    REJECT_EDIT(eb, "n one less", put_u64(c + 8, 2));
    REJECT_EDIT(bb, "n one less", put_u64(c + 8, 4999));
    REJECT_EDIT(bb, "n huge", put_u64(c + 8, UINT64_MAX));
    REJECT_EDIT(eb, "sum NaN", put_f64(c + 16, NAN));
    REJECT_EDIT(eb, "sum_sq negative", put_f64(c + 24, -1));
    REJECT_EDIT(eb, "min above max", put_f64(c + 32, 4));
    REJECT_EDIT(eb, "min not attained", put_f64(c + 32, 0.5));
    REJECT_EDIT(eb, "max not attained", put_f64(c + 40, 3.5));
    REJECT_EDIT(eb, "max infinite", put_f64(c + 40, INFINITY));
    REJECT_EDIT(bb, "min negative without negatives", put_f64(c + 32, -1));
    REJECT_EDIT(bb, "max out of range", put_f64(c + 40, 1e19));

    /* Exact values. */
    REJECT_EDIT(eb, "value NaN", put_f64(c + 48, NAN));
    REJECT_EDIT(eb, "value -0.0", put_f64(c + 56, -0.0));
    REJECT_EDIT(eb, "value below min", put_f64(c + 56, 0.25));

    /* Buckets. */
    REJECT_EDIT(bb, "zeros without min <= 0", put_u64(c + 48, 1);
                put_u64(c + 8, 5001));
    REJECT_EDIT(bb, "store too wide", c[pos_at + 5] = 0x7f);
    REJECT_EDIT(bb, "index too low", c[pos_at] = 0; c[pos_at + 1] = 0;
                c[pos_at + 2] = (char)0xfe; c[pos_at + 3] = (char)0xff);
    REJECT_EDIT(bb, "empty store with lo", c[len - 8 + 0] = 1);
    REJECT_EDIT(bb, "first bucket zero", c[pos_at + 8] = 0);

    cxm__buf_release(&eb);
    cxm__buf_release(&bb);
}

/* A bucket blob by hand: n values all equal to 1 (bucket 0), whose one
 * positive bucket holds the varint bytes v[0..n_v) in `nb` buckets. */
static size_t hand_blob(char *p, uint64_t n, uint32_t nb,
                        const unsigned char *v, size_t n_v)
{
    memcpy(p, "CXQS\x01\x01\x00\x00", 8);
    put_u64(p + 8, n);
    put_f64(p + 16, (double)n);
    put_f64(p + 24, (double)n);
    put_f64(p + 32, 1);
    put_f64(p + 40, 1);
    put_u64(p + 48, 0);           /* n_zero */
    memset(p + 56, 0, 4);         /* pos.lo = 0 */
    p[60] = (char)nb;
    p[61] = p[62] = p[63] = 0;
    memcpy(p + 64, v, n_v);
    memset(p + 64 + n_v, 0, 8);   /* an empty negative store */
    return 64 + n_v + 8;
}

static void test_qsketch__varints_are_checked(void **state)
{
    char p[128];
    struct cxm__qsketch t;
    /* 5000 = 0x1388: 0x88 0x27. */
    static const unsigned char ok[] = {0x88, 0x27};
    static const unsigned char overlong[] = {0x88, 0xa7, 0x00};
    static const unsigned char too_long[] = {0xff, 0xff, 0xff, 0xff, 0xff,
                                             0xff, 0xff, 0xff, 0xff, 0x02};
    static const unsigned char unterminated[] = {0x88, 0xa7};
    /* Two buckets of 2^63 each: the sum passes 2^64 − 1. */
    static const unsigned char overflow[] = {
        0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01,
        0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    size_t len;
    (void)state;

    len = hand_blob(p, 5000, 1, ok, sizeof(ok));
    assert_int_equal(cxm__qsketch_deserialize(&t, p, len), CXM_OK);
    assert_true(cxm__qsketch_quantile(&t, 0.5) == 1);
    cxm__qsketch_release(&t);
    len = hand_blob(p, 5000, 1, overlong, sizeof(overlong));
    expect_rejected(p, len, "overlong varint");
    len = hand_blob(p, 5000, 1, too_long, sizeof(too_long));
    expect_rejected(p, len, "varint past 2^64");
    len = hand_blob(p, 5000, 1, unterminated, sizeof(unterminated));
    expect_rejected(p, len - 8, "unterminated varint");
    len = hand_blob(p, UINT64_MAX, 2, overflow, sizeof(overflow));
    expect_rejected(p, len, "counts overflow");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qsketch__constants_match_libm),
        cmocka_unit_test(test_qsketch__empty_sketch),
        cmocka_unit_test(test_qsketch__exact_is_percentile_cont_on_hand_cases),
        cmocka_unit_test(test_qsketch__exact_up_to_threshold_bit_for_bit),
        cmocka_unit_test(test_qsketch__sorted_values_equal_qsort),
        cmocka_unit_test(test_qsketch__rejects_bad_values),
        cmocka_unit_test(test_qsketch__random_samples_within_one_percent),
        cmocka_unit_test(test_qsketch__every_percentile_within_alpha),
        cmocka_unit_test(test_qsketch__collapses_lowest_buckets_past_cap),
        cmocka_unit_test(test_qsketch__merge_equals_union_in_any_order),
        cmocka_unit_test(test_qsketch__merge_of_small_shards_stays_exact),
        cmocka_unit_test(test_qsketch__blob_round_trip),
        cmocka_unit_test(test_qsketch__corrupt_blobs_rejected),
        cmocka_unit_test(test_qsketch__varints_are_checked),
    };
    return cmocka_run_group_tests_name("qsketch", tests, NULL, NULL);
}
