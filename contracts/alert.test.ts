import { describe, it, expect } from 'vitest';
import { decodeAlert } from './alert.ts';
import { exampleAlert } from './examples.ts';

const firing = exampleAlert;
const resolved = { ...firing, status: 'resolved', endsAtMs: firing.startsAtMs + 9_000_000 };

function reasonFor(value: unknown): string {
  const result = decodeAlert(JSON.stringify(value));
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('Alert v1', () => {
  it.each([
    ['a firing alert', firing],
    ['a resolved alert', resolved],
  ])('decodes %s to an equal value', (_name, alert) => {
    expect(decodeAlert(JSON.stringify(alert))).toEqual({ ok: true, value: alert });
  });

  it.each([
    ['a resolved alert without an end', { ...resolved, endsAtMs: null }, 'endsAtMs: required when status is resolved'],
    [
      'an end before the start',
      { ...resolved, endsAtMs: firing.startsAtMs - 1 },
      'endsAtMs: must not be before startsAtMs',
    ],
    ['an unknown severity', { ...firing, severity: 'page' }, 'severity:'],
    ['an unknown status', { ...firing, status: 'pending' }, 'status:'],
    ['evidence holding an object', { ...firing, evidence: { utilizationPct: { p95: 1 } } }, 'evidence.utilizationPct:'],
    ['evidence holding a boolean', { ...firing, evidence: { throttled: true } }, 'evidence.throttled:'],
    ['a label value that is not a string', { ...firing, labels: { gpu: 0 } }, 'labels.gpu:'],
    ['an empty summary', { ...firing, summary: '' }, 'summary:'],
    ['an empty rule id', { ...firing, ruleId: '' }, 'ruleId:'],
  ])('rejects %s, naming the field', (_name, value, expected) => {
    expect(reasonFor(value)).toContain(expected);
  });
});
