/**
 * The reduced accuracy run (issue 12 item 6): `bench:accuracy` on 8 openb nodes (spread over the trace's
 * list: P100, T4 and G2 nodes, one G2 node as an A100-40GB with MIG pods) for 3 simulated hours,
 * through a private Kafka broker, the real pipeline and the ClickHouse server, with a catalog price
 * change inside an hour window: once with no other fault and once with the broker stopped, agents
 * restarted (one while spooling), one agent running as a process of its own SIGKILLed mid-tick and
 * started again, one agent delivering everything twice, the pipeline (a child process) SIGKILLed and restarted, and a ClickHouse server of its own stopped for 10 s. The ledger is judged against the simulator's independent truth (sim/truth), so a
 * mis-sized or lost pod fails here: pods of 400–600 milli billed as whole GPUs make the worst tenant's
 * cost 13.6% off, MIG instances billed at g/8 of a GPU instead of g/7 10.4%.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTestServices } from '../helpers/services.ts';

const BENCH = resolve(import.meta.dirname, '../../bench/accuracy.ts');
const TSX = resolve(import.meta.dirname, '../../node_modules/tsx/dist/cli.mjs');
const services = loadTestServices(process.env);

interface Accuracy {
  readonly cost: number;
  readonly waste: number;
  readonly idle: number;
  readonly usage: number;
  readonly tenants: number;
  readonly faults: string;
}

/** Runs the bench as a child with a bound; on failure or timeout the error shows its last lines. */
const runBench = (faults: string, timeoutMs: number): Promise<Accuracy> =>
  new Promise((done, fail) => {
    execFile(
      process.execPath,
      [TSX, BENCH, '--nodes', '8', '--hours', '3', '--faults', faults, '--clickhouse-down', '10'],
      {
        env: { ...process.env, GPU_LEDGER_CLICKHOUSE_URL: services.clickhouseUrl },
        timeout: timeoutMs,
        maxBuffer: 32 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-25).join('\n');
        const m =
          /accuracy: worst tenant cost error ([\d.]+)%, worst tenant waste error ([\d.]+)%, unallocated idle error ([\d.]+)%, usage error ([\d.]+)% over (\d+) tenants; faults: (\S+)/.exec(
            stdout,
          );
        if (error || !m)
          return fail(
            new Error(`bench:accuracy --faults ${faults} failed (${error?.message ?? 'no accuracy line'}):\n${tail}`),
          );
        const [cost, waste, idle, usage, tenants] = m.slice(1, 6).map(Number) as [
          number,
          number,
          number,
          number,
          number,
        ];
        done({ cost, waste, idle, usage, tenants, faults: m[6] ?? '' });
      },
    );
  });

describe('bench:accuracy, reduced (8 nodes, 3 h)', () => {
  it('faults lose nothing: the same figures as without them, within the issue bounds', async () => {
    // Both runs have the same fleet and prices: pods running before the window, a node joining and
    // one leaving mid-window, the T4 and P100 prices +25% at 01:30 (inside an hour window).
    const shapes = 'pre-window,churn,mig,price';
    const clean = await runBench(shapes, 90_000);
    const faulty = await runBench(`${shapes},broker,restarts,agent-kill,dupes,pipeline-kill,clickhouse`, 200_000);
    expect(clean.faults).toBe('pods-before-window,nodes-join-leave,mig-nodes,price-change');
    expect(faulty.faults).toBe(
      'pods-before-window,nodes-join-leave,mig-nodes,price-change,duplicates,broker-stop,agent-restart-spooling,agent-sigkill-spooling,pipeline-sigkill,agent-restart,clickhouse-stop',
    );
    expect(clean.tenants).toBe(5);
    // Cost and unallocated idle within issue 12's 0.5%, usage within its 1%. Waste is an estimate from
    // one utilization reading a minute, a shared GPU's busy time split equally among its pods
    // (nvidia-smi has no per-process SM time): 1.4% off on these 8 nodes, held to 2% here. Each MIG
    // pod gets its own instance's busy time: given every instance of its GPU (the rule before issue 12
    // item 5), the waste is 2.9% off and this fails.
    expect(clean.cost).toBeLessThanOrEqual(0.5);
    expect(clean.idle).toBeLessThanOrEqual(0.5);
    expect(clean.usage).toBeLessThanOrEqual(1);
    expect(clean.waste).toBeLessThanOrEqual(2);
    expect({ ...faulty, faults: '' }).toEqual({ ...clean, faults: '' });
  }, 320_000);
});
