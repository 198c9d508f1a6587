/* SPDX-License-Identifier: MIT
 *
 * fuzz_qsketch.c — libFuzzer target for the quantile sketch's blob parser
 * (src/stats/qsketch.c), which will read rollups back from the store. The input
 * is parsed as a blob; when it is accepted it must serialise back to the
 * same bytes, answer quantiles without NaN (q = 0 and 1 being min and max,
 * bucket answers inside [min, max]) and merge with a copy of itself. The
 * same bytes are also read as values to add — 9-byte records, a repeat
 * byte and a little-endian double — so that adding, leaving exact mode,
 * collapsing and merging are fuzzed too, and their blobs must parse.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qsketch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BLOB_CAP ((size_t)1 << 20)
#define MAX_ADDS 6000

static void check(bool ok)
{
    if (!ok)
        abort();
}

/* Quantiles of a non-empty sketch: never NaN, ends exact, bucket answers
 * within [min, max]. */
static void probe(struct cxm__qsketch *s)
{
    static const double qs[] = {-1, 0, 0.001, 0.1, 0.5, 0.9, 0.99, 1, 2};
    double sum, sum_sq;

    if (cxm__qsketch_count(s) == 0)
        return;
    for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
        double v = cxm__qsketch_quantile(s, qs[k]);
        check(!isnan(v));
        if (qs[k] <= 0)
            check(v == s->min);
        else if (qs[k] >= 1)
            check(v == s->max);
        else if (s->is_bucketed)
            check(v >= s->min && v <= s->max);
    }
    cxm__qsketch_sums(s, &sum, &sum_sq);
    check(isfinite(sum) && isfinite(sum_sq));
}

/* Serialises s, parses the blob back, and checks the second blob is the
 * same bytes. */
static void round_trip(const struct cxm__qsketch *s)
{
    struct cxm__buf b1 = CXM__BUF_INIT(BLOB_CAP), b2 = CXM__BUF_INIT(BLOB_CAP);
    struct cxm__qsketch t;

    if (cxm__qsketch_serialize(s, &b1) != CXM_OK)
        abort(); /* a sketch is at most ~70 KB */
    check(cxm__qsketch_deserialize(&t, b1.data, b1.len) == CXM_OK);
    check(cxm__qsketch_serialize(&t, &b2) == CXM_OK);
    check(b1.len == b2.len && memcmp(b1.data, b2.data, b1.len) == 0);
    cxm__qsketch_release(&t);
    cxm__buf_release(&b1);
    cxm__buf_release(&b2);
}

/* The input as a stored blob. */
static void as_blob(const uint8_t *data, size_t size)
{
    struct cxm__qsketch s, copy;
    struct cxm__buf b = CXM__BUF_INIT(BLOB_CAP);
    uint64_t n;

    if (cxm__qsketch_deserialize(&s, data, size) != CXM_OK) {
        check(cxm__qsketch_count(&s) == 0 && !s.vals && !s.pos.counts);
        return;
    }
    check(cxm__qsketch_serialize(&s, &b) == CXM_OK);
    check(b.len == size && memcmp(b.data, data, size) == 0);
    cxm__buf_release(&b);
    probe(&s);
    n = cxm__qsketch_count(&s);
    check(cxm__qsketch_deserialize(&copy, data, size) == CXM_OK);
    if (n > UINT64_MAX / 2) {
        check(cxm__qsketch_merge(&s, &copy) == CXM_ETOOBIG);
        check(cxm__qsketch_count(&s) == n);
    } else {
        check(cxm__qsketch_merge(&s, &copy) == CXM_OK);
        check(cxm__qsketch_count(&s) == 2 * n);
    }
    probe(&s);
    round_trip(&s);
    cxm__qsketch_release(&copy);
    cxm__qsketch_release(&s);
}

/* The input as values: each record adds one double into two sketches
 * alternately, 1–8 times, or 4100 times for a repeat byte 0xff (to leave
 * exact mode), at most MAX_ADDS in all; then the two are merged. */
static void as_values(const uint8_t *data, size_t size)
{
    struct cxm__qsketch a = CXM__QSKETCH_INIT, b = CXM__QSKETCH_INIT;
    uint64_t n = 0;

    for (size_t off = 0; off + 9 <= size; off += 9) {
        struct cxm__qsketch *s = (off / 9) % 2 ? &b : &a;
        uint64_t u = 0;
        double x;
        int reps = data[off] == 0xff ? 4100 : 1 + (data[off] & 7);

        for (int k = 8; k > 0; k--)
            u = u << 8 | data[off + (size_t)k];
        memcpy(&x, &u, sizeof(x));
        for (int r = 0; r < reps && n < MAX_ADDS; r++) {
            cxm_rc rc = cxm__qsketch_add(s, x);
            if (rc == CXM_EINVAL) {
                check(!isfinite(x) || fabs(x) > CXM__QSKETCH_MAX_ABS);
                break;
            }
            check(rc == CXM_OK);
            n++;
        }
    }
    probe(&a);
    round_trip(&a);
    check(cxm__qsketch_merge(&a, &b) == CXM_OK);
    check(cxm__qsketch_count(&a) == n);
    check(a.pos.n <= CXM__QSKETCH_MAX_BUCKETS &&
          a.neg.n <= CXM__QSKETCH_MAX_BUCKETS);
    probe(&a);
    round_trip(&a);
    cxm__qsketch_release(&a);
    cxm__qsketch_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    as_blob(data, size);
    as_values(data, size);
    return 0;
}
