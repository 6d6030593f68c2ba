import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GpuProcessSchema, GpuSampleSchema } from '../../contracts/index.ts';
import { fixturePath, readFixture } from '../../test/helpers/fixtures.ts';
import {
  NVIDIA_SMI_CSV_APP_FIELDS,
  NVIDIA_SMI_CSV_GPU_FIELDS,
  parseNvidiaSmiAppsCsv,
  parseNvidiaSmiGpuCsv,
} from './parse-csv.ts';

const T = Date.UTC(2026, 6, 14, 9, 0, 44);
const MiB = 1024 ** 2;
const csv = (name: string) => readFixture('nvidia-smi-csv', name);
const gpus = (name: string) => parseNvidiaSmiGpuCsv(csv(`nvgpuexp__linux-x86_64__${name}__query-gpu.csv`), T);
const apps = (name: string) => parseNvidiaSmiAppsCsv(csv(`nvgpuexp__linux-x86_64__${name}__query-compute-apps.csv`));

describe('parseNvidiaSmiGpuCsv on real captures (~210 columns, values with units)', () => {
  it('H100 under load: utilization, memory in bytes, power, clocks, ECC', () => {
    const { samples, errors } = gpus('nvidia-h100-80gb-hbm3__590.48.01__load');
    expect(errors).toEqual([]);
    expect(samples).toHaveLength(1);
    expect(samples[0]).toMatchObject({
      kind: 'gpu',
      gpuUuid: 'GPU-00000000-0000-0000-0000-000000000000',
      pciBusId: '00000000:00:09.0',
      model: 'NVIDIA H100 80GB HBM3',
      driverVersion: '590.48.01',
      index: 0,
      observedAtMs: T,
      utilizationPct: 100,
      memoryUsedBytes: 19818 * MiB,
      memoryTotalBytes: 81559 * MiB,
      powerWatts: 631.95,
      powerLimitWatts: 700,
      temperatureC: 59,
      smClockMhz: 1980,
      memClockMhz: 2619,
      eccCorrectedTotal: 0,
      eccUncorrectedTotal: 0,
      throttleReasons: [],
    });
  });

  it('H100 under load: the optional counters its query printed (remapped rows, memory copy, HBM temperature)', () => {
    const [h100] = gpus('nvidia-h100-80gb-hbm3__590.48.01__load').samples;
    expect(h100).toMatchObject({
      memCopyUtilPct: 11,
      encoderUtilPct: 0,
      decoderUtilPct: 0,
      memoryTemperatureC: 54,
      memoryFreeBytes: 61263 * MiB,
      remappedRowsCorrectable: 0,
      remappedRowsUncorrectable: 0,
      rowRemapPending: 0,
      rowRemapFailure: 0,
      retiredPagesSingleBit: null, // [N/A] on an H100 (it remaps rows instead)
      retiredPagesDoubleBit: null,
      retiredPagesPending: null,
    });
  });

  it('MIG-enabled H100: whole-GPU utilization is [N/A] → null, memory still read', () => {
    const [gpu] = gpus('nvidia-h100-mig__590.48.01__load').samples;
    expect(gpu).toMatchObject({ utilizationPct: null, memoryUsedBytes: 11125 * MiB, powerWatts: 433.78, mig: null });
  });

  it('decodes the clock event bitmask (0x4 = sw_power_cap, 0x1 = gpu_idle)', () => {
    expect(gpus('nvidia-geforce-rtx-2080-super__595.71.05__idle').samples[0]?.throttleReasons).toEqual([
      'sw_power_cap',
    ]);
    expect(gpus('nvidia-h200__590.48.01__idle').samples[0]?.throttleReasons).toEqual(['gpu_idle']);
  });

  it('consumer card: ECC [N/A] → null; H200 memory total 143771 MiB', () => {
    expect(gpus('nvidia-geforce-rtx-4080-super__595.71.05__load').samples[0]).toMatchObject({
      eccCorrectedTotal: null,
      utilizationPct: 7,
      memoryUsedBytes: 1474 * MiB,
    });
    expect(gpus('nvidia-h200__590.48.01__load').samples[0]).toMatchObject({
      memoryTotalBytes: 143771 * MiB,
      memoryUsedBytes: 32362 * MiB,
    });
  });

  it('nounits output (netdata P100): bare numbers take the header unit, [N/A] fan ignored', () => {
    const { samples, errors } = parseNvidiaSmiGpuCsv(csv('netdata__tesla-p100__510.47.03__query-gpu.csv'), T);
    expect(errors).toEqual([]);
    expect(samples[0]).toMatchObject({
      gpuUuid: 'GPU-ef1b2c9b-38d8-2090-2bd1-f567a3eb42a6',
      model: 'Tesla P100-PCIE-16GB',
      memoryUsedBytes: 0,
      powerWatts: 28.16,
      temperatureC: 37,
      smClockMhz: 405,
      memClockMhz: 715,
    });
  });

  it('a query without uuid (GTX 650, [Not Supported]) is an error entry, not a GPU', () => {
    expect(parseNvidiaSmiGpuCsv(csv('issue-tuxclocker-15__gtx-650__410.78__query-gpu-utilization.gpu.csv'), T)).toEqual(
      {
        samples: [],
        errors: ['gpu row #0: missing or malformed uuid (no uuid column)'],
      },
    );
  });

  it('one bad row is an error; the other GPU is kept (parse by header names, any column order)', () => {
    const text = [
      'utilization.gpu [%], uuid, memory.used [MiB], clocks_event_reasons.active',
      '12 %, GPU-aaaaaaaa-0000-0000-0000-000000000001, 100 MiB, 0x0000000000000044',
      '[N/A], [N/A], 5 MiB, 0x0',
      '1 %, GPU-aaaaaaaa-0000-0000-0000-000000000003',
    ].join('\n');
    const { samples, errors } = parseNvidiaSmiGpuCsv(text, T);
    expect(samples.map((s) => [s.gpuUuid, s.utilizationPct, s.memoryUsedBytes, s.throttleReasons])).toEqual([
      ['GPU-aaaaaaaa-0000-0000-0000-000000000001', 12, 100 * MiB, ['sw_power_cap', 'hw_thermal_slowdown']],
    ]);
    expect(errors).toEqual(['line 4: 2 values for 4 columns', 'gpu row #1: missing or malformed uuid ([N/A])']);
  });

  it('rejects text that has no header line', () => {
    expect(() => parseNvidiaSmiGpuCsv('Tesla P100, GPU-1, 0 %', T)).toThrow(/first line is not a header/);
  });

  it('the fixed query names what the parser reads', () => {
    expect(NVIDIA_SMI_CSV_GPU_FIELDS).toContain('uuid');
    expect(NVIDIA_SMI_CSV_APP_FIELDS.at(-1)).toBe('process_name');
  });
});

describe('parseNvidiaSmiAppsCsv on real captures', () => {
  it('H100 under load: three processes with pids and memory in bytes', () => {
    const { processes, errors } = apps('nvidia-h100-80gb-hbm3__590.48.01__load');
    expect(errors).toEqual([]);
    expect(processes.map((p) => [p.pid, p.processName, p.usedMemoryBytes])).toEqual([
      [11327, '/root/tools/memhog', 2566 * MiB],
      [11328, '/root/tools/memhog', 1542 * MiB],
      [11345, './gpu_burn', 15690 * MiB],
    ]);
    expect(processes.every((p) => p.gpuUuid === 'GPU-00000000-0000-0000-0000-000000000000' && p.podUid === null)).toBe(
      true,
    );
  });

  it('Windows: used_gpu_memory [N/A] → null, backslash paths kept', () => {
    const { processes } = parseNvidiaSmiAppsCsv(
      csv('nvgpuexp__windows-x86_64__nvidia-geforce-rtx-2080-super__591.86__idle__query-compute-apps.csv'),
    );
    expect(processes[2]).toMatchObject({
      pid: 2056,
      processName: 'C:\\Windows\\System32\\dwm.exe',
      usedMemoryBytes: null,
    });
  });

  it('header only (idle) → no processes, no errors', () => {
    expect(apps('nvidia-h200__590.48.01__idle')).toEqual({ processes: [], errors: [] });
  });

  it('a process name containing ", " stays whole; a row with a bad pid is an error', () => {
    const text =
      'pid, used_gpu_memory [MiB], gpu_uuid, process_name\n42, 10 MiB, GPU-1, C:\\Apps\\Foo, Inc\\foo.exe\n[N/A], 1 MiB, GPU-1, x\n';
    const { processes, errors } = parseNvidiaSmiAppsCsv(text);
    expect(processes).toEqual([
      {
        gpuUuid: 'GPU-1',
        pid: 42,
        processName: 'C:\\Apps\\Foo, Inc\\foo.exe',
        usedMemoryBytes: 10 * MiB,
        podUid: null,
        containerId: null,
      },
    ]);
    expect(errors).toEqual(['process row #1: pid is not a positive number ([N/A])']);
  });
});

it('every CSV capture with a uuid yields records the contract accepts', () => {
  for (const name of readdirSync(fixturePath('nvidia-smi-csv'))) {
    const text = csv(name);
    if (name.includes('compute-apps')) {
      for (const p of parseNvidiaSmiAppsCsv(text).processes)
        expect(GpuProcessSchema.safeParse(p).success, name).toBe(true);
    } else if (text.includes('uuid')) {
      const { samples, errors } = parseNvidiaSmiGpuCsv(text, T);
      expect([samples.length, errors], name).toEqual([1, []]);
      expect(GpuSampleSchema.safeParse(samples[0]).success, name).toBe(true);
    }
  }
});
