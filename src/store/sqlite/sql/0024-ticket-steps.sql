-- 0024-ticket-steps.sql — the backlog's steps apart from the cells, and
-- week cells (below)
-- (store_sqlite_tickets.c, docs/store.md "Ticket cells", docs/
-- performance.md "Team filter and ranking at 10M"). The backlog at a
-- period's end sums the opened − closed steps of every day before it:
-- read from ticket_cells, that was every cell of the cube since the first
-- ticket with its two duration sketches (each up to 4,096 durations), for
-- two counts. ticket_steps holds, for each cell whose opened and closed
-- differ (the others step nothing), those two counts under their own
-- XXH64 (cube, day, opened, closed, dimensions); the recount writes and
-- deletes it with the cells. Filled here from the cells: a cell whose own
-- checksum does not match gives a step whose checksum does not either, so
-- the first report reading it goes to the rows and has the cells counted
-- again.
CREATE TABLE IF NOT EXISTS ticket_steps (
    workspace_id INTEGER NOT NULL,
    cube INTEGER NOT NULL,
    day INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    team TEXT NOT NULL,
    channel TEXT NOT NULL,
    topic TEXT NOT NULL,
    segment TEXT NOT NULL,
    opened INTEGER NOT NULL,
    closed INTEGER NOT NULL,
    checksum INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, cube, day, agent_id, team, channel, topic,
                 segment)
) WITHOUT ROWID;

INSERT OR REPLACE INTO ticket_steps
SELECT workspace_id, cube, day, agent_id, team, channel, topic, segment,
       opened, closed,
       cxm_tcell_step(cube, day, agent_id, team, channel, topic, segment,
                      created, created_resolved, escalated, complaints,
                      resolved, fcr, fcr_touch, with_agent, opened, closed,
                      art_sum, art_sq_hi, art_sq_lo, art,
                      frt_sum, frt_sq_hi, frt_sq_lo, frt, checksum)
FROM ticket_cells WHERE opened <> closed;

-- ticket_weeks: the cells of each UTC week (Monday to Sunday; day is its
-- Monday), each merged from its seven days' cells of ticket_cells (the
-- same columns and checksum; art and frt hold the XXH64 of its sketches,
-- which ticket_week_sketches keeps). A report reads a week whole when its
-- period holds all of it and no bucket of its breakdown starts inside it:
-- seven times fewer cells, and past 4,096 durations a sketch of buckets
-- instead of seven of exact values. Rebuilt before a write transaction
-- commits for the weeks in ticket_weeks_dirty (those of the days whose
-- cells were counted again); while any week is dirty reports read days.
-- Here every week with cells is marked, and built at this upgrade's
-- commit.
CREATE TABLE IF NOT EXISTS ticket_weeks (
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

-- A week cell's art and frt hold the XXH64 (8 bytes) of its sketch, kept
-- apart here (kind 0 art, 1 frt): a report without durations reads none,
-- one with the resolution time only those of art. The sketch is checked
-- against the cell's hash, which the cell's checksum covers.
CREATE TABLE IF NOT EXISTS ticket_week_sketches (
    workspace_id INTEGER NOT NULL,
    cube INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    day INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    team TEXT NOT NULL,
    channel TEXT NOT NULL,
    topic TEXT NOT NULL,
    segment TEXT NOT NULL,
    sketch BLOB NOT NULL,
    PRIMARY KEY (workspace_id, cube, kind, day, agent_id, team, channel,
                 topic, segment)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS ticket_weeks_dirty (
    workspace_id INTEGER NOT NULL,
    week INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, week)
) WITHOUT ROWID;

INSERT OR IGNORE INTO ticket_weeks_dirty
SELECT DISTINCT workspace_id, day - ((day + 3) % 7 + 7) % 7
FROM ticket_cells WHERE cube = 0;
