/**
 * Headless Chromium from the system (Debian's /usr/bin/chromium, or GPU_LEDGER_CHROMIUM) driven by
 * playwright-core: never a downloaded browser. Launch and close are bounded.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env['GPU_LEDGER_CHROMIUM'] ?? '/usr/bin/chromium';

export async function launchChromium(timeoutMs = 30_000): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: run scripts/setup-chromium.sh (apt-get install chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    timeout: timeoutMs,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

/** Closes the browser within timeoutMs; past it, says so (the process is the browser's to end with ours). */
export async function closeChromium(browser: Browser | undefined, timeoutMs = 10_000): Promise<void> {
  if (browser === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    browser.close().then(() => true),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (!closed) console.warn(`Chromium did not close within ${timeoutMs} ms`);
}
