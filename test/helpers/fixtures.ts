import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** ../shared beside the checkout (CI lays it there); read in place, never copied into the repo. */
export const SHARED_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared');
export const TELEMETRY_FIXTURES = join(SHARED_DIR, 'fixtures/telemetry');

export const fixturePath = (...parts: string[]): string => join(TELEMETRY_FIXTURES, ...parts);
export const readFixture = (...parts: string[]): string => readFileSync(fixturePath(...parts), 'utf8');
