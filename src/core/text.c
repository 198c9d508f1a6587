/* SPDX-License-Identifier: MIT
 *
 * text.c — small helpers over byte strings (internal.h): ASCII case and
 * space, quoting a value in a message, strict numbers and UTF-8 checks,
 * all independent of the locale.
 */
#include "internal.h"

#include <string.h>

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

const char *cxm__excerpt(const char *s, size_t len, char *dst, size_t cap)
{
    size_t n = len < cap - 4 ? len : cap - 4;

    /* Do not cut a UTF-8 sequence in two. */
    while (n > 0 && n < len && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        dst[i] = c == '\n' || c == '\r' ? ' '
                 : c < 0x20 || c == 0x7F ? '?'
                                         : (char)c;
    }
    if (n < len)
        memcpy(dst + n, "...", 4);
    else
        dst[n] = '\0';
    return dst;
}

int cxm__name_index(const char *const *names, int count, const char *s,
                    size_t n)
{
    for (int i = 0; i < count; i++) {
        if (cxm__eq_nocase(s, n, names[i]))
            return i;
    }
    return -1;
}

static cxm_rc list_fault(struct cxm_list_error *err, cxm_list_fault fault,
                         size_t at, size_t len, size_t *n, cxm_rc rc)
{
    if (err) {
        err->fault = fault;
        err->at = at;
        err->len = len;
    }
    *n = 0;
    return rc;
}

cxm_rc cxm__parse_name_list(const char *list, const char *const *names,
                            int count, int *ids, size_t cap, size_t *n,
                            struct cxm_list_error *err)
{
    const char *p = list;

    *n = 0;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        size_t at = (size_t)(p - list), k = *n;
        int id;

        if (len == 0)
            return list_fault(err, CXM_LIST_EMPTY, at, 0, n, CXM_EINPUT);
        id = cxm__name_index(names, count, p, len);
        if (id < 0)
            return list_fault(err, CXM_LIST_UNKNOWN, at, len, n,
                              CXM_ENOTFOUND);
        for (size_t i = 0; i < k; i++) {
            if (ids[i] == id)
                return list_fault(err, CXM_LIST_TWICE, at, len, n,
                                  CXM_EINPUT);
        }
        if (k == cap)
            return list_fault(err, CXM_LIST_FULL, at, len, n, CXM_ETOOBIG);
        ids[k] = id;
        *n = k + 1;
        p += len;
        if (*p == ',')
            p++;
    }
    if (err) {
        err->fault = CXM_LIST_OK;
        err->at = err->len = 0;
    }
    return CXM_OK;
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

bool cxm__email_ok(const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);

    if (!at || at == s || at == s + n - 1 || n > 254 ||
        memchr(at + 1, '@', (size_t)(s + n - at - 1)))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c == 0x7f || strchr("<>(),;:\\\"[]", c))
            return false;
    }
    return true;
}

bool cxm__list_next(const char **p, const char **s, size_t *n)
{
    while (**p) {
        size_t k = strcspn(*p, ",");
        *s = *p;
        *n = k;
        *p += k + ((*p)[k] == ',');
        cxm__trim(s, n);
        if (*n)
            return true;
    }
    return false;
}
