import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../../test/helpers/fixtures.ts';
import { loadPriceCatalog } from './load-price-catalog.ts';
import { MIG_FAMILIES, MigProfileError, migShare } from './mig-profiles.ts';
import { createPriceLookup } from './price-lookup.ts';

describe('MIG share rule: compute slices of the parent GPU', () => {
  it.each([
    ['A100-40GB', { '1g.5gb': 1, '1g.10gb': 1, '2g.10gb': 2, '3g.20gb': 3, '4g.20gb': 4, '7g.40gb': 7 }, 7],
    ['A100-80GB', { '1g.10gb': 1, '1g.20gb': 1, '2g.20gb': 2, '3g.40gb': 3, '4g.40gb': 4, '7g.80gb': 7 }, 7],
    [
      'H100',
      {
        '1g.10gb': 1,
        '1g.20gb': 1,
        '2g.20gb': 2,
        '3g.40gb': 3,
        '4g.40gb': 4,
        '7g.80gb': 7,
        '1g.12gb': 1,
        '1g.24gb': 1,
        '2g.24gb': 2,
        '3g.47gb': 3,
        '4g.47gb': 4,
        '7g.94gb': 7,
        '3g.48gb': 3,
        '4g.48gb': 4,
        '7g.96gb': 7,
      },
      7,
    ],
    ['H200', { '1g.18gb': 1, '1g.35gb': 1, '2g.35gb': 2, '3g.71gb': 3, '4g.71gb': 4, '7g.141gb': 7 }, 7],
    ['A30', { '1g.6gb': 1, '2g.12gb': 2, '4g.24gb': 4 }, 4],
  ] as const)('%s: every listed profile is g/%i… of the GPU', (model, slices, total) => {
    expect(Object.keys(slices).sort()).toEqual([...(MIG_FAMILIES[model]?.profiles ?? [])].sort());
    for (const [profile, g] of Object.entries(slices)) expect(migShare(model, profile), profile).toBe(g / total);
  });

  it('bills media-extension variants like their base and compute instances by their own slices', () => {
    expect(migShare('H100', '1g.10gb+me')).toBe(1 / 7);
    expect(migShare('A100-80GB', '1g.10gb-me')).toBe(1 / 7);
    expect(migShare('H200', '1g.18gb+me.all')).toBe(1 / 7);
    expect(migShare('A100-80GB', '1c.2g.20gb')).toBe(1 / 7);
    expect(migShare('A100-80GB', '2c.3g.40gb')).toBe(2 / 7);
  });

  it('never bills a full valid layout past one GPU', () => {
    expect(7 * migShare('H100', '1g.10gb')).toBeCloseTo(1, 12);
    expect(migShare('A100-40GB', '4g.20gb') + migShare('A100-40GB', '3g.20gb')).toBeCloseTo(1, 12);
    expect(4 * migShare('H200', '1g.35gb')).toBeLessThan(1);
  });

  it('prices the profiles real DCGM exporters report (H100 1g.10gb, A800 2g.20gb)', () => {
    const lookup = createPriceLookup(loadPriceCatalog());
    const pairs = [
      'issue-dcgm-exporter-512-h100-mig-1g.10gb-kserve-pods.prom',
      'johnsblog-8xA800-mig-2g.20gb-535.129.03.prom',
    ].map((f) => {
      const text = readFileSync(fixturePath('dcgm', f), 'utf8');
      const model = text.match(/modelName="([^"]+)"/)?.[1] ?? '';
      const profile = text.match(/GPU_I_PROFILE="([^"]+)"/)?.[1] ?? '';
      return [model, profile, migShare(lookup.canonicalModel(model), profile)];
    });
    expect(pairs).toEqual([
      ['NVIDIA H100 80GB HBM3', '1g.10gb', 1 / 7],
      ['NVIDIA A800-SXM4-80GB', '2g.20gb', 2 / 7],
    ]);
  });

  it('rejects profiles of another GPU, unknown GPUs and impossible compute instances', () => {
    expect(() => migShare('H100', '1g.5gb')).toThrow(MigProfileError);
    expect(() => migShare('H100', '1g.5gb')).toThrow(/MIG profile '1g.5gb' is not a H100 profile \(known: 1g.10gb/);
    expect(() => migShare('T4', '1g.10gb')).toThrow(/GPU model 'T4' has no MIG profile table/);
    expect(() => migShare('A100-80GB', '3c.2g.20gb')).toThrow(/compute instance uses 3 of 2 slices/);
  });
});
