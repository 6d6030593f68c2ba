#!/usr/bin/env bash
# Installs the FinOps FOCUS validator (PyPI focus-validator) into .venv/focus, idempotently.
# Used by pipeline/cost/focus-export.validator.test.ts to check the FOCUS CSV export.
#
# Pins: focus-validator 1.0.0 is the only release on PyPI. Its pandera 0.17.x imports
# `multimethod.overload`, which multimethod 1.11+ removed, so multimethod is pinned below 1.11
# (without the pin `focus-validator --help` dies with an ImportError).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv/focus
VALIDATOR_VERSION=1.0.0
MULTIMETHOD_SPEC='multimethod==1.10'
STAMP="$VENV/.installed-focus-validator-$VALIDATOR_VERSION"

if [ -x "$VENV/bin/focus-validator" ] && [ -f "$STAMP" ]; then
  echo "focus-validator $VALIDATOR_VERSION already installed in $VENV"
  exit 0
fi

PYTHON=${PYTHON:-python3}
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "setup-focus-validator: $PYTHON not found; install Python 3.9+ to validate FOCUS exports" >&2
  exit 1
fi

rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "focus-validator==$VALIDATOR_VERSION" "$MULTIMETHOD_SPEC"
"$VENV/bin/focus-validator" --supported-versions >/dev/null
touch "$STAMP"
echo "focus-validator $VALIDATOR_VERSION installed in $VENV"
