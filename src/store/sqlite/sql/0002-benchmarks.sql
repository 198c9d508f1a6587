-- Reference figures a report compares against (issue: benchmarks against
-- industry): each `cxmeter benchmark set` adds a row; the latest per metric
-- is the one shown.
CREATE TABLE benchmarks (
    workspace_id INTEGER NOT NULL,
    metric TEXT NOT NULL,
    label TEXT NOT NULL,
    value REAL NOT NULL,
    set_at INTEGER NOT NULL
);
CREATE INDEX benchmarks_metric ON benchmarks (workspace_id, metric, set_at);
