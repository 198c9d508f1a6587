/* SPDX-License-Identifier: MIT
 *
 * strmap.h — private: a hash map from byte strings (any bytes, explicit
 * length) to indexes, with owned copies of the keys (strmap.c). Used to
 * number groups of a report; open addressing, FNV-1a.
 */
#ifndef CXM_STRMAP_H
#define CXM_STRMAP_H

#include "internal.h"

struct cxm__strmap {
    struct cxm__strmap_slot *slots; /* owned; NULL until the first insert */
    size_t cap;                     /* slots, a power of two */
    size_t n;                       /* keys held */
};

struct cxm__strmap_slot {
    char *key; /* owned, NUL-terminated after key_len bytes; NULL = empty */
    size_t key_len;
    uint64_t hash;
    size_t value;
};

/* Finds `key`; when absent, inserts it with value `new_value`. Sets
 * *value_out to the value held and *key_out (if not NULL) to the map's own
 * copy of the key (borrowed; valid until cxm__strmap_release()). Sets
 * *inserted to whether it was new. CXM_OK or CXM_ENOMEM. */
CXM_MUST_USE cxm_rc cxm__strmap_upsert(struct cxm__strmap *m,
                                       const char *key, size_t key_len,
                                       size_t new_value, size_t *value_out,
                                       const char **key_out, bool *inserted);

/* Looks `key` up: true and *value_out set when present. */
bool cxm__strmap_get(const struct cxm__strmap *m, const char *key,
                     size_t key_len, size_t *value_out);

/* Frees all keys and slots. NULL-safe. */
void cxm__strmap_release(struct cxm__strmap *m);

#endif /* CXM_STRMAP_H */
