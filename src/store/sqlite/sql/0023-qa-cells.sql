-- 0023-qa-cells.sql — qa_score's derived form (store_sqlite_qa.c,
-- docs/store.md "QA cells").
--
-- qa_cells: per UTC day of a score's instant (SPEC §2: its reviewed_at,
-- else its ticket's resolved_at, else its created_at) and cube (the
-- ticket cells' cubes: the dimensions kept, the others ''), the scores'
-- n and the exact sums (fsum.h partials: 8-byte little-endian doubles,
-- the first the sum apart of non-finite values) of 100 × score /
-- max_score and of its square. Dimensions are the ticket's (team from
-- its agent when it has none, segment from its customer); NULL kept as
-- ''. checksum: the cell's XXH64 of all that.
CREATE TABLE IF NOT EXISTS qa_cells (
    workspace_id INTEGER NOT NULL,
    cube INTEGER NOT NULL,
    day INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    team TEXT NOT NULL,
    channel TEXT NOT NULL,
    topic TEXT NOT NULL,
    segment TEXT NOT NULL,
    n INTEGER NOT NULL,
    sum BLOB NOT NULL,
    sum_sq BLOB NOT NULL,
    checksum INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, cube, day, agent_id, team, channel, topic,
                 segment)
) WITHOUT ROWID;

-- Days whose QA cells must be counted again before they are read (as
-- ticket_dirty); day -9223372036854775808: every day.
CREATE TABLE IF NOT EXISTS qa_dirty (
    workspace_id INTEGER NOT NULL,
    day INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, day)
) WITHOUT ROWID;

-- A score stored, replaced or deleted: the day of its instant.
CREATE TRIGGER IF NOT EXISTS qa_cells_ins AFTER INSERT ON qa_scores BEGIN
    INSERT OR IGNORE INTO qa_dirty
    SELECT new.workspace_id, (v - (v < 0) * 86399999) / 86400000
    FROM (SELECT coalesce(new.reviewed_at,
                          (SELECT coalesce(t.resolved_at, t.created_at)
                           FROM tickets t
                           WHERE t.workspace_id = new.workspace_id
                             AND t.ticket_id = new.ticket_id)) AS v)
    WHERE v IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS qa_cells_del AFTER DELETE ON qa_scores BEGIN
    INSERT OR IGNORE INTO qa_dirty
    SELECT old.workspace_id, (v - (v < 0) * 86399999) / 86400000
    FROM (SELECT coalesce(old.reviewed_at,
                          (SELECT coalesce(t.resolved_at, t.created_at)
                           FROM tickets t
                           WHERE t.workspace_id = old.workspace_id
                             AND t.ticket_id = old.ticket_id)) AS v)
    WHERE v IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS qa_cells_upd AFTER UPDATE ON qa_scores BEGIN
    INSERT OR IGNORE INTO qa_dirty
    SELECT ws, (v - (v < 0) * 86399999) / 86400000
    FROM (SELECT old.workspace_id AS ws,
                 coalesce(old.reviewed_at,
                          (SELECT coalesce(t.resolved_at, t.created_at)
                           FROM tickets t
                           WHERE t.workspace_id = old.workspace_id
                             AND t.ticket_id = old.ticket_id)) AS v
          UNION ALL
          SELECT new.workspace_id,
                 coalesce(new.reviewed_at,
                          (SELECT coalesce(t.resolved_at, t.created_at)
                           FROM tickets t
                           WHERE t.workspace_id = new.workspace_id
                             AND t.ticket_id = new.ticket_id)))
    WHERE v IS NOT NULL;
END;

-- A ticket stored, replaced, changed or deleted: the day of each of its
-- scores, at its old and its new times (its agent, team, channel and
-- topic are every score's; its times the unreviewed ones').
-- recursive_triggers is on: INSERT OR REPLACE fires the delete trigger.
CREATE TRIGGER IF NOT EXISTS qa_cells_tickets_ins AFTER INSERT ON tickets
BEGIN
    INSERT OR IGNORE INTO qa_dirty
    SELECT q.workspace_id,
           (v - (v < 0) * 86399999) / 86400000
    FROM (SELECT q.workspace_id,
                 coalesce(q.reviewed_at, new.resolved_at, new.created_at)
                     AS v
          FROM qa_scores q
          WHERE q.workspace_id = new.workspace_id
            AND q.ticket_id = new.ticket_id) AS q
    WHERE v IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS qa_cells_tickets_del AFTER DELETE ON tickets
BEGIN
    INSERT OR IGNORE INTO qa_dirty
    SELECT q.workspace_id,
           (v - (v < 0) * 86399999) / 86400000
    FROM (SELECT q.workspace_id,
                 coalesce(q.reviewed_at, old.resolved_at, old.created_at)
                     AS v
          FROM qa_scores q
          WHERE q.workspace_id = old.workspace_id
            AND q.ticket_id = old.ticket_id) AS q
    WHERE v IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS qa_cells_tickets_upd AFTER UPDATE ON tickets
BEGIN
    INSERT OR IGNORE INTO qa_dirty
    SELECT q.workspace_id,
           (v - (v < 0) * 86399999) / 86400000
    FROM (SELECT q.workspace_id,
                 coalesce(q.reviewed_at, old.resolved_at, old.created_at)
                     AS v
          FROM qa_scores q
          WHERE q.workspace_id = old.workspace_id
            AND q.ticket_id = old.ticket_id
          UNION ALL
          SELECT q.workspace_id,
                 coalesce(q.reviewed_at, new.resolved_at, new.created_at)
          FROM qa_scores q
          WHERE q.workspace_id = new.workspace_id
            AND q.ticket_id = new.ticket_id) AS q
    WHERE v IS NOT NULL;
END;

-- A customer lends its segment: the days of its tickets' scores
-- (tickets_customer, then qa_scores by key).
CREATE TRIGGER IF NOT EXISTS qa_cells_customers_ins
AFTER INSERT ON customers BEGIN
    INSERT OR IGNORE INTO qa_dirty
    SELECT new.workspace_id, (v - (v < 0) * 86399999) / 86400000
    FROM (SELECT coalesce(q.reviewed_at, t.resolved_at, t.created_at) AS v
          FROM tickets t JOIN qa_scores q
            ON q.workspace_id = t.workspace_id AND q.ticket_id = t.ticket_id
          WHERE t.workspace_id = new.workspace_id
            AND t.customer_id = new.customer_id)
    WHERE v IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS qa_cells_customers_del
AFTER DELETE ON customers BEGIN
    INSERT OR IGNORE INTO qa_dirty
    SELECT old.workspace_id, (v - (v < 0) * 86399999) / 86400000
    FROM (SELECT coalesce(q.reviewed_at, t.resolved_at, t.created_at) AS v
          FROM tickets t JOIN qa_scores q
            ON q.workspace_id = t.workspace_id AND q.ticket_id = t.ticket_id
          WHERE t.workspace_id = old.workspace_id
            AND t.customer_id = old.customer_id)
    WHERE v IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS qa_cells_customers_upd
AFTER UPDATE ON customers BEGIN
    INSERT OR IGNORE INTO qa_dirty
    SELECT new.workspace_id, -9223372036854775808
    WHERE EXISTS (SELECT 1 FROM qa_scores
                  WHERE workspace_id = new.workspace_id);
END;

-- An agent lends its team to tickets without one: every day (when the
-- workspace has scores).
CREATE TRIGGER IF NOT EXISTS qa_cells_agents_ins AFTER INSERT ON agents
BEGIN
    INSERT OR IGNORE INTO qa_dirty
    SELECT new.workspace_id, -9223372036854775808
    WHERE EXISTS (SELECT 1 FROM qa_scores
                  WHERE workspace_id = new.workspace_id);
END;
CREATE TRIGGER IF NOT EXISTS qa_cells_agents_upd AFTER UPDATE ON agents
BEGIN
    INSERT OR IGNORE INTO qa_dirty
    SELECT new.workspace_id, -9223372036854775808
    WHERE EXISTS (SELECT 1 FROM qa_scores
                  WHERE workspace_id = new.workspace_id);
END;
CREATE TRIGGER IF NOT EXISTS qa_cells_agents_del AFTER DELETE ON agents
BEGIN
    INSERT OR IGNORE INTO qa_dirty
    SELECT old.workspace_id, -9223372036854775808
    WHERE EXISTS (SELECT 1 FROM qa_scores
                  WHERE workspace_id = old.workspace_id);
END;

-- A store from before this migration counts every day at its next write
-- (until then qa_score is read from the rows).
INSERT OR IGNORE INTO qa_dirty
SELECT DISTINCT workspace_id, -9223372036854775808 FROM qa_scores;
