/**
 * The agent's GPU topology report: `nvidia-smi topo -m` once at start and then every `intervalMs`,
 * published (as the islands annotation value, scheduler/extender/topology.ts) only when it differs
 * from what was last published — at start, and on change (a GPU gone or added, a driver reload that
 * renumbers). A failed read or publish is logged and tried again at the next check.
 */
import type { Logger } from 'pino';
import { formatIslandsAnnotation } from '../../scheduler/extender/topology.ts';
import { gpuIslands, parseTopoMatrix } from './parse-topo.ts';

export interface TopologyReporterDeps {
  /** The text of `nvidia-smi topo -m`. */
  readonly readTopology: () => Promise<string>;
  /** Publishes the islands annotation value (e.g. patches the Node object). */
  readonly publish: (islands: string) => Promise<void>;
  readonly logger: Logger;
}

export interface TopologyReporter {
  /** One check: read, and publish when changed. Resolves with what is published now (null: nothing yet). */
  check(): Promise<string | null>;
  close(): void;
}

export function startTopologyReporter(deps: TopologyReporterDeps, intervalMs: number): TopologyReporter {
  let published: string | null = null;
  let running: Promise<string | null> | null = null;
  const check = async (): Promise<string | null> => {
    try {
      const islands = formatIslandsAnnotation(gpuIslands(parseTopoMatrix(await deps.readTopology())));
      if (islands !== published) {
        await deps.publish(islands);
        deps.logger.info({ islands, previous: published }, 'GPU topology published');
        published = islands;
      }
    } catch (error) {
      deps.logger.warn({ err: error }, 'GPU topology not published; next check retries');
    }
    return published;
  };
  const once = () => (running ??= check().finally(() => (running = null)));
  void once();
  const timer = setInterval(() => void once(), intervalMs);
  timer.unref();
  return { check: once, close: () => clearInterval(timer) };
}
