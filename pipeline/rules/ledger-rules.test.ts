import { describe, expect, it } from 'vitest';
import { firingAt, inputs, rulesNamed } from '../../test/helpers/rule-kit.ts';
import type { Budget } from '../budgets/budget.ts';
import type { AgentBatches, BudgetSpend, CostSeries } from './rule-inputs.ts';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 2, 0);

describe('telemetry-gap (hand-built batch sequences)', () => {
  // seq 0..20 every 10 s from T0, 7 and 8 never arrived; the agent stops after seq 20 (T0 + 200 s)
  const agent: AgentBatches = {
    cluster: 'c1',
    node: 'gpu-7',
    agentId: 'c1/gpu-7',
    bootId: 'boot-1',
    batches: Array.from({ length: 21 }, (_, seq) => ({ seq, collectedAtMs: T0 + seq * 10_000 })).filter(
      (b) => b.seq !== 7 && b.seq !== 8,
    ),
    lastSeenMs: null,
  };
  const at = (seconds: number[]) => seconds.map((s) => T0 + s * 1000);

  it('missing seq numbers fire a seq-gap alert; silence past 2 min fires a silent alert', () => {
    const { firing, open } = firingAt(
      rulesNamed(['telemetry-gap']),
      inputs({ agents: [agent] }),
      at([60, 90, 200, 319, 320, 400]),
    );
    expect(firing.map((a) => [a.labels['problem'], new Date(a.firedAtMs!).toISOString()])).toEqual([
      ['seq-gap', '2026-11-02T00:01:30.000Z'], // seq 9 arrived at 90 s: 7..8 missing
      ['silent', '2026-11-02T00:05:20.000Z'], // newest batch at 200 s, 2 min later
    ]);
    expect(firing[0]!.evidence).toMatchObject({ missingBatches: 2, bootId: 'boot-1' });
    expect(firing[0]!.rows).toEqual([{ fromSeq: 7, toSeq: 8, afterMs: T0 + 60_000 }]);
    expect(open.find((a) => a.labels['problem'] === 'silent')!.activeAtMs).toBe(T0 + 320_000);
  });

  it('an agent that restarted is judged by its newest boot; gaps leave the window after an hour', () => {
    const reboot: AgentBatches = { ...agent, bootId: 'boot-2', batches: [{ seq: 0, collectedAtMs: T0 + 260_000 }] };
    const { notifications } = firingAt(
      rulesNamed(['telemetry-gap']),
      inputs({ agents: [agent, reboot] }),
      at([90, 300, 3_700]),
    );
    expect(notifications.map((n) => [n.state, n.labels['problem'], n.evaluatedAtMs - T0])).toEqual([
      ['firing', 'seq-gap', 90_000],
      ['firing', 'silent', 3_700_000], // boot-2 silent since 260 s
      ['resolved', 'seq-gap', 3_700_000], // the batches around the hole (60 s, 90 s) left the 1-hour window
    ]);
  });
});

describe('cost-spike (hand-computed ledger windows)', () => {
  const windows = Array.from({ length: 25 }, (_, i) => T0 + i * H);
  const series = (by: string, value: string, perHour: number, last: number): CostSeries => ({
    by,
    value,
    costByWindow: new Map(windows.map((w, i) => [w, i === 24 ? last : perHour])),
  });
  const costs = {
    windowMs: H,
    windows,
    series: [
      series('tenant', 'acme', 10, 35), // 3.5× and +$25: spike
      series('tenant', 'beta', 1, 5), // 5× but only +$4
      series('namespace', 'vision', 10, 19.99), // +$9.99 < $10
    ],
  };

  it('fires for the hour at least 2× and $10 above the mean of the 24 before it', () => {
    const { firing } = firingAt(rulesNamed(['cost-spike']), inputs({ costs }), [T0 + 25 * H]);
    expect(firing).toHaveLength(1);
    expect(firing[0]).toMatchObject({
      labels: { tenant: 'acme', groupBy: 'tenant' },
      activeAtMs: T0 + 24 * H,
      evidence: { windowCostUsd: 35, baselineUsdPerWindow: 10, ratio: 3.5, baselineWindows: 24 },
    });
    // before the spiking window closed, nothing
    expect(firingAt(rulesNamed(['cost-spike']), inputs({ costs }), [T0 + 25 * H - 1]).firing).toEqual([]);
  });

  it('a computed window without rows for a group cost it $0; too short a history fires nothing', () => {
    const sparse = { ...costs, series: [{ by: 'tenant', value: 'new', costByWindow: new Map([[T0 + 24 * H, 50]]) }] };
    expect(
      firingAt(rulesNamed(['cost-spike']), inputs({ costs: sparse }), [T0 + 25 * H]).firing[0]!.evidence,
    ).toMatchObject({
      windowCostUsd: 50,
      baselineUsdPerWindow: 0,
    });
    const short = { ...costs, windows: windows.slice(20) };
    expect(firingAt(rulesNamed(['cost-spike']), inputs({ costs: short }), [T0 + 25 * H]).firing).toEqual([]);
  });
});

describe('budget-burn (hand-computed spend)', () => {
  const budget: Budget = {
    id: 'tenant/acme',
    scope: 'tenant',
    scopeValue: 'acme',
    period: 'monthly',
    amountUsd: 1000,
    thresholdsPct: [50, 80, 100],
    updatedAtMs: T0,
    updatedBy: 'test',
  };
  const spend = (spentUsd: number, atMs: number): BudgetSpend => ({
    budget,
    periodStartMs: Date.UTC(2026, 10, 1),
    periodEndMs: Date.UTC(2026, 11, 1),
    atMs,
    spentUsd,
    ledgerUsd: spentUsd - 15,
    provisionalUsd: 15,
  });

  it('one alert per threshold reached (50% info, 80% warning) and one for the forecast past 100%', () => {
    const at = Date.UTC(2026, 10, 10); // 9 of 30 days: $850 → forecast $850 / 9 × 30 = $2833.33
    const { firing } = firingAt(rulesNamed(['budget-burn']), inputs({ budgets: [spend(850, at)] }), [at]);
    expect(firing.map((a) => [a.labels['threshold'], a.severity])).toEqual([
      ['50%', 'info'],
      ['80%', 'warning'],
      ['forecast', 'warning'],
    ]);
    expect(firing[2]!.evidence).toMatchObject({
      spentUsd: 850,
      spentPct: 85,
      forecastUsd: 2833.33,
      ledgerUsd: 835,
      provisionalUsd: 15,
    });
    expect(firing[0]!.labels).toMatchObject({ budget: 'tenant/acme', tenant: 'acme' });
  });

  it('100% is critical; no forecast alert before 10% of the period (3 days) passed', () => {
    const early = Date.UTC(2026, 10, 3); // 2 days in: forecast is noise
    expect(firingAt(rulesNamed(['budget-burn']), inputs({ budgets: [spend(100, early)] }), [early]).firing).toEqual([]);
    const over = Date.UTC(2026, 10, 20);
    const { firing } = firingAt(rulesNamed(['budget-burn']), inputs({ budgets: [spend(1000, over)] }), [over]);
    expect(firing.map((a) => [a.labels['threshold'], a.severity])).toEqual([
      ['50%', 'info'],
      ['80%', 'warning'],
      ['100%', 'critical'],
    ]);
  });
});
