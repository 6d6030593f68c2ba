import { describe, expect, it } from 'vitest';
import { AlertSchema, type Alert } from '../../contracts/alert.ts';
import { toPostableAlert } from './alertmanager-receiver.ts';
import { signWebhook, toWebhookBody, verifyWebhookSignature } from './webhook-receiver.ts';

const ALERT: Alert = {
  schemaVersion: 1,
  id: '3f1c0a9b2d4e5f60',
  ruleId: 'idle-allocated',
  severity: 'warning',
  status: 'firing',
  labels: {
    alertname: 'idle-allocated',
    severity: 'warning',
    pod: 'train-0',
    namespace: 'ml',
    gpu: 'GPU-1',
    tenant: '',
  },
  summary: 'ml/train-0 holds a whole GPU below 5% utilization for 42 min: $2.31 burned',
  runbook: 'reclaim it',
  startsAtMs: Date.UTC(2026, 10, 25, 12),
  endsAtMs: null,
  evidence: { idleMinutes: 42, burnedUsd: 2.31 },
};
const NOW = Date.UTC(2026, 10, 25, 12, 42);

describe('receiver payloads', () => {
  it('Alertmanager v2 postableAlert: labels, annotations, startsAt, endsAt 4 resends ahead while firing', () => {
    expect(AlertSchema.safeParse(ALERT).success).toBe(true);
    expect(toPostableAlert(ALERT, NOW, 60_000)).toEqual({
      labels: ALERT.labels,
      annotations: {
        summary: ALERT.summary,
        runbook: 'reclaim it',
        evidence: '{"idleMinutes":42,"burnedUsd":2.31}',
        alert_id: '3f1c0a9b2d4e5f60',
      },
      startsAt: '2026-11-25T12:00:00.000Z',
      endsAt: '2026-11-25T12:46:00.000Z',
    });
    const resolved = { ...ALERT, status: 'resolved' as const, endsAtMs: NOW };
    expect(toPostableAlert(resolved, NOW + 5_000, 60_000).endsAt).toBe('2026-11-25T12:42:00.000Z');
  });

  it('webhook body is Slack-compatible (text + attachment) and carries the alert', () => {
    const body = toWebhookBody(ALERT);
    expect(body['text']).toBe(`[WARNING] idle-allocated: ${ALERT.summary}`);
    expect(body['alert']).toEqual(ALERT);
    const [attachment] = body['attachments'] as { color: string; fields: { title: string; value: string }[] }[];
    expect(attachment!.color).toBe('#f2c744');
    expect(attachment!.fields.slice(0, 2)).toEqual([
      { title: 'subject', value: 'pod=train-0 namespace=ml gpu=GPU-1', short: false },
      { title: 'since', value: '2026-11-25T12:00:00.000Z', short: true },
    ]);
    expect(toWebhookBody({ ...ALERT, status: 'resolved', endsAtMs: NOW })['text']).toMatch(
      /^\[RESOLVED\] idle-allocated/,
    );
  });

  it('HMAC-SHA256 signature over "<timestamp>.<body>"; verification refuses a changed body, another key or an old timestamp', () => {
    const body = JSON.stringify(toWebhookBody(ALERT));
    const ts = NOW / 1000;
    const signature = signWebhook('s3cret', ts, body);
    // checked against an independent HMAC: printf '%s' '1.x' | openssl dgst -sha256 -hmac key
    expect(signWebhook('key', 1, 'x')).toBe('v1=fc4913c41a7bf793267e2a384f3261c9436ec2cd097bd745e7b0d99113f510ec');
    expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature('s3cret', { signature, timestamp: String(ts) }, body, ts + 10)).toBe(true);
    expect(verifyWebhookSignature('s3cret', { signature, timestamp: String(ts) }, `${body} `, ts)).toBe(false);
    expect(verifyWebhookSignature('other', { signature, timestamp: String(ts) }, body, ts)).toBe(false);
    expect(verifyWebhookSignature('s3cret', { signature, timestamp: String(ts) }, body, ts + 301)).toBe(false);
    expect(verifyWebhookSignature('s3cret', { signature: undefined, timestamp: String(ts) }, body, ts)).toBe(false);
  });
});
