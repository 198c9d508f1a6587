-- SPDX-License-Identifier: MIT
--
-- metrics.sql — the cross-check's own reading of the raw CSVs (SPEC §1) into
-- two normalised tables, written from SPEC.md and docs/report-semantics.md
-- only. crosscheck.py has already loaded the files with `.import --csv`
-- into the all-TEXT tables tickets_raw, responses_raw, customers_raw and
-- agents_raw (header names as column names; SQLite column names are
-- case-insensitive, so the header's case and order do not matter). The
-- per-report aggregation queries are in crosscheck.py (report_sql).
--
-- Timestamps: SQLite's date functions read `...Z`, `...±hh:mm`, `... hh:mm:ss`
-- and fractional seconds, but not `±hhmm`; ts_fix() below inserts the colon.
-- Instants are kept as integer milliseconds since the epoch (julianday has
-- ~50 µs resolution at this date, so rounding to ms is exact).

-- ±hhmm → ±hh:mm, empty → NULL. (SQLite has no user functions in the CLI,
-- so the four timestamp columns are fixed in place by one UPDATE each.)
UPDATE tickets_raw SET created_at = CASE
  WHEN created_at GLOB '*T*[+-][0-9][0-9][0-9][0-9]'
  THEN substr(created_at, 1, length(created_at) - 2) || ':' || substr(created_at, -2)
  ELSE created_at END;
UPDATE tickets_raw SET first_response_at = CASE
  WHEN first_response_at GLOB '*T*[+-][0-9][0-9][0-9][0-9]'
  THEN substr(first_response_at, 1, length(first_response_at) - 2) || ':' || substr(first_response_at, -2)
  ELSE first_response_at END;
UPDATE tickets_raw SET resolved_at = CASE
  WHEN resolved_at GLOB '*T*[+-][0-9][0-9][0-9][0-9]'
  THEN substr(resolved_at, 1, length(resolved_at) - 2) || ':' || substr(resolved_at, -2)
  ELSE resolved_at END;
UPDATE responses_raw SET responded_at = CASE
  WHEN responded_at GLOB '*T*[+-][0-9][0-9][0-9][0-9]'
  THEN substr(responded_at, 1, length(responded_at) - 2) || ':' || substr(responded_at, -2)
  ELSE responded_at END;

-- Booleans (SPEC §1): 1/true/yes → 1, 0/false/no → 0, empty → NULL.
CREATE TABLE bool_words(word TEXT PRIMARY KEY, v INTEGER);
INSERT INTO bool_words VALUES ('1', 1), ('true', 1), ('yes', 1),
                              ('0', 0), ('false', 0), ('no', 0);

-- Duplicate ids: the later row of the file replaces the earlier one (rowid
-- is the file order of `.import`).
CREATE TABLE agents AS
SELECT agent_id, NULLIF(team, '') AS team
FROM agents_raw
WHERE rowid IN (SELECT max(rowid) FROM agents_raw GROUP BY agent_id);

CREATE TABLE customers AS
SELECT customer_id, NULLIF(segment, '') AS segment
FROM customers_raw
WHERE rowid IN (SELECT max(rowid) FROM customers_raw GROUP BY customer_id);

-- Tickets with their dimensions (docs/report-semantics.md, "Dimensions each
-- record carries"): team, else the agent's team; segment = the customer's.
CREATE TABLE tk AS
SELECT t.ticket_id,
       CAST(round((julianday(t.created_at) - 2440587.5) * 86400000.0) AS INTEGER)
         AS created_ms,
       CAST(round((julianday(NULLIF(t.first_response_at, '')) - 2440587.5) * 86400000.0) AS INTEGER)
         AS fr_ms,
       CAST(round((julianday(NULLIF(t.resolved_at, '')) - 2440587.5) * 86400000.0) AS INTEGER)
         AS res_ms,
       CAST(NULLIF(t.contacts, '') AS INTEGER) AS contacts,
       (SELECT v FROM bool_words WHERE word = t.reopened) AS reopened,
       (SELECT v FROM bool_words WHERE word = t.escalated) AS escalated,
       NULLIF(t.customer_id, '') AS customer_id,
       NULLIF(t.agent_id, '') AS agent_id,
       NULLIF(t.team, '') AS team_raw,
       NULLIF(t.channel, '') AS channel_raw,
       NULLIF(t.topic, '') AS topic_raw,
       COALESCE(NULLIF(t.agent_id, ''), '') AS agent,
       COALESCE(NULLIF(t.team, ''), a.team, '') AS team,
       COALESCE(NULLIF(t.channel, ''), '') AS channel,
       COALESCE(NULLIF(t.topic, ''), '') AS topic,
       COALESCE(c.segment, '') AS segment
FROM (SELECT * FROM tickets_raw
      WHERE rowid IN (SELECT max(rowid) FROM tickets_raw GROUP BY ticket_id)) t
LEFT JOIN agents a ON a.agent_id = NULLIF(t.agent_id, '')
LEFT JOIN customers c ON c.customer_id = NULLIF(t.customer_id, '');

-- Responses. A row is valid when its score is missing or an integer inside
-- its scale (the `scale` column `MIN-MAX`, else the survey's default: csat
-- 1-5, nps 0-10, ces 1-7); an invalid row is rejected and replaces nothing,
-- so duplicates are resolved among the valid rows only.
CREATE TABLE rs_valid AS
SELECT r.rowid AS rid, r.*, s.smin, s.smax,
       CAST(NULLIF(r.score, '') AS INTEGER) AS iscore
FROM responses_raw r
JOIN (SELECT rowid AS id,
             CASE WHEN scale <> '' THEN CAST(substr(scale, 1, instr(scale, '-') - 1) AS INTEGER)
                  WHEN survey = 'nps' THEN 0 ELSE 1 END AS smin,
             CASE WHEN scale <> '' THEN CAST(substr(scale, instr(scale, '-') + 1) AS INTEGER)
                  WHEN survey = 'nps' THEN 10 WHEN survey = 'ces' THEN 7 ELSE 5 END AS smax
      FROM responses_raw) s ON s.id = r.rowid
WHERE r.score = ''
   OR (r.score NOT GLOB '*[^0-9]*'
       AND CAST(r.score AS INTEGER) BETWEEN s.smin AND s.smax);

-- Responses with their dimensions: agent and channel, else the ticket's;
-- team, else the ticket's, else the (response's) agent's; topic the
-- ticket's; segment the customer's (customer_id, else the ticket's).
CREATE TABLE rs AS
SELECT r.response_id, r.survey,
       CAST(round((julianday(r.responded_at) - 2440587.5) * 86400000.0) AS INTEGER)
         AS responded_ms,
       r.iscore AS score, r.smin, r.smax,
       COALESCE(NULLIF(r.agent_id, ''), t.agent_id, '') AS agent,
       COALESCE(NULLIF(r.team, ''), t.team_raw, a.team, '') AS team,
       COALESCE(NULLIF(r.channel, ''), t.channel_raw, '') AS channel,
       COALESCE(t.topic_raw, '') AS topic,
       COALESCE(c.segment, '') AS segment,
       COALESCE(NULLIF(r.language, ''), '') AS language
FROM (SELECT * FROM rs_valid
      WHERE rid IN (SELECT max(rid) FROM rs_valid GROUP BY response_id)) r
LEFT JOIN tk t ON t.ticket_id = NULLIF(r.ticket_id, '')
LEFT JOIN agents a ON a.agent_id = COALESCE(NULLIF(r.agent_id, ''), t.agent_id)
LEFT JOIN customers c
  ON c.customer_id = COALESCE(NULLIF(r.customer_id, ''), t.customer_id);

-- The default report period: from the earliest event timestamp (created_at,
-- responded_at; this data set has no orders, sessions or reviews) to one
-- second past the latest.
CREATE TABLE default_period AS
SELECT min(ms) AS from_ms, max(ms) + 1000 AS to_ms
FROM (SELECT created_ms AS ms FROM tk
      UNION ALL SELECT responded_ms FROM rs);
