import type { Meter } from '@opentelemetry/api';

/** What the rule and delivery jobs report (counters for /metrics, totals for tests and the bench). */
export interface AlertObserver {
  /** Notifications the rule job put in the outbox, per rule and state (firing / resolved). */
  raised(rule: string, state: string, count: number): void;
  /** Open incidents per rule and state after an evaluation. */
  open(rule: string, state: string, count: number): void;
  /** Alerts a receiver accepted. */
  delivered(receiver: string, count: number): void;
  /** A delivery attempt that failed (alerts in it), by reason: down, slow, refused. */
  failed(receiver: string, reason: string, count: number): void;
  /** Notifications still waiting for a receiver after a delivery run. */
  pending(receiver: string, count: number): void;
}

export interface AlertTotals {
  readonly delivered: ReadonlyMap<string, number>;
  /** `${receiver} ${reason}` → alerts in failed attempts. */
  readonly failed: ReadonlyMap<string, number>;
  readonly pending: ReadonlyMap<string, number>;
}

export const NOOP_ALERT_OBSERVER: AlertObserver = {
  raised: () => undefined,
  open: () => undefined,
  delivered: () => undefined,
  failed: () => undefined,
  pending: () => undefined,
};

/** In-memory totals (the CLI's /healthz, tests, the bench). */
export function createAlertTotals(): AlertObserver & { readonly totals: AlertTotals } {
  const delivered = new Map<string, number>();
  const failed = new Map<string, number>();
  const pending = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);
  return {
    ...NOOP_ALERT_OBSERVER,
    delivered: (receiver, n) => void add(delivered, receiver, n),
    failed: (receiver, reason, n) => void add(failed, `${receiver} ${reason}`, n),
    pending: (receiver, n) => void pending.set(receiver, n),
    totals: { delivered, failed, pending },
  };
}

/** One observer that tells several. */
export function fanOutAlerts(observers: readonly AlertObserver[]): AlertObserver {
  return {
    raised: (r, s, n) => observers.forEach((o) => o.raised(r, s, n)),
    open: (r, s, n) => observers.forEach((o) => o.open(r, s, n)),
    delivered: (r, n) => observers.forEach((o) => o.delivered(r, n)),
    failed: (r, reason, n) => observers.forEach((o) => o.failed(r, reason, n)),
    pending: (r, n) => observers.forEach((o) => o.pending(r, n)),
  };
}

/**
 * Instruments (Prometheus names once exported): alerts raised, open incidents, deliveries and
 * failed deliveries per receiver (by reason), and the outbox backlog per receiver.
 */
export function createAlertMetrics(meter: Meter): AlertObserver {
  const raised = meter.createCounter('gpu_ledger_alert_notifications', {
    description: 'Alert notifications raised (firing, resolved), per rule',
  });
  const delivered = meter.createCounter('gpu_ledger_alert_deliveries', {
    description: 'Alerts a receiver accepted',
  });
  const failed = meter.createCounter('gpu_ledger_alert_delivery_failures', {
    description: 'Alerts in failed delivery attempts, per receiver and reason (down, slow, refused); all are retried',
  });
  const openNow = new Map<string, number>();
  const pendingNow = new Map<string, number>();
  meter
    .createObservableGauge('gpu_ledger_alerts_open', { description: 'Open incidents per rule and state' })
    .addCallback((r) => {
      for (const [k, n] of openNow) {
        const [rule = '', state = ''] = k.split('\n');
        r.observe(n, { rule, state });
      }
    });
  meter
    .createObservableGauge('gpu_ledger_alert_outbox_pending', {
      description: 'Notifications waiting for a receiver (it was down, slow or refusing)',
    })
    .addCallback((r) => {
      for (const [receiver, n] of pendingNow) r.observe(n, { receiver });
    });
  return {
    raised: (rule, state, n) => raised.add(n, { rule, state }),
    open: (rule, state, n) => void openNow.set(`${rule}\n${state}`, n),
    delivered: (receiver, n) => delivered.add(n, { receiver }),
    failed: (receiver, reason, n) => failed.add(n, { receiver, reason }),
    pending: (receiver, n) => void pendingNow.set(receiver, n),
  };
}
