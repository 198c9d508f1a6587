-- cxmeter schema 0009: which record kinds and optional columns an import
-- ever supplied, so that a report tells a figure whose input was never
-- supplied (null, with a note) from one of zero (SPEC §2 Conventions;
-- docs/report-semantics.md, "No data is not zero"). Every import records
-- its kind (column_name '') and the optional columns its files' headers
-- had, in its own transaction.
--
-- A store made before this migration knows no headers: its kinds and
-- columns are inferred from the data, a kind from having rows, a column
-- from a non-empty value in some row. A column an old import had but
-- left empty in every row therefore reads as never supplied.

CREATE TABLE supplied_columns (
    workspace_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    column_name TEXT NOT NULL,
    PRIMARY KEY (workspace_id, kind, column_name)
) WITHOUT ROWID;

INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'tickets', '' FROM tickets;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'responses', '' FROM responses;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'customers', '' FROM customers;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'orders', '' FROM orders;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'selfservice', '' FROM selfservice;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'agents', '' FROM agents;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'agent_hours', '' FROM agent_hours;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'reviews', '' FROM reviews;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'qa_scores', '' FROM qa_scores;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'tickets', 'customer_id' FROM tickets
    WHERE customer_id IS NOT NULL;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'tickets', 'agent_id' FROM tickets
    WHERE agent_id IS NOT NULL;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'tickets', 'first_response_at' FROM tickets
    WHERE first_response_at IS NOT NULL;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'tickets', 'resolved_at' FROM tickets
    WHERE resolved_at IS NOT NULL;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'tickets', 'contacts' FROM tickets
    WHERE contacts IS NOT NULL;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'tickets', 'reopened' FROM tickets
    WHERE reopened IS NOT NULL;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'tickets', 'escalated' FROM tickets
    WHERE escalated IS NOT NULL;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'tickets', 'complaint' FROM tickets
    WHERE complaint IS NOT NULL;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'customers', 'churned_at' FROM customers
    WHERE churned_at IS NOT NULL;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'orders', 'amount' FROM orders
    WHERE amount IS NOT NULL;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'orders', 'currency' FROM orders
    WHERE currency IS NOT NULL;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'selfservice', 'customer_id' FROM selfservice
    WHERE customer_id IS NOT NULL;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'selfservice', 'resolved' FROM selfservice
    WHERE resolved IS NOT NULL;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'agents', 'hired_at' FROM agents
    WHERE hired_at IS NOT NULL;
INSERT OR IGNORE INTO supplied_columns
    SELECT DISTINCT workspace_id, 'agents', 'left_at' FROM agents
    WHERE left_at IS NOT NULL;
