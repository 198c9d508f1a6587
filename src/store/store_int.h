/* SPDX-License-Identifier: MIT
 *
 * store_int.h — private: the store handle and the engine interface behind
 * it. store.c parses the DSN and dispatches through struct cxm__store_ops;
 * each engine (src/store/sqlite, the test engine src/store/rowtest, later
 * src/store/pg) fills one table. No SQL text lives outside the engine
 * files, and how an engine keeps what it keeps (rollups, segments) is its
 * own: the report asks for rows, named queries and answer groups.
 */
#ifndef CXM_STORE_INT_H
#define CXM_STORE_INT_H

#include "internal.h"

struct cxm__value;  /* one value of a row (record.h) */
struct cxm__msum;   /* exact sums of durations (msum.h) */
struct cxm__qsketch; /* a duration sketch (qsketch.h) */
struct cxm__tz;     /* a time zone (tz.h) */
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
    /* agent_id T, team T (the agent's), date I, hours R: the dates in the
     * period [from, to) (cxm__store_query_span()), by agent and date */
    CXM__Q_AGENT_HOURS,
    /* posted_at I, rating R, scale_max R, source T, language T */
    CXM__Q_REVIEWS,
    /* when I (reviewed_at, else the ticket's resolved_at, else its
     * created_at), score R, max_score R, agent_id T, team T, channel T,
     * topic T, segment T, reviewer T, ticket_id T: the scores whose `when`
     * is in the period [from, to) (cxm__store_query_span()), by ticket_id
     * and reviewer */
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
    /* sent_at I, answered I (0/1), survey T, channel T, language T,
     * agent_id T, team T, has_ticket I (0/1), its ticket's status T and
     * tags T: every invitation sent (the outbox, 0013) */
    CXM__Q_INVITATIONS,
    /* CXM__Q_AGENT_HOURS of one agent (cxm__store_query_agent()): a
     * report whose where names the agent reads only theirs */
    CXM__Q_AGENT_HOURS_OF,
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

/* ---- Survey answers by group (the answer_groups hook) ----------------
 *
 * A report asks the engine for the sufficient statistics of the csat, nps
 * and ces answers of a breakdown over a period; the engine answers from
 * whatever it keeps (the SQLite engine: rollup cells, column segments or
 * the rows, whichever costs least) and calls back once per group, survey
 * kind and scale with a histogram of scores. The report buckets time
 * itself, from an instant the engine hands back inside every time bucket
 * of the group, so an engine may hand back finer groups than asked (one
 * answer each, at the extreme) without changing a figure. */

/* The time bucketing of a breakdown (the time dimensions of cxm_dim): UTC,
 * or the zone of the query; weeks are ISO weeks (Monday).
 *   X(id, the cxm_dim, its name) */
#define CXM__GRAIN_MAP(X)                                                  \
    X(DAY, CXM_BY_DAY, "day")                                              \
    X(WEEK, CXM_BY_WEEK, "week")                                           \
    X(MONTH, CXM_BY_MONTH, "month")                                        \
    X(QUARTER, CXM_BY_QUARTER, "quarter")                                  \
    X(YEAR, CXM_BY_YEAR, "year")
#define CXM__GRAIN_ENUM(id, dim, name) CXM__GRAIN_##id,
enum cxm__grain { CXM__GRAIN_MAP(CXM__GRAIN_ENUM) CXM__GRAIN_COUNT };
#undef CXM__GRAIN_ENUM

/* The dimensions of an answer (SPEC §2 attribution: agent, team, channel
 * and topic from its ticket where it lacks them, team from its agent);
 * survey is the survey kind ("csat", "nps", "ces"), segment its
 * customer's. X(id, the cxm_dim, its name) */
#define CXM__ANSWER_DIM_MAP(X)                                             \
    X(AGENT, CXM_BY_AGENT, "agent")                                        \
    X(TEAM, CXM_BY_TEAM, "team")                                           \
    X(CHANNEL, CXM_BY_CHANNEL, "channel")                                  \
    X(LANGUAGE, CXM_BY_LANGUAGE, "language")                               \
    X(TOPIC, CXM_BY_TOPIC, "topic")                                        \
    X(SURVEY, CXM_BY_SURVEY, "survey")                                     \
    X(SEGMENT, CXM_BY_SEGMENT, "segment")
#define CXM__ADIM_ENUM(id, dim, name) CXM__ADIM_##id,
enum cxm__answer_dim { CXM__ANSWER_DIM_MAP(CXM__ADIM_ENUM) CXM__ADIM_COUNT };
#undef CXM__ADIM_ENUM

/* A set of dimensions: a breakdown. */
#define CXM__ADIMS_ENUM(id, dim, name)                                     \
    CXM__ADIMS_##id = 1u << CXM__ADIM_##id,
enum cxm__answer_dims {
    CXM__ADIMS_NONE = 0,
    CXM__ANSWER_DIM_MAP(CXM__ADIMS_ENUM)
};
#undef CXM__ADIMS_ENUM

/* The cxm_dim of a grain and of an answer's dimension, and their names
 * (src/store/answers.c); whether cxm_dim d is one of them. */
cxm_dim cxm__grain_dim(enum cxm__grain g);
const char *cxm__grain_name(enum cxm__grain g);
bool cxm__grain_of(cxm_dim d, enum cxm__grain *out);
cxm_dim cxm__adim_dim(enum cxm__answer_dim a);
const char *cxm__adim_name(enum cxm__answer_dim a);
bool cxm__adim_of(cxm_dim d, enum cxm__answer_dim *out);

/* Whose answer it is (definitions rating.agent). */
enum cxm__answer_agent {
    CXM__AGENT_RESPONSE, /* the answer's own agent (attributed) */
    CXM__AGENT_TICKET    /* its ticket's assignee, where it has one */
};

/* How the engine read the answers (report --explain). */
enum cxm__answer_path {
    CXM__PATH_NONE,    /* not read */
    CXM__PATH_ROWS,    /* the joined rows */
    CXM__PATH_ROLLUPS, /* rollup cells (days, months, years, all time) */
    CXM__PATH_COLUMNS, /* column segments */
    CXM__PATH_PUSHDOWN /* grouped by the database server (detail: which) */
};

/* Answers excluded with their ticket (definitions exclude.*): the
 * ticket's status and tags, either NULL when missing. */
typedef bool (*cxm__answer_excluded_fn)(const void *ud, const char *status,
                                        const char *tags);

struct cxm__answer_query {
    int64_t from, to; /* responded_at in [from, to) */
    /* The time buckets of the breakdown, in zone `zone` (NULL: UTC). */
    enum cxm__grain grain[CXM__GRAIN_COUNT];
    size_t n_grains;
    const struct cxm__tz *zone;
    enum cxm__answer_dims dims; /* the other dimensions of the breakdown */
    enum cxm__answer_agent agent;
    /* NULL: no answer is excluded; else an answer whose ticket is stored
     * and excluded(excluded_ud, status, tags) counts nowhere. */
    cxm__answer_excluded_fn excluded;
    const void *excluded_ud;
    cxm_read read; /* --read: auto, columns (else rows), rows */
    /* Per dimension of `dims`: the one value the report keeps (its
     * where), or NULL. The engine may leave the other groups out (the
     * report drops them in any case). */
    const char *where[CXM__ADIM_COUNT];
};

/* One group's answers of one survey kind and scale: hist[k] answers
 * scored lo + k, k in [0, n_bins) (the scale [scale_min, scale_max], or
 * a part of it). dim[] the group's values of the query's dimensions (NULL
 * or "" when missing; the others may be set or not), `at` an instant
 * inside every time bucket of the group (and inside [from, to)).
 * Borrowed for the duration of the callback. */
struct cxm__answer_group {
    const char *dim[CXM__ADIM_COUNT];
    int64_t at;
    bool same_group; /* dim[] and at as in the previous call (another
                        survey kind or scale of the same group) */
    const char *survey; /* = dim[CXM__ADIM_SURVEY] */
    int scale_min, scale_max;
    int lo;
    size_t n_bins;
    const int64_t *hist;
};

typedef cxm_rc (*cxm__answer_group_fn)(const struct cxm__answer_group *g,
                                       void *ud);

/* What answered: the path, and what of it the engine names for --explain
 * (static text or NULL; the SQLite engine's rollups: which cells, "days",
 * "months", "years", "years and months", "all time"). */
struct cxm__answer_how {
    enum cxm__answer_path path;
    const char *detail;
};


/* ---- Ticket events by group (the ticket_groups hook) -----------------
 *
 * The ticket metrics' sufficient statistics, as answer_groups is the
 * answers': an engine keeping a derived form of its tickets hands back
 * groups of their events instead of every row. The report asks only when
 * the definitions are ones the form follows (no exclusions, no business
 * calendars, fcr.rule contacts or one_touch, no metric joining customers'
 * orders; report_scan.c), and falls back to scan_tickets when the engine
 * does not serve (*served false). Time is bucketed by the report from
 * `at`, as for answers: an engine may hand back finer groups than asked,
 * down to one event each. */

/* The dimensions of a ticket (its team from its agent when it has none,
 * its segment from its customer). */
enum cxm__ticket_dim {
    CXM__TDIM_AGENT,
    CXM__TDIM_TEAM,
    CXM__TDIM_CHANNEL,
    CXM__TDIM_TOPIC,
    CXM__TDIM_SEGMENT,
    CXM__TDIM_COUNT
};

struct cxm__ticket_query {
    /* Events in [from, to) count; the backlog's steps are wanted from the
     * start of the data up to `to`. */
    int64_t from, to;
    /* The time buckets of the breakdown, in zone `zone` (NULL: UTC). */
    enum cxm__grain grain[CXM__GRAIN_COUNT];
    size_t n_grains;
    const struct cxm__tz *zone;
    unsigned dims;              /* 1u << enum cxm__ticket_dim, wanted */
    bool want_backlog;          /* the backlog's steps */
    bool want_art, want_frt;    /* the durations */
    cxm_read read;
    /* Per dimension of `dims`: the one value the report keeps (its
     * where), or NULL. The engine may leave the other groups out (the
     * report drops them in any case). */
    const char *where[CXM__TDIM_COUNT];
};

/* A group of ticket events: dim[] its values ("" when missing; the ones
 * not in q->dims may be anything), `at` an instant inside every time
 * bucket of the group. in_period: at is in [from, to) and the counts and
 * durations are of events then; else only opened/closed are to be read.
 * Durations are in milliseconds; the sketches (seconds, qsketch.h) NULL
 * when the group has none or they were not wanted. Borrowed for the
 * duration of the callback. */
struct cxm__ticket_group {
    const char *dim[CXM__TDIM_COUNT];
    int64_t at;
    bool in_period;
    int64_t created, created_resolved, escalated, complaints;
    int64_t resolved;
    int64_t fcr;       /* resolved; contacts 1 (or missing), not reopened */
    int64_t fcr_touch; /* resolved; fewer than two replies, else as fcr */
    int64_t with_agent; /* resolved, with an agent */
    /* Backlog steps at `at`: tickets created (+1) and closed (−1, at
     * max(created_at, resolved_at)) */
    int64_t opened, closed;
    const struct cxm__msum *art_ms, *frt_ms;   /* NULL: none */
    const struct cxm__qsketch *art, *frt;      /* NULL: none */
    /* session_groups: self-service sessions started, and resolved, in
     * the period (dim[] topic and segment only) */
    int64_t sessions, sessions_resolved;
};

/* ---- QA scores by group (the qa_groups hook) --------------------------
 *
 * qa_score's sufficient statistics (SPEC §2: a score counts at its
 * reviewed_at, else its ticket's resolved_at, else its created_at, in the
 * ticket's dimensions) from a derived form the engine keeps: n and the
 * exact sums (fsum.h) of 100 × score / max_score and of its square. Asked
 * with a cxm__ticket_query (dims, grains, zone, read) when the ticket
 * groups would be; *served false: the report reads the rows (CXM__Q_QA). */
struct cxm__fsum;
struct cxm__qa_group {
    const char *dim[CXM__TDIM_COUNT];
    int64_t at;
    int64_t n;
    const struct cxm__fsum *sum, *sum_sq;
};

typedef cxm_rc (*cxm__qa_group_fn)(const struct cxm__qa_group *g, void *ud);

/* A QA score's value, 100 × score / max_score (max_score NULL: 100);
 * false when it counts nowhere (max_score <= 0). One computation for the
 * rows and the cells. */
static inline bool cxm__qa_value(double score, bool max_null, double max,
                                 double *x)
{
    if (max_null)
        max = 100;
    if (max <= 0)
        return false;
    *x = 100.0 * score / max;
    return true;
}

/* ticket_groups' *detail when the engine's server grouped the tickets
 * (no derived form kept): the report names it as the tickets' source. */
#define CXM__TICKETS_PUSHDOWN "postgresql push-down"

typedef cxm_rc (*cxm__ticket_group_fn)(const struct cxm__ticket_group *g,
                                       void *ud);

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
/* ---- Sending surveys (src/send/, 0013-sending.sql). Strings of the
 * structs below are borrowed: for the duration of a callback, or of the
 * call they are handed to. */

/* A rule: which survey goes out on which channel, delay_ms after the
 * moment — "resolved" (a ticket resolved; for tickets of `team`, NULL:
 * every team), "order" (an order), "new_customer" (its acquisition),
 * "quiet" (delay_ms after a customer's last order, ticket or
 * acquisition), "segment" (a one-off send to the customers of `segment`,
 * delay_ms after the rule was added). */
struct cxm__send_rule {
    int64_t id;
    const char *moment, *survey, *channel, *team, *segment;
    int64_t delay_ms, created_at;
};

/* Which moments send_moments() finds: `moment` (a rule's moment) whose
 * time is in [from, to), not decided under `key` (the outbox's moment:
 * the rule's moment, or "segment:ID"), at most `limit`; `segment` for a
 * one-off send. */
struct cxm__moment_query {
    const char *moment, *key, *segment;
    int64_t from, to, limit;
};
typedef cxm_rc (*cxm__send_rule_fn)(const struct cxm__send_rule *r,
                                    void *ud);

/* A moment no rule has decided on yet: a ticket resolved at `at` (or an
 * order, a customer; the ticket's fields NULL then), with its customer's
 * contact details (NULL when missing). */
struct cxm__send_moment {
    const char *moment, *subject_id;
    const char *ticket_id, *customer_id, *agent_id, *team, *channel;
    const char *email, *phone, *language;
    int64_t at;
};
typedef cxm_rc (*cxm__send_moment_fn)(const struct cxm__send_moment *m,
                                      void *ud);

/* One row of the outbox: a message (kind "invite" or "reminder") or a
 * skipped moment (status "skipped", reason). rule_id 0: none. */
struct cxm__outbox_row {
    int64_t id;
    const char *kind, *moment, *subject_id, *status, *reason;
    int64_t rule_id;
    const char *invitation_id, *survey, *language, *channel, *recipient;
    const char *ticket_id, *customer_id, *agent_id, *team;
    int64_t created_at, due_at, attempts, claimed_at, sent_at;
    bool answered; /* read: its invitation has an answer */
    int64_t opened_at; /* read: its page first opened after it was sent */
};
typedef cxm_rc (*cxm__outbox_fn)(const struct cxm__outbox_row *r, void *ud);

/* What survey fatigue looks at for one customer and address. */
struct cxm__send_facts {
    bool unsubscribed;     /* the customer or the address, ever */
    bool has_last;
    int64_t last_due_at;   /* the invite to the customer (not skipped or
                              failed) due nearest to `near` */
    int64_t day_count;     /* invites not skipped or failed due in the day */
};

/* ---- The survey service's records (0012-invitations.sql; src/survey/
 * invite.c, export.c). */

/* An invitation and, when has_answers, its submission. Borrowed. */
struct cxm__invitation_row {
    const char *id, *survey_id, *language;
    const char *ticket_id, *customer_id, *agent_id, *team, *channel;
    int survey_version;
    int64_t created_at, expires_at;
    bool has_answers;
    int64_t first_at, updated_at, submitted_at; /* submitted_at 0: not */
    bool held;
    int edits;
    const char *answers; /* a JSON object's text; NULL without answers */
};
typedef cxm_rc (*cxm__invitation_fn)(const struct cxm__invitation_row *r,
                                     void *ud);
/* One API token: revoked_at 0 while it is live. */
typedef cxm_rc (*cxm__api_token_fn)(const char *name, int64_t created_at,
                                    int64_t revoked_at, void *ud);
/* The savepoints of the server's writer (src/http/writer.c). */
enum cxm__savepoint { CXM__SP_BEGIN, CXM__SP_ROLLBACK, CXM__SP_RELEASE };
/* Advice from the server to an engine's connection (src/http/readers.c):
 * a reader that should not map the file (a mapped connection remaps it
 * after every other connection's commit); the writer's commits leave
 * copying the log into the file to another connection (off, back on);
 * that connection copies now what no reader still needs; the dashboard's
 * report connection keeps a small page cache (store_sqlite_invite.c
 * says why). */
enum cxm__tuning {
    CXM__TUNE_READER,
    CXM__TUNE_REPORTS,
    CXM__TUNE_WRITER_NO_CHECKPOINT,
    CXM__TUNE_WRITER_CHECKPOINT,
    CXM__TUNE_CHECKPOINT_NOW,
};
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
 *   answer_groups: the answers read from scan_responses, one group an
 *   answer (cxm__answer_rows()), path rows;
 *   survey_defs, put_survey_def, remove_survey_def: CXM_ENOTBUILT, "this
 *   engine keeps no survey definitions";
 *   alert_rules, put_alert_rule, remove_alert_rule, put_alert_firing,
 *   alert_firings, comments: CXM_ENOTBUILT, "the ENGINE engine keeps no
 *   alerts" (or comments; alert_store.c);
 *   users … drill_tickets, data_version (the dashboard's): CXM_ENOTBUILT,
 *   "this engine keeps no dashboard accounts". */
struct cxm__store_ops {
    const char *name; /* "sqlite" | "postgresql" */
    /* The engine's migrations in its own dialect, in order, ended by
     * {NULL, NULL} (src/store/<engine>/sql/NNNN-name.sql, embedded). */
    const struct cxm__embedded *migrations;
    /* Optional (NULL: none needed): takes (on) or releases a lock that
     * keeps two processes from migrating one store at once. */
    cxm_rc (*lock_schema)(cxm_store *st, bool on);
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
    /* [from, to): the period of a query that takes one (named_sql.h),
     * ignored by the others; agent: the agent_id of one that takes it. */
    cxm_rc (*query)(cxm_store *st, enum cxm__query id, int64_t from,
                    int64_t to, const char *agent, cxm__row_fn fn,
                    void *ud);
    cxm_rc (*put_benchmark)(cxm_store *st, const char *metric,
                            const char *label, double value, int64_t at_ms);
    /* Recounts what the engine derives from the rows (inside the open
     * write transaction, just before it commits). */
    cxm_rc (*rollup_flush)(cxm_store *st);
    /* The statistics of the groups of q (struct cxm__answer_query): fn
     * once per group, survey kind and scale; *how: what answered. A
     * derived form found damaged is read around (with a note,
     * cxm__store_note()), never half used: fn sees each answer once. */
    cxm_rc (*answer_groups)(cxm_store *st, const struct cxm__answer_query *q,
                            cxm__answer_group_fn fn, void *ud,
                            struct cxm__answer_how *how);
    /* Optional: the ticket events of q by group (struct
     * cxm__ticket_query): fn once per group; *served false (nothing
     * handed over) when the engine's derived form cannot answer q or is
     * not current, and the caller scans the tickets; *detail a static
     * word for --explain. A damaged form is read around with a note. */
    cxm_rc (*ticket_groups)(cxm_store *st, const struct cxm__ticket_query *q,
                            cxm__ticket_group_fn fn, void *ud, bool *served,
                            const char **detail);
    /* Optional: QA scores by group (struct cxm__qa_group), as
     * ticket_groups; *detail names what was read. */
    cxm_rc (*qa_groups)(cxm_store *st, const struct cxm__ticket_query *q,
                        cxm__qa_group_fn fn, void *ud, bool *served,
                        const char **detail);
    /* Optional: the same for self-service sessions by started_at (q's
     * dims: topic, segment; no backlog or durations). */
    cxm_rc (*session_groups)(cxm_store *st,
                             const struct cxm__ticket_query *q,
                             cxm__ticket_group_fn fn, void *ud, bool *served);
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
    /* Sending surveys (src/send/; all NULL or all set; NULL: CXM_ENOTBUILT,
     * "this engine keeps no outbox", cxm__store_sends()). In the open
     * transaction where they write. */
    /* Adds a rule (r->id ignored); *id_out its id. */
    cxm_rc (*put_send_rule)(cxm_store *st, const struct cxm__send_rule *r,
                            int64_t *id_out);
    /* Removes rule `id`; CXM_ENOTFOUND when there is none. */
    cxm_rc (*remove_send_rule)(cxm_store *st, int64_t id, int64_t at_ms);
    /* The rules, oldest first. */
    cxm_rc (*send_rules)(cxm_store *st, cxm__send_rule_fn fn, void *ud);
    /* The moments of q without an outbox decision, oldest first. */
    cxm_rc (*send_moments)(cxm_store *st, const struct cxm__moment_query *q,
                           cxm__send_moment_fn fn, void *ud);
    /* The facts of fatigue for `customer_id` and `address` (either may
     * be NULL) around `near`, and the count of the day [day_from, day_to).
     */
    cxm_rc (*send_facts)(cxm_store *st, const char *customer_id,
                         const char *address, int64_t near, int64_t day_from,
                         int64_t day_to, struct cxm__send_facts *out);
    /* Adds an outbox row (r->id, attempts, claimed_at, sent_at ignored). */
    cxm_rc (*outbox_put)(cxm_store *st, const struct cxm__outbox_row *r,
                         int64_t *id_out);
    /* Marks the queued message due first (due_at <= now), or one left
     * "sending" with claimed_at < stale_before, "sending" (attempts + 1,
     * claimed_at now) and hands it to fn; *found false when none. */
    cxm_rc (*outbox_claim)(cxm_store *st, int64_t now, int64_t stale_before,
                           cxm__outbox_fn fn, void *ud, bool *found);
    /* Sets a row's status and reason (NULL: none), due_at, sent_at (0:
     * unchanged). */
    cxm_rc (*outbox_update)(cxm_store *st, int64_t id, const char *status,
                            const char *reason, int64_t due_at,
                            int64_t sent_at);
    /* The rows with `status` (NULL: any) of ticket `ticket_id` (NULL:
     * any), oldest first. */
    cxm_rc (*outbox_scan)(cxm_store *st, const char *status,
                          const char *ticket_id, cxm__outbox_fn fn,
                          void *ud);
    /* Keeps the digest of a new link to invitation `invitation_id`. */
    cxm_rc (*put_invitation_link)(cxm_store *st, const char *invitation_id,
                                  const unsigned char *hash, size_t len,
                                  int64_t at_ms);
    /* Unsubscribes the customer and the addresses of invitation
     * `invitation_id` (*found false when it has neither). */
    cxm_rc (*put_unsubscribe)(cxm_store *st, const char *invitation_id,
                              int64_t at_ms, bool *found);
    /* The survey service (src/survey/invite.c; all NULL or all set;
     * NULL: CXM_ENOTBUILT, "this engine keeps no invitations",
     * cxm__store_invitations()). Secrets reach the engine as digests. */
    /* Stores a token's digest under `name`; CXM_EINPUT (and the store's
     * message) when the name is in use. */
    cxm_rc (*put_api_token)(cxm_store *st, const char *name,
                            const unsigned char *hash, size_t len,
                            int64_t at_ms);
    cxm_rc (*api_tokens)(cxm_store *st, cxm__api_token_fn fn, void *ud);
    /* CXM_ENOTFOUND when no live token has the name. */
    cxm_rc (*revoke_api_token)(cxm_store *st, const char *name,
                               int64_t at_ms);
    cxm_rc (*find_api_token)(cxm_store *st, const unsigned char *hash,
                             size_t len, bool *live);
    /* Stores invitation r (its submission fields ignored) with the
     * digest of its link. */
    cxm_rc (*put_invitation)(cxm_store *st,
                             const struct cxm__invitation_row *r,
                             const unsigned char *hash, size_t len);
    /* fn for the invitation one of whose links has digest `hash`
     * (0012's own, or one of invitation_links, 0013), with its
     * submission; CXM_ENOTFOUND when none. */
    cxm_rc (*find_invitation)(cxm_store *st, const unsigned char *hash,
                              size_t len, cxm__invitation_fn fn, void *ud);
    /* Stores (or replaces) the submission fields of r. */
    cxm_rc (*put_submission)(cxm_store *st,
                             const struct cxm__invitation_row *r);
    /* Deletes the responses row `response_id` (an answer taken back). */
    cxm_rc (*remove_response)(cxm_store *st, const char *response_id);
    /* Logs a one-click `score` of invitation `id` at at_ms; *distinct:
     * the different scores logged for it after `since`. */
    cxm_rc (*put_click)(cxm_store *st, const char *id, int64_t at_ms,
                        int score, int64_t since, int64_t *distinct);
    /* Every invitation with a submission, by first answer. */
    cxm_rc (*submissions)(cxm_store *st, cxm__invitation_fn fn, void *ud);
    /* A savepoint inside the open transaction: begin, roll back to,
     * release. */
    cxm_rc (*savepoint)(cxm_store *st, enum cxm__savepoint op);
    /* Optional: how a long-running server uses a connection of the
     * engine (enum cxm__tuning); NULL: the engine needs no such advice. */
    cxm_rc (*tune)(cxm_store *st, enum cxm__tuning how);
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
    /* Optional (NULL: every commit counts as a change): the rows this
     * connection has inserted, updated or deleted since it was opened
     * (SQLite's sqlite3_total_changes64()). The server's writer keeps the
     * dashboard's cached reports after a transaction that moved none (the
     * sender's rounds that found nothing due, every second). */
    int64_t (*changes)(cxm_store *st);
    /* Optional (NULL: nothing is recorded; 0015-outbox-opened.sql): the
     * messages of invitation `invitation_id` sent at or before at_ms and
     * not opened yet are marked opened at at_ms. */
    cxm_rc (*outbox_opened)(cxm_store *st, const char *invitation_id,
                            int64_t at_ms);
    /* Optional (NULL: CXM_ENOTBUILT): a bounce reported after the
     * hand-over. The sent message `id` (0: the one sent last to
     * `recipient`, any case) becomes "bounced" with `reason`, and the
     * queued reminders of its invitation are skipped; *n_out: the
     * messages marked bounced (0: none matched). */
    cxm_rc (*outbox_bounce)(cxm_store *st, int64_t id, const char *recipient,
                            const char *reason, int64_t *n_out);
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
    /* The last failure was a conflict with another connection (another
     * node on one PostgreSQL database: a deadlock, a serialization
     * failure), set by the engine: the same work may succeed when run
     * again in a later transaction (the server's writer does). */
    bool conflict;
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
/* The PostgreSQL engine (src/store/pg/, DSN postgresql://…), in a build
 * with CXM_WITH_PG. */
extern const struct cxm__store_ops cxm__pg_ops;
/* The row-only test engine (src/store/rowtest/, DSN "rowtest:PATH"), in a
 * build with CXM_ROWTEST_ENGINE. */
extern const struct cxm__store_ops cxm__rowtest_ops;

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

/* Survey answers by group (struct cxm__store_ops answer_groups). */
CXM_MUST_USE cxm_rc cxm__store_answer_groups(cxm_store *st,
                                             const struct cxm__answer_query *q,
                                             cxm__answer_group_fn fn,
                                             void *ud,
                                             struct cxm__answer_how *how);
/* Ticket events by group (struct cxm__store_ops ticket_groups); *served
 * false without the hook. */
CXM_MUST_USE cxm_rc cxm__store_ticket_groups(cxm_store *st,
                                             const struct cxm__ticket_query *q,
                                             cxm__ticket_group_fn fn,
                                             void *ud, bool *served,
                                             const char **detail);
/* QA scores by group (struct cxm__store_ops qa_groups); *served false
 * without the hook. */
CXM_MUST_USE cxm_rc cxm__store_qa_groups(cxm_store *st,
                                         const struct cxm__ticket_query *q,
                                         cxm__qa_group_fn fn, void *ud,
                                         bool *served, const char **detail);
/* Self-service sessions by group (struct cxm__store_ops session_groups);
 * *served false without the hook. */
CXM_MUST_USE cxm_rc cxm__store_session_groups(cxm_store *st,
                                              const struct cxm__ticket_query *q,
                                              cxm__ticket_group_fn fn,
                                              void *ud, bool *served);
/* answer_groups from scan_responses (src/store/answers.c): each answer
 * that counts a group of its own; for an engine without derived forms,
 * and for the rows path of one with them. */
CXM_MUST_USE cxm_rc cxm__answer_rows(cxm_store *st,
                                     const struct cxm__answer_query *q,
                                     cxm__answer_group_fn fn, void *ud);

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
/* The `changes` hook: false when the engine does not count them. */
bool cxm__store_changes(cxm_store *st, int64_t *out);
CXM_MUST_USE cxm_rc cxm__store_drill_tickets(cxm_store *st,
                                             const struct cxm__drill *q,
                                             cxm__drill_ticket_fn fn,
                                             void *ud);

/* Runs the named query `id`, calling fn for each row (a query taking a
 * period: over all time, [INT64_MIN, INT64_MAX)). */
CXM_MUST_USE cxm_rc cxm__store_query(cxm_store *st, enum cxm__query id,
                                     cxm__row_fn fn, void *ud);
/* Runs the named query `id` over the period [from, to). */
CXM_MUST_USE cxm_rc cxm__store_query_span(cxm_store *st,
                                          enum cxm__query id, int64_t from,
                                          int64_t to, cxm__row_fn fn,
                                          void *ud);
/* Runs the named query `id` of one agent over the period [from, to). */
CXM_MUST_USE cxm_rc cxm__store_query_agent(cxm_store *st,
                                           enum cxm__query id, int64_t from,
                                           int64_t to, const char *agent,
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

/* CXM_OK when the engine keeps the outbox (the sending hooks), else
 * CXM_ENOTBUILT with the store's message set. */
CXM_MUST_USE cxm_rc cxm__store_sends(cxm_store *st);
/* CXM_OK when the engine keeps the survey service's records, else
 * CXM_ENOTBUILT with the store's message set. */
CXM_MUST_USE cxm_rc cxm__store_invitations(cxm_store *st);
/* A savepoint in the open transaction (the server's writer: each job
 * under its own). */
CXM_MUST_USE cxm_rc cxm__store_savepoint(cxm_store *st,
                                         enum cxm__savepoint op);
/* Advice to the engine (struct cxm__store_ops, tune): CXM_OK when the
 * engine takes none. */
cxm_rc cxm__store_tune(cxm_store *st, enum cxm__tuning how);

#endif /* CXM_STORE_INT_H */
