/**
 * Replays an openb fleet (openb-fleet.ts) through one real agent per node (sim-host.ts) on a
 * simulated clock: at each tick the pods that started or ended since the last one are shown to their
 * node's pod watcher (in time order, an end before a start at the same instant), then every online
 * agent samples once. Used by `npm run bench:accuracy` (with faults, through Kafka) and by the demo
 * (embedded). The caller drains and stops the hosts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { parseNvidiaSmiXml } from '../collectors/nvidia-smi/parse-xml.ts';
import type { PodEvent, RecordSink, WholeGpuSample } from '../contracts/index.ts';
import type { OpenbFleet, SimPod } from './openb-fleet.ts';
import { createSimHost, type SimHost, type SimHostConfig } from './sim-host.ts';

/** How long a leaving node's agent may take to send what it spooled before the node goes. */
const LEAVE_FLUSH_MS = 60_000;

/** The captured sample every simulated GPU takes its shape from (a Tesla T4, driver 515.105.01). */
export const TEMPLATE_CAPTURE = 'nvidia-smi-xml/telegraf__tesla-t4__515.105.01__procs.xml';

export function readTemplateSample(fixturesDir: string): WholeGpuSample {
  const sample = parseNvidiaSmiXml(readFileSync(join(fixturesDir, TEMPLATE_CAPTURE), 'utf8'), 0).samples.find(
    (s): s is WholeGpuSample => s.kind === 'gpu',
  );
  if (!sample) throw new Error(`${TEMPLATE_CAPTURE} has no GPU sample`);
  return sample;
}

export interface FleetReplayConfig {
  readonly cluster: string;
  readonly fleet: OpenbFleet;
  readonly fromMs: number;
  readonly toMs: number;
  readonly intervalMs: number;
  /** Each agent's state dir (spool, pod tracker) is `<stateRoot>/<node>`. */
  readonly stateRoot: string;
  readonly fixturesDir: string;
  readonly gentd26Dir: string;
}

export interface FleetReplayDeps {
  /** Where node i's agent sends (a bus, or a wrapper that injects faults). */
  readonly sinkFor: (nodeIndex: number) => RecordSink;
  readonly logger: Logger;
  /** Runs before each tick, after the pod changes up to it (faults, progress). */
  readonly beforeTick?: (step: number, simNowMs: number) => Promise<void>;
  /** Node i's host when it is not the in-process one (a host in a process of its own: child-sim-host.ts). */
  readonly hostFor?: (
    nodeIndex: number,
    config: SimHostConfig,
    now: () => number,
    onPodEvents: (events: readonly PodEvent[]) => void,
  ) => SimHost | undefined;
}

export interface FleetReplay {
  readonly hosts: readonly SimHost[];
  /** Ticks from fromMs: through toMs plus two, so the last window's samples land. */
  readonly steps: number;
  /** Boots every agent and replays every tick. */
  run(): Promise<void>;
  /** Batches sent and distinct pod events emitted so far. */
  counts(): { readonly batches: number; readonly podEvents: number; readonly spooled: number };
  stop(): Promise<void>;
}

export function createFleetReplay(config: FleetReplayConfig, deps: FleetReplayDeps): FleetReplay {
  const template = readTemplateSample(config.fixturesDir);
  let simNow = config.fromMs;
  const podEventKeys = new Set<string>();
  const onPodEvents = (events: readonly PodEvent[]) =>
    events.forEach((e) => podEventKeys.add(`${e.podUid}/${e.event}/${e.atMs}`));
  const now = () => simNow;
  const hosts = config.fleet.nodes.map((node, i) => {
    const hostConfig: SimHostConfig = {
      cluster: config.cluster,
      node,
      dir: join(config.stateRoot, node.name),
      template,
      gentd26Dir: config.gentd26Dir,
      traceEpochMs: config.fleet.traceEpochMs,
    };
    return (
      deps.hostFor?.(i, hostConfig, now, onPodEvents) ??
      createSimHost(hostConfig, { sink: deps.sinkFor(i), now, logger: deps.logger, onPodEvents })
    );
  });
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const steps = Math.floor((config.toMs - config.fromMs) / config.intervalMs) + 2;
  const lastMs = config.fromMs + (steps - 1) * config.intervalMs;
  const transitions = config.fleet.pods
    .flatMap((p) => [
      { t: p.startMs, start: true, p },
      { t: p.endMs, start: false, p },
    ])
    .filter((x) => x.t <= lastMs)
    .sort((a, b) => a.t - b.t || Number(a.start) - Number(b.start));

  // A node leaving is drained: its pods go, while its agent (a DaemonSet pod, which a drain leaves) runs
  // on until its spool is sent, bounded; then the node is gone. What a bound leaves stays counted as spooled.
  const leave = async (h: SimHost) => {
    const deadline = Date.now() + LEAVE_FLUSH_MS;
    while (h.pendingRecords() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (h.pendingRecords() > 0)
      deps.logger.warn(
        { node: h.name, pendingRecords: h.pendingRecords() },
        `the leaving node's agent did not empty its spool within ${LEAVE_FLUSH_MS} ms; the rest stays on its disk`,
      );
    await h.stop();
  };

  return {
    hosts,
    steps,
    async run() {
      // A node's agent runs from the node's joining to its leaving (sim/openb-fleet.ts churn).
      const nodes = config.fleet.nodes;
      const alive = (i: number, t: number) =>
        (nodes[i]?.joinMs ?? -Infinity) <= t && t < (nodes[i]?.leaveMs ?? Infinity);
      const joined = hosts.map(() => false);
      const joinAndLeave = async (t: number) => {
        const leaving: SimHost[] = [];
        for (const [i, h] of hosts.entries()) {
          if (!joined[i] && alive(i, t)) {
            joined[i] = true;
            await h.boot();
          } else if (joined[i] && h.online && t >= (nodes[i]?.leaveMs ?? Infinity)) leaving.push(h);
        }
        await Promise.all(leaving.map(leave)); // nodes that leave together wait out one bound, not one each
      };
      await joinAndLeave(config.fromMs);
      let next = 0;
      for (let step = 0; step < steps; step++) {
        simNow = config.fromMs + step * config.intervalMs;
        for (; next < transitions.length && (transitions[next]?.t ?? Infinity) <= simNow; next++) {
          const { start, p } = transitions[next] as { start: boolean; p: SimPod };
          const host = byName.get(p.node);
          if (start) host?.podStarted(p);
          else host?.podDeleted(p);
        }
        await joinAndLeave(simNow);
        await deps.beforeTick?.(step, simNow);
        await Promise.all(hosts.map((h) => h.tick()));
      }
    },
    counts: () => ({
      batches: hosts.reduce((s, h) => s + h.batches, 0),
      podEvents: podEventKeys.size,
      spooled: hosts.reduce((s, h) => s + h.pendingRecords(), 0),
    }),
    async stop() {
      for (const h of hosts) await h.stop();
    },
  };
}
