import { parseDcgmCountersCsv } from '../dcgm/parse-dcgm-counters.ts';
import { parseDcgmMetrics } from '../dcgm/parse-dcgm.ts';
import { modelServerTotals } from '../inference/model-server-deltas.ts';
import { parseModelServerMetrics } from '../inference/model-server-metrics.ts';
import { parseCgroup } from '../kubernetes/parse-cgroup.ts';
import { parseNvidiaSmiAppsCsv, parseNvidiaSmiGpuCsv } from '../nvidia-smi/parse-csv.ts';
import { parseNvidiaSmiXml } from '../nvidia-smi/parse-xml.ts';
import { parseXidLines } from '../xid/parse-xid.ts';
import { CaptureFormat, detectCaptureFormat } from './detect-format.ts';

/** What a record printed by `gpu-ledger inspect` is. */
export const InspectRecordType = {
  gpuSample: 'gpu-sample',
  gpuProcess: 'gpu-process',
  dcgmPodBinding: 'dcgm-pod-binding',
  dcgmCounter: 'dcgm-counter',
  modelServerTotals: 'model-server-totals',
  xidEvent: 'xid-event',
  cgroupIdentity: 'cgroup-identity',
} as const;
export type InspectRecordType = (typeof InspectRecordType)[keyof typeof InspectRecordType];

export interface InspectRecord {
  readonly type: InspectRecordType;
  readonly value: unknown;
}

export interface InspectResult {
  readonly format: CaptureFormat;
  readonly records: InspectRecord[];
  /** Partial failures (a bad GPU, line or row); the records beside them are good. */
  readonly errors: readonly string[];
}

const of = (type: InspectRecordType, values: readonly unknown[]): InspectRecord[] =>
  values.map((value) => ({ type, value }));

function parseAs(format: CaptureFormat, text: string, nowMs: number): Omit<InspectResult, 'format'> {
  switch (format) {
    case CaptureFormat.nvidiaSmiXml: {
      const r = parseNvidiaSmiXml(text, nowMs);
      return { records: [...of('gpu-sample', r.samples), ...of('gpu-process', r.processes)], errors: r.errors };
    }
    case CaptureFormat.nvidiaSmiGpuCsv: {
      const r = parseNvidiaSmiGpuCsv(text, nowMs);
      return { records: of('gpu-sample', r.samples), errors: r.errors };
    }
    case CaptureFormat.nvidiaSmiAppsCsv: {
      const r = parseNvidiaSmiAppsCsv(text);
      return { records: of('gpu-process', r.processes), errors: r.errors };
    }
    case CaptureFormat.dcgm: {
      const r = parseDcgmMetrics(text, nowMs);
      return { records: [...of('gpu-sample', r.samples), ...of('dcgm-pod-binding', r.podBindings)], errors: r.errors };
    }
    case CaptureFormat.dcgmCounters: {
      const r = parseDcgmCountersCsv(text);
      return { records: of('dcgm-counter', r.counters), errors: r.errors };
    }
    case CaptureFormat.vllm:
    case CaptureFormat.triton:
    case CaptureFormat.tgi: {
      // One capture has no previous scrape, so no deltas: print the cumulative totals per model.
      const scrape = parseModelServerMetrics(format, text);
      return { records: of('model-server-totals', modelServerTotals(scrape)), errors: scrape.errors };
    }
    case CaptureFormat.xid: {
      const r = parseXidLines(text, nowMs);
      return { records: of('xid-event', r.events), errors: r.errors };
    }
    case CaptureFormat.cgroup: {
      const identity = parseCgroup(text);
      return { records: identity ? of('cgroup-identity', [identity]) : [], errors: [] };
    }
  }
}

/**
 * Detects (unless `format` is given) and parses one captured output into normalised records.
 * Pure apart from the clock value passed in. Throws with the reason when the format cannot be
 * detected or the whole text is unreadable as the format (e.g. XML that is not nvidia-smi's).
 */
export function inspectCapture(
  text: string,
  options: { readonly format?: CaptureFormat; readonly nowMs: number },
): InspectResult {
  let format = options.format;
  if (format === undefined) {
    const detected = detectCaptureFormat(text);
    if ('error' in detected) throw new Error(`${detected.error}; name one with --format`);
    format = detected.format;
  }
  return { format, ...parseAs(format, text, options.nowMs) };
}
