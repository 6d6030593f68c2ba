import { describe, it, expect } from 'vitest';
import { DEAD_LETTER_MAX_PAYLOAD_BYTES, decodeDeadLetter, truncateDeadLetterPayload } from './dead-letter.ts';
import { exampleDeadLetter } from './examples.ts';

const letter = exampleDeadLetter;
const utf8Bytes = (value: string): number => new TextEncoder().encode(value).length;

function reasonFor(value: unknown): string {
  const result = decodeDeadLetter(JSON.stringify(value));
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('DeadLetter v1', () => {
  it('decodes a valid dead letter to an equal value', () => {
    expect(decodeDeadLetter(JSON.stringify(letter))).toEqual({ ok: true, value: letter });
  });

  it('decodes one with a null key and no payloadTruncated flag', () => {
    const value = Object.fromEntries(
      Object.entries({ ...letter, key: null }).filter(([key]) => key !== 'payloadTruncated'),
    );
    expect(decodeDeadLetter(JSON.stringify(value))).toEqual({ ok: true, value });
  });

  it.each([
    ['a numeric offset', { ...letter, offset: 918273645 }, 'offset:'],
    ['a negative offset string', { ...letter, offset: '-1' }, 'offset:'],
    ['a fractional partition', { ...letter, partition: 0.5 }, 'partition:'],
    ['a negative partition', { ...letter, partition: -1 }, 'partition:'],
    ['an empty reason', { ...letter, reason: '' }, 'reason:'],
    ['a payload that is an object', { ...letter, payload: { schemaVersion: 1 } }, 'payload:'],
    ['a missing sourceTopic', { ...letter, sourceTopic: undefined }, 'sourceTopic: missing'],
  ])('rejects %s, naming the field', (_name, value, expected) => {
    expect(reasonFor(value)).toContain(expected);
  });
});

describe('truncateDeadLetterPayload', () => {
  it('keeps a payload within the limit as it is', () => {
    expect(truncateDeadLetterPayload('{"a":1}')).toEqual({ payload: '{"a":1}', payloadTruncated: false });
    const exact = 'é'.repeat(DEAD_LETTER_MAX_PAYLOAD_BYTES / 2); // 2 bytes each: exactly 1 MiB
    expect(truncateDeadLetterPayload(exact)).toEqual({ payload: exact, payloadTruncated: false });
  });

  it('cuts a payload over 1 MiB to at most 1 MiB of UTF-8', () => {
    const { payload, payloadTruncated } = truncateDeadLetterPayload('x'.repeat(DEAD_LETTER_MAX_PAYLOAD_BYTES + 10));
    expect(payloadTruncated).toBe(true);
    expect(payload.length).toBe(DEAD_LETTER_MAX_PAYLOAD_BYTES);
  });

  it('never splits a multi-byte character', () => {
    // '€' is 3 UTF-8 bytes; a 10-byte limit fits three of them (9 bytes), not three and a third.
    const { payload, payloadTruncated } = truncateDeadLetterPayload('€'.repeat(5), 10);
    expect(payloadTruncated).toBe(true);
    expect(payload).toBe('€€€');
    expect(utf8Bytes(payload)).toBe(9);
  });

  it('never splits a surrogate pair', () => {
    // '🎮' is 4 UTF-8 bytes (2 UTF-16 code units).
    const { payload } = truncateDeadLetterPayload('a🎮🎮', 7);
    expect(payload).toBe('a🎮');
  });
});
