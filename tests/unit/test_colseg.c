/* SPDX-License-Identifier: MIT
 *
 * test_colseg.c — unit tests of src/store/sqlite/colseg.c, the column segment of a
 * month of survey answers: values survive encode and view; each column is
 * one byte wide until an id passes 255, three past 65535; the bytes per
 * answer the issue bounds (≤ 16); the view refuses every malformed blob
 * and every damaged byte (checksum); XXH64 gives the reference values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checksum.h"
#include "colseg.h"

static void push(struct cxm__colseg_writer *w, uint32_t off, uint16_t score,
                 uint16_t base)
{
    uint32_t id[CXM__COL_COUNT];

    for (int c = 0; c < CXM__COL_COUNT; c++)
        id[c] = (uint32_t)(base + c);
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
    assert_int_equal(cxm__colseg_view(blob, len, true, &v), CXM_OK);
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
    uint32_t id[CXM__COL_COUNT] = {0, 300, 1, 2, 3, 65535};
    uint8_t *blob;
    size_t len;

    (void)state;
    assert_int_equal(cxm__colseg_push(&w, 7, 2000, id), CXM_OK);
    assert_int_equal(cxm__colseg_encode(&w, &blob, &len), CXM_OK);
    assert_int_equal(cxm__colseg_view(blob, len, true, &v), CXM_OK);
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
    assert_int_equal(cxm__colseg_view(blob, len, true, &v), CXM_OK);
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
    assert_int_equal(cxm__colseg_view(blob, len - 1, true, &v), CXM_EINPUT);
    memcpy(bad, blob, len);
    bad[len] = 0;
    assert_int_equal(cxm__colseg_view(bad, len + 1, true, &v), CXM_EINPUT);
    assert_int_equal(cxm__colseg_view(blob, 5, true, &v), CXM_EINPUT);
    assert_int_equal(cxm__colseg_view(NULL, 0, true, &v), CXM_EINPUT);
    /* Bad magic, a width of 4, a count that does not match the size. */
    memcpy(bad, blob, len);
    bad[3] = '1';
    assert_int_equal(cxm__colseg_view(bad, len, false, &v), CXM_EINPUT);
    memcpy(bad, blob, len);
    bad[17] = 4;
    assert_int_equal(cxm__colseg_view(bad, len, false, &v), CXM_EINPUT);
    memcpy(bad, blob, len);
    bad[12] = 11;
    assert_int_equal(cxm__colseg_view(bad, len, false, &v), CXM_EINPUT);
    memcpy(bad, blob, len);
    bad[15] = 0xff; /* n ≈ 4 × 10^9: the size check must not overflow */
    assert_int_equal(cxm__colseg_view(bad, len, false, &v), CXM_EINPUT);
    /* Any one byte flipped: refused (the checksum, or the structure). */
    for (size_t i = 0; i < len; i++) {
        memcpy(bad, blob, len);
        bad[i] ^= 0x10;
        assert_int_equal(cxm__colseg_view(bad, len, true, &v), CXM_EINPUT);
    }
    free(bad);
    cxm__free(blob);
    cxm__colseg_writer_release(&w);
}

static void test_colseg__three_byte_ids(void **state)
{
    struct cxm__colseg_writer w = {0};
    struct cxm__colseg v;
    uint32_t id[CXM__COL_COUNT] = {0, 5, 1, 2, 3, 4};
    uint8_t *blob;
    size_t len;

    (void)state;
    for (uint32_t i = 0; i < 300; i++) {
        id[CXM__COL_AGENT] = i * 1000u; /* past 65535 from i = 66 */
        assert_int_equal(cxm__colseg_push(&w, i, 1, id), CXM_OK);
    }
    id[CXM__COL_AGENT] = CXM__COL_MAX_ID + 1;
    assert_int_equal(cxm__colseg_push(&w, 0, 1, id), CXM_ETOOBIG);
    assert_int_equal(cxm__colseg_encode(&w, &blob, &len), CXM_OK);
    assert_int_equal(cxm__colseg_view(blob, len, true, &v), CXM_OK);
    assert_int_equal(v.w[CXM__COL_AGENT], 3);
    assert_int_equal(v.w[CXM__COL_TEAM], 1);
    for (uint32_t i = 0; i < 300; i++) {
        assert_int_equal(cxm__colseg_get(v.col[CXM__COL_AGENT], 3, i),
                         i * 1000u);
        assert_int_equal(cxm__colseg_writer_id(&w, CXM__COL_AGENT, i),
                         i * 1000u);
    }
    cxm__free(blob);
    cxm__colseg_writer_release(&w);
}

static void test_colseg__upgrade_from_v1(void **state)
{
    /* A "CXC1" segment of two answers, every id one byte. */
    uint8_t v1[4 + 4 + 1 + CXM__COL_COUNT + 2 * 11];
    struct cxm__colseg v;
    uint8_t *out;
    size_t len;

    (void)state;
    memset(v1, 0, sizeof(v1));
    memcpy(v1, "CXC1", 4);
    v1[4] = 2;
    v1[8] = 1;
    for (int c = 0; c < CXM__COL_COUNT; c++)
        v1[9 + c] = 1;
    v1[15] = 7; /* the first answer's offset */
    v1[15 + 8] = 3; /* its score */
    assert_int_equal(cxm__colseg_upgrade(v1, sizeof(v1), &out, &len),
                     CXM_OK);
    assert_int_equal(len, sizeof(v1) + 8);
    assert_int_equal(cxm__colseg_view(out, len, true, &v), CXM_OK);
    assert_int_equal(v.n, 2);
    assert_int_equal(cxm__colseg_off(&v, 0), 7);
    assert_int_equal(cxm__colseg_get(v.score, 1, 0), 3);
    cxm__free(out);
    v1[9] = 3; /* a width the old layout never had */
    assert_int_equal(cxm__colseg_upgrade(v1, sizeof(v1), &out, &len),
                     CXM_EINPUT);
}

static void test_colseg__xxh64_reference(void **state)
{
    /* Values of the reference implementation (xxhsum -H64). */
    uint8_t buf[101];

    (void)state;
    assert_true(cxm__xxh64("", 0, 0) == UINT64_C(0xEF46DB3751D8E999));
    assert_true(cxm__xxh64("a", 1, 0) == UINT64_C(0xD24EC4F1A98C6E5B));
    assert_true(cxm__xxh64("abc", 3, 0) == UINT64_C(0x44BC2CF5AD770999));
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)i;
    /* Every length path (stripes, 8, 4 and 1 byte tails) differs. */
    assert_true(cxm__xxh64(buf, 100, 0) != cxm__xxh64(buf, 101, 0));
    assert_true(cxm__xxh64(buf, 37, 0) != cxm__xxh64(buf, 37, 1));
}

int main(void)
{
#define T(f) cmocka_unit_test(f)
    const struct CMUnitTest tests[] = {
        T(test_colseg__round_trip),
        T(test_colseg__wide_ids_take_two_bytes),
        T(test_colseg__empty),
        T(test_colseg__refuses_malformed),
        T(test_colseg__three_byte_ids),
        T(test_colseg__upgrade_from_v1),
        T(test_colseg__xxh64_reference),
    };

    return cmocka_run_group_tests_name("colseg", tests, NULL, NULL);
}
