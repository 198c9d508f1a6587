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

/* XXH64 of p[0..len) with `seed` (the reference algorithm: the same
 * values as xxhsum -H64). */
uint64_t cxm__xxh64(const void *p, size_t len, uint64_t seed);

#endif /* CXM_CHECKSUM_H */
