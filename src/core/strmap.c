/* SPDX-License-Identifier: MIT
 *
 * strmap.c — the string-to-index hash map of strmap.h: linear probing,
 * FNV-1a hashes kept in the slots, load factor at most 1/2.
 */
#include "internal.h"

#include <string.h>

#include "strmap.h"

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = UINT64_C(14695981039346656037);

    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

static struct cxm__strmap_slot *find(const struct cxm__strmap *m,
                                     const char *key, size_t key_len,
                                     uint64_t h)
{
    size_t mask = m->cap - 1, i = (size_t)h & mask;

    for (;;) {
        struct cxm__strmap_slot *s = &m->slots[i];
        if (!s->key ||
            (s->hash == h && s->key_len == key_len &&
             memcmp(s->key, key, key_len) == 0))
            return s;
        i = (i + 1) & mask;
    }
}

static cxm_rc grow(struct cxm__strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    struct cxm__strmap_slot *old = m->slots, *slots;
    size_t old_cap = m->cap;

    slots = cxm__calloc(cap, sizeof(*slots));
    if (!slots)
        return CXM_ENOMEM;
    m->slots = slots;
    m->cap = cap;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].key)
            *find(m, old[i].key, old[i].key_len, old[i].hash) = old[i];
    }
    cxm__free(old);
    return CXM_OK;
}

cxm_rc cxm__strmap_upsert(struct cxm__strmap *m, const char *key,
                          size_t key_len, size_t new_value,
                          size_t *value_out, const char **key_out,
                          bool *inserted)
{
    uint64_t h = fnv1a(key, key_len);
    struct cxm__strmap_slot *s;

    if ((m->n + 1) * 2 > m->cap && grow(m))
        return CXM_ENOMEM;
    s = find(m, key, key_len, h);
    *inserted = !s->key;
    if (!s->key) {
        s->key = cxm__strndup(key, key_len);
        if (!s->key)
            return CXM_ENOMEM;
        s->key_len = key_len;
        s->hash = h;
        s->value = new_value;
        m->n++;
    }
    *value_out = s->value;
    if (key_out)
        *key_out = s->key;
    return CXM_OK;
}

bool cxm__strmap_get(const struct cxm__strmap *m, const char *key,
                     size_t key_len, size_t *value_out)
{
    struct cxm__strmap_slot *s;

    if (!m->cap)
        return false;
    s = find(m, key, key_len, fnv1a(key, key_len));
    if (!s->key)
        return false;
    *value_out = s->value;
    return true;
}

void cxm__strmap_release(struct cxm__strmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++)
        cxm__free(m->slots[i].key);
    cxm__free(m->slots);
    m->slots = NULL;
    m->cap = 0;
    m->n = 0;
}
