-- Rollups of survey answers (issue 3; docs/performance.md, "Rollups").
--
-- rollup_answers holds score histograms of survey answers (csat, nps, ces
-- with a score) per UTC day (grain 0) and per UTC month (grain 1), per
-- survey and scale, on the combinations of the dimensions a cube keeps:
-- per day none, channel, team, team × channel; per month those and
-- agent × team (store_sqlite_rollup.c).
-- t is the cell's first UTC day (days since 1970-01-01). The dimensions are
-- the ones a report sees (SPEC §2: a response without agent, team, channel
-- or topic takes them from its ticket; team falls back to the agent's
-- team); a dimension the cube does not keep is '', and so is a missing
-- value (the report prints it as ""). cube is a bit set over agent (1),
-- team (2), channel (4), language (8), topic (16). hist is the count of
-- answers per score from scale_min to scale_max, little-endian int64s;
-- n their sum.
--
-- Coherence: every UTC day whose answers may have changed goes into
-- rollup_dirty, in the same transaction as the change (below); just
-- before every commit the store recounts the months of those days, both
-- grains, and empties rollup_dirty (store_sqlite_rollup.c). A report reads
-- rollups only when rollup_dirty is empty, so a rollup is never older than
-- the rows it counts.

CREATE TABLE rollup_answers (
    workspace_id INTEGER NOT NULL,
    grain INTEGER NOT NULL,        -- 0 day, 1 month
    cube INTEGER NOT NULL,
    t INTEGER NOT NULL,            -- first UTC day of the cell
    survey TEXT NOT NULL,
    scale_min INTEGER NOT NULL,
    scale_max INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    team TEXT NOT NULL,
    channel TEXT NOT NULL,
    language TEXT NOT NULL,
    topic TEXT NOT NULL,
    n INTEGER NOT NULL,
    hist BLOB NOT NULL,
    PRIMARY KEY (workspace_id, grain, cube, t, survey, scale_min, scale_max,
                 agent_id, team, channel, language, topic)
) WITHOUT ROWID;
-- Months an agent's team change touches (trigger rollup_agents_ins).
CREATE INDEX rollup_answers_agent
    ON rollup_answers (workspace_id, grain, cube, agent_id, t);

CREATE TABLE rollup_dirty (
    workspace_id INTEGER NOT NULL,
    day INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, day)
) WITHOUT ROWID;

-- Rows inserted (or replaced: INSERT OR REPLACE gives the row a new rowid)
-- are found without a trigger: the store notes max(rowid) of responses and
-- tickets when a write transaction begins, and the recount before commit
-- marks the days of the answers at or past those rowids, and of the
-- answers of the tickets at or past them, in one statement each
-- (store_sqlite_rollup.c). A per-row trigger cost ~5 µs a row here.
--
-- What a rowid cannot show is below: the day an answer leaves when it is
-- replaced (the store turns recursive_triggers on, so INSERT OR REPLACE
-- fires the delete trigger of the row it replaces), and rows changed by
-- UPDATE, which keeps rowids.
CREATE TRIGGER rollup_responses_del AFTER DELETE ON responses BEGIN
    INSERT OR IGNORE INTO rollup_dirty VALUES (old.workspace_id,
        (old.responded_at - (old.responded_at < 0) * 86399999) / 86400000);
END;
CREATE TRIGGER rollup_responses_upd AFTER UPDATE ON responses BEGIN
    INSERT OR IGNORE INTO rollup_dirty VALUES (old.workspace_id,
        (old.responded_at - (old.responded_at < 0) * 86399999) / 86400000),
        (new.workspace_id,
        (new.responded_at - (new.responded_at < 0) * 86399999) / 86400000);
END;
CREATE TRIGGER rollup_tickets_upd AFTER UPDATE ON tickets BEGIN
    INSERT OR IGNORE INTO rollup_dirty
    SELECT r.workspace_id,
           (r.responded_at - (r.responded_at < 0) * 86399999) / 86400000
    FROM responses r
    WHERE r.workspace_id = new.workspace_id AND r.ticket_id = new.ticket_id;
END;

-- Agents lend their team to answers without one: the months in which the
-- agent's answers show another team than the agent's (new) team. Over-
-- marking (a team that came from the answer or its ticket) costs a recount,
-- never a wrong figure.
CREATE TRIGGER rollup_agents_ins AFTER INSERT ON agents BEGIN
    INSERT OR IGNORE INTO rollup_dirty
    SELECT DISTINCT workspace_id, t FROM rollup_answers
    WHERE workspace_id = new.workspace_id AND grain = 1 AND cube = 3
      AND agent_id = new.agent_id AND team <> coalesce(new.team, '');
END;
CREATE TRIGGER rollup_agents_upd AFTER UPDATE ON agents BEGIN
    INSERT OR IGNORE INTO rollup_dirty
    SELECT DISTINCT workspace_id, t FROM rollup_answers
    WHERE workspace_id = new.workspace_id AND grain = 1 AND cube = 3
      AND agent_id = new.agent_id AND team <> coalesce(new.team, '');
END;
-- No delete trigger: agents are only replaced (INSERT OR REPLACE fires the
-- insert trigger with the new team) or updated, never removed.

-- A store that already holds answers: every day of them is to be counted.
INSERT OR IGNORE INTO rollup_dirty
SELECT DISTINCT workspace_id,
       (responded_at - (responded_at < 0) * 86399999) / 86400000
FROM responses;

-- The period of a report without --from/--to is the data's own range
-- (SPEC §2): an index per event time answers it in a probe per table.
CREATE INDEX selfservice_started ON selfservice (workspace_id, started_at);
CREATE INDEX orders_ordered ON orders (workspace_id, ordered_at);
CREATE INDEX reviews_posted ON reviews (workspace_id, posted_at);
