/* SPDX-License-Identifier: MIT
 *
 * test_buf.c — unit tests of src/core/buf.c, the capped growable buffer of
 * internal.h: appends up to and past the cap (which frees the buffer),
 * formatted appends, take and release, and cxm__buf_add_num(), the
 * locale-free number writer of every JSON and CSV report ("72.0", never "-0.0").
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

/* Per-test state: one buffer (cap 64 unless a test changes it). */
struct fx {
    struct cxm__buf b;
};

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof(*fx));

    if (!fx)
        return -1;
    fx->b = (struct cxm__buf)CXM__BUF_INIT(64);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;

    cxm__buf_release(&fx->b);
    free(fx);
    return 0;
}

/* The buffer holds exactly `want`. */
static void expect(const struct cxm__buf *b, const char *want)
{
    assert_non_null(b->data);
    assert_int_equal(b->len, strlen(want));
    assert_string_equal(b->data, want);
}

/* Writes v with `decimals` into a fresh buffer and compares. */
static void num(struct fx *fx, double v, int decimals, const char *want)
{
    cxm__buf_reset(&fx->b);
    assert_int_equal(cxm__buf_add_num(&fx->b, v, decimals), CXM_OK);
    if (strcmp(fx->b.data, want) != 0)
        fail_msg("add_num(%.17g, %d) = \"%s\", want \"%s\"", v, decimals,
                 fx->b.data, want);
    assert_int_equal(fx->b.len, strlen(want));
}

static void test_buf__init_allocates_nothing(void **state)
{
    struct fx *fx = *state;

    assert_null(fx->b.data);
    assert_int_equal(fx->b.len, 0);
    assert_int_equal(fx->b.cap, 64);
}

static void test_buf__appends(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(cxm__buf_adds(&fx->b, "ab"), CXM_OK);
    assert_int_equal(cxm__buf_addc(&fx->b, 'c'), CXM_OK);
    assert_int_equal(cxm__buf_add(&fx->b, "de\0f", 4), CXM_OK);
    assert_int_equal(fx->b.len, 7);
    assert_memory_equal(fx->b.data, "abcde\0f", 8);
    assert_int_equal(cxm__buf_pad(&fx->b, 2), CXM_OK);
    assert_int_equal(fx->b.len, 9);
    assert_memory_equal(fx->b.data + 7, "  ", 3);
}

static void test_buf__empty_append_makes_empty_string(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(cxm__buf_add(&fx->b, NULL, 0), CXM_OK);
    expect(&fx->b, "");
}

static void test_buf__grows_past_first_allocation(void **state)
{
    struct fx *fx = *state;
    char want[1001];

    fx->b.cap = 1000;
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(cxm__buf_addc(&fx->b, (char)('a' + i % 26)),
                         CXM_OK);
        want[i] = (char)('a' + i % 26);
    }
    want[1000] = '\0';
    expect(&fx->b, want);
    assert_true(fx->b.alloc > fx->b.len);
}

static void test_buf__cap_is_inclusive(void **state)
{
    struct fx *fx = *state;
    char s[65];

    memset(s, 'x', 64);
    s[64] = '\0';
    assert_int_equal(cxm__buf_adds(&fx->b, s), CXM_OK);
    assert_int_equal(fx->b.len, 64);
    assert_int_equal(fx->b.data[64], '\0');
}

static void test_buf__past_cap_frees_the_buffer(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(cxm__buf_adds(&fx->b, "keep?"), CXM_OK);
    fx->b.cap = 8;
    assert_int_equal(cxm__buf_adds(&fx->b, "1234"), CXM_ETOOBIG);
    /* No half-built result survives a failed append. */
    assert_null(fx->b.data);
    assert_int_equal(fx->b.len, 0);
    /* And the buffer is usable again. */
    assert_int_equal(cxm__buf_adds(&fx->b, "123"), CXM_OK);
    expect(&fx->b, "123");
}

static void test_buf__pad_and_addf_respect_the_cap(void **state)
{
    struct fx *fx = *state;

    fx->b.cap = 4;
    assert_int_equal(cxm__buf_pad(&fx->b, 5), CXM_ETOOBIG);
    assert_null(fx->b.data);
    assert_int_equal(cxm__buf_addf(&fx->b, "%d", 12345), CXM_ETOOBIG);
    assert_null(fx->b.data);
    assert_int_equal(cxm__buf_addf(&fx->b, "%d", 1234), CXM_OK);
    expect(&fx->b, "1234");
}

static void test_buf__size_overflow_is_too_big(void **state)
{
    struct fx *fx = *state;

    fx->b.cap = SIZE_MAX;
    assert_int_equal(cxm__buf_adds(&fx->b, "x"), CXM_OK);
    assert_int_equal(cxm__buf_add(&fx->b, "y", SIZE_MAX), CXM_ETOOBIG);
    assert_null(fx->b.data);
}

static void test_buf__addf(void **state)
{
    struct fx *fx = *state;
    char longer[201];

    assert_int_equal(cxm__buf_addf(&fx->b, "%s=%d;", "n", 100), CXM_OK);
    assert_int_equal(cxm__buf_addf(&fx->b, "%lld", (long long)-7), CXM_OK);
    expect(&fx->b, "n=100;-7");
    /* Longer than the first allocation. */
    fx->b.cap = 1000;
    memset(longer, 'z', 200);
    longer[200] = '\0';
    assert_int_equal(cxm__buf_addf(&fx->b, "[%s]", longer), CXM_OK);
    assert_int_equal(fx->b.len, 8 + 202);
    assert_int_equal(fx->b.data[8], '[');
    assert_int_equal(fx->b.data[209], ']');
    assert_int_equal(fx->b.data[210], '\0');
}

static void test_buf__reset_keeps_memory(void **state)
{
    struct fx *fx = *state;
    char *before;

    assert_int_equal(cxm__buf_adds(&fx->b, "abc"), CXM_OK);
    before = fx->b.data;
    cxm__buf_reset(&fx->b);
    expect(&fx->b, "");
    assert_ptr_equal(fx->b.data, before);
    assert_int_equal(cxm__buf_adds(&fx->b, "z"), CXM_OK);
    expect(&fx->b, "z");
}

static void test_buf__take_hands_over_the_bytes(void **state)
{
    struct fx *fx = *state;
    size_t len = 0;
    char *p;

    assert_int_equal(cxm__buf_adds(&fx->b, "72.0"), CXM_OK);
    p = cxm__buf_take(&fx->b, &len);
    assert_non_null(p);
    assert_string_equal(p, "72.0");
    assert_int_equal(len, 4);
    assert_null(fx->b.data);
    assert_int_equal(fx->b.len, 0);
    cxm__free(p);
    /* The buffer starts over. */
    assert_int_equal(cxm__buf_adds(&fx->b, "x"), CXM_OK);
    expect(&fx->b, "x");
}

static void test_buf__take_of_empty_is_empty_string(void **state)
{
    struct fx *fx = *state;
    char *p = cxm__buf_take(&fx->b, NULL);

    assert_non_null(p);
    assert_string_equal(p, "");
    cxm__free(p);
}

static void test_buf__release_is_null_safe_and_repeatable(void **state)
{
    struct fx *fx = *state;

    cxm__buf_release(NULL);
    cxm__buf_release(&fx->b);
    assert_int_equal(cxm__buf_adds(&fx->b, "abc"), CXM_OK);
    cxm__buf_release(&fx->b);
    cxm__buf_release(&fx->b);
    assert_null(fx->b.data);
    assert_int_equal(fx->b.len, 0);
    assert_int_equal(fx->b.cap, 64); /* the cap stays */
}

/* A locale whose radix character is ',': de_DE, compiled into the test's
 * temporary directory with localedef when the system has none. */
static bool comma_locale(void)
{
    const char *tmp = getenv("CXM_TEST_TMP");
    char dir[512], cmd[1200];

    if (setlocale(LC_NUMERIC, "de_DE.UTF-8"))
        return true;
    if (!tmp)
        return false;
    snprintf(dir, sizeof(dir), "%s/locale", tmp);
    snprintf(cmd, sizeof(cmd),
             "mkdir -p '%s' && localedef -i de_DE -f UTF-8 "
             "'%s/de_DE.UTF-8' >/dev/null 2>&1", dir, dir);
    if (system(cmd) != 0)
        return false;
    setenv("LOCPATH", dir, 1);
    return setlocale(LC_NUMERIC, "de_DE.UTF-8") != NULL;
}

static void test_buf__add_num_ignores_the_program_locale(void **state)
{
    struct fx *fx = *state;

    if (!comma_locale())
        skip();
    num(fx, 72.5, 1, "72.5");
    num(fx, -0.125, 6, "-0.125");
    num(fx, 60, 2, "60.0");
    num(fx, 1234567.25, 2, "1234567.25");
    setlocale(LC_NUMERIC, "C");
}

static void test_buf__add_num_keeps_one_decimal(void **state)
{
    struct fx *fx = *state;

    num(fx, 72.0, 1, "72.0");
    num(fx, 72.0, 2, "72.0");
    num(fx, 60, 6, "60.0");
    num(fx, 0, 2, "0.0");
    num(fx, 1e6, 2, "1000000.0");
    num(fx, 5400, 1, "5400.0");
}

static void test_buf__add_num_trims_trailing_zeros(void **state)
{
    struct fx *fx = *state;

    num(fx, 62.5, 2, "62.5");
    num(fx, 4.25, 3, "4.25");
    num(fx, 0.125, 6, "0.125");
}

static void test_buf__add_num_negative(void **state)
{
    struct fx *fx = *state;

    num(fx, -100.0, 1, "-100.0");
    num(fx, -5.882352941176471, 2, "-5.88");
    num(fx, -47.35731996, 1, "-47.4");
    num(fx, -0.5, 1, "-0.5");
}

static void test_buf__add_num_never_negative_zero(void **state)
{
    struct fx *fx = *state;

    num(fx, -0.0, 1, "0.0");
    num(fx, -0.04, 1, "0.0");
    num(fx, -0.001, 2, "0.0");
    num(fx, -1e-12, 6, "0.0");
}

static void test_buf__add_num_rounding(void **state)
{
    struct fx *fx = *state;

    /* Rounded to `decimals`, from the double's exact binary value. */
    num(fx, 79.8603147888, 1, "79.9");
    num(fx, 62.5119712901, 1, "62.5");
    num(fx, 72.06, 1, "72.1");
    num(fx, 72.04, 1, "72.0");
    num(fx, 0.05, 1, "0.1");  /* 0.05000000000000000277 */
    num(fx, 2.675, 2, "2.67"); /* 2.67499999999999982236 */
    num(fx, 1.005, 2, "1.0");  /* 1.00499999999999989342 */
    num(fx, 99.96, 1, "100.0");
    num(fx, 2.0 / 3.0, 4, "0.6667");
}

static void test_buf__add_num_non_finite_is_null(void **state)
{
    struct fx *fx = *state;

    num(fx, NAN, 1, "null");
    num(fx, INFINITY, 1, "null");
    num(fx, -INFINITY, 1, "null");
}

static void test_buf__add_num_appends_and_respects_cap(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(cxm__buf_adds(&fx->b, "csat="), CXM_OK);
    assert_int_equal(cxm__buf_add_num(&fx->b, 72, 1), CXM_OK);
    expect(&fx->b, "csat=72.0");
    fx->b.cap = 11;
    assert_int_equal(cxm__buf_add_num(&fx->b, 72, 1), CXM_ETOOBIG);
    assert_null(fx->b.data);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_buf__init_allocates_nothing),
        T(test_buf__appends),
        T(test_buf__empty_append_makes_empty_string),
        T(test_buf__grows_past_first_allocation),
        T(test_buf__cap_is_inclusive),
        T(test_buf__past_cap_frees_the_buffer),
        T(test_buf__pad_and_addf_respect_the_cap),
        T(test_buf__size_overflow_is_too_big),
        T(test_buf__addf),
        T(test_buf__reset_keeps_memory),
        T(test_buf__take_hands_over_the_bytes),
        T(test_buf__take_of_empty_is_empty_string),
        T(test_buf__release_is_null_safe_and_repeatable),
        T(test_buf__add_num_keeps_one_decimal),
        T(test_buf__add_num_trims_trailing_zeros),
        T(test_buf__add_num_negative),
        T(test_buf__add_num_ignores_the_program_locale),
        T(test_buf__add_num_never_negative_zero),
        T(test_buf__add_num_rounding),
        T(test_buf__add_num_non_finite_is_null),
        T(test_buf__add_num_appends_and_respects_cap),
    };

    return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
