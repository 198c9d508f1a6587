-- Rollups by UTC year (grain 2) and over all time (grain 3), issue 3.
--
-- A report over a long period by agent read every month's agent × team
-- cells (about 1,300 a month on the benchmark's data): more than the
-- column scan costs. Year cells hold the sum of their year's month cells,
-- first day t = the year's 1 January; all-time cells the sum of every
-- year's, t = 0; the same cubes as months (store_sqlite_rollup.c). The
-- recount that rewrites a month rewrites its year's cells and the
-- all-time cells, in the same transaction. A report without a time
-- dimension finer than a year reads the all-time cells when its period
-- holds every answer, else the years inside its period and the months at
-- its ends (report_scan.c, choose_rollup()).
--
-- cxm_hist_sum(hist) sums histograms of one scale; the store defines it on
-- every connection before migrating.

INSERT INTO rollup_answers (workspace_id, grain, cube, t, survey, scale_min,
    scale_max, agent_id, team, channel, language, topic, n, hist)
SELECT workspace_id, 2, cube, y, survey, scale_min, scale_max, agent_id,
       team, channel, language, topic, sum(n), cxm_hist_sum(hist)
FROM (SELECT *, CAST(strftime('%s', t * 86400, 'unixepoch', 'start of year')
                     AS INTEGER) / 86400 AS y
      FROM rollup_answers WHERE grain = 1)
GROUP BY workspace_id, cube, y, survey, scale_min, scale_max, agent_id, team,
         channel, language, topic;

INSERT INTO rollup_answers (workspace_id, grain, cube, t, survey, scale_min,
    scale_max, agent_id, team, channel, language, topic, n, hist)
SELECT workspace_id, 3, cube, 0, survey, scale_min, scale_max, agent_id,
       team, channel, language, topic, sum(n), cxm_hist_sum(hist)
FROM rollup_answers WHERE grain = 2
GROUP BY workspace_id, cube, survey, scale_min, scale_max, agent_id, team,
         channel, language, topic;
