/* SPDX-License-Identifier: MIT
 *
 * colfile.h — private: the layout of the column segment file (colfile.c),
 * a copy of every column segment of a store in one file that reports map
 * read-only (store_sqlite_colfile.c; docs/store.md, "Column segment
 * file"). All little-endian:
 *
 *   "CXCOLF2\n", token, n, file length, checksum   (5 × 8 bytes)
 *   n × (workspace_id, t, answers, offset, length)   (5 × 8 bytes each;
 *                                      offset CXM__COLFILE_NO_DATA: NULL)
 *   the segments (colseg.h), each at an 8-byte aligned offset
 *
 * The checksum is XXH64 (checksum.h) of the entries, seeded with the XXH64
 * of the four header fields before it; each segment carries its own
 * (colseg.h). The file is read from disk, so a reader checks its header
 * and entries whole before using any entry (cxm__colfile_check;
 * fuzz/fuzz_colfile.c), and each segment's checksum before counting it.
 * "CXCOLF1\n" files (before 0010) had no checksum: they are rebuilt.
 */
#ifndef CXM_COLFILE_H
#define CXM_COLFILE_H

#include "internal.h"

#define CXM__COLFILE_HEADER 40
#define CXM__COLFILE_ENTRY 40
#define CXM__COLFILE_NO_DATA UINT64_MAX
/* cxm__colfile_check()'s answer for a file of the layout before 0010. */
#define CXM__COLFILE_OTHER_LAYOUT "written in an older layout"

struct cxm__colfile_entry {
    int64_t workspace_id, t, n;
    uint64_t off; /* CXM__COLFILE_NO_DATA: the segment is NULL */
    uint64_t len;
};

/* NULL when base[0..len) is a well-formed file: magic, its own length,
 * the header's checksum, every entry's data inside the file after the
 * entries; else why not (a static string). *token_out: the token it
 * names. `verify` false skips the checksum (the fuzz target). */
const char *cxm__colfile_check(const uint8_t *base, size_t len, bool verify,
                               int64_t *token_out);
/* Entries of a checked file. */
uint64_t cxm__colfile_count(const uint8_t *base);
void cxm__colfile_entry(const uint8_t *base, uint64_t i,
                        struct cxm__colfile_entry *out);

/* A segment's `len` rounded up to the next 8-byte boundary: the room it
 * takes in the file. */
size_t cxm__colfile_pad(size_t len);
/* Writes the header (after every entry: it sums them) and entry i into
 * base (sized for them). */
void cxm__colfile_put_header(uint8_t *base, int64_t token, uint64_t n,
                             uint64_t len);
void cxm__colfile_put_entry(uint8_t *base, uint64_t i,
                            const struct cxm__colfile_entry *e);

#endif /* CXM_COLFILE_H */
