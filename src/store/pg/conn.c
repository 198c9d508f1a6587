/* SPDX-License-Identifier: MIT
 *
 * conn.c — the PostgreSQL engine's connection: opening a store on a
 * libpq URI, its transactions, the schema version and the advisory lock
 * migrations run under, and the helpers every file of the engine runs SQL
 * with (pg_int.h): parameterised statements in text format, a result at
 * once or row by row, and one way to fail with the server's reason.
 *
 * A connection lost between transactions is reset with backoff before
 * the next statement; one lost inside a transaction fails that
 * transaction cleanly (CXM_ESTORE): nothing half-done is ever retried.
 */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pg_int.h"

/* The advisory lock key of migrations: "cxmeter" in ASCII, as a bigint. */
#define CXM__PG_SCHEMA_LOCK INT64_C(0x63786d65746572)

cxm_rc cxm__pg_fail(cxm_store *st, const char *what)
{
    struct cxm__pg *pg = st->impl;
    const char *why = pg && pg->conn ? PQerrorMessage(pg->conn) : NULL;
    size_t n = why ? strlen(why) : 0;

    while (n && (why[n - 1] == '\n' || why[n - 1] == ' '))
        n--;
    cxm__buf_reset(&st->errmsg);
    if (cxm__buf_addf(&st->errmsg, "%s: %.*s", what ? what : "PostgreSQL",
                      n ? (int)n : 25, n ? why : "no reason given by libpq"))
        cxm__buf_reset(&st->errmsg); /* benign, as set_error */
    return CXM_ESTORE;
}

/* The result's own message (a statement's error), as cxm__pg_fail. */
static cxm_rc fail_result(cxm_store *st, const PGresult *res)
{
    const char *why = res ? PQresultErrorMessage(res) : NULL;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    /* 40P01 deadlock_detected, 40001 serialization_failure: another
     * transaction won; this one may be run again (store_int.h). */
    st->conflict = state && (strcmp(state, "40P01") == 0 ||
                             strcmp(state, "40001") == 0);
    if (!why || !*why)
        return cxm__pg_fail(st, "PostgreSQL");
    cxm__store_set_error(st, why);
    /* drop libpq's trailing newline */
    while (st->errmsg.len && (st->errmsg.data[st->errmsg.len - 1] == '\n'))
        st->errmsg.data[--st->errmsg.len] = '\0';
    return CXM_ESTORE;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* Session settings every connection runs with. A report's statements
 * are short and many; compiling them (jit) costs more than it saves: a
 * second of a three-second GROUP BY over 200,000 answers. The groups of a
 * report's push-down fit in memory where the default work_mem of 4 MB
 * spills its sort to disk (docs/performance.md). */
#define CXM__PG_SESSION                                                    \
    "SET TIME ZONE 'UTC'; SET client_min_messages = warning;"             \
    " SET jit = off; SET work_mem = '64MB'"
static cxm_rc set_session(cxm_store *st)
{
    return cxm__pg_exec(st, st->read_only
                                ? CXM__PG_SESSION
                                  "; SET default_transaction_read_only = on"
                                : CXM__PG_SESSION);
}

/* Between transactions, a connection found lost is reset: up to 6 tries,
 * 50 ms doubling to 1.6 s apart. Inside one, nothing is retried. */
static cxm_rc ensure_conn(cxm_store *st)
{
    struct cxm__pg *pg = st->impl;
    long wait = 50;

    if (PQstatus(pg->conn) == CONNECTION_OK)
        return CXM_OK;
    if (pg->in_tx)
        return cxm__pg_fail(st, "the connection to PostgreSQL was lost in "
                                "a transaction");
    for (int i = 0; i < 6; i++) {
        PQreset(pg->conn);
        if (PQstatus(pg->conn) == CONNECTION_OK)
            return set_session(st);
        sleep_ms(wait);
        wait *= 2;
    }
    return cxm__pg_fail(st, "cannot reconnect to PostgreSQL");
}

/* CXM_OPEN_READ as in SQLite (cxmeter/store.h): an existing store only
 * ("no store at …" in a database without one, which is never made), opened
 * for writing where it can be written, else read-only: on a replica (in
 * recovery) or a role or server whose transactions are read-only. */
static cxm_rc open_for_reading(cxm_store *st)
{
    int64_t state = 0;
    cxm_rc rc = cxm__pg_run(
        st,
        "SELECT CASE WHEN to_regclass('cxm_schema') IS NULL THEN 0"
        " WHEN pg_is_in_recovery()"
        " OR current_setting('default_transaction_read_only') <> 'off'"
        " THEN 1 ELSE 2 END",
        NULL, 0, &state);

    if (rc)
        return rc;
    st->read_only = state != 2;
    if (state)
        return CXM_OK;
    cxm__buf_reset(&st->errmsg);
    if (cxm__buf_addf(&st->errmsg, "no store at PostgreSQL database %s",
                      PQdb(cxm__pg_conn(st))))
        cxm__buf_reset(&st->errmsg); /* benign, as set_error */
    return CXM_ESTORE;
}

cxm_rc cxm__pg_open(cxm_store *st, const char *dsn, int mode)
{
    struct cxm__pg *pg = cxm__calloc(1, sizeof(*pg));

    if (!pg)
        return CXM_ENOMEM;
    st->impl = pg;
    st->read_only = mode == CXM_OPEN_READ;
    pg->dsn = cxm__strdup(dsn);
    if (!pg->dsn)
        return CXM_ENOMEM;
    pg->conn = PQconnectdb(dsn);
    if (!pg->conn)
        return CXM_ENOMEM;
    if (PQstatus(pg->conn) != CONNECTION_OK)
        return cxm__pg_fail(st, "cannot connect to PostgreSQL");
    if (mode == CXM_OPEN_READ && open_for_reading(st))
        return CXM_ESTORE;
    return set_session(st);
}

void cxm__pg_close(cxm_store *st)
{
    struct cxm__pg *pg = st->impl;

    if (!pg)
        return;
    if (pg->conn)
        PQfinish(pg->conn);
    cxm__free(pg->dsn);
    cxm__free(pg);
    st->impl = NULL;
}

cxm_rc cxm__pg_exec(cxm_store *st, const char *sql)
{
    PGresult *res;
    cxm_rc rc = ensure_conn(st);

    if (rc)
        return rc;
    res = PQexec(cxm__pg_conn(st), sql);
    if (!res)
        return cxm__pg_fail(st, "PostgreSQL");
    if (PQresultStatus(res) != PGRES_COMMAND_OK &&
        PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = fail_result(st, res);
    PQclear(res);
    return rc;
}

cxm_rc cxm__pg_begin(cxm_store *st)
{
    cxm_rc rc = cxm__pg_exec(st, "BEGIN");

    if (!rc)
        cxm__pg_of(st)->in_tx = true;
    return rc;
}

/* PostgreSQL gives a transaction an id at its first write (a row
 * inserted, updated, deleted or locked) and never to one that only read:
 * whether it has one is whether it wrote, whatever its statements'
 * triggers and CTEs did. Asked before COMMIT; a failed question counts
 * as a write (more, never fewer). */
cxm_rc cxm__pg_commit(cxm_store *st)
{
    struct cxm__pg *pg = cxm__pg_of(st);
    int64_t wrote = 1;
    cxm_rc rc;

    if (pg->in_tx &&
        cxm__pg_run(st, "SELECT (txid_current_if_assigned() IS NOT NULL)"
                        "::int", NULL, 0, &wrote))
        wrote = 1;
    if (pg->in_tx && wrote)
        pg->writes++;
    rc = cxm__pg_exec(st, "COMMIT");
    pg->in_tx = false;
    return rc;
}

int64_t cxm__pg_writes(cxm_store *st)
{
    return cxm__pg_of(st)->writes;
}

cxm_rc cxm__pg_rollback(cxm_store *st)
{
    struct cxm__pg *pg = st->impl;
    cxm_rc rc;

    if (!pg || !pg->in_tx)
        return CXM_OK;
    pg->in_tx = false;
    pg->staged = 0; /* the staged rows went with the transaction */
    if (PQstatus(pg->conn) != CONNECTION_OK)
        return CXM_OK; /* the server rolled it back with the connection */
    rc = cxm__pg_exec(st, "ROLLBACK");
    return rc;
}

cxm_rc cxm__pg_schema_version(cxm_store *st, int *out)
{
    int64_t exists = 0, v = 0;
    cxm_rc rc = cxm__pg_run(
        st, "SELECT count(*) FROM pg_catalog.pg_tables"
            " WHERE schemaname = current_schema() AND tablename = 'cxm_schema'",
        NULL, 0, &exists);

    if (!rc && exists)
        rc = cxm__pg_run(st, "SELECT coalesce(max(version), 0) FROM cxm_schema",
                         NULL, 0, &v);
    *out = (int)v;
    return rc;
}

cxm_rc cxm__pg_set_schema_version(cxm_store *st, int version)
{
    struct cxm__pg_arg a = CXM__PG_I(version);
    cxm_rc rc = cxm__pg_exec(st, "CREATE TABLE IF NOT EXISTS cxm_schema"
                                 " (version integer NOT NULL)");

    if (!rc)
        rc = cxm__pg_exec(st, "DELETE FROM cxm_schema");
    if (!rc)
        rc = cxm__pg_run(st, "INSERT INTO cxm_schema (version) VALUES ($1)",
                         &a, 1, NULL);
    return rc;
}

cxm_rc cxm__pg_lock_schema(cxm_store *st, bool on)
{
    struct cxm__pg *pg = st->impl;
    struct cxm__pg_arg a = CXM__PG_I(CXM__PG_SCHEMA_LOCK);
    cxm_rc rc;

    if (on == pg->schema_locked)
        return CXM_OK;
    rc = cxm__pg_run(st, on ? "SELECT pg_advisory_lock($1)"
                            : "SELECT pg_advisory_unlock($1)",
                     &a, 1, NULL);
    if (!rc)
        pg->schema_locked = on;
    return rc;
}

/* The parameters as texts: integers and reals printed into `bufs` (32
 * bytes each), texts borrowed. */
#define CXM__PG_MAX_ARGS 64
struct pg_params {
    const char *values[CXM__PG_MAX_ARGS];
    char bufs[CXM__PG_MAX_ARGS][32];
};

static cxm_rc params_of(struct pg_params *p, const struct cxm__pg_arg *args,
                        size_t n)
{
    if (n > CXM__PG_MAX_ARGS)
        return CXM_EINVAL;
    for (size_t i = 0; i < n; i++) {
        switch (args[i].type) {
        case CXM__PG_INT:
            snprintf(p->bufs[i], sizeof(p->bufs[i]), "%" PRId64, args[i].i);
            p->values[i] = p->bufs[i];
            break;
        case CXM__PG_REAL:
            snprintf(p->bufs[i], sizeof(p->bufs[i]), "%.17g", args[i].r);
            p->values[i] = p->bufs[i];
            break;
        case CXM__PG_TEXT:
            p->values[i] = args[i].text;
            break;
        }
    }
    return CXM_OK;
}

cxm_rc cxm__pg_query(cxm_store *st, const char *sql,
                     const struct cxm__pg_arg *args, size_t n_args,
                     PGresult **res_out)
{
    struct pg_params p;
    PGresult *res;
    cxm_rc rc = params_of(&p, args, n_args);

    *res_out = NULL;
    if (!rc)
        rc = ensure_conn(st);
    if (rc)
        return rc;
    res = PQexecParams(cxm__pg_conn(st), sql, (int)n_args, NULL, p.values,
                       NULL, NULL, 0);
    if (!res)
        return cxm__pg_fail(st, "PostgreSQL");
    if (PQresultStatus(res) != PGRES_COMMAND_OK &&
        PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = fail_result(st, res);
        PQclear(res);
        return rc;
    }
    *res_out = res;
    return CXM_OK;
}

cxm_rc cxm__pg_run(cxm_store *st, const char *sql,
                   const struct cxm__pg_arg *args, size_t n_args,
                   int64_t *out)
{
    PGresult *res;
    cxm_rc rc = cxm__pg_query(st, sql, args, n_args, &res);

    if (rc)
        return rc;
    if (out) {
        *out = 0;
        if (PQntuples(res) > 0 && PQnfields(res) > 0)
            cxm__pg_i64(res, 0, 0, out);
    }
    PQclear(res);
    return CXM_OK;
}

cxm_rc cxm__pg_each(cxm_store *st, const char *sql,
                    const struct cxm__pg_arg *args, size_t n_args,
                    cxm__pg_row_fn fn, void *ud)
{
    struct pg_params p;
    PGconn *conn;
    PGresult *res;
    cxm_rc rc = params_of(&p, args, n_args), fn_rc = CXM_OK;

    if (!rc)
        rc = ensure_conn(st);
    if (rc)
        return rc;
    conn = cxm__pg_conn(st);
    if (!PQsendQueryParams(conn, sql, (int)n_args, NULL, p.values, NULL,
                           NULL, 0))
        return cxm__pg_fail(st, "PostgreSQL");
    PQsetSingleRowMode(conn);
    /* Every result is read to the end, even after fn stops the scan or
     * a row fails, so the connection is ready for the next statement. */
    while ((res = PQgetResult(conn)) != NULL) {
        ExecStatusType s = PQresultStatus(res);

        if (s == PGRES_SINGLE_TUPLE) {
            if (!rc && !fn_rc)
                fn_rc = fn(res, ud);
        } else if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK && !rc) {
            rc = fail_result(st, res);
        }
        PQclear(res);
    }
    return rc ? rc : fn_rc;
}

bool cxm__pg_i64(const PGresult *res, int row, int col, int64_t *out)
{
    const char *v;
    char *end;

    if (PQgetisnull(res, row, col))
        return false;
    v = PQgetvalue(res, row, col);
    *out = strtoll(v, &end, 10);
    if (*end == '.') /* a numeric with a fraction: its integer part */
        *out = (int64_t)strtod(v, NULL);
    return true;
}

bool cxm__pg_real(const PGresult *res, int row, int col, double *out)
{
    if (PQgetisnull(res, row, col))
        return false;
    *out = strtod(PQgetvalue(res, row, col), NULL);
    return true;
}
