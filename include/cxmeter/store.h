/* SPDX-License-Identifier: MIT
 *
 * store.h — opening the store that holds every imported record.
 *
 * A DSN names the engine: a plain path (or "sqlite:PATH") is an SQLite file,
 * created and migrated on first open for writing; "postgresql://…" is
 * PostgreSQL (not built into this version: CXM_ENOTBUILT).
 */
#ifndef CXMETER_STORE_H
#define CXMETER_STORE_H

#include <stdbool.h>

#include "cxmeter/base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cxm_store cxm_store;

/* How cxm_store_open_ex() opens a store (one of these). */
enum {
    /* Read and write; a store that does not exist yet is created and
     * migrated (what an import does; cxm_store_open()). */
    CXM_OPEN_CREATE = 0,
    /* An existing store only (CXM_ESTORE, "no store at PATH", when there
     * is none), for reading: opened for writing where the user may write
     * (so it can be migrated), else read-only — immutable when the store
     * has no write-ahead log — so that a store in a directory the user
     * cannot write can still be reported on (docs/store.md). */
    CXM_OPEN_READ = 1
};

/** Opens the store named by `dsn` for reading and writing, creating and
 *  migrating its schema when needed (cxm_store_open_ex() with
 *  CXM_OPEN_CREATE), and sets *out.
 *  Returns CXM_OK; CXM_EINVAL for an empty DSN; CXM_ENOTBUILT for an engine
 *  this build lacks; CXM_ESTORE when the engine fails (the message is in
 *  *errmsg_out if not NULL: the caller frees it with cxm_free()).
 *  The caller closes the result with cxm_store_close(). */
CXM_API CXM_MUST_USE cxm_rc cxm_store_open(const char *dsn, cxm_store **out,
                                           char **errmsg_out);

/** Opens the store named by `dsn` as `mode` says (CXM_OPEN_CREATE or
 *  CXM_OPEN_READ), and sets *out. Returns as cxm_store_open(); every
 *  failure to open sets *errmsg_out (when not NULL) to a whole sentence
 *  that names the store and the reason, the system's where there is one:
 *  "no store at x.db", "cannot open the store /d/x.db: Permission denied".
 *  A read-only store whose schema is older than this version's is
 *  CXM_ESTORE (it cannot be migrated). */
CXM_API CXM_MUST_USE cxm_rc cxm_store_open_ex(const char *dsn, int mode,
                                              cxm_store **out,
                                              char **errmsg_out);

/** Whether `st` was opened read-only (CXM_OPEN_READ on a store the user
 *  cannot write): every write then fails with CXM_ESTORE. */
CXM_API bool cxm_store_read_only(const cxm_store *st);

/** Closes the store and frees it. NULL-safe. */
CXM_API void cxm_store_close(cxm_store *st);

/** The last engine error message on `st`, or "" if none. Borrowed; valid
 *  until the next call on `st` or cxm_store_close(). */
CXM_API const char *cxm_store_errmsg(const cxm_store *st);

/** The schema version the store is at. */
CXM_API int cxm_store_schema_version(const cxm_store *st);

#ifdef __cplusplus
}
#endif

#endif /* CXMETER_STORE_H */
