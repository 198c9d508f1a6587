/* SPDX-License-Identifier: MIT
 *
 * alloc.c — the library's one door to the heap, so that tests can fail
 * allocations (built with CXM_UNIT_TEST: cxm__alloc_fail_at()), and the
 * copies and arrays built on it.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#ifdef CXM_UNIT_TEST
/* The failure hook of the allocation-failure tests (STYLE.md §4.11,
 * tests/unit/test_alloc.c), compiled into test programs only: the library
 * proper keeps no mutable global state. */
#include <stdatomic.h>

static atomic_long alloc_n;       /* allocations since cxm__alloc_fail_at() */
static atomic_long alloc_fail_at; /* the one to fail; 0 = none */
static atomic_bool alloc_failed;  /* it was reached */

void cxm__alloc_fail_at(long n)
{
    atomic_store(&alloc_n, 0);
    atomic_store(&alloc_failed, false);
    atomic_store(&alloc_fail_at, n);
}

bool cxm__alloc_failed(void) { return atomic_load(&alloc_failed); }

static bool fail_now(void)
{
    long at = atomic_load(&alloc_fail_at);

    if (at <= 0 || atomic_fetch_add(&alloc_n, 1) + 1 != at)
        return false;
    atomic_store(&alloc_failed, true);
    return true;
}
#else
static bool fail_now(void) { return false; }
#endif

void *cxm__malloc(size_t n) { return fail_now() ? NULL : malloc(n ? n : 1); }

void *cxm__calloc(size_t count, size_t size)
{
    if (fail_now())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *cxm__realloc(void *p, size_t n)
{
    return fail_now() ? NULL : realloc(p, n ? n : 1);
}

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
