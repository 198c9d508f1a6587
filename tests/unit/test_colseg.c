/* SPDX-License-Identifier: MIT
 *
 * test_colseg.c — unit tests of src/colseg.c, the column segment of a
 * month of survey answers: values survive encode and view; each column is
 * one byte wide until an id passes 255; the bytes per answer the issue
 * bounds (≤ 16); and the view refuses every malformed blob.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "colseg.h"

static void push(struct cxm__colseg_writer *w, uint32_t off, uint16_t score,
                 uint16_t base)
{
    uint16_t id[CXM__COL_COUNT];

    for (int c = 0; c < CXM__COL_COUNT; c++)
        id[c] = (uint16_t)(base + c);
    assert_int_equal(cxm__colseg_push(w, off, score, id), CXM_OK);
}

static void test_colseg__round_trip(void **state)
{
    struct cxm__colseg_writer w = {0};
    struct cxm__colseg v;
    uint8_t *blob;
    size_t len;

    (void)state;
    for (uint32_t i = 0; i < 1000; i++)
        push(&w, i * 2678399u, (uint16_t)(i % 11), (uint16_t)(i % 200));
    assert_int_equal(cxm__colseg_encode(&w, &blob, &len), CXM_OK);
    assert_int_equal(cxm__colseg_view(blob, len, &v), CXM_OK);
    assert_int_equal(v.n, 1000);
    for (size_t i = 0; i < 1000; i++) {
        assert_int_equal(cxm__colseg_off(&v, i), (uint32_t)i * 2678399u);
        assert_int_equal(cxm__colseg_get(v.score, v.score_w, i), i % 11);
        for (int c = 0; c < CXM__COL_COUNT; c++)
            assert_int_equal(cxm__colseg_get(v.col[c], v.w[c], i),
                             i % 200 + (size_t)c);
    }
    /* Every id below 256: one byte each, 4 + 1 + 6 = 11 bytes an answer. */
    assert_int_equal(v.score_w, 1);
    for (int c = 0; c < CXM__COL_COUNT; c++)
        assert_int_equal(v.w[c], 1);
    assert_int_equal(len, CXM__COLSEG_HEADER + 1000 * 11);
    cxm__free(blob);
    cxm__colseg_writer_release(&w);
}

static void test_colseg__wide_ids_take_two_bytes(void **state)
{
    struct cxm__colseg_writer w = {0};
    struct cxm__colseg v;
    uint16_t id[CXM__COL_COUNT] = {0, 300, 1, 2, 3, 65535};
    uint8_t *blob;
    size_t len;

    (void)state;
    assert_int_equal(cxm__colseg_push(&w, 7, 2000, id), CXM_OK);
    assert_int_equal(cxm__colseg_encode(&w, &blob, &len), CXM_OK);
    assert_int_equal(cxm__colseg_view(blob, len, &v), CXM_OK);
    assert_int_equal(v.score_w, 2);
    assert_int_equal(v.w[CXM__COL_AGENT], 2);
    assert_int_equal(v.w[CXM__COL_TEAM], 1);
    assert_int_equal(v.w[CXM__COL_TOPIC], 2);
    assert_int_equal(cxm__colseg_get(v.score, v.score_w, 0), 2000);
    assert_int_equal(cxm__colseg_get(v.col[CXM__COL_AGENT], 2, 0), 300);
    assert_int_equal(cxm__colseg_get(v.col[CXM__COL_TOPIC], 2, 0), 65535);
    /* The widest answer: 4 + 2 + 6 × 2 = 18 bytes; the issue's ≤ 16 holds
     * while kinds, teams, channels and languages stay under 256 values. */
    assert_int_equal(len, CXM__COLSEG_HEADER + 4 + 2 + 1 + 2 + 1 + 1 + 1 + 2);
    cxm__free(blob);
    cxm__colseg_writer_release(&w);
}

static void test_colseg__empty(void **state)
{
    struct cxm__colseg_writer w = {0};
    struct cxm__colseg v;
    uint8_t *blob;
    size_t len;

    (void)state;
    assert_int_equal(cxm__colseg_encode(&w, &blob, &len), CXM_OK);
    assert_int_equal(len, CXM__COLSEG_HEADER);
    assert_int_equal(cxm__colseg_view(blob, len, &v), CXM_OK);
    assert_int_equal(v.n, 0);
    cxm__free(blob);
}

static void test_colseg__refuses_malformed(void **state)
{
    struct cxm__colseg_writer w = {0};
    struct cxm__colseg v;
    uint8_t *blob, *bad;
    size_t len;

    (void)state;
    for (uint32_t i = 0; i < 10; i++)
        push(&w, i, 1, 1);
    assert_int_equal(cxm__colseg_encode(&w, &blob, &len), CXM_OK);
    bad = malloc(len + 1);
    assert_non_null(bad);
    /* Too short, too long, truncated header. */
    assert_int_equal(cxm__colseg_view(blob, len - 1, &v), CXM_EINPUT);
    memcpy(bad, blob, len);
    bad[len] = 0;
    assert_int_equal(cxm__colseg_view(bad, len + 1, &v), CXM_EINPUT);
    assert_int_equal(cxm__colseg_view(blob, 5, &v), CXM_EINPUT);
    assert_int_equal(cxm__colseg_view(NULL, 0, &v), CXM_EINPUT);
    /* Bad magic, a width of 3, a count that does not match the size. */
    memcpy(bad, blob, len);
    bad[3] = '2';
    assert_int_equal(cxm__colseg_view(bad, len, &v), CXM_EINPUT);
    memcpy(bad, blob, len);
    bad[9] = 3;
    assert_int_equal(cxm__colseg_view(bad, len, &v), CXM_EINPUT);
    memcpy(bad, blob, len);
    bad[4] = 11;
    assert_int_equal(cxm__colseg_view(bad, len, &v), CXM_EINPUT);
    memcpy(bad, blob, len);
    bad[7] = 0xff; /* n ≈ 4 × 10^9: the size check must not overflow */
    assert_int_equal(cxm__colseg_view(bad, len, &v), CXM_EINPUT);
    free(bad);
    cxm__free(blob);
    cxm__colseg_writer_release(&w);
}

int main(void)
{
#define T(f) cmocka_unit_test(f)
    const struct CMUnitTest tests[] = {
        T(test_colseg__round_trip),
        T(test_colseg__wide_ids_take_two_bytes),
        T(test_colseg__empty),
        T(test_colseg__refuses_malformed),
    };

    return cmocka_run_group_tests_name("colseg", tests, NULL, NULL);
}
