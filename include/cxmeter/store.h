/* SPDX-License-Identifier: MIT
 *
 * store.h — opening the store that holds every imported record.
 *
 * A DSN names the engine: a plain path (or "sqlite:PATH") is an SQLite file,
 * created and migrated on first open; "postgresql://…" is PostgreSQL (not
 * built into this version: CXM_ENOTBUILT).
 */
#ifndef CXMETER_STORE_H
#define CXMETER_STORE_H

#include "cxmeter/base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cxm_store cxm_store;

/** Opens the store named by `dsn`, creating and migrating its schema when
 *  needed, and sets *out.
 *  Returns CXM_OK; CXM_EINVAL for an empty DSN; CXM_ENOTBUILT for an engine
 *  this build lacks; CXM_ESTORE when the engine fails (the message is in
 *  *errmsg_out if not NULL: the caller frees it with cxm_free()).
 *  The caller closes the result with cxm_store_close(). */
CXM_API CXM_MUST_USE cxm_rc cxm_store_open(const char *dsn, cxm_store **out,
                                           char **errmsg_out);

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
