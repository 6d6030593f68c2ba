#!/usr/bin/env bash
# The whole test suite: lint, typecheck, unit tests, and integration tests on a real Kafka broker and
# a real ClickHouse server, which this script starts (and stops again if it started them).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
export KAFKAJS_NO_PARTITIONER_WARNING=1
cli() { node bin/gpu-ledger.js "$@"; }

echo "== format";     npx prettier --check . --log-level=warn
echo "== lint";       npx eslint . --max-warnings=0
echo "== typecheck";  npx tsc --noEmit && npx tsc --noEmit -p api/console/web

started_stack=0
stack_healthy() {
  cli stack status --json 2>/dev/null | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>process.exit(JSON.parse(s).healthy?0:1))'
}
if ! stack_healthy; then
  echo "== stack up";  cli stack up
  started_stack=1
fi
stop_stack() { if [ "$started_stack" = 1 ]; then echo "== stack down"; cli stack down || true; fi; }
trap stop_stack EXIT

echo "== focus validator"; bash scripts/setup-focus-validator.sh
echo "== kube-apiserver"; bash scripts/build-kube-apiserver.sh   # cached outside the repo; a cold build takes ~10 min
echo "== kube-scheduler"; bash scripts/build-kube-scheduler.sh  # same cache and Go caches; warm after the API server: ~1 min
echo "== helm";       bash scripts/build-helm.sh             # cached outside the repo; a cold build takes ~7 min
echo "== chromium";   bash scripts/setup-chromium.sh         # Debian's package, for the web console's browser tests
echo "== tests";      npx vitest run "$@"
