#!/usr/bin/env bash
# Makes sure headless Chromium is installed from Debian's packages (the web console's browser tests,
# test/e2e/console-browser.test.ts, drive it through playwright-core; no browser is ever downloaded
# by npm). GPU_LEDGER_CHROMIUM names another binary.
set -euo pipefail
CHROMIUM=${GPU_LEDGER_CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  echo "chromium: $("$CHROMIUM" --version 2>/dev/null | tail -1)"
  exit 0
fi
if [ "$CHROMIUM" = /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing chromium from the Debian packages…"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  "$CHROMIUM" --version
  exit 0
fi
echo "setup-chromium: no Chromium at $CHROMIUM; install it (Debian/Ubuntu: apt-get install chromium) or set GPU_LEDGER_CHROMIUM" >&2
exit 1
