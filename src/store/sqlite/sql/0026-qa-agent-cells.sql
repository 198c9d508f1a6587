-- 0026-qa-agent-cells.sql — an agent's QA cells side by side (docs/store.md
-- "QA cells", docs/performance.md "Agent page cards at 10M"). A report
-- filtered by agent (the agent page) reads the cells of the cubes keeping
-- the agent (5: agent × team, 7: agent × team × channel) of that agent
-- only. In qa_cells' key (cube, day, agent, …) those lie one a day, each
-- on a page of its own among the other agents': at 10M tickets a
-- quarter's were ~180 pages read for ~160 cells. This index holds those
-- two cubes' cells whole (a covering index), in the order (cube, agent,
-- day, …): the agent's cells of a period are a few neighbouring pages.
-- Written with the table (a recount's deletes and inserts); the report's
-- statement names `cube IN (5, 7)` so that SQLite may use it.
CREATE INDEX IF NOT EXISTS qa_cells_agent
    ON qa_cells (workspace_id, cube, agent_id, day, team, channel, topic,
                 segment, n, sum, sum_sq, checksum)
    WHERE cube IN (5, 7);
