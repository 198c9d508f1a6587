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

-- The days an agent's team changes: those of the agent's tickets without
-- a team (their created, resolved and first answered instants), and of
-- those tickets' QA scores (the score's instant, 0023). A trigger's
-- condition on workspace and agent is pushed into each branch, which
-- reads tickets_agent_ticket (the unary + keeps the pushed `v IS NOT
-- NULL` off the timestamps' indexes, which would walk every ticket).
CREATE VIEW IF NOT EXISTS agent_ticket_days (workspace_id, agent_id, day) AS
SELECT workspace_id, agent_id, (v - (v < 0) * 86399999) / 86400000
FROM (SELECT workspace_id, agent_id, +created_at AS v FROM tickets
      WHERE team IS NULL
      UNION ALL SELECT workspace_id, agent_id, +resolved_at FROM tickets
      WHERE team IS NULL
      UNION ALL SELECT workspace_id, agent_id, +first_response_at
      FROM tickets WHERE team IS NULL)
WHERE v IS NOT NULL;
CREATE VIEW IF NOT EXISTS agent_score_days (workspace_id, agent_id, day) AS
SELECT workspace_id, agent_id, (v - (v < 0) * 86399999) / 86400000
FROM (SELECT t.workspace_id, t.agent_id,
             coalesce(q.reviewed_at, t.resolved_at, t.created_at) AS v
      FROM tickets t JOIN qa_scores q
        ON q.workspace_id = t.workspace_id AND q.ticket_id = t.ticket_id
      WHERE t.team IS NULL)
WHERE v IS NOT NULL;

CREATE TRIGGER IF NOT EXISTS ticket_cells_agents_ins AFTER INSERT ON agents
BEGIN
    INSERT OR IGNORE INTO ticket_dirty
    SELECT workspace_id, day FROM agent_ticket_days
    WHERE workspace_id = new.workspace_id AND agent_id = new.agent_id;
END;
CREATE TRIGGER IF NOT EXISTS ticket_cells_agents_del AFTER DELETE ON agents
BEGIN
    INSERT OR IGNORE INTO ticket_dirty
    SELECT workspace_id, day FROM agent_ticket_days
    WHERE workspace_id = old.workspace_id AND agent_id = old.agent_id;
END;
-- An update that leaves the team (hired_at, left_at) changes no cell.
CREATE TRIGGER IF NOT EXISTS ticket_cells_agents_upd AFTER UPDATE ON agents
WHEN old.team IS NOT new.team OR old.agent_id IS NOT new.agent_id
  OR old.workspace_id IS NOT new.workspace_id
BEGIN
    INSERT OR IGNORE INTO ticket_dirty
    SELECT workspace_id, day FROM agent_ticket_days
    WHERE workspace_id = old.workspace_id AND agent_id = old.agent_id;
    INSERT OR IGNORE INTO ticket_dirty
    SELECT workspace_id, day FROM agent_ticket_days
    WHERE workspace_id = new.workspace_id AND agent_id = new.agent_id;
END;
CREATE TRIGGER IF NOT EXISTS qa_cells_agents_ins AFTER INSERT ON agents
BEGIN
    INSERT OR IGNORE INTO qa_dirty
    SELECT workspace_id, day FROM agent_score_days
    WHERE workspace_id = new.workspace_id AND agent_id = new.agent_id;
END;
CREATE TRIGGER IF NOT EXISTS qa_cells_agents_del AFTER DELETE ON agents
BEGIN
    INSERT OR IGNORE INTO qa_dirty
    SELECT workspace_id, day FROM agent_score_days
    WHERE workspace_id = old.workspace_id AND agent_id = old.agent_id;
END;
CREATE TRIGGER IF NOT EXISTS qa_cells_agents_upd AFTER UPDATE ON agents
WHEN old.team IS NOT new.team OR old.agent_id IS NOT new.agent_id
  OR old.workspace_id IS NOT new.workspace_id
BEGIN
    INSERT OR IGNORE INTO qa_dirty
    SELECT workspace_id, day FROM agent_score_days
    WHERE workspace_id = old.workspace_id AND agent_id = old.agent_id;
    INSERT OR IGNORE INTO qa_dirty
    SELECT workspace_id, day FROM agent_score_days
    WHERE workspace_id = new.workspace_id AND agent_id = new.agent_id;
END;
