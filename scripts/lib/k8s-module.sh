# Sourced by scripts/build-kube-*.sh: the shared settings and the wrapper module that builds a
# k8s.io/kubernetes command from the Go module proxy (no Docker, no GitHub downloads).
#
# How: a wrapper module requires k8s.io/kubernetes vKVER and replaces each staging module (derived
# from k8s.io/kubernetes's own go.mod) with k8s.io/<name>@v0.<minor>.<patch>.
#
# Env: KUBE_VERSION (default 1.34.4), GPU_LEDGER_K8S_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/gpu-ledger).

KVER="${KUBE_VERSION:-1.34.4}"
MINOR="$(echo "$KVER" | cut -d. -f2)"
SVER="0.${KVER#1.}"
ROOT="${GPU_LEDGER_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gpu-ledger}/k8s-$KVER"
BIN="$ROOT/bin"
# -X flags so the binary reports its real version (kube-scheduler checks nothing, the API server's /version shows it).
K8S_LDFLAGS="-s -w -X k8s.io/component-base/version.gitVersion=v$KVER -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$MINOR"

k8s_started=$(date +%s)
k8s_step() { echo "[$(basename "$0" .sh) +$(( $(date +%s) - k8s_started ))s] $*"; }

# Takes the per-version build lock (one build at a time on a machine: parallel CI jobs, or the
# apiserver and scheduler scripts), so Go's caches are not filled twice at once.
k8s_lock() {
  mkdir -p "$ROOT"
  exec 9>"$ROOT/.lock"
  if command -v flock >/dev/null; then flock 9; fi
}

# k8s_wrapper_module DIR: a fresh wrapper module in DIR requiring k8s.io/kubernetes vKVER with every
# staging module replaced by its v0.x release; leaves the shell in DIR. The caller adds its imports
# (a tools.go) and runs `go mod tidy`.
k8s_wrapper_module() {
  command -v go >/dev/null || { echo "$(basename "$0"): 'go' not found on PATH" >&2; exit 1; }
  export GOFLAGS=-mod=mod GOMAXPROCS="${GOMAXPROCS:-2}" CGO_ENABLED=0 GOTOOLCHAIN=local
  rm -rf "$1" && mkdir -p "$1" && cd "$1"
  k8s_step "wrapper module for k8s.io/kubernetes v$KVER (staging v$SVER) in $1"
  go mod init local/k8sbins >/dev/null 2>&1
  local modfile staging m
  modfile="$(go mod download -json "k8s.io/kubernetes@v$KVER" | sed -n 's/^\s*"GoMod": "\(.*\)",\?$/\1/p')"
  [ -f "$modfile" ] || { echo "$(basename "$0"): no go.mod for k8s.io/kubernetes@v$KVER" >&2; exit 1; }
  staging="$(sed -n 's#^\s*\(k8s\.io/[A-Za-z0-9._-]*\) => \./staging/.*#\1#p' "$modfile")"
  [ -n "$staging" ] || { echo "$(basename "$0"): no staging replaces in $modfile" >&2; exit 1; }
  for m in $staging; do go mod edit "-replace=$m=$m@v$SVER"; done
  go mod edit "-require=k8s.io/kubernetes@v$KVER" -godebug=default=go1.24
  k8s_step "$(echo "$staging" | wc -w) staging modules replaced"
}

# k8s_install NAME: moves $ROOT/bin.partial/NAME into the bin dir (a rename: the binary appears whole or not at all).
k8s_install() {
  mkdir -p "$BIN" && mv -f "$ROOT/bin.partial/$1" "$BIN/$1"
}
