-- 0005-qa-reviewed.sql — a period's QA scores and agent hours found
-- directly, as the SQLite engine's 0022 (docs/store.md "Indexes"): the
-- report reads the scores reviewed in the period through qa_reviewed, the
-- unreviewed ones through its NULLs and their tickets by key (CXM__Q_QA),
-- and the period's agent hours through agent_hours_date
-- (CXM__Q_AGENT_HOURS; named_sql.h).
CREATE INDEX IF NOT EXISTS qa_reviewed
    ON qa_scores (workspace_id, reviewed_at);
CREATE INDEX IF NOT EXISTS agent_hours_date
    ON agent_hours (workspace_id, date);
