-- 0025-agent-answers.sql — an agent's answers that name no agent, found
-- from the agent's tickets without reading a row (docs/store.md "Indexes
-- of an agent"). tickets_agent gains the ticket id (covering: the
-- drill-down reads the agent's ticket ids from the index alone), and
-- responses_unattributed holds only the answers naming no agent, by
-- ticket and time, so each of the agent's tickets is one probe that
-- reads no answer outside the period. The agent page's comments at 10M
-- answers: ~1.6 s → tens of ms (docs/performance.md "Agent comments").
DROP INDEX IF EXISTS tickets_agent;
CREATE INDEX IF NOT EXISTS tickets_agent_ticket
    ON tickets (workspace_id, agent_id, ticket_id);
CREATE INDEX IF NOT EXISTS responses_unattributed
    ON responses (workspace_id, ticket_id, responded_at)
    WHERE agent_id IS NULL;
