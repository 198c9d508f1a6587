#!/usr/bin/env bash
# Installs the Debian packages cxmeter needs to build, test and run its demo,
# and nothing that is already there. Idempotent; needs root only when
# something is missing. Used by `make test`, `make demo` and `.ci/run`.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libsqlite3-dev sqlite3
  libgsl-dev
  libjansson-dev
  libmicrohttpd-dev libsodium-dev
  libcmocka-dev
  clang libclang-rt-14-dev llvm
  python3
  tzdata
  libcurl4-openssl-dev
  python3-aiosmtpd
  wrk
  chromium
  postgresql-15 libpq-dev
)
# Node.js and npm drive the browser tests; the machine's own are used when
# present, Debian's otherwise.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
[ "${CXM_DEPS_EXTRA:-}" ] && read -r -a extra <<<"$CXM_DEPS_EXTRA" && packages+=("${extra[@]}")

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "install-deps: missing packages (${missing[*]}) and not root" >&2
    exit 1
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
