/* SPDX-License-Identifier: MIT
 *
 * import.c — CSV files of one record kind into the store (SPEC §1): map the
 * header to the kind's columns, validate each row (record.c), store the good
 * ones and report the bad ones, all in one transaction.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "csv.h"
#include "record.h"
#include "store_int.h"

#define PROGRESS_EVERY 65536 /* rows between progress callbacks */

struct importer {
    cxm_store *st;
    cxm_kind kind;
    const struct cxm__kindspec *ks;
    const struct cxm_import_opts *opts;
    struct cxm_import_result *res;
    struct cxm__reject rej;
    struct cxm__value *vals;
    int *colmap;
};

static void diag(const struct importer *im, const char *file, long line,
                 int column, const char *column_name, const char *reason)
{
    struct cxm_diag d;

    if (!im->opts->on_diag)
        return;
    d.file = file;
    d.line = line;
    d.column = column;
    d.column_name = column_name ? column_name : "";
    d.reason = reason;
    im->opts->on_diag(&d, im->opts->ud);
}

/* Trims ASCII space around a header name. */
static void trim(const char **s, size_t *n)
{
    while (*n && cxm__is_space((unsigned char)(*s)[0])) {
        (*s)++;
        (*n)--;
    }
    while (*n && cxm__is_space((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* Maps the header to spec columns. Returns CXM_OK or CXM_EINPUT (reported). */
static cxm_rc map_header(struct importer *im, const char *file,
                         const struct cxm__csv_rec *hdr)
{
    cxm_rc rc = CXM_OK;

    for (size_t j = 0; j < im->ks->n_cols; j++)
        im->colmap[j] = -1;
    for (size_t f = 0; f < hdr->n_fields; f++) {
        const char *name = hdr->fields[f];
        size_t n = hdr->lens[f];
        trim(&name, &n);
        for (size_t j = 0; j < im->ks->n_cols; j++) {
            if (im->colmap[j] < 0 &&
                cxm__eq_nocase(name, n, im->ks->cols[j].name)) {
                im->colmap[j] = (int)f;
                break;
            }
        }
    }
    for (size_t j = 0; j < im->ks->n_cols; j++) {
        if (im->ks->cols[j].required && im->colmap[j] < 0) {
            struct cxm__buf b = CXM__BUF_INIT(256);
            if (cxm__buf_addf(&b, "header lacks the required column %s",
                              im->ks->cols[j].name))
                return CXM_ENOMEM;
            diag(im, file, hdr->line, 0, im->ks->cols[j].name, b.data);
            cxm__buf_release(&b);
            rc = CXM_EINPUT;
        }
    }
    return rc;
}

static cxm_rc import_file(struct importer *im, const char *path)
{
    struct cxm__csv *csv = NULL;
    struct cxm__csv_rec rec;
    const char *why = NULL;
    uint64_t total = 0, since_progress = 0;
    size_t n_header;
    struct stat sb;
    FILE *fp;
    cxm_rc rc;

    fp = fopen(path, "rb");
    if (!fp) {
        diag(im, path, 0, 0, "", "cannot open the file");
        return CXM_EIO;
    }
    if (fstat(fileno(fp), &sb) == 0 && sb.st_size > 0)
        total = (uint64_t)sb.st_size;
    rc = cxm__csv_open(&csv, fp, 0);
    if (rc)
        goto out;
    rc = cxm__csv_next(csv, &rec, &why);
    if (rc == CXM_ENOTFOUND) {
        diag(im, path, 1, 0, "", "empty file: no header row");
        rc = CXM_EINPUT;
        goto out;
    }
    if (rc == CXM_EINPUT) {
        diag(im, path, rec.line, 0, "", why);
        goto out;
    }
    if (rc)
        goto out;
    rc = map_header(im, path, &rec);
    if (rc)
        goto out;
    n_header = rec.n_fields;

    for (;;) {
        rc = cxm__csv_next(csv, &rec, &why);
        if (rc == CXM_ENOTFOUND) {
            rc = CXM_OK;
            break;
        }
        if (rc == CXM_EINPUT) {
            diag(im, path, rec.line, 0, "", why);
            im->res->n_rejected++;
            continue;
        }
        if (rc)
            goto out;
        rc = cxm__record_validate(im->kind, &rec, im->colmap, n_header,
                                  im->vals, &im->rej);
        if (rc == CXM_EINPUT) {
            int col = im->rej.col;
            int fnum = col >= 0 ? im->colmap[col] : -1;
            diag(im, path, rec.line, fnum >= 0 ? fnum + 1 : 0,
                 col >= 0 ? im->ks->cols[col].name : "",
                 im->rej.reason.data ? im->rej.reason.data : "invalid row");
            im->res->n_rejected++;
            continue;
        }
        if (rc)
            goto out;
        rc = cxm__store_put(im->st, im->kind, im->vals);
        if (rc)
            goto out;
        im->res->n_imported++;
        if (im->opts->on_progress && ++since_progress == PROGRESS_EVERY) {
            since_progress = 0;
            im->opts->on_progress(path, cxm__csv_bytes(csv), total,
                                  im->res->n_imported + im->res->n_rejected,
                                  im->opts->ud);
        }
    }
    if (im->opts->on_progress)
        im->opts->on_progress(path, total, total,
                              im->res->n_imported + im->res->n_rejected,
                              im->opts->ud);
out:
    if (rc == CXM_EIO)
        diag(im, path, 0, 0, "", "read error");
    cxm__csv_close(csv);
    fclose(fp);
    return rc;
}

cxm_rc cxm_import_files(cxm_store *st, cxm_kind kind,
                        const char *const *paths, size_t n_paths,
                        const struct cxm_import_opts *opts,
                        struct cxm_import_result *out)
{
    struct importer im;
    struct cxm_import_opts none;
    cxm_rc rc;

    memset(out, 0, sizeof(*out));
    if (!st || kind < 0 || kind >= CXM_KIND_COUNT || (!paths && n_paths))
        return CXM_EINVAL;
    if (!opts) {
        memset(&none, 0, sizeof(none));
        none.size = sizeof(none);
        opts = &none;
    }
    memset(&im, 0, sizeof(im));
    im.st = st;
    im.kind = kind;
    im.ks = cxm__kind_spec(kind);
    im.opts = opts;
    im.res = out;
    im.rej.reason.cap = 4096;
    im.vals = cxm__calloc(im.ks->n_cols, sizeof(*im.vals));
    im.colmap = cxm__calloc(im.ks->n_cols, sizeof(*im.colmap));
    if (!im.vals || !im.colmap) {
        rc = CXM_ENOMEM;
        goto out;
    }
    rc = cxm__store_begin(st);
    if (rc)
        goto out;
    for (size_t i = 0; i < n_paths && !rc; i++)
        rc = import_file(&im, paths[i]);
    if (!rc && opts->strict && out->n_rejected)
        rc = CXM_EINPUT;
    if (rc) {
        cxm__store_rollback(st);
        out->n_imported = 0;
    } else {
        rc = cxm__store_commit(st);
        if (rc) {
            cxm__store_rollback(st);
            out->n_imported = 0;
        }
    }
out:
    cxm__buf_release(&im.rej.reason);
    cxm__free(im.vals);
    cxm__free(im.colmap);
    return rc;
}
