import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AgentHealth } from './agent-health.ts';

export interface AgentHttpServerConfig {
  /** Interface to listen on; 127.0.0.1 unless the operator exposes it on purpose. */
  readonly host: string;
  /** 0 picks a free port (tests); the agent's default is 9403. */
  readonly port: number;
}

export interface AgentHttpServerDeps {
  readonly handleScrape: (request: IncomingMessage, response: ServerResponse) => void;
  readonly health: () => AgentHealth;
  /** GET /readyz: 200 when `ok` (the agent can deliver: Kafka answers), else 503. */
  readonly ready: () => Promise<{ readonly ok: boolean }>;
  readonly logger: Logger;
}

export interface AgentHttpServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The agent's own HTTP server: `GET /metrics` (the Prometheus exporter's handler), `GET /healthz`
 * (liveness: 200 or 503 with the AgentHealth JSON) and `GET /readyz` (readiness: 200 or 503 with
 * the readiness JSON). Anything else is 404 / 405.
 */
export async function startAgentHttpServer(
  config: AgentHttpServerConfig,
  deps: AgentHttpServerDeps,
): Promise<AgentHttpServer> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://agent').pathname;
    if (path !== '/metrics' && path !== '/healthz' && path !== '/readyz')
      return void response
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('not found: try /metrics, /healthz or /readyz\n');
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return void response.writeHead(405, { allow: 'GET, HEAD' }).end();
    if (path === '/metrics') return deps.handleScrape(request, response);
    if (path === '/readyz')
      return void deps.ready().then(
        (report) =>
          response.writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(report)),
        (error: unknown) => {
          deps.logger.error({ err: error }, 'readiness check failed');
          response.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false }));
        },
      );
    try {
      const health = deps.health();
      response.writeHead(health.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(health));
    } catch (error) {
      deps.logger.error({ err: error }, 'health check failed');
      response
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ok: false, reasons: ['health check failed'] }));
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
