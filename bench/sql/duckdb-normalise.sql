-- DuckDB: the same typed, validated tables as sqlite-normalise.sql.
-- Timed as "normalise". (all_varchar reads empty fields as NULL.)
CREATE TABLE ag AS SELECT agent_id, NULLIF(team, '') AS team FROM agents_raw;
CREATE TABLE tk AS
SELECT ticket_id, NULLIF(agent_id, '') AS agent_id, NULLIF(team, '') AS team,
       NULLIF(channel, '') AS channel
FROM tickets_raw;
CREATE TABLE rs AS
SELECT epoch_ms(CAST(responded_at AS TIMESTAMPTZ)) AS responded_ms,
       survey, score, smin, smax, ticket_id, agent_id, team, channel
FROM (SELECT CASE WHEN lower(survey) IN ('csat', 'nps', 'ces') THEN lower(survey)
                  ELSE survey END AS survey, responded_at,
             TRY_CAST(NULLIF(score, '') AS INTEGER) AS score,
             CASE WHEN COALESCE(scale, '') <> '' THEN CAST(split_part(scale, '-', 1) AS INTEGER)
                  WHEN lower(survey) = 'nps' THEN 0 ELSE 1 END AS smin,
             CASE WHEN COALESCE(scale, '') <> '' THEN CAST(split_part(scale, '-', 2) AS INTEGER)
                  WHEN lower(survey) = 'nps' THEN 10 WHEN lower(survey) = 'ces' THEN 7 ELSE 5 END AS smax,
             NULLIF(ticket_id, '') AS ticket_id, NULLIF(agent_id, '') AS agent_id,
             NULLIF(team, '') AS team, NULLIF(channel, '') AS channel
      FROM responses_raw
      WHERE score IS NULL OR NOT regexp_matches(score, '[^0-9]'))
WHERE score IS NULL OR score BETWEEN smin AND smax;
