/* SPDX-License-Identifier: MIT
 *
 * store.c — opening a store: the DSN picks the engine (SPEC §4), the
 * embedded migrations bring its schema up to date, one transaction per
 * migration; everything else is dispatched to the engine's table.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "store_int.h"


void cxm__store_set_error(cxm_store *st, const char *msg)
{
    cxm__buf_reset(&st->errmsg);
    if (cxm__buf_adds(&st->errmsg, msg ? msg : "unknown error"))
        return; /* benign: the message is lost, the rc still says it */
}

void cxm__store_note(cxm_store *st, const char *fmt, ...)
{
    struct cxm__buf line = CXM__BUF_INIT(4096);
    va_list ap;
    cxm_rc rc;

    va_start(ap, fmt);
    rc = cxm__buf_vaddf(&line, fmt, ap);
    va_end(ap);
    if (!rc && !cxm__buf_addc(&line, '\n') &&
        !(st->notes.data && strstr(st->notes.data, line.data)))
        rc = cxm__buf_add(&st->notes, line.data, line.len);
    (void)rc; /* benign: the note is lost, the figures are not */
    cxm__buf_release(&line);
}

cxm_rc cxm__store_take_notes(cxm_store *st,
                             cxm_rc (*fn)(const char *note, void *ud),
                             void *ud)
{
    cxm_rc rc = CXM_OK;
    char *p = st->notes.data;

    while (p && *p && !rc) {
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0';
        rc = fn(p, ud);
        p = nl + 1;
    }
    cxm__buf_reset(&st->notes);
    return rc;
}

/* The migration number of "NNNN-name.sql", or -1. */
static int migration_number(const char *name)
{
    int64_t n;

    if (strlen(name) < 5 || name[4] != '-' ||
        cxm__parse_i64(name, 4, &n))
        return -1;
    return (int)n;
}

/* The number of the engine's last migration (0: none). */
static int migrations_wanted(const struct cxm__embedded *m)
{
    int want = 0;

    for (; m && m->name; m++)
        want = migration_number(m->name);
    return want;
}

static cxm_rc migrate_locked(cxm_store *st, int have)
{
    cxm_rc rc;

    for (const struct cxm__embedded *m = st->ops->migrations; m && m->name;
         m++) {
        int num = migration_number(m->name);
        if (num <= have)
            continue;
        rc = st->ops->begin(st);
        if (rc)
            return rc;
        rc = st->ops->exec_script(st, m->text);
        if (!rc)
            rc = st->ops->set_schema_version(st, num);
        /* The last one brings the derived forms up to date before it
         * commits (0019: a store of tickets counts its ticket cells once,
         * at its upgrade, rather than reading rows until its next import). */
        if (!rc)
            rc = !m[1].name ? cxm__store_commit(st) : st->ops->commit(st);
        if (rc) {
            st->ops->rollback(st);
            return rc;
        }
        have = num;
    }
    st->schema_version = have;
    return CXM_OK;
}

static cxm_rc migrate(cxm_store *st, const char *dsn)
{
    int have = 0, want = migrations_wanted(st->ops->migrations);
    cxm_rc rc = st->ops->schema_version(st, &have);

    if (rc)
        return rc;
    if (st->read_only) {
        if (have < want) {
            cxm__buf_reset(&st->errmsg);
            if (cxm__buf_addf(&st->errmsg,
                              "the store %s is at schema version %d, this "
                              "cxmeter needs %d, and a store it cannot "
                              "write cannot be upgraded (run any import on "
                              "it where it can be written)",
                              dsn, have, want))
                cxm__buf_reset(&st->errmsg); /* benign, as set_error */
            return CXM_ESTORE;
        }
        st->schema_version = have;
        return CXM_OK;
    }
    if (have >= want) {
        st->schema_version = have;
        return CXM_OK;
    }
    if (!st->ops->lock_schema)
        return migrate_locked(st, have);
    /* Another process may have migrated while this one waited: read the
     * version again under the lock. */
    rc = st->ops->lock_schema(st, true);
    if (!rc)
        rc = st->ops->schema_version(st, &have);
    if (!rc)
        rc = migrate_locked(st, have);
    if (st->ops->lock_schema(st, false) && !rc)
        rc = CXM_ESTORE;
    return rc;
}

cxm_rc cxm_store_open(const char *dsn, cxm_store **out, char **errmsg_out)
{
    return cxm_store_open_ex(dsn, CXM_OPEN_CREATE, out, errmsg_out);
}

cxm_rc cxm_store_open_ex(const char *dsn, int mode, cxm_store **out,
                         char **errmsg_out)
{
    const struct cxm__store_ops *ops = &cxm__sqlite_ops;
    cxm_store *st;
    cxm_rc rc;

    if (errmsg_out)
        *errmsg_out = NULL;
    if (!dsn || !*dsn || !out ||
        (mode != CXM_OPEN_CREATE && mode != CXM_OPEN_READ))
        return CXM_EINVAL;
    if (strncmp(dsn, "postgresql://", 13) == 0 ||
        strncmp(dsn, "postgres://", 11) == 0) {
#ifdef CXM_WITH_PG
        ops = &cxm__pg_ops;
#else
        if (errmsg_out)
            *errmsg_out = cxm__strdup("this build has no PostgreSQL engine");
        return CXM_ENOTBUILT;
#endif
    } else if (strncmp(dsn, "sqlite:", 7) == 0)
        dsn += 7;
#ifdef CXM_ROWTEST_ENGINE
    if (strncmp(dsn, "rowtest:", 8) == 0) {
        dsn += 8;
        ops = &cxm__rowtest_ops;
    }
#endif
    if (!*dsn)
        return CXM_EINVAL;
    st = cxm__calloc(1, sizeof(*st));
    if (!st)
        return CXM_ENOMEM;
    st->errmsg.cap = 4096;
    st->notes.cap = 16384;
    st->workspace_id = 1;
    st->ops = ops;
    rc = st->ops->open(st, dsn, mode);
    if (!rc) {
        rc = migrate(st, dsn);
        if (rc && !st->read_only) {
            /* The engine's message, with the store it is about. */
            char *why = cxm__buf_take(&st->errmsg, NULL);

            if (cxm__buf_addf(&st->errmsg, "cannot upgrade the store %s: %s",
                              dsn, why && *why ? why : cxm_strerror(rc)))
                cxm__buf_reset(&st->errmsg); /* benign, as set_error */
            cxm__free(why);
        }
    }
    if (rc) {
        if (errmsg_out)
            *errmsg_out = cxm__strdup(st->errmsg.data && *st->errmsg.data
                                          ? st->errmsg.data
                                          : cxm_strerror(rc));
        cxm_store_close(st);
        return rc;
    }
    *out = st;
    return CXM_OK;
}

void cxm_store_close(cxm_store *st)
{
    if (!st)
        return;
    if (st->ops)
        st->ops->close(st);
    cxm__buf_release(&st->errmsg);
    cxm__buf_release(&st->notes);
    cxm__free(st);
}

const char *cxm_store_errmsg(const cxm_store *st)
{
    return st && st->errmsg.data ? st->errmsg.data : "";
}

bool cxm_store_read_only(const cxm_store *st)
{
    return st && st->read_only;
}

int cxm_store_schema_version(const cxm_store *st)
{
    return st->schema_version;
}

cxm_rc cxm__store_begin(cxm_store *st) { return st->ops->begin(st); }

/* Every write transaction brings the rollups up to date before it commits,
 * so rows and rollups are durable together (src/store/sqlite/sql/0004-rollups.sql). */
cxm_rc cxm__store_commit(cxm_store *st)
{
    cxm_rc rc = st->ops->rollup_flush ? st->ops->rollup_flush(st) : CXM_OK;

    return rc ? rc : st->ops->commit(st);
}

void cxm__store_rollback(cxm_store *st) { (void)st->ops->rollback(st); }

cxm_rc cxm__store_import_end(cxm_store *st, cxm_kind kind)
{
    return st->ops->import_end ? st->ops->import_end(st, kind) : CXM_OK;
}

cxm_rc cxm__store_put(cxm_store *st, cxm_kind kind,
                      const struct cxm__value *vals)
{
    return st->ops->put(st, kind, vals);
}

cxm_rc cxm__store_records_bound(cxm_store *st, cxm_kind kind, int64_t *out)
{
    if (!st->ops->records_bound) {
        *out = INT64_MAX;
        return CXM_OK;
    }
    return st->ops->records_bound(st, kind, out);
}

cxm_rc cxm__store_put_rows(cxm_store *st, cxm_kind kind,
                           const struct cxm__value *vals, size_t n_rows)
{
    const size_t n_cols = cxm__kind_spec(kind)->n_cols;

    if (st->ops->put_rows)
        return st->ops->put_rows(st, kind, vals, n_rows);
    for (size_t r = 0; r < n_rows; r++) {
        cxm_rc rc = st->ops->put(st, kind, vals + r * n_cols);
        if (rc)
            return rc;
    }
    return CXM_OK;
}

cxm_rc cxm__store_put_supplied(cxm_store *st, cxm_kind kind,
                              const char *column)
{
    return st->ops->put_supplied(st, kind, column);
}

cxm_rc cxm__store_time_range(cxm_store *st, bool *found, int64_t *min,
                             int64_t *max)
{
    return st->ops->time_range(st, found, min, max);
}

cxm_rc cxm__store_scan_tickets(cxm_store *st, cxm__ticket_fn fn, void *ud)
{
    return st->ops->scan_tickets(st, fn, ud);
}

cxm_rc cxm__store_scan_responses(cxm_store *st, int64_t from, int64_t to,
                                 cxm__response_fn fn, void *ud)
{
    return st->ops->scan_responses(st, from, to, fn, ud);
}

cxm_rc cxm__store_query(cxm_store *st, enum cxm__query id, cxm__row_fn fn,
                        void *ud)
{
    return st->ops->query(st, id, INT64_MIN, INT64_MAX, NULL, fn, ud);
}

cxm_rc cxm__store_query_span(cxm_store *st, enum cxm__query id,
                             int64_t from, int64_t to, cxm__row_fn fn,
                             void *ud)
{
    return st->ops->query(st, id, from, to, NULL, fn, ud);
}

cxm_rc cxm__store_query_agent(cxm_store *st, enum cxm__query id,
                              int64_t from, int64_t to, const char *agent,
                              cxm__row_fn fn, void *ud)
{
    return st->ops->query(st, id, from, to, agent, fn, ud);
}

cxm_rc cxm__store_remove_benchmarks(cxm_store *st, const char *metric,
                                   const char *label, int64_t *removed)
{
    return st->ops->remove_benchmarks(st, metric, label, removed);
}

cxm_rc cxm__store_put_benchmark(cxm_store *st, const char *metric,
                                const char *label, double value,
                                int64_t at_ms)
{
    return st->ops->put_benchmark(st, metric, label, value, at_ms);
}

cxm_rc cxm__store_answer_groups(cxm_store *st,
                                const struct cxm__answer_query *q,
                                cxm__answer_group_fn fn, void *ud,
                                struct cxm__answer_how *how)
{
    how->path = CXM__PATH_ROWS;
    how->detail = NULL;
    if (st->ops->answer_groups)
        return st->ops->answer_groups(st, q, fn, ud, how);
    return cxm__answer_rows(st, q, fn, ud);
}

cxm_rc cxm__store_ticket_groups(cxm_store *st,
                                const struct cxm__ticket_query *q,
                                cxm__ticket_group_fn fn, void *ud,
                                bool *served, const char **detail)
{
    *served = false;
    *detail = NULL;
    if (!st->ops->ticket_groups)
        return CXM_OK;
    return st->ops->ticket_groups(st, q, fn, ud, served, detail);
}

cxm_rc cxm__store_qa_groups(cxm_store *st, const struct cxm__ticket_query *q,
                            cxm__qa_group_fn fn, void *ud, bool *served,
                            const char **detail)
{
    *served = false;
    *detail = NULL;
    if (!st->ops->qa_groups)
        return CXM_OK;
    return st->ops->qa_groups(st, q, fn, ud, served, detail);
}

cxm_rc cxm__store_session_groups(cxm_store *st,
                                 const struct cxm__ticket_query *q,
                                 cxm__ticket_group_fn fn, void *ud,
                                 bool *served)
{
    *served = false;
    if (!st->ops->session_groups)
        return CXM_OK;
    return st->ops->session_groups(st, q, fn, ud, served);
}

cxm_rc cxm__store_col_refresh(cxm_store *st)
{
    return st->ops->col_refresh ? st->ops->col_refresh(st) : CXM_OK;
}

/* The survey hooks, for an engine without them. */
static cxm_rc no_surveys(cxm_store *st)
{
    cxm__store_set_error(st, "this engine keeps no survey definitions");
    return CXM_ENOTBUILT;
}

cxm_rc cxm__store_survey_defs(cxm_store *st, const char *id, int version,
                              cxm__survey_def_fn fn, void *ud)
{
    return st->ops->survey_defs ? st->ops->survey_defs(st, id, version, fn, ud)
                                : no_surveys(st);
}

cxm_rc cxm__store_put_survey_def(cxm_store *st, const char *id,
                                 const char *kind, const char *text,
                                 size_t len, int64_t at_ms, int *version_out,
                                 bool *added_out)
{
    return st->ops->put_survey_def
               ? st->ops->put_survey_def(st, id, kind, text, len, at_ms,
                                         version_out, added_out)
               : no_surveys(st);
}

cxm_rc cxm__store_remove_survey_def(cxm_store *st, const char *id,
                                    int64_t at_ms)
{
    return st->ops->remove_survey_def
               ? st->ops->remove_survey_def(st, id, at_ms)
               : no_surveys(st);
}

cxm_rc cxm__store_sends(cxm_store *st)
{
    if (st->ops->outbox_put)
        return CXM_OK;
    cxm__store_set_error(st, "this engine keeps no outbox");
    return CXM_ENOTBUILT;
}

cxm_rc cxm__store_invitations(cxm_store *st)
{
    if (st->ops->put_invitation)
        return CXM_OK;
    cxm__store_set_error(st, "this engine keeps no invitations");
    return CXM_ENOTBUILT;
}

cxm_rc cxm__store_savepoint(cxm_store *st, enum cxm__savepoint op)
{
    cxm_rc rc = cxm__store_invitations(st);

    return rc ? rc : st->ops->savepoint(st, op);
}

cxm_rc cxm__store_tune(cxm_store *st, enum cxm__tuning how)
{
    return st->ops->tune ? st->ops->tune(st, how) : CXM_OK;
}

/* ---- The dashboard's hooks: an engine without them keeps no accounts. */

static cxm_rc no_dashboard(cxm_store *st)
{
    cxm__store_set_error(st, "this engine keeps no dashboard accounts");
    return CXM_ENOTBUILT;
}

#define CXM__DASH_HOOK(hook, ...)                                          \
    (st->ops->hook ? st->ops->hook(st, __VA_ARGS__) : no_dashboard(st))

cxm_rc cxm__store_users(cxm_store *st, const char *name, cxm__user_fn fn,
                        void *ud)
{
    return CXM__DASH_HOOK(users, name, fn, ud);
}

cxm_rc cxm__store_put_user(cxm_store *st, const char *name, const char *role,
                           const char *password_hash, int64_t at_ms,
                           bool replace)
{
    return CXM__DASH_HOOK(put_user, name, role, password_hash, at_ms,
                          replace);
}

cxm_rc cxm__store_remove_user(cxm_store *st, const char *name)
{
    return CXM__DASH_HOOK(remove_user, name);
}

cxm_rc cxm__store_put_session(cxm_store *st, const uint8_t *id_hash,
                              size_t len, const char *user, int64_t at_ms,
                              int64_t expires_ms)
{
    return CXM__DASH_HOOK(put_session, id_hash, len, user, at_ms,
                          expires_ms);
}

cxm_rc cxm__store_session_user(cxm_store *st, const uint8_t *id_hash,
                               size_t len, int64_t now_ms, cxm__user_fn fn,
                               void *ud)
{
    return CXM__DASH_HOOK(session_user, id_hash, len, now_ms, fn, ud);
}

cxm_rc cxm__store_remove_sessions(cxm_store *st, const uint8_t *id_hash,
                                  size_t len, const char *user,
                                  int64_t now_ms)
{
    return CXM__DASH_HOOK(remove_sessions, id_hash, len, user, now_ms);
}

cxm_rc cxm__store_put_login_failure(cxm_store *st, const char *kind,
                                    const char *key, int64_t at_ms)
{
    return CXM__DASH_HOOK(put_login_failure, kind, key, at_ms);
}

cxm_rc cxm__store_login_failures(cxm_store *st, const char *kind,
                                 const char *key, int64_t since_ms,
                                 int64_t *count)
{
    return CXM__DASH_HOOK(login_failures, kind, key, since_ms, count);
}

cxm_rc cxm__store_clear_login_failures(cxm_store *st, const char *kind,
                                       const char *key, int64_t since_ms)
{
    return CXM__DASH_HOOK(clear_login_failures, kind, key, since_ms);
}

cxm_rc cxm__store_drill_answers(cxm_store *st, const struct cxm__drill *q,
                                cxm__drill_answer_fn fn, void *ud)
{
    return CXM__DASH_HOOK(drill_answers, q, fn, ud);
}

cxm_rc cxm__store_drill_tickets(cxm_store *st, const struct cxm__drill *q,
                                cxm__drill_ticket_fn fn, void *ud)
{
    return CXM__DASH_HOOK(drill_tickets, q, fn, ud);
}

cxm_rc cxm__store_data_version(cxm_store *st, int64_t *out)
{
    return CXM__DASH_HOOK(data_version, out);
}

bool cxm__store_changes(cxm_store *st, int64_t *out)
{
    *out = st->ops->changes ? st->ops->changes(st) : 0;
    return st->ops->changes != NULL;
}
