import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

interface LockPackage {
  readonly version?: string;
  readonly optional?: boolean;
  readonly os?: readonly string[];
  readonly cpu?: readonly string[];
  readonly optionalDependencies?: Readonly<Record<string, string>>;
}

const lock = JSON.parse(readFileSync(resolve(import.meta.dirname, '../package-lock.json'), 'utf8')) as {
  packages: Record<string, LockPackage>;
};

describe('package-lock.json', () => {
  // `npm ci` refuses a lock that lacks an entry for any optional dependency, whatever its platform
  // (scripts/ensure-deps.sh says why chDB's other-platform entries are kept by hand).
  it('lists every optional dependency of every locked package, so `npm ci` accepts it', () => {
    const missing: string[] = [];
    for (const [path, pkg] of Object.entries(lock.packages)) {
      for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
        const entry = lock.packages[`node_modules/${name}`] ?? lock.packages[`${path}/node_modules/${name}`];
        if (!entry) missing.push(`${name}@${version} (optional dependency of ${path || 'the project'})`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("keeps chDB's libraries for other platforms optional and platform-bound, so npm never fetches them here", () => {
    for (const name of ['lib-darwin-arm64', 'lib-darwin-x64', 'lib-linux-arm64-gnu']) {
      const entry = lock.packages[`node_modules/@chdb/${name}`];
      expect(entry?.optional, name).toBe(true);
      expect(entry?.os?.length, name).toBe(1);
      expect(entry?.cpu?.length, name).toBe(1);
    }
  });
});
