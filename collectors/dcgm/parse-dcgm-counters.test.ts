import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/helpers/fixtures.ts';
import { parseDcgmCountersCsv } from './parse-dcgm-counters.ts';

describe('parseDcgmCountersCsv on the exporter counters files', () => {
  it('default-counters.csv: enabled and disabled fields; which ones GPU Ledger reads', () => {
    const { counters, errors } = parseDcgmCountersCsv(readFixture('dcgm', 'dcgm-exporter-etc-default-counters.csv'));
    expect(errors).toEqual([]);
    const byField = new Map(counters.map((c) => [c.field, c]));
    expect(byField.get('DCGM_FI_DEV_GPU_UTIL')).toEqual({
      field: 'DCGM_FI_DEV_GPU_UTIL',
      type: 'gauge',
      help: 'GPU utilization (in %).',
      enabled: true,
      readByGpuLedger: true,
    });
    expect(byField.get('DCGM_FI_DEV_DEC_UTIL')).toMatchObject({ enabled: true, readByGpuLedger: true }); // "DCGM_FI_DEV_DEC_UTIL ," in the file
    // Every metric of the exporter's default set is read (issue 13: telemetry coverage); labels are labels.
    expect(counters.filter((c) => c.enabled && c.type !== 'label' && !c.readByGpuLedger)).toEqual([]);
    expect(counters.filter((c) => c.enabled && c.type !== 'label')).toHaveLength(25);
    expect(byField.get('DCGM_FI_DEV_ECC_SBE_VOL_TOTAL')).toMatchObject({
      type: 'counter',
      enabled: false,
      readByGpuLedger: true,
    });
    expect(byField.get('DCGM_FI_DRIVER_VERSION')).toMatchObject({ type: 'label', enabled: true });
  });

  it('1.x compatibility names and the DCP variant', () => {
    const old = parseDcgmCountersCsv(readFixture('dcgm', 'dcgm-exporter-etc-1.x-compatibility-metrics.csv'));
    expect(old.counters.find((c) => c.field === 'dcgm_fb_used')).toMatchObject({
      enabled: true,
      readByGpuLedger: true,
    });
    const dcp = parseDcgmCountersCsv(readFixture('dcgm', 'dcgm-exporter-etc-dcp-metrics-included.csv'));
    expect(dcp.counters.filter((c) => c.field.startsWith('DCGM_FI_PROF_') && c.enabled).map((c) => c.field)).toEqual([
      'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
      'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE',
      'DCGM_FI_PROF_DRAM_ACTIVE',
      'DCGM_FI_PROF_PCIE_TX_BYTES',
      'DCGM_FI_PROF_PCIE_RX_BYTES',
    ]);
  });

  it('a malformed active line is an error entry; the rest is kept', () => {
    expect(parseDcgmCountersCsv('DCGM_FI_DEV_SM_CLOCK, gauge, SM clock\nnot a counter line\n# just a comment')).toEqual(
      {
        counters: [
          { field: 'DCGM_FI_DEV_SM_CLOCK', type: 'gauge', help: 'SM clock', enabled: true, readByGpuLedger: true },
        ],
        errors: ['line 2: expected "FIELD, type, help", got "not a counter line"'],
      },
    );
  });
});
