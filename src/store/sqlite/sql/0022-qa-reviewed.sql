-- 0022-qa-reviewed.sql — a period's QA scores and agent hours found
-- directly (docs/store.md "Indexes", docs/performance.md "QA score by
-- period"). A score counts at coalesce(reviewed_at, its ticket's
-- resolved_at, its created_at): the report reads those reviewed in the
-- period through qa_reviewed, and the unreviewed ones through its NULLs
-- and their tickets by key, instead of every score of the workspace
-- (CXM__Q_QA, named_sql.h). Agent hours count on their date: the report
-- reads the period's through agent_hours_date (CXM__Q_AGENT_HOURS), not
-- every agent's every day.
CREATE INDEX IF NOT EXISTS qa_reviewed
    ON qa_scores (workspace_id, reviewed_at);
CREATE INDEX IF NOT EXISTS agent_hours_date
    ON agent_hours (workspace_id, date);
