/* SPDX-License-Identifier: MIT
 *
 * import.h — importing the record kinds of SPEC §1 from CSV files, and
 * Zendesk / Freshdesk ticket exports into the same tickets and responses.
 *
 * One call imports any number of files of one kind in one transaction: on
 * success every valid row is stored (a later row with the same key replaces
 * an earlier one), every invalid row is reported through the diagnostic
 * callback and skipped; with `strict`, any invalid row leaves the store as it
 * was. A crash or kill mid-import leaves the store as it was.
 */
#ifndef CXMETER_IMPORT_H
#define CXMETER_IMPORT_H

#include <stdbool.h>

#include "cxmeter/base.h"
#include "cxmeter/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The record kinds of SPEC §1, named as the files there. */
#define CXM_KIND_MAP(X)                                                    \
    X(TICKETS, "tickets")                                                  \
    X(RESPONSES, "responses")                                              \
    X(CUSTOMERS, "customers")                                              \
    X(ORDERS, "orders")                                                    \
    X(SELFSERVICE, "selfservice")                                          \
    X(AGENTS, "agents")                                                    \
    X(AGENT_HOURS, "agent_hours")                                          \
    X(REVIEWS, "reviews")                                                  \
    X(QA_SCORES, "qa_scores")

typedef enum cxm_kind {
#define CXM__KIND_ENUM(id, name) CXM_KIND_##id,
    CXM_KIND_MAP(CXM__KIND_ENUM)
#undef CXM__KIND_ENUM
    CXM_KIND_COUNT
} cxm_kind;

/** Sets *out to the kind called `name` (as in SPEC §1, case-insensitive).
 *  Returns CXM_OK or CXM_ENOTFOUND. */
CXM_API CXM_MUST_USE cxm_rc cxm_kind_parse(const char *name, cxm_kind *out);

/** The file name of `kind` ("tickets", …). Static; "" for a bad value. */
CXM_API const char *cxm_kind_name(cxm_kind kind);

/** One rejected row or file, as SPEC §1 asks: file, line, column, reason.
 *  All pointers are borrowed for the duration of the callback only. */
struct cxm_diag {
    const char *file;        /* path as given to the import */
    long line;               /* 1-based physical line the row starts on */
    int column;              /* 1-based column number; 0 = whole row/file */
    const char *column_name; /* header name of that column, or "" */
    const char *reason;      /* human-readable, English */
};

/** Called once for each rejected row (or unreadable file). */
typedef void (*cxm_diag_fn)(const struct cxm_diag *d, void *ud);

/** Called now and then during a long import: `bytes_done` of `bytes_total`
 *  of the current file, `rows` rows read so far over all files. */
typedef void (*cxm_progress_fn)(const char *file, uint64_t bytes_done,
                                uint64_t bytes_total, uint64_t rows,
                                void *ud);

/** Options; zero-initialise, then set `size` to sizeof(struct
 *  cxm_import_opts) so later versions can grow the struct. */
struct cxm_import_opts {
    size_t size;
    bool strict;                 /* any rejected row: store nothing */
    cxm_diag_fn on_diag;         /* may be NULL */
    cxm_progress_fn on_progress; /* may be NULL */
    void *ud;                    /* passed to both callbacks */
    /* The plausibility window of timestamps for this import only, as the
     * settings import.earliest and import.horizon_years take them
     * (config.h); NULL: the store's setting. A timestamp outside the
     * window is a rejected row (SPEC Conventions). */
    const char *earliest;
    const char *horizon_years;
};

/** What an import did. */
struct cxm_import_result {
    uint64_t n_imported; /* rows stored (replacements included) */
    uint64_t n_rejected; /* rows reported through on_diag */
};

/** Imports the CSV files `paths[0..n_paths)` of `kind` into `st`.
 *  Returns CXM_OK when the transaction committed (rows may still have been
 *  rejected: see out->n_rejected); CXM_EINPUT when `strict` and a row was
 *  rejected, or a file's header lacks a required column (nothing stored);
 *  CXM_EIO when a file cannot be read (nothing stored); CXM_ESTORE when the
 *  engine fails (nothing stored); CXM_ENOMEM; CXM_EINVAL for a bad
 *  `earliest` or `horizon_years`. `out` is filled in every case with what
 *  was read. A path "-" is standard input. */
CXM_API CXM_MUST_USE cxm_rc cxm_import_files(cxm_store *st, cxm_kind kind,
                                             const char *const *paths,
                                             size_t n_paths,
                                             const struct cxm_import_opts *opts,
                                             struct cxm_import_result *out);

/** Helpdesk exports `cxm_import_helpdesk()` reads. */
typedef enum cxm_helpdesk {
    CXM_HELPDESK_ZENDESK,  /* Zendesk Support ticket export (CSV) */
    CXM_HELPDESK_FRESHDESK /* Freshdesk ticket export (CSV) */
} cxm_helpdesk;

/** Sets *out to the helpdesk called `name` ("zendesk", "freshdesk",
 *  case-insensitive). Returns CXM_OK, CXM_ENOTFOUND, or CXM_EINVAL for a
 *  NULL argument. */
CXM_API CXM_MUST_USE cxm_rc cxm_helpdesk_parse(const char *name,
                                               cxm_helpdesk *out);

/** The name of `vendor` ("zendesk", …). Static; "" for a bad value. */
CXM_API const char *cxm_helpdesk_name(cxm_helpdesk vendor);

/** Imports the ticket exports `paths[0..n_paths)` of `vendor` into `st`
 *  as tickets and responses (SPEC §1), in one transaction, with the rules
 *  of cxm_import_files(): header names are matched trimmed and
 *  case-insensitively, a bad row is reported through `on_diag` (file, line,
 *  the vendor's column and its header name, reason) and skipped, and a
 *  later row with the same ticket id replaces the earlier one. Each row
 *  gives one ticket and, when it carries a satisfaction rating, one `csat`
 *  response whose id is "<vendor>:<ticket id>". docs/import.md lists the
 *  columns read and how their values are converted.
 *  Returns CXM_OK when the transaction committed (see out->n_rejected);
 *  CXM_EINPUT when `strict` and a row was rejected, or a file's header has
 *  no ticket id or creation time column (nothing stored); CXM_EIO when a
 *  file cannot be read (nothing stored); CXM_ESTORE; CXM_ENOMEM;
 *  CXM_EINVAL for a NULL `st` or `out` or a bad `vendor`. `out` counts
 *  vendor rows (a ticket with its response is one row) and is filled in
 *  every case but CXM_EINVAL. */
CXM_API CXM_MUST_USE cxm_rc cxm_import_helpdesk(
    cxm_store *st, cxm_helpdesk vendor, const char *const *paths,
    size_t n_paths, const struct cxm_import_opts *opts,
    struct cxm_import_result *out);

#ifdef __cplusplus
}
#endif

#endif /* CXMETER_IMPORT_H */
