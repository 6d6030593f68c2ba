/**
 * Runs the FinOps Foundation's FOCUS validator (PyPI focus-validator 1.0.0, installed into
 * .venv/focus by scripts/setup-focus-validator.sh) on an export of a small deterministic ledger.
 *
 * focus-validator 1.0.0 is the newest release on PyPI and validates FOCUS 1.0 at most. Its "1.0"
 * rule set has five known defects against the FOCUS 1.0 (and 1.2) specification: four columns use
 * their pre-1.0 IDs (Provider, Publisher, InvoiceIssuer, ResourceID instead of ProviderName,
 * PublisherName, InvoiceIssuerName, ResourceId) and SkuPriceId_Nullable queries ChargeType, which
 * FOCUS 1.0 replaced with ChargeCategory. The test therefore runs
 *  1. the validator's own rules with exactly those names corrected → every check must pass;
 *  2. the unmodified rules → exactly those five checks may fail, nothing else;
 *  3. a broken export (BilledCost dropped) → the validator must catch it (the harness can fail).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeCostLedger } from './compute-cost-ledger.ts';
import { HOUR_MS, T0, gpuNode, podInterval } from '../../test/kits/cost-test-kit.ts';
import { toFocusCsv } from './focus-export.ts';
import { loadPriceCatalog } from './load-price-catalog.ts';
import { createPriceLookup } from './price-lookup.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const VENV = join(REPO, '.venv/focus');
const VALIDATOR = join(VENV, 'bin/focus-validator');
const GA_COLUMN_IDS: Record<string, string> = {
  Provider: 'ProviderName',
  Publisher: 'PublisherName',
  InvoiceIssuer: 'InvoiceIssuerName',
  ResourceID: 'ResourceId',
};
const KNOWN_DEFECTS = [
  'InvoiceIssuer_Required',
  'Provider_Required',
  'Publisher_Required',
  'ResourceID_Required',
  'SkuPriceId_Nullable',
];

const exportCsv = (): string => {
  const end = T0 + 2 * HOUR_MS;
  const { rows, problems } = computeCostLedger(
    {
      cluster: 'c1',
      windowStartMs: T0,
      windowEndMs: end,
      nodes: [
        gpuNode('h100-a', 'NVIDIA H100 80GB HBM3', 8),
        gpuNode('t4-spot', 'Tesla T4', 2, { pricingTier: 'spot' }),
        gpuNode('l4-committed', 'NVIDIA L4', 1, { pricingTier: 'committed' }),
        gpuNode('h100-onprem', 'H100', 4, { pricingTier: 'on-prem' }),
      ],
      pods: [
        podInterval(
          'u1',
          'h100-a',
          T0,
          end,
          { kind: 'whole', count: 4 },
          {
            namespace: 'research',
            labels: { team: 'vision', model: 'llama-3-70b' },
            owner: { kind: 'Job', name: 'pretrain' },
          },
        ),
        podInterval(
          'u2',
          'h100-a',
          T0 + HOUR_MS,
          end,
          { kind: 'mig', profile: '1g.10gb', count: 2 },
          { namespace: 'serving' },
        ),
        podInterval(
          'u3',
          't4-spot',
          T0,
          end,
          { kind: 'fraction', milli: 460 },
          { namespace: 'serving', labels: { tenant: 'beta' } },
        ),
        podInterval(
          'u4',
          'l4-committed',
          T0,
          T0 + HOUR_MS / 2,
          { kind: 'whole', count: 1 },
          { namespace: 'kube-system' },
        ),
        podInterval('u5', 'h100-onprem', T0, end, { kind: 'whole', count: 2 }, { namespace: 'research' }),
      ],
      usedGpuSecondsByPod: new Map([
        ['u1', 4 * 7200 * 0.8],
        ['u3', 1200],
      ]),
      prices: createPriceLookup(loadPriceCatalog()),
    },
    {
      tenancy: { namespaceTenants: { research: 'alpha', serving: 'beta' } },
      idleSharing: 'node',
      sharedNamespaces: ['kube-system'],
    },
  );
  expect(problems).toEqual([]);
  return toFocusCsv(rows, {
    billingAccountId: 'gpu-ledger-demo',
    billingAccountName: 'GPU Ledger demo',
    regionId: 'us-east-1',
    regionName: 'US East (N. Virginia)',
  });
};

interface Outcome {
  tests: number;
  failures: number;
  errors: number;
  failed: string[];
}

describe('FOCUS export passes the FinOps FOCUS validator', () => {
  let work = '';
  let packageDir = '';
  let csvPath = '';

  const validate = (dataFile: string, ruleSetPath: string | null): Outcome => {
    const xml = join(work, `result-${readdirSync(work).length}.xml`);
    const args = [
      '--data-file',
      dataFile,
      '--validate-version',
      '1.0',
      '--output-type',
      'unittest',
      '--output-destination',
      xml,
    ];
    if (ruleSetPath) args.push('--rule-set-path', ruleSetPath);
    // cwd: focus-validator 1.0.0 opens its currency list by a path relative to site-packages.
    execFileSync(VALIDATOR, args, { cwd: dirname(packageDir), timeout: 120_000, stdio: 'pipe' });
    const report = readFileSync(xml, 'utf8');
    const head = report.match(/<testsuites [^>]*tests="(\d+)" failures="(\d+)" errors="(\d+)"/);
    if (!head) throw new Error(`unexpected validator report:\n${report.slice(0, 500)}`);
    const failed = [...report.matchAll(/<failure name="([^"]+)"/g)].map((m) => m[1] ?? '').sort();
    return { tests: Number(head[1]), failures: Number(head[2]), errors: Number(head[3]), failed };
  };

  beforeAll(() => {
    if (!existsSync(VALIDATOR)) {
      throw new Error(
        `FOCUS validator not installed at ${VALIDATOR}. Run: bash scripts/setup-focus-validator.sh (scripts/test.sh does this before vitest).`,
      );
    }
    packageDir = execFileSync(
      join(VENV, 'bin/python'),
      ['-c', 'import focus_validator, os; print(os.path.dirname(focus_validator.__file__))'],
      { encoding: 'utf8' },
    ).trim();
    work = mkdtempSync(join(tmpdir(), 'focus-validate-'));
    csvPath = join(work, 'ledger-focus.csv');
    writeFileSync(csvPath, exportCsv());
  });

  it('passes every check of the validator rule set once its pre-1.0 column names are corrected', () => {
    const source = join(packageDir, 'rules/version_sets/1.0');
    const target = join(work, 'rules-ga/1.0');
    mkdirSync(target, { recursive: true });
    const changed: string[] = [];
    for (const file of readdirSync(source)) {
      const text = readFileSync(join(source, file), 'utf8');
      const fixed = text
        .replace(/^column_id: (\w+)$/m, (line, id: string) =>
          GA_COLUMN_IDS[id] ? `column_id: ${GA_COLUMN_IDS[id]}` : line,
        )
        .replace(/\bChargeType IN\b/, 'ChargeCategory IN');
      if (fixed !== text) changed.push(file);
      writeFileSync(join(target, file), fixed);
    }
    expect(changed.length).toBe(13); // 3 rules each for the 4 renamed columns + SkuPriceId_Nullable
    const outcome = validate(csvPath, join(work, 'rules-ga'));
    expect(outcome).toEqual({ tests: 133, failures: 0, errors: 0, failed: [] });
  });

  it('fails the unmodified rule set only on its five known defects', () => {
    expect(validate(csvPath, null).failed).toEqual(KNOWN_DEFECTS);
  });

  it('catches a broken export (BilledCost column missing)', () => {
    const lines = readFileSync(csvPath, 'utf8')
      .trimEnd()
      .split('\r\n')
      .map((l) => l.replace(/^([^,]*),[^,]*,/, '$1,'));
    const broken = join(work, 'broken.csv');
    writeFileSync(broken, lines.join('\r\n'));
    const outcome = validate(broken, null);
    expect(outcome.failed).toContain('BilledCost_Required');
    expect(outcome.failures).toBeGreaterThan(KNOWN_DEFECTS.length);
  });
});
