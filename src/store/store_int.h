/* SPDX-License-Identifier: MIT
 *
 * store_int.h — private: the store handle and the engine interface behind
 * it. store.c parses the DSN and dispatches through struct cxm__store_ops;
 * each engine (store_sqlite.c, later store_pg.c) fills one table. No SQL
 * text lives outside the engine files.
 */
#ifndef CXM_STORE_INT_H
#define CXM_STORE_INT_H

#include "internal.h"

struct cxm__value;  /* one value of a row (record.h) */
struct cxm__window; /* an import's timestamp window (record.h) */

/* One ticket as the report scan sees it. Strings are borrowed for the
 * duration of the callback; NULL when missing. */
struct cxm__ticket_row {
    const char *ticket_id, *customer_id, *agent_id, *team, *channel;
    const char *topic, *segment;
    const char *status, *tags;
    int64_t created_at;
    bool has_first_response, has_resolved, has_contacts, has_replies;
    int64_t first_response_at, resolved_at, contacts;
    int64_t replies;                    /* agent replies */
    int reopened, escalated, complaint; /* 0, 1, or -1 when missing */
};

/* One survey answer, with agent, team, channel, topic and customer filled
 * from its ticket (and team from its agent) where it lacks them (SPEC §2). */
struct cxm__response_row {
    const char *survey, *agent_id, *team, *channel, *language, *topic;
    const char *segment;
    const char *response_agent_id; /* the response's own agent_id */
    const char *ticket_agent_id;   /* its ticket's agent_id */
    bool has_ticket;               /* its ticket is stored */
    const char *ticket_status, *ticket_tags; /* its ticket's */
    int64_t responded_at;
    bool has_score;
    int score, scale_min, scale_max;
};

/* Named queries of the other record kinds for the report (the SQL lives in
 * the engine). Each returns its columns in the order listed; a column is
 * read as text, integer or real as listed, and may be NULL. */
enum cxm__query {
    /* customer_id T, acquired_at I, churned_at I, segment T */
    CXM__Q_CUSTOMERS,
    /* customer_id T, ordered_at I, amount R, currency T; by customer,
     * then time */
    CXM__Q_ORDERS,
    /* started_at I, resolved I, topic T, segment T, customer_id T */
    CXM__Q_SELFSERVICE,
    /* agent_id T, team T, hired_at I, left_at I */
    CXM__Q_AGENTS,
    /* agent_id T, team T (the agent's), date I, hours R */
    CXM__Q_AGENT_HOURS,
    /* posted_at I, rating R, scale_max R, source T, language T */
    CXM__Q_REVIEWS,
    /* when I (reviewed_at, else the ticket's resolved_at, else its
     * created_at), score R, max_score R, agent_id T, team T, channel T,
     * topic T, segment T, reviewer T */
    CXM__Q_QA,
    /* metric T, label T, value R, set_at I; oldest first */
    CXM__Q_BENCHMARKS,
    /* version I, set_at I, set_by T, note T, settings T; oldest first */
    CXM__Q_DEFINITIONS,
    /* survey T, scale_min I, scale_max I, answers I: the scales the
     * stored csat, nps and ces answers are on, one row a scale */
    CXM__Q_SCALES,
    /* key T, value T: the stored settings (config.c), by key */
    CXM__Q_SETTINGS,
    /* kind T (the event's record kind: tickets, responses, selfservice,
     * orders, reviews), id T, at I (its event timestamp): the
     * CXM__EVENT_ENDS earliest and latest events of each kind, for naming
     * the rows that stretch a report's default period */
    CXM__Q_EVENT_ENDS,
    /* kind T, column T ("" for the kind itself): the record kinds and
     * optional columns ever supplied by an import (0009) */
    CXM__Q_SUPPLIED,
    CXM__Q_COUNT
};

#define CXM__ROW_MAX_COLS 12
#define CXM__EVENT_ENDS 6 /* rows per kind and end of CXM__Q_EVENT_ENDS */

/* One row of a named query. Borrowed for the duration of the callback. */
struct cxm__row {
    size_t n_cols;
    bool is_null[CXM__ROW_MAX_COLS];
    const char *text[CXM__ROW_MAX_COLS]; /* NULL when NULL */
    int64_t i64[CXM__ROW_MAX_COLS];
    double real[CXM__ROW_MAX_COLS];
};

typedef cxm_rc (*cxm__row_fn)(const struct cxm__row *row, void *ud);

/* Rollups of survey answers (src/store/sqlite/sql/0004-rollups.sql): per UTC day
 * (grain 0), month (grain 1), year (grain 2) or over all time (grain 3,
 * t 0; 0007-rollup-years.sql). A cube is a set of the dimensions below;
 * every cube also keeps the cell's first day t, survey, scale and a score
 * histogram. */
#define CXM__CUBE_AGENT 1u
#define CXM__CUBE_TEAM 2u
#define CXM__CUBE_CHANNEL 4u
#define CXM__CUBE_LANGUAGE 8u
#define CXM__CUBE_TOPIC 16u

/* One rollup cell: hist[k] answers of score r->scale_min + k, for k in
 * 0 … scale_max − scale_min, otherwise like `r` (r->responded_at = the
 * start of the cell's first UTC day; dimensions the cube does not keep
 * are ""; segment NULL; r->score unset). */
typedef cxm_rc (*cxm__rollup_fn)(const struct cxm__response_row *r,
                                 const int64_t *hist, void *ud);

/* Column segments (src/store/sqlite/sql/0005-columns.sql, src/store/sqlite/colseg.h): one entry of
 * a column's dictionary; one month's segment: the callback is handed the
 * blob, borrowed from the store until the next cxm__store_col_segments()
 * or cxm_store_close(), its checksum checked, or NULL when the month's
 * answers could not be encoded or its segment is damaged (then with a
 * note, cxm__store_note()). */
typedef cxm_rc (*cxm__coldict_fn)(int col, int64_t id, const char *value,
                                  size_t len, void *ud);
typedef cxm_rc (*cxm__colseg_fn)(int64_t t, int64_t n, const uint8_t *blob,
                                 size_t len, void *ud);

typedef cxm_rc (*cxm__ticket_fn)(const struct cxm__ticket_row *t, void *ud);
typedef cxm_rc (*cxm__response_fn)(const struct cxm__response_row *r,
                                   void *ud);

/* One stored survey definition (0011-surveys.sql): its canonical JSON
 * text, borrowed for the duration of the callback, its version and when
 * it was added. */
typedef cxm_rc (*cxm__survey_def_fn)(const char *text, size_t len,
                                     int version, int64_t added_at,
                                     void *ud);

/* One alert rule as the engine keeps it (names as text: cxmeter/alert.h
 * parses them back). by NULL: no breakdown. */
struct cxm__rule_row {
    int64_t id, min_n, created_at, removed_at;
    const char *kind, *metric, *by, *window;
    double threshold, alpha, min_change;
};
/* One firing as the engine keeps it (struct cxm_alert_firing's fields;
 * kind, metric, by, window as names). */
struct cxm__firing_row {
    int64_t id, rule_id, from_ms, to_ms, prev_from_ms, n, prev_n, tests;
    int64_t fired_at;
    const char *kind, *metric, *by, *window, *grp, *method;
    bool has_prev, has_test;
    double value, prev_value, change, threshold, statistic, p_value;
    double p_adjusted, alpha;
};
typedef cxm_rc (*cxm__rule_row_fn)(const struct cxm__rule_row *r, void *ud);
typedef cxm_rc (*cxm__firing_row_fn)(const struct cxm__firing_row *f,
                                     void *ud);
/* One string answer of a survey submission (comments): borrowed for the
 * callback; c->source "submission", c->id invitation_id:question,
 * c->question the question's id, c->survey the survey id, the
 * invitation's dimensions, c->at_ms its first answer's time. */
struct cxm_comment;
struct cxm_comment_query;
typedef cxm_rc (*cxm_comment_fn)(const struct cxm_comment *c, void *ud);
typedef cxm_rc (*cxm__sub_text_fn)(const struct cxm_comment *c,
                                   int survey_version, void *ud);
/* ---- The dashboard (0016-dashboard.sql; src/http/auth.c, dash*.c). */

/* One account. Borrowed for the duration of the callback. */
struct cxm__user_row {
    const char *name, *role, *password_hash;
    int64_t created_at, updated_at;
};
typedef cxm_rc (*cxm__user_fn)(const struct cxm__user_row *u, void *ud);

/* What a drill-down lists: the answers or tickets behind a figure. A NULL
 * dimension is any value; "" is a missing one. Answers are taken by
 * responded_at in [from, to), attributed as the report attributes them
 * (SPEC §2); tickets by created_at, or by resolved_at when `by_resolved`,
 * or, with `open_at_to`, those open at `to` (the backlog's). Newest
 * first, `limit` rows from `offset`. */
struct cxm__drill {
    int64_t from, to;
    const char *agent, *team, *channel, *language, *survey, *topic;
    bool has_score;
    int score_lo, score_hi;   /* answers scored in [lo, hi] */
    bool comments_only;       /* answers with a comment */
    bool by_resolved;         /* tickets: by resolved_at */
    bool open_at_to;          /* tickets: open at `to` */
    int64_t limit, offset;
};

/* One answer of a drill-down; strings borrowed for the callback, NULL
 * when missing. */
struct cxm__drill_answer {
    const char *response_id, *survey, *question, *comment, *ticket_id;
    const char *customer_id, *agent_id, *team, *channel, *language, *topic;
    int64_t responded_at;
    bool has_score;
    int score, scale_min, scale_max;
};
typedef cxm_rc (*cxm__drill_answer_fn)(const struct cxm__drill_answer *a,
                                       void *ud);

/* One ticket of a drill-down (struct cxm__ticket_row). */
typedef cxm_rc (*cxm__drill_ticket_fn)(const struct cxm__ticket_row *t,
                                       void *ud);

/* An engine: one table of hooks, filled with designated initialisers.
 *
 * Required: open, close, exec_script, schema_version, set_schema_version,
 * begin, commit, rollback, put, time_range, scan_tickets, scan_responses,
 * query, put_benchmark, remove_benchmarks, put_supplied, put_definitions,
 * put_setting.
 *
 * Optional (NULL where the engine has nothing to do; store.c then does
 * what is said here):
 *   import_end, rollup_flush, col_refresh: nothing, CXM_OK;
 *   put_rows: n_rows calls of put;
 *   rollup_cube: *cube = -1 (no rollups kept: the report scans);
 *   rollups_clean: *clean = false (no column segments kept);
 *   responses_between: *any = true (the report cannot rule answers out);
 *   rollup_cells, segment_answers: 0; scan_rollup, col_dict,
 *   col_segments: no cell, entry or segment, CXM_OK (not reached when
 *   rollup_cube and rollups_clean are NULL too);
 *   survey_defs, put_survey_def, remove_survey_def: CXM_ENOTBUILT, "this
 *   engine keeps no survey definitions";
 *   alert_rules, put_alert_rule, remove_alert_rule, put_alert_firing,
 *   alert_firings, comments: CXM_ENOTBUILT, "the ENGINE engine keeps no
 *   alerts" (or comments; alert_store.c);
 *   users … drill_tickets, data_version (the dashboard's): CXM_ENOTBUILT,
 *   "this engine keeps no dashboard accounts". */
struct cxm__store_ops {
    const char *name; /* "sqlite" | "postgresql" */
    /* mode: CXM_OPEN_CREATE or CXM_OPEN_READ (cxmeter/store.h); sets
     * st->read_only, and st->errmsg to a whole sentence on failure. */
    cxm_rc (*open)(cxm_store *st, const char *dsn, int mode);
    void (*close)(cxm_store *st); /* NULL-safe on a half-open store */
    cxm_rc (*exec_script)(cxm_store *st, const char *sql);
    cxm_rc (*schema_version)(cxm_store *st, int *out);
    cxm_rc (*set_schema_version)(cxm_store *st, int version);
    cxm_rc (*begin)(cxm_store *st);
    cxm_rc (*commit)(cxm_store *st);
    cxm_rc (*rollback)(cxm_store *st);
    /* After the last row of an import, inside its transaction: the work
     * done once per import rather than per row. */
    cxm_rc (*import_end)(cxm_store *st, cxm_kind kind);
    cxm_rc (*put)(cxm_store *st, cxm_kind kind,
                  const struct cxm__value *vals);
    /* n_rows rows of n_cols values each, in order, as n_rows puts. */
    cxm_rc (*put_rows)(cxm_store *st, cxm_kind kind,
                       const struct cxm__value *vals, size_t n_rows);
    /* Optional: a bound, cheap to find, of the stored records of `kind`
     * (at least their count); NULL: no bound (INT64_MAX). */
    cxm_rc (*records_bound)(cxm_store *st, cxm_kind kind, int64_t *out);
    cxm_rc (*time_range)(cxm_store *st, bool *found, int64_t *min,
                         int64_t *max);
    cxm_rc (*scan_tickets)(cxm_store *st, cxm__ticket_fn fn, void *ud);
    cxm_rc (*scan_responses)(cxm_store *st, int64_t from, int64_t to,
                             cxm__response_fn fn, void *ud);
    cxm_rc (*query)(cxm_store *st, enum cxm__query id, cxm__row_fn fn,
                    void *ud);
    cxm_rc (*put_benchmark)(cxm_store *st, const char *metric,
                            const char *label, double value, int64_t at_ms);
    /* Rollups: recount the dirty days (inside the open transaction, just
     * before commit); the smallest cube of `grain` keeping `dims` (cube
     * bits), -1 when none or the rollups are not current; whether answers
     * exist in [from, to); the cells of a cube whose first day t is in
     * [from_t, to_t). */
    cxm_rc (*rollup_flush)(cxm_store *st);
    cxm_rc (*rollup_cube)(cxm_store *st, int grain, unsigned dims,
                          int *cube);
    cxm_rc (*responses_between)(cxm_store *st, int64_t from, int64_t to,
                                bool *any);
    /* scan_rollup: every cell's checksum is checked before any is handed
     * over; CXM_EINPUT (and a note, cxm__store_note()) when one does not
     * match: the caller reads the answers another way. fn NULL: only the
     * check. */
    cxm_rc (*scan_rollup)(cxm_store *st, int grain, int cube,
                          int64_t from_t, int64_t to_t, cxm__rollup_fn fn,
                          void *ud);
    /* The cells scan_rollup() would read, counted up to `limit` (then
     * *cells = limit), for choosing between rollups and the column scan;
     * and the answers of the month segments t in [from_t, to_t). */
    cxm_rc (*rollup_cells)(cxm_store *st, int grain, int cube,
                           int64_t from_t, int64_t to_t, int64_t limit,
                           int64_t *cells);
    cxm_rc (*segment_answers)(cxm_store *st, int64_t from_t, int64_t to_t,
                              int64_t *answers);
    /* Whether rollups and column segments are current (nothing dirty);
     * the column dictionaries; the segments of months t in [from_t, to_t),
     * oldest first. */
    cxm_rc (*rollups_clean)(cxm_store *st, bool *clean);
    /* col_dict: CXM_EINPUT (with a note) when an entry is damaged; fn
     * may have been called for the entries before it. */
    cxm_rc (*col_dict)(cxm_store *st, cxm__coldict_fn fn, void *ud);
    cxm_rc (*col_segments)(cxm_store *st, int64_t from_t, int64_t to_t,
                           cxm__colseg_fn fn, void *ud);
    /* Brings whatever copy of the segments the engine keeps for reports
     * up to date (after an import has committed: the first report then
     * finds it ready). */
    cxm_rc (*col_refresh)(cxm_store *st);
    /* Deletes the benchmarks of `metric` (with `label` only, when not
     * NULL); *removed: how many. */
    cxm_rc (*remove_benchmarks)(cxm_store *st, const char *metric,
                                const char *label, int64_t *removed);
    /* Records, in the open transaction, that an import supplied `column`
     * of records `kind` ("" for the kind itself; 0009). */
    cxm_rc (*put_supplied)(cxm_store *st, cxm_kind kind, const char *column);
    /* Appends the next definitions version (at least 2); *version_out. */
    cxm_rc (*put_definitions)(cxm_store *st, const char *settings,
                              const char *set_by, const char *note,
                              int64_t at_ms, int *version_out);
    /* Stores `value` for the setting `key`, or forgets it (value NULL). */
    cxm_rc (*put_setting)(cxm_store *st, const char *key, const char *value,
                          int64_t at_ms);
    /* Survey definitions (survey.h): fn for the current version of
     * survey `id` (not removed), or its version `version` when > 0
     * (removed or not), or, with id NULL, the current version of every
     * survey not removed, by id; CXM_ENOTFOUND when `id` has none. */
    cxm_rc (*survey_defs)(cxm_store *st, const char *id, int version,
                          cxm__survey_def_fn fn, void *ud);
    /* Stores text[0..len) as the next version of survey `id` of `kind`,
     * unless it is the text of its current version (*added_out false);
     * *version_out: the version now current. Inside the open
     * transaction. */
    cxm_rc (*put_survey_def)(cxm_store *st, const char *id,
                             const char *kind, const char *text, size_t len,
                             int64_t at_ms, int *version_out,
                             bool *added_out);
    /* Marks the current version of `id` removed at at_ms; CXM_ENOTFOUND
     * when it has none. */
    cxm_rc (*remove_survey_def)(cxm_store *st, const char *id,
                                int64_t at_ms);
    /* Alert rules and firings (0017-alerts.sql; src/alert/): the rules
     * not removed, by id; a new rule (*id_out); a rule marked removed
     * (CXM_ENOTFOUND when none); a firing stored unless one of its rule,
     * group and window is (*added); the firings of rule_id (0: all), by
     * window, rule, group. Optional: CXM_ENOTBUILT, "this engine keeps
     * no alerts". */
    cxm_rc (*alert_rules)(cxm_store *st, cxm__rule_row_fn fn, void *ud);
    cxm_rc (*put_alert_rule)(cxm_store *st, const struct cxm__rule_row *r,
                             int64_t *id_out);
    cxm_rc (*remove_alert_rule)(cxm_store *st, int64_t id, int64_t at_ms);
    cxm_rc (*put_alert_firing)(cxm_store *st,
                               const struct cxm__firing_row *f,
                               bool *added, int64_t *id_out);
    cxm_rc (*alert_firings)(cxm_store *st, int64_t rule_id,
                            cxm__firing_row_fn fn, void *ud);
    /* Comments (cxmeter/comments.h): every stored answer with a comment
     * that q selects, newest first, source "responses"; then, with
     * text_fn, every string answer of a submission not held, with its
     * invitation's survey and version, whose text is no comment of an
     * answer of the same invitation (src/survey/comments.c keeps those
     * of text questions). Optional: CXM_ENOTBUILT. */
    cxm_rc (*comments)(cxm_store *st, const struct cxm_comment_query *q,
                       cxm_comment_fn fn, cxm__sub_text_fn text_fn,
                       void *ud);
    /* Dashboard accounts (0016): fn for the account `name`, or with name
     * NULL for every account by name; CXM_ENOTFOUND when `name` has none. */
    cxm_rc (*users)(cxm_store *st, const char *name, cxm__user_fn fn,
                    void *ud);
    /* Adds the account (CXM_EINPUT, with a message, when the name is
     * taken), or with `replace` sets the password hash (and the role, when
     * not NULL) of an existing one (CXM_ENOTFOUND when there is none). */
    cxm_rc (*put_user)(cxm_store *st, const char *name, const char *role,
                       const char *password_hash, int64_t at_ms,
                       bool replace);
    /* Removes the account and its sessions; CXM_ENOTFOUND. */
    cxm_rc (*remove_user)(cxm_store *st, const char *name);
    /* Stores a session: the digest of its id, its user, its end. */
    cxm_rc (*put_session)(cxm_store *st, const uint8_t *id_hash, size_t len,
                          const char *user, int64_t at_ms,
                          int64_t expires_ms);
    /* fn for the account of the session `id_hash` that has not ended by
     * now_ms; CXM_ENOTFOUND when there is none. */
    cxm_rc (*session_user)(cxm_store *st, const uint8_t *id_hash,
                           size_t len, int64_t now_ms, cxm__user_fn fn,
                           void *ud);
    /* Ends the session id_hash (when not NULL), every session of `user`
     * (when not NULL), and forgets every session ended before now_ms. */
    cxm_rc (*remove_sessions)(cxm_store *st, const uint8_t *id_hash,
                              size_t len, const char *user, int64_t now_ms);
    /* Failed logins by `kind` ("user", "ip") and key: record one at
     * at_ms; count those at or after since_ms; forget the key's (key
     * not NULL) and every one before since_ms. */
    cxm_rc (*put_login_failure)(cxm_store *st, const char *kind,
                                const char *key, int64_t at_ms);
    cxm_rc (*login_failures)(cxm_store *st, const char *kind,
                             const char *key, int64_t since_ms,
                             int64_t *count);
    cxm_rc (*clear_login_failures)(cxm_store *st, const char *kind,
                                   const char *key, int64_t since_ms);
    /* The answers and the tickets behind a figure (struct cxm__drill). */
    cxm_rc (*drill_answers)(cxm_store *st, const struct cxm__drill *q,
                            cxm__drill_answer_fn fn, void *ud);
    cxm_rc (*drill_tickets)(cxm_store *st, const struct cxm__drill *q,
                            cxm__drill_ticket_fn fn, void *ud);
    /* A number that changes whenever another connection (another
     * process: an import) has committed to the store since the last call
     * (SQLite's PRAGMA data_version); the dashboard's report cache keys
     * on it. NULL: CXM_ENOTBUILT (nothing is cached). */
    cxm_rc (*data_version)(cxm_store *st, int64_t *out);
};

struct cxm_store {
    const struct cxm__store_ops *ops;
    void *impl;          /* the engine's own state */
    int64_t workspace_id;
    int schema_version;
    bool read_only;         /* opened read-only: no migration, no write */
    struct cxm__buf errmsg; /* last engine message */
    /* Notes for the caller of the running report, one a line: what the
     * engine did that the caller should hear of (a damaged derived form
     * read around or rebuilt: docs/store.md, "Damage"); the report takes
     * them as warnings (cxm__store_take_notes()). */
    struct cxm__buf notes;
};

/* Sets st->errmsg to `msg` (a failure to do so is benign: the message is
 * then empty). */
void cxm__store_set_error(cxm_store *st, const char *msg);
/* Adds a note (printf format; a note already held is not repeated; a
 * failure to keep it is benign). */
void cxm__store_note(cxm_store *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Calls fn for each note held, in order, and forgets them. */
cxm_rc cxm__store_take_notes(cxm_store *st,
                             cxm_rc (*fn)(const char *note, void *ud),
                             void *ud);

extern const struct cxm__store_ops cxm__sqlite_ops;

CXM_MUST_USE cxm_rc cxm__store_begin(cxm_store *st);
CXM_MUST_USE cxm_rc cxm__store_commit(cxm_store *st);
void cxm__store_rollback(cxm_store *st);
/* An import of `kind` has put its last row: called before
 * cxm__store_commit(), in the same transaction, so that what the engine
 * derives from the rows once per import (indexes, daily rollups) commits
 * or rolls back with them. */
CXM_MUST_USE cxm_rc cxm__store_import_end(cxm_store *st, cxm_kind kind);
CXM_MUST_USE cxm_rc cxm__store_put(cxm_store *st, cxm_kind kind,
                                   const struct cxm__value *vals);
/* Stores n_rows rows, vals[0..n_rows * n_cols) of `kind`, in order (a
 * later row replaces an earlier one with the same key): the same as
 * n_rows calls of cxm__store_put(), in fewer engine round trips. */
/* A bound of the stored records of `kind`, at least their count, found
 * without counting them (a report's row budget); INT64_MAX when the
 * engine keeps none. */
CXM_MUST_USE cxm_rc cxm__store_records_bound(cxm_store *st, cxm_kind kind,
                                             int64_t *out);
CXM_MUST_USE cxm_rc cxm__store_put_rows(cxm_store *st, cxm_kind kind,
                                        const struct cxm__value *vals,
                                        size_t n_rows);
/* The earliest and latest event timestamps of SPEC §2 (created_at,
 * responded_at, started_at, ordered_at, posted_at); *found false if none. */
CXM_MUST_USE cxm_rc cxm__store_time_range(cxm_store *st, bool *found,
                                          int64_t *min, int64_t *max);
/* Every ticket, in no particular order. */
CXM_MUST_USE cxm_rc cxm__store_scan_tickets(cxm_store *st, cxm__ticket_fn fn,
                                            void *ud);
/* Every response with responded_at in [from, to). */
CXM_MUST_USE cxm_rc cxm__store_scan_responses(cxm_store *st, int64_t from,
                                              int64_t to,
                                              cxm__response_fn fn, void *ud);

/* Rollups (struct cxm__store_ops). */
CXM_MUST_USE cxm_rc cxm__store_rollup_cube(cxm_store *st, int grain,
                                           unsigned dims, int *cube);
CXM_MUST_USE cxm_rc cxm__store_responses_between(cxm_store *st, int64_t from,
                                                 int64_t to, bool *any);
CXM_MUST_USE cxm_rc cxm__store_scan_rollup(cxm_store *st, int grain,
                                           int cube, int64_t from_t,
                                           int64_t to_t, cxm__rollup_fn fn,
                                           void *ud);

CXM_MUST_USE cxm_rc cxm__store_rollups_clean(cxm_store *st, bool *clean);
CXM_MUST_USE cxm_rc cxm__store_rollup_cells(cxm_store *st, int grain,
                                            int cube, int64_t from_t,
                                            int64_t to_t, int64_t limit,
                                            int64_t *cells);
CXM_MUST_USE cxm_rc cxm__store_segment_answers(cxm_store *st, int64_t from_t,
                                               int64_t to_t,
                                               int64_t *answers);
CXM_MUST_USE cxm_rc cxm__store_col_dict(cxm_store *st, cxm__coldict_fn fn,
                                        void *ud);
CXM_MUST_USE cxm_rc cxm__store_col_segments(cxm_store *st, int64_t from_t,
                                            int64_t to_t, cxm__colseg_fn fn,
                                            void *ud);
/* A failure is only that: the copy is a cache (see col_refresh). */
cxm_rc cxm__store_col_refresh(cxm_store *st);

/* Benchmarks (struct cxm__store_ops). */
CXM_MUST_USE cxm_rc cxm__store_put_benchmark(cxm_store *st,
                                             const char *metric,
                                             const char *label, double value,
                                             int64_t at_ms);
CXM_MUST_USE cxm_rc cxm__store_remove_benchmarks(cxm_store *st,
                                                 const char *metric,
                                                 const char *label,
                                                 int64_t *removed);

/* The scales the stored answers of `survey` ("csat", "nps", "ces") are
 * on, each once (src/report/benchmark.c); the SPEC default scale alone, and
 * *stored false, when no answer of it is stored. At most
 * CXM__MAX_SCALES: beyond, the last one widens to take in the rest. */
#define CXM__MAX_SCALES 16
struct cxm__scales {
    int n;
    bool stored;
    int lo[CXM__MAX_SCALES], hi[CXM__MAX_SCALES];
};
CXM_MUST_USE cxm_rc cxm__survey_scales(cxm_store *st, const char *survey,
                                       struct cxm__scales *out);
/* Records, inside the import's transaction, that the import supplied
 * records of `kind` with the (optional) column `column`, or the kind
 * itself when column is "" (src/store/sqlite/sql/0009-supplied.sql): a report tells a
 * figure whose input was never supplied (null) from one of zero. */
CXM_MUST_USE cxm_rc cxm__store_put_supplied(cxm_store *st, cxm_kind kind,
                                            const char *column);

/* Survey definitions (struct cxm__store_ops; src/survey/survey_store.c). */
CXM_MUST_USE cxm_rc cxm__store_survey_defs(cxm_store *st, const char *id,
                                           int version,
                                           cxm__survey_def_fn fn, void *ud);
CXM_MUST_USE cxm_rc cxm__store_put_survey_def(cxm_store *st, const char *id,
                                              const char *kind,
                                              const char *text, size_t len,
                                              int64_t at_ms, int *version_out,
                                              bool *added_out);
CXM_MUST_USE cxm_rc cxm__store_remove_survey_def(cxm_store *st,
                                                 const char *id,
                                                 int64_t at_ms);

/* Alerts and comments (struct cxm__store_ops; src/store/alert_store.c):
 * CXM_ENOTBUILT, with the store's message set, when the engine keeps
 * none. */
CXM_MUST_USE cxm_rc cxm__store_alert_rules(cxm_store *st,
                                           cxm__rule_row_fn fn, void *ud);
CXM_MUST_USE cxm_rc cxm__store_put_alert_rule(cxm_store *st,
                                              const struct cxm__rule_row *r,
                                              int64_t *id_out);
CXM_MUST_USE cxm_rc cxm__store_remove_alert_rule(cxm_store *st, int64_t id,
                                                 int64_t at_ms);
CXM_MUST_USE cxm_rc cxm__store_put_alert_firing(
    cxm_store *st, const struct cxm__firing_row *f, bool *added,
    int64_t *id_out);
CXM_MUST_USE cxm_rc cxm__store_alert_firings(cxm_store *st, int64_t rule_id,
                                             cxm__firing_row_fn fn,
                                             void *ud);
CXM_MUST_USE cxm_rc cxm__store_comments(cxm_store *st,
                                        const struct cxm_comment_query *q,
                                        cxm_comment_fn fn,
                                        cxm__sub_text_fn text_fn, void *ud);
/* The dashboard (struct cxm__store_ops; src/http/auth.c, dash*.c). */
CXM_MUST_USE cxm_rc cxm__store_users(cxm_store *st, const char *name,
                                     cxm__user_fn fn, void *ud);
CXM_MUST_USE cxm_rc cxm__store_put_user(cxm_store *st, const char *name,
                                        const char *role,
                                        const char *password_hash,
                                        int64_t at_ms, bool replace);
CXM_MUST_USE cxm_rc cxm__store_remove_user(cxm_store *st, const char *name);
CXM_MUST_USE cxm_rc cxm__store_put_session(cxm_store *st,
                                           const uint8_t *id_hash,
                                           size_t len, const char *user,
                                           int64_t at_ms, int64_t expires_ms);
CXM_MUST_USE cxm_rc cxm__store_session_user(cxm_store *st,
                                            const uint8_t *id_hash,
                                            size_t len, int64_t now_ms,
                                            cxm__user_fn fn, void *ud);
CXM_MUST_USE cxm_rc cxm__store_remove_sessions(cxm_store *st,
                                               const uint8_t *id_hash,
                                               size_t len, const char *user,
                                               int64_t now_ms);
CXM_MUST_USE cxm_rc cxm__store_put_login_failure(cxm_store *st,
                                                 const char *kind,
                                                 const char *key,
                                                 int64_t at_ms);
CXM_MUST_USE cxm_rc cxm__store_login_failures(cxm_store *st,
                                              const char *kind,
                                              const char *key,
                                              int64_t since_ms,
                                              int64_t *count);
CXM_MUST_USE cxm_rc cxm__store_clear_login_failures(cxm_store *st,
                                                    const char *kind,
                                                    const char *key,
                                                    int64_t since_ms);
CXM_MUST_USE cxm_rc cxm__store_drill_answers(cxm_store *st,
                                             const struct cxm__drill *q,
                                             cxm__drill_answer_fn fn,
                                             void *ud);
CXM_MUST_USE cxm_rc cxm__store_data_version(cxm_store *st, int64_t *out);
CXM_MUST_USE cxm_rc cxm__store_drill_tickets(cxm_store *st,
                                             const struct cxm__drill *q,
                                             cxm__drill_ticket_fn fn,
                                             void *ud);

/* Runs the named query `id`, calling fn for each row. */
CXM_MUST_USE cxm_rc cxm__store_query(cxm_store *st, enum cxm__query id,
                                     cxm__row_fn fn, void *ud);

/* The window of an import into `st` at `now_ms`: from `earliest` (a
 * date, NULL: the store's import.earliest) to the end of the day
 * `horizon_years` (NULL: the store's import.horizon_years) years after
 * now's UTC day (config.c). Returns CXM_OK, CXM_EINPUT for a bad value
 * (*why says which key takes what), CXM_ESTORE, CXM_ENOMEM. */
/* The timestamp window of an import into `st` now: the store's settings,
 * or opts' earliest and horizon_years when given (import_sink.c). */
CXM_MUST_USE cxm_rc cxm__import_window(cxm_store *st,
                                       const struct cxm_import_opts *opts,
                                       struct cxm__window *win);
CXM_MUST_USE cxm_rc cxm__config_window(cxm_store *st, const char *earliest,
                                       const char *horizon_years,
                                       int64_t now_ms,
                                       struct cxm__window *out,
                                       const char **why);

#endif /* CXM_STORE_INT_H */
