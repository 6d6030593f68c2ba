/**
 * A simulated host whose agent runs in a process of its own (sim/sim-host-child.ts), so that
 * bench:accuracy can SIGKILL it at any moment, a write to its spool or pod-tracker state included,
 * and start it again: a crash, not a graceful stop. The parent keeps the node's pod list (what the
 * API server would list) and drives the child over IPC on the simulated clock; the child sends to
 * Kafka itself, through the real spooling sink.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PodEvent } from '../contracts/index.ts';
import type { SimPod } from './openb-fleet.ts';
import type { SimHost, SimHostConfig } from './sim-host.ts';

const CHILD = fileURLToPath(new URL('./sim-host-child.ts', import.meta.url));
/** A child that does not answer within this long is reported (with its last output) instead of waited on. */
const REPLY_TIMEOUT_MS = 60_000;

export type ChildRequest =
  | { readonly op: 'boot'; readonly running: readonly SimPod[] }
  | { readonly op: 'tick' | 'stop'; readonly now: number }
  | { readonly op: 'podStarted' | 'podDeleted'; readonly pod: SimPod; readonly now: number };
export type ChildMessage =
  | { readonly id: number; readonly ok: true; readonly batches: number; readonly pending: number }
  | { readonly id: number; readonly ok: false; readonly error: string }
  | { readonly events: readonly PodEvent[] }
  | { readonly pending: number };

export interface ChildSimHost extends SimHost {
  /** Starts a tick and SIGKILLs the child `afterMs` later, whatever it is doing; resolves once it is dead. */
  killMidTick(now: number, afterMs: number): Promise<void>;
}

export function createChildSimHost(
  config: SimHostConfig & { readonly brokers: readonly string[] },
  deps: { readonly now: () => number; readonly onPodEvents: (events: readonly PodEvent[]) => void },
): ChildSimHost {
  const running = new Map<string, SimPod>();
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let output = '';
  let [nextId, batches, pending] = [0, 0, 0];
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  const failAll = (why: string) => {
    for (const w of waiting.values())
      w.reject(new Error(`${config.node.name}'s agent process ${why}; last output:\n${output.slice(-2000)}`));
    waiting.clear();
  };
  const request = (req: ChildRequest): Promise<void> => {
    const c = child;
    if (!c) return Promise.reject(new Error(`${config.node.name}'s agent process is not running`));
    const id = nextId++;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(
          new Error(
            `${config.node.name}'s agent process did not answer ${req.op} in ${REPLY_TIMEOUT_MS} ms; last output:\n${output.slice(-2000)}`,
          ),
        );
      }, REPLY_TIMEOUT_MS);
      waiting.set(id, {
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      c.send({ id, ...req });
    });
  };
  const onMessage = (m: ChildMessage) => {
    if ('events' in m) return deps.onPodEvents(m.events);
    if (!('id' in m)) return void (pending = m.pending);
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.ok) {
      [batches, pending] = [batches + m.batches, m.pending];
      w?.resolve();
    } else w?.reject(new Error(`${config.node.name}'s agent: ${m.error}`));
  };
  const kill = async () => {
    child?.kill('SIGKILL');
    await exited;
  };

  return {
    name: config.node.name,
    get online() {
      return child !== null;
    },
    get batches() {
      return batches;
    },
    async boot() {
      if (child) return;
      output = '';
      const { brokers, ...hostConfig } = config;
      const c = fork(CHILD, [JSON.stringify({ config: hostConfig, brokers })], {
        execArgv: ['--import', import.meta.resolve('tsx')],
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      const append = (d: Buffer) => void (output = (output + d.toString('utf8')).slice(-20_000));
      c.stdout?.on('data', append);
      c.stderr?.on('data', append);
      c.on('message', onMessage);
      exited = new Promise((done) =>
        c.once('exit', (code, signal) => {
          if (child === c) child = null;
          failAll(`exited (${signal ?? code})`);
          done();
        }),
      );
      child = c;
      await request({ op: 'boot', running: [...running.values()] });
    },
    async stop() {
      if (!child) return;
      await request({ op: 'stop', now: deps.now() });
      await exited;
    },
    podStarted(pod) {
      running.set(pod.uid, pod);
      if (child) void request({ op: 'podStarted', pod, now: deps.now() }).catch(() => undefined);
    },
    podDeleted(pod) {
      running.delete(pod.uid);
      if (child) void request({ op: 'podDeleted', pod, now: deps.now() }).catch(() => undefined);
    },
    async tick() {
      if (child) await request({ op: 'tick', now: deps.now() });
    },
    async killMidTick(now, afterMs) {
      if (!child) return;
      const ticking = request({ op: 'tick', now }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, afterMs));
      await kill();
      await ticking;
    },
    // The last count the agent reported; a stopped or killed agent's records wait on its disk.
    pendingRecords: () => pending,
  };
}
