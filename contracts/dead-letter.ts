import { z } from 'zod';
import { decodeJson } from './decode.ts';
import type { Result } from './result.ts';
import { epochMsSchema, nonEmptyStringSchema, nonNegativeIntSchema, schemaVersion1Schema } from './fields.ts';

/** A dead letter's `payload` holds at most this many UTF-8 bytes of the original value (1 MiB). */
export const DEAD_LETTER_MAX_PAYLOAD_BYTES = 1_048_576;

/**
 * DeadLetter v1 — a record a consumer could not use (undecodable, failed validation, rejected by
 * the store as malformed). Topic `pipeline.dead-letters.v1`, keyed like the original record.
 *
 * Lifecycle: the consumer publishes the dead letter, counts it, and only then commits the
 * original offset, so a bad record is neither lost nor retried forever. Transient failures
 * (broker or store down) are retried instead and never become dead letters.
 * `(sourceTopic, partition, offset)` identifies the original record; redelivery can produce the
 * same dead letter twice.
 *
 * `payload` is the original value as a string, cut to DEAD_LETTER_MAX_PAYLOAD_BYTES UTF-8 bytes
 * (on a character boundary, see truncateDeadLetterPayload); `payloadTruncated` says it was cut
 * (absent = not cut).
 */
export const DeadLetterSchema = z
  .object({
    schemaVersion: schemaVersion1Schema,
    sourceTopic: nonEmptyStringSchema,
    partition: nonNegativeIntSchema,
    /** Offset of the original record, decimal string (Kafka offsets are int64). */
    offset: z.string().regex(/^\d+$/, { error: 'expected a decimal offset string' }),
    key: z.string().nullable(),
    /** Why it was rejected, e.g. the decoder's `samples[2].utilizationPct: …`. */
    reason: nonEmptyStringSchema,
    payload: z.string(),
    payloadTruncated: z.boolean().optional(),
    /** When the consumer gave up on it, UTC epoch ms. */
    failedAtMs: epochMsSchema,
  })
  .readonly();
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

/**
 * Cuts `value` to at most `maxBytes` UTF-8 bytes without splitting a character. Pure; for
 * building a DeadLetter's `payload` and `payloadTruncated`.
 */
export function truncateDeadLetterPayload(
  value: string,
  maxBytes: number = DEAD_LETTER_MAX_PAYLOAD_BYTES,
): { readonly payload: string; readonly payloadTruncated: boolean } {
  // A UTF-16 code unit never needs more than 3 UTF-8 bytes: short strings skip the encoding.
  if (value.length * 3 <= maxBytes) return { payload: value, payloadTruncated: false };
  const bytes = new TextEncoder().encode(value);
  if (bytes.length <= maxBytes) return { payload: value, payloadTruncated: false };
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a character start.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return { payload: new TextDecoder().decode(bytes.subarray(0, end)), payloadTruncated: true };
}

/** Decodes one `pipeline.dead-letters.v1` value. Never throws. */
export const decodeDeadLetter = (raw: string): Result<DeadLetter> => decodeJson(DeadLetterSchema, raw);
