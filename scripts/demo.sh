#!/usr/bin/env bash
# The end-to-end demo in embedded mode: a simulated fleet replays real captured nvidia-smi output
# through agents, the in-process bus, the ingest pipeline and chDB, then prints what flowed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
exec node bin/gpu-ledger.js demo "$@"
