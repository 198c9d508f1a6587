-- Answer cells: the PostgreSQL engine's derived form of survey answers
-- (issue 17, item 2; src/store/pg/store_pg_cells.c, docs/store.md "The
-- PostgreSQL engine"), the counterpart of the SQLite engine's day cells
-- (its 0004, rollup_answers grain 0).
--
-- answer_cells counts the csat, nps and ces answers with a score per
-- UTC day (grain 0) and per UTC month (grain 1), survey and scale, on the
-- cubes the SQLite engine keeps: per day none (0), channel (4), team (2),
-- team × channel (6); per month those and agent × team (3) (bits agent
-- 1, team 2, channel 4). `day` is the cell's first UTC day (days since
-- 1970-01-01). The dimensions are the ones a report sees (SPEC §2: an
-- answer without agent, team or channel takes them from its ticket, team
-- falls back to the agent's team); a dimension the cube does not keep is
-- '', and so is a missing value. A missing scale is 0. scores and counts:
-- the scores present, ascending, and how many answers gave each.
--
-- Coherence: every UTC day whose answers may have changed goes into
-- answer_cells_dirty in the same statement as the change (the triggers
-- below: answers, tickets, agents; customers lend only the segment, which
-- no cube keeps). Just before every commit of a write the store recounts
-- the cells of the months of those days, both grains, and empties the
-- table, under a transaction
-- advisory lock per workspace. A report reads cells only when it finds
-- no dirty day of its workspace; else it pushes down to the rows.
--
-- Citus-ready (docs/scaling.md): workspace_id first in every key. The
-- triggers are statement triggers with transition tables; under Citus
-- they need citus.enable_unsafe_triggers (co-located tables), or the
-- marking moves into the engine's statements.

CREATE TABLE answer_cells (
    workspace_id bigint NOT NULL,
    grain smallint NOT NULL,
    cube smallint NOT NULL,
    day bigint NOT NULL,
    survey text COLLATE "C" NOT NULL,
    scale_min bigint NOT NULL,
    scale_max bigint NOT NULL,
    agent_id text COLLATE "C" NOT NULL,
    team text COLLATE "C" NOT NULL,
    channel text COLLATE "C" NOT NULL,
    scores bigint[] NOT NULL,
    counts bigint[] NOT NULL,
    PRIMARY KEY (workspace_id, grain, cube, day, survey, scale_min,
                 scale_max, agent_id, team, channel)
);
-- The months an agent's team change touches (cxm_cells_mark_agents()).
CREATE INDEX answer_cells_agent
    ON answer_cells (workspace_id, grain, cube, agent_id);

-- xact: the transaction that marked the day (txid_current()), so that
-- two writers marking one day never wait on each other's key.
CREATE TABLE answer_cells_dirty (
    workspace_id bigint NOT NULL,
    day bigint NOT NULL,
    xact bigint NOT NULL,
    PRIMARY KEY (workspace_id, day, xact)
);

-- The UTC day (days since 1970-01-01) of an instant in ms.
CREATE FUNCTION cxm_utc_day(ms bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (ms - ((ms % 86400000) + 86400000) % 86400000) / 86400000 $$;
-- The first UTC day of the month of UTC day `day`, and of the next month.
CREATE FUNCTION cxm_month_day(day bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (date_trunc('month', (date '1970-01-01' + day::integer)
                                  ::timestamp)::date - date '1970-01-01')::bigint $$;
CREATE FUNCTION cxm_next_month_day(day bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ((date_trunc('month', (date '1970-01-01' + day::integer)
                                   ::timestamp) + interval '1 month')::date
              - date '1970-01-01')::bigint $$;

CREATE FUNCTION cxm_cells_mark_responses() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO answer_cells_dirty (workspace_id, day, xact)
        SELECT DISTINCT workspace_id, cxm_utc_day(responded_at),
               txid_current()
        FROM new_rows
        ON CONFLICT DO NOTHING;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO answer_cells_dirty (workspace_id, day, xact)
        SELECT DISTINCT workspace_id, cxm_utc_day(responded_at),
               txid_current()
        FROM old_rows
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER responses_cells_ins AFTER INSERT ON responses
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cxm_cells_mark_responses();
CREATE TRIGGER responses_cells_upd AFTER UPDATE ON responses
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cxm_cells_mark_responses();
CREATE TRIGGER responses_cells_del AFTER DELETE ON responses
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cxm_cells_mark_responses();

-- A ticket lends its agent, team and channel to its answers: the days of
-- the answers of every ticket inserted, changed or removed.
CREATE FUNCTION cxm_cells_mark_tickets() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO answer_cells_dirty (workspace_id, day, xact)
        SELECT DISTINCT r.workspace_id, cxm_utc_day(r.responded_at),
               txid_current()
        FROM new_rows x JOIN responses r
          ON r.workspace_id = x.workspace_id AND r.ticket_id = x.ticket_id
        ON CONFLICT DO NOTHING;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO answer_cells_dirty (workspace_id, day, xact)
        SELECT DISTINCT r.workspace_id, cxm_utc_day(r.responded_at),
               txid_current()
        FROM old_rows x JOIN responses r
          ON r.workspace_id = x.workspace_id AND r.ticket_id = x.ticket_id
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER tickets_cells_ins AFTER INSERT ON tickets
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cxm_cells_mark_tickets();
CREATE TRIGGER tickets_cells_upd AFTER UPDATE ON tickets
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cxm_cells_mark_tickets();
CREATE TRIGGER tickets_cells_del AFTER DELETE ON tickets
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cxm_cells_mark_tickets();

-- Agents lend their team to answers without one: the days in which the
-- agent's answers show another team than the agent's (new) team, read
-- from the agent × team month cells (as the SQLite engine's rollup_agents_ins).
-- Over-marking (a team that came from the answer or its ticket) costs a
-- recount, never a wrong figure. A day whose answers changed in this
-- transaction is marked already, so stale cells mislead nothing.
CREATE FUNCTION cxm_cells_mark_agents() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO answer_cells_dirty (workspace_id, day, xact)
        SELECT DISTINCT c.workspace_id, c.day, txid_current()
        FROM new_rows x JOIN answer_cells c
          ON c.workspace_id = x.workspace_id AND c.grain = 1 AND c.cube = 3
         AND c.agent_id = x.agent_id
        WHERE c.team <> coalesce(x.team, '')
        ON CONFLICT DO NOTHING;
    ELSE
        INSERT INTO answer_cells_dirty (workspace_id, day, xact)
        SELECT DISTINCT c.workspace_id, c.day, txid_current()
        FROM old_rows x JOIN answer_cells c
          ON c.workspace_id = x.workspace_id AND c.grain = 1 AND c.cube = 3
         AND c.agent_id = x.agent_id
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER agents_cells_ins AFTER INSERT ON agents
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cxm_cells_mark_agents();
CREATE TRIGGER agents_cells_upd AFTER UPDATE ON agents
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cxm_cells_mark_agents();
CREATE TRIGGER agents_cells_del AFTER DELETE ON agents
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cxm_cells_mark_agents();

-- A store that already holds answers: every day of them is to be counted
-- (by the commit of this migration's transaction, or the next write's).
INSERT INTO answer_cells_dirty (workspace_id, day, xact)
SELECT DISTINCT workspace_id, cxm_utc_day(responded_at), 0 FROM responses;
