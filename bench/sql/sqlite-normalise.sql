-- sqlite3: the typed, validated tables the report queries read (the work
-- cxmeter's import does besides storing: timestamps → UTC milliseconds,
-- score → integer checked against its scale, empty → NULL, csat/nps/ces
-- matched case-insensitively as cxmeter does: src/ingest/record.c). Timed as
-- "normalise". Dimensions are NOT resolved here: like cxmeter, the queries
-- join each answer to its ticket and agent at report time.
.bail on
CREATE TABLE ag AS
SELECT agent_id, NULLIF(team, '') AS team FROM agents_raw;
CREATE TABLE tk AS
SELECT ticket_id, NULLIF(agent_id, '') AS agent_id, NULLIF(team, '') AS team,
       NULLIF(channel, '') AS channel
FROM tickets_raw;
CREATE TABLE rs AS
SELECT CAST(round((julianday(CASE
         WHEN responded_at GLOB '*T*[+-][0-9][0-9][0-9][0-9]'
         THEN substr(responded_at, 1, length(responded_at) - 2) || ':' || substr(responded_at, -2)
         ELSE responded_at END) - 2440587.5) * 86400000.0) AS INTEGER) AS responded_ms,
       survey, score, smin, smax, ticket_id, agent_id, team, channel
FROM (SELECT CASE WHEN lower(survey) IN ('csat', 'nps', 'ces') THEN lower(survey)
                  ELSE survey END AS survey, responded_at,
             CAST(NULLIF(score, '') AS INTEGER) AS score,
             CASE WHEN scale <> '' THEN CAST(substr(scale, 1, instr(scale, '-') - 1) AS INTEGER)
                  WHEN lower(survey) = 'nps' THEN 0 ELSE 1 END AS smin,
             CASE WHEN scale <> '' THEN CAST(substr(scale, instr(scale, '-') + 1) AS INTEGER)
                  WHEN lower(survey) = 'nps' THEN 10 WHEN lower(survey) = 'ces' THEN 7 ELSE 5 END AS smax,
             NULLIF(ticket_id, '') AS ticket_id, NULLIF(agent_id, '') AS agent_id,
             NULLIF(team, '') AS team, NULLIF(channel, '') AS channel
      FROM responses_raw
      WHERE score = '' OR score NOT GLOB '*[^0-9]*')
WHERE score IS NULL OR score BETWEEN smin AND smax;
CREATE UNIQUE INDEX tk_id ON tk(ticket_id);
CREATE UNIQUE INDEX ag_id ON ag(agent_id);
