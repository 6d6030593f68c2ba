import { createRequire } from 'node:module';

/** The part of kafkajs's (untyped, internal) RequestQueue that the fix reads and wraps. */
interface InflightRequest {
  readonly sentAt: number;
  readonly requestTimeout: number;
  timeoutRequest(): void;
}
interface RequestQueueInternals {
  pending: unknown[];
  inflight: Map<number, InflightRequest>;
  throttledUntil: number;
  enforceRequestTimeout: boolean;
  requestTimeout: number;
  requestTimeoutIntervalId?: NodeJS.Timeout;
  isConnected(): boolean;
  destroy(): void;
  scheduleCheckPendingRequests: (this: RequestQueueInternals) => void;
  scheduleRequestTimeoutCheck: (this: RequestQueueInternals) => void;
}

/** How often a connection looks for requests past their timeout (kafkajs: every 100 ms). */
export const REQUEST_TIMEOUT_CHECK_MS = 1000;

const WRAPPED = Symbol.for('gpu-ledger.kafkajs-idle-loop-fix');

function isRequestQueueClass(value: unknown): value is { prototype: RequestQueueInternals } {
  const proto = (value as { prototype?: Partial<RequestQueueInternals> } | null)?.prototype;
  return (
    typeof value === 'function' &&
    typeof proto?.scheduleCheckPendingRequests === 'function' &&
    typeof proto.scheduleRequestTimeoutCheck === 'function'
  );
}

/**
 * Stops kafkajs's idle timer loops; applied by createKafkaBus, so every process that talks to Kafka
 * through the bus has it.
 *
 * 1. kafkajs 2.2.4 (its latest release) re-arms a timeout after every check of a broker
 *    connection's request queue, also when nothing is pending; with no throttle the delay is
 *    negative, so each connection wakes the event loop about a thousand times a second for nothing
 *    (tulios/kafkajs#1556 and #1704; the fix of PR #1667 is unreleased). In the agent that was more
 *    than half its CPU: 5.2 % → 2.4 % of one core (bench/agent.ts, 1 Hz). This is the upstream fix:
 *    no re-arm while no request is pending and no throttle is active. A request that has to wait
 *    still schedules its check (push() and each response call it).
 * 2. Each connection also runs an interval every min(requestTimeout, 100 ms) for its whole life,
 *    looking for requests past their timeout: ten wake-ups a second per connection, idle or not.
 *    The same check runs here every min(requestTimeout, REQUEST_TIMEOUT_CHECK_MS): a request is
 *    timed out at most a second late (kafkajs's default request timeout is 30 s).
 *
 * Process-wide, idempotent. Returns false, changing nothing, when kafkajs's internals are not the
 * ones this was written for.
 */
export function stopKafkajsIdleLoop(): boolean {
  const loaded: unknown = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js');
  if (!isRequestQueueClass(loaded)) return false;
  const proto = loaded.prototype as RequestQueueInternals & { [WRAPPED]?: true };
  if (proto[WRAPPED]) return true;
  const original = proto.scheduleCheckPendingRequests;
  proto.scheduleCheckPendingRequests = function (this: RequestQueueInternals) {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    original.call(this);
  };
  proto.scheduleRequestTimeoutCheck = function (this: RequestQueueInternals) {
    if (!this.enforceRequestTimeout) return;
    this.destroy();
    this.requestTimeoutIntervalId = setInterval(
      () => {
        this.inflight.forEach((request) => {
          if (Date.now() - request.sentAt > request.requestTimeout) request.timeoutRequest();
        });
        if (!this.isConnected()) this.destroy();
      },
      Math.min(this.requestTimeout, REQUEST_TIMEOUT_CHECK_MS),
    );
  };
  proto[WRAPPED] = true;
  return true;
}
