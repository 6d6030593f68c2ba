#!/usr/bin/env bash
# Builds a real kube-scheduler (for the scheduler-extender integration test) from the Go module proxy
# into the same cache dir and module graph as scripts/build-kube-apiserver.sh (same k8s version).
# Idempotent: exits at once when the binary exists. Prints the bin dir as its last line of output.
# Measured: see scheduler/extender/README.md.
#
# Env: KUBE_VERSION (default 1.34.4), GPU_LEDGER_K8S_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/gpu-ledger).
set -euo pipefail
. "$(dirname "$0")/lib/k8s-module.sh"

if [ -x "$BIN/kube-scheduler" ]; then
  echo "kube-scheduler v$KVER already built in $BIN"
  echo "$BIN"
  exit 0
fi
k8s_lock
if [ -x "$BIN/kube-scheduler" ]; then echo "$BIN"; exit 0; fi

k8s_wrapper_module "$ROOT/module-scheduler"
cat > tools.go <<'GO'
//go:build tools

package tools

import _ "k8s.io/kubernetes/cmd/kube-scheduler"
GO
k8s_step "go mod tidy"
go mod tidy

mkdir -p "$ROOT/bin.partial"
k8s_step "go build kube-scheduler (cold: many minutes on 2 cores; shares GOCACHE with kube-apiserver)"
go build -trimpath -ldflags "$K8S_LDFLAGS" -o "$ROOT/bin.partial/kube-scheduler" k8s.io/kubernetes/cmd/kube-scheduler
k8s_install kube-scheduler
k8s_step "done: $(du -sh "$BIN/kube-scheduler" | cut -f1) in $BIN"
echo "$BIN"
