/* SPDX-License-Identifier: MIT
 *
 * alloc.c — the library's one door to the heap, so that tests can count and
 * fail allocations, and the copies and arrays built on it.
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
