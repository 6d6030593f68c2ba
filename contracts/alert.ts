import { z } from 'zod';
import { decodeJson } from './decode.ts';
import type { Result } from './result.ts';
import { epochMsSchema, evidenceSchema, labelsSchema, nonEmptyStringSchema, schemaVersion1Schema } from './fields.ts';

/** How urgent: `critical` pages, `warning` goes to the team channel, `info` is recorded only (routing is configuration). */
export const AlertSeverity = { info: 'info', warning: 'warning', critical: 'critical' } as const;
export type AlertSeverity = (typeof AlertSeverity)[keyof typeof AlertSeverity];

/** Alertmanager's two states. */
export const AlertStatus = { firing: 'firing', resolved: 'resolved' } as const;
export type AlertStatus = (typeof AlertStatus)[keyof typeof AlertStatus];

/**
 * Alert v1 — one state of one alert raised by an anomaly rule or a budget. Topic
 * `anomaly.alerts.v1`; also recorded in the alerts table (every alert is kept).
 *
 * Lifecycle: `id` is stable for one incident of one rule on one subject (e.g. a hash of ruleId,
 * labels and startsAtMs); each evaluation that finds the condition true re-publishes it with
 * `status: 'firing'` and `endsAtMs: null`; when the condition clears it is published once more with
 * `status: 'resolved'` and `endsAtMs` set. The latest state per `id` wins; repeats are harmless.
 * Maps onto Alertmanager v2 (`labels`, `annotations.summary/runbook`, `startsAt`, `endsAt`).
 *
 * Decoder rules: `endsAtMs` is required when resolved and, when set, not before `startsAtMs`.
 */
export const AlertSchema = z
  .object({
    schemaVersion: schemaVersion1Schema,
    id: nonEmptyStringSchema,
    /** The rule (or budget) that raised it, e.g. `gpu-allocated-idle`. */
    ruleId: nonEmptyStringSchema,
    severity: z.enum(AlertSeverity),
    status: z.enum(AlertStatus),
    /** The subject: cluster, node, gpu, namespace, pod, tenant … as relevant to the rule. */
    labels: labelsSchema,
    /** One line for humans. */
    summary: nonEmptyStringSchema,
    /** What to check and do (from the rule definition). */
    runbook: z.string(),
    /** When the condition started to hold, UTC epoch ms. */
    startsAtMs: epochMsSchema,
    /** When it stopped holding; null while firing. */
    endsAtMs: epochMsSchema.nullable(),
    /** The numbers behind the decision (units in the key, e.g. `utilizationPct: 1.5`). */
    evidence: evidenceSchema,
  })
  .refine((alert) => alert.status !== AlertStatus.resolved || alert.endsAtMs !== null, {
    error: 'required when status is resolved',
    path: ['endsAtMs'],
  })
  .refine((alert) => alert.endsAtMs === null || alert.endsAtMs >= alert.startsAtMs, {
    error: 'must not be before startsAtMs',
    path: ['endsAtMs'],
  })
  .readonly();
export type Alert = z.infer<typeof AlertSchema>;

/** Decodes one `anomaly.alerts.v1` value. Never throws. */
export const decodeAlert = (raw: string): Result<Alert> => decodeJson(AlertSchema, raw);
