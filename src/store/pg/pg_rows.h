/* SPDX-License-Identifier: MIT
 *
 * pg_rows.h — private to the PostgreSQL engine: its hooks for the rows
 * of the nine record kinds and what a report reads (store_pg_rows.c),
 * imports (store_pg_import.c) and survey answers grouped on the server
 * (store_pg_answers.c). store_pg.c puts them in the ops table.
 */
#ifndef CXM_PG_ROWS_H
#define CXM_PG_ROWS_H

#include "pg_int.h"

#define CXM__PG_ROW_OPS                                                    \
    .put = cxm__pg_put, .put_rows = cxm__pg_put_rows,                      \
    .import_end = cxm__pg_import_end,                                      \
    .rollup_flush = cxm__pg_rollup_flush,                                  \
    .records_bound = cxm__pg_records_bound,                                \
    .time_range = cxm__pg_time_range,                                      \
    .scan_tickets = cxm__pg_scan_tickets,                                  \
    .scan_responses = cxm__pg_scan_responses, .query = cxm__pg_query_rows, \
    .put_benchmark = cxm__pg_put_benchmark,                                \
    .remove_benchmarks = cxm__pg_remove_benchmarks,                        \
    .put_supplied = cxm__pg_put_supplied,                                  \
    .put_definitions = cxm__pg_put_definitions,                            \
    .put_setting = cxm__pg_put_setting,                                    \
    .answer_groups = cxm__pg_answer_groups

/* ---- store_pg_tickets.c: ticket events and self-service sessions by
 * group, pushed down to the server (store_int.h, "Ticket events by
 * group"); *detail CXM__TICKETS_PUSHDOWN. */
cxm_rc cxm__pg_ticket_groups(cxm_store *st, const struct cxm__ticket_query *q,
                             cxm__ticket_group_fn fn, void *ud, bool *served,
                             const char **detail);
cxm_rc cxm__pg_session_groups(cxm_store *st,
                              const struct cxm__ticket_query *q,
                              cxm__ticket_group_fn fn, void *ud,
                              bool *served);

/* ---- store_pg_import.c: storing rows --------------------------------
 *
 * An import's rows are copied (COPY) into a staging table of their kind,
 * a temporary table of the connection, and go into the kind's table at
 * the import's end with one INSERT … ON CONFLICT, in the import's
 * transaction: the last row of a key wins, as in SQLite's INSERT OR
 * REPLACE. Whatever is still staged is stored before any read of this
 * engine and before every commit (cxm__pg_flush), so nothing staged is
 * ever out of sight or lost. */
cxm_rc cxm__pg_put(cxm_store *st, cxm_kind kind,
                   const struct cxm__value *vals);
cxm_rc cxm__pg_put_rows(cxm_store *st, cxm_kind kind,
                        const struct cxm__value *vals, size_t n_rows);
cxm_rc cxm__pg_import_end(cxm_store *st, cxm_kind kind);
/* Stores every staged row. */
cxm_rc cxm__pg_flush(cxm_store *st);
/* cxm__pg_flush() when rows are staged: every read calls it first. */
static inline cxm_rc cxm__pg_staged_in(cxm_store *st)
{
    return cxm__pg_of(st)->staged ? cxm__pg_flush(st) : CXM_OK;
}

/* ---- store_pg_rows.c: reading rows, the small tables ---------------- */
cxm_rc cxm__pg_records_bound(cxm_store *st, cxm_kind kind, int64_t *out);
cxm_rc cxm__pg_time_range(cxm_store *st, bool *found, int64_t *min,
                          int64_t *max);
cxm_rc cxm__pg_scan_tickets(cxm_store *st, cxm__ticket_fn fn, void *ud);
cxm_rc cxm__pg_scan_responses(cxm_store *st, int64_t from, int64_t to,
                              cxm__response_fn fn, void *ud);
cxm_rc cxm__pg_query_rows(cxm_store *st, enum cxm__query id, int64_t from,
                          int64_t to, const char *agent, cxm__row_fn fn,
                          void *ud);
cxm_rc cxm__pg_put_benchmark(cxm_store *st, const char *metric,
                             const char *label, double value, int64_t at_ms);
cxm_rc cxm__pg_remove_benchmarks(cxm_store *st, const char *metric,
                                 const char *label, int64_t *removed);
cxm_rc cxm__pg_put_supplied(cxm_store *st, cxm_kind kind,
                            const char *column);
cxm_rc cxm__pg_put_definitions(cxm_store *st, const char *settings,
                               const char *set_by, const char *note,
                               int64_t at_ms, int *version_out);
cxm_rc cxm__pg_put_setting(cxm_store *st, const char *key,
                           const char *value, int64_t at_ms);
/* An integer a report reads, clamped to the SPEC's four-digit years as
 * the SQLite engine clamps it (no difference of two can overflow). */
int64_t cxm__pg_read_int(const PGresult *res, int row, int col);

/* The SQL of an answer's dimensions (SPEC §2 attribution: from its
 * ticket where it lacks them, the team from its agent), over responses r
 * LEFT JOIN tickets t (CXM__PG_ANSWER_FROM), as the SQLite engine's. */
#define CXM__PG_ANSWER_AGENT "coalesce(r.agent_id, t.agent_id)"
/* The team: the answer's, its ticket's, or its agent's (agents are keyed
 * by agent id: one at most). CXM__PG_ANSWER_TEAM looks the agent up per
 * answer; where many answers are read, CXM__PG_ANSWER_TEAM_JOINED reads
 * it from agents a, joined by CXM__PG_ANSWER_AGENTS. */
#define CXM__PG_ANSWER_TEAM                                                \
    "coalesce(r.team, t.team,"                                             \
    " (SELECT a.team FROM agents a WHERE a.workspace_id = r.workspace_id"  \
    "  AND a.agent_id = " CXM__PG_ANSWER_AGENT "))"
#define CXM__PG_ANSWER_TEAM_JOINED "coalesce(r.team, t.team, a.team)"
#define CXM__PG_ANSWER_AGENTS                                              \
    " LEFT JOIN agents a ON a.workspace_id = r.workspace_id"              \
    "  AND a.agent_id = " CXM__PG_ANSWER_AGENT
#define CXM__PG_ANSWER_CHANNEL "coalesce(r.channel, t.channel)"
#define CXM__PG_ANSWER_LANGUAGE "r.language"
#define CXM__PG_ANSWER_TOPIC "t.topic"
#define CXM__PG_ANSWER_CUSTOMER "coalesce(r.customer_id, t.customer_id)"
#define CXM__PG_ANSWER_FROM                                                \
    " FROM responses r LEFT JOIN tickets t"                                \
    "  ON t.workspace_id = r.workspace_id AND t.ticket_id = r.ticket_id"

/* ---- store_pg_answers.c: answers by group, pushed down -------------- */
cxm_rc cxm__pg_answer_groups(cxm_store *st,
                             const struct cxm__answer_query *q,
                             cxm__answer_group_fn fn, void *ud,
                             struct cxm__answer_how *how);

/* ---- store_pg_cells.c: the answer cells (sql/0003-cells.sql) --------
 *
 * cxm__pg_rollup_flush: the staged rows (cxm__pg_flush), then, in a
 * store open for writing, the cells of every dirty day of the workspace
 * counted again; the rollup_flush hook, just before every commit.
 * cxm__pg_cell_groups: when the cells can answer q (*done), row_fn once
 * per row of the columns of store_pg_answers.c's statement, *detail
 * "days" or "months" (--explain); `starts` the
 * bucket starts' array literal, NULL when there are none or too many. */
cxm_rc cxm__pg_rollup_flush(cxm_store *st);
cxm_rc cxm__pg_cell_groups(cxm_store *st, const struct cxm__answer_query *q,
                           const char *starts, bool *done,
                           const char **detail, cxm__pg_row_fn row_fn,
                           void *row_ud);

#endif
