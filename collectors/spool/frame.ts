import { crc32 } from 'node:zlib';
import type { OutgoingRecord } from '../../contracts/bus.ts';

/**
 * On-disk framing of one spooled send (a topic and its records). Layout, big-endian:
 *
 *   0  u16 magic 0x474C ("GL")   2  u8 version (1)   3  u8 reserved (0)
 *   4  u32 payload bytes         8  u32 record count  12  u32 CRC-32 of bytes 0..11 and the payload
 *   16 payload: UTF-8 JSON {"topic","records":[{"key","value"}],"spooledAtMs"}
 *
 * The magic and a non-zero length make a zero-filled tail (what some filesystems leave after a
 * power loss) invalid instead of an endless run of empty frames; the CRC catches a torn append.
 */
export const FRAME_HEADER_BYTES = 16;
const MAGIC = 0x474c;
const VERSION = 1;

export interface SpoolEntry {
  readonly topic: string;
  readonly records: readonly OutgoingRecord[];
  /** When the entry was appended (host clock), for delivery-delay figures. */
  readonly spooledAtMs: number;
}

/** Where a valid frame lies in its segment file. */
export interface FrameRef {
  readonly offset: number;
  /** Whole frame, header included. */
  readonly bytes: number;
  readonly records: number;
}

const checksum = (frame: Buffer, payloadEnd: number): number =>
  crc32(frame.subarray(FRAME_HEADER_BYTES, payloadEnd), crc32(frame.subarray(0, 12)));

/** Pure: one entry as a frame. */
export function encodeFrame(entry: SpoolEntry): Buffer {
  const payload = Buffer.from(
    JSON.stringify({
      topic: entry.topic,
      records: entry.records.map((r) => ({ key: r.key, value: r.value })),
      spooledAtMs: entry.spooledAtMs,
    }),
    'utf8',
  );
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt16BE(MAGIC, 0);
  frame.writeUInt8(VERSION, 2);
  frame.writeUInt8(0, 3);
  frame.writeUInt32BE(payload.length, 4);
  frame.writeUInt32BE(entry.records.length, 8);
  payload.copy(frame, FRAME_HEADER_BYTES);
  frame.writeUInt32BE(checksum(frame, frame.length), 12);
  return frame;
}

/** Pure: the frame at `offset` if it is whole and its checksum holds, else null. */
export function checkFrameAt(buf: Buffer, offset: number): FrameRef | null {
  if (buf.length - offset < FRAME_HEADER_BYTES) return null;
  const frame = buf.subarray(offset);
  if (frame.readUInt16BE(0) !== MAGIC || frame.readUInt8(2) !== VERSION) return null;
  const payloadBytes = frame.readUInt32BE(4);
  const end = FRAME_HEADER_BYTES + payloadBytes;
  if (payloadBytes === 0 || end > frame.length) return null;
  if (checksum(frame, end) !== frame.readUInt32BE(12)) return null;
  return { offset, bytes: end, records: frame.readUInt32BE(8) };
}

/**
 * Pure: the valid frames from the start of a segment's bytes, up to the first torn or corrupt one.
 * `validBytes` < `buf.length` means a torn tail (a crash mid-append) that the caller truncates.
 */
export function scanFrames(buf: Buffer): { readonly frames: FrameRef[]; readonly validBytes: number } {
  const frames: FrameRef[] = [];
  let offset = 0;
  for (let f = checkFrameAt(buf, 0); f; f = checkFrameAt(buf, offset)) {
    frames.push(f);
    offset += f.bytes;
  }
  return { frames, validBytes: offset };
}

/** Pure: the entry in a frame that `checkFrameAt` accepted; throws on a payload that is not one. */
export function decodeFrame(frame: Buffer): SpoolEntry {
  const payloadBytes = frame.readUInt32BE(4);
  const parsed: unknown = JSON.parse(frame.toString('utf8', FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + payloadBytes));
  const p = parsed as { topic?: unknown; records?: unknown; spooledAtMs?: unknown };
  const validRecord = (r: unknown): r is OutgoingRecord =>
    typeof r === 'object' &&
    r !== null &&
    typeof (r as OutgoingRecord).value === 'string' &&
    ((r as OutgoingRecord).key === null || typeof (r as OutgoingRecord).key === 'string');
  if (
    typeof p.topic !== 'string' ||
    !Array.isArray(p.records) ||
    !p.records.every(validRecord) ||
    typeof p.spooledAtMs !== 'number'
  ) {
    throw new Error('spool frame payload is not {topic, records, spooledAtMs}');
  }
  return { topic: p.topic, records: p.records, spooledAtMs: p.spooledAtMs };
}
