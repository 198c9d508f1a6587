-- 0022-qa-reviewed.sql — a period's QA scores found directly (docs/store.md
-- "Indexes", docs/performance.md "QA score by period"). A score counts at
-- coalesce(reviewed_at, its ticket's resolved_at, its created_at): the
-- report reads those reviewed in the period through this index, and the
-- unreviewed ones through their tickets' times (tickets_resolved,
-- tickets_created) and the scores' key, instead of every score of the
-- workspace (CXM__Q_QA, named_sql.h).
CREATE INDEX IF NOT EXISTS qa_reviewed
    ON qa_scores (workspace_id, reviewed_at);
