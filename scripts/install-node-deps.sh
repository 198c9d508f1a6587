#!/usr/bin/env bash
# Installs the npm packages the browser tests use (playwright-core, which
# drives Debian's /usr/bin/chromium; it downloads no browser of its own)
# into tests/browser/node_modules, from the committed package-lock.json.
# Idempotent: does nothing when the installed tree matches the lock file.
set -euo pipefail
cd "$(dirname "$0")/../tests/browser"
if ! command -v npm >/dev/null 2>&1; then
  echo "install-node-deps: npm is missing (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
stamp=node_modules/.cxm-lock
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  exit 0
fi
echo "install-node-deps: npm ci in tests/browser" >&2
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >&2
cp package-lock.json "$stamp"
