-- The other moments of sending surveys (docs/sending.md, "Moments"): an
-- order (post-purchase), a new customer (onboarding), a customer gone
-- quiet (churn prevention), a one-off send to a segment. A rule's moment
-- is one of resolved, order, new_customer, quiet, segment; segment names
-- the segment of a one-off send. The outbox's moment of a one-off send is
-- 'segment:RULE' and its subject the customer; of a quiet customer,
-- 'quiet' and 'CUSTOMER:LAST' (LAST: the time of the last order, ticket
-- or acquisition), so a customer quiet again after new activity is a new
-- moment.
ALTER TABLE send_rules ADD COLUMN segment TEXT;

CREATE INDEX IF NOT EXISTS tickets_customer
    ON tickets (workspace_id, customer_id, created_at);
CREATE INDEX IF NOT EXISTS orders_ordered
    ON orders (workspace_id, ordered_at);
CREATE INDEX IF NOT EXISTS customers_acquired
    ON customers (workspace_id, acquired_at);
