/* SPDX-License-Identifier: MIT
 *
 * csv.h — private: streaming RFC 4180 reader (csv.c).
 *
 * Yields one record at a time from a FILE: quoted fields with embedded
 * commas, quotes ("" inside quotes) and newlines; CRLF, LF or CR line ends; a
 * UTF-8 BOM at the start is skipped; blank lines are skipped. A file that
 * starts as UTF-16 or UTF-32 text (with or without a byte order mark) or
 * with two UTF-8 BOMs is refused at its first record (CXM_EINPUT, a reason
 * naming the encoding) and nothing more of it is read. A record that
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

/* Why the first n bytes p of a file show it is not UTF-8 CSV (UTF-16,
 * UTF-32, two BOMs), or NULL. Static. */
const char *cxm__csv_sniff(const unsigned char *p, size_t n);

/* Opens `path` for reading; "-" is standard input. On failure returns
 * NULL and writes "cannot open the file: <the system's reason>" to
 * why[0..cap). The caller closes the result with cxm__csv_fclose(). */
FILE *cxm__csv_fopen(const char *path, char *why, size_t cap);

/* Closes what cxm__csv_fopen() opened (standard input stays open).
 * NULL-safe. */
void cxm__csv_fclose(FILE *fp);

/* Index of another column of the header with the same name as column k
 * (trimmed, ASCII case-insensitive), or -1; an empty name has none. */
long cxm__csv_same_name(const struct cxm__csv_rec *hdr, size_t k);

/* When the header is one column holding ';', a tab or '|': a sentence
 * saying the file seems separated by that, not by commas. Else NULL.
 * Static. */
const char *cxm__csv_separator_hint(const struct cxm__csv_rec *hdr);

#endif /* CXM_CSV_H */
