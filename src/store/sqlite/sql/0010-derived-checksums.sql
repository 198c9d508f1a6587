-- Checksums on the derived forms of survey answers (issue 12; docs/store.md,
-- "Damage"). A damaged byte in a rollup cell or a column segment must never
-- change a figure: each carries a checksum (XXH64, src/core/checksum.c) that its
-- reader checks, and a mismatch sends the report to the rows with a note.
--
-- rollup_answers.chk: cxm_cell_chk() of the cell's other columns
-- (store_sqlite_rollup.c). Column segments move to the layout "CXC2"
-- (src/store/sqlite/colseg.h), which holds its own checksum, and ids of up to three
-- bytes. rollup_off lists the months whose cube `cube` is not kept because
-- it would not be smaller than the answers themselves (a dimension of very
-- many values, such as 300,000 agents); a report never reads that cube
-- while a month of it is listed.
ALTER TABLE rollup_answers ADD COLUMN chk INTEGER;
UPDATE rollup_answers
SET chk = cxm_cell_chk(workspace_id, grain, cube, t, survey, scale_min,
                       scale_max, agent_id, team, channel, language, topic,
                       n, hist);
UPDATE col_answers SET data = cxm_colseg_upgrade(data) WHERE data IS NOT NULL;
-- col_dict.chk: cxm_dict_chk() of the entry (a renamed value would relabel
-- every answer of its id in the column scan).
ALTER TABLE col_dict ADD COLUMN chk INTEGER;
UPDATE col_dict SET chk = cxm_dict_chk(workspace_id, col, id, value);

CREATE TABLE rollup_off (
    workspace_id INTEGER NOT NULL,
    cube INTEGER NOT NULL,
    t INTEGER NOT NULL,            -- first UTC day of the month
    PRIMARY KEY (workspace_id, cube, t)
) WITHOUT ROWID;
