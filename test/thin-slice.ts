import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../collectors/agent.ts';
import { createNvidiaSmiXmlCollector } from '../collectors/nvidia-smi/nvidia-smi-xml-collector.ts';
import type { DeadLetter, DeliveredRecord, GpuSampleBatch, RecordBus } from '../contracts/index.ts';
import { Topics } from '../contracts/index.ts';
import { createIngestConsumer, type IngestConsumer } from '../pipeline/ingest/ingest-consumer.ts';
import { createStoreWriters } from '../pipeline/ingest/store-writers.ts';
import type { TelemetryStore } from '../pipeline/store/telemetry-store.ts';
import { fixturePath } from './helpers/fixtures.ts';
import { testLogger } from './helpers/services.ts';
import { uniqueName, waitFor } from './helpers/wait-for.ts';

const FAKE_NVIDIA_SMI = resolve(import.meta.dirname, '../bin/fake-nvidia-smi.js');
const GTX_1070 = fixturePath('nvidia-smi-xml', 'openpai__gtx-1070__384.66__procs__attached6-2elems.xml');
const A100_MIG = fixturePath('nvidia-smi-xml', 'telegraf__a100-sxm4-80gb-mig__535.54.03__attached4-1elem.xml');

export interface SliceEnv {
  readonly bus: RecordBus;
  readonly store: TelemetryStore;
  close(): Promise<void>;
}

function agentFor(bus: RecordBus, node: string, capture: string, childEnv: Record<string, string>) {
  const collector = createNvidiaSmiXmlCollector(
    {
      path: FAKE_NVIDIA_SMI,
      timeoutMs: 10_000,
      maxOutputBytes: 1 << 24,
      env: { ...childEnv, FAKE_NVIDIA_SMI_XML: capture },
    },
    Date.now,
  );
  return createAgent(
    { gpuCollector: collector, sink: bus, logger: testLogger('agent'), now: Date.now },
    { agentId: `test/${node}`, cluster: 'test', node },
  );
}

/**
 * The foundation's thin end-to-end slice, run in both modes: fake nvidia-smi replaying real captures
 * → agent → bus → ingest consumer → store → per-GPU utilization; plus the dead-letter path.
 */
export function describeThinSlice(
  name: string,
  makeEnv: () => Promise<SliceEnv>,
  childEnv: Record<string, string>,
  timeoutMs = 60_000,
): void {
  describe(`thin slice: ${name}`, () => {
    let env: SliceEnv;
    let ingest: IngestConsumer;
    const since = Date.now() - 1000;

    beforeAll(async () => {
      env = await makeEnv();
      ingest = createIngestConsumer({
        bus: env.bus,
        writers: createStoreWriters(env.store, Date.now),
        logger: testLogger('ingest'),
        now: Date.now,
      });
      await ingest.start({ groupId: uniqueName('ingest') });
    }, timeoutMs);
    afterAll(async () => {
      await ingest.close();
      await env.close();
    });

    it(
      'replays captures through agents, bus and ingest into the store, and reads back per-GPU utilization',
      async () => {
        const gtx = uniqueName('gtx');
        const a100 = uniqueName('a100');
        const agents = [agentFor(env.bus, gtx, GTX_1070, childEnv), agentFor(env.bus, a100, A100_MIG, childEnv)];
        const before = ingest.stats.accepted;
        const sent: GpuSampleBatch[] = [];
        for (let round = 0; round < 3; round++) sent.push(...(await Promise.all(agents.map((a) => a.tick()))));
        await Promise.all(agents.map((a) => a.close()));
        expect(sent.map((b) => b.seq).sort()).toEqual([0, 0, 1, 1, 2, 2]);
        await waitFor('6 batches ingested', () => ingest.stats.accepted >= before + 6, timeoutMs);

        const until = Date.now() + 1000;
        const gtxRows = await env.store.gpuUtilization({ fromMs: since, toMs: until, node: gtx });
        expect(gtxRows.map((r) => [r.gpuUuid, r.samples, r.avgUtilizationPct, r.maxUtilizationPct])).toEqual([
          ['GPU-28daffaf-8abe-aaf8-c298-4bd13aecb5e6', 3, 98, 98],
          ['GPU-e511a7b2-f9d5-ba47-9b98-853732ca6c1b', 3, 100, 100],
        ]);
        expect(gtxRows[1]!.avgMemoryUsedBytes).toBe(2028 * 1024 ** 2);
        const a100Rows = await env.store.gpuUtilization({ fromMs: since, toMs: until, node: a100 });
        expect(a100Rows.map((r) => r.gpuUuid)).toEqual([
          'GPU-513536b6-7d19-9063-b049-1e69664bb298',
          'MIG-GPU-513536b6-7d19-9063-b049-1e69664bb298/3/0',
          'MIG-GPU-513536b6-7d19-9063-b049-1e69664bb298/4/0',
          'MIG-GPU-513536b6-7d19-9063-b049-1e69664bb298/5/0',
          'MIG-GPU-513536b6-7d19-9063-b049-1e69664bb298/6/0',
        ]);
        expect(a100Rows.every((r) => r.samples === 3 && r.avgUtilizationPct === null)).toBe(true);
      },
      timeoutMs * 2,
    );

    it(
      'a malformed record goes to the dead-letter topic with its reason; the rest of its batch lands',
      async () => {
        const node = uniqueName('dl');
        const letters: DeliveredRecord[] = [];
        const dlSub = await env.bus.subscribe({
          groupId: uniqueName('dl-reader'),
          topics: [Topics.deadLetters],
          handleBatch: async (b) => void letters.push(...b.records),
        });
        const good = (seq: number, utilizationPct: number): GpuSampleBatch => ({
          schemaVersion: 1,
          agentId: `test/${node}`,
          bootId: 'boot-1',
          seq,
          cluster: 'test',
          node,
          collectedAtMs: Date.now(),
          source: 'nvidia-smi-xml',
          processes: [],
          samples: [
            {
              kind: 'gpu',
              gpuUuid: `GPU-${node}`,
              parentGpuUuid: null,
              mig: null,
              index: 0,
              model: 'NVIDIA A10G',
              driverVersion: '515.105.01',
              observedAtMs: Date.now() + seq,
              utilizationPct,
              memoryUsedBytes: 1024,
              memoryTotalBytes: 2048,
              powerWatts: 100,
              powerLimitWatts: 300,
              temperatureC: 40,
              smClockMhz: 1000,
              memClockMhz: 5000,
              throttleReasons: [],
              eccCorrectedTotal: 0,
              eccUncorrectedTotal: 0,
            },
          ],
        });
        const badSchema = { ...good(1, 50), samples: [{ ...good(1, 50).samples[0]!, utilizationPct: 150 }] };
        const before = { ...ingest.stats };
        await env.bus.send(Topics.gpuSamples, [
          { key: node, value: JSON.stringify(good(0, 40)) },
          { key: node, value: '{"schemaVersion":1,"agentId":' },
          { key: node, value: JSON.stringify(badSchema) },
          { key: node, value: JSON.stringify(good(2, 60)) },
        ]);
        // The bus is this suite's own (unique topic prefix), so every dead letter on it is one of these two.
        await waitFor(
          '2 accepted + 2 dead letters',
          () => ingest.stats.accepted >= before.accepted + 2 && letters.length >= 2,
          timeoutMs,
        );
        await dlSub.close();

        const mine = letters.map((l) => JSON.parse(l.value) as DeadLetter);
        expect(mine).toHaveLength(2);
        expect(mine.map((d) => d.reason).sort()).toEqual(
          [expect.stringMatching(/^invalid JSON/), expect.stringMatching(/^samples\[0\]\.utilizationPct: /)].sort(),
        );
        for (const d of mine) {
          expect(d.sourceTopic).toBe(Topics.gpuSamples);
          expect(d.offset).toMatch(/^\d+$/);
        }
        expect(ingest.stats.deadLettersByReason.get('invalid-json')).toBeGreaterThanOrEqual(1);
        expect(ingest.stats.deadLettersByReason.get('invalid:samples[].utilizationPct')).toBeGreaterThanOrEqual(1);
        const rows = await env.store.gpuUtilization({ fromMs: since, toMs: Date.now() + 1000, node });
        expect(rows).toEqual([
          expect.objectContaining({ gpuUuid: `GPU-${node}`, samples: 2, avgUtilizationPct: 50, maxUtilizationPct: 60 }),
        ]);
      },
      timeoutMs * 2,
    );

    it(
      'a batch delivered twice changes no total',
      async () => {
        const node = uniqueName('dup');
        const batch = await agentFor(env.bus, node, GTX_1070, childEnv).tick();
        await waitFor(
          'first delivery',
          async () => (await env.store.gpuUtilization({ fromMs: since, toMs: Date.now() + 1000, node })).length === 2,
          timeoutMs,
        );
        const redelivered = {
          topic: Topics.gpuSamples,
          partition: 0,
          records: [
            {
              topic: Topics.gpuSamples,
              partition: 0,
              offset: '0',
              key: node,
              value: JSON.stringify(batch),
              timestampMs: Date.now(),
            },
          ],
        };
        await ingest.handleBatch(redelivered);
        await ingest.handleBatch(redelivered);
        const rows = await env.store.gpuUtilization({ fromMs: since, toMs: Date.now() + 1000, node });
        expect(rows.map((r) => [r.samples, r.avgUtilizationPct])).toEqual([
          [1, 98],
          [1, 100],
        ]);
      },
      timeoutMs * 2,
    );
  });
}
