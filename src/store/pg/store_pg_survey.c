/* SPDX-License-Identifier: MIT
 *
 * store_pg_survey.c — the PostgreSQL engine's survey definitions
 * (sql/0002-service.sql, surveys): every version of a definition kept as
 * the text src/survey hands over, never changed; a removal marks the
 * current version removed. As store_sqlite_survey.c.
 */
#include "internal.h"

#include <string.h>

#include "pg_service.h"

struct def_ctx {
    cxm__survey_def_fn fn;
    void *ud;
};

static cxm_rc def_row(const PGresult *res, int i, void *ctx)
{
    struct def_ctx *c = ctx;

    return c->fn(PQgetvalue(res, i, 0), (size_t)PQgetlength(res, i, 0),
                 (int)cxm__pg_int(res, i, 1), cxm__pg_int(res, i, 2), c->ud);
}

cxm_rc cxm__pg_survey_defs(cxm_store *st, const char *id, int version,
                           cxm__survey_def_fn fn, void *ud)
{
    struct def_ctx c = {fn, ud};
    struct cxm__pg_arg a[3] = {CXM__PG_WS(st), CXM__PG_T(id),
                               CXM__PG_I(version)};
    bool found = false;
    cxm_rc rc = cxm__pg_rows(
        st,
        !id ? "SELECT definition, version, added_at FROM surveys AS a"
              " WHERE workspace_id = $1 AND removed_at IS NULL"
              " AND version = (SELECT max(version) FROM surveys AS b"
              "  WHERE b.workspace_id = a.workspace_id"
              "  AND b.survey_id = a.survey_id)"
              " ORDER BY survey_id COLLATE \"C\""
        : version > 0 ? "SELECT definition, version, added_at FROM surveys"
                        " WHERE workspace_id = $1 AND survey_id = $2"
                        " AND version = $3"
                      : "SELECT definition, version, added_at FROM surveys"
                        " WHERE workspace_id = $1 AND survey_id = $2"
                        " AND removed_at IS NULL"
                        " ORDER BY version DESC LIMIT 1",
        a, !id ? 1 : version > 0 ? 3 : 2, def_row, &c, &found);

    if (!rc && id && !found)
        rc = CXM_ENOTFOUND;
    return rc;
}

cxm_rc cxm__pg_put_survey_def(cxm_store *st, const char *id,
                              const char *kind, const char *text, size_t len,
                              int64_t at_ms, int *version_out,
                              bool *added_out)
{
    struct cxm__pg_arg a[5] = {CXM__PG_WS(st), CXM__PG_T(id),
                               CXM__PG_T(kind), CXM__PG_I(at_ms),
                               CXM__PG_T(NULL)};
    char *copy = NULL;
    PGresult *res;
    int64_t v = 0;
    bool same = false;
    cxm_rc rc = cxm__pg_query(
        st,
        "SELECT definition, version FROM surveys"
        " WHERE workspace_id = $1 AND survey_id = $2"
        " AND removed_at IS NULL ORDER BY version DESC LIMIT 1",
        a, 2, &res);

    if (rc)
        return rc;
    *version_out = 0;
    if (PQntuples(res) > 0) {
        same = (size_t)PQgetlength(res, 0, 0) == len &&
               memcmp(PQgetvalue(res, 0, 0), text, len) == 0;
        *version_out = (int)cxm__pg_int(res, 0, 1);
    }
    PQclear(res);
    *added_out = !same;
    if (same)
        return CXM_OK;
    /* text[0..len) need not end in a NUL: a parameter does */
    copy = cxm__malloc(len + 1);
    if (!copy)
        return CXM_ENOMEM;
    memcpy(copy, text, len);
    copy[len] = '\0';
    a[4] = CXM__PG_T(copy);
    /* The primary key keeps two writers of one survey from taking the
     * same version: the second fails and its transaction rolls back. */
    rc = cxm__pg_run(st,
                     "INSERT INTO surveys (workspace_id, survey_id, version,"
                     " kind, added_at, removed_at, definition)"
                     " SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4,"
                     " NULL, $5 FROM surveys"
                     " WHERE workspace_id = $1 AND survey_id = $2"
                     " RETURNING version",
                     a, 5, &v);
    cxm__free(copy);
    if (!rc)
        *version_out = (int)v;
    return rc;
}

cxm_rc cxm__pg_remove_survey_def(cxm_store *st, const char *id,
                                 int64_t at_ms)
{
    struct cxm__pg_arg a[3] = {CXM__PG_WS(st), CXM__PG_T(id),
                               CXM__PG_I(at_ms)};
    int64_t n = 0;
    cxm_rc rc = cxm__pg_changes(st,
                                "UPDATE surveys SET removed_at = $3"
                                " WHERE workspace_id = $1 AND survey_id = $2"
                                " AND removed_at IS NULL",
                                a, 3, &n);

    return !rc && n == 0 ? CXM_ENOTFOUND : rc;
}
