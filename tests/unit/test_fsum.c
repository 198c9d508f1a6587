/* SPDX-License-Identifier: MIT
 *
 * test_fsum.c — unit tests of src/stats/fsum.c: the sum is the exact sum
 * rounded once (hand cases Python's math.fsum agrees with), the same
 * double in any order of addition and through any grouping merged from
 * stored blobs (what the QA cells rely on); non-finite values are summed
 * apart; bad blobs are refused.
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
#include "fsum.h"

#define N_VALUES 20000

static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static double sum_of(const double *v, size_t n)
{
    struct cxm__fsum s = CXM__FSUM_INIT;
    double r;

    for (size_t i = 0; i < n; i++)
        assert_int_equal(cxm__fsum_add(&s, v[i]), CXM_OK);
    r = cxm__fsum_value(&s);
    cxm__fsum_release(&s);
    return r;
}

static void test_fsum__hand_cases_are_correctly_rounded(void **state)
{
    double tenth[10], cancel[] = {1e100, 1.0, -1e100};
    double tiny[] = {1.0, 1e-16, 1e-16};
    double half[] = {1.0, 0x1p-53, 0x1p-106}; /* just past half an ulp */

    (void)state;
    for (int i = 0; i < 10; i++)
        tenth[i] = 0.1;
    assert_true(sum_of(tenth, 10) == 1.0);
    assert_true(sum_of(cancel, 3) == 1.0);
    assert_true(sum_of(tiny, 3) == 1.0000000000000002);
    assert_true(sum_of(half, 3) == 1.0 + 0x1p-52);
    assert_true(sum_of(NULL, 0) == 0.0);
}

/* Scores as the report has them, 100 × score / max: any order, and any
 * grouping into cells stored as blobs and merged, gives the same double. */
static void test_fsum__any_order_and_grouping_same_double(void **state)
{
    static double v[N_VALUES], sq[N_VALUES];
    uint64_t seed = 42;
    double want, want_sq;

    (void)state;
    for (size_t i = 0; i < N_VALUES; i++) {
        double max = (double)(1 + next_u64(&seed) % 137);
        double score = (double)(next_u64(&seed) % 1000) / 7.0;
        v[i] = 100.0 * score / max;
        sq[i] = v[i] * v[i];
    }
    want = sum_of(v, N_VALUES);
    want_sq = sum_of(sq, N_VALUES);
    for (int round = 0; round < 5; round++) {
        struct cxm__fsum cells[7], all = CXM__FSUM_INIT;
        struct cxm__buf b = CXM__BUF_INIT(SIZE_MAX / 2);
        for (size_t i = N_VALUES - 1; i > 0; i--) {
            size_t j = (size_t)(next_u64(&seed) % (i + 1));
            double t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        assert_true(sum_of(v, N_VALUES) == want);
        for (int c = 0; c < 7; c++)
            cells[c] = (struct cxm__fsum)CXM__FSUM_INIT;
        for (size_t i = 0; i < N_VALUES; i++)
            assert_int_equal(cxm__fsum_add(&cells[next_u64(&seed) % 7],
                                           v[i]), CXM_OK);
        for (int c = 6; c >= 0; c--) {
            cxm__buf_reset(&b);
            assert_int_equal(cxm__fsum_serialize(&cells[c], &b), CXM_OK);
            assert_int_equal(cxm__fsum_merge_blob(&all, b.data, b.len),
                             CXM_OK);
            cxm__fsum_release(&cells[c]);
        }
        assert_true(cxm__fsum_value(&all) == want);
        cxm__fsum_release(&all);
        cxm__buf_release(&b);
    }
    assert_true(want_sq > 0);
}

static void test_fsum__special_values_apart(void **state)
{
    double inf[] = {1.0, INFINITY, 2.0};
    double nan_[] = {INFINITY, -INFINITY};
    double huge[] = {0x1p1000, 1.0};

    (void)state;
    assert_true(isinf(sum_of(inf, 3)));
    assert_true(isnan(sum_of(nan_, 2)));
    assert_true(sum_of(huge, 2) == 0x1p1000);
}

static void test_fsum__bad_blobs_refused(void **state)
{
    struct cxm__fsum s = CXM__FSUM_INIT;
    uint8_t b[12] = {0};

    (void)state;
    assert_int_equal(cxm__fsum_merge_blob(&s, b, 0), CXM_EINVAL);
    assert_int_equal(cxm__fsum_merge_blob(&s, b, 12), CXM_EINVAL);
    assert_int_equal(cxm__fsum_merge_blob(&s, b, 8), CXM_OK);
    assert_true(cxm__fsum_value(&s) == 0.0);
    cxm__fsum_release(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fsum__hand_cases_are_correctly_rounded),
        cmocka_unit_test(test_fsum__any_order_and_grouping_same_double),
        cmocka_unit_test(test_fsum__special_values_apart),
        cmocka_unit_test(test_fsum__bad_blobs_refused),
    };
    return cmocka_run_group_tests_name("fsum", tests, NULL, NULL);
}
