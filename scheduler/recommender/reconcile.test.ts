import { describe, expect, it } from 'vitest';
import { exampleRecommendation } from '../../contracts/examples.ts';
import type { Recommendation } from '../../contracts/recommendation.ts';
import { toRecommendation, checkTransition } from './lifecycle.ts';
import { reconcile, recommendationId, targetKey } from './reconcile.ts';
import { DEFAULT_RECOMMENDER_CONFIG } from './recommender-config.ts';
import type { Candidate } from './types.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 20);
const candidate: Candidate = {
  kind: 'share',
  target: exampleRecommendation.target,
  current: exampleRecommendation.current,
  recommended: exampleRecommendation.recommended,
  evidence: { utilizationP95Pct: 26.4 },
  estimatedMonthlySavingUsd: 2136.07,
  confidence: 0.4,
  riskNote: 'slower bursts',
};
const stored = (o: Partial<Recommendation>): Recommendation => ({
  ...exampleRecommendation,
  createdAtMs: NOW - DAY,
  updatedAtMs: NOW - DAY,
  ...o,
});
const run = (candidates: Candidate[], existing: Recommendation[], realisations = new Map()) =>
  reconcile({ nowMs: NOW, candidates, existing, realisations, config: DEFAULT_RECOMMENDER_CONFIG });

describe('reconcile: one live recommendation per kind and target', () => {
  it('opens a new one with a stable id and an open status', () => {
    const out = run([candidate], []);
    const id = recommendationId(targetKey(candidate), NOW);
    expect(out.contents).toEqual([{ ...candidate, id, createdAtMs: NOW, computedAtMs: NOW }]);
    expect(out.statuses).toEqual([
      {
        id,
        cluster: 'prod-eu',
        status: 'open',
        reason: null,
        atMs: NOW,
        actor: 'recommender',
        realisedMonthlySavingUsd: null,
      },
    ]);
    expect(id).toMatch(/^rec-[0-9a-f]{16}$/);
  });

  it('updates an open one in place, leaves an accepted one as accepted, stays quiet after a dismissal', () => {
    const open = run([{ ...candidate, estimatedMonthlySavingUsd: 2000 }], [stored({ status: 'open' })]);
    expect(open.contents.map((c) => [c.id, c.createdAtMs, c.estimatedMonthlySavingUsd])).toEqual([
      [exampleRecommendation.id, NOW - DAY, 2000],
    ]);
    expect(open.statuses).toEqual([]);
    expect(run([candidate], [stored({ status: 'accepted', acceptedAtMs: NOW - DAY })])).toEqual({
      contents: [],
      statuses: [],
    });
    expect(
      run([candidate], [stored({ status: 'dismissed', statusReason: 'no', updatedAtMs: NOW - 29 * DAY })]),
    ).toEqual({ contents: [], statuses: [] });
    expect(
      run([candidate], [stored({ status: 'dismissed', statusReason: 'no', updatedAtMs: NOW - 31 * DAY })]).contents,
    ).toHaveLength(1);
  });

  it('expires an open one after 14 days and an accepted one whose shape never came after 30', () => {
    const old = run([], [stored({ createdAtMs: NOW - 14 * DAY })]);
    expect(old.statuses.map((s) => [s.status, s.reason])).toEqual([['expired', 'open for 14 days without a decision']]);
    const accepted = run(
      [],
      [stored({ status: 'accepted', createdAtMs: NOW - 40 * DAY, acceptedAtMs: NOW - 30 * DAY })],
    );
    expect(accepted.statuses.map((s) => s.status)).toEqual(['expired']);
    expect(run([], [stored({ createdAtMs: NOW - 13 * DAY })]).statuses).toEqual([]);
  });

  it('realises a live one when its shape appeared (an open one: applied without acceptance), and re-measures a realised one only when its $ moved', () => {
    const r = new Map([[exampleRecommendation.id, { atMs: NOW - 3_600_000, realisedMonthlySavingUsd: 2000.5 }]]);
    expect(run([], [stored({ status: 'open' })], r).statuses).toMatchObject([
      {
        status: 'realised',
        reason: 'applied without acceptance',
        atMs: NOW - 3_600_000,
        realisedMonthlySavingUsd: 2000.5,
      },
    ]);
    expect(run([], [stored({ status: 'realised', realisedMonthlySavingUsd: 2000.5 })], r).statuses).toEqual([]);
    expect(run([], [stored({ status: 'realised', realisedMonthlySavingUsd: null })], r).statuses).toMatchObject([
      { status: 'realised', atMs: NOW, realisedMonthlySavingUsd: 2000.5 },
    ]);
  });
});

describe('lifecycle', () => {
  it('allows only the documented moves; a dismissal needs a reason', () => {
    expect(() => checkTransition('r', 'open', 'accepted', null)).not.toThrow();
    expect(() => checkTransition('r', 'accepted', 'dismissed', 'changed our mind')).not.toThrow();
    expect(() => checkTransition('r', 'expired', 'accepted', null)).toThrow(
      'recommendation r is expired: it cannot become accepted (from expired: nothing)',
    );
    expect(() => checkTransition('r', 'realised', 'dismissed', 'x')).toThrow('cannot become dismissed');
    expect(() => checkTransition('r', 'open', 'dismissed', '  ')).toThrow('dismissing r needs a reason');
  });

  it('merges content and history: latest status, first acceptance, realised $ only while realised', () => {
    const content = { ...candidate, id: 'rec-1', createdAtMs: NOW, computedAtMs: NOW + 5 };
    const base = { id: 'rec-1', cluster: 'prod-eu', actor: 'cli', reason: null, realisedMonthlySavingUsd: null };
    const rec = toRecommendation(content, [
      { ...base, status: 'realised', atMs: NOW + 30, realisedMonthlySavingUsd: 1900 },
      { ...base, status: 'open', atMs: NOW },
      { ...base, status: 'accepted', atMs: NOW + 10 },
    ]);
    expect([rec.status, rec.acceptedAtMs, rec.updatedAtMs, rec.realisedMonthlySavingUsd]).toEqual([
      'realised',
      NOW + 10,
      NOW + 30,
      1900,
    ]);
  });
});
