#!/usr/bin/env bash
# Installs the npm dependencies when node_modules is missing or older than the lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm dependencies (first run fetches ~600 MB, mostly chDB)…"
  # `npm install`, not `npm ci`: npm 11's ci insists on lock entries for chDB's optional packages
  # of other platforms (darwin, arm64), which a registry mirror may not serve. The lockfile still
  # pins every version that is installed here, and install leaves it unchanged when it is in sync.
  npm install --no-audit --no-fund --loglevel=error
fi
