import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../contracts/config-error.ts';
import {
  cutoffMs,
  DEFAULT_RETENTION,
  isExpired,
  parseMaxAge,
  partitionEndMs,
  validateRetention,
} from './retention-policy.ts';

const NOW = Date.UTC(2024, 4, 15, 10, 30, 0); // 2024-05-15T10:30Z

describe('retention policy', () => {
  it('parses ages in days, months and years', () => {
    expect(parseMaxAge('14d')).toEqual({ unit: 'day', count: 14 });
    expect(parseMaxAge('13mo')).toEqual({ unit: 'month', count: 13 });
    expect(parseMaxAge('2y')).toEqual({ unit: 'month', count: 24 });
    expect(() => parseMaxAge('14')).toThrow('not a retention age: "14"');
    expect(() => parseMaxAge('0d')).toThrow();
  });

  it('computes cutoffs in UTC days and calendar months', () => {
    expect(new Date(cutoffMs(NOW, { unit: 'day', count: 14 })).toISOString()).toBe('2024-05-01T10:30:00.000Z');
    expect(new Date(cutoffMs(NOW, { unit: 'month', count: 13 })).toISOString()).toBe('2023-04-15T10:30:00.000Z');
  });

  it('reads day and month partition ids, and nothing else', () => {
    expect(new Date(partitionEndMs('20240430')!).toISOString()).toBe('2024-05-01T00:00:00.000Z');
    expect(new Date(partitionEndMs('202312')!).toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(partitionEndMs('all')).toBeNull();
    expect(partitionEndMs('20240430-1')).toBeNull();
  });

  it('expires a partition only when all it can hold is past the cutoff', () => {
    const raw = cutoffMs(NOW, DEFAULT_RETENTION.maxAge.raw);
    expect(isExpired('20240430', raw)).toBe(true);
    expect(isExpired('20240501', raw)).toBe(false); // holds 2024-05-01T10:30 … 23:59, younger than 14 days
    expect(isExpired('202404', raw)).toBe(true); // ends 2024-05-01T00:00, before the cutoff 10:30 that day
    expect(isExpired('202405', raw)).toBe(false);
    expect(isExpired('all', raw)).toBe(false);
  });

  it('refuses a ledger or audit retention under a year, listing every problem', () => {
    expect(validateRetention(DEFAULT_RETENTION)).toBe(DEFAULT_RETENTION);
    const bad = {
      ...DEFAULT_RETENTION,
      maxAge: { ...DEFAULT_RETENTION.maxAge, ledger: { unit: 'day', count: 90 }, audit: { unit: 'month', count: 6 } },
    } as const;
    const error: unknown = (() => {
      try {
        return validateRetention(bad);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toMatch(
      /ledger must be at least a year.*\n?.*audit must be at least a year/s,
    );
  });
});
