/**
 * The recommendations tables (migration 050): content versions written by the recommender job, status
 * changes appended by the job and the CLI. Reads take each recommendation's latest content version
 * and its whole status history, and merge them (scheduler/recommender/lifecycle.ts toRecommendation).
 */
import {
  GpuShapeSchema,
  type GpuShape,
  type RecommendationKind,
  type RecommendationStatus,
  type RecommendationTarget,
} from '../../contracts/recommendation.ts';
import { evidenceSchema } from '../../contracts/fields.ts';
import type { SqlExecutor } from './executor.ts';
import { ident, raw, sql, str, type SqlValue } from './sql.ts';
import { toSafeNumber } from './telemetry-store.ts';

/** One content version (table recommendations): what the recommender found, with its id and times. */
export interface RecommendationContent {
  readonly id: string;
  readonly kind: RecommendationKind;
  readonly target: RecommendationTarget;
  readonly current: GpuShape;
  readonly recommended: GpuShape;
  readonly evidence: Readonly<Record<string, number | string>>;
  readonly estimatedMonthlySavingUsd: number;
  readonly confidence: number;
  readonly riskNote: string;
  readonly createdAtMs: number;
  readonly computedAtMs: number;
}

/** One status change (table recommendation_status). */
export interface StatusChange {
  readonly id: string;
  readonly cluster: string;
  readonly status: RecommendationStatus;
  readonly reason: string | null;
  readonly atMs: number;
  /** Who made it: `recommender` or `cli`. */
  readonly actor: string;
  readonly realisedMonthlySavingUsd: number | null;
}

export interface RecommendationFilter {
  readonly cluster?: string;
  readonly id?: string;
}

export interface RecommendationStore {
  writeContents(rows: readonly RecommendationContent[]): Promise<void>;
  writeStatuses(rows: readonly StatusChange[]): Promise<void>;
  /** The latest content version of each recommendation, by cluster and id. */
  contents(filter?: RecommendationFilter): Promise<RecommendationContent[]>;
  /** Every status change, oldest first. */
  statuses(filter?: RecommendationFilter): Promise<StatusChange[]>;
}

type Raw = Record<string, unknown>;
const nullableText = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function createRecommendationStore(
  executor: SqlExecutor,
  config: { readonly database: string },
): RecommendationStore {
  const db = ident(config.database);
  const where = (f: RecommendationFilter = {}): SqlValue =>
    raw(
      sql`1 = 1 ${raw(f.cluster === undefined ? sql`` : sql`AND cluster = ${str(f.cluster)}`)} ${raw(f.id === undefined ? sql`` : sql`AND id = ${str(f.id)}`)}`,
    );

  return {
    async writeContents(rows) {
      await executor.insert(
        `${config.database}.recommendations`,
        rows.map((r) => ({
          cluster: r.target.cluster,
          id: r.id,
          kind: r.kind,
          node: r.target.node,
          namespace: r.target.namespace,
          workload: r.target.workload,
          pod: r.target.pod,
          tenant: r.target.tenant,
          current_shape: JSON.stringify(r.current),
          recommended_shape: JSON.stringify(r.recommended),
          evidence: JSON.stringify(r.evidence),
          estimated_monthly_saving_usd: r.estimatedMonthlySavingUsd,
          confidence: r.confidence,
          risk_note: r.riskNote,
          created_at_ms: r.createdAtMs,
          computed_at_ms: r.computedAtMs,
        })),
      );
    },

    async writeStatuses(rows) {
      await executor.insert(
        `${config.database}.recommendation_status`,
        rows.map((s) => ({
          cluster: s.cluster,
          id: s.id,
          at_ms: s.atMs,
          status: s.status,
          reason: s.reason,
          actor: s.actor,
          realised_monthly_saving_usd: s.realisedMonthlySavingUsd,
        })),
      );
    },

    async contents(filter) {
      const rows = await executor.query<Raw>(sql`
        SELECT * FROM ${db}.recommendations WHERE ${where(filter)}
        ORDER BY cluster, id, computed_at_ms DESC
        LIMIT 1 BY cluster, id`);
      return rows.map((r) => ({
        id: String(r['id']),
        kind: String(r['kind']) as RecommendationKind,
        target: {
          cluster: String(r['cluster']),
          node: nullableText(r['node']),
          namespace: nullableText(r['namespace']),
          workload: nullableText(r['workload']),
          pod: nullableText(r['pod']),
          tenant: nullableText(r['tenant']),
        },
        current: GpuShapeSchema.parse(JSON.parse(String(r['current_shape']))),
        recommended: GpuShapeSchema.parse(JSON.parse(String(r['recommended_shape']))),
        evidence: evidenceSchema.parse(JSON.parse(String(r['evidence']))),
        estimatedMonthlySavingUsd: Number(r['estimated_monthly_saving_usd']),
        confidence: Number(r['confidence']),
        riskNote: String(r['risk_note']),
        createdAtMs: toSafeNumber(r['created_at_ms'], 'created_at_ms'),
        computedAtMs: toSafeNumber(r['computed_at_ms'], 'computed_at_ms'),
      }));
    },

    async statuses(filter) {
      const rows = await executor.query<Raw>(sql`
        SELECT cluster, id, at_ms, status, any(reason) AS reason, any(actor) AS actor,
               any(realised_monthly_saving_usd) AS realised
        FROM ${db}.recommendation_status WHERE ${where(filter)}
        GROUP BY cluster, id, at_ms, status
        ORDER BY cluster, id, at_ms`);
      return rows.map((r) => ({
        cluster: String(r['cluster']),
        id: String(r['id']),
        atMs: toSafeNumber(r['at_ms'], 'at_ms'),
        status: String(r['status']) as RecommendationStatus,
        reason: nullableText(r['reason']),
        actor: String(r['actor']),
        realisedMonthlySavingUsd: r['realised'] === null || r['realised'] === undefined ? null : Number(r['realised']),
      }));
    },
  };
}
