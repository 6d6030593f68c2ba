import { describe, expect, it } from 'vitest';
import { CostLedgerRowSchema, IDLE_BUCKET, UNALLOCATED, type CostLedgerRow } from '../../contracts/cost-ledger-row.ts';
import { computeCostLedger, type CostLedgerInput, type CostLedgerOptions } from './compute-cost-ledger.ts';
import { HOUR_MS, T0, gpuNode, podInterval, sum, testLookup } from '../../test/kits/cost-test-kit.ts';

// $3.60/GPU-h = $0.001/GPU-s for H100, $0.36/GPU-h for T4: the expected figures below are by hand.
const prices = testLookup([
  [
    T0 - HOUR_MS,
    [
      { model: 'H100', usdPerGpuHour: 3.6 },
      { model: 'T4', usdPerGpuHour: 0.36 },
    ],
  ],
]);
const END = T0 + HOUR_MS;

const ledger = (partial: Partial<CostLedgerInput>, options: CostLedgerOptions = {}) =>
  computeCostLedger(
    {
      cluster: 'c1',
      windowStartMs: T0,
      windowEndMs: END,
      nodes: [],
      pods: [],
      usedGpuSecondsByPod: new Map(),
      prices,
      ...partial,
    },
    options,
  );
const pick = (rows: readonly CostLedgerRow[], pod: string, tenant?: string): CostLedgerRow => {
  const row = rows.find((r) => r.pod === pod && (tenant === undefined || r.tenant === tenant));
  if (!row) throw new Error(`no row for ${pod}/${tenant ?? '*'}`);
  return row;
};
const costs = (rows: readonly CostLedgerRow[]) =>
  Object.fromEntries(rows.map((r) => [`${r.bucket}:${r.node}:${r.pod}:${r.tenant}`, Number(r.costUsd.toFixed(9))]));

describe('computeCostLedger: request kinds, usage and idle', () => {
  const result = ledger({
    nodes: [gpuNode('n1', 'H100', 8)],
    pods: [
      podInterval('a', 'n1', T0, END, { kind: 'whole', count: 2 }),
      podInterval('b', 'n1', T0 + HOUR_MS / 2, END, { kind: 'fraction', milli: 500 }),
      podInterval('c', 'n1', T0, END, { kind: 'mig', profile: '1g.10gb', count: 1 }),
      podInterval('d', 'n1', T0, END, { kind: 'none' }),
    ],
    usedGpuSecondsByPod: new Map([
      ['a', 3600],
      ['c', 10_000],
    ]),
  });

  it('charges k whole GPUs k × price, a fraction its share, a MIG slice g/7', () => {
    expect(result.problems).toEqual([]);
    expect(pick(result.rows, 'pod-a')).toMatchObject({
      allocatedGpuSeconds: 7200,
      costUsd: 7.2,
      priceUsdPerGpuHour: 3.6,
    });
    expect(pick(result.rows, 'pod-b')).toMatchObject({ allocatedGpuSeconds: 900, costUsd: 0.9 });
    expect(pick(result.rows, 'pod-c').allocatedGpuSeconds).toBeCloseTo(3600 / 7, 9);
    expect(result.rows.some((r) => r.pod === 'pod-d')).toBe(false);
  });

  it('reports allocated-but-unused as wasteUsd (used clamped to the allocation; no usage = all waste)', () => {
    expect(pick(result.rows, 'pod-a')).toMatchObject({ usedGpuSeconds: 3600, wasteUsd: 3.6 });
    expect(pick(result.rows, 'pod-b')).toMatchObject({ usedGpuSeconds: 0, wasteUsd: 0.9 });
    expect(pick(result.rows, 'pod-c').usedGpuSeconds).toBe(pick(result.rows, 'pod-c').allocatedGpuSeconds);
    expect(pick(result.rows, 'pod-c').wasteUsd).toBe(0);
  });

  it('puts the GPU time nobody held in one idle row per node, and the buckets add up to the fleet cost', () => {
    const idle = result.rows.filter((r) => r.bucket === 'idle');
    expect(idle).toHaveLength(1);
    expect(idle[0]).toMatchObject({
      node: 'n1',
      namespace: IDLE_BUCKET,
      pod: IDLE_BUCKET,
      podUid: IDLE_BUCKET,
      tenant: IDLE_BUCKET,
      usedGpuSeconds: 0,
      wasteUsd: 0,
    });
    expect(idle[0]?.allocatedGpuSeconds).toBeCloseTo(8 * 3600 - 7200 - 900 - 3600 / 7, 9);
    expect(result.fleetCostUsd).toBeCloseTo(28.8, 12);
    expect(sum(result.rows.map((r) => r.costUsd))).toBeCloseTo(28.8, 12);
    for (const row of result.rows) expect(CostLedgerRowSchema.safeParse(row).success).toBe(true);
  });
});

describe('computeCostLedger: time', () => {
  it('applies a price change that takes effect mid-window to the time after it', () => {
    const changing = testLookup([
      [T0 - HOUR_MS, [{ model: 'H100', usdPerGpuHour: 3.6 }]],
      [T0 + HOUR_MS / 2, [{ model: 'H100', usdPerGpuHour: 7.2 }]],
    ]);
    const { rows, fleetCostUsd } = ledger({
      nodes: [gpuNode('n1', 'H100', 2)],
      pods: [podInterval('a', 'n1', T0, END, { kind: 'whole', count: 1 })],
      prices: changing,
    });
    expect(pick(rows, 'pod-a')).toMatchObject({ costUsd: 5.4, priceUsdPerGpuHour: 5.4 });
    expect(pick(rows, IDLE_BUCKET).costUsd).toBeCloseTo(5.4, 12);
    expect(fleetCostUsd).toBeCloseTo(10.8, 12);
  });

  it('bills a node only while it exists and a pod only inside the node and the window', () => {
    const { rows, fleetCostUsd } = ledger({
      nodes: [gpuNode('n1', 'T4', 1, { activeFromMs: T0 + HOUR_MS / 4 })],
      pods: [podInterval('a', 'n1', T0, END, { kind: 'whole', count: 1 })],
    });
    expect(pick(rows, 'pod-a').allocatedGpuSeconds).toBe(2700);
    expect(rows.filter((r) => r.bucket === 'idle')).toEqual([]);
    expect(fleetCostUsd).toBeCloseTo(0.27, 12);
  });
});

describe('computeCostLedger: over-subscription', () => {
  it('scales unpinned shares down to the node capacity', () => {
    const { rows } = ledger({
      nodes: [gpuNode('n1', 'H100', 1)],
      pods: [
        podInterval('a', 'n1', T0, END, { kind: 'fraction', milli: 600 }),
        podInterval('b', 'n1', T0, END, { kind: 'fraction', milli: 600 }),
      ],
    });
    expect(costs(rows)).toEqual({ 'workload:n1:pod-a:__unallocated__': 1.8, 'workload:n1:pod-b:__unallocated__': 1.8 });
  });

  it('scales per device when pods name their GPUs, so one GPU is never billed twice', () => {
    const { rows } = ledger({
      nodes: [gpuNode('n1', 'H100', 2)],
      pods: [
        podInterval('a', 'n1', T0, END, { kind: 'fraction', milli: 600 }, { gpuUuids: ['GPU-A'] }),
        podInterval('b', 'n1', T0, END, { kind: 'fraction', milli: 600 }, { gpuUuids: ['GPU-A'] }),
        podInterval('c', 'n1', T0, END, { kind: 'fraction', milli: 300 }),
      ],
    });
    expect(costs(rows)).toEqual({
      'workload:n1:pod-a:__unallocated__': 1.8,
      'workload:n1:pod-b:__unallocated__': 1.8,
      'workload:n1:pod-c:__unallocated__': 1.08,
      'idle:n1:__idle__:__idle__': 2.52,
    });
  });
});

describe('computeCostLedger: tenancy and sharing', () => {
  const nodes = [gpuNode('n1', 'H100', 2), gpuNode('n2', 'H100', 1)];
  const pods = [
    podInterval('a', 'n1', T0, END, { kind: 'whole', count: 1 }, { namespace: 'team-a' }),
    podInterval(
      'b',
      'n2',
      T0,
      END,
      { kind: 'fraction', milli: 500 },
      { namespace: 'team-b', labels: { tenant: 'beta', team: 'search' } },
    ),
    podInterval('s', 'n2', T0, END, { kind: 'fraction', milli: 100 }, { namespace: 'kube-system' }),
  ];
  const tenancy = { namespaceTenants: { 'team-a': 'alpha' }, namespaceTeams: { 'team-a': 'vision' } };

  it('takes the tenant from the namespace mapping before labels, the team from labels before the mapping', () => {
    const { rows } = ledger(
      {
        nodes,
        pods: [
          ...pods,
          podInterval(
            'x',
            'n1',
            T0,
            END,
            { kind: 'fraction', milli: 1 },
            { namespace: 'team-a', labels: { tenant: 'beta' } },
          ),
        ],
      },
      { tenancy },
    );
    expect(pick(rows, 'pod-x')).toMatchObject({ tenant: 'alpha', team: 'vision' });
    expect(pick(rows, 'pod-b')).toMatchObject({ tenant: 'beta', team: 'search', workload: UNALLOCATED });
    expect(pick(rows, 'pod-s')).toMatchObject({ tenant: UNALLOCATED, team: UNALLOCATED });
  });

  it.each([
    ['separate', { 'idle:n1:__idle__:__idle__': 3.6, 'idle:n2:__idle__:__idle__': 1.44 }],
    [
      'node',
      {
        'idle:n1:__idle__:alpha': 3.6,
        'idle:n2:__idle__:beta': 1.44 * (5 / 6),
        'idle:n2:__idle__:__unallocated__': 1.44 / 6,
      },
    ],
    [
      'cluster',
      {
        'idle:n1:__idle__:alpha': 3.6 * (10 / 16),
        'idle:n1:__idle__:beta': 3.6 * (5 / 16),
        'idle:n1:__idle__:__unallocated__': 3.6 / 16,
        'idle:n2:__idle__:alpha': 1.44 * (10 / 16),
        'idle:n2:__idle__:beta': 1.44 * (5 / 16),
        'idle:n2:__idle__:__unallocated__': 1.44 / 16,
      },
    ],
  ] as const)('idle sharing %s', (idleSharing, expected) => {
    const { rows, fleetCostUsd } = ledger({ nodes, pods }, { tenancy, idleSharing });
    const idle = costs(rows.filter((r) => r.bucket === 'idle'));
    expect(Object.keys(idle).sort()).toEqual(Object.keys(expected).sort());
    for (const [key, usd] of Object.entries(expected)) expect(idle[key], key).toBeCloseTo(usd, 9);
    expect(sum(rows.map((r) => r.costUsd))).toBeCloseTo(fleetCostUsd, 12);
    if (idleSharing !== 'separate')
      expect(
        rows.filter((r) => r.bucket === 'idle').every((r) => r.team === IDLE_BUCKET && r.podUid === IDLE_BUCKET),
      ).toBe(true);
  });

  it.each([
    ['weighted', { alpha: 0.36 * (2 / 3), beta: 0.36 / 3 }],
    ['even', { alpha: 0.18, beta: 0.18 }],
  ] as const)('spreads shared namespaces over the other tenants (%s)', (sharedNamespaceSpread, expected) => {
    const { rows } = ledger(
      { nodes, pods },
      { tenancy, sharedNamespaces: ['kube-system', 'monitoring'], sharedNamespaceSpread },
    );
    const system = rows.filter((r) => r.namespace === 'kube-system');
    expect(system.map((r) => r.tenant).sort()).toEqual(['alpha', 'beta']);
    expect(pick(system, 'pod-s', 'alpha').costUsd).toBeCloseTo(expected.alpha, 12);
    expect(pick(system, 'pod-s', 'beta').costUsd).toBeCloseTo(expected.beta, 12);
    expect(sum(system.map((r) => r.allocatedGpuSeconds))).toBeCloseTo(360, 9);
    expect(system.every((r) => r.pod === 'pod-s' && r.bucket === 'workload')).toBe(true);
  });
});

describe('computeCostLedger: bad input is reported, the rest is billed', () => {
  it('reports unknown nodes, unpriced models and bad MIG profiles without failing the window', () => {
    const { rows, problems, fleetCostUsd } = ledger({
      nodes: [gpuNode('n1', 'T4', 1), gpuNode('n9', 'NVIDIA GeForce RTX 3090', 1)],
      pods: [
        podInterval('m', 'n1', T0, END, { kind: 'mig', profile: '1g.10gb', count: 1 }),
        podInterval('z', 'ghost', T0, END, { kind: 'whole', count: 1 }),
      ],
    });
    expect(problems).toEqual([
      "node 'ghost' is not in the GPU inventory; 1 pod(s) on it are not billed (z)",
      "pod ml/pod-m (m) on node 'n1': GPU model 'T4' has no MIG profile table (MIG-capable: A100-40GB, A100-80GB, H100, H200, A30); its time counts as idle",
      expect.stringMatching(/^node 'n9' is left out of the ledger: unknown GPU model 'NVIDIA GeForce RTX 3090'/),
    ]);
    expect(costs(rows)).toEqual({ 'idle:n1:__idle__:__idle__': 0.36 });
    expect(fleetCostUsd).toBeCloseTo(0.36, 12);
  });
});
