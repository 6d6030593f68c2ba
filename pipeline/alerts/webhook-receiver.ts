/**
 * A webhook receiver: one POST per alert, a Slack-compatible body (`text` plus one attachment with
 * the alert's fields; Slack and Mattermost incoming webhooks show it as is) that also carries the
 * contracts Alert under `alert` for programs. Signed when a secret is configured: header
 * `X-GPU-Ledger-Timestamp` (unix seconds) and `X-GPU-Ledger-Signature: v1=<hex HMAC-SHA256 of
 * "<timestamp>.<body>">` (node:crypto); receivers check it with verifyWebhookSignature and reject
 * old timestamps (replay).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Alert } from '../../contracts/alert.ts';
import { postJson, type AlertReceiver } from './receiver.ts';

export interface WebhookReceiverConfig {
  /** Receiver name (outbox key, metrics label), e.g. `webhook:ops`. */
  readonly name: string;
  readonly url: string;
  /** HMAC key; empty: unsigned. Never logged. */
  readonly secret: string;
  readonly timeoutMs: number;
}

const COLOR = { critical: '#d00000', warning: '#f2c744', info: '#439fe0' } as const;

/** The Slack-compatible body of one alert (pure). */
export function toWebhookBody(a: Alert): Record<string, unknown> {
  const resolved = a.status === 'resolved';
  const subject = Object.entries(a.labels)
    .filter(([k]) => k !== 'alertname' && k !== 'severity' && a.labels[k] !== '')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return {
    text: `${resolved ? '[RESOLVED]' : `[${a.severity.toUpperCase()}]`} ${a.ruleId}: ${a.summary}`,
    attachments: [
      {
        color: resolved ? '#2eb886' : COLOR[a.severity],
        title: `${a.ruleId} ${resolved ? 'resolved' : 'firing'}`,
        text: a.runbook,
        fields: [
          { title: 'subject', value: subject, short: false },
          { title: 'since', value: new Date(a.startsAtMs).toISOString(), short: true },
          ...(a.endsAtMs === null ? [] : [{ title: 'until', value: new Date(a.endsAtMs).toISOString(), short: true }]),
          ...Object.entries(a.evidence).map(([k, v]) => ({ title: k, value: String(v), short: true })),
        ],
        ts: Math.floor(a.startsAtMs / 1000),
      },
    ],
    alert: a,
  };
}

export const SIGNATURE_HEADER = 'x-gpu-ledger-signature';
export const TIMESTAMP_HEADER = 'x-gpu-ledger-timestamp';

/** `v1=<hex>` for a body sent at `timestampS` (pure). */
export function signWebhook(secret: string, timestampS: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex')}`;
}

/** For receivers: the signature is right and the timestamp within `toleranceS` of `nowS`. */
export function verifyWebhookSignature(
  secret: string,
  headers: { readonly signature: string | undefined; readonly timestamp: string | undefined },
  body: string,
  nowS: number,
  toleranceS = 300,
): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isSafeInteger(ts) || Math.abs(nowS - ts) > toleranceS || headers.signature === undefined) return false;
  const expected = Buffer.from(signWebhook(secret, ts, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function createWebhookReceiver(config: WebhookReceiverConfig): AlertReceiver {
  return {
    name: config.name,
    maxBatch: 1,
    async deliver(alerts, nowMs) {
      for (const a of alerts) {
        const body = JSON.stringify(toWebhookBody(a));
        const ts = Math.floor(nowMs / 1000);
        const headers: Record<string, string> =
          config.secret === ''
            ? {}
            : { [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: signWebhook(config.secret, ts, body) };
        await postJson(config.name, config.url, body, { timeoutMs: config.timeoutMs, headers });
      }
    },
  };
}
