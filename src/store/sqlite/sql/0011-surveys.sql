-- Survey definitions (`cxmeter survey add`, src/survey/): every version of
-- every survey, as its canonical JSON (docs/survey.md). Adding a
-- definition whose id is stored appends the next version; answers keep
-- the version they were given under, so old versions are never changed.
-- `survey remove` sets removed_at on every version of the id: the survey
-- is no longer listed or served, its versions stay for the answers.
-- IF NOT EXISTS: a store whose schema record was wound back (as a test of
-- an older store does) runs this again over a table it already has.
CREATE TABLE IF NOT EXISTS surveys (
    workspace_id INTEGER NOT NULL,
    survey_id TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    kind TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    removed_at INTEGER,
    definition TEXT NOT NULL,
    PRIMARY KEY (workspace_id, survey_id, version)
);
