/* SPDX-License-Identifier: MIT
 *
 * form.c — application/x-www-form-urlencoded bodies (the survey form):
 * name=value pairs joined by '&', percent-escapes and '+' for a space,
 * with the limits of http_limits.h on the number of fields and the length
 * of each decoded name and value. Fuzzed by fuzz/fuzz_form.c.
 */
#include "internal.h"

#include <string.h>

#include "http_int.h"

static int hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) into a new string of at most `max` bytes. */
static cxm_rc decode(const char *s, size_t n, size_t max, char **out,
                     size_t *len_out)
{
    char *d;
    size_t j = 0;

    *out = NULL;
    d = cxm__malloc(n + 1);
    if (!d)
        return CXM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi, lo;
            if (n - i < 3) {
                cxm__free(d);
                return CXM_EINPUT;
            }
            hi = hex((unsigned char)s[i + 1]);
            lo = hex((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0) {
                cxm__free(d);
                return CXM_EINPUT;
            }
            c = hi * 16 + lo;
            i += 2;
        }
        if (c == 0) {
            cxm__free(d);
            return CXM_EINPUT;
        }
        if (j == max) {
            cxm__free(d);
            return CXM_ETOOBIG;
        }
        d[j++] = (char)c;
    }
    d[j] = '\0';
    if (!cxm__utf8_valid(d, j)) {
        cxm__free(d);
        return CXM_EINPUT;
    }
    *out = d;
    *len_out = j;
    return CXM_OK;
}

cxm_rc cxm__form_parse(const char *body, size_t len, struct cxm__form *f)
{
    size_t i = 0;

    memset(f, 0, sizeof(*f));
    while (i < len) {
        const char *pair = body + i;
        const char *amp = memchr(pair, '&', len - i);
        size_t plen = amp ? (size_t)(amp - pair) : len - i;
        const char *eq = memchr(pair, '=', plen);
        size_t nlen = eq ? (size_t)(eq - pair) : plen;
        struct cxm__form_field *fd;
        size_t name_len;
        cxm_rc rc;

        i += plen + (amp ? 1 : 0);
        if (plen == 0)
            continue; /* "a=1&&b=2" */
        if (f->n == CXM_HTTP_MAX_FORM_FIELDS)
            return CXM_ETOOBIG;
        fd = &f->fields[f->n];
        rc = decode(pair, nlen, CXM_HTTP_MAX_FIELD_NAME, &fd->name,
                    &name_len);
        if (rc)
            return rc;
        rc = eq ? decode(eq + 1, plen - nlen - 1, CXM_HTTP_MAX_FIELD_VALUE,
                         &fd->value, &fd->value_len)
                : decode("", 0, 0, &fd->value, &fd->value_len);
        if (rc) {
            cxm__free(fd->name);
            fd->name = NULL;
            return rc;
        }
        f->n++;
    }
    return CXM_OK;
}

void cxm__form_release(struct cxm__form *f)
{
    for (size_t i = 0; i < f->n; i++) {
        cxm__free(f->fields[i].name);
        cxm__free(f->fields[i].value);
    }
    f->n = 0;
}

const char *cxm__form_get(const struct cxm__form *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++) {
        if (strcmp(f->fields[i].name, name) == 0)
            return f->fields[i].value;
    }
    return NULL;
}
