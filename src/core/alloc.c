/* SPDX-License-Identifier: MIT
 *
 * alloc.c — the library's one door to the heap, so that tests can count and
 * fail allocations, plus small string and number helpers that allocate or
 * parse (all locale-free).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

void *cxm__malloc(size_t n) { return malloc(n ? n : 1); }

void *cxm__calloc(size_t count, size_t size)
{
    return calloc(count ? count : 1, size ? size : 1);
}

void *cxm__realloc(void *p, size_t n) { return realloc(p, n ? n : 1); }

void cxm__free(void *p) { free(p); }

void cxm_free(void *p) { cxm__free(p); }

char *cxm__strndup(const char *s, size_t n)
{
    char *d = cxm__malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *cxm__strdup(const char *s) { return cxm__strndup(s, strlen(s)); }

cxm_rc cxm__grow(void **arr, size_t *cap, size_t need, size_t size)
{
    size_t new_cap, bytes;
    void *p;

    if (need <= *cap)
        return CXM_OK;
    new_cap = *cap ? *cap : 8;
    while (new_cap < need) {
        if (!cxm__size_mul(&new_cap, new_cap, 2))
            return CXM_ENOMEM;
    }
    if (!cxm__size_mul(&bytes, new_cap, size))
        return CXM_ENOMEM;
    p = cxm__realloc(*arr, bytes);
    if (!p)
        return CXM_ENOMEM;
    *arr = p;
    *cap = new_cap;
    return CXM_OK;
}

bool cxm__eq_nocase(const char *s, size_t n, const char *t)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (t[i] == '\0' ||
            cxm__to_lower((unsigned char)s[i]) !=
                cxm__to_lower((unsigned char)t[i]))
            return false;
    }
    return t[n] == '\0';
}

void cxm__trim(const char **s, size_t *n)
{
    while (*n && cxm__is_space((unsigned char)(*s)[0])) {
        (*s)++;
        (*n)--;
    }
    while (*n && cxm__is_space((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

cxm_rc cxm__parse_i64(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    uint64_t v = 0, limit;

    if (n == 0)
        return CXM_EINPUT;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
        if (n == 1)
            return CXM_EINPUT;
    }
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        unsigned d;
        if (!cxm__is_digit((unsigned char)s[i]))
            return CXM_EINPUT;
        d = (unsigned)(s[i] - '0');
        if (v > (limit - d) / 10)
            return CXM_EINPUT;
        v = v * 10 + d;
    }
    if (neg)
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    return CXM_OK;
}

cxm_rc cxm__parse_decimal(const char *s, size_t n, double *out)
{
    size_t i = 0;
    bool neg = false, any = false;
    double v = 0, scale = 1;

    if (n == 0)
        return CXM_EINPUT;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
    }
    for (; i < n && cxm__is_digit((unsigned char)s[i]); i++) {
        v = v * 10 + (s[i] - '0');
        any = true;
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && cxm__is_digit((unsigned char)s[i]); i++) {
            scale /= 10;
            v += (s[i] - '0') * scale;
            any = true;
        }
    }
    if (i != n || !any || v > 1e300)
        return CXM_EINPUT;
    *out = neg ? -v : v;
    return CXM_OK;
}

bool cxm__utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < n) {
        unsigned c = p[i];
        size_t k;
        uint32_t cp;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            k = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i <= k)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + j] & 0x3F);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += k + 1;
    }
    return true;
}
