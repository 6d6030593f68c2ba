/**
 * Helpers for the pipeline integration tests: run `gpu-ledger pipeline` as a real child process
 * (so a test can SIGKILL it), produce fixture-shaped fleet batches (bench/ingest-fleet.ts) with
 * retries, and compute the ground truth those batches must leave in the store.
 */
import type { ChildProcess } from 'node:child_process';
import type { RecordSink } from '../../contracts/index.ts';
import { Topics } from '../../contracts/index.ts';
import { fleetUtilization, parseBatch, type FleetNode } from '../../bench/ingest-fleet.ts';
import { startCli, type CliChild } from '../helpers/cli-child.ts';
import { waitFor } from '../helpers/wait-for.ts';

export interface PipelineTarget {
  readonly kafkaBrokers: readonly string[];
  readonly clickhouseUrl: string;
  readonly database: string;
  readonly topicPrefix: string;
}

export interface PipelineProcess {
  readonly cli: CliChild;
  readonly child: ChildProcess;
  readonly port: number;
  /** GET /healthz as JSON (null when it does not answer). */
  health(): Promise<Record<string, unknown> | null>;
  /** GET /readyz: its status and JSON (null when it does not answer). */
  ready(): Promise<{ status: number; body: Record<string, unknown> } | null>;
  /** GET /metrics text. */
  metrics(): Promise<string>;
  /**
   * Sends `signal` and resolves with the exit code (or the signal name); past `deadlineMs` (default 30 s)
   * it SIGKILLs the process and throws with its last log lines.
   */
  stop(signal: NodeJS.Signals, deadlineMs?: number): Promise<number | string>;
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

/** Starts `gpu-ledger pipeline <args>` (extra `env` on top of the target's) and waits until /healthz says ok. */
export async function startPipeline(
  target: PipelineTarget,
  port: number,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  name = `pipeline:${port}`,
): Promise<PipelineProcess> {
  const cli = startCli(name, ['pipeline', '--metrics-port', String(port), ...args], { ...pipelineEnv(target), ...env });
  const url = `http://127.0.0.1:${port}`;
  const health = async () => {
    try {
      const res = await fetch(`${url}/healthz`);
      return (await res.json()) as Record<string, unknown>;
    } catch {
      return null;
    }
  };
  try {
    await waitFor(`${name} healthy`, async () => (await health())?.['ok'] === true || !cli.running, 60_000, 200);
  } catch (error) {
    await cli.stop('SIGKILL', 10_000);
    throw new Error(`${(error as Error).message}\n--- last lines of ${name} ---\n${cli.lastLines()}`);
  }
  if (!cli.running) throw new Error(`${name} exited ${cli.child.exitCode}: ${cli.lastLines()}`);
  return {
    cli,
    child: cli.child,
    port,
    health,
    async ready() {
      try {
        const res = await fetch(`${url}/readyz`);
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      } catch {
        return null;
      }
    },
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
    async stop(signal, deadlineMs = 30_000) {
      const { code, signal: by } = await cli.stop(signal, deadlineMs);
      return code ?? by ?? 'unknown';
    },
    stderr: () => cli.log(),
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
