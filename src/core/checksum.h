/* SPDX-License-Identifier: MIT
 *
 * checksum.h — private: XXH64 (checksum.c), the checksum of every derived
 * form of survey answers: column segments (colseg.h), the column segment
 * file's header (colfile.h) and rollup cells (store_sqlite_rollup.c). A
 * mismatch means the bytes are not the ones written; the reader then goes
 * back to the rows (docs/store.md, "Damage").
 */
#ifndef CXM_CHECKSUM_H
#define CXM_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* The 8 little-endian bytes at p as a number, and back. */
static inline uint64_t cxm__get_le64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static inline void cxm__put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

/* XXH64 of p[0..len) with `seed` (the reference algorithm: the same
 * values as xxhsum -H64). */
uint64_t cxm__xxh64(const void *p, size_t len, uint64_t seed);

#endif /* CXM_CHECKSUM_H */
