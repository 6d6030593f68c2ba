#!/usr/bin/env bash
# Builds a real kube-apiserver and a version-matched etcd from the Go module proxy (no Docker, no
# GitHub downloads) into a cache dir OUTSIDE the repo, keyed by version. Idempotent: exits at once
# when both binaries exist. Prints the bin dir as its last line of output.
#
# How: a wrapper module requires k8s.io/kubernetes vKVER and replaces each staging module (derived
# from k8s.io/kubernetes's own go.mod) with k8s.io/<name>@v0.<minor>.<patch>; etcd is built from
# go.etcd.io/etcd/server/v3/etcdmain in the same module graph, so server and client versions match.
# Measured cold on 2 cores: 12 min 53 s, 0.6 GB GOMODCACHE + 2.2 GB GOCACHE, 123 MB of binaries;
# see collectors/kubernetes/README.md.
#
# Env: KUBE_VERSION (default 1.34.4), GPU_LEDGER_K8S_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/gpu-ledger).
set -euo pipefail

KVER="${KUBE_VERSION:-1.34.4}"
MINOR="$(echo "$KVER" | cut -d. -f2)"
SVER="0.${KVER#1.}"
ROOT="${GPU_LEDGER_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gpu-ledger}/k8s-$KVER"
BIN="$ROOT/bin"

if [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/etcd" ]; then
  echo "kube-apiserver v$KVER + etcd already built in $BIN"
  echo "$BIN"
  exit 0
fi
command -v go >/dev/null || { echo "build-kube-apiserver: 'go' not found on PATH" >&2; exit 1; }

# One build at a time per version (parallel CI jobs on one machine): wait, then re-check.
mkdir -p "$ROOT"
exec 9>"$ROOT/.lock"
if command -v flock >/dev/null; then
  flock 9
  if [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/etcd" ]; then echo "$BIN"; exit 0; fi
fi

export GOFLAGS=-mod=mod GOMAXPROCS="${GOMAXPROCS:-2}" CGO_ENABLED=0 GOTOOLCHAIN=local
started=$(date +%s)
step() { echo "[build-kube-apiserver +$(( $(date +%s) - started ))s] $*"; }

# Build in a scratch dir next to the final one; the bin dir only appears once both binaries exist.
WORK="$ROOT/module"
rm -rf "$WORK" && mkdir -p "$WORK/cmd/etcd" && cd "$WORK"
step "wrapper module for k8s.io/kubernetes v$KVER (staging v$SVER) in $WORK"
go mod init local/k8sbins >/dev/null 2>&1
MODFILE="$(go mod download -json "k8s.io/kubernetes@v$KVER" | sed -n 's/^\s*"GoMod": "\(.*\)",\?$/\1/p')"
[ -f "$MODFILE" ] || { echo "build-kube-apiserver: no go.mod for k8s.io/kubernetes@v$KVER" >&2; exit 1; }
staging="$(sed -n 's#^\s*\(k8s\.io/[A-Za-z0-9._-]*\) => \./staging/.*#\1#p' "$MODFILE")"
[ -n "$staging" ] || { echo "build-kube-apiserver: no staging replaces in $MODFILE" >&2; exit 1; }
for m in $staging; do go mod edit "-replace=$m=$m@v$SVER"; done
go mod edit "-require=k8s.io/kubernetes@v$KVER" -godebug=default=go1.24
step "$(echo "$staging" | wc -w) staging modules replaced"

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

step "go mod tidy (downloads ~0.6 GB of modules on a cold GOMODCACHE)"
go mod tidy
step "etcd $(go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3) from the same module graph"

mkdir -p "$ROOT/bin.partial"
step "go build kube-apiserver (cold: ~12 min on 2 cores, warm GOCACHE: ~15 s)"
go build -trimpath -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=v$KVER \
  -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$MINOR" \
  -o "$ROOT/bin.partial/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
step "go build etcd"
go build -trimpath -ldflags "-s -w" -o "$ROOT/bin.partial/etcd" ./cmd/etcd

rm -rf "$BIN" && mv "$ROOT/bin.partial" "$BIN"
step "done: $(du -sh "$BIN" | cut -f1) in $BIN"
echo "$BIN"
