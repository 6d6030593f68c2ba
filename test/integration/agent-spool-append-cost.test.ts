import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryBus } from '../../bus/memory-bus.ts';
import { createAgent } from '../../collectors/agent.ts';
import { createNvidiaSmiXmlCollector } from '../../collectors/nvidia-smi/nvidia-smi-collector.ts';
import { FSYNC_POLICIES } from '../../collectors/spool/spool-log.ts';
import { createSpoolingSink } from '../../collectors/spool/spooling-sink.ts';
import { Topics, type RecordSink } from '../../contracts/index.ts';
import { fixturePath } from '../helpers/fixtures.ts';

const FAKE_NVIDIA_SMI = resolve(import.meta.dirname, '../../bin/fake-nvidia-smi.js');
const GTX_1070 = fixturePath('nvidia-smi-xml', 'openpai__gtx-1070__384.66__procs__attached6-2elems.xml');
const quiet = pino({ level: 'error' });
const WARMUP = 200;
const MEASURED = 1500;

/**
 * Figure: what one agent batch costs `send` (the spool append the agent tick waits for) under each
 * fsync policy, on this machine's disk: with "Kafka" up (the drainer delivering to an in-process
 * bus at the same time, competing for the spool) and down (appends only). Kafka's own latency is
 * in neither: that is the point of the spool. Prints mean, p50 and p99 in µs.
 */
describe('spool append cost per fsync policy (figure)', () => {
  const root = mkdtempSync(join(tmpdir(), 'agent-spool-cost-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('appends real agent batches under always, interval and never; all of them are delivered', async () => {
    const collector = createNvidiaSmiXmlCollector({ path: FAKE_NVIDIA_SMI, timeoutMs: 10_000, maxOutputBytes: 1 << 24, env: { FAKE_NVIDIA_SMI_XML: GTX_1070 } }, Date.now);
    const template = await createAgent({ gpuCollector: collector, sink: createMemoryBus(), logger: quiet, now: Date.now }, { agentId: 'test/cost', cluster: 'test', node: 'cost-node' }).tick();
    const lines: string[] = [];
    const down: RecordSink = { send: () => Promise.reject(new Error('broker down')), close: async () => undefined };
    const scenarios = Object.values(FSYNC_POLICIES).flatMap((fsync) => [
      { fsync, kafka: 'up', inner: createMemoryBus() },
      { fsync, kafka: 'down', inner: down },
    ]);
    for (const { fsync, kafka, inner } of scenarios) {
      const config = { dir: join(root, `${fsync}-${kafka}`), maxBytes: 64 << 20, fsync, retryInitialMs: 60_000, retryMaxMs: 60_000, closeTimeoutMs: 2000 };
      const spool = await createSpoolingSink(inner, config, { logger: quiet, now: Date.now });
      const micros: number[] = [];
      for (let seq = 0; seq < WARMUP + MEASURED; seq++) {
        const value = JSON.stringify({ ...template, seq });
        const started = performance.now();
        await spool.send(Topics.gpuSamples, [{ key: 'cost-node', value }]);
        if (seq >= WARMUP) micros.push((performance.now() - started) * 1000);
      }
      await spool.close();
      const all = WARMUP + MEASURED;
      expect(spool.stats()).toMatchObject(kafka === 'up' ? { deliveredRecords: all, pendingRecords: 0 } : { deliveredRecords: 0, pendingRecords: all });
      micros.sort((a, b) => a - b);
      const at = (q: number) => micros[Math.min(micros.length - 1, Math.floor(q * micros.length))]!.toFixed(0);
      lines.push(`${fsync.padEnd(8)} kafka ${kafka.padEnd(4)} mean ${(micros.reduce((n, m) => n + m, 0) / micros.length).toFixed(0)} µs, p50 ${at(0.5)} µs, p99 ${at(0.99)} µs`);
    }
    console.info(`spool append cost per batch (${JSON.stringify(template).length} B, ${MEASURED} appends):\n${lines.join('\n')}`);
  }, 120_000);
});
