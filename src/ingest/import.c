/* SPDX-License-Identifier: MIT
 *
 * import.c — CSV files of one record kind into a sink (SPEC §1; sink.h):
 * map the header to the kind's columns, validate each row (record.c), hand
 * the good ones to the sink and report the bad ones, all in one
 * transaction.
 *
 * Two stages on two cores: a parser thread reads the CSV, validates each
 * row and copies the accepted values and the diagnostics, in file order,
 * into batches it owns while filling them; the calling thread (the writer)
 * takes each full batch, stores its rows and reports its diagnostics, in
 * that same order, and hands the batch back to be refilled. Only the writer
 * calls the sink and the caller's callbacks. Two bounded pipes
 * (pipe.h) carry the batches, so at most N_BATCHES exist and memory stays
 * bounded whatever the file size.
 */
#include "internal.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "csv.h"
#include "pipe.h"
#include "record.h"
#include "sink.h"

#define PROGRESS_EVERY 65536     /* rows between progress callbacks */
#define BATCH_ENTRIES 4096       /* rows and diagnostics per batch */
#define BATCH_TEXT (1u << 20)    /* text bytes a batch starts with */
#define N_BATCHES 4              /* batches in flight, both stages */

enum entry_kind {
    ENT_ROW,      /* an accepted row: store it */
    ENT_DIAG,     /* a rejected row, or a file-level problem: report it */
    ENT_FILE_DONE /* a file was read to its end */
};

/* One thing the parser found, in file order. */
struct entry {
    enum entry_kind kind;
    size_t file;             /* index into the import's paths */
    size_t row;              /* ROW: its values are vals[row * n_cols ..] */
    long line;               /* DIAG: as in struct cxm_diag */
    int column;              /* DIAG */
    const char *column_name; /* DIAG: static (the kind's spec), or "" */
    const char *reason;      /* DIAG: in the batch's text */
    bool is_rejected_row;    /* DIAG: counts in n_rejected */
    uint64_t bytes_total;    /* FILE_DONE: the file's size */
};

/* A batch. Owned by the import; filled by the parser thread, then read by
 * the writer, then filled again; a pipe hand-over moves it between them.
 * Invariant: `text` is never reallocated while it holds anything, so the
 * text values and reasons pointing into it stay valid. */
struct batch {
    struct entry *ents;      /* owned; BATCH_ENTRIES slots */
    size_t n_ents;
    struct cxm__value *vals; /* owned; BATCH_ENTRIES rows of n_cols */
    size_t n_rows;
    char *text;              /* owned; NUL-terminated strings */
    size_t text_len, text_cap;
    size_t file;             /* progress: file being read at the end */
    uint64_t bytes_done;     /* progress: bytes of it read by then */
    uint64_t bytes_total;    /* progress: its size (0 = unknown) */
    bool is_last;            /* nothing follows this batch */
    cxm_rc end_rc;           /* is_last: how reading ended */
};

/* The parser thread's state. Everything but the pipes and `cur` is used by
 * that thread alone while it runs. */
struct parser {
    cxm_kind kind;
    const struct cxm__kindspec *ks;
    const char *const *paths; /* borrowed from the caller */
    size_t n_paths;
    struct cxm__pipe *to_writer;  /* full batches */
    struct cxm__pipe *to_parser;  /* empty batches */
    struct batch *cur;        /* being filled; NULL before the first */
    struct cxm__reject rej;   /* owned reason buffer */
    struct cxm__window win;   /* the plausibility window of timestamps */
    struct cxm__value *vals;  /* owned; one row, borrowing the CSV record */
    int *colmap;              /* owned; spec column -> CSV field */
    size_t file;              /* index of the file being read */
    uint64_t bytes_total;     /* its size, 0 when unknown */
    struct cxm__csv *csv;     /* its reader, or NULL */
    uint64_t file_cols;       /* 1 << j for each spec column j the header
                                 of the file being read has */
    uint64_t supplied;        /* OUT: 1 << j for each spec column j the
                                 header of a file with a stored row had
                                 (0009-supplied.sql) */
    bool any_row;             /* OUT: some row was valid */
    cxm_rc rc;                /* OUT: how the thread ended */
};

/* The writer's state: the calling thread. */
struct writer {
    const struct cxm__sink *sink;
    cxm_kind kind;
    const struct cxm__kindspec *ks;
    const struct cxm_import_opts *opts;
    const char *const *paths;
    struct cxm_import_result *res;
    uint64_t since_progress; /* rows since the last progress callback */
};

/* ---- Batches. */

static void batch_free(struct batch *b)
{
    if (!b)
        return;
    cxm__free(b->ents);
    cxm__free(b->vals);
    cxm__free(b->text);
    cxm__free(b);
}

static struct batch *batch_new(size_t n_cols)
{
    struct batch *b = cxm__calloc(1, sizeof(*b));

    if (!b)
        return NULL;
    b->ents = cxm__calloc(BATCH_ENTRIES, sizeof(*b->ents));
    b->vals = cxm__calloc(BATCH_ENTRIES * n_cols, sizeof(*b->vals));
    b->text = cxm__malloc(BATCH_TEXT);
    if (!b->ents || !b->vals || !b->text) {
        batch_free(b);
        return NULL;
    }
    b->text_cap = BATCH_TEXT;
    return b;
}

static void batch_reset(struct batch *b)
{
    b->n_ents = 0;
    b->n_rows = 0;
    b->text_len = 0;
    b->is_last = false;
    b->end_rc = CXM_OK;
}

/* Copies s[0..n) and a NUL into the batch's text; there must be room. */
static const char *batch_text(struct batch *b, const char *s, size_t n)
{
    char *d = b->text + b->text_len;

    CXM_ASSERT(b->text_len + n + 1 <= b->text_cap);
    memcpy(d, s, n);
    d[n] = '\0';
    b->text_len += n + 1;
    return d;
}

/* ---- The parser thread. */

/* Hands the current batch to the writer and takes an empty one. Returns
 * CXM_OK, or CXM_ENOTFOUND when the writer cancelled the import. */
static cxm_rc publish(struct parser *p)
{
    void *next;

    p->cur->file = p->file;
    p->cur->bytes_done = p->csv ? cxm__csv_bytes(p->csv) : 0;
    p->cur->bytes_total = p->bytes_total;
    if (cxm__pipe_push(p->to_writer, p->cur))
        return CXM_ENOTFOUND;
    p->cur = NULL;
    if (cxm__pipe_pop(p->to_parser, &next))
        return CXM_ENOTFOUND;
    p->cur = next;
    batch_reset(p->cur);
    return CXM_OK;
}

/* Makes room in the current batch for one entry and `text` bytes: publishes
 * it when full, grows the text of an empty batch for a huge row. */
static cxm_rc make_room(struct parser *p, size_t text)
{
    struct batch *b = p->cur;
    size_t need;
    char *t;
    cxm_rc rc;

    if (!cxm__size_add(&need, b->text_len, text))
        return CXM_ENOMEM;
    if (b->n_ents < BATCH_ENTRIES && need <= b->text_cap)
        return CXM_OK;
    if (b->n_ents > 0) {
        rc = publish(p);
        if (rc)
            return rc;
        b = p->cur;
    }
    if (text > b->text_cap) {
        /* Empty batch: nothing points into its text yet. */
        t = cxm__realloc(b->text, text);
        if (!t)
            return CXM_ENOMEM;
        b->text = t;
        b->text_cap = text;
    }
    return CXM_OK;
}

/* Adds a diagnostic; `reason` is copied, `column_name` must be static. */
static cxm_rc add_diag(struct parser *p, long line, int column,
                       const char *column_name, const char *reason,
                       bool is_rejected_row)
{
    size_t n = strlen(reason);
    struct entry *e;
    cxm_rc rc = make_room(p, n + 1);

    if (rc)
        return rc;
    e = &p->cur->ents[p->cur->n_ents++];
    e->kind = ENT_DIAG;
    e->file = p->file;
    e->line = line;
    e->column = column;
    e->column_name = column_name ? column_name : "";
    e->reason = batch_text(p->cur, reason, n);
    e->is_rejected_row = is_rejected_row;
    return CXM_OK;
}

/* Adds the validated row in p->vals, copying its text out of the CSV
 * record (which the next read overwrites). */
static cxm_rc add_row(struct parser *p)
{
    size_t n_cols = p->ks->n_cols, text = 0;
    struct cxm__value *dst;
    struct entry *e;
    cxm_rc rc;

    for (size_t j = 0; j < n_cols; j++) {
        if (p->vals[j].type == CXM__V_TEXT)
            text += p->vals[j].len + 1;
    }
    rc = make_room(p, text);
    if (rc)
        return rc;
    dst = &p->cur->vals[p->cur->n_rows * n_cols];
    for (size_t j = 0; j < n_cols; j++) {
        dst[j] = p->vals[j];
        if (dst[j].type == CXM__V_TEXT)
            dst[j].s = batch_text(p->cur, dst[j].s, dst[j].len);
    }
    e = &p->cur->ents[p->cur->n_ents++];
    e->kind = ENT_ROW;
    e->file = p->file;
    e->row = p->cur->n_rows++;
    return CXM_OK;
}

static cxm_rc add_file_done(struct parser *p)
{
    struct entry *e;
    cxm_rc rc = make_room(p, 0);

    if (rc)
        return rc;
    e = &p->cur->ents[p->cur->n_ents++];
    e->kind = ENT_FILE_DONE;
    e->file = p->file;
    e->bytes_total = p->bytes_total;
    return CXM_OK;
}

/* Reports a header problem: the message `fmt` formats. Returns the rc
 * of reporting it. */
static cxm_rc header_diag(struct parser *p, long line, int column,
                          const char *column_name, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static cxm_rc header_diag(struct parser *p, long line, int column,
                          const char *column_name, const char *fmt, ...)
{
    struct cxm__buf msg = CXM__BUF_INIT(512);
    va_list ap;
    cxm_rc rc;

    va_start(ap, fmt);
    rc = cxm__buf_vaddf(&msg, fmt, ap);
    va_end(ap);
    if (!rc)
        rc = add_diag(p, line, column, column_name, msg.data, false);
    cxm__buf_release(&msg);
    return rc;
}

/* Maps the header to spec columns. A file separated by ';' or tabs, a
 * column named twice or a required column missing is a header error.
 * Returns CXM_OK, CXM_EINPUT (reported) or the rc of reporting it. */
static cxm_rc map_header(struct parser *p, const struct cxm__csv_rec *hdr)
{
    const struct cxm__kindspec *ks = p->ks;
    const char *hint = cxm__csv_separator_hint(hdr);
    cxm_rc rc = CXM_OK, r2;

    if (hint) {
        r2 = add_diag(p, hdr->line, 0, "", hint, false);
        return r2 ? r2 : CXM_EINPUT;
    }
    for (size_t j = 0; j < ks->n_cols; j++)
        p->colmap[j] = -1;
    for (size_t f = 0; f < hdr->n_fields; f++) {
        const char *name = hdr->fields[f];
        size_t n = hdr->lens[f];
        long twin = cxm__csv_same_name(hdr, f);
        cxm__trim(&name, &n);
        if (twin >= 0 && (size_t)twin > f) {
            r2 = header_diag(p, hdr->line, 0, "",
                             "the header names the column \"%.*s\" twice "
                             "(columns %zu and %ld)",
                             n > 64 ? 64 : (int)n, name, f + 1, twin + 1);
            if (r2)
                return r2;
            rc = CXM_EINPUT;
        }
        for (size_t j = 0; j < ks->n_cols; j++) {
            if (p->colmap[j] < 0 &&
                cxm__eq_nocase(name, n, ks->cols[j].name)) {
                p->colmap[j] = (int)f;
                break;
            }
        }
    }
    for (size_t j = 0; j < ks->n_cols; j++) {
        if (ks->cols[j].required && p->colmap[j] < 0) {
            r2 = header_diag(p, hdr->line, 0, ks->cols[j].name,
                             "header lacks the required column %s",
                             ks->cols[j].name);
            if (r2)
                return r2;
            rc = CXM_EINPUT;
        }
    }
    p->file_cols = 0;
    for (size_t j = 0; !rc && j < ks->n_cols && j < 64; j++) {
        if (p->colmap[j] >= 0)
            p->file_cols |= (uint64_t)1 << j;
    }
    return rc;
}

/* Reads the rows of the open reader p->csv after its header. */
static cxm_rc parse_rows(struct parser *p, size_t n_header)
{
    const struct cxm__kindspec *ks = p->ks;
    struct cxm__csv_rec rec;
    const char *why = NULL;
    cxm_rc rc;

    for (;;) {
        rc = cxm__csv_next(p->csv, &rec, &why);
        if (rc == CXM_ENOTFOUND)
            return add_file_done(p);
        if (rc == CXM_EINPUT) {
            rc = add_diag(p, rec.line, 0, "", why, true);
            if (rc)
                return rc;
            continue;
        }
        if (rc)
            return rc;
        rc = cxm__record_validate(p->kind, &rec, p->colmap, n_header,
                                  &p->win, p->vals, &p->rej);
        if (rc == CXM_EINPUT) {
            int col = p->rej.col;
            int fnum = col >= 0 ? p->colmap[col] : -1;
            rc = add_diag(p, rec.line, fnum >= 0 ? fnum + 1 : 0,
                          col >= 0 ? ks->cols[col].name : "",
                          p->rej.reason.data ? p->rej.reason.data
                                             : "invalid row",
                          true);
        } else if (!rc) {
            /* A file supplies its columns through the rows it stores: a
             * header alone, or rows all rejected, supply nothing. */
            p->supplied |= p->file_cols;
            p->any_row = true;
            rc = add_row(p);
        }
        if (rc)
            return rc;
    }
}

/* Reads one file into batches. */
static cxm_rc parse_file(struct parser *p)
{
    const char *path = p->paths[p->file];
    struct cxm__csv_rec rec;
    const char *why = NULL;
    struct stat sb;
    char open_why[192];
    FILE *fp;
    cxm_rc rc, r2;

    p->bytes_total = 0;
    fp = cxm__csv_fopen(path, open_why, sizeof(open_why));
    if (!fp) {
        rc = add_diag(p, 0, 0, "", open_why, false);
        return rc ? rc : CXM_EIO;
    }
    if (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode) &&
        sb.st_size > 0)
        p->bytes_total = (uint64_t)sb.st_size;
    rc = cxm__csv_open(&p->csv, fp, 0);
    if (rc)
        goto out;
    rc = cxm__csv_next(p->csv, &rec, &why);
    if (rc == CXM_ENOTFOUND) {
        r2 = add_diag(p, 1, 0, "", "empty file: no header row", false);
        rc = r2 ? r2 : CXM_EINPUT;
        goto out;
    }
    if (rc == CXM_EINPUT) {
        r2 = add_diag(p, rec.line, 0, "", why, false);
        rc = r2 ? r2 : CXM_EINPUT;
        goto out;
    }
    if (rc)
        goto out;
    rc = map_header(p, &rec);
    if (rc)
        goto out;
    rc = parse_rows(p, rec.n_fields);
out:
    if (rc == CXM_EIO) {
        r2 = add_diag(p, 0, 0, "", "read error", false);
        if (r2)
            rc = r2;
    }
    cxm__csv_close(p->csv);
    p->csv = NULL;
    cxm__csv_fclose(fp);
    return rc;
}

/* The parser thread: every file in turn, then a last batch saying how it
 * ended. CXM_ENOTFOUND from a pipe means the writer cancelled: nothing
 * more is sent then. */
static void *parser_main(void *arg)
{
    struct parser *p = arg;
    void *first;
    cxm_rc rc;

    if (cxm__pipe_pop(p->to_parser, &first)) {
        p->rc = CXM_ENOTFOUND;
        return NULL;
    }
    p->cur = first;
    batch_reset(p->cur);
    rc = CXM_OK;
    for (p->file = 0; p->file < p->n_paths && !rc; p->file++)
        rc = parse_file(p);
    if (rc != CXM_ENOTFOUND) {
        p->cur->is_last = true;
        p->cur->end_rc = rc;
        if (cxm__pipe_push(p->to_writer, p->cur) == CXM_OK)
            p->cur = NULL;
    }
    p->rc = rc;
    return NULL;
}

/* ---- The writer: the calling thread. */

/* Stores the rows and reports the diagnostics of `b`, in order. With
 * `strict`, rows after the first rejected one are not stored: the import
 * rolls back anyway. */
static cxm_rc write_batch(struct writer *w, const struct batch *b)
{
    const struct cxm_import_opts *opts = w->opts;
    struct cxm_import_result *res = w->res;
    size_t n_cols = w->ks->n_cols;
    struct cxm_diag d;
    cxm_rc rc;

    for (size_t i = 0; i < b->n_ents; i++) {
        const struct entry *e = &b->ents[i];
        size_t n_run;
        switch (e->kind) {
        case ENT_ROW:
            /* A run of rows (consecutive in vals too) in one call. */
            n_run = 1;
            while (i + n_run < b->n_ents &&
                   b->ents[i + n_run].kind == ENT_ROW)
                n_run++;
            if (!(opts->strict && res->n_rejected)) {
                rc = w->sink->put_rows(w->sink->ctx, w->kind,
                                       &b->vals[e->row * n_cols], n_run);
                if (rc)
                    return rc;
            }
            res->n_imported += n_run;
            w->since_progress += n_run;
            i += n_run - 1;
            break;
        case ENT_DIAG:
            if (e->is_rejected_row)
                res->n_rejected++;
            if (!opts->on_diag)
                break;
            d.file = w->paths[e->file];
            d.line = e->line;
            d.column = e->column;
            d.column_name = e->column_name;
            d.reason = e->reason;
            opts->on_diag(&d, opts->ud);
            break;
        case ENT_FILE_DONE:
            if (opts->on_progress)
                opts->on_progress(w->paths[e->file], e->bytes_total,
                                  e->bytes_total,
                                  res->n_imported + res->n_rejected,
                                  opts->ud);
            break;
        }
    }
    if (opts->on_progress && w->since_progress >= PROGRESS_EVERY &&
        !b->is_last) {
        w->since_progress = 0;
        opts->on_progress(w->paths[b->file], b->bytes_done, b->bytes_total,
                          res->n_imported + res->n_rejected, opts->ud);
    }
    return CXM_OK;
}

/* Takes batches until the last one. Returns how the import went: the
 * store's error, or else how reading ended. */
static cxm_rc write_all(struct writer *w, struct cxm__pipe *to_writer,
                        struct cxm__pipe *to_parser)
{
    void *item;
    struct batch *b;
    cxm_rc rc;

    for (;;) {
        if (cxm__pipe_pop(to_writer, &item))
            return CXM_EINVAL; /* not reached: only we close the pipes */
        b = item;
        rc = write_batch(w, b);
        if (rc)
            return rc;
        if (b->is_last)
            return b->end_rc;
        if (cxm__pipe_push(to_parser, b))
            return CXM_EINVAL; /* not reached, as above */
    }
}

/* Which kind and optional columns were supplied (0009), recorded in the
 * import's transaction: a report tells a figure never supplied from one
 * of zero. An import that stored no row supplied nothing. */
static cxm_rc put_supplied(struct writer *w, bool any_row, uint64_t supplied)
{
    cxm_rc rc;

    if (!any_row)
        return CXM_OK;
    rc = w->sink->put_supplied(w->sink->ctx, w->kind, "");

    for (size_t j = 0; !rc && j < w->ks->n_cols && j < 64; j++) {
        if (!w->ks->cols[j].required && (supplied >> j & 1))
            rc = w->sink->put_supplied(w->sink->ctx, w->kind,
                                       w->ks->cols[j].name);
    }
    return rc;
}

cxm_rc cxm__import_csv(const struct cxm__sink *sink, cxm_kind kind,
                       const char *const *paths, size_t n_paths,
                       const struct cxm_import_opts *opts,
                       struct cxm_import_result *out)
{
    struct cxm__pipe to_writer, to_parser;
    struct batch *batches[N_BATCHES] = {NULL};
    struct parser p;
    struct writer w;
    struct cxm_import_opts none;
    bool has_pipes = false, has_thread = false;
    pthread_t thread;
    cxm_rc rc;

    memset(out, 0, sizeof(*out));
    if (!sink->ctx || kind < 0 || kind >= CXM_KIND_COUNT || (!paths && n_paths))
        return CXM_EINVAL;
    if (!opts) {
        memset(&none, 0, sizeof(none));
        none.size = sizeof(none);
        opts = &none;
    }
    memset(&p, 0, sizeof(p));
    p.kind = kind;
    p.ks = cxm__kind_spec(kind);
    p.paths = paths;
    p.n_paths = n_paths;
    p.to_writer = &to_writer;
    p.to_parser = &to_parser;
    p.rej.reason.cap = 4096;
    memset(&w, 0, sizeof(w));
    w.sink = sink;
    w.kind = kind;
    w.ks = p.ks;
    w.opts = opts;
    w.paths = paths;
    w.res = out;

    p.vals = cxm__calloc(p.ks->n_cols, sizeof(*p.vals));
    p.colmap = cxm__calloc(p.ks->n_cols, sizeof(*p.colmap));
    if (!p.vals || !p.colmap) {
        rc = CXM_ENOMEM;
        goto out;
    }
    rc = cxm__pipe_init(&to_writer, N_BATCHES);
    if (rc)
        goto out;
    rc = cxm__pipe_init(&to_parser, N_BATCHES);
    if (rc) {
        cxm__pipe_release(&to_writer);
        goto out;
    }
    has_pipes = true;
    for (size_t i = 0; i < N_BATCHES; i++) {
        batches[i] = batch_new(p.ks->n_cols);
        if (!batches[i]) {
            rc = CXM_ENOMEM;
            goto out;
        }
        /* Cannot block or fail: the pipe has a slot per batch. */
        rc = cxm__pipe_push(&to_parser, batches[i]);
        if (rc)
            goto out;
    }

    rc = sink->window(sink->ctx, opts, &p.win);
    if (rc)
        goto out;
    rc = sink->begin(sink->ctx);
    if (rc)
        goto out;
    if (pthread_create(&thread, NULL, parser_main, &p) == 0)
        has_thread = true;
    else
        rc = CXM_ENOMEM;
    if (!rc)
        rc = write_all(&w, &to_writer, &to_parser);
    if (has_thread) {
        /* Wakes the parser if we stopped before its last batch. */
        cxm__pipe_close(&to_writer);
        cxm__pipe_close(&to_parser);
        pthread_join(thread, NULL);
        has_thread = false;
    }
    if (!rc && opts->strict && out->n_rejected)
        rc = CXM_EINPUT;
    if (!rc)
        rc = put_supplied(&w, p.any_row, p.supplied);
    rc = cxm__sink_finish(sink, rc, 1u << kind, out);
out:
    if (has_pipes) {
        cxm__pipe_release(&to_writer);
        cxm__pipe_release(&to_parser);
    }
    for (size_t i = 0; i < N_BATCHES; i++)
        batch_free(batches[i]);
    cxm__buf_release(&p.rej.reason);
    cxm__free(p.vals);
    cxm__free(p.colmap);
    return rc;
}
