import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../contracts/config-error.ts';
import { parsePriceCatalog, type PriceCatalog } from './price-catalog.ts';

/** The catalog shipped with the project: config/prices/default.yaml. */
export const DEFAULT_PRICE_CATALOG_PATH = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../config/prices/default.yaml',
);

/** Reads and validates a catalog file; a missing/unreadable file or any invalid entry is a ConfigError. */
export const loadPriceCatalog = (path: string = DEFAULT_PRICE_CATALOG_PATH): PriceCatalog => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`${path}: cannot read price catalog: ${(error as Error).message}`]);
  }
  return parsePriceCatalog(text, path);
};
