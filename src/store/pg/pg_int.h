/* SPDX-License-Identifier: MIT
 *
 * pg_int.h — private to the PostgreSQL engine (src/store/pg): the
 * connection state every file of the engine shares and the helpers that
 * run SQL on it (conn.c). Nothing outside src/store/pg includes this
 * header or <libpq-fe.h>: the rest of the library reaches the engine
 * through struct cxm__store_ops (cxm__pg_ops, store_pg.c).
 *
 * Every statement is parameterised ($1, $2, …) and sent with
 * PQexecParams in text format; parameter 1 is the store's workspace
 * wherever a table is read or written (every table is keyed by
 * workspace_id first: docs/scaling.md).
 */
#ifndef CXM_PG_INT_H
#define CXM_PG_INT_H

#include <libpq-fe.h>

#include "store_int.h"

/* The engine's state, st->impl of a store it opened. */
struct cxm__pg {
    PGconn *conn;
    char *dsn;          /* owned: the conninfo, for reconnecting */
    bool in_tx;         /* a transaction of ours is open */
    bool schema_locked; /* holds the migration advisory lock */
    unsigned staged;    /* kinds (1 << cxm_kind) with rows staged for the
                           import's INSERT (store_pg_import.c) */
    int64_t writes;     /* transactions of ours that wrote, committed or
                           not (the `changes` hook) */
};

static inline struct cxm__pg *cxm__pg_of(cxm_store *st)
{
    return st->impl;
}
static inline PGconn *cxm__pg_conn(cxm_store *st)
{
    return cxm__pg_of(st)->conn;
}

/* ---- conn.c: the connection ------------------------------------------ */

#define CXM__PG_CONN_OPS                                                   \
    .migrations = cxm__embedded_pg_sql,                                    \
    .open = cxm__pg_open, .close = cxm__pg_close,                          \
    .exec_script = cxm__pg_exec,                                           \
    .schema_version = cxm__pg_schema_version,                              \
    .set_schema_version = cxm__pg_set_schema_version,                      \
    .begin = cxm__pg_begin, .commit = cxm__pg_commit,                      \
    .changes = cxm__pg_writes,                                             \
    .rollback = cxm__pg_rollback, .lock_schema = cxm__pg_lock_schema

/* From the build: sql/NNNN-name.sql, in name order (cmake/embed.cmake). */
extern const struct cxm__embedded cxm__embedded_pg_sql[];

/* Opens a connection to `dsn` (a libpq URI, postgresql://…). Reads and
 * writes are in UTC; a store opened CXM_OPEN_READ is written where it can
 * be (as SQLite's), else runs every transaction read-only: on a replica,
 * a read-only role or server, or a database with no store yet. */
cxm_rc cxm__pg_open(cxm_store *st, const char *dsn, int mode);
void cxm__pg_close(cxm_store *st);
cxm_rc cxm__pg_begin(cxm_store *st);
cxm_rc cxm__pg_commit(cxm_store *st);
/* The `changes` hook: a count that moves with every transaction of this
 * connection that wrote a row (had a transaction id at its end). */
int64_t cxm__pg_writes(cxm_store *st);
cxm_rc cxm__pg_rollback(cxm_store *st);
cxm_rc cxm__pg_schema_version(cxm_store *st, int *out);
cxm_rc cxm__pg_set_schema_version(cxm_store *st, int version);
/* Takes (on) or releases the session advisory lock that serialises
 * migrations between nodes starting together. */
cxm_rc cxm__pg_lock_schema(cxm_store *st, bool on);
/* Runs the statements of `sql`, without parameters. */
cxm_rc cxm__pg_exec(cxm_store *st, const char *sql);

/* Sets st's message to `what`: the server's or libpq's reason (never
 * empty). CXM_ESTORE. */
cxm_rc cxm__pg_fail(cxm_store *st, const char *what);

/* A bound parameter: an integer, a real, a text, or SQL NULL (a text
 * that is NULL), borrowed for the call. */
enum cxm__pg_arg_type { CXM__PG_INT, CXM__PG_REAL, CXM__PG_TEXT };
struct cxm__pg_arg {
    enum cxm__pg_arg_type type;
    int64_t i;
    double r;
    const char *text;
};
#define CXM__PG_I(v) ((struct cxm__pg_arg){CXM__PG_INT, (v), 0, NULL})
#define CXM__PG_R(v) ((struct cxm__pg_arg){CXM__PG_REAL, 0, (v), NULL})
#define CXM__PG_T(v) ((struct cxm__pg_arg){CXM__PG_TEXT, 0, 0, (v)})
/* The store's workspace, as the first parameter of most statements. */
#define CXM__PG_WS(st) CXM__PG_I((st)->workspace_id)

/* Runs `sql` with $1 … $n bound to args; when `out` is not NULL, sets it
 * to the first column of its first row as an integer (0 when there is no
 * row or it is NULL). */
cxm_rc cxm__pg_run(cxm_store *st, const char *sql,
                   const struct cxm__pg_arg *args, size_t n_args,
                   int64_t *out);
/* Runs `sql` and hands back its result (*res_out, owned: PQclear) when it
 * returned rows or succeeded. */
cxm_rc cxm__pg_query(cxm_store *st, const char *sql,
                     const struct cxm__pg_arg *args, size_t n_args,
                     PGresult **res_out);
/* Runs `sql` and calls fn once per row as the rows arrive (single-row
 * mode: a scan of millions of rows holds one at a time); fn's non-zero
 * rc stops the scan and is returned. */
typedef cxm_rc (*cxm__pg_row_fn)(const PGresult *res, void *ud);
cxm_rc cxm__pg_each(cxm_store *st, const char *sql,
                    const struct cxm__pg_arg *args, size_t n_args,
                    cxm__pg_row_fn fn, void *ud);

/* Column getters of row `row` of res: NULL / false when the value is
 * SQL NULL. */
static inline const char *cxm__pg_text(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}
bool cxm__pg_i64(const PGresult *res, int row, int col, int64_t *out);
bool cxm__pg_real(const PGresult *res, int row, int col, double *out);

#endif
