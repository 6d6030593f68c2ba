import { createServer, type Server } from 'node:http';
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
 * report. Everything else is 404.
 */
export function createMetricsServer(exporter: PrometheusExporter, health: () => HealthReport): MetricsServer {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      exporter.getMetricsRequestHandler(req, res);
      return;
    }
    if (req.method === 'GET' && path === '/healthz') {
      const report = health();
      res.writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(report));
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
