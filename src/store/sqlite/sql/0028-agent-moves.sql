-- 0028-agent-moves.sql — an agents import counts again only what an
-- agent's team changed (docs/store.md "Ticket cells", docs/performance.md
-- "Agents import at 10M"). An agent lends its team to the tickets that
-- name none (coalesce(t.team, a.team)), so the ticket cells (0019) and
-- the QA cells (0023) of those tickets' days change with it. Before,
-- any agent written marked every day of both, and the import wrote every
-- agent again (INSERT OR REPLACE): re-importing 400 unchanged agents
-- recounted every cell of a 10M store, 444 s. Now the import skips an
-- unchanged agent (an upsert whose update has a WHERE, store_sqlite.c)
-- and these triggers mark the days of the agent's tickets without a team
-- (found through tickets_agent_ticket, 0025), and only when the team
-- changed. Numbered 0028: 0026 and 0027 belong to other changes.
DROP TRIGGER IF EXISTS ticket_cells_agents_ins;
DROP TRIGGER IF EXISTS ticket_cells_agents_upd;
DROP TRIGGER IF EXISTS ticket_cells_agents_del;
DROP TRIGGER IF EXISTS qa_cells_agents_ins;
DROP TRIGGER IF EXISTS qa_cells_agents_upd;
DROP TRIGGER IF EXISTS qa_cells_agents_del;

-- The days of agent `a`'s tickets without a team, in workspace `ws`.
CREATE TRIGGER IF NOT EXISTS ticket_cells_agents_ins AFTER INSERT ON agents
BEGIN
    INSERT OR IGNORE INTO ticket_dirty
    SELECT new.workspace_id, (v - (v < 0) * 86399999) / 86400000
    FROM (SELECT created_at AS v FROM tickets
          WHERE workspace_id = new.workspace_id
            AND agent_id = new.agent_id AND team IS NULL
          UNION ALL SELECT resolved_at FROM tickets
          WHERE workspace_id = new.workspace_id
            AND agent_id = new.agent_id AND team IS NULL
          UNION ALL SELECT first_response_at FROM tickets
          WHERE workspace_id = new.workspace_id
            AND agent_id = new.agent_id AND team IS NULL)
    WHERE v IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS ticket_cells_agents_del AFTER DELETE ON agents
BEGIN
    INSERT OR IGNORE INTO ticket_dirty
    SELECT old.workspace_id, (v - (v < 0) * 86399999) / 86400000
    FROM (SELECT created_at AS v FROM tickets
          WHERE workspace_id = old.workspace_id
            AND agent_id = old.agent_id AND team IS NULL
          UNION ALL SELECT resolved_at FROM tickets
          WHERE workspace_id = old.workspace_id
            AND agent_id = old.agent_id AND team IS NULL
          UNION ALL SELECT first_response_at FROM tickets
          WHERE workspace_id = old.workspace_id
            AND agent_id = old.agent_id AND team IS NULL)
    WHERE v IS NOT NULL;
END;
-- An update that leaves the team (hired_at, left_at) changes no cell.
CREATE TRIGGER IF NOT EXISTS ticket_cells_agents_upd AFTER UPDATE ON agents
WHEN old.team IS NOT new.team OR old.agent_id IS NOT new.agent_id
  OR old.workspace_id IS NOT new.workspace_id
BEGIN
    INSERT OR IGNORE INTO ticket_dirty
    SELECT ws, (v - (v < 0) * 86399999) / 86400000
    FROM (SELECT workspace_id AS ws, created_at AS v FROM tickets
          WHERE (workspace_id = old.workspace_id
                 AND agent_id = old.agent_id AND team IS NULL)
             OR (workspace_id = new.workspace_id
                 AND agent_id = new.agent_id AND team IS NULL)
          UNION ALL SELECT workspace_id, resolved_at FROM tickets
          WHERE (workspace_id = old.workspace_id
                 AND agent_id = old.agent_id AND team IS NULL)
             OR (workspace_id = new.workspace_id
                 AND agent_id = new.agent_id AND team IS NULL)
          UNION ALL SELECT workspace_id, first_response_at FROM tickets
          WHERE (workspace_id = old.workspace_id
                 AND agent_id = old.agent_id AND team IS NULL)
             OR (workspace_id = new.workspace_id
                 AND agent_id = new.agent_id AND team IS NULL))
    WHERE v IS NOT NULL;
END;

-- The QA scores of those tickets, on the day of their instant (0023).
CREATE TRIGGER IF NOT EXISTS qa_cells_agents_ins AFTER INSERT ON agents
BEGIN
    INSERT OR IGNORE INTO qa_dirty
    SELECT new.workspace_id, (v - (v < 0) * 86399999) / 86400000
    FROM (SELECT coalesce(q.reviewed_at, t.resolved_at, t.created_at) AS v
          FROM tickets t JOIN qa_scores q
            ON q.workspace_id = t.workspace_id AND q.ticket_id = t.ticket_id
          WHERE t.workspace_id = new.workspace_id
            AND t.agent_id = new.agent_id AND t.team IS NULL)
    WHERE v IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS qa_cells_agents_del AFTER DELETE ON agents
BEGIN
    INSERT OR IGNORE INTO qa_dirty
    SELECT old.workspace_id, (v - (v < 0) * 86399999) / 86400000
    FROM (SELECT coalesce(q.reviewed_at, t.resolved_at, t.created_at) AS v
          FROM tickets t JOIN qa_scores q
            ON q.workspace_id = t.workspace_id AND q.ticket_id = t.ticket_id
          WHERE t.workspace_id = old.workspace_id
            AND t.agent_id = old.agent_id AND t.team IS NULL)
    WHERE v IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS qa_cells_agents_upd AFTER UPDATE ON agents
WHEN old.team IS NOT new.team OR old.agent_id IS NOT new.agent_id
  OR old.workspace_id IS NOT new.workspace_id
BEGIN
    INSERT OR IGNORE INTO qa_dirty
    SELECT ws, (v - (v < 0) * 86399999) / 86400000
    FROM (SELECT t.workspace_id AS ws,
                 coalesce(q.reviewed_at, t.resolved_at, t.created_at) AS v
          FROM tickets t JOIN qa_scores q
            ON q.workspace_id = t.workspace_id AND q.ticket_id = t.ticket_id
          WHERE ((t.workspace_id = old.workspace_id
                  AND t.agent_id = old.agent_id)
              OR (t.workspace_id = new.workspace_id
                  AND t.agent_id = new.agent_id))
            AND t.team IS NULL)
    WHERE v IS NOT NULL;
END;
