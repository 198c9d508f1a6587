/* SPDX-License-Identifier: MIT
 *
 * store_sqlite_survey.c — the SQLite engine's survey definitions
 * (src/store/sqlite/sql/0011-surveys.sql): every version of a definition
 * kept as the text src/survey hands over, never changed; a removal marks
 * the current version removed.
 */
#include "internal.h"

#include <string.h>

#include "sqlite_int.h"

/* Prepares `sql`, its ?1 bound to the store's workspace and ?2 to `id`. */
static cxm_rc prepare_for(cxm_store *st, const char *sql, const char *id,
                          sqlite3_stmt **out)
{
    cxm_rc rc = cxm__sq_prepare(st, sql, out);

    if (rc)
        return rc;
    sqlite3_bind_int64(*out, 1, st->workspace_id);
    if (id)
        sqlite3_bind_text(*out, 2, id, -1, SQLITE_STATIC);
    return CXM_OK;
}

cxm_rc cxm__sq_survey_defs(cxm_store *st, const char *id, int version,
                           cxm__survey_def_fn fn, void *ud)
{
    sqlite3_stmt *s = NULL;
    bool found = false;
    int step = SQLITE_DONE;
    cxm_rc rc = prepare_for(
        st,
        !id ? "SELECT definition, version, added_at FROM surveys AS a"
              " WHERE workspace_id = ?1 AND removed_at IS NULL"
              " AND version = (SELECT max(version) FROM surveys AS b"
              "  WHERE b.workspace_id = a.workspace_id"
              "  AND b.survey_id = a.survey_id)"
              " ORDER BY survey_id"
        : version > 0 ? "SELECT definition, version, added_at FROM surveys"
                        " WHERE workspace_id = ?1 AND survey_id = ?2"
                        " AND version = ?3"
                      : "SELECT definition, version, added_at FROM surveys"
                        " WHERE workspace_id = ?1 AND survey_id = ?2"
                        " AND removed_at IS NULL"
                        " ORDER BY version DESC LIMIT 1",
        id, &s);

    if (rc)
        return rc;
    if (id && version > 0)
        sqlite3_bind_int(s, 3, version);
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(s, 0);
        found = true;
        rc = text ? fn(text, (size_t)sqlite3_column_bytes(s, 0),
                       sqlite3_column_int(s, 1),
                       sqlite3_column_int64(s, 2), ud)
                  : cxm__sq_fail(st);
    }
    if (!rc && step != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    else if (!rc && id && !found)
        rc = CXM_ENOTFOUND;
    sqlite3_finalize(s);
    return rc;
}

cxm_rc cxm__sq_put_survey_def(cxm_store *st, const char *id,
                              const char *kind, const char *text, size_t len,
                              int64_t at_ms, int *version_out,
                              bool *added_out)
{
    sqlite3_stmt *s = NULL;
    bool same = false;
    cxm_rc rc = prepare_for(
        st,
        "SELECT definition, version FROM surveys"
        " WHERE workspace_id = ?1 AND survey_id = ?2"
        " AND removed_at IS NULL ORDER BY version DESC LIMIT 1",
        id, &s);

    if (rc)
        return rc;
    *version_out = 0;
    switch (sqlite3_step(s)) {
    case SQLITE_ROW:
        same = (size_t)sqlite3_column_bytes(s, 0) == len &&
               memcmp(sqlite3_column_text(s, 0), text, len) == 0;
        *version_out = sqlite3_column_int(s, 1);
        break;
    case SQLITE_DONE:
        break;
    default:
        rc = cxm__sq_fail(st);
    }
    sqlite3_finalize(s);
    s = NULL;
    *added_out = !same;
    if (rc || same)
        return rc;
    rc = prepare_for(st,
                     "INSERT INTO surveys (workspace_id, survey_id, version,"
                     " kind, added_at, removed_at, definition)"
                     " SELECT ?1, ?2, coalesce(max(version), 0) + 1, ?3, ?4,"
                     " NULL, ?5 FROM surveys"
                     " WHERE workspace_id = ?1 AND survey_id = ?2"
                     " RETURNING version",
                     id, &s);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, at_ms);
    sqlite3_bind_text(s, 5, text, (int)len, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_ROW) {
        rc = cxm__sq_fail(st);
    } else {
        *version_out = sqlite3_column_int(s, 0);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = cxm__sq_fail(st);
    }
    sqlite3_finalize(s);
    return rc;
}

cxm_rc cxm__sq_remove_survey_def(cxm_store *st, const char *id,
                                 int64_t at_ms)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = prepare_for(st,
                            "UPDATE surveys SET removed_at = ?3"
                            " WHERE workspace_id = ?1 AND survey_id = ?2"
                            " AND removed_at IS NULL",
                            id, &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 3, at_ms);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    else if (sqlite3_changes(cxm__sq_db(st)) == 0)
        rc = CXM_ENOTFOUND;
    sqlite3_finalize(s);
    return rc;
}
