/**
 * Figure: what one agent batch costs `send` (the spool append an agent tick waits for) under each
 * fsync policy on this machine's disk, with "Kafka" up (the drainer delivering to an in-process bus
 * at the same time) and down (appends only). Kafka's own latency is in neither: that is the point
 * of the spool. Run: `npm run bench:spool`. Prints mean, p50 and p99 in µs; the last line is the
 * default policy's figure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { createMemoryBus } from '../bus/memory-bus.ts';
import { createAgent } from '../collectors/agent.ts';
import { createNvidiaSmiXmlCollector } from '../collectors/nvidia-smi/nvidia-smi-xml-collector.ts';
import { FSYNC_POLICIES } from '../collectors/spool/spool-log.ts';
import { createSpoolingSink } from '../collectors/spool/spooling-sink.ts';
import { Topics, type RecordSink } from '../contracts/index.ts';

const FAKE_NVIDIA_SMI = resolve(import.meta.dirname, '../bin/fake-nvidia-smi.js');
const CAPTURE = resolve(
  import.meta.dirname,
  '../../shared/fixtures/telemetry/nvidia-smi-xml/openpai__gtx-1070__384.66__procs__attached6-2elems.xml',
);
const quiet = pino({ level: 'error' });
const WARMUP = 200;
const MEASURED = 1500;

const root = mkdtempSync(join(tmpdir(), 'agent-spool-cost-'));
try {
  const collector = createNvidiaSmiXmlCollector(
    { path: FAKE_NVIDIA_SMI, timeoutMs: 10_000, maxOutputBytes: 1 << 24, env: { FAKE_NVIDIA_SMI_XML: CAPTURE } },
    Date.now,
  );
  const template = await createAgent(
    { gpuCollector: collector, sink: createMemoryBus(), logger: quiet, now: Date.now },
    { agentId: 'bench/spool', cluster: 'bench', node: 'spool-node' },
  ).tick();
  const down: RecordSink = { send: () => Promise.reject(new Error('broker down')), close: async () => undefined };
  let last = '';
  for (const fsync of Object.values(FSYNC_POLICIES)) {
    for (const [kafka, inner] of [
      ['up', createMemoryBus()],
      ['down', down],
    ] as const) {
      const config = {
        dir: join(root, `${fsync}-${kafka}`),
        maxBytes: 64 << 20,
        fsync,
        retryInitialMs: 60_000,
        retryMaxMs: 60_000,
        closeTimeoutMs: 2000,
      };
      const spool = await createSpoolingSink(inner, config, { logger: quiet, now: Date.now });
      const micros: number[] = [];
      for (let seq = 0; seq < WARMUP + MEASURED; seq++) {
        const value = JSON.stringify({ ...template, seq });
        const started = performance.now();
        await spool.send(Topics.gpuSamples, [{ key: 'spool-node', value }]);
        if (seq >= WARMUP) micros.push((performance.now() - started) * 1000);
      }
      await spool.close();
      micros.sort((a, b) => a - b);
      const at = (q: number) => micros[Math.min(micros.length - 1, Math.floor(q * micros.length))]!.toFixed(0);
      const mean = (micros.reduce((n, m) => n + m, 0) / micros.length).toFixed(0);
      const line = `${fsync.padEnd(8)} kafka ${kafka.padEnd(4)} mean ${mean} µs, p50 ${at(0.5)} µs, p99 ${at(0.99)} µs`;
      console.log(line);
      if (fsync === 'interval' && kafka === 'down')
        last = `spool append (fsync interval, broker down): mean ${mean} µs, p99 ${at(0.99)} µs per ${JSON.stringify(template).length} B batch`;
    }
  }
  console.log(last);
} finally {
  rmSync(root, { recursive: true, force: true });
}
