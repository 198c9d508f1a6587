/* SPDX-License-Identifier: MIT
 *
 * store_pg.c — the PostgreSQL engine's table of hooks (cxm__pg_ops,
 * DSN postgresql://… or postgres://…): the same contract as the SQLite
 * engine behind struct cxm__store_ops (store_int.h), with migrations in
 * its own dialect (sql/NNNN-name.sql) run under an advisory lock.
 */
#include "internal.h"

#include "pg_rows.h"
#include "pg_service.h"

const struct cxm__store_ops cxm__pg_ops = {
    .name = "postgresql",
    CXM__PG_CONN_OPS,
    /* rows, reports, imports, answers by group (pg_rows.h) */
    CXM__PG_ROW_OPS,
    /* ticket events and sessions by group (store_pg_tickets.c) */
    .ticket_groups = cxm__pg_ticket_groups,
    .session_groups = cxm__pg_session_groups,
    /* surveys, alerts, sending, invitations, the dashboard
     * (pg_service.h) */
    CXM__PG_SERVICE_OPS,
};
