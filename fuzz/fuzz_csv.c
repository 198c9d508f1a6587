/* SPDX-License-Identifier: MIT
 *
 * fuzz_csv.c — libFuzzer target for the streaming CSV reader (csv.c). The
 * input is read through fmemopen() with the default record cap, with a
 * tiny cap (so the cap paths run) and, for one input in 32, behind a
 * padding record that puts it across the reader's 64 KiB read chunks.
 * Every result is compared with a small whole-buffer reference parser of
 * the same grammar (csv.h): fields, line numbers and errors must agree.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHUNK (64u * 1024u) /* csv.c's READ_CHUNK */

#define WHY_TOO_BIG "row longer than the limit"
#define WHY_TOO_MANY "too many fields in the row"
#define WHY_BAD_QUOTE "unexpected character after a closing quote"
#define WHY_UNTERMINATED "unterminated quoted field"

/* The reference reader: one record at a time over the whole buffer. */
struct ref {
    const unsigned char *buf;
    size_t n, pos;
    size_t max_record;
    long line;
    unsigned char *out; /* unquoted field bytes, n bytes at most */
    size_t *starts, *lens;
    size_t n_fields;
    long rec_line, rec_end_line;
    const char *why;
};

static bool is_sep(unsigned char ch)
{
    return ch == ',' || ch == '\n' || ch == '\r';
}

/* Reads the rest of an unquoted field into the output. */
static void ref_unquoted(struct ref *r, size_t *out_len)
{
    while (r->pos < r->n && !is_sep(r->buf[r->pos]))
        r->out[(*out_len)++] = r->buf[r->pos++];
}

/* Returns CXM_OK, CXM_EINPUT or CXM_ENOTFOUND, as cxm__csv_next(). */
static cxm_rc ref_next(struct ref *r)
{
    size_t out_len, total, nf;
    bool any_quote, bad_quote, by_newline;

again:
    r->rec_line = r->line;
    r->n_fields = 0;
    if (r->pos == r->n)
        return CXM_ENOTFOUND;
    out_len = 0;
    nf = 0;
    total = 0;
    any_quote = bad_quote = by_newline = false;
    for (;;) {
        size_t start = out_len;
        if (r->pos < r->n && r->buf[r->pos] == '"') {
            any_quote = true;
            r->pos++;
            for (;;) {
                unsigned char ch;
                if (r->pos == r->n) {
                    r->rec_end_line = r->line;
                    r->why = WHY_UNTERMINATED;
                    return CXM_EINPUT;
                }
                ch = r->buf[r->pos++];
                if (ch == '"') {
                    if (r->pos < r->n && r->buf[r->pos] == '"') {
                        r->out[out_len++] = '"';
                        r->pos++;
                        continue;
                    }
                    break;
                }
                /* CRLF inside quotes is one line end. */
                if (ch == '\r' || (ch == '\n' && r->buf[r->pos - 2] != '\r'))
                    r->line++;
                r->out[out_len++] = ch;
            }
            if (r->pos < r->n && !is_sep(r->buf[r->pos])) {
                bad_quote = true;
                ref_unquoted(r, &out_len);
            }
        } else {
            ref_unquoted(r, &out_len);
        }
        /* csv.c keeps the field's NUL only for the first
         * CXM__CSV_MAX_FIELDS fields. */
        total += out_len - start + (nf < CXM__CSV_MAX_FIELDS ? 1 : 0);
        if (nf < CXM__CSV_MAX_FIELDS) {
            r->starts[nf] = start;
            r->lens[nf] = out_len - start;
        }
        nf++;
        if (r->pos == r->n)
            break;
        if (r->buf[r->pos] == ',') {
            r->pos++;
            continue;
        }
        /* CR, LF or CRLF. */
        if (r->buf[r->pos] == '\r' && r->pos + 1 < r->n &&
            r->buf[r->pos + 1] == '\n')
            r->pos++;
        r->pos++;
        r->line++;
        by_newline = true;
        break;
    }
    r->rec_end_line = by_newline ? r->line - 1 : r->line;
    /* csv.c reserves one byte past the record: the cap holds when
     * total + 1 <= max_record. */
    if (total + 1 > r->max_record) {
        r->why = WHY_TOO_BIG;
        return CXM_EINPUT;
    }
    if (nf == 1 && r->lens[0] == 0 && !any_quote && !bad_quote)
        goto again; /* a blank line */
    if (nf > CXM__CSV_MAX_FIELDS) {
        r->why = WHY_TOO_MANY;
        return CXM_EINPUT;
    }
    if (bad_quote) {
        r->why = WHY_BAD_QUOTE;
        return CXM_EINPUT;
    }
    r->n_fields = nf;
    return CXM_OK;
}

static void mismatch(const char *what, long line)
{
    fprintf(stderr, "fuzz_csv: reader and reference differ: %s (line %ld)\n",
            what, line);
    abort();
}

/* Reads all of buf[0..n) with cap `max_record` (0 = default) and checks
 * every record against the reference. With pad_len > 0 the buffer starts
 * with a padding record of pad_len bytes and a LF: the reference starts
 * after it (it would spend most of the run there otherwise). */
static void check(const unsigned char *buf, size_t n, size_t max_record,
                  size_t pad_len)
{
    struct cxm__csv *csv = NULL;
    struct cxm__csv_rec rec;
    struct ref r;
    size_t max_fields;
    FILE *fp;

    if (n == 0)
        return; /* fmemopen() may refuse an empty buffer */
    memset(&r, 0, sizeof(r));
    r.buf = buf;
    r.n = n;
    r.max_record = max_record ? max_record : CXM__CSV_DEFAULT_MAX_RECORD;
    r.line = 1;
    if (pad_len) {
        r.pos = pad_len + 1;
        r.line = 2;
    } else if (n >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) {
        r.pos = 3;
    }
    r.out = malloc(n);
    /* A record has at most n + 1 fields. */
    max_fields = n + 1 < CXM__CSV_MAX_FIELDS ? n + 1 : CXM__CSV_MAX_FIELDS;
    r.starts = malloc(max_fields * sizeof(*r.starts));
    r.lens = malloc(max_fields * sizeof(*r.lens));
    fp = fmemopen((void *)buf, n, "rb");
    if (!r.out || !r.starts || !r.lens || !fp)
        goto out;
    if (cxm__csv_open(&csv, fp, max_record) != CXM_OK)
        goto out;
    if (!pad_len) {
        /* A file that is not UTF-8 (csv.h): one error, then the end. */
        const char *bad = cxm__csv_sniff(buf, n < CHUNK ? n : CHUNK);
        const char *why = NULL;
        if (bad) {
            if (cxm__csv_next(csv, &rec, &why) != CXM_EINPUT || !why ||
                strcmp(why, bad) != 0 || rec.line != 1 || rec.n_fields)
                mismatch("a file that is not UTF-8 text", 1);
            if (cxm__csv_next(csv, &rec, &why) != CXM_ENOTFOUND)
                mismatch("reading on after refusing the file", 1);
            goto out;
        }
    }
    if (pad_len) {
        const char *why = NULL;
        if (cxm__csv_next(csv, &rec, &why) != CXM_OK || rec.n_fields != 1 ||
            rec.lens[0] != pad_len || rec.line != 1 || rec.end_line != 1)
            mismatch("the padding record", 1);
    }
    /* Every call but the last consumes at least one byte. */
    for (size_t calls = 0;; calls++) {
        const char *why = NULL;
        cxm_rc rc, want;

        if (calls > n + 1)
            mismatch("the reader does not advance", r.line);
        rc = cxm__csv_next(csv, &rec, &why);
        want = ref_next(&r);
        if (rc != want)
            mismatch("status", r.rec_line);
        if (rc == CXM_ENOTFOUND)
            break;
        if (rec.line != r.rec_line || rec.end_line != r.rec_end_line)
            mismatch("line numbers", r.rec_line);
        if (rc == CXM_EINPUT) {
            if (!why || strcmp(why, r.why) != 0)
                mismatch("reason", r.rec_line);
            if (rec.n_fields != 0)
                mismatch("fields of a rejected record", r.rec_line);
            continue;
        }
        if (rec.n_fields != r.n_fields)
            mismatch("number of fields", r.rec_line);
        for (size_t f = 0; f < rec.n_fields; f++) {
            if (rec.lens[f] != r.lens[f] ||
                memcmp(rec.fields[f], r.out + r.starts[f], r.lens[f]) != 0)
                mismatch("field bytes", r.rec_line);
            if (rec.fields[f][rec.lens[f]] != '\0')
                mismatch("field not NUL-terminated", r.rec_line);
        }
    }
    if (cxm__csv_bytes(csv) != n)
        mismatch("bytes consumed", r.line);
out:
    cxm__csv_close(csv);
    if (fp)
        fclose(fp);
    free(r.out);
    free(r.starts);
    free(r.lens);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t h = size;
    unsigned char *padded;

    if (size == 0)
        return 0;
    for (size_t i = 0; i < size && i < 16; i++)
        h = h * 31 + data[i];
    check(data, size, 0, 0);
    check(data, size, 1 + h % 48, 0);
    /* One padding record of pad_len bytes and its LF, so that the 64 KiB
     * chunk boundary falls `split` bytes into the input. Reading 64 KiB
     * under coverage instrumentation is slow: one input in 32. */
    if (size < CHUNK && h % 32 == 0) {
        size_t split = h % (size + 1), pad_len = CHUNK - 1 - split;
        padded = malloc(pad_len + 1 + size);
        if (padded) {
            memset(padded, 'P', pad_len);
            padded[pad_len] = '\n';
            memcpy(padded + pad_len + 1, data, size);
            check(padded, pad_len + 1 + size, 0, pad_len);
            free(padded);
        }
    }
    return 0;
}
