/* SPDX-License-Identifier: MIT
 *
 * store_pg_import.c — the PostgreSQL engine's rows in: one row (put, the
 * survey service's answers) as one INSERT … ON CONFLICT, an import's
 * rows (put_rows) by COPY into a staging table of their kind, stored at
 * the import's end (import_end) with one INSERT … SELECT … ON CONFLICT
 * in the import's transaction (pg_rows.h).
 *
 * Both keep SQLite's INSERT OR REPLACE: a row whose key is stored
 * replaces it whole, and of the rows of one import with the same key the
 * last one wins (the staging table numbers the rows as they come).
 */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pg_rows.h"
#include "record.h"

/* Each kind's table, its columns after workspace_id in the order of its
 * values (record.c; a scale binds two: scale_min, scale_max) and its key
 * after workspace_id. */
static const struct pg_kind {
    const char *table;
    const char *const cols[18];
    size_t n_key;
} kinds[CXM_KIND_COUNT] = {
    [CXM_KIND_TICKETS] = {"tickets",
                          {"ticket_id", "created_at", "customer_id",
                           "agent_id", "team", "channel",
                           "first_response_at", "resolved_at", "status",
                           "contacts", "reopened", "escalated", "complaint",
                           "topic", "replies", "tags"},
                          1},
    [CXM_KIND_RESPONSES] = {"responses",
                            {"response_id", "survey", "responded_at",
                             "question", "score", "scale_min", "scale_max",
                             "comment", "ticket_id", "customer_id",
                             "agent_id", "team", "channel", "language"},
                            1},
    [CXM_KIND_CUSTOMERS] = {"customers",
                            {"customer_id", "acquired_at", "churned_at",
                             "segment", "country", "email", "phone",
                             "language"},
                            1},
    [CXM_KIND_ORDERS] = {"orders",
                         {"order_id", "customer_id", "ordered_at", "amount",
                          "currency"},
                         1},
    [CXM_KIND_SELFSERVICE] = {"selfservice",
                              {"session_id", "started_at", "customer_id",
                               "kind", "resolved", "topic"},
                              1},
    [CXM_KIND_AGENTS] = {"agents",
                         {"agent_id", "team", "hired_at", "left_at"},
                         1},
    [CXM_KIND_AGENT_HOURS] = {"agent_hours", {"agent_id", "date", "hours"},
                              2},
    [CXM_KIND_REVIEWS] = {"reviews",
                          {"review_id", "posted_at", "rating", "source",
                           "scale_max", "text", "language"},
                          1},
    [CXM_KIND_QA_SCORES] = {"qa_scores",
                            {"ticket_id", "reviewer", "score", "max_score",
                             "reviewed_at"},
                            2},
};

/* "workspace_id, c1, c2, …" with each column prefixed by `prefix`. */
static cxm_rc add_cols(struct cxm__buf *b, const struct pg_kind *k,
                       const char *prefix)
{
    cxm_rc rc = cxm__buf_addf(b, "%sworkspace_id", prefix);

    for (size_t j = 0; !rc && k->cols[j]; j++)
        rc = cxm__buf_addf(b, ", %s%s", prefix, k->cols[j]);
    return rc;
}

/* " ON CONFLICT (workspace_id, key…) DO UPDATE SET c = EXCLUDED.c, …":
 * the stored row replaced whole. */
static cxm_rc add_upsert(struct cxm__buf *b, const struct pg_kind *k)
{
    cxm_rc rc = cxm__buf_adds(b, " ON CONFLICT (workspace_id");
    size_t j;

    for (j = 0; !rc && j < k->n_key; j++)
        rc = cxm__buf_addf(b, ", %s", k->cols[j]);
    if (!rc)
        rc = cxm__buf_adds(b, ") DO UPDATE SET ");
    for (j = k->n_key; !rc && k->cols[j]; j++)
        rc = cxm__buf_addf(b, "%s%s = EXCLUDED.%s", j > k->n_key ? ", " : "",
                           k->cols[j], k->cols[j]);
    return rc;
}

/* The name of the staging table of kind k. */
static cxm_rc add_stage(struct cxm__buf *b, const struct pg_kind *k)
{
    return cxm__buf_addf(b, "cxm_stage_%s", k->table);
}

/* ---- One row --------------------------------------------------------- */

/* The value v as the server reads it in text: appended to b with its NUL
 * (offsets[*n] where it starts), or NULL (offset SIZE_MAX). */
static cxm_rc add_param(struct cxm__buf *b, size_t *offsets, size_t *n,
                        int vtype, int64_t i, double d, const char *s,
                        size_t len)
{
    cxm_rc rc;

    offsets[(*n)++] = vtype == CXM__V_NULL ? SIZE_MAX : b->len;
    switch (vtype) {
    case CXM__V_NULL:
        return CXM_OK;
    case CXM__V_INT:
        rc = cxm__buf_addf(b, "%" PRId64, i);
        break;
    case CXM__V_REAL:
        rc = cxm__buf_addf(b, "%.17g", d);
        break;
    default:
        rc = cxm__buf_add(b, s, len);
        break;
    }
    return rc ? rc : cxm__buf_addc(b, '\0');
}

cxm_rc cxm__pg_put(cxm_store *st, cxm_kind kind,
                   const struct cxm__value *vals)
{
    const struct cxm__kindspec *ks = cxm__kind_spec(kind);
    const struct pg_kind *k = &kinds[kind];
    struct cxm__pg_arg args[20];
    size_t offsets[20], n = 0;
    struct cxm__buf sql = CXM__BUF_INIT(1u << 16);
    struct cxm__buf text = CXM__BUF_INIT(1u << 30);
    cxm_rc rc = cxm__pg_staged_in(st); /* a staged row comes before it */

    if (!rc)
        rc = add_param(&text, offsets, &n, CXM__V_INT, st->workspace_id, 0,
                       NULL, 0);
    for (size_t j = 0; !rc && j < ks->n_cols; j++) {
        const struct cxm__value *v = &vals[j];
        if (ks->cols[j].type == CXM__COL_SCALE) {
            bool null = v->type == CXM__V_NULL;
            rc = add_param(&text, offsets, &n,
                           null ? CXM__V_NULL : CXM__V_INT, v->i, 0, NULL,
                           0);
            if (!rc)
                rc = add_param(&text, offsets, &n,
                               null ? CXM__V_NULL : CXM__V_INT, v->i2, 0,
                               NULL, 0);
        } else {
            rc = add_param(&text, offsets, &n, v->type, v->i, v->d, v->s,
                           v->len);
        }
    }
    if (!rc)
        rc = cxm__buf_addf(&sql, "INSERT INTO %s (", k->table);
    if (!rc)
        rc = add_cols(&sql, k, "");
    if (!rc)
        rc = cxm__buf_adds(&sql, ") VALUES (");
    for (size_t j = 0; !rc && j < n; j++)
        rc = cxm__buf_addf(&sql, "%s$%zu", j ? ", " : "", j + 1);
    if (!rc)
        rc = cxm__buf_addc(&sql, ')');
    if (!rc)
        rc = add_upsert(&sql, k);
    if (!rc) {
        for (size_t j = 0; j < n; j++)
            args[j] = CXM__PG_T(offsets[j] == SIZE_MAX
                                    ? NULL
                                    : text.data + offsets[j]);
        rc = cxm__pg_run(st, sql.data, args, n, NULL);
    }
    cxm__buf_release(&sql);
    cxm__buf_release(&text);
    return rc;
}

/* ---- An import: COPY, then one INSERT ------------------------------- */

/* Appends s[0..len) as a value of COPY's text format. */
static cxm_rc add_copy_text(struct cxm__buf *b, const char *s, size_t len)
{
    size_t from = 0;
    cxm_rc rc = CXM_OK;

    for (size_t i = 0; !rc && i < len; i++) {
        const char *esc = s[i] == '\\'   ? "\\\\"
                          : s[i] == '\t' ? "\\t"
                          : s[i] == '\n' ? "\\n"
                          : s[i] == '\r' ? "\\r"
                                         : NULL;
        if (!esc)
            continue;
        rc = cxm__buf_add(b, s + from, i - from);
        if (!rc)
            rc = cxm__buf_adds(b, esc);
        from = i + 1;
    }
    return rc ? rc : cxm__buf_add(b, s + from, len - from);
}

static cxm_rc add_copy_value(struct cxm__buf *b, const struct cxm__value *v)
{
    switch (v->type) {
    case CXM__V_NULL:
        return cxm__buf_adds(b, "\\N");
    case CXM__V_INT:
        return cxm__buf_addf(b, "%" PRId64, v->i);
    case CXM__V_REAL:
        return cxm__buf_addf(b, "%.17g", v->d);
    default:
        return add_copy_text(b, v->s, v->len);
    }
}

/* The rows as COPY's text format: one line a row, tab between values. */
static cxm_rc copy_lines(cxm_store *st, const struct cxm__kindspec *ks,
                         const struct cxm__value *vals, size_t n_rows,
                         struct cxm__buf *b)
{
    cxm_rc rc = CXM_OK;

    for (size_t r = 0; !rc && r < n_rows; r++) {
        const struct cxm__value *row = vals + r * ks->n_cols;
        rc = cxm__buf_addf(b, "%" PRId64, st->workspace_id);
        for (size_t j = 0; !rc && j < ks->n_cols; j++) {
            const struct cxm__value *v = &row[j];
            rc = cxm__buf_addc(b, '\t');
            if (rc)
                break;
            if (ks->cols[j].type != CXM__COL_SCALE)
                rc = add_copy_value(b, v);
            else if (v->type == CXM__V_NULL)
                rc = cxm__buf_adds(b, "\\N\t\\N");
            else
                rc = cxm__buf_addf(b, "%" PRId64 "\t%" PRId64, v->i, v->i2);
        }
        if (!rc)
            rc = cxm__buf_addc(b, '\n');
    }
    return rc;
}

/* Runs `sql` (a COPY … FROM STDIN) and sends data[0..len). */
static cxm_rc copy_in(cxm_store *st, const char *sql, const char *data,
                      size_t len)
{
    PGconn *conn = cxm__pg_conn(st);
    PGresult *res = PQexec(conn, sql);
    cxm_rc rc = CXM_OK;
    const size_t chunk = 1u << 20;

    if (!res || PQresultStatus(res) != PGRES_COPY_IN) {
        if (res && PQresultErrorMessage(res)[0])
            cxm__store_set_error(st, PQresultErrorMessage(res));
        else
            cxm__pg_fail(st, "PostgreSQL COPY");
        PQclear(res);
        return CXM_ESTORE;
    }
    PQclear(res);
    for (size_t off = 0; off < len && !rc; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        if (PQputCopyData(conn, data + off, (int)n) != 1)
            rc = cxm__pg_fail(st, "PostgreSQL COPY");
    }
    if (PQputCopyEnd(conn, rc ? "cxmeter stopped the copy" : NULL) != 1 &&
        !rc)
        rc = cxm__pg_fail(st, "PostgreSQL COPY");
    while ((res = PQgetResult(conn)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && !rc) {
            cxm__store_set_error(st, PQresultErrorMessage(res));
            rc = CXM_ESTORE;
        }
        PQclear(res);
    }
    /* drop the server's trailing newline */
    while (rc && st->errmsg.len &&
           st->errmsg.data[st->errmsg.len - 1] == '\n')
        st->errmsg.data[--st->errmsg.len] = '\0';
    return rc;
}

/* Makes the staging table of kind k: the kind's columns and `seq`, the
 * order the rows came in; emptied by every commit (and every flush). */
static cxm_rc make_stage(cxm_store *st, const struct pg_kind *k)
{
    struct cxm__buf sql = CXM__BUF_INIT(1u << 12);
    cxm_rc rc = cxm__buf_adds(&sql, "CREATE TEMP TABLE IF NOT EXISTS ");

    if (!rc)
        rc = add_stage(&sql, k);
    if (!rc)
        rc = cxm__buf_addf(&sql,
                           " (LIKE %s, seq bigint GENERATED ALWAYS AS"
                           " IDENTITY) ON COMMIT DELETE ROWS",
                           k->table);
    if (!rc)
        rc = cxm__pg_exec(st, sql.data);
    cxm__buf_release(&sql);
    return rc;
}

cxm_rc cxm__pg_put_rows(cxm_store *st, cxm_kind kind,
                        const struct cxm__value *vals, size_t n_rows)
{
    const struct pg_kind *k = &kinds[kind];
    struct cxm__buf sql = CXM__BUF_INIT(1u << 12);
    struct cxm__buf data = CXM__BUF_INIT((size_t)1 << 34);
    cxm_rc rc;

    if (n_rows == 0)
        return CXM_OK;
    rc = make_stage(st, k);
    if (!rc)
        rc = cxm__buf_adds(&sql, "COPY ");
    if (!rc)
        rc = add_stage(&sql, k);
    if (!rc)
        rc = cxm__buf_adds(&sql, " (");
    if (!rc)
        rc = add_cols(&sql, k, "");
    if (!rc)
        rc = cxm__buf_adds(&sql, ") FROM STDIN");
    if (!rc)
        rc = copy_lines(st, cxm__kind_spec(kind), vals, n_rows, &data);
    if (!rc)
        rc = copy_in(st, sql.data, data.data, data.len);
    if (!rc)
        cxm__pg_of(st)->staged |= 1u << kind;
    cxm__buf_release(&sql);
    cxm__buf_release(&data);
    return rc;
}

/* Stores the staged rows of `kind`, the last of each key, and empties its
 * staging table. */
static cxm_rc flush_kind(cxm_store *st, cxm_kind kind)
{
    const struct pg_kind *k = &kinds[kind];
    struct cxm__buf sql = CXM__BUF_INIT(1u << 14);
    cxm_rc rc = make_stage(st, k); /* gone with a rolled-back import */

    if (!rc)
        rc = cxm__buf_addf(&sql, "INSERT INTO %s (", k->table);
    if (!rc)
        rc = add_cols(&sql, k, "");
    if (!rc)
        rc = cxm__buf_adds(&sql, ") SELECT DISTINCT ON (workspace_id");
    for (size_t j = 0; !rc && j < k->n_key; j++)
        rc = cxm__buf_addf(&sql, ", %s", k->cols[j]);
    if (!rc)
        rc = cxm__buf_adds(&sql, ") ");
    if (!rc)
        rc = add_cols(&sql, k, "");
    if (!rc)
        rc = cxm__buf_adds(&sql, " FROM ");
    if (!rc)
        rc = add_stage(&sql, k);
    if (!rc)
        rc = cxm__buf_adds(&sql, " ORDER BY workspace_id");
    for (size_t j = 0; !rc && j < k->n_key; j++)
        rc = cxm__buf_addf(&sql, ", %s", k->cols[j]);
    if (!rc)
        rc = cxm__buf_adds(&sql, ", seq DESC");
    if (!rc)
        rc = add_upsert(&sql, k);
    if (!rc)
        rc = cxm__pg_exec(st, sql.data);
    if (!rc) {
        cxm__buf_reset(&sql);
        rc = cxm__buf_adds(&sql, "TRUNCATE ");
        if (!rc)
            rc = add_stage(&sql, k);
        if (!rc)
            rc = cxm__pg_exec(st, sql.data);
    }
    if (!rc)
        cxm__pg_of(st)->staged &= ~(1u << kind);
    cxm__buf_release(&sql);
    return rc;
}

cxm_rc cxm__pg_import_end(cxm_store *st, cxm_kind kind)
{
    if (!(cxm__pg_of(st)->staged & 1u << kind))
        return CXM_OK;
    return flush_kind(st, kind);
}

cxm_rc cxm__pg_flush(cxm_store *st)
{
    cxm_rc rc = CXM_OK;

    for (int k = 0; !rc && k < CXM_KIND_COUNT; k++) {
        if (cxm__pg_of(st)->staged & 1u << k)
            rc = flush_kind(st, (cxm_kind)k);
    }
    return rc;
}
