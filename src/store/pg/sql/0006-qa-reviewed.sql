-- 0006-qa-reviewed.sql — a period's QA scores found directly, as the
-- SQLite engine's 0022 (docs/store.md "Indexes"): the report reads the
-- scores reviewed in the period through this index, and the unreviewed
-- ones through their tickets' times and the scores' key (CXM__Q_QA,
-- named_sql.h). Numbered 0006: migrations may skip a number.
CREATE INDEX IF NOT EXISTS qa_reviewed
    ON qa_scores (workspace_id, reviewed_at);
