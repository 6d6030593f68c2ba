#!/usr/bin/env bash
# Builds Helm v4 (helm.sh/helm/v4/cmd/helm) with Go from the Go module proxy (no GitHub downloads) into
# a cache dir OUTSIDE the repo, keyed by version, next to scripts/build-kube-apiserver.sh's. Idempotent:
# exits at once when the binary exists. Prints the bin dir as its last line of output.
#
# helm.sh/helm/v4's go.mod has no replace directives, so a plain `go install module@version` builds it;
# the -X flags are the ones Helm's Makefile sets, so `helm version` reports the real version.
# Measured on the 2-core dev machine: see deploy/README.md (Tests).
#
# Env: HELM_VERSION (default 4.3.2), GPU_LEDGER_K8S_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/gpu-ledger).
set -euo pipefail

HVER="${HELM_VERSION:-4.3.2}"
ROOT="${GPU_LEDGER_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gpu-ledger}/helm-$HVER"
BIN="$ROOT/bin"

if [ -x "$BIN/helm" ]; then
  echo "helm v$HVER already built in $BIN"
  echo "$BIN"
  exit 0
fi
command -v go >/dev/null || { echo "build-helm: 'go' not found on PATH" >&2; exit 1; }

# One build at a time per version (parallel CI jobs on one machine): wait, then re-check.
mkdir -p "$ROOT"
exec 9>"$ROOT/.lock"
if command -v flock >/dev/null; then
  flock 9
  if [ -x "$BIN/helm" ]; then echo "$BIN"; exit 0; fi
fi

export GOFLAGS=-mod=mod GOMAXPROCS="${GOMAXPROCS:-2}" CGO_ENABLED=0 GOTOOLCHAIN=local
started=$(date +%s)
step() { echo "[build-helm +$(( $(date +%s) - started ))s] $*"; }

# The bin dir only appears once the binary exists (an interrupted build leaves bin.partial behind).
rm -rf "$ROOT/bin.partial" && mkdir -p "$ROOT/bin.partial"
step "go install helm.sh/helm/v4/cmd/helm@v$HVER (downloads its modules on a cold GOMODCACHE)"
(cd "$ROOT" && GOBIN="$ROOT/bin.partial" go install -trimpath \
  -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=v$HVER -X helm.sh/helm/v4/internal/version.gitTreeState=clean" \
  "helm.sh/helm/v4/cmd/helm@v$HVER")
"$ROOT/bin.partial/helm" version --short >/dev/null || { echo "build-helm: the built helm does not run" >&2; exit 1; }

rm -rf "$BIN" && mv "$ROOT/bin.partial" "$BIN"
step "done: $("$BIN/helm" version --short), $(du -sh "$BIN" | cut -f1) in $BIN"
echo "$BIN"
