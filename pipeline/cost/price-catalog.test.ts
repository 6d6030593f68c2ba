import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../contracts/config-error.ts';
import { PricingTier } from '../../contracts/cost-ledger-row.ts';
import { SHARED_DIR, fixturePath } from '../../test/helpers/fixtures.ts';
import { loadPriceCatalog } from './load-price-catalog.ts';
import { parsePriceCatalog } from './price-catalog.ts';
import { createPriceLookup } from './price-lookup.ts';

const catalog = loadPriceCatalog();
const lookup = createPriceLookup(catalog);
const AT = Date.UTC(2024, 5, 1);

const problemsOf = (fn: () => unknown): readonly string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('default price catalog (config/prices/default.yaml)', () => {
  it('prices every model the brief names, on demand, with a source', () => {
    const expected: Record<string, number> = {
      H100: 12.29,
      H200: 10.6,
      'A100-40GB': 4.096575,
      'A100-80GB': 5.12071875,
      L40S: 1.861,
      L4: 0.8048,
      A10G: 1.006,
      T4: 0.526,
      'V100-16GB': 3.06,
      'V100-32GB': 3.9015,
    };
    for (const [model, usd] of Object.entries(expected)) {
      const price = lookup.priceAt({ gpuModel: model, tier: PricingTier.onDemand }, AT);
      expect(price.usdPerGpuHour, model).toBe(usd);
      expect(price.entry.source, model).toMatch(/\[AWS-[AB]\]|\[FACTUAL\]/);
      expect(price.entry.assumption, model).toBe(false);
    }
  });

  it('prices every GPU model of the openb trace node list, and flags the unpublished ones as assumptions', () => {
    const csv = readFileSync(join(SHARED_DIR, 'traces/openb/openb_node_list_all_node.csv'), 'utf8');
    const models = new Set(
      csv
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(',')[4] ?? '')
        .filter((m) => m !== ''),
    );
    expect([...models].sort()).toEqual(['A10', 'G2', 'G3', 'P100', 'T4', 'V100M16', 'V100M32']);
    const resolved = Object.fromEntries(
      [...models].map((m) => [m, lookup.priceAt({ gpuModel: m, tier: PricingTier.onDemand }, AT)]),
    );
    expect(resolved['V100M16']?.model).toBe('V100-16GB');
    expect(resolved['V100M32']?.usdPerGpuHour).toBe(3.9015);
    expect(resolved['A10']?.usdPerGpuHour).toBe(0.75);
    for (const m of ['P100', 'G2', 'G3']) expect(resolved[m]?.entry.assumption, m).toBe(true);
  });

  it('resolves the product names that real nvidia-smi and DCGM captures report', () => {
    const first = (file: string, re: RegExp): string =>
      readFileSync(file, 'utf8').match(re)?.[1] ?? `no match in ${file}`;
    const smi = (f: string): string => first(fixturePath('nvidia-smi-xml', f), /<product_name>([^<]+)/);
    const dcgm = (f: string): string => first(fixturePath('dcgm', f), /modelName="([^"]+)"/);
    const names = [
      smi('telegraf__a10g__515.105.01__procs.xml'),
      smi('telegraf__a100-sxm4-80gb-mig__535.54.03__attached4-1elem.xml'),
      smi('telegraf__tesla-t4__515.105.01__procs.xml'),
      smi('openpai__v100-sxm3-32gb__410.104__retired-pages-dbe__attached16-1elem.xml'),
      dcgm('issue-dcgm-exporter-512-h100-mig-1g.10gb-kserve-pods.prom'),
      dcgm('kops-aws-L4-580.105.08.prom'),
      dcgm('johnsblog-8xA800-mig-2g.20gb-535.129.03.prom'),
      first(fixturePath('nvidia-smi-csv', 'netdata__tesla-p100__510.47.03__query-gpu.csv'), /\n([^,]+),/),
    ];
    expect(names).toEqual([
      'NVIDIA A10G',
      'NVIDIA A100-SXM4-80GB',
      'Tesla T4',
      'Tesla V100-SXM3-32GB',
      'NVIDIA H100 80GB HBM3',
      'NVIDIA L4',
      'NVIDIA A800-SXM4-80GB',
      'Tesla P100-PCIE-16GB',
    ]);
    expect(names.map((n) => lookup.canonicalModel(n))).toEqual([
      'A10G',
      'A100-80GB',
      'T4',
      'V100-32GB',
      'H100',
      'L4',
      'A100-80GB',
      'P100',
    ]);
  });

  it('computes the on-prem H100 price from its amortisation inputs', () => {
    expect(lookup.priceAt({ gpuModel: 'H100', tier: PricingTier.onPrem }, AT).usdPerGpuHour).toBeCloseTo(1.2273938, 6);
  });
});

describe('parsePriceCatalog validation', () => {
  it('lists every problem with its path, at once', () => {
    const problems = problemsOf(() =>
      parsePriceCatalog(
        [
          'schemaVersion: 1',
          'currency: USD',
          'models: { H100: {} }',
          'versions:',
          '  - effectiveFrom: "2025-01-01T00:00:00Z"',
          '    prices:',
          '      - { model: H100, tier: on-demand, usdPerGpuHour: -1, source: x }',
          '      - { model: H100, tier: spot, source: x }',
          '      - { model: H100, tier: reserved, usdPerGpuHour: 1, source: x }',
          '      - { model: H100, tier: spot, usdPerGpuHour: 1, source: x, colour: red }',
        ].join('\n'),
        'prices.yaml',
      ),
    );
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^prices\.yaml: versions\[0\]\.prices\[0\]\.usdPerGpuHour: /);
    expect(problems[1]).toBe('prices.yaml: versions[0].prices[1]: give exactly one of usdPerGpuHour or onPrem');
    expect(problems[2]).toMatch(/^prices\.yaml: versions\[0\]\.prices\[2\]\.tier: /);
    expect(problems[3]).toMatch(/^prices\.yaml: versions\[0\]\.prices\[3\]: .*colour/);
  });

  it('reports semantic problems: undeclared models, duplicates, alias clashes, unordered versions', () => {
    const problems = problemsOf(() =>
      parsePriceCatalog(
        [
          'schemaVersion: 1',
          'currency: USD',
          'models: { H100: { aliases: [GPU-X] }, H200: { aliases: [gpu-x] } }',
          'versions:',
          '  - effectiveFrom: "2025-02-01T00:00:00Z"',
          '    prices:',
          '      - { model: H100, tier: spot, usdPerGpuHour: 1, source: a }',
          '      - { model: H100, tier: spot, usdPerGpuHour: 2, source: b }',
          '  - effectiveFrom: "2025-01-01T00:00:00Z"',
          '    prices:',
          '      - { model: B200, tier: spot, usdPerGpuHour: 1, source: c }',
        ].join('\n'),
        'p.yaml',
      ),
    );
    expect(problems).toEqual([
      "p.yaml: models.H200.aliases[0]: name 'gpu-x' already names model 'H100'",
      'p.yaml: versions[0].prices[1]: duplicates versions[0].prices[0] (H100|spot|pool=*|instanceType=*)',
      "p.yaml: versions[1].effectiveFrom: must be later than the previous version's",
      "p.yaml: versions[1].prices[0].model: 'B200' is not declared under models (declare it; aliases are for node inventories, not for prices)",
    ]);
  });

  it('reports YAML syntax errors and unreadable files as ConfigError', () => {
    expect(problemsOf(() => parsePriceCatalog('models: [unclosed', 'bad.yaml'))[0]).toMatch(
      /^bad\.yaml: not valid YAML: /,
    );
    expect(problemsOf(() => loadPriceCatalog('/nonexistent/prices.yaml'))[0]).toMatch(
      /^\/nonexistent\/prices\.yaml: cannot read price catalog: .*ENOENT/,
    );
  });
});
