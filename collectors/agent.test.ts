import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { OutgoingRecord, RecordSink } from '../contracts/index.ts';
import { readFixture } from '../test/helpers/fixtures.ts';
import { createAgent } from './agent.ts';
import type { Collector } from './collector.ts';
import { parseNvidiaSmiAppsCsv } from './nvidia-smi/parse-csv.ts';

const APPS = parseNvidiaSmiAppsCsv(
  readFixture(
    'nvidia-smi-csv',
    'nvgpuexp__linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__load__query-compute-apps.csv',
  ),
).processes;

describe('createAgent: GPU process → pod binding', () => {
  it('looks each pid up once per tick, also when the process is listed on several GPUs', async () => {
    // the real capture's 3 processes, each also on a second GPU
    const processes = [...APPS, ...APPS.map((p) => ({ ...p, gpuUuid: 'GPU-00000000-0000-0000-0000-000000000011' }))];
    const gpu: Collector & { readonly name: 'nvidia-smi-csv' } = {
      name: 'nvidia-smi-csv',
      collect: async () => ({ samples: [], processes, modelServers: [], xidEvents: [], errors: [] }),
      close: async () => undefined,
    };
    const lookups: number[] = [];
    const resolvePod = async (pid: number) => (
      lookups.push(pid),
      pid === 11345 ? { podUid: 'pod-burn', containerId: 'c1' } : null
    );
    const sent: OutgoingRecord[] = [];
    const sink: RecordSink = {
      send: async (_topic, records) => void sent.push(...records),
      close: async () => undefined,
    };
    const batch = await createAgent(
      { gpuCollector: gpu, resolvePod, sink, logger: pino({ level: 'silent' }), now: () => 1 },
      { agentId: 'a', cluster: 'c', node: 'n' },
    ).tick();
    expect(lookups).toEqual([11327, 11328, 11345]);
    expect(batch.processes.map((p) => [p.pid, p.gpuUuid.slice(-2), p.podUid])).toEqual([
      [11327, '00', null],
      [11328, '00', null],
      [11345, '00', 'pod-burn'],
      [11327, '11', null],
      [11328, '11', null],
      [11345, '11', 'pod-burn'],
    ]);
    expect(sent).toHaveLength(1);
  });

  it('reads a pid again only after podCacheMs, after it left the process list, or after a failed read', async () => {
    let listed = APPS;
    const gpu: Collector & { readonly name: 'nvidia-smi-csv' } = {
      name: 'nvidia-smi-csv',
      collect: async () => ({ samples: [], processes: listed, modelServers: [], xidEvents: [], errors: [] }),
      close: async () => undefined,
    };
    const lookups: number[] = [];
    let failing = new Set<number>();
    const resolvePod = async (pid: number) => {
      lookups.push(pid);
      if (failing.has(pid)) throw new Error('EIO');
      return pid === 11345 ? { podUid: 'pod-burn', containerId: 'c1' } : null;
    };
    const sink: RecordSink = { send: async () => undefined, close: async () => undefined };
    let nowMs = 1_000;
    const agent = createAgent(
      { gpuCollector: gpu, resolvePod, sink, logger: pino({ level: 'silent' }), now: () => nowMs, podCacheMs: 10_000 },
      { agentId: 'a', cluster: 'c', node: 'n' },
    );
    const podsOf = async () => (await agent.tick()).processes.map((p) => [p.pid, p.podUid]);
    const tickAt = async (ms: number) => ((nowMs = ms), lookups.splice(0), podsOf());

    expect(await tickAt(1_000)).toEqual([
      [11327, null],
      [11328, null],
      [11345, 'pod-burn'],
    ]);
    expect(lookups).toEqual([11327, 11328, 11345]);
    expect(await tickAt(2_000)).toEqual([
      [11327, null],
      [11328, null],
      [11345, 'pod-burn'],
    ]);
    expect(lookups).toEqual([]); // all known, none read
    listed = APPS.filter((p) => p.pid !== 11345);
    await tickAt(3_000);
    listed = APPS;
    expect(await tickAt(4_000)).toEqual([
      [11327, null],
      [11328, null],
      [11345, 'pod-burn'],
    ]);
    expect(lookups).toEqual([11345]); // it left the list: a reused pid is read afresh
    failing = new Set([11328]);
    expect(await tickAt(11_000)).toEqual([
      [11327, null],
      [11328, null],
      [11345, 'pod-burn'],
    ]);
    expect(lookups).toEqual([11327, 11328]); // read at 1 s: 10 s old now; 11345 was read at 4 s
    failing = new Set();
    await tickAt(12_000);
    expect(lookups).toEqual([11328]); // its failed read is not remembered
  });
});
