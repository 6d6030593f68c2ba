/**
 * Helpers for the pipeline integration tests: run `gpu-ledger pipeline` as a real child process
 * (so a test can SIGKILL it), produce fixture-shaped fleet batches (bench/ingest-fleet.ts) with
 * retries, and compute the ground truth those batches must leave in the store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { RecordSink } from '../../contracts/index.ts';
import { Topics } from '../../contracts/index.ts';
import { fleetUtilization, parseBatch, type FleetNode } from '../../bench/ingest-fleet.ts';
import { waitFor } from '../helpers/wait-for.ts';

const CLI = resolve(import.meta.dirname, '../../bin/gpu-ledger.js');

export interface PipelineTarget {
  readonly kafkaBrokers: readonly string[];
  readonly clickhouseUrl: string;
  readonly database: string;
  readonly topicPrefix: string;
}

export interface PipelineProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** GET /healthz as JSON (null when it does not answer). */
  health(): Promise<Record<string, unknown> | null>;
  /** GET /metrics text. */
  metrics(): Promise<string>;
  /** Sends `signal` and resolves with the exit code (or the signal name). */
  stop(signal: NodeJS.Signals): Promise<number | string>;
  /** Everything the process wrote on stderr so far (JSON log lines). */
  readonly stderr: () => string;
}

/** The CLI's environment for a target: distributed mode, its brokers, server, database, prefix. */
export const pipelineEnv = (t: PipelineTarget): NodeJS.ProcessEnv => ({
  ...process.env,
  GPU_LEDGER_MODE: 'distributed',
  GPU_LEDGER_KAFKA_BROKERS: t.kafkaBrokers.join(','),
  GPU_LEDGER_CLICKHOUSE_URL: t.clickhouseUrl,
  GPU_LEDGER_DATABASE: t.database,
  GPU_LEDGER_TOPIC_PREFIX: t.topicPrefix,
  GPU_LEDGER_LOG_LEVEL: 'warn',
  KAFKAJS_NO_PARTITIONER_WARNING: '1',
});

/** Starts `gpu-ledger pipeline <args>` and waits until /healthz says ok. */
export async function startPipeline(
  target: PipelineTarget,
  port: number,
  args: readonly string[],
): Promise<PipelineProcess> {
  const child = spawn(process.execPath, [CLI, 'pipeline', '--metrics-port', String(port), ...args], {
    env: pipelineEnv(target),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const exited = new Promise<number | string>((done) =>
    child.once('exit', (code, signal) => done(code ?? signal ?? 'unknown')),
  );
  const url = `http://127.0.0.1:${port}`;
  const health = async () => {
    try {
      const res = await fetch(`${url}/healthz`);
      return (await res.json()) as Record<string, unknown>;
    } catch {
      return null;
    }
  };
  await waitFor(
    `pipeline on :${port} healthy (stderr: ${stderr.slice(-500)})`,
    async () => (await health())?.['ok'] === true || child.exitCode !== null,
    60_000,
    200,
  );
  if (child.exitCode !== null) throw new Error(`pipeline exited ${child.exitCode}: ${stderr.slice(-2000)}`);
  return {
    child,
    port,
    health,
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    stderr: () => stderr,
  };
}

/** Sends every (node, tick) batch of `ticks`, `perTickMs` apart; a failed send (broker down) is retried until it goes through. */
export async function produceTicks(
  sink: RecordSink,
  fleet: readonly FleetNode[],
  ticks: readonly number[],
  baseMs: number,
  perTickMs = 0,
): Promise<void> {
  for (const tick of ticks) {
    const records = fleet.map((n) => ({ key: n.node, value: n.render(tick, baseMs + tick * 1000) }));
    for (let attempt = 0; ; attempt++) {
      try {
        await sink.send(Topics.gpuSamples, records);
        break;
      } catch (error) {
        if (attempt > 200) throw error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    if (perTickMs > 0) await new Promise((r) => setTimeout(r, perTickMs));
  }
}

/** What a set of ticks of the whole fleet must leave in the store (one process per GPU, one pod each). */
export interface GroundTruth {
  readonly batches: number;
  readonly samples: number;
  /** Σ of sample intervals (≤ maxGapMs) over every device: the GPU-milliseconds observed. */
  readonly gpuMs: number;
  /** Σ floor(power × interval + ½), millijoules. */
  readonly energyMj: number;
  /** Σ utilization × interval, %·ms. */
  readonly busyPctMs: number;
}

/** The ground truth of the ticks, computed independently of the store (same rule as migration 007). */
export function groundTruth(
  fleet: readonly FleetNode[],
  ticks: ReadonlySet<number>,
  baseMs: number,
  maxGapMs: number,
): GroundTruth {
  const sorted = [...ticks].sort((a, b) => a - b);
  let samples = 0;
  let gpuMs = 0;
  let energyMj = 0;
  let busyPctMs = 0;
  for (const node of fleet) {
    const batch = parseBatch(node.render(0, baseMs));
    batch.samples.forEach((s, j) => {
      sorted.forEach((tick, i) => {
        samples += 1;
        const previous = sorted[i - 1];
        const interval = previous === undefined || (tick - previous) * 1000 > maxGapMs ? 0 : (tick - previous) * 1000;
        gpuMs += interval;
        energyMj += Math.floor((s.powerWatts ?? 0) * interval + 0.5);
        busyPctMs += Math.floor(fleetUtilization(tick, j) * interval + 0.5);
      });
    });
  }
  return { batches: fleet.length * sorted.length, samples, gpuMs, energyMj, busyPctMs };
}

export const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
