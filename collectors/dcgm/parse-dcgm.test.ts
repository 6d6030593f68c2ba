import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GpuSampleSchema } from '../../contracts/index.ts';
import { fixturePath, readFixture, readH100MigCaptureWithBusyGi7 } from '../../test/helpers/fixtures.ts';
import { parseDcgmMetrics } from './parse-dcgm.ts';

const T = Date.UTC(2026, 4, 1, 10, 0, 0);
const MiB = 1024 ** 2;
const parse = (name: string) => parseDcgmMetrics(readFixture('dcgm', name), T);

describe('parseDcgmMetrics on real dcgm-exporter scrapes', () => {
  it('Tesla T4 (no HELP/TYPE lines): utilization, MiB → bytes, total = used + free + reserved, ratios → %', () => {
    const { samples, errors } = parse('ericsson-ccd-tesla-t4.prom');
    expect(errors).toEqual([]);
    expect(samples).toEqual([
      expect.objectContaining({
        kind: 'gpu',
        gpuUuid: 'GPU-6d5c0ac5-74d7-3130-46f1-e93ed57f469a',
        pciBusId: '00000000:37:00.0',
        model: 'Tesla T4',
        driverVersion: '590.48.01',
        utilizationPct: 91,
        memoryUsedBytes: 5120 * MiB,
        memoryTotalBytes: (5120 + 9791 + 447) * MiB,
        powerWatts: 68.244,
        temperatureC: 74,
        smClockMhz: 660,
        memClockMhz: 5000,
        graphicsEngineActivePct: 15.6205,
        tensorActivePct: 0.5822,
        smActivePct: null,
      }),
    ]);
  });

  it('8x A800, GPU 0 in MIG mode: parent gets device-wide clocks, GIs 3/5/6 get memory and activity', () => {
    const { samples, errors } = parse('johnsblog-8xA800-mig-2g.20gb-535.129.03.prom');
    expect(errors).toEqual([]); // the ERROR-valued family is not one we read
    expect(samples.filter((s) => s.kind === 'gpu')).toHaveLength(8);
    const migs = samples.filter((s) => s.kind === 'mig');
    expect(
      migs.map((m) => [m.mig?.gpuInstanceId, m.mig?.profile, m.memoryUsedBytes, m.graphicsEngineActivePct]),
    ).toEqual([
      [3, '2g.20gb', 10 * MiB, 0],
      [5, '2g.20gb', 10 * MiB, 0],
      [6, '2g.20gb', 10 * MiB, 0],
    ]);
    // No GPU_UTIL per instance: engine activity is the instance's utilization (0 in this capture).
    expect(
      migs.every(
        (m) =>
          m.parentGpuUuid === 'GPU-1f027ee8-6e1e-2b8c-0108-3d370e5f0418' &&
          m.utilizationPct === 0 &&
          m.powerWatts === null,
      ),
    ).toBe(true);
    // Each instance has an identity of its own (the same string nvidia-smi's XML path produces).
    expect(migs.map((m) => m.gpuUuid)).toEqual(
      [3, 5, 6].map((gi) => `MIG-GPU-1f027ee8-6e1e-2b8c-0108-3d370e5f0418/${gi}/0`),
    );
    expect(samples[0]).toMatchObject({
      kind: 'gpu',
      gpuUuid: 'GPU-1f027ee8-6e1e-2b8c-0108-3d370e5f0418',
      smClockMhz: 1410,
      memClockMhz: 1593,
      memoryUsedBytes: null,
    });
    expect(samples.find((s) => s.index === 7)).toMatchObject({
      gpuUuid: 'GPU-4e75c9ab-0ed7-8a57-75f5-23761b9f053f',
      smClockMhz: 210,
      memoryUsedBytes: 2 * MiB,
    });
  });

  it("a MIG instance's utilization is its GR_ENGINE_ACTIVE ratio as percent; a whole GPU keeps GPU_UTIL", () => {
    // The H100 capture with GI 7's engine made busy (every value in the real captures is 0).
    const text = readH100MigCaptureWithBusyGi7();
    const { samples } = parseDcgmMetrics(text, T);
    expect(
      samples.map((s) => [s.kind, s.mig?.gpuInstanceId ?? null, s.utilizationPct, s.graphicsEngineActivePct ?? null]),
    ).toEqual([
      ['gpu', null, null, null],
      ['mig', 7, 42.13, 42.13],
      ['mig', 8, 0, 0],
      ['mig', 9, 0, 0],
    ]);
  });

  it('H100 MIG 1g.10gb with KServe pods on GI 7 and 9, none on GI 8', () => {
    const { samples, podBindings } = parse('issue-dcgm-exporter-512-h100-mig-1g.10gb-kserve-pods.prom');
    expect(samples.map((s) => [s.kind, s.mig?.gpuInstanceId ?? null])).toEqual([
      ['gpu', null],
      ['mig', 7],
      ['mig', 8],
      ['mig', 9],
    ]);
    expect(podBindings).toEqual([
      {
        gpuUuid: 'GPU-58e8f5ea-13cc-013a-d88f-2bcf5ae8bc77',
        gpuInstanceId: 7,
        namespace: 'model-playground-stg',
        pod: 'text-embedding-predictor-00008-deployment-57946f6c67-vdtjl',
        container: 'kserve-container',
        podUid: null,
        hostname: 'gsrh100-074',
      },
      {
        gpuUuid: 'GPU-58e8f5ea-13cc-013a-d88f-2bcf5ae8bc77',
        gpuInstanceId: 9,
        namespace: 'model-playground-stg',
        pod: 'tts-predictor-00011-deployment-5554f75554-8j8pl',
        container: 'kserve-container',
        podUid: null,
        hostname: 'gsrh100-074',
      },
    ]);
  });

  it('LKE RTX 4000 Ada: pod labels with empty pod_uid, last Xid 0', () => {
    const r = parse('lke-rtx4000ada-580.95.05-k8s-pod-labels.prom');
    expect(r.podBindings).toEqual([
      {
        gpuUuid: 'GPU-a8394b51-c086-568a-9f1a-c1e1c934c44c',
        gpuInstanceId: null,
        namespace: 'default',
        pod: 'cuda-75454ffb9f-8ljq7',
        container: 'cuda',
        podUid: null,
        hostname: 'lke529760-766837-0a634ab30000',
      },
    ]);
    expect(r.lastXidByGpu).toEqual({ 'GPU-a8394b51-c086-568a-9f1a-c1e1c934c44c': 0 });
    expect(r.samples[0]).toMatchObject({
      memoryUsedBytes: 1 * MiB,
      memoryTotalBytes: (1 + 20015 + 457) * MiB,
      powerWatts: 40.979,
      graphicsEngineActivePct: 0.4656,
    });
  });

  it('4x V100 excerpt (old label set, starts mid-family): GPUs 2, 3, 0, 1 with what each series gives', () => {
    const { samples } = parse('issue-dcgm-exporter-250-4xV100-SXM2.prom');
    expect(samples.map((s) => [s.index, s.gpuUuid, s.powerLimitWatts, s.utilizationPct, s.pcieReplayTotal])).toEqual([
      [2, 'GPU-a9079f15-493e-6c1c-c78c-73ec2b840cba', 300, null, 0],
      [3, 'GPU-bd94f0f5-8c2f-bc95-74ad-5f99fdc33d01', 300, null, 0],
      [0, 'GPU-a6158b59-2c1e-1e63-0068-9178c4298abd', null, 0, 0],
      [1, 'GPU-8d5053b3-9280-7d1a-751b-4fd2fdd547c5', null, null, 0], // only its PCIe replay counter is in the excerpt
    ]);
  });

  it('1.x names and labels (dcgm_*, uuid, pod_name/pod_namespace/container_name); <<<NULL>>> GI is a whole GPU', () => {
    const text = [
      'dcgm_gpu_utilization{gpu="1",uuid="GPU-11111111-2222-3333-4444-555555555555",pod_name="train-0",pod_namespace="ml",container_name="main",GPU_I_ID="<<<NULL>>>"} 63',
      'dcgm_fb_used{gpu="1",uuid="GPU-11111111-2222-3333-4444-555555555555",GPU_I_PROFILE="<<<NULL>>>"} 2048',
      'dcgm_gpu_temp{uuid="GPU-99999999-2222-3333-4444-555555555555"} 41',
    ].join('\n');
    const r = parseDcgmMetrics(text, T);
    expect(r.samples).toEqual([
      expect.objectContaining({ kind: 'gpu', index: 1, utilizationPct: 63, memoryUsedBytes: 2048 * MiB, mig: null }),
      expect.objectContaining({ kind: 'gpu', index: 0, temperatureC: 41, model: 'unknown' }), // no gpu / modelName labels
    ]);
    expect(r.podBindings).toEqual([
      {
        gpuUuid: 'GPU-11111111-2222-3333-4444-555555555555',
        gpuInstanceId: null,
        namespace: 'ml',
        pod: 'train-0',
        container: 'main',
        podUid: null,
        hostname: null,
      },
    ]);
  });

  it('a sentinel or a bad value drops that value only; a series without UUID is an error entry', () => {
    const text = readFixture('dcgm', 'kops-aws-L4-580.105.08.prom')
      .replace(/(DCGM_FI_DEV_GPU_TEMP\{[^}]*\}) 31/, '$1 9223372036854775794')
      .replace(/(DCGM_FI_DEV_POWER_USAGE\{[^}]*\}) 16.365000/, '$1 140737488355328.000000')
      .replace(/(DCGM_FI_DEV_FB_USED\{[^}]*\}) 0/, '$1 ERROR - FAILED TO CONVERT TO STRING')
      .concat('DCGM_FI_DEV_GPU_UTIL{gpu="1"} 5\n');
    const { samples, errors } = parseDcgmMetrics(text, T);
    expect(samples).toHaveLength(1);
    expect(samples[0]).toMatchObject({
      temperatureC: null,
      powerWatts: null,
      memoryUsedBytes: null,
      memoryTotalBytes: null,
      utilizationPct: 0,
      smClockMhz: 210,
    });
    expect(errors).toEqual([
      expect.stringMatching(
        /^DCGM_FI_DEV_FB_USED: 1 sample line dropped \(line \d+: value 'ERROR - FAILED TO CONVERT TO STRING' is not a number\)$/,
      ),
      'DCGM_FI_DEV_GPU_UTIL: 1 sample without a GPU- UUID label dropped',
    ]);
  });
});

describe('the rest of the default counter set (issue 13 item 6)', () => {
  it('kops L4: every default counter reaches the sample, in its unit', () => {
    const [l4] = parse('kops-aws-L4-580.105.08.prom').samples;
    expect(l4).toMatchObject({
      kind: 'gpu',
      memCopyUtilPct: 0,
      encoderUtilPct: 0,
      decoderUtilPct: 0,
      memoryTemperatureC: 0, // GDDR6: the L4 reports no memory temperature (0), kept as read
      energyMillijoules: 4_742_776,
      pcieReplayTotal: 0,
      vgpuLicenseStatus: 0,
      remappedRowsCorrectable: 0,
      remappedRowsUncorrectable: 0,
      rowRemapFailure: 0,
      dramActivePct: 0,
      pcieTxBytesPerSecond: 112_603,
      pcieRxBytesPerSecond: 17_544,
      memoryFreeBytes: 22_563 * MiB,
      memoryUsedBytes: 0,
      memoryTotalBytes: (22_563 + 470) * MiB,
    });
  });

  it('A800 MIG: profiling counters per GPU instance, device counters on the GPU only', () => {
    const { samples } = parse('johnsblog-8xA800-mig-2g.20gb-535.129.03.prom');
    const gpu1 = samples.find((s) => s.kind === 'gpu' && s.gpuUuid === 'GPU-9e5b8fec-61bf-5124-a0a9-079af1b65cc6');
    expect(gpu1).toMatchObject({ pcieTxBytesPerSecond: 143_341, rowRemapFailure: 0, remappedRowsCorrectable: 0 });
    const instances = samples.filter((s) => s.kind === 'mig');
    expect(instances.length).toBeGreaterThan(0);
    for (const mig of instances) {
      expect(mig.dramActivePct).toBe(0);
      expect(mig.rowRemapFailure).toBeUndefined();
    }
  });

  it('keeps the free framebuffer of a scrape that has FB_FREE but no FB_USED (kops L4 with its FB_USED line removed)', () => {
    const text = readFixture('dcgm', 'kops-aws-L4-580.105.08.prom')
      .split('\n')
      .filter((line) => !line.startsWith('DCGM_FI_DEV_FB_USED{'))
      .join('\n');
    const [l4] = parseDcgmMetrics(text, T).samples;
    expect(l4).toMatchObject({ memoryUsedBytes: null, memoryTotalBytes: null, memoryFreeBytes: 22_563 * MiB });
  });
});

it('every .prom capture yields samples the contract accepts', () => {
  const counts: Record<string, number> = {};
  for (const name of readdirSync(fixturePath('dcgm')).filter((n) => n.endsWith('.prom'))) {
    const { samples } = parse(name);
    counts[name] = samples.length;
    for (const s of samples) expect(GpuSampleSchema.safeParse(s).success, name).toBe(true);
  }
  expect(counts).toEqual({
    'ericsson-ccd-tesla-t4.prom': 1,
    'issue-dcgm-exporter-250-4xV100-SXM2.prom': 4,
    'issue-dcgm-exporter-512-h100-mig-1g.10gb-kserve-pods.prom': 4,
    'johnsblog-8xA800-mig-2g.20gb-535.129.03.prom': 11,
    'kops-aws-L4-580.105.08.prom': 1,
    'lke-rtx4000ada-580.95.05-k8s-pod-labels.prom': 1,
    'vks-grid-a100-40c-vgpu.prom': 1,
  });
});
