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
 * (mapped false) when the file is stale or cannot be used; kept for the
 * connection's next report while the store's token is `token` (and the
 * file the one mapped: device, inode and length). */
struct cxm__sq_colimage {
    const uint8_t *base; /* owned: munmap or cxm__free, by `mapped` */
    size_t len;
    bool mapped;
    int64_t token;
    uint64_t dev, ino;
};

/* How many statements a connection keeps prepared (struct cxm__sq). */
#define CXM__SQ_KEPT 96

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
    /* The server writer's savepoints (enum cxm__savepoint), prepared on
     * first use: parsing them for every answer cost a tenth of the
     * writer's time. */
    sqlite3_stmt *savepoint[3];
    /* Statements kept prepared for the connection's life (cxm__sq_kept()):
     * the rollup flush and the run helpers run the same few dozen texts
     * on every commit, and preparing them was a fifth of the server
     * writer's time. Keyed by text; finalized in cxm__sq_close(). */
    struct cxm__sq_kept {
        sqlite3_stmt *s; /* keyed by its text, sqlite3_sql() */
        bool busy; /* handed out and not yet given back */
    } kept[CXM__SQ_KEPT];
    size_t n_kept;
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
#define CXM__SQ_ANSWER_TEAM                                                 \
    "coalesce(r.team, t.team,"                                              \
    " (SELECT a.team FROM agents a WHERE a.workspace_id = r.workspace_id"   \
    "  AND a.agent_id = " CXM__SQ_ANSWER_AGENT "))"
#define CXM__SQ_ANSWER_CHANNEL "coalesce(r.channel, t.channel)"
#define CXM__SQ_ANSWER_LANGUAGE "r.language"
#define CXM__SQ_ANSWER_TOPIC "t.topic"
/* survey, agent_id, team, channel, language, topic, in this order */
#define CXM__SQ_ANSWER_COLS                                                 \
    "r.survey, " CXM__SQ_ANSWER_AGENT ", " CXM__SQ_ANSWER_TEAM ", "         \
    CXM__SQ_ANSWER_CHANNEL ", " CXM__SQ_ANSWER_LANGUAGE ", "                \
    CXM__SQ_ANSWER_TOPIC
/* The customer whose segment the answer counts under. */
#define CXM__SQ_ANSWER_CUSTOMER "coalesce(r.customer_id, t.customer_id)"
/* `hint`: "" or " NOT INDEXED" (a scan in table order). */
#define CXM__SQ_ANSWER_FROM(hint)                                           \
    " FROM responses r" hint " LEFT JOIN tickets t"                         \
    "  ON t.workspace_id = r.workspace_id AND t.ticket_id = r.ticket_id"

/* The answers attributed to agent `agent` with responded_at in [`from`,
 * `to`) (SQL expressions: placeholders), as a CTE `ids` (rid,
 * at: rowid, responded_at) found through indexes alone (0021, 0025):
 * those naming the agent (responses_agent), and those naming no agent
 * whose ticket does (CXM__SQ_ANSWER_AGENT), from the agent's tickets
 * (tickets_agent_ticket) through the answers naming no agent
 * (responses_unattributed, partial; INDEXED BY so the plan cannot fall
 * back to reading each answer of each ticket). Neither touches a row:
 * CXM__SQ_AGENT_ANSWER_FROM joins them, and with ORDER BY at DESC …
 * LIMIT SQLite merges the two kinds newest first, the first read through
 * responses_agent backwards and no further than the page needs
 * (docs/store.md "Indexes of an agent"). */
#define CXM__SQ_AGENT_ANSWER_IDS(ws, agent, from, to)                      \
    " ids (rid, at) AS ("                                                   \
    "  SELECT o.rowid, o.responded_at FROM responses o"                     \
    "  WHERE o.workspace_id = " ws " AND o.agent_id = " agent               \
    "  AND o.responded_at >= " from " AND o.responded_at < " to             \
    "  UNION ALL SELECT o.rowid, o.responded_at FROM tickets k"             \
    "  CROSS JOIN responses o INDEXED BY responses_unattributed"            \
    "   ON o.workspace_id = k.workspace_id AND o.ticket_id = k.ticket_id"   \
    "  WHERE k.workspace_id = " ws " AND k.agent_id = " agent               \
    "  AND o.agent_id IS NULL AND o.responded_at >= " from                  \
    "  AND o.responded_at < " to ")"
/* The rows of CXM__SQ_AGENT_ANSWER_IDS as `r` and their tickets as `t`;
 * `x.at` is the answer's responded_at. */
#define CXM__SQ_AGENT_ANSWER_FROM                                           \
    " FROM ids x CROSS JOIN responses r ON r.rowid = x.rid"                 \
    " LEFT JOIN tickets t"                                                  \
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

/* The connection's hooks of struct cxm__store_ops (designated
 * initialisers), for the engine tables of a SQLite file. */
#define CXM__SQ_CONN_OPS                                                   \
    .migrations = cxm__embedded_sql,                                       \
    .open = cxm__sq_open, .close = cxm__sq_close,                          \
    .exec_script = cxm__sq_exec,                                           \
    .schema_version = cxm__sq_schema_version,                              \
    .set_schema_version = cxm__sq_set_schema_version,                      \
    .begin = cxm__sq_begin, .commit = cxm__sq_commit,                      \
    .rollback = cxm__sq_rollback

/* From the build: sql/NNNN-name.sql, in name order (cmake/embed.cmake). */
extern const struct cxm__embedded cxm__embedded_sql[];

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
/* The connection's statement of `sql` (one statement), prepared on its
 * first use and kept (struct cxm__sq); *out is handed back with
 * cxm__sq_unkeep(). A text already handed out, or past CXM__SQ_KEPT
 * texts, is prepared afresh (and finalized by cxm__sq_unkeep()). */
cxm_rc cxm__sq_kept(cxm_store *st, const char *sql, sqlite3_stmt **out);
/* Hands back s of cxm__sq_kept(): reset with its bindings cleared, or
 * finalized when it is not kept; NULL is ignored. */
void cxm__sq_unkeep(cxm_store *st, sqlite3_stmt *s);
/* Prepares `sql` with ?1 bound to the store's workspace. */
cxm_rc cxm__sq_prepare_ws(cxm_store *st, const char *sql,
                          sqlite3_stmt **out);
/* Binds text `v` (copied), or NULL, to parameter i. */
void cxm__sq_bind_text(sqlite3_stmt *s, int i, const char *v);
/* Steps a statement that returns no row to its end and finalizes it. */
cxm_rc cxm__sq_step_done(cxm_store *st, sqlite3_stmt *s);
/* Column i as text, NULL for NULL. */
static inline const char *cxm__sq_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}
/* Runs the statements of `sql`, without parameters. */
cxm_rc cxm__sq_exec(cxm_store *st, const char *sql);
/* Runs `sql` with ?1, ?2, … bound to args[0 .. n_args) and, when `out` is
 * not NULL, sets *out to the first column of its one row (a count, a
 * max(rowid), an EXISTS); else runs it to its end. */
cxm_rc cxm__sq_run_ints(cxm_store *st, const char *sql, const int64_t *args,
                        size_t n_args, int64_t *out);
/* A bound parameter of cxm__sq_run(): an integer, a real, or a text
 * (NULL: SQL NULL), borrowed for the call. */
enum cxm__sq_arg_type { CXM__SQ_INT, CXM__SQ_REAL, CXM__SQ_TEXT };
struct cxm__sq_arg {
    enum cxm__sq_arg_type type;
    int64_t i;
    double r;
    const char *text;
};
#define CXM__SQ_I(v) ((struct cxm__sq_arg){CXM__SQ_INT, (v), 0, NULL})
#define CXM__SQ_R(v) ((struct cxm__sq_arg){CXM__SQ_REAL, 0, (v), NULL})
#define CXM__SQ_T(v) ((struct cxm__sq_arg){CXM__SQ_TEXT, 0, 0, (v)})
/* cxm__sq_run_ints() with parameters of any of these types. */
cxm_rc cxm__sq_run(cxm_store *st, const char *sql,
                   const struct cxm__sq_arg *args, size_t n_args,
                   int64_t *out);
/* Notes that rows of `kind` were put in the open transaction. */
void cxm__sq_wrote(cxm_store *st, cxm_kind kind);
/* max(rowid) of responses and tickets when the open write transaction
 * began; false when not known. */
bool cxm__sq_marks(cxm_store *st, int64_t *responses, int64_t *tickets);
/* The kinds put since BEGIN, as a set of 1 << kind. */
unsigned cxm__sq_kinds_written(cxm_store *st);

/* ---- store_sqlite_rollup.c: rollups and column segments --------------- */

/* Rollups of survey answers (sql/0004-rollups.sql, 0007-rollup-years.sql):
 * cells per UTC day, month, year or over all time (t 0), the value of
 * column `grain` of rollup_answers. */
enum cxm__sq_grain {
    CXM__SQ_GRAIN_DAY = 0,
    CXM__SQ_GRAIN_MONTH = 1,
    CXM__SQ_GRAIN_YEAR = 2,
    CXM__SQ_GRAIN_ALL = 3
};

/* A cube: the dimensions its cells keep (column `cube`); every cube also
 * keeps the cell's first day t, survey, scale and a score histogram. */
enum cxm__sq_cube {
    CXM__CUBE_NONE = -1, /* no cube serves */
    CXM__CUBE_TOTALS = 0, /* survey and scale alone */
    CXM__CUBE_AGENT = 1,
    CXM__CUBE_TEAM = 2,
    CXM__CUBE_CHANNEL = 4,
    CXM__CUBE_LANGUAGE = 8,
    CXM__CUBE_TOPIC = 16
};

/* Column segments (sql/0005-columns.sql, colseg.h): one entry of a
 * column's dictionary; one month's segment: the callback is handed the
 * blob, borrowed from the store until the next cxm__sq_col_segments() or
 * cxm_store_close(), its checksum checked, or NULL when the month's
 * answers could not be encoded or its segment is damaged (then with a
 * note, cxm__store_note()). */
typedef cxm_rc (*cxm__coldict_fn)(int col, int64_t id, const char *value,
                                  size_t len, void *ud);
typedef cxm_rc (*cxm__colseg_fn)(int64_t t, int64_t n, const uint8_t *blob,
                                 size_t len, void *ud);

/* Defines the SQL functions of the engine (cxm_hist_sum(hist), the
 * aggregate that sums rollup histograms, cxm_hist_add(a, b), the cell
 * and dictionary checksums) on a new connection, before migrations. */
cxm_rc cxm__sq_rollup_register(sqlite3 *db);
/* Defines cxm_tcell_step() (store_sqlite_tickets.c, migration 0024). */
cxm_rc cxm__sq_tickets_register(sqlite3 *db);
/* Recounts the dirty days (inside the open transaction, just before
 * commit). */
cxm_rc cxm__sq_rollup_flush(cxm_store *st);
/* The smallest cube of `grain` (day, or month and coarser) keeping `dims`
 * (an or of cube bits), CXM__CUBE_NONE when none or the rollups are not
 * current. */
cxm_rc cxm__sq_rollup_cube(cxm_store *st, enum cxm__sq_grain grain,
                           enum cxm__sq_cube dims, enum cxm__sq_cube *cube);
/* Whether answers exist in [from, to). */
cxm_rc cxm__sq_responses_between(cxm_store *st, int64_t from, int64_t to,
                                 bool *any);
/* The cells of (grain, cube) whose first day t is in [from_t, to_t), each
 * handed to fn as a group (at: the start of its first day). Every cell's
 * checksum is checked before any is handed over; CXM_EINPUT (and a note)
 * when one does not match: the caller reads the answers another way. fn
 * NULL: only the check. where (NULL, or per answer dimension the one
 * value kept, or NULL): the cells of other values are left out, neither
 * checked nor handed over. */
cxm_rc cxm__sq_scan_rollup(cxm_store *st, enum cxm__sq_grain grain,
                           enum cxm__sq_cube cube, int64_t from_t,
                           int64_t to_t, const char *const *where,
                           cxm__answer_group_fn fn, void *ud);
/* Whether rollups and column segments are current (nothing dirty). */
cxm_rc cxm__sq_rollups_clean(cxm_store *st, bool *clean);
/* The cells scan_rollup() would read, counted up to `limit` (then *cells
 * = limit); the answers of the month segments t in [from_t, to_t). */
cxm_rc cxm__sq_rollup_cells(cxm_store *st, enum cxm__sq_grain grain,
                            enum cxm__sq_cube cube, int64_t from_t,
                            int64_t to_t, int64_t limit, int64_t *cells);
cxm_rc cxm__sq_segment_answers(cxm_store *st, int64_t from_t, int64_t to_t,
                               int64_t *answers);
/* The column dictionaries: CXM_EINPUT (with a note) when an entry is
 * damaged; fn may have been called for the entries before it. */
cxm_rc cxm__sq_col_dict(cxm_store *st, cxm__coldict_fn fn, void *ud);

/* ---- store_sqlite_answers.c, colscan.c: answer groups ----------------- */

/* The answer_groups hook: rollups, else column segments, else rows. */
cxm_rc cxm__sq_answer_groups(cxm_store *st, const struct cxm__answer_query *q,
                             cxm__answer_group_fn fn, void *ud,
                             struct cxm__answer_how *how);
/* The column scan: *done false when the columns cannot serve q (the
 * caller reads the rows; with --read columns a note says why). */
cxm_rc cxm__sq_scan_columns(cxm_store *st, const struct cxm__answer_query *q,
                            cxm__answer_group_fn fn, void *ud, bool *done);

/* ---- store_sqlite_tickets.c: ticket cells (0019-ticket-cells.sql) ----- */

/* The tickets with an event (created, resolved, first answered) in
 * [lo, hi), as scan_tickets hands them (store_sqlite.c). */
cxm_rc cxm__sq_scan_tickets_between(cxm_store *st, int64_t lo, int64_t hi,
                                    cxm__ticket_fn fn, void *ud);
/* Every ticket of the workspace in table (rowid) order, one sequential
 * pass over the table whatever its indexes (store_sqlite.c). */
cxm_rc cxm__sq_scan_tickets_seq(cxm_store *st, cxm__ticket_fn fn, void *ud);
/* Recounts the ticket cells of the dirty days (inside the open write
 * transaction, before it commits; from cxm__sq_rollup_flush()). */
cxm_rc cxm__sq_ticket_flush(cxm_store *st);
/* Counts the session cells again when the transaction stored sessions or
 * customers, or they are not current. */
cxm_rc cxm__sq_session_flush(cxm_store *st);
/* The ticket_groups hook: the cells, and the rows of the period's ends
 * inside a day. */
cxm_rc cxm__sq_ticket_groups(cxm_store *st, const struct cxm__ticket_query *q,
                             cxm__ticket_group_fn fn, void *ud, bool *served,
                             const char **detail);
/* The cubes of the ticket and QA cells: the dimensions a cell keeps
 * (bits 1 << CXM__TDIM_x), the others ''; store_sqlite_tickets.c says
 * why these. */
#define CXM__SQ_N_CUBES 8
extern const unsigned cxm__sq_cube_dims[CXM__SQ_N_CUBES];
/* The first cube keeping every dimension of dims; CXM__SQ_N_CUBES when
 * none does (the rows answer). */
size_t cxm__sq_cube_for(unsigned dims);
/* The cube whose cells answer q, in *cube; CXM__SQ_N_CUBES when they
 * cannot (`--read rows`, an empty period, no cube keeping q's
 * dimensions, or dirty_sql, an EXISTS over the workspace's (?1) dirty
 * days, says some are not counted again: the rows answer). */
cxm_rc cxm__sq_cells_cube(cxm_store *st, const struct cxm__ticket_query *q,
                          const char *dirty_sql, size_t *cube);
/* The UTC day of an instant (ms), rounded down. */
static inline int64_t cxm__sq_day_of(int64_t ms)
{
    const int64_t day = INT64_C(86400000);

    return ms >= 0 ? ms / day : -((-(ms + 1)) / day) - 1;
}
/* UTC days, ascending and unique once sorted. */
struct cxm__sq_days {
    int64_t *v;
    size_t n, cap;
};
bool cxm__sq_days_has(const struct cxm__sq_days *d, int64_t day);
/* The days [d0, d1) of q's period that a bucket of its breakdown starts
 * inside (a zone other than UTC): read from the rows. *ok false when the
 * report must read every row. */
cxm_rc cxm__sq_split_days(const struct cxm__ticket_query *q, int64_t d0,
                          int64_t d1, struct cxm__sq_days *out, bool *ok);
/* The session_groups hook: the session cells, and the rows of the
 * period's ends inside a day. */
cxm_rc cxm__sq_session_groups(cxm_store *st,
                              const struct cxm__ticket_query *q,
                              cxm__ticket_group_fn fn, void *ud,
                              bool *served);

/* ---- store_sqlite_qa.c: QA cells (0023-qa-cells.sql) ------------------ */

/* Recounts the QA cells of the dirty days (before the write transaction
 * commits; from cxm__sq_rollup_flush()). */
cxm_rc cxm__sq_qa_flush(cxm_store *st);
/* The qa_groups hook: the cells, and the rows of the rest. */
cxm_rc cxm__sq_qa_groups(cxm_store *st, const struct cxm__ticket_query *q,
                         cxm__qa_group_fn fn, void *ud, bool *served,
                         const char **detail);

/* ---- store_sqlite_colfile.c: the column segment file ------------------ */

/* The segments of months t in [from_t, to_t), oldest first. */
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
/* ---- store_sqlite_send.c: sending surveys (0013-sending.sql) --------- */

cxm_rc cxm__sq_put_send_rule(cxm_store *st, const struct cxm__send_rule *r,
                             int64_t *id_out);
cxm_rc cxm__sq_remove_send_rule(cxm_store *st, int64_t id, int64_t at_ms);
cxm_rc cxm__sq_send_rules(cxm_store *st, cxm__send_rule_fn fn, void *ud);
cxm_rc cxm__sq_send_moments(cxm_store *st, const struct cxm__moment_query *q,
                            cxm__send_moment_fn fn, void *ud);
cxm_rc cxm__sq_send_facts(cxm_store *st, const char *customer_id,
                          const char *address, int64_t near,
                          int64_t day_from, int64_t day_to,
                          struct cxm__send_facts *out);
cxm_rc cxm__sq_outbox_put(cxm_store *st, const struct cxm__outbox_row *r,
                          int64_t *id_out);
cxm_rc cxm__sq_outbox_claim(cxm_store *st, int64_t now, int64_t stale_before,
                            cxm__outbox_fn fn, void *ud, bool *found);
cxm_rc cxm__sq_outbox_update(cxm_store *st, int64_t id, const char *status,
                             const char *reason, int64_t due_at,
                             int64_t sent_at);
cxm_rc cxm__sq_outbox_scan(cxm_store *st, const char *status,
                           const char *ticket_id, cxm__outbox_fn fn,
                           void *ud);
cxm_rc cxm__sq_put_invitation_link(cxm_store *st, const char *invitation_id,
                                   const unsigned char *hash, size_t len,
                                   int64_t at_ms);
cxm_rc cxm__sq_put_unsubscribe(cxm_store *st, const char *invitation_id,
                               int64_t at_ms, bool *found);
cxm_rc cxm__sq_outbox_opened(cxm_store *st, const char *invitation_id,
                             int64_t at_ms);
cxm_rc cxm__sq_outbox_bounce(cxm_store *st, int64_t id, const char *recipient,
                             const char *reason, int64_t *n_out);

/* ---- store_sqlite_invite.c: the survey service (0012-invitations.sql) */

cxm_rc cxm__sq_put_api_token(cxm_store *st, const char *name,
                             const unsigned char *hash, size_t len,
                             int64_t at_ms);
cxm_rc cxm__sq_api_tokens(cxm_store *st, cxm__api_token_fn fn, void *ud);
cxm_rc cxm__sq_revoke_api_token(cxm_store *st, const char *name,
                                int64_t at_ms);
cxm_rc cxm__sq_find_api_token(cxm_store *st, const unsigned char *hash,
                              size_t len, bool *live);
cxm_rc cxm__sq_put_invitation(cxm_store *st,
                              const struct cxm__invitation_row *r,
                              const unsigned char *hash, size_t len);
cxm_rc cxm__sq_find_invitation(cxm_store *st, const unsigned char *hash,
                               size_t len, cxm__invitation_fn fn, void *ud);
cxm_rc cxm__sq_put_submission(cxm_store *st,
                              const struct cxm__invitation_row *r);
cxm_rc cxm__sq_remove_response(cxm_store *st, const char *response_id);
cxm_rc cxm__sq_put_click(cxm_store *st, const char *id, int64_t at_ms,
                         int score, int64_t since, int64_t *distinct);
cxm_rc cxm__sq_submissions(cxm_store *st, cxm__invitation_fn fn, void *ud);
cxm_rc cxm__sq_savepoint(cxm_store *st, enum cxm__savepoint op);
cxm_rc cxm__sq_tune(cxm_store *st, enum cxm__tuning how);

/* The hooks of the records kept beside the rows (survey definitions,
 * alert rules and firings, comments), for the engine tables of a SQLite
 * file (designated initialisers). */
#define CXM__SQ_KEPT_OPS                                                   \
    .survey_defs = cxm__sq_survey_defs,                                    \
    .put_survey_def = cxm__sq_put_survey_def,                              \
    .remove_survey_def = cxm__sq_remove_survey_def,                        \
    .alert_rules = cxm__sq_alert_rules,                                    \
    .put_alert_rule = cxm__sq_put_alert_rule,                              \
    .remove_alert_rule = cxm__sq_remove_alert_rule,                        \
    .put_alert_firing = cxm__sq_put_alert_firing,                          \
    .alert_firings = cxm__sq_alert_firings, .comments = cxm__sq_comments,  \
    .put_send_rule = cxm__sq_put_send_rule,                                \
    .remove_send_rule = cxm__sq_remove_send_rule,                          \
    .send_rules = cxm__sq_send_rules, .send_moments = cxm__sq_send_moments, \
    .send_facts = cxm__sq_send_facts, .outbox_put = cxm__sq_outbox_put,    \
    .outbox_claim = cxm__sq_outbox_claim,                                  \
    .outbox_update = cxm__sq_outbox_update,                                \
    .outbox_scan = cxm__sq_outbox_scan,                                    \
    .put_invitation_link = cxm__sq_put_invitation_link,                    \
    .put_unsubscribe = cxm__sq_put_unsubscribe,                            \
    .put_api_token = cxm__sq_put_api_token,                                \
    .api_tokens = cxm__sq_api_tokens,                                      \
    .revoke_api_token = cxm__sq_revoke_api_token,                          \
    .find_api_token = cxm__sq_find_api_token,                              \
    .put_invitation = cxm__sq_put_invitation,                              \
    .find_invitation = cxm__sq_find_invitation,                            \
    .put_submission = cxm__sq_put_submission,                              \
    .remove_response = cxm__sq_remove_response,                            \
    .put_click = cxm__sq_put_click, .submissions = cxm__sq_submissions,    \
    .savepoint = cxm__sq_savepoint, .tune = cxm__sq_tune,                  \
    .users = cxm__sq_users, .put_user = cxm__sq_put_user,                  \
    .remove_user = cxm__sq_remove_user, .put_session = cxm__sq_put_session, \
    .session_user = cxm__sq_session_user,                                  \
    .remove_sessions = cxm__sq_remove_sessions,                            \
    .put_login_failure = cxm__sq_put_login_failure,                        \
    .login_failures = cxm__sq_login_failures,                              \
    .clear_login_failures = cxm__sq_clear_login_failures,                  \
    .drill_answers = cxm__sq_drill_answers,                                \
    .drill_tickets = cxm__sq_drill_tickets,                                \
    .data_version = cxm__sq_data_version,                                  \
    .changes = cxm__sq_changes,                                            \
    .outbox_opened = cxm__sq_outbox_opened,                                \
    .outbox_bounce = cxm__sq_outbox_bounce

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
int64_t cxm__sq_changes(cxm_store *st);

#endif /* CXM_SQLITE_INT_H */
