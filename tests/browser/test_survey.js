// test_survey.js — a customer answers an NPS survey in a real Chromium
// (Debian's, through playwright-core) on a real `cxmeter serve`.
//
// Driven by run_survey.py, which starts the server on a fresh store and
// creates the invitations by the JSON API:
//   node test_survey.js --url FI_LINK --url-nojs EN_LINK \
//        --cxmeter PATH --db STORE --screens DIR
//
// FI_LINK is a Finnish NPS invitation: the page must be Finnish, the
// language switch must work, 9 is answered by keyboard, the reason is
// typed (with a <script> in it), the thank-you page follows, the report
// has the answer at once; then the one-click link ?score=10 edits it (one
// answer, of 10). EN_LINK is answered by mouse clicks in a context with
// JavaScript disabled. Every page: no horizontal scroll at 375 px, every
// control labelled, visible keyboard focus, the typed text shown as text.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { launch, check } = require('./lib.js');

function parseArgs(argv) {
  const a = {};
  for (let i = 2; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length)
      throw new Error('usage: test_survey.js --url L --url-nojs L '
                      + '--cxmeter P --db D --screens DIR');
    a[argv[i].slice(2)] = argv[i + 1];
  }
  for (const k of ['url', 'url-nojs', 'cxmeter', 'db', 'screens'])
    if (!a[k]) throw new Error('missing --' + k);
  return a;
}

const A = parseArgs(process.argv);
const REASON = 'Nopea ja ystävällinen <script>window.__xss=1;alert(1)</script> & "kiitos"';

function cxmeter(...args) {
  return execFileSync(A.cxmeter, [...args, '--db', A.db], { encoding: 'utf8' });
}

// The NPS figure of one language from `cxmeter report --by language`.
function npsOf(lang) {
  const j = JSON.parse(cxmeter('report', '--by', 'language', '--metrics', 'nps',
                               '--format', 'json'));
  const row = j.rows.find((r) => r.language === lang);
  return row ? row.nps : null;
}

// The answers of the export, by invitation link token's invitation.
function exported() {
  return JSON.parse(cxmeter('export', 'answers', '--format', 'json')).answers;
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(A.screens, 'survey-' + name + '.png'),
                          fullPage: true });
}

// Every visible control has a label (a <label>, aria-label or
// aria-labelledby); returns the controls without one.
async function unlabelled(page) {
  return page.$$eval('input:not([type=hidden]), textarea, select', (els) =>
    els.filter((e) => !(e.labels && e.labels.length) &&
                      !e.getAttribute('aria-label') &&
                      !e.getAttribute('aria-labelledby'))
      .map((e) => e.outerHTML));
}

// No horizontal scroll: the document is no wider than the viewport.
async function noHScroll(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <=
                             document.documentElement.clientWidth);
}

// The outline the focused element shows (on itself, or on the span that
// draws a visually hidden radio), as "style width".
async function focusRing(page) {
  return page.evaluate(() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const t = e.matches('.scale input') ? e.nextElementSibling : e;
    const cs = getComputedStyle(t);
    return { tag: e.tagName.toLowerCase(), name: e.name || e.textContent,
             style: cs.outlineStyle, width: parseFloat(cs.outlineWidth) };
  });
}

// Tabs until the focused element satisfies pred (at most 40 presses).
async function tabTo(page, pred) {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(pred)) return true;
  }
  return false;
}

function checkRing(ring, what) {
  check(ring && ring.style !== 'none' && ring.width >= 2,
        'visible focus on ' + what + ': ' + JSON.stringify(ring));
}

// The typed reason is shown as text: no script element, nothing ran.
async function checkShownAsText(page, where) {
  const scripts = await page.evaluate(() => document.scripts.length);
  const ran = await page.evaluate(() => window.__xss === 1);
  check(scripts === 0 && !ran, where + ': no script element, nothing ran');
  const shown = await page.locator('textarea[name=q_reason]').inputValue();
  check(shown === REASON, where + ': the reason shown as typed, as text (' +
        JSON.stringify(shown) + ')');
}

async function answerFinnish(browser) {
  const ctx = await browser.newContext({ viewport: { width: 1024, height: 768 },
                                         locale: 'fi-FI' });
  const page = await ctx.newPage();
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });

  let r = await page.goto(A.url);
  check(r.status() === 200, 'the link opens (200)');
  check(await page.getAttribute('html', 'lang') === 'fi', '<html lang="fi">');
  check(/Suosittelisitko/.test(await page.title()), 'Finnish title');
  check(await page.getByText('Kuinka todennäköisesti suosittelisit').isVisible(),
        'the Finnish question is shown');
  check(await page.getByRole('button', { name: 'Lähetä' }).isVisible(),
        'the Finnish send button');
  check((await unlabelled(page)).length === 0, 'every control is labelled');
  await shot(page, '1-fi');

  // The language switch: to English and back.
  await page.getByRole('navigation').getByRole('link', { name: 'en', exact: true }).click();
  await page.waitForLoadState();
  check(await page.getAttribute('html', 'lang') === 'en' &&
        await page.getByText('Would you recommend').first().isVisible(),
        'the switch shows the page in English');
  await page.getByRole('navigation').getByRole('link', { name: 'fi', exact: true }).click();
  await page.waitForLoadState();
  check(await page.getAttribute('html', 'lang') === 'fi', 'and back to Finnish');

  // 9 by keyboard: Tab into the scale (the focus ring shows), arrows to 9.
  check(await tabTo(page, () => document.activeElement.matches('a[hreflang]')),
        'the language links take the focus');
  checkRing(await focusRing(page), 'a language link');
  check(await tabTo(page, () => document.activeElement.name === 'q_score'),
        'Tab reaches the score scale');
  checkRing(await focusRing(page), 'the score scale');
  await page.keyboard.press('Space');
  for (let i = 0; i < 9; i++) await page.keyboard.press('ArrowRight');
  const picked = await page.$eval('input[name=q_score]:checked', (e) => e.value);
  check(picked === '9', 'the arrows pick 9 (got ' + picked + ')');
  await shot(page, '2-fi-focus-9');
  check(await tabTo(page, () => document.activeElement.type === 'submit'),
        'Tab reaches the send button');
  checkRing(await focusRing(page), 'the send button');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);

  // The follow-up: the reason, with its label.
  check(await page.getAttribute('html', 'lang') === 'fi', 'the follow-up is Finnish');
  const reason = page.getByLabel('Mikä on tärkein syy');
  check(await reason.isVisible(), 'the reason question, found by its label');
  check((await unlabelled(page)).length === 0, 'every control of the follow-up is labelled');
  await reason.focus();
  checkRing(await focusRing(page), 'the reason box');
  await reason.fill(REASON);
  await shot(page, '3-fi-reason');
  await Promise.all([page.waitForNavigation(),
                     page.getByRole('button', { name: 'Lähetä' }).click()]);
  check(await page.getByRole('heading', { name: 'Kiitos!' }).isVisible(),
        'the thank-you page');
  await shot(page, '4-fi-thanks');

  let nps = npsOf('fi');
  check(nps && nps.n === 1 && nps.value === 100,
        'cxmeter report --by language has the answer at once: ' + JSON.stringify(nps));

  // Opened again: the reason is shown as text in its box.
  r = await page.goto(A.url);
  check(r.status() === 200, 'the link opens again within the edit window');
  await checkShownAsText(page, 'the page opened again');
  await shot(page, '5-fi-again');

  // The one-click link with 10 edits the answer.
  r = await page.goto(A.url + '?score=10');
  check(r.status() === 200, 'the one-click link ?score=10 (200)');
  check(await page.$eval('input[name=q_score]:checked', (e) => e.value) === '10',
        'the one-click page shows 10 selected');
  await checkShownAsText(page, 'the one-click page');
  await shot(page, '6-fi-one-click-10');
  nps = npsOf('fi');
  check(nps && nps.n === 1 && nps.value === 100, 'still one answer: ' + JSON.stringify(nps));
  const ans = exported().filter((a) => a.language === 'fi');
  check(ans.length === 1 && ans[0].answers.score === 10 &&
        ans[0].answers.reason === REASON,
        'exactly one answer, of 10, the reason kept: ' + JSON.stringify(ans));
  check(dialogs.length === 0, 'no dialog ever opened: ' + JSON.stringify(dialogs));
  await ctx.close();
}

async function mobile(browser) {
  const ctx = await browser.newContext({ viewport: { width: 375, height: 667 },
                                         isMobile: true, hasTouch: true,
                                         deviceScaleFactor: 2 });
  const page = await ctx.newPage();
  for (const [u, name] of [[A.url, 'fi'], [A.url + '?lang=vi', 'vi'],
                           [A['url-nojs'] + '?lang=ms', 'ms'],
                           [A.url.replace(/\/s\/.*/, '/s/' + 'A'.repeat(43)), '404']]) {
    await page.goto(u);
    check(await noHScroll(page), '375 px wide: no horizontal scroll (' + name + ')');
    await shot(page, 'mobile-' + name);
  }
  // The scale's buttons are big enough to tap (44 px, WCAG 2.5.5).
  await page.goto(A.url);
  const small = await page.$$eval('.scale label', (els) =>
    els.filter((e) => e.getBoundingClientRect().height < 44 ||
                      e.getBoundingClientRect().width < 44).length);
  check(small === 0, 'every score button is at least 44 px square on a phone');
  await ctx.close();
}

async function withoutJavaScript(browser) {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  let r = await page.goto(A['url-nojs']);
  check(r.status() === 200, 'JavaScript off: the link opens');
  check(await page.getAttribute('html', 'lang') === 'en', 'JavaScript off: English');
  await page.locator('.scale label').filter({ hasText: /^7$/ }).click();
  await Promise.all([page.waitForNavigation(),
                     page.getByRole('button', { name: 'Send' }).click()]);
  check(await page.locator('input[name=q_score][value="7"]').isChecked(),
        'JavaScript off: the click on 7 was sent');
  await page.getByLabel('What is the main reason').fill('<script>x</script> works without JS');
  await Promise.all([page.waitForNavigation(),
                     page.getByRole('button', { name: 'Send' }).click()]);
  check(await page.getByRole('heading', { name: 'Thank you!' }).isVisible(),
        'JavaScript off: the form is sent, the thank-you page');
  await shot(page, 'nojs-thanks');
  r = await page.goto(A['url-nojs']);
  check(await page.locator('textarea[name=q_reason]').inputValue() ===
        '<script>x</script> works without JS', 'JavaScript off: the reason shown as text');
  await ctx.close();
}

(async () => {
  fs.mkdirSync(A.screens, { recursive: true });
  const browser = await launch();
  try {
    await answerFinnish(browser);
    await withoutJavaScript(browser);
    await mobile(browser);
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error('FAIL: ' + (e && e.stack ? e.stack : e));
  process.exitCode = 1;
});
