import { DCGM_METRICS } from './dcgm-fields.ts';

/** One line of a dcgm-exporter counters file (`etc/default-counters.csv` and its variants). */
export interface DcgmCounterConfig {
  /** DCGM field (`DCGM_FI_DEV_GPU_UTIL`) or 1.x metric name (`dcgm_gpu_utilization`). */
  readonly field: string;
  readonly type: 'gauge' | 'counter' | 'label' | 'histogram' | 'summary';
  readonly help: string;
  /** False when the line is commented out (`# DCGM_FI_…, …`): the exporter will not emit it. */
  readonly enabled: boolean;
  /** Whether parseDcgmMetrics turns this field into a GpuSample value. */
  readonly readByGpuLedger: boolean;
}

const TYPES = new Set(['gauge', 'counter', 'label', 'histogram', 'summary']);

/**
 * Parses an exporter counters file: `FIELD, type, help` per line; `#` lines are comments or
 * disabled fields. Lets an operator check that the fields GPU Ledger needs (e.g.
 * DCGM_FI_PROF_GR_ENGINE_ACTIVE for MIG) are enabled. A malformed active line is an error entry.
 */
export function parseDcgmCountersCsv(text: string): { counters: DcgmCounterConfig[]; errors: string[] } {
  const counters: DcgmCounterConfig[] = [];
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const enabled = !line.startsWith('#');
    const body = enabled ? line : line.replace(/^#+/, '').trim();
    const first = body.indexOf(',');
    const second = first < 0 ? -1 : body.indexOf(',', first + 1);
    const field = body.slice(0, first).trim();
    const type = body
      .slice(first + 1, second)
      .trim()
      .toLowerCase();
    if (second > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(field) && TYPES.has(type)) {
      counters.push({
        field,
        type: type as DcgmCounterConfig['type'],
        help: body.slice(second + 1).trim(),
        enabled,
        readByGpuLedger: DCGM_METRICS.has(field),
      });
    } else if (enabled) {
      errors.push(`line ${i + 1}: expected "FIELD, type, help", got "${line.slice(0, 80)}"`);
    }
  });
  return { counters, errors };
}
