import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath, readFixture } from '../../test/helpers/fixtures.ts';
import { detectCaptureFormat, type CaptureFormat } from './detect-format.ts';
import { inspectCapture, type InspectResult } from './inspect-capture.ts';

const NOW = Date.UTC(2026, 0, 1);

/** The format each fixture folder holds (the folder is the ground truth; detection reads content only). */
function expectedFormat(folder: string, file: string): CaptureFormat {
  if (folder === 'nvidia-smi-csv')
    return file.includes('query-compute-apps') ? 'nvidia-smi-apps-csv' : 'nvidia-smi-gpu-csv';
  if (folder === 'dcgm') return file.endsWith('.csv') ? 'dcgm-counters' : 'dcgm';
  return folder as CaptureFormat;
}

/** Captures that truly hold no record, with what inspect says about them instead. */
const NO_RECORDS: Record<string, readonly string[]> = {
  // header-only compute-apps captures: no GPU process was running
  'nvgpuexp__linux-x86_64__nvidia-geforce-rtx-2080-super__595.71.05__idle__query-compute-apps.csv': [],
  'nvgpuexp__linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__idle__query-compute-apps.csv': [],
  'nvgpuexp__linux-x86_64__nvidia-h100-mig__590.48.01__idle__query-compute-apps.csv': [],
  'nvgpuexp__linux-x86_64__nvidia-h200__590.48.01__idle__query-compute-apps.csv': [],
  // a single-field query without uuid: no GPU identity to key a sample by
  'issue-tuxclocker-15__gtx-650__410.78__query-gpu-utilization.gpu.csv': [
    'gpu row #0: missing or malformed uuid (no uuid column)',
  ],
  'issue-tuxclocker-15__gtx-650__410.78__query-gpu-utilization.memory.csv': [
    'gpu row #0: missing or malformed uuid (no uuid column)',
  ],
  // Triton r20.03 with HELP/TYPE but no per-model samples
  'issue-triton-server-2755-r20.03-no-model-samples.prom': [],
};

/**
 * Folders inspect does not read: cgroup lines are resolved by collectors/kubernetes, and the
 * `nvidia-smi topo -m` matrices are not GPU samples (inspect would need a topology record first).
 */
const NOT_INSPECTED = new Set(['cgroup', 'topo']);
const folders = readdirSync(fixturePath(), { withFileTypes: true })
  .filter((d) => d.isDirectory() && !NOT_INSPECTED.has(d.name))
  .map((d) => d.name);
const files = folders.flatMap((folder) => readdirSync(fixturePath(folder)).map((file) => [folder, file] as const));

describe('inspect on every captured fixture', () => {
  it('walks all 64 captures outside cgroup/ and topo/', () => {
    expect(files).toHaveLength(64);
  });

  it.each(files)('%s/%s: detected as its folder says, yields records', (folder, file) => {
    const text = readFixture(folder, file);
    expect(detectCaptureFormat(text)).toEqual({ format: expectedFormat(folder, file) });
    const r = inspectCapture(text, { nowMs: NOW });
    const expectedErrors = NO_RECORDS[file];
    if (expectedErrors) {
      expect({ records: r.records.length, errors: r.errors }).toEqual({ records: 0, errors: expectedErrors });
    } else {
      expect(r.records.length).toBeGreaterThan(0);
      expect(r.errors).toEqual([]);
    }
  });
});

const values = (r: InspectResult, type: string) =>
  r.records.filter((x) => x.type === type).map((x) => x.value as Record<string, unknown>);

describe('inspect records carry the fixture values', () => {
  it('nvidia-smi XML, A100 with MIG: the GPU and GIs 3-6', () => {
    const r = inspectCapture(
      readFixture('nvidia-smi-xml', 'telegraf__a100-sxm4-80gb-mig__535.54.03__attached4-1elem.xml'),
      { nowMs: NOW },
    );
    expect(
      values(r, 'gpu-sample').map((s) => [
        s['kind'],
        (s['mig'] as { gpuInstanceId?: number } | null)?.gpuInstanceId ?? null,
      ]),
    ).toEqual([
      ['gpu', null],
      ['mig', 3],
      ['mig', 4],
      ['mig', 5],
      ['mig', 6],
    ]);
  });

  it('DCGM with KServe pods: 4 samples and 2 pod bindings (GI 7 and 9)', () => {
    const r = inspectCapture(readFixture('dcgm', 'issue-dcgm-exporter-512-h100-mig-1g.10gb-kserve-pods.prom'), {
      nowMs: NOW,
    });
    expect(values(r, 'gpu-sample')).toHaveLength(4);
    expect(values(r, 'dcgm-pod-binding').map((b) => b['gpuInstanceId'])).toEqual([7, 9]);
  });

  it('Triton totals, Xid events, compute apps', () => {
    const triton = inspectCapture(readFixture('triton', 'datadog-triton-densenet-onnx-T4-with-cache-metrics.prom'), {
      nowMs: NOW,
    });
    expect(values(triton, 'model-server-totals').find((m) => m['model'] === 'densenet_onnx')).toMatchObject({
      requestsTotal: 3,
      latencyMsSumTotal: 1327.965,
    });
    const xid = inspectCapture(readFixture('xid', 'gpud-dmesg-ctime-xid-119-gsp-timeout.log'), { nowMs: NOW });
    expect(values(xid, 'xid-event').map((e) => [e['xid'], e['pciBusId']])).toEqual(Array(5).fill([119, '0000:9b:00']));
    const apps = inspectCapture(
      readFixture('nvidia-smi-csv', 'nvgpuexp__linux-x86_64__nvidia-h200__590.48.01__load__query-compute-apps.csv'),
      { nowMs: NOW },
    );
    expect(values(apps, 'gpu-process').map((p) => p['pid'])).toEqual([10291, 10293, 10309]);
  });
});

describe('cgroup files (the fixture is a JSON spec holding real /proc/self/cgroup lines)', () => {
  const spec = JSON.parse(readFixture('cgroup', 'elastic-apm-spec-container_metadata_discovery.json')) as Record<
    string,
    { files: Record<string, string[]>; podId: string | null; containerId: string | null }
  >;
  const cases = Object.entries(spec).flatMap(([name, c]) =>
    c.files['/proc/self/cgroup'] ? [[name, c.files['/proc/self/cgroup'].join('\n'), c] as const] : [],
  );

  it('the spec JSON itself is not a capture: a clear error', () => {
    expect(() =>
      inspectCapture(readFixture('cgroup', 'elastic-apm-spec-container_metadata_discovery.json'), { nowMs: NOW }),
    ).toThrow(/not a format gpu-ledger knows .*; name one with --format/);
  });

  it.each(cases)('%s: detected as cgroup; pod and container as the spec expects', (name, text, c) => {
    const r = inspectCapture(text, { nowMs: NOW });
    expect(r.format).toBe('cgroup');
    const id = values(r, 'cgroup-identity')[0];
    expect(id?.['podUid'] ?? null).toBe(c.podId);
    // cgroup v2 inside a private namespace reads `0::/`: the container id is only in mountinfo.
    expect(id?.['containerId'] ?? null).toBe(name === 'cgroup_v2' ? null : c.containerId);
  });
});

it('--format overrides detection; parsing as the wrong format is a clear error', () => {
  expect(inspectCapture('some kernel line without xids\n', { format: 'xid', nowMs: NOW })).toEqual({
    format: 'xid',
    records: [],
    errors: [],
  });
  expect(() =>
    inspectCapture(readFixture('vllm', 'kops-vllm-v1-qwen2.5-0.5b-L4.prom'), { format: 'nvidia-smi-xml', nowMs: NOW }),
  ).toThrow('no <nvidia_smi_log> root');
  expect(detectCaptureFormat('')).toEqual({ error: 'the file is empty' });
});
