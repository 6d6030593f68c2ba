#!/usr/bin/env bash
# Installs the npm dependencies exactly as locked when node_modules is missing or older than the lockfile.
#
# `npm ci` needs a lock entry for every optional package of every dependency, also those of other
# platforms. chDB's darwin and linux-arm64 libraries are not served by every registry mirror (the one
# this project is built on answers 404 for them), so `npm install` here writes a lock without them and
# `npm ci` then refuses it ("Missing: @chdb/lib-darwin-arm64@ from lock file"). The lock therefore
# carries those three entries by hand (version, os, cpu, optional; no tarball: npm never fetches a
# package of another platform); test/lockfile.test.ts fails if a regenerated lock loses them.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm dependencies (first run fetches ~600 MB, mostly chDB)…"
  npm ci --no-audit --no-fund --loglevel=error
fi
