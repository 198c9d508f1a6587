-- SPDX-License-Identifier: MIT
--
-- more.sql — the cross-check's reading of the record kinds behind the
-- customer, self-service, agent, review and QA metrics (SPEC §1, §2 and
-- docs/report-semantics.md), run by crosscheck_more.py with Python's
-- sqlite3 module after metrics.sql (which made tk, rs, customers, agents).
-- Every *_raw table holds one CSV as loaded: all TEXT, header names as
-- column names, rowid = file order. ms(text) is a Python function: an ISO
-- 8601 timestamp (a plain date = midnight UTC, no offset = UTC) → integer
-- ms since the epoch, NULL for an empty field.
--
-- Duplicate keys: the later row of the file wins (rowid); a rejected row
-- replaces nothing.

-- Customers: active at s = acquired_at <= s and (churned_at missing or
-- >= s); the segment "" when missing.
CREATE TABLE cust AS
SELECT customer_id, ms(acquired_at) AS acq_ms, ms(churned_at) AS churn_ms,
       COALESCE(NULLIF(segment, ''), '') AS segment
FROM customers_raw
WHERE rowid IN (SELECT max(rowid) FROM customers_raw GROUP BY customer_id);

-- Orders with the customer's segment ("" for an unknown customer); a
-- missing amount adds nothing to revenue.
CREATE TABLE ord AS
SELECT o.order_id, o.customer_id, ms(o.ordered_at) AS t,
       CAST(NULLIF(o.amount, '') AS REAL) AS amount,
       COALESCE(NULLIF(o.currency, ''), '') AS currency,
       COALESCE(c.segment, '') AS segment
FROM (SELECT * FROM orders_raw
      WHERE rowid IN (SELECT max(rowid) FROM orders_raw GROUP BY order_id)) o
LEFT JOIN cust c ON c.customer_id = o.customer_id;
CREATE INDEX ord_cust ON ord(customer_id, t);

-- Self-service sessions: resolved = true counts as deflected (missing or
-- false does not); topic and the customer's segment.
CREATE TABLE ss AS
SELECT s.session_id, ms(s.started_at) AS t,
       COALESCE((SELECT v FROM bool_words WHERE word = lower(s.resolved)), 0)
         AS resolved,
       COALESCE(NULLIF(s.topic, ''), '') AS topic,
       COALESCE(c.segment, '') AS segment
FROM (SELECT * FROM selfservice_raw
      WHERE rowid IN (SELECT max(rowid) FROM selfservice_raw
                      GROUP BY session_id)) s
LEFT JOIN cust c ON c.customer_id = NULLIF(s.customer_id, '');

-- Tickets with the complaint flag (tk has every other column).
CREATE TABLE tkc AS
SELECT tk.*, COALESCE((SELECT v FROM bool_words WHERE word = r.complaint), 0)
         AS complaint
FROM tk JOIN (SELECT * FROM tickets_raw
              WHERE rowid IN (SELECT max(rowid) FROM tickets_raw
                              GROUP BY ticket_id)) r
  ON r.ticket_id = tk.ticket_id;
CREATE INDEX tkc_cust ON tkc(customer_id);

-- Agents: employed at t when hired_at <= t < left_at (a missing hired_at is
-- "always", a missing left_at "never").
CREATE TABLE ag AS
SELECT agent_id, COALESCE(NULLIF(team, ''), '') AS team,
       ms(hired_at) AS hired_ms, ms(left_at) AS left_ms
FROM agents_raw
WHERE rowid IN (SELECT max(rowid) FROM agents_raw GROUP BY agent_id);

-- Hours worked, dated (midnight UTC of the date), with the agent's team.
CREATE TABLE hrs AS
SELECT h.agent_id AS agent, ms(h.date) AS t, CAST(h.hours AS REAL) AS hours,
       COALESCE(a.team, '') AS team
FROM (SELECT * FROM agent_hours_raw
      WHERE rowid IN (SELECT max(rowid) FROM agent_hours_raw
                      GROUP BY agent_id, date)) h
LEFT JOIN ag a ON a.agent_id = h.agent_id;

-- Reviews: valid when the rating is an integer in [1, scale_max]
-- (scale_max default 5); normalised 1 + (r - 1)·4/(scale_max - 1);
-- positive = normalised >= 4, i.e. (r - 1)·4 >= 3·(scale_max - 1) in
-- integers (no rounding at the boundary).
CREATE TABLE rv_valid AS
SELECT rowid AS rid, review_id, posted_at,
       CAST(rating AS INTEGER) AS r,
       CAST(COALESCE(NULLIF(scale_max, ''), '5') AS INTEGER) AS smax,
       COALESCE(NULLIF(source, ''), '') AS source,
       COALESCE(NULLIF(language, ''), '') AS language
FROM reviews_raw
WHERE rating <> '' AND rating NOT GLOB '*[^0-9]*'
  AND CAST(rating AS INTEGER) BETWEEN 1
      AND CAST(COALESCE(NULLIF(scale_max, ''), '5') AS INTEGER);
CREATE TABLE rv AS
SELECT review_id, ms(posted_at) AS t,
       1.0 + (r - 1) * 4.0 / (smax - 1) AS norm,
       (r - 1) * 4 >= 3 * (smax - 1) AS positive, source, language
FROM rv_valid
WHERE rid IN (SELECT max(rid) FROM rv_valid GROUP BY review_id);

-- QA: 100 × score / max_score (default 100), at reviewed_at, else the
-- ticket's resolved_at, else its created_at; the ticket's dimensions ("" for
-- a ticket not in tickets.csv).
CREATE TABLE qa AS
SELECT q.ticket_id,
       100.0 * CAST(q.score AS REAL)
         / CAST(COALESCE(NULLIF(q.max_score, ''), '100') AS REAL) AS pct,
       COALESCE(ms(q.reviewed_at), t.res_ms, t.created_ms) AS t,
       COALESCE(t.agent, '') AS agent, COALESCE(t.team, '') AS team,
       COALESCE(t.channel, '') AS channel, COALESCE(t.topic, '') AS topic,
       COALESCE(t.segment, '') AS segment
FROM (SELECT * FROM qa_scores_raw
      WHERE rowid IN (SELECT max(rowid) FROM qa_scores_raw
                      GROUP BY ticket_id, reviewer)) q
LEFT JOIN tk t ON t.ticket_id = q.ticket_id;

-- The default period over every kind's event timestamp (created_at,
-- responded_at, started_at, ordered_at, posted_at): [min, max + 1 s).
CREATE TABLE default_period_all AS
SELECT min(ms) AS from_ms, max(ms) + 1000 AS to_ms
FROM (SELECT created_ms AS ms FROM tk
      UNION ALL SELECT responded_ms FROM rs
      UNION ALL SELECT t FROM ss
      UNION ALL SELECT t FROM ord
      UNION ALL SELECT t FROM rv);
