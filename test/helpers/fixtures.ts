import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** ../shared beside the checkout (CI lays it there); read in place, never copied into the repo. */
export const SHARED_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared');
export const TELEMETRY_FIXTURES = join(SHARED_DIR, 'fixtures/telemetry');

export const fixturePath = (...parts: string[]): string => join(TELEMETRY_FIXTURES, ...parts);
export const readFixture = (...parts: string[]): string => readFileSync(fixturePath(...parts), 'utf8');

/**
 * The real dcgm-exporter scrape of an H100 in MIG mode (GIs 7, 8, 9, KServe pods on 7 and 9) with GI
 * 7's DCGM_FI_PROF_GR_ENGINE_ACTIVE raised from 0 to 0.4213: every engine-activity value in the real
 * MIG captures is 0, and a test of MIG utilization needs one that is not.
 */
export const readH100MigCaptureWithBusyGi7 = (): string =>
  readFixture('dcgm', 'issue-dcgm-exporter-512-h100-mig-1g.10gb-kserve-pods.prom').replace(
    /^(DCGM_FI_PROF_GR_ENGINE_ACTIVE\{[^}]*GPU_I_ID="7"[^}]*\}) 0\.000000$/m,
    '$1 0.421300',
  );
