/**
 * Alertmanager's v2 API (`POST /api/v2/alerts`, a JSON array of postableAlert): labels (alertname,
 * severity and the subject), annotations (summary, runbook, the evidence as JSON), startsAt, and
 * endsAt: past for a resolved alert; for a firing one now + 4 × the resend interval, so that
 * Alertmanager resolves it by itself if gpu-ledger stops sending (Prometheus does the same).
 */
import type { Alert } from '../../contracts/alert.ts';
import { postJson, type AlertReceiver } from './receiver.ts';

export interface AlertmanagerReceiverConfig {
  /** e.g. `http://127.0.0.1:9093` */
  readonly url: string;
  readonly timeoutMs: number;
  readonly resendIntervalMs: number;
}

/** The v2 postableAlert of one alert (pure). */
export function toPostableAlert(a: Alert, nowMs: number, resendIntervalMs: number) {
  return {
    labels: a.labels,
    annotations: {
      summary: a.summary,
      runbook: a.runbook,
      evidence: JSON.stringify(a.evidence),
      alert_id: a.id,
    },
    startsAt: new Date(a.startsAtMs).toISOString(),
    endsAt: new Date(a.endsAtMs ?? nowMs + 4 * resendIntervalMs).toISOString(),
  };
}

export function createAlertmanagerReceiver(config: AlertmanagerReceiverConfig): AlertReceiver {
  const url = `${config.url.replace(/\/+$/, '')}/api/v2/alerts`;
  return {
    name: 'alertmanager',
    maxBatch: 100,
    resendIntervalMs: config.resendIntervalMs,
    deliver: (alerts, nowMs) =>
      postJson(
        'alertmanager',
        url,
        JSON.stringify(alerts.map((a) => toPostableAlert(a, nowMs, config.resendIntervalMs))),
        { timeoutMs: config.timeoutMs },
      ),
  };
}
