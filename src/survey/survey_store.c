/* SPDX-License-Identifier: MIT
 *
 * survey_store.c — survey definitions in the store (survey.h): every
 * version kept as canonical JSON, the current one read back through the
 * parser. The engine keeps the text (struct cxm__store_ops: survey_defs,
 * put_survey_def, remove_survey_def; the SQLite engine's in
 * src/store/sqlite/sql/0011-surveys.sql); an engine without them answers
 * CXM_ENOTBUILT.
 */
#include "internal.h"

#include <string.h>
#include <time.h>

#include "store_int.h"
#include "invite.h"
#include "survey_int.h"

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What from_def() reads into. */
struct read_def {
    cxm_store *st;
    cxm_survey **out; /* one definition (get), or NULL (list) */
    cxm_survey_fn fn; /* each definition (list) */
    void *ud;
};

/* Parses one stored definition and hands it over. */
static cxm_rc from_def(const char *text, size_t len, int version,
                       int64_t added_at, void *ud)
{
    struct read_def *rd = ud;
    struct cxm_survey_error err;
    cxm_survey *sv = NULL;
    cxm_rc rc = cxm_survey_parse(text, len, &sv, &err);

    if (rc == CXM_EINPUT || rc == CXM_ETOOBIG) {
        struct cxm__buf b = CXM__BUF_INIT(1024);
        if (!cxm__buf_addf(&b, "stored survey no longer reads: %s: %s",
                           err.path, err.reason))
            cxm__store_set_error(rd->st, b.data);
        cxm__buf_release(&b);
        return CXM_EINPUT;
    }
    if (rc)
        return rc;
    cxm__survey_set_stored(sv, version, added_at);
    if (rd->out) {
        *rd->out = sv;
        return CXM_OK;
    }
    rc = rd->fn(sv, rd->ud);
    cxm_survey_free(sv);
    return rc;
}

cxm_rc cxm_survey_store(cxm_store *st, const cxm_survey *sv, int *version_out,
                        bool *added_out)
{
    char *text = NULL;
    size_t len = 0;
    int version = 0;
    bool added = false;
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
    rc = cxm__store_put_survey_def(
        st, cxm_survey_id(sv), cxm_survey_kind_name(cxm_survey_kind_of(sv)),
        text, len, now_ms(), &version, &added);
    if (!rc)
        rc = cxm__store_commit(st);
    if (rc) {
        cxm__store_rollback(st);
        goto out;
    }
    if (version_out)
        *version_out = version;
    if (added_out)
        *added_out = added;
out:
    cxm__free(text);
    return rc;
}

cxm_rc cxm_survey_get(cxm_store *st, const char *id, int version,
                      cxm_survey **out)
{
    struct read_def rd = {st, out, NULL, NULL};

    if (!st || !id || !out || version < 0)
        return CXM_EINVAL;
    return cxm__store_survey_defs(st, id, version, from_def, &rd);
}

cxm_rc cxm_survey_remove(cxm_store *st, const char *id)
{
    if (!st || !id)
        return CXM_EINVAL;
    return cxm__store_remove_survey_def(st, id, now_ms());
}

cxm_rc cxm_survey_list(cxm_store *st, cxm_survey_fn fn, void *ud)
{
    struct read_def rd = {st, NULL, fn, ud};

    if (!st || !fn)
        return CXM_EINVAL;
    return cxm__store_survey_defs(st, NULL, 0, from_def, &rd);
}
