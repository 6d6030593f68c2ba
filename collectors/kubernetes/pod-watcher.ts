import { CoreV1Api, Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { PodEvent } from '../../contracts/index.ts';
import type { GpuRequestOptions } from './gpu-request.ts';
import { createPodEventTracker } from './pod-event-tracker.ts';
import { loadTrackedPods, saveTrackedPods } from './pod-tracker-state.ts';
import type { PodInfo, PodLike } from './pod-info.ts';

export interface PodWatcherConfig extends GpuRequestOptions {
  readonly cluster: string;
  /** The node whose pods are watched (`fieldSelector=spec.nodeName=<node>`). */
  readonly nodeName: string;
  /** Server-side watch timeout; the watch is then re-opened from the last resourceVersion. Default 300 s. */
  readonly watchTimeoutSeconds?: number;
  /** Backoff after a failed list or watch, doubling from min to max. Defaults 200 ms .. 10 s. */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  /** List page size (`limit`). Default 500. */
  readonly pageSize?: number;
  /**
   * File that keeps the tracked pods across restarts (pod-tracker-state.ts): the first list after a
   * restart then emits `deleted` for pods that vanished meanwhile. Absent: state lives in memory only.
   */
  readonly statePath?: string;
}

export interface PodWatcherDeps {
  readonly kubeConfig: KubeConfig;
  readonly logger: Logger;
  /** Clock for transitions Kubernetes gave no time for (e.g. a deletion seen in a DELETED event). */
  readonly now: () => number;
}

/** Receives the PodEvents of one list or watch event, synchronously and in order. */
export type PodEventListener = (events: readonly PodEvent[]) => void;

export interface PodWatcher {
  /**
   * Starts list+watch; resolves once the first list is processed (`get` is then warm), or on close.
   * While the API server is unreachable it keeps retrying with backoff. Call once.
   */
  start(): Promise<void>;
  subscribe(listener: PodEventListener): () => void;
  /** Current metadata of a live pod on this node. */
  get(podUid: string): PodInfo | undefined;
  /** Counters: completed lists, watch connections opened, 410 Gone answers (each followed by a re-list). */
  readonly stats: { readonly lists: number; readonly watches: number; readonly expired: number };
  /** Aborts the watch and stops; idempotent. */
  close(): Promise<void>;
}

interface WatchEnd {
  readonly resourceVersion: string;
  readonly expired: boolean;
  readonly error: unknown;
}

/** An Error's message, a Status object's message (watch ERROR events), or the value as JSON. */
const describeError = (e: unknown): string =>
  e instanceof Error
    ? e.message
    : typeof (e as { message?: unknown } | null)?.message === 'string'
      ? String((e as { message: string }).message)
      : JSON.stringify(e);
const isGone = (e: unknown): boolean =>
  (e as { code?: unknown; statusCode?: unknown } | null)?.code === 410 ||
  (e as { statusCode?: unknown } | null)?.statusCode === 410;

/**
 * Lists and watches the pods of one node through @kubernetes/client-node, keeps podUid → metadata,
 * and emits each lifecycle transition once as a PodEvent (see pod-event-tracker.ts). Watches resume
 * from the last resourceVersion seen (bookmarks included); a 410 Gone (resourceVersion compacted
 * away, or an API server restart) triggers a full re-list, after which pods that vanished meanwhile
 * get their `deleted` event.
 */
export function createPodWatcher(deps: PodWatcherDeps, config: PodWatcherConfig): PodWatcher {
  const { logger } = deps;
  const fieldSelector = `spec.nodeName=${config.nodeName}`;
  const [retryMinMs, retryMaxMs] = [config.retryMinMs ?? 200, config.retryMaxMs ?? 10_000];
  const api = deps.kubeConfig.makeApiClient(CoreV1Api);
  let tracker = createPodEventTracker(config, deps.now);
  let saving: Promise<void> = Promise.resolve();
  const listeners = new Set<PodEventListener>();
  const stats = { lists: 0, watches: 0, expired: 0 };
  const stop = new AbortController();
  // Rejects once closed, so that a list in flight does not hold close() up.
  const stopped = new Promise<never>((_, reject) =>
    stop.signal.addEventListener('abort', () => reject(new Error('pod watcher closed')), { once: true }),
  );
  stopped.catch(() => undefined);
  let endWatch: (() => void) | null = null;
  let loop: Promise<void> | null = null;

  const emit = (events: readonly PodEvent[]) => {
    if (events.length === 0) return;
    for (const l of listeners) l(events);
    const { statePath } = config;
    if (statePath !== undefined) {
      const pods = tracker.snapshot();
      saving = saving
        .then(() => saveTrackedPods(statePath, pods))
        .catch((error: unknown) =>
          logger.warn({ error: describeError(error), statePath }, 'pod tracker state not saved'),
        );
    }
  };
  const restore = async () => {
    if (config.statePath === undefined) return;
    try {
      const pods = await loadTrackedPods(config.statePath);
      tracker = createPodEventTracker(config, deps.now, pods);
      logger.info({ statePath: config.statePath, pods: pods.length }, 'pod tracker state restored');
    } catch (error) {
      logger.warn(
        { error: describeError(error), statePath: config.statePath },
        'pod tracker state unreadable: starting empty (deletions while the agent was down go unnoticed)',
      );
    }
  };
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const wake = () => (clearTimeout(t), stop.signal.removeEventListener('abort', wake), r());
      const t = setTimeout(wake, ms);
      stop.signal.addEventListener('abort', wake, { once: true });
    });

  const list = async (): Promise<string> => {
    const items: V1Pod[] = [];
    let [resourceVersion, cont] = ['', undefined as string | undefined];
    do {
      const page = await Promise.race([
        api.listPodForAllNamespaces({ fieldSelector, limit: config.pageSize ?? 500, _continue: cont }),
        stopped,
      ]);
      items.push(...page.items);
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      cont = page.metadata?._continue || undefined;
    } while (cont);
    emit(tracker.resync(items));
    stats.lists++;
    return resourceVersion;
  };

  const watchOnce = (resourceVersion: string) =>
    new Promise<WatchEnd>((resolve) => {
      let latest = resourceVersion;
      let failure: unknown = null;
      let controller: AbortController | null = null;
      const finish = (error: unknown) => {
        endWatch = null;
        controller?.abort();
        resolve({
          resourceVersion: latest,
          expired: isGone(failure) || isGone(error),
          error: stop.signal.aborted ? null : (error ?? failure),
        });
      };
      endWatch = () => finish(null);
      const onEvent = (type: string, obj: unknown) => {
        const object = obj as PodLike & { metadata?: { resourceVersion?: string }; code?: number };
        if (type === 'ERROR') return void (failure = object); // a Status; the server ends the stream after it
        if (type === 'ADDED' || type === 'MODIFIED') emit(tracker.observe(object));
        else if (type === 'DELETED') emit(tracker.remove(object));
        latest = object.metadata?.resourceVersion ?? latest; // BOOKMARK carries only this
      };
      const params = {
        fieldSelector,
        resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: config.watchTimeoutSeconds ?? 300,
      };
      stats.watches++;
      new Watch(deps.kubeConfig)
        .watch('/api/v1/pods', params, onEvent, finish)
        .then((c) => (stop.signal.aborted ? c.abort() : (controller = c)), finish);
    });

  const run = async (onFirstList: () => void): Promise<void> => {
    await restore();
    let backoffMs = retryMinMs;
    const pause = async (what: string, error: unknown) => {
      logger.warn({ error: describeError(error), node: config.nodeName, retryInMs: backoffMs }, `pod ${what} failed`);
      await sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, retryMaxMs);
    };
    while (!stop.signal.aborted) {
      let resourceVersion: string;
      try {
        resourceVersion = await list();
      } catch (error) {
        if (!stop.signal.aborted) await pause('list', error);
        continue;
      }
      onFirstList();
      backoffMs = retryMinMs;
      while (!stop.signal.aborted) {
        const end = await watchOnce(resourceVersion);
        resourceVersion = end.resourceVersion;
        if (end.expired) {
          stats.expired++;
          logger.info({ node: config.nodeName, resourceVersion }, 'pod watch expired (410 Gone): re-listing');
          break;
        }
        if (end.error) await pause('watch', end.error);
        else backoffMs = retryMinMs;
      }
    }
  };

  return {
    start() {
      if (loop) throw new Error('pod watcher already started');
      return new Promise<void>((resolve) => {
        loop = run(resolve);
        stop.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    get: (podUid) => tracker.get(podUid),
    stats,
    async close() {
      if (stop.signal.aborted) return;
      stop.abort();
      endWatch?.();
      await loop;
      await saving;
      listeners.clear();
    },
  };
}
