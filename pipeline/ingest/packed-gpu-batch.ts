import { SAMPLE_COUNTER_KEYS, type GpuSampleBatch, type GpuSampleSource } from '../../contracts/index.ts';

/**
 * A decoded GpuSampleBatch as the ingest hot path keeps it between decode and insert: the values the
 * store writes, packed into two typed arrays instead of a tree of objects. Strings are spans
 * (start, end) of UTF-8 bytes in `bytes`: the record's own JSON when the scanner decoded it (nothing
 * copied), or the strings' bytes joined when packed from an object (packGpuSampleBatch). This is the
 * one shape in which a GPU batch crosses from ingest to the store (IngestWriters, TelemetryStore,
 * gpu-batch-rows.ts); store-conformance checks that the store writes exactly the record's values.
 *
 * Layout, with n samples and m processes:
 *   numbers  n × SAMPLE_NUMBERS (SampleNumber order), then m × PROCESS_NUMBERS; null is NaN
 *   spans    n × SAMPLE_SPAN_INTS (SampleSpan order), then m × PROCESS_SPAN_INTS, then the
 *            throttle-reason spans that each sample's (first, count) points at
 * A null string (parentGpuUuid, driverVersion, mig profile, podUid, containerId) is the empty span:
 * the tables store '' for it.
 */
export class PackedGpuBatch {
  constructor(
    readonly bytes: Uint8Array,
    readonly agentId: string,
    readonly bootId: string,
    readonly seq: number,
    readonly cluster: string,
    readonly node: string,
    readonly collectedAtMs: number,
    readonly source: GpuSampleSource,
    readonly sampleCount: number,
    readonly processCount: number,
    readonly numbers: Float64Array,
    readonly spans: Int32Array,
    /**
     * The samples' Xid codes (GpuSample.xidErrors, rare): packed only from decoded records; the
     * scanner hands a batch that has any to the general decoder (gpu-batch-scanner.ts).
     */
    readonly xids: readonly PackedXid[] = [],
  ) {}

  /** A sample's number (SampleNumber field); NaN for null. */
  sampleNumber(i: number, field: number): number {
    return this.numbers[i * SAMPLE_NUMBERS + field]!;
  }

  processNumber(j: number, field: number): number {
    return this.numbers[this.sampleCount * SAMPLE_NUMBERS + j * PROCESS_NUMBERS + field]!;
  }

  /** Index in `spans` of a sample's span field (SampleSpan). */
  sampleSpan(i: number, field: number): number {
    return i * SAMPLE_SPAN_INTS + field;
  }

  processSpan(j: number, field: number): number {
    return this.sampleCount * SAMPLE_SPAN_INTS + j * PROCESS_SPAN_INTS + field;
  }

  /** The string of the span at `spans[k]`, `spans[k + 1]`. */
  string(k: number): string {
    return UTF8.decode(this.bytes.subarray(this.spans[k], this.spans[k + 1]));
  }

  /** The throttle reasons of sample i. */
  throttleReasons(i: number): string[] {
    const first = this.spans[this.sampleSpan(i, SampleSpan.throttleFirst)]!;
    const count = this.spans[this.sampleSpan(i, SampleSpan.throttleCount)]!;
    return Array.from({ length: count }, (_, r) => this.string(first + 2 * r));
  }
}

/** One Xid code of sample `sample`, at position `ordinal` of its xidErrors list. */
export interface PackedXid {
  readonly sample: number;
  readonly ordinal: number;
  readonly xid: number;
}

/**
 * Numbers of one sample, in this order. `kind` is SampleKindCode; `gpuUuidHash` is gpuUuidHash() of
 * the gpu_uuid bytes (row-order.ts orders rows by it without reading the bytes again).
 */
export const SampleNumber = {
  kind: 0,
  index: 1,
  observedAtMs: 2,
  utilizationPct: 3,
  memoryUsedBytes: 4,
  memoryTotalBytes: 5,
  powerWatts: 6,
  powerLimitWatts: 7,
  temperatureC: 8,
  smClockMhz: 9,
  memClockMhz: 10,
  eccCorrectedTotal: 11,
  eccUncorrectedTotal: 12,
  migGpuInstanceId: 13,
  migComputeInstanceId: 14,
  gpuUuidHash: 15,
} as const;
/** The optional counters (contracts/sample-counters.ts) follow, in SAMPLE_COUNTER_KEYS order; NaN when absent or null. */
export const SAMPLE_COUNTER_BASE = 16;
export const SAMPLE_NUMBERS = SAMPLE_COUNTER_BASE + SAMPLE_COUNTER_KEYS.length;
export const SampleKindCode = { gpu: 0, mig: 1 } as const;

/** Offsets of a sample's spans: (start, end) pairs, then the throttle reasons' first span index and count. */
export const SampleSpan = {
  gpuUuid: 0,
  parentGpuUuid: 2,
  model: 4,
  driverVersion: 6,
  migProfile: 8,
  throttleFirst: 10,
  throttleCount: 11,
} as const;
export const SAMPLE_SPAN_INTS = 12;

export const ProcessNumber = {
  pid: 0,
  usedMemoryBytes: 1,
  gpuUuidHash: 2,
  migGpuInstanceId: 3,
  migComputeInstanceId: 4,
} as const;
export const PROCESS_NUMBERS = 5;

/** FNV-1a (32 bits) of bytes[from, to): FNV_OFFSET folded with each byte by gpuUuidHashStep. */
export const FNV_OFFSET = 0x811c9dc5;
export const gpuUuidHashStep = (h: number, byte: number): number => Math.imul(h ^ byte, 0x01000193);
export function gpuUuidHash(bytes: Uint8Array, from: number, to: number): number {
  let h = FNV_OFFSET;
  for (let k = from; k < to; k++) h = gpuUuidHashStep(h, bytes[k]!);
  return h;
}
export const ProcessSpan = { gpuUuid: 0, processName: 2, podUid: 4, containerId: 6 } as const;
export const PROCESS_SPAN_INTS = 8;

/**
 * The packed arrays of many batches carved out of shared 1 MiB blocks: one ArrayBuffer per batch
 * would be thousands of small external allocations per second, and V8 answers external memory growth
 * with extra garbage collections. A block lives as long as any batch cut from it.
 */
export class PackedSlab {
  #block = new ArrayBuffer(0);
  #used = 0;

  #take(bytes: number): number {
    const at = Math.ceil(this.#used / 8) * 8;
    if (at + bytes > this.#block.byteLength) {
      this.#block = new ArrayBuffer(Math.max(1 << 20, bytes));
      this.#used = bytes;
      return 0;
    }
    this.#used = at + bytes;
    return at;
  }

  numbers(count: number): Float64Array {
    const at = this.#take(count * 8);
    return new Float64Array(this.#block, at, count);
  }

  spans(count: number): Int32Array {
    const at = this.#take(count * 4);
    return new Int32Array(this.#block, at, count);
  }
}

const UTF8 = new TextDecoder();

const orNaN = (v: number | null | undefined): number => (v === null || v === undefined ? Number.NaN : v);

/** Packs a decoded batch: the general decoder's result (decode-records.ts), the one place a record object is packed. */
export function packGpuSampleBatch(b: GpuSampleBatch): PackedGpuBatch {
  const n = b.samples.length;
  const m = b.processes.length;
  const throttles = b.samples.reduce((t, s) => t + s.throttleReasons.length, 0);
  const numbers = new Float64Array(n * SAMPLE_NUMBERS + m * PROCESS_NUMBERS);
  const spans = new Int32Array(n * SAMPLE_SPAN_INTS + m * PROCESS_SPAN_INTS + 2 * throttles);
  const parts: Buffer[] = [];
  let length = 0;
  const span = (k: number, s: string | null | undefined): void => {
    spans[k] = length;
    if (s) {
      const bytes = Buffer.from(s, 'utf8');
      parts.push(bytes);
      length += bytes.length;
    }
    spans[k + 1] = length;
  };
  let throttle = n * SAMPLE_SPAN_INTS + m * PROCESS_SPAN_INTS;
  b.samples.forEach((s, i) => {
    const at = i * SAMPLE_NUMBERS;
    const values = [
      SampleKindCode[s.kind],
      s.index,
      s.observedAtMs,
      s.utilizationPct,
      s.memoryUsedBytes,
      s.memoryTotalBytes,
      s.powerWatts,
      s.powerLimitWatts,
      s.temperatureC,
      s.smClockMhz,
      s.memClockMhz,
      s.eccCorrectedTotal,
      s.eccUncorrectedTotal,
      s.mig?.gpuInstanceId,
      s.mig?.computeInstanceId,
      0,
    ];
    values.forEach((v, f) => (numbers[at + f] = orNaN(v)));
    SAMPLE_COUNTER_KEYS.forEach((key, c) => (numbers[at + SAMPLE_COUNTER_BASE + c] = orNaN(s[key])));
    const k = i * SAMPLE_SPAN_INTS;
    span(k + SampleSpan.gpuUuid, s.gpuUuid);
    span(k + SampleSpan.parentGpuUuid, s.parentGpuUuid);
    span(k + SampleSpan.model, s.model);
    span(k + SampleSpan.driverVersion, s.driverVersion);
    span(k + SampleSpan.migProfile, s.mig?.profile);
    spans[k + SampleSpan.throttleFirst] = throttle;
    spans[k + SampleSpan.throttleCount] = s.throttleReasons.length;
    for (const r of s.throttleReasons) {
      span(throttle, r);
      throttle += 2;
    }
  });
  b.processes.forEach((p, j) => {
    const at = n * SAMPLE_NUMBERS + j * PROCESS_NUMBERS;
    numbers[at + ProcessNumber.pid] = p.pid;
    numbers[at + ProcessNumber.usedMemoryBytes] = orNaN(p.usedMemoryBytes);
    numbers[at + ProcessNumber.gpuUuidHash] = 0;
    numbers[at + ProcessNumber.migGpuInstanceId] = orNaN(p.gpuInstanceId);
    numbers[at + ProcessNumber.migComputeInstanceId] = orNaN(p.computeInstanceId);
    const k = n * SAMPLE_SPAN_INTS + j * PROCESS_SPAN_INTS;
    span(k + ProcessSpan.gpuUuid, p.gpuUuid);
    span(k + ProcessSpan.processName, p.processName);
    span(k + ProcessSpan.podUid, p.podUid);
    span(k + ProcessSpan.containerId, p.containerId);
  });
  const bytes = Buffer.concat(parts, length);
  for (let i = 0; i < n; i++) {
    const k = i * SAMPLE_SPAN_INTS + SampleSpan.gpuUuid;
    numbers[i * SAMPLE_NUMBERS + SampleNumber.gpuUuidHash] = gpuUuidHash(bytes, spans[k]!, spans[k + 1]!);
  }
  for (let j = 0; j < m; j++) {
    const k = n * SAMPLE_SPAN_INTS + j * PROCESS_SPAN_INTS + ProcessSpan.gpuUuid;
    numbers[n * SAMPLE_NUMBERS + j * PROCESS_NUMBERS + ProcessNumber.gpuUuidHash] = gpuUuidHash(
      bytes,
      spans[k]!,
      spans[k + 1]!,
    );
  }
  return new PackedGpuBatch(
    bytes,
    b.agentId,
    b.bootId,
    b.seq,
    b.cluster,
    b.node,
    b.collectedAtMs,
    b.source,
    n,
    m,
    numbers,
    spans,
    b.samples.flatMap((s, sample) => (s.xidErrors ?? []).map((xid, ordinal) => ({ sample, ordinal, xid }))),
  );
}
