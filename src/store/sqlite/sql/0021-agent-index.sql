-- 0021-agent-index.sql — an agent's answers and tickets found directly
-- (docs/store.md "Indexes of an agent", docs/performance.md "Agent
-- page"). An answer is the agent's when it names them, or names no agent
-- and its ticket does (SPEC §2, CXM__SQ_ANSWER_AGENT): the agent page's
-- comments and a drill-down filtered by agent read the first through
-- responses_agent and the second through tickets_agent and
-- responses_ticket, instead of walking the period's answers newest first.
-- Numbered 0021: migrations may skip a number (store.c applies those
-- above the store's version, in order).
CREATE INDEX IF NOT EXISTS responses_agent
    ON responses (workspace_id, agent_id, responded_at);
CREATE INDEX IF NOT EXISTS tickets_agent ON tickets (workspace_id, agent_id);
