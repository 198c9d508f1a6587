-- 0006-tickets-frt.sql — the tickets first answered in a period found
-- directly: with frt in the report, the ticket push-down
-- (store_pg_tickets.c) reads the tickets whose first_response_at is in
-- the period by this index, as it reads those created and resolved in it
-- by tickets_created and tickets_resolved (0001); without it that branch
-- read every ticket of the workspace (docs/store.md "The PostgreSQL
-- engine").
CREATE INDEX IF NOT EXISTS tickets_first_response
    ON tickets (workspace_id, first_response_at);
