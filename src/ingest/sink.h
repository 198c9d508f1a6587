/* SPDX-License-Identifier: MIT
 *
 * sink.h — private: where an import's rows go. The import pipelines
 * (import.c for CSV files of one kind, import_helpdesk.c for helpdesk
 * exports) read, validate and report; they hand the accepted rows to a
 * sink and know nothing of what keeps them. The store room provides the
 * sink over a cxm_store (src/store/import_sink.c), which is also where the
 * public entry points cxm_import_files() and cxm_import_helpdesk() live.
 *
 * One import is: window, begin, any number of put / put_rows /
 * put_supplied, then cxm__sink_finish() (end, or rollback). Every hook is
 * called from the calling thread only.
 */
#ifndef CXM_SINK_H
#define CXM_SINK_H

#include "internal.h"

#include "cxmeter/import.h"
#include "record.h"

struct cxm__sink {
    void *ctx; /* the sink's own state, handed to every hook; NULL: no
                * sink (the import returns CXM_EINVAL) */
    /* The plausibility window of this import's timestamps, from `opts`
     * (its overrides, else the sink's settings) at the current time:
     * CXM_OK, CXM_EINVAL for a bad override, else the sink's error. */
    cxm_rc (*window)(void *ctx, const struct cxm_import_opts *opts,
                     struct cxm__window *out);
    /* Opens the import's transaction: nothing put is kept before end. */
    cxm_rc (*begin)(void *ctx);
    /* n_rows rows of `kind`, vals[0 .. n_rows × n_cols), in order (a later
     * row replaces an earlier one with the same key). Values borrowed for
     * the call. */
    cxm_rc (*put_rows)(void *ctx, cxm_kind kind,
                       const struct cxm__value *vals, size_t n_rows);
    /* The import supplied records of `kind` with the optional column
     * `column`, or the kind itself when column is "" (a report tells a
     * figure whose input was never supplied from one of zero). */
    cxm_rc (*put_supplied)(void *ctx, cxm_kind kind, const char *column);
    /* The end of a good import: what is derived once per import for the
     * kinds in `kinds` (a set of 1 << kind), commit, then the derived
     * forms brought up to date for the first report (when `any_rows`).
     * On failure nothing of the import is kept. */
    cxm_rc (*end)(void *ctx, unsigned kinds, bool any_rows);
    /* Forgets everything put since begin. */
    void (*rollback)(void *ctx);
};

/* Ends an import that began: when `rc` is CXM_OK, ends it (sink->end) and
 * returns how that went; otherwise rolls it back and returns `rc`. Either
 * way, when nothing is kept, res->n_imported is 0. The one end of every
 * import. */
CXM_MUST_USE cxm_rc cxm__sink_finish(const struct cxm__sink *sink,
                                     cxm_rc rc, unsigned kinds,
                                     struct cxm_import_result *res);

/* The import pipelines, into `sink` (the arguments and results of
 * cxm_import_files() and cxm_import_helpdesk(), cxmeter/import.h). */
CXM_MUST_USE cxm_rc cxm__import_csv(const struct cxm__sink *sink,
                                    cxm_kind kind, const char *const *paths,
                                    size_t n_paths,
                                    const struct cxm_import_opts *opts,
                                    struct cxm_import_result *out);
CXM_MUST_USE cxm_rc cxm__import_hd(const struct cxm__sink *sink,
                                   cxm_helpdesk vendor,
                                   const char *const *paths, size_t n_paths,
                                   const struct cxm_import_opts *opts,
                                   struct cxm_import_result *out);

#endif /* CXM_SINK_H */
