/* SPDX-License-Identifier: MIT
 *
 * buf.c — the growable byte buffer of internal.h: a hard cap fixed at init,
 * freed on failure so that no caller keeps a half-built result.
 */
#include "internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static cxm_rc buf_fail(struct cxm__buf *b, cxm_rc rc)
{
    cxm__buf_release(b);
    return rc;
}

/* Makes room for `extra` more bytes plus the NUL. */
static cxm_rc buf_room(struct cxm__buf *b, size_t extra)
{
    size_t need, new_alloc;
    char *p;

    if (!cxm__size_add(&need, b->len, extra) || need > b->cap)
        return buf_fail(b, CXM_ETOOBIG);
    need += 1;
    if (need <= b->alloc)
        return CXM_OK;
    new_alloc = b->alloc ? b->alloc : 64;
    while (new_alloc < need)
        new_alloc = new_alloc > SIZE_MAX / 2 ? need : new_alloc * 2;
    p = cxm__realloc(b->data, new_alloc);
    if (!p)
        return buf_fail(b, CXM_ENOMEM);
    b->data = p;
    b->alloc = new_alloc;
    return CXM_OK;
}

cxm_rc cxm__buf_add(struct cxm__buf *b, const void *p, size_t n)
{
    cxm_rc rc = buf_room(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return CXM_OK;
}

cxm_rc cxm__buf_adds(struct cxm__buf *b, const char *s)
{
    return cxm__buf_add(b, s, strlen(s));
}

cxm_rc cxm__buf_addc(struct cxm__buf *b, char c)
{
    return cxm__buf_add(b, &c, 1);
}

size_t cxm__escape_at(const unsigned char *p, char *out, size_t *used)
{
    *used = 1;
    if (*p < 0x20 || *p == 0x7f)
        return (size_t)snprintf(out, 8, "\\x%02x", *p);
    if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
        *used = 2;
        return (size_t)snprintf(out, 8, "\\u%04x", p[1]);
    }
    out[0] = (char)*p;
    return 1;
}

cxm_rc cxm__buf_add_escaped(struct cxm__buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    cxm_rc rc = CXM_OK;

    while (!rc && *p) {
        char tmp[8];
        size_t used, n = cxm__escape_at(p, tmp, &used);
        rc = cxm__buf_add(b, tmp, n);
        p += used;
    }
    return rc;
}

cxm_rc cxm__buf_pad(struct cxm__buf *b, size_t n)
{
    cxm_rc rc = buf_room(b, n);
    if (rc)
        return rc;
    memset(b->data + b->len, ' ', n);
    b->len += n;
    b->data[b->len] = '\0';
    return CXM_OK;
}

cxm_rc cxm__buf_vaddf(struct cxm__buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    cxm_rc rc;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return buf_fail(b, CXM_EINVAL);
    rc = buf_room(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return CXM_OK;
}

cxm_rc cxm__buf_addf(struct cxm__buf *b, const char *fmt, ...)
{
    va_list ap;
    cxm_rc rc;

    va_start(ap, fmt);
    rc = cxm__buf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc;
}

/* Rewrites the "%f" text tmp[0..n), [-]digits[radix digits], with '.' as
 * its radix whatever the locale's; returns the new length. */
static int c_radix(char *tmp, int n)
{
    int i = tmp[0] == '-', j;

    while (i < n && cxm__is_digit((unsigned char)tmp[i]))
        i++;
    if (i == n)
        return n;
    for (j = i; j < n && !cxm__is_digit((unsigned char)tmp[j]); j++)
        ;
    tmp[i] = '.';
    memmove(tmp + i + 1, tmp + j, (size_t)(n - j) + 1);
    return n - (j - i - 1);
}

cxm_rc cxm__buf_add_num(struct cxm__buf *b, double v, int decimals)
{
    char tmp[64];
    int n;

    if (!isfinite(v))
        return cxm__buf_adds(b, "null");
    if (v == 0)
        v = 0; /* no "-0.0" */
    /* "%f" writes the radix character of the program's LC_NUMERIC (a ','
     * in de_DE, several bytes in some locales); it is made a '.' below. */
    n = snprintf(tmp, sizeof(tmp), "%.*f", decimals, v);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        return cxm__buf_adds(b, "null");
    n = c_radix(tmp, n);
    if (memchr(tmp, '.', (size_t)n)) {
        while (n > 0 && tmp[n - 1] == '0')
            n--;
        if (tmp[n - 1] == '.')
            n++; /* keep one decimal: "72.0" */
    }
    if (n == 2 && tmp[0] == '-' && tmp[1] == '0')
        return cxm__buf_adds(b, "0.0");
    if (strncmp(tmp, "-0.0", 4) == 0 && n == 4)
        return cxm__buf_adds(b, "0.0");
    return cxm__buf_add(b, tmp, (size_t)n);
}

void cxm__buf_reset(struct cxm__buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void cxm__buf_release(struct cxm__buf *b)
{
    if (!b)
        return;
    cxm__free(b->data);
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
}

char *cxm__buf_take(struct cxm__buf *b, size_t *len_out)
{
    char *p = b->data;
    size_t len = b->len;

    if (!p) {
        p = cxm__strdup("");
        len = 0;
    }
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    if (len_out)
        *len_out = len;
    return p;
}
