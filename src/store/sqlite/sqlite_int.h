/* SPDX-License-Identifier: MIT
 *
 * sqlite_int.h — private to the SQLite engine (src/store/sqlite): the
 * connection state every file of the engine shares, and the helpers that
 * run SQL on it (conn.c). The files of the engine — rows (store_sqlite.c),
 * rollups (store_sqlite_rollup.c), the column file
 * (store_sqlite_colfile.c), survey definitions (store_sqlite_survey.c) —
 * use these and each other's functions declared here, never each other's
 * statics. Nothing outside src/store/sqlite includes this header: the rest
 * of the library reaches the engine through struct cxm__store_ops.
 */
#ifndef CXM_SQLITE_INT_H
#define CXM_SQLITE_INT_H

#include <sqlite3.h>

#include "store_int.h"

#define CXM__SQ_PUT_ROWS 128 /* rows per multi-row INSERT (put_rows) */

/* The image of the column segment file a report reads
 * (store_sqlite_colfile.c): the file mapped read-only, or built in memory
 * (mapped false) when the file is stale or cannot be used. */
struct cxm__sq_colimage {
    const uint8_t *base; /* owned: munmap or cxm__free, by `mapped` */
    size_t len;
    bool mapped;
};

/* The engine's state, st->impl of a store it opened. */
struct cxm__sq {
    sqlite3 *db;
    sqlite3_stmt *put[CXM_KIND_COUNT]; /* prepared on first use */
    sqlite3_stmt *put_many[CXM_KIND_COUNT]; /* CXM__SQ_PUT_ROWS rows */
    /* max(rowid) of responses and tickets when the open write transaction
     * began: rows at or past them were written by it (0004-rollups.sql) */
    bool has_marks;
    int64_t mark_responses, mark_tickets;
    unsigned kinds_written; /* 1 << kind for each kind put since BEGIN */
    struct cxm__sq_colimage colimage; /* what col_segments handed out */
};

/* SPEC §2, the attribution of an answer: a response r without agent,
 * team, channel, topic or customer takes them from its ticket t; team
 * falls back to the agent's team last. The one SQL text of it, for the
 * rows path (store_sqlite.c) and the rollup recount
 * (store_sqlite_rollup.c) alike: "SELECT " CXM__SQ_ANSWER_COLS ", …"
 * CXM__SQ_ANSWER_FROM(hint). The team's agent is looked up only when
 * neither the response nor its ticket names a team (agents are keyed by
 * workspace and agent id, so the subquery yields at most one). */
#define CXM__SQ_ANSWER_AGENT "coalesce(r.agent_id, t.agent_id)"
/* survey, agent_id, team, channel, language, topic, in this order */
#define CXM__SQ_ANSWER_COLS                                                 \
    "r.survey, " CXM__SQ_ANSWER_AGENT ","                                   \
    " coalesce(r.team, t.team,"                                             \
    "  (SELECT a.team FROM agents a WHERE a.workspace_id = r.workspace_id"  \
    "   AND a.agent_id = " CXM__SQ_ANSWER_AGENT ")),"                       \
    " coalesce(r.channel, t.channel), r.language, t.topic"
/* The customer whose segment the answer counts under. */
#define CXM__SQ_ANSWER_CUSTOMER "coalesce(r.customer_id, t.customer_id)"
/* `hint`: "" or " NOT INDEXED" (a scan in table order). */
#define CXM__SQ_ANSWER_FROM(hint)                                           \
    " FROM responses r" hint " LEFT JOIN tickets t"                         \
    "  ON t.workspace_id = r.workspace_id AND t.ticket_id = r.ticket_id"

/* ---- conn.c: the connection ------------------------------------------ */

/* The engine's state and its connection. */
static inline struct cxm__sq *cxm__sq_of(cxm_store *st)
{
    return st->impl;
}
static inline sqlite3 *cxm__sq_db(cxm_store *st)
{
    return cxm__sq_of(st)->db;
}

cxm_rc cxm__sq_open(cxm_store *st, const char *dsn, int mode);
void cxm__sq_close(cxm_store *st);
/* BEGIN IMMEDIATE, noting the marks (cxm__sq_marks()); COMMIT; ROLLBACK
 * (CXM_OK when nothing is open). */
cxm_rc cxm__sq_begin(cxm_store *st);
cxm_rc cxm__sq_commit(cxm_store *st);
cxm_rc cxm__sq_rollback(cxm_store *st);
cxm_rc cxm__sq_schema_version(cxm_store *st, int *out);
cxm_rc cxm__sq_set_schema_version(cxm_store *st, int version);

/* Sets st's message to the connection's last error, with the system's
 * reason after it when the failure was the system's ("disk I/O error
 * (File too large)"); never an empty reason. CXM_ESTORE. */
cxm_rc cxm__sq_fail(cxm_store *st);
/* Prepares `sql` on the store's connection into *out (finalized by the
 * caller); cxm__sq_fail() when it cannot. */
cxm_rc cxm__sq_prepare(cxm_store *st, const char *sql, sqlite3_stmt **out);
/* Runs the statements of `sql`, without parameters. */
cxm_rc cxm__sq_exec(cxm_store *st, const char *sql);
/* Runs `sql` with ?1, ?2, … bound to args[0 .. n_args) and, when `out` is
 * not NULL, sets *out to the first column of its one row (a count, a
 * max(rowid), an EXISTS); else runs it to its end. */
cxm_rc cxm__sq_run_ints(cxm_store *st, const char *sql, const int64_t *args,
                        size_t n_args, int64_t *out);
/* Notes that rows of `kind` were put in the open transaction. */
void cxm__sq_wrote(cxm_store *st, cxm_kind kind);
/* max(rowid) of responses and tickets when the open write transaction
 * began; false when not known. */
bool cxm__sq_marks(cxm_store *st, int64_t *responses, int64_t *tickets);
/* The kinds put since BEGIN, as a set of 1 << kind. */
unsigned cxm__sq_kinds_written(cxm_store *st);

/* ---- store_sqlite_rollup.c: rollups and column segments --------------- */

/* Defines the SQL functions of the engine (cxm_hist_sum(hist), the
 * aggregate that sums rollup histograms, cxm_hist_add(a, b), the cell
 * and dictionary checksums) on a new connection, before migrations. */
cxm_rc cxm__sq_rollup_register(sqlite3 *db);
cxm_rc cxm__sq_rollup_flush(cxm_store *st);
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

/* ---- store_sqlite_colfile.c: the column segment file ------------------ */

cxm_rc cxm__sq_col_segments(cxm_store *st, int64_t from_t, int64_t to_t,
                            cxm__colseg_fn fn, void *ud);
cxm_rc cxm__sq_col_file_refresh(cxm_store *st);
void cxm__sq_colimage_release(struct cxm__sq_colimage *im);

/* ---- store_sqlite_survey.c: survey definitions (0011-surveys.sql) ----- */

cxm_rc cxm__sq_survey_defs(cxm_store *st, const char *id, int version,
                           cxm__survey_def_fn fn, void *ud);
cxm_rc cxm__sq_put_survey_def(cxm_store *st, const char *id,
                              const char *kind, const char *text, size_t len,
                              int64_t at_ms, int *version_out,
                              bool *added_out);
cxm_rc cxm__sq_remove_survey_def(cxm_store *st, const char *id,
                                 int64_t at_ms);

/* ---- store_sqlite_alerts.c: alert rules, firings, comments ---------- */

cxm_rc cxm__sq_alert_rules(cxm_store *st, cxm__rule_row_fn fn, void *ud);
cxm_rc cxm__sq_put_alert_rule(cxm_store *st, const struct cxm__rule_row *r,
                              int64_t *id_out);
cxm_rc cxm__sq_remove_alert_rule(cxm_store *st, int64_t id, int64_t at_ms);
cxm_rc cxm__sq_put_alert_firing(cxm_store *st,
                                const struct cxm__firing_row *f,
                                bool *added, int64_t *id_out);
cxm_rc cxm__sq_alert_firings(cxm_store *st, int64_t rule_id,
                             cxm__firing_row_fn fn, void *ud);
cxm_rc cxm__sq_comments(cxm_store *st, const struct cxm_comment_query *q,
                        cxm_comment_fn fn, cxm__sub_text_fn text_fn,
                        void *ud);
/* ---- store_sqlite_users.c: the dashboard (0016) ---------------------- */

cxm_rc cxm__sq_users(cxm_store *st, const char *name, cxm__user_fn fn,
                     void *ud);
cxm_rc cxm__sq_put_user(cxm_store *st, const char *name, const char *role,
                        const char *password_hash, int64_t at_ms,
                        bool replace);
cxm_rc cxm__sq_remove_user(cxm_store *st, const char *name);
cxm_rc cxm__sq_put_session(cxm_store *st, const uint8_t *id_hash, size_t len,
                           const char *user, int64_t at_ms,
                           int64_t expires_ms);
cxm_rc cxm__sq_session_user(cxm_store *st, const uint8_t *id_hash,
                            size_t len, int64_t now_ms, cxm__user_fn fn,
                            void *ud);
cxm_rc cxm__sq_remove_sessions(cxm_store *st, const uint8_t *id_hash,
                               size_t len, const char *user, int64_t now_ms);
cxm_rc cxm__sq_put_login_failure(cxm_store *st, const char *kind,
                                 const char *key, int64_t at_ms);
cxm_rc cxm__sq_login_failures(cxm_store *st, const char *kind,
                              const char *key, int64_t since_ms,
                              int64_t *count);
cxm_rc cxm__sq_clear_login_failures(cxm_store *st, const char *kind,
                                    const char *key, int64_t since_ms);
cxm_rc cxm__sq_drill_answers(cxm_store *st, const struct cxm__drill *q,
                             cxm__drill_answer_fn fn, void *ud);
cxm_rc cxm__sq_drill_tickets(cxm_store *st, const struct cxm__drill *q,
                             cxm__drill_ticket_fn fn, void *ud);
cxm_rc cxm__sq_data_version(cxm_store *st, int64_t *out);

#endif /* CXM_SQLITE_INT_H */
