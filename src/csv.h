/* SPDX-License-Identifier: MIT
 *
 * csv.h — private: streaming RFC 4180 reader (csv.c).
 *
 * Yields one record at a time from a FILE: quoted fields with embedded
 * commas, quotes ("" inside quotes) and newlines; CRLF, LF or CR line ends; a
 * UTF-8 BOM at the start is skipped; blank lines are skipped. A record that
 * breaks the grammar is reported as CXM_EINPUT with the line it started on
 * and a reason, and reading goes on with the next record. Every record is
 * capped (`max_record` bytes, CXM__CSV_MAX_FIELDS fields).
 */
#ifndef CXM_CSV_H
#define CXM_CSV_H

#include <stdio.h>

#include "internal.h"

#define CXM__CSV_MAX_FIELDS 4096
#define CXM__CSV_DEFAULT_MAX_RECORD (4u << 20) /* 4 MiB */

struct cxm__csv;

/* One record. Borrowed from the reader; valid until the next
 * cxm__csv_next() or cxm__csv_close(). Each field is also NUL-terminated. */
struct cxm__csv_rec {
    size_t n_fields;
    const char *const *fields; /* field i: fields[i][0..lens[i]) */
    const size_t *lens;
    long line;     /* 1-based physical line the record starts on */
    long end_line; /* physical line it ends on */
};

/* Makes a reader of `fp` (borrowed; the caller closes it after
 * cxm__csv_close()). The caller frees the reader with cxm__csv_close(). */
CXM_MUST_USE cxm_rc cxm__csv_open(struct cxm__csv **out, FILE *fp,
                                  size_t max_record);

/* NULL-safe. */
void cxm__csv_close(struct cxm__csv *c);

/* Reads the next record into *rec.
 * Returns CXM_OK; CXM_ENOTFOUND at the end of input; CXM_EINPUT for a
 * malformed record (rec->line says where it started, *why why, and
 * rec->n_fields is 0); CXM_EIO on a read error; CXM_ENOMEM. */
CXM_MUST_USE cxm_rc cxm__csv_next(struct cxm__csv *c,
                                  struct cxm__csv_rec *rec,
                                  const char **why);

/* Bytes consumed from the file so far. */
uint64_t cxm__csv_bytes(const struct cxm__csv *c);

#endif /* CXM_CSV_H */
