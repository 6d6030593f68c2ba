import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GpuSampleBatchSchema } from '../../contracts/index.ts';
import { fixturePath, readFixture } from '../../test/helpers/fixtures.ts';
import { parseNvidiaSmiXml } from './parse-xml.ts';

const T = Date.UTC(2026, 10, 25, 12, 0, 0);
const MiB = 1024 ** 2;
const parse = (name: string) => parseNvidiaSmiXml(readFixture('nvidia-smi-xml', name), T);

describe('parseNvidiaSmiXml on real captures', () => {
  it('A100 with MIG (DTD v12): the GPU plus its four GPU instances, attached_gpus larger than the elements', () => {
    const r = parse('telegraf__a100-sxm4-80gb-mig__535.54.03__attached4-1elem.xml');
    expect(r.attachedGpus).toBe(4);
    expect(r.driverVersion).toBe('535.54.03');
    expect(r.errors).toEqual([]);
    const [gpu, ...migs] = r.samples;
    expect(gpu).toMatchObject({
      kind: 'gpu',
      gpuUuid: 'GPU-513536b6-7d19-9063-b049-1e69664bb298',
      model: 'NVIDIA A100-SXM4-80GB',
      utilizationPct: null, // N/A while MIG is enabled
      memoryUsedBytes: 50 * MiB,
      memoryTotalBytes: 81920 * MiB,
      powerWatts: 67.03,
      powerLimitWatts: 500,
      temperatureC: 27,
      smClockMhz: 1275,
      memClockMhz: 1593,
      eccCorrectedTotal: 0,
      eccUncorrectedTotal: 0,
    });
    expect(migs.map((m) => m.mig?.gpuInstanceId)).toEqual([3, 4, 5, 6]);
    expect(migs.every((m) => m.parentGpuUuid === 'GPU-513536b6-7d19-9063-b049-1e69664bb298')).toBe(true);
    expect(migs[0]).toMatchObject({
      kind: 'mig',
      gpuUuid: 'MIG-GPU-513536b6-7d19-9063-b049-1e69664bb298/3/0',
      memoryUsedBytes: 12 * MiB,
      memoryTotalBytes: 19968 * MiB,
    });
  });

  it('GTX 1070 (DTD v9): two of six attached GPUs, utilization and processes', () => {
    const r = parse('openpai__gtx-1070__384.66__procs__attached6-2elems.xml');
    expect(r.attachedGpus).toBe(6);
    expect(r.samples.map((s) => [s.gpuUuid, s.utilizationPct, s.powerWatts, s.powerLimitWatts])).toEqual([
      ['GPU-e511a7b2-f9d5-ba47-9b98-853732ca6c1b', 100, 119.47, 180],
      ['GPU-28daffaf-8abe-aaf8-c298-4bd13aecb5e6', 98, 139.3, 180],
    ]);
    expect(r.processes).toHaveLength(4);
    expect(r.processes[0]).toMatchObject({
      pid: 1357,
      processName: '/usr/lib/xorg/Xorg',
      usedMemoryBytes: 99 * MiB,
      podUid: null,
    });
  });

  it("process_info's MIG instance: N/A on a GPU without MIG, the GPU and compute instance ids on one with it", () => {
    const wddm = parse('telegraf__rtx-3080-wddm__536.40__procs.xml');
    expect(wddm.processes.length).toBeGreaterThan(0);
    expect(wddm.processes.every((p) => p.gpuInstanceId === null && p.computeInstanceId === null)).toBe(true);
    // No capture in hand lists a process on a MIG instance (the A100 one prints <processes />): that
    // capture with the 3080's first process_info moved in, its N/A ids set to GI 3 (the capture's first
    // instance) and CI 0, as nvidia-smi prints them for a process on a MIG device.
    const processInfo = /<process_info>[\s\S]*?<\/process_info>/
      .exec(readFixture('nvidia-smi-xml', 'telegraf__rtx-3080-wddm__536.40__procs.xml'))![0]
      .replace('<gpu_instance_id>N/A<', '<gpu_instance_id>3<')
      .replace('<compute_instance_id>N/A<', '<compute_instance_id>0<');
    const xml = readFixture('nvidia-smi-xml', 'telegraf__a100-sxm4-80gb-mig__535.54.03__attached4-1elem.xml').replace(
      '<processes />',
      `<processes>${processInfo}</processes>`,
    );
    const { processes } = parseNvidiaSmiXml(xml, T);
    expect(processes).toEqual([
      {
        gpuUuid: 'GPU-513536b6-7d19-9063-b049-1e69664bb298',
        gpuInstanceId: 3,
        computeInstanceId: 0,
        pid: 835,
        processName: '/usr/lib/Xorg',
        usedMemoryBytes: 550 * MiB,
        podUid: null,
        containerId: null,
      },
    ]);
  });

  it('RTX A5000 (DTD v13): llama-server process memory on each GPU', () => {
    const r = parse('telegraf__2x-rtx-a5000__590.44.01__procs.xml');
    expect(r.processes.map((p) => [p.gpuUuid, p.pid, p.usedMemoryBytes])).toEqual([
      ['GPU-12345678-aaaa-bbbb-cccc-0123456789ab', 100477, 22430 * MiB],
      ['GPU-12345678-aaaa-bbbb-cccc-0123456789cd', 100477, 17246 * MiB],
    ]);
  });

  it('V100 with retired pages (DTD v10): aggregate ECC counters', () => {
    const [gpu] = parse('openpai__v100-sxm3-32gb__410.104__retired-pages-dbe__attached16-1elem.xml').samples;
    expect(gpu).toMatchObject({ eccCorrectedTotal: 291, eccUncorrectedTotal: 7627, utilizationPct: 0 });
  });

  it('RTX 3060 (v12, 570 driver): instant power draw when power_draw is gone', () => {
    expect(parse('telegraf__rtx-3060__570.124.04.xml').samples[0]).toMatchObject({
      powerWatts: 11.63,
      powerLimitWatts: 170,
    });
  });

  it('GT 730 with every reading N/A: nulls, never zeros', () => {
    const [gpu] = parse('openpai__gt-730__384.111__util-na-partial.xml').samples;
    expect(gpu).toMatchObject({ utilizationPct: null, memoryUsedBytes: null, powerWatts: null, temperatureC: null });
  });

  it('optional counters (issue 13 item 6): memory copy / encoder / decoder utilization, PCIe replays, HBM temperature', () => {
    const [rtx2080] = parse('netdata__rtx-2080-windows__516.59__procs.xml').samples;
    expect(rtx2080).toMatchObject({
      memCopyUtilPct: 7,
      encoderUtilPct: 0,
      decoderUtilPct: 0,
      pcieReplayTotal: 0,
      memoryTemperatureC: null, // N/A on GDDR6
    });
    const [a100, ...instances] = parse('telegraf__a100-sxm4-80gb-mig__535.54.03__attached4-1elem.xml').samples;
    // MIG mode: the device-wide utilizations are N/A; the HBM temperature is there; remapped_rows N/A here.
    expect(a100).toMatchObject({ memCopyUtilPct: null, memoryTemperatureC: 44, remappedRowsCorrectable: null });
    for (const mig of instances) expect(mig.memoryTemperatureC).toBeUndefined();
  });

  it('optional counters: remapped rows (A10G, DTD with <remapped_rows>), retired pages and a pending retirement (V100)', () => {
    const [a10g] = parse('telegraf__a10g__515.105.01__procs.xml').samples;
    expect(a10g).toMatchObject({
      remappedRowsCorrectable: 0,
      remappedRowsUncorrectable: 0,
      rowRemapPending: 0,
      rowRemapFailure: 0,
      memoryFreeBytes: 22_569 * 2 ** 20,
    });
    const [v100] = parse('openpai__v100-sxm3-32gb__410.104__retired-pages-dbe__attached16-1elem.xml').samples;
    expect(v100).toMatchObject({ retiredPagesSingleBit: 0, retiredPagesDoubleBit: 2, retiredPagesPending: 1 });
  });

  it('every XML fixture parses into samples that the contract accepts', () => {
    const dir = fixturePath('nvidia-smi-xml');
    for (const name of readdirSync(dir)) {
      const r = parse(name);
      expect(r.errors, name).toEqual([]);
      expect(r.samples.length, name).toBeGreaterThan(0);
      const batch = {
        schemaVersion: 1,
        agentId: 'a',
        bootId: 'b',
        seq: 0,
        cluster: 'c',
        node: 'n',
        collectedAtMs: T,
        source: 'nvidia-smi-xml',
        samples: r.samples,
        processes: r.processes,
      };
      const decoded = GpuSampleBatchSchema.safeParse(batch);
      expect(decoded.success, `${name}: ${decoded.error?.message ?? ''}`).toBe(true);
    }
  });

  it('one GPU without a UUID is an error entry; the other GPU still parses', () => {
    const xml = readFixture('nvidia-smi-xml', 'openpai__gtx-1070__384.66__procs__attached6-2elems.xml').replace(
      '<uuid>GPU-e511a7b2-f9d5-ba47-9b98-853732ca6c1b</uuid>',
      '',
    );
    const r = parseNvidiaSmiXml(xml, T);
    expect(r.errors).toEqual(['gpu #0: missing or malformed <uuid> (absent)']);
    expect(r.samples.map((s) => s.gpuUuid)).toEqual(['GPU-28daffaf-8abe-aaf8-c298-4bd13aecb5e6']);
  });

  it('rejects a document that is not nvidia-smi output', () => {
    expect(() => parseNvidiaSmiXml('<html><body>hi</body></html>', T)).toThrow(/no <nvidia_smi_log> root/);
  });
});
