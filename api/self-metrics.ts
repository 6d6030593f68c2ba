import type { Meter } from '@opentelemetry/api';

/** The API's own metrics, through the Meter passed in (served at /metrics by the Prometheus exporter). */
export interface ApiMetrics {
  request(route: string, method: string, status: number, durationMs: number): void;
}

export function createApiMetrics(meter: Meter, auditPending: () => number): ApiMetrics {
  const requests = meter.createCounter('gpu_ledger_api_requests', { description: 'API requests by route and status' });
  const duration = meter.createHistogram('gpu_ledger_api_request_duration_ms', {
    description: 'API request duration',
    unit: 'ms',
    advice: { explicitBucketBoundaries: [5, 10, 25, 50, 100, 200, 500, 1000, 2500, 5000] },
  });
  meter
    .createObservableGauge('gpu_ledger_api_audit_pending', { description: 'audit records not yet in the store' })
    .addCallback((r) => r.observe(auditPending()));
  return {
    request(route, method, status, durationMs) {
      const attributes = { route, method, status: String(status) };
      requests.add(1, attributes);
      duration.record(durationMs, attributes);
    },
  };
}
