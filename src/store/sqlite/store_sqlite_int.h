/* SPDX-License-Identifier: MIT
 *
 * store_sqlite_int.h — private to the SQLite engine (src/store/sqlite/)
 * and the rooms above it that reach its connection: what its files share
 * with each other. Report code sees none of it (store_int.h).
 */
#ifndef CXM_STORE_SQLITE_INT_H
#define CXM_STORE_SQLITE_INT_H

#include "internal.h"

#include "store_int.h"

/* The SQLite engine's connection and its rollups (store_sqlite_rollup.c). */
struct sqlite3;
struct sqlite3 *cxm__sq_db(cxm_store *st);
cxm_rc cxm__sq_rollup_flush(cxm_store *st);
/* Defines cxm_hist_sum(hist), the aggregate that sums rollup histograms,
 * and cxm_hist_add(a, b), which adds two (store_sqlite_rollup.c), on a
 * new connection, before migrations. */
cxm_rc cxm__sq_rollup_register(struct sqlite3 *db);
cxm_rc cxm__sq_exec_plain(cxm_store *st, const char *sql);
/* Sets st's message to the connection's last error, with the system's
 * reason when the failure was the system's; CXM_ESTORE. */
cxm_rc cxm__sq_fail(cxm_store *st);
/* max(rowid) of responses and tickets when the open write transaction
 * began; false when not known (store_sqlite.c). */
bool cxm__sq_marks(cxm_store *st, int64_t *responses, int64_t *tickets);
/* The kinds put since BEGIN, as a set of 1 << kind. */
unsigned cxm__sq_kinds_written(cxm_store *st);
cxm_rc cxm__sq_rollup_cube(cxm_store *st, int grain, unsigned dims,
                           int *cube);
cxm_rc cxm__sq_responses_between(cxm_store *st, int64_t from, int64_t to,
                                 bool *any);
cxm_rc cxm__sq_scan_rollup(cxm_store *st, int grain, int cube,
                           int64_t from_t, int64_t to_t, cxm__rollup_fn fn,
                           void *ud);
cxm_rc cxm__sq_rollups_clean(cxm_store *st, bool *clean);
cxm_rc cxm__sq_rollup_cells(cxm_store *st, int grain, int cube,
                            int64_t from_t, int64_t to_t, int64_t limit,
                            int64_t *cells);
cxm_rc cxm__sq_segment_answers(cxm_store *st, int64_t from_t, int64_t to_t,
                               int64_t *answers);
cxm_rc cxm__sq_col_dict(cxm_store *st, cxm__coldict_fn fn, void *ud);
cxm_rc cxm__sq_col_segments(cxm_store *st, int64_t from_t, int64_t to_t,
                            cxm__colseg_fn fn, void *ud);
cxm_rc cxm__sq_col_file_refresh(cxm_store *st);

/* The image of the column segment file a report reads
 * (store_sqlite_colfile.c): the file mapped read-only, or built in memory
 * (mapped false) when the file is stale or cannot be used. Owned by the
 * engine's connection state. */
struct cxm__sq_colimage {
    const uint8_t *base; /* owned: munmap or cxm__free, by `mapped` */
    size_t len;
    bool mapped;
};
struct cxm__sq_colimage *cxm__sq_colimage(cxm_store *st);
void cxm__sq_colimage_release(struct cxm__sq_colimage *im);

#endif /* CXM_STORE_SQLITE_INT_H */
