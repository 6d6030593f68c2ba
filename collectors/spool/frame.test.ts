import { describe, expect, it } from 'vitest';
import { exampleGpuSampleBatch, Topics } from '../../contracts/index.ts';
import { checkFrameAt, decodeFrame, encodeFrame, FRAME_HEADER_BYTES, scanFrames } from './frame.ts';

const entry = (seq: number) => ({
  topic: Topics.gpuSamples,
  records: [{ key: 'gpu-node-07', value: JSON.stringify({ ...exampleGpuSampleBatch, seq }) }],
  spooledAtMs: 1_752_483_644_000 + seq,
});

describe('spool frames', () => {
  it('round-trip: encode, scan, decode give back the entries in order', () => {
    const frames = [0, 1, 2].map((s) => encodeFrame(entry(s)));
    const { frames: refs, validBytes } = scanFrames(Buffer.concat(frames));
    expect(validBytes).toBe(frames.reduce((n, f) => n + f.length, 0));
    expect(refs.map((r) => [r.offset, r.records])).toEqual([
      [0, 1],
      [frames[0]!.length, 1],
      [frames[0]!.length + frames[1]!.length, 1],
    ]);
    const decoded = refs.map((_, i) => decodeFrame(frames[i]!));
    expect(decoded.map((e) => (JSON.parse(e.records[0]!.value) as { seq: number }).seq)).toEqual([0, 1, 2]);
    expect(decoded[2]).toEqual(entry(2));
  });

  it('a torn tail (half a frame) and a flipped byte end the valid prefix there', () => {
    const [a, b] = [encodeFrame(entry(0)), encodeFrame(entry(1))];
    expect(scanFrames(Buffer.concat([a, b.subarray(0, b.length - 7)])).validBytes).toBe(a.length);
    const flipped = Buffer.from(b);
    flipped[FRAME_HEADER_BYTES + 20] = flipped[FRAME_HEADER_BYTES + 20]! ^ 0x01;
    expect(scanFrames(Buffer.concat([a, flipped])).frames).toHaveLength(1);
    expect(checkFrameAt(flipped, 0)).toBeNull();
  });

  it('zeros after the last frame (what a power loss can leave) are not frames', () => {
    const a = encodeFrame(entry(0));
    const { frames, validBytes } = scanFrames(Buffer.concat([a, Buffer.alloc(4096)]));
    expect(frames).toHaveLength(1);
    expect(validBytes).toBe(a.length);
  });
});
