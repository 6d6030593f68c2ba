#!/usr/bin/env bash
# Builds a real kube-apiserver and a version-matched etcd from the Go module proxy (no Docker, no
# GitHub downloads) into a cache dir OUTSIDE the repo, keyed by version. Idempotent: exits at once
# when both binaries exist. Prints the bin dir as its last line of output.
#
# How: the wrapper module of scripts/lib/k8s-module.sh (k8s.io/kubernetes vKVER, staging modules
# replaced by their v0.x releases); etcd is built from
# go.etcd.io/etcd/server/v3/etcdmain in the same module graph, so server and client versions match.
# Measured cold on 2 cores: 12 min 53 s, 0.6 GB GOMODCACHE + 2.2 GB GOCACHE, 123 MB of binaries;
# see collectors/kubernetes/README.md.
#
# Env: KUBE_VERSION (default 1.34.4), GPU_LEDGER_K8S_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/gpu-ledger).
set -euo pipefail

. "$(dirname "$0")/lib/k8s-module.sh"

if [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/etcd" ]; then
  echo "kube-apiserver v$KVER + etcd already built in $BIN"
  echo "$BIN"
  exit 0
fi
# One build at a time per version (parallel CI jobs on one machine): wait, then re-check.
k8s_lock
if [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/etcd" ]; then echo "$BIN"; exit 0; fi

k8s_wrapper_module "$ROOT/module"
mkdir -p cmd/etcd
cat > tools.go <<'EOF'
//go:build tools

package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
EOF
cat > cmd/etcd/main.go <<'EOF'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF

k8s_step "go mod tidy (downloads ~0.6 GB of modules on a cold GOMODCACHE)"
go mod tidy
k8s_step "etcd $(go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3) from the same module graph"

mkdir -p "$ROOT/bin.partial"
k8s_step "go build kube-apiserver (cold: ~12 min on 2 cores, warm GOCACHE: ~15 s)"
go build -trimpath -ldflags "$K8S_LDFLAGS" -o "$ROOT/bin.partial/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
k8s_step "go build etcd"
go build -trimpath -ldflags "-s -w" -o "$ROOT/bin.partial/etcd" ./cmd/etcd

k8s_install etcd && k8s_install kube-apiserver # the bin dir may hold kube-scheduler too
k8s_step "done: $(du -sh "$BIN" | cut -f1) in $BIN"
echo "$BIN"
