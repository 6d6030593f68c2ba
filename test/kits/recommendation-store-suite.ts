/**
 * Conformance suite of the recommendation tables (migration 050, recommendation-store.ts), run on chDB
 * (pipeline/store/recommendation-store.test.ts) and on the ClickHouse 18.16 server
 * (test/integration/recommendation-store-clickhouse.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleRecommendation } from '../../contracts/examples.ts';
import type { SqlExecutor } from '../../pipeline/store/executor.ts';
import {
  createRecommendationStore,
  type RecommendationContent,
  type RecommendationStore,
  type StatusChange,
} from '../../pipeline/store/recommendation-store.ts';
import { ident, sql } from '../../pipeline/store/sql.ts';
import { createTelemetryStore } from '../../pipeline/store/telemetry-store.ts';
import { readRecommendations } from '../../scheduler/recommender/recommender-job.ts';
import { INJECTION_PAYLOADS } from '../store-conformance.ts';

const T = Date.UTC(2026, 10, 2, 8);
const content = (o: Partial<RecommendationContent>): RecommendationContent => ({
  id: exampleRecommendation.id,
  kind: exampleRecommendation.kind,
  target: exampleRecommendation.target,
  current: exampleRecommendation.current,
  recommended: exampleRecommendation.recommended,
  evidence: exampleRecommendation.evidence,
  estimatedMonthlySavingUsd: 2136.07125,
  confidence: 0.42,
  riskNote: exampleRecommendation.riskNote,
  createdAtMs: T,
  computedAtMs: T,
  ...o,
});
const status = (o: Partial<StatusChange>): StatusChange => ({
  id: exampleRecommendation.id,
  cluster: 'prod-eu',
  status: 'open',
  reason: null,
  atMs: T,
  actor: 'recommender',
  realisedMonthlySavingUsd: null,
  ...o,
});

export function describeRecommendationStoreSuite(name: string, open: () => Promise<SqlExecutor>): void {
  describe(`recommendation tables: ${name}`, () => {
    let executor: SqlExecutor;
    let store: RecommendationStore;
    const database = `t_recs_${randomBytes(6).toString('hex')}`;

    beforeAll(async () => {
      executor = await open();
      await createTelemetryStore(executor, { database }).migrate();
      store = createRecommendationStore(executor, { database });
    });
    afterAll(async () => {
      await executor.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
      await executor.close();
    });

    it('reads the latest content version and the whole status history, retried inserts once', async () => {
      await store.writeContents([content({})]);
      await store.writeContents([content({ estimatedMonthlySavingUsd: 1999.5, computedAtMs: T + 3_600_000 })]);
      await store.writeContents([content({ estimatedMonthlySavingUsd: 1999.5, computedAtMs: T + 3_600_000 })]);
      await store.writeStatuses([status({})]);
      await store.writeStatuses([status({ status: 'accepted', atMs: T + 60_000, actor: 'cli' })]);
      await store.writeStatuses([status({ status: 'accepted', atMs: T + 60_000, actor: 'cli' })]);
      await store.writeStatuses([
        status({ status: 'realised', atMs: T + 7_200_000, realisedMonthlySavingUsd: 2101.37 }),
      ]);
      const [rec, ...more] = await readRecommendations(store);
      expect(more).toEqual([]);
      expect(rec).toEqual({
        ...exampleRecommendation,
        estimatedMonthlySavingUsd: 1999.5,
        status: 'realised',
        statusReason: null,
        createdAtMs: T,
        updatedAtMs: T + 7_200_000,
        acceptedAtMs: T + 60_000,
        realisedMonthlySavingUsd: 2101.37,
      });
      expect((await store.statuses()).map((s) => [s.status, s.actor])).toEqual([
        ['open', 'recommender'],
        ['accepted', 'cli'],
        ['realised', 'recommender'],
      ]);
    });

    it('keeps null target fields null, and any text byte for byte (filters by cluster and id)', async () => {
      const node = { cluster: 'c2', node: 'n1', namespace: null, workload: null, pod: null, tenant: null };
      const reason = INJECTION_PAYLOADS.join('|');
      await store.writeContents([
        content({
          id: 'rec-node',
          kind: 'consolidate',
          target: node,
          riskNote: reason,
          evidence: { targetNodes: "a'b\\c" },
        }),
      ]);
      await store.writeStatuses([status({ id: 'rec-node', cluster: 'c2', status: 'dismissed', reason, atMs: T + 5 })]);
      const [rec] = await readRecommendations(store, { cluster: 'c2', id: 'rec-node' });
      expect(rec?.target).toEqual(node);
      expect([rec?.riskNote, rec?.statusReason, rec?.evidence]).toEqual([reason, reason, { targetNodes: "a'b\\c" }]);
      expect(await readRecommendations(store, { cluster: "c2' OR 1=1 --" })).toEqual([]);
    });
  });
}
