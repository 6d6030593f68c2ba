import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';

/** What /healthz reports: `ok` false answers 503. */
export interface HealthReport {
  readonly ok: boolean;
  readonly [detail: string]: unknown;
}

export interface MetricsServer {
  /** Listens on host:port (port 0: any free port); resolves with the port bound. */
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * Our own HTTP server for the pipeline's operational endpoints: GET /metrics is the OpenTelemetry
 * Prometheus exporter's handler (exporter created with preventServerStart), GET /healthz a JSON health
 * report (liveness), GET /readyz a JSON readiness report (without `ready`: /healthz's). Everything else is 404.
 */
export function createMetricsServer(
  exporter: PrometheusExporter,
  health: () => HealthReport,
  ready: () => Promise<{ readonly ok: boolean }> = async () => health(),
): MetricsServer {
  const answer = (res: ServerResponse, report: { readonly ok: boolean; readonly error?: string }) => {
    res.writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify(report));
  };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      exporter.getMetricsRequestHandler(req, res);
      return;
    }
    if (req.method === 'GET' && path === '/healthz') {
      answer(res, health());
      return;
    }
    if (req.method === 'GET' && path === '/readyz') {
      ready().then(
        (report) => answer(res, report),
        (error: unknown) => answer(res, { ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });
  return {
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      }),
    close: () =>
      new Promise((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
