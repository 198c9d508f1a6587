/* SPDX-License-Identifier: MIT
 *
 * survey_store.c — survey definitions in the store (survey.h,
 * src/store/sqlite/sql/0011-surveys.sql): every version kept as canonical JSON, the
 * current one read back through the parser. Written for the SQLite
 * engine, whose connection it uses directly; another engine answers
 * CXM_ENOTBUILT until it has its own.
 */
#include "internal.h"

#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "store_int.h"
#include "invite.h"
#include "survey_int.h"

cxm_rc cxm__survey_sq_fail(cxm_store *st)
{
    cxm__store_set_error(st, sqlite3_errmsg(cxm__sq_db(st)));
    return CXM_ESTORE;
}

cxm_rc cxm__survey_prepare(cxm_store *st, const char *sql,
                           sqlite3_stmt **out)
{
    if (st->ops != &cxm__sqlite_ops) {
        cxm__store_set_error(st, "this engine keeps no survey definitions");
        return CXM_ENOTBUILT;
    }
    if (sqlite3_prepare_v2(cxm__sq_db(st), sql, -1, out, NULL) != SQLITE_OK)
        return cxm__survey_sq_fail(st);
    sqlite3_bind_int64(*out, 1, st->workspace_id);
    return CXM_OK;
}

/* Parses the stored text of one row (definition, version, added_at in
 * columns 0, 1, 2) into *out. */
static cxm_rc from_row(cxm_store *st, sqlite3_stmt *s, cxm_survey **out)
{
    const char *text = (const char *)sqlite3_column_text(s, 0);
    struct cxm_survey_error err;
    cxm_rc rc;

    if (!text)
        return cxm__survey_sq_fail(st);
    rc = cxm_survey_parse(text, (size_t)sqlite3_column_bytes(s, 0), out,
                          &err);
    if (rc == CXM_EINPUT || rc == CXM_ETOOBIG) {
        struct cxm__buf b = CXM__BUF_INIT(1024);
        if (!cxm__buf_addf(&b, "stored survey no longer reads: %s: %s",
                           err.path, err.reason))
            cxm__store_set_error(st, b.data);
        cxm__buf_release(&b);
        return CXM_EINPUT;
    }
    if (!rc)
        cxm__survey_set_stored(*out, sqlite3_column_int(s, 1),
                               sqlite3_column_int64(s, 2));
    return rc;
}

cxm_rc cxm_survey_store(cxm_store *st, const cxm_survey *sv, int *version_out,
                        bool *added_out)
{
    sqlite3_stmt *s = NULL;
    char *text = NULL;
    size_t len = 0;
    int version = 0;
    bool same = false;
    cxm_rc rc;

    if (!st || !sv)
        return CXM_EINVAL;
    /* Canonical, without a version: the same definition gives the same
     * text whichever version it was read as. */
    rc = cxm__survey_json(sv, false, &text, &len);
    if (rc)
        return rc;
    rc = cxm__store_begin(st);
    if (rc)
        goto out;
    rc = cxm__survey_prepare(st,
                 "SELECT definition, version FROM surveys"
                 " WHERE workspace_id = ?1 AND survey_id = ?2"
                 " AND removed_at IS NULL ORDER BY version DESC LIMIT 1",
                 &s);
    if (rc)
        goto rollback;
    sqlite3_bind_text(s, 2, cxm_survey_id(sv), -1, SQLITE_STATIC);
    switch (sqlite3_step(s)) {
    case SQLITE_ROW:
        same = (size_t)sqlite3_column_bytes(s, 0) == len &&
               memcmp(sqlite3_column_text(s, 0), text, len) == 0;
        version = sqlite3_column_int(s, 1);
        break;
    case SQLITE_DONE:
        break;
    default:
        rc = cxm__survey_sq_fail(st);
        goto rollback;
    }
    sqlite3_finalize(s);
    s = NULL;
    if (!same) {
        rc = cxm__survey_prepare(st,
                     "INSERT INTO surveys (workspace_id, survey_id, version,"
                     " kind, added_at, removed_at, definition)"
                     " SELECT ?1, ?2, coalesce(max(version), 0) + 1, ?3, ?4,"
                     " NULL, ?5 FROM surveys"
                     " WHERE workspace_id = ?1 AND survey_id = ?2"
                     " RETURNING version",
                     &s);
        if (rc)
            goto rollback;
        sqlite3_bind_text(s, 2, cxm_survey_id(sv), -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, cxm_survey_kind_name(cxm_survey_kind_of(sv)),
                          -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, cxm__now_ms());
        sqlite3_bind_text(s, 5, text, (int)len, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_ROW) {
            rc = cxm__survey_sq_fail(st);
            goto rollback;
        }
        version = sqlite3_column_int(s, 0);
        if (sqlite3_step(s) != SQLITE_DONE) {
            rc = cxm__survey_sq_fail(st);
            goto rollback;
        }
        sqlite3_finalize(s);
        s = NULL;
    }
    rc = cxm__store_commit(st);
    if (rc)
        goto rollback;
    if (version_out)
        *version_out = version;
    if (added_out)
        *added_out = !same;
    goto out;
rollback:
    sqlite3_finalize(s);
    s = NULL;
    cxm__store_rollback(st);
out:
    sqlite3_finalize(s);
    cxm__free(text);
    return rc;
}

cxm_rc cxm_survey_get(cxm_store *st, const char *id, int version,
                      cxm_survey **out)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc;

    if (!st || !id || !out || version < 0)
        return CXM_EINVAL;
    rc = cxm__survey_prepare(st,
                 version > 0
                     ? "SELECT definition, version, added_at FROM surveys"
                       " WHERE workspace_id = ?1 AND survey_id = ?2"
                       " AND version = ?3"
                     : "SELECT definition, version, added_at FROM surveys"
                       " WHERE workspace_id = ?1 AND survey_id = ?2"
                       " AND removed_at IS NULL"
                       " ORDER BY version DESC LIMIT 1",
                 &s);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
    if (version > 0)
        sqlite3_bind_int(s, 3, version);
    switch (sqlite3_step(s)) {
    case SQLITE_ROW:
        rc = from_row(st, s, out);
        break;
    case SQLITE_DONE:
        rc = CXM_ENOTFOUND;
        break;
    default:
        rc = cxm__survey_sq_fail(st);
    }
    sqlite3_finalize(s);
    return rc;
}

cxm_rc cxm_survey_remove(cxm_store *st, const char *id)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc;

    if (!st || !id)
        return CXM_EINVAL;
    rc = cxm__survey_prepare(st,
                 "UPDATE surveys SET removed_at = ?3"
                 " WHERE workspace_id = ?1 AND survey_id = ?2"
                 " AND removed_at IS NULL",
                 &s);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, cxm__now_ms());
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = cxm__survey_sq_fail(st);
    else if (sqlite3_changes(cxm__sq_db(st)) == 0)
        rc = CXM_ENOTFOUND;
    sqlite3_finalize(s);
    return rc;
}

cxm_rc cxm_survey_list(cxm_store *st, cxm_survey_fn fn, void *ud)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc;
    int step = SQLITE_DONE;

    if (!st || !fn)
        return CXM_EINVAL;
    rc = cxm__survey_prepare(st,
                 "SELECT definition, version, added_at FROM surveys AS a"
                 " WHERE workspace_id = ?1 AND removed_at IS NULL"
                 " AND version = (SELECT max(version) FROM surveys AS b"
                 "  WHERE b.workspace_id = a.workspace_id"
                 "  AND b.survey_id = a.survey_id)"
                 " ORDER BY survey_id",
                 &s);
    if (rc)
        return rc;
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        cxm_survey *sv = NULL;
        rc = from_row(st, s, &sv);
        if (!rc)
            rc = fn(sv, ud);
        cxm_survey_free(sv);
    }
    if (!rc && step != SQLITE_DONE)
        rc = cxm__survey_sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}
