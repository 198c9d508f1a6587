/* SPDX-License-Identifier: MIT
 *
 * fsum.c — the exact sum of fsum.h: Shewchuk's algorithm as CPython's
 * math.fsum has it (its partials grown as needed, the final rounding's
 * half-way correction), so the result is the exact sum rounded once,
 * whatever the order of the additions.
 */
#include "internal.h"

#include <math.h>
#include <string.h>

#include "fsum.h"

/* 2^1000: a value this large or larger is summed apart (fsum.h). */
#define FSUM_HUGE 0x1p1000

cxm_rc cxm__fsum_add(struct cxm__fsum *s, double x)
{
    size_t i = 0;
    cxm_rc rc;

    if (!isfinite(x) || fabs(x) >= FSUM_HUGE) {
        s->special += x;
        return CXM_OK;
    }
    for (size_t j = 0; j < s->n; j++) {
        double y = s->p[j], hi, lo;
        if (fabs(x) < fabs(y)) {
            double t = x;
            x = y;
            y = t;
        }
        hi = x + y;
        lo = y - (hi - x);
        if (lo != 0.0)
            s->p[i++] = lo;
        x = hi;
    }
    s->n = i;
    if (x == 0.0)
        return CXM_OK;
    rc = cxm__grow((void **)&s->p, &s->cap, s->n + 1, sizeof(*s->p));
    if (rc)
        return rc;
    s->p[s->n++] = x;
    return CXM_OK;
}

cxm_rc cxm__fsum_merge(struct cxm__fsum *dst, const struct cxm__fsum *src)
{
    cxm_rc rc = CXM_OK;

    dst->special += src->special;
    for (size_t i = 0; !rc && i < src->n; i++)
        rc = cxm__fsum_add(dst, src->p[i]);
    return rc;
}

double cxm__fsum_value(const struct cxm__fsum *s)
{
    size_t n = s->n;
    double hi = 0.0, lo = 0.0;

    if (s->special != 0.0 || isnan(s->special))
        return s->special;
    if (n == 0)
        return 0.0;
    hi = s->p[--n];
    while (n > 0) {
        double x = hi, y = s->p[--n];
        hi = x + y;
        lo = y - (hi - x);
        if (lo != 0.0)
            break;
    }
    /* Half-way: the partials below decide the rounding's direction. */
    if (n > 0 && ((lo < 0.0 && s->p[n - 1] < 0.0) ||
                  (lo > 0.0 && s->p[n - 1] > 0.0))) {
        double y = lo * 2.0, x = hi + y;
        if (y == x - hi)
            hi = x;
    }
    return hi;
}

void cxm__fsum_release(struct cxm__fsum *s)
{
    cxm__free(s->p);
    s->p = NULL;
    s->n = s->cap = 0;
    s->special = 0.0;
}

static void put_double(uint8_t *b, double d)
{
    uint64_t v;

    memcpy(&v, &d, 8);
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static double get_double(const uint8_t *b)
{
    uint64_t v = 0;
    double d;

    for (int i = 0; i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
    memcpy(&d, &v, 8);
    return d;
}

cxm_rc cxm__fsum_serialize(const struct cxm__fsum *s, struct cxm__buf *out)
{
    uint8_t b[8];
    cxm_rc rc;

    put_double(b, s->special);
    rc = cxm__buf_add(out, b, 8);
    for (size_t i = 0; !rc && i < s->n; i++) {
        put_double(b, s->p[i]);
        rc = cxm__buf_add(out, b, 8);
    }
    return rc;
}

cxm_rc cxm__fsum_merge_blob(struct cxm__fsum *s, const void *p, size_t len)
{
    const uint8_t *b = p;
    cxm_rc rc = CXM_OK;

    if (len < 8 || len % 8)
        return CXM_EINVAL;
    s->special += get_double(b);
    for (size_t k = 8; !rc && k < len; k += 8)
        rc = cxm__fsum_add(s, get_double(b + k));
    return rc;
}
