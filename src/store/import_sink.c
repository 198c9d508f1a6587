/* SPDX-License-Identifier: MIT
 *
 * import_sink.c — the row sink of an import over a store (ingest's
 * sink.h), and the public entry points cxm_import_files() and
 * cxm_import_helpdesk() that hand it to the import pipelines. The ingest
 * room reads and validates; what keeps the rows, and what the store
 * derives from them at the end of an import, is decided here.
 */
#include "internal.h"

#include <time.h>

#include "record.h"
#include "sink.h"
#include "store_int.h"

cxm_rc cxm__import_window(cxm_store *st, const struct cxm_import_opts *opts,
                          struct cxm__window *win)
{
    struct timespec ts;
    const char *why = NULL;
    const char *earliest = NULL, *horizon = NULL;
    cxm_rc rc;

    if (opts->size >= offsetof(struct cxm_import_opts, horizon_years) +
                          sizeof(opts->horizon_years)) {
        earliest = opts->earliest;
        horizon = opts->horizon_years;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    rc = cxm__config_window(st, earliest, horizon,
                            (int64_t)ts.tv_sec * 1000, win, &why);
    return rc == CXM_EINPUT ? CXM_EINVAL : rc;
}

static cxm_rc sink_window(void *ctx, const struct cxm_import_opts *opts,
                          struct cxm__window *win)
{
    return cxm__import_window(ctx, opts, win);
}

static cxm_rc sink_begin(void *ctx) { return cxm__store_begin(ctx); }

static cxm_rc sink_put_rows(void *ctx, cxm_kind kind,
                            const struct cxm__value *vals, size_t n_rows)
{
    return cxm__store_put_rows(ctx, kind, vals, n_rows);
}

static cxm_rc sink_put_supplied(void *ctx, cxm_kind kind, const char *column)
{
    return cxm__store_put_supplied(ctx, kind, column);
}

/* The end of every import: the engine's once-per-import work for each
 * kind written, inside the transaction so that it commits or rolls back
 * with the rows; commit (which recounts rollups and column segments,
 * cxm__store_commit()); then the column segment file, so that the first
 * report finds it ready. That file is a cache a report rebuilds when it
 * finds it stale, so a failure to refresh it loses nothing. */
static cxm_rc sink_end(void *ctx, unsigned kinds, bool any_rows)
{
    cxm_store *st = ctx;
    cxm_rc rc = CXM_OK;

    for (int k = 0; !rc && k < CXM_KIND_COUNT; k++) {
        if (kinds >> k & 1)
            rc = cxm__store_import_end(st, (cxm_kind)k);
    }
    if (!rc)
        rc = cxm__store_commit(st);
    if (rc) {
        cxm__store_rollback(st);
        return rc;
    }
    if (any_rows)
        cxm__store_col_refresh(st);
    return CXM_OK;
}

static void sink_rollback(void *ctx) { cxm__store_rollback(ctx); }

static void store_sink(cxm_store *st, struct cxm__sink *out)
{
    out->ctx = st;
    out->window = sink_window;
    out->begin = sink_begin;
    out->put_rows = sink_put_rows;
    out->put_supplied = sink_put_supplied;
    out->end = sink_end;
    out->rollback = sink_rollback;
}

cxm_rc cxm_import_files(cxm_store *st, cxm_kind kind,
                        const char *const *paths, size_t n_paths,
                        const struct cxm_import_opts *opts,
                        struct cxm_import_result *out)
{
    struct cxm__sink sink;

    store_sink(st, &sink);
    return cxm__import_csv(&sink, kind, paths, n_paths, opts, out);
}

cxm_rc cxm_import_helpdesk(cxm_store *st, cxm_helpdesk vendor,
                           const char *const *paths, size_t n_paths,
                           const struct cxm_import_opts *opts,
                           struct cxm_import_result *out)
{
    struct cxm__sink sink;

    store_sink(st, &sink);
    return cxm__import_hd(&sink, vendor, paths, n_paths, opts, out);
}
