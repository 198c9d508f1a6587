// SPDX-License-Identifier: MIT
// test_dashboard.js — the dashboard in Debian's chromium (run by run.py
// against a real `cxmeter serve`): log in through the form, check every
// card's figure equals `cxmeter report --format json` on the same store and
// period, see the charts drawn with their interval bands, change the
// period, open an agent page, export a CSV, and fit a 375 px phone without
// horizontal scroll. Screenshots go to $CXM_SHOTS.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { launch, check } = require('./lib');

const URL = process.env.CXM_URL;
const SHOTS = process.env.CXM_SHOTS;
const METRICS = ['csat', 'nps', 'ces', 'fcr', 'backlog', 'art', 'selfservice_rate'];

function report(from, to, tz, extra) {
  const out = execFileSync(process.env.CXM_CXMETER, [
    'report', '--db', process.env.CXM_DB, '--metrics', METRICS.join(','),
    '--from', from, '--to', to, '--tz', tz, '--compare', 'previous',
    '--format', 'json'].concat(extra || []),
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out);
}

// The cards of the page against the report's one row.
async function checkCards(page, what) {
  const period = await page.$eval('#view-period', (e) => ({
    from: e.dataset.from, to: e.dataset.to, tz: e.dataset.tz }));
  const cards = await page.$$eval('.card', (els) => els.map((e) => ({
    metric: e.dataset.metric, value: e.dataset.value,
    shown: e.querySelector('.value').textContent.trim() })));
  const rep = report(period.from, period.to, period.tz);
  check(rep.rows.length === 1, what + ': the report has one row');
  const row = rep.rows[0];
  check(cards.length === METRICS.length, what + ': seven cards');
  for (const c of cards) {
    const fig = row[c.metric];
    if (!fig || fig.value === null) {
      check(c.value === undefined, `${what}: ${c.metric} is null in both`);
      continue;
    }
    const v = parseFloat(c.value);
    check(Math.abs(v - fig.value) <= 1e-6 * Math.max(1, Math.abs(fig.value)),
      `${what}: card ${c.metric} ${v} = report ${fig.value}`);
    if (c.metric === 'csat' || c.metric === 'nps' || c.metric === 'fcr') {
      check(c.shown === fig.value.toFixed(1),
        `${what}: ${c.metric} shows ${c.shown} = ${fig.value.toFixed(1)}`);
    }
  }
  return period;
}

(async () => {
  const browser = await launch();
  let failed = false;
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

    // Unauthenticated: sent to the login page.
    await page.goto(URL + '/?period=all');
    check(page.url().startsWith(URL + '/login?next='), 'sent to the login page');
    await page.screenshot({ path: path.join(SHOTS, 'login.png') });
    await page.fill('#username', process.env.CXM_USER);
    await page.fill('#password', process.env.CXM_PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    check(page.url() === URL + '/?period=all', 'back to the page asked for: ' + page.url());

    const p1 = await checkCards(page, 'all data');
    await page.waitForSelector('.chart[data-drawn] canvas', { timeout: 10000 });
    const charts = await page.$$eval('.chart[data-drawn]', (els) => els.length);
    check(charts >= 6, `charts drawn with uPlot (${charts})`);
    const band = await page.$eval('#series-csat', (e) => JSON.parse(e.textContent));
    check(band.x.length > 3 && band.lo.some((v) => v !== null) &&
      band.lo.every((v, i) => v === null || v <= band.y[i]) &&
      band.hi.every((v, i) => v === null || v >= band.y[i]), 'CSAT series with its interval band');
    await page.screenshot({ path: path.join(SHOTS, 'overview.png'), fullPage: true });

    // Change the period with the controls: the URL keeps the view.
    await page.selectOption('#period', '28d');
    await Promise.all([page.waitForNavigation(), page.click('form.controls button[type=submit]')]);
    check(/[?&]period=28d/.test(page.url()) && !/from=/.test(page.url()),
      'the period is in the URL: ' + page.url());
    const p2 = await checkCards(page, 'last 28 days');
    check(p2.from !== p1.from, `the period changed (${p1.from} -> ${p2.from})`);
    // A bookmark of the view opens the same figures.
    const bookmarked = page.url();
    const page2 = await ctx.newPage();
    await page2.goto(bookmarked);
    const same = await page2.$eval('.card[data-metric=csat]', (e) => e.dataset.value);
    const orig = await page.$eval('.card[data-metric=csat]', (e) => e.dataset.value);
    check(same === orig, 'a bookmarked view shows the same figures');
    await page2.close();

    // A custom period in another zone.
    await page.goto(URL + '/?from=2026-02-01&to=2026-03-01&tz=Asia/Jakarta');
    await checkCards(page, 'February in Asia/Jakarta');

    // Breakdowns: sortable, with sparklines; the agent ranking.
    await page.goto(URL + '/breakdown?dim=agent&period=all');
    const spark = await page.$$eval('#breakdown svg.spark', (els) => els.length);
    check(spark >= 5, `sparklines in the breakdown (${spark})`);
    await page.click('#breakdown thead th:nth-child(2) button');
    await page.click('#breakdown thead th:nth-child(2) button');
    const col = await page.$$eval('#breakdown tbody tr td:nth-child(2)',
      (tds) => tds.map((t) => parseFloat(t.textContent)).filter((v) => !isNaN(v)));
    check(col.every((v, i) => i === 0 || col[i - 1] >= v), 'sorted by CSAT, descending');
    const top = await page.$eval('#ranking tbody tr td:nth-child(2)', (e) => e.textContent);
    check(top !== 'solo.star', 'one 5-star answer does not top the ranking (top: ' + top + ')');
    await page.screenshot({ path: path.join(SHOTS, 'breakdown.png'), fullPage: true });

    // An agent's page, from the ranking.
    await Promise.all([page.waitForNavigation(), page.click('#ranking tbody tr td:nth-child(2) a')]);
    check(page.url().includes('/agent?'), 'the agent page opened: ' + page.url());
    const acards = await page.$$eval('.card', (els) => els.map((e) => e.dataset.metric));
    check(['csat', 'nps', 'ces', 'fcr', 'art', 'agent_productivity', 'qa_score']
      .every((m) => acards.includes(m)), 'agent cards: ' + acards.join(','));
    check(await page.$('#comments') !== null, "the agent's customers' comments");
    await page.screenshot({ path: path.join(SHOTS, 'agent.png'), fullPage: true });

    // Drill-down from the CSAT card to its low scores.
    await page.goto(URL + '/?period=all');
    await Promise.all([page.waitForNavigation(), page.click('.card[data-metric=csat] .value a')]);
    await Promise.all([page.waitForNavigation(), page.click('#low-scores')]);
    const scores = await page.$$eval('#drill tbody tr td:nth-child(3)', (t) => t.map((e) => +e.textContent));
    check(scores.length > 0 && scores.every((s) => s >= 1 && s <= 3), `CSAT 1-3 answers (${scores.length})`);
    const csv = await page.$eval('a.csv', (a) => a.href);
    const text = await page.evaluate(async (u) => (await fetch(u)).text(), csv);
    check(text.startsWith('responded_at,survey,score'), 'the drill-down as CSV');
    await page.screenshot({ path: path.join(SHOTS, 'drill.png'), fullPage: true });

    // A planted drop: team zeta's CSAT from all 5s to all 1s in the week
    // of 2026-03-23; the drop rule fires and /alerts shows it.
    const planted = path.join(process.env.CXM_WORK, 'planted.csv');
    let rows = 'response_id,survey,responded_at,score,ticket_id,agent_id,team,channel,language,comment\n';
    for (let i = 0; i < 60; i++) {
      const d = (i % 6) + 16;
      rows += `PL${i},csat,2026-03-${d}T10:${String(i % 60).padStart(2, '0')}:00Z,5,,,zeta,chat,en,\n`;
      rows += `PM${i},csat,2026-03-${d + 7}T10:${String(i % 60).padStart(2, '0')}:00Z,1,,,zeta,chat,en,\n`;
    }
    fs.writeFileSync(planted, rows);
    const cx = (...a) => execFileSync(process.env.CXM_CXMETER, [...a, '--db', process.env.CXM_DB], { encoding: 'utf8' });
    cx('import', '--quiet', 'responses', planted);
    cx('alert', 'add', '--metric', 'csat', '--by', 'team', '--drop', '--window', 'week');
    cx('alert', 'check', '--from', '2026-03-01', '--at', '2026-03-31');
    await page.goto(URL + '/?period=all');
    check(await page.$('#alert-banner a') !== null, "the overview's alert banner");
    await Promise.all([page.waitForNavigation(), page.click('#alert-banner a')]);
    check(page.url().startsWith(URL + '/alerts'), 'the banner links to /alerts');
    const fired = await page.$$eval('#firings tbody tr', (t) => t.map((e) => e.textContent));
    check(fired.some((r) => r.includes('zeta') && r.includes('2026-03-23')), 'the planted drop on /alerts: ' + fired.join(' | '));
    await page.screenshot({ path: path.join(SHOTS, 'alerts.png'), fullPage: true });
    await page.goto(URL + '/comments?period=all&score_max=2');
    check(await page.$('#comments') !== null, 'the comments page');
    await page.screenshot({ path: path.join(SHOTS, 'comments.png'), fullPage: true });

    // A phone: 375 px, no horizontal scroll.
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true });
    const pp = await phone.newPage();
    await phone.addCookies(await ctx.cookies());
    for (const u of ['/?period=all', '/breakdown?dim=agent&period=all', '/agent?id=chen.wei&period=all']) {
      await pp.goto(URL + u);
      const w = await pp.evaluate(() => document.documentElement.scrollWidth);
      check(w <= 375, `${u} fits 375 px (scrollWidth ${w})`);
    }
    await pp.goto(URL + '/?period=all');
    await pp.screenshot({ path: path.join(SHOTS, 'phone.png'), fullPage: true });

    // Log out: the dashboard is closed again.
    await page.goto(URL + '/');
    await Promise.all([page.waitForNavigation(), page.click('form.logout button')]);
    check(page.url().startsWith(URL + '/login'), 'logged out');
    await page.goto(URL + '/breakdown');
    check(page.url().startsWith(URL + '/login'), 'no page after logout');
    check(errors.length === 0, 'no script error or CSP violation: ' + errors.join(' | '));
  } catch (e) {
    failed = true;
    console.error(e && e.stack ? e.stack : e);
  } finally {
    await browser.close();
  }
  process.exitCode = failed ? 1 : process.exitCode;
})();
