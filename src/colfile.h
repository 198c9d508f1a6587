/* SPDX-License-Identifier: MIT
 *
 * colfile.h — private: the layout of the column segment file (colfile.c),
 * a copy of every column segment of a store in one file that reports map
 * read-only (store_sqlite_colfile.c; docs/store.md, "Column segment
 * file"). All little-endian:
 *
 *   "CXCOLF1\n", token, n, file length          (4 × 8 bytes)
 *   n × (workspace_id, t, answers, offset, length)   (5 × 8 bytes each;
 *                                      offset CXM__COLFILE_NO_DATA: NULL)
 *   the segments (colseg.h), each at an 8-byte aligned offset
 *
 * The file is read from disk, so a reader checks it whole before using
 * any entry (cxm__colfile_check; fuzz/fuzz_colfile.c).
 */
#ifndef CXM_COLFILE_H
#define CXM_COLFILE_H

#include "internal.h"

#define CXM__COLFILE_HEADER 32
#define CXM__COLFILE_ENTRY 40
#define CXM__COLFILE_NO_DATA UINT64_MAX

struct cxm__colfile_entry {
    int64_t workspace_id, t, n;
    uint64_t off; /* CXM__COLFILE_NO_DATA: the segment is NULL */
    uint64_t len;
};

/* Whether base[0..len) is a well-formed file: magic, its own length, every
 * entry's data inside the file after the entries. *token_out: the token it
 * names. */
bool cxm__colfile_check(const uint8_t *base, size_t len, int64_t *token_out);
/* Entries of a checked file. */
uint64_t cxm__colfile_count(const uint8_t *base);
void cxm__colfile_entry(const uint8_t *base, uint64_t i,
                        struct cxm__colfile_entry *out);

/* A segment's `len` rounded up to the next 8-byte boundary: the room it
 * takes in the file. */
size_t cxm__colfile_pad(size_t len);
/* Writes the header and entry i into base (sized for them). */
void cxm__colfile_put_header(uint8_t *base, int64_t token, uint64_t n,
                             uint64_t len);
void cxm__colfile_put_entry(uint8_t *base, uint64_t i,
                            const struct cxm__colfile_entry *e);

#endif /* CXM_COLFILE_H */
