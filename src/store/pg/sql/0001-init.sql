-- The PostgreSQL dialect's schema (src/store/pg). Every table is keyed by
-- workspace_id first (docs/scaling.md: Citus distributes on it).
CREATE TABLE IF NOT EXISTS cxm_schema (version integer NOT NULL);
