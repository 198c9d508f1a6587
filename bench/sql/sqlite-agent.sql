-- SPEC §2 csat/nps/ces (value, n) for answers with a score, responded_at in
-- the period; channel/agent = the answer's own, else its ticket's; team = the
-- answer's, else its ticket's, else the agent's (docs/report-semantics.md).
-- @PERIOD@ is replaced by bench/run.sh (empty = cxmeter's default period,
-- which holds every answer). Output: CSV with header.
SELECT agent,
       100.0 * sum(CASE WHEN survey = 'csat' AND (CASE WHEN smax - smin + 1 >= 5 THEN score >= smax - 1 ELSE score = smax END) THEN 1 ELSE 0 END)
         / NULLIF(sum(CASE WHEN survey = 'csat' THEN 1 ELSE 0 END), 0) AS csat,
       sum(CASE WHEN survey = 'csat' THEN 1 ELSE 0 END) AS csat_n,
       100.0 * (sum(CASE WHEN survey = 'nps' AND score >= 9 THEN 1 ELSE 0 END)
                - sum(CASE WHEN survey = 'nps' AND score <= 6 THEN 1 ELSE 0 END))
         / NULLIF(sum(CASE WHEN survey = 'nps' THEN 1 ELSE 0 END), 0) AS nps,
       sum(CASE WHEN survey = 'nps' THEN 1 ELSE 0 END) AS nps_n,
       avg(CASE WHEN survey = 'ces' THEN score END) AS ces,
       sum(CASE WHEN survey = 'ces' THEN 1 ELSE 0 END) AS ces_n
FROM (SELECT r.survey, r.score, r.smin, r.smax,
             COALESCE(r.agent_id, t.agent_id, '') AS agent
      FROM rs r LEFT JOIN tk t ON t.ticket_id = r.ticket_id
      WHERE r.score IS NOT NULL AND r.survey IN ('csat', 'nps', 'ces') @PERIOD@) d
GROUP BY 1 ORDER BY 1;
