/* SPDX-License-Identifier: MIT
 *
 * bench_qsketch.c — the cost of the duration sketch (src/stats/qsketch.c)
 * against the vector of every duration it replaced (the old
 * cxm__dvec_push, copied here): add N values, then answer mean, median and
 * p90, plus memory and blob size. A program, not a test: it prints
 * `name, n, seconds, values/s, ns/value` lines and the sketch's error
 * against the sorted truth.
 * Usage: bench_qsketch [N] [RUNS]   (default 10000000 values, 5 runs)
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qsketch.h"

/* The old struct cxm__dvec and cxm__dvec_push of report.c, verbatim. */
struct dvec {
    double *v;
    size_t n, cap;
};

static cxm_rc dvec_push(struct dvec *d, double x)
{
    if (d->n == d->cap) {
        cxm_rc rc = cxm__grow((void **)&d->v, &d->cap, d->n + 1,
                              sizeof(*d->v));
        if (rc)
            return rc;
    }
    d->v[d->n++] = x;
    return CXM_OK;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* splitmix64; lognormal durations like the demo's resolution times,
 * rounded to the millisecond: e^(10.5 + 1.4 N) seconds. */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static double unif(uint64_t *s)
{
    return ((double)(next_u64(s) >> 11) + 0.5) * 0x1p-53;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_time(const void *a, const void *b)
{
    return cmp_double(a, b);
}

static void line(const char *name, size_t n, double sec)
{
    printf("%-22s n=%zu  %.3f s  %.1f M values/s  %.2f ns/value\n", name, n,
           sec, (double)n / sec / 1e6, sec * 1e9 / (double)n);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 10000000;
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    double *x = malloc(n * sizeof(*x));
    double t_dvec[16], t_warm[16], t_sk[16], t_dq[16], t_sq[16];
    double med_true = 0, p90_true = 0, med_sk = 0, p90_sk = 0;
    double mean_true = 0, mean_sk = 0;
    size_t sk_bytes = 0, blob_len = 0;
    uint64_t seed = 20260301;

    if (!x || n < 2 || runs < 1 || runs > 16)
        return 2;
    for (size_t i = 0; i < n; i++) {
        double z = sqrt(-2 * log(unif(&seed))) *
                   cos(6.283185307179586 * unif(&seed));
        x[i] = round(exp(10.5 + 1.4 * z) * 1e3) / 1e3;
    }
    for (int r = 0; r < runs; r++) {
        struct dvec d = {0};
        struct cxm__qsketch s = CXM__QSKETCH_INIT;
        struct cxm__buf b = CXM__BUF_INIT(1 << 20);
        double t0, sum = 0, sum_sq;

        t0 = now();
        for (size_t i = 0; i < n; i++) {
            if (dvec_push(&d, x[i]))
                return 1;
        }
        t_dvec[r] = now() - t0;
        /* Again into the grown vector: the store alone, no realloc and no
         * page faults (a lower bound the old code never reached). */
        d.n = 0;
        t0 = now();
        for (size_t i = 0; i < n; i++) {
            if (dvec_push(&d, x[i]))
                return 1;
        }
        t_warm[r] = now() - t0;
        t0 = now();
        for (size_t i = 0; i < n; i++) {
            if (cxm__qsketch_add(&s, x[i]))
                return 1;
        }
        t_sk[r] = now() - t0;

        /* The figure: what report.c's figure_duration did and does. */
        t0 = now();
        qsort(d.v, d.n, sizeof(*d.v), cmp_double);
        for (size_t i = 0; i < d.n; i++)
            sum += d.v[i];
        mean_true = sum / (double)d.n;
        med_true = cxm_quantile_sorted(d.v, d.n, 0.5);
        p90_true = cxm_quantile_sorted(d.v, d.n, 0.9);
        t_dq[r] = now() - t0;
        t0 = now();
        cxm__qsketch_sums(&s, &sum, &sum_sq);
        mean_sk = sum / (double)cxm__qsketch_count(&s);
        med_sk = cxm__qsketch_quantile(&s, 0.5);
        p90_sk = cxm__qsketch_quantile(&s, 0.9);
        t_sq[r] = now() - t0;

        sk_bytes = sizeof(s) + (s.pos.cap + s.neg.cap) * sizeof(uint64_t) +
                   s.vals_cap * sizeof(double);
        if (cxm__qsketch_serialize(&s, &b))
            return 1;
        blob_len = b.len;
        cxm__buf_release(&b);
        cxm__qsketch_release(&s);
        free(d.v);
    }
    qsort(t_dvec, (size_t)runs, sizeof(double), cmp_time);
    qsort(t_warm, (size_t)runs, sizeof(double), cmp_time);
    qsort(t_sk, (size_t)runs, sizeof(double), cmp_time);
    qsort(t_dq, (size_t)runs, sizeof(double), cmp_time);
    qsort(t_sq, (size_t)runs, sizeof(double), cmp_time);
    printf("lognormal durations, medians of %d runs\n", runs);
    line("dvec_push (old)", n, t_dvec[runs / 2]);
    line("dvec_push, no growth", n, t_warm[runs / 2]);
    line("qsketch_add", n, t_sk[runs / 2]);
    printf("figure (mean, median, p90): old sort %.3f s, sketch %.1f us\n",
           t_dq[runs / 2], t_sq[runs / 2] * 1e6);
    printf("memory: dvec %.1f MB (8 bytes a value, grown by doubling), "
           "sketch %zu bytes; blob %zu bytes\n",
           (double)n * 8 / 1e6, sk_bytes, blob_len);
    printf("mean:   exact %.6f  sketch %.6f\n", mean_true, mean_sk);
    printf("median: exact %.6f  sketch %.6f  rel. error %.4f %%\n", med_true,
           med_sk, 100 * fabs(med_sk - med_true) / med_true);
    printf("p90:    exact %.6f  sketch %.6f  rel. error %.4f %%\n", p90_true,
           p90_sk, 100 * fabs(p90_sk - p90_true) / p90_true);
    free(x);
    return 0;
}
