-- Answer cells counted by day, and a data version per workspace (issue
-- 17, items 2 and 5; src/store/pg/store_pg_cells.c, store_pg_users.c,
-- docs/store.md "The PostgreSQL engine").
--
-- Cells by day. The recount before a commit counts the day cells of the
-- dirty days from the rows and moves their months' cells by the day
-- cells' old and new counts, never a whole month of answers. For that
-- the days keep the agent × team cube (3) as well, which reports still
-- read from months only (as the SQLite engine's). An agent's team change marks the days
-- of the agent's answers, read from those day cells (0003 read the
-- month cells, whose day is the month's first: a day recount needs the
-- very days).

CREATE OR REPLACE FUNCTION cxm_cells_mark_agents() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO answer_cells_dirty (workspace_id, day, xact)
        SELECT DISTINCT c.workspace_id, c.day, txid_current()
        FROM new_rows x JOIN answer_cells c
          ON c.workspace_id = x.workspace_id AND c.grain = 0 AND c.cube = 3
         AND c.agent_id = x.agent_id
        WHERE c.team <> coalesce(x.team, '')
        ON CONFLICT DO NOTHING;
    ELSE
        INSERT INTO answer_cells_dirty (workspace_id, day, xact)
        SELECT DISTINCT c.workspace_id, c.day, txid_current()
        FROM old_rows x JOIN answer_cells c
          ON c.workspace_id = x.workspace_id AND c.grain = 0 AND c.cube = 3
         AND c.agent_id = x.agent_id
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

-- The day cells of the agent × team cube do not exist yet: every day of
-- the answers is to be counted again (by the commit of this migration's
-- transaction, or the next write's), and the agent × team month cells
-- start from nothing, to be moved by those days' new cells (the other
-- months move by their days' old and new cells: 0003 counted both from
-- the same rows). Until then reports push down: there are dirty days.
DELETE FROM answer_cells WHERE grain = 1 AND cube = 3;
INSERT INTO answer_cells_dirty (workspace_id, day, xact)
SELECT DISTINCT workspace_id, cxm_utc_day(responded_at), 0 FROM responses
ON CONFLICT DO NOTHING;

-- The data version (the dashboard's report cache keys on it): per
-- workspace, a number every statement that changes a row of a table the
-- reports read moves, in the statement's own transaction. It lives in
-- the database, so a write through any node moves what every node reads.
-- The service's own tables (sessions, the outbox, invitations, clicks,
-- tokens, alerts) move nothing: reports do not read them; an answer
-- submitted through the service is a row of responses.
CREATE TABLE data_versions (
    workspace_id bigint PRIMARY KEY,
    version bigint NOT NULL
);

CREATE FUNCTION cxm_data_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO data_versions AS v (workspace_id, version)
        SELECT DISTINCT workspace_id, 1 FROM old_rows
        ON CONFLICT (workspace_id) DO UPDATE SET version = v.version + 1;
    ELSE
        INSERT INTO data_versions AS v (workspace_id, version)
        SELECT DISTINCT workspace_id, 1 FROM new_rows
        ON CONFLICT (workspace_id) DO UPDATE SET version = v.version + 1;
    END IF;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tickets', 'responses', 'customers', 'orders',
        'selfservice', 'agents', 'agent_hours', 'reviews', 'qa_scores',
        'record_counts', 'benchmarks', 'definitions', 'settings',
        'supplied_columns', 'surveys']
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I'
                       ' REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT'
                       ' EXECUTE FUNCTION cxm_data_version_bump()',
                       t || '_version_ins', t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I'
                       ' REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT'
                       ' EXECUTE FUNCTION cxm_data_version_bump()',
                       t || '_version_upd', t);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I'
                       ' REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT'
                       ' EXECUTE FUNCTION cxm_data_version_bump()',
                       t || '_version_del', t);
    END LOOP;
END
$$;
