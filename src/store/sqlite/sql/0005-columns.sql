-- Column segments of survey answers (issue 3; docs/performance.md,
-- "Column scan"). One row per workspace and UTC month (t = its first day,
-- days since 1970-01-01) holding the month's answers that a metric reads,
-- struct-of-arrays with every dimension dictionary-encoded (src/store/sqlite/colseg.h
-- has the blob layout); data is NULL when a dictionary outgrew two-byte
-- ids, and the report then reads the rows. col_dict numbers the values of
-- each column per workspace: 0 kind (survey, scale_min, scale_max joined
-- by U+001F), 1 agent, 2 team, 3 channel, 4 language, 5 topic; ids are
-- never reused or renumbered.
--
-- Coherence: a segment is rewritten with its month's rollups, by the same
-- recount before every commit (0004-rollups.sql), so it is never older
-- than the rows.
CREATE TABLE col_dict (
    workspace_id INTEGER NOT NULL,
    col INTEGER NOT NULL,
    id INTEGER NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (workspace_id, col, id)
) WITHOUT ROWID;

-- A rowid table (not WITHOUT ROWID): a report reads each blob straight
-- into its own memory with SQLite's incremental blob I/O, which needs one.
CREATE TABLE col_answers (
    workspace_id INTEGER NOT NULL,
    t INTEGER NOT NULL,
    n INTEGER NOT NULL,
    data BLOB,
    UNIQUE (workspace_id, t)
);

-- Every month holding answers is to be written.
INSERT OR IGNORE INTO rollup_dirty
SELECT DISTINCT workspace_id,
       (responded_at - (responded_at < 0) * 86399999) / 86400000
FROM responses;
