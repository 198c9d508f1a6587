// Shared launcher for the browser tests: Debian's chromium, headless, no
// network beyond 127.0.0.1, no first-run or background services.
'use strict';
const path = require('path');
const { chromium } = require(path.join(__dirname, 'node_modules', 'playwright-core'));

const CHROMIUM = process.env.CXM_CHROMIUM || '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu',
  '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
];

async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

// check(cond, what): a failed check ends the test with exit status 1.
function check(cond, what) {
  if (!cond) {
    console.error('FAIL: ' + what);
    process.exitCode = 1;
    throw new Error(what);
  }
  console.log('ok: ' + what);
}

module.exports = { launch, check, CHROMIUM };
