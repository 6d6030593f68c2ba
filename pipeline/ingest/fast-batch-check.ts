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
  type CounterRule,
  type GpuSampleBatch,
} from '../../contracts/index.ts';

/**
 * The ingest hot path's check of a JSON-parsed GpuSampleBatch: the rules of GpuSampleBatchSchema
 * (contracts/gpu-sample-batch.ts) written out by hand, checked in place without copying or freezing
 * (zod's parse of a batch costs about twice JSON.parse; here it is a fraction of it).
 *
 * It only ever answers "valid as is" or "ask zod": null for anything invalid, unusual (an unknown
 * field zod would strip) or not covered, and the caller then decodes with the zod schema, which
 * stays the authority and gives the reason. fast-batch-check.test.ts checks with generated inputs
 * that whatever this accepts, zod accepts with the same value.
 */

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
const int = (v: unknown, min: number): boolean => Number.isSafeInteger(v) && (v as number) >= min;
const intOrNull = (v: unknown): boolean => v === null || int(v, 0);
const uint32 = (v: unknown, min = 0): boolean => int(v, min) && (v as number) <= UINT32_MAX;
const uint32OrNull = (v: unknown): boolean => v === null || uint32(v);
const numberIn = (v: unknown, min: number, max: number): boolean =>
  typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
const nonNegativeOrNull = (v: unknown): boolean => v === null || numberIn(v, 0, Infinity);
const percentOrNull = (v: unknown): boolean => v === null || numberIn(v, 0, PERCENT_MAX);
const epochMs = (v: unknown): boolean =>
  Number.isSafeInteger(v) && (v as number) >= EPOCH_MS_MIN && (v as number) <= EPOCH_MS_MAX;
const deviceUuid = (v: unknown): boolean =>
  typeof v === 'string' && (v.startsWith(MIG_UUID_PREFIX) || v.startsWith(GPU_UUID_PREFIX));
const gpuUuid = (v: unknown): boolean => typeof v === 'string' && v.startsWith(GPU_UUID_PREFIX);
const SOURCES: ReadonlySet<unknown> = new Set(Object.values(GpuSampleSource));

function stringsNonEmpty(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const s of v) if (!nonEmpty(s)) return false;
  return true;
}

function uint32s(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const n of v) if (!uint32(n)) return false;
  return true;
}

function mig(v: unknown): boolean {
  if (!isObject(v)) return false;
  let keys = 0;
  for (const k in v) {
    keys += 1;
    if (k !== 'gpuInstanceId' && k !== 'computeInstanceId' && k !== 'profile') return false;
  }
  return (
    keys === 3 &&
    uint32(v['gpuInstanceId']) &&
    uint32OrNull(v['computeInstanceId']) &&
    (v['profile'] === null || (typeof v['profile'] === 'string' && MIG_PROFILE_PATTERN.test(v['profile'])))
  );
}

/** Every key of a sample, and whether its value is right (kind-specific keys checked by the caller). */
function sampleField(key: string, value: unknown): boolean {
  switch (key) {
    case 'kind':
    case 'gpuUuid':
    case 'parentGpuUuid':
    case 'mig':
      return true;
    case 'index':
      return uint32(value);
    case 'model':
      return nonEmpty(value);
    case 'driverVersion':
      return value === null || nonEmpty(value);
    case 'observedAtMs':
      return epochMs(value);
    case 'utilizationPct':
      return percentOrNull(value);
    case 'memoryUsedBytes':
    case 'memoryTotalBytes':
    case 'eccCorrectedTotal':
    case 'eccUncorrectedTotal':
      return intOrNull(value);
    case 'powerWatts':
    case 'powerLimitWatts':
    case 'smClockMhz':
    case 'memClockMhz':
      return nonNegativeOrNull(value);
    case 'temperatureC':
      return value === null || numberIn(value, -Infinity, Infinity);
    case 'throttleReasons':
      return stringsNonEmpty(value);
    case 'xidErrors':
      return uint32s(value);
    case 'pciBusId':
      return value === null || nonEmpty(value);
    default: {
      const counter = COUNTERS.get(key);
      return counter !== undefined && (value === null || (typeof value === 'number' && counterValueOk(counter, value)));
    }
  }
}

const COUNTERS: ReadonlyMap<string, CounterRule> = new Map(
  SAMPLE_COUNTER_KEYS.map((k) => [k, SAMPLE_COUNTERS[k].rule]),
);

const REQUIRED_SAMPLE_KEYS = 19; // kind, gpuUuid, parentGpuUuid, mig and the 15 non-optional readings

function sample(v: unknown): boolean {
  if (!isObject(v)) return false;
  let required = 0;
  for (const k in v) {
    if (!sampleField(k, v[k])) return false;
    if (k !== 'xidErrors' && k !== 'pciBusId' && !COUNTERS.has(k)) required += 1;
  }
  if (required !== REQUIRED_SAMPLE_KEYS) return false;
  if (v['kind'] === 'gpu') return gpuUuid(v['gpuUuid']) && v['parentGpuUuid'] === null && v['mig'] === null;
  return v['kind'] === 'mig' && deviceUuid(v['gpuUuid']) && gpuUuid(v['parentGpuUuid']) && mig(v['mig']);
}

function processEntry(v: unknown): boolean {
  if (!isObject(v)) return false;
  let required = 0;
  for (const k in v) {
    const value = v[k];
    switch (k) {
      case 'gpuInstanceId':
      case 'computeInstanceId':
        if (!uint32OrNull(value)) return false;
        continue;
      case 'gpuUuid':
        if (!deviceUuid(value)) return false;
        break;
      case 'pid':
        if (!uint32(value, 1)) return false;
        break;
      case 'processName':
        if (typeof value !== 'string') return false;
        break;
      case 'usedMemoryBytes':
        if (!intOrNull(value)) return false;
        break;
      case 'podUid':
      case 'containerId':
        if (!(value === null || nonEmpty(value))) return false;
        break;
      default:
        return false;
    }
    required += 1;
  }
  return required === 6;
}

/** `value` itself, typed, when it is a valid GpuSampleBatch with no field zod would strip; else null. */
export function checkGpuSampleBatch(value: unknown): GpuSampleBatch | null {
  if (!isObject(value)) return null;
  let keys = 0;
  for (const k in value) {
    keys += 1;
    const v = value[k];
    let ok: boolean;
    switch (k) {
      case 'schemaVersion':
        ok = v === 1;
        break;
      case 'agentId':
      case 'bootId':
      case 'cluster':
      case 'node':
        ok = nonEmpty(v);
        break;
      case 'seq':
        ok = int(v, 0);
        break;
      case 'collectedAtMs':
        ok = epochMs(v);
        break;
      case 'source':
        ok = SOURCES.has(v);
        break;
      case 'samples':
        ok = Array.isArray(v) && v.every(sample);
        break;
      case 'processes':
        ok = Array.isArray(v) && v.every(processEntry);
        break;
      default:
        ok = false;
    }
    if (!ok) return null;
  }
  return keys === 10 ? (value as unknown as GpuSampleBatch) : null;
}
