import {
  EPOCH_MS_MAX,
  EPOCH_MS_MIN,
  GPU_UUID_PREFIX,
  GpuSampleSource,
  MIG_PROFILE_PATTERN,
  MIG_UUID_PREFIX,
  PERCENT_MAX,
  SAMPLE_COUNTER_KEYS,
  SAMPLE_COUNTERS,
  UINT32_MAX,
  counterValueOk,
} from '../../contracts/index.ts';
import {
  FNV_OFFSET,
  gpuUuidHashStep,
  PackedGpuBatch,
  PackedSlab,
  PROCESS_NUMBERS,
  PROCESS_SPAN_INTS,
  ProcessNumber,
  ProcessSpan,
  SAMPLE_COUNTER_BASE,
  SAMPLE_NUMBERS,
  SAMPLE_SPAN_INTS,
  SampleKindCode,
  SampleNumber,
  SampleSpan,
  type PackedXid,
} from './packed-gpu-batch.ts';
import { JsonCursor, KeySet, LBRACE, LBRACKET, RBRACE, RBRACKET, UNSUPPORTED, unsupported } from './json-cursor.ts';

/**
 * The ingest hot path's decoder of a `telemetry.gpu-samples.v1` value: one pass over the JSON text
 * that checks the rules of GpuSampleBatchSchema (contracts/gpu-sample-batch.ts; the same rules as
 * fast-batch-check.ts) and packs the values straight into a PackedGpuBatch: no JSON.parse, no object
 * per sample, strings kept as spans of the bytes.
 *
 * It only ever answers "valid, packed" or "ask the general decoder": null for anything invalid,
 * unusual (escapes, non-ASCII, whitespace other than spaces, a duplicate or unknown key) or not covered; the
 * caller then decodes with JSON.parse + zod, which stay the authority and give the reason.
 * gpu-batch-scanner.test.ts checks with generated inputs that whatever this accepts, zod accepts,
 * and that both pack to identical values.
 */

const SOURCES: readonly GpuSampleSource[] = Object.values(GpuSampleSource);

// Key ids are the indexes in these lists; the switches below name them in comments.
const BATCH_KEYS = new KeySet([
  'schemaVersion',
  'agentId',
  'bootId',
  'seq',
  'cluster',
  'node',
  'collectedAtMs',
  'source',
  'samples',
  'processes',
]);
const SAMPLE_KEYS = new KeySet([
  'index',
  'pciBusId',
  'model',
  'driverVersion',
  'observedAtMs',
  'powerWatts',
  'powerLimitWatts',
  'temperatureC',
  'smClockMhz',
  'memClockMhz',
  'throttleReasons',
  'kind',
  'gpuUuid',
  'parentGpuUuid',
  'utilizationPct',
  'memoryUsedBytes',
  'memoryTotalBytes',
  'eccCorrectedTotal',
  'eccUncorrectedTotal',
  'mig',
  'xidErrors',
  ...SAMPLE_COUNTER_KEYS,
]);
/** Key ids from here on are the optional counters, in SAMPLE_COUNTER_KEYS order. */
const FIRST_COUNTER_KEY = 21;
const COUNTER_RULES = SAMPLE_COUNTER_KEYS.map((k) => SAMPLE_COUNTERS[k].rule);
if (SAMPLE_COUNTER_KEYS.length > 31)
  throw new Error('gpu-batch-scanner: more counters than one 32-bit seen-mask holds');
/** Every sample key below the counters but the optional pciBusId (1) and xidErrors (20). */
const SAMPLE_REQUIRED = ((1 << 20) - 1) & ~(1 << 1);
const PROCESS_KEYS = new KeySet([
  'gpuUuid',
  'pid',
  'processName',
  'usedMemoryBytes',
  'podUid',
  'containerId',
  'gpuInstanceId',
  'computeInstanceId',
]);
const PROCESS_REQUIRED = (1 << 6) - 1;
const MIG_KEYS = new KeySet(['gpuInstanceId', 'computeInstanceId', 'profile']);

const isInt = (v: number, min: number): boolean => Number.isSafeInteger(v) && v >= min;
const isUint32 = (v: number, min = 0): boolean => isInt(v, min) && v <= UINT32_MAX;
const isEpochMs = (v: number): boolean => Number.isSafeInteger(v) && v >= EPOCH_MS_MIN && v <= EPOCH_MS_MAX;

function grownNumbers(a: Float64Array<ArrayBuffer>, needed: number): Float64Array<ArrayBuffer> {
  if (needed <= a.length) return a;
  const next = new Float64Array(Math.max(needed, a.length * 2));
  next.set(a);
  return next;
}

function grownSpans(a: Int32Array<ArrayBuffer>, needed: number): Int32Array<ArrayBuffer> {
  if (needed <= a.length) return a;
  const next = new Int32Array(Math.max(needed, a.length * 2));
  next.set(a);
  return next;
}

/** The scanner's state: a cursor and scratch arrays reused from record to record (synchronous, one per process). */
class GpuBatchScanner extends JsonCursor {
  sampleNumbers = new Float64Array(64 * SAMPLE_NUMBERS);
  sampleSpans = new Int32Array(64 * SAMPLE_SPAN_INTS);
  processNumbers = new Float64Array(64 * PROCESS_NUMBERS);
  processSpans = new Int32Array(64 * PROCESS_SPAN_INTS);
  throttleSpans = new Int32Array(256);
  samples = 0;
  processes = 0;
  throttles = 0;
  /** Xid codes (rare) of the batch being read; a batch that has any takes the list, the next gets a new one. */
  xids: PackedXid[] = [];
  readonly slab = new PackedSlab();

  batch(): PackedGpuBatch {
    let seen = 0;
    let key = -1;
    let agentId = '';
    let bootId = '';
    let cluster = '';
    let node = '';
    let seq = 0;
    let collectedAtMs = 0;
    let source: GpuSampleSource = 'dcgm';
    this.samples = this.processes = this.throttles = 0;
    this.xids.length = 0; // what a refused batch left (a packed batch took its own list)
    if (this.open(LBRACE, RBRACE)) {
      do {
        key = BATCH_KEYS.read(this, key);
        if (seen & (1 << key)) unsupported();
        seen |= 1 << key;
        switch (key) {
          case 0: // schemaVersion
            if (this.number() !== 1) unsupported();
            break;
          case 1: // agentId
            agentId = this.slice();
            break;
          case 2: // bootId
            bootId = this.slice();
            break;
          case 3: // seq
            seq = this.number();
            if (!isInt(seq, 0)) unsupported();
            break;
          case 4: // cluster
            cluster = this.slice();
            break;
          case 5: // node
            node = this.slice();
            break;
          case 6: // collectedAtMs
            collectedAtMs = this.number();
            if (!isEpochMs(collectedAtMs)) unsupported();
            break;
          case 7: // source
            this.string();
            source = SOURCES.find((s) => s.length === this.b - this.a && this.startsWith(s)) ?? unsupported();
            break;
          case 8: // samples
            if (this.open(LBRACKET, RBRACKET))
              do this.sample();
              while (this.more(RBRACKET));
            break;
          default: // processes
            if (this.open(LBRACKET, RBRACKET))
              do this.process();
              while (this.more(RBRACKET));
        }
      } while (this.more(RBRACE));
    }
    if (seen !== (1 << BATCH_KEYS.names.length) - 1) unsupported();
    this.end();
    return this.pack(agentId, bootId, seq, cluster, node, collectedAtMs, source);
  }

  /** A non-empty string, made (or reused: these identifiers repeat from batch to batch). */
  slice(): string {
    this.nonEmptyString();
    return this.interned();
  }

  /** Stores the last string's span at `spans[k]`. */
  span(spans: Int32Array, k: number): void {
    spans[k] = this.a;
    spans[k + 1] = this.b;
  }

  /** A string or null into `spans[k]` (null: the empty span); false for null. */
  nullableSpan(spans: Int32Array, k: number, nonEmpty: boolean): boolean {
    if (this.isNull()) {
      spans[k] = spans[k + 1] = 0;
      return false;
    }
    if (nonEmpty) this.nonEmptyString();
    else this.string();
    this.span(spans, k);
    return true;
  }

  percentOrNull(): number {
    const v = this.nullableNumber();
    return Number.isNaN(v) || (v >= 0 && v <= PERCENT_MAX) ? v : unsupported();
  }

  intOrNull(): number {
    const v = this.nullableNumber();
    return Number.isNaN(v) || isInt(v, 0) ? v : unsupported();
  }

  uint32OrNull(): number {
    const v = this.nullableNumber();
    return Number.isNaN(v) || isUint32(v) ? v : unsupported();
  }

  nonNegativeOrNull(): number {
    const v = this.nullableNumber();
    return Number.isNaN(v) || (v >= 0 && v < Infinity) ? v : unsupported();
  }

  sample(): void {
    const n = this.samples++;
    const nums = (this.sampleNumbers = grownNumbers(this.sampleNumbers, this.samples * SAMPLE_NUMBERS));
    const spans = (this.sampleSpans = grownSpans(this.sampleSpans, this.samples * SAMPLE_SPAN_INTS));
    const at = n * SAMPLE_NUMBERS;
    const k = n * SAMPLE_SPAN_INTS;
    nums[at + SampleNumber.migGpuInstanceId] = nums[at + SampleNumber.migComputeInstanceId] = Number.NaN;
    nums.fill(Number.NaN, at + SAMPLE_COUNTER_BASE, at + SAMPLE_NUMBERS);
    spans[k + SampleSpan.migProfile] = spans[k + SampleSpan.migProfile + 1] = 0;
    let seen = 0;
    let seenCounters = 0;
    let key = -1;
    let hasParent = false;
    let hasMig = false;
    if (this.open(LBRACE, RBRACE)) {
      do {
        key = SAMPLE_KEYS.read(this, key);
        if (key >= FIRST_COUNTER_KEY) {
          const c = key - FIRST_COUNTER_KEY;
          if (seenCounters & (1 << c)) unsupported();
          seenCounters |= 1 << c;
          const v = this.nullableNumber();
          nums[at + SAMPLE_COUNTER_BASE + c] =
            Number.isNaN(v) || counterValueOk(COUNTER_RULES[c]!, v) ? v : unsupported();
          continue;
        }
        if (seen & (1 << key)) unsupported();
        seen |= 1 << key;
        switch (key) {
          case 0: // index
            nums[at + SampleNumber.index] = this.number();
            if (!isUint32(nums[at + SampleNumber.index]!)) unsupported();
            break;
          case 1: // pciBusId: checked, not stored
            if (!this.isNull()) this.nonEmptyString();
            break;
          case 2: // model
            this.nonEmptyString();
            this.span(spans, k + SampleSpan.model);
            break;
          case 3: // driverVersion
            this.nullableSpan(spans, k + SampleSpan.driverVersion, true);
            break;
          case 4: // observedAtMs
            nums[at + SampleNumber.observedAtMs] = this.number();
            if (!isEpochMs(nums[at + SampleNumber.observedAtMs]!)) unsupported();
            break;
          case 5: // powerWatts
            nums[at + SampleNumber.powerWatts] = this.nonNegativeOrNull();
            break;
          case 6: // powerLimitWatts
            nums[at + SampleNumber.powerLimitWatts] = this.nonNegativeOrNull();
            break;
          case 7: {
            // temperatureC
            const v = this.nullableNumber();
            nums[at + SampleNumber.temperatureC] = Number.isNaN(v) || Number.isFinite(v) ? v : unsupported();
            break;
          }
          case 8: // smClockMhz
            nums[at + SampleNumber.smClockMhz] = this.nonNegativeOrNull();
            break;
          case 9: // memClockMhz
            nums[at + SampleNumber.memClockMhz] = this.nonNegativeOrNull();
            break;
          case 10: // throttleReasons
            spans[k + SampleSpan.throttleFirst] = 2 * this.throttles;
            spans[k + SampleSpan.throttleCount] = this.throttleReasons();
            break;
          case 11: // kind
            this.string();
            if (this.b - this.a !== 3) unsupported();
            nums[at + SampleNumber.kind] = this.startsWith('gpu')
              ? SampleKindCode.gpu
              : this.startsWith('mig')
                ? SampleKindCode.mig
                : unsupported();
            break;
          case 12: // gpuUuid
            nums[at + SampleNumber.gpuUuidHash] = this.hashedString(FNV_OFFSET, gpuUuidHashStep);
            this.span(spans, k + SampleSpan.gpuUuid);
            break;
          case 13: // parentGpuUuid
            hasParent = this.nullableSpan(spans, k + SampleSpan.parentGpuUuid, false);
            break;
          case 14: // utilizationPct
            nums[at + SampleNumber.utilizationPct] = this.percentOrNull();
            break;
          case 15: // memoryUsedBytes
            nums[at + SampleNumber.memoryUsedBytes] = this.intOrNull();
            break;
          case 16: // memoryTotalBytes
            nums[at + SampleNumber.memoryTotalBytes] = this.intOrNull();
            break;
          case 17: // eccCorrectedTotal
            nums[at + SampleNumber.eccCorrectedTotal] = this.intOrNull();
            break;
          case 18: // eccUncorrectedTotal
            nums[at + SampleNumber.eccUncorrectedTotal] = this.intOrNull();
            break;
          case 19: // mig
            hasMig = !this.isNull();
            if (hasMig) this.mig(at, k);
            break;
          case 20: // xidErrors
            if (this.open(LBRACKET, RBRACKET)) {
              let ordinal = 0;
              do {
                const xid = this.number();
                if (!isUint32(xid)) unsupported();
                this.xids.push({ sample: n, ordinal: ordinal++, xid });
              } while (this.more(RBRACKET));
            }
            break;
        }
      } while (this.more(RBRACE));
    }
    if ((seen & SAMPLE_REQUIRED) !== SAMPLE_REQUIRED) unsupported();
    const uuid = spans[k + SampleSpan.gpuUuid]!;
    const gpuUuid = this.startsWithAt(GPU_UUID_PREFIX, uuid);
    if (nums[at + SampleNumber.kind] === SampleKindCode.gpu) {
      if (!gpuUuid || hasParent || hasMig) unsupported();
    } else if (
      !(gpuUuid || this.startsWithAt(MIG_UUID_PREFIX, uuid)) ||
      !hasParent ||
      !this.startsWithAt(GPU_UUID_PREFIX, spans[k + SampleSpan.parentGpuUuid]!) ||
      !hasMig
    ) {
      unsupported();
    }
  }

  /** The throttle reasons (non-empty strings) into the throttle spans; their count. */
  throttleReasons(): number {
    let count = 0;
    if (this.open(LBRACKET, RBRACKET)) {
      do {
        this.nonEmptyString();
        this.throttleSpans = grownSpans(this.throttleSpans, 2 * (this.throttles + 1));
        this.span(this.throttleSpans, 2 * this.throttles++);
        count++;
      } while (this.more(RBRACKET));
    }
    return count;
  }

  mig(at: number, k: number): void {
    let seen = 0;
    let key = -1;
    if (this.open(LBRACE, RBRACE)) {
      do {
        key = MIG_KEYS.read(this, key);
        if (seen & (1 << key)) unsupported();
        seen |= 1 << key;
        if (key === 0) {
          const v = this.number();
          this.sampleNumbers[at + SampleNumber.migGpuInstanceId] = isUint32(v) ? v : unsupported();
        } else if (key === 1) {
          this.sampleNumbers[at + SampleNumber.migComputeInstanceId] = this.uint32OrNull();
        } else if (
          this.nullableSpan(this.sampleSpans, k + SampleSpan.migProfile, false) &&
          !MIG_PROFILE_PATTERN.test(this.text())
        ) {
          unsupported();
        }
      } while (this.more(RBRACE));
    }
    if (seen !== 7) unsupported();
  }

  process(): void {
    const j = this.processes++;
    const nums = (this.processNumbers = grownNumbers(this.processNumbers, this.processes * PROCESS_NUMBERS));
    const spans = (this.processSpans = grownSpans(this.processSpans, this.processes * PROCESS_SPAN_INTS));
    const at = j * PROCESS_NUMBERS;
    const k = j * PROCESS_SPAN_INTS;
    nums[at + ProcessNumber.migGpuInstanceId] = nums[at + ProcessNumber.migComputeInstanceId] = Number.NaN;
    let seen = 0;
    let key = -1;
    if (this.open(LBRACE, RBRACE)) {
      do {
        key = PROCESS_KEYS.read(this, key);
        if (seen & (1 << key)) unsupported();
        seen |= 1 << key;
        switch (key) {
          case 0: // gpuUuid
            nums[at + ProcessNumber.gpuUuidHash] = this.hashedString(FNV_OFFSET, gpuUuidHashStep);
            if (!(this.startsWith(GPU_UUID_PREFIX) || this.startsWith(MIG_UUID_PREFIX))) unsupported();
            this.span(spans, k + ProcessSpan.gpuUuid);
            break;
          case 1: // pid
            nums[at + ProcessNumber.pid] = this.number();
            if (!isUint32(nums[at + ProcessNumber.pid]!, 1)) unsupported();
            break;
          case 2: // processName
            this.string();
            this.span(spans, k + ProcessSpan.processName);
            break;
          case 3: // usedMemoryBytes
            nums[at + ProcessNumber.usedMemoryBytes] = this.intOrNull();
            break;
          case 4: // podUid
            this.nullableSpan(spans, k + ProcessSpan.podUid, true);
            break;
          case 5: // containerId
            this.nullableSpan(spans, k + ProcessSpan.containerId, true);
            break;
          case 6: // gpuInstanceId
            nums[at + ProcessNumber.migGpuInstanceId] = this.uint32OrNull();
            break;
          default: // computeInstanceId
            nums[at + ProcessNumber.migComputeInstanceId] = this.uint32OrNull();
        }
      } while (this.more(RBRACE));
    }
    if ((seen & PROCESS_REQUIRED) !== PROCESS_REQUIRED) unsupported();
  }

  /** The batch from the scratch arrays, in PackedGpuBatch's layout. */
  pack(
    agentId: string,
    bootId: string,
    seq: number,
    cluster: string,
    node: string,
    collectedAtMs: number,
    source: GpuSampleSource,
  ): PackedGpuBatch {
    const { samples: n, processes: m } = this;
    const numberCount = n * SAMPLE_NUMBERS + m * PROCESS_NUMBERS;
    const throttleBase = n * SAMPLE_SPAN_INTS + m * PROCESS_SPAN_INTS;
    const spanCount = throttleBase + 2 * this.throttles;
    const numbers = this.slab.numbers(numberCount);
    numbers.set(this.sampleNumbers.subarray(0, n * SAMPLE_NUMBERS));
    numbers.set(this.processNumbers.subarray(0, m * PROCESS_NUMBERS), n * SAMPLE_NUMBERS);
    const spans = this.slab.spans(spanCount);
    spans.set(this.sampleSpans.subarray(0, n * SAMPLE_SPAN_INTS));
    spans.set(this.processSpans.subarray(0, m * PROCESS_SPAN_INTS), n * SAMPLE_SPAN_INTS);
    spans.set(this.throttleSpans.subarray(0, 2 * this.throttles), throttleBase);
    for (let k = SampleSpan.throttleFirst; k < n * SAMPLE_SPAN_INTS; k += SAMPLE_SPAN_INTS)
      spans[k] = spans[k]! + throttleBase;
    const xids = this.xids.length === 0 ? NO_XIDS : this.xids;
    if (xids !== NO_XIDS) this.xids = [];
    return new PackedGpuBatch(
      this.u,
      agentId,
      bootId,
      seq,
      cluster,
      node,
      collectedAtMs,
      source,
      n,
      m,
      numbers,
      spans,
      xids,
    );
  }
}

const NO_XIDS: readonly PackedXid[] = Object.freeze([]);
const scanner = new GpuBatchScanner();
const NOTHING = new Uint8Array(0);

/**
 * The packed batch of a JSON text's UTF-8 bytes when the scanner can vouch for it; null: decode the
 * text with JSON.parse + zod instead. The batch keeps `json` (its strings are spans of it).
 */
export function scanGpuSampleBatch(json: Uint8Array): PackedGpuBatch | null {
  scanner.reset(json);
  try {
    return scanner.batch();
  } catch (error) {
    if (error === UNSUPPORTED) return null;
    throw error;
  } finally {
    scanner.reset(NOTHING);
  }
}
