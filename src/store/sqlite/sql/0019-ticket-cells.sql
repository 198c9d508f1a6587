-- 0019-ticket-cells.sql — the ticket metrics' derived form
-- (store_sqlite_tickets.c, docs/store.md "Ticket cells").
--
-- ticket_cells: per UTC day (day = floor(ms / 86400000)) and cube (the
-- dimensions it keeps; the others are ''), the sufficient statistics of
-- the tickets' events of that day: created (and of those resolved at any
-- time, escalated, complaints), resolved (and of those first-contact under
-- the contacts rule and under one-touch, and with an agent), the backlog's
-- steps (opened: created that day; closed: max(created_at, resolved_at)
-- that day), and the durations of the tickets resolved that day (art) and
-- first answered that day (frt): their exact sums in milliseconds (sum,
-- and the sum of squares as two 64-bit halves) and their quantile sketch
-- (qsketch.h blob, NULL when none). sum is the cell's XXH64 of all that.
-- Dimensions are those of the ticket scan (team from the agent when the
-- ticket has none, segment from the customer); NULL is kept as ''.
CREATE TABLE IF NOT EXISTS ticket_cells (
    workspace_id INTEGER NOT NULL,
    cube INTEGER NOT NULL,
    day INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    team TEXT NOT NULL,
    channel TEXT NOT NULL,
    topic TEXT NOT NULL,
    segment TEXT NOT NULL,
    created INTEGER NOT NULL,
    created_resolved INTEGER NOT NULL,
    escalated INTEGER NOT NULL,
    complaints INTEGER NOT NULL,
    resolved INTEGER NOT NULL,
    fcr INTEGER NOT NULL,
    fcr_touch INTEGER NOT NULL,
    with_agent INTEGER NOT NULL,
    opened INTEGER NOT NULL,
    closed INTEGER NOT NULL,
    art_sum INTEGER NOT NULL,
    art_sq_hi INTEGER NOT NULL,
    art_sq_lo INTEGER NOT NULL,
    art BLOB,
    frt_sum INTEGER NOT NULL,
    frt_sq_hi INTEGER NOT NULL,
    frt_sq_lo INTEGER NOT NULL,
    frt BLOB,
    checksum INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, cube, day, agent_id, team, channel, topic,
                 segment)
) WITHOUT ROWID;

-- Days whose cells must be counted again before they are read; day
-- -9223372036854775808: every day (a new store, a store from before this
-- migration, an agent's team or a customer's segment changed).
CREATE TABLE IF NOT EXISTS ticket_dirty (
    workspace_id INTEGER NOT NULL,
    day INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, day)
) WITHOUT ROWID;

-- The recount reads a day's tickets by any of their three timestamps.
CREATE INDEX IF NOT EXISTS tickets_first_response
    ON tickets (workspace_id, first_response_at);

-- Inserted tickets are found by rowid at the recount (as for rollups,
-- 0004); a replaced ticket leaves its old days (recursive_triggers is on,
-- so INSERT OR REPLACE fires the delete trigger) and an UPDATE both.
CREATE TRIGGER IF NOT EXISTS ticket_cells_del AFTER DELETE ON tickets BEGIN
    INSERT OR IGNORE INTO ticket_dirty
    SELECT old.workspace_id, (v - (v < 0) * 86399999) / 86400000
    FROM (SELECT old.created_at AS v UNION ALL SELECT old.resolved_at
          UNION ALL SELECT old.first_response_at)
    WHERE v IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS ticket_cells_upd AFTER UPDATE ON tickets BEGIN
    INSERT OR IGNORE INTO ticket_dirty
    SELECT ws, (v - (v < 0) * 86399999) / 86400000
    FROM (SELECT old.workspace_id AS ws, old.created_at AS v
          UNION ALL SELECT old.workspace_id, old.resolved_at
          UNION ALL SELECT old.workspace_id, old.first_response_at
          UNION ALL SELECT new.workspace_id, new.created_at
          UNION ALL SELECT new.workspace_id, new.resolved_at
          UNION ALL SELECT new.workspace_id, new.first_response_at)
    WHERE v IS NOT NULL;
END;

-- Agents lend their team to tickets without one: a stored agent changed
-- counts every day again when tickets are stored (tickets have no index by
-- agent; an agents import is rare beside tickets). Customers lend their
-- segment: the days of the customer's tickets (index tickets_customer).
CREATE TRIGGER IF NOT EXISTS ticket_cells_agents_ins AFTER INSERT ON agents
BEGIN
    INSERT OR IGNORE INTO ticket_dirty
    SELECT new.workspace_id, -9223372036854775808
    WHERE EXISTS (SELECT 1 FROM tickets
                  WHERE workspace_id = new.workspace_id);
END;
CREATE TRIGGER IF NOT EXISTS ticket_cells_agents_upd AFTER UPDATE ON agents
BEGIN
    INSERT OR IGNORE INTO ticket_dirty
    SELECT new.workspace_id, -9223372036854775808
    WHERE EXISTS (SELECT 1 FROM tickets
                  WHERE workspace_id = new.workspace_id);
END;
CREATE TRIGGER IF NOT EXISTS ticket_cells_agents_del AFTER DELETE ON agents
BEGIN
    INSERT OR IGNORE INTO ticket_dirty
    SELECT old.workspace_id, -9223372036854775808
    WHERE EXISTS (SELECT 1 FROM tickets
                  WHERE workspace_id = old.workspace_id);
END;
CREATE TRIGGER IF NOT EXISTS ticket_cells_customers_ins
AFTER INSERT ON customers BEGIN
    INSERT OR IGNORE INTO ticket_dirty
    SELECT new.workspace_id, (v - (v < 0) * 86399999) / 86400000
    FROM (SELECT created_at AS v FROM tickets
          WHERE workspace_id = new.workspace_id
            AND customer_id = new.customer_id
          UNION ALL SELECT resolved_at FROM tickets
          WHERE workspace_id = new.workspace_id
            AND customer_id = new.customer_id
          UNION ALL SELECT first_response_at FROM tickets
          WHERE workspace_id = new.workspace_id
            AND customer_id = new.customer_id)
    WHERE v IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS ticket_cells_customers_del
AFTER DELETE ON customers BEGIN
    INSERT OR IGNORE INTO ticket_dirty
    SELECT old.workspace_id, (v - (v < 0) * 86399999) / 86400000
    FROM (SELECT created_at AS v FROM tickets
          WHERE workspace_id = old.workspace_id
            AND customer_id = old.customer_id
          UNION ALL SELECT resolved_at FROM tickets
          WHERE workspace_id = old.workspace_id
            AND customer_id = old.customer_id
          UNION ALL SELECT first_response_at FROM tickets
          WHERE workspace_id = old.workspace_id
            AND customer_id = old.customer_id)
    WHERE v IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS ticket_cells_customers_upd
AFTER UPDATE ON customers BEGIN
    INSERT OR IGNORE INTO ticket_dirty
    SELECT new.workspace_id, -9223372036854775808;
END;

-- A store from before this migration counts every day at its next write.
INSERT OR IGNORE INTO ticket_dirty
SELECT DISTINCT workspace_id, -9223372036854775808 FROM tickets;

-- session_cells: self-service sessions per UTC day by started_at, cube 1
-- by topic and segment (the customer's; NULL kept as ''), cube 0 in all:
-- sessions and those resolved (selfservice_rate, deflection_rate). An
-- import of sessions or customers counts them all again (one GROUP BY);
-- session_dirty: the workspaces whose cells are not current.
CREATE TABLE IF NOT EXISTS session_cells (
    workspace_id INTEGER NOT NULL,
    cube INTEGER NOT NULL,
    day INTEGER NOT NULL,
    topic TEXT NOT NULL,
    segment TEXT NOT NULL,
    sessions INTEGER NOT NULL,
    resolved INTEGER NOT NULL,
    checksum INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, cube, day, topic, segment)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS session_dirty (
    workspace_id INTEGER NOT NULL PRIMARY KEY
);
INSERT OR IGNORE INTO session_dirty
SELECT DISTINCT workspace_id FROM selfservice;
