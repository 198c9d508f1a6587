/* SPDX-License-Identifier: MIT
 *
 * csv.c — streaming RFC 4180 reader (see csv.h). A byte-at-a-time state
 * machine over a 64 KiB read buffer, with a fast path that copies runs of
 * ordinary bytes in unquoted and quoted fields with one memchr-like scan.
 */
#include "internal.h"

#include <errno.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

#define READ_CHUNK (64u * 1024u)

enum state {
    ST_FIELD_START, /* at the first byte of a field */
    ST_UNQUOTED,    /* inside an unquoted field */
    ST_QUOTED,      /* inside a quoted field */
    ST_QUOTE_SEEN   /* a quote inside a quoted field: "" or the end */
};

struct cxm__csv {
    FILE *fp;         /* borrowed */
    size_t max_record;
    unsigned char *in; /* read buffer, READ_CHUNK bytes */
    size_t in_len, in_pos;
    bool eof;
    bool at_start;     /* nothing read yet: a BOM may follow */
    const char *bad_start; /* the file is not UTF-8 text: why (static) */
    bool pending_cr;   /* last byte was CR: swallow a following LF */
    uint64_t n_bytes;
    long line;         /* current physical line, 1-based */
    char *rec;         /* record bytes, each field NUL-terminated */
    size_t rec_len, rec_cap;
    size_t *starts;    /* field start offsets into rec */
    size_t *lens;
    const char **fields;
    size_t fld_cap;
    size_t n_fields;
};

cxm_rc cxm__csv_open(struct cxm__csv **out, FILE *fp, size_t max_record)
{
    struct cxm__csv *c = cxm__calloc(1, sizeof(*c));

    if (!c)
        return CXM_ENOMEM;
    c->fp = fp;
    c->max_record = max_record ? max_record : CXM__CSV_DEFAULT_MAX_RECORD;
    c->in = cxm__malloc(READ_CHUNK);
    if (!c->in) {
        cxm__free(c);
        return CXM_ENOMEM;
    }
    c->at_start = true;
    c->line = 1;
    *out = c;
    return CXM_OK;
}

void cxm__csv_close(struct cxm__csv *c)
{
    if (!c)
        return;
    cxm__free(c->in);
    cxm__free(c->rec);
    cxm__free(c->starts);
    cxm__free(c->lens);
    cxm__free(c->fields);
    cxm__free(c);
}

uint64_t cxm__csv_bytes(const struct cxm__csv *c) { return c->n_bytes; }

const char *cxm__csv_sniff(const unsigned char *p, size_t n)
{
    if (n >= 4 && p[0] == 0xFF && p[1] == 0xFE && p[2] == 0 && p[3] == 0)
        return "the file is UTF-32 (little-endian) text, not UTF-8: save "
               "it as UTF-8 (\"CSV UTF-8\")";
    if (n >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0xFE && p[3] == 0xFF)
        return "the file is UTF-32 (big-endian) text, not UTF-8: save it "
               "as UTF-8 (\"CSV UTF-8\")";
    if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE)
        return "the file is UTF-16 (little-endian, byte order mark FF FE) "
               "text, not UTF-8: save it as UTF-8 (\"CSV UTF-8\")";
    if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF)
        return "the file is UTF-16 (big-endian, byte order mark FE FF) "
               "text, not UTF-8: save it as UTF-8 (\"CSV UTF-8\")";
    if (n >= 6 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF &&
        p[3] == 0xEF && p[4] == 0xBB && p[5] == 0xBF)
        return "the file starts with two UTF-8 byte order marks (EF BB BF "
               "twice): remove one";
    /* Without a mark: ASCII text in UTF-16 has a NUL in every other
     * byte, which no CSV header has. */
    if (n >= 4 && p[0] != 0 && p[1] == 0 && p[2] != 0 && p[3] == 0)
        return "the file is UTF-16 (little-endian, no byte order mark) "
               "text, not UTF-8: save it as UTF-8 (\"CSV UTF-8\")";
    if (n >= 4 && p[0] == 0 && p[1] != 0 && p[2] == 0 && p[3] != 0)
        return "the file is UTF-16 (big-endian, no byte order mark) text, "
               "not UTF-8: save it as UTF-8 (\"CSV UTF-8\")";
    return NULL;
}

FILE *cxm__csv_fopen(const char *path, char *why, size_t cap)
{
    FILE *fp;
    char sys[128];

    if (strcmp(path, "-") == 0)
        return stdin;
    fp = fopen(path, "rb");
    if (fp) {
        /* A directory opens but cannot be read: name it now, with the
         * system's reason, not as a bare "read error" later. */
        struct stat sb;
        if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
            fclose(fp);
            fp = NULL;
            errno = EISDIR;
        }
    }
    if (!fp) {
        int e = errno;
        if (strerror_r(e, sys, sizeof(sys)) != 0)
            snprintf(sys, sizeof(sys), "error %d", e);
        snprintf(why, cap, "cannot open the file: %s", sys);
    }
    return fp;
}

void cxm__csv_fclose(FILE *fp)
{
    if (fp && fp != stdin)
        fclose(fp);
}

/* ASCII case-insensitive equality of a[0..n) and b[0..m). */
static bool same_nocase(const char *a, size_t n, const char *b, size_t m)
{
    if (n != m)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (cxm__to_lower((unsigned char)a[i]) !=
            cxm__to_lower((unsigned char)b[i]))
            return false;
    }
    return true;
}

long cxm__csv_same_name(const struct cxm__csv_rec *hdr, size_t k)
{
    const char *a = hdr->fields[k], *b;
    size_t n = hdr->lens[k], m;

    cxm__trim(&a, &n);
    if (n == 0)
        return -1; /* empty names (a trailing comma) are not names */
    for (size_t j = 0; j < hdr->n_fields; j++) {
        if (j == k)
            continue;
        b = hdr->fields[j];
        m = hdr->lens[j];
        cxm__trim(&b, &m);
        if (same_nocase(a, n, b, m))
            return (long)j;
    }
    return -1;
}

const char *cxm__csv_separator_hint(const struct cxm__csv_rec *hdr)
{
    if (hdr->n_fields != 1)
        return NULL;
    if (memchr(hdr->fields[0], ';', hdr->lens[0]))
        return "the header is one column holding ';': the file seems to "
               "be separated by ';', but cxmeter reads comma-separated "
               "files (save or export it with ',')";
    if (memchr(hdr->fields[0], '\t', hdr->lens[0]))
        return "the header is one column holding tabs: the file seems to "
               "be tab-separated, but cxmeter reads comma-separated files "
               "(save or export it with ',')";
    if (memchr(hdr->fields[0], '|', hdr->lens[0]))
        return "the header is one column holding '|': the file seems to "
               "be separated by '|', but cxmeter reads comma-separated "
               "files (save or export it with ',')";
    return NULL;
}

/* Refills the read buffer. Returns CXM_OK (possibly at EOF) or CXM_EIO. */
static cxm_rc fill(struct cxm__csv *c)
{
    size_t n;

    if (c->eof)
        return CXM_OK;
    n = fread(c->in, 1, READ_CHUNK, c->fp);
    if (n < READ_CHUNK) {
        if (ferror(c->fp))
            return CXM_EIO;
        c->eof = true;
    }
    c->in_len = n;
    c->in_pos = 0;
    if (c->at_start) {
        c->at_start = false;
        c->bad_start = cxm__csv_sniff(c->in, n);
        if (n >= 3 && c->in[0] == 0xEF && c->in[1] == 0xBB &&
            c->in[2] == 0xBF)
            c->in_pos = 3;
    }
    c->n_bytes += n;
    return CXM_OK;
}

/* Appends bytes to the record; past max_record it only flags `too_big`. */
static cxm_rc rec_add(struct cxm__csv *c, const unsigned char *p, size_t n,
                      bool *too_big)
{
    size_t need;

    if (*too_big)
        return CXM_OK;
    if (!cxm__size_add(&need, c->rec_len, n + 1) || need > c->max_record) {
        *too_big = true;
        return CXM_OK;
    }
    if (cxm__grow((void **)&c->rec, &c->rec_cap, need, 1))
        return CXM_ENOMEM;
    memcpy(c->rec + c->rec_len, p, n);
    c->rec_len += n;
    return CXM_OK;
}

/* Doubles the capacity of the three per-field arrays together. */
static cxm_rc grow_fields(struct cxm__csv *c)
{
    size_t cap = c->fld_cap ? c->fld_cap * 2 : 32;
    size_t *starts, *lens;
    const char **fields;

    starts = cxm__realloc(c->starts, cap * sizeof(*starts));
    if (!starts)
        return CXM_ENOMEM;
    c->starts = starts;
    lens = cxm__realloc(c->lens, cap * sizeof(*lens));
    if (!lens)
        return CXM_ENOMEM;
    c->lens = lens;
    fields = cxm__realloc(c->fields, cap * sizeof(*fields));
    if (!fields)
        return CXM_ENOMEM;
    c->fields = fields;
    c->fld_cap = cap;
    return CXM_OK;
}

/* Ends the current field: NUL-terminates it and records its extent. */
static cxm_rc end_field(struct cxm__csv *c, size_t start, bool *too_many,
                        bool *too_big)
{
    static const unsigned char nul = 0;
    size_t len = c->rec_len - start;
    cxm_rc rc;

    if (*too_big)
        return CXM_OK;
    if (c->n_fields >= CXM__CSV_MAX_FIELDS) {
        *too_many = true;
        return CXM_OK;
    }
    rc = rec_add(c, &nul, 1, too_big);
    if (rc || *too_big)
        return rc;
    if (c->n_fields == c->fld_cap) {
        rc = grow_fields(c);
        if (rc)
            return rc;
    }
    c->starts[c->n_fields] = start;
    c->lens[c->n_fields] = len;
    c->n_fields++;
    return CXM_OK;
}

static bool ordinary(unsigned char ch)
{
    return ch != ',' && ch != '"' && ch != '\n' && ch != '\r';
}

cxm_rc cxm__csv_next(struct cxm__csv *c, struct cxm__csv_rec *rec,
                     const char **why)
{
    enum state st;
    size_t field_start;
    bool too_big, too_many, bad_quote, any_quote, by_newline;
    bool quoted_cr; /* the last byte of a quoted field was a CR */
    cxm_rc rc;

    if (c->at_start) {
        rc = fill(c);
        if (rc)
            return rc;
    }
    if (c->bad_start) {
        /* Reported once, as the first record; nothing more is read. */
        *why = c->bad_start;
        c->bad_start = NULL;
        c->eof = true;
        c->in_pos = c->in_len;
        rec->line = rec->end_line = 1;
        rec->n_fields = 0;
        return CXM_EINPUT;
    }

again:
    st = ST_FIELD_START;
    c->rec_len = 0;
    c->n_fields = 0;
    field_start = 0;
    too_big = too_many = bad_quote = any_quote = by_newline = false;
    quoted_cr = false;
    rec->line = c->line;
    rec->n_fields = 0;

    for (;;) {
        unsigned char ch;

        if (c->in_pos == c->in_len) {
            rc = fill(c);
            if (rc)
                return rc;
            if (c->in_pos == c->in_len) {
                /* End of input. */
                if (st == ST_QUOTED) {
                    rec->end_line = c->line;
                    *why = "unterminated quoted field";
                    return CXM_EINPUT;
                }
                /* Nothing of a record read; an over-cap record ending in
                 * a comma has no fields either, but must be reported. */
                if (st == ST_FIELD_START && c->n_fields == 0 && !too_big)
                    return CXM_ENOTFOUND;
                goto end_record;
            }
        }
        ch = c->in[c->in_pos];
        if (c->pending_cr) {
            c->pending_cr = false;
            if (ch == '\n') {
                c->in_pos++;
                continue;
            }
        }
        switch (st) {
        case ST_FIELD_START:
            if (ch == '"') {
                c->in_pos++;
                st = ST_QUOTED;
                any_quote = true;
                continue;
            }
            st = ST_UNQUOTED;
            /* fall through */
        case ST_UNQUOTED: {
            size_t run = c->in_pos;
            while (run < c->in_len && ordinary(c->in[run]))
                run++;
            if (run > c->in_pos) {
                rc = rec_add(c, c->in + c->in_pos, run - c->in_pos,
                             &too_big);
                if (rc)
                    return rc;
                c->in_pos = run;
                continue;
            }
            c->in_pos++;
            if (ch == ',') {
                rc = end_field(c, field_start, &too_many, &too_big);
                if (rc)
                    return rc;
                field_start = c->rec_len;
                st = ST_FIELD_START;
            } else if (ch == '"') {
                /* A quote inside an unquoted field: kept as it is. */
                rc = rec_add(c, &ch, 1, &too_big);
                if (rc)
                    return rc;
            } else {
                /* '\n' or '\r': end of record. */
                c->pending_cr = ch == '\r';
                c->line++;
                by_newline = true;
                goto end_record;
            }
            continue;
        }
        case ST_QUOTED: {
            size_t run = c->in_pos;
            while (run < c->in_len && c->in[run] != '"' &&
                   c->in[run] != '\n' && c->in[run] != '\r')
                run++;
            if (run > c->in_pos) {
                rc = rec_add(c, c->in + c->in_pos, run - c->in_pos,
                             &too_big);
                if (rc)
                    return rc;
                c->in_pos = run;
                quoted_cr = false;
                continue;
            }
            c->in_pos++;
            if (ch == '"') {
                quoted_cr = false;
                st = ST_QUOTE_SEEN;
                continue;
            }
            /* A line end inside quotes is data; CRLF counts as one line.
             * Tracked apart from the record bytes, which stop growing
             * once the record is over its cap. */
            if (ch == '\r' || !quoted_cr)
                c->line++;
            quoted_cr = ch == '\r';
            rc = rec_add(c, &ch, 1, &too_big);
            if (rc)
                return rc;
            continue;
        }
        case ST_QUOTE_SEEN:
            if (ch == '"') {
                c->in_pos++;
                rc = rec_add(c, &ch, 1, &too_big);
                if (rc)
                    return rc;
                st = ST_QUOTED;
                continue;
            }
            if (ch == ',' || ch == '\n' || ch == '\r') {
                st = ST_UNQUOTED; /* the separator is handled there */
                continue;
            }
            /* `"abc"x`: bytes after a closing quote. */
            bad_quote = true;
            st = ST_UNQUOTED;
            continue;
        }
    }

end_record:
    rec->end_line = by_newline ? c->line - 1 : c->line;
    rc = end_field(c, field_start, &too_many, &too_big);
    if (rc)
        return rc;
    if (c->n_fields == 1 && c->lens[0] == 0 && !any_quote && !too_big &&
        !bad_quote)
        goto again; /* a blank line */
    if (too_big) {
        *why = "row longer than the limit";
        rec->n_fields = 0;
        return CXM_EINPUT;
    }
    if (too_many) {
        *why = "too many fields in the row";
        rec->n_fields = 0;
        return CXM_EINPUT;
    }
    if (bad_quote) {
        *why = "unexpected character after a closing quote";
        rec->n_fields = 0;
        return CXM_EINPUT;
    }
    for (size_t i = 0; i < c->n_fields; i++)
        c->fields[i] = c->rec + c->starts[i];
    rec->n_fields = c->n_fields;
    rec->fields = c->fields;
    rec->lens = c->lens;
    return CXM_OK;
}
