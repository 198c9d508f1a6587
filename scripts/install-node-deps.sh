#!/usr/bin/env bash
# Installs the npm packages of the project from their committed lock files:
#   tests/browser — playwright-core, which drives Debian's /usr/bin/chromium
#                   (it downloads no browser of its own), for the browser tests;
#   web           — uPlot, whose dist files the build embeds into cxmeter
#                   (CMakeLists.txt, "Dashboard assets"): the dashboard's
#                   charts are served by cxmeter itself, never from a CDN.
# Idempotent: does nothing for a directory whose installed tree matches its
# lock file.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v npm >/dev/null 2>&1; then
  echo "install-node-deps: npm is missing (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
for dir in tests/browser web; do
  cd "$root/$dir"
  stamp=node_modules/.cxm-lock
  if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
    continue
  fi
  echo "install-node-deps: npm ci in $dir" >&2
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >&2
  cp package-lock.json "$stamp"
done
